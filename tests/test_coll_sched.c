/*
 * Tests of collective schedules: every algorithm and kind passes the
 * symbolic checker over many rank counts, sizes, channels and chunkings;
 * byte counts match the hand-derived theory; and the checker itself is shown
 * to reject dropped, duplicated and under-ordered transfers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/algo.h"
#include "collectives/busbw.h"
#include "collectives/sched.h"

static char err[512];

static int build(struct coll_sched *s, enum coll_kind kind, enum coll_algo algo,
		 uint32_t n, uint64_t bytes, uint32_t elem, uint32_t nch,
		 uint64_t chunk, uint32_t g)
{
	struct coll_params p = {
		.kind = kind, .algo = algo, .nranks = n, .bytes = bytes,
		.elem_bytes = elem, .nchannels = nch, .chunk_bytes = chunk,
		.gpus_per_server = g,
	};

	return coll_build(s, &p);
}

static void build_ok(struct coll_sched *s, enum coll_kind kind, enum coll_algo algo,
		     uint32_t n, uint64_t bytes, uint32_t elem, uint32_t nch,
		     uint64_t chunk, uint32_t g)
{
	assert_int_equal(build(s, kind, algo, n, bytes, elem, nch, chunk, g), 0);
}

/* In place, then out of place with its derived annotation. */
static void check_ok(const struct coll_sched *s, const char *what)
{
	struct coll_oop o;
	int ret = coll_sched_check(s, err, sizeof(err));

	if (!ret) {
		ret = coll_sched_oop(s, &o, err, sizeof(err));
		if (!ret)
			ret = coll_sched_check_oop(s, &o, err, sizeof(err));
		coll_oop_free(&o);
	}
	if (ret)
		print_error("%s %s n=%u root=%u S=%llu ch=%u: %s\n", coll_kind_name(s->kind),
			    coll_algo_name(s->algo), s->nranks, s->root,
			    (unsigned long long)s->bytes, s->nchannels, err);
	assert_int_equal(ret, 0);
	(void)what;
}

static const struct {
	enum coll_kind kind;
	enum coll_algo algo;
} combos[] = {
	{ COLL_ALLREDUCE, COLL_ALGO_RING },
	{ COLL_ALLREDUCE, COLL_ALGO_RHD },
	{ COLL_ALLREDUCE, COLL_ALGO_TREE },
	{ COLL_ALLGATHER, COLL_ALGO_RING },
	{ COLL_REDUCESCATTER, COLL_ALGO_RING },
	{ COLL_ALLTOALL, COLL_ALGO_PAIRWISE },
	{ COLL_BROADCAST, COLL_ALGO_CHAIN },
	{ COLL_REDUCE, COLL_ALGO_CHAIN },
	{ COLL_SENDRECV, COLL_ALGO_P2P },
};

#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

/* Sizes (elements of 4 bytes) that divide by nothing in particular. */
static const uint64_t sweep_elems[] = { 0, 1, 7, 61, 1001 };

static void test_sweep_all(void **state)
{
	static const uint64_t chunks[] = { 0, 12, 1000 };
	struct coll_sched s;
	uint32_t n, nch;
	size_t c, z, k;

	coll_sched_init(&s);
	for (c = 0; c < NCOMBOS; c++)
		for (n = 1; n <= 17; n++)
			for (z = 0; z < sizeof(sweep_elems) / sizeof(sweep_elems[0]); z++)
				for (nch = 1; nch <= 3; nch++)
					for (k = 0; k < 3; k++) {
						build_ok(&s, combos[c].kind, combos[c].algo, n,
							 4 * sweep_elems[z], 4, nch, chunks[k], 0);
						check_ok(&s, "sweep");
					}
	coll_sched_free(&s);
}

static void test_sweep_hier(void **state)
{
	static const uint32_t gs[] = { 1, 2, 4, 8 };
	struct coll_sched s;
	uint32_t n, nch;
	size_t g, z;

	coll_sched_init(&s);
	for (g = 0; g < 4; g++)
		for (n = gs[g]; n <= 17; n += gs[g])
			for (z = 0; z < sizeof(sweep_elems) / sizeof(sweep_elems[0]); z++)
				for (nch = 1; nch <= 2; nch++) {
					build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_HIER, n,
						 4 * sweep_elems[z], 4, nch, 40, gs[g]);
					check_ok(&s, "hier");
				}
	coll_sched_free(&s);
}

/* A size that is prime in bytes, one-byte elements, a few chunks. */
static void test_large_odd(void **state)
{
	struct coll_sched s;
	size_t c;

	coll_sched_init(&s);
	for (c = 0; c < NCOMBOS; c++) {
		build_ok(&s, combos[c].kind, combos[c].algo, 7, 1000003, 1, 2, 65536, 0);
		check_ok(&s, "large");
	}
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_HIER, 12, 1000003, 1, 2, 65536, 4);
	check_ok(&s, "large hier");
	coll_sched_free(&s);
}

/* Broadcast and reduce from every root, rank counts 1..9, odd sizes. */
static void test_rooted_sweep(void **state)
{
	static const enum coll_kind kinds[] = { COLL_BROADCAST, COLL_REDUCE };
	struct coll_sched s;
	struct coll_params p = { .algo = COLL_ALGO_CHAIN, .elem_bytes = 4 };
	uint32_t n, root, nch;
	size_t k, z;

	coll_sched_init(&s);
	for (k = 0; k < 2; k++)
		for (n = 1; n <= 9; n++)
			for (root = 0; root < n; root++)
				for (z = 0; z < sizeof(sweep_elems) / sizeof(sweep_elems[0]); z++)
					for (nch = 1; nch <= 2; nch++) {
						p.kind = kinds[k];
						p.nranks = n;
						p.root = root;
						p.bytes = 4 * sweep_elems[z];
						p.nchannels = nch;
						p.chunk_bytes = 12;
						assert_int_equal(coll_build(&s, &p), 0);
						assert_int_equal(s.root, root);
						check_ok(&s, "rooted");
					}
	coll_sched_free(&s);
}

