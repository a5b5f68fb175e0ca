/*
 * Property test: about 50 small random configurations, drawn from a
 * fixed-seed generator so that every run of the test sees the same ones.
 * Each varies the fabric (leaf-spine, fat-tree, rail-optimized; a few
 * leaves of 2-8 hosts, one or two planes, rates, latency), the workload
 * (permutation, all-to-all, incast, a random flow list, a small
 * collective) and the transport and switches (lb, cc, rx, PFC, ECN, QPs
 * per flow, MTU, RTO, window, ACK coalescing, shared buffer and its
 * threshold, DCQCN parameter set, ECMP seeding, seed). Every case must:
 *  - deliver exactly the bytes offered: every flow finished with all its
 *    bytes placed, and the delivered payload equals the sum of the network
 *    flows' sizes; packet and payload counters agree with it;
 *  - drop nothing when PFC is on (global and per-port counters), unless
 *    sim_config_check refuses the configuration outright, the other honest
 *    answer to a buffer too small for lossless operation;
 *  - finish within a bound derived from the offered load (prop_theory_ps,
 *    prop_bound_ps) and before the hang cap (cfg.stop_ps, prop_cap_ps);
 *  - pass sim_check;
 *  - give byte-identical results when run twice with the same seed: flow
 *    finish times, port counters, global counters, and the files the stats
 *    writer produces (wall-clock fields aside).
 *
 * A failing case prints its configuration, the topology and flow list and
 * the equivalent `fabsim run` command line. Environment: PROP_CASE=N runs
 * case N alone, PROP_CASES=N draws N cases, PROP_SEED=X changes the master
 * seed, PROP_VERBOSE=1 prints every case with its time against the bound
 * (2: and its configuration), PROP_KEEP=1 keeps the result folders.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/cli/load.h"
#include "sim/traffic/coll_sim.h"
#include "sim/fabric/sim.h"
#include "sim/results/stats.h"
#include "sim/traffic/workload.h"

#define PROP_CASES 50
#define PROP_MASTER_SEED 0x70726f7065727479ULL	/* "property" */
#define PROP_MAX_FLOWS 40		/* random flow lists */
#define PROP_BUDGET_BYTES (16ULL << 20)	/* offered bytes per case: 50 cases in ~1 s at -O3 */
#define PROP_NVLINK_BPS 3600000000000ULL	/* fabsim run's defaults */
#define PROP_NVLINK_LAT_PS 1000000ULL
#define PROP_ALARM_S 120		/* wall-clock guard per case (ASan included) */
#define PROP_MAX_TABLE 16		/* entries of the lb and cc tables the coverage test counts */

enum prop_topo { PROP_LEAFSPINE, PROP_FATTREE, PROP_RAILOPT };
enum prop_wl { PROP_PERM, PROP_A2A, PROP_INCAST, PROP_FLOWS, PROP_COLL, PROP_NWL };

static const char *const prop_topo_names[] = { "leafspine", "fattree", "railopt" };
static const char *const prop_wl_names[] = { "permutation", "alltoall", "incast", "flows", "collective" };

struct prop_flow {
	uint32_t src, dst;
	uint64_t bytes, start_ps;
};

struct prop_case {
	uint64_t master;			/* generator seed */
	unsigned idx;
	enum prop_topo topo;
	unsigned leaves, hpl, spines, lps;	/* leafspine (hpl: fattree too) */
	unsigned pods, lpp, aggs, cores;	/* fattree */
	unsigned servers, gpus, lpr;		/* railopt (spines too) */
	unsigned planes, host_gbps, fabric_gbps, latency_ns, cable_m;
	unsigned nhosts;
	enum prop_wl wl;
	uint64_t bytes;				/* per flow / pair / collective size */
	unsigned incast_senders, incast_dst;
	unsigned nflows;
	struct prop_flow flows[PROP_MAX_FLOWS];
	enum coll_kind ckind;
	enum coll_algo calgo;
	unsigned nranks, nchannels, gps;
	uint64_t chunk_bytes;
	enum sim_placement placement;
	struct sim_config cfg;
};

/* One run of a case, kept until the two runs have been compared. */
struct prop_run {
	struct sim *s;
	struct sim_coll_job job;
	int has_job;
	char dir[512];
};

static char prop_tmp[256];
static const struct prop_case *prop_current;
static const struct sim_config *prop_current_cfg;
static unsigned prop_refused;

/* ---------------------------------------------------------------- drawing */

static uint32_t pick(struct sim_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + sim_rng_below(r, hi - lo + 1);
}

static void prop_draw_topo(struct sim_rng *r, struct prop_case *c)
{
	static const unsigned rates[] = { 100, 400, 800 };

	c->topo = (enum prop_topo)sim_rng_below(r, 3);
	c->planes = sim_rng_below(r, 4) ? 1 : 2;
	c->host_gbps = rates[sim_rng_below(r, 3)];
	/* non-blocking, faster or 2:1 oversubscribed fabric links */
	switch (sim_rng_below(r, 3)) {
	case 0: c->fabric_gbps = c->host_gbps; break;
	case 1: c->fabric_gbps = 2 * c->host_gbps; break;
	default: c->fabric_gbps = c->host_gbps / 2; break;
	}
	c->latency_ns = pick(r, 1, 10) * 100;
	c->cable_m = pick(r, 1, 30);
	c->gps = 1;
	switch (c->topo) {
	case PROP_LEAFSPINE:
		c->leaves = pick(r, 1, 4);
		c->hpl = pick(r, 2, 8);
		c->spines = c->leaves == 1 ? sim_rng_below(r, 2) : pick(r, 1, 4);
		c->lps = pick(r, 1, 2);
		c->nhosts = c->leaves * c->hpl;
		break;
	case PROP_FATTREE:
		c->pods = pick(r, 2, 3);
		c->lpp = pick(r, 1, 2);
		c->hpl = pick(r, 2, 4);
		c->aggs = pick(r, 1, 2);
		c->cores = pick(r, 1, 2);
		c->nhosts = c->pods * c->lpp * c->hpl;
		break;
	case PROP_RAILOPT:
		c->servers = pick(r, 2, 4);
		c->gpus = pick(r, 2, 4);
		c->lpr = pick(r, 1, 2);
		c->spines = pick(r, 1, 2);
		c->nhosts = c->servers * c->gpus;
		c->gps = c->gpus;
		break;
	}
}

/* Flow sizes up to MAX, often not multiples of the MTU, down to one byte. */
static uint64_t prop_size(struct sim_rng *r, uint64_t max)
{
	uint64_t bytes;

	if (max < 1)
		max = 1;
	switch (sim_rng_below(r, 4)) {
	case 0:
		bytes = pick(r, 1, 4096);
		break;
	case 1:
		bytes = 4096ULL * pick(r, 1, 64);
		break;
	default:
		bytes = pick(r, 1, (uint32_t)max);
		break;
	}
	return bytes < max ? bytes : max;
}

