/*
 * Generators of collective schedules (gen.h): the dispatch to an
 * algorithm's own generator, the wrapper that gives a built schedule the
 * generator interface, and the way back (coll_gen_materialize).
 *
 * The wrapper answers xfer and ndeps from the schedule itself and succ
 * from the schedule's dependencies inverted once into successor lists
 * (CSR: a start index per transfer, one 4-byte entry per dependency).
 * Successors come out ascending because the inversion walks the
 * dependents in id order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/gen.h"

/* The wrapper's state: the schedule (owned when coll_gen_create built it) and its successor lists. */
struct coll_gen_wrap {
	const struct coll_sched *s;
	struct coll_sched own;		/* built by coll_gen_create; empty for coll_gen_from_sched */
	uint32_t *succ_first;		/* nxfers + 1 entries: succ[succ_first[i] ..) are i's */
	uint32_t *succ;			/* one entry per dependency */
};

static const struct coll_gen_wrap *coll_wrap_of(const struct coll_gen *g)
{
	return g->priv;
}

static uint64_t coll_wrap_count(const struct coll_gen *g)
{
	return coll_wrap_of(g)->s->nxfers;
}

static void coll_wrap_xfer(const struct coll_gen *g, uint64_t id, struct coll_xfer *x)
{
	*x = coll_wrap_of(g)->s->xfers[id];
	x->dep_first = 0;
	x->ndeps = 0;
}

static uint32_t coll_wrap_ndeps(const struct coll_gen *g, uint64_t id)
{
	return coll_wrap_of(g)->s->xfers[id].ndeps;
}

static uint32_t coll_wrap_succ(const struct coll_gen *g, uint64_t id, uint32_t from, uint64_t *out, uint32_t max)
{
	const struct coll_gen_wrap *w = coll_wrap_of(g);
	uint32_t first = w->succ_first[id], n = w->succ_first[id + 1] - first, k = 0;

	for (uint32_t i = from; i < n && k < max; i++)
		out[k++] = w->succ[first + i];
	return k;
}

static uint32_t coll_wrap_roots(const struct coll_gen *g, uint64_t *cursor, uint64_t *out, uint32_t max)
{
	const struct coll_sched *s = coll_wrap_of(g)->s;
	uint32_t k = 0;
	uint64_t i;

	for (i = *cursor; i < s->nxfers && k < max; i++)
		if (!s->xfers[i].ndeps)
			out[k++] = i;
	*cursor = i;
	return k;
}

static void coll_wrap_free(struct coll_gen *g)
{
	struct coll_gen_wrap *w = g->priv;

	if (!w)
		return;
	coll_sched_free(&w->own);
	free(w->succ_first);
	free(w->succ);
	free(w);
	g->priv = NULL;
}

static const struct coll_gen_ops coll_wrap_ops = {
	.count = coll_wrap_count,
	.xfer = coll_wrap_xfer,
	.ndeps = coll_wrap_ndeps,
	.succ = coll_wrap_succ,
	.roots = coll_wrap_roots,
	.free = coll_wrap_free,
};

/* Inverts S's dependencies into W's successor lists: 0 or -ENOMEM. */
static int coll_wrap_link(struct coll_gen_wrap *w, const struct coll_sched *s)
{
	uint32_t *pos;

	w->succ_first = calloc((size_t)s->nxfers + 1, sizeof(*w->succ_first));
	w->succ = malloc((s->ndeps ? s->ndeps : 1) * sizeof(*w->succ));
	pos = malloc(((size_t)s->nxfers + 1) * sizeof(*pos));
	if (!w->succ_first || !w->succ || !pos) {
		free(pos);
		return -ENOMEM;
	}
	for (uint32_t b = 0; b < s->nxfers; b++) {
		const uint32_t *deps = coll_xfer_deps(s, &s->xfers[b]);

		for (uint32_t k = 0; k < s->xfers[b].ndeps; k++)
			w->succ_first[deps[k] + 1]++;
	}
	for (uint32_t i = 0; i < s->nxfers; i++)
		w->succ_first[i + 1] += w->succ_first[i];
	memcpy(pos, w->succ_first, ((size_t)s->nxfers + 1) * sizeof(*pos));
	/* dependents in id order: each list ascending */
	for (uint32_t b = 0; b < s->nxfers; b++) {
		const uint32_t *deps = coll_xfer_deps(s, &s->xfers[b]);

		for (uint32_t k = 0; k < s->xfers[b].ndeps; k++)
			w->succ[pos[deps[k]]++] = b;
	}
	free(pos);
	return 0;
}

static void coll_gen_header(struct coll_gen *g, const struct coll_sched *s)
{
	g->kind = s->kind;
	g->algo = s->algo;
	g->nranks = s->nranks;
	g->nchannels = s->nchannels;
	g->gpus_per_server = s->gpus_per_server;
	g->pxn = s->pxn;
	g->elem_bytes = s->elem_bytes;
	g->bytes = s->bytes;
	g->buf_bytes = s->buf_bytes;
}

