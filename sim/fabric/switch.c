/*
 * Switch data path: shared-buffer admission with dynamic per-queue
 * thresholds, RED-style ECN marking on egress, and PFC on the data
 * priority (per-ingress accounting, XOFF/XON pause frames that travel the
 * link like any frame). Also the watchdog that recognises a PFC deadlock:
 * a cycle of switches each waiting on a paused port toward the next.
 *
 * Ports reach the switch through sim_switch_port_ops: a frame arrives
 * (admission, marking, XOFF), a frame leaves an egress queue (the buffer
 * is released, XON). Accounting: sw_used_bytes is every frame held, data
 * and control; sw_ctrl_bytes the control part; an ingress port's
 * ingress_bytes the data that entered through it and is still held here.
 * PAUSE frames are generated at the egress and never held in the buffer.
 */
#include <stdlib.h>
#include "sim/fabric/sim.h"

/* RED thresholds at 100 Gb/s, scaled linearly with the port's rate. */
#define SIM_ECN_KMIN_100G (100 * 1024)
#define SIM_ECN_KMAX_100G (400 * 1024)

#define SIM_ECN_REF_BPS 100000000000ULL

static void sim_ecn_thresholds(const struct sim *s, uint64_t rate_bps, uint64_t *kmin, uint64_t *kmax)
{
	*kmin = s->cfg.ecn_kmin_bytes ? s->cfg.ecn_kmin_bytes :
		coll_mul_div_u64(SIM_ECN_KMIN_100G, rate_bps, SIM_ECN_REF_BPS);
	*kmax = s->cfg.ecn_kmax_bytes ? s->cfg.ecn_kmax_bytes :
		coll_mul_div_u64(SIM_ECN_KMAX_100G, rate_bps, SIM_ECN_REF_BPS);
	for (uint32_t i = 0; i < s->cfg.necn; i++) {
		if (s->cfg.ecn_rate_bps[i] != rate_bps)
			continue;
		if (s->cfg.ecn_kmin_at[i])
			*kmin = s->cfg.ecn_kmin_at[i];
		if (s->cfg.ecn_kmax_at[i])
			*kmax = s->cfg.ecn_kmax_at[i];
	}
	if (*kmax <= *kmin)
		*kmax = coll_add_sat_u64(*kmin, 1);
}

static void sim_ecn_mark(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	struct sim_portq *q = &s->pq[port];
	uint64_t kmin, kmax, qb = q->qbytes[SIM_PRIO_DATA];

	sim_ecn_thresholds(s, s->topo->ports[port].rate_bps, &kmin, &kmax);
	if (qb <= kmin)
		return;
	if (qb < kmax && sim_rng_unit(&s->rng) >= s->cfg.ecn_pmax * (double)(qb - kmin) / (double)(kmax - kmin))
		return;
	p->ecn = 1;
	q->ecn_marks++;
	s->c.ecn_marks++;
}

/* XOFF threshold of one ingress port: a static share unless configured. */
uint64_t sim_pfc_xoff_of(const struct sim_config *cfg, const struct sim_topo *t, uint32_t node,
			 uint64_t buffer_bytes)
{
	if (cfg->pfc_xoff_bytes)
		return cfg->pfc_xoff_bytes;
	return buffer_bytes / (2 * (uint64_t)t->nodes[node].nports);
}

static uint64_t sim_pfc_xoff(const struct sim *s, uint32_t node)
{
	return sim_pfc_xoff_of(&s->cfg, s->topo, node, s->buffer_bytes);
}

static uint64_t sim_pfc_xon(const struct sim *s, uint32_t node)
{
	uint64_t xoff = sim_pfc_xoff(s, node), gap = 2 * sim_wire_bytes(s->mtu_bytes, SIM_PKT_DATA);

	if (s->cfg.pfc_xon_bytes)
		return s->cfg.pfc_xon_bytes;
	return xoff > gap ? xoff - gap : xoff / 2;
}

