/*
 * Fabric topology: the static graph the simulator moves packets over.
 *
 * A topology is a flat array of nodes (hosts and switches) and a flat array
 * of ports; every link is two ports, one at each end, that name each other.
 * Generated Clos fabrics (leaf-spine, 3-tier fat-tree, rail-optimized) are
 * routed structurally (up/down by tier and pod), so nothing here grows as
 * hosts x switches. Explicit graphs of arbitrary shape are routed with one
 * hop-distance table per edge switch (switches x edge-switches bytes).
 */
#ifndef SIM_TOPO_H
#define SIM_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_NONE UINT32_MAX

enum sim_node_kind {
	SIM_NODE_HOST = 0,
	SIM_NODE_SWITCH = 1,
};

enum sim_route_mode {
	SIM_ROUTE_CLOS = 0,	/* structural up/down by tier and pod */
	SIM_ROUTE_TABLE = 1,	/* shortest paths from per-edge-switch distances */
};

/* One end of a link: the egress side at its owning node. */
struct sim_port {
	uint32_t node;		/* owning node id */
	uint32_t peer;		/* global index of the port at the other end */
	uint64_t rate_bps;	/* line rate, bits per second */
	uint64_t delay_ps;	/* propagation delay, picoseconds */
	uint8_t up;		/* 1 when the peer sits on a higher tier */
	uint8_t down;		/* 1 while the link is failed (both ends; sim/topo/fail.h) */
	uint8_t degraded;	/* 1 while rate_bps is below the link's given rate (fail.h) */
};

struct sim_node {
	uint8_t kind;		/* enum sim_node_kind */
	uint8_t tier;		/* 0 host, 1 leaf, 2 spine/aggregation, 3 core */
	uint16_t nports;	/* ports [first_port, first_port + nports) */
	uint16_t ndown;		/* the first ndown ports lead down (see below) */
	uint32_t first_port;	/* global index of the node's first port */
	uint32_t pod;		/* pod of a 3-tier fabric, 0 elsewhere */
	uint32_t group;		/* rail of a rail-optimized leaf/host, else 0 */
	uint32_t index;		/* index among hosts, or among switches */
};

/*
 * Port order contract (sim_topo_finalize establishes it):
 *  - a host's ports are its NIC ports, port p being plane p;
 *  - a switch's first ndown ports lead to lower tiers, sorted by the
 *    "down key" of the peer node: tier 1 (leaf) by peer node id, tier 2 by
 *    peer node id, tier 3 (core) by (peer pod, peer node id); the remaining
 *    nports - ndown ports lead up, in ascending peer node id.
 * In TABLE mode the "up" flag and the order still hold as far as tiers are
 * known but routing does not rely on them.
 */

/*
 * Node ids: hosts come first, so host index == node id (0..nhosts-1); switch
 * ids follow (nhosts..nnodes-1) and switch index == id - nhosts. Generated
 * fabrics number switches plane by plane, each plane leaves first, then
 * spines/aggregation switches (pod-major), then cores (group-major).
 */

/* How a generated fabric numbers its switches; only names depend on it. */
struct sim_topo_layout {
	uint32_t per_plane;	/* switches in one plane */
	uint32_t nleaves;	/* tier-1 switches per plane, first */
	uint32_t ntier2;	/* spines or aggregation switches per plane, next */
	uint32_t ntier3;	/* cores per plane, last */
	uint32_t leaves_per_rail; /* railopt only, else 0 */
	uint32_t aggs_per_pod;	/* fattree only, else 0 */
};

struct sim_topo_build;

struct sim_switch_params {
	uint64_t latency_ps;	/* ingress to egress forwarding latency */
	uint64_t buffer_bytes;	/* shared packet buffer of one switch */
};

struct sim_topo {
	char name[64];		/* preset or file stem, for reports */
	char kind[16];		/* "leafspine", "fattree", "railopt", "explicit" */
	enum sim_route_mode route;
	uint32_t nnodes, nports, nhosts, nswitches;
	uint32_t ntiers;	/* switch tiers, 1..3 (TABLE mode: max tier seen) */
	uint32_t nplanes;	/* NIC ports per host, each to its own plane */
	uint32_t gpus_per_server; /* hosts h..h+g-1 share a server; 1 if none */
	uint32_t mtu_bytes;	/* RoCE payload per packet, default 4096 */
	struct sim_switch_params sw;
	struct sim_node *nodes;
	struct sim_port *ports;
	uint32_t *hosts;	/* host index -> node id */
	uint32_t *switches;	/* switch index -> node id */
	/* TABLE mode only */
	uint32_t nedges;	/* switches that have hosts attached */
	uint32_t *edge_of_switch; /* switch index -> edge index or SIM_NONE */
	uint8_t *dist;		/* dist[edge * nswitches + switch], hops; 255 = unreachable */
	/* names: explicit topologies keep user names; generated ones are derived */
	char **names;		/* node id -> name, or NULL for generated fabrics */
	/* hostmap = (("host/device" | "host" | "rankN", "node"), ...): where the
	 * ranks of a measured fabbench run sit (fabsim predict) */
	char (*hostmap)[2][64];
	uint32_t nhostmap;
	char *name_pool;	/* storage behind names[] */
	struct sim_topo_layout layout;	/* generated fabrics only */
	struct sim_topo_build *build;	/* pending links; NULL once finalized */
};

