/*
 * Hierarchical all-reduce for rail-optimized clusters: servers hold g
 * consecutive ranks; local GPU l of every server sits on rail l.
 *  1. intra-server ring reduce-scatter (NVLink class, marked intra): local
 *     GPU l ends up owning block l, 1/g of the data, reduced over its server;
 *  2. for each rail l, a ring all-reduce of block l across the m servers
 *     (only this step uses the NICs, each on its own rail);
 *  3. intra-server ring all-gather of the g blocks.
 * Atoms: share -> local block (g) -> chunk -> server block (m). Step 2 moves
 * single atoms (at most chunk_bytes); steps 1 and 3 move a chunk of a local
 * block (m atoms) at once. Since dependencies are per atom, step 2 of a
 * chunk starts as soon as step 1 delivered it: the phases pipeline.
 */
#include <errno.h>
#include <stdlib.h>

#include "collectives/algo.h"

struct hier {
	struct coll_ctx *x;
	uint32_t g;		/* ranks per server */
	uint32_t m;		/* servers */
	uint32_t k;		/* chunks */
	uint32_t *members;	/* [max(g, m)] */
};

/* Steps 1 and 3 on every server of channel c. */
static int intra(struct hier *h, uint32_t c, bool rs)
{
	struct coll_ring r = {
		.members = h->members, .m = h->g, .base = c * h->g * h->k * h->m,
		.stride_b = h->k * h->m, .stride_k = h->m, .width = h->m,
		.nchunks = h->k, .channel = c, .rs = rs, .ag = !rs,
		.step0 = rs ? 0 : h->g - 1 + 2 * (h->m - 1),
	};
	uint32_t sv, l;
	int ret = 0;

	for (sv = 0; sv < h->m && !ret; sv++) {
		for (l = 0; l < h->g; l++)
			h->members[l] = sv * h->g + l;
		ret = coll_ring_run(h->x, &r);
	}
	return ret;
}

/* Step 2 on every rail of channel c. */
static int rails(struct hier *h, uint32_t c)
{
	struct coll_ring r = {
		.members = h->members, .m = h->m, .stride_b = 1,
		.stride_k = h->m, .width = 1, .nchunks = h->k, .channel = c,
		.rs = true, .ag = true, .step0 = h->g - 1,
	};
	uint32_t sv, l;
	int ret = 0;

	for (l = 0; l < h->g && !ret; l++) {
		for (sv = 0; sv < h->m; sv++)
			h->members[sv] = sv * h->g + l;
		r.base = (c * h->g + l) * h->k * h->m;
		ret = coll_ring_run(h->x, &r);
	}
	return ret;
}

static int hier_build(struct coll_sched *s, const struct coll_params *p)
{
	uint64_t elems = s->bytes / s->elem_bytes, radix[4];
	struct coll_ctx x = { 0 };
	struct hier h = { .x = &x, .g = p->gpus_per_server };
	uint32_t c;
	int ret;

	h.m = s->nranks / h.g;
	h.k = coll_nchunks(p, coll_div_up(elems, (uint64_t)s->nchannels * h.g), h.m);
	radix[0] = s->nchannels;
	radix[1] = h.g;
	radix[2] = h.k;
	radix[3] = h.m;
	ret = coll_ctx_init(&x, s, p, radix, 4);
	if (ret)
		return ret;
	h.members = malloc((size_t)(h.g > h.m ? h.g : h.m) * sizeof(*h.members));
	if (!h.members) {
		ret = -ENOMEM;
		goto out_ctx;
	}
	for (c = 0; c < s->nchannels && !ret; c++)
		ret = intra(&h, c, true);
	for (c = 0; c < s->nchannels && !ret; c++)
		ret = rails(&h, c);
	for (c = 0; c < s->nchannels && !ret; c++)
		ret = intra(&h, c, false);
	free(h.members);
out_ctx:
	coll_ctx_fini(&x);
	return ret;
}

static const char *hier_check(const struct coll_params *p)
{
	if (!p->gpus_per_server)
		return "hier needs gpus_per_server";
	if (p->nranks % p->gpus_per_server)
		return "hier needs nranks to be a multiple of gpus_per_server";
	return NULL;
}

static void hier_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t g = p->gpus_per_server ? p->gpus_per_server : 1, m = e->n / g, gm = g > m ? g : m;
	uint64_t k = coll_nchunks(p, coll_div_up(e->elems, coll_mul_sat_u64(e->nch, g)), m ? m : 1);
	uint64_t intra = coll_est_mul3(coll_est_mul3(2, m, k), g, g - 1);
	uint64_t rails = coll_est_mul3(coll_est_mul3(g, k, m), 2, m ? m - 1 : 0);

	e->xfers = coll_mul_sat_u64(e->nch, coll_add_sat_u64(intra, rails));
	e->atoms = coll_est_mul3(coll_est_mul3(e->nch, g, k), m, 1);
	e->aux_bytes = coll_add_sat_u64(coll_mul_sat_u64(gm, 4), coll_est_mul3(2 * sizeof(uint32_t), gm, gm));
}

static const char *const hier_aliases[] = { "hierarchical", NULL };

const struct coll_algo_ops coll_algo_hier = {
	.name = "hier",
	.aliases = hier_aliases,
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE),
	.chunked = true,
	.wrong_kind = "hier implements allreduce only",
	.check = hier_check,
	.build = hier_build,
	.estimate = hier_estimate,
};
