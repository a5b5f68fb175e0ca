/*
 * `fabsim report` input: reads one results folder of `fabsim run` (flow
 * workload or collective sweep) or `fabsim predict` into a
 * struct sim_rep_config. The files are laid out as sim/results/schema.h
 * says; columns are found by their header name, not their position, so
 * that the report survives columns being added or reordered.
 * Every value is checked against the range of its column or key before it
 * is used (no NaN, infinity or out-of-range number reaches a plot, a table
 * or a conversion to an integer), and every error names the file (and
 * line), the column or key, the value and what was expected there. Errors
 * are returned (a negative errno, the message in the caller's buffer),
 * never printed.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report/report.h"
#include "sim/results/schema.h"

#define REP_CSV_MAX_COLS 64
#define REP_PATH_MAX 4096
#define REP_MAX_LINE 65536		/* bytes of one CSV line */

_Static_assert(SIM_SCHEMA_JOB_NAME < SIM_REP_NAME, "a job name must fit struct sim_rep_coll");
_Static_assert(2 * SIM_SCHEMA_NODE_NAME + 1 < SIM_REP_NAME, "FROM:TO must fit sim_rep_config.busy_port");

/* Where a failing loader puts its message, for the caller to print. */
struct rep_err {
	char *buf;
	size_t len;
};

__attribute__((format(printf, 3, 4)))
static int rep_fail(const struct rep_err *e, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->buf, e->len, fmt, ap);
	va_end(ap);
	return rc;
}

struct rep_csv {
	const char *path;
	const struct sim_schema *sc;	/* its columns; sc->file names it in errors */
	const struct rep_err *e;
	FILE *f;
	char *line;
	size_t cap;
	unsigned int lineno;
	char *field[REP_CSV_MAX_COLS];
	unsigned int nfield;
	int col[SIM_SCHEMA_MAX_COLS];	/* field of each schema column, -1 absent */
};

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

/* Room for entry N of the array *ARR (ELEM bytes each), doubling *CAP: 0 or -ENOMEM. */
static int rep_grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	void *old, *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	/* an array filled before (a second ladder.csv) comes with *CAP 0 and N above it */
	for (ncap = *cap ? *cap * 2 : 64; ncap <= n; ncap *= 2)
		;
	memcpy(&old, arr, sizeof(old));
	p = realloc(old, ncap * elem);
	if (!p)
		return -ENOMEM;
	memcpy(arr, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

static int rep_oom(const struct rep_err *e)
{
	return rep_fail(e, -ENOMEM, "fabsim report: out of memory");
}

int sim_rep_grow(void *arr, size_t *cap, size_t n, size_t elem, char *err, size_t errlen)
{
	const struct rep_err e = { err, errlen };

	return rep_grow(arr, cap, n, elem) ? rep_oom(&e) : 0;
}

/*
 * One line into c->line: 1, 0 at the end, a negative errno (message in
 * c->e) on a read error, a NUL byte (binary data) or a line longer than
 * REP_MAX_LINE, so that no file, /dev/zero included, can make it allocate
 * without bound.
 */
static int rep_csv_getline(struct rep_csv *c)
{
	size_t n = 0;
	int ch;

	if (!c->line) {
		c->cap = 256;
		c->line = malloc(c->cap);
		if (!c->line)
			return rep_oom(c->e);
	}
	while ((ch = getc(c->f)) != EOF && ch != '\n') {
		if (!ch || n + 2 > REP_MAX_LINE)
			return rep_fail(c->e, -EINVAL, "%s:%u: %s (expected a text line of a fabsim %s)", c->path,
					c->lineno + 1, ch ? "line too long" : "binary data (a NUL byte)",
					c->sc->file);
		if (n + 2 > c->cap && rep_grow(&c->line, &c->cap, n + 1, 1))
			return rep_oom(c->e);
		c->line[n++] = (char)ch;
	}
	c->line[n] = 0;
	if (ferror(c->f))
		return rep_fail(c->e, -EIO, "%s: read error: %s", c->path, strerror(errno));
	if (ch == EOF && !n)
		return 0;
	c->lineno++;
	return 1;
}

/* Where each column of the schema is in the header; the last of equal names wins. */
static int rep_csv_header(struct rep_csv *c)
{
	const struct sim_schema *sc = c->sc;
	unsigned int i;
	int k;

	rep_csv_split(c);
	for (i = 0; i < sc->ncols; i++)
		c->col[i] = -1;
	for (i = 0; i < c->nfield; i++) {
		k = sim_schema_find(sc, c->field[i]);
		if (k >= 0)
			c->col[k] = (int)i;
	}
	for (i = 0; i < sc->ncols; i++)
		if (c->col[i] < 0 && sc->cols[i].flags & SIM_COL_REQUIRED)
			return rep_fail(c->e, -EINVAL, "%s: header has no '%s' column: not a fabsim %s", c->path,
					sc->cols[i].name, sc->file);
	return 0;
}

/* PATH, a file laid out as SC, with its header read. */
static int rep_csv_open(struct rep_csv *c, const char *path, const struct sim_schema *sc,
			const struct rep_err *e)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->sc = sc;
	c->e = e;
	c->f = fopen(path, "r");
	if (!c->f) {
		rc = errno ? -errno : -EIO;
		return rep_fail(e, rc, "fabsim report: cannot read %s: %s", path, strerror(-rc));
	}
	rc = rep_csv_getline(c);
	if (!rc)
		rc = rep_fail(e, -EINVAL, "%s: empty, expected a %s header line", path, sc->file);
	if (rc > 0)
		rc = rep_csv_header(c);
	if (rc)
		rep_csv_close(c);
	return rc < 0 ? rc : 0;
}

