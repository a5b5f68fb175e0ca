/*
 * Failed and degraded links (sim/topo/fail.h): node names, the SPEC
 * grammar and every error it gives, random fractions (count, determinism,
 * nesting), a topology file's fail list, the stable sort and the apply
 * functions, and `fabsim topo`'s figures after failures: per-tier
 * oversubscription and bisection worked out by hand in the comments.
 * The CLI's requests (sim/cli/fail_opts.h): two-word --fail-at, restores.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/fail_opts.h"
#include "sim/topo/fail.h"
#include "sim/topo/gen.h"
#include "sim/topo/topo.h"

#define G 1000000000ULL

/* LEAVES leaves of HPL 800G hosts, SPINES spines, LPS links per pair, PLANES planes. */
static struct sim_topo *leafspine(uint32_t leaves, uint32_t hpl, uint32_t spines, uint32_t lps,
				  uint32_t planes)
{
	struct sim_leafspine_params p = {
		.c = { .host_rate_bps = 800 * G, .planes = planes },
		.leaves = leaves, .hosts_per_leaf = hpl, .spines = spines, .links_per_spine = lps,
	};
	struct sim_topo *t;
	char err[256];

	assert_int_equal(sim_topo_leafspine(&p, &t, err, sizeof(err)), 0);
	return t;
}

/* 2 pods x 2 leaves x 2 hosts, 2 aggs per pod, 2 cores per group, all 800G. */
static struct sim_topo *fattree(void)
{
	struct sim_fattree_params p = {
		.c = { .host_rate_bps = 800 * G },
		.pods = 2, .leaves_per_pod = 2, .hosts_per_leaf = 2, .aggs_per_pod = 2,
		.cores_per_group = 2,
	};
	struct sim_topo *t;
	char err[256];

	assert_int_equal(sim_topo_fattree(&p, &t, err, sizeof(err)), 0);
	return t;
}

static uint32_t node(const struct sim_topo *t, const char *name)
{
	uint32_t n = sim_topo_node_by_name(t, name);

	if (n == SIM_NONE)
		fail_msg("no node %s", name);
	return n;
}

/* The port of node A whose peer is on B. */
static uint32_t port_to(const struct sim_topo *t, uint32_t a, uint32_t b)
{
	for (uint32_t i = 0; i < t->nodes[a].nports; i++)
		if (t->ports[t->ports[t->nodes[a].first_port + i].peer].node == b)
			return t->nodes[a].first_port + i;
	fail_msg("no link %u-%u", a, b);
	return SIM_NONE;
}

static uint32_t links_down(const struct sim_topo *t)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->nports; i++)
		n += t->ports[i].down;
	return n / 2;
}

/* sim_fail_parse that must succeed at time 0 */
static void parse_ok(const struct sim_topo *t, const char *spec, struct sim_fail_plan *plan)
{
	char err[512];

	if (sim_fail_parse(t, spec, 0, SIM_FAIL_DOWN, plan, err, sizeof(err)))
		fail_msg("%s refused: %s", spec, err);
}

/* sim_fail_parse that must fail with a message holding WANT, the SPEC first */
static void parse_bad(const struct sim_topo *t, const char *spec, const char *want)
{
	struct sim_fail_plan plan = { .seed = 1 };
	char err[512], head[256];

	assert_int_equal(sim_fail_parse(t, spec, 0, SIM_FAIL_DOWN, &plan, err, sizeof(err)), -EINVAL);
	assert_int_equal(plan.n, 0);
	snprintf(head, sizeof(head), "%s: ", spec);
	if (strncmp(err, head, strlen(head)) || !strstr(err, want) || !strstr(err, "(expected"))
		fail_msg("%s: got '%s', want '%s'", spec, err, want);
	sim_fail_plan_free(&plan);
}

