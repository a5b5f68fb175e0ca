/*
 * `fabsim report` plots. Each plot is a self-contained gnuplot script,
 * <stem>.gp in the output folder with its data inline (datablocks), that
 * draws <stem>.png and <stem>.svg; it is kept so that a reader can restyle a
 * figure and rerun gnuplot without fabsim. Each plot also leaves a caption
 * for report.md that says what it shows, with the figures it shows.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/report/report.h"

#define REP_CAPTION 2048
#define REP_CDF_POINTS 2000	/* plenty for a smooth curve, small scripts */
#define REP_TRACE_POINTS 3000
#define REP_TICK_NAMES 64	/* above this, switch indices instead of names */
#define REP_CAPTION_ITEMS 8
#define REP_MAX_SIZE 9007199254740992.0	/* 2^53: the loader's bound on sizes */
#define REP_HEAT_MAX_NAMES 4096	/* switches per heatmap axis; beyond, unreadable */

/* One curve of the message-size plots: one job of one configuration. */
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

static void rep_cat(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rep_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* A gnuplot single-quoted string: only the quote itself needs escaping. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static FILE *gp_open(const struct sim_report *r, const char *stem, const char *what)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.gp", r->out_dir, stem);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "fabsim report: cannot write %s: %s\n", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "# fabsim report: %s.\n"
		"# Draws %s.png and %s.svg: edit, then run 'gnuplot %s.gp' in this folder.\n\n",
		what, stem, stem, stem);
	return f;
}

/* Everything after this is drawn twice, once per output format. */
static void gp_loop_begin(FILE *f, const char *stem, int w_px, int h_px)
{
	fprintf(f, "do for [fmt in \"png svg\"] {\n"
		"\treset\n"
		"\tif (fmt eq \"png\") {\n"
		"\t\tset terminal pngcairo size %d,%d noenhanced font 'Sans,11'\n"
		"\t} else {\n"
		"\t\tset terminal svg size %d,%d noenhanced font 'Sans,11' background rgb 'white'\n"
		"\t}\n"
		"\tset output '%s.' . fmt\n"
		"\tset grid\n",
		w_px, h_px, w_px, h_px, stem);
	/* gnuplot's default yellow is unreadable on white: a darker cycle */
	fprintf(f, "\tset linetype 1 lc rgb '#1f77b4'\n\tset linetype 2 lc rgb '#ff7f0e'\n"
		"\tset linetype 3 lc rgb '#2ca02c'\n\tset linetype 4 lc rgb '#d62728'\n"
		"\tset linetype 5 lc rgb '#9467bd'\n\tset linetype 6 lc rgb '#8c564b'\n"
		"\tset linetype 7 lc rgb '#e377c2'\n\tset linetype 8 lc rgb '#17becf'\n"
		"\tset linetype cycle 8\n");
}

static int gp_run(const char *dir, const char *script)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fabsim report: cannot fork gnuplot: %s\n", strerror(errno));
		return -1;
	}
	if (!pid) {
		/* the script names its outputs relative to its own folder */
		if (chdir(dir)) {
			fprintf(stderr, "fabsim report: cannot enter %s: %s\n", dir, strerror(errno));
			_exit(127);
		}
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		fprintf(stderr, "fabsim report: cannot run gnuplot: %s (is gnuplot installed?)\n",
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "fabsim report: gnuplot failed on %s/%s\n", dir, script);
		return -1;
	}
	return 0;
}

static int rep_add_plot(struct sim_report *r, const char *stem, const char *section,
			const char *caption)
{
	struct sim_rep_plot *p = realloc(r->plots, (r->nplots + 1) * sizeof(*p));

	if (!p)
		goto out_nomem;
	r->plots = p;
	p += r->nplots;
	memset(p, 0, sizeof(*p));
	snprintf(p->stem, sizeof(p->stem), "%s", stem);
	snprintf(p->section, sizeof(p->section), "%s", section);
	p->caption = strdup(caption);
	if (!p->caption)
		goto out_nomem;
	r->nplots++;
	return 0;

out_nomem:
	fprintf(stderr, "fabsim report: out of memory\n");
	return -1;
}