/* 1: a row is in c->field, 0: end of file, a negative errno on a read error. */
static int rep_csv_next(struct rep_csv *c)
{
	int rc;

	for (;;) {
		rc = rep_csv_getline(c);
		if (rc <= 0)
			return rc;
		if (c->line[strspn(c->line, " \t\r\n")])
			break;
	}
	rep_csv_split(c);
	return 1;
}

/* The field of schema column I in this row, NULL when the row is short. */
static const char *rep_csv_str(const struct rep_csv *c, unsigned int i)
{
	unsigned int k;

	assert(i < c->sc->ncols);
	k = (unsigned int)c->col[i];	/* -1, an absent optional column, is above any field */
	return k < c->nfield ? c->field[k] : NULL;
}

/* A bound as the errors show it: whole numbers in full up to 2^53, else %g. */
static void rep_bound_text(const struct sim_col *col, double v, char *buf, size_t len)
{
	if (col->flags & SIM_COL_INT && fabs(v) <= 9007199254740992.0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
}

/* "a whole number 1..9007199254740992", as the errors say it. */
static void rep_range_text(const struct sim_col *col, char *buf, size_t len)
{
	const char *kind = col->flags & SIM_COL_INT ? "a whole number" : "a number";
	const char *m1 = col->flags & SIM_COL_MINUS1 ? "-1 or " : "";
	const char *blank = col->flags & SIM_COL_BLANK ? ", or empty" : "";
	char lo[32], hi[32];

	rep_bound_text(col, col->min, lo, sizeof(lo));
	rep_bound_text(col, col->max, hi, sizeof(hi));
	if (col->flags & SIM_COL_ABOVE)
		snprintf(buf, len, "%s%s above %s, up to %s%s", m1, kind, lo, hi, blank);
	else
		snprintf(buf, len, "%s%s %s..%s%s", m1, kind, lo, hi, blank);
}

static bool rep_in_range(const struct sim_col *col, double v)
{
	if (col->flags & SIM_COL_MINUS1 && v == -1)
		return true;
	if (!(v >= col->min && v <= col->max))	/* NaN fails too */
		return false;
	if (col->flags & SIM_COL_ABOVE && v == col->min)
		return false;
	return !(col->flags & SIM_COL_INT) || v == floor(v);
}

/*
 * Schema column I as a number within its range. An empty field reads as
 * NAN where the column allows it: writers leave undefined ratios blank.
 */
static int rep_csv_num(const struct rep_csv *c, unsigned int i, double *v)
{
	const struct sim_col *col = &c->sc->cols[i];
	const char *s = rep_csv_str(c, i);
	char range[128];
	char *end;

	if (s && !*s && col->flags & SIM_COL_BLANK) {
		*v = NAN;
		return 0;
	}
	rep_range_text(col, range, sizeof(range));
	if (!s || !*s)
		return rep_fail(c->e, -EINVAL, "%s:%u: column '%s': %s (expected %s)", c->path, c->lineno,
				col->name, s ? "empty" : "missing", range);
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || isspace((unsigned char)*s))
		return rep_fail(c->e, -EINVAL, "%s:%u: column '%s': expected %s, got '%.40s'", c->path,
				c->lineno, col->name, range, s);
	if (!rep_in_range(col, *v))
		return rep_fail(c->e, -EINVAL, "%s:%u: column '%s': %.40s is out of range (expected %s)",
				c->path, c->lineno, col->name, s, range);
	return 0;
}

/* An optional column: NAN when the file has none (written before it existed). */
static int rep_csv_opt_num(const struct rep_csv *c, unsigned int i, double *v)
{
	if (c->col[i] < 0) {
		*v = NAN;
		return 0;
	}
	return rep_csv_num(c, i, v);
}

/* Schema column I as text of 1..max characters into DST. */
static int rep_csv_text(const struct rep_csv *c, unsigned int i, char *dst, size_t len)
{
	const struct sim_col *col = &c->sc->cols[i];
	const char *s = rep_csv_str(c, i);
	size_t max = (size_t)col->max < len - 1 ? (size_t)col->max : len - 1;

	if (s && *s && strlen(s) <= max) {
		memcpy(dst, s, strlen(s) + 1);
		return 0;
	}
	return rep_fail(c->e, -EINVAL, "%s:%u: column '%s': %s%.40s%s (expected a name of 1..%zu characters)",
			c->path, c->lineno, col->name, !s ? "missing" : !*s ? "empty" : "'", s && *s ? s : "",
			s && *s ? "...' is too long" : "", max);
}

