/*
 * The one parser and formatter of the quantities users type, shared by
 * fabsim and fabbench: sizes in binary units (8M = 8 MiB, as nccl-tests),
 * rates in decimal bits per second (800G), times (2us). Numbers are plain
 * decimals (1.5, 2e3): no sign, nan, inf or hex. The coll_parse_*
 * functions return 0, -EINVAL for a malformed value (or a size that is not
 * whole bytes) or -ERANGE for one too large for the type or, where a range
 * is given, outside it.
 */
#ifndef COLL_UNITS_H
#define COLL_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int coll_parse_u32(const char *s, uint32_t *v);		/* digits only */
int coll_parse_double(const char *s, double *v);		/* finite, >= 0 */
/*
 * "1M:1G:x2" or "1M:1G:+1M" or a single size; fills up to max sizes.
 * -EINVAL for a malformed sweep, -E2BIG for more than MAX sizes.
 */
int coll_parse_sweep(const char *s, uint64_t *sizes, uint32_t max, uint32_t *n);

enum coll_qty {
	COLL_QTY_COUNT = 0,	/* a whole number, digits only */
	COLL_QTY_SIZE,		/* bytes */
	COLL_QTY_RATE,		/* bits per second */
	COLL_QTY_TIME,		/* picoseconds; a bare number is microseconds */
};

/* S as a quantity of kind Q in [LO, HI] (inclusive) into OUT; OUT is left alone on failure. */
int coll_parse_qty(enum coll_qty q, const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
/*
 * coll_parse_qty with a one-line message in ERR naming WHAT (an option, a
 * field), the value and the range, NOTE appended to the range (", or
 * 'unlimited'"; may be NULL):
 *   invalid --window 'x': expected a size like 8M (4 KiB to 16 MiB, or 'unlimited')
 *   --window 8 TiB is out of range (4 KiB to 16 MiB, or 'unlimited')
 */
int coll_parse_in(enum coll_qty q, const char *what, const char *s, uint64_t lo, uint64_t hi, const char *note,
		 uint64_t *out, char *err, size_t errlen);
/* The same for a plain number (no unit) in [LO, HI]. */
int coll_parse_double_in(const char *what, const char *s, double lo, double hi, double *out, char *err,
			size_t errlen);
/*
 * V in the largest unit not above it, exactly: "8 TiB", "1.6 Tb/s",
 * "10 us", and in the base unit when no larger one shows it exactly
 * ("1000004 B"), so that a bound is never shown rounded. With the space
 * dropped, the parser reads it back as V: every size, and rates and times
 * below 2^50 (1126 Tb/s, 19 minutes; a form like "1.5 s" goes through a
 * double, whose rounding shows beyond).
 */
void coll_fmt_qty(enum coll_qty q, uint64_t v, char *buf, size_t len);
/*
 * V for a reader, not a bound: as coll_fmt_qty where the largest unit
 * shows it exactly, else in that unit to two decimals ("4.00 TiB").
 */
void coll_fmt_qty_round(enum coll_qty q, uint64_t v, char *buf, size_t len);

/*
 * The names AT(0), AT(1), ... (until AT returns NULL) joined into BUF for
 * messages and help: SEP between them, LAST before the final one ("ring,
 * rhd or tree"). Truncated to LEN bytes with the NUL; returns BUF.
 */
const char *coll_fmt_names(const char *(*at)(uint32_t i), char *buf, size_t len, const char *sep,
			   const char *last);

/*
 * Reads one line of a text file into BUF (LEN bytes with the NUL; newline
 * and any '#' comment removed, comments may be of any length). 1 for a
 * line, 0 at the end of the file, a negative errno with the reason in
 * ERR: -EINVAL for a NUL byte (binary input such as /dev/zero) or a line
 * whose text does not fit, -EIO for a read error. Never allocates, so no
 * input can exhaust memory.
 */
int coll_read_line(FILE *f, char *buf, size_t len, char *err, size_t errlen);

#endif
