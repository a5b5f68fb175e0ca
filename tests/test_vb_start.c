/*
 * Tests of fabbench's start-up agreement (verbs/start.c): rank 0's verdict
 * over the ranks' cards names the first option that differs with both
 * values and ranks, a rank that cannot run with its own reason, and a host
 * whose ranks need more memory than it has; options are judged before
 * readiness, and only the first failure becomes the verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "verbs/start.h"

#define GiB (1ull << 30)

static struct vb_opts opts_of(const char *line)
{
	static char buf[512];
	char *argv[64], *tok, *save = NULL, err[256];
	struct vb_opts o;
	int argc = 0;

	snprintf(buf, sizeof(buf), "fabbench %s", line);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	assert_int_equal(vb_opts_parse(&o, argc, argv, err, sizeof(err)), 0);
	return o;
}

/* N ready cards of LINE's options, all on HOST with AVAIL bytes free. */
static void cards_of(struct vb_start_card *c, uint32_t n, const char *line,
		     const char *host, uint64_t avail)
{
	struct vb_opts o = opts_of(line);
	uint32_t r;

	for (r = 0; r < n; r++) {
		vb_start_card_init(&c[r], &o, r, n, host);
		c[r].avail_bytes = avail;
	}
}

static void test_agree(void **state)
{
	struct vb_start_card c[4];
	struct vb_start_verdict v;

	(void)state;
	cards_of(c, 4, "--transport tcp -b 1M -e 1M", "h", 64 * GiB);
	assert_int_equal(c[0].magic, VB_START_MAGIC);
	assert_int_equal(c[3].rank, 3);
	assert_int_equal(c[3].status, 0);
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_judge(c, 4, &v), 0);
	assert_int_equal(v.code, 0);
	assert_int_equal(v.rank, -1);
	assert_int_equal(v.kind, VB_VERDICT_GO);
}

static void test_options_differ(void **state)
{
	struct vb_start_card c[3];
	struct vb_start_verdict v;
	struct vb_opts o = opts_of("--transport tcp -n 10");

	(void)state;
	cards_of(c, 3, "--transport tcp", "h", 0);
	vb_start_card_init(&c[2], &o, 2, 3, "h");
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_judge(c, 3, &v), 2);
	assert_int_equal(v.code, 2);
	assert_int_equal(v.rank, 2);
	assert_int_equal(v.kind, VB_VERDICT_OPTIONS);
	assert_non_null(strstr(v.msg, "option --iters differs: rank 0 has 20, rank 2 has 10"));
}

static void test_cannot_run(void **state)
{
	struct vb_start_card c[3];
	struct vb_start_verdict v;

	(void)state;
	cards_of(c, 3, "", "h", 0);
	vb_start_card_fail(&c[1], 1, "no RDMA device found (%s)", "ibv_devices lists none");
	assert_int_equal(c[1].status, 1);
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_judge(c, 3, &v), 1);
	assert_int_equal(v.rank, 1);
	assert_int_equal(v.kind, VB_VERDICT_STATUS);
	assert_string_equal(v.msg, "peer rank 1 (h) cannot run: no RDMA device found (ibv_devices lists none)");
}

/* A rank that cannot run and differs: the option is the likelier cause. */
static void test_options_before_status(void **state)
{
	struct vb_start_card c[2];
	struct vb_start_verdict v;
	struct vb_opts o = opts_of("--transport tcp");

	(void)state;
	cards_of(c, 2, "", "h", 0);
	vb_start_card_fail(&c[1], 1, "no RDMA device");
	vb_start_card_init(&c[0], &o, 0, 2, "h");
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_judge(c, 2, &v), 2);
	assert_int_equal(v.kind, VB_VERDICT_OPTIONS);
	assert_non_null(strstr(v.msg, "option --transport differs: rank 0 has tcp, rank 1 has verbs"));
}

