/*
 * RDMA verbs transport, data path: RC QPs connected through rdma_cm
 * (ib_conn.c), data moved with RDMA WRITE WITH IMMEDIATE straight from the
 * registered user buffer into the peer's receive slots (one registration
 * per buffer, reused for every size). The immediate carries the chunk's
 * stream sequence, so the receiver knows which slot completed without a
 * header. Receives are pre-posted and refilled as they complete; the
 * receiver hands slots back by RDMA-writing its "released" count into the
 * sender's credit word, which the sender polls from memory. With --qps N
 * every chunk is split across the peer's N QPs (NCCL_IB_QPS_PER_CONNECTION)
 * and the slot is complete when all N parts have landed. Sends are
 * signalled at op ends and before a send queue could fill; completions
 * are busy-polled.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/ib.h"

static struct vb_ib_conn *conn_at(struct vb_ib_tr *it, uint64_t wr_id)
{
	uint64_t idx = wr_id >> IB_WR_BITS;

	return idx < (uint64_t)it->tr.nranks * it->qps ? it->conn_of[idx] : NULL;
}

static uint64_t conn_index(const struct vb_ib_tr *it, const struct vb_ib_conn *c)
{
	return (uint64_t)c->peer * it->qps + c->qp_idx;
}

int vb_ib_post_recv(struct vb_ib_tr *it, struct vb_ib_conn *c)
{
	struct ibv_recv_wr wr = { .wr_id = conn_index(it, c) << IB_WR_BITS }, *bad;

	/* WRITE WITH IMM lands in the slot; the receive only carries imm. */
	return ibv_post_recv(c->id->qp, &wr, &bad) ? -EIO : 0;
}

static bool sq_room(const struct vb_ib_tr *it, const struct vb_ib_conn *c)
{
	return c->wr_posted - c->wr_done + 1 < it->sq_depth;
}

/* Signal when asked, and often enough that the send queue never fills. */
static int post_send(struct vb_ib_tr *it, struct vb_ib_conn *c, struct ibv_send_wr *wr,
		     bool signal)
{
	struct ibv_send_wr *bad;
	int ret;

	if (signal || c->unsignaled + 1 >= it->sq_depth / 4) {
		wr->send_flags |= IBV_SEND_SIGNALED;
		c->unsignaled = 0;
	} else {
		c->unsignaled++;
	}
	wr->wr_id = conn_index(it, c) << IB_WR_BITS | (c->wr_posted & IB_WR_MASK);
	c->chunks_at[c->wr_posted % it->sq_depth] = c->chunks_posted;
	/* Verbs return the error number instead of setting errno. */
	ret = ibv_post_send(c->id->qp, wr, &bad);
	if (ret)
		return vb_tr_fail(&it->tr, (int)c->peer, -EIO,
				  "ibv_post_send failed on %s: %s", it->device,
				  strerror(ret));
	c->wr_posted++;
	return 0;
}

static const struct ibv_mr *find_mr(const struct vb_ib_tr *it, const void *buf,
				    uint64_t bytes)
{
	uint32_t i;

	for (i = 0; i < it->nmrs; i++) {
		const uint8_t *a = it->mrs[i]->addr;

		if ((const uint8_t *)buf >= a &&
		    (const uint8_t *)buf + bytes <= a + it->mrs[i]->length)
			return it->mrs[i];
	}
	return NULL;
}

static int ib_post(struct vb_tr *t, uint32_t peer, uint64_t seq,
		   const void *buf, uint64_t bytes, bool signal)
{
	struct vb_ib_tr *it = to_ib(t);
	struct vb_ib_peer *p = &it->peers[peer];
	volatile uint64_t *credit = &it->credits[peer];
	uint64_t slot_off, part, off = 0;
	const struct ibv_mr *mr;
	uint32_t q;
	int ret;

	if (seq >= *credit + t->depth)
		return -EAGAIN;
	for (q = 0; q < it->qps; q++)
		if (!sq_room(it, &p->conns[q]))
			return -EAGAIN;
	mr = find_mr(it, buf, bytes);
	if (!mr)
		return vb_tr_fail(t, -1, -EINVAL, "internal: send buffer not registered");
	slot_off = ((uint64_t)t->rank * t->depth + seq % t->depth) * t->slot_bytes;
	for (q = 0; q < it->qps; q++) {
		struct vb_ib_conn *c = &p->conns[q];
		struct ibv_sge sge;
		struct ibv_send_wr wr = {
			.opcode = IBV_WR_RDMA_WRITE_WITH_IMM,
			.imm_data = htonl((uint32_t)seq),
			.sg_list = &sge,
		};

		/* Parts differ by at most a byte; empty ones still carry imm. */
		part = bytes / it->qps + (q < bytes % it->qps);
		sge.addr = (uintptr_t)buf + off;
		sge.length = (uint32_t)part;
		sge.lkey = mr->lkey;
		wr.num_sge = part ? 1 : 0;
		wr.wr.rdma.remote_addr = p->card.stage_addr + slot_off + off;
		wr.wr.rdma.rkey = p->card.stage_rkey;
		c->chunks_posted++;
		ret = post_send(it, c, &wr, signal);
		if (ret)
			return ret;
		off += part;
	}
	return 0;
}

