/*
 * Tests of the reduction kernels: vectorised kernels against the scalar
 * reference for every type and op, odd lengths and unaligned buffers;
 * round-to-nearest-even corner cases of bfloat16 and half; NaN handling;
 * and the fabbench data pattern's exactness.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/reduce.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t next_u32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static float bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* Raw random bits (NaN, inf, subnormals included) or tame values. */
static void fill_random(unsigned char *p, size_t count, enum coll_dtype dt, bool raw)
{
	size_t es = coll_dtype_bytes(dt), i, b;

	for (i = 0; i < count; i++) {
		unsigned char *e = p + i * es;
		uint16_t h;
		double d;
		float f;

		if (raw || dt == COLL_DT_INT32 || dt == COLL_DT_INT64) {
			for (b = 0; b < es; b++)
				e[b] = (unsigned char)next_u32();
			continue;
		}
		/* Multiples of 1/64 within +-156: exact in bfloat16 only partly. */
		f = ((float)(next_u32() % 20001) - 10000.0f) / 64.0f;
		d = f;
		h = dt == COLL_DT_FLOAT16 ? coll_float_to_f16(f) : coll_float_to_bf16(f);
		if (dt == COLL_DT_FLOAT32)
			memcpy(e, &f, sizeof(f));
		else if (dt == COLL_DT_FLOAT64)
			memcpy(e, &d, sizeof(d));
		else
			memcpy(e, &h, sizeof(h));
	}
}

