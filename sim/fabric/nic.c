/*
 * Host NIC: the RC transport of RoCEv2 on both ends of a queue pair.
 *
 * Sender: a connection (src, dst, tag, QP slot) is one hardware QP: the flows
 * posted on it send new data in posting order (struct sim_conn.sq_head), as
 * a QP executes its work requests in order. The port round-robins over the
 * QPs that may send, each limited by its connection's window (only when the
 * CC is window-based or --window is given) and pacing rate; retransmission
 * on NAK (go-back-N) or timeout. Receiver: either
 * places out-of-order packets directly and acknowledges selectively
 * (`ddp`, BlueField-3 / ConnectX-7 style) or drops them and NAKs the first
 * missing sequence number (`gbn`, classic RoCE). ACKs for in-order data are
 * coalesced; CNPs answer ECN-marked data at most once per interval per
 * connection when the congestion control asks for them (cc/cc.h), and the
 * congestion control sees every ACK, CNP and sent frame of the sender.
 *
 * Planes (a host with several NIC ports, each to its own plane of
 * switches): a QP's packets leave by the port of qp->plane. With qp
 * spreading (the default) that is the QP's slot's plane, or the next
 * usable one when a host port of that plane is down at either end; with
 * packet spreading the QP moves to the next usable plane's round-robin
 * after each data packet, so its packets alternate over the planes
 * (sim_nic_spray), and the receiver answers on the plane the data came in
 * on (rx_plane). Switches take the plane from their own place in the
 * fabric (route.c), so a QP that moved leaves its earlier packets on
 * their way.
 */
#include <assert.h>
#include <string.h>
#include "sim/fabric/cc/cc.h"
#include "sim/fabric/dist_priv.h"
#include "sim/fabric/lb/lb.h"

static inline int sim_bit(const uint64_t *b, uint32_t bits, uint32_t psn)
{
	uint32_t i = psn & (bits - 1);

	return (b[i >> 6] >> (i & 63)) & 1;
}

static inline void sim_bit_set(uint64_t *b, uint32_t bits, uint32_t psn, int v)
{
	uint32_t i = psn & (bits - 1);

	if (v)
		b[i >> 6] |= 1ULL << (i & 63);
	else
		b[i >> 6] &= ~(1ULL << (i & 63));
}

static uint32_t sim_psn_bytes(const struct sim *s, const struct sim_qp *qp, uint32_t psn)
{
	return psn + 1 == qp->npkts ? (uint32_t)(qp->bytes - (uint64_t)psn * s->mtu_bytes) : s->mtu_bytes;
}

/*
 * The RoCEv2 UDP source port is the ECMP entropy of a QP (the destination
 * port is always 4791; IBTA Annex A17 RoCEv2, 2014: the source port is an
 * opaque flow identifier for ECMP). It belongs to the hardware QP, not to
 * a message: without RDMA-CM it is hashed from the local and remote QP
 * numbers when the QP connects and kept for the QP's life ("[RFC] RoCE
 * v2.0 UDP Source Port Entropy", Mellanox, linux-rdma 2019; Linux
 * include/rdma/ib_verbs.h rdma_calc_flow_label(lqpn, rqpn) and
 * rdma_flow_label_to_udp_sport, 0xC000 | 14 bits), and NCCL keeps its QPs
 * per connection for the communicator's life (src/transport/net_ib.cc).
 * So it is hashed here from the connection and slot, which stand for the
 * two QP numbers: every message of a connection takes the same ECMP path;
 * slots and channels differ. The seed stands for the QP numbers a run
 * happened to get.
 */
uint16_t sim_qp_sport(uint64_t seed, uint32_t src, uint32_t dst, uint32_t tag, uint32_t slot)
{
	uint64_t h = sim_mix64((uint64_t)src << 32 | dst);

	h = sim_mix64(h ^ ((uint64_t)tag << 32 | slot) ^ seed);
	return (uint16_t)(0xc000 | (h & 0x3fff));
}

/*
 * Whether SRC's packets can reach DST on PLANE: both hosts' ports of that
 * plane are up and, when links have failed (s->reach, sim/topo/reach.h),
 * a path of live links joins their leaves on it.
 */