static uint64_t ib_sent(struct vb_tr *t, uint32_t peer)
{
	struct vb_ib_peer *p = &to_ib(t)->peers[peer];
	uint64_t done = p->conns[0].chunks_done;
	uint32_t q;

	for (q = 1; q < to_ib(t)->qps; q++)
		if (p->conns[q].chunks_done < done)
			done = p->conns[q].chunks_done;
	return done;
}

static const void *ib_peek(struct vb_tr *t, uint32_t peer, uint64_t seq)
{
	struct vb_ib_tr *it = to_ib(t);
	struct vb_ib_peer *p = &it->peers[peer];
	uint64_t slot = seq % t->depth;

	if (p->parts[slot] < it->qps || p->slot_seq[slot] != seq)
		return NULL;
	return it->stage + ((uint64_t)peer * t->depth + slot) * t->slot_bytes;
}

/* Tells PEER how many of its chunks we consumed: its credit. */
static int post_credit(struct vb_ib_tr *it, uint32_t peer)
{
	struct vb_ib_peer *p = &it->peers[peer];
	struct vb_ib_conn *c = &p->conns[0];
	struct ibv_sge sge = {
		.addr = (uintptr_t)&it->credit_src[peer],
		.length = sizeof(uint64_t),
		.lkey = it->credit_mr->lkey,
	};
	struct ibv_send_wr wr = {
		.opcode = IBV_WR_RDMA_WRITE,
		.sg_list = &sge,
		.num_sge = 1,
	};

	if (p->credit_posted == p->released || !sq_room(it, c))
		return 0;
	/*
	 * The NIC may read the source after a later release bumped it:
	 * harmless, the count only grows.
	 */
	it->credit_src[peer] = p->released;
	wr.wr.rdma.remote_addr = p->card.credit_addr + (uint64_t)it->tr.rank * sizeof(uint64_t);
	wr.wr.rdma.rkey = p->card.credit_rkey;
	p->credit_posted = p->released;
	return post_send(it, c, &wr, false);
}

static int ib_release(struct vb_tr *t, uint32_t peer, uint64_t seq)
{
	struct vb_ib_tr *it = to_ib(t);
	struct vb_ib_peer *p = &it->peers[peer];

	p->parts[seq % t->depth] = 0;
	p->released = seq + 1;
	return post_credit(it, peer);
}

static const char *wc_hint(enum ibv_wc_status s)
{
	switch (s) {
	case IBV_WC_RETRY_EXC_ERR:
		return "it stopped responding or is unreachable";
	case IBV_WC_RNR_RETRY_EXC_ERR:
		return "it stopped posting receives";
	case IBV_WC_WR_FLUSH_ERR:
		return "the connection was torn down";
	case IBV_WC_REM_ACCESS_ERR:
		return "remote access refused: is it running the same options?";
	default:
		return "device or peer failure";
	}
}

static int on_recv(struct vb_ib_tr *it, struct vb_ib_conn *c, const struct ibv_wc *wc)
{
	struct vb_ib_peer *p = &it->peers[c->peer];
	uint32_t imm = ntohl(wc->imm_data);
	uint64_t seq, slot;

	/* Rebuild the full sequence: it lies within depth of "released". */
	seq = p->released + (uint32_t)(imm - (uint32_t)p->released);
	if (seq >= p->released + it->tr.depth)
		return vb_tr_fail(&it->tr, (int)c->peer, -EPROTO,
				  "wrote chunk %u outside its credit window: is it running the same options?",
				  imm);
	slot = seq % it->tr.depth;
	if (p->parts[slot] && p->slot_seq[slot] != seq)
		return vb_tr_fail(&it->tr, (int)c->peer, -EPROTO,
				  "overwrote a slot still in use (protocol error)");
	p->slot_seq[slot] = seq;
	p->parts[slot]++;
	if (vb_ib_post_recv(it, c))
		return vb_tr_fail(&it->tr, (int)c->peer, -EIO,
				  "cannot re-post a receive on %s", it->device);
	return 1;
}

static void on_send(struct vb_ib_tr *it, struct vb_ib_conn *c, uint64_t wr_id)
{
	uint64_t lo = wr_id & IB_WR_MASK;
	uint64_t n = (c->wr_posted & ~IB_WR_MASK) | lo;

	/* Undo the 40-bit wrap: the WR is at most sq_depth old. */
	if (n >= c->wr_posted)
		n -= 1ull << IB_WR_BITS;
	/* Every WR up to this signalled one is done (RC completes in order). */
	c->wr_done = n + 1;
	c->chunks_done = c->chunks_at[n % it->sq_depth];
}

