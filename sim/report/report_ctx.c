/*
 * The context a plot title carries: what ran (collective and algorithm, or
 * the flow workload), on which topology, at what scale (ranks or hosts)
 * and with which load balancing, congestion control and receive mode, read
 * from each results folder's summary.json and collective.csv. A plot over
 * several folders names in its title what they all share and in each
 * legend entry what differs, so that a figure read on its own still says
 * what it shows. Results from before a field existed leave it empty, and
 * the folder name carries the legend alone.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim/report/report.h"

/* A summary.json string, "" when absent (older results, or none). */
static const char *ctx_str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? s : "";
}

/*
 * A flow run's workload: its summary's own key if a later fabsim writes
 * one, else the -w/--workload (or --flows) of the command line it
 * recorded; permutation is `fabsim run`'s default.
 */
static void ctx_flow_workload(const json_t *sum, char *buf, size_t len)
{
	const char *cmd = ctx_str(sum, "command"), *p;
	const char *const opts[] = { " --workload=", " --workload ", " -w " };
	size_t i;

	if (*ctx_str(sum, "workload")) {
		snprintf(buf, len, "%s", ctx_str(sum, "workload"));
		return;
	}
	buf[0] = 0;
	if (!*cmd)
		return;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		p = strstr(cmd, opts[i]);
		if (p) {
			p += strlen(opts[i]);
			snprintf(buf, len, "%.*s", (int)strcspn(p, " "), p);
			return;
		}
	}
	snprintf(buf, len, "%s", strstr(cmd, " --flows") ? "flows" : "permutation");
}

/* The first collective.csv row of JOB (any job when NULL). */
static const struct sim_rep_coll *ctx_job_row(const struct sim_rep_config *c, const char *job)
{
	size_t i;

	for (i = 0; i < c->ncoll; i++)
		if (!job || !strcmp(c->coll[i].job, job))
			return &c->coll[i];
	return NULL;
}

void sim_rep_ctx_of(const struct sim_rep_config *c, const char *job, struct sim_rep_ctx *x)
{
	const struct sim_rep_coll *row = ctx_job_row(c, job);
	const json_t *s = c->summary;
	double hosts = sim_rep_num(s, "hosts");

	memset(x, 0, sizeof(*x));
	if (row) {
		snprintf(x->f[SIM_REP_CTX_WHAT], SIM_REP_CTX_LEN, "%s %s", row->collective, row->algorithm);
		snprintf(x->f[SIM_REP_CTX_SCALE], SIM_REP_CTX_LEN, "%u ranks", row->ranks);
	} else if (c->kind == SIM_REP_FLOWS) {
		ctx_flow_workload(s, x->f[SIM_REP_CTX_WHAT], SIM_REP_CTX_LEN);
		if (hosts > 0)
			snprintf(x->f[SIM_REP_CTX_SCALE], SIM_REP_CTX_LEN, "%.0f hosts", hosts);
	}
	snprintf(x->f[SIM_REP_CTX_TOPO], SIM_REP_CTX_LEN, "%s", ctx_str(s, "topology"));
	if (*ctx_str(s, "lb"))
		snprintf(x->f[SIM_REP_CTX_LB], SIM_REP_CTX_LEN, "lb=%s", ctx_str(s, "lb"));
	if (*ctx_str(s, "cc"))
		snprintf(x->f[SIM_REP_CTX_CC], SIM_REP_CTX_LEN, "cc=%s", ctx_str(s, "cc"));
	if (*ctx_str(s, "rx"))
		snprintf(x->f[SIM_REP_CTX_RX], SIM_REP_CTX_LEN, "rx=%s", ctx_str(s, "rx"));
}

/* FIELD onto BUF: lb, cc and rx joined by spaces ("lb=ar cc=telemetry"), the rest by commas. */
static void ctx_append(char *buf, size_t len, int field, int *last)
{
	const char *sep = ", ";

	if (!buf[0])
		sep = "";
	else if (field > SIM_REP_CTX_LB && *last >= SIM_REP_CTX_LB)
		sep = " ";
	else if (field == SIM_REP_CTX_TOPO && *last == SIM_REP_CTX_WHAT)
		sep = " on ";
	*last = field;
	sim_rep_cat(buf, len, "%s", sep);
}

static bool ctx_shared(const struct sim_rep_ctx *x, size_t n, int field)
{
	size_t i;

	if (!x[0].f[field][0])
		return false;
	for (i = 1; i < n; i++)
		if (strcmp(x[i].f[field], x[0].f[field]))
			return false;
	return true;
}

void sim_rep_ctx_split(const struct sim_rep_ctx *x, const char *const *name, size_t n,
		       char *common, size_t clen, char (*legend)[SIM_REP_LEGEND])
{
	bool shared[SIM_REP_CTX_N];
	char diff[SIM_REP_LEGEND];
	int k, last = -1, dlast;
	size_t i;

	common[0] = 0;
	for (k = 0; k < SIM_REP_CTX_N; k++) {
		shared[k] = n && ctx_shared(x, n, k);
		if (!shared[k])
			continue;
		ctx_append(common, clen, k, &last);
		sim_rep_cat(common, clen, "%s", x[0].f[k]);
	}
	/* results that say nothing of themselves: the folder name is the context */
	if (!common[0] && n == 1)
		snprintf(common, clen, "%s", name[0]);
	for (i = 0; i < n && legend; i++) {
		diff[0] = 0;
		dlast = -1;
		for (k = 0; k < SIM_REP_CTX_N; k++) {
			if (shared[k] || !x[i].f[k][0])
				continue;
			ctx_append(diff, sizeof(diff), k, &dlast);
			sim_rep_cat(diff, sizeof(diff), "%s", x[i].f[k]);
		}
		snprintf(legend[i], SIM_REP_LEGEND, "%s", name[i]);
		if (diff[0])
			sim_rep_cat(legend[i], SIM_REP_LEGEND, " (%s)", diff);
	}
}

void sim_rep_title(char *buf, size_t len, const char *common, const char *topic)
{
	if (common && *common)
		snprintf(buf, len, "%s: %s", common, topic);
	else
		snprintf(buf, len, "%s", topic);
}

void sim_rep_ctx_line(const struct sim_rep_config *c, char *buf, size_t len)
{
	struct sim_rep_ctx x;
	const char *name = "";

	sim_rep_ctx_of(c, NULL, &x);
	sim_rep_ctx_split(&x, &name, 1, buf, len, NULL);
}
