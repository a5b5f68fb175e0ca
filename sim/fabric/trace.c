/*
 * Time series of ports: queues, pause state and counters, as trace.csv
 * rows. Two ways to get one. Named (fabsim run --trace-port): one port,
 * its rows written as it goes. By default: every switch egress port. Both
 * sample at the instants 0, I, 2I ... up to the run's end (end_ps), each
 * seeing the state after every event at or before it, through the
 * engine's probe hook (engine.h), which reads the state between events
 * without being one, so a traced run is the untraced run event for event
 * (and a split run's samples are the serial run's); for the default trace memory stays
 * bounded by halving the samples and doubling the interval when a port's
 * buffer fills, and at the end the port with the highest peak queue is
 * the one reported (sim_trace_pick). Also how a command line names a port.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sim/fabric/sim.h"
#include "sim/fabric/dist_priv.h"
#include "sim/topo/fail.h"

/* Below this many samples per port a trace no longer shows a shape. */
#define SIM_TRACE_MIN_SAMPLES 16

/*
 * One port at one instant. Counters and the control queue are kept in 32
 * bits (saturating): 2^32 packets through one port is 16 TiB of 4 KiB
 * frames, beyond any run the simulator holds; the data queue and bytes
 * sent keep 64 (--buffer reaches 64 GiB).
 */
struct sim_trace_rec {
	uint64_t data_bytes;	/* data queue, wire bytes */
	uint64_t tx_bytes;	/* wire bytes sent since t = 0 */
	uint32_t ctrl_bytes;	/* control queue, wire bytes */
	uint32_t pauses_rcvd, pauses_sent, ecn_marks, drops;
	uint8_t paused;
};

/* Classes of switch egress ports timeline.csv sums (sim_trace_write_timeline). */
enum sim_tl_class { SIM_TLC_HOST, SIM_TLC_LEAF_UP, SIM_TLC_T2_DOWN, SIM_TLC_T2_UP, SIM_TLC_T3_DOWN, SIM_TLC_N };

/* What each class of links could carry at one instant: live links at their rates then, b/s. */
struct sim_trace_cap {
	uint64_t bps[SIM_TLC_N];
};

struct sim_tracer {
	uint32_t nports;	/* switch egress ports */
	uint8_t *cls;		/* per traced port: enum sim_tl_class, or SIM_TLC_N for none */
	struct sim_trace_cap *cap_at;	/* per sample, as rec (stride entries) */
	uint32_t *port;		/* their indices, ascending */
	uint32_t *slot;		/* per port of the topology: index into port[], or SIM_NONE */
	uint32_t cap;		/* samples per port, a power of two */
	/*
	 * Records per port: cap, plus (in a split run) room for one window's
	 * samples, which are halved at the window's end (sim_trace_settle)
	 * once the part knows whether the run ended within the window.
	 */
	uint32_t stride;
	uint32_t n;		/* samples taken per port (all alike) */
	uint64_t interval_ps;	/* sample k is at k x interval_ps */
	struct sim_trace_rec *rec;	/* nports x cap, port after port */
};

void sim_trace_port(struct sim *s, uint32_t port, uint64_t interval_ps, FILE *out)
{
	s->trace = out;
	s->trace_port = port;
	s->trace_interval_ps = interval_ps ? interval_ps : SIM_TRACE_INTERVAL_PS;
	s->trace_next = 0;
	/* the first sample, at t = 0, before the first event past it */
	s->eng.probe_next_ps = 0;
}

/* One row of the named port's trace: its state now, stamped AT_PS. */
static void sim_trace_line(struct sim *s, uint64_t at_ps)
{
	const struct sim_portq *q = &s->pq[s->trace_port];
	const struct sim_portq_stats *st = &s->pst[s->trace_port];

	fprintf(s->trace, "%.3f,%llu,%llu,%u,%llu,%llu,%llu,%llu,%llu\n", at_ps * 1e-6,
		(unsigned long long)q->qbytes[SIM_PRIO_DATA], (unsigned long long)q->qbytes[SIM_PRIO_CTRL],
		(unsigned int)q->paused, (unsigned long long)q->tx_bytes, (unsigned long long)st->pauses_rcvd,
		(unsigned long long)st->pauses_sent, (unsigned long long)st->ecn_marks,
		(unsigned long long)st->drops);
}

