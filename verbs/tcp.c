/*
 * TCP transport: one non-blocking socket per peer, frames of a 16-byte
 * header (stream sequence, length) plus payload. TCP's own flow control
 * stands in for RDMA credits: a frame is only read from the socket once
 * its receive slot is free, so a sender fills the kernel buffers and then
 * waits, and nothing unreduced is ever overwritten. A send is complete
 * when the kernel has the bytes, so the source buffer is free again.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <stddef.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "verbs/netif.h"
#include "verbs/transport.h"

struct tcp_frame {
	uint64_t seq;
	uint64_t bytes;
};

struct tcp_tx {
	struct tcp_frame hdr;
	const uint8_t *buf;
};

struct tcp_peer {
	int fd;
	struct tcp_tx *txq;		/* [depth] ring of posted chunks */
	uint64_t posted;		/* chunks queued */
	uint64_t written;		/* chunks fully handed to the kernel */
	uint64_t tx_off_bytes;		/* of the frame being written */
	uint8_t *slots;			/* [depth * slot_bytes] */
	uint64_t received;		/* chunks fully in their slots */
	uint64_t released;
	struct tcp_frame rx_hdr;
	uint64_t rx_off_bytes;		/* of the frame being read */
};

struct tcp_tr {
	struct vb_tr tr;
	struct tcp_peer *peers;		/* [nranks], self unused */
	struct pollfd *pfds;		/* [nranks - 1] */
	uint32_t *pfd_peer;
};

struct tcp_addr {
	char ip[64];
	uint32_t port;
};

/* The transport hands out &tcp_tr.tr; the cast back needs it first. */
static_assert(offsetof(struct tcp_tr, tr) == 0, "struct vb_tr must be first in struct tcp_tr");
#define to_tcp(t) ((struct tcp_tr *)(t))

static int tcp_post(struct vb_tr *t, uint32_t peer, uint64_t seq,
		    const void *buf, uint64_t bytes, bool signal)
{
	struct tcp_peer *p = &to_tcp(t)->peers[peer];
	struct tcp_tx *tx;

	if (p->posted - p->written >= t->depth)
		return -EAGAIN;
	tx = &p->txq[p->posted % t->depth];
	tx->hdr.seq = seq;
	tx->hdr.bytes = bytes;
	tx->buf = buf;
	p->posted++;
	return 0;
}

static uint64_t tcp_sent(struct vb_tr *t, uint32_t peer)
{
	return to_tcp(t)->peers[peer].written;
}

static const void *tcp_peek(struct vb_tr *t, uint32_t peer, uint64_t seq)
{
	struct tcp_peer *p = &to_tcp(t)->peers[peer];

	if (seq >= p->received)
		return NULL;
	return p->slots + (seq % t->depth) * t->slot_bytes;
}

static int tcp_release(struct vb_tr *t, uint32_t peer, uint64_t seq)
{
	to_tcp(t)->peers[peer].released = seq + 1;
	return 0;
}

static int peer_gone(struct vb_tr *t, uint32_t peer, int err)
{
	if (!err || err == ECONNRESET || err == EPIPE)
		return vb_tr_fail(t, (int)peer, -EPIPE,
				  "closed the connection (it failed or was killed)");
	return vb_tr_fail(t, (int)peer, -err, "connection failed: %s", strerror(err));
}

/* Writes as much of the queued frames as the socket takes. */
static int flush_tx(struct vb_tr *t, uint32_t peer)
{
	struct tcp_peer *p = &to_tcp(t)->peers[peer];
	int made = 0;

	while (p->written < p->posted) {
		struct tcp_tx *tx = &p->txq[p->written % t->depth];
		uint64_t hb = sizeof(tx->hdr), off = p->tx_off_bytes;
		struct iovec iov[2];
		struct msghdr msg = { .msg_iov = iov };
		ssize_t n;

		if (off < hb) {
			iov[msg.msg_iovlen].iov_base = (uint8_t *)&tx->hdr + off;
			iov[msg.msg_iovlen++].iov_len = hb - off;
			off = hb;
		}
		iov[msg.msg_iovlen].iov_base = (void *)(tx->buf + (off - hb));
		iov[msg.msg_iovlen++].iov_len = tx->hdr.bytes - (off - hb);
		n = sendmsg(p->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return made;
			return peer_gone(t, peer, errno);
		}
		p->tx_off_bytes += (uint64_t)n;
		if (p->tx_off_bytes == hb + tx->hdr.bytes) {
			p->tx_off_bytes = 0;
			p->written++;
			made++;
		}
	}
	return made;
}

