/*
 * Unit tests of the topology layer: the generators called from C with
 * parameter structs (counts, rates and equal-cost path counts derived by
 * hand), the same fabrics from .topo files, the port order contract the
 * router relies on, explicit graphs and their distance tables, summary
 * numbers, the presets in topologies/ and FILE:LINE errors on malformed
 * input. Expected values are worked out by hand in the comments.
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

#include <sys/stat.h>

#include "sim/traffic/benchfile.h"
#include "sim/topo/gen.h"
#include "sim/topo/topo.h"
#include "sim/cli/load.h"

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

static void summary_of(struct sim_topo *t, struct sim_topo_summary *s)
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

/*
 * Oversubscription per tier, by hand:
 * - leafspine-oversub: a leaf has 32 x 800G down, 16 x 800G up: 2:1; the
 *   spines have no uplinks. End to end 2:1.
 * - a fat-tree whose leaves have 4 x 400G down and 2 aggs x 400G up (2:1)
 *   and whose aggs have 2 leaves x 400G down and 1 core x 400G up (2:1):
 *   4:1 end to end, which the worst-leaf figure alone (2:1) hides.
 * - railopt-demo: a leaf serves 8 servers' GPUs of its rail, 8 x 400G,
 *   and has 4 spines x 800G up: 1:1.
 */
static void test_oversub_per_tier(void **state)
{
	struct sim_topo *t = load_ok("topologies/leafspine-oversub.topo");
	struct sim_topo_summary s;

	(void)state;
	summary_of(t, &s);
	assert_true(s.oversub_tier[0] == 2.0 && s.oversub_worst[0] == 2.0);
	assert_true(s.oversub_tier[1] == 0 && s.oversub_tier[2] == 0);
	assert_true(s.oversub_end_to_end == 2.0);
	sim_topo_free(t);
	t = string_ok("fabric = { kind = \"fattree\"; pods = 2; leaves_per_pod = 2; hosts_per_leaf = 4;\n"
		      "  aggs_per_pod = 2; cores_per_group = 1; host_rate = \"400G\"; fabric_rate = \"400G\"; };\n");
	summary_of(t, &s);
	assert_true(s.oversubscription == 2.0);
	assert_true(s.oversub_tier[0] == 2.0 && s.oversub_worst[0] == 2.0);
	assert_true(s.oversub_tier[1] == 2.0 && s.oversub_worst[1] == 2.0);
	assert_true(s.oversub_tier[2] == 0);
	assert_true(s.oversub_end_to_end == 4.0);
	sim_topo_free(t);
	t = load_ok("topologies/railopt-demo.topo");
	summary_of(t, &s);
	assert_true(s.oversub_tier[0] == 1.0 && s.oversub_worst[0] == 1.0);
	assert_true(s.oversub_tier[1] == 0);
	assert_true(s.oversub_end_to_end == 1.0);
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
		snprintf(text, sizeof(text), "fabric = { kind = \"leafspine\"; host_rate = %s;"
			 " leaves = 1; hosts_per_leaf = 2; spines = 0; };", bad[i]);
		expect_error(text, "bad.topo:1: bad rate for 'host_rate'");
	}
}

/* stderr into a temporary file between capture_begin and capture_end. */
struct capture {
	FILE *tmp;
	int saved;
};

static void capture_begin(struct capture *c)
{
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	fflush(stderr);
	c->saved = dup(2);
	dup2(fileno(c->tmp), 2);
}

/* Bytes the last capture_end() found written. */
static size_t capture_bytes;

/* Restores stderr; fails unless what was written holds WANT. */
static void capture_end(struct capture *c, const char *want)
{
	char buf[2048] = "";
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->tmp);
	n = fread(buf, 1, sizeof(buf) - 1, c->tmp);
	buf[n] = 0;
	capture_bytes = n;
	fclose(c->tmp);
	if (!strstr(buf, want))
		fail_msg("expected \"%s\" in error output \"%s\"", want, buf);
}

/* A failed load: a negative errno, no topology, one line holding WANT. */
static void failed_with(int ret, const struct sim_topo *t, const char *err, const char *want)
{
	assert_true(ret < 0);
	assert_null(t);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in error \"%s\"", want, err);
}

/* Loads TEXT expecting failure with WANT in the message (e.g. "x:3: ..."). */
static void expect_error(const char *text, const char *want)
{
	char err[SIM_TOPO_ERR_LEN];
	struct sim_topo *t;
	int ret = sim_topo_parse(text, "bad.topo", &t, err, sizeof(err));

	failed_with(ret, t, err, want);
}

/* Loads the file PATH expecting failure with WANT in the message. */
static void expect_file_error(const char *path, const char *want)
{
	char err[SIM_TOPO_ERR_LEN];
	struct sim_topo *t;
	int ret = sim_topo_read(path, &t, err, sizeof(err));

	failed_with(ret, t, err, want);
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
		     "bad.topo:1: 'mtu' = 10 is out of range (expected 256..9000)");
	expect_error("fabric = { kind = \"fattree\"; host_rate = \"400G\";\n leaves_per_pod = 2;"
		     " hosts_per_leaf = 2; aggs_per_pod = 2; cores_per_group = 1;\n pods = 3;\n"
		     " hosts = 8; };\n", "bad.topo:4: 'hosts' = 8 leaves pod 2 empty");
	expect_error("fabric = { kind = \"railopt\"; host_rate = \"400G\";\n servers = 2;"
		     " gpus_per_server = 8;\n spines = 1;\n leaves_per_rail = 3; };\n",
		     "bad.topo:4: 'leaves_per_rail' = 3 is out of range");
}