static void prop_draw_flows(struct sim_rng *r, struct prop_case *c)
{
	c->nflows = pick(r, 1, PROP_MAX_FLOWS);
	for (unsigned i = 0; i < c->nflows; i++) {
		struct prop_flow *f = &c->flows[i];

		f->src = sim_rng_below(r, c->nhosts);
		f->dst = (f->src + pick(r, 1, c->nhosts - 1)) % c->nhosts;
		f->bytes = prop_size(r, PROP_BUDGET_BYTES / c->nflows);
		/* whole nanoseconds, as the flow file writes them */
		f->start_ps = sim_rng_below(r, 4) ? 0 : 1000ULL * pick(r, 1, 20000);
	}
}

static int prop_coll_ok(const struct prop_case *c)
{
	struct coll_params p = {
		.kind = c->ckind, .algo = c->calgo, .nranks = c->nranks, .bytes = c->bytes,
		.elem_bytes = 4, .nchannels = c->nchannels, .chunk_bytes = c->chunk_bytes,
		.gpus_per_server = c->gps,
	};

	return !coll_params_error(&p);
}

static void prop_draw_coll(struct sim_rng *r, struct prop_case *c)
{
	static const uint64_t chunks[] = { 0, 64 << 10, 256 << 10 };
	unsigned max;

	c->ckind = (enum coll_kind)sim_rng_below(r, COLL_ALLTOALL + 1);
	if (c->ckind == COLL_ALLTOALL)
		c->calgo = COLL_ALGO_PAIRWISE;
	else if (c->ckind == COLL_ALLREDUCE)
		c->calgo = (enum coll_algo)sim_rng_below(r, COLL_ALGO_HIER + 1);
	else
		c->calgo = COLL_ALGO_RING;
	/* leaf-spine and fat-tree hosts may pair up into 2-GPU servers */
	if (c->topo != PROP_RAILOPT && sim_rng_below(r, 2))
		c->gps = 2;
	/* a job takes whole servers: at most the GPUs of the whole servers there are */
	max = c->nhosts / c->gps * c->gps;
	if (max > 16)
		max = 16;
	if (max < 2) {
		c->gps = 1;
		max = c->nhosts;
	}
	c->nranks = pick(r, 2, max);
	if (c->calgo == COLL_ALGO_HIER) {
		c->nranks -= c->nranks % c->gps;
		if (c->nranks < 2 * c->gps)
			c->nranks = 2 * c->gps <= max ? 2 * c->gps : c->gps;
		if (c->nranks < 2)
			c->nranks = 2;
	}
	c->nchannels = pick(r, 1, 2);
	c->chunk_bytes = chunks[sim_rng_below(r, 3)];
	c->placement = (enum sim_placement)sim_rng_below(r, 2);
	c->bytes = 4ULL * pick(r, 1, 65536);
	/* an algorithm this rank count does not support falls back to the usual one */
	if (!prop_coll_ok(c))
		c->calgo = coll_default_algo(c->ckind);
}

static void prop_draw_workload(struct sim_rng *r, struct prop_case *c)
{
	uint64_t pairs = (uint64_t)c->nhosts * (c->nhosts - 1);

	c->wl = (enum prop_wl)sim_rng_below(r, PROP_NWL);
	switch (c->wl) {
	case PROP_PERM:
		c->bytes = prop_size(r, PROP_BUDGET_BYTES / c->nhosts);
		break;
	case PROP_A2A:
		c->bytes = prop_size(r, PROP_BUDGET_BYTES / pairs);
		break;
	case PROP_INCAST:
		c->incast_senders = pick(r, 1, c->nhosts - 1);
		c->incast_dst = sim_rng_below(r, c->nhosts);
		c->bytes = prop_size(r, PROP_BUDGET_BYTES / c->incast_senders);
		break;
	case PROP_FLOWS:
		prop_draw_flows(r, c);
		break;
	default:
		prop_draw_coll(r, c);
		break;
	}
}

static void prop_draw_transport(struct sim_rng *r, struct prop_case *c)
{
	static const uint32_t mtus[] = { 0, 0, 1024, 2048 };
	static const uint64_t rtos_us[] = { 20, 100, 500 };
	static const uint32_t acks[] = { 1, 4, 4, 16 };
	static const uint64_t bufs[] = { 0, 0, 4000000, 1000000, 250000 };
	static const double alphas[] = { 1, 1, 0, 8 };	/* 0: static per-port share */
	struct sim_config *cfg = &c->cfg;

	sim_config_defaults(cfg);
	cfg->seed = sim_rng_next(r) >> 33;	/* fits --seed's uint32 */
	/* every entry of each table, so that a new one is tested too */
	cfg->lb = (enum sim_lb)sim_rng_below(r, sim_lb_count());
	cfg->cc = (enum sim_cc)sim_rng_below(r, sim_cc_count());
	cfg->rx = (enum sim_rx_mode)sim_rng_below(r, SIM_RX_COUNT);
	cfg->pfc = sim_rng_below(r, 3) != 0;
	cfg->ecn = sim_rng_below(r, 4) != 0;
	cfg->qps_per_flow = pick(r, 1, 4);
	cfg->mtu_bytes = mtus[sim_rng_below(r, 4)];
	cfg->rto_ps = rtos_us[sim_rng_below(r, 3)] * 1000000;
	cfg->ack_every = acks[sim_rng_below(r, 4)];
	switch (sim_rng_below(r, 4)) {
	case 0: cfg->window_bytes = SIM_WINDOW_UNLIMITED; break;
	case 1: cfg->window_bytes = 64 << 10; break;
	default: cfg->window_bytes = 0; break;
	}
	/* the topology's 64 MB, or a small shared buffer that PFC must cope with */
	cfg->buffer_bytes = bufs[sim_rng_below(r, 5)];
	cfg->buffer_alpha = alphas[sim_rng_below(r, 4)];
	cfg->dcqcn_params = (int)sim_rng_below(r, 2);
	cfg->ecmp_same_seed = !sim_rng_below(r, 8);
}

static void prop_draw(uint64_t master, unsigned idx, struct prop_case *c)
{
	struct sim_rng r;

	memset(c, 0, sizeof(*c));
	/* each case from its own stream: PROP_CASE=N reproduces N alone */
	sim_rng_seed(&r, master ^ sim_mix64(idx + 1));
	c->master = master;
	c->idx = idx;
	prop_draw_topo(&r, c);
	prop_draw_workload(&r, c);
	prop_draw_transport(&r, c);
}

/* ---------------------------------------------------------------- printing */

