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

#include <stdbool.h>
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
	double busbw_gbyte_s;	/* GB/s as nccl-tests: the CSV's busbw_GBps */
	double eff;		/* busbw / NIC line rate, fraction */
	double nic_busy;	/* fraction */
	double line_gbps;	/* NIC line rate, Gb/s (bits) */
	double busbw_per_nic;	/* busbw / (NICs per server x line rate), fraction; NAN: older file */
	double seed;		/* the row's seed; NAN: a file from before --seeds */
};

/* One row of seeds.csv: one seed of a flow run with --seeds; figures are fractions, NAN blank. */
struct sim_rep_seed {
	double seed;
	double eff;		/* effective_throughput: harmonic, FCT-based */
	double all_active;	/* all_active_throughput */
	double mean_flow;	/* mean_flow_throughput */
	double fct_p99_us;
};

/*
 * One row of ladder.csv, the ablation ladder experiments/flagship.sh
 * writes: one workload, size, configuration and seed.
 */
struct sim_rep_rung {
	char workload[32];	/* ring, hier or all-to-all */
	double size_bytes;
	unsigned int order;	/* bar order: 0 is RoCE as deployed */
	char config[64];
	char label[128];	/* as the legend shows it (UTF-8) */
	double seed;
	double busbw_gbyte_s;	/* GB/s, the CSV's busbw_GBps */
	double per_nic;		/* busbw_per_nic, fraction; NAN blank */
	double nic_busy;	/* fraction; NAN blank */
	double time_us;		/* NAN blank */
	char topology[64];	/* "" when the file has no topology column */
	double ranks;		/* NAN blank */
};

/* One row of a fabbench --p2p all --p2p-csv file: one pair of ranks, measured alone. */
struct sim_rep_pair {
	unsigned int src, dst;	/* ranks, src != dst */
	double lat_us;		/* latency_us: typical (median) one-way */
	double bw_GBps;		/* bandwidth_GBps (bandwidth_gbps before issue 16, GB/s too): src -> dst */
	unsigned int line;	/* of the file, for errors */
};

#define SIM_REP_P2P_MAX_RANKS 1024	/* a matrix of more is unreadable, and fabbench takes hours */

/* The p2p matrix of `fabsim report --p2p FILE`: npairs 0 without one. */
struct sim_rep_p2p {
	const char *path;
	struct sim_rep_pair *pair;	/* in file order */
	size_t npairs;
	unsigned int nranks;		/* highest rank + 1: every pair of 0..nranks-1 is in the file */
	char (*host)[64];		/* [nranks]: src_host/dst_host, "" when the file has none */
	const struct sim_rep_pair *slow;	/* lowest bandwidth; ties: the first in the file */
	const struct sim_rep_pair *far;		/* highest latency; ties: the first */
	double median_GBps, median_us;		/* the median pair's, as fabbench's footer (nearest rank) */
};

/* Mean, min and max of one figure over seeds; NAN values are left out. */
struct sim_rep_agg {
	double mean, min, max;	/* NAN when n == 0 */
	double sum;
	size_t n;
};

/* One row of prediction.csv. */
struct sim_rep_pred {
	char collective[32];
	char algorithm[32];
	unsigned int nranks;
	double size_bytes;
	double meas_time_us;
	double meas_busbw_gbyte_s;	/* GB/s, CSV measured_busbw_GBps */
	double pred_time_us;
	double pred_busbw_gbyte_s;	/* GB/s, CSV predicted_busbw_GBps */
	double line_gbps;
	double rel_error;	/* predicted / measured time - 1 */
};