static int bad_frame(struct vb_tr *t, uint32_t peer, const struct tcp_peer *p)
{
	return vb_tr_fail(t, (int)peer, -EPROTO,
			  "sent frame %llu of %llu bytes, expected %llu of <= %llu: is it running the same options?",
			  (unsigned long long)p->rx_hdr.seq,
			  (unsigned long long)p->rx_hdr.bytes,
			  (unsigned long long)p->received,
			  (unsigned long long)t->slot_bytes);
}

/* Reads frames while their slots are free. */
static int fill_rx(struct vb_tr *t, uint32_t peer)
{
	struct tcp_peer *p = &to_tcp(t)->peers[peer];
	uint64_t hb = sizeof(p->rx_hdr);
	int made = 0;
	ssize_t n;

	while (p->received < p->released + t->depth) {
		uint8_t *slot = p->slots + (p->received % t->depth) * t->slot_bytes;

		if (p->rx_off_bytes < hb)
			n = recv(p->fd, (uint8_t *)&p->rx_hdr + p->rx_off_bytes,
				 hb - p->rx_off_bytes, MSG_DONTWAIT);
		else
			n = recv(p->fd, slot + (p->rx_off_bytes - hb),
				 p->rx_hdr.bytes - (p->rx_off_bytes - hb), MSG_DONTWAIT);
		if (n == 0)
			return peer_gone(t, peer, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return made;
			return peer_gone(t, peer, errno);
		}
		p->rx_off_bytes += (uint64_t)n;
		if (p->rx_off_bytes == hb &&
		    (p->rx_hdr.seq != p->received || p->rx_hdr.bytes > t->slot_bytes))
			return bad_frame(t, peer, p);
		if (p->rx_off_bytes >= hb && p->rx_off_bytes == hb + p->rx_hdr.bytes) {
			p->rx_off_bytes = 0;
			p->received++;
			made++;
		}
	}
	return made;
}

static int tcp_progress(struct vb_tr *t, int wait_ms)
{
	struct tcp_tr *tt = to_tcp(t);
	uint32_t i, n = t->nranks - 1;
	int ret, made = 0;

	for (i = 0; i < n; i++) {
		struct tcp_peer *p = &tt->peers[tt->pfd_peer[i]];

		/* RDHUP even when our slots are full: a dead peer is news. */
		tt->pfds[i].events = POLLRDHUP;
		if (p->received < p->released + t->depth)
			tt->pfds[i].events |= POLLIN;
		if (p->written < p->posted)
			tt->pfds[i].events |= POLLOUT;
		tt->pfds[i].revents = 0;
	}
	ret = poll(tt->pfds, n, wait_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : vb_tr_fail(t, -1, -errno, "poll: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		uint32_t peer = tt->pfd_peer[i];
		short ev = tt->pfds[i].revents;

		if (!ev)
			continue;
		if (ev & POLLIN) {
			ret = fill_rx(t, peer);
			if (ret < 0)
				return ret;
			made += ret;
		} else if (ev & (POLLRDHUP | POLLHUP | POLLERR)) {
			return peer_gone(t, peer, 0);
		}
	}
	/* Post-time writes need no POLLOUT round trip. */
	for (i = 0; i < n; i++) {
		ret = flush_tx(t, tt->pfd_peer[i]);
		if (ret < 0)
			return ret;
		made += ret;
	}
	return made;
}

static void tcp_destroy(struct vb_tr *t)
{
	struct tcp_tr *tt = to_tcp(t);
	uint32_t r;

	for (r = 0; tt->peers && r < t->nranks; r++) {
		if (tt->peers[r].fd >= 0)
			close(tt->peers[r].fd);
		free(tt->peers[r].txq);
		free(tt->peers[r].slots);
	}
	free(tt->peers);
	free(tt->pfds);
	free(tt->pfd_peer);
	vb_tr_fini(t);
	free(tt);
}

static const struct vb_tr_ops tcp_ops = {
	.post = tcp_post,
	.sent = tcp_sent,
	.peek = tcp_peek,
	.release = tcp_release,
	.progress = tcp_progress,
	.destroy = tcp_destroy,
};

static int listen_any(uint32_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, VB_MAX_RANKS) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A non-blocking connect to A under way: the socket, or -errno. */
static int connect_start(const struct tcp_addr *a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)a->port) };
	int fd, ret;

	if (inet_pton(AF_INET, a->ip, &sa.sin_addr) != 1 || !a->port || a->port > 65535)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* Once FD is writable: how its connect ended, then our RANK as the hello. */
