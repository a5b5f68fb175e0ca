/*
 * From schedule to simulated traffic. A job is a lazy source of flows
 * (struct sim_src): its schedule's generator (collectives/gen.h) says
 * what each transfer moves and which transfers wait for it, and transfer
 * i of a job is flow first_flow + i, made only when its dependencies are
 * done (sim/fabric/flows.c). Transfers between GPUs of one server go over
 * a modelled NVLink-class link (a rate and a latency per GPU, no packets);
 * all others cross the fabric packet by packet, between the NICs of the
 * two GPUs. The job's figures (sim_coll_result) are running aggregates
 * kept as its transfers finish: nothing per transfer stays.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/busbw.h"
#include "collectives/gen.h"
#include "collectives/units.h"
#include "sim/fabric/dist.h"
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

	uint64_t max;
	bool gen;

	sim_coll_job_params(job, bytes, &p);
	/*
	 * An algorithm with its own generator builds nothing (the run holds
	 * only what is in flight): its bound is time, not memory.
	 */
	gen = coll_algo_ops(p.algo) && coll_algo_ops(p.algo)->gen;
	max = gen ? SIM_MAX_GEN_XFERS : SIM_MAX_JOB_XFERS;
	coll_sched_estimate(&p, &nxfers, &mem_bytes);
	if (nxfers <= max)
		return 0;
	coll_fmt_qty(COLL_QTY_SIZE, bytes, sz, sizeof(sz));
	return sim_coll_fail(err, errlen, -E2BIG,
			     "%s %s on %u ranks at %s would be %.3g transfers, more than the %llu a job may have "
			     "(%sfewer ranks or channels, a smaller size or a larger chunk)", coll_kind_name(job->kind),
			     coll_algo_name(job->algo), job->nranks, sz, (double)nxfers, (unsigned long long)max,
			     gen ? "days of simulation: " : "");
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

/* A job as a lazy source: its generator, what maps a transfer to a flow, its running figures. */
struct sim_coll_src {
	struct sim_src src;		/* first: the run hands it back as this */
	struct coll_gen gen;
	uint32_t *rank_host;		/* a copy: the job's may go before the run's outputs are written */
	uint32_t g;			/* GPUs per server, at least 1 */
	uint64_t nvlink_bps, nvlink_lat_ps, reduce_bps;
	uint32_t tag0, dup;
	/* running figures (sim_coll_result) */
	uint64_t done;			/* transfers finished */
	uint64_t end_ps;		/* the last finish */
	uint64_t *sent_bytes;		/* per host: network payload of finished transfers it sent */
	/* the FCTs of its finished network transfers, us (sim_coll_job_fcts) */
	double *fct_us;
	uint64_t nfct, fct_cap;		/* finished network transfers; entries fct_us holds room for */
	bool fct_over;			/* past SIM_COLL_FCT_MAX or out of memory: fct_us dropped */
	/* the network transfer with the longest FCT */
	struct sim_coll_slow {
		uint64_t flow;		/* its flow id, UINT64_MAX: none */
		double fct_us, frac;	/* its FCT, its throughput / line rate */
		uint32_t src, dst;	/* its host indices */
	} slow;
};

static struct sim_coll_src *sim_coll_src_of(const struct sim_src *src)
{
	return src->priv;
}

static uint32_t sim_coll_ndeps(const struct sim_src *src, uint64_t xid)
{
	const struct coll_gen *g = &sim_coll_src_of(src)->gen;

	return g->ops->ndeps(g, xid);
}

static uint32_t sim_coll_succ(const struct sim_src *src, uint64_t xid, uint32_t from, uint64_t *out, uint32_t max)
{
	const struct coll_gen *g = &sim_coll_src_of(src)->gen;

	return g->ops->succ(g, xid, from, out, max);
}

static uint32_t sim_coll_roots(const struct sim_src *src, uint64_t *cursor, uint64_t *out, uint32_t max)
{
	const struct coll_gen *g = &sim_coll_src_of(src)->gen;

	return g->ops->roots(g, cursor, out, max);
}

/*
 * A PXN transfer leaves through the NIC of the relay GPU (the source
 * server's GPU on the destination's rail: placement keeps rank % g the
 * host's local index). Its NVLink leg, source GPU -> relay GPU, is not a
 * flow of its own: NCCL pipelines it with the network send (the proxy of
 * the relay GPU posts each chunk as it lands), and at 3.6 Tb/s a GPU it is
 * 9x faster than the 400 Gb/s NIC, so the NIC is what bounds the transfer.
 */
