/*
 * Simulated collectives against theory: a ring all-reduce on an idle
 * fabric takes 2(n-1)/n x S / B plus one path latency per step; busbw
 * follows nccl-tests; placement keeps servers whole and jobs disjoint;
 * intra-server transfers take the NVLink-class path, not the NICs.
 */
#include <errno.h>
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
#include "collectives/busbw.h"
#include "sim/results/stats.h"
#include "sim/traffic/coll_sim.h"
#include "sim/traffic/workload.h"
#include "collectives/units.h"

static struct sim_topo *leafspine_800g(unsigned leaves, unsigned hpl)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "switch = { latency_ns = 600; buffer_mb = 64; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = %u; hosts_per_leaf = %u; spines = %u;\n"
		 "  host_rate = \"800G\"; cable_m = 2.0; };\n", leaves, hpl, hpl);
	return sim_topo_load_string(text, "coll.topo");
}

static void job_init(struct sim_coll_job *j, enum coll_algo algo, uint32_t n, uint64_t bytes, uint32_t g)
{
	memset(j, 0, sizeof(*j));
	strcpy(j->name, "t");
	j->kind = COLL_ALLREDUCE;
	j->algo = algo;
	j->nranks = n;
	j->bytes = bytes;
	j->elem_bytes = 4;
	j->chunk_bytes = 1 << 20;
	j->gpus_per_server = g;
	j->nvlink_bps = 3600000000000ULL;
	j->nvlink_lat_ps = 1000000;
}

/*
 * 8 ranks on one leaf, a ring of neighbours: no link is shared. Each of
 * the 2(n-1) steps moves S/n at the payload rate B = 800G x 4096/4178 and
 * waits one host-leaf-host latency for the last packet.
 */
static void test_ring_matches_analytic(void **state)
{
	struct sim_topo *t = leafspine_800g(2, 8);
	const uint32_t n = 8;
	const uint64_t S = 64ULL << 20;
	struct sim_coll_job j;
	struct sim_coll_result r;
	struct sim_config cfg;
	uint8_t used[16] = { 0 };
	double B = 800e9 / 8 * 4096 / 4178, hop_s, analytic;
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	job_init(&j, COLL_ALGO_RING, n, S, 1);
	assert_int_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, &j, NULL, 0), 0);
	/* 2n(n-1) transfers per chunk; a rank block of S/n = 8 MiB is 8 chunks of 1 MiB */
	assert_int_equal(j.net_flows, 2 * n * (n - 1) * (S / n / (1 << 20)));
	assert_int_equal(sim_run(s), 0);
	sim_coll_result(s, &j, &r);
	/* 2 cables (10 ns each), one switch (600 ns), one extra serialization */
	hop_s = (2 * 10e-9 + 600e-9 + 4178 * 8 / 800e9);
	analytic = 2.0 * (n - 1) / n * (double)S / B + 2 * (n - 1) * hop_s;
	print_message("ring n=8 64 MiB: simulated %.2f us, analytic %.2f us\n", r.time_us, analytic * 1e6);
	assert_true(fabs(r.time_us / (analytic * 1e6) - 1) < 0.02);
	/* nccl-tests: busbw = S / t x 2(n-1)/n */
	assert_true(fabs(r.busbw_GBps - (double)S / (r.time_us * 1e-6) / 1e9 * 1.75) < 1e-6);
	assert_true(r.effective > 0.95 && r.effective < 4096.0 / 4178);
	free(j.rank_host);
	sim_destroy(s);
	sim_topo_free(t);
}

