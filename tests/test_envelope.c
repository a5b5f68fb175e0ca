/*
 * The transport envelope: every configuration's NIC is the same RC sender
 * (no byte window unless the CC is window-based, a connection's QPs send
 * their flows in posting order, rate from the CC). On an idle path a ring
 * all-reduce then takes what the alpha-beta model says, at every size and
 * rank count; and more QPs per connection never cost throughput, whatever
 * the congestion control.
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
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"
#include "sim/results/stats.h"
#include "sim/traffic/coll_sim.h"
#include "sim/traffic/workload.h"

#define LINE_BPS 800e9
#define CABLE_PS 100000.0	/* 20 m of cable at 5 ns/m */
#define SWITCH_PS 600000.0	/* latency_ns = 600 */
#define MTU 4096
#define CHUNK (1ULL << 20)

/* One switch, N hosts at 800G: every ring link is an idle path. */
static struct sim_topo *one_leaf(unsigned n)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "mtu = %u;\nswitch = { latency_ns = 600; buffer_mb = 160; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = 1; hosts_per_leaf = %u; spines = 1;\n"
		 "  host_rate = \"800G\"; fabric_rate = \"800G\"; cable_m = 20.0; };\n",
		 MTU, n);
	return sim_topo_load_string(text, "envelope.topo");
}

static void ring_job(struct sim_coll_job *j, unsigned n, uint64_t bytes)
{
	memset(j, 0, sizeof(*j));
	strcpy(j->name, "ring");
	j->kind = COLL_ALLREDUCE;
	j->algo = COLL_ALGO_RING;
	j->nranks = n;
	j->bytes = bytes;
	j->elem_bytes = 4;
	j->nchannels = 1;
	j->chunk_bytes = CHUNK;
	j->gpus_per_server = 1;
	j->placement = SIM_PLACE_CONTIGUOUS;
	j->nvlink_bps = 3600e9;
	j->nvlink_lat_ps = 1000000;
}

/* Runs a ring all-reduce of BYTES over N ranks: its time, us, and %line. */
static double ring_run(struct sim_topo *t, const struct sim_config *cfg, unsigned n, uint64_t bytes,
		       double *effective)
{
	struct sim_coll_result r;
	struct sim_coll_job j;
	uint8_t *used = calloc(t->nhosts, 1);
	struct sim *s = sim_create(t, cfg);

	assert_non_null(used);
	assert_non_null(s);
	ring_job(&j, n, bytes);
	assert_int_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, &j, NULL, 0), 0);
	assert_int_equal(sim_run(s), 0);
	sim_coll_result(s, &j, &r);
	assert_true(r.complete);
	if (effective)
		*effective = r.effective;
	sim_destroy(s);
	free(j.rank_host);
	free(used);
	return r.time_us;
}

/*
 * The alpha-beta time of a pipelined ring all-reduce (the model NCCL's
 * tuner uses): 2(n-1) steps of latency alpha, plus every byte a link
 * carries at beta = 1 / line rate, headers included.
 *   chunks k = ceil(ceil(S / 1 MiB) / n) (collectives/algo.c, coll_nchunks),
 *   a step moves one block b = S / (k n) payload bytes, ceil(b / 4096)
 *   packets of 4096 + 82 wire bytes (RoCEv2 headers 62, preamble + IFG 20);
 *   a link carries 2(n-1) k blocks;
 *   alpha = one-way latency of the last packet of a block after the NIC
 *   sent it: cable 100 ns + switch 600 ns + the switch's serialization of
 *   one 4178 B frame at 800G (41.78 ns) + cable 100 ns = 841.78 ns.
 */
static double ring_ab_us(unsigned n, uint64_t bytes)
{
	uint64_t k = ((bytes + CHUNK - 1) / CHUNK + n - 1) / n;
	double b, wire, alpha;

	if (!k)
		k = 1;
	b = (double)bytes / (double)(k * n);
	wire = b + ceil(b / MTU) * 82;
	alpha = (2 * CABLE_PS + SWITCH_PS) * 1e-12 + (MTU + 82) * 8 / LINE_BPS;
	return (2.0 * (n - 1) * k * wire * 8 / LINE_BPS + 2.0 * (n - 1) * alpha) * 1e6;
}