static uint64_t rank_rx_bytes(const struct coll_sched *s, uint32_t rank)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < s->nxfers; i++)
		if (s->xfers[i].dst_rank == rank && s->xfers[i].src_rank != rank)
			sum += s->xfers[i].bytes;
	return sum;
}

/*
 * By hand: S = 160 bytes on 2 channels is 20 floats a channel, in chunks of
 * 8 floats: 3 chunks, so 2 x 3 x (n - 1) = 18 hops for n = 4. The chain
 * from root 2 is 2 -> 3 -> 0 -> 1 (broadcast) or 3 -> 0 -> 1 -> 2 (reduce):
 * every rank but the chain's end sends S, every rank but its start gets S.
 */
static void test_chain_counts(void **state)
{
	struct coll_params p = {
		.kind = COLL_BROADCAST, .algo = COLL_ALGO_CHAIN, .nranks = 4, .root = 2,
		.bytes = 160, .elem_bytes = 4, .nchannels = 2, .chunk_bytes = 32,
	};
	static const uint64_t bc_tx[4] = { 160, 0, 160, 160 }, bc_rx[4] = { 160, 160, 0, 160 };
	static const uint64_t rd_tx[4] = { 160, 160, 0, 160 }, rd_rx[4] = { 160, 160, 160, 0 };
	struct coll_sched s;
	uint32_t r, i;

	coll_sched_init(&s);
	assert_int_equal(coll_build(&s, &p), 0);
	assert_int_equal(s.nxfers, 18);
	for (r = 0; r < 4; r++) {
		assert_int_equal(coll_sched_tx_bytes(&s, r), bc_tx[r]);
		assert_int_equal(rank_rx_bytes(&s, r), bc_rx[r]);
	}
	for (i = 0; i < s.nxfers; i++) {
		assert_int_equal(s.xfers[i].op, COLL_OP_COPY);
		assert_int_equal(s.xfers[i].dst_rank, (s.xfers[i].src_rank + 1) % 4);
		assert_true(s.xfers[i].bytes <= 32);
	}
	p.kind = COLL_REDUCE;
	assert_int_equal(coll_build(&s, &p), 0);
	assert_int_equal(s.nxfers, 18);
	for (r = 0; r < 4; r++) {
		assert_int_equal(coll_sched_tx_bytes(&s, r), rd_tx[r]);
		assert_int_equal(rank_rx_bytes(&s, r), rd_rx[r]);
	}
	for (i = 0; i < s.nxfers; i++)
		assert_int_equal(s.xfers[i].op, COLL_OP_REDUCE);
	/* the root must be a rank */
	p.root = 4;
	assert_non_null(coll_params_error(&p));
	assert_int_equal(coll_build(&s, &p), -EINVAL);
	/* a kind without a root ignores it */
	p.kind = COLL_SENDRECV;
	p.algo = COLL_ALGO_P2P;
	assert_null(coll_params_error(&p));
	coll_sched_free(&s);
}

/*
 * sendrecv: 10 floats in chunks of 4 floats are 3 chunks a rank, 9
 * transfers for 3 ranks; r sends S to r + 1 from its send half into the
 * receive half.
 */
static void test_sendrecv_counts(void **state)
{
	struct coll_sched s;
	uint32_t r, i;

	coll_sched_init(&s);
	build_ok(&s, COLL_SENDRECV, COLL_ALGO_P2P, 3, 40, 4, 1, 16, 0);
	assert_int_equal(s.nxfers, 9);
	assert_int_equal(s.buf_bytes, 80);
	for (r = 0; r < 3; r++) {
		assert_int_equal(coll_sched_tx_bytes(&s, r), 40);
		assert_int_equal(rank_rx_bytes(&s, r), 40);
	}
	for (i = 0; i < s.nxfers; i++) {
		assert_int_equal(s.xfers[i].dst_rank, (s.xfers[i].src_rank + 1) % 3);
		assert_true(s.xfers[i].src_off_bytes < 40 && s.xfers[i].dst_off_bytes >= 40);
		assert_int_equal(s.xfers[i].dst_off_bytes - s.xfers[i].src_off_bytes, 40);
	}
	coll_sched_free(&s);
}

static uint32_t count_flag(const struct coll_sched *s, const struct coll_oop *o, uint8_t flag)
{
	uint32_t i, n = 0;

	for (i = 0; i < s->nxfers; i++)
		n += (o->flags[i] & flag) == flag;
	return n;
}

static void oop_ok(const struct coll_sched *s, struct coll_oop *o)
{
	assert_int_equal(coll_sched_oop(s, o, err, sizeof(err)), 0);
	assert_int_equal(coll_sched_check_oop(s, o, err, sizeof(err)), 0);
}

