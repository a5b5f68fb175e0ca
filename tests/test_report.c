/*
 * Tests of the `fabsim report` layer below the command: the size labels,
 * which configurations a plot family draws, the gnuplot kit's script text
 * (line-rate references, message-size axis, datablocks, quoting), and the
 * error convention: a failure returns a negative errno and leaves the
 * reason in r->err without printing. No test runs gnuplot: the only plot
 * families reached have nothing to draw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/report/gnuplot.h"

/* What FN wrote to a FILE, as a string the caller frees. */
#define CAPTURE(buf, f, fn)						\
	do {								\
		size_t len_;						\
		f = open_memstream(&(buf), &len_);			\
		assert_non_null(f);					\
		fn;							\
		assert_int_equal(fclose(f), 0);				\
	} while (0)

static void test_size_label(void **state)
{
	char buf[32];

	(void)state;
	sim_rep_size_label(100, buf, sizeof(buf));
	assert_string_equal(buf, "100B");
	sim_rep_size_label(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1.5K");
	sim_rep_size_label(1 << 20, buf, sizeof(buf));
	assert_string_equal(buf, "1M");
	sim_rep_size_label(4.0 * (1 << 30), buf, sizeof(buf));
	assert_string_equal(buf, "4G");
	/* T is the largest unit: 2^50 bytes = 1024T */
	sim_rep_size_label(1125899906842624.0, buf, sizeof(buf));
	assert_string_equal(buf, "1024T");
}

static void test_cat(void **state)
{
	char buf[8] = "ab";

	(void)state;
	sim_rep_cat(buf, sizeof(buf), "%d%s", 12, "cd");
	assert_string_equal(buf, "ab12cd");
	/* truncated like snprintf, and a full buffer stays as it is */
	sim_rep_cat(buf, sizeof(buf), "xyz");
	assert_string_equal(buf, "ab12cdx");
	sim_rep_cat(buf, sizeof(buf), "q");
	assert_string_equal(buf, "ab12cdx");
}

static void test_has(void **state)
{
	struct sim_rep_coll row = { .job = "j" };
	struct sim_rep_config flows = { .kind = SIM_REP_FLOWS, .nfct = 3, .nlinks = 2 };
	struct sim_rep_config coll = { .kind = SIM_REP_COLL, .coll = &row, .ncoll = 1, .ntrace = 5 };
	struct sim_rep_config pred = { .kind = SIM_REP_PRED, .npred = 2 };

	(void)state;
	assert_true(sim_rep_has(&flows, SIM_REP_NEED_FCT));
	assert_true(sim_rep_has(&flows, SIM_REP_NEED_FCT | SIM_REP_NEED_LINKS));
	assert_false(sim_rep_has(&flows, SIM_REP_NEED_FCT | SIM_REP_NEED_TRACE));
	assert_false(sim_rep_has(&flows, SIM_REP_NEED_COLL));
	assert_true(sim_rep_has(&coll, SIM_REP_NEED_COLL | SIM_REP_NEED_TRACE));
	assert_false(sim_rep_has(&coll, SIM_REP_NEED_FCT));
	assert_true(sim_rep_has(&pred, SIM_REP_NEED_PRED));
	assert_false(sim_rep_has(&pred, SIM_REP_NEED_COLL));
	/* rows in collective.csv are not enough: the run must be a collective */
	pred.ncoll = 1;
	assert_false(sim_rep_has(&pred, SIM_REP_NEED_COLL));
	assert_true(sim_rep_has(&pred, 0));
}

static void test_line_rates(void **state)
{
	const double gbps[] = { 400, 400, 0, 800 };
	char *out;
	FILE *f;

	(void)state;
	/* GB/s axis: one reference per distinct rate (400 Gb/s = 50 GB/s), none for 0 */
	CAPTURE(out, f, sim_gp_line_rates(f, gbps, 4, false));
	assert_string_equal(out,
		", \\\n\t\t50 with lines dt 2 lw 1.5 lc rgb 'black' title 'NIC line rate (400 Gb/s = 50 GB/s)'"
		", \\\n\t\t100 with lines dt 3 lw 1.5 lc rgb 'black' title 'NIC line rate (800 Gb/s = 100 GB/s)'");
	free(out);
	CAPTURE(out, f, sim_gp_line_rates(f, gbps, 4, true));
	assert_string_equal(out,
		", \\\n\t\t100 with lines dt 2 lw 1.5 lc rgb 'black' title 'NIC line rate (100%)'");
	free(out);
}

static void test_size_axis(void **state)
{
	char *out;
	FILE *f;

	(void)state;
	/* 1K..4K: ticks at 2^10, 2^11, 2^12; range widened by 1.4 each way */
	CAPTURE(out, f, sim_gp_size_axis(f, 1024, 4096));
	assert_string_equal(out, "\tset logscale x 2\n\tset xrange [731.429:5734.4]\n"
			    "\tset xtics ('1K' 1024, '2K' 2048, '4K' 4096)\n"
			    "\tset xlabel 'message size (bytes; 1K = 1024)'\n");
	free(out);
	/* 1B..1T spans 41 powers of two: every 4th, (40 - 0) / 12 + 1 */
	CAPTURE(out, f, sim_gp_size_axis(f, 1, 1099511627776.0));
	assert_non_null(strstr(out, "set xtics ('1B' 1, '16B' 16, '256B' 256, '4K' 4096, "));
	assert_non_null(strstr(out, "'1T' 1099511627776)\n"));
	free(out);
	/* out of the loader's range (NaN, above 2^53): one tick at 1 */
	CAPTURE(out, f, sim_gp_size_axis(f, 0.0 / 0.0, 1e300));
	assert_non_null(strstr(out, "set xtics ('1B' 1)\n"));
	free(out);
}

static void test_data_and_quote(void **state)
{
	char *out;
	FILE *f;

	(void)state;
	CAPTURE(out, f, {
		sim_gp_data_begin(f, "c3", "%s: size, value", "run");
		fputs("1 2\n", f);
		sim_gp_data_end(f);
		sim_gp_str(f, "it's");
	});
	assert_string_equal(out, "# run: size, value\n$c3 << EOD\n1 2\nEOD\n\n'it''s'");
	free(out);
}

static void test_open_fails(void **state)
{
	struct sim_report r = { .out_dir = "/nonexistent-fabsim-dir" };
	FILE *f = NULL;

	(void)state;
	assert_int_equal(sim_gp_open(&r, "fct-cdf", "x", &f), -ENOENT);
	assert_null(f);
	assert_string_equal(r.err, "cannot write /nonexistent-fabsim-dir/fct-cdf.gp: "
			    "No such file or directory");
	r.err[0] = 0;
	assert_int_equal(sim_rep_write_md(&r), -ENOENT);
	assert_string_equal(r.err, "cannot write /nonexistent-fabsim-dir/report.md: "
			    "No such file or directory");
	assert_int_equal(r.nfiles, 0);
}

/* Nothing any family needs: no plot, no gnuplot, and report.md alone. */
static void test_nothing_to_plot(void **state)
{
	struct sim_rep_config c = { .name = "empty", .kind = SIM_REP_FLOWS, .dir = "in/empty" };
	struct sim_report r = { .cfg = &c, .ncfg = 1 };
	char dir[] = "/tmp/fabsim-test-report-XXXXXX", path[64], line[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	r.out_dir = dir;
	assert_int_equal(sim_rep_plots(&r), 0);
	assert_int_equal(r.nplots, 0);
	assert_int_equal(sim_rep_write_md(&r), 0);
	assert_int_equal(r.nfiles, 1);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_string_equal(r.files[0], path);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "# fabsim report\n");
	fclose(f);
	free(r.files[0]);
	free(r.files);
	unlink(path);
	rmdir(dir);
}

/* The busiest port: the deepest max_queue_bytes; ties to the lowest port index, not the first row. */
static void test_busiest(void **state)
{
	struct sim_rep_link l[4] = {
		{ .port = 9, .from = "h0", .to = "leaf0", .max_queue_bytes = 100 },
		{ .port = 7, .from = "leaf0", .to = "h1", .max_queue_bytes = 5000 },
		{ .port = 3, .from = "leaf0", .to = "h0", .max_queue_bytes = 5000 },
		{ .port = 5, .from = "leaf1", .to = "h2", .max_queue_bytes = 4999 },
	};
	struct sim_rep_config c = { .busiest = &l[2], .busy_port = "leaf0:h0", .trace_port = "leaf0:h1" };
	struct sim_report r = { 0 };

	(void)state;
	assert_null(sim_rep_busiest(l, 0));
	assert_ptr_equal(sim_rep_busiest(l, 4), &l[2]);
	assert_ptr_equal(sim_rep_busiest(l, 2), &l[1]);
	/* a links.csv without the port column is in port order: the first row of the deepest */
	l[1].port = l[2].port = NAN;
	assert_ptr_equal(sim_rep_busiest(l, 4), &l[1]);
	/* --port, then the busiest, then trace.csv's port */
	assert_string_equal(sim_rep_port(&r, &c), "leaf0:h0");
	r.port = "leaf1:spine0";
	assert_string_equal(sim_rep_port(&r, &c), "leaf1:spine0");
	r.port = NULL;
	c.busy_port[0] = 0;
	assert_string_equal(sim_rep_port(&r, &c), "leaf0:h1");
}

/* Writes TEXT to DIR/NAME and loads it as --p2p: the loader's return, r->err on failure. */
static int load_p2p(struct sim_report *r, const char *dir, const char *name, const char *text, char *path,
		    size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	memset(r, 0, sizeof(*r));
	return sim_rep_load_p2p(r, path);
}

static void expect_p2p_error(const char *dir, const char *text, const char *msg)
{
	struct sim_report r;
	char path[128], want[256];

	assert_int_equal(load_p2p(&r, dir, "bad.csv", text, path, sizeof(path)), -EINVAL);
	snprintf(want, sizeof(want), "%s%s", path, msg);
	if (!strstr(r.err, want))
		fail_msg("got '%s', expected '%s'", r.err, want);
	sim_rep_p2p_free(&r.p2p);
	unlink(path);
}

/* fabbench --p2p-csv: 4 ranks, pair 1-3 slow (2.5 GB/s of 10), pair 0-2 far (9 us of 5) */
static void test_p2p_load(void **state)
{
	static const char good[] =
		"src,dst,latency_us,p99_us,p999_us,min_us,max_us,bandwidth_GBps,bibw_GBps,src_host,dst_host\n"
		"0,1,5,6,7,4,8,10,20,a,b\n0,2,9,9,9,9,9,10,20,a,c\n0,3,5,6,7,4,8,10,20,a,d\n"
		"1,2,5,6,7,4,8,10,20,b,c\n1,3,5,6,7,4,8,2.5,5,b,d\n2,3,5,6,7,4,8,10,20,c,d\n";
	static const char head[] = "src,dst,latency_us,bandwidth_GBps\n";
	char dir[] = "/tmp/fabsim-test-p2p-XXXXXX", path[128], text[512];
	struct sim_report r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(load_p2p(&r, dir, "pairs.csv", good, path, sizeof(path)), 0);
	assert_int_equal(r.p2p.nranks, 4);
	assert_int_equal(r.p2p.npairs, 6);
	assert_int_equal(r.p2p.slow->src, 1);
	assert_int_equal(r.p2p.slow->dst, 3);
	assert_true(r.p2p.slow->bw_GBps == 2.5);
	assert_int_equal(r.p2p.far->src, 0);
	assert_int_equal(r.p2p.far->dst, 2);
	/* nearest-rank medians, as fabbench's footer: the 3rd of 6 */
	assert_true(r.p2p.median_GBps == 10);
	assert_true(r.p2p.median_us == 5);
	assert_string_equal(r.p2p.host[3], "d");
	sim_rep_p2p_free(&r.p2p);
	unlink(path);
	/* fabbench before issue 16 spelled the GB/s column bandwidth_gbps; no host names */
	assert_int_equal(load_p2p(&r, dir, "old.csv", "src,dst,latency_us,bandwidth_gbps\n1,0,3,4\n",
				  path, sizeof(path)), 0);
	assert_int_equal(r.p2p.nranks, 2);
	assert_true(r.p2p.slow->bw_GBps == 4);
	assert_string_equal(r.p2p.host[0], "");
	sim_rep_p2p_free(&r.p2p);
	unlink(path);

	expect_p2p_error(dir, "src,dst,latency_us\n0,1,3\n", ": header has no 'bandwidth_GBps' column");
	expect_p2p_error(dir, "src,latency_us,bandwidth_GBps\n0,3,4\n", ": header has no 'dst' column");
	expect_p2p_error(dir, head, ": no rows");
	snprintf(text, sizeof(text), "%s0,1,3,4\n0,2,3,x\n", head);
	expect_p2p_error(dir, text, ":3: column 'bandwidth_GBps': expected a number");
	snprintf(text, sizeof(text), "%s0,1,3,4\n2,2,3,4\n", head);
	expect_p2p_error(dir, text, ":3: src and dst are both rank 2");
	snprintf(text, sizeof(text), "%s0,1,0,4\n", head);
	expect_p2p_error(dir, text, ":2: column 'latency_us': 0 is out of range");
	snprintf(text, sizeof(text), "%s0,1,3,4\n0,2,3,4\n1,0,3,4\n1,2,3,4\n", head);
	expect_p2p_error(dir, text, ":4: ranks 0 and 1 again (line 2 has them)");
	snprintf(text, sizeof(text), "%s0,1,3,4\n0,2,3,4\n", head);
	expect_p2p_error(dir, text, ": no row for ranks 1 and 2");
	snprintf(text, sizeof(text), "%s0,1,3,4\n0,1024,3,4\n", head);
	expect_p2p_error(dir, text, ":3: column 'dst': 1024 is out of range (expected a whole number 0..1023)");
	expect_p2p_error(dir, "src,dst,latency_us,bandwidth_GBps,src_host,dst_host\n0,1,3,4,a,b\n0,2,3,4,c,d\n"
			 "1,2,3,4,b,d\n", ":3: rank 0 is on host 'c' here but 'a' above");
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_label),
		cmocka_unit_test(test_cat),
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_line_rates),
		cmocka_unit_test(test_size_axis),
		cmocka_unit_test(test_data_and_quote),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test(test_nothing_to_plot),
		cmocka_unit_test(test_busiest),
		cmocka_unit_test(test_p2p_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
