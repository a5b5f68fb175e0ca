/*
 * `fabsim run --workload allreduce ...`: simulated collectives. One or
 * more jobs (each a collective on its own ranks and placement; a jobs file
 * is read by sim/traffic/coll_jobs.c), optional background traffic, over a
 * sweep of sizes like nccl-tests' -b/-e/-f; a fresh fabric per size.
 * Prints an nccl-tests-like table per job and writes collective.csv and
 * summary.json, plus the flows and links of the largest size under
 * largest/. A run with --jobs or --background is "labelled": one table
 * whose rows start with their job, per-job FCT percentiles, a line and a
 * summary.json object for the background flows, and flows.csv says whose
 * each flow is; a run of one job from the command line keeps the plain
 * table and files of before. Called by cmd_run.c; uses run_out.c, never
 * cmd_run.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "collectives/bench_keys.h"
#include "collectives/busbw.h"
#include "sim/cli/cmd.h"
#include "sim/cli/run_opts.h"
#include "sim/fabric/dist.h"
#include "sim/results/schema.h"
#include "sim/results/stats.h"
#include "sim/traffic/bound.h"
#include "sim/traffic/coll_jobs.h"
#include "collectives/units.h"

/* A collective run: its jobs and what their results are collected into. */
struct run_coll {
	struct run_opts *o;
	struct sim_topo *t;
	struct sim_coll_jobs js;
	FILE *csv;
	json_t *jjobs;				/* per job: its results array */
	double busbw_sum[SIM_MAX_JOBS];		/* over every finished (size, seed) */
	uint32_t finished[SIM_MAX_JOBS];	/* (size, seed) runs that finished */
	uint32_t unfinished[SIM_MAX_JOBS];	/* (size, seed) runs at which the job did not finish */
	const uint64_t *seeds;			/* --seeds, or the one --seed */
	uint32_t nseeds;
	uint64_t seed;				/* of the run under way */
	/* a split run, over every size and seed: windows, frames, bytes exchanged, the longest wait (s) */
	uint64_t windows, frames, bytes;
	double wait_s;
	struct sim_bound *bound;		/* the fabric's cuts for the ideal, made at the first size */
	struct sim_bound_coll ideal[SIM_MAX_JOBS];	/* job K's at the size under way */
	struct run_coll_acc {			/* job K at the size under way, over its seeds */
		uint32_t runs;
		struct sim_seed_stat time_us, busbw, per_nic, nic_busy;
	} acc[SIM_MAX_JOBS];
	/* --jobs or --background: rows and flows name their job (the file header says more) */
	bool labelled;
	int name_w;				/* characters of the job column */
	uint32_t bg_hosts;			/* hosts no job uses, each the sender of one background flow */
	uint64_t bg_first, bg_n;		/* the run under way's background flows (ids) */
	json_t *jbg;				/* summary.json's background object, NULL: no --background */
	struct run_coll_bg_acc {		/* the background at the size under way, over its seeds */
		uint32_t runs;
		struct sim_seed_stat mean_flow, fct_p99;	/* over the seeds where every flow finished */
	} bg_acc;
};

static void run_coll_job_defaults(const struct run_coll *c, struct sim_coll_job *j)
{
	const struct run_opts *o = c->o;

	memset(j, 0, sizeof(*j));
	j->kind = o->kind;
	j->algo = o->algo >= 0 ? (enum coll_algo)o->algo : coll_default_algo(o->kind);
	j->nranks = o->ranks ? o->ranks : c->t->nhosts;
	j->elem_bytes = o->elem_bytes;
	j->nchannels = o->nchannels;
	j->chunk_bytes = o->chunk_bytes;
	j->gpus_per_server = o->gpus_per_server ? o->gpus_per_server :
			     (c->t->gpus_per_server ? c->t->gpus_per_server : 1);
	j->placement = o->placement;
	j->pxn = !o->pxn_off;
	j->nvlink_bps = o->nvlink_bps;
	j->nvlink_lat_ps = o->nvlink_lat_ps;
	snprintf(j->name, sizeof(j->name), "main");
}

/* The jobs file: opened here, so that its messages are all FILE:LINE. */
static int run_coll_jobs_load(struct run_coll *c, const char *path)
{
	struct sim_coll_job defaults;
	char err[4608];
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "fabsim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	run_coll_job_defaults(c, &defaults);
	rc = sim_coll_jobs_read(&c->js, f, path, &defaults, c->t, err, sizeof(err));
	fclose(f);
	if (rc)
		fprintf(stderr, "%s\n", err);
	return rc;
}

/* The chunk as the header gives it: bytes, or NCCL's tree rule when it depends on the size. */
static const char *run_coll_chunk_name(const struct sim_coll_job *j, char *buf, size_t len)
{
	struct coll_params p;

	sim_coll_job_params(j, 0, &p);
	if (!j->chunk_bytes && coll_default_chunk(&p) != COLL_CHUNK_DEFAULT)
		snprintf(buf, len, "nccl-tree (by size)");
	else
		snprintf(buf, len, "%llu", (unsigned long long)(j->chunk_bytes ? j->chunk_bytes : COLL_CHUNK_DEFAULT));
	return buf;
}

static void run_coll_print_header(const struct run_coll *c, const struct sim_coll_job *j)
{
	const struct run_opts *o = c->o;
	char chunk[32];

	printf("# fabsim %s job '%s': %s, %u ranks (%s, %u GPU%s per server) on %s\n", coll_kind_name(j->kind),
	       j->name, coll_algo_name(j->algo), j->nranks, sim_placement_name(j->placement), j->gpus_per_server,
	       RUN_PLURAL(j->gpus_per_server), c->t->name);
	printf("# lb=%s cc=%s rx=%s pfc=%s qps=%u split-qps=%s chunk=%s channels=%u%s pxn=%s nvlink=%.0f Gb/s\n",
	       sim_lb_name(o->cfg.lb), sim_cc_name(o->cfg.cc), sim_rx_name(o->cfg.rx), o->cfg.pfc ? "on" : "off",
	       o->cfg.qps_per_flow, sim_split_qps_name(o->cfg.split_qps, true), run_coll_chunk_name(j, chunk, sizeof(chunk)),
	       sim_coll_job_channels(j), sim_coll_job_dup(j) > 1 ? "x2 (NCCL's duplicates)" : "",
	       j->pxn ? "on" : "off", j->nvlink_bps / 1e9);
	printf("# bw/NIC: busbw per NIC of the server = busbw / (%u NIC%s x %.0f GB/s); NIC%%: time the busiest NIC "
	       "sent\n", j->gpus_per_server, RUN_PLURAL(j->gpus_per_server), sim_topo_host_bps(c->t, c->t->hosts[0]) / 8e9);
	if (c->nseeds > 1) {
		printf("# %u seeds (%llu..%llu) per size: mean [min..max]; every seed's row in collective.csv\n",
		       c->nseeds, (unsigned long long)c->seeds[0], (unsigned long long)c->seeds[c->nseeds - 1]);
		printf("#%13s %24s %24s %21s %21s\n", "size (B)", "time (us)", "busbw (GB/s)", "bw/NIC %", "NIC %");
		return;
	}
	printf("# ideal: busbw of a perfect fluid load balancer over the live links (every link's bytes at its rate, "
	       "no latency)\n");
	printf("#%13s %12s %10s %10s %10s %7s %7s  %s\n", "size (B)", "time (us)", "algbw", "busbw", "ideal", "bw/NIC",
	       "NIC%", "slowest network flow: src->dst fct_us %line");
}