/* The out-of-place annotation, derived by hand for small schedules. */
static void test_oop_annotation(void **state)
{
	struct coll_params p = {
		.kind = COLL_BROADCAST, .algo = COLL_ALGO_CHAIN, .nranks = 3, .root = 1,
		.bytes = 48, .elem_bytes = 4, .nchannels = 1,
	};
	struct coll_sched s;
	struct coll_oop o;
	uint32_t r;

	coll_sched_init(&s);
	/* all-gather: each rank sends its own block from IN once, copies it last */
	build_ok(&s, COLL_ALLGATHER, COLL_ALGO_RING, 3, 48, 4, 1, 0, 0);
	oop_ok(&s, &o);
	assert_int_equal(s.nxfers, 6);
	assert_int_equal(count_flag(&s, &o, COLL_OOP_SRC_IN), 3);
	assert_int_equal(count_flag(&s, &o, COLL_OOP_DST_IN), 0);
	assert_int_equal(o.ncopies, 3);
	for (r = 0; r < 3; r++) {
		assert_int_equal(o.copies[r].rank, r);
		assert_int_equal(o.copies[r].off_bytes, 16 * r);
		assert_int_equal(o.copies[r].bytes, 16);
	}
	coll_oop_free(&o);
	/* broadcast from 1: 1 -> 2 reads IN, 2 -> 0 forwards OUT; the root copies S */
	assert_int_equal(coll_build(&s, &p), 0);
	oop_ok(&s, &o);
	assert_int_equal(s.nxfers, 2);
	assert_int_equal(o.flags[0], COLL_OOP_SRC_IN);
	assert_int_equal(o.flags[1], 0);
	assert_int_equal(o.ncopies, 1);
	assert_int_equal(o.copies[0].rank, 1);
	assert_int_equal(o.copies[0].off_bytes, 0);
	assert_int_equal(o.copies[0].bytes, 48);
	/* dropping the root's copy loses the result; reading rank 2's IN reads nothing */
	o.ncopies = 0;
	assert_int_equal(coll_sched_check_oop(&s, &o, err, sizeof(err)), -EINVAL);
	o.ncopies = 1;
	o.flags[1] = COLL_OOP_SRC_IN;
	assert_int_equal(coll_sched_check_oop(&s, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "undefined"));
	coll_oop_free(&o);
	/* reduce to 1: 2 -> 0 is IN (+) IN, 0 -> 1 is OUT into IN; nothing to copy */
	p.kind = COLL_REDUCE;
	assert_int_equal(coll_build(&s, &p), 0);
	oop_ok(&s, &o);
	assert_int_equal(s.nxfers, 2);
	assert_int_equal(s.xfers[0].src_rank, 2);
	assert_int_equal(o.flags[0], COLL_OOP_SRC_IN | COLL_OOP_DST_IN);
	assert_int_equal(o.flags[1], COLL_OOP_DST_IN);
	assert_int_equal(o.ncopies, 0);
	/* an annotation that copies IN first would count rank 1 twice; one without it misses it */
	o.flags[1] = 0;
	assert_int_equal(coll_sched_check_oop(&s, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "annotation"));
	coll_oop_free(&o);
	/* sendrecv and alltoall read only their send halves: all from IN, nothing to copy */
	build_ok(&s, COLL_SENDRECV, COLL_ALGO_P2P, 2, 48, 4, 1, 16, 0);
	oop_ok(&s, &o);
	assert_int_equal(count_flag(&s, &o, COLL_OOP_SRC_IN), s.nxfers);
	assert_int_equal(o.ncopies, 0);
	coll_oop_free(&o);
	build_ok(&s, COLL_ALLTOALL, COLL_ALGO_PAIRWISE, 3, 48, 4, 1, 0, 0);
	oop_ok(&s, &o);
	assert_int_equal(count_flag(&s, &o, COLL_OOP_SRC_IN), s.nxfers);
	assert_int_equal(o.ncopies, 0);
	coll_oop_free(&o);
	/* ring all-reduce, 3 ranks: the first reduce-scatter step reads IN into IN */
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 3, 48, 4, 1, 0, 0);
	oop_ok(&s, &o);
	assert_int_equal(count_flag(&s, &o, COLL_OOP_SRC_IN | COLL_OOP_DST_IN), 3);
	assert_int_equal(count_flag(&s, &o, COLL_OOP_SRC_IN), 3);
	assert_int_equal(o.ncopies, 0);
	coll_oop_free(&o);
	coll_sched_free(&s);
}

static void test_ring_counts(void **state)
{
	struct coll_sched s;
	uint64_t bytes;
	uint32_t n, r;

	coll_sched_init(&s);
	for (n = 1; n <= 17; n++) {
		bytes = 4ull * n * 60;
		build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, n, bytes, 4, 1, 0, 0);
		assert_int_equal(s.nxfers, 2 * n * (n - 1));
		for (r = 0; r < n; r++)
			assert_int_equal(coll_sched_tx_bytes(&s, r) * n, 2 * (n - 1) * bytes);
		build_ok(&s, COLL_ALLGATHER, COLL_ALGO_RING, n, bytes, 4, 1, 0, 0);
		assert_int_equal(s.nxfers, n * (n - 1));
		for (r = 0; r < n; r++)
			assert_int_equal(coll_sched_tx_bytes(&s, r) * n, (n - 1) * bytes);
	}
	/* Two channels and chunks split the same total. */
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 8, 8 * 4096, 4, 2, 1024, 0);
	assert_int_equal(s.nxfers, 2 * 8 * 7 * 2 * 2);
	assert_int_equal(coll_sched_tx_bytes(&s, 3) * 8, 2 * 7 * 8 * 4096);
	coll_sched_free(&s);
}

static void test_rhd_counts(void **state)
{
	struct coll_sched s;
	uint64_t bytes = 4 * 8 * 100;
	uint32_t r;

	coll_sched_init(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RHD, 8, bytes, 4, 1, 0, 0);
	/* 3 halving + 3 doubling exchanges per rank. */
	assert_int_equal(s.nxfers, 8 * 6);
	for (r = 0; r < 8; r++)
		assert_int_equal(coll_sched_tx_bytes(&s, r) * 8, 2 * 7 * bytes);
	/* 6 = 4 + 2: ranks 4, 5 fold into 0, 1 and get the result back. */
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RHD, 6, bytes, 4, 1, 0, 0);
	assert_int_equal(coll_sched_tx_bytes(&s, 4), bytes);
	assert_int_equal(coll_sched_tx_bytes(&s, 0) * 4, 2 * 3 * bytes + 4 * bytes);
	assert_int_equal(coll_sched_tx_bytes(&s, 2) * 4, 2 * 3 * bytes);
	coll_sched_free(&s);
}