/* Names as topo.c spells them, and only those. */
static void test_fail_names(void **state)
{
	/* 4 leaves x 2 hosts, 2 spines: h0..h7, leaf0..3 = 8..11, spine0..1 = 12..13 */
	struct sim_topo *t = leafspine(4, 2, 2, 1, 1), *f, *m;
	static const char *const bad[] = { "leaf03", "leaf4", "spine2", "h8", "p0-leaf0", "core0",
					   "agg0.0", "x", "", "leaf", "h-1", "leaf4294967296" };

	assert_int_equal(sim_topo_node_by_name(t, "h7"), 7);
	assert_int_equal(sim_topo_node_by_name(t, "leaf3"), 11);
	assert_int_equal(sim_topo_node_by_name(t, "spine1"), 13);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sim_topo_node_by_name(t, bad[i]), SIM_NONE);
	/* fat-tree: 8 hosts; leaves 8..11, agg0.0 agg0.1 agg1.0 agg1.1 = 12..15, core0..3 = 16..19 */
	f = fattree();
	assert_int_equal(sim_topo_node_by_name(f, "agg1.0"), 14);
	assert_int_equal(sim_topo_node_by_name(f, "core2"), 18);
	assert_int_equal(sim_topo_node_by_name(f, "spine0"), SIM_NONE);
	/* two planes of 2 leaves x 2 hosts and 1 spine: per plane 3 switches, ids 4.. */
	m = leafspine(2, 2, 1, 1, 2);
	assert_int_equal(sim_topo_node_by_name(m, "p1-leaf0"), 4 + 3);
	assert_int_equal(sim_topo_node_by_name(m, "p1-spine0"), 4 + 3 + 2);
	assert_int_equal(sim_topo_node_by_name(m, "leaf0"), SIM_NONE);
	assert_int_equal(sim_topo_node_by_name(m, "p2-leaf0"), SIM_NONE);
	sim_topo_free(m);
	sim_topo_free(f);
	sim_topo_free(t);
}

static void test_fail_names_railopt_explicit(void **state)
{
	/* 4 servers x 2 GPUs, 2 leaves per rail: rail r leaf l is switch r * 2 + l, ids 8.. */
	struct sim_railopt_params p = {
		.c = { .host_rate_bps = 400 * G }, .servers = 4, .gpus_per_server = 2,
		.leaves_per_rail = 2, .spines = 2,
	};
	static const char text[] =
		"fabric = { kind = \"explicit\"; host_rate = \"800G\";\n"
		"  nodes = ( { name = \"a\"; kind = \"host\"; }, { name = \"b\"; kind = \"host\"; },\n"
		"            { name = \"sw\"; kind = \"switch\"; } );\n"
		"  links = ( (\"a\", \"sw\"), (\"b\", \"sw\") ); };\n";
	struct sim_topo *t, *x;
	char err[512];

	assert_int_equal(sim_topo_railopt(&p, &t, err, sizeof(err)), 0);
	assert_int_equal(sim_topo_node_by_name(t, "rail1-leaf0"), 8 + 2);
	assert_int_equal(sim_topo_node_by_name(t, "rail1-leaf1"), 8 + 3);
	assert_int_equal(sim_topo_node_by_name(t, "leaf0"), SIM_NONE);
	assert_int_equal(sim_topo_parse(text, "x.topo", &x, err, sizeof(err)), 0);
	assert_int_equal(sim_topo_node_by_name(x, "sw"), 2);
	assert_int_equal(sim_topo_node_by_name(x, "b"), 1);
	assert_int_equal(sim_topo_node_by_name(x, "h0"), SIM_NONE);
	sim_topo_free(x);
	sim_topo_free(t);
}

/* A:B, both orders, a host link, parallel links, A:B=RATE. */
static void test_fail_grammar_links(void **state)
{
	struct sim_topo *t = leafspine(4, 2, 2, 1, 1), *par = leafspine(2, 2, 2, 2, 1);
	struct sim_fail_plan plan = { .seed = 1 };
	uint32_t l0 = node(t, "leaf0"), s1 = node(t, "spine1");

	parse_ok(t, "leaf0:spine1", &plan);
	parse_ok(t, "spine1:leaf0", &plan);
	assert_int_equal(plan.n, 2);
	/* named by the lower-tier end, whichever order */
	assert_int_equal(plan.v[0].port, port_to(t, l0, s1));
	assert_int_equal(plan.v[1].port, plan.v[0].port);
	assert_int_equal(plan.v[0].op, SIM_FAIL_DOWN);
	assert_int_equal(plan.v[0].at_ps, 0);
	/* h3 sits on leaf1 (2 hosts a leaf): its NIC port */
	parse_ok(t, "leaf1:h3", &plan);
	assert_int_equal(plan.v[2].port, t->nodes[3].first_port);
	parse_ok(t, "leaf0:spine1=400G", &plan);
	assert_int_equal(plan.v[3].op, SIM_FAIL_RATE);
	assert_int_equal(plan.v[3].rate_bps, 400 * G);
	parse_ok(t, "leaf0:spine1=100Gb/s", &plan);
	assert_int_equal(plan.v[4].rate_bps, 100 * G);
	sim_fail_plan_free(&plan);
	/* two links per leaf-spine pair: both */
	plan.seed = 1;
	parse_ok(par, "leaf1:spine0", &plan);
	assert_int_equal(plan.n, 2);
	assert_int_not_equal(plan.v[0].port, plan.v[1].port);
	sim_fail_plan_free(&plan);
	sim_topo_free(par);
	sim_topo_free(t);
}