static bool rep_exists(const char *dir, const char *name)
{
	char path[REP_PATH_MAX];
	struct stat st;

	sim_rep_join(path, sizeof(path), dir, name);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int sim_rep_is_results(const char *dir)
{
	return rep_exists(dir, sim_schema_summary.file) || rep_exists(dir, sim_schema_coll.file) ||
	       rep_exists(dir, sim_schema_pred.file);
}

static int rep_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Every row of PATH, a CSV laid out as SC, through ROW into the next entry
 * of the array *ARR (ELEM bytes each, *N of them, grown as needed).
 */
static int rep_load_rows(const char *path, const struct sim_schema *sc,
			 int (*row)(const struct rep_csv *csv, void *dst), void *arr, size_t elem, size_t *n,
			 const struct rep_err *e)
{
	struct rep_csv csv;
	size_t cap = 0;
	char *base;
	int rc;

	rc = rep_csv_open(&csv, path, sc, e);
	if (rc)
		return rc;
	while ((rc = rep_csv_next(&csv)) > 0) {
		if (rep_grow(arr, &cap, *n, elem)) {
			rc = rep_oom(e);
			break;
		}
		memcpy(&base, arr, sizeof(base));
		rc = row(&csv, base + *n * elem);
		if (rc)
			break;
		(*n)++;
	}
	rep_csv_close(&csv);
	return rc;
}

static int rep_load_flows(struct sim_rep_config *c, const char *path, const struct rep_err *e)
{
	struct rep_csv csv;
	size_t cap = 0;
	double v;
	int rc;

	rc = rep_csv_open(&csv, path, &sim_schema_flows, e);
	if (rc)
		return rc;
	while ((rc = rep_csv_next(&csv)) > 0) {
		rc = rep_csv_num(&csv, SIM_FLOWS_FCT_US, &v);
		if (rc)
			break;
		c->nflows++;
		/* fct_us -1: the flow never finished; the CDF stops short of 1 */
		if (v == -1)
			continue;
		if (rep_grow(&c->fct_us, &cap, c->nfct, sizeof(*c->fct_us))) {
			rc = rep_oom(e);
			break;
		}
		c->fct_us[c->nfct++] = v;
	}
	rep_csv_close(&csv);
	if (c->nfct)
		qsort(c->fct_us, c->nfct, sizeof(*c->fct_us), rep_cmp_double);
	return rc;
}

static int rep_link_row(const struct rep_csv *csv, void *row)
{
	struct sim_rep_link *l = row;
	double ft, tt, down;
	int rc;

	if ((rc = rep_csv_opt_num(csv, SIM_LINKS_PORT, &l->port)) ||
	    (rc = rep_csv_opt_num(csv, SIM_LINKS_LINK_DOWN, &down)) ||
	    (rc = rep_csv_text(csv, SIM_LINKS_FROM, l->from, sizeof(l->from))) ||
	    (rc = rep_csv_text(csv, SIM_LINKS_TO, l->to, sizeof(l->to))) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_FROM_TIER, &ft)) || (rc = rep_csv_num(csv, SIM_LINKS_TO_TIER, &tt)) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_UTILIZATION, &l->util)) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_MAX_QUEUE_BYTES, &l->max_queue_bytes)) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_DROPS, &l->drops)) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_ECN_MARKS, &l->ecn_marks)) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_PFC_PAUSES_SENT, &l->pauses_sent)) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_PFC_PAUSES_RECEIVED, &l->pauses_rcvd)) ||
	    (rc = rep_csv_num(csv, SIM_LINKS_PAUSED_US, &l->paused_us)))
		return rc;
	/* whole numbers 0..255 by their columns' range: the casts are exact */
	l->from_tier = (int)ft;
	l->to_tier = (int)tt;
	l->down = down == 1;	/* NAN (a run without failures) is up */
	return 0;
}

static int rep_load_links(struct sim_rep_config *c, const char *path, const struct rep_err *e)
{
	return rep_load_rows(path, &sim_schema_links, rep_link_row, &c->links, sizeof(*c->links), &c->nlinks, e);
}

static int rep_trace_row(const struct rep_csv *csv, void *row)
{
	struct sim_rep_sample *s = row;
	int rc;

	if ((rc = rep_csv_num(csv, SIM_TRACE_TIME_US, &s->time_us)) ||
	    (rc = rep_csv_num(csv, SIM_TRACE_DATA_QUEUE_BYTES, &s->queue_bytes)) ||
	    (rc = rep_csv_num(csv, SIM_TRACE_PAUSED, &s->paused)) ||
	    (rc = rep_csv_num(csv, SIM_TRACE_PAUSES_RECEIVED, &s->pauses_rcvd)) ||
	    (rc = rep_csv_num(csv, SIM_TRACE_PAUSES_SENT, &s->pauses_sent)) ||
	    (rc = rep_csv_num(csv, SIM_TRACE_ECN_MARKS, &s->ecn_marks)) ||
	    (rc = rep_csv_num(csv, SIM_TRACE_DROPS, &s->drops)))
		return rc;
	return 0;
}

static int rep_load_trace(struct sim_rep_config *c, const char *path, const struct rep_err *e)
{
	return rep_load_rows(path, &sim_schema_trace, rep_trace_row, &c->trace, sizeof(*c->trace), &c->ntrace, e);
}

static int rep_coll_row(const struct rep_csv *csv, void *row)
{
	struct sim_rep_coll *r = row;
	double ranks;
	int rc;

	if ((rc = rep_csv_text(csv, SIM_COLL_JOB, r->job, sizeof(r->job))) ||
	    (rc = rep_csv_text(csv, SIM_COLL_COLLECTIVE, r->collective, sizeof(r->collective))) ||
	    (rc = rep_csv_text(csv, SIM_COLL_ALGORITHM, r->algorithm, sizeof(r->algorithm))) ||
	    (rc = rep_csv_num(csv, SIM_COLL_RANKS, &ranks)) ||
	    (rc = rep_csv_num(csv, SIM_COLL_SIZE_BYTES, &r->size_bytes)) ||
	    (rc = rep_csv_num(csv, SIM_COLL_TIME_US, &r->time_us)) ||
	    (rc = rep_csv_num(csv, SIM_COLL_BUSBW_GBPS, &r->busbw_gbyte_s)) ||
	    (rc = rep_csv_num(csv, SIM_COLL_EFFECTIVE_THROUGHPUT, &r->eff)) ||
	    (rc = rep_csv_num(csv, SIM_COLL_NIC_BUSY, &r->nic_busy)) ||
	    (rc = rep_csv_num(csv, SIM_COLL_LINE_GBPS, &r->line_gbps)) ||
	    (rc = rep_csv_opt_num(csv, SIM_COLL_BUSBW_PER_NIC, &r->busbw_per_nic)) ||
	    (rc = rep_csv_opt_num(csv, SIM_COLL_SEED, &r->seed)))
		return rc;
	r->ranks = (unsigned int)ranks;	/* a whole number 2..2^32-1 by its range */
	return 0;
}

static int rep_load_coll(struct sim_rep_config *c, const char *path, const struct rep_err *e)
{
	int rc = rep_load_rows(path, &sim_schema_coll, rep_coll_row, &c->coll, sizeof(*c->coll), &c->ncoll, e);

	if (!rc && !c->ncoll)
		rc = rep_fail(e, -EINVAL, "%s: no rows, expected one per job and message size", path);
	return rc;
}

