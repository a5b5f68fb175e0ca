/*
 * The measurement driver: for each size of the sweep, build the schedule,
 * derive this rank's plan, check the data once, then time -n iterations
 * after -w warm-ups, and gather the per-rank times for the report.
 */
#ifndef VB_BENCH_H
#define VB_BENCH_H

#include "verbs/boot.h"
#include "verbs/exec.h"
#include "verbs/opts.h"
#include "verbs/transport.h"

/* Runs the benchmark; returns an exit code (enum vb_exit), ERR on failure. */
int vb_bench_run(const struct vb_opts *o, struct vb_boot *b, struct vb_tr *tr,
		 const struct vb_link_info *mine, char *err, size_t err_len);

#endif /* VB_BENCH_H */
