/*
 * The scalar reference for coll_reduce and the deterministic data pattern.
 * Kept apart from reduce.c so it is built without that file's O3 and shares
 * none of its conversion code: a kernel bug cannot hide in both.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "collectives/reduce.h"

static uint32_t ref_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float ref_float(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static float ref_bf16_to_float(uint16_t h)
{
	return ref_float((uint32_t)h << 16);
}

static uint16_t ref_float_to_bf16(float f)
{
	uint32_t u = ref_bits(f), upper = u >> 16, lower = u & 0xffff;

	if (isnan(f))
		return (uint16_t)(upper | 0x40);
	if (lower > 0x8000 || (lower == 0x8000 && (upper & 1)))
		upper++;
	return (uint16_t)upper;
}

static float ref_f16_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f;
	uint32_t mant = h & 0x3ff;
	float mag;

	if (exp == 0x1f)
		return ref_float(sign | 0x7f800000u | (mant << 13));
	if (exp == 0)
		mag = ldexpf((float)mant, -24);
	else
		mag = ldexpf((float)(mant | 0x400), (int)exp - 25);
	return sign ? -mag : mag;
}

/* Keep the top bits of the 24-bit significand, round half to even. */
static uint16_t ref_round(uint32_t sign, uint32_t base, uint32_t sig, uint32_t shift)
{
	uint32_t q = sig >> shift, rem = sig & ((1u << shift) - 1);
	uint32_t half = 1u << (shift - 1);

	if (rem > half || (rem == half && (q & 1)))
		q++;
	return (uint16_t)(sign | (base + q));
}

static uint16_t ref_float_to_f16(float f)
{
	uint32_t u = ref_bits(f), sign = (u >> 16) & 0x8000;
	uint32_t exp = (u >> 23) & 0xff, mant = u & 0x7fffff;
	int e = (int)exp - 127 + 15;

	if (exp == 0xff)
		return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (e < -10)
		return (uint16_t)sign;
	if (e <= 0)	/* subnormal: the significand loses 14 - e bits */
		return ref_round(sign, 0, mant | 0x800000, (uint32_t)(14 - e));
	/* A carry out of the mantissa correctly bumps the exponent. */
	return ref_round(sign, (uint32_t)e << 10, mant, 13);
}

static double ref_load(const unsigned char *p, enum coll_dtype dt)
{
	uint16_t h;
	float f;
	double d;

	switch (dt) {
	case COLL_DT_FLOAT16:
	case COLL_DT_BFLOAT16:
		memcpy(&h, p, sizeof(h));
		return dt == COLL_DT_FLOAT16 ? ref_f16_to_float(h) : ref_bf16_to_float(h);
	case COLL_DT_FLOAT32:
		memcpy(&f, p, sizeof(f));
		return f;
	default:
		memcpy(&d, p, sizeof(d));
		return d;
	}
}

/* Results of 16/32-bit types are rounded to float first, as the kernels do. */
static void ref_store(unsigned char *p, enum coll_dtype dt, double v)
{
	float f = (float)v;
	uint16_t h;

	switch (dt) {
	case COLL_DT_FLOAT16:
	case COLL_DT_BFLOAT16:
		h = dt == COLL_DT_FLOAT16 ? ref_float_to_f16(f) : ref_float_to_bf16(f);
		memcpy(p, &h, sizeof(h));
		break;
	case COLL_DT_FLOAT32:
		memcpy(p, &f, sizeof(f));
		break;
	default:
		memcpy(p, &v, sizeof(v));
		break;
	}
}

static double ref_float_op(double a, double b, enum coll_redop op, bool single)
{
	if (op == COLL_RED_SUM)
		return single ? (double)((float)a + (float)b) : a + b;
	if (op == COLL_RED_PROD)
		return single ? (double)((float)a * (float)b) : a * b;
	if (isnan(a))
		return a;
	if (isnan(b))
		return b;
	if (op == COLL_RED_MIN)
		return a < b ? a : b;
	return a > b ? a : b;
}

static int64_t ref_int_op(int64_t a, int64_t b, enum coll_redop op, bool narrow)
{
	uint64_t r;

	switch (op) {
	case COLL_RED_SUM:
		r = (uint64_t)a + (uint64_t)b;
		break;
	case COLL_RED_PROD:
		r = (uint64_t)a * (uint64_t)b;
		break;
	case COLL_RED_MIN:
		return a < b ? a : b;
	default:
		return a > b ? a : b;
	}
	return narrow ? (int64_t)(int32_t)(uint32_t)r : (int64_t)r;
}

