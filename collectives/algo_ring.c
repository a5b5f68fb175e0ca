/*
 * Ring collectives. Every channel runs a ring on its own share of the data;
 * channels are independent, which is what lets a fabric spread them over
 * paths. Within a channel the data is cut into chunks that are pipelined
 * around the ring.
 *
 * Rank order. Without servers (gpus_per_server 0 or 1, or fewer than two
 * whole servers) every channel is 0 -> 1 -> ... -> n-1 -> 0. On servers of
 * G GPUs, each with its own NIC on the rail of its local index, the order
 * is NCCL's ring graph, so that channel c crosses between servers on rail
 * c mod G instead of every channel leaving through the same NIC:
 *  - NCCL's search (src/graph/search.cc, ncclTopoSearchRec*) builds each
 *    channel as NET -> GPU ... GPU -> NET: it enters the server through a
 *    NIC at the GPU closest to it (GPU c for NIC c on an 8 GPU x 8 NIC
 *    server), and with crossNic 0 "goes back to the same net": the channel
 *    leaves through NIC c as well (ncclTopoSearchRecGpu, the backToNet step
 *    skips nets with another asic/port, or another railId in 2.2x).
 *  - Inside the server, on NVSwitch systems the search tries the next GPU
 *    first ("NVSwitches prefer when we talk to a limited set of peers. Try
 *    to use neighbors first", ncclTopoSearchNextGpuSort: nextGpu =
 *    (index + 1) % ngpus), so the order is c, c+1, ..., G-1, 0, ..., c-1.
 *  - The last GPU, c-1, is not NIC c's: NCCL sends through NIC c anyway via
 *    PXN (src/graph/paths.cc: GPU c-1 -> NVLink -> GPU c -> NIC c), and
 *    the next server receives on its NIC c at its GPU c ("favor receiving
 *    locally and sending remotely").
 * So channel c's inter-server hop is GPU c-1 of server s to GPU c of
 * server s+1, and with PXN (coll_params.pxn, struct coll_xfer.pxn) NIC c
 * to NIC c, both on rail c. Without PXN it leaves through GPU c-1's own
 * NIC, rail c-1, and crosses rails in the fabric. Servers keep their order
 * in every channel (NCCL's connectRings chains the nodes in node order).
 * NCCL then duplicates the channels (connect.cc, "Duplicate channels
 * rings/trees"); the copies follow the same NICs, see coll_default_channels.
 *
 * allreduce: share -> chunk -> ring block (NCCL's loop: each chunk is one
 * reduce-scatter plus all-gather over n blocks), 2n(n-1) transfers a chunk.
 * allgather/reducescatter: rank block -> share -> chunk, so that rank r's
 * input (or result) stays one contiguous block r of the buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"
#include "collectives/gen.h"

bool coll_ring_on_rails(uint32_t nranks, uint32_t gpus_per_server)
{
	uint32_t g = gpus_per_server;

	return g > 1 && nranks % g == 0 && nranks / g >= 2;
}

void coll_ring_order(uint32_t nranks, uint32_t gpus_per_server, uint32_t channel, uint32_t *members)
{
	uint32_t g = gpus_per_server, i;

	for (i = 0; i < nranks; i++)
		members[i] = i;
	if (!coll_ring_on_rails(nranks, g))
		return;
	/* server s visits its local GPUs c, c+1, ..., c-1 (mod G) */
	for (i = 0; i < nranks; i++)
		members[i] = i - i % g + (channel + i % g) % g;
}

/*
 * NCCL's search on an 8 GPU x 8 NIC server finds one ring per NIC (each
 * NET -> GPU c ... -> NET c at the NIC's bandwidth, search.cc), then
 * ncclTopoPostset duplicates them when the intra-server bandwidth allows
 * (connect.cc "Duplicate channels rings/trees", bwIntra >= 25 GB/s: any
 * NVLink server), which is why NCCL_DEBUG=INFO prints Ring 00..15 on
 * 8 x H100 (NVIDIA/nccl issues #578, #1519). A duplicate follows the same
 * GPUs and NICs as its original, with its own connections (QPs, and so
 * its own ECMP path) and half of the data. The schedule keeps one
 * channel per NIC (a duplicate would double the transfers, past the 2^24
 * a job may have at 1,024 ranks) and the simulator spreads each message
 * over coll_default_dup connections (struct sim_flow.conn_dup), which
 * moves the same bytes on the same connections as the twin channels.
 */
