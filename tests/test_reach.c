/*
 * Reachability over live links (sim/topo/reach.h) on small generated
 * fabrics with links failed by hand, every expected bit worked out from the
 * wiring in the comments; TABLE mode's distances over live links on a tiny
 * explicit graph; and routing around a failed uplink in a running fabric
 * (route.c with the table).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fabric/sim.h"
#include "sim/topo/gen.h"
#include "sim/topo/reach.h"
#include "sim/topo/topo.h"

#define G 1000000000ULL
/* Payload per wire byte of a full 4 KiB RoCEv2 frame (82 bytes of framing, preamble, IFG; test_fluid.c). */
#define EFF (4096.0 / 4178.0)

/* The port of node A whose peer sits on node B (the first, if parallel). */
static uint32_t port_to(const struct sim_topo *t, uint32_t a, uint32_t b)
{
	const struct sim_node *n = &t->nodes[a];

	for (uint32_t i = 0; i < n->nports; i++)
		if (t->ports[t->ports[n->first_port + i].peer].node == b)
			return n->first_port + i;
	fail_msg("no link %u-%u", a, b);
	return SIM_NONE;
}

/* Fails the link(s) between A and B, both ends, as sim_fail_apply does. */
static void fail_link(struct sim_topo *t, uint32_t a, uint32_t b)
{
	const struct sim_node *n = &t->nodes[a];

	for (uint32_t i = 0; i < n->nports; i++) {
		struct sim_port *p = &t->ports[n->first_port + i];

		if (t->ports[p->peer].node == b) {
			p->down = 1;
			t->ports[p->peer].down = 1;
		}
	}
}

/*
 * Leaf-spine, 4 leaves x 2 hosts, 3 spines, PLANES planes. Plane 0 ids:
 * hosts 0..7 (h on leaf h / 2), leaves 8..11, spines 12..14; plane 1's
 * switches follow at 15..21 (leaves 15..18, spines 19..21).
 */
static struct sim_topo *leafspine(uint32_t planes)
{
	struct sim_leafspine_params p = {
		.c = { .host_rate_bps = 100 * G, .planes = planes },
		.leaves = 4, .hosts_per_leaf = 2, .spines = 3,
	};
	struct sim_topo *t;
	char err[256];

	assert_int_equal(sim_topo_leafspine(&p, &t, err, sizeof(err)), 0);
	return t;
}

