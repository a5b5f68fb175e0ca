/*
 * Tests of fabbench's command line: nccl-tests options keep their meaning
 * (-d is the data type, the device is -D), bad values are usage errors,
 * the size sweep matches nccl-tests' -b/-e/-f/-i stepping, and device
 * lists are handed out round-robin by rank.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "verbs/opts.h"

static char err[256];

static int parse(struct vb_opts *o, const char *line)
{
	static char buf[512];	/* options point into it */
	char *argv[64], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "fabbench %s", line);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return vb_opts_parse(o, argc, argv, err, sizeof(err));
}

static void test_defaults(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, ""), 0);
	assert_int_equal(o.min_bytes, 32 << 20);
	assert_int_equal(o.iters, 20);
	assert_int_equal(o.warmup_iters, 1);
	assert_true(o.check);
	assert_int_equal(o.dtype, COLL_DT_FLOAT32);
	assert_int_equal(o.redop, COLL_RED_SUM);
	assert_int_equal(o.average, VB_AVG_MEAN);
	assert_int_equal(o.kind, COLL_ALLREDUCE);
	assert_int_equal(o.algo, COLL_ALGO_RING);
	assert_int_equal(o.transport, VB_TRANSPORT_VERBS);
	assert_int_equal(o.gid_index, -1);
	assert_int_equal(o.rank, -1);
	assert_int_equal(o.timeout_s, 30);
}

static void test_nccl_options(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-b 8 -e 128M -f 2 -n 7 -w 3 -c 0 -o max -d half -a 2"), 0);
	assert_int_equal(o.min_bytes, 8);
	assert_int_equal(o.max_bytes, 128 << 20);
	assert_int_equal(o.step_factor, 2);
	assert_int_equal(o.iters, 7);
	assert_int_equal(o.warmup_iters, 3);
	assert_false(o.check);
	assert_int_equal(o.redop, COLL_RED_MAX);
	assert_int_equal(o.dtype, COLL_DT_FLOAT16);
	assert_int_equal(o.average, VB_AVG_MIN);
	assert_int_equal(parse(&o, "--minbytes 1K --maxbytes 4K --datatype bfloat16 --op prod"), 0);
	assert_int_equal(o.max_bytes, 4096);
	assert_int_equal(o.dtype, COLL_DT_BFLOAT16);
	assert_int_equal(o.redop, COLL_RED_PROD);
}

static void test_fabbench_options(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-D mlx5_0 -x 3 --tc 106 --qps 4 --chunk 1M --depth 16 --ib-port 2"), 0);
	assert_string_equal(o.device, "mlx5_0");
	assert_int_equal(o.gid_index, 3);
	assert_int_equal(o.tclass, 106);
	assert_int_equal(o.qps, 4);
	assert_int_equal(o.chunk_bytes, 1 << 20);
	assert_int_equal(o.depth, 16);
	assert_int_equal(o.ib_port, 2);
	assert_int_equal(parse(&o, "--coll alltoall --transport tcp --json x.json --csv y.csv --min-busbw 1.5 -T 5 --p2p"), 0);
	assert_int_equal(o.kind, COLL_ALLTOALL);
	assert_int_equal(o.algo, COLL_ALGO_PAIRWISE);	/* follows --coll */
	assert_int_equal(o.transport, VB_TRANSPORT_TCP);
	assert_string_equal(o.json_path, "x.json");
	assert_true(o.min_busbw_gbps > 1.49 && o.min_busbw_gbps < 1.51);
	assert_int_equal(o.timeout_s, 5);
	assert_true(o.p2p);
	assert_int_equal(parse(&o, "--algo tree --coll allreduce"), 0);
	assert_int_equal(o.algo, COLL_ALGO_TREE);	/* explicit --algo wins */
	assert_int_equal(parse(&o, "--rank 2 --nranks 4 --master host:1234"), 0);
	assert_int_equal(o.rank, 2);
	assert_int_equal(o.nranks, 4);
	assert_int_equal(parse(&o, "--baseline mpi -h -V"), 0);
	assert_true(o.baseline_mpi && o.help && o.version);
}

static void test_bad_options(void **state)
{
	static const char *bad[] = {
		"-b 1Q", "-n 0", "-c 2", "-o avg", "-d float128", "-a 4",
		"--coll broadcast", "--algo magic", "--transport carrier-pigeon",
		"-b 2M -e 1M", "--bogus", "-n", "--rank 1", "--rank 4 --nranks 4 --master h:1",
		"--nranks 2", "--master nocolon --rank 0 --nranks 2", "--baseline nccl",
		"--qps 0", "--chunk 1", "extra",
	};
	struct vb_opts o;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&o, bad[i]) != -EINVAL)
			print_error("accepted: %s\n", bad[i]);
		assert_int_equal(parse(&o, bad[i]), -EINVAL);
		assert_true(strlen(err) > 0);
	}
}

static void test_sizes(void **state)
{
	uint64_t s[64];
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-b 8 -e 128 -f 2"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 5);
	assert_int_equal(s[0], 8);
	assert_int_equal(s[4], 128);
	/* Sizes round down to whole elements; duplicates and 0 drop out. */
	assert_int_equal(parse(&o, "-b 1 -e 10 -f 2 -d double"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 1);
	assert_int_equal(s[0], 8);
	assert_int_equal(parse(&o, "-b 1K -e 4K -i 1K"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 4);
	assert_int_equal(s[3], 4096);
	assert_int_equal(parse(&o, "-b 1000 -e 300000 -f 7"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 3);
	assert_int_equal(s[2], 49000);
	assert_int_equal(vb_opts_sizes(&o, s, 2), -EINVAL);
}

static void test_device_list(void **state)
{
	char d[32];

	(void)state;
	vb_opts_device("rxe0,rxe1", 0, d, sizeof(d));
	assert_string_equal(d, "rxe0");
	vb_opts_device("rxe0,rxe1", 3, d, sizeof(d));
	assert_string_equal(d, "rxe1");
	vb_opts_device("mlx5_0", 5, d, sizeof(d));
	assert_string_equal(d, "mlx5_0");
	vb_opts_device(NULL, 1, d, sizeof(d));
	assert_string_equal(d, "");
}

static void test_job_checks(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, ""), 0);
	assert_int_equal(vb_opts_check_job(&o, 4, err, sizeof(err)), 0);
	assert_int_equal(vb_opts_check_job(&o, 1, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(&o, "--algo hier --gpus-per-server 2"), 0);
	assert_int_equal(vb_opts_check_job(&o, 3, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(&o, "-d bfloat16"), 0);
	assert_int_equal(vb_opts_check_job(&o, 64, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-c 0"));
	assert_int_equal(parse(&o, "-d bfloat16 -c 0"), 0);
	assert_int_equal(vb_opts_check_job(&o, 64, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_nccl_options),
		cmocka_unit_test(test_fabbench_options),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_device_list),
		cmocka_unit_test(test_job_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
