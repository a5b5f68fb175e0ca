/*
 * Simulated collectives: a schedule from collectives/ turned into flows
 * with the schedule's dependencies, ranks mapped onto hosts, and the
 * nccl-tests figures (algbw, busbw, effective throughput) of the result.
 * Nothing here prints: functions return 0 or a negative errno with the
 * reason in ERR (ERR may be NULL), for the command line to print.
 */
#ifndef SIM_COLL_SIM_H
#define SIM_COLL_SIM_H

#include <stdbool.h>
#include "collectives/gen.h"
#include "collectives/sched.h"
#include "sim/fabric/sim.h"

enum sim_placement {
	SIM_PLACE_CONTIGUOUS = 0,	/* rank r on host r (of the job's hosts) */
	SIM_PLACE_RANDOM,		/* servers in random order, GPUs of a server together */
};

/* --channels nccl: as many channels as NCCL builds for the job (coll_default_channels). */
#define SIM_COLL_CHANNELS_NCCL UINT32_MAX

struct sim_coll_job {
	char name[32];
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t nranks;
	uint64_t bytes;			/* S, the nccl-tests size */
	uint32_t elem_bytes;
	uint32_t nchannels;	/* 0: 1; SIM_COLL_CHANNELS_NCCL: as NCCL picks (coll_default_channels) */
	uint64_t chunk_bytes;		/* 0: as NCCL, by size (coll_default_chunk) */
	uint32_t gpus_per_server;	/* ranks per server (NVLink domain) */
	enum sim_placement placement;
	uint8_t pxn;			/* struct coll_params.pxn: NCCL's PXN, default on */
	uint64_t nvlink_bps;		/* intra-server rate per GPU */
	uint64_t nvlink_lat_ps;
	uint64_t start_ps;
	uint32_t *rank_host;		/* rank -> host index, filled by placement */
	/* filled by sim_coll_add */
	uint64_t first_flow, nflows;	/* its transfers are flows first_flow .. + nflows - 1 */
	uint64_t net_flows;		/* of them, over the network */
	uint32_t depth;			/* transfers on the longest dependency chain; 0: not counted (own generator past SIM_MAX_JOB_XFERS, or huge) */
	uint64_t reduce_bps;		/* receiver reduction rate; 0: free */
};

/* Channels JOB runs: its own, 1 by default, or with --channels nccl coll_default_channels (one per NIC of a server for rings and trees on rails). */
uint32_t sim_coll_job_channels(const struct sim_coll_job *job);
/* Connections each channel's messages are spread over: NCCL's duplicated channels (coll_default_dup). */
uint32_t sim_coll_job_dup(const struct sim_coll_job *job);

struct sim_coll_result {
	bool complete;			/* every transfer finished: the figures below are set */
	uint64_t flows_done;		/* transfers of the job that finished */
	double time_us;			/* first start to last transfer's arrival */
	double algbw_GBps, busbw_GBps;	/* GB/s, nccl-tests definitions */
	double effective;		/* busbw / NIC line rate */
	double line_gbps;		/* NIC line rate, Gb/s */
	double nic_busy;		/* busiest NIC's network bytes / (line rate x time) */
	uint64_t nic_max_bytes;		/* network payload the busiest NIC sent */
	uint64_t slowest_flow;		/* network flow with the longest FCT, SIM_COLL_NO_FLOW: none */
	double slowest_fct_us, slowest_frac; /* its FCT and rate / line rate */
	uint32_t slowest_src, slowest_dst; /* its host indices */
	uint64_t net_done;		/* network transfers that finished: the FCTs sim_coll_job_fcts gives */
};

/*
 * Network transfers whose FCTs a job keeps for its percentiles (8 bytes
 * each): 2^24, 128 MiB, is 8x the largest schedule the experiments run
 * (2.1M transfers). A job with more (its own generator runs up to 2^32)
 * has no percentiles rather than a memory bill the size of its schedule.
 */
#define SIM_COLL_FCT_MAX (1ULL << 24)
/*
 * The FCTs (us) of JOB's network transfers that finished in S, in no
 * particular order (the caller may sort them in place), *N of them; NULL
 * when there is none or more than SIM_COLL_FCT_MAX (then not kept).
 */
double *sim_coll_job_fcts(const struct sim *s, const struct sim_coll_job *job, uint64_t *n);

/*
 * Limits of collective inputs, with their reasons: GPUs per server are an
 * NVLink domain (8 in a DGX, 72 in an NVL72 rack; 1024 leaves headroom);
 * channels as NCCL's (at most 64); a job name goes into CSV and JSON.
 */
