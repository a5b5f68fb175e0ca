/*
 * Discrete-event queue: a calendar queue (a timing wheel) of (time,
 * sequence, object), popping in exactly the order of a min-heap keyed on
 * (time_ps, seq).
 *
 * Events are intrusive: the object scheduled (a packet, a port, a queue
 * pair) embeds a struct sim_event whose type says how to handle it, so
 * scheduling never allocates an object. Ties in time break by a sequence
 * number, the insertion order (sim_evq_push) or the caller's own
 * (sim_evq_push_seq), which makes a run a pure function of its inputs and
 * seed.
 *
 * Why a wheel: a fabric run keeps ~10^5 events pending and schedules
 * nearly all of them within a microsecond of now (serialization, cable,
 * switch latency, ACK timers). A heap pays a sift through ~9 levels of
 * cold cache lines per pop; the wheel appends a push to the bucket of its
 * time slot (2^SIM_EVQ_SLOT_SHIFT ps wide) and sorts only the few events
 * of the slot being drained, which then pop in sequence and whose objects
 * can be fetched ahead of the handler that touches them.
 *
 * Layout, with cur_slot the slot being drained (slot = time_ps >> SHIFT):
 *   run:    the drained bucket, sorted by (time, seq) (a counting sort on
 *           the time's low bits, event.c), popped front to back;
 *   cur:    a 4-ary heap (heap.h) of the events pushed since then into
 *           the current slot (or before it, when a caller set now_ps
 *           back); a pop takes the lesser of run's front and cur's top;
 *   bucket: events of slots cur_slot + 1 .. cur_slot + SIM_EVQ_SLOTS - 1,
 *           unsorted, in bucket slot % SIM_EVQ_SLOTS; a two-level bitmap
 *           of the non-empty buckets finds the next one in a few words;
 *   far:    events of later slots, a 4-ary heap, moved into the buckets
 *           as the window reaches them (rare: retransmission timers).
 * Every event of run and cur precedes every event in a bucket, which
 * precede every event of far, so the queue pops by (time, seq) exactly as
 * a heap of all of them would (tests/test_evq.c checks it against one).
 *
 * Contracts: an event's type is set by the object's owner before it is
 * pushed and names its handler (engine.h); the object outlives every
 * pending copy of its event. The same event may be pending more than once
 * (a timer armed again, earlier): its handler sees every firing and tells
 * a stale one from the live one by its own state. Times should not go
 * back (the model's scheduling wrapper checks); the queue still orders an
 * event pushed before now_ps correctly.
 */
#ifndef SIM_EVENT_H
#define SIM_EVENT_H

#include <errno.h>
#include <stdint.h>
#include <stddef.h>
#include "sim/engine/heap.h"

struct sim_event {
	uint8_t type;		/* the model's event type: index of its handler (engine.h) */
};

/* How many events ahead of the one popped the run's objects are fetched. */
#ifndef SIM_EVQ_PREFETCH
#define SIM_EVQ_PREFETCH 1
#endif

/* log2 of a slot's width in ps, and of the number of buckets of the wheel. */
#ifndef SIM_EVQ_SLOT_SHIFT
#define SIM_EVQ_SLOT_SHIFT 8
#endif
#ifndef SIM_EVQ_SLOTS_LOG2
#define SIM_EVQ_SLOTS_LOG2 14
#endif
#define SIM_EVQ_SLOTS (1UL << SIM_EVQ_SLOTS_LOG2)
/* 64-bit words of the bitmap of non-empty buckets, and of its summary. */
#define SIM_EVQ_WORDS (SIM_EVQ_SLOTS / 64)
#define SIM_EVQ_SUMMARY ((SIM_EVQ_WORDS + 63) / 64)

_Static_assert(SIM_EVQ_SLOTS_LOG2 >= 6 && SIM_EVQ_SLOTS_LOG2 <= 20, "the wheel's bitmap needs 64..2^20 buckets");
_Static_assert(SIM_EVQ_SLOT_SHIFT + SIM_EVQ_SLOTS_LOG2 < 64, "the window must be shorter than time itself");
_Static_assert(SIM_EVQ_SLOT_SHIFT <= 12, "the drain counts events by time within a slot");
_Static_assert(SIM_EVQ_SLOT_SHIFT <= 16, "the drain lists times within a slot in 16 bits");

/*
 * A bucket's events live in a list of fixed chunks from a free list shared
 * by the whole wheel, so that memory follows the events pending, not the
 * most any one bucket ever held.
 */
#define SIM_EVQ_CHUNK 10	/* events per chunk: 256 bytes with its header */

struct sim_evq_chunk {
	struct sim_evq_chunk *next;
	uint32_t n;		/* events in use */
	struct sim_heap_ent e[SIM_EVQ_CHUNK];
};

_Static_assert(sizeof(struct sim_evq_chunk) == 256, "a chunk is four cache lines");

/* Events of one future slot, in push order. */
struct sim_evq_bucket {
	struct sim_evq_chunk *head, *tail;	/* NULL when empty */
	size_t n;		/* events */
};