static void test_reach_leafspine(void **state)
{
	struct sim_topo *t = leafspine(1);
	struct sim_reach r;
	uint32_t iso[8];

	(void)state;
	/* leaf0 (8) loses spine0 (12) */
	fail_link(t, 8, 12);
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_int_equal(r.nleaves, 4);
	assert_int_equal(r.words, 1);
	assert_int_equal(r.port_down[port_to(t, 8, 12)], 1);
	assert_int_equal(r.port_down[port_to(t, 12, 8)], 1);
	assert_int_equal(r.port_down[port_to(t, 8, 13)], 0);
	/* spine0 reaches leaves 1..3 down, not leaf0; spines 1, 2 all four */
	assert_false(sim_reach_down(t, &r, 12, 8));
	assert_false(sim_reach_any(t, &r, 12, 8));
	for (uint32_t l = 9; l < 12; l++)
		assert_true(sim_reach_down(t, &r, 12, l));
	for (uint32_t s = 13; s < 15; s++)
		for (uint32_t l = 8; l < 12; l++)
			assert_true(sim_reach_down(t, &r, s, l));
	/* a leaf reaches itself down, no other leaf down, every leaf through spines 1, 2 */
	for (uint32_t a = 8; a < 12; a++) {
		for (uint32_t b = 8; b < 12; b++) {
			assert_int_equal(sim_reach_down(t, &r, a, b), a == b);
			assert_true(sim_reach_any(t, &r, a, b));
		}
	}
	assert_true(sim_reach_hosts(t, &r, 0, 7, 0));
	assert_int_equal(sim_reach_isolated(t, &r, iso, 8), 0);
	/* up_ok: leaf0 has a dead uplink; the others' uplinks all serve any leaf but leaf0; spines have none */
	for (uint32_t b = 8; b < 12; b++)
		assert_false(sim_reach_up_ok(t, &r, 8, b));
	for (uint32_t a = 9; a < 12; a++) {
		assert_false(sim_reach_up_ok(t, &r, a, 8));
		for (uint32_t b = 9; b < 12; b++)
			assert_true(sim_reach_up_ok(t, &r, a, b));
	}
	assert_false(sim_reach_up_ok(t, &r, 13, 9));
	sim_reach_free(&r);

	/* leaf0 loses spines 1 and 2 too: only h0 <-> h1 remain for its hosts */
	fail_link(t, 8, 13);
	fail_link(t, 8, 14);
	assert_int_equal(sim_reach_build(t, &r), 0);
	for (uint32_t b = 9; b < 12; b++) {
		assert_false(sim_reach_any(t, &r, 8, b));
		assert_false(sim_reach_any(t, &r, b, 8));
	}
	assert_true(sim_reach_any(t, &r, 8, 8));
	assert_true(sim_reach_any(t, &r, 9, 11));
	assert_true(sim_reach_hosts(t, &r, 0, 1, 0));
	assert_false(sim_reach_hosts(t, &r, 0, 2, 0));
	assert_true(sim_reach_hosts(t, &r, 2, 7, 0));
	assert_int_equal(sim_reach_isolated(t, &r, iso, 8), 0);
	sim_reach_free(&r);

	/* and h1's NIC link: h0 and h1 reach nobody; h3's link too */
	fail_link(t, 1, 8);
	fail_link(t, 3, 9);
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_false(sim_reach_hosts(t, &r, 0, 1, 0));
	assert_false(sim_reach_hosts(t, &r, 3, 3, 0));
	assert_int_equal(sim_reach_isolated(t, &r, iso, 8), 3);
	assert_int_equal(iso[0], 0);
	assert_int_equal(iso[1], 1);
	assert_int_equal(iso[2], 3);
	/* MAX bounds what is written, not the count */
	assert_int_equal(sim_reach_isolated(t, &r, iso, 1), 3);
	sim_reach_free(&r);
	sim_topo_free(t);
}

/* Two planes fail independently; rows never mix planes. */
static void test_reach_planes(void **state)
{
	struct sim_topo *t = leafspine(2);
	struct sim_reach r;
	uint32_t iso[8];

	(void)state;
	assert_int_equal(t->nswitches, 14);
	/* plane 1: leaf0 (15) loses its three spines (19..21) */
	fail_link(t, 15, 19);
	fail_link(t, 15, 20);
	fail_link(t, 15, 21);
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_int_equal(r.nleaves, 8);
	assert_true(sim_reach_any(t, &r, 8, 9));	/* plane 0 intact */
	assert_false(sim_reach_any(t, &r, 15, 16));
	assert_true(sim_reach_any(t, &r, 16, 17));
	assert_true(sim_reach_down(t, &r, 19, 16));
	assert_false(sim_reach_down(t, &r, 19, 15));
	/* no bit across planes */
	assert_false(sim_reach_down(t, &r, 12, 15));
	assert_false(sim_reach_any(t, &r, 8, 16));
	assert_false(sim_reach_any(t, &r, 15, 9));
	assert_true(sim_reach_hosts(t, &r, 0, 4, 0));
	assert_false(sim_reach_hosts(t, &r, 0, 4, 1));
	assert_true(sim_reach_hosts(t, &r, 2, 4, 1));
	assert_int_equal(sim_reach_isolated(t, &r, iso, 8), 0);
	sim_reach_free(&r);
	sim_topo_free(t);
}

/*
 * Fat-tree: 2 pods x 2 leaves x 1 host, 2 aggs per pod, 1 core per group.
 * Hosts 0..3 (pod 0: 0, 1), leaves 4..7 (pod = (id - 4) / 2), aggs
 * agg0.0 = 8, agg0.1 = 9, agg1.0 = 10, agg1.1 = 11, core0 = 12 (group 0:
 * agg0.0, agg1.0), core1 = 13 (agg0.1, agg1.1).
 */
