/*
 * Hierarchical all-reduce whose inter-server phase is NCCL's double binary
 * tree, for rail-optimized clusters at scale. Servers hold g consecutive
 * ranks; local GPU l of every server sits on rail l.
 *  1. intra-server ring reduce-scatter (NVLink class): local GPU l ends up
 *     owning shard l, 1/g of the data, reduced over its server (as hier);
 *  2. for each rail l and channel, the double binary tree over the m
 *     servers (coll_tree_parent: tree 0 and its mirrored or shifted twin,
 *     as NCCL's ncclGetDtree) on shard l: each tree takes half of the
 *     shard, cut into chunks of at most chunk_bytes; a chunk is reduced up
 *     its tree (children REDUCE into their parent) and copied back down
 *     (COPY), chunk k + 1 following chunk k on every edge (NCCL's FIFO per
 *     connection), so reduce and broadcast of successive chunks overlap.
 *     Both ends of every such edge are local GPU l: NIC l to NIC l, one
 *     rail, no PXN;
 *  3. intra-server ring all-gather of the g shards.
 * Where hier's ring across servers takes 2(m - 1) latency-bound steps
 * (25,000 at 12,500 servers), a tree is O(log2 m) deep and pipelined, so a
 * 100,000-GPU all-reduce stays bandwidth-bound.
 *
 * The schedule is a generator (gen.h): transfers are pure functions of
 * their id, nothing proportional to ranks x atoms exists before time 0.
 * Data: the S bytes are cut into C x g x 2 streams (channel c, shard l,
 * tree half t; stream b = (c g + l) 2 + t), each into K chunks, at element
 * granularity (the first ones one element larger), so a tree's half-shard
 * is S / 2Cg give or take an element; atom a = b K + j. K is held to what
 * leaves no atom empty (ht_dims), so the A atoms are all of them, or with
 * fewer elements than streams the first E streams of one element: ids stay
 * dense. Every atom moves through 2(n - 1) transfers:
 * m(g - 1) reduce-scatter (per server the ring chain of shard l: GPU l+1
 * -> l+2 -> ... -> l), m - 1 up the tree, m - 1 down, m(g - 1) all-gather
 * (GPU l -> l+1 -> ... -> l-1). Ids are atom-major, id = a P + i with
 * P = 2(n - 1), and inside an atom the four phases in that order; the tree
 * phases list the non-root tree positions ("roles", tree 0's node numbers)
 * children first (up) or parents first (down). The tree's shape over roles
 * is the same for both trees (tree 1 maps role w to another server), so the
 * private state is 5 m words. Dependencies are what the data implies (read
 * after write, write after write: two children reducing into one parent are
 * chained, the first after the parent's reduce-scatter) plus the previous
 * chunk on the same edge; nothing else.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"
#include "collectives/gen.h"

/* Most dependencies a transfer has: data (two) plus the previous chunk. */
#define HT_MAX_DEPS 3
/* Most successors: two children, the all-gather, the next chunk. */
#define HT_MAX_SUCC 4

struct ht {
	uint32_t n, g, m;	/* ranks, GPUs a server, servers */
	uint32_t nch;		/* channels */
	uint64_t k;		/* chunks per tree half */
	uint64_t natoms;	/* A: non-empty atoms */
	uint64_t per_atom;	/* P = 2(n - 1) transfers an atom */
	uint64_t q_elems, r;	/* stream b holds q_elems + (b < r) elements */
	uint32_t elem_bytes;
	uint64_t rs_len;	/* m(g - 1): transfers of a phase inside servers */
	/* tree 0 over roles 0..m-1 (role 0 the root), shared by both trees */
	uint32_t *parent;	/* [m], COLL_NONE at the root */
	uint32_t *kid;		/* [2m]: children by up position, COLL_NONE */
	uint32_t *pos;		/* [m]: up position of a non-root role */
	uint32_t *ord;		/* [m]: role at up position (m - 1 used) */
};

/* A decoded id: atom coordinates and the transfer inside the atom. */
struct ht_id {
	uint64_t base;		/* id of the atom's first transfer */
	uint64_t a, j;		/* atom, chunk */
	uint32_t c, l, t;	/* channel, shard (local GPU), tree */
	enum { HT_RS, HT_UP, HT_DOWN, HT_AG } phase;
	uint32_t v, s;		/* RS/AG: server and ring step */
	uint32_t w;		/* UP/DOWN: role */
};