struct sim_evq {
	size_t n;		/* events pending */
	uint64_t next_seq;
	uint64_t now_ps;	/* time of the event last popped */
	uint64_t peak;		/* most entries ever pending */
	uint64_t cur_slot;	/* the slot being drained: run and cur hold every event up to its end */
	struct sim_heap_ent *run;	/* the drained bucket, sorted; run[run_i .. run_n) pending */
	size_t run_i, run_n, run_cap;
	struct sim_heapq cur;	/* events pushed at slots <= cur_slot since the drain */
	size_t nwheel;		/* events in the buckets */
	struct sim_evq_chunk *free_chunks;	/* unused chunks */
	void **slabs;		/* the blocks chunks were carved from, to free */
	size_t nslabs, slabs_cap;
	struct sim_evq_bucket *b;	/* SIM_EVQ_SLOTS buckets */
	uint64_t *bits;		/* SIM_EVQ_WORDS: bucket i non-empty */
	uint64_t summary[SIM_EVQ_SUMMARY];	/* bit i: bits[i] non-zero */
	struct sim_heapq far;	/* events of slots >= cur_slot + SIM_EVQ_SLOTS */
	uint32_t count[1 << SIM_EVQ_SLOT_SHIFT];	/* the drain's counting sort, by time within the slot */
	uint16_t ties[1 << SIM_EVQ_SLOT_SHIFT];	/* the drain's times within the slot shared by events */
};

/* An empty queue with room for CAP_HINT events (0: a default): 0, or -ENOMEM. */
int sim_evq_init(struct sim_evq *q, size_t cap_hint);
void sim_evq_free(struct sim_evq *q);
/* Out of line: appends to a bucket whose last chunk is full (or that has none): 0, or -ENOMEM. */
int sim_evq_bucket_add(struct sim_evq *q, struct sim_evq_bucket *b, uint64_t time_ps, uint64_t seq,
		       struct sim_event *ev);
/* Out of line: sorts the next non-empty slot into run: 0, -ENOENT when empty, or -ENOMEM. */
int sim_evq_advance(struct sim_evq *q);
/* FN(ev, ARG) on every pending event, in no particular order (for checks, not the hot path). */
void sim_evq_for_each(const struct sim_evq *q, void (*fn)(const struct sim_event *ev, void *arg), void *arg);
/* Pending events of TYPE (a walk over every pending event: for checks, not the hot path). */
size_t sim_evq_count_type(const struct sim_evq *q, uint8_t type);

/*
 * Queues EV at TIME_PS with the caller's SEQ: it pops after every queued
 * event of (time, seq) below (TIME_PS, SEQ). The caller keeps keys unique
 * (two equal keys pop in no defined order): the fabric keys an event by
 * the node that scheduled it and that node's count, so the order of
 * same-time events does not depend on which node's events ran first.
 * 0, or -ENOMEM.
 */
static inline int sim_evq_push_seq(struct sim_evq *q, uint64_t time_ps, uint64_t seq, struct sim_event *ev)
{
	uint64_t slot = time_ps >> SIM_EVQ_SLOT_SHIFT;
	int rc;

	if (slot <= q->cur_slot) {
		rc = sim_heapq_push(&q->cur, time_ps, seq, ev);
	} else if (slot - q->cur_slot < SIM_EVQ_SLOTS) {
		struct sim_evq_bucket *b = &q->b[slot & (SIM_EVQ_SLOTS - 1)];
		struct sim_evq_chunk *c = b->tail;

		if (c && c->n < SIM_EVQ_CHUNK) {
			c->e[c->n++] = (struct sim_heap_ent){ time_ps, seq, ev };
			b->n++;
			q->nwheel++;
			rc = 0;
		} else {
			rc = sim_evq_bucket_add(q, b, time_ps, seq, ev);
		}
	} else {
		rc = sim_heapq_push(&q->far, time_ps, seq, ev);
	}
	if (rc)
		return rc;
	if (++q->n > q->peak)
		q->peak = q->n;
	return 0;
}

/* Queues EV at TIME_PS behind every event already queued for then (seq next_seq): 0, or -ENOMEM. */
static inline int sim_evq_push(struct sim_evq *q, uint64_t time_ps, struct sim_event *ev)
{
	return sim_evq_push_seq(q, time_ps, q->next_seq++, ev);
}

/*
 * Pops the earliest event into *out and sets now_ps to its time: 0,
 * -ENOENT when empty, or -ENOMEM when moving the next slot's events in
 * found no memory (nothing is lost: the pop may be retried).
 */
static inline int sim_evq_pop(struct sim_evq *q, struct sim_heap_ent *out)
{
	for (;;) {
		if (q->run_i < q->run_n) {
			const struct sim_heap_ent *e = &q->run[q->run_i];
			struct sim_heap_key k = { e->time_ps, e->seq };

			if (!q->cur.n || sim_key_before(&k, &q->cur.key[0])) {
				*out = *e;
				/*
				 * The object of the event after next is what the
				 * run loop will touch first once this one is
				 * handled: fetch it now, behind this handler.
				 */
				if (++q->run_i + SIM_EVQ_PREFETCH < q->run_n)
					__builtin_prefetch(q->run[q->run_i + SIM_EVQ_PREFETCH].ev);
				break;
			}
			sim_heapq_take(&q->cur, out);
			break;
		}
		if (q->cur.n) {
			sim_heapq_take(&q->cur, out);
			break;
		}
		int rc = sim_evq_advance(q);

		if (rc)
			return rc;
	}
	q->now_ps = out->time_ps;
	q->n--;
	return 0;
}

#endif
