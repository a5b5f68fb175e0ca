/*
 * The engine layer alone (sim/engine): the run loop's order, stop and
 * resume, stop flag, watch and tick hooks, and the object pool, each
 * against an outcome worked out by hand. No fabric is involved: the
 * handlers here only record what they were given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "sim/engine/engine.h"
#include "sim/engine/pool.h"

#define EV_REC 1	/* records its event */
#define EV_AGAIN 2	/* schedules itself 1 ps later, LEFT more times */
#define EV_STOPPER 3	/* records, then stops the run */

struct rec_ev {
	struct sim_event ev;
	char name;
};

struct rec {
	struct sim_engine eng;
	char order[32];
	uint64_t at_ps[32];
	unsigned int n;
	unsigned int watches, watch_stop_at;	/* watch stops the run on call watch_stop_at (0: never) */
	uint64_t watch_now_ps[8];
	unsigned int ticks;
	uint64_t tick_events;
	struct sim_event again;
	uint64_t left;
};

static void rec_note(struct rec *r, struct sim_event *ev)
{
	struct rec_ev *x = (struct rec_ev *)ev;

	assert_true(r->n < sizeof(r->order) - 1);
	r->at_ps[r->n] = sim_engine_now(&r->eng);
	r->order[r->n++] = x->name;
}

static void on_rec(void *ctx, struct sim_event *ev)
{
	rec_note(ctx, ev);
}

static void on_stopper(void *ctx, struct sim_event *ev)
{
	struct rec *r = ctx;

	rec_note(r, ev);
	sim_engine_stop(&r->eng);
}

static void on_again(void *ctx, struct sim_event *ev)
{
	struct rec *r = ctx;

	if (r->left--)
		assert_int_equal(sim_evq_push(&r->eng.q, sim_engine_now(&r->eng) + 1, ev), 0);
}

static bool on_watch(void *ctx)
{
	struct rec *r = ctx;

	if (r->watches < 8)
		r->watch_now_ps[r->watches] = sim_engine_now(&r->eng);
	return ++r->watches == r->watch_stop_at;
}

static void on_tick(void *ctx)
{
	struct rec *r = ctx;

	r->ticks++;
	r->tick_events = r->eng.events;
}

static const struct sim_engine_ops plain_ops = {
	.handler = { [EV_REC] = on_rec, [EV_AGAIN] = on_again, [EV_STOPPER] = on_stopper },
};

static const struct sim_engine_ops hooked_ops = {
	.handler = { [EV_REC] = on_rec, [EV_AGAIN] = on_again, [EV_STOPPER] = on_stopper },
	.watch = on_watch,
	.watch_period_ps = 100,
	.tick = on_tick,
};

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(sim_engine_init(&r->eng, r, 4), 0);
}

static void push(struct rec *r, struct rec_ev *x, char name, int type, uint64_t t_ps)
{
	x->ev.type = (uint8_t)type;
	x->name = name;
	assert_int_equal(sim_evq_push(&r->eng.q, t_ps, &x->ev), 0);
}

/* Time order, ties in push order; the queue grows past its hint of 4. */
static void test_order(void **state)
{
	struct rec r;
	struct rec_ev x[6];

	(void)state;
	rec_init(&r);
	push(&r, &x[0], 'a', EV_REC, 30);
	push(&r, &x[1], 'b', EV_REC, 10);
	push(&r, &x[2], 'c', EV_REC, 30);
	push(&r, &x[3], 'd', EV_REC, 0);
	push(&r, &x[4], 'e', EV_REC, 10);
	push(&r, &x[5], 'f', EV_REC, 30);
	assert_int_equal(sim_engine_run(&r.eng, &plain_ops, 0), SIM_ENGINE_IDLE);
	assert_string_equal(r.order, "dbeacf");
	assert_int_equal(r.at_ps[1], 10);
	assert_int_equal(r.at_ps[5], 30);
	assert_int_equal(r.eng.events, 6);
	assert_int_equal(r.eng.q.peak, 6);
	sim_engine_free(&r.eng);
}

/*
 * A stop at 15 ps handles the event at 10 and holds back A at 20 with its
 * own key, ahead of B still: the clock reads the stop time. A stop at 19
 * holds back A again; a run without a stop then finishes in the order of
 * a run without stops: C, A, B.
 */
