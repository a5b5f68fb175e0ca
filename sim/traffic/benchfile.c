/*
 * Reader of fabbench's --json results, and of the rank maps that place a
 * measured run on a topology. Every field fabsim uses is checked for
 * presence, type and range, so a truncated, mismatched or absurd file is
 * rejected with the file, the key (as a JSON path: results[3].bytes), the
 * value and the accepted range named, never half-used. Nothing here exits
 * or prints: a failure is a negative errno and its message in the caller's
 * buffer. The key names are collectives/bench_keys.h's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "collectives/bench_keys.h"
#include "collectives/reduce.h"
#include "sim/traffic/benchfile.h"
#include "sim/topo/topo.h"

#define BENCH_MIN_GBPS (SIM_TOPO_MIN_RATE_BPS / 8e9)	/* p2p bandwidth, as link rates */
#define BENCH_MAX_GBPS (SIM_TOPO_MAX_RATE_BPS / 8e9)

/* A parse under way: the file, what it fills, where a failure goes. */
struct bench_ctx {
	struct sim_bench *b;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int bench_msg(const struct bench_ctx *x, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* The value as the error shows it: 1e-15, "ring", an object. */
static void bench_show(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, len, "%.6g", json_real_value(v));
		break;
	case JSON_STRING:
		snprintf(buf, len, "\"%.40s%s\"", json_string_value(v),
			 json_string_length(v) > 40 ? "..." : "");
		break;
	case JSON_NULL:
		snprintf(buf, len, "null");
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
		break;
	case JSON_ARRAY:
		snprintf(buf, len, "an array of %zu", json_array_size(v));
		break;
	default:
		snprintf(buf, len, "an object");
	}
}

/* Missing or of the wrong type. */
static int bench_fail(const struct bench_ctx *x, const char *key, const json_t *v, const char *want)
{
	char got[64];

	if (!v)
		return bench_msg(x, -EINVAL, "%s: key '%s': missing (expected %s)", x->b->path, key, want);
	bench_show(v, got, sizeof(got));
	return bench_msg(x, -EINVAL, "%s: key '%s': expected %s, got %s", x->b->path, key, want, got);
}

static int bench_range(const struct bench_ctx *x, const char *key, const json_t *v, const char *want)
{
	char got[64];

	bench_show(v, got, sizeof(got));
	return bench_msg(x, -ERANGE, "%s: key '%s' = %s is out of range (expected %s)", x->b->path, key, got, want);
}

/* An integer in MIN..MAX (or 0, meaning unknown, when ZERO_OK); DEF if absent or null and optional. */
struct bench_int_spec {
	bool required;
	bool zero_ok;
	uint64_t min, max, def;
};

static int bench_int(const struct bench_ctx *x, const json_t *o, const char *key, const char *path,
		     const struct bench_int_spec *sp, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	char want[128];
	json_int_t n;

	snprintf(want, sizeof(want), "%s%san integer %llu..%llu", sp->required ? "" : "null or ",
		 sp->zero_ok ? "0 (unknown) or " : "", (unsigned long long)sp->min,
		 (unsigned long long)sp->max);
	if (!v || json_is_null(v)) {
		if (sp->required)
			return bench_fail(x, path, v, want);
		*out = sp->def;
		return 0;
	}
	if (!json_is_integer(v))
		return bench_fail(x, path, v, want);
	n = json_integer_value(v);
	if (n < 0 || ((uint64_t)n < sp->min && !(sp->zero_ok && !n)) || (uint64_t)n > sp->max)
		return bench_range(x, path, v, want);
	*out = (uint64_t)n;
	return 0;
}

/* A number in (MIN, MAX] (MIN..MAX when !MIN_OPEN); DEF if absent or null and optional. */
struct bench_real_spec {
	bool required;
	bool min_open;
	double min, max, def;
	const char *unit;
};

/* O[KEY], or O[its name before issue 16] for a GB/s key of an older file. */
static const json_t *bench_get(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	char buf[64];
	const char *old;

	if (v)
		return v;
	old = coll_bench_old_key(key, buf, sizeof(buf));
	return old ? json_object_get(o, old) : NULL;
}

