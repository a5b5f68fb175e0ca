/*
 * Metrics of a finished run and their outputs: the human summary, per-flow
 * and per-link CSV, and summary.json, laid out as sim/results/schema.h
 * says.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include "sim/fabric/sim.h"

struct sim_results {
	uint32_t flows, flows_done;
	uint64_t payload_bytes;		/* delivered */
	double effective_throughput;	/* payload / sum(line rate x FCT), fraction */
	double window_throughput;	/* aggregate rate while all flows were active, fraction; <0 n/a */
	double fct_p50_us, fct_p99_us, fct_max_us, fct_mean_us;
	double makespan_us;		/* first start to last finish */
	double mean_flow_frac;		/* mean over flows of throughput / line rate */
	double min_flow_frac;
	double max_link_util;		/* busiest fabric (switch-to-switch) link */
	double uplinks_used_frac;	/* leaf uplinks that carried data */
	uint64_t max_queue_bytes;
	uint32_t max_reorder;		/* packets */
	double base_rtt_us;
	uint64_t window_bytes;
	double wall_s, events_per_s;
	uint64_t peak_rss_kb;
};

void sim_results_compute(const struct sim *s, struct sim_results *r);
void sim_results_print(const struct sim *s, const struct sim_results *r, FILE *out);
/*
 * Writes flows.csv, links.csv and summary.json into DIR (created if
 * needed), as sim/results/schema.h lays them out. 0, or a negative errno
 * with "cannot write PATH: why" in ERR for the caller to print.
 */
int sim_results_write(const struct sim *s, const struct sim_results *r, const char *dir,
		      const char *argv_line, char *err, size_t errlen);
/* summary.json's object (caller decref's); used by --json too */
struct json_t;
struct json_t *sim_results_json(const struct sim *s, const struct sim_results *r, const char *argv_line);
/* Time-averaged data queue of a port over the run, bytes. */
double sim_port_mean_queue(const struct sim *s, uint32_t port);
/* mkdir -p DIR: 0, or a negative errno (errno set too). */
int sim_mkdir_p(const char *dir);

#endif
