/*
 * `fabsim run --workload allreduce ...`: simulated collectives. One or
 * more jobs (each a collective on its own ranks and placement), optional
 * background traffic, over a sweep of sizes like nccl-tests' -b/-e/-f; a
 * fresh fabric per size. Prints an nccl-tests-like table per job and
 * writes collective.csv and summary.json, plus the flows and links of the
 * largest size under largest/.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "collectives/busbw.h"
#include "sim/cli/run_opts.h"
#include "sim/results/stats.h"
#include "collectives/units.h"

#define SIM_MAX_JOBS 64

struct coll_ctx {
	struct run_opts *o;
	struct sim_topo *t;
	struct sim_coll_job jobs[SIM_MAX_JOBS];
	uint64_t job_bytes[SIM_MAX_JOBS];	/* 0: follow the sweep */
	uint32_t njobs;
	FILE *csv;
	json_t *jjobs;				/* per job: its results array */
	double busbw_sum[SIM_MAX_JOBS];
	uint32_t unfinished[SIM_MAX_JOBS];	/* sizes at which the job did not finish */
	unsigned long job_line[SIM_MAX_JOBS];	/* its line in the jobs file; 0: the command line's */
};

static void coll_job_defaults(struct coll_ctx *c, struct sim_coll_job *j)
{
	struct run_opts *o = c->o;

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
	j->nvlink_bps = o->nvlink_bps;
	j->nvlink_lat_ps = o->nvlink_lat_ps;
	snprintf(j->name, sizeof(j->name), "main");
}

/* The schedule parameters of job J at size BYTES. */
static void coll_job_params(const struct sim_coll_job *j, uint64_t bytes, struct coll_params *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = j->kind;
	p->algo = j->algo;
	p->nranks = j->nranks;
	p->bytes = bytes;
	p->elem_bytes = j->elem_bytes;
	p->nchannels = j->nchannels;
	p->chunk_bytes = j->chunk_bytes;
	p->gpus_per_server = j->gpus_per_server;
}

/* "FILE:LINE: MSG" for a jobs file. */
static int coll_job_err(const char *path, unsigned long lno, const char *msg)
{
	fprintf(stderr, "%s:%lu: %s\n", path, lno, msg);
	return -1;
}

/* A job name goes into CSV rows, JSON and file names: keep it plain. */
static int coll_job_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > SIM_JOB_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-' || ch == '.'))
			return 0;
	}
	return 1;
}

