/*
 * Shared builder machinery: the atom layout, dependency derivation from the
 * last-writer table, and the pipelined ring that ring, hier (and through
 * them allgather/reducescatter) are made of. See algo.h for the model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"

/* Bounds the last-writer table: nranks * natoms entries. */
#define COLL_MAX_TABLE (1ull << 30)

bool coll_is_intra(const struct coll_params *p, uint32_t a, uint32_t b)
{
	if (a == b)
		return true;
	return p->gpus_per_server && a / p->gpus_per_server == b / p->gpus_per_server;
}

/*
 * PXN applies to a GPU -> NIC path when the NIC is not the GPU's own and a
 * GPU of the same server reaches it through NVLink: NCCL src/graph/paths.c
 * ncclTopoComputePaths, "PXN = PCI + NVLink" (addInterStep GPU -> GPU ->
 * NET, "only enabling it in the GPU->NIC direction for now to favor
 * receiving locally and sending remotely"). In fabsim a GPU's own NIC sits
 * on the rail of its local index, so a transfer to another server uses the
 * destination's rail through the source server's GPU of that index.
 */
bool coll_is_pxn(const struct coll_params *p, uint32_t src, uint32_t dst, bool intra)
{
	uint32_t g = p->gpus_per_server;

	if (!p->pxn || intra || g < 2 || src % g == dst % g)
		return false;
	return coll_pxn_relay(g, src, dst) < p->nranks;
}

uint32_t coll_nchunks(const struct coll_params *p, uint64_t elems, uint64_t parts)
{
	uint64_t chunk_elems, k;

	if (!p->chunk_bytes || !elems)
		return 1;
	chunk_elems = p->chunk_bytes / p->elem_bytes;
	if (!chunk_elems)
		chunk_elems = 1;
	/* A chunk of ceil(elems / k) split in parts stays <= chunk_elems. */
	k = coll_div_up(elems, chunk_elems);
	k = coll_div_up(k, parts);
	if (k > UINT32_MAX)
		return UINT32_MAX;
	return k ? (uint32_t)k : 1;
}

/* Offsets of every atom: split level by level, the last level fastest. */
static void layout_atoms(struct coll_ctx *x, const uint64_t *radix,
			 unsigned int nlevels)
{
	uint64_t elems = x->s->bytes / x->s->elem_bytes;
	uint32_t a;
	unsigned int l;

	for (a = 0; a < x->natoms; a++) {
		uint64_t off = 0, len = elems, rest = a, div = x->natoms;

		for (l = 0; l < nlevels; l++) {
			uint64_t digit, sub_off;

			div /= radix[l];
			digit = rest / div;
			rest %= div;
			coll_split(len, radix[l], digit, &sub_off, &len);
			off += sub_off;
		}
		x->atom_off[a] = off * x->s->elem_bytes;
		x->atom_len[a] = len * x->s->elem_bytes;
	}
}

int coll_ctx_init(struct coll_ctx *x, struct coll_sched *s,
		  const struct coll_params *p, const uint64_t *radix,
		  unsigned int nlevels)
{
	uint64_t natoms = 1;
	unsigned int l;

	memset(x, 0, sizeof(*x));
	x->s = s;
	x->p = p;
	for (l = 0; l < nlevels; l++) {
		natoms *= radix[l];
		if (natoms > UINT32_MAX / 4)
			return -E2BIG;
	}
	if (natoms * s->nranks > COLL_MAX_TABLE)
		return -E2BIG;
	x->natoms = (uint32_t)natoms;
	x->atom_off = malloc(natoms * sizeof(*x->atom_off));
	if (!x->atom_off)
		goto err_nomem;
	x->atom_len = malloc(natoms * sizeof(*x->atom_len));
	if (!x->atom_len)
		goto err_free_off;
	x->last = malloc(natoms * s->nranks * sizeof(*x->last));
	if (!x->last)
		goto err_free_len;
	x->scratch = malloc((2 * natoms + 1) * sizeof(*x->scratch));
	if (!x->scratch)
		goto err_free_last;
	memset(x->last, 0xff, natoms * s->nranks * sizeof(*x->last));
	layout_atoms(x, radix, nlevels);
	return 0;

err_free_last:
	free(x->last);
err_free_len:
	free(x->atom_len);
err_free_off:
	free(x->atom_off);
err_nomem:
	memset(x, 0, sizeof(*x));
	return -ENOMEM;
}

