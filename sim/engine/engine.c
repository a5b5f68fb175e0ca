/*
 * Setting up and tearing down the run loop (engine.h); the loop itself is
 * inline there.
 */
#include "sim/engine/engine.h"

int sim_engine_init(struct sim_engine *e, void *ctx, size_t cap_hint)
{
	e->ctx = ctx;
	e->events = 0;
	e->watch_next_ps = 0;
	e->probe_next_ps = UINT64_MAX;
	e->stop = false;
	return sim_evq_init(&e->q, cap_hint);
}

void sim_engine_free(struct sim_engine *e)
{
	sim_evq_free(&e->q);
}
