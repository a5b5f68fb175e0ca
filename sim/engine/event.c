/*
 * The calendar queue's slow paths (event.h): set-up, chunks for the
 * buckets, and moving on to the next non-empty slot; push and pop are
 * inline there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sim/engine/event.h"

#define SIM_EVQ_MASK (SIM_EVQ_SLOTS - 1)
/* Chunks carved from one allocation (64 KiB). */
#define SIM_EVQ_SLAB_CHUNKS 256
/* Largest bucket sorted by insertion; beyond, a counting sort. */
#define SIM_EVQ_INSERTION_MAX 16

int sim_evq_init(struct sim_evq *q, size_t cap_hint)
{
	memset(q, 0, sizeof(*q));
	q->b = calloc(SIM_EVQ_SLOTS, sizeof(*q->b));
	q->bits = calloc(SIM_EVQ_WORDS, sizeof(*q->bits));
	if (!q->b || !q->bits || sim_heapq_init(&q->cur, 0) || sim_heapq_init(&q->far, cap_hint / 16 + 64)) {
		sim_evq_free(q);
		return -ENOMEM;
	}
	return 0;
}

void sim_evq_free(struct sim_evq *q)
{
	for (size_t i = 0; i < q->nslabs; i++)
		free(q->slabs[i]);
	free(q->slabs);
	free(q->b);
	free(q->bits);
	free(q->run);
	sim_heapq_free(&q->cur);
	sim_heapq_free(&q->far);
	q->run = NULL;
	q->run_i = q->run_n = q->run_cap = 0;
	q->slabs = NULL;
	q->nslabs = q->slabs_cap = 0;
	q->free_chunks = NULL;
	q->b = NULL;
	q->bits = NULL;
	q->n = q->nwheel = 0;
}

static void sim_evq_mark(struct sim_evq *q, size_t i)
{
	if (!q->bits[i / 64])
		q->summary[i / 4096] |= 1ULL << (i / 64 % 64);
	q->bits[i / 64] |= 1ULL << (i % 64);
}

static void sim_evq_unmark(struct sim_evq *q, size_t i)
{
	q->bits[i / 64] &= ~(1ULL << (i % 64));
	if (!q->bits[i / 64])
		q->summary[i / 4096] &= ~(1ULL << (i / 64 % 64));
}

