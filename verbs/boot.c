/*
 * Bootstrap over Open MPI or a TCP star around rank 0 (see boot.h). The
 * star only carries a few kilobytes per rank (start-up card, connection
 * data, per-size timings), so it relays everything through rank 0 in rank
 * order and needs no cleverness -- only deadlines, so that a missing or
 * dead rank becomes an error naming it instead of a hang. Joining sends
 * the start-up card as the hello: rank 0 judges the job as ranks arrive
 * and answers every rank with the verdict (start.h).
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

/* 0, -ETIMEDOUT, -EPIPE (peer closed) or another -errno. */
static int io_all(int fd, void *buf, size_t len, bool rd, double deadline)
{
	uint8_t *p = buf;
	ssize_t n;
	int ret;

	while (len) {
		ret = vb_wait_fd(fd, rd ? POLLIN : POLLOUT, deadline);
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

int vb_accept(int lfd, double deadline)
{
	int fd, ret = vb_wait_fd(lfd, POLLIN, deadline);

	if (ret)
		return ret;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int vb_set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ? -errno : 0;
}

static int resolve(struct vb_boot *b, const char *master, struct sockaddr_in *sa)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	char host[256];
	uint16_t port;
	int ret;

	/* Checked at parse time too; this keeps resolve() safe on its own. */
	if (vb_opts_split_master(master, host, sizeof(host), &port, b->err,
				 sizeof(b->err)))
		return -EINVAL;
	ret = getaddrinfo(host, NULL, &hints, &res);
	if (ret)
		return boot_err(b, -EINVAL, "cannot resolve host '%s' of --master %s: %s",
				host, master, gai_strerror(ret));
	memcpy(sa, res->ai_addr, sizeof(*sa));
	sa->sin_port = htons(port);
	freeaddrinfo(res);
	return 0;
}

static void local_addr(struct vb_boot *b, int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	snprintf(b->addr, sizeof(b->addr), "127.0.0.1");
	if (!getsockname(fd, (struct sockaddr *)&sa, &len) &&
	    sa.sin_family == AF_INET && sa.sin_addr.s_addr != htonl(INADDR_ANY) &&
	    !inet_ntop(AF_INET, &sa.sin_addr, b->addr, sizeof(b->addr)))
		snprintf(b->addr, sizeof(b->addr), "127.0.0.1");
}

/*
 * What the job's verdict means for this rank: 0 to go on, else the exit
 * code and, in b->err, what to print. A rank that could not run exits with
 * its own code; it printed why already, so it only adds a verdict that
 * says more (options that differ, a launch mistake).
 */
static int take_verdict(struct vb_boot *b, const struct vb_start_card *mine,
			const struct vb_start_verdict *v)
{
	b->err[0] = '\0';
	if (!v->code && !mine->status)
		return 0;
	b->agreed = true;
	if (!mine->status || v->kind != VB_VERDICT_STATUS)
		snprintf(b->err, sizeof(b->err), "%s", v->msg);
	/* Options that differ explain a rank's own failure: exit as usage. */
	if (mine->status && (v->kind == VB_VERDICT_STATUS || !v->code))
		return mine->status;
	return v->code;
}

/* Rank 0's side of the rendezvous. */
struct star_root {
	struct vb_start_card *cards;	/* [nranks], by rank */
	uint32_t njoined;		/* leaves */
	struct vb_start_verdict v;
	double stop_at;			/* once doomed: when to stop waiting */
};

static double min_d(double a, double b)
{
	return a < b ? a : b;
}

/* Tells one process why it is turned away; then the job stops too. */
static void reject(struct vb_boot *b, struct star_root *st, int fd, int code,
		   int rank, const char *msg)
{
	struct vb_start_verdict rv;

	vb_start_verdict_init(&rv);
	vb_start_verdict_set(&rv, code, rank, VB_VERDICT_LAUNCH, "%s", msg);
	vb_start_verdict_set(&st->v, code, rank, VB_VERDICT_LAUNCH, "%s", msg);
	/* Best effort: it gets the same verdict from its own timeout otherwise. */
	if (io_all(fd, &rv, sizeof(rv), false, vb_now() + 1.0))
		fprintf(stderr, "fabbench: rank 0: could not tell rank %d why it was turned away\n",
			rank);
	close(fd);
}

/* Reads a card from a new connection; 1: a rank joined, 0: not one. */
static int read_card(struct vb_boot *b, struct star_root *st, int fd, double limit)
{
	struct vb_start_card c;
	char msg[VB_ERR_LEN];
	int ret;

	ret = io_all(fd, &c.magic, sizeof(c.magic), true, limit);
	if (ret || c.magic != VB_START_MAGIC) {
		/* A port scanner, or another fabbench build: keep waiting. */
		if (!ret)
			fprintf(stderr, "fabbench: rank 0: ignoring a connection at --master %s that is not a rank of this fabbench build (magic %#x)\n",
				b->master, c.magic);
		close(fd);
		return 0;
	}
	ret = io_all(fd, (uint8_t *)&c + sizeof(c.magic), sizeof(c) - sizeof(c.magic),
		     true, limit);
	if (ret) {
		close(fd);
		return 0;
	}
	c.host[sizeof(c.host) - 1] = '\0';
	c.err[sizeof(c.err) - 1] = '\0';
	c.opts[sizeof(c.opts) - 1] = '\0';
	if (c.nranks != b->nranks) {
		snprintf(msg, sizeof(msg), "option --nranks differs: rank 0 has %u, rank %u (%s) has %u; every rank needs the same value",
			 b->nranks, c.rank, c.host, c.nranks);
		reject(b, st, fd, VB_EXIT_USAGE, (int)c.rank, msg);
		return 0;
	}
	if (!c.rank || c.rank >= b->nranks || b->fds[c.rank] >= 0) {
		snprintf(msg, sizeof(msg), "--rank %u is claimed by two processes (on %s and %s): give each process its own --rank in 0..%u",
			 c.rank, c.rank < b->nranks ? st->cards[c.rank].host : "?", c.host,
			 b->nranks - 1);
		reject(b, st, fd, VB_EXIT_USAGE, (int)c.rank, msg);
		return 0;
	}
	b->fds[c.rank] = fd;
	st->cards[c.rank] = c;
	st->njoined++;
	vb_start_check(&st->cards[0], &c, &st->v);
	return 1;
}

static int accept_card(struct vb_boot *b, struct star_root *st, int lfd, double limit)
{
	int fd = vb_accept(lfd, limit), ret;

	/* a signal, or a client that gave up before we took it: wait for the next */
	if (fd == -EINTR || fd == -ECONNABORTED)
		return 0;
	if (fd < 0)
		return fd;
	ret = vb_set_nodelay(fd);
	if (ret) {
		close(fd);
		vb_start_verdict_set(&st->v, VB_EXIT_RUNTIME, 0, VB_VERDICT_LAUNCH,
				     "rank 0 cannot set TCP_NODELAY on a bootstrap connection: %s",
				     strerror(-ret));
		return 0;
	}
	return read_card(b, st, fd, min_d(limit, vb_now() + b->timeout_s));
}

static int listen_master(struct vb_boot *b)
{
	struct sockaddr_in sa;
	int lfd, ret, one = 1;

	ret = resolve(b, b->master, &sa);
	if (ret)
		return ret;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return boot_err(b, -errno, "socket: %s", strerror(errno));
	/* A restarted job must not wait out the last one's TIME_WAIT. */
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		ret = boot_err(b, -errno, "cannot set SO_REUSEADDR on --master %s: %s",
			       b->master, strerror(errno));
		close(lfd);
		return ret;
	}
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 128)) {
		ret = boot_err(b, -errno, "cannot listen on --master %s: %s (pick another port, or an address of this host)",
			       b->master, strerror(errno));
		close(lfd);
		return ret;
	}
	return lfd;
}