bool sim_coll_xfer_net(const uint32_t *rank_host, uint32_t g, const struct coll_xfer *x, uint32_t *a, uint32_t *b)
{
	uint32_t src = x->pxn ? coll_pxn_relay(g, x->src_rank, x->dst_rank) : x->src_rank;

	*a = rank_host[src];
	*b = rank_host[x->dst_rank];
	return !(*a == *b || x->intra || *a / g == *b / g);
}

static void sim_coll_describe_x(const struct sim_coll_src *cs, const struct coll_xfer *x, struct sim_flow_desc *d)
{
	uint32_t a, b;
	bool net = sim_coll_xfer_net(cs->rank_host, cs->g, x, &a, &b);

	memset(d, 0, sizeof(*d));
	d->dst_host = b;
	d->bytes = x->bytes;
	if (x->op == COLL_OP_REDUCE && cs->reduce_bps)
		d->post_ps = sim_ser_ps(x->bytes, cs->reduce_bps);
	if (!net) {
		d->local = true;
		d->src_host = cs->rank_host[x->src_rank];
		d->local_rate_bps = cs->nvlink_bps;
		d->local_lat_ps = cs->nvlink_lat_ps;
		return;
	}
	d->src_host = a;
	d->conn_tag = cs->tag0 + x->channel * cs->dup;
	d->conn_dup = cs->dup;
}

static void sim_coll_describe(const struct sim_src *src, uint64_t xid, struct sim_flow_desc *d)
{
	const struct sim_coll_src *cs = sim_coll_src_of(src);
	struct coll_xfer x;

	cs->gen.ops->xfer(&cs->gen, xid, &x);
	sim_coll_describe_x(cs, &x, d);
}

/*
 * C in place of CUR if slower: the longest FCT, the lowest flow id among
 * equals, so the same flow wins in whatever order they are seen (as a walk
 * in id order found it; a split run's parts, merged).
 */
static void sim_coll_slower(struct sim_coll_slow *cur, const struct sim_coll_slow *c)
{
	if (c->flow == UINT64_MAX)
		return;
	if (cur->flow == UINT64_MAX || c->fct_us > cur->fct_us || (c->fct_us == cur->fct_us && c->flow < cur->flow))
		*cur = *c;
}

/* One more network FCT; past the cap (or out of memory) the job keeps none, and counts on. */
static void sim_coll_fct_add(struct sim_coll_src *cs, double fct_us)
{
	double *v;

	cs->nfct++;
	if (cs->fct_over)
		return;
	if (cs->nfct > cs->fct_cap) {
		uint64_t cap = cs->fct_cap ? 2 * cs->fct_cap : 1024;

		v = cs->nfct <= SIM_COLL_FCT_MAX ? realloc(cs->fct_us, cap * sizeof(*v)) : NULL;
		if (!v) {
			free(cs->fct_us);
			cs->fct_us = NULL;
			cs->fct_over = true;
			return;
		}
		cs->fct_us = v;
		cs->fct_cap = cap;
	}
	cs->fct_us[cs->nfct - 1] = fct_us;
}

/* Transfer F finished: the job's figures, as sim_coll_result once read them off every flow. */
static void sim_coll_done(struct sim_src *src, const struct sim *s, const struct sim_flow *f)
{
	struct sim_coll_src *cs = sim_coll_src_of(src);
	struct sim_coll_slow c;

	cs->done++;
	if (f->finish_ps > cs->end_ps)
		cs->end_ps = f->finish_ps;
	if (f->local || !f->finish_ps)
		return;
	cs->sent_bytes[s->topo->nodes[f->src].index] += f->bytes;
	c.flow = f->id;
	c.fct_us = (double)(f->finish_ps - f->start_ps) * 1e-6;
	c.frac = c.fct_us > 0 ? (double)f->bytes * 8 / ((double)f->rate_bps * c.fct_us * 1e-6) : 1;
	c.src = s->topo->nodes[f->src].index;
	c.dst = s->topo->nodes[f->dst].index;
	sim_coll_slower(&cs->slow, &c);
	sim_coll_fct_add(cs, c.fct_us);
}

static void sim_coll_release(struct sim_src *src)
{
	struct sim_coll_src *cs = sim_coll_src_of(src);

	coll_gen_free(&cs->gen);
	free(cs->rank_host);
	free(cs->sent_bytes);
	free(cs->fct_us);
	free(cs);
}