static void prop_topo_text(const struct prop_case *c, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "name = \"prop%u\";\nswitch = { latency_ns = %u; buffer_mb = 64; };\n"
			 "fabric = { kind = \"%s\"; planes = %u; host_rate = \"%uG\"; fabric_rate = \"%uG\";\n"
			 "  cable_m = %u.0;\n  ", c->idx, c->latency_ns, prop_topo_names[c->topo], c->planes,
			 c->host_gbps, c->fabric_gbps, c->cable_m);

	switch (c->topo) {
	case PROP_LEAFSPINE:
		snprintf(buf + n, len - n, "leaves = %u; hosts_per_leaf = %u; spines = %u; links_per_spine = %u; };\n",
			 c->leaves, c->hpl, c->spines, c->lps);
		break;
	case PROP_FATTREE:
		snprintf(buf + n, len - n,
			 "pods = %u; leaves_per_pod = %u; hosts_per_leaf = %u; aggs_per_pod = %u; cores_per_group = %u; };\n",
			 c->pods, c->lpp, c->hpl, c->aggs, c->cores);
		break;
	case PROP_RAILOPT:
		snprintf(buf + n, len - n, "servers = %u; gpus_per_server = %u; leaves_per_rail = %u; spines = %u; };\n",
			 c->servers, c->gpus, c->lpr, c->spines);
		break;
	}
}

static void prop_flows_path(const struct prop_case *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/case%u.flows", prop_tmp, c->idx);
}

static void prop_time(uint64_t ps, char *buf, size_t len)
{
	snprintf(buf, len, "%luns", (unsigned long)(ps / 1000));
}

/* The fabsim command line that runs the same configuration (CFG: as run). */
static void prop_cmdline(const struct prop_case *c, const struct sim_config *cfg, FILE *out)
{
	char rto[32];

	prop_time(cfg->rto_ps, rto, sizeof(rto));
	fprintf(out, "fabsim run -t prop.topo -S %lu", (unsigned long)cfg->seed);
	switch (c->wl) {
	case PROP_PERM:
	case PROP_A2A:
		fprintf(out, " -w %s -s %lu", prop_wl_names[c->wl], (unsigned long)c->bytes);
		break;
	case PROP_INCAST:
		fprintf(out, " -w incast -s %lu --incast-senders %u --incast-dst %u", (unsigned long)c->bytes,
			c->incast_senders, c->incast_dst);
		break;
	case PROP_FLOWS:
		fprintf(out, " -f prop.flows");
		break;
	default:
		fprintf(out, " -w %s -a %s -n %u -s %lu --channels %u --chunk %lu --gpus-per-server %u --placement %s",
			coll_kind_name(c->ckind), coll_algo_name(c->calgo),
			c->nranks, (unsigned long)c->bytes, c->nchannels,
			(unsigned long)(c->chunk_bytes ? c->chunk_bytes : 1ULL << 40), c->gps,
			sim_placement_name(c->placement));
		break;
	}
	fprintf(out, " -l %s -c %s -r %s -q %u --rto %s --ack-every %u%s%s", sim_lb_name(cfg->lb),
		sim_cc_name(cfg->cc), sim_rx_name(cfg->rx), cfg->qps_per_flow, rto, cfg->ack_every,
		cfg->pfc ? "" : " --no-pfc", cfg->ecn ? "" : " --no-ecn");
	if (cfg->mtu_bytes)
		fprintf(out, " --mtu %u", cfg->mtu_bytes);
	if (cfg->window_bytes == SIM_WINDOW_UNLIMITED)
		fprintf(out, " --window unlimited");
	else if (cfg->window_bytes)
		fprintf(out, " --window %lu", (unsigned long)cfg->window_bytes);
	if (cfg->buffer_bytes)
		fprintf(out, " --buffer %lu", (unsigned long)cfg->buffer_bytes);
	fprintf(out, " --alpha %g --dcqcn-params %s%s\n", cfg->buffer_alpha, cfg->dcqcn_params ? "mellanox" : "paper",
		cfg->ecmp_same_seed ? " --same-seed" : "");
}

static void prop_print(const struct prop_case *c, const struct sim_config *cfg, FILE *out)
{
	char text[1024];

	fprintf(out, "property case %u (reproduce: PROP_CASE=%u", c->idx, c->idx);
	if (c->master != PROP_MASTER_SEED)
		fprintf(out, " PROP_SEED=%#lx", (unsigned long)c->master);
	fprintf(out, "): %s, %u hosts, workload %s\n", prop_topo_names[c->topo], c->nhosts, prop_wl_names[c->wl]);
	prop_topo_text(c, text, sizeof(text));
	fprintf(out, "--- prop.topo\n%s---\n", text);
	if (c->wl == PROP_FLOWS) {
		fprintf(out, "--- prop.flows\n");
		for (unsigned i = 0; i < c->nflows; i++)
			fprintf(out, "%u %u %lu %luns\n", c->flows[i].src, c->flows[i].dst,
				(unsigned long)c->flows[i].bytes, (unsigned long)(c->flows[i].start_ps / 1000));
		fprintf(out, "---\n");
	}
	if (cfg->buffer_bytes != c->cfg.buffer_bytes)
		fprintf(out, "(--buffer %lu was refused; the run used the topology's buffer)\n",
			(unsigned long)c->cfg.buffer_bytes);
	prop_cmdline(c, cfg, out);
}

static void prop_alarm(int sig)
{
	static const char msg[] = "test_property: a case ran past the wall-clock guard (hang?)\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	if (prop_current)
		prop_print(prop_current, prop_current_cfg, stderr);
	_exit(1);
}

/* ---------------------------------------------------------------- setup */

static int prop_write_flows(const struct prop_case *c)
{
	char path[512];
	FILE *f;

	prop_flows_path(c, path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# property case %u\n", c->idx);
	for (unsigned i = 0; i < c->nflows; i++)
		fprintf(f, "%u %u %lu %luns\n", c->flows[i].src, c->flows[i].dst, (unsigned long)c->flows[i].bytes,
			(unsigned long)(c->flows[i].start_ps / 1000));
	return fclose(f);
}

static int prop_add_workload(const struct prop_case *c, struct prop_run *run)
{
	struct sim_workload_params w = { .bytes = c->bytes, .seed = c->cfg.seed };
	struct sim_coll_job *j = &run->job;
	struct sim_topo *t = run->s->topo;
	char path[512];
	uint8_t *used;
	int rc;

	switch (c->wl) {
	case PROP_PERM:
		w.kind = SIM_WL_PERMUTATION;
		return sim_workload_add(run->s, &w, NULL, 0);
	case PROP_A2A:
		w.kind = SIM_WL_ALLTOALL;
		return sim_workload_add(run->s, &w, NULL, 0);
	case PROP_INCAST:
		w.kind = SIM_WL_INCAST;
		w.incast_senders = c->incast_senders;
		w.incast_dst = c->incast_dst;
		return sim_workload_add(run->s, &w, NULL, 0);
	case PROP_FLOWS:
		prop_flows_path(c, path, sizeof(path));
		w.kind = SIM_WL_FLOWS;
		w.flows_path = path;
		return sim_workload_add(run->s, &w, NULL, 0);
	default:
		break;
	}
	/* as fabsim run does for one job */
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "main");
	j->kind = c->ckind;
	j->algo = c->calgo;
	j->nranks = c->nranks;
	j->bytes = c->bytes;
	j->elem_bytes = 4;
	j->nchannels = c->nchannels;
	j->chunk_bytes = c->chunk_bytes;
	j->gpus_per_server = c->gps;
	j->placement = c->placement;
	j->nvlink_bps = PROP_NVLINK_BPS;
	j->nvlink_lat_ps = PROP_NVLINK_LAT_PS;
	used = calloc(t->nhosts, 1);
	if (!used)
		return -1;
	run->has_job = 1;
	rc = sim_coll_place(t, j, used, c->cfg.seed, NULL, 0);
	if (!rc)
		rc = sim_coll_add(run->s, j, NULL, 0);
	free(used);
	return rc;
}

