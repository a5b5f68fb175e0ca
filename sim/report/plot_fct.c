/*
 * Plot family "flow completion times": the CDF of every configuration's
 * finished flows on one plot (collectives: the flows of the largest message
 * size). Unfinished flows count in the denominator, so a curve that stops
 * below 1 shows flows that never finished.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/gnuplot.h"

#define REP_CDF_POINTS 2000	/* plenty for a smooth curve, small scripts */

static double rep_p99_us(const struct sim_rep_config *c)
{
	return sim_rep_num(c->kind == SIM_REP_COLL ? c->largest : c->summary, "fct_p99_us");
}

/* C's key entry: NAME, what differs from the other curves (legend), its flows */
static void rep_cdf_title(const struct sim_rep_config *c, const char *legend, char *buf, size_t len)
{
	char size[32];
	double max = 0;
	size_t i;

	if (c->kind == SIM_REP_COLL) {
		for (i = 0; i < c->ncoll; i++)
			max = fmax(max, c->coll[i].size_bytes);
		sim_rep_size_label(max, size, sizeof(size));
		snprintf(buf, len, "%s, %s %s (%zu flows", legend, size, c->coll[0].collective,
			 c->nflows);
	} else {
		snprintf(buf, len, "%s (%zu flows", legend, c->nflows);
	}
	if (c->nflows > c->nfct)
		sim_rep_cat(buf, len, ", %zu unfinished", c->nflows - c->nfct);
	sim_rep_cat(buf, len, ")");
}

/* Unfinished flows count in the denominator, so their CDF stops below 1. */
static void gp_cdf_block(FILE *f, const struct sim_rep_config *c, size_t idx)
{
	size_t i, k, step = c->nfct / REP_CDF_POINTS + 1;
	char var[32];

	snprintf(var, sizeof(var), "f%zu", idx);
	sim_gp_data_begin(f, var, "%s: FCT (us), fraction of flows finished by then", c->name);
	for (i = 0; i < c->nfct; i += step) {
		k = i + step - 1 < c->nfct ? i + step - 1 : c->nfct - 1;
		if (!i)
			fprintf(f, "%.6g %.6g\n", c->fct_us[0], 1.0 / (double)c->nflows);
		fprintf(f, "%.6g %.6g\n", c->fct_us[k], (double)(k + 1) / (double)c->nflows);
	}
	sim_gp_data_end(f);
}

static void rep_cdf_caption(const struct sim_report *r, const struct sim_rep_family *fam,
			    char *cap, size_t len)
{
	size_t i, k = 0;

	snprintf(cap, len, "Cumulative distribution of flow completion times, one curve per "
		 "configuration (collectives: the flows of the largest message size, intra-server "
		 "transfers included, which finish first); the further left and the steeper, the "
		 "better, and a long tail on the right is what stalls a collective. p99 FCT: ");
	for (i = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		if (!sim_rep_has(c, fam->needs) || k++ >= SIM_REP_CAPTION_ITEMS)
			continue;
		sim_rep_cat(cap, len, "%s%s %.1f us", k > 1 ? ", " : "", c->name, rep_p99_us(c));
	}
	sim_rep_cat(cap, len, "%s.", k > SIM_REP_CAPTION_ITEMS ? ", ..." : "");
}

/* What the N curves share (COMMON, for the title) and what differs (LEGEND[k], curve k's). */
static void rep_cdf_context(const struct sim_report *r, const struct sim_rep_family *fam, size_t n,
			    char *common, size_t len, char (*legend)[SIM_REP_LEGEND])
{
	struct sim_rep_ctx *x = calloc(n, sizeof(*x));
	const char **name = calloc(n, sizeof(*name));
	size_t i, k = 0;

	common[0] = 0;
	for (i = 0; i < r->ncfg && k < n; i++) {
		if (!sim_rep_has(&r->cfg[i], fam->needs))
			continue;
		snprintf(legend[k], SIM_REP_LEGEND, "%s", r->cfg[i].name);
		if (x && name) {
			sim_rep_ctx_of(&r->cfg[i], NULL, &x[k]);
			name[k] = r->cfg[i].name;
		}
		k++;
	}
	/* out of memory: the folder names alone, as before titles had context */
	if (x && name)
		sim_rep_ctx_split(x, name, n, common, len, legend);
	free(x);
	free(name);
}