/* Closes the loop gp_loop_begin opened, runs the script, records the plot. */
static int gp_finish(struct sim_report *r, FILE *f, const char *stem, const char *section,
		     const char *caption)
{
	static const char *const ext[] = { "gp", "png", "svg" };
	char script[SIM_REP_NAME + 40], name[SIM_REP_NAME + 40];
	unsigned int i;

	fprintf(f, "\tunset output\n}\n");
	snprintf(script, sizeof(script), "%s.gp", stem);
	if (fclose(f)) {
		fprintf(stderr, "fabsim report: cannot write %s/%s\n", r->out_dir, script);
		return -1;
	}
	if (gp_run(r->out_dir, script))
		return -1;
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s.%s", stem, ext[i]);
		if (sim_rep_add_file(r, name))
			return -1;
	}
	return rep_add_plot(r, stem, section, caption);
}

/* log2 x axis with ticks at powers of two labelled as on the command line */
static void gp_size_axis(FILE *f, double lo, double hi)
{
	int e, e0, e1, step;
	char label[32];

	/* the loader holds sizes to 1..2^53; keep the int conversions defined regardless */
	if (!(lo >= 1 && lo <= REP_MAX_SIZE))
		lo = 1;
	if (!(hi >= lo && hi <= REP_MAX_SIZE))
		hi = lo;
	e0 = (int)floor(log2(lo));
	e1 = (int)ceil(log2(hi));
	step = (e1 - e0) / 12 + 1;

	fprintf(f, "\tset logscale x 2\n\tset xrange [%g:%g]\n\tset xtics (", lo / 1.4, hi * 1.4);
	for (e = e0; e <= e1; e += step) {
		sim_rep_size_label(ldexp(1, e), label, sizeof(label));
		fprintf(f, "%s'%s' %.0f", e > e0 ? ", " : "", label, ldexp(1, e));
	}
	fprintf(f, ")\n\tset xlabel 'message size (bytes; 1K = 1024)'\n");
}

/*
 * Bandwidth grows with message size, so the lower right corner is free for
 * the key; headroom above keeps the line-rate reference off the border.
 */
static void gp_size_key(FILE *f, size_t ncurves)
{
	fprintf(f, "\tset yrange [0:*]\n\tset offsets 0, 0, graph 0.08, 0\n");
	if (ncurves > 8)
		fprintf(f, "\tset key below\n");
	else
		fprintf(f, "\tset key bottom right opaque box\n");
}

/* ---- collectives: one curve per configuration and job ---------------- */

static int rep_curves_add(struct rep_curve **cv, size_t *n, size_t *cap,
			  const struct sim_rep_config *c, const char *job)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*cv)[i].c == c && !strcmp((*cv)[i].job, job))
			return 0;
	if (sim_rep_grow(cv, cap, *n, sizeof(**cv)))
		return -1;
	(*cv)[*n].c = c;
	(*cv)[*n].job = job;
	(*n)++;
	return 0;
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
	int same_coll = 1, same_alg = 1;
	size_t i;

	for (i = 1; i < n; i++) {
		b = rep_curve_row(&cv[i], 0);
		same_coll &= !strcmp(a->collective, b->collective);
		same_alg &= !strcmp(a->algorithm, b->algorithm);
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
			rep_cat(cv[i].title, sizeof(cv[i].title), " (%s %s)", b->collective, b->algorithm);
		else if (!same_alg)
			rep_cat(cv[i].title, sizeof(cv[i].title), " (%s)", b->algorithm);
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
	size_t i, k;

	*lo = INFINITY;
	*hi = 0;
	for (i = 0; i < n; i++) {
		fprintf(f, "# %s: message size (bytes), value\n$c%zu << EOD\n", cv[i].title, i);
		for (k = 0; (row = rep_curve_row(&cv[i], k)); k++) {
			fprintf(f, "%.0f %.6g\n", row->size_bytes, rep_size_value(row, kind));
			*lo = fmin(*lo, row->size_bytes);
			*hi = fmax(*hi, row->size_bytes);
		}
		fprintf(f, "EOD\n\n");
	}
}