static void test_stop_resume(void **state)
{
	struct rec r;
	struct rec_ev a, b, c;

	(void)state;
	rec_init(&r);
	push(&r, &a, 'A', EV_REC, 20);
	push(&r, &b, 'B', EV_REC, 20);
	push(&r, &c, 'C', EV_REC, 10);
	assert_int_equal(sim_engine_run(&r.eng, &plain_ops, 15), SIM_ENGINE_STOPPED);
	assert_string_equal(r.order, "C");
	assert_int_equal(sim_engine_now(&r.eng), 15);
	assert_int_equal(r.eng.events, 1);
	assert_int_equal(r.eng.q.n, 2);
	assert_int_equal(sim_engine_run(&r.eng, &plain_ops, 19), SIM_ENGINE_STOPPED);
	assert_int_equal(sim_engine_now(&r.eng), 19);
	assert_int_equal(r.eng.events, 1);
	assert_int_equal(sim_engine_run(&r.eng, &plain_ops, 0), SIM_ENGINE_IDLE);
	assert_string_equal(r.order, "CAB");
	assert_int_equal(r.eng.events, 3);
	sim_engine_free(&r.eng);
}

/* The model stops the run from a handler: nothing after it runs until the flag is cleared. */
static void test_stop_flag(void **state)
{
	struct rec r;
	struct rec_ev x[3];

	(void)state;
	rec_init(&r);
	push(&r, &x[0], 'x', EV_REC, 1);
	push(&r, &x[1], 's', EV_STOPPER, 2);
	push(&r, &x[2], 'y', EV_REC, 3);
	assert_int_equal(sim_engine_run(&r.eng, &plain_ops, 0), SIM_ENGINE_DONE);
	assert_string_equal(r.order, "xs");
	assert_int_equal(sim_engine_run(&r.eng, &plain_ops, 0), SIM_ENGINE_DONE);
	assert_int_equal(r.eng.events, 2);
	r.eng.stop = false;
	assert_int_equal(sim_engine_run(&r.eng, &plain_ops, 0), SIM_ENGINE_IDLE);
	assert_string_equal(r.order, "xsy");
	sim_engine_free(&r.eng);
}

/*
 * Watch at the instants 0, 100, 200, ... each before the first event later
 * than it, with the clock at the instant: 0 before the event at 50, 100
 * before 150 (after the event at 100 itself), 200 before 260. The third
 * call stops the run at 200, the event at 260 still queued. Resumed, the
 * stopping instant is watched again, then 300 before 400; nothing is
 * watched past the last event. Instants without events (between 400 and
 * a stop) follow in test_watch_instants.
 */
static void test_watch(void **state)
{
	static const uint64_t t[] = { 0, 50, 100, 150, 199, 260, 400 };
	struct rec r;
	struct rec_ev x[7];

	(void)state;
	rec_init(&r);
	for (unsigned int i = 0; i < 7; i++)
		push(&r, &x[i], (char)('0' + i), EV_REC, t[i]);
	r.watch_stop_at = 3;
	assert_int_equal(sim_engine_run(&r.eng, &hooked_ops, 0), SIM_ENGINE_WATCHED);
	assert_int_equal(r.watches, 3);
	assert_int_equal(r.watch_now_ps[0], 0);
	assert_int_equal(r.watch_now_ps[1], 100);
	assert_int_equal(r.watch_now_ps[2], 200);
	assert_int_equal(sim_engine_now(&r.eng), 200);
	assert_string_equal(r.order, "01234");
	r.watch_stop_at = 0;
	assert_int_equal(sim_engine_run(&r.eng, &hooked_ops, 0), SIM_ENGINE_IDLE);
	assert_int_equal(r.watches, 5);
	assert_int_equal(r.watch_now_ps[3], 200);
	assert_int_equal(r.watch_now_ps[4], 300);
	assert_string_equal(r.order, "0123456");
	assert_int_equal(sim_engine_now(&r.eng), 400);
	sim_engine_free(&r.eng);
}

/*
 * Every instant of a gap is watched, whatever events ran: events at 10 and
 * 450 with the first instant at 100 give 100, 200, 300 and 400 before the
 * event at 450; a stop at 250 watches 100 and 200 only and keeps 450.
 */
static void test_watch_instants(void **state)
{
	struct rec r;
	struct rec_ev x[2];

	(void)state;
	rec_init(&r);
	r.eng.watch_next_ps = 100;
	push(&r, &x[0], 'a', EV_REC, 10);
	push(&r, &x[1], 'b', EV_REC, 450);
	assert_int_equal(sim_engine_run(&r.eng, &hooked_ops, 250), SIM_ENGINE_STOPPED);
	assert_int_equal(r.watches, 2);
	assert_int_equal(r.watch_now_ps[1], 200);
	assert_int_equal(sim_engine_now(&r.eng), 250);
	assert_string_equal(r.order, "a");
	assert_int_equal(sim_engine_run(&r.eng, &hooked_ops, 0), SIM_ENGINE_IDLE);
	assert_int_equal(r.watches, 4);
	assert_int_equal(r.watch_now_ps[2], 300);
	assert_int_equal(r.watch_now_ps[3], 400);
	assert_string_equal(r.order, "ab");
	sim_engine_free(&r.eng);
}