static int connect_finish(int fd, uint32_t rank)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	if (soerr)
		return -soerr;
	if (send(fd, &rank, sizeof(rank), MSG_NOSIGNAL) != sizeof(rank))
		return -EPIPE;
	return 0;
}

/* Connects by DEADLINE; the socket stays non-blocking, as all its I/O is. */
static int connect_peer(const struct tcp_addr *a, uint32_t rank, double deadline)
{
	int fd = connect_start(a), ret;

	if (fd < 0)
		return fd;
	ret = vb_wait_fd(fd, POLLOUT, deadline);
	if (!ret)
		ret = connect_finish(fd, rank);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* The hello of an accepted connection, once readable: the peer's rank. */
static int read_hello(int fd, uint32_t nranks, uint32_t *rank)
{
	if (recv(fd, rank, sizeof(*rank), MSG_WAITALL) != sizeof(*rank) || *rank >= nranks)
		return -EPROTO;
	return 0;
}

static int accept_peer(int lfd, uint32_t nranks, double deadline, uint32_t *rank)
{
	int fd = vb_accept(lfd, deadline), ret;

	if (fd < 0)
		return fd;
	ret = vb_wait_fd(fd, POLLIN, deadline);
	if (!ret)
		ret = read_hello(fd, nranks, rank);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int connect_failed(const struct vb_boot *b, const struct tcp_addr *addrs,
			  uint32_t r, int ret, char *err, size_t len)
{
	snprintf(err, len, "cannot connect to peer rank %u (%s) at %s:%u: %s (firewall? it must reach us too)",
		 r, b->hosts[r], addrs[r].ip, addrs[r].port, strerror(-ret));
	return ret;
}

static int accept_failed(const struct vb_boot *b, int ret, char *err, size_t len)
{
	snprintf(err, len, "higher ranks did not all connect within %u s (-T): %s",
		 b->timeout_s, strerror(-ret));
	return ret;
}

/* FD, the hello of PEER read: its connection, unless a rank spoke twice or out of turn. */
static int adopt(struct tcp_tr *tt, const struct vb_boot *b, int fd, uint32_t peer)
{
	if (peer <= b->rank || tt->peers[peer].fd >= 0) {
		close(fd);
		return -EPROTO;
	}
	tt->peers[peer].fd = fd;
	return 0;
}

/* -p 0: lower ranks listen, higher ranks connect, one after another. */
static int connect_all(struct tcp_tr *tt, struct vb_boot *b, int lfd,
		       const struct tcp_addr *addrs, char *err, size_t len)
{
	uint32_t r, peer;
	int fd;

	for (r = 0; r < b->rank; r++) {
		fd = connect_peer(&addrs[r], b->rank, vb_now() + b->timeout_s);
		if (fd < 0)
			return connect_failed(b, addrs, r, fd, err, len);
		tt->peers[r].fd = fd;
	}
	for (r = b->rank + 1; r < b->nranks; r++) {
		fd = accept_peer(lfd, b->nranks, vb_now() + b->timeout_s, &peer);
		if (fd < 0 || adopt(tt, b, fd, peer))
			return accept_failed(b, fd < 0 ? fd : -EPROTO, err, len);
	}
	return 0;
}

/*
 * -p 1: the same pairs, but every connect is in flight at once and the
 * accepts and hellos are served as they come, from one poll.
 */
struct tcp_setup {
	int *conn;			/* [rank]: connect under way to peer r, or -1 */
	int *hello;			/* [nranks]: accepted, hello not read yet, or -1 */
	uint32_t nhello;
	uint32_t todo_conn;		/* connects still under way */
	uint32_t todo_accept;		/* higher ranks not yet adopted */
	struct pollfd *pfds;		/* [nranks + 1] */
	int *who;			/* per pfds entry: peer r >= 0, hello -1 - i, or listen */
};

#define TCP_SETUP_LISTEN INT32_MIN

static void setup_free(struct tcp_setup *st, uint32_t rank)
{
	uint32_t i;

	for (i = 0; st->conn && i < rank; i++)
		if (st->conn[i] >= 0)
			close(st->conn[i]);
	for (i = 0; st->hello && i < st->nhello; i++)
		if (st->hello[i] >= 0)
			close(st->hello[i]);
	free(st->conn);
	free(st->hello);
	free(st->pfds);
	free(st->who);
}

/* What to wait for next: unfinished connects, unread hellos, the listener. */
static nfds_t setup_poll_set(struct tcp_setup *st, uint32_t rank, int lfd)
{
	nfds_t k = 0;
	uint32_t i, pending = 0;

	for (i = 0; i < rank; i++)
		if (st->conn[i] >= 0) {
			st->pfds[k] = (struct pollfd){ .fd = st->conn[i], .events = POLLOUT };
			st->who[k++] = (int)i;
		}
	for (i = 0; i < st->nhello; i++)
		if (st->hello[i] >= 0) {
			st->pfds[k] = (struct pollfd){ .fd = st->hello[i], .events = POLLIN };
			st->who[k++] = -1 - (int)i;
			pending++;
		}
	if (st->todo_accept > pending) {
		st->pfds[k] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		st->who[k++] = TCP_SETUP_LISTEN;
	}
	return k;
}

/* One ready entry WHO of the poll set. */
static int setup_step(struct tcp_tr *tt, struct vb_boot *b, struct tcp_setup *st, int lfd,
		      int who, const struct tcp_addr *addrs, char *err, size_t len)
{
	uint32_t peer, i;
	int fd, ret;

	if (who >= 0) {
		fd = st->conn[who];
		st->conn[who] = -1;
		ret = connect_finish(fd, b->rank);
		if (ret) {
			close(fd);
			return connect_failed(b, addrs, (uint32_t)who, ret, err, len);
		}
		tt->peers[who].fd = fd;
		st->todo_conn--;
		return 0;
	}
	if (who == TCP_SETUP_LISTEN) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return errno == EAGAIN || errno == EINTR ? 0 :
			       accept_failed(b, -errno, err, len);
		st->hello[st->nhello++] = fd;
		return 0;
	}
	i = (uint32_t)(-1 - who);
	fd = st->hello[i];
	st->hello[i] = -1;
	ret = read_hello(fd, b->nranks, &peer);
	if (ret)
		close(fd);
	if (ret || adopt(tt, b, fd, peer))
		return accept_failed(b, -EPROTO, err, len);
	st->todo_accept--;
	return 0;
}

static int connect_all_parallel(struct tcp_tr *tt, struct vb_boot *b, int lfd,
				const struct tcp_addr *addrs, char *err, size_t len)
{
	double deadline = vb_now() + b->timeout_s, left_s;
	struct tcp_setup st = { .todo_conn = b->rank,
				.todo_accept = b->nranks - 1 - b->rank };
	uint32_t r;
	nfds_t k, i;
	int ret = 0;

	st.conn = malloc((b->rank + 1) * sizeof(*st.conn));
	st.hello = malloc(b->nranks * sizeof(*st.hello));
	st.pfds = calloc(b->nranks + 1, sizeof(*st.pfds));
	st.who = calloc(b->nranks + 1, sizeof(*st.who));
	if (!st.conn || !st.hello || !st.pfds || !st.who) {
		snprintf(err, len, "out of memory");
		ret = -ENOMEM;
		goto out_free;
	}
	for (r = 0; r < b->rank; r++)
		st.conn[r] = -1;
	for (r = 0; r < b->rank; r++) {
		st.conn[r] = connect_start(&addrs[r]);
		if (st.conn[r] < 0) {
			ret = connect_failed(b, addrs, r, st.conn[r], err, len);
			goto out_free;
		}
	}
	while (st.todo_conn || st.todo_accept) {
		k = setup_poll_set(&st, b->rank, lfd);
		left_s = deadline - vb_now();
		ret = left_s > 0 ? poll(st.pfds, k, (int)(left_s * 1e3) + 1) : 0;
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0) {
			ret = ret ? -errno : -ETIMEDOUT;
			for (r = 0; r < b->rank && st.conn[r] < 0; r++)
				;
			if (r < b->rank)
				ret = connect_failed(b, addrs, r, ret, err, len);
			else
				ret = accept_failed(b, ret, err, len);
			goto out_free;
		}
		for (i = 0, ret = 0; i < k && !ret; i++)
			if (st.pfds[i].revents)
				ret = setup_step(tt, b, &st, lfd, st.who[i], addrs, err, len);
		if (ret)
			goto out_free;
	}
out_free:
	setup_free(&st, b->rank);
	return ret;
}

