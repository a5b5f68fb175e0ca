/*
 * Plot family "point-to-point matrix": from fabbench's --p2p all
 * --p2p-csv file (report --p2p FILE), two rank x rank heatmaps, the
 * typical one-way latency (us) and the bandwidth (GB/s) of every pair,
 * each measured alone. The matrix is symmetric (a pair is one row of the
 * file); the pair slowest by each figure is outlined in red and named in
 * the title, so that a slow link in a cluster stands out.
 */
#include <math.h>
#include <stdio.h>

#include "sim/report/gnuplot.h"

#define REP_P2P_TICKS 40	/* ranks an axis names at most; beyond, every k-th */

static double rep_pair_value(const struct sim_rep_pair *p, bool bw)
{
	return bw ? p->bw_GBps : p->lat_us;
}

/* $cells: both cells of every pair; $slow: those of the slowest */
static void gp_p2p_blocks(FILE *f, const struct sim_rep_p2p *p, const struct sim_rep_pair *slow, bool bw)
{
	const char *unit = bw ? "GB/s" : "us";
	size_t i;

	sim_gp_data_begin(f, "cells", "column rank, row rank, %s (each pair twice: the matrix is symmetric)",
			  bw ? "bandwidth (GB/s)" : "latency (us)");
	for (i = 0; i < p->npairs; i++) {
		const struct sim_rep_pair *q = &p->pair[i];

		fprintf(f, "%u %u %.6g\n%u %u %.6g\n", q->dst, q->src, rep_pair_value(q, bw), q->src, q->dst,
			rep_pair_value(q, bw));
	}
	sim_gp_data_end(f);
	sim_gp_data_begin(f, "slow", "the slowest pair: ranks %u and %u, %.6g %s", slow->src, slow->dst,
			  rep_pair_value(slow, bw), unit);
	fprintf(f, "%u %u\n%u %u\n", slow->dst, slow->src, slow->src, slow->dst);
	sim_gp_data_end(f);
}

/* "3 (node-c)", or "3" when the file names no hosts */
static void rep_rank_label(const struct sim_rep_p2p *p, unsigned int r, char *buf, size_t len)
{
	if (p->host[r][0])
		snprintf(buf, len, "%u (%s)", r, p->host[r]);
	else
		snprintf(buf, len, "%u", r);
}

static void gp_p2p_tics(FILE *f, const struct sim_rep_p2p *p, const char *axis)
{
	unsigned int r, k = (p->nranks + REP_P2P_TICKS - 1) / REP_P2P_TICKS;
	char label[96];

	fprintf(f, "\tset %stics out (", axis);
	for (r = 0; r < p->nranks; r += k) {
		rep_rank_label(p, r, label, sizeof(label));
		fprintf(f, "%s", r ? ", " : "");
		sim_gp_str(f, label);
		fprintf(f, " %u", r);
	}
	fprintf(f, ")\n");
}

