/*
 * Plot family "link utilization": per configuration, a heatmap of the
 * switch-to-switch tier with the highest mean utilization (links.csv),
 * rows the source switch, columns the destination. Even colour means the
 * load balancer spread the traffic; the caption names the hottest link.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/gnuplot.h"

#define REP_TICK_NAMES 64	/* above this, switch indices instead of names */
#define REP_HEAT_MAX_NAMES 4096	/* switches per heatmap axis; beyond, unreadable */

struct rep_heat {
	int from_tier, to_tier;
	const char **rows, **cols;	/* switch names, in links.csv order */
	size_t nr, nc;
	double *util;			/* nr x nc, NAN where no link */
	double mean, max;
	const struct sim_rep_link *hot;
};

static const char *rep_tier_name(int tier, int top_tier)
{
	static const char *const names[] = { "host", "leaf", "spine", "core" };

	if (tier == 2 && top_tier >= 3)
		return "agg";
	return tier >= 0 && tier < 4 ? names[tier] : "switch";
}

/* The switch-to-switch (tier >= 1 both ends) pair with the highest mean. */
static int rep_busiest_tier(const struct sim_rep_config *c, struct rep_heat *h)
{
	double best = -1, sum;
	int ft, tt;
	size_t i, n;

	for (ft = 1; ft < 8; ft++) {
		for (tt = 1; tt < 8; tt++) {
			for (i = 0, n = 0, sum = 0; i < c->nlinks; i++) {
				if (c->links[i].from_tier != ft || c->links[i].to_tier != tt)
					continue;
				sum += c->links[i].util;
				n++;
			}
			if (n && sum / (double)n > best) {
				best = sum / (double)n;
				h->from_tier = ft;
				h->to_tier = tt;
				h->mean = best;
			}
		}
	}
	return best < 0 ? -1 : 0;
}

static size_t rep_name_index(const char **names, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return i;
	names[(*n)++] = name;
	return i;
}

/* 0, 1 if the tier has too many switches to draw, or -ENOMEM. */
static int rep_heat_fill(const struct sim_rep_config *c, struct rep_heat *h)
{
	double *count;
	size_t i, ri, ci;

	h->rows = calloc(c->nlinks, sizeof(*h->rows));
	h->cols = calloc(c->nlinks, sizeof(*h->cols));
	if (!h->rows || !h->cols)
		return -ENOMEM;
	for (i = 0; i < c->nlinks; i++) {
		if (c->links[i].from_tier != h->from_tier || c->links[i].to_tier != h->to_tier)
			continue;
		rep_name_index(h->rows, &h->nr, c->links[i].from);
		rep_name_index(h->cols, &h->nc, c->links[i].to);
		if (h->nr > REP_HEAT_MAX_NAMES || h->nc > REP_HEAT_MAX_NAMES)
			return 1;
	}
	h->util = calloc(h->nr * h->nc, sizeof(*h->util));
	count = calloc(h->nr * h->nc, sizeof(*count));
	if (!h->util || !count) {
		free(count);
		return -ENOMEM;
	}
	for (i = 0; i < c->nlinks; i++) {
		const struct sim_rep_link *l = &c->links[i];

		if (l->from_tier != h->from_tier || l->to_tier != h->to_tier)
			continue;
		ri = rep_name_index(h->rows, &h->nr, l->from);
		ci = rep_name_index(h->cols, &h->nc, l->to);
		/* parallel links between one pair of switches: their mean */
		h->util[ri * h->nc + ci] += l->util;
		count[ri * h->nc + ci]++;
		if (!h->hot || l->util > h->hot->util)
			h->hot = l;
	}
	for (i = 0; i < h->nr * h->nc; i++)
		h->util[i] = count[i] ? h->util[i] / count[i] : NAN;
	h->max = h->hot->util;
	free(count);
	return 0;
}

static void rep_heat_free(struct rep_heat *h)
{
	free(h->rows);
	free(h->cols);
	free(h->util);
}

static void gp_name_tics(FILE *f, const char *axis, const char **names, size_t n)
{
	size_t i;

	if (n > REP_TICK_NAMES) {
		fprintf(f, "\tset %stics out\n", axis);
		return;
	}
	fprintf(f, "\tset %stics out (", axis);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s", i ? ", " : "");
		sim_gp_str(f, names[i]);
		fprintf(f, " %zu", i);
	}
	fprintf(f, ")\n");
}

/* BASE + PER * N pixels within LO..HI; N is a count, possibly huge */
static int rep_px(int base, int per, size_t n, int lo, int hi)
{
	size_t v = n > (size_t)hi ? (size_t)hi : (size_t)base + (size_t)per * n;

	return v < (size_t)lo ? lo : v > (size_t)hi ? hi : (int)v;
}

