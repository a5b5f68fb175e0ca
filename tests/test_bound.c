/*
 * The ideal fluid bound (sim/traffic/bound.h) against figures derived by
 * hand. F = 4096 / 4178 is the payload per wire byte of a full 4 KiB
 * RoCEv2 frame (62 bytes of headers, 20 of preamble and gap), so a link of
 * rate C carries F x C of payload.
 *  - permutation on small-800g (non-blocking: 16 x 800G down and up per
 *    leaf): only the NICs cut, every flow gets F of line;
 *  - 2:1 oversubscribed leaf-spine, every host sending off its leaf: a
 *    leaf's 32 x 800G of hosts share 16 x 800G of uplinks: F / 2;
 *  - a leaf of small-800g that lost one of its 16 uplinks, its hosts all
 *    sending off-leaf: 15 x 800G for 16 hosts: 15/16 F; two leaves that
 *    lost different uplinks share only 14 live spine paths: 14/16 F (the
 *    pair cut, below both leaves' own 15/16);
 *  - incast of n senders to one host: its NIC gives each F / n;
 *  - a degraded uplink (800G -> 400G) of a leaf with two uplinks and two
 *    hosts sending off-leaf: 1200G for 1600G of hosts: 3/4 F;
 *  - one plane of a dual-plane NIC down: half the NIC, F / 2 of the
 *    two-plane rate;
 *  - 3-tier: pods whose surviving agg-core links reach different cores
 *    (test_pods), and a staggered start that the fluid follows over time
 *    (test_staggered), each derived at the test;
 *  - a ring all-reduce on a non-blocking fabric: every rank sends and
 *    receives 2(n-1)/n x S through its NIC, so T >= 2(n-1)/n x S / (F C)
 *    and busbw = S / T x 2(n-1)/n = F C: 100 GB/s x F at 800G (nccl-tests'
 *    busbw definition).
 * Effective figures: equal flows that start together at equal rates finish
 * together, so effective = all-active = the common rate / line rate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/gen.h"
#include "sim/cli/load.h"
#include "sim/traffic/bound.h"
#include "sim/traffic/workload.h"

#define F (4096.0 / 4178.0)
#define C800 800000000000ULL

static struct sim_topo *load(const char *path)
{
	char err[SIM_TOPO_ERR_LEN];
	struct sim_topo *t = NULL;

	assert_int_equal(sim_topo_read(path, &t, err, sizeof(err)), 0);
	return t;
}

static struct sim_topo *leafspine(unsigned int leaves, unsigned int hpl, unsigned int spines, unsigned int planes)
{
	char text[512];
	struct sim_topo *t;

	snprintf(text, sizeof(text),
		 "fabric = { kind = \"leafspine\"; leaves = %u; hosts_per_leaf = %u; spines = %u; planes = %u;\n"
		 "  host_rate = \"800G\"; cable_m = 2.0; };\n", leaves, hpl, spines, planes);
	t = sim_topo_load_string(text, "bound.topo");
	assert_non_null(t);
	return t;
}

/* The link between switch nodes A and B: its port at A. */
static uint32_t link_port(const struct sim_topo *t, uint32_t a, uint32_t b)
{
	const struct sim_node *n = &t->nodes[a];

	for (uint32_t p = n->first_port; p < n->first_port + n->nports; p++)
		if (t->ports[t->ports[p].peer].node == b)
			return p;
	fail();
	return SIM_NONE;
}

static void set_down(struct sim_topo *t, uint32_t port)
{
	t->ports[port].down = 1;
	t->ports[t->ports[port].peer].down = 1;
}

static void set_rate(struct sim_topo *t, uint32_t port, uint64_t bps)
{
	t->ports[port].rate_bps = bps;
	t->ports[t->ports[port].peer].rate_bps = bps;
}

