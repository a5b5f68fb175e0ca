/*
 * Plot family "ablation ladder": from the ladder.csv experiments/flagship.sh
 * writes, one chart per workload (ring, hier, all-to-all). Clusters are
 * message sizes, bars the configurations in the ladder's order (RoCE as
 * deployed, then one mechanism added at a time; Spectrum-X style, then one
 * removed at a time), each bar the mean busbw per NIC of the server over
 * the seeds with the min-max range as error bar and its value printed
 * above. The step from one bar to the next is that mechanism's
 * contribution. report_md.c prints the same cells as a table.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/gnuplot.h"

const char *sim_rep_ladder_name(const char *workload)
{
	if (!strcmp(workload, "ring"))
		return "ring all-reduce";
	if (!strcmp(workload, "hier"))
		return "hierarchical all-reduce";
	return workload;
}

size_t sim_rep_ladder_workloads(const struct sim_report *r, const char **w)
{
	size_t i, k, n = 0;

	for (i = 0; i < r->nladder; i++) {
		for (k = 0; k < n && strcmp(w[k], r->ladder[i].workload); k++)
			;
		if (k == n)
			w[n++] = r->ladder[i].workload;
	}
	return n;
}

static int rep_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int rep_cmp_rung(const void *a, const void *b)
{
	const struct sim_rep_rung *x = *(const struct sim_rep_rung *const *)a;
	const struct sim_rep_rung *y = *(const struct sim_rep_rung *const *)b;

	return (x->order > y->order) - (x->order < y->order);
}

/* The distinct sizes and configurations (one row naming each) of the workload's rows. */
static void rep_ladder_axes(const struct sim_report *r, struct sim_rep_ladder_view *v)
{
	const struct sim_rep_rung *g;
	size_t i, k;

	for (i = 0; i < r->nladder; i++) {
		g = &r->ladder[i];
		if (strcmp(g->workload, v->workload))
			continue;
		for (k = 0; k < v->nsize && v->size[k] != g->size_bytes; k++)
			;
		if (k == v->nsize)
			v->size[v->nsize++] = g->size_bytes;
		/* the loader checked that one order has one configuration */
		for (k = 0; k < v->nrung && v->rung[k]->order != g->order; k++)
			;
		if (k == v->nrung)
			v->rung[v->nrung++] = g;
	}
	qsort(v->size, v->nsize, sizeof(*v->size), rep_cmp_double);
	qsort(v->rung, v->nrung, sizeof(*v->rung), rep_cmp_rung);
}

int sim_rep_ladder_view(const struct sim_report *r, const char *workload, struct sim_rep_ladder_view *v)
{
	const struct sim_rep_rung *g;
	size_t i, o, s;

	memset(v, 0, sizeof(*v));
	v->workload = workload;
	v->size = calloc(r->nladder, sizeof(*v->size));
	v->rung = calloc(r->nladder, sizeof(*v->rung));
	if (!v->size || !v->rung)
		goto out_nomem;
	rep_ladder_axes(r, v);
	v->cell = calloc(v->nrung * v->nsize, sizeof(*v->cell));
	if (!v->cell)
		goto out_nomem;
	for (i = 0; i < v->nrung * v->nsize; i++)
		sim_rep_agg_init(&v->cell[i]);
	for (i = 0; i < r->nladder; i++) {
		g = &r->ladder[i];
		if (strcmp(g->workload, workload))
			continue;
		for (o = 0; v->rung[o]->order != g->order; o++)
			;
		for (s = 0; v->size[s] != g->size_bytes; s++)
			;
		sim_rep_agg_add(&v->cell[o * v->nsize + s], g->per_nic);
	}
	for (i = 0; i < v->nrung * v->nsize; i++) {
		sim_rep_agg_end(&v->cell[i]);
		v->seeds = v->cell[i].n > v->seeds ? v->cell[i].n : v->seeds;
	}
	return 0;

out_nomem:
	sim_rep_ladder_view_free(v);
	return -ENOMEM;
}

void sim_rep_ladder_view_free(struct sim_rep_ladder_view *v)
{
	free(v->size);
	free(v->rung);
	free(v->cell);
	memset(v, 0, sizeof(*v));
}

/* The topology the ladder ran on, when the collective runs beside it all name the same one. */
static const char *rep_ladder_topo(const struct sim_report *r)
{
	const char *t = NULL, *s;
	size_t i;

	for (i = 0; i < r->ncfg; i++) {
		if (r->cfg[i].kind != SIM_REP_COLL)
			continue;
		s = json_string_value(json_object_get(r->cfg[i].summary, "topology"));
		if (!s)
			continue;
		if (t && strcmp(t, s))
			return NULL;
		t = s;
	}
	return t;
}

static void rep_ladder_caption(const struct sim_rep_ladder_view *v, char *cap, size_t len)
{
	char size[32], a[96];
	size_t o, last = v->nsize - 1;

	sim_rep_size_label(v->size[last], size, sizeof(size));
	snprintf(cap, len, "Ablation ladder, %s: busbw per NIC of the server (busbw / (NICs per server x "
		 "NIC line rate)) of each configuration, bars in the ladder's order, clusters by message "
		 "size; each bar is the mean over up to %zu seed%s, the error bar the min-max range, and "
		 "the step from one bar to the next is what that mechanism adds or takes away. At %s:",
		 sim_rep_ladder_name(v->workload), v->seeds, v->seeds > 1 ? "s" : "", size);
	for (o = 0; o < v->nrung && o < 2 * SIM_REP_CAPTION_ITEMS; o++) {
		sim_rep_agg_text(&v->cell[o * v->nsize + last], 100, 1, "%", a, sizeof(a));
		sim_rep_cat(cap, len, "%s %s %s", o ? "," : "", v->rung[o]->label, a);
	}
	sim_rep_cat(cap, len, "%s.", o < v->nrung ? ", ..." : "");
}

