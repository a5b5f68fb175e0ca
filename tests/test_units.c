/*
 * The unit parsers every option and file field goes through: values
 * derived by hand, and everything strtod alone would let through (nan,
 * inf, hex floats, signs, blanks, overflow, trailing garbage) refused.
 * Also the ranged parser's messages and the line reader's refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/units.h"

/* Inputs no parser may accept, whatever its unit. */
static const char *const bad_inputs[] = {
	"", " 1", "1 ", "nan", "NaN", "inf", "infinity", "-1", "+1", "-0", "0x10", "0X1p3", "1e", "1e+",
	"..5", "1.2.3", "1KK", "1 K", "K", "e5", "1,5", "0x", "\t2", "1\n",
};

static void test_size_values(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sim_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sim_parse_size("1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sim_parse_size("8M", &v), 0);
	assert_int_equal(v, 8ULL << 20);
	assert_int_equal(sim_parse_size("1.5K", &v), 0);
	assert_int_equal(v, 1536);
	assert_int_equal(sim_parse_size("64KiB", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(sim_parse_size("1t", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(sim_parse_size("2e3", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(sim_parse_size(".5K", &v), 0);
	assert_int_equal(v, 512);
	/* 16 EiB - 1 MiB fits, 16384 PiB = 2^64 does not */
	assert_int_equal(sim_parse_size("16777215T", &v), 0);
	assert_int_equal(v, 16777215ULL << 40);
	assert_int_not_equal(sim_parse_size("16777216T", &v), 0);
	/* whole bytes only */
	assert_int_not_equal(sim_parse_size("1.0001K", &v), 0);
	assert_int_not_equal(sim_parse_size("0.5", &v), 0);
	/* overflow, even where the double is finite */
	assert_int_not_equal(sim_parse_size("1e30G", &v), 0);
	assert_int_not_equal(sim_parse_size("1e400", &v), 0);
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++)
		assert_int_not_equal(sim_parse_size(bad_inputs[i], &v), 0);
}

static void test_rate_values(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sim_parse_rate("800G", &v), 0);
	assert_int_equal(v, 800000000000ULL);
	assert_int_equal(sim_parse_rate("1.6T", &v), 0);
	assert_int_equal(v, 1600000000000ULL);
	assert_int_equal(sim_parse_rate("100Gb/s", &v), 0);
	assert_int_equal(v, 100000000000ULL);
	assert_int_equal(sim_parse_rate("25gbps", &v), 0);
	assert_int_equal(v, 25000000000ULL);
	assert_int_equal(sim_parse_rate("1", &v), 0);
	assert_int_equal(v, 1);
	/* 0 b/s would divide by zero downstream; 1000 Tb/s is the ceiling */
	assert_int_not_equal(sim_parse_rate("0", &v), 0);
	assert_int_not_equal(sim_parse_rate("0.4", &v), 0);
	assert_int_equal(sim_parse_rate("1000T", &v), 0);
	assert_int_not_equal(sim_parse_rate("1001T", &v), 0);
	assert_int_not_equal(sim_parse_rate("1e-15G", &v), 0);
	assert_int_not_equal(sim_parse_rate("1e300G", &v), 0);
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++)
		assert_int_not_equal(sim_parse_rate(bad_inputs[i], &v), 0);
}

static void test_time_values(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sim_parse_time("10us", &v), 0);
	assert_int_equal(v, 10000000);
	assert_int_equal(sim_parse_time("2", &v), 0);	/* bare: microseconds */
	assert_int_equal(v, 2000000);
	assert_int_equal(sim_parse_time("1ps", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sim_parse_time("1.5ns", &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(sim_parse_time("1s", &v), 0);
	assert_int_equal(v, 1000000000000ULL);
	assert_int_equal(sim_parse_time("10ms", &v), 0);
	assert_int_equal(v, 10000000000ULL);
	/* case matters: Ms is not ms */
	assert_int_not_equal(sim_parse_time("10Ms", &v), 0);
	/* 2^64 ps is 1.84e7 s (213 days): 1.8e7 s fits, 1.85e7 s does not */
	assert_int_not_equal(sim_parse_time("1.85e7s", &v), 0);
	assert_int_equal(sim_parse_time("1.8e7s", &v), 0);
	assert_int_equal(v, 18000000000000000000ULL);
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++)
		assert_int_not_equal(sim_parse_time(bad_inputs[i], &v), 0);
}

static void test_u32_and_double(void **state)
{
	uint32_t u;
	double d;

	(void)state;
	assert_int_equal(sim_parse_u32("4294967295", &u), 0);
	assert_int_equal(u, UINT32_MAX);
	assert_int_not_equal(sim_parse_u32("4294967296", &u), 0);
	assert_int_not_equal(sim_parse_u32("99999999999999999999999", &u), 0);
	assert_int_not_equal(sim_parse_u32("1e3", &u), 0);
	assert_int_not_equal(sim_parse_u32("1.0", &u), 0);
	assert_int_equal(sim_parse_double("0.95", &d), 0);
	assert_true(d == 0.95);
	assert_int_equal(sim_parse_double("2e-1", &d), 0);
	assert_true(d == 0.2);
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		assert_int_not_equal(sim_parse_u32(bad_inputs[i], &u), 0);
		assert_int_not_equal(sim_parse_double(bad_inputs[i], &d), 0);
	}
	assert_int_not_equal(sim_parse_double("1e999", &d), 0);
}

static void test_ranged_messages(void **state)
{
	char err[256];
	uint64_t v = 7;
	double d;

	(void)state;
	assert_int_equal(sim_parse_in(SIM_QTY_SIZE, "--window", "512K", 4096, 16ULL << 20, NULL, &v, err,
				      sizeof(err)), 0);
	assert_int_equal(v, 512 << 10);
	assert_int_equal(sim_parse_in(SIM_QTY_SIZE, "--window", "8T", 4096, 16ULL << 20, ", or 'unlimited'", &v,
				      err, sizeof(err)), -1);
	assert_string_equal(err, "--window 8 TiB is out of range (4 KiB to 16 MiB, or 'unlimited')");
	assert_int_equal(sim_parse_in(SIM_QTY_SIZE, "--window", "lots", 4096, 16ULL << 20, NULL, &v, err,
				      sizeof(err)), -1);
	assert_string_equal(err, "invalid --window 'lots': expected a size like 8M (4 KiB to 16 MiB)");
	/* a value no uint64_t holds is shown as given */
	assert_int_equal(sim_parse_in(SIM_QTY_SIZE, "SIZE", "1e30G", 1, 1ULL << 40, NULL, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "SIZE 1e30G is out of range (1 B to 1 TiB)");
	assert_int_equal(sim_parse_in(SIM_QTY_TIME, "--rto", "1ps", 1000000, 1000000000000ULL, NULL, &v, err,
				      sizeof(err)), -1);
	assert_string_equal(err, "--rto 1 ps is out of range (1 us to 1 s)");
	assert_int_equal(sim_parse_in(SIM_QTY_TIME, "--stop", "nan", 1000, 100000000000000ULL, NULL, &v, err,
				      sizeof(err)), -1);
	assert_string_equal(err, "invalid --stop 'nan': expected a time like 10us (1 ns to 100 s)");
	assert_int_equal(sim_parse_in(SIM_QTY_RATE, "--nvlink-rate", "200T", 1000000000ULL, 100000000000000ULL,
				      NULL, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "--nvlink-rate 200 Tb/s is out of range (1 Gb/s to 100 Tb/s)");
	assert_int_equal(sim_parse_in(SIM_QTY_COUNT, "--ranks", "4294967295", 2, 128, ": the hosts", &v, err,
				      sizeof(err)), -1);
	assert_string_equal(err, "--ranks 4294967295 is out of range (2 to 128: the hosts)");
	assert_int_equal(sim_parse_in(SIM_QTY_COUNT, "--ranks", "99999999999999999999999", 2, 128, NULL, &v, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "is out of range (2 to 128)"));
	/* a refused value leaves the output alone */
	assert_int_equal(v, 512 << 10);
	/* bounds are inclusive */
	assert_int_equal(sim_parse_in(SIM_QTY_COUNT, "N", "128", 2, 128, NULL, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 128);
	assert_int_equal(sim_parse_double_in("--eta", "nan", 0.1, 1, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --eta 'nan': expected a number (0.1 to 1)");
	assert_int_equal(sim_parse_double_in("--eta", "1.5", 0.1, 1, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "--eta 1.5 is out of range (0.1 to 1)");
	assert_int_equal(sim_parse_double_in("--alpha", "inf", 0, 64, &d, err, sizeof(err)), -1);
	assert_int_equal(sim_parse_double_in("--alpha", "0.5", 0, 64, &d, err, sizeof(err)), 0);
	assert_true(d == 0.5);
}

static void test_fmt_qty(void **state)
{
	char buf[48];

	(void)state;
	sim_fmt_qty(SIM_QTY_SIZE, 1572864, buf, sizeof(buf));
	assert_string_equal(buf, "1.5 MiB");
	sim_fmt_qty(SIM_QTY_SIZE, 1000004, buf, sizeof(buf));
	assert_string_equal(buf, "1000004 B");
	/* just past a bound is never rounded onto it */
	sim_fmt_qty(SIM_QTY_SIZE, (16ULL << 20) + 1, buf, sizeof(buf));
	assert_string_equal(buf, "16777217 B");
	sim_fmt_qty(SIM_QTY_RATE, 1600000000000ULL, buf, sizeof(buf));
	assert_string_equal(buf, "1.6 Tb/s");
	sim_fmt_qty(SIM_QTY_RATE, 1600000000001ULL, buf, sizeof(buf));
	assert_string_equal(buf, "1600000000001 b/s");
	sim_fmt_qty(SIM_QTY_TIME, 0, buf, sizeof(buf));
	assert_string_equal(buf, "0 ps");
	sim_fmt_qty(SIM_QTY_TIME, 2500000, buf, sizeof(buf));
	assert_string_equal(buf, "2.5 us");
	sim_fmt_qty(SIM_QTY_TIME, 1001, buf, sizeof(buf));
	assert_string_equal(buf, "1.001 ns");
	sim_fmt_qty(SIM_QTY_TIME, 1000500, buf, sizeof(buf));
	assert_string_equal(buf, "1000500 ps");
	sim_fmt_qty(SIM_QTY_SIZE, 1ULL << 40, buf, sizeof(buf));
	assert_string_equal(buf, "1 TiB");
	sim_fmt_qty(SIM_QTY_SIZE, 1ULL << 63, buf, sizeof(buf));
	assert_string_equal(buf, "8388608 TiB");
	sim_fmt_qty(SIM_QTY_TIME, UINT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "18446744073709551615 ps");
	sim_fmt_qty(SIM_QTY_COUNT, 42, buf, sizeof(buf));
	assert_string_equal(buf, "42");
}

static void test_sweep(void **state)
{
	uint64_t v[64];
	uint32_t n;

	(void)state;
	assert_int_equal(sim_parse_sweep("1K:8K", v, 64, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[3], 8192);
	/* the largest sizes: the step would wrap, the sweep stops instead */
	assert_int_equal(sim_parse_sweep("8T:16000000T:x4096", v, 64, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[1], 32768ULL << 40);
	assert_int_not_equal(sim_parse_sweep("1:nan", v, 64, &n), 0);
	assert_int_not_equal(sim_parse_sweep("1:2:+0", v, 64, &n), 0);
	assert_int_not_equal(sim_parse_sweep("1:2:-1", v, 64, &n), 0);
}

/* The text of S as a file. */
static FILE *text_file(const char *s, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	rewind(f);
	return f;
}

static void test_read_line(void **state)
{
	static const char text[] = "0 1 1M\n# a comment\n2 3 4M # tail 5 6 7M\n\nlast";
	char buf[16], err[128];
	FILE *f = text_file(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "0 1 1M");
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "");
	/* the commented-out tail is never used */
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "2 3 4M ");
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "");
	/* no newline at the end */
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "last");
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 0);
	fclose(f);
}

static void test_read_line_refusals(void **state)
{
	static const char nul[] = "0 1 1M\n0 1\0 2M\n";
	static const char longc[] = "0 1 1M # a comment far longer than the sixteen-byte buffer\n1 2 3\n";
	static const char longl[] = "0 1 1M        5 6 7M\n";
	char buf[16], err[128];
	FILE *f;

	(void)state;
	f = text_file(nul, sizeof(nul) - 1);
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL byte"));
	fclose(f);
	/* comments may be longer than the buffer */
	f = text_file(longc, sizeof(longc) - 1);
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "0 1 1M ");
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "1 2 3");
	fclose(f);
	/* text is not: refused, not split into two lines */
	f = text_file(longl, sizeof(longl) - 1);
	assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 15 characters"));
	fclose(f);
	/* /dev/zero ends at its first byte instead of filling memory */
	f = fopen("/dev/zero", "r");
	if (f) {
		assert_int_equal(sim_read_line(f, buf, sizeof(buf), err, sizeof(err)), -1);
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_values),
		cmocka_unit_test(test_rate_values),
		cmocka_unit_test(test_time_values),
		cmocka_unit_test(test_u32_and_double),
		cmocka_unit_test(test_ranged_messages),
		cmocka_unit_test(test_fmt_qty),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_read_line),
		cmocka_unit_test(test_read_line_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
