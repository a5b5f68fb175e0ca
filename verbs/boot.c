/*
 * Bootstrap over Open MPI or a TCP star around rank 0 (see boot.h). The
 * star only carries a few hundred bytes per rank (hello, connection data,
 * per-size timings), so it relays everything through rank 0 in rank order
 * and needs no cleverness -- only deadlines, so that a missing or dead
 * rank becomes an error naming it instead of a hang.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <mpi.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "verbs/boot.h"

#define VB_BOOT_MAGIC 0xfab0b007u

struct boot_hello {
	uint32_t magic;
	uint32_t rank;
	uint32_t nranks;
	char host[VB_HOST_LEN];
};

bool vb_boot_under_mpi(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") != NULL;
}

int vb_boot_env_rank(void)
{
	const char *r = getenv("OMPI_COMM_WORLD_RANK");

	return r ? atoi(r) : -1;
}

static int boot_err(struct vb_boot *b, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int boot_err(struct vb_boot *b, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return ret;
}

static int wait_fd(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	double left;
	int ret;

	for (;;) {
		left = deadline - vb_now();
		if (left <= 0)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (ret > 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
}

/* 0, -ETIMEDOUT, -EPIPE (peer closed) or another -errno. */
static int io_all(int fd, void *buf, size_t len, bool rd, double deadline)
{
	uint8_t *p = buf;
	ssize_t n;
	int ret;

	while (len) {
		ret = wait_fd(fd, rd ? POLLIN : POLLOUT, deadline);
		if (ret)
			return ret;
		n = rd ? recv(fd, p, len, 0) : send(fd, p, len, MSG_NOSIGNAL);
		if (n == 0)
			return -EPIPE;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == ECONNRESET ? -EPIPE : -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int split_master(struct vb_boot *b, const char *master, char *host,
			size_t len, char *port, size_t plen)
{
	const char *colon = strrchr(master, ':');

	if (!colon || colon == master || !colon[1] ||
	    (size_t)(colon - master) >= len || strlen(colon + 1) >= plen)
		return boot_err(b, -EINVAL, "--master must be HOST:PORT (got '%s')",
				master);
	snprintf(host, len, "%.*s", (int)(colon - master), master);
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

static int resolve(struct vb_boot *b, const char *master, struct sockaddr_in *sa)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	char host[256], port[32];
	int ret;

	ret = split_master(b, master, host, sizeof(host), port, sizeof(port));
	if (ret)
		return ret;
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret)
		return boot_err(b, -EINVAL, "cannot resolve --master %s: %s",
				master, gai_strerror(ret));
	memcpy(sa, res->ai_addr, sizeof(*sa));
	freeaddrinfo(res);
	return 0;
}

static void local_addr(struct vb_boot *b, int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	snprintf(b->addr, sizeof(b->addr), "127.0.0.1");
	if (!getsockname(fd, (struct sockaddr *)&sa, &len) &&
	    sa.sin_family == AF_INET && sa.sin_addr.s_addr != htonl(INADDR_ANY))
		inet_ntop(AF_INET, &sa.sin_addr, b->addr, sizeof(b->addr));
}

static int accept_one(struct vb_boot *b, int lfd, double deadline)
{
	struct boot_hello h;
	int fd, ret, one = 1;

	ret = wait_fd(lfd, POLLIN, deadline);
	if (ret)
		return ret;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = io_all(fd, &h, sizeof(h), true, deadline);
	if (ret || h.magic != VB_BOOT_MAGIC || h.nranks != b->nranks ||
	    !h.rank || h.rank >= b->nranks || b->fds[h.rank] >= 0) {
		close(fd);
		/* A stray or misconfigured client: say so, keep waiting. */
		if (!ret && h.magic == VB_BOOT_MAGIC)
			fprintf(stderr, "fabbench: rank 0: ignoring a rank %u/%u hello (expected --nranks %u, unique ranks)\n",
				h.rank, h.nranks, b->nranks);
		return 0;
	}
	h.host[VB_HOST_LEN - 1] = '\0';
	b->fds[h.rank] = fd;
	return 1;
}

static int star_root(struct vb_boot *b, const char *master)
{
	struct sockaddr_in sa;
	uint32_t joined = 1, r;
	int lfd, ret, one = 1;
	double deadline;

	ret = resolve(b, master, &sa);
	if (ret)
		return ret;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return boot_err(b, -errno, "socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 128)) {
		ret = boot_err(b, -errno, "cannot listen on --master %s: %s (pick another port)",
			       master, strerror(errno));
		goto out_close;
	}
	/* The deadline restarts with every rank: slow starters are fine. */
	deadline = vb_now() + b->timeout_s;
	while (joined < b->nranks) {
		ret = accept_one(b, lfd, deadline);
		if (ret < 0)
			break;
		if (ret > 0) {
			joined++;
			deadline = vb_now() + b->timeout_s;
		}
	}
	if (joined < b->nranks) {
		for (r = 1; r < b->nranks && b->fds[r] >= 0; r++)
			;
		ret = boot_err(b, ret, "rank %u never joined at %s within %u s (-T): start all %u ranks with the same --master",
			       r, master, b->timeout_s, b->nranks);
		goto out_close;
	}
	local_addr(b, b->fds[1]);
	ret = 0;
out_close:
	close(lfd);
	return ret;
}

static int try_connect(const struct sockaddr_in *sa, double deadline)
{
	int fd, ret, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) && errno != EINPROGRESS)
		goto out_close;
	ret = wait_fd(fd, POLLOUT, deadline);
	if (ret) {
		errno = -ret;
		goto out_close;
	}
	socklen_t len = sizeof(ret);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &ret, &len) || ret) {
		errno = ret ? ret : errno;
		goto out_close;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;

out_close:
	ret = -errno;
	close(fd);
	return ret;
}

