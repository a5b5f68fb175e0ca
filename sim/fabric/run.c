/*
 * Laying a run out and running it. The first sim_run sizes the window,
 * gives every network flow its queue pairs and every (source, destination,
 * connection tag, QP slot) its connection, and schedules the flows that wait on nothing.
 * Then the engine (engine/engine.h) pops events and hands each to its
 * handler in sim_fabric_engine_ops below, the one place that maps an event
 * type to the element that owns it; the run ends when every flow finished,
 * at cfg.stop_ps, on a PFC deadlock (the watchdog hook) or when nothing is
 * left to happen, and the invariants (invariants.c) are checked.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim/fabric/sim.h"

/* No delivery for this long, with a cycle of paused ports: a PFC deadlock. */
#define SIM_WATCHDOG_PS 2000000000ULL
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

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
 * (every CC but a window-based one: ConnectX RoCE keeps no byte window),
 * or, for a window-based CC (telemetry), one bandwidth-delay product of the base RTT in whole packets
 * plus the packets an ACK waits for while coalescing. Saturates, never wraps.
 */
uint64_t sim_config_window(const struct sim_topo *t, const struct sim_config *cfg, uint64_t base_rtt_ps)
{
	uint32_t mtu = sim_config_mtu(t, cfg);
	uint64_t w = cfg->window_bytes, bdp, pkts;

	/* rate-based or no CC: RoCE NICs keep no window, only the rate limiter */
	if (!w && sim_cc_window_unlimited(cfg->cc))
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
 * Connections: one per (source, destination, connection tag, QP slot),
 * found through open-addressing tables that live only while flows are
 * laid out. A table maps a two-word key to a dense index.
 */
struct sim_ktab {
	uint64_t cap;		/* power of two, > 2 x entries */
	uint64_t *key;		/* two words per entry */
	uint32_t *val;		/* SIM_NONE: empty */
	uint32_t n;		/* entries */
};

static int sim_ktab_init(struct sim_ktab *t, uint64_t entries)
{
	t->cap = 16;
	t->n = 0;
	while (t->cap < 2 * entries + 2)
		t->cap *= 2;
	t->key = malloc(t->cap * 2 * sizeof(*t->key));
	t->val = malloc(t->cap * sizeof(*t->val));
	if (!t->key || !t->val) {
		free(t->key);
		free(t->val);
		return -ENOMEM;
	}
	memset(t->val, 0xff, t->cap * sizeof(*t->val));
	return 0;
}

static void sim_ktab_free(struct sim_ktab *t)
{
	free(t->key);
	free(t->val);
}

/* The index of key (A, B), the next free one (t->n, then counted) if new: *FRESH says which. */
static uint32_t sim_ktab_get(struct sim_ktab *t, uint64_t a, uint64_t b, bool *fresh)
{
	uint64_t h = sim_mix64(a ^ sim_mix64(b)) & (t->cap - 1);

	while (t->val[h] != SIM_NONE && (t->key[2 * h] != a || t->key[2 * h + 1] != b))
		h = (h + 1) & (t->cap - 1);
	*fresh = t->val[h] == SIM_NONE;
	if (*fresh) {
		t->val[h] = t->n++;
		t->key[2 * h] = a;
		t->key[2 * h + 1] = b;
	}
	return t->val[h];
}

/* QPs of flow F with NQ per connection: one or NQ (split) on each connection it is spread over. */
static uint32_t sim_flow_nqps(const struct sim *s, const struct sim_flow *f, uint32_t nq)
{
	if (f->local)
		return 0;
	return (sim_flow_split_qps(s, f) ? nq : 1) * sim_flow_dup(f);
}

static int sim_build_conns(struct sim *s)
{
	struct sim_ktab tab;

	s->conns = calloc(s->nqps ? s->nqps : 1, sizeof(*s->conns));
	if (!s->conns || sim_ktab_init(&tab, s->nqps))
		return -ENOMEM;
	for (uint32_t i = 0; i < s->nflows; i++) {
		const struct sim_flow *f = &s->flows[i];

		for (uint32_t k = 0; k < f->nqps; k++) {
			struct sim_qp *qp = &s->qps[f->first_qp + k];
			bool fresh;

			uint32_t tag = sim_flow_qp_tag(f, k);

			qp->conn = sim_ktab_get(&tab, (uint64_t)f->src << 32 | f->dst,
						(uint64_t)tag << 32 | qp->slot, &fresh);
			if (fresh) {
				struct sim_conn *c = &s->conns[qp->conn];

				c->src = f->src;
				c->dst = f->dst;
				c->tag = tag;
				c->slot = qp->slot;
				c->port = s->topo->nodes[f->src].first_port + qp->plane;
				sim_cc_init_conn(s, c, f->rate_bps);
			}
		}
	}
	s->nconns = tab.n;
	sim_ktab_free(&tab);
	return 0;
}

/*
 * The QP slot each network flow starts at, in FIRST_SLOT: 0 for a flow
 * split over all slots; for a whole message (split off), its rank among
 * its connection's messages in flow id order (the order a schedule posts
 * them) modulo NQ, the round-robin of ncclIbMultiSend (qpIndex advances
 * by one per message, src/transport/net_ib.cc). 0 or -ENOMEM.
 */
static int sim_first_slots(struct sim *s, uint32_t nq, uint32_t *first_slot)
{
	struct sim_ktab tab;
	uint32_t *count;

	count = calloc(s->nflows, sizeof(*count));
	if (!count || sim_ktab_init(&tab, s->nflows)) {
		free(count);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < s->nflows; i++) {
		const struct sim_flow *f = &s->flows[i];
		uint32_t g;
		bool fresh;

		first_slot[i] = 0;
		if (f->local || sim_flow_split_qps(s, f))
			continue;
		g = sim_ktab_get(&tab, (uint64_t)f->src << 32 | f->dst, f->conn_tag, &fresh);
		first_slot[i] = count[g]++ % nq;
	}
	sim_ktab_free(&tab);
	free(count);
	return 0;
}

/* Memory of the per-QP state a run lays out, checked before it is allocated. */
static int sim_prepare_guard(struct sim *s, uint64_t nqps, uint64_t words)
{
	/* the connection table, and the one that ranks a connection's messages (a flow at least per QP) */
	uint64_t per_qp = sizeof(struct sim_qp) + sizeof(struct sim_conn) + 2 * words * sizeof(uint64_t) +
			  2 * 2 * (sizeof(uint32_t) + 2 * sizeof(uint64_t)) + 2 * sizeof(uint32_t);
	uint64_t need = coll_mul_sat_u64(nqps, per_qp);
	char what[96], err[sizeof(s->err)];
	int rc;

	need = coll_add_sat_u64(need, coll_mul_sat_u64(s->ndeps, sizeof(uint32_t)));
	need = coll_add_sat_u64(need, coll_mul_sat_u64(s->topo->nhosts, sizeof(uint64_t)));
	snprintf(what, sizeof(what), "the transport state of %llu queue pairs", (unsigned long long)nqps);
	if (nqps > SIM_MAX_FLOWS) {
		sim_fail(s, -EINVAL, "%s: more than %u queue pairs", what, SIM_MAX_FLOWS);
		return -EINVAL;
	}
	rc = coll_mem_guard(need, what, err, sizeof(err));
	if (rc)
		sim_fail(s, rc, "%s", err);
	return rc;
}

/* QPs of the network flows, their PSN bitmaps, connections; 0 or a negative errno (sim_fail). */
static int sim_prepare_qps(struct sim *s)
{
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1;
	uint64_t win_pkts, words, nqps = 0, bits = 64;
	uint32_t *first_slot = NULL;
	int rc;

	win_pkts = s->window_bytes / s->mtu_bytes + 1;
	if (win_pkts > SIM_MAX_WINDOW_PKTS) {
		sim_fail(s, -EINVAL, "a window of %llu bytes is %llu packets in flight; at most %u",
			 (unsigned long long)s->window_bytes, (unsigned long long)win_pkts, SIM_MAX_WINDOW_PKTS);
		return -EINVAL;
	}
	/* bounded: 2 x SIM_MAX_WINDOW_PKTS fits easily */
	while (bits < 2 * win_pkts)
		bits *= 2;
	s->bitmap_bits = (uint32_t)bits;
	words = bits / 64;
	for (uint32_t i = 0; i < s->nflows; i++)
		nqps += sim_flow_nqps(s, &s->flows[i], nq);
	rc = sim_prepare_guard(s, nqps, words);
	if (rc)
		return rc;
	s->nqps = (uint32_t)nqps;
	if (sim_flows_link(s))
		goto out_nomem;
	s->qps = calloc(s->nqps ? s->nqps : 1, sizeof(*s->qps));
	s->local_busy_ps = calloc(s->topo->nhosts, sizeof(*s->local_busy_ps));
	s->bitmaps = calloc(((size_t)s->nqps * 2 + 1) * words, sizeof(uint64_t));
	first_slot = malloc((s->nflows ? s->nflows : 1) * sizeof(*first_slot));
	if (!s->qps || !s->bitmaps || !s->local_busy_ps || !first_slot || sim_first_slots(s, nq, first_slot))
		goto out_nomem;
	for (uint32_t i = 0, q = 0; i < s->nflows; i++) {
		struct sim_flow *f = &s->flows[i];

		f->first_qp = q;
		f->nqps = sim_flow_nqps(s, f, nq);
		for (uint32_t k = 0; k < f->nqps; k++, q++) {
			struct sim_qp *qp = &s->qps[q];

			qp->acked = &s->bitmaps[(size_t)q * 2 * words];
			qp->rcvd = qp->acked + words;
			/* the slots of one connection repeat on each of its duplicates */
			sim_nic_qp_init(s, f, qp, k, first_slot[i] + k % (f->nqps / sim_flow_dup(f)));
		}
	}
	free(first_slot);
	first_slot = NULL;
	if (sim_build_conns(s))
		goto out_nomem;
	return 0;

out_nomem:
	free(first_slot);
	sim_fail(s, -ENOMEM, "out of memory laying out %u flows", s->nflows);
	return -ENOMEM;
}

static int sim_prepare(struct sim *s)
{
	int rc;

	if (!s->nflows || s->topo->nhosts < 2) {
		sim_fail(s, -EINVAL, s->nflows ? "a run needs at least 2 hosts" : "no flows to simulate");
		return -EINVAL;
	}
	sim_size_window(s);
	rc = sim_prepare_qps(s);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < s->nflows; i++) {
		struct sim_flow *f = &s->flows[i];

		if (!f->ndeps_left) {
			f->start_ps = coll_add_sat_u64(f->start_ps, s->cfg.msg_overhead_ps);
			sim_schedule(s, f->start_ps, &f->ev);
			/* the all-active window waits for these (flows.c, sim_flow_first_byte) */
			s->first_byte_need += !f->local;
		}
	}
	if (s->trace)
		sim_schedule(s, 0, &s->trace_ev);
	return s->error;
}