static void gp_heat_block(FILE *f, const struct rep_heat *h)
{
	size_t i, j;
	double u;

	sim_gp_data_begin(f, "heat", "rows: source switch, columns: destination switch, NaN: no link");
	for (i = 0; i < h->nr; i++) {
		for (j = 0; j < h->nc; j++) {
			u = h->util[i * h->nc + j];
			if (j)
				fputc(' ', f);
			if (isnan(u))
				fputs("NaN", f);
			else
				fprintf(f, "%.4f", u);
		}
		fputc('\n', f);
	}
	sim_gp_data_end(f);
}

static void gp_heat_body(FILE *f, const struct rep_heat *h,
			 const char *title, const char *ctx, int top)
{
	const char *src = rep_tier_name(h->from_tier, top), *dst = rep_tier_name(h->to_tier, top);

	fprintf(f, "\tunset grid\n");
	sim_gp_title2(f, title, ctx);
	fprintf(f, "\tset xlabel 'destination %s%s'\n\tset ylabel 'source %s%s'\n",
		dst, h->nc > REP_TICK_NAMES ? " (index)" : "",
		src, h->nr > REP_TICK_NAMES ? " (index)" : "");
	/* first source switch on top, as in a table */
	fprintf(f, "\tset xrange [-0.5:%zu.5]\n\tset yrange [%zu.5:-0.5]\n",
		h->nc - 1, h->nr - 1);
	gp_name_tics(f, "x", h->cols, h->nc);
	gp_name_tics(f, "y", h->rows, h->nr);
	if (h->nc > 8)
		fprintf(f, "\tset xtics rotate by 60 right\n");
	fprintf(f, "\tset cbrange [0:1]\n\tset cblabel 'utilization (fraction of line rate)'\n"
		"\tset palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', "
		"0.75 '#5ec962', 1 '#fde725')\n"
		"\tplot $heat matrix with image notitle\n");
}

static void rep_heat_caption(const struct sim_rep_config *c, const struct rep_heat *h, int top,
			     char *cap, size_t len)
{
	snprintf(cap, len, "Utilization of every %s -> %s link of %s, the switch-to-switch "
		 "tier with the highest mean utilization (%.1f%%), rows the source switch, columns "
		 "the destination%s. Even colour means the load balancer spread the traffic; "
		 "the hottest link is %s -> %s at %.1f%%%s.",
		 rep_tier_name(h->from_tier, top), rep_tier_name(h->to_tier, top), c->name,
		 100 * h->mean, c->kind == SIM_REP_COLL ? " (links.csv of the largest message size)" : "",
		 h->hot->from, h->hot->to, 100 * h->max,
		 h->nr * h->nc > c->nlinks ? "; blank cells have no link" : "");
}

static int rep_heat_plot(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct sim_rep_config *c, const struct rep_heat *h, int top)
{
	char stem[SIM_REP_NAME + 16], title[512], ctx[SIM_REP_LEGEND], cap[SIM_REP_CAPTION];
	FILE *f;
	int ret;

	sim_rep_ctx_line(c, ctx, sizeof(ctx));
	snprintf(stem, sizeof(stem), "heatmap-%s", c->stem);
	snprintf(title, sizeof(title), "%s: %s -> %s link utilization (busiest tier; mean %.1f%%, max %.1f%%)%s",
		 c->name, rep_tier_name(h->from_tier, top), rep_tier_name(h->to_tier, top),
		 100 * h->mean, 100 * h->max, c->kind == SIM_REP_COLL ? ", largest size" : "");
	ret = sim_gp_open(r, stem, title, &f);
	if (ret)
		return ret;
	gp_heat_block(f, h);
	sim_gp_loop_begin(f, stem, rep_px(360, 30, h->nc, 720, 1400), rep_px(220, 16, h->nr, 520, 1400));
	gp_heat_body(f, h, title, ctx, top);
	rep_heat_caption(c, h, top, cap, sizeof(cap));
	return sim_gp_finish(r, f, fam, stem, cap);
}

int sim_rep_plot_heatmap(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct sim_rep_config *c)
{
	struct rep_heat h = { 0 };
	int top = 0, ret;
	size_t i;

	for (i = 0; i < c->nlinks; i++)
		top = c->links[i].to_tier > top ? c->links[i].to_tier : top;
	if (rep_busiest_tier(c, &h))
		return 0;	/* a single switch: no switch-to-switch links */
	ret = rep_heat_fill(c, &h);
	if (ret > 0) {
		/* a warning, not an error: the rest of the report is still worth having */
		if (r->warn)
			fprintf(r->warn, "fabsim report: %s: no heatmap, more than %d switches on one side of "
				"its busiest tier\n", c->name, REP_HEAT_MAX_NAMES);
		ret = 0;
	} else if (ret < 0) {
		ret = sim_rep_fail(r, ret, "out of memory");
	} else {
		ret = rep_heat_plot(r, fam, c, &h, top);
	}
	rep_heat_free(&h);
	return ret;
}