static int bench_real(const struct bench_ctx *x, const json_t *o, const char *key, const char *path,
		      const struct bench_real_spec *sp, double *out)
{
	const json_t *v = bench_get(o, key);
	char want[128];
	double d;

	if (sp->min_open)
		snprintf(want, sizeof(want), "%sa number > %g and <= %g%s", sp->required ? "" : "null or ",
			 sp->min, sp->max, sp->unit);
	else
		snprintf(want, sizeof(want), "%sa number %g..%g%s", sp->required ? "" : "null or ",
			 sp->min, sp->max, sp->unit);
	if (!v || json_is_null(v)) {
		if (sp->required)
			return bench_fail(x, path, v, want);
		*out = sp->def;
		return 0;
	}
	if (!json_is_number(v))
		return bench_fail(x, path, v, want);
	/* jansson refuses NaN and infinities, so the compares below see real numbers */
	d = json_number_value(v);
	if (d > sp->max || d < sp->min || (sp->min_open && d == sp->min))
		return bench_range(x, path, v, want);
	*out = d;
	return 0;
}

/* A string of MIN_LEN..MAX_LEN characters. */
static int bench_str(const struct bench_ctx *x, const json_t *o, const char *key, const char *path,
		     size_t min_len, size_t max_len, const char **out)
{
	const json_t *v = json_object_get(o, key);
	char want[64];

	snprintf(want, sizeof(want), "a string of %zu..%zu characters", min_len, max_len);
	if (!json_is_string(v))
		return bench_fail(x, path, v, want);
	if (json_string_length(v) < min_len || json_string_length(v) > max_len ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return bench_range(x, path, v, want);
	*out = json_string_value(v);
	return 0;
}

/* A top-level key: its name is its path in the messages. */
#define BENCH_TOP(KEY) (KEY), (KEY)

static int bench_names(const struct bench_ctx *x, const json_t *root)
{
	struct sim_bench *b = x->b;
	const char *coll, *algo, *dtype;
	char names[128];
	int k, a, dt, rc;

	if ((rc = bench_str(x, root, BENCH_TOP(COLL_BENCH_COLLECTIVE), 1, 32, &coll)) ||
	    (rc = bench_str(x, root, BENCH_TOP(COLL_BENCH_ALGORITHM), 1, 32, &algo)) ||
	    (rc = bench_str(x, root, BENCH_TOP(COLL_BENCH_DTYPE), 1, 32, &dtype)))
		return rc;
	k = coll_kind_from_name(coll);
	a = coll_algo_from_name(algo);
	dt = coll_dtype_from_name(dtype);
	if (k < 0)
		return bench_fail(x, COLL_BENCH_COLLECTIVE, json_object_get(root, COLL_BENCH_COLLECTIVE),
				  "allreduce, allgather, reducescatter or all-to-all");
	if (a < 0)
		return bench_fail(x, COLL_BENCH_ALGORITHM, json_object_get(root, COLL_BENCH_ALGORITHM),
				  coll_algo_names(names, sizeof(names), ", ", " or "));
	if (dt < 0)
		return bench_fail(x, COLL_BENCH_DTYPE, json_object_get(root, COLL_BENCH_DTYPE),
				  "a fabbench data type (float, half, bfloat16, int32, ...)");
	b->kind = (enum coll_kind)k;
	b->algo = (enum coll_algo)a;
	b->elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)dt);
	return 0;
}

