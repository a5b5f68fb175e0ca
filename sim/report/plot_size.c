/*
 * Plot family "collectives against message size": one curve per
 * configuration and job of collective.csv, in five plots (effective
 * throughput, bus bandwidth with the NIC line rate as ceiling, busbw per
 * NIC of the server, NIC busy, and collective time on log-log axes). Rows
 * of several seeds (--seeds) at one size make one point, their mean, with
 * a min-max error bar. The title says what the curves share (collective,
 * topology, ranks, lb/cc/rx), each legend entry what differs.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/gnuplot.h"

enum rep_size_plot {
	REP_EFFECTIVE,
	REP_BUSBW,
	REP_PER_NIC,
	REP_NIC_BUSY,
	REP_TIME,
	REP_NKINDS,
};

/* One curve: one job of one configuration, its points aggregated over seeds. */
struct rep_curve {
	const struct sim_rep_config *c;
	const char *job;
	char title[SIM_REP_LEGEND];
	double *size;			/* distinct sizes, ascending */
	struct sim_rep_agg *pt[REP_NKINDS];	/* per kind, one per size */
	size_t npts;
	size_t seeds;			/* most rows of one size */
};

static double rep_size_value(const struct sim_rep_coll *row, enum rep_size_plot kind)
{
	switch (kind) {
	case REP_EFFECTIVE:
		return 100 * row->eff;
	case REP_BUSBW:
		return row->busbw_gbyte_s;
	case REP_PER_NIC:
		return 100 * row->busbw_per_nic;
	case REP_NIC_BUSY:
		return 100 * row->nic_busy;
	default:
		return row->time_us;
	}
}

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

static int rep_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The curve's distinct sizes and, per size, each figure over the seeds run there. */
static int rep_curve_fill(struct rep_curve *cv)
{
	const struct sim_rep_config *c = cv->c;
	size_t i, k, p, n = 0;
	int kind;

	cv->size = calloc(c->ncoll, sizeof(*cv->size));
	for (kind = 0; kind < REP_NKINDS; kind++)
		cv->pt[kind] = calloc(c->ncoll, sizeof(*cv->pt[kind]));
	for (kind = 0; kind < REP_NKINDS; kind++)
		if (!cv->pt[kind] || !cv->size)
			return -ENOMEM;
	for (i = 0; i < c->ncoll; i++) {
		if (strcmp(c->coll[i].job, cv->job))
			continue;
		for (k = 0; k < n && cv->size[k] != c->coll[i].size_bytes; k++)
			;
		if (k == n)
			cv->size[n++] = c->coll[i].size_bytes;
	}
	qsort(cv->size, n, sizeof(*cv->size), rep_cmp_double);
	for (p = 0; p < n; p++) {
		for (kind = 0; kind < REP_NKINDS; kind++)
			sim_rep_agg_init(&cv->pt[kind][p]);
		for (i = 0, k = 0; i < c->ncoll; i++) {
			if (strcmp(c->coll[i].job, cv->job) || c->coll[i].size_bytes != cv->size[p])
				continue;
			for (kind = 0; kind < REP_NKINDS; kind++)
				sim_rep_agg_add(&cv->pt[kind][p], rep_size_value(&c->coll[i], kind));
			k++;
		}
		for (kind = 0; kind < REP_NKINDS; kind++)
			sim_rep_agg_end(&cv->pt[kind][p]);
		cv->seeds = k > cv->seeds ? k : cv->seeds;
	}
	cv->npts = n;
	return 0;
}

static void rep_curve_free(struct rep_curve *cv)
{
	int kind;

	free(cv->size);
	for (kind = 0; kind < REP_NKINDS; kind++)
		free(cv->pt[kind]);
}

static const struct sim_rep_coll *rep_curve_first(const struct rep_curve *cv)
{
	size_t i;

	for (i = 0; i < cv->c->ncoll; i++)
		if (!strcmp(cv->c->coll[i].job, cv->job))
			return &cv->c->coll[i];
	return NULL;
}

