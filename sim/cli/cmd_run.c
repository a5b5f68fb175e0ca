/*
 * `fabsim run`: load a topology, generate a workload, simulate it packet
 * by packet and report. Human summary on stdout, CSV and summary.json in
 * the output folder, progress on stderr only when stderr is a terminal.
 * The options are tables below, one per thing they configure; the flow
 * workloads run here, the collective ones in run_coll.c.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "sim/cli/load.h"
#include "sim/cli/cmd.h"
#include "sim/cli/opt.h"
#include "sim/cli/run_opts.h"
#include "sim/fabric/dist.h"
#include "sim/results/schema.h"
#include "sim/results/stats.h"
#include "collectives/units.h"
#include "collectives/reduce.h"
#include "sim/traffic/bound.h"
#include "sim/traffic/workload.h"

/*
 * Ranges of the numeric options, with their reasons. Rates: NICs and links
 * run at 1 Gb/s to 1.6 Tb/s, NVLink-class links up to 14.4 Tb/s per GPU
 * today (100 Tb/s leaves headroom). Times: a timer below a packet's time on
 * the wire only burns events, one beyond a second of simulated time is a
 * mistake. Sizes: no AI transfer needs more than 1 TiB; a switch's shared
 * buffer is MBs on chip (165 MB Tomahawk 5), GBs with HBM (64 GiB max).
 */
#define RO struct run_opts

/* ---- parsers of the options that are more than one value into one field ---- */

/*
 * -w: a flow workload, or a collective (nccl-tests names, and all-to-all).
 * Here alone "alltoall" is not the collective's alias: it has named the
 * flow workload (-s per host pair) since before the collective existed,
 * and scripts run it; "all-to-all" is the collective.
 */
static int run_opt_workload(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;

	o->workload_arg = v;
	if (coll_kind_from_name(v) >= 0 && strcmp(v, "alltoall")) {
		o->collective = true;
		o->kind = (enum coll_kind)coll_kind_from_name(v);
		return 0;
	}
	o->collective = false;
	return sim_workload_from_name(v, &o->wl.kind) ? sim_opt_bad(opt, v, err, errlen) : 0;
}

static int run_opt_flows(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;

	o->wl.flows_path = v;
	o->wl.kind = SIM_WL_FLOWS;
	return 0;
}

static int run_opt_algo(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	int x = coll_algo_from_name(v);
	char names[128];

	if (x < 0)
		return sim_opt_expected(opt, v, coll_algo_names(names, sizeof(names), ", ", " or "), err, errlen);
	((struct run_opts *)obj)->algo = x;
	return 0;
}

/* --algo's help: the algorithm table's names, so a new algorithm needs no edit here. */
static const char *run_algo_help(char *buf, size_t len)
{
	char names[160];

	snprintf(buf, len, "%s (default: ring, pairwise for all-to-all)",
		 coll_algo_names(names, sizeof(names), " | ", " | "));
	return buf;
}

static int run_opt_incast_from(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	return sim_incast_from_name(v, &((struct run_opts *)obj)->wl.incast_from) ? sim_opt_bad(opt, v, err, errlen) : 0;
}

static int run_opt_placement(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	return sim_placement_from_name(v, &((struct run_opts *)obj)->placement) ? sim_opt_bad(opt, v, err, errlen) : 0;
}

/* --channels: a count, or 'nccl' for as many as NCCL builds (one per NIC of a server for rings and trees over servers) */
static int run_opt_channels(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;
	uint64_t n;

	if (!strcmp(v, "nccl")) {
		o->nchannels = SIM_COLL_CHANNELS_NCCL;
		return 0;
	}
	if (coll_parse_in(COLL_QTY_COUNT, "--channels", v, 1, SIM_MAX_CHANNELS, "or 'nccl'", &n, err, errlen))
		return -1;
	o->nchannels = (uint32_t)n;
	return 0;
}

static int run_opt_pxn(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;

	if (strcmp(v, "on") && strcmp(v, "off"))
		return sim_opt_bad(opt, v, err, errlen);
	o->pxn_off = !strcmp(v, "off");
	return 0;
}

static int run_opt_split_qps(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;

	if (strcmp(v, "on") && strcmp(v, "off"))
		return sim_opt_bad(opt, v, err, errlen);
	o->cfg.split_qps = !strcmp(v, "on") ? SIM_SPLIT_QPS_ON : SIM_SPLIT_QPS_OFF;
	return 0;
}

static int run_opt_plane_spread(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;

	return sim_plane_spread_from_name(v, &o->cfg.plane_spread) ? sim_opt_bad(opt, v, err, errlen) : 0;
}

static int run_opt_dtype(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;
	int x = coll_dtype_from_name(v);

	if (x < 0)
		return sim_opt_bad(opt, v, err, errlen);
	o->elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)x);
	o->dtype_name = v;
	return 0;
}

/* --jobs FILE: the jobs are collectives, whatever -w said */
static int run_opt_jobs(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct run_opts *o = obj;

	o->jobs_path = v;
	o->collective = true;
	return 0;
}

/* lb, rx, cc: the accepted names come from the fabric's tables (sim.h) */
static int run_opt_lb(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	char names[256];

	if (!sim_lb_from_name(v, &((struct run_opts *)obj)->cfg.lb))
		return 0;
	return sim_opt_expected(opt, v, sim_lb_names(names, sizeof(names), ", ", " or "), err, errlen);
}

static int run_opt_rx(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	char names[256];

	if (!sim_rx_from_name(v, &((struct run_opts *)obj)->cfg.rx))
		return 0;
	return sim_opt_expected(opt, v, sim_rx_names(names, sizeof(names), ", ", " or "), err, errlen);
}

static int run_opt_cc(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	char names[256];

	if (!sim_cc_from_name(v, &((struct run_opts *)obj)->cfg.cc))
		return 0;
	return sim_opt_expected(opt, v, sim_cc_names(names, sizeof(names), ", ", " or "), err, errlen);
}

static const char *run_dcqcn_set_at(uint32_t i)
{
	return sim_dcqcn_set_name((enum sim_dcqcn_set)i);
}

