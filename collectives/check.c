/*
 * Schedule checker: symbolic execution of a schedule, so that a wrong
 * algorithm fails a unit test instead of silently skewing a prediction.
 *
 * Each rank's buffer is cut into segments at every offset a transfer or the
 * result layout mentions there, closed under transfers (a cut inside what a
 * transfer reads is also a cut where it writes, and back), so that each
 * (rank, segment) has a uniform symbolic value: the set of ranks whose
 * contribution it holds (a bitset, empty = undefined) and where that data
 * came from (origin offset minus offset, bytes). A REDUCE must combine
 * disjoint sets of the same elements (else: double counting); a COPY of
 * what the destination already holds is rejected as a wasted transfer.
 *
 * Transfers run in index order, which deps make a topological order. That
 * order stands for every legal timing only if each access to a segment is
 * ordered by deps against the previous write (read or write after write)
 * and each write against the reads since (write after read); those
 * happens-before questions are answered by a pruned walk of the deps.
 *
 * Before any of that, on servers, the construction itself: PXN flags, the
 * NICs of rings on rails (check_rails) and the chains and node trees of
 * trees on rails (check_trees), as NCCL builds them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/sched.h"

#define CHK_MAX_STATE_WORDS (1ull << 27)
#define CHK_MAX_ROUNDS 32

struct chk_reader {
	uint32_t xfer;
	uint32_t next;		/* index in the pool or COLL_NONE */
};

/* A happens-before obligation: xfer must precede the current transfer. */
/* A segment starts at off on rank; the last one of a rank is its end. */
struct chk_bnd {
	uint32_t rank;
	uint64_t off_bytes;
};

struct chk_query {
	uint32_t xfer;
	uint32_t rank;
	uint64_t off_bytes;
	const char *what;
};

struct chk {
	const struct coll_sched *s;
	char *err;
	size_t err_len;
	struct chk_bnd *bnd;	/* sorted by rank, then offset */
	uint32_t nbnd, bnd_cap;
	uint32_t *first;	/* [nranks + 1]: each rank's run in bnd */
	uint32_t words;		/* bitset words per state */
	/* Per-segment state, indexed like bnd. */
	uint64_t *bits;		/* [seg * words] */
	int64_t *delta;		/* origin offset - offset, bytes */
	uint32_t *writer;	/* last writer or COLL_NONE */
	uint32_t *readers;	/* reader list head since the last write */
	struct chk_reader *pool;
	uint32_t npool, pool_cap;
	struct chk_query *q;
	uint32_t nq, q_cap;
	uint32_t *stamp;	/* [nxfers]: t + 1 when known to precede t */
	uint32_t *stack;	/* [nxfers] */
	/* Out of place: the annotation, and each input segment's state. */
	const struct coll_oop *oop;
	uint64_t *in_bits;	/* [seg * words] */
	int64_t *in_delta;
};

static int fail(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->err_len) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->err_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int nomem(struct chk *c)
{
	if (c->err && c->err_len)
		snprintf(c->err, c->err_len, "out of memory");
	return -ENOMEM;
}

static int push(void **arr, uint32_t *n, uint32_t *cap, size_t elem)
{
	uint64_t ncap;
	void *p;

	if (*n < *cap)
		return 0;
	ncap = *cap ? 2ull * *cap : 64;
	if (ncap > UINT32_MAX - 1)
		return -ENOMEM;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = (uint32_t)ncap;
	return 0;
}

static int add_bnd(struct chk *c, uint32_t rank, uint64_t off)
{
	if (push((void **)&c->bnd, &c->nbnd, &c->bnd_cap, sizeof(*c->bnd)))
		return -ENOMEM;
	c->bnd[c->nbnd].rank = rank;
	c->bnd[c->nbnd].off_bytes = off;
	c->nbnd++;
	return 0;
}

static int cmp_bnd(const void *a, const void *b)
{
	const struct chk_bnd *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->off_bytes < y->off_bytes ? -1 : x->off_bytes > y->off_bytes;
}

static void sort_bnd(struct chk *c)
{
	uint32_t i, out = 0;

	qsort(c->bnd, c->nbnd, sizeof(*c->bnd), cmp_bnd);
	for (i = 0; i < c->nbnd; i++)
		if (!out || cmp_bnd(&c->bnd[out - 1], &c->bnd[i]))
			c->bnd[out++] = c->bnd[i];
	c->nbnd = out;
	for (i = 0, out = 0; out <= c->s->nranks; out++) {
		while (i < c->nbnd && c->bnd[i].rank < out)
			i++;
		c->first[out] = i;
	}
}

