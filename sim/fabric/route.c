/*
 * Routing: which equal-cost egress ports lead from a switch toward a host;
 * which one a data packet takes is the load-balancing mode's choice
 * (lb/lb.h: ECMP hash, flowlet, per-packet spray, adaptive least-queue...).
 *
 * Clos fabrics route structurally: a switch sends a packet down when the
 * destination sits below it, otherwise up; down and up ports are contiguous,
 * sorted ranges (the port-order contract of topo.h), so the candidate set is
 * found by a binary search, without any per-host table. Explicit graphs use
 * the per-edge-switch hop distances.
 *
 * Once a link has failed and the control plane has converged
 * (sim_reach_refresh), s->reach filters those candidates: a port stays
 * only if its link was up when the table was built and its far end still
 * leads to the destination (reach.h). A range with nothing removed is
 * passed on as the range, so the choice among the survivors is the one
 * the mode would have made without the table; no survivor drops the
 * packet (noroute_drops).
 */
#include <stdlib.h>

#include "sim/fabric/lb/lb.h"

#define SIM_ROUTE_MAX 512

/* Binary search for the run of down ports whose key equals KEY. */
static uint32_t sim_route_down(const struct sim_topo *t, const struct sim_node *n, uint32_t key,
			       int by_pod, uint32_t *first)
{
	uint32_t lo = 0, hi = n->ndown, start;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct sim_node *m = &t->nodes[t->ports[t->ports[n->first_port + mid].peer].node];
		uint32_t k = by_pod ? m->pod : t->ports[t->ports[n->first_port + mid].peer].node;

		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	start = lo;
	hi = n->ndown;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct sim_node *m = &t->nodes[t->ports[t->ports[n->first_port + mid].peer].node];
		uint32_t k = by_pod ? m->pod : t->ports[t->ports[n->first_port + mid].peer].node;

		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = n->first_port + start;
	return lo - start;
}

/* Clos: candidates are one contiguous range [*first, *first + return). */
static uint32_t sim_route_clos(const struct sim_topo *t, uint32_t node, uint32_t dst, uint32_t plane,
			       uint32_t *first)
{
	const struct sim_node *n = &t->nodes[node];
	uint32_t leaf = sim_topo_host_leaf(t, dst, plane);
	const struct sim_node *l = &t->nodes[leaf];
	uint32_t cnt = 0;

	if (node == leaf) {
		*first = t->ports[t->nodes[dst].first_port + plane].peer;
		return 1;
	}
	if (n->tier == 2 && (t->ntiers == 2 || l->pod == n->pod))
		cnt = sim_route_down(t, n, leaf, 0, first);
	else if (n->tier == 3)
		cnt = sim_route_down(t, n, l->pod, 1, first);
	if (cnt)
		return cnt;
	*first = n->first_port + n->ndown;
	return n->nports - n->ndown;
}

static uint32_t sim_route_table(const struct sim_topo *t, uint32_t node, uint32_t dst, uint32_t plane,
				uint32_t *out, uint32_t max)
{
	const struct sim_node *n = &t->nodes[node];
	uint32_t leaf = sim_topo_host_leaf(t, dst, plane);
	uint32_t e = t->edge_of_switch[t->nodes[leaf].index], cnt = 0;
	const uint8_t *d = &t->dist[(size_t)e * t->nswitches];
	uint8_t here = d[n->index];

	if (node == leaf) {
		out[0] = t->ports[t->nodes[dst].first_port + plane].peer;
		return 1;
	}
	for (uint32_t i = 0; i < n->nports && cnt < max; i++) {
		uint32_t port = n->first_port + i;
		const struct sim_node *m = &t->nodes[t->ports[t->ports[port].peer].node];

		if (m->kind == SIM_NODE_SWITCH && d[m->index] + 1 == here)
			out[cnt++] = port;
	}
	return cnt;
}

/* Whether PORT's link is up and its far end still leads to host DST, under leaf LEAF. */
static bool sim_route_live(const struct sim *s, uint32_t port, uint32_t dst, uint32_t leaf, bool down)
{
	const struct sim_topo *t = s->topo;
	uint32_t m = t->ports[t->ports[port].peer].node;

	if (s->reach->port_down[port])
		return false;
	if (t->nodes[m].kind == SIM_NODE_HOST)
		return m == dst;
	return down ? sim_reach_down(t, s->reach, m, leaf) : sim_reach_any(t, s->reach, m, leaf);
}

