/*
 * Tests of schedule generators (collectives/gen.h): for every algorithm and
 * kind on small cases (1-17 ranks, uneven sizes, channels, chunks, servers
 * of several GPUs), the generator that wraps a built schedule answers
 * ndeps, succ and roots exactly as the schedule's dependency lists say,
 * keeps the contracts of gen.h (ascending lists, dependencies on lower
 * ids, pure answers), and materializes back into the same schedule.
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

#include "collectives/gen.h"
#include "collectives/sched.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The deps of X in S, sorted, into OUT (X->ndeps entries). */
static void sorted_deps(const struct coll_sched *s, const struct coll_xfer *x, uint32_t *out)
{
	if (x->ndeps)
		memcpy(out, coll_xfer_deps(s, x), x->ndeps * sizeof(*out));
	qsort(out, x->ndeps, sizeof(*out), cmp_u32);
}

/* Whether A lists B among its deps in S. */
static bool has_dep(const struct coll_sched *s, uint32_t b, uint32_t a)
{
	const struct coll_xfer *x = &s->xfers[b];
	const uint32_t *deps = coll_xfer_deps(s, x);

	for (uint32_t k = 0; k < x->ndeps; k++)
		if (deps[k] == a)
			return true;
	return false;
}

/* succ and ndeps of G against S, paging the lists by PAGE entries. */
static void check_succ(const struct coll_gen *g, const struct coll_sched *s, uint32_t page)
{
	uint64_t out[8], total = 0;

	for (uint32_t a = 0; a < s->nxfers; a++) {
		uint64_t prev = a;
		uint32_t from = 0, k;
		const struct coll_xfer *x = &s->xfers[a];
		const uint32_t *deps = coll_xfer_deps(s, x);

		assert_int_equal(g->ops->ndeps(g, a), x->ndeps);
		for (uint32_t j = 0; j < x->ndeps; j++) {
			assert_true(deps[j] < a);
			/* each dependency once: a duplicate would count twice here */
			for (uint32_t i = 0; i < j; i++)
				assert_true(deps[i] != deps[j]);
		}
		do {
			k = g->ops->succ(g, a, from, out, page);
			for (uint32_t j = 0; j < k; j++) {
				assert_true(out[j] > prev);
				assert_true(out[j] < s->nxfers);
				assert_true(has_dep(s, (uint32_t)out[j], a));
				prev = out[j];
			}
			from += k;
		} while (k == page);
		total += from;
	}
	assert_int_equal(total, s->ndeps);
}

static void check_roots(const struct coll_gen *g, const struct coll_sched *s, uint32_t page)
{
	uint64_t cursor = 0, out[8], want = 0;
	uint32_t k;

	while ((k = g->ops->roots(g, &cursor, out, page)) > 0) {
		for (uint32_t j = 0; j < k; j++) {
			while (want < s->nxfers && s->xfers[want].ndeps)
				want++;
			assert_true(want < s->nxfers);
			assert_int_equal(out[j], want);
			want++;
		}
	}
	while (want < s->nxfers && s->xfers[want].ndeps)
		want++;
	assert_int_equal(want, s->nxfers);
}

/* M == S: header, every transfer, every transfer's deps (as sets: the generator lists them ascending). */
static void check_same(const struct coll_sched *m, const struct coll_sched *s)
{
	uint32_t *a = malloc((s->ndeps + 1) * sizeof(*a)), *b = malloc((s->ndeps + 1) * sizeof(*b));

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(m->kind, s->kind);
	assert_int_equal(m->algo, s->algo);
	assert_int_equal(m->nranks, s->nranks);
	assert_int_equal(m->nchannels, s->nchannels);
	assert_int_equal(m->gpus_per_server, s->gpus_per_server);
	assert_int_equal(m->pxn, s->pxn);
	assert_int_equal(m->elem_bytes, s->elem_bytes);
	assert_int_equal(m->bytes, s->bytes);
	assert_int_equal(m->buf_bytes, s->buf_bytes);
	assert_int_equal(m->nxfers, s->nxfers);
	assert_int_equal(m->ndeps, s->ndeps);
	for (uint32_t i = 0; i < s->nxfers; i++) {
		struct coll_xfer x = m->xfers[i], y = s->xfers[i];

		assert_int_equal(x.ndeps, y.ndeps);
		sorted_deps(m, &x, a);
		sorted_deps(s, &y, b);
		assert_memory_equal(a, b, x.ndeps * sizeof(*a));
		x.dep_first = y.dep_first = 0;
		assert_memory_equal(&x, &y, sizeof(x));
	}
	free(a);
	free(b);
}