/* Every refusal names the SPEC and says what was expected. */
static void test_fail_grammar_errors(void **state)
{
	struct sim_topo *t = leafspine(4, 2, 2, 1, 1), *f = fattree();

	parse_bad(t, "leafx:spine1", "unknown node 'leafx'");
	parse_bad(t, "leaf0:spinex", "unknown node 'spinex'");
	parse_bad(t, "leaf3:leaf2", "no link between leaf3 and leaf2");
	parse_bad(t, "h0:leaf1", "no link between h0 and leaf1");
	parse_bad(t, "leaf3", "not a link");
	parse_bad(t, "leaf3:", "bad link");
	parse_bad(t, "", "empty");
	parse_bad(t, "150%@leaf-spine", "fraction 150% outside 0-100%");
	parse_bad(t, "0%@leaf-spine", "fraction 0% outside 0-100%");
	parse_bad(t, "-5%@leaf-spine", "outside 0-100%");
	parse_bad(t, "10%@foo", "unknown tier 'foo' (expected host-leaf, leaf-spine, leaf-agg, agg-core)");
	parse_bad(t, "10@leaf-spine", "bad fraction");
	/* 8 leaf-spine links: 5% is 0.4 of a link */
	parse_bad(t, "5%@leaf-spine", "5% of 8 links rounds to 0 links");
	parse_bad(t, "10%@agg-core", "no agg-core links");
	parse_bad(t, "50%@leaf-spine/p1", "plane 1 outside 0..0");
	parse_bad(t, "50%@leaf-spine/x", "bad plane suffix");
	parse_bad(t, "plane:1", "plane 1 outside 0..0");
	parse_bad(t, "leaf0:spine1=900G", "rate 900G is above the link's 800G");
	parse_bad(t, "leaf0:spine1=fast", "bad rate 'fast'");
	parse_bad(t, "leaf0:spine1=0", "rate '0' out of range");
	parse_bad(f, "leaf0:core0", "no link between leaf0 and core0");
	sim_topo_free(f);
	sim_topo_free(t);
}

static uint32_t count_distinct(const struct sim_fail_plan *p)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < p->n; i++) {
		uint32_t j;

		for (j = 0; j < i && p->v[j].port != p->v[i].port; j++)
			;
		n += j == i;
	}
	return n;
}

static bool in_plan(const struct sim_fail_plan *p, uint32_t port)
{
	for (uint32_t i = 0; i < p->n; i++)
		if (p->v[i].port == port)
			return true;
	return false;
}

/* round(P% x links) distinct links of the tier; the same for a seed; nested in P. */
static void test_fail_random(void **state)
{
	/* 8 leaves x 16 spines: 128 leaf-spine links */
	struct sim_topo *t = leafspine(8, 2, 16, 1, 1);
	struct sim_fail_plan a = { .seed = 3 }, b = { .seed = 3 }, c = { .seed = 4 }, big = { .seed = 3 };
	uint32_t i, same = 0;

	/* 10% of 128 = 12.8: 13 */
	parse_ok(t, "10%@leaf-spine", &a);
	assert_int_equal(a.n, 13);
	assert_int_equal(count_distinct(&a), 13);
	for (i = 0; i < a.n; i++) {
		const struct sim_port *p = &t->ports[a.v[i].port];

		assert_int_equal(t->nodes[p->node].tier, 1);
		assert_int_equal(t->nodes[t->ports[p->peer].node].tier, 2);
	}
	parse_ok(t, "10%@leaf-spine", &b);
	for (i = 0; i < a.n; i++)
		assert_int_equal(a.v[i].port, b.v[i].port);
	parse_ok(t, "10%@leaf-spine", &c);
	for (i = 0; i < a.n; i++)
		same += in_plan(&a, c.v[i].port);
	assert_true(same < a.n);
	/* 20% = 25.6: 26, holding the 13 of 10% */
	parse_ok(t, "20%@leaf-spine", &big);
	assert_int_equal(big.n, 26);
	for (i = 0; i < a.n; i++)
		assert_true(in_plan(&big, a.v[i].port));
	sim_fail_plan_free(&big);
	big.seed = 3;
	/* 100% of host-leaf: every host link, 16; 2.5% of 128 = 3.2: 3 */
	parse_ok(t, "100%@host-leaf", &big);
	assert_int_equal(count_distinct(&big), 16);
	sim_fail_plan_free(&big);
	big.seed = 3;
	parse_ok(t, "2.5%@leaf-spine", &big);
	assert_int_equal(big.n, 3);
	sim_fail_plan_free(&big);
	sim_fail_plan_free(&c);
	sim_fail_plan_free(&b);
	sim_fail_plan_free(&a);
	sim_topo_free(t);
}

