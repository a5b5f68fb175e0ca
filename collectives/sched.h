/*
 * Collective schedules: the one description of a collective that both the
 * simulator and fabbench consume, so that predicted and measured runs move
 * the same bytes between the same ranks in the same partial order.
 *
 * A schedule is a flat array of transfers plus a flat array of dependency
 * indices. Transfer i may start once every transfer named in its deps has
 * completed; deps always name lower indices, so the array order is a
 * topological order and executing transfers in index order is always legal.
 * A transfer reads bytes [src_off, src_off + bytes) of the source rank's
 * buffer and writes (COPY) or combines (REDUCE: dst = dst (+) src) them into
 * [dst_off, dst_off + bytes) of the destination rank's buffer.
 *
 * Every (rank, byte) sees a total order of writes and no write concurrent
 * with a read: two REDUCEs into the same bytes are chained by a dependency,
 * which also makes floating-point results independent of timing.
 *
 * Per-rank buffer layout ("bytes" is S, the nccl-tests "size" column):
 *  - allreduce:     S bytes, in place; every rank ends with the reduction.
 *  - reducescatter: S bytes of input, in place; rank r's result is block r
 *                   (coll_block_range); other blocks end up as scratch.
 *  - allgather:     S bytes of output; rank r's input sits in block r on
 *                   entry (in place, as NCCL's in-place all-gather).
 *  - alltoall:      2 * S bytes: send half [0, S) then receive half [S, 2S);
 *                   the piece rank i sends to rank j is coll_a2a_range(i, j).
 *  - broadcast:     S bytes, in place; the root's buffer is the input, every
 *                   rank ends with it.
 *  - reduce:        S bytes of input, in place; the root ends with the
 *                   reduction, the other buffers end up as scratch.
 *  - sendrecv:      2 * S bytes, as alltoall: rank r sends its send half to
 *                   rank r + 1's receive half (nccl-tests' ring of pairs),
 *                   so that in place never reads what it overwrites.
 * Out of place (separate input and output buffers of buf_bytes each) runs
 * the same transfers; coll_sched_oop says which of them read the input.
 * Blocks are split at element granularity, the first ones one element larger
 * when sizes do not divide evenly; zero-byte pieces produce no transfer.
 */
#ifndef COLL_SCHED_H
#define COLL_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define COLL_NONE UINT32_MAX

enum coll_kind {
	COLL_ALLREDUCE = 0,
	COLL_ALLGATHER,
	COLL_REDUCESCATTER,
	COLL_ALLTOALL,
	COLL_BROADCAST,		/* rooted: struct coll_params.root */
	COLL_REDUCE,		/* rooted */
	COLL_SENDRECV,
	COLL_KIND_COUNT,
};

/*
 * Values are stable: options, files and outputs use them. Each names one
 * entry of the algorithm table (struct coll_algo_ops below).
 */
enum coll_algo {
	COLL_ALGO_RING = 0,	/* allreduce, allgather, reducescatter */
	COLL_ALGO_RHD,		/* allreduce: recursive halving-doubling */
	COLL_ALGO_TREE,		/* allreduce: NCCL-style double binary tree */
	COLL_ALGO_HIER,		/* allreduce: intra RS, per-rail ring, intra AG */
	COLL_ALGO_PAIRWISE,	/* alltoall */
	COLL_ALGO_HIERTREE,	/* allreduce: intra RS, per-rail double binary tree, intra AG */
	COLL_ALGO_CHAIN,	/* broadcast, reduce: NCCL's pipelined ring chain from/to the root */
	COLL_ALGO_P2P,		/* sendrecv: one chunked transfer per rank */
	COLL_ALGO_COUNT,
};

enum coll_op {
	COLL_OP_COPY = 0,	/* dst = src */
	COLL_OP_REDUCE = 1,	/* dst = dst (+) src */
};

struct coll_xfer {
	uint32_t src_rank;
	uint32_t dst_rank;	/* == src_rank: a local copy, no network */
	uint64_t src_off_bytes;
	uint64_t dst_off_bytes;
	uint64_t bytes;
	uint32_t channel;
	uint32_t step;		/* algorithm step, for reports: deps order */
	uint32_t dep_first;	/* deps are sched->deps[dep_first, +ndeps) */
	uint32_t ndeps;
	uint8_t op;		/* enum coll_op */
	uint8_t intra;		/* 1: both ranks in one server (NVLink class) */
	/*
	 * 1: PXN ("PCI x NVLink", NCCL >= 2.12): the data crosses over NVLink
	 * to the source server's GPU on the destination's rail (local index
	 * dst_rank % gpus_per_server, coll_pxn_relay) and leaves through that
	 * GPU's NIC, so the network hop stays on the destination's rail.
	 */
	uint8_t pxn;
};