/*
 * The layout's sizes for P (gen and estimate): K chunks a stream (of
 * streams = C g 2) and A non-empty atoms. Streams split the elements
 * evenly (the first ones one element more), chunks split a stream the same
 * way, K as coll_nchunks asks for chunk_bytes; but at most as many as the
 * shortest stream has elements, so that no atom is empty (with chunks of
 * one element, the longer streams' chunks may then hold two). Fewer
 * elements than streams: one chunk, the first E streams of one element.
 */
static void ht_dims(const struct coll_params *p, uint64_t *streams, uint64_t *k, uint64_t *natoms)
{
	uint64_t g = p->gpus_per_server ? p->gpus_per_server : 1;
	uint64_t nch = p->nchannels ? p->nchannels : 1;
	uint64_t elems = p->elem_bytes ? p->bytes / p->elem_bytes : 0;
	uint64_t q;

	*streams = coll_est_mul3(nch, g, 2);
	q = elems / *streams;
	*k = coll_nchunks(p, elems, *streams);
	if (*k > q)
		*k = q ? q : 1;
	*natoms = q ? *streams * *k : elems;
}

/* Transfers of P: A atoms of 2(n - 1) each (saturating). */
static uint64_t ht_count_of(const struct coll_params *p)
{
	uint64_t streams, k, a;

	ht_dims(p, &streams, &k, &a);
	return coll_mul_sat_u64(a, p->nranks ? 2ull * (p->nranks - 1) : 0);
}

/* Server of role W in tree T (coll_tree_parent's mirror or shift). */
static uint32_t ht_srv(const struct ht *h, uint32_t t, uint32_t w)
{
	if (!t)
		return w;
	return h->m % 2 ? (w + 1) % h->m : h->m - 1 - w;
}

static uint32_t ht_role(const struct ht *h, uint32_t t, uint32_t v)
{
	if (!t)
		return v;
	return h->m % 2 ? (v + h->m - 1) % h->m : h->m - 1 - v;
}

static uint32_t ht_lastkid(const struct ht *h, uint32_t w)
{
	return h->kid[2 * w + 1] != COLL_NONE ? h->kid[2 * w + 1] : h->kid[2 * w];
}

static uint64_t id_rs(const struct ht *h, uint64_t base, uint32_t v, uint32_t s)
{
	return base + (uint64_t)v * (h->g - 1) + s;
}

static uint64_t id_up(const struct ht *h, uint64_t base, uint32_t w)
{
	return base + h->rs_len + h->pos[w];
}

static uint64_t id_down(const struct ht *h, uint64_t base, uint32_t w)
{
	return base + h->rs_len + (h->m - 1) + (h->m - 2 - h->pos[w]);
}

static uint64_t id_ag(const struct ht *h, uint64_t base, uint32_t v, uint32_t s)
{
	return base + h->rs_len + 2ull * (h->m - 1) + (uint64_t)v * (h->g - 1) + s;
}

static void ht_decode(const struct ht *h, uint64_t id, struct ht_id *d)
{
	uint64_t i = id % h->per_atom, b, tree = h->m - 1;

	d->a = id / h->per_atom;
	d->base = id - i;
	d->j = d->a % h->k;
	b = d->a / h->k;
	d->t = (uint32_t)(b % 2);
	d->l = (uint32_t)(b / 2 % h->g);
	d->c = (uint32_t)(b / 2 / h->g);
	if (i < h->rs_len) {
		d->phase = HT_RS;
	} else if (i < h->rs_len + tree) {
		d->phase = HT_UP;
		d->w = h->ord[i - h->rs_len];
		return;
	} else if (i < h->rs_len + 2 * tree) {
		d->phase = HT_DOWN;
		d->w = h->ord[tree - 1 - (i - h->rs_len - tree)];
		return;
	} else {
		d->phase = HT_AG;
		i -= h->rs_len + 2 * tree;
	}
	d->v = (uint32_t)(i / (h->g - 1));
	d->s = (uint32_t)(i % (h->g - 1));
}

/*
 * The transfer after which role W's server holds the atom's final value:
 * the root's last child reducing into it, a broadcast into it, or with one
 * server the end of the reduce-scatter.
 */
