/*
 * Adaptive routing, per packet: the candidate with the fewest queued data
 * bytes (a paused port counts as full, a down one as fuller: SIM_PORT_LOAD_DOWN,
 * so it is never picked while another candidate is up); ties are broken
 * uniformly at random.
 * The loads come from the dense per-port array struct sim.port_load, so the
 * scan reads a line or two, not every candidate's port state.
 */
#include "sim/fabric/lb/lb.h"

static uint32_t sim_ar_pick(struct sim *s, uint32_t node, const struct sim_pkt *p, const uint32_t *ports,
			    uint32_t first, uint32_t n)
{
	uint64_t best = UINT64_MAX;
	uint32_t pick = SIM_NONE, ties = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t port = sim_lb_port(ports, first, i);
		uint64_t load = s->port_load[port];

		if (load < best) {
			best = load;
			pick = port;
			ties = 1;
		} else if (load == best && sim_rng_below(&s->node_rng[node], ++ties) == 0) {
			pick = port;
		}
	}
	return pick;
}

const struct sim_lb_ops sim_lb_ar = {
	.name = "ar",
	.avoids_down_at_once = true,
	.pick = sim_ar_pick,
};
