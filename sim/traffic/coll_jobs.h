/*
 * Jobs files (`fabsim run --jobs FILE`): several collectives at once, one
 * a line, "NAME KIND ALGO RANKS PLACEMENT [SIZE] [START]", '#' comments.
 * Reading checks every field and that each job's algorithm fits its kind,
 * ranks and servers; placing the jobs and sizing them against a sweep is
 * the caller's (sim_coll_place, sim_coll_job_size_check).
 */
#ifndef SIM_COLL_JOBS_H
#define SIM_COLL_JOBS_H

#include <stdio.h>
#include "sim/traffic/coll_sim.h"

#define SIM_MAX_JOBS 64

struct sim_coll_jobs {
	struct sim_coll_job job[SIM_MAX_JOBS];
	uint64_t fixed_bytes[SIM_MAX_JOBS];	/* the line's SIZE; 0: follow the sweep */
	unsigned long line[SIM_MAX_JOBS];	/* its line in the jobs file; 0: the command line's */
	uint32_t n;
};

/*
 * Reads the jobs of F (named PATH in messages) into JS, each starting from
 * DEFAULTS (the command line's options); RANKS are checked against T's
 * hosts. 0, or -EBADMSG with "PATH:LINE: what was found, what was
 * expected" (or "PATH: ..." for a file without jobs) in ERR.
 */
int sim_coll_jobs_read(struct sim_coll_jobs *js, FILE *f, const char *path, const struct sim_coll_job *defaults,
		       const struct sim_topo *t, char *err, size_t errlen);

#endif