static uint32_t sim_trace_sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* A split run's room for one window's samples at the first (finest) interval; 0 in one process. */
static uint32_t sim_trace_slack(const struct sim *s, uint64_t interval_ps)
{
	uint64_t w;

	if (!sim_dist_split(s))
		return 0;
	w = sim_dist_lookahead(s) / interval_ps + 2;
	return w > 1024 ? 1024 : (uint32_t)w;
}

/* Which class of timeline.csv switch egress PORT belongs to, by the tiers at its two ends. */
static uint8_t sim_trace_class(const struct sim_topo *t, uint32_t port)
{
	const struct sim_node *n = &t->nodes[t->ports[port].node];
	const struct sim_node *m = &t->nodes[t->ports[t->ports[port].peer].node];

	if (m->kind == SIM_NODE_HOST)
		return SIM_TLC_HOST;
	if (n->tier == 1 && m->tier == 2)
		return SIM_TLC_LEAF_UP;
	if (n->tier == 2 && m->tier == 1)
		return SIM_TLC_T2_DOWN;
	if (n->tier == 2 && m->tier == 3)
		return SIM_TLC_T2_UP;
	if (n->tier == 3 && m->tier == 2)
		return SIM_TLC_T3_DOWN;
	return SIM_TLC_N;
}

int sim_trace_all(struct sim *s, uint64_t interval_ps, uint32_t max_samples, uint64_t budget_bytes)
{
	const struct sim_topo *t = s->topo;
	struct sim_tracer *tr;
	uint32_t cap = max_samples;
	uint64_t need;
	char err[160];

	if (s->tracer || s->prepared || cap < 2 || (cap & (cap - 1))) {
		snprintf(s->err, sizeof(s->err), "default trace: set once before the run, with a power of two "
			 ">= 2 samples per port (%u)", max_samples);
		return -EINVAL;
	}
	tr = calloc(1, sizeof(*tr));
	if (!tr)
		goto out_nomem;
	s->tracer = tr;
	tr->slot = malloc((size_t)t->nports * sizeof(*tr->slot));
	tr->port = malloc((size_t)t->nports * sizeof(*tr->port));
	if (!tr->slot || !tr->port)
		goto out_free;
	for (uint32_t i = 0; i < t->nports; i++) {
		tr->slot[i] = SIM_NONE;
		if (t->nodes[t->ports[i].node].kind != SIM_NODE_SWITCH)
			continue;
		tr->slot[i] = tr->nports;
		tr->port[tr->nports++] = i;
	}
	/* big fabrics: fewer samples per port before the memory they take */
	while (cap > SIM_TRACE_MIN_SAMPLES &&
	       coll_mul_sat_u64((uint64_t)tr->nports * cap, sizeof(*tr->rec)) > budget_bytes)
		cap /= 2;
	interval_ps = interval_ps ? interval_ps : SIM_TRACE_INTERVAL_PS;
	tr->stride = cap + sim_trace_slack(s, interval_ps);
	need = coll_mul_sat_u64((uint64_t)tr->nports * tr->stride, sizeof(*tr->rec));
	if (coll_mem_guard(need, "the default trace", err, sizeof(err))) {
		snprintf(s->err, sizeof(s->err), "%s", err);
		sim_trace_free(s);
		return -ENOMEM;
	}
	tr->rec = malloc(need ? need : 1);
	tr->cap_at = calloc(tr->stride, sizeof(*tr->cap_at));
	tr->cls = malloc(tr->nports ? tr->nports : 1);
	if (!tr->rec || !tr->cap_at || !tr->cls)
		goto out_free;
	for (uint32_t p = 0; p < tr->nports; p++)
		tr->cls[p] = sim_trace_class(t, tr->port[p]);
	tr->cap = cap;
	tr->interval_ps = interval_ps;
	/* the first sample, at t = 0, before the first event past it */
	s->eng.probe_next_ps = 0;
	return 0;

out_free:
	sim_trace_free(s);
out_nomem:
	snprintf(s->err, sizeof(s->err), "out of memory for the default trace");
	return -ENOMEM;
}

