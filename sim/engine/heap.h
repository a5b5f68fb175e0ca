/*
 * A 4-ary min-heap of (time, sequence, object): the event queue fabsim
 * used alone until issue 13, kept as the calendar queue's structure for
 * events beyond its window and for pushes into the slot being drained
 * (event.h), and as the reference the calendar queue is tested against
 * (tests/test_evq.c).
 *
 * Keys are kept apart from the event pointers so that the four children
 * compared at each level share one 64-byte line. The heap assigns no
 * sequence numbers: the caller passes the whole key, and the heap orders
 * by time, then sequence (keys are expected to be distinct).
 */
#ifndef SIM_HEAP_H
#define SIM_HEAP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

struct sim_event;

struct sim_heap_ent {
	uint64_t time_ps;	/* when the event fires */
	uint64_t seq;		/* insertion order, the tie-breaker */
	struct sim_event *ev;
};

/* Ordering key of a pending event. */
struct sim_heap_key {
	uint64_t time_ps;
	uint64_t seq;
};

_Static_assert(sizeof(struct sim_heap_key) == 16, "four sibling keys must fill one 64-byte line");

struct sim_heapq {
	struct sim_heap_key *key;
	struct sim_event **ev;
	size_t n, cap;		/* entries in use, allocated */
};

/* An empty heap with room for CAP_HINT entries (0: a default): 0, or -ENOMEM. */
int sim_heapq_init(struct sim_heapq *h, size_t cap_hint);
void sim_heapq_free(struct sim_heapq *h);
/* Doubles the room: 0, or -ENOMEM (the heap is unchanged). */
int sim_heapq_grow(struct sim_heapq *h);

static inline int sim_key_before(const struct sim_heap_key *a, const struct sim_heap_key *b)
{
	return a->time_ps < b->time_ps || (a->time_ps == b->time_ps && a->seq < b->seq);
}

/* Adds EV under key (TIME_PS, SEQ): 0, or -ENOMEM (the heap is unchanged). */
static inline int sim_heapq_push(struct sim_heapq *h, uint64_t time_ps, uint64_t seq, struct sim_event *ev)
{
	struct sim_heap_key k = { time_ps, seq };
	size_t i;

	if (h->n == h->cap && sim_heapq_grow(h))
		return -ENOMEM;
	i = h->n++;
	while (i) {
		size_t parent = (i - 1) >> 2;

		if (!sim_key_before(&k, &h->key[parent]))
			break;
		h->key[i] = h->key[parent];
		h->ev[i] = h->ev[parent];
		i = parent;
	}
	h->key[i] = k;
	h->ev[i] = ev;
	return 0;
}

/* Removes the least entry into *OUT; the heap is not empty. */
static inline void sim_heapq_take(struct sim_heapq *h, struct sim_heap_ent *out)
{
	struct sim_heap_key last, bk;
	struct sim_event *last_ev;
	size_t i = 0, n;

	out->time_ps = h->key[0].time_ps;
	out->seq = h->key[0].seq;
	out->ev = h->ev[0];
	n = --h->n;
	if (!n)
		return;
	last = h->key[n];
	last_ev = h->ev[n];
	for (;;) {
		size_t c = 4 * i + 1, best, k, end;

		if (c >= n)
			break;
		/* the smallest child, its key kept in registers (bk), the first of equals */
		best = c;
		bk = h->key[c];
		end = c + 4 < n ? c + 4 : n;
		for (k = c + 1; k < end; k++) {
			struct sim_heap_key kk = h->key[k];

			if (sim_key_before(&kk, &bk)) {
				bk = kk;
				best = k;
			}
		}
		if (!sim_key_before(&bk, &last))
			break;
		h->key[i] = bk;
		h->ev[i] = h->ev[best];
		i = best;
	}
	h->key[i] = last;
	h->ev[i] = last_ev;
}

/* Removes the least entry into *OUT: 0, or -ENOENT when empty. */
static inline int sim_heapq_pop(struct sim_heapq *h, struct sim_heap_ent *out)
{
	if (!h->n)
		return -ENOENT;
	sim_heapq_take(h, out);
	return 0;
}

#endif
