/*
 * Arithmetic on bytes, rates and picoseconds at the extremes: 1 byte to
 * 1 TiB, 1 Gb/s to 1.6 Tb/s, 1 ps to 1 s. Every expected value is worked
 * out by hand in the comment beside it. Before collectives/arith.h, sim_ser_ps
 * multiplied bytes x 8 x 10^12 in 64 bits and wrapped above 2,305,843
 * bytes, which made an 8-GPU hierarchical all-reduce of 1 GiB inside one
 * server report 65 TB/s of bus bandwidth.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/cli/load.h"
#include "collectives/arith.h"
#include "sim/traffic/coll_sim.h"
#include "sim/fabric/sim.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)
#define GBPS 1000000000ULL
#define TBPS 1000000000000ULL

static void test_mul_div(void **state)
{
	(void)state;
	/* 10 x 3 / 4 = 7.5: down 7, up 8 */
	assert_int_equal(coll_mul_div_u64(10, 3, 4), 7);
	assert_int_equal(coll_mul_div_up_u64(10, 3, 4), 8);
	/* exact quotients do not round up */
	assert_int_equal(coll_mul_div_up_u64(12, 3, 4), 9);
	/* 2^63 x 4 = 2^65 needs 128 bits; / 8 = 2^62 */
	assert_int_equal(coll_mul_div_u64(1ULL << 63, 4, 8), 1ULL << 62);
	/* (2^64 - 1)^2 / (2^64 - 1) = 2^64 - 1 exactly: not a saturation */
	assert_true(coll_mul_div_u64(UINT64_MAX, UINT64_MAX, UINT64_MAX) == UINT64_MAX);
	assert_true(coll_mul_div_up_u64(UINT64_MAX, UINT64_MAX, UINT64_MAX) == UINT64_MAX);
	/* (2^64 - 1) x 3 / 2 > 2^64: saturates */
	assert_true(coll_mul_div_u64(UINT64_MAX, 3, 2) == UINT64_MAX);
	assert_true(coll_mul_div_up_u64(UINT64_MAX, 3, 2) == UINT64_MAX);
	/* (2^64 - 1) x 3 / 4 = 13835058055282163711.25 fits: floor and ceil */
	assert_true(coll_mul_div_u64(UINT64_MAX, 3, 4) == 13835058055282163711ULL);
	assert_true(coll_mul_div_up_u64(UINT64_MAX, 3, 4) == 13835058055282163712ULL);
	/* division by zero is "never", not a trap */
	assert_true(coll_mul_div_u64(1, 1, 0) == UINT64_MAX);
	assert_true(coll_mul_div_up_u64(0, 1, 0) == UINT64_MAX);
}

static void test_saturating(void **state)
{
	(void)state;
	assert_int_equal(coll_add_sat_u64(2, 3), 5);
	assert_true(coll_add_sat_u64(UINT64_MAX - 1, 1) == UINT64_MAX);
	assert_true(coll_add_sat_u64(UINT64_MAX, 1) == UINT64_MAX);
	assert_true(coll_add_sat_u64(1ULL << 63, 1ULL << 63) == UINT64_MAX);
	/* 2^32 x 2^31 = 2^63 fits; 2^32 x 2^32 = 2^64 does not */
	assert_true(coll_mul_sat_u64(1ULL << 32, 1ULL << 31) == 1ULL << 63);
	assert_true(coll_mul_sat_u64(1ULL << 32, 1ULL << 32) == UINT64_MAX);
	assert_int_equal(coll_mul_sat_u64(0, UINT64_MAX), 0);
}