static void prop_run_free(struct prop_run *run)
{
	sim_destroy(run->s);
	run->s = NULL;
	if (run->has_job)
		free(run->job.rank_host);
	run->has_job = 0;
}

/* ---------------------------------------------------------------- theory */

/* What the bound needs to know about the fabric. */
struct prop_fabric {
	uint64_t host_bps;	/* NIC port rate */
	uint64_t min_bps;	/* slowest link anywhere */
	uint64_t fabric_bps;	/* slowest switch-to-switch link */
	uint64_t rtt_ps;	/* data out and ACK back over the longest path */
	uint32_t npods;
};

static void prop_fabric(const struct sim *s, uint32_t mtu, struct prop_fabric *fb)
{
	const struct sim_topo *t = s->topo;
	uint64_t max_delay = 0, one_way;
	uint32_t links = 2 * t->ntiers;

	memset(fb, 0, sizeof(*fb));
	fb->host_bps = sim_topo_nic_bps(t, t->hosts[0]);
	fb->min_bps = fb->fabric_bps = UINT64_MAX;
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_port *p = &t->ports[i];
		int fabric = t->nodes[p->node].kind == SIM_NODE_SWITCH &&
			     t->nodes[t->ports[p->peer].node].kind == SIM_NODE_SWITCH;

		if (p->rate_bps < fb->min_bps)
			fb->min_bps = p->rate_bps;
		if (fabric && p->rate_bps < fb->fabric_bps)
			fb->fabric_bps = p->rate_bps;
		if (p->delay_ps > max_delay)
			max_delay = p->delay_ps;
	}
	if (fb->fabric_bps == UINT64_MAX)
		fb->fabric_bps = fb->host_bps;
	for (uint32_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].pod + 1 > fb->npods)
			fb->npods = t->nodes[i].pod + 1;
	/* host, up ntiers - 1 links, down as many, host: 2 x ntiers links */
	one_way = links * (sim_ser_ps(sim_wire_bytes(mtu, SIM_PKT_DATA), fb->min_bps) + max_delay) +
		  (links - 1) * t->sw.latency_ps;
	fb->rtt_ps = 2 * one_way;
}

/* Wire bytes of QP k's share of flow F (all its packets, headers and gaps). */
static uint64_t prop_qp_wire(uint64_t flow_bytes, uint32_t nq, uint32_t k, uint32_t mtu, uint64_t *npkts)
{
	uint64_t share = flow_bytes / nq + (k < flow_bytes % nq ? 1 : 0);
	uint64_t full = share / mtu, rest = share % mtu;

	*npkts = full + (rest ? 1 : 0);
	return full * sim_wire_bytes(mtu, SIM_PKT_DATA) + (rest ? sim_wire_bytes((uint32_t)rest, SIM_PKT_DATA) : 0);
}

/* Per-level loads, indexed by node id (hosts, leaves) or plane x pod. */
struct prop_load {
	uint64_t *host_tx, *host_rx, *leaf_up, *leaf_down, *pod_out, *pod_in;
	uint64_t *local_tx;	/* NVLink-class bytes per source host */
	uint64_t *conn;		/* bytes per (src, dst, QP slot) connection */
};

static void prop_load_add(const struct sim *s, const struct prop_fabric *fb, struct prop_load *l,
			  const struct sim_flow *f, uint32_t mtu)
{
	const struct sim_topo *t = s->topo;
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1, n = t->nhosts;
	uint32_t ack = (uint32_t)sim_wire_bytes(SIM_MAX_HOPS * SIM_INT_HOP_BYTES, SIM_PKT_ACK);

	if (f->local) {
		l->local_tx[f->src] += f->bytes;
		return;
	}
	for (uint32_t k = 0; k < nq; k++) {
		uint32_t plane = k % t->nplanes;
		uint32_t la = sim_topo_host_leaf(t, f->src, plane), lb = sim_topo_host_leaf(t, f->dst, plane);
		uint32_t pa = plane * fb->npods + t->nodes[la].pod, pb = plane * fb->npods + t->nodes[lb].pod;
		uint64_t npkts, w = prop_qp_wire(f->bytes, nq, k, mtu, &npkts);
		/* at worst every data packet is answered by its own ACK (with telemetry) */
		uint64_t back = npkts * ack;

		l->host_tx[f->src] += w;
		l->host_rx[f->dst] += w;
		l->host_tx[f->dst] += back;
		l->host_rx[f->src] += back;
		l->conn[((uint64_t)f->src * n + f->dst) * nq + k] += f->bytes / nq + (k < f->bytes % nq);
		if (la == lb)
			continue;
		l->leaf_up[la] += w;
		l->leaf_down[lb] += w;
		l->leaf_up[lb] += back;
		l->leaf_down[la] += back;
		if (pa == pb)
			continue;
		l->pod_out[pa] += w;
		l->pod_in[pb] += w;
		l->pod_out[pb] += back;
		l->pod_in[pa] += back;
	}
}

