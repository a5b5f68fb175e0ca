/*
 * From schedule to simulated traffic. Every transfer of the schedule
 * becomes one flow, in schedule order, so transfer i of a job is flow
 * first_flow + i and the schedule's dependencies map one to one. Transfers
 * between GPUs of one server go over a modelled NVLink-class link (a rate
 * and a latency per GPU, no packets); all others cross the fabric packet by
 * packet, between the NICs of the two GPUs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/busbw.h"
#include "collectives/units.h"
#include "sim/traffic/coll_sim.h"

int sim_placement_from_name(const char *name, enum sim_placement *p)
{
	if (!strcmp(name, "contiguous"))
		*p = SIM_PLACE_CONTIGUOUS;
	else if (!strcmp(name, "random"))
		*p = SIM_PLACE_RANDOM;
	else
		return -1;
	return 0;
}

const char *sim_placement_name(enum sim_placement p)
{
	return p == SIM_PLACE_RANDOM ? "random" : "contiguous";
}

static int sim_coll_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The reason into ERR (if any); returns RC, a negative errno. */
static int sim_coll_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* What NCCL's channel defaults depend on: the collective, its algorithm and ranks, the servers. */
static struct coll_params sim_coll_job_shape(const struct sim_coll_job *job)
{
	struct coll_params p = {
		.kind = job->kind, .algo = job->algo, .nranks = job->nranks,
		.gpus_per_server = job->gpus_per_server,
	};

	return p;
}

uint32_t sim_coll_job_channels(const struct sim_coll_job *job)
{
	struct coll_params p = sim_coll_job_shape(job);

	if (job->nchannels == SIM_COLL_CHANNELS_NCCL)
		return coll_default_channels(&p);
	return job->nchannels ? job->nchannels : 1;
}

uint32_t sim_coll_job_dup(const struct sim_coll_job *job)
{
	struct coll_params p = sim_coll_job_shape(job);

	return job->nchannels == SIM_COLL_CHANNELS_NCCL ? coll_default_dup(&p) : 1;
}

void sim_coll_job_params(const struct sim_coll_job *job, uint64_t bytes, struct coll_params *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = job->kind;
	p->algo = job->algo;
	p->nranks = job->nranks;
	p->bytes = bytes;
	p->elem_bytes = job->elem_bytes;
	p->nchannels = sim_coll_job_channels(job);
	p->gpus_per_server = job->gpus_per_server;
	p->pxn = job->pxn;
	/* 0: as NCCL chooses it, which for trees depends on the size */
	p->chunk_bytes = job->chunk_bytes ? job->chunk_bytes : coll_default_chunk(p);
}

uint64_t sim_coll_job_chunk(const struct sim_coll_job *job, uint64_t bytes)
{
	struct coll_params p;

	sim_coll_job_params(job, bytes, &p);
	return p.chunk_bytes;
}

int sim_coll_job_size_check(const struct sim_coll_job *job, uint64_t bytes, char *err, size_t errlen)
{
	struct coll_params p;
	uint64_t nxfers, mem_bytes;
	char sz[48];

	sim_coll_job_params(job, bytes, &p);
	coll_sched_estimate(&p, &nxfers, &mem_bytes);
	if (nxfers <= SIM_MAX_JOB_XFERS)
		return 0;
	coll_fmt_qty(COLL_QTY_SIZE, bytes, sz, sizeof(sz));
	return sim_coll_fail(err, errlen, -E2BIG,
			     "%s %s on %u ranks at %s would be %.3g transfers, more than the %u a job may have "
			     "(fewer ranks or channels, a smaller size or a larger chunk)", coll_kind_name(job->kind),
			     coll_algo_name(job->algo), job->nranks, sz, (double)nxfers, SIM_MAX_JOB_XFERS);
}

/*
 * Servers are blocks of g consecutive hosts; a job takes whole servers.
 * Counts are 64-bit: a rank count near 2^32 must not wrap into a small
 * server count (it used to, and the rank loop then wrote past the arrays).
 */