static void test_missing_file(void **state)
{
	char err[SIM_TOPO_ERR_LEN];
	struct sim_topo *t;

	assert_int_equal(sim_topo_read("topologies/does-not-exist.topo", &t, err, sizeof(err)),
			 -ENOENT);
	assert_null(t);
	assert_non_null(strstr(err, "topologies/does-not-exist.topo: cannot open"));
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


#define ONE_LEAF " leaves = 1; hosts_per_leaf = 2; spines = 0; };\n"

/* Every numeric field is held to its documented range (FORMAT.md), at its line. */
static void test_field_ranges(void **state)
{
	/* a buffer of 0 never drains: at least 0.1 MB */
	expect_error("switch = {\n buffer_mb = 0; };\n" LS ONE_LEAF,
		     "bad.topo:2: 'buffer_mb' = 0 is out of range (expected 0.1..1e+06)");
	expect_error("switch = {\n buffer_mb = 0.05; };\n" LS ONE_LEAF, "bad.topo:2: 'buffer_mb' = 0.05");
	expect_error("switch = {\n latency_ns = -1; };\n" LS ONE_LEAF,
		     "bad.topo:2: 'latency_ns' = -1 is out of range (expected 0..1e+07)");
	expect_error("mtu = 9001;\n" LS ONE_LEAF, "bad.topo:1: 'mtu' = 9001 is out of range (expected 256..9000)");
	/* rates: 1 b/s never finishes a packet in time; 1M..10T */
	expect_error("fabric = {\n kind = \"leafspine\";\n host_rate = 1;\n" ONE_LEAF,
		     "bad.topo:3: bad rate for 'host_rate': 1 b/s is out of range (expected a whole number "
		     "of b/s from 1M to 10T)");
	expect_error("fabric = {\n kind = \"leafspine\";\n host_rate = \"999K\";\n" ONE_LEAF,
		     "bad.topo:3: bad rate for 'host_rate': 999000 b/s is out of range");
	expect_error("fabric = {\n kind = \"leafspine\";\n host_rate = \"800G\";\n fabric_rate = \"1e999G\";\n"
		     ONE_LEAF, "bad.topo:4: bad rate for 'fabric_rate': \"1e999G\"");
	expect_error(LS " planes = 65;\n" ONE_LEAF, "bad.topo:4: 'planes' = 65 is out of range (expected 1..64)");
	expect_error(LS " cable_m = 1e300;\n" ONE_LEAF,
		     "bad.topo:4: 'cable_m' = 1e+300 is out of range (expected 0..100000)");
	expect_error(LS " leaves = 16777217;\n hosts_per_leaf = 1; spines = 1; };\n",
		     "bad.topo:4: 'leaves' = 16777217 is out of range (expected 1..16777216)");
	expect_error("hostmap = ( (\"\", \"h0\") );\n" LS ONE_LEAF,
		     "bad.topo:1: hostmap entry 1: expected (\"host/device\", \"node\"), names of 1..63");
	/* the ends of the ranges load */
	sim_topo_free(string_ok("mtu = 256;\nswitch = { buffer_mb = 0.1; latency_ns = 0; };\n"
				"fabric = { kind = \"leafspine\"; host_rate = \"1M\"; fabric_rate = \"10T\";"
				ONE_LEAF));
	sim_topo_free(string_ok("mtu = 9000;\nswitch = { buffer_mb = 1e6; latency_ns = 1e7; };\n"
				"fabric = { kind = \"leafspine\"; host_rate = 1000000;" ONE_LEAF));
}

/* Ports of one switch fit sim_node.nports (65535); each is checked by role, before allocating. */
static void test_radix(void **state)
{
	/* 65535 hosts + 1 spine uplink = 65536 */
	expect_error(LS " leaves = 2;\n hosts_per_leaf = 65535; spines = 1; };\n",
		     "bad.topo:1: a leaf would have 65536 ports (hosts_per_leaf + spines x links_per_spine), "
		     "more than 65535");
	/* 1024 rails x 16777216 leaves per rail x 1 link: 2^34 spine ports */
	expect_error("fabric = {\n kind = \"railopt\"; host_rate = \"400G\";\n servers = 16777216;"
		     " gpus_per_server = 1024; leaves_per_rail = 16777216; spines = 1; };\n",
		     "bad.topo:1: a spine would have 17179869184 ports");
	/* 70000 pods x 1 link per core */
	expect_error("fabric = {\n kind = \"fattree\"; host_rate = \"400G\";\n pods = 70000; leaves_per_pod = 1;"
		     " hosts_per_leaf = 1; aggs_per_pod = 1; cores_per_group = 1; };\n",
		     "bad.topo:1: a core would have 70000 ports (pods x links_per_core)");
}

static double mem_available_gib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kib = 0;
	char line[128];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib / 1048576.0;
}

/* Counts whose products overflow 32 or 64 bits are refused, not wrapped. */
static void test_too_large(void **state)
{
	/* 32768 x 65534 hosts: 2^31 nodes and links, past the 2^30 links of 32-bit port ids */
	expect_error(LS " leaves = 32768;\n hosts_per_leaf = 65534; spines = 1; };\n",
		     "bad.topo:1: fabric too large: 2147450881 nodes, 2147450880 links (limits 4294967294, "
		     "1073741823");
	/*
	 * 65000^2 x 60000 = 253500000000000 hosts, 65000^2 leaves, 65000 aggs
	 * and 1 core: the 64-bit sums are exact, nothing wrapped on the way
	 */
	expect_error("fabric = {\n kind = \"fattree\"; host_rate = \"400G\";\n pods = 65000;"
		     " leaves_per_pod = 65000; hosts_per_leaf = 60000; aggs_per_pod = 1;"
		     " cores_per_group = 1; };\n", "bad.topo:1: fabric too large: 253504225065001 nodes");
	/*
	 * 0.01:1 for 16777216 x 800G down per leaf on 1M links: 16777216 x 8e11 /
	 * (0.01 x 1e6) = 1342177280000000 spines, refused before the uint32 cast
	 */
	expect_error(LS " leaves = 2;\n hosts_per_leaf = 16777216; fabric_rate = \"1M\";\n"
		     " oversubscription = 0.01; };\n",
		     "bad.topo:6: 'oversubscription' = 0.01 needs 1342177280000000 spines (expected at most "
		     "16777216");
	/*
	 * 16000 x 65000 hosts, 1 spine: 1.04e9 nodes and links fit the ids but not
	 * memory: 1.04e9 x (24 + 12) + 1.04e9 x (24 + 2 x 40) bytes = 136 GiB. On
	 * a machine with that much free it would be built, so the case is skipped.
	 */
	if (mem_available_gib() > 130) {
		print_message("skipping the memory guard case: more than 130 GiB available\n");
		return;
	}
	expect_error(LS " leaves = 16000;\n hosts_per_leaf = 65000; spines = 1; };\n",
		     "bad.topo:1: fabric too large: 1040016001 nodes, 1040016000 links: building it needs "
		     "135.6 GiB, more than the");
}

