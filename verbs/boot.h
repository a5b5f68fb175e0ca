/*
 * Bootstrap: who am I, how many are we, and a way to swap small blobs
 * (connection data, per-rank results) before and between measurements.
 * Under Open MPI (detected from OMPI_COMM_WORLD_SIZE, as mpirun sets it)
 * MPI does this and nothing else, like nccl-tests; standalone, rank 0
 * listens on --master HOST:PORT and relays for everyone over TCP.
 */
#ifndef VB_BOOT_H
#define VB_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verbs/exec.h"
#include "verbs/opts.h"
#include "verbs/start.h"

struct vb_boot {
	uint32_t rank;
	uint32_t nranks;
	bool mpi;
	bool agreed;			/* every rank knows the start-up verdict */
	uint32_t timeout_s;
	const char *master;		/* standalone: --master */
	int *fds;			/* standalone: rank 0 [nranks], else [1] */
	char (*hosts)[VB_HOST_LEN];	/* [nranks] */
	char host[VB_HOST_LEN];		/* ours */
	char addr[64];			/* IPv4 the others can reach us at */
	char err[VB_ERR_LEN];
};

/* True when started by Open MPI's mpirun. */
bool vb_boot_under_mpi(void);
/* Rank from the launcher's environment before init, or -1. */
int vb_boot_env_rank(void);
/*
 * Who we are: rank and size from Open MPI (MPI_Init) or from --rank and
 * --nranks. Nothing is exchanged yet. Returns 0, -EINVAL (bad launch
 * options, message in b->err) or another negative errno.
 */
int vb_boot_init(struct vb_boot *b, const struct vb_opts *o, int *argc,
		 char ***argv);
/*
 * Joins the job: the standalone rendezvous at --master, then the start-up
 * agreement (start.h): MINE goes to rank 0, its verdict comes back. A rank
 * whose own card says it cannot run waits at most VB_START_GRACE_S for the
 * others, so that they learn why. Returns 0 when the job may start, else
 * the exit code, with a message to print in b->err (empty when MINE's own
 * failure is the whole story: the caller printed it already).
 */
int vb_boot_join(struct vb_boot *b, const struct vb_start_card *mine);
/* Every rank passes BYTES in MINE; ALL receives nranks * BYTES, by rank. */
int vb_boot_allgather(struct vb_boot *b, const void *mine, void *all,
		      size_t bytes);
int vb_boot_barrier(struct vb_boot *b);
/* The next connection on listening socket LFD by DEADLINE (vb_now()): an fd or -errno. */
int vb_accept(int lfd, double deadline);
/*
 * TCP_NODELAY on FD: bootstrap messages and the TCP transport's small
 * frames are latency bound, and latency is what fabbench measures.
 * 0 or -errno.
 */
int vb_set_nodelay(int fd);
/* Leaves the job; FAILED makes an MPI job abort instead of finalizing. */
void vb_boot_fini(struct vb_boot *b, int exit_code);

/*
 * --baseline mpi: mean seconds per MPI_Allreduce of BYTES in place over
 * ITERS iterations after WARMUP. -ENOTSUP when not under MPI or for a
 * type MPI has no reduction for.
 */
int vb_boot_mpi_allreduce(struct vb_boot *b, void *buf, uint64_t bytes,
			  enum coll_dtype dt, enum coll_redop op,
			  uint32_t warmup, uint32_t iters, double *seconds);

#endif /* VB_BOOT_H */