/* plane:P and /pN on a two-plane fabric. */
static void test_fail_planes(void **state)
{
	/* per plane: 2 leaves x 2 hosts, 2 spines; 4 host links + 4 leaf-spine links */
	struct sim_topo *t = leafspine(2, 2, 2, 1, 2);
	struct sim_fail_plan p = { .seed = 1 };
	uint32_t per_plane = t->layout.per_plane;

	parse_ok(t, "plane:1", &p);
	assert_int_equal(p.n, 8);
	for (uint32_t i = 0; i < p.n; i++) {
		const struct sim_port *q = &t->ports[p.v[i].port];
		const struct sim_node *n = &t->nodes[q->node];

		if (n->kind == SIM_NODE_HOST)
			assert_int_equal(p.v[i].port - n->first_port, 1);
		else
			assert_int_equal(n->index / per_plane, 1);
	}
	sim_fail_plan_free(&p);
	p.seed = 1;
	/* 50% of plane 1's 4 leaf-spine links: 2, all on plane 1 */
	parse_ok(t, "50%@leaf-spine/p1", &p);
	assert_int_equal(p.n, 2);
	for (uint32_t i = 0; i < p.n; i++)
		assert_int_equal(t->nodes[t->ports[p.v[i].port].node].index / per_plane, 1);
	sim_fail_plan_free(&p);
	sim_topo_free(t);
}

/* Stable by time; apply sets both ends; apply_static keeps the timed ones in order. */
static void test_fail_sort_apply(void **state)
{
	struct sim_topo *t = leafspine(4, 2, 2, 1, 1);
	struct sim_fail_plan p = { .seed = 1 };
	char err[256];
	uint32_t l0 = node(t, "leaf0"), s0 = node(t, "spine0"), s1 = node(t, "spine1");
	uint32_t a = port_to(t, l0, s0), b = port_to(t, l0, s1);

	assert_int_equal(sim_fail_parse(t, "leaf0:spine0", 5, SIM_FAIL_DOWN, &p, err, sizeof(err)), 0);
	assert_int_equal(sim_fail_parse(t, "leaf0:spine1", 0, SIM_FAIL_DOWN, &p, err, sizeof(err)), 0);
	assert_int_equal(sim_fail_parse(t, "leaf0:spine1", 5, SIM_FAIL_RESTORE, &p, err, sizeof(err)), 0);
	assert_int_equal(sim_fail_parse(t, "leaf0:spine0=400G", 1, SIM_FAIL_DOWN, &p, err, sizeof(err)), 0);
	/* a restore carries the rate it returns to */
	assert_int_equal(p.v[2].rate_bps, 800 * G);
	sim_fail_sort(&p);
	assert_int_equal(p.v[0].at_ps, 0);
	assert_int_equal(p.v[1].at_ps, 1);
	assert_int_equal(p.v[2].at_ps, 5);
	assert_int_equal(p.v[2].port, a);	/* given before the restore at 5 */
	assert_int_equal(p.v[3].op, SIM_FAIL_RESTORE);
	sim_fail_apply_static(t, &p);
	assert_int_equal(p.n, 3);
	assert_true(t->ports[b].down && t->ports[t->ports[b].peer].down);
	assert_false(t->ports[a].down);
	sim_fail_apply(t, &p.v[0]);	/* 400G at 1 */
	assert_int_equal(t->ports[a].rate_bps, 400 * G);
	assert_int_equal(t->ports[t->ports[a].peer].rate_bps, 400 * G);
	assert_true(t->ports[a].degraded);
	sim_fail_apply(t, &p.v[2]);	/* leaf0:spine1 back at 5 */
	assert_false(t->ports[b].down || t->ports[t->ports[b].peer].down);
	sim_fail_plan_free(&p);
	sim_topo_free(t);
}