/* Legends say what differs between curves; the title says what is shared. */
static int rep_curve_titles(struct rep_curve *cv, size_t n, char *common, size_t len)
{
	struct sim_rep_ctx *x = calloc(n, sizeof(*x));
	const char **name = calloc(n, sizeof(*name));
	char (*legend)[SIM_REP_LEGEND] = calloc(n, sizeof(*legend));
	size_t i;
	int ret = -ENOMEM;

	if (!x || !name || !legend)
		goto out_free;
	for (i = 0; i < n; i++) {
		sim_rep_ctx_of(cv[i].c, cv[i].job, &x[i]);
		/* a job's name only where its folder ran several */
		if (rep_jobs_of(cv, n, cv[i].c) > 1)
			snprintf(cv[i].title, sizeof(cv[i].title), "%s/%s", cv[i].c->name, cv[i].job);
		else
			snprintf(cv[i].title, sizeof(cv[i].title), "%s", cv[i].c->name);
		name[i] = cv[i].title;
	}
	sim_rep_ctx_split(x, name, n, common, len, legend);
	for (i = 0; i < n; i++)
		memcpy(cv[i].title, legend[i], sizeof(cv[i].title));
	ret = 0;
out_free:
	free(x);
	free(name);
	free(legend);
	return ret;
}

/* Whether every point of every curve has KIND: busbw_per_nic is absent from older files. */
static bool rep_kind_known(const struct rep_curve *cv, size_t n, enum rep_size_plot kind)
{
	size_t i, p;

	for (i = 0; i < n; i++)
		for (p = 0; p < cv[i].npts; p++)
			if (!cv[i].pt[kind][p].n)
				return false;
	return true;
}

static void gp_size_blocks(FILE *f, const struct rep_curve *cv, size_t n,
			   enum rep_size_plot kind, double *lo, double *hi)
{
	const struct sim_rep_agg *a;
	char var[32];
	size_t i, p;

	*lo = INFINITY;
	*hi = 0;
	for (i = 0; i < n; i++) {
		snprintf(var, sizeof(var), "c%zu", i);
		sim_gp_data_begin(f, var, "%s: message size (bytes), mean, min, max over %zu seed%s",
				  cv[i].title, cv[i].seeds, cv[i].seeds > 1 ? "s" : "");
		for (p = 0; p < cv[i].npts; p++) {
			a = &cv[i].pt[kind][p];
			if (!a->n)
				continue;
			fprintf(f, "%.0f %.6g %.6g %.6g\n", cv[i].size[p], a->mean, a->min, a->max);
			*lo = fmin(*lo, cv[i].size[p]);
			*hi = fmax(*hi, cv[i].size[p]);
		}
		sim_gp_data_end(f);
	}
}

static const char *const rep_size_stem[] = {
	"effective-vs-size", "busbw-vs-size", "busbw-per-nic-vs-size", "nic-busy-vs-size", "time-vs-size",
};

static void rep_size_caption(const struct rep_curve *cv, size_t n, enum rep_size_plot kind,
			     char *cap, size_t len)
{
	static const char *const what[] = {
		"Effective throughput (bus bandwidth / NIC line rate) of each configuration as the message size grows",
		"Bus bandwidth (GB/s) against message size, with the NIC line rate as the dashed ceiling",
		"Bus bandwidth per NIC of the server: busbw / (NICs per server x NIC line rate), 100% when every NIC of a server carries the collective at line rate",
		"NIC busy: bytes the busiest NIC sent over the network / (line rate x collective time), i.e. how much of the time the most loaded NIC could have been sending it kept busy",
		"Collective time (us) against message size, both axes logarithmic: flat where latency dominates, slope 1 where bandwidth does",
	};
	static const char *const unit[] = { "%", " GB/s", "%", "%", " us" };
	size_t i, seeds = 0;
	char size[32], v[96];

	for (i = 0; i < n; i++)
		seeds = cv[i].seeds > seeds ? cv[i].seeds : seeds;
	snprintf(cap, len, "%s.", what[kind]);
	if (seeds > 1)
		sim_rep_cat(cap, len, " Each point is the mean over the seeds run (up to %zu), the bar its "
			    "min-max range.", seeds);
	sim_rep_cat(cap, len, " At the largest size: ");
	for (i = 0; i < n && i < SIM_REP_CAPTION_ITEMS; i++) {
		const struct sim_rep_agg *last = &cv[i].pt[kind][cv[i].npts - 1];

		sim_rep_size_label(cv[i].size[cv[i].npts - 1], size, sizeof(size));
		sim_rep_agg_text(last, 1, 1, unit[kind], v, sizeof(v));
		sim_rep_cat(cap, len, "%s%s %s (%s)", i ? ", " : "", cv[i].title, v, size);
	}
	sim_rep_cat(cap, len, "%s.", n > SIM_REP_CAPTION_ITEMS ? ", ..." : "");
}