static bool sim_nic_plane_ok(const struct sim *s, uint32_t src, uint32_t dst, uint32_t plane)
{
	const struct sim_topo *t = s->topo;

	if (t->ports[t->nodes[src].first_port + plane].down || t->ports[t->nodes[dst].first_port + plane].down)
		return false;
	/* the fabric's table (route.c) as the control plane last learned it */
	return !s->reach || sim_reach_hosts(t, s->reach, src, dst, plane);
}

/* The first usable plane from FROM on, cyclically; FROM when none is (the packets are then lost). */
static uint32_t sim_nic_plane_from(const struct sim *s, uint32_t src, uint32_t dst, uint32_t from)
{
	uint32_t n = s->topo->nplanes;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t plane = (from + i) % n;

		if (sim_nic_plane_ok(s, src, dst, plane))
			return plane;
	}
	return from;
}

static bool sim_nic_sprays(const struct sim *s)
{
	return s->cfg.plane_spread == SIM_PLANE_SPREAD_PACKET && s->topo->nplanes > 1;
}

void sim_nic_qp_init(struct sim *s, struct sim_flow *f, struct sim_qp *qp, uint32_t k, uint32_t slot)
{
	const struct sim_topo *t = s->topo;
	uint64_t share = f->bytes / f->nqps + (k < f->bytes % f->nqps ? 1 : 0);

	qp->ev.type = SIM_EV_QP_TIMER;
	qp->ack_ev.type = SIM_EV_ACK_TIMER;
	qp->flow = f;
	qp->flow_id = f->id;
	qp->src = f->src;
	qp->dst = f->dst;
	qp->slot = slot;
	qp->plane = (uint8_t)(slot % t->nplanes);
	if (t->nplanes > 1)
		qp->plane = (uint8_t)sim_nic_plane_from(s, f->src, f->dst, qp->plane);
	qp->rx_plane = qp->plane;
	qp->sport = sim_qp_sport(s->cfg.seed, f->src, f->dst, sim_flow_qp_tag(f, k), slot);
	qp->bytes = share;
	qp->npkts = (uint32_t)((share + s->mtu_bytes - 1) / s->mtu_bytes);
	qp->bitmap_bits = s->bitmap_bits;
	if (!qp->npkts) {
		f->qps_done++;
		f->qps_sent++;
	}
}

/* In-flight bytes are counted per QP (its own ACKs) and per connection (its window). */
static void sim_inflight_add(struct sim *s, struct sim_qp *qp, int64_t delta)
{
	struct sim_conn *c = sim_qp_conn(s, qp);

	if (delta < 0 && (uint64_t)-delta > qp->inflight_bytes)
		delta = -(int64_t)qp->inflight_bytes;
	qp->inflight_bytes += delta;
	c->inflight_bytes += delta;
}

static uint32_t sim_qp_port(const struct sim *s, const struct sim_qp *qp)
{
	return s->topo->nodes[qp->src].first_port + qp->plane;
}

static int sim_qp_has_work(const struct sim_qp *qp)
{
	return qp->retx_psn < qp->retx_end || qp->next_psn < qp->npkts;
}

static int sim_qp_window_open(const struct sim *s, const struct sim_qp *qp)
{
	uint32_t psn = qp->retx_psn < qp->retx_end ? qp->retx_psn : qp->next_psn;
	const struct sim_conn *c = sim_qp_conn(s, qp);

	if (psn - qp->una_psn >= qp->bitmap_bits / 2)
		return 0;
	return !c->inflight_bytes || c->inflight_bytes + s->mtu_bytes <= c->window_bytes;
}

