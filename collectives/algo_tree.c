/*
 * Double binary tree all-reduce, after NCCL. Tree 0 is NCCL's binary tree
 * (src/graph/trees.cc ncclGetBtree: node 0 the root with one child; a
 * node's level is its lowest set bit); tree 1 is its mirror (n even: node
 * v plays n - 1 - v) or its shift by one (n odd, ncclGetDtree), so that
 * nodes that are leaves in one tree are inner nodes in the other. Each tree
 * handles half of every channel's share.
 *
 * What the trees are over. Without servers (gpus_per_server 0 or 1, or
 * fewer than two whole servers: coll_ring_on_rails false) the nodes are the
 * ranks, as before. On servers of G GPUs, each with its own NIC on the rail
 * of its local index, the tree is NCCL's (src/graph/connect.cc):
 *  - Inside a server the GPUs of channel c form a chain (ncclTopoPreset:
 *    tree.up = treeIntra[i-1], tree.down[0] = treeIntra[i+1]), in the
 *    order NCCL's search finds on NVSwitch servers, c, c+1, ..., c-1, as
 *    the ring's (search.cc ncclTopoSearchNextGpuSort). Its head, GPU c,
 *    is the GPU next to the channel's NIC c: the tree search starts from
 *    the NET, and with the TREE/BALANCED_TREE patterns goes back to the
 *    same NET from the first GPU (ncclTopoSearchParams: backToNet 0;
 *    crossNic 0: the same NIC).
 *  - Across servers the heads form the double binary tree over NODE
 *    indices (connectTrees calls ncclGetDtree(nNodes, node, ...) and links
 *    treeToParent/treeToChild of the parent and child nodes, all of them
 *    the channel's head). So channel c's inter-server edges join GPU c of
 *    one server and GPU c of another: NIC c to NIC c, rail c, no PXN.
 *    NCCL's BALANCED_TREE pattern hangs one child node off the chain's
 *    second GPU (through the same NIC c, over PCIe); fabsim keeps every
 *    NIC edge at the head (pattern TREE): the same NIC and rail, only the
 *    NVLink end of that child differs.
 *  - NCCL runs tree 0 on channel c and tree 1 on its duplicate c + nc
 *    (connectTrees: channel0 / channel1 = channel0 + nChannels); here both
 *    halves are channel c's, spread over coll_default_dup connections.
 * A rank's parent is its predecessor in the chain, or for a head the head
 * of its server's parent in the node tree (coll_tree_rank_parents); the
 * whole is one tree over ranks, run by the same machinery below.
 *
 * Atoms: share -> tree half -> chunk. For each chunk a rank reduces its
 * piece into its parent once all its children have reduced into it (up the
 * chain to the head, then up the node tree to the root server), then the
 * root's result is copied down (down the node tree, then down each chain).
 * Several children reducing into one parent are chained (write after
 * write), as the parent's single NIC serialises them anyway. A transfer
 * also waits for the previous chunk on its link, so chunks stream through
 * the tree in order (reduce and broadcast overlap), as NCCL's
 * runTreeUpDown pipelines chunks through its FIFOs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"

static uint32_t btree_parent(uint32_t n, uint32_t r)
{
	uint32_t bit, up;

	if (r == 0)
		return COLL_NONE;
	bit = r & -r;
	up = (r ^ bit) | (bit << 1);
	return up < n ? up : r ^ bit;
}

uint32_t coll_tree_parent(uint32_t n, unsigned int tree, uint32_t v)
{
	uint32_t w, up;

	if (!tree)
		return btree_parent(n, v);
	/* w is the tree-0 node v plays in tree 1 (ncclGetDtree) */
	w = n % 2 ? (v + n - 1) % n : n - 1 - v;
	up = btree_parent(n, w);
	if (up == COLL_NONE)
		return COLL_NONE;
	return n % 2 ? (up + 1) % n : n - 1 - up;
}

void coll_tree_parents(uint32_t n, unsigned int tree, uint32_t *parent)
{
	uint32_t r;

	for (r = 0; r < n; r++)
		parent[r] = coll_tree_parent(n, tree, r);
}

void coll_tree_rank_parents(uint32_t nranks, uint32_t gpus_per_server, uint32_t channel,
			    unsigned int tree, uint32_t *parent)
{
	uint32_t g = gpus_per_server, head, r, pos, up;

	if (!coll_ring_on_rails(nranks, g)) {
		coll_tree_parents(nranks, tree, parent);
		return;
	}
	head = channel % g;
	for (r = 0; r < nranks; r++) {
		/* position in the server's chain head, head+1, ..., head-1 */
		pos = (r % g + g - head) % g;
		if (pos) {
			parent[r] = r - r % g + (head + pos - 1) % g;
			continue;
		}
		up = coll_tree_parent(nranks / g, tree, r / g);
		parent[r] = up == COLL_NONE ? COLL_NONE : up * g + head;
	}
}