/* Dashed reference at each distinct NIC line rate among the curves. */
static void gp_line_rates(FILE *f, const double *gbps, size_t n, enum rep_size_plot kind)
{
	size_t i, j, k;

	if (kind != REP_BUSBW) {
		fprintf(f, ", \\\n\t\t100 with lines dt 2 lw 1.5 lc rgb 'black' title 'NIC line rate (100%%)'");
		return;
	}
	for (i = 0, k = 0; i < n; i++) {
		for (j = 0; j < i && gbps[j] != gbps[i]; j++)
			;
		if (j < i || !(gbps[i] > 0))
			continue;
		/* several line rates: a dash pattern each */
		fprintf(f, ", \\\n\t\t%g with lines dt %zu lw 1.5 lc rgb 'black' "
			"title 'NIC line rate (%.4g Gb/s = %.3g GB/s)'", gbps[i] / 8, 2 + k++,
			gbps[i], gbps[i] / 8);
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
	for (i = 0; i < n && i < REP_CAPTION_ITEMS; i++) {
		const struct sim_rep_coll *last = rep_curve_last(&cv[i]);

		sim_rep_size_label(last->size_bytes, size, sizeof(size));
		rep_cat(cap, len, "%s%s %.1f%s (%s)", i ? ", " : "", cv[i].title,
			rep_size_value(last, kind), unit, size);
	}
	rep_cat(cap, len, "%s.", n > REP_CAPTION_ITEMS ? ", ..." : "");
}

static int rep_size_plot(struct sim_report *r, const struct rep_curve *cv, size_t n,
			 const char *common, enum rep_size_plot kind)
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
	char cap[REP_CAPTION], t[256];
	double lo, hi, *gbps;
	size_t i;
	FILE *f;

	gbps = calloc(n, sizeof(*gbps));
	if (!gbps)
		return -1;
	snprintf(t, sizeof(t), "%s: %s", common, title[kind]);
	f = gp_open(r, stem, t);
	if (!f)
		goto out_free_gbps;
	gp_size_blocks(f, cv, n, kind, &lo, &hi);
	gp_loop_begin(f, stem, 960, 600);
	gp_size_axis(f, lo, hi);
	fprintf(f, "\tset title ");
	gp_str(f, t);
	fprintf(f, "\n\tset ylabel '%s'\n", ylabel[kind]);
	gp_size_key(f, n);
	fprintf(f, "\tplot ");
	for (i = 0; i < n; i++) {
		gbps[i] = rep_curve_row(&cv[i], 0)->line_gbps;
		fprintf(f, "%s$c%zu using 1:2 with linespoints lw 2 pt 7 ps 0.8 title ",
			i ? ", \\\n\t\t" : "", i);
		gp_str(f, cv[i].title);
	}
	gp_line_rates(f, gbps, n, kind);
	fprintf(f, "\n");
	free(gbps);
	rep_size_caption(cv, n, kind, cap, sizeof(cap));
	return gp_finish(r, f, stem, "Collectives across configurations", cap);

out_free_gbps:
	free(gbps);
	return -1;
}

static int rep_collective_plots(struct sim_report *r)
{
	struct rep_curve *cv = NULL;
	size_t i, k, n = 0, cap = 0;
	char common[128];
	int ret = 0;

	for (i = 0; i < r->ncfg && !ret; i++)
		for (k = 0; k < r->cfg[i].ncoll && !ret; k++)
			if (r->cfg[i].kind == SIM_REP_COLL)
				ret = rep_curves_add(&cv, &n, &cap, &r->cfg[i], r->cfg[i].coll[k].job);
	if (!ret && n) {
		rep_curve_titles(cv, n, common, sizeof(common));
		ret = rep_size_plot(r, cv, n, common, REP_EFFECTIVE) ||
		      rep_size_plot(r, cv, n, common, REP_BUSBW) ||
		      rep_size_plot(r, cv, n, common, REP_NIC_BUSY) ? -1 : 0;
	}
	free(cv);
	return ret;
}

