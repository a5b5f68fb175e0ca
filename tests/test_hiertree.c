/*
 * The hierarchical all-reduce over double binary trees (hier-tree,
 * collectives/algo_hiertree.c): intra-server reduce-scatter, per rail and
 * channel NCCL's two trees over servers on half a shard each, pipelined in
 * chunks, intra-server all-gather. Its schedule is a generator (gen.h);
 * these tests prove the materialized schedule with the symbolic checker
 * over many shapes, hold the generator to gen.h's contracts (succ, ndeps,
 * roots) without trusting its build, compare every NIC's bytes with the
 * trees' theory, and create a 100,000-rank generator, counting its
 * transfers by hand, without materializing anything.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectives/algo.h"
#include "collectives/gen.h"
#include "collectives/sched.h"

static char err[512];

static struct coll_params params(uint32_t n, uint32_t g, uint64_t bytes, uint32_t nch, uint64_t chunk)
{
	struct coll_params p = {
		.kind = COLL_ALLREDUCE, .algo = COLL_ALGO_HIERTREE, .nranks = n, .bytes = bytes,
		.elem_bytes = 4, .nchannels = nch, .chunk_bytes = chunk, .gpus_per_server = g, .pxn = 1,
	};

	return p;
}

static void build_checked(struct coll_sched *s, const struct coll_params *p)
{
	int ret = coll_build(s, p);

	if (ret)
		print_error("build n=%u g=%u S=%llu ch=%u chunk=%llu: %s\n", p->nranks, p->gpus_per_server,
			    (unsigned long long)p->bytes, p->nchannels, (unsigned long long)p->chunk_bytes, s->err);
	assert_int_equal(ret, 0);
	ret = coll_sched_check(s, err, sizeof(err));
	if (ret)
		print_error("check n=%u g=%u S=%llu ch=%u chunk=%llu: %s\n", p->nranks, p->gpus_per_server,
			    (unsigned long long)p->bytes, p->nchannels, (unsigned long long)p->chunk_bytes, err);
	assert_int_equal(ret, 0);
}

static void gen_ok(struct coll_gen *g, const struct coll_params *p)
{
	const struct coll_algo_ops *ops = coll_algo_ops(COLL_ALGO_HIERTREE);

	assert_non_null(ops->gen);
	assert_int_equal(ops->gen(g, p), 0);
}

static void gen_free(struct coll_gen *g)
{
	if (g->ops->free)
		g->ops->free(g);
}

/* Elements of 4 bytes that divide by nothing in particular, and some that do. */
static const uint64_t elems[] = { 0, 1, 3, 7, 61, 64, 1001 };
static const uint64_t chunks[] = { 0, 4, 12, 40, 1000 };

/*
 * Ranks 1..17 in servers of 1, 2, 4, 8 (where they divide), sizes from
 * none to uneven, channels 1..4, several chunk sizes: the checker proves
 * each materialized schedule (every result byte reduced exactly once,
 * every access ordered), and the schedule has the closed-form count:
 * A atoms of 2(n - 1) transfers, A = 2 C g K with K the chunks a stream
 * (tree half-shard) needs for chunk_bytes, at most the E / 2Cg elements a
 * stream has; with fewer elements than streams, A = E (one each).
 */
static void test_checker_sweep(void **state)
{
	static const uint32_t gs[] = { 1, 2, 4, 8 };
	struct coll_sched s;
	uint32_t n, nch;
	size_t g, z, k;

	coll_sched_init(&s);
	for (g = 0; g < 4; g++)
		for (n = gs[g]; n <= 17; n += gs[g])
			for (z = 0; z < sizeof(elems) / sizeof(elems[0]); z++)
				for (nch = 1; nch <= 4; nch++)
					for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
						struct coll_params p = params(n, gs[g], 4 * elems[z], nch, chunks[k]);
						uint64_t streams = 2ull * nch * gs[g], kk = 1, atoms;

						build_checked(&s, &p);
						if (chunks[k]) {
							/* chunks a stream so that an atom holds chunk / 4 elements at most */
							kk = (elems[z] + chunks[k] / 4 - 1) / (chunks[k] / 4);
							kk = (kk + streams - 1) / streams;
							kk = kk ? kk : 1;
						}
						if (kk > elems[z] / streams)
							kk = elems[z] / streams;
						atoms = elems[z] < streams ? elems[z] : streams * kk;
						assert_int_equal(s.nxfers, atoms * 2 * (n - 1));
						assert_int_equal(s.algo, COLL_ALGO_HIERTREE);
						assert_int_equal(s.nchannels, nch);
					}
	/* one-byte elements, a size that is prime, chunks of 64 KiB */
	{
		struct coll_params p = params(24, 8, 1000003, 2, 65536);

		p.elem_bytes = 1;
		build_checked(&s, &p);
	}
	coll_sched_free(&s);
}