struct coll_params {
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t nranks;
	uint64_t bytes;		/* S, see the layout above */
	uint32_t elem_bytes;	/* pieces never split an element */
	uint32_t nchannels;	/* ring/tree/rhd/hier data shares; 0 means 1 */
	uint64_t chunk_bytes;	/* pipelining piece bound; 0: no chunking */
	uint32_t gpus_per_server; /* consecutive ranks per server; 0: 1 each */
	/*
	 * 1: inter-server transfers whose two GPUs have different local
	 * indices go through PXN (struct coll_xfer.pxn). NCCL's default is on
	 * (NCCL_PXN_DISABLE=0); 0 here keeps fabbench's schedules as before.
	 */
	uint8_t pxn;
	uint32_t root;		/* broadcast, reduce: the root rank (< nranks); else ignored */
};

struct coll_sched {
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t nranks;
	uint32_t nchannels;	/* channels actually used */
	uint32_t gpus_per_server; /* 0 when unknown: only self copies intra */
	uint8_t pxn;		/* struct coll_params.pxn */
	uint32_t root;		/* broadcast, reduce: the root; else 0 */
	uint32_t elem_bytes;
	uint64_t bytes;		/* S, the nccl-tests size (busbw input) */
	uint64_t buf_bytes;	/* per-rank buffer footprint: S, or 2S alltoall and sendrecv */
	uint32_t nxfers;
	uint32_t xfers_cap;	/* entries allocated */
	struct coll_xfer *xfers;
	uint32_t ndeps;
	uint32_t deps_cap;	/* entries allocated */
	uint32_t *deps;
	char err[224];		/* why coll_build failed, "" otherwise */
};

/* Bit of KIND in a set of kinds (struct coll_algo_ops.kinds). */
#define COLL_KIND_BIT(kind) (1u << (kind))

struct coll_est;
struct coll_gen;

/*
 * One collective algorithm: a file collectives/algo_NAME.c defines
 * `const struct coll_algo_ops coll_algo_NAME`, and one line of the registry
 * in sched.c puts it at its enum coll_algo value. That is all adding an
 * algorithm takes: its name then parses in both programs and appears in
 * every message and output, and coll_params_error, coll_build and
 * coll_sched_estimate follow its kinds, rules and bounds.
 */
struct coll_algo_ops {
	const char *name;		/* --algo NAME, and in every output */
	const char *const *aliases;	/* other spellings, NULL-terminated; may be NULL */
	uint32_t kinds;			/* COLL_KIND_BIT of every kind it builds */
	uint32_t default_for;		/* kinds it is the default algorithm of */
	bool chunked;			/* every step moves chunk_bytes pieces (pipelined) */
	const char *wrong_kind;		/* why a kind outside KINDS is refused: names what works */
	/* Its own rules for P, once P's kind is one of KINDS: NULL (fine) or why not. May be NULL. */
	const char *(*check)(const struct coll_params *p);
	/* The schedule of P into S, whose header coll_build has set: 0 or a negative errno. */
	int (*build)(struct coll_sched *s, const struct coll_params *p);
	/* Upper bounds on what build makes for P (estimate.c: struct coll_est). */
	void (*estimate)(const struct coll_params *p, struct coll_est *e);
	/*
	 * Its own lazy generator of P into G (collectives/gen.h), O(ranks)
	 * memory: 0 or a negative errno with the reason in G->err. NULL: the
	 * schedule is built (build) and wrapped (coll_gen_from_sched).
	 */
	int (*gen)(struct coll_gen *g, const struct coll_params *p);
};

/* The table entry of ALGO, NULL outside the table. */
const struct coll_algo_ops *coll_algo_ops(enum coll_algo algo);

/*
 * Names; *_from_name return the enum value or -EINVAL. All-to-all is
 * named "all-to-all"; "alltoall" (nccl-tests', and this project's before
 * issue 16) is read as an alias.
 */
const char *coll_kind_name(enum coll_kind kind);
const char *coll_algo_name(enum coll_algo algo);
int coll_kind_from_name(const char *name);
int coll_algo_from_name(const char *name);
/* Every algorithm name in table order, joined by SEP, LAST before the last: BUF. */
const char *coll_algo_names(char *buf, size_t len, const char *sep, const char *last);
/* The usual algorithm for a kind (its table entry's default_for): ring, or pairwise for alltoall. */
enum coll_algo coll_default_algo(enum coll_kind kind);

/* Zeroed, empty schedule; coll_sched_free releases it (and may be reused). */
void coll_sched_init(struct coll_sched *s);
void coll_sched_free(struct coll_sched *s);

/*
 * Append a transfer (its dep_first/ndeps are ignored) depending on DEPS,
 * which must name existing transfers. Returns 0 and its index in *idx, or
 * -EINVAL (a dep not below the new index), -E2BIG, -ENOMEM.
 */
