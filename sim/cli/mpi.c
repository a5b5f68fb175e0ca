/*
 * The MPI side of a run split over processes: fabsim started by mpirun
 * (Open MPI) with more than one process gets a struct sim_launch whose
 * operations (sim/fabric/dist.h's struct sim_comm_ops) are MPI
 * collectives over MPI_COMM_WORLD. Linked into the fabsim binary only
 * (like main.c), so the layer libraries and their tests need no MPI.
 *
 * Every rank's stderr lines start with "[part R/N] " so that progress and
 * errors name the process. A rank that fails ends the job: the parts
 * agree on failures once per window (dist.c), and a rank that dies or
 * exits early makes mpirun end the others (its default) with a message
 * naming the rank.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mpi.h>
#include "sim/cli/cmd.h"
#include "sim/fabric/dist.h"

static struct sim_launch mpi_launch;
static FILE *mpi_real_stderr;
static char mpi_prefix[32];
static bool mpi_line_start = true;

bool sim_mpi_launched(void)
{
	/* Open MPI's mpirun, or a PMIx / PMI launcher (srun) */
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

/* stderr through a prefix at the start of every line */
static ssize_t mpi_err_write(void *cookie, const char *buf, size_t n)
{
	size_t i = 0;

	(void)cookie;
	while (i < n) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) + 1 : n - i;

		if (mpi_line_start)
			fputs(mpi_prefix, mpi_real_stderr);
		fwrite(buf + i, 1, len, mpi_real_stderr);
		mpi_line_start = nl != NULL;
		i += len;
	}
	fflush(mpi_real_stderr);
	return (ssize_t)n;
}

static void mpi_tag_stderr(uint32_t rank, uint32_t size)
{
	cookie_io_functions_t io = { .write = mpi_err_write };
	FILE *f;

	snprintf(mpi_prefix, sizeof(mpi_prefix), "[part %u/%u] ", rank, size);
	mpi_real_stderr = fdopen(dup(STDERR_FILENO), "w");
	if (!mpi_real_stderr)
		return;
	f = fopencookie(NULL, "w", io);
	if (!f)
		return;
	setvbuf(f, NULL, _IOLBF, 0);
	stderr = f;
}

static int mpi_rc(int rc)
{
	return rc == MPI_SUCCESS ? 0 : -EIO;
}

static int mpi_exchange(void *ctx, const struct sim_buf *out, struct sim_buf *in)
{
	uint32_t n = mpi_launch.size;
	int *scount = calloc(4 * (size_t)n, sizeof(int)), *sdisp = scount + n, *rcount = sdisp + n,
	    *rdisp = rcount + n;
	uint8_t *sbuf = NULL, *rbuf = NULL;
	size_t stot = 0, rtot = 0;
	int rc = -ENOMEM;

	(void)ctx;
	if (!scount)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (out[i].len > INT_MAX || stot + out[i].len > INT_MAX)
			goto out_free;
		scount[i] = i == mpi_launch.rank ? 0 : (int)out[i].len;
		sdisp[i] = (int)stot;
		stot += (size_t)scount[i];
	}
	rc = mpi_rc(MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, MPI_COMM_WORLD));
	if (rc)
		goto out_free;
	for (uint32_t i = 0; i < n; i++) {
		rdisp[i] = (int)rtot;
		rtot += (size_t)rcount[i];
	}
	rc = -ENOMEM;
	if (rtot > INT_MAX)
		goto out_free;
	sbuf = malloc(stot ? stot : 1);
	rbuf = malloc(rtot ? rtot : 1);
	if (!sbuf || !rbuf)
		goto out_free;
	for (uint32_t i = 0; i < n; i++)
		if (scount[i])
			memcpy(sbuf + sdisp[i], out[i].data, (size_t)scount[i]);
	rc = mpi_rc(MPI_Alltoallv(sbuf, scount, sdisp, MPI_BYTE, rbuf, rcount, rdisp, MPI_BYTE, MPI_COMM_WORLD));
	for (uint32_t i = 0; i < n && !rc; i++) {
		in[i].len = 0;
		if (i != mpi_launch.rank && rcount[i])
			rc = sim_buf_put(&in[i], rbuf + rdisp[i], (size_t)rcount[i]);
	}
out_free:
	free(sbuf);
	free(rbuf);
	free(scount);
	return rc;
}

static int mpi_allreduce(void *ctx, uint64_t *v, uint32_t n, enum sim_comm_op op)
{
	MPI_Op mop = op == SIM_COMM_MIN ? MPI_MIN : op == SIM_COMM_MAX ? MPI_MAX : MPI_SUM;

	(void)ctx;
	return mpi_rc(MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_UINT64_T, mop, MPI_COMM_WORLD));
}

static int mpi_gather(void *ctx, const struct sim_buf *mine, struct sim_buf *all)
{
	uint32_t n = mpi_launch.size;
	int len = (int)mine->len, *counts = NULL, *disp = NULL;
	uint8_t *buf = NULL;
	size_t tot = 0;
	int rc;

	(void)ctx;
	if (mine->len > INT_MAX)
		return -ENOMEM;
	if (!mpi_launch.rank) {
		counts = calloc(2 * (size_t)n, sizeof(int));
		if (!counts)
			return -ENOMEM;
		disp = counts + n;
	}
	rc = mpi_rc(MPI_Gather(&len, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD));
	if (!rc && !mpi_launch.rank) {
		for (uint32_t i = 0; i < n; i++) {
			disp[i] = (int)tot;
			tot += (size_t)counts[i];
		}
		buf = tot <= INT_MAX ? malloc(tot ? tot : 1) : NULL;
	}
	/* a root that cannot take it all still joins the collective, with nothing */
	if (!rc)
		rc = mpi_rc(MPI_Gatherv(mine->data, len, MPI_BYTE, buf, counts, disp, MPI_BYTE, 0,
					MPI_COMM_WORLD));
	if (!rc && !mpi_launch.rank && !buf)
		rc = -ENOMEM;
	for (uint32_t i = 0; i < n && !rc && !mpi_launch.rank; i++) {
		all[i].len = 0;
		rc = sim_buf_put(&all[i], buf + disp[i], (size_t)counts[i]);
	}
	free(buf);
	free(counts);
	return rc;
}

static const struct sim_comm_ops mpi_ops = {
	.exchange = mpi_exchange,
	.allreduce = mpi_allreduce,
	.gather = mpi_gather,
};

struct sim_launch *sim_mpi_start(int *argc, char ***argv)
{
	int rank, size;

	if (MPI_Init(argc, argv) != MPI_SUCCESS) {
		fprintf(stderr, "fabsim: MPI_Init failed: started by mpirun?\n");
		return NULL;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	mpi_launch.rank = (uint32_t)rank;
	mpi_launch.size = (uint32_t)size;
	mpi_launch.ops = &mpi_ops;
	if (size > 1)
		mpi_tag_stderr(mpi_launch.rank, mpi_launch.size);
	return &mpi_launch;
}

void sim_mpi_stop(int rc)
{
	fflush(stdout);
	fflush(stderr);
	/*
	 * A rank that fails before the others reach the same point would
	 * leave them waiting in a collective: abort ends the whole job. Bad
	 * usage (2) and unfinished flows (3) end every rank alike.
	 */
	if (rc && rc != 2 && rc != 3 && mpi_launch.size > 1)
		MPI_Abort(MPI_COMM_WORLD, rc);
	MPI_Finalize();
}
