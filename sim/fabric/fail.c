/*
 * Links that fail, change rate or come back while a run goes on (the
 * changes of --fail-at / --restore-at, sim/topo/fail.h), and what the
 * fabric does about each, in the order hardware does it.
 *
 * At the change (SIM_EV_LINK), on both ends of the link:
 *  - down: the ports' down flags are set (the topology's, which routing
 *    reads), their queues are lost and their PFC state cleared
 *    (sim_port_link_down, port.c says why), frames on the wire are lost
 *    at arrival, anything sent to a down port later is lost at the port
 *    (sim_port_enqueue), and a NIC sends nothing on it (its QPs wait and
 *    retransmit after their timeouts). Adaptive routing sees the port as
 *    full at once (SIM_PORT_LOAD_DOWN, lb.h's avoids_down_at_once), but
 *    ECMP, flowlet and spray keep hashing onto the dead member, and lose
 *    what they send there, until the control plane has reprogrammed the
 *    groups;
 *  - rate: both ports serialize every frame from now on at the new rate
 *    (port.c reads topo->ports[p].rate_bps per frame), marked degraded as
 *    a --fail A:B=RATE before the run marks them;
 *  - restore: both ports come up at the rates (and degraded flags) they
 *    had before the run's first change and send what waits for them.
 * The flags and rates are set by sim_fail_port_set (sim/topo/fail.c), as
 * before a run; sim_destroy puts them back (sim_fail_undo), so the next
 * size of a sweep, on the same topology, starts as this one did.
 * cfg.reroute_delay_ps later (SIM_EV_REROUTE), the fabric's routing
 * learns of a down or restore: the reachability table is rebuilt from
 * the down flags (sim_reach_refresh, route.c), so ECMP stops hashing onto
 * a dead link (and, remote switches, onto paths that lead to it), or
 * takes a restored one back. One delay for every switch: the switch that
 * owns the port and the remote ones learn at the same time.
 *
 * The default delay (SIM_REROUTE_DELAY_PS, 50 ms): the reaction of the
 * switch that owns the port, the one that acts first. The illustrative
 * timeline of a leaf-spine link cut in "Fabric Load Balancing & Link
 * Failover" (losslessnetwork.com/learn/ai-fabric-architecture/
 * fabric-lb-and-failover) puts each layer's reaction at: PHY (ASIC) about
 * 5 ms, OS / NOS about 50 ms, BFD about 300 ms, BGP about 600 ms, ECMP
 * reprogrammed about 800 ms. Remote switches learn later, through BFD
 * (detection = multiplier x interval, 3 x 300 ms with IBM Cloud Direct
 * Link's default multiplier and shortest interval, cloud.ibm.com/docs/dl
 * "Setting up BFD") and a BGP withdrawal; the model applies the local
 * figure to all: a lower bound on the black hole. draft-clad-rtgwg-ipfrr-aiml-00 (IETF,
 * 2026) asks for sub-100 us convergence in AI fabrics: --reroute-delay
 * 100us models such hardware fast reroute. 50 ms is far longer than a
 * typical simulated run (tens to hundreds of us): with the default, ECMP
 * never reroutes within such a run, which is what a fabric without fast
 * reroute does; --help says so.
 *
 * Ordering: every change is an event of the setup LP, keyed in the top of
 * its key space (above the flow starts' keys, sim_seq_setup, which count
 * up from 0 by flow id), so same-time events order alike in every run,
 * and after every node's events of that instant.
 * The events an end's changes schedule are keyed by that end's node (the
 * LP is set per end), as that node's own events would be.
 */
#include <stdlib.h>
#include "sim/fabric/sim.h"
#include "sim/fabric/dist.h"
#include "sim/topo/fail.h"
#include "sim/topo/reach.h"

/* Changes a run takes: their keys stay far above any flow id's (sim_seq_setup). */
#define SIM_FAIL_MAX_CHANGES (1U << 20)
_Static_assert(2ULL * SIM_FAIL_MAX_CHANGES < (1ULL << SIM_LP_SEQ_BITS) - (1ULL << 38),
	       "link event keys stay above 2^38 flow ids");

/*
 * Keys of the link events: the top 2 x nlink_evs of the setup LP's key
 * space, 2 per change, ascending with the change's index, so changes at
 * one time apply in the order given (fail.h's contract).
 */
static uint64_t sim_fail_key(const struct sim *s, uint32_t i, uint32_t k)
{
	uint64_t base = (1ULL << SIM_LP_SEQ_BITS) - 2ULL * s->nlink_evs;

	return (uint64_t)SIM_LP_SETUP(s->topo) << SIM_LP_SEQ_BITS | (base + 2ULL * i + k);
}