/* Accepts ranks until all joined or waiting is pointless. */
static void gather_cards(struct vb_boot *b, struct star_root *st, int lfd)
{
	/* The deadline restarts with every rank: slow starters are fine. */
	double deadline = vb_now() + b->timeout_s, limit;
	uint32_t r;
	int ret = 0;

	while (st->njoined + 1 < b->nranks) {
		if (st->v.code && !st->stop_at)
			st->stop_at = vb_now() + min_d(b->timeout_s, VB_START_GRACE_S);
		limit = st->v.code ? min_d(deadline, st->stop_at) : deadline;
		ret = accept_card(b, st, lfd, limit);
		if (ret < 0)
			break;
		if (ret > 0)
			deadline = vb_now() + b->timeout_s;
	}
	if (st->njoined + 1 == b->nranks)
		return;
	for (r = 1; r < b->nranks && b->fds[r] >= 0; r++)
		;
	if (ret != -ETIMEDOUT)
		vb_start_verdict_set(&st->v, VB_EXIT_RUNTIME, 0, VB_VERDICT_LAUNCH,
				     "rank 0 stopped accepting ranks at --master %s: %s",
				     b->master, strerror(-ret));
	vb_start_verdict_set(&st->v, VB_EXIT_RUNTIME, (int)r, VB_VERDICT_LAUNCH,
			     "rank %u never joined at --master %s within %u s (-T): start all %u ranks with the same --master and --nranks",
			     r, b->master, b->timeout_s, b->nranks);
}

