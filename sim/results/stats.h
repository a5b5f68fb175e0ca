/*
 * Metrics of a finished run and their outputs: the human summary, per-flow
 * and per-link CSV, and summary.json, laid out as sim/results/schema.h
 * says.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include "sim/fabric/sim.h"

struct sim_flow_seed_stats;

struct sim_results {
	uint64_t flows, flows_done;
	uint64_t payload_bytes;		/* delivered */
	double effective_throughput;	/* payload / sum(line rate x FCT), fraction */
	double window_throughput;	/* aggregate rate while all flows were active, fraction; <0 n/a */
	/* the same two figures on a perfect fluid load balancer (sim/traffic/bound.h), set by the caller; <0 n/a */
	double ideal_effective, ideal_all_active;
	double fct_p50_us, fct_p99_us, fct_max_us, fct_mean_us;
	double makespan_us;		/* first start to last finish */
	double mean_flow_frac;		/* mean over flows of throughput / line rate */
	double min_flow_frac;
	double max_link_util;		/* busiest fabric (switch-to-switch) link */
	double uplinks_used_frac;	/* leaf uplinks that carried data */
	uint64_t max_queue_bytes;
	uint32_t max_queue_port;	/* where max_queue_bytes was, SIM_NONE: no queue anywhere */
	uint32_t max_reorder;		/* packets */
	double base_rtt_us;
	uint64_t window_bytes;
	double wall_s, events_per_s;
	double events_per_data_pkt;	/* events / distinct data packets placed at receivers; 0: none */
	uint64_t peak_rss_kb;
	bool all_active_first;		/* all-to-all: the human summary leads with all-active */
	/* a run split over processes: how many, the partition mode, its lookahead (0: one process) */
	uint32_t processes;
	const char *partition;
	uint64_t lookahead_ps;
	uint64_t windows, exchanged_frames, exchanged_bytes;	/* over every part */
	double wait_s;			/* the longest any part waited for the others */
	/* --seeds: set by the caller, summary.json then has seeds and seed_stats */
	const uint64_t *seeds;
	uint32_t nseeds;
	const struct sim_flow_seed_stats *seed_stats;
	/*
	 * flows.csv's job column (a collective run with --jobs or
	 * --background): the label of flow ID, a job's name or "background";
	 * NULL: no such column (every other run, so their files keep their bytes).
	 */
	const char *(*flow_job)(const void *ctx, uint64_t id);
	const void *flow_job_ctx;
};

/* Nearest-rank percentiles of N FCTs at V (sorted in place, ascending); all 0 when N is 0. */
struct sim_fct_pcts {
	double p50_us, p99_us, max_us;
};
void sim_fct_percentiles(double *v, uint64_t n, struct sim_fct_pcts *out);

/*
 * A flow run's figures (struct sim_results' of the same names, the same
 * definitions and arithmetic) over flows FIRST .. FIRST + N - 1 alone:
 * background traffic beside collective jobs. The figures of lifetimes are
 * set only when every one of them finished (flows_done == flows). The
 * all-active figure is not among them: its window needs each flow's first
 * byte, which the fabric tracks for the run as a whole only.
 */
struct sim_flow_figs {
	uint64_t flows, flows_done;
	uint64_t bytes;				/* their payload */
	double effective, mean_flow_frac, min_flow_frac;	/* fractions of line rate */
	double fct_p50_us, fct_p99_us, fct_max_us, fct_mean_us;
	double makespan_us;			/* first start to last finish */
};
/* 0, or -ENOMEM (the FCT percentiles need N doubles). */
int sim_results_flow_range(const struct sim *s, uint64_t first, uint64_t n, struct sim_flow_figs *out);

void sim_results_compute(const struct sim *s, struct sim_results *r);
void sim_results_print(const struct sim *s, const struct sim_results *r, FILE *out);
/*
 * Writes flows.csv, links.csv and summary.json into DIR (created if
 * needed), as sim/results/schema.h lays them out. 0, or a negative errno
 * with "cannot write PATH: why" in ERR for the caller to print.
 */
int sim_results_write(const struct sim *s, const struct sim_results *r, const char *dir,
		      const char *argv_line, char *err, size_t errlen);
/* links.csv alone into DIR (created if needed): for a run whose flows were not kept. */
int sim_results_write_links(const struct sim *s, const char *dir, char *err, size_t errlen);
/* "FROM:TO" node names of PORT into BUF; returns BUF. */
const char *sim_results_port_name(const struct sim *s, uint32_t port, char *buf, size_t len);
/*
 * Whether the run has a trace to write (trace.csv): the --trace-port one,
 * or the default one with samples and a port to report (sim_trace_pick);
 * then its PORT and the spacing of its samples.
 */
bool sim_results_trace(const struct sim *s, uint32_t *port, uint64_t *interval_ps);
struct json_t;
/* summary.json's object (caller decref's); used by --json too */
struct json_t *sim_results_json(const struct sim *s, const struct sim_results *r, const char *argv_line);
/*
 * Busbw per NIC of the server: busbw (GB/s) over the NICs a server has
 * times their rate (Gb/s), a fraction. nccl-tests' busbw is per rank, and
 * a hierarchical algorithm carries a server's inter-server traffic through
 * all its NICs, so busbw over one NIC reads above 1 (694% on railopt-demo);
 * over the server's NICs it is at most 1 when every GPU has its NIC, as
 * in fabsim's host model (NICS = GPUs per server). 0 when NICS or LINE is 0.
 */
double sim_busbw_per_nic(double busbw_GBps, uint32_t nics, double line_gbps);

/*
 * Mean, min and max of one figure over the seeds of a --seeds run, in the
 * order the seeds ran (the same inputs give the same sum, bit for bit).
 * Zeroed: no value yet.
 */
struct sim_seed_stat {
	uint32_t n;		/* values added */
	double sum, min, max;
};
void sim_seed_stat_add(struct sim_seed_stat *st, double v);
/* sum / n; 0 with no value */
double sim_seed_stat_mean(const struct sim_seed_stat *st);
/* {"mean": .., "min": .., "max": ..} as schema.h's SIM_SEEDSTAT_KEYS; null with no value */
struct json_t *sim_seed_stat_json(const struct sim_seed_stat *st);

/* A flow run's figures over seeds: summary.json's seed_stats, seeds.csv's columns. */
struct sim_flow_seed_stats {
	uint32_t complete;			/* seeds whose every flow finished */
	struct sim_seed_stat effective;		/* over complete seeds */
	struct sim_seed_stat all_active;	/* over seeds where it exists */
	struct sim_seed_stat mean_flow;		/* over complete seeds */
};

/* Time-averaged data queue of a port over the run, bytes. */
double sim_port_mean_queue(const struct sim *s, uint32_t port);
/* mkdir -p DIR: 0, or a negative errno (errno set too). */
int sim_mkdir_p(const char *dir);
/*
 * DIR/file of SC for writing, DIR created if need be, its header line
 * written; NULL with "cannot create DIR: ..." or "cannot write PATH: ..."
 * in ERR.
 */
struct sim_schema;
FILE *sim_results_csv_create(const char *dir, const struct sim_schema *sc, char *err, size_t errlen);

#endif
