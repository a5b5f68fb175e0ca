/*
 * Start-up agreement. Before any rank allocates a buffer or connects its
 * transport, every rank publishes a card -- the options that must agree,
 * whether it can run at all (RDMA device, output files, job checks), the
 * memory it will allocate and what its host has free -- and rank 0 sends
 * back one verdict for the whole job. So a launch mistake or a missing
 * device stops every rank at once, with one message naming the option,
 * the ranks and the values, instead of a timeout or wrong results later.
 * This file is the judging; boot.c carries the cards.
 */
#ifndef VB_START_H
#define VB_START_H

#include <stdint.h>

#include "verbs/exec.h"
#include "verbs/opts.h"

/* Changes with the card layout: other builds are told apart, not misread. */
#define VB_START_MAGIC 0xfab05702u
/*
 * A rank that already knows it cannot run waits this long at most for the
 * others to join, so that they learn why from it instead of timing out.
 */
#define VB_START_GRACE_S 2

struct vb_start_card {
	uint32_t magic;
	uint32_t rank;
	uint32_t nranks;
	int32_t status;			/* 0 ready, else the exit code it fails with */
	struct vb_mem_need need;	/* see vb_opts_memory */
	uint64_t avail_bytes;		/* free memory of its host; 0: unknown */
	char host[VB_HOST_LEN];
	char err[VB_ERR_LEN];		/* why it cannot run */
	char opts[VB_OPTS_DESC_LEN];	/* vb_opts_describe */
};

enum vb_verdict_kind {
	VB_VERDICT_GO = 0,
	VB_VERDICT_STATUS,		/* RANK cannot run; its card says why */
	VB_VERDICT_OPTIONS,		/* options differ */
	VB_VERDICT_LAUNCH,		/* --nranks, duplicate --rank, never joined */
	VB_VERDICT_MEMORY,
};

struct vb_start_verdict {
	uint32_t magic;
	int32_t code;			/* exit code for the ranks that were ready */
	int32_t rank;			/* the rank at fault; -1: none */
	uint32_t kind;			/* enum vb_verdict_kind */
	char msg[VB_ERR_LEN];
};

/* A ready card for RANK of NRANKS on HOST with options O. */
void vb_start_card_init(struct vb_start_card *c, const struct vb_opts *o,
			uint32_t rank, uint32_t nranks, const char *host);
/* Marks C as unable to run, exiting with CODE, for the reason given. */
void vb_start_card_fail(struct vb_start_card *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void vb_start_verdict_init(struct vb_start_verdict *v);
/* Sets V (once: the first failure found is the verdict); returns CODE. */
int vb_start_verdict_set(struct vb_start_verdict *v, int code, int rank,
			 enum vb_verdict_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Judges CARD against rank 0's ROOT: its options first (a difference is
 * the likelier cause of anything else), then whether it can run. Returns
 * 0, or the exit code with V set.
 */
int vb_start_check(const struct vb_start_card *root,
		   const struct vb_start_card *card, struct vb_start_verdict *v);
/*
 * Per host: the memory all its ranks need against what it has free.
 * Returns 0, or the exit code (1) with V set.
 */
int vb_start_check_memory(const struct vb_start_card *cards, uint32_t n,
			  struct vb_start_verdict *v);
/* The whole job from all N cards (index = rank): checks, then memory. */
int vb_start_judge(const struct vb_start_card *cards, uint32_t n,
		   struct vb_start_verdict *v);

/*
 * Memory this process could still get: coll_mem_available_bytes (as
 * fabsim's memory guard sees it), capped by the room under the tightest
 * memory cgroup limit (v2 or v1) when there is one. 0 when unknown.
 */
uint64_t vb_mem_avail_bytes(void);

#endif /* VB_START_H */
