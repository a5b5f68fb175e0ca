/*
 * Unit parsing and formatting shared by the command lines and file readers.
 *
 * Numbers are strict: decimal digits with an optional fraction and
 * exponent, nothing else. strtod alone would also take "nan", "inf",
 * "0x1p3", a sign or leading blanks, and nan in particular compares false
 * against every bound, so it used to pass every range check.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "collectives/units.h"

/* 2^64: the first double no uint64_t holds */
#define SIM_TWO64 18446744073709551616.0

enum coll_num_err {
	SIM_NUM_OK = 0,
	SIM_NUM_BAD,		/* not a number with a known suffix */
	SIM_NUM_RANGE,		/* a number, but too large for the type */
};

/* Decimal digits, '.', then optionally e/E, a sign and digits. */
static int coll_parse_num(const char *s, double *v, const char **rest)
{
	const char *p = s;
	char *end;

	if (!s || !(isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))))
		return SIM_NUM_BAD;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return SIM_NUM_BAD;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s)
		return SIM_NUM_BAD;
	*rest = end;
	if (errno == ERANGE || !isfinite(*v))
		return SIM_NUM_RANGE;
	return SIM_NUM_OK;
}

struct coll_unit {
	const char *sfx;
	double mul;		/* what one of this unit is in the base unit */
};

static const struct coll_unit coll_size_units[] = {
	{ "", 1 }, { "B", 1 }, { "K", 1024.0 }, { "KB", 1024.0 }, { "KiB", 1024.0 },
	{ "M", 1048576.0 }, { "MB", 1048576.0 }, { "MiB", 1048576.0 },
	{ "G", 1073741824.0 }, { "GB", 1073741824.0 }, { "GiB", 1073741824.0 },
	{ "T", 1099511627776.0 }, { "TB", 1099511627776.0 }, { "TiB", 1099511627776.0 },
};

static const struct coll_unit coll_rate_units[] = {
	{ "", 1 }, { "bps", 1 }, { "b/s", 1 }, { "K", 1e3 }, { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 },
	{ "Kbps", 1e3 }, { "Mbps", 1e6 }, { "Gbps", 1e9 }, { "Tbps", 1e12 },
	{ "Kb/s", 1e3 }, { "Mb/s", 1e6 }, { "Gb/s", 1e9 }, { "Tb/s", 1e12 },
};

static const struct coll_unit coll_time_units[] = {
	{ "", 1e6 }, { "ps", 1 }, { "ns", 1e3 }, { "us", 1e6 }, { "ms", 1e9 }, { "s", 1e12 },
};

#define SIM_NUNITS(u) (sizeof(u) / sizeof((u)[0]))

/* A number with one of the suffixes in U, scaled to the base unit. */
static int coll_parse_scaled(const char *s, const struct coll_unit *u, size_t n, int icase, double *out)
{
	const char *rest;
	double v;
	int rc = coll_parse_num(s, &v, &rest);

	if (rc == SIM_NUM_BAD)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (icase ? !strcasecmp(rest, u[i].sfx) : !strcmp(rest, u[i].sfx)) {
			if (rc)
				return rc;
			*out = v * u[i].mul;
			return isfinite(*out) ? SIM_NUM_OK : SIM_NUM_RANGE;
		}
	}
	return SIM_NUM_BAD;
}

static int coll_size_num(const char *s, uint64_t *bytes)
{
	double b;
	int rc = coll_parse_scaled(s, coll_size_units, SIM_NUNITS(coll_size_units), 1, &b);

	if (rc)
		return rc;
	if (b >= SIM_TWO64)
		return SIM_NUM_RANGE;
	/* whole bytes only: 1.5K is fine, 1.0001K is not */
	if (b != floor(b))
		return SIM_NUM_BAD;
	*bytes = (uint64_t)b;
	return SIM_NUM_OK;
}

static int coll_rate_num(const char *s, uint64_t *bps)
{
	double v;
	int rc = coll_parse_scaled(s, coll_rate_units, SIM_NUNITS(coll_rate_units), 1, &v);

	if (rc)
		return rc;
	if (v + 0.5 >= SIM_TWO64)
		return SIM_NUM_RANGE;
	*bps = (uint64_t)(v + 0.5);
	return SIM_NUM_OK;
}

static int coll_time_num(const char *s, uint64_t *ps)
{
	double v;
	/* case matters here: ms is not Ms */
	int rc = coll_parse_scaled(s, coll_time_units, SIM_NUNITS(coll_time_units), 0, &v);

	if (rc)
		return rc;
	if (v + 0.5 >= SIM_TWO64)
		return SIM_NUM_RANGE;
	*ps = (uint64_t)(v + 0.5);
	return SIM_NUM_OK;
}

