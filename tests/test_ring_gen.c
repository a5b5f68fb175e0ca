/*
 * Tests of the ring's own generator (collectives/algo_ring.c, ring_gen):
 * on many small cases of all three ring kinds (1-17 ranks and 64, 96;
 * servers of 1, 2, 4, 8 GPUs; 1-4 channels and NCCL's default; no, small
 * and odd chunks; sizes that leave blocks empty; PXN on and off) it must
 * give exactly the schedule coll_build makes: the same transfer at every
 * id, the same dependency set (ndeps, and succ as the deps inverted), and
 * keep gen.h's contracts (successors above and ascending, roots exactly
 * the ids without dependencies, paging). The simulator's outputs then stay
 * byte-identical. And a ring of 8,192 ranks, too large to build (134 M
 * transfers), is a generator made at once, counted in closed form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectives/gen.h"
#include "collectives/sched.h"

/* The schedule's successor lists: CSR, dependents in id order (ascending). */
struct succ_csr {
	uint32_t *first;	/* nxfers + 1 */
	uint32_t *list;
};

static void csr_build(const struct coll_sched *s, struct succ_csr *c)
{
	uint32_t *pos;

	c->first = calloc((size_t)s->nxfers + 1, sizeof(*c->first));
	c->list = malloc((s->ndeps + 1) * sizeof(*c->list));
	pos = malloc(((size_t)s->nxfers + 1) * sizeof(*pos));
	assert_non_null(c->first);
	assert_non_null(c->list);
	assert_non_null(pos);
	for (uint32_t b = 0; b < s->nxfers; b++) {
		const uint32_t *deps = coll_xfer_deps(s, &s->xfers[b]);

		for (uint32_t k = 0; k < s->xfers[b].ndeps; k++)
			c->first[deps[k] + 1]++;
	}
	for (uint32_t i = 0; i < s->nxfers; i++)
		c->first[i + 1] += c->first[i];
	memcpy(pos, c->first, ((size_t)s->nxfers + 1) * sizeof(*pos));
	for (uint32_t b = 0; b < s->nxfers; b++) {
		const uint32_t *deps = coll_xfer_deps(s, &s->xfers[b]);

		for (uint32_t k = 0; k < s->xfers[b].ndeps; k++)
			c->list[pos[deps[k]]++] = b;
	}
	free(pos);
}

static void csr_free(struct succ_csr *c)
{
	free(c->first);
	free(c->list);
}

/* Whether the schedule lists a dependency twice (the generator counts each once). */
static uint32_t distinct_deps(const struct coll_sched *s, uint32_t i)
{
	const struct coll_xfer *x = &s->xfers[i];
	const uint32_t *d = coll_xfer_deps(s, x);
	uint32_t n = 0;

	for (uint32_t a = 0; a < x->ndeps; a++) {
		bool dup = false;

		for (uint32_t b = 0; b < a; b++)
			dup |= d[a] == d[b];
		n += !dup;
	}
	return n;
}

static void check_xfer(const struct coll_xfer *a, const struct coll_xfer *b, uint32_t id)
{
	if (a->src_rank != b->src_rank || a->dst_rank != b->dst_rank || a->src_off_bytes != b->src_off_bytes ||
	    a->dst_off_bytes != b->dst_off_bytes || a->bytes != b->bytes || a->channel != b->channel ||
	    a->step != b->step || a->op != b->op || a->intra != b->intra || a->pxn != b->pxn)
		fail_msg("transfer %u: gen %u->%u off %llu/%llu %llu B ch %u step %u op %u intra %u pxn %u, "
			 "built %u->%u off %llu/%llu %llu B ch %u step %u op %u intra %u pxn %u", id,
			 a->src_rank, a->dst_rank, (unsigned long long)a->src_off_bytes,
			 (unsigned long long)a->dst_off_bytes, (unsigned long long)a->bytes, a->channel, a->step,
			 a->op, a->intra, a->pxn, b->src_rank, b->dst_rank, (unsigned long long)b->src_off_bytes,
			 (unsigned long long)b->dst_off_bytes, (unsigned long long)b->bytes, b->channel, b->step,
			 b->op, b->intra, b->pxn);
	assert_int_equal(a->dep_first, 0);
	assert_int_equal(a->ndeps, 0);
}

/* Roots of G paged by PAGE: exactly the ids the schedule gives no dependency, ascending. */
static void check_roots(const struct coll_gen *g, const struct coll_sched *s, uint32_t page)
{
	uint64_t cursor = 0, out[8], want = 0;
	uint32_t k;

	while ((k = g->ops->roots(g, &cursor, out, page)) > 0) {
		for (uint32_t i = 0; i < k; i++) {
			while (want < s->nxfers && s->xfers[want].ndeps)
				want++;
			assert_true(want < s->nxfers);
			assert_int_equal(out[i], want);
			want++;
		}
	}
	while (want < s->nxfers && s->xfers[want].ndeps)
		want++;
	assert_int_equal(want, s->nxfers);
}