/* Puts QP on its port's round-robin ring (unless it waits behind another flow's QP). */
static void sim_rr_add(struct sim *s, struct sim_qp *qp)
{
	uint32_t port;

	if (!qp->active && sim_nic_sprays(s) && !sim_nic_plane_ok(s, qp->src, qp->dst, qp->plane))
		qp->plane = (uint8_t)sim_nic_plane_from(s, qp->src, qp->dst, qp->plane);
	port = sim_qp_port(s, qp);
	if (!qp->active && !qp->sq_blocked) {
		struct sim_qp *tail = s->rr[port];

		qp->active = 1;
		if (tail) {
			qp->next_active = tail->next_active;
			tail->next_active = qp;
		} else {
			qp->next_active = qp;
		}
		s->rr[port] = qp;
		/* the port a paced connection's rate change wakes (dcqcn.c) */
		sim_qp_conn(s, qp)->port = port;
	}
}

/* Takes QP off PORT's ring, PREV being the QP before it there (itself when alone). */
static void sim_rr_unlink(struct sim *s, uint32_t port, struct sim_qp *prev, struct sim_qp *qp)
{
	qp->active = 0;
	if (prev == qp) {
		s->rr[port] = NULL;
		return;
	}
	prev->next_active = qp->next_active;
	if (s->rr[port] == qp)
		s->rr[port] = prev;
}

/*
 * QP, on PORT's ring behind PREV, goes to PLANE's ring; that port is
 * woken by an event rather than called, since this may run inside a
 * port's pull.
 */
static void sim_rr_move(struct sim *s, uint32_t port, struct sim_qp *prev, struct sim_qp *qp, uint32_t plane)
{
	uint32_t to;

	sim_rr_unlink(s, port, prev, qp);
	qp->plane = (uint8_t)plane;
	sim_rr_add(s, qp);
	to = sim_qp_port(s, qp);
	if (qp->active && !s->pq[to].txdone_pending)
		sim_port_wake_at(s, to, sim_now(s));
}

/* The QP before QP on PORT's ring (QP itself when alone). */
static struct sim_qp *sim_rr_prev(struct sim *s, uint32_t port, struct sim_qp *qp)
{
	struct sim_qp *prev = qp;

	while (prev->next_active != qp)
		prev = prev->next_active;
	return prev;
}

/* Puts QP on its port's round-robin ring and gives the port a chance to send. */
static void sim_nic_kick(struct sim *s, struct sim_qp *qp)
{
	sim_rr_add(s, qp);
	sim_port_try_start(s, sim_qp_port(s, qp));
}

/*
 * Posts QP's data on its connection's send queue: it may send at once when
 * nothing of an earlier flow on the same connection is still unsent.
 */
static void sim_sq_post(struct sim *s, struct sim_qp *qp)
{
	struct sim_conn *c = sim_qp_conn(s, qp);

	qp->next_sq = NULL;
	qp->sq_blocked = c->sq_head != NULL;
	if (c->sq_tail)
		c->sq_tail->next_sq = qp;
	else
		c->sq_head = qp;
	c->sq_tail = qp;
}

/*
 * QP sent its last new packet: the next flow's QP on the connection may
 * start. Called from the port's pull, so it only joins the ring; the port
 * asks again when this frame ends.
 */
static void sim_sq_advance(struct sim *s, struct sim_qp *qp)
{
	struct sim_conn *c = sim_qp_conn(s, qp);
	struct sim_qp *next;

	if (c->sq_head != qp)
		return;
	next = qp->next_sq;
	c->sq_head = next;
	if (!next) {
		c->sq_tail = NULL;
		return;
	}
	next->sq_blocked = 0;
	sim_rr_add(s, next);
}

static void sim_qp_arm_timer(struct sim *s, struct sim_qp *qp)
{
	if (qp->timer_armed)
		return;
	qp->timer_armed = 1;
	sim_schedule(s, qp->rto_deadline_ps, &qp->ev);
}

static struct sim_pkt *sim_qp_emit(struct sim *s, struct sim_qp *qp)
{
	struct sim_pkt *p = sim_pkt_alloc(s);
	uint64_t now = sim_now(s);
	uint32_t psn;