/* The live ports of [FIRST, FIRST + N) into OUT (at most MAX); returns how many. */
static uint32_t sim_route_keep(const struct sim *s, uint32_t first, uint32_t n, uint32_t dst, uint32_t leaf,
			       bool down, uint32_t *out, uint32_t max)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < n && k < max; i++)
		if (sim_route_live(s, first + i, dst, leaf, down))
			out[k++] = first + i;
	return k;
}

/*
 * Clos with a reachability table: the candidates that still lead to DST.
 * *LIST is NULL when the whole range [*first, *first + return) survives,
 * else it points to BUF, which holds them. A switch whose down range
 * died (a table not yet consistent with the links) tries its up ports,
 * as sim_route_clos does for a switch with no down port to the leaf.
 */
static uint32_t sim_route_clos_live(struct sim *s, uint32_t node, uint32_t dst, uint32_t plane, uint32_t *buf,
				    uint32_t max, uint32_t *first, const uint32_t **list)
{
	const struct sim_topo *t = s->topo;
	const struct sim_node *n = &t->nodes[node];
	uint32_t leaf = sim_topo_host_leaf(t, dst, plane), up = n->first_port + n->ndown;
	uint32_t cnt = sim_route_clos(t, node, dst, plane, first), k;
	bool down = *first < up;

	*list = NULL;
	if (!down && sim_reach_up_ok(t, s->reach, node, leaf))
		return cnt;
	k = sim_route_keep(s, *first, cnt, dst, leaf, down, buf, max);
	if (k == cnt)
		return cnt;
	*list = buf;
	if (k || !down || node == leaf)
		return k;
	return sim_route_keep(s, up, n->nports - n->ndown, dst, leaf, false, buf, max);
}

/* TABLE mode with a reachability table: drop candidates over down links (in place). */
static uint32_t sim_route_table_live(struct sim *s, uint32_t node, uint32_t dst, uint32_t plane, uint32_t *ports,
				     uint32_t n)
{
	const struct sim_topo *t = s->topo;
	uint32_t leaf = sim_topo_host_leaf(t, dst, plane), k = 0;

	/* no live path at all: the table's 255 would otherwise match a neighbour at 254 */
	if (node != leaf && !sim_reach_any(t, s->reach, node, leaf))
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (!s->reach->port_down[ports[i]])
			ports[k++] = ports[i];
	return k;
}

uint32_t sim_route_candidates(struct sim *s, uint32_t node, uint32_t dst, uint32_t plane,
			      uint32_t *out, uint32_t max)
{
	const struct sim_topo *t = s->topo;
	uint32_t first, cnt;

	if (t->route == SIM_ROUTE_TABLE) {
		cnt = sim_route_table(t, node, dst, plane, out, max);
		return s->reach ? sim_route_table_live(s, node, dst, plane, out, cnt) : cnt;
	}
	if (s->reach) {
		const uint32_t *list;

		cnt = sim_route_clos_live(s, node, dst, plane, out, max, &first, &list);
		if (list)
			return cnt;
	} else {
		cnt = sim_route_clos(t, node, dst, plane, &first);
	}
	if (cnt > max)
		cnt = max;
	for (uint32_t i = 0; i < cnt; i++)
		out[i] = first + i;
	return cnt;
}

uint32_t sim_route_first(struct sim *s, uint32_t node, uint32_t dst, uint32_t plane)
{
	uint32_t port;

	return sim_route_candidates(s, node, dst, plane, &port, 1) ? port : SIM_NONE;
}

/*
 * Candidate I, or the next one whose link is up (in candidate order,
 * wrapping), for a mode that avoids a down port at once; I when all are
 * down (the frame is then lost at the port).
 */
static uint32_t sim_route_next_up(const struct sim *s, const uint32_t *ports, uint32_t first, uint32_t n,
				  uint32_t i)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t j = (i + k) % n;

		if (!s->topo->ports[sim_lb_port(ports, first, j)].down)
			return j;
	}
	return i;
}