int sim_coll_place(const struct sim_topo *t, struct sim_coll_job *job, uint8_t *used, uint64_t seed, char *err,
		   size_t errlen)
{
	uint64_t g = job->gpus_per_server ? job->gpus_per_server : 1;
	uint64_t nserv = t->nhosts / g, need = ((uint64_t)job->nranks + g - 1) / g, nfree = 0;
	uint32_t *order;
	struct sim_rng r;

	job->rank_host = NULL;
	if (!job->nranks || need > nserv)
		return sim_coll_fail(err, errlen, -ENOSPC,
				     "job %s: %u ranks need %llu servers of %llu GPUs; %s has %llu such servers",
				     job->name, job->nranks, (unsigned long long)need, (unsigned long long)g, t->name,
				     (unsigned long long)nserv);
	order = malloc(nserv * sizeof(*order));
	if (!order)
		return sim_coll_fail(err, errlen, -ENOMEM, "job %s: out of memory placing its ranks", job->name);
	for (uint64_t i = 0; i < nserv; i++)
		if (!used[i * g])
			order[nfree++] = (uint32_t)i;
	if (need > nfree) {
		free(order);
		return sim_coll_fail(err, errlen, -ENOSPC, "job %s needs %llu servers of %llu GPUs, only %llu are free",
				     job->name, (unsigned long long)need, (unsigned long long)g,
				     (unsigned long long)nfree);
	}
	job->rank_host = malloc((size_t)job->nranks * sizeof(*job->rank_host));
	if (!job->rank_host) {
		free(order);
		return sim_coll_fail(err, errlen, -ENOMEM, "job %s: out of memory placing its ranks", job->name);
	}
	if (job->placement == SIM_PLACE_RANDOM) {
		sim_rng_seed(&r, seed ^ 0x504c4143ULL);
		for (uint32_t i = (uint32_t)nfree - 1; i > 0; i--) {
			uint32_t j = sim_rng_below(&r, i + 1), x = order[i];

			order[i] = order[j];
			order[j] = x;
		}
	}
	for (uint32_t rank = 0; rank < job->nranks; rank++) {
		uint64_t host = order[rank / g] * g + rank % g;

		job->rank_host[rank] = (uint32_t)host;
		used[host] = 1;
	}
	for (uint64_t i = 0; i < need; i++)
		for (uint64_t k = 0; k < g; k++)
			used[order[i] * g + k] = 1;
	free(order);
	return 0;
}

/*
 * How many transfers coll_build makes for P at most (pieces of zero bytes
 * are dropped, so it may make fewer), and the entries of its last-writer
 * table: the algorithm's own bounds (coll_sched_bounds). In doubles: the
 * point is to refuse what cannot fit before building it, not to be exact.
 */
double sim_coll_xfers_max(const struct coll_params *p, double *table_entries)
{
	uint64_t xfers, table;

	coll_sched_bounds(p, &xfers, &table);
	if (table_entries)
		*table_entries = (double)table;
	return (double)xfers;
}

/*
 * Memory a schedule of P needs at least while it is built: its transfers
 * (56 bytes and a few dependencies each, arrays that double as they grow)
 * and the last-writer table (4 bytes an entry; above 2^30 entries
 * coll_build refuses instead).
 */
static double sim_coll_sched_bytes(const struct coll_params *p, double *xfers)
{
	double table, x = sim_coll_xfers_max(p, &table);

	*xfers = x;
	return x * 2 * (sizeof(struct coll_xfer) + 2 * sizeof(uint32_t)) + (table <= 1073741824.0 ? 4 * table : 0);
}

double sim_coll_need_bytes(const struct coll_params *p, double per_xfer_bytes, double *xfers)
{
	double x, need = sim_coll_sched_bytes(p, &x);

	if (xfers)
		*xfers = x;
	return need + x * per_xfer_bytes;
}

int sim_coll_guard(const struct coll_params *p, double per_xfer_bytes, const char *what, char *err, size_t errlen)
{
	double x, need = sim_coll_need_bytes(p, per_xfer_bytes, &x);

	if (x > (double)SIM_MAX_FLOWS) {
		snprintf(err, errlen, "%s would be %.3g transfers, more than the %u a schedule can hold "
			 "(fewer ranks or channels, or a larger chunk)", what, x, SIM_MAX_FLOWS);
		return -E2BIG;
	}
	return coll_mem_guard(need >= 1.8e19 ? UINT64_MAX : (uint64_t)need, what, err, errlen);
}