/* One row of links.csv: one direction of one link. */
struct sim_rep_link {
	double port;		/* port index, NAN when the file has no port column */
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
	bool down;		/* link_down: failed at the end of the run */
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
	struct sim_rep_seed *seeds;	/* seeds.csv of a flow run with --seeds */
	size_t nseeds;
	struct sim_rep_link *links;
	size_t nlinks;
	struct sim_rep_sample *trace;
	size_t ntrace;
	char trace_port[SIM_REP_NAME];	/* FROM:TO of trace.csv, "" unknown */
	const struct sim_rep_link *busiest;	/* deepest max_queue_bytes of links; NULL: no links.csv */
	char busy_port[SIM_REP_NAME];	/* its FROM:TO, "" without links.csv */
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
	struct sim_rep_rung *ladder;	/* every ladder.csv found, rows in file order */
	size_t nladder;
	struct sim_rep_p2p p2p;		/* --p2p FILE */
	char err[SIM_REP_ERR];		/* why the last call failed */
	FILE *warn;			/* where a plot that is left out says why; NULL: nowhere */
	FILE *info;			/* where the queue plots say which port they chose; NULL: nowhere */
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

/* 0 when DIR has no ladder.csv, 1 when its rows were added to r->ladder, or a negative errno (r->err) */
int sim_rep_load_ladder(struct sim_report *r, const char *dir);
/* fabbench's --p2p-csv PATH into r->p2p: 0, or a negative errno with "PATH:LINE: ..." in r->err */
int sim_rep_load_p2p(struct sim_report *r, const char *path);
void sim_rep_p2p_free(struct sim_rep_p2p *p);

/*
 * What a run is, as plot titles and legends name it (sim/report/report_ctx.c):
 * each field a short text, "" when the results do not say (older files).
 */
enum sim_rep_ctx_field {
	SIM_REP_CTX_WHAT,	/* "allreduce ring", "permutation" */
	SIM_REP_CTX_TOPO,	/* topology name */
	SIM_REP_CTX_SCALE,	/* "256 ranks", "128 hosts" */
	SIM_REP_CTX_LB,		/* "lb=ecmp" */
	SIM_REP_CTX_CC,		/* "cc=dcqcn" */
	SIM_REP_CTX_RX,		/* "rx=gbn" */
	SIM_REP_CTX_N,
};

#define SIM_REP_CTX_LEN 64
#define SIM_REP_LEGEND (SIM_REP_NAME * 3)

struct sim_rep_ctx {
	char f[SIM_REP_CTX_N][SIM_REP_CTX_LEN];
};

void sim_rep_ctx_of(const struct sim_rep_config *c, const char *job, struct sim_rep_ctx *x);
/*
 * Of N runs (contexts X, legend names NAME): into COMMON the fields all
 * share, into LEGEND[i] NAME[i] and the fields that differ.
 */
void sim_rep_ctx_split(const struct sim_rep_ctx *x, const char *const *name, size_t n,
		       char *common, size_t clen, char (*legend)[SIM_REP_LEGEND]);
/* Everything known of one run ("" when nothing is): the second title line of its own plots */
void sim_rep_ctx_line(const struct sim_rep_config *c, char *buf, size_t len);
/* "TOPIC" prefixed with COMMON: "COMMON: TOPIC", or TOPIC alone */
void sim_rep_title(char *buf, size_t len, const char *common, const char *topic);

/* sim/report/plot_flows.c: figure I (0 effective, 1 all-active, 2 mean per flow) over C's seeds */
void sim_rep_flow_fig(const struct sim_rep_config *c, int i, struct sim_rep_agg *a);

/*
 * sim/report/plot_ladder.c: one workload of the ladder as its chart and
 * table show it, sizes ascending, configurations in their order, each
 * cell busbw_per_nic over the seeds.
 */
struct sim_rep_ladder_view {
	const char *workload;
	double *size;
	size_t nsize;
	const struct sim_rep_rung **rung;	/* per configuration, a row naming it */
	size_t nrung;
	struct sim_rep_agg *cell;		/* [configuration * nsize + size] */
	size_t seeds;				/* most seeds of one cell */
};

/* The workloads of r->ladder in order of first appearance, into W (room for r->nladder): how many. */
size_t sim_rep_ladder_workloads(const struct sim_report *r, const char **w);
int sim_rep_ladder_view(const struct sim_report *r, const char *workload, struct sim_rep_ladder_view *v);
void sim_rep_ladder_view_free(struct sim_rep_ladder_view *v);
const char *sim_rep_ladder_name(const char *workload);

/* sim/report/report.c: figures over seeds */
void sim_rep_agg_init(struct sim_rep_agg *a);
void sim_rep_agg_add(struct sim_rep_agg *a, double v);
void sim_rep_agg_end(struct sim_rep_agg *a);
/* "45.0% [40.0..50.0]": SCALE x the figure, PREC decimals (1 seed: "45.0%"), "–" when there is none */
void sim_rep_agg_text(const struct sim_rep_agg *a, double scale, int prec, const char *unit, char *buf,
		      size_t len);

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
/* The port the queue plots and the port table are about: --port, else the busiest, else trace.csv's; NULL: none */
const char *sim_rep_port(const struct sim_report *r, const struct sim_rep_config *c);
/* The port with the deepest max_queue_bytes of LINKS[N], ties to the lowest port index; NULL if N is 0 */
const struct sim_rep_link *sim_rep_busiest(const struct sim_rep_link *links, size_t n);

#endif
