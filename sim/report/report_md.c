/*
 * `fabsim report` report.md: the key figures of every configuration, the
 * definitions behind them, the plots the families of report_plot.c made
 * (embedded PNG, links to SVG and script) with their captions under their
 * family's section, the ablation ladder's table (ladder.csv), the flow
 * workloads' three figures and the per-size tables, figures of several
 * seeds as mean [min..max].
 * Nothing in it depends on the clock, so the same folders give the same
 * report byte for byte.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/report.h"

static const char *const md_kind[] = { "flow workload", "collective", "prediction" };

/* Table cells: a '|' in a folder name must not split the cell. */
static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void md_num(FILE *f, const char *fmt, double v)
{
	if (isnan(v))
		fputs(" – |", f);
	else
		fprintf(f, fmt, v);
}

static const char *md_str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? s : "?";
}

static void md_stack(FILE *f, const json_t *j)
{
	if (j)
		fprintf(f, " %s / %s / %s |", md_str(j, "lb"), md_str(j, "cc"), md_str(j, "rx"));
	else
		fputs(" – |", f);
}

/* Sum of one counter over a job's sizes in a collective summary.json. */
static double md_job_sum(const json_t *summary, const char *job, const char *key)
{
	const json_t *jobs = json_object_get(summary, "jobs"), *j, *res;
	double sum = 0;
	size_t i, k;

	if (!json_is_array(jobs))
		return NAN;
	json_array_foreach(jobs, i, j) {
		if (strcmp(md_str(j, "name"), job))
			continue;
		json_array_foreach(json_object_get(j, "results"), k, res)
			sum += sim_rep_num(res, key);
		return sum;
	}
	return NAN;
}

/* "permutation on small-800g, 128 hosts, lb=ar cc=none rx=ddp", or a dash when unknown */
static void md_flow_context(FILE *f, const struct sim_rep_config *c)
{
	struct sim_rep_ctx x;
	char buf[SIM_REP_LEGEND];
	const char *name = "";

	sim_rep_ctx_of(c, NULL, &x);
	sim_rep_ctx_split(&x, &name, 1, buf, sizeof(buf), NULL);
	md_text(f, buf[0] ? buf : "–");
}

static void md_flow_row(FILE *f, const struct sim_rep_config *c)
{
	struct sim_rep_agg a;
	char v[96];

	fputs("| ", f);
	md_text(f, c->name);
	fprintf(f, " | flow workload: %.0f flows on %s |", sim_rep_num(c->summary, "flows"),
		md_str(c->summary, "topology"));
	md_stack(f, c->summary);
	sim_rep_flow_fig(c, 0, &a);
	sim_rep_agg_text(&a, 100, 1, "%", v, sizeof(v));
	fprintf(f, " %s |", v);
	/* no busbw, and no schedule to keep a NIC busy */
	fputs(" – | – |", f);
	md_num(f, " %.1f |", sim_rep_num(c->summary, "fct_p99_us"));
	md_num(f, " %.0f |", sim_rep_num(c->summary, "pfc_pauses"));
	md_num(f, " %.0f |\n", sim_rep_num(c->summary, "drops"));
}

/* Per distinct size of JOB, ascending: each figure over the seeds run at that size. */
struct md_size {
	double size_bytes;
	const struct sim_rep_coll *row;	/* the first of the size */
	struct sim_rep_agg time_us, busbw, per_nic, eff, nic_busy;
};

static int md_cmp_size(const void *a, const void *b)
{
	double x = ((const struct md_size *)a)->size_bytes, y = ((const struct md_size *)b)->size_bytes;

	return (x > y) - (x < y);
}