/* The tick runs after event number SIM_ENGINE_TICK_EVENTS, and not before. */
static void test_tick(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r);
	r.again.type = EV_AGAIN;
	r.left = SIM_ENGINE_TICK_EVENTS + 9;	/* one first firing, then LEFT more */
	assert_int_equal(sim_evq_push(&r.eng.q, 0, &r.again), 0);
	assert_int_equal(sim_engine_run(&r.eng, &hooked_ops, 0), SIM_ENGINE_IDLE);
	assert_int_equal(r.eng.events, SIM_ENGINE_TICK_EVENTS + 10);
	assert_int_equal(r.ticks, 1);
	assert_int_equal(r.tick_events, SIM_ENGINE_TICK_EVENTS);
	assert_int_equal(sim_engine_now(&r.eng), SIM_ENGINE_TICK_EVENTS + 9);
	sim_engine_free(&r.eng);
}

struct obj {
	uint64_t head;
	struct obj *link;
	char tail[24];
};

/*
 * Slabs of 4: the first take carves one and gets its last object, later
 * takes walk back through it; the fifth carves a second slab. What was
 * put back comes out first, and only the link field was used meanwhile.
 */
static void test_pool(void **state)
{
	struct sim_pool p;
	struct obj *o[6];

	(void)state;
	sim_pool_init(&p, sizeof(struct obj), offsetof(struct obj, link), 4);
	assert_int_equal(p.allocated, 0);
	assert_int_equal(sim_pool_count_free(&p, 100), 0);
	for (int i = 0; i < 5; i++)
		o[i] = sim_pool_get(&p);
	assert_int_equal(p.nslabs, 2);
	assert_int_equal(p.allocated, 8);
	assert_ptr_equal(o[1], o[0] - 1);
	assert_ptr_equal(o[3], o[0] - 3);
	assert_ptr_equal(o[0], (struct obj *)p.slabs[0] + 3);
	assert_ptr_equal(o[4], (struct obj *)p.slabs[1] + 3);
	assert_int_equal(sim_pool_count_free(&p, 100), 3);
	memset(o[2], 0x5a, sizeof(*o[2]));
	sim_pool_put(&p, o[2]);
	sim_pool_put(&p, o[0]);
	assert_int_equal(sim_pool_count_free(&p, 100), 5);
	/* the count stops one past its limit: a cycle cannot hang it */
	assert_int_equal(sim_pool_count_free(&p, 2), 3);
	o[5] = sim_pool_get(&p);
	assert_ptr_equal(o[5], o[0]);
	assert_ptr_equal(sim_pool_get(&p), o[2]);
	assert_int_equal(o[2]->head, 0x5a5a5a5a5a5a5a5aULL);
	assert_int_equal(o[2]->tail[23], 0x5a);
	sim_pool_destroy(&p);
	assert_int_equal(p.nslabs, 0);
	assert_null(p.free);
	/* slabs start on a cache line */
	sim_pool_init(&p, sizeof(struct obj), offsetof(struct obj, link), 3);
	assert_non_null(sim_pool_get(&p));
	assert_int_equal((uintptr_t)p.slabs[0] % SIM_POOL_ALIGN, 0);
	sim_pool_destroy(&p);
}

/*
 * The index pool: indices from 1 in order (0 means none), the last one
 * returned is the first taken again, the array grows past its first 1,024
 * records keeping their contents, and the free count follows.
 */
static void test_ipool(void **state)
{
	struct sim_ipool p;
	uint32_t a, b;

	(void)state;
	sim_ipool_init(&p, 24);
	assert_int_equal(sim_ipool_count_free(&p, 10), 0);
	for (uint32_t i = 1; i <= 1500; i++) {
		assert_int_equal(sim_ipool_get(&p), i);
		memset(sim_ipool_at(&p, i), (int)(i & 0xff), 24);
	}
	assert_int_equal(p.cap, 2048);
	assert_int_equal(p.taken, 1500);
	assert_int_equal(((unsigned char *)sim_ipool_at(&p, 7))[23], 7);
	a = 7;
	b = 1200;
	sim_ipool_put(&p, a);
	sim_ipool_put(&p, b);
	assert_int_equal(p.taken, 1498);
	assert_int_equal(sim_ipool_count_free(&p, 10), 2);
	assert_int_equal(sim_ipool_get(&p), b);
	assert_int_equal(sim_ipool_get(&p), a);
	assert_int_equal(sim_ipool_get(&p), 1501);
	assert_int_equal(sim_ipool_count_free(&p, 10), 0);
	sim_ipool_destroy(&p);
	assert_int_equal(p.taken, 0);
	assert_null(p.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_stop_resume),
		cmocka_unit_test(test_stop_flag),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_watch_instants),
		cmocka_unit_test(test_tick),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_ipool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