static int star_leaf(struct vb_boot *b, const char *master, const char *host)
{
	struct boot_hello h = { .magic = VB_BOOT_MAGIC, .rank = b->rank,
				.nranks = b->nranks };
	double deadline = vb_now() + b->timeout_s;
	struct sockaddr_in sa;
	int fd = -ECONNREFUSED, ret;

	ret = resolve(b, master, &sa);
	if (ret)
		return ret;
	/* Rank 0 may not listen yet (slow start, emulation): retry. */
	while (vb_now() < deadline) {
		fd = try_connect(&sa, deadline);
		if (fd >= 0)
			break;
		usleep(100 * 1000);
	}
	if (fd < 0)
		return boot_err(b, -EHOSTUNREACH, "cannot reach rank 0 at --master %s within %u s (%s): start rank 0 there or fix --master",
				master, b->timeout_s, strerror(-fd));
	snprintf(h.host, sizeof(h.host), "%s", host);
	ret = io_all(fd, &h, sizeof(h), false, deadline);
	if (ret) {
		close(fd);
		return boot_err(b, ret, "rank 0 at %s dropped the connection: %s",
				master, strerror(-ret));
	}
	b->fds[0] = fd;
	local_addr(b, fd);
	return 0;
}

static int init_star(struct vb_boot *b, const struct vb_opts *o, const char *host)
{
	uint32_t r, nfds;

	b->rank = o->rank >= 0 ? (uint32_t)o->rank : 0;
	b->nranks = o->nranks >= 0 ? (uint32_t)o->nranks : 1;
	nfds = b->rank ? 1 : b->nranks;
	b->fds = malloc(nfds * sizeof(*b->fds));
	if (!b->fds)
		return boot_err(b, -ENOMEM, "out of memory");
	for (r = 0; r < nfds; r++)
		b->fds[r] = -1;
	if (b->nranks == 1) {
		snprintf(b->addr, sizeof(b->addr), "127.0.0.1");
		return 0;
	}
	return b->rank ? star_leaf(b, o->master, host) : star_root(b, o->master);
}

/* Under MPI there is no socket to learn our address from. */
static void mpi_addr(struct vb_boot *b)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *res, *ai;
	uint32_t r;

	snprintf(b->addr, sizeof(b->addr), "127.0.0.1");
	for (r = 1; r < b->nranks; r++)
		if (strcmp(b->hosts[r], b->hosts[0]))
			break;
	if (r == b->nranks || getaddrinfo(b->hosts[b->rank], NULL, &hints, &res))
		return;
	for (ai = res; ai; ai = ai->ai_next) {
		struct sockaddr_in *sa = (struct sockaddr_in *)ai->ai_addr;

		if ((ntohl(sa->sin_addr.s_addr) >> 24) == 127)
			continue;
		inet_ntop(AF_INET, &sa->sin_addr, b->addr, sizeof(b->addr));
		break;
	}
	freeaddrinfo(res);
}

static int init_mpi(struct vb_boot *b, int *argc, char ***argv)
{
	int rank, size;

	if (MPI_Init(argc, argv) != MPI_SUCCESS)
		return boot_err(b, -EIO, "MPI_Init failed");
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	b->mpi = true;
	b->rank = (uint32_t)rank;
	b->nranks = (uint32_t)size;
	return 0;
}

int vb_boot_init(struct vb_boot *b, const struct vb_opts *o, int *argc,
		 char ***argv)
{
	char host[VB_HOST_LEN] = "";
	int ret;

	memset(b, 0, sizeof(*b));
	b->timeout_s = o->timeout_s;
	gethostname(host, sizeof(host) - 1);
	if (vb_boot_under_mpi()) {
		if (o->rank >= 0 || o->master)
			return boot_err(b, -EINVAL, "--rank/--nranks/--master are for standalone runs, not under mpirun");
		ret = init_mpi(b, argc, argv);
	} else {
		ret = init_star(b, o, host);
	}
	if (ret)
		return ret;
	b->hosts = calloc(b->nranks, sizeof(*b->hosts));
	if (!b->hosts)
		return boot_err(b, -ENOMEM, "out of memory");
	ret = vb_boot_allgather(b, host, b->hosts, VB_HOST_LEN);
	if (!ret && b->mpi)
		mpi_addr(b);
	return ret;
}

static const char *peer_host(const struct vb_boot *b, uint32_t r)
{
	return b->hosts && b->hosts[r][0] ? b->hosts[r] : "?";
}