static int bench_counts(const struct bench_ctx *x, const json_t *root)
{
	static const struct bench_int_spec nranks = { true, false, 2, SIM_BENCH_MAX_RANKS, 0 };
	static const struct bench_int_spec nch = { false, false, 1, SIM_BENCH_MAX_CHANNELS, 1 };
	static const struct bench_int_spec gps = { false, false, 0, SIM_BENCH_MAX_RANKS, 0 };
	static const struct bench_int_spec qps = { false, false, 1, SIM_BENCH_MAX_QPS, 1 };
	static const struct bench_int_spec chunk = { true, false, 1, SIM_BENCH_MAX_BYTES, 0 };
	static const struct bench_int_spec rate = { false, true, SIM_TOPO_MIN_RATE_BPS, SIM_TOPO_MAX_RATE_BPS, 0 };
	static const struct bench_int_spec mtu = { false, true, SIM_BENCH_MIN_MTU, SIM_BENCH_MAX_MTU, 0 };
	struct sim_bench *b = x->b;
	uint64_t n, ch, g, q, m;
	int rc;

	if ((rc = bench_int(x, root, BENCH_TOP(COLL_BENCH_NRANKS), &nranks, &n)) ||
	    (rc = bench_int(x, root, BENCH_TOP(COLL_BENCH_NCHANNELS), &nch, &ch)) ||
	    (rc = bench_int(x, root, BENCH_TOP(COLL_BENCH_GPUS_PER_SERVER), &gps, &g)) ||
	    (rc = bench_int(x, root, BENCH_TOP(COLL_BENCH_QPS), &qps, &q)) ||
	    (rc = bench_int(x, root, BENCH_TOP(COLL_BENCH_CHUNK_BYTES), &chunk, &b->chunk_bytes)) ||
	    (rc = bench_int(x, root, BENCH_TOP(COLL_BENCH_LINE_RATE_BPS), &rate, &b->line_rate_bps)) ||
	    (rc = bench_int(x, root, BENCH_TOP(COLL_BENCH_MTU_BYTES), &mtu, &m)))
		return rc;
	b->nranks = (uint32_t)n;
	b->nchannels = (uint32_t)ch;
	b->gpus_per_server = (uint32_t)g;
	b->qps = (uint32_t)q;
	b->mtu_bytes = (uint32_t)m;
	return 0;
}

static int bench_p2p(const struct bench_ctx *x, const json_t *root)
{
	static const struct bench_real_spec lat = { false, true, 0, SIM_BENCH_MAX_LATENCY_US, -1, " us" };
	/* the NIC rate predict derives from it is held to the link rate range */
	static const struct bench_real_spec bw = { false, false, BENCH_MIN_GBPS, BENCH_MAX_GBPS, -1,
						   " GB/s (1M..10T b/s)" };
	int rc;

	rc = bench_real(x, root, BENCH_TOP(COLL_BENCH_P2P_LATENCY_US), &lat, &x->b->p2p_latency_us);
	return rc ? rc : bench_real(x, root, BENCH_TOP(COLL_BENCH_P2P_BW_GBPS), &bw, &x->b->p2p_bw_GBps);
}

/*
 * split_qps, optional: fabbench splits every chunk over the peer's QPs
 * (verbs/ib.c), so a file without it (fabbench's) is on; fabsim run
 * --bench-json writes the value its run resolved.
 */
static int bench_split(const struct bench_ctx *x, const json_t *root)
{
	const json_t *v = json_object_get(root, COLL_BENCH_SPLIT_QPS);
	const char *str;
	int rc;

	x->b->split_qps = true;
	if (!v || json_is_null(v))
		return 0;
	rc = bench_str(x, root, BENCH_TOP(COLL_BENCH_SPLIT_QPS), 2, 3, &str);
	if (rc)
		return rc;
	if (strcmp(str, "on") && strcmp(str, "off"))
		return bench_fail(x, COLL_BENCH_SPLIT_QPS, v, "\"on\" or \"off\"");
	x->b->split_qps = !strcmp(str, "on");
	return 0;
}

static int bench_head(const struct bench_ctx *x, const json_t *root)
{
	struct sim_bench *b = x->b;
	const char *tool, *transport;
	int rc;

	if ((rc = bench_str(x, root, BENCH_TOP(COLL_BENCH_TOOL), 1, sizeof(b->tool) - 1, &tool)) ||
	    (rc = bench_names(x, root)) ||
	    (rc = bench_str(x, root, BENCH_TOP(COLL_BENCH_TRANSPORT), 1, sizeof(b->transport) - 1, &transport)) ||
	    (rc = bench_counts(x, root)) || (rc = bench_p2p(x, root)))
		return rc;
	snprintf(b->tool, sizeof(b->tool), "%s", tool);
	snprintf(b->transport, sizeof(b->transport), "%s", transport);
	return bench_split(x, root);
}

