/*
 * Port transmit engine: strict-priority egress queues, one packet on the
 * wire at a time, PFC pause of the data priority (a received PAUSE holds
 * for its quanta and runs out unless refreshed), and the hand-off of a
 * packet to the far end after serialization plus propagation (plus the
 * receiving switch's forwarding latency, so arrival is one event).
 *
 * A port knows its owner only through the owner's table (struct
 * sim_port_owner_ops, per node kind): it asks the owner for the next frame
 * when its queues are empty (a NIC's queue pairs), tells it when a frame
 * leaves a queue (a switch's shared buffer), and hands an arriving frame to
 * the owner of the far end. It handles PAUSE frames itself, as the MAC does.
 *
 * State of struct sim_portq: txdone_pending implies busy; while busy and
 * not txdone_pending the port sends nothing before busy_until_ps, and the
 * next enqueue then schedules the TX_DONE. qbytes[prio] is the sum of
 * wire_bytes over head[prio], and struct sim.port_load[port] follows
 * qbytes[SIM_PRIO_DATA] and paused at every change (sim_port_load_sync);
 * invariants.c checks both. What is rarely touched (PFC timers, INT rate
 * snapshots, drop / mark / pause counters) is in struct sim.pst[port].
 */
#include <assert.h>
#include "sim/fabric/cc/cc.h"
#include "sim/fabric/dist_priv.h"

/* Time-weighted data queue, so reports can give the mean queue of a port (up to end_ps). */
static inline void sim_port_q_account(struct sim *s, struct sim_portq *q)
{
	uint64_t now = sim_stats_now(s);

	if (__builtin_expect(s->dist != NULL, 0) && !s->ended)
		sim_dist_note_port(s, sim_port_of(s, q), SIM_DIST_Q);
	q->q_integral += (double)q->qbytes[SIM_PRIO_DATA] * (double)(now - q->q_last_ps);
	q->q_last_ps = now;
}

/*
 * A frame for a port whose link is down: the MAC has no link to send it
 * on, so it is lost (a switch's ECMP still hashes onto a dead member
 * until the control plane reprograms it, fail.c). What its owner holds
 * for it (a switch's buffer) is released as if it had left.
 */
static void sim_port_lose(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	const struct sim_port_owner_ops *own = sim_port_owner(s, s->topo->ports[port].node);

	if (own->dequeued)
		own->dequeued(s, port, p);
	s->c.link_drops++;
	s->pst[port].link_drops++;
	sim_pkt_free(s, p);
}

void sim_port_enqueue(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	struct sim_portq *q = &s->pq[port];
	uint64_t total;

	if (sim_port_down(s, port)) {
		sim_port_lose(s, port, p);
		return;
	}
	if (p->prio == SIM_PRIO_DATA)
		sim_port_q_account(s, q);
	p->next = NULL;
	if (q->tail[p->prio])
		q->tail[p->prio]->next = p;
	else
		q->head[p->prio] = p;
	q->tail[p->prio] = p;
	q->qbytes[p->prio] += p->wire_bytes;
	if (p->prio == SIM_PRIO_DATA)
		sim_port_load_sync(s, port);
	total = q->qbytes[SIM_PRIO_CTRL] + q->qbytes[SIM_PRIO_DATA];
	if (total > q->max_qbytes)
		q->max_qbytes = total;
	sim_port_try_start(s, port);
}

/*
 * 802.1Qbb: the MAC sends a PFC frame as soon as the current frame ends,
 * not behind queued ACKs, which would delay it past what the headroom
 * covers. Earlier PAUSE frames keep their order (XOFF before XON).
 */
void sim_port_enqueue_pause(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	struct sim_portq *q = &s->pq[port];
	struct sim_pkt **link = &q->head[SIM_PRIO_CTRL];
	uint64_t total;

	if (sim_port_down(s, port)) {
		/* generated here and held nowhere: no pause crosses a dead link */
		sim_pkt_free(s, p);
		return;
	}
	while (*link && (*link)->kind == SIM_PKT_PAUSE)
		link = &(*link)->next;
	p->next = *link;
	*link = p;
	if (!p->next)
		q->tail[SIM_PRIO_CTRL] = p;
	q->qbytes[SIM_PRIO_CTRL] += p->wire_bytes;
	total = q->qbytes[SIM_PRIO_CTRL] + q->qbytes[SIM_PRIO_DATA];
	if (total > q->max_qbytes)
		q->max_qbytes = total;
	sim_port_try_start(s, port);
}

