/*
 * Schedule container, the algorithm registry, parameter validation, names,
 * buffer layout helpers and the human-readable dump. The algorithms live in
 * algo_*.c; this file only dispatches to them through their table entries,
 * so the layout rules every consumer relies on (blocks, alltoall pieces)
 * are defined in exactly one place.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"
#include "collectives/sched.h"
#include "collectives/units.h"

#define COLL_MIN_CAP 64

static const char *const kind_names[COLL_KIND_COUNT] = {
	[COLL_ALLREDUCE] = "allreduce",
	[COLL_ALLGATHER] = "allgather",
	[COLL_REDUCESCATTER] = "reducescatter",
	[COLL_ALLTOALL] = "all-to-all",
	[COLL_BROADCAST] = "broadcast",
	[COLL_REDUCE] = "reduce",
	[COLL_SENDRECV] = "sendrecv",
};

/*
 * The registry: X(VALUE, NAME) puts coll_algo_NAME, defined in its own
 * algo_*.c file, at its enum coll_algo value. Table order is the order of
 * names in lists and messages.
 */
#define COLL_ALGO_REGISTRY(X)           \
	X(COLL_ALGO_RING, ring)         \
	X(COLL_ALGO_RHD, rhd)           \
	X(COLL_ALGO_TREE, tree)         \
	X(COLL_ALGO_HIER, hier)         \
	X(COLL_ALGO_PAIRWISE, pairwise) \
	X(COLL_ALGO_HIERTREE, hiertree) \
	X(COLL_ALGO_CHAIN, chain)       \
	X(COLL_ALGO_P2P, p2p)

#define COLL_ALGO_DECLARE(value, name) extern const struct coll_algo_ops coll_algo_##name;
#define COLL_ALGO_ENTRY(value, name) [value] = &coll_algo_##name,
#define COLL_ALGO_ONE(value, name) +1

COLL_ALGO_REGISTRY(COLL_ALGO_DECLARE)

static const struct coll_algo_ops *const algo_table[COLL_ALGO_COUNT] = {
	COLL_ALGO_REGISTRY(COLL_ALGO_ENTRY)
};

_Static_assert(0 COLL_ALGO_REGISTRY(COLL_ALGO_ONE) == COLL_ALGO_COUNT,
	       "every enum coll_algo value needs its registry line");

const struct coll_algo_ops *coll_algo_ops(enum coll_algo algo)
{
	return (unsigned int)algo < COLL_ALGO_COUNT ? algo_table[algo] : NULL;
}

const char *coll_kind_name(enum coll_kind kind)
{
	return (unsigned int)kind < COLL_KIND_COUNT ? kind_names[kind] : "?";
}

const char *coll_algo_name(enum coll_algo algo)
{
	const struct coll_algo_ops *ops = coll_algo_ops(algo);

	return ops ? ops->name : "?";
}

static const char *coll_op_name(enum coll_op op)
{
	return op == COLL_OP_COPY ? "copy" : op == COLL_OP_REDUCE ? "reduce" : "?";
}

static int name_lookup(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -EINVAL;
}

/* nccl-tests' and the files before issue 16's spelling of all-to-all, still read */
int coll_kind_from_name(const char *name)
{
	if (name && !strcmp(name, "alltoall"))
		return COLL_ALLTOALL;
	return name_lookup(kind_names, COLL_KIND_COUNT, name);
}

static bool algo_answers_to(const struct coll_algo_ops *ops, const char *name)
{
	const char *const *alias;

	if (!strcmp(ops->name, name))
		return true;
	for (alias = ops->aliases; alias && *alias; alias++)
		if (!strcmp(*alias, name))
			return true;
	return false;
}

int coll_algo_from_name(const char *name)
{
	int i;

	for (i = 0; name && i < COLL_ALGO_COUNT; i++)
		if (algo_answers_to(algo_table[i], name))
			return i;
	return -EINVAL;
}

static const char *coll_algo_name_at(uint32_t i)
{
	return i < COLL_ALGO_COUNT ? algo_table[i]->name : NULL;
}

const char *coll_algo_names(char *buf, size_t len, const char *sep, const char *last)
{
	return coll_fmt_names(coll_algo_name_at, buf, len, sep, last);
}

enum coll_algo coll_default_algo(enum coll_kind kind)
{
	int i;