/*
 * What sim_coll_done gathered in one part of a split run, for part 0;
 * then the bytes each host sent, then the nfct FCTs unless fct_over.
 */
struct sim_coll_figs {
	uint64_t done, end_ps;
	struct sim_coll_slow slow;
	uint64_t nfct;
	uint64_t fct_over;		/* 0 or 1 (no padding in what is sent) */
};

static int sim_coll_pack(const struct sim_src *src, const struct sim *s, struct sim_buf *b)
{
	const struct sim_coll_src *cs = sim_coll_src_of(src);
	struct sim_coll_figs fg = {
		.done = cs->done, .end_ps = cs->end_ps, .slow = cs->slow, .nfct = cs->nfct, .fct_over = cs->fct_over,
	};

	return sim_buf_put(b, &fg, sizeof(fg)) ||
	       sim_buf_put(b, cs->sent_bytes, s->topo->nhosts * sizeof(*cs->sent_bytes)) ||
	       (!cs->fct_over && cs->nfct && sim_buf_put(b, cs->fct_us, cs->nfct * sizeof(*cs->fct_us))) ? -ENOMEM : 0;
}

/* Sums, the latest end, and the slowest flow by sim_coll_done's own rule: what one process finds. */
static int sim_coll_merge(struct sim_src *src, const struct sim *s, const void *data, size_t len)
{
	struct sim_coll_src *cs = sim_coll_src_of(src);
	const uint8_t *p = data;
	struct sim_coll_figs fg;

	if (len < sizeof(fg))
		return -EPROTO;
	memcpy(&fg, p, sizeof(fg));
	if (fg.nfct > SIM_COLL_FCT_MAX && !fg.fct_over)
		return -EPROTO;
	if (len != sizeof(fg) + s->topo->nhosts * sizeof(uint64_t) + (fg.fct_over ? 0 : fg.nfct * sizeof(double)))
		return -EPROTO;
	cs->done += fg.done;
	if (fg.end_ps > cs->end_ps)
		cs->end_ps = fg.end_ps;
	for (uint32_t h = 0; h < s->topo->nhosts; h++) {
		uint64_t v;

		memcpy(&v, p + sizeof(fg) + h * sizeof(v), sizeof(v));
		cs->sent_bytes[h] += v;
	}
	sim_coll_slower(&cs->slow, &fg.slow);
	/* the FCTs in any order (percentiles sort them); a part past the cap leaves counts only */
	if (fg.fct_over) {
		free(cs->fct_us);
		cs->fct_us = NULL;
		cs->fct_over = true;
		cs->nfct += fg.nfct;
		return 0;
	}
	for (uint64_t i = 0; i < fg.nfct; i++) {
		double v;

		memcpy(&v, p + sizeof(fg) + s->topo->nhosts * sizeof(uint64_t) + i * sizeof(v), sizeof(v));
		sim_coll_fct_add(cs, v);
	}
	return 0;
}

static const struct sim_src_ops sim_coll_src_ops = {
	.ndeps = sim_coll_ndeps,
	.succ = sim_coll_succ,
	.roots = sim_coll_roots,
	.describe = sim_coll_describe,
	.done = sim_coll_done,
	.release = sim_coll_release,
	.pack = sim_coll_pack,
	.merge = sim_coll_merge,
};

/*
 * One pass over the job's transfers, in id order, nothing kept: the
 * channels its schedule uses (NCCL opens one connection per peer and
 * channel and keeps it for the communicator's life: each channel's ring
 * or tree has its own send/recv connectors, src/transport/net.cc and
 * net_ib.cc, so the transfers of a job's channel between two hosts are
 * messages of one connection, its QPs and their ECMP paths), its network
 * transfers, its largest one.
 */
static void sim_coll_scan(const struct sim_coll_src *cs, uint32_t *nch, uint64_t *net, uint64_t *max_bytes)
{
	const struct coll_gen *g = &cs->gen;
	uint64_t n = coll_gen_count(g);
	struct sim_flow_desc d;
	struct coll_xfer x;

	*nch = 1;
	*net = 0;
	*max_bytes = 0;
	for (uint64_t i = 0; i < n; i++) {
		g->ops->xfer(g, i, &x);
		if (x.channel >= *nch)
			*nch = x.channel + 1;
		if (x.bytes > *max_bytes)
			*max_bytes = x.bytes;
		sim_coll_describe_x(cs, &x, &d);
		*net += !d.local;
	}
}

/* Longest chain of dependent transfers, what per-message costs add up along: 0 past SIM_COLL_DEPTH_MAX transfers. */
#define SIM_COLL_DEPTH_MAX (1ULL << 26)