static struct sim_pkt *sim_port_dequeue(struct sim *s, struct sim_portq *q, int prio)
{
	struct sim_pkt *p = q->head[prio];

	if (!p)
		return NULL;
	if (prio == SIM_PRIO_DATA)
		sim_port_q_account(s, q);
	q->head[prio] = p->next;
	if (!q->head[prio])
		q->tail[prio] = NULL;
	q->qbytes[prio] -= p->wire_bytes;
	if (prio == SIM_PRIO_DATA)
		sim_port_load_sync(s, sim_port_of(s, q));
	return p;
}

/*
 * Telemetry: the egress stamps its queue, byte counter, time and its own
 * transmit rate into data packets (HPCC++ INT, draft-miao-ccwg-hpcc).
 *
 * The rate is the switch's, not the sender's, difference of txBytes: HPCC
 * (Li et al. 2019, Algorithm 1) has the sender subtract the previous ACK's
 * txBytes of the same hop, which needs both packets to have left through
 * the same port. Under per-packet adaptive routing consecutive packets
 * leave a leaf through different uplinks, so the sender would have no rate
 * for any hop but the last. The port keeps two snapshots (time, tx_bytes),
 * rolled forward when the newer is a window old, and reports the rate since
 * the older one: an interval of one to two windows, ending now.
 */
static void sim_port_stamp(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	const struct sim_portq *q = &s->pq[port];
	struct sim_portq_stats *st = &s->pst[port];
	uint64_t now = sim_now(s), win_ps = s->base_rtt_ps / SIM_INT_RATE_WINDOW_DIV;
	struct sim_int_hop *h;

	if (now - st->int_cur_ps >= win_ps) {
		st->int_prev_ps = st->int_cur_ps;
		st->int_prev_tx = st->int_cur_tx;
		st->int_cur_ps = now;
		st->int_cur_tx = q->tx_bytes;
	}
	if (p->nhops >= s->int_hops) {
		/* a path with more switches than sim_int_hops_max found: a bug, not a model limit */
		if (s->int_hops < SIM_MAX_HOPS)
			sim_fail(s, -EPROTO, "a packet crossed more than the %u switches INT records hold",
				 s->int_hops);
		return;
	}
	if (sim_pkt_take_int(s, p))
		return;
	h = &sim_pkt_hops(s, p)[p->nhops++];
	h->qlen_bytes = (uint32_t)(q->qbytes[SIM_PRIO_DATA] > UINT32_MAX ? UINT32_MAX : q->qbytes[SIM_PRIO_DATA]);
	h->port = port;
	h->tx_bytes = q->tx_bytes;
	h->ts_ps = now;
	h->tx_rate_bps = 0;
	if (now > st->int_prev_ps)
		h->tx_rate_bps = (uint64_t)((double)(q->tx_bytes - st->int_prev_tx) * 8e12 /
					    (double)(now - st->int_prev_ps));
}

uint32_t sim_int_hops_max(const struct sim_topo *t)
{
	uint32_t worst = 0;

	if (t->route == SIM_ROUTE_CLOS) {
		worst = 2 * t->ntiers - 1;	/* up to the top tier and down */
	} else {
		for (uint32_t e = 0; e < t->nedges; e++)
			for (uint32_t sw = 0; sw < t->nswitches; sw++) {
				uint8_t d = t->dist[(uint64_t)e * t->nswitches + sw];

				if (t->edge_of_switch[sw] != SIM_NONE && d != 255 && d + 1u > worst)
					worst = d + 1u;
			}
	}
	return worst < 1 ? 1 : worst > SIM_MAX_HOPS ? SIM_MAX_HOPS : worst;
}

static struct sim_pkt *sim_port_next(struct sim *s, uint32_t port, const struct sim_port_owner_ops *own)
{
	struct sim_portq *q = &s->pq[port];
	struct sim_pkt *p = sim_port_dequeue(s, q, SIM_PRIO_CTRL);

	if (p || q->paused)
		return p;
	p = sim_port_dequeue(s, q, SIM_PRIO_DATA);
	if (!p && own->pull)
		p = own->pull(s, port);
	return p;
}

