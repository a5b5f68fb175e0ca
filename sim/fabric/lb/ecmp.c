/*
 * ECMP: a hash of the flow's 5-tuple picks the path, so a QP keeps one
 * path (no reordering) and distinct QPs spread, or collide (polarization
 * with --same-seed).
 */
#include "sim/fabric/lb/lb.h"

static uint32_t sim_ecmp_pick(struct sim *s, uint32_t node, const struct sim_pkt *p, const uint32_t *ports,
			      uint32_t first, uint32_t n)
{
	return sim_lb_port(ports, first, (uint32_t)(sim_lb_hash(s, node, p, 0) % n));
}

const struct sim_lb_ops sim_lb_ecmp = {
	.name = "ecmp",
	.pick = sim_ecmp_pick,
};