/*
 * Full: keep samples 0, 2, 4, ... (the instants of the doubled interval).
 * Halving later, with more than cap samples, keeps the same instants as
 * halving at cap and sampling on at the doubled interval would have.
 */
static void sim_trace_decimate(struct sim_tracer *tr)
{
	uint32_t keep = (tr->n + 1) / 2;

	for (uint32_t p = 0; p < tr->nports; p++) {
		struct sim_trace_rec *r = &tr->rec[(size_t)p * tr->stride];

		for (uint32_t i = 1; i < keep; i++)
			r[i] = r[2 * i];
	}
	for (uint32_t i = 1; i < keep; i++)
		tr->cap_at[i] = tr->cap_at[2 * i];
	tr->n = keep;
	tr->interval_ps *= 2;
}

void sim_trace_settle(struct sim *s)
{
	struct sim_tracer *tr = s->tracer;

	while (tr && tr->n >= tr->cap)
		sim_trace_decimate(tr);
}

static void sim_trace_take(struct sim *s, struct sim_tracer *tr)
{
	struct sim_trace_cap *c = &tr->cap_at[tr->n];

	*c = (struct sim_trace_cap){ { 0 } };
	for (uint32_t p = 0; p < tr->nports; p++) {
		const struct sim_portq *q = &s->pq[tr->port[p]];
		const struct sim_portq_stats *st = &s->pst[tr->port[p]];
		const struct sim_port *tp = &s->topo->ports[tr->port[p]];
		struct sim_trace_rec *r = &tr->rec[(size_t)p * tr->stride + tr->n];

		/* links fail and slow down during a run: capacity as it is now */
		if (tr->cls[p] < SIM_TLC_N && !tp->down)
			c->bps[tr->cls[p]] += tp->rate_bps;
		r->data_bytes = q->qbytes[SIM_PRIO_DATA];
		r->tx_bytes = q->tx_bytes;
		r->ctrl_bytes = sim_trace_sat32(q->qbytes[SIM_PRIO_CTRL]);
		r->pauses_rcvd = sim_trace_sat32(st->pauses_rcvd);
		r->pauses_sent = sim_trace_sat32(st->pauses_sent);
		r->ecn_marks = sim_trace_sat32(st->ecn_marks);
		r->drops = sim_trace_sat32(st->drops);
		r->paused = q->paused;
	}
	/* a split run halves at its windows' ends, unless a window outgrew its room */
	if (++tr->n == (sim_dist_split(s) ? tr->stride : tr->cap))
		sim_trace_decimate(tr);
}

/*
 * The samples of every instant up to LAST_PS not yet taken, of both
 * traces; the state does not change between events, so every such instant
 * sees the state the last event left (events at the instant itself
 * included). None past the model's horizon. Returns the next instant.
 */
static uint64_t sim_trace_upto(struct sim *s, uint64_t last_ps)
{
	struct sim_tracer *tr = s->tracer;
	uint64_t at, next = UINT64_MAX;

	while (tr) {
		at = coll_mul_sat_u64(tr->n, tr->interval_ps);
		if (at > last_ps || at >= SIM_TIME_LIMIT_PS) {
			next = at;
			break;
		}
		sim_trace_take(s, tr);
	}
	while (s->trace) {
		at = coll_mul_sat_u64(s->trace_next, s->trace_interval_ps);
		if (at > last_ps || at >= SIM_TIME_LIMIT_PS) {
			next = at < next ? at : next;
			break;
		}
		sim_trace_line(s, at);
		s->trace_next++;
	}
	return next;
}

void sim_trace_probe(struct sim *s, uint64_t next_ps)
{
	/* once every flow finished the run ends at the last finish: nothing past it until the flush */
	bool ended = s->ended;
	uint64_t next = sim_trace_upto(s, ended && s->last_finish_ps < next_ps ? s->last_finish_ps : next_ps - 1);

	s->eng.probe_next_ps = ended ? UINT64_MAX : next;
}

