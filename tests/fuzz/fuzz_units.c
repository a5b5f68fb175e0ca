/*
 * Size, rate, time, count and sweep arguments (collectives/units.c), as every
 * option and file field that takes one reads them (coll_parse_qty,
 * coll_parse_in). The whole input is one argument; each parser must either
 * reject it (coll_parse_in with a message) or return a value in its range,
 * and a sweep must be ascending and within its bound.
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
		coll_fmt_qty(COLL_QTY_SIZE, sizes[i], buf, sizeof(buf));
	}
}

/*
 * S as a quantity of kind Q, as the programs read options and fields: in
 * range when accepted, a message when refused, and the output untouched.
 */
static void fuzz_qty(enum coll_qty q, const char *s, uint64_t lo, uint64_t hi)
{
	char buf[32], err[256] = "";
	uint64_t v = 0;

	if (!coll_parse_qty(q, s, 0, UINT64_MAX, &v))
		coll_fmt_qty(q, v, buf, sizeof(buf));
	v = lo;
	if (coll_parse_in(q, "--x", s, lo, hi, NULL, &v, err, sizeof(err))) {
		if (!err[0] || v != lo)
			abort();
	} else if (v < lo || v > hi) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	uint32_t u;

	fuzz_quiet();
	fuzz_qty(COLL_QTY_SIZE, s, 1, 1ULL << 40);
	/* from 1 b/s: a rate of 0 divides by zero downstream */
	fuzz_qty(COLL_QTY_RATE, s, 1, 1000000000000000ULL);
	fuzz_qty(COLL_QTY_TIME, s, 0, UINT64_MAX);
	fuzz_qty(COLL_QTY_COUNT, s, 2, 4096);
	coll_parse_u32(s, &u);
	fuzz_sweep(s);
	fuzz_loud();
	free(s);
	return 0;
}