/* Choice among N candidates: PORTS[i], or FIRST + i when PORTS is NULL. */
static uint32_t sim_route_choose(struct sim *s, uint32_t node, const struct sim_pkt *p, const uint32_t *ports,
				 uint32_t first, uint32_t n)
{
	if (n <= 1)
		return n ? sim_lb_port(ports, first, 0) : SIM_NONE;
	/* control packets are not sprayed: they take the flow's ECMP path */
	if (p->kind != SIM_PKT_DATA) {
		uint32_t i = (uint32_t)(sim_lb_hash(s, node, p, 0) % n);

		if (__builtin_expect(s->links_down != 0, 0) && sim_lb_of(s)->avoids_down_at_once)
			i = sim_route_next_up(s, ports, first, n, i);
		return sim_lb_port(ports, first, i);
	}
	return sim_lb_of(s)->pick(s, node, p, ports, first, n);
}

/*
 * The plane P travels on at switch NODE. A generated fabric numbers its
 * switches plane by plane (topo.h), so a switch knows its plane, whatever
 * the QP does next (packet spreading moves it every packet; a failure
 * re-homes it). An explicit graph's switches do not say: there the QP's
 * plane is read, and packet spreading is refused (config_check.c).
 */
static uint32_t sim_route_plane(const struct sim *s, uint32_t node, const struct sim_pkt *p)
{
	const struct sim_topo *t = s->topo;

	if (t->nplanes == 1)
		return 0;
	if (t->layout.per_plane)
		return (node - t->nhosts) / t->layout.per_plane;
	return __builtin_expect(sim_qp_is_xname(p->qp), 0) ? s->xnames[p->qp & ~SIM_QP_XNAME].plane :
	       sim_qp_at(s, p->qp)->plane;
}

/* sim_route_pick with a reachability table; its only caller drops the packet on SIM_NONE. */
static uint32_t sim_route_pick_live(struct sim *s, uint32_t node, const struct sim_pkt *p, uint32_t plane)
{
	uint32_t ports[SIM_ROUTE_MAX], first = 0, n;
	const uint32_t *list = ports;

	if (s->topo->route == SIM_ROUTE_CLOS) {
		n = sim_route_clos_live(s, node, p->dst, plane, ports, SIM_ROUTE_MAX, &first, &list);
	} else {
		n = sim_route_table(s->topo, node, p->dst, plane, ports, SIM_ROUTE_MAX);
		n = sim_route_table_live(s, node, p->dst, plane, ports, n);
	}
	if (!n)
		s->c.noroute_drops++;
	return sim_route_choose(s, node, p, list, first, n);
}

uint32_t sim_route_pick(struct sim *s, uint32_t node, const struct sim_pkt *p)
{
	uint32_t ports[SIM_ROUTE_MAX], first, n;
	uint32_t plane = sim_route_plane(s, node, p);

	if (__builtin_expect(s->reach != NULL, 0))
		return sim_route_pick_live(s, node, p, plane);
	if (s->topo->route == SIM_ROUTE_CLOS) {
		/* a contiguous range: no need to list it */
		n = sim_route_clos(s->topo, node, p->dst, plane, &first);
		return sim_route_choose(s, node, p, NULL, first, n);
	}
	n = sim_route_table(s->topo, node, p->dst, plane, ports, SIM_ROUTE_MAX);
	return sim_route_choose(s, node, p, ports, 0, n);
}

int sim_reach_refresh(struct sim *s)
{
	struct sim_topo *t = s->topo;
	bool any_down = false;
	int ret;

	sim_reach_destroy(s);
	s->reach = malloc(sizeof(*s->reach));
	if (!s->reach)
		return -ENOMEM;
	/* built even when all is up: TABLE mode's distances return to the full graph */
	ret = sim_reach_build(t, s->reach);
	if (ret) {
		free(s->reach);
		s->reach = NULL;
		return ret;
	}
	for (uint32_t i = 0; i < t->nports && !any_down; i++)
		any_down = s->reach->port_down[i];
	if (!any_down)
		sim_reach_destroy(s);
	/* the NICs learn it too: QPs on a plane that no longer joins their hosts move on */
	sim_nic_reach_changed(s);
	return 0;
}

void sim_reach_destroy(struct sim *s)
{
	if (!s->reach)
		return;
	sim_reach_free(s->reach);
	free(s->reach);
	s->reach = NULL;
}