static uint64_t prop_max(const uint64_t *v, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static uint64_t prop_xfer_ps(uint64_t bytes, uint64_t bps)
{
	return bytes ? sim_ser_ps(bytes, bps) : 0;
}

/*
 * Time one dependency level needs, from the fluid model of a feed-forward
 * network: up-down routing crosses the stages host NIC, leaf uplink, pod
 * uplink (fat-tree), pod downlink, leaf downlink, host NIC in that order.
 * With every link work-conserving and all of a level's traffic present at
 * its start, stage 1 has sent everything by its busiest link's drain time
 * T1; stage k receives nothing after T1 + ... + T(k-1) and then drains
 * within Tk, so the level is done by T1 + ... + T6. The busiest link is
 * taken at its worst: every byte that leaves a leaf (or pod) on one uplink
 * of the slowest fabric rate, as if hashing put every flow on one path;
 * ACKs in the reverse direction count at one per data packet. On top: a
 * connection whose bytes exceed its window waits one round trip per
 * further window (the window-closing packet asks for an immediate ACK);
 * the last packet takes one one-way latency; NVLink-class copies
 * serialize on their GPU's local link and then take its latency.
 */
static uint64_t prop_level_ps(const struct sim *s, const struct prop_fabric *fb, const struct prop_load *l,
			      uint64_t window)
{
	const struct sim_topo *t = s->topo;
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1;
	size_t npods = (size_t)fb->npods * t->nplanes;
	uint64_t win = 0, stages, maxconn;

	stages = prop_xfer_ps(prop_max(l->host_tx, t->nhosts), fb->host_bps) +
		 prop_xfer_ps(prop_max(l->leaf_up, t->nnodes), fb->fabric_bps) +
		 prop_xfer_ps(prop_max(l->pod_out, npods), fb->fabric_bps) +
		 prop_xfer_ps(prop_max(l->pod_in, npods), fb->fabric_bps) +
		 prop_xfer_ps(prop_max(l->leaf_down, t->nnodes), fb->fabric_bps) +
		 prop_xfer_ps(prop_max(l->host_rx, t->nhosts), fb->host_bps);
	maxconn = prop_max(l->conn, (size_t)t->nhosts * t->nhosts * nq);
	/* the first window goes at once, each further one waits for an ACK */
	if (maxconn > window)
		win = (maxconn - 1) / window * fb->rtt_ps;
	return stages + win + fb->rtt_ps / 2 + prop_xfer_ps(prop_max(l->local_tx, t->nhosts), PROP_NVLINK_BPS) +
	       PROP_NVLINK_LAT_PS * (prop_max(l->local_tx, t->nhosts) > 0);
}

/*
 * The no-loss, no-congestion-control completion time of the whole run:
 * flows grouped into dependency levels (a collective's chain; one level
 * for independent flows), each level given prop_level_ps after the last
 * one, plus the latest start of a flow.
 */
static uint64_t prop_theory_ps(const struct sim *s, uint32_t mtu, uint64_t window)
{
	const struct sim_topo *t = s->topo;
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1, *level, nlevels = 0;
	size_t nn = t->nnodes, np, nconn = (size_t)t->nhosts * t->nhosts * nq;
	struct prop_fabric fb;
	struct prop_load l;
	uint64_t *arena, total = 0, start = 0;
	size_t words;

	prop_fabric(s, mtu, &fb);
	np = (size_t)fb.npods * t->nplanes;
	words = 4 * nn + 2 * np + t->nhosts + nconn;
	level = calloc(s->nflows, sizeof(*level));
	arena = calloc(words, sizeof(*arena));
	assert_non_null(level);
	assert_non_null(arena);
	l.host_tx = arena;
	l.host_rx = l.host_tx + nn;
	l.leaf_up = l.host_rx + nn;
	l.leaf_down = l.leaf_up + nn;
	l.pod_out = l.leaf_down + nn;
	l.pod_in = l.pod_out + np;
	l.local_tx = l.pod_in + np;
	l.conn = l.local_tx + t->nhosts;
	/* dependencies always point forward (schedule order): the lazy sources' successor lists */
	for (uint32_t k = 0; k < s->nsrcs; k++) {
		const struct sim_src *src = s->srcs[k];

		for (uint64_t a = 0; a < src->count; a++) {
			uint64_t out[64], fa = src->first_id + a;
			uint32_t n, from = 0;

			do {
				n = src->ops->succ(src, a, from, out, 64);
				for (uint32_t i = 0; i < n; i++)
					if (level[fa] + 1 > level[src->first_id + out[i]])
						level[src->first_id + out[i]] = level[fa] + 1;
				from += n;
			} while (n == 64);
		}
	}
	for (uint32_t i = 0; i < s->nflows; i++) {
		struct sim_flow tmp;

		if (level[i] + 1 > nlevels)
			nlevels = level[i] + 1;
		/* dependent flows' start_ps is rewritten when they start */
		if (!level[i] && sim_flow_get(s, i, &tmp)->start_ps > start)
			start = sim_flow_get(s, i, &tmp)->start_ps;
	}
	for (uint32_t lv = 0; lv < nlevels; lv++) {
		memset(arena, 0, words * sizeof(*arena));
		for (uint32_t i = 0; i < s->nflows; i++) {
			struct sim_flow tmp;

			if (level[i] == lv)
				prop_load_add(s, &fb, &l, sim_flow_get(s, i, &tmp), mtu);
		}
		total += prop_level_ps(s, &fb, &l, window);
	}
	free(arena);
	free(level);
	return start + total;
}

/* ---------------------------------------------------------------- checks */

struct prop_err {
	char msg[768];
	int n;
};

static void __attribute__((format(printf, 2, 3))) prop_fail(struct prop_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n++)
		return;	/* the first violation is the one to read */
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/*
 * Counters against what the configuration allows: every packet of every
 * QP sent once plus the retransmissions, the NICs' data payload equal to
 * the offered bytes when nothing was resent, and no PAUSE, mark or CNP
 * from a mechanism that is off.
 */
static void prop_check_counters(const struct prop_case *c, const struct sim *s, uint64_t offered,
				struct prop_err *e)
{
	uint64_t npkts = 0, nic_payload = 0;

	for (uint32_t q = 0; q < s->nqps; q++)
		npkts += sim_qp_at(s, q)->npkts;
	for (uint32_t h = 0; h < s->topo->nhosts; h++) {
		const struct sim_node *n = &s->topo->nodes[s->topo->hosts[h]];

		for (uint32_t k = 0; k < n->nports; k++)
			nic_payload += s->pq[n->first_port + k].tx_payload_bytes;
	}
	if (s->c.data_pkts != npkts + s->c.retx_pkts)
		prop_fail(e, "%lu data packets sent, expected %lu new + %lu retransmitted",
			  (unsigned long)s->c.data_pkts, (unsigned long)npkts, (unsigned long)s->c.retx_pkts);
	if (nic_payload < offered || (!s->c.retx_pkts && nic_payload != offered) ||
	    nic_payload > offered + s->c.retx_pkts * s->mtu_bytes)
		prop_fail(e, "NICs sent %lu payload bytes for %lu offered and %lu packets resent",
			  (unsigned long)nic_payload, (unsigned long)offered, (unsigned long)s->c.retx_pkts);
	if (!c->cfg.pfc && s->c.pauses)
		prop_fail(e, "PFC off, yet %lu PAUSE frames", (unsigned long)s->c.pauses);
	if (!c->cfg.ecn && s->c.ecn_marks)
		prop_fail(e, "ECN off, yet %lu packets marked", (unsigned long)s->c.ecn_marks);
	if ((!c->cfg.ecn || c->cfg.cc != SIM_CC_DCQCN) && s->c.cnps)
		prop_fail(e, "%lu CNPs without ECN and DCQCN both on", (unsigned long)s->c.cnps);
}

/* Exactly the bytes offered, every flow finished, nothing lost with PFC. */
static void prop_check_delivery(const struct prop_case *c, const struct sim *s, struct prop_err *e)
{
	uint64_t offered = 0, port_drops = 0;
	char err[256];

	if (s->deadlock)
		prop_fail(e, "stopped by a PFC deadlock with %llu of %llu flows done", (unsigned long long)s->flows_done,
			  (unsigned long long)s->nflows);
	if (s->stalled)
		prop_fail(e, "stalled: nothing left to do with %llu of %llu flows done", (unsigned long long)s->flows_done,
			  (unsigned long long)s->nflows);
	if (s->flows_done != s->nflows)
		prop_fail(e, "%llu of %llu flows finished by the hang cap %.1f us (sim time %.1f us)",
			  (unsigned long long)s->flows_done, (unsigned long long)s->nflows, s->cfg.stop_ps * 1e-6, sim_now(s) * 1e-6);
	for (uint32_t i = 0; i < s->nflows; i++) {
		struct sim_flow tmp;
		const struct sim_flow *f = sim_flow_get(s, i, &tmp);

		if (!f->local)
			offered += f->bytes;
		/* a local copy at time 0 finishes at 0, indistinguishable from never */
		if (!f->local && !f->finish_ps)
			prop_fail(e, "flow %u (%u->%u, %lu bytes) never finished", i, f->src, f->dst,
				  (unsigned long)f->bytes);
		if (f->rx_bytes != f->bytes)
			prop_fail(e, "flow %u (%u->%u) placed %lu of %lu bytes", i, f->src, f->dst,
				  (unsigned long)f->rx_bytes, (unsigned long)f->bytes);
		if (f->finish_ps && f->finish_ps < f->start_ps)
			prop_fail(e, "flow %u finished at %lu ps before its start %lu ps", i,
				  (unsigned long)f->finish_ps, (unsigned long)f->start_ps);
	}
	if (s->c.delivered_bytes != offered)
		prop_fail(e, "delivered %lu payload bytes, offered %lu", (unsigned long)s->c.delivered_bytes,
			  (unsigned long)offered);
	for (uint32_t i = 0; i < s->topo->nports; i++)
		port_drops += s->pst[i].drops;
	if (port_drops != s->c.drops)
		prop_fail(e, "ports count %lu drops, the run %lu", (unsigned long)port_drops,
			  (unsigned long)s->c.drops);
	if (c->cfg.pfc && s->c.drops)
		prop_fail(e, "PFC on, yet %lu packets dropped", (unsigned long)s->c.drops);
	/* ddp never NAKs: it retransmits only after a timeout */
	if (c->cfg.rx == SIM_RX_DDP && (s->c.naks || (!s->c.timeouts && s->c.retx_pkts)))
		prop_fail(e, "ddp: %lu NAKs, %lu retransmits, %lu timeouts", (unsigned long)s->c.naks,
			  (unsigned long)s->c.retx_pkts, (unsigned long)s->c.timeouts);
	/* one path per QP: without loss nothing overtakes, so go-back-N never NAKs */
	if (c->cfg.lb == SIM_LB_ECMP && !s->c.drops && (s->c.ooo_pkts || s->c.naks))
		prop_fail(e, "ECMP without loss: %lu packets out of order, %lu NAKs", (unsigned long)s->c.ooo_pkts,
			  (unsigned long)s->c.naks);
	prop_check_counters(c, s, offered, e);
	if (sim_check(s, err, sizeof(err)))
		prop_fail(e, "sim_check: %s", err);
}

static uint64_t prop_last_finish(const struct sim *s)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < s->nflows; i++) {
		struct sim_flow tmp;
		const struct sim_flow *f = sim_flow_get(s, i, &tmp);

		if (f->finish_ps > end)
			end = f->finish_ps;
	}
	return end;
}

