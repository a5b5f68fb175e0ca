/*
 * fabbench command line: the options nccl-tests users expect (-b -e -f -n
 * -w -c -o -d -a) plus the collective, transport and launch choices.
 * Parsing is pure (no I/O besides the error text), so that it can be unit
 * tested and so that every rank of a job derives the same configuration.
 */
#ifndef VB_OPTS_H
#define VB_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectives/reduce.h"
#include "collectives/sched.h"

/* Exit codes, documented in --help. */
enum vb_exit {
	VB_EXIT_OK = 0,
	VB_EXIT_RUNTIME = 1,
	VB_EXIT_USAGE = 2,
	VB_EXIT_WRONG = 3,
	VB_EXIT_SLOW = 4,
};

enum vb_transport_kind {
	VB_TRANSPORT_VERBS = 0,
	VB_TRANSPORT_TCP,
};

/* How per-rank times combine into the reported one (nccl-tests -a). */
enum vb_average {
	VB_AVG_RANK0 = 0,
	VB_AVG_MEAN = 1,
	VB_AVG_MIN = 2,
	VB_AVG_MAX = 3,
};

/*
 * Limits of the numeric options (documented in --help). Besides catching
 * typos they bound what the values size: buffers, slots, loops, and the
 * products of them, which stay far from 64-bit overflow.
 */
#define VB_MAX_RANKS 1024
#define VB_MAX_BYTES (1ull << 40)		/* -b, -e, -i: 1 TiB */
#define VB_MAX_STEP_FACTOR (1u << 20)
#define VB_MAX_SIZES 256			/* sizes in one sweep */
#define VB_MAX_ITERS 100000000u
#define VB_MAX_TIMEOUT_S 86400u
#define VB_MAX_GID_INDEX 65535u
#define VB_MAX_CHANNELS 64u
#define VB_MAX_QPS 16u
#define VB_MAX_DEPTH 1024u
#define VB_MIN_CHUNK_BYTES 64ull
#define VB_MAX_CHUNK_BYTES (1ull << 30)
#define VB_MAX_BUSBW_GBPS 1e6
/* vb_opts_describe's text, exchanged by the ranks at start-up. */
#define VB_OPTS_DESC_LEN 512

/* --inplace: which of nccl-tests' two column groups run (values are the option's). */
enum vb_place {
	VB_PLACE_OUT = 0,		/* out of place only */
	VB_PLACE_IN = 1,		/* in place only */
	VB_PLACE_BOTH = 2,		/* both, out of place first (nccl-tests) */
};

struct vb_opts {
	uint64_t min_bytes;
	uint64_t max_bytes;
	uint64_t step_factor;		/* -f; 0: use step_bytes */
	uint64_t step_bytes;		/* -i */
	uint32_t iters;
	uint32_t warmup_iters;
	bool check;
	enum coll_redop redop;
	enum coll_dtype dtype;
	enum vb_average average;
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t root;			/* -r: broadcast, reduce */
	bool root_set;			/* -r given: refused for kinds without a root */
	enum vb_place place;		/* --inplace */
	uint32_t nchannels;
	uint32_t gpus_per_server;
	enum vb_transport_kind transport;
	const char *json_path;
	const char *csv_path;
	double min_busbw_GBps;		/* < 0: no threshold */
	uint32_t timeout_s;
	bool baseline_mpi;
	bool p2p;
	bool p2p_all;			/* --p2p all: every pair of ranks */
	const char *p2p_csv_path;	/* --p2p-csv: the pairs, one a row */
	/* verbs; 0 or NULL or -1 means "pick automatically" */
	const char *device;		/* name or comma list, see vb_opts_device */
	uint32_t ib_port;
	int gid_index;
	int tclass;			/* traffic class byte (DSCP << 2) */
	uint32_t qps;			/* QPs per peer connection */
	uint64_t chunk_bytes;		/* pipelining chunk and slot size */
	uint32_t depth;			/* slots (chunks in flight) per peer */
	bool parallel_init;		/* -p 1: connect to all peers at once */
	/* standalone launch */
	int rank;			/* -1: not given */
	int nranks;
	const char *master;		/* HOST:PORT of rank 0's rendezvous */
	bool help;
	bool version;
	bool quiet;
};

void vb_opts_default(struct vb_opts *o);
/*
 * Parses ARGV into O (defaults first). Returns 0, or -EINVAL with a
 * one-line message in ERR. Uses getopt_long, which it resets first.
 */
int vb_opts_parse(struct vb_opts *o, int argc, char **argv, char *err,
		  size_t err_len);
/* Checks that need the job size: rank/nranks, pattern limits, ... */
/* --channels nccl (0 until now): NCCL's count for NRANKS ranks, coll_default_channels. */
void vb_opts_resolve_channels(struct vb_opts *o, uint32_t nranks);
int vb_opts_check_job(const struct vb_opts *o, uint32_t nranks, char *err,
		      size_t err_len);
void vb_opts_usage(FILE *f, const char *prog);

/*
 * The size sweep: min to max, multiplied by step_factor (or incremented by
 * step_bytes), each rounded down to whole elements; duplicates and zero
 * sizes are dropped. Returns the count (<= cap), -E2BIG when there are
 * more, or -EINVAL.
 */
int vb_opts_sizes(const struct vb_opts *o, uint64_t *sizes, uint32_t cap);

/*
 * --master HOST:PORT: HOST an IPv4 literal or a host name, PORT 1..65535.
 * Returns 0 or -EINVAL with a message naming the part at fault.
 */
int vb_opts_split_master(const char *master, char *host, size_t hlen,
			 uint16_t *port, char *err, size_t len);

/*
 * The options every rank must run with, as "name=value" pairs (names are
 * the long options) separated by spaces, in a fixed order. Steps that
 * cannot change the sweep are "(unused)", so that they need not agree.
 */
void vb_opts_describe(const struct vb_opts *o, char *buf, size_t len);
/*
 * Compares the descriptions of rank A and rank B: 0 when equal, else
 * -EINVAL with "option --iters differs: rank 0 has 20, rank 1 has 10...".
 */
int vb_opts_diff(const char *a, uint32_t rank_a, const char *b, uint32_t rank_b,
		 char *err, size_t len);

/* Bytes of the data buffer for the largest size (alltoall: send + receive). */
uint64_t vb_opts_buf_bytes(const struct vb_opts *o, uint64_t largest_bytes);

/* Memory one rank allocates, by purpose (see vb_opts_memory). */
struct vb_mem_need {
	uint64_t buf_bytes;		/* data buffer and the check's copy */
	uint64_t slot_bytes;		/* the transport's receive slots */
	uint64_t sched_bytes;		/* schedule and plan, estimated */
};

/*
 * Schedule and plan memory per transfer: a coll_xfer, its deps, the plan's
 * op, and the slack of arrays that grow by half (measured: 68-73 bytes).
 */
#define VB_SCHED_BYTES_PER_PIECE 96u

/*
 * Memory one rank of an NRANKS job allocates for the largest size of the
 * sweep. Saturates instead of wrapping.
 */
void vb_opts_memory(const struct vb_opts *o, uint32_t nranks, struct vb_mem_need *m);
uint64_t vb_mem_need_total(const struct vb_mem_need *m);

/*
 * Device for RANK from a --device value: "rxe0" for all ranks, or a comma
 * list "rxe0,rxe1" taken round-robin by rank. Writes "" for NULL/auto.
 */
void vb_opts_device(const char *spec, uint32_t rank, char *out, size_t len);

const char *vb_transport_name(enum vb_transport_kind t);
const char *vb_average_name(enum vb_average a);

#endif /* VB_OPTS_H */