/* Into SZ (room for c->ncoll): how many sizes JOB ran. */
static size_t md_coll_sizes(const struct sim_rep_config *c, const char *job, struct md_size *sz)
{
	const struct sim_rep_coll *row;
	size_t i, k, n = 0;

	for (i = 0; i < c->ncoll; i++) {
		row = &c->coll[i];
		if (strcmp(row->job, job))
			continue;
		for (k = 0; k < n && sz[k].size_bytes != row->size_bytes; k++)
			;
		if (k == n) {
			memset(&sz[n], 0, sizeof(sz[n]));
			sz[n].size_bytes = row->size_bytes;
			sz[n].row = row;
			sim_rep_agg_init(&sz[n].time_us);
			sim_rep_agg_init(&sz[n].busbw);
			sim_rep_agg_init(&sz[n].per_nic);
			sim_rep_agg_init(&sz[n].eff);
			sim_rep_agg_init(&sz[n].nic_busy);
			n++;
		}
		sim_rep_agg_add(&sz[k].time_us, row->time_us);
		sim_rep_agg_add(&sz[k].busbw, row->busbw_gbyte_s);
		sim_rep_agg_add(&sz[k].per_nic, row->busbw_per_nic);
		sim_rep_agg_add(&sz[k].eff, row->eff);
		sim_rep_agg_add(&sz[k].nic_busy, row->nic_busy);
	}
	for (k = 0; k < n; k++) {
		sim_rep_agg_end(&sz[k].time_us);
		sim_rep_agg_end(&sz[k].busbw);
		sim_rep_agg_end(&sz[k].per_nic);
		sim_rep_agg_end(&sz[k].eff);
		sim_rep_agg_end(&sz[k].nic_busy);
	}
	qsort(sz, n, sizeof(*sz), md_cmp_size);
	return n;
}

static void md_coll_row(FILE *f, const struct sim_rep_config *c, const char *job, bool name_job,
			struct md_size *sz)
{
	size_t i, n = md_coll_sizes(c, job, sz);
	const struct sim_rep_coll *first = sz[0].row;
	char lo[32], hi[32], v[96];
	double busbw = 0;

	for (i = 0; i < n; i++)
		busbw += sz[i].busbw.mean;
	sim_rep_size_label(sz[0].size_bytes, lo, sizeof(lo));
	sim_rep_size_label(sz[n - 1].size_bytes, hi, sizeof(hi));
	fputs("| ", f);
	md_text(f, c->name);
	if (name_job) {
		fputc('/', f);
		md_text(f, job);
	}
	fprintf(f, " | collective: %s %s, %u ranks, %s", first->collective, first->algorithm,
		first->ranks, lo);
	if (n > 1)
		fprintf(f, "–%s", hi);
	fprintf(f, " on %s |", c->summary ? md_str(c->summary, "topology") : "?");
	md_stack(f, c->summary);
	sim_rep_agg_text(&sz[n - 1].eff, 100, 1, "%", v, sizeof(v));
	/* avg busbw: nccl-tests' mean over sizes, of each size's mean over seeds */
	fprintf(f, " %s (%s) | %.2f |", v, hi, busbw / (double)n);
	/* beside the effective throughput it explains: the largest size's */
	sim_rep_agg_text(&sz[n - 1].nic_busy, 100, 1, "%", v, sizeof(v));
	fprintf(f, " %s |", v);
	md_num(f, " %.1f |", sim_rep_num(c->largest, "fct_p99_us"));
	md_num(f, " %.0f |", md_job_sum(c->summary, job, "pfc_pauses"));
	md_num(f, " %.0f |\n", md_job_sum(c->summary, job, "drops"));
}

/* Whether row K is the first of its job. */
static bool md_job_first(const struct sim_rep_config *c, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (!strcmp(c->coll[i].job, c->coll[k].job))
			return false;
	return true;
}

static void md_pred_row(FILE *f, const struct sim_rep_config *c)
{
	double sum = 0;
	size_t i, n = 0;

	for (i = 0; i < c->npred; i++) {
		if (isnan(c->pred[i].rel_error))
			continue;
		sum += fabs(c->pred[i].rel_error);
		n++;
	}
	fputs("| ", f);
	md_text(f, c->name);
	fprintf(f, " | prediction: %zu sizes, mean absolute time error ", c->npred);
	if (n)
		fprintf(f, "%.1f%%", 100 * sum / (double)n);
	else
		fputs("–", f);
	fputs(" | – | – | – | – | – | – | – |\n", f);
}