/*
 * Builder. sim_topo_create() sizes the node arrays up front (nlinks is only a
 * hint; the link list grows geometrically). Hosts get ids 0.. in call order,
 * switches nhosts.. in call order. Links must be added for host ports in
 * plane order. sim_topo_finalize() lays out and sorts the ports (see the port
 * order contract), fills hosts[]/switches[]/index and, in TABLE mode, the
 * tiers left 0 on switches (hop distance from the nearest host), nedges,
 * edge_of_switch and dist. It returns 0 or a negative errno:
 *   -ENOMEM        out of memory
 *   -EINVAL        a host without links, hosts with differing port counts or
 *                  a host linked to a host (*bad_node names it)
 *   -E2BIG         a node with more than 65535 ports (*bad_node)
 *   -ENOTCONN      the graph is disconnected (*bad_node: an unreached node)
 *   -EHOSTUNREACH  TABLE mode: a host cannot reach host 0 on some plane
 *                  through switches only (*bad_node: that host)
 *   -ERANGE        TABLE mode: a switch more than 254 hops from any host, or
 *                  from a switch with hosts (*bad_node: that switch)
 */
struct sim_topo *sim_topo_create(uint32_t nhosts, uint32_t nswitches, uint64_t nlinks,
				 enum sim_route_mode route);
uint32_t sim_topo_add_host(struct sim_topo *t, uint32_t pod, uint32_t group);
uint32_t sim_topo_add_switch(struct sim_topo *t, uint8_t tier, uint32_t pod, uint32_t group);
int sim_topo_add_link(struct sim_topo *t, uint32_t a, uint32_t b, uint64_t rate_bps,
		      uint64_t delay_ps);
int sim_topo_finalize(struct sim_topo *t, uint32_t *bad_node);
/*
 * TABLE mode, once finalized: (re)computes t->dist over the links whose
 * PORT_DOWN[port] is 0 (NULL: every link, as finalize does); a switch
 * with no live path to an edge is 255 (unreachable) from it. QUEUE:
 * t->nnodes entries of scratch. Without PORT_DOWN a switch 255 hops or
 * more away is -ERANGE (*BAD_NODE); with it, it counts as unreachable.
 */
int sim_topo_dist(struct sim_topo *t, const uint8_t *port_down, uint32_t *queue,
		  uint32_t *bad_node);
/* Frees T, finalized or not; NULL is fine. */
void sim_topo_free(struct sim_topo *t);

/*
 * Documented ranges of topology files (topologies/FORMAT.md); `fabsim
 * predict` holds measured rates to the same link rate range.
 */
#define SIM_TOPO_MIN_RATE_BPS 1000000ULL	/* 1 Mb/s: a 4 KB packet takes 33 ms */
#define SIM_TOPO_MAX_RATE_BPS 10000000000000ULL	/* 10 Tb/s */
#define SIM_TOPO_MAX_RADIX UINT16_MAX		/* ports of one node (sim_node.nports) */
#define SIM_TOPO_MAX_FILE_BYTES (16u << 20)	/* a topology, map or bench file */

/*
 * Loads the topology file PATH (topologies/FORMAT.md): 0 and *OUT, or a
 * negative errno (-EINVAL a bad file, -E2BIG or -ENOMEM a fabric too
 * large, or why the file cannot be read) with one line in ERR:
 * "PATH:LINE: what was expected", or "PATH: why (expected a topology file,
 * see topologies/FORMAT.md)". Never prints and never exits, whatever PATH
 * holds (a directory, a device, binary data, a fabric too large for memory).
 * The generators behind it take C structs (sim/topo/gen.h).
 */
int sim_topo_read(const char *path, struct sim_topo **out, char *err, size_t errlen);
/* Same, from TEXT in memory; NAME stands in for the file name in errors. */
int sim_topo_parse(const char *text, const char *name, struct sim_topo **out, char *err,
		   size_t errlen);
/* Room for any message of the above: a path and names from the file. */
#define SIM_TOPO_ERR_LEN 16384


/*
 * Reads the text file PATH (also a pipe or device) whole into a malloc'ed,
 * NUL-terminated *TEXT of *LEN bytes, for the line and JSON parsers of
 * fabsim. Refuses a directory, more than MAX_BYTES, an empty file and binary
 * data (a NUL byte): a negative errno and "PATH: why (expected WHAT)" in
 * ERR. (sim/cli/load.h has the form that prints it.)
 */
int sim_read_file(const char *path, size_t max_bytes, const char *what, char **text,
		  size_t *len, char *err, size_t errlen);