/*
 * A labelled run's header: one line per job (what differs between jobs),
 * the background, the transport they share, then one table for all, its
 * rows led by their job so that a sweep's rows of several jobs read apart.
 */
static void run_coll_print_labelled_header(const struct run_coll *c)
{
	const struct run_opts *o = c->o;
	const struct sim_coll_job *j0 = &c->js.job[0];
	char chunk[32], sz[48];

	printf("# fabsim: %u job%s on %s\n", c->js.n, RUN_PLURAL(c->js.n), c->t->name);
	for (uint32_t k = 0; k < c->js.n; k++) {
		const struct sim_coll_job *j = &c->js.job[k];

		printf("# job %s: %s %s, %u ranks (%s, %u GPU%s per server), chunk=%s channels=%u%s", j->name,
		       coll_kind_name(j->kind), coll_algo_name(j->algo), j->nranks, sim_placement_name(j->placement),
		       j->gpus_per_server, RUN_PLURAL(j->gpus_per_server), run_coll_chunk_name(j, chunk, sizeof(chunk)),
		       sim_coll_job_channels(j), sim_coll_job_dup(j) > 1 ? "x2 (NCCL's duplicates)" : "");
		if (c->js.fixed_bytes[k]) {
			coll_fmt_qty(COLL_QTY_SIZE, c->js.fixed_bytes[k], sz, sizeof(sz));
			printf(", %s at every size", sz);
		}
		if (j->start_ps) {
			coll_fmt_qty(COLL_QTY_TIME, j->start_ps, sz, sizeof(sz));
			printf(", starts at %s", sz);
		}
		printf("\n");
	}
	if (o->background_bytes) {
		coll_fmt_qty(COLL_QTY_SIZE, o->background_bytes, sz, sizeof(sz));
		printf("# background: the %u hosts no job uses send %s each to another of them (a random permutation)\n",
		       c->bg_hosts, sz);
	}
	printf("# lb=%s cc=%s rx=%s pfc=%s qps=%u split-qps=%s pxn=%s nvlink=%.0f Gb/s\n", sim_lb_name(o->cfg.lb),
	       sim_cc_name(o->cfg.cc), sim_rx_name(o->cfg.rx), o->cfg.pfc ? "on" : "off", o->cfg.qps_per_flow,
	       sim_split_qps_name(o->cfg.split_qps, true), j0->pxn ? "on" : "off", j0->nvlink_bps / 1e9);
	printf("# bw/NIC: busbw per NIC of the server = busbw / (%u NIC%s x %.0f GB/s); NIC%%: time the busiest NIC "
	       "sent\n", j0->gpus_per_server, RUN_PLURAL(j0->gpus_per_server),
	       sim_topo_host_bps(c->t, c->t->hosts[0]) / 8e9);
	if (c->nseeds > 1) {
		printf("# %u seeds (%llu..%llu) per size: mean [min..max]; every seed's row in collective.csv\n",
		       c->nseeds, (unsigned long long)c->seeds[0], (unsigned long long)c->seeds[c->nseeds - 1]);
		printf("# %-*s %13s %24s %24s %21s %21s\n", c->name_w, "job", "size (B)", "time (us)", "busbw (GB/s)",
		       "bw/NIC %", "NIC %");
		return;
	}
	printf("# ideal: busbw of a perfect fluid load balancer over the live links (every link's bytes at its rate, "
	       "no latency)\n");
	printf("# net flows: the job's transfers over the network; fct p50, p99: their completion times (us)\n");
	printf("# %-*s %13s %12s %10s %10s %10s %7s %7s %9s %9s %9s  %s\n", c->name_w, "job", "size (B)", "time (us)",
	       "algbw", "busbw", "ideal", "bw/NIC", "NIC%", "net flows", "fct p50", "fct p99",
	       "slowest network flow: src->dst fct_us %line");
}

/* The fabric link that carried the most: with the slowest flow, what set the pace. */
static uint32_t run_coll_busiest_link(const struct sim *s, double *util)
{
	const struct sim_topo *t = s->topo;
	uint32_t best = SIM_NONE;
	double span = (double)s->end_ps * 1e-12;

	*util = 0;
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_port *p = &t->ports[i];
		double u;

		if (t->nodes[p->node].kind != SIM_NODE_SWITCH || t->nodes[t->ports[p->peer].node].kind != SIM_NODE_SWITCH)
			continue;
		u = span > 0 ? (double)s->pq[i].tx_bytes * 8 / ((double)p->rate_bps * span) : 0;
		if (best == SIM_NONE || u > *util) {
			best = i;
			*util = u;
		}
	}
	return best;
}

/* Keys of summary.json in the order of sim/results/schema.h (asserted). */
#define CRUN(K, V) sim_schema_set(j, &sim_schema_coll_summary, SIM_CRUN_##K, (V))
#define CJOB(K, V) sim_schema_set(jj, &sim_schema_coll_job, SIM_CJOB_##K, (V))
#define CRES(K, V) sim_schema_set_some(row, &sim_schema_coll_result, SIM_CSUM_##K, (V))

/* The results[] array of job K's summary entry, where each size's row goes. */
static json_t *run_coll_results(const struct run_coll *c, uint32_t k)
{
	return json_object_get(json_array_get(c->jjobs, k), sim_schema_coll_job.cols[SIM_CJOB_RESULTS].name);
}

/* Job K's ideal busbw at the size under way: null when nothing crosses the fabric. */
static json_t *run_coll_ideal_json(const struct run_coll *c, uint32_t k)
{
	return c->ideal[k].busbw_GBps >= 0 ? json_real(c->ideal[k].busbw_GBps) : json_null();
}

/*
 * A size at which the job did not finish (--stop, a PFC deadlock): no
 * time or bandwidth exists, so none is printed, no collective.csv row is
 * written and summary.json says complete: false with the counts.
 */
/* A run with failed links (from the start or during it): what they cost, after the keys every row has. */
static void run_coll_row_links(json_t *row, const struct sim *s)
{
	if (!sim_failures(s))
		return;
	CRES(LINK_DROPS, json_integer((json_int_t)s->c.link_drops));
	CRES(REROUTES, json_integer((json_int_t)s->c.reroutes));
	CRES(DROPS_NO_ROUTE, json_integer((json_int_t)s->c.noroute_drops));
}

/* A labelled run's row starts with its job's name (run_coll_print_labelled_header); a plain one does not. */
static void run_coll_print_job(const struct run_coll *c, uint32_t k)
{
	if (c->labelled)
		printf("  %-*s", c->name_w, c->js.job[k].name);
}

/*
 * A labelled run's per-job keys of a results[] entry, after every other
 * (sim_schema_set_some): its transfers, and the FCT percentiles of those
 * over the network, null when it has none or did not finish (R NULL).
 */
static void run_coll_row_fcts(const struct run_coll *c, uint32_t k, const struct sim_coll_result *r,
			      const struct sim_fct_pcts *p, json_t *row)
{
	bool ok = r && r->complete && r->net_done && p;

	if (!c->labelled)
		return;
	CRES(FLOWS, json_integer((json_int_t)c->js.job[k].nflows));
	CRES(FCT_P50_US, ok ? json_real(p->p50_us) : json_null());
	CRES(FCT_P99_US, ok ? json_real(p->p99_us) : json_null());
	CRES(FCT_MAX_US, ok ? json_real(p->max_us) : json_null());
}

/* Job K's FCT percentiles in S: false when it has no network transfer or kept none (SIM_COLL_FCT_MAX). */
static bool run_coll_job_pcts(const struct sim *s, const struct sim_coll_job *j, struct sim_fct_pcts *p)
{
	uint64_t n;
	double *v = sim_coll_job_fcts(s, j, &n);

	if (!v)
		return false;
	sim_fct_percentiles(v, n, p);
	return true;
}

