/*
 * Plot family "link utilization": per configuration, one heatmap file per
 * pair of adjacent tiers that links.csv has links between (host-leaf,
 * leaf-spine or leaf-agg, agg-core), each with two panels: up (lower tier
 * -> upper) and down (upper -> lower), both with the lower tier's nodes as
 * rows and the upper tier's as columns, so that a cable is the same cell in
 * both. Axes carry the node names (every k-th when there are too many to
 * read, and the axis says so). A link down at the end of the run (links.csv
 * link_down) is hatched red, apart from an idle link's 0%. Cells are drawn
 * as boxes from a sparse list, not as a matrix image with holes, so that a
 * tier pair without a link between every two nodes leaves blank cells and
 * gnuplot has nothing to warn about.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/gnuplot.h"

#define REP_TICK_NAMES 40	/* names an axis labels at most; beyond, every k-th */
#define REP_HEAT_MAX_NAMES 4096	/* nodes per heatmap axis; beyond, unreadable */
#define REP_HEAT_PAIRS 16	/* tier pairs of one fabric: 3 in a fat-tree */

/* One direction of a tier pair: cells [row: lower node][column: upper node]. */
struct rep_panel {
	double *util;		/* sum, then mean, of the cell's live links */
	unsigned int *live;	/* links of the cell that were up */
	unsigned int *down;	/* links of the cell that were down */
	size_t nlinks, ndown;
	double sum;		/* over the live links, for their mean */
	const struct sim_rep_link *hot;
};

struct rep_heat {
	int lo, hi;			/* tiers: rows the lower, columns the upper */
	const char **rows, **cols;	/* node names, in links.csv order */
	size_t nr, nc;
	struct rep_panel p[2];		/* 0 up: lower -> upper, 1 down: upper -> lower */
};

static const char *rep_tier_name(int tier, int top_tier)
{
	static const char *const names[] = { "host", "leaf", "spine", "core" };

	if (tier == 2 && top_tier >= 3)
		return "agg";
	return tier >= 0 && tier < 4 ? names[tier] : "switch";
}

/* A tier for file names: its name, or tierN beyond core (unique either way). */
static void rep_tier_stem(int tier, int top, char *buf, size_t len)
{
	if (tier < 4)
		snprintf(buf, len, "%s", rep_tier_name(tier, top));
	else
		snprintf(buf, len, "tier%d", tier);
}