static void test_mem_bytes(void **state)
{
	struct sim_topo *t = sim_topo_create(2, 3, 4, SIM_ROUTE_TABLE);

	/* 10 x (24 node + 3 x 4 scratch) + 5 x (24 link + 2 x (32 port + 2 x 4)) */
	assert_int_equal(sim_topo_mem_bytes(10, 5), 880);
	assert_int_equal(sim_topo_mem_bytes(UINT64_MAX / 8, 1), UINT64_MAX);
	assert_int_equal(sim_topo_mem_bytes(0, UINT64_MAX / 64), UINT64_MAX);
	/* h0-s0, h1-s1, s0-s2, s1-s2: edges s0 and s1, x 3 switches */
	assert_non_null(t);
	sim_topo_add_host(t, 0, 0);
	sim_topo_add_host(t, 0, 0);
	sim_topo_add_switch(t, 0, 0, 0);
	sim_topo_add_switch(t, 0, 0, 0);
	sim_topo_add_switch(t, 0, 0, 0);
	assert_int_equal(sim_topo_table_bytes(t), 0);
	assert_int_equal(sim_topo_add_link(t, 0, 2, G, 0), 0);
	assert_int_equal(sim_topo_add_link(t, 1, 3, G, 0), 0);
	assert_int_equal(sim_topo_add_link(t, 2, 4, G, 0), 0);
	assert_int_equal(sim_topo_add_link(t, 3, 4, G, 0), 0);
	assert_int_equal(sim_topo_table_bytes(t), 6);
	assert_int_equal(sim_topo_finalize(t, NULL), 0);
	assert_int_equal(t->nedges, 2);
	sim_topo_free(t);
}

/*
 * Hop counts are 8-bit: a chain of 260 switches with given tiers (which skip
 * the tier computation) puts s255 255 hops from s0, the switch of host a.
 * It was saturated to 254 before, and the diameter came out wrong.
 */
static void test_long_chain(void **state)
{
	char *text = malloc(64 * 260 + 256), *p = text;
	int i;

	assert_non_null(text);
	p += sprintf(p, "fabric = { kind = \"explicit\"; host_rate = \"1G\"; fabric_rate = \"1G\";"
		     " nodes = ( { name = \"a\"; kind = \"host\"; }, { name = \"b\"; kind = \"host\"; }");
	for (i = 0; i < 260; i++)
		p += sprintf(p, ", { name = \"s%d\"; kind = \"switch\"; tier = 1; }", i);
	p += sprintf(p, " ); links = ( (\"a\", \"s0\"), (\"b\", \"s259\")");
	for (i = 0; i < 259; i++)
		p += sprintf(p, ", (\"s%d\", \"s%d\")", i, i + 1);
	sprintf(p, " ); };\n");
	expect_error(text, "bad.topo:1: switch \"s255\" is more than 254 hops from a host or a host's switch");
	free(text);
}

/* What libconfig would take minutes over, or follow elsewhere, is refused first. */
static void test_prescan(void **state)
{
	char *text = malloc(300 * 16 + 64), *p = text;
	int i;

	expect_error("name = \"x\";\n  @include \"/dev/zero\"\n", "bad.topo:2: @include is not supported");
	/* '=' inside strings and comments is no setting */
	sim_topo_free(string_ok("# a = b = c\nname = \"a=b:c\"; /* x = 1;\n y = 2; */ // z = 3\n"
				"fabric = { kind = \"leafspine\"; host_rate = \"800G\";" ONE_LEAF));
	assert_non_null(text);
	for (i = 0; i < 300; i++)
		p += sprintf(p, "k%d = 1;\n", i);
	expect_error(text, "bad.topo:257: more than 256 settings in one group");
	for (p = text, i = 0; i < 40; i++)
		*p++ = '{';
	*p = 0;
	expect_error(text, "bad.topo:1: groups and lists nested more than 32 deep");
	free(text);
}