	if (!p)
		return NULL;	/* out of memory: the run is failing */
	if (qp->retx_psn < qp->retx_end) {
		psn = qp->retx_psn++;
		qp->retx_pkts++;
		s->c.retx_pkts++;
	} else {
		psn = qp->next_psn++;
		if (psn < qp->high_psn) {
			qp->retx_pkts++;
			s->c.retx_pkts++;
		} else {
			qp->high_psn = psn + 1;
			if (qp->high_psn == qp->npkts) {
				sim_sq_advance(s, qp);
				if (++qp->flow->qps_sent == qp->flow->nqps)
					sim_flow_sent(s, qp->flow);
			}
		}
	}
	if (sim_lb_of(s)->needs_flowlet && now - qp->last_tx_ps > s->cfg.flowlet_gap_ps)
		qp->flowlet++;
	p->kind = SIM_PKT_DATA;
	p->prio = SIM_PRIO_DATA;
	p->qp = qp->idx;
	sim_qp_ref(qp);
	p->psn = psn;
	p->src = qp->src;
	p->dst = qp->dst;
	p->sport = qp->sport;
	p->flowlet = qp->flowlet;
	p->payload_bytes = sim_psn_bytes(s, qp, psn);
	p->wire_bytes = (uint32_t)sim_wire_bytes(p->payload_bytes, SIM_PKT_DATA);
	p->sent_ps = now;
	sim_inflight_add(s, qp, p->payload_bytes);
	qp->last_tx_ps = now;
	s->c.data_pkts++;
	if (!qp->timer_armed) {
		qp->rto_deadline_ps = now + s->cfg.rto_ps;
		sim_qp_arm_timer(s, qp);
	}
	sim_cc_of(s)->on_sent(s, sim_qp_conn(s, qp), p->wire_bytes);
	/* ask for an ACK now rather than after coalescing if nothing follows */
	p->ackreq = !sim_qp_has_work(qp) || !sim_qp_window_open(s, qp);
	return p;
}

/* ddp: skip retransmission candidates that were acknowledged meanwhile. */
static void sim_qp_skip_acked(struct sim_qp *qp)
{
	while (qp->retx_psn < qp->retx_end &&
	       (qp->retx_psn < qp->una_psn || sim_bit(qp->acked, qp->bitmap_bits, qp->retx_psn)))
		qp->retx_psn++;
}

static void sim_rr_remove_head(struct sim *s, uint32_t port, struct sim_qp *prev, struct sim_qp *qp)
{
	sim_rr_unlink(s, port, prev, qp);
	/* off the ring, a finished flow's QP may be idle: recycled (the pull goes on from PREV) */
	sim_qp_maybe_idle(s, qp);
}

/*
 * Packet spreading: QP's next packet leaves by PORT, and the QP moves on
 * to the next usable plane's ring, so its packets alternate over the
 * planes while each port keeps its round-robin over the QPs it holds.
 */
static struct sim_pkt *sim_nic_spray(struct sim *s, uint32_t port, struct sim_qp *prev, struct sim_qp *qp)
{
	struct sim_pkt *p = sim_qp_emit(s, qp);
	uint32_t next = sim_nic_plane_from(s, qp->src, qp->dst, (qp->plane + 1u) % s->topo->nplanes);

	if (next != qp->plane && qp->active)
		sim_rr_move(s, port, prev, qp, next);
	return p;
}

/* The port is free: the next data packet from the round-robin, if any. */
static struct sim_pkt *sim_nic_pull(struct sim *s, uint32_t port)
{
	uint64_t now = sim_now(s), wake = UINT64_MAX;
	struct sim_qp *prev = s->rr[port];

	while (prev) {
		struct sim_qp *qp = prev->next_active;

		struct sim_conn *c = sim_qp_conn(s, qp);

		sim_qp_skip_acked(qp);
		if (!sim_qp_has_work(qp) || !sim_qp_window_open(s, qp)) {
			sim_rr_remove_head(s, port, prev, qp);
			if (sim_qp_has_work(qp) && !qp->parked) {
				/* parked on its connection until an ACK opens the window */
				qp->parked = 1;
				qp->next_parked = c->waiting;
				c->waiting = qp;
			}
			if (!s->rr[port])
				break;
			continue;
		}
		if (c->next_tx_ps > now) {
			if (c->next_tx_ps < wake)
				wake = c->next_tx_ps;
			prev = qp;
			if (prev == s->rr[port])
				break;	/* went all the way round */
			continue;
		}
		s->rr[port] = qp;
		if (sim_nic_sprays(s))
			return sim_nic_spray(s, port, prev, qp);
		return sim_qp_emit(s, qp);
	}
	if (wake != UINT64_MAX)
		sim_port_wake_at(s, port, wake);
	return NULL;
}