/* Will the port have something to send when this frame is done? */
static bool sim_port_more(const struct sim *s, uint32_t port, const struct sim_port_owner_ops *own)
{
	const struct sim_portq *q = &s->pq[port];

	if (q->head[SIM_PRIO_CTRL])
		return true;
	if (q->paused)
		return false;
	return q->head[SIM_PRIO_DATA] || (own->pending && own->pending(s, port));
}

/*
 * A port that finishes a frame with nothing queued needs no event: it is
 * simply idle from busy_until_ps on. Only when work is waiting does the
 * end of the frame get a TX_DONE, scheduled then or on the next enqueue.
 */
static bool sim_port_busy(struct sim *s, struct sim_portq *q)
{
	if (!q->busy)
		return false;
	if (q->txdone_pending)
		return true;
	if (sim_now(s) >= q->busy_until_ps) {
		q->busy = false;
		return false;
	}
	q->txdone_pending = true;
	sim_schedule(s, q->busy_until_ps, &q->ev);
	return true;
}

void sim_port_try_start(struct sim *s, uint32_t port)
{
	const struct sim_port *pp = &s->topo->ports[port];
	struct sim_portq *q = &s->pq[port];
	const struct sim_port_owner_ops *own = sim_port_owner(s, pp->node);
	uint64_t now = sim_now(s), ser, arrive;
	uint32_t peer_node;
	struct sim_pkt *p;

	if (sim_port_busy(s, q) || sim_port_down(s, port))
		return;	/* a down port sends nothing: its NIC's QPs wait, their timers run */
	p = sim_port_next(s, port, own);
	if (!p)
		return;
	if (own->dequeued)
		own->dequeued(s, port, p);
	if (p->kind == SIM_PKT_DATA) {
		if (own->stamps_int && sim_cc_of(s)->needs_int)
			sim_port_stamp(s, port, p);
		q->tx_payload_bytes += p->payload_bytes;
	}
	if (p->kind == SIM_PKT_PAUSE && p->quanta && !s->pst[port].first_pause_tx_ps)
		s->pst[port].first_pause_tx_ps = now;
	q->busy = true;
	ser = sim_ser_ps(p->wire_bytes, pp->rate_bps);
	q->tx_bytes += p->wire_bytes;
	q->busy_until_ps = now + ser;
	if (sim_port_more(s, port, own)) {
		q->txdone_pending = true;
		sim_schedule(s, now + ser, &q->ev);
	}
	p->in_port = pp->peer;
	peer_node = s->topo->ports[pp->peer].node;
	arrive = now + ser + pp->delay_ps;
	/* PAUSE is consumed by the MAC, not the forwarding pipeline */
	if (s->topo->nodes[peer_node].kind == SIM_NODE_SWITCH && p->kind != SIM_PKT_PAUSE)
		arrive += s->topo->sw.latency_ps;
	if (s->dist && !sim_dist_owns(s, peer_node)) {
		sim_dist_send(s, arrive, p);
		return;
	}
	sim_schedule(s, arrive, &p->ev);
}

void sim_port_tx_done(struct sim *s, struct sim_portq *q)
{
	assert(q->busy && q->txdone_pending);	/* scheduled only by the one who set both */
	q->txdone_pending = false;
	q->busy = false;
	sim_port_try_start(s, sim_port_of(s, q));
}

/*
 * PORT received a PAUSE frame of QUANTA: 0 resumes it; otherwise it stays
 * paused for QUANTA x 512 bit times at its rate (IEEE 802.3 Annex 31B, as
 * 802.1Qbb uses it per priority), counted from this frame: a refresh
 * extends the pause, and one not refreshed runs out (SIM_EV_PAUSE_EXPIRE).
 * The time held counts for links.csv.
 */
static void sim_port_set_paused(struct sim *s, uint32_t port, uint32_t quanta)
{
	struct sim_portq *q = &s->pq[port];
	struct sim_portq_stats *st = &s->pst[port];
	uint64_t now = sim_now(s);

	if (s->dist && !s->ended)
		sim_dist_note_port(s, port, quanta ? SIM_DIST_PAUSE_ON : SIM_DIST_PAUSE_OFF);
	if (quanta) {
		st->pauses_rcvd++;
		if (!q->paused)
			st->paused_since_ps = sim_stats_now(s);
		if (!st->first_paused_ps)
			st->first_paused_ps = now;
		q->paused = true;
		sim_port_load_sync(s, port);
		st->paused_until_ps = now + sim_pause_ps(quanta, s->topo->ports[port].rate_bps);
		sim_schedule(s, st->paused_until_ps, &q->pause_ev);
		return;
	}
	if (q->paused)
		st->paused_ps += sim_stats_now(s) - st->paused_since_ps;
	q->paused = false;
	sim_port_load_sync(s, port);
	st->paused_until_ps = 0;
	sim_port_try_start(s, port);
}

