/*
 * Unit parsing and formatting shared by both programs' command lines and
 * by fabsim's file readers (see units.h).
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
#define COLL_TWO64 18446744073709551616.0

/* Decimal digits, '.', then optionally e/E, a sign and digits. 0, -EINVAL or -ERANGE. */
static int coll_parse_num(const char *s, double *v, const char **rest)
{
	const char *p = s;
	char *end;

	if (!s || !(isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))))
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s)
		return -EINVAL;
	*rest = end;
	if (errno == ERANGE || !isfinite(*v))
		return -ERANGE;
	return 0;
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

#define COLL_NUNITS(u) (sizeof(u) / sizeof((u)[0]))

/* How a kind of quantity is written and what it is in its base unit. */
struct coll_unit_set {
	const struct coll_unit *u;
	size_t n;
	bool icase;		/* 8m is 8M; but ms is not Ms */
	bool whole;		/* refused unless a whole number of the base unit; else rounded */
};

static const struct coll_unit_set coll_unit_sets[] = {
	[COLL_QTY_SIZE] = { coll_size_units, COLL_NUNITS(coll_size_units), true, true },
	[COLL_QTY_RATE] = { coll_rate_units, COLL_NUNITS(coll_rate_units), true, false },
	[COLL_QTY_TIME] = { coll_time_units, COLL_NUNITS(coll_time_units), false, false },
};