static void test_reach_fattree(void **state)
{
	struct sim_fattree_params p = {
		.c = { .host_rate_bps = 100 * G },
		.pods = 2, .leaves_per_pod = 2, .hosts_per_leaf = 1,
		.aggs_per_pod = 2, .cores_per_group = 1,
	};
	struct sim_topo *t;
	struct sim_reach r;
	uint32_t iso[4];
	char err[256];

	(void)state;
	assert_int_equal(sim_topo_fattree(&p, &t, err, sizeof(err)), 0);
	assert_int_equal(t->nnodes, 14);
	/* agg1.0 loses leaf2 (6) */
	fail_link(t, 10, 6);
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_false(sim_reach_down(t, &r, 10, 6));
	assert_true(sim_reach_down(t, &r, 10, 7));
	/* core0's only door to pod 1 is agg1.0 */
	assert_false(sim_reach_down(t, &r, 12, 6));
	assert_true(sim_reach_down(t, &r, 12, 7));
	assert_true(sim_reach_down(t, &r, 13, 6));
	/* agg0.0 climbs only to core0: no way to leaf2; agg0.1 has one */
	assert_false(sim_reach_any(t, &r, 8, 6));
	assert_true(sim_reach_any(t, &r, 9, 6));
	/* agg1.0 -> leaf3 -> agg1.1 -> leaf2 would be a valley */
	assert_false(sim_reach_any(t, &r, 10, 6));
	assert_true(sim_reach_any(t, &r, 4, 6));
	assert_true(sim_reach_any(t, &r, 7, 6));
	assert_true(sim_reach_any(t, &r, 6, 4));
	/* aggs reach their pod's leaves down, never another pod's */
	assert_true(sim_reach_down(t, &r, 8, 4));
	assert_false(sim_reach_down(t, &r, 8, 6));
	/* up_ok: leaf0's way up through agg0.0 dead-ends for leaf2 only; agg0.1's core1 serves all */
	assert_false(sim_reach_up_ok(t, &r, 4, 6));
	assert_true(sim_reach_up_ok(t, &r, 4, 7));
	assert_true(sim_reach_up_ok(t, &r, 9, 6));
	assert_false(sim_reach_up_ok(t, &r, 8, 6));
	assert_false(sim_reach_up_ok(t, &r, 12, 4));
	sim_reach_free(&r);

	/* agg0.1 loses core1 as well: pod 0 is cut from leaf2, not from leaf3 */
	fail_link(t, 9, 13);
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_false(sim_reach_any(t, &r, 4, 6));
	assert_false(sim_reach_any(t, &r, 5, 6));
	assert_true(sim_reach_any(t, &r, 4, 7));
	assert_true(sim_reach_any(t, &r, 4, 5));
	assert_false(sim_reach_hosts(t, &r, 0, 2, 0));
	assert_true(sim_reach_hosts(t, &r, 0, 3, 0));
	assert_true(sim_reach_hosts(t, &r, 2, 3, 0));
	assert_int_equal(sim_reach_isolated(t, &r, iso, 4), 0);
	sim_reach_free(&r);
	sim_topo_free(t);
}

/*
 * TABLE mode: a -- s1, b -- s2; s1 -- x -- s2 (2 hops), s1 -- y -- z -- s2
 * (3 hops). Nodes a, b, s1, s2, x, y, z are 0..6.
 */
static struct sim_topo *table_graph(void)
{
	const struct sim_explicit_node nodes[] = {
		{ "a", SIM_NODE_HOST, 0, 0, 0 }, { "b", SIM_NODE_HOST, 0, 0, 0 },
		{ "s1", SIM_NODE_SWITCH, 0, 0, 0 }, { "s2", SIM_NODE_SWITCH, 0, 0, 0 },
		{ "x", SIM_NODE_SWITCH, 0, 0, 0 }, { "y", SIM_NODE_SWITCH, 0, 0, 0 },
		{ "z", SIM_NODE_SWITCH, 0, 0, 0 },
	};
	const struct sim_explicit_link links[] = {
		{ 0, 2, 100 * G, 0 }, { 1, 3, 100 * G, 0 }, { 2, 4, 100 * G, 0 },
		{ 4, 3, 100 * G, 0 }, { 2, 5, 100 * G, 0 }, { 5, 6, 100 * G, 0 },
		{ 6, 3, 100 * G, 0 },
	};
	struct sim_explicit_params p = { nodes, 7, links, 7 };
	struct sim_topo *t;
	char err[256];