static void run_coll_row_unfinished(struct run_coll *c, uint32_t k, const struct sim *s,
				const struct sim_coll_result *r, json_t *row)
{
	const struct sim_coll_job *j = &c->js.job[k];

	if (!c->o->quiet && !c->o->json && c->nseeds == 1)
		run_coll_print_job(c, k);
	if (!c->o->quiet && !c->o->json && c->nseeds == 1)
		printf(" %13llu  unfinished: %llu of %llu transfers done at %.3f us (%s); no figures\n",
		       (unsigned long long)j->bytes, (unsigned long long)r->flows_done,
		       (unsigned long long)j->nflows, (double)s->end_ps * 1e-6,
		       s->deadlock ? "PFC deadlock" : s->stalled ? "stalled" : "stopped");
	CRES(SIZE_BYTES, json_integer((json_int_t)j->bytes));
	CRES(SEED, json_integer((json_int_t)c->seed));
	CRES(COMPLETE, json_false());
	CRES(TRANSFERS, json_integer((json_int_t)j->nflows));
	CRES(TRANSFERS_DONE, json_integer((json_int_t)r->flows_done));
	CRES(SIM_TIME_US, json_real((double)s->end_ps * 1e-6));
	CRES(TIME_US, json_null());
	CRES(ALGBW_GBPS, json_null());
	CRES(BUSBW_GBPS, json_null());
	CRES(IDEAL_BUSBW_GBPS, run_coll_ideal_json(c, k));
	CRES(EFFECTIVE_THROUGHPUT, json_null());
	CRES(BUSBW_PER_NIC, json_null());
	CRES(NIC_BUSY, json_null());
	CRES(PFC_PAUSES, json_integer((json_int_t)s->c.pauses));
	CRES(DROPS, json_integer((json_int_t)s->c.drops));
	CRES(EVENTS, json_integer((json_int_t)s->c.events));
	CRES(DATA_PACKETS, json_integer((json_int_t)s->c.data_placed));
	run_coll_row_links(row, s);
	run_coll_row_fcts(c, k, NULL, NULL, row);
	json_array_append_new(run_coll_results(c, k), row);
	c->unfinished[k]++;
	c->acc[k].runs++;
}

/*
 * A labelled run's row: its job first, its network transfers and their
 * FCT percentiles (P, NULL: none), the slowest of them named "h5->h13",
 * or what a job that never used the network did.
 */
static void run_coll_print_labelled_row(const struct run_coll *c, uint32_t k, const struct sim_coll_result *r,
					double per_nic, const char *ideal, const struct sim_fct_pcts *p)
{
	const struct sim_coll_job *j = &c->js.job[k];
	char p50[24] = "-", p99[24] = "-";

	if (p) {
		snprintf(p50, sizeof(p50), "%.2f", p->p50_us);
		snprintf(p99, sizeof(p99), "%.2f", p->p99_us);
	}
	run_coll_print_job(c, k);
	printf(" %13llu %12.2f %10.2f %10.2f %10s %6.1f%% %6.1f%% %9llu %9s %9s  ", (unsigned long long)j->bytes,
	       r->time_us, r->algbw_GBps, r->busbw_GBps, ideal, 100 * per_nic, 100 * r->nic_busy,
	       (unsigned long long)j->net_flows, p50, p99);
	if (r->slowest_flow != SIM_COLL_NO_FLOW)
		printf("h%u->h%u %.2f %.1f%%\n", r->slowest_src, r->slowest_dst, r->slowest_fct_us,
		       100 * r->slowest_frac);
	else
		printf("none (NVLink only)\n");
}

/* A one-job run's row: the slowest network transfer as "h5->h13", or none. */
static void run_coll_print_row(const struct sim_coll_job *j, const struct sim_coll_result *r, double per_nic,
			       const char *ideal)
{
	printf(" %13llu %12.2f %10.2f %10.2f %10s %6.1f%% %6.1f%%  ", (unsigned long long)j->bytes, r->time_us,
	       r->algbw_GBps, r->busbw_GBps, ideal, 100 * per_nic, 100 * r->nic_busy);
	if (r->slowest_flow != SIM_COLL_NO_FLOW)
		printf("h%u->h%u %.2f %.1f%%\n", r->slowest_src, r->slowest_dst, r->slowest_fct_us,
		       100 * r->slowest_frac);
	else
		printf("none (NVLink only)\n");
}

static void run_coll_row(struct run_coll *c, uint32_t k, const struct sim *s, const struct sim_coll_result *r)
{
	const struct sim_coll_job *j = &c->js.job[k];
	bool f = r->slowest_flow != SIM_COLL_NO_FLOW;
	uint32_t src = f ? r->slowest_src : 0, dst = f ? r->slowest_dst : 0;
	/* every GPU has its NIC in fabsim's host model: a server has gpus_per_server of them */
	double per_nic = sim_busbw_per_nic(r->busbw_GBps * coll_busbw_net_ranks(j->kind, j->nranks, j->gpus_per_server),
					   j->gpus_per_server, r->line_gbps);
	struct run_coll_acc *acc = &c->acc[k];
	json_t *row = json_object();
	char ideal[16] = "-";
	struct sim_fct_pcts pcts;
	bool pcts_ok;

	if (!r->complete) {
		run_coll_row_unfinished(c, k, s, r, row);
		return;
	}
	if (c->ideal[k].busbw_GBps >= 0)
		snprintf(ideal, sizeof(ideal), "%.2f", c->ideal[k].busbw_GBps);
	pcts_ok = c->labelled && run_coll_job_pcts(s, j, &pcts);
	if (c->labelled && !c->o->quiet && !c->o->json && c->nseeds == 1)
		run_coll_print_labelled_row(c, k, r, per_nic, ideal, pcts_ok ? &pcts : NULL);
	else if (!c->o->quiet && !c->o->json && c->nseeds == 1)
		run_coll_print_row(j, r, per_nic, ideal);
	if (c->csv)
		fprintf(c->csv, "%s,%s,%s,%u,%s,%llu,%.3f,%.4f,%.4f,%.6f,%.6f,%.1f,%llu,%u,%u,%.3f,%.6f,%llu,%.3f,%.6f,%llu,%s\n",
			j->name, coll_kind_name(j->kind), coll_algo_name(j->algo), j->nranks,
			sim_placement_name(j->placement), (unsigned long long)j->bytes, r->time_us, r->algbw_GBps,
			r->busbw_GBps, r->effective, r->nic_busy, r->line_gbps, (unsigned long long)j->net_flows, src, dst,
			r->slowest_fct_us, r->slowest_frac, (unsigned long long)s->c.events, s->wall_s, per_nic,
			(unsigned long long)c->seed, c->ideal[k].busbw_GBps >= 0 ? ideal : "");
	CRES(SIZE_BYTES, json_integer((json_int_t)j->bytes));
	CRES(SEED, json_integer((json_int_t)c->seed));
	CRES(COMPLETE, json_true());
	CRES(TIME_US, json_real(r->time_us));
	CRES(ALGBW_GBPS, json_real(r->algbw_GBps));
	CRES(BUSBW_GBPS, json_real(r->busbw_GBps));
	CRES(IDEAL_BUSBW_GBPS, run_coll_ideal_json(c, k));
	CRES(EFFECTIVE_THROUGHPUT, json_real(r->effective));
	CRES(BUSBW_PER_NIC, json_real(per_nic));
	CRES(NIC_BUSY, json_real(r->nic_busy));
	CRES(NIC_MAX_BYTES, json_integer((json_int_t)r->nic_max_bytes));
	CRES(NETWORK_FLOWS, json_integer((json_int_t)j->net_flows));
	CRES(SLOWEST_FLOW_SRC, json_integer(src));
	CRES(SLOWEST_FLOW_DST, json_integer(dst));
	CRES(SLOWEST_FLOW_FCT_US, json_real(r->slowest_fct_us));
	CRES(SLOWEST_FLOW_LINE_FRACTION, json_real(r->slowest_frac));
	{
		double u;
		uint32_t port = run_coll_busiest_link(s, &u);
		char a[64] = "-", b[64] = "-", name[140];

		if (port != SIM_NONE) {
			sim_topo_node_name(s->topo, s->topo->ports[port].node, a, sizeof(a));
			sim_topo_node_name(s->topo, s->topo->ports[s->topo->ports[port].peer].node, b, sizeof(b));
		}
		snprintf(name, sizeof(name), "%s:%s", a, b);
		CRES(BUSIEST_LINK, json_string(name));
		CRES(BUSIEST_LINK_UTILIZATION, json_real(u));
	}
	CRES(PFC_PAUSES, json_integer((json_int_t)s->c.pauses));
	CRES(DROPS, json_integer((json_int_t)s->c.drops));
	CRES(ECN_MARKS, json_integer((json_int_t)s->c.ecn_marks));
	CRES(RETRANSMITS, json_integer((json_int_t)s->c.retx_pkts));
	CRES(OOO_PACKETS, json_integer((json_int_t)s->c.ooo_pkts));
	CRES(EVENTS, json_integer((json_int_t)s->c.events));
	CRES(DATA_PACKETS, json_integer((json_int_t)s->c.data_placed));
	CRES(WALL_S, json_real(s->wall_s));
	run_coll_row_links(row, s);
	run_coll_row_fcts(c, k, r, pcts_ok ? &pcts : NULL, row);
	json_array_append_new(run_coll_results(c, k), row);
	c->busbw_sum[k] += r->busbw_GBps;
	c->finished[k]++;
	acc->runs++;
	sim_seed_stat_add(&acc->time_us, r->time_us);
	sim_seed_stat_add(&acc->busbw, r->busbw_GBps);
	sim_seed_stat_add(&acc->per_nic, per_nic);
	sim_seed_stat_add(&acc->nic_busy, r->nic_busy);
}