/* ---- flow completion time CDF ---------------------------------------- */

static double rep_p99_us(const struct sim_rep_config *c)
{
	return sim_rep_num(c->kind == SIM_REP_COLL ? c->largest : c->summary, "fct_p99_us");
}

static void rep_cdf_title(const struct sim_rep_config *c, char *buf, size_t len)
{
	char size[32];
	double max = 0;
	size_t i;

	if (c->kind == SIM_REP_COLL) {
		for (i = 0; i < c->ncoll; i++)
			max = fmax(max, c->coll[i].size_bytes);
		sim_rep_size_label(max, size, sizeof(size));
		snprintf(buf, len, "%s, %s %s (%zu flows", c->name, size, c->coll[0].collective,
			 c->nflows);
	} else {
		snprintf(buf, len, "%s (%zu flows", c->name, c->nflows);
	}
	if (c->nflows > c->nfct)
		rep_cat(buf, len, ", %zu unfinished", c->nflows - c->nfct);
	rep_cat(buf, len, ")");
}

/* Unfinished flows count in the denominator, so their CDF stops below 1. */
static void gp_cdf_block(FILE *f, const struct sim_rep_config *c, size_t idx)
{
	size_t i, k, step = c->nfct / REP_CDF_POINTS + 1;

	fprintf(f, "# %s: FCT (us), fraction of flows finished by then\n$f%zu << EOD\n", c->name, idx);
	for (i = 0; i < c->nfct; i += step) {
		k = i + step - 1 < c->nfct ? i + step - 1 : c->nfct - 1;
		if (!i)
			fprintf(f, "%.6g %.6g\n", c->fct_us[0], 1.0 / (double)c->nflows);
		fprintf(f, "%.6g %.6g\n", c->fct_us[k], (double)(k + 1) / (double)c->nflows);
	}
	fprintf(f, "EOD\n\n");
}

static void rep_cdf_caption(const struct sim_report *r, char *cap, size_t len)
{
	size_t i, k = 0;

	snprintf(cap, len, "Cumulative distribution of flow completion times, one curve per "
		 "configuration (collectives: the flows of the largest message size, intra-server "
		 "transfers included, which finish first); the further left and the steeper, the "
		 "better, and a long tail on the right is what stalls a collective. p99 FCT: ");
	for (i = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		if (!c->nfct || k++ >= REP_CAPTION_ITEMS)
			continue;
		rep_cat(cap, len, "%s%s %.1f us", k > 1 ? ", " : "", c->name, rep_p99_us(c));
	}
	rep_cat(cap, len, "%s.", k > REP_CAPTION_ITEMS ? ", ..." : "");
}

static int rep_fct_cdf(struct sim_report *r)
{
	static const char stem[] = "fct-cdf";
	double lo = INFINITY, hi = 0;
	char cap[REP_CAPTION], title[SIM_REP_NAME * 2];
	size_t i, n = 0;
	FILE *f;

	for (i = 0; i < r->ncfg; i++) {
		if (!r->cfg[i].nfct)
			continue;
		lo = fmin(lo, r->cfg[i].fct_us[0]);
		hi = fmax(hi, r->cfg[i].fct_us[r->cfg[i].nfct - 1]);
		n++;
	}
	if (!n)
		return 0;
	f = gp_open(r, stem, "flow completion time CDF per configuration");
	if (!f)
		return -1;
	for (i = 0; i < r->ncfg; i++)
		if (r->cfg[i].nfct)
			gp_cdf_block(f, &r->cfg[i], i);
	gp_loop_begin(f, stem, 960, 600);
	/* a log axis only pays when the FCTs span more than two decades */
	if (lo > 0 && hi / lo > 100)
		fprintf(f, "\tset logscale x 10\n\tset format x '%%g'\n");
	fprintf(f, "\tset title 'Flow completion time CDF'\n"
		"\tset xlabel 'flow completion time (us%s)'\n"
		"\tset ylabel 'fraction of flows completed'\n"
		"\tset yrange [0:1.02]\n\tset key below\n\tplot ",
		lo > 0 && hi / lo > 100 ? ", log scale" : "");
	for (i = 0, n = 0; i < r->ncfg; i++) {
		if (!r->cfg[i].nfct)
			continue;
		rep_cdf_title(&r->cfg[i], title, sizeof(title));
		fprintf(f, "%s$f%zu using 1:2 with lines lw 2 title ", n++ ? ", \\\n\t\t" : "", i);
		gp_str(f, title);
	}
	fprintf(f, "\n");
	rep_cdf_caption(r, cap, sizeof(cap));
	return gp_finish(r, f, stem, "Flow completion times", cap);
}

