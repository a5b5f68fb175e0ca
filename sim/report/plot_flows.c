/*
 * Plot family "flow workloads": for each flow run (permutation, all-to-all,
 * incast, flow files), the three throughput figures side by side as
 * percent of line rate: effective (harmonic, FCT-based), all-active
 * (aggregate rate while every flow was active) and the arithmetic mean
 * of the flows' rates. They answer different questions, and a vendor's
 * figure is one of them: drawn together, none can be mistaken for another.
 * A run with --seeds shows each figure's mean over its seeds (seeds.csv),
 * with a min-max error bar.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/gnuplot.h"

#define REP_FLOW_FIGS 3

static const char *const rep_flow_fig[REP_FLOW_FIGS] = {
	"effective (harmonic, FCT)",
	"all-active (all flows running)",
	"mean per flow (arithmetic)",
};

static const char *const rep_flow_key[REP_FLOW_FIGS] = {
	"effective_throughput", "all_active_throughput", "mean_flow_throughput",
};

/* One seed's figure I of seeds.csv. */
static double rep_seed_fig(const struct sim_rep_seed *s, int i)
{
	return i == 0 ? s->eff : i == 1 ? s->all_active : s->mean_flow;
}

/* Figure I of C over its seeds (seeds.csv), or the summary's one run. */
void sim_rep_flow_fig(const struct sim_rep_config *c, int i, struct sim_rep_agg *a)
{
	size_t k;

	sim_rep_agg_init(a);
	if (c->nseeds)
		for (k = 0; k < c->nseeds; k++)
			sim_rep_agg_add(a, rep_seed_fig(&c->seeds[k], i));
	else
		sim_rep_agg_add(a, sim_rep_num(c->summary, rep_flow_key[i]));
	sim_rep_agg_end(a);
}

struct rep_flow_bars {
	size_t n;
	const char **cluster;
	char (*legend)[SIM_REP_LEGEND];
	double *mean, *lo, *hi;
	struct sim_rep_ctx *x;
	const char **name;
};

static void rep_flow_bars_free(struct rep_flow_bars *b)
{
	free(b->cluster);
	free(b->legend);
	free(b->mean);
	free(b->lo);
	free(b->hi);
	free(b->x);
	free(b->name);
}

static int rep_flow_bars_alloc(struct rep_flow_bars *b, size_t n)
{
	b->n = n;
	b->cluster = calloc(n, sizeof(*b->cluster));
	b->legend = calloc(n, sizeof(*b->legend));
	b->mean = calloc(n * REP_FLOW_FIGS, sizeof(double));
	b->lo = calloc(n * REP_FLOW_FIGS, sizeof(double));
	b->hi = calloc(n * REP_FLOW_FIGS, sizeof(double));
	b->x = calloc(n, sizeof(*b->x));
	b->name = calloc(n, sizeof(*b->name));
	if (b->cluster && b->legend && b->mean && b->lo && b->hi && b->x && b->name)
		return 0;
	rep_flow_bars_free(b);
	return -ENOMEM;
}

static void rep_flow_caption(const struct rep_flow_bars *b, const struct sim_report *r,
			     const struct sim_rep_family *fam, char *cap, size_t len)
{
	struct sim_rep_agg a;
	char v[96];
	size_t i, k = 0;
	int j;

	snprintf(cap, len, "Three figures of each flow run, in %% of the senders' line rate: effective "
		 "(payload / sum of line rate x FCT, the harmonic, FCT-based figure), all-active (aggregate "
		 "rate while every flow was active) and the arithmetic mean of the flows' rates. Runs with "
		 "several seeds show the mean, with the min-max range as error bar.");
	for (i = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		if (!sim_rep_has(c, fam->needs) || k++ >= SIM_REP_CAPTION_ITEMS)
			continue;
		sim_rep_cat(cap, len, " %s:", b->legend[k - 1]);
		for (j = 0; j < REP_FLOW_FIGS; j++) {
			sim_rep_flow_fig(c, j, &a);
			sim_rep_agg_text(&a, 100, 1, "%", v, sizeof(v));
			sim_rep_cat(cap, len, "%s %s", j ? "," : "", v);
		}
		sim_rep_cat(cap, len, ".");
	}
}

int sim_rep_plot_flows(struct sim_report *r, const struct sim_rep_family *fam)
{
	static const char stem[] = "flow-throughput";
	struct rep_flow_bars b = { 0 };
	struct sim_gp_bars gb;
	char common[256], title[512], cap[SIM_REP_CAPTION];
	struct sim_rep_agg a;
	size_t i, n = 0;
	FILE *f;
	int j, ret;

	for (i = 0; i < r->ncfg; i++)
		n += sim_rep_has(&r->cfg[i], fam->needs);
	if (!n)
		return 0;
	if (rep_flow_bars_alloc(&b, n))
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	for (i = 0, n = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		if (!sim_rep_has(c, fam->needs))
			continue;
		sim_rep_ctx_of(c, NULL, &b.x[n]);
		b.name[n] = c->name;
		for (j = 0; j < REP_FLOW_FIGS; j++) {
			sim_rep_flow_fig(c, j, &a);
			b.mean[n * REP_FLOW_FIGS + j] = 100 * a.mean;
			b.lo[n * REP_FLOW_FIGS + j] = 100 * a.min;
			b.hi[n * REP_FLOW_FIGS + j] = 100 * a.max;
		}
		n++;
	}
	/* no run finished its flows (--stop): no bar to draw; report.md's table shows the dashes */
	for (i = 0; i < n * REP_FLOW_FIGS && isnan(b.mean[i]); i++)
		;
	if (i == n * REP_FLOW_FIGS) {
		ret = 0;
		goto out_free;
	}
	sim_rep_ctx_split(b.x, b.name, n, common, sizeof(common), b.legend);
	for (i = 0; i < n; i++)
		b.cluster[i] = b.legend[i];
	gb = (struct sim_gp_bars){ .nclusters = n, .nseries = REP_FLOW_FIGS, .cluster = b.cluster,
				   .series = rep_flow_fig, .mean = b.mean, .lo = b.lo, .hi = b.hi,
				   .unit = "% of line rate" };
	sim_rep_title(title, sizeof(title), common, "flow throughput, three figures");
	ret = sim_gp_open(r, stem, title, &f);
	if (ret)
		goto out_free;
	sim_gp_bars_data(f, &gb);
	sim_gp_loop_begin(f, stem, sim_gp_bars_width(&gb), 600);
	fprintf(f, "\tset title ");
	sim_gp_str(f, title);
	fprintf(f, "\n\tset ylabel 'throughput (%% of line rate)'\n");
	sim_gp_bars_plot(f, &gb);
	rep_flow_caption(&b, r, fam, cap, sizeof(cap));
	ret = sim_gp_finish(r, f, fam, stem, cap);
out_free:
	rep_flow_bars_free(&b);
	return ret;
}