static bool is_nan(const unsigned char *e, enum coll_dtype dt)
{
	uint16_t h;
	float f;
	double d;

	switch (dt) {
	case COLL_DT_FLOAT16:
		memcpy(&h, e, 2);
		return (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
	case COLL_DT_BFLOAT16:
		memcpy(&h, e, 2);
		return (h & 0x7f80) == 0x7f80 && (h & 0x7f);
	case COLL_DT_FLOAT32:
		memcpy(&f, e, 4);
		return isnan(f);
	case COLL_DT_FLOAT64:
		memcpy(&d, e, 8);
		return isnan(d);
	default:
		return false;
	}
}

/*
 * Bitwise equality, except that any two NaNs match: which operand's payload
 * a NaN result carries depends on operand order the vectoriser may swap.
 */
static void assert_same(const unsigned char *a, const unsigned char *b, size_t count,
			enum coll_dtype dt, enum coll_redop op)
{
	size_t es = coll_dtype_bytes(dt), i;

	for (i = 0; i < count; i++) {
		const unsigned char *x = a + i * es, *y = b + i * es;

		if (is_nan(x, dt) && is_nan(y, dt))
			continue;
		if (memcmp(x, y, es))
			fail_msg("%s %s element %zu of %zu differs", coll_dtype_name(dt),
				 coll_redop_name(op), i, count);
	}
}

static void run_case(enum coll_dtype dt, enum coll_redop op, size_t count,
		     size_t dmis, size_t smis, bool raw)
{
	size_t es = coll_dtype_bytes(dt), bytes = count * es;
	unsigned char *d = malloc(bytes + 16), *s = malloc(bytes + 16);
	unsigned char *r = malloc(bytes + 16), *o = malloc(bytes + 16);

	assert_non_null(d);
	assert_non_null(s);
	assert_non_null(r);
	assert_non_null(o);
	fill_random(d + dmis, count, dt, raw);
	fill_random(s + smis, count, dt, raw);
	memcpy(r + dmis, d + dmis, bytes);
	/* the three-buffer kernel (out of place) reads d and leaves it alone */
	assert_int_equal(coll_reduce3(o + smis, d + dmis, s + smis, count, dt, op), 0);
	assert_int_equal(coll_reduce(d + dmis, s + smis, count, dt, op), 0);
	assert_int_equal(coll_reduce_ref(r + dmis, s + smis, count, dt, op), 0);
	assert_same(d + dmis, r + dmis, count, dt, op);
	assert_same(o + smis, r + dmis, count, dt, op);
	free(d);
	free(s);
	free(r);
	free(o);
}

static void test_kernels_vs_ref(void **state)
{
	static const size_t counts[] = { 0, 1, 3, 63, 64, 65, 1000 };
	static const size_t mis[][2] = { { 0, 0 }, { 1, 3 }, { 2, 0 }, { 5, 7 } };
	size_t c, m;
	int dt, op;

	for (dt = 0; dt < COLL_DT_COUNT; dt++)
		for (op = 0; op < COLL_RED_COUNT; op++)
			for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
				for (m = 0; m < 4; m++) {
					run_case(dt, op, counts[c], mis[m][0], mis[m][1], false);
					run_case(dt, op, counts[c], mis[m][0], mis[m][1], true);
				}
}

static uint16_t bf16_sum(uint16_t a, uint16_t b)
{
	assert_int_equal(coll_reduce(&a, &b, 1, COLL_DT_BFLOAT16, COLL_RED_SUM), 0);
	return a;
}

static uint16_t f16_sum(uint16_t a, uint16_t b)
{
	uint16_t r = a;

	assert_int_equal(coll_reduce(&a, &b, 1, COLL_DT_FLOAT16, COLL_RED_SUM), 0);
	assert_int_equal(coll_reduce_ref(&r, &b, 1, COLL_DT_FLOAT16, COLL_RED_SUM), 0);
	assert_int_equal(a, r);
	return a;
}

static void test_bf16_rounding(void **state)
{
	uint16_t one = coll_float_to_bf16(1.0f);

	assert_int_equal(one, 0x3f80);
	/* The ulp of 1.0 is 2^-7: 2^-9 is below half, 2^-8 a tie to even. */
	assert_int_equal(bf16_sum(one, coll_float_to_bf16(0x1p-9f)), 0x3f80);
	assert_int_equal(bf16_sum(one, coll_float_to_bf16(0x1p-8f)), 0x3f80);
	assert_int_equal(bf16_sum(0x3f81, coll_float_to_bf16(0x1p-8f)), 0x3f82);
	assert_int_equal(coll_float_to_bf16(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);
	assert_int_equal(coll_float_to_bf16(-1.0f - 0x1p-8f), 0xbf80);
	/* The largest finite float rounds up to infinity. */
	assert_int_equal(coll_float_to_bf16(bits_f32(0x7f7fffff)), 0x7f80);
	assert_int_equal(coll_float_to_bf16(INFINITY), 0x7f80);
	assert_int_equal(coll_float_to_bf16(bits_f32(0x7f800001)) & 0x7fc0, 0x7fc0);
	assert_true(coll_bf16_to_float(0x3f81) == 1.0f + 0x1p-7f);
}

static void test_f16_rounding(void **state)
{
	uint16_t one = coll_float_to_f16(1.0f);

	assert_int_equal(one, 0x3c00);
	/* The ulp of 1.0 is 2^-10: 2^-11 is a tie to even. */
	assert_int_equal(f16_sum(one, coll_float_to_f16(0x1p-11f)), 0x3c00);
	assert_int_equal(f16_sum(0x3c01, coll_float_to_f16(0x1p-11f)), 0x3c02);
	assert_int_equal(f16_sum(one, coll_float_to_f16(0x1p-12f)), 0x3c00);
	/* 65504 + 16 ties between 65504 (odd) and 65536 (inf): even wins. */
	assert_int_equal(f16_sum(0x7bff, coll_float_to_f16(16.0f)), 0x7c00);
	assert_int_equal(f16_sum(0x7bff, coll_float_to_f16(8.0f)), 0x7bff);
	/* Subnormals: 1 + 1/2 unit ties to 2 units, 2 + 1/2 stays 2. */
	assert_int_equal(coll_float_to_f16(0x1.8p-24f), 0x0002);
	assert_int_equal(coll_float_to_f16(0x1.4p-23f), 0x0002);
	assert_int_equal(coll_float_to_f16(0x1p-25f), 0x0000);
	assert_int_equal(coll_float_to_f16(0x1.01p-25f), 0x0001);
	assert_int_equal(coll_float_to_f16(-0x1p-14f), 0x8400);
	assert_int_equal(coll_float_to_f16(bits_f32(0x7fc12345)), 0x7e00);
	assert_int_equal(coll_float_to_f16(-INFINITY), 0xfc00);
	assert_true(coll_f16_to_float(0x0001) == 0x1p-24f);
	assert_true(coll_f16_to_float(0x7bff) == 65504.0f);
	assert_true(isinf(coll_f16_to_float(0xfc00)));
	assert_true(isnan(coll_f16_to_float(0x7e01)));
}

#ifdef __FLT16_MAX__
static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}
#endif

/* Where the compiler has _Float16, it is an independent judge. */
static void test_f16_vs_compiler(void **state)
{
#ifdef __FLT16_MAX__
	_Float16 h;
	uint32_t i, u;
	uint16_t bits;
	float f;

	for (i = 0; i < 0x10000; i++) {
		bits = (uint16_t)i;
		memcpy(&h, &bits, sizeof(h));
		f = coll_f16_to_float(bits);
		if (isnan((float)h))
			assert_true(isnan(f));
		else
			assert_int_equal(f32_bits(f), f32_bits((float)h));
	}
	for (i = 0; i < 2000000; i++) {
		/* Random floats near the half range, plus raw bits. */
		u = i & 1 ? next_u32() : (next_u32() & 0x87ffffffu) | 0x30000000u;
		f = bits_f32(i % 3 ? u : u >> 3);
		h = (_Float16)f;
		memcpy(&bits, &h, sizeof(bits));
		if (isnan(f))
			assert_int_equal(coll_float_to_f16(f) & 0x7e00, 0x7e00);
		else
			assert_int_equal(coll_float_to_f16(f), bits);
	}
#else
	skip();
#endif
}

static void test_nan_and_wrap(void **state)
{
	float a[2] = { NAN, 1.0f }, b[2] = { 1.0f, NAN };
	uint16_t ha[2] = { 0x7fc0, 0x3f80 }, hb[2] = { 0x3f80, 0x7fc0 };
	int32_t ia = INT32_MAX, ib = 1;

	assert_int_equal(coll_reduce(a, b, 2, COLL_DT_FLOAT32, COLL_RED_MIN), 0);
	assert_true(isnan(a[0]) && isnan(a[1]));
	assert_int_equal(coll_reduce(ha, hb, 2, COLL_DT_BFLOAT16, COLL_RED_MAX), 0);
	assert_true(isnan(coll_bf16_to_float(ha[0])) && isnan(coll_bf16_to_float(ha[1])));
	assert_int_equal(coll_reduce(&ia, &ib, 1, COLL_DT_INT32, COLL_RED_SUM), 0);
	assert_int_equal(ia, INT32_MIN);
	assert_int_equal(coll_reduce(&ia, &ib, 1, COLL_DT_COUNT, COLL_RED_SUM), -EINVAL);
	assert_int_equal(coll_reduce_ref(&ia, &ib, 1, COLL_DT_INT32, COLL_RED_COUNT), -EINVAL);
}

static void test_names(void **state)
{
	int i;

	for (i = 0; i < COLL_DT_COUNT; i++)
		assert_int_equal(coll_dtype_from_name(coll_dtype_name(i)), i);
	for (i = 0; i < COLL_RED_COUNT; i++)
		assert_int_equal(coll_redop_from_name(coll_redop_name(i)), i);
	assert_int_equal(coll_dtype_from_name("float"), COLL_DT_FLOAT32);
	assert_int_equal(coll_dtype_from_name("bfloat16"), COLL_DT_BFLOAT16);
	assert_int_equal(coll_dtype_from_name("half"), COLL_DT_FLOAT16);
	assert_int_equal(coll_dtype_from_name("int32"), COLL_DT_INT32);
	assert_int_equal(coll_dtype_from_name("bf16"), COLL_DT_BFLOAT16);
	assert_int_equal(coll_dtype_from_name("int8"), -EINVAL);
	assert_int_equal(coll_redop_from_name("avg"), -EINVAL);
	assert_int_equal(coll_dtype_bytes(COLL_DT_BFLOAT16), 2);
	assert_int_equal(coll_dtype_bytes(COLL_DT_FLOAT64), 8);
	assert_int_equal(coll_dtype_bytes(COLL_DT_COUNT), 0);
}

/* Reducing the ranks' patterns in any order gives the expected buffer. */
static void test_pattern(void **state)
{
	const uint32_t n = 9;
	const size_t count = 77;
	unsigned char acc[77 * 8], part[77 * 8], want[77 * 8];
	uint32_t r;
	int dt, op;

	for (dt = 0; dt < COLL_DT_COUNT; dt++) {
		for (op = 0; op < COLL_RED_COUNT; op++) {
			assert_true(coll_pattern_max_ranks(dt, op) >= n);
			coll_pattern_fill(acc, count, dt, op, n - 1, 1000);
			for (r = n - 1; r-- > 0;) {
				coll_pattern_fill(part, count, dt, op, r, 1000);
				assert_int_equal(coll_reduce(acc, part, count, dt, op), 0);
			}
			coll_pattern_expect(want, count, dt, op, n, 1000);
			assert_int_equal(coll_pattern_mismatch(acc, want, count, dt), count);
			/* One rank short is caught. */
			coll_pattern_expect(want, count, dt, op, n - 1, 1000);
			assert_true(coll_pattern_mismatch(acc, want, count, dt) < count);
		}
	}
	assert_int_equal(coll_pattern_max_ranks(COLL_DT_BFLOAT16, COLL_RED_SUM), 36);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernels_vs_ref),
		cmocka_unit_test(test_bf16_rounding),
		cmocka_unit_test(test_f16_rounding),
		cmocka_unit_test(test_f16_vs_compiler),
		cmocka_unit_test(test_nan_and_wrap),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
