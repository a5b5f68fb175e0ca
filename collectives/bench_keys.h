/*
 * The keys of fabbench's --json results file (verbs/README-json.md), spelt
 * once: fabbench writes them (verbs/report.c), `fabsim predict` reads them
 * (sim/traffic/benchfile.c) and `fabsim run --bench-json` writes a
 * simulated run with them. Here, not in sim/results/schema.h, because
 * fabbench links collectives/ but not the simulator. Units are in the
 * names: _bytes, _bps (bits/s), _us, _GBps (GB/s, 1e9 bytes/s). Files
 * written before issue 16 spelt GB/s _gbps; readers accept those names
 * too (coll_bench_old_key).
 */
#ifndef COLL_BENCH_KEYS_H
#define COLL_BENCH_KEYS_H

#include <stddef.h>
#include <string.h>

/* The top-level object, in the order fabbench writes it. */
#define COLL_BENCH_TOOL "tool"			/* "fabbench" (or "fabsim") */
#define COLL_BENCH_VERSION "version"
#define COLL_BENCH_NRANKS "nranks"
#define COLL_BENCH_TRANSPORT "transport"	/* "verbs", "tcp", "sim" */
#define COLL_BENCH_COLLECTIVE "collective"
#define COLL_BENCH_ALGORITHM "algorithm"
#define COLL_BENCH_DTYPE "dtype"
#define COLL_BENCH_OP "op"
#define COLL_BENCH_NCHANNELS "nchannels"
#define COLL_BENCH_GPUS_PER_SERVER "gpus_per_server"
#define COLL_BENCH_QPS "qps"
#define COLL_BENCH_SPLIT_QPS "split_qps"	/* "on" | "off", optional: absent is on (fabbench splits) */
#define COLL_BENCH_CHUNK_BYTES "chunk_bytes"
#define COLL_BENCH_DEPTH "depth"
#define COLL_BENCH_ITERATIONS "iterations"
#define COLL_BENCH_WARMUP_ITERATIONS "warmup_iterations"
#define COLL_BENCH_AVERAGE "average"
#define COLL_BENCH_CHECK "check"
#define COLL_BENCH_ROOT "root"			/* broadcast, reduce: the root; else null */
#define COLL_BENCH_INPLACE "inplace"		/* --inplace: 0 out of place, 1 in place, 2 both */
#define COLL_BENCH_HOSTS "hosts"		/* host name per rank */
#define COLL_BENCH_LINE_RATE_BPS "line_rate_bps"
#define COLL_BENCH_MTU_BYTES "mtu_bytes"
#define COLL_BENCH_PARALLEL_INIT "parallel_init"	/* -p: 1 connections set up at once, 0 one by one */
#define COLL_BENCH_INIT_MS "init_ms"		/* slowest rank's connection set-up */
#define COLL_BENCH_RANKS "ranks"		/* [] of the per-rank keys below */
#define COLL_BENCH_P2P_LATENCY_US "p2p_latency_us"
#define COLL_BENCH_P2P_BW_GBPS "p2p_bw_GBps"
/* --p2p's details (null without --p2p); p2p_latency_us is their median. */
#define COLL_BENCH_P2P_LAT_ITERATIONS "p2p_latency_iterations"
#define COLL_BENCH_P2P_LAT_BYTES "p2p_latency_bytes"
#define COLL_BENCH_P2P_LAT_MIN_US "p2p_latency_us_min"
#define COLL_BENCH_P2P_LAT_MAX_US "p2p_latency_us_max"
#define COLL_BENCH_P2P_LAT_AVG_US "p2p_latency_us_avg"
#define COLL_BENCH_P2P_LAT_STDEV_US "p2p_latency_us_stdev"
#define COLL_BENCH_P2P_LAT_P99_US "p2p_latency_us_p99"
#define COLL_BENCH_P2P_LAT_P999_US "p2p_latency_us_p999"
#define COLL_BENCH_P2P_BW_BYTES "p2p_bw_bytes"
#define COLL_BENCH_P2P_BIBW_GBPS "p2p_bibw_GBps"	/* both directions at once, summed */
#define COLL_BENCH_P2P_PAIRS "p2p_pairs"	/* --p2p all: [] of the per-pair keys below */
#define COLL_BENCH_RESULTS "results"		/* [] of the per-size keys below */
#define COLL_BENCH_AVG_BUSBW_GBPS "avg_busbw_GBps"