static void ring_vs_ab(unsigned n, uint64_t bytes, enum sim_cc cc)
{
	struct sim_topo *t = one_leaf(n);
	struct sim_config cfg;
	double sim_us, ab_us;

	assert_non_null(t);
	sim_config_defaults(&cfg);
	cfg.cc = cc;
	sim_us = ring_run(t, &cfg, n, bytes, NULL);
	ab_us = ring_ab_us(n, bytes);
	if (fabs(sim_us / ab_us - 1) > 0.02)
		fail_msg("ring n=%u S=%llu cc=%d: %.1f us simulated, %.1f us alpha-beta", n,
			 (unsigned long long)bytes, (int)cc, sim_us, ab_us);
	sim_topo_free(t);
}

/*
 * Grid corners of n = 4..256, S = 1 MiB..1 GiB (experiments/ring-ab.sh
 * runs the whole grid): small n and large S are bandwidth-bound (k = 256
 * chunks at 4 ranks, 1 GiB: 1.5 GiB per link, 16.3 ms), large n and small
 * S latency-bound (510 steps of 4 KiB at 256 ranks: 2 x 255 x 0.89 us), the
 * middle both. Every CC without a window runs the same NIC.
 */
static void test_ring_ab_n4_1m(void **state)
{
	(void)state;
	ring_vs_ab(4, 1ULL << 20, SIM_CC_NONE);
	ring_vs_ab(4, 1ULL << 20, SIM_CC_DCQCN);
}

static void test_ring_ab_n4_1g(void **state)
{
	(void)state;
	ring_vs_ab(4, 1ULL << 30, SIM_CC_NONE);
}

static void test_ring_ab_n256_1m(void **state)
{
	(void)state;
	ring_vs_ab(256, 1ULL << 20, SIM_CC_NONE);
}

static void test_ring_ab_n64_64m(void **state)
{
	(void)state;
	ring_vs_ab(64, 64ULL << 20, SIM_CC_NONE);
}

/* A permutation of BYTES per host: payload / (hosts x line x makespan). */
static double perm_run(struct sim_topo *t, const struct sim_config *cfg, uint64_t bytes)
{
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = bytes, .seed = 1 };
	struct sim *s = sim_create(t, cfg);
	struct sim_results r;
	double frac;

	assert_non_null(s);
	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	sim_results_compute(s, &r);
	frac = (double)r.payload_bytes * 8 / ((double)s->nflows * LINE_BPS * r.makespan_us * 1e-6);
	sim_destroy(s);
	return frac;
}

/*
 * 1, 2, 4 and 8 QPs per connection on an idle path, each CC: a flow split
 * over more QPs has the same bytes to send through the same port, so its
 * throughput may not fall: at most 2% below the 1-QP figure (the split
 * adds one partial packet per QP, 3 x 82 B at 8 QPs of a 256 KiB block).
 */
static void multi_qp(enum sim_cc cc)
{
	struct sim_topo *t = one_leaf(16);
	struct sim_config cfg;
	double ring1 = 0, perm1 = 0;

	assert_non_null(t);
	for (uint32_t q = 1; q <= 8; q *= 2) {
		double ring, perm;

		sim_config_defaults(&cfg);
		cfg.cc = cc;
		cfg.qps_per_flow = q;
		ring_run(t, &cfg, 16, 16ULL << 20, &ring);
		perm = perm_run(t, &cfg, 4ULL << 20);
		if (q == 1) {
			ring1 = ring;
			perm1 = perm;
			/* and the 1-QP figures are themselves near the line */
			assert_true(ring1 > 0.80);
			assert_true(perm1 > 0.80);
		}
		if (ring < 0.98 * ring1 || perm < 0.98 * perm1)
			fail_msg("cc=%d, %u QPs: ring %.3f (1 QP %.3f), permutation %.3f (1 QP %.3f)", (int)cc, q,
				 ring, ring1, perm, perm1);
	}
	sim_topo_free(t);
}

static void test_multi_qp_none(void **state)
{
	(void)state;
	multi_qp(SIM_CC_NONE);
}

static void test_multi_qp_dcqcn(void **state)
{
	(void)state;
	multi_qp(SIM_CC_DCQCN);
}

static void test_multi_qp_telemetry(void **state)
{
	(void)state;
	multi_qp(SIM_CC_TELEMETRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_ab_n4_1m),
		cmocka_unit_test(test_ring_ab_n4_1g),
		cmocka_unit_test(test_ring_ab_n256_1m),
		cmocka_unit_test(test_ring_ab_n64_64m),
		cmocka_unit_test(test_multi_qp_none),
		cmocka_unit_test(test_multi_qp_dcqcn),
		cmocka_unit_test(test_multi_qp_telemetry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
