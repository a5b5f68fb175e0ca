/*
 * The figures of issue 12 that are arithmetic, with values derived by
 * hand: busbw per NIC of the server (sim_busbw_per_nic), mean/min/max over
 * seeds (struct sim_seed_stat and its JSON), and the --seeds parser of the
 * option tables (sim_opt_seeds): its sets and its refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <jansson.h>
#include "sim/cli/opt.h"
#include "collectives/busbw.h"
#include "sim/results/stats.h"

/*
 * busbw per NIC: a hierarchical all-reduce whose busbw is 694 GB/s on
 * servers of 8 GPUs with one 800 Gb/s (100 GB/s) NIC each reads 694% of
 * one NIC; over the server's 8 NICs it is 694 x 8 / (8 x 800) = 0.8675.
 * One GPU per server: the same as busbw / line, 50 GB/s of 400 Gb/s =
 * 50 x 8 / 400 = 1.0. No NIC or no rate: 0, not a division by zero.
 */
static void test_busbw_per_nic(void **state)
{
	assert_float_equal(sim_busbw_per_nic(694, 8, 800), 0.8675, 1e-12);
	assert_float_equal(sim_busbw_per_nic(50, 1, 400), 1.0, 1e-12);
	assert_float_equal(sim_busbw_per_nic(25, 4, 400), 0.125, 1e-12);
	assert_float_equal(sim_busbw_per_nic(10, 0, 400), 0, 0);
	assert_float_equal(sim_busbw_per_nic(10, 8, 0), 0, 0);
	/*
	 * The server's NICs carry one rank's busbw for ring/tree/hier (1/G of
	 * each rank's bus bytes leave the server), G (n - G) / (n - 1) ranks'
	 * for all-to-all: 1,024 ranks on 8-GPU servers, 14.0573 GB/s busbw at
	 * 400G is 14.0573 x 8 x 8 x 1016/1023 / (8 x 400) = 27.92% per NIC.
	 */
	assert_float_equal(coll_busbw_net_ranks(COLL_ALLREDUCE, 1024, 8), 1, 0);
	assert_float_equal(coll_busbw_net_ranks(COLL_ALLTOALL, 1024, 8), 8.0 * 1016 / 1023, 1e-12);
	assert_float_equal(coll_busbw_net_ranks(COLL_ALLTOALL, 16, 1), 1, 1e-12);
	assert_float_equal(coll_busbw_net_ranks(COLL_ALLTOALL, 8, 8), 0, 0);
	assert_float_equal(sim_busbw_per_nic(14.0573 * coll_busbw_net_ranks(COLL_ALLTOALL, 1024, 8), 8, 400),
			   14.0573 * 8 * 8 * 1016.0 / 1023 / 3200, 1e-12);
}

/*
 * The ECMP permutation figures the issue quotes for seeds 1-4 on
 * small-800g, 44.9, 48.7, 48.3, 52.6: mean (44.9 + 48.7 + 48.3 + 52.6) / 4
 * = 194.5 / 4 = 48.625, min 44.9, max 52.6, in any order of arrival.
 */
static void test_seed_stat(void **state)
{
	static const double v[] = { 48.7, 52.6, 44.9, 48.3 };
	struct sim_seed_stat st;
	json_t *j;

	memset(&st, 0, sizeof(st));
	assert_float_equal(sim_seed_stat_mean(&st), 0, 0);
	j = sim_seed_stat_json(&st);
	assert_true(json_is_null(j));
	json_decref(j);
	for (size_t i = 0; i < 4; i++)
		sim_seed_stat_add(&st, v[i]);
	assert_int_equal(st.n, 4);
	assert_float_equal(sim_seed_stat_mean(&st), 48.625, 1e-12);
	assert_float_equal(st.min, 44.9, 0);
	assert_float_equal(st.max, 52.6, 0);
	j = sim_seed_stat_json(&st);
	assert_float_equal(json_real_value(json_object_get(j, "mean")), 48.625, 1e-12);
	assert_float_equal(json_real_value(json_object_get(j, "min")), 44.9, 0);
	assert_float_equal(json_real_value(json_object_get(j, "max")), 52.6, 0);
	assert_int_equal(json_object_size(j), 3);
	json_decref(j);
	/* one seed: mean = min = max; a negative first value still sets min and max */
	memset(&st, 0, sizeof(st));
	sim_seed_stat_add(&st, -2);
	assert_float_equal(st.min, -2, 0);
	assert_float_equal(st.max, -2, 0);
	assert_float_equal(sim_seed_stat_mean(&st), -2, 0);
}

struct t_seed_opts {
	struct sim_opt_seeds seeds;
};

static const struct sim_opt t_seeds_opt =
	SIM_OPT_SEEDS("seeds", 0, "A:B", struct t_seed_opts, seeds, 0, UINT32_MAX, "seeds");

static int t_parse(struct t_seed_opts *o, const char *arg, char *err, size_t len)
{
	memset(o, 0, sizeof(*o));
	err[0] = 0;
	return t_seeds_opt.parse(&t_seeds_opt, arg, o, err, len);
}

static void test_seeds_parse(void **state)
{
	static struct t_seed_opts o;
	char err[320];

	/* a range, both ends in: 1:10 is 10 seeds */
	assert_int_equal(t_parse(&o, "1:10", err, sizeof(err)), 0);
	assert_int_equal(o.seeds.n, 10);
	assert_int_equal(o.seeds.v[0], 1);
	assert_int_equal(o.seeds.v[9], 10);
	/* one seed as a range, and a list kept in its order */
	assert_int_equal(t_parse(&o, "7:7", err, sizeof(err)), 0);
	assert_int_equal(o.seeds.n, 1);
	assert_int_equal(t_parse(&o, "5,2,9", err, sizeof(err)), 0);
	assert_int_equal(o.seeds.n, 3);
	assert_int_equal(o.seeds.v[0], 5);
	assert_int_equal(o.seeds.v[1], 2);
	assert_int_equal(o.seeds.v[2], 9);
	assert_int_equal(t_parse(&o, "0", err, sizeof(err)), 0);
	assert_int_equal(o.seeds.n, 1);
	/* the largest range: 1,000 seeds; 1,001 refused */
	assert_int_equal(t_parse(&o, "4294966296:4294967295", err, sizeof(err)), 0);
	assert_int_equal(o.seeds.n, 1000);
	assert_int_equal(t_parse(&o, "1:1001", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "at most 1000 seeds"));
	/* refused: B < A, a repeated seed, empty items, junk, beyond 2^32 - 1 */
	assert_int_equal(t_parse(&o, "10:1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid --seeds '10:1'"));
	assert_non_null(strstr(err, "A <= B"));
	assert_int_equal(t_parse(&o, "1,2,1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "1 is repeated"));
	assert_int_equal(t_parse(&o, "1,,2", err, sizeof(err)), -EINVAL);
	assert_int_equal(t_parse(&o, "1,", err, sizeof(err)), -EINVAL);
	assert_int_equal(t_parse(&o, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(t_parse(&o, "1:2:3", err, sizeof(err)), -EINVAL);
	assert_int_equal(t_parse(&o, "1:2,3", err, sizeof(err)), -EINVAL);
	assert_true(t_parse(&o, "a:3", err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "--seeds"));
	assert_int_equal(t_parse(&o, "1:4294967296", err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "--seeds"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busbw_per_nic),
		cmocka_unit_test(test_seed_stat),
		cmocka_unit_test(test_seeds_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