int coll_sched_add(struct coll_sched *s, const struct coll_xfer *x,
		   const uint32_t *deps, uint32_t ndeps, uint32_t *idx);
static inline const uint32_t *coll_xfer_deps(const struct coll_sched *s,
					     const struct coll_xfer *x)
{
	/* a schedule without any dependency has no deps array: NULL + 0 is UB */
	return x->ndeps ? s->deps + x->dep_first : s->deps;
}

/*
 * NULL when P describes a buildable collective, else a message saying what
 * is wrong (a static string).
 */
const char *coll_params_error(const struct coll_params *p);

/*
 * Build the schedule for P into S (initialised by coll_sched_init; previous
 * contents are dropped, allocations kept). Returns 0, -EINVAL for bad params
 * (coll_params_error says why), -E2BIG when it would have too many pieces
 * (raise chunk_bytes) or -ENOMEM. On error S holds no transfers and s->err
 * says why in one line.
 */
int coll_build(struct coll_sched *s, const struct coll_params *p);

/*
 * Upper bounds on the transfers coll_build(P) would make and the memory it
 * would take, bytes (saturating). coll_build itself refuses, with -E2BIG or
 * -ENOMEM and a message in s->err, what cannot be indexed or does not fit
 * in the memory available.
 */
void coll_sched_estimate(const struct coll_params *p, uint64_t *nxfers, uint64_t *mem_bytes);
/* The same bound on transfers, and the entries of the builder's last-writer table. */
void coll_sched_bounds(const struct coll_params *p, uint64_t *nxfers, uint64_t *table_entries);

/* Broadcast and reduce have a root (struct coll_params.root). */
bool coll_kind_rooted(enum coll_kind kind);
/* Per-rank buffer of KIND for S = BYTES: S, or 2S (alltoall, sendrecv). */
uint64_t coll_kind_buf_bytes(enum coll_kind kind, uint64_t bytes);
/*
 * Where RANK's result lies in its buffer (the layout above): false, with
 * an empty range, when RANK has none (reduce off the root).
 */
bool coll_result_range(const struct coll_sched *s, uint32_t rank,
		       uint64_t *off_bytes, uint64_t *len_bytes);

/* Block BLOCK (a rank) of an allgather/reducescatter buffer. */
void coll_block_range(const struct coll_sched *s, uint32_t block,
		      uint64_t *off_bytes, uint64_t *len_bytes);
/*
 * Alltoall piece from rank SRC to rank DST: its offset in SRC's send half,
 * its offset in DST's buffer (inside the receive half) and its size. Pieces
 * differ by at most one element; each send and receive half is tiled exactly.
 */
void coll_a2a_range(const struct coll_sched *s, uint32_t src, uint32_t dst,
		    uint64_t *send_off_bytes, uint64_t *recv_off_bytes,
		    uint64_t *bytes);

/*
 * Out of place: each rank has an input buffer IN, which no transfer writes,
 * and an output buffer OUT of buf_bytes each, and runs the same transfers
 * into OUT. A transfer reads OUT where an earlier transfer (in index order,
 * which the checker proves is every timing's) wrote those bytes, else IN,
 * where the input sits as in place; the first REDUCE into bytes of OUT
 * combines them with IN's (OUT = IN (+) src) instead of copying IN first;
 * result bytes that no transfer writes (all-gather's own block, the
 * broadcast root's buffer) are copied IN -> OUT locally at the end.
 * coll_sched_oop derives that per transfer.
 */
enum coll_oop_flag {
	COLL_OOP_SRC_IN = 1,	/* reads its source from IN */
	COLL_OOP_DST_IN = 2,	/* a REDUCE whose OUT bytes are unwritten: OUT = IN (+) src */
};

/* A local copy IN -> OUT of [off_bytes, + bytes) on RANK. */
struct coll_oop_copy {
	uint32_t rank;
	uint64_t off_bytes;
	uint64_t bytes;
};

struct coll_oop {
	uint8_t *flags;			/* [nxfers] enum coll_oop_flag bits */
	struct coll_oop_copy *copies;	/* by rank, then offset */
	uint32_t ncopies;
};

/*
 * Fills O (zeroed first) for S. Returns 0, -ENOMEM, or -EINVAL (with ERR)
 * when a transfer reads or reduces into bytes of which only some were
 * written before: such a transfer would need two sources.
 */
int coll_sched_oop(const struct coll_sched *s, struct coll_oop *o, char *err, size_t err_len);
void coll_oop_free(struct coll_oop *o);
/*
 * coll_sched_check for out of place: the same proof, each rank's IN and
 * OUT tracked apart, reads and first reduces taken where O says, O's
 * copies run last and the result read from OUT.
 */
int coll_sched_check_oop(const struct coll_sched *s, const struct coll_oop *o,
			 char *err, size_t err_len);