/* bytes -> ps on the wire, rounded up */
static void test_ser_ps(void **state)
{
	(void)state;
	/* 1 B = 8 bits at 1 Gb/s: 8 ns */
	assert_int_equal(sim_ser_ps(1, GBPS), 8000);
	/* 8 bits at 1.6 Tb/s: 5 ps */
	assert_int_equal(sim_ser_ps(1, 1600 * GBPS), 5);
	/* 8 bits at 3 Gb/s: 2666.67 ps, up to 2667 */
	assert_int_equal(sim_ser_ps(1, 3 * GBPS), 2667);
	/* 8 bits at 7 Tb/s: 1.14 ps, up to 2: never 0 for a non-empty frame */
	assert_int_equal(sim_ser_ps(1, 7 * TBPS), 2);
	/* a 4096 B RoCE frame, 4178 B on the wire, at 800 Gb/s: 41.78 ns */
	assert_int_equal(sim_ser_ps(4178, 800 * GBPS), 41780);
	/* 2^64 / 8e12 = 2,305,843.009 B: the first size the 64-bit product wrapped at;
	 * at 800 Gb/s one byte takes 10 ps: 23,058,440 ps */
	assert_int_equal(sim_ser_ps(2305844, 800 * GBPS), 23058440);
	/* 1 GiB over NVLink-class 3.6 Tb/s: 2^33 bits / 3.6e12 = 2,386,092,942.2 ps, up */
	assert_int_equal(sim_ser_ps(GIB, 3600 * GBPS), 2386092943ULL);
	/* 1 TiB at 1 Gb/s: 2^40 x 8000 ps = 8,796,093,022,208,000 ps (2.4 hours) */
	assert_true(sim_ser_ps(TIB, GBPS) == 8796093022208000ULL);
	/* 1 TiB at 1.6 Tb/s: 2^40 x 5 ps = 5,497,558,138,880 ps */
	assert_true(sim_ser_ps(TIB, 1600 * GBPS) == 5497558138880ULL);
	/* 1 TiB at 400 Gb/s: 2^40 x 20 ps */
	assert_true(sim_ser_ps(TIB, 400 * GBPS) == 21990232555520ULL);
	/* one second of line rate: 2e11 B at 1.6 Tb/s, 1.25e8 B at 1 Gb/s */
	assert_true(sim_ser_ps(200000000000ULL, 1600 * GBPS) == 1000000000000ULL);
	assert_true(sim_ser_ps(125000000ULL, GBPS) == 1000000000000ULL);
	/* no rate, or 1 TiB at 1 b/s (8.8e24 ps): never */
	assert_true(sim_ser_ps(1, 0) == UINT64_MAX);
	assert_true(sim_ser_ps(TIB, 1) == UINT64_MAX);
	assert_true(sim_ser_ps(UINT64_MAX, 1) == UINT64_MAX);
}

/* ps -> bytes a wire carries, rounded down */
static void test_ps_to_bytes(void **state)
{
	(void)state;
	/* 1 ps at 1 Gb/s: 1.25e-4 B; at 1.6 Tb/s 0.2 B: nothing whole */
	assert_int_equal(coll_ps_to_bytes(1, GBPS), 0);
	assert_int_equal(coll_ps_to_bytes(1, 1600 * GBPS), 0);
	/* 5 ps at 1.6 Tb/s: 1 B */
	assert_int_equal(coll_ps_to_bytes(5, 1600 * GBPS), 1);
	/* 1 s: 2e11 B at 1.6 Tb/s, 1.25e8 B at 1 Gb/s */
	assert_true(coll_ps_to_bytes(1000000000000ULL, 1600 * GBPS) == 200000000000ULL);
	assert_int_equal(coll_ps_to_bytes(1000000000000ULL, GBPS), 125000000);
	/* the small-800g BDP: base RTT 4,230,560 ps x 100 B/ns = 423,056 B */
	assert_int_equal(coll_ps_to_bytes(4230560, 800 * GBPS), 423056);
	/* 2^62 ps at 1.6 Tb/s: 9.2e17 B, a product of 2^102 handled exactly */
	assert_true(coll_ps_to_bytes(1ULL << 62, 1600 * GBPS) == 922337203685477580ULL);
}

static struct sim_topo *leafspine(unsigned hpl)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "switch = { latency_ns = 600; buffer_mb = 64; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = %u; spines = 1;\n"
		 "  host_rate = \"800G\"; cable_m = 2.0; };\n", hpl);
	return sim_topo_load_string(text, "arith.topo");
}

/*
 * Two leaves, one spine, 800G, 2 m cables (10 ns), 600 ns switches.
 * Data 4178 B: 41,780 ps per hop; 4 hops + 3 switches = 4 x 51,780 +
 * 1,800,000 = 2,007,120 ps. ACK 86 B: 860 ps per hop, 4 x 10,860 +
 * 1,800,000 = 1,843,440 ps. RTT 3,850,560 ps; BDP 385,056 B = 94.01
 * packets, up to 95, plus 4 coalesced: 99 x 4096 = 405,504 B for a
 * window-based CC; the others keep no window.
 */
