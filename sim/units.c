/*
 * Unit parsing and formatting shared by the command lines and file readers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "sim/units.h"

static int sim_parse_num(const char *s, double *v, const char **rest)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno || *v < 0)
		return -1;
	*rest = end;
	return 0;
}

struct sim_unit {
	const char *sfx;
	double mul;		/* what one of this unit is in the base unit */
};

/* A number with one of the suffixes in U, scaled to the base unit. */
static int sim_parse_scaled(const char *s, const struct sim_unit *u, size_t n, int icase, double *out)
{
	const char *rest;
	double v;

	if (sim_parse_num(s, &v, &rest))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (icase ? !strcasecmp(rest, u[i].sfx) : !strcmp(rest, u[i].sfx)) {
			*out = v * u[i].mul;
			return 0;
		}
	}
	return -1;
}

int sim_parse_size(const char *s, uint64_t *bytes)
{
	static const struct sim_unit u[] = {
		{ "", 1 }, { "B", 1 }, { "K", 1024.0 }, { "KB", 1024.0 }, { "KiB", 1024.0 },
		{ "M", 1048576.0 }, { "MB", 1048576.0 }, { "MiB", 1048576.0 },
		{ "G", 1073741824.0 }, { "GB", 1073741824.0 }, { "GiB", 1073741824.0 },
		{ "T", 1099511627776.0 }, { "TB", 1099511627776.0 }, { "TiB", 1099511627776.0 },
	};
	double b;

	/* whole bytes only: 1.5K is fine, 1.0001K is not */
	if (sim_parse_scaled(s, u, sizeof(u) / sizeof(u[0]), 1, &b) || b > 1.8e19 || b != (double)(uint64_t)b)
		return -1;
	*bytes = (uint64_t)b;
	return 0;
}

int sim_parse_rate(const char *s, uint64_t *bps)
{
	static const struct sim_unit u[] = {
		{ "", 1 }, { "bps", 1 }, { "K", 1e3 }, { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 },
		{ "Kbps", 1e3 }, { "Mbps", 1e6 }, { "Gbps", 1e9 }, { "Tbps", 1e12 },
		{ "Gb/s", 1e9 }, { "Mb/s", 1e6 }, { "Tb/s", 1e12 },
	};
	double v;

	if (sim_parse_scaled(s, u, sizeof(u) / sizeof(u[0]), 1, &v) || v < 1 || v > 1e15)
		return -1;
	*bps = (uint64_t)(v + 0.5);
	return 0;
}

int sim_parse_time(const char *s, uint64_t *ps)
{
	static const struct sim_unit u[] = {
		{ "", 1e6 }, { "ps", 1 }, { "ns", 1e3 }, { "us", 1e6 }, { "ms", 1e9 }, { "s", 1e12 },
	};
	double v;

	/* case matters here: ms is not Ms */
	if (sim_parse_scaled(s, u, sizeof(u) / sizeof(u[0]), 0, &v) || v > 1.8e19)
		return -1;
	*ps = (uint64_t)(v + 0.5);
	return 0;
}

int sim_parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (*end || errno || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int sim_parse_sweep(const char *s, uint64_t *sizes, uint32_t max, uint32_t *n)
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
		if (sim_parse_size(a, &lo) || !lo || !max)
			return -1;
		sizes[(*n)++] = lo;
		return 0;
	}
	*b++ = 0;
	c = strchr(b, ':');
	if (c)
		*c++ = 0;
	if (sim_parse_size(a, &lo) || sim_parse_size(b, &hi) || !lo || hi < lo)
		return -1;
	mul = !c || *c == 'x';
	if (!c) {
		step = 2;
	} else if (*c == 'x' || *c == '+') {
		if ((mul ? sim_parse_size(c + 1, &step) : sim_parse_size(c + 1, &step)) || !step)
			return -1;
		if (mul && step < 2)
			return -1;
	} else {
		return -1;
	}
	for (uint64_t v = lo; v <= hi; v = mul ? v * step : v + step) {
		if (*n == max)
			return -1;
		sizes[(*n)++] = v;
		if (mul && v > UINT64_MAX / step)
			break;
	}
	return 0;
}

void sim_fmt_size(uint64_t bytes, char *buf, unsigned len)
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
