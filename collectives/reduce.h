/*
 * Reduction kernels for the REDUCE transfers of a schedule (dst = dst (+)
 * src), data type and operation names, and the deterministic data pattern
 * fabbench's -c check uses: small integers, so that sums are exact in every
 * type and the expected result does not depend on reduction order.
 */
#ifndef COLL_REDUCE_H
#define COLL_REDUCE_H

#include <stddef.h>
#include <stdint.h>

enum coll_dtype {
	COLL_DT_INT32 = 0,
	COLL_DT_INT64,
	COLL_DT_FLOAT16,	/* IEEE binary16 */
	COLL_DT_BFLOAT16,
	COLL_DT_FLOAT32,
	COLL_DT_FLOAT64,
	COLL_DT_COUNT,
};

enum coll_redop {
	COLL_RED_SUM = 0,
	COLL_RED_PROD,
	COLL_RED_MIN,
	COLL_RED_MAX,
	COLL_RED_COUNT,
};

/* Element size in bytes, 0 for an unknown type. */
size_t coll_dtype_bytes(enum coll_dtype dt);
const char *coll_dtype_name(enum coll_dtype dt);
const char *coll_redop_name(enum coll_redop op);
/* Enum value or -EINVAL; accepts "float"/"float32"/"f32", "half"/"float16",
 * "bfloat16"/"bf16", "int32"/"int", "int64", "double"/"float64". */
int coll_dtype_from_name(const char *name);
int coll_redop_from_name(const char *name);

/*
 * dst[i] = dst[i] op src[i] for COUNT elements; 16-bit floats are computed in
 * float and rounded to nearest even. Integer sums and products wrap; float
 * min/max propagate NaN. Buffers need no alignment but must not overlap.
 * Returns 0 or -EINVAL for an unknown type or op.
 */
int coll_reduce(void *dst, const void *src, size_t count, enum coll_dtype dt,
		enum coll_redop op);
/*
 * dst[i] = a[i] op src[i]: the same kernels reading a third buffer, so that
 * out of place the first reduce combines input and incoming data without
 * copying the input first. DST must not overlap A or SRC.
 */
int coll_reduce3(void *dst, const void *a, const void *src, size_t count, enum coll_dtype dt,
		 enum coll_redop op);
/* The same, one element at a time with no tricks: the tests' reference. */
int coll_reduce_ref(void *dst, const void *src, size_t count, enum coll_dtype dt,
		    enum coll_redop op);

/* Scalar conversions (round to nearest even; NaN stays a quiet NaN). */
float coll_bf16_to_float(uint16_t h);
uint16_t coll_float_to_bf16(float f);
float coll_f16_to_float(uint16_t h);
uint16_t coll_float_to_f16(float f);

/*
 * Pattern: element FIRST + i of rank R's buffer. Values are small integers
 * (+-1 for prod), so coll_pattern_expect is exact up to
 * coll_pattern_max_ranks ranks (bfloat16 sums run out of mantissa first).
 */
void coll_pattern_fill(void *buf, size_t count, enum coll_dtype dt,
		       enum coll_redop op, uint32_t rank, uint64_t first);
/* The all-reduce over ranks 0..nranks-1 of that pattern. */
void coll_pattern_expect(void *buf, size_t count, enum coll_dtype dt,
			 enum coll_redop op, uint32_t nranks, uint64_t first);
uint32_t coll_pattern_max_ranks(enum coll_dtype dt, enum coll_redop op);
/* Index of the first element that differs bitwise, or COUNT. */
size_t coll_pattern_mismatch(const void *a, const void *b, size_t count,
			     enum coll_dtype dt);

#endif /* COLL_REDUCE_H */