/*
 * gen.h's contracts, from the generator's functions alone: succ lists are
 * ascending, name later ids inside the schedule, and are the same paged
 * (FROM, MAX) as whole; ndeps(id) is how many lists name id; roots are
 * exactly the ids of ndeps 0, ascending, however they are paged; xfer is
 * what coll_build's schedule holds at the same index, and that schedule's
 * deps are exactly the ids naming it.
 */
static void contracts(const struct coll_params *p)
{
	struct coll_gen g;
	struct coll_sched s;
	uint64_t count, id, out[8], one, cursor = 0, next_root = 0, *seen;
	uint32_t n, i, *appear, *filled;

	gen_ok(&g, p);
	count = coll_gen_count(&g);
	appear = calloc(count + 1, sizeof(*appear));
	assert_non_null(appear);
	for (id = 0; id < count; id++) {
		n = g.ops->succ(&g, id, 0, out, 8);
		assert_true(n <= 4);
		for (i = 0; i < n; i++) {
			assert_true(out[i] > id && out[i] < count);
			if (i)
				assert_true(out[i] > out[i - 1]);
			appear[out[i]]++;
			/* paged one at a time: the same list */
			assert_int_equal(g.ops->succ(&g, id, i, &one, 1), 1);
			assert_int_equal(one, out[i]);
		}
		assert_int_equal(g.ops->succ(&g, id, n, &one, 1), 0);
	}
	for (id = 0; id < count; id++)
		assert_int_equal(g.ops->ndeps(&g, id), appear[id]);
	/* roots, three at a time */
	while ((n = g.ops->roots(&g, &cursor, out, 3)) > 0) {
		for (i = 0; i < n; i++) {
			while (next_root < out[i])
				assert_int_not_equal(appear[next_root++], 0);
			assert_int_equal(appear[out[i]], 0);
			next_root = out[i] + 1;
		}
	}
	while (next_root < count)
		assert_int_not_equal(appear[next_root++], 0);
	/* the built schedule: same transfers, deps = the ids whose succ names it */
	coll_sched_init(&s);
	assert_int_equal(coll_build(&s, p), 0);
	assert_int_equal(s.nxfers, count);
	filled = calloc(count + 1, sizeof(*filled));
	seen = calloc(count + 1, sizeof(*seen));
	assert_non_null(filled);
	assert_non_null(seen);
	for (id = 0; id < count; id++) {
		struct coll_xfer x;
		const struct coll_xfer *b = &s.xfers[id];

		g.ops->xfer(&g, id, &x);
		assert_int_equal(x.src_rank, b->src_rank);
		assert_int_equal(x.dst_rank, b->dst_rank);
		assert_int_equal(x.src_off_bytes, b->src_off_bytes);
		assert_int_equal(x.bytes, b->bytes);
		assert_int_equal(x.op, b->op);
		assert_int_equal(b->ndeps, appear[id]);
		for (i = 0; i < b->ndeps; i++)
			assert_true(coll_xfer_deps(&s, b)[i] < id);
		n = g.ops->succ(&g, id, 0, out, 8);
		for (i = 0; i < n; i++) {
			const struct coll_xfer *y = &s.xfers[out[i]];

			assert_int_equal(coll_xfer_deps(&s, y)[filled[out[i]]++], id);
		}
	}
	free(seen);
	free(filled);
	free(appear);
	coll_sched_free(&s);
	gen_free(&g);
}