/* The ideal of N flows of 1 MiB at time 0, SRC[i] -> DST[i], line 800G. */
static struct sim_bound_flows ideal_of(const struct sim_topo *t, const uint32_t *src, const uint32_t *dst,
				       uint32_t n)
{
	struct sim_bound_flow *f = calloc(n, sizeof(*f));
	struct sim_bound_flows out;
	struct sim_bound *b;

	assert_non_null(f);
	for (uint32_t i = 0; i < n; i++)
		f[i] = (struct sim_bound_flow){ src[i], dst[i], 1 << 20, 0, C800 };
	assert_int_equal(sim_bound_create(t, 4096, &b), 0);
	assert_int_equal(sim_bound_flows(b, f, n, &out), 0);
	sim_bound_free(b);
	free(f);
	return out;
}

static void assert_both(const struct sim_bound_flows *o, double want)
{
	print_message("ideal effective %.6f all-active %.6f, by hand %.6f\n", o->effective, o->all_active, want);
	assert_true(fabs(o->effective - want) < 1e-9);
	assert_true(fabs(o->all_active - want) < 1e-9);
}

static uint32_t leaf_of(const struct sim_topo *t, uint32_t h)
{
	return sim_topo_host_leaf(t, t->hosts[h], 0);
}

/* A run's permutation on small-800g: the NICs are the only cut. */
static void test_permutation_nonblocking(void **state)
{
	struct sim_topo *t = load("topologies/small-800g.topo");
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 1 << 20, .seed = 7 };
	struct sim_bound_flows o;
	struct sim_config cfg;
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	assert_int_equal(sim_bound_sim_flows(s, &o), 0);
	assert_both(&o, F);
	sim_destroy(s);
	sim_topo_free(t);
}

/* Host H of a leaf sends to the host HPL further on: always another leaf. */
static void shift_flows(const struct sim_topo *t, uint32_t hpl, uint32_t *src, uint32_t *dst)
{
	for (uint32_t h = 0; h < t->nhosts; h++) {
		src[h] = h;
		dst[h] = (h + hpl) % t->nhosts;
		assert_int_not_equal(leaf_of(t, src[h]), leaf_of(t, dst[h]));
	}
}

static void test_oversubscribed(void **state)
{
	struct sim_topo *t = load("topologies/leafspine-oversub.topo");
	uint32_t src[256], dst[256];
	struct sim_bound_flows o;

	(void)state;
	assert_int_equal(t->nhosts, 256);
	shift_flows(t, 32, src, dst);
	o = ideal_of(t, src, dst, 256);
	assert_both(&o, F / 2);
	sim_topo_free(t);
}

/* The 16 hosts of leaf L send to the 16 of leaf M. */
static struct sim_bound_flows leaf_to_leaf(const struct sim_topo *t, uint32_t l, uint32_t m)
{
	uint32_t src[16], dst[16];

	for (uint32_t i = 0; i < 16; i++) {
		src[i] = 16 * l + i;
		dst[i] = 16 * m + i;
		assert_int_equal(leaf_of(t, src[i]), leaf_of(t, 16 * l));
	}
	return ideal_of(t, src, dst, 16);
}

static void test_failed_uplink(void **state)
{
	struct sim_topo *t = load("topologies/small-800g.topo");
	uint32_t l0 = leaf_of(t, 0), l1 = leaf_of(t, 16), l2 = leaf_of(t, 32);
	uint32_t sp0 = t->ports[t->ports[t->nodes[l0].first_port + t->nodes[l0].ndown].peer].node;
	uint32_t sp1 = t->ports[t->ports[t->nodes[l0].first_port + t->nodes[l0].ndown + 1].peer].node;
	uint32_t src[128], dst[128];
	struct sim_bound_flows o;

	(void)state;
	o = leaf_to_leaf(t, 0, 1);
	assert_both(&o, F);
	/* leaf 0 loses its uplink to spine 0: 15 of 16 */
	set_down(t, link_port(t, l0, sp0));
	o = leaf_to_leaf(t, 0, 1);
	assert_both(&o, F * 15 / 16);
	/* traffic into leaf 0 from above: the same */
	o = leaf_to_leaf(t, 2, 0);
	assert_both(&o, F * 15 / 16);
	/* leaf 2 loses spine 1: leaf 0 -> leaf 2 has 14 spines left, each leaf 15 */
	set_down(t, link_port(t, l2, sp1));
	o = leaf_to_leaf(t, 0, 2);
	assert_both(&o, F * 14 / 16);
	/* leaves untouched: unchanged */
	o = leaf_to_leaf(t, 1, 3);
	assert_both(&o, F);
	(void)l1;
	/* everyone off-leaf: the all-active sum by hand, 128 flows */
	shift_flows(t, 16, src, dst);
	o = ideal_of(t, src, dst, 128);
	/* leaf 0 -> 1 (out of 0): 15/16; 1 -> 2 (into 2): 15/16; 2 -> 3 (out of 2): 15/16; 7 -> 0 (into 0): 15/16 */
	assert_true(fabs(o.all_active - F * (4 * 16 * 15.0 / 16 + 4 * 16) / 128) < 1e-9);
	/* the 64 full-rate flows finish at T, the others at 16/15 T and never speed up: sum line x FCT */
	assert_true(fabs(o.effective - 128 * F / (64 + 64 * 16.0 / 15)) < 1e-9);
	sim_topo_free(t);
}

