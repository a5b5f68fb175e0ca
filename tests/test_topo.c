/*
 * Unit tests of the topology module: generator counts and the port order
 * contract the router relies on, explicit graphs and their distance tables,
 * summary numbers, the presets in topologies/ and file:line errors on
 * malformed input. Expected values are worked out by hand in the comments.
 * Run from the repository root (presets are opened as topologies/x.topo).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/topo.h"

#define G 1000000000ULL

static uint64_t down_key(const struct sim_topo *t, uint32_t self, uint32_t peer)
{
	if (t->nodes[self].tier == 3)
		return (uint64_t)t->nodes[peer].pod << 32 | peer;
	return peer;
}

static void check_node_ports(const struct sim_topo *t, uint32_t n)
{
	const struct sim_node *v = &t->nodes[n];
	uint64_t prev = 0;
	uint32_t p, prev_up = 0;

	for (p = 0; p < v->nports; p++) {
		uint32_t i = v->first_port + p;
		const struct sim_port *port = &t->ports[i];
		const struct sim_port *peer = &t->ports[port->peer];
		const struct sim_node *pv = &t->nodes[peer->node];

		assert_int_equal(port->node, n);
		assert_true(port->peer < t->nports);
		assert_int_equal(peer->peer, i);
		assert_int_equal(peer->rate_bps, port->rate_bps);
		assert_int_equal(peer->delay_ps, port->delay_ps);
		assert_int_equal(port->up, pv->tier > v->tier);
		if (v->kind == SIM_NODE_HOST) {
			assert_int_equal(pv->kind, SIM_NODE_SWITCH);
			continue;
		}
		if (p < v->ndown) {
			/* down ports: lower tier, ascending down key */
			assert_true(pv->tier < v->tier);
			assert_true(p == 0 || down_key(t, n, peer->node) >= prev);
			prev = down_key(t, n, peer->node);
		} else {
			/* the rest: not lower, ascending peer id */
			assert_true(pv->tier >= v->tier);
			assert_true(p == v->ndown || peer->node >= prev_up);
			prev_up = peer->node;
		}
	}
}

/* Invariants every finalized topology must satisfy. */
static void check_invariants(const struct sim_topo *t)
{
	uint32_t n, next_port = 0;

	assert_null(t->build);
	assert_int_equal(t->nnodes, t->nhosts + t->nswitches);
	for (n = 0; n < t->nnodes; n++) {
		const struct sim_node *v = &t->nodes[n];

		assert_int_equal(v->first_port, next_port);
		next_port += v->nports;
		if (n < t->nhosts) {
			assert_int_equal(v->kind, SIM_NODE_HOST);
			assert_int_equal(v->index, n);
			assert_int_equal(t->hosts[n], n);
			assert_int_equal(v->nports, t->nplanes);
			assert_int_equal(v->tier, 0);
		} else {
			assert_int_equal(v->kind, SIM_NODE_SWITCH);
			assert_int_equal(v->index, n - t->nhosts);
			assert_int_equal(t->switches[v->index], n);
			assert_true(v->tier >= 1 && v->tier <= t->ntiers);
		}
		check_node_ports(t, n);
	}
	assert_int_equal(next_port, t->nports);
}

static struct sim_topo *load_ok(const char *path)
{
	struct sim_topo *t = sim_topo_load(path);

	assert_non_null(t);
	check_invariants(t);
	return t;
}

static struct sim_topo *string_ok(const char *text)
{
	struct sim_topo *t = sim_topo_load_string(text, "test.topo");

	assert_non_null(t);
	check_invariants(t);
	return t;
}

