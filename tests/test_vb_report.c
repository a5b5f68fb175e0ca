/*
 * Tests of fabbench's results: -a time combination as nccl-tests defines
 * it, busbw from coll_busbw_factor, the table row and footer, and a JSON
 * document carrying what fabsim needs to simulate the same job.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/busbw.h"
#include "verbs/report.h"

static void test_combine(void **state)
{
	double t[] = { 4.0, 1.0, 7.0, 4.0 };

	(void)state;
	assert_true(vb_combine_times(t, 4, VB_AVG_RANK0) == 4.0);
	assert_true(vb_combine_times(t, 4, VB_AVG_MEAN) == 4.0);
	assert_true(vb_combine_times(t, 4, VB_AVG_MIN) == 1.0);
	assert_true(vb_combine_times(t, 4, VB_AVG_MAX) == 7.0);
	assert_true(vb_combine_times(t, 0, VB_AVG_MEAN) == 0.0);
}

static void test_count(void **state)
{
	(void)state;
	assert_int_equal(vb_count(COLL_ALLREDUCE, 4096, 4, 8), 1024);
	assert_int_equal(vb_count(COLL_ALLGATHER, 4096, 4, 8), 128);
	assert_int_equal(vb_count(COLL_ALLTOALL, 4096, 2, 4), 512);
}

static void fill(struct vb_opts *o, struct vb_result *r)
{
	double times[4] = { 1e-3, 2e-3, 1e-3, 4e-3 };

	vb_opts_default(o);
	o->average = VB_AVG_MEAN;
	vb_result_fill(r, o, 4, 8 << 20, times, 0, 100000000000ull);
}

static void test_result(void **state)
{
	struct vb_result r;
	struct vb_opts o;
	double algbw;

	(void)state;
	fill(&o, &r);
	assert_true(r.time_us > 1999.9 && r.time_us < 2000.1);
	assert_true(r.time_us_min > 999.9 && r.time_us_max < 4000.1);
	algbw = (8 << 20) / 2e-3 / 1e9;
	assert_true(r.algbw_gbps > algbw - 1e-9 && r.algbw_gbps < algbw + 1e-9);
	/* allreduce: busbw = algbw * 2(n-1)/n */
	assert_true(r.busbw_gbps > algbw * 1.5 - 1e-9 && r.busbw_gbps < algbw * 1.5 + 1e-9);
	assert_true(r.busbw_gbps_min < r.busbw_gbps && r.busbw_gbps < r.busbw_gbps_max);
	assert_true(r.line_frac > 0 && r.line_frac < 1);
	o.average = VB_AVG_MAX;
	vb_result_fill(&r, &o, 4, 8 << 20, (double[]){ 1e-3, 2e-3, 1e-3, 4e-3 }, -1, 0);
	assert_true(r.time_us > 3999.9);
	assert_true(r.line_frac < 0);
	assert_int_equal(r.wrong, -1);
}

static void test_table(void **state)
{
	char hosts[4][VB_HOST_LEN] = { "a", "b", "c", "d" };
	struct vb_link_info links[4] = { { .device = "rxe0" } };
	struct vb_result r;
	struct vb_opts o;
	struct vb_report rep = {
		.o = &o, .nranks = 4, .hosts = (const char (*)[VB_HOST_LEN])hosts, .links = links,
		.res = &r, .nres = 1, .line_rate_bps = 100000000000ull,
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fill(&o, &r);
	f = open_memstream(&text, &len);
	vb_report_header(f, &rep);
	vb_report_row(f, &rep, &r);
	vb_report_footer(f, &rep);
	fclose(f);
	assert_non_null(strstr(text, "#wrong"));
	assert_non_null(strstr(text, "busbw"));
	assert_non_null(strstr(text, "   8388608      2097152    float    sum"));
	assert_non_null(strstr(text, "# Avg bus bandwidth    : "));
	assert_non_null(strstr(text, "# Out of bounds values : 0 OK"));
	free(text);
}

static void test_json(void **state)
{
	char hosts[2][VB_HOST_LEN] = { "h0", "h1" };
	struct vb_link_info links[2] = {
		{ .device = "rxe0", .mtu_bytes = 4096, .line_rate_bps = 10000000000ull },
		{ .device = "rxe1", .mtu_bytes = 4096, .line_rate_bps = 10000000000ull },
	};
	struct vb_result r[2];
	struct vb_opts o;
	struct vb_report rep = {
		.o = &o, .nranks = 2, .hosts = (const char (*)[VB_HOST_LEN])hosts, .links = links,
		.res = r, .nres = 2, .line_rate_bps = 10000000000ull, .mtu_bytes = 4096,
		.has_p2p = true, .p2p_latency_us = 3.5, .p2p_bw_gbps = 1.25,
	};
	json_t *j, *res;

	(void)state;
	fill(&o, &r[0]);
	fill(&o, &r[1]);
	r[1].bytes = 16 << 20;
	j = vb_report_json(&rep);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "transport")), "verbs");
	assert_string_equal(json_string_value(json_object_get(j, "collective")), "allreduce");
	assert_string_equal(json_string_value(json_object_get(j, "algorithm")), "ring");
	assert_int_equal(json_integer_value(json_object_get(j, "line_rate_bps")), 10000000000ll);
	assert_int_equal(json_integer_value(json_object_get(j, "mtu_bytes")), 4096);
	assert_int_equal(json_array_size(json_object_get(j, "hosts")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "ranks")), 2);
	assert_true(json_real_value(json_object_get(j, "p2p_latency_us")) == 3.5);
	res = json_object_get(j, "results");
	assert_int_equal(json_array_size(res), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 1), "bytes")), 16 << 20);
	assert_non_null(json_object_get(json_array_get(res, 0), "busbw_gbps_min"));
	assert_non_null(json_object_get(j, "avg_busbw_gbps"));
	json_decref(j);
}

static void test_csv(void **state)
{
	struct vb_result r;
	struct vb_opts o;
	struct vb_report rep = { .o = &o, .nranks = 4, .res = &r, .nres = 1 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fill(&o, &r);
	f = open_memstream(&text, &len);
	assert_int_equal(vb_report_write_csv(&rep, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "collective,algorithm,transport"));
	assert_non_null(strstr(text, "\nallreduce,ring,verbs,4,float,sum,8388608,2097152,"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