/* The tier pairs (lower, upper) with links, ascending: how many, into LO, HI. */
static size_t rep_tier_pairs(const struct sim_rep_config *c, int *lo, int *hi)
{
	size_t i, k, n = 0;
	int a, b, t;

	for (i = 0; i < c->nlinks; i++) {
		a = c->links[i].from_tier;
		b = c->links[i].to_tier;
		if (a > b) {
			t = a;
			a = b;
			b = t;
		}
		for (k = 0; k < n && (lo[k] != a || hi[k] != b); k++)
			;
		if (k < n || n == REP_HEAT_PAIRS)
			continue;
		/* insertion in order: host-leaf first */
		for (k = n++; k > 0 && (lo[k - 1] > a || (lo[k - 1] == a && hi[k - 1] > b)); k--) {
			lo[k] = lo[k - 1];
			hi[k] = hi[k - 1];
		}
		lo[k] = a;
		hi[k] = b;
	}
	return n;
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

/* Which panel L belongs to (0 up, 1 down) and its lower and upper node; -1: not this pair. */
static int rep_link_panel(const struct rep_heat *h, const struct sim_rep_link *l,
			  const char **lower, const char **upper)
{
	if (l->from_tier == h->lo && l->to_tier == h->hi) {
		*lower = l->from;
		*upper = l->to;
		return 0;
	}
	if (l->from_tier == h->hi && l->to_tier == h->lo) {
		*lower = l->to;
		*upper = l->from;
		return 1;
	}
	return -1;
}

/* 0, 1 if the pair has too many nodes on one side to draw, or -ENOMEM. */
static int rep_heat_names(const struct sim_rep_config *c, struct rep_heat *h)
{
	const char *lower, *upper;
	size_t i;

	h->rows = calloc(c->nlinks, sizeof(*h->rows));
	h->cols = calloc(c->nlinks, sizeof(*h->cols));
	if (!h->rows || !h->cols)
		return -ENOMEM;
	for (i = 0; i < c->nlinks; i++) {
		if (rep_link_panel(h, &c->links[i], &lower, &upper) < 0)
			continue;
		rep_name_index(h->rows, &h->nr, lower);
		rep_name_index(h->cols, &h->nc, upper);
		if (h->nr > REP_HEAT_MAX_NAMES || h->nc > REP_HEAT_MAX_NAMES)
			return 1;
	}
	return 0;
}

static int rep_panel_alloc(struct rep_panel *p, size_t cells)
{
	p->util = calloc(cells, sizeof(*p->util));
	p->live = calloc(cells, sizeof(*p->live));
	p->down = calloc(cells, sizeof(*p->down));
	return p->util && p->live && p->down ? 0 : -ENOMEM;
}

static void rep_panel_add(struct rep_panel *p, size_t cell, const struct sim_rep_link *l)
{
	p->nlinks++;
	if (l->down) {
		p->down[cell]++;
		p->ndown++;
		return;
	}
	/* parallel links between one pair of nodes: their mean */
	p->util[cell] += l->util;
	p->live[cell]++;
	p->sum += l->util;
	if (!p->hot || l->util > p->hot->util)
		p->hot = l;
}

/* 0, 1 if the tier pair has too many nodes to draw, or -ENOMEM. */
static int rep_heat_fill(const struct sim_rep_config *c, struct rep_heat *h)
{
	const char *lower, *upper;
	size_t i, ri, ci;
	int ret, k;

	ret = rep_heat_names(c, h);
	if (ret)
		return ret;
	for (k = 0; k < 2; k++)
		if (rep_panel_alloc(&h->p[k], h->nr * h->nc))
			return -ENOMEM;
	for (i = 0; i < c->nlinks; i++) {
		k = rep_link_panel(h, &c->links[i], &lower, &upper);
		if (k < 0)
			continue;
		ri = rep_name_index(h->rows, &h->nr, lower);
		ci = rep_name_index(h->cols, &h->nc, upper);
		rep_panel_add(&h->p[k], ri * h->nc + ci, &c->links[i]);
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < h->nr * h->nc; i++)
			if (h->p[k].live[i])
				h->p[k].util[i] /= h->p[k].live[i];
	return 0;
}

static void rep_heat_free(struct rep_heat *h)
{
	int k;

	free(h->rows);
	free(h->cols);
	for (k = 0; k < 2; k++) {
		free(h->p[k].util);
		free(h->p[k].live);
		free(h->p[k].down);
	}
}

/* Every K-th name labels an axis of N: 1 up to REP_TICK_NAMES names. */
static size_t rep_tick_step(size_t n)
{
	return (n + REP_TICK_NAMES - 1) / REP_TICK_NAMES;
}

static void gp_name_tics(FILE *f, const char *axis, const char **names, size_t n)
{
	size_t i, k = rep_tick_step(n);

	fprintf(f, "\tset %stics out (", axis);
	for (i = 0; i < n; i += k) {
		fprintf(f, "%s", i ? ", " : "");
		sim_gp_str(f, names[i]);
		fprintf(f, " %zu", i);
	}
	fprintf(f, ")\n");
}

static const char *rep_ordinal(size_t k)
{
	if (k % 100 / 10 == 1)
		return "th";
	return k % 10 == 1 ? "st" : k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : "th";
}

/* "leaf", or "leaf (every 4th of 128 labelled)" */
static void rep_axis_label(const char *tier, size_t n, char *buf, size_t len)
{
	size_t k = rep_tick_step(n);

	if (k == 1)
		snprintf(buf, len, "%s", tier);
	else
		snprintf(buf, len, "%s (every %zu%s of %zu labelled)", tier, k, rep_ordinal(k), n);
}

/* BASE + PER * N pixels within LO..HI; N is a count, possibly huge */
static int rep_px(int base, int per, size_t n, int lo, int hi)
{
	size_t v = n > (size_t)hi ? (size_t)hi : (size_t)base + (size_t)per * n;

	return v < (size_t)lo ? lo : v > (size_t)hi ? hi : (int)v;
}

/* $upK: column, row, utilization of the cells with a live link; $downK: cells all down */
static void gp_panel_blocks(FILE *f, const struct rep_heat *h, int k, const char *what)
{
	const struct rep_panel *p = &h->p[k];
	char var[16];
	size_t i, j, c;

	if (p->nlinks > p->ndown) {
		snprintf(var, sizeof(var), "live%d", k);
		sim_gp_data_begin(f, var, "%s: column (upper node), row (lower node), utilization", what);
		for (i = 0; i < h->nr; i++)
			for (j = 0; j < h->nc; j++)
				if (p->live[(c = i * h->nc + j)])
					fprintf(f, "%zu %zu %.4f\n", j, i, p->util[c]);
		sim_gp_data_end(f);
	}
	if (p->ndown) {
		snprintf(var, sizeof(var), "down%d", k);
		sim_gp_data_begin(f, var, "%s: column, row of the links down at the end of the run", what);
		for (i = 0; i < h->nr; i++)
			for (j = 0; j < h->nc; j++)
				if (p->down[(c = i * h->nc + j)] && !p->live[c])
					fprintf(f, "%zu %zu\n", j, i);
		sim_gp_data_end(f);
	}
}

static void gp_panel(FILE *f, const struct rep_heat *h, int k, const char *title, bool colorbox)
{
	const struct rep_panel *p = &h->p[k];
	bool live = p->nlinks > p->ndown;

	fprintf(f, "\tset title ");
	sim_gp_str(f, title);
	fprintf(f, "\n\t%s colorbox\n\tplot ", colorbox ? "set" : "unset");
	if (live)
		fprintf(f, "$live%d using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette "
			"notitle", k);
	if (p->ndown)
		fprintf(f, "%s$down%d using 1:2:(0.5):(0.5) with boxxyerror fs pattern 4 border "
			"lc rgb '#d62728' fc rgb '#d62728' notitle", live ? ", \\\n\t\t" : "", k);
	fputc('\n', f);
}

static double rep_panel_mean(const struct rep_panel *p)
{
	return p->nlinks > p->ndown ? p->sum / (double)(p->nlinks - p->ndown) : 0;
}

static void gp_heat_body(FILE *f, const struct rep_heat *h, const char *title, const char *ctx, int top)
{
	const char *lo = rep_tier_name(h->lo, top), *hi = rep_tier_name(h->hi, top);
	char label[160], ptitle[256];
	int k, last = h->p[1].nlinks ? 1 : 0;

	fprintf(f, "\tunset grid\n\tset multiplot layout 1,%d title ", last + 1);
	sim_gp_str(f, title);
	if (*ctx) {
		fprintf(f, " . \"\\n\" . ");
		sim_gp_str(f, ctx);
	}
	rep_axis_label(hi, h->nc, label, sizeof(label));
	fprintf(f, "\n\tset xlabel ");
	sim_gp_str(f, label);
	rep_axis_label(lo, h->nr, label, sizeof(label));
	fprintf(f, "\n\tset ylabel ");
	sim_gp_str(f, label);
	/* first lower node on top, as in a table */
	fprintf(f, "\n\tset xrange [-0.5:%zu.5]\n\tset yrange [%zu.5:-0.5]\n", h->nc - 1, h->nr - 1);
	gp_name_tics(f, "x", h->cols, h->nc);
	gp_name_tics(f, "y", h->rows, h->nr);
	if (h->nc > 8)
		fprintf(f, "\tset xtics rotate by 60 right\n");
	fprintf(f, "\tset cbrange [0:1]\n"
		"\tset cblabel 'utilization (fraction of line rate)'\n"
		"\tset palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', "
		"0.75 '#5ec962', 1 '#fde725')\n");
	for (k = 0; k <= last; k++) {
		if (!h->p[k].nlinks)
			continue;
		snprintf(ptitle, sizeof(ptitle), "%s: %s -> %s, mean %.1f%%, max %.1f%%%s",
			 k ? "down" : h->lo == h->hi ? "links" : "up", k ? hi : lo, k ? lo : hi,
			 100 * rep_panel_mean(&h->p[k]), h->p[k].hot ? 100 * h->p[k].hot->util : 0.0,
			 h->p[k].ndown ? ", links down hatched" : "");
		gp_panel(f, h, k, ptitle, k == last);
	}
	fprintf(f, "\tunset multiplot\n");
}

/* The live link with the highest utilization of both panels, NULL if every link is down. */
static const struct sim_rep_link *rep_heat_hot(const struct rep_heat *h)
{
	const struct sim_rep_link *a = h->p[0].hot, *b = h->p[1].hot;

	return !a ? b : !b ? a : b->util > a->util ? b : a;
}

static void rep_heat_caption(const struct sim_rep_config *c, const struct rep_heat *h, int top,
			     char *cap, size_t len)
{
	const char *lo = rep_tier_name(h->lo, top), *hi = rep_tier_name(h->hi, top);
	const struct sim_rep_link *hot = rep_heat_hot(h);
	size_t ndown = h->p[0].ndown + h->p[1].ndown, cells = 0, i;

	for (i = 0; i < h->nr * h->nc; i++)
		cells += h->p[0].live[i] || h->p[0].down[i];
	snprintf(cap, len, "Utilization of every %s-%s link of %s%s: up (%s -> %s, left) and down "
		 "(%s -> %s, right), rows the %s, columns the %s, each cell the fraction of the port's "
		 "line rate (parallel links: their mean). Even colour means the load balancer spread "
		 "the traffic.", lo, hi, c->name,
		 c->kind == SIM_REP_COLL ? " (links.csv of the largest message size)" : "",
		 lo, hi, hi, lo, lo, hi);
	if (hot)
		sim_rep_cat(cap, len, " The hottest link is %s -> %s at %.1f%%.", hot->from, hot->to,
			    100 * hot->util);
	if (ndown)
		sim_rep_cat(cap, len, " %zu link direction%s down at the end of the run %s hatched red.",
			    ndown, ndown == 1 ? " was" : "s were", ndown == 1 ? "is" : "are");
	if (cells < h->nr * h->nc)
		sim_rep_cat(cap, len, " Blank cells have no link.");
	if (rep_tick_step(h->nr) > 1)
		sim_rep_cat(cap, len, " Too many %ss to name each: every %zu%s of the %zu is labelled.", lo,
			    rep_tick_step(h->nr), rep_ordinal(rep_tick_step(h->nr)), h->nr);
	if (rep_tick_step(h->nc) > 1)
		sim_rep_cat(cap, len, " Too many %ss to name each: every %zu%s of the %zu is labelled.", hi,
			    rep_tick_step(h->nc), rep_ordinal(rep_tick_step(h->nc)), h->nc);
}

static int rep_heat_plot(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct sim_rep_config *c, const struct rep_heat *h, int top)
{
	char stem[SIM_REP_NAME + 48], title[512], ctx[SIM_REP_LEGEND], cap[SIM_REP_CAPTION];
	char lo[16], hi[16];
	int panels = h->p[0].nlinks && h->p[1].nlinks ? 2 : 1;
	FILE *f;
	int ret;

	sim_rep_ctx_line(c, ctx, sizeof(ctx));
	rep_tier_stem(h->lo, top, lo, sizeof(lo));
	rep_tier_stem(h->hi, top, hi, sizeof(hi));
	snprintf(stem, sizeof(stem), "heatmap-%s-%s-%s", c->stem, lo, hi);
	snprintf(title, sizeof(title), "%s: %s-%s link utilization, up and down%s", c->name,
		 rep_tier_name(h->lo, top), rep_tier_name(h->hi, top),
		 c->kind == SIM_REP_COLL ? ", largest size" : "");
	ret = sim_gp_open(r, stem, title, &f);
	if (ret)
		return ret;
	gp_panel_blocks(f, h, 0, "up");
	gp_panel_blocks(f, h, 1, "down");
	sim_gp_loop_begin(f, stem, panels * rep_px(320, 26, h->nc, 520, 1000) + 100,
			  rep_px(260, 18, h->nr, 560, 1600));
	gp_heat_body(f, h, title, ctx, top);
	rep_heat_caption(c, h, top, cap, sizeof(cap));
	return sim_gp_finish(r, f, fam, stem, cap);
}

static int rep_heat_pair(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct sim_rep_config *c, int lo, int hi, int top)
{
	struct rep_heat h = { .lo = lo, .hi = hi };
	int ret = rep_heat_fill(c, &h);

	if (ret > 0) {
		/* a warning, not an error: the rest of the report is still worth having */
		if (r->warn)
			fprintf(r->warn, "fabsim report: %s: no %s-%s heatmap, more than %d nodes on one side\n",
				c->name, rep_tier_name(lo, top), rep_tier_name(hi, top), REP_HEAT_MAX_NAMES);
		ret = 0;
	} else if (ret < 0) {
		ret = sim_rep_fail(r, ret, "out of memory");
	} else {
		ret = rep_heat_plot(r, fam, c, &h, top);
	}
	rep_heat_free(&h);
	return ret;
}

int sim_rep_plot_heatmap(struct sim_report *r, const struct sim_rep_family *fam,
			 const struct sim_rep_config *c)
{
	int lo[REP_HEAT_PAIRS], hi[REP_HEAT_PAIRS], top = 0, ret = 0;
	size_t i, n;

	for (i = 0; i < c->nlinks; i++)
		top = c->links[i].to_tier > top ? c->links[i].to_tier : top;
	n = rep_tier_pairs(c, lo, hi);
	for (i = 0; i < n && !ret; i++)
		ret = rep_heat_pair(r, fam, c, lo[i], hi[i], top);
	return ret;
}
