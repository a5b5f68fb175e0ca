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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/units.h"

/* Inputs no parser may accept, whatever its unit. */
static const char *const bad_inputs[] = {
	"", " 1", "1 ", "nan", "NaN", "inf", "infinity", "-1", "+1", "-0", "0x10", "0X1p3", "1e", "1e+",
	"..5", "1.2.3", "1KK", "1 K", "K", "e5", "1,5", "0x", "\t2", "1\n",
};

/*
 * The parser of kind Q, as fabsim's options and files and fabbench's call
 * it, over all it can hold; rates from 1 b/s (0 would divide by zero
 * downstream) to 1000 Tb/s, the widest range a caller asks for.
 */
static int parse(enum coll_qty q, const char *s, uint64_t *v)
{
	if (q == COLL_QTY_RATE)
		return coll_parse_qty(q, s, 1, 1000000000000000ULL, v);
	return coll_parse_qty(q, s, 0, UINT64_MAX, v);
}

struct qty_case {
	enum coll_qty q;
	const char *s;
	int rc;			/* 0, -EINVAL or -ERANGE */
	uint64_t want;		/* when rc is 0 */
};

/* Values derived by hand: 1.5M = 1.5 x 2^20, 1.6T = 1.6e12 b/s, 10us = 1e7 ps. */
static const struct qty_case qty_cases[] = {
	{ COLL_QTY_SIZE, "0", 0, 0 },
	{ COLL_QTY_SIZE, "1", 0, 1 },
	{ COLL_QTY_SIZE, "8M", 0, 8ULL << 20 },
	{ COLL_QTY_SIZE, "1.5M", 0, 1572864 },
	{ COLL_QTY_SIZE, "1.5K", 0, 1536 },
	{ COLL_QTY_SIZE, "64KiB", 0, 65536 },
	{ COLL_QTY_SIZE, "8MB", 0, 8ULL << 20 },
	{ COLL_QTY_SIZE, "2GiB", 0, 2ULL << 30 },
	{ COLL_QTY_SIZE, "1t", 0, 1ULL << 40 },
	{ COLL_QTY_SIZE, "2e3", 0, 2000 },
	{ COLL_QTY_SIZE, ".5K", 0, 512 },
	{ COLL_QTY_SIZE, "1000003", 0, 1000003 },
	/* 16 EiB - 1 MiB fits, 16384 PiB = 2^64 does not */
	{ COLL_QTY_SIZE, "16777215T", 0, 16777215ULL << 40 },
	{ COLL_QTY_SIZE, "16777216T", -ERANGE, 0 },
	/* whole bytes only */
	{ COLL_QTY_SIZE, "1.5", -EINVAL, 0 },
	{ COLL_QTY_SIZE, "1.0001K", -EINVAL, 0 },
	{ COLL_QTY_SIZE, "0.5", -EINVAL, 0 },
	{ COLL_QTY_SIZE, "12X", -EINVAL, 0 },
	/* overflow, even where the double is finite */
	{ COLL_QTY_SIZE, "1e30G", -ERANGE, 0 },
	{ COLL_QTY_SIZE, "1e400", -ERANGE, 0 },
	{ COLL_QTY_RATE, "800G", 0, 800000000000ULL },
	{ COLL_QTY_RATE, "1.6T", 0, 1600000000000ULL },
	{ COLL_QTY_RATE, "100Gb/s", 0, 100000000000ULL },
	{ COLL_QTY_RATE, "25gbps", 0, 25000000000ULL },
	{ COLL_QTY_RATE, "1", 0, 1 },
	/* 0 b/s would divide by zero downstream; 1000 Tb/s is the ceiling */
	{ COLL_QTY_RATE, "0", -ERANGE, 0 },
	{ COLL_QTY_RATE, "0.4", -ERANGE, 0 },
	{ COLL_QTY_RATE, "1000T", 0, 1000000000000000ULL },
	{ COLL_QTY_RATE, "1001T", -ERANGE, 0 },
	{ COLL_QTY_RATE, "1e-15G", -ERANGE, 0 },
	{ COLL_QTY_RATE, "1e300G", -ERANGE, 0 },
	{ COLL_QTY_TIME, "10us", 0, 10000000 },
	{ COLL_QTY_TIME, "2", 0, 2000000 },	/* bare: microseconds */
	{ COLL_QTY_TIME, "1ps", 0, 1 },
	{ COLL_QTY_TIME, "1.5ns", 0, 1500 },
	{ COLL_QTY_TIME, "1s", 0, 1000000000000ULL },
	{ COLL_QTY_TIME, "10ms", 0, 10000000000ULL },
	/* rounded to the nearest ps, exactly even past 2^52 ps */
	{ COLL_QTY_TIME, "0.4ps", 0, 0 },
	{ COLL_QTY_TIME, "0.5ps", 0, 1 },
	{ COLL_QTY_TIME, "4503599627370497ps", 0, 4503599627370497ULL },
	/* case matters: Ms is not ms */
	{ COLL_QTY_TIME, "10Ms", -EINVAL, 0 },
	/* 2^64 ps is 1.84e7 s (213 days): 1.8e7 s fits, 1.85e7 s does not */
	{ COLL_QTY_TIME, "1.8e7s", 0, 18000000000000000000ULL },
	{ COLL_QTY_TIME, "1.85e7s", -ERANGE, 0 },
	{ COLL_QTY_COUNT, "18446744073709551615", 0, UINT64_MAX },
	{ COLL_QTY_COUNT, "18446744073709551616", -ERANGE, 0 },
	{ COLL_QTY_COUNT, "1e3", -EINVAL, 0 },
	{ COLL_QTY_COUNT, "1.0", -EINVAL, 0 },
};

