/*
 * Schedule -> per-rank plan (see plan.h for why the local deps suffice).
 * One pass over the schedule in index order: a transfer's "frontier" for
 * this rank is itself when it involves the rank, else the union of its
 * deps' frontiers; an op's local deps are the union of its deps' frontiers.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/plan.h"

struct frontier {
	uint32_t *first;	/* [nxfers]: start in pool */
	uint32_t *count;	/* [nxfers] */
	uint32_t *pool;		/* transfer indices */
	uint32_t npool, pool_cap;
	uint32_t *stamp;	/* [nxfers]: t + 1 once added for transfer t */
};

static int pool_push(struct frontier *f, uint32_t v)
{
	uint32_t *p;

	if (f->npool == f->pool_cap) {
		uint64_t cap = f->pool_cap ? 2ull * f->pool_cap : 256;

		if (cap > UINT32_MAX)
			return -ENOMEM;
		p = realloc(f->pool, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		f->pool = p;
		f->pool_cap = (uint32_t)cap;
	}
	f->pool[f->npool++] = v;
	return 0;
}

static bool involves(const struct coll_xfer *x, uint32_t rank)
{
	return x->src_rank == rank || x->dst_rank == rank;
}

static int add_once(struct frontier *f, uint32_t t, uint32_t e)
{
	if (f->stamp[e] == t + 1)
		return 0;
	f->stamp[e] = t + 1;
	return pool_push(f, e);
}

/* Appends transfer T's frontier to the pool; records where it starts. */
static int walk_one(struct frontier *f, const struct coll_sched *s,
		    uint32_t rank, uint32_t t)
{
	const struct coll_xfer *x = &s->xfers[t];
	const uint32_t *deps = coll_xfer_deps(s, x);
	uint32_t d, i, e;
	int ret = 0;

	f->first[t] = f->npool;
	for (d = 0; d < x->ndeps && !ret; d++) {
		e = deps[d];
		if (involves(&s->xfers[e], rank)) {
			ret = add_once(f, t, e);
			continue;
		}
		for (i = 0; i < f->count[e] && !ret; i++)
			ret = add_once(f, t, f->pool[f->first[e] + i]);
	}
	f->count[t] = f->npool - f->first[t];
	return ret;
}

static void frontier_free(struct frontier *f)
{
	free(f->first);
	free(f->count);
	free(f->pool);
	free(f->stamp);
}

static int frontier_build(struct frontier *f, const struct coll_sched *s,
			  uint32_t rank)
{
	size_t n = s->nxfers ? s->nxfers : 1;
	uint32_t t;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	f->first = calloc(n, sizeof(*f->first));
	f->count = calloc(n, sizeof(*f->count));
	f->stamp = calloc(n, sizeof(*f->stamp));
	if (!f->first || !f->count || !f->stamp)
		ret = -ENOMEM;
	for (t = 0; t < s->nxfers && !ret; t++)
		ret = walk_one(f, s, rank, t);
	if (ret)
		frontier_free(f);
	return ret;
}

static void fill_op(struct vb_op *op, const struct coll_xfer *x, uint32_t t,
		    uint32_t rank, uint64_t chunk)
{
	memset(op, 0, sizeof(*op));
	op->xfer = t;
	op->op = x->op;
	op->src_off_bytes = x->src_off_bytes;
	op->dst_off_bytes = x->dst_off_bytes;
	op->bytes = x->bytes;
	if (x->src_rank == x->dst_rank) {
		op->role = VB_ROLE_LOCAL;
		op->peer = rank;
		op->nchunks = 1;
		return;
	}
	op->role = x->src_rank == rank ? VB_ROLE_SEND : VB_ROLE_RECV;
	op->peer = op->role == VB_ROLE_SEND ? x->dst_rank : x->src_rank;
	op->nchunks = (uint32_t)((x->bytes + chunk - 1) / chunk);
}

static int alloc_plan(struct vb_plan *p, uint32_t nops, uint32_t ndeps)
{
	uint32_t n = p->nranks;

	p->ops = calloc(nops ? nops : 1, sizeof(*p->ops));
	p->deps = calloc(ndeps ? ndeps : 1, sizeof(*p->deps));
	p->send_first = calloc(n + 1, sizeof(*p->send_first));
	p->recv_first = calloc(n + 1, sizeof(*p->recv_first));
	p->send_ops = calloc(nops ? nops : 1, sizeof(*p->send_ops));
	p->recv_ops = calloc(nops ? nops : 1, sizeof(*p->recv_ops));
	p->send_chunks = calloc(n, sizeof(*p->send_chunks));
	p->recv_chunks = calloc(n, sizeof(*p->recv_chunks));
	if (!p->ops || !p->deps || !p->send_first || !p->recv_first ||
	    !p->send_ops || !p->recv_ops || !p->send_chunks || !p->recv_chunks)
		return -ENOMEM;
	return 0;
}

/* Counting sort of SEND and RECV ops by peer, keeping schedule order. */
static void index_peers(struct vb_plan *p)
{
	uint32_t i, *sf = p->send_first, *rf = p->recv_first;
	struct vb_op *op;

	for (i = 0; i < p->nops; i++) {
		op = &p->ops[i];
		if (op->role == VB_ROLE_SEND)
			sf[op->peer + 1]++;
		else if (op->role == VB_ROLE_RECV)
			rf[op->peer + 1]++;
	}
	for (i = 0; i < p->nranks; i++) {
		sf[i + 1] += sf[i];
		rf[i + 1] += rf[i];
	}
	for (i = 0; i < p->nops; i++) {
		op = &p->ops[i];
		if (op->role == VB_ROLE_SEND) {
			op->first_chunk = p->send_chunks[op->peer];
			p->send_chunks[op->peer] += op->nchunks;
			p->tx_bytes += op->bytes;
			p->send_ops[sf[op->peer]++] = i;
		} else if (op->role == VB_ROLE_RECV) {
			op->first_chunk = p->recv_chunks[op->peer];
			p->recv_chunks[op->peer] += op->nchunks;
			p->recv_ops[rf[op->peer]++] = i;
		}
	}
	/* The placement above advanced each start to the next peer's. */
	for (i = p->nranks; i > 0; i--) {
		sf[i] = sf[i - 1];
		rf[i] = rf[i - 1];
	}
	sf[0] = 0;
	rf[0] = 0;
}

/* Out of place: this rank's final copies input -> output, as LOCAL ops. */
static uint32_t add_copies(struct vb_plan *p, const struct coll_oop *oop, uint32_t nops,
			   uint32_t ndeps)
{
	uint32_t i;

	for (i = 0; oop && i < oop->ncopies; i++) {
		const struct coll_oop_copy *c = &oop->copies[i];
		struct vb_op *op = &p->ops[nops];

		if (c->rank != p->rank)
			continue;
		memset(op, 0, sizeof(*op));
		op->xfer = COLL_NONE;
		op->peer = p->rank;
		op->role = VB_ROLE_LOCAL;
		op->op = COLL_OP_COPY;
		op->flags = COLL_OOP_SRC_IN;
		op->src_off_bytes = c->off_bytes;
		op->dst_off_bytes = c->off_bytes;
		op->bytes = c->bytes;
		op->nchunks = 1;
		op->dep_first = ndeps;
		nops++;
	}
	return nops;
}

static uint32_t rank_copies(const struct coll_oop *oop, uint32_t rank)
{
	uint32_t i, n = 0;

	for (i = 0; oop && i < oop->ncopies; i++)
		n += oop->copies[i].rank == rank;
	return n;
}

static void fill_plan(struct vb_plan *p, const struct coll_sched *s,
		      const struct frontier *f, uint32_t *op_of, const struct coll_oop *oop)
{
	uint32_t t, e, nops = 0, ndeps = 0, i;
	const struct coll_xfer *x;

	for (t = 0; t < s->nxfers; t++) {
		x = &s->xfers[t];
		if (!involves(x, p->rank))
			continue;
		op_of[t] = nops;
		fill_op(&p->ops[nops], x, t, p->rank, p->chunk_bytes);
		p->ops[nops].flags = oop ? oop->flags[t] : 0;
		p->ops[nops].dep_first = ndeps;
		/* The op's deps are its transfer's frontier, mapped to ops. */
		for (i = 0; i < f->count[t]; i++) {
			e = f->pool[f->first[t] + i];
			p->deps[ndeps++] = op_of[e];
		}
		p->ops[nops].ndeps = ndeps - p->ops[nops].dep_first;
		nops++;
	}
	nops = add_copies(p, oop, nops, ndeps);
	p->nops = nops;
	p->ndeps = ndeps;
	index_peers(p);
}

int vb_plan_build(struct vb_plan *p, const struct coll_sched *s, uint32_t rank,
		  uint64_t chunk_bytes)
{
	return vb_plan_build_oop(p, s, rank, chunk_bytes, NULL);
}

int vb_plan_build_oop(struct vb_plan *p, const struct coll_sched *s, uint32_t rank,
		      uint64_t chunk_bytes, const struct coll_oop *oop)
{
	struct frontier f;
	uint32_t t, nops = 0, ndeps = 0, *op_of;
	int ret;

	memset(p, 0, sizeof(*p));
	if (rank >= s->nranks || !s->elem_bytes)
		return -EINVAL;
	p->rank = rank;
	p->nranks = s->nranks;
	p->chunk_bytes = chunk_bytes / s->elem_bytes * s->elem_bytes;
	if (!p->chunk_bytes)
		p->chunk_bytes = s->elem_bytes;
	ret = frontier_build(&f, s, rank);
	if (ret)
		return ret;
	for (t = 0; t < s->nxfers; t++) {
		if (!involves(&s->xfers[t], rank))
			continue;
		nops++;
		ndeps += f.count[t];
	}
	nops += rank_copies(oop, rank);
	op_of = calloc(s->nxfers ? s->nxfers : 1, sizeof(*op_of));
	ret = op_of ? alloc_plan(p, nops, ndeps) : -ENOMEM;
	if (!ret)
		fill_plan(p, s, &f, op_of, oop);
	free(op_of);
	frontier_free(&f);
	if (ret)
		vb_plan_free(p);
	return ret;
}

void vb_plan_free(struct vb_plan *p)
{
	free(p->ops);
	free(p->deps);
	free(p->send_first);
	free(p->recv_first);
	free(p->send_ops);
	free(p->recv_ops);
	free(p->send_chunks);
	free(p->recv_chunks);
	memset(p, 0, sizeof(*p));
}