static int coll_job_line(struct coll_ctx *c, char *line, const char *path, unsigned long lno)
{
	char *tok[8], *save = NULL, err[320], hosts[96];
	struct coll_params p;
	struct sim_coll_job *j;
	uint64_t v;
	int n = 0, x;
	const char *why;

	for (char *s = strtok_r(line, " \t\r", &save); s && n < 8; s = strtok_r(NULL, " \t\r", &save))
		tok[n++] = s;
	if (!n)
		return 0;
	if (n < 5 || n > 7) {
		snprintf(err, sizeof(err), "expected 'NAME KIND ALGO RANKS PLACEMENT [SIZE] [START]', found %s%d fields",
			 n > 7 ? "more than " : "", n > 7 ? 7 : n);
		return coll_job_err(path, lno, err);
	}
	if (c->njobs == SIM_MAX_JOBS) {
		snprintf(err, sizeof(err), "more than %d jobs", SIM_MAX_JOBS);
		return coll_job_err(path, lno, err);
	}
	if (!coll_job_name_ok(tok[0])) {
		snprintf(err, sizeof(err), "NAME '%.40s%s': expected 1 to %d letters, digits, '_', '-' or '.'", tok[0],
			 strlen(tok[0]) > 40 ? "..." : "", SIM_JOB_NAME_MAX);
		return coll_job_err(path, lno, err);
	}
	for (uint32_t k = 0; k < c->njobs; k++) {
		if (!strcmp(c->jobs[k].name, tok[0])) {
			snprintf(err, sizeof(err), "NAME '%s' is taken by an earlier job: expected a new name", tok[0]);
			return coll_job_err(path, lno, err);
		}
	}
	j = &c->jobs[c->njobs];
	coll_job_defaults(c, j);
	snprintf(j->name, sizeof(j->name), "%s", tok[0]);
	x = coll_kind_from_name(tok[1]);
	if (x < 0) {
		snprintf(err, sizeof(err), "KIND '%s': expected allreduce, allgather, reducescatter or alltoall", tok[1]);
		return coll_job_err(path, lno, err);
	}
	j->kind = (enum coll_kind)x;
	x = coll_algo_from_name(tok[2]);
	if (x < 0) {
		snprintf(err, sizeof(err), "ALGO '%s': expected ring, rhd, tree, hier or pairwise", tok[2]);
		return coll_job_err(path, lno, err);
	}
	j->algo = (enum coll_algo)x;
	snprintf(hosts, sizeof(hosts), ": %s has %u hosts", c->t->name, c->t->nhosts);
	if (coll_parse_in(COLL_QTY_COUNT, "RANKS", tok[3], 2, c->t->nhosts < 2 ? 2 : c->t->nhosts, hosts, &v, err,
			 sizeof(err)))
		return coll_job_err(path, lno, err);
	j->nranks = (uint32_t)v;
	if (sim_placement_from_name(tok[4], &j->placement)) {
		snprintf(err, sizeof(err), "PLACEMENT '%s': expected contiguous or random", tok[4]);
		return coll_job_err(path, lno, err);
	}
	if (n > 5) {
		if (coll_parse_in(COLL_QTY_SIZE, "SIZE", tok[5], 1, SIM_MAX_FLOW_BYTES, NULL, &c->job_bytes[c->njobs],
				 err, sizeof(err)))
			return coll_job_err(path, lno, err);
	}
	if (n > 6 && coll_parse_in(COLL_QTY_TIME, "START", tok[6], 0, SIM_MAX_TIME_PS, NULL, &j->start_ps, err,
				  sizeof(err)))
		return coll_job_err(path, lno, err);
	c->job_line[c->njobs] = lno;
	/* the algorithm fits the kind, the ranks and the servers, whatever the size */
	coll_job_params(j, c->job_bytes[c->njobs] ? c->job_bytes[c->njobs] : j->elem_bytes, &p);
	why = coll_params_error(&p);
	if (why) {
		snprintf(err, sizeof(err), "%s %s on %u ranks (%u GPUs per server): %s", coll_kind_name(j->kind),
			 coll_algo_name(j->algo), j->nranks, j->gpus_per_server, why);
		return coll_job_err(path, lno, err);
	}
	c->njobs++;
	return 0;
}