static void md_key_table(FILE *f, const struct sim_report *r, struct md_size *sz)
{
	size_t i, k, jobs;

	fprintf(f, "## Key figures\n\n"
		"| configuration | workload | lb / cc / rx | effective throughput | avg busbw (GB/s) "
		"| NIC busy | p99 FCT (us) | PFC pauses | drops |\n"
		"|---|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		if (c->kind == SIM_REP_FLOWS)
			md_flow_row(f, c);
		else if (c->kind == SIM_REP_PRED)
			md_pred_row(f, c);
		for (k = 0, jobs = 0; c->kind == SIM_REP_COLL && k < c->ncoll; k++)
			jobs += md_job_first(c, k);
		for (k = 0; c->kind == SIM_REP_COLL && k < c->ncoll; k++)
			if (md_job_first(c, k))
				md_coll_row(f, c, c->coll[k].job, jobs > 1, sz);
	}
	fprintf(f, "\nFolders: ");
	for (i = 0; i < r->ncfg; i++) {
		fprintf(f, "%s`", i ? ", " : "");
		md_text(f, r->cfg[i].name);
		fprintf(f, "` (%s) = `%s`", md_kind[r->cfg[i].kind], r->cfg[i].dir);
	}
	fprintf(f, ".\n\n");
}

static void md_definitions(FILE *f)
{
	fprintf(f, "## Definitions\n\n"
		"- **Effective throughput**, collectives: bus bandwidth / NIC line rate, at the "
		"largest message size in the table above. Flow workloads: payload bytes / "
		"Σ over flows (sender line rate × FCT), i.e. the share of what the senders' "
		"NICs could have carried during each flow's lifetime.\n"
		"- **busbw** (bus bandwidth): algbw × the collective's bus factor (nccl-tests "
		"convention, 2(n-1)/n for all-reduce), algbw = message size / collective time. "
		"**avg busbw** is the mean over the message sizes run, as nccl-tests' "
		"\"Avg bus bandwidth\". 1 GB/s = 8 Gb/s; a 400 Gb/s NIC peaks at 50 GB/s.\n"
		"- **All-active** (flow workloads): aggregate payload rate / the senders' line rates "
		"while every flow was active; **mean per flow**: arithmetic mean of each flow's "
		"payload / (line rate × FCT). Effective is the harmonic counterpart of the latter.\n"
		"- **busbw per NIC** of the server: busbw / (NICs per server × NIC line rate), at "
		"most 100%%, where effective throughput (busbw / one NIC) can exceed it for "
		"hierarchical algorithms.\n"
		"- **NIC busy**: bytes sent over the network by the busiest NIC / (line rate × "
		"collective time).\n"
		"- **mean [min..max]**: a run over several seeds (--seeds): the mean of the seeds' "
		"figures and the lowest and highest of them; plots draw the mean with a min-max "
		"error bar.\n"
		"- **p99 FCT**: 99th percentile flow completion time (collectives: flows of the "
		"largest size).\n"
		"- **PFC pauses**, **drops**: pause frames sent and packets dropped in the whole "
		"fabric (collectives: summed over all sizes).\n"
		"- Sizes are binary (1M = 2^20 bytes), rates decimal (400G = 400·10^9 b/s).\n\n");
}

static void md_pair_rank(FILE *f, const struct sim_rep_p2p *p, unsigned int rank)
{
	fprintf(f, "%u", rank);
	if (p->host[rank][0]) {
		fputs(" (", f);
		md_text(f, p->host[rank]);
		fputc(')', f);
	}
}