static void test_alltoall_counts(void **state)
{
	uint64_t so, ro, len, prev, sum_s, sum_r, min, max;
	struct coll_sched s;
	uint32_t n, i, j;

	coll_sched_init(&s);
	build_ok(&s, COLL_ALLTOALL, COLL_ALGO_PAIRWISE, 8, 8 * 4 * 32, 4, 1, 0, 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(coll_sched_tx_bytes(&s, i) * 8, 7 * 8 * 4 * 32);
	assert_int_equal(s.buf_bytes, 2 * s.bytes);
	/* Uneven: both halves tiled exactly, pieces within one element. */
	for (n = 1; n <= 9; n++) {
		build_ok(&s, COLL_ALLTOALL, COLL_ALGO_PAIRWISE, n, 4 * 23, 4, 1, 0, 0);
		min = UINT64_MAX;
		max = 0;
		for (i = 0; i < n; i++) {
			sum_s = sum_r = 0;
			for (j = 0, prev = 0; j < n; j++) {
				coll_a2a_range(&s, i, j, &so, &ro, &len);
				assert_int_equal(so, prev);
				prev = so + len;
				sum_s += len;
				min = len < min ? len : min;
				max = len > max ? len : max;
			}
			for (j = 0, prev = s.bytes; j < n; j++) {
				coll_a2a_range(&s, j, i, &so, &ro, &len);
				assert_int_equal(ro, prev);
				prev = ro + len;
				sum_r += len;
			}
			assert_int_equal(sum_s, s.bytes);
			assert_int_equal(sum_r, s.bytes);
		}
		assert_true(max - min <= 4);
	}
	coll_sched_free(&s);
}

static void test_tree_shape(void **state)
{
	uint32_t parent[64], kids[64], n, t, r, roots, hops, x;

	for (n = 1; n <= 64; n++) {
		for (t = 0; t < 2; t++) {
			coll_tree_parents(n, t, parent);
			memset(kids, 0, sizeof(kids));
			roots = 0;
			for (r = 0; r < n; r++) {
				if (parent[r] == COLL_NONE) {
					roots++;
					continue;
				}
				assert_true(parent[r] < n);
				kids[parent[r]]++;
				for (x = r, hops = 0; parent[x] != COLL_NONE; x = parent[x])
					assert_true(++hops <= n);
			}
			assert_int_equal(roots, 1);
			for (r = 0; r < n; r++)
				assert_true(kids[r] <= 2);
		}
	}
}

static void test_tree_counts(void **state)
{
	struct coll_sched s;
	uint64_t bytes, total;
	uint32_t n, r;

	coll_sched_init(&s);
	for (n = 2; n <= 17; n++) {
		bytes = 4ull * 2 * 50;
		build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_TREE, n, bytes, 4, 1, 0, 0);
		/* Each tree edge carries its half up once and down once. */
		assert_int_equal(s.nxfers, 4 * (n - 1));
		for (r = 0, total = 0; r < n; r++) {
			/* Up the one tree plus at most two children down: 2S. */
			assert_true(coll_sched_tx_bytes(&s, r) <= 2 * bytes);
			total += coll_sched_tx_bytes(&s, r);
		}
		assert_int_equal(total, 2 * (n - 1) * bytes);
	}
	coll_sched_free(&s);
}

static void test_hier_counts(void **state)
{
	uint64_t bytes = 4ull * 4 * 3 * 40, inter, intra;
	struct coll_sched s;
	uint32_t i, r;

	coll_sched_init(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_HIER, 12, bytes, 4, 1, 0, 4);
	for (r = 0; r < 12; r++) {
		inter = intra = 0;
		for (i = 0; i < s.nxfers; i++) {
			const struct coll_xfer *x = &s.xfers[i];

			assert_int_equal(x->intra, x->src_rank / 4 == x->dst_rank / 4);
			/* Only rails talk across servers: same local index. */
			if (!x->intra)
				assert_int_equal(x->src_rank % 4, x->dst_rank % 4);
			if (x->src_rank != r)
				continue;
			if (x->intra)
				intra += x->bytes;
			else
				inter += x->bytes;
		}
		assert_int_equal(intra * 4, 2 * 3 * bytes);
		assert_int_equal(inter * 3 * 4, 2 * 2 * bytes);
	}
	coll_sched_free(&s);
}

static void test_chunk_bound(void **state)
{
	static const uint64_t chunks[] = { 4, 12, 100, 4096 };
	struct coll_sched s;
	uint32_t i;
	size_t k;

	coll_sched_init(&s);
	for (k = 0; k < 4; k++) {
		build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 5, 4 * 10007, 4, 3, chunks[k], 0);
		for (i = 0; i < s.nxfers; i++)
			assert_true(s.xfers[i].bytes <= chunks[k]);
		build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_TREE, 5, 4 * 10007, 4, 3, chunks[k], 0);
		for (i = 0; i < s.nxfers; i++)
			assert_true(s.xfers[i].bytes <= chunks[k]);
		build_ok(&s, COLL_ALLGATHER, COLL_ALGO_RING, 5, 4 * 10007, 4, 3, chunks[k], 0);
		for (i = 0; i < s.nxfers; i++)
			assert_true(s.xfers[i].bytes <= chunks[k]);
	}
	/* A bound below one element still moves whole elements. */
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 3, 8 * 9, 8, 1, 3, 0);
	for (i = 0; i < s.nxfers; i++)
		assert_int_equal(s.xfers[i].bytes, 8);
	check_ok(&s, "tiny chunks");
	coll_sched_free(&s);
}

