/*
 * `fabsim run`: load a topology, generate a workload, simulate it packet
 * by packet and report. Human summary on stdout, CSV and summary.json in
 * the output folder, progress on stderr only when stderr is a terminal.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "sim/cmd.h"
#include "sim/stats.h"
#include "sim/units.h"
#include "sim/workload.h"
#include "sim/run_opts.h"
#include "collectives/reduce.h"


static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: fabsim run --topo FILE [options]\n"
		"\n"
		"Simulates a workload on a fabric packet by packet and reports effective\n"
		"throughput, FCTs, queues, drops, PFC/ECN activity and reordering.\n"
		"\n"
		"workload\n"
		"  -t, --topo FILE          topology file (see topologies/)\n"
		"  -w, --workload NAME      permutation (default) | alltoall | incast | flows,\n"
		"                           or a collective: allreduce | allgather |\n"
		"                           reducescatter | all-to-all (nccl-tests sizes)\n"
		"  -s, --size SIZE          bytes per flow, binary units (default 8M);\n"
		"                           alltoall: per host pair; collectives: a sweep\n"
		"                           MIN:MAX:xF or MIN:MAX:+STEP, like -b/-e/-f\n"
		"      --incast-senders N   incast fan-in (default 16)\n"
		"      --incast-dst HOST    incast receiver (default 0)\n"
		"  -f, --flows FILE         flow list, lines 'SRC DST SIZE [START]' (sets -w flows)\n"
		"  -S, --seed N             seed for workload and load balancing (default 1)\n"
		"collectives\n"
		"  -a, --algo NAME          ring | rhd | tree | hier | pairwise (default: ring,\n"
		"                           pairwise for all-to-all)\n"
		"  -n, --ranks N            ranks (default: every host)\n"
		"      --placement P        contiguous (default) | random (whole servers)\n"
		"      --channels N         rings/trees in parallel (default 1)\n"
		"      --chunk SIZE         pipelining chunk (default 1M)\n"
		"      --gpus-per-server N  NVLink domain size (default: the topology's)\n"
		"      --dtype T            float (default) | bfloat16 | half | int32\n"
		"      --nvlink-rate RATE   intra-server rate per GPU (default 3600G)\n"
		"      --nvlink-latency T   intra-server latency (default 1us)\n"
		"      --jobs FILE          several jobs: lines 'NAME KIND ALGO RANKS PLACEMENT\n"
		"                           [SIZE] [START]'\n"
		"      --background SIZE    plus a permutation of SIZE among hosts no job uses\n"
		"      --bench-json FILE    also write the results as fabbench --json does,\n"
		"                           for fabsim predict (one job)\n"
		"routing and transport\n"
		"  -l, --lb NAME            ecmp (default) | flowlet | spray | ar\n"
		"      --same-seed          every switch hashes with one seed (ECMP polarization)\n"
		"      --flowlet-gap TIME   flowlet idle gap (default 2us)\n"
		"  -q, --qps N              queue pairs per flow (default 1)\n"
		"      --window SIZE        in-flight bytes per QP, or 'unlimited' (a line-rate\n"
		"                           NIC; 16 MiB in flight at most). Default: one BDP;\n"
		"                           unlimited with --cc dcqcn (rate-based)\n"
		"      --mtu BYTES          RoCE payload per packet (default: topology's, 4096)\n"
		"  -r, --rx MODE            ddp (out-of-order placement, default) | gbn (go-back-N)\n"
		"      --ack-every N        coalesce in-order ACKs (default 4)\n"
		"      --rto TIME           retransmission timeout (default 500us)\n"
		"  -c, --cc NAME            none (default) | dcqcn | telemetry\n"
		"      --dcqcn-params SET   mellanox (default) | paper\n"
		"      --cnp-interval TIME  per-QP CNP spacing (default 50us)\n"
		"      --eta X              telemetry target utilization (default 0.95)\n"
		"switches\n"
		"      --buffer SIZE        shared buffer per switch (default: topology's)\n"
		"      --alpha X            dynamic threshold (default 1; 0 = static share)\n"
		"      --no-pfc             lossy: drop on overflow instead of pausing\n"
		"      --pfc-xoff SIZE      XOFF per ingress port (default buffer/(2 x ports))\n"
		"      --pfc-xon SIZE       XON (default XOFF - 2 packets)\n"
		"      --pfc-headroom SIZE  per ingress port, past XOFF (default: 2 x cable\n"
		"                           bytes + 2 frames + a PAUSE); beyond it, drops\n"
		"      --no-ecn             no ECN marking\n"
		"      --ecn-kmin SIZE      RED Kmin (default 100KB per 100G of port rate), or\n"
		"                           per link speed: 400G=400K,800G=800K\n"
		"      --ecn-kmax SIZE      RED Kmax (default 400KB per 100G), same forms\n"
		"      --ecn-pmax X         RED Pmax (default 0.2)\n"
		"output\n"
		"  -o, --out DIR            results folder (default results/last)\n"
		"      --stop TIME          stop simulated time (default: when all flows finish)\n"
		"      --trace-port PORT    sample a port (index, or FROM:TO like leaf0:h0) into\n"
		"                           trace.csv: queue, PFC state, counters\n"
		"      --trace-interval T   sampling period (default 1us)\n"
		"      --json               print summary.json to stdout instead of the table\n"
		"      --quiet              no summary on stdout\n"
		"  -h, --help               this text\n");
}

enum {
	OPT_SAME_SEED = 256, OPT_FLOWLET_GAP, OPT_WINDOW, OPT_MTU, OPT_ACK_EVERY, OPT_RTO,
	OPT_DCQCN, OPT_CNP, OPT_ETA, OPT_BUFFER, OPT_ALPHA, OPT_NO_PFC, OPT_XOFF, OPT_XON,
	OPT_NO_ECN, OPT_KMIN, OPT_KMAX, OPT_PMAX, OPT_STOP, OPT_JSON, OPT_QUIET,
	OPT_INCAST_N, OPT_INCAST_DST, OPT_PLACEMENT, OPT_CHANNELS, OPT_CHUNK, OPT_GPS, OPT_DTYPE,
	OPT_NVL_RATE, OPT_NVL_LAT, OPT_JOBS, OPT_BACKGROUND, OPT_TRACE, OPT_TRACE_IVL, OPT_BENCH_JSON,
	OPT_HEADROOM,
};

static const struct option run_longopts[] = {
	{ "topo", required_argument, NULL, 't' },
	{ "workload", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 's' },
	{ "flows", required_argument, NULL, 'f' },
	{ "seed", required_argument, NULL, 'S' },
	{ "lb", required_argument, NULL, 'l' },
	{ "qps", required_argument, NULL, 'q' },
	{ "rx", required_argument, NULL, 'r' },
	{ "cc", required_argument, NULL, 'c' },
	{ "out", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "same-seed", no_argument, NULL, OPT_SAME_SEED },
	{ "flowlet-gap", required_argument, NULL, OPT_FLOWLET_GAP },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "ack-every", required_argument, NULL, OPT_ACK_EVERY },
	{ "rto", required_argument, NULL, OPT_RTO },
	{ "dcqcn-params", required_argument, NULL, OPT_DCQCN },
	{ "cnp-interval", required_argument, NULL, OPT_CNP },
	{ "eta", required_argument, NULL, OPT_ETA },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "alpha", required_argument, NULL, OPT_ALPHA },
	{ "no-pfc", no_argument, NULL, OPT_NO_PFC },
	{ "pfc-xoff", required_argument, NULL, OPT_XOFF },
	{ "pfc-xon", required_argument, NULL, OPT_XON },
	{ "no-ecn", no_argument, NULL, OPT_NO_ECN },
	{ "ecn-kmin", required_argument, NULL, OPT_KMIN },
	{ "ecn-kmax", required_argument, NULL, OPT_KMAX },
	{ "ecn-pmax", required_argument, NULL, OPT_PMAX },
	{ "stop", required_argument, NULL, OPT_STOP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "incast-senders", required_argument, NULL, OPT_INCAST_N },
	{ "incast-dst", required_argument, NULL, OPT_INCAST_DST },
	{ "algo", required_argument, NULL, 'a' },
	{ "ranks", required_argument, NULL, 'n' },
	{ "placement", required_argument, NULL, OPT_PLACEMENT },
	{ "channels", required_argument, NULL, OPT_CHANNELS },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "gpus-per-server", required_argument, NULL, OPT_GPS },
	{ "dtype", required_argument, NULL, OPT_DTYPE },
	{ "nvlink-rate", required_argument, NULL, OPT_NVL_RATE },
	{ "nvlink-latency", required_argument, NULL, OPT_NVL_LAT },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "background", required_argument, NULL, OPT_BACKGROUND },
	{ "trace-port", required_argument, NULL, OPT_TRACE },
	{ "trace-interval", required_argument, NULL, OPT_TRACE_IVL },
	{ "bench-json", required_argument, NULL, OPT_BENCH_JSON },
	{ "pfc-headroom", required_argument, NULL, OPT_HEADROOM },
	{ 0, 0, 0, 0 },
};

static int run_bad(const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "fabsim run: invalid %s '%s': expected %s\n", opt, val, expected);
	return -1;
}

static int run_double(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *end;
	double x = strtod(v, &end);

	if (end == v || *end || x < lo || x > hi) {
		char want[96];

		snprintf(want, sizeof(want), "a number in [%g, %g]", lo, hi);
		return run_bad(opt, v, want);
	}
	*out = x;
	return 0;
}

/*
 * --ecn-kmin / --ecn-kmax: one size for every port, or per link speed:
 * "400G=400K,800G=800K" (speeds not listed keep the scaled preset).
 */