static void test_qty_values(void **state)
{
	static const enum coll_qty kinds[] = { COLL_QTY_COUNT, COLL_QTY_SIZE, COLL_QTY_RATE, COLL_QTY_TIME };
	uint64_t v;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(qty_cases) / sizeof(qty_cases[0]); i++) {
		const struct qty_case *c = &qty_cases[i];

		v = 12345;
		rc = parse(c->q, c->s, &v);
		if (rc != c->rc || (!rc && v != c->want))
			print_error("kind %d '%s': rc %d value %llu\n", (int)c->q, c->s, rc, (unsigned long long)v);
		assert_int_equal(rc, c->rc);
		/* a refused value leaves the output alone */
		assert_int_equal(v, rc ? 12345 : c->want);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
			if (!parse(kinds[k], bad_inputs[i], &v))
				print_error("kind %d accepted '%s'\n", (int)kinds[k], bad_inputs[i]);
			assert_int_equal(parse(kinds[k], bad_inputs[i], &v), -EINVAL);
		}
}

/* The ranged parser fabbench's options use: bounds inclusive, -ERANGE outside. */
static void test_parse_qty_range(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(coll_parse_qty(COLL_QTY_SIZE, "1.5M", 64, 1ULL << 30, &v), 0);
	assert_int_equal(v, 1572864);
	assert_int_equal(coll_parse_qty(COLL_QTY_SIZE, "64", 64, 1ULL << 30, &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(coll_parse_qty(COLL_QTY_SIZE, "1G", 64, 1ULL << 30, &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(coll_parse_qty(COLL_QTY_SIZE, "63", 64, 1ULL << 30, &v), -ERANGE);
	assert_int_equal(coll_parse_qty(COLL_QTY_SIZE, "1025M", 64, 1ULL << 30, &v), -ERANGE);
	assert_int_equal(coll_parse_qty(COLL_QTY_SIZE, "1.5", 0, 1ULL << 30, &v), -EINVAL);
	assert_int_equal(coll_parse_qty(COLL_QTY_COUNT, "0", 1, 64, &v), -ERANGE);
	assert_int_equal(coll_parse_qty(COLL_QTY_COUNT, "-1", 0, 64, &v), -EINVAL);
	assert_int_equal(v, 1ULL << 30);
}

static void test_u32_and_double(void **state)
{
	uint32_t u;
	double d;

	(void)state;
	assert_int_equal(coll_parse_u32("4294967295", &u), 0);
	assert_int_equal(u, UINT32_MAX);
	assert_int_not_equal(coll_parse_u32("4294967296", &u), 0);
	assert_int_not_equal(coll_parse_u32("99999999999999999999999", &u), 0);
	assert_int_not_equal(coll_parse_u32("1e3", &u), 0);
	assert_int_not_equal(coll_parse_u32("1.0", &u), 0);
	assert_int_equal(coll_parse_double("0.95", &d), 0);
	assert_true(d == 0.95);
	assert_int_equal(coll_parse_double("2e-1", &d), 0);
	assert_true(d == 0.2);
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		assert_int_not_equal(coll_parse_u32(bad_inputs[i], &u), 0);
		assert_int_not_equal(coll_parse_double(bad_inputs[i], &d), 0);
	}
	assert_int_not_equal(coll_parse_double("1e999", &d), 0);
}

/* coll_parse_in's messages name the option, the value and the range. */
static void test_ranged_messages(void **state)
{
	static const struct {
		enum coll_qty q;
		const char *what, *s;
		uint64_t lo, hi;
		const char *note;
		int rc;
		const char *msg;
	} cases[] = {
		{ COLL_QTY_SIZE, "--window", "8T", 4096, 16ULL << 20, ", or 'unlimited'", -ERANGE,
		  "--window 8 TiB is out of range (4 KiB to 16 MiB, or 'unlimited')" },
		{ COLL_QTY_SIZE, "--window", "lots", 4096, 16ULL << 20, NULL, -EINVAL,
		  "invalid --window 'lots': expected a size like 8M (4 KiB to 16 MiB)" },
		/* a value no uint64_t holds is shown as given */
		{ COLL_QTY_SIZE, "SIZE", "1e30G", 1, 1ULL << 40, NULL, -ERANGE,
		  "SIZE 1e30G is out of range (1 B to 1 TiB)" },
		{ COLL_QTY_TIME, "--rto", "1ps", 1000000, 1000000000000ULL, NULL, -ERANGE,
		  "--rto 1 ps is out of range (1 us to 1 s)" },
		{ COLL_QTY_TIME, "--stop", "nan", 1000, 100000000000000ULL, NULL, -EINVAL,
		  "invalid --stop 'nan': expected a time like 10us (1 ns to 100 s)" },
		{ COLL_QTY_RATE, "--nvlink-rate", "200T", 1000000000ULL, 100000000000000ULL, NULL, -ERANGE,
		  "--nvlink-rate 200 Tb/s is out of range (1 Gb/s to 100 Tb/s)" },
		{ COLL_QTY_COUNT, "--ranks", "4294967295", 2, 128, ": the hosts", -ERANGE,
		  "--ranks 4294967295 is out of range (2 to 128: the hosts)" },
		{ COLL_QTY_COUNT, "--ranks", "99999999999999999999999", 2, 128, NULL, -ERANGE,
		  "--ranks 99999999999999999999999 is out of range (2 to 128)" },
	};
	char err[256];
	uint64_t v = 7;
	double d;

	(void)state;
	assert_int_equal(coll_parse_in(COLL_QTY_SIZE, "--window", "512K", 4096, 16ULL << 20, NULL, &v, err,
				      sizeof(err)), 0);
	assert_int_equal(v, 512 << 10);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(coll_parse_in(cases[i].q, cases[i].what, cases[i].s, cases[i].lo, cases[i].hi,
					      cases[i].note, &v, err, sizeof(err)), cases[i].rc);
		assert_string_equal(err, cases[i].msg);
	}
	/* a refused value leaves the output alone */
	assert_int_equal(v, 512 << 10);
	/* bounds are inclusive */
	assert_int_equal(coll_parse_in(COLL_QTY_COUNT, "N", "128", 2, 128, NULL, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 128);
	assert_int_equal(coll_parse_double_in("--eta", "nan", 0.1, 1, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid --eta 'nan': expected a number (0.1 to 1)");
	assert_int_equal(coll_parse_double_in("--eta", "1.5", 0.1, 1, &d, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "--eta 1.5 is out of range (0.1 to 1)");
	assert_int_equal(coll_parse_double_in("--alpha", "inf", 0, 64, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(coll_parse_double_in("--alpha", "0.5", 0, 64, &d, err, sizeof(err)), 0);
	assert_true(d == 0.5);
}

static void test_fmt_qty(void **state)
{
	static const struct {
		enum coll_qty q;
		uint64_t v;
		const char *exact, *rounded;
	} cases[] = {
		{ COLL_QTY_SIZE, 1572864, "1.5 MiB", "1.5 MiB" },
		{ COLL_QTY_SIZE, 4096, "4 KiB", "4 KiB" },
		{ COLL_QTY_SIZE, 7, "7 B", "7 B" },
		{ COLL_QTY_SIZE, 0, "0 B", "0 B" },
		{ COLL_QTY_SIZE, 1000004, "1000004 B", "976.57 KiB" },
		/* just past a bound is never rounded onto it, unless asked */
		{ COLL_QTY_SIZE, (16ULL << 20) + 1, "16777217 B", "16.00 MiB" },
		{ COLL_QTY_SIZE, 1ULL << 40, "1 TiB", "1 TiB" },
		{ COLL_QTY_SIZE, 1ULL << 63, "8388608 TiB", "8388608 TiB" },
		{ COLL_QTY_SIZE, (4ULL << 40) + (1 << 20), "4398047559680 B", "4.00 TiB" },
		{ COLL_QTY_RATE, 1600000000000ULL, "1.6 Tb/s", "1.6 Tb/s" },
		{ COLL_QTY_RATE, 1600000000001ULL, "1600000000001 b/s", "1.60 Tb/s" },
		{ COLL_QTY_TIME, 0, "0 ps", "0 ps" },
		{ COLL_QTY_TIME, 2500000, "2.5 us", "2.5 us" },
		{ COLL_QTY_TIME, 1001, "1.001 ns", "1.001 ns" },
		{ COLL_QTY_TIME, 1000500, "1000500 ps", "1.00 us" },
		{ COLL_QTY_TIME, UINT64_MAX, "18446744073709551615 ps", "18446744.07 s" },
		{ COLL_QTY_COUNT, 42, "42", "42" },
	};
	char buf[48];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		coll_fmt_qty(cases[i].q, cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].exact);
		coll_fmt_qty_round(cases[i].q, cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].rounded);
	}
}

/* V formatted and read back, the one space dropped; the parser must give V again. */
static void round_trip(enum coll_qty q, uint64_t v)
{
	char buf[48], *sp;
	uint64_t back = ~v;

	coll_fmt_qty(q, v, buf, sizeof(buf));
	sp = strchr(buf, ' ');
	assert_non_null(sp);
	memmove(sp, sp + 1, strlen(sp));
	if (coll_parse_qty(q, buf, 0, UINT64_MAX, &back) || back != v)
		print_error("kind %d: %llu -> '%s' -> %llu\n", (int)q, (unsigned long long)v, buf,
			    (unsigned long long)back);
	assert_int_equal(coll_parse_qty(q, buf, 0, UINT64_MAX, &back), 0);
	assert_int_equal(back, v);
}

static void test_fmt_round_trip(void **state)
{
	static const enum coll_qty kinds[] = { COLL_QTY_SIZE, COLL_QTY_RATE, COLL_QTY_TIME };
	/* every unit boundary, and values just beside it, in each kind's units */
	static const uint64_t units[] = {
		1, 1000, 1024, 1000000, 1ULL << 20, 1000000000, 1ULL << 30, 1000000000000ULL, 1ULL << 40,
	};
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			for (uint64_t m = 1; m < 2000; m += 7) {
				const uint64_t v[] = { m * units[u], m * units[u] + 1, m * units[u] * 125 };

				for (size_t j = 0; j < 3; j++)
					if (kinds[k] == COLL_QTY_SIZE || v[j] < (1ULL << 50))
						round_trip(kinds[k], v[j]);
			}
		/* xorshift64: values of every magnitude below 2^50 */
		for (int i = 0; i < 20000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			round_trip(kinds[k], x >> (14 + i % 50));
		}
	}
	/* sizes: all of them, the largest included */
	round_trip(COLL_QTY_SIZE, UINT64_MAX);
	round_trip(COLL_QTY_SIZE, (1ULL << 63) + (1ULL << 37));
	round_trip(COLL_QTY_SIZE, 9007199254740993ULL);
	round_trip(COLL_QTY_TIME, UINT64_MAX);
}

static const char *const three_names[] = { "ring", "rhd", "tree", NULL };

static const char *three_at(uint32_t i)
{
	return i < 3 ? three_names[i] : NULL;
}

static const char *none_at(uint32_t i)
{
	(void)i;
	return NULL;
}

/* Name lists for messages: SEP between names, LAST before the final one. */
static void test_fmt_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(coll_fmt_names(three_at, buf, sizeof(buf), ", ", " or "), "ring, rhd or tree");
	assert_string_equal(coll_fmt_names(three_at, buf, sizeof(buf), " | ", " | "), "ring | rhd | tree");
	assert_string_equal(coll_fmt_names(none_at, buf, sizeof(buf), ", ", " or "), "");
	/* 8 bytes hold "ring, r" and the NUL: cut, never overrun */
	memset(buf, 'x', sizeof(buf));
	assert_string_equal(coll_fmt_names(three_at, buf, 8, ", ", " or "), "ring, r");
	assert_int_equal(buf[8], 'x');
}

static void test_sweep(void **state)
{
	uint64_t v[64];
	uint32_t n;

	(void)state;
	assert_int_equal(coll_parse_sweep("1K:8K", v, 64, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[3], 8192);
	/* the largest sizes: the step would wrap, the sweep stops instead */
	assert_int_equal(coll_parse_sweep("8T:16000000T:x4096", v, 64, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[1], 32768ULL << 40);
	assert_int_equal(coll_parse_sweep("1:nan", v, 64, &n), -EINVAL);
	assert_int_equal(coll_parse_sweep("1:2:+0", v, 64, &n), -EINVAL);
	assert_int_equal(coll_parse_sweep("1:2:-1", v, 64, &n), -EINVAL);
	/* 1, 2, 4, ... 2^40 is 41 sizes */
	assert_int_equal(coll_parse_sweep("1:1T:x2", v, 40, &n), -E2BIG);
	assert_int_equal(coll_parse_sweep("1:1T:x2", v, 41, &n), 0);
	assert_int_equal(n, 41);
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
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "0 1 1M");
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "");
	/* the commented-out tail is never used */
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "2 3 4M ");
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "");
	/* no newline at the end */
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "last");
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 0);
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
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL byte"));
	fclose(f);
	/* comments may be longer than the buffer */
	f = text_file(longc, sizeof(longc) - 1);
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "0 1 1M ");
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "1 2 3");
	fclose(f);
	/* text is not: refused, not split into two lines */
	f = text_file(longl, sizeof(longl) - 1);
	assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 15 characters"));
	fclose(f);
	/* /dev/zero ends at its first byte instead of filling memory */
	f = fopen("/dev/zero", "r");
	if (f) {
		assert_int_equal(coll_read_line(f, buf, sizeof(buf), err, sizeof(err)), -EINVAL);
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qty_values),
		cmocka_unit_test(test_parse_qty_range),
		cmocka_unit_test(test_u32_and_double),
		cmocka_unit_test(test_ranged_messages),
		cmocka_unit_test(test_fmt_qty),
		cmocka_unit_test(test_fmt_round_trip),
		cmocka_unit_test(test_fmt_names),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_read_line),
		cmocka_unit_test(test_read_line_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
