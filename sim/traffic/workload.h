/*
 * Traffic patterns that turn into flows: permutation, all-to-all, incast
 * and user flow lists. Host choices draw from their own generator, seeded
 * from the run's seed, so a workload is identical across --lb choices.
 */
#ifndef SIM_WORKLOAD_H
#define SIM_WORKLOAD_H

#include <stddef.h>
#include "sim/fabric/sim.h"

/*
 * Limits of workload inputs, with their reasons:
 * - a flow or collective size: 1 B to 1 TiB (the largest transfers an AI
 *   job makes are GiBs; 1 TiB at 800 Gb/s is 11 s of simulated time);
 * - a start time (and --stop): up to 100 s of simulated time, days of
 *   wall-clock time at the simulator's speed;
 * - flows: SIM_MAX_FLOWS (sim.h), and the memory guard refuses earlier
 *   what would not fit;
 * - a line of a flow or jobs file: 1 KiB of text before any '#' comment.
 */
#define SIM_MAX_FLOW_BYTES (1ULL << 40)
#define SIM_MAX_TIME_PS 100000000000000ULL
#define SIM_MAX_LINE 1024

enum sim_workload {
	SIM_WL_PERMUTATION = 0,
	SIM_WL_ALLTOALL,
	SIM_WL_INCAST,
	SIM_WL_FLOWS,
};

/*
 * Where an incast's senders sit, relative to the destination's leaf (the
 * switch its first NIC port links to):
 * - NEXT: the hosts after the destination by index, wrapping (the default,
 *   as before the option: on most fabrics the destination's own leaf);
 * - LOCAL: hosts on the destination's leaf, in index order after it;
 * - REMOTE: hosts on other leaves, round-robin over the leaves (each
 *   leaf's first host, then each one's second, ...), so the traffic
 *   crosses the fabric and spreads over its leaves;
 * - RANDOM: drawn without replacement with the workload's seed.
 */
enum sim_incast_from {
	SIM_INCAST_NEXT = 0,
	SIM_INCAST_LOCAL,
	SIM_INCAST_REMOTE,
	SIM_INCAST_RANDOM,
};

struct sim_workload_params {
	enum sim_workload kind;
	uint64_t bytes;		/* per flow (all-to-all: per host pair) */
	uint32_t incast_senders;
	uint32_t incast_dst;	/* host index */
	enum sim_incast_from incast_from;
	/* --hosts: the hosts permutation, all-to-all and incast use, host
	 * indices and inclusive ranges A-B separated by commas ("0-15,32");
	 * NULL: every host. A flow list refuses it. */
	const char *hosts_spec;
	const char *flows_path;
	uint64_t seed;
};

int sim_workload_from_name(const char *name, enum sim_workload *wl);
/* "next", "local", "remote" or "random": 0, or -1 for another name. */
int sim_incast_from_name(const char *name, enum sim_incast_from *from);
/*
 * Adds the workload's flows. Refuses, before allocating, flows that would
 * not fit in the memory available. 0, or a negative errno with why in ERR
 * (may be NULL): -EBADMSG for a line of the flow list, the message then
 * starts with FILE:LINE (or FILE:) and says what was found and what was
 * expected; other messages are about the run as a whole.
 */
int sim_workload_add(struct sim *s, const struct sim_workload_params *w, char *err, size_t errlen);
/*
 * Background traffic beside collective jobs: the hosts USED does not mark
 * (nhosts bytes) send BYTES each in a random permutation among themselves.
 * 0, -ENOSPC when fewer than two hosts are free, or another negative errno,
 * with why in ERR.
 */
int sim_workload_background(struct sim *s, const uint8_t *used, uint64_t bytes, uint64_t seed, char *err,
			    size_t errlen);
/*
 * A line of a flow or jobs file split at blanks into TOK (MAX entries):
 * the number of fields, 0 for a blank line, or -1 with "expected 'FORM',
 * found N fields" in ERR when it has fewer than MIN or more than MAX.
 */
int sim_line_fields(char *line, char **tok, int min, int max, const char *form, char *err, size_t errlen);

#endif
