/*
 * Internal to collectives/: the shared machinery the algorithm builders use.
 *
 * A builder first cuts each rank's buffer into "atoms": a mixed-radix split
 * (e.g. channel x chunk x ring block) done at element granularity, so every
 * transfer any phase of the algorithm makes covers a contiguous run of atoms.
 * coll_emit then derives a transfer's data dependencies from a table of the
 * last transfer that wrote each (rank, atom): the writer of what it reads
 * (read after write) and the writer of what it overwrites (write after
 * write). Algorithms only add ordering the data does not imply, such as the
 * previous chunk on the same link.
 */
#ifndef COLL_ALGO_H
#define COLL_ALGO_H

#include <stdbool.h>
#include <stdint.h>

#include "collectives/arith.h"
#include "collectives/sched.h"

#define COLL_MAX_LEVELS 4

struct coll_ctx {
	struct coll_sched *s;
	const struct coll_params *p;
	uint32_t natoms;
	uint64_t *atom_off;	/* bytes */
	uint64_t *atom_len;	/* bytes */
	uint32_t *last;		/* [rank * natoms + atom]: last writer or NONE */
	uint32_t *scratch;	/* deps being gathered: 2 * natoms + 1 */
};

/* A transfer of atoms [lo, hi) at the same offset on both ranks. */
struct coll_piece {
	uint32_t src;
	uint32_t dst;
	uint32_t lo;
	uint32_t hi;
	uint32_t channel;
	uint32_t step;
	uint8_t op;
};

/*
 * One ring instance: members[p] sends to members[p + 1]. Ring block b of
 * chunk k is atoms [base + b * stride_b + k * stride_k, + width). The
 * reduce-scatter leaves member p owning block p; the all-gather starts from
 * member p owning block p.
 */
struct coll_ring {
	const uint32_t *members;
	/* ring block b is block blocks[b] of the atom layout; NULL: b itself */
	const uint32_t *blocks;
	uint32_t m;		/* members */
	uint32_t base, stride_b, stride_k, width;	/* atoms */
	uint32_t nchunks;
	uint32_t channel;
	uint32_t step0;		/* step number of the first ring step */
	bool rs;		/* run the reduce-scatter half */
	bool ag;		/* run the all-gather half */
};

static inline void coll_split(uint64_t total, uint64_t parts, uint64_t i,
			      uint64_t *off, uint64_t *len)
{
	uint64_t q = total / parts, r = total % parts;

	*off = i * q + (i < r ? i : r);
	*len = q + (i < r);
}

static inline uint64_t coll_div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

bool coll_is_intra(const struct coll_params *p, uint32_t a, uint32_t b);
/* Whether SRC -> DST goes through PXN under P (struct coll_xfer.pxn): coll_emit's rule, and the generators'. */
bool coll_is_pxn(const struct coll_params *p, uint32_t src, uint32_t dst, bool intra);

/* How many of the cyclic run START, START + 1, ... (LEN values mod N) are < J. */
static inline uint64_t coll_cyclic_below(uint64_t start, uint64_t len, uint64_t j, uint64_t n)
{
	uint64_t end = start + len, hi = end < n ? end : n, c = 0;

	if (j > start)
		c += (j < hi ? j : hi) - start;
	if (end > n)
		c += j < end - n ? j : end - n;
	return c;
}
/* Chunks so that a chunk of ELEMS elements split in PARTS fits chunk_bytes. */
uint32_t coll_nchunks(const struct coll_params *p, uint64_t elems, uint64_t parts);

int coll_ctx_init(struct coll_ctx *x, struct coll_sched *s,
		  const struct coll_params *p, const uint64_t *radix,
		  unsigned int nlevels);
void coll_ctx_fini(struct coll_ctx *x);
/* *idx is COLL_NONE when the piece is empty and nothing was added. */
int coll_emit(struct coll_ctx *x, const struct coll_piece *pc,
	      uint32_t extra_dep, uint32_t *idx);
int coll_ring_run(struct coll_ctx *x, const struct coll_ring *r);

/*
 * An algorithm's estimate hook (struct coll_algo_ops) reads the inputs and
 * sets the bounds; all of it saturates (coll_mul_sat_u64, coll_est_mul3).
 */
struct coll_est {
	/* inputs: nranks, nchannels and elements of P, 0 read as 1 for the first two */
	uint64_t n, nch, elems;
	/* bounds */
	uint64_t xfers;
	uint64_t atoms;		/* per rank */
	uint64_t aux_bytes;	/* per-rank arrays of the builder */
};

static inline uint64_t coll_est_mul3(uint64_t a, uint64_t b, uint64_t c)
{
	return coll_mul_sat_u64(coll_mul_sat_u64(a, b), c);
}

/* 0, or -E2BIG / -ENOMEM with s->err set: the schedule P asks for is too large. */
int coll_build_guard(struct coll_sched *s, const struct coll_params *p);

/* Tree shape, exposed for tests: parent of each rank, COLL_NONE at root. */
void coll_tree_parents(uint32_t nranks, unsigned int tree, uint32_t *parent);

#endif /* COLL_ALGO_H */