/* G against the schedule P builds, transfer by transfer: false when P does not build. */
static bool check_case(const struct coll_params *p)
{
	struct coll_sched s;
	struct coll_gen g;
	struct succ_csr c;
	struct coll_xfer x;
	uint64_t out[4];
	int rc;

	coll_sched_init(&s);
	rc = coll_build(&s, p);
	if (rc) {
		assert_int_equal(rc, -E2BIG);
		coll_sched_free(&s);
		return false;
	}
	assert_int_equal(coll_gen_create(&g, p), 0);
	/* the ring's own generator, not a wrapped schedule */
	assert_ptr_equal(coll_algo_ops(COLL_ALGO_RING)->gen != NULL, true);
	assert_int_equal(coll_gen_count(&g), s.nxfers);
	assert_int_equal(g.nchannels, s.nchannels);
	assert_int_equal(g.buf_bytes, s.buf_bytes);
	csr_build(&s, &c);
	for (uint32_t i = 0; i < s.nxfers; i++) {
		uint32_t want = c.first[i + 1] - c.first[i], got = 0, from = 0, k;

		g.ops->xfer(&g, i, &x);
		check_xfer(&x, &s.xfers[i], i);
		assert_int_equal(g.ops->ndeps(&g, i), distinct_deps(&s, i));
		assert_int_equal(g.ops->ndeps(&g, i), s.xfers[i].ndeps);
		/* paged one at a time, then all at once */
		while ((k = g.ops->succ(&g, i, from, out, 1)) > 0) {
			assert_true(got < want);
			assert_true(out[0] > i);
			assert_int_equal(out[0], c.list[c.first[i] + got]);
			got++;
			from++;
		}
		assert_int_equal(got, want);
		assert_int_equal(g.ops->succ(&g, i, 0, out, 4), want);
		for (uint32_t j = 0; j < want; j++)
			assert_int_equal(out[j], c.list[c.first[i] + j]);
	}
	check_roots(&g, &s, 1);
	check_roots(&g, &s, 3);
	csr_free(&c);
	coll_gen_free(&g);
	coll_sched_free(&s);
	return true;
}

/* Every kind, chunk, size, channel count and PXN setting of N ranks on servers of G. */
static uint32_t sweep(uint32_t n, uint32_t gps, bool quick)
{
	static const enum coll_kind kinds[] = { COLL_ALLREDUCE, COLL_ALLGATHER, COLL_REDUCESCATTER };
	/* none, one element, three elements (odd), 52 bytes of 4-byte elements: 13 */
	static const uint64_t chunks[] = { 0, 4, 12, 52 };
	uint32_t cases = 0;

	for (uint32_t ki = 0; ki < 3; ki++) {
		for (uint32_t ch = 0; ch <= 4; ch++) {
			for (uint32_t ci = 0; ci < 4; ci++) {
				/* elements: one, fewer than ranks, uneven, several per block and channel */
				uint64_t e[] = { 1, n > 1 ? n - 1 : 1, 3ull * n + 1, 7ull * n * (ch ? ch : 8) + 5 };

				for (uint32_t ei = 0; ei < 4; ei++) {
					for (uint8_t pxn = 0; pxn < 2; pxn++) {
						struct coll_params p = {
							.kind = kinds[ki], .algo = COLL_ALGO_RING, .nranks = n,
							.bytes = e[ei] * 4, .elem_bytes = 4, .nchannels = ch,
							.chunk_bytes = chunks[ci], .gpus_per_server = gps, .pxn = pxn,
						};

						if (quick && (ci == 1 || ei == 0 || (ch != 0 && ch != 3)))
							continue;
						/* 0: NCCL's default (one per GPU of a server on rails) */
						if (!ch)
							p.nchannels = coll_default_channels(&p);
						cases += check_case(&p);
					}
				}
			}
		}
	}
	return cases;
}

static void test_small_rings(void **state)
{
	static const uint32_t gpus[] = { 1, 2, 4, 8 };
	uint32_t cases = 0;

	(void)state;
	for (uint32_t n = 1; n <= 17; n++)
		for (uint32_t gi = 0; gi < 4; gi++)
			if (n % gpus[gi] == 0)
				cases += sweep(n, gpus[gi], false);
	/* without gpus_per_server: one GPU a server, only self copies intra */
	cases += sweep(5, 0, false);
	assert_true(cases > 3000);
}

