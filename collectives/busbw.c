/*
 * nccl-tests bandwidth arithmetic and the size notation used on command
 * lines and in reports; see busbw.h for the definitions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/busbw.h"

double coll_busbw_factor(enum coll_kind kind, uint32_t nranks)
{
	double f;

	if (!nranks)
		return 0;
	f = (double)(nranks - 1) / nranks;
	return kind == COLL_ALLREDUCE ? 2 * f : f;
}

double coll_algbw_gbps(uint64_t bytes, double seconds)
{
	return seconds > 0 ? (double)bytes / seconds / 1e9 : 0;
}

double coll_busbw_gbps(enum coll_kind kind, uint32_t nranks, uint64_t bytes,
		       double seconds)
{
	return coll_algbw_gbps(bytes, seconds) * coll_busbw_factor(kind, nranks);
}

double coll_line_fraction(double busbw_gbps, uint64_t line_rate_bps)
{
	return line_rate_bps ? busbw_gbps * 1e9 * 8 / (double)line_rate_bps : 0;
}

static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

int coll_size_format(char *buf, size_t len, uint64_t bytes)
{
	unsigned int u = 0;
	uint64_t div = 1;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes / div >= 1024) {
		div *= 1024;
		u++;
	}
	if (bytes % div == 0)
		return snprintf(buf, len, "%llu %s", (unsigned long long)(bytes / div), units[u]);
	return snprintf(buf, len, "%.2f %s", (double)bytes / (double)div, units[u]);
}

static int suffix_shift(const char *s, unsigned int *shift)
{
	static const char letters[] = "KMGTPE";
	const char *p;

	if (!*s) {
		*shift = 0;
		return 0;
	}
	if (!strcmp(s, "B")) {
		*shift = 0;
		return 0;
	}
	p = strchr(letters, toupper((unsigned char)*s));
	if (!p)
		return -EINVAL;
	s++;
	if (*s && strcmp(s, "B") && strcmp(s, "iB"))
		return -EINVAL;
	*shift = 10 * (unsigned int)(p - letters + 1);
	return 0;
}

int coll_size_parse(const char *text, uint64_t *bytes)
{
	unsigned long long v;
	unsigned int shift;
	char *end;

	if (!text || !isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || suffix_shift(end, &shift))
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*bytes = (uint64_t)v << shift;
	return 0;
}