/* Bytes RANK sends to other ranks (local copies excluded). */
uint64_t coll_sched_tx_bytes(const struct coll_sched *s, uint32_t rank);

/*
 * Symbolically execute S and prove it computes its collective: every result
 * byte holds each expected contribution exactly once, every read sees data
 * its dependencies guarantee, and no two accesses to the same bytes (a write
 * and anything else) are unordered; on servers, rings and trees on rails
 * follow NCCL's construction (their NICs, chains and trees over servers).
 * Returns 0, -EINVAL with a message naming
 * the transfer in ERR, -E2BIG (too large to check) or -ENOMEM.
 */
int coll_sched_check(const struct coll_sched *s, char *err, size_t err_len);

/*
 * Rings on rails (NCCL's ring graph on servers of one GPU and one NIC per
 * local index, algo_ring.c): true when ring schedules of NRANKS ranks in
 * servers of G GPUs rotate each channel's order, i.e. G > 1 and the ranks
 * fill at least two whole servers.
 */
bool coll_ring_on_rails(uint32_t nranks, uint32_t gpus_per_server);
/*
 * MEMBERS[p] (NRANKS entries): the rank at position p of CHANNEL's ring;
 * members[p] sends to members[p + 1]. Identity unless coll_ring_on_rails.
 */
void coll_ring_order(uint32_t nranks, uint32_t gpus_per_server, uint32_t channel, uint32_t *members);
/*
 * NCCL's double binary tree (src/graph/trees.cc ncclGetDtree) over N
 * nodes: the parent of node V in TREE 0 (the binary tree rooted at 0) or 1
 * (its mirror, or its shift by one for N odd); COLL_NONE at the root.
 */
uint32_t coll_tree_parent(uint32_t n, unsigned int tree, uint32_t v);
/*
 * PARENT[r] (NRANKS entries): rank r's parent in TREE (0 or 1) of CHANNEL's
 * double binary tree, COLL_NONE at the root. When coll_ring_on_rails, NCCL's
 * tree on servers (algo_tree.c): each server a chain of local GPUs c, c+1,
 * ..., c-1 (c = CHANNEL mod G) reducing towards its head GPU c, the heads
 * linked by coll_tree_parent over server indices; else the tree over ranks.
 */
void coll_tree_rank_parents(uint32_t nranks, uint32_t gpus_per_server, uint32_t channel,
			    unsigned int tree, uint32_t *parent);
/*
 * Channels of P when it asks for none (nchannels 0): for a ring or a tree
 * on rails one per NIC of a server, G (at most 32, NCCL's MAXCHANNELS);
 * else 1.
 */
uint32_t coll_default_channels(const struct coll_params *p);
/* How many times NCCL runs each of those channels (its duplicates): 2 for rings and trees on rails, else 1. */
uint32_t coll_default_dup(const struct coll_params *p);
/* The pipelining chunk when none is asked for, bytes (the rings' and fabsim's default). */
#define COLL_CHUNK_DEFAULT (1ULL << 20)
/*
 * The chunk NCCL pipelines P with when it asks for none: for trees
 * (tree, hier-tree all-reduce) NCCL's rule, which halves a 512 KiB step
 * until every channel carries enough chunks to fill the tree's depth;
 * else COLL_CHUNK_DEFAULT. Uses P's kind, algo, nranks, bytes,
 * gpus_per_server and nchannels (0: coll_default_channels).
 */
uint64_t coll_default_chunk(const struct coll_params *p);
/* The rank whose NIC a PXN transfer SRC -> DST leaves through: SRC's server, DST's local index. */
static inline uint32_t coll_pxn_relay(uint32_t gpus_per_server, uint32_t src, uint32_t dst)
{
	return src - src % gpus_per_server + dst % gpus_per_server;
}
/* The rank whose NIC carries X (its source, or its PXN relay). */
static inline uint32_t coll_xfer_nic_rank(const struct coll_sched *s, const struct coll_xfer *x)
{
	return x->pxn ? coll_pxn_relay(s->gpus_per_server, x->src_rank, x->dst_rank) : x->src_rank;
}
/*
 * For ring schedules on rails: one line per channel with its order inside
 * a server and the GPUs and NICs of its inter-server hops. Nothing otherwise.
 */
void coll_sched_print_rings(FILE *f, const struct coll_sched *s);
/*
 * For tree schedules on rails: the two trees over servers (each server's
 * parent and children) and one line per channel with its chain inside a
 * server and its head GPU and NIC. Nothing otherwise.
 */
void coll_sched_print_trees(FILE *f, const struct coll_sched *s);

/* One line per transfer: idx, step, channel, src->dst, offsets, bytes, op, deps. */
void coll_sched_print(FILE *f, const struct coll_sched *s);

#endif /* COLL_SCHED_H */