static int run_ecn(struct sim_config *cfg, const char *opt, const char *v, int is_max)
{
	char buf[256], *save = NULL;

	if (!strchr(v, '='))
		return sim_parse_size(v, is_max ? &cfg->ecn_kmax_bytes : &cfg->ecn_kmin_bytes) ?
			run_bad(opt, v, "a size, or RATE=SIZE pairs like 400G=400K,800G=800K") : 0;
	if (strlen(v) >= sizeof(buf))
		return run_bad(opt, v, "a shorter list");
	strcpy(buf, v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		uint64_t rate, bytes;
		uint32_t i;

		if (!eq)
			return run_bad(opt, v, "RATE=SIZE pairs like 400G=400K,800G=800K");
		*eq = 0;
		if (sim_parse_rate(t, &rate) || sim_parse_size(eq + 1, &bytes))
			return run_bad(opt, v, "RATE=SIZE pairs like 400G=400K,800G=800K");
		for (i = 0; i < cfg->necn && cfg->ecn_rate_bps[i] != rate; i++)
			;
		if (i == 8)
			return run_bad(opt, v, "at most 8 link speeds");
		if (i == cfg->necn)
			cfg->ecn_rate_bps[cfg->necn++] = rate;
		if (is_max)
			cfg->ecn_kmax_at[i] = bytes;
		else
			cfg->ecn_kmin_at[i] = bytes;
	}
	return 0;
}