uint32_t coll_default_channels(const struct coll_params *p)
{
	/*
	 * Trees: NCCL runs as many tree channels as ring channels (init.cc
	 * searches the tree graph with minChannels = maxChannels =
	 * ringGraph->nChannels, pattern BALANCED_TREE, then sets
	 * comm->nChannels = min(treeGraph->nChannels, ringGraph->nChannels)),
	 * duplicated as the rings (connect.cc connectTrees: the duplicate
	 * channel c + nChannels runs tree 1 of the double tree).
	 */
	bool graph = (p->algo == COLL_ALGO_RING && p->kind != COLL_ALLTOALL) ||
		     (p->algo == COLL_ALGO_TREE && p->kind == COLL_ALLREDUCE);

	if (!graph || !coll_ring_on_rails(p->nranks, p->gpus_per_server))
		return 1;
	return p->gpus_per_server < 32 ? p->gpus_per_server : 32;
}

uint32_t coll_default_dup(const struct coll_params *p)
{
	return coll_default_channels(p) > 1 ? 2 : 1;
}

static int ring_allreduce(struct coll_ctx *x, uint32_t *members)
{
	const struct coll_sched *s = x->s;
	uint64_t elems = s->bytes / s->elem_bytes;
	uint32_t n = s->nranks, nch = s->nchannels, c;
	uint32_t k = coll_nchunks(x->p, coll_div_up(elems, nch), n);
	uint64_t radix[] = { nch, k, n };
	struct coll_ring r = {
		.members = members, .m = n, .stride_b = 1, .stride_k = n,
		.width = 1, .nchunks = k, .rs = true, .ag = true,
	};
	int ret;

	ret = coll_ctx_init(x, x->s, x->p, radix, 3);
	for (c = 0; c < nch && !ret; c++) {
		coll_ring_order(n, s->gpus_per_server, c, members);
		r.channel = c;
		r.base = c * k * n;
		ret = coll_ring_run(x, &r);
	}
	return ret;
}

static int ring_blocks(struct coll_ctx *x, uint32_t *members, bool rs)
{
	const struct coll_sched *s = x->s;
	uint64_t elems = s->bytes / s->elem_bytes;
	uint32_t n = s->nranks, nch = s->nchannels, c;
	uint32_t k = coll_nchunks(x->p, coll_div_up(elems, (uint64_t)n * nch), 1);
	uint64_t radix[] = { n, nch, k };
	struct coll_ring r = {
		/* ring block p is rank members[p]'s block: the result layout's */
		.members = members, .blocks = members, .m = n, .stride_b = nch * k, .stride_k = 1,
		.width = 1, .nchunks = k, .rs = rs, .ag = !rs,
	};
	int ret;

	ret = coll_ctx_init(x, x->s, x->p, radix, 3);
	for (c = 0; c < nch && !ret; c++) {
		coll_ring_order(n, s->gpus_per_server, c, members);
		r.channel = c;
		r.base = c * k;
		ret = coll_ring_run(x, &r);
	}
	return ret;
}

static int ring_build(struct coll_sched *s, const struct coll_params *p)
{
	struct coll_ctx x = { 0 };
	uint32_t *members;
	int ret;

	members = malloc((size_t)s->nranks * sizeof(*members));
	if (!members)
		return -ENOMEM;
	x.s = s;
	x.p = p;
	if (s->kind == COLL_ALLREDUCE)
		ret = ring_allreduce(&x, members);
	else
		ret = ring_blocks(&x, members, s->kind == COLL_REDUCESCATTER);
	coll_ctx_fini(&x);
	free(members);
	return ret;
}