/* Random placement moves whole servers; a second job gets other hosts. */
static void test_placement(void **state)
{
	struct sim_topo *t = leafspine_800g(4, 16);
	struct sim_coll_job a, b;
	uint8_t used[64] = { 0 };
	int seen[64] = { 0 };

	(void)state;
	job_init(&a, COLL_ALGO_HIER, 32, 1 << 20, 8);
	job_init(&b, COLL_ALGO_RING, 16, 1 << 20, 8);
	a.placement = SIM_PLACE_RANDOM;
	b.placement = SIM_PLACE_RANDOM;
	assert_int_equal(sim_coll_place(t, &a, used, 3, NULL, 0), 0);
	assert_int_equal(sim_coll_place(t, &b, used, 4, NULL, 0), 0);
	for (uint32_t r = 0; r < 32; r++) {
		/* rank r is GPU r % 8 of some server */
		assert_int_equal(a.rank_host[r] % 8, r % 8);
		assert_int_equal(a.rank_host[r] / 8, a.rank_host[r - r % 8] / 8);
		seen[a.rank_host[r]]++;
	}
	for (uint32_t r = 0; r < 16; r++)
		seen[b.rank_host[r]]++;
	for (int h = 0; h < 64; h++)
		assert_true(seen[h] <= 1);
	/* 48 of 64 hosts taken: a third job of 32 ranks does not fit */
	{
		struct sim_coll_job c;

		job_init(&c, COLL_ALGO_RING, 32, 1 << 20, 8);
		assert_int_not_equal(sim_coll_place(t, &c, used, 5, NULL, 0), 0);
		free(c.rank_host);
	}
	free(a.rank_host);
	free(b.rank_host);
	sim_topo_free(t);
}

/*
 * Hierarchical all-reduce on 2 servers of 8: the NICs carry only the rail
 * rings (each GPU sends 2 x (m-1)/m x S/8 with m = 2 servers); everything
 * else is intra-server.
 */
static void test_hier_uses_nvlink(void **state)
{
	struct sim_topo *t = leafspine_800g(2, 8);
	struct sim_coll_job j;
	struct sim_coll_result r;
	struct sim_config cfg;
	uint8_t used[16] = { 0 };
	const uint64_t S = 16ULL << 20;
	uint32_t local = 0;
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	job_init(&j, COLL_ALGO_HIER, 16, S, 8);
	assert_int_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, &j, NULL, 0), 0);
	s->keep_flows = 1;
	assert_int_equal(sim_run(s), 0);
	sim_coll_result(s, &j, &r);
	for (uint32_t i = 0; i < j.nflows; i++) {
		struct sim_flow tmp;

		local += sim_flow_get(s, j.first_flow + i, &tmp)->local;
	}
	assert_true(local > 0);
	assert_int_equal(local + j.net_flows, j.nflows);
	assert_int_equal(r.nic_max_bytes, 2 * (S / 8) / 2);
	assert_int_equal(s->flows_done, s->nflows);
	free(j.rank_host);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * Rank counts near 2^32 used to wrap the server count to a small number
 * and overrun the arrays; now they are refused, before any allocation, and
 * the used map is left alone.
 */
static void test_placement_huge(void **state)
{
	struct sim_topo *t = leafspine_800g(2, 8);
	struct sim_coll_job j;
	uint8_t used[16] = { 0 }, none[16] = { 0 };

	(void)state;
	job_init(&j, COLL_ALGO_RING, UINT32_MAX, 1 << 20, 2);
	assert_int_not_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	assert_null(j.rank_host);
	job_init(&j, COLL_ALGO_RING, 16, 1 << 20, UINT32_MAX);
	assert_int_not_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	assert_null(j.rank_host);
	job_init(&j, COLL_ALGO_RING, UINT32_MAX, 1 << 20, UINT32_MAX);
	assert_int_not_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	assert_memory_equal(used, none, sizeof(used));
	/* 17 ranks need 3 servers of 8 on a 16-host fabric: refused too */
	job_init(&j, COLL_ALGO_RING, 17, 1 << 20, 8);
	assert_int_not_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	/* exactly the fabric fits */
	job_init(&j, COLL_ALGO_RING, 16, 1 << 20, 8);
	assert_int_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	for (uint32_t r = 0; r < 16; r++)
		assert_int_equal(j.rank_host[r], r);
	free(j.rank_host);
	sim_topo_free(t);
}

/*
 * The memory guard's transfer count bounds what coll_build makes, and
 * equals it when no piece is empty (sizes that divide evenly).
 */
