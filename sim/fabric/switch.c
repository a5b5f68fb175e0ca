/*
 * Switch data path, as a Spectrum-class switch is configured for RoCE:
 * one shared buffer per switch with dynamic thresholds, RED-style ECN
 * marking on egress with NVIDIA's RoCE thresholds, and PFC on the data
 * priority. Also the watchdog that recognises a PFC deadlock: a cycle of
 * switches each waiting on a paused port toward the next.
 *
 * Buffer (PFC on): every ingress port owns a headroom (sim_pfc_headroom_of)
 * for what still arrives after its PAUSE; the rest of the buffer is the
 * shared pool. Lossless data is accounted to its ingress port (the
 * priority group of a Spectrum port): it goes to the shared pool while the
 * port's shared bytes stay under XOFF = alpha x the free shared pool (the
 * dynamic threshold, sim_pfc_xoff_now), else to the port's headroom, and
 * is dropped only past the headroom, which the derivation makes
 * unreachable. A port with data in its headroom, or at XOFF, pauses its
 * upstream; the PAUSE carries 0xffff quanta, runs out at the upstream after
 * quanta x 512 bit times (port.c) and is re-sent at half that while the
 * congestion lasts (SIM_EV_PAUSE_REFRESH); XON (quanta 0) when the
 * headroom is empty and the shared bytes are two frames under XOFF. An
 * egress queue of lossless data is then bounded through its ingresses:
 * with k congested ingresses feeding it, by k x alpha / (1 + k x alpha) of
 * the pool. Lossy data (--no-pfc) has a dynamic threshold on its egress
 * queue instead.
 *
 * Accounting: sw_used_bytes is every frame held, data and control;
 * sw_ctrl_bytes the control part; sw_hdrm_bytes the data in headrooms; an
 * ingress port's ingress_bytes the data that entered through it and is
 * still held here, hdrm_bytes the part of it in the headroom (released
 * first). PAUSE frames are generated at the egress and never held.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/fabric/sim.h"
#include "sim/fabric/dist.h"

/*
 * RED/ECN thresholds of NVIDIA's RoCE configuration for Spectrum switches:
 * Cumulus Linux `nv set qos roce` (lossless and lossy modes) programs the
 * RoCE traffic class with ECN min-threshold 150,000 B, max-threshold
 * 1,500,000 B, probability 100 %; NVIDIA's "How to configure RoCE over a
 * lossless fabric (PFC + ECN)" traffic.conf uses the same
 * min_threshold_bytes = 150000, max_threshold_bytes = 1500000 (Cumulus
 * Linux RoCE page, docs.nvidia.com/networking-ethernet-software/
 * cumulus-linux-514/Layer-1-and-Switch-Ports/Quality-of-Service/
 * RDMA-over-Converged-Ethernet-RoCE). The profile is absolute and the same
 * at every port speed: NVIDIA publishes no per-speed scaling, so the table
 * below has one row per speed with the same values, and any other speed
 * uses them too. --ecn-kmin/--ecn-kmax/--ecn-pmax override them (also per
 * speed, RATE=SIZE).
 */
static const struct sim_ecn_preset {
	uint64_t rate_bps;
	uint64_t kmin_bytes, kmax_bytes;
} sim_ecn_roce[] = {
	{ 100000000000ULL, 150000, 1500000 },
	{ 200000000000ULL, 150000, 1500000 },
	{ 400000000000ULL, 150000, 1500000 },
	{ 800000000000ULL, 150000, 1500000 },
};

#define SIM_ECN_KMIN_ROCE 150000
#define SIM_ECN_KMAX_ROCE 1500000

/* RED thresholds of an egress port of RATE_BPS, bytes: the per-speed preset, then the options. */
static void sim_ecn_thresholds_of(const struct sim_config *cfg, uint64_t rate_bps, uint64_t *kmin, uint64_t *kmax)
{
	*kmin = SIM_ECN_KMIN_ROCE;
	*kmax = SIM_ECN_KMAX_ROCE;
	for (size_t i = 0; i < sizeof(sim_ecn_roce) / sizeof(sim_ecn_roce[0]); i++) {
		if (sim_ecn_roce[i].rate_bps == rate_bps) {
			*kmin = sim_ecn_roce[i].kmin_bytes;
			*kmax = sim_ecn_roce[i].kmax_bytes;
		}
	}
	if (cfg->ecn_kmin_bytes)
		*kmin = cfg->ecn_kmin_bytes;
	if (cfg->ecn_kmax_bytes)
		*kmax = cfg->ecn_kmax_bytes;
	for (uint32_t i = 0; i < cfg->necn; i++) {
		if (cfg->ecn_rate_bps[i] != rate_bps)
			continue;
		if (cfg->ecn_kmin_at[i])
			*kmin = cfg->ecn_kmin_at[i];
		if (cfg->ecn_kmax_at[i])
			*kmax = cfg->ecn_kmax_at[i];
	}
	if (*kmax <= *kmin)
		*kmax = coll_add_sat_u64(*kmin, 1);
}