/* "12.3 [11.0..14.2]": one figure over the seeds, scaled by MUL */
static void run_coll_print_stat(const struct sim_seed_stat *st, double mul, int width)
{
	char buf[80];

	if (!st->n)
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), "%.2f [%.2f..%.2f]", mul * sim_seed_stat_mean(st), mul * st->min,
			 mul * st->max);
	printf(" %*s", width, buf);
}

#define CSEED(K, V) sim_schema_set(e, &sim_schema_coll_seed_stats, SIM_CSEED_##K, (V))

/*
 * Job K at size BYTES over every seed: its seed_stats[] entry in
 * summary.json and, with several seeds, its line of the table. The
 * figures are over the seeds that finished; the line says how many did not.
 */
static void run_coll_seed_row(struct run_coll *c, uint32_t k, uint64_t bytes)
{
	struct run_coll_acc *a = &c->acc[k];
	json_t *e = json_object();

	if (c->js.fixed_bytes[k])
		bytes = c->js.fixed_bytes[k];
	CSEED(SIZE_BYTES, json_integer((json_int_t)bytes));
	CSEED(SEEDS, json_integer(a->runs));
	CSEED(SEEDS_COMPLETE, json_integer(a->busbw.n));
	CSEED(TIME_US, sim_seed_stat_json(&a->time_us));
	CSEED(BUSBW_GBPS, sim_seed_stat_json(&a->busbw));
	CSEED(BUSBW_PER_NIC, sim_seed_stat_json(&a->per_nic));
	CSEED(NIC_BUSY, sim_seed_stat_json(&a->nic_busy));
	json_array_append_new(json_object_get(json_array_get(c->jjobs, k),
					      sim_schema_coll_job.cols[SIM_CJOB_SEED_STATS].name), e);
	if (c->nseeds > 1 && !c->o->quiet && !c->o->json) {
		run_coll_print_job(c, k);
		printf(" %13llu", (unsigned long long)bytes);
		run_coll_print_stat(&a->time_us, 1, 24);
		run_coll_print_stat(&a->busbw, 1, 24);
		run_coll_print_stat(&a->per_nic, 100, 21);
		run_coll_print_stat(&a->nic_busy, 100, 21);
		if (a->busbw.n < a->runs)
			printf("  unfinished at %u of %u seeds", a->runs - a->busbw.n, a->runs);
		printf("\n");
	}
	memset(a, 0, sizeof(*a));
}

#undef CSEED

#define CBGR(K, V) sim_schema_set(e, &sim_schema_coll_bg_result, SIM_CBGR_##K, (V))

/*
 * The background flows of the run just made (size BYTES of the sweep):
 * their summary.json entry, their line in a one-seed run's table, their
 * figures over the seeds of this size. 0, or -1 out of memory.
 */
static int run_coll_background_row(struct run_coll *c, const struct sim *s, uint64_t bytes)
{
	struct sim_flow_figs f;
	json_t *e;
	bool done;
	char sz[48];

	if (!c->jbg)
		return 0;
	if (sim_results_flow_range(s, c->bg_first, c->bg_n, &f)) {
		fprintf(stderr, "fabsim: out of memory for the background's figures\n");
		return -1;
	}
	done = f.flows_done == f.flows && f.flows;
	e = json_object();
	CBGR(SIZE_BYTES, json_integer((json_int_t)bytes));
	CBGR(SEED, json_integer((json_int_t)c->seed));
	CBGR(COMPLETE, json_boolean(done));
	CBGR(FLOWS, json_integer((json_int_t)f.flows));
	CBGR(FLOWS_DONE, json_integer((json_int_t)f.flows_done));
	CBGR(BYTES, json_integer((json_int_t)f.bytes));
	CBGR(EFFECTIVE, done ? json_real(f.effective) : json_null());
	CBGR(MEAN_FLOW, done ? json_real(f.mean_flow_frac) : json_null());
	CBGR(MIN_FLOW, done ? json_real(f.min_flow_frac) : json_null());
	CBGR(FCT_P50_US, done ? json_real(f.fct_p50_us) : json_null());
	CBGR(FCT_P99_US, done ? json_real(f.fct_p99_us) : json_null());
	CBGR(FCT_MAX_US, done ? json_real(f.fct_max_us) : json_null());
	CBGR(FCT_MEAN_US, done ? json_real(f.fct_mean_us) : json_null());
	CBGR(MAKESPAN_US, done ? json_real(f.makespan_us) : json_null());
	json_array_append_new(json_object_get(c->jbg, sim_schema_coll_background.cols[SIM_CBG_RESULTS].name), e);
	c->bg_acc.runs++;
	if (done) {
		sim_seed_stat_add(&c->bg_acc.mean_flow, f.mean_flow_frac);
		sim_seed_stat_add(&c->bg_acc.fct_p99, f.fct_p99_us);
	}
	if (c->o->quiet || c->o->json || c->nseeds > 1)
		return 0;
	coll_fmt_qty(COLL_QTY_SIZE, c->o->background_bytes, sz, sizeof(sz));
	if (!done) {
		printf("# background at size %llu: %llu of %llu flows of %s finished; no figures\n",
		       (unsigned long long)bytes, (unsigned long long)f.flows_done, (unsigned long long)f.flows, sz);
		return 0;
	}
	printf("# background at size %llu: %llu flow%s of %s, effective %.1f%%, mean per flow %.1f%%, worst %.1f%% "
	       "of line; fct p50/p99/max %.2f/%.2f/%.2f us\n", (unsigned long long)bytes, (unsigned long long)f.flows,
	       RUN_PLURAL(f.flows), sz, 100 * f.effective, 100 * f.mean_flow_frac, 100 * f.min_flow_frac,
	       f.fct_p50_us, f.fct_p99_us, f.fct_max_us);
	return 0;
}