/*
 * Headroom of one ingress port: what may still arrive after XOFF is sent.
 * The frame that crossed XOFF overshoots it by up to a frame; the PAUSE
 * waits behind the frame on the wire here, crosses the cable, the upstream
 * port finishes its frame, and what it sent meanwhile crosses back; and
 * what is still in this switch's forwarding pipeline, which the model
 * accounts at the end of it.
 */
uint64_t sim_pfc_headroom_need(const struct sim_topo *t, uint32_t port, uint32_t mtu_bytes)
{
	const struct sim_port *p = &t->ports[port];
	/* bytes in flight, rounded up: headroom errs on the safe side */
	uint64_t cable = coll_mul_div_up_u64(p->delay_ps, p->rate_bps, COLL_BIT_PS_PER_S);
	uint64_t pipe = coll_mul_div_up_u64(t->sw.latency_ps, p->rate_bps, COLL_BIT_PS_PER_S);
	uint64_t frames = 3 * sim_wire_bytes(mtu_bytes, SIM_PKT_DATA) + sim_wire_bytes(0, SIM_PKT_PAUSE);

	return coll_add_sat_u64(coll_mul_sat_u64(2, cable), coll_add_sat_u64(pipe, frames));
}

uint64_t sim_pfc_headroom_of(const struct sim_config *cfg, const struct sim_topo *t, uint32_t port,
			     uint32_t mtu_bytes)
{
	if (cfg->pfc_headroom_bytes)
		return cfg->pfc_headroom_bytes;
	return sim_pfc_headroom_need(t, port, mtu_bytes);
}

static uint64_t sim_pfc_headroom(const struct sim *s, uint32_t port)
{
	return sim_pfc_headroom_of(&s->cfg, s->topo, port, s->mtu_bytes);
}

static void sim_pfc_send(struct sim *s, uint32_t port, bool pause)
{
	struct sim_pkt *f = sim_pkt_alloc(s);

	if (!f)
		return;	/* out of memory: the run is failing */
	f->kind = SIM_PKT_PAUSE;
	f->prio = SIM_PRIO_CTRL;
	f->quanta = pause ? 0xffff : 0;
	f->wire_bytes = (uint32_t)sim_wire_bytes(0, SIM_PKT_PAUSE);
	f->qp = 0;
	f->src = f->dst = s->topo->ports[port].node;
	s->pq[port].xoff_sent = pause;
	if (pause) {
		s->pq[port].pauses_sent++;
		s->c.pauses++;
	}
	sim_port_enqueue_pause(s, port, f);
}

/*
 * Dynamic threshold: a queue may grow to alpha times the free buffer.
 * Under PFC every ingress owns XOFF + headroom of the buffer for data
 * (sim_config_check makes sure the buffer holds them all), and control
 * frames share only what is left: they can never crowd out lossless data.
 */
static bool sim_admit(struct sim *s, uint32_t sw, uint32_t out, const struct sim_pkt *p)
{
	uint64_t used = s->sw_used_bytes[sw], b = s->buffer_bytes;
	const struct sim_portq *q = &s->pq[out];

	if (used + p->wire_bytes > b)
		return false;
	if (s->cfg.pfc && p->kind != SIM_PKT_DATA)
		return s->sw_reserved_bytes[sw] <= b &&
		       s->sw_ctrl_bytes[sw] + p->wire_bytes <= b - s->sw_reserved_bytes[sw];
	if (p->prio == SIM_PRIO_CTRL || (s->cfg.pfc && p->kind == SIM_PKT_DATA))
		return true;
	if (s->cfg.buffer_alpha <= 0)
		return q->qbytes[p->prio] + p->wire_bytes <= b / s->topo->nodes[s->topo->ports[out].node].nports;
	return (double)(q->qbytes[p->prio] + p->wire_bytes) <= s->cfg.buffer_alpha * (double)(b - used);
}

