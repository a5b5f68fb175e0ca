/*
 * `fabsim predict`: simulate the job a fabbench run measured and put
 * predicted and measured side by side. The measured ranks are mapped onto
 * topology hosts, the same schedule is rebuilt for every measured size,
 * and what the simulator cannot know about the hosts (per-message software
 * overhead, the rate a NIC really achieves, the reduction rate) is
 * calibrated from the measurement itself and printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "collectives/busbw.h"
#include "sim/benchfile.h"
#include "sim/cmd.h"
#include "sim/coll_sim.h"
#include "sim/stats.h"
#include "sim/units.h"

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

static void pred_usage(FILE *out)
{
	fprintf(out,
		"usage: fabsim predict --bench RUN.json --topo FILE [options]\n"
		"\n"
		"Simulates the collective a fabbench --json file measured, on a model of\n"
		"the same fabric, and writes predicted next to measured.\n"
		"\n"
		"  -b, --bench FILE      fabbench results (--json)\n"
		"  -t, --topo FILE       topology; its 'hostmap' places the ranks\n"
		"  -m, --map FILE        or a map file: lines 'KEY NODE', KEY one of rankN,\n"
		"                        host/device, host; without either, host names\n"
		"                        must be topology node names\n"
		"  -o, --out DIR         results folder (default results/predict)\n"
		"      --rate RATE       achievable NIC rate (default: measured p2p\n"
		"                        bandwidth, else the NIC line rate)\n"
		"      --overhead TIME   per-message software overhead (default: fitted)\n"
		"      --reduce-rate R   receiver reduction rate (default: free)\n"
		"  -l, --lb, -c, --cc, -r, --rx, -S, --seed   as in fabsim run\n"
		"  -h, --help\n");
}

static int pred_parse(struct pred_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bench", required_argument, NULL, 'b' }, { "topo", required_argument, NULL, 't' },
		{ "map", required_argument, NULL, 'm' }, { "out", required_argument, NULL, 'o' },
		{ "rate", required_argument, NULL, 'R' }, { "overhead", required_argument, NULL, 'O' },
		{ "reduce-rate", required_argument, NULL, 'D' }, { "lb", required_argument, NULL, 'l' },
		{ "cc", required_argument, NULL, 'c' }, { "rx", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 },
	};
	uint32_t seed;
	int c;

	memset(o, 0, sizeof(*o));
	sim_config_defaults(&o->cfg);
	o->out_dir = "results/predict";
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:t:m:o:l:c:r:S:h", lo, NULL)) != -1) {
		const char *v = optarg;
		int bad = 0;

		switch (c) {
		case 'b': o->bench_path = v; break;
		case 't': o->topo_path = v; break;
		case 'm': o->map_path = v; break;
		case 'o': o->out_dir = v; break;
		case 'R': bad = sim_parse_rate(v, &o->rate_bps); break;
		case 'O': bad = sim_parse_time(v, &o->overhead_ps); o->overhead_set = 1; break;
		case 'D': bad = sim_parse_rate(v, &o->reduce_bps); break;
		case 'l': bad = sim_lb_from_name(v, &o->cfg.lb); break;
		case 'c': bad = sim_cc_from_name(v, &o->cfg.cc); break;
		case 'r': bad = sim_rx_from_name(v, &o->cfg.rx); break;
		case 'S': bad = sim_parse_u32(v, &seed); o->cfg.seed = seed; break;
		case 'h': pred_usage(stdout); return 1;
		default: fprintf(stderr, "Try 'fabsim predict --help'.\n"); return -1;
		}
		if (bad) {
			fprintf(stderr, "fabsim predict: invalid value '%s' for -%c (see --help)\n", v, c);
			return -1;
		}
	}
	if (optind < argc || !o->bench_path || !o->topo_path) {
		fprintf(stderr, "fabsim predict: --bench FILE and --topo FILE are required (see --help)\n");
		return -1;
	}
	return 0;
}

static uint32_t pred_node_host(const struct sim_topo *t, const char *name)
{
	char buf[64];

	for (uint32_t h = 0; h < t->nhosts; h++) {
		sim_topo_node_name(t, t->hosts[h], buf, sizeof(buf));
		if (!strcmp(buf, name))
			return h;
	}
	return SIM_NONE;
}

/* The map: the topology's hostmap, then --map lines, as (key, node) pairs. */
static int pred_load_map(const char *path, char (**map)[2][64], uint32_t *n)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned lno = 0;

	if (!f) {
		fprintf(stderr, "fabsim predict: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char k[64], v[64], extra[2];
		char *hash = strchr(line, '#');
		int got;

		lno++;
		if (hash)
			*hash = 0;
		got = sscanf(line, "%63s %63s %1s", k, v, extra);
		if (got <= 0)
			continue;
		if (got != 2) {
			fprintf(stderr, "%s:%u: expected 'KEY NODE' (KEY: rankN, host/device or host)\n", path, lno);
			fclose(f);
			return -1;
		}
		*map = realloc(*map, (*n + 1) * sizeof(**map));
		if (!*map) {
			fclose(f);
			return -1;
		}
		strcpy((*map)[*n][0], k);
		strcpy((*map)[*n][1], v);
		(*n)++;
	}
	fclose(f);
	return 0;
}