static int alloc_peers(struct tcp_tr *tt, uint32_t n, uint32_t depth, uint64_t slot)
{
	uint32_t r, i = 0;

	tt->peers = calloc(n, sizeof(*tt->peers));
	tt->pfds = calloc(n, sizeof(*tt->pfds));
	tt->pfd_peer = calloc(n, sizeof(*tt->pfd_peer));
	if (!tt->peers || !tt->pfds || !tt->pfd_peer)
		return -ENOMEM;
	for (r = 0; r < n; r++) {
		tt->peers[r].fd = -1;
		if (r == tt->tr.rank)
			continue;
		tt->peers[r].txq = calloc(depth, sizeof(*tt->peers[r].txq));
		tt->peers[r].slots = malloc(depth * slot);
		if (!tt->peers[r].txq || !tt->peers[r].slots)
			return -ENOMEM;
		tt->pfd_peer[i++] = r;
	}
	return 0;
}

/*
 * The interface a connection leaves through: the one holding the socket's
 * local address (the bootstrap's address when there is no connection, a
 * job of one rank). Its speed comes from sysfs; loopback has none.
 */
static void fill_info(struct vb_link_info *info, const struct vb_boot *b,
		      const struct vb_opts *o, uint64_t slot, int fd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	memset(info, 0, sizeof(*info));
	snprintf(info->device, sizeof(info->device), "tcp");
	snprintf(info->addr, sizeof(info->addr), "%s", b->addr);
	if (fd >= 0 && !getsockname(fd, (struct sockaddr *)&sa, &len) &&
	    sa.sin_family == AF_INET)
		inet_ntop(AF_INET, &sa.sin_addr, info->addr, sizeof(info->addr));
	else
		inet_pton(AF_INET, b->addr, &sa.sin_addr);
	if (!vb_netif_of_addr(&sa.sin_addr, info->device, sizeof(info->device)))
		info->line_rate_bps = vb_netif_speed_bps("/sys/class/net", info->device);
	info->gid_index = -1;
	info->tclass = -1;
	info->qps = 1;
	info->chunk_bytes = slot;
	info->depth = o->depth;
}