static void sim_switch_receive(struct sim *s, uint32_t node, struct sim_pkt *p)
{
	uint32_t sw = s->topo->nodes[node].index;
	uint32_t out = sim_route_pick(s, node, p);
	struct sim_portq *in = &s->pq[p->in_port];

	/* lossless, but not boundless: past XOFF + headroom the frame is lost */
	if (out != SIM_NONE && s->cfg.pfc && p->kind == SIM_PKT_DATA &&
	    in->ingress_bytes + p->wire_bytes > sim_pfc_xoff(s, node) + sim_pfc_headroom(s, p->in_port)) {
		in->drops++;	/* counted at the ingress that overflowed */
		out = SIM_NONE;
	}
	if (out == SIM_NONE || !sim_admit(s, sw, out, p)) {
		if (out != SIM_NONE)
			s->pq[out].drops++;
		s->c.drops++;
		sim_pkt_free(s, p);
		return;
	}
	s->sw_used_bytes[sw] += p->wire_bytes;
	if (p->kind != SIM_PKT_DATA)
		s->sw_ctrl_bytes[sw] += p->wire_bytes;
	if (p->kind == SIM_PKT_DATA) {
		if (s->cfg.ecn)
			sim_ecn_mark(s, out, p);
		in->ingress_bytes += p->wire_bytes;
		if (s->cfg.pfc && !in->xoff_sent && in->ingress_bytes >= sim_pfc_xoff(s, node))
			sim_pfc_send(s, p->in_port, true);
	}
	sim_port_enqueue(s, out, p);
}

static void sim_switch_dequeued(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	uint32_t node = s->topo->ports[port].node, sw = s->topo->nodes[node].index;
	struct sim_portq *in;

	if (p->kind == SIM_PKT_PAUSE)
		return;	/* generated here, never held in the shared buffer */
	s->sw_used_bytes[sw] -= p->wire_bytes;
	if (p->kind != SIM_PKT_DATA) {
		s->sw_ctrl_bytes[sw] -= p->wire_bytes;
		return;
	}
	in = &s->pq[p->in_port];
	in->ingress_bytes -= p->wire_bytes;
	if (in->xoff_sent && in->ingress_bytes <= sim_pfc_xon(s, node))
		sim_pfc_send(s, p->in_port, false);
}

const struct sim_port_owner_ops sim_switch_port_ops = {
	.receive = sim_switch_receive,
	.dequeued = sim_switch_dequeued,
	.stamps_int = true,
};

/* Does switch SW wait, through a paused port holding data, on another switch? */
static bool sim_wait_dfs(struct sim *s, uint32_t sw, uint8_t *color)
{
	const struct sim_topo *t = s->topo;
	const struct sim_node *n = &t->nodes[t->switches[sw]];

	color[sw] = 1;
	for (uint32_t i = 0; i < n->nports; i++) {
		uint32_t port = n->first_port + i;
		const struct sim_portq *q = &s->pq[port];
		const struct sim_node *m = &t->nodes[t->ports[t->ports[port].peer].node];

		if (!q->paused || !q->qbytes[SIM_PRIO_DATA] || m->kind != SIM_NODE_SWITCH)
			continue;
		if (color[m->index] == 1)
			return true;
		if (!color[m->index] && sim_wait_dfs(s, m->index, color))
			return true;
	}
	color[sw] = 2;
	return false;
}

bool sim_pfc_deadlocked(struct sim *s)
{
	uint8_t *color;
	bool found = false;

	if (!s->cfg.pfc || s->c.delivered_bytes != s->watch_bytes) {
		s->watch_bytes = s->c.delivered_bytes;
		return false;
	}
	color = calloc(s->topo->nswitches, 1);
	if (!color)
		return false;	/* no memory to look with: the next check tries again */
	for (uint32_t i = 0; i < s->topo->nswitches && !found; i++)
		if (!color[i])
			found = sim_wait_dfs(s, i, color);
	free(color);
	return found;
}
