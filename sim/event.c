/*
 * Storage of the event heap; the hot push/pop paths are inline in event.h.
 */
#include <stdlib.h>
#include "sim/event.h"

int sim_evq_init(struct sim_evq *q, size_t cap_hint)
{
	q->cap = cap_hint ? cap_hint : 1024;
	q->n = 0;
	q->next_seq = 0;
	q->now_ps = 0;
	q->peak = 0;
	q->h = malloc(q->cap * sizeof(*q->h));
	return q->h ? 0 : -1;
}

void sim_evq_free(struct sim_evq *q)
{
	free(q->h);
	q->h = NULL;
	q->n = q->cap = 0;
}

int sim_evq_grow(struct sim_evq *q)
{
	size_t cap = q->cap * 2;
	struct sim_heap_ent *h = realloc(q->h, cap * sizeof(*h));

	if (!h)
		return -1;
	q->h = h;
	q->cap = cap;
	return 0;
}
