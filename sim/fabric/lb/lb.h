/*
 * Load balancing at a switch, as a table: which of the equal-cost egress
 * ports (route.c finds them) a data packet takes. Control packets always
 * take the flow's ECMP path (route.c), so ACKs never reorder.
 *
 * Each mode is one file of this folder that defines one
 * `const struct sim_lb_ops sim_lb_NAME`; the registry line SIM_LB_REGISTRY
 * in lb.c lists them in --lb order, and sim_config.lb indexes it. Adding a
 * mode is that file plus its registry line.
 */
#ifndef SIM_FABRIC_LB_H
#define SIM_FABRIC_LB_H

#include "sim/fabric/sim.h"

struct sim_lb_ops {
	const char *name;	/* --lb NAME, and in every output */
	/* the sending NIC starts a new flowlet (pkt.flowlet) after cfg.flowlet_gap_ps idle */
	bool needs_flowlet;
	/*
	 * The mode steers away from a port the moment its link is down, on
	 * the switch that owns the port, without waiting for the control
	 * plane (cfg.reroute_delay_ps): data reads the port as full
	 * (SIM_PORT_LOAD_DOWN), and the control frames it hashes (route.c)
	 * skip to the next live candidate. True for adaptive routing: the
	 * ASIC selects "forwarding paths dynamically based on the state of
	 * the switch, such as queue occupancy and port utilization" (NVUE
	 * reference, "Adaptive Routing", docs.nvidia.com/networking-ethernet-
	 * software/nvue-reference), per packet, and a port's link state is
	 * state the ASIC has at once (our reading: no document gives a
	 * figure). False for the hash and random modes (ecmp, flowlet,
	 * spray), whose groups only the control plane rewrites.
	 */
	bool avoids_down_at_once;
	/*
	 * The egress of data packet P at switch NODE among N >= 2 candidates:
	 * PORTS[i], or FIRST + i when PORTS is NULL (sim_lb_port).
	 */
	uint32_t (*pick)(struct sim *s, uint32_t node, const struct sim_pkt *p, const uint32_t *ports,
			 uint32_t first, uint32_t n);
};

/* The registry, sim_lb_count() entries (lb.c). */
extern const struct sim_lb_ops *const sim_lb_table[];

/* The ops of a run: sim_create refused a cfg.lb outside the table. */
static inline const struct sim_lb_ops *sim_lb_of(const struct sim *s)
{
	return sim_lb_table[s->cfg.lb];
}

/* The ops of LB, NULL when LB is not in the table. */
const struct sim_lb_ops *sim_lb_ops(enum sim_lb lb);

/* Candidate I: PORTS[i], or FIRST + i when PORTS is NULL. */
static inline uint32_t sim_lb_port(const uint32_t *ports, uint32_t first, uint32_t i)
{
	return ports ? ports[i] : first + i;
}

/*
 * ECMP over the 5-tuple: addresses, UDP (RoCEv2 port 4791), source port,
 * plus EXTRA entropy (a flowlet number), with NODE's switch seed.
 */
static inline uint64_t sim_lb_hash(const struct sim *s, uint32_t node, const struct sim_pkt *p, uint32_t extra)
{
	uint64_t k = ((uint64_t)p->src << 32 | p->dst) ^ ((uint64_t)p->sport << 16 | 4791u) * 0x9e3779b97f4a7c15ULL;

	k ^= (uint64_t)extra * 0xc2b2ae3d27d4eb4fULL;
	return sim_mix64(k ^ s->sw_seed[s->topo->nodes[node].index]);
}

#endif