static int star_gather_root(struct vb_boot *b, uint8_t *all, size_t bytes,
			    double deadline)
{
	uint32_t r;
	int ret;

	for (r = 1; r < b->nranks; r++) {
		ret = io_all(b->fds[r], all + r * bytes, bytes, true, deadline);
		if (ret)
			return boot_err(b, ret, "peer rank %u (%s) %s", r, peer_host(b, r),
					ret == -EPIPE ? "closed the connection (it failed or was killed)" :
					"stopped responding (bootstrap, -T)");
	}
	for (r = 1; r < b->nranks; r++) {
		ret = io_all(b->fds[r], all, b->nranks * bytes, false, deadline);
		if (ret)
			return boot_err(b, ret, "peer rank %u (%s) closed the connection (it failed or was killed)",
					r, peer_host(b, r));
	}
	return 0;
}

int vb_boot_allgather(struct vb_boot *b, const void *mine, void *all,
		      size_t bytes)
{
	/* Ranks may be busy checking data between exchanges: be lenient. */
	double deadline = vb_now() + 2.0 * b->timeout_s;
	int ret;

	if (b->mpi) {
		ret = MPI_Allgather(mine, (int)bytes, MPI_BYTE, all, (int)bytes,
				    MPI_BYTE, MPI_COMM_WORLD);
		return ret == MPI_SUCCESS ? 0 : boot_err(b, -EIO, "MPI_Allgather failed");
	}
	memmove((uint8_t *)all + b->rank * bytes, mine, bytes);
	if (b->nranks == 1)
		return 0;
	if (!b->rank)
		return star_gather_root(b, all, bytes, deadline);
	ret = io_all(b->fds[0], (uint8_t *)all + b->rank * bytes, bytes, false, deadline);
	if (!ret)
		ret = io_all(b->fds[0], all, b->nranks * bytes, true, deadline);
	if (ret)
		return boot_err(b, ret, "peer rank 0 (%s) %s", peer_host(b, 0),
				ret == -EPIPE ? "closed the connection (it failed or was killed)" :
				"stopped responding (bootstrap, -T)");
	return 0;
}

int vb_boot_barrier(struct vb_boot *b)
{
	uint8_t one = 1, *all;
	int ret;

	if (b->mpi)
		return MPI_Barrier(MPI_COMM_WORLD) == MPI_SUCCESS ? 0 :
		       boot_err(b, -EIO, "MPI_Barrier failed");
	all = malloc(b->nranks);
	if (!all)
		return boot_err(b, -ENOMEM, "out of memory");
	ret = vb_boot_allgather(b, &one, all, 1);
	free(all);
	return ret;
}

void vb_boot_fini(struct vb_boot *b, int exit_code)
{
	uint32_t r, nfds = b->rank ? 1 : b->nranks;

	/* A failed MPI job must not wait in MPI_Finalize for dead peers. */
	if (b->mpi && !exit_code)
		MPI_Finalize();
	for (r = 0; b->fds && r < nfds; r++)
		if (b->fds[r] >= 0)
			close(b->fds[r]);
	free(b->fds);
	free(b->hosts);
	b->fds = NULL;
	b->hosts = NULL;
}

static int mpi_types(enum coll_dtype dt, enum coll_redop op, MPI_Datatype *t,
		     MPI_Op *o)
{
	switch (dt) {
	case COLL_DT_FLOAT32: *t = MPI_FLOAT; break;
	case COLL_DT_FLOAT64: *t = MPI_DOUBLE; break;
	case COLL_DT_INT32: *t = MPI_INT32_T; break;
	case COLL_DT_INT64: *t = MPI_INT64_T; break;
	default: return -ENOTSUP;
	}
	switch (op) {
	case COLL_RED_SUM: *o = MPI_SUM; break;
	case COLL_RED_PROD: *o = MPI_PROD; break;
	case COLL_RED_MIN: *o = MPI_MIN; break;
	case COLL_RED_MAX: *o = MPI_MAX; break;
	default: return -ENOTSUP;
	}
	return 0;
}

int vb_boot_mpi_allreduce(struct vb_boot *b, void *buf, uint64_t bytes,
			  enum coll_dtype dt, enum coll_redop op,
			  uint32_t warmup, uint32_t iters, double *seconds)
{
	uint64_t count = bytes / coll_dtype_bytes(dt);
	MPI_Datatype t;
	MPI_Op o;
	uint32_t i;
	double t0;

	if (!b->mpi || mpi_types(dt, op, &t, &o) || count > INT32_MAX)
		return -ENOTSUP;
	for (i = 0; i < warmup; i++)
		MPI_Allreduce(MPI_IN_PLACE, buf, (int)count, t, o, MPI_COMM_WORLD);
	MPI_Barrier(MPI_COMM_WORLD);
	t0 = MPI_Wtime();
	for (i = 0; i < iters; i++)
		MPI_Allreduce(MPI_IN_PLACE, buf, (int)count, t, o, MPI_COMM_WORLD);
	*seconds = (MPI_Wtime() - t0) / iters;
	return 0;
}