#undef CBGR

/* With several seeds, the background at size BYTES over them: one line, as the jobs' rows. */
static void run_coll_background_seeds(struct run_coll *c, uint64_t bytes)
{
	struct run_coll_bg_acc *a = &c->bg_acc;

	if (c->jbg && c->nseeds > 1 && !c->o->quiet && !c->o->json) {
		printf("# background at size %llu: every flow finished at %u of %u seeds", (unsigned long long)bytes,
		       a->mean_flow.n, a->runs);
		if (a->mean_flow.n)
			printf("; mean per flow %.1f%% [%.1f..%.1f] of line, fct p99 %.2f [%.2f..%.2f] us",
			       100 * sim_seed_stat_mean(&a->mean_flow), 100 * a->mean_flow.min, 100 * a->mean_flow.max,
			       sim_seed_stat_mean(&a->fct_p99), a->fct_p99.min, a->fct_p99.max);
		printf("\n");
	}
	memset(a, 0, sizeof(*a));
}

/* Transfers whose flows the largest size keeps for flows.csv (about 700 MiB). */
#define RUN_COLL_KEEP_FLOWS_MAX (4ULL << 20)

/* flows.csv's job column: the job whose transfer flow ID is, or the background. */
static const char *run_coll_flow_job(const void *ctx, uint64_t id)
{
	const struct run_coll *c = ctx;

	for (uint32_t k = 0; k < c->js.n; k++)
		if (id >= c->js.job[k].first_flow && id - c->js.job[k].first_flow < c->js.job[k].nflows)
			return c->js.job[k].name;
	return id >= c->bg_first && id - c->bg_first < c->bg_n ? "background" : "-";
}

/* The flows and links of one size, for `fabsim report`. */
static int run_coll_write_detail(const struct run_coll *c, struct sim *s, const char *cmdline)
{
	char dir[4096], err[4608];
	struct sim_results r;

	snprintf(dir, sizeof(dir), "%s/largest", c->o->out_dir);
	if (!s->keep_flows) {
		fprintf(stderr, "fabsim: %s: links.csv and trace.csv only: the largest size made %llu transfers, more than "
			"the %llu whose flows are kept for flows.csv and summary.json\n", dir,
			(unsigned long long)s->nflows, (unsigned long long)RUN_COLL_KEEP_FLOWS_MAX);
		if (sim_results_write_links(s, dir, err, sizeof(err))) {
			fprintf(stderr, "fabsim: %s\n", err);
			return -1;
		}
		return sim_run_trace_write(s, dir, false);
	}
	sim_results_compute(s, &r);
	sim_run_parallel(s, c->o, &r);
	if (c->labelled) {
		r.flow_job = run_coll_flow_job;
		r.flow_job_ctx = c;
	}
	/* the default trace of the largest size goes beside its summary, which names its port */
	if (!sim_results_write(s, &r, dir, cmdline, err, sizeof(err)))
		return sim_run_trace_write(s, dir, false);
	fprintf(stderr, "fabsim: %s\n", err);
	return -1;
}

/* Hosts no job took send a permutation among themselves. */
static int run_coll_background(const struct run_coll *c, struct sim *s, const uint8_t *used)
{
	char err[320];
	int rc = sim_workload_background(s, used, c->o->background_bytes, c->o->cfg.seed, err, sizeof(err));

	if (rc == -ENOSPC)
		fprintf(stderr, "fabsim: --background needs at least two hosts that no job uses\n");
	else if (rc)
		fprintf(stderr, "fabsim: %s\n", err);
	return rc;
}

/*
 * A split run holds each server whole in one part (sim/topo/partition.c),
 * so that NVLink transfers and what a GPU learns from its server's others
 * never cross parts: J's servers of gpus_per_server hosts must be the
 * topology's, or inside them. 0, or -EINVAL with the reason in ERR.
 */
static int run_coll_split_check(const struct run_coll *c, const struct sim_coll_job *j, char *err, size_t errlen)
{
	const uint32_t *part = c->o->part ? c->o->part->part : NULL;
	uint32_t g = j->gpus_per_server ? j->gpus_per_server : 1;

	for (uint32_t r = 0; part && g > 1 && r < j->nranks; r++) {
		uint32_t h = j->rank_host[r], base = h - h % g;

		if (part[c->t->hosts[h]] != part[c->t->hosts[base]]) {
			snprintf(err, errlen, "job %s: its server of %u GPU%s at hosts %u..%u lies in parts %u and %u: "
				 "a split run keeps servers whole, give the topology gpus_per_server = %u "
				 "(or run it in one process)", j->name, g, RUN_PLURAL(g), base, base + g - 1, part[c->t->hosts[base]],
				 part[c->t->hosts[h]], g);
			return -EINVAL;
		}
	}
	return 0;
}

/* Pair I of the jobs' ranks: each rank's host with the next rank's and with rank 0's. */
struct run_fail_jobs {
	const struct sim_coll_jobs *js;
	uint32_t g;			/* GPUs per server: pairs inside one cross no fabric link */
};

static bool run_job_pair(void *ctx, uint64_t i, uint32_t *a, uint32_t *b)
{
	const struct run_fail_jobs *c = ctx;
	uint32_t k;

	for (k = 0; k < c->js->n && i >= 2ULL * c->js->job[k].nranks; k++)
		i -= 2ULL * c->js->job[k].nranks;
	if (k == c->js->n || !c->js->job[k].rank_host)
		return false;
	*a = c->js->job[k].rank_host[i / 2];
	*b = c->js->job[k].rank_host[i % 2 ? 0 : (i / 2 + 1) % c->js->job[k].nranks];
	return *a / c->g != *b / c->g;
}

/*
 * Refuses (1, after a message) failures that leave a host of the jobs
 * without a path to the hosts it exchanges with (fail_opts.h); 0.
 */
static int run_coll_fail_check(const struct run_opts *o, struct sim_topo *t,
			       const struct sim_coll_jobs *js)
{
	struct run_fail_jobs c = { .js = js, .g = o->gpus_per_server ? o->gpus_per_server : t->gpus_per_server };
	uint64_t n = 0;

	if (!c.g)
		c.g = 1;
	for (uint32_t k = 0; k < js->n; k++)
		n += 2ULL * js->job[k].nranks;
	return sim_fail_check_pairs(t, &o->fail_reqs, &o->fail_plan, run_job_pair, n, &c, "fabsim run");
}

/*
 * Every job's ideal at the size under way, on the fabric as the run
 * starts (a link failed later is up here): its schedule streamed once
 * more through the generator the run will read.
 */
