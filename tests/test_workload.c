/*
 * Flow workloads' host choices, without running them: which flows
 * sim_workload_add makes for --hosts (permutation, all-to-all, incast)
 * and for the incast sender pools of --incast-from, on a 4-leaf x 4-host
 * leaf-spine where host h sits on leaf h / 4. Expected flows follow from
 * the definitions in workload.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"
#include "sim/traffic/workload.h"

static struct sim_topo *ls4x4(void)
{
	return sim_topo_load_string("name = \"t\";\n"
				    "fabric = { kind = \"leafspine\"; leaves = 4; hosts_per_leaf = 4; spines = 2;\n"
				    "  host_rate = \"800G\"; };\n", "test.topo");
}

/* sim_workload_add on a fresh sim of T: its rc; the sim in *OUT. */
static int add(struct sim_topo *t, const struct sim_workload_params *w, struct sim **out, char *err, size_t len)
{
	struct sim_config cfg;

	sim_config_defaults(&cfg);
	*out = sim_create(t, &cfg);
	assert_non_null(*out);
	return sim_workload_add(*out, w, err, len);
}

static void test_permutation_on_hosts(void **state)
{
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 4096, .seed = 3,
					 .hosts_spec = "2-5,9" };
	struct sim_topo *t = ls4x4();
	unsigned sent[16] = { 0 }, got[16] = { 0 };
	struct sim *s;

	assert_int_equal(add(t, &w, &s, NULL, 0), 0);
	assert_int_equal(s->nflows, 5);
	for (uint32_t i = 0; i < s->nflows; i++) {
		const struct sim_flow *f = &s->flows[i];

		assert_true((f->src >= 2 && f->src <= 5) || f->src == 9);
		assert_true((f->dst >= 2 && f->dst <= 5) || f->dst == 9);
		assert_int_not_equal(f->src, f->dst);
		sent[f->src]++;
		got[f->dst]++;
	}
	for (unsigned h = 0; h < 16; h++) {	/* every chosen host sends once and receives once */
		assert_int_equal(sent[h], (h >= 2 && h <= 5) || h == 9);
		assert_int_equal(got[h], (h >= 2 && h <= 5) || h == 9);
	}
	sim_destroy(s);
	sim_topo_free(t);
}

static void test_alltoall_on_hosts(void **state)
{
	struct sim_workload_params w = { .kind = SIM_WL_ALLTOALL, .bytes = 4096, .hosts_spec = "0,15,7-8" };
	struct sim_topo *t = ls4x4();
	struct sim *s;

	assert_int_equal(add(t, &w, &s, NULL, 0), 0);
	assert_int_equal(s->nflows, 4 * 3);
	sim_destroy(s);
	sim_topo_free(t);
}

/* Incast senders into host 5 (leaf 1 = hosts 4..7) from FROM. */
static void senders(enum sim_incast_from from, uint32_t m, uint64_t seed, uint32_t *src)
{
	struct sim_workload_params w = { .kind = SIM_WL_INCAST, .bytes = 4096, .incast_senders = m,
					 .incast_dst = 5, .incast_from = from, .seed = seed };
	struct sim_topo *t = ls4x4();
	struct sim *s;

	assert_int_equal(add(t, &w, &s, NULL, 0), 0);
	assert_int_equal(s->nflows, m);
	for (uint32_t i = 0; i < m; i++) {
		assert_int_equal(s->flows[i].dst, 5);
		src[i] = s->flows[i].src;
	}
	sim_destroy(s);
	sim_topo_free(t);
}

static void test_incast_from(void **state)
{
	static const uint32_t next[4] = { 6, 7, 8, 9 }, local[3] = { 6, 7, 4 };
	/* leaves after leaf 1 in order from the receiver: 2, 3, 0; round 0 then round 1 */
	static const uint32_t remote[5] = { 8, 12, 0, 9, 13 };
	uint32_t src[12], again[12];
	uint8_t seen[16] = { 0 };

	senders(SIM_INCAST_NEXT, 4, 1, src);
	assert_memory_equal(src, next, sizeof(next));
	senders(SIM_INCAST_LOCAL, 3, 1, src);
	assert_memory_equal(src, local, sizeof(local));
	senders(SIM_INCAST_REMOTE, 5, 1, src);
	assert_memory_equal(src, remote, sizeof(remote));
	senders(SIM_INCAST_RANDOM, 12, 9, src);
	senders(SIM_INCAST_RANDOM, 12, 9, again);
	assert_memory_equal(src, again, sizeof(src));
	for (int i = 0; i < 12; i++) {	/* distinct, never the receiver */
		assert_int_not_equal(src[i], 5);
		assert_int_equal(seen[src[i]]++, 0);
	}
}

static void test_incast_pool_short(void **state)
{
	struct sim_workload_params w = { .kind = SIM_WL_INCAST, .bytes = 4096, .incast_senders = 4,
					 .incast_dst = 5, .incast_from = SIM_INCAST_LOCAL };
	struct sim_topo *t = ls4x4();
	char err[256];
	struct sim *s;

	assert_int_equal(add(t, &w, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "only 3 hosts are on leaf1"));
	sim_destroy(s);
	w.incast_from = SIM_INCAST_REMOTE;
	w.incast_senders = 13;
	assert_int_equal(add(t, &w, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "only 12 hosts are off leaf1"));
	sim_destroy(s);
	sim_topo_free(t);
}

static void test_hosts_errors(void **state)
{
	static const char *const bad[] = { "0-16", "3-1", "x", "4", "1-", "" };
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 4096 };
	struct sim_topo *t = ls4x4();
	char err[256];
	struct sim *s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w.hosts_spec = bad[i];
		assert_int_equal(add(t, &w, &s, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "--hosts"));
		assert_int_equal(s->nflows, 0);
		sim_destroy(s);
	}
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permutation_on_hosts),
		cmocka_unit_test(test_alltoall_on_hosts),
		cmocka_unit_test(test_incast_from),
		cmocka_unit_test(test_incast_pool_short),
		cmocka_unit_test(test_hosts_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