static void test_gen_contracts(void **state)
{
	static const struct { uint32_t n, g, nch; uint64_t elems, chunk; } cases[] = {
		{ 1, 1, 1, 10, 0 }, { 2, 1, 1, 10, 0 }, { 2, 2, 1, 10, 0 }, { 5, 1, 2, 61, 12 },
		{ 6, 2, 3, 1001, 40 }, { 12, 4, 2, 7, 4 }, { 16, 2, 1, 1001, 16 }, { 17, 1, 4, 999, 40 },
		{ 24, 8, 2, 1001, 64 }, { 40, 8, 1, 640, 32 }, { 33, 1, 1, 100, 8 }, { 7, 7, 2, 5, 0 },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct coll_params p = params(cases[c].n, cases[c].g, 4 * cases[c].elems, cases[c].nch,
					      cases[c].chunk);

		contracts(&p);
	}
}

/* Children of server V in tree T over M servers (coll_tree_parent, NCCL's ncclGetDtree). */
static uint32_t kids(uint32_t m, unsigned int t, uint32_t v)
{
	uint32_t w, k = 0;

	for (w = 0; w < m; w++)
		k += coll_tree_parent(m, t, w) == v;
	return k;
}

/*
 * Bytes every NIC sends, by theory. With E elements dividing into the
 * 2 C g halves of the C channels' g shards, a half-shard is H = E / (2 C g)
 * elements. Across servers (rail l: the NICs of local GPU l), in each tree
 * every server sends each of its C half-shards up once, except the root,
 * and down once to each of its children; nothing else leaves a server and
 * no transfer changes rail. Inside a server each GPU sends the g - 1
 * shards it does not own in the reduce-scatter and its own g - 1 times
 * around in the all-gather: 2 (g - 1) / g of S.
 */
static void nic_bytes(uint32_t m, uint32_t g, uint32_t nch, uint64_t e, uint64_t chunk)
{
	struct coll_params p = params(m * g, g, 4 * e, nch, chunk);
	uint64_t h = e / (2ull * nch * g) * 4, *up, *down, *intra;
	uint32_t n = m * g, i, r, v;
	struct coll_sched s;
	unsigned int t;

	assert_int_equal(e % (2ull * nch * g), 0);
	coll_sched_init(&s);
	build_checked(&s, &p);
	up = calloc(n, sizeof(*up));
	down = calloc(n, sizeof(*down));
	intra = calloc(n, sizeof(*intra));
	assert_true(up && down && intra);
	for (i = 0; i < s.nxfers; i++) {
		const struct coll_xfer *x = &s.xfers[i];
		uint32_t a = x->src_rank / g, b = x->dst_rank / g;

		if (a == b) {
			assert_true(x->intra);
			intra[x->src_rank] += x->bytes;
			continue;
		}
		assert_false(x->intra);
		assert_false(x->pxn);
		assert_int_equal(x->src_rank % g, x->dst_rank % g);	/* one rail */
		if (x->op == COLL_OP_REDUCE) {
			assert_true(coll_tree_parent(m, 0, a) == b || coll_tree_parent(m, 1, a) == b);
			up[x->src_rank] += x->bytes;
		} else {
			assert_true(coll_tree_parent(m, 0, b) == a || coll_tree_parent(m, 1, b) == a);
			down[x->src_rank] += x->bytes;
		}
	}
	for (r = 0; r < n; r++) {
		uint64_t want_up = 0, want_down = 0;

		v = r / g;
		for (t = 0; t < 2; t++) {
			want_up += coll_tree_parent(m, t, v) != COLL_NONE ? nch * h : 0;
			want_down += kids(m, t, v) * nch * h;
		}
		assert_int_equal(up[r], want_up);
		assert_int_equal(down[r], want_down);
		assert_int_equal(intra[r], 2ull * (g - 1) * (4 * e / g));
	}
	free(intra);
	free(down);
	free(up);
	coll_sched_free(&s);
}