/*
 * Bytes sim_topo_create() and sim_topo_finalize() need for NNODES nodes and
 * NLINKS links (saturating), and, between the last sim_topo_add_link() and
 * sim_topo_finalize(), the TABLE-mode distance table: edge switches x
 * switches bytes. Callers hold them to coll_mem_guard() before building.
 */
uint64_t sim_topo_mem_bytes(uint64_t nnodes, uint64_t nlinks);
uint64_t sim_topo_table_bytes(const struct sim_topo *t);

/* Writes a node's printable name (e.g. "leaf12", "spine3", "h1023") */
void sim_topo_node_name(const struct sim_topo *t, uint32_t node, char *buf, size_t len);
/* Writes a rate as `fabsim topo` shows it ("800G", "100M", "1500b/s"); returns BUF. */
const char *sim_topo_fmt_rate(uint64_t bps, char *buf, size_t len);

/* Leaf (edge switch) node a host reaches on plane p. */
static inline uint32_t sim_topo_host_leaf(const struct sim_topo *t, uint32_t host_node, uint32_t plane)
{
	const struct sim_node *n = &t->nodes[host_node];

	return t->ports[t->ports[n->first_port + plane].peer].node;
}

/* NIC line rate of a host node (its plane-0 port), bits per second. */
static inline uint64_t sim_topo_nic_bps(const struct sim_topo *t, uint32_t host_node)
{
	return t->ports[t->nodes[host_node].first_port].rate_bps;
}

/*
 * Line rate of a host's whole NIC: the sum of its ports over every plane,
 * bits per second. Figures "per NIC" and "of line" use it, so that two
 * 200G planes read as one 400G NIC, not as 200% of a 200G one.
 */
static inline uint64_t sim_topo_host_bps(const struct sim_topo *t, uint32_t host_node)
{
	const struct sim_node *n = &t->nodes[host_node];
	uint64_t bps = 0;

	for (uint32_t p = 0; p < n->nports; p++)
		bps += t->ports[n->first_port + p].rate_bps;
	return bps;
}

/* Summary and export: `fabsim topo`. */
#define SIM_TOPO_SUMMARY_LIST 8		/* failed links and isolated hosts named */
struct sim_topo_summary {
	uint32_t hosts, switches, tiers, planes;
	uint64_t links_per_tier[4];	/* [0] host-leaf, [1] leaf-tier2, [2] tier2-tier3, [3] other */
	double bisection_bps;		/* min over the canonical half split */
	double oversubscription;	/* leaf downlink / uplink bandwidth, worst leaf */
	/*
	 * Per tier t + 1 (1 leaf, 2 spine or aggregation, 3 core) of the
	 * switches with uplinks: down:up bandwidth of the worst switch, and
	 * of the tier as a whole (sum down / sum up); 0 for a tier without
	 * uplinks (the top). end_to_end is the product of the tiers' wholes:
	 * the host bandwidth a fully loaded fabric offers per unit of
	 * top-tier capacity, 1 when non-blocking.
	 */
	double oversub_worst[3], oversub_tier[3];
	double oversub_end_to_end;
	uint32_t diameter_hops;		/* host-to-host links on the longest shortest path */
	uint64_t host_rate_bps;		/* most common host NIC port rate */
	uint32_t switches_per_tier[4];	/* [t - 1] for tiers 1..3, [3] higher */
	uint32_t max_switch_ports;	/* largest switch radix in use */
	uint64_t max_switch_bps;	/* largest sum of port rates of one switch */
	/*
	 * Failed links (sim/topo/fail.h): all 0 on an intact fabric, whose
	 * summary prints as it always did. Oversubscription leaves down
	 * ports out and counts degraded ones at their rate; the bisection of
	 * a damaged Clos is the max-flow over live links.
	 */
	uint64_t links_down, links_degraded;
	uint32_t hosts_isolated;	/* hosts that reach no other host on any plane */
	uint32_t isolated[SIM_TOPO_SUMMARY_LIST]; /* the first of them, node ids */
};
/*
 * Fills S from T: 0, or -ENOMEM. On a fabric with links down it also
 * lists the hosts left without a path (reach.h's table, which in TABLE
 * mode recomputes T's hop distances over live links first: hence T is
 * not const).
 */
int sim_topo_summarize(struct sim_topo *t, struct sim_topo_summary *s);
/*
 * The links down (DEGRADED: degraded) of T, each once by its lower-tier
 * port: the first MAX into OUT, returns how many there are in all.
 */
uint32_t sim_topo_failed_links(const struct sim_topo *t, bool degraded, uint32_t *out, uint32_t max);
/* "leaf3:spine7": the link of PORT, its node first. */
void sim_topo_link_name(const struct sim_topo *t, uint32_t port, char *buf, size_t len);
void sim_topo_print_summary(const struct sim_topo *t, const struct sim_topo_summary *s, FILE *out);
/* What tier TIER (1..) of T's switches is called: leaf, spine, agg, core, or switch off a Clos fabric. */
const char *sim_topo_tier_name(const struct sim_topo *t, unsigned int tier);
int sim_topo_write_dot(const struct sim_topo *t, FILE *out);

#endif
