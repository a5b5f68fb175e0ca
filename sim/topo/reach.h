/*
 * Reachability over live links, for routing around failures.
 *
 * A Clos fabric routes structurally (route.c): up until a switch above the
 * destination's leaf, then down. With links down, some of those
 * candidates lead nowhere: a spine that lost its link to the destination
 * leaf, a leaf whose uplinks reach only such spines. A reachability table
 * says, for each switch and each leaf, whether the leaf can still be
 * reached from there valley-free (up* then down*) over links that were up
 * when the table was built; routing keeps only candidates whose far end
 * can still reach the destination leaf.
 *
 * The table is a snapshot: the fabric rebuilds it when the control plane
 * has learned of a change (the detection and reprogramming delay), so
 * between a failure and the rebuild ECMP still hashes onto the dead link,
 * as hardware does. A fabric that never had a failure has no table and
 * routes as before (the contiguous ranges of topo.h).
 *
 * Memory: three bits per (switch, leaf of its plane): Colossus-class
 * (4,160 switches, 1,563 leaves per plane) takes about 2.4 MB per plane.
 */
#ifndef SIM_TOPO_REACH_H
#define SIM_TOPO_REACH_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/topo/topo.h"

struct sim_reach {
	uint32_t nleaves;	/* leaves (switches with hosts) of all planes */
	uint32_t words;		/* 64-bit words per switch row */
	uint32_t *leaf_ord;	/* switch index -> leaf ordinal, SIM_NONE if not a leaf */
	uint64_t *down;		/* [switch index * words]: bit leaf_ord set = reachable going down only */
	uint64_t *any;		/* same, up* then down* */
	/*
	 * same: every up port of the switch is live and its far end reaches
	 * the leaf (any), so routing up needs no filtering: the fast path
	 * for the many (switch, leaf) pairs a failure leaves untouched
	 */
	uint64_t *up_ok;
	uint8_t *port_down;	/* [port]: the link state the table was built from */
};

/*
 * Builds R from the down flags of T's ports (CLOS mode; in TABLE mode it
 * recomputes T's hop distances over live links instead, and R holds only
 * port_down). Returns 0 or -ENOMEM. R is zeroed first; free with
 * sim_reach_free.
 */
int sim_reach_build(struct sim_topo *t, struct sim_reach *r);
void sim_reach_free(struct sim_reach *r);

/* Whether switch SW (node id) can reach leaf LEAF (node id) going down only. */
bool sim_reach_down(const struct sim_topo *t, const struct sim_reach *r, uint32_t sw, uint32_t leaf);
/* Whether switch SW can reach leaf LEAF valley-free. */
bool sim_reach_any(const struct sim_topo *t, const struct sim_reach *r, uint32_t sw, uint32_t leaf);
/* CLOS mode: whether every up port of switch SW is live and leads on to leaf LEAF (false in TABLE mode). */
bool sim_reach_up_ok(const struct sim_topo *t, const struct sim_reach *r, uint32_t sw, uint32_t leaf);
/* Whether host A reaches host B on plane PLANE over the links R was built from. */
bool sim_reach_hosts(const struct sim_topo *t, const struct sim_reach *r, uint32_t a, uint32_t b,
		     uint32_t plane);
/*
 * Hosts that reach no other host on any plane (their every NIC link is
 * down, or their leaves lost every path): writes up to MAX node ids to
 * OUT in ascending order, returns how many there are in all.
 */
uint32_t sim_reach_isolated(const struct sim_topo *t, const struct sim_reach *r, uint32_t *out,
			    uint32_t max);

#endif
