/*
 * Size of a schedule before it is built: upper bounds on its transfers and
 * on the memory the builder takes (transfers, dependencies, the last-writer
 * table, per-rank scratch). coll_build refuses what cannot be indexed or
 * would not fit in memory, so that `sched -n 4294967295` says so at once
 * instead of allocating gigabytes first. All arithmetic saturates. The
 * bounds of each algorithm are its estimate hook, next to its builder.
 */
#include <errno.h>
#include <stdio.h>

#include "collectives/algo.h"
#include "collectives/arith.h"

/* Dependencies a transfer names, on average, at most (data deps + link order). */
#define COLL_EST_DEPS 4

/* The algorithm's own bounds; an algorithm outside the table bounds nothing. */
static void algo_estimate(const struct coll_params *p, struct coll_est *e)
{
	const struct coll_algo_ops *ops = coll_algo_ops(p->algo);

	e->n = p->nranks ? p->nranks : 1;
	e->nch = p->nchannels ? p->nchannels : 1;
	e->elems = p->elem_bytes ? p->bytes / p->elem_bytes : 0;
	if (ops) {
		ops->estimate(p, e);
		return;
	}
	e->xfers = UINT64_MAX;
	e->atoms = UINT64_MAX;
	e->aux_bytes = UINT64_MAX;
}

void coll_sched_bounds(const struct coll_params *p, uint64_t *nxfers, uint64_t *table_entries)
{
	struct coll_est e = { 0 };

	algo_estimate(p, &e);
	*nxfers = e.xfers;
	*table_entries = coll_mul_sat_u64(e.atoms, e.n);
}

void coll_sched_estimate(const struct coll_params *p, uint64_t *nxfers, uint64_t *mem_bytes)
{
	uint64_t per_xfer, mem;
	struct coll_est e = { 0 };

	algo_estimate(p, &e);
	per_xfer = sizeof(struct coll_xfer) + COLL_EST_DEPS * sizeof(uint32_t);
	mem = coll_mul_sat_u64(e.xfers, per_xfer);
	/* last-writer table, atom offsets and lengths, dependency scratch */
	mem = coll_add_sat_u64(mem, coll_est_mul3(e.atoms, e.n, sizeof(uint32_t)));
	mem = coll_add_sat_u64(mem, coll_mul_sat_u64(e.atoms, 2 * sizeof(uint64_t) + 2 * sizeof(uint32_t)));
	mem = coll_add_sat_u64(mem, e.aux_bytes);
	*nxfers = e.xfers;
	*mem_bytes = mem;
}

int coll_build_guard(struct coll_sched *s, const struct coll_params *p)
{
	uint64_t nxfers, mem;
	char what[128];

	coll_sched_estimate(p, &nxfers, &mem);
	if (nxfers > UINT32_MAX - 3) {
		snprintf(s->err, sizeof(s->err), "%s %s over %u ranks would take up to %llu transfers, more than "
			 "the %u a schedule can index: use fewer ranks or channels, or a larger chunk",
			 coll_kind_name(p->kind), coll_algo_name(p->algo), p->nranks,
			 (unsigned long long)nxfers, UINT32_MAX - 3);
		return -E2BIG;
	}
	snprintf(what, sizeof(what), "the %s %s schedule over %u ranks (up to %llu transfers)",
		 coll_kind_name(p->kind), coll_algo_name(p->algo), p->nranks, (unsigned long long)nxfers);
	return coll_mem_guard(mem, what, s->err, sizeof(s->err));
}
