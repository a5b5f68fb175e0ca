/*
 * Size, rate, time, count and sweep arguments (sim/units.c), as every
 * option and file field that takes one reads them. The whole input is one
 * argument; each parser must either reject it or return a value in its
 * documented range, and a sweep must be ascending and within its bound.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/units.h"
#include "tests/fuzz/fuzz_util.h"

#define FUZZ_MAX_SIZES 64

static void fuzz_sweep(const char *s)
{
	uint64_t sizes[FUZZ_MAX_SIZES];
	char buf[32];
	uint32_t n = 0;

	if (sim_parse_sweep(s, sizes, FUZZ_MAX_SIZES, &n))
		return;
	if (!n || n > FUZZ_MAX_SIZES)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		if (!sizes[i] || (i && sizes[i] <= sizes[i - 1]))
			abort();
		sim_fmt_size(sizes[i], buf, sizeof(buf));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), buf[32];
	uint64_t v;
	uint32_t u;

	fuzz_quiet();
	if (!sim_parse_size(s, &v))
		sim_fmt_size(v, buf, sizeof(buf));
	if (!sim_parse_rate(s, &v) && !v)
		abort();	/* a rate of 0 b/s divides by zero downstream */
	sim_parse_time(s, &v);
	sim_parse_u32(s, &u);
	fuzz_sweep(s);
	fuzz_loud();
	free(s);
	return 0;
}
