/*
 * Reader of fabbench's --json results, and of the rank maps that place a
 * measured run on a topology. Every field fabsim uses is checked for
 * presence, type and range, so a truncated, mismatched or absurd file is
 * rejected with the file, the key (as a JSON path: results[3].bytes), the
 * value and the accepted range named, never half-used. Nothing here exits.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "collectives/reduce.h"
#include "sim/traffic/benchfile.h"
#include "sim/topo/topo.h"

#define BENCH_MIN_GBPS (SIM_TOPO_MIN_RATE_BPS / 8e9)	/* p2p bandwidth, as link rates */
#define BENCH_MAX_GBPS (SIM_TOPO_MAX_RATE_BPS / 8e9)

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
static int bench_fail(const struct sim_bench *b, const char *key, const json_t *v, const char *want)
{
	char got[64];

	if (!v) {
		fprintf(stderr, "%s: key '%s': missing (expected %s)\n", b->path, key, want);
		return -1;
	}
	bench_show(v, got, sizeof(got));
	fprintf(stderr, "%s: key '%s': expected %s, got %s\n", b->path, key, want, got);
	return -1;
}

static int bench_range(const struct sim_bench *b, const char *key, const json_t *v, const char *want)
{
	char got[64];

	bench_show(v, got, sizeof(got));
	fprintf(stderr, "%s: key '%s' = %s is out of range (expected %s)\n", b->path, key, got, want);
	return -1;
}

/* An integer in MIN..MAX (or 0, meaning unknown, when ZERO_OK); DEF if absent or null and optional. */
struct bench_int_spec {
	int required;
	int zero_ok;
	uint64_t min, max, def;
};

static int bench_int(const struct sim_bench *b, const json_t *o, const char *key, const char *path,
		     const struct bench_int_spec *sp, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	char want[128];
	json_int_t x;

	snprintf(want, sizeof(want), "%s%san integer %llu..%llu", sp->required ? "" : "null or ",
		 sp->zero_ok ? "0 (unknown) or " : "", (unsigned long long)sp->min,
		 (unsigned long long)sp->max);
	if (!v || json_is_null(v)) {
		if (sp->required)
			return bench_fail(b, path, v, want);
		*out = sp->def;
		return 0;
	}
	if (!json_is_integer(v))
		return bench_fail(b, path, v, want);
	x = json_integer_value(v);
	if (x < 0 || ((uint64_t)x < sp->min && !(sp->zero_ok && !x)) || (uint64_t)x > sp->max)
		return bench_range(b, path, v, want);
	*out = (uint64_t)x;
	return 0;
}

/* A number in (MIN, MAX] (MIN..MAX when !MIN_OPEN); DEF if absent or null and optional. */
struct bench_real_spec {
	int required;
	int min_open;
	double min, max, def;
	const char *unit;
};

static int bench_real(const struct sim_bench *b, const json_t *o, const char *key, const char *path,
		      const struct bench_real_spec *sp, double *out)
{
	const json_t *v = json_object_get(o, key);
	char want[128];
	double x;

	if (sp->min_open)
		snprintf(want, sizeof(want), "%sa number > %g and <= %g%s", sp->required ? "" : "null or ",
			 sp->min, sp->max, sp->unit);
	else
		snprintf(want, sizeof(want), "%sa number %g..%g%s", sp->required ? "" : "null or ",
			 sp->min, sp->max, sp->unit);
	if (!v || json_is_null(v)) {
		if (sp->required)
			return bench_fail(b, path, v, want);
		*out = sp->def;
		return 0;
	}
	if (!json_is_number(v))
		return bench_fail(b, path, v, want);
	/* jansson refuses NaN and infinities, so the compares below see real numbers */
	x = json_number_value(v);
	if (x > sp->max || x < sp->min || (sp->min_open && x == sp->min))
		return bench_range(b, path, v, want);
	*out = x;
	return 0;
}