static void test_incast(void **state)
{
	struct sim_topo *t = load("topologies/small-800g.topo");
	uint32_t src[5], dst[5];

	(void)state;
	for (uint32_t n = 1; n <= 5; n += 2) {
		struct sim_bound_flows o;

		for (uint32_t i = 0; i < n; i++) {
			src[i] = 1 + 20 * i;
			dst[i] = 0;
		}
		o = ideal_of(t, src, dst, n);
		assert_both(&o, F / n);
	}
	sim_topo_free(t);
}

static void test_degraded(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 2, 1);
	uint32_t l0 = leaf_of(t, 0);
	uint32_t sp0 = t->ports[t->ports[t->nodes[l0].first_port + t->nodes[l0].ndown].peer].node;
	uint32_t src[2] = { 0, 1 }, dst[2] = { 2, 3 };
	struct sim_bound_flows o;

	(void)state;
	assert_int_equal(leaf_of(t, 2), leaf_of(t, 3));
	assert_int_not_equal(leaf_of(t, 0), leaf_of(t, 2));
	o = ideal_of(t, src, dst, 2);
	assert_both(&o, F);
	set_rate(t, link_port(t, l0, sp0), C800 / 2);
	o = ideal_of(t, src, dst, 2);
	assert_both(&o, F * 3 / 4);
	/* a host's own link at half rate: its flow at half of 800G */
	set_rate(t, link_port(t, l0, sp0), C800);
	set_rate(t, t->nodes[t->hosts[0]].first_port, C800 / 2);
	o = ideal_of(t, src, dst, 1);
	assert_both(&o, F / 2);
	sim_topo_free(t);
}

/* Dual plane: a host's NIC is both planes; one plane's link down halves it. */
static void test_plane_down(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 2, 2);
	uint32_t src[1] = { 0 }, dst[1] = { 2 };
	struct sim_bound_flows o;

	(void)state;
	assert_int_equal(t->nplanes, 2);
	/* line rate is one port's: both planes give twice it */
	o = ideal_of(t, src, dst, 1);
	assert_both(&o, 2 * F);
	set_down(t, t->nodes[t->hosts[0]].first_port + 1);
	o = ideal_of(t, src, dst, 1);
	assert_both(&o, F);
	sim_topo_free(t);
}