static int join_root(struct vb_boot *b, const struct vb_start_card *mine)
{
	struct star_root st = { 0 };
	uint32_t r;
	int lfd;

	st.cards = calloc(b->nranks, sizeof(*st.cards));
	if (!st.cards)
		return boot_err(b, VB_EXIT_RUNTIME, "out of memory");
	st.cards[0] = *mine;
	vb_start_verdict_init(&st.v);
	vb_start_check(mine, mine, &st.v);
	lfd = listen_master(b);
	if (lfd < 0) {
		free(st.cards);
		return lfd == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_RUNTIME;
	}
	gather_cards(b, &st, lfd);
	close(lfd);
	if (!st.v.code)
		vb_start_check_memory(st.cards, b->nranks, &st.v);
	for (r = 1; r < b->nranks; r++) {
		if (b->fds[r] < 0)
			continue;
		/* One we cannot tell fails on its own: the socket closes. */
		if (io_all(b->fds[r], &st.v, sizeof(st.v), false, vb_now() + b->timeout_s) &&
		    !st.v.code)
			vb_start_verdict_set(&st.v, VB_EXIT_RUNTIME, (int)r, VB_VERDICT_LAUNCH,
					     "peer rank %u (%s) left during start-up (it failed or was killed)",
					     r, st.cards[r].host);
	}
	if (b->nranks > 1 && b->fds[1] >= 0)
		local_addr(b, b->fds[1]);
	free(st.cards);
	return take_verdict(b, mine, &st.v);
}

static int try_connect(const struct sockaddr_in *sa, double deadline)
{
	int fd, ret;
	socklen_t len = sizeof(ret);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) && errno != EINPROGRESS)
		goto out_close;
	ret = vb_wait_fd(fd, POLLOUT, deadline);
	if (ret) {
		errno = -ret;
		goto out_close;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &ret, &len) || ret) {
		errno = ret ? ret : errno;
		goto out_close;
	}
	if (vb_set_nodelay(fd))
		goto out_close;
	return fd;

out_close:
	ret = -errno;
	close(fd);
	return ret;
}

static int join_leaf(struct vb_boot *b, const struct vb_start_card *mine)
{
	/* One that cannot run only lingers to say so. */
	double wait_s = mine->status ? min_d(b->timeout_s, VB_START_GRACE_S) : b->timeout_s;
	double deadline = vb_now() + wait_s;
	struct vb_start_verdict v;
	struct sockaddr_in sa;
	int fd = -ECONNREFUSED, ret;

	ret = resolve(b, b->master, &sa);
	if (ret)
		return mine->status ? mine->status : VB_EXIT_USAGE;
	/* Rank 0 may not listen yet (slow start, emulation): retry. */
	while (vb_now() < deadline) {
		fd = try_connect(&sa, deadline);
		if (fd >= 0 || fd == -EINVAL)
			break;
		usleep(100 * 1000);
	}
	if (fd < 0) {
		if (mine->status) {
			b->err[0] = '\0';
			return mine->status;
		}
		return boot_err(b, VB_EXIT_RUNTIME, "cannot reach rank 0 at --master %s within %u s (%s): start rank 0 there or fix --master",
				b->master, b->timeout_s, strerror(-fd));
	}
	b->fds[0] = fd;
	local_addr(b, fd);
	ret = io_all(fd, (void *)mine, sizeof(*mine), false, vb_now() + b->timeout_s);
	/* Rank 0 answers once all joined: up to -T per rank, plus its grace. */
	if (!ret)
		ret = io_all(fd, &v, sizeof(v), true,
			     vb_now() + (double)b->nranks * b->timeout_s + VB_START_GRACE_S);
	if (ret == -EPIPE)
		return boot_err(b, VB_EXIT_RUNTIME, "rank 0 at --master %s closed the connection during start-up (it failed or was killed)",
				b->master);
	if (ret)
		return boot_err(b, VB_EXIT_RUNTIME, "rank 0 at --master %s did not answer during start-up: %s",
				b->master, strerror(-ret));
	if (v.magic != VB_START_MAGIC)
		return boot_err(b, VB_EXIT_RUNTIME, "rank 0 at --master %s answered with a garbled start-up verdict: is it the same fabbench build?",
				b->master);
	v.msg[sizeof(v.msg) - 1] = '\0';
	return take_verdict(b, mine, &v);
}

static int init_star(struct vb_boot *b, const struct vb_opts *o)
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
	snprintf(b->addr, sizeof(b->addr), "127.0.0.1");
	return 0;
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
		if (!inet_ntop(AF_INET, &sa->sin_addr, b->addr, sizeof(b->addr)))
			snprintf(b->addr, sizeof(b->addr), "127.0.0.1");
		break;
	}
	freeaddrinfo(res);
}