	for (i = 0; i < COLL_ALGO_COUNT; i++)
		if ((unsigned int)kind < COLL_KIND_COUNT &&
		    (algo_table[i]->default_for & COLL_KIND_BIT(kind)))
			return (enum coll_algo)i;
	return COLL_ALGO_RING;
}

void coll_sched_init(struct coll_sched *s)
{
	memset(s, 0, sizeof(*s));
}

void coll_sched_free(struct coll_sched *s)
{
	free(s->xfers);
	free(s->deps);
	coll_sched_init(s);
}

static int grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint64_t ncap = *cap ? *cap : COLL_MIN_CAP;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (ncap > UINT32_MAX - 1)
		ncap = UINT32_MAX - 1;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = (uint32_t)ncap;
	return 0;
}

int coll_sched_add(struct coll_sched *s, const struct coll_xfer *x,
		   const uint32_t *deps, uint32_t ndeps, uint32_t *idx)
{
	struct coll_xfer *nx;
	uint32_t i;
	int ret;

	/* COLL_NONE must stay free to mean "no transfer". */
	if (s->nxfers >= UINT32_MAX - 2 || ndeps > UINT32_MAX - 2 - s->ndeps)
		return -E2BIG;
	for (i = 0; i < ndeps; i++)
		if (deps[i] >= s->nxfers)
			return -EINVAL;
	ret = grow((void **)&s->xfers, &s->xfers_cap, s->nxfers + 1, sizeof(*s->xfers));
	if (ret)
		return ret;
	ret = grow((void **)&s->deps, &s->deps_cap, s->ndeps + ndeps, sizeof(*s->deps));
	if (ret)
		return ret;
	nx = &s->xfers[s->nxfers];
	*nx = *x;
	nx->dep_first = s->ndeps;
	nx->ndeps = ndeps;
	if (ndeps)
		memcpy(s->deps + s->ndeps, deps, ndeps * sizeof(*deps));
	s->ndeps += ndeps;
	*idx = s->nxfers++;
	return 0;
}

/* The kinds the algorithm builds first, then its own rules. */
static const char *algo_error(const struct coll_params *p)
{
	const struct coll_algo_ops *ops = coll_algo_ops(p->algo);

	if (!ops)
		return "unknown algorithm";
	if (!(ops->kinds & COLL_KIND_BIT(p->kind)))
		return ops->wrong_kind;
	return ops->check ? ops->check(p) : NULL;
}

const char *coll_params_error(const struct coll_params *p)
{
	if ((unsigned int)p->kind >= COLL_KIND_COUNT)
		return "unknown collective kind";
	if (!p->nranks)
		return "nranks must be at least 1";
	if (!p->elem_bytes)
		return "elem_bytes must be at least 1";
	if (p->bytes % p->elem_bytes)
		return "bytes must be a multiple of elem_bytes";
	if ((p->kind == COLL_ALLTOALL || p->kind == COLL_SENDRECV) && p->bytes > UINT64_MAX / 2)
		return "bytes too large";
	if (coll_kind_rooted(p->kind) && p->root >= p->nranks)
		return "the root must be one of the ranks (below nranks)";
	return algo_error(p);
}

static void sched_reset(struct coll_sched *s, const struct coll_params *p)
{
	s->kind = p->kind;
	s->algo = p->algo;
	s->nranks = p->nranks;
	s->nchannels = p->nchannels ? p->nchannels : 1;
	s->gpus_per_server = p->gpus_per_server;
	s->pxn = p->pxn;
	s->root = coll_kind_rooted(p->kind) ? p->root : 0;
	s->elem_bytes = p->elem_bytes;
	s->bytes = p->bytes;
	s->buf_bytes = coll_kind_buf_bytes(p->kind, p->bytes);
	s->nxfers = 0;
	s->ndeps = 0;
}

int coll_build(struct coll_sched *s, const struct coll_params *p)
{
	const char *why = coll_params_error(p);
	int ret;

	s->err[0] = 0;
	if (why) {
		snprintf(s->err, sizeof(s->err), "%s", why);
		return -EINVAL;
	}
	sched_reset(s, p);
	ret = coll_build_guard(s, p);
	if (ret)
		return ret;
	ret = coll_algo_ops(p->algo)->build(s, p);
	if (ret) {
		s->nxfers = 0;
		s->ndeps = 0;
		if (!s->err[0])
			snprintf(s->err, sizeof(s->err), "%s", ret == -E2BIG ?
				 "too many pieces to build: raise the chunk size, or use fewer ranks or channels" :
				 "out of memory building the schedule");
	}
	return ret;
}

