/*
 * Verbs transport setup, part two: protection domain, completion queue,
 * registered receive slots and credit words, published to every rank
 * through the bootstrap; then one RC connection per peer and QP through
 * rdma_cm (lower ranks accept, higher ranks connect), with failures named
 * by peer. vb_ib_create is the transport's constructor.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/ib.h"

static int alloc_peers(struct vb_ib_tr *it)
{
	uint32_t n = it->tr.nranks, r, q;

	it->peers = calloc(n, sizeof(*it->peers));
	it->conn_of = calloc((size_t)n * it->qps, sizeof(*it->conn_of));
	if (!it->peers || !it->conn_of)
		return -ENOMEM;
	for (r = 0; r < n; r++) {
		struct vb_ib_peer *p = &it->peers[r];

		p->conns = calloc(it->qps, sizeof(*p->conns));
		p->parts = calloc(it->tr.depth, sizeof(*p->parts));
		p->slot_seq = calloc(it->tr.depth, sizeof(*p->slot_seq));
		if (!p->conns || !p->parts || !p->slot_seq)
			return -ENOMEM;
		for (q = 0; q < it->qps; q++) {
			struct vb_ib_conn *c = &p->conns[q];

			c->owner = it;
			c->peer = r;
			c->qp_idx = q;
			c->chunks_at = calloc(it->sq_depth, sizeof(*c->chunks_at));
			if (!c->chunks_at)
				return -ENOMEM;
			it->conn_of[(uint64_t)r * it->qps + q] = c;
		}
	}
	return 0;
}

static int listen_on(struct vb_ib_tr *it, const struct vb_ib_choice *ch, int tclass,
		     char *err, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *dev;
	uint8_t tos = (uint8_t)tclass;

	it->ch = rdma_create_event_channel();
	if (!it->ch || rdma_create_id(it->ch, &it->listen_id, it, RDMA_PS_TCP)) {
		snprintf(err, len, "rdma_cm unavailable: %s (load rdma_ucm) or use --transport tcp",
			 strerror(errno));
		return -EIO;
	}
	if (inet_pton(AF_INET, ch->ip, &sa.sin_addr) != 1) {
		snprintf(err, len, "GID %d of %s carries '%s', which is no IPv4 address: pick another -x",
			 ch->gid_index, ch->device, ch->ip);
		return -EINVAL;
	}
	if (rdma_bind_addr(it->listen_id, (struct sockaddr *)&sa)) {
		snprintf(err, len, "cannot bind rdma_cm to %s (GID %d of %s): %s",
			 ch->ip, ch->gid_index, ch->device, strerror(errno));
		return -EIO;
	}
	dev = it->listen_id->verbs ? ibv_get_device_name(it->listen_id->verbs->device) : "none";
	if (strcmp(dev, ch->device)) {
		snprintf(err, len, "address %s (GID %d of %s) belongs to device %s for rdma_cm: pick that device or another -x",
			 ch->ip, ch->gid_index, ch->device, dev);
		return -EINVAL;
	}
	/* Both ends ask: here for what we accept, start_connect for the rest. */
	if (tclass >= 0 && rdma_set_option(it->listen_id, RDMA_OPTION_ID,
					   RDMA_OPTION_ID_TOS, &tos, sizeof(tos))) {
		snprintf(err, len, "cannot set --tc %d on %s (rdma_set_option TOS): %s",
			 tclass, ch->device, strerror(errno));
		return -EIO;
	}
	if (rdma_listen(it->listen_id, VB_MAX_RANKS)) {
		snprintf(err, len, "rdma_listen on %s: %s", ch->ip, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int reg_region(struct vb_ib_tr *it, void **buf, uint64_t bytes,
		      struct ibv_mr **mr)
{
	if (posix_memalign(buf, 4096, bytes))
		return -ENOMEM;
	memset(*buf, 0, bytes);
	*mr = ibv_reg_mr(it->pd, *buf, bytes,
			 IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	return *mr ? 0 : -errno;
}

static int create_resources(struct vb_ib_tr *it, char *err, size_t len)
{
	struct ibv_context *ctx = it->listen_id->verbs;
	uint32_t n = it->tr.nranks;
	int cqe = (int)((n - 1) * it->qps * (it->sq_depth + it->rq_depth) + 64);
	int ret;

	it->pd = ibv_alloc_pd(ctx);
	it->cq = it->pd ? ibv_create_cq(ctx, cqe, NULL, NULL, 0) : NULL;
	if (!it->cq) {
		snprintf(err, len, "cannot create PD/CQ (%d entries) on %s: %s",
			 cqe, it->device, strerror(errno));
		return -EIO;
	}
	ret = reg_region(it, (void **)&it->stage,
			 (uint64_t)n * it->tr.depth * it->tr.slot_bytes, &it->stage_mr);
	if (!ret)
		ret = reg_region(it, (void **)&it->credits, 2ull * n * sizeof(uint64_t),
				 &it->credit_mr);
	if (ret) {
		snprintf(err, len, "cannot register receive slots (%u x %u x %llu bytes) on %s: %s (lower --depth/--chunk, ulimit -l)",
			 n, it->tr.depth, (unsigned long long)it->tr.slot_bytes,
			 it->device, strerror(-ret));
		return ret;
	}
	it->credit_src = it->credits + n;
	return 0;
}

static void fill_card(const struct vb_ib_tr *it, const struct vb_ib_choice *ch,
		      struct vb_ib_card *card)
{
	memset(card, 0, sizeof(*card));
	snprintf(card->ip, sizeof(card->ip), "%s", ch->ip);
	card->cm_port = ntohs(rdma_get_src_port(it->listen_id));
	card->active_mtu_bytes = ch->active_mtu_bytes;
	card->stage_addr = (uintptr_t)it->stage;
	card->stage_rkey = it->stage_mr->rkey;
	card->credit_addr = (uintptr_t)it->credits;
	card->credit_rkey = it->credit_mr->rkey;
	card->depth = it->tr.depth;
	card->qps = it->qps;
	card->slot_bytes = it->tr.slot_bytes;
}

static int setup_qp(struct vb_ib_tr *it, struct vb_ib_conn *c, struct rdma_cm_id *id)
{
	struct ibv_qp_init_attr attr = {
		.send_cq = it->cq,
		.recv_cq = it->cq,
		.qp_type = IBV_QPT_RC,
		.cap = {
			.max_send_wr = it->sq_depth,
			.max_recv_wr = it->rq_depth,
			.max_send_sge = 1,
			.max_recv_sge = 1,
		},
	};
	uint8_t timeout = IB_ACK_TIMEOUT;
	uint32_t i;

	c->id = id;
	id->context = c;
	if (rdma_set_option(id, RDMA_OPTION_ID, RDMA_OPTION_ID_ACK_TIMEOUT, &timeout,
			    sizeof(timeout)))
		return vb_tr_fail(&it->tr, -1, -EIO,
				  "cannot set the RDMA ACK timeout (%u) on %s for the connection to rank %u (rdma_set_option): %s",
				  timeout, it->device, c->peer, strerror(errno));
	if (rdma_create_qp(id, it->pd, &attr))
		return vb_tr_fail(&it->tr, (int)c->peer, -EIO,
				  "cannot create a QP on %s to it: %s", it->device,
				  strerror(errno));
	for (i = 0; i < it->rq_depth; i++)
		if (vb_ib_post_recv(it, c))
			return vb_tr_fail(&it->tr, (int)c->peer, -EIO,
					  "cannot post receives on %s", it->device);
	return 0;
}

static struct rdma_conn_param conn_param(const struct vb_ib_hello *h)
{
	struct rdma_conn_param p = {
		.private_data = h,
		.private_data_len = sizeof(*h),
		.retry_count = 7,
		.rnr_retry_count = 7,
	};

	return p;
}

static int start_connect(struct vb_ib_tr *it, struct vb_ib_conn *c, int tclass)
{
	const struct vb_ib_card *card = &it->peers[c->peer].card;
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)card->cm_port) };
	uint8_t tos = (uint8_t)tclass;

	if (inet_pton(AF_INET, it->ip, &src.sin_addr) != 1)
		return vb_tr_fail(&it->tr, -1, -EINVAL, "our address '%s' on %s is no IPv4 address: pick another -x",
				  it->ip, it->device);
	if (inet_pton(AF_INET, card->ip, &dst.sin_addr) != 1)
		return vb_tr_fail(&it->tr, (int)c->peer, -EINVAL,
				  "published '%s', which is no IPv4 address: is it the same fabbench build?",
				  card->ip);
	if (rdma_create_id(it->ch, &c->id, c, RDMA_PS_TCP))
		return vb_tr_fail(&it->tr, (int)c->peer, -EIO, "rdma_create_id: %s",
				  strerror(errno));
	if (tclass >= 0 && rdma_set_option(c->id, RDMA_OPTION_ID, RDMA_OPTION_ID_TOS,
					   &tos, sizeof(tos)))
		return vb_tr_fail(&it->tr, -1, -EIO,
				  "cannot set --tc %d on %s for the connection to rank %u (rdma_set_option TOS): %s",
				  tclass, it->device, c->peer, strerror(errno));
	if (rdma_resolve_addr(c->id, (struct sockaddr *)&src,
			      (struct sockaddr *)&dst, IB_CM_TIMEOUT_MS))
		return vb_tr_fail(&it->tr, (int)c->peer, -EHOSTUNREACH,
				  "is unreachable at %s from %s: %s (check routing, -x) or use --transport tcp",
				  card->ip, it->ip, strerror(errno));
	return 0;
}