static void sim_ecn_mark(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	struct sim_portq *q = &s->pq[port];
	uint64_t kmin, kmax, qb = q->qbytes[SIM_PRIO_DATA];

	sim_ecn_thresholds_of(&s->cfg, s->topo->ports[port].rate_bps, &kmin, &kmax);
	if (qb <= kmin)
		return;
	if (qb < kmax && sim_rng_unit(&s->node_rng[s->topo->ports[port].node]) >= s->cfg.ecn_pmax * (double)(qb - kmin) / (double)(kmax - kmin))
		return;
	p->ecn = 1;
	s->pst[port].ecn_marks++;
	s->c.ecn_marks++;
}

/* Shared pool of switch SW: the buffer less what its ingress ports own. */
static uint64_t sim_pool_bytes(const struct sim *s, uint32_t sw)
{
	uint64_t r = s->sw_reserved_bytes[sw];

	return s->buffer_bytes > r ? s->buffer_bytes - r : 0;
}

/* Occupancy of the shared pool: every frame held except the data in headrooms. */
static uint64_t sim_pool_used(const struct sim *s, uint32_t sw)
{
	return s->sw_used_bytes[sw] - s->sw_hdrm_bytes[sw];
}

/*
 * XOFF of ingress PORT: the dynamic threshold of its priority group,
 * alpha x (pool - pool used). Alpha is --alpha (default 1: SONiC's
 * ingress_lossless_profile for Mellanox Spectrum has dynamic_th 0, alpha
 * = 2^0, sonic-net/SONiC doc/qos/dynamically-headroom-calculation.md);
 * alpha 0 gives every port a static pool / ports.
 */
uint64_t sim_pfc_xoff_now(const struct sim *s, uint32_t port)
{
	const struct sim_topo *t = s->topo;
	uint32_t node = t->ports[port].node, sw = t->nodes[node].index;
	uint64_t pool = sim_pool_bytes(s, sw), used = sim_pool_used(s, sw);

	if (s->cfg.pfc_xoff_bytes)
		return s->cfg.pfc_xoff_bytes;
	if (s->cfg.buffer_alpha <= 0)
		return pool / t->nodes[node].nports;
	if (used >= pool)
		return 0;
	return (uint64_t)(s->cfg.buffer_alpha * (double)(pool - used));
}

/* Data of ingress Q in the shared pool. */
static uint64_t sim_pfc_shared(const struct sim_portq *q)
{
	return q->ingress_bytes - q->hdrm_bytes;
}

/*
 * Should ingress PORT hold its upstream paused? While data sits in its
 * headroom, or its shared bytes are at XOFF; it resumes two frames below
 * (--pfc-xon: at that level; SONiC's Mellanox lossless profiles use an XON
 * offset of 18,432 B, two 9,216 B jumbo frames).
 */
static bool sim_pfc_congested(const struct sim *s, uint32_t port, bool paused)
{
	const struct sim_portq *q = &s->pq[port];
	uint64_t shared = sim_pfc_shared(q), xoff = sim_pfc_xoff_now(s, port);
	uint64_t gap = 2 * sim_wire_bytes(s->mtu_bytes, SIM_PKT_DATA);

	if (q->hdrm_bytes)
		return true;
	if (!paused)
		return shared && shared >= xoff;
	if (!shared)
		return false;
	if (s->cfg.pfc_xon_bytes)
		return shared > s->cfg.pfc_xon_bytes;
	return shared + gap > xoff;
}

/*
 * Headroom of one ingress port: what may still arrive after XOFF is sent.
 * The frame that crossed XOFF overshoots it by up to a frame; the PAUSE
 * waits behind the frame on the wire here, crosses the cable, the upstream
 * MAC takes its reaction time and finishes its frame, and what it sent
 * meanwhile crosses back; and what is still in this switch's forwarding
 * pipeline, which the model accounts at the end of it. These are the terms
 * of the PFC delay of IEEE 802.1Qbb-2011 clause N.4 (cable both ways,
 * a maximum frame at both ends, the interface and higher-layer delays of
 * the upstream) and of SONiC's Mellanox headroom calculation (2 x cable
 * delay + peer response time, x port speed, + MTUs).
 */