static void gp_size_axes(FILE *f, const struct rep_curve *cv, size_t n, enum rep_size_plot kind,
			 const char *title)
{
	static const char *const ylabel[] = {
		"effective throughput (busbw / NIC line rate, %)",
		"bus bandwidth (GB/s)",
		"busbw per NIC of the server (% of NICs x line rate)",
		"NIC busy (% of collective time at line rate)",
		"collective time (us, log scale)",
	};
	double lo = INFINITY, hi = 0;
	size_t i, p, longest = 0;

	for (i = 0; i < n; i++)
		longest = strlen(cv[i].title) > longest ? strlen(cv[i].title) : longest;
	fprintf(f, "\tset title ");
	sim_gp_str(f, title);
	fprintf(f, "\n\tset ylabel '%s'\n", ylabel[kind]);
	if (kind == REP_TIME) {
		/* a range of its own: one size alone would leave gnuplot an empty one to warn of */
		for (i = 0; i < n; i++)
			for (p = 0; p < cv[i].npts; p++) {
				lo = fmin(lo, cv[i].pt[kind][p].min);
				hi = fmax(hi, cv[i].pt[kind][p].max);
			}
		fprintf(f, "\tset logscale y 10\n\tset format y '%%g'\n\tset yrange [%.6g:%.6g]\n", lo / 1.5,
			hi * 1.5);
		sim_gp_key(f, n, longest);
	} else {
		sim_gp_size_key(f, n, longest);
	}
}

static int rep_size_plot(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct rep_curve *cv, size_t n, const char *common,
			 enum rep_size_plot kind)
{
	static const char *const topic[] = {
		"effective throughput vs message size",
		"bus bandwidth vs message size",
		"busbw per NIC of the server vs message size",
		"NIC busy vs message size",
		"collective time vs message size",
	};
	const char *stem = rep_size_stem[kind];
	char cap[SIM_REP_CAPTION], t[512];
	double lo, hi, *gbps;
	size_t i;
	FILE *f;
	int ret;

	gbps = calloc(n, sizeof(*gbps));
	if (!gbps)
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	sim_rep_title(t, sizeof(t), common, topic[kind]);
	ret = sim_gp_open(r, stem, t, &f);
	if (ret)
		goto out_free_gbps;
	gp_size_blocks(f, cv, n, kind, &lo, &hi);
	sim_gp_loop_begin(f, stem, 1100, 600);
	sim_gp_size_axis(f, lo, hi);
	gp_size_axes(f, cv, n, kind, t);
	fprintf(f, "\tplot ");
	for (i = 0; i < n; i++) {
		gbps[i] = rep_curve_first(&cv[i])->line_gbps;
		fprintf(f, "%s$c%zu using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc %zu title ",
			i ? ", \\\n\t\t" : "", i, i + 1);
		sim_gp_str(f, cv[i].title);
		if (cv[i].seeds > 1)
			fprintf(f, ", \\\n\t\t$c%zu " SIM_GP_RANGE_BAR " lw 1.2 lc %zu notitle", i, i + 1);
	}
	if (kind != REP_TIME)
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
	struct rep_curve *cv;
	size_t i, k, n = 0, rows = 0;
	char common[256];
	int kind, ret = 0;

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
	for (i = 0; i < n && !ret; i++)
		ret = rep_curve_fill(&cv[i]);
	if (!ret)
		ret = rep_curve_titles(cv, n, common, sizeof(common));
	if (ret)
		ret = sim_rep_fail(r, ret, "out of memory");
	for (kind = 0; kind < REP_NKINDS && !ret; kind++)
		if (kind != REP_PER_NIC || rep_kind_known(cv, n, kind))
			ret = rep_size_plot(r, fam, cv, n, common, kind);
	for (i = 0; i < n; i++)
		rep_curve_free(&cv[i]);
	free(cv);
	return ret;
}
