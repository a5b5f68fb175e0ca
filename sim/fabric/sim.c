/*
 * Run lifecycle: creating the run-time state over a topology, the packet
 * pool, flows and their dependencies, and the main event loop.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include "sim/fabric/sim.h"

#define SIM_SLAB_PKTS 4096
/* No delivery for this long, with a cycle of paused ports: a PFC deadlock. */
#define SIM_WATCHDOG_PS 2000000000ULL
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* sim_dispatch casts a popped event to the object that embeds it first. */
static_assert(offsetof(struct sim_pkt, ev) == 0, "sim_pkt: ev must come first");
static_assert(offsetof(struct sim_portq, ev) == 0, "sim_portq: ev must come first");
static_assert(offsetof(struct sim_qp, ev) == 0, "sim_qp: ev must come first");
static_assert(offsetof(struct sim_conn, cc_ev) == 0, "sim_conn: cc_ev must come first");
static_assert(offsetof(struct sim_flow, ev) == 0, "sim_flow: ev must come first");

/* Stops the run with a reason (the first one is kept): sim_run returns -1. */
void sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = 1;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

void sim_config_defaults(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->lb = SIM_LB_ECMP;
	cfg->flowlet_gap_ps = 2000000;		/* 2 us: a few RTTs' worth of idle */
	cfg->qps_per_flow = 1;
	cfg->rx = SIM_RX_DDP;
	cfg->ack_every = 4;
	cfg->ack_delay_ps = 1000000;		/* 1 us */
	cfg->rto_ps = 500000000;		/* 500 us */
	cfg->buffer_alpha = 1.0;
	cfg->pfc = 1;
	cfg->ecn = 1;
	cfg->ecn_pmax = 0.2;
	cfg->cc = SIM_CC_NONE;
	cfg->cnp_interval_ps = 50000000;	/* 50 us, per QP */
	cfg->dcqcn_params = 1;
	cfg->tele_eta = 0.95;
}

uint64_t sim_wire_bytes(uint32_t payload_bytes, enum sim_pkt_kind kind)
{
	uint64_t frame;

	switch (kind) {
	case SIM_PKT_DATA:
		frame = SIM_ROCE_OVERHEAD + payload_bytes;
		break;
	case SIM_PKT_ACK:
	case SIM_PKT_NAK:
		frame = SIM_ROCE_OVERHEAD + SIM_AETH + payload_bytes;
		break;
	case SIM_PKT_CNP:
		frame = SIM_ROCE_OVERHEAD + SIM_CNP_PAD;
		break;
	default:
		frame = SIM_ETH_MIN_FRAME;
		break;
	}
	if (frame < SIM_ETH_MIN_FRAME)
		frame = SIM_ETH_MIN_FRAME;
	return frame + SIM_PREAMBLE_IFG;
}

/*
 * Serialization time, rounded up to the next picosecond; UINT64_MAX (never)
 * at 0 b/s. Whole transfers of any size: the product takes 128 bits.
 */
uint64_t sim_ser_ps(uint64_t wire_bytes, uint64_t rate_bps)
{
	return coll_bytes_to_ps(wire_bytes, rate_bps);
}

const char *sim_error(const struct sim *s)
{
	return s->err;
}

static int sim_pkt_slab(struct sim *s)
{
	struct sim_pkt *slab;

	if (s->nslabs == s->slabs_cap) {
		uint32_t cap = s->slabs_cap ? s->slabs_cap * 2 : 64;
		struct sim_pkt **v = realloc(s->pkt_slabs, cap * sizeof(*v));

		if (!v)
			return -1;
		s->pkt_slabs = v;
		s->slabs_cap = cap;
	}
	slab = malloc(SIM_SLAB_PKTS * sizeof(*slab));
	if (!slab)
		return -1;
	s->pkt_slabs[s->nslabs++] = slab;
	for (uint32_t i = 0; i < SIM_SLAB_PKTS; i++) {
		slab[i].next = s->free_pkts;
		s->free_pkts = &slab[i];
	}
	s->pkts_allocated += SIM_SLAB_PKTS;
	return 0;
}