int vb_tcp_create(struct vb_boot *b, const struct vb_opts *o,
		  struct vb_link_info *info, struct vb_tr **out, char *err,
		  size_t err_len)
{
	uint64_t slot = o->chunk_bytes;
	struct tcp_addr mine = { 0 }, *addrs;
	struct tcp_tr *tt;
	double t0, init_ms;
	uint32_t r;
	int lfd, ret;

	tt = calloc(1, sizeof(*tt));
	addrs = calloc(b->nranks, sizeof(*addrs));
	if (!tt || !addrs) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = vb_tr_init(&tt->tr, &tcp_ops, b->rank, b->nranks, o->depth, slot,
			 (const char (*)[VB_HOST_LEN])b->hosts);
	if (ret)
		goto out_free;
	ret = alloc_peers(tt, b->nranks, o->depth, slot);
	if (ret)
		goto out_destroy;
	lfd = listen_any(&mine.port);
	if (lfd < 0) {
		ret = lfd;
		snprintf(err, err_len, "cannot listen on a TCP port: %s", strerror(-ret));
		goto out_destroy;
	}
	snprintf(mine.ip, sizeof(mine.ip), "%s", b->addr);
	ret = vb_boot_allgather(b, &mine, addrs, sizeof(mine));
	if (ret) {
		snprintf(err, err_len, "%s", b->err);
		goto out_close;
	}
	t0 = vb_now();
	if (o->parallel_init)
		ret = connect_all_parallel(tt, b, lfd, addrs, err, err_len);
	else
		ret = connect_all(tt, b, lfd, addrs, err, err_len);
	if (ret)
		goto out_close;
	init_ms = (vb_now() - t0) * 1e3;
	for (r = 0; r < b->nranks; r++) {
		if (tt->peers[r].fd < 0)
			continue;
		ret = vb_set_nodelay(tt->peers[r].fd);
		if (ret) {
			snprintf(err, err_len, "cannot set TCP_NODELAY on the connection to peer rank %u: %s",
				 r, strerror(-ret));
			goto out_close;
		}
	}
	for (r = 0; r + 1 < b->nranks; r++)
		tt->pfds[r].fd = tt->peers[tt->pfd_peer[r]].fd;
	close(lfd);
	free(addrs);
	fill_info(info, b, o, slot, b->nranks > 1 ? tt->pfds[0].fd : -1);
	info->init_ms = init_ms;
	*out = &tt->tr;
	return 0;

out_close:
	close(lfd);
out_destroy:
	tcp_destroy(&tt->tr);
	tt = NULL;
out_free:
	if (ret == -ENOMEM)
		snprintf(err, err_len, "out of memory");
	free(addrs);
	free(tt);
	return ret;
}