/*
 * The run's bound: prop_theory_ps with the window the run really used,
 * times a factor for what the fluid model leaves out, plus the cost of
 * every recovery the run reports. Factor: 2 without congestion control
 * (PFC head-of-line blocking and pause round trips idle links the fluid
 * model counts as busy); DCQCN cuts a rate by at most half per decrease
 * period and recovers geometrically, telemetry aims below line rate
 * (eta): 8 for both. Recovery: each timeout idles its QP for at most one
 * RTO, each NAK costs one round trip, and each retransmitted packet one
 * MTU frame on the slowest link, as if none of them overlapped.
 */
static uint64_t prop_bound_ps(const struct sim *s, uint64_t *theory)
{
	uint32_t mtu = s->mtu_bytes;
	struct prop_fabric fb;
	uint64_t factor = s->cfg.cc == SIM_CC_NONE ? 2 : 8, recovery;

	prop_fabric(s, mtu, &fb);
	*theory = prop_theory_ps(s, mtu, s->window_bytes);
	recovery = s->c.timeouts * s->cfg.rto_ps + s->c.naks * (fb.rtt_ps + s->cfg.ack_delay_ps) +
		   s->c.retx_pkts * sim_ser_ps(sim_wire_bytes(mtu, SIM_PKT_DATA), fb.min_bps);
	return factor * *theory + recovery;
}

/*
 * The hang cap, before the run: the theory with the smallest window the
 * run can choose (ack_every packets), times 1024 with DCQCN, whose rate
 * floor is 1/1000 of line rate, or 64 otherwise, plus 256 RTOs for loss.
 */
static uint64_t prop_cap_ps(const struct sim *s)
{
	uint32_t mtu = s->mtu_bytes;
	uint64_t window = s->cfg.window_bytes;

	if (!window)
		window = s->cfg.cc == SIM_CC_DCQCN ? SIM_WINDOW_UNLIMITED : (uint64_t)mtu * s->cfg.ack_every;
	return (s->cfg.cc == SIM_CC_DCQCN ? 1024 : 64) * prop_theory_ps(s, mtu, window) + 256 * s->cfg.rto_ps;
}

/* ---------------------------------------------------------------- determinism */

static char *prop_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out_close;
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf) {
		buf[n] = 0;
		*len = (size_t)n;
	}
out_close:
	fclose(f);
	return buf;
}

/* Cuts the values of wall-clock fields ("wall_s": 0.01,) out, in place. */
static size_t prop_cut_wall(char *json, size_t len)
{
	static const char *const keys[] = { "\"wall_s\":", "\"events_per_s\":", "\"peak_rss_kb\":" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char *p = strstr(json, keys[k]), *end;

		if (!p)
			continue;
		p += strlen(keys[k]);
		end = p + strcspn(p, ",\n}");
		memmove(p, end, len + 1 - (size_t)(end - json));
		len -= (size_t)(end - p);
	}
	return len;
}

static void prop_compare_file(const char *a_dir, const char *b_dir, const char *name, struct prop_err *e)
{
	char pa[600], pb[600];
	size_t la = 0, lb = 0;
	char *a, *b;

	snprintf(pa, sizeof(pa), "%s/%s", a_dir, name);
	snprintf(pb, sizeof(pb), "%s/%s", b_dir, name);
	a = prop_slurp(pa, &la);
	b = prop_slurp(pb, &lb);
	if (!a || !b) {
		prop_fail(e, "stats writer left no %s", name);
	} else {
		if (!strcmp(name, "summary.json")) {
			la = prop_cut_wall(a, la);
			lb = prop_cut_wall(b, lb);
		}
		if (la != lb || memcmp(a, b, la))
			prop_fail(e, "%s differs between two runs with the same seed", name);
	}
	free(a);
	free(b);
}