/*
 * A PXN transfer leaves through the NIC of the relay GPU (the source
 * server's GPU on the destination's rail: placement keeps rank % g the
 * host's local index). Its NVLink leg, source GPU -> relay GPU, is not a
 * flow of its own: NCCL pipelines it with the network send (the proxy of
 * the relay GPU posts each chunk as it lands), and at 3.6 Tb/s a GPU it is
 * 9x faster than the 400 Gb/s NIC, so the NIC is what bounds the transfer.
 */
static int sim_coll_flow(struct sim *s, const struct sim_coll_job *job, const struct coll_xfer *x, uint32_t tag0,
			 uint32_t dup)
{
	uint32_t g = job->gpus_per_server ? job->gpus_per_server : 1;
	uint32_t src = x->pxn ? coll_pxn_relay(g, x->src_rank, x->dst_rank) : x->src_rank;
	uint32_t a = job->rank_host[src], b = job->rank_host[x->dst_rank];
	bool same_server = a / g == b / g;
	int id;

	if (a == b || x->intra || same_server)
		return sim_add_local_flow(s, job->rank_host[x->src_rank], b, x->bytes, job->nvlink_bps,
					  job->nvlink_lat_ps);
	id = sim_add_flow(s, a, b, x->bytes, job->start_ps);
	if (id >= 0 && (sim_flow_set_conn_tag(s, (uint32_t)id, tag0 + x->channel * dup) ||
			sim_flow_set_conn_dup(s, (uint32_t)id, dup)))
		return -EINVAL;
	return id;
}

/*
 * The first of the connection tags of a job's schedule SC, one per
 * channel: NCCL opens one connection per (peer, channel) and keeps it for
 * the communicator's life (each channel's ring or tree has its own
 * send/recv connectors, src/transport/net.cc and net_ib.cc), so the
 * transfers of a job's channel between two hosts are messages of one
 * connection, its QPs and their ECMP paths. 0 if the tags ran out.
 */
static uint32_t sim_coll_tags(struct sim *s, const struct coll_sched *sc, uint32_t dup)
{
	uint32_t n = 1;

	for (uint32_t i = 0; i < sc->nxfers; i++)
		if (sc->xfers[i].channel >= n)
			n = sc->xfers[i].channel + 1;
	return sim_conn_tags(s, n * dup);
}

/* Longest chain of dependent transfers: what per-message costs add up along. */
static uint32_t sim_coll_depth(const struct coll_sched *sc)
{
	uint32_t *d = calloc(sc->nxfers ? sc->nxfers : 1, sizeof(*d)), best = 0;

	if (!d)
		return 0;
	for (uint32_t i = 0; i < sc->nxfers; i++) {
		const struct coll_xfer *x = &sc->xfers[i];
		const uint32_t *deps = coll_xfer_deps(sc, x);

		d[i] = 1;
		for (uint32_t k = 0; k < x->ndeps; k++)
			if (d[deps[k]] + 1 > d[i])
				d[i] = d[deps[k]] + 1;
		if (d[i] > best)
			best = d[i];
	}
	free(d);
	return best;
}