	assert_int_equal(sim_topo_explicit(&p, &t, NULL, err, sizeof(err)), 0);
	return t;
}

/* From s2's edge: s1 is 2 hops, 3 without x, unreachable without y--z as well. */
static void test_reach_table(void **state)
{
	struct sim_topo *t;
	struct sim_reach r;
	uint32_t iso[2], e2;

	(void)state;
	t = table_graph();
	e2 = t->edge_of_switch[t->nodes[3].index];
	assert_int_equal(t->dist[e2 * t->nswitches + t->nodes[2].index], 2);
	fail_link(t, 2, 4);
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_null(r.down);
	assert_int_equal(t->dist[e2 * t->nswitches + t->nodes[2].index], 3);
	assert_int_equal(t->dist[e2 * t->nswitches + t->nodes[4].index], 1);
	assert_true(sim_reach_any(t, &r, 2, 3));
	assert_true(sim_reach_hosts(t, &r, 0, 1, 0));
	sim_reach_free(&r);
	fail_link(t, 5, 6);
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_int_equal(t->dist[e2 * t->nswitches + t->nodes[2].index], 255);
	assert_false(sim_reach_any(t, &r, 2, 3));
	assert_false(sim_reach_hosts(t, &r, 0, 1, 0));
	assert_int_equal(sim_reach_isolated(t, &r, iso, 2), 2);
	sim_reach_free(&r);
	/* restored: the distances finalize gave */
	t->ports[port_to(t, 2, 4)].down = t->ports[port_to(t, 4, 2)].down = 0;
	t->ports[port_to(t, 5, 6)].down = t->ports[port_to(t, 6, 5)].down = 0;
	assert_int_equal(sim_reach_build(t, &r), 0);
	assert_int_equal(t->dist[e2 * t->nswitches + t->nodes[2].index], 2);
	assert_int_equal(sim_reach_isolated(t, &r, iso, 2), 0);
	sim_reach_free(&r);
	sim_topo_free(t);
}

/* ---- routing around failures in a running fabric ------------------------ */

/* Runs S to the end: every flow done, nothing dropped, nothing left unrouted. */
static void run_all(struct sim *s)
{
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	assert_int_equal(s->c.drops, 0);
	assert_int_equal(s->c.noroute_drops, 0);
}

/*
 * The test. Leaf-spine, 2 leaves x 4 hosts x 100G, K = 4 spines
 * (one 100G uplink per leaf and spine): hosts 0..3 on leaf0 (8), 4..7 on
 * leaf1 (9), spines 10..13. leaf0 loses spine0 before the run; hosts 0..3
 * each send 4 MiB to host i + 4 with adaptive routing. Everything they
 * send crosses leaf0's K - 1 = 3 live uplinks, 300 Gb/s of wire for 400
 * of NIC line: the fluid bound is (K - 1) / K = 3/4 of line in wire
 * bytes, 3/4 x 4096 / 4178 = 73.5 % in payload. A perfect balancer fills
 * the three links from the first packet to the last, so the payload
 * figure over the makespan (which adds the few microseconds of the first
 * packet's path to some 450 us) must come within 10 % of it. The dead
 * link carries nothing either way: routing never picks it.
 */