static void name_is(const struct sim_topo *t, uint32_t node, const char *want)
{
	char buf[64];

	sim_topo_node_name(t, node, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void summary_of(const struct sim_topo *t, struct sim_topo_summary *s)
{
	assert_int_equal(sim_topo_summarize(t, s), 0);
}

/* 8 leaves x 16 hosts, 16 spines: 128 + 24 nodes, 2 x (128 + 8 x 16) ports. */
static void test_small_leafspine(void **state)
{
	struct sim_topo *t = load_ok("topologies/small-800g.topo");
	struct sim_topo_summary s;
	uint32_t h;

	assert_string_equal(t->name, "small-800g");
	assert_string_equal(t->kind, "leafspine");
	assert_int_equal(t->route, SIM_ROUTE_CLOS);
	assert_int_equal(t->nhosts, 128);
	assert_int_equal(t->nswitches, 24);
	assert_int_equal(t->nports, 512);
	assert_int_equal(t->ntiers, 2);
	assert_int_equal(t->nplanes, 1);
	assert_int_equal(t->mtu_bytes, 4096);
	assert_int_equal(t->sw.latency_ps, 600000);
	assert_int_equal(t->sw.buffer_bytes, 160000000);
	for (h = 0; h < 128; h++)
		assert_int_equal(sim_topo_host_leaf(t, h, 0), 128 + h / 16);
	/* leaf0: 16 down to hosts 0..15, then 16 up to spines 136..151 */
	assert_int_equal(t->nodes[128].nports, 32);
	assert_int_equal(t->nodes[128].ndown, 16);
	assert_int_equal(t->ports[t->ports[t->nodes[128].first_port + 3].peer].node, 3);
	assert_int_equal(t->ports[t->ports[t->nodes[128].first_port + 16].peer].node, 136);
	assert_int_equal(t->ports[t->nodes[128].first_port + 16].up, 1);
	assert_int_equal(t->nodes[151].nports, 8);
	assert_int_equal(t->nodes[151].ndown, 8);
	/* 3 m host cables, 20 m fabric cables at 5 ns/m */
	assert_int_equal(t->ports[0].delay_ps, 15000);
	assert_int_equal(t->ports[t->nodes[128].first_port + 16].delay_ps, 100000);
	name_is(t, 5, "h5");
	name_is(t, 131, "leaf3");
	name_is(t, 141, "spine5");
	summary_of(t, &s);
	assert_int_equal(s.links_per_tier[0], 128);
	assert_int_equal(s.links_per_tier[1], 128);
	assert_int_equal(s.host_rate_bps, 800 * G);
	assert_true(s.bisection_bps == 51.2e12);
	assert_true(s.oversubscription == 1.0);
	assert_int_equal(s.diameter_hops, 4);
	sim_topo_free(t);
}

/* 8 x 32 hosts at 800G, 2:1 -> 16 uplinks = 8 spines x 2 links. */
static void test_oversub(void **state)
{
	struct sim_topo *t = load_ok("topologies/leafspine-oversub.topo");
	struct sim_topo_summary s;

	assert_int_equal(t->nhosts, 256);
	assert_int_equal(t->nswitches, 16);
	assert_int_equal(t->nports, 2 * (256 + 8 * 16));
	assert_int_equal(t->nodes[256].nports, 48);
	assert_int_equal(t->nodes[256].ndown, 32);
	/* parallel links to the same spine sit next to each other */
	assert_int_equal(t->ports[t->ports[t->nodes[256].first_port + 32].peer].node, 264);
	assert_int_equal(t->ports[t->ports[t->nodes[256].first_port + 33].peer].node, 264);
	assert_int_equal(t->ports[0].delay_ps, 50000);
	summary_of(t, &s);
	assert_true(s.oversubscription == 2.0);
	/* 8 leaves x 12.8 Tb/s up / 2 < 256 x 800G / 2 */
	assert_true(s.bisection_bps == 51.2e12);
	assert_int_equal(s.diameter_hops, 4);
	sim_topo_free(t);
}

static void test_sn5600_2tier(void **state)
{
	struct sim_topo *t = load_ok("topologies/sn5600-2tier.topo");
	struct sim_topo_summary s;

	assert_int_equal(t->nhosts, 2048);
	assert_int_equal(t->nswitches, 96);
	assert_int_equal(t->nports, 2 * (2048 + 64 * 32));
	summary_of(t, &s);
	assert_int_equal(s.switches_per_tier[0], 64);
	assert_int_equal(s.switches_per_tier[1], 32);
	assert_int_equal(s.max_switch_ports, 64);
	assert_int_equal(s.max_switch_bps, 64 * 800 * G);
	assert_true(s.bisection_bps == 819.2e12);
	assert_true(s.oversubscription == 1.0);
	sim_topo_free(t);
}

/* 128 servers x 8 GPUs; rail r has leaves r*2 (servers 0..63), r*2+1. */
static void test_railopt(void **state)
{
	struct sim_topo *t = load_ok("topologies/railopt-8gpu.topo");
	struct sim_topo_summary s;
	uint32_t srv, gpu;

	assert_string_equal(t->kind, "railopt");
	assert_int_equal(t->nhosts, 1024);
	assert_int_equal(t->nswitches, 24);
	assert_int_equal(t->gpus_per_server, 8);
	assert_int_equal(t->nports, 2 * (1024 + 16 * 32));
	for (srv = 0; srv < 128; srv++) {
		for (gpu = 0; gpu < 8; gpu++) {
			uint32_t h = srv * 8 + gpu, leaf = sim_topo_host_leaf(t, h, 0);

			assert_int_equal(leaf, 1024 + gpu * 2 + srv / 64);
			assert_int_equal(t->nodes[h].group, gpu);
			assert_int_equal(t->nodes[leaf].group, gpu);
		}
	}
	/* rail 3 leaf 1: 64 GPUs 3, 11, ... of servers 64..127, then 32 up */
	assert_int_equal(t->nodes[1031].nports, 96);
	assert_int_equal(t->nodes[1031].ndown, 64);
	assert_int_equal(t->ports[t->ports[t->nodes[1031].first_port].peer].node, 64 * 8 + 3);
	assert_int_equal(t->nodes[1040].nports, 64);
	name_is(t, 1031, "rail3-leaf1");
	name_is(t, 1045, "spine5");
	summary_of(t, &s);
	assert_int_equal(s.host_rate_bps, 400 * G);
	assert_true(s.bisection_bps == 204.8e12);
	assert_int_equal(s.max_switch_bps, 64 * 800 * G);
	sim_topo_free(t);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 100,000 GPUs: 1,563 leaves, 49 pods x 32 aggs, 32 x 32 cores. */
static void test_colossus(void **state)
{
	const uint32_t H = 100000, L = 1563, A = 49 * 32;
	double t0 = now_s();
	struct sim_topo *t = load_ok("topologies/colossus-100k.topo");
	struct sim_topo_summary s;
	uint32_t agg, core;

	assert_true(now_s() - t0 < 5.0);
	assert_int_equal(t->nhosts, H);
	assert_int_equal(t->nswitches, L + A + 1024);
	assert_int_equal(t->nports, 2 * (H + L * 32 + A * 32));
	assert_int_equal(t->ntiers, 3);
	/* the last leaf holds hosts 99968..99999, in pod 48 */
	assert_int_equal(sim_topo_host_leaf(t, H - 1, 0), H + L - 1);
	assert_int_equal(sim_topo_host_leaf(t, 99968, 0), H + L - 1);
	assert_int_equal(sim_topo_host_leaf(t, 99967, 0), H + L - 2);
	assert_int_equal(t->nodes[H - 1].pod, 48);
	assert_int_equal(t->nodes[H + L - 1].pod, 48);
	assert_int_equal(t->nodes[H + L - 1].nports, 32 + 32);
	/* agg 2.7: down to the 32 leaves of pod 2, up to cores of group 7 */
	agg = H + L + 2 * 32 + 7;
	assert_int_equal(t->nodes[agg].tier, 2);
	assert_int_equal(t->nodes[agg].pod, 2);
	assert_int_equal(t->nodes[agg].ndown, 32);
	assert_int_equal(t->ports[t->ports[t->nodes[agg].first_port].peer].node, H + 64);
	core = H + L + A + 7 * 32;
	assert_int_equal(t->ports[t->ports[t->nodes[agg].first_port + 32].peer].node, core);
	/* core: one link from agg j=7 of each of the 49 pods, by pod */
	assert_int_equal(t->nodes[core].nports, 49);
	assert_int_equal(t->nodes[core].ndown, 49);
	assert_int_equal(t->ports[t->ports[t->nodes[core].first_port + 48].peer].node,
			 H + L + 48 * 32 + 7);
	name_is(t, agg, "agg2.7");
	name_is(t, H + L + A + 12, "core12");
	name_is(t, H + 1562, "leaf1562");
	summary_of(t, &s);
	assert_int_equal(s.links_per_tier[0], H);
	assert_int_equal(s.links_per_tier[1], L * 32);
	assert_int_equal(s.links_per_tier[2], A * 32);
	assert_true(s.bisection_bps == 100000 * 400e9 / 2);
	assert_true(s.oversubscription == 1.0);
	assert_int_equal(s.diameter_hops, 6);
	assert_int_equal(s.max_switch_bps, 64 * 800 * G);
	sim_topo_free(t);
}

/* 2 pods x 2 leaves x 2 hosts, 2 aggs per pod, 2 cores per group; 5 hosts. */
static void test_fattree_small(void **state)
{
	struct sim_topo *t = string_ok(
		"fabric = { kind = \"fattree\"; host_rate = \"400G\"; fabric_rate = \"400G\";\n"
		" hosts = 5; leaves_per_pod = 2; hosts_per_leaf = 2; aggs_per_pod = 2;\n"
		" cores_per_group = 2; links_per_core = 2; };\n");
	struct sim_topo_summary s;

	/* 3 leaves (the last holds host 4), pods 2 (the last with 1 leaf) */
	assert_int_equal(t->nhosts, 5);
	assert_int_equal(t->nswitches, 3 + 4 + 4);
	assert_int_equal(t->nports, 2 * (5 + 3 * 2 + 4 * 2 * 2));
	assert_int_equal(t->nodes[4].pod, 1);
	assert_int_equal(sim_topo_host_leaf(t, 4, 0), 5 + 2);
	assert_int_equal(t->nodes[5 + 2].pod, 1);
	assert_int_equal(t->nodes[5 + 3 + 3].pod, 1);	/* agg 1.1 */
	/* core 0.. of group 0: 2 links from agg 0.0, then 2 from agg 1.0 */
	assert_int_equal(t->nodes[12].nports, 4);
	assert_int_equal(t->ports[t->ports[t->nodes[12].first_port + 1].peer].node, 8);
	assert_int_equal(t->ports[t->ports[t->nodes[12].first_port + 2].peer].node, 10);
	name_is(t, 10, "agg1.0");
	name_is(t, 13, "core1");
	summary_of(t, &s);
	assert_int_equal(s.diameter_hops, 6);
	sim_topo_free(t);
}

/* Two planes: every host has one port into each copy of the fabric. */
static void test_planes(void **state)
{
	struct sim_topo *t = string_ok(
		"fabric = { kind = \"leafspine\"; host_rate = \"400G\"; planes = 2;\n"
		" leaves = 2; hosts_per_leaf = 2; spines = 1; };\n");
	uint32_t h;

	assert_int_equal(t->nplanes, 2);
	assert_int_equal(t->nswitches, 6);
	for (h = 0; h < 4; h++) {
		assert_int_equal(sim_topo_host_leaf(t, h, 0), 4 + h / 2);
		assert_int_equal(sim_topo_host_leaf(t, h, 1), 7 + h / 2);
	}
	name_is(t, 8, "p1-leaf1");
	name_is(t, 6, "p0-spine0");
	sim_topo_free(t);
}

/* One leaf, no spines: a single-tier fabric. */
static void test_single_leaf(void **state)
{
	struct sim_topo *t = string_ok(
		"fabric = { kind = \"leafspine\"; host_rate = 100000000000L;\n"
		" leaves = 1; hosts_per_leaf = 4; spines = 0; delay_ns = 12.5; };\n");
	struct sim_topo_summary s;

	assert_int_equal(t->ntiers, 1);
	assert_int_equal(t->ports[0].rate_bps, 100 * G);
	assert_int_equal(t->ports[0].delay_ps, 12500);
	summary_of(t, &s);
	assert_int_equal(s.diameter_hops, 2);
	assert_true(s.bisection_bps == 200e9);
	sim_topo_free(t);
}

/* tiny-explicit: switches leaf0=0, leaf1=1, spine0=2, spine1=3 by index. */
static void test_explicit_table(void **state)
{
	static const uint8_t want[2][4] = { { 0, 2, 1, 1 }, { 2, 0, 1, 1 } };
	struct sim_topo *t = load_ok("topologies/tiny-explicit.topo");
	struct sim_topo_summary s;
	uint32_t e, sw;

	assert_int_equal(t->route, SIM_ROUTE_TABLE);
	assert_int_equal(t->nhosts, 4);
	assert_int_equal(t->nswitches, 4);
	assert_int_equal(t->ntiers, 2);
	assert_int_equal(t->nodes[4].tier, 1);	/* computed */
	assert_int_equal(t->nodes[6].tier, 2);	/* given */
	assert_int_equal(t->nedges, 2);
	assert_int_equal(t->edge_of_switch[0], 0);
	assert_int_equal(t->edge_of_switch[1], 1);
	assert_int_equal(t->edge_of_switch[2], SIM_NONE);
	assert_int_equal(t->edge_of_switch[3], SIM_NONE);
	for (e = 0; e < 2; e++)
		for (sw = 0; sw < 4; sw++)
			assert_int_equal(t->dist[e * 4 + sw], want[e][sw]);
	name_is(t, 4, "leaf0");
	name_is(t, 7, "spine1");
	assert_int_equal(sim_topo_host_leaf(t, 2, 0), 5);
	/* default 5 m, 3 m given, 100 ns as 5th field */
	assert_int_equal(t->ports[0].delay_ps, 25000);
	assert_int_equal(t->ports[2].delay_ps, 15000);
	assert_int_equal(t->ports[t->nodes[7].first_port + 1].delay_ps, 100000);
	summary_of(t, &s);
	assert_true(s.bisection_bps == 1.6e12);
	assert_int_equal(s.diameter_hops, 4);
	assert_int_equal(s.links_per_tier[0], 4);
	assert_int_equal(s.links_per_tier[1], 4);
	sim_topo_free(t);
}

/* A 3-switch chain h0-a-b-c-h1 with computed tiers 1, 2, 1. */
static void test_explicit_chain(void **state)
{
	struct sim_topo *t = string_ok(
		"fabric = { kind = \"explicit\"; host_rate = \"100G\"; fabric_rate = \"200G\";\n"
		" nodes = ( { name = \"a\"; kind = \"switch\"; }, { name = \"h0\"; kind = \"host\"; },\n"
		"  { name = \"b\"; kind = \"switch\"; }, { name = \"c\"; kind = \"switch\"; },\n"
		"  { name = \"h1\"; kind = \"host\"; } );\n"
		" links = ( (\"h0\", \"a\"), (\"a\", \"b\"), (\"b\", \"c\"), (\"c\", \"h1\") ); };\n");
	struct sim_topo_summary s;

	/* hosts first: h0 = 0, h1 = 1, then a, b, c */
	name_is(t, 0, "h0");
	name_is(t, 1, "h1");
	name_is(t, 2, "a");
	assert_int_equal(t->nodes[3].tier, 2);
	assert_int_equal(t->nodes[4].tier, 1);
	assert_int_equal(t->nedges, 2);
	assert_int_equal(t->dist[t->edge_of_switch[0] * 3 + 2], 2);
	assert_int_equal(t->ports[t->nodes[2].first_port + 1].rate_bps, 200 * G);
	summary_of(t, &s);
	assert_int_equal(s.diameter_hops, 4);
	assert_true(s.bisection_bps == 100e9);
	sim_topo_free(t);
}

static void expect_error(const char *text, const char *want);

/* Two planes by hand: each host's first link is plane 0, its second plane 1. */
#define PLANES_NODES \
	"fabric = { kind = \"explicit\"; host_rate = \"400G\";\n" \
	" nodes = ( { name = \"h0\"; kind = \"host\"; }, { name = \"h1\"; kind = \"host\"; },\n" \
	"  { name = \"a\"; kind = \"switch\"; }, { name = \"b\"; kind = \"switch\"; },\n" \
	"  { name = \"c\"; kind = \"switch\"; } );\n"

static void test_explicit_planes(void **state)
{
	struct sim_topo *t = string_ok(PLANES_NODES
		" links = ( (\"h0\", \"a\"), (\"h0\", \"b\"), (\"h1\", \"a\"), (\"h1\", \"c\"),\n"
		"  (\"b\", \"c\", \"800G\") ); };\n");
	struct sim_topo_summary s;

	assert_int_equal(t->nplanes, 2);
	assert_int_equal(sim_topo_host_leaf(t, 0, 1), 3);
	assert_int_equal(sim_topo_host_leaf(t, 1, 1), 4);
	assert_int_equal(t->nedges, 3);
	summary_of(t, &s);
	/* plane 0 shares switch a: 2 hops, the best plane counts */
	assert_int_equal(s.diameter_hops, 2);
	sim_topo_free(t);
	/* without b-c, plane 1 is split although the graph is connected */
	expect_error(PLANES_NODES
		     " links = ( (\"h0\", \"a\"), (\"h0\", \"b\"), (\"h1\", \"a\"),\n"
		     "  (\"h1\", \"c\") ); };\n",
		     "bad.topo:2: host \"h1\" cannot reach host \"h0\"");
}

static void test_rates(void **state)
{
	static const char *const good[] = { "\"400Gb/s\"", "\"400Gbps\"", "\"0.4T\"",
					    "400000000000L", "\"400000M\"" };
	static const char *const bad[] = { "\"400X\"", "\"G\"", "\"0G\"", "\"400G \"",
					   "\"-4G\"", "4.5", "\"20T\"" };
	char text[256];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct sim_topo *t;

		snprintf(text, sizeof(text), "fabric = { kind = \"leafspine\"; host_rate = %s;"
			 " leaves = 1; hosts_per_leaf = 2; spines = 0; };", good[i]);
		t = string_ok(text);
		assert_int_equal(t->ports[0].rate_bps, 400 * G);
		sim_topo_free(t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *saved = stderr;

		snprintf(text, sizeof(text), "fabric = { kind = \"leafspine\"; host_rate = %s;"
			 " leaves = 1; hosts_per_leaf = 2; spines = 0; };", bad[i]);
		stderr = fopen("/dev/null", "w");
		assert_null(sim_topo_load_string(text, "bad.topo"));
		fclose(stderr);
		stderr = saved;
	}
}

/* Loads TEXT expecting failure; checks stderr holds WANT (e.g. "x:3: ..."). */
static void expect_error(const char *text, const char *want)
{
	char buf[1024] = "";
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	assert_null(sim_topo_load_string(text, "bad.topo"));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	if (!strstr(buf, want))
		fail_msg("expected \"%s\" in error output \"%s\"", want, buf);
}

#define LS "fabric = {\n kind = \"leafspine\";\n host_rate = \"800G\";\n"
#define EX "fabric = { kind = \"explicit\";\n host_rate = \"800G\";\n" \
	   " nodes = ( { name = \"h0\"; kind = \"host\"; },\n" \
	   " { name = \"s0\"; kind = \"switch\"; } );\n"

static void test_errors(void **state)
{
	expect_error(LS " leaves = ;\n};\n", "bad.topo:4: syntax error");
	expect_error(LS " leavs = 2;\n};\n", "bad.topo:4: unknown key 'leavs'");
	expect_error(LS " leaves = 2;\n spines = 1; };\n", "bad.topo:1: missing 'hosts_per_leaf'");
	expect_error("fabric = {\n kind = \"leafspine\";\n host_rate = \"800X\"; };\n",
		     "bad.topo:3: bad rate for 'host_rate'");
	expect_error(LS " leaves = \"2\"; };\n", "bad.topo:4: 'leaves' must be an integer");
	expect_error(LS " leaves = 2; hosts_per_leaf = 2;\n spines = 0; };\n",
		     "bad.topo:1: 2 leaves need spines");
	expect_error(LS " leaves = 2; hosts_per_leaf = 2;\n spines = 1;\n hosts = 2; };\n",
		     "bad.topo:6: 'hosts' = 2 leaves a leaf empty");
	expect_error(LS " leaves = 2; hosts_per_leaf = 2;\n spines = 1;\n oversubscription = 2.0; };\n",
		     "bad.topo:6: give either 'spines' or 'oversubscription'");
	expect_error(EX " links = ( (\"h0\", \"s1\") ); };\n", "bad.topo:5: unknown node \"s1\"");
	expect_error(EX " links = ( (\"h0\", \"s0\"),\n (\"s0\", \"s0\") ); };\n",
		     "bad.topo:6: self-link on \"s0\"");
	expect_error(EX " links = ( (\"h0\", \"s0\", \"fast\") ); };\n",
		     "bad.topo:5: bad rate for 'link rate'");
	expect_error(EX " links = ( (\"h0\", \"s0\", \"800G\", -1.0) ); };\n",
		     "bad.topo:5: 'link cable metres' = -1 is out of range");
	expect_error(EX " links = ( (\"h0\") ); };\n", "bad.topo:5: expected a link");
	expect_error(EX " links = ( ); };\n", "bad.topo:3: host \"h0\" has no link");
	expect_error(EX " };\n", "bad.topo:1: missing 'links'");
	expect_error("fabric = { kind = \"explicit\";\n nodes = ( { name = \"h0\"; kind = \"host\"; },\n"
		     " { name = \"h0\"; kind = \"switch\"; } );\n links = ( ); };\n",
		     "bad.topo:3: duplicate node name \"h0\" (first defined on line 2)");
	expect_error("fabric = { kind = \"explicit\";\n nodes = ( { name = \"h0\"; kind = \"host\"; },\n"
		     " { name = \"s0\"; kind = \"router\"; } );\n links = ( ); };\n",
		     "bad.topo:3: unknown node kind \"router\"");
	expect_error("fabric = { kind = \"explicit\";\n nodes = ( { name = \"h0\"; kind = \"host\"; },\n"
		     " { name = \"s0\"; kind = \"switch\"; colour = 1; } );\n links = ( ); };\n",
		     "bad.topo:3: unknown key 'colour' in node");
	expect_error("fabric = { kind = \"explicit\";\n nodes = ( { name = \"h0\"; kind = \"host\"; },\n"
		     " { name = \"h1\"; kind = \"host\"; },\n { name = \"s0\"; kind = \"switch\"; } );\n"
		     " links = ( (\"h0\", \"h1\", \"1G\") ); };\n",
		     "bad.topo:5: link joins hosts");
	expect_error("fabric = { kind = \"explicit\";\n nodes = ( { name = \"h0\"; kind = \"host\"; },\n"
		     " { name = \"s0\"; kind = \"switch\"; },\n { name = \"s1\"; kind = \"switch\"; } );\n"
		     " links = ( (\"h0\", \"s0\", \"1G\") ); };\n",
		     "bad.topo:4: node \"s1\" is not connected");
	expect_error("fabric = { kind = \"explicit\";\n nodes = ( { name = \"h0\"; kind = \"host\"; },\n"
		     " { name = \"s0\"; kind = \"switch\"; } );\n links = ( (\"h0\", \"s0\") ); };\n",
		     "bad.topo:4: link h0-s0 has no rate");
	expect_error("name = \"x\";\nfoo = 1;\n", "bad.topo:2: unknown key 'foo' in the top level");
	expect_error("name = \"x\";\n", "bad.topo:1: missing 'fabric'");
	expect_error("fabric = {\n kind = \"mesh\"; };\n", "bad.topo:2: unknown fabric kind \"mesh\"");
	expect_error("switch = { latency_ns = 600;\n bufer_mb = 1; };\n" LS " };\n",
		     "bad.topo:2: unknown key 'bufer_mb' in switch");
	expect_error("mtu = 10;\n" LS " leaves = 1; hosts_per_leaf = 1; spines = 0; };\n",
		     "bad.topo:1: 'mtu' = 10 is out of range");
	expect_error("fabric = { kind = \"fattree\"; host_rate = \"400G\";\n leaves_per_pod = 2;"
		     " hosts_per_leaf = 2; aggs_per_pod = 2; cores_per_group = 1;\n pods = 3;\n"
		     " hosts = 8; };\n", "bad.topo:4: 'hosts' = 8 leaves pod 2 empty");
	expect_error("fabric = { kind = \"railopt\"; host_rate = \"400G\";\n servers = 2;"
		     " gpus_per_server = 8;\n spines = 1;\n leaves_per_rail = 3; };\n",
		     "bad.topo:4: 'leaves_per_rail' = 3 is out of range");
}

static void test_missing_file(void **state)
{
	FILE *saved = stderr;

	stderr = fopen("/dev/null", "w");
	assert_null(sim_topo_load("topologies/does-not-exist.topo"));
	fclose(stderr);
	stderr = saved;
}

/* Every preset loads, is valid, and stays within a 51.2 Tb/s SN5600. */
static void test_presets(void **state)
{
	DIR *d = opendir("topologies");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		struct sim_topo_summary s;
		struct sim_topo *t;
		char path[512];
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".topo"))
			continue;
		snprintf(path, sizeof(path), "topologies/%s", e->d_name);
		t = load_ok(path);
		summary_of(t, &s);
		assert_true(s.max_switch_bps <= 64 * 800 * G);
		assert_true(s.max_switch_ports <= 128);
		sim_topo_free(t);
		n++;
	}
	closedir(d);
	assert_true(n >= 6);
}

