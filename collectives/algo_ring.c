/*
 * Ring collectives. Every channel runs the same ring (rank order 0 -> 1 ->
 * ... -> n-1 -> 0) on its own share of the data; channels are independent,
 * which is what lets a fabric spread them over paths. Within a channel the
 * data is cut into chunks that are pipelined around the ring.
 *
 * allreduce: share -> chunk -> ring block (NCCL's loop: each chunk is one
 * reduce-scatter plus all-gather over n blocks), 2n(n-1) transfers a chunk.
 * allgather/reducescatter: rank block -> share -> chunk, so that rank r's
 * input (or result) stays one contiguous block r of the buffer.
 */
#include <errno.h>
#include <stdlib.h>

#include "collectives/algo.h"

static int ring_allreduce(struct coll_ctx *x, const uint32_t *members)
{
	const struct coll_sched *s = x->s;
	uint64_t elems = s->bytes / s->elem_bytes;
	uint32_t n = s->nranks, nch = s->nchannels, c;
	uint32_t k = coll_nchunks(x->p, coll_div_up(elems, nch), n);
	uint64_t radix[] = { nch, k, n };
	struct coll_ring r = {
		.members = members, .m = n, .stride_b = 1, .stride_k = n,
		.width = 1, .nchunks = k, .rs = true, .ag = true,
	};
	int ret;

	ret = coll_ctx_init(x, x->s, x->p, radix, 3);
	for (c = 0; c < nch && !ret; c++) {
		r.channel = c;
		r.base = c * k * n;
		ret = coll_ring_run(x, &r);
	}
	return ret;
}

static int ring_blocks(struct coll_ctx *x, const uint32_t *members, bool rs)
{
	const struct coll_sched *s = x->s;
	uint64_t elems = s->bytes / s->elem_bytes;
	uint32_t n = s->nranks, nch = s->nchannels, c;
	uint32_t k = coll_nchunks(x->p, coll_div_up(elems, (uint64_t)n * nch), 1);
	uint64_t radix[] = { n, nch, k };
	struct coll_ring r = {
		.members = members, .m = n, .stride_b = nch * k, .stride_k = 1,
		.width = 1, .nchunks = k, .rs = rs, .ag = !rs,
	};
	int ret;

	ret = coll_ctx_init(x, x->s, x->p, radix, 3);
	for (c = 0; c < nch && !ret; c++) {
		r.channel = c;
		r.base = c * k;
		ret = coll_ring_run(x, &r);
	}
	return ret;
}

static int ring_build(struct coll_sched *s, const struct coll_params *p)
{
	struct coll_ctx x = { 0 };
	uint32_t *members, i;
	int ret;

	members = malloc((size_t)s->nranks * sizeof(*members));
	if (!members)
		return -ENOMEM;
	for (i = 0; i < s->nranks; i++)
		members[i] = i;
	x.s = s;
	x.p = p;
	if (s->kind == COLL_ALLREDUCE)
		ret = ring_allreduce(&x, members);
	else
		ret = ring_blocks(&x, members, s->kind == COLL_REDUCESCATTER);
	coll_ctx_fini(&x);
	free(members);
	return ret;
}

static void ring_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t n = e->n, nch = e->nch, k;

	if (p->kind == COLL_ALLREDUCE) {
		k = coll_nchunks(p, coll_div_up(e->elems, nch), n);
		e->xfers = coll_est_mul3(coll_est_mul3(nch, k, n), 2, n - 1);
	} else {
		k = coll_nchunks(p, coll_div_up(e->elems, coll_mul_sat_u64(n, nch)), 1);
		e->xfers = coll_est_mul3(coll_est_mul3(nch, k, n), 1, n - 1);
	}
	e->atoms = coll_est_mul3(nch, k, n);
	/* ring members and the previous transfer of each (step, member) */
	e->aux_bytes = coll_add_sat_u64(coll_mul_sat_u64(n, 4), coll_est_mul3(2 * sizeof(uint32_t), n, n));
}

const struct coll_algo_ops coll_algo_ring = {
	.name = "ring",
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE) | COLL_KIND_BIT(COLL_ALLGATHER) |
		 COLL_KIND_BIT(COLL_REDUCESCATTER),
	.default_for = COLL_KIND_BIT(COLL_ALLREDUCE) | COLL_KIND_BIT(COLL_ALLGATHER) |
		       COLL_KIND_BIT(COLL_REDUCESCATTER),
	.chunked = true,
	.wrong_kind = "ring does not implement alltoall (use pairwise)",
	.build = ring_build,
	.estimate = ring_estimate,
};