static double close_to(double got, double want)
{
	if (fabs(got - want) > 1e-9 * (want > 1 ? want : 1))
		fail_msg("got %.12g, want %.12g", got, want);
	return got;
}

/*
 * 4 leaves x 4 hosts of 800G, 4 spines: 1 uplink per spine, k = 4. Leaf i
 * loses its link to spine i: 3200G down, 2400G up, 4:3 at every leaf and
 * for the tier. Bisection (leaves 0,1 against 2,3): spine s carries
 * min(left leaves still on s, right leaves still on s) x 800G = 800G for
 * each s (each spine lost one leaf on one side), 3.2 Tb/s, half the
 * intact 6.4 Tb/s.
 */
static void test_fail_summary_leafspine(void **state)
{
	struct sim_topo *t = leafspine(4, 4, 4, 1, 1);
	struct sim_fail_plan p = { .seed = 1 };
	struct sim_topo_summary s;
	char spec[48];

	assert_int_equal(sim_topo_summarize(t, &s), 0);
	close_to(s.bisection_bps, 6.4e12);
	for (int i = 0; i < 4; i++) {
		snprintf(spec, sizeof(spec), "leaf%d:spine%d", i, i);
		parse_ok(t, spec, &p);
	}
	sim_fail_apply_static(t, &p);
	assert_int_equal(sim_topo_summarize(t, &s), 0);
	assert_int_equal(s.links_down, 4);
	assert_int_equal(s.links_degraded, 0);
	assert_int_equal(s.hosts_isolated, 0);
	close_to(s.oversub_tier[0], 4.0 / 3);
	close_to(s.oversub_worst[0], 4.0 / 3);
	close_to(s.oversubscription, 4.0 / 3);
	close_to(s.oversub_end_to_end, 4.0 / 3);
	close_to(s.bisection_bps, 3.2e12);
	/* leaf0:spine1 at 400G too: leaf0 has 400 + 800 + 800 up of 3200 down; the tier 12800:9200 */
	parse_ok(t, "leaf0:spine1=400G", &p);
	sim_fail_apply_static(t, &p);
	assert_int_equal(sim_topo_summarize(t, &s), 0);
	assert_int_equal(s.links_degraded, 1);
	close_to(s.oversub_worst[0], 3200.0 / 2000);
	close_to(s.oversub_tier[0], 12800.0 / 9200);
	/* spine1 carries min(leaf0 400 + leaf1 0, leaf2 800 + leaf3 800) = 400G: 2.8 Tb/s */
	close_to(s.bisection_bps, 2.8e12);
	/* h3 cut off: isolated, and the left half has 7 hosts, still above the fabric cut */
	parse_ok(t, "h3:leaf0", &p);
	sim_fail_apply_static(t, &p);
	assert_int_equal(sim_topo_summarize(t, &s), 0);
	assert_int_equal(s.hosts_isolated, 1);
	assert_int_equal(s.isolated[0], 3);
	/* leaf0 lost a host port too: 2400 down of 2000 up; the worst is the other leaves' 4:3 */
	close_to(s.oversub_worst[0], 4.0 / 3);
	close_to(s.oversub_tier[0], 12000.0 / 9200);
	sim_fail_plan_free(&p);
	sim_topo_free(t);
}

/*
 * The fat-tree of fattree(): a leaf has 1600G down (2 hosts) and 1600G up
 * (2 aggs), an agg 1600G down (2 leaves) and 1600G up (2 cores); intact,
 * the bisection is the hosts' 4 x 800G. Each leaf loses one of its 2
 * uplinks, each agg one of its 2 leaves: leaves 1600:800 = 2:1, aggs
 * 800:1600 = 1:2, end to end 2 x 1/2 = 1.
 */
