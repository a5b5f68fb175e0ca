/*
 * Storage of the event heap; the hot push/pop paths are inline in event.h.
 */
#include <errno.h>
#include <stdlib.h>
#include "sim/engine/event.h"

int sim_evq_init(struct sim_evq *q, size_t cap_hint)
{
	q->cap = cap_hint ? cap_hint : 1024;
	q->n = 0;
	q->next_seq = 0;
	q->now_ps = 0;
	q->peak = 0;
	q->key = aligned_alloc(64, q->cap * sizeof(*q->key));
	q->ev = malloc(q->cap * sizeof(*q->ev));
	if (q->key && q->ev)
		return 0;
	sim_evq_free(q);
	return -ENOMEM;
}

void sim_evq_free(struct sim_evq *q)
{
	free(q->key);
	free(q->ev);
	q->key = NULL;
	q->ev = NULL;
	q->n = q->cap = 0;
}

int sim_evq_grow(struct sim_evq *q)
{
	size_t cap = q->cap * 2;
	struct sim_heap_key *key = aligned_alloc(64, cap * sizeof(*key));
	struct sim_event **ev = realloc(q->ev, cap * sizeof(*ev));

	if (ev)
		q->ev = ev;
	if (!key || !ev) {
		free(key);
		return -ENOMEM;
	}
	for (size_t i = 0; i < q->n; i++)
		key[i] = q->key[i];
	free(q->key);
	q->key = key;
	q->cap = cap;
	return 0;
}