static int coll_jobs_load(struct coll_ctx *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[SIM_MAX_LINE], err[160];
	unsigned long lno = 0;
	int rc = 0, got;

	if (!f) {
		fprintf(stderr, "fabsim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (!rc && (got = coll_read_line(f, line, sizeof(line), err, sizeof(err))) != 0) {
		lno++;
		rc = got < 0 ? coll_job_err(path, lno, err) : coll_job_line(c, line, path, lno);
	}
	fclose(f);
	if (!rc && !c->njobs) {
		fprintf(stderr, "%s: expected at least one job line 'NAME KIND ALGO RANKS PLACEMENT [SIZE] [START]', "
			"found none\n", path);
		rc = -1;
	}
	return rc;
}

/* Hosts no job took send a permutation among themselves. */
static int coll_background(struct sim *s, const uint8_t *used, uint64_t bytes, uint64_t seed)
{
	uint32_t n = s->topo->nhosts, m = 0, *free_hosts = malloc(n * sizeof(*free_hosts));
	struct sim_rng r;

	if (!free_hosts)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (!used[i])
			free_hosts[m++] = i;
	sim_rng_seed(&r, seed ^ 0x424b47ULL);
	for (uint32_t i = m ? m - 1 : 0; i > 0; i--) {	/* Sattolo: one cycle, no fixed point */
		uint32_t j = sim_rng_below(&r, i), x = free_hosts[i];

		free_hosts[i] = free_hosts[j];
		free_hosts[j] = x;
	}
	for (uint32_t i = 0; i + 1 < m || (m > 1 && i < m); i++) {
		uint32_t src = free_hosts[(i + 1) % m];

		if (i >= m)
			break;
		sim_add_flow(s, free_hosts[i], src, bytes, 0);
	}
	free(free_hosts);
	return m > 1 ? 0 : -1;
}

static void coll_print_header(const struct coll_ctx *c, const struct sim_coll_job *j)
{
	const struct run_opts *o = c->o;

	printf("# fabsim %s job '%s': %s, %u ranks (%s, %u GPUs per server) on %s\n", coll_kind_name(j->kind), j->name,
	       coll_algo_name(j->algo), j->nranks, sim_placement_name(j->placement), j->gpus_per_server,
	       c->t->name);
	printf("# lb=%s cc=%s rx=%s pfc=%s qps/flow=%u chunk=%lu channels=%u nvlink=%.0f Gb/s\n",
	       sim_lb_name(o->cfg.lb), sim_cc_name(o->cfg.cc), sim_rx_name(o->cfg.rx), o->cfg.pfc ? "on" : "off",
	       o->cfg.qps_per_flow, (unsigned long)j->chunk_bytes, j->nchannels ? j->nchannels : 1,
	       j->nvlink_bps / 1e9);
	printf("#%13s %12s %10s %10s %7s %7s  %s\n", "size (B)", "time (us)", "algbw", "busbw", "%line", "NIC%",
	       "slowest network flow: src->dst fct_us %line");
}

/* The fabric link that carried the most: with the slowest flow, what set the pace. */
static uint32_t coll_busiest_link(const struct sim *s, double *util)
{
	const struct sim_topo *t = s->topo;
	uint32_t best = SIM_NONE;
	double span = (double)sim_now(s) * 1e-12;

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

/*
 * A size at which the job did not finish (--stop, a PFC deadlock): no
 * time or bandwidth exists, so none is printed, no collective.csv row is
 * written and summary.json says complete: false with the counts.
 */
static void coll_row_unfinished(struct coll_ctx *c, uint32_t k, const struct sim *s,
				const struct sim_coll_result *r, json_t *row)
{
	const struct sim_coll_job *j = &c->jobs[k];

	if (!c->o->quiet && !c->o->json)
		printf(" %13lu  unfinished: %u of %u transfers done at %.3f us (%s); no figures\n",
		       (unsigned long)j->bytes, r->flows_done, j->nflows, (double)sim_now(s) * 1e-6,
		       s->deadlock ? "PFC deadlock" : s->stalled ? "stalled" : "stopped");
	json_object_set_new(row, "size_bytes", json_integer((json_int_t)j->bytes));
	json_object_set_new(row, "complete", json_false());
	json_object_set_new(row, "transfers", json_integer(j->nflows));
	json_object_set_new(row, "transfers_done", json_integer(r->flows_done));
	json_object_set_new(row, "sim_time_us", json_real((double)sim_now(s) * 1e-6));
	json_object_set_new(row, "time_us", json_null());
	json_object_set_new(row, "algbw_gbps", json_null());
	json_object_set_new(row, "busbw_gbps", json_null());
	json_object_set_new(row, "effective_throughput", json_null());
	json_object_set_new(row, "nic_busy", json_null());
	json_object_set_new(row, "pfc_pauses", json_integer((json_int_t)s->c.pauses));
	json_object_set_new(row, "drops", json_integer((json_int_t)s->c.drops));
	json_object_set_new(row, "events", json_integer((json_int_t)s->c.events));
	json_array_append_new(json_object_get(json_array_get(c->jjobs, k), "results"), row);
	c->unfinished[k]++;
}

static void coll_row(struct coll_ctx *c, uint32_t k, const struct sim *s, const struct sim_coll_result *r)
{
	const struct sim_coll_job *j = &c->jobs[k];
	const struct sim_flow *f = r->slowest_flow != SIM_NONE ? &s->flows[r->slowest_flow] : NULL;
	uint32_t src = f ? s->topo->nodes[f->src].index : 0, dst = f ? s->topo->nodes[f->dst].index : 0;
	json_t *row = json_object();

	if (!r->complete) {
		coll_row_unfinished(c, k, s, r, row);
		return;
	}
	if (!c->o->quiet && !c->o->json)
		printf(" %13lu %12.2f %10.2f %10.2f %6.1f%% %6.1f%%  %s%u->%u %.2f %.1f%%\n", (unsigned long)j->bytes,
		       r->time_us, r->algbw_gbps, r->busbw_gbps, 100 * r->effective, 100 * r->nic_busy, f ? "h" : "-", src, dst,
		       r->slowest_fct_us, 100 * r->slowest_frac);
	if (c->csv)
		fprintf(c->csv, "%s,%s,%s,%u,%s,%lu,%.3f,%.4f,%.4f,%.6f,%.6f,%.1f,%u,%u,%u,%.3f,%.6f,%lu,%.3f\n", j->name,
			coll_kind_name(j->kind), coll_algo_name(j->algo), j->nranks, sim_placement_name(j->placement),
			(unsigned long)j->bytes, r->time_us, r->algbw_gbps, r->busbw_gbps, r->effective, r->nic_busy, r->line_gbps,
			j->net_flows, src, dst, r->slowest_fct_us, r->slowest_frac, (unsigned long)s->c.events,
			s->wall_s);
	json_object_set_new(row, "size_bytes", json_integer((json_int_t)j->bytes));
	json_object_set_new(row, "complete", json_true());
	json_object_set_new(row, "time_us", json_real(r->time_us));
	json_object_set_new(row, "algbw_gbps", json_real(r->algbw_gbps));
	json_object_set_new(row, "busbw_gbps", json_real(r->busbw_gbps));
	json_object_set_new(row, "effective_throughput", json_real(r->effective));
	json_object_set_new(row, "nic_busy", json_real(r->nic_busy));
	json_object_set_new(row, "nic_max_bytes", json_integer((json_int_t)r->nic_max_bytes));
	json_object_set_new(row, "network_flows", json_integer(j->net_flows));
	json_object_set_new(row, "slowest_flow_src", json_integer(src));
	json_object_set_new(row, "slowest_flow_dst", json_integer(dst));
	json_object_set_new(row, "slowest_flow_fct_us", json_real(r->slowest_fct_us));
	json_object_set_new(row, "slowest_flow_line_fraction", json_real(r->slowest_frac));
	{
		double u;
		uint32_t port = coll_busiest_link(s, &u);
		char a[64] = "-", b[64] = "-", name[140];

		if (port != SIM_NONE) {
			sim_topo_node_name(s->topo, s->topo->ports[port].node, a, sizeof(a));
			sim_topo_node_name(s->topo, s->topo->ports[s->topo->ports[port].peer].node, b, sizeof(b));
		}
		snprintf(name, sizeof(name), "%s:%s", a, b);
		json_object_set_new(row, "busiest_link", json_string(name));
		json_object_set_new(row, "busiest_link_utilization", json_real(u));
	}
	json_object_set_new(row, "pfc_pauses", json_integer((json_int_t)s->c.pauses));
	json_object_set_new(row, "drops", json_integer((json_int_t)s->c.drops));
	json_object_set_new(row, "ecn_marks", json_integer((json_int_t)s->c.ecn_marks));
	json_object_set_new(row, "retransmits", json_integer((json_int_t)s->c.retx_pkts));
	json_object_set_new(row, "ooo_packets", json_integer((json_int_t)s->c.ooo_pkts));
	json_object_set_new(row, "events", json_integer((json_int_t)s->c.events));
	json_object_set_new(row, "wall_s", json_real(s->wall_s));
	json_array_append_new(json_object_get(json_array_get(c->jjobs, k), "results"), row);
	c->busbw_sum[k] += r->busbw_gbps;
}

/* The flows and links of one size, for `fabsim report`. */
static int coll_write_detail(const struct coll_ctx *c, struct sim *s, const char *cmdline)
{
	char dir[4096];
	struct sim_results r;

	snprintf(dir, sizeof(dir), "%s/largest", c->o->out_dir);
	sim_results_compute(s, &r);
	return sim_results_write(s, &r, dir, cmdline);
}

static int coll_run_size(struct coll_ctx *c, uint64_t bytes, int last, const char *cmdline)
{
	struct sim *s = sim_create(c->t, &c->o->cfg);
	uint8_t *used = calloc(c->t->nhosts, 1);
	FILE *trace = NULL;
	int rc = -1;

	if (!s || !used) {
		fprintf(stderr, "fabsim: out of memory\n");
		goto out_free;
	}
	for (uint32_t k = 0; k < c->njobs; k++) {
		struct sim_coll_job *j = &c->jobs[k];

		free(j->rank_host);
		j->rank_host = NULL;
		j->bytes = c->job_bytes[k] ? c->job_bytes[k] : bytes;
		if (sim_coll_place(c->t, j, used, c->o->cfg.seed + k) || sim_coll_add(s, j))
			goto out_free;
	}
	if (c->o->background_bytes && coll_background(s, used, c->o->background_bytes, c->o->cfg.seed)) {
		fprintf(stderr, "fabsim: --background needs at least two hosts that no job uses\n");
		goto out_free;
	}
	if (last && sim_run_trace(s, c->o, &trace))
		goto out_free;
	if (sim_run(s)) {
		fprintf(stderr, "fabsim: the simulation failed: %s\n", *sim_error(s) ? sim_error(s) : "out of memory");
		goto out_free;
	}
	rc = s->deadlock || s->stalled || s->flows_done < s->nflows ? 3 : 0;
	for (uint32_t k = 0; k < c->njobs; k++) {
		struct sim_coll_result r;

		sim_coll_result(s, &c->jobs[k], &r);
		coll_row(c, k, s, &r);
	}
	if (rc == 3)
		fprintf(stderr, "fabsim: %s at size %lu: %u of %u transfers finished, no figures for it\n",
			s->deadlock ? "PFC deadlock" : s->stalled ? "stalled" : "stopped", (unsigned long)bytes,
			s->flows_done, s->nflows);
	if (last && c->o->out_dir && *c->o->out_dir && coll_write_detail(c, s, cmdline))
		rc = 1;
out_free:
	if (trace)
		fclose(trace);
	free(used);
	sim_destroy(s);
	return rc;
}

static json_t *coll_summary(const struct coll_ctx *c, const char *cmdline)
{
	const struct run_opts *o = c->o;
	json_t *j = json_object();

	json_object_set_new(j, "fabsim_version", json_string(FAB_VERSION));
	json_object_set_new(j, "command", json_string(cmdline));
	json_object_set_new(j, "topology", json_string(c->t->name));
	json_object_set_new(j, "hosts", json_integer(c->t->nhosts));
	json_object_set_new(j, "line_rate_bps", json_integer((json_int_t)sim_topo_nic_bps(c->t, c->t->hosts[0])));
	json_object_set_new(j, "mtu_bytes", json_integer(o->cfg.mtu_bytes ? o->cfg.mtu_bytes : c->t->mtu_bytes));
	json_object_set_new(j, "lb", json_string(sim_lb_name(o->cfg.lb)));
	json_object_set_new(j, "cc", json_string(sim_cc_name(o->cfg.cc)));
	json_object_set_new(j, "rx", json_string(sim_rx_name(o->cfg.rx)));
	json_object_set_new(j, "pfc", json_boolean(o->cfg.pfc));
	json_object_set_new(j, "qps_per_flow", json_integer(o->cfg.qps_per_flow));
	json_object_set_new(j, "seed", json_integer((json_int_t)o->cfg.seed));
	json_object_set_new(j, "nvlink_bps", json_integer((json_int_t)o->nvlink_bps));
	json_object_set_new(j, "jobs", json_incref(c->jjobs));
	return j;
}

/* Reads the jobs (or makes the one of the command line) and their summary skeleton. */
static int coll_setup(struct coll_ctx *c)
{
	const struct run_opts *o = c->o;

	if (o->jobs_path) {
		if (coll_jobs_load(c, o->jobs_path))
			return -1;
	} else {
		coll_job_defaults(c, &c->jobs[0]);
		c->njobs = 1;
	}
	c->jjobs = json_array();
	for (uint32_t k = 0; k < c->njobs; k++) {
		const struct sim_coll_job *j = &c->jobs[k];
		json_t *jj = json_object();

		json_object_set_new(jj, "name", json_string(j->name));
		json_object_set_new(jj, "collective", json_string(coll_kind_name(j->kind)));
		json_object_set_new(jj, "algorithm", json_string(coll_algo_name(j->algo)));
		json_object_set_new(jj, "ranks", json_integer(j->nranks));
		json_object_set_new(jj, "placement", json_string(sim_placement_name(j->placement)));
		json_object_set_new(jj, "gpus_per_server", json_integer(j->gpus_per_server));
		json_object_set_new(jj, "channels", json_integer(j->nchannels ? j->nchannels : 1));
		json_object_set_new(jj, "chunk_bytes", json_integer((json_int_t)j->chunk_bytes));
		json_object_set_new(jj, "busbw_factor", json_real(coll_busbw_factor(j->kind, j->nranks)));
		json_object_set_new(jj, "results", json_array());
		json_array_append_new(c->jjobs, jj);
	}
	return 0;
}

/* Every job fits the fabric beside the others, and --background finds two free hosts. */
static int coll_validate_places(struct coll_ctx *c)
{
	uint8_t *used = calloc(c->t->nhosts, 1);
	uint32_t nfree = 0;
	int rc = 0;

	if (!used)
		return -1;
	for (uint32_t k = 0; k < c->njobs && !rc; k++) {
		struct sim_coll_job *j = &c->jobs[k];

		rc = sim_coll_place(c->t, j, used, c->o->cfg.seed + k);
		free(j->rank_host);
		j->rank_host = NULL;
		if (rc && c->job_line[k])
			fprintf(stderr, "%s:%lu: job %s does not fit %s\n", c->o->jobs_path, c->job_line[k], j->name,
				k ? "beside the jobs above it" : "the fabric");
	}
	for (uint32_t h = 0; h < c->t->nhosts; h++)
		nfree += !used[h];
	if (!rc && c->o->background_bytes && nfree < 2) {
		fprintf(stderr, "fabsim: --background needs at least two hosts that no job uses; %u %s free\n", nfree,
			nfree == 1 ? "is" : "are");
		rc = -1;
	}
	free(used);
	return rc;
}

/*
 * Every job at every size of the sweep: a buildable schedule, a number of
 * transfers a run can hold, and memory for them. All before anything is
 * printed or written, so a refused run leaves no half table behind.
 */
static int coll_validate(struct coll_ctx *c)
{
	const struct run_opts *o = c->o;
	char err[320], what[96], sz[48];

	if (coll_validate_places(c))
		return -1;
	for (uint32_t i = 0; i < o->nsizes; i++) {
		double need = 0, xfers = 0;

		for (uint32_t k = 0; k < c->njobs; k++) {
			const struct sim_coll_job *j = &c->jobs[k];
			uint64_t bytes = c->job_bytes[k] ? c->job_bytes[k] : o->sizes[i];
			struct coll_params p;
			const char *why;
			double x;

			coll_job_params(j, bytes, &p);
			why = coll_params_error(&p);
			if (why) {
				char where[4200] = "fabsim";

				if (c->job_line[k])
					snprintf(where, sizeof(where), "%s:%lu", o->jobs_path, c->job_line[k]);
				coll_fmt_qty(COLL_QTY_SIZE, bytes, sz, sizeof(sz));
				fprintf(stderr, "%s: job %s (%s %s, %u ranks, %u GPUs per server, size %s, %u-byte "
					"elements): %s\n", where, j->name, coll_kind_name(j->kind), coll_algo_name(j->algo),
					j->nranks, j->gpus_per_server, sz, j->elem_bytes, why);
				return -1;
			}
			need += sim_coll_need_bytes(&p, SIM_COLL_FLOW_BYTES, &x);
			xfers += x;
		}
		coll_fmt_qty(COLL_QTY_SIZE, o->sizes[i], sz, sizeof(sz));
		if (xfers > (double)SIM_MAX_FLOWS) {
			fprintf(stderr, "fabsim: size %s would be %.3g transfers, more than the %u a run can hold "
				"(fewer ranks or channels, or a larger --chunk)\n", sz, xfers, SIM_MAX_FLOWS);
			return -1;
		}
		snprintf(what, sizeof(what), "size %s (%.3g transfers)", sz, xfers);
		if (coll_mem_guard(need >= 1.8e19 ? UINT64_MAX : (uint64_t)need, what, err, sizeof(err))) {
			fprintf(stderr, "fabsim: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Removes an earlier run's results, then starts collective.csv. */
static int coll_open_out(struct coll_ctx *c)
{
	const struct run_opts *o = c->o;
	char path[4096];

	if (sim_results_clean(o->out_dir, o->bench_json))
		return -1;
	if (!o->out_dir || !*o->out_dir)
		return 0;
	if (sim_mkdir_p(o->out_dir)) {
		fprintf(stderr, "fabsim: cannot create %s: %s\n", o->out_dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/collective.csv", o->out_dir);
	c->csv = fopen(path, "w");
	if (!c->csv) {
		fprintf(stderr, "fabsim: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(c->csv, "job,collective,algorithm,ranks,placement,size_bytes,time_us,algbw_gbps,busbw_gbps,"
			"effective_throughput,nic_busy,line_gbps,network_flows,slowest_src,slowest_dst,slowest_fct_us,"
			"slowest_line_fraction,events,wall_s\n");
	return 0;
}

/* The same results in fabbench's --json schema (verbs/README-json.md). */
static int coll_bench_json(const struct coll_ctx *c, const char *path)
{
	const struct sim_coll_job *j = &c->jobs[0];
	json_t *root = json_object(), *hosts = json_array(), *res = json_array();
	json_t *rows = json_object_get(json_array_get(c->jjobs, 0), "results"), *row;
	const struct run_opts *o = c->o;
	char name[64];
	size_t i;
	int rc;

	json_object_set_new(root, "tool", json_string("fabsim"));
	json_object_set_new(root, "version", json_string(FAB_VERSION));
	json_object_set_new(root, "nranks", json_integer(j->nranks));
	json_object_set_new(root, "transport", json_string("sim"));
	json_object_set_new(root, "collective", json_string(coll_kind_name(j->kind)));
	json_object_set_new(root, "algorithm", json_string(coll_algo_name(j->algo)));
	json_object_set_new(root, "dtype", json_string(o->dtype_name ? o->dtype_name : "float"));
	json_object_set_new(root, "op", json_string("sum"));
	json_object_set_new(root, "nchannels", json_integer(j->nchannels ? j->nchannels : 1));
	json_object_set_new(root, "gpus_per_server", json_integer(j->gpus_per_server));
	json_object_set_new(root, "qps", json_integer(o->cfg.qps_per_flow));
	json_object_set_new(root, "chunk_bytes", json_integer((json_int_t)j->chunk_bytes));
	for (uint32_t r = 0; r < j->nranks; r++) {
		sim_topo_node_name(c->t, c->t->hosts[j->rank_host[r]], name, sizeof(name));
		json_array_append_new(hosts, json_string(name));
	}
	json_object_set_new(root, "hosts", hosts);
	json_object_set_new(root, "line_rate_bps",
			    json_integer((json_int_t)sim_topo_nic_bps(c->t, c->t->hosts[0])));
	json_object_set_new(root, "mtu_bytes", json_integer(o->cfg.mtu_bytes ? o->cfg.mtu_bytes : c->t->mtu_bytes));
	json_object_set_new(root, "p2p_latency_us", json_null());
	json_object_set_new(root, "p2p_bw_gbps", json_null());
	json_array_foreach(rows, i, row) {
		json_t *e = json_object();
		json_t *bytes = json_object_get(row, "size_bytes");

		json_object_set(e, "bytes", bytes);
		json_object_set_new(e, "count", json_integer(json_integer_value(bytes) / j->elem_bytes));
		json_object_set(e, "time_us", json_object_get(row, "time_us"));
		json_object_set(e, "algbw_gbps", json_object_get(row, "algbw_gbps"));
		json_object_set(e, "busbw_gbps", json_object_get(row, "busbw_gbps"));
		json_array_append_new(res, e);
	}
	json_object_set_new(root, "results", res);
	rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	if (rc)
		fprintf(stderr, "fabsim: cannot write %s\n", path);
	json_decref(root);
	return rc ? -1 : 0;
}

/* RUN_RC: how the sizes went; a bench JSON only describes a run that finished. */
static int coll_finish(struct coll_ctx *c, const char *cmdline, int run_rc)
{
	json_t *j = coll_summary(c, cmdline);
	const struct run_opts *o = c->o;
	int rc = 0;

	for (uint32_t k = 0; k < c->njobs && !o->quiet && !o->json; k++) {
		double line = sim_topo_nic_bps(c->t, c->t->hosts[0]) / 8e9, avg;

		if (c->unfinished[k]) {
			printf("# Avg bus bandwidth (%s): unavailable, the job did not finish at %u of %u sizes\n",
			       c->jobs[k].name, c->unfinished[k], o->nsizes);
			continue;
		}
		avg = c->busbw_sum[k] / o->nsizes;
		printf("# Avg bus bandwidth (%s): %.3f GB/s, %.1f%% of the %.0f GB/s NIC line rate\n", c->jobs[k].name, avg,
		       100 * avg / line, line);
	}
	if (o->bench_json && run_rc)
		fprintf(stderr, "fabsim: %s not written: the run did not finish every size\n", o->bench_json);
	else if (o->bench_json && coll_bench_json(c, o->bench_json))
		rc = 1;
	if (o->json) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	}
	if (o->out_dir && *o->out_dir) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/summary.json", o->out_dir);
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
	struct coll_ctx *c = calloc(1, sizeof(*c));
	int rc = 1;

	if (!c) {
		fprintf(stderr, "fabsim: out of memory\n");
		return 1;
	}
	c->o = o;
	c->t = t;
	if (coll_setup(c))
		goto out_free;
	if (o->bench_json && c->njobs != 1) {
		fprintf(stderr, "fabsim: --bench-json describes one job; this run has %u\n", c->njobs);
		goto out_free;
	}
	if (coll_validate(c) || coll_open_out(c))
		goto out_free;
	rc = 0;
	for (uint32_t k = 0; k < c->njobs && !o->quiet && !o->json; k++)
		coll_print_header(c, &c->jobs[k]);
	for (uint32_t i = 0; i < o->nsizes && (!rc || rc == 3); i++) {
		int r = coll_run_size(c, o->sizes[i], i + 1 == o->nsizes, cmdline);

		if (r < 0)
			r = 1;
		if (r)
			rc = r;
		if (r && r != 3)
			break;
	}
	if (coll_finish(c, cmdline, rc) && !rc)
		rc = 1;
out_free:
	if (c->csv)
		fclose(c->csv);
	json_decref(c->jjobs);
	for (uint32_t k = 0; k < c->njobs; k++)
		free(c->jobs[k].rank_host);
	free(c);
	return rc;
}