uint64_t sim_pfc_headroom_need(const struct sim_topo *t, uint32_t port, uint32_t mtu_bytes)
{
	const struct sim_port *p = &t->ports[port];
	/* bytes in flight, rounded up: headroom errs on the safe side */
	uint64_t cable = coll_mul_div_up_u64(p->delay_ps, p->rate_bps, COLL_BIT_PS_PER_S);
	uint64_t pipe = coll_mul_div_up_u64(t->sw.latency_ps, p->rate_bps, COLL_BIT_PS_PER_S);
	uint64_t frames = 3 * sim_wire_bytes(mtu_bytes, SIM_PKT_DATA) + sim_wire_bytes(0, SIM_PKT_PAUSE);
	uint64_t react = SIM_PFC_REACTION_BITS / 8;

	return coll_add_sat_u64(coll_mul_sat_u64(2, cable), coll_add_sat_u64(pipe, frames + react));
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

/* 802.3 Annex 31B: a pause quantum is 512 bit times at the port's rate. */
uint64_t sim_pause_ps(uint32_t quanta, uint64_t rate_bps)
{
	return coll_mul_div_up_u64((uint64_t)quanta * 512, COLL_PS_PER_S, rate_bps);
}

static void sim_pfc_send(struct sim *s, uint32_t port, bool pause)
{
	struct sim_pkt *f = sim_pkt_alloc(s);
	struct sim_portq *q = &s->pq[port];
	struct sim_portq_stats *st = &s->pst[port];

	if (!f)
		return;	/* out of memory: the run is failing */
	f->kind = SIM_PKT_PAUSE;
	f->prio = SIM_PRIO_CTRL;
	f->quanta = pause ? SIM_PFC_QUANTA : 0;
	f->wire_bytes = (uint32_t)sim_wire_bytes(0, SIM_PKT_PAUSE);
	f->qp = 0;
	f->src = f->dst = s->topo->ports[port].node;
	q->xoff_sent = pause;
	st->refresh_at_ps = 0;
	if (pause) {
		st->pauses_sent++;
		s->c.pauses++;
		/* re-sent at half the pause time: the upstream never runs out while congested */
		st->refresh_at_ps = sim_now(s) + sim_pause_ps(SIM_PFC_QUANTA, s->topo->ports[port].rate_bps) / 2;
		sim_schedule(s, st->refresh_at_ps, &q->refresh_ev);
	}
	sim_port_enqueue_pause(s, port, f);
}

void sim_pfc_refresh(struct sim *s, struct sim_portq *q)
{
	uint32_t port = sim_port_of(s, q);

	if (!q->xoff_sent || s->pst[port].refresh_at_ps != sim_now(s))
		return;	/* stale: resumed, or re-armed later */
	sim_pfc_send(s, port, sim_pfc_congested(s, port, true));
}

/*
 * Admission of everything but lossless data: control frames under PFC use
 * the shared pool and never what ingress ports own; lossy data has the
 * dynamic threshold on its egress queue, alpha times the free buffer.
 */
static bool sim_admit(struct sim *s, uint32_t sw, uint32_t out, const struct sim_pkt *p)
{
	uint64_t used = s->sw_used_bytes[sw], b = s->buffer_bytes;
	const struct sim_portq *q = &s->pq[out];

	if (used + p->wire_bytes > b)
		return false;
	if (s->cfg.pfc)
		return s->sw_reserved_bytes[sw] <= b &&
		       s->sw_ctrl_bytes[sw] + p->wire_bytes <= b - s->sw_reserved_bytes[sw] &&
		       sim_pool_used(s, sw) + p->wire_bytes <= sim_pool_bytes(s, sw);
	if (p->prio == SIM_PRIO_CTRL)
		return true;
	if (s->cfg.buffer_alpha <= 0)
		return q->qbytes[p->prio] + p->wire_bytes <= b / s->topo->nodes[s->topo->ports[out].node].nports;
	return (double)(q->qbytes[p->prio] + p->wire_bytes) <= s->cfg.buffer_alpha * (double)(b - used);
}

/*
 * Lossless data entering through IN: the shared pool below XOFF, else the
 * headroom; false past the headroom (lost, counted at the ingress).
 */
static bool sim_admit_lossless(struct sim *s, uint32_t sw, struct sim_pkt *p)
{
	struct sim_portq *in = &s->pq[p->in_port];
	uint64_t w = p->wire_bytes;

	if (!in->hdrm_bytes && sim_pfc_shared(in) + w <= sim_pfc_xoff_now(s, p->in_port) &&
	    sim_pool_used(s, sw) + w <= sim_pool_bytes(s, sw))
		return true;
	if (in->hdrm_bytes + w > sim_pfc_headroom(s, p->in_port) || s->sw_used_bytes[sw] + w > s->buffer_bytes) {
		s->pst[p->in_port].drops++;
		return false;
	}
	in->hdrm_bytes += w;
	s->sw_hdrm_bytes[sw] += w;
	return true;
}

static void sim_switch_receive(struct sim *s, uint32_t node, struct sim_pkt *p)
{
	uint32_t sw = s->topo->nodes[node].index;
	uint32_t out = sim_route_pick(s, node, p);
	struct sim_portq *in = &s->pq[p->in_port];
	bool lossless = s->cfg.pfc && p->kind == SIM_PKT_DATA;
	bool ok = out != SIM_NONE && (lossless ? sim_admit_lossless(s, sw, p) : sim_admit(s, sw, out, p));

	if (!ok) {
		if (out != SIM_NONE && !lossless)
			s->pst[out].drops++;
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
		if (s->cfg.pfc && !in->xoff_sent && sim_pfc_congested(s, p->in_port, false))
			sim_pfc_send(s, p->in_port, true);
	}
	sim_port_enqueue(s, out, p);
}

static void sim_switch_dequeued(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	uint32_t node = s->topo->ports[port].node, sw = s->topo->nodes[node].index;
	struct sim_portq *in;
	uint64_t h;

	if (p->kind == SIM_PKT_PAUSE)
		return;	/* generated here, never held in the shared buffer */
	s->sw_used_bytes[sw] -= p->wire_bytes;
	if (p->kind != SIM_PKT_DATA) {
		s->sw_ctrl_bytes[sw] -= p->wire_bytes;
		return;
	}
	in = &s->pq[p->in_port];
	in->ingress_bytes -= p->wire_bytes;
	/* the headroom empties first: the port can resume only once it is empty */
	h = in->hdrm_bytes < p->wire_bytes ? in->hdrm_bytes : p->wire_bytes;
	in->hdrm_bytes -= h;
	s->sw_hdrm_bytes[sw] -= h;
	if (in->xoff_sent && !sim_pfc_congested(s, p->in_port, true))
		sim_pfc_send(s, p->in_port, false);
}

const struct sim_port_owner_ops sim_switch_port_ops = {
	.receive = sim_switch_receive,
	.dequeued = sim_switch_dequeued,
	.stamps_int = true,
};

/* Does switch SW wait, through a paused port holding data (WAITING), on another switch? */
static bool sim_wait_dfs(const struct sim *s, uint32_t sw, uint8_t *color, const uint64_t *waiting)
{
	const struct sim_topo *t = s->topo;
	const struct sim_node *n = &t->nodes[t->switches[sw]];

	color[sw] = 1;
	for (uint32_t i = 0; i < n->nports; i++) {
		uint32_t port = n->first_port + i;
		const struct sim_node *m = &t->nodes[t->ports[t->ports[port].peer].node];

		if (!(waiting[port / 64] >> (port % 64) & 1) || m->kind != SIM_NODE_SWITCH)
			continue;
		if (color[m->index] == 1)
			return true;
		if (!color[m->index] && sim_wait_dfs(s, m->index, color, waiting))
			return true;
	}
	color[sw] = 2;
	return false;
}

bool sim_pfc_cycle(const struct sim *s, const uint64_t *waiting)
{
	uint8_t *color = calloc(s->topo->nswitches, 1);
	bool found = false;

	if (!color)
		return false;	/* no memory to look with: the next check tries again */
	for (uint32_t i = 0; i < s->topo->nswitches && !found; i++)
		if (!color[i])
			found = sim_wait_dfs(s, i, color, waiting);
	free(color);
	return found;
}

void sim_pfc_waiting(const struct sim *s, uint64_t *waiting)
{
	memset(waiting, 0, (s->topo->nports + 63) / 64 * sizeof(*waiting));
	for (uint32_t port = 0; port < s->topo->nports; port++)
		if (sim_dist_owns(s, s->topo->ports[port].node) && s->pq[port].paused &&
		    s->pq[port].qbytes[SIM_PRIO_DATA])
			waiting[port / 64] |= 1ULL << (port % 64);
}

bool sim_pfc_deadlocked(struct sim *s)
{
	uint64_t *waiting;
	bool found;

	if (!s->cfg.pfc || s->c.delivered_bytes != s->watch_bytes) {
		s->watch_bytes = s->c.delivered_bytes;
		return false;
	}
	waiting = calloc((s->topo->nports + 63) / 64, sizeof(*waiting));
	if (!waiting)
		return false;
	sim_pfc_waiting(s, waiting);
	found = sim_pfc_cycle(s, waiting);
	free(waiting);
	return found;
}