void sim_nic_flow_start(struct sim *s, struct sim_flow *f)
{
	f->started = 1;
	if (f->qps_done == f->nqps) {
		sim_flow_done(s, f);
		return;
	}
	for (uint32_t k = 0; k < f->nqps; k++) {
		struct sim_qp *qp = sim_qp_at(s, f->first_qp + k);

		if (!qp->npkts)
			continue;
		sim_qp_conn(s, qp)->nactive++;
		sim_sq_post(s, qp);
		sim_nic_kick(s, qp);
	}
}

/*
 * The plane of QP's receiver's control frames: the QP's (qp spreading), or
 * the one its data last came in on (packet spreading), moved on if that
 * port has gone down since.
 */
static uint32_t sim_nic_ctrl_plane(const struct sim *s, const struct sim_qp *qp)
{
	if (!sim_nic_sprays(s))
		return qp->plane;
	if (sim_nic_plane_ok(s, qp->dst, qp->src, qp->rx_plane))
		return qp->rx_plane;
	return sim_nic_plane_from(s, qp->dst, qp->src, qp->rx_plane);
}

/*
 * A control frame of QP's receiver; DATA the data packet that triggered
 * it, or NULL. An ACK takes DATA's INT hops with it (HPCC's echo): DATA
 * is freed as soon as its receive handler returns (sim_nic_receive) and
 * no frame but this ACK reads its hops, so the record moves rather than
 * being copied, and DATA is left without telemetry.
 */
static void sim_nic_send_ctrl(struct sim *s, struct sim_qp *qp, enum sim_pkt_kind kind, uint32_t psn,
			      struct sim_pkt *data)
{
	struct sim_pkt *a = sim_pkt_alloc(s);
	uint32_t extra = 0;

	if (!a)
		return;
	a->kind = kind;
	a->prio = SIM_PRIO_CTRL;
	a->qp = qp->idx;
	sim_qp_ref(qp);
	a->psn = psn;
	a->sack_psn = data ? data->psn : UINT32_MAX;	/* no selective part */
	a->src = qp->dst;
	a->dst = qp->src;
	a->sport = qp->sport;
	a->sent_ps = data ? data->sent_ps : 0;
	if (data && kind == SIM_PKT_ACK && data->nhops) {
		extra = data->nhops * SIM_INT_HOP_BYTES;
		sim_pkt_move_int(a, data);
	}
	a->wire_bytes = (uint32_t)sim_wire_bytes(extra, kind);
	s->c.ctrl_pkts++;
	if (kind == SIM_PKT_NAK)
		s->c.naks++;
	if (kind == SIM_PKT_CNP)
		s->c.cnps++;
	sim_port_enqueue(s, s->topo->nodes[qp->dst].first_port + sim_nic_ctrl_plane(s, qp), a);
}

static void sim_rx_complete(struct sim *s, struct sim_qp *qp)
{
	struct sim_flow *f = qp->flow;

	if (++f->qps_done == f->nqps)
		sim_flow_done(s, f);
}

static void sim_rx_deliver(struct sim *s, struct sim_qp *qp, const struct sim_pkt *p)
{
	struct sim_flow *f = qp->flow;
	bool first = !f->rx_bytes;

	s->c.data_placed++;
	sim_bytes_before_delivery(s);
	s->c.delivered_bytes += p->payload_bytes;
	if (s->dist)
		sim_dist_delivered(s);
	f->rx_bytes += p->payload_bytes;
	if (first)
		sim_flow_first_byte(s, f);
}

static void sim_rx_ooo(struct sim *s, struct sim_qp *qp, uint32_t psn)
{
	struct sim_flow *f = qp->flow;
	uint32_t depth = psn - qp->rx_epsn;

	f->ooo_pkts++;
	s->c.ooo_pkts++;
	if (depth > f->max_reorder)
		f->max_reorder = depth;
}

