/*
 * The calendar queue (sim/engine/event.h) against the 4-ary heap it
 * replaced (sim/engine/heap.h): on seeded random schedules both must pop
 * the same (time, seq, event) triples, ties included, with pushes
 * interleaved with pops at and after now, far timers beyond the wheel's
 * window up to 2^62 ps, bursts at one instant and growth past every
 * initial room. A few cases are worked out by hand: the empty queue, a
 * burst in push order, an event pushed back behind its equals, far
 * timers, and a clock set back by a caller.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include "sim/engine/event.h"
#include "sim/engine/heap.h"
#include "sim/engine/rng.h"

#define NEV 4096
#define SLOT_PS (1ULL << SIM_EVQ_SLOT_SHIFT)
#define WINDOW_PS (SLOT_PS * SIM_EVQ_SLOTS)

static struct sim_event evs[NEV];

/* The queue under test and the reference, fed the same pushes. */
struct pair {
	struct sim_evq q;
	struct sim_heapq ref;
	uint64_t ref_seq;
	uint64_t pops;
};

static void pair_init(struct pair *p)
{
	assert_int_equal(sim_evq_init(&p->q, 0), 0);
	assert_int_equal(sim_heapq_init(&p->ref, 0), 0);
	p->ref_seq = 0;
	p->pops = 0;
}

static void pair_free(struct pair *p)
{
	sim_evq_free(&p->q);
	sim_heapq_free(&p->ref);
}

static void pair_push(struct pair *p, uint64_t t_ps, struct sim_event *ev)
{
	assert_int_equal(sim_evq_push(&p->q, t_ps, ev), 0);
	assert_int_equal(sim_heapq_push(&p->ref, t_ps, p->ref_seq++, ev), 0);
	assert_int_equal(p->q.n, p->ref.n);
}

/* A push with the caller's key, as the fabric's per-node keys (sim_evq_push_seq). */
static void pair_push_seq(struct pair *p, uint64_t t_ps, uint64_t seq, struct sim_event *ev)
{
	assert_int_equal(sim_evq_push_seq(&p->q, t_ps, seq, ev), 0);
	assert_int_equal(sim_heapq_push(&p->ref, t_ps, seq, ev), 0);
	assert_int_equal(p->q.n, p->ref.n);
}

/* Pops both and checks they agree; returns the time popped, or UINT64_MAX when both are empty. */
static uint64_t pair_pop(struct pair *p)
{
	struct sim_heap_ent a = { 0 }, b = { 0 };
	int ra = sim_evq_pop(&p->q, &a), rb = sim_heapq_pop(&p->ref, &b);

	assert_int_equal(ra, rb);
	if (ra) {
		assert_int_equal(ra, -ENOENT);
		return UINT64_MAX;
	}
	assert_int_equal(a.time_ps, b.time_ps);
	assert_int_equal(a.seq, b.seq);
	assert_ptr_equal(a.ev, b.ev);
	assert_int_equal(p->q.now_ps, a.time_ps);
	assert_int_equal(p->q.n, p->ref.n);
	p->pops++;
	return a.time_ps;
}

static void pair_drain(struct pair *p)
{
	uint64_t last = 0;

	for (;;) {
		uint64_t t = pair_pop(p);

		if (t == UINT64_MAX)
			break;
		assert_true(t >= last);
		last = t;
	}
	assert_int_equal(p->q.n, 0);
}

/* A delay drawn from a mix that mimics a fabric run, plus ties, window edges and far timers. */
static uint64_t draw_delay(struct sim_rng *r, uint64_t now_ps)
{
	uint32_t k = sim_rng_below(r, 100);

	if (k < 15)
		return 0;					/* at now: ties with the current slot */
	if (k < 30)
		return sim_rng_below(r, 4) * 1000;		/* a few coarse instants: many equal times */
	if (k < 45)
		return sim_rng_below(r, (uint32_t)SLOT_PS * 2);	/* this slot or the next */
	if (k < 80)
		return sim_rng_below(r, 1u << 20);		/* serialization, cables, switches, ACK timers */
	if (k < 88)	/* around the window's end */
		return WINDOW_PS - 3 * SLOT_PS + sim_rng_below(r, 6 * (uint32_t)SLOT_PS);
	if (k < 99 || sim_rng_below(r, 8))
		return sim_rng_below(r, 1u << 30) * 4;		/* retransmission timers, beyond the window */
	/* rare far timers, up to the 2^62 ps horizon (once past it, near ones) */
	if (now_ps >= 1ULL << 62)
		return sim_rng_below(r, 1000);
	return sim_rng_below(r, 2) ? (1ULL << 62) - now_ps : sim_rng_next(r) % ((1ULL << 62) - now_ps + 1);
}