#define SIM_MAX_GPUS_PER_SERVER 1024
#define SIM_MAX_CHANNELS 64
#define SIM_JOB_NAME_MAX 31
/*
 * Transfers one job's built schedule may have (an algorithm without a
 * generator of its own: coll_build's schedule is what the run wraps, see
 * coll_gen_create). The largest schedule the
 * experiments run (ring all-reduce on 1,024 ranks at 1 GiB, 1 MiB chunks)
 * has 2.1M; 16.8M leaves 8x headroom. Beyond it a job builds for minutes
 * and simulates for hours (27 ranks at 1 TiB: 5.45e7 transfers built for
 * over 10 minutes before the memory guard refused it), so it is refused
 * up front with the job, its size and this limit.
 */
#define SIM_MAX_JOB_XFERS (1U << 24)
/*
 * Transfers a job whose algorithm generates its schedule as it runs may
 * have: memory no longer bounds it, time does (at a few million events a
 * second, 2^32 transfers of even one packet each take hours).
 */
#define SIM_MAX_GEN_XFERS (1ULL << 32)

int sim_placement_from_name(const char *name, enum sim_placement *p);
const char *sim_placement_name(enum sim_placement p);
/*
 * Chooses hosts for every job (disjoint), in order; jobs ask for nranks
 * each. USED marks hosts taken (nhosts bytes, updated). 0, or -ENOSPC with
 * "job NAME: ..." in ERR when the fabric is too small (-ENOMEM out of
 * memory); job->rank_host is then NULL.
 */
int sim_coll_place(const struct sim_topo *t, struct sim_coll_job *job, uint8_t *used, uint64_t seed, char *err,
		   size_t errlen);
/* The schedule parameters of JOB at size BYTES (its own bytes field aside). */
/* The chunk a size of JOB is pipelined with, bytes (job->chunk_bytes, or as NCCL chooses it). */
uint64_t sim_coll_job_chunk(const struct sim_coll_job *job, uint64_t bytes);
void sim_coll_job_params(const struct sim_coll_job *job, uint64_t bytes, struct coll_params *p);
/*
 * 0 when JOB's schedule at BYTES has at most SIM_MAX_JOB_XFERS transfers
 * (coll_sched_estimate's bound, nothing is built), else -E2BIG with
 * "allreduce ring on 27 ranks at 1 TiB would be ... transfers, more than
 * the ... a job may have (...)" in ERR.
 */
int sim_coll_job_size_check(const struct sim_coll_job *job, uint64_t bytes, char *err, size_t errlen);
/*
 * Upper bound on the transfers coll_build makes for P, and in *TABLE the
 * entries of its last-writer table (4 bytes each); may be NULL.
 */
double sim_coll_xfers_max(const struct coll_params *p, double *table_entries);
/* Bytes the schedule of P and PER_XFER_BYTES per transfer need; its transfers in *XFERS. */
double sim_coll_need_bytes(const struct coll_params *p, double per_xfer_bytes, double *xfers);
/* struct sim_coll_result.slowest_flow: no network transfer finished. */
#define SIM_COLL_NO_FLOW UINT64_MAX
/*
 * What a job whose algorithm has no generator of its own keeps per
 * transfer beside coll_build's schedule: the wrapper's successor lists
 * (collectives/gen.c), 4 bytes a dependency and 4 a transfer, rounded up.
 * The flows themselves are made as transfers become ready and recycled.
 */
#define SIM_COLL_WRAP_BYTES 16.0
/*
 * 0 when the schedule of P, plus PER_XFER_BYTES for each of its transfers
 * (what the caller keeps per transfer: a checker's state, a simulated
 * flow), fits in the memory available; else -E2BIG or -ENOMEM with
 * "WHAT needs ..." in ERR. Call it before coll_build.
 */
int sim_coll_guard(const struct coll_params *p, double per_xfer_bytes, const char *what, char *err, size_t errlen);
/*
 * Adds the job to S as a lazy source of flows (sim_add_src): its
 * schedule's generator (coll_gen_create: the algorithm's own, or coll_build's
 * schedule wrapped), refused up front when that schedule cannot fit. JOB
 * must stay until sim_coll_result. 0, or a negative errno with "job NAME:
 * ..." in ERR.
 */
int sim_coll_add(struct sim *s, struct sim_coll_job *job, char *err, size_t errlen);
void sim_coll_result(const struct sim *s, const struct sim_coll_job *job, struct sim_coll_result *r);
/*
 * Whether transfer X of a job whose rank r sits on host RANK_HOST[r] (G
 * GPUs per server) crosses the network, and the hosts whose NICs send
 * (*A: a PXN transfer's relay) and receive it (*B). Not: one server's
 * GPUs, which NVLink joins.
 */
bool sim_coll_xfer_net(const uint32_t *rank_host, uint32_t g, const struct coll_xfer *x, uint32_t *a, uint32_t *b);
/* The schedule generator of JOB as sim_coll_add gave it to S, NULL if it has none (the ideal reads it). */
const struct coll_gen *sim_coll_job_gen(const struct sim *s, const struct sim_coll_job *job);

#endif
