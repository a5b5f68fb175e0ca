/*
 * Out-of-place annotation of a schedule (coll_sched_oop, see sched.h): one
 * pass over the transfers in index order keeps, per rank, the set of bytes
 * of its output buffer written so far as sorted disjoint intervals; a
 * transfer's source and destination ranges are then unwritten (read the
 * input), written (read the output) or a mix, which no single read can
 * serve and is refused. What is left unwritten of each rank's result range
 * at the end is a local copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/sched.h"

struct ivset {
	uint64_t *lo;		/* bytes; lo[i] < hi[i] <= lo[i + 1] never touch */
	uint64_t *hi;
	uint32_t n, cap;
};

enum cover { COVER_NONE, COVER_FULL, COVER_SOME };

/* First interval whose end is >= OFF (a touching one included). */
static uint32_t iv_find(const struct ivset *v, uint64_t off)
{
	uint32_t lo = 0, hi = v->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->hi[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static enum cover iv_cover(const struct ivset *v, uint64_t a, uint64_t b)
{
	uint32_t i = iv_find(v, a + 1);

	if (i == v->n || v->lo[i] >= b)
		return COVER_NONE;
	return v->lo[i] <= a && v->hi[i] >= b ? COVER_FULL : COVER_SOME;
}

static int iv_add(struct ivset *v, uint64_t a, uint64_t b)
{
	uint32_t i = iv_find(v, a), j = i;

	while (j < v->n && v->lo[j] <= b)
		j++;
	if (i < j) {
		/* [a, b) touches intervals i..j-1: they become one */
		v->lo[i] = v->lo[i] < a ? v->lo[i] : a;
		v->hi[i] = v->hi[j - 1] > b ? v->hi[j - 1] : b;
		memmove(v->lo + i + 1, v->lo + j, (v->n - j) * sizeof(*v->lo));
		memmove(v->hi + i + 1, v->hi + j, (v->n - j) * sizeof(*v->hi));
		v->n -= j - i - 1;
		return 0;
	}
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? 2 * v->cap : 16;
		uint64_t *lo = realloc(v->lo, cap * sizeof(*lo)), *hi;

		if (!lo)
			return -ENOMEM;
		v->lo = lo;
		hi = realloc(v->hi, cap * sizeof(*hi));
		if (!hi)
			return -ENOMEM;
		v->hi = hi;
		v->cap = cap;
	}
	memmove(v->lo + i + 1, v->lo + i, (v->n - i) * sizeof(*v->lo));
	memmove(v->hi + i + 1, v->hi + i, (v->n - i) * sizeof(*v->hi));
	v->lo[i] = a;
	v->hi[i] = b;
	v->n++;
	return 0;
}

static int add_copy(struct coll_oop *o, uint32_t *cap, uint32_t rank, uint64_t a, uint64_t b)
{
	struct coll_oop_copy *c;

	if (o->ncopies == *cap) {
		uint32_t ncap = *cap ? 2 * *cap : 16;

		c = realloc(o->copies, ncap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		o->copies = c;
		*cap = ncap;
	}
	o->copies[o->ncopies++] = (struct coll_oop_copy){ .rank = rank, .off_bytes = a, .bytes = b - a };
	return 0;
}

/* The gaps of V inside RANK's result range. */
static int final_copies(const struct coll_sched *s, struct coll_oop *o, uint32_t *cap,
			uint32_t rank, const struct ivset *v)
{
	uint64_t off, len, at;
	uint32_t i;
	int ret = 0;

	if (!coll_result_range(s, rank, &off, &len))
		return 0;
	at = off;
	for (i = iv_find(v, off + 1); i < v->n && v->lo[i] < off + len && !ret; i++) {
		if (v->lo[i] > at)
			ret = add_copy(o, cap, rank, at, v->lo[i]);
		at = v->hi[i];
	}
	if (!ret && at < off + len)
		ret = add_copy(o, cap, rank, at, off + len);
	return ret;
}

static int mixed(char *err, size_t len, uint32_t t, const char *what, uint32_t rank, uint64_t off)
{
	if (err && len)
		snprintf(err, len, "xfer %u %s rank %u's bytes at offset %llu of which only some were "
			 "written before: out of place would need two sources", t, what, rank,
			 (unsigned long long)off);
	return -EINVAL;
}

static int annotate(const struct coll_sched *s, struct coll_oop *o, struct ivset *w,
		    char *err, size_t err_len)
{
	uint32_t t, r, cap = 0;
	int ret = 0;

	for (t = 0; t < s->nxfers && !ret; t++) {
		const struct coll_xfer *x = &s->xfers[t];
		enum cover src = iv_cover(&w[x->src_rank], x->src_off_bytes, x->src_off_bytes + x->bytes);
		enum cover dst = iv_cover(&w[x->dst_rank], x->dst_off_bytes, x->dst_off_bytes + x->bytes);

		if (src == COVER_SOME)
			return mixed(err, err_len, t, "reads", x->src_rank, x->src_off_bytes);
		if (x->op == COLL_OP_REDUCE && dst == COVER_SOME)
			return mixed(err, err_len, t, "reduces into", x->dst_rank, x->dst_off_bytes);
		o->flags[t] = (src == COVER_NONE ? COLL_OOP_SRC_IN : 0) |
			      (x->op == COLL_OP_REDUCE && dst == COVER_NONE ? COLL_OOP_DST_IN : 0);
		ret = iv_add(&w[x->dst_rank], x->dst_off_bytes, x->dst_off_bytes + x->bytes);
	}
	for (r = 0; r < s->nranks && !ret; r++)
		ret = final_copies(s, o, &cap, r, &w[r]);
	if (ret && err && err_len)
		snprintf(err, err_len, "out of memory");
	return ret;
}

int coll_sched_oop(const struct coll_sched *s, struct coll_oop *o, char *err, size_t err_len)
{
	struct ivset *w;
	uint32_t r;
	int ret;

	memset(o, 0, sizeof(*o));
	if (err && err_len)
		err[0] = '\0';
	o->flags = calloc(s->nxfers ? s->nxfers : 1, sizeof(*o->flags));
	w = calloc(s->nranks ? s->nranks : 1, sizeof(*w));
	if (!o->flags || !w) {
		ret = -ENOMEM;
		if (err && err_len)
			snprintf(err, err_len, "out of memory");
		goto out_free;
	}
	ret = annotate(s, o, w, err, err_len);
out_free:
	for (r = 0; w && r < s->nranks; r++) {
		free(w[r].lo);
		free(w[r].hi);
	}
	free(w);
	if (ret)
		coll_oop_free(o);
	return ret;
}

void coll_oop_free(struct coll_oop *o)
{
	free(o->flags);
	free(o->copies);
	memset(o, 0, sizeof(*o));
}