/* Change I, C (in V: C[-1] is change I - 1), is sound: 0, or -EINVAL with the reason. */
static int sim_fail_check(struct sim *s, const struct sim_fail_change *c, uint32_t i)
{
	const struct sim_topo *t = s->topo;

	if (i && c->at_ps < c[-1].at_ps) {
		sim_fail(s, -EINVAL, "link change %u: at %llu ps, before the change ahead of it: not in time order (sim_fail_sort)",
			 i, (unsigned long long)c->at_ps);
		return -EINVAL;
	}

	if (c->port >= t->nports || t->ports[c->port].peer >= t->nports) {
		sim_fail(s, -EINVAL, "link change %u: port %u is not a link of the topology", i, c->port);
		return -EINVAL;
	}
	if (!c->at_ps || c->at_ps > SIM_TIME_LIMIT_PS) {
		sim_fail(s, -EINVAL, "link change %u: time %llu ps is not during the run (> 0, within the horizon)",
			 i, (unsigned long long)c->at_ps);
		return -EINVAL;
	}
	if (c->op > SIM_FAIL_RESTORE || (c->op == SIM_FAIL_RATE && c->rate_bps < SIM_MIN_RATE_BPS)) {
		sim_fail(s, -EINVAL, "link change %u: operation %u at %llu b/s is not a down, rate (>= %llu b/s) or restore",
			 i, c->op, (unsigned long long)c->rate_bps, (unsigned long long)SIM_MIN_RATE_BPS);
		return -EINVAL;
	}
	return 0;
}

/*
 * The links as the last of the N changes of V leaves them: a host none of
 * whose links leads anywhere then is cut off for good, and its flows
 * would retransmit forever (the transport has no retry limit): refused,
 * naming it. 0, -EINVAL, or -ENOMEM.
 */
static int sim_fail_final(struct sim *s, const struct sim_fail_change *v, uint32_t n)
{
	struct sim_topo *t = s->topo;
	uint8_t *was = malloc(t->nports);
	struct sim_reach r;
	uint32_t host, cut = 0;
	char name[64];
	int rc;

	if (!was)
		return -ENOMEM;
	for (uint32_t p = 0; p < t->nports; p++)
		was[p] = t->ports[p].down;
	/* in the order given: time order (sim_fail_check), changes at one time in turn */
	for (uint32_t i = 0; i < n; i++)
		if (v[i].op != SIM_FAIL_RATE)
			t->ports[v[i].port].down = t->ports[t->ports[v[i].port].peer].down = v[i].op == SIM_FAIL_DOWN;
	rc = sim_reach_build(t, &r);
	if (!rc) {
		cut = sim_reach_isolated(t, &r, &host, 1);
		sim_reach_free(&r);
	}
	for (uint32_t p = 0; p < t->nports; p++)
		t->ports[p].down = was[p];
	free(was);
	/* TABLE mode: the build recomputed the topology's hop distances; back to the links as they are */
	if (!rc && t->route == SIM_ROUTE_TABLE) {
		rc = sim_reach_build(t, &r);
		if (!rc)
			sim_reach_free(&r);
	}
	if (rc)
		return rc;
	if (cut) {
		sim_topo_node_name(t, host, name, sizeof(name));
		sim_fail(s, -EINVAL, "after the last link change, host %s has no live link to any other host%s: "
			 "its flows could never finish (restore a link with --restore-at)", name,
			 cut > 1 ? " (and others)" : "");
		return -EINVAL;
	}
	return 0;
}

int sim_fail_schedule(struct sim *s, const struct sim_fail_change *v, uint32_t n)
{
	const struct sim_topo *t = s->topo;
	struct sim_link_ev *e;

	if (!n)
		return 0;
	if (n > SIM_FAIL_MAX_CHANGES) {
		sim_fail(s, -EINVAL, "%u link changes: at most %u", n, SIM_FAIL_MAX_CHANGES);
		return -EINVAL;
	}
	if (s->link_evs || s->prepared) {
		sim_fail(s, -EINVAL, "link changes are scheduled once, before the run");
		return -EINVAL;
	}
	if (s->dist) {
		/*
		 * Each part could apply every change to its copy of the
		 * topology and flush only the ports it owns, but the changes
		 * live in the topology, which the parts of one process share
		 * (test_dist's threads): refused, with the reason.
		 */
		sim_fail(s, -EINVAL, "links failing or restored during the run (--fail-at, --restore-at) are not supported in a run split over processes; run it in one process");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < n; i++)
		if (sim_fail_check(s, &v[i], i))
			return -EINVAL;
	switch (sim_fail_final(s, v, n)) {
	case 0:
		break;
	case -ENOMEM:
		sim_fail(s, -ENOMEM, "out of memory checking %u link changes", n);
		return -ENOMEM;
	default:
		return -EINVAL;
	}
	e = calloc(n, sizeof(*e));
	if (!e) {
		sim_fail(s, -ENOMEM, "out of memory for %u link changes", n);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_fail_change *c = &v[i];

		e[i].ev.type = SIM_EV_LINK;
		e[i].reroute_ev.type = SIM_EV_REROUTE;
		e[i].op = c->op;
		e[i].port = c->port;
		e[i].at_ps = c->at_ps;
		e[i].rate_bps = c->rate_bps;
		e[i].orig_bps[0] = t->ports[c->port].rate_bps;
		e[i].orig_bps[1] = t->ports[t->ports[c->port].peer].rate_bps;
		e[i].orig_degraded[0] = t->ports[c->port].degraded;
		e[i].orig_degraded[1] = t->ports[t->ports[c->port].peer].degraded;
		e[i].orig_down = t->ports[c->port].down;
	}
	s->link_evs = e;
	s->nlink_evs = n;
	for (uint32_t i = 0; i < n && !s->error; i++)
		sim_schedule_seq(s, e[i].at_ps, sim_fail_key(s, i, 0), &e[i].ev);
	return s->error;
}