static void test_fail_summary_fattree(void **state)
{
	struct sim_topo *t = fattree();
	struct sim_fail_plan p = { .seed = 1 };
	struct sim_topo_summary s;

	assert_int_equal(sim_topo_summarize(t, &s), 0);
	close_to(s.bisection_bps, 3.2e12);
	parse_ok(t, "leaf0:agg0.0", &p);
	parse_ok(t, "leaf1:agg0.1", &p);
	parse_ok(t, "leaf2:agg1.0", &p);
	parse_ok(t, "leaf3:agg1.1", &p);
	sim_fail_apply_static(t, &p);
	assert_int_equal(sim_topo_summarize(t, &s), 0);
	close_to(s.oversub_tier[0], 2.0);
	close_to(s.oversub_worst[0], 2.0);
	close_to(s.oversub_tier[1], 0.5);
	close_to(s.oversub_worst[1], 0.5);
	close_to(s.oversub_end_to_end, 1.0);
	/*
	 * Pod 0's 4 hosts reach the cores through leaf0-agg0.1 and
	 * leaf1-agg0.0, 800G each: 1.6 Tb/s leaves pod 0, and pod 1 takes
	 * 1.6 Tb/s in the same way.
	 */
	close_to(s.bisection_bps, 1.6e12);
	sim_fail_plan_free(&p);
	sim_topo_free(t);
}

/* fail = (...) and fail_seed in a topology file; errors name the entry and its line. */
static void test_fail_topology_file(void **state)
{
	static const char ok[] =
		"fabric = { kind = \"leafspine\"; leaves = 8; hosts_per_leaf = 2; spines = 16;\n"
		"  host_rate = \"800G\"; };\n"
		"fail = ( \"leaf0:spine1\", \"10%@leaf-spine\", \"leaf1:spine2=400G\" );\n"
		"fail_seed = 3;\n";
	static const char bad[] =
		"fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = 2; spines = 2;\n"
		"  host_rate = \"800G\"; };\n"
		"fail = ( \"leaf0:spine1\",\n"
		"  \"leafx:spine1\" );\n";
	static const char notlist[] =
		"fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = 2; spines = 2;\n"
		"  host_rate = \"800G\"; };\nfail = 3;\n";
	struct sim_topo *t, *g = leafspine(8, 2, 16, 1, 1);
	struct sim_fail_plan p = { .seed = 3 };
	char err[SIM_TOPO_ERR_LEN];
	uint32_t extra = 0, i;

	assert_int_equal(sim_topo_parse(ok, "f.topo", &t, err, sizeof(err)), 0);
	/* the same draw by hand: 13 links of 128, plus leaf0:spine1 unless drawn */
	parse_ok(g, "10%@leaf-spine", &p);
	extra = !in_plan(&p, port_to(g, node(g, "leaf0"), node(g, "spine1")));
	assert_int_equal(links_down(t), 13 + extra);
	for (i = 0; i < p.n; i++)
		assert_true(t->ports[p.v[i].port].down);
	i = port_to(t, node(t, "leaf1"), node(t, "spine2"));
	assert_int_equal(t->ports[i].rate_bps, 400 * G);
	assert_int_equal(t->ports[t->ports[i].peer].rate_bps, 400 * G);
	sim_topo_free(t);
	assert_int_equal(sim_topo_parse(bad, "b.topo", &t, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "b.topo:4: fail[1] = \"leafx:spine1\": unknown node 'leafx'"))
		fail_msg("got %s", err);
	assert_int_equal(sim_topo_parse(notlist, "n.topo", &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "n.topo:3: 'fail' must be a list"));
	sim_fail_plan_free(&p);
	sim_topo_free(g);
}