/* Files that are no topology: each named, never a crash or a hang. */
static void test_file_errors(void **state)
{
	char dir[] = "/tmp/test_topo.XXXXXX", path[64];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	expect_file_error(dir, ": is a directory (expected a topology file, see topologies/FORMAT.md)");
	snprintf(path, sizeof(path), "%s/empty.topo", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	expect_file_error(path, "empty.topo: empty file (expected a topology file");
	snprintf(path, sizeof(path), "%s/bin.topo", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite("name\0\x01\x02", 1, 7, f);
	fclose(f);
	expect_file_error(path, "bin.topo: binary data (a NUL byte at offset 4)");
	/* a FIFO without a writer reads as empty instead of blocking */
	snprintf(path, sizeof(path), "%s/fifo.topo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_file_error(path, "fifo.topo: empty file");
	unlink(path);
	expect_file_error("/dev/zero", "/dev/zero: larger than 16777216 bytes");
	expect_file_error("/nonexistent/x.topo", "/nonexistent/x.topo: cannot open: No such file or directory");
	expect_file_error("/etc/passwd/x.topo", "cannot open: Not a directory");
	snprintf(path, sizeof(path), "%s/empty.topo", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bin.topo", dir);
	unlink(path);
	rmdir(dir);
}

/* One host: loads, and the summary says there is no pair to measure. */
static void test_one_host(void **state)
{
	struct sim_topo *t = string_ok("fabric = { kind = \"leafspine\"; host_rate = \"800G\";"
				       " leaves = 1; hosts_per_leaf = 1; spines = 0; };\n");
	struct sim_topo_summary s;
	char buf[4096];
	FILE *tmp = tmpfile();
	size_t n;

	summary_of(t, &s);
	assert_int_equal(s.hosts, 1);
	assert_true(s.bisection_bps == 0);
	assert_int_equal(s.diameter_hops, 0);
	sim_topo_print_summary(t, &s, tmp);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	assert_non_null(strstr(buf, "bisection      - (one host: no host pair to split)"));
	assert_non_null(strstr(buf, "diameter       - (one host)"));
	assert_non_null(strstr(buf, "fabsim run needs at least 2"));
	sim_topo_free(t);
}

/* A bench file in memory; the JSON path, value and range in the error. */
static void expect_bench_error(const char *json, const char *want)
{
	struct sim_bench b;
	char err[SIM_BENCH_ERR];

	/* the reader does not print: the message is in ERR */
	assert_true(sim_bench_parse(json, strlen(json), "b.json", &b, err, sizeof(err)) < 0);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in the error \"%s\"", want, err);
	assert_null(b.ranks);
}

#define BENCH_HEAD "{ \"tool\": \"fabbench\", \"transport\": \"verbs\", \"collective\": \"allreduce\"," \
		   " \"algorithm\": \"ring\", \"dtype\": \"float\", \"nranks\": 2, \"chunk_bytes\": 65536," \
		   " \"hosts\": [\"a\", \"b\"]"
#define BENCH_RES " \"results\": [ { \"bytes\": 1024, \"time_us\": 10.5 } ]"

static void test_bench_ranges(void **state)
{
	struct sim_bench b;
	const char *ok = BENCH_HEAD ", \"p2p_bw_GBps\": 0.000125," BENCH_RES " }";

	assert_int_equal(sim_bench_parse(ok, strlen(ok), "b.json", &b, NULL, 0), 0);
	/* optional fields take their defaults: 1 channel, 1 QP, unknown MTU, not measured */
	assert_int_equal(b.nchannels, 1);
	assert_int_equal(b.qps, 1);
	assert_int_equal(b.mtu_bytes, 0);
	assert_true(b.p2p_latency_us < 0);
	assert_true(b.p2p_bw_GBps == 0.000125);
	assert_int_equal(b.bytes[0], 1024);
	assert_true(b.algbw_GBps[0] < 0);
	sim_bench_free(&b);
	/* a file fabbench wrote before issue 16, its GB/s keys spelt _gbps: read as they were */
	{
		const char *old = BENCH_HEAD ", \"p2p_bw_gbps\": 2.5, \"results\": [ { \"bytes\": 1024,"
				  " \"time_us\": 10, \"algbw_gbps\": 0.1024, \"busbw_gbps\": 0.1024 } ] }";

		assert_int_equal(sim_bench_parse(old, strlen(old), "b.json", &b, NULL, 0), 0);
		assert_true(b.p2p_bw_GBps == 2.5);
		assert_true(b.algbw_GBps[0] == 0.1024 && b.busbw_GBps[0] == 0.1024);
		sim_bench_free(&b);
		/* and range-checked as the new names are */
		expect_bench_error(BENCH_HEAD ", \"p2p_bw_gbps\": 1e300," BENCH_RES " }",
				   "key 'p2p_bw_GBps' = 1e+300 is out of range");
	}
	/* the collective's name: all-to-all, or alltoall as fabbench wrote it before issue 16 */
	for (int i = 0; i < 2; i++) {
		char json[512];

		snprintf(json, sizeof(json), "{ \"tool\": \"fabbench\", \"transport\": \"tcp\", \"collective\": \"%s\","
			 " \"algorithm\": \"pairwise\", \"dtype\": \"float\", \"nranks\": 2, \"chunk_bytes\": 65536,"
			 " \"hosts\": [\"a\", \"b\"]," BENCH_RES " }", i ? "alltoall" : "all-to-all");
		assert_int_equal(sim_bench_parse(json, strlen(json), "b.json", &b, NULL, 0), 0);
		assert_int_equal(b.kind, COLL_ALLTOALL);
		sim_bench_free(&b);
	}
	/* a bandwidth that makes a 0 b/s or an overflowing rate */
	expect_bench_error(BENCH_HEAD ", \"p2p_bw_GBps\": 1e-15," BENCH_RES " }",
			   "b.json: key 'p2p_bw_GBps' = 1e-15 is out of range (expected null or a number "
			   "0.000125..1250 GB/s");
	expect_bench_error(BENCH_HEAD ", \"p2p_bw_GBps\": 1e300," BENCH_RES " }",
			   "key 'p2p_bw_GBps' = 1e+300 is out of range");
	expect_bench_error(BENCH_HEAD ", \"qps\": 100000," BENCH_RES " }",
			   "b.json: key 'qps' = 100000 is out of range (expected null or an integer 1..256)");
	expect_bench_error(BENCH_HEAD ", \"nchannels\": 1000000," BENCH_RES " }",
			   "key 'nchannels' = 1000000 is out of range (expected null or an integer 1..64)");
	expect_bench_error(BENCH_HEAD ", \"qps\": 0," BENCH_RES " }", "key 'qps' = 0 is out of range");
	expect_bench_error(BENCH_HEAD ", \"mtu_bytes\": 9001," BENCH_RES " }",
			   "key 'mtu_bytes' = 9001 is out of range (expected null or 0 (unknown) or an "
			   "integer 256..9000)");
	expect_bench_error(BENCH_HEAD ", \"p2p_latency_us\": -3," BENCH_RES " }",
			   "key 'p2p_latency_us' = -3 is out of range (expected null or a number > 0");
	expect_bench_error(BENCH_HEAD ", \"results\": [ { \"bytes\": 1024, \"time_us\": 1 },"
			   " { \"bytes\": 0, \"time_us\": 1 } ] }",
			   "b.json: key 'results[1].bytes' = 0 is out of range (expected an integer "
			   "1..1099511627776)");
	expect_bench_error(BENCH_HEAD ", \"results\": [ { \"bytes\": 1024, \"time_us\": 0 } ] }",
			   "key 'results[0].time_us' = 0 is out of range (expected a number > 0");
	expect_bench_error(BENCH_HEAD ", \"results\": [ { \"bytes\": 1026, \"time_us\": 1 } ] }",
			   "key 'results[0].bytes' = 1026: allreduce ring with 2 ranks cannot run it: bytes "
			   "must be a multiple of elem_bytes");
	expect_bench_error(BENCH_HEAD ", \"results\": [ { \"bytes\": 1024, \"time_us\": \"fast\" } ] }",
			   "key 'results[0].time_us': expected a number > 0 and <= 1e+12 us, got \"fast\"");
	expect_bench_error(BENCH_HEAD ", \"results\": [ { \"bytes\": 1024, \"time_us\": 1,"
			   " \"busbw_GBps\": -1 } ] }", "key 'results[0].busbw_GBps' = -1 is out of range");
	expect_bench_error("{ \"tool\": \"fabbench\", \"tool\": \"x\" }", "b.json:1: duplicate object key");
	expect_bench_error("[]", "key '(top level)': expected an object, got an array of 0");
}

static void expect_map(const char *text, int want_rc, uint32_t want_n, const char *want)
{
	char (*map)[2][64] = NULL, err[SIM_BENCH_ERR];
	uint32_t n = 0;
	int rc = sim_bench_map_parse(text, "m.map", &map, &n, err, sizeof(err));

	/* a negative errno, the message in ERR (empty on success) */
	assert_int_equal(rc < 0 ? -1 : rc, want_rc);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in the error \"%s\"", want, err);
	assert_int_equal(n, want_n);
	free(map);
}

/* Whole lines: a long line or comment never spills into a second entry. */
static void test_map_lines(void **state)
{
	char long_line[512], (*map)[2][64] = NULL;
	uint32_t n = 0;

	assert_int_equal(sim_bench_map_parse("rank0 h0 # first\n\n  lab/mlx5_0\th3  \nb h4", "m.map",
					     &map, &n, NULL, 0), 0);
	assert_int_equal(n, 3);
	assert_string_equal(map[1][0], "lab/mlx5_0");
	assert_string_equal(map[1][1], "h3");
	assert_string_equal(map[2][1], "h4");
	free(map);
	/* a 300-character comment whose tail looks like an entry */
	snprintf(long_line, sizeof(long_line), "# %0300d rank1 h9\nrank0 h0\n", 0);
	expect_map(long_line, 0, 1, "");
	snprintf(long_line, sizeof(long_line), "rank0 h%0100d\n", 7);
	expect_map(long_line, -1, 0, "m.map:1: NODE 'h0000000000000000000...' is 101 characters long "
		   "(expected 1..63)");
	expect_map("rank0 h0\nrank1 h1 h2\n", -1, 0, "m.map:2: expected 'KEY NODE'");
	expect_map("rank0 h0\n# c\nrank0 h1\n", -1, 0, "m.map:3: key 'rank0' is already mapped on line 1");
	expect_map("# only a comment\n", -1, 0, "m.map: no 'KEY NODE' line");
}

/* Generators from C --------------------------------------------------------- */

/*
 * Shortest paths from host A to host B and their length in links, counted
 * port by port (parallel links are distinct paths); hosts relay nothing.
 * Independent of the router: a plain breadth-first search.
 */
static uint64_t count_paths(const struct sim_topo *t, uint32_t a, uint32_t b, uint32_t *hops)
{
	uint32_t *dist = malloc(t->nnodes * sizeof(*dist));
	uint32_t *queue = malloc(t->nnodes * sizeof(*queue));
	uint64_t *ways = calloc(t->nnodes, sizeof(*ways)), n;
	uint32_t head = 0, tail = 0, u, p;

	assert_non_null(dist);
	assert_non_null(queue);
	assert_non_null(ways);
	memset(dist, 0xff, t->nnodes * sizeof(*dist));
	dist[a] = 0;
	ways[a] = 1;
	queue[tail++] = a;
	while (head < tail) {
		u = queue[head++];
		if (u != a && t->nodes[u].kind == SIM_NODE_HOST)
			continue;
		for (p = 0; p < t->nodes[u].nports; p++) {
			uint32_t v = t->ports[t->ports[t->nodes[u].first_port + p].peer].node;

			if (dist[v] == UINT32_MAX) {
				dist[v] = dist[u] + 1;
				queue[tail++] = v;
			}
			if (dist[v] == dist[u] + 1)
				ways[v] += ways[u];
		}
	}
	*hops = dist[b];
	n = ways[b];
	free(ways);
	free(queue);
	free(dist);
	return n;
}

static void paths_are(const struct sim_topo *t, uint32_t a, uint32_t b, uint32_t want_hops,
		      uint64_t want_paths)
{
	uint32_t hops;

	assert_int_equal(count_paths(t, a, b, &hops), want_paths);
	assert_int_equal(hops, want_hops);
}

/* Every port of a link class (by the tiers of its ends) runs at RATE. */
static void rates_are(const struct sim_topo *t, unsigned int lo_tier, uint64_t rate_bps,
		      uint64_t delay_ps, uint32_t want_links)
{
	uint32_t i, links = 0;

	for (i = 0; i < t->nports; i++) {
		const struct sim_port *port = &t->ports[i];
		uint8_t a = t->nodes[port->node].tier, b = t->nodes[t->ports[port->peer].node].tier;

		if ((a < b ? a : b) != lo_tier)
			continue;
		assert_int_equal(port->rate_bps, rate_bps);
		assert_int_equal(port->delay_ps, delay_ps);
		links += i < port->peer;
	}
	assert_int_equal(links, want_links);
}

static struct sim_topo *leafspine_ok(const struct sim_leafspine_params *p)
{
	char err[256] = "";
	struct sim_topo *t;

	if (sim_topo_leafspine(p, &t, err, sizeof(err)))
		fail_msg("sim_topo_leafspine: %s", err);
	check_invariants(t);
	return t;
}

/*
 * L = 4 leaves x H = 5 hosts, S = 3 spines: L*H + L + S = 27 nodes, L*H
 * host links and L*S uplinks; S equal-cost paths of 4 links between hosts
 * on different leaves, one of 2 on the same leaf. With 2 links per
 * leaf-spine pair, each spine offers 2 x 2 port paths: 4*S.
 */
static void test_gen_leafspine(void **state)
{
	struct sim_leafspine_params p = {
		.c = { .host_rate_bps = 400 * G, .fabric_rate_bps = 800 * G,
		       .host_delay_ps = 15000, .fabric_delay_ps = 100000 },
		.leaves = 4, .hosts_per_leaf = 5, .spines = 3,
	};
	struct sim_topo_summary s;
	struct sim_topo *t = leafspine_ok(&p);
	uint32_t h;

	assert_string_equal(t->kind, "leafspine");
	assert_int_equal(t->nhosts, 20);
	assert_int_equal(t->nswitches, 7);
	assert_int_equal(t->nnodes, 27);
	assert_int_equal(t->nports, 2 * (20 + 4 * 3));
	assert_int_equal(t->ntiers, 2);
	rates_are(t, 0, 400 * G, 15000, 20);
	rates_are(t, 1, 800 * G, 100000, 12);
	for (h = 0; h < 20; h++)
		assert_int_equal(sim_topo_host_leaf(t, h, 0), 20 + h / 5);
	paths_are(t, 0, 4, 2, 1);
	paths_are(t, 0, 5, 4, 3);
	paths_are(t, 19, 0, 4, 3);
	/* leaf: 5 hosts down, 3 up; 2 x 400G down vs 3 x 800G up: not oversubscribed */
	assert_int_equal(t->nodes[20].nports, 8);
	assert_int_equal(t->nodes[20].ndown, 5);
	summary_of(t, &s);
	assert_true(s.oversubscription == 1.0);
	sim_topo_free(t);

	/* 2 links per pair, 18 hosts: the last leaf holds 3 */
	p.links_per_spine = 2;
	p.hosts = 18;
	t = leafspine_ok(&p);
	assert_int_equal(t->nhosts, 18);
	assert_int_equal(t->nports, 2 * (18 + 4 * 3 * 2));
	paths_are(t, 0, 17, 4, 3 * 2 * 2);
	assert_int_equal(t->nodes[18 + 3].ndown, 3);
	sim_topo_free(t);

	/* 2:1 for 5 x 400G down per leaf on 800G: ceil(2.5 / 2) = 2 uplinks, 1 spine of 2 */
	p.spines = 0;
	p.oversubscription = 2.0;
	t = leafspine_ok(&p);
	assert_int_equal(t->nswitches, 5);
	paths_are(t, 0, 17, 4, 1 * 2 * 2);
	sim_topo_free(t);
}

static struct sim_topo *fattree_ok(const struct sim_fattree_params *p)
{
	char err[256] = "";
	struct sim_topo *t;

	if (sim_topo_fattree(p, &t, err, sizeof(err)))
		fail_msg("sim_topo_fattree: %s", err);
	check_invariants(t);
	return t;
}

/*
 * The k-ary fat-tree of Al-Fares et al.: k pods of k/2 leaves and k/2 aggs,
 * k/2 hosts per leaf, (k/2)^2 cores. k^3/4 hosts, 5k^2/4 switches, k^3/4
 * links in each of the three layers. Between pods (k/2)^2 shortest paths
 * of 6 links, within a pod k/2 of 4, under one leaf 1 of 2.
 */
static void test_gen_fattree(void **state)
{
	static const uint32_t ks[] = { 4, 6, 8 };
	unsigned int i;

	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		uint32_t k = ks[i], half = k / 2, pod_hosts = half * half;
		struct sim_fattree_params p = {
			.c = { .host_rate_bps = 100 * G, .host_delay_ps = 1000,
			       .fabric_delay_ps = 2000, .core_delay_ps = 3000 },
			.pods = k, .leaves_per_pod = half, .hosts_per_leaf = half,
			.aggs_per_pod = half, .cores_per_group = half, .core_rate_bps = 200 * G,
		};
		struct sim_topo_summary s;
		struct sim_topo *t = fattree_ok(&p);

		assert_string_equal(t->kind, "fattree");
		assert_int_equal(t->nhosts, k * k * k / 4);
		assert_int_equal(t->nswitches, 5 * k * k / 4);
		assert_int_equal(t->nports, 2 * 3 * (k * k * k / 4));
		assert_int_equal(t->ntiers, 3);
		rates_are(t, 0, 100 * G, 1000, k * k * k / 4);
		rates_are(t, 1, 100 * G, 2000, k * k * k / 4);
		rates_are(t, 2, 200 * G, 3000, k * k * k / 4);
		paths_are(t, 0, 1, 2, 1);
		paths_are(t, 0, half, 4, half);
		paths_are(t, 0, pod_hosts, 6, half * half);
		paths_are(t, 0, t->nhosts - 1, 6, half * half);
		/* host pod_hosts is the first of pod 1 */
		assert_int_equal(t->nodes[pod_hosts].pod, 1);
		assert_int_equal(t->nodes[pod_hosts - 1].pod, 0);
		summary_of(t, &s);
		assert_int_equal(s.diameter_hops, 6);
		assert_int_equal(s.switches_per_tier[2], half * half);
		sim_topo_free(t);
	}
}

static struct sim_topo *railopt_ok(const struct sim_railopt_params *p)
{
	char err[256] = "";
	struct sim_topo *t;

	if (sim_topo_railopt(p, &t, err, sizeof(err)))
		fail_msg("sim_topo_railopt: %s", err);
	check_invariants(t);
	return t;
}

/*
 * 5 servers x 2 GPUs (rails), 2 leaves per rail of ceil(5/2) = 3 servers,
 * 3 spines: 10 hosts, 4 leaves + 3 spines, 10 + 4 x 3 links. GPU g of
 * server v is host 2v + g on leaf 2g + v/3. Same rail and block: 1 path of
 * 2 links; otherwise one per spine, of 4.
 */
static void test_gen_railopt(void **state)
{
	struct sim_railopt_params p = {
		.c = { .host_rate_bps = 400 * G, .fabric_rate_bps = 800 * G, .planes = 2 },
		.servers = 5, .gpus_per_server = 2, .leaves_per_rail = 2, .spines = 3,
	};
	struct sim_topo *t = railopt_ok(&p);
	uint32_t v, g;

	assert_string_equal(t->kind, "railopt");
	assert_int_equal(t->nhosts, 10);
	assert_int_equal(t->nplanes, 2);
	assert_int_equal(t->nswitches, 2 * 7);
	assert_int_equal(t->nports, 2 * 2 * (10 + 4 * 3));
	assert_int_equal(t->gpus_per_server, 2);
	rates_are(t, 0, 400 * G, 0, 2 * 10);
	rates_are(t, 1, 800 * G, 0, 2 * 12);
	for (v = 0; v < 5; v++)
		for (g = 0; g < 2; g++) {
			assert_int_equal(sim_topo_host_leaf(t, 2 * v + g, 0), 10 + 2 * g + v / 3);
			assert_int_equal(sim_topo_host_leaf(t, 2 * v + g, 1), 10 + 7 + 2 * g + v / 3);
			assert_int_equal(t->nodes[2 * v + g].group, g);
		}
	name_is(t, 10 + 7 + 3, "p1-rail1-leaf1");
	/* one plane's worth of paths on each of the 2 planes */
	paths_are(t, 0, 2, 2, 2 * 1);
	paths_are(t, 0, 6, 4, 2 * 3);
	paths_are(t, 0, 1, 4, 2 * 3);
	sim_topo_free(t);
}

/* Parameters out of range come back as -EINVAL with the key; nothing is printed. */
static void gen_fails(int ret, int want_ret, const char *err, const char *want)
{
	assert_int_equal(ret, want_ret);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in \"%s\"", want, err);
}