static uint32_t sim_coll_depth(const struct coll_gen *g)
{
	uint64_t n = coll_gen_count(g), out[64];
	uint32_t *d, best = 0;

	if (n > SIM_COLL_DEPTH_MAX)
		return 0;
	d = calloc(n ? n : 1, sizeof(*d));
	if (!d)
		return 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t k, from = 0;

		/* ascending ids are a topological order: D[i] is final when i is reached */
		d[i] = d[i] ? d[i] : 1;
		if (d[i] > best)
			best = d[i];
		do {
			k = g->ops->succ(g, i, from, out, 64);
			for (uint32_t j = 0; j < k; j++)
				if (d[out[j]] < d[i] + 1)
					d[out[j]] = d[i] + 1;
			from += k;
		} while (k == 64);
	}
	free(d);
	return best;
}

/* The job's source, its generator made (-EINVAL, -E2BIG, -ENOMEM with the reason in ERR). */
static int sim_coll_src_new(const struct sim *s, struct sim_coll_job *job, const struct coll_params *p,
			    struct sim_coll_src **out, char *err, size_t errlen)
{
	struct sim_coll_src *cs = calloc(1, sizeof(*cs));
	int rc;

	*out = NULL;
	if (!cs || !(cs->rank_host = malloc((size_t)job->nranks * sizeof(*cs->rank_host))) ||
	    !(cs->sent_bytes = calloc(s->topo->nhosts, sizeof(*cs->sent_bytes)))) {
		if (cs) {
			free(cs->rank_host);
			free(cs);
		}
		return sim_coll_fail(err, errlen, -ENOMEM, "job %s: out of memory", job->name);
	}
	rc = coll_gen_create(&cs->gen, p);
	if (rc) {
		sim_coll_fail(err, errlen, rc, "job %s: cannot build the schedule (%s)", job->name,
			      cs->gen.err[0] ? cs->gen.err :
			      rc == -E2BIG ? "too many pieces: use a larger --chunk, or fewer ranks or channels" :
					     strerror(-rc));
		free(cs->sent_bytes);
		free(cs->rank_host);
		free(cs);
		return rc;
	}
	memcpy(cs->rank_host, job->rank_host, (size_t)job->nranks * sizeof(*cs->rank_host));
	cs->g = job->gpus_per_server ? job->gpus_per_server : 1;
	cs->nvlink_bps = job->nvlink_bps;
	cs->nvlink_lat_ps = job->nvlink_lat_ps;
	cs->reduce_bps = job->reduce_bps;
	cs->dup = sim_coll_job_dup(job);
	cs->slow.flow = UINT64_MAX;
	cs->src.ops = &sim_coll_src_ops;
	cs->src.priv = cs;
	cs->src.count = coll_gen_count(&cs->gen);
	cs->src.start_ps = job->start_ps;
	cs->src.server_hosts = cs->g;
	*out = cs;
	return 0;
}

/*
 * What the job keeps per transfer: the wrapped schedule's successor lists
 * (4 bytes a dependency, 4 a transfer) beside coll_build's schedule; an
 * algorithm with its own generator keeps nothing per transfer.
 */
#define SIM_COLL_WRAP_BYTES 16.0

