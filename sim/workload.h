/*
 * Traffic patterns that turn into flows: permutation, all-to-all, incast
 * and user flow lists. Host choices draw from their own generator, seeded
 * from the run's seed, so a workload is identical across --lb choices.
 */
#ifndef SIM_WORKLOAD_H
#define SIM_WORKLOAD_H

#include "sim/sim.h"

enum sim_workload {
	SIM_WL_PERMUTATION = 0,
	SIM_WL_ALLTOALL,
	SIM_WL_INCAST,
	SIM_WL_FLOWS,
};

struct sim_workload_params {
	enum sim_workload kind;
	uint64_t bytes;		/* per flow (all-to-all: per host pair) */
	uint32_t incast_senders;
	uint32_t incast_dst;	/* host index */
	const char *flows_path;
	uint64_t seed;
};

int sim_workload_from_name(const char *name, enum sim_workload *wl);
const char *sim_workload_name(enum sim_workload wl);
/* Adds the workload's flows; on error prints why (file:line for flow lists). */
int sim_workload_add(struct sim *s, const struct sim_workload_params *w);

#endif