/* Rank's first boundary >= off; only the sorted runs are searched. */
static uint32_t bnd_index(const struct chk *c, uint32_t rank, uint64_t off)
{
	uint32_t lo = c->first[rank], hi = c->first[rank + 1];

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->bnd[mid].off_bytes < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int check_shape(struct chk *c, uint32_t t)
{
	const struct coll_sched *s = c->s;
	const struct coll_xfer *x = &s->xfers[t];
	const uint32_t *deps = coll_xfer_deps(s, x);
	uint64_t e = s->elem_bytes, buf = s->buf_bytes;
	uint32_t d;

	if (x->src_rank >= s->nranks || x->dst_rank >= s->nranks)
		return fail(c, "xfer %u: rank out of range", t);
	if (!x->bytes || x->bytes % e || x->src_off_bytes % e || x->dst_off_bytes % e)
		return fail(c, "xfer %u: empty or not whole elements", t);
	if (x->src_off_bytes > buf || x->bytes > buf - x->src_off_bytes ||
	    x->dst_off_bytes > buf || x->bytes > buf - x->dst_off_bytes)
		return fail(c, "xfer %u: outside the %llu-byte buffer", t,
			    (unsigned long long)buf);
	if (x->op != COLL_OP_COPY && x->op != COLL_OP_REDUCE)
		return fail(c, "xfer %u: unknown op %u", t, x->op);
	if (x->channel >= s->nchannels)
		return fail(c, "xfer %u: channel %u >= %u",
			    t, x->channel, s->nchannels);
	if (x->src_rank == x->dst_rank &&
	    x->src_off_bytes < x->dst_off_bytes + x->bytes &&
	    x->dst_off_bytes < x->src_off_bytes + x->bytes)
		return fail(c, "xfer %u: source and destination overlap", t);
	if (x->dep_first > s->ndeps || x->ndeps > s->ndeps - x->dep_first)
		return fail(c, "xfer %u: deps outside the deps array", t);
	for (d = 0; d < x->ndeps; d++)
		if (deps[d] >= t)
			return fail(c, "xfer %u: dep %u"
				    " is not an earlier transfer (order must be topological)",
				    t, deps[d]);
	return 0;
}

/* Offsets where the expected result changes. */
static int layout_bnd(struct chk *c, uint32_t r)
{
	const struct coll_sched *s = c->s;
	uint64_t off, len, roff;
	uint32_t i;
	int ret = add_bnd(c, r, 0) || add_bnd(c, r, s->buf_bytes);

	for (i = 0; i < s->nranks && !ret; i++) {
		if (s->kind == COLL_ALLGATHER || s->kind == COLL_REDUCESCATTER) {
			coll_block_range(s, i, &off, &len);
			ret = add_bnd(c, r, off) || add_bnd(c, r, off + len);
		} else if (s->kind == COLL_ALLTOALL) {
			coll_a2a_range(s, r, i, &off, &roff, &len);
			ret = add_bnd(c, r, off) || add_bnd(c, r, off + len);
			coll_a2a_range(s, i, r, &off, &roff, &len);
			ret = ret || add_bnd(c, r, roff) || add_bnd(c, r, roff + len);
		}
	}
	if (!ret && s->kind == COLL_SENDRECV)
		ret = add_bnd(c, r, s->bytes);
	return ret ? -ENOMEM : 0;
}

/* Cuts inside [from, from + len) of rank a also cut [to, + len) of rank b. */
static int carry_bnd(struct chk *c, uint32_t a, uint64_t from, uint32_t b,
		     uint64_t to, uint64_t len)
{
	uint32_t i;

	/* Boundaries appended during this round lie beyond first[nranks]. */
	for (i = bnd_index(c, a, from + 1);
	     i < c->first[a + 1] && c->bnd[i].off_bytes < from + len; i++)
		if (add_bnd(c, b, c->bnd[i].off_bytes - from + to))
			return -ENOMEM;
	return 0;
}

static int xfer_bnd(struct chk *c, const struct coll_xfer *x)
{
	if (add_bnd(c, x->src_rank, x->src_off_bytes) ||
	    add_bnd(c, x->src_rank, x->src_off_bytes + x->bytes) ||
	    add_bnd(c, x->dst_rank, x->dst_off_bytes) ||
	    add_bnd(c, x->dst_rank, x->dst_off_bytes + x->bytes))
		return -ENOMEM;
	return 0;
}

static int build_bnd(struct chk *c)
{
	const struct coll_sched *s = c->s;
	uint32_t t, r, round, before;
	int ret = 0;

	c->first = malloc(((size_t)s->nranks + 1) * sizeof(*c->first));
	if (!c->first)
		return nomem(c);
	for (r = 0; r < s->nranks && !ret; r++)
		ret = layout_bnd(c, r);
	for (t = 0; t < s->nxfers && !ret; t++)
		ret = xfer_bnd(c, &s->xfers[t]);
	if (ret)
		return nomem(c);
	sort_bnd(c);
	for (round = 0; round < CHK_MAX_ROUNDS; round++) {
		before = c->nbnd;
		for (t = 0; t < s->nxfers && !ret; t++) {
			const struct coll_xfer *x = &s->xfers[t];

			ret = carry_bnd(c, x->src_rank, x->src_off_bytes, x->dst_rank,
					x->dst_off_bytes, x->bytes);
			if (!ret)
				ret = carry_bnd(c, x->dst_rank, x->dst_off_bytes,
						x->src_rank, x->src_off_bytes, x->bytes);
		}
		if (ret)
			return nomem(c);
		sort_bnd(c);
		if (c->nbnd == before)
			return 0;
	}
	return -E2BIG;
}

static uint64_t *bits_at(const struct chk *c, uint32_t seg)
{
	return c->bits + (uint64_t)seg * c->words;
}

static bool bits_empty(const struct chk *c, const uint64_t *b)
{
	uint32_t w;

	for (w = 0; w < c->words; w++)
		if (b[w])
			return false;
	return true;
}

/* Lowest rank in both sets, or COLL_NONE. */
static uint32_t bits_common(const struct chk *c, const uint64_t *a, const uint64_t *b)
{
	uint32_t w;

	for (w = 0; w < c->words; w++)
		if (a[w] & b[w])
			return w * 64 + (uint32_t)__builtin_ctzll(a[w] & b[w]);
	return COLL_NONE;
}

/* Lowest rank in want missing from have, or COLL_NONE. */
static uint32_t bits_missing(const struct chk *c, const uint64_t *have,
			     const uint64_t *want)
{
	uint32_t w;

	for (w = 0; w < c->words; w++)
		if (want[w] & ~have[w])
			return w * 64 + (uint32_t)__builtin_ctzll(want[w] & ~have[w]);
	return COLL_NONE;
}

static void bits_set_one(const struct chk *c, uint64_t *b, uint32_t rank)
{
	memset(b, 0, c->words * sizeof(*b));
	b[rank / 64] |= 1ull << (rank % 64);
}

static int alloc_state(struct chk *c)
{
	const struct coll_sched *s = c->s;
	uint64_t nstate = c->nbnd;

	c->words = (uint32_t)(((uint64_t)s->nranks + 63) / 64);
	if (nstate * (c->words + 3) > CHK_MAX_STATE_WORDS) {
		fail(c, "schedule too large to check (%llu states)",
		     (unsigned long long)nstate);
		return -E2BIG;
	}
	c->bits = calloc(nstate * c->words, sizeof(*c->bits));
	c->delta = calloc(nstate, sizeof(*c->delta));
	c->writer = malloc(nstate * sizeof(*c->writer));
	c->readers = malloc(nstate * sizeof(*c->readers));
	c->stamp = calloc(s->nxfers + 1, sizeof(*c->stamp));
	c->stack = malloc((s->nxfers + 1) * sizeof(*c->stack));
	if (!c->bits || !c->delta || !c->writer || !c->readers || !c->stamp || !c->stack)
		return nomem(c);
	if (c->oop) {
		c->in_bits = calloc(nstate * c->words, sizeof(*c->in_bits));
		c->in_delta = calloc(nstate, sizeof(*c->in_delta));
		if (!c->in_bits || !c->in_delta)
			return nomem(c);
	}
	memset(c->writer, 0xff, nstate * sizeof(*c->writer));
	memset(c->readers, 0xff, nstate * sizeof(*c->readers));
	return 0;
}

/* Which ranks' data segment seg of its rank holds on entry. */
static void initial_state(struct chk *c, uint32_t seg)
{
	const struct coll_sched *s = c->s;
	uint32_t rank = c->bnd[seg].rank;
	uint64_t off = c->bnd[seg].off_bytes, boff, blen;
	bool defined;

	switch (s->kind) {
	case COLL_ALLGATHER:
		coll_block_range(s, rank, &boff, &blen);
		defined = off >= boff && off < boff + blen;
		break;
	case COLL_ALLTOALL:
	case COLL_SENDRECV:
		defined = off < s->bytes;
		break;
	case COLL_BROADCAST:
		defined = rank == s->root;
		break;
	default:
		defined = true;
		break;
	}
	/* out of place the input sits in IN, OUT starts undefined */
	if (defined)
		bits_set_one(c, c->oop ? c->in_bits + (uint64_t)seg * c->words : bits_at(c, seg), rank);
}

static void free_chk(struct chk *c)
{
	free(c->bnd);
	free(c->first);
	free(c->bits);
	free(c->delta);
	free(c->writer);
	free(c->readers);
	free(c->pool);
	free(c->q);
	free(c->stamp);
	free(c->stack);
	free(c->in_bits);
	free(c->in_delta);
}

static int add_query(struct chk *c, uint32_t xfer, uint32_t rank, uint32_t seg,
		     const char *what)
{
	if (push((void **)&c->q, &c->nq, &c->q_cap, sizeof(*c->q)))
		return -ENOMEM;
	c->q[c->nq].xfer = xfer;
	c->q[c->nq].rank = rank;
	c->q[c->nq].off_bytes = c->bnd[seg].off_bytes;
	c->q[c->nq].what = what;
	c->nq++;
	return 0;
}

/* Every earlier access to what t touches that t must be ordered after. */
static int gather_queries(struct chk *c, uint32_t t)
{
	const struct coll_xfer *x = &c->s->xfers[t];
	uint32_t i, r;
	int ret = 0;

	c->nq = 0;
	for (i = bnd_index(c, x->src_rank, x->src_off_bytes);
	     c->bnd[i].off_bytes < x->src_off_bytes + x->bytes && !ret; i++)
		if (c->writer[i] != COLL_NONE)
			ret = add_query(c, c->writer[i], x->src_rank, i, "reads data written by");
	for (i = bnd_index(c, x->dst_rank, x->dst_off_bytes);
	     c->bnd[i].off_bytes < x->dst_off_bytes + x->bytes && !ret; i++) {
		if (c->writer[i] != COLL_NONE)
			ret = add_query(c, c->writer[i], x->dst_rank, i, "overwrites data written by");
		for (r = c->readers[i]; r != COLL_NONE && !ret; r = c->pool[r].next)
			ret = add_query(c, c->pool[r].xfer, x->dst_rank, i, "overwrites data read by");
	}
	return ret ? nomem(c) : 0;
}

/* Mark t's ancestors with index >= min: stamp[a] == t + 1. */
static void mark_ancestors(struct chk *c, uint32_t t, uint32_t min, bool deep)
{
	const struct coll_sched *s = c->s;
	const uint32_t *deps = coll_xfer_deps(s, &s->xfers[t]);
	uint32_t sp = 0, d, a;

	/* The deep walk expands direct deps even if a shallow pass marked them. */
	for (d = 0; d < s->xfers[t].ndeps; d++) {
		a = deps[d];
		if (a >= min && (deep || c->stamp[a] != t + 1)) {
			c->stamp[a] = t + 1;
			c->stack[sp++] = a;
		}
	}
	while (deep && sp) {
		const struct coll_xfer *x = &s->xfers[c->stack[--sp]];

		deps = coll_xfer_deps(s, x);
		for (d = 0; d < x->ndeps; d++) {
			a = deps[d];
			if (a >= min && c->stamp[a] != t + 1) {
				c->stamp[a] = t + 1;
				c->stack[sp++] = a;
			}
		}
	}
}

static int check_order(struct chk *c, uint32_t t)
{
	uint32_t i, min = UINT32_MAX;
	bool all = true;

	for (i = 0; i < c->nq; i++)
		if (c->q[i].xfer < min)
			min = c->q[i].xfer;
	if (!c->nq)
		return 0;
	mark_ancestors(c, t, min, false);
	for (i = 0; i < c->nq && all; i++)
		all = c->stamp[c->q[i].xfer] == t + 1;
	if (all)
		return 0;
	mark_ancestors(c, t, min, true);
	for (i = 0; i < c->nq; i++) {
		const struct chk_query *q = &c->q[i];

		if (c->stamp[q->xfer] != t + 1)
			return fail(c, "xfer %u %s xfer %u (rank %u offset %llu"
				    ") without depending on it", t, q->what,
				    q->xfer, q->rank, (unsigned long long)q->off_bytes);
	}
	return 0;
}

/*
 * Out of place, a REDUCE into OUT bytes not written yet starts from IN's
 * (OUT = IN (+) src): OUT takes IN's state first. The annotation must
 * say so exactly when OUT is unwritten there.
 */
static int oop_dst_base(struct chk *c, uint32_t t, uint32_t di, uint64_t *db)
{
	const struct coll_xfer *x = &c->s->xfers[t];
	bool first = c->oop->flags[t] & COLL_OOP_DST_IN;

	if (x->op != COLL_OP_REDUCE)
		return 0;
	if (first != bits_empty(c, db))
		return fail(c, "xfer %u: out-of-place annotation says its output at rank %u offset %llu is %s",
			    t, x->dst_rank, (unsigned long long)c->bnd[di].off_bytes,
			    first ? "unwritten, but it holds data" : "written, but it holds none");
	if (first) {
		memcpy(db, c->in_bits + (uint64_t)di * c->words, c->words * sizeof(*db));
		c->delta[di] = c->in_delta[di];
	}
	return 0;
}

static int apply_seg(struct chk *c, uint32_t t, uint32_t si, uint32_t di)
{
	const struct coll_xfer *x = &c->s->xfers[t];
	bool from_in = c->oop && (c->oop->flags[t] & COLL_OOP_SRC_IN);
	uint64_t *sb = from_in ? c->in_bits + (uint64_t)si * c->words : bits_at(c, si);
	uint64_t *db = bits_at(c, di);
	int64_t delta = (from_in ? c->in_delta[si] : c->delta[si]) +
			(int64_t)x->src_off_bytes - (int64_t)x->dst_off_bytes;
	uint64_t doff = c->bnd[di].off_bytes;
	uint32_t dup;

	if (c->oop && oop_dst_base(c, t, di, db))
		return -EINVAL;

	if (bits_empty(c, sb))
		return fail(c, "xfer %u reads undefined data at rank %u offset %llu", t, x->src_rank,
			    (unsigned long long)c->bnd[si].off_bytes);
	if (x->op == COLL_OP_COPY) {
		if (c->delta[di] == delta && !memcmp(db, sb, c->words * sizeof(*sb)))
			return fail(c, "xfer %u is redundant: rank %u already holds that data at offset %llu",
				    t, x->dst_rank, (unsigned long long)doff);
		memcpy(db, sb, c->words * sizeof(*sb));
		c->delta[di] = delta;
		return 0;
	}
	if (bits_empty(c, db))
		return fail(c, "xfer %u reduces into undefined data at rank %u"
			    " offset %llu", t, x->dst_rank, (unsigned long long)doff);
	if (c->delta[di] != delta)
		return fail(c, "xfer %u reduces data of different elements at rank %u"
			    " offset %llu", t, x->dst_rank, (unsigned long long)doff);
	dup = bits_common(c, db, sb);
	if (dup != COLL_NONE)
		return fail(c, "xfer %u counts rank %u's contribution twice at rank %u offset %llu",
			    t, dup, x->dst_rank, (unsigned long long)doff);
	for (dup = 0; dup < c->words; dup++)
		db[dup] |= sb[dup];
	return 0;
}

static int note_access(struct chk *c, uint32_t t, size_t si, size_t di)
{
	if (push((void **)&c->pool, &c->npool, &c->pool_cap, sizeof(*c->pool)))
		return nomem(c);
	c->pool[c->npool].xfer = t;
	c->pool[c->npool].next = c->readers[si];
	c->readers[si] = c->npool++;
	c->writer[di] = t;
	c->readers[di] = COLL_NONE;
	return 0;
}

static int execute(struct chk *c, uint32_t t)
{
	const struct coll_xfer *x = &c->s->xfers[t];
	uint32_t si = bnd_index(c, x->src_rank, x->src_off_bytes);
	uint32_t di = bnd_index(c, x->dst_rank, x->dst_off_bytes);
	int ret;

	ret = gather_queries(c, t);
	if (!ret)
		ret = check_order(c, t);
	/* Closed boundaries: source and destination segments pair up. */
	for (; !ret && c->bnd[si].off_bytes < x->src_off_bytes + x->bytes; si++, di++) {
		ret = apply_seg(c, t, si, di);
		if (!ret)
			ret = note_access(c, t, si, di);
	}
	return ret;
}

/* Expected holder set and origin shift of (rank, segment), or false: free. */
static bool expected(const struct chk *c, uint32_t seg, uint64_t *want,
		     int64_t *delta)
{
	const struct coll_sched *s = c->s;
	uint32_t rank = c->bnd[seg].rank;
	uint64_t off = c->bnd[seg].off_bytes, boff, blen, roff;
	uint32_t i;

	*delta = 0;
	memset(want, 0, c->words * sizeof(*want));
	switch (s->kind) {
	case COLL_ALLREDUCE:
		for (i = 0; i < s->nranks; i++)
			want[i / 64] |= 1ull << (i % 64);
		return true;
	case COLL_REDUCESCATTER:
		coll_block_range(s, rank, &boff, &blen);
		if (off < boff || off >= boff + blen)
			return false;
		for (i = 0; i < s->nranks; i++)
			want[i / 64] |= 1ull << (i % 64);
		return true;
	case COLL_ALLGATHER:
		for (i = 0; i < s->nranks; i++) {
			coll_block_range(s, i, &boff, &blen);
			if (off >= boff && off < boff + blen)
				break;
		}
		bits_set_one(c, want, i);
		return true;
	case COLL_BROADCAST:
		bits_set_one(c, want, s->root);
		return true;
	case COLL_REDUCE:
		if (rank != s->root)
			return false;
		for (i = 0; i < s->nranks; i++)
			want[i / 64] |= 1ull << (i % 64);
		return true;
	case COLL_SENDRECV:
		if (off < s->bytes)
			return false;
		bits_set_one(c, want, (rank + s->nranks - 1) % s->nranks);
		*delta = -(int64_t)s->bytes;
		return true;
	default:
		for (i = 0; i < s->nranks && off >= s->bytes; i++) {
			coll_a2a_range(s, i, rank, &boff, &roff, &blen);
			if (off >= roff && off < roff + blen) {
				bits_set_one(c, want, i);
				*delta = (int64_t)boff - (int64_t)roff;
				return true;
			}
		}
		return false;
	}
}

/* Out of place, last: each local copy IN -> OUT, onto bytes no transfer wrote. */
static int oop_copies(struct chk *c)
{
	const struct coll_oop *o = c->oop;
	uint32_t i, seg, end;

	for (i = 0; i < o->ncopies; i++) {
		const struct coll_oop_copy *k = &o->copies[i];

		if (k->rank >= c->s->nranks || !k->bytes || k->off_bytes > c->s->buf_bytes ||
		    k->bytes > c->s->buf_bytes - k->off_bytes)
			return fail(c, "out-of-place copy %u: outside rank and buffer", i);
		seg = bnd_index(c, k->rank, k->off_bytes);
		end = bnd_index(c, k->rank, k->off_bytes + k->bytes);
		if (c->bnd[seg].off_bytes != k->off_bytes ||
		    c->bnd[end].off_bytes != k->off_bytes + k->bytes)
			return fail(c, "out-of-place copy %u: not on segment boundaries", i);
		for (; seg < end; seg++) {
			if (c->writer[seg] != COLL_NONE)
				return fail(c, "out-of-place copy %u overwrites rank %u offset %llu, written by xfer %u",
					    i, k->rank, (unsigned long long)c->bnd[seg].off_bytes, c->writer[seg]);
			memcpy(bits_at(c, seg), c->in_bits + (uint64_t)seg * c->words,
			       c->words * sizeof(uint64_t));
			c->delta[seg] = c->in_delta[seg];
		}
	}
	return 0;
}

static int check_result(struct chk *c, uint64_t *want)
{
	const struct coll_sched *s = c->s;
	uint32_t seg, miss;
	int64_t delta;

	for (seg = 0; seg < c->nbnd; seg++) {
		const uint64_t *have = bits_at(c, seg);
		const struct chk_bnd *b = &c->bnd[seg];

		/* A rank's last boundary is its buffer end, not a segment. */
		if (b->off_bytes == s->buf_bytes || !expected(c, seg, want, &delta))
			continue;
		miss = bits_missing(c, have, want);
		if (miss != COLL_NONE)
			return fail(c, "result: rank %u offset %llu lacks rank %u's data", b->rank,
				    (unsigned long long)b->off_bytes, miss);
		if (memcmp(have, want, c->words * sizeof(*want)) || c->delta[seg] != delta)
			return fail(c, "result: rank %u offset %llu holds the wrong data", b->rank,
				    (unsigned long long)b->off_bytes);
	}
	return 0;
}

static int run(struct chk *c)
{
	const struct coll_sched *s = c->s;
	uint64_t *want;
	uint32_t t, seg;
	int ret = 0;

	for (t = 0; t < s->nxfers && !ret; t++)
		ret = check_shape(c, t);
	if (ret)
		return ret;
	ret = build_bnd(c);
	if (ret == -E2BIG) {
		fail(c, "offsets too irregular to check");
		return -E2BIG;
	}
	if (ret || !s->buf_bytes)
		return ret;
	ret = alloc_state(c);
	if (ret)
		return ret;
	for (seg = 0; seg < c->nbnd; seg++)
		if (c->bnd[seg].off_bytes < s->buf_bytes)
			initial_state(c, seg);
	for (t = 0; t < s->nxfers && !ret; t++)
		ret = execute(c, t);
	if (!ret && c->oop)
		ret = oop_copies(c);
	if (ret)
		return ret;
	want = malloc(c->words * sizeof(*want));
	if (!want)
		return nomem(c);
	ret = check_result(c, want);
	free(want);
	return ret;
}

/*
 * The construction on rails (algo_ring.c): a PXN transfer crosses servers
 * between GPUs of different local indices through a GPU that exists; on a
 * ring on rails channel c enters every server at local GPU c and leaves it
 * from local GPU c-1, through NIC c with PXN (through its own NIC without).
 */
static int check_rails(struct chk *c)
{
	const struct coll_sched *s = c->s;
	uint32_t g = s->gpus_per_server, t;
	bool rings = s->algo == COLL_ALGO_RING && coll_ring_on_rails(s->nranks, g);

	for (t = 0; t < s->nxfers; t++) {
		const struct coll_xfer *x = &s->xfers[t];
		uint32_t lc, nic;
		bool inter = g > 1 && x->src_rank / g != x->dst_rank / g;

		if (x->src_rank >= s->nranks || x->dst_rank >= s->nranks)
			continue;	/* check_shape says so */
		if (x->pxn && (!inter || x->src_rank % g == x->dst_rank % g ||
			       coll_pxn_relay(g, x->src_rank, x->dst_rank) >= s->nranks))
			return fail(c, "xfer %u: PXN %u->%u is not an inter-server transfer between local "
				    "indices that differ", t, x->src_rank, x->dst_rank);
		if (!rings || !inter)
			continue;
		lc = x->channel % g;
		nic = coll_xfer_nic_rank(s, x) % g;
		if (x->dst_rank % g != lc || x->src_rank % g != (lc + g - 1) % g)
			return fail(c, "xfer %u: channel %u's inter-server hop %u->%u is not local GPU %u -> %u",
				    t, x->channel, x->src_rank, x->dst_rank, (lc + g - 1) % g, lc);
		if (s->pxn && nic != lc)
			return fail(c, "xfer %u: channel %u's inter-server hop %u->%u uses NIC %u, not %u",
				    t, x->channel, x->src_rank, x->dst_rank, nic, lc);
	}
	return 0;
}

/* Local GPUs A and B are neighbours in the chain HEAD, HEAD+1, ..., HEAD-1 of G GPUs. */
static bool chain_link(uint32_t g, uint32_t head, uint32_t a, uint32_t b)
{
	uint32_t pa = (a + g - head) % g, pb = (b + g - head) % g;

	return pa + 1 == pb || pb + 1 == pa;
}

/* Servers A and B are parent and child in tree 0 or 1 over NN servers. */
static bool node_link(uint32_t nn, uint32_t a, uint32_t b)
{
	unsigned int tr;

	for (tr = 0; tr < 2; tr++)
		if (coll_tree_parent(nn, tr, a) == b || coll_tree_parent(nn, tr, b) == a)
			return true;
	return false;
}

/*
 * The tree on rails (algo_tree.c, NCCL's connectTrees): inside a server
 * channel c links local GPUs adjacent in its chain c, c+1, ..., c-1; across
 * servers only its heads talk, GPU c to GPU c (NIC c to NIC c, rail c), and
 * only between servers that are parent and child in one of the two trees
 * over servers. hier-tree (algo_hiertree.c): across servers GPU l to GPU l
 * of the same local index (NIC l, rail l), between servers linked in a tree.
 */
static int check_hiertree(struct chk *c)
{
	const struct coll_sched *s = c->s;
	uint32_t g = s->gpus_per_server, t;

	for (t = 0; t < s->nxfers; t++) {
		const struct coll_xfer *x = &s->xfers[t];
		uint32_t a = x->src_rank, b = x->dst_rank;

		if (a >= s->nranks || b >= s->nranks || !g || a / g == b / g)
			continue;	/* check_shape says so, or inside a server */
		if (a % g != b % g || coll_xfer_nic_rank(s, x) != a)
			return fail(c, "xfer %u: hier-tree's inter-server transfer %u->%u leaves its rail "
				    "(local GPU %u -> %u, NIC %u)", t, a, b, a % g, b % g,
				    coll_xfer_nic_rank(s, x) % g);
		if (!node_link(s->nranks / g, a / g, b / g))
			return fail(c, "xfer %u: servers %u and %u are not parent and child in either tree "
				    "over servers", t, a / g, b / g);
	}
	return 0;
}

static int check_trees(struct chk *c)
{
	const struct coll_sched *s = c->s;
	uint32_t g = s->gpus_per_server, t;

	if (s->algo == COLL_ALGO_HIERTREE)
		return check_hiertree(c);
	if (s->algo != COLL_ALGO_TREE || !coll_ring_on_rails(s->nranks, g))
		return 0;
	for (t = 0; t < s->nxfers; t++) {
		const struct coll_xfer *x = &s->xfers[t];
		uint32_t head = x->channel % g, a = x->src_rank, b = x->dst_rank, nic;

		if (a >= s->nranks || b >= s->nranks || a == b)
			continue;	/* check_shape says so */
		if (a / g == b / g) {
			if (!chain_link(g, head, a % g, b % g))
				return fail(c, "xfer %u: %u->%u is not a link of channel %u's chain in server %u "
					    "(local GPUs %u, %u+1, ...)", t, a, b, x->channel, a / g, head, head);
			continue;
		}
		nic = coll_xfer_nic_rank(s, x) % g;
		if (a % g != head || b % g != head || nic != head)
			return fail(c, "xfer %u: channel %u's inter-server transfer %u->%u is local GPU %u -> %u "
				    "through NIC %u, not GPU %u -> %u through NIC %u (its head, rail %u)", t,
				    x->channel, a, b, a % g, b % g, nic, head, head, head, head);
		if (!node_link(s->nranks / g, a / g, b / g))
			return fail(c, "xfer %u: servers %u and %u are not parent and child in either tree "
				    "over servers", t, a / g, b / g);
	}
	return 0;
}

static int check_with(const struct coll_sched *s, const struct coll_oop *oop,
		      char *err, size_t err_len)
{
	struct chk c = { .s = s, .err = err, .err_len = err_len, .oop = oop };
	int ret;

	if (err && err_len)
		err[0] = '\0';
	if (!s->nranks || !s->elem_bytes || !s->nchannels || s->bytes % s->elem_bytes)
		return fail(&c, "schedule header: bad nranks, elem_bytes, channels or bytes");
	/* every rank has a segment of at least words + 3 state words */
	if ((uint64_t)s->nranks * 4 > CHK_MAX_STATE_WORDS) {
		fail(&c, "schedule too large to check (%u ranks)", s->nranks);
		return -E2BIG;
	}
	ret = check_rails(&c);
	if (!ret)
		ret = check_trees(&c);
	if (ret)
		return ret;
	ret = run(&c);
	free_chk(&c);
	return ret;
}

int coll_sched_check(const struct coll_sched *s, char *err, size_t err_len)
{
	return check_with(s, NULL, err, err_len);
}

int coll_sched_check_oop(const struct coll_sched *s, const struct coll_oop *o,
			 char *err, size_t err_len)
{
	return check_with(s, o, err, err_len);
}