static int rep_pred_row(const struct rep_csv *csv, void *row)
{
	struct sim_rep_pred *p = row;
	double n;
	int rc;

	if ((rc = rep_csv_text(csv, SIM_PRED_COLLECTIVE, p->collective, sizeof(p->collective))) ||
	    (rc = rep_csv_text(csv, SIM_PRED_ALGORITHM, p->algorithm, sizeof(p->algorithm))) ||
	    (rc = rep_csv_num(csv, SIM_PRED_NRANKS, &n)) ||
	    (rc = rep_csv_num(csv, SIM_PRED_SIZE_BYTES, &p->size_bytes)) ||
	    (rc = rep_csv_num(csv, SIM_PRED_MEASURED_TIME_US, &p->meas_time_us)) ||
	    (rc = rep_csv_num(csv, SIM_PRED_MEASURED_BUSBW_GBPS, &p->meas_busbw_gbyte_s)) ||
	    (rc = rep_csv_num(csv, SIM_PRED_PREDICTED_TIME_US, &p->pred_time_us)) ||
	    (rc = rep_csv_num(csv, SIM_PRED_PREDICTED_BUSBW_GBPS, &p->pred_busbw_gbyte_s)) ||
	    (rc = rep_csv_num(csv, SIM_PRED_LINE_GBPS, &p->line_gbps)) ||
	    (rc = rep_csv_num(csv, SIM_PRED_REL_ERROR, &p->rel_error)))
		return rc;
	p->nranks = (unsigned int)n;	/* a whole number 2..2^32-1 by its range */
	return 0;
}

static int rep_load_pred(struct sim_rep_config *c, const char *path, const struct rep_err *e)
{
	int rc = rep_load_rows(path, &sim_schema_pred, rep_pred_row, &c->pred, sizeof(*c->pred), &c->npred, e);

	if (!rc && !c->npred)
		rc = rep_fail(e, -EINVAL, "%s: no rows, expected one per collective and message size", path);
	return rc;
}

/* The keys of summary.json the report reads, checked in this order; all may be null. */
static const unsigned int rep_summary_keys[] = {
	SIM_SUM_FLOWS, SIM_SUM_EFFECTIVE_THROUGHPUT, SIM_SUM_FCT_P99_US, SIM_SUM_PFC_PAUSES,
	SIM_SUM_DROPS, SIM_SUM_TOPOLOGY, SIM_SUM_LB, SIM_SUM_CC, SIM_SUM_RX, SIM_SUM_COMMAND,
	SIM_SUM_HOSTS, SIM_SUM_ALL_ACTIVE_THROUGHPUT, SIM_SUM_MEAN_FLOW_THROUGHPUT,
};

/* and of each jobs[].results[] entry of a collective's */
static const unsigned int rep_job_keys[] = { SIM_CSUM_PFC_PAUSES, SIM_CSUM_DROPS };

static void rep_json_show(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.6g", json_real_value(v));
	else if (json_is_string(v))
		snprintf(buf, len, "\"%.40s\"", json_string_value(v));
	else
		snprintf(buf, len, "%s", json_is_object(v) ? "an object" : json_is_array(v) ? "an array" :
			 json_is_boolean(v) ? "a boolean" : "null");
}

/* KEYS (columns of SC) of OBJ (jansson parses no NaN or infinity): absent, null or in range. */
static int rep_check_keys(const char *path, const char *prefix, const json_t *obj, const struct sim_schema *sc,
			  const unsigned int *keys, size_t n, const struct rep_err *e)
{
	char range[128], got[64];
	const struct sim_col *k;
	const json_t *v;
	size_t i;

	for (i = 0; i < n; i++) {
		k = &sc->cols[keys[i]];
		v = json_object_get(obj, k->name);
		if (!v || json_is_null(v))
			continue;
		if (k->flags & SIM_COL_TEXT ? json_is_string(v) :
		    json_is_number(v) && rep_in_range(k, json_number_value(v)))
			continue;
		if (k->flags & SIM_COL_TEXT)
			snprintf(range, sizeof(range), "a string");
		else
			rep_range_text(k, range, sizeof(range));
		rep_json_show(v, got, sizeof(got));
		return rep_fail(e, -EINVAL, "%s: key '%s%s' = %s is out of range (expected null or %s)", path,
				prefix, k->name, got, range);
	}
	return 0;
}

static int rep_check_jobs(const char *path, const json_t *jobs, const struct rep_err *e)
{
	const json_t *j, *res, *r;
	char prefix[64];
	size_t i, k;
	int rc;

	if (!jobs || json_is_null(jobs))
		return 0;
	if (!json_is_array(jobs))
		goto out_bad;
	json_array_foreach(jobs, i, j) {
		res = json_object_get(j, "results");
		if (!json_is_object(j) || (json_object_get(j, "name") &&
					   !json_is_string(json_object_get(j, "name"))) ||
		    (res && !json_is_array(res)))
			goto out_bad;
		json_array_foreach(res, k, r) {
			snprintf(prefix, sizeof(prefix), "jobs[%zu].results[%zu].", i, k);
			if (!json_is_object(r))
				return rep_fail(e, -EINVAL, "%s: key '%.*s': expected an object", path,
						(int)strlen(prefix) - 1, prefix);
			rc = rep_check_keys(path, prefix, r, &sim_schema_coll_result, rep_job_keys,
					    sizeof(rep_job_keys) / sizeof(rep_job_keys[0]), e);
			if (rc)
				return rc;
		}
	}
	return 0;

out_bad:
	return rep_fail(e, -EINVAL, "%s: key 'jobs': expected an array of { \"name\": ..., \"results\": [...] } "
			"objects", path);
}