/* --dcqcn-params: a set of cc/dcqcn.c's table, named from the table */
static int run_opt_dcqcn(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	char names[128], expected[160];

	if (!sim_dcqcn_set_from_name(v, &((struct run_opts *)obj)->cfg.dcqcn_params))
		return 0;
	coll_fmt_names(run_dcqcn_set_at, names, sizeof(names), ", ", " or ");
	snprintf(expected, sizeof(expected), "%s (mellanox: connectx)", names);
	return sim_opt_expected(opt, v, expected, err, errlen);
}

/* --window: a size, or 'unlimited' */
static int run_opt_window(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	if (!strcmp(v, "unlimited")) {
		((struct run_opts *)obj)->cfg.window_bytes = SIM_WINDOW_UNLIMITED;
		return 0;
	}
	return sim_opt_qty(opt, v, obj, err, errlen);
}

/*
 * --ecn-kmin / --ecn-kmax (opt->value 0 / 1): one size for every port, or
 * per link speed: "400G=400K,800G=800K" (speeds not listed keep the scaled
 * preset).
 */
static int run_opt_ecn(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	struct sim_config *cfg = &((struct run_opts *)obj)->cfg;
	char buf[256], *save = NULL, what[64];
	bool is_max = opt->value;

	if (!strchr(v, '='))
		return coll_parse_in(COLL_QTY_SIZE, is_max ? "--ecn-kmax" : "--ecn-kmin", v, SIM_OPT_KIB, SIM_OPT_GIB, NULL,
				     is_max ? &cfg->ecn_kmax_bytes : &cfg->ecn_kmin_bytes, err, errlen);
	if (strlen(v) >= sizeof(buf))
		return sim_opt_expected(opt, v, "a shorter list of RATE=SIZE pairs", err, errlen);
	strcpy(buf, v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		uint64_t rate, bytes;
		uint32_t i;
		int rc;

		if (!eq)
			return sim_opt_expected(opt, v, "RATE=SIZE pairs like 400G=400K,800G=800K", err, errlen);
		*eq = 0;
		snprintf(what, sizeof(what), "--%s speed", opt->name);
		rc = coll_parse_in(COLL_QTY_RATE, what, t, SIM_OPT_GBPS, 1600 * SIM_OPT_GBPS, NULL, &rate, err, errlen);
		if (rc)
			return rc;
		snprintf(what, sizeof(what), "--%s at %s", opt->name, t);
		rc = coll_parse_in(COLL_QTY_SIZE, what, eq + 1, SIM_OPT_KIB, SIM_OPT_GIB, NULL, &bytes, err, errlen);
		if (rc)
			return rc;
		for (i = 0; i < cfg->necn && cfg->ecn_rate_bps[i] != rate; i++)
			;
		if (i == 8)
			return sim_opt_expected(opt, v, "at most 8 link speeds", err, errlen);
		if (i == cfg->necn)
			cfg->ecn_rate_bps[cfg->necn++] = rate;
		if (is_max)
			cfg->ecn_kmax_at[i] = bytes;
		else
			cfg->ecn_kmin_at[i] = bytes;
	}
	return 0;
}

static int run_opt_partition(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	if (sim_part_mode_from_name(v, &((struct run_opts *)obj)->part_mode))
		return sim_opt_expected(opt, v, "auto, pod or leaf", err, errlen);
	return 0;
}

/* ---- the options, by what they configure; --help shows them in this order ---- */

/* What traffic runs, and on which fabric. */
static const struct sim_opt run_opts_workload[] = {
	SIM_OPT_STR("topo", 't', "FILE", RO, topo_path,
		    "topology file, or a preset's name (small-800g: see\n"
		    "topologies/ and fabsim topo --help); 2 hosts at least"),
	SIM_OPT_CUSTOM("workload", 'w', "NAME", run_opt_workload,
		       "permutation, alltoall, incast, flows, allreduce, allgather, reducescatter, all-to-all, "
		       "broadcast, reduce or sendrecv",
		       "permutation (default) | alltoall | incast | flows,\n"
		       "or a collective: allreduce | allgather |\n"
		       "reducescatter | all-to-all | broadcast | reduce |\n"
		       "sendrecv (nccl-tests sizes; broadcast and reduce\n"
		       "from and to rank 0)"),
	/* one size or a sweep, checked by run_sizes once the workload is known */
	SIM_OPT_STR("size", 's', "SIZE", RO, size_arg,
		    "bytes per flow, default 8M [1 B..1 TiB];\n"
		    "alltoall: per host pair; collectives: a sweep\n"
		    "MIN:MAX:xF or MIN:MAX:+STEP, like -b/-e/-f\n"
		    "(at most 64 sizes)"),
	/* the upper bounds are the topology's hosts, checked once it is loaded */
	SIM_OPT_U32("incast-senders", 0, "N", RO, wl.incast_senders, 1, UINT32_MAX,
		    "incast fan-in, default 16 [1..hosts-1]"),
	SIM_OPT_U32("incast-dst", 0, "HOST", RO, wl.incast_dst, 0, UINT32_MAX,
		    "incast receiver, default 0 [0..hosts-1]"),
	SIM_OPT_CUSTOM("incast-from", 0, "WHERE", run_opt_incast_from, "next, local, remote or random",
		       "incast senders: next (default: the hosts after the\n"
		       "receiver) | local (its leaf) | remote (other leaves,\n"
		       "round-robin) | random (drawn with the seed)"),
	SIM_OPT_STR("hosts", 0, "LIST", RO, wl.hosts_spec,
		    "permutation, alltoall and incast among these hosts\n"
		    "only: indices and ranges, e.g. 0-15,32,40-47\n"
		    "(default every host)"),
	SIM_OPT_CUSTOM("flows", 'f', "FILE", run_opt_flows, NULL,
		       "flow list, lines 'SRC DST SIZE [START]' (-w flows):\n"
		       "SRC, DST a host index or name (h12, or an explicit\n"
		       "topology's), SIZE [1 B..1 TiB], START [0..100 s],\n"
		       "'#' comments"),
	SIM_OPT_QTY("seed", 'S', "N", RO, cfg.seed, COLL_QTY_COUNT, 0, UINT32_MAX, NULL,
		    "seed for workload and load balancing, default 1\n[0..4294967295]"),
	SIM_OPT_SEEDS("seeds", 0, "A:B|A,B,..", RO, seeds, 0, UINT32_MAX,
		      "run each configuration (each size) once per seed\n"
		      "and report mean [min..max]; every seed's row in\n"
		      "collective.csv or seeds.csv; replaces --seed\n"
		      "[0..4294967295, at most 1000 seeds]"),
};