static int run_coll_ideal(struct run_coll *c, const struct sim *s)
{
	int rc = 0;

	/* the other parts of a split run report nothing */
	if (!sim_run_reports(c->o))
		return 0;
	if (!c->bound)
		rc = sim_bound_create(c->t, s->mtu_bytes, &c->bound);
	for (uint32_t k = 0; k < c->js.n && !rc; k++) {
		const struct coll_gen *g = sim_coll_job_gen(s, &c->js.job[k]);

		c->ideal[k].busbw_GBps = -1;
		if (g)
			rc = sim_bound_coll(c->bound, &c->js.job[k], g, &c->ideal[k]);
	}
	if (rc)
		fprintf(stderr, "fabsim: the ideal bound: out of memory\n");
	return rc;
}

static int run_coll_run_size(struct run_coll *c, uint64_t bytes, bool last, const char *cmdline)
{
	struct sim *s = sim_create(c->t, &c->o->cfg);
	uint8_t *used = calloc(c->t->nhosts, 1);
	FILE *trace = NULL;
	char err[320];
	int rc = -1;

	if (!s || !used) {
		fprintf(stderr, "fabsim: out of memory\n");
		goto out_free;
	}
	for (uint32_t k = 0; k < c->js.n; k++) {
		struct sim_coll_job *j = &c->js.job[k];

		free(j->rank_host);
		j->rank_host = NULL;
		j->bytes = c->js.fixed_bytes[k] ? c->js.fixed_bytes[k] : bytes;
		if (sim_coll_place(c->t, j, used, c->o->cfg.seed + k, err, sizeof(err)) ||
		    run_coll_split_check(c, j, err, sizeof(err)) || sim_coll_add(s, j, err, sizeof(err))) {
			fprintf(stderr, "fabsim: %s\n", err);
			goto out_free;
		}
	}
	c->bg_first = s->nflows;
	if (run_coll_fail_check(c->o, c->t, &c->js) ||
	    (c->o->background_bytes && run_coll_background(c, s, used)))
		goto out_free;
	c->bg_n = s->nflows - c->bg_first;
	if (sim_fail_schedule(s, c->o->fail_plan.v, c->o->fail_plan.n)) {
		fprintf(stderr, "fabsim: %s\n", sim_error(s));
		goto out_free;
	}
	if (sim_run_setup(s, c->o, last, &trace) || run_coll_ideal(c, s))
		goto out_free;
	/*
	 * The largest size's flows.csv and figures read every transfer: they
	 * stay (sim_flow_get), 172 bytes each, unless there are too many (a
	 * Colossus-scale job: links.csv and the trace only).
	 */
	if (last && ((c->o->out_dir && *c->o->out_dir) || c->o->part_out) && s->nflows <= RUN_COLL_KEEP_FLOWS_MAX)
		s->keep_flows = 1;
	if (sim_run_go(s, c->o)) {
		fprintf(stderr, "fabsim: the simulation failed: %s\n", *sim_error(s) ? sim_error(s) : "out of memory");
		goto out_free;
	}
	/* the other parts hold only their own results: part 0 reports the run */
	if (!sim_run_reports(c->o)) {
		rc = sim_dist_stats(s)->flows_done < s->nflows ? 3 : 0;
		goto out_free;
	}
	if (c->o->part) {
		c->windows += sim_dist_stats(s)->windows;
		c->frames += sim_dist_stats(s)->frames_all;
		c->bytes += sim_dist_stats(s)->bytes_all;
		c->wait_s += sim_dist_stats(s)->wait_max_s;
	}
	rc = s->deadlock || s->stalled || s->flows_done < s->nflows ? 3 : 0;
	for (uint32_t k = 0; k < c->js.n; k++) {
		struct sim_coll_result r;

		sim_coll_result(s, &c->js.job[k], &r);
		run_coll_row(c, k, s, &r);
	}
	if (run_coll_background_row(c, s, bytes))
		rc = 1;
	if (rc == 3)
		fprintf(stderr, "fabsim: %s at size %llu: %llu of %llu transfers finished, no figures for it\n",
			s->deadlock ? "PFC deadlock" : s->stalled ? "stalled" : "stopped", (unsigned long long)bytes,
			(unsigned long long)s->flows_done, (unsigned long long)s->nflows);
	if (last && c->o->out_dir && *c->o->out_dir && run_coll_write_detail(c, s, cmdline))
		rc = 1;
out_free:
	if (trace)
		fclose(trace);
	free(used);
	sim_destroy(s);
	return rc;
}

static json_t *run_coll_summary(const struct run_coll *c, const char *cmdline)
{
	const struct run_opts *o = c->o;
	json_t *j = json_object();

	CRUN(FABSIM_VERSION, json_string(FAB_VERSION));
	CRUN(COMMAND, json_string(cmdline));
	CRUN(TOPOLOGY, json_string(c->t->name));
	CRUN(HOSTS, json_integer(c->t->nhosts));
	CRUN(LINE_RATE_BPS, json_integer((json_int_t)sim_topo_host_bps(c->t, c->t->hosts[0])));
	CRUN(MTU_BYTES, json_integer(o->cfg.mtu_bytes ? o->cfg.mtu_bytes : c->t->mtu_bytes));
	CRUN(LB, json_string(sim_lb_name(o->cfg.lb)));
	CRUN(CC, json_string(sim_cc_name(o->cfg.cc)));
	CRUN(RX, json_string(sim_rx_name(o->cfg.rx)));
	CRUN(PFC, json_boolean(o->cfg.pfc));
	CRUN(QPS_PER_FLOW, json_integer(o->cfg.qps_per_flow));
	CRUN(SPLIT_QPS, json_string(sim_split_qps_name(o->cfg.split_qps, true)));
	CRUN(SEED, json_integer((json_int_t)c->seeds[0]));
	{
		json_t *seeds = json_array();

		for (uint32_t i = 0; i < c->nseeds; i++)
			json_array_append_new(seeds, json_integer((json_int_t)c->seeds[i]));
		CRUN(SEEDS, seeds);
	}
	CRUN(NVLINK_BPS, json_integer((json_int_t)o->nvlink_bps));
	/* a split run's windows and exchanges, summed over every size and seed */
	CRUN(PROCESSES, json_integer(o->part ? sim_launch->size : 1));
	CRUN(PARTITION, o->part ? json_string(sim_part_mode_name(o->part->mode)) : json_null());
	CRUN(LOOKAHEAD_PS, o->part ? json_integer((json_int_t)o->part->lookahead_ps) : json_null());
	CRUN(WINDOWS, o->part ? json_integer((json_int_t)c->windows) : json_null());
	CRUN(EXCHANGED_FRAMES, o->part ? json_integer((json_int_t)c->frames) : json_null());
	CRUN(EXCHANGED_BYTES, o->part ? json_integer((json_int_t)c->bytes) : json_null());
	CRUN(WAIT_S, o->part ? json_real(c->wait_s) : json_null());
	CRUN(JOBS, json_incref(c->jjobs));
	if (c->jbg)
		sim_schema_set_some(j, &sim_schema_coll_summary, SIM_CRUN_BACKGROUND, json_incref(c->jbg));
	return j;
}