/* The slowest pairs of fabbench's p2p matrix, first: the one line a reader looks for. */
static void md_p2p(FILE *f, const struct sim_rep_p2p *p)
{
	if (!p->npairs)
		return;
	fprintf(f, "## Point-to-point matrix\n\n%zu pairs of %u ranks from `", p->npairs, p->nranks);
	md_text(f, p->path);
	fputs("` (fabbench --p2p all, each pair measured alone).\n\n- **Slowest pair**: rank ", f);
	md_pair_rank(f, p, p->slow->src);
	fputs(" <-> ", f);
	md_pair_rank(f, p, p->slow->dst);
	fprintf(f, ": %.3f GB/s, the median pair %.3f GB/s.\n- **Highest latency**: rank ", p->slow->bw_GBps,
		p->median_GBps);
	md_pair_rank(f, p, p->far->src);
	fputs(" <-> ", f);
	md_pair_rank(f, p, p->far->dst);
	fprintf(f, ": %.2f us, the median pair %.2f us.\n\n", p->far->lat_us, p->median_us);
}

static void md_plots(FILE *f, const struct sim_report *r)
{
	const char *section = "";
	size_t i;

	if (!r->nplots)
		return;
	fprintf(f, "## Plots\n\nEach plot has an SVG beside the PNG and the gnuplot script that "
		"drew both, with its data inline: edit it and run `gnuplot <plot>.gp` in this "
		"folder to redraw.\n\n");
	for (i = 0; i < r->nplots; i++) {
		const struct sim_rep_plot *p = &r->plots[i];

		if (strcmp(section, p->section)) {
			section = p->section;
			fprintf(f, "### %s\n\n", section);
		}
		fprintf(f, "![%s](%s.png)\n\n%s ([SVG](%s.svg), [gnuplot](%s.gp))\n\n",
			p->stem, p->stem, p->caption, p->stem, p->stem);
	}
}

static void md_coll_rows(FILE *f, const struct sim_rep_config *c, const char *job, struct md_size *sz)
{
	char size[32], t[96], b[96], pn[96], e[96], nb[96];
	size_t i, n = md_coll_sizes(c, job, sz);

	for (i = 0; i < n; i++) {
		sim_rep_size_label(sz[i].size_bytes, size, sizeof(size));
		sim_rep_agg_text(&sz[i].time_us, 1, 1, "", t, sizeof(t));
		sim_rep_agg_text(&sz[i].busbw, 1, 2, "", b, sizeof(b));
		sim_rep_agg_text(&sz[i].per_nic, 100, 1, "%", pn, sizeof(pn));
		sim_rep_agg_text(&sz[i].eff, 100, 1, "%", e, sizeof(e));
		sim_rep_agg_text(&sz[i].nic_busy, 100, 1, "%", nb, sizeof(nb));
		fputs("| ", f);
		md_text(f, c->name);
		fputs(" | ", f);
		md_text(f, job);
		fprintf(f, " | %s %s | %u | %s | %zu | %s | %s | %s | %s | %s |\n", sz[i].row->collective,
			sz[i].row->algorithm, sz[i].row->ranks, size, sz[i].time_us.n, t, b, pn, e, nb);
	}
}