static void test_rtt_window_headroom(void **state)
{
	struct sim_topo *t = leafspine(2);
	struct sim_config cfg;

	(void)state;
	assert_non_null(t);
	sim_config_defaults(&cfg);
	assert_int_equal(sim_base_rtt_ps(t, 4096), 3850560);
	/* the one-BDP window belongs to the window-based CC (telemetry) */
	cfg.cc = SIM_CC_TELEMETRY;
	assert_int_equal(sim_config_window(t, &cfg, 3850560), 405504);
	/* a configured window is taken as is, whatever the CC */
	cfg.window_bytes = 1 << 20;
	assert_int_equal(sim_config_window(t, &cfg, 3850560), 1 << 20);
	cfg.cc = SIM_CC_NONE;
	assert_int_equal(sim_config_window(t, &cfg, 3850560), 1 << 20);
	/* rate-based or no CC (the default none, DCQCN): no window, as a
	 * ConnectX RoCE QP, only the PSN space bounds what is in flight */
	cfg.window_bytes = 0;
	assert_int_equal(sim_config_window(t, &cfg, 3850560), SIM_WINDOW_UNLIMITED);
	cfg.cc = SIM_CC_DCQCN;
	assert_int_equal(sim_config_window(t, &cfg, 3850560), SIM_WINDOW_UNLIMITED);
	/* PFC headroom of a leaf port: 2 x 1,000 B of cable + 60,000 B of
	 * pipeline + 3 x 4,178 B frames + an 84 B PAUSE + the upstream's
	 * reaction, 394 quanta x 512 bits / 8 = 25,216 B: 99,834 B */
	assert_int_equal(sim_pfc_headroom_need(t, t->ports[t->nodes[t->hosts[0]].first_port].peer, 4096), 99834);
	sim_topo_free(t);
}

static struct sim *mksim(struct sim_topo *t)
{
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	return s;
}

/* Whole transfers on the NVLink-class path: one serialization of all the bytes. */
static void test_local_flow_extremes(void **state)
{
	struct sim_topo *t = leafspine(2);
	struct sim *s;

	(void)state;
	assert_non_null(t);
	s = mksim(t);
	/* 1 GiB at 3.6 Tb/s plus 1 us: 2,386,092,943 + 1,000,000 ps */
	assert_int_equal(sim_add_local_flow(s, 0, 1, GIB, 3600 * GBPS, 1000000), 0);
	/* 1 TiB at 1.6 Tb/s, no latency: 5,497,558,138,880 ps (5.5 s) */
	assert_int_equal(sim_add_local_flow(s, 2, 3, TIB, 1600 * GBPS, 0), 1);
	/* 1 B at 1 Gb/s: 8 ns */
	assert_int_equal(sim_add_local_flow(s, 1, 0, 1, GBPS, 0), 2);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows[0].finish_ps, 2387092943ULL);
	assert_true(s->flows[1].finish_ps == 5497558138880ULL);
	assert_int_equal(s->flows[2].finish_ps, 8000);
	assert_true(s->flows[1].rx_bytes == TIB);
	sim_destroy(s);

	/* 1 TiB at 1 b/s would take 8.8e24 ps: the run fails, it does not wrap */
	s = mksim(t);
	assert_int_equal(sim_add_local_flow(s, 0, 1, TIB, 1, 0), 0);
	assert_int_equal(sim_run(s), -ERANGE);
	assert_non_null(strstr(sim_error(s), "horizon"));
	sim_destroy(s);
	sim_topo_free(t);
}