static void check_one(const struct coll_params *p, uint64_t *cases)
{
	struct coll_sched s, m;
	struct coll_gen g, c;
	int rc;

	coll_sched_init(&s);
	coll_sched_init(&m);
	rc = coll_build(&s, p);
	if (rc == -EINVAL) {
		/* not a valid case (e.g. ranks not in whole servers): the generator refuses it too */
		assert_int_equal(coll_gen_create(&c, p), -EINVAL);
		assert_true(c.err[0] != 0);
		coll_sched_free(&s);
		return;
	}
	assert_int_equal(rc, 0);
	coll_gen_from_sched(&g, &s);
	assert_int_equal(coll_gen_count(&g), s.nxfers);
	check_succ(&g, &s, 1);
	check_succ(&g, &s, 3);
	check_roots(&g, &s, 1);
	check_roots(&g, &s, 8);
	assert_int_equal(coll_gen_materialize(&g, &m), 0);
	check_same(&m, &s);
	/* the dispatch: no algorithm has its own generator yet, so it wraps coll_build's schedule */
	assert_int_equal(coll_gen_create(&c, p), 0);
	assert_int_equal(coll_gen_count(&c), s.nxfers);
	check_succ(&c, &s, 8);
	coll_gen_free(&c);
	coll_gen_free(&g);
	coll_sched_free(&m);
	coll_sched_free(&s);
	(*cases)++;
}

static const struct {
	enum coll_kind kind;
	enum coll_algo algo;
} combos[] = {
	{ COLL_ALLREDUCE, COLL_ALGO_RING },
	{ COLL_ALLREDUCE, COLL_ALGO_RHD },
	{ COLL_ALLREDUCE, COLL_ALGO_TREE },
	{ COLL_ALLREDUCE, COLL_ALGO_HIER },
	{ COLL_ALLGATHER, COLL_ALGO_RING },
	{ COLL_REDUCESCATTER, COLL_ALGO_RING },
	{ COLL_ALLTOALL, COLL_ALGO_PAIRWISE },
};

static void test_wrapper_sweep(void **state)
{
	static const uint64_t elems[] = { 0, 1, 7, 61 };
	static const uint64_t chunks[] = { 0, 12 };
	static const uint32_t gs[] = { 0, 2, 4 };
	uint64_t cases = 0;

	(void)state;
	for (size_t c = 0; c < sizeof(combos) / sizeof(combos[0]); c++)
		for (uint32_t n = 1; n <= 17; n++)
			for (size_t z = 0; z < sizeof(elems) / sizeof(elems[0]); z++)
				for (uint32_t nch = 1; nch <= 3; nch += 2)
					for (size_t k = 0; k < 2; k++)
						for (size_t gi = 0; gi < 3; gi++) {
							struct coll_params p = {
								.kind = combos[c].kind, .algo = combos[c].algo,
								.nranks = n, .bytes = 4 * elems[z], .elem_bytes = 4,
								.nchannels = nch, .chunk_bytes = chunks[k],
								.gpus_per_server = gs[gi], .pxn = gi == 2,
							};

							check_one(&p, &cases);
						}
	/* most cases are valid ones */
	assert_true(cases > 1000);
}

/* A materialized wrapper passes the symbolic checker as the built schedule does. */
static void test_materialize_checks(void **state)
{
	struct coll_params p = {
		.kind = COLL_ALLREDUCE, .algo = COLL_ALGO_HIER, .nranks = 16, .bytes = 4 * 1001,
		.elem_bytes = 4, .nchannels = 2, .chunk_bytes = 400, .gpus_per_server = 4,
	};
	struct coll_sched s, m;
	struct coll_gen g;
	char err[256];

	(void)state;
	coll_sched_init(&s);
	coll_sched_init(&m);
	assert_int_equal(coll_build(&s, &p), 0);
	coll_gen_from_sched(&g, &s);
	assert_int_equal(coll_gen_materialize(&g, &m), 0);
	assert_int_equal(coll_sched_check(&m, err, sizeof(err)), 0);
	coll_gen_free(&g);
	coll_sched_free(&m);
	coll_sched_free(&s);
}

/* A ring of 4 ranks, one channel: transfer (step t, rank r) waits for (t - 1, r - 1), by hand. */
static void test_ring_by_hand(void **state)
{
	struct coll_params p = {
		.kind = COLL_ALLGATHER, .algo = COLL_ALGO_RING, .nranks = 4, .bytes = 4 * 4,
		.elem_bytes = 4, .nchannels = 1,
	};
	uint64_t out[8], cursor = 0;
	struct coll_gen g;

	(void)state;
	assert_int_equal(coll_gen_create(&g, &p), 0);
	/* N - 1 = 3 steps of 4 transfers */
	assert_int_equal(coll_gen_count(&g), 12);
	/* the first step's 4 transfers wait for nothing */
	assert_int_equal(g.ops->roots(&g, &cursor, out, 8), 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(g.ops->ndeps(&g, i), 0);
		assert_int_equal(out[i], i);
	}
	assert_int_equal(g.ops->roots(&g, &cursor, out, 8), 0);
	/* the last step's transfers have no successor, the others one each */
	for (uint32_t i = 0; i < 12; i++)
		assert_int_equal(g.ops->succ(&g, i, 0, out, 8), i < 8 ? 1 : 0);
	coll_gen_free(&g);
}

static void test_create_refuses(void **state)
{
	struct coll_params p = {
		.kind = COLL_ALLTOALL, .algo = COLL_ALGO_RING, .nranks = 4, .bytes = 16, .elem_bytes = 4,
	};
	struct coll_gen g;

	(void)state;
	assert_int_equal(coll_gen_create(&g, &p), -EINVAL);
	assert_true(strlen(g.err) > 0);
	coll_gen_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrapper_sweep),
		cmocka_unit_test(test_materialize_checks),
		cmocka_unit_test(test_ring_by_hand),
		cmocka_unit_test(test_create_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
