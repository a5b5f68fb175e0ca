/*
 * Results: combining per-rank times (nccl-tests -a), the nccl-tests style
 * table, and the JSON/CSV files. The JSON carries everything fabsim needs
 * to simulate the same job (verbs/README-json.md).
 */
#ifndef VB_REPORT_H
#define VB_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "verbs/exec.h"
#include "verbs/opts.h"
#include "verbs/transport.h"

/* Out of place: nccl-tests' first column group, the same figures as in place. */
struct vb_oop_result {
	double time_us;			/* combined as -a says */
	double time_us_min;		/* over ranks */
	double time_us_max;
	double time_us_avg;
	double algbw_GBps;		/* GB/s, from time_us */
	double busbw_GBps;
	double busbw_GBps_min;		/* from time_us_max */
	double busbw_GBps_max;		/* from time_us_min */
	double line_frac;		/* busbw / line rate; < 0: unknown */
	int64_t wrong;			/* elements, over ranks; -1: not checked */
};

/*
 * One size. The flat figures are in place (zero with --inplace 0), oop out
 * of place (zero with --inplace 1): rep->o->place says which ran.
 */
struct vb_result {
	uint64_t bytes;
	uint64_t count;			/* elements, as nccl-tests counts them */
	double time_us;			/* combined as -a says */
	double time_us_min;		/* over ranks */
	double time_us_max;
	double time_us_avg;
	double algbw_GBps;		/* from time_us */
	double busbw_GBps;
	double busbw_GBps_min;		/* from time_us_max */
	double busbw_GBps_max;		/* from time_us_min */
	double line_frac;		/* busbw / line rate; < 0: unknown */
	int64_t wrong;			/* elements, over ranks; -1: not checked */
	bool has_mpi;
	double mpi_time_us;
	double mpi_busbw_GBps;
	struct vb_oop_result oop;
};

/*
 * Ping-pong latency over many iterations, as perftest's ib_write_lat
 * reports it: each sample is half a round trip, in microseconds.
 */
struct vb_lat_stats {
	uint32_t n;			/* samples */
	double min_us;
	double typical_us;		/* median */
	double avg_us;
	double max_us;
	double stdev_us;		/* population standard deviation */
	double p99_us;			/* nearest-rank percentiles */
	double p999_us;
};

/* One pair of --p2p all, measured alone: SRC < DST. */
struct vb_p2p_pair {
	uint32_t src;
	uint32_t dst;
	struct vb_lat_stats lat;	/* one-way, from SRC's ping-pongs */
	double bw_GBps;			/* GB/s, SRC -> DST */
	double bibw_GBps;		/* GB/s, both ways at once, summed */
};

struct vb_report {
	const struct vb_opts *o;
	uint32_t nranks;
	const char (*hosts)[VB_HOST_LEN];	/* [nranks] */
	const struct vb_link_info *links;	/* [nranks] */
	uint64_t line_rate_bps;		/* slowest rank's; 0: unknown */
	uint32_t mtu_bytes;		/* smallest path MTU; 0: n/a */
	bool has_p2p;
	double p2p_latency_us;		/* = p2p_lat.typical_us */
	double p2p_bw_GBps;		/* GB/s, one direction */
	struct vb_lat_stats p2p_lat;
	uint64_t p2p_lat_bytes;		/* message size of the ping-pong */
	uint64_t p2p_bw_bytes;		/* message size of both bandwidths */
	double p2p_bibw_GBps;		/* GB/s, both directions at once, summed */
	struct vb_p2p_pair *pairs;	/* --p2p all: [npairs], (0,1), (0,2)... */
	uint32_t npairs;
	struct vb_result *res;
	uint32_t nres;
};

/* The reported time from per-rank TIMES as -a A says; 0 for n == 0. */
double vb_combine_times(const double *times, uint32_t n, enum vb_average a);
/* Element count of the nccl-tests "count" column. */
uint64_t vb_count(enum coll_kind kind, uint64_t bytes, uint32_t elem_bytes,
		  uint32_t nranks);
/* Fills R from per-rank seconds per iteration. */
void vb_result_fill(struct vb_result *r, const struct vb_opts *o,
		    uint32_t nranks, uint64_t bytes, const double *times_s,
		    int64_t wrong, uint64_t line_rate_bps);
/*
 * Statistics of N samples (microseconds), which it sorts in place;
 * all zero for n == 0. min <= typical <= p99 <= p999 <= max.
 */
void vb_lat_stats(double *samples_us, uint32_t n, struct vb_lat_stats *s);
/* The slowest rank's connection set-up (vb_link_info.init_ms); 0 for none. */
double vb_report_init_ms(const struct vb_report *rep);
/* The figures of a filled result T (vb_result_fill) as R's out-of-place ones. */
void vb_result_set_oop(struct vb_result *r, const struct vb_result *t);
/*
 * Mean busbw over the sizes and, with --inplace 2, both column groups, as
 * nccl-tests' "Avg bus bandwidth" averages every busbw it printed.
 */
double vb_report_avg_busbw(const struct vb_report *rep);

/*
 * One rank's line of the header: the RDMA device, port, GID and MTUs, or
 * for TCP the interface, its address and speed ("unknown" when the kernel
 * has none, as for loopback).
 */
void vb_report_rank_line(FILE *f, enum vb_transport_kind t, uint32_t rank, uint32_t pid,
			 const char *host, const struct vb_link_info *l);
void vb_report_header(FILE *f, const struct vb_report *rep);
void vb_report_row(FILE *f, const struct vb_report *rep,
		   const struct vb_result *r);
void vb_report_footer(FILE *f, const struct vb_report *rep);

/* New reference; NULL when out of memory. */
json_t *vb_report_json(const struct vb_report *rep);
/* 0 or -errno. */
int vb_report_write_json(const struct vb_report *rep, const char *path);
/*
 * --p2p all: the latency and bandwidth matrices (a pair's figures in both
 * its cells) and the slowest pair against the median one.
 */
void vb_report_p2p_matrix(FILE *f, const struct vb_report *rep);
/* --p2p-csv: COLL_BENCH_P2P_CSV_HEADER, then a row per pair. */
int vb_report_write_p2p_csv(const struct vb_report *rep, FILE *f);
int vb_report_write_csv(const struct vb_report *rep, FILE *f);

#endif /* VB_REPORT_H */
