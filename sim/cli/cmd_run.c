/*
 * `fabsim run`: load a topology, generate a workload, simulate it packet
 * by packet and report. Human summary on stdout, CSV and summary.json in
 * the output folder, progress on stderr only when stderr is a terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "sim/cli/cmd.h"
#include "sim/results/stats.h"
#include "collectives/units.h"
#include "sim/traffic/workload.h"
#include "sim/cli/run_opts.h"
#include "collectives/reduce.h"


static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: fabsim run --topo FILE [options]\n"
		"\n"
		"Simulates a workload on a fabric packet by packet and reports effective\n"
		"throughput, FCTs, queues, drops, PFC/ECN activity and reordering.\n"
		"Accepted ranges are in brackets; sizes are binary (8M = 8 MiB), rates\n"
		"decimal bits per second (800G), times take ps, ns, us, ms or s.\n"
		"\n"
		"workload\n"
		"  -t, --topo FILE          topology file (see topologies/); 2 hosts at least\n"
		"  -w, --workload NAME      permutation (default) | alltoall | incast | flows,\n"
		"                           or a collective: allreduce | allgather |\n"
		"                           reducescatter | all-to-all (nccl-tests sizes)\n"
		"  -s, --size SIZE          bytes per flow, default 8M [1 B..1 TiB];\n"
		"                           alltoall: per host pair; collectives: a sweep\n"
		"                           MIN:MAX:xF or MIN:MAX:+STEP, like -b/-e/-f\n"
		"                           (at most 64 sizes)\n"
		"      --incast-senders N   incast fan-in, default 16 [1..hosts-1]\n"
		"      --incast-dst HOST    incast receiver, default 0 [0..hosts-1]\n"
		"  -f, --flows FILE         flow list, lines 'SRC DST SIZE [START]' (-w flows):\n"
		"                           SIZE [1 B..1 TiB], START [0..100 s], '#' comments\n"
		"  -S, --seed N             seed for workload and load balancing, default 1\n"
		"                           [0..4294967295]\n"
		"collectives\n"
		"  -a, --algo NAME          ring | rhd | tree | hier | pairwise (default: ring,\n"
		"                           pairwise for all-to-all)\n"
		"  -n, --ranks N            ranks, default every host [2..hosts]\n"
		"      --placement P        contiguous (default) | random (whole servers)\n"
		"      --channels N         rings/trees in parallel, default 1 [1..64]\n"
		"      --chunk SIZE         pipelining chunk, default 1M [1 B..1 TiB]\n"
		"      --gpus-per-server N  NVLink domain size, default the topology's\n"
		"                           [1..1024, at most the hosts]\n"
		"      --dtype T            float (default) | bfloat16 | half | int32\n"
		"      --nvlink-rate RATE   intra-server rate per GPU, default 3600G\n"
		"                           [1 Gb/s..100 Tb/s]\n"
		"      --nvlink-latency T   intra-server latency, default 1us [0..1 ms]\n"
		"      --jobs FILE          several jobs: lines 'NAME KIND ALGO RANKS PLACEMENT\n"
		"                           [SIZE] [START]' (at most 64)\n"
		"      --background SIZE    plus a permutation of SIZE among hosts no job uses\n"
		"                           [1 B..1 TiB]\n"
		"      --bench-json FILE    also write the results as fabbench --json does,\n"
		"                           for fabsim predict (one job)\n"
		"routing and transport\n"
		"  -l, --lb NAME            ecmp (default) | flowlet | spray | ar\n"
		"      --same-seed          every switch hashes with one seed (ECMP polarization)\n"
		"      --flowlet-gap TIME   flowlet idle gap, default 2us [0..1 ms]\n"
		"  -q, --qps N              queue pairs per flow, default 1 [1..256]\n"
		"      --window SIZE        in-flight bytes per QP [4 KiB..16 MiB, or 'unlimited'\n"
		"                           for a line-rate NIC, 16 MiB in flight at most];\n"
		"                           default one BDP, unlimited with --cc dcqcn\n"
		"      --mtu BYTES          RoCE payload per packet, default the topology's\n"
		"                           [256..9000]\n"
		"  -r, --rx MODE            ddp (out-of-order placement, default) | gbn\n"
		"                           (go-back-N)\n"
		"      --ack-every N        coalesce in-order ACKs, default 4 [1..64]\n"
		"      --rto TIME           retransmission timeout, default 500us [1 us..1 s]\n"
		"  -c, --cc NAME            none (default) | dcqcn | telemetry\n"
		"      --dcqcn-params SET   mellanox (default) | paper\n"
		"      --cnp-interval TIME  per-QP CNP spacing, default 50us [0..1 ms]\n"
		"      --eta X              telemetry target utilization, default 0.95 [0.1..1]\n"
		"switches\n"
		"      --buffer SIZE        shared buffer per switch, default the topology's\n"
		"                           [64 KiB..64 GiB]\n"
		"      --alpha X            dynamic threshold, default 1; 0: static [0..64]\n"
		"      --no-pfc             lossy: drop on overflow instead of pausing\n"
		"      --pfc-xoff SIZE      XOFF per ingress port, default buffer/(2 x ports)\n"
		"                           [1 KiB..1 GiB]\n"
		"      --pfc-xon SIZE       XON, default XOFF - 2 packets [1 KiB..1 GiB, < XOFF]\n"
		"      --pfc-headroom SIZE  per ingress port, past XOFF, default 2 x cable bytes\n"
		"                           + 3 frames + a PAUSE [1 KiB..1 GiB]; beyond it, drops\n"
		"      --no-ecn             no ECN marking\n"
		"      --ecn-kmin SIZE      RED Kmin, default 100KB per 100G of port rate, or\n"
		"                           per link speed: 400G=400K,800G=800K\n"
		"                           [1 KiB..1 GiB; speeds 1 Gb/s..1.6 Tb/s]\n"
		"      --ecn-kmax SIZE      RED Kmax, default 400KB per 100G, same forms\n"
		"                           [1 KiB..1 GiB, >= Kmin]\n"
		"      --ecn-pmax X         RED Pmax, default 0.2 [0..1]\n"
		"output\n"
		"  -o, --out DIR            results folder, default results/last; the result\n"
		"                           files of an earlier run in it are removed first\n"
		"      --stop TIME          stop at this simulated time [1 ns..100 s]; default:\n"
		"                           when all flows finish\n"
		"      --trace-port PORT    sample a port (index, or FROM:TO like leaf0:h0) into\n"
		"                           trace.csv: queue, PFC state, counters\n"
		"      --trace-interval T   sampling period, default 1us [10 ns..1 s]\n"
		"      --json               print summary.json to stdout instead of the table\n"
		"      --quiet              no summary on stdout\n"
		"  -h, --help               this text\n"
		"\n"
		"Exit status: 0 done, 1 bad input (files, topology, a refused configuration),\n"
		"2 bad usage (an unknown option, a value out of its range), 3 the run ended\n"
		"with unfinished flows (--stop, PFC deadlock, nothing left to do): figures\n"
		"that need every flow to finish are then reported as unavailable.\n");
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

/*
 * Ranges of the numeric options, with their reasons. Rates: NICs and links
 * run at 1 Gb/s to 1.6 Tb/s, NVLink-class links up to 14.4 Tb/s per GPU
 * today (100 Tb/s leaves headroom). Times: a timer below a packet's time on
 * the wire only burns events, one beyond a second of simulated time is a
 * mistake. Sizes: no AI transfer needs more than 1 TiB; a switch's shared
 * buffer is MBs on chip (165 MB Tomahawk 5), GBs with HBM (64 GiB max).
 */