static uint64_t ht_final(const struct ht *h, uint64_t base, uint32_t t, uint32_t w)
{
	if (h->m == 1)
		return id_rs(h, base, ht_srv(h, t, w), h->g - 2);
	if (!w)
		return id_up(h, base, ht_lastkid(h, 0));
	return id_down(h, base, w);
}

/* The last write into role W's server before it reduces up: COLL_NONE if none. */
static uint64_t ht_last_in(const struct ht *h, uint64_t base, uint32_t t, uint32_t w)
{
	if (h->kid[2 * w] != COLL_NONE)
		return id_up(h, base, ht_lastkid(h, w));
	if (h->g >= 2)
		return id_rs(h, base, ht_srv(h, t, w), h->g - 2);
	return UINT64_MAX;
}

static void sort2(uint64_t *x)
{
	uint64_t y;

	if (x[0] > x[1]) {
		y = x[0];
		x[0] = x[1];
		x[1] = y;
	}
}

/* The dependencies of ID, ascending, into OUT: how many. */
static uint32_t ht_deps(const struct ht *h, uint64_t id, uint64_t *out)
{
	struct ht_id d;
	uint64_t data[2] = { UINT64_MAX, UINT64_MAX };
	uint32_t n = 0, p, i;

	ht_decode(h, id, &d);
	if (d.j)
		out[n++] = id - h->per_atom;	/* the previous chunk on this edge */
	switch (d.phase) {
	case HT_RS:
		if (d.s)
			data[0] = id - 1;
		break;
	case HT_UP:
		p = h->parent[d.w];
		data[0] = ht_last_in(h, d.base, d.t, d.w);
		if (h->kid[2 * p] != d.w)
			data[1] = id_up(h, d.base, h->kid[2 * p]);
		else if (h->g >= 2)
			data[1] = id_rs(h, d.base, ht_srv(h, d.t, p), h->g - 2);
		break;
	case HT_DOWN:
		p = h->parent[d.w];
		data[0] = p ? id_down(h, d.base, p) : id_up(h, d.base, ht_lastkid(h, 0));
		break;
	case HT_AG:
		data[0] = d.s ? id - 1 : ht_final(h, d.base, d.t, ht_role(h, d.t, d.v));
		break;
	}
	sort2(data);
	for (i = 0; i < 2; i++)
		if (data[i] != UINT64_MAX)
			out[n++] = data[i];
	return n;
}

static const struct ht *ht_of(const struct coll_gen *g)
{
	return g->priv;
}

static uint64_t ht_count(const struct coll_gen *g)
{
	const struct ht *h = ht_of(g);

	return h->natoms * h->per_atom;
}

static uint32_t ht_ndeps(const struct coll_gen *g, uint64_t id)
{
	uint64_t deps[HT_MAX_DEPS];

	return ht_deps(ht_of(g), id, deps);
}

/* The readers of role W's final value: the broadcast to its children, the all-gather. */
static uint32_t ht_succ_final(const struct ht *h, const struct ht_id *d, uint32_t w, uint64_t *out)
{
	uint64_t kids[2] = { UINT64_MAX, UINT64_MAX };
	uint32_t n = 0, i;

	for (i = 0; i < 2; i++)
		if (h->kid[2 * w + i] != COLL_NONE)
			kids[i] = id_down(h, d->base, h->kid[2 * w + i]);
	sort2(kids);
	for (i = 0; i < 2; i++)
		if (kids[i] != UINT64_MAX)
			out[n++] = kids[i];
	if (h->g >= 2)
		out[n++] = id_ag(h, d->base, ht_srv(h, d->t, w), 0);
	return n;
}