/* Rank 0's own failure is judged like anyone's. */
static void test_root_cannot_run(void **state)
{
	struct vb_start_card c[2];
	struct vb_start_verdict v;

	(void)state;
	cards_of(c, 2, "", "h0", 0);
	vb_start_card_fail(&c[0], 1, "cannot write --json /x/y.json: No such file or directory");
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_check(&c[0], &c[0], &v), 1);
	assert_int_equal(v.rank, 0);
	assert_non_null(strstr(v.msg, "peer rank 0 (h0) cannot run: cannot write --json"));
}

static void test_memory(void **state)
{
	struct vb_start_card c[4];
	struct vb_start_verdict v;
	uint64_t each;

	(void)state;
	/* 2 x 1 GiB buffers (in place only) + 3 x 8 x 128 KiB slots + schedule, per rank. */
	cards_of(c, 4, "--transport tcp -b 1G -e 1G --inplace 1", "a", 0);
	each = vb_mem_need_total(&c[0].need);
	assert_true(each > 2 * GiB && each < 2 * GiB + 4 * (1 << 20) + 8 * (1 << 20));
	/* Two hosts, two ranks each; host b is one byte short. */
	snprintf(c[2].host, sizeof(c[2].host), "b");
	snprintf(c[3].host, sizeof(c[3].host), "b");
	c[0].avail_bytes = 2 * each;
	c[1].avail_bytes = 2 * each;
	c[2].avail_bytes = 2 * each - 1;
	c[3].avail_bytes = 2 * each - 1;
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_check_memory(c, 4, &v), 1);
	assert_int_equal(v.rank, 2);
	assert_int_equal(v.kind, VB_VERDICT_MEMORY);
	assert_non_null(strstr(v.msg, "2 ranks on b need"));
	assert_non_null(strstr(v.msg, "each: 2 GiB data buffers, 3 MiB receive slots"));
	/* Exactly enough is enough; unknown (0) is not judged. */
	c[2].avail_bytes = 2 * each;
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_check_memory(c, 4, &v), 0);
	c[2].avail_bytes = 0;
	assert_int_equal(vb_start_judge(c, 4, &v), 0);
	/* All four on one host with room for three. */
	cards_of(c, 4, "--transport tcp -b 1G -e 1G --inplace 1", "a", 3 * each);
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_judge(c, 4, &v), 1);
	assert_non_null(strstr(v.msg, "4 ranks on a need 8"));
	/* Absurd sizes saturate and fail rather than wrap and pass. */
	cards_of(c, 2, "-b 1T -e 1T --chunk 64 --coll alltoall", "a", 1ull << 62);
	c[1].need.sched_bytes = UINT64_MAX;
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_check_memory(c, 2, &v), 1);
}

static void test_first_failure_wins(void **state)
{
	struct vb_start_verdict v;

	(void)state;
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_verdict_set(&v, 2, 3, VB_VERDICT_LAUNCH, "first %d", 1), 2);
	assert_int_equal(vb_start_verdict_set(&v, 1, 1, VB_VERDICT_STATUS, "second"), 2);
	assert_int_equal(v.rank, 3);
	assert_string_equal(v.msg, "first 1");
}

static void test_garbled_card(void **state)
{
	struct vb_start_card c[2];
	struct vb_start_verdict v;

	(void)state;
	cards_of(c, 2, "", "h", 0);
	c[1].magic = 0xfab0b007u;	/* the previous protocol's hello */
	vb_start_verdict_init(&v);
	assert_int_equal(vb_start_judge(c, 2, &v), 1);
	assert_int_equal(v.kind, VB_VERDICT_LAUNCH);
	assert_non_null(strstr(v.msg, "rank 1 sent a garbled start-up card"));
}

static void test_mem_avail(void **state)
{
	uint64_t a = vb_mem_avail_bytes();

	(void)state;
	/* Linux always has MemAvailable; no machine running this has 1 PiB. */
	assert_true(a > (1 << 20));
	assert_true(a < (1ull << 50));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agree),
		cmocka_unit_test(test_options_differ),
		cmocka_unit_test(test_cannot_run),
		cmocka_unit_test(test_options_before_status),
		cmocka_unit_test(test_root_cannot_run),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_first_failure_wins),
		cmocka_unit_test(test_garbled_card),
		cmocka_unit_test(test_mem_avail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
