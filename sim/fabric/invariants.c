/*
 * End-of-run invariants: the counters the model keeps incrementally must
 * agree with what they count. A mismatch means a bug in the engine, so a
 * run that fails them reports an error instead of figures.
 *
 *  - every port queue's byte counter equals the sum over its packets;
 *  - a switch's shared-buffer occupancy equals its queued data plus control
 *    frames, its data equals the sum of its ingress counters (PFC);
 *  - every packet allocated is free, queued, or on a wire (an event), and
 *    every INT record taken is held by one of those packets (none leaked);
 *  - adaptive routing's dense per-port load agrees with the queue and pause
 *    state it mirrors;
 *  - payload: a flow never receives more than it offers, a finished one
 *    exactly that, and the total delivered is the sum over flows;
 *  - in-flight bytes of each connection are the sum over its QPs;
 *  - with nothing left to happen, nothing is queued, paused or held.
 * The cost is linear in ports, QPs, flows and the packet pool.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include "sim/fabric/sim.h"

struct sim_inv {
	const struct sim *s;
	char *err;
	size_t errlen;
	uint64_t int_held;	/* INT records of the packets found queued or on a wire */
};

static int sim_inv_fail(struct sim_inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sim_inv_fail(struct sim_inv *v, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (v->errlen)
		n = snprintf(v->err, v->errlen, "internal accounting check failed: ");
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < v->errlen)
		vsnprintf(v->err + n, v->errlen - n, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static const char *sim_inv_port(const struct sim *s, uint32_t port, char *buf, size_t len)
{
	const struct sim_topo *t = s->topo;
	char a[64], b[64];

	sim_topo_node_name(t, t->ports[port].node, a, sizeof(a));
	sim_topo_node_name(t, t->ports[t->ports[port].peer].node, b, sizeof(b));
	snprintf(buf, len, "port %u (%s:%s)", port, a, b);
	return buf;
}

/* Queue of one priority: counted bytes, a consistent tail; returns packets, or -1. */
static int64_t sim_inv_queue(struct sim_inv *v, uint32_t port, int prio, uint64_t *data, uint64_t *ctrl)
{
	const struct sim *s = v->s;
	const struct sim_portq *q = &s->pq[port];
	const struct sim_pkt *p, *last = NULL;
	uint64_t bytes = 0;
	int64_t n = 0;
	char name[160];

	for (p = q->head[prio]; p; p = p->next) {
		if ((uint64_t)n++ > s->pkts.allocated) {
			sim_inv_fail(v, "%s: priority %d queue has more packets than were ever allocated (a cycle)",
				     sim_inv_port(s, port, name, sizeof(name)), prio);
			return -1;
		}
		bytes += p->wire_bytes;
		v->int_held += p->int_rec != 0;
		if (p->kind == SIM_PKT_DATA)
			*data += p->wire_bytes;
		else if (p->kind != SIM_PKT_PAUSE)
			*ctrl += p->wire_bytes;
		last = p;
	}
	if (last != q->tail[prio]) {
		sim_inv_fail(v, "%s: priority %d queue tail does not point at its last packet",
			     sim_inv_port(s, port, name, sizeof(name)), prio);
		return -1;
	}
	if (bytes != q->qbytes[prio]) {
		sim_inv_fail(v, "%s: priority %d queue holds %llu B but counts %llu B",
			     sim_inv_port(s, port, name, sizeof(name)), prio, (unsigned long long)bytes,
			     (unsigned long long)q->qbytes[prio]);
		return -1;
	}
	if (prio == SIM_PRIO_DATA &&
	    s->port_load[port] != (s->topo->ports[port].down ? SIM_PORT_LOAD_DOWN :
				   q->qbytes[prio] + (q->paused ? SIM_PORT_LOAD_PAUSED : 0))) {
		sim_inv_fail(v, "%s: adaptive routing sees a load of %llu B, the queue holds %llu B (paused %u)",
			     sim_inv_port(s, port, name, sizeof(name)), (unsigned long long)s->port_load[port],
			     (unsigned long long)q->qbytes[prio], (unsigned int)q->paused);
		return -1;
	}
	return n;
}

/* Ports and switches; adds the packets found in queues to *queued. */
static int sim_inv_switches(struct sim_inv *v, uint64_t *queued)
{
	const struct sim *s = v->s;
	const struct sim_topo *t = s->topo;
	char name[64];

	for (uint32_t node = 0; node < t->nnodes; node++) {
		const struct sim_node *n = &t->nodes[node];
		uint64_t data = 0, ctrl = 0, ingress = 0, hdrm = 0;

		for (uint32_t i = 0; i < n->nports; i++) {
			uint32_t port = n->first_port + i;

			for (int prio = 0; prio < SIM_NPRIO; prio++) {
				int64_t k = sim_inv_queue(v, port, prio, &data, &ctrl);

				if (k < 0)
					return -EPROTO;
				*queued += (uint64_t)k;
			}
			ingress += s->pq[port].ingress_bytes;
			hdrm += s->pq[port].hdrm_bytes;
			if (s->pq[port].hdrm_bytes > s->pq[port].ingress_bytes)
				return sim_inv_fail(v, "port %u holds %llu B in its PFC headroom of %llu B held", port,
						    (unsigned long long)s->pq[port].hdrm_bytes,
						    (unsigned long long)s->pq[port].ingress_bytes);
		}
		if (n->kind != SIM_NODE_SWITCH) {
			if (ingress)
				return sim_inv_fail(v, "host %u holds %llu B of switch ingress", n->index,
						    (unsigned long long)ingress);
			continue;
		}
		sim_topo_node_name(t, node, name, sizeof(name));
		if (ingress != data)
			return sim_inv_fail(v, "switch %s queues %llu B of data but its ingress ports count %llu B",
					    name, (unsigned long long)data, (unsigned long long)ingress);
		if (s->sw_hdrm_bytes[n->index] != hdrm)
			return sim_inv_fail(v, "switch %s counts %llu B in PFC headrooms, its ports %llu B", name,
					    (unsigned long long)s->sw_hdrm_bytes[n->index], (unsigned long long)hdrm);
		if (s->sw_ctrl_bytes[n->index] != ctrl)
			return sim_inv_fail(v, "switch %s queues %llu B of control frames but counts %llu B", name,
					    (unsigned long long)ctrl, (unsigned long long)s->sw_ctrl_bytes[n->index]);
		if (s->sw_used_bytes[n->index] != data + ctrl)
			return sim_inv_fail(v, "switch %s buffer occupancy is %llu B, its queues hold %llu B", name,
					    (unsigned long long)s->sw_used_bytes[n->index],
					    (unsigned long long)(data + ctrl));
		if (s->sw_used_bytes[n->index] > s->buffer_bytes)
			return sim_inv_fail(v, "switch %s holds %llu B in a %llu B buffer", name,
					    (unsigned long long)s->sw_used_bytes[n->index],
					    (unsigned long long)s->buffer_bytes);
	}
	return 0;
}

/* INT records: taken = held by live packets, and taken + free = every record handed out */
static int sim_inv_ints(struct sim_inv *v)
{
	const struct sim_ipool *ip = &v->s->ints;
	uint64_t made = ip->used - 1, nfree = sim_ipool_count_free(ip, made);

	if (ip->taken != v->int_held)
		return sim_inv_fail(v, "%llu INT records taken but live packets hold %llu",
				    (unsigned long long)ip->taken, (unsigned long long)v->int_held);
	if (nfree + ip->taken != made)
		return sim_inv_fail(v, "%llu INT records made but %llu free + %llu taken",
				    (unsigned long long)made, (unsigned long long)nfree, (unsigned long long)ip->taken);
	return 0;
}

/* Packets on a wire (a pending arrival event) and the INT records they hold. */
struct sim_wire_count {
	uint64_t pkts, int_held;
};

static void sim_wire_count_one(const struct sim_event *ev, void *arg)
{
	struct sim_wire_count *wc = arg;

	/* a dependency's note travels as a packet that no port queues */
	if (ev->type != SIM_EV_PKT_ARRIVE && ev->type != SIM_EV_DEP_NOTE)
		return;
	wc->pkts++;
	/* ev is a packet's first member (run.c's container_of) */
	wc->int_held += ((const struct sim_pkt *)(const void *)ev)->int_rec != 0;
}

/* allocated = free + queued + on a wire (a pending arrival event) */
static int sim_inv_pool(struct sim_inv *v, uint64_t queued)
{
	const struct sim *s = v->s;
	struct sim_wire_count wc = { 0, 0 };
	uint64_t nfree = 0, wire;

	nfree = sim_pool_count_free(&s->pkts, s->pkts.allocated);
	if (nfree > s->pkts.allocated)
		return sim_inv_fail(v, "the packet free list is longer than the pool (a cycle)");
	sim_evq_for_each(&s->eng.q, sim_wire_count_one, &wc);
	wire = wc.pkts;
	v->int_held += wc.int_held;
	if (nfree + queued + wire != s->pkts.allocated)
		return sim_inv_fail(v, "%llu packets allocated but %llu free + %llu queued + %llu on the wire",
				    (unsigned long long)s->pkts.allocated, (unsigned long long)nfree,
				    (unsigned long long)queued, (unsigned long long)wire);
	return sim_inv_ints(v);
}

/* One flow's bytes; adds what it received over the network to *DELIVERED. */
static int sim_inv_flow(struct sim_inv *v, const struct sim_flow *f, uint64_t *delivered)
{
	if (f->rx_bytes > f->bytes)
		return sim_inv_fail(v, "flow %llu received %llu B of the %llu B it offers", (unsigned long long)f->id,
				    (unsigned long long)f->rx_bytes, (unsigned long long)f->bytes);
	if (f->finish_ps && f->rx_bytes != f->bytes)
		return sim_inv_fail(v, "flow %llu finished with %llu B of its %llu B", (unsigned long long)f->id,
				    (unsigned long long)f->rx_bytes, (unsigned long long)f->bytes);
	if (!f->local)
		*delivered += f->rx_bytes;
	return 0;
}

/* The added flows, the lazy ones holding a slot, and what the recycled ones received. */
static int sim_inv_flows(struct sim_inv *v)
{
	const struct sim *s = v->s;
	uint64_t delivered = s->recycled_rx_bytes;
	int rc = 0;

	for (uint32_t i = 0; i < s->nadded && !rc; i++)
		rc = sim_inv_flow(v, &s->flows[i], &delivered);
	for (uint32_t i = 0; i < s->flow_hw && !rc; i++) {
		const struct sim_flow *f = &s->flow_slab[i >> SIM_FLOW_SLAB_SHIFT][i & ((1U << SIM_FLOW_SLAB_SHIFT) - 1)];

		if (f->lsrc)
			rc = sim_inv_flow(v, f, &delivered);
	}
	if (rc)
		return rc;
	if (delivered != s->c.delivered_bytes)
		return sim_inv_fail(v, "flows received %llu B of payload, the run counts %llu B delivered",
				    (unsigned long long)delivered, (unsigned long long)s->c.delivered_bytes);
	if (s->flows_done > s->nflows)
		return sim_inv_fail(v, "%llu of %llu flows done", (unsigned long long)s->flows_done,
				    (unsigned long long)s->nflows);
	return 0;
}

static int sim_inv_qps(struct sim_inv *v)
{
	const struct sim *s = v->s;
	uint64_t *sum = calloc(s->nconns ? s->nconns : 1, sizeof(*sum));
	int rc = 0;

	if (!sum)
		return 0;	/* no memory to check with: nothing proven wrong */
	for (uint32_t i = 0; i < s->nqps && !rc; i++) {
		const struct sim_qp *qp = sim_qp_at(s, i);

		if (!qp->in_use)
			continue;	/* free, or the gap at a slab's end */
		if (qp->inflight_bytes > qp->bytes || qp->una_psn > qp->next_psn || qp->next_psn > qp->npkts ||
		    qp->rx_epsn > qp->npkts)
			rc = sim_inv_fail(v, "QP %u: %llu B in flight of %llu, una %u, next %u, expected %u, of %u "
					  "packets", i, (unsigned long long)qp->inflight_bytes,
					  (unsigned long long)qp->bytes, qp->una_psn, qp->next_psn, qp->rx_epsn,
					  qp->npkts);
		else
			sum[qp->conn] += qp->inflight_bytes;
	}
	for (uint32_t i = 0; i < s->nconns && !rc; i++)
		if (sum[i] != s->conns[i].inflight_bytes)
			rc = sim_inv_fail(v, "connection %u counts %llu B in flight, its QPs %llu B", i,
					  (unsigned long long)s->conns[i].inflight_bytes, (unsigned long long)sum[i]);
	free(sum);
	return rc;
}

/* Nothing left to happen: nothing may be held anywhere. */
static int sim_inv_idle(struct sim_inv *v, uint64_t queued)
{
	const struct sim *s = v->s;
	char name[160];

	if (s->eng.q.n)
		return 0;
	if (queued)
		return sim_inv_fail(v, "%llu packets queued with no event left to send them",
				    (unsigned long long)queued);
	for (uint32_t port = 0; port < s->topo->nports; port++) {
		const struct sim_portq *q = &s->pq[port];

		if (q->paused || q->xoff_sent || q->ingress_bytes)
			return sim_inv_fail(v, "%s idle but paused %u, XOFF sent %u, ingress %llu B",
					    sim_inv_port(s, port, name, sizeof(name)), (unsigned int)q->paused,
					    (unsigned int)q->xoff_sent,
					    (unsigned long long)q->ingress_bytes);
	}
	return 0;
}

int sim_check(const struct sim *s, char *err, size_t errlen)
{
	struct sim_inv v = { .s = s, .err = err, .errlen = errlen };
	uint64_t queued = 0;
	int rc;

	if (errlen)
		err[0] = 0;
	rc = sim_inv_switches(&v, &queued);
	if (!rc)
		rc = sim_inv_pool(&v, queued);
	if (!rc)
		rc = sim_inv_flows(&v);
	if (!rc && s->prepared)
		rc = sim_inv_qps(&v);
	if (!rc)
		rc = sim_inv_idle(&v, queued);
	return rc;
}