static int poll_cq(struct vb_ib_tr *it)
{
	struct ibv_wc wc[32];
	int n, i, made = 0, ret;

	n = ibv_poll_cq(it->cq, 32, wc);
	if (n < 0)
		return vb_tr_fail(&it->tr, -1, -EIO, "ibv_poll_cq failed on %s", it->device);
	for (i = 0; i < n; i++) {
		struct vb_ib_conn *c = conn_at(it, wc[i].wr_id);

		if (!c)
			return vb_tr_fail(&it->tr, -1, -EPROTO, "completion for an unknown QP");
		if (wc[i].status != IBV_WC_SUCCESS)
			return vb_tr_fail(&it->tr, (int)c->peer, -EPIPE,
					  "failed an RDMA operation on %s: %s (%s)",
					  it->device, ibv_wc_status_str(wc[i].status),
					  wc_hint(wc[i].status));
		if (wc[i].opcode == IBV_WC_RECV_RDMA_WITH_IMM) {
			ret = on_recv(it, c, &wc[i]);
			if (ret < 0)
				return ret;
		} else {
			on_send(it, c, wc[i].wr_id);
		}
		made++;
	}
	return made;
}

/* Disconnects after setup mean a peer died (or tore down early). */
static int poll_cm(struct vb_ib_tr *it)
{
	struct rdma_cm_event *ev;
	struct vb_ib_conn *c;
	enum rdma_cm_event_type type;

	for (;;) {
		if (rdma_get_cm_event(it->ch, &ev)) {
			/* The channel is non-blocking: EAGAIN is "no event". */
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return vb_tr_fail(&it->tr, -1, -EIO, "rdma_get_cm_event on %s: %s",
					  it->device, strerror(errno));
		}
		type = ev->event;
		c = ev->id->context;
		rdma_ack_cm_event(ev);
		if (type != RDMA_CM_EVENT_DISCONNECTED &&
		    type != RDMA_CM_EVENT_DEVICE_REMOVAL)
			continue;
		if (type == RDMA_CM_EVENT_DEVICE_REMOVAL || !c || c == (void *)it)
			return vb_tr_fail(&it->tr, -1, -ENODEV, "RDMA device %s was removed",
					  it->device);
		return vb_tr_fail(&it->tr, (int)c->peer, -EPIPE,
				  "disconnected (it failed or was killed)");
	}
}

static int ib_progress(struct vb_tr *t, int wait_ms)
{
	struct vb_ib_tr *it = to_ib(t);
	uint32_t r;
	int made, ret;

	made = poll_cq(it);
	if (made < 0)
		return made;
	/* Credits that found a full send queue go out now. */
	for (r = 0; r < t->nranks; r++) {
		if (r == t->rank)
			continue;
		ret = post_credit(it, r);
		if (ret)
			return ret;
	}
	if (wait_ms || ++it->polls % 1024 == 0) {
		ret = poll_cm(it);
		if (ret)
			return ret;
	}
	/* Busy polling, but let the (soft) NIC and other ranks run. */
	if (!made && wait_ms)
		sched_yield();
	return made;
}

static int ib_reg(struct vb_tr *t, void *buf, uint64_t bytes)
{
	struct vb_ib_tr *it = to_ib(t);
	struct ibv_mr *mr;

	if (it->nmrs == IB_MAX_MRS)
		return vb_tr_fail(t, -1, -ENOSPC, "too many registered buffers");
	mr = ibv_reg_mr(it->pd, buf, bytes, IBV_ACCESS_LOCAL_WRITE);
	if (!mr)
		return vb_tr_fail(t, -1, -errno,
				  "cannot register %llu bytes on %s: %s (ulimit -l?)",
				  (unsigned long long)bytes, it->device, strerror(errno));
	it->mrs[it->nmrs++] = mr;
	return 0;
}

static void destroy_conns(struct vb_ib_tr *it)
{
	uint32_t r, q;

	for (r = 0; it->peers && r < it->tr.nranks; r++) {
		struct vb_ib_peer *p = &it->peers[r];

		for (q = 0; p->conns && q < it->qps; q++) {
			struct vb_ib_conn *c = &p->conns[q];

			if (c->id) {
				if (c->id->qp)
					rdma_destroy_qp(c->id);
				rdma_destroy_id(c->id);
			}
			free(c->chunks_at);
		}
		free(p->conns);
		free(p->parts);
		free(p->slot_seq);
	}
	free(it->peers);
	free(it->conn_of);
	it->peers = NULL;
}

void vb_ib_destroy(struct vb_tr *t)
{
	struct vb_ib_tr *it = to_ib(t);
	uint32_t i;

	destroy_conns(it);
	for (i = 0; i < it->nmrs; i++)
		ibv_dereg_mr(it->mrs[i]);
	if (it->credit_mr)
		ibv_dereg_mr(it->credit_mr);
	if (it->stage_mr)
		ibv_dereg_mr(it->stage_mr);
	if (it->cq)
		ibv_destroy_cq(it->cq);
	if (it->pd)
		ibv_dealloc_pd(it->pd);
	if (it->listen_id)
		rdma_destroy_id(it->listen_id);
	if (it->ch)
		rdma_destroy_event_channel(it->ch);
	free(it->stage);
	free(it->credits);
	vb_tr_fini(t);
	free(it);
}

const struct vb_tr_ops vb_ib_ops = {
	.post = ib_post,
	.sent = ib_sent,
	.peek = ib_peek,
	.release = ib_release,
	.progress = ib_progress,
	.reg = ib_reg,
	.destroy = vb_ib_destroy,
};