/* The successors of ID, ascending, into OUT (HT_MAX_SUCC): how many. */
static uint32_t ht_succ_all(const struct ht *h, uint64_t id, uint64_t *out)
{
	struct ht_id d;
	uint32_t n = 0, p, w;

	ht_decode(h, id, &d);
	switch (d.phase) {
	case HT_RS:
		w = ht_role(h, d.t, d.v);
		if (d.s + 2 < h->g)
			out[n++] = id + 1;
		else if (h->m == 1)
			out[n++] = id_ag(h, d.base, d.v, 0);
		else if (h->kid[2 * w] != COLL_NONE)
			out[n++] = id_up(h, d.base, h->kid[2 * w]);	/* write after write */
		else
			out[n++] = id_up(h, d.base, w);
		break;
	case HT_UP:
		p = h->parent[d.w];
		if (h->kid[2 * p] == d.w && h->kid[2 * p + 1] != COLL_NONE)
			out[n++] = id_up(h, d.base, h->kid[2 * p + 1]);
		else if (p)
			out[n++] = id_up(h, d.base, p);
		else
			n = ht_succ_final(h, &d, 0, out);
		break;
	case HT_DOWN:
		n = ht_succ_final(h, &d, d.w, out);
		break;
	case HT_AG:
		if (d.s + 2 < h->g)
			out[n++] = id + 1;
		break;
	}
	if (d.j + 1 < h->k && d.a + 1 < h->natoms)
		out[n++] = id + h->per_atom;	/* the next chunk on this edge */
	return n;
}

static uint32_t ht_succ(const struct coll_gen *g, uint64_t id, uint32_t from, uint64_t *out,
			uint32_t max)
{
	uint64_t all[HT_MAX_SUCC];

	return coll_gen_page(all, ht_succ_all(ht_of(g), id, all), from, out, max);
}

/*
 * Roots: only a chunk 0 has them (any other chunk waits for the previous
 * one on its edge). With g >= 2 they are each server's first
 * reduce-scatter step; with g == 1, the tree leaves that reduce first
 * into their parent.
 */
static uint32_t ht_roots(const struct coll_gen *g, uint64_t *cursor, uint64_t *out, uint32_t max)
{
	const struct ht *h = ht_of(g);
	uint64_t end = ht_count(g), id = *cursor, a, i;
	uint32_t n = 0;

	while (n < max && id < end) {
		a = id / h->per_atom;
		i = id % h->per_atom;
		if (a % h->k) {
			id = (a / h->k + 1) * h->k * h->per_atom;
			continue;
		}
		if (h->g >= 2) {
			if (i >= h->rs_len) {
				id += h->per_atom - i;
				continue;
			}
			i = coll_div_up(i, h->g - 1) * (h->g - 1);
			id = id - id % h->per_atom + i;
			if (i < h->rs_len)
				out[n++] = id++;
			continue;
		}
		if (i >= h->rs_len + h->m - 1) {
			id += h->per_atom - i;
			continue;
		}
		if (!ht_ndeps(g, id))
			out[n++] = id;
		id++;
	}
	*cursor = id;
	return n;
}

static void ht_xfer(const struct coll_gen *g, uint64_t id, struct coll_xfer *x)
{
	const struct ht *h = ht_of(g);
	uint32_t gg = h->g, a, b;
	struct ht_id d;
	uint64_t st, off, sub_off, len;

	ht_decode(h, id, &d);
	memset(x, 0, sizeof(*x));
	st = d.a / h->k;
	off = st * h->q_elems + (st < h->r ? st : h->r);
	coll_split(h->q_elems + (st < h->r), h->k, d.j, &sub_off, &len);
	x->src_off_bytes = (off + sub_off) * h->elem_bytes;
	x->dst_off_bytes = x->src_off_bytes;
	x->bytes = len * h->elem_bytes;
	x->channel = d.c;
	switch (d.phase) {
	case HT_RS:
	case HT_AG:
		/* RS: GPU l+1+s reduces into l+2+s; AG: l+s copies to l+s+1 */
		a = (d.l + d.s + (d.phase == HT_RS)) % gg;
		x->src_rank = d.v * gg + a;
		x->dst_rank = d.v * gg + (a + 1) % gg;
		x->op = d.phase == HT_RS ? COLL_OP_REDUCE : COLL_OP_COPY;
		x->step = d.phase == HT_RS ? d.s : gg + 1 + d.s;
		x->intra = 1;
		break;
	case HT_UP:
	case HT_DOWN:
		a = ht_srv(h, d.t, d.w) * gg + d.l;
		b = ht_srv(h, d.t, h->parent[d.w]) * gg + d.l;
		x->src_rank = d.phase == HT_UP ? a : b;
		x->dst_rank = d.phase == HT_UP ? b : a;
		x->op = d.phase == HT_UP ? COLL_OP_REDUCE : COLL_OP_COPY;
		x->step = d.phase == HT_UP ? gg - 1 : gg;
		break;
	}
}