static void test_reach_route_ar(void **state)
{
	struct sim_leafspine_params lp = {
		.c = { .host_rate_bps = 100 * G },
		.leaves = 2, .hosts_per_leaf = 4, .spines = 4,
	};
	const uint64_t bytes = 4ULL << 20, line_bps = 100 * G;
	const double bound = 3.0 / 4.0 * EFF;
	struct sim_config cfg;
	struct sim_topo *t;
	struct sim *s;
	uint64_t end_ps = 0;
	double frac;
	char err[256];

	(void)state;
	assert_int_equal(sim_topo_leafspine(&lp, &t, err, sizeof(err)), 0);
	fail_link(t, 8, 10);
	sim_config_defaults(&cfg);
	cfg.lb = SIM_LB_AR;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_non_null(s->reach);
	for (uint32_t h = 0; h < 4; h++)
		assert_true(sim_add_flow(s, h, h + 4, bytes, 0) >= 0);
	run_all(s);
	/* (a) the failed link, both directions */
	assert_int_equal(s->pq[port_to(t, 8, 10)].tx_bytes, 0);
	assert_int_equal(s->pq[port_to(t, 10, 8)].tx_bytes, 0);
	/* the three others carried it all, a third each within a frame or so per packet spread */
	for (uint32_t sp = 11; sp < 14; sp++)
		assert_true(s->pq[port_to(t, 8, sp)].tx_bytes > 4 * bytes / 3 * 9 / 10);
	/* (b) payload out of leaf0's hosts over the makespan, per unit of their line rate */
	for (uint32_t f = 0; f < 4; f++)
		if (s->flows[f].finish_ps > end_ps)
			end_ps = s->flows[f].finish_ps;
	frac = (double)(4 * bytes) * 8 / (4.0 * (double)line_bps * (double)end_ps * 1e-12);
	print_message("AR, 1 of 4 uplinks down: %.4f of line (bound %.4f, %.1f %%)\n", frac, bound,
		      100 * frac / bound);
	assert_true(frac <= bound);
	assert_true(frac >= 0.9 * bound);
	sim_destroy(s);

	/* the same fabric intact: no table, and the hosts run at line (less the framing) */
	t->ports[port_to(t, 8, 10)].down = t->ports[port_to(t, 10, 8)].down = 0;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_null(s->reach);
	for (uint32_t h = 0; h < 4; h++)
		assert_true(sim_add_flow(s, h, h + 4, bytes, 0) >= 0);
	run_all(s);
	assert_true(s->pq[port_to(t, 8, 10)].tx_bytes > 0);
	end_ps = 0;
	for (uint32_t f = 0; f < 4; f++)
		if (s->flows[f].finish_ps > end_ps)
			end_ps = s->flows[f].finish_ps;
	frac = (double)(4 * bytes) * 8 / (4.0 * (double)line_bps * (double)end_ps * 1e-12);
	assert_true(frac > bound / 0.75 * 0.9 && frac <= EFF);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * ECMP on the fat-tree of test_reach_fattree, 2 hosts per leaf (hosts
 * 0..7, host h on leaf 8 + h / 2; aggs 12..15, cores 16, 17), agg1.0 (14)
 * cut from leaf2 (10): every host sends to both hosts of leaf2 (4, 5) and
 * they to every other host. The hash would put some of it through agg1.0
 * or core0 (which reaches leaf2 only through agg1.0); the table keeps it
 * off both toward leaf2, and nothing crosses the dead link.
 */
static void test_reach_route_fattree(void **state)
{
	struct sim_fattree_params p = {
		.c = { .host_rate_bps = 100 * G },
		.pods = 2, .leaves_per_pod = 2, .hosts_per_leaf = 2,
		.aggs_per_pod = 2, .cores_per_group = 1,
	};
	struct sim_config cfg;
	struct sim_topo *t;
	struct sim *s;
	char err[256];

	(void)state;
	assert_int_equal(sim_topo_fattree(&p, &t, err, sizeof(err)), 0);
	assert_int_equal(t->nnodes, 18);
	fail_link(t, 14, 10);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	for (uint32_t h = 0; h < 8; h++) {
		for (uint32_t d = 4; d < 6; d++) {
			if (h == d)
				continue;
			assert_true(sim_add_flow(s, h, d, 256 << 10, 0) >= 0);
			assert_true(sim_add_flow(s, d, h, 256 << 10, 0) >= 0);
		}
	}
	run_all(s);
	assert_int_equal(s->pq[port_to(t, 14, 10)].tx_bytes, 0);
	assert_int_equal(s->pq[port_to(t, 10, 14)].tx_bytes, 0);
	/*
	 * Data into pod 1 from pod 0 goes to leaf2 only (flows to 4, 5; the
	 * ACKs of 4, 5's flows): core0 would have to hand it to agg1.0, so
	 * core0 -> agg1.0 carries no data; core1 -> agg1.1 carries it all.
	 */
	assert_int_equal(s->pq[port_to(t, 16, 14)].tx_payload_bytes, 0);
	assert_true(s->pq[port_to(t, 17, 15)].tx_payload_bytes >= 4 * 2 * (256 << 10));
	sim_destroy(s);
	sim_topo_free(t);
}

/* TABLE mode: the graph of test_reach_table with s1 -- x cut; a <-> b goes the long way. */
static void test_reach_route_table(void **state)
{
	struct sim_config cfg;
	struct sim_topo *t;
	struct sim *s;

	(void)state;
	t = table_graph();
	fail_link(t, 2, 4);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 1, 1 << 20, 0) >= 0);
	assert_true(sim_add_flow(s, 1, 0, 1 << 20, 0) >= 0);
	run_all(s);
	assert_int_equal(s->pq[port_to(t, 2, 4)].tx_bytes, 0);
	assert_int_equal(s->pq[port_to(t, 4, 2)].tx_bytes, 0);
	/* s2 -> x was as short as s2 -> z toward a before: now x leads nowhere */
	assert_int_equal(s->pq[port_to(t, 3, 4)].tx_bytes, 0);
	assert_true(s->pq[port_to(t, 5, 6)].tx_bytes > 1 << 20);
	/* the link back: the table is rebuilt, and routing is as if it never failed */
	t->ports[port_to(t, 2, 4)].down = t->ports[port_to(t, 4, 2)].down = 0;
	assert_int_equal(sim_reach_refresh(s), 0);
	assert_null(s->reach);
	assert_int_equal(sim_route_first(s, 2, 1, 0), port_to(t, 2, 4));
	sim_destroy(s);
	sim_topo_free(t);
}

