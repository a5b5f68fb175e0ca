/*
 * Per-rank execution plan: what one rank does of a collective schedule.
 *
 * Every transfer that involves the rank becomes one op: SEND (it is the
 * source), RECV (the destination) or LOCAL (both). An op's local deps are
 * the ops of this rank that must be complete before it starts: walking the
 * schedule's deps backwards and stopping at the first transfer that
 * involves this rank on each path. That is enough because that transfer's
 * own op waited for its predecessors here in turn, and transfers of other
 * ranks are ordered by the data they send us. The schedule checker proves
 * every conflicting access pair on a rank's buffer is ordered by deps, and
 * both accesses are ops of that rank, so these local deps order them.
 *
 * Sends and receives form one FIFO per peer in schedule order, cut into
 * chunks of at most chunk_bytes; both ends derive the same chunk sequence,
 * so a chunk is named by its position in the pair's stream alone.
 *
 * Out of place (coll_sched_oop): each op carries its transfer's flags (read
 * the input buffer; reduce input and incoming data into the output), and
 * the rank's final local copies input -> output are LOCAL ops without a
 * transfer (xfer COLL_NONE) or deps: no transfer touches those bytes.
 */
#ifndef VB_PLAN_H
#define VB_PLAN_H

#include <stdint.h>

#include "collectives/sched.h"

enum vb_role {
	VB_ROLE_SEND = 0,
	VB_ROLE_RECV,
	VB_ROLE_LOCAL,
};

struct vb_op {
	uint32_t xfer;			/* index in the schedule */
	uint32_t peer;			/* the other rank; self for LOCAL */
	uint8_t role;			/* enum vb_role */
	uint8_t op;			/* enum coll_op */
	uint8_t flags;			/* out of place: enum coll_oop_flag bits */
	uint64_t src_off_bytes;
	uint64_t dst_off_bytes;
	uint64_t bytes;
	uint64_t first_chunk;		/* position in the peer stream */
	uint32_t nchunks;
	uint32_t dep_first;		/* local deps: plan->deps[dep_first, +ndeps) */
	uint32_t ndeps;
};

struct vb_plan {
	uint32_t rank;
	uint32_t nranks;
	uint64_t chunk_bytes;		/* whole elements */
	uint32_t nops;
	struct vb_op *ops;
	uint32_t ndeps;
	uint32_t *deps;			/* op indices, each below the op's own */
	/* ops to/from peer p: send_ops[send_first[p], send_first[p + 1]) */
	uint32_t *send_first;
	uint32_t *send_ops;
	uint32_t *recv_first;
	uint32_t *recv_ops;
	uint64_t *send_chunks;		/* [nranks] chunks per peer stream */
	uint64_t *recv_chunks;
	uint64_t tx_bytes;		/* bytes this rank puts on the network */
};

/*
 * Builds RANK's plan of S with chunks of at most CHUNK_BYTES (rounded down
 * to whole elements, at least one). Returns 0, -EINVAL or -ENOMEM.
 */
int vb_plan_build(struct vb_plan *p, const struct coll_sched *s, uint32_t rank,
		  uint64_t chunk_bytes);
/* The same out of place, with S's annotation OOP (coll_sched_oop). */
int vb_plan_build_oop(struct vb_plan *p, const struct coll_sched *s, uint32_t rank,
		      uint64_t chunk_bytes, const struct coll_oop *oop);
void vb_plan_free(struct vb_plan *p);

/* Bytes of chunk I of OP (chunks are full-size but the last). */
static inline uint64_t vb_chunk_bytes(const struct vb_plan *p,
				      const struct vb_op *op, uint32_t i)
{
	uint64_t off = (uint64_t)i * p->chunk_bytes;

	return op->bytes - off < p->chunk_bytes ? op->bytes - off : p->chunk_bytes;
}

static inline const uint32_t *vb_op_deps(const struct vb_plan *p,
					 const struct vb_op *op)
{
	return p->deps + op->dep_first;
}

#endif /* VB_PLAN_H */
