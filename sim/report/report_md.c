/*
 * `fabsim report` report.md: the key figures of every configuration, the
 * definitions behind them, the plots the families of report_plot.c made
 * (embedded PNG, links to SVG and script) with their captions under their
 * family's section, and the per-size tables.
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

static void md_flow_row(FILE *f, const struct sim_rep_config *c)
{
	fputs("| ", f);
	md_text(f, c->name);
	fprintf(f, " | flow workload: %.0f flows on %s |", sim_rep_num(c->summary, "flows"),
		md_str(c->summary, "topology"));
	md_stack(f, c->summary);
	md_num(f, " %.1f%% |", 100 * sim_rep_num(c->summary, "effective_throughput"));
	fputs(" – |", f);
	md_num(f, " %.1f |", sim_rep_num(c->summary, "fct_p99_us"));
	md_num(f, " %.0f |", sim_rep_num(c->summary, "pfc_pauses"));
	md_num(f, " %.0f |\n", sim_rep_num(c->summary, "drops"));
}

static void md_coll_row(FILE *f, const struct sim_rep_config *c, const char *job, bool name_job)
{
	const struct sim_rep_coll *first = NULL, *last = NULL;
	char lo[32], hi[32];
	double busbw = 0;
	size_t i, n = 0;

	for (i = 0; i < c->ncoll; i++) {
		if (strcmp(c->coll[i].job, job))
			continue;
		first = first ? first : &c->coll[i];
		if (!last || c->coll[i].size_bytes >= last->size_bytes)
			last = &c->coll[i];
		busbw += c->coll[i].busbw_gbyte_s;
		n++;
	}
	sim_rep_size_label(first->size_bytes, lo, sizeof(lo));
	sim_rep_size_label(last->size_bytes, hi, sizeof(hi));
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
	fprintf(f, " %.1f%% (%s) | %.2f |", 100 * last->eff, hi, busbw / (double)n);
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
	fputs(" | – | – | – | – | – | – |\n", f);
}

static void md_key_table(FILE *f, const struct sim_report *r)
{
	size_t i, k, jobs;

	fprintf(f, "## Key figures\n\n"
		"| configuration | workload | lb / cc / rx | effective throughput | avg busbw (GB/s) "
		"| p99 FCT (us) | PFC pauses | drops |\n"
		"|---|---|---|---:|---:|---:|---:|---:|\n");
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
				md_coll_row(f, c, c->coll[k].job, jobs > 1);
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
		"- **NIC busy**: bytes sent over the network by the busiest NIC / (line rate × "
		"collective time).\n"
		"- **p99 FCT**: 99th percentile flow completion time (collectives: flows of the "
		"largest size).\n"
		"- **PFC pauses**, **drops**: pause frames sent and packets dropped in the whole "
		"fabric (collectives: summed over all sizes).\n"
		"- Sizes are binary (1M = 2^20 bytes), rates decimal (400G = 400·10^9 b/s).\n\n");
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

static void md_coll_table(FILE *f, const struct sim_report *r)
{
	char size[32];
	size_t i, k, n = 0;

	for (i = 0; i < r->ncfg; i++) {
		const struct sim_rep_config *c = &r->cfg[i];

		for (k = 0; k < c->ncoll; k++) {
			const struct sim_rep_coll *row = &c->coll[k];

			if (!n++)
				fprintf(f, "## Collectives per message size\n\n"
					"| configuration | job | collective | ranks | size | time (us) "
					"| busbw (GB/s) | effective throughput | NIC busy |\n"
					"|---|---|---|---:|---:|---:|---:|---:|---:|\n");
			sim_rep_size_label(row->size_bytes, size, sizeof(size));
			fputs("| ", f);
			md_text(f, c->name);
			fputs(" | ", f);
			md_text(f, row->job);
			fprintf(f, " | %s %s | %u | %s | %.1f | %.2f | %.1f%% | %.1f%% |\n",
				row->collective, row->algorithm, row->ranks, size, row->time_us,
				row->busbw_gbyte_s, 100 * row->eff, 100 * row->nic_busy);
		}
	}
	if (n)
		fputc('\n', f);
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
				r->port ? "--port" : "each run's traced port: summary.json's trace_port");
		md_port_row(f, &r->cfg[i], port);
	}
	if (n)
		fputc('\n', f);
}

int sim_rep_write_md(struct sim_report *r)
{
	char path[4096];
	FILE *f;
	int err;

	sim_rep_join(path, sizeof(path), r->out_dir, "report.md");
	f = fopen(path, "w");
	if (!f) {
		err = errno;
		return sim_rep_fail(r, -err, "cannot write %s: %s", path, strerror(err));
	}
	fprintf(f, "# fabsim report\n\n%zu configuration%s.\n\n", r->ncfg, r->ncfg > 1 ? "s" : "");
	md_key_table(f, r);
	md_definitions(f);
	md_plots(f, r);
	md_coll_table(f, r);
	md_pred_table(f, r);
	md_port_table(f, r);
	if (fclose(f))
		return sim_rep_fail(r, -EIO, "cannot write %s", path);
	return sim_rep_add_file(r, "report.md");
}
