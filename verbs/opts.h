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

#define VB_MAX_RANKS 1024

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
	uint32_t nchannels;
	uint32_t gpus_per_server;
	enum vb_transport_kind transport;
	const char *json_path;
	const char *csv_path;
	double min_busbw_gbps;		/* < 0: no threshold */
	uint32_t timeout_s;
	bool baseline_mpi;
	bool p2p;
	/* verbs; 0 or NULL or -1 means "pick automatically" */
	const char *device;		/* name or comma list, see vb_opts_device */
	uint32_t ib_port;
	int gid_index;
	int tclass;			/* traffic class byte (DSCP << 2) */
	uint32_t qps;			/* QPs per peer connection */
	uint64_t chunk_bytes;		/* pipelining chunk and slot size */
	uint32_t depth;			/* slots (chunks in flight) per peer */
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
int vb_opts_check_job(const struct vb_opts *o, uint32_t nranks, char *err,
		      size_t err_len);
void vb_opts_usage(FILE *f, const char *prog);

/*
 * The size sweep: min to max, multiplied by step_factor (or incremented by
 * step_bytes), each rounded down to whole elements; duplicates and zero
 * sizes are dropped. Returns the count (<= cap) or -EINVAL.
 */
int vb_opts_sizes(const struct vb_opts *o, uint64_t *sizes, uint32_t cap);

/*
 * Device for RANK from a --device value: "rxe0" for all ranks, or a comma
 * list "rxe0,rxe1" taken round-robin by rank. Writes "" for NULL/auto.
 */
void vb_opts_device(const char *spec, uint32_t rank, char *out, size_t len);

const char *vb_transport_name(enum vb_transport_kind t);
const char *vb_average_name(enum vb_average a);

#endif /* VB_OPTS_H */
