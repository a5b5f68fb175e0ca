/*
 * Broadcast and reduce as NCCL runs them (ncclFuncBroadcast/ncclFuncReduce
 * on the ring algorithm): a chain along the ring that starts (broadcast) or
 * ends (reduce) at the root, pipelined in chunks like the ring all-reduce,
 * so that every link of the chain carries S once (busbw factor 1).
 * Broadcast: the root sends each chunk to root + 1, which forwards it to
 * root + 2, ... up to root - 1 (copies). Reduce: root + 1 sends its data to
 * root + 2, which adds it to its own and forwards the sum, ... up to the
 * root (reduces). Each channel carries its share of the buffer; besides the
 * data a hop waits for the previous chunk on its link (NCCL's FIFO).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"

static int chain_build(struct coll_sched *s, const struct coll_params *p)
{
	uint32_t n = s->nranks, nch = s->nchannels, nk, k, c, h, idx, *prev;
	uint64_t elems = p->bytes / p->elem_bytes, radix[2];
	bool bcast = p->kind == COLL_BROADCAST;
	/* broadcast: hop h is root + h -> root + h + 1; reduce: one further */
	uint32_t first = bcast ? p->root : (p->root + 1) % n;
	struct coll_ctx x;
	int ret;

	nk = coll_nchunks(p, coll_div_up(elems, nch), 1);
	radix[0] = nch;
	radix[1] = nk;
	ret = coll_ctx_init(&x, s, p, radix, 2);
	if (ret)
		return ret;
	prev = malloc(((uint64_t)nch * n + 1) * sizeof(*prev));
	if (!prev) {
		coll_ctx_fini(&x);
		return -ENOMEM;
	}
	memset(prev, 0xff, ((uint64_t)nch * n + 1) * sizeof(*prev));
	/* chunk-major, so that the channels' chains run side by side */
	for (k = 0; k < nk && !ret; k++) {
		for (c = 0; c < nch && !ret; c++) {
			for (h = 0; h + 1 < n && !ret; h++) {
				struct coll_piece pc = {
					.src = (first + h) % n,
					.dst = (first + h + 1) % n,
					.lo = c * nk + k,
					.hi = c * nk + k + 1,
					.channel = c,
					.step = h,
					.op = bcast ? COLL_OP_COPY : COLL_OP_REDUCE,
				};
				uint32_t *link = &prev[(uint64_t)c * n + h];

				ret = coll_emit(&x, &pc, *link, &idx);
				if (!ret && idx != COLL_NONE)
					*link = idx;
			}
		}
	}
	free(prev);
	coll_ctx_fini(&x);
	return ret;
}

static void chain_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t k = p->elem_bytes ? coll_nchunks(p, coll_div_up(e->elems, e->nch), 1) : 1;

	e->xfers = coll_est_mul3(e->nch, k, e->n > 1 ? e->n - 1 : 1);
	e->atoms = coll_mul_sat_u64(e->nch, k);
	e->aux_bytes = coll_est_mul3(e->nch, e->n + 1, sizeof(uint32_t));
}

const struct coll_algo_ops coll_algo_chain = {
	.name = "chain",
	.kinds = COLL_KIND_BIT(COLL_BROADCAST) | COLL_KIND_BIT(COLL_REDUCE),
	.default_for = COLL_KIND_BIT(COLL_BROADCAST) | COLL_KIND_BIT(COLL_REDUCE),
	.chunked = true,
	.wrong_kind = "chain implements broadcast and reduce only",
	.build = chain_build,
	.estimate = chain_estimate,
};
