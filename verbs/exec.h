/*
 * Transport-independent executor of a per-rank plan, and the small ops
 * table a transport (tcp.c, ib.c) fills in.
 *
 * A transport moves numbered chunks: per ordered pair of ranks there is one
 * stream, chunk SEQ of which lands in receive slot SEQ % depth on the peer.
 * The sender may only post chunk SEQ once the receiver released SEQ - depth
 * (credits), so data not yet reduced is never overwritten. Streams continue
 * across iterations and plans: tx_base/rx_base say where the next plan's
 * chunk 0 sits in each stream.
 *
 * The executor posts a SEND op once its local deps are done, applies a
 * RECV op's chunks (copy or coll_reduce from the slot into the buffer) once
 * its deps are done and the chunk arrived, and runs LOCAL ops in place. Per
 * peer, sends and receives proceed in schedule order, which is what keeps
 * credits from deadlocking: the oldest unfinished transfer of the whole
 * schedule always heads its pair's FIFO, and its deps are all done.
 */
#ifndef VB_EXEC_H
#define VB_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectives/reduce.h"
#include "verbs/plan.h"

#define VB_HOST_LEN 64
#define VB_ERR_LEN 512

struct vb_tr;

struct vb_tr_ops {
	/*
	 * Posts chunk SEQ of the stream to PEER, read from BUF. SIGNAL: the
	 * caller waits for this chunk's completion (sent() passing it).
	 * Returns 0, -EAGAIN (no credit or queue room: progress, then retry)
	 * or another negative errno with tr->err set.
	 */
	int (*post)(struct vb_tr *tr, uint32_t peer, uint64_t seq,
		    const void *buf, uint64_t bytes, bool signal);
	/* Chunks of the stream to PEER whose source may be overwritten. */
	uint64_t (*sent)(struct vb_tr *tr, uint32_t peer);
	/* Chunk SEQ from PEER once it has fully arrived, else NULL. */
	const void *(*peek)(struct vb_tr *tr, uint32_t peer, uint64_t seq);
	/* Chunk SEQ from PEER is consumed; its slot may be refilled. */
	int (*release)(struct vb_tr *tr, uint32_t peer, uint64_t seq);
	/*
	 * Moves data. May wait up to WAIT_MS when nothing happens. Returns
	 * the number of things that happened, or a negative errno with
	 * tr->err set (a peer failed: tr->failed_peer names it).
	 */
	int (*progress)(struct vb_tr *tr, int wait_ms);
	/* Optional: BUF will be a source of posts (RDMA registers it once). */
	int (*reg)(struct vb_tr *tr, void *buf, uint64_t bytes);
	void (*destroy)(struct vb_tr *tr);
};

struct vb_tr {
	const struct vb_tr_ops *ops;
	uint32_t rank;
	uint32_t nranks;
	uint32_t depth;			/* slots per peer */
	uint64_t slot_bytes;
	const char (*hosts)[VB_HOST_LEN];	/* [nranks], not owned */
	uint64_t *tx_base;		/* [nranks] next plan's chunk 0 */
	uint64_t *rx_base;
	int failed_peer;		/* -1 or the rank that failed us */
	char err[VB_ERR_LEN];
};

/* Common fields; 0 or -ENOMEM. */
int vb_tr_init(struct vb_tr *tr, const struct vb_tr_ops *ops, uint32_t rank,
	       uint32_t nranks, uint32_t depth, uint64_t slot_bytes,
	       const char (*hosts)[VB_HOST_LEN]);
void vb_tr_fini(struct vb_tr *tr);
/* Sets tr->err ("peer rank P (host) ...") and failed_peer; returns ret. */
int vb_tr_fail(struct vb_tr *tr, int peer, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

enum vb_op_state {
	VB_OP_IDLE = 0,
	VB_OP_STARTED,			/* deps done; chunks moving */
	VB_OP_POSTED,			/* SEND: every chunk posted */
	VB_OP_DONE,
};

struct vb_exec {
	const struct vb_plan *plan;
	struct vb_tr *tr;
	uint8_t *buf;			/* in place the data, out of place the output */
	const uint8_t *in;		/* out of place: the input (vb_exec_set_input); else NULL */
	enum coll_dtype dtype;
	enum coll_redop redop;
	uint32_t elem_bytes;
	uint32_t timeout_ms;
	uint8_t *state;			/* [nops] enum vb_op_state */
	uint32_t *chunks_done;		/* [nops] posted (SEND) or applied */
	uint32_t *send_head;		/* [nranks] next op to post */
	uint32_t *send_tail;		/* [nranks] oldest SEND not done */
	uint32_t *recv_head;
	uint32_t *locals;		/* LOCAL op indices */
	uint32_t nlocals;
	uint32_t local_head;		/* all LOCAL ops before it are done */
	uint32_t ndone;
};

int vb_exec_init(struct vb_exec *e, const struct vb_plan *p, struct vb_tr *tr,
		 void *buf, enum coll_dtype dtype, enum coll_redop redop,
		 uint32_t timeout_s);
/*
 * Out of place: IN is the input buffer, never written; ops flagged
 * COLL_OOP_SRC_IN read it, COLL_OOP_DST_IN reduces write buf = IN (+) src.
 * A plan with such flags needs it.
 */
void vb_exec_set_input(struct vb_exec *e, const void *in);
/*
 * Runs ITERS back-to-back iterations of the plan. Returns 0 or a negative
 * errno with the reason in ERR (one line, naming the peer when one is at
 * fault).
 */
int vb_exec_run(struct vb_exec *e, uint32_t iters, char *err, size_t err_len);
void vb_exec_fini(struct vb_exec *e);

/*
 * The loop vb_exec_run drives, for callers that interleave several ranks
 * in one thread (tests): begin an iteration, step until done, end it.
 * vb_exec_step returns how many things moved, or a negative errno.
 */
void vb_exec_begin(struct vb_exec *e);
int vb_exec_step(struct vb_exec *e);
bool vb_exec_done(const struct vb_exec *e);
void vb_exec_end(struct vb_exec *e);

/* Monotonic seconds. */
double vb_now(void);
/*
 * Waits until FD is ready for EVENTS (poll's POLLIN, POLLOUT) or DEADLINE
 * (vb_now() seconds) passes; signals do not extend the wait. Returns 0,
 * -ETIMEDOUT, or another negative errno.
 */
int vb_wait_fd(int fd, short events, double deadline);

#endif /* VB_EXEC_H */
