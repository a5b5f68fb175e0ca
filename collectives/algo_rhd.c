/*
 * Recursive halving-doubling all-reduce (Rabenseifner): a reduce-scatter by
 * recursive halving over the n2 = 2^floor(log2 n) "core" ranks, then an
 * all-gather by recursive doubling. The n - n2 extra ranks are folded in
 * first (extra rank n2 + i reduces its whole share into rank i) and get the
 * result copied back last, the standard treatment of non-powers of two.
 *
 * Atoms: share -> n2 blocks. At every halving step a rank keeps the half of
 * its current block range that its bit selects and sends the other half;
 * rank r ends owning block r. Channels run the same pattern on their shares.
 * Dependencies are the data ones (last writers); chunk_bytes is not used:
 * the exchanges are not pipelined.
 */
#include <errno.h>
#include <stdlib.h>

#include "collectives/algo.h"

struct rhd {
	struct coll_ctx *x;
	uint32_t n2;		/* core ranks */
	uint32_t extra;		/* folded ranks: n2 .. n2 + extra - 1 */
	uint32_t *lo, *hi;	/* current block range of each core rank */
};

static int fold(struct rhd *h, uint32_t c, bool in, uint32_t step)
{
	struct coll_piece pc = {
		.channel = c, .step = step,
		.lo = c * h->n2, .hi = (c + 1) * h->n2,
		.op = in ? COLL_OP_REDUCE : COLL_OP_COPY,
	};
	uint32_t i, idx;
	int ret;

	for (i = 0; i < h->extra; i++) {
		pc.src = in ? h->n2 + i : i;
		pc.dst = in ? i : h->n2 + i;
		ret = coll_emit(h->x, &pc, COLL_NONE, &idx);
		if (ret)
			return ret;
	}
	return 0;
}

/* One exchange with partner r ^ mask; halving shrinks, doubling grows. */
static int exchange(struct rhd *h, uint32_t c, uint32_t mask, bool halving,
		    uint32_t step)
{
	struct coll_piece pc = { .channel = c, .step = step };
	uint32_t r, mid, idx, base = c * h->n2;
	int ret;

	pc.op = halving ? COLL_OP_REDUCE : COLL_OP_COPY;
	for (r = 0; r < h->n2; r++) {
		mid = h->lo[r] + (h->hi[r] - h->lo[r]) / 2;
		pc.src = r;
		pc.dst = r ^ mask;
		pc.lo = base + (halving ? (r & mask ? h->lo[r] : mid) : h->lo[r]);
		pc.hi = base + (halving ? (r & mask ? mid : h->hi[r]) : h->hi[r]);
		ret = coll_emit(h->x, &pc, COLL_NONE, &idx);
		if (ret)
			return ret;
	}
	for (r = 0; r < h->n2; r++) {
		mid = h->lo[r] + (h->hi[r] - h->lo[r]) / 2;
		if (halving && (r & mask))
			h->lo[r] = mid;
		else if (halving)
			h->hi[r] = mid;
	}
	/* Doubling: partner ranges are adjacent, the union is contiguous. */
	for (r = 0; !halving && r < h->n2; r++) {
		if (r & mask)
			continue;
		h->hi[r] = h->hi[r ^ mask];
		h->lo[r ^ mask] = h->lo[r];
	}
	return 0;
}

static int rhd_channel(struct rhd *h, uint32_t c)
{
	uint32_t mask, r, step = 0;
	int ret;

	for (r = 0; r < h->n2; r++) {
		h->lo[r] = 0;
		h->hi[r] = h->n2;
	}
	ret = fold(h, c, true, step++);
	for (mask = h->n2 / 2; mask && !ret; mask /= 2)
		ret = exchange(h, c, mask, true, step++);
	for (mask = 1; mask < h->n2 && !ret; mask *= 2)
		ret = exchange(h, c, mask, false, step++);
	if (!ret)
		ret = fold(h, c, false, step);
	return ret;
}

static int rhd_build(struct coll_sched *s, const struct coll_params *p)
{
	struct coll_ctx x = { 0 };
	struct rhd h = { .x = &x, .n2 = 1 };
	uint64_t radix[2];
	uint32_t c;
	int ret;

	while (h.n2 <= s->nranks / 2)
		h.n2 *= 2;
	h.extra = s->nranks - h.n2;
	radix[0] = s->nchannels;
	radix[1] = h.n2;

	ret = coll_ctx_init(&x, s, p, radix, 2);
	if (ret)
		return ret;
	h.lo = malloc(2ull * h.n2 * sizeof(*h.lo));
	if (!h.lo) {
		ret = -ENOMEM;
		goto out_ctx;
	}
	h.hi = h.lo + h.n2;
	for (c = 0; c < s->nchannels && !ret; c++)
		ret = rhd_channel(&h, c);
	free(h.lo);
out_ctx:
	coll_ctx_fini(&x);
	return ret;
}

static void rhd_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t n = e->n, n2 = 1, log2 = 0;

	while (n2 <= n / 2) {
		n2 *= 2;
		log2++;
	}
	e->xfers = coll_mul_sat_u64(e->nch, coll_add_sat_u64(2 * (n - n2), coll_est_mul3(2, n2, log2)));
	e->atoms = coll_mul_sat_u64(e->nch, n2);
	e->aux_bytes = coll_mul_sat_u64(n2, 2 * sizeof(uint32_t));
}

static const char *const rhd_aliases[] = { "rabenseifner", "halving-doubling", NULL };

const struct coll_algo_ops coll_algo_rhd = {
	.name = "rhd",
	.aliases = rhd_aliases,
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE),
	.wrong_kind = "rhd and tree implement allreduce only",
	.build = rhd_build,
	.estimate = rhd_estimate,
};