static void test_ring_busbw(void **state)
{
	struct sim_topo *t = load("topologies/small-800g.topo");
	struct sim_coll_job j;
	struct coll_params p;
	struct sim_bound_coll o;
	struct sim_bound *b;
	struct coll_gen g;
	uint8_t used[128] = { 0 };

	(void)state;
	memset(&j, 0, sizeof(j));
	strcpy(j.name, "t");
	j.kind = COLL_ALLREDUCE;
	j.algo = COLL_ALGO_RING;
	j.nranks = 128;
	j.bytes = 4 << 20;
	j.elem_bytes = 4;
	j.gpus_per_server = 1;
	assert_int_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	sim_coll_job_params(&j, j.bytes, &p);
	assert_int_equal(coll_gen_create(&g, &p), 0);
	assert_int_equal(sim_bound_create(t, 4096, &b), 0);
	assert_int_equal(sim_bound_coll(b, &j, &g, &o), 0);
	print_message("ring busbw ideal %.4f GB/s, by hand %.4f\n", o.busbw_GBps, 100 * F);
	assert_true(fabs(o.busbw_GBps - 100 * F) < 1e-9);
	/* every rank sends 2(n-1)/n x S */
	assert_int_equal(o.net_bytes, 128ULL * 2 * 127 * (j.bytes / 128));
	sim_bound_free(b);
	coll_gen_free(&g);
	free(j.rank_host);
	sim_topo_free(t);
}

/*
 * A 3-tier fat-tree of 2 pods, 2 leaves of 2 hosts, 2 aggs, 2 cores per
 * group (agg j of each pod to cores 2j, 2j+1): non-blocking, a pod's 4
 * hosts leave through 4 agg-core links. Pod 0's agg 0 loses core 0, pod
 * 1's agg 0 loses core 1: each pod keeps 3 of 4, but only cores 2 and 3
 * still join them, so pod 0's 4 hosts sending to pod 1 get 2 / 4 of line.
 */
static void test_pods(void **state)
{
	static const char text[] =
		"fabric = { kind = \"fattree\"; pods = 2; leaves_per_pod = 2; hosts_per_leaf = 2; aggs_per_pod = 2;\n"
		"  cores_per_group = 2; host_rate = \"800G\"; cable_m = 2.0; };\n";
	struct sim_topo *t = sim_topo_load_string(text, "pods.topo");
	uint32_t agg[2][2], core[4], na[2] = { 0, 0 }, nc = 0, src[4], dst[4];
	struct sim_bound_flows o;

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->ntiers, 3);
	for (uint32_t i = 0; i < t->nswitches; i++) {
		const struct sim_node *n = &t->nodes[t->switches[i]];

		if (n->tier == 2)
			agg[n->pod][na[n->pod]++] = t->switches[i];
		else if (n->tier == 3)
			core[nc++] = t->switches[i];
	}
	assert_int_equal(nc, 4);
	for (uint32_t i = 0; i < 4; i++) {
		src[i] = i;
		dst[i] = 4 + i;
		assert_int_equal(t->nodes[leaf_of(t, i)].pod, 0);
		assert_int_equal(t->nodes[leaf_of(t, 4 + i)].pod, 1);
	}
	o = ideal_of(t, src, dst, 4);
	assert_both(&o, F);
	set_down(t, link_port(t, agg[0][0], core[0]));
	o = ideal_of(t, src, dst, 4);
	assert_both(&o, F * 3 / 4);
	set_down(t, link_port(t, agg[1][0], core[1]));
	o = ideal_of(t, src, dst, 4);
	assert_both(&o, F / 2);
	sim_topo_free(t);
}

/*
 * The fluid over time: two 1 MiB flows into one host, the second starting
 * at T / 2 (T = 1 MiB at F x 800G = 4178 / 4096 x 10 ps a byte). The first
 * moves half alone, the rest at half rate: done at 3/2 T; the second has
 * moved half by then and ends alone at 2 T. Effective = 2 x 1 MiB / (800G
 * x (3/2 T + 3/2 T)) = 2/3 F; with both present each has half the NIC:
 * all-active F / 2.
 */
static void test_staggered(void **state)
{
	struct sim_topo *t = load("topologies/small-800g.topo");
	const uint64_t T_ps = (1 << 20) / 4096 * 41780;
	struct sim_bound_flow f[2] = { { 1, 0, 1 << 20, 0, C800 }, { 2, 0, 1 << 20, T_ps / 2, C800 } };
	struct sim_bound_flows o;
	struct sim_bound *b;

	(void)state;
	assert_int_equal(sim_bound_create(t, 4096, &b), 0);
	assert_int_equal(sim_bound_flows(b, f, 2, &o), 0);
	print_message("staggered: effective %.6f (by hand %.6f), all-active %.6f (%.6f)\n", o.effective, 2 * F / 3,
		      o.all_active, F / 2);
	assert_true(fabs(o.effective - 2 * F / 3) < 1e-9);
	assert_true(fabs(o.all_active - F / 2) < 1e-9);
	sim_bound_free(b);
	sim_topo_free(t);
}