int sim_rep_plot_fct(struct sim_report *r, const struct sim_rep_family *fam)
{
	static const char stem[] = "fct-cdf";
	double lo = INFINITY, hi = 0;
	char cap[SIM_REP_CAPTION], title[SIM_REP_LEGEND * 2], common[256];
	char (*legend)[SIM_REP_LEGEND];
	size_t i, n = 0, longest;
	bool log_x;
	FILE *f;
	int ret;

	for (i = 0; i < r->ncfg; i++) {
		if (!sim_rep_has(&r->cfg[i], fam->needs))
			continue;
		lo = fmin(lo, r->cfg[i].fct_us[0]);
		hi = fmax(hi, r->cfg[i].fct_us[r->cfg[i].nfct - 1]);
		n++;
	}
	if (!n)
		return 0;
	legend = calloc(n, sizeof(*legend));
	if (!legend)
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	ret = sim_gp_open(r, stem, "flow completion time CDF per configuration", &f);
	if (ret) {
		free(legend);
		return ret;
	}
	for (i = 0; i < r->ncfg; i++)
		if (sim_rep_has(&r->cfg[i], fam->needs))
			gp_cdf_block(f, &r->cfg[i], i);
	rep_cdf_context(r, fam, n, common, sizeof(common), legend);
	/* one key entry a row, the plot as wide as the longest: gnuplot warns of an entry that does not fit */
	for (i = 0, n = 0, longest = 0; i < r->ncfg; i++) {
		if (!sim_rep_has(&r->cfg[i], fam->needs))
			continue;
		rep_cdf_title(&r->cfg[i], legend[n++], title, sizeof(title));
		longest = strlen(title) > longest ? strlen(title) : longest;
	}
	sim_gp_loop_begin(f, stem, longest * 8 + 240 < 960 ? 960 : longest * 8 + 240 > 2400 ? 2400 :
			  (int)(longest * 8 + 240), 600);
	/* a log axis only pays when the FCTs span more than two decades */
	log_x = lo > 0 && hi / lo > 100;
	if (log_x)
		fprintf(f, "\tset logscale x 10\n\tset format x '%%g'\n");
	/* every flow took as long (one flow, a symmetric fabric): gnuplot warns of an empty x range */
	if (!(hi > lo))
		fprintf(f, "\tset xrange [%g:%g]\n", lo * 0.9, lo > 0 ? lo * 1.1 : 1.0);
	sim_rep_title(title, sizeof(title), common, "flow completion time CDF");
	fprintf(f, "\tset title ");
	sim_gp_str(f, title);
	fprintf(f, "\n\tset xlabel 'flow completion time (us%s)'\n"
		"\tset ylabel 'fraction of flows completed'\n"
		"\tset yrange [0:1.02]\n\tset key below vertical maxcols 1\n\tplot ",
		log_x ? ", log scale" : "");
	for (i = 0, n = 0; i < r->ncfg; i++) {
		if (!sim_rep_has(&r->cfg[i], fam->needs))
			continue;
		rep_cdf_title(&r->cfg[i], legend[n], title, sizeof(title));
		fprintf(f, "%s$f%zu using 1:2 with lines lw 2 title ", n++ ? ", \\\n\t\t" : "", i);
		sim_gp_str(f, title);
	}
	fprintf(f, "\n");
	free(legend);
	rep_cdf_caption(r, fam, cap, sizeof(cap));
	return sim_gp_finish(r, f, fam, stem, cap);
}