static void ring_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t n = e->n, nch = e->nch, k;

	if (p->kind == COLL_ALLREDUCE) {
		k = coll_nchunks(p, coll_div_up(e->elems, nch), n);
		e->xfers = coll_est_mul3(coll_est_mul3(nch, k, n), 2, n - 1);
	} else {
		k = coll_nchunks(p, coll_div_up(e->elems, coll_mul_sat_u64(n, nch)), 1);
		e->xfers = coll_est_mul3(coll_est_mul3(nch, k, n), 1, n - 1);
	}
	e->atoms = coll_est_mul3(nch, k, n);
	/* ring members and the previous transfer of each (step, member) */
	e->aux_bytes = coll_add_sat_u64(coll_mul_sat_u64(n, 4), coll_est_mul3(2 * sizeof(uint32_t), n, n));
}

/*
 * The ring as a generator (gen.h): the transfers and dependencies
 * ring_build makes, in its id order, as closed forms of the id, so that a
 * ring of 8,192 ranks starts without its 1e8 transfers.
 *
 * Ids. ring_build runs channel c, then chunk j, then ring step s, then
 * ring position p (members[p] sends to members[p + 1]), and drops the
 * pieces of zero bytes. A "segment" (c, j) moves every present ring block
 * once a step, so each of its steps holds the same number CNT of
 * transfers: id = base(c) + off(c, j) + (s - s0) CNT + rank of p among the
 * step's present positions. Block b moves from position (start(s) + b)
 * mod n at step s: start = s + 1 in the reduce-scatter half (block
 * p - s - 1), s - (n - 1) in the all-gather half. Chunk sizes only shrink
 * with j (the first ones one element larger), so a channel's chunks are
 * three runs: [0, j1) of CA blocks a step, [j1, j2) of CB, then none.
 *  - allreduce (atoms channel x chunk x block): ring block b of (c, j) is
 *    present when b < min(chunk elements, n): CA, CB from the two chunk
 *    sizes, the present positions a cyclic run from start(s).
 *  - allgather/reducescatter (atoms rank block x channel x chunk): ring
 *    block b is rank block members[b]; rank blocks below R = E mod n are
 *    one element larger, so chunk (c, j) is present on all n blocks (CA = n)
 *    while the smaller blocks' share has chunk j, then on the R larger ones
 *    (CB = R): the positions of members[b] < R, counted in closed form.
 *
 * Dependencies: the atoms of one segment are written in no other, so the
 * last-writer table reduces to each block's path around the ring.
 * Reduce-scatter step s of block b reads position b + s + 1, written by
 * step s - 1, and writes b + s + 2, not written before. All-gather step t
 * (s = n - 1 + t) reads b + t, written by step s - 1 (the reduce-scatter's
 * last for t = 0), and overwrites b + t + 1, which the reduce-scatter's step
 * t - 1 wrote (t >= 1, allreduce only). Plus coll_ring_run's "previous
 * chunk on the link", (c, j - 1, s, same p), present whenever (c, j, s, p)
 * is. So ndeps = [s > s0] + [allreduce, t >= 1] + [j >= 1], and the
 * successors, ascending: step s + 1 of the block, all-gather step s + 1 of
 * it (allreduce, s + 1 <= n - 2), the next chunk's same step and position.
 * State: one line per channel, O(channels); members are coll_ring_order's
 * closed form.
 */
struct rg_chan {
	uint64_t base;		/* id of the channel's first transfer */
	uint64_t j1, j2;	/* chunks [0, j1): CA present blocks, [j1, j2): CB, after: none */
	uint32_t ca, cb;
	/*
	 * Elements, split once so that a transfer costs no division. allreduce:
	 * the channel's share at OFF[0], its chunk j at j Q[0] + min(j, R[0]),
	 * of Q[0] + [j < R[0]]; chunks of Q[0] + 1 (t = 0) and Q[0] (t = 1)
	 * cut in n blocks of BQ[t] + [b < BR[t]]. allgather/reducescatter: in a
	 * rank block of the larger (t = 0) or smaller (1) kind, the channel's
	 * share at OFF[t], its chunk j at j Q[t] + min(j, R[t]), of Q[t] + [j < R[t]].
	 */
	uint64_t off[2], q[2], r[2], bq[2], br[2];
};