static void prop_compare(const struct prop_run *a, const struct prop_run *b, struct prop_err *e)
{
	static const char *const files[] = { "flows.csv", "links.csv", "summary.json" };
	const struct sim *x = a->s, *y = b->s;

	if (x->nflows != y->nflows) {
		prop_fail(e, "second run has %llu flows, the first %llu", (unsigned long long)y->nflows,
			  (unsigned long long)x->nflows);
		return;
	}
	for (uint32_t i = 0; i < x->nflows; i++) {
		struct sim_flow tx, ty;
		const struct sim_flow *fx = sim_flow_get(x, i, &tx), *fy = sim_flow_get(y, i, &ty);

		if (fx->finish_ps != fy->finish_ps || fx->start_ps != fy->start_ps || fx->ooo_pkts != fy->ooo_pkts ||
		    fx->rx_bytes != fy->rx_bytes)
			prop_fail(e, "flow %u: finish %lu ps, then %lu ps with the same seed", i,
				  (unsigned long)fx->finish_ps, (unsigned long)fy->finish_ps);
	}
	for (uint32_t i = 0; i < x->topo->nports; i++) {
		const struct sim_portq *p = &x->pq[i], *q = &y->pq[i];
		const struct sim_portq_stats *ps = &x->pst[i], *qs = &y->pst[i];

		if (p->tx_bytes != q->tx_bytes || p->tx_payload_bytes != q->tx_payload_bytes ||
		    p->max_qbytes != q->max_qbytes || ps->drops != qs->drops || ps->ecn_marks != qs->ecn_marks ||
		    ps->pauses_sent != qs->pauses_sent || ps->pauses_rcvd != qs->pauses_rcvd ||
		    ps->paused_ps != qs->paused_ps || p->q_integral != q->q_integral)
			prop_fail(e, "port %u counters differ between two runs with the same seed", i);
	}
	if (memcmp(&x->c, &y->c, sizeof(x->c)) || sim_now(x) != sim_now(y))
		prop_fail(e, "run counters differ between two runs with the same seed (events %lu vs %lu)",
			  (unsigned long)x->c.events, (unsigned long)y->c.events);
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
		prop_compare_file(a->dir, b->dir, files[k], e);
}

/* ---------------------------------------------------------------- one case */

static void prop_rm_dir(const char *dir)
{
	DIR *d;
	struct dirent *de;
	char path[1024];

	if (getenv("PROP_KEEP"))
		return;	/* leave the result files for a look */
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * Builds and runs one copy of the case. Returns 1 when sim_create refused
 * the configuration (after which the caller retries with the topology's
 * buffer), 0 when it ran, and fails the test on anything else.
 */
static int prop_run_once(const struct prop_case *c, struct sim_topo *t, const struct sim_config *cfg,
			 struct prop_run *run, unsigned copy, uint64_t *cap, struct prop_err *e)
{
	struct sim_results r;
	char err[256];

	memset(run, 0, sizeof(*run));
	snprintf(run->dir, sizeof(run->dir), "%s/case%u-%u", prop_tmp, c->idx, copy);
	if (sim_config_check(t, cfg, err, sizeof(err))) {
		if (!err[0])
			prop_fail(e, "sim_config_check refused without saying why");
		return 1;
	}
	run->s = sim_create(t, cfg);
	if (!run->s) {
		prop_fail(e, "sim_create failed on a configuration sim_config_check accepted");
		return -1;
	}
	if (prop_add_workload(c, run)) {
		prop_fail(e, "the workload could not be added");
		return -1;
	}
	/* the cap needs the flows and dependencies, which the run then uses as is */
	if (!*cap)
		*cap = prop_cap_ps(run->s);
	run->s->cfg.stop_ps = *cap;
	run->s->keep_flows = 1;
	if (sim_run(run->s)) {
		prop_fail(e, "sim_run failed: %s", sim_error(run->s));
		return -1;
	}
	sim_results_compute(run->s, &r);
	if (sim_results_write(run->s, &r, run->dir, "test_property", err, sizeof(err)))
		prop_fail(e, "stats writer could not write %s: %s", run->dir, err);
	return 0;
}

/* Runs case C twice and checks every property; 0, or 1 after printing why not. */
static int prop_case_run(const struct prop_case *c, int verbose)
{
	struct prop_run a, b;
	struct prop_err e = { .n = 0 };
	struct sim_config cfg = c->cfg;
	struct sim_topo *t;
	char text[1024];
	uint64_t cap = 0, bound = 0, theory = 0, end = 0;
	int rc;

	prop_current = c;
	prop_current_cfg = &cfg;
	alarm(PROP_ALARM_S);
	prop_topo_text(c, text, sizeof(text));
	t = sim_topo_load_string(text, "prop.topo");
	if (!t) {
		prop_print(c, &cfg, stderr);
		fprintf(stderr, "case %u: the topology does not load\n", c->idx);
		return 1;
	}
	if (c->wl == PROP_FLOWS)
		assert_int_equal(prop_write_flows(c), 0);
	rc = prop_run_once(c, t, &cfg, &a, 0, &cap, &e);
	if (rc == 1 && cfg.buffer_bytes) {
		/* refusing a buffer too small for lossless PFC is honest; the
		 * topology's 64 MB must then be accepted */
		prop_refused++;
		cfg.buffer_bytes = 0;
		rc = prop_run_once(c, t, &cfg, &a, 0, &cap, &e);
	}
	if (rc == 1) {
		char err[256];

		sim_config_check(t, &cfg, err, sizeof(err));
		prop_fail(&e, "sim_config_check refused: %s", err);
	}
	if (!rc) {
		prop_check_delivery(c, a.s, &e);
		end = prop_last_finish(a.s);
		bound = prop_bound_ps(a.s, &theory);
		if (end > bound)
			prop_fail(&e, "last flow finished at %.2f us, past the bound %.2f us (theory %.2f us; "
				  "timeouts %lu, NAKs %lu, retransmits %lu, drops %lu, pauses %lu)",
				  end * 1e-6, bound * 1e-6, theory * 1e-6, (unsigned long)a.s->c.timeouts,
				  (unsigned long)a.s->c.naks, (unsigned long)a.s->c.retx_pkts,
				  (unsigned long)a.s->c.drops, (unsigned long)a.s->c.pauses);
		if (!prop_run_once(c, t, &cfg, &b, 1, &cap, &e))
			prop_compare(&a, &b, &e);
		prop_run_free(&b);
		prop_rm_dir(b.dir);
	}
	if (verbose > 1)
		prop_print(c, &cfg, stderr);
	if (verbose && a.s)
		fprintf(stderr, "case %2u %-9s %-11s %3u hosts %4llu flows lb=%-7s cc=%-9s rx=%s pfc=%d buf=%-7lu "
			"end %9.2f us theory %9.2f us ratio %5.2f bound %5.2f drops %lu timeouts %lu events %lu\n",
			c->idx, prop_topo_names[c->topo], prop_wl_names[c->wl], c->nhosts, (unsigned long long)a.s->nflows,
			sim_lb_name(cfg.lb), sim_cc_name(cfg.cc), sim_rx_name(cfg.rx), cfg.pfc,
			(unsigned long)cfg.buffer_bytes, end * 1e-6, theory * 1e-6,
			theory ? (double)end / theory : 0, theory ? (double)bound / theory : 0,
			(unsigned long)a.s->c.drops, (unsigned long)a.s->c.timeouts, (unsigned long)a.s->c.events);
	prop_run_free(&a);
	prop_rm_dir(a.dir);
	sim_topo_free(t);
	alarm(0);
	prop_current = NULL;
	if (!e.n)
		return 0;
	prop_print(c, &cfg, stderr);
	fprintf(stderr, "case %u FAILED: %s (%d violation%s)\n\n", c->idx, e.msg, e.n, e.n > 1 ? "s" : "");
	return 1;
}

/* ---------------------------------------------------------------- driver */

struct prop_state {
	uint64_t master;
	unsigned first, count;
	int verbose;
};

static struct prop_state prop_st;

/* A case: the generator's seed and the case's index in its stream. */
struct prop_id {
	uint64_t master;
	unsigned idx;
};

/*
 * Cases other seeds found failing, kept as regressions (this generator;
 * changing it changes what these numbers mean).
 */
static const struct prop_id prop_regressions[] = {
	/* go-back-N livelock: an ACK beyond the rewound next_psn was clamped
	 * to it, so spurious timeouts (RTO 20 us under 21 us of PFC queueing)
	 * rewound every QP forever with nothing delivered */
	{ 4, 1616 },
	/* PFC drops: the frame that crosses XOFF overshoots it, and the
	 * headroom had no room for that frame (also case 16 of the 50) */
	{ PROP_MASTER_SEED, 85 },
};

/* One cmocka test per case, so that totals count cases and name failures. */
static void test_property_case(void **state)
{
	const struct prop_id *id = *state;
	struct prop_case c;

	prop_draw(id->master, id->idx, &c);
	if (prop_case_run(&c, prop_st.verbose))
		fail_msg("property case %u violated (configuration above)", id->idx);
}

/* The generator covers what the issue lists: a case of every kind of each knob. */
static void test_property_coverage(void **state)
{
	unsigned topo[3] = { 0 }, wl[PROP_NWL] = { 0 }, lb[PROP_MAX_TABLE] = { 0 }, cc[PROP_MAX_TABLE] = { 0 };
	unsigned rx[SIM_RX_COUNT] = { 0 }, pfc[2] = { 0 }, ecn[2] = { 0 }, qps[5] = { 0 };

	(void)state;
	assert_true(sim_lb_count() <= PROP_MAX_TABLE && sim_cc_count() <= PROP_MAX_TABLE);
	for (unsigned i = 0; i < PROP_CASES; i++) {
		struct prop_case c;

		prop_draw(PROP_MASTER_SEED, i, &c);
		topo[c.topo]++;
		wl[c.wl]++;
		lb[c.cfg.lb]++;
		cc[c.cfg.cc]++;
		rx[c.cfg.rx]++;
		pfc[c.cfg.pfc]++;
		ecn[c.cfg.ecn]++;
		qps[c.cfg.qps_per_flow]++;
		assert_true(c.nhosts >= 2);
	}
	for (int i = 0; i < 3; i++)
		assert_true(topo[i] > 0);
	for (int i = 0; i < PROP_NWL; i++)
		assert_true(wl[i] > 0);
	for (uint32_t i = 0; i < sim_lb_count(); i++)
		assert_true(lb[i] > 0);
	for (uint32_t i = 0; i < sim_cc_count(); i++)
		assert_true(cc[i] > 0);
	for (int i = 0; i < SIM_RX_COUNT; i++)
		assert_true(rx[i] > 0);
	for (int i = 0; i < 4; i++)
		assert_true(qps[i + 1] > 0);
	for (int i = 0; i < 2; i++)
		assert_true(pfc[i] > 0 && ecn[i] > 0);
}

static unsigned prop_env_u(const char *name, unsigned dflt)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned)strtoul(v, NULL, 0) : dflt;
}