static void test_topological_and_deterministic(void **state)
{
	struct coll_sched a, b;
	uint32_t i, d;

	coll_sched_init(&a);
	coll_sched_init(&b);
	build_ok(&a, COLL_ALLREDUCE, COLL_ALGO_HIER, 16, 4 * 999, 4, 2, 64, 4);
	build_ok(&b, COLL_ALLREDUCE, COLL_ALGO_HIER, 16, 4 * 999, 4, 2, 64, 4);
	assert_int_equal(a.nxfers, b.nxfers);
	assert_int_equal(a.ndeps, b.ndeps);
	assert_memory_equal(a.xfers, b.xfers, a.nxfers * sizeof(*a.xfers));
	assert_memory_equal(a.deps, b.deps, a.ndeps * sizeof(*a.deps));
	for (i = 0; i < a.nxfers; i++)
		for (d = 0; d < a.xfers[i].ndeps; d++)
			assert_true(coll_xfer_deps(&a, &a.xfers[i])[d] < i);
	coll_sched_free(&a);
	coll_sched_free(&b);
}

/*
 * Copy S into OUT, dropping transfer DROP (deps on it vanish), inserting a
 * copy of transfer DUP right after it, and stripping STRIP of all its deps.
 */
static void mutate(const struct coll_sched *s, struct coll_sched *out,
		   uint32_t drop, uint32_t dup, uint32_t strip)
{
	uint32_t *map = malloc((s->nxfers + 1) * sizeof(*map));
	uint32_t *deps = malloc((s->ndeps + 1) * sizeof(*deps));
	uint32_t i, d, nd, idx;

	assert_non_null(map);
	assert_non_null(deps);
	coll_sched_free(out);
	*out = *s;
	out->xfers = NULL;
	out->deps = NULL;
	out->nxfers = out->xfers_cap = out->ndeps = out->deps_cap = 0;
	for (i = 0; i < s->nxfers; i++) {
		const struct coll_xfer *x = &s->xfers[i];
		const uint32_t *xd = coll_xfer_deps(s, x);

		map[i] = COLL_NONE;
		if (i == drop)
			continue;
		for (d = 0, nd = 0; i != strip && d < x->ndeps; d++)
			if (map[xd[d]] != COLL_NONE)
				deps[nd++] = map[xd[d]];
		assert_int_equal(coll_sched_add(out, x, deps, nd, &idx), 0);
		map[i] = idx;
		if (i == dup)
			assert_int_equal(coll_sched_add(out, x, deps, nd, &idx), 0);
	}
	free(map);
	free(deps);
}

/* Every transfer of S is needed and a duplicate of any is caught. */
static void expect_tight(const struct coll_sched *s)
{
	struct coll_sched m;
	uint32_t i;

	coll_sched_init(&m);
	check_ok(s, "base");
	mutate(s, &m, COLL_NONE, COLL_NONE, COLL_NONE);
	check_ok(&m, "identity copy");
	for (i = 0; i < s->nxfers; i++) {
		mutate(s, &m, i, COLL_NONE, COLL_NONE);
		assert_int_not_equal(coll_sched_check(&m, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "xfer") ? err : strstr(err, "result"));
		mutate(s, &m, COLL_NONE, i, COLL_NONE);
		assert_int_not_equal(coll_sched_check(&m, err, sizeof(err)), 0);
	}
	coll_sched_free(&m);
}

static void test_checker_drop_dup(void **state)
{
	struct coll_sched s;

	coll_sched_init(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 4, 4 * 40, 4, 2, 16, 0);
	expect_tight(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RHD, 6, 4 * 40, 4, 1, 0, 0);
	expect_tight(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_TREE, 7, 4 * 40, 4, 1, 40, 0);
	expect_tight(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_HIER, 8, 4 * 40, 4, 1, 0, 4);
	expect_tight(&s);
	build_ok(&s, COLL_ALLGATHER, COLL_ALGO_RING, 5, 4 * 40, 4, 1, 0, 0);
	expect_tight(&s);
	build_ok(&s, COLL_REDUCESCATTER, COLL_ALGO_RING, 5, 4 * 40, 4, 1, 0, 0);
	expect_tight(&s);
	build_ok(&s, COLL_ALLTOALL, COLL_ALGO_PAIRWISE, 5, 4 * 40, 4, 1, 0, 0);
	expect_tight(&s);
	coll_sched_free(&s);
}

/* Did dep d of transfer t write what t reads? */
static bool feeds(const struct coll_sched *s, uint32_t d, uint32_t t)
{
	const struct coll_xfer *w = &s->xfers[d], *x = &s->xfers[t];

	return w->dst_rank == x->src_rank &&
	       w->dst_off_bytes < x->src_off_bytes + x->bytes &&
	       x->src_off_bytes < w->dst_off_bytes + w->bytes;
}

/* A transfer without deps that read data written before it must fail. */
static void expect_needs_deps(const struct coll_sched *s)
{
	struct coll_sched m;
	uint32_t t, d, caught = 0;

	coll_sched_init(&m);
	for (t = 0; t < s->nxfers; t++) {
		const uint32_t *deps = coll_xfer_deps(s, &s->xfers[t]);
		bool reads_written = false;

		for (d = 0; d < s->xfers[t].ndeps; d++)
			reads_written |= feeds(s, deps[d], t);
		if (!reads_written)
			continue;
		mutate(s, &m, COLL_NONE, COLL_NONE, t);
		assert_int_equal(coll_sched_check(&m, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "without depending"));
		caught++;
	}
	assert_true(caught > 0);
	coll_sched_free(&m);
}