void coll_block_range(const struct coll_sched *s, uint32_t block,
		      uint64_t *off_bytes, uint64_t *len_bytes)
{
	uint64_t off, len;

	coll_split(s->bytes / s->elem_bytes, s->nranks, block, &off, &len);
	*off_bytes = off * s->elem_bytes;
	*len_bytes = len * s->elem_bytes;
}

bool coll_kind_rooted(enum coll_kind kind)
{
	return kind == COLL_BROADCAST || kind == COLL_REDUCE;
}

uint64_t coll_kind_buf_bytes(enum coll_kind kind, uint64_t bytes)
{
	return kind == COLL_ALLTOALL || kind == COLL_SENDRECV ? 2 * bytes : bytes;
}

bool coll_result_range(const struct coll_sched *s, uint32_t rank,
		       uint64_t *off_bytes, uint64_t *len_bytes)
{
	*off_bytes = 0;
	*len_bytes = s->bytes;
	switch (s->kind) {
	case COLL_REDUCESCATTER:
		coll_block_range(s, rank, off_bytes, len_bytes);
		break;
	case COLL_ALLTOALL:
	case COLL_SENDRECV:
		*off_bytes = s->bytes;
		break;
	case COLL_REDUCE:
		if (rank != s->root)
			*len_bytes = 0;
		break;
	default:
		break;
	}
	return *len_bytes != 0;
}

/*
 * E = q * n + r elements per rank: piece (i -> j) gets q + 1 elements when
 * (j - i) mod n < r. Each row and each column of that circulant has exactly
 * r larger pieces, so both the send and the receive half are tiled exactly.
 */
void coll_a2a_range(const struct coll_sched *s, uint32_t src, uint32_t dst,
		    uint64_t *send_off_bytes, uint64_t *recv_off_bytes,
		    uint64_t *bytes)
{
	uint64_t n = s->nranks, e = s->elem_bytes, elems = s->bytes / e;
	uint64_t q = elems / n, r = elems % n;
	uint64_t send, recv, len;

	len = q + ((dst + n - src) % n < r);
	send = dst * q + coll_cyclic_below(src, r, dst, n);
	recv = src * q + (r ? coll_cyclic_below((dst + n - r + 1) % n, r, src, n) : 0);
	*send_off_bytes = send * e;
	*recv_off_bytes = s->bytes + recv * e;
	*bytes = len * e;
}

uint64_t coll_sched_tx_bytes(const struct coll_sched *s, uint32_t rank)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < s->nxfers; i++)
		if (s->xfers[i].src_rank == rank && s->xfers[i].dst_rank != rank)
			sum += s->xfers[i].bytes;
	return sum;
}

static void print_xfer(FILE *f, const struct coll_sched *s, uint32_t i)
{
	const struct coll_xfer *x = &s->xfers[i];
	const uint32_t *deps = coll_xfer_deps(s, x);
	uint32_t d;

	fprintf(f, "%6u step %3u ch %2u %4u -> %-4u src_off %10llu dst_off %10llu bytes %10llu %-6s%s deps",
		i, x->step, x->channel, x->src_rank, x->dst_rank,
		(unsigned long long)x->src_off_bytes, (unsigned long long)x->dst_off_bytes,
		(unsigned long long)x->bytes,
		coll_op_name(x->op), x->intra ? " intra" : x->pxn ? " pxn  " : "      ");
	for (d = 0; d < x->ndeps; d++)
		fprintf(f, "%s%u", d ? "," : " ", deps[d]);
	if (!x->ndeps)
		fprintf(f, " -");
	fputc('\n', f);
}