static int coll_count_num(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	for (const char *p = s; p && *p; p++)
		if (!isdigit((unsigned char)*p))
			return SIM_NUM_BAD;
	if (!s || !*s)
		return SIM_NUM_BAD;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return SIM_NUM_RANGE;
	*v = x;
	return SIM_NUM_OK;
}

int coll_parse_size(const char *s, uint64_t *bytes)
{
	return coll_size_num(s, bytes) ? -1 : 0;
}

int coll_parse_rate(const char *s, uint64_t *bps)
{
	uint64_t v;

	if (coll_rate_num(s, &v) || v < 1 || v > 1000000000000000ULL)
		return -1;
	*bps = v;
	return 0;
}

int coll_parse_time(const char *s, uint64_t *ps)
{
	return coll_time_num(s, ps) ? -1 : 0;
}

int coll_parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (coll_count_num(s, &x) || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int coll_parse_double(const char *s, double *v)
{
	const char *rest;

	if (coll_parse_num(s, v, &rest) || *rest)
		return -1;
	return 0;
}

/*
 * V in UNIT with at most three decimals, when that is exact (1.5 MiB,
 * 1.6 Tb/s); 0 when it is not, so a bound is never shown rounded.
 */
static int coll_fmt_exact(uint64_t v, uint64_t unit, const char *sfx, char *buf, size_t len)
{
	uint64_t milli;
	char frac[8] = "";

	if (v % unit == 0) {
		snprintf(buf, len, "%llu %s", (unsigned long long)(v / unit), sfx);
		return 1;
	}
	/* in thousandths of UNIT, without overflow (V < 2^64 / 1000) */
	if (v > UINT64_MAX / 1000 || (v * 1000) % unit)
		return 0;
	milli = v * 1000 / unit;
	if (milli % 1000) {
		unsigned m = (unsigned)(milli % 1000), digits = 3;

		/* 1.500 is 1.5 */
		for (; m % 10 == 0; m /= 10)
			digits--;
		snprintf(frac, sizeof(frac), ".%0*u", (int)digits, m);
	}
	snprintf(buf, len, "%llu%s %s", (unsigned long long)(milli / 1000), frac, sfx);
	return 1;
}

struct coll_fmt_unit {
	uint64_t unit;
	const char *sfx;
};

void coll_fmt_qty(enum coll_qty q, uint64_t v, char *buf, size_t len)
{
	static const struct coll_fmt_unit size_u[] = {
		{ 1ULL << 40, "TiB" }, { 1ULL << 30, "GiB" }, { 1ULL << 20, "MiB" }, { 1ULL << 10, "KiB" },
		{ 1, "B" },
	};
	static const struct coll_fmt_unit rate_u[] = {
		{ 1000000000000ULL, "Tb/s" }, { 1000000000ULL, "Gb/s" }, { 1000000ULL, "Mb/s" },
		{ 1000ULL, "Kb/s" }, { 1, "b/s" },
	};
	static const struct coll_fmt_unit time_u[] = {
		{ 1000000000000ULL, "s" }, { 1000000000ULL, "ms" }, { 1000000ULL, "us" }, { 1000ULL, "ns" },
		{ 1, "ps" },
	};
	const struct coll_fmt_unit *u;

	switch (q) {
	case COLL_QTY_SIZE: u = size_u; break;
	case COLL_QTY_RATE: u = rate_u; break;
	case COLL_QTY_TIME: u = time_u; break;
	default:
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	/* the largest unit not above V, if it shows V exactly; else the base unit */
	for (int i = 0; i < 4; i++) {
		if (v < u[i].unit)
			continue;
		if (coll_fmt_exact(v, u[i].unit, u[i].sfx, buf, len))
			return;
		break;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)v, u[4].sfx);
}

static const char *coll_qty_example(enum coll_qty q)
{
	switch (q) {
	case COLL_QTY_SIZE: return "a size like 8M";
	case COLL_QTY_RATE: return "a rate like 800G";
	case COLL_QTY_TIME: return "a time like 10us";
	case COLL_QTY_COUNT: break;
	}
	return "a whole number";
}

static void coll_fmt_range(enum coll_qty q, uint64_t lo, uint64_t hi, const char *note, char *buf, size_t len)
{
	char a[48], b[48];

	coll_fmt_qty(q, lo, a, sizeof(a));
	coll_fmt_qty(q, hi, b, sizeof(b));
	snprintf(buf, len, "%s to %s%s", a, b, note ? note : "");
}

int coll_parse_in(enum coll_qty q, const char *what, const char *s, uint64_t lo, uint64_t hi, const char *note,
		 uint64_t *out, char *err, size_t errlen)
{
	char range[160], val[48];
	uint64_t v = 0;
	int rc;

	switch (q) {
	case COLL_QTY_SIZE: rc = coll_size_num(s, &v); break;
	case COLL_QTY_RATE: rc = coll_rate_num(s, &v); break;
	case COLL_QTY_TIME: rc = coll_time_num(s, &v); break;
	default: rc = coll_count_num(s, &v); break;
	}
	coll_fmt_range(q, lo, hi, note, range, sizeof(range));
	if (rc == SIM_NUM_BAD) {
		snprintf(err, errlen, "invalid %s '%s': expected %s (%s)", what, s ? s : "", coll_qty_example(q), range);
		return -1;
	}
	if (rc == SIM_NUM_RANGE) {
		snprintf(err, errlen, "%s %s is out of range (%s)", what, s, range);
		return -1;
	}
	if (v < lo || v > hi) {
		coll_fmt_qty(q, v, val, sizeof(val));
		snprintf(err, errlen, "%s %s is out of range (%s)", what, val, range);
		return -1;
	}
	*out = v;
	if (errlen)
		err[0] = 0;
	return 0;
}

int coll_parse_double_in(const char *what, const char *s, double lo, double hi, double *out, char *err,
			size_t errlen)
{
	const char *rest = "";
	double v;
	int rc = coll_parse_num(s, &v, &rest);

	if (rc == SIM_NUM_BAD || *rest) {
		snprintf(err, errlen, "invalid %s '%s': expected a number (%g to %g)", what, s ? s : "", lo, hi);
		return -1;
	}
	if (rc == SIM_NUM_RANGE || v < lo || v > hi) {
		snprintf(err, errlen, "%s %s is out of range (%g to %g)", what, s, lo, hi);
		return -1;
	}
	*out = v;
	if (errlen)
		err[0] = 0;
	return 0;
}

int coll_parse_sweep(const char *s, uint64_t *sizes, uint32_t max, uint32_t *n)
{
	char buf[128], *a, *b, *c;
	uint64_t lo, hi, step;
	int mul;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	a = buf;
	b = strchr(a, ':');
	*n = 0;
	if (!b) {
		if (coll_parse_size(a, &lo) || !lo || !max)
			return -1;
		sizes[(*n)++] = lo;
		return 0;
	}
	*b++ = 0;
	c = strchr(b, ':');
	if (c)
		*c++ = 0;
	if (coll_parse_size(a, &lo) || coll_parse_size(b, &hi) || !lo || hi < lo)
		return -1;
	mul = !c || *c == 'x';
	if (!c) {
		step = 2;
	} else if (*c == 'x' || *c == '+') {
		if (coll_parse_size(c + 1, &step) || !step)
			return -1;
		if (mul && step < 2)
			return -1;
	} else {
		return -1;
	}
	for (uint64_t v = lo; v <= hi;) {
		if (*n == max)
			return -1;
		sizes[(*n)++] = v;
		/* stop before the next size would wrap */
		if (mul ? v > UINT64_MAX / step : v > UINT64_MAX - step)
			break;
		v = mul ? v * step : v + step;
	}
	return 0;
}

void coll_fmt_size(uint64_t bytes, char *buf, unsigned len)
{
	static const char *sfx[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 4 && bytes % 1024 == 0) {
		v /= 1024;
		bytes /= 1024;
		i++;
	}
	snprintf(buf, len, "%.0f%s", v, sfx[i]);
}

int coll_read_line(FILE *f, char *buf, size_t len, char *err, size_t errlen)
{
	size_t n = 0;
	int c, comment = 0, any = 0;

	if (errlen)
		err[0] = 0;
	while ((c = getc(f)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (c == 0) {
			snprintf(err, errlen, "a NUL byte: binary data where text was expected");
			return -1;
		}
		if (c == '#')
			comment = 1;
		if (comment)
			continue;
		if (n + 1 >= len) {
			snprintf(err, errlen, "line longer than %zu characters (comments after '#' may be longer)",
				 len - 1);
			return -1;
		}
		buf[n++] = (char)c;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		return -1;
	}
	buf[n] = 0;
	return any;
}