static int on_request(struct vb_ib_tr *it, struct rdma_cm_event *ev)
{
	const struct vb_ib_hello *h = ev->param.conn.private_data;
	struct vb_ib_hello mine = { .magic = IB_MAGIC, .rank = it->tr.rank };
	struct rdma_conn_param p = conn_param(&mine);
	struct vb_ib_conn *c;
	int ret;

	if (!h || ev->param.conn.private_data_len < sizeof(*h) || h->magic != IB_MAGIC ||
	    h->rank >= it->tr.nranks || h->rank <= it->tr.rank || h->qp_idx >= it->qps ||
	    it->peers[h->rank].conns[h->qp_idx].id) {
		/* Not one of ours: it times out on its own if this fails. */
		if (rdma_reject(ev->id, NULL, 0))
			fprintf(stderr, "fabbench: rank %u: warning: cannot reject a stray RDMA connection request: %s\n",
				it->tr.rank, strerror(errno));
		return 0;
	}
	c = &it->peers[h->rank].conns[h->qp_idx];
	mine.qp_idx = h->qp_idx;
	ret = setup_qp(it, c, ev->id);
	if (ret)
		return ret;
	if (rdma_accept(ev->id, &p))
		return vb_tr_fail(&it->tr, (int)c->peer, -EIO, "rdma_accept: %s",
				  strerror(errno));
	return 0;
}

