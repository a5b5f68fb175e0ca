/*
 * Plot family "collectives against message size": one curve per
 * configuration and job of collective.csv, in three plots (effective
 * throughput, bus bandwidth with the NIC line rate as ceiling, NIC busy).
 * Legends say what differs between curves, the title what they share.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/gnuplot.h"

/* One curve: one job of one configuration. */
struct rep_curve {
	const struct sim_rep_config *c;
	const char *job;
	char title[SIM_REP_NAME * 2];
};

enum rep_size_plot {
	REP_EFFECTIVE,
	REP_BUSBW,
	REP_NIC_BUSY,
};

/* CV has room for every row of every configuration: one curve per row at most. */
static void rep_curves_add(struct rep_curve *cv, size_t *n, const struct sim_rep_config *c,
			   const char *job)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (cv[i].c == c && !strcmp(cv[i].job, job))
			return;
	cv[*n].c = c;
	cv[*n].job = job;
	(*n)++;
}

static size_t rep_jobs_of(const struct rep_curve *cv, size_t n, const struct sim_rep_config *c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += cv[i].c == c;
	return k;
}

static const struct sim_rep_coll *rep_curve_row(const struct rep_curve *cv, size_t k)
{
	size_t i;

	for (i = 0; i < cv->c->ncoll; i++)
		if (!strcmp(cv->c->coll[i].job, cv->job) && !k--)
			return &cv->c->coll[i];
	return NULL;
}

static const struct sim_rep_coll *rep_curve_last(const struct rep_curve *cv)
{
	const struct sim_rep_coll *row, *last = NULL;
	size_t k;

	for (k = 0; (row = rep_curve_row(cv, k)); k++)
		if (!last || row->size_bytes >= last->size_bytes)
			last = row;
	return last;
}

/* Legends say what differs between curves; the title says what is shared. */
static void rep_curve_titles(struct rep_curve *cv, size_t n, char *common, size_t len)
{
	const struct sim_rep_coll *a = rep_curve_row(&cv[0], 0), *b;
	bool same_coll = true, same_alg = true;
	size_t i;

	for (i = 1; i < n; i++) {
		b = rep_curve_row(&cv[i], 0);
		same_coll = same_coll && !strcmp(a->collective, b->collective);
		same_alg = same_alg && !strcmp(a->algorithm, b->algorithm);
	}
	if (same_coll && same_alg)
		snprintf(common, len, "%s (%s)", a->collective, a->algorithm);
	else
		snprintf(common, len, "%s", same_coll ? a->collective : "collectives");
	for (i = 0; i < n; i++) {
		b = rep_curve_row(&cv[i], 0);
		if (rep_jobs_of(cv, n, cv[i].c) > 1)
			snprintf(cv[i].title, sizeof(cv[i].title), "%s/%s", cv[i].c->name, cv[i].job);
		else
			snprintf(cv[i].title, sizeof(cv[i].title), "%s", cv[i].c->name);
		if (!same_coll)
			sim_rep_cat(cv[i].title, sizeof(cv[i].title), " (%s %s)", b->collective,
				    b->algorithm);
		else if (!same_alg)
			sim_rep_cat(cv[i].title, sizeof(cv[i].title), " (%s)", b->algorithm);
	}
}

static double rep_size_value(const struct sim_rep_coll *row, enum rep_size_plot kind)
{
	switch (kind) {
	case REP_EFFECTIVE:
		return 100 * row->eff;
	case REP_BUSBW:
		return row->busbw_gbyte_s;
	default:
		return 100 * row->nic_busy;
	}
}

static void gp_size_blocks(FILE *f, const struct rep_curve *cv, size_t n,
			   enum rep_size_plot kind, double *lo, double *hi)
{
	const struct sim_rep_coll *row;
	char var[32];
	size_t i, k;

	*lo = INFINITY;
	*hi = 0;
	for (i = 0; i < n; i++) {
		snprintf(var, sizeof(var), "c%zu", i);
		sim_gp_data_begin(f, var, "%s: message size (bytes), value", cv[i].title);
		for (k = 0; (row = rep_curve_row(&cv[i], k)); k++) {
			fprintf(f, "%.0f %.6g\n", row->size_bytes, rep_size_value(row, kind));
			*lo = fmin(*lo, row->size_bytes);
			*hi = fmax(*hi, row->size_bytes);
		}
		sim_gp_data_end(f);
	}
}

static const char *const rep_size_stem[] = { "effective-vs-size", "busbw-vs-size", "nic-busy-vs-size" };