static void test_checker_deps(void **state)
{
	struct coll_sched s;

	coll_sched_init(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 5, 4 * 40, 4, 2, 8, 0);
	expect_needs_deps(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RHD, 7, 4 * 40, 4, 1, 0, 0);
	expect_needs_deps(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_TREE, 6, 4 * 40, 4, 1, 40, 0);
	expect_needs_deps(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_HIER, 8, 4 * 40, 4, 1, 0, 2);
	expect_needs_deps(&s);
	build_ok(&s, COLL_ALLGATHER, COLL_ALGO_RING, 4, 4 * 40, 4, 1, 0, 0);
	expect_needs_deps(&s);
	coll_sched_free(&s);
}

static void test_checker_corruptions(void **state)
{
	struct coll_sched s;

	coll_sched_init(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 4, 4 * 40, 4, 1, 0, 0);
	/* Copy where a reduce belongs: a contribution goes missing. */
	s.xfers[0].op = COLL_OP_COPY;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	s.xfers[0].op = COLL_OP_REDUCE;
	/* Reading the wrong element range. */
	s.xfers[1].src_off_bytes += 4;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	s.xfers[1].src_off_bytes -= 4;
	/* A dep on a later transfer breaks the topological order. */
	s.deps[s.xfers[5].dep_first] = 7;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "topological"));
	coll_sched_free(&s);
}

static void test_params(void **state)
{
	struct coll_sched s;
	struct coll_params p = {
		.kind = COLL_ALLREDUCE, .algo = COLL_ALGO_HIER, .nranks = 10,
		.bytes = 64, .elem_bytes = 4, .gpus_per_server = 4,
	};

	coll_sched_init(&s);
	assert_int_equal(coll_build(&s, &p), -EINVAL);
	assert_non_null(strstr(coll_params_error(&p), "multiple of gpus_per_server"));
	assert_int_equal(s.nxfers, 0);
	p.nranks = 8;
	assert_null(coll_params_error(&p));
	assert_int_equal(coll_build(&s, &p), 0);
	p.bytes = 66;
	assert_non_null(coll_params_error(&p));
	p.bytes = 64;
	p.kind = COLL_ALLTOALL;
	p.algo = COLL_ALGO_RING;
	assert_int_equal(coll_build(&s, &p), -EINVAL);
	p.nranks = 0;
	assert_non_null(coll_params_error(&p));
	/* Too many pieces for the tables: refused, not attempted. */
	assert_int_equal(build(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 64, 1ull << 40, 1,
			       64, 1, 0), -E2BIG);
	coll_sched_free(&s);
}

/* MemAvailable in bytes, 0 when unknown. */
static uint64_t mem_available(void)
{
	unsigned long long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib * 1024;
}

/*
 * coll_sched_estimate bounds what coll_build makes, and coll_build refuses
 * schedules it could not index or hold before allocating them.
 */
static void test_size_guard(void **state)
{
	static const uint32_t ranks[] = { 1, 2, 3, 5, 8, 13 };
	struct coll_params p = { .elem_bytes = 4, .bytes = 4 * 1001 };
	struct coll_sched s;
	uint64_t nx, mem;
	size_t c, i;

	coll_sched_init(&s);
	/* ring all-reduce, 4 ranks, 16 elements, one chunk: 4 x 2 x 3 = 24, exactly */
	p.kind = COLL_ALLREDUCE;
	p.algo = COLL_ALGO_RING;
	p.nranks = 4;
	p.bytes = 64;
	coll_sched_estimate(&p, &nx, &mem);
	assert_int_equal(nx, 24);
	assert_int_equal(coll_build(&s, &p), 0);
	assert_int_equal(s.nxfers, 24);
	assert_string_equal(s.err, "");
	/* an upper bound for every algorithm, channels and chunking */
	for (c = 0; c < NCOMBOS; c++) {
		for (i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++) {
			p.kind = combos[c].kind;
			p.algo = combos[c].algo;
			p.nranks = ranks[i];
			p.bytes = 4 * 1001;
			p.nchannels = (uint32_t)i % 3 + 1;
			p.chunk_bytes = i % 2 ? 48 : 0;
			coll_sched_estimate(&p, &nx, &mem);
			assert_int_equal(coll_build(&s, &p), 0);
			assert_true(s.nxfers <= nx);
			assert_true(mem >= (uint64_t)s.nxfers * sizeof(struct coll_xfer));
		}
	}
	p.algo = COLL_ALGO_HIER;
	p.kind = COLL_ALLREDUCE;
	p.nranks = 12;
	p.gpus_per_server = 4;
	coll_sched_estimate(&p, &nx, &mem);
	assert_int_equal(coll_build(&s, &p), 0);
	assert_true(s.nxfers <= nx);
	p.gpus_per_server = 0;
	p.nchannels = 0;
	p.chunk_bytes = 0;

	/* 2^32 - 1 ranks all-to-all: (2^32 - 1)^2 transfers, refused at once */
	p.kind = COLL_ALLTOALL;
	p.algo = COLL_ALGO_PAIRWISE;
	p.nranks = UINT32_MAX;
	p.bytes = 1 << 16;
	assert_int_equal(coll_build(&s, &p), -E2BIG);
	assert_non_null(strstr(s.err, "all-to-all pairwise over 4294967295 ranks would take up to"));
	assert_non_null(strstr(s.err, "more than the 4294967292 a schedule can index"));
	assert_int_equal(s.nxfers, 0);
	/* ring all-reduce over 100000 ranks: 2 x 99999 x 100000 = 2e10 transfers */
	p.kind = COLL_ALLREDUCE;
	p.algo = COLL_ALGO_RING;
	p.nranks = 100000;
	assert_int_equal(coll_build(&s, &p), -E2BIG);
	assert_non_null(strstr(s.err, "up to 19999800000 transfers"));
	/* pairwise over 65535 ranks: 4,294,836,225 transfers of 48 B and more:
	 * over 256 GiB, refused for memory on any machine with less available */
	p.kind = COLL_ALLTOALL;
	p.algo = COLL_ALGO_PAIRWISE;
	p.nranks = 65535;
	coll_sched_estimate(&p, &nx, &mem);
	assert_int_equal(nx, 4294836225ULL);
	assert_true(mem > (256ULL << 30));
	if (mem_available() && mem_available() < mem) {
		assert_int_equal(coll_build(&s, &p), -ENOMEM);
		assert_non_null(strstr(s.err, "needs "));
		assert_non_null(strstr(s.err, "GiB available"));
	} else {
		print_message("skipped the memory refusal: %llu bytes available\n",
			      (unsigned long long)mem_available());
	}
	coll_sched_free(&s);

	/* the checker refuses a header it could not hold, without touching it */
	coll_sched_init(&s);
	s.nranks = UINT32_MAX;
	s.elem_bytes = 4;
	s.nchannels = 1;
	s.bytes = s.buf_bytes = 4;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "too large to check"));
	coll_sched_free(&s);
}

