/*
 * Storage of the 4-ary heap; its push and pop are inline in heap.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sim/engine/heap.h"

int sim_heapq_init(struct sim_heapq *h, size_t cap_hint)
{
	/* a multiple of 4: aligned_alloc takes whole 64-byte lines of keys */
	h->cap = cap_hint ? (cap_hint + 3) & ~(size_t)3 : 1024;
	h->n = 0;
	h->key = aligned_alloc(64, h->cap * sizeof(*h->key));
	h->ev = malloc(h->cap * sizeof(*h->ev));
	if (h->key && h->ev)
		return 0;
	sim_heapq_free(h);
	return -ENOMEM;
}

void sim_heapq_free(struct sim_heapq *h)
{
	free(h->key);
	free(h->ev);
	h->key = NULL;
	h->ev = NULL;
	h->n = h->cap = 0;
}

int sim_heapq_grow(struct sim_heapq *h)
{
	size_t cap = h->cap * 2;
	struct sim_heap_key *key = aligned_alloc(64, cap * sizeof(*key));
	struct sim_event **ev = realloc(h->ev, cap * sizeof(*ev));

	if (ev)
		h->ev = ev;
	if (!key || !ev) {
		free(key);
		return -ENOMEM;
	}
	if (h->n)
		memcpy(key, h->key, h->n * sizeof(*key));
	free(h->key);
	h->key = key;
	h->cap = cap;
	return 0;
}