static const char *pred_lookup(char (*map)[2][64], uint32_t n, const char *key)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(map[i][0], key))
			return map[i][1];
	return NULL;
}

static int pred_place(const struct pred_opts *o, const struct sim_topo *t, const struct sim_bench *b, uint32_t *rank_host)
{
	char (*map)[2][64] = NULL;
	uint32_t n = 0, *owner = malloc(t->nhosts * sizeof(*owner));
	int rc = -1;

	if (!owner)
		return -1;
	memset(owner, 0xff, t->nhosts * sizeof(*owner));
	for (uint32_t i = 0; i < t->nhostmap; i++) {
		map = realloc(map, (n + 1) * sizeof(*map));
		if (!map)
			goto out_free;
		memcpy(map[n++], t->hostmap[i], sizeof(*map));
	}
	if (o->map_path && pred_load_map(o->map_path, &map, &n))
		goto out_free;
	for (uint32_t r = 0; r < b->nranks; r++) {
		char k_rank[32], k_dev[128];
		const char *node;

		snprintf(k_rank, sizeof(k_rank), "rank%u", r);
		snprintf(k_dev, sizeof(k_dev), "%s/%s", b->ranks[r].host, b->ranks[r].device);
		node = pred_lookup(map, n, k_rank);
		node = node ? node : pred_lookup(map, n, k_dev);
		node = node ? node : pred_lookup(map, n, b->ranks[r].host);
		node = node ? node : (n ? NULL : b->ranks[r].host);
		if (!node) {
			fprintf(stderr, "fabsim predict: rank %u (host %s, device %s) is not in the map: add '%s NODE' "
				"(or 'rank%u NODE') to %s\n", r, b->ranks[r].host, b->ranks[r].device[0] ? b->ranks[r].device : "-",
				k_dev, r, o->map_path ? o->map_path : "the topology's hostmap");
			goto out_free;
		}
		rank_host[r] = pred_node_host(t, node);
		if (rank_host[r] == SIM_NONE) {
			fprintf(stderr, "fabsim predict: rank %u maps to '%s', which is not a host of %s%s\n", r, node,
				o->topo_path, n ? "" : " (give a --map or a hostmap in the topology)");
			goto out_free;
		}
		if (owner[rank_host[r]] != SIM_NONE) {
			fprintf(stderr, "fabsim predict: ranks %u and %u both map to host '%s': give each rank its own "
				"node (rankN keys)\n", owner[rank_host[r]], r, node);
			goto out_free;
		}
		owner[rank_host[r]] = r;
	}
	rc = 0;
out_free:
	free(map);
	free(owner);
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

	strcpy(j.name, "measured");
	cfg.qps_per_flow = b->qps;
	cfg.mtu_bytes = b->mtu_bytes;
	cfg.msg_overhead_ps = cal->overhead_ps;
	s = sim_create(t, &cfg);
	if (s && !sim_coll_add(s, &j) && !sim_run(s)) {
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
	struct sim *s = sim_create(t, &o->cfg);
	double us = -1;

	if (s && sim_add_flow(s, a, b, 8, 0) == 0 && !sim_run(s))
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
	} else if (b->p2p_bw_gbps > 0) {
		cal->rate_bps = (uint64_t)(b->p2p_bw_gbps * 8e9), cal->rate_source = "measured p2p bandwidth";
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
		printf("#   measured p2p latency  %.3f us, bandwidth %.3f GB/s\n", b->p2p_latency_us, b->p2p_bw_gbps);
}

static json_t *pred_json_calib(const struct pred_calib *c)
{
	json_t *j = json_object();

	json_object_set_new(j, "nic_rate_bps", json_integer((json_int_t)c->rate_bps));
	json_object_set_new(j, "nic_rate_source", json_string(c->rate_source));
	json_object_set_new(j, "overhead_us", json_real(c->overhead_ps / 1e6));
	json_object_set_new(j, "overhead_source", json_string(c->overhead_source));
	json_object_set_new(j, "reduce_rate_bps", json_integer((json_int_t)c->reduce_bps));
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
	snprintf(path, sizeof(path), "%s/prediction.csv", o->out_dir);
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
	fprintf(csv, "collective,algorithm,nranks,size_bytes,measured_time_us,measured_algbw_gbps,measured_busbw_gbps,"
		     "predicted_time_us,predicted_algbw_gbps,predicted_busbw_gbps,line_gbps,rel_error\n");
	for (uint32_t k = 0; k < b->nsizes; k++) {
		double tp = pred_simulate(o, t, b, rank_host, &cal, b->bytes[k], NULL), tm = b->time_us[k];
		double mb = coll_busbw_gbps(b->kind, b->nranks, b->bytes[k], tm * 1e-6);
		double pb = coll_busbw_gbps(b->kind, b->nranks, b->bytes[k], tp * 1e-6), err = tp / tm - 1;
		json_t *e = json_object();

		if (tp < 0) {
			rc = 1;
			break;
		}
		printf(" %13lu %12.2f %12.2f %10.3f %10.3f %+8.1f%%\n", (unsigned long)b->bytes[k], tm, tp, mb, pb, 100 * err);
		fprintf(csv, "%s,%s,%u,%lu,%.4f,%.6f,%.6f,%.4f,%.6f,%.6f,%.3f,%.6f\n", coll_kind_name(b->kind),
			coll_algo_name(b->algo), b->nranks, (unsigned long)b->bytes[k], tm,
			coll_algbw_gbps(b->bytes[k], tm * 1e-6), mb, tp, coll_algbw_gbps(b->bytes[k], tp * 1e-6), pb,
			cal.rate_bps / 1e9, err);
		json_object_set_new(e, "size_bytes", json_integer((json_int_t)b->bytes[k]));
		json_object_set_new(e, "measured_time_us", json_real(tm));
		json_object_set_new(e, "predicted_time_us", json_real(tp));
		json_object_set_new(e, "measured_busbw_gbps", json_real(mb));
		json_object_set_new(e, "predicted_busbw_gbps", json_real(pb));
		json_object_set_new(e, "rel_error", json_real(err));
		json_array_append_new(res, e);
	}
	fclose(csv);
	json_object_set_new(root, "bench", json_string(b->path));
	json_object_set_new(root, "topology", json_string(t->name));
	json_object_set_new(root, "collective", json_string(coll_kind_name(b->kind)));
	json_object_set_new(root, "algorithm", json_string(coll_algo_name(b->algo)));
	json_object_set_new(root, "nranks", json_integer(b->nranks));
	json_object_set_new(root, "calibration", pred_json_calib(&cal));
	json_object_set_new(root, "results", json_incref(res));
	snprintf(path, sizeof(path), "%s/summary.json", o->out_dir);
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
	int rc = pred_parse(&o, argc, argv);

	if (rc)
		return rc > 0 ? 0 : 2;
	if (sim_bench_load(o.bench_path, &b))
		return 1;
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