static void test_gen_errors(void **state)
{
	struct sim_leafspine_params ls = { .c = { .host_rate_bps = 800 * G }, .leaves = 2,
					   .hosts_per_leaf = 2, .spines = 1 };
	struct sim_fattree_params ft = { .c = { .host_rate_bps = 800 * G }, .pods = 2,
					 .leaves_per_pod = 1, .hosts_per_leaf = 1,
					 .aggs_per_pod = 1 };
	struct sim_railopt_params ro = { .c = { .host_rate_bps = 800 * G }, .servers = 2,
					 .gpus_per_server = 2, .spines = 1 };
	static struct sim_topo sentinel;
	struct sim_leafspine_params p;
	struct sim_topo *t = &sentinel;
	char err[256];

	p = ls;
	p.leaves = 0;
	gen_fails(sim_topo_leafspine(&p, &t, err, sizeof(err)), -EINVAL, err,
		  "'leaves' = 0 is out of range (expected 1..16777216)");
	assert_null(t);
	p = ls;
	p.c.host_rate_bps = 0;
	gen_fails(sim_topo_leafspine(&p, &t, err, sizeof(err)), -EINVAL, err, "missing 'host_rate'");
	p = ls;
	p.spines = 0;
	gen_fails(sim_topo_leafspine(&p, &t, err, sizeof(err)), -EINVAL, err,
		  "2 leaves need spines (expected spines >= 1)");
	p.oversubscription = -1;
	gen_fails(sim_topo_leafspine(&p, &t, err, sizeof(err)), -EINVAL, err,
		  "'oversubscription' = -1 is out of range (expected 0.01..1000)");
	p = ls;
	p.oversubscription = 2;
	gen_fails(sim_topo_leafspine(&p, &t, err, sizeof(err)), -EINVAL, err,
		  "give either 'spines' or 'oversubscription', not both");
	p = ls;
	p.hosts = 2;
	gen_fails(sim_topo_leafspine(&p, &t, err, sizeof(err)), -EINVAL, err,
		  "'hosts' = 2 leaves a leaf empty (expected 3..4)");
	p = ls;
	p.hosts_per_leaf = 65535;
	gen_fails(sim_topo_leafspine(&p, &t, err, sizeof(err)), -E2BIG, err,
		  "a leaf would have 65536 ports (hosts_per_leaf + spines x links_per_spine)");
	ft.cores_per_group = 0;
	gen_fails(sim_topo_fattree(&ft, &t, err, sizeof(err)), -EINVAL, err,
		  "2 pods need cores (expected cores_per_group >= 1)");
	ft.pods = 0;
	gen_fails(sim_topo_fattree(&ft, &t, err, sizeof(err)), -EINVAL, err, "missing 'hosts'");
	ro.leaves_per_rail = 3;
	gen_fails(sim_topo_railopt(&ro, &t, err, sizeof(err)), -EINVAL, err,
		  "'leaves_per_rail' = 3 is out of range (expected 1..2)");
	ro.leaves_per_rail = 1;
	ro.c.planes = 65;
	gen_fails(sim_topo_railopt(&ro, &t, err, sizeof(err)), -EINVAL, err,
		  "'planes' = 65 is out of range (expected 1..64)");
	assert_null(t);
}

