/*
 * The run loop of a discrete-event simulation, knowing nothing of what it
 * simulates.
 *
 * It pops events in (time, sequence) order from its queue (event.h) and
 * hands each to the handler its type names, in a table the model fills in
 * (struct sim_engine_ops). Around that it keeps the clock, counts events,
 * stops before an event later than a given time (leaving it queued, so a
 * later call resumes exactly there), returns before the next event once
 * the model said the run is over (sim_engine_stop), calls a watch hook at
 * fixed instants of simulated time (the fabric's PFC deadlock watchdog), a
 * tick hook every SIM_ENGINE_TICK_EVENTS events (the caller's progress
 * display) and a probe hook before the first event past a time the model
 * sets (the fabric's queue sampler). Watch and probe read the state
 * between events without being events, so they change neither the order,
 * the sequence numbers nor the count of events; and they see the state at
 * an instant (after every event at or before it), not after whichever
 * event happened to run last, so a run split over processes that handle
 * the same events in another interleaving sees the same.
 *
 * One engine per run; single-threaded. A handler may schedule events at
 * or after now, never before (sim_evq_push does not check; the model's
 * scheduling wrapper does).
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/engine/event.h"

/* Event types are 1 .. SIM_ENGINE_MAX_TYPES - 1 (struct sim_event.type); 0 is never valid. */
#define SIM_ENGINE_MAX_TYPES 16
/* The tick hook runs once per this many events; a power of two. */
#define SIM_ENGINE_TICK_EVENTS (1U << 20)

_Static_assert((SIM_ENGINE_TICK_EVENTS & (SIM_ENGINE_TICK_EVENTS - 1)) == 0,
	       "SIM_ENGINE_TICK_EVENTS must be a power of two");

/* Handles one event of its type; CTX is sim_engine.ctx. */
typedef void (*sim_ev_handler)(void *ctx, struct sim_event *ev);

/*
 * What the model supplies. Every event type it schedules has a handler;
 * watch and tick are optional (NULL).
 */
struct sim_engine_ops {
	sim_ev_handler handler[SIM_ENGINE_MAX_TYPES];	/* by sim_event.type */
	/*
	 * Called once for every instant W = watch_next_ps + k x
	 * watch_period_ps (k = 0, 1, ...) before the first event later than
	 * W, with the clock set to W (so: after every event at or before W,
	 * whatever events ran, and at every such instant up to the next
	 * event, or up to stop_ps). True stops the run at W (the clock then
	 * reads W, the next event stays queued). Without events the run ends
	 * (SIM_ENGINE_IDLE) and no instant past the last event is watched.
	 */
	bool (*watch)(void *ctx);
	uint64_t watch_period_ps;
	/* Called after every SIM_ENGINE_TICK_EVENTS-th event. */
	void (*tick)(void *ctx);
	/*
	 * Called before the first event later than sim_engine.probe_next_ps,
	 * with that event's time; it must move probe_next_ps to NEXT_PS or
	 * later. Not an event: it must not schedule any.
	 */
	void (*probe)(void *ctx, uint64_t next_ps);
};

/* Why sim_engine_run returned. */
enum sim_engine_end {
	SIM_ENGINE_DONE = 0,	/* the model said the run is over (sim_engine_stop) */
	SIM_ENGINE_IDLE,	/* no event left */
	SIM_ENGINE_STOPPED,	/* the next event lies past stop_ps: it stays queued, now = stop_ps */
	SIM_ENGINE_WATCHED,	/* ops->watch stopped the run: the next event stays queued, now = the instant */
};

struct sim_engine {
	struct sim_evq q;	/* pending events; q.now_ps is the clock */
	void *ctx;		/* handed to every handler and hook */
	uint64_t events;	/* handled so far, over every sim_engine_run */
	uint64_t watch_next_ps;	/* the next instant ops->watch runs at (the model may set the first) */
	uint64_t probe_next_ps;	/* ops->probe runs before the first event past it; UINT64_MAX: never */
	/*
	 * Set by the model (sim_engine_stop) when the run is over: the loop
	 * returns before the next event. The model clears it (or sets it)
	 * before each sim_engine_run from its own state.
	 */
	bool stop;
};

/* 0, or -ENOMEM. CAP_HINT sizes the queue (0: a default). */
int sim_engine_init(struct sim_engine *e, void *ctx, size_t cap_hint);
void sim_engine_free(struct sim_engine *e);

/* Puts H back with its own key (a later call resumes exactly there) and sets the clock: END, or -ENOMEM. */
static inline int sim_engine_hold(struct sim_engine *e, const struct sim_heap_ent *h, uint64_t now_ps, int end)
{
	int rc = sim_evq_push_seq(&e->q, h->time_ps, h->seq, h->ev) ? -ENOMEM : end;

	e->q.now_ps = now_ps;
	return rc;
}

/* ops->watch at every instant before BEFORE_PS not yet watched: true when one stopped the run. */
static inline bool sim_engine_watch(struct sim_engine *e, const struct sim_engine_ops *ops, uint64_t before_ps)
{
	while (e->watch_next_ps < before_ps) {
		e->q.now_ps = e->watch_next_ps;
		if (ops->watch(e->ctx))
			return true;
		e->watch_next_ps += ops->watch_period_ps;
	}
	return false;
}

/*
 * Handles events until e->stop, an empty queue, ops->watch, or an event
 * later than STOP_PS (0: no limit). Returns an enum sim_engine_end, or
 * -ENOMEM when the event held back at STOP_PS (or at a watch instant)
 * could not be queued again (the clock still reads STOP_PS) or the queue
 * found no memory to move on to its next time slot (event.h).
 *
 * Inline on purpose: a model that passes its ops table as a constant gets
 * direct calls to its hooks, and the loop costs what a hand-written loop
 * over a switch did (the handlers are called through the table, as a
 * switch jumps through its own).
 */
static inline int sim_engine_run(struct sim_engine *e, const struct sim_engine_ops *ops, uint64_t stop_ps)
{
	struct sim_heap_ent h;

	while (!e->stop) {
		int rc = sim_evq_pop(&e->q, &h);

		if (rc)
			return rc == -ENOENT ? SIM_ENGINE_IDLE : rc;
		if (ops->watch && h.time_ps > e->watch_next_ps) {
			/* the instants before this event, those up to stop_ps when it lies past */
			uint64_t before = stop_ps && h.time_ps > stop_ps ? stop_ps + 1 : h.time_ps;

			if (sim_engine_watch(e, ops, before))
				return sim_engine_hold(e, &h, e->watch_next_ps, SIM_ENGINE_WATCHED);
			e->q.now_ps = h.time_ps;
		}
		if (stop_ps && h.time_ps > stop_ps)
			return sim_engine_hold(e, &h, stop_ps, SIM_ENGINE_STOPPED);
		if (ops->probe && h.time_ps > e->probe_next_ps)
			ops->probe(e->ctx, h.time_ps);
		e->events++;
		ops->handler[h.ev->type](e->ctx, h.ev);
		if (ops->tick && !(e->events & (SIM_ENGINE_TICK_EVENTS - 1)))
			ops->tick(e->ctx);
	}
	return SIM_ENGINE_DONE;
}

/* The run is over: sim_engine_run returns SIM_ENGINE_DONE before the next event. */
static inline void sim_engine_stop(struct sim_engine *e)
{
	e->stop = true;
}

static inline uint64_t sim_engine_now(const struct sim_engine *e)
{
	return e->q.now_ps;
}

#endif