/* "case 7: leafspine incast lb=spray cc=dcqcn rx=gbn pfc" */
static char *prop_test_name(const struct prop_id *id, const char *what)
{
	struct prop_case c;
	char buf[160];

	prop_draw(id->master, id->idx, &c);
	snprintf(buf, sizeof(buf), "%s %u: %s %s lb=%s cc=%s rx=%s %s", what, c.idx, prop_topo_names[c.topo],
		 prop_wl_names[c.wl], sim_lb_name(c.cfg.lb), sim_cc_name(c.cfg.cc), sim_rx_name(c.cfg.rx),
		 c.cfg.pfc ? "pfc" : "lossy");
	return strdup(buf);
}

int main(void)
{
	const size_t nreg = sizeof(prop_regressions) / sizeof(prop_regressions[0]);
	const char *case_env = getenv("PROP_CASE");
	const char *base = getenv("TMPDIR");
	struct CMUnitTest *tests;
	struct prop_id *ids;
	size_t n = 0;
	int rc = 1;

	prop_st.master = getenv("PROP_SEED") ? strtoull(getenv("PROP_SEED"), NULL, 0) : PROP_MASTER_SEED;
	prop_st.count = prop_env_u("PROP_CASES", PROP_CASES);
	prop_st.verbose = (int)prop_env_u("PROP_VERBOSE", 0);
	if (case_env && *case_env) {
		prop_st.first = (unsigned)strtoul(case_env, NULL, 0);
		prop_st.count = 1;
	}
	tests = calloc(1 + prop_st.count + nreg, sizeof(*tests));
	ids = calloc(prop_st.count + nreg, sizeof(*ids));
	if (!tests || !ids)
		goto out_free;
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_property_coverage);
	for (unsigned i = 0; i < prop_st.count; i++) {
		ids[i] = (struct prop_id){ prop_st.master, prop_st.first + i };
		tests[n].name = prop_test_name(&ids[i], "case");
		tests[n].test_func = test_property_case;
		tests[n++].initial_state = &ids[i];
	}
	/* the regressions run with the default set, not with PROP_CASE */
	for (size_t k = 0; k < nreg && !(case_env && *case_env); k++) {
		ids[prop_st.count + k] = prop_regressions[k];
		tests[n].name = prop_test_name(&ids[prop_st.count + k], "regression");
		tests[n].test_func = test_property_case;
		tests[n++].initial_state = &ids[prop_st.count + k];
	}
	snprintf(prop_tmp, sizeof(prop_tmp), "%s/fabsim-prop-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(prop_tmp)) {
		perror("test_property: mkdtemp");
		goto out_free;
	}
	signal(SIGALRM, prop_alarm);
	rc = _cmocka_run_group_tests("test_property", tests, n, NULL, NULL);
	fprintf(stderr, "test_property: %u small buffers refused by sim_config_check (then run with 64 MB)\n",
		prop_refused);
	prop_rm_dir(prop_tmp);
out_free:
	for (size_t k = 1; tests && k < n; k++)
		free((char *)tests[k].name);
	free(ids);
	free(tests);
	return rc;
}