static int run_opt_coll(struct run_opts *o, int c, const char *v)
{
	int x;

	switch (c) {
	case 'a':
		x = coll_algo_from_name(v);
		if (x < 0)
			return run_bad("--algo", v, "ring, rhd, tree, hier or pairwise");
		o->algo = x;
		return 0;
	case 'n':
		return sim_parse_u32(v, &o->ranks) || o->ranks < 2 ? run_bad("--ranks", v, "a count >= 2") : 0;
	case OPT_PLACEMENT:
		return sim_placement_from_name(v, &o->placement) ? run_bad("--placement", v, "contiguous or random") : 0;
	case OPT_CHANNELS:
		if (sim_parse_u32(v, &o->nchannels) || !o->nchannels || o->nchannels > 64)
			return run_bad("--channels", v, "a count in 1..64");
		return 0;
	case OPT_CHUNK:
		return sim_parse_size(v, &o->chunk_bytes) || !o->chunk_bytes ? run_bad("--chunk", v, "a size like 1M") : 0;
	case OPT_GPS:
		if (sim_parse_u32(v, &o->gpus_per_server) || !o->gpus_per_server)
			return run_bad("--gpus-per-server", v, "a count >= 1");
		return 0;
	case OPT_DTYPE:
		x = coll_dtype_from_name(v);
		if (x < 0)
			return run_bad("--dtype", v, "float, bfloat16, half or int32");
		o->elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)x);
		o->dtype_name = v;
		return 0;
	case OPT_NVL_RATE:
		return sim_parse_rate(v, &o->nvlink_bps) ? run_bad("--nvlink-rate", v, "a rate like 3600G") : 0;
	case OPT_NVL_LAT:
		return sim_parse_time(v, &o->nvlink_lat_ps) ? run_bad("--nvlink-latency", v, "a time like 1us") : 0;
	case OPT_JOBS:
		o->jobs_path = v;
		o->collective = 1;
		return 0;
	case OPT_BACKGROUND:
		return sim_parse_size(v, &o->background_bytes) ? run_bad("--background", v, "a size like 4M") : 0;
	case OPT_TRACE:
		o->trace_spec = v;
		return 0;
	case OPT_BENCH_JSON:
		o->bench_json = v;
		return 0;
	case OPT_HEADROOM:
		return sim_parse_size(v, &o->cfg.pfc_headroom_bytes) ? run_bad("--pfc-headroom", v, "a size") : 0;
	case OPT_TRACE_IVL:
		return sim_parse_time(v, &o->trace_interval_ps) || !o->trace_interval_ps ?
			run_bad("--trace-interval", v, "a time like 1us") : 0;
	}
	return -1;
}