/* The explicit builder from C: ids, names, tiers, and errors by node index. */
static void test_gen_explicit(void **state)
{
	struct sim_explicit_node nodes[] = {
		{ .name = "sw", .kind = SIM_NODE_SWITCH },
		{ .name = "a", .kind = SIM_NODE_HOST },
		{ .name = "b", .kind = SIM_NODE_HOST },
		{ .name = "lonely", .kind = SIM_NODE_SWITCH, .tier = 2 },
	};
	struct sim_explicit_link links[] = {
		{ .a = 1, .b = 0, .rate_bps = 100 * G, .delay_ps = 7 },
		{ .a = 0, .b = 2, .rate_bps = 100 * G, .delay_ps = 7 },
		{ .a = 0, .b = 3, .rate_bps = 200 * G, .delay_ps = 9 },
	};
	struct sim_explicit_params p = { .nodes = nodes, .nnodes = 4, .links = links, .nlinks = 3 };
	struct sim_topo *t;
	uint32_t bad;
	char err[256];

	assert_int_equal(sim_topo_explicit(&p, &t, &bad, err, sizeof(err)), 0);
	assert_int_equal(bad, SIM_NONE);
	check_invariants(t);
	/* hosts first: a = 0, b = 1, then sw = 2, lonely = 3 */
	name_is(t, 0, "a");
	name_is(t, 2, "sw");
	assert_int_equal(t->route, SIM_ROUTE_TABLE);
	assert_int_equal(t->nodes[2].tier, 1);
	assert_int_equal(t->nodes[3].tier, 2);
	paths_are(t, 0, 1, 2, 1);
	sim_topo_free(t);

	/* without the link to it, "lonely" (index 3) is cut off */
	p.nlinks = 2;
	gen_fails(sim_topo_explicit(&p, &t, &bad, err, sizeof(err)), -ENOTCONN, err,
		  "node \"lonely\" is not connected to the rest of the graph");
	assert_int_equal(bad, 3);
	assert_null(t);
	p.nlinks = 3;
	links[2] = (struct sim_explicit_link){ .a = 1, .b = 2, .rate_bps = G };
	gen_fails(sim_topo_explicit(&p, &t, &bad, err, sizeof(err)), -EINVAL, err,
		  "link joins hosts \"a\" and \"b\" (hosts attach to switches only)");
	links[2] = (struct sim_explicit_link){ .a = 0, .b = 3, .rate_bps = G };
	nodes[3].name = "a";
	gen_fails(sim_topo_explicit(&p, &t, &bad, err, sizeof(err)), -EINVAL, err,
		  "duplicate node name \"a\" (first given as node 1)");
	assert_int_equal(bad, 3);
	nodes[3].name = "lonely";
	links[1].rate_bps = 0;
	gen_fails(sim_topo_explicit(&p, &t, &bad, err, sizeof(err)), -EINVAL, err,
		  "link sw-b: rate 0 b/s is out of range");
}