struct tree {
	uint32_t *parent;	/* [n] */
	uint32_t *order;	/* ranks, deepest first */
	uint32_t *up_prev;	/* [n] last chunk's transfer to the parent */
	uint32_t *down_prev;	/* [n] last chunk's transfer from the parent */
};

/*
 * Depth of every rank: walk up to the first rank whose depth is known (or
 * past the root), then fill in the path, so each rank is walked about once
 * (a chain of a server of 1,024 GPUs is 1,023 deep).
 */
static uint32_t fill_depths(uint32_t n, const uint32_t *parent, uint32_t *depth)
{
	uint32_t r, x, d, maxd = 0;

	memset(depth, 0xff, n * sizeof(*depth));
	for (r = 0; r < n; r++) {
		for (x = r, d = 0; x != COLL_NONE && depth[x] == COLL_NONE; x = parent[x])
			d++;
		/* d ranks walked: above the root (depth 0), or above x */
		d = x == COLL_NONE ? d - 1 : depth[x] + d;
		if (d > maxd)
			maxd = d;
		for (x = r; x != COLL_NONE && depth[x] == COLL_NONE; x = parent[x])
			depth[x] = d--;
	}
	return maxd;
}

/*
 * Deepest first, ties by rank: children always precede their parent. A
 * counting sort on depth; COUNT has room for n entries (depth < n).
 */
static void order_by_depth(uint32_t n, const uint32_t *parent, uint32_t *order,
			   uint32_t *depth, uint32_t *count)
{
	uint32_t r, d, maxd = fill_depths(n, parent, depth), at = 0, k;

	memset(count, 0, (maxd + 1) * sizeof(*count));
	for (r = 0; r < n; r++)
		count[depth[r]]++;
	/* count[d] becomes the first slot of depth d, deepest at slot 0 */
	for (d = maxd + 1; d-- > 0;) {
		k = count[d];
		count[d] = at;
		at += k;
	}
	for (r = 0; r < n; r++)
		order[count[depth[r]]++] = r;
}

/* Both trees of CHANNEL: parents and order (UP_PREV serves as scratch). */
static void tree_shape(const struct coll_sched *s, struct tree *t, uint32_t c,
		       uint32_t *depth)
{
	uint32_t tr;

	for (tr = 0; tr < 2; tr++) {
		coll_tree_rank_parents(s->nranks, s->gpus_per_server, c, tr, t[tr].parent);
		order_by_depth(s->nranks, t[tr].parent, t[tr].order, depth, t[tr].up_prev);
	}
}

static int tree_chunk(struct coll_ctx *x, struct tree *t, uint32_t atom,
		      uint32_t c)
{
	uint32_t n = x->s->nranks, i, r, idx;
	struct coll_piece pc = { .channel = c, .lo = atom, .hi = atom + 1 };
	int ret;

	pc.op = COLL_OP_REDUCE;
	for (i = 0; i < n; i++) {
		r = t->order[i];
		if (t->parent[r] == COLL_NONE)
			continue;
		pc.src = r;
		pc.dst = t->parent[r];
		pc.step = 0;
		ret = coll_emit(x, &pc, t->up_prev[r], &idx);
		if (ret)
			return ret;
		if (idx != COLL_NONE)
			t->up_prev[r] = idx;
	}
	pc.op = COLL_OP_COPY;
	pc.step = 1;
	for (i = n; i-- > 0;) {
		r = t->order[i];
		if (t->parent[r] == COLL_NONE)
			continue;
		pc.src = t->parent[r];
		pc.dst = r;
		ret = coll_emit(x, &pc, t->down_prev[r], &idx);
		if (ret)
			return ret;
		if (idx != COLL_NONE)
			t->down_prev[r] = idx;
	}
	return 0;
}