static int run_opt_more(struct run_opts *o, int c, const char *v)
{
	struct sim_config *cfg = &o->cfg;
	uint32_t u;

	switch (c) {
	case OPT_ACK_EVERY:
		if (sim_parse_u32(v, &cfg->ack_every) || !cfg->ack_every)
			return run_bad("--ack-every", v, "a count >= 1");
		return 0;
	case OPT_RTO:
		return sim_parse_time(v, &cfg->rto_ps) || !cfg->rto_ps ? run_bad("--rto", v, "a time like 500us") : 0;
	case OPT_DCQCN:
		if (strcmp(v, "paper") && strcmp(v, "mellanox"))
			return run_bad("--dcqcn-params", v, "paper or mellanox");
		cfg->dcqcn_params = !strcmp(v, "mellanox");
		return 0;
	case OPT_CNP:
		return sim_parse_time(v, &cfg->cnp_interval_ps) ? run_bad("--cnp-interval", v, "a time like 50us") : 0;
	case OPT_ETA:
		return run_double("--eta", v, 0.1, 1.0, &cfg->tele_eta);
	case OPT_BUFFER:
		return sim_parse_size(v, &cfg->buffer_bytes) || !cfg->buffer_bytes ?
			run_bad("--buffer", v, "a size like 64M") : 0;
	case OPT_ALPHA:
		return run_double("--alpha", v, 0, 64, &cfg->buffer_alpha);
	case OPT_XOFF:
		return sim_parse_size(v, &cfg->pfc_xoff_bytes) ? run_bad("--pfc-xoff", v, "a size") : 0;
	case OPT_XON:
		return sim_parse_size(v, &cfg->pfc_xon_bytes) ? run_bad("--pfc-xon", v, "a size") : 0;
	case OPT_KMIN:
		return run_ecn(cfg, "--ecn-kmin", v, 0);
	case OPT_KMAX:
		return run_ecn(cfg, "--ecn-kmax", v, 1);
	case OPT_PMAX:
		return run_double("--ecn-pmax", v, 0, 1, &cfg->ecn_pmax);
	case OPT_STOP:
		return sim_parse_time(v, &cfg->stop_ps) ? run_bad("--stop", v, "a time like 10ms") : 0;
	case OPT_INCAST_N:
		return sim_parse_u32(v, &o->wl.incast_senders) ? run_bad("--incast-senders", v, "a count") : 0;
	case OPT_INCAST_DST:
		if (sim_parse_u32(v, &u))
			return run_bad("--incast-dst", v, "a host index");
		o->wl.incast_dst = u;
		return 0;
	}
	return run_opt_coll(o, c, v);
}