/* Bars: clusters are sizes, series the configurations. */
static int rep_ladder_bars(const struct sim_rep_ladder_view *v, struct sim_gp_bars *b, char (*size)[32])
{
	double *mean = calloc(v->nrung * v->nsize, sizeof(double)), *lo, *hi;
	const char **series = calloc(v->nrung, sizeof(*series)), **cluster = calloc(v->nsize, sizeof(*cluster));
	size_t o, s, k;

	lo = calloc(v->nrung * v->nsize, sizeof(double));
	hi = calloc(v->nrung * v->nsize, sizeof(double));
	if (!mean || !lo || !hi || !series || !cluster) {
		free(mean);
		free(lo);
		free(hi);
		free(series);
		free(cluster);
		return -ENOMEM;
	}
	for (o = 0; o < v->nrung; o++)
		series[o] = v->rung[o]->label;
	for (s = 0; s < v->nsize; s++) {
		sim_rep_size_label(v->size[s], size[s], sizeof(size[s]));
		cluster[s] = size[s];
		for (o = 0; o < v->nrung; o++) {
			k = s * v->nrung + o;
			mean[k] = 100 * v->cell[o * v->nsize + s].mean;
			lo[k] = 100 * v->cell[o * v->nsize + s].min;
			hi[k] = 100 * v->cell[o * v->nsize + s].max;
		}
	}
	*b = (struct sim_gp_bars){ .nclusters = v->nsize, .nseries = v->nrung, .cluster = cluster,
				   .series = series, .mean = mean, .lo = lo, .hi = hi,
				   .unit = "busbw per NIC of the server, %" };
	return 0;
}

static void rep_ladder_bars_free(struct sim_gp_bars *b)
{
	free((void *)b->mean);
	free((void *)b->lo);
	free((void *)b->hi);
	free((void *)b->series);
	free((void *)b->cluster);
}

static int rep_ladder_plot(struct sim_report *r, const struct sim_rep_family *fam,
			   const struct sim_rep_ladder_view *v)
{
	char stem[64], title[512], line2[160], where[128] = "", cap[SIM_REP_CAPTION], (*size)[32];
	const char *topo = v->nrung && v->rung[0]->topology[0] ? v->rung[0]->topology : rep_ladder_topo(r);
	struct sim_gp_bars b;
	size_t i;
	FILE *f;
	int ret;

	size = calloc(v->nsize, sizeof(*size));
	if (!size || rep_ladder_bars(v, &b, size)) {
		free(size);
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	}
	snprintf(stem, sizeof(stem), "ladder-");
	for (i = 0; v->workload[i] && i < 40; i++)
		stem[7 + i] = strchr("/ '\"\\", v->workload[i]) ? '-' : v->workload[i];
	stem[7 + i] = 0;
	if (topo)
		snprintf(where, sizeof(where), " on %s", topo);
	if (v->nrung && v->rung[0]->ranks == v->rung[0]->ranks)	/* not NAN */
		snprintf(where + strlen(where), sizeof(where) - strlen(where), ", %.0f ranks", v->rung[0]->ranks);
	snprintf(title, sizeof(title), "Ablation ladder: %s%s", sim_rep_ladder_name(v->workload), where);
	snprintf(line2, sizeof(line2), "busbw per NIC of the server, mean of %zu seed%s%s", v->seeds,
		 v->seeds > 1 ? "s" : "", v->seeds > 1 ? ", bars min-max" : "");
	ret = sim_gp_open(r, stem, title, &f);
	if (ret)
		goto out_free;
	sim_gp_bars_data(f, &b);
	sim_gp_loop_begin(f, stem, sim_gp_bars_width(&b), 640);
	sim_gp_title2(f, title, line2);
	fprintf(f, "\tset ylabel 'busbw per NIC of the server (%%)'\n\tset xlabel 'message size'\n");
	sim_gp_bars_plot(f, &b);
	rep_ladder_caption(v, cap, sizeof(cap));
	ret = sim_gp_finish(r, f, fam, stem, cap);
out_free:
	rep_ladder_bars_free(&b);
	free(size);
	return ret;
}

int sim_rep_plot_ladder(struct sim_report *r, const struct sim_rep_family *fam)
{
	struct sim_rep_ladder_view v;
	const char **w;
	size_t i, n;
	int ret = 0;

	if (!r->nladder)
		return 0;
	w = calloc(r->nladder, sizeof(*w));
	if (!w)
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	n = sim_rep_ladder_workloads(r, w);
	for (i = 0; i < n && !ret; i++) {
		if (sim_rep_ladder_view(r, w[i], &v)) {
			ret = sim_rep_fail(r, -ENOMEM, "out of memory");
			break;
		}
		ret = rep_ladder_plot(r, fam, &v);
		sim_rep_ladder_view_free(&v);
	}
	free(w);
	return ret;
}
