/*
 * `fabsim report` input: reads one results folder of `fabsim run` (flow
 * workload or collective sweep) or `fabsim predict` into a
 * struct sim_rep_config. Columns are found by their header name, not their
 * position, so that the report survives columns being added to the CSVs.
 * Every value is checked against the range of its column or key before it
 * is used (no NaN, infinity or out-of-range number reaches a plot, a table
 * or a conversion to an integer), and every error names the file (and
 * line), the column or key, the value and what was expected there.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report/report.h"
#include "sim/topo/topo.h"

#define REP_CSV_MAX_COLS 64
#define REP_PATH_MAX 4096
#define REP_MAX_LINE 65536		/* bytes of one CSV line */

/* Limits shared by the columns and keys below. */
#define REP_MAX_US 1e12			/* times: 11.6 days, a picosecond clock fits */
#define REP_MAX_BYTES 9007199254740992.0	/* sizes: 2^53, exact in a double */
#define REP_MAX_COUNT 9.2e18		/* counters: int64 */
#define REP_MAX_GBPS 1e9		/* bandwidths */
#define REP_MAX_RATIO 1e6		/* throughput ratios; above 1 only in broken runs */

enum {
	REP_TEXT = 1,		/* a string, not a number */
	REP_INT = 2,		/* a whole number */
	REP_BLANK = 4,		/* may be empty: undefined, shown as a dash */
	REP_ABOVE = 8,		/* strictly above min */
	REP_MINUS1 = 16,	/* -1 allowed too (fct_us of an unfinished flow) */
};

/* A column wanted from a CSV file and the values it may hold. */
struct rep_col {
	const char *name;
	unsigned int flags;
	double min, max;	/* numbers; for REP_TEXT, max is the longest length */
};