static int run_opt(struct run_opts *o, int c, const char *v)
{
	struct sim_config *cfg = &o->cfg;

	switch (c) {
	case 't': o->topo_path = v; return 0;
	case 'o': o->out_dir = v; return 0;
	case 'w':
		if (!strcmp(v, "all-to-all") || (coll_kind_from_name(v) >= 0 && strcmp(v, "alltoall"))) {
			o->collective = 1;
			o->kind = !strcmp(v, "all-to-all") ? COLL_ALLTOALL : (enum coll_kind)coll_kind_from_name(v);
			return 0;
		}
		o->collective = 0;
		return sim_workload_from_name(v, &o->wl.kind) ?
			run_bad("--workload", v, "permutation, alltoall, incast, flows, allreduce, allgather, reducescatter or all-to-all") : 0;
	case 's':
		o->size_arg = v;
		return 0;
	case 'f':
		o->wl.flows_path = v;
		o->wl.kind = SIM_WL_FLOWS;
		return 0;
	case 'l':
		return sim_lb_from_name(v, &cfg->lb) ? run_bad("--lb", v, "ecmp, flowlet, spray or ar") : 0;
	case 'q':
		if (sim_parse_u32(v, &cfg->qps_per_flow) || !cfg->qps_per_flow || cfg->qps_per_flow > 256)
			return run_bad("--qps", v, "a count in 1..256");
		return 0;
	case 'r':
		return sim_rx_from_name(v, &cfg->rx) ? run_bad("--rx", v, "ddp or gbn") : 0;
	case 'c':
		return sim_cc_from_name(v, &cfg->cc) ? run_bad("--cc", v, "none, dcqcn or telemetry") : 0;
	case OPT_SAME_SEED: cfg->ecmp_same_seed = 1; return 0;
	case OPT_NO_PFC: cfg->pfc = 0; return 0;
	case OPT_NO_ECN: cfg->ecn = 0; return 0;
	case OPT_JSON: o->json = 1; return 0;
	case OPT_QUIET: o->quiet = 1; return 0;
	case OPT_FLOWLET_GAP:
		return sim_parse_time(v, &cfg->flowlet_gap_ps) ? run_bad("--flowlet-gap", v, "a time like 2us") : 0;
	case OPT_WINDOW:
		if (!strcmp(v, "unlimited")) {
			cfg->window_bytes = SIM_WINDOW_UNLIMITED;
			return 0;
		}
		return sim_parse_size(v, &cfg->window_bytes) || !cfg->window_bytes ?
			run_bad("--window", v, "a size like 512K or 'unlimited'") : 0;
	case OPT_MTU:
		if (sim_parse_u32(v, &cfg->mtu_bytes) || cfg->mtu_bytes < 256 || cfg->mtu_bytes > 9000)
			return run_bad("--mtu", v, "a payload size in 256..9000 bytes");
		return 0;
	}
	return run_opt_more(o, c, v);
}

/* One size for flow workloads, a sweep for collectives. */
static int run_sizes(struct run_opts *o)
{
	const char *v = o->size_arg ? o->size_arg : "8M";

	if (!o->collective) {
		if (sim_parse_size(v, &o->wl.bytes) || !o->wl.bytes)
			return run_bad("--size", v, "a size like 8M");
		return 0;
	}
	if (sim_parse_sweep(v, o->sizes, SIM_MAX_SIZES, &o->nsizes) || !o->nsizes)
		return run_bad("--size", v, "a size like 64M or a sweep like 1M:1G:x2 (at most 64 sizes)");
	return 0;
}

