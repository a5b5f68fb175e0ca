/*
 * From schedule to simulated traffic. Every transfer of the schedule
 * becomes one flow, in schedule order, so transfer i of a job is flow
 * first_flow + i and the schedule's dependencies map one to one. Transfers
 * between GPUs of one server go over a modelled NVLink-class link (a rate
 * and a latency per GPU, no packets); all others cross the fabric packet by
 * packet, between the NICs of the two GPUs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/busbw.h"
#include "sim/coll_sim.h"

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

/* Servers are blocks of g consecutive hosts; a job takes whole servers. */
int sim_coll_place(const struct sim_topo *t, struct sim_coll_job *job, uint8_t *used, uint64_t seed)
{
	uint32_t g = job->gpus_per_server ? job->gpus_per_server : 1;
	uint32_t nserv = t->nhosts / g, need = (job->nranks + g - 1) / g, nfree = 0, *order;
	struct sim_rng r;

	order = malloc((nserv ? nserv : 1) * sizeof(*order));
	job->rank_host = malloc(job->nranks * sizeof(*job->rank_host));
	if (!order || !job->rank_host) {
		free(order);
		return -1;
	}
	for (uint32_t i = 0; i < nserv; i++)
		if (!used[i * g])
			order[nfree++] = i;
	if (need > nfree) {
		fprintf(stderr, "fabsim: job %s needs %u servers of %u GPUs, only %u are free\n", job->name, need, g,
			nfree);
		free(order);
		return -1;
	}
	if (job->placement == SIM_PLACE_RANDOM) {
		sim_rng_seed(&r, seed ^ 0x504c4143ULL);
		for (uint32_t i = nfree - 1; i > 0; i--) {
			uint32_t j = sim_rng_below(&r, i + 1), x = order[i];

			order[i] = order[j];
			order[j] = x;
		}
	}
	for (uint32_t rank = 0; rank < job->nranks; rank++) {
		uint32_t host = order[rank / g] * g + rank % g;

		job->rank_host[rank] = host;
		used[host] = 1;
	}
	for (uint32_t i = 0; i < need; i++)
		for (uint32_t k = 0; k < g; k++)
			used[order[i] * g + k] = 1;
	free(order);
	return 0;
}

static int sim_coll_flow(struct sim *s, const struct sim_coll_job *job, const struct coll_xfer *x)
{
	uint32_t a = job->rank_host[x->src_rank], b = job->rank_host[x->dst_rank];
	uint32_t g = job->gpus_per_server ? job->gpus_per_server : 1;
	int same_server = a / g == b / g;
	int id;

	if (a == b || x->intra || same_server)
		return sim_add_local_flow(s, a, b, x->bytes, job->nvlink_bps, job->nvlink_lat_ps);
	id = sim_add_flow(s, a, b, x->bytes, job->start_ps);
	return id;
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

int sim_coll_add(struct sim *s, struct sim_coll_job *job)
{
	struct coll_params p = {
		.kind = job->kind, .algo = job->algo, .nranks = job->nranks, .bytes = job->bytes,
		.elem_bytes = job->elem_bytes, .nchannels = job->nchannels, .chunk_bytes = job->chunk_bytes,
		.gpus_per_server = job->gpus_per_server,
	};
	struct coll_sched sc;
	const char *why = coll_params_error(&p);
	int rc = 0;

	if (why) {
		fprintf(stderr, "fabsim: job %s: %s\n", job->name, why);
		return -1;
	}
	coll_sched_init(&sc);
	rc = coll_build(&sc, &p);
	if (rc) {
		fprintf(stderr, "fabsim: job %s: cannot build the schedule (%s)\n", job->name, strerror(-rc));
		goto out_free_sched;
	}
	job->first_flow = s->nflows;
	job->nflows = sc.nxfers;
	job->net_flows = 0;
	job->depth = sim_coll_depth(&sc);
	for (uint32_t i = 0; i < sc.nxfers && !rc; i++) {
		const struct coll_xfer *x = &sc.xfers[i];
		const uint32_t *deps = coll_xfer_deps(&sc, x);
		int id = sim_coll_flow(s, job, x);

		if (id < 0) {
			rc = -1;
			break;
		}
		s->flows[id].start_ps = job->start_ps;
		if (x->op == COLL_OP_REDUCE && job->reduce_bps)
			s->flows[id].post_ps = sim_ser_ps(x->bytes, job->reduce_bps);
		s->flows[id].job = job->first_flow;
		job->net_flows += !s->flows[id].local;
		for (uint32_t k = 0; k < x->ndeps && !rc; k++)
			rc = sim_add_dep(s, job->first_flow + deps[k], (uint32_t)id);
	}
	if (rc)
		fprintf(stderr, "fabsim: job %s: out of memory adding its transfers\n", job->name);
out_free_sched:
	coll_sched_free(&sc);
	return rc ? -1 : 0;
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
	secs = end > job->start_ps ? (double)(end - job->start_ps) * 1e-12 : 0;
	r->time_us = secs * 1e6;
	r->algbw_gbps = coll_algbw_gbps(job->bytes, secs);
	r->busbw_gbps = coll_busbw_gbps(job->kind, job->nranks, job->bytes, secs);
	r->line_gbps = (double)line / 1e9;
	r->effective = coll_line_fraction(r->busbw_gbps, line);
	r->nic_busy = secs > 0 ? (double)r->nic_max_bytes * 8 / ((double)line * secs) : 0;
	free(sent);
}