static void ref_int(unsigned char *d, const unsigned char *s, enum coll_dtype dt,
		    enum coll_redop op)
{
	int32_t a32, b32;
	int64_t a, b;

	if (dt == COLL_DT_INT32) {
		memcpy(&a32, d, sizeof(a32));
		memcpy(&b32, s, sizeof(b32));
		a32 = (int32_t)ref_int_op(a32, b32, op, true);
		memcpy(d, &a32, sizeof(a32));
		return;
	}
	memcpy(&a, d, sizeof(a));
	memcpy(&b, s, sizeof(b));
	a = ref_int_op(a, b, op, false);
	memcpy(d, &a, sizeof(a));
}

int coll_reduce_ref(void *dst, const void *src, size_t count, enum coll_dtype dt,
		    enum coll_redop op)
{
	size_t es = coll_dtype_bytes(dt), i;
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (!es || (unsigned int)op >= COLL_RED_COUNT)
		return -EINVAL;
	for (i = 0; i < count; i++, d += es, s += es) {
		if (dt == COLL_DT_INT32 || dt == COLL_DT_INT64)
			ref_int(d, s, dt, op);
		else
			ref_store(d, dt, ref_float_op(ref_load(d, dt), ref_load(s, dt),
						      op, dt != COLL_DT_FLOAT64));
	}
	return 0;
}

/* A well-mixed hash of (rank, index) folded to -7..7, or +-1 for prod. */
static int64_t pattern_value(enum coll_redop op, uint32_t rank, uint64_t i)
{
	uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ull ^ (rank + 1ull) * 0xbf58476d1ce4e5b9ull;

	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	if (op == COLL_RED_PROD)
		return h & 1 ? 1 : -1;
	return (int64_t)(h % 15) - 7;
}

static void pattern_store(unsigned char *p, enum coll_dtype dt, int64_t v)
{
	int32_t v32 = (int32_t)v;

	switch (dt) {
	case COLL_DT_INT32:
		memcpy(p, &v32, sizeof(v32));
		break;
	case COLL_DT_INT64:
		memcpy(p, &v, sizeof(v));
		break;
	default:
		/* Small integers: exact in every float type, no rounding. */
		ref_store(p, dt, (double)v);
		break;
	}
}

void coll_pattern_fill(void *buf, size_t count, enum coll_dtype dt,
		       enum coll_redop op, uint32_t rank, uint64_t first)
{
	size_t es = coll_dtype_bytes(dt), i;
	unsigned char *p = buf;

	for (i = 0; es && i < count; i++)
		pattern_store(p + i * es, dt, pattern_value(op, rank, first + i));
}

static int64_t combine(int64_t a, int64_t b, enum coll_redop op)
{
	switch (op) {
	case COLL_RED_SUM:
		return a + b;
	case COLL_RED_PROD:
		return a * b;
	case COLL_RED_MIN:
		return a < b ? a : b;
	default:
		return a > b ? a : b;
	}
}

void coll_pattern_expect(void *buf, size_t count, enum coll_dtype dt,
			 enum coll_redop op, uint32_t nranks, uint64_t first)
{
	size_t es = coll_dtype_bytes(dt), i;
	unsigned char *p = buf;
	uint32_t r;

	for (i = 0; es && nranks && i < count; i++) {
		int64_t v = pattern_value(op, 0, first + i);

		for (r = 1; r < nranks; r++)
			v = combine(v, pattern_value(op, r, first + i), op);
		pattern_store(p + i * es, dt, v);
	}
}

/* Sums stay within 7 * nranks; that must fit the type's exact integers. */
uint32_t coll_pattern_max_ranks(enum coll_dtype dt, enum coll_redop op)
{
	if (op != COLL_RED_SUM)
		return UINT32_MAX;
	switch (dt) {
	case COLL_DT_BFLOAT16:
		return (1u << 8) / 7;
	case COLL_DT_FLOAT16:
		return (1u << 11) / 7;
	case COLL_DT_FLOAT32:
		return (1u << 24) / 7;
	case COLL_DT_INT32:
		return INT32_MAX / 7;
	default:
		return UINT32_MAX;
	}
}

size_t coll_pattern_mismatch(const void *a, const void *b, size_t count,
			     enum coll_dtype dt)
{
	size_t es = coll_dtype_bytes(dt), i;
	const unsigned char *x = a, *y = b;

	for (i = 0; es && i < count; i++)
		if (memcmp(x + i * es, y + i * es, es))
			return i;
	return count;
}
