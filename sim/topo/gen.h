/*
 * Fabric generators: build a finalized struct sim_topo from a parameter
 * struct, so that C code (tests, experiments) makes fabrics without writing
 * .topo text. The .topo loader (load.c) only fills these structs from a
 * file and calls the same functions; topologies/FORMAT.md documents the
 * keys, which are named as the fields below.
 *
 * Every generator checks its parameters and the size of the fabric before
 * allocating anything. It returns 0 and *OUT, or a negative errno with a
 * one-line message in ERR (no file or line: the caller adds them):
 *   -EINVAL  a parameter out of range or inconsistent with another
 *   -E2BIG   a switch with more than SIM_TOPO_MAX_RADIX ports, or more
 *            nodes or links than 32-bit ids hold
 *   -ENOMEM  out of memory, or more than the memory available
 * Nothing is printed.
 */
#ifndef SIM_TOPO_GEN_H
#define SIM_TOPO_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "sim/topo/topo.h"

/* Ranges of the counts (topologies/FORMAT.md, "Ranges"). */
#define SIM_GEN_MAX_COUNT 16777216u	/* leaves, spines, servers, pods, ... */
#define SIM_GEN_MAX_PARALLEL 1024u	/* links_per_spine, _per_agg, _per_core */
#define SIM_GEN_MAX_PLANES 64u
#define SIM_GEN_MAX_GPUS 1024u		/* gpus_per_server */
#define SIM_GEN_MIN_OVERSUB 0.01
#define SIM_GEN_MAX_OVERSUB 1000.0

/* Links and planes, as every generated kind has them. */
struct sim_clos_common {
	uint64_t host_rate_bps;		/* NIC port rate, required */
	uint64_t fabric_rate_bps;	/* switch-switch links; 0: host_rate_bps */
	uint32_t planes;		/* NIC ports per host, a fabric copy each; 0: 1 */
	uint64_t host_delay_ps;		/* host-leaf propagation delay */
	uint64_t fabric_delay_ps;	/* switch-switch propagation delay */
	uint64_t core_delay_ps;		/* fattree agg-core delay; unused elsewhere */
};

/* Two tiers: every leaf links to every spine. */
struct sim_leafspine_params {
	struct sim_clos_common c;
	uint32_t leaves;		/* 1..SIM_GEN_MAX_COUNT */
	uint32_t hosts_per_leaf;	/* 1..SIM_GEN_MAX_COUNT */
	uint64_t hosts;			/* 0: all; else no leaf left empty */
	uint32_t spines;		/* 0 only with one leaf */
	uint32_t links_per_spine;	/* per leaf-spine pair; 0: 1 */
	double oversubscription;	/* > 0: spines from this down:up ratio */
};

/*
 * Three tiers in pods: every leaf links to every agg of its pod, agg j of
 * every pod to every core of core group j. Only the leaves the hosts need
 * are built, so the last leaf and pod may be partial.
 */
struct sim_fattree_params {
	struct sim_clos_common c;
	uint32_t pods;			/* 0: from hosts */
	uint64_t hosts;			/* 0: every pod full; else no pod left empty */
	uint32_t leaves_per_pod;	/* 1..SIM_GEN_MAX_COUNT */
	uint32_t hosts_per_leaf;	/* 1..SIM_GEN_MAX_COUNT */
	uint32_t aggs_per_pod;		/* 1..SIM_GEN_MAX_COUNT, also core groups */
	uint32_t cores_per_group;	/* 0 only with one pod */
	uint32_t links_per_agg;		/* per leaf-agg pair; 0: 1 */
	uint32_t links_per_core;	/* per agg-core pair; 0: 1 */
	uint64_t core_rate_bps;		/* agg-core links; 0: the fabric rate */
};

/*
 * Rail-optimized: host (GPU) server * gpus_per_server + r attaches to a leaf
 * of rail r; servers split into leaves_per_rail consecutive blocks of
 * ceil(servers / leaves_per_rail); every leaf links to every spine.
 */
struct sim_railopt_params {
	struct sim_clos_common c;
	uint32_t servers;		/* 1..SIM_GEN_MAX_COUNT */
	uint32_t gpus_per_server;	/* = rails, 1..SIM_GEN_MAX_GPUS */
	uint32_t leaves_per_rail;	/* 0: 1; at most servers, none left empty */
	uint32_t spines;		/* 0 only with one rail leaf */
	uint32_t links_per_spine;	/* 0: 1 */
	double oversubscription;	/* > 0: spines from this down:up ratio */
};

int sim_topo_leafspine(const struct sim_leafspine_params *p, struct sim_topo **out,
		       char *err, size_t errlen);
int sim_topo_fattree(const struct sim_fattree_params *p, struct sim_topo **out,
		     char *err, size_t errlen);
int sim_topo_railopt(const struct sim_railopt_params *p, struct sim_topo **out,
		     char *err, size_t errlen);

/*
 * Explicit graphs, routed by shortest paths (SIM_ROUTE_TABLE). Node ids:
 * hosts first, then switches, each in array order; names are kept. A
 * host's links are its planes, in array order.
 */
struct sim_explicit_node {
	const char *name;		/* 1..SIM_TOPO_MAX_NAME bytes, unique */
	enum sim_node_kind kind;
	uint8_t tier;			/* switches 1..254, 0: hops from the nearest host */
	uint32_t pod, group;		/* below UINT32_MAX */
};

struct sim_explicit_link {
	uint32_t a, b;			/* indexes into the node array */
	uint64_t rate_bps;		/* SIM_TOPO_MIN_RATE_BPS..SIM_TOPO_MAX_RATE_BPS */
	uint64_t delay_ps;
};

struct sim_explicit_params {
	const struct sim_explicit_node *nodes;
	uint32_t nnodes;		/* at least one host */
	const struct sim_explicit_link *links;
	uint64_t nlinks;
};

#define SIM_TOPO_MAX_NAME 63

/*
 * As the generators; besides, *BAD_NODE (if not NULL) is set to the index
 * in P->nodes of the node an error is about, else SIM_NONE. -EINVAL also
 * covers a host without links or with another number of links than the
 * first host, -ENOTCONN a disconnected graph, -EHOSTUNREACH a host that
 * cannot reach the first host through switches on every plane, -ERANGE a
 * switch more than 254 hops from any host (see sim_topo_finalize).
 */
int sim_topo_explicit(const struct sim_explicit_params *p, struct sim_topo **out,
		      uint32_t *bad_node, char *err, size_t errlen);

#endif
