/*
 * Reduction kernels. Each (type, op) pair is its own plain loop over
 * restrict pointers so that GCC vectorises it for baseline x86-64 (SSE2)
 * without requiring AVX at build or run time. 16-bit floats are widened to
 * float a block at a time, combined, and narrowed with round-to-nearest-even
 * using branch-free bit arithmetic (no F16C needed). Element pointers are
 * accessed through aligned(1) types: schedules cut buffers at arbitrary
 * element offsets and fabbench may hand in unaligned staging buffers.
 *
 * coll_reduce_ref is deliberately naive (branches, one element at a time,
 * its own conversion code) so that tests compare two independent versions.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "collectives/reduce.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif

#define COLL_BLOCK 64		/* 16-bit floats widened per pass, elements */

typedef int32_t coll_i32u __attribute__((aligned(1), may_alias));
typedef long long coll_i64u __attribute__((aligned(1), may_alias));
typedef uint16_t coll_u16u __attribute__((aligned(1), may_alias));
typedef float coll_f32u __attribute__((aligned(1), may_alias));
typedef double coll_f64u __attribute__((aligned(1), may_alias));

static const char *const dtype_names[COLL_DT_COUNT] = {
	[COLL_DT_INT32] = "int32",
	[COLL_DT_INT64] = "int64",
	[COLL_DT_FLOAT16] = "half",
	[COLL_DT_BFLOAT16] = "bfloat16",
	[COLL_DT_FLOAT32] = "float",
	[COLL_DT_FLOAT64] = "double",
};

static const size_t dtype_bytes[COLL_DT_COUNT] = {
	[COLL_DT_INT32] = 4, [COLL_DT_INT64] = 8, [COLL_DT_FLOAT16] = 2,
	[COLL_DT_BFLOAT16] = 2, [COLL_DT_FLOAT32] = 4, [COLL_DT_FLOAT64] = 8,
};

static const char *const redop_names[COLL_RED_COUNT] = {
	[COLL_RED_SUM] = "sum",
	[COLL_RED_PROD] = "prod",
	[COLL_RED_MIN] = "min",
	[COLL_RED_MAX] = "max",
};

/* Other spellings of the dtypes, as other tools write them. */
static const struct {
	const char *name;
	enum coll_dtype dt;
} dtype_aliases[] = {
	{ "int", COLL_DT_INT32 }, { "float32", COLL_DT_FLOAT32 },
	{ "f32", COLL_DT_FLOAT32 }, { "fp32", COLL_DT_FLOAT32 },
	{ "float16", COLL_DT_FLOAT16 }, { "f16", COLL_DT_FLOAT16 },
	{ "fp16", COLL_DT_FLOAT16 }, { "bf16", COLL_DT_BFLOAT16 },
	{ "float64", COLL_DT_FLOAT64 }, { "f64", COLL_DT_FLOAT64 },
	{ "fp64", COLL_DT_FLOAT64 },
};

size_t coll_dtype_bytes(enum coll_dtype dt)
{
	return (unsigned int)dt < COLL_DT_COUNT ? dtype_bytes[dt] : 0;
}

const char *coll_dtype_name(enum coll_dtype dt)
{
	return (unsigned int)dt < COLL_DT_COUNT ? dtype_names[dt] : "?";
}

const char *coll_redop_name(enum coll_redop op)
{
	return (unsigned int)op < COLL_RED_COUNT ? redop_names[op] : "?";
}

int coll_dtype_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < COLL_DT_COUNT; i++)
		if (!strcmp(name, dtype_names[i]))
			return (int)i;
	for (i = 0; name && i < sizeof(dtype_aliases) / sizeof(dtype_aliases[0]); i++)
		if (!strcmp(name, dtype_aliases[i].name))
			return dtype_aliases[i].dt;
	return -EINVAL;
}

int coll_redop_from_name(const char *name)
{
	int i;

	for (i = 0; name && i < COLL_RED_COUNT; i++)
		if (!strcmp(name, redop_names[i]))
			return i;
	return -EINVAL;
}

static inline uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static inline float bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

float coll_bf16_to_float(uint16_t h)
{
	return bits_f32((uint32_t)h << 16);
}

/* Adding 0x7fff plus the kept lsb rounds half to even in one carry. */
uint16_t coll_float_to_bf16(float f)
{
	uint32_t u = f32_bits(f);
	uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
	uint32_t qnan = (u >> 16) | 0x40u;

	return (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? qnan : r);
}

/* Shifting exponent and mantissa into place and scaling by 2^112 rebiases
 * normals and turns subnormals into normals exactly. */