static void test_names(void **state)
{
	int i;

	for (i = 0; i < COLL_KIND_COUNT; i++)
		assert_int_equal(coll_kind_from_name(coll_kind_name(i)), i);
	for (i = 0; i < COLL_ALGO_COUNT; i++)
		assert_int_equal(coll_algo_from_name(coll_algo_name(i)), i);
	assert_int_equal(coll_algo_from_name("rabenseifner"), COLL_ALGO_RHD);
	assert_int_equal(coll_kind_from_name("broadcast"), COLL_BROADCAST);
	assert_int_equal(coll_kind_from_name("gather"), -EINVAL);
	assert_int_equal(coll_default_algo(COLL_BROADCAST), COLL_ALGO_CHAIN);
	assert_int_equal(coll_default_algo(COLL_REDUCE), COLL_ALGO_CHAIN);
	assert_int_equal(coll_default_algo(COLL_SENDRECV), COLL_ALGO_P2P);
	assert_int_equal(coll_algo_from_name(NULL), -EINVAL);
	assert_int_equal(coll_default_algo(COLL_ALLTOALL), COLL_ALGO_PAIRWISE);
}

/* Whether MSG names WORD as a whole word (so "allreduce" is not "reduce"). */
static bool names_word(const char *msg, const char *word)
{
	size_t len = strlen(word);
	const char *at;

	for (at = strstr(msg, word); at; at = strstr(at + 1, word)) {
		bool start = at == msg || !isalnum((unsigned char)at[-1]);
		bool end = !isalnum((unsigned char)at[len]);

		if (start && end)
			return true;
	}
	return false;
}

/*
 * A refused kind's message names what would work: every kind the
 * algorithm builds, or every algorithm that builds the kind asked for.
 */
static bool names_what_works(const char *msg, int algo, int kind)
{
	bool all_kinds = true, all_algos = true;
	int i;

	for (i = 0; i < COLL_KIND_COUNT; i++)
		if ((coll_algo_ops(algo)->kinds & COLL_KIND_BIT(i)) && !names_word(msg, coll_kind_name(i)))
			all_kinds = false;
	for (i = 0; i < COLL_ALGO_COUNT; i++)
		if ((coll_algo_ops(i)->kinds & COLL_KIND_BIT(kind)) && !names_word(msg, coll_algo_name(i)))
			all_algos = false;
	return all_kinds || all_algos;
}

/* One kind K of algorithm A: built and checked when A has it, else refused. */
static void algo_kind(int a, int k)
{
	const struct coll_algo_ops *ops = coll_algo_ops(a);
	/* 8 ranks in servers of 4 (hier), 3 channels, 2 chunks a block */
	struct coll_params p = {
		.kind = k, .algo = a, .nranks = 8, .bytes = 4 * 8 * 3 * 16,
		.elem_bytes = 4, .nchannels = 3, .chunk_bytes = 32, .gpus_per_server = 4,
	};
	uint64_t bound, table;
	struct coll_sched s;

	coll_sched_init(&s);
	if (!(ops->kinds & COLL_KIND_BIT(k))) {
		assert_string_equal(coll_params_error(&p), ops->wrong_kind);
		assert_int_equal(coll_build(&s, &p), -EINVAL);
		assert_string_equal(s.err, ops->wrong_kind);
		assert_int_equal(s.nxfers, 0);
		if (!names_what_works(s.err, a, k))
			fail_msg("%s for %s: '%s' names neither its kinds nor the algorithms of %s",
				 ops->name, coll_kind_name(k), s.err, coll_kind_name(k));
		return;
	}
	assert_null(coll_params_error(&p));
	assert_int_equal(coll_build(&s, &p), 0);
	assert_int_equal(s.kind, k);
	assert_int_equal(s.algo, a);
	assert_true(s.nxfers > 0);
	check_ok(&s, ops->name);
	coll_sched_bounds(&p, &bound, &table);
	assert_true(bound >= s.nxfers);
	coll_sched_free(&s);
}

/*
 * The algorithm table: every entry has a name that round-trips through the
 * parser (and so do its aliases), a builder and its bounds, at least one
 * kind; it builds each of its kinds and refuses the others with a message
 * naming what works; each kind has exactly one default, which builds it.
 */