static int on_active(struct vb_ib_tr *it, struct vb_ib_conn *c, enum rdma_cm_event_type type)
{
	struct vb_ib_hello mine = { .magic = IB_MAGIC, .rank = it->tr.rank,
				 .qp_idx = c->qp_idx };
	struct rdma_conn_param p = conn_param(&mine);
	int ret;

	if (type == RDMA_CM_EVENT_ADDR_RESOLVED) {
		if (rdma_resolve_route(c->id, IB_CM_TIMEOUT_MS))
			return vb_tr_fail(&it->tr, (int)c->peer, -EHOSTUNREACH,
					  "has no route from %s: %s", it->ip, strerror(errno));
		return 0;
	}
	/* ROUTE_RESOLVED */
	ret = setup_qp(it, c, c->id);
	if (ret)
		return ret;
	if (rdma_connect(c->id, &p))
		return vb_tr_fail(&it->tr, (int)c->peer, -EIO, "rdma_connect: %s",
				  strerror(errno));
	return 0;
}

static int cm_failure(struct vb_ib_tr *it, struct vb_ib_conn *c, enum rdma_cm_event_type type,
		      int status)
{
	const struct vb_ib_card *card = &it->peers[c->peer].card;

	return vb_tr_fail(&it->tr, (int)c->peer, -EHOSTUNREACH,
			  "cannot be reached over RDMA at %s:%u from %s on %s: %s (status %d); check that its address is reachable (routing, -x) or use --transport tcp",
			  card->ip, card->cm_port, it->ip, it->device,
			  rdma_event_str(type), status);
}

static int on_cm_event(struct vb_ib_tr *it, struct rdma_cm_event *ev)
{
	struct vb_ib_conn *c = ev->id->context;

	switch (ev->event) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		return on_request(it, ev);
	case RDMA_CM_EVENT_ADDR_RESOLVED:
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		return on_active(it, c, ev->event);
	case RDMA_CM_EVENT_ESTABLISHED:
		if (c && (void *)c != (void *)it && !c->established) {
			c->established = true;
			it->nconns_up++;
		}
		return 0;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		if (!c || (void *)c == (void *)it)
			return 0;
		return cm_failure(it, c, ev->event, ev->status);
	case RDMA_CM_EVENT_DISCONNECTED:
		if (!c || (void *)c == (void *)it)
			return 0;
		return vb_tr_fail(&it->tr, (int)c->peer, -EPIPE,
				  "disconnected during setup (it failed or was killed)");
	default:
		return 0;
	}
}

