/*
 * Reader of fabbench's --json results. Every field fabsim needs is checked
 * for presence and type, so a truncated or mismatched file is rejected
 * with the file and the key named, never half-used.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "collectives/reduce.h"
#include "sim/benchfile.h"

static int bench_err(const struct sim_bench *b, const char *key, const char *want)
{
	fprintf(stderr, "%s: key '%s': expected %s\n", b->path, key, want);
	return -1;
}

static int bench_u64(struct sim_bench *b, json_t *o, const char *key, int required, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v)) {
		*out = 0;
		return required ? bench_err(b, key, "a non-negative integer") : 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bench_err(b, key, "a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int bench_str(struct sim_bench *b, json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return bench_err(b, key, "a string");
	*out = json_string_value(v);
	return 0;
}

static double bench_opt_real(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : -1;
}

static int bench_head(struct sim_bench *b, json_t *root)
{
	const char *tool, *coll, *algo, *dtype, *transport;
	uint64_t n, ch, gps, qps, chunk, mtu;
	int k, a, dt;

	if (bench_str(b, root, "tool", &tool) || bench_str(b, root, "collective", &coll) ||
	    bench_str(b, root, "algorithm", &algo) || bench_str(b, root, "dtype", &dtype) ||
	    bench_str(b, root, "transport", &transport))
		return -1;
	snprintf(b->tool, sizeof(b->tool), "%s", tool);
	snprintf(b->transport, sizeof(b->transport), "%s", transport);
	k = coll_kind_from_name(coll);
	a = coll_algo_from_name(algo);
	dt = coll_dtype_from_name(dtype);
	if (k < 0)
		return bench_err(b, "collective", "allreduce, allgather, reducescatter or alltoall");
	if (a < 0)
		return bench_err(b, "algorithm", "ring, rhd, tree, hier or pairwise");
	if (dt < 0)
		return bench_err(b, "dtype", "a fabbench data type (float, half, bfloat16, int32, ...)");
	if (bench_u64(b, root, "nranks", 1, &n) || bench_u64(b, root, "nchannels", 0, &ch) ||
	    bench_u64(b, root, "gpus_per_server", 0, &gps) || bench_u64(b, root, "qps", 0, &qps) ||
	    bench_u64(b, root, "chunk_bytes", 1, &chunk) || bench_u64(b, root, "line_rate_bps", 0, &b->line_rate_bps) ||
	    bench_u64(b, root, "mtu_bytes", 0, &mtu))
		return -1;
	if (n < 2 || n > 1u << 20)
		return bench_err(b, "nranks", "a rank count of at least 2");
	b->nranks = (uint32_t)n;
	b->kind = (enum coll_kind)k;
	b->algo = (enum coll_algo)a;
	b->elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)dt);
	b->nchannels = (uint32_t)ch;
	b->gpus_per_server = (uint32_t)gps;
	b->qps = qps ? (uint32_t)qps : 1;
	b->chunk_bytes = chunk;
	b->mtu_bytes = (uint32_t)mtu;
	b->p2p_latency_us = bench_opt_real(root, "p2p_latency_us");
	b->p2p_bw_gbps = bench_opt_real(root, "p2p_bw_gbps");
	return 0;
}

static int bench_ranks(struct sim_bench *b, json_t *root)
{
	json_t *hosts = json_object_get(root, "hosts"), *ranks = json_object_get(root, "ranks");

	if (!json_is_array(hosts) || json_array_size(hosts) != b->nranks) {
		char want[64];

		snprintf(want, sizeof(want), "an array of %u host names (one per rank)", b->nranks);
		return bench_err(b, "hosts", want);
	}
	b->ranks = calloc(b->nranks, sizeof(*b->ranks));
	if (!b->ranks)
		return -1;
	for (uint32_t r = 0; r < b->nranks; r++) {
		json_t *h = json_array_get(hosts, r), *e = json_is_array(ranks) ? json_array_get(ranks, r) : NULL;
		json_t *dev = e ? json_object_get(e, "device") : NULL;

		if (!json_is_string(h))
			return bench_err(b, "hosts", "strings");
		snprintf(b->ranks[r].host, sizeof(b->ranks[r].host), "%s", json_string_value(h));
		if (json_is_string(dev))
			snprintf(b->ranks[r].device, sizeof(b->ranks[r].device), "%s", json_string_value(dev));
	}
	return 0;
}

static int bench_results(struct sim_bench *b, json_t *root)
{
	json_t *res = json_object_get(root, "results"), *e;
	size_t i;

	if (!json_is_array(res) || !json_array_size(res) || json_array_size(res) > SIM_BENCH_MAX_SIZES)
		return bench_err(b, "results", "an array of 1 to 64 measured sizes");
	json_array_foreach(res, i, e) {
		json_t *t = json_object_get(e, "time_us");
		uint64_t bytes;

		if (bench_u64(b, e, "bytes", 1, &bytes) || !bytes)
			return bench_err(b, "results[].bytes", "a size in bytes > 0");
		if (!json_is_number(t) || json_number_value(t) <= 0)
			return bench_err(b, "results[].time_us", "a measured time > 0");
		b->bytes[i] = bytes;
		b->time_us[i] = json_number_value(t);
		b->algbw_gbps[i] = bench_opt_real(e, "algbw_gbps");
		b->busbw_gbps[i] = bench_opt_real(e, "busbw_gbps");
	}
	b->nsizes = (uint32_t)json_array_size(res);
	return 0;
}

int sim_bench_load(const char *path, struct sim_bench *b)
{
	json_error_t err;
	json_t *root;
	int rc;

	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s", path);
	root = json_load_file(path, 0, &err);
	if (!root) {
		fprintf(stderr, "%s:%d: %s (expected a fabbench --json results file)\n", path, err.line, err.text);
		return -1;
	}
	rc = !json_is_object(root) ? bench_err(b, "(top level)", "an object") :
	     bench_head(b, root) || bench_ranks(b, root) || bench_results(b, root) ? -1 : 0;
	json_decref(root);
	if (rc)
		sim_bench_free(b);
	return rc;
}

void sim_bench_free(struct sim_bench *b)
{
	free(b->ranks);
	b->ranks = NULL;
}