void sim_port_pause_expire(struct sim *s, struct sim_portq *q)
{
	uint32_t port = sim_port_of(s, q);

	if (!q->paused || s->pst[port].paused_until_ps != sim_now(s))
		return;	/* stale: resumed by XON, or refreshed to a later expiry */
	sim_port_set_paused(s, port, 0);
}

void sim_port_arrive(struct sim *s, struct sim_pkt *p)
{
	uint32_t node = s->topo->ports[p->in_port].node;

	s->c.pkt_hops++;
	if (sim_port_down(s, p->in_port)) {
		/* it was on the wire when the link went down: the receiver never sees it */
		s->c.link_drops++;	/* the run's count only: pst's is what the port was given */
		sim_pkt_free(s, p);
		return;
	}
	if (p->kind == SIM_PKT_PAUSE) {
		sim_port_set_paused(s, p->in_port, p->quanta);
		sim_pkt_free(s, p);
		return;
	}
	sim_port_owner(s, node)->receive(s, node, p);
}

void sim_port_wake(struct sim *s, struct sim_portq *q)
{
	if (q->wake_at_ps == sim_now(s))
		q->wake_at_ps = 0;
	sim_port_try_start(s, sim_port_of(s, q));
}

void sim_port_wake_at(struct sim *s, uint32_t port, uint64_t t_ps)
{
	struct sim_portq *q = &s->pq[port];

	if (q->wake_at_ps && q->wake_at_ps <= t_ps && q->wake_at_ps >= sim_now(s))
		return;
	q->wake_at_ps = t_ps;
	sim_schedule(s, t_ps, &q->wake_ev);
}


/*
 * A link goes down (fail.c), at one of its ends. What the port does:
 *  - its egress queues are dropped: a frame queued for a link that is
 *    gone can never be sent (a cut cable has no far end to retry to), and
 *    a switch gives back the buffer it held through the owner's
 *    dequeued(), the path a frame that left takes (shared buffer,
 *    ingress and headroom accounting, the XON that release may allow);
 *  - its PFC state is cleared both ways: a PFC frame pauses a priority
 *    of the link it came over (IEEE 802.1Qbb), so with the link partner
 *    gone nothing is left to pause or be paused by; the MAC comes back
 *    up unpaused, with no XOFF outstanding. Both ends run this, so a
 *    peer this port had paused is released too, instead of staying
 *    paused until its 0xffff quanta run out;
 *  - AR reads the port as full (SIM_PORT_LOAD_DOWN) until it comes back.
 * Frames already on the wire are lost at their arrival (sim_port_arrive).
 */
void sim_port_link_down(struct sim *s, uint32_t port)
{
	struct sim_portq *q = &s->pq[port];
	struct sim_portq_stats *st = &s->pst[port];
	const struct sim_port_owner_ops *own = sim_port_owner(s, s->topo->ports[port].node);
	struct sim_pkt *p;

	for (int prio = 0; prio < SIM_NPRIO; prio++)
		while ((p = sim_port_dequeue(s, q, prio))) {
			if (p->kind == SIM_PKT_PAUSE) {
				sim_pkt_free(s, p);	/* generated here, held nowhere */
				continue;
			}
			if (own->dequeued)
				own->dequeued(s, port, p);
			s->c.link_drops++;
			st->link_drops++;
			sim_pkt_free(s, p);
		}
	if (q->paused) {
		if (s->dist && !s->ended)
			sim_dist_note_port(s, port, SIM_DIST_PAUSE_OFF);
		st->paused_ps += sim_stats_now(s) - st->paused_since_ps;
		q->paused = false;
	}
	st->paused_until_ps = 0;	/* a pending SIM_EV_PAUSE_EXPIRE is stale */
	q->xoff_sent = false;
	st->refresh_at_ps = 0;		/* a pending SIM_EV_PAUSE_REFRESH is stale */
	s->port_load[port] = SIM_PORT_LOAD_DOWN;
}

void sim_port_link_up(struct sim *s, uint32_t port)
{
	sim_port_load_sync(s, port);
	sim_port_try_start(s, port);
}
