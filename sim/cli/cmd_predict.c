/*
 * `fabsim predict`: simulate the job a fabbench run measured and put
 * predicted and measured side by side. The measured ranks are mapped onto
 * topology hosts, the same schedule is rebuilt for every measured size,
 * and what the simulator cannot know about the hosts (per-message software
 * overhead, the rate a NIC really achieves, the reduction rate) is
 * calibrated from the measurement itself and printed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "sim/cli/load.h"
#include "collectives/busbw.h"
#include "sim/traffic/benchfile.h"
#include "sim/cli/cmd.h"
#include "sim/cli/opt.h"
#include "sim/traffic/coll_sim.h"
#include "sim/results/schema.h"
#include "sim/results/stats.h"
#include "collectives/units.h"

struct pred_opts {
	const char *bench_path, *topo_path, *map_path, *out_dir;
	uint64_t rate_bps;		/* --rate: achievable NIC rate override */
	uint64_t overhead_ps;		/* --overhead override */
	int overhead_set;
	uint64_t reduce_bps;		/* --reduce-rate; 0: free */
	struct sim_config cfg;
};

struct pred_calib {
	uint64_t rate_bps;
	const char *rate_source;
	uint64_t overhead_ps;
	const char *overhead_source;
	uint64_t reduce_bps;
};

#define PRED_MAX_OVERHEAD_PS 1000000000000ULL	/* 1 s per message */
#define PRED_MAX_REDUCE_BPS 1000000000000000ULL	/* 1000 Tb/s, above any memory */

/* --lb, --cc, --rx, --seed refuse a value as they always have: by their short name */
static int pred_opt_invalid(const struct sim_opt *opt, const char *v, char *err, size_t errlen)
{
	snprintf(err, errlen, "invalid value '%s' for -%c (see --help)", v, opt->key);
	return -EINVAL;
}

static int pred_opt_lb(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	return sim_lb_from_name(v, &((struct pred_opts *)obj)->cfg.lb) ? pred_opt_invalid(opt, v, err, errlen) : 0;
}

static int pred_opt_cc(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	return sim_cc_from_name(v, &((struct pred_opts *)obj)->cfg.cc) ? pred_opt_invalid(opt, v, err, errlen) : 0;
}

static int pred_opt_rx(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	return sim_rx_from_name(v, &((struct pred_opts *)obj)->cfg.rx) ? pred_opt_invalid(opt, v, err, errlen) : 0;
}

static int pred_opt_seed(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	uint32_t seed;

	if (coll_parse_u32(v, &seed))
		return pred_opt_invalid(opt, v, err, errlen);
	((struct pred_opts *)obj)->cfg.seed = seed;
	return 0;
}

/* --overhead: a time, and that it was given (0 is a valid overhead) */
static int pred_opt_overhead(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	int rc = sim_opt_qty(opt, v, obj, err, errlen);

	if (!rc)
		((struct pred_opts *)obj)->overhead_set = 1;
	return rc;
}

#define PO struct pred_opts
/* the options of fabsim run, listed on one --help line of their own */
#define PRED_OPT_AS_RUN(NAME, KEY, PARSE) \
	{ .name = (NAME), .key = (KEY), .arg = "NAME", .parse = (PARSE), .hidden = true }

static const struct sim_opt pred_opts_table[] = {
	SIM_OPT_STR("bench", 'b', "FILE", PO, bench_path, "fabbench results (--json)"),
	SIM_OPT_STR("topo", 't', "FILE", PO, topo_path, "topology; its 'hostmap' places the ranks"),
	SIM_OPT_STR("map", 'm', "FILE", PO, map_path,
		    "or a map file: lines 'KEY NODE', KEY one of rankN,\n"
		    "host/device, host; without either, host names\nmust be topology node names"),
	SIM_OPT_STR("out", 'o', "DIR", PO, out_dir, "results folder (default results/predict)"),
	SIM_OPT_QTY("rate", 0, "RATE", PO, rate_bps, COLL_QTY_RATE, SIM_TOPO_MIN_RATE_BPS, SIM_TOPO_MAX_RATE_BPS, NULL,
		    "achievable NIC rate, 1M to 10T (default: measured\np2p bandwidth, else the NIC line rate)"),
	{ .name = "overhead", .arg = "TIME", .parse = pred_opt_overhead,
	  .offset = SIM_OPT_OFFSET(PO, overhead_ps, uint64_t), .qty = COLL_QTY_TIME, .lo = 0,
	  .hi = PRED_MAX_OVERHEAD_PS, .help = "per-message software overhead, 0 to 1s\n(default: fitted)" },
	SIM_OPT_QTY("reduce-rate", 0, "R", PO, reduce_bps, COLL_QTY_RATE, SIM_TOPO_MIN_RATE_BPS, PRED_MAX_REDUCE_BPS,
		    NULL, "receiver reduction rate, 1M to 1000T (default: free)"),
	PRED_OPT_AS_RUN("lb", 'l', pred_opt_lb),
	PRED_OPT_AS_RUN("cc", 'c', pred_opt_cc),
	PRED_OPT_AS_RUN("rx", 'r', pred_opt_rx),
	PRED_OPT_AS_RUN("seed", 'S', pred_opt_seed),
	SIM_OPT_TEXT("  -l, --lb, -c, --cc, -r, --rx, -S, --seed   as in fabsim run"),
	SIM_OPT_HELP(NULL),
};