/* NULL when memory ran out: the run then stops (sim_fail) and sim_run returns -1. */
struct sim_pkt *sim_pkt_alloc(struct sim *s)
{
	struct sim_pkt *p;

	if (!s->free_pkts && sim_pkt_slab(s)) {
		sim_fail(s, "out of memory for packets (%lu in flight)", (unsigned long)s->pkts_allocated);
		return NULL;
	}
	p = s->free_pkts;
	s->free_pkts = p->next;
	p->ev.type = SIM_EV_PKT_ARRIVE;
	p->next = NULL;
	p->ecn = 0;
	p->nhops = 0;
	p->ackreq = 0;
	p->quanta = 0;
	p->flowlet = 0;
	p->payload_bytes = 0;
	p->sack_psn = 0;
	return p;
}

void sim_pkt_free(struct sim *s, struct sim_pkt *p)
{
	p->next = s->free_pkts;
	s->free_pkts = p;
}

/*
 * Times are sums of a now and a delay; one that wrapped comes out below
 * now, one that saturated at UINT64_MAX beyond the horizon: either fails
 * the run rather than reordering time.
 */
void sim_schedule(struct sim *s, uint64_t t_ps, struct sim_event *ev)
{
	if (t_ps < s->q.now_ps || t_ps > SIM_TIME_LIMIT_PS) {
		sim_fail(s, "simulated time would pass the %.0f-day horizon of the model (%llu ps): "
			 "a rate, size or timer is out of proportion", SIM_TIME_LIMIT_PS / 864e17,
			 (unsigned long long)SIM_TIME_LIMIT_PS);
		return;
	}
	if (sim_evq_push(&s->q, t_ps, ev))
		sim_fail(s, "out of memory for events (%zu pending)", s->q.n);
}

uint32_t sim_config_mtu(const struct sim_topo *t, const struct sim_config *cfg)
{
	uint32_t mtu = cfg->mtu_bytes ? cfg->mtu_bytes : t->mtu_bytes;

	return mtu ? mtu : 4096;
}

uint64_t sim_config_buffer(const struct sim_topo *t, const struct sim_config *cfg)
{
	return cfg->buffer_bytes ? cfg->buffer_bytes : t->sw.buffer_bytes;
}

/* PFC: the part of each switch's buffer its ingress ports own for data. */
static void sim_pfc_reserve(struct sim *s)
{
	const struct sim_topo *t = s->topo;

	for (uint32_t sw = 0; sw < t->nswitches && s->cfg.pfc; sw++) {
		const struct sim_node *n = &t->nodes[t->switches[sw]];
		uint64_t sum = 0;

		for (uint32_t i = 0; i < n->nports; i++) {
			uint64_t xoff = sim_pfc_xoff_of(&s->cfg, t, t->switches[sw], s->buffer_bytes);

			sum = coll_add_sat_u64(sum, coll_add_sat_u64(xoff,
				sim_pfc_headroom_of(&s->cfg, t, n->first_port + i, s->mtu_bytes)));
		}
		s->sw_reserved_bytes[sw] = sum;
	}
}

/* Run-time state that grows with the topology, bytes. */
static uint64_t sim_topo_state_bytes(const struct sim_topo *t)
{
	uint64_t per_port = sizeof(struct sim_portq) + sizeof(struct sim_qp *);
	uint64_t per_switch = 4 * sizeof(uint64_t);

	return coll_add_sat_u64(coll_mul_sat_u64(t->nports, per_port), coll_mul_sat_u64(t->nswitches, per_switch));
}

struct sim *sim_create(struct sim_topo *topo, const struct sim_config *cfg)
{
	char err[256];
	struct sim *s;