static void test_xfers_bound(void **state)
{
	static const struct coll_params cases[] = {
		{ COLL_ALLREDUCE, COLL_ALGO_RING, 8, 64 << 20, 4, 1, 1 << 20, 0, 0, 0 },
		{ COLL_ALLREDUCE, COLL_ALGO_RING, 5, 1 << 20, 4, 2, 64 << 10, 0, 0, 0 },
		{ COLL_ALLGATHER, COLL_ALGO_RING, 6, 6 << 20, 4, 2, 1 << 20, 0, 0, 0 },
		{ COLL_REDUCESCATTER, COLL_ALGO_RING, 4, 4 << 20, 4, 1, 0, 0, 0, 0 },
		{ COLL_ALLREDUCE, COLL_ALGO_RHD, 12, 1 << 20, 4, 1, 0, 0, 0, 0 },
		{ COLL_ALLREDUCE, COLL_ALGO_RHD, 16, 1 << 20, 4, 3, 0, 0, 0, 0 },
		{ COLL_ALLREDUCE, COLL_ALGO_TREE, 7, 1 << 20, 4, 1, 64 << 10, 0, 0, 0 },
		{ COLL_ALLREDUCE, COLL_ALGO_HIER, 32, 16 << 20, 4, 1, 1 << 20, 8, 0, 0 },
		{ COLL_ALLREDUCE, COLL_ALGO_HIER, 16, 1 << 20, 4, 2, 0, 4, 0, 0 },
		{ COLL_ALLTOALL, COLL_ALGO_PAIRWISE, 9, 9 << 20, 4, 1, 0, 0, 0, 0 },
		/* uneven: some pieces are empty, the bound stays above */
		{ COLL_ALLREDUCE, COLL_ALGO_RING, 5, 12, 4, 1, 0, 0, 0, 0 },
		{ COLL_ALLTOALL, COLL_ALGO_PAIRWISE, 9, 8, 4, 1, 0, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct coll_sched sc;
		double table, bound = sim_coll_xfers_max(&cases[i], &table);

		coll_sched_init(&sc);
		assert_int_equal(coll_build(&sc, &cases[i]), 0);
		print_message("case %zu: %u transfers, bound %.0f\n", i, sc.nxfers, bound);
		if (i < 10)
			assert_true(bound == sc.nxfers);
		else
			assert_true(bound > sc.nxfers);
		coll_sched_free(&sc);
	}
}

/* A schedule that cannot fit is refused before it is built. */
static void test_guard_refuses(void **state)
{
	struct coll_params p = { COLL_ALLREDUCE, COLL_ALGO_RING, 100000, 1ULL << 30, 4, 1, 1 << 20, 0, 0, 0 };
	char err[256];

	(void)state;
	/* 2 x 100000 x 99999 transfers a chunk: more than a run holds */
	assert_int_equal(sim_coll_guard(&p, 0, "the job", err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "the job would be 2e+10 transfers"));
	p.nranks = 4;
	assert_int_equal(sim_coll_guard(&p, 0, "the job", err, sizeof(err)), 0);
}

static void test_size_sweep(void **state)
{
	uint64_t v[64];
	uint32_t n;

	(void)state;
	assert_int_equal(coll_parse_sweep("1M:1G:x2", v, 64, &n), 0);
	assert_int_equal(n, 11);
	assert_int_equal(v[0], 1 << 20);
	assert_int_equal(v[10], 1ULL << 30);
	assert_int_equal(coll_parse_sweep("1M:4M:+1M", v, 64, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[3], 4 << 20);
	assert_int_equal(coll_parse_sweep("64M", v, 64, &n), 0);
	assert_int_equal(n, 1);
	assert_int_not_equal(coll_parse_sweep("4M:1M", v, 64, &n), 0);
	assert_int_not_equal(coll_parse_sweep("1M:1G:x1", v, 64, &n), 0);
	assert_int_not_equal(coll_parse_sweep("1:1T:x2", v, 8, &n), 0);
}


/* One run of a hierarchical all-reduce on 32 GPUs (4 servers), 2 QPs a connection, one message on each. */
static struct sim *lazy_run(struct sim_topo *t, struct sim_coll_job *j, uint8_t keep)
{
	uint8_t used[32] = { 0 };
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.qps_per_flow = 2;
	cfg.split_qps = SIM_SPLIT_QPS_OFF;
	/* a QP outlives its flow until its retransmission timer fires: short here, so QPs recycle too */
	cfg.rto_ps = 20000000;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	job_init(j, COLL_ALGO_HIER, 32, 16ULL << 20, 8);
	j->chunk_bytes = 256 << 10;
	assert_int_equal(sim_coll_place(t, j, used, 3, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, j, NULL, 0), 0);
	/* a flow beside it: added flows and a lazy source share the run's id order */
	assert_true(sim_add_flow(s, 0, 31, 1 << 20, 0) >= 0);
	s->keep_flows = keep;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	return s;
}

/*
 * Transfers made as their dependencies complete and recycled when done:
 * the same run as one that keeps every flow and QP, event for event, and
 * at the end nothing is held: no flow slot, no QP, no waiting count. The
 * pool never held more than a fraction of the transfers.
 */
static void test_lazy_recycles(void **state)
{
	struct sim_topo *t = leafspine_800g(4, 8);
	struct sim_coll_job a, b;
	struct sim_coll_result ra, rb;
	struct sim *sa, *sb;

	(void)state;
	sa = lazy_run(t, &a, 0);
	sb = lazy_run(t, &b, 2);
	sim_coll_result(sa, &a, &ra);
	sim_coll_result(sb, &b, &rb);
	assert_true(ra.complete && rb.complete);
	assert_int_equal(ra.flows_done, a.nflows);
	assert_true(ra.time_us == rb.time_us);
	assert_int_equal(ra.nic_max_bytes, rb.nic_max_bytes);
	assert_int_equal(ra.slowest_flow, rb.slowest_flow);
	assert_true(ra.slowest_fct_us == rb.slowest_fct_us);
	assert_int_equal(sa->c.events, sb->c.events);
	assert_memory_equal(&sa->c, &sb->c, sizeof(sa->c));
	assert_int_equal(sim_now(sa), sim_now(sb));
	assert_int_equal(sa->nconns, sb->nconns);
	print_message("transfers %llu, flow slots %u, live at the end %llu, QPs %u (kept: %u)\n",
		      (unsigned long long)a.nflows, sa->flow_hw, (unsigned long long)sa->live_flows, sa->nqps, sb->nqps);
	/* recycled: nothing left in flight, fewer slots than transfers ever made */
	assert_int_equal(sa->live_flows, 0);
	assert_int_equal(sa->wait.n, 0);
	assert_true(sa->flow_hw < a.nflows);
	assert_true(sa->nqps < sb->nqps);
	for (uint32_t q = 0; q < sa->nqps; q++) {
		const struct sim_qp *qp = sim_qp_at(sa, q);

		assert_null(qp->flow);
		/* an idle QP's PSN bitmaps are clear: the pool hands them out again as they are */
		for (uint32_t w = 0; qp->acked && w < sa->bitmap_bits / 64; w++)
			assert_true(!qp->acked[w] && !qp->rcvd[w]);
	}
	/* kept: every transfer readable, as made */
	assert_int_equal(sb->live_flows, b.nflows);
	free(a.rank_host);
	free(b.rank_host);
	sim_destroy(sa);
	sim_destroy(sb);
	sim_topo_free(t);
}

/* Nearest-rank percentiles, as flow runs have them: the k-th smallest with k = ceil(p/100 x n). */
static void test_fct_percentiles(void **state)
{
	double five[] = { 5, 1, 4, 2, 3 }, hundred[100];
	struct sim_fct_pcts p;

	(void)state;
	sim_fct_percentiles(five, 5, &p);
	/* k = ceil(2.5) = 3 and ceil(4.95) = 5 */
	assert_true(p.p50_us == 3 && p.p99_us == 5 && p.max_us == 5);
	for (int i = 0; i < 100; i++)
		hundred[i] = 100 - i;
	sim_fct_percentiles(hundred, 100, &p);
	assert_true(p.p50_us == 50 && p.p99_us == 99 && p.max_us == 100);
	sim_fct_percentiles(NULL, 0, &p);
	assert_true(p.p50_us == 0 && p.p99_us == 0 && p.max_us == 0);
}

/*
 * Two jobs and background traffic on 4 leaves of 8 hosts (issue 16).
 * Job a: ring all-reduce on 8 ranks, one GPU a server, contiguous: hosts
 * 0..7 of leaf 0; S = 8 MiB is a rank block of 1 MiB, one chunk, so
 * 2n(n-1) = 112 transfers of 1 MiB, every one over the network. Job b:
 * the same ring on one server of 8 GPUs: the next free server is hosts
 * 8..15 (leaf 1), and its 112 transfers all stay on NVLink. The 16 hosts
 * left (leaves 2 and 3) send 256 KiB each in a permutation: 16 flows,
 * 4 MiB. Job a's ring never shares a link (each host sends to one and
 * receives from one, on a leaf nothing else uses): every transfer takes
 * 1 MiB at the payload rate plus one host-leaf-host latency, so its
 * median, p99 and max FCT are that one figure.
 */
static void test_jobs_background(void **state)
{
	struct sim_topo *t = leafspine_800g(4, 8);
	const uint64_t S = 8ULL << 20, bg = 256 << 10;
	double B = 800e9 / 8 * 4096 / 4178, hop_s, fct_us;
	struct sim_coll_job a, b;
	struct sim_coll_result ra, rb;
	struct sim_flow_figs f;
	struct sim_fct_pcts p;
	struct sim_config cfg;
	uint8_t used[32] = { 0 };
	uint64_t first_bg, n;
	double *v;
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	job_init(&a, COLL_ALGO_RING, 8, S, 1);
	strcpy(a.name, "a");
	job_init(&b, COLL_ALGO_RING, 8, S, 8);
	strcpy(b.name, "b");
	assert_int_equal(sim_coll_place(t, &a, used, 1, NULL, 0), 0);
	assert_int_equal(sim_coll_place(t, &b, used, 2, NULL, 0), 0);
	for (uint32_t r = 0; r < 8; r++) {
		assert_int_equal(a.rank_host[r], r);
		assert_int_equal(b.rank_host[r], 8 + r);
	}
	assert_int_equal(sim_coll_add(s, &a, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, &b, NULL, 0), 0);
	first_bg = s->nflows;
	assert_int_equal(sim_workload_background(s, used, bg, 7, NULL, 0), 0);
	assert_int_equal(s->nflows - first_bg, 16);
	assert_int_equal(a.nflows, 112);
	assert_int_equal(a.net_flows, 112);
	assert_int_equal(b.nflows, 112);
	assert_int_equal(b.net_flows, 0);
	assert_int_equal(sim_run(s), 0);

	sim_coll_result(s, &a, &ra);
	sim_coll_result(s, &b, &rb);
	assert_true(ra.complete && rb.complete);
	/* a: 112 FCTs, all the same figure */
	assert_int_equal(ra.net_done, 112);
	v = sim_coll_job_fcts(s, &a, &n);
	assert_non_null(v);
	assert_int_equal(n, 112);
	sim_fct_percentiles(v, n, &p);
	hop_s = 2 * 10e-9 + 600e-9 + 4178 * 8 / 800e9;
	fct_us = ((double)(1 << 20) / B + hop_s) * 1e6;
	print_message("job a: fct p50 %.3f p99 %.3f max %.3f us, analytic %.3f us\n", p.p50_us, p.p99_us, p.max_us,
		      fct_us);
	assert_true(p.p50_us <= p.p99_us && p.p99_us <= p.max_us);
	assert_true(fabs(p.p50_us / fct_us - 1) < 0.02 && fabs(p.max_us / fct_us - 1) < 0.02);
	assert_true(p.max_us == ra.slowest_fct_us);
	/* b: nothing over the network, no FCT, no slowest flow */
	assert_int_equal(rb.net_done, 0);
	assert_null(sim_coll_job_fcts(s, &b, &n));
	assert_int_equal(n, 0);
	assert_int_equal(rb.slowest_flow, SIM_COLL_NO_FLOW);
	/* the background alone: 16 flows of 256 KiB, every one finished, at most line rate */
	assert_int_equal(sim_results_flow_range(s, first_bg, 16, &f), 0);
	assert_int_equal(f.flows, 16);
	assert_int_equal(f.flows_done, 16);
	assert_int_equal(f.bytes, 16 * bg);
	assert_true(f.effective > 0 && f.effective <= 4096.0 / 4178 + 1e-9);
	assert_true(f.min_flow_frac <= f.mean_flow_frac && f.mean_flow_frac <= 4096.0 / 4178 + 1e-9);
	/* no flow of 256 KiB is faster than its serialization at line rate */
	assert_true(f.fct_p50_us >= (double)bg / B * 1e6 && f.fct_p50_us <= f.fct_p99_us &&
		    f.fct_p99_us <= f.fct_max_us && f.fct_max_us <= f.makespan_us + 1e-9);
	free(a.rank_host);
	free(b.rank_host);
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_matches_analytic),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_hier_uses_nvlink),
		cmocka_unit_test(test_size_sweep),
		cmocka_unit_test(test_placement_huge),
		cmocka_unit_test(test_xfers_bound),
		cmocka_unit_test(test_guard_refuses),
		cmocka_unit_test(test_lazy_recycles),
		cmocka_unit_test(test_fct_percentiles),
		cmocka_unit_test(test_jobs_background),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