/* ranks[] is optional; when given, one object per rank, with an optional device. */
static int bench_rank(const struct bench_ctx *x, const json_t *ranks, uint32_t r)
{
	struct sim_bench *b = x->b;
	const json_t *e = json_array_get(ranks, r), *dev;
	const char *d;
	char key[48];
	int rc;

	snprintf(key, sizeof(key), COLL_BENCH_RANKS "[%u]", r);
	if (!json_is_object(e))
		return bench_fail(x, key, e, "an object with the rank's device");
	dev = json_object_get(e, COLL_BENCH_RANK_DEVICE);
	if (!dev || json_is_null(dev))
		return 0;
	snprintf(key, sizeof(key), COLL_BENCH_RANKS "[%u]." COLL_BENCH_RANK_DEVICE, r);
	rc = bench_str(x, e, COLL_BENCH_RANK_DEVICE, key, 0, sizeof(b->ranks[r].device) - 1, &d);
	if (rc)
		return rc;
	snprintf(b->ranks[r].device, sizeof(b->ranks[r].device), "%s", d);
	return 0;
}

static int bench_ranks(const struct bench_ctx *x, const json_t *root)
{
	struct sim_bench *b = x->b;
	const json_t *hosts = json_object_get(root, COLL_BENCH_HOSTS), *ranks = json_object_get(root, COLL_BENCH_RANKS);
	char want[64], key[32];
	const char *h;

	snprintf(want, sizeof(want), "an array of %u host names (one per rank)", b->nranks);
	if (!json_is_array(hosts))
		return bench_fail(x, COLL_BENCH_HOSTS, hosts, want);
	if (json_array_size(hosts) != b->nranks)
		return bench_range(x, COLL_BENCH_HOSTS, hosts, want);
	snprintf(want, sizeof(want), "null or an array of %u objects (one per rank)", b->nranks);
	if (ranks && !json_is_null(ranks) && !json_is_array(ranks))
		return bench_fail(x, COLL_BENCH_RANKS, ranks, want);
	if (json_is_array(ranks) && json_array_size(ranks) != b->nranks)
		return bench_range(x, COLL_BENCH_RANKS, ranks, want);
	b->ranks = calloc(b->nranks, sizeof(*b->ranks));
	if (!b->ranks)
		return bench_msg(x, -ENOMEM, "%s: out of memory for %u ranks", b->path, b->nranks);
	for (uint32_t r = 0; r < b->nranks; r++) {
		snprintf(key, sizeof(key), COLL_BENCH_HOSTS "[%u]", r);
		if (!json_is_string(json_array_get(hosts, r)))
			return bench_fail(x, key, json_array_get(hosts, r), "a host name string");
		h = json_string_value(json_array_get(hosts, r));
		if (!*h || strlen(h) >= sizeof(b->ranks[r].host) ||
		    strlen(h) != json_string_length(json_array_get(hosts, r)))
			return bench_range(x, key, json_array_get(hosts, r), "a host name of 1..63 characters");
		snprintf(b->ranks[r].host, sizeof(b->ranks[r].host), "%s", h);
		if (json_is_array(ranks)) {
			int rc = bench_rank(x, ranks, r);

			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The schedule must be buildable for every size, or predict fails half-way. */
static int bench_buildable(const struct bench_ctx *x, uint32_t i, const json_t *bytes)
{
	const struct sim_bench *b = x->b;
	struct coll_params p = {
		.kind = b->kind, .algo = b->algo, .nranks = b->nranks, .bytes = b->bytes[i],
		.elem_bytes = b->elem_bytes, .nchannels = b->nchannels, .chunk_bytes = b->chunk_bytes,
		.gpus_per_server = b->gpus_per_server,
	};
	const char *why = coll_params_error(&p);
	char key[48], got[64];

	if (!why)
		return 0;
	snprintf(key, sizeof(key), COLL_BENCH_RESULTS "[%u]." COLL_BENCH_RES_BYTES, i);
	bench_show(bytes, got, sizeof(got));
	return bench_msg(x, -EINVAL, "%s: key '%s' = %s: %s %s with %u ranks cannot run it: %s", b->path, key,
			 got, coll_kind_name(b->kind), coll_algo_name(b->algo), b->nranks, why);
}

static int bench_result(const struct bench_ctx *x, const json_t *res, uint32_t i)
{
	static const struct bench_int_spec bytes = { true, false, 1, SIM_BENCH_MAX_BYTES, 0 };
	static const struct bench_real_spec time = { true, true, 0, SIM_BENCH_MAX_TIME_US, 0, " us" };
	static const struct bench_real_spec bw = { false, false, 0, SIM_BENCH_MAX_GBPS, -1, " GB/s" };
	struct sim_bench *b = x->b;
	const json_t *e = json_array_get(res, i);
	char key[48];
	int rc;

	snprintf(key, sizeof(key), COLL_BENCH_RESULTS "[%u]", i);
	if (!json_is_object(e))
		return bench_fail(x, key, e, "an object with bytes and time_us");
	snprintf(key, sizeof(key), COLL_BENCH_RESULTS "[%u]." COLL_BENCH_RES_BYTES, i);
	rc = bench_int(x, e, COLL_BENCH_RES_BYTES, key, &bytes, &b->bytes[i]);
	if (rc)
		return rc;
	snprintf(key, sizeof(key), COLL_BENCH_RESULTS "[%u]." COLL_BENCH_RES_TIME_US, i);
	rc = bench_real(x, e, COLL_BENCH_RES_TIME_US, key, &time, &b->time_us[i]);
	if (rc)
		return rc;
	snprintf(key, sizeof(key), COLL_BENCH_RESULTS "[%u]." COLL_BENCH_RES_ALGBW_GBPS, i);
	rc = bench_real(x, e, COLL_BENCH_RES_ALGBW_GBPS, key, &bw, &b->algbw_GBps[i]);
	if (rc)
		return rc;
	snprintf(key, sizeof(key), COLL_BENCH_RESULTS "[%u]." COLL_BENCH_RES_BUSBW_GBPS, i);
	rc = bench_real(x, e, COLL_BENCH_RES_BUSBW_GBPS, key, &bw, &b->busbw_GBps[i]);
	if (rc)
		return rc;
	return bench_buildable(x, i, json_object_get(e, COLL_BENCH_RES_BYTES));
}

static int bench_results(const struct bench_ctx *x, const json_t *root)
{
	const json_t *res = json_object_get(root, COLL_BENCH_RESULTS);
	char want[64];
	int rc;

	snprintf(want, sizeof(want), "an array of 1 to %d measured sizes", SIM_BENCH_MAX_SIZES);
	if (!json_is_array(res))
		return bench_fail(x, COLL_BENCH_RESULTS, res, want);
	if (!json_array_size(res) || json_array_size(res) > SIM_BENCH_MAX_SIZES)
		return bench_range(x, COLL_BENCH_RESULTS, res, want);
	for (uint32_t i = 0; i < json_array_size(res); i++) {
		rc = bench_result(x, res, i);
		if (rc)
			return rc;
	}
	x->b->nsizes = (uint32_t)json_array_size(res);
	return 0;
}

int sim_bench_parse(const char *text, size_t len, const char *name, struct sim_bench *b, char *err,
		    size_t errlen)
{
	const struct bench_ctx x = { b, err, errlen };
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(b, 0, sizeof(*b));
	if (errlen)
		err[0] = 0;
	snprintf(b->path, sizeof(b->path), "%s", name);
	/* a key given twice is a damaged file, not a choice to make silently */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return bench_msg(&x, -EINVAL, "%s:%d: %s (expected a fabbench --json results file)", name,
				 jerr.line > 0 ? jerr.line : 1, jerr.text);
	rc = !json_is_object(root) ? bench_fail(&x, "(top level)", root, "an object") : bench_head(&x, root);
	if (!rc)
		rc = bench_ranks(&x, root);
	if (!rc)
		rc = bench_results(&x, root);
	json_decref(root);
	if (rc)
		sim_bench_free(b);
	return rc;
}

int sim_bench_load(const char *path, struct sim_bench *b, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int rc;

	memset(b, 0, sizeof(*b));
	if (errlen)
		err[0] = 0;
	rc = sim_read_file(path, SIM_BENCH_MAX_FILE_BYTES, "a fabbench --json results file", &text, &len, err,
			   errlen);
	if (rc)
		return rc;
	rc = sim_bench_parse(text, len, path, b, err, errlen);
	free(text);
	return rc;
}

void sim_bench_free(struct sim_bench *b)
{
	free(b->ranks);
	b->ranks = NULL;
}

/* Map files --------------------------------------------------------------- */

struct map_line {
	char *key, *node;
	unsigned int lineno;
};

static int map_cmp(const void *x, const void *y)
{
	const struct map_line *a = x, *b = y;
	int r = strcmp(a->key, b->key);

	return r ? r : (a->lineno > b->lineno) - (a->lineno < b->lineno);
}

/* Splits LINE (comment cut) into its words; returns how many, up to 3. */
static int map_words(char *line, char **w)
{
	int n = 0;

	for (char *p = line; *p && n < 3;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

__attribute__((format(printf, 3, 4)))
static int map_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* 1: a pair in OUT, 0: a blank or comment line, -EINVAL (ERR says why) */
static int map_line(const char *name, char *line, unsigned int lineno, struct map_line *out, char *err,
		    size_t errlen)
{
	char *w[3];
	int n;

	line[strcspn(line, "#")] = 0;
	n = map_words(line, w);
	if (!n)
		return 0;
	if (n != 2)
		return map_msg(err, errlen, "%s:%u: expected 'KEY NODE' (KEY: rankN, host/device or host), got %d "
			       "word%s", name, lineno, n == 3 ? 3 : n, n == 1 ? "" : n == 3 ? "s or more" : "s");
	for (int i = 0; i < 2; i++)
		if (strlen(w[i]) > 63)
			return map_msg(err, errlen, "%s:%u: %s '%.20s...' is %zu characters long (expected 1..63)",
				       name, lineno, i ? "NODE" : "KEY", w[i], strlen(w[i]));
	*out = (struct map_line){ .key = w[0], .node = w[1], .lineno = lineno };
	return 1;
}

/* Parses every line of TEXT (modified in place) into LINES; their number, or a negative errno. */
static long map_lines(char *text, const char *name, struct map_line **lines, char *err, size_t errlen)
{
	size_t cap = 0, n = 0;
	unsigned int lineno = 0;
	char *p = text, *nl;
	struct map_line *l;
	int ret;

	*lines = NULL;
	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		lineno++;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			l = realloc(*lines, cap * sizeof(*l));
			if (!l) {
				snprintf(err, errlen, "%s: out of memory", name);
				return -ENOMEM;
			}
			*lines = l;
		}
		ret = map_line(name, p, lineno, &(*lines)[n], err, errlen);
		if (ret < 0)
			return ret;
		n += (size_t)ret;
		if (!nl)
			break;
	}
	if (!n)
		return map_msg(err, errlen, "%s: no 'KEY NODE' line (expected e.g. 'rank0 h0')", name);
	return (long)n;
}

int sim_bench_map_parse(const char *text, const char *name, char (**map)[2][64], uint32_t *n, char *err,
			size_t errlen)
{
	char *copy = strdup(text), (*grown)[2][64];
	struct map_line *lines = NULL;
	long nl = -1, i;
	int rc = -EINVAL;

	if (errlen)
		err[0] = 0;
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	nl = map_lines(copy, name, &lines, err, errlen);
	if (nl < 0) {
		rc = (int)nl;
		goto out_free;
	}
	if ((uint64_t)*n + (uint64_t)nl > UINT32_MAX / 2) {
		snprintf(err, errlen, "%s: too many lines (%ld)", name, nl);
		goto out_free;
	}
	grown = realloc(*map, ((size_t)*n + (size_t)nl) * sizeof(**map));
	if (!grown) {
		snprintf(err, errlen, "%s: out of memory", name);
		rc = -ENOMEM;
		goto out_free;
	}
	*map = grown;
	/* file order is kept for the map; a sorted copy finds keys given twice */
	for (i = 0; i < nl; i++) {
		strcpy((*map)[*n + i][0], lines[i].key);
		strcpy((*map)[*n + i][1], lines[i].node);
	}
	qsort(lines, (size_t)nl, sizeof(*lines), map_cmp);
	for (i = 1; i < nl; i++) {
		if (strcmp(lines[i - 1].key, lines[i].key))
			continue;
		snprintf(err, errlen, "%s:%u: key '%s' is already mapped on line %u (expected each KEY once)",
			 name, lines[i].lineno, lines[i].key, lines[i - 1].lineno);
		goto out_free;
	}
	*n += (uint32_t)nl;
	rc = 0;
out_free:
	free(lines);
	free(copy);
	return rc;
}

int sim_bench_map_load(const char *path, char (**map)[2][64], uint32_t *n, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int rc;

	if (errlen)
		err[0] = 0;
	rc = sim_read_file(path, SIM_TOPO_MAX_FILE_BYTES, "a map file of 'KEY NODE' lines", &text, &len, err,
			   errlen);
	if (rc)
		return rc;
	rc = sim_bench_map_parse(text, path, map, n, err, errlen);
	free(text);
	return rc;
}