void coll_sched_print_rings(FILE *f, const struct coll_sched *s)
{
	uint32_t g = s->gpus_per_server, n = s->nranks, c, i, *m;

	if (s->algo != COLL_ALGO_RING || s->kind == COLL_ALLTOALL || !coll_ring_on_rails(n, g))
		return;
	m = malloc((size_t)n * sizeof(*m));
	if (!m)
		return;
	fprintf(f, "# rings on rails: %u servers of %u GPUs, one NIC per GPU on the rail of its local index, PXN %s\n",
		n / g, g, s->pxn ? "on" : "off");
	for (c = 0; c < s->nchannels; c++) {
		uint32_t out = (c + g - 1) % g, in = c % g;

		coll_ring_order(n, g, c, m);
		fprintf(f, "# channel %u: in each server local GPUs", c);
		for (i = 0; i < g; i++)
			fprintf(f, " %u", m[i]);
		fprintf(f, "; server s -> s+1: GPU %u -> GPU %u, NIC %u -> NIC %u%s\n", out, in,
			s->pxn ? in : out, in, s->pxn ? " (PXN: NVLink to GPU first)" : "");
	}
	free(m);
}

/* "parent P children A,B" of server V in TREE over NN servers ("-": none). */
static void print_node(FILE *f, uint32_t nn, unsigned int tree, uint32_t v)
{
	uint32_t up = coll_tree_parent(nn, tree, v), w, kids = 0;

	if (up == COLL_NONE)
		fprintf(f, " | %u: root, children", v);
	else
		fprintf(f, " | %u: parent %u, children", v, up);
	for (w = 0; w < nn; w++) {
		if (w == v || coll_tree_parent(nn, tree, w) != v)
			continue;
		fprintf(f, "%s%u", kids++ ? "," : " ", w);
	}
	if (!kids)
		fprintf(f, " -");
}

/* The two trees over NN servers, one line each. */
static void print_node_trees(FILE *f, uint32_t nn)
{
	uint32_t v;
	unsigned int tr;

	for (tr = 0; tr < 2; tr++) {
		fprintf(f, "# tree %u over servers", tr);
		for (v = 0; v < nn; v++)
			print_node(f, nn, tr, v);
		fputc('\n', f);
	}
}

void coll_sched_print_trees(FILE *f, const struct coll_sched *s)
{
	uint32_t g = s->gpus_per_server, n = s->nranks, nn, c, i;

	if (s->algo == COLL_ALGO_HIERTREE && g && n % g == 0 && n / g >= 2) {
		fprintf(f, "# hier-tree: %u servers of %u GPUs; in each server a reduce-scatter over NVLink "
			"(local GPU l owns shard l), then on each rail l NCCL's double binary tree over servers "
			"(trees.cc ncclGetDtree) on shard l, each tree half of it (GPU l <-> GPU l, NIC l, no PXN), "
			"then an all-gather over NVLink\n", n / g, g);
		print_node_trees(f, n / g);
		return;
	}
	if (s->algo != COLL_ALGO_TREE || !coll_ring_on_rails(n, g))
		return;
	nn = n / g;
	fprintf(f, "# trees on rails: %u servers of %u GPUs, one NIC per GPU on the rail of its local index; "
		"in each server a chain to the channel's head GPU, across servers NCCL's double binary tree "
		"over servers (trees.cc ncclGetDtree), each tree half of every channel's share\n", nn, g);
	print_node_trees(f, nn);
	for (c = 0; c < s->nchannels; c++) {
		uint32_t head = c % g;

		fprintf(f, "# channel %u: in each server the chain local GPUs", c);
		for (i = 0; i < g; i++)
			fprintf(f, " %u", (head + i) % g);
		fprintf(f, " (reduce towards the head GPU %u); between servers GPU %u <-> GPU %u, NIC %u <-> NIC %u "
			"(rail %u, no PXN)\n", head, head, head, head, head, head);
	}
}

void coll_sched_print(FILE *f, const struct coll_sched *s)
{
	char root[24] = "";
	uint32_t i;

	if (coll_kind_rooted(s->kind))
		snprintf(root, sizeof(root), " (root %u)", s->root);
	fprintf(f, "# %s%s %s: %u ranks, %llu bytes (elem %u), %u channel%s, buffer %llu bytes, "
		"%u transfers, %u deps\n",
		coll_kind_name(s->kind), root, coll_algo_name(s->algo), s->nranks,
		(unsigned long long)s->bytes, s->elem_bytes, s->nchannels, s->nchannels == 1 ? "" : "s",
		(unsigned long long)s->buf_bytes, s->nxfers, s->ndeps);
	for (i = 0; i < s->nxfers; i++)
		print_xfer(f, s, i);
}
