/*
 * Flowlet switching: ECMP with the QP's flowlet number as extra entropy. A
 * QP idle for longer than --flowlet-gap starts a new flowlet (nic.c), which
 * may take another path without reordering what is already in flight.
 */
#include "sim/fabric/lb/lb.h"

static uint32_t sim_flowlet_pick(struct sim *s, uint32_t node, const struct sim_pkt *p, const uint32_t *ports,
				 uint32_t first, uint32_t n)
{
	return sim_lb_port(ports, first, (uint32_t)(sim_lb_hash(s, node, p, p->flowlet + 1) % n));
}

const struct sim_lb_ops sim_lb_flowlet = {
	.name = "flowlet",
	.needs_flowlet = true,
	.pick = sim_flowlet_pick,
};
