/*
 * Discrete-event queue: a 4-ary min-heap of (time, sequence, object).
 *
 * Events are intrusive: the object scheduled (a packet, a port, a queue
 * pair) embeds a struct sim_event whose type says how to handle it, so
 * scheduling never allocates. Ties in time break by insertion sequence,
 * which makes a run a pure function of its inputs and seed. A 4-ary heap
 * keeps pushes and pops cache-friendly with millions of pending events.
 *
 * Contracts: an event's type is set by the object's owner before it is
 * pushed and names its handler (engine.h); the object outlives every
 * pending copy of its event. The same event may be pending more than once
 * (a timer armed again, earlier): its handler sees every firing and tells
 * a stale one from the live one by its own state. Times never go back:
 * the caller pushes at or after now_ps (the model's scheduling wrapper
 * checks; the queue does not).
 */
#ifndef SIM_EVENT_H
#define SIM_EVENT_H

#include <errno.h>
#include <stdint.h>
#include <stddef.h>

struct sim_event {
	uint8_t type;		/* the model's event type: index of its handler (engine.h) */
};

struct sim_heap_ent {
	uint64_t time_ps;	/* when the event fires */
	uint64_t seq;		/* insertion order, the tie-breaker */
	struct sim_event *ev;
};

/* Ordering key of a pending event; kept apart from the event pointers so
 * that the four children compared at each level share one or two cache
 * lines. */
struct sim_heap_key {
	uint64_t time_ps;
	uint64_t seq;
};

_Static_assert(sizeof(struct sim_heap_key) == 16, "four sibling keys must fill one 64-byte line");

struct sim_evq {
	struct sim_heap_key *key;
	struct sim_event **ev;
	size_t n, cap;		/* entries in use, allocated */
	uint64_t next_seq;
	uint64_t now_ps;	/* time of the event last popped */
	uint64_t peak;		/* most entries ever pending */
};

/* An empty queue with room for CAP_HINT events (0: a default): 0, or -ENOMEM. */
int sim_evq_init(struct sim_evq *q, size_t cap_hint);
void sim_evq_free(struct sim_evq *q);
/* Doubles the room: 0, or -ENOMEM (the queue is unchanged). */
int sim_evq_grow(struct sim_evq *q);

static inline int sim_key_before(const struct sim_heap_key *a, const struct sim_heap_key *b)
{
	return a->time_ps < b->time_ps || (a->time_ps == b->time_ps && a->seq < b->seq);
}

/* Queues EV at TIME_PS behind every event already queued for then: 0, or -ENOMEM. */
static inline int sim_evq_push(struct sim_evq *q, uint64_t time_ps, struct sim_event *ev)
{
	struct sim_heap_key k = { time_ps, q->next_seq++ };
	size_t i;

	if (q->n == q->cap && sim_evq_grow(q))
		return -ENOMEM;
	i = q->n++;
	while (i) {
		size_t parent = (i - 1) >> 2;

		if (!sim_key_before(&k, &q->key[parent]))
			break;
		q->key[i] = q->key[parent];
		q->ev[i] = q->ev[parent];
		i = parent;
	}
	q->key[i] = k;
	q->ev[i] = ev;
	if (q->n > q->peak)
		q->peak = q->n;
	return 0;
}

/* Pops the earliest event into *out and sets now_ps to its time: 0, or -ENOENT when empty. */
static inline int sim_evq_pop(struct sim_evq *q, struct sim_heap_ent *out)
{
	struct sim_heap_key last, bk;
	struct sim_event *last_ev;
	size_t i = 0, n;

	if (!q->n)
		return -ENOENT;
	out->time_ps = q->key[0].time_ps;
	out->seq = q->key[0].seq;
	out->ev = q->ev[0];
	q->now_ps = out->time_ps;
	n = --q->n;
	if (!n)
		return 0;
	last = q->key[n];
	last_ev = q->ev[n];
	for (;;) {
		size_t c = 4 * i + 1, best, k, end;

		if (c >= n)
			break;
		/* the smallest child, its key kept in registers (bk), the first of equals */
		best = c;
		bk = q->key[c];
		end = c + 4 < n ? c + 4 : n;
		for (k = c + 1; k < end; k++) {
			struct sim_heap_key kk = q->key[k];

			if (sim_key_before(&kk, &bk)) {
				bk = kk;
				best = k;
			}
		}
		if (!sim_key_before(&bk, &last))
			break;
		q->key[i] = bk;
		q->ev[i] = q->ev[best];
		i = best;
	}
	q->key[i] = last;
	q->ev[i] = last_ev;
	return 0;
}

#endif