/* The first peer still missing a connection, for the timeout message. */
static uint32_t missing_peer(const struct vb_ib_tr *it)
{
	uint32_t r, q;

	for (r = 0; r < it->tr.nranks; r++)
		for (q = 0; r != it->tr.rank && q < it->qps; q++)
			if (!it->peers[r].conns[q].established)
				return r;
	return 0;
}

static bool setup_done(const struct vb_ib_tr *it, const struct vb_ib_conn *c, uint32_t need)
{
	return c ? c->established : it->nconns_up >= need;
}

/*
 * Serves rdma_cm events (ours and the peers' requests alike) until C is
 * established, or with C NULL until all NEED connections are, for at most
 * TIMEOUT_S.
 */
static int pump_events(struct vb_ib_tr *it, const struct vb_ib_conn *c, uint32_t need,
		       uint32_t timeout_s)
{
	double deadline = vb_now() + timeout_s;
	struct rdma_cm_event *ev;
	int ret;

	while (!setup_done(it, c, need)) {
		ret = vb_wait_fd(it->ch->fd, POLLIN, deadline);
		if (ret == -ETIMEDOUT)
			return vb_tr_fail(&it->tr, (int)(c ? c->peer : missing_peer(it)), -ETIMEDOUT,
					  "did not connect over RDMA within %u s (-T): is it running, with the same options?",
					  timeout_s);
		if (ret)
			return vb_tr_fail(&it->tr, -1, ret, "waiting for rdma_cm events: %s",
					  strerror(-ret));
		if (rdma_get_cm_event(it->ch, &ev)) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return vb_tr_fail(&it->tr, -1, -EIO, "rdma_get_cm_event: %s",
					  strerror(errno));
		}
		ret = on_cm_event(it, ev);
		rdma_ack_cm_event(ev);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Lower ranks accept, higher ranks connect: each pair and QP once. With
 * -p 1 every rdma_resolve_addr is posted at once and the connections
 * complete from the event channel in any order; with -p 0 each is
 * established before the next starts.
 */
static int connect_all(struct vb_ib_tr *it, const struct vb_opts *o)
{
	uint32_t need = (it->tr.nranks - 1) * it->qps, r, q;
	struct vb_ib_conn *c;
	int ret;

	for (r = 0; r < it->tr.rank; r++)
		for (q = 0; q < it->qps; q++) {
			c = &it->peers[r].conns[q];
			ret = start_connect(it, c, o->tclass);
			if (!ret && !o->parallel_init)
				ret = pump_events(it, c, need, o->timeout_s);
			if (ret)
				return ret;
		}
	return pump_events(it, NULL, need, o->timeout_s);
}

static int check_cards(struct vb_ib_tr *it, const struct vb_ib_card *cards)
{
	uint32_t r;

	for (r = 0; r < it->tr.nranks; r++) {
		const struct vb_ib_card *c = &cards[r];

		it->peers[r].card = *c;
		if (c->depth != it->tr.depth || c->qps != it->qps ||
		    c->slot_bytes != it->tr.slot_bytes)
			return vb_tr_fail(&it->tr, (int)r, -EINVAL,
					  "runs with --depth %u --qps %u --chunk %llu, we with %u %u %llu: use the same options",
					  c->depth, c->qps, (unsigned long long)c->slot_bytes,
					  it->tr.depth, it->qps,
					  (unsigned long long)it->tr.slot_bytes);
	}
	return 0;
}

/*
 * The path MTU rdma_cm gave our QPs. It derives it from the active side's
 * netdev; if that exceeds what either end's port runs, say so, since the
 * issue asks for the smaller of the two.
 */
static uint32_t path_mtu(const struct vb_ib_tr *it, uint32_t local_bytes)
{
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr attr;
	uint32_t r, q, mtu = 0, m, both;

	for (r = 0; r < it->tr.nranks; r++)
		for (q = 0; r != it->tr.rank && q < it->qps; q++) {
			struct vb_ib_conn *c = &it->peers[r].conns[q];

			if (ibv_query_qp(c->id->qp, &attr, IBV_QP_PATH_MTU, &init))
				continue;
			m = (uint32_t)vb_ib_mtu_bytes(attr.path_mtu);
			both = it->peers[r].card.active_mtu_bytes < local_bytes ?
			       it->peers[r].card.active_mtu_bytes : local_bytes;
			if (m > both)
				fprintf(stderr, "fabbench: rank %u: warning: path MTU %u to rank %u exceeds the smaller active MTU %u\n",
					it->tr.rank, m, r, both);
			if (!mtu || m < mtu)
				mtu = m;
		}
	return mtu;
}

static void fill_info(const struct vb_ib_tr *it, const struct vb_ib_choice *ch,
		      const struct vb_opts *o, struct vb_link_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->device, sizeof(info->device), "%s", ch->device);
	snprintf(info->gid, sizeof(info->gid), "%s", ch->gid);
	snprintf(info->addr, sizeof(info->addr), "%s", ch->ip);
	info->port = ch->port;
	info->gid_index = ch->gid_index;
	info->active_mtu_bytes = ch->active_mtu_bytes;
	info->mtu_bytes = path_mtu(it, ch->active_mtu_bytes);
	info->line_rate_bps = ch->line_rate_bps;
	info->qps = it->qps;
	info->tclass = o->tclass;
	info->chunk_bytes = it->tr.slot_bytes;
	info->depth = it->tr.depth;
	info->init_ms = it->init_ms;
}