/* Wraps S, or W->own when S is NULL: 0 or -ENOMEM (W then freed). */
static int coll_wrap(struct coll_gen *g, struct coll_gen_wrap *w, const struct coll_sched *s)
{
	w->s = s ? s : &w->own;
	g->ops = &coll_wrap_ops;
	g->priv = w;
	coll_gen_header(g, w->s);
	if (coll_wrap_link(w, w->s)) {
		snprintf(g->err, sizeof(g->err), "out of memory for the successor lists of %u transfers",
			 w->s->nxfers);
		coll_wrap_free(g);
		return -ENOMEM;
	}
	return 0;
}

void coll_gen_from_sched(struct coll_gen *g, const struct coll_sched *s)
{
	struct coll_gen_wrap *w = calloc(1, sizeof(*w));

	memset(g, 0, sizeof(*g));
	/* a test or tool helper: out of memory here is fatal */
	if (!w || coll_wrap(g, w, s))
		abort();
}

int coll_gen_create(struct coll_gen *g, const struct coll_params *p)
{
	const struct coll_algo_ops *ops = coll_algo_ops(p->algo);
	const char *why = coll_params_error(p);
	struct coll_gen_wrap *w;
	int rc;

	memset(g, 0, sizeof(*g));
	if (why) {
		snprintf(g->err, sizeof(g->err), "%s", why);
		return -EINVAL;
	}
	if (ops->gen)
		return ops->gen(g, p);
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(g->err, sizeof(g->err), "out of memory");
		return -ENOMEM;
	}
	rc = coll_build(&w->own, p);
	if (rc) {
		snprintf(g->err, sizeof(g->err), "%s", w->own.err);
		coll_sched_free(&w->own);
		free(w);
		return rc;
	}
	return coll_wrap(g, w, NULL);
}

void coll_gen_free(struct coll_gen *g)
{
	if (g->ops && g->ops->free)
		g->ops->free(g);
	g->ops = NULL;
	g->priv = NULL;
}

/* S's arrays for N transfers and D dependencies: 0 or -ENOMEM. */
static int coll_gen_alloc(struct coll_sched *s, uint32_t n, uint32_t d)
{
	struct coll_xfer *x = realloc(s->xfers, (n ? n : 1) * sizeof(*x));
	uint32_t *deps;

	if (!x)
		return -ENOMEM;
	s->xfers = x;
	s->xfers_cap = n ? n : 1;
	deps = realloc(s->deps, (d ? d : 1) * sizeof(*deps));
	if (!deps)
		return -ENOMEM;
	s->deps = deps;
	s->deps_cap = d ? d : 1;
	return 0;
}

/* Every transfer of G with its dep range, in S (arrays sized); POS[i]: where i's next dep goes. */
static void coll_gen_fill(const struct coll_gen *g, struct coll_sched *s, uint32_t *pos)
{
	uint64_t out[64];
	uint32_t n = s->nxfers, d = 0;

	for (uint32_t i = 0; i < n; i++) {
		g->ops->xfer(g, i, &s->xfers[i]);
		s->xfers[i].dep_first = d;
		s->xfers[i].ndeps = g->ops->ndeps(g, i);
		pos[i] = d;
		d += s->xfers[i].ndeps;
	}
	/* predecessors in id order: every dep list comes out ascending */
	for (uint32_t a = 0; a < n; a++) {
		uint32_t from = 0, k;

		while ((k = g->ops->succ(g, a, from, out, 64)) > 0) {
			for (uint32_t j = 0; j < k; j++)
				s->deps[pos[out[j]]++] = a;
			from += k;
			if (k < 64)
				break;
		}
	}
}

int coll_gen_materialize(const struct coll_gen *g, struct coll_sched *s)
{
	uint64_t n = coll_gen_count(g), d = 0;
	uint32_t *pos;
	int rc;

	s->nxfers = 0;
	s->ndeps = 0;
	s->err[0] = 0;
	if (n >= UINT32_MAX - 2)
		return -E2BIG;
	for (uint64_t i = 0; i < n; i++)
		d += g->ops->ndeps(g, i);
	if (d >= UINT32_MAX - 2)
		return -E2BIG;
	pos = malloc((n ? n : 1) * sizeof(*pos));
	rc = pos ? coll_gen_alloc(s, (uint32_t)n, (uint32_t)d) : -ENOMEM;
	if (rc) {
		free(pos);
		snprintf(s->err, sizeof(s->err), "out of memory materializing %llu transfers", (unsigned long long)n);
		return rc;
	}
	s->kind = g->kind;
	s->algo = g->algo;
	s->nranks = g->nranks;
	s->nchannels = g->nchannels;
	s->gpus_per_server = g->gpus_per_server;
	s->pxn = g->pxn;
	s->elem_bytes = g->elem_bytes;
	s->bytes = g->bytes;
	s->buf_bytes = g->buf_bytes;
	s->nxfers = (uint32_t)n;
	s->ndeps = (uint32_t)d;
	coll_gen_fill(g, s, pos);
	free(pos);
	return 0;
}