struct rep_csv {
	const char *path;
	const char *what;		/* "flows.csv", for error messages */
	FILE *f;
	char *line;
	size_t cap;
	unsigned int lineno;
	char *field[REP_CSV_MAX_COLS];
	unsigned int nfield;
	const struct rep_col *cols;	/* the columns wanted */
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

/*
 * One line into c->line: 1, 0 at the end, -1 (reported) on a read error, a
 * NUL byte (binary data) or a line longer than REP_MAX_LINE, so that no
 * file, /dev/zero included, can make it allocate without bound.
 */
static int rep_csv_getline(struct rep_csv *c)
{
	size_t n = 0;
	int ch;

	if (!c->line) {
		c->cap = 256;
		c->line = malloc(c->cap);
		if (!c->line) {
			fprintf(stderr, "fabsim report: out of memory\n");
			return -1;
		}
	}
	while ((ch = getc(c->f)) != EOF && ch != '\n') {
		if (!ch || n + 2 > REP_MAX_LINE) {
			fprintf(stderr, "%s:%u: %s (expected a text line of a fabsim %s)\n", c->path,
				c->lineno + 1, ch ? "line too long" : "binary data (a NUL byte)", c->what);
			return -1;
		}
		if (n + 2 > c->cap && sim_rep_grow(&c->line, &c->cap, n + 1, 1))
			return -1;
		c->line[n++] = (char)ch;
	}
	c->line[n] = 0;
	if (ferror(c->f)) {
		fprintf(stderr, "%s: read error: %s\n", c->path, strerror(errno));
		return -1;
	}
	if (ch == EOF && !n)
		return 0;
	c->lineno++;
	return 1;
}

static int rep_csv_open(struct rep_csv *c, const char *path, const char *what,
			const struct rep_col *cols, unsigned int n)
{
	unsigned int i, j;
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->what = what;
	c->cols = cols;
	c->f = fopen(path, "r");
	if (!c->f) {
		fprintf(stderr, "fabsim report: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = rep_csv_getline(c);
	if (rc <= 0) {
		if (!rc)
			fprintf(stderr, "%s: empty, expected a %s header line\n", path, what);
		goto out_close;
	}
	rep_csv_split(c);
	for (i = 0; i < n; i++) {
		c->col[i] = -1;
		for (j = 0; j < c->nfield; j++)
			if (!strcmp(c->field[j], cols[i].name))
				c->col[i] = (int)j;
		if (c->col[i] < 0) {
			fprintf(stderr, "%s: header has no '%s' column: not a fabsim %s\n",
				path, cols[i].name, what);
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

static const char *rep_csv_str(const struct rep_csv *c, unsigned int i)
{
	unsigned int k = (unsigned int)c->col[i];

	return k < c->nfield ? c->field[k] : NULL;
}

/* A bound as the errors show it: whole numbers in full up to 2^53, else %g. */
static void rep_bound_text(const struct rep_col *col, double v, char *buf, size_t len)
{
	if (col->flags & REP_INT && fabs(v) <= 9007199254740992.0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
}

/* "a whole number 1..9007199254740992", as the errors say it. */
static void rep_range_text(const struct rep_col *col, char *buf, size_t len)
{
	const char *kind = col->flags & REP_INT ? "a whole number" : "a number";
	const char *m1 = col->flags & REP_MINUS1 ? "-1 or " : "";
	const char *blank = col->flags & REP_BLANK ? ", or empty" : "";
	char lo[32], hi[32];

	rep_bound_text(col, col->min, lo, sizeof(lo));
	rep_bound_text(col, col->max, hi, sizeof(hi));
	if (col->flags & REP_ABOVE)
		snprintf(buf, len, "%s%s above %s, up to %s%s", m1, kind, lo, hi, blank);
	else
		snprintf(buf, len, "%s%s %s..%s%s", m1, kind, lo, hi, blank);
}

static int rep_in_range(const struct rep_col *col, double v)
{
	if (col->flags & REP_MINUS1 && v == -1)
		return 1;
	if (!(v >= col->min && v <= col->max))	/* NaN fails too */
		return 0;
	if (col->flags & REP_ABOVE && v == col->min)
		return 0;
	return !(col->flags & REP_INT) || v == floor(v);
}

/*
 * Column I as a number within its range. An empty field reads as NAN where
 * the column allows it: writers leave undefined ratios blank.
 */
static int rep_csv_num(const struct rep_csv *c, unsigned int i, double *v)
{
	const struct rep_col *col = &c->cols[i];
	const char *s = rep_csv_str(c, i);
	char range[128];
	char *end;

	if (s && !*s && col->flags & REP_BLANK) {
		*v = NAN;
		return 0;
	}
	rep_range_text(col, range, sizeof(range));
	if (!s || !*s) {
		fprintf(stderr, "%s:%u: column '%s': %s (expected %s)\n", c->path, c->lineno,
			col->name, s ? "empty" : "missing", range);
		return -1;
	}
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || isspace((unsigned char)*s)) {
		fprintf(stderr, "%s:%u: column '%s': expected %s, got '%.40s'\n",
			c->path, c->lineno, col->name, range, s);
		return -1;
	}
	if (!rep_in_range(col, *v)) {
		fprintf(stderr, "%s:%u: column '%s': %.40s is out of range (expected %s)\n",
			c->path, c->lineno, col->name, s, range);
		return -1;
	}
	return 0;
}

/* Column I as text of 1..max characters into DST. */
static int rep_csv_text(const struct rep_csv *c, unsigned int i, char *dst, size_t len)
{
	const struct rep_col *col = &c->cols[i];
	const char *s = rep_csv_str(c, i);
	size_t max = (size_t)col->max < len - 1 ? (size_t)col->max : len - 1;

	if (s && *s && strlen(s) <= max) {
		memcpy(dst, s, strlen(s) + 1);
		return 0;
	}
	fprintf(stderr, "%s:%u: column '%s': %s%.40s%s (expected a name of 1..%zu characters)\n",
		c->path, c->lineno, col->name, !s ? "missing" : !*s ? "empty" : "'",
		s && *s ? s : "", s && *s ? "...' is too long" : "", max);
	return -1;
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
	static const struct rep_col cols[] = {
		{ "fct_us", REP_MINUS1, 0, REP_MAX_US },
	};
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
		if (v == -1)
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

	if (rep_csv_text(csv, 0, l->from, sizeof(l->from)) ||
	    rep_csv_text(csv, 1, l->to, sizeof(l->to)) || rep_csv_num(csv, 2, &ft) || rep_csv_num(csv, 3, &tt) ||
	    rep_csv_num(csv, 4, &l->util) || rep_csv_num(csv, 5, &l->max_queue_bytes) ||
	    rep_csv_num(csv, 6, &l->drops) || rep_csv_num(csv, 7, &l->ecn_marks) ||
	    rep_csv_num(csv, 8, &l->pauses_sent) || rep_csv_num(csv, 9, &l->pauses_rcvd) ||
	    rep_csv_num(csv, 10, &l->paused_us))
		return -1;
	/* whole numbers 0..255 by their columns' range: the casts are exact */
	l->from_tier = (int)ft;
	l->to_tier = (int)tt;
	return 0;
}

static int rep_load_links(struct sim_rep_config *c, const char *path)
{
	static const struct rep_col cols[] = {
		{ "from", REP_TEXT, 0, 63 }, { "to", REP_TEXT, 0, 63 },
		{ "from_tier", REP_INT, 0, 255 }, { "to_tier", REP_INT, 0, 255 },
		/* a fraction of the line rate, with slack for rounding */
		{ "utilization", 0, 0, 1.1 },
		{ "max_queue_bytes", REP_INT, 0, REP_MAX_BYTES },
		{ "drops", REP_INT, 0, REP_MAX_COUNT }, { "ecn_marks", REP_INT, 0, REP_MAX_COUNT },
		{ "pfc_pauses_sent", REP_INT, 0, REP_MAX_COUNT },
		{ "pfc_pauses_received", REP_INT, 0, REP_MAX_COUNT },
		{ "paused_us", 0, 0, REP_MAX_US },
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
	static const struct rep_col cols[] = {
		{ "time_us", 0, 0, REP_MAX_US }, { "data_queue_bytes", REP_INT, 0, REP_MAX_BYTES },
		{ "paused", REP_INT, 0, 1 }, { "pauses_received", REP_INT, 0, REP_MAX_COUNT },
		{ "pauses_sent", REP_INT, 0, REP_MAX_COUNT }, { "ecn_marks", REP_INT, 0, REP_MAX_COUNT },
		{ "drops", REP_INT, 0, REP_MAX_COUNT },
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

	if (rep_csv_text(csv, 0, r->job, sizeof(r->job)) ||
	    rep_csv_text(csv, 1, r->collective, sizeof(r->collective)) ||
	    rep_csv_text(csv, 2, r->algorithm, sizeof(r->algorithm)) || rep_csv_num(csv, 3, &ranks) || rep_csv_num(csv, 4, &r->size_bytes) ||
	    rep_csv_num(csv, 5, &r->time_us) || rep_csv_num(csv, 6, &r->busbw_gbyte_s) ||
	    rep_csv_num(csv, 7, &r->eff) || rep_csv_num(csv, 8, &r->nic_busy) ||
	    rep_csv_num(csv, 9, &r->line_gbps))
		return -1;
	r->ranks = (unsigned int)ranks;	/* a whole number 2..2^32-1 by its range */
	return 0;
}

static int rep_load_coll(struct sim_rep_config *c, const char *path)
{
	static const struct rep_col cols[] = {
		{ "job", REP_TEXT, 0, SIM_REP_NAME - 1 }, { "collective", REP_TEXT, 0, 31 },
		{ "algorithm", REP_TEXT, 0, 31 }, { "ranks", REP_INT, 2, UINT32_MAX },
		{ "size_bytes", REP_INT, 1, REP_MAX_BYTES },
		{ "time_us", REP_ABOVE, 0, REP_MAX_US },
		{ "busbw_gbps", 0, 0, REP_MAX_GBPS },
		{ "effective_throughput", REP_BLANK, 0, REP_MAX_RATIO },
		{ "nic_busy", REP_BLANK, 0, REP_MAX_RATIO },
		{ "line_gbps", REP_BLANK | REP_ABOVE, 0, SIM_TOPO_MAX_RATE_BPS / 1e9 },
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

	if (rep_csv_text(csv, 0, p->collective, sizeof(p->collective)) ||
	    rep_csv_text(csv, 1, p->algorithm, sizeof(p->algorithm)) || rep_csv_num(csv, 2, &n) || rep_csv_num(csv, 3, &p->size_bytes) ||
	    rep_csv_num(csv, 4, &p->meas_time_us) || rep_csv_num(csv, 5, &p->meas_busbw_gbyte_s) ||
	    rep_csv_num(csv, 6, &p->pred_time_us) || rep_csv_num(csv, 7, &p->pred_busbw_gbyte_s) ||
	    rep_csv_num(csv, 8, &p->line_gbps) || rep_csv_num(csv, 9, &p->rel_error))
		return -1;
	p->nranks = (unsigned int)n;	/* a whole number 2..2^32-1 by its range */
	return 0;
}

static int rep_load_pred(struct sim_rep_config *c, const char *path)
{
	static const struct rep_col cols[] = {
		{ "collective", REP_TEXT, 0, 31 }, { "algorithm", REP_TEXT, 0, 31 },
		{ "nranks", REP_INT, 2, UINT32_MAX }, { "size_bytes", REP_INT, 1, REP_MAX_BYTES },
		{ "measured_time_us", REP_ABOVE, 0, REP_MAX_US },
		{ "measured_busbw_gbps", 0, 0, REP_MAX_GBPS },
		{ "predicted_time_us", REP_ABOVE, 0, REP_MAX_US },
		{ "predicted_busbw_gbps", 0, 0, REP_MAX_GBPS },
		{ "line_gbps", REP_BLANK | REP_ABOVE, 0, SIM_TOPO_MAX_RATE_BPS / 1e9 },
		/* predicted / measured time - 1: above -1 as both times are */
		{ "rel_error", REP_BLANK, -1, REP_MAX_COUNT },
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

/* The keys of summary.json the report reads, and their ranges; all may be null. */
static const struct rep_col rep_summary_keys[] = {
	{ "flows", REP_INT, 0, REP_MAX_BYTES },
	{ "effective_throughput", 0, 0, REP_MAX_RATIO },
	{ "fct_p99_us", 0, 0, REP_MAX_US },
	{ "pfc_pauses", REP_INT, 0, REP_MAX_COUNT },
	{ "drops", REP_INT, 0, REP_MAX_COUNT },
	{ "topology", REP_TEXT, 0, 0 }, { "lb", REP_TEXT, 0, 0 }, { "cc", REP_TEXT, 0, 0 },
	{ "rx", REP_TEXT, 0, 0 }, { "command", REP_TEXT, 0, 0 },
};

static const struct rep_col rep_job_keys[] = {
	{ "pfc_pauses", REP_INT, 0, REP_MAX_COUNT },
	{ "drops", REP_INT, 0, REP_MAX_COUNT },
};

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

/* KEYS of OBJ (jansson parses no NaN or infinity): absent, null or in range. */
static int rep_check_keys(const char *path, const char *prefix, const json_t *obj,
			  const struct rep_col *keys, size_t n)
{
	char range[128], got[64];
	const json_t *v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = json_object_get(obj, keys[i].name);
		if (!v || json_is_null(v))
			continue;
		if (keys[i].flags & REP_TEXT ? json_is_string(v) :
		    json_is_number(v) && rep_in_range(&keys[i], json_number_value(v)))
			continue;
		if (keys[i].flags & REP_TEXT)
			snprintf(range, sizeof(range), "a string");
		else
			rep_range_text(&keys[i], range, sizeof(range));
		rep_json_show(v, got, sizeof(got));
		fprintf(stderr, "%s: key '%s%s' = %s is out of range (expected null or %s)\n", path,
			prefix, keys[i].name, got, range);
		return -1;
	}
	return 0;
}

static int rep_check_jobs(const char *path, const json_t *jobs)
{
	const json_t *j, *res, *r;
	char prefix[64];
	size_t i, k;

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
			if (!json_is_object(r)) {
				fprintf(stderr, "%s: key '%.*s': expected an object\n", path,
					(int)strlen(prefix) - 1, prefix);
				return -1;
			}
			if (rep_check_keys(path, prefix, r, rep_job_keys,
					   sizeof(rep_job_keys) / sizeof(rep_job_keys[0])))
				return -1;
		}
	}
	return 0;

out_bad:
	fprintf(stderr, "%s: key 'jobs': expected an array of { \"name\": ..., \"results\": [...] } "
		"objects\n", path);
	return -1;
}

static json_t *rep_load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);

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
	if (rep_check_keys(path, "", j, rep_summary_keys,
			   sizeof(rep_summary_keys) / sizeof(rep_summary_keys[0])) ||
	    rep_check_jobs(path, json_object_get(j, "jobs"))) {
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
	/* null: the run did not finish, and the report says so with a dash */
	if (c->kind == SIM_REP_FLOWS && !json_object_get(c->summary, "effective_throughput")) {
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