static int init_mpi(struct vb_boot *b, int *argc, char ***argv)
{
	int rank, size;

	if (MPI_Init(argc, argv) != MPI_SUCCESS)
		return boot_err(b, -EIO, "MPI_Init failed");
	b->mpi = true;
	if (MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS ||
	    MPI_Comm_size(MPI_COMM_WORLD, &size) != MPI_SUCCESS || rank < 0 ||
	    size < 1 || rank >= size)
		return boot_err(b, -EIO, "MPI_Comm_rank/MPI_Comm_size failed");
	if (size > VB_MAX_RANKS)
		return boot_err(b, -EINVAL, "mpirun started %d ranks; fabbench runs at most %d",
				size, VB_MAX_RANKS);
	b->rank = (uint32_t)rank;
	b->nranks = (uint32_t)size;
	return 0;
}

int vb_boot_init(struct vb_boot *b, const struct vb_opts *o, int *argc,
		 char ***argv)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->timeout_s = o->timeout_s;
	b->master = o->master;
	if (gethostname(b->host, sizeof(b->host) - 1) || !b->host[0])
		snprintf(b->host, sizeof(b->host), "unknown-host");
	if (vb_boot_under_mpi()) {
		if (o->rank >= 0 || o->master)
			return boot_err(b, -EINVAL, "--rank/--nranks/--master are for standalone runs, not under mpirun");
		ret = init_mpi(b, argc, argv);
	} else {
		ret = init_star(b, o);
	}
	if (ret)
		return ret;
	b->hosts = calloc(b->nranks, sizeof(*b->hosts));
	if (!b->hosts)
		return boot_err(b, -ENOMEM, "out of memory");
	return 0;
}

static int join_mpi(struct vb_boot *b, const struct vb_start_card *mine)
{
	struct vb_start_card *cards = NULL;
	struct vb_start_verdict v;
	int ret;

	vb_start_verdict_init(&v);
	if (!b->rank) {
		cards = calloc(b->nranks, sizeof(*cards));
		if (!cards)
			return boot_err(b, VB_EXIT_RUNTIME, "out of memory");
	}
	ret = MPI_Gather(mine, (int)sizeof(*mine), MPI_BYTE, cards, (int)sizeof(*mine),
			 MPI_BYTE, 0, MPI_COMM_WORLD);
	if (ret != MPI_SUCCESS) {
		free(cards);
		return boot_err(b, VB_EXIT_RUNTIME, "MPI_Gather of the start-up cards failed");
	}
	if (!b->rank)
		vb_start_judge(cards, b->nranks, &v);
	free(cards);
	if (MPI_Bcast(&v, (int)sizeof(v), MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
		return boot_err(b, VB_EXIT_RUNTIME, "MPI_Bcast of the start-up verdict failed");
	v.msg[sizeof(v.msg) - 1] = '\0';
	return take_verdict(b, mine, &v);
}

int vb_boot_join(struct vb_boot *b, const struct vb_start_card *mine)
{
	struct vb_start_verdict v;
	int ret;

	if (b->mpi) {
		ret = join_mpi(b, mine);
	} else if (b->nranks == 1) {
		vb_start_verdict_init(&v);
		vb_start_judge(mine, 1, &v);
		ret = take_verdict(b, mine, &v);
	} else {
		ret = b->rank ? join_leaf(b, mine) : join_root(b, mine);
	}
	if (ret)
		return ret;
	if (vb_boot_allgather(b, b->host, b->hosts, VB_HOST_LEN))
		return VB_EXIT_RUNTIME;
	if (b->mpi)
		mpi_addr(b);
	return 0;
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

	/*
	 * A failed MPI job must not wait in MPI_Finalize for dead peers; after
	 * a start-up verdict every rank is alive and stops alike.
	 */
	if (b->mpi && (!exit_code || b->agreed))
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
		if (MPI_Allreduce(MPI_IN_PLACE, buf, (int)count, t, o,
				  MPI_COMM_WORLD) != MPI_SUCCESS)
			return -EIO;
	if (MPI_Barrier(MPI_COMM_WORLD) != MPI_SUCCESS)
		return -EIO;
	t0 = MPI_Wtime();
	for (i = 0; i < iters; i++)
		if (MPI_Allreduce(MPI_IN_PLACE, buf, (int)count, t, o,
				  MPI_COMM_WORLD) != MPI_SUCCESS)
			return -EIO;
	*seconds = (MPI_Wtime() - t0) / iters;
	return 0;
}
