/*
 * Laying a run out and running it. The first sim_run sizes the window,
 * gives every added network flow its queue pairs and every (source,
 * destination, connection tag, QP slot) its connection, in flow id order
 * (a lazy source's transfers get their QPs when they start, flows.c), and
 * schedules the flows that wait on nothing.
 * Then the engine (engine/engine.h) pops events and hands each to its
 * handler in sim_fabric_engine_ops below, the one place that maps an event
 * type to the element that owns it (and names the node, the LP, whose
 * state it changes: struct sim.lp); the run ends when nothing is left to
 * happen (after every flow finished, once the last timers died out), at
 * cfg.stop_ps or on a PFC deadlock (the watchdog hook, at fixed instants),
 * and the invariants (invariants.c) are checked.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim/fabric/sim.h"
#include "sim/fabric/dist_priv.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

uint64_t sim_path_ps(struct sim *s, uint32_t a, uint32_t b, uint64_t wire)
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
 * plus the packets an ACK waits for while coalescing (the bandwidth: the QP's port, or every
 * plane's with packet spreading). Saturates, never wraps.
 */
uint64_t sim_config_window(const struct sim_topo *t, const struct sim_config *cfg, uint64_t base_rtt_ps)
{
	uint32_t mtu = sim_config_mtu(t, cfg);
	uint64_t w = cfg->window_bytes, bdp, pkts;

	/* rate-based or no CC: RoCE NICs keep no window, only the rate limiter */
	if (!w && sim_cc_window_unlimited(cfg->cc))
		w = SIM_WINDOW_UNLIMITED;
	if (!w) {
		/* a QP whose packets spread over the planes fills every port */
		uint64_t bps = sim_topo_nic_bps(t, t->hosts[0]) *
			       (cfg->plane_spread == SIM_PLANE_SPREAD_PACKET ? t->nplanes : 1);

		bdp = coll_ps_to_bytes(base_rtt_ps, bps);
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
 * Memory of what a run lays out before it starts: the QPs of the added
 * flows (a lazy source's come when its transfers start), checked before
 * it is allocated.
 */
static int sim_prepare_guard(struct sim *s, uint64_t words)
{
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1;
	uint64_t nqps = 0, per_qp = sizeof(struct sim_qp) + sizeof(struct sim_conn) + 2 * words * sizeof(uint64_t) +
				    2 * 2 * (sizeof(uint32_t) + 2 * sizeof(uint64_t)) + 2 * sizeof(uint32_t);
	uint64_t need;
	char what[96], err[sizeof(s->err)];
	int rc;

	for (uint32_t i = 0; i < s->nadded; i++)
		nqps += s->flows[i].local ? 0 : (uint64_t)nq * sim_flow_dup(&s->flows[i]);
	need = coll_mul_sat_u64(nqps, per_qp);
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

/* PSN bitmaps, the QPs of added flows, every connection: 0 or a negative errno (sim_fail). */
static int sim_prepare_qps(struct sim *s)
{
	uint64_t win_pkts, bits = 64;
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
	rc = sim_prepare_guard(s, bits / 64);
	if (rc)
		return rc;
	s->local_busy_ps = calloc(s->topo->nhosts, sizeof(*s->local_busy_ps));
	if (!s->local_busy_ps || sim_flows_layout(s)) {
		if (!s->error)
			sim_fail(s, -ENOMEM, "out of memory laying out %llu flows", (unsigned long long)s->nflows);
		return s->error;
	}
	s->conns_sealed = true;
	return 0;
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
	if (sim_flows_schedule(s))
		return s->error ? s->error : -ENOMEM;
	s->eng.watch_next_ps = SIM_WATCHDOG_PS;
	return s->error;
}

/* ---- the event handlers: type -> element ---------------------------------- */

/* Handlers cast an event to the object that embeds it; where it is the first member, that is free. */
static_assert(offsetof(struct sim_pkt, ev) == 0, "sim_pkt: ev must come first");
static_assert(offsetof(struct sim_portq, ev) == 0, "sim_portq: ev must come first");
static_assert(offsetof(struct sim_qp, ev) == 0, "sim_qp: ev must come first");
static_assert(offsetof(struct sim_conn, cc_ev) == 0, "sim_conn: cc_ev must come first");
static_assert(offsetof(struct sim_flow, ev) == 0, "sim_flow: ev must come first");
static_assert(SIM_EV_REROUTE < SIM_ENGINE_MAX_TYPES, "enum sim_ev_type: more types than the engine's table");

/*
 * Each handler first names the LP (struct sim.lp) that owns its event, the
 * node whose state it changes: the events it schedules are keyed by that
 * node's count.
 */
static inline void sim_lp_port(struct sim *s, const struct sim_portq *q)
{
	s->lp = s->topo->ports[sim_port_of(s, q)].node;
}

static void sim_on_pkt_arrive(void *ctx, struct sim_event *ev)
{
	struct sim *s = ctx;
	struct sim_pkt *p = container_of(ev, struct sim_pkt, ev);

	s->lp = s->topo->ports[p->in_port].node;
	sim_port_arrive(s, p);
}

static void sim_on_tx_done(void *ctx, struct sim_event *ev)
{
	struct sim_portq *q = container_of(ev, struct sim_portq, ev);

	sim_lp_port(ctx, q);
	sim_port_tx_done(ctx, q);
}

static void sim_on_port_wake(void *ctx, struct sim_event *ev)
{
	struct sim_portq *q = container_of(ev, struct sim_portq, wake_ev);

	sim_lp_port(ctx, q);
	sim_port_wake(ctx, q);
}

static void sim_on_pause_expire(void *ctx, struct sim_event *ev)
{
	struct sim_portq *q = container_of(ev, struct sim_portq, pause_ev);

	sim_lp_port(ctx, q);
	sim_port_pause_expire(ctx, q);
}

static void sim_on_pause_refresh(void *ctx, struct sim_event *ev)
{
	struct sim_portq *q = container_of(ev, struct sim_portq, refresh_ev);

	sim_lp_port(ctx, q);
	sim_pfc_refresh(ctx, q);
}

/* A QP timer may be the last thing a finished flow's QP waited for: then it is recycled. */
static void sim_on_qp_timer(void *ctx, struct sim_event *ev)
{
	struct sim_qp *qp = container_of(ev, struct sim_qp, ev);
	struct sim *s = ctx;

	s->lp = qp->src;
	sim_nic_qp_timer(ctx, qp);
	sim_qp_maybe_idle(ctx, qp);
}

static void sim_on_ack_timer(void *ctx, struct sim_event *ev)
{
	struct sim_qp *qp = container_of(ev, struct sim_qp, ack_ev);
	struct sim *s = ctx;

	s->lp = qp->dst;
	sim_nic_ack_timer(ctx, qp);
	sim_qp_maybe_idle(ctx, qp);
}

static void sim_on_cc_timer(void *ctx, struct sim_event *ev)
{
	struct sim_conn *c = container_of(ev, struct sim_conn, cc_ev);
	struct sim *s = ctx;

	s->lp = c->src;
	sim_cc_timer(s, c);
}

static void sim_on_flow_start(void *ctx, struct sim_event *ev)
{
	struct sim_flow *f = container_of(ev, struct sim_flow, ev);
	struct sim *s = ctx;

	s->lp = f->src;
	sim_flow_start(s, f);
}

/* The end of a local transfer (its bytes arrive at dst) or of dst's receive work (post_ps). */
static void sim_on_local_done(void *ctx, struct sim_event *ev)
{
	struct sim_flow *f = container_of(ev, struct sim_flow, ev);
	struct sim *s = ctx;

	s->lp = f->dst;
	sim_flow_local_done(s, f);
}

/* The news of a finished transfer reaches the host of a successor. */
static void sim_on_dep_note(void *ctx, struct sim_event *ev)
{
	struct sim_pkt *p = container_of(ev, struct sim_pkt, ev);
	struct sim *s = ctx;

	s->lp = s->topo->ports[p->in_port].node;
	sim_dep_noted(s, p);
}

/* A link changes: fail.c names the LP of each end it touches. */
static void sim_on_link(void *ctx, struct sim_event *ev)
{
	sim_fail_link(ctx, container_of(ev, struct sim_link_ev, ev));
}

static void sim_on_reroute(void *ctx, struct sim_event *ev)
{
	sim_fail_reroute(ctx, container_of(ev, struct sim_link_ev, reroute_ev));
}

/* Not an event: the traces' samples of the instants before NEXT_PS. */
static void sim_on_probe(void *ctx, uint64_t next_ps)
{
	sim_trace_probe(ctx, next_ps);
}

/*
 * At the instants k x SIM_WATCHDOG_PS (the engine's watch): a deadlock
 * ends the run there. Once every flow finished nothing can be stuck.
 */
static bool sim_watchdog(void *ctx)
{
	struct sim *s = ctx;

	if (s->ended || !sim_pfc_deadlocked(s))
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

/*
 * The payload of every flow, for a progress estimate from the bytes
 * delivered; 0 when not known here: lazy sources (their sizes are made as
 * they start) or a split run (each part delivers only its own).
 */
static uint64_t sim_progress_total(const struct sim *s)
{
	uint64_t total = 0;

	if (s->nsrcs || sim_dist_split(s))
		return 0;
	for (uint32_t i = 0; i < s->nadded; i++)
		total += s->flows[i].bytes;
	return total;
}

static void sim_tell_progress(struct sim *s, double wall_s, bool final)
{
	struct sim_progress p = {
		.now_ps = sim_now(s), .events = s->eng.events, .flows_done = s->flows_done,
		.nflows = s->nflows, .delivered_bytes = s->c.delivered_bytes,
		.total_bytes = s->progress_total_bytes, .wall_s = wall_s - s->run_t0_s, .final = final,
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

/* Event type -> element: one table for a whole run and for a part of a split one. */
#define SIM_FABRIC_HANDLERS { \
	[SIM_EV_PKT_ARRIVE] = sim_on_pkt_arrive, \
	[SIM_EV_TX_DONE] = sim_on_tx_done, \
	[SIM_EV_QP_TIMER] = sim_on_qp_timer, \
	[SIM_EV_FLOW_START] = sim_on_flow_start, \
	[SIM_EV_CC_TIMER] = sim_on_cc_timer, \
	[SIM_EV_PORT_WAKE] = sim_on_port_wake, \
	[SIM_EV_LOCAL_DONE] = sim_on_local_done, \
	[SIM_EV_ACK_TIMER] = sim_on_ack_timer, \
	[SIM_EV_PAUSE_EXPIRE] = sim_on_pause_expire, \
	[SIM_EV_PAUSE_REFRESH] = sim_on_pause_refresh, \
	[SIM_EV_DEP_NOTE] = sim_on_dep_note, \
	[SIM_EV_LINK] = sim_on_link, \
	[SIM_EV_REROUTE] = sim_on_reroute, \
}

/* What the engine calls: event type -> element, the PFC watchdog, progress. */
static const struct sim_engine_ops sim_fabric_engine_ops = {
	.handler = SIM_FABRIC_HANDLERS,
	.watch = sim_watchdog,
	.watch_period_ps = SIM_WATCHDOG_PS,
	.tick = sim_tick,
	.probe = sim_on_probe,
};

/*
 * The run's end for the outputs (struct sim.end_ps): the last finish once
 * every flow finished, whenever the timers behind it died out; else where
 * the engine stopped: stop_ps, the watchdog's instant, the last event.
 */
static void sim_set_end(struct sim *s, int end)
{
	if (s->flows_done >= s->nflows)
		s->end_ps = s->last_finish_ps;
	else if (end == SIM_ENGINE_STOPPED)
		s->end_ps = s->cfg.stop_ps;
	else
		s->end_ps = sim_now(s);
}

int sim_run_begin(struct sim *s)
{
	if (s->error)
		return s->error;
	s->err[0] = 0;
	if (!s->prepared && sim_prepare(s))
		return s->error;
	s->prepared = true;
	s->stalled = false;
	s->run_t0_s = s->progress_last_s = sim_wall();
	if (s->cfg.progress)
		s->progress_total_bytes = sim_progress_total(s);
	/* on until nothing is left to happen; sim_fail stops it as it runs */
	s->eng.stop = false;
	return 0;
}

/* A part of a split run: the same handlers, no watchdog (dist.c checks it over every part). */
static const struct sim_engine_ops sim_fabric_window_ops = {
	.handler = SIM_FABRIC_HANDLERS,
	.tick = sim_tick,
	.probe = sim_on_probe,
};

void sim_run_window(struct sim *s, uint64_t last_ps)
{
	int end;

	s->eng.stop = false;
	end = sim_engine_run(&s->eng, &sim_fabric_window_ops, last_ps);
	if (end < 0)
		sim_fail(s, end, "out of memory for events (%zu pending)", s->eng.q.n);
}

int sim_run_end(struct sim *s)
{
	/* every event at or before the end ran: the byte counts of its instants are complete */
	sim_bytes_resolve(s);
	sim_trace_flush(s);
	s->c.events = s->eng.events;
	s->wall_s = sim_wall() - s->run_t0_s;
	if (s->cfg.progress)
		sim_tell_progress(s, s->run_t0_s + s->wall_s, true);
	if (s->error)
		return s->error;
	if (sim_check(s, s->err, sizeof(s->err))) {
		s->error = -EPROTO;
		return s->error;
	}
	return 0;
}

int sim_run(struct sim *s)
{
	int end;

	if (sim_run_begin(s))
		return s->error;
	end = sim_engine_run(&s->eng, &sim_fabric_engine_ops, s->cfg.stop_ps);
	if (end < 0)
		sim_fail(s, end, "out of memory for events (%zu pending)", s->eng.q.n);
	sim_set_end(s, end);
	if (!s->error && s->flows_done < s->nflows && !s->deadlock && !s->cfg.stop_ps)
		s->stalled = true;
	return sim_run_end(s);
}