/* Field by field: the loader and a generator built the same graph. */
static void same_graph(const struct sim_topo *a, const struct sim_topo *b)
{
	char na[80], nb[80];
	uint32_t i;

	assert_string_equal(a->kind, b->kind);
	assert_int_equal(a->route, b->route);
	assert_int_equal(a->nnodes, b->nnodes);
	assert_int_equal(a->nports, b->nports);
	assert_int_equal(a->nhosts, b->nhosts);
	assert_int_equal(a->ntiers, b->ntiers);
	assert_int_equal(a->nplanes, b->nplanes);
	assert_int_equal(a->gpus_per_server, b->gpus_per_server);
	assert_memory_equal(&a->layout, &b->layout, sizeof(a->layout));
	for (i = 0; i < a->nnodes; i++) {
		const struct sim_node *x = &a->nodes[i], *y = &b->nodes[i];

		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->tier, y->tier);
		assert_int_equal(x->nports, y->nports);
		assert_int_equal(x->ndown, y->ndown);
		assert_int_equal(x->first_port, y->first_port);
		assert_int_equal(x->pod, y->pod);
		assert_int_equal(x->group, y->group);
		assert_int_equal(x->index, y->index);
		sim_topo_node_name(a, i, na, sizeof(na));
		sim_topo_node_name(b, i, nb, sizeof(nb));
		assert_string_equal(na, nb);
	}
	for (i = 0; i < a->nports; i++) {
		assert_int_equal(a->ports[i].node, b->ports[i].node);
		assert_int_equal(a->ports[i].peer, b->ports[i].peer);
		assert_int_equal(a->ports[i].rate_bps, b->ports[i].rate_bps);
		assert_int_equal(a->ports[i].delay_ps, b->ports[i].delay_ps);
		assert_int_equal(a->ports[i].up, b->ports[i].up);
	}
	assert_int_equal(a->nedges, b->nedges);
	if (a->route == SIM_ROUTE_TABLE) {
		assert_memory_equal(a->edge_of_switch, b->edge_of_switch,
				    a->nswitches * sizeof(*a->edge_of_switch));
		assert_memory_equal(a->dist, b->dist, (size_t)a->nedges * a->nswitches);
	}
}