static void test_larger_rings(void **state)
{
	static const uint32_t ranks[] = { 64, 96 };
	static const uint32_t gpus[] = { 1, 2, 4, 8 };
	uint32_t cases = 0;

	(void)state;
	for (uint32_t ri = 0; ri < 2; ri++)
		for (uint32_t gi = 0; gi < 4; gi++)
			cases += sweep(ranks[ri], gpus[gi], true);
	assert_true(cases > 100);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/*
 * 8,192 ranks, 1 MiB of 4-byte elements (E = 262,144), one channel, 1 MiB
 * chunks: coll_nchunks gives K = ceil(ceil(E / 262,144) / n) = 1 chunk of
 * n blocks of 32 elements, each moving 2(n - 1) times: 2 x 8,191 x 8,192
 * = 134,201,344 transfers, 8x the 2^24 a built job may have. Made in well
 * under a second (it holds one line per channel); spot checks of the
 * contracts at both ends and in the middle.
 */
static void test_ring_8k(void **state)
{
	struct coll_params p = {
		.kind = COLL_ALLREDUCE, .algo = COLL_ALGO_RING, .nranks = 8192, .bytes = 1 << 20,
		.elem_bytes = 4, .nchannels = 1, .chunk_bytes = 1 << 20, .gpus_per_server = 8, .pxn = 1,
	};
	const uint64_t n = 8192, want = 2 * (n - 1) * n;
	uint64_t ids[] = { 0, 1, n - 1, n, want / 2, want - n - 1, want - 1 }, out[4], cursor = 0;
	struct coll_gen g;
	struct coll_xfer x;
	double t0 = now_s();

	(void)state;
	assert_int_equal(coll_gen_create(&g, &p), 0);
	assert_true(now_s() - t0 < 0.5);
	assert_int_equal(coll_gen_count(&g), want);
	for (uint32_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint32_t k = g.ops->succ(&g, ids[i], 0, out, 4);

		g.ops->xfer(&g, ids[i], &x);
		assert_int_equal(x.bytes, 32 * 4);
		assert_true(x.src_rank < n && x.dst_rank < n && x.src_rank != x.dst_rank);
		for (uint32_t j = 0; j < k; j++) {
			assert_true(out[j] > ids[i] && out[j] < want);
			assert_true(!j || out[j] > out[j - 1]);
			assert_true(g.ops->ndeps(&g, out[j]) >= 1);
		}
	}
	/* the first transfer: channel 0, reduce-scatter step 0, member 0 (rank 0) sends block n - 1 to rank 1 */
	g.ops->xfer(&g, 0, &x);
	assert_int_equal(x.src_rank, 0);
	assert_int_equal(x.dst_rank, 1);
	assert_int_equal(x.src_off_bytes, (n - 1) * 32 * 4);
	assert_int_equal(x.op, COLL_OP_REDUCE);
	/* the roots: step 0's n transfers, then none */
	assert_int_equal(g.ops->roots(&g, &cursor, out, 4), 4);
	assert_int_equal(out[3], 3);
	cursor = n - 2;
	assert_int_equal(g.ops->roots(&g, &cursor, out, 4), 2);
	assert_int_equal(out[1], n - 1);
	assert_int_equal(g.ops->roots(&g, &cursor, out, 4), 0);
	assert_int_equal(g.ops->ndeps(&g, n - 1), 0);
	assert_int_equal(g.ops->ndeps(&g, n), 1);
	coll_gen_free(&g);
}

/*
 * 2^31 - 1 ranks, 2^40 elements in chunks of one: K = ceil(2^40 / n) = 513
 * chunks of n blocks, 2 (n - 1) n K ~ 2^72 transfers do not count in 64
 * bits; past 2^31 ranks the step numbers would not fit.
 */
static void test_ring_too_many(void **state)
{
	struct coll_params p = {
		.kind = COLL_ALLREDUCE, .algo = COLL_ALGO_RING, .nranks = 2147483647u,
		.bytes = 4ull << 40, .elem_bytes = 4, .nchannels = 1, .chunk_bytes = 4,
	};
	struct coll_gen g;

	(void)state;
	assert_int_equal(coll_gen_create(&g, &p), -E2BIG);
	assert_non_null(strstr(g.err, "chunk"));
	p.nranks = (1u << 31) + 1;
	assert_int_equal(coll_gen_create(&g, &p), -E2BIG);
	/* a quarter of the ranks: 2e18, fine */
	p.nranks = 1000000000u;
	p.bytes = 4000000000ull;
	assert_int_equal(coll_gen_create(&g, &p), 0);
	assert_int_equal(coll_gen_count(&g), 2ull * (p.nranks - 1) * p.nranks);
	coll_gen_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_rings),
		cmocka_unit_test(test_larger_rings),
		cmocka_unit_test(test_ring_8k),
		cmocka_unit_test(test_ring_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