#define RUN_KIB 1024ULL
#define RUN_MIB (1024ULL * 1024)
#define RUN_GIB (1024ULL * 1024 * 1024)
#define RUN_NS 1000ULL
#define RUN_US 1000000ULL
#define RUN_MS 1000000000ULL
#define RUN_S 1000000000000ULL
#define RUN_GBPS 1000000000ULL
#define RUN_TBPS 1000000000000ULL

static int run_bad(const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "fabsim run: invalid %s '%s': expected %s\n", opt, val, expected);
	return -1;
}

/* V, a quantity of kind Q, in [LO, HI] into OUT; else a message naming OPT, V and the range. */
static int run_in(const char *opt, const char *v, enum coll_qty q, uint64_t lo, uint64_t hi, const char *note,
		  uint64_t *out)
{
	char err[320];

	if (coll_parse_in(q, opt, v, lo, hi, note, out, err, sizeof(err))) {
		fprintf(stderr, "fabsim run: %s\n", err);
		return -1;
	}
	return 0;
}

static int run_u32(const char *opt, const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t x;

	if (run_in(opt, v, COLL_QTY_COUNT, lo, hi, NULL, &x))
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int run_double(const char *opt, const char *v, double lo, double hi, double *out)
{
	char err[320];

	if (coll_parse_double_in(opt, v, lo, hi, out, err, sizeof(err))) {
		fprintf(stderr, "fabsim run: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * --ecn-kmin / --ecn-kmax: one size for every port, or per link speed:
 * "400G=400K,800G=800K" (speeds not listed keep the scaled preset).
 */
static int run_ecn(struct sim_config *cfg, const char *opt, const char *v, int is_max)
{
	char buf[256], *save = NULL, what[64];

	if (!strchr(v, '='))
		return run_in(opt, v, COLL_QTY_SIZE, RUN_KIB, RUN_GIB, NULL,
			      is_max ? &cfg->ecn_kmax_bytes : &cfg->ecn_kmin_bytes);
	if (strlen(v) >= sizeof(buf))
		return run_bad(opt, v, "a shorter list of RATE=SIZE pairs");
	strcpy(buf, v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		uint64_t rate, bytes;
		uint32_t i;

		if (!eq)
			return run_bad(opt, v, "RATE=SIZE pairs like 400G=400K,800G=800K");
		*eq = 0;
		snprintf(what, sizeof(what), "%s speed", opt);
		if (run_in(what, t, COLL_QTY_RATE, RUN_GBPS, 1600 * RUN_GBPS, NULL, &rate))
			return -1;
		snprintf(what, sizeof(what), "%s at %s", opt, t);
		if (run_in(what, eq + 1, COLL_QTY_SIZE, RUN_KIB, RUN_GIB, NULL, &bytes))
			return -1;
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
		/* the upper bound is the topology's hosts, checked once it is loaded */
		return run_u32("--ranks", v, 2, UINT32_MAX, &o->ranks);
	case OPT_PLACEMENT:
		return sim_placement_from_name(v, &o->placement) ? run_bad("--placement", v, "contiguous or random") : 0;
	case OPT_CHANNELS:
		return run_u32("--channels", v, 1, SIM_MAX_CHANNELS, &o->nchannels);
	case OPT_CHUNK:
		return run_in("--chunk", v, COLL_QTY_SIZE, 1, SIM_MAX_FLOW_BYTES, NULL, &o->chunk_bytes);
	case OPT_GPS:
		return run_u32("--gpus-per-server", v, 1, SIM_MAX_GPUS_PER_SERVER, &o->gpus_per_server);
	case OPT_DTYPE:
		x = coll_dtype_from_name(v);
		if (x < 0)
			return run_bad("--dtype", v, "float, bfloat16, half or int32");
		o->elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)x);
		o->dtype_name = v;
		return 0;
	case OPT_NVL_RATE:
		return run_in("--nvlink-rate", v, COLL_QTY_RATE, RUN_GBPS, 100 * RUN_TBPS, NULL, &o->nvlink_bps);
	case OPT_NVL_LAT:
		return run_in("--nvlink-latency", v, COLL_QTY_TIME, 0, RUN_MS, NULL, &o->nvlink_lat_ps);
	case OPT_JOBS:
		o->jobs_path = v;
		o->collective = 1;
		return 0;
	case OPT_BACKGROUND:
		return run_in("--background", v, COLL_QTY_SIZE, 1, SIM_MAX_FLOW_BYTES, NULL, &o->background_bytes);
	case OPT_TRACE:
		o->trace_spec = v;
		return 0;
	case OPT_BENCH_JSON:
		o->bench_json = v;
		return 0;
	case OPT_HEADROOM:
		return run_in("--pfc-headroom", v, COLL_QTY_SIZE, RUN_KIB, RUN_GIB, NULL, &o->cfg.pfc_headroom_bytes);
	case OPT_TRACE_IVL:
		return run_in("--trace-interval", v, COLL_QTY_TIME, 10 * RUN_NS, RUN_S, NULL, &o->trace_interval_ps);
	}
	return -1;
}

static int run_opt_more(struct run_opts *o, int c, const char *v)
{
	struct sim_config *cfg = &o->cfg;

	switch (c) {
	case OPT_ACK_EVERY:
		/* NICs coalesce a handful of ACKs; 64 packets is 256 KiB at 4 KiB */
		return run_u32("--ack-every", v, 1, 64, &cfg->ack_every);
	case OPT_RTO:
		/* below 1 us an RTO fires before any fabric's round trip */
		return run_in("--rto", v, COLL_QTY_TIME, RUN_US, RUN_S, NULL, &cfg->rto_ps);
	case OPT_DCQCN:
		if (strcmp(v, "paper") && strcmp(v, "mellanox"))
			return run_bad("--dcqcn-params", v, "paper or mellanox");
		cfg->dcqcn_params = !strcmp(v, "mellanox");
		return 0;
	case OPT_CNP:
		return run_in("--cnp-interval", v, COLL_QTY_TIME, 0, RUN_MS, NULL, &cfg->cnp_interval_ps);
	case OPT_ETA:
		return run_double("--eta", v, 0.1, 1.0, &cfg->tele_eta);
	case OPT_BUFFER:
		return run_in("--buffer", v, COLL_QTY_SIZE, 64 * RUN_KIB, 64 * RUN_GIB, NULL, &cfg->buffer_bytes);
	case OPT_ALPHA:
		return run_double("--alpha", v, 0, 64, &cfg->buffer_alpha);
	case OPT_XOFF:
		return run_in("--pfc-xoff", v, COLL_QTY_SIZE, RUN_KIB, RUN_GIB, NULL, &cfg->pfc_xoff_bytes);
	case OPT_XON:
		return run_in("--pfc-xon", v, COLL_QTY_SIZE, RUN_KIB, RUN_GIB, NULL, &cfg->pfc_xon_bytes);
	case OPT_KMIN:
		return run_ecn(cfg, "--ecn-kmin", v, 0);
	case OPT_KMAX:
		return run_ecn(cfg, "--ecn-kmax", v, 1);
	case OPT_PMAX:
		return run_double("--ecn-pmax", v, 0, 1, &cfg->ecn_pmax);
	case OPT_STOP:
		return run_in("--stop", v, COLL_QTY_TIME, RUN_NS, SIM_MAX_TIME_PS, NULL, &cfg->stop_ps);
	case OPT_INCAST_N:
		/* the upper bound is the topology's hosts - 1, checked once it is loaded */
		return run_u32("--incast-senders", v, 1, UINT32_MAX, &o->wl.incast_senders);
	case OPT_INCAST_DST:
		return run_u32("--incast-dst", v, 0, UINT32_MAX, &o->wl.incast_dst);
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
		return run_u32("--qps", v, 1, SIM_MAX_QPS_PER_FLOW, &cfg->qps_per_flow);
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
		return run_in("--flowlet-gap", v, COLL_QTY_TIME, 0, RUN_MS, NULL, &cfg->flowlet_gap_ps);
	case OPT_WINDOW:
		if (!strcmp(v, "unlimited")) {
			cfg->window_bytes = SIM_WINDOW_UNLIMITED;
			return 0;
		}
		return run_in("--window", v, COLL_QTY_SIZE, 4 * RUN_KIB, SIM_WINDOW_UNLIMITED, ", or 'unlimited'",
			      &cfg->window_bytes);
	case OPT_MTU:
		return run_u32("--mtu", v, 256, 9000, &cfg->mtu_bytes);
	}
	return run_opt_more(o, c, v);
}

/* One size for flow workloads, a sweep for collectives. */
static int run_sizes(struct run_opts *o)
{
	const char *v = o->size_arg ? o->size_arg : "8M";
	char val[48];

	if (!o->collective)
		return run_in("--size", v, COLL_QTY_SIZE, 1, SIM_MAX_FLOW_BYTES, NULL, &o->wl.bytes);
	if (coll_parse_sweep(v, o->sizes, SIM_MAX_SIZES, &o->nsizes) || !o->nsizes)
		return run_bad("--size", v, "a size like 64M or a sweep like 1M:1G:x2 (at most 64 sizes, 1 B to 1 TiB)");
	for (uint32_t i = 0; i < o->nsizes; i++) {
		if (o->sizes[i] <= SIM_MAX_FLOW_BYTES)
			continue;
		coll_fmt_qty(COLL_QTY_SIZE, o->sizes[i], val, sizeof(val));
		fprintf(stderr, "fabsim run: --size %s is out of range (1 B to 1 TiB)\n", val);
		return -1;
	}
	return 0;
}

/* Options that bound each other. */
static int run_cross_check(const struct run_opts *o)
{
	const struct sim_config *cfg = &o->cfg;
	char a[48], b[48];

	if (cfg->pfc_xon_bytes && cfg->pfc_xoff_bytes && cfg->pfc_xon_bytes >= cfg->pfc_xoff_bytes) {
		coll_fmt_qty(COLL_QTY_SIZE, cfg->pfc_xon_bytes, a, sizeof(a));
		coll_fmt_qty(COLL_QTY_SIZE, cfg->pfc_xoff_bytes, b, sizeof(b));
		fprintf(stderr, "fabsim run: --pfc-xon %s must be below --pfc-xoff %s (else pauses never end)\n", a, b);
		return -1;
	}
	if (cfg->ecn_kmin_bytes && cfg->ecn_kmax_bytes && cfg->ecn_kmin_bytes > cfg->ecn_kmax_bytes) {
		coll_fmt_qty(COLL_QTY_SIZE, cfg->ecn_kmin_bytes, a, sizeof(a));
		coll_fmt_qty(COLL_QTY_SIZE, cfg->ecn_kmax_bytes, b, sizeof(b));
		fprintf(stderr, "fabsim run: --ecn-kmin %s must not exceed --ecn-kmax %s\n", a, b);
		return -1;
	}
	for (uint32_t i = 0; i < cfg->necn; i++) {
		if (!cfg->ecn_kmin_at[i] || !cfg->ecn_kmax_at[i] || cfg->ecn_kmin_at[i] <= cfg->ecn_kmax_at[i])
			continue;
		coll_fmt_qty(COLL_QTY_SIZE, cfg->ecn_kmin_at[i], a, sizeof(a));
		coll_fmt_qty(COLL_QTY_SIZE, cfg->ecn_kmax_at[i], b, sizeof(b));
		fprintf(stderr, "fabsim run: --ecn-kmin %s must not exceed --ecn-kmax %s at the same link speed\n",
			a, b);
		return -1;
	}
	if (!o->collective && (o->jobs_path || o->background_bytes || o->bench_json)) {
		fprintf(stderr, "fabsim run: --jobs, --background and --bench-json need a collective workload\n");
		return -1;
	}
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

			if (run_u32("--seed", optarg, 0, UINT32_MAX, &seed))
				return -1;
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
	if (run_sizes(o) || run_cross_check(o))
		return -1;
	o->wl.seed = o->cfg.seed;
	o->cfg.progress = isatty(STDERR_FILENO);
	return 0;
}

/* "fabsim run: OPT V is out of range (LO to HI: the hosts of T)" */
static int run_topo_range(const struct sim_topo *t, const char *opt, uint64_t v, uint64_t lo, uint64_t hi)
{
	if (v >= lo && v <= hi)
		return 0;
	fprintf(stderr, "fabsim run: %s %llu is out of range (%llu to %llu: %s has %u hosts)\n", opt,
		(unsigned long long)v, (unsigned long long)lo, (unsigned long long)hi, t->name, t->nhosts);
	return -1;
}

/*
 * The ranges that depend on the topology, once it is loaded: 2 for bad
 * usage, 1 for a topology no workload can run on, 0.
 */
static int run_topo_check(const struct run_opts *o, const struct sim_topo *t)
{
	char err[320];

	if (t->nhosts < 2) {
		fprintf(stderr, "fabsim run: topology %s (%s) has %u host%s; every workload needs at least 2\n",
			t->name, o->topo_path, t->nhosts, t->nhosts == 1 ? "" : "s");
		return 1;
	}
	if ((o->ranks && run_topo_range(t, "--ranks", o->ranks, 2, t->nhosts)) ||
	    (o->gpus_per_server && run_topo_range(t, "--gpus-per-server", o->gpus_per_server, 1, t->nhosts)))
		return 2;
	if (!o->collective && o->wl.kind == SIM_WL_INCAST &&
	    (run_topo_range(t, "--incast-senders", o->wl.incast_senders, 1, t->nhosts - 1) ||
	     run_topo_range(t, "--incast-dst", o->wl.incast_dst, 0, t->nhosts - 1)))
		return 2;
	if (o->trace_spec && sim_port_lookup(t, o->trace_spec) == SIM_NONE) {
		fprintf(stderr, "fabsim run: --trace-port '%s': expected a port index below %u or FROM:TO node names\n",
			o->trace_spec, t->nports);
		return 2;
	}
	if (sim_config_check(t, &o->cfg, err, sizeof(err))) {
		fprintf(stderr, "fabsim run: %s\n", err);
		return 1;
	}
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

static int run_unlink(const char *dir, const char *sub, const char *name)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s%s%s%s%s", dir ? dir : "", dir ? "/" : "", sub ? sub : "",
			 sub ? "/" : "", name);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "fabsim run: output path too long: %s...\n", path);
		return -1;
	}
	if (unlink(path) && errno != ENOENT && errno != ENOTDIR) {
		fprintf(stderr, "fabsim run: cannot remove the earlier %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int sim_results_clean(const char *dir, const char *bench_json)
{
	static const char *const names[] = {
		"summary.json", "flows.csv", "links.csv", "trace.csv", "collective.csv", "prediction.csv",
	};
	char path[4096];

	if (bench_json && *bench_json && run_unlink(NULL, NULL, bench_json))
		return -1;
	if (!dir || !*dir)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (run_unlink(dir, NULL, names[i]) || run_unlink(dir, "largest", names[i]))
			return -1;
	/* only when empty: anything else in it is the user's */
	snprintf(path, sizeof(path), "%s/largest", dir);
	rmdir(path);
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
	if (r.flows_done < r.flows) {
		char t[48];

		coll_fmt_qty(COLL_QTY_TIME, sim_now(s), t, sizeof(t));
		fprintf(stderr, "fabsim run: %s at %s with %u of %u flows finished: effective throughput, per-flow "
			"rates, FCTs and makespan are unavailable\n",
			s->deadlock ? "PFC deadlock" : s->stalled ? "stalled" : "stopped", t, r.flows_done, r.flows);
		rc = rc ? rc : 3;
	}
	return rc;
}

/* The flow workloads: permutation, all-to-all, incast, a flow list. */
static int run_flows(struct run_opts *o, struct sim_topo *t, int argc, char **argv)
{
	FILE *trace = NULL;
	struct sim *s;
	int rc = 1;

	s = sim_create(t, &o->cfg);
	if (!s) {
		fprintf(stderr, "fabsim run: out of memory\n");
		return 1;
	}
	if (sim_workload_add(s, &o->wl))
		goto out_destroy;
	/* from here on this run's results replace any earlier run's */
	if (sim_results_clean(o->out_dir, NULL) || sim_run_trace(s, o, &trace))
		goto out_destroy;
	if (sim_run(s)) {
		fprintf(stderr, "fabsim run: the simulation failed: %s\n",
			*sim_error(s) ? sim_error(s) : "no flows, or out of memory");
		goto out_destroy;
	}
	rc = run_report(s, o, argc, argv);
	if (rc < 0)
		rc = 1;
out_destroy:
	if (trace)
		fclose(trace);
	sim_destroy(s);
	return rc;
}

int sim_cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct sim_topo *t;
	int rc;

	rc = run_parse(&o, argc, argv);
	if (rc)
		return rc > 0 ? 0 : 2;
	t = sim_topo_load(o.topo_path);
	if (!t)
		return 1;
	rc = run_topo_check(&o, t);
	if (rc)
		goto out_free_topo;
	if (o.collective) {
		char *line = sim_cmdline(argc, argv);

		rc = sim_run_collective(&o, t, line);
		free(line);
	} else {
		rc = run_flows(&o, t, argc, argv);
	}
out_free_topo:
	sim_topo_free(t);
	return rc;
}
