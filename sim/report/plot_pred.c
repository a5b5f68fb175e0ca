/*
 * Plot family "predicted vs measured": per collective in prediction.csv,
 * the bus bandwidth measured (points) and predicted by the calibrated
 * model (dashed) against message size, one pair of curves per
 * configuration, algorithm and rank count, with the NIC line rate dashed.
 */
#include <math.h>
#include <string.h>

#include "sim/report/gnuplot.h"

#define REP_PRED_RATES 64	/* distinct line rates drawn; more are one blur */

/* One curve: rows of one configuration, algorithm and rank count. */
static bool rep_same_pred(const struct sim_rep_pred *a, const struct sim_rep_pred *b)
{
	return !strcmp(a->collective, b->collective) && !strcmp(a->algorithm, b->algorithm) &&
	       a->nranks == b->nranks;
}

static bool rep_pred_first(const struct sim_rep_config *c, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (rep_same_pred(&c->pred[i], &c->pred[k]))
			return false;
	return true;
}

static void gp_pred_block(FILE *f, const struct sim_rep_config *c, const struct sim_rep_pred *key,
			  size_t idx, double *lo, double *hi)
{
	char var[32];
	size_t i;

	snprintf(var, sizeof(var), "p%zu", idx);
	sim_gp_data_begin(f, var, "%s %s %s, %u ranks: size (bytes), measured and predicted busbw (GB/s)",
			  c->name, key->collective, key->algorithm, key->nranks);
	for (i = 0; i < c->npred; i++) {
		if (!rep_same_pred(&c->pred[i], key))
			continue;
		fprintf(f, "%.0f %.6g %.6g\n", c->pred[i].size_bytes,
			c->pred[i].meas_busbw_gbyte_s, c->pred[i].pred_busbw_gbyte_s);
		*lo = fmin(*lo, c->pred[i].size_bytes);
		*hi = fmax(*hi, c->pred[i].size_bytes);
	}
	sim_gp_data_end(f);
}

static void gp_pred_curve(FILE *f, const struct sim_report *r, const struct sim_rep_config *c,
			  const struct sim_rep_pred *p, size_t idx, size_t ncurve)
{
	char t[SIM_REP_NAME * 2];

	snprintf(t, sizeof(t), "%s%s%s, %u ranks", r->ncfg > 1 ? c->name : "",
		 r->ncfg > 1 ? ": " : "", p->algorithm, p->nranks);
	fprintf(f, "%s$p%zu using 1:2 with linespoints lw 2 pt 7 lc %zu title ",
		ncurve ? ", \\\n\t\t" : "", idx, ncurve + 1);
	sim_gp_str(f, t);
	fprintf(f, ". ', measured', \\\n\t\t$p%zu using 1:3 with lines lw 2 dt 4 lc %zu title ",
		idx, ncurve + 1);
	sim_gp_str(f, t);
	fprintf(f, ". ', predicted'");
}

static void rep_pred_caption(const struct sim_report *r, const char *coll, char *cap, size_t len)
{
	double lo = INFINITY, hi = -INFINITY, sum = 0;
	size_t i, k, n = 0;

	for (i = 0; i < r->ncfg; i++) {
		for (k = 0; k < r->cfg[i].npred; k++) {
			const struct sim_rep_pred *p = &r->cfg[i].pred[k];

			if (strcmp(p->collective, coll) || isnan(p->rel_error))
				continue;
			lo = fmin(lo, p->rel_error);
			hi = fmax(hi, p->rel_error);
			sum += fabs(p->rel_error);
			n++;
		}
	}
	snprintf(cap, len, "Bus bandwidth of %s measured by the simulator (points) and predicted "
		 "by the calibrated model (dash-dot), with the NIC line rate dashed", coll);
	if (n)
		sim_rep_cat(cap, len, "; the predicted time is off by %+.1f%% to %+.1f%% "
			    "(mean |error| %.1f%%)", 100 * lo, 100 * hi, 100 * sum / (double)n);
	sim_rep_cat(cap, len, ".");
}

static int rep_pred_plot(struct sim_report *r, const struct sim_rep_family *fam, const char *coll,
			 const char *coll_stem)
{
	char stem[128], title[256], cap[SIM_REP_CAPTION];
	double lo = INFINITY, hi = 0, gbps[REP_PRED_RATES];
	size_t i, k, n = 0, ncurves = 0, ng = 0;
	FILE *f;
	int ret;

	snprintf(stem, sizeof(stem), "predicted-vs-measured-%s", coll_stem);
	snprintf(title, sizeof(title), "%s: predicted vs measured bus bandwidth", coll);
	ret = sim_gp_open(r, stem, title, &f);
	if (ret)
		return ret;
	for (i = 0; i < r->ncfg; i++)
		for (k = 0; k < r->cfg[i].npred; k++)
			if (!strcmp(r->cfg[i].pred[k].collective, coll) && rep_pred_first(&r->cfg[i], k)) {
				gp_pred_block(f, &r->cfg[i], &r->cfg[i].pred[k], i * 1000 + k, &lo, &hi);
				ncurves++;
			}
	sim_gp_loop_begin(f, stem, 960, 600);
	sim_gp_size_axis(f, lo, hi);
	fprintf(f, "\tset title ");
	sim_gp_str(f, title);
	fprintf(f, "\n\tset ylabel 'bus bandwidth (GB/s)'\n");
	sim_gp_size_key(f, 2 * ncurves, 40);
	fprintf(f, "\tplot ");
	for (i = 0; i < r->ncfg; i++) {
		for (k = 0; k < r->cfg[i].npred; k++) {
			const struct sim_rep_pred *p = &r->cfg[i].pred[k];

			if (strcmp(p->collective, coll) || !rep_pred_first(&r->cfg[i], k))
				continue;
			gp_pred_curve(f, r, &r->cfg[i], p, i * 1000 + k, n++);
			if (ng < REP_PRED_RATES)
				gbps[ng++] = p->line_gbps;
		}
	}
	sim_gp_line_rates(f, gbps, ng, false);
	fprintf(f, "\n");
	rep_pred_caption(r, coll, cap, sizeof(cap));
	return sim_gp_finish(r, f, fam, stem, cap);
}

/* Whether an earlier row (configuration CI, row K, in order) has the same collective. */
static bool rep_seen_coll(const struct sim_report *r, size_t ci, size_t k)
{
	const char *coll = r->cfg[ci].pred[k].collective;
	size_t i, j;

	for (i = 0; i <= ci; i++)
		for (j = 0; j < (i == ci ? k : r->cfg[i].npred); j++)
			if (!strcmp(r->cfg[i].pred[j].collective, coll))
				return true;
	return false;
}

int sim_rep_plot_predictions(struct sim_report *r, const struct sim_rep_family *fam)
{
	char stem[64];
	size_t i, k, j;
	int ret;

	for (i = 0; i < r->ncfg; i++) {
		for (k = 0; k < r->cfg[i].npred; k++) {
			const char *coll = r->cfg[i].pred[k].collective;

			if (rep_seen_coll(r, i, k))
				continue;
			/* the collective's name in a file name */
			for (j = 0; coll[j] && j < sizeof(stem) - 1; j++)
				stem[j] = strchr("/ '\"\\", coll[j]) ? '-' : coll[j];
			stem[j] = 0;
			ret = rep_pred_plot(r, fam, coll, stem);
			if (ret)
				return ret;
		}
	}
	return 0;
}
