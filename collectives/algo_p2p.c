/*
 * sendrecv as nccl-tests runs it: every rank r sends its S bytes to rank
 * r + 1 and receives S bytes from rank r - 1 at the same time (ncclSend and
 * ncclRecv in one group). One transfer per rank and channel share, cut in
 * chunks as the rings are; a chunk waits for the previous one on its link
 * (NCCL's FIFO), nothing else, since every byte moves once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"

static int p2p_build(struct coll_sched *s, const struct coll_params *p)
{
	uint32_t n = s->nranks, nch = s->nchannels, nk, k, c, r, idx, *prev;
	uint64_t elems = p->bytes / p->elem_bytes, e = p->elem_bytes;
	int ret = 0;

	nk = coll_nchunks(p, coll_div_up(elems, nch), 1);
	prev = malloc((uint64_t)n * sizeof(*prev));
	if (!prev)
		return -ENOMEM;
	memset(prev, 0xff, (uint64_t)n * sizeof(*prev));
	for (k = 0; k < nk && !ret; k++) {
		for (c = 0; c < nch && !ret; c++) {
			uint64_t coff, clen, off, len;

			coll_split(elems, nch, c, &coff, &clen);
			coll_split(clen, nk, k, &off, &len);
			for (r = 0; r < n && len && !ret; r++) {
				uint32_t dst = (r + 1) % n;
				struct coll_xfer x = {
					.src_rank = r, .dst_rank = dst,
					.src_off_bytes = (coff + off) * e,
					.dst_off_bytes = s->bytes + (coff + off) * e,
					.bytes = len * e, .channel = c, .step = 0,
					.op = COLL_OP_COPY, .intra = coll_is_intra(p, r, dst),
				};

				x.pxn = coll_is_pxn(p, r, dst, x.intra);
				ret = coll_sched_add(s, &x, &prev[r], prev[r] != COLL_NONE, &idx);
				prev[r] = idx;
			}
		}
	}
	free(prev);
	return ret;
}

static void p2p_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t k = p->elem_bytes ? coll_nchunks(p, coll_div_up(e->elems, e->nch), 1) : 1;

	e->xfers = coll_est_mul3(e->nch, k, e->n);
	e->atoms = 0;
	e->aux_bytes = coll_mul_sat_u64(e->n, sizeof(uint32_t));
}

const struct coll_algo_ops coll_algo_p2p = {
	.name = "p2p",
	.kinds = COLL_KIND_BIT(COLL_SENDRECV),
	.default_for = COLL_KIND_BIT(COLL_SENDRECV),
	.chunked = true,
	.wrong_kind = "p2p implements sendrecv only",
	.build = p2p_build,
	.estimate = p2p_estimate,
};