static void sim_rx_ack_inorder(struct sim *s, struct sim_qp *qp, struct sim_pkt *p)
{
	if (++qp->rx_unacked >= s->cfg.ack_every || qp->rx_epsn == qp->npkts || p->nhops || p->ackreq) {
		qp->rx_unacked = 0;
		sim_nic_send_ctrl(s, qp, SIM_PKT_ACK, qp->rx_epsn, p);
		return;
	}
	/* coalescing, but not forever: a stalled sender waits on this ACK */
	if (!qp->ack_armed) {
		qp->ack_armed = 1;
		sim_schedule(s, sim_now(s) + s->cfg.ack_delay_ps, &qp->ack_ev);
	}
}

void sim_nic_ack_timer(struct sim *s, struct sim_qp *qp)
{
	qp->ack_armed = 0;
	if (!qp->rx_unacked)
		return;
	qp->rx_unacked = 0;
	sim_nic_send_ctrl(s, qp, SIM_PKT_ACK, qp->rx_epsn, NULL);
}

static void sim_rx_gbn(struct sim *s, struct sim_qp *qp, struct sim_pkt *p)
{
	if (p->psn == qp->rx_epsn) {
		qp->rx_epsn++;
		qp->nak_pending = 0;
		sim_rx_deliver(s, qp, p);
		sim_rx_ack_inorder(s, qp, p);
		if (qp->rx_epsn == qp->npkts)
			sim_rx_complete(s, qp);
	} else if (p->psn > qp->rx_epsn) {
		sim_rx_ooo(s, qp, p->psn);
		if (!qp->nak_pending) {
			qp->nak_pending = 1;
			sim_nic_send_ctrl(s, qp, SIM_PKT_NAK, qp->rx_epsn, p);
		}
	} else {
		s->c.dup_pkts++;
		sim_nic_send_ctrl(s, qp, SIM_PKT_ACK, qp->rx_epsn, p);
	}
}

static void sim_rx_ddp(struct sim *s, struct sim_qp *qp, struct sim_pkt *p)
{
	uint32_t bits = qp->bitmap_bits;

	if (p->psn < qp->rx_epsn || sim_bit(qp->rcvd, bits, p->psn)) {
		s->c.dup_pkts++;
		sim_nic_send_ctrl(s, qp, SIM_PKT_ACK, qp->rx_epsn, p);
		return;
	}
	sim_rx_deliver(s, qp, p);
	if (p->psn != qp->rx_epsn) {
		sim_rx_ooo(s, qp, p->psn);
		sim_bit_set(qp->rcvd, bits, p->psn, 1);
		sim_nic_send_ctrl(s, qp, SIM_PKT_ACK, qp->rx_epsn, p);
		return;
	}
	qp->rx_epsn++;
	while (qp->rx_epsn < qp->npkts && sim_bit(qp->rcvd, bits, qp->rx_epsn)) {
		sim_bit_set(qp->rcvd, bits, qp->rx_epsn, 0);
		qp->rx_epsn++;
	}
	sim_rx_ack_inorder(s, qp, p);
	if (qp->rx_epsn == qp->npkts)
		sim_rx_complete(s, qp);
}

static void sim_nic_rx_data(struct sim *s, struct sim_pkt *p)
{
	struct sim_qp *qp = sim_qp_at(s, p->qp);
	uint64_t now = sim_now(s);

	struct sim_conn *c = sim_qp_conn(s, qp);

	if (sim_nic_sprays(s))
		qp->rx_plane = (uint8_t)(p->in_port - s->topo->nodes[qp->dst].first_port);
	if (p->ecn && sim_cc_of(s)->needs_cnp &&
	    (!c->last_cnp_ps || now - c->last_cnp_ps >= sim_cc_of(s)->cnp_interval_ps(s))) {
		c->last_cnp_ps = now;
		sim_nic_send_ctrl(s, qp, SIM_PKT_CNP, 0, NULL);
	}
	if (s->cfg.rx == SIM_RX_GBN)
		sim_rx_gbn(s, qp, p);
	else
		sim_rx_ddp(s, qp, p);
}