/* The collective jobs: schedule, ranks, placement, intra-server links. */
static const struct sim_opt run_opts_coll[] = {
	SIM_OPT_NAMES("algo", 'a', "NAME", run_opt_algo, run_algo_help),
	/* the upper bound is the topology's hosts, checked once it is loaded */
	SIM_OPT_U32("ranks", 'n', "N", RO, ranks, 2, UINT32_MAX, "ranks, default every host [2..hosts]"),
	SIM_OPT_CUSTOM("placement", 0, "P", run_opt_placement, "contiguous or random",
		       "contiguous (default) | random (whole servers)"),
	SIM_OPT_CUSTOM("channels", 0, "N", run_opt_channels, "a count 1..64 or 'nccl'",
		       "rings/trees in parallel [1..64], default nccl: as\nNCCL builds them, one per NIC of a server for rings\nand trees over servers, else 1"),
	SIM_OPT_CUSTOM("pxn", 0, "on|off", run_opt_pxn, "on or off",
		       "NCCL's PXN: a send to another rail crosses NVLink\nfirst, then the NIC on that rail (default on, as\nNCCL's)"),
	SIM_OPT_QTY("chunk", 0, "SIZE", RO, chunk_bytes, COLL_QTY_SIZE, 1, SIM_MAX_FLOW_BYTES, NULL,
		    "pipelining chunk [1 B..1 TiB], default as NCCL:\n1M; tree and hier-tree 512K halved to fill the\ntree's depth (down to 32K)"),
	SIM_OPT_U32("gpus-per-server", 0, "N", RO, gpus_per_server, 1, SIM_MAX_GPUS_PER_SERVER,
		    "NVLink domain size, default the topology's\n[1..1024, at most the hosts]"),
	SIM_OPT_CUSTOM("dtype", 0, "T", run_opt_dtype, "float, bfloat16, half or int32",
		       "float (default) | bfloat16 | half | int32"),
	SIM_OPT_QTY("nvlink-rate", 0, "RATE", RO, nvlink_bps, COLL_QTY_RATE, SIM_OPT_GBPS, 100 * SIM_OPT_TBPS, NULL,
		    "intra-server rate per GPU, default 3600G\n[1 Gb/s..100 Tb/s]"),
	SIM_OPT_QTY("nvlink-latency", 0, "T", RO, nvlink_lat_ps, COLL_QTY_TIME, 0, SIM_OPT_MS, NULL,
		    "intra-server latency, default 1us [0..1 ms]"),
	SIM_OPT_CUSTOM("jobs", 0, "FILE", run_opt_jobs, NULL,
		       "several jobs: lines 'NAME KIND ALGO RANKS PLACEMENT\n[SIZE] [START]' (at most 64)"),
	SIM_OPT_QTY("background", 0, "SIZE", RO, background_bytes, COLL_QTY_SIZE, 1, SIM_MAX_FLOW_BYTES, NULL,
		    "plus a permutation of SIZE among hosts no job uses\n[1 B..1 TiB]"),
	SIM_OPT_STR("bench-json", 0, "FILE", RO, bench_json,
		    "also write the results as fabbench --json does,\nfor fabsim predict (one job)"),
};

/* Which path a packet takes: the switches' load balancing. */
static const struct sim_opt run_opts_routing[] = {
	SIM_OPT_NAMES("lb", 'l', "NAME", run_opt_lb, sim_lb_help),
	SIM_OPT_FLAG("same-seed", 0, RO, cfg.ecmp_same_seed, 1,
		     "every switch hashes with one seed (ECMP polarization)"),
	SIM_OPT_QTY("flowlet-gap", 0, "TIME", RO, cfg.flowlet_gap_ps, COLL_QTY_TIME, 0, SIM_OPT_MS, NULL,
		    "flowlet idle gap, default 2us [0..1 ms]"),
	/* the switch's NOS reacting to a port down, sim/fabric/fail.c gives the source */
	SIM_OPT_QTY("reroute-delay", 0, "TIME", RO, cfg.reroute_delay_ps, COLL_QTY_TIME, 0, 10 * SIM_OPT_S, NULL,
		    "after a link fails or comes back (--fail-at,\n"
		    "--restore-at), ECMP/flowlet/spray reroute this late\n"
		    "(AR avoids a down port at once); default 50ms,\n"
		    "longer than most runs: ECMP then keeps losing\n"
		    "what it hashes onto the dead link [0..10 s]"),
};

/* The NICs' RC transport: QPs, window, packets, ACKs, loss recovery. */
static const struct sim_opt run_opts_transport[] = {
	/* NCCL_IB_QPS_PER_CONNECTION, default 1 (src/transport/net_ib.cc) */
	SIM_OPT_U32("qps", 'q', "N", RO, cfg.qps_per_flow, 1, SIM_MAX_QPS_PER_FLOW,
		    "queue pairs per connection (src, dst, and for a\ncollective job and channel), default 1 [1..256]"),
	/* NCCL_IB_SPLIT_DATA_ON_QPS, default 0 (src/transport/net_ib.cc, NCCL env docs) */
	SIM_OPT_CUSTOM("split-qps", 0, "on|off", run_opt_split_qps, "on or off",
		       "on: each message split over the connection's QPs;\n"
		       "off: whole messages round-robin over them\n"
		       "(NCCL_IB_SPLIT_DATA_ON_QPS); default off for\n"
		       "collectives (NCCL's), on for flow workloads"),
	{ .name = "window", .arg = "SIZE", .parse = run_opt_window,
	  .offset = SIM_OPT_OFFSET(RO, cfg.window_bytes, uint64_t), .qty = COLL_QTY_SIZE, .lo = 4 * SIM_OPT_KIB,
	  .hi = SIM_WINDOW_UNLIMITED, .expected = ", or 'unlimited'",
	  .help = "in-flight bytes per QP [4 KiB..16 MiB, or 'unlimited'\n"
		  "for a line-rate NIC, 16 MiB in flight at most];\n"
		  "default unlimited (RoCE NICs keep no window); one\nBDP with --cc telemetry, which is window-based" },
	/* NVIDIA Spectrum-X multiplane: swplb binds a QP to a plane, ConnectX-8 hwplb sprays packets */
	SIM_OPT_CUSTOM("plane-spread", 0, "MODE", run_opt_plane_spread, "qp or packet",
		       "qp (default) | packet: how a NIC with several\n"
		       "planes (topology planes) spreads a connection: qp\n"
		       "binds each QP to one plane, slot % planes; packet\n"
		       "sends a QP's packets round-robin over the planes.\n"
		       "Both avoid a plane whose host port is down"),
	SIM_OPT_U32("mtu", 0, "BYTES", RO, cfg.mtu_bytes, 256, 9000,
		    "RoCE payload per packet, default the topology's\n[256..9000]"),
	SIM_OPT_NAMES("rx", 'r', "MODE", run_opt_rx, sim_rx_help),
	/* NICs coalesce a handful of ACKs; 64 packets is 256 KiB at 4 KiB */
	SIM_OPT_U32("ack-every", 0, "N", RO, cfg.ack_every, 1, 64, "coalesce in-order ACKs, default 4 [1..64]"),
	/* below 1 us an RTO fires before any fabric's round trip */
	SIM_OPT_QTY("rto", 0, "TIME", RO, cfg.rto_ps, COLL_QTY_TIME, SIM_OPT_US, SIM_OPT_S, NULL,
		    "retransmission timeout, default 500us [1 us..1 s]"),
};