static int share_cards(struct vb_ib_tr *it, struct vb_boot *b,
		       const struct vb_ib_choice *ch)
{
	struct vb_ib_card mine, *cards;
	int ret;

	cards = calloc(b->nranks, sizeof(*cards));
	if (!cards)
		return vb_tr_fail(&it->tr, -1, -ENOMEM, "out of memory");
	fill_card(it, ch, &mine);
	ret = vb_boot_allgather(b, &mine, cards, sizeof(mine));
	if (ret)
		ret = vb_tr_fail(&it->tr, -1, ret, "%s", b->err);
	else
		ret = check_cards(it, cards);
	free(cards);
	return ret;
}

static int ib_setup(struct vb_ib_tr *it, struct vb_boot *b, const struct vb_opts *o,
		    const struct vb_ib_choice *ch, char *err, size_t len)
{
	int ret, flags;
	double t0;

	ret = alloc_peers(it);
	if (ret) {
		snprintf(err, len, "out of memory");
		return ret;
	}
	ret = listen_on(it, ch, o->tclass, err, len);
	if (!ret)
		ret = create_resources(it, err, len);
	if (ret)
		return ret;
	ret = share_cards(it, b, ch);
	if (!ret) {
		t0 = vb_now();
		ret = connect_all(it, o);
		it->init_ms = (vb_now() - t0) * 1e3;
	}
	if (ret) {
		snprintf(err, len, "%s", it->tr.err);
		return ret;
	}
	/* From now on the channel is polled, never waited on. */
	flags = fcntl(it->ch->fd, F_GETFL);
	if (flags < 0 || fcntl(it->ch->fd, F_SETFL, flags | O_NONBLOCK)) {
		snprintf(err, len, "cannot make the rdma_cm event channel non-blocking (fcntl): %s",
			 strerror(errno));
		return -EIO;
	}
	return 0;
}

int vb_ib_create(struct vb_boot *b, const struct vb_opts *o,
		 struct vb_link_info *info, struct vb_tr **out, char *err,
		 size_t err_len)
{
	struct vb_ib_choice ch = { .gid_index = -1 };
	char name[32];
	struct vb_ib_tr *it;
	int ret;

	vb_opts_device(o->device, b->rank, name, sizeof(name));
	ret = vb_ib_pick(o, name, &ch, err, err_len);
	if (ret)
		return ret;
	snprintf(info->device, sizeof(info->device), "%s", ch.device);
	it = calloc(1, sizeof(*it));
	if (!it || vb_tr_init(&it->tr, &vb_ib_ops, b->rank, b->nranks, o->depth,
			      o->chunk_bytes, (const char (*)[VB_HOST_LEN])b->hosts)) {
		free(it);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	it->qps = o->qps;
	/* Data WRs are bounded by credits, credit writes by one per chunk. */
	it->sq_depth = 2 * o->depth + 16;
	it->rq_depth = o->depth + 8;
	snprintf(it->device, sizeof(it->device), "%s", ch.device);
	snprintf(it->ip, sizeof(it->ip), "%s", ch.ip);
	ret = ib_setup(it, b, o, &ch, err, err_len);
	if (ret) {
		vb_ib_destroy(&it->tr);
		return ret;
	}
	fill_info(it, &ch, o, info);
	*out = &it->tr;
	return 0;
}