/* A string of MIN_LEN..MAX_LEN characters. */
static int bench_str(const struct sim_bench *b, const json_t *o, const char *key, const char *path,
		     size_t min_len, size_t max_len, const char **out)
{
	const json_t *v = json_object_get(o, key);
	char want[64];

	snprintf(want, sizeof(want), "a string of %zu..%zu characters", min_len, max_len);
	if (!json_is_string(v))
		return bench_fail(b, path, v, want);
	if (json_string_length(v) < min_len || json_string_length(v) > max_len ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return bench_range(b, path, v, want);
	*out = json_string_value(v);
	return 0;
}

static int bench_names(struct sim_bench *b, const json_t *root)
{
	const char *coll, *algo, *dtype;
	int k, a, dt;

	if (bench_str(b, root, "collective", "collective", 1, 32, &coll) ||
	    bench_str(b, root, "algorithm", "algorithm", 1, 32, &algo) ||
	    bench_str(b, root, "dtype", "dtype", 1, 32, &dtype))
		return -1;
	k = coll_kind_from_name(coll);
	a = coll_algo_from_name(algo);
	dt = coll_dtype_from_name(dtype);
	if (k < 0)
		return bench_fail(b, "collective", json_object_get(root, "collective"),
				  "allreduce, allgather, reducescatter or alltoall");
	if (a < 0)
		return bench_fail(b, "algorithm", json_object_get(root, "algorithm"),
				  "ring, rhd, tree, hier or pairwise");
	if (dt < 0)
		return bench_fail(b, "dtype", json_object_get(root, "dtype"),
				  "a fabbench data type (float, half, bfloat16, int32, ...)");
	b->kind = (enum coll_kind)k;
	b->algo = (enum coll_algo)a;
	b->elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)dt);
	return 0;
}

static int bench_counts(struct sim_bench *b, const json_t *root)
{
	static const struct bench_int_spec nranks = { 1, 0, 2, SIM_BENCH_MAX_RANKS, 0 };
	static const struct bench_int_spec nch = { 0, 0, 1, SIM_BENCH_MAX_CHANNELS, 1 };
	static const struct bench_int_spec gps = { 0, 0, 0, SIM_BENCH_MAX_RANKS, 0 };
	static const struct bench_int_spec qps = { 0, 0, 1, SIM_BENCH_MAX_QPS, 1 };
	static const struct bench_int_spec chunk = { 1, 0, 1, SIM_BENCH_MAX_BYTES, 0 };
	static const struct bench_int_spec rate = { 0, 1, SIM_TOPO_MIN_RATE_BPS, SIM_TOPO_MAX_RATE_BPS, 0 };
	static const struct bench_int_spec mtu = { 0, 1, SIM_BENCH_MIN_MTU, SIM_BENCH_MAX_MTU, 0 };
	uint64_t n, ch, g, q, m;

	if (bench_int(b, root, "nranks", "nranks", &nranks, &n) ||
	    bench_int(b, root, "nchannels", "nchannels", &nch, &ch) ||
	    bench_int(b, root, "gpus_per_server", "gpus_per_server", &gps, &g) ||
	    bench_int(b, root, "qps", "qps", &qps, &q) ||
	    bench_int(b, root, "chunk_bytes", "chunk_bytes", &chunk, &b->chunk_bytes) ||
	    bench_int(b, root, "line_rate_bps", "line_rate_bps", &rate, &b->line_rate_bps) ||
	    bench_int(b, root, "mtu_bytes", "mtu_bytes", &mtu, &m))
		return -1;
	b->nranks = (uint32_t)n;
	b->nchannels = (uint32_t)ch;
	b->gpus_per_server = (uint32_t)g;
	b->qps = (uint32_t)q;
	b->mtu_bytes = (uint32_t)m;
	return 0;
}

static int bench_p2p(struct sim_bench *b, const json_t *root)
{
	static const struct bench_real_spec lat = { 0, 1, 0, SIM_BENCH_MAX_LATENCY_US, -1, " us" };
	/* the NIC rate predict derives from it is held to the link rate range */
	static const struct bench_real_spec bw = { 0, 0, BENCH_MIN_GBPS, BENCH_MAX_GBPS, -1,
						   " GB/s (1M..10T b/s)" };

	return bench_real(b, root, "p2p_latency_us", "p2p_latency_us", &lat, &b->p2p_latency_us) ||
	       bench_real(b, root, "p2p_bw_gbps", "p2p_bw_gbps", &bw, &b->p2p_bw_gbps) ? -1 : 0;
}

static int bench_head(struct sim_bench *b, const json_t *root)
{
	const char *tool, *transport;

	if (bench_str(b, root, "tool", "tool", 1, sizeof(b->tool) - 1, &tool) ||
	    bench_names(b, root) ||
	    bench_str(b, root, "transport", "transport", 1, sizeof(b->transport) - 1, &transport) ||
	    bench_counts(b, root) || bench_p2p(b, root))
		return -1;
	snprintf(b->tool, sizeof(b->tool), "%s", tool);
	snprintf(b->transport, sizeof(b->transport), "%s", transport);
	return 0;
}