static int rep_load_json(const char *path, json_t **out, const struct rep_err *e)
{
	json_error_t err;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	int rc;

	*out = NULL;
	if (!j)
		return rep_fail(e, -EINVAL, "%s:%d: %s: expected the summary.json fabsim writes", path, err.line,
				err.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return rep_fail(e, -EINVAL, "%s: expected a JSON object (fabsim summary)", path);
	}
	rc = rep_check_keys(path, "", j, &sim_schema_summary, rep_summary_keys,
			    sizeof(rep_summary_keys) / sizeof(rep_summary_keys[0]), e);
	if (!rc)
		rc = rep_check_jobs(path, json_object_get(j, "jobs"), e);
	if (rc) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

/*
 * The port of the run's trace.csv: its summary's trace_port (J: the flow
 * run's summary.json, or a collective's largest/summary.json), else its
 * --trace-port from the command line it recorded (runs before trace_port).
 */
static void rep_trace_port(struct sim_rep_config *c, const json_t *j)
{
	const char *cmd = json_string_value(json_object_get(c->summary, sim_schema_summary.cols[SIM_SUM_COMMAND].name));
	const char *key = json_string_value(json_object_get(j, sim_schema_summary.cols[SIM_SUM_TRACE_PORT].name));
	const char *p = cmd ? strstr(cmd, "--trace-port") : NULL;
	size_t n;

	if (key) {
		snprintf(c->trace_port, sizeof(c->trace_port), "%s", key);
		return;
	}
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

static int rep_seed_row(const struct rep_csv *csv, void *row)
{
	struct sim_rep_seed *s = row;
	int rc;

	if ((rc = rep_csv_num(csv, SIM_SEEDS_SEED, &s->seed)) ||
	    (rc = rep_csv_num(csv, SIM_SEEDS_EFFECTIVE, &s->eff)) ||
	    (rc = rep_csv_num(csv, SIM_SEEDS_ALL_ACTIVE, &s->all_active)) ||
	    (rc = rep_csv_num(csv, SIM_SEEDS_MEAN_FLOW, &s->mean_flow)) ||
	    (rc = rep_csv_opt_num(csv, SIM_SEEDS_FCT_P99_US, &s->fct_p99_us)))
		return rc;
	return 0;
}

/* seeds.csv of a flow run with --seeds: every seed's figures, which the report aggregates */
static int rep_load_seeds(struct sim_rep_config *c, const char *dir, const struct rep_err *e)
{
	char path[REP_PATH_MAX];

	if (!rep_exists(dir, sim_schema_seeds.file))
		return 0;
	sim_rep_join(path, sizeof(path), dir, sim_schema_seeds.file);
	return rep_load_rows(path, &sim_schema_seeds, rep_seed_row, &c->seeds, sizeof(*c->seeds), &c->nseeds, e);
}

/* flows.csv, links.csv, trace.csv: each optional, read where present. */
static int rep_load_detail(struct sim_rep_config *c, const char *dir, const char *trace_dir,
			   const struct rep_err *e)
{
	char path[REP_PATH_MAX];
	int rc;

	if (rep_exists(dir, sim_schema_flows.file)) {
		sim_rep_join(path, sizeof(path), dir, sim_schema_flows.file);
		rc = rep_load_flows(c, path, e);
		if (rc)
			return rc;
	}
	if (rep_exists(dir, sim_schema_links.file)) {
		sim_rep_join(path, sizeof(path), dir, sim_schema_links.file);
		rc = rep_load_links(c, path, e);
		if (rc)
			return rc;
		c->busiest = sim_rep_busiest(c->links, c->nlinks);
		if (c->busiest)
			snprintf(c->busy_port, sizeof(c->busy_port), "%s:%s", c->busiest->from, c->busiest->to);
	}
	if (!rep_exists(trace_dir, sim_schema_trace.file))
		trace_dir = dir;
	if (rep_exists(trace_dir, sim_schema_trace.file)) {
		sim_rep_join(path, sizeof(path), trace_dir, sim_schema_trace.file);
		return rep_load_trace(c, path, e);
	}
	return 0;
}

static int rep_load_summary(struct sim_rep_config *c, bool required, const struct rep_err *e)
{
	char path[REP_PATH_MAX];
	int rc;

	sim_rep_join(path, sizeof(path), c->dir, sim_schema_summary.file);
	if (!rep_exists(c->dir, sim_schema_summary.file))
		return required ? rep_fail(e, -ENOENT, "%s: missing, expected the run summary", path) : 0;
	rc = rep_load_json(path, &c->summary, e);
	if (rc)
		return rc;
	rep_trace_port(c, c->summary);
	/* null: the run did not finish, and the report says so with a dash */
	if (c->kind == SIM_REP_FLOWS &&
	    !json_object_get(c->summary, sim_schema_summary.cols[SIM_SUM_EFFECTIVE_THROUGHPUT].name))
		return rep_fail(e, -EINVAL, "%s: no effective_throughput: not a fabsim run summary", path);
	return 0;
}

static int rep_load_coll_dir(struct sim_rep_config *c, const struct rep_err *e)
{
	char path[REP_PATH_MAX], *largest;
	int rc;

	sim_rep_join(path, sizeof(path), c->dir, sim_schema_coll.file);
	rc = rep_load_coll(c, path, e);
	if (!rc)
		rc = rep_load_summary(c, false, e);
	if (rc)
		return rc;
	/* per-flow detail is kept for the largest size only */
	if (asprintf(&largest, "%s/largest", c->dir) < 0)
		return rep_oom(e);
	if (rep_exists(largest, sim_schema_summary.file)) {
		sim_rep_join(path, sizeof(path), largest, sim_schema_summary.file);
		rc = rep_load_json(path, &c->largest, e);
		if (rc)
			goto out_free_largest;
		if (!json_object_get(c->summary, sim_schema_summary.cols[SIM_SUM_TRACE_PORT].name))
			rep_trace_port(c, c->largest);
	}
	rc = rep_load_detail(c, largest, c->dir, e);
out_free_largest:
	free(largest);
	return rc;
}

int sim_rep_load(struct sim_rep_config *c, const char *dir, char *err, size_t errlen)
{
	const struct rep_err e = { err, errlen };
	char path[REP_PATH_MAX];
	int rc;

	memset(c, 0, sizeof(*c));
	if (errlen)
		err[0] = 0;
	c->dir = strdup(dir);
	if (!c->dir)
		return rep_oom(&e);
	rep_name(c, dir);
	if (rep_exists(dir, sim_schema_pred.file)) {
		c->kind = SIM_REP_PRED;
		sim_rep_join(path, sizeof(path), dir, sim_schema_pred.file);
		rc = rep_load_pred(c, path, &e);
		return rc ? rc : rep_load_summary(c, false, &e);
	}
	if (rep_exists(dir, sim_schema_coll.file)) {
		c->kind = SIM_REP_COLL;
		return rep_load_coll_dir(c, &e);
	}
	c->kind = SIM_REP_FLOWS;
	rc = rep_load_summary(c, true, &e);
	if (!rc)
		rc = rep_load_seeds(c, dir, &e);
	return rc ? rc : rep_load_detail(c, dir, dir, &e);
}

void sim_rep_config_free(struct sim_rep_config *c)
{
	free(c->dir);
	json_decref(c->summary);
	json_decref(c->largest);
	free(c->coll);
	free(c->pred);
	free(c->fct_us);
	free(c->seeds);
	free(c->links);
	free(c->trace);
}

/*
 * ladder.csv: the ablation ladder experiments/flagship.sh writes, one row
 * per workload, message size, configuration and seed. A shell script
 * writes it, so its columns live here, beside their only reader, in the
 * form of sim/results/schema.h. busbw_per_nic and nic_busy are fractions.
 */
enum rep_ladder_col {
	REP_LAD_WORKLOAD, REP_LAD_SIZE_BYTES, REP_LAD_ORDER, REP_LAD_CONFIG, REP_LAD_LABEL, REP_LAD_SEED,
	REP_LAD_BUSBW_GBPS, REP_LAD_BUSBW_PER_NIC, REP_LAD_NIC_BUSY, REP_LAD_TIME_US, REP_LAD_TOPOLOGY,
	REP_LAD_RANKS, REP_LAD_NCOLS,
};

static const struct sim_col rep_ladder_cols[REP_LAD_NCOLS] = {
	{ "workload", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, 31, "ring, hier or all-to-all" },
	{ "size_bytes", SIM_COL_INT | SIM_COL_REQUIRED, 1, SIM_SCHEMA_MAX_BYTES, "bytes: message size" },
	{ "order", SIM_COL_INT | SIM_COL_REQUIRED, 0, 1000, "bar order, 0 = RoCE as deployed" },
	{ "config", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, 63, "configuration id" },
	{ "label", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, 127, "its name in legends and tables" },
	{ "seed", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_U32, "random seed" },
	{ "busbw_GBps", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_GBPS, "GB/s: bus bandwidth" },
	{ "busbw_per_nic", SIM_COL_BLANK | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_RATIO,
	  "busbw / (NICs per server x NIC line rate)" },
	{ "nic_busy", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_RATIO, "busiest NIC's busy fraction" },
	{ "time_us", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_US, "us: collective time" },
	/* optional, for the chart's title: what ran where */
	{ "topology", SIM_COL_TEXT | SIM_COL_BLANK, 0, 63, "topology name" },
	{ "ranks", SIM_COL_BLANK, 2, SIM_SCHEMA_MAX_U32, "ranks of the collective" },
};

static const struct sim_schema rep_ladder_schema = { "ladder.csv", rep_ladder_cols, REP_LAD_NCOLS };

static int rep_rung_row(const struct rep_csv *csv, void *row)
{
	struct sim_rep_rung *g = row;
	double order;
	int rc;

	if ((rc = rep_csv_text(csv, REP_LAD_WORKLOAD, g->workload, sizeof(g->workload))) ||
	    (rc = rep_csv_num(csv, REP_LAD_SIZE_BYTES, &g->size_bytes)) ||
	    (rc = rep_csv_num(csv, REP_LAD_ORDER, &order)) ||
	    (rc = rep_csv_text(csv, REP_LAD_CONFIG, g->config, sizeof(g->config))) ||
	    (rc = rep_csv_text(csv, REP_LAD_LABEL, g->label, sizeof(g->label))) ||
	    (rc = rep_csv_num(csv, REP_LAD_SEED, &g->seed)) ||
	    (rc = rep_csv_opt_num(csv, REP_LAD_BUSBW_GBPS, &g->busbw_gbyte_s)) ||
	    (rc = rep_csv_num(csv, REP_LAD_BUSBW_PER_NIC, &g->per_nic)) ||
	    (rc = rep_csv_opt_num(csv, REP_LAD_NIC_BUSY, &g->nic_busy)) ||
	    (rc = rep_csv_opt_num(csv, REP_LAD_TIME_US, &g->time_us)) ||
	    (rc = rep_csv_opt_num(csv, REP_LAD_RANKS, &g->ranks)))
		return rc;
	g->topology[0] = 0;
	if (rep_csv_str(csv, REP_LAD_TOPOLOGY) && *rep_csv_str(csv, REP_LAD_TOPOLOGY) &&
	    (rc = rep_csv_text(csv, REP_LAD_TOPOLOGY, g->topology, sizeof(g->topology))))
		return rc;
	g->order = (unsigned int)order;	/* a whole number 0..1000 by its range */
	return 0;
}

/*
 * One bar per (workload, order) needs one configuration and label, and one
 * value per seed: a row that breaks either would draw a wrong bar silently.
 */
static int rep_ladder_check(const struct sim_rep_rung *g, size_t n, const char *path, const struct rep_err *e)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++) {
			if (strcmp(g[i].workload, g[k].workload) || g[i].order != g[k].order)
				continue;
			if (strcmp(g[i].config, g[k].config) || strcmp(g[i].label, g[k].label))
				return rep_fail(e, -EINVAL, "%s: workload %s, order %u is both '%s' (%s) and '%s' (%s): "
						"expected one configuration per order", path, g[i].workload,
						g[i].order, g[k].label, g[k].config, g[i].label, g[i].config);
			if (g[i].size_bytes == g[k].size_bytes && g[i].seed == g[k].seed)
				return rep_fail(e, -EINVAL, "%s: workload %s, size %.0f, %s: seed %.0f appears twice",
						path, g[i].workload, g[i].size_bytes, g[i].config, g[i].seed);
		}
	}
	return 0;
}