void coll_ctx_fini(struct coll_ctx *x)
{
	free(x->scratch);
	free(x->last);
	free(x->atom_len);
	free(x->atom_off);
	memset(x, 0, sizeof(*x));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Read-after-write on the source, write-after-write on the destination. */
static uint32_t gather_deps(struct coll_ctx *x, const struct coll_piece *pc,
			    uint32_t extra_dep)
{
	const uint32_t *src_last = x->last + (uint64_t)pc->src * x->natoms;
	const uint32_t *dst_last = x->last + (uint64_t)pc->dst * x->natoms;
	uint32_t n = 0, i, out = 0;

	for (i = pc->lo; i < pc->hi; i++) {
		if (src_last[i] != COLL_NONE)
			x->scratch[n++] = src_last[i];
		if (dst_last[i] != COLL_NONE)
			x->scratch[n++] = dst_last[i];
	}
	if (extra_dep != COLL_NONE)
		x->scratch[n++] = extra_dep;
	qsort(x->scratch, n, sizeof(*x->scratch), cmp_u32);
	for (i = 0; i < n; i++)
		if (!out || x->scratch[out - 1] != x->scratch[i])
			x->scratch[out++] = x->scratch[i];
	return out;
}

int coll_emit(struct coll_ctx *x, const struct coll_piece *pc,
	      uint32_t extra_dep, uint32_t *idx)
{
	struct coll_xfer xf = { 0 };
	uint32_t ndeps, i;
	int ret;

	*idx = COLL_NONE;
	if (pc->lo >= pc->hi)
		return 0;
	xf.bytes = x->atom_off[pc->hi - 1] + x->atom_len[pc->hi - 1] -
		   x->atom_off[pc->lo];
	if (!xf.bytes)
		return 0;
	xf.src_rank = pc->src;
	xf.dst_rank = pc->dst;
	xf.src_off_bytes = x->atom_off[pc->lo];
	xf.dst_off_bytes = x->atom_off[pc->lo];
	xf.op = pc->op;
	xf.channel = pc->channel;
	xf.step = pc->step;
	xf.intra = coll_is_intra(x->p, pc->src, pc->dst);
	xf.pxn = coll_is_pxn(x->p, pc->src, pc->dst, xf.intra);
	ndeps = gather_deps(x, pc, extra_dep);
	ret = coll_sched_add(x->s, &xf, x->scratch, ndeps, idx);
	if (ret)
		return ret;
	for (i = pc->lo; i < pc->hi; i++)
		x->last[(uint64_t)pc->dst * x->natoms + i] = *idx;
	return 0;
}

/*
 * Ring step s < m - 1 reduces block (p - s - 1) from member p into p + 1;
 * step m - 1 + t copies block (p - t) onwards. Besides data dependencies a
 * transfer waits for the same step of the previous chunk on its link, so a
 * link carries a ring step's chunks in order (NCCL's FIFO per connection).
 */
static int ring_step(struct coll_ctx *x, const struct coll_ring *r, uint32_t k,
		     uint32_t s, uint32_t *prev)
{
	uint32_t m = r->m, p, b, idx;
	bool reduce = s < m - 1;
	struct coll_piece pc = {
		.channel = r->channel,
		.op = reduce ? COLL_OP_REDUCE : COLL_OP_COPY,
		.step = r->step0 + (r->rs ? s : s - (m - 1)),
	};
	int ret;

	for (p = 0; p < m; p++) {
		b = reduce ? (p + 2 * m - s - 1) % m : (p + 2 * m - (s - (m - 1))) % m;
		if (r->blocks)
			b = r->blocks[b];
		pc.src = r->members[p];
		pc.dst = r->members[(p + 1) % m];
		pc.lo = r->base + b * r->stride_b + k * r->stride_k;
		pc.hi = pc.lo + r->width;
		ret = coll_emit(x, &pc, prev[(uint64_t)s * m + p], &idx);
		if (ret)
			return ret;
		if (idx != COLL_NONE)
			prev[(uint64_t)s * m + p] = idx;
	}
	return 0;
}

int coll_ring_run(struct coll_ctx *x, const struct coll_ring *r)
{
	uint32_t m = r->m, nsteps, k, s, *prev;
	int ret = 0;

	if (m < 2)
		return 0;
	nsteps = 2 * (m - 1);
	prev = malloc((uint64_t)nsteps * m * sizeof(*prev));
	if (!prev)
		return -ENOMEM;
	memset(prev, 0xff, (uint64_t)nsteps * m * sizeof(*prev));
	for (k = 0; k < r->nchunks && !ret; k++) {
		for (s = 0; s < nsteps && !ret; s++) {
			if ((s < m - 1 && !r->rs) || (s >= m - 1 && !r->ag))
				continue;
			ret = ring_step(x, r, k, s, prev);
		}
	}
	free(prev);
	return ret;
}