void sim_trace_truncate(struct sim *s, uint64_t last_ps)
{
	struct sim_tracer *tr = s->tracer;

	if (tr && tr->n && (uint64_t)(tr->n - 1) * tr->interval_ps > last_ps)
		tr->n = (uint32_t)(last_ps / tr->interval_ps) + 1;
}

void sim_trace_flush(struct sim *s)
{
	s->eng.probe_next_ps = sim_trace_upto(s, s->end_ps);
}

uint32_t sim_trace_pick(const struct sim *s)
{
	const struct sim_topo *t = s->topo;
	uint64_t frame = sim_wire_bytes(s->mtu_bytes, SIM_PKT_DATA), peak = 0, fabric_tx = 0, any_tx = 0;
	uint32_t by_queue = SIM_NONE, by_fabric = SIM_NONE, by_any = SIM_NONE;

	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_portq *q = &s->pq[i];

		if (t->nodes[t->ports[i].node].kind != SIM_NODE_SWITCH)
			continue;
		if (by_any == SIM_NONE || q->tx_bytes > any_tx) {
			by_any = i;
			any_tx = q->tx_bytes;
		}
		if (q->max_qbytes > frame && q->max_qbytes > peak) {
			by_queue = i;
			peak = q->max_qbytes;
		}
		if (t->nodes[t->ports[t->ports[i].peer].node].kind == SIM_NODE_SWITCH &&
		    (by_fabric == SIM_NONE || q->tx_bytes > fabric_tx)) {
			by_fabric = i;
			fabric_tx = q->tx_bytes;
		}
	}
	if (by_queue != SIM_NONE)
		return by_queue;
	return by_fabric != SIM_NONE ? by_fabric : by_any;
}

uint32_t sim_trace_count(const struct sim *s)
{
	return s->tracer ? s->tracer->n : 0;
}

uint64_t sim_trace_interval(const struct sim *s)
{
	return s->tracer ? s->tracer->interval_ps : s->trace_interval_ps;
}

int sim_trace_write(const struct sim *s, uint32_t port, FILE *out)
{
	const struct sim_tracer *tr = s->tracer;
	const struct sim_trace_rec *r;

	if (!tr || port >= s->topo->nports || tr->slot[port] == SIM_NONE)
		return -EINVAL;
	r = &tr->rec[(size_t)tr->slot[port] * tr->stride];
	/* the named trace's format, row for row */
	for (uint32_t i = 0; i < tr->n; i++, r++)
		fprintf(out, "%.3f,%llu,%llu,%u,%llu,%llu,%llu,%llu,%llu\n",
			(double)((uint64_t)i * tr->interval_ps) * 1e-6, (unsigned long long)r->data_bytes,
			(unsigned long long)r->ctrl_bytes, (unsigned int)r->paused, (unsigned long long)r->tx_bytes,
			(unsigned long long)r->pauses_rcvd, (unsigned long long)r->pauses_sent,
			(unsigned long long)r->ecn_marks, (unsigned long long)r->drops);
	return 0;
}

/* One utilization cell: bytes over what CAP b/s carry in DT ps, blank when the class has no links. */
static void sim_trace_util(FILE *out, uint64_t bytes, uint64_t cap_bps, uint64_t dt_ps)
{
	if (cap_bps)
		fprintf(out, ",%.4f", (double)bytes * 8e12 / ((double)cap_bps * (double)dt_ps));
	else
		fputs(",", out);
}