int sim_rep_load_ladder(struct sim_report *r, const char *dir)
{
	const struct rep_err e = { r->err, sizeof(r->err) };
	char path[REP_PATH_MAX];
	size_t first = r->nladder;
	int rc;

	if (!rep_exists(dir, rep_ladder_schema.file))
		return 0;
	sim_rep_join(path, sizeof(path), dir, rep_ladder_schema.file);
	/* a second ladder.csv (two DIRs) appends: the check below covers both */
	rc = rep_load_rows(path, &rep_ladder_schema, rep_rung_row, &r->ladder, sizeof(*r->ladder),
			   &r->nladder, &e);
	if (!rc && r->nladder == first)
		rc = rep_fail(&e, -EINVAL, "%s: no rows, expected one per workload, size, configuration and seed",
			      path);
	if (!rc)
		rc = rep_ladder_check(r->ladder, r->nladder, path, &e);
	return rc ? rc : 1;
}

/*
 * fabbench --p2p all --p2p-csv FILE (verbs/report.c, its header
 * collectives/bench_keys.h): one row per pair of ranks. fabsim does not
 * write it, so its columns live here like ladder.csv's; the bandwidth is
 * GB/s under either name (bandwidth_gbps in files from before issue 16's
 * renaming, which meant GB/s there too). Columns the report does not draw
 * (percentiles, bibw) are read past.
 */