static const struct sim_opt_group pred_groups[] = { SIM_OPT_GROUP(NULL, pred_opts_table) };

static const struct sim_opt_cmd pred_cmd = {
	.name = "fabsim predict",
	.usage_head = "usage: fabsim predict --bench RUN.json --topo FILE [options]\n"
		      "\n"
		      "Simulates the collective a fabbench --json file measured, on a model of\n"
		      "the same fabric, and writes predicted next to measured.\n"
		      "\n",
	.help_col = 24,
	SIM_OPT_GROUPS(pred_groups),
};

/* 0: parsed; 1: --help was printed (exit 0); -1: bad usage, said on stderr (exit 2). */
static int pred_parse(struct pred_opts *o, int argc, char **argv)
{
	int first, rc;

	memset(o, 0, sizeof(*o));
	sim_config_defaults(&o->cfg);
	o->out_dir = "results/predict";
	rc = sim_opt_parse(&pred_cmd, argc, argv, o, &first);
	if (rc)
		return rc;
	if (first < argc || !o->bench_path || !o->topo_path) {
		fprintf(stderr, "fabsim predict: --bench FILE and --topo FILE are required (see --help)\n");
		return -1;
	}
	return 0;
}

/* Generated fabrics name host i "h<i>": read the index back. */
static uint32_t pred_gen_host(const struct sim_topo *t, const char *name)
{
	unsigned long v;
	char *end;

	if (name[0] != 'h' || !isdigit((unsigned char)name[1]) || (name[1] == '0' && name[2]))
		return SIM_NONE;
	errno = 0;
	v = strtoul(name + 1, &end, 10);
	return *end || errno || v >= t->nhosts ? SIM_NONE : (uint32_t)v;
}

static int pred_cmp_host_name(const void *a, const void *b, void *ctx)
{
	const struct sim_topo *t = ctx;

	return strcmp(t->names[*(const uint32_t *)a], t->names[*(const uint32_t *)b]);
}

/* Explicit graphs keep their names: hosts sorted by name, for pred_node_host. */
static uint32_t *pred_host_index(const struct sim_topo *t)
{
	uint32_t *idx;

	if (!t->names)
		return NULL;
	idx = malloc((t->nhosts ? t->nhosts : 1) * sizeof(*idx));
	if (!idx)
		return NULL;
	for (uint32_t h = 0; h < t->nhosts; h++)
		idx[h] = h;
	qsort_r(idx, t->nhosts, sizeof(*idx), pred_cmp_host_name, (void *)t);
	return idx;
}

/* Host index of node NAME, or SIM_NONE; IDX from pred_host_index. */
static uint32_t pred_node_host(const struct sim_topo *t, const uint32_t *idx, const char *name)
{
	uint32_t lo = 0, hi = t->nhosts;

	if (!t->names)
		return pred_gen_host(t, name);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, t->names[idx[mid]]);

		if (!r)
			return idx[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIM_NONE;
}

/* Map entries sorted by key, then position: the first of equal keys wins. */
static int pred_cmp_entry(const void *a, const void *b, void *ctx)
{
	char (*map)[2][64] = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int r = strcmp(map[x][0], map[y][0]);

	return r ? r : (x > y) - (x < y);
}

static uint32_t *pred_map_index(char (*map)[2][64], uint32_t n)
{
	uint32_t *idx = malloc((n ? n : 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), pred_cmp_entry, map);
	return idx;
}