static void test_dot(void **state)
{
	struct sim_topo *t = load_ok("topologies/tiny-explicit.topo");
	char buf[4096];
	FILE *tmp = tmpfile();
	size_t n;

	assert_int_equal(sim_topo_write_dot(t, tmp), 0);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	assert_true(!strncmp(buf, "graph \"tiny-explicit\" {", 23));
	assert_non_null(strstr(buf, "\"leaf1\" -- \"spine1\" [label=\"800G\"];"));
	assert_non_null(strstr(buf, "{ rank=same; \"spine0\"; \"spine1\"; }"));
	assert_string_equal(buf + n - 2, "}\n");
	sim_topo_free(t);
}

static void test_print_summary(void **state)
{
	struct sim_topo *t = load_ok("topologies/leafspine-oversub.topo");
	struct sim_topo_summary s;
	char buf[4096];
	FILE *tmp = tmpfile();
	size_t n;

	summary_of(t, &s);
	sim_topo_print_summary(t, &s, tmp);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	assert_non_null(strstr(buf, "bisection      51.2 Tb/s"));
	assert_non_null(strstr(buf, "oversub        2.00:1"));
	sim_topo_free(t);
}

/* The builder alone, as generators and tests use it. */
static void test_builder(void **state)
{
	struct sim_topo *t = sim_topo_create(2, 1, 0, SIM_ROUTE_CLOS);
	uint32_t bad;

	assert_non_null(t);
	assert_int_equal(sim_topo_add_host(t, 0, 0), 0);
	assert_int_equal(sim_topo_add_switch(t, 1, 0, 0), 2);
	assert_int_equal(sim_topo_add_host(t, 0, 0), 1);
	assert_int_equal(sim_topo_add_host(t, 0, 0), SIM_NONE);
	assert_int_equal(sim_topo_add_link(t, 0, 0, 1, 0), -EINVAL);
	assert_int_equal(sim_topo_add_link(t, 0, 2, 0, 0), -EINVAL);
	assert_int_equal(sim_topo_add_link(t, 0, 2, 100 * G, 7), 0);
	/* host 1 has no link yet */
	assert_int_equal(sim_topo_finalize(t, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_leafspine),
		cmocka_unit_test(test_oversub),
		cmocka_unit_test(test_sn5600_2tier),
		cmocka_unit_test(test_railopt),
		cmocka_unit_test(test_colossus),
		cmocka_unit_test(test_fattree_small),
		cmocka_unit_test(test_planes),
		cmocka_unit_test(test_single_leaf),
		cmocka_unit_test(test_explicit_table),
		cmocka_unit_test(test_explicit_chain),
		cmocka_unit_test(test_explicit_planes),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_print_summary),
		cmocka_unit_test(test_builder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