/*
 * Many damaged pairs: 40 leaves of one 800G host, 4 spines at 200G, leaf l losing
 * spine l % 4 when l % 3 == 0: an all-to-all of 1,560 flows meets more
 * leaf pairs than the pair table starts with. The same flows in reverse
 * order fill the table in another order: the same figures. And each pair
 * alone gets what the test counts itself: the spines both still reach,
 * 200G each, of its 800G.
 */
static void test_many_pairs(void **state)
{
	static const char text[] =
		"fabric = { kind = \"leafspine\"; leaves = 40; hosts_per_leaf = 1; spines = 4;\n"
		"  host_rate = \"800G\"; fabric_rate = \"200G\"; cable_m = 2.0; };\n";
	struct sim_topo *t = sim_topo_load_string(text, "pairs.topo");
	struct sim_bound_flow *f = calloc(40 * 39, sizeof(*f)), *r = calloc(40 * 39, sizeof(*r));
	struct sim_bound_flows o1, o2;
	struct sim_bound *b;
	uint32_t n = 0, sp[4], lf[40];

	(void)state;
	assert_true(f && r);
	for (uint32_t l = 0; l < 40; l++)
		lf[l] = leaf_of(t, l);
	for (uint32_t k = 0; k < 4; k++)
		sp[k] = t->ports[t->ports[t->nodes[lf[0]].first_port + t->nodes[lf[0]].ndown + k].peer].node;
	for (uint32_t l = 0; l < 40; l += 3)
		set_down(t, link_port(t, lf[l], sp[l % 4]));
	for (uint32_t a = 0; a < 40; a++)
		for (uint32_t d = 0; d < 40; d++)
			if (a != d)
				f[n++] = (struct sim_bound_flow){ a, d, 1 << 20, 0, C800 };
	for (uint32_t i = 0; i < n; i++)
		r[i] = f[n - 1 - i];
	assert_int_equal(sim_bound_create(t, 4096, &b), 0);
	assert_int_equal(sim_bound_flows(b, f, n, &o1), 0);
	assert_int_equal(sim_bound_flows(b, r, n, &o2), 0);
	assert_true(o1.all_active > 0 && o1.all_active <= F);
	assert_true(fabs(o1.all_active - o2.all_active) < 1e-12 && fabs(o1.effective - o2.effective) < 1e-12);
	for (uint32_t a = 0; a < 40; a++) {
		for (uint32_t d = 0; d < 40; d++) {
			uint32_t live = 0;

			if (a == d)
				continue;
			for (uint32_t k = 0; k < 4; k++)
				live += !(a % 3 == 0 && a % 4 == k) && !(d % 3 == 0 && d % 4 == k);
			f[0] = (struct sim_bound_flow){ a, d, 1 << 20, 0, C800 };
			assert_int_equal(sim_bound_flows(b, f, 1, &o1), 0);
			/* 4 spines of 200G for one 800G host: live / 4 of line */
			assert_true(fabs(o1.all_active - F * live / 4) < 1e-9);
			assert_true(fabs(o1.effective - F * live / 4) < 1e-9);
		}
	}
	sim_bound_free(b);
	free(f);
	free(r);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permutation_nonblocking),
		cmocka_unit_test(test_oversubscribed),
		cmocka_unit_test(test_failed_uplink),
		cmocka_unit_test(test_incast),
		cmocka_unit_test(test_degraded),
		cmocka_unit_test(test_plane_down),
		cmocka_unit_test(test_ring_busbw),
		cmocka_unit_test(test_pods),
		cmocka_unit_test(test_staggered),
		cmocka_unit_test(test_many_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
