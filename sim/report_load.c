/*
 * `fabsim report` input: reads one results folder of `fabsim run` (flow
 * workload or collective sweep) or `fabsim predict` into a
 * struct sim_rep_config. Columns are found by their header name, not their
 * position, so that the report survives columns being added to the CSVs;
 * every error names the file (and line) and what was expected there.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report.h"

#define REP_CSV_MAX_COLS 64
#define REP_PATH_MAX 4096

struct rep_csv {
	const char *path;
	const char *what;		/* "flows.csv", for error messages */
	FILE *f;
	char *line;
	size_t cap;
	unsigned int lineno;
	char *field[REP_CSV_MAX_COLS];
	unsigned int nfield;
	const char *const *names;	/* the columns wanted */
	int col[REP_CSV_MAX_COLS];	/* where each wanted column is */
};

int sim_rep_grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	void *old, *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	memcpy(&old, arr, sizeof(old));
	p = realloc(old, ncap * elem);
	if (!p) {
		fprintf(stderr, "fabsim report: out of memory\n");
		return -1;
	}
	memcpy(arr, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

/* dir/name; a path too long comes out cut short, and then is not found */
int sim_rep_join(char *buf, size_t len, const char *dir, const char *name)
{
	return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

/* NAN when the key is absent or not a number, so tables can show a dash. */
double sim_rep_num(const json_t *obj, const char *key)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void rep_csv_split(struct rep_csv *c)
{
	char *p = c->line;

	p[strcspn(p, "\r\n")] = 0;
	c->nfield = 0;
	for (;;) {
		c->field[c->nfield++] = p;
		if (c->nfield == REP_CSV_MAX_COLS)
			break;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = 0;
	}
}

static void rep_csv_close(struct rep_csv *c)
{
	free(c->line);
	if (c->f)
		fclose(c->f);
}

static int rep_csv_open(struct rep_csv *c, const char *path, const char *what,
			const char *const *names, unsigned int n)
{
	unsigned int i, j;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->what = what;
	c->names = names;
	c->f = fopen(path, "r");
	if (!c->f) {
		fprintf(stderr, "fabsim report: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (getline(&c->line, &c->cap, c->f) < 0) {
		fprintf(stderr, "%s: empty, expected a %s header line\n", path, what);
		goto out_close;
	}
	c->lineno = 1;
	rep_csv_split(c);
	for (i = 0; i < n; i++) {
		c->col[i] = -1;
		for (j = 0; j < c->nfield; j++)
			if (!strcmp(c->field[j], names[i]))
				c->col[i] = (int)j;
		if (c->col[i] < 0) {
			fprintf(stderr, "%s: header has no '%s' column: not a fabsim %s\n",
				path, names[i], what);
			goto out_close;
		}
	}
	return 0;

out_close:
	rep_csv_close(c);
	return -1;
}

/* 1: a row is in c->field, 0: end of file, -1: read error (reported). */
static int rep_csv_next(struct rep_csv *c)
{
	for (;;) {
		if (getline(&c->line, &c->cap, c->f) < 0) {
			if (!ferror(c->f))
				return 0;
			fprintf(stderr, "%s: read error: %s\n", c->path, strerror(errno));
			return -1;
		}
		c->lineno++;
		if (c->line[strspn(c->line, " \t\r\n")])
			break;
	}
	rep_csv_split(c);
	return 1;
}

static const char *rep_csv_str(const struct rep_csv *c, unsigned int i)
{
	unsigned int k = (unsigned int)c->col[i];

	return k < c->nfield ? c->field[k] : NULL;
}

/* An empty field reads as NAN: writers leave undefined ratios blank. */
static int rep_csv_num(const struct rep_csv *c, unsigned int i, double *v)
{
	const char *s = rep_csv_str(c, i);
	char *end;

	if (s && !*s) {
		*v = NAN;
		return 0;
	}
	if (s) {
		*v = strtod(s, &end);
		if (end != s && !*end)
			return 0;
	}
	fprintf(stderr, "%s:%u: column '%s': expected a number, got '%s'\n",
		c->path, c->lineno, c->names[i], s ? s : "(missing)");
	return -1;
}

static void rep_csv_copy(const struct rep_csv *c, unsigned int i, char *dst, size_t len)
{
	const char *s = rep_csv_str(c, i);

	snprintf(dst, len, "%s", s ? s : "");
}

static int rep_exists(const char *dir, const char *name)
{
	char path[REP_PATH_MAX];
	struct stat st;

	sim_rep_join(path, sizeof(path), dir, name);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int sim_rep_is_results(const char *dir)
{
	return rep_exists(dir, "summary.json") || rep_exists(dir, "collective.csv") ||
	       rep_exists(dir, "prediction.csv");
}

static int rep_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int rep_load_flows(struct sim_rep_config *c, const char *path)
{
	static const char *const cols[] = { "fct_us" };
	struct rep_csv csv;
	size_t cap = 0;
	double v;
	int rc;

	if (rep_csv_open(&csv, path, "flows.csv", cols, 1))
		return -1;
	while ((rc = rep_csv_next(&csv)) > 0) {
		if (rep_csv_num(&csv, 0, &v)) {
			rc = -1;
			break;
		}
		c->nflows++;
		/* fct_us -1: the flow never finished; the CDF stops short of 1 */
		if (v < 0)
			continue;
		rc = sim_rep_grow(&c->fct_us, &cap, c->nfct, sizeof(*c->fct_us));
		if (rc)
			break;
		c->fct_us[c->nfct++] = v;
	}
	rep_csv_close(&csv);
	if (c->nfct)
		qsort(c->fct_us, c->nfct, sizeof(*c->fct_us), rep_cmp_double);
	return rc;
}

static int rep_link_row(const struct rep_csv *csv, struct sim_rep_link *l)
{
	double ft, tt;

	rep_csv_copy(csv, 0, l->from, sizeof(l->from));
	rep_csv_copy(csv, 1, l->to, sizeof(l->to));
	if (rep_csv_num(csv, 2, &ft) || rep_csv_num(csv, 3, &tt) ||
	    rep_csv_num(csv, 4, &l->util) || rep_csv_num(csv, 5, &l->max_queue_bytes) ||
	    rep_csv_num(csv, 6, &l->drops) || rep_csv_num(csv, 7, &l->ecn_marks) ||
	    rep_csv_num(csv, 8, &l->pauses_sent) || rep_csv_num(csv, 9, &l->pauses_rcvd) ||
	    rep_csv_num(csv, 10, &l->paused_us))
		return -1;
	l->from_tier = (int)ft;
	l->to_tier = (int)tt;
	return 0;
}

static int rep_load_links(struct sim_rep_config *c, const char *path)
{
	static const char *const cols[] = {
		"from", "to", "from_tier", "to_tier", "utilization", "max_queue_bytes",
		"drops", "ecn_marks", "pfc_pauses_sent", "pfc_pauses_received", "paused_us"
	};
	struct rep_csv csv;
	size_t cap = 0;
	int rc;

	if (rep_csv_open(&csv, path, "links.csv", cols, sizeof(cols) / sizeof(cols[0])))
		return -1;
	while ((rc = rep_csv_next(&csv)) > 0) {
		rc = sim_rep_grow(&c->links, &cap, c->nlinks, sizeof(*c->links));
		if (rc || (rc = rep_link_row(&csv, &c->links[c->nlinks])))
			break;
		c->nlinks++;
	}
	rep_csv_close(&csv);
	return rc;
}

static int rep_load_trace(struct sim_rep_config *c, const char *path)
{
	static const char *const cols[] = {
		"time_us", "data_queue_bytes", "paused", "pauses_received", "pauses_sent",
		"ecn_marks", "drops"
	};
	struct sim_rep_sample *s;
	struct rep_csv csv;
	size_t cap = 0;
	int rc;

	if (rep_csv_open(&csv, path, "trace.csv", cols, sizeof(cols) / sizeof(cols[0])))
		return -1;
	while ((rc = rep_csv_next(&csv)) > 0) {
		rc = sim_rep_grow(&c->trace, &cap, c->ntrace, sizeof(*c->trace));
		if (rc)
			break;
		s = &c->trace[c->ntrace];
		rc = rep_csv_num(&csv, 0, &s->time_us) || rep_csv_num(&csv, 1, &s->queue_bytes) ||
		     rep_csv_num(&csv, 2, &s->paused) || rep_csv_num(&csv, 3, &s->pauses_rcvd) ||
		     rep_csv_num(&csv, 4, &s->pauses_sent) || rep_csv_num(&csv, 5, &s->ecn_marks) ||
		     rep_csv_num(&csv, 6, &s->drops) ? -1 : 0;
		if (rc)
			break;
		c->ntrace++;
	}
	rep_csv_close(&csv);
	return rc;
}

static int rep_coll_row(const struct rep_csv *csv, struct sim_rep_coll *r)
{
	double ranks;

	rep_csv_copy(csv, 0, r->job, sizeof(r->job));
	rep_csv_copy(csv, 1, r->collective, sizeof(r->collective));
	rep_csv_copy(csv, 2, r->algorithm, sizeof(r->algorithm));
	if (rep_csv_num(csv, 3, &ranks) || rep_csv_num(csv, 4, &r->size_bytes) ||
	    rep_csv_num(csv, 5, &r->time_us) || rep_csv_num(csv, 6, &r->busbw_gbyte_s) ||
	    rep_csv_num(csv, 7, &r->eff) || rep_csv_num(csv, 8, &r->nic_busy) ||
	    rep_csv_num(csv, 9, &r->line_gbps))
		return -1;
	r->ranks = (unsigned int)ranks;
	return 0;
}

static int rep_load_coll(struct sim_rep_config *c, const char *path)
{
	static const char *const cols[] = {
		"job", "collective", "algorithm", "ranks", "size_bytes", "time_us",
		"busbw_gbps", "effective_throughput", "nic_busy", "line_gbps"
	};
	struct rep_csv csv;
	size_t cap = 0;
	int rc;

	if (rep_csv_open(&csv, path, "collective.csv", cols, sizeof(cols) / sizeof(cols[0])))
		return -1;
	while ((rc = rep_csv_next(&csv)) > 0) {
		rc = sim_rep_grow(&c->coll, &cap, c->ncoll, sizeof(*c->coll));
		if (rc || (rc = rep_coll_row(&csv, &c->coll[c->ncoll])))
			break;
		c->ncoll++;
	}
	rep_csv_close(&csv);
	if (!rc && !c->ncoll) {
		fprintf(stderr, "%s: no rows, expected one per job and message size\n", path);
		rc = -1;
	}
	return rc;
}

static int rep_pred_row(const struct rep_csv *csv, struct sim_rep_pred *p)
{
	double n;

	rep_csv_copy(csv, 0, p->collective, sizeof(p->collective));
	rep_csv_copy(csv, 1, p->algorithm, sizeof(p->algorithm));
	if (rep_csv_num(csv, 2, &n) || rep_csv_num(csv, 3, &p->size_bytes) ||
	    rep_csv_num(csv, 4, &p->meas_time_us) || rep_csv_num(csv, 5, &p->meas_busbw_gbyte_s) ||
	    rep_csv_num(csv, 6, &p->pred_time_us) || rep_csv_num(csv, 7, &p->pred_busbw_gbyte_s) ||
	    rep_csv_num(csv, 8, &p->line_gbps) || rep_csv_num(csv, 9, &p->rel_error))
		return -1;
	p->nranks = (unsigned int)n;
	return 0;
}

static int rep_load_pred(struct sim_rep_config *c, const char *path)
{
	static const char *const cols[] = {
		"collective", "algorithm", "nranks", "size_bytes", "measured_time_us",
		"measured_busbw_gbps", "predicted_time_us", "predicted_busbw_gbps",
		"line_gbps", "rel_error"
	};
	struct rep_csv csv;
	size_t cap = 0;
	int rc;

	if (rep_csv_open(&csv, path, "prediction.csv", cols, sizeof(cols) / sizeof(cols[0])))
		return -1;
	while ((rc = rep_csv_next(&csv)) > 0) {
		rc = sim_rep_grow(&c->pred, &cap, c->npred, sizeof(*c->pred));
		if (rc || (rc = rep_pred_row(&csv, &c->pred[c->npred])))
			break;
		c->npred++;
	}
	rep_csv_close(&csv);
	if (!rc && !c->npred) {
		fprintf(stderr, "%s: no rows, expected one per collective and message size\n", path);
		rc = -1;
	}
	return rc;
}

static json_t *rep_load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (!j) {
		fprintf(stderr, "%s:%d: %s: expected the summary.json fabsim writes\n",
			path, err.line, err.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		fprintf(stderr, "%s: expected a JSON object (fabsim summary)\n", path);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The run's own --trace-port, from the command line it recorded. */
static void rep_trace_port(struct sim_rep_config *c)
{
	const char *cmd = json_string_value(json_object_get(c->summary, "command"));
	const char *p = cmd ? strstr(cmd, "--trace-port") : NULL;
	size_t n;

	if (!p)
		return;
	p += strlen("--trace-port");
	if (*p != ' ' && *p != '=')
		return;
	p++;
	n = strcspn(p, " ");
	snprintf(c->trace_port, sizeof(c->trace_port), "%.*s", (int)n, p);
}

static void rep_name(struct sim_rep_config *c, const char *dir)
{
	char *abs = realpath(dir, NULL);
	const char *src = abs ? abs : dir;
	const char *base = strrchr(src, '/');
	size_t i;

	base = base && base[1] ? base + 1 : src;
	snprintf(c->name, sizeof(c->name), "%s", base);
	free(abs);
	/* file names: keep them shell- and markdown-friendly */
	for (i = 0; c->name[i]; i++) {
		char ch = c->name[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			 (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';

		c->stem[i] = ok ? ch : '-';
	}
	c->stem[i] = 0;
}

/* flows.csv, links.csv, trace.csv: each optional, read where present. */
static int rep_load_detail(struct sim_rep_config *c, const char *dir, const char *trace_dir)
{
	char path[REP_PATH_MAX];

	if (rep_exists(dir, "flows.csv")) {
		sim_rep_join(path, sizeof(path), dir, "flows.csv");
		if (rep_load_flows(c, path))
			return -1;
	}
	if (rep_exists(dir, "links.csv")) {
		sim_rep_join(path, sizeof(path), dir, "links.csv");
		if (rep_load_links(c, path))
			return -1;
	}
	if (!rep_exists(trace_dir, "trace.csv"))
		trace_dir = dir;
	if (rep_exists(trace_dir, "trace.csv")) {
		sim_rep_join(path, sizeof(path), trace_dir, "trace.csv");
		if (rep_load_trace(c, path))
			return -1;
	}
	return 0;
}

static int rep_load_summary(struct sim_rep_config *c, int required)
{
	char path[REP_PATH_MAX];

	sim_rep_join(path, sizeof(path), c->dir, "summary.json");
	if (!rep_exists(c->dir, "summary.json")) {
		if (required)
			fprintf(stderr, "%s: missing, expected the run summary\n", path);
		return required ? -1 : 0;
	}
	c->summary = rep_load_json(path);
	if (!c->summary)
		return -1;
	rep_trace_port(c);
	if (c->kind == SIM_REP_FLOWS && !json_is_number(json_object_get(c->summary,
									"effective_throughput"))) {
		fprintf(stderr, "%s: no effective_throughput: not a fabsim run summary\n", path);
		return -1;
	}
	return 0;
}

static int rep_load_coll_dir(struct sim_rep_config *c)
{
	char path[REP_PATH_MAX], *largest;
	int ret = -1;

	sim_rep_join(path, sizeof(path), c->dir, "collective.csv");
	if (rep_load_coll(c, path) || rep_load_summary(c, 0))
		return -1;
	/* per-flow detail is kept for the largest size only */
	if (asprintf(&largest, "%s/largest", c->dir) < 0)
		return -1;
	if (rep_exists(largest, "summary.json")) {
		sim_rep_join(path, sizeof(path), largest, "summary.json");
		c->largest = rep_load_json(path);
		if (!c->largest)
			goto out_free_largest;
	}
	ret = rep_load_detail(c, largest, c->dir);
out_free_largest:
	free(largest);
	return ret;
}

int sim_rep_load(struct sim_rep_config *c, const char *dir)
{
	char path[REP_PATH_MAX];

	memset(c, 0, sizeof(*c));
	c->dir = strdup(dir);
	if (!c->dir)
		return -1;
	rep_name(c, dir);
	if (rep_exists(dir, "prediction.csv")) {
		c->kind = SIM_REP_PRED;
		sim_rep_join(path, sizeof(path), dir, "prediction.csv");
		return rep_load_pred(c, path) || rep_load_summary(c, 0) ? -1 : 0;
	}
	if (rep_exists(dir, "collective.csv")) {
		c->kind = SIM_REP_COLL;
		return rep_load_coll_dir(c);
	}
	c->kind = SIM_REP_FLOWS;
	if (rep_load_summary(c, 1))
		return -1;
	return rep_load_detail(c, dir, dir);
}

void sim_rep_config_free(struct sim_rep_config *c)
{
	free(c->dir);
	json_decref(c->summary);
	json_decref(c->largest);
	free(c->coll);
	free(c->pred);
	free(c->fct_us);
	free(c->links);
	free(c->trace);
}