int sim_trace_write_timeline(const struct sim *s, FILE *out)
{
	const struct sim_tracer *tr = s->tracer;

	if (!tr || sim_dist_split(s))
		return -EINVAL;
	for (uint32_t i = 1; i < tr->n; i++) {
		uint64_t bytes[SIM_TLC_N] = { 0 }, drops = 0;
		const struct sim_trace_cap *c = &tr->cap_at[i];
		uint64_t dt = tr->interval_ps;

		for (uint32_t p = 0; p < tr->nports; p++) {
			const struct sim_trace_rec *r = &tr->rec[(size_t)p * tr->stride + i];

			if (tr->cls[p] < SIM_TLC_N)
				bytes[tr->cls[p]] += r->tx_bytes - r[-1].tx_bytes;
			drops += r->drops - r[-1].drops;
		}
		fprintf(out, "%.3f,%.3f", (double)((uint64_t)i * dt) * 1e-6,
			(double)bytes[SIM_TLC_HOST] * 8e3 / (double)dt);
		sim_trace_util(out, bytes[SIM_TLC_HOST], c->bps[SIM_TLC_HOST], dt);
		for (int k = SIM_TLC_LEAF_UP; k < SIM_TLC_N; k++)
			sim_trace_util(out, bytes[k], c->bps[k], dt);
		fprintf(out, ",%llu\n", (unsigned long long)drops);
	}
	return 0;
}

/* A port's samples as they travel from the part that owns it to part 0 (dist.c). */
struct sim_trace_head {
	uint32_t n;
	uint64_t interval_ps;
};

int sim_trace_pack(const struct sim *s, uint32_t port, struct sim_buf *b)
{
	const struct sim_tracer *tr = s->tracer;
	struct sim_trace_head h;

	if (!tr || port >= s->topo->nports || tr->slot[port] == SIM_NONE)
		return 0;
	h = (struct sim_trace_head){ .n = tr->n, .interval_ps = tr->interval_ps };
	if (sim_buf_put(b, &h, sizeof(h)) ||
	    sim_buf_put(b, &tr->rec[(size_t)tr->slot[port] * tr->stride], (size_t)tr->n * sizeof(*tr->rec)))
		return -ENOMEM;
	return 0;
}

int sim_trace_unpack(struct sim *s, uint32_t port, const uint8_t *data, size_t len)
{
	struct sim_tracer *tr = s->tracer;
	struct sim_trace_head h;

	if (!len)
		return 0;
	if (!tr || port >= s->topo->nports || tr->slot[port] == SIM_NONE || len < sizeof(h))
		return -EPROTO;
	memcpy(&h, data, sizeof(h));
	/* every part sampled the same instants */
	if (h.n != tr->n || h.interval_ps != tr->interval_ps || len != sizeof(h) + (size_t)h.n * sizeof(*tr->rec))
		return -EPROTO;
	memcpy(&tr->rec[(size_t)tr->slot[port] * tr->stride], data + sizeof(h), (size_t)h.n * sizeof(*tr->rec));
	return 0;
}

void sim_trace_free(struct sim *s)
{
	struct sim_tracer *tr = s->tracer;

	if (!tr)
		return;
	free(tr->rec);
	free(tr->cap_at);
	free(tr->cls);
	free(tr->port);
	free(tr->slot);
	free(tr);
	s->tracer = NULL;
	if (!s->trace)
		s->eng.probe_next_ps = UINT64_MAX;
}

uint32_t sim_port_lookup(const struct sim_topo *t, const char *spec)
{
	char from[64], to[64];
	const char *colon = strchr(spec, ':');
	const struct sim_node *n;
	uint32_t node;
	char *end;

	if (!colon) {
		unsigned long v = strtoul(spec, &end, 10);

		return *spec && !*end && v < t->nports ? (uint32_t)v : SIM_NONE;
	}
	if ((size_t)(colon - spec) >= sizeof(from))
		return SIM_NONE;
	memcpy(from, spec, (size_t)(colon - spec));
	from[colon - spec] = 0;
	/* the spelling `fabsim topo` prints, as --fail names links */
	node = sim_topo_node_by_name(t, from);
	if (node == SIM_NONE)
		return SIM_NONE;
	n = &t->nodes[node];
	for (uint32_t p = n->first_port; p < n->first_port + n->nports; p++) {
		sim_topo_node_name(t, t->ports[t->ports[p].peer].node, to, sizeof(to));
		if (!strcmp(to, colon + 1))
			return p;
	}
	return SIM_NONE;
}