struct rg {
	struct coll_params p;	/* nchannels at least 1 */
	uint32_t n, rails;	/* ranks; GPUs a server when on rails, else 0 */
	uint32_t nch, k;	/* channels, chunks a channel */
	uint32_t s0, s_end;	/* ring steps [s0, s_end) run */
	uint64_t elems;		/* E, elements a rank */
	uint64_t big;		/* blocks kinds: R, rank blocks one element larger */
	uint64_t blk_q;		/* blocks kinds: E / n, elements of a smaller rank block */
	bool ar;		/* allreduce */
	struct rg_chan ch[];	/* nch + 1: ch[nch].base is the count */
};

/* A decoded transfer: segment, ring step, ring block and position. */
struct rg_id {
	uint32_t c, s, b, p, cnt;
	uint64_t j;
};

static const struct rg *rg_of(const struct coll_gen *g)
{
	return g->priv;
}

/* coll_ring_order's members[i] of channel C. */
static uint32_t rg_member(const struct rg *r, uint32_t c, uint32_t i)
{
	uint32_t g = r->rails;

	return g ? i - i % g + (c + i % g) % g : i;
}

/* #{b < I : members[b] < R} on channel C: servers keep their rank range. */
static uint64_t rg_big_below(const struct rg *r, uint32_t c, uint64_t i)
{
	uint64_t g = r->rails, sv, rs, rr, cnt;

	if (!g)
		return i < r->big ? i : r->big;
	sv = i / g;
	rs = r->big / g;
	rr = r->big % g;
	cnt = (sv < rs ? sv : rs) * g + (sv > rs ? rr : 0);
	if (sv < rs)
		return cnt + i % g;
	if (sv == rs)
		cnt += coll_cyclic_below(c % g, i % g, rr, g);
	return cnt;
}

static uint32_t rg_start(const struct rg *r, uint32_t s)
{
	/* both below n: s + 1 <= n - 1 in the reduce-scatter, s - (n - 1) <= n - 2 after */
	return s < r->n - 1 ? s + 1 : s - (r->n - 1);
}

static uint32_t rg_cnt(const struct rg_chan *ch, uint64_t j)
{
	return j < ch->j1 ? ch->ca : j < ch->j2 ? ch->cb : 0;
}

static bool rg_present(const struct rg *r, uint32_t c, uint32_t cnt, uint32_t b)
{
	if (r->ar)
		return b < cnt;
	return cnt == r->n || (cnt && rg_member(r, c, b) < r->big);
}

/* Present positions below P at a step of START in a segment of CNT. */
static uint64_t rg_rank(const struct rg *r, uint32_t c, uint32_t cnt, uint32_t start, uint64_t p)
{
	uint64_t n = r->n, x0 = (n - start) % n, end = x0 + p;

	if (r->ar)
		return coll_cyclic_below(start, cnt, p, n);
	if (cnt == n)
		return p;
	/* blocks b = p' - start for p' < p: the cyclic run [x0, x0 + p) */
	if (end <= n)
		return rg_big_below(r, c, end) - rg_big_below(r, c, x0);
	return rg_big_below(r, c, n) - rg_big_below(r, c, x0) + rg_big_below(r, c, end - n);
}

/* The position of the IDX-th present transfer of a step. */
static uint32_t rg_select(const struct rg *r, uint32_t c, uint32_t cnt, uint32_t start, uint32_t idx)
{
	uint32_t lo = 0, hi, w, mid;

	if (r->ar) {
		w = start + cnt > r->n ? start + cnt - r->n : 0;
		return idx < w ? idx : start + idx - w;
	}
	if (cnt == r->n)
		return idx;
	/* the smallest p with rank(p + 1) > idx */
	hi = r->n - 1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rg_rank(r, c, cnt, start, (uint64_t)mid + 1) > idx)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Id of ring block B at step S of segment (C, J), which must be present. */