/* Refills the free list with a new slab of chunks: 0, or -ENOMEM. */
static int sim_evq_new_slab(struct sim_evq *q)
{
	struct sim_evq_chunk *slab;

	if (q->nslabs == q->slabs_cap) {
		size_t cap = q->slabs_cap ? 2 * q->slabs_cap : 16;
		void **s = realloc(q->slabs, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		q->slabs = s;
		q->slabs_cap = cap;
	}
	slab = aligned_alloc(64, SIM_EVQ_SLAB_CHUNKS * sizeof(*slab));
	if (!slab)
		return -ENOMEM;
	q->slabs[q->nslabs++] = slab;
	for (size_t i = 0; i < SIM_EVQ_SLAB_CHUNKS; i++) {
		slab[i].next = q->free_chunks;
		q->free_chunks = &slab[i];
	}
	return 0;
}

int sim_evq_bucket_add(struct sim_evq *q, struct sim_evq_bucket *b, uint64_t time_ps, uint64_t seq,
		       struct sim_event *ev)
{
	struct sim_evq_chunk *c = b->tail;

	if (!c || c->n == SIM_EVQ_CHUNK) {
		if (!q->free_chunks && sim_evq_new_slab(q))
			return -ENOMEM;
		c = q->free_chunks;
		q->free_chunks = c->next;
		c->next = NULL;
		c->n = 0;
		if (b->tail)
			b->tail->next = c;
		else
			b->head = c;
		b->tail = c;
	}
	c->e[c->n++] = (struct sim_heap_ent){ time_ps, seq, ev };
	if (!b->n++)
		sim_evq_mark(q, (size_t)(b - q->b));
	q->nwheel++;
	return 0;
}

/* The first non-empty bucket at index P or after, or SIM_EVQ_SLOTS when none. */
static size_t sim_evq_find_from(const struct sim_evq *q, size_t p)
{
	size_t w = p / 64, sw;
	uint64_t bits = q->bits[w] & (~0ULL << (p % 64)), s;

	if (bits)
		return w * 64 + (size_t)__builtin_ctzll(bits);
	if (++w == SIM_EVQ_WORDS)
		return SIM_EVQ_SLOTS;
	sw = w / 64;
	s = q->summary[sw] & (~0ULL << (w % 64));
	while (!s) {
		if (++sw == SIM_EVQ_SUMMARY)
			return SIM_EVQ_SLOTS;
		s = q->summary[sw];
	}
	w = sw * 64 + (size_t)__builtin_ctzll(s);
	return w * 64 + (size_t)__builtin_ctzll(q->bits[w]);
}

/* The slot of the earliest event in the buckets (there is one). */
static uint64_t sim_evq_next_bucket_slot(const struct sim_evq *q)
{
	size_t p = (q->cur_slot + 1) & SIM_EVQ_MASK, i = sim_evq_find_from(q, p);

	if (i == SIM_EVQ_SLOTS)
		i = sim_evq_find_from(q, 0);
	return q->cur_slot + 1 + ((i - p) & SIM_EVQ_MASK);
}

/*
 * The window now ends at cur_slot + SIM_EVQ_SLOTS: far's events of the
 * slots it covers move into their buckets (in far's order; the drain
 * sorts anyway). On -ENOMEM the rest stays in far, which is still
 * consistent: far's events precede no bucket's but their own slot's, and
 * every advance pulls far before it drains a bucket.
 */
static int sim_evq_pull_far(struct sim_evq *q)
{
	uint64_t end = q->cur_slot + SIM_EVQ_SLOTS;
	struct sim_heap_ent h;

	while (q->far.n && (q->far.key[0].time_ps >> SIM_EVQ_SLOT_SHIFT) < end) {
		struct sim_evq_bucket *b = &q->b[(q->far.key[0].time_ps >> SIM_EVQ_SLOT_SHIFT) & SIM_EVQ_MASK];

		if (!q->free_chunks && sim_evq_new_slab(q))
			return -ENOMEM;
		sim_heapq_take(&q->far, &h);
		sim_evq_bucket_add(q, b, h.time_ps, h.seq, h.ev);
	}
	return 0;
}

/* Room in run for N entries: 0, or -ENOMEM. */
static int sim_evq_run_reserve(struct sim_evq *q, size_t n)
{
	size_t cap = q->run_cap ? q->run_cap : 256;
	struct sim_heap_ent *run;

	if (n <= q->run_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	run = realloc(q->run, cap * sizeof(*run));
	if (!run)
		return -ENOMEM;
	q->run = run;
	q->run_cap = cap;
	return 0;
}

static int sim_evq_ent_before(const struct sim_heap_ent *a, const struct sim_heap_ent *b)
{
	return a->time_ps < b->time_ps || (a->time_ps == b->time_ps && a->seq < b->seq);
}

static void sim_evq_insertion_sort(struct sim_heap_ent *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sim_heap_ent x = r[i];
		size_t j = i;

		while (j && sim_evq_ent_before(&x, &r[j - 1])) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

/* Chunks of bucket B back to the free list; the bucket is empty. */
static void sim_evq_bucket_clear(struct sim_evq *q, struct sim_evq_bucket *b)
{
	b->tail->next = q->free_chunks;
	q->free_chunks = b->head;
	q->nwheel -= b->n;
	b->head = b->tail = NULL;
	b->n = 0;
	sim_evq_unmark(q, (size_t)(b - q->b));
}

/*
 * Sorts a tie R[0, K) (events of one time) by seq, by insertion: it costs
 * the tie's inversions, and ties are short. (A merge of the tie's sorted
 * stretches, or a radix sort on the key's node bits, measured slower on
 * the ties fabric runs make: their comparisons or counts serialize as much
 * as the insertion's few moves.)
 */
static void sim_evq_sort_tie(struct sim_heap_ent *r, size_t k)
{
	for (size_t i = 1; i < k; i++) {
		struct sim_heap_ent x;
		size_t j = i;

		if (r[i].seq >= r[i - 1].seq)
			continue;
		x = r[i];
		do {
			r[j] = r[j - 1];
			j--;
		} while (j && x.seq < r[j - 1].seq);
		r[j] = x;
	}
}

/*
 * Moves bucket B's events into run (which has room), sorted. Within a
 * slot times differ only in their low SIM_EVQ_SLOT_SHIFT bits: a counting
 * sort on those bits orders the bucket by time, and each time that
 * several events share (a tie) is then sorted by seq on its own. Ties
 * are the rule, not the exception: identical links and flows started
 * together put whole stretches of nodes at one instant, and the fabric's
 * keys (the scheduling node, then its count: sim_evq_push_seq) order them
 * otherwise than they were pushed. The prefix pass of the counting sort
 * lists the ties without a branch, so the drain visits only them. Small
 * buckets take an insertion sort on (time, seq) instead.
 */
static void sim_evq_drain(struct sim_evq *q, struct sim_evq_bucket *b)
{
	struct sim_heap_ent *r = q->run;
	size_t n = 0;

	if (b->n <= SIM_EVQ_INSERTION_MAX) {
		for (struct sim_evq_chunk *c = b->head; c; c = c->next) {
			memcpy(&r[n], c->e, c->n * sizeof(c->e[0]));
			n += c->n;
		}
		sim_evq_insertion_sort(r, n);
	} else {
		uint32_t *count = q->count;
		uint16_t *ties = q->ties;
		const uint64_t low = (1ULL << SIM_EVQ_SLOT_SHIFT) - 1;
		size_t sum = 0, nties = 0;

		memset(count, 0, sizeof(q->count));
		for (struct sim_evq_chunk *c = b->head; c; c = c->next)
			for (uint32_t i = 0; i < c->n; i++)
				count[c->e[i].time_ps & low]++;
		for (size_t t = 0; t <= low; t++) {
			size_t k = count[t];

			count[t] = (uint32_t)sum;
			sum += k;
			ties[nties] = (uint16_t)t;
			nties += k > 1;
		}
		for (struct sim_evq_chunk *c = b->head; c; c = c->next)
			for (uint32_t i = 0; i < c->n; i++)
				r[count[c->e[i].time_ps & low]++] = c->e[i];
		/* count[t] is now the end of time t's events, and the start of t + 1's */
		for (size_t i = 0; i < nties; i++) {
			size_t t = ties[i], start = t ? count[t - 1] : 0;

			sim_evq_sort_tie(&r[start], count[t] - start);
		}
		n = b->n;
	}
	q->run_i = 0;
	q->run_n = n;
	sim_evq_bucket_clear(q, b);
	if (n > 1)
		__builtin_prefetch(r[1].ev);
	__builtin_prefetch(r[0].ev);
}

/*
 * run and cur are empty: the next non-empty slot becomes the current one,
 * its bucket sorted into run. The window first moves to just before that
 * slot (nothing lies between), a valid state of its own, so that every
 * failure leaves a queue that still pops in order when retried.
 */
int sim_evq_advance(struct sim_evq *q)
{
	struct sim_evq_bucket *b;
	uint64_t slot;
	int rc;

	if (!q->n)
		return -ENOENT;
	if (q->nwheel)
		slot = sim_evq_next_bucket_slot(q);
	else
		slot = q->far.key[0].time_ps >> SIM_EVQ_SLOT_SHIFT;
	/* slot > cur_slot, so the window never moves back */
	q->cur_slot = slot - 1;
	rc = sim_evq_pull_far(q);
	if (rc)
		return rc;
	b = &q->b[slot & SIM_EVQ_MASK];
	rc = sim_evq_run_reserve(q, b->n);
	if (rc)
		return rc;
	q->cur_slot = slot;
	sim_evq_drain(q, b);
	/* the window's new last slot shares the bucket of slot - 1, now empty */
	return sim_evq_pull_far(q);
}

void sim_evq_for_each(const struct sim_evq *q, void (*fn)(const struct sim_event *ev, void *arg), void *arg)
{
	for (size_t i = q->run_i; i < q->run_n; i++)
		fn(q->run[i].ev, arg);
	for (size_t i = 0; i < q->cur.n; i++)
		fn(q->cur.ev[i], arg);
	for (size_t i = 0; i < q->far.n; i++)
		fn(q->far.ev[i], arg);
	for (size_t i = 0; q->nwheel && i < SIM_EVQ_SLOTS; i++)
		for (const struct sim_evq_chunk *c = q->b[i].head; c; c = c->next)
			for (uint32_t j = 0; j < c->n; j++)
				fn(c->e[j].ev, arg);
}

struct sim_evq_type_count {
	uint8_t type;
	size_t n;
};

static void sim_evq_count_one(const struct sim_event *ev, void *arg)
{
	struct sim_evq_type_count *c = arg;

	c->n += ev->type == c->type;
}

size_t sim_evq_count_type(const struct sim_evq *q, uint8_t type)
{
	struct sim_evq_type_count c = { type, 0 };

	sim_evq_for_each(q, sim_evq_count_one, &c);
	return c.n;
}