/* --fail-at T SPEC joined for getopt; restores need an earlier failure; stop. */
static void test_fail_cli_reqs(void **state)
{
	char *argv[] = { "run", "--fail-at", "200us", "leaf0:spine1", "--restore-at=300us", "leaf0:spine1",
			 "--fail-at", "1us=leaf1:spine0", "--fail", "leaf2:spine0", "-o", "x" };
	struct sim_topo *t = leafspine(4, 2, 2, 1, 1);
	struct sim_fail_reqs r = { 0 };
	struct sim_fail_plan plan = { 0 };
	struct sim_fail_argv fa;

	assert_int_equal(sim_fail_argv(12, argv, &fa), 0);
	assert_int_equal(fa.argc, 10);
	assert_string_equal(fa.argv[1], "--fail-at");
	assert_string_equal(fa.argv[2], "200us=leaf0:spine1");
	assert_string_equal(fa.argv[3], "--restore-at=300us=leaf0:spine1");
	assert_string_equal(fa.argv[5], "1us=leaf1:spine0");
	sim_fail_argv_free(&fa);
	r.v[r.n++] = (struct sim_fail_req){ .spec = "leaf0:spine1", .time = "200us=", .at_ps = 200000000 };
	r.v[r.n++] = (struct sim_fail_req){ .spec = "leaf0:spine1", .time = "300us=", .at_ps = 300000000,
					    .op = SIM_FAIL_RESTORE };
	r.v[r.n++] = (struct sim_fail_req){ .spec = "leaf2:spine0" };
	assert_int_equal(sim_fail_reqs_build(t, &r, 1, 0, &plan, "test"), 0);
	/* --fail applied, the two timed ones kept in time order */
	assert_int_equal(links_down(t), 1);
	assert_int_equal(plan.n, 2);
	assert_int_equal(plan.v[0].op, SIM_FAIL_DOWN);
	assert_int_equal(plan.v[1].op, SIM_FAIL_RESTORE);
	/* --stop 250us: the restore at 300us is after it */
	assert_int_equal(sim_fail_reqs_build(t, &r, 1, 250000000, &plan, "test"), 2);
	/* a restore at 100us, before the failure at 200us */
	r.v[1].at_ps = 100000000;
	assert_int_equal(sim_fail_reqs_build(t, &r, 1, 0, &plan, "test"), 2);
	sim_fail_plan_free(&plan);
	sim_topo_free(t);
}

static bool pair_at(void *ctx, uint64_t i, uint32_t *a, uint32_t *b)
{
	const uint32_t *v = ctx;

	*a = v[2 * i];
	*b = v[2 * i + 1];
	return true;
}

/* A pair left without a path is refused, from the start or from a timed change; T comes back as it was. */
static void test_fail_check_pairs(void **state)
{
	/* 4 leaves x 2 hosts, 2 spines: h0,h1 on leaf0, h2,h3 on leaf1 */
	struct sim_topo *t = leafspine(4, 2, 2, 1, 1);
	struct sim_fail_reqs r = { 0 };
	struct sim_fail_plan plan = { 0 };
	uint32_t ok[] = { 0, 1, 2, 5 }, cut[] = { 1, 5, 3, 0 };
	uint32_t h0 = t->nodes[0].first_port;

	r.v[r.n++] = (struct sim_fail_req){ .spec = "h3:leaf1" };
	r.v[r.n++] = (struct sim_fail_req){ .spec = "h0:leaf0", .time = "5us=", .at_ps = 5000000 };
	assert_int_equal(sim_fail_reqs_build(t, &r, 1, 0, &plan, "test"), 0);
	/* h3 is cut from the start: the pair (3, 0) is refused, (1, 5) is not, even at 5 us */
	assert_int_equal(sim_fail_check_pairs(t, &r, &plan, pair_at, 1, cut, "test"), 0);
	assert_int_equal(sim_fail_check_pairs(t, &r, &plan, pair_at, 2, cut, "test"), 1);
	/* h0 is cut at 5 us: (0, 1) is refused then, and h0's link is up again after the check */
	assert_int_equal(sim_fail_check_pairs(t, &r, &plan, pair_at, 1, ok, "test"), 1);
	assert_false(t->ports[h0].down);
	assert_false(t->ports[t->ports[h0].peer].down);
	/* without the timed failure, (0, 1) and (2, 5) are fine */
	plan.n = 0;
	assert_int_equal(sim_fail_check_pairs(t, &r, &plan, pair_at, 2, ok, "test"), 0);
	sim_fail_plan_free(&plan);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_names),
		cmocka_unit_test(test_fail_names_railopt_explicit),
		cmocka_unit_test(test_fail_grammar_links),
		cmocka_unit_test(test_fail_grammar_errors),
		cmocka_unit_test(test_fail_random),
		cmocka_unit_test(test_fail_planes),
		cmocka_unit_test(test_fail_sort_apply),
		cmocka_unit_test(test_fail_summary_leafspine),
		cmocka_unit_test(test_fail_summary_fattree),
		cmocka_unit_test(test_fail_topology_file),
		cmocka_unit_test(test_fail_cli_reqs),
		cmocka_unit_test(test_fail_check_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