/* ---- link utilization heatmap of the busiest switch tier -------------- */

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

static int rep_heat_fill(const struct sim_rep_config *c, struct rep_heat *h)
{
	double *count;
	size_t i, ri, ci;

	h->rows = calloc(c->nlinks, sizeof(*h->rows));
	h->cols = calloc(c->nlinks, sizeof(*h->cols));
	if (!h->rows || !h->cols)
		return -1;
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
		return -1;
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
		gp_str(f, names[i]);
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

	fprintf(f, "# rows: source switch, columns: destination switch, NaN: no link\n$heat << EOD\n");
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
	fprintf(f, "EOD\n\n");
}

static void gp_heat_body(FILE *f, const struct rep_heat *h,
			 const char *title, int top)
{
	const char *src = rep_tier_name(h->from_tier, top), *dst = rep_tier_name(h->to_tier, top);

	fprintf(f, "\tunset grid\n\tset title ");
	gp_str(f, title);
	fprintf(f, "\n\tset xlabel 'destination %s%s'\n\tset ylabel 'source %s%s'\n",
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

static int rep_heatmap(struct sim_report *r, const struct sim_rep_config *c)
{
	struct rep_heat h = { 0 };
	char stem[SIM_REP_NAME + 16], title[512], cap[REP_CAPTION];
	int top = 0, ret = -1;
	size_t i;
	FILE *f;

	for (i = 0; i < c->nlinks; i++)
		top = c->links[i].to_tier > top ? c->links[i].to_tier : top;
	if (rep_busiest_tier(c, &h))
		return 0;	/* a single switch: no switch-to-switch links */
	ret = rep_heat_fill(c, &h);
	if (ret > 0)
		fprintf(stderr, "fabsim report: %s: no heatmap, more than %d switches on one side of "
			"its busiest tier\n", c->name, REP_HEAT_MAX_NAMES);
	if (ret) {
		ret = ret > 0 ? 0 : -1;
		goto out_free;
	}
	ret = -1;
	snprintf(stem, sizeof(stem), "heatmap-%s", c->stem);
	snprintf(title, sizeof(title), "%s: %s -> %s link utilization (busiest tier; mean %.1f%%, max %.1f%%)%s",
		 c->name, rep_tier_name(h.from_tier, top), rep_tier_name(h.to_tier, top),
		 100 * h.mean, 100 * h.max, c->kind == SIM_REP_COLL ? ", largest size" : "");
	f = gp_open(r, stem, title);
	if (!f)
		goto out_free;
	gp_heat_block(f, &h);
	gp_loop_begin(f, stem, rep_px(360, 30, h.nc, 720, 1400), rep_px(220, 16, h.nr, 520, 1400));
	gp_heat_body(f, &h, title, top);
	snprintf(cap, sizeof(cap), "Utilization of every %s -> %s link of %s, the switch-to-switch "
		 "tier with the highest mean utilization (%.1f%%), rows the source switch, columns "
		 "the destination%s. Even colour means the load balancer spread the traffic; "
		 "the hottest link is %s -> %s at %.1f%%%s.",
		 rep_tier_name(h.from_tier, top), rep_tier_name(h.to_tier, top), c->name,
		 100 * h.mean, c->kind == SIM_REP_COLL ? " (links.csv of the largest message size)" : "",
		 h.hot->from, h.hot->to, 100 * h.max,
		 h.nr * h.nc > c->nlinks ? "; blank cells have no link" : "");
	ret = gp_finish(r, f, stem, "Link utilization", cap);
out_free:
	rep_heat_free(&h);
	return ret;
}

/* ---- queue and PFC time series of the traced port --------------------- */

/* Long traces: keep each bucket's peak queue and pause so spikes survive. */
static void gp_trace_block(FILE *f, const struct sim_rep_config *c)
{
	size_t i, k, step = c->ntrace / REP_TRACE_POINTS + 1;

	fprintf(f, "# time (us), data queue (KB), paused (0/1), cumulative: ECN marks, "
		"pauses received, pauses sent, drops\n$trace << EOD\n");
	for (i = 0; i < c->ntrace; i += step) {
		const struct sim_rep_sample *s = &c->trace[i], *last;
		double q = 0, paused = 0;

		for (k = i; k < c->ntrace && k < i + step; k++) {
			q = fmax(q, c->trace[k].queue_bytes);
			paused = fmax(paused, c->trace[k].paused);
		}
		last = &c->trace[k - 1];
		fprintf(f, "%.3f %.3f %.0f %.0f %.0f %.0f %.0f\n", s->time_us, q / 1024, paused,
			last->ecn_marks, last->pauses_rcvd, last->pauses_sent, last->drops);
	}
	fprintf(f, "EOD\n\n");
}

static void gp_queue_body(FILE *f, const struct sim_rep_config *c, const char *title)
{
	const struct sim_rep_sample *end = &c->trace[c->ntrace - 1];
	double qmax = 0, nmax;
	size_t i;

	/* an idle port draws flat lines at 0: say so, or it looks broken */
	for (i = 0; i < c->ntrace; i++)
		qmax = fmax(qmax, c->trace[i].queue_bytes);
	nmax = fmax(fmax(end->ecn_marks, end->drops), fmax(end->pauses_rcvd, end->pauses_sent));
	fprintf(f, "\tset multiplot title ");
	gp_str(f, title);
	fprintf(f, "\n\tset lmargin 12\n\tset rmargin 34\n"
		"\tset origin 0,0.36\n\tset size 1,0.58\n"
		"\tset ylabel 'data queue (KB)'\n\tset yrange [0:%s]\n"
		"\tset y2label 'PFC pause state'\n\tset y2range [0:1.05]\n"
		"\tset y2tics ('running' 0, 'paused' 1)\n\tset format x ''\n"
		"\tset key top right opaque\n%s"
		"\tplot $trace using 1:3 axes x1y2 with fillsteps fs transparent solid 0.3 noborder "
		"lc rgb '#d62728' title 'paused by PFC', \\\n"
		"\t\t$trace using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'data queue'\n",
		qmax > 0 ? "*" : "1", qmax > 0 ? "" : "\tset label 1 'the queue stayed empty at this port' at graph 0.5, 0.5 center\n");
	fprintf(f, "\tset origin 0,0\n\tset size 1,0.38\n\tunset y2tics\n\tunset y2label\n"
		"\tset format x '%%g'\n\tset xlabel 'time (us)'\n\tset ylabel 'cumulative count'\n"
		"\tset yrange [0:%s]\n\tunset label 1\n%s"
		"\tset key outside right center\n"
		"\tplot $trace using 1:4 with lines lw 2 title 'ECN marks (%.0f)', \\\n"
		"\t\t$trace using 1:5 with lines lw 2 title 'PFC pauses received (%.0f)', \\\n"
		"\t\t$trace using 1:6 with lines lw 2 dt 3 title 'PFC pauses sent (%.0f)', \\\n"
		"\t\t$trace using 1:7 with lines lw 2 title 'drops (%.0f)'\n"
		"\tunset multiplot\n",
		nmax > 0 ? "*" : "1", nmax > 0 ? "" :
		"\tset label 1 'no ECN marks, PFC pauses or drops at this port' at graph 0.5, 0.5 center\n",
		end->ecn_marks, end->pauses_rcvd, end->pauses_sent, end->drops);
}

static void rep_queue_caption(const struct sim_rep_config *c, const char *port, char *cap, size_t len)
{
	const struct sim_rep_sample *end = &c->trace[c->ntrace - 1];
	double qmax = 0, paused_us = 0;
	size_t i;

	for (i = 0; i < c->ntrace; i++) {
		qmax = fmax(qmax, c->trace[i].queue_bytes);
		if (i && c->trace[i - 1].paused > 0)
			paused_us += c->trace[i].time_us - c->trace[i - 1].time_us;
	}
	snprintf(cap, len, "Egress queue of %s in %s over time (top, with the time the port was "
		 "paused by PFC shaded), and the cumulative ECN marks, PFC pauses and drops at "
		 "that port (bottom). Peak queue %.1f KB; paused for %.1f us of %.1f us; %.0f ECN "
		 "marks, %.0f pauses received, %.0f sent, %.0f drops.",
		 port ? port : "the traced port", c->name, qmax / 1024, paused_us,
		 end->time_us, end->ecn_marks, end->pauses_rcvd, end->pauses_sent, end->drops);
}

static int rep_queue(struct sim_report *r, const struct sim_rep_config *c)
{
	const char *port = sim_rep_port(r, c);
	char stem[SIM_REP_NAME + 16], title[512], cap[REP_CAPTION];
	FILE *f;

	if (!c->ntrace)
		return 0;
	snprintf(stem, sizeof(stem), "queue-%s", c->stem);
	snprintf(title, sizeof(title), "%s: queue and PFC at port %s%s", c->name,
		 port ? port : "(traced port)", c->kind == SIM_REP_COLL ? ", largest size" : "");
	f = gp_open(r, stem, title);
	if (!f)
		return -1;
	gp_trace_block(f, c);
	gp_loop_begin(f, stem, 1100, 700);
	gp_queue_body(f, c, title);
	rep_queue_caption(c, port, cap, sizeof(cap));
	return gp_finish(r, f, stem, "Queues and PFC", cap);
}

/* ---- predicted vs measured ------------------------------------------- */

/* One curve: rows of one configuration, algorithm and rank count. */
static int rep_same_pred(const struct sim_rep_pred *a, const struct sim_rep_pred *b)
{
	return !strcmp(a->collective, b->collective) && !strcmp(a->algorithm, b->algorithm) &&
	       a->nranks == b->nranks;
}

static int rep_pred_first(const struct sim_rep_config *c, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (rep_same_pred(&c->pred[i], &c->pred[k]))
			return 0;
	return 1;
}

static void gp_pred_block(FILE *f, const struct sim_rep_config *c, const struct sim_rep_pred *key,
			  size_t idx, double *lo, double *hi)
{
	size_t i;

	fprintf(f, "# %s %s %s, %u ranks: size (bytes), measured and predicted busbw (GB/s)\n"
		"$p%zu << EOD\n", c->name, key->collective, key->algorithm, key->nranks, idx);
	for (i = 0; i < c->npred; i++) {
		if (!rep_same_pred(&c->pred[i], key))
			continue;
		fprintf(f, "%.0f %.6g %.6g\n", c->pred[i].size_bytes,
			c->pred[i].meas_busbw_gbyte_s, c->pred[i].pred_busbw_gbyte_s);
		*lo = fmin(*lo, c->pred[i].size_bytes);
		*hi = fmax(*hi, c->pred[i].size_bytes);
	}
	fprintf(f, "EOD\n\n");
}

static void gp_pred_curve(FILE *f, const struct sim_report *r, const struct sim_rep_config *c,
			  const struct sim_rep_pred *p, size_t idx, size_t ncurve)
{
	char t[SIM_REP_NAME * 2];

	snprintf(t, sizeof(t), "%s%s%s, %u ranks", r->ncfg > 1 ? c->name : "",
		 r->ncfg > 1 ? ": " : "", p->algorithm, p->nranks);
	fprintf(f, "%s$p%zu using 1:2 with linespoints lw 2 pt 7 lc %zu title ",
		ncurve ? ", \\\n\t\t" : "", idx, ncurve + 1);
	gp_str(f, t);
	fprintf(f, ". ', measured', \\\n\t\t$p%zu using 1:3 with lines lw 2 dt 4 lc %zu title ",
		idx, ncurve + 1);
	gp_str(f, t);
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
		rep_cat(cap, len, "; the predicted time is off by %+.1f%% to %+.1f%% "
			"(mean |error| %.1f%%)", 100 * lo, 100 * hi, 100 * sum / (double)n);
	rep_cat(cap, len, ".");
}

static int rep_pred_plot(struct sim_report *r, const char *coll, const char *coll_stem)
{
	char stem[128], title[256], cap[REP_CAPTION];
	double lo = INFINITY, hi = 0, gbps[64];
	size_t i, k, n = 0, ncurves = 0, ng = 0;
	FILE *f;

	snprintf(stem, sizeof(stem), "predicted-vs-measured-%s", coll_stem);
	snprintf(title, sizeof(title), "%s: predicted vs measured bus bandwidth", coll);
	f = gp_open(r, stem, title);
	if (!f)
		return -1;
	for (i = 0; i < r->ncfg; i++)
		for (k = 0; k < r->cfg[i].npred; k++)
			if (!strcmp(r->cfg[i].pred[k].collective, coll) && rep_pred_first(&r->cfg[i], k)) {
				gp_pred_block(f, &r->cfg[i], &r->cfg[i].pred[k], i * 1000 + k, &lo, &hi);
				ncurves++;
			}
	gp_loop_begin(f, stem, 960, 600);
	gp_size_axis(f, lo, hi);
	fprintf(f, "\tset title ");
	gp_str(f, title);
	fprintf(f, "\n\tset ylabel 'bus bandwidth (GB/s)'\n");
	gp_size_key(f, 2 * ncurves);
	fprintf(f, "\tplot ");
	for (i = 0; i < r->ncfg; i++) {
		for (k = 0; k < r->cfg[i].npred; k++) {
			const struct sim_rep_pred *p = &r->cfg[i].pred[k];

			if (strcmp(p->collective, coll) || !rep_pred_first(&r->cfg[i], k))
				continue;
			gp_pred_curve(f, r, &r->cfg[i], p, i * 1000 + k, n++);
			if (ng < 64)
				gbps[ng++] = p->line_gbps;
		}
	}
	gp_line_rates(f, gbps, ng, REP_BUSBW);
	fprintf(f, "\n");
	rep_pred_caption(r, coll, cap, sizeof(cap));
	return gp_finish(r, f, stem, "Predicted vs measured", cap);
}

static int rep_seen_coll(const struct sim_report *r, size_t ci, size_t k)
{
	const char *coll = r->cfg[ci].pred[k].collective;
	size_t i, j;

	for (i = 0; i <= ci; i++)
		for (j = 0; j < (i == ci ? k : r->cfg[i].npred); j++)
			if (!strcmp(r->cfg[i].pred[j].collective, coll))
				return 1;
	return 0;
}

static int rep_predictions(struct sim_report *r)
{
	char stem[64];
	size_t i, k, j;

	for (i = 0; i < r->ncfg; i++) {
		for (k = 0; k < r->cfg[i].npred; k++) {
			const char *coll = r->cfg[i].pred[k].collective;

			if (rep_seen_coll(r, i, k))
				continue;
			for (j = 0; coll[j] && j < sizeof(stem) - 1; j++)
				stem[j] = strchr("/ '\"\\", coll[j]) ? '-' : coll[j];
			stem[j] = 0;
			if (rep_pred_plot(r, coll, stem))
				return -1;
		}
	}
	return 0;
}

int sim_rep_plots(struct sim_report *r)
{
	size_t i;

	if (rep_collective_plots(r) || rep_fct_cdf(r))
		return -1;
	for (i = 0; i < r->ncfg; i++)
		if (rep_heatmap(r, &r->cfg[i]))
			return -1;
	for (i = 0; i < r->ncfg; i++)
		if (rep_queue(r, &r->cfg[i]))
			return -1;
	return rep_predictions(r);
}
