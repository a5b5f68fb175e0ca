/*
 * Per-packet spraying: every data packet takes a uniformly random path;
 * the receiver sees reordering (ddp places it, gbn collapses under it).
 */
#include "sim/fabric/lb/lb.h"

static uint32_t sim_spray_pick(struct sim *s, uint32_t node, const struct sim_pkt *p, const uint32_t *ports,
			       uint32_t first, uint32_t n)
{
	return sim_lb_port(ports, first, sim_rng_below(&s->node_rng[node], n));
}

const struct sim_lb_ops sim_lb_spray = {
	.name = "spray",
	.pick = sim_spray_pick,
};
