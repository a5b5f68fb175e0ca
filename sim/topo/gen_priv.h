/*
 * What the generators (gen_*.c) share: parameter checks with messages in
 * the loader's words, the size check that runs before anything is
 * allocated, and the last steps of a build. Internal to sim/topo/.
 */
#ifndef SIM_TOPO_GEN_PRIV_H
#define SIM_TOPO_GEN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/topo/gen.h"

#define GEN_MAX_NODES (UINT32_MAX - 1ULL)	/* node ids are 32-bit, SIM_NONE reserved */
#define GEN_MAX_LINKS (UINT32_MAX / 4ULL)	/* port indices are 32-bit, see topo.c */

/* What a generated fabric will hold, checked before anything is allocated. */
struct gen_size {
	uint64_t hosts, switches, links;	/* over all planes */
	const char *role[3];			/* switch roles, "leaf", ... */
	uint64_t radix[3];			/* ports of the fullest switch of a role */
	const char *why[3];			/* the keys its ports add up from */
};

static inline uint64_t gen_mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static inline uint64_t gen_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline uint64_t gen_div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* Writes the message into ERR and returns RET (a negative errno). */
int gen_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 0, or -EINVAL and "'KEY' = V is out of range (expected MIN..MAX)". */
int gen_range(const char *key, uint64_t v, uint64_t min, uint64_t max, char *err, size_t errlen);

/* Checks the rates and planes of IN and copies it with the defaults applied. */
int gen_common(const struct sim_clos_common *in, struct sim_clos_common *out, char *err,
	       size_t errlen);

/*
 * The spine count: SPINES (0..SIM_GEN_MAX_COUNT) or, when OVERSUB > 0, the
 * count that ratio gives for DOWN_BPS per leaf; not both.
 */
int gen_spines(uint32_t spines, double oversub, double down_bps, const struct sim_clos_common *c,
	       uint32_t links_per_spine, uint32_t *out, char *err, size_t errlen);

/*
 * Rules between two parameters, shared with the loader (which reports them
 * at the line of the key named first in the message):
 * HOSTS of at most CAP on leaves of PER_LEAF must leave no leaf empty;
 * HOSTS of at most PODS x POD_HOSTS no pod; SERVERS in LEAVES_PER_RAIL
 * blocks of *SPL (set) no leaf of a rail.
 */
int gen_leaf_hosts(uint64_t hosts, uint64_t cap, uint32_t per_leaf, char *err, size_t errlen);
int gen_pod_hosts(uint64_t hosts, uint64_t pods, uint64_t pod_hosts, char *err, size_t errlen);
int gen_rail_blocks(uint32_t servers, uint32_t leaves_per_rail, uint32_t *spl, char *err,
		    size_t errlen);

/* Ports per switch role, ids and memory: -E2BIG or -ENOMEM with the reason. */
int gen_check_size(const struct gen_size *z, char *err, size_t errlen);

/*
 * After the links were added (ADD_RET: the first sim_topo_add_link error or
 * 0): finalizes T into *OUT, or frees it and says why.
 */
int gen_finish(struct sim_topo *t, int add_ret, struct sim_topo **out, char *err, size_t errlen);

/* The message when sim_topo_create() fails. */
int gen_nomem(char *err, size_t errlen);

#endif