/* ---- the event handlers: type -> element ---------------------------------- */

/* Handlers cast an event to the object that embeds it; where it is the first member, that is free. */
static_assert(offsetof(struct sim_pkt, ev) == 0, "sim_pkt: ev must come first");
static_assert(offsetof(struct sim_portq, ev) == 0, "sim_portq: ev must come first");
static_assert(offsetof(struct sim_qp, ev) == 0, "sim_qp: ev must come first");
static_assert(offsetof(struct sim_conn, cc_ev) == 0, "sim_conn: cc_ev must come first");
static_assert(offsetof(struct sim_flow, ev) == 0, "sim_flow: ev must come first");
static_assert(SIM_EV_PAUSE_REFRESH < SIM_ENGINE_MAX_TYPES, "enum sim_ev_type: more types than the engine's table");

static void sim_on_pkt_arrive(void *ctx, struct sim_event *ev)
{
	sim_port_arrive(ctx, container_of(ev, struct sim_pkt, ev));
}

static void sim_on_tx_done(void *ctx, struct sim_event *ev)
{
	sim_port_tx_done(ctx, container_of(ev, struct sim_portq, ev));
}

static void sim_on_port_wake(void *ctx, struct sim_event *ev)
{
	sim_port_wake(ctx, container_of(ev, struct sim_portq, wake_ev));
}

