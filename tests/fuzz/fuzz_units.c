/*
 * Size, rate, time, count and sweep arguments (collectives/units.c), as every
 * option and file field that takes one reads them. The whole input is one
 * argument; each parser must either reject it or return a value in its
 * documented range, and a sweep must be ascending and within its bound.
 */
#include <stdlib.h>
#include <string.h>
#include "collectives/units.h"
#include "tests/fuzz/fuzz_util.h"

#define FUZZ_MAX_SIZES 64

static void fuzz_sweep(const char *s)
{
	uint64_t sizes[FUZZ_MAX_SIZES];
	char buf[32];
	uint32_t n = 0;

	if (coll_parse_sweep(s, sizes, FUZZ_MAX_SIZES, &n))
		return;
	if (!n || n > FUZZ_MAX_SIZES)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		if (!sizes[i] || (i && sizes[i] <= sizes[i - 1]))
			abort();
		coll_fmt_size(sizes[i], buf, sizeof(buf));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), buf[32];
	uint64_t v;
	uint32_t u;

	fuzz_quiet();
	if (!coll_parse_size(s, &v))
		coll_fmt_size(v, buf, sizeof(buf));
	if (!coll_parse_rate(s, &v) && !v)
		abort();	/* a rate of 0 b/s divides by zero downstream */
	coll_parse_time(s, &v);
	coll_parse_u32(s, &u);
	fuzz_sweep(s);
	fuzz_loud();
	free(s);
	return 0;
}