enum rep_p2p_col {
	REP_P2P_SRC, REP_P2P_DST, REP_P2P_LATENCY_US, REP_P2P_BW_GBYTE_S, REP_P2P_BW_OLD, REP_P2P_SRC_HOST,
	REP_P2P_DST_HOST, REP_P2P_NCOLS,
};

static const struct sim_col rep_p2p_cols[REP_P2P_NCOLS] = {
	{ "src", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_REP_P2P_MAX_RANKS - 1, "rank" },
	{ "dst", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_REP_P2P_MAX_RANKS - 1, "rank" },
	{ "latency_us", SIM_COL_ABOVE | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, "us: typical one-way latency" },
	{ "bandwidth_GBps", 0, 0, SIM_SCHEMA_MAX_GBPS, "GB/s: src -> dst" },
	{ "bandwidth_gbps", 0, 0, SIM_SCHEMA_MAX_GBPS, "GB/s: the same, as files before issue 16 name it" },
	{ "src_host", SIM_COL_TEXT, 0, 63, "host of src" },
	{ "dst_host", SIM_COL_TEXT, 0, 63, "host of dst" },
};

static const struct sim_schema rep_p2p_schema = {
	"p2p matrix (fabbench --p2p all --p2p-csv)", rep_p2p_cols, REP_P2P_NCOLS
};

static int rep_pair_row(const struct rep_csv *csv, void *row)
{
	struct sim_rep_pair *p = row;
	double src = 0, dst = 0;
	int rc;

	if ((rc = rep_csv_num(csv, REP_P2P_SRC, &src)) || (rc = rep_csv_num(csv, REP_P2P_DST, &dst)) ||
	    (rc = rep_csv_num(csv, REP_P2P_LATENCY_US, &p->lat_us)) ||
	    (rc = rep_csv_num(csv, csv->col[REP_P2P_BW_GBYTE_S] >= 0 ? REP_P2P_BW_GBYTE_S : REP_P2P_BW_OLD,
			      &p->bw_GBps)))
		return rc;
	/* whole numbers below SIM_REP_P2P_MAX_RANKS by their range */
	p->src = (unsigned int)src;
	p->dst = (unsigned int)dst;
	p->line = csv->lineno;
	if (p->src == p->dst)
		return rep_fail(csv->e, -EINVAL, "%s:%u: src and dst are both rank %u: expected two ranks",
				csv->path, csv->lineno, p->src);
	return 0;
}

/* Rank R is HOST (column I): the first row that names it decides, the others must agree. */
static int rep_p2p_host(struct sim_rep_p2p *p, const struct rep_csv *csv, unsigned int i, unsigned int r,
			const struct rep_err *e)
{
	const char *h = rep_csv_str(csv, i);

	if (!h || !*h)
		return 0;
	if (strlen(h) > rep_p2p_cols[i].max)
		return rep_fail(e, -EINVAL, "%s:%u: column '%s': '%.40s...' is too long (expected a name of "
				"1..63 characters)", csv->path, csv->lineno, rep_p2p_cols[i].name, h);
	if (!p->host[r][0])
		snprintf(p->host[r], sizeof(p->host[r]), "%s", h);
	else if (strcmp(p->host[r], h))
		return rep_fail(e, -EINVAL, "%s:%u: rank %u is on host '%s' here but '%s' above: expected one "
				"host per rank", csv->path, csv->lineno, r, h, p->host[r]);
	return 0;
}