/* Everything below CUM is acknowledged; SACK is one more received psn. */
static int sim_tx_ack(struct sim *s, struct sim_qp *qp, uint32_t cum, uint32_t sack)
{
	uint32_t bits = qp->bitmap_bits, una0 = qp->una_psn;

	/*
	 * Go-back-N rewinds next_psn on a timeout, but the receiver may hold
	 * more than that: take its cumulative ACK up to the highest PSN ever
	 * sent and skip what need not be resent, else a spurious timeout pulls
	 * una back every RTO and the QP livelocks on duplicates.
	 */
	if (cum > qp->high_psn)
		cum = qp->high_psn;
	if (cum > qp->next_psn)
		qp->next_psn = cum;
	while (qp->una_psn < cum) {
		if (sim_bit(qp->acked, bits, qp->una_psn))
			sim_bit_set(qp->acked, bits, qp->una_psn, 0);
		else
			sim_inflight_add(s, qp, -(int64_t)sim_psn_bytes(s, qp, qp->una_psn));
		qp->una_psn++;
	}
	if (sack >= qp->una_psn && sack < qp->next_psn && !sim_bit(qp->acked, bits, sack)) {
		sim_bit_set(qp->acked, bits, sack, 1);
		sim_inflight_add(s, qp, -(int64_t)sim_psn_bytes(s, qp, sack));
	}
	while (qp->una_psn < qp->next_psn && sim_bit(qp->acked, bits, qp->una_psn)) {
		sim_bit_set(qp->acked, bits, qp->una_psn, 0);
		qp->una_psn++;
	}
	if (una0 < qp->npkts && qp->una_psn == qp->npkts)
		sim_qp_conn(s, qp)->nactive--;
	return qp->una_psn != una0;
}

static void sim_tx_rewind(struct sim *s, struct sim_qp *qp, uint32_t psn)
{
	sim_inflight_add(s, qp, -(int64_t)qp->inflight_bytes);
	if (s->cfg.rx == SIM_RX_GBN) {
		/* the receiver dropped everything beyond PSN: send it all again */
		qp->next_psn = psn;
		return;
	}
	/* ddp: resend only what was not selectively acknowledged */
	qp->retx_psn = psn;
	qp->retx_end = qp->next_psn;
}

/*
 * The window may have opened: put the connection's parked QPs back on the
 * ring; the round-robin parks again those that still cannot send.
 */
static void sim_conn_unpark(struct sim *s, struct sim_conn *c)
{
	struct sim_qp *list = c->waiting;

	if (!list || (c->inflight_bytes && c->inflight_bytes + s->mtu_bytes > c->window_bytes))
		return;
	/* detach first: kicking may park a QP again */
	c->waiting = NULL;
	while (list) {
		struct sim_qp *qp = list;

		list = qp->next_parked;
		qp->parked = 0;
		if (!qp->active && sim_qp_has_work(qp))
			sim_nic_kick(s, qp);
	}
}

static void sim_nic_rx_ctrl(struct sim *s, struct sim_pkt *p)
{
	struct sim_qp *qp = sim_qp_at(s, p->qp);

	struct sim_conn *c = sim_qp_conn(s, qp);

	switch (p->kind) {
	case SIM_PKT_CNP:
		sim_cc_of(s)->on_cnp(s, c);
		return;
	case SIM_PKT_NAK:
		sim_tx_ack(s, qp, p->psn, UINT32_MAX);
		if (p->psn < qp->next_psn)
			sim_tx_rewind(s, qp, p->psn);
		qp->rto_deadline_ps = sim_now(s) + s->cfg.rto_ps;
		break;
	case SIM_PKT_ACK:
		if (sim_tx_ack(s, qp, p->psn, p->sack_psn))
			qp->rto_deadline_ps = sim_now(s) + s->cfg.rto_ps;
		sim_cc_of(s)->on_ack(s, c, p);
		break;
	default:
		return;
	}
	if (sim_qp_has_work(qp))
		sim_nic_kick(s, qp);
	sim_conn_unpark(s, c);
}