/* Congestion control at the NICs. */
static const struct sim_opt run_opts_cc[] = {
	SIM_OPT_NAMES("cc", 'c', "NAME", run_opt_cc, sim_cc_help),
	SIM_OPT_CUSTOM("dcqcn-params", 0, "SET", run_opt_dcqcn, NULL,
		       "connectx (default; alias mellanox) | connectx-unscaled\n| paper"),
	SIM_OPT_QTY("cnp-interval", 0, "TIME", RO, cfg.cnp_interval_ps, COLL_QTY_TIME, 1000 /* 1 ns: 0 is the set's */, SIM_OPT_MS, NULL,
		    "per-QP CNP spacing, default the set's: connectx 4us,\npaper 50us [1 ns..1 ms]"),
	/* HPCC (Li et al. 2019): eta 95%, maxStage 5; W_AI from its ns-3 run.py, 10 Mb/s per 25G of NIC */
	SIM_OPT_DOUBLE("eta", 0, "X", RO, cfg.tele_eta, 0.1, 1.0,
		       "telemetry target utilization of every hop's wire\nrate, default 0.95 (HPCC) [0.1..1]"),
	SIM_OPT_QTY("tele-wai", 0, "RATE", RO, cfg.tele_wai_bps, COLL_QTY_RATE, 1000000, 100 * SIM_OPT_GBPS, NULL,
		    "telemetry additive increase W_AI per base RTT,\n"
		    "default NIC rate / 2500 = 320M at 800G (HPCC ns-3)\n[1 Mb/s..100 Gb/s]"),
	SIM_OPT_U32("tele-max-stage", 0, "N", RO, cfg.tele_max_stage, 0, 64,
		    "telemetry additive steps before a multiplicative\none, default 5 (HPCC maxStage) [0..64]"),
};

/* The switches: shared buffer, PFC, ECN. */
static const struct sim_opt run_opts_switch[] = {
	SIM_OPT_QTY("buffer", 0, "SIZE", RO, cfg.buffer_bytes, COLL_QTY_SIZE, 64 * SIM_OPT_KIB, 64 * SIM_OPT_GIB, NULL,
		    "shared buffer per switch, default the topology's\n[64 KiB..64 GiB]"),
	SIM_OPT_DOUBLE("alpha", 0, "X", RO, cfg.buffer_alpha, 0, 64, "dynamic threshold (lossy egress queues, lossless\n"
		       "ingress ports), default 1; 0: static [0..64]"),
	SIM_OPT_FLAG("no-pfc", 0, RO, cfg.pfc, 0, "lossy: drop on overflow instead of pausing"),
	SIM_OPT_QTY("pfc-xoff", 0, "SIZE", RO, cfg.pfc_xoff_bytes, COLL_QTY_SIZE, SIM_OPT_KIB, SIM_OPT_GIB, NULL,
		    "static XOFF per ingress port, default dynamic:\n"
		    "alpha x free shared buffer [1 KiB..1 GiB]"),
	SIM_OPT_QTY("pfc-xon", 0, "SIZE", RO, cfg.pfc_xon_bytes, COLL_QTY_SIZE, SIM_OPT_KIB, SIM_OPT_GIB, NULL,
		    "static XON, default 2 packets below XOFF\n[1 KiB..1 GiB, < XOFF]"),
	SIM_OPT_QTY("pfc-headroom", 0, "SIZE", RO, cfg.pfc_headroom_bytes, COLL_QTY_SIZE, SIM_OPT_KIB, SIM_OPT_GIB, NULL,
		    "per ingress port, past XOFF, default 2 x cable bytes\n"
		    "+ pipeline + 3 frames + a PAUSE + 394 quanta of\n"
		    "upstream reaction [1 KiB..1 GiB]; beyond it, drops"),
	SIM_OPT_FLAG("no-ecn", 0, RO, cfg.ecn, 0, "no ECN marking"),
	{ .name = "ecn-kmin", .arg = "SIZE", .parse = run_opt_ecn, .value = 0,
	  .help = "RED Kmin, default 150000 B (NVIDIA RoCE), or\n"
		  "per link speed: 400G=400K,800G=800K\n"
		  "[1 KiB..1 GiB; speeds 1 Gb/s..1.6 Tb/s]" },
	{ .name = "ecn-kmax", .arg = "SIZE", .parse = run_opt_ecn, .value = 1,
	  .help = "RED Kmax, default 1500000 B, same forms\n[1 KiB..1 GiB, >= Kmin]" },
	SIM_OPT_DOUBLE("ecn-pmax", 0, "X", RO, cfg.ecn_pmax, 0, 1, "RED Pmax, default 1 [0..1]"),
};