/* Network flows: sizes up to the 2^31 packets PSNs count. */
static void test_flow_size_limits(void **state)
{
	struct sim_topo *t = leafspine(2);
	struct sim *s;

	(void)state;
	assert_non_null(t);
	s = mksim(t);
	/* 1 TiB in 4096 B packets is 2^28 packets: accepted */
	assert_int_equal(sim_add_flow(s, 0, 3, TIB, 0), 0);
	/* 2^31 x 4096 B = 8 TiB is 2^31 packets: refused, with the reason */
	assert_int_equal(sim_add_flow(s, 0, 3, (1ULL << 31) * 4096, 0), -EINVAL);
	assert_non_null(strstr(sim_error(s), "packets"));
	/* a start past the 2^62 ps horizon is refused */
	assert_int_equal(sim_add_flow(s, 0, 3, 1, SIM_TIME_LIMIT_PS + 1), -EINVAL);
	assert_non_null(strstr(sim_error(s), "horizon"));
	assert_int_equal(s->nflows, 1);
	sim_destroy(s);
	sim_topo_free(t);
}

static void coll_job(struct sim_coll_job *j, enum coll_kind kind, enum coll_algo algo, uint64_t bytes,
		     uint64_t chunk)
{
	memset(j, 0, sizeof(*j));
	strcpy(j->name, "arith");
	j->kind = kind;
	j->algo = algo;
	j->nranks = 8;
	j->bytes = bytes;
	j->elem_bytes = 4;
	j->chunk_bytes = chunk;
	j->gpus_per_server = 8;
	j->nvlink_bps = 3600 * GBPS;
	j->nvlink_lat_ps = 1000000;
}

static uint64_t coll_end_ps(struct sim_topo *t, struct sim_coll_job *j)
{
	uint8_t used[16] = { 0 };
	struct sim *s = mksim(t);
	uint64_t end = 0;

	assert_int_equal(sim_coll_place(t, j, used, 1, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, j, NULL, 0), 0);
	s->keep_flows = 1;
	assert_int_equal(sim_run(s), 0);
	for (uint32_t i = 0; i < s->nflows; i++) {
		struct sim_flow tmp;
		const struct sim_flow *f = sim_flow_get(s, i, &tmp);

		if (f->finish_ps > end)
			end = f->finish_ps;
	}
	assert_int_equal(s->flows_done, s->nflows);
	sim_destroy(s);
	free(j->rank_host);
	j->rank_host = NULL;
	return end;
}

/*
 * The cases, inside one 8-GPU server. hier all-reduce of 1 GiB
 * with 1 GiB chunks: 7 reduce-scatter and 7 all-gather ring steps, each
 * moving 1/8 GiB = 134,217,728 B at 3.6 Tb/s: x 20/9 ps = 298,261,617.8,
 * up to 298,261,618 ps, plus 1 us: 14 x 299,261,618 = 4,189,662,652 ps,
 * a bus bandwidth of 2 x 7/8 x 2^30 B / 4.19 ms = 448.5 GB/s (under the
 * 450 GB/s of the link; 65 TB/s before). Pairwise all-to-all of 64 MiB:
 * 7 steps of 8 MiB pieces, 8,388,608 x 20/9 = 18,641,351.1, up to
 * 18,641,352 ps, plus 1 us: 7 x 19,641,352 = 137,489,464 ps.
 */
static void test_intra_server_collectives(void **state)
{
	struct sim_topo *t = leafspine(8);
	struct sim_coll_job j;

	(void)state;
	assert_non_null(t);
	coll_job(&j, COLL_ALLREDUCE, COLL_ALGO_HIER, GIB, GIB);
	assert_true(coll_end_ps(t, &j) == 4189662652ULL);
	coll_job(&j, COLL_ALLTOALL, COLL_ALGO_PAIRWISE, 64 * MIB, MIB);
	assert_int_equal(coll_end_ps(t, &j), 137489464);
	sim_topo_free(t);
}

static void test_mem_guard(void **state)
{
	char err[160];

	(void)state;
	assert_int_equal(coll_mem_guard(0, "nothing", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(coll_mem_guard(UINT64_MAX, "the universe", err, sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "the universe needs "));
	assert_non_null(strstr(err, " GiB, more than the "));
	assert_non_null(strstr(err, " GiB available"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mul_div),
		cmocka_unit_test(test_saturating),
		cmocka_unit_test(test_ser_ps),
		cmocka_unit_test(test_ps_to_bytes),
		cmocka_unit_test(test_rtt_window_headroom),
		cmocka_unit_test(test_local_flow_extremes),
		cmocka_unit_test(test_flow_size_limits),
		cmocka_unit_test(test_intra_server_collectives),
		cmocka_unit_test(test_mem_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