/*
 * One end, K (0: e->port, 1: its peer), of E's link, with the LP of the
 * node that owns it: the port's flags and rate as sim_fail_apply sets
 * them before a run (a restore gives back the rate and degraded flag it
 * had before the run), then what the fabric does about it.
 */
static void sim_fail_end(struct sim *s, const struct sim_link_ev *e, unsigned int k, bool was_down)
{
	uint32_t port = k ? s->topo->ports[e->port].peer : e->port;
	struct sim_port *pp = &s->topo->ports[port];
	enum sim_fail_op op = (enum sim_fail_op)e->op;

	s->lp = pp->node;
	sim_fail_port_set(pp, op, op == SIM_FAIL_RESTORE ? e->orig_bps[k] : e->rate_bps, e->orig_degraded[k]);
	if (op == SIM_FAIL_DOWN && !was_down && sim_dist_owns(s, pp->node))
		sim_port_link_down(s, port);
	else if (op == SIM_FAIL_RESTORE && was_down && sim_dist_owns(s, pp->node))
		sim_port_link_up(s, port);
}

void sim_fail_link(struct sim *s, struct sim_link_ev *e)
{
	struct sim_topo *t = s->topo;
	uint32_t i = (uint32_t)(e - s->link_evs);
	bool was_down = t->ports[e->port].down;

	/* counted first: the per-frame checks (sim_port_down) hold while the ends flush */
	if (e->op == SIM_FAIL_DOWN && !was_down)
		s->links_down++;
	/* orig_bps: the rates before the run, what a restore (after a rate change too) gives back */
	sim_fail_end(s, e, 0, was_down);
	sim_fail_end(s, e, 1, was_down);
	if (e->op == SIM_FAIL_RESTORE && was_down)
		s->links_down--;
	/*
	 * A host's NIC sees its own port go down at once: its QPs on that
	 * plane (and those sending to it) move to another plane now, not at
	 * the reroute (planes: sim_nic_port_down; one plane: nothing to move,
	 * they wait and retransmit until the link comes back). e->port is
	 * the link's lower end: the host's port, its index there the plane.
	 */
	if (e->op == SIM_FAIL_DOWN && !was_down && t->nodes[t->ports[e->port].node].kind == SIM_NODE_HOST) {
		uint32_t h = t->ports[e->port].node;

		s->lp = h;
		sim_nic_port_down(s, h, e->port - t->nodes[h].first_port);
	}
	s->lp = SIM_LP_SETUP(t);
	if (e->op != SIM_FAIL_RATE)
		sim_schedule_seq(s, coll_add_sat_u64(e->at_ps, s->cfg.reroute_delay_ps), sim_fail_key(s, i, 1),
				 &e->reroute_ev);
}

void sim_fail_reroute(struct sim *s, struct sim_link_ev *e)
{
	(void)e;
	s->lp = SIM_LP_SETUP(s->topo);
	if (sim_reach_refresh(s)) {
		sim_fail(s, -ENOMEM, "out of memory rebuilding the routing table after a link change");
		return;
	}
	s->c.reroutes++;
}

void sim_fail_undo(struct sim *s)
{
	struct sim_topo *t = s->topo;

	/* every change recorded the state before the run: the first of a link's wins alike */
	for (uint32_t i = s->nlink_evs; i-- > 0;) {
		const struct sim_link_ev *e = &s->link_evs[i];
		uint32_t peer = t->ports[e->port].peer;

		t->ports[e->port].down = t->ports[peer].down = e->orig_down;
		t->ports[e->port].rate_bps = e->orig_bps[0];
		t->ports[peer].rate_bps = e->orig_bps[1];
		/* a rate change during the run marked them degraded: the next run on T starts as this one did */
		t->ports[e->port].degraded = e->orig_degraded[0];
		t->ports[peer].degraded = e->orig_degraded[1];
	}
	/* TABLE mode: a reroute recomputed the topology's hop distances; back to these links */
	if (t->route == SIM_ROUTE_TABLE && s->c.reroutes) {
		struct sim_reach r;

		if (!sim_reach_build(t, &r))
			sim_reach_free(&r);
	}
}