float coll_f16_to_float(uint16_t h)
{
	uint32_t em = h & 0x7fffu, sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t u = f32_bits(bits_f32(em << 13) * 0x1p112f);

	u |= em >= 0x7c00u ? 0x7f800000u : 0;
	return bits_f32(u | sign);
}

/*
 * After F. Giesen's float_to_half_fast3_rtne: subnormal results come from
 * adding 0.5f, whose ulp (2^-24) is the half subnormal step, so the FPU's
 * own rounding is the round-to-nearest-even; normal results round by adding
 * 0xfff plus the kept lsb before dropping 13 mantissa bits.
 */
uint16_t coll_float_to_f16(float f)
{
	const uint32_t magic = 126u << 23;	/* 0.5f */
	uint32_t u = f32_bits(f), sign = u & 0x80000000u;
	uint32_t o_inf, o_sub, o_norm, is_inf, is_sub;

	u ^= sign;
	o_inf = 0x7c00u | (uint32_t)(u > 0x7f800000u) << 9;
	o_sub = f32_bits(bits_f32(u) + bits_f32(magic)) - magic;
	o_norm = (u + (((uint32_t)(15 - 127)) << 23) + 0xfffu + ((u >> 13) & 1u)) >> 13;
	/* Select by masks: a ternary chain here defeats the vectoriser. */
	is_inf = -(uint32_t)(u >= (143u << 23));
	is_sub = -(uint32_t)(u < (113u << 23));
	o_norm = (o_inf & is_inf) | (o_sub & is_sub) | (o_norm & ~(is_inf | is_sub));
	return (uint16_t)(o_norm | (sign >> 16));
}

typedef void (*coll_kernel_fn)(void *d, const void *s, size_t n);

#define COLL_KERNEL(name, T, EXPR)					\
static void name(void *dv, const void *sv, size_t n)			\
{									\
	T *restrict d = dv;						\
	const T *restrict s = sv;					\
	size_t i;							\
									\
	for (i = 0; i < n; i++) {					\
		T a = d[i], b = s[i];					\
									\
		d[i] = (EXPR);						\
	}								\
}									\
									\
static void name##_3(void *dv, const void *av, const void *sv, size_t n) \
{									\
	T *restrict d = dv;						\
	const T *restrict x = av;					\
	const T *restrict s = sv;					\
	size_t i;							\
									\
	for (i = 0; i < n; i++) {					\
		T a = x[i], b = s[i];					\
									\
		d[i] = (EXPR);						\
	}								\
}

/* Widen a block, combine, narrow: three loops the vectoriser handles (3: from a third buffer). */
#define COLL_KERNEL16(name, WIDEN, NARROW, EXPR)			\
static void name##_3(void *dv, const void *av, const void *sv, size_t n) \
{									\
	coll_u16u *restrict d = dv;					\
	const coll_u16u *restrict x = av;				\
	const coll_u16u *restrict s = sv;				\
	float fa[COLL_BLOCK], fb[COLL_BLOCK];				\
	size_t i, j, m;							\
									\
	for (i = 0; i < n; i += m) {					\
		m = n - i < COLL_BLOCK ? n - i : COLL_BLOCK;		\
		for (j = 0; j < m; j++) {				\
			fa[j] = WIDEN(x[i + j]);			\
			fb[j] = WIDEN(s[i + j]);			\
		}							\
		for (j = 0; j < m; j++) {				\
			float a = fa[j], b = fb[j];			\
									\
			fa[j] = (EXPR);					\
		}							\
		for (j = 0; j < m; j++)					\
			d[i + j] = NARROW(fa[j]);			\
	}								\
}									\
									\
static void name(void *dv, const void *sv, size_t n)			\
{									\
	coll_u16u *restrict d = dv;					\
	const coll_u16u *restrict s = sv;				\
	float fa[COLL_BLOCK], fb[COLL_BLOCK];				\
	size_t i, j, m;							\
									\
	for (i = 0; i < n; i += m) {					\
		m = n - i < COLL_BLOCK ? n - i : COLL_BLOCK;		\
		for (j = 0; j < m; j++) {				\
			fa[j] = WIDEN(d[i + j]);			\
			fb[j] = WIDEN(s[i + j]);			\
		}							\
		for (j = 0; j < m; j++) {				\
			float a = fa[j], b = fb[j];			\
									\
			fa[j] = (EXPR);					\
		}							\
		for (j = 0; j < m; j++)					\
			d[i + j] = NARROW(fa[j]);			\
	}								\
}

/* Integers wrap through unsigned arithmetic instead of overflowing. */
#define ISUM(T, U) (T)((U)a + (U)b)
#define IPROD(T, U) (T)((U)a * (U)b)
#define MIN_NAN (a < b || a != a ? a : b)
#define MAX_NAN (a > b || a != a ? a : b)

