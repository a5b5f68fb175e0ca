/*
 * Pairwise all-to-all. Step 0 is the local copy of a rank's own piece; at
 * step s (1..n-1) rank r sends its piece for rank (r + s) mod n, so it
 * receives from (r - s) mod n: one peer per direction at a time, which
 * avoids the incast of posting all n - 1 sends at once. A step waits for
 * the rank's previous send and previous receive (the exchange's pacing);
 * there are no data dependencies since every piece moves exactly once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"

static int pair_send(struct coll_sched *s, const struct coll_params *p,
		     uint32_t r, uint32_t step, uint32_t *sent, uint32_t *recvd,
		     const uint32_t *prev_sent, const uint32_t *prev_recvd)
{
	uint32_t n = s->nranks, dst = (r + step) % n, deps[2], nd = 0, idx;
	struct coll_xfer x = {
		.src_rank = r, .dst_rank = dst, .op = COLL_OP_COPY,
		.step = step, .intra = coll_is_intra(p, r, dst),
	};
	int ret;

	coll_a2a_range(s, r, dst, &x.src_off_bytes, &x.dst_off_bytes, &x.bytes);
	if (!x.bytes)
		return 0;
	if (prev_sent[r] != COLL_NONE)
		deps[nd++] = prev_sent[r];
	if (prev_recvd[r] != COLL_NONE && prev_recvd[r] != prev_sent[r])
		deps[nd++] = prev_recvd[r];
	ret = coll_sched_add(s, &x, deps, nd, &idx);
	if (ret)
		return ret;
	sent[r] = idx;
	recvd[dst] = idx;
	return 0;
}

static int pairwise_build(struct coll_sched *s, const struct coll_params *p)
{
	uint32_t n = s->nranks, step, r, *mem, *sent, *recvd, *psent, *precvd;
	int ret = 0;

	s->nchannels = 1;	/* one exchange: nothing to share among channels */

	mem = malloc(4ull * n * sizeof(*mem));
	if (!mem)
		return -ENOMEM;
	sent = mem;
	recvd = mem + n;
	psent = mem + 2 * n;
	precvd = mem + 3 * n;
	memset(psent, 0xff, 2ull * n * sizeof(*mem));
	for (step = 0; step < n && !ret; step++) {
		memcpy(sent, psent, 2ull * n * sizeof(*mem));
		for (r = 0; r < n && !ret; r++)
			ret = pair_send(s, p, r, step, sent, recvd, psent, precvd);
		memcpy(psent, sent, 2ull * n * sizeof(*mem));
	}
	free(mem);
	return ret;
}

static void pairwise_estimate(const struct coll_params *p, struct coll_est *e)
{
	e->xfers = coll_mul_sat_u64(e->n, e->n);
	e->aux_bytes = coll_mul_sat_u64(e->n, 4 * sizeof(uint32_t));
}

const struct coll_algo_ops coll_algo_pairwise = {
	.name = "pairwise",
	.kinds = COLL_KIND_BIT(COLL_ALLTOALL),
	.default_for = COLL_KIND_BIT(COLL_ALLTOALL),
	.wrong_kind = "pairwise implements all-to-all only",
	.build = pairwise_build,
	.estimate = pairwise_estimate,
};