/* Each ranks[] entry. */
#define COLL_BENCH_RANK_RANK "rank"
#define COLL_BENCH_RANK_HOST "host"
#define COLL_BENCH_RANK_DEVICE "device"
#define COLL_BENCH_RANK_ADDR "addr"
#define COLL_BENCH_RANK_PORT "port"
#define COLL_BENCH_RANK_GID_INDEX "gid_index"
#define COLL_BENCH_RANK_GID "gid"
#define COLL_BENCH_RANK_MTU_BYTES "mtu_bytes"
#define COLL_BENCH_RANK_ACTIVE_MTU_BYTES "active_mtu_bytes"
#define COLL_BENCH_RANK_LINE_RATE_BPS "line_rate_bps"
#define COLL_BENCH_RANK_QPS "qps"
#define COLL_BENCH_RANK_TCLASS "tclass"
#define COLL_BENCH_RANK_CHUNK_BYTES "chunk_bytes"
#define COLL_BENCH_RANK_DEPTH "depth"
#define COLL_BENCH_RANK_INIT_MS "init_ms"	/* its connection set-up */

/* Each results[] entry. */
#define COLL_BENCH_RES_BYTES "bytes"
#define COLL_BENCH_RES_COUNT "count"
#define COLL_BENCH_RES_TIME_US "time_us"
#define COLL_BENCH_RES_TIME_US_MIN "time_us_min"
#define COLL_BENCH_RES_TIME_US_MAX "time_us_max"
#define COLL_BENCH_RES_TIME_US_AVG "time_us_avg"
#define COLL_BENCH_RES_ALGBW_GBPS "algbw_GBps"
#define COLL_BENCH_RES_BUSBW_GBPS "busbw_GBps"
#define COLL_BENCH_RES_BUSBW_GBPS_MIN "busbw_GBps_min"
#define COLL_BENCH_RES_BUSBW_GBPS_MAX "busbw_GBps_max"
#define COLL_BENCH_RES_LINE_FRACTION "line_fraction"
#define COLL_BENCH_RES_WRONG "wrong"
#define COLL_BENCH_RES_MPI_TIME_US "mpi_time_us"
/*
 * Out of place (--inplace 0 or 2; null otherwise), as nccl-tests' first
 * column group; the keys above are in place (null with --inplace 0), which
 * is what `fabsim predict` reads. Byte rates are GB/s (1e9 bytes/s).
 */
#define COLL_BENCH_RES_OOP_TIME_US "oop_time_us"
#define COLL_BENCH_RES_OOP_TIME_US_MIN "oop_time_us_min"
#define COLL_BENCH_RES_OOP_TIME_US_MAX "oop_time_us_max"
#define COLL_BENCH_RES_OOP_TIME_US_AVG "oop_time_us_avg"
#define COLL_BENCH_RES_OOP_ALGBW "oop_algbw_GBps"
#define COLL_BENCH_RES_OOP_BUSBW "oop_busbw_GBps"
#define COLL_BENCH_RES_OOP_BUSBW_MIN "oop_busbw_GBps_min"
#define COLL_BENCH_RES_OOP_BUSBW_MAX "oop_busbw_GBps_max"
#define COLL_BENCH_RES_OOP_LINE_FRACTION "oop_line_fraction"
#define COLL_BENCH_RES_OOP_WRONG "oop_wrong"
#define COLL_BENCH_RES_MPI_BUSBW_GBPS "mpi_busbw_GBps"