static int run_parse(struct run_opts *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	sim_config_defaults(&o->cfg);
	o->out_dir = "results/last";
	o->algo = -1;
	o->elem_bytes = 4;
	o->chunk_bytes = 1 << 20;
	o->nvlink_bps = 3600000000000ULL;	/* NVLink4: 450 GB/s per direction per GPU */
	o->nvlink_lat_ps = 1000000;
	o->wl.kind = SIM_WL_PERMUTATION;
	o->wl.bytes = 8 << 20;
	o->wl.incast_senders = 16;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:w:s:f:S:l:q:r:c:o:a:n:h", run_longopts, NULL)) != -1) {
		if (c == 'h') {
			run_usage(stdout);
			return 1;
		}
		if (c == '?') {
			fprintf(stderr, "Try 'fabsim run --help'.\n");
			return -1;
		}
		if (c == 'S') {
			uint32_t seed;

			if (sim_parse_u32(optarg, &seed))
				return run_bad("--seed", optarg, "a non-negative integer");
			o->cfg.seed = seed;
			continue;
		}
		if (run_opt(o, c, optarg))
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "fabsim run: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->topo_path) {
		fprintf(stderr, "fabsim run: --topo FILE is required (try topologies/small-800g.topo)\n");
		return -1;
	}
	if (run_sizes(o))
		return -1;
	o->wl.seed = o->cfg.seed;
	o->cfg.progress = isatty(STDERR_FILENO);
	return 0;
}

int sim_run_trace(struct sim *s, const struct run_opts *o, FILE **f)
{
	char path[4096];
	uint32_t port;

	*f = NULL;
	if (!o->trace_spec)
		return 0;
	port = sim_port_lookup(s->topo, o->trace_spec);
	if (port == SIM_NONE) {
		fprintf(stderr, "fabsim run: --trace-port '%s': expected a port index below %u or FROM:TO node names\n",
			o->trace_spec, s->topo->nports);
		return -1;
	}
	if (!o->out_dir || !*o->out_dir || sim_mkdir_p(o->out_dir)) {
		fprintf(stderr, "fabsim run: --trace-port needs a writable --out folder\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/trace.csv", o->out_dir);
	*f = fopen(path, "w");
	if (!*f) {
		fprintf(stderr, "fabsim run: cannot write %s\n", path);
		return -1;
	}
	sim_trace_port(s, port, o->trace_interval_ps, *f);
	return 0;
}

char *sim_cmdline(int argc, char **argv)
{
	size_t len = 16;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "fabsim");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int run_report(struct sim *s, const struct run_opts *o, int argc, char **argv)
{
	struct sim_results r;
	char *line = sim_cmdline(argc, argv);
	int rc = 0;

	sim_results_compute(s, &r);
	if (o->json) {
		json_t *j = sim_results_json(s, &r, line);

		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
		json_decref(j);
	} else if (!o->quiet) {
		sim_results_print(s, &r, stdout);
	}
	if (o->out_dir && *o->out_dir) {
		rc = sim_results_write(s, &r, o->out_dir, line);
		if (!rc && !o->json && !o->quiet)
			printf("results      %s/{summary.json,flows.csv,links.csv}\n", o->out_dir);
	}
	free(line);
	if (s->deadlock || s->stalled)
		rc = rc ? rc : 3;
	return rc;
}

int sim_cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct sim_topo *t;
	FILE *trace = NULL;
	struct sim *s;
	int rc;

	rc = run_parse(&o, argc, argv);
	if (rc)
		return rc > 0 ? 0 : 2;
	t = sim_topo_load(o.topo_path);
	if (!t)
		return 1;
	if (o.collective) {
		char *line = sim_cmdline(argc, argv);

		rc = sim_run_collective(&o, t, line);
		free(line);
		sim_topo_free(t);
		return rc;
	}
	s = sim_create(t, &o.cfg);
	if (!s) {
		fprintf(stderr, "fabsim run: out of memory\n");
		rc = 1;
		goto out_free_topo;
	}
	if (sim_workload_add(s, &o.wl) || sim_run_trace(s, &o, &trace)) {
		rc = 1;
		goto out_destroy;
	}
	if (sim_run(s)) {
		fprintf(stderr, "fabsim run: could not start the simulation (no flows, or out of memory)\n");
		rc = 1;
		goto out_destroy;
	}
	rc = run_report(s, &o, argc, argv);
	if (rc < 0)
		rc = 1;
out_destroy:
	if (trace)
		fclose(trace);
	sim_destroy(s);
out_free_topo:
	sim_topo_free(t);
	return rc;
}
