/*
 * Double binary tree all-reduce, after NCCL. Tree 0 is NCCL's binary tree
 * over ranks (rank 0 the root with one child; a rank's level is its lowest
 * set bit); tree 1 is its mirror (n even: rank r plays n - 1 - r) or its
 * shift by one (n odd), so that ranks that are leaves in one tree are inner
 * nodes in the other. Each tree handles half of every channel's share.
 *
 * Atoms: share -> tree half -> chunk. For each chunk a rank reduces its
 * piece into its parent once all its children have reduced into it, then
 * the root's result is copied down. Two children reducing into one parent
 * are chained (write after write), as the parent's single NIC serialises
 * them anyway. A transfer also waits for the previous chunk on its link, so
 * chunks stream through the tree in order (reduce and broadcast overlap).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"

static uint32_t btree_parent(uint32_t n, uint32_t r)
{
	uint32_t bit, up;

	if (r == 0)
		return COLL_NONE;
	bit = r & -r;
	up = (r ^ bit) | (bit << 1);
	return up < n ? up : r ^ bit;
}

void coll_tree_parents(uint32_t n, unsigned int tree, uint32_t *parent)
{
	uint32_t r, v, up;

	for (r = 0; r < n; r++) {
		if (!tree) {
			parent[r] = btree_parent(n, r);
			continue;
		}
		/* v is the tree-0 rank r plays in tree 1. */
		v = n % 2 ? (r + n - 1) % n : n - 1 - r;
		up = btree_parent(n, v);
		if (up == COLL_NONE)
			parent[r] = COLL_NONE;
		else
			parent[r] = n % 2 ? (up + 1) % n : n - 1 - up;
	}
}

struct tree {
	uint32_t *parent;	/* [n] */
	uint32_t *order;	/* ranks, deepest first */
	uint32_t *up_prev;	/* [n] last chunk's transfer to the parent */
	uint32_t *down_prev;	/* [n] last chunk's transfer from the parent */
};

static uint32_t depth_of(const uint32_t *parent, uint32_t r)
{
	uint32_t d = 0;

	for (; parent[r] != COLL_NONE; r = parent[r])
		d++;
	return d;
}

/* Deepest first, ties by rank: children always precede their parent. */
static void order_by_depth(uint32_t n, const uint32_t *parent, uint32_t *order,
			   uint32_t *depth)
{
	uint32_t r, i, j, maxd = 0;

	for (r = 0; r < n; r++) {
		depth[r] = depth_of(parent, r);
		if (depth[r] > maxd)
			maxd = depth[r];
	}
	for (i = 0, j = maxd + 1; j-- > 0;)
		for (r = 0; r < n; r++)
			if (depth[r] == j)
				order[i++] = r;
}

static int tree_chunk(struct coll_ctx *x, struct tree *t, uint32_t atom,
		      uint32_t c)
{
	uint32_t n = x->s->nranks, i, r, idx;
	struct coll_piece pc = { .channel = c, .lo = atom, .hi = atom + 1 };
	int ret;

	pc.op = COLL_OP_REDUCE;
	for (i = 0; i < n; i++) {
		r = t->order[i];
		if (t->parent[r] == COLL_NONE)
			continue;
		pc.src = r;
		pc.dst = t->parent[r];
		pc.step = 0;
		ret = coll_emit(x, &pc, t->up_prev[r], &idx);
		if (ret)
			return ret;
		if (idx != COLL_NONE)
			t->up_prev[r] = idx;
	}
	pc.op = COLL_OP_COPY;
	pc.step = 1;
	for (i = n; i-- > 0;) {
		r = t->order[i];
		if (t->parent[r] == COLL_NONE)
			continue;
		pc.src = t->parent[r];
		pc.dst = r;
		ret = coll_emit(x, &pc, t->down_prev[r], &idx);
		if (ret)
			return ret;
		if (idx != COLL_NONE)
			t->down_prev[r] = idx;
	}
	return 0;
}

static int tree_run(struct coll_ctx *x, struct tree *t, uint32_t k)
{
	uint32_t n = x->s->nranks, c, j, tr;
	int ret;

	for (c = 0; c < x->s->nchannels; c++) {
		for (tr = 0; tr < 2; tr++) {
			memset(t[tr].up_prev, 0xff, n * sizeof(uint32_t));
			memset(t[tr].down_prev, 0xff, n * sizeof(uint32_t));
		}
		for (j = 0; j < k; j++) {
			for (tr = 0; tr < 2; tr++) {
				ret = tree_chunk(x, &t[tr], (c * 2 + tr) * k + j, c);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

static int tree_build(struct coll_sched *s, const struct coll_params *p)
{
	uint64_t elems = s->bytes / s->elem_bytes;
	uint32_t n = s->nranks, k, tr, *mem;
	struct coll_ctx x = { 0 };
	struct tree t[2];
	uint64_t radix[3];
	int ret;

	k = coll_nchunks(p, coll_div_up(elems, 2ull * s->nchannels), 1);
	radix[0] = s->nchannels;
	radix[1] = 2;
	radix[2] = k;
	ret = coll_ctx_init(&x, s, p, radix, 3);
	if (ret)
		return ret;
	/* Per tree: parent, order, up_prev, down_prev, plus one depth array. */
	mem = malloc(9ull * n * sizeof(*mem));
	if (!mem) {
		ret = -ENOMEM;
		goto out_ctx;
	}
	for (tr = 0; tr < 2; tr++) {
		t[tr].parent = mem + (4 * tr + 0) * n;
		t[tr].order = mem + (4 * tr + 1) * n;
		t[tr].up_prev = mem + (4 * tr + 2) * n;
		t[tr].down_prev = mem + (4 * tr + 3) * n;
		coll_tree_parents(n, tr, t[tr].parent);
		order_by_depth(n, t[tr].parent, t[tr].order, mem + 8 * n);
	}
	ret = tree_run(&x, t, k);
	free(mem);
out_ctx:
	coll_ctx_fini(&x);
	return ret;
}

static void tree_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t k = coll_nchunks(p, coll_div_up(e->elems, coll_mul_sat_u64(2, e->nch)), 1);

	e->xfers = coll_est_mul3(coll_est_mul3(e->nch, 2, k), 2, e->n - 1);
	e->atoms = coll_est_mul3(e->nch, 2, k);
	e->aux_bytes = coll_mul_sat_u64(e->n, 9 * sizeof(uint32_t));
}

const struct coll_algo_ops coll_algo_tree = {
	.name = "tree",
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE),
	.chunked = true,
	.wrong_kind = "rhd and tree implement allreduce only",
	.build = tree_build,
	.estimate = tree_estimate,
};
