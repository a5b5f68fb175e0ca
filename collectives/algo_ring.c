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
#include <stdlib.h>

#include "collectives/algo.h"

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

const struct coll_algo_ops coll_algo_ring = {
	.name = "ring",
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE) | COLL_KIND_BIT(COLL_ALLGATHER) |
		 COLL_KIND_BIT(COLL_REDUCESCATTER),
	.default_for = COLL_KIND_BIT(COLL_ALLREDUCE) | COLL_KIND_BIT(COLL_ALLGATHER) |
		       COLL_KIND_BIT(COLL_REDUCESCATTER),
	.chunked = true,
	.wrong_kind = "ring does not implement alltoall (use pairwise)",
	.build = ring_build,
	.estimate = ring_estimate,
};