/* What the run writes and prints, and when it stops. */
static const struct sim_opt run_opts_output[] = {
	SIM_OPT_STR("out", 'o', "DIR", RO, out_dir,
		    "results folder, default results/last; the result\n"
		    "files of an earlier run in it are removed first"),
	SIM_OPT_QTY("stop", 0, "TIME", RO, cfg.stop_ps, COLL_QTY_TIME, SIM_OPT_NS, SIM_MAX_TIME_PS, NULL,
		    "stop at this simulated time [1 ns..100 s]; default:\nwhen all flows finish"),
	/* checked against the topology once it is loaded */
	SIM_OPT_STR("trace-port", 0, "PORT", RO, trace_spec,
		    "sample a port (index, or FROM:TO like leaf0:h0) into\n"
		    "trace.csv: queue, PFC state, counters. Default: every\n"
		    "switch egress is sampled (<= 512 samples each, the\n"
		    "interval doubling to fit) and trace.csv holds the one\n"
		    "with the highest peak queue (summary.json trace_port,\n"
		    "trace_interval_ps; collectives: largest/)"),
	SIM_OPT_QTY("trace-interval", 0, "T", RO, trace_interval_ps, COLL_QTY_TIME, 10 * SIM_OPT_NS, SIM_OPT_S, NULL,
		    "sampling period (the default trace's first),\ndefault 1us [10 ns..1 s]"),
	SIM_OPT_FLAG("timeline", 0, RO, timeline, true,
		     "flow workloads: write timeline.csv, the fabric's\n"
		     "throughput over time from the default trace's samples:\n"
		     "what hosts received and each tier's link utilization\n"
		     "per interval (--trace-interval; one process)"),
	SIM_OPT_FLAG("json", 0, RO, json, true, "print summary.json to stdout instead of the table"),
	SIM_OPT_FLAG("quiet", 0, RO, quiet, true, "no summary on stdout"),
	SIM_OPT_FLAG("progress", 0, RO, progress, true,
		     "a progress line on stderr (simulated time, events/s,\n"
		     "flows done, ETA) even when stderr is not a terminal:\n"
		     "then one line per update; default: on a terminal only"),
	SIM_OPT_CUSTOM("partition", 0, "MODE", run_opt_partition, "auto, pod or leaf",
		       "under mpirun -np N (N > 1): how the fabric is split\n"
		       "into N parts, one per process: auto (default: pods\n"
		       "on a 3-tier fabric when there are enough, else\n"
		       "leaf groups) | pod | leaf. Whole servers per part;\n"
		       "only fabric links are cut"),
	SIM_OPT_HELP("this text"),
};

/* Failed and degraded links (sim/topo/fail.h). */
static const struct sim_opt run_opts_fail[] = {
	SIM_FAIL_OPT(RO, fail_reqs),
	SIM_FAIL_OPT_AT(RO, fail_reqs),
	SIM_FAIL_OPT_SEED(RO, fail_seed),
};

/* sim_opt_cmd.given: OPT onto the options given, once. */
static void run_given(const struct sim_opt *opt, void *obj)
{
	struct run_opts *o = obj;

	for (uint32_t i = 0; i < o->ngiven; i++)
		if (o->given[i] == opt)
			return;
	assert(o->ngiven < SIM_OPT_MAX);
	o->given[o->ngiven++] = opt;
}

/* Headings NULL continue the section above in --help. */
static const struct sim_opt_group run_groups[] = {
	SIM_OPT_GROUP("workload", run_opts_workload),
	SIM_OPT_GROUP("collectives", run_opts_coll),
	SIM_OPT_GROUP("routing and transport", run_opts_routing),
	SIM_OPT_GROUP(NULL, run_opts_transport),
	SIM_OPT_GROUP(NULL, run_opts_cc),
	SIM_OPT_GROUP("switches", run_opts_switch),
	SIM_OPT_GROUP("failures", run_opts_fail),
	SIM_OPT_GROUP("output", run_opts_output),
};

static const struct sim_opt_cmd run_cmd = {
	.name = "fabsim run",
	.usage_head =
		"usage: fabsim run --topo FILE [options]\n"
		"\n"
		"Simulates a workload on a fabric packet by packet and reports throughput,\n"
		"FCTs, queues, drops, PFC/ECN activity and reordering.\n"
		"Flow workloads: 'effective' is payload / sum of line rate x FCT (harmonic,\n"
		"FCT-based), 'all-active' the aggregate rate / line rates from the last\n"
		"flow's first byte at its receiver to the first finish (n/a when a flow\n"
		"finished before every flow delivered), 'mean per flow' the arithmetic\n"
		"mean of flow rates (vendors' \"60%\" figures are the last two).\n"
		"Collectives: busbw as nccl-tests, 'bw/NIC' (busbw_per_nic) =\n"
		"busbw / (NICs per server x NIC rate) (all-to-all: x G(n-G)/(n-1), the\n"
		"ranks whose bytes leave the server), NIC% the busiest NIC's busy time;\n"
		"effective_throughput (CSV/JSON, kept for scripts) is busbw / one NIC's\n"
		"rate, above 100% when a server's NICs share the work.\n"
		"'ideal' (ideal_* in the files): what a perfect fluid load balancer\n"
		"would reach over the live links at their rates: max-min fair flow\n"
		"rates; for a collective, busbw at the time its busiest link, NIC or\n"
		"NVLink needs for its bytes (no latency).\n"
		"Accepted ranges are in brackets; sizes are binary (8M = 8 MiB), rates\n"
		"decimal bits per second (800G), times take ps, ns, us, ms or s.\n"
		"\n",
	.usage_tail =
		"\n"
		"Exit status: 0 done, 1 bad input (files, topology, a refused configuration),\n"
		"2 bad usage (an unknown option, a value out of its range), 3 the run ended\n"
		"with unfinished flows (--stop, PFC deadlock, nothing left to do): figures\n"
		"that need every flow to finish are then reported as unavailable.\n",
	.help_col = 27,
	.given = run_given,
	SIM_OPT_GROUPS(run_groups),
};

/* One size for flow workloads, a sweep for collectives. */
static int run_sizes(struct run_opts *o)
{
	const char *v = o->size_arg ? o->size_arg : "8M";
	char val[48], err[320];

	if (!o->collective) {
		if (!coll_parse_in(COLL_QTY_SIZE, "--size", v, 1, SIM_MAX_FLOW_BYTES, NULL, &o->wl.bytes, err,
				   sizeof(err)))
			return 0;
		fprintf(stderr, "fabsim run: %s\n", err);
		return -1;
	}
	if (coll_parse_sweep(v, o->sizes, SIM_MAX_SIZES, &o->nsizes) || !o->nsizes) {
		fprintf(stderr, "fabsim run: invalid --size '%s': expected a size like 64M or a sweep like 1M:1G:x2 "
			"(at most 64 sizes, 1 B to 1 TiB)\n", v);
		return -1;
	}
	for (uint32_t i = 0; i < o->nsizes; i++) {
		if (o->sizes[i] <= SIM_MAX_FLOW_BYTES)
			continue;
		coll_fmt_qty(COLL_QTY_SIZE, o->sizes[i], val, sizeof(val));
		fprintf(stderr, "fabsim run: --size %s is out of range (1 B to 1 TiB)\n", val);
		return -1;
	}
	return 0;
}

