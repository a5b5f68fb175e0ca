/*
 * Private to `fabsim report` (sim/cli/cmd_report.c and sim/report/): what
 * report_load.c reads from a results folder, and the bookkeeping the plot
 * families (plot_*.c through the gnuplot kit, gnuplot.h) and report_md.c
 * share (plots made, files written). Functions return 0 or a negative errno;
 * those that take the report leave the reason in r->err, for the caller to
 * print after "fabsim report: ".
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define SIM_REP_NAME 128
#define SIM_REP_ERR 4608		/* a path of PATH_MAX and the reason */

enum sim_rep_kind {
	SIM_REP_FLOWS,		/* fabsim run with a flow workload */
	SIM_REP_COLL,		/* fabsim run -w <collective>: collective.csv */
	SIM_REP_PRED,		/* fabsim predict: prediction.csv */
};

/* One row of collective.csv (one job at one message size). */
struct sim_rep_coll {
	char job[SIM_REP_NAME];
	char collective[32];
	char algorithm[32];
	unsigned int ranks;
	double size_bytes;
	double time_us;
	double busbw_gbyte_s;	/* GB/s as nccl-tests: the CSV's busbw_gbps */
	double eff;		/* busbw / NIC line rate, fraction */
	double nic_busy;	/* fraction */
	double line_gbps;	/* NIC line rate, Gb/s (bits) */
};

/* One row of prediction.csv. */
struct sim_rep_pred {
	char collective[32];
	char algorithm[32];
	unsigned int nranks;
	double size_bytes;
	double meas_time_us;
	double meas_busbw_gbyte_s;	/* GB/s, CSV measured_busbw_gbps */
	double pred_time_us;
	double pred_busbw_gbyte_s;	/* GB/s, CSV predicted_busbw_gbps */
	double line_gbps;
	double rel_error;	/* predicted / measured time - 1 */
};

/* One row of links.csv: one direction of one link. */
struct sim_rep_link {
	char from[64];
	char to[64];
	int from_tier;		/* 0 host, 1 leaf, 2 spine/agg, 3 core */
	int to_tier;
	double util;		/* fraction of the port's line rate */
	double max_queue_bytes;
	double drops;
	double ecn_marks;
	double pauses_sent;
	double pauses_rcvd;
	double paused_us;
};

/* One row of trace.csv; counters are cumulative since t = 0. */
struct sim_rep_sample {
	double time_us;
	double queue_bytes;	/* data queue */
	double paused;		/* 0 or 1 */
	double pauses_rcvd;
	double pauses_sent;
	double ecn_marks;
	double drops;
};

/* One results folder ("configuration"). */
struct sim_rep_config {
	char name[SIM_REP_NAME];	/* folder name, shown in legends */
	char stem[SIM_REP_NAME];	/* name made safe for file names */
	char *dir;			/* as found: DIR or DIR/sub */
	enum sim_rep_kind kind;
	json_t *summary;		/* summary.json; NULL if absent */
	json_t *largest;		/* largest/summary.json of a collective */
	struct sim_rep_coll *coll;
	size_t ncoll;
	struct sim_rep_pred *pred;
	size_t npred;
	double *fct_us;			/* finished flows, ascending */
	size_t nfct;
	size_t nflows;			/* finished or not */
	struct sim_rep_link *links;
	size_t nlinks;
	struct sim_rep_sample *trace;
	size_t ntrace;
	char trace_port[SIM_REP_NAME];	/* FROM:TO of trace.csv, "" unknown */
};

/* A plot written as <stem>.gp, <stem>.png and <stem>.svg. */
struct sim_rep_plot {
	char stem[SIM_REP_NAME + 32];
	const char *section;		/* report.md heading: its family's */
	char *caption;			/* what it shows, one or two sentences */
};

struct sim_report {
	const char *out_dir;
	const char *port;		/* --port FROM:TO or NULL */
	struct sim_rep_config *cfg;
	size_t ncfg;
	struct sim_rep_plot *plots;
	size_t nplots;
	char **files;			/* written, in order, for stdout */
	size_t nfiles;
	char err[SIM_REP_ERR];		/* why the last call failed */
	FILE *warn;			/* where a plot that is left out says why; NULL: nowhere */
};

/* sim/report/report_load.c */
int sim_rep_is_results(const char *dir);
/* 0, or a negative errno with the whole message ("PATH:LINE: ...") in ERR */
int sim_rep_load(struct sim_rep_config *c, const char *dir, char *err, size_t errlen);
void sim_rep_config_free(struct sim_rep_config *c);
double sim_rep_num(const json_t *obj, const char *key);
int sim_rep_join(char *buf, size_t len, const char *dir, const char *name);
/* Room for entry N of the array *ARR, doubling *CAP: 0, or -ENOMEM with the message in ERR. */
int sim_rep_grow(void *arr, size_t *cap, size_t n, size_t elem, char *err, size_t errlen);

/* sim/report/report_plot.c: every plot family, in the order report.md shows them */
int sim_rep_plots(struct sim_report *r);

/* sim/report/report_md.c */
int sim_rep_write_md(struct sim_report *r);

/* sim/report/report.c: what the plots and report.md share */
int sim_rep_add_file(struct sim_report *r, const char *name);
int sim_rep_fail(struct sim_report *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sim_rep_cat(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sim_rep_size_label(double bytes, char *buf, size_t len);
const char *sim_rep_port(const struct sim_report *r, const struct sim_rep_config *c);

#endif