static void gp_p2p_body(FILE *f, const struct sim_rep_p2p *p, const char *title, bool bw)
{
	unsigned int k = (p->nranks + REP_P2P_TICKS - 1) / REP_P2P_TICKS;
	double lo = INFINITY, hi = -INFINITY, v;
	char axis[96], line2[4200];
	size_t i;

	for (i = 0; i < p->npairs; i++) {
		v = rep_pair_value(&p->pair[i], bw);
		lo = fmin(lo, v);
		hi = fmax(hi, v);
	}
	/* an empty colour range makes gnuplot warn: widen it around a single value */
	if (!(hi > lo)) {
		lo = lo > 0 ? lo * 0.9 : 0;
		hi = hi > 0 ? hi * 1.1 : 1;
	}
	if (k > 1)
		snprintf(axis, sizeof(axis), "rank (every %u%s of %u labelled)", k,
			 k % 100 / 10 == 1 ? "th" : k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : k % 10 == 1 ? "st" : "th",
			 p->nranks);
	else
		snprintf(axis, sizeof(axis), "rank");
	fprintf(f, "\tunset grid\n");
	snprintf(line2, sizeof(line2), "%s; the slowest pair outlined", p->path);
	sim_gp_title2(f, title, line2);
	fprintf(f, "\tset xlabel ");
	sim_gp_str(f, axis);
	fprintf(f, "\n\tset ylabel ");
	sim_gp_str(f, axis);
	fprintf(f, "\n\tset xrange [-0.5:%u.5]\n\tset yrange [%u.5:-0.5]\n", p->nranks - 1, p->nranks - 1);
	gp_p2p_tics(f, p, "x");
	gp_p2p_tics(f, p, "y");
	if (p->nranks > 8)
		fprintf(f, "\tset xtics rotate by 60 right\n");
	/* dark is bad in both: slow bandwidth, high latency */
	fprintf(f, "\tset rmargin 16\n\tset cbrange [%.6g:%.6g]\n\tset cblabel '%s'\n"
		"\tset palette defined %s\n"
		"\tplot $cells using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \\\n"
		"\t\t$slow using 1:2:(0.45):(0.45) with boxxyerror fs empty border "
		"lc rgb '#d62728' fc rgb '#d62728' lw 3 notitle\n",
		lo, hi, bw ? "bandwidth (GB/s)" : "latency (us, typical one-way)",
		bw ? "(0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')" :
		"(0 '#fde725', 0.25 '#5ec962', 0.5 '#21918c', 0.75 '#3b528b', 1 '#440154')");
}

static int rep_p2p_plot(struct sim_report *r, const struct sim_rep_family *fam, bool bw)
{
	const struct sim_rep_p2p *p = &r->p2p;
	const struct sim_rep_pair *s = bw ? p->slow : p->far;
	const char *stem = bw ? "p2p-bandwidth" : "p2p-latency";
	char title[512], cap[SIM_REP_CAPTION], a[96], b[96];
	int px = p->nranks > 64 ? 1400 : 560 + 14 * (int)p->nranks;
	FILE *f;
	int ret;

	rep_rank_label(p, s->src, a, sizeof(a));
	rep_rank_label(p, s->dst, b, sizeof(b));
	snprintf(title, sizeof(title), "p2p %s, %u ranks: slowest %s <-> %s, %.*f %s (median %.*f)",
		 bw ? "bandwidth" : "latency", p->nranks, a, b, bw ? 3 : 2, rep_pair_value(s, bw),
		 bw ? "GB/s" : "us", bw ? 3 : 2, bw ? p->median_GBps : p->median_us);
	ret = sim_gp_open(r, stem, title, &f);
	if (ret)
		return ret;
	gp_p2p_blocks(f, p, s, bw);
	sim_gp_loop_begin(f, stem, px + 240, px);
	gp_p2p_body(f, p, title, bw);
	snprintf(cap, sizeof(cap), "%s of every pair of the %u ranks of %s (fabbench --p2p all, each pair "
		 "measured alone), rank x rank: the matrix is symmetric. The %s pair, outlined in red, is "
		 "rank %s <-> %s at %.*f %s; the median pair %.*f %s.",
		 bw ? "Bandwidth (GB/s, lower rank -> higher)" : "Typical one-way latency (us)", p->nranks,
		 p->path, bw ? "slowest" : "highest-latency", a, b, bw ? 3 : 2, rep_pair_value(s, bw),
		 bw ? "GB/s" : "us", bw ? 3 : 2, bw ? p->median_GBps : p->median_us, bw ? "GB/s" : "us");
	return sim_gp_finish(r, f, fam, stem, cap);
}

int sim_rep_plot_p2p(struct sim_report *r, const struct sim_rep_family *fam)
{
	int ret;

	if (!r->p2p.npairs)
		return 0;
	ret = rep_p2p_plot(r, fam, false);
	return ret ? ret : rep_p2p_plot(r, fam, true);
}
