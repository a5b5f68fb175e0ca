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

#include <math.h>
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

/*
 * Nearest-rank percentiles of 1..1000 given in a scrambled order: the p-th
 * is the ceil(p * 1000)-th smallest; the standard deviation of 1..n is
 * sqrt((n^2 - 1) / 12).
 */
static void test_lat_stats(void **state)
{
	double v[1000], one = 7.5, ten[10];
	struct vb_lat_stats s;
	uint32_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		v[i] = (double)((i * 7919u) % 1000u + 1);
	vb_lat_stats(v, 1000, &s);
	assert_int_equal(s.n, 1000);
	assert_true(s.min_us == 1 && s.max_us == 1000);
	assert_true(s.typical_us == 500);
	assert_true(s.p99_us == 990);
	assert_true(s.p999_us == 999);
	assert_true(s.avg_us == 500.5);
	assert_true(fabs(s.stdev_us - sqrt((1e6 - 1) / 12)) < 1e-9);
	for (i = 1; i < 1000; i++)
		assert_true(v[i - 1] <= v[i]);
	/* Ten samples: p99 and p99.9 are both the largest. */
	for (i = 0; i < 10; i++)
		ten[i] = 10 - i;
	vb_lat_stats(ten, 10, &s);
	assert_true(s.typical_us == 5 && s.p99_us == 10 && s.p999_us == 10);
	vb_lat_stats(&one, 1, &s);
	assert_true(s.min_us == 7.5 && s.typical_us == 7.5 && s.p999_us == 7.5 &&
		    s.max_us == 7.5 && s.stdev_us == 0);
	vb_lat_stats(NULL, 0, &s);
	assert_true(s.n == 0 && s.max_us == 0);
}

static void test_count(void **state)
{
	(void)state;
	assert_int_equal(vb_count(COLL_ALLREDUCE, 4096, 4, 8), 1024);
	assert_int_equal(vb_count(COLL_ALLGATHER, 4096, 4, 8), 128);
	assert_int_equal(vb_count(COLL_ALLTOALL, 4096, 2, 4), 512);
	/* nccl-tests: broadcast, reduce and sendrecv count all of S */
	assert_int_equal(vb_count(COLL_BROADCAST, 4096, 4, 8), 1024);
	assert_int_equal(vb_count(COLL_REDUCE, 4096, 4, 8), 1024);
	assert_int_equal(vb_count(COLL_SENDRECV, 4096, 4, 8), 1024);
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
	assert_true(r.algbw_GBps > algbw - 1e-9 && r.algbw_GBps < algbw + 1e-9);
	/* allreduce: busbw = algbw * 2(n-1)/n */
	assert_true(r.busbw_GBps > algbw * 1.5 - 1e-9 && r.busbw_GBps < algbw * 1.5 + 1e-9);
	assert_true(r.busbw_GBps_min < r.busbw_GBps && r.busbw_GBps < r.busbw_GBps_max);
	assert_true(r.line_frac > 0 && r.line_frac < 1);
	o.average = VB_AVG_MAX;
	vb_result_fill(&r, &o, 4, 8 << 20, (double[]){ 1e-3, 2e-3, 1e-3, 4e-3 }, -1, 0);
	assert_true(r.time_us > 3999.9);
	assert_true(r.line_frac < 0);
	assert_int_equal(r.wrong, -1);
}

/* Occurrences of WORD in TEXT. */
static unsigned int count_of(const char *text, const char *word)
{
	unsigned int n = 0;

	for (text = strstr(text, word); text; text = strstr(text + 1, word))
		n++;
	return n;
}

/*
 * nccl-tests' two column groups: out of place first, then in place, each
 * with its #wrong; --inplace keeps one. The root column says -1 for a
 * collective without one.
 */