/* A packet with no live way on is dropped and counted, not sent into the dead link. */
static void test_reach_noroute(void **state)
{
	struct sim_topo *t = leafspine(1);
	uint32_t out[4];
	struct sim_config cfg;
	struct sim *s;

	(void)state;
	/* leaf0 (8) loses every spine: nothing from h0 reaches h2 */
	fail_link(t, 8, 12);
	fail_link(t, 8, 13);
	fail_link(t, 8, 14);
	sim_config_defaults(&cfg);
	cfg.stop_ps = 100000000;	/* 100 us: the flow never finishes */
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_route_candidates(s, 8, 2, 0, out, 4), 0);
	assert_int_equal(sim_route_first(s, 8, 2, 0), SIM_NONE);
	/* spine1 toward h0 has no way down either; toward h2 its one link to leaf1 */
	assert_int_equal(sim_route_candidates(s, 13, 0, 0, out, 4), 0);
	assert_int_equal(sim_route_candidates(s, 13, 2, 0, out, 4), 1);
	assert_int_equal(out[0], port_to(t, 13, 9));
	/* leaf1 toward h0: no spine reaches leaf0 any more */
	assert_int_equal(sim_route_candidates(s, 9, 0, 0, out, 4), 0);
	/* h0 -> h1 stays on leaf0 */
	assert_int_equal(sim_route_first(s, 8, 1, 0), port_to(t, 8, 1));
	assert_true(sim_add_flow(s, 0, 2, 64 << 10, 0) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 0);
	assert_true(s->c.noroute_drops > 0);
	assert_true(s->c.drops >= s->c.noroute_drops);
	for (uint32_t sp = 12; sp < 15; sp++)
		assert_int_equal(s->pq[port_to(t, 8, sp)].tx_bytes, 0);
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reach_leafspine),
		cmocka_unit_test(test_reach_planes),
		cmocka_unit_test(test_reach_fattree),
		cmocka_unit_test(test_reach_table),
		cmocka_unit_test(test_reach_route_ar),
		cmocka_unit_test(test_reach_route_fattree),
		cmocka_unit_test(test_reach_route_table),
		cmocka_unit_test(test_reach_noroute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