/* The workload as the messages name it: -w as given, else the default one. */
static const char *run_workload_label(const struct run_opts *o)
{
	if (o->workload_arg)
		return o->workload_arg;
	if (o->jobs_path)
		return "--jobs";
	return o->wl.kind == SIM_WL_FLOWS ? "flows" : "permutation";
}

/* "fabsim run: -n/--ranks applies to WHAT, not to the workload 'permutation'": -1 */
static int run_not_applying(const struct run_opts *o, const struct sim_opt *opt, const char *what)
{
	char key[8] = "";

	if (opt->key)
		snprintf(key, sizeof(key), "-%c/", opt->key);
	fprintf(stderr, "fabsim run: %s--%s applies to %s, not to the workload '%s'\n", key, opt->name, what,
		run_workload_label(o));
	return -1;
}

/* -w as given names the flow list workload (or is not given: -f makes it one) */
static bool run_workload_is_flows(const struct run_opts *o)
{
	enum sim_workload k;

	if (o->collective)
		return false;
	if (!o->workload_arg)
		return true;
	return !sim_workload_from_name(o->workload_arg, &k) && k == SIM_WL_FLOWS;
}

/*
 * Options given that the workload would ignore are refused (-n 64 with a
 * flow workload once ran all 4,096 hosts for hours): the collectives'
 * options with a flow workload (--jobs, --background and --bench-json have
 * their own message), the incast's with another workload, -f with a
 * workload other than flows.
 */