/* Reads the jobs (or makes the one of the command line) and their summary skeleton. */
static int run_coll_setup(struct run_coll *c)
{
	const struct run_opts *o = c->o;

	if (o->jobs_path) {
		if (run_coll_jobs_load(c, o->jobs_path))
			return -1;
	} else {
		run_coll_job_defaults(c, &c->js.job[0]);
		c->js.n = 1;
	}
	c->labelled = o->jobs_path || o->background_bytes;
	c->name_w = 3;
	for (uint32_t k = 0; k < c->js.n; k++)
		if ((int)strlen(c->js.job[k].name) > c->name_w)
			c->name_w = (int)strlen(c->js.job[k].name);
	c->jjobs = json_array();
	for (uint32_t k = 0; k < c->js.n; k++) {
		const struct sim_coll_job *j = &c->js.job[k];
		json_t *jj = json_object();

		CJOB(NAME, json_string(j->name));
		CJOB(COLLECTIVE, json_string(coll_kind_name(j->kind)));
		CJOB(ALGORITHM, json_string(coll_algo_name(j->algo)));
		CJOB(RANKS, json_integer(j->nranks));
		CJOB(PLACEMENT, json_string(sim_placement_name(j->placement)));
		CJOB(GPUS_PER_SERVER, json_integer(j->gpus_per_server));
		CJOB(CHANNELS, json_integer(sim_coll_job_channels(j)));
		CJOB(CHANNEL_DUP, json_integer(sim_coll_job_dup(j)));
		CJOB(CHUNK_BYTES, json_integer((json_int_t)sim_coll_job_chunk(j, c->js.fixed_bytes[k] ? c->js.fixed_bytes[k] :
										 c->o->sizes[0])));
		CJOB(BUSBW_FACTOR, json_real(coll_busbw_factor(j->kind, j->nranks)));
		CJOB(RESULTS, json_array());
		CJOB(SEED_STATS, json_array());
		json_array_append_new(c->jjobs, jj);
	}
	return 0;
}

#define CBG(K, V) sim_schema_set(c->jbg, &sim_schema_coll_background, SIM_CBG_##K, (V))

/* summary.json's background object, its results[] to come; after run_coll_validate (which counts the hosts). */
static void run_coll_setup_background(struct run_coll *c)
{
	if (!c->o->background_bytes)
		return;
	c->jbg = json_object();
	CBG(BYTES_PER_FLOW, json_integer((json_int_t)c->o->background_bytes));
	CBG(HOSTS, json_integer(c->bg_hosts));
	CBG(RESULTS, json_array());
}

#undef CBG

/* Every job fits the fabric beside the others, and --background finds two free hosts. */
static int run_coll_validate_places(struct run_coll *c)
{
	uint8_t *used = calloc(c->t->nhosts, 1);
	uint32_t nfree = 0;
	char err[320];
	int rc = 0;

	if (!used) {
		fprintf(stderr, "fabsim: out of memory\n");
		return -1;
	}
	for (uint32_t k = 0; k < c->js.n && !rc; k++) {
		struct sim_coll_job *j = &c->js.job[k];

		rc = sim_coll_place(c->t, j, used, c->o->cfg.seed + k, err, sizeof(err));
		free(j->rank_host);
		j->rank_host = NULL;
		if (rc)
			fprintf(stderr, "fabsim: %s\n", err);
		if (rc && c->js.line[k])
			fprintf(stderr, "%s:%lu: job %s does not fit %s\n", c->o->jobs_path, c->js.line[k], j->name,
				k ? "beside the jobs above it" : "the fabric");
	}
	for (uint32_t h = 0; h < c->t->nhosts; h++)
		nfree += !used[h];
	c->bg_hosts = nfree;
	if (!rc && c->o->background_bytes && nfree < 2) {
		fprintf(stderr, "fabsim: --background needs at least two hosts that no job uses; %u %s free\n", nfree,
			nfree == 1 ? "is" : "are");
		rc = -1;
	}
	free(used);
	return rc;
}

/* "FILE:LINE" of job K in the jobs file, or "fabsim" for the command line's. */
static const char *run_coll_where(const struct run_coll *c, uint32_t k, char *buf, size_t len)
{
	if (c->js.line[k])
		snprintf(buf, len, "%s:%lu", c->o->jobs_path, c->js.line[k]);
	else
		snprintf(buf, len, "fabsim");
	return buf;
}

/*
 * Every job at every size of the sweep: a buildable schedule, at most
 * SIM_MAX_JOB_XFERS transfers a job (named with its FILE:LINE), a number of
 * transfers a run can hold, and memory for them. All before anything is
 * printed or written, so a refused run leaves no half table behind.
 */
