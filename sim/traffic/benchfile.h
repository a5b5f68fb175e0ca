/*
 * fabbench results files (verbs/README-json.md, keys in
 * collectives/bench_keys.h): read them to predict the
 * measured job, and write them from simulated runs so that a simulated
 * result can be fed back through `fabsim predict`. Also the rank maps of
 * `fabsim predict --map`.
 */
#ifndef SIM_BENCHFILE_H
#define SIM_BENCHFILE_H

#include <stddef.h>
#include <stdint.h>
#include "collectives/sched.h"

#define SIM_BENCH_MAX_SIZES 64
#define SIM_BENCH_MAX_FILE_BYTES (64u << 20)	/* 1M ranks of host names fit */

/*
 * The ranges sim_bench_load() holds every field to (topologies/FORMAT.md,
 * "fabbench results for predict"); the rates are those of topology links.
 */
#define SIM_BENCH_MAX_RANKS 1048576
#define SIM_BENCH_MAX_CHANNELS 64		/* as fabbench and run --channels */
#define SIM_BENCH_MAX_QPS 256			/* as run --qps */
#define SIM_BENCH_MAX_BYTES (1ULL << 40)	/* chunk and message sizes: 1 TiB */
#define SIM_BENCH_MIN_MTU 256			/* as run --mtu; 0 means unknown */
#define SIM_BENCH_MAX_MTU 9000
#define SIM_BENCH_MAX_TIME_US 1e12		/* 11.6 days: a picosecond clock fits */
#define SIM_BENCH_MAX_LATENCY_US 1e6		/* one-way p2p latency: 1 s */
#define SIM_BENCH_MAX_GBPS 1e9			/* algbw and busbw, GB/s */
#define SIM_BENCH_ERR 4608			/* a message below: a path of PATH_MAX and why */

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
	bool split_qps;			/* every message split over the qps; absent: true, as fabbench does */
	uint64_t chunk_bytes;
	uint64_t line_rate_bps;		/* 0 unknown */
	uint32_t mtu_bytes;		/* 0 unknown */
	double p2p_latency_us;		/* < 0: not measured */
	double p2p_bw_GBps;		/* GB/s, < 0: not measured */
	struct sim_bench_rank *ranks;
	uint32_t nsizes;
	uint64_t bytes[SIM_BENCH_MAX_SIZES];
	double time_us[SIM_BENCH_MAX_SIZES];
	double algbw_GBps[SIM_BENCH_MAX_SIZES];	/* < 0: not given */
	double busbw_GBps[SIM_BENCH_MAX_SIZES];	/* < 0: not given */
};

/*
 * Reads and checks PATH: every field it uses is range-checked. 0, or a
 * negative errno with "PATH: key 'results[3].time_us' = -1 is out of range
 * (expected ...)" (or PATH:LINE for JSON syntax) in ERR for the caller to
 * print; never prints or exits. ERR may be NULL when ERRLEN is 0.
 */
int sim_bench_load(const char *path, struct sim_bench *b, char *err, size_t errlen);
/* The same from LEN bytes of TEXT; NAME stands in for the path in errors. */
int sim_bench_parse(const char *text, size_t len, const char *name, struct sim_bench *b, char *err,
		    size_t errlen);
void sim_bench_free(struct sim_bench *b);

/*
 * A map file of `fabsim predict --map`: lines "KEY NODE" ('#' starts a
 * comment), KEY rankN, host/device or host, both 1..63 characters, each KEY
 * once. Appends the pairs to *MAP (*N of them, realloc'ed). On error
 * returns a negative errno with "PATH:LINE: what was expected" in ERR, *MAP
 * and *N unchanged except for a larger allocation; never prints or exits.
 */
int sim_bench_map_load(const char *path, char (**map)[2][64], uint32_t *n, char *err, size_t errlen);
int sim_bench_map_parse(const char *text, const char *name, char (**map)[2][64], uint32_t *n, char *err,
			size_t errlen);

#endif