/* Second pass over the file: the host names, now that the ranks are known. */
static int rep_p2p_hosts(struct sim_rep_p2p *p, const struct rep_err *e)
{
	struct rep_csv csv;
	double src = 0, dst = 0;
	int rc;

	p->host = calloc(p->nranks, sizeof(*p->host));
	if (!p->host)
		return rep_oom(e);
	rc = rep_csv_open(&csv, p->path, &rep_p2p_schema, e);
	if (rc)
		return rc;
	while ((rc = rep_csv_next(&csv)) > 0) {
		/* the first pass read them: they are in range */
		rc = rep_csv_num(&csv, REP_P2P_SRC, &src);
		if (!rc)
			rc = rep_csv_num(&csv, REP_P2P_DST, &dst);
		if (!rc)
			rc = rep_p2p_host(p, &csv, REP_P2P_SRC_HOST, (unsigned int)src, e);
		if (!rc)
			rc = rep_p2p_host(p, &csv, REP_P2P_DST_HOST, (unsigned int)dst, e);
		if (rc)
			break;
	}
	rep_csv_close(&csv);
	return rc < 0 ? rc : 0;
}

/* Every pair of ranks 0..nranks-1 exactly once, in either order: else a hole or a wrong cell. */
static int rep_p2p_check(struct sim_rep_p2p *p, const struct rep_err *e)
{
	const struct sim_rep_pair **seen;
	unsigned int n = 0, a, b;
	size_t i;

	for (i = 0; i < p->npairs; i++) {
		n = p->pair[i].src + 1 > n ? p->pair[i].src + 1 : n;
		n = p->pair[i].dst + 1 > n ? p->pair[i].dst + 1 : n;
	}
	p->nranks = n;
	seen = calloc((size_t)n * n, sizeof(*seen));
	if (!seen)
		return rep_oom(e);
	for (i = 0; i < p->npairs; i++) {
		a = p->pair[i].src < p->pair[i].dst ? p->pair[i].src : p->pair[i].dst;
		b = p->pair[i].src ^ p->pair[i].dst ^ a;
		if (seen[a * n + b]) {
			rep_fail(e, -EINVAL, "%s:%u: ranks %u and %u again (line %u has them): expected each pair "
				 "once", p->path, p->pair[i].line, a, b, seen[a * n + b]->line);
			goto out_bad;
		}
		seen[a * n + b] = &p->pair[i];
	}
	for (a = 0; a < n; a++) {
		for (b = a + 1; b < n; b++) {
			if (seen[a * n + b])
				continue;
			rep_fail(e, -EINVAL, "%s: no row for ranks %u and %u: expected every pair of ranks 0..%u, "
				 "as fabbench --p2p all writes them", p->path, a, b, n - 1);
			goto out_bad;
		}
	}
	free(seen);
	return 0;

out_bad:
	free(seen);
	return -EINVAL;
}

static int rep_cmp_pair_bw(const void *a, const void *b)
{
	return rep_cmp_double(&((const struct sim_rep_pair *)a)->bw_GBps, &((const struct sim_rep_pair *)b)->bw_GBps);
}

static int rep_cmp_pair_lat(const void *a, const void *b)
{
	return rep_cmp_double(&((const struct sim_rep_pair *)a)->lat_us, &((const struct sim_rep_pair *)b)->lat_us);
}

/* The slowest pairs and the medians, as fabbench's footer finds them. */
static int rep_p2p_figures(struct sim_rep_p2p *p, const struct rep_err *e)
{
	struct sim_rep_pair *v = malloc(p->npairs * sizeof(*v));
	size_t i, mid = (p->npairs + 1) / 2 - 1;	/* nearest rank: ceil(n / 2) */

	if (!v)
		return rep_oom(e);
	p->slow = p->far = &p->pair[0];
	for (i = 1; i < p->npairs; i++) {
		if (p->pair[i].bw_GBps < p->slow->bw_GBps)
			p->slow = &p->pair[i];
		if (p->pair[i].lat_us > p->far->lat_us)
			p->far = &p->pair[i];
	}
	memcpy(v, p->pair, p->npairs * sizeof(*v));
	qsort(v, p->npairs, sizeof(*v), rep_cmp_pair_bw);
	p->median_GBps = v[mid].bw_GBps;
	qsort(v, p->npairs, sizeof(*v), rep_cmp_pair_lat);
	p->median_us = v[mid].lat_us;
	free(v);
	return 0;
}

int sim_rep_load_p2p(struct sim_report *r, const char *path)
{
	const struct rep_err e = { r->err, sizeof(r->err) };
	struct sim_rep_p2p *p = &r->p2p;
	struct rep_csv csv;
	int rc;

	p->path = path;
	/* the header: one of the two bandwidth names */
	rc = rep_csv_open(&csv, path, &rep_p2p_schema, &e);
	if (rc)
		return rc;
	if (csv.col[REP_P2P_BW_GBYTE_S] < 0 && csv.col[REP_P2P_BW_OLD] < 0)
		rc = rep_fail(&e, -EINVAL, "%s: header has no 'bandwidth_GBps' column: not a fabbench --p2p-csv "
			      "file", path);
	rep_csv_close(&csv);
	if (!rc)
		rc = rep_load_rows(path, &rep_p2p_schema, rep_pair_row, &p->pair, sizeof(*p->pair), &p->npairs, &e);
	if (!rc && !p->npairs)
		rc = rep_fail(&e, -EINVAL, "%s: no rows, expected one per pair of ranks (fabbench --p2p all)", path);
	if (!rc)
		rc = rep_p2p_check(p, &e);
	if (!rc)
		rc = rep_p2p_hosts(p, &e);
	return rc ? rc : rep_p2p_figures(p, &e);
}

void sim_rep_p2p_free(struct sim_rep_p2p *p)
{
	free(p->pair);
	free(p->host);
}