static void sim_on_pause_expire(void *ctx, struct sim_event *ev)
{
	sim_port_pause_expire(ctx, container_of(ev, struct sim_portq, pause_ev));
}

static void sim_on_pause_refresh(void *ctx, struct sim_event *ev)
{
	sim_pfc_refresh(ctx, container_of(ev, struct sim_portq, refresh_ev));
}

static void sim_on_qp_timer(void *ctx, struct sim_event *ev)
{
	sim_nic_qp_timer(ctx, container_of(ev, struct sim_qp, ev));
}

static void sim_on_ack_timer(void *ctx, struct sim_event *ev)
{
	sim_nic_ack_timer(ctx, container_of(ev, struct sim_qp, ack_ev));
}

static void sim_on_cc_timer(void *ctx, struct sim_event *ev)
{
	sim_cc_timer(ctx, container_of(ev, struct sim_conn, cc_ev));
}

static void sim_on_flow_start(void *ctx, struct sim_event *ev)
{
	sim_flow_start(ctx, container_of(ev, struct sim_flow, ev));
}

static void sim_on_local_done(void *ctx, struct sim_event *ev)
{
	sim_flow_local_done(ctx, container_of(ev, struct sim_flow, ev));
}

static void sim_on_sample(void *ctx, struct sim_event *ev)
{
	sim_trace_sample(ctx);
}