COLL_KERNEL(sum_i32, coll_i32u, ISUM(int32_t, uint32_t))
COLL_KERNEL(prod_i32, coll_i32u, IPROD(int32_t, uint32_t))
COLL_KERNEL(min_i32, coll_i32u, a < b ? a : b)
COLL_KERNEL(max_i32, coll_i32u, a > b ? a : b)
COLL_KERNEL(sum_i64, coll_i64u, ISUM(int64_t, uint64_t))
COLL_KERNEL(prod_i64, coll_i64u, IPROD(int64_t, uint64_t))
COLL_KERNEL(min_i64, coll_i64u, a < b ? a : b)
COLL_KERNEL(max_i64, coll_i64u, a > b ? a : b)
COLL_KERNEL(sum_f32, coll_f32u, a + b)
COLL_KERNEL(prod_f32, coll_f32u, a * b)
COLL_KERNEL(min_f32, coll_f32u, MIN_NAN)
COLL_KERNEL(max_f32, coll_f32u, MAX_NAN)
COLL_KERNEL(sum_f64, coll_f64u, a + b)
COLL_KERNEL(prod_f64, coll_f64u, a * b)
COLL_KERNEL(min_f64, coll_f64u, MIN_NAN)
COLL_KERNEL(max_f64, coll_f64u, MAX_NAN)
COLL_KERNEL16(sum_f16, coll_f16_to_float, coll_float_to_f16, a + b)
COLL_KERNEL16(prod_f16, coll_f16_to_float, coll_float_to_f16, a * b)
COLL_KERNEL16(min_f16, coll_f16_to_float, coll_float_to_f16, MIN_NAN)
COLL_KERNEL16(max_f16, coll_f16_to_float, coll_float_to_f16, MAX_NAN)
COLL_KERNEL16(sum_bf16, coll_bf16_to_float, coll_float_to_bf16, a + b)
COLL_KERNEL16(prod_bf16, coll_bf16_to_float, coll_float_to_bf16, a * b)
COLL_KERNEL16(min_bf16, coll_bf16_to_float, coll_float_to_bf16, MIN_NAN)
COLL_KERNEL16(max_bf16, coll_bf16_to_float, coll_float_to_bf16, MAX_NAN)

static const coll_kernel_fn kernels[COLL_DT_COUNT][COLL_RED_COUNT] = {
	[COLL_DT_INT32] = { sum_i32, prod_i32, min_i32, max_i32 },
	[COLL_DT_INT64] = { sum_i64, prod_i64, min_i64, max_i64 },
	[COLL_DT_FLOAT16] = { sum_f16, prod_f16, min_f16, max_f16 },
	[COLL_DT_BFLOAT16] = { sum_bf16, prod_bf16, min_bf16, max_bf16 },
	[COLL_DT_FLOAT32] = { sum_f32, prod_f32, min_f32, max_f32 },
	[COLL_DT_FLOAT64] = { sum_f64, prod_f64, min_f64, max_f64 },
};

typedef void (*coll_kernel3_fn)(void *d, const void *a, const void *s, size_t n);

static const coll_kernel3_fn kernels3[COLL_DT_COUNT][COLL_RED_COUNT] = {
	[COLL_DT_INT32] = { sum_i32_3, prod_i32_3, min_i32_3, max_i32_3 },
	[COLL_DT_INT64] = { sum_i64_3, prod_i64_3, min_i64_3, max_i64_3 },
	[COLL_DT_FLOAT16] = { sum_f16_3, prod_f16_3, min_f16_3, max_f16_3 },
	[COLL_DT_BFLOAT16] = { sum_bf16_3, prod_bf16_3, min_bf16_3, max_bf16_3 },
	[COLL_DT_FLOAT32] = { sum_f32_3, prod_f32_3, min_f32_3, max_f32_3 },
	[COLL_DT_FLOAT64] = { sum_f64_3, prod_f64_3, min_f64_3, max_f64_3 },
};

int coll_reduce3(void *dst, const void *a, const void *src, size_t count, enum coll_dtype dt,
		 enum coll_redop op)
{
	if ((unsigned int)dt >= COLL_DT_COUNT || (unsigned int)op >= COLL_RED_COUNT)
		return -EINVAL;
	kernels3[dt][op](dst, a, src, count);
	return 0;
}

int coll_reduce(void *dst, const void *src, size_t count, enum coll_dtype dt,
		enum coll_redop op)
{
	if ((unsigned int)dt >= COLL_DT_COUNT || (unsigned int)op >= COLL_RED_COUNT)
		return -EINVAL;
	kernels[dt][op](dst, src, count);
	return 0;
}