static void test_nic_bytes_theory(void **state)
{
	/* servers x GPUs, channels, elements (a multiple of 2 C g), chunk */
	nic_bytes(2, 8, 1, 16 * 64, 0);
	nic_bytes(5, 8, 2, 32 * 37, 64);
	nic_bytes(12, 4, 1, 8 * 1000, 1024);
	nic_bytes(7, 2, 3, 12 * 50, 40);
	nic_bytes(16, 1, 1, 2 * 999, 100);
	nic_bytes(13, 8, 4, 64 * 3, 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * 100,000 GPUs, 12,500 servers x 8, 16 MiB per GPU, float, one channel,
 * chunks of 128 KiB. By hand: E = 16 MiB / 4 = 4,194,304 elements, a chunk
 * 32,768 of them, so 128 chunk-sized atoms over 2 C g = 16 streams (one
 * channel x 8 shards x 2 tree halves): K = 8 chunks each, N = 128 atoms of
 * exactly 128 KiB, all non-empty. Each atom: 12,500 x 7 reduce-scatter
 * transfers, 12,499 up and 12,499 down each tree's servers, 12,500 x 7
 * all-gather transfers = 87,500 + 24,998 + 87,500 = 199,998 = 2(n - 1).
 * Count = 128 x 199,998 = 25,599,744. Roots: every server's first
 * reduce-scatter step of chunk 0 of each stream, 16 x 12,500 = 200,000.
 * Created well under a second, nothing materialized: its state is the
 * tree over 12,500 servers.
 */
static void test_100k(void **state)
{
	struct coll_params p = params(100000, 8, 16ull << 20, 1, 128 << 10);
	struct coll_gen g;
	uint64_t cursor = 0, out[64], roots = 0, id, nx, mem, last = 0, succ[8];
	struct coll_xfer x;
	uint32_t n, i;
	double t0 = now_s(), dt;

	gen_ok(&g, &p);
	dt = now_s() - t0;
	print_message("100,000 ranks: generator created in %.3f ms\n", dt * 1e3);
	assert_true(dt < 0.25);
	assert_int_equal(coll_gen_count(&g), 25599744ull);
	coll_sched_estimate(&p, &nx, &mem);
	assert_int_equal(nx, 25599744ull);
	while ((n = g.ops->roots(&g, &cursor, out, 64)) > 0) {
		for (i = 0; i < n; i++) {
			assert_int_equal(g.ops->ndeps(&g, out[i]), 0);
			g.ops->xfer(&g, out[i], &x);
			assert_true(x.intra && x.op == COLL_OP_REDUCE && x.bytes == 128 << 10);
			assert_true(!roots || out[i] > last);
			last = out[i];
		}
		roots += n;
	}
	assert_int_equal(roots, 200000);
	/* a walk through a sample of ids: every successor later, waiting for something */
	for (id = 0; id < 25599744ull; id += 99991) {
		g.ops->xfer(&g, id, &x);
		assert_true(x.src_rank < 100000 && x.dst_rank < 100000 && x.bytes == 128 << 10);
		if (!x.intra)
			assert_int_equal(x.src_rank % 8, x.dst_rank % 8);
		n = g.ops->succ(&g, id, 0, succ, 8);
		for (i = 0; i < n; i++)
			assert_true(succ[i] > id && g.ops->ndeps(&g, succ[i]) > 0);
	}
	gen_free(&g);
	assert_true(now_s() - t0 < 2.0);
}

/* coll_sched_estimate bounds what coll_build makes (it is exact here) and the memory it holds. */
static void test_estimate(void **state)
{
	static const uint32_t ns[] = { 1, 2, 4, 6, 8, 16, 24 };
	struct coll_sched s;
	uint64_t nx, mem, bound, table;
	size_t i, z;

	coll_sched_init(&s);
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (z = 0; z < sizeof(elems) / sizeof(elems[0]); z++) {
			uint32_t g = ns[i] % 8 ? (ns[i] % 2 ? 1 : 2) : 8;
			struct coll_params p = params(ns[i], g, 4 * elems[z], (uint32_t)i % 3 + 1, z % 2 ? 12 : 0);

			coll_sched_estimate(&p, &nx, &mem);
			coll_sched_bounds(&p, &bound, &table);
			assert_int_equal(coll_build(&s, &p), 0);
			assert_true(nx >= s.nxfers);
			assert_true(bound >= s.nxfers);
			assert_true(mem >= (uint64_t)s.nxfers * sizeof(struct coll_xfer) +
					   (uint64_t)s.ndeps * sizeof(uint32_t));
		}
	coll_sched_free(&s);
}

/* Longest chain of dependencies, in transfers. */
static uint32_t critical_path(const struct coll_sched *s)
{
	uint32_t *len = calloc(s->nxfers + 1, sizeof(*len)), i, d, best = 0;

	assert_non_null(len);
	for (i = 0; i < s->nxfers; i++) {
		const uint32_t *deps = coll_xfer_deps(s, &s->xfers[i]);

		for (d = 0; d < s->xfers[i].ndeps; d++)
			if (len[deps[d]] > len[i])
				len[i] = len[deps[d]];
		len[i]++;
		if (len[i] > best)
			best = len[i];
	}
	free(len);
	return best;
}

/*
 * Latency-bound or not: 64 servers of 2 GPUs, one chunk. hier's ring
 * across servers is 2 (m - 1) = 126 transfers deep (plus the reduce-scatter
 * and all-gather, 1 each); hier-tree's trees are at most log2(64) = 6 levels
 * deep (each level two chained reduces at most) up and 6 down: at most
 * 1 + 2 x 6 + 6 + 1 = 20. With 8 chunks a stream the pipeline adds at most
 * one transfer per chunk to the tree's path.
 */
static void test_depth(void **state)
{
	struct coll_params p = params(128, 2, 4 * 128 * 4, 1, 0);
	struct coll_sched s;
	uint32_t d;

	coll_sched_init(&s);
	build_checked(&s, &p);
	d = critical_path(&s);
	assert_true(d <= 20);
	p.algo = COLL_ALGO_HIER;
	assert_int_equal(coll_build(&s, &p), 0);
	assert_true(critical_path(&s) >= 2 * 63);
	p.algo = COLL_ALGO_HIERTREE;
	p.chunk_bytes = 64;	/* 16 elements an atom: 8 chunks a stream of 128 */
	build_checked(&s, &p);
	assert_true(critical_path(&s) <= d + 2 * 8);
	coll_sched_free(&s);
}

/*
 * The checker holds hier-tree to its construction: an inter-server
 * transfer that changes rail, or joins servers no tree links, is refused
 * even when the data would still add up.
 */
static void test_checker_refuses(void **state)
{
	struct coll_params p = params(32, 8, 4 * 1024, 1, 0);
	struct coll_sched s;
	uint32_t i;

	coll_sched_init(&s);
	build_checked(&s, &p);
	for (i = 0; i < s.nxfers && s.xfers[i].intra; i++)
		;
	assert_true(i < s.nxfers);
	s.xfers[i].dst_rank = s.xfers[i].dst_rank / 8 * 8 + (s.xfers[i].dst_rank + 1) % 8;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "leaves its rail"));
	build_checked(&s, &p);
	/*
	 * Over 4 servers tree 0 is 0 - 2 - {1, 3}, tree 1 its mirror 3 - 1 - {2, 0}:
	 * servers 0 and 3 are linked in neither
	 */
	for (i = 0; i < s.nxfers && (s.xfers[i].intra || s.xfers[i].src_rank / 8 != 0); i++)
		;
	assert_true(i < s.nxfers);
	s.xfers[i].dst_rank = 3 * 8 + s.xfers[i].src_rank % 8;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not parent and child"));
	coll_sched_free(&s);
}