static uint64_t rg_id_of(const struct rg *r, uint32_t c, uint64_t j, uint32_t s, uint32_t b)
{
	const struct rg_chan *ch = &r->ch[c];
	uint32_t cnt = rg_cnt(ch, j), start = rg_start(r, s), p = start + b;
	uint64_t steps = r->s_end - r->s0, off;

	if (p >= r->n)
		p -= r->n;
	if (j < ch->j1)
		off = j * ch->ca;
	else
		off = ch->j1 * ch->ca + ((j < ch->j2 ? j : ch->j2) - ch->j1) * ch->cb;
	return ch->base + off * steps + (uint64_t)(s - r->s0) * cnt + rg_rank(r, c, cnt, start, p);
}

static void rg_decode(const struct rg *r, uint64_t id, struct rg_id *d)
{
	uint32_t lo = 0, hi = r->nch - 1, mid, start, idx;
	uint64_t steps = r->s_end - r->s0, rest, run;
	const struct rg_chan *ch;

	/* the last channel starting at or before ID: empty channels share their base with the next */
	while (lo < hi) {
		mid = hi - (hi - lo) / 2;
		if (r->ch[mid].base <= id)
			lo = mid;
		else
			hi = mid - 1;
	}
	d->c = lo;
	ch = &r->ch[lo];
	rest = id - ch->base;
	run = ch->j1 * ch->ca * steps;
	if (rest < run) {
		d->j = rest / (ch->ca * steps);
		rest %= ch->ca * steps;
	} else {
		rest -= run;
		d->j = ch->j1 + rest / (ch->cb * steps);
		rest %= ch->cb * steps;
	}
	d->cnt = rg_cnt(ch, d->j);
	d->s = r->s0 + (uint32_t)(rest / d->cnt);
	idx = (uint32_t)(rest % d->cnt);
	start = rg_start(r, d->s);
	d->p = rg_select(r, d->c, d->cnt, start, idx);
	d->b = d->p >= start ? d->p - start : d->p + r->n - start;
}

static uint64_t rg_count(const struct coll_gen *g)
{
	const struct rg *r = rg_of(g);

	return r->ch[r->nch].base;
}

static uint32_t rg_ndeps(const struct coll_gen *g, uint64_t id)
{
	const struct rg *r = rg_of(g);
	struct rg_id d;

	rg_decode(r, id, &d);
	return (d.s > r->s0) + (r->ar && d.s >= r->n) + (d.j > 0);
}

/* The successors of ID, ascending, into OUT (3 at most): how many. */
static uint32_t rg_succ_all(const struct rg *r, uint64_t id, uint64_t *out)
{
	struct rg_id d;
	uint32_t n = 0;

	rg_decode(r, id, &d);
	if (d.s + 1 < r->s_end)
		out[n++] = rg_id_of(r, d.c, d.j, d.s + 1, d.b);
	/* all-gather step s + 1 overwrites what reduce-scatter step s wrote */
	if (r->ar && d.s + 2 < r->n)
		out[n++] = rg_id_of(r, d.c, d.j, r->n + d.s, d.b);
	if (d.j + 1 < r->k && rg_present(r, d.c, rg_cnt(&r->ch[d.c], d.j + 1), d.b))
		out[n++] = rg_id_of(r, d.c, d.j + 1, d.s, d.b);
	return n;
}

static uint32_t rg_succ(const struct coll_gen *g, uint64_t id, uint32_t from, uint64_t *out, uint32_t max)
{
	uint64_t all[3];

	return coll_gen_page(all, rg_succ_all(rg_of(g), id, all), from, out, max);
}

/* Roots: step s0 of each channel's chunk 0, its first CNT ids. */
static uint32_t rg_roots(const struct coll_gen *g, uint64_t *cursor, uint64_t *out, uint32_t max)
{
	const struct rg *r = rg_of(g);
	uint64_t id = *cursor, end;
	uint32_t n = 0, c;

	for (c = 0; c < r->nch && n < max; c++) {
		end = r->ch[c].base + rg_cnt(&r->ch[c], 0);
		if (id < r->ch[c].base)
			id = r->ch[c].base;
		while (id < end && n < max)
			out[n++] = id++;
	}
	*cursor = n < max ? r->ch[r->nch].base : id;
	return n;
}