int sim_coll_add(struct sim *s, struct sim_coll_job *job, char *err, size_t errlen)
{
	const struct coll_algo_ops *ops;
	struct sim_coll_src *cs;
	struct coll_params p;
	const char *why;
	char what[64], msg[256];
	uint64_t max_bytes, net;
	uint32_t nch;
	int rc = 0;

	sim_coll_job_params(job, job->bytes, &p);
	why = coll_params_error(&p);
	if (why)
		return sim_coll_fail(err, errlen, -EINVAL, "job %s: %s", job->name, why);
	ops = coll_algo_ops(p.algo);
	/* a built schedule is what bounds a job without its own generator (coll_build's memory) */
	if (!ops->gen) {
		rc = sim_coll_job_size_check(job, job->bytes, msg, sizeof(msg));
		if (rc)
			return sim_coll_fail(err, errlen, rc, "job %s: %s", job->name, msg);
		snprintf(what, sizeof(what), "job %s", job->name);
		rc = sim_coll_guard(&p, SIM_COLL_WRAP_BYTES, what, err, errlen);
		if (rc)
			return rc;
	}
	rc = sim_coll_src_new(s, job, &p, &cs, err, errlen);
	if (rc)
		return rc;
	sim_coll_scan(cs, &nch, &net, &max_bytes);
	/* PSNs are 32-bit: a transfer must not need more packets than they count (sim_add_flow's rule) */
	if (max_bytes / s->mtu_bytes >= SIM_MAX_FLOW_PKTS || job->start_ps > SIM_TIME_LIMIT_PS) {
		sim_coll_release(&cs->src);
		return sim_coll_fail(err, errlen, -ENOMEM, "job %s: a transfer of %llu bytes is more than %llu "
				     "packets of %u B, or a start past the model's horizon", job->name,
				     (unsigned long long)max_bytes, (unsigned long long)SIM_MAX_FLOW_PKTS, s->mtu_bytes);
	}
	cs->tag0 = sim_conn_tags(s, nch * cs->dup);
	if (!cs->tag0) {
		sim_coll_release(&cs->src);
		return sim_coll_fail(err, errlen, -EINVAL, "job %s: %s", job->name, sim_error(s));
	}
	/*
	 * A wrapped schedule is O(transfers) anyway; an algorithm's own
	 * generator keeps to O(ranks) past what a built job may have, so
	 * the jobs a schedule could hold keep their depth (predict fits on it).
	 */
	job->depth = !ops->gen || cs->src.count <= SIM_MAX_JOB_XFERS ? sim_coll_depth(&cs->gen) : 0;
	job->net_flows = net;
	job->first_flow = s->nflows;
	job->nflows = cs->src.count;
	rc = sim_add_src(s, &cs->src);
	if (rc)
		return sim_coll_fail(err, errlen, rc, "job %s: %s", job->name, sim_error(s));
	return 0;
}

void sim_coll_result(const struct sim *s, const struct sim_coll_job *job, struct sim_coll_result *r)
{
	uint64_t line = sim_topo_host_bps(s->topo, s->topo->hosts[job->rank_host ? job->rank_host[0] : 0]);
	const struct sim_src *src = sim_src_find(s, job->first_flow);
	const struct sim_coll_src *cs = src && job->nflows ? sim_coll_src_of(src) : NULL;
	double secs;

	memset(r, 0, sizeof(*r));
	r->slowest_flow = SIM_COLL_NO_FLOW;
	r->line_gbps = (double)line / 1e9;
	if (cs) {
		line = sim_topo_host_bps(s->topo, s->topo->hosts[cs->rank_host[0]]);
		r->line_gbps = (double)line / 1e9;
		r->flows_done = cs->done;
		for (uint32_t h = 0; h < s->topo->nhosts; h++)
			if (cs->sent_bytes[h] > r->nic_max_bytes)
				r->nic_max_bytes = cs->sent_bytes[h];
	}
	r->net_done = cs ? cs->nfct : 0;
	r->complete = r->flows_done == job->nflows;
	/* no figure from a collective that did not finish */
	if (!r->complete)
		return;
	if (cs && cs->slow.flow != UINT64_MAX) {
		r->slowest_flow = cs->slow.flow;
		r->slowest_fct_us = cs->slow.fct_us;
		r->slowest_frac = cs->slow.frac;
		r->slowest_src = cs->slow.src;
		r->slowest_dst = cs->slow.dst;
	}
	secs = cs && cs->end_ps > job->start_ps ? (double)(cs->end_ps - job->start_ps) * 1e-12 : 0;
	r->time_us = secs * 1e6;
	r->algbw_GBps = coll_algbw_GBps(job->bytes, secs);
	r->busbw_GBps = coll_busbw_GBps(job->kind, job->nranks, job->bytes, secs);
	r->effective = coll_line_fraction(r->busbw_GBps, line);
	r->nic_busy = secs > 0 ? (double)r->nic_max_bytes * 8 / ((double)line * secs) : 0;
}

const struct coll_gen *sim_coll_job_gen(const struct sim *s, const struct sim_coll_job *job)
{
	const struct sim_src *src = job->nflows ? sim_src_find(s, job->first_flow) : NULL;

	return src ? &sim_coll_src_of(src)->gen : NULL;
}

double *sim_coll_job_fcts(const struct sim *s, const struct sim_coll_job *job, uint64_t *n)
{
	const struct sim_src *src = job->nflows ? sim_src_find(s, job->first_flow) : NULL;
	struct sim_coll_src *cs = src ? sim_coll_src_of(src) : NULL;

	*n = cs ? cs->nfct : 0;
	return cs && !cs->fct_over && cs->nfct ? cs->fct_us : NULL;
}