/* Names: hier-tree and hiertree parse, allreduce only, servers required. */
static void test_names_and_rules(void **state)
{
	struct coll_params p = params(8, 4, 64, 1, 0);
	struct coll_sched s;

	assert_int_equal(coll_algo_from_name("hier-tree"), COLL_ALGO_HIERTREE);
	assert_int_equal(coll_algo_from_name("hiertree"), COLL_ALGO_HIERTREE);
	assert_string_equal(coll_algo_name(COLL_ALGO_HIERTREE), "hier-tree");
	assert_null(coll_params_error(&p));
	p.kind = COLL_ALLGATHER;
	assert_string_equal(coll_params_error(&p), "hier-tree implements allreduce only");
	p.kind = COLL_ALLREDUCE;
	p.gpus_per_server = 3;
	assert_non_null(coll_params_error(&p));
	p.gpus_per_server = 0;
	assert_non_null(coll_params_error(&p));
	coll_sched_init(&s);
	assert_int_equal(coll_build(&s, &p), -EINVAL);
	assert_int_equal(s.nxfers, 0);
	coll_sched_free(&s);
	/* channels: as hier, one unless asked (NCCL's graph has no such algorithm) */
	p.gpus_per_server = 8;
	p.nranks = 32;
	assert_int_equal(coll_default_channels(&p), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_sweep),
		cmocka_unit_test(test_gen_contracts),
		cmocka_unit_test(test_nic_bytes_theory),
		cmocka_unit_test(test_100k),
		cmocka_unit_test(test_estimate),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_checker_refuses),
		cmocka_unit_test(test_names_and_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