/*
 * Random interleavings of pushes and pops; PUSH_PCT of operations push
 * (above 50 the queue grows to thousands pending, past every initial
 * room; below, it keeps emptying).
 */
static void run_random(uint64_t seed, unsigned int ops, unsigned int push_pct)
{
	struct sim_rng r;
	struct pair p;
	uint64_t now = 0;

	sim_rng_seed(&r, seed);
	pair_init(&p);
	for (unsigned int i = 0; i < ops; i++) {
		if (sim_rng_below(&r, 100) < push_pct) {
			uint64_t t = now + draw_delay(&r, now);

			pair_push(&p, t, &evs[sim_rng_below(&r, NEV)]);
		} else {
			uint64_t t = pair_pop(&p);

			if (t != UINT64_MAX)
				now = t;
		}
	}
	assert_true(p.q.peak >= p.q.n);
	pair_drain(&p);
	pair_free(&p);
}

static void test_evq_random(void **state)
{
	for (uint64_t seed = 1; seed <= 12; seed++) {
		run_random(seed, 60000, 50);
		run_random(seed + 100, 60000, 55);
		run_random(seed + 200, 30000, 40);
	}
}

/*
 * Caller-chosen keys: each push names one of 64 "nodes" at random and
 * takes node << 40 | that node's count, so equal times come in far out of
 * key order (the drain's counting sort must repair them, in buckets large
 * and small, in far and in cur); the queue must still pop by (time, key).
 */
static void test_evq_push_seq_random(void **state)
{
	static uint64_t count[64];

	for (uint64_t seed = 1; seed <= 6; seed++) {
		struct sim_rng r;
		struct pair p;
		uint64_t now = 0;

		sim_rng_seed(&r, seed + 300);
		pair_init(&p);
		for (unsigned int i = 0; i < 60000; i++) {
			if (sim_rng_below(&r, 100) < 52) {
				uint32_t lp = sim_rng_below(&r, 64);
				uint64_t t = now + draw_delay(&r, now);

				pair_push_seq(&p, t, (uint64_t)lp << 40 | count[lp]++, &evs[sim_rng_below(&r, NEV)]);
			} else {
				uint64_t t = pair_pop(&p);

				if (t != UINT64_MAX)
					now = t;
			}
		}
		pair_drain(&p);
		pair_free(&p);
	}
}

/*
 * Ties as a fabric run makes them: in one future slot, instants at its
 * first, last and middle times, each shared by up to 300 events pushed as
 * a few stretches, each stretch in increasing key order (the nodes an
 * earlier instant's handlers ran for, in order) and the stretches
 * interleaved with each other's and other instants' pushes. Buckets small
 * and large (the drain sorts each tie of the large ones on its own); the
 * queue must pop by (time, key) like the heap.
 */
static void test_evq_push_seq_stretches(void **state)
{
	static uint64_t count[512];
	const uint64_t low[] = { 0, 1, 2, SLOT_PS / 2, SLOT_PS - 2, SLOT_PS - 1 };
	struct sim_rng r;
	struct pair p;
	uint64_t now = 0;

	sim_rng_seed(&r, 17);
	pair_init(&p);
	for (unsigned int round = 0; round < 400; round++) {
		uint64_t slot_ps = (now / SLOT_PS + 1 + sim_rng_below(&r, 8)) * SLOT_PS;
		unsigned int stretches = 1 + sim_rng_below(&r, 6), size = sim_rng_below(&r, 4);

		for (unsigned int st = 0; st < stretches; st++) {
			/* one stretch: increasing nodes, each pushing to some of the instants */
			for (uint32_t lp = sim_rng_below(&r, 8); lp < 512; lp += 1 + sim_rng_below(&r, 64 >> 2 * size)) {
				uint64_t t = slot_ps + low[sim_rng_below(&r, 6)];

				pair_push_seq(&p, t, (uint64_t)lp << 40 | count[lp]++, &evs[lp]);
			}
		}
		/* pop about half of what is pending: later rounds add to slots already filled */
		for (size_t n = p.q.n / 2; n; n--)
			now = pair_pop(&p);
	}
	pair_drain(&p);
	pair_free(&p);
}