/* The presets, and what their keys mean in C (cable metres x 5 ns). */
static void test_loader_is_generator(void **state)
{
	const struct sim_leafspine_params small = {
		.c = { .host_rate_bps = 800 * G, .host_delay_ps = 3 * 5000,
		       .fabric_delay_ps = 20 * 5000, .core_delay_ps = 20 * 5000 },
		.leaves = 8, .hosts_per_leaf = 16, .spines = 16, .links_per_spine = 1,
	};
	const struct sim_railopt_params rail = {
		.c = { .host_rate_bps = 400 * G, .fabric_rate_bps = 800 * G,
		       .host_delay_ps = 3 * 5000, .fabric_delay_ps = 30 * 5000 },
		.servers = 128, .gpus_per_server = 8, .leaves_per_rail = 2, .spines = 8,
		.links_per_spine = 4,
	};
	const struct sim_fattree_params colossus = {
		.c = { .host_rate_bps = 400 * G, .fabric_rate_bps = 800 * G,
		       .host_delay_ps = 3 * 5000, .fabric_delay_ps = 30 * 5000,
		       .core_delay_ps = 100 * 5000 },
		.hosts = 100000, .pods = 49, .leaves_per_pod = 32, .hosts_per_leaf = 64,
		.aggs_per_pod = 32, .cores_per_group = 32, .core_rate_bps = 800 * G,
	};
	static const struct sim_explicit_node nodes[] = {
		{ "h0", SIM_NODE_HOST, 0, 0, 0 }, { "h1", SIM_NODE_HOST, 0, 0, 0 },
		{ "h2", SIM_NODE_HOST, 0, 0, 0 }, { "h3", SIM_NODE_HOST, 0, 0, 0 },
		{ "leaf0", SIM_NODE_SWITCH, 0, 0, 0 }, { "leaf1", SIM_NODE_SWITCH, 0, 0, 0 },
		{ "spine0", SIM_NODE_SWITCH, 2, 0, 0 }, { "spine1", SIM_NODE_SWITCH, 2, 0, 0 },
	};
	static const struct sim_explicit_link links[] = {
		{ 0, 4, 800 * G, 25000 }, { 1, 4, 800 * G, 25000 },
		{ 2, 5, 800 * G, 15000 }, { 3, 5, 800 * G, 15000 },
		{ 4, 6, 800 * G, 100000 }, { 4, 7, 800 * G, 100000 },
		{ 5, 6, 800 * G, 100000 }, { 5, 7, 800 * G, 100000 },
	};
	const struct sim_explicit_params tiny = { nodes, 8, links, 8 };
	struct sim_topo *file, *gen;
	char err[256];

	file = load_ok("topologies/small-800g.topo");
	assert_int_equal(sim_topo_leafspine(&small, &gen, err, sizeof(err)), 0);
	same_graph(file, gen);
	assert_string_equal(gen->name, "leafspine");
	sim_topo_free(gen);
	sim_topo_free(file);

	file = load_ok("topologies/railopt-8gpu.topo");
	assert_int_equal(sim_topo_railopt(&rail, &gen, err, sizeof(err)), 0);
	same_graph(file, gen);
	sim_topo_free(gen);
	sim_topo_free(file);

	file = load_ok("topologies/colossus-100k.topo");
	assert_int_equal(sim_topo_fattree(&colossus, &gen, err, sizeof(err)), 0);
	same_graph(file, gen);
	sim_topo_free(gen);
	sim_topo_free(file);

	file = load_ok("topologies/tiny-explicit.topo");
	assert_int_equal(sim_topo_explicit(&tiny, &gen, NULL, err, sizeof(err)), 0);
	same_graph(file, gen);
	sim_topo_free(gen);
	sim_topo_free(file);
}

/*
 * The library writes errors into the caller's buffer and prints nothing;
 * sim_topo_load() and sim_topo_load_string() print exactly that line.
 */
static void test_error_buffer(void **state)
{
	const char *text = "fabric = {\n kind = \"leafspine\";\n host_rate = \"800X\"; };\n";
	const char *want = "bad.topo:3: bad rate for 'host_rate': \"800X\" (expected e.g. \"800G\", "
			   "\"400Gb/s\" or \"1.6T\", 1M to 10T)";
	char err[SIM_TOPO_ERR_LEN], line[1024];
	struct sim_topo *t;
	struct capture c;

	capture_begin(&c);
	assert_int_equal(sim_topo_parse(text, "bad.topo", &t, err, sizeof(err)), -EINVAL);
	assert_null(t);
	assert_string_equal(err, want);
	assert_int_equal(sim_topo_read("/nonexistent/x.topo", &t, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.topo: cannot open: No such file or directory "
			    "(expected a topology file, see topologies/FORMAT.md)");
	/* a short buffer holds the start of the message */
	assert_int_equal(sim_topo_parse(text, "bad.topo", &t, err, 12), -EINVAL);
	assert_string_equal(err, "bad.topo:3:");
	capture_end(&c, "");
	assert_int_equal(capture_bytes, 0);

	snprintf(line, sizeof(line), "%s\n", want);
	capture_begin(&c);
	assert_null(sim_topo_load_string(text, "bad.topo"));
	capture_end(&c, line);
	assert_int_equal(capture_bytes, strlen(line));
}

/*
 * A libconfig string may span lines; the message quotes it with the line
 * breaks and tabs escaped as C writes them, so it stays one line.
 */
static void test_error_one_line(void **state)
{
	const char *text = "fabric = {\n kind = \"leafspine\";\n host_rate = \"8\n\t00G\"; };\n";
	const char *want = "bad.topo:3: bad rate for 'host_rate': \"8\\n\\t00G\" (expected e.g. \"800G\", "
			   "\"400Gb/s\" or \"1.6T\", 1M to 10T)";
	char err[SIM_TOPO_ERR_LEN];
	struct sim_topo *t;

	(void)state;
	assert_int_equal(sim_topo_parse(text, "bad.topo", &t, err, sizeof(err)), -EINVAL);
	assert_null(t);
	assert_string_equal(err, want);
	assert_null(strchr(err, '\n'));
	/* an escape that does not fit is left out whole, never cut in two */
	assert_int_equal(sim_topo_parse(text, "bad.topo", &t, err, 42), -EINVAL);
	assert_string_equal(err, "bad.topo:3: bad rate for 'host_rate': \"8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_leafspine),
		cmocka_unit_test(test_oversub),
		cmocka_unit_test(test_oversub_per_tier),
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
		cmocka_unit_test(test_field_ranges),
		cmocka_unit_test(test_radix),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_mem_bytes),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_prescan),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_one_host),
		cmocka_unit_test(test_bench_ranges),
		cmocka_unit_test(test_map_lines),
		cmocka_unit_test(test_gen_leafspine),
		cmocka_unit_test(test_gen_fattree),
		cmocka_unit_test(test_gen_railopt),
		cmocka_unit_test(test_gen_errors),
		cmocka_unit_test(test_gen_explicit),
		cmocka_unit_test(test_loader_is_generator),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_error_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