static void sim_nic_receive(struct sim *s, uint32_t node, struct sim_pkt *p)
{
	(void)node;
	if (p->kind == SIM_PKT_DATA)
		sim_nic_rx_data(s, p);
	else
		sim_nic_rx_ctrl(s, p);
	sim_pkt_free(s, p);
}

/* Whether sim_nic_pull may find a QP for PORT: one is on its round-robin list. */
static bool sim_nic_pending(const struct sim *s, uint32_t port)
{
	return s->rr[port] != NULL;
}

/* What a host's ports (port.c) hand frames to and take them from. */
const struct sim_port_owner_ops sim_nic_port_ops = {
	.receive = sim_nic_receive,
	.pull = sim_nic_pull,
	.pending = sim_nic_pending,
};

void sim_nic_qp_timer(struct sim *s, struct sim_qp *qp)
{
	uint64_t now = sim_now(s);

	qp->timer_armed = 0;
	if (qp->una_psn == qp->npkts)
		return;
	if (qp->una_psn == qp->next_psn && !sim_qp_has_work(qp))
		return;
	if (now < qp->rto_deadline_ps) {
		sim_qp_arm_timer(s, qp);
		return;
	}
	if (qp->una_psn == qp->next_psn)
		return;	/* nothing outstanding: the sender is idle, not stuck */
	s->c.timeouts++;
	sim_tx_rewind(s, qp, qp->una_psn);
	qp->rto_deadline_ps = now + s->cfg.rto_ps;
	sim_qp_arm_timer(s, qp);
	sim_nic_kick(s, qp);
}

/*
 * QP's plane or its receiver's no longer joins its two hosts: off it, to
 * the next usable plane. An active QP changes rings (a dead port's ring
 * is left empty); the receiver's control frames follow rx_plane.
 */
static void sim_nic_qp_rehome(struct sim *s, struct sim_qp *qp)
{
	uint32_t port = sim_qp_port(s, qp), to;

	if (!sim_nic_plane_ok(s, qp->dst, qp->src, qp->rx_plane))
		qp->rx_plane = (uint8_t)sim_nic_plane_from(s, qp->dst, qp->src, qp->rx_plane);
	if (sim_nic_plane_ok(s, qp->src, qp->dst, qp->plane))
		return;
	to = sim_nic_plane_from(s, qp->src, qp->dst, qp->plane);
	if (to == qp->plane)
		return;		/* no plane left: its packets are lost until one comes back */
	if (qp->active)
		sim_rr_move(s, port, sim_rr_prev(s, port, qp), qp, to);
	else
		qp->plane = (uint8_t)to;
}

/* Re-homes the QPs and connections of host HOST (every host: SIM_NONE). */
static void sim_nic_rehome(struct sim *s, uint32_t host)
{
	const struct sim_topo *t = s->topo;

	if (t->nplanes < 2)
		return;
	for (uint32_t i = 0; i < s->nqps; i++) {
		struct sim_qp *qp = sim_qp_at(s, i);

		if (qp->in_use && (host == SIM_NONE || qp->src == host || qp->dst == host))
			sim_nic_qp_rehome(s, qp);
	}
	for (uint32_t i = 0; i < s->nconns; i++) {
		struct sim_conn *c = &s->conns[i];
		uint32_t first = t->nodes[c->src].first_port;

		if ((host == SIM_NONE || c->src == host || c->dst == host) &&
		    !sim_nic_plane_ok(s, c->src, c->dst, c->port - first))
			c->port = first + sim_nic_plane_from(s, c->src, c->dst, c->port - first);
	}
}

void sim_nic_port_down(struct sim *s, uint32_t host_node, uint32_t plane)
{
	const struct sim_topo *t = s->topo;

	assert(host_node < t->nhosts && plane < t->nplanes);
	assert(t->ports[t->nodes[host_node].first_port + plane].down);
	sim_nic_rehome(s, host_node);
}

void sim_nic_reach_changed(struct sim *s)
{
	sim_nic_rehome(s, SIM_NONE);
}