static int run_applies(const struct run_opts *o)
{
	for (uint32_t i = 0; i < o->ngiven; i++) {
		const struct sim_opt *g = o->given[i];
		bool coll_opt = g >= run_opts_coll && g < run_opts_coll + SIM_OPT_ARRAY_SIZE(run_opts_coll);

		if (coll_opt && !o->collective && strcmp(g->name, "jobs") && strcmp(g->name, "background") &&
		    strcmp(g->name, "bench-json"))
			return run_not_applying(o, g, "collectives");
		if (!strncmp(g->name, "incast-", 7) && (o->collective || o->wl.kind != SIM_WL_INCAST))
			return run_not_applying(o, g, "-w incast");
		if (!strcmp(g->name, "flows") && !run_workload_is_flows(o))
			return run_not_applying(o, g, "-w flows");
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
	if (o->seeds.n && o->trace_spec) {
		fprintf(stderr, "fabsim run: --trace-port samples one run; with --seeds it would describe only the last "
			"seed (use --seed)\n");
		return -1;
	}
	if (o->timeline && (o->collective || o->seeds.n || !o->out_dir || !*o->out_dir)) {
		fprintf(stderr, "fabsim run: --timeline samples one flow workload's run into its --out folder "
			"(not a collective, not with --seeds)\n");
		return -1;
	}
	if (!o->collective && (o->jobs_path || o->background_bytes || o->bench_json)) {
		fprintf(stderr, "fabsim run: --jobs, --background and --bench-json need a collective workload\n");
		return -1;
	}
	return 0;
}

static void run_defaults(struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	sim_config_defaults(&o->cfg);
	/*
	 * Collectives run as NCCL runs them unless told otherwise: PXN on
	 * (NCCL_PXN_DISABLE=0, NCCL >= 2.12) and as many channels as NCCL
	 * builds (coll_default_channels).
	 */
	o->pxn_off = false;
	o->nchannels = SIM_COLL_CHANNELS_NCCL;
	o->out_dir = "results/last";
	o->algo = -1;
	o->elem_bytes = 4;
	o->chunk_bytes = 0;	/* as NCCL: coll_default_chunk */
	o->nvlink_bps = 3600000000000ULL;	/* NVLink4: 450 GB/s per direction per GPU */
	o->nvlink_lat_ps = 1000000;
	o->wl.kind = SIM_WL_PERMUTATION;
	o->wl.bytes = 8 << 20;
	o->wl.incast_senders = 16;
	o->fail_seed = 1;
}

/* 0: go on; 1: --help printed; -1: bad usage, said. */
static int run_parse(struct run_opts *o, int argc, char **argv)
{
	int first, rc;

	run_defaults(o);
	rc = sim_opt_parse(&run_cmd, argc, argv, o, &first);
	if (rc)
		return rc;
	if (first < argc) {
		fprintf(stderr, "fabsim run: unexpected argument '%s'\n", argv[first]);
		return -1;
	}
	if (!o->topo_path) {
		fprintf(stderr, "fabsim run: --topo FILE is required (try topologies/small-800g.topo)\n");
		return -1;
	}
	if (run_applies(o) || run_sizes(o) || run_cross_check(o))
		return -1;
	if (o->seeds.n)
		o->cfg.seed = o->seeds.v[0];
	o->wl.seed = o->cfg.seed;
	sim_run_progress_setup(&o->cfg, o->progress);
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
	if (o->collective && o->wl.hosts_spec) {
		fprintf(stderr, "fabsim run: --hosts chooses the hosts of permutation, all-to-all and incast; "
			"a collective takes -n and --placement\n");
		return 2;
	}
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

/* A flow run over --seeds: every seed's figures, for seeds.csv and summary.json. */
struct run_seeds {
	FILE *csv;			/* OUT/seeds.csv, or NULL */
	struct sim_flow_seed_stats st;
	uint32_t unfinished;		/* seeds with flows left */
};

/* "48.1% [44.9..52.6]" */
static const char *run_seed_fig(char *buf, size_t len, const struct sim_seed_stat *st)
{
	if (!st->n)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f%% [%.1f..%.1f]", 100 * sim_seed_stat_mean(st), 100 * st->min, 100 * st->max);
	return buf;
}

static void run_seeds_print(const struct run_opts *o, const struct run_seeds *sd)
{
	char e[48], a[48], m[48];

	run_seed_fig(e, sizeof(e), &sd->st.effective);
	run_seed_fig(a, sizeof(a), &sd->st.all_active);
	run_seed_fig(m, sizeof(m), &sd->st.mean_flow);
	printf("seeds        %u (%llu..%llu), mean [min..max]; the lines above are seed %llu's\n", o->seeds.n,
	       (unsigned long long)o->seeds.v[0], (unsigned long long)o->seeds.v[o->seeds.n - 1],
	       (unsigned long long)o->seeds.v[o->seeds.n - 1]);
	if (o->wl.kind == SIM_WL_ALLTOALL)
		printf("over seeds   all-active %s | effective %s | mean per flow %s\n", a, e, m);
	else
		printf("over seeds   effective %s | all-active %s | mean per flow %s\n", e, a, m);
	if (sd->st.complete < o->seeds.n)
		printf("over seeds   effective and mean per flow over the %u of %u seeds whose flows all finished\n",
		       sd->st.complete, o->seeds.n);
}

static int run_report(struct sim *s, const struct run_opts *o, int argc, char **argv, struct sim_results *res,
		      const struct run_seeds *sd)
{
	struct sim_results r = *res;
	char *line = sim_cmdline(argc, argv);
	int rc = 0;

	if (sd) {
		r.seeds = o->seeds.v;
		r.nseeds = o->seeds.n;
		r.seed_stats = &sd->st;
	}
	if (o->json) {
		json_t *j = sim_results_json(s, &r, line);

		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
		json_decref(j);
	} else if (!o->quiet) {
		sim_results_print(s, &r, stdout);
		if (sd)
			run_seeds_print(o, sd);
	}
	if (o->out_dir && *o->out_dir) {
		char err[4608];

		uint64_t tint;
		uint32_t tport;
		bool traced = sim_results_trace(s, &tport, &tint);

		rc = sim_results_write(s, &r, o->out_dir, line, err, sizeof(err));
		if (rc)
			fprintf(stderr, "fabsim: %s\n", err);
		else if (!o->json && !o->quiet)
			printf("results      %s/{summary.json,flows.csv,links.csv%s%s}\n", o->out_dir,
			       traced ? ",trace.csv" : "", sd ? ",seeds.csv" : "");
		if (!rc && sim_run_trace_write(s, o->out_dir, !o->json && !o->quiet))
			rc = 1;
		if (!rc && o->timeline && sim_run_timeline_write(s, o->out_dir, !o->json && !o->quiet))
			rc = 1;
	}
	free(line);
	if (r.flows_done < r.flows) {
		char t[48];

		coll_fmt_qty(COLL_QTY_TIME, s->end_ps, t, sizeof(t));
		fprintf(stderr, "fabsim run: %s at %s with %llu of %llu flows finished: effective throughput, per-flow "
			"rates, FCTs and makespan are unavailable\n",
			s->deadlock ? "PFC deadlock" : s->stalled ? "stalled" : "stopped", t,
			(unsigned long long)r.flows_done, (unsigned long long)r.flows);
		rc = rc ? rc : 3;
	}
	return rc;
}

/* A line of the flow list names its FILE:LINE; other messages are the run's. */
static int run_workload_add(struct sim *s, const struct sim_workload_params *w)
{
	char err[4608];
	int rc = sim_workload_add(s, w, err, sizeof(err));

	if (rc)
		fprintf(stderr, "%s%s\n", rc == -EBADMSG ? "" : "fabsim: ", err);
	return rc;
}

/* Flow I's hosts, for sim_fail_check_pairs; an intra-server flow crosses no fabric link. */
static bool run_flow_pair(void *ctx, uint64_t i, uint32_t *a, uint32_t *b)
{
	const struct sim_flow *f = &((const struct sim *)ctx)->flows[i];

	*a = f->src;
	*b = f->dst;
	return !f->local;
}

/* One seed's row of seeds.csv, and its figures into the seed statistics. */
static void run_seeds_add(struct run_seeds *sd, const struct sim *s, const struct sim_results *r)
{
	bool done = r->flows_done == r->flows, aa = r->window_throughput >= 0;

	if (done) {
		sd->st.complete++;
		sim_seed_stat_add(&sd->st.effective, r->effective_throughput);
		sim_seed_stat_add(&sd->st.mean_flow, r->mean_flow_frac);
	} else {
		sd->unfinished++;
	}
	if (aa)
		sim_seed_stat_add(&sd->st.all_active, r->window_throughput);
	if (!sd->csv)
		return;
	fprintf(sd->csv, "%llu,%s,", (unsigned long long)s->cfg.seed,
		s->deadlock ? "pfc-deadlock" : s->stalled ? "stalled" : done ? "complete" : "stopped");
	if (done)
		fprintf(sd->csv, "%.6f,", r->effective_throughput);
	else
		fprintf(sd->csv, ",");
	if (aa)
		fprintf(sd->csv, "%.6f,", r->window_throughput);
	else
		fprintf(sd->csv, ",");
	if (done)
		fprintf(sd->csv, "%.6f,%.6f,%.3f,", r->mean_flow_frac, r->min_flow_frac, r->fct_p99_us);
	else
		fprintf(sd->csv, ",,,");
	fprintf(sd->csv, "%.6f\n", r->max_link_util);
}

/* seeds.csv in the results folder, with its header */
static int run_seeds_open(const struct run_opts *o, struct run_seeds *sd)
{
	char err[4200];

	if (!o->out_dir || !*o->out_dir)
		return 0;
	sd->csv = sim_results_csv_create(o->out_dir, &sim_schema_seeds, err, sizeof(err));
	if (!sd->csv) {
		fprintf(stderr, "fabsim run: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * One run of a flow workload with o->cfg.seed. With SD (--seeds), its
 * figures go into SD and only the LAST seed's run is reported and written
 * (flows.csv, links.csv, summary.json with the seed statistics).
 */
static int run_flows_seed(struct run_opts *o, struct sim_topo *t, int argc, char **argv, struct run_seeds *sd,
			  bool first, bool last)
{
	struct sim_bound_flows ideal = { -1, -1 };
	struct sim_results r;
	FILE *trace = NULL;
	struct sim *s;
	int rc = 1;

	o->wl.seed = o->cfg.seed;
	s = sim_create(t, &o->cfg);
	if (!s) {
		fprintf(stderr, "fabsim run: out of memory\n");
		return 1;
	}
	if (run_workload_add(s, &o->wl) ||
	    sim_fail_check_pairs(t, &o->fail_reqs, &o->fail_plan, run_flow_pair, s->nadded, s, "fabsim run"))
		goto out_destroy;
	if (sim_fail_schedule(s, o->fail_plan.v, o->fail_plan.n)) {
		fprintf(stderr, "fabsim run: %s\n", sim_error(s));
		goto out_destroy;
	}
	/* the workload is valid: from here on this run's results replace any earlier run's */
	if (first && (sim_results_clean(o->out_dir, NULL) || (sd && run_seeds_open(o, sd))))
		goto out_destroy;
	/* with --seeds only the last seed's run is written, its trace too; part 0 writes a split run's */
	if (sim_run_setup(s, o, !sd || last, &trace))
		goto out_destroy;
	/* the ideal of the reported run, on the fabric as it starts (links failed later are up here) */
	if ((!sd || last) && sim_run_reports(o) && sim_bound_sim_flows(s, &ideal)) {
		fprintf(stderr, "fabsim run: out of memory\n");
		goto out_destroy;
	}
	if (sim_run_go(s, o)) {
		fprintf(stderr, "fabsim run: the simulation failed: %s\n",
			*sim_error(s) ? sim_error(s) : "no flows, or out of memory");
		goto out_destroy;
	}
	/* the other parts hold only their own results: part 0 reports the run */
	if (!sim_run_reports(o)) {
		rc = sim_dist_stats(s)->flows_done < s->nflows ? 3 : 0;
		goto out_destroy;
	}
	sim_results_compute(s, &r);
	sim_run_parallel(s, o, &r);
	r.ideal_effective = ideal.effective;
	r.ideal_all_active = ideal.all_active;
	/* all-to-all's flows end together: the aggregate while all run describes it */
	r.all_active_first = o->wl.kind == SIM_WL_ALLTOALL;
	if (sd)
		run_seeds_add(sd, s, &r);
	if (!sd || last) {
		rc = run_report(s, o, argc, argv, &r, sd);
		if (rc < 0)
			rc = 1;
	} else {
		rc = r.flows_done < r.flows ? 3 : 0;
	}
out_destroy:
	if (trace)
		fclose(trace);
	sim_destroy(s);
	return rc;
}

/* The flow workloads: permutation, all-to-all, incast, a flow list; once per seed with --seeds. */
static int run_flows(struct run_opts *o, struct sim_topo *t, int argc, char **argv)
{
	struct run_seeds sd;
	int rc = 0;

	if (!o->seeds.n)
		return run_flows_seed(o, t, argc, argv, NULL, true, true);
	memset(&sd, 0, sizeof(sd));
	for (uint32_t i = 0; i < o->seeds.n; i++) {
		int r;

		o->cfg.seed = o->seeds.v[i];
		r = run_flows_seed(o, t, argc, argv, &sd, i == 0, i + 1 == o->seeds.n);
		if (r && r != 3) {
			rc = r;
			break;
		}
		rc = rc ? rc : r;
	}
	if (sd.csv && fclose(sd.csv)) {
		fprintf(stderr, "fabsim run: cannot write %s/%s\n", o->out_dir, sim_schema_seeds.file);
		rc = rc ? rc : 1;
	}
	return rc;
}

struct sim_launch *sim_launch;

/*
 * Under mpirun -np N: the fabric in N parts, printed by part 0; the other
 * parts print and write nothing. 0, or an exit status after a message.
 */
static int run_split(struct run_opts *o, struct sim_topo *t, struct sim_partition *p)
{
	char err[512];

	if (sim_partition(t, sim_launch->size, o->part_mode, p, err, sizeof(err))) {
		fprintf(stderr, "fabsim run: cannot split the fabric into %u parts: %s\n", sim_launch->size, err);
		return 1;
	}
	o->part = p;
	o->part_out = o->out_dir && *o->out_dir;
	if (o->timeline) {
		fprintf(stderr, "fabsim run: --timeline needs every port's samples in one process: not under mpirun yet\n");
		return 2;
	}
	/* every part samples a named port: it must exist before any part starts */
	if (o->trace_spec && sim_port_lookup(t, o->trace_spec) == SIM_NONE) {
		fprintf(stderr, "fabsim run: --trace-port '%s': expected a port index below %u or FROM:TO node names\n",
			o->trace_spec, t->nports);
		return 2;
	}
	if (sim_launch->rank) {
		o->quiet = true;
		o->json = false;
		o->out_dir = NULL;
		o->cfg.progress = NULL;
	} else if (!o->json && !o->quiet) {
		printf("processes    %u, partition %s\n", sim_launch->size, sim_part_mode_name(p->mode));
		sim_partition_print(t, p, stdout);
	}
	return 0;
}

int sim_cmd_run(int argc, char **argv)
{
	struct sim_partition part = { 0 };
	struct sim_fail_argv fa;
	struct run_opts o;
	struct sim_topo *t;
	int rc;

	/* --fail-at TIME SPEC: two words, joined for getopt (the SPECs point into FA) */
	if (sim_fail_argv(argc, argv, &fa)) {
		fprintf(stderr, "fabsim run: out of memory\n");
		return 1;
	}
	rc = run_parse(&o, fa.argc, fa.argv);
	if (rc) {
		rc = rc > 0 ? 0 : 2;
		goto out_free_argv;
	}
	rc = 1;
	t = sim_topo_load(o.topo_path);
	if (!t)
		goto out_free_argv;
	/* --fail applies to the topology before anything is built on it */
	rc = sim_fail_reqs_build(t, &o.fail_reqs, o.fail_seed, o.cfg.stop_ps, &o.fail_plan, "fabsim run");
	if (!rc)
		rc = run_topo_check(&o, t);
	if (rc)
		goto out_free_topo;
	if (sim_launch) {
		rc = run_split(&o, t, &part);
		if (rc)
			goto out_free_topo;
	}
	if (o.collective) {
		char *line = sim_cmdline(argc, argv);

		rc = sim_run_collective(&o, t, line);
		free(line);
	} else {
		rc = run_flows(&o, t, argc, argv);
	}
out_free_topo:
	sim_fail_plan_free(&o.fail_plan);
	sim_partition_free(&part);
	sim_topo_free(t);
out_free_argv:
	sim_fail_argv_free(&fa);
	return rc;
}