/* Keys, not pushes, order equal times: pushed 3, 1, 2 at one instant, they pop 1, 2, 3. */
static void test_evq_push_seq_order(void **state)
{
	struct sim_evq q;
	struct sim_heap_ent h;

	assert_int_equal(sim_evq_init(&q, 0), 0);
	assert_int_equal(sim_evq_push_seq(&q, 5000, 3, &evs[3]), 0);
	assert_int_equal(sim_evq_push_seq(&q, 5000, 1, &evs[1]), 0);
	assert_int_equal(sim_evq_push_seq(&q, 5000, 2, &evs[2]), 0);
	assert_int_equal(sim_evq_push_seq(&q, 4999, 9, &evs[9]), 0);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(sim_evq_pop(&q, &h), 0);
		assert_ptr_equal(h.ev, &evs[i ? i : 9]);
	}
	assert_int_equal(sim_evq_pop(&q, &h), -ENOENT);
	sim_evq_free(&q);
}

/* Thousands pending, then drained: the chunks and cur grow past their first room. */
static void test_evq_growth(void **state)
{
	struct sim_rng r;
	struct pair p;
	uint64_t now = 0;

	sim_rng_seed(&r, 7);
	pair_init(&p);
	for (unsigned int round = 0; round < 4; round++) {
		for (unsigned int i = 0; i < 50000; i++)
			pair_push(&p, now + sim_rng_below(&r, 1u << (10 + 4 * round)), &evs[i % NEV]);
		for (unsigned int i = 0; i < 30000; i++)
			now = pair_pop(&p);
	}
	assert_int_equal(p.q.peak, 4 * 50000 - 3 * 30000);
	pair_drain(&p);
	pair_free(&p);
}

static void test_evq_empty(void **state)
{
	struct sim_evq q;
	struct sim_heap_ent h = { 0 };

	assert_int_equal(sim_evq_init(&q, 0), 0);
	assert_int_equal(sim_evq_pop(&q, &h), -ENOENT);
	assert_int_equal(sim_evq_push(&q, 5, &evs[0]), 0);
	assert_int_equal(sim_evq_pop(&q, &h), 0);
	assert_int_equal(h.time_ps, 5);
	assert_int_equal(h.seq, 0);
	assert_ptr_equal(h.ev, &evs[0]);
	assert_int_equal(sim_evq_pop(&q, &h), -ENOENT);
	assert_int_equal(q.now_ps, 5);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.peak, 1);
	/* empty after a far event: the window jumps to the next one */
	assert_int_equal(sim_evq_push(&q, 1ULL << 62, &evs[1]), 0);
	assert_int_equal(sim_evq_pop(&q, &h), 0);
	assert_int_equal(h.time_ps, 1ULL << 62);
	assert_int_equal(h.seq, 1);
	assert_int_equal(sim_evq_pop(&q, &h), -ENOENT);
	sim_evq_free(&q);
}

/* 3,000 events at one instant pop in push order, after an earlier one pushed last. */
static void test_evq_burst(void **state)
{
	struct sim_evq q;
	struct sim_heap_ent h = { 0 };
	const uint64_t t = 3 * WINDOW_PS + 17;

	assert_int_equal(sim_evq_init(&q, 0), 0);
	for (unsigned int i = 0; i < 3000; i++)
		assert_int_equal(sim_evq_push(&q, t, &evs[i]), 0);
	assert_int_equal(sim_evq_push(&q, t - 1, &evs[3000]), 0);
	assert_int_equal(sim_evq_pop(&q, &h), 0);
	assert_int_equal(h.time_ps, t - 1);
	assert_ptr_equal(h.ev, &evs[3000]);
	for (unsigned int i = 0; i < 3000; i++) {
		assert_int_equal(sim_evq_pop(&q, &h), 0);
		assert_int_equal(h.time_ps, t);
		assert_int_equal(h.seq, i);
		assert_ptr_equal(h.ev, &evs[i]);
		/* a push at now while the burst drains goes behind it */
		if (i == 1000)
			assert_int_equal(sim_evq_push(&q, t, &evs[3001]), 0);
	}
	assert_int_equal(sim_evq_pop(&q, &h), 0);
	assert_ptr_equal(h.ev, &evs[3001]);
	assert_int_equal(h.seq, 3001);
	assert_int_equal(q.peak, 3001);
	assert_int_equal(sim_evq_pop(&q, &h), -ENOENT);
	sim_evq_free(&q);
}

