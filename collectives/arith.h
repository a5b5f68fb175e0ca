/*
 * Overflow-free arithmetic on bytes, rates and picoseconds.
 *
 * Products such as bytes x 8 x 10^12 (a serialization time in ps) exceed
 * 64 bits from about 2.3 MB on, so every product-then-quotient goes through
 * a 128-bit intermediate here. A result that does not fit saturates at
 * UINT64_MAX, which callers treat as "never" (a time) or reject (a size);
 * nothing wraps silently.
 */
#ifndef COLL_ARITH_H
#define COLL_ARITH_H

#include <stddef.h>
#include <stdint.h>

#ifndef __SIZEOF_INT128__
#error "fabsim needs a compiler with unsigned __int128 (GCC or Clang on a 64-bit target)"
#endif

#define COLL_PS_PER_S 1000000000000ULL
/* bits per byte x ps per second: bytes x this / rate_bps = ps on the wire */
#define COLL_BIT_PS_PER_S (8ULL * COLL_PS_PER_S)

/* floor(a * b / c); UINT64_MAX when c is 0 or the quotient needs more than 64 bits. */
static inline uint64_t coll_mul_div_u64(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 q;
	uint64_t p;

	if (!c)
		return UINT64_MAX;
	/* the common case (a packet, a cable) needs no 128-bit division */
	if (!__builtin_mul_overflow(a, b, &p))
		return p / c;
	q = (unsigned __int128)a * b / c;
	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

/* ceil(a * b / c), saturating like coll_mul_div_u64. */
static inline uint64_t coll_mul_div_up_u64(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 n, q;
	uint64_t p;

	if (!c)
		return UINT64_MAX;
	if (!__builtin_mul_overflow(a, b, &p))
		return p / c + (p % c != 0);
	n = (unsigned __int128)a * b;
	q = n / c + (n % c != 0);
	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

static inline uint64_t coll_add_sat_u64(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline uint64_t coll_mul_sat_u64(uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b;

	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

/* Picoseconds to put BYTES on a wire of RATE_BPS, rounded up; UINT64_MAX if never. */
static inline uint64_t coll_bytes_to_ps(uint64_t bytes, uint64_t rate_bps)
{
	return coll_mul_div_up_u64(bytes, COLL_BIT_PS_PER_S, rate_bps);
}

/* Bytes a wire of RATE_BPS carries in PS picoseconds, rounded down. */
static inline uint64_t coll_ps_to_bytes(uint64_t ps, uint64_t rate_bps)
{
	return coll_mul_div_u64(ps, rate_bps, COLL_BIT_PS_PER_S);
}

/*
 * Bytes the kernel could give this process now without swapping:
 * MemAvailable in /proc/meminfo, else sysconf; 0 when unknown. Memory
 * cgroup limits are not looked at here (fabbench's vb_mem_avail_bytes
 * adds them).
 */
uint64_t coll_mem_available_bytes(void);
/*
 * 0 when NEED_BYTES fit in the memory available now (MemAvailable in
 * /proc/meminfo, else sysconf), or when that is unknown; else -ENOMEM and
 * "WHAT needs X GiB, more than the Y GiB available" in ERR. Call it before
 * allocating state whose size an input chooses.
 */
int coll_mem_guard(uint64_t need_bytes, const char *what, char *err, size_t errlen);

#endif
