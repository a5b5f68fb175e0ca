/*
 * Failed and degraded links: what a user asks for (`--fail`, `--fail-at`,
 * `--restore-at`, a topology file's `fail = (...)`) turned into a list of
 * changes to links, each at a simulated time.
 *
 * A link is the pair of ports that name each other (topo.h); a change
 * names it by its lower-tier end (the host's or the leaf's port), and
 * always applies to both ends, as a cable cut or a port shut both ways.
 * The topology layer applies the changes at time 0 (sim_fail_apply); the
 * fabric applies the later ones as events during the run.
 *
 * SPEC grammar (errors quote the SPEC and say what was expected):
 *   A:B            the link(s) between nodes A and B ("leaf3:spine7",
 *                  "h12:leaf0", "p1-leaf0:p1-spine3"); every parallel link
 *                  between them when links_per_spine > 1
 *   A:B=RATE       the same, degraded to RATE ("400G", "100Gb/s")
 *   P%@TIER        a fraction P (0 < P <= 100, "10%", "2.5%") of the links
 *                  of TIER, drawn with the failure seed: TIER is host-leaf,
 *                  leaf-spine (a 2-tier fabric's leaf to spine, a rail
 *                  fabric's leaf to spine), leaf-agg, agg-core (3-tier), or
 *                  a plane's share: "10%@leaf-spine/p1"
 *   plane:P        every link of plane P (host ports of plane P included)
 */
#ifndef SIM_TOPO_FAIL_H
#define SIM_TOPO_FAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/topo/topo.h"

enum sim_fail_op {
	SIM_FAIL_DOWN = 0,	/* the link carries nothing */
	SIM_FAIL_RATE = 1,	/* the link runs at rate_bps both ways */
	SIM_FAIL_RESTORE = 2,	/* back up, at the rate the topology gave it */
};

struct sim_fail_change {
	uint64_t at_ps;		/* simulated time; 0 = before the run starts */
	uint32_t port;		/* the link's lower-tier end; its peer is the other */
	uint8_t op;		/* enum sim_fail_op */
	/*
	 * SIM_FAIL_RATE: the new rate of both directions. SIM_FAIL_RESTORE:
	 * the rate the link had when the SPEC was parsed (0 when it was
	 * already degraded then: the rate stays as it is).
	 */
	uint64_t rate_bps;
};

/* Changes in the order given; sim_fail_sort puts them in time order. */
struct sim_fail_plan {
	struct sim_fail_change *v;
	uint32_t n, cap;
	uint64_t seed;		/* draws of P%@TIER (--fail-seed, topology fail_seed) */
};

/*
 * Appends to PLAN the changes SPEC names on T, each at AT_PS with OP
 * (SIM_FAIL_RATE only through "A:B=RATE", which sets it whatever OP
 * says). Returns 0, -ENOMEM, or -EINVAL with one line in ERR: "SPEC: why
 * (expected ...)": an unknown node, two nodes without a link, a fraction
 * outside (0, 100], an unknown tier, a bad rate.
 */
int sim_fail_parse(const struct sim_topo *t, const char *spec, uint64_t at_ps,
		   enum sim_fail_op op, struct sim_fail_plan *plan, char *err, size_t errlen);
/* Stable sort by at_ps: changes at one time apply in the order given. */
void sim_fail_sort(struct sim_fail_plan *plan);
/* Applies C to T's ports now (both ends): the down flag, or the rate. */
void sim_fail_apply(struct sim_topo *t, const struct sim_fail_change *c);
/*
 * One end P of a link change OP, the one place a port's down flag, rate
 * and degraded flag change (sim_fail_apply before a run, the fabric's
 * link events during one: sim/fabric/fail.c). Down sets the down flag;
 * a rate change runs P at RATE_BPS, degraded from then on once below the
 * rate it had (the rate to come back to is then unknown); a restore
 * clears the down flag and, when RATE_BPS is given (not 0), runs P at it
 * again, degraded as DEGRADED says (false: the link's own rate).
 */
void sim_fail_port_set(struct sim_port *p, enum sim_fail_op op, uint64_t rate_bps, bool degraded);
/* Applies the changes at time 0 and drops them from PLAN. */
void sim_fail_apply_static(struct sim_topo *t, struct sim_fail_plan *plan);
void sim_fail_plan_free(struct sim_fail_plan *plan);

/* The node named NAME (sim_topo_node_name's spelling), or SIM_NONE. */
uint32_t sim_topo_node_by_name(const struct sim_topo *t, const char *name);

#endif