static void ht_free(struct coll_gen *g)
{
	struct ht *h = g->priv;

	if (h) {
		free(h->parent);
		free(h);
	}
	g->priv = NULL;
}

static const struct coll_gen_ops ht_ops = {
	.count = ht_count,
	.xfer = ht_xfer,
	.ndeps = ht_ndeps,
	.succ = ht_succ,
	.roots = ht_roots,
	.free = ht_free,
};

/* Tree 0 over roles: parents, children ordered by up position, the up order. */
static int ht_shape(struct ht *h)
{
	uint32_t m = h->m, w, p, lvl, cnt[34] = { 0 }, at = 0, x;

	h->parent = malloc(5ull * m * sizeof(uint32_t));
	if (!h->parent)
		return -ENOMEM;
	h->kid = h->parent + m;
	h->pos = h->kid + 2ull * m;
	h->ord = h->pos + m;
	memset(h->kid, 0xff, 2ull * m * sizeof(uint32_t));
	for (w = 0; w < m; w++) {
		p = h->parent[w] = coll_tree_parent(m, 0, w);
		if (p == COLL_NONE)
			continue;
		/* a binary tree: ncclGetBtree gives each node two children at most */
		if (h->kid[2 * p + 1] != COLL_NONE)
			return -EINVAL;
		h->kid[2 * p + (h->kid[2 * p] != COLL_NONE)] = w;
	}
	/*
	 * Children first: a child's lowest set bit is below its parent's
	 * (btree_parent sets a higher bit, or clears the lowest), the root
	 * (0) last. A counting sort on that level, ties by role.
	 */
	for (w = 1; w < m; w++)
		cnt[__builtin_ctz(w) + 1]++;
	for (lvl = 0; lvl < 33; lvl++) {
		x = cnt[lvl + 1];
		cnt[lvl + 1] = at;
		at += x;
	}
	for (w = 1; w < m; w++) {
		lvl = (uint32_t)__builtin_ctz(w);
		h->ord[cnt[lvl + 1]] = w;
		h->pos[w] = cnt[lvl + 1]++;
	}
	for (w = 0; w < m; w++) {
		uint32_t *k = h->kid + 2 * w;

		if (k[1] != COLL_NONE && h->pos[k[1]] < h->pos[k[0]]) {
			x = k[0];
			k[0] = k[1];
			k[1] = x;
		}
	}
	return 0;
}

