/*
 * Fabric partitioner: splits a topology into N parts for a conservative
 * parallel (multi-process) simulation, and computes the lookahead the parts
 * may run ahead of one another.
 *
 * Only fabric (switch-switch) links are cut. Every part holds whole
 * servers: a host sits with the switches its NIC ports attach to, and the
 * hosts of one server (gpus_per_server consecutive hosts) with each other,
 * so on a rail-optimized fabric the leaves of all rails serving one block of
 * servers form one group. These groups ("leaf groups") are the unit of the
 * leaf mode; the pod mode also joins tier-1 switches to the tier-2 switches
 * they link to on a 3-tier fabric (a pod: leaves, aggregation switches and
 * their hosts, derived from connectivity, so explicit graphs work too).
 * Switches in no group (spines, cores, and aggregation switches in leaf
 * mode) are spread evenly over the parts, tier by tier.
 *
 * Groups go to parts largest first (by port count), each to the part with
 * the fewest ports so far (ties: the lowest part): deterministic, no part
 * left empty, and the parts' port counts differ by at most the largest
 * group before the spread switches are added.
 */
#ifndef SIM_TOPO_PARTITION_H
#define SIM_TOPO_PARTITION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/topo/topo.h"

enum sim_part_mode {
	SIM_PART_AUTO = 0,	/* pods on a 3-tier fabric when there are enough, else leaf groups */
	SIM_PART_POD = 1,	/* pods only (3-tier fabrics) */
	SIM_PART_LEAF = 2,	/* leaf groups: leaves with their hosts, servers whole */
	SIM_PART_NMODES
};

/* What one part holds. */
struct sim_part_stats {
	uint32_t nodes, hosts, switches;
	uint64_t ports;		/* ports of its nodes */
	uint64_t cut_links;	/* links with the other end in another part */
};

struct sim_partition {
	uint32_t nparts;
	enum sim_part_mode mode;	/* the mode used: AUTO is resolved */
	uint32_t ngroups;		/* groups of whole servers the parts were made of */
	uint32_t *part;			/* node id -> part, nnodes entries */
	struct sim_part_stats *parts;	/* nparts entries */
	uint64_t cut_links;		/* links cut, each counted once */
	uint64_t lookahead_ps;		/* UINT64_MAX when nothing is cut */
	uint32_t lookahead_port;	/* a port of the link that sets it, or SIM_NONE */
};

/*
 * Partitions the finalized topology T into NPARTS parts (>= 1) by MODE:
 * 0 and *P (free it with sim_partition_free), or a negative errno with a
 * one-line message in ERR and *P zeroed:
 *   -EINVAL  NPARTS 0 or more than the groups MODE finds (the message names
 *            the fabric, the groups and the maximum); the pod mode on a
 *            fabric without 3 tiers; a cut link without propagation delay
 *            (the message names the link)
 *   -ENOMEM  out of memory
 * NPARTS 1 puts everything in part 0 with no cut and no lookahead limit.
 * Takes time O(ports + (groups + spread switches) x parts).
 */
int sim_partition(const struct sim_topo *t, uint32_t nparts, enum sim_part_mode mode,
		  struct sim_partition *p, char *err, size_t errlen);
/* Frees what sim_partition allocated; a zeroed *P is fine. */
void sim_partition_free(struct sim_partition *p);
/* One line per part (nodes, hosts, switches, ports, cut links), then the lookahead in ns. */
void sim_partition_print(const struct sim_topo *t, const struct sim_partition *p, FILE *out);

/* "auto", "pod", "leaf"; NULL for a mode out of range. */
const char *sim_part_mode_name(enum sim_part_mode mode);
/* The mode named NAME: 0 and *MODE, or -EINVAL. */
int sim_part_mode_from_name(const char *name, enum sim_part_mode *mode);

#endif