/* fabbench --csv: one row per size, its columns named as the JSON keys. */
#define COLL_BENCH_CSV_HEADER \
	COLL_BENCH_COLLECTIVE "," COLL_BENCH_ALGORITHM "," COLL_BENCH_TRANSPORT "," COLL_BENCH_NRANKS "," \
	COLL_BENCH_DTYPE "," COLL_BENCH_OP "," COLL_BENCH_RES_BYTES "," COLL_BENCH_RES_COUNT "," \
	COLL_BENCH_RES_TIME_US "," COLL_BENCH_RES_TIME_US_MIN "," COLL_BENCH_RES_TIME_US_MAX "," \
	COLL_BENCH_RES_ALGBW_GBPS "," COLL_BENCH_RES_BUSBW_GBPS "," COLL_BENCH_RES_LINE_FRACTION "," \
	COLL_BENCH_RES_WRONG "," COLL_BENCH_RES_MPI_TIME_US "," COLL_BENCH_RES_MPI_BUSBW_GBPS

/* fabbench --csv: the out-of-place columns, after those of COLL_BENCH_CSV_HEADER. */
#define COLL_BENCH_CSV_OOP_HEADER \
	COLL_BENCH_RES_OOP_TIME_US "," COLL_BENCH_RES_OOP_TIME_US_MIN "," COLL_BENCH_RES_OOP_TIME_US_MAX "," \
	COLL_BENCH_RES_OOP_ALGBW "," COLL_BENCH_RES_OOP_BUSBW "," COLL_BENCH_RES_OOP_LINE_FRACTION "," \
	COLL_BENCH_RES_OOP_WRONG

/* Each p2p_pairs[] entry, and the --p2p-csv columns, in this order. */
#define COLL_BENCH_PAIR_SRC "src"
#define COLL_BENCH_PAIR_DST "dst"
#define COLL_BENCH_PAIR_LATENCY_US "latency_us"	/* typical (median) one-way */
#define COLL_BENCH_PAIR_P99_US "p99_us"
#define COLL_BENCH_PAIR_P999_US "p999_us"
#define COLL_BENCH_PAIR_MIN_US "min_us"
#define COLL_BENCH_PAIR_MAX_US "max_us"
#define COLL_BENCH_PAIR_BW_GBPS "bandwidth_GBps"	/* src -> dst */
#define COLL_BENCH_PAIR_BIBW_GBPS "bibw_GBps"		/* both ways at once, summed */
#define COLL_BENCH_PAIR_SRC_HOST "src_host"
#define COLL_BENCH_PAIR_DST_HOST "dst_host"
#define COLL_BENCH_P2P_CSV_HEADER \
	COLL_BENCH_PAIR_SRC "," COLL_BENCH_PAIR_DST "," COLL_BENCH_PAIR_LATENCY_US "," \
	COLL_BENCH_PAIR_P99_US "," COLL_BENCH_PAIR_P999_US "," COLL_BENCH_PAIR_MIN_US "," \
	COLL_BENCH_PAIR_MAX_US "," COLL_BENCH_PAIR_BW_GBPS "," COLL_BENCH_PAIR_BIBW_GBPS "," \
	COLL_BENCH_PAIR_SRC_HOST "," COLL_BENCH_PAIR_DST_HOST

/*
 * The name KEY had before issue 16 when it holds GB/s ("busbw_GBps" for
 * "busbw_GBps", "busbw_GBps_min" for "busbw_GBps_min"), else NULL: readers
 * look it up when KEY is absent, so a file fabbench wrote then still reads.
 * BUF holds the old name.
 */
static inline const char *coll_bench_old_key(const char *key, char *buf, size_t len)
{
	const char *at = strstr(key, "_GBps");
	size_t n = strlen(key);

	if (!at || n >= len)
		return NULL;
	memcpy(buf, key, n + 1);
	memcpy(buf + (at - key), "_gbps", 5);
	return buf;
}

#endif