static bool coll_all_digits(const char *s, const char *end)
{
	for (const char *p = s; p < end; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/*
 * Digits times a whole MUL, exact in 64 bits, where a double would round
 * a value above 2^53 (9007199254740993 would read as ...992).
 */
static int coll_scaled_int(const char *s, double mul, uint64_t *out)
{
	unsigned long long x;
	uint64_t v;

	errno = 0;
	x = strtoull(s, NULL, 10);
	if (errno == ERANGE || __builtin_mul_overflow((uint64_t)x, (uint64_t)mul, &v))
		return -ERANGE;
	*out = v;
	return 0;
}

/* A number with one of the suffixes of SET, in the base unit. */
static int coll_parse_scaled(const char *s, const struct coll_unit_set *set, uint64_t *out)
{
	const char *rest;
	double v, r;
	int rc = coll_parse_num(s, &v, &rest);

	if (rc == -EINVAL)
		return rc;
	for (size_t i = 0; i < set->n; i++) {
		if (set->icase ? strcasecmp(rest, set->u[i].sfx) : strcmp(rest, set->u[i].sfx))
			continue;
		/* every unit is a whole number of the base unit */
		if (coll_all_digits(s, rest))
			return coll_scaled_int(s, set->u[i].mul, out);
		if (rc)
			return rc;
		/* round(), not + 0.5: from 2^52 on, v + 0.5 is inexact and may land one up */
		r = set->whole ? v * set->u[i].mul : round(v * set->u[i].mul);
		if (!isfinite(r) || r >= COLL_TWO64)
			return -ERANGE;
		/* whole bytes only: 1.5K is fine, 1.0001K is not */
		if (r != floor(r))
			return -EINVAL;
		*out = (uint64_t)r;
		return 0;
	}
	return -EINVAL;
}

static int coll_count_num(const char *s, uint64_t *v)
{
	if (!s || !*s || !coll_all_digits(s, s + strlen(s)))
		return -EINVAL;
	return coll_scaled_int(s, 1, v);
}

/* S as a quantity of kind Q: 0, -EINVAL (not one) or -ERANGE (too large for 64 bits). */
static int coll_qty_num(enum coll_qty q, const char *s, uint64_t *v)
{
	if (q == COLL_QTY_COUNT || (size_t)q >= COLL_NUNITS(coll_unit_sets))
		return coll_count_num(s, v);
	return coll_parse_scaled(s, &coll_unit_sets[q], v);
}

int coll_parse_qty(enum coll_qty q, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;
	int rc = coll_qty_num(q, s, &v);

	if (rc)
		return rc;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Whole bytes, any size a uint64_t holds: the sizes of a sweep. */
static int coll_parse_size(const char *s, uint64_t *bytes)
{
	return coll_qty_num(COLL_QTY_SIZE, s, bytes);
}

int coll_parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;
	int rc = coll_parse_qty(COLL_QTY_COUNT, s, 0, UINT32_MAX, &x);

	if (!rc)
		*v = (uint32_t)x;
	return rc;
}

int coll_parse_double(const char *s, double *v)
{
	const char *rest;
	int rc = coll_parse_num(s, v, &rest);

	if (!rc && *rest)
		return -EINVAL;
	return rc;
}

/*
 * V in UNIT with at most three decimals, when that is exact (1.5 MiB,
 * 1.6 Tb/s); false when it is not, so a bound is never shown rounded.
 */
static bool coll_fmt_exact(uint64_t v, uint64_t unit, const char *sfx, char *buf, size_t len)
{
	uint64_t milli;
	char frac[8] = "";

	if (v % unit == 0) {
		snprintf(buf, len, "%llu %s", (unsigned long long)(v / unit), sfx);
		return true;
	}
	/* in thousandths of UNIT, without overflow (V < 2^64 / 1000) */
	if (v > UINT64_MAX / 1000 || (v * 1000) % unit)
		return false;
	milli = v * 1000 / unit;
	if (milli % 1000) {
		unsigned m = (unsigned)(milli % 1000), digits = 3;

		/* 1.500 is 1.5 */
		for (; m % 10 == 0; m /= 10)
			digits--;
		snprintf(frac, sizeof(frac), ".%0*u", (int)digits, m);
	}
	snprintf(buf, len, "%llu%s %s", (unsigned long long)(milli / 1000), frac, sfx);
	return true;
}

struct coll_fmt_unit {
	uint64_t unit;
	const char *sfx;
};

#define COLL_FMT_NUNITS 5	/* per kind, largest first, the base unit last */

/* The units V of kind Q is shown in; NULL for a plain count. */
static const struct coll_fmt_unit *coll_fmt_units(enum coll_qty q)
{
	static const struct coll_fmt_unit size_u[COLL_FMT_NUNITS] = {
		{ 1ULL << 40, "TiB" }, { 1ULL << 30, "GiB" }, { 1ULL << 20, "MiB" }, { 1ULL << 10, "KiB" },
		{ 1, "B" },
	};
	static const struct coll_fmt_unit rate_u[COLL_FMT_NUNITS] = {
		{ 1000000000000ULL, "Tb/s" }, { 1000000000ULL, "Gb/s" }, { 1000000ULL, "Mb/s" },
		{ 1000ULL, "Kb/s" }, { 1, "b/s" },
	};
	static const struct coll_fmt_unit time_u[COLL_FMT_NUNITS] = {
		{ 1000000000000ULL, "s" }, { 1000000000ULL, "ms" }, { 1000000ULL, "us" }, { 1000ULL, "ns" },
		{ 1, "ps" },
	};

	switch (q) {
	case COLL_QTY_SIZE: return size_u;
	case COLL_QTY_RATE: return rate_u;
	case COLL_QTY_TIME: return time_u;
	case COLL_QTY_COUNT: break;
	}
	return NULL;
}

/* V in the largest unit not above it; when that is not exact, rounded or in the base unit. */
static void coll_fmt(enum coll_qty q, uint64_t v, bool rounded, char *buf, size_t len)
{
	const struct coll_fmt_unit *u = coll_fmt_units(q);
	int i = 0;

	if (!u) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	while (i < COLL_FMT_NUNITS - 1 && v < u[i].unit)
		i++;
	if (coll_fmt_exact(v, u[i].unit, u[i].sfx, buf, len))
		return;
	if (rounded)
		snprintf(buf, len, "%.2f %s", (double)v / (double)u[i].unit, u[i].sfx);
	else
		snprintf(buf, len, "%llu %s", (unsigned long long)v, u[COLL_FMT_NUNITS - 1].sfx);
}

void coll_fmt_qty(enum coll_qty q, uint64_t v, char *buf, size_t len)
{
	coll_fmt(q, v, false, buf, len);
}

void coll_fmt_qty_round(enum coll_qty q, uint64_t v, char *buf, size_t len)
{
	coll_fmt(q, v, true, buf, len);
}

const char *coll_fmt_names(const char *(*at)(uint32_t i), char *buf, size_t len, const char *sep,
			   const char *last)
{
	size_t used = 0;
	const char *n;

	if (!len)
		return buf;
	buf[0] = 0;
	for (uint32_t i = 0; (n = at(i)) && used < len; i++) {
		const char *glue = !i ? "" : at(i + 1) ? sep : last;
		int w = snprintf(buf + used, len - used, "%s%s", glue, n);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
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
	int rc = coll_qty_num(q, s, &v);

	coll_fmt_range(q, lo, hi, note, range, sizeof(range));
	if (rc == -EINVAL) {
		snprintf(err, errlen, "invalid %s '%s': expected %s (%s)", what, s ? s : "", coll_qty_example(q), range);
		return rc;
	}
	/* a value no uint64_t holds is shown as given */
	if (rc) {
		snprintf(err, errlen, "%s %s is out of range (%s)", what, s, range);
		return rc;
	}
	if (v < lo || v > hi) {
		coll_fmt_qty(q, v, val, sizeof(val));
		snprintf(err, errlen, "%s %s is out of range (%s)", what, val, range);
		return -ERANGE;
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

	if (rc == -EINVAL || *rest) {
		snprintf(err, errlen, "invalid %s '%s': expected a number (%g to %g)", what, s ? s : "", lo, hi);
		return -EINVAL;
	}
	if (rc || v < lo || v > hi) {
		snprintf(err, errlen, "%s %s is out of range (%g to %g)", what, s, lo, hi);
		return -ERANGE;
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
	bool mul;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	a = buf;
	b = strchr(a, ':');
	*n = 0;
	if (!b) {
		if (coll_parse_size(a, &lo) || !lo || !max)
			return -EINVAL;
		sizes[(*n)++] = lo;
		return 0;
	}
	*b++ = 0;
	c = strchr(b, ':');
	if (c)
		*c++ = 0;
	if (coll_parse_size(a, &lo) || coll_parse_size(b, &hi) || !lo || hi < lo)
		return -EINVAL;
	mul = !c || *c == 'x';
	if (!c) {
		step = 2;
	} else if (*c == 'x' || *c == '+') {
		if (coll_parse_size(c + 1, &step) || !step)
			return -EINVAL;
		if (mul && step < 2)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	for (uint64_t v = lo; v <= hi;) {
		if (*n == max)
			return -E2BIG;
		sizes[(*n)++] = v;
		/* stop before the next size would wrap */
		if (mul ? v > UINT64_MAX / step : v > UINT64_MAX - step)
			break;
		v = mul ? v * step : v + step;
	}
	return 0;
}

int coll_read_line(FILE *f, char *buf, size_t len, char *err, size_t errlen)
{
	size_t n = 0;
	bool comment = false, any = false;
	int c;

	if (errlen)
		err[0] = 0;
	while ((c = getc(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == 0) {
			snprintf(err, errlen, "a NUL byte: binary data where text was expected");
			return -EINVAL;
		}
		if (c == '#')
			comment = true;
		if (comment)
			continue;
		if (n + 1 >= len) {
			snprintf(err, errlen, "line longer than %zu characters (comments after '#' may be longer)",
				 len - 1);
			return -EINVAL;
		}
		buf[n++] = (char)c;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		return -EIO;
	}
	buf[n] = 0;
	return any;
}