/* Not an event: the default trace's samples of the instants before NEXT_PS. */
static void sim_on_probe(void *ctx, uint64_t next_ps)
{
	sim_trace_probe(ctx, next_ps);
}

static bool sim_watchdog(void *ctx)
{
	struct sim *s = ctx;

	if (!sim_pfc_deadlocked(s))
		return false;
	s->deadlock = true;
	return true;
}

static double sim_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sim_tell_progress(struct sim *s, double wall_s, bool final)
{
	struct sim_progress p = {
		.now_ps = sim_now(s), .events = s->eng.events, .flows_done = s->flows_done,
		.nflows = s->nflows, .wall_s = wall_s - s->run_t0_s, .final = final,
	};

	s->cfg.progress(s->cfg.progress_arg, &p);
}

/* Every SIM_ENGINE_TICK_EVENTS events: progress, at most once per interval. */
static void sim_tick(void *ctx)
{
	struct sim *s = ctx;
	double w;

	if (!s->cfg.progress)
		return;
	w = sim_wall();
	if (w - s->progress_last_s < s->cfg.progress_interval_s)
		return;
	s->progress_last_s = w;
	sim_tell_progress(s, w, false);
}

/* What the engine calls: event type -> element, the PFC watchdog, progress. */
static const struct sim_engine_ops sim_fabric_engine_ops = {
	.handler = {
		[SIM_EV_PKT_ARRIVE] = sim_on_pkt_arrive,
		[SIM_EV_TX_DONE] = sim_on_tx_done,
		[SIM_EV_QP_TIMER] = sim_on_qp_timer,
		[SIM_EV_FLOW_START] = sim_on_flow_start,
		[SIM_EV_CC_TIMER] = sim_on_cc_timer,
		[SIM_EV_PORT_WAKE] = sim_on_port_wake,
		[SIM_EV_LOCAL_DONE] = sim_on_local_done,
		[SIM_EV_SAMPLE] = sim_on_sample,
		[SIM_EV_ACK_TIMER] = sim_on_ack_timer,
		[SIM_EV_PAUSE_EXPIRE] = sim_on_pause_expire,
		[SIM_EV_PAUSE_REFRESH] = sim_on_pause_refresh,
	},
	.watch = sim_watchdog,
	.watch_period_ps = SIM_WATCHDOG_PS,
	.tick = sim_tick,
	.probe = sim_on_probe,
};

int sim_run(struct sim *s)
{
	int end;

	if (s->error)
		return s->error;
	s->err[0] = 0;
	if (!s->prepared && sim_prepare(s))
		return s->error;
	s->prepared = true;
	s->stalled = false;
	s->run_t0_s = s->progress_last_s = sim_wall();
	/* over when failed or every flow finished: sim_fail and sim_flow_done stop it as it runs */
	s->eng.stop = s->flows_done >= s->nflows;
	end = sim_engine_run(&s->eng, &sim_fabric_engine_ops, s->cfg.stop_ps);
	if (end < 0)
		sim_fail(s, end, "out of memory for events (%zu pending)", s->eng.q.n);
	s->c.events = s->eng.events;
	s->wall_s = sim_wall() - s->run_t0_s;
	if (s->cfg.progress)
		sim_tell_progress(s, s->run_t0_s + s->wall_s, true);
	if (s->error)
		return s->error;
	if (s->flows_done < s->nflows && !s->deadlock && !s->cfg.stop_ps)
		s->stalled = true;
	if (sim_check(s, s->err, sizeof(s->err))) {
		s->error = -EPROTO;
		return s->error;
	}
	return 0;
}