static const char *pred_lookup(char (*map)[2][64], const uint32_t *idx, uint32_t n, const char *key)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strcmp(map[idx[mid]][0], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(map[idx[lo]][0], key) ? map[idx[lo]][1] : NULL;
}

struct pred_owner {
	uint32_t host, rank;
};

static int pred_cmp_owner(const void *a, const void *b)
{
	const struct pred_owner *x = a, *y = b;

	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Two ranks on one host would share its NIC: a measured job never does. */
static int pred_check_owners(const struct sim_topo *t, const struct sim_bench *b, const uint32_t *rank_host)
{
	struct pred_owner *o = malloc(b->nranks * sizeof(*o));
	char name[64];
	int rc = 0;

	if (!o)
		return -1;
	for (uint32_t r = 0; r < b->nranks; r++)
		o[r] = (struct pred_owner){ .host = rank_host[r], .rank = r };
	qsort(o, b->nranks, sizeof(*o), pred_cmp_owner);
	for (uint32_t i = 1; i < b->nranks && !rc; i++) {
		if (o[i].host != o[i - 1].host)
			continue;
		sim_topo_node_name(t, t->hosts[o[i].host], name, sizeof(name));
		fprintf(stderr, "fabsim predict: ranks %u and %u both map to host '%s': give each rank its own "
			"node (rankN keys)\n", o[i - 1].rank, o[i].rank, name);
		rc = -1;
	}
	free(o);
	return rc;
}

/* The map: the topology's hostmap, then --map lines, as (key, node) pairs. */
static int pred_map(const struct pred_opts *o, const struct sim_topo *t, char (**map)[2][64], uint32_t *n)
{
	if (t->nhostmap) {
		*map = malloc(t->nhostmap * sizeof(**map));
		if (!*map)
			return -1;
		memcpy(*map, t->hostmap, t->nhostmap * sizeof(**map));
		*n = t->nhostmap;
	}
	if (o->map_path) {
		char err[SIM_BENCH_ERR];

		if (sim_bench_map_load(o->map_path, map, n, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
	}
	return 0;
}

static int pred_place_rank(const struct pred_opts *o, const struct sim_topo *t, const struct sim_bench *b,
			   uint32_t r, char (*map)[2][64], const uint32_t *midx, uint32_t n,
			   const uint32_t *hidx, uint32_t *rank_host)
{
	char k_rank[32], k_dev[128];
	const char *node;

	snprintf(k_rank, sizeof(k_rank), "rank%u", r);
	snprintf(k_dev, sizeof(k_dev), "%s/%s", b->ranks[r].host, b->ranks[r].device);
	node = pred_lookup(map, midx, n, k_rank);
	node = node ? node : pred_lookup(map, midx, n, k_dev);
	node = node ? node : pred_lookup(map, midx, n, b->ranks[r].host);
	node = node ? node : (n ? NULL : b->ranks[r].host);
	if (!node) {
		fprintf(stderr, "fabsim predict: rank %u (host %s, device %s) is not in the map: add '%s NODE' "
			"(or 'rank%u NODE') to %s\n", r, b->ranks[r].host, b->ranks[r].device[0] ? b->ranks[r].device : "-",
			b->ranks[r].device[0] ? k_dev : b->ranks[r].host, r,
			o->map_path ? o->map_path : "the topology's hostmap");
		return -1;
	}
	rank_host[r] = pred_node_host(t, hidx, node);
	if (rank_host[r] == SIM_NONE) {
		fprintf(stderr, "fabsim predict: rank %u maps to '%s', which is not a host of %s%s\n", r, node,
			o->topo_path, n ? "" : " (give a --map or a hostmap in the topology)");
		return -1;
	}
	return 0;
}

static int pred_place(const struct pred_opts *o, const struct sim_topo *t, const struct sim_bench *b, uint32_t *rank_host)
{
	char (*map)[2][64] = NULL;
	uint32_t n = 0, *midx = NULL, *hidx = NULL;
	int rc = -1;

	if (pred_map(o, t, &map, &n))
		goto out_free;
	midx = pred_map_index(map, n);
	hidx = pred_host_index(t);
	if (!midx || (t->names && !hidx)) {
		fprintf(stderr, "fabsim predict: out of memory\n");
		goto out_free;
	}
	for (uint32_t r = 0; r < b->nranks; r++)
		if (pred_place_rank(o, t, b, r, map, midx, n, hidx, rank_host))
			goto out_free;
	rc = pred_check_owners(t, b, rank_host);
out_free:
	free(hidx);
	free(midx);
	free(map);
	return rc;
}

/* Every host link at RATE: the NIC rate the measurement achieved. */
static void pred_set_host_rate(struct sim_topo *t, uint64_t rate_bps)
{
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_port *p = &t->ports[i];

		if (t->nodes[p->node].kind == SIM_NODE_HOST ||
		    t->nodes[t->ports[p->peer].node].kind == SIM_NODE_HOST)
			t->ports[i].rate_bps = rate_bps;
	}
}

/* sim_create, saying why when the configuration is refused. */
static struct sim *pred_sim_create(struct sim_topo *t, const struct sim_config *cfg)
{
	struct sim *s;
	char err[256];

	if (sim_config_check(t, cfg, err, sizeof(err))) {
		fprintf(stderr, "fabsim predict: %s\n", err);
		return NULL;
	}
	s = sim_create(t, cfg);
	if (!s)
		fprintf(stderr, "fabsim predict: cannot create the simulation: out of memory\n");
	return s;
}

static int pred_sim_run(struct sim *s)
{
	if (!sim_run(s))
		return 0;
	fprintf(stderr, "fabsim predict: the simulation failed%s%s\n", *sim_error(s) ? ": " : "",
		sim_error(s));
	return -1;
}

/* Simulates size index K with the calibration; the collective time in us. */
static double pred_simulate(const struct pred_opts *o, struct sim_topo *t, const struct sim_bench *b,
			    uint32_t *rank_host, const struct pred_calib *cal, uint64_t bytes, uint32_t *depth)
{
	struct sim_config cfg = o->cfg;
	struct sim_coll_job j = { .kind = b->kind, .algo = b->algo, .nranks = b->nranks, .bytes = bytes,
				  .elem_bytes = b->elem_bytes, .nchannels = b->nchannels, .chunk_bytes = b->chunk_bytes,
				  .gpus_per_server = b->gpus_per_server ? b->gpus_per_server : 1,
				  .nvlink_bps = 3600000000000ULL, .nvlink_lat_ps = 1000000, .rank_host = rank_host,
				  .reduce_bps = cal->reduce_bps };
	struct sim_coll_result r;
	struct sim *s;
	double us = -1;
	char err[1024];

	strcpy(j.name, "measured");
	cfg.qps_per_flow = b->qps;
	/* as the measured run did: fabbench splits every chunk over its QPs (verbs/ib.c) */
	cfg.split_qps = b->split_qps ? SIM_SPLIT_QPS_ON : SIM_SPLIT_QPS_OFF;
	cfg.mtu_bytes = b->mtu_bytes;
	cfg.msg_overhead_ps = cal->overhead_ps;
	s = pred_sim_create(t, &cfg);
	if (!s)
		return -1;
	if (sim_coll_add(s, &j, err, sizeof(err))) {
		fprintf(stderr, "fabsim: %s\n", err);
	} else if (!pred_sim_run(s)) {
		sim_coll_result(s, &j, &r);
		us = r.time_us;
		if (depth)
			*depth = j.depth;
	}
	sim_destroy(s);
	return us;
}

static void pred_fmt_rate(uint64_t bps, char *buf, size_t len)
{
	snprintf(buf, len, "%.3f Gb/s", bps / 1e9);
}

/* One-way time of an 8-byte message between two hosts on the model, us. */
static double pred_one_way_us(const struct pred_opts *o, struct sim_topo *t, uint32_t a, uint32_t b)
{
	struct sim *s = pred_sim_create(t, &o->cfg);
	double us = -1;

	if (s && sim_add_flow(s, a, b, 8, 0) == 0 && !pred_sim_run(s))
		us = (double)s->flows[0].finish_ps * 1e-6;
	sim_destroy(s);
	return us;
}

/*
 * Rate: --rate, else the measured point-to-point bandwidth, else the NIC
 * line rate. Overhead: --overhead, else the measured point-to-point
 * latency less the model's own one-way latency, else what is left of the
 * smallest size's measured time once the fabric's own time is taken out,
 * spread over the transfers on its critical path.
 */
static int pred_calibrate(const struct pred_opts *o, struct sim_topo *t, const struct sim_bench *b, uint32_t *rank_host,
			  struct pred_calib *cal)
{
	uint64_t topo_rate = sim_topo_nic_bps(t, t->hosts[0]);
	uint32_t depth = 0;
	double t0;

	memset(cal, 0, sizeof(*cal));
	cal->reduce_bps = o->reduce_bps;
	if (o->rate_bps) {
		cal->rate_bps = o->rate_bps, cal->rate_source = "--rate";
	} else if (b->p2p_bw_GBps > 0) {
		cal->rate_bps = (uint64_t)(b->p2p_bw_GBps * 8e9), cal->rate_source = "measured p2p bandwidth";
	} else if (b->line_rate_bps) {
		cal->rate_bps = b->line_rate_bps, cal->rate_source = "NIC line rate";
	} else {
		cal->rate_bps = topo_rate, cal->rate_source = "topology host rate";
	}
	if (cal->rate_bps != topo_rate)
		pred_set_host_rate(t, cal->rate_bps);
	if (o->overhead_set) {
		cal->overhead_ps = o->overhead_ps, cal->overhead_source = "--overhead";
		return 0;
	}
	if (b->p2p_latency_us > 0) {
		double wire_us = pred_one_way_us(o, t, rank_host[0], rank_host[1]);

		if (wire_us < 0)
			return -1;
		cal->overhead_source = "measured p2p latency minus the fabric's";
		if (b->p2p_latency_us > wire_us)
			cal->overhead_ps = (uint64_t)((b->p2p_latency_us - wire_us) * 1e6);
		return 0;
	}
	t0 = pred_simulate(o, t, b, rank_host, cal, b->bytes[0], &depth);
	if (t0 < 0 || !depth)
		return -1;
	cal->overhead_source = "fitted on the smallest size";
	if (b->time_us[0] > t0)
		cal->overhead_ps = (uint64_t)((b->time_us[0] - t0) / depth * 1e6);
	return 0;
}

static void pred_print_calib(const struct sim_bench *b, const struct pred_calib *c)
{
	char rate[32];

	pred_fmt_rate(c->rate_bps, rate, sizeof(rate));
	printf("# calibration (what the simulator cannot know about the hosts):\n");
	printf("#   NIC rate achieved     %s (%s)\n", rate, c->rate_source);
	printf("#   per-message overhead  %.3f us (%s)\n", c->overhead_ps / 1e6, c->overhead_source);
	if (c->reduce_bps)
		printf("#   reduction rate        %.3f Gb/s\n", c->reduce_bps / 1e9);
	else
		printf("#   reduction rate        free (not modelled; --reduce-rate)\n");
	if (b->p2p_latency_us > 0)
		printf("#   measured p2p latency  %.3f us, bandwidth %.3f GB/s\n", b->p2p_latency_us, b->p2p_bw_GBps);
}

/* Keys of summary.json in the order of sim/results/schema.h (asserted). */
#define PSUM(K, V) sim_schema_set(root, &sim_schema_pred_summary, SIM_PSUM_##K, (V))
#define PCAL(K, V) sim_schema_set(j, &sim_schema_pred_calib, SIM_PCAL_##K, (V))
#define PRES(K, V) sim_schema_set(e, &sim_schema_pred_result, SIM_PRES_##K, (V))

static json_t *pred_json_calib(const struct pred_calib *c)
{
	json_t *j = json_object();

	PCAL(NIC_RATE_BPS, json_integer((json_int_t)c->rate_bps));
	PCAL(NIC_RATE_SOURCE, json_string(c->rate_source));
	PCAL(OVERHEAD_US, json_real(c->overhead_ps / 1e6));
	PCAL(OVERHEAD_SOURCE, json_string(c->overhead_source));
	PCAL(REDUCE_RATE_BPS, json_integer((json_int_t)c->reduce_bps));
	return j;
}

static int pred_run(const struct pred_opts *o, struct sim_topo *t, const struct sim_bench *b, uint32_t *rank_host)
{
	struct pred_calib cal;
	json_t *res = json_array(), *root = json_object();
	char path[4096];
	FILE *csv;
	int rc = 0;

	if (pred_calibrate(o, t, b, rank_host, &cal)) {
		fprintf(stderr, "fabsim predict: the calibration run failed\n");
		rc = 1;
		goto out_json;
	}
	if (sim_mkdir_p(o->out_dir)) {
		fprintf(stderr, "fabsim predict: cannot create %s: %s\n", o->out_dir, strerror(errno));
		rc = 1;
		goto out_json;
	}
	snprintf(path, sizeof(path), "%s/%s", o->out_dir, sim_schema_pred.file);
	csv = fopen(path, "w");
	if (!csv) {
		fprintf(stderr, "fabsim predict: cannot write %s\n", path);
		rc = 1;
		goto out_json;
	}
	printf("# fabsim predict: %s %s, %u ranks, measured by %s over %s (%s), on %s\n", coll_kind_name(b->kind),
	       coll_algo_name(b->algo), b->nranks, b->tool, b->transport, b->path, t->name);
	pred_print_calib(b, &cal);
	printf("#%13s %12s %12s %10s %10s %9s\n", "size (B)", "measured us", "predicted us", "meas busbw", "pred busbw",
	       "error");
	sim_schema_write_header(&sim_schema_pred, csv);
	for (uint32_t k = 0; k < b->nsizes; k++) {
		double tp = pred_simulate(o, t, b, rank_host, &cal, b->bytes[k], NULL), tm = b->time_us[k];
		double mb = coll_busbw_GBps(b->kind, b->nranks, b->bytes[k], tm * 1e-6);
		double pb = coll_busbw_GBps(b->kind, b->nranks, b->bytes[k], tp * 1e-6), err = tp / tm - 1;
		json_t *e = json_object();

		if (tp < 0) {
			json_decref(e);
			rc = 1;
			break;
		}
		printf(" %13lu %12.2f %12.2f %10.3f %10.3f %+8.1f%%\n", (unsigned long)b->bytes[k], tm, tp, mb, pb, 100 * err);
		fprintf(csv, "%s,%s,%u,%lu,%.4f,%.6f,%.6f,%.4f,%.6f,%.6f,%.3f,%.6f\n", coll_kind_name(b->kind),
			coll_algo_name(b->algo), b->nranks, (unsigned long)b->bytes[k], tm,
			coll_algbw_GBps(b->bytes[k], tm * 1e-6), mb, tp, coll_algbw_GBps(b->bytes[k], tp * 1e-6), pb,
			cal.rate_bps / 1e9, err);
		PRES(SIZE_BYTES, json_integer((json_int_t)b->bytes[k]));
		PRES(MEASURED_TIME_US, json_real(tm));
		PRES(PREDICTED_TIME_US, json_real(tp));
		PRES(MEASURED_BUSBW_GBPS, json_real(mb));
		PRES(PREDICTED_BUSBW_GBPS, json_real(pb));
		PRES(REL_ERROR, json_real(err));
		json_array_append_new(res, e);
	}
	fclose(csv);
	PSUM(BENCH, json_string(b->path));
	PSUM(TOPOLOGY, json_string(t->name));
	PSUM(COLLECTIVE, json_string(coll_kind_name(b->kind)));
	PSUM(ALGORITHM, json_string(coll_algo_name(b->algo)));
	PSUM(NRANKS, json_integer(b->nranks));
	PSUM(CALIBRATION, pred_json_calib(&cal));
	PSUM(RESULTS, json_incref(res));
	snprintf(path, sizeof(path), "%s/%s", o->out_dir, sim_schema_summary.file);
	if (json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)))
		rc = 1;
	printf("# results: %s/{prediction.csv,summary.json}\n", o->out_dir);
out_json:
	json_decref(res);
	json_decref(root);
	return rc;
}

int sim_cmd_predict(int argc, char **argv)
{
	struct pred_opts o;
	struct sim_bench b;
	struct sim_topo *t;
	uint32_t *rank_host;
	char err[SIM_BENCH_ERR];
	int rc = pred_parse(&o, argc, argv);

	if (rc)
		return rc > 0 ? 0 : 2;
	if (sim_bench_load(o.bench_path, &b, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t = sim_topo_load(o.topo_path);
	if (!t) {
		sim_bench_free(&b);
		return 1;
	}
	rc = 1;
	rank_host = malloc(b.nranks * sizeof(*rank_host));
	if (!rank_host)
		goto out_free_topo;
	if (b.nranks > t->nhosts) {
		fprintf(stderr, "fabsim predict: %s has %u ranks but %s only %u hosts\n", o.bench_path, b.nranks,
			o.topo_path, t->nhosts);
		goto out_free_map;
	}
	if (!pred_place(&o, t, &b, rank_host))
		rc = pred_run(&o, t, &b, rank_host);
out_free_map:
	free(rank_host);
out_free_topo:
	sim_topo_free(t);
	sim_bench_free(&b);
	return rc;
}
