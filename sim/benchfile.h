/*
 * fabbench results files (verbs/README-json.md): read them to predict the
 * measured job, and write them from simulated runs so that a simulated
 * result can be fed back through `fabsim predict`.
 */
#ifndef SIM_BENCHFILE_H
#define SIM_BENCHFILE_H

#include <stdint.h>
#include "collectives/sched.h"

#define SIM_BENCH_MAX_SIZES 64

struct sim_bench_rank {
	char host[64];
	char device[32];
};

struct sim_bench {
	char path[256];
	char tool[16];			/* "fabbench" or "fabsim" */
	char transport[16];
	uint32_t nranks;
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t elem_bytes;
	uint32_t nchannels;
	uint32_t gpus_per_server;
	uint32_t qps;
	uint64_t chunk_bytes;
	uint64_t line_rate_bps;		/* 0 unknown */
	uint32_t mtu_bytes;		/* 0 unknown */
	double p2p_latency_us;		/* < 0: not measured */
	double p2p_bw_gbps;		/* GB/s, < 0: not measured */
	struct sim_bench_rank *ranks;
	uint32_t nsizes;
	uint64_t bytes[SIM_BENCH_MAX_SIZES];
	double time_us[SIM_BENCH_MAX_SIZES];
	double algbw_gbps[SIM_BENCH_MAX_SIZES];
	double busbw_gbps[SIM_BENCH_MAX_SIZES];
};

/* Reads and checks PATH; on error prints "PATH: what was expected" and returns -1. */
int sim_bench_load(const char *path, struct sim_bench *b);
void sim_bench_free(struct sim_bench *b);

#endif