/* ranks[] is optional; when given, one object per rank, with an optional device. */
static int bench_rank(struct sim_bench *b, const json_t *ranks, uint32_t r)
{
	const json_t *e = json_array_get(ranks, r), *dev;
	const char *d;
	char key[48];

	snprintf(key, sizeof(key), "ranks[%u]", r);
	if (!json_is_object(e))
		return bench_fail(b, key, e, "an object with the rank's device");
	dev = json_object_get(e, "device");
	if (!dev || json_is_null(dev))
		return 0;
	snprintf(key, sizeof(key), "ranks[%u].device", r);
	if (bench_str(b, e, "device", key, 0, sizeof(b->ranks[r].device) - 1, &d))
		return -1;
	snprintf(b->ranks[r].device, sizeof(b->ranks[r].device), "%s", d);
	return 0;
}

static int bench_ranks(struct sim_bench *b, const json_t *root)
{
	const json_t *hosts = json_object_get(root, "hosts"), *ranks = json_object_get(root, "ranks");
	char want[64], key[32];
	const char *h;

	snprintf(want, sizeof(want), "an array of %u host names (one per rank)", b->nranks);
	if (!json_is_array(hosts))
		return bench_fail(b, "hosts", hosts, want);
	if (json_array_size(hosts) != b->nranks)
		return bench_range(b, "hosts", hosts, want);
	snprintf(want, sizeof(want), "null or an array of %u objects (one per rank)", b->nranks);
	if (ranks && !json_is_null(ranks) && !json_is_array(ranks))
		return bench_fail(b, "ranks", ranks, want);
	if (json_is_array(ranks) && json_array_size(ranks) != b->nranks)
		return bench_range(b, "ranks", ranks, want);
	b->ranks = calloc(b->nranks, sizeof(*b->ranks));
	if (!b->ranks) {
		fprintf(stderr, "%s: out of memory for %u ranks\n", b->path, b->nranks);
		return -1;
	}
	for (uint32_t r = 0; r < b->nranks; r++) {
		snprintf(key, sizeof(key), "hosts[%u]", r);
		if (!json_is_string(json_array_get(hosts, r)))
			return bench_fail(b, key, json_array_get(hosts, r), "a host name string");
		h = json_string_value(json_array_get(hosts, r));
		if (!*h || strlen(h) >= sizeof(b->ranks[r].host) ||
		    strlen(h) != json_string_length(json_array_get(hosts, r)))
			return bench_range(b, key, json_array_get(hosts, r), "a host name of 1..63 characters");
		snprintf(b->ranks[r].host, sizeof(b->ranks[r].host), "%s", h);
		if (json_is_array(ranks) && bench_rank(b, ranks, r))
			return -1;
	}
	return 0;
}

/* The schedule must be buildable for every size, or predict fails half-way. */
static int bench_buildable(const struct sim_bench *b, uint32_t i, const json_t *bytes)
{
	struct coll_params p = {
		.kind = b->kind, .algo = b->algo, .nranks = b->nranks, .bytes = b->bytes[i],
		.elem_bytes = b->elem_bytes, .nchannels = b->nchannels, .chunk_bytes = b->chunk_bytes,
		.gpus_per_server = b->gpus_per_server,
	};
	const char *why = coll_params_error(&p);
	char key[48], got[64];

	if (!why)
		return 0;
	snprintf(key, sizeof(key), "results[%u].bytes", i);
	bench_show(bytes, got, sizeof(got));
	fprintf(stderr, "%s: key '%s' = %s: %s %s with %u ranks cannot run it: %s\n", b->path, key,
		got, coll_kind_name(b->kind), coll_algo_name(b->algo), b->nranks, why);
	return -1;
}

static int bench_result(struct sim_bench *b, const json_t *res, uint32_t i)
{
	static const struct bench_int_spec bytes = { 1, 0, 1, SIM_BENCH_MAX_BYTES, 0 };
	static const struct bench_real_spec time = { 1, 1, 0, SIM_BENCH_MAX_TIME_US, 0, " us" };
	static const struct bench_real_spec bw = { 0, 0, 0, SIM_BENCH_MAX_GBPS, -1, " GB/s" };
	const json_t *e = json_array_get(res, i);
	char key[48];

	snprintf(key, sizeof(key), "results[%u]", i);
	if (!json_is_object(e))
		return bench_fail(b, key, e, "an object with bytes and time_us");
	snprintf(key, sizeof(key), "results[%u].bytes", i);
	if (bench_int(b, e, "bytes", key, &bytes, &b->bytes[i]))
		return -1;
	snprintf(key, sizeof(key), "results[%u].time_us", i);
	if (bench_real(b, e, "time_us", key, &time, &b->time_us[i]))
		return -1;
	snprintf(key, sizeof(key), "results[%u].algbw_gbps", i);
	if (bench_real(b, e, "algbw_gbps", key, &bw, &b->algbw_gbps[i]))
		return -1;
	snprintf(key, sizeof(key), "results[%u].busbw_gbps", i);
	if (bench_real(b, e, "busbw_gbps", key, &bw, &b->busbw_gbps[i]))
		return -1;
	return bench_buildable(b, i, json_object_get(e, "bytes"));
}