static void test_table_places(void **state)
{
	char hosts[4][VB_HOST_LEN] = { "a", "b", "c", "d" };
	struct vb_result r, t;
	struct vb_opts o;
	struct vb_report rep = {
		.o = &o, .nranks = 4, .hosts = (const char (*)[VB_HOST_LEN])hosts,
		.res = &r, .nres = 1,
	};
	double slow[4] = { 4e-3, 4e-3, 4e-3, 4e-3 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fill(&o, &r);
	vb_result_fill(&t, &o, 4, 8 << 20, slow, 3, 0);
	vb_result_set_oop(&r, &t);
	assert_int_equal(o.place, VB_PLACE_BOTH);
	f = open_memstream(&text, &len);
	vb_report_header(f, &rep);
	vb_report_row(f, &rep, &r);
	vb_report_footer(f, &rep);
	fclose(f);
	assert_int_equal(count_of(text, "#wrong"), 2);
	assert_int_equal(count_of(text, "out-of-place"), 1);
	assert_true(strstr(text, "out-of-place") < strstr(text, " in-place"));
	/* out of place 4000 us and 3 wrong, then in place 2000 us and 0 wrong */
	assert_non_null(strstr(text, "   8388608      2097152    float    sum     -1    4000.0    4000.0    4000.0 "));
	assert_non_null(strstr(text, "      3    2000.0    1000.0    4000.0 "));
	assert_non_null(strstr(text, "# Out of bounds values : 3 FAILED"));
	/* the average is over both groups, as nccl-tests' */
	assert_true(vb_report_avg_busbw(&rep) > (r.busbw_GBps + t.busbw_GBps) / 2 - 1e-9 &&
		    vb_report_avg_busbw(&rep) < (r.busbw_GBps + t.busbw_GBps) / 2 + 1e-9);
	free(text);
	o.place = VB_PLACE_IN;
	o.kind = COLL_BROADCAST;
	o.root = 2;
	f = open_memstream(&text, &len);
	vb_report_header(f, &rep);
	vb_report_row(f, &rep, &r);
	fclose(f);
	assert_int_equal(count_of(text, "#wrong"), 1);
	assert_int_equal(count_of(text, "out-of-place"), 0);
	assert_non_null(strstr(text, "    float    sum      2    2000.0    1000.0    4000.0 "));
	assert_true(vb_report_avg_busbw(&rep) == r.busbw_GBps);
	free(text);
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
	assert_null(strstr(text, "p2p"));
	free(text);
	/* With --p2p: perftest's latency columns and both bandwidths. */
	rep.has_p2p = true;
	rep.p2p_latency_us = 3.5;
	rep.p2p_lat = (struct vb_lat_stats){ .n = 1000, .min_us = 3, .typical_us = 3.5,
					     .avg_us = 4, .max_us = 12, .stdev_us = 0.5,
					     .p99_us = 6, .p999_us = 9 };
	rep.p2p_lat_bytes = 8;
	rep.p2p_bw_bytes = 4096;
	rep.p2p_bw_GBps = 1.25;
	rep.p2p_bibw_GBps = 2.25;
	f = open_memstream(&text, &len);
	vb_report_footer(f, &rep);
	fclose(f);
	assert_non_null(strstr(text, "# p2p rank 0 <-> 1     : latency 3.50 us, bandwidth 1.250 GB/s\n"));
	assert_non_null(strstr(text, "8 B x 1000: t_min 3.00 t_typical 3.50 t_avg 4.00 t_max 12.00 t_stdev 0.50 p99 6.00 p99.9 9.00\n"));
	assert_non_null(strstr(text, "4096 B: unidirectional 1.250, bidirectional 2.250\n"));
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
		.has_p2p = true, .p2p_latency_us = 3.5, .p2p_bw_GBps = 1.25,
		.p2p_lat = { .n = 1000, .min_us = 3, .typical_us = 3.5, .p99_us = 6, .p999_us = 9,
			     .max_us = 12 },
		.p2p_lat_bytes = 8, .p2p_bw_bytes = 1 << 20, .p2p_bibw_GBps = 2.25,
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
	assert_true(json_real_value(json_object_get(j, "p2p_latency_us_p99")) == 6);
	assert_true(json_real_value(json_object_get(j, "p2p_latency_us_p999")) == 9);
	assert_true(json_real_value(json_object_get(j, "p2p_latency_us_max")) == 12);
	assert_int_equal(json_integer_value(json_object_get(j, "p2p_latency_iterations")), 1000);
	assert_int_equal(json_integer_value(json_object_get(j, "p2p_bw_bytes")), 1 << 20);
	assert_true(json_real_value(json_object_get(j, "p2p_bibw_GBps")) == 2.25);
	res = json_object_get(j, "results");
	assert_int_equal(json_array_size(res), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 1), "bytes")), 16 << 20);
	assert_non_null(json_object_get(json_array_get(res, 0), "busbw_GBps_min"));
	assert_non_null(json_object_get(j, "avg_busbw_GBps"));
	/* both groups by default: the out-of-place keys hold numbers */
	assert_int_equal(json_integer_value(json_object_get(j, "inplace")), 2);
	assert_true(json_is_null(json_object_get(j, "root")));
	assert_true(json_is_number(json_object_get(json_array_get(res, 0), "oop_busbw_GBps")));
	assert_true(json_is_integer(json_object_get(json_array_get(res, 0), "oop_wrong")));
	json_decref(j);
	/* --inplace 0: the in-place keys (fabsim predict's) are null; a root is named */
	o.place = VB_PLACE_OUT;
	o.kind = COLL_REDUCE;
	o.root = 1;
	j = vb_report_json(&rep);
	res = json_object_get(j, "results");
	assert_true(json_is_null(json_object_get(json_array_get(res, 0), "time_us")));
	assert_true(json_is_null(json_object_get(json_array_get(res, 0), "busbw_GBps")));
	assert_true(json_is_number(json_object_get(json_array_get(res, 0), "oop_time_us")));
	assert_int_equal(json_integer_value(json_object_get(j, "root")), 1);
	json_decref(j);
	/* --inplace 1: the out-of-place keys are null */
	o.place = VB_PLACE_IN;
	j = vb_report_json(&rep);
	res = json_object_get(j, "results");
	assert_true(json_is_null(json_object_get(json_array_get(res, 0), "oop_time_us")));
	assert_true(json_is_number(json_object_get(json_array_get(res, 0), "time_us")));
	json_decref(j);
}

