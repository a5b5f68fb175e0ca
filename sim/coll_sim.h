/*
 * Simulated collectives: a schedule from collectives/ turned into flows
 * with the schedule's dependencies, ranks mapped onto hosts, and the
 * nccl-tests figures (algbw, busbw, effective throughput) of the result.
 */
#ifndef SIM_COLL_SIM_H
#define SIM_COLL_SIM_H

#include "collectives/sched.h"
#include "sim/sim.h"

enum sim_placement {
	SIM_PLACE_CONTIGUOUS = 0,	/* rank r on host r (of the job's hosts) */
	SIM_PLACE_RANDOM,		/* servers in random order, GPUs of a server together */
};

struct sim_coll_job {
	char name[32];
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t nranks;
	uint64_t bytes;			/* S, the nccl-tests size */
	uint32_t elem_bytes;
	uint32_t nchannels;
	uint64_t chunk_bytes;
	uint32_t gpus_per_server;	/* ranks per server (NVLink domain) */
	enum sim_placement placement;
	uint64_t nvlink_bps;		/* intra-server rate per GPU */
	uint64_t nvlink_lat_ps;
	uint64_t start_ps;
	uint32_t *rank_host;		/* rank -> host index, filled by placement */
	/* filled by sim_coll_add */
	uint32_t first_flow, nflows;
	uint32_t net_flows;		/* of them, over the network */
	uint32_t depth;			/* transfers on the longest dependency chain */
	uint64_t reduce_bps;		/* receiver reduction rate; 0: free */
};

struct sim_coll_result {
	double time_us;			/* first start to last transfer's arrival */
	double algbw_gbps, busbw_gbps;	/* GB/s, nccl-tests definitions */
	double effective;		/* busbw / NIC line rate */
	double line_gbps;		/* NIC line rate, Gb/s */
	double nic_busy;		/* busiest NIC's network bytes / (line rate x time) */
	uint64_t nic_max_bytes;		/* network payload the busiest NIC sent */
	uint32_t slowest_flow;		/* network flow with the longest FCT */
	double slowest_fct_us, slowest_frac; /* its FCT and rate / line rate */
};

int sim_placement_from_name(const char *name, enum sim_placement *p);
const char *sim_placement_name(enum sim_placement p);
/*
 * Chooses hosts for every job (disjoint), in order; jobs ask for nranks
 * each. USED marks hosts taken (nhosts bytes, updated). 0, or -1 with a
 * message when the fabric is too small.
 */
int sim_coll_place(const struct sim_topo *t, struct sim_coll_job *job, uint8_t *used, uint64_t seed);
/* Builds the job's schedule and adds its flows and dependencies to S. */
int sim_coll_add(struct sim *s, struct sim_coll_job *job);
void sim_coll_result(const struct sim *s, const struct sim_coll_job *job, struct sim_coll_result *r);

#endif