/* A popped event pushed back at its own time goes behind its equals (the run loop's stop). */
static void test_evq_repush(void **state)
{
	struct sim_evq q;
	struct sim_heap_ent h = { 0 };
	const uint64_t t = 1000;
	/* 0 goes back in behind 1 and 2 with a new sequence number, 4 */
	const unsigned int want[] = { 1, 2, 0, 3 };
	const uint64_t want_seq[] = { 1, 2, 4, 3 };

	assert_int_equal(sim_evq_init(&q, 0), 0);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(sim_evq_push(&q, t, &evs[i]), 0);
	assert_int_equal(sim_evq_push(&q, t + WINDOW_PS, &evs[3]), 0);
	assert_int_equal(sim_evq_pop(&q, &h), 0);
	assert_ptr_equal(h.ev, &evs[0]);
	assert_int_equal(sim_evq_push(&q, h.time_ps, h.ev), 0);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(sim_evq_pop(&q, &h), 0);
		assert_ptr_equal(h.ev, &evs[want[i]]);
		assert_int_equal(h.seq, want_seq[i]);
	}
	/* the far one, pushed back too, comes out alone */
	assert_int_equal(sim_evq_push(&q, h.time_ps, h.ev), 0);
	assert_int_equal(sim_evq_pop(&q, &h), 0);
	assert_int_equal(h.time_ps, t + WINDOW_PS);
	assert_int_equal(h.seq, 5);
	assert_int_equal(sim_evq_pop(&q, &h), -ENOENT);
	sim_evq_free(&q);
}

/* Far timers, in the window and beyond, each slot boundary crossed in order. */
static void test_evq_far(void **state)
{
	const uint64_t t[] = { 1ULL << 62, WINDOW_PS, 1ULL << 40, WINDOW_PS - 1, SLOT_PS, SLOT_PS - 1,
			       (1ULL << 62) - 1, 0, 2 * WINDOW_PS + SLOT_PS, 1ULL << 40 };
	const unsigned int order[] = { 7, 5, 4, 3, 1, 8, 2, 9, 6, 0 };
	struct sim_evq q;
	struct sim_heap_ent h = { 0 };

	assert_int_equal(sim_evq_init(&q, 0), 0);
	for (unsigned int i = 0; i < 10; i++)
		assert_int_equal(sim_evq_push(&q, t[i], &evs[i]), 0);
	for (unsigned int i = 0; i < 10; i++) {
		assert_int_equal(sim_evq_pop(&q, &h), 0);
		assert_ptr_equal(h.ev, &evs[order[i]]);
		assert_int_equal(h.time_ps, t[order[i]]);
		assert_int_equal(h.seq, order[i]);
	}
	assert_int_equal(sim_evq_pop(&q, &h), -ENOENT);
	sim_evq_free(&q);
}

/*
 * A caller may set now_ps back (the unit tests of the model do) and push
 * before the last event popped: the queue still pops by (time, seq).
 */
static void test_evq_clock_back(void **state)
{
	struct sim_rng r;
	struct pair p;

	sim_rng_seed(&r, 99);
	pair_init(&p);
	for (unsigned int round = 0; round < 200; round++) {
		uint64_t base = sim_rng_below(&r, 1u << 24);

		for (unsigned int i = 0; i < 20; i++)
			pair_push(&p, base + sim_rng_below(&r, 1u << 22), &evs[i]);
		for (unsigned int i = 0; i < 10; i++)
			pair_pop(&p);
	}
	pair_drain(&p);
	pair_free(&p);
}

static void test_evq_count_type(void **state)
{
	struct sim_evq q;
	struct sim_event a = { .type = 1 }, b = { .type = 2 };

	assert_int_equal(sim_evq_init(&q, 0), 0);
	/* one in cur, in a bucket, and far */
	assert_int_equal(sim_evq_push(&q, 0, &a), 0);
	assert_int_equal(sim_evq_push(&q, 5 * SLOT_PS, &a), 0);
	assert_int_equal(sim_evq_push(&q, 5 * SLOT_PS, &b), 0);
	assert_int_equal(sim_evq_push(&q, 2 * WINDOW_PS, &a), 0);
	assert_int_equal(sim_evq_count_type(&q, 1), 3);
	assert_int_equal(sim_evq_count_type(&q, 2), 1);
	assert_int_equal(sim_evq_count_type(&q, 3), 0);
	sim_evq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evq_empty),
		cmocka_unit_test(test_evq_burst),
		cmocka_unit_test(test_evq_repush),
		cmocka_unit_test(test_evq_far),
		cmocka_unit_test(test_evq_clock_back),
		cmocka_unit_test(test_evq_count_type),
		cmocka_unit_test(test_evq_growth),
		cmocka_unit_test(test_evq_random),
		cmocka_unit_test(test_evq_push_seq_order),
		cmocka_unit_test(test_evq_push_seq_random),
		cmocka_unit_test(test_evq_push_seq_stretches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