static void test_algo_table(void **state)
{
	const uint32_t all_kinds = (1u << COLL_KIND_COUNT) - 1;
	struct coll_params p = { .kind = COLL_ALLREDUCE, .nranks = 4, .bytes = 64, .elem_bytes = 4 };
	char names[64];
	int a, k, ndefault;

	for (a = 0; a < COLL_ALGO_COUNT; a++) {
		const struct coll_algo_ops *ops = coll_algo_ops(a);
		const char *const *alias;

		assert_non_null(ops);
		assert_non_null(ops->name);
		assert_true(ops->name[0]);
		assert_string_equal(coll_algo_name(a), ops->name);
		assert_int_equal(coll_algo_from_name(ops->name), a);
		for (alias = ops->aliases; alias && *alias; alias++)
			assert_int_equal(coll_algo_from_name(*alias), a);
		assert_non_null(ops->build);
		assert_non_null(ops->estimate);
		assert_true(ops->kinds && !(ops->kinds & ~all_kinds));
		assert_true(!(ops->default_for & ~ops->kinds));
		if (ops->kinds != all_kinds)
			assert_non_null(ops->wrong_kind);
		for (k = 0; k < COLL_KIND_COUNT; k++)
			algo_kind(a, k);
	}
	for (k = 0; k < COLL_KIND_COUNT; k++) {
		for (a = 0, ndefault = 0; a < COLL_ALGO_COUNT; a++)
			ndefault += !!(coll_algo_ops(a)->default_for & COLL_KIND_BIT(k));
		assert_int_equal(ndefault, 1);
		assert_true(coll_algo_ops(coll_default_algo(k))->default_for & COLL_KIND_BIT(k));
	}
	assert_int_equal(coll_default_algo(COLL_ALLREDUCE), COLL_ALGO_RING);
	/* outside the table */
	assert_null(coll_algo_ops(COLL_ALGO_COUNT));
	assert_string_equal(coll_algo_name(COLL_ALGO_COUNT), "?");
	p.algo = COLL_ALGO_COUNT;
	assert_string_equal(coll_params_error(&p), "unknown algorithm");
	/* the list every "expected ..." message shows, and a buffer too short for it */
	assert_string_equal(coll_algo_names(names, sizeof(names), ", ", " or "),
			    "ring, rhd, tree, hier, pairwise, hier-tree, chain or p2p");
	assert_string_equal(coll_algo_names(names, sizeof(names), "|", "|"),
			    "ring|rhd|tree|hier|pairwise|hier-tree|chain|p2p");
	assert_string_equal(coll_algo_names(names, 8, ", ", " or "), "ring, r");
}

static void test_print(void **state)
{
	struct coll_sched s;
	char *buf = NULL;
	size_t len = 0, lines = 0, i;
	FILE *f;

	coll_sched_init(&s);
	build_ok(&s, COLL_ALLREDUCE, COLL_ALGO_RING, 3, 4 * 9, 4, 1, 0, 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	coll_sched_print(f, &s);
	fclose(f);
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, s.nxfers + 1);
	assert_non_null(strstr(buf, "reduce"));
	assert_non_null(strstr(buf, "copy"));
	free(buf);
	coll_sched_free(&s);
}

static void test_busbw(void **state)
{
	assert_true(coll_busbw_factor(COLL_ALLREDUCE, 8) == 1.75);
	assert_true(coll_busbw_factor(COLL_ALLGATHER, 8) == 0.875);
	assert_true(coll_busbw_factor(COLL_REDUCESCATTER, 8) == 0.875);
	assert_true(coll_busbw_factor(COLL_ALLTOALL, 8) == 0.875);
	assert_true(coll_busbw_factor(COLL_ALLREDUCE, 1) == 0);
	/* nccl-tests doc/PERFORMANCE.md: broadcast, reduce and sendrecv move S per link */
	assert_true(coll_busbw_factor(COLL_BROADCAST, 8) == 1);
	assert_true(coll_busbw_factor(COLL_REDUCE, 3) == 1);
	assert_true(coll_busbw_factor(COLL_SENDRECV, 5) == 1);
	/* 1 GiB in 0.1 s: algbw 10.737 GB/s (decimal), busbw x1.75. */
	assert_float_equal(coll_algbw_GBps(1ull << 30, 0.1), 10.73741824, 1e-9);
	assert_float_equal(coll_busbw_GBps(COLL_ALLREDUCE, 8, 1ull << 30, 0.1),
			   10.73741824 * 1.75, 1e-9);
	assert_true(coll_algbw_GBps(1, 0) == 0);
	/* 50 GB/s of busbw on a 400 Gb/s NIC is line rate. */
	assert_float_equal(coll_line_fraction(50, 400000000000ull), 1.0, 1e-12);
	/* sizes: collectives/units.c, tested in test_units.c */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_all),
		cmocka_unit_test(test_sweep_hier),
		cmocka_unit_test(test_large_odd),
		cmocka_unit_test(test_rooted_sweep),
		cmocka_unit_test(test_chain_counts),
		cmocka_unit_test(test_sendrecv_counts),
		cmocka_unit_test(test_oop_annotation),
		cmocka_unit_test(test_ring_counts),
		cmocka_unit_test(test_rhd_counts),
		cmocka_unit_test(test_alltoall_counts),
		cmocka_unit_test(test_tree_shape),
		cmocka_unit_test(test_tree_counts),
		cmocka_unit_test(test_hier_counts),
		cmocka_unit_test(test_chunk_bound),
		cmocka_unit_test(test_topological_and_deterministic),
		cmocka_unit_test(test_checker_drop_dup),
		cmocka_unit_test(test_checker_deps),
		cmocka_unit_test(test_checker_corruptions),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_size_guard),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_algo_table),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_busbw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