static int run_coll_validate(struct run_coll *c)
{
	const struct run_opts *o = c->o;
	char err[320], what[96], sz[48], where[4200];

	if (run_coll_validate_places(c))
		return -1;
	for (uint32_t i = 0; i < o->nsizes; i++) {
		double need = 0, xfers = 0;

		for (uint32_t k = 0; k < c->js.n; k++) {
			const struct sim_coll_job *j = &c->js.job[k];
			uint64_t bytes = c->js.fixed_bytes[k] ? c->js.fixed_bytes[k] : o->sizes[i];
			struct coll_params p;
			const char *why;
			double x;

			sim_coll_job_params(j, bytes, &p);
			why = coll_params_error(&p);
			if (why) {
				coll_fmt_qty(COLL_QTY_SIZE, bytes, sz, sizeof(sz));
				fprintf(stderr, "%s: job %s (%s %s, %u ranks, %u GPU%s per server, size %s, %u-byte "
					"elements): %s\n", run_coll_where(c, k, where, sizeof(where)), j->name,
					coll_kind_name(j->kind), coll_algo_name(j->algo), j->nranks, j->gpus_per_server,
					RUN_PLURAL(j->gpus_per_server), sz, j->elem_bytes, why);
				return -1;
			}
			/* before anything is built: a job of 5e7 transfers would build for minutes */
			if (sim_coll_job_size_check(j, bytes, err, sizeof(err))) {
				fprintf(stderr, "%s: job '%s': %s\n", run_coll_where(c, k, where, sizeof(where)), j->name,
					err);
				return -1;
			}
			/* a job with its own generator keeps nothing per transfer; the others a built schedule */
			if (coll_algo_ops(p.algo)->gen)
				continue;
			need += sim_coll_need_bytes(&p, SIM_COLL_WRAP_BYTES, &x);
			xfers += x;
		}
		coll_fmt_qty(COLL_QTY_SIZE, o->sizes[i], sz, sizeof(sz));
		snprintf(what, sizeof(what), "size %s (%.3g transfers)", sz, xfers);
		if (coll_mem_guard(need >= 1.8e19 ? UINT64_MAX : (uint64_t)need, what, err, sizeof(err))) {
			fprintf(stderr, "fabsim: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Removes an earlier run's results, then starts collective.csv. */
static int run_coll_open_out(struct run_coll *c)
{
	const struct run_opts *o = c->o;
	char err[4200];

	if (sim_results_clean(o->out_dir, o->bench_json))
		return -1;
	if (!o->out_dir || !*o->out_dir)
		return 0;
	c->csv = sim_results_csv_create(o->out_dir, &sim_schema_coll, err, sizeof(err));
	if (!c->csv) {
		fprintf(stderr, "fabsim: %s\n", err);
		return -1;
	}
	return 0;
}

/* Name of key K of a summary.json results[] entry. */
static const char *run_coll_key(enum sim_csum_key k)
{
	return sim_schema_coll_result.cols[k].name;
}

/* The same results in fabbench's --json schema (verbs/README-json.md). */
static int run_coll_bench_json(const struct run_coll *c, const char *path)
{
	const struct sim_coll_job *j = &c->js.job[0];
	json_t *root = json_object(), *hosts = json_array(), *res = json_array();
	json_t *rows = run_coll_results(c, 0), *row;
	const struct run_opts *o = c->o;
	char name[64];
	size_t i;
	int rc;

	json_object_set_new(root, COLL_BENCH_TOOL, json_string("fabsim"));
	json_object_set_new(root, COLL_BENCH_VERSION, json_string(FAB_VERSION));
	json_object_set_new(root, COLL_BENCH_NRANKS, json_integer(j->nranks));
	json_object_set_new(root, COLL_BENCH_TRANSPORT, json_string("sim"));
	json_object_set_new(root, COLL_BENCH_COLLECTIVE, json_string(coll_kind_name(j->kind)));
	json_object_set_new(root, COLL_BENCH_ALGORITHM, json_string(coll_algo_name(j->algo)));
	json_object_set_new(root, COLL_BENCH_DTYPE, json_string(o->dtype_name ? o->dtype_name : "float"));
	json_object_set_new(root, COLL_BENCH_OP, json_string("sum"));
	json_object_set_new(root, COLL_BENCH_NCHANNELS, json_integer(sim_coll_job_channels(j)));
	json_object_set_new(root, COLL_BENCH_GPUS_PER_SERVER, json_integer(j->gpus_per_server));
	json_object_set_new(root, COLL_BENCH_QPS, json_integer(o->cfg.qps_per_flow));
	json_object_set_new(root, COLL_BENCH_SPLIT_QPS, json_string(sim_split_qps_name(o->cfg.split_qps, true)));
	json_object_set_new(root, COLL_BENCH_CHUNK_BYTES, json_integer((json_int_t)sim_coll_job_chunk(j, j->bytes)));
	for (uint32_t r = 0; r < j->nranks; r++) {
		sim_topo_node_name(c->t, c->t->hosts[j->rank_host[r]], name, sizeof(name));
		json_array_append_new(hosts, json_string(name));
	}
	json_object_set_new(root, COLL_BENCH_HOSTS, hosts);
	json_object_set_new(root, COLL_BENCH_LINE_RATE_BPS,
			    json_integer((json_int_t)sim_topo_host_bps(c->t, c->t->hosts[0])));
	json_object_set_new(root, COLL_BENCH_MTU_BYTES,
			    json_integer(o->cfg.mtu_bytes ? o->cfg.mtu_bytes : c->t->mtu_bytes));
	json_object_set_new(root, COLL_BENCH_P2P_LATENCY_US, json_null());
	json_object_set_new(root, COLL_BENCH_P2P_BW_GBPS, json_null());
	json_array_foreach(rows, i, row) {
		json_t *e = json_object();
		json_t *bytes = json_object_get(row, run_coll_key(SIM_CSUM_SIZE_BYTES));

		json_object_set(e, COLL_BENCH_RES_BYTES, bytes);
		json_object_set_new(e, COLL_BENCH_RES_COUNT, json_integer(json_integer_value(bytes) / j->elem_bytes));
		json_object_set(e, COLL_BENCH_RES_TIME_US, json_object_get(row, run_coll_key(SIM_CSUM_TIME_US)));
		json_object_set(e, COLL_BENCH_RES_ALGBW_GBPS, json_object_get(row, run_coll_key(SIM_CSUM_ALGBW_GBPS)));
		json_object_set(e, COLL_BENCH_RES_BUSBW_GBPS, json_object_get(row, run_coll_key(SIM_CSUM_BUSBW_GBPS)));
		json_array_append_new(res, e);
	}
	json_object_set_new(root, COLL_BENCH_RESULTS, res);
	rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	if (rc)
		fprintf(stderr, "fabsim: cannot write %s\n", path);
	json_decref(root);
	return rc ? -1 : 0;
}

/* RUN_RC: how the sizes went; a bench JSON only describes a run that finished. */
static int run_coll_finish(struct run_coll *c, const char *cmdline, int run_rc)
{
	json_t *j = run_coll_summary(c, cmdline);
	const struct run_opts *o = c->o;
	int rc = 0;

	for (uint32_t k = 0; k < c->js.n && !o->quiet && !o->json; k++) {
		double line = sim_topo_host_bps(c->t, c->t->hosts[0]) / 8e9, avg;
		uint32_t nics = c->js.job[k].gpus_per_server;

		if (c->unfinished[k]) {
			printf("# Avg bus bandwidth (%s): unavailable, the job did not finish at %u of %u runs "
			       "(sizes x seeds)\n", c->js.job[k].name, c->unfinished[k], o->nsizes * c->nseeds);
			continue;
		}
		avg = c->finished[k] ? c->busbw_sum[k] / c->finished[k] : 0;
		printf("# Avg bus bandwidth (%s): %.3f GB/s, %.1f%% per NIC of the server (%u x %.0f GB/s)\n",
		       c->js.job[k].name, avg, 100 * avg / (nics * line), nics, line);
	}
	if (o->bench_json && run_rc)
		fprintf(stderr, "fabsim: %s not written: the run did not finish every size\n", o->bench_json);
	else if (o->bench_json && run_coll_bench_json(c, o->bench_json))
		rc = 1;
	if (o->json) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	}
	if (o->out_dir && *o->out_dir) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", o->out_dir, sim_schema_summary.file);
		if (json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))) {
			fprintf(stderr, "fabsim: cannot write %s\n", path);
			rc = 1;
		}
		if (!o->quiet && !o->json)
			printf("# results: %s/{summary.json,collective.csv,largest/}\n", o->out_dir);
	}
	json_decref(j);
	return rc;
}

int sim_run_collective(struct run_opts *o, struct sim_topo *t, const char *cmdline)
{
	struct run_coll *c = calloc(1, sizeof(*c));
	int rc = 1;

	if (!c) {
		fprintf(stderr, "fabsim: out of memory\n");
		return 1;
	}
	c->o = o;
	c->t = t;
	c->seeds = o->seeds.n ? o->seeds.v : &o->cfg.seed;
	c->nseeds = o->seeds.n ? o->seeds.n : 1;
	if (run_coll_setup(c))
		goto out_free;
	if (o->bench_json && c->js.n != 1) {
		fprintf(stderr, "fabsim: --bench-json describes one job; this run has %u\n", c->js.n);
		goto out_free;
	}
	if (o->bench_json && c->nseeds > 1) {
		fprintf(stderr, "fabsim: --bench-json describes one run per size; --seeds gives %u\n", c->nseeds);
		goto out_free;
	}
	if (run_coll_validate(c) || run_coll_open_out(c))
		goto out_free;
	run_coll_setup_background(c);
	rc = 0;
	if (c->labelled && !o->quiet && !o->json)
		run_coll_print_labelled_header(c);
	for (uint32_t k = 0; k < c->js.n && !c->labelled && !o->quiet && !o->json; k++)
		run_coll_print_header(c, &c->js.job[k]);
	for (uint32_t i = 0; i < o->nsizes && (!rc || rc == 3); i++) {
		for (uint32_t n = 0; n < c->nseeds && (!rc || rc == 3); n++) {
			int r;

			/* a fresh fabric per (size, seed): placement, hashing and background follow the seed */
			c->seed = c->seeds[n];
			o->cfg.seed = c->seed;
			r = run_coll_run_size(c, o->sizes[i], i + 1 == o->nsizes && n + 1 == c->nseeds, cmdline);
			if (r < 0)
				r = 1;
			if (r)
				rc = r;
		}
		if (rc && rc != 3)
			break;
		for (uint32_t k = 0; k < c->js.n; k++)
			run_coll_seed_row(c, k, o->sizes[i]);
		run_coll_background_seeds(c, o->sizes[i]);
	}
	o->cfg.seed = c->seeds[0];
	if (run_coll_finish(c, cmdline, rc) && !rc)
		rc = 1;
out_free:
	if (c->csv)
		fclose(c->csv);
	json_decref(c->jjobs);
	json_decref(c->jbg);
	for (uint32_t k = 0; k < c->js.n; k++)
		free(c->js.job[k].rank_host);
	sim_bound_free(c->bound);
	free(c);
	return rc;
}