static int hiertree_gen(struct coll_gen *g, const struct coll_params *p)
{
	const char *why = coll_params_error(p);
	uint64_t streams;
	struct ht *h;
	int ret;

	memset(g, 0, sizeof(*g));
	if (why) {
		snprintf(g->err, sizeof(g->err), "%s", why);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		goto err_nomem;
	h->n = p->nranks;
	h->g = p->gpus_per_server;
	h->m = h->n / h->g;
	h->nch = p->nchannels ? p->nchannels : 1;
	h->elem_bytes = p->elem_bytes;
	h->per_atom = 2ull * (h->n - 1);
	h->rs_len = (uint64_t)h->m * (h->g - 1);
	ht_dims(p, &streams, &h->k, &h->natoms);
	if (h->per_atom && h->natoms > UINT64_MAX / h->per_atom) {
		free(h);
		snprintf(g->err, sizeof(g->err), "hier-tree: too many pieces: raise the chunk size");
		return -E2BIG;
	}
	if (!h->per_atom)
		h->natoms = 0;	/* one rank: nothing to move */
	h->q_elems = p->bytes / p->elem_bytes / streams;
	h->r = p->bytes / p->elem_bytes % streams;
	ret = ht_shape(h);
	if (ret) {
		free(h->parent);
		free(h);
		if (ret == -ENOMEM)
			goto err_nomem;
		snprintf(g->err, sizeof(g->err), "hier-tree: a tree node with three children");
		return ret;
	}
	g->ops = &ht_ops;
	g->kind = p->kind;
	g->algo = p->algo;
	g->nranks = p->nranks;
	g->nchannels = h->nch;
	g->gpus_per_server = p->gpus_per_server;
	g->pxn = p->pxn;
	g->elem_bytes = p->elem_bytes;
	g->bytes = p->bytes;
	g->buf_bytes = p->bytes;
	g->priv = h;
	return 0;

err_nomem:
	snprintf(g->err, sizeof(g->err), "out of memory creating the hier-tree generator");
	return -ENOMEM;
}

/*
 * Every transfer of G into S (whose header coll_build has set), its
 * dependencies being the transfers whose successor lists name it: what
 * the lazy driver sees, so the checker proves that. ndeps sizes each
 * transfer's slice first; the slices fill as ids ascend, so in order.
 */
static int ht_materialize(const struct coll_gen *g, struct coll_sched *s)
{
	uint64_t count = coll_gen_count(g), id, ndeps = 0, succ[HT_MAX_SUCC];
	uint32_t i, n;
	void *mem;

	if (count > UINT32_MAX - 3)
		return -E2BIG;
	for (id = 0; id < count; id++)
		ndeps += g->ops->ndeps(g, id);
	if (ndeps > UINT32_MAX - 3)
		return -E2BIG;
	if (s->xfers_cap < count) {
		mem = realloc(s->xfers, count * sizeof(*s->xfers));
		if (!mem)
			return -ENOMEM;
		s->xfers = mem;
		s->xfers_cap = (uint32_t)count;
	}
	if (s->deps_cap < ndeps) {
		mem = realloc(s->deps, ndeps * sizeof(*s->deps));
		if (!mem)
			return -ENOMEM;
		s->deps = mem;
		s->deps_cap = (uint32_t)ndeps;
	}
	for (id = 0, ndeps = 0; id < count; id++) {
		g->ops->xfer(g, id, &s->xfers[id]);
		s->xfers[id].dep_first = (uint32_t)ndeps;
		ndeps += g->ops->ndeps(g, id);
	}
	s->nxfers = (uint32_t)count;
	s->ndeps = (uint32_t)ndeps;
	/* xfers[].ndeps counts the slice filled so far */
	for (id = 0; id < count; id++) {
		n = g->ops->succ(g, id, 0, succ, HT_MAX_SUCC);
		for (i = 0; i < n; i++) {
			struct coll_xfer *x = &s->xfers[succ[i]];

			/* the contracts of gen.h; a failure is a bug of the generator */
			if (succ[i] <= id || succ[i] >= count || x->ndeps >= g->ops->ndeps(g, succ[i]))
				goto err_contract;
			s->deps[x->dep_first + x->ndeps++] = (uint32_t)id;
		}
	}
	for (id = 0; id < count; id++)
		if (s->xfers[id].ndeps != g->ops->ndeps(g, id))
			goto err_contract;
	return 0;

err_contract:
	assert(!"generator breaks its contracts");
	s->nxfers = 0;
	s->ndeps = 0;
	snprintf(s->err, sizeof(s->err), "hier-tree: transfer %llu: successors and ndeps disagree",
		 (unsigned long long)id);
	return -EINVAL;
}

static int hiertree_build(struct coll_sched *s, const struct coll_params *p)
{
	struct coll_gen g;
	int ret;

	ret = hiertree_gen(&g, p);
	if (ret) {
		snprintf(s->err, sizeof(s->err), "%s", g.err);
		return ret;
	}
	ret = ht_materialize(&g, s);
	ht_free(&g);
	return ret;
}

static const char *hiertree_check(const struct coll_params *p)
{
	if (!p->gpus_per_server)
		return "hier-tree needs gpus_per_server";
	if (p->nranks % p->gpus_per_server)
		return "hier-tree needs nranks to be a multiple of gpus_per_server";
	return NULL;
}

/*
 * Exact transfers (A atoms of 2(n - 1)); no last-writer table (atoms 0);
 * the generator's tree state, 5 words a server.
 */
static void hiertree_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t g = p->gpus_per_server ? p->gpus_per_server : 1;

	e->xfers = ht_count_of(p);
	e->atoms = 0;
	e->aux_bytes = coll_est_mul3(e->n / g + 1, 5, sizeof(uint32_t));
}

static const char *const hiertree_aliases[] = { "hiertree", NULL };

const struct coll_algo_ops coll_algo_hiertree = {
	.name = "hier-tree",
	.aliases = hiertree_aliases,
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE),
	.chunked = true,
	.wrong_kind = "hier-tree implements allreduce only",
	.check = hiertree_check,
	.build = hiertree_build,
	.estimate = hiertree_estimate,
	.gen = hiertree_gen,
};