/*
 * --p2p all over 3 ranks: pairs (0,1), (0,2), (1,2) fill both cells of
 * the symmetric matrices; the slowest pair is the lowest bandwidth, the
 * medians are the middle pair's; the CSV has a row per pair.
 */
static void test_p2p_matrix(void **state)
{
	char hosts[3][VB_HOST_LEN] = { "a", "b", "c" };
	struct vb_p2p_pair pairs[3] = {
		{ .src = 0, .dst = 1, .lat = { .typical_us = 2, .p99_us = 3 }, .bw_GBps = 10, .bibw_GBps = 19 },
		{ .src = 0, .dst = 2, .lat = { .typical_us = 4, .p99_us = 5 }, .bw_GBps = 1.5, .bibw_GBps = 3 },
		{ .src = 1, .dst = 2, .lat = { .typical_us = 3, .p99_us = 9 }, .bw_GBps = 8, .bibw_GBps = 15 },
	};
	struct vb_opts o;
	struct vb_report rep = { .o = &o, .nranks = 3, .hosts = (const char (*)[VB_HOST_LEN])hosts,
				 .pairs = pairs, .npairs = 3 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	vb_report_p2p_matrix(f, &rep);
	fclose(f);
	assert_non_null(strstr(text, "#    0         -     2.00     4.00\n"));
	assert_non_null(strstr(text, "#    1      2.00        -     3.00\n"));
	assert_non_null(strstr(text, "#    2      4.00     3.00        -\n"));
	assert_non_null(strstr(text, "#    0         -   10.000    1.500\n"));
	assert_non_null(strstr(text, "#    2     1.500    8.000        -\n"));
	assert_non_null(strstr(text, "slowest pair     : rank 0 (a) <-> 2 (c): 1.500 GB/s, the median pair 8.000 GB/s"));
	assert_non_null(strstr(text, "highest latency  : rank 0 (a) <-> 2 (c): 4.00 us, the median pair 3.00 us"));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	assert_int_equal(vb_report_write_p2p_csv(&rep, f), 0);
	fclose(f);
	assert_true(!strncmp(text, "src,dst,latency_us,p99_us,", 26));
	assert_non_null(strstr(text, "\n1,2,3.000,9.000,"));
	assert_non_null(strstr(text, ",8.000000,15.000000,b,c\n"));
	free(text);
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
	assert_non_null(strstr(text, ",mpi_busbw_GBps,oop_time_us,oop_time_us_min,oop_time_us_max,"
				     "oop_algbw_GBps,oop_busbw_GBps,oop_line_fraction,oop_wrong\n"));
	assert_non_null(strstr(text, "\nallreduce,ring,verbs,4,float,sum,8388608,2097152,"));
	free(text);
	/* --inplace 0: 8 leading fields, 9 empty (in place, MPI), then out of place */
	o.place = VB_PLACE_OUT;
	r.oop.time_us = 5;
	r.oop.wrong = 0;
	r.oop.line_frac = -1;
	text = NULL;
	f = open_memstream(&text, &len);
	assert_int_equal(vb_report_write_csv(&rep, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "\nallreduce,ring,verbs,4,float,sum,8388608,2097152,,,,,,,,,,5.000,"));
	assert_non_null(strstr(text, ",,0\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_lat_stats),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_places),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_p2p_matrix),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