int sim_coll_add(struct sim *s, struct sim_coll_job *job, char *err, size_t errlen)
{
	struct coll_params p;
	struct coll_sched sc;
	const char *why;
	char what[64], msg[256];
	uint32_t tag0, dup;
	int rc = 0;

	sim_coll_job_params(job, job->bytes, &p);
	why = coll_params_error(&p);
	if (why)
		return sim_coll_fail(err, errlen, -EINVAL, "job %s: %s", job->name, why);
	rc = sim_coll_job_size_check(job, job->bytes, msg, sizeof(msg));
	if (rc)
		return sim_coll_fail(err, errlen, rc, "job %s: %s", job->name, msg);
	snprintf(what, sizeof(what), "job %s", job->name);
	rc = sim_coll_guard(&p, SIM_COLL_FLOW_BYTES, what, err, errlen);
	if (rc)
		return rc;
	coll_sched_init(&sc);
	rc = coll_build(&sc, &p);
	if (rc) {
		sim_coll_fail(err, errlen, rc, "job %s: cannot build the schedule (%s)", job->name,
			      sc.err[0] ? sc.err :
			      rc == -E2BIG ? "too many pieces: use a larger --chunk, or fewer ranks or channels" :
					     strerror(-rc));
		goto out_free_sched;
	}
	job->first_flow = s->nflows;
	job->nflows = sc.nxfers;
	job->net_flows = 0;
	job->depth = sim_coll_depth(&sc);
	dup = sim_coll_job_dup(job);
	tag0 = sim_coll_tags(s, &sc, dup);
	if (!tag0) {
		rc = sim_coll_fail(err, errlen, -EINVAL, "job %s: %s", job->name, sim_error(s));
		goto out_free_sched;
	}
	for (uint32_t i = 0; i < sc.nxfers && !rc; i++) {
		const struct coll_xfer *x = &sc.xfers[i];
		const uint32_t *deps = coll_xfer_deps(&sc, x);
		int id = sim_coll_flow(s, job, x, tag0, dup);

		if (id < 0) {
			rc = sim_coll_fail(err, errlen, -ENOMEM, "job %s: %s", job->name,
					   *sim_error(s) ? sim_error(s) : "out of memory adding its transfers");
			break;
		}
		s->flows[id].start_ps = job->start_ps;
		if (x->op == COLL_OP_REDUCE && job->reduce_bps)
			s->flows[id].post_ps = sim_ser_ps(x->bytes, job->reduce_bps);
		s->flows[id].job = job->first_flow;
		job->net_flows += !s->flows[id].local;
		for (uint32_t k = 0; k < x->ndeps && !rc; k++)
			if (sim_add_dep(s, job->first_flow + deps[k], (uint32_t)id))
				rc = sim_coll_fail(err, errlen, -ENOMEM, "job %s: out of memory adding its transfers",
						   job->name);
	}
out_free_sched:
	coll_sched_free(&sc);
	return rc;
}

/*
 * Whether F finished. finish_ps is 0 for "not yet", but also for a local
 * copy (same GPU) that ended at time 0, which placed all its bytes.
 */
static bool sim_coll_flow_done(const struct sim_flow *f)
{
	return f->finish_ps || (f->local && f->started && f->rx_bytes == f->bytes && !f->post_ps);
}

void sim_coll_result(const struct sim *s, const struct sim_coll_job *job, struct sim_coll_result *r)
{
	uint64_t end = 0, line = sim_topo_nic_bps(s->topo, s->topo->hosts[job->rank_host[0]]);
	uint64_t *sent = calloc(s->topo->nhosts, sizeof(*sent));
	double secs;

	memset(r, 0, sizeof(*r));
	r->slowest_flow = SIM_NONE;
	for (uint32_t i = 0; i < job->nflows; i++) {
		const struct sim_flow *f = &s->flows[job->first_flow + i];
		double fct;

		r->flows_done += sim_coll_flow_done(f);
		if (f->finish_ps > end)
			end = f->finish_ps;
		if (f->local || !f->finish_ps)
			continue;
		if (sent) {
			uint32_t h = s->topo->nodes[f->src].index;

			sent[h] += f->bytes;
			if (sent[h] > r->nic_max_bytes)
				r->nic_max_bytes = sent[h];
		}
		fct = (double)(f->finish_ps - f->start_ps) * 1e-6;
		if (r->slowest_flow == SIM_NONE || fct > r->slowest_fct_us) {
			r->slowest_flow = job->first_flow + i;
			r->slowest_fct_us = fct;
			r->slowest_frac = fct > 0 ? (double)f->bytes * 8 / ((double)f->rate_bps * fct * 1e-6) : 1;
		}
	}
	r->complete = r->flows_done == job->nflows;
	if (!r->complete) {
		/* no figure from a collective that did not finish */
		r->slowest_flow = SIM_NONE;
		r->line_gbps = (double)line / 1e9;
		free(sent);
		return;
	}
	secs = end > job->start_ps ? (double)(end - job->start_ps) * 1e-12 : 0;
	r->time_us = secs * 1e6;
	r->algbw_gbps = coll_algbw_gbps(job->bytes, secs);
	r->busbw_gbps = coll_busbw_gbps(job->kind, job->nranks, job->bytes, secs);
	r->line_gbps = (double)line / 1e9;
	r->effective = coll_line_fraction(r->busbw_gbps, line);
	r->nic_busy = secs > 0 ? (double)r->nic_max_bytes * 8 / ((double)line * secs) : 0;
	free(sent);
}
