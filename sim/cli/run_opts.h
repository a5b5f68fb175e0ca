/*
 * `fabsim run`: its options (parsed by cmd_run.c from the tables there),
 * and what the flow workloads (cmd_run.c) and the collective workloads
 * (run_coll.c) share for their output (run_out.c). cmd_run.c calls
 * run_coll.c and run_out.c, run_coll.c calls run_out.c: no cycle.
 */
#ifndef SIM_RUN_OPTS_H
#define SIM_RUN_OPTS_H

#include <stdbool.h>
#include <stdio.h>
#include "collectives/sched.h"
#include "sim/cli/fail_opts.h"
#include "sim/cli/opt.h"
#include "sim/traffic/coll_sim.h"
#include "sim/fabric/sim.h"
#include "sim/topo/partition.h"
#include "sim/traffic/workload.h"

#define SIM_MAX_SIZES 64

/* "s" after a count of N things but one ("1 GPU", "8 GPUs") */
#define RUN_PLURAL(N) ((N) == 1 ? "" : "s")

struct run_opts {
	const char *topo_path;
	const char *out_dir;
	bool json;			/* summary JSON on stdout instead of the table */
	bool quiet;
	bool progress;			/* --progress: the progress line even off a terminal */
	const char *workload_arg;	/* -w as given; NULL: the default (permutation, or -f's flows) */
	/* the options given, each once: those that do not apply to the workload are refused */
	const struct sim_opt *given[SIM_OPT_MAX];
	uint32_t ngiven;
	struct sim_config cfg;
	struct sim_workload_params wl;
	/* collectives */
	bool collective;		/* --workload is a collective, or --jobs */
	enum coll_kind kind;
	int algo;			/* enum coll_algo, or -1: the kind's default */
	uint32_t ranks;			/* 0: every host */
	enum sim_placement placement;
	uint32_t nchannels;		/* 0: 1; SIM_COLL_CHANNELS_NCCL: NCCL's count */
	uint64_t chunk_bytes;
	uint32_t gpus_per_server;	/* 0: the topology's */
	bool pxn_off;			/* --pxn off (NCCL_PXN_DISABLE=1) */
	uint32_t elem_bytes;
	uint64_t nvlink_bps;
	uint64_t nvlink_lat_ps;
	const char *jobs_path;
	uint64_t background_bytes;	/* per host, permutation among free hosts */
	uint64_t sizes[SIM_MAX_SIZES];	/* --size sweep */
	uint32_t nsizes;
	const char *size_arg;		/* --size as given */
	const char *trace_spec;		/* --trace-port */
	bool timeline;			/* --timeline: timeline.csv from the default trace */
	const char *bench_json;		/* --bench-json: results in fabbench's format */
	const char *dtype_name;
	uint64_t trace_interval_ps;
	/* --seeds: each configuration once per seed; n == 0: the one cfg.seed */
	struct sim_opt_seeds seeds;
	/* a run split over processes (mpirun): --partition, and the partition made of it */
	enum sim_part_mode part_mode;
	struct sim_partition *part;	/* NULL: one process */
	bool part_out;			/* part 0 writes results: every part keeps what they read */
	/* failures (sim/topo/fail.h): --fail, --fail-at, --restore-at as given, and --fail-seed */
	struct sim_fail_reqs fail_reqs;
	uint64_t fail_seed;
	/*
	 * The timed changes (at_ps > 0), sorted, its seed fail_seed, for the
	 * fabric to schedule; those of --fail are already applied to the
	 * topology (sim_fail_reqs_build, once it is loaded).
	 */
	struct sim_fail_plan fail_plan;
};

/*
 * The default trace: at most this many samples per switch egress port (a
 * power of two; when full, every other one goes and the interval doubles),
 * fewer on fabrics where that would take more than RUN_TRACE_BUDGET.
 * 512 samples keep the shape of a queue over a run of any length (the
 * report's plot draws up to 3,000 points); 64 MiB is 1.7 M samples of 40
 * bytes: 512 for each of railopt-8gpu's 2,048 switch egress ports.
 */
#define RUN_TRACE_SAMPLES 512
#define RUN_TRACE_BUDGET (64ULL << 20)

/* run_coll.c: runs a collective workload (one or more jobs, a size sweep). Exit status. */
int sim_run_collective(struct run_opts *o, struct sim_topo *t, const char *cmdline);

/* run_out.c */
/* "fabsim ARGV...", for summary.json; NULL out of memory. */
char *sim_cmdline(int argc, char **argv);
/*
 * Removes what an earlier run or prediction left in the results folder DIR
 * (summary.json, flows.csv, links.csv, trace.csv, collective.csv,
 * prediction.csv, the same under largest/, then largest/ if empty) and the
 * file BENCH_JSON, before a run writes its own: a folder never mixes two
 * runs. Other files are the user's and stay. DIR or BENCH_JSON may be NULL.
 */
int sim_results_clean(const char *dir, const char *bench_json);
/*
 * Before a run: a part of a split run joins the others (o->part), then
 * the traces start when TRACED. With --trace-port: opens OUT/trace.csv
 * and samples that port (*TRACE, closed by the caller). Without: the
 * default trace of every switch egress port when there is an OUT folder
 * (sim_trace_all), which sim_run_trace_write writes after the run. Every
 * part of a split run samples what part 0 writes. 0, or -1 after a message.
 */
int sim_run_setup(struct sim *s, const struct run_opts *o, bool traced, FILE **trace);
/* The run, in one process or as a part of a split one: sim_run's or sim_dist_run's result. */
int sim_run_go(struct sim *s, const struct run_opts *o);
struct sim_results;
/* A split run's figures (processes, partition, windows...) into R; nothing in one process. */
void sim_run_parallel(const struct sim *s, const struct run_opts *o, struct sim_results *r);
/* Part 0 of a split run, or one process: the part that reports and writes. */
bool sim_run_reports(const struct run_opts *o);
/*
 * The default trace's trace.csv in DIR: the samples of the port
 * sim_trace_pick chose (summary.json names it: trace_port,
 * trace_interval_ps); SAY: a line on stdout. Nothing for a --trace-port run
 * or without samples. 0, or -1 after a message.
 */
int sim_run_trace_write(const struct sim *s, const char *dir, bool say);
/* --timeline: DIR/timeline.csv from the default trace; SAY: a line on stdout. 0, or -1 after a message. */
int sim_run_timeline_write(const struct sim *s, const char *dir, bool say);
/*
 * Installs the progress line on stderr into CFG: when stderr is a terminal
 * (redrawn in place), or with FORCE (--progress) one line per update.
 */
void sim_run_progress_setup(struct sim_config *cfg, bool force);

#endif
