/*
 * Parsing of the quantities users type: sizes in binary units (8M = 8 MiB,
 * as nccl-tests), rates in decimal bits per second (800G), times (2us).
 * Each returns 0 on success, -1 on a malformed value.
 */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include <stdint.h>

int sim_parse_size(const char *s, uint64_t *bytes);
int sim_parse_rate(const char *s, uint64_t *bps);
int sim_parse_time(const char *s, uint64_t *ps);	/* bare number: microseconds */
int sim_parse_u32(const char *s, uint32_t *v);
/* "1M:1G:x2" or "1M:1G:+1M" or a single size; fills up to max sizes. */
int sim_parse_sweep(const char *s, uint64_t *sizes, uint32_t max, uint32_t *n);
void sim_fmt_size(uint64_t bytes, char *buf, unsigned len);

#endif