static void md_coll_table(FILE *f, const struct sim_report *r, struct md_size *sz)
{
	size_t i, k, n = 0;

	for (i = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		for (k = 0; k < c->ncoll; k++) {
			if (!md_job_first(c, k))
				continue;
			if (!n++)
				fprintf(f, "## Collectives per message size\n\n"
					"Several seeds: mean [min..max] over them.\n\n"
					"| configuration | job | collective | ranks | size | seeds | time (us) "
					"| busbw (GB/s) | busbw per NIC | effective throughput | NIC busy |\n"
					"|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
			md_coll_rows(f, c, c->coll[k].job, sz);
		}
	}
	if (n)
		fputc('\n', f);
}

/* The three figures of each flow run side by side, over its seeds. */
static void md_flow_table(FILE *f, const struct sim_report *r)
{
	struct sim_rep_agg a;
	size_t i, n = 0;
	char v[96];
	int j;

	for (i = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		if (c->kind != SIM_REP_FLOWS || !c->summary)
			continue;
		if (!n++)
			fprintf(f, "## Flow workloads\n\n"
				"Percent of the senders' line rate; several seeds: mean [min..max] over "
				"them (seeds.csv).\n\n"
				"| configuration | context | seeds | effective | all-active | mean per flow |\n"
				"|---|---|---:|---:|---:|---:|\n");
		fputs("| ", f);
		md_text(f, c->name);
		fputs(" | ", f);
		md_flow_context(f, c);
		fprintf(f, " | %zu |", c->nseeds ? c->nseeds : 1);
		for (j = 0; j < 3; j++) {
			sim_rep_flow_fig(c, j, &a);
			sim_rep_agg_text(&a, 100, 1, "%", v, sizeof(v));
			fprintf(f, " %s |", v);
		}
		fputc('\n', f);
	}
	if (n)
		fputc('\n', f);
}

static void md_ladder_one(FILE *f, const struct sim_rep_ladder_view *v)
{
	char size[32], cell[96];
	size_t o, s;

	fprintf(f, "### %s\n\n| order | configuration |", sim_rep_ladder_name(v->workload));
	for (s = 0; s < v->nsize; s++) {
		sim_rep_size_label(v->size[s], size, sizeof(size));
		fprintf(f, " %s |", size);
	}
	fputs("\n|---:|---|", f);
	for (s = 0; s < v->nsize; s++)
		fputs("---:|", f);
	fputc('\n', f);
	for (o = 0; o < v->nrung; o++) {
		fprintf(f, "| %u | ", v->rung[o]->order);
		md_text(f, v->rung[o]->label);
		fputs(" |", f);
		for (s = 0; s < v->nsize; s++) {
			sim_rep_agg_text(&v->cell[o * v->nsize + s], 100, 1, "%", cell, sizeof(cell));
			fprintf(f, " %s |", cell);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

static int md_ladder(FILE *f, const struct sim_report *r)
{
	struct sim_rep_ladder_view v;
	const char **w;
	size_t i, n;

	if (!r->nladder)
		return 0;
	w = calloc(r->nladder, sizeof(*w));
	if (!w)
		return -ENOMEM;
	fprintf(f, "## Ablation ladder\n\n"
		"From ladder.csv: busbw per NIC of the server (busbw / (NICs per server × NIC line "
		"rate)), mean [min..max] over the seeds, per configuration (rows, in the ladder's order) "
		"and message size (columns).\n\n");
	n = sim_rep_ladder_workloads(r, w);
	for (i = 0; i < n; i++) {
		if (sim_rep_ladder_view(r, w[i], &v)) {
			free(w);
			return -ENOMEM;
		}
		md_ladder_one(f, &v);
		sim_rep_ladder_view_free(&v);
	}
	free(w);
	return 0;
}

static void md_pred_rows(FILE *f, const struct sim_rep_config *c)
{
	char size[32];
	size_t k;

	for (k = 0; k < c->npred; k++) {
		const struct sim_rep_pred *p = &c->pred[k];

		sim_rep_size_label(p->size_bytes, size, sizeof(size));
		fputs("| ", f);
		md_text(f, c->name);
		fprintf(f, " | %s %s | %u | %s | %.1f | %.1f | %.2f | %.2f |", p->collective,
			p->algorithm, p->nranks, size, p->meas_time_us, p->pred_time_us,
			p->meas_busbw_gbyte_s, p->pred_busbw_gbyte_s);
		md_num(f, " %+.1f%% |\n", 100 * p->rel_error);
	}
}

static void md_calibration(FILE *f, const struct sim_rep_config *c)
{
	const json_t *cal = json_object_get(c->summary, "calibration"), *v;
	const char *key;
	char *s;

	if (!json_is_object(cal))
		return;
	fprintf(f, "Calibration of `");
	md_text(f, c->name);
	fprintf(f, "`:\n\n");
	json_object_foreach((json_t *)cal, key, v) {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
		fprintf(f, "- %s: %s\n", key, s ? s : "?");
		free(s);
	}
	fputc('\n', f);
}

static void md_pred_table(FILE *f, const struct sim_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ncfg; i++)
		n += r->cfg[i].npred;
	if (!n)
		return;
	fprintf(f, "## Predicted vs measured\n\n"
		"Relative error = predicted time / measured time − 1 (positive: the model is "
		"pessimistic).\n\n"
		"| configuration | collective | ranks | size | measured time (us) | predicted time (us) "
		"| measured busbw (GB/s) | predicted busbw (GB/s) | relative error |\n"
		"|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < r->ncfg; i++)
		md_pred_rows(f, &r->cfg[i]);
	fputc('\n', f);
	for (i = 0; i < r->ncfg; i++)
		md_calibration(f, &r->cfg[i]);
}

static const struct sim_rep_link *md_find_port(const struct sim_rep_config *c, const char *port)
{
	size_t i, n = strcspn(port, ":");

	if (!port[n])
		return NULL;
	for (i = 0; i < c->nlinks; i++)
		if (strlen(c->links[i].from) == n && !strncmp(c->links[i].from, port, n) &&
		    !strcmp(c->links[i].to, port + n + 1))
			return &c->links[i];
	return NULL;
}

static void md_port_row(FILE *f, const struct sim_rep_config *c, const char *port)
{
	const struct sim_rep_link *l = md_find_port(c, port);

	fputs("| ", f);
	md_text(f, c->name);
	fprintf(f, " | %s |", port);
	if (!l) {
		fputs(" not in links.csv | | | | | | |\n", f);
		return;
	}
	fprintf(f, " %.1f%% | %.1f | %.0f | %.0f | %.0f | %.1f | %.0f |\n", 100 * l->util,
		l->max_queue_bytes / 1024, l->ecn_marks, l->pauses_sent, l->pauses_rcvd,
		l->paused_us, l->drops);
}

static void md_port_table(FILE *f, const struct sim_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ncfg; i++) {
		const char *port = sim_rep_port(r, &r->cfg[i]);

		if (!port || !r->cfg[i].nlinks)
			continue;
		if (!n++)
			fprintf(f, "## Port counters\n\n"
				"The port of the queue plots (%s), from links.csv (collectives: "
				"largest size).\n\n"
				"| configuration | port | utilization | max queue (KB) | ECN marks "
				"| pauses sent | pauses received | paused (us) | drops |\n"
				"|---|---|---:|---:|---:|---:|---:|---:|---:|\n",
				r->port ? "--port" :
				"each run's busiest port: the deepest max_queue_bytes in links.csv");
		md_port_row(f, &r->cfg[i], port);
	}
	if (n)
		fputc('\n', f);
}

int sim_rep_write_md(struct sim_report *r)
{
	struct md_size *sz;
	size_t i, rows = 0;
	char path[4096];
	int err, ret;
	FILE *f;

	sim_rep_join(path, sizeof(path), r->out_dir, "report.md");
	f = fopen(path, "w");
	if (!f) {
		err = errno;
		return sim_rep_fail(r, -err, "cannot write %s: %s", path, strerror(err));
	}
	for (i = 0; i < r->ncfg; i++)
		rows = r->cfg[i].ncoll > rows ? r->cfg[i].ncoll : rows;
	sz = calloc(rows ? rows : 1, sizeof(*sz));
	if (!sz) {
		fclose(f);
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	}
	if (r->ncfg || !r->p2p.npairs)
		fprintf(f, "# fabsim report\n\n%zu configuration%s%s%s.\n\n", r->ncfg, r->ncfg == 1 ? "" : "s",
			r->nladder ? " and an ablation ladder" : "", r->p2p.npairs ? " and a p2p matrix" : "");
	else
		fprintf(f, "# fabsim report\n\nA p2p matrix%s.\n\n", r->nladder ? " and an ablation ladder" : "");
	md_p2p(f, &r->p2p);
	if (r->ncfg)
		md_key_table(f, r, sz);
	md_definitions(f);
	ret = md_ladder(f, r);
	md_plots(f, r);
	md_flow_table(f, r);
	md_coll_table(f, r, sz);
	md_pred_table(f, r);
	md_port_table(f, r);
	free(sz);
	err = fclose(f);
	if (ret)
		return sim_rep_fail(r, ret, "out of memory");
	if (err)
		return sim_rep_fail(r, -EIO, "cannot write %s", path);
	return sim_rep_add_file(r, "report.md");
}