	/* callers run sim_config_check themselves to print its message */
	if (sim_config_check(topo, cfg, err, sizeof(err)) ||
	    coll_mem_guard(sim_topo_state_bytes(topo), "the fabric's port and switch state", err, sizeof(err)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->topo = topo;
	s->cfg = *cfg;
	sim_rng_seed(&s->rng, cfg->seed);
	s->mtu_bytes = sim_config_mtu(topo, cfg);
	s->buffer_bytes = sim_config_buffer(topo, cfg);
	s->pq = calloc(topo->nports, sizeof(*s->pq));
	s->rr = calloc(topo->nports, sizeof(*s->rr));
	s->sw_seed = calloc(topo->nswitches, sizeof(*s->sw_seed));
	s->sw_used_bytes = calloc(topo->nswitches, sizeof(*s->sw_used_bytes));
	s->sw_ctrl_bytes = calloc(topo->nswitches, sizeof(*s->sw_ctrl_bytes));
	s->sw_reserved_bytes = calloc(topo->nswitches, sizeof(*s->sw_reserved_bytes));
	if (!s->pq || !s->rr || !s->sw_seed || !s->sw_used_bytes || !s->sw_ctrl_bytes || !s->sw_reserved_bytes)
		goto out_free;
	if (sim_evq_init(&s->q, 1 << 16))
		goto out_free;
	for (uint32_t i = 0; i < topo->nports; i++) {
		s->pq[i].ev.type = SIM_EV_TX_DONE;
		s->pq[i].wake_ev.type = SIM_EV_PORT_WAKE;
	}
	for (uint32_t i = 0; i < topo->nswitches; i++) {
		uint64_t x = cfg->seed * 0x9e3779b97f4a7c15ULL + (cfg->ecmp_same_seed ? 0 : i + 1);

		s->sw_seed[i] = sim_mix64(x);
	}
	sim_pfc_reserve(s);
	s->mark_ev.type = SIM_EV_MARK;
	return s;

out_free:
	free(s->sw_reserved_bytes);
	free(s->sw_ctrl_bytes);
	free(s->sw_used_bytes);
	free(s->sw_seed);
	free(s->rr);
	free(s->pq);
	free(s);
	return NULL;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nslabs; i++)
		free(s->pkt_slabs[i]);
	free(s->pkt_slabs);
	free(s->bitmaps);
	free(s->local_busy_ps);
	free(s->qps);
	free(s->conns);
	free(s->succ);
	free(s->deps);
	free(s->flows);
	sim_evq_free(&s->q);
	free(s->sw_reserved_bytes);
	free(s->sw_ctrl_bytes);
	free(s->sw_used_bytes);
	free(s->sw_seed);
	free(s->rr);
	free(s->pq);
	free(s);
}

/* Why sim_add_* refused, without failing a run that may still go ahead. */
static int sim_refuse(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sim_refuse(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int sim_flow_new(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes, uint64_t start_ps)
{
	struct sim_topo *t = s->topo;
	struct sim_flow *f;

	if (src_host >= t->nhosts || dst_host >= t->nhosts)
		return sim_refuse(s, "flow from host %u to host %u: the fabric has hosts 0..%u", src_host, dst_host,
				  t->nhosts - 1);
	if (src_host == dst_host || !bytes)
		return sim_refuse(s, "flow from host %u to itself or of 0 bytes", src_host);
	if (s->nflows >= SIM_MAX_FLOWS)
		return sim_refuse(s, "more than %u flows", SIM_MAX_FLOWS);
	if (s->nflows == s->flows_cap) {
		uint32_t cap = s->flows_cap ? s->flows_cap * 2 : 1024;
		struct sim_flow *v;

		if (coll_mem_guard((uint64_t)cap * sizeof(*v), "the flow table", s->err, sizeof(s->err)))
			return -1;
		v = realloc(s->flows, cap * sizeof(*v));
		if (!v)
			return sim_refuse(s, "out of memory for %u flows", cap);
		s->flows = v;
		s->flows_cap = cap;
	}
	f = &s->flows[s->nflows];
	memset(f, 0, sizeof(*f));
	f->ev.type = SIM_EV_FLOW_START;
	f->id = s->nflows;
	f->src = t->hosts[src_host];
	f->dst = t->hosts[dst_host];
	f->bytes = bytes;
	f->start_ps = start_ps;
	f->rate_bps = sim_topo_nic_bps(t, f->src);
	return (int)s->nflows++;
}

int sim_add_flow(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes, uint64_t start_ps)
{
	/* PSNs are 32-bit: a flow must not need more packets than they count */
	if (bytes / s->mtu_bytes >= SIM_MAX_FLOW_PKTS)
		return sim_refuse(s, "a flow of %llu bytes is %llu packets of %u B; at most %llu per flow",
				  (unsigned long long)bytes,
				  (unsigned long long)(bytes / s->mtu_bytes + (bytes % s->mtu_bytes != 0)),
				  s->mtu_bytes, (unsigned long long)SIM_MAX_FLOW_PKTS);
	if (start_ps > SIM_TIME_LIMIT_PS)
		return sim_refuse(s, "a flow start of %llu ps is past the model's horizon of %llu ps",
				  (unsigned long long)start_ps, (unsigned long long)SIM_TIME_LIMIT_PS);
	return sim_flow_new(s, src_host, dst_host, bytes, start_ps);
}

int sim_add_local_flow(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes,
		       uint64_t rate_bps, uint64_t lat_ps)
{
	struct sim_topo *t = s->topo;
	int id;

	if (src_host >= t->nhosts || dst_host >= t->nhosts || !rate_bps)
		return sim_refuse(s, "local transfer from host %u to host %u at %llu b/s: no such hosts or no rate",
				  src_host, dst_host, (unsigned long long)rate_bps);
	/* added as a network flow first, for the bookkeeping, then marked */
	id = sim_flow_new(s, src_host, src_host == dst_host ? (src_host + 1) % t->nhosts : dst_host,
			  bytes ? bytes : 1, 0);
	if (id < 0)
		return -1;
	s->flows[id].dst = t->hosts[dst_host];
	s->flows[id].bytes = bytes;
	s->flows[id].local = 1;
	s->flows[id].local_rate_bps = rate_bps;
	s->flows[id].local_lat_ps = src_host == dst_host ? 0 : lat_ps;
	return id;
}

/* Start of a local transfer: wait for the GPU's local egress, then occupy it. */
static void sim_local_start(struct sim *s, struct sim_flow *f)
{
	uint64_t now = sim_now(s), begin = now, done;
	uint32_t h = s->topo->nodes[f->src].index;

	f->started = 1;
	if (f->src == f->dst) {
		done = now;
	} else {
		if (s->local_busy_ps[h] > begin)
			begin = s->local_busy_ps[h];
		s->local_busy_ps[h] = coll_add_sat_u64(begin, sim_ser_ps(f->bytes, f->local_rate_bps));
		done = coll_add_sat_u64(s->local_busy_ps[h], f->local_lat_ps);
	}
	f->ev.type = SIM_EV_LOCAL_DONE;
	sim_schedule(s, done, &f->ev);
}

void sim_trace_port(struct sim *s, uint32_t port, uint64_t interval_ps, FILE *out)
{
	s->trace = out;
	s->trace_port = port;
	s->trace_interval_ps = interval_ps ? interval_ps : 1000000;
	s->trace_ev.type = SIM_EV_SAMPLE;
	fprintf(out, "time_us,data_queue_bytes,ctrl_queue_bytes,paused,tx_bytes,pauses_received,pauses_sent,ecn_marks,drops\n");
}

static void sim_sample(struct sim *s)
{
	const struct sim_portq *q = &s->pq[s->trace_port];

	fprintf(s->trace, "%.3f,%lu,%lu,%u,%lu,%lu,%lu,%lu,%lu\n", sim_now(s) * 1e-6,
		(unsigned long)q->qbytes[SIM_PRIO_DATA], (unsigned long)q->qbytes[SIM_PRIO_CTRL], q->paused,
		(unsigned long)q->tx_bytes, (unsigned long)q->pauses_rcvd, (unsigned long)q->pauses_sent,
		(unsigned long)q->ecn_marks, (unsigned long)q->drops);
	if (s->flows_done < s->nflows)
		sim_schedule(s, coll_add_sat_u64(sim_now(s), s->trace_interval_ps), &s->trace_ev);
}

uint32_t sim_port_lookup(const struct sim_topo *t, const char *spec)
{
	char a[64], b[64], want_a[64];
	const char *colon = strchr(spec, ':');
	uint32_t idx;
	char *end;

	if (!colon) {
		unsigned long v = strtoul(spec, &end, 10);

		return *spec && !*end && v < t->nports ? (uint32_t)v : SIM_NONE;
	}
	if ((size_t)(colon - spec) >= sizeof(want_a))
		return SIM_NONE;
	memcpy(want_a, spec, (size_t)(colon - spec));
	want_a[colon - spec] = 0;
	for (idx = 0; idx < t->nports; idx++) {
		sim_topo_node_name(t, t->ports[idx].node, a, sizeof(a));
		if (strcmp(a, want_a))
			continue;
		sim_topo_node_name(t, t->ports[t->ports[idx].peer].node, b, sizeof(b));
		if (!strcmp(b, colon + 1))
			return idx;
	}
	return SIM_NONE;
}

int sim_add_dep(struct sim *s, uint32_t a, uint32_t b)
{
	if (a >= s->nflows || b >= s->nflows || a == b)
		return sim_refuse(s, "dependency %u -> %u: no such flows", a, b);
	if (s->ndeps >= UINT32_MAX / 2)
		return sim_refuse(s, "more than %u dependencies", UINT32_MAX / 2);
	if (s->ndeps == s->deps_cap) {
		uint32_t cap = s->deps_cap ? (s->deps_cap < UINT32_MAX / 4 ? s->deps_cap * 2 : UINT32_MAX / 2) : 1024;
		uint32_t *v;

		if (coll_mem_guard(2 * (uint64_t)cap * sizeof(*v), "the flow dependencies", s->err, sizeof(s->err)))
			return -1;
		v = realloc(s->deps, 2 * (size_t)cap * sizeof(*v));
		if (!v)
			return sim_refuse(s, "out of memory for %u dependencies", cap);
		s->deps = v;
		s->deps_cap = cap;
	}
	s->deps[2 * s->ndeps] = a;
	s->deps[2 * s->ndeps + 1] = b;
	s->ndeps++;
	return 0;
}

/* Successor lists in one array (CSR), from the (a, b) pairs. */
static int sim_build_succ(struct sim *s)
{
	uint32_t *pos;

	s->succ = malloc((s->ndeps ? s->ndeps : 1) * sizeof(*s->succ));
	pos = calloc(s->nflows + 1, sizeof(*pos));
	if (!s->succ || !pos) {
		free(pos);
		return -1;
	}
	for (uint32_t i = 0; i < s->ndeps; i++) {
		s->flows[s->deps[2 * i]].nsucc++;
		s->flows[s->deps[2 * i + 1]].ndeps_left++;
	}
	for (uint32_t i = 0, acc = 0; i < s->nflows; i++) {
		s->flows[i].succ_first = acc;
		pos[i] = acc;
		acc += s->flows[i].nsucc;
	}
	for (uint32_t i = 0; i < s->ndeps; i++) {
		uint32_t a = s->deps[2 * i];

		s->succ[pos[a]++] = s->deps[2 * i + 1];
	}
	free(pos);
	return 0;
}

/*
 * One-way latency of a packet of WIRE bytes from host A to host B along the
 * first candidate path: serialization, propagation and forwarding per hop.
 */
static uint64_t sim_path_ps(struct sim *s, uint32_t a, uint32_t b, uint64_t wire)
{
	struct sim_topo *t = s->topo;
	uint32_t node = a, port = t->nodes[a].first_port, hops = 0;
	uint64_t ps = 0;

	for (;;) {
		const struct sim_port *pp = &t->ports[port];

		ps = coll_add_sat_u64(ps, coll_add_sat_u64(sim_ser_ps(wire, pp->rate_bps), pp->delay_ps));
		node = t->ports[pp->peer].node;
		if (node == b || ++hops > 64)
			break;
		ps = coll_add_sat_u64(ps, t->sw.latency_ps);
		port = sim_route_first(s, node, b, 0);
		if (port == SIM_NONE)
			break;
	}
	return ps;
}

uint64_t sim_base_rtt_ps(const struct sim_topo *t, uint32_t mtu_bytes)
{
	/* routing reads only the topology of the run it is given */
	struct sim probe = { .topo = (struct sim_topo *)t };
	uint32_t a = t->hosts[0], b = t->hosts[t->nhosts - 1];

	if (t->nhosts < 2)
		return 0;
	return coll_add_sat_u64(sim_path_ps(&probe, a, b, sim_wire_bytes(mtu_bytes, SIM_PKT_DATA)),
			       sim_path_ps(&probe, b, a, sim_wire_bytes(0, SIM_PKT_ACK)));
}

/*
 * The window a QP of CFG on T may have in flight: the configured one, none
 * (DCQCN), or one bandwidth-delay product of the base RTT in whole packets
 * plus the packets an ACK waits for while coalescing. Saturates, never wraps.
 */
uint64_t sim_config_window(const struct sim_topo *t, const struct sim_config *cfg, uint64_t base_rtt_ps)
{
	uint32_t mtu = sim_config_mtu(t, cfg);
	uint64_t w = cfg->window_bytes, bdp, pkts;

	/* DCQCN is rate-based: RoCE NICs keep no window, only the rate limiter */
	if (!w && cfg->cc == SIM_CC_DCQCN)
		w = SIM_WINDOW_UNLIMITED;
	if (!w) {
		bdp = coll_ps_to_bytes(base_rtt_ps, sim_topo_nic_bps(t, t->hosts[0]));
		pkts = coll_add_sat_u64(bdp / mtu + (bdp % mtu != 0), cfg->ack_every);
		w = coll_mul_sat_u64(pkts, mtu);
	}
	return w < mtu ? mtu : w;
}

static void sim_size_window(struct sim *s)
{
	s->base_rtt_ps = sim_base_rtt_ps(s->topo, s->mtu_bytes);
	s->window_bytes = sim_config_window(s->topo, &s->cfg, s->base_rtt_ps);
}

/*
 * Connections: one per (source, destination, QP slot), found through an
 * open-addressing table that lives only while flows are laid out.
 */
static int sim_build_conns(struct sim *s)
{
	uint64_t cap = 16, *key;
	uint32_t *slot;

	while (cap < 2 * (uint64_t)s->nqps + 2)
		cap *= 2;
	slot = malloc(cap * sizeof(*slot));
	key = malloc(cap * sizeof(*key));
	s->conns = calloc(s->nqps ? s->nqps : 1, sizeof(*s->conns));
	if (!slot || !key || !s->conns) {
		free(slot);
		free(key);
		return -1;
	}
	memset(slot, 0xff, cap * sizeof(*slot));
	for (uint32_t i = 0; i < s->nflows; i++) {
		const struct sim_flow *f = &s->flows[i];

		for (uint32_t k = 0; k < f->nqps; k++) {
			struct sim_qp *qp = &s->qps[f->first_qp + k];
			uint64_t kk = ((uint64_t)f->src << 40) ^ ((uint64_t)f->dst << 12) ^ k;
			uint64_t h = sim_mix64(kk) & (cap - 1);

			while (slot[h] != SIM_NONE && key[h] != kk)
				h = (h + 1) & (cap - 1);
			if (slot[h] == SIM_NONE) {
				struct sim_conn *c = &s->conns[s->nconns];

				slot[h] = s->nconns++;
				key[h] = kk;
				c->src = f->src;
				c->dst = f->dst;
				c->port = s->topo->nodes[f->src].first_port + qp->plane;
				sim_cc_init_conn(s, c, f->rate_bps);
			}
			qp->conn = slot[h];
		}
	}
	free(slot);
	free(key);
	return 0;
}

/* Memory of the per-QP state a run lays out, checked before it is allocated. */
static int sim_prepare_guard(struct sim *s, uint64_t nqps, uint64_t words)
{
	uint64_t per_qp = sizeof(struct sim_qp) + sizeof(struct sim_conn) + 2 * words * sizeof(uint64_t) +
			  2 * (sizeof(uint32_t) + sizeof(uint64_t));	/* the connection table */
	uint64_t need = coll_mul_sat_u64(nqps, per_qp);
	char what[96];

	need = coll_add_sat_u64(need, coll_mul_sat_u64(s->ndeps, sizeof(uint32_t)));
	need = coll_add_sat_u64(need, coll_mul_sat_u64(s->topo->nhosts, sizeof(uint64_t)));
	snprintf(what, sizeof(what), "the transport state of %llu queue pairs", (unsigned long long)nqps);
	if (nqps > SIM_MAX_FLOWS) {
		sim_fail(s, "%s: more than %u queue pairs", what, SIM_MAX_FLOWS);
		return -1;
	}
	if (coll_mem_guard(need, what, s->err, sizeof(s->err))) {
		s->failed = 1;
		return -1;
	}
	return 0;
}

static int sim_prepare(struct sim *s)
{
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1;
	uint64_t win_pkts, words, nqps = 0, bits = 64;

	if (!s->nflows || s->topo->nhosts < 2) {
		sim_fail(s, s->nflows ? "a run needs at least 2 hosts" : "no flows to simulate");
		return -1;
	}
	sim_size_window(s);
	win_pkts = s->window_bytes / s->mtu_bytes + 1;
	if (win_pkts > SIM_MAX_WINDOW_PKTS) {
		sim_fail(s, "a window of %llu bytes is %llu packets in flight; at most %u",
			 (unsigned long long)s->window_bytes, (unsigned long long)win_pkts, SIM_MAX_WINDOW_PKTS);
		return -1;
	}
	/* bounded: 2 x SIM_MAX_WINDOW_PKTS fits easily */
	while (bits < 2 * win_pkts)
		bits *= 2;
	s->bitmap_bits = (uint32_t)bits;
	words = bits / 64;
	for (uint32_t i = 0; i < s->nflows; i++)
		nqps += s->flows[i].local ? 0 : nq;
	if (sim_prepare_guard(s, nqps, words))
		return -1;
	s->nqps = (uint32_t)nqps;
	if (sim_build_succ(s))
		goto out_nomem;
	s->qps = calloc(s->nqps ? s->nqps : 1, sizeof(*s->qps));
	s->local_busy_ps = calloc(s->topo->nhosts, sizeof(*s->local_busy_ps));
	s->bitmaps = calloc(((size_t)s->nqps * 2 + 1) * words, sizeof(uint64_t));
	if (!s->qps || !s->bitmaps || !s->local_busy_ps)
		goto out_nomem;
	for (uint32_t i = 0, q = 0; i < s->nflows; i++) {
		struct sim_flow *f = &s->flows[i];

		f->first_qp = q;
		f->nqps = f->local ? 0 : nq;
		for (uint32_t k = 0; k < f->nqps; k++, q++) {
			struct sim_qp *qp = &s->qps[q];

			qp->acked = &s->bitmaps[(size_t)q * 2 * words];
			qp->rcvd = qp->acked + words;
			sim_nic_qp_init(s, f, qp, k);
		}
	}
	if (sim_build_conns(s))
		goto out_nomem;
	for (uint32_t i = 0; i < s->nflows; i++) {
		struct sim_flow *f = &s->flows[i];

		if (!f->ndeps_left) {
			f->start_ps = coll_add_sat_u64(f->start_ps, s->cfg.msg_overhead_ps);
			sim_schedule(s, f->start_ps, &f->ev);
			if (f->start_ps > s->mark_ps)
				s->mark_ps = f->start_ps;
		}
	}
	sim_schedule(s, s->mark_ps, &s->mark_ev);
	if (s->trace)
		sim_schedule(s, 0, &s->trace_ev);
	return s->failed ? -1 : 0;

out_nomem:
	sim_fail(s, "out of memory laying out %u flows", s->nflows);
	return -1;
}

void sim_flow_done(struct sim *s, struct sim_flow *f)
{
	uint64_t now = sim_now(s);

	if (f->post_ps && !f->post_done) {
		/* the receiver still reduces what arrived before anyone may use it */
		f->post_done = 1;
		f->ev.type = SIM_EV_LOCAL_DONE;
		sim_schedule(s, coll_add_sat_u64(now, f->post_ps), &f->ev);
		return;
	}
	f->finish_ps = now;
	if (!s->flows_done++) {
		s->first_finish_ps = now;
		s->first_finish_bytes = s->c.delivered_bytes;
	}
	for (uint32_t i = 0; i < f->nsucc; i++) {
		struct sim_flow *g = &s->flows[s->succ[f->succ_first + i]];

		if (!--g->ndeps_left) {
			g->start_ps = coll_add_sat_u64(now > g->start_ps ? now : g->start_ps, s->cfg.msg_overhead_ps);
			sim_schedule(s, g->start_ps, &g->ev);
		}
	}
}

static double sim_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sim_progress(struct sim *s, double t0, double *last)
{
	double w = sim_wall();

	if (w - *last < 0.5)
		return;
	*last = w;
	fprintf(stderr, "\r  t=%.3f us  flows %u/%u  events %.1fM  %.1fs   ",
		sim_now(s) / 1e6, s->flows_done, s->nflows, s->c.events / 1e6, w - t0);
}

static void sim_dispatch(struct sim *s, struct sim_event *ev)
{
	switch (ev->type) {
	case SIM_EV_PKT_ARRIVE: {
		struct sim_pkt *p = (struct sim_pkt *)ev;
		uint32_t node = s->topo->ports[p->in_port].node;

		s->c.pkt_hops++;
		if (p->kind == SIM_PKT_PAUSE) {
			sim_port_set_paused(s, p->in_port, p->quanta != 0);
			sim_pkt_free(s, p);
		} else if (s->topo->nodes[node].kind == SIM_NODE_SWITCH)
			sim_switch_receive(s, node, p);
		else
			sim_nic_receive(s, node, p);
		break;
	}
	case SIM_EV_TX_DONE:
		sim_port_tx_done(s, (struct sim_portq *)ev);
		break;
	case SIM_EV_PORT_WAKE:
		sim_port_wake(s, container_of(ev, struct sim_portq, wake_ev));
		break;
	case SIM_EV_QP_TIMER:
		sim_nic_qp_timer(s, (struct sim_qp *)ev);
		break;
	case SIM_EV_ACK_TIMER:
		sim_nic_ack_timer(s, container_of(ev, struct sim_qp, ack_ev));
		break;
	case SIM_EV_CC_TIMER:
		sim_cc_timer(s, (struct sim_conn *)ev);
		break;
	case SIM_EV_FLOW_START: {
		struct sim_flow *f = (struct sim_flow *)ev;

		if (f->local)
			sim_local_start(s, f);
		else
			sim_nic_flow_start(s, f);
		break;
	}
	case SIM_EV_LOCAL_DONE: {
		struct sim_flow *f = (struct sim_flow *)ev;

		if (f->local)
			f->rx_bytes = f->bytes;
		sim_flow_done(s, f);
		break;
	}
	case SIM_EV_SAMPLE:
		sim_sample(s);
		break;
	case SIM_EV_MARK:
		s->mark_bytes = s->c.delivered_bytes;
		break;
	}
}

int sim_run(struct sim *s)
{
	struct sim_heap_ent e;
	double t0 = sim_wall(), last = t0;

	if (s->failed)
		return -1;
	s->err[0] = 0;
	if (!s->prepared && sim_prepare(s))
		return -1;
	s->prepared = 1;
	s->stalled = 0;
	while (!s->failed && s->flows_done < s->nflows && !sim_evq_pop(&s->q, &e)) {
		if (s->cfg.stop_ps && e.time_ps > s->cfg.stop_ps) {
			/* put it back: a later call resumes from here */
			sim_schedule(s, e.time_ps, e.ev);
			s->q.now_ps = s->cfg.stop_ps;
			break;
		}
		s->c.events++;
		sim_dispatch(s, e.ev);
		if (s->cfg.progress && !(s->c.events & 0xfffff))
			sim_progress(s, t0, &last);
		if (e.time_ps >= s->watch_next_ps) {
			if (sim_pfc_deadlocked(s)) {
				s->deadlock = 1;
				break;
			}
			s->watch_next_ps = e.time_ps + SIM_WATCHDOG_PS;
		}
	}
	if (s->cfg.progress)
		fprintf(stderr, "\r%72s\r", "");
	s->wall_s = sim_wall() - t0;
	if (s->failed)
		return -1;
	if (s->flows_done < s->nflows && !s->deadlock && !s->cfg.stop_ps)
		s->stalled = 1;
	if (sim_check(s, s->err, sizeof(s->err))) {
		s->failed = 1;
		return -1;
	}
	return 0;
}
