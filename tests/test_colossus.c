/*
 * A 100,000-GPU all-reduce at packet level inside the unit-test budget:
 * colossus-100k.topo (three switch tiers, 12,500 servers of 8 GPUs), a
 * tiny hierarchical all-reduce with NCCL's double binary tree across
 * servers. The schedule is generated as it runs (collectives/gen.h), so
 * the run holds flow state only for the transfers in flight: what it
 * takes is bounded by the fabric and the ranks, not by the transfers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "collectives/gen.h"
#include "sim/fabric/sim.h"
#include "sim/topo/topo.h"
#include "sim/traffic/coll_sim.h"

/* Peak resident memory of this process, KiB (/proc/self/status VmHWM). */
static uint64_t peak_rss_kib(void)
{
	char line[256];
	uint64_t kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void test_allreduce_100k(void **state)
{
	uint64_t n = 100000, g = 8, m = n / g;
	struct sim_topo *t = NULL;
	struct sim_coll_result r;
	struct sim_coll_job j;
	struct sim_config cfg;
	struct coll_params p;
	struct coll_gen gen;
	char err[256];
	uint8_t *used;
	struct sim *s;

	(void)state;
	assert_int_equal(sim_topo_read("topologies/colossus-100k.topo", &t, err, sizeof(err)), 0);
	assert_int_equal(t->nhosts, n);
	memset(&j, 0, sizeof(j));
	strcpy(j.name, "colossus");
	j.kind = COLL_ALLREDUCE;
	j.algo = COLL_ALGO_HIERTREE;
	j.nranks = (uint32_t)n;
	/* 16 KiB a GPU: a 2 KiB shard per rail, 1 KiB per tree, one chunk each */
	j.bytes = 16 << 10;
	j.elem_bytes = 4;
	j.nchannels = SIM_COLL_CHANNELS_NCCL;
	j.gpus_per_server = (uint32_t)g;
	j.pxn = 1;
	j.nvlink_bps = 3600000000000ULL;
	j.nvlink_lat_ps = 1000000;
	used = calloc(n, 1);
	assert_non_null(used);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_coll_place(t, &j, used, 1, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, &j, err, sizeof(err)), 0);
	/*
	 * The transfers by hand: each server reduce-scatters and all-gathers
	 * its 8 GPUs over NVLink (a ring: 7 steps x 8 GPUs each way, 112),
	 * and each of the 8 rails x 2 trees moves its one chunk up and down
	 * the m-server tree: 2 (m - 1) transfers, as the generator counts.
	 */
	sim_coll_job_params(&j, j.bytes, &p);
	assert_int_equal(coll_gen_create(&gen, &p), 0);
	assert_int_equal(coll_gen_count(&gen), s->nflows);
	assert_true(s->nflows >= 16 * 2 * (m - 1));
	coll_gen_free(&gen);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	sim_coll_result(s, &j, &r);
	assert_true(r.complete);
	assert_true(r.busbw_GBps > 0);
	/*
	 * Flow state for the transfers in flight only: the slots ever used stay
	 * a fraction of the transfers (every rank's first NVLink step is
	 * ready at once, so about one slot per rank, not per transfer).
	 */
	assert_true(s->flow_hw < s->nflows / 2);
	assert_true(s->flow_hw <= 4 * n);
	/* loosely: the fabric (400,384 ports), the ranks and the flows in flight */
	assert_true(peak_rss_kib() < 3ULL << 20);
	print_message("100,000 ranks: %llu transfers, %u flow slots at most, %llu events, %.1f us simulated, "
		      "peak RSS %llu MiB\n", (unsigned long long)s->nflows, s->flow_hw,
		      (unsigned long long)s->c.events, (double)sim_now(s) * 1e-6,
		      (unsigned long long)(peak_rss_kib() >> 10));
	sim_destroy(s);
	free(used);
	free(j.rank_host);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allreduce_100k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