/* Offset and length (elements) of ring block B of segment (C, J): layout_atoms' splits. */
static void rg_atom(const struct rg *r, const struct rg_id *d, uint64_t *off, uint64_t *len)
{
	const struct rg_chan *ch = &r->ch[d->c];
	uint64_t j = d->j, b = d->b, rank;
	unsigned int t;

	if (r->ar) {
		t = j >= ch->r[0];
		*off = ch->off[0] + j * ch->q[0] + (j < ch->r[0] ? j : ch->r[0]) +
		       b * ch->bq[t] + (b < ch->br[t] ? b : ch->br[t]);
		*len = ch->bq[t] + (b < ch->br[t]);
		return;
	}
	rank = rg_member(r, d->c, d->b);
	t = rank >= r->big;
	*off = rank * r->blk_q + (rank < r->big ? rank : r->big) + ch->off[t] + j * ch->q[t] +
	       (j < ch->r[t] ? j : ch->r[t]);
	*len = ch->q[t] + (j < ch->r[t]);
}

static void rg_xfer(const struct coll_gen *g, uint64_t id, struct coll_xfer *x)
{
	const struct rg *r = rg_of(g);
	uint64_t off, len;
	struct rg_id d;

	rg_decode(r, id, &d);
	rg_atom(r, &d, &off, &len);
	memset(x, 0, sizeof(*x));
	x->src_rank = rg_member(r, d.c, d.p);
	x->dst_rank = rg_member(r, d.c, d.p + 1 < r->n ? d.p + 1 : 0);
	x->src_off_bytes = off * r->p.elem_bytes;
	x->dst_off_bytes = x->src_off_bytes;
	x->bytes = len * r->p.elem_bytes;
	x->channel = d.c;
	x->step = r->ar || d.s < r->n - 1 ? d.s : d.s - (r->n - 1);
	x->op = d.s < r->n - 1 ? COLL_OP_REDUCE : COLL_OP_COPY;
	x->intra = coll_is_intra(&r->p, x->src_rank, x->dst_rank);
	x->pxn = coll_is_pxn(&r->p, x->src_rank, x->dst_rank, x->intra);
}

static void rg_free(struct coll_gen *g)
{
	free(g->priv);
	g->priv = NULL;
}

static const struct coll_gen_ops rg_ops = {
	.count = rg_count,
	.xfer = rg_xfer,
	.ndeps = rg_ndeps,
	.succ = rg_succ,
	.roots = rg_roots,
	.free = rg_free,
};

static uint64_t rg_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Channel C's chunk runs and splits (as ring_allreduce and ring_blocks cut the data). */
static void rg_chan_runs(const struct rg *r, uint32_t c, struct rg_chan *ch)
{
	uint64_t len, blk;
	unsigned int t;

	if (r->ar) {
		coll_split(r->elems, r->nch, c, &ch->off[0], &len);
		ch->q[0] = len / r->k;
		ch->r[0] = len % r->k;
		for (t = 0; t < 2; t++) {
			ch->bq[t] = (ch->q[0] + 1 - t) / r->n;
			ch->br[t] = (ch->q[0] + 1 - t) % r->n;
		}
		ch->j1 = ch->r[0];
		ch->ca = (uint32_t)rg_min(ch->q[0] + 1, r->n);
		ch->j2 = r->k;
		ch->cb = (uint32_t)rg_min(ch->q[0], r->n);
		return;
	}
	for (t = 0; t < 2; t++) {
		blk = r->blk_q + 1 - t;
		coll_split(blk, r->nch, c, &ch->off[t], &len);
		ch->q[t] = len / r->k;
		ch->r[t] = len % r->k;
		/* chunk j of the share is empty from j = len on */
		if (t)
			ch->j1 = rg_min(len, r->k);
		else
			ch->j2 = rg_min(len, r->k);
	}
	ch->ca = r->n;
	ch->cb = (uint32_t)r->big;
}