static int bench_results(struct sim_bench *b, const json_t *root)
{
	const json_t *res = json_object_get(root, "results");
	char want[64];

	snprintf(want, sizeof(want), "an array of 1 to %d measured sizes", SIM_BENCH_MAX_SIZES);
	if (!json_is_array(res))
		return bench_fail(b, "results", res, want);
	if (!json_array_size(res) || json_array_size(res) > SIM_BENCH_MAX_SIZES)
		return bench_range(b, "results", res, want);
	for (uint32_t i = 0; i < json_array_size(res); i++)
		if (bench_result(b, res, i))
			return -1;
	b->nsizes = (uint32_t)json_array_size(res);
	return 0;
}

int sim_bench_parse(const char *text, size_t len, const char *name, struct sim_bench *b)
{
	json_error_t err;
	json_t *root;
	int rc;

	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s", name);
	/* a key given twice is a damaged file, not a choice to make silently */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		fprintf(stderr, "%s:%d: %s (expected a fabbench --json results file)\n", name,
			err.line > 0 ? err.line : 1, err.text);
		return -1;
	}
	rc = !json_is_object(root) ? bench_fail(b, "(top level)", root, "an object") :
	     bench_head(b, root) || bench_ranks(b, root) || bench_results(b, root) ? -1 : 0;
	json_decref(root);
	if (rc)
		sim_bench_free(b);
	return rc;
}

int sim_bench_load(const char *path, struct sim_bench *b)
{
	size_t len;
	char *text;
	int rc;

	memset(b, 0, sizeof(*b));
	if (sim_read_text(path, SIM_BENCH_MAX_FILE_BYTES, "a fabbench --json results file", &text, &len))
		return -1;
	rc = sim_bench_parse(text, len, path, b);
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

static int map_line(const char *name, char *line, unsigned int lineno, struct map_line *out)
{
	char *w[3];
	int n;

	line[strcspn(line, "#")] = 0;
	n = map_words(line, w);
	if (!n)
		return 0;
	if (n != 2) {
		fprintf(stderr, "%s:%u: expected 'KEY NODE' (KEY: rankN, host/device or host), got %d "
			"word%s\n", name, lineno, n == 3 ? 3 : n, n == 1 ? "" : n == 3 ? "s or more" : "s");
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if (strlen(w[i]) > 63) {
			fprintf(stderr, "%s:%u: %s '%.20s...' is %zu characters long (expected 1..63)\n",
				name, lineno, i ? "NODE" : "KEY", w[i], strlen(w[i]));
			return -1;
		}
	}
	*out = (struct map_line){ .key = w[0], .node = w[1], .lineno = lineno };
	return 1;
}

/* Parses every line of TEXT (modified in place) into LINES; their number, or -1. */
static long map_lines(char *text, const char *name, struct map_line **lines)
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
				fprintf(stderr, "%s: out of memory\n", name);
				return -1;
			}
			*lines = l;
		}
		ret = map_line(name, p, lineno, &(*lines)[n]);
		if (ret < 0)
			return -1;
		n += (size_t)ret;
		if (!nl)
			break;
	}
	if (!n)
		fprintf(stderr, "%s: no 'KEY NODE' line (expected e.g. 'rank0 h0')\n", name);
	return n ? (long)n : -1;
}

int sim_bench_map_parse(const char *text, const char *name, char (**map)[2][64], uint32_t *n)
{
	char *copy = strdup(text), (*grown)[2][64];
	struct map_line *lines = NULL;
	long nl = -1, i;
	int rc = -1;

	if (!copy) {
		fprintf(stderr, "%s: out of memory\n", name);
		return -1;
	}
	nl = map_lines(copy, name, &lines);
	if (nl < 0)
		goto out_free;
	if ((uint64_t)*n + (uint64_t)nl > UINT32_MAX / 2) {
		fprintf(stderr, "%s: too many lines (%ld)\n", name, nl);
		goto out_free;
	}
	grown = realloc(*map, ((size_t)*n + (size_t)nl) * sizeof(**map));
	if (!grown) {
		fprintf(stderr, "%s: out of memory\n", name);
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
		fprintf(stderr, "%s:%u: key '%s' is already mapped on line %u (expected each KEY once)\n",
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

int sim_bench_map_load(const char *path, char (**map)[2][64], uint32_t *n)
{
	size_t len;
	char *text;
	int rc;

	if (sim_read_text(path, SIM_TOPO_MAX_FILE_BYTES, "a map file of 'KEY NODE' lines", &text, &len))
		return -1;
	rc = sim_bench_map_parse(text, path, map, n);
	free(text);
	return rc;
}
