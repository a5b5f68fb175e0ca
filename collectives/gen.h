/*
 * Collective schedules generated as they run.
 *
 * A materialized schedule (sched.h) holds every transfer and dependency
 * at once: fine for fabbench and for thousands of ranks, too much for a
 * 100,000-rank job (millions of transfers before time 0). A generator
 * describes the same partial order as functions of a transfer's 64-bit id:
 * what it moves (xfer), how many transfers it waits for (ndeps) and which
 * transfers wait for it (succ). A consumer (the simulator's collective
 * driver) starts from the roots and, each time a transfer completes, asks
 * for its successors and counts down their dependencies: it only ever holds
 * the transfers in flight and the ones with some but not all dependencies
 * done. Nothing here is proportional to ranks x atoms.
 *
 * Contracts (every generator; tests/test_coll_gen.c checks them):
 *  - ids are 0 .. count - 1; a transfer's dependencies all have lower ids,
 *    so ascending id order is a topological order;
 *  - succ(id) lists, in ascending order, exactly the transfers whose
 *    dependencies include id; ndeps(id) is how many list id among them
 *    (each dependency counted once);
 *  - roots enumerates, ascending, exactly the ids with ndeps == 0;
 *  - every function is pure: same generator, same id, same answer, so a
 *    run stays a function of its inputs;
 *  - materialized with coll_gen_materialize, the schedule passes the
 *    symbolic checker (check.c) as a built one does.
 * A generator for an algorithm without its own (struct coll_algo_ops.gen
 * NULL) wraps a built schedule (coll_gen_from_sched): same interface,
 * memory of the eager schedule.
 */
#ifndef COLL_GEN_H
#define COLL_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "collectives/sched.h"

struct coll_gen;

struct coll_gen_ops {
	/* Transfers in the schedule. */
	uint64_t (*count)(const struct coll_gen *g);
	/* Transfer ID (< count) into X; X's dep_first and ndeps are left 0. */
	void (*xfer)(const struct coll_gen *g, uint64_t id, struct coll_xfer *x);
	/* How many transfers ID waits for. */
	uint32_t (*ndeps)(const struct coll_gen *g, uint64_t id);
	/*
	 * The successors of ID in ascending order, from the FROM-th on: up to
	 * MAX into OUT; returns how many were written (fewer than MAX: no more).
	 */
	uint32_t (*succ)(const struct coll_gen *g, uint64_t id, uint32_t from, uint64_t *out, uint32_t max);
	/*
	 * Roots (ndeps == 0) in ascending order, from *CURSOR on (0 at the
	 * start): up to MAX into OUT, *CURSOR advanced past them; returns how
	 * many were written (0: no more).
	 */
	uint32_t (*roots)(const struct coll_gen *g, uint64_t *cursor, uint64_t *out, uint32_t max);
	/* Releases PRIV. May be NULL. */
	void (*free)(struct coll_gen *g);
};

struct coll_gen {
	const struct coll_gen_ops *ops;
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t nranks;
	uint32_t nchannels;	/* channels actually used, as coll_sched.nchannels */
	uint32_t gpus_per_server;
	uint8_t pxn;
	uint32_t elem_bytes;
	uint64_t bytes;		/* S, the nccl-tests size */
	uint64_t buf_bytes;	/* per-rank buffer footprint */
	void *priv;		/* the generator's own state, O(ranks) at most */
	char err[224];		/* why coll_gen_create failed */
};

/*
 * A generator for P: the algorithm's own (lazy) when it has one, else a
 * wrapper around coll_build's schedule. 0, or a negative errno with the
 * reason in G->err (-EINVAL: bad params, as coll_params_error; -E2BIG,
 * -ENOMEM). coll_gen_free releases it.
 */
int coll_gen_create(struct coll_gen *g, const struct coll_params *p);
/* Wraps S (which must outlive G and not change): for tests and fabbench-style consumers. */
void coll_gen_from_sched(struct coll_gen *g, const struct coll_sched *s);
void coll_gen_free(struct coll_gen *g);

/*
 * Every transfer of G, in id order, with its dependencies, into S
 * (initialised): 0, -E2BIG, -ENOMEM. What coll_build makes for an
 * algorithm whose schedule is defined by its generator.
 */
int coll_gen_materialize(const struct coll_gen *g, struct coll_sched *s);

/*
 * A succ page from a generator's whole list ALL of N successors: from the
 * FROM-th, up to MAX into OUT; how many were written.
 */
static inline uint32_t coll_gen_page(const uint64_t *all, uint32_t n, uint32_t from, uint64_t *out, uint32_t max)
{
	uint32_t i;

	for (i = 0; from + i < n && i < max; i++)
		out[i] = all[from + i];
	return i;
}

static inline uint64_t coll_gen_count(const struct coll_gen *g)
{
	return g->ops->count(g);
}

#endif /* COLL_GEN_H */