static void rep_size_caption(const struct rep_curve *cv, size_t n, enum rep_size_plot kind,
			     char *cap, size_t len)
{
	static const char *const what[] = {
		"Effective throughput (bus bandwidth / NIC line rate) of each configuration as the message size grows",
		"Bus bandwidth (GB/s) against message size, with the NIC line rate as the dashed ceiling",
		"NIC busy: bytes the busiest NIC sent over the network / (line rate x collective time), i.e. how much of the time the most loaded NIC could have been sending it kept busy",
	};
	const char *unit = kind == REP_BUSBW ? " GB/s" : "%";
	char size[32];
	size_t i;

	snprintf(cap, len, "%s. At the largest size: ", what[kind]);
	for (i = 0; i < n && i < SIM_REP_CAPTION_ITEMS; i++) {
		const struct sim_rep_coll *last = rep_curve_last(&cv[i]);

		sim_rep_size_label(last->size_bytes, size, sizeof(size));
		sim_rep_cat(cap, len, "%s%s %.1f%s (%s)", i ? ", " : "", cv[i].title,
			    rep_size_value(last, kind), unit, size);
	}
	sim_rep_cat(cap, len, "%s.", n > SIM_REP_CAPTION_ITEMS ? ", ..." : "");
}

static int rep_size_plot(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct rep_curve *cv, size_t n, const char *common,
			 enum rep_size_plot kind)
{
	static const char *const title[] = {
		"effective throughput vs message size",
		"bus bandwidth vs message size",
		"NIC busy vs message size",
	};
	static const char *const ylabel[] = {
		"effective throughput (busbw / NIC line rate, %)",
		"bus bandwidth (GB/s)",
		"NIC busy (% of collective time at line rate)",
	};
	const char *stem = rep_size_stem[kind];
	char cap[SIM_REP_CAPTION], t[256];
	double lo, hi, *gbps;
	size_t i;
	FILE *f;
	int ret;

	gbps = calloc(n, sizeof(*gbps));
	if (!gbps)
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	snprintf(t, sizeof(t), "%s: %s", common, title[kind]);
	ret = sim_gp_open(r, stem, t, &f);
	if (ret)
		goto out_free_gbps;
	gp_size_blocks(f, cv, n, kind, &lo, &hi);
	sim_gp_loop_begin(f, stem, 960, 600);
	sim_gp_size_axis(f, lo, hi);
	fprintf(f, "\tset title ");
	sim_gp_str(f, t);
	fprintf(f, "\n\tset ylabel '%s'\n", ylabel[kind]);
	sim_gp_size_key(f, n);
	fprintf(f, "\tplot ");
	for (i = 0; i < n; i++) {
		gbps[i] = rep_curve_row(&cv[i], 0)->line_gbps;
		fprintf(f, "%s$c%zu using 1:2 with linespoints lw 2 pt 7 ps 0.8 title ",
			i ? ", \\\n\t\t" : "", i);
		sim_gp_str(f, cv[i].title);
	}
	sim_gp_line_rates(f, gbps, n, kind != REP_BUSBW);
	fprintf(f, "\n");
	rep_size_caption(cv, n, kind, cap, sizeof(cap));
	ret = sim_gp_finish(r, f, fam, stem, cap);
out_free_gbps:
	free(gbps);
	return ret;
}

int sim_rep_plot_sizes(struct sim_report *r, const struct sim_rep_family *fam)
{
	static const enum rep_size_plot kinds[] = { REP_EFFECTIVE, REP_BUSBW, REP_NIC_BUSY };
	struct rep_curve *cv;
	size_t i, k, n = 0, rows = 0;
	char common[128];
	int ret = 0;

	for (i = 0; i < r->ncfg; i++)
		if (sim_rep_has(&r->cfg[i], fam->needs))
			rows += r->cfg[i].ncoll;
	if (!rows)
		return 0;
	cv = calloc(rows, sizeof(*cv));
	if (!cv)
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	for (i = 0; i < r->ncfg; i++)
		for (k = 0; k < r->cfg[i].ncoll && sim_rep_has(&r->cfg[i], fam->needs); k++)
			rep_curves_add(cv, &n, &r->cfg[i], r->cfg[i].coll[k].job);
	rep_curve_titles(cv, n, common, sizeof(common));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !ret; i++)
		ret = rep_size_plot(r, fam, cv, n, common, kinds[i]);
	free(cv);
	return ret;
}