static int tree_run(struct coll_ctx *x, struct tree *t, uint32_t k, uint32_t *depth)
{
	uint32_t n = x->s->nranks, c, j, tr;
	bool rails = coll_ring_on_rails(n, x->s->gpus_per_server);
	int ret;

	for (c = 0; c < x->s->nchannels; c++) {
		/* without servers every channel has the trees over ranks */
		if (rails || !c)
			tree_shape(x->s, t, c, depth);
		for (tr = 0; tr < 2; tr++) {
			memset(t[tr].up_prev, 0xff, n * sizeof(uint32_t));
			memset(t[tr].down_prev, 0xff, n * sizeof(uint32_t));
		}
		for (j = 0; j < k; j++) {
			for (tr = 0; tr < 2; tr++) {
				ret = tree_chunk(x, &t[tr], (c * 2 + tr) * k + j, c);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

static int tree_build(struct coll_sched *s, const struct coll_params *p)
{
	uint64_t elems = s->bytes / s->elem_bytes;
	uint32_t n = s->nranks, k, tr, *mem;
	struct coll_ctx x = { 0 };
	struct tree t[2];
	uint64_t radix[3];
	int ret;

	k = coll_nchunks(p, coll_div_up(elems, 2ull * s->nchannels), 1);
	radix[0] = s->nchannels;
	radix[1] = 2;
	radix[2] = k;
	ret = coll_ctx_init(&x, s, p, radix, 3);
	if (ret)
		return ret;
	/* Per tree: parent, order, up_prev, down_prev, plus one depth array. */
	mem = malloc(9ull * n * sizeof(*mem));
	if (!mem) {
		ret = -ENOMEM;
		goto out_ctx;
	}
	for (tr = 0; tr < 2; tr++) {
		t[tr].parent = mem + (4 * tr + 0) * n;
		t[tr].order = mem + (4 * tr + 1) * n;
		t[tr].up_prev = mem + (4 * tr + 2) * n;
		t[tr].down_prev = mem + (4 * tr + 3) * n;
	}
	ret = tree_run(&x, t, k, mem + 8 * n);
	free(mem);
out_ctx:
	coll_ctx_fini(&x);
	return ret;
}

static void tree_estimate(const struct coll_params *p, struct coll_est *e)
{
	uint64_t k = coll_nchunks(p, coll_div_up(e->elems, coll_mul_sat_u64(2, e->nch)), 1);

	e->xfers = coll_est_mul3(coll_est_mul3(e->nch, 2, k), 2, e->n - 1);
	e->atoms = coll_est_mul3(e->nch, 2, k);
	e->aux_bytes = coll_mul_sat_u64(e->n, 9 * sizeof(uint32_t));
}

const struct coll_algo_ops coll_algo_tree = {
	.name = "tree",
	.kinds = COLL_KIND_BIT(COLL_ALLREDUCE),
	.chunked = true,
	.wrong_kind = "rhd and tree implement allreduce only",
	.build = tree_build,
	.estimate = tree_estimate,
};

/* floor(log2(n)) for n >= 1, NCCL's log2i */
static uint32_t coll_log2i(uint64_t n)
{
	uint32_t l = 0;

	while (n >>= 1)
		l++;
	return l;
}

/*
 * NCCL's tree chunk (enqueue.cc, ncclPatternTreeUpDown with the Simple
 * protocol): a step of NCCL_BUFFSIZE / NCCL_STEPS = 4 MiB / 8 = 512 KiB,
 * halved while a channel's share holds fewer than 8 x depth chunks (not
 * below 128 KiB), then 4 x depth (not below 64 KiB), then depth (not below
 * 32 KiB). NCCL's tree depth is localRanks - 1 + log2i(nNodes)
 * (connect.cc, connectTrees) and its channel count includes the twin
 * channels of the double tree. hier-tree has no intra-server chain (its
 * NVLink phases are separate) and each rail's two trees carry the rail's
 * shard, S / G.
 */
uint64_t coll_default_chunk(const struct coll_params *p)
{
	uint32_t g = p->gpus_per_server ? p->gpus_per_server : 1;
	uint32_t servers = p->nranks / g ? p->nranks / g : 1;
	uint64_t chunk = 512 << 10, bytes = p->bytes, nch, depth;
	static const struct { uint32_t per_depth; uint64_t floor_bytes; } pass[] = {
		{ 8, 128 << 10 }, { 4, 64 << 10 }, { 1, 32 << 10 },
	};

	if (p->kind != COLL_ALLREDUCE || (p->algo != COLL_ALGO_TREE && p->algo != COLL_ALGO_HIERTREE))
		return COLL_CHUNK_DEFAULT;
	nch = p->nchannels ? p->nchannels : coll_default_channels(p);
	if (p->algo == COLL_ALGO_HIERTREE) {
		bytes /= g;
		nch *= 2;
		depth = coll_log2i(servers);
	} else if (coll_ring_on_rails(p->nranks, g)) {
		nch *= coll_default_dup(p);
		depth = g - 1 + coll_log2i(servers);
	} else {
		depth = coll_log2i(p->nranks);
	}
	if (!depth)
		depth = 1;
	for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		while (bytes / (nch * chunk) < pass[i].per_depth * depth && chunk > pass[i].floor_bytes)
			chunk /= 2;
	return chunk;
}
