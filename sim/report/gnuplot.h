/*
 * The gnuplot kit of `fabsim report` and the plot families that use it.
 * Each plot is a self-contained gnuplot script, <stem>.gp in the output
 * folder with its data inline (datablocks), that draws <stem>.png and
 * <stem>.svg; it is kept so that a reader can restyle a figure and rerun
 * gnuplot without fabsim. A family writes the script between sim_gp_open()
 * and sim_gp_finish(), which runs gnuplot and records the plot with the
 * caption report.md prints under it.
 *
 * A family is one entry of the table in report_plot.c: its file names,
 * the report.md section, the data it needs and the function that draws it.
 * Adding a plot means one plot_*.c file and one table entry.
 */
#ifndef SIM_REPORT_GNUPLOT_H
#define SIM_REPORT_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/report/report.h"

#define SIM_REP_CAPTION 2048
#define SIM_REP_CAPTION_ITEMS 8		/* configurations a caption names, then "..." */

/* What a configuration must have loaded for a family to draw it. */
enum sim_rep_need {
	SIM_REP_NEED_COLL = 1 << 0,	/* collective.csv of a collective run */
	SIM_REP_NEED_FCT = 1 << 1,	/* finished flows: flows.csv (collectives: largest/) */
	SIM_REP_NEED_LINKS = 1 << 2,	/* links.csv */
	SIM_REP_NEED_TRACE = 1 << 3,	/* trace.csv */
	SIM_REP_NEED_PRED = 1 << 4,	/* prediction.csv */
	SIM_REP_NEED_FLOWRUN = 1 << 5,	/* a flow workload's summary.json */
};

struct sim_rep_family {
	const char *plots;	/* its plots' file names, as the help lists them */
	const char *section;	/* report.md heading its plots go under */
	unsigned int needs;	/* SIM_REP_NEED_*, all of them */
	/* Either plots that compare the configurations that have NEEDS ... */
	int (*across)(struct sim_report *r, const struct sim_rep_family *fam);
	/* ... or at most one plot per configuration that has NEEDS. */
	int (*each)(struct sim_report *r, const struct sim_rep_family *fam,
		    const struct sim_rep_config *c);
};

/* sim/report/report_plot.c */
bool sim_rep_has(const struct sim_rep_config *c, unsigned int needs);

/* The families: sim/report/plot_*.c */
int sim_rep_plot_sizes(struct sim_report *r, const struct sim_rep_family *fam);
int sim_rep_plot_fct(struct sim_report *r, const struct sim_rep_family *fam);
int sim_rep_plot_heatmap(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct sim_rep_config *c);
int sim_rep_plot_queue(struct sim_report *r, const struct sim_rep_family *fam,
		       const struct sim_rep_config *c);
int sim_rep_plot_predictions(struct sim_report *r, const struct sim_rep_family *fam);
int sim_rep_plot_flows(struct sim_report *r, const struct sim_rep_family *fam);
int sim_rep_plot_ladder(struct sim_report *r, const struct sim_rep_family *fam);
int sim_rep_plot_p2p(struct sim_report *r, const struct sim_rep_family *fam);

/*
 * Clustered bars with min-max error bars and the value printed above each
 * bar: cluster k, series s at index k * nseries + s of the three arrays.
 */
struct sim_gp_bars {
	size_t nclusters, nseries;
	const char *const *cluster;	/* names under the x axis */
	const char *const *series;	/* the key */
	const double *mean, *lo, *hi;	/* NAN mean: no bar; lo, hi NAN: no error bar */
	const char *unit;		/* of the values, for the script's comments */
};

/*
 * A min-max error bar from columns 3 (min) and 4 (max) of a datablock: a
 * vector with flat heads, as gnuplot 5.4's yerrorbars punch a white hole
 * around the point they draw at the mean.
 */
#define SIM_GP_RANGE_BAR "using 1:3:(0):($4-$3) with vectors heads size screen 0.004,90"

/* The kit: sim/report/gnuplot.c */
int sim_gp_open(struct sim_report *r, const char *stem, const char *what, FILE **out);
void sim_gp_data_begin(FILE *f, const char *var, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sim_gp_data_end(FILE *f);
void sim_gp_loop_begin(FILE *f, const char *stem, int w_px, int h_px);
void sim_gp_str(FILE *f, const char *s);
void sim_gp_title2(FILE *f, const char *line1, const char *line2);
void sim_gp_size_axis(FILE *f, double lo, double hi);
void sim_gp_key(FILE *f, size_t ncurves, size_t longest);
void sim_gp_size_key(FILE *f, size_t ncurves, size_t longest);
void sim_gp_line_rates(FILE *f, const double *gbps, size_t n, bool percent);
void sim_gp_bars_data(FILE *f, const struct sim_gp_bars *b);
int sim_gp_bars_width(const struct sim_gp_bars *b);
void sim_gp_bars_plot(FILE *f, const struct sim_gp_bars *b);
int sim_gp_finish(struct sim_report *r, FILE *f, const struct sim_rep_family *fam,
		  const char *stem, const char *caption);

#endif
