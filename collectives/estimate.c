/*
 * Size of a schedule before it is built: upper bounds on its transfers and
 * on the memory the builder takes (transfers, dependencies, the last-writer
 * table, per-rank scratch). coll_build refuses what cannot be indexed or
 * would not fit in memory, so that `sched -n 4294967295` says so at once
 * instead of allocating gigabytes first. All arithmetic saturates.
 */
#include <errno.h>
#include <stdio.h>

#include "collectives/algo.h"
#include "collectives/arith.h"

/* Dependencies a transfer names, on average, at most (data deps + link order). */
#define COLL_EST_DEPS 4

struct coll_est {
	uint64_t xfers;
	uint64_t atoms;		/* per rank */
	uint64_t aux_bytes;	/* per-rank arrays of the builder */
};

static uint64_t mul3(uint64_t a, uint64_t b, uint64_t c)
{
	return coll_mul_sat_u64(coll_mul_sat_u64(a, b), c);
}

static void est_ring(const struct coll_params *p, uint64_t n, uint64_t nch, uint64_t elems,
		     struct coll_est *e)
{
	uint64_t k;

	if (p->kind == COLL_ALLREDUCE) {
		k = coll_nchunks(p, coll_div_up(elems, nch), n);
		e->xfers = mul3(mul3(nch, k, n), 2, n - 1);
	} else {
		k = coll_nchunks(p, coll_div_up(elems, coll_mul_sat_u64(n, nch)), 1);
		e->xfers = mul3(mul3(nch, k, n), 1, n - 1);
	}
	e->atoms = mul3(nch, k, n);
	/* ring members and the previous transfer of each (step, member) */
	e->aux_bytes = coll_add_sat_u64(coll_mul_sat_u64(n, 4), mul3(2 * sizeof(uint32_t), n, n));
}

static void est_rhd(uint64_t n, uint64_t nch, struct coll_est *e)
{
	uint64_t n2 = 1, log2 = 0;

	while (n2 <= n / 2) {
		n2 *= 2;
		log2++;
	}
	e->xfers = coll_mul_sat_u64(nch, coll_add_sat_u64(2 * (n - n2), mul3(2, n2, log2)));
	e->atoms = coll_mul_sat_u64(nch, n2);
	e->aux_bytes = coll_mul_sat_u64(n2, 2 * sizeof(uint32_t));
}

static void est_tree(const struct coll_params *p, uint64_t n, uint64_t nch, uint64_t elems,
		     struct coll_est *e)
{
	uint64_t k = coll_nchunks(p, coll_div_up(elems, coll_mul_sat_u64(2, nch)), 1);

	e->xfers = mul3(mul3(nch, 2, k), 2, n - 1);
	e->atoms = mul3(nch, 2, k);
	e->aux_bytes = coll_mul_sat_u64(n, 9 * sizeof(uint32_t));
}

static void est_hier(const struct coll_params *p, uint64_t n, uint64_t nch, uint64_t elems,
		     struct coll_est *e)
{
	uint64_t g = p->gpus_per_server ? p->gpus_per_server : 1, m = n / g;
	uint64_t k = coll_nchunks(p, coll_div_up(elems, coll_mul_sat_u64(nch, g)), m ? m : 1);
	uint64_t intra = mul3(mul3(2, m, k), g, g - 1), rails = mul3(mul3(g, k, m), 2, m ? m - 1 : 0);

	e->xfers = coll_mul_sat_u64(nch, coll_add_sat_u64(intra, rails));
	e->atoms = mul3(mul3(nch, g, k), m, 1);
	e->aux_bytes = coll_add_sat_u64(coll_mul_sat_u64(g > m ? g : m, 4),
				       mul3(2 * sizeof(uint32_t), g > m ? g : m, g > m ? g : m));
}

void coll_sched_estimate(const struct coll_params *p, uint64_t *nxfers, uint64_t *mem_bytes)
{
	uint64_t n = p->nranks ? p->nranks : 1, nch = p->nchannels ? p->nchannels : 1;
	uint64_t elems = p->elem_bytes ? p->bytes / p->elem_bytes : 0, per_xfer, mem;
	struct coll_est e = { 0 };

	switch (p->algo) {
	case COLL_ALGO_RING:
		est_ring(p, n, nch, elems, &e);
		break;
	case COLL_ALGO_RHD:
		est_rhd(n, nch, &e);
		break;
	case COLL_ALGO_TREE:
		est_tree(p, n, nch, elems, &e);
		break;
	case COLL_ALGO_HIER:
		est_hier(p, n, nch, elems, &e);
		break;
	default:
		e.xfers = coll_mul_sat_u64(n, n);
		e.aux_bytes = coll_mul_sat_u64(n, 4 * sizeof(uint32_t));
		break;
	}
	per_xfer = sizeof(struct coll_xfer) + COLL_EST_DEPS * sizeof(uint32_t);
	mem = coll_mul_sat_u64(e.xfers, per_xfer);
	/* last-writer table, atom offsets and lengths, dependency scratch */
	mem = coll_add_sat_u64(mem, mul3(e.atoms, n, sizeof(uint32_t)));
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