static int ring_gen(struct coll_gen *g, const struct coll_params *p)
{
	const char *why = coll_params_error(p);
	uint32_t nch = p->nchannels ? p->nchannels : 1, c;
	uint64_t base = 0, steps, add;
	struct rg *r;

	memset(g, 0, sizeof(*g));
	if (why) {
		snprintf(g->err, sizeof(g->err), "%s", why);
		return -EINVAL;
	}
	/* ring steps (struct coll_xfer.step) go up to 2n - 3 */
	if (p->nranks > (1u << 31)) {
		snprintf(g->err, sizeof(g->err), "ring: more than 2^31 ranks");
		return -E2BIG;
	}
	r = calloc(1, sizeof(*r) + ((size_t)nch + 1) * sizeof(r->ch[0]));
	if (!r) {
		snprintf(g->err, sizeof(g->err), "out of memory creating the ring generator");
		return -ENOMEM;
	}
	r->p = *p;
	r->p.nchannels = nch;
	r->n = p->nranks;
	r->rails = coll_ring_on_rails(p->nranks, p->gpus_per_server) ? p->gpus_per_server : 0;
	r->nch = nch;
	r->elems = p->bytes / p->elem_bytes;
	r->ar = p->kind == COLL_ALLREDUCE;
	r->big = r->elems % r->n;
	r->blk_q = r->elems / r->n;
	if (r->ar)
		r->k = coll_nchunks(p, coll_div_up(r->elems, nch), r->n);
	else
		r->k = coll_nchunks(p, coll_div_up(r->elems, (uint64_t)r->n * nch), 1);
	r->s0 = p->kind == COLL_ALLGATHER ? r->n - 1 : 0;
	r->s_end = p->kind == COLL_REDUCESCATTER ? r->n - 1 : 2 * (r->n - 1);
	steps = r->s_end - r->s0;
	for (c = 0; c < nch; c++) {
		r->ch[c].base = base;
		if (r->n < 2)
			continue;	/* one rank: nothing moves (coll_ring_run) */
		rg_chan_runs(r, c, &r->ch[c]);
		add = coll_add_sat_u64(coll_mul_sat_u64(r->ch[c].j1, r->ch[c].ca),
				       coll_mul_sat_u64(r->ch[c].j2 - r->ch[c].j1, r->ch[c].cb));
		base = coll_add_sat_u64(base, coll_mul_sat_u64(add, steps));
	}
	/* ids are 64-bit: refuse what would not count (exabytes of chunks) */
	if (base == UINT64_MAX) {
		free(r);
		snprintf(g->err, sizeof(g->err), "ring: too many pieces: raise the chunk size");
		return -E2BIG;
	}
	r->ch[nch].base = base;
	g->ops = &rg_ops;
	g->kind = p->kind;
	g->algo = p->algo;
	g->nranks = p->nranks;
	g->nchannels = nch;
	g->gpus_per_server = p->gpus_per_server;
	g->pxn = p->pxn;
	g->elem_bytes = p->elem_bytes;
	g->bytes = p->bytes;
	g->buf_bytes = p->bytes;
	g->priv = r;
	return 0;
}

const struct coll_algo_ops coll_algo_ring = {
	.name = "ring",
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE) | COLL_KIND_BIT(COLL_ALLGATHER) |
		 COLL_KIND_BIT(COLL_REDUCESCATTER),
	.default_for = COLL_KIND_BIT(COLL_ALLREDUCE) | COLL_KIND_BIT(COLL_ALLGATHER) |
		       COLL_KIND_BIT(COLL_REDUCESCATTER),
	.chunked = true,
	.wrong_kind = "ring implements allreduce, allgather and reducescatter (use pairwise for all-to-all, chain for broadcast and reduce, p2p for sendrecv)",
	.build = ring_build,
	.estimate = ring_estimate,
	.gen = ring_gen,
};
