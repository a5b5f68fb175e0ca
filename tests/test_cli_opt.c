/*
 * The option tables of sim/cli/opt.c (the --help lines they generate, the
 * values and messages of their parsers, getopt's arrays built from them)
 * and the two checks of collective jobs the command line runs before
 * anything is built: jobs-file lines (sim/traffic/coll_jobs.c) and the cap
 * on one job's transfers (sim_coll_job_size_check).
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
#include "sim/cli/opt.h"
#include "sim/fabric/sim.h"
#include "sim/traffic/coll_jobs.h"

struct t_opts {
	const char *path;
	uint64_t size_bytes;
	uint32_t count;
	double x;
	bool flag;
	int pfc;
};

static int t_opt_name(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	return strcmp(arg, "ok") ? sim_opt_bad(opt, arg, err, errlen) : 0;
}

static const struct sim_opt t_opts_a[] = {
	SIM_OPT_STR("path", 'p', "FILE", struct t_opts, path, "a file"),
	SIM_OPT_QTY("size", 's', "SIZE", struct t_opts, size_bytes, COLL_QTY_SIZE, 1024, 1 << 20, NULL,
		    "bytes, default 8K\n[1 KiB..1 MiB]"),
	SIM_OPT_U32("count", 0, "N", struct t_opts, count, 1, 64, "how many [1..64]"),
};

static const struct sim_opt t_opts_b[] = {
	SIM_OPT_DOUBLE("x", 0, "X", struct t_opts, x, 0.5, 2, "a factor"),
	SIM_OPT_FLAG("flag", 'f', struct t_opts, flag, true, "a flag"),
	SIM_OPT_FLAG("no-pfc", 0, struct t_opts, pfc, 0, "an int flag"),
	SIM_OPT_CUSTOM("name", 0, "NAME", t_opt_name, "ok or ok", NULL),
	SIM_OPT_TEXT("  literal line"),
	SIM_OPT_HELP("this text"),
};

static const struct sim_opt_group t_groups[] = {
	SIM_OPT_GROUP("first", t_opts_a),
	SIM_OPT_GROUP(NULL, t_opts_b),
};

static const struct sim_opt_cmd t_cmd = {
	.name = "fabsim t",
	.usage_head = "usage: fabsim t\n",
	.usage_tail = "tail\n",
	.help_col = 20,
	SIM_OPT_GROUPS(t_groups),
};

/* Every line laid out by hand: two spaces, "-k, " or four spaces, the option, column 20. */
static void test_usage_layout(void **state)
{
	static const char want[] =
		"usage: fabsim t\n"
		"first\n"
		"  -p, --path FILE   a file\n"
		"  -s, --size SIZE   bytes, default 8K\n"
		"                    [1 KiB..1 MiB]\n"
		"      --count N     how many [1..64]\n"
		"      --x X         a factor\n"
		"  -f, --flag        a flag\n"
		"      --no-pfc      an int flag\n"
		"      --name NAME\n"
		"  literal line\n"
		"  -h, --help        this text\n"
		"tail\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sim_opt_usage(&t_cmd, f);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

/* 60 characters, exactly what fits from column 20 to 80, then one word more */
static const char *t_help_long(char *buf, size_t len)
{
	snprintf(buf, len, "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee ffffffffff z");
	return buf;
}

static const struct sim_opt t_opts_made[] = {
	SIM_OPT_NAMES("long", 0, "N", t_opt_name, t_help_long),
	SIM_OPT_NAMES("rx", 'r', "MODE", t_opt_name, sim_rx_help),
};

static const struct sim_opt_group t_groups_made[] = {
	SIM_OPT_GROUP(NULL, t_opts_made),
};

static const struct sim_opt_cmd t_cmd_made = {
	.name = "fabsim t",
	.usage_head = "",
	.help_col = 20,
	SIM_OPT_GROUPS(t_groups_made),
};

/* Help made from a table is wrapped at spaces so that no line passes column 80. */
static void test_usage_made(void **state)
{
	static const char want[] =
		"      --long N      aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee ffffffffff\n"
		"                    z\n"
		"  -r, --rx MODE     ddp (out-of-order placement, default) | gbn (go-back-N)\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sim_opt_usage(&t_cmd_made, f);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

/* --lb, --cc, --rx list their tables, the default of sim_config_defaults marked. */
static void test_table_help(void **state)
{
	char buf[512];

	assert_string_equal(sim_lb_help(buf, sizeof(buf)), "ecmp (default) | flowlet | spray | ar");
	assert_string_equal(sim_rx_help(buf, sizeof(buf)), "ddp (out-of-order placement, default) | gbn (go-back-N)");
	/* every entry of the table: a new CC shows in --help without an edit of the cli */
	sim_cc_help(buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "none (default) | ", 17), 0);
	for (uint32_t i = 0; i < sim_cc_count(); i++)
		assert_non_null(strstr(buf, sim_cc_name((enum sim_cc)i)));
}

static int t_parse(struct t_opts *o, int *first, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = "t";
	va_start(ap, first);
	for (char *a = va_arg(ap, char *); a && argc < 15; a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	memset(o, 0, sizeof(*o));
	o->pfc = 1;
	return sim_opt_parse(&t_cmd, argc, argv, o, first);
}

static void test_parse_values(void **state)
{
	struct t_opts o;
	int first = -1;

	assert_int_equal(t_parse(&o, &first, "-p", "a.txt", "--size", "2K", "--count=7", "--x", "1.5", "-f",
				 "--no-pfc", "--name", "ok", "rest", NULL), 0);
	assert_string_equal(o.path, "a.txt");
	assert_int_equal(o.size_bytes, 2048);
	assert_int_equal(o.count, 7);
	assert_true(o.x == 1.5);
	assert_true(o.flag);
	assert_int_equal(o.pfc, 0);
	/* argv[0] "t" and 11 option words before it: "rest" is argv[12] */
	assert_int_equal(first, 12);
}

static void test_parse_refusals(void **state)
{
	struct t_opts o;
	int first;

	/* out of range, malformed, an unknown name, an unknown option, a missing value */
	assert_int_equal(t_parse(&o, &first, "--size", "2M", NULL), -1);
	assert_int_equal(t_parse(&o, &first, "--count", "0", NULL), -1);
	assert_int_equal(t_parse(&o, &first, "--x", "3", NULL), -1);
	assert_int_equal(t_parse(&o, &first, "--name", "no", NULL), -1);
	assert_int_equal(t_parse(&o, &first, "--bogus", NULL), -1);
	assert_int_equal(t_parse(&o, &first, "--path", NULL), -1);
	/* -c is not a short option: --count has none */
	assert_int_equal(t_parse(&o, &first, "-c", "3", NULL), -1);
}

static void test_parser_messages(void **state)
{
	const struct sim_opt *size = &t_opts_a[1], *name = &t_opts_b[3];
	struct t_opts o = { 0 };
	char err[320];

	assert_int_equal(sim_opt_qty(size, "2M", &o, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "--size 2 MiB is out of range (1 KiB to 1 MiB)");
	assert_int_equal(sim_opt_bad(name, "no", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid --name 'no': expected ok or ok");
	assert_int_equal(sim_opt_qty(size, "x", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid --size 'x': expected a size like 8M (1 KiB to 1 MiB)");
	/* no EXPECTED text: point at --help */
	assert_int_equal(sim_opt_bad(&t_opts_a[0], "x", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid --path 'x' (see --help)");
}

static const struct sim_topo *t_topo(void)
{
	static struct sim_topo *t;

	if (!t)
		t = sim_topo_load_string("name = \"t8\";\nfabric = { kind = \"leafspine\"; leaves = 2; "
					 "hosts_per_leaf = 4; spines = 1; host_rate = \"400G\"; };\n", "t8");
	assert_non_null(t);
	return t;
}

static int t_jobs(struct sim_coll_jobs *js, const char *text, char *err, size_t errlen)
{
	struct sim_coll_job defaults = { .kind = COLL_ALLREDUCE, .algo = COLL_ALGO_RING, .elem_bytes = 4,
					 .chunk_bytes = 1 << 20, .gpus_per_server = 1 };
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	rc = sim_coll_jobs_read(js, f, "j.jobs", &defaults, t_topo(), err, errlen);
	fclose(f);
	return rc;
}

static void test_jobs_file(void **state)
{
	struct sim_coll_jobs *js = calloc(1, sizeof(*js));
	char err[512];

	assert_non_null(js);
	assert_int_equal(t_jobs(js, "# two jobs\na allgather ring 4 contiguous\n\nb allreduce rhd 4 random 1M 5us\n",
				err, sizeof(err)), 0);
	assert_int_equal(js->n, 2);
	assert_string_equal(js->job[0].name, "a");
	assert_int_equal(js->job[0].kind, COLL_ALLGATHER);
	assert_int_equal(js->fixed_bytes[0], 0);
	assert_int_equal(js->line[0], 2);
	assert_int_equal(js->job[1].algo, COLL_ALGO_RHD);
	assert_int_equal(js->job[1].placement, SIM_PLACE_RANDOM);
	assert_int_equal(js->fixed_bytes[1], 1 << 20);
	assert_int_equal(js->job[1].start_ps, 5000000);
	assert_int_equal(js->line[1], 4);

	assert_int_equal(t_jobs(js, "a allreduce ring 4 contiguous\na allgather ring 2 contiguous\n", err,
				sizeof(err)), -EBADMSG);
	assert_string_equal(err, "j.jobs:2: NAME 'a' is taken by an earlier job: expected a new name");
	assert_int_equal(t_jobs(js, "a allreduce ring 9 contiguous\n", err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "j.jobs:1: RANKS 9 is out of range (2 to 8: t8 has 8 hosts)");
	assert_int_equal(t_jobs(js, "a allreduce ring 4\n", err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "j.jobs:1: expected 'NAME KIND ALGO RANKS PLACEMENT [SIZE] [START]', found 4 fields");
	assert_int_equal(t_jobs(js, "# nothing\n", err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "j.jobs: expected at least one job line 'NAME KIND ALGO RANKS PLACEMENT [SIZE] "
			    "[START]', found none");
	free(js);
}

/*
 * The job of the bug report, as a built schedule: the ring now generates
 * its schedule as it runs (bounded by SIM_MAX_GEN_XFERS), so the tree
 * stands in. Tree all-reduce on 27 ranks at 1 TiB, 4-byte elements, 1 MiB
 * chunks: 2^20 chunks, each up and down the 26 tree edges, 2 (n - 1) = 52
 * transfers: 54,525,952. At 256 GiB: 2^18 x 52 = 13,631,488, under the cap.
 */
static void test_job_transfer_cap(void **state)
{
	struct sim_coll_job j = { .kind = COLL_ALLREDUCE, .algo = COLL_ALGO_TREE, .nranks = 27, .elem_bytes = 4,
				  .chunk_bytes = 1 << 20, .gpus_per_server = 1 };
	struct sim_config cfg;
	struct sim *s;
	char err[256];

	strcpy(j.name, "big");
	assert_int_equal(sim_coll_job_size_check(&j, 1ULL << 40, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "allreduce tree on 27 ranks at 1 TiB would be 5.45e+07 transfers, more than the "
			    "16777216 a job may have (fewer ranks or channels, a smaller size or a larger chunk)");
	assert_int_equal(sim_coll_job_size_check(&j, 256ULL << 30, err, sizeof(err)), 0);
	/* sim_coll_add refuses it too, naming the job, before building anything */
	sim_config_defaults(&cfg);
	s = sim_create((struct sim_topo *)t_topo(), &cfg);
	assert_non_null(s);
	j.bytes = 1ULL << 40;
	assert_int_equal(sim_coll_add(s, &j, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "job big: allreduce tree on 27 ranks at 1 TiB would be 5.45e+07 transfers"));
	assert_int_equal(s->nflows, 0);
	sim_destroy(s);
	/*
	 * A generated ring holds only what is in flight: 5.45e7 transfers
	 * pass; 100,000 ranks at 8 MiB (2 x 99,999 x 100,000 = 2e10) are over
	 * the 2^32 a generated job may have.
	 */
	j.algo = COLL_ALGO_RING;
	assert_int_equal(sim_coll_job_size_check(&j, 1ULL << 40, err, sizeof(err)), 0);
	j.nranks = 100000;
	assert_int_equal(sim_coll_job_size_check(&j, 8 << 20, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "allreduce ring on 100000 ranks at 8 MiB would be 2e+10 transfers, more than the "
				    "4294967296 a job may have (days of simulation"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_layout),
		cmocka_unit_test(test_usage_made),
		cmocka_unit_test(test_table_help),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parser_messages),
		cmocka_unit_test(test_jobs_file),
		cmocka_unit_test(test_job_transfer_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
