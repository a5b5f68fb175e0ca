/*
 * The executor: one thread, one loop that drives the transport and moves
 * every op of the plan forward as far as its local deps allow. See exec.h
 * for the model; this file adds the watchdog that turns a silent peer into
 * an error naming it within the timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verbs/exec.h"

double vb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int vb_wait_fd(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	double left;
	int ret;

	for (;;) {
		left = deadline - vb_now();
		if (left <= 0)
			return -ETIMEDOUT;
		/* rounded up: a wait of 0 ms would spin until the deadline */
		ret = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (ret > 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
}

int vb_tr_init(struct vb_tr *tr, const struct vb_tr_ops *ops, uint32_t rank,
	       uint32_t nranks, uint32_t depth, uint64_t slot_bytes,
	       const char (*hosts)[VB_HOST_LEN])
{
	memset(tr, 0, sizeof(*tr));
	tr->ops = ops;
	tr->rank = rank;
	tr->nranks = nranks;
	tr->depth = depth;
	tr->slot_bytes = slot_bytes;
	tr->hosts = hosts;
	tr->failed_peer = -1;
	tr->tx_base = calloc(nranks, sizeof(*tr->tx_base));
	tr->rx_base = calloc(nranks, sizeof(*tr->rx_base));
	if (!tr->tx_base || !tr->rx_base) {
		vb_tr_fini(tr);
		return -ENOMEM;
	}
	return 0;
}

void vb_tr_fini(struct vb_tr *tr)
{
	free(tr->tx_base);
	free(tr->rx_base);
	tr->tx_base = NULL;
	tr->rx_base = NULL;
}

int vb_tr_fail(struct vb_tr *tr, int peer, int ret, const char *fmt, ...)
{
	char what[VB_ERR_LEN - 96];
	va_list ap;

	/* The first failure is the cause; later ones are its echoes. */
	if (tr->err[0])
		return ret;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (peer >= 0 && (uint32_t)peer < tr->nranks) {
		tr->failed_peer = peer;
		snprintf(tr->err, sizeof(tr->err), "peer rank %d (%s) %s", peer,
			 tr->hosts ? tr->hosts[peer] : "?", what);
	} else {
		snprintf(tr->err, sizeof(tr->err), "%s", what);
	}
	return ret;
}

int vb_exec_init(struct vb_exec *e, const struct vb_plan *p, struct vb_tr *tr,
		 void *buf, enum coll_dtype dtype, enum coll_redop redop,
		 uint32_t timeout_s)
{
	uint32_t n = p->nranks, i;

	memset(e, 0, sizeof(*e));
	e->plan = p;
	e->tr = tr;
	e->buf = buf;
	e->dtype = dtype;
	e->redop = redop;
	e->elem_bytes = (uint32_t)coll_dtype_bytes(dtype);
	e->timeout_ms = timeout_s * 1000;
	e->state = calloc(p->nops ? p->nops : 1, sizeof(*e->state));
	e->chunks_done = calloc(p->nops ? p->nops : 1, sizeof(*e->chunks_done));
	e->send_head = calloc(n, sizeof(*e->send_head));
	e->send_tail = calloc(n, sizeof(*e->send_tail));
	e->recv_head = calloc(n, sizeof(*e->recv_head));
	e->locals = calloc(p->nops ? p->nops : 1, sizeof(*e->locals));
	if (!e->state || !e->chunks_done || !e->send_head || !e->send_tail ||
	    !e->recv_head || !e->locals) {
		vb_exec_fini(e);
		return -ENOMEM;
	}
	for (i = 0; i < p->nops; i++)
		if (p->ops[i].role == VB_ROLE_LOCAL)
			e->locals[e->nlocals++] = i;
	return 0;
}

void vb_exec_set_input(struct vb_exec *e, const void *in)
{
	e->in = in;
}

void vb_exec_fini(struct vb_exec *e)
{
	free(e->state);
	free(e->chunks_done);
	free(e->send_head);
	free(e->send_tail);
	free(e->recv_head);
	free(e->locals);
	memset(e, 0, sizeof(*e));
}

void vb_exec_begin(struct vb_exec *e)
{
	const struct vb_plan *p = e->plan;
	uint32_t i;

	memset(e->state, 0, p->nops * sizeof(*e->state));
	memset(e->chunks_done, 0, p->nops * sizeof(*e->chunks_done));
	for (i = 0; i < p->nranks; i++) {
		e->send_head[i] = p->send_first[i];
		e->send_tail[i] = p->send_first[i];
		e->recv_head[i] = p->recv_first[i];
	}
	e->local_head = 0;
	e->ndone = 0;
}

/*
 * A send may start once the sends it depends on have started: two reads of
 * our buffer never conflict, and a started send already waited for its own
 * deps. Its completion then also waits for theirs (see reap_sends), so that
 * "done" keeps meaning "this and everything before it here".
 */
static bool deps_ready(const struct vb_exec *e, const struct vb_op *op)
{
	const struct vb_plan *p = e->plan;
	const uint32_t *deps = vb_op_deps(p, op);
	uint32_t d;

	for (d = 0; d < op->ndeps; d++) {
		uint8_t st = e->state[deps[d]];

		if (op->role == VB_ROLE_SEND && p->ops[deps[d]].role == VB_ROLE_SEND) {
			if (st == VB_OP_IDLE)
				return false;
		} else if (st != VB_OP_DONE) {
			return false;
		}
	}
	return true;
}

static bool deps_done(const struct vb_exec *e, const struct vb_op *op)
{
	const uint32_t *deps = vb_op_deps(e->plan, op);
	uint32_t d;

	for (d = 0; d < op->ndeps; d++)
		if (e->state[deps[d]] != VB_OP_DONE)
			return false;
	return true;
}

/* Where OP reads its source: the input buffer out of place when flagged. */
static const uint8_t *op_src(const struct vb_exec *e, const struct vb_op *op)
{
	return (op->flags & COLL_OOP_SRC_IN ? e->in : e->buf) + op->src_off_bytes;
}

static int apply(struct vb_exec *e, const struct vb_op *op, uint64_t off,
		 const void *src, uint64_t bytes)
{
	uint8_t *dst = e->buf + op->dst_off_bytes + off;

	if (op->op == COLL_OP_COPY) {
		memcpy(dst, src, bytes);
		return 0;
	}
	/* out of place, the first reduce into these bytes: dst = in (+) src */
	if (op->flags & COLL_OOP_DST_IN)
		return coll_reduce3(dst, e->in + op->dst_off_bytes + off, src,
				    bytes / e->elem_bytes, e->dtype, e->redop);
	return coll_reduce(dst, src, bytes / e->elem_bytes, e->dtype, e->redop);
}

static int run_locals(struct vb_exec *e)
{
	const struct vb_plan *p = e->plan;
	uint32_t i, made = 0;
	int ret;

	for (i = e->local_head; i < e->nlocals; i++) {
		uint32_t k = e->locals[i];
		const struct vb_op *op = &p->ops[k];

		if (e->state[k] == VB_OP_DONE || !deps_done(e, op))
			continue;
		ret = apply(e, op, 0, op_src(e, op), op->bytes);
		if (ret)
			return ret;
		e->state[k] = VB_OP_DONE;
		e->ndone++;
		made++;
	}
	while (e->local_head < e->nlocals &&
	       e->state[e->locals[e->local_head]] == VB_OP_DONE)
		e->local_head++;
	return (int)made;
}

/* Op K moves on from IDLE once its local deps are ready; false until then. */
static bool op_start(struct vb_exec *e, uint32_t k, const struct vb_op *op)
{
	if (e->state[k] != VB_OP_IDLE)
		return true;
	if (!deps_ready(e, op))
		return false;
	e->state[k] = VB_OP_STARTED;
	return true;
}

static int pump_sends(struct vb_exec *e, uint32_t peer)
{
	const struct vb_plan *p = e->plan;
	struct vb_tr *tr = e->tr;
	int made = 0, ret;

	while (e->send_head[peer] < p->send_first[peer + 1]) {
		uint32_t k = p->send_ops[e->send_head[peer]];
		const struct vb_op *op = &p->ops[k];

		if (!op_start(e, k, op))
			return made;
		while (e->chunks_done[k] < op->nchunks) {
			uint32_t c = e->chunks_done[k];
			uint64_t off = (uint64_t)c * p->chunk_bytes;
			uint64_t seq = tr->tx_base[peer] + op->first_chunk + c;

			ret = tr->ops->post(tr, peer, seq, op_src(e, op) + off,
					    vb_chunk_bytes(p, op, c),
					    c + 1 == op->nchunks);
			if (ret == -EAGAIN)
				return made;
			if (ret)
				return ret;
			e->chunks_done[k]++;
			made++;
		}
		e->state[k] = VB_OP_POSTED;
		e->send_head[peer]++;
	}
	return made;
}

static int reap_sends(struct vb_exec *e, uint32_t peer)
{
	const struct vb_plan *p = e->plan;
	uint64_t sent = e->tr->ops->sent(e->tr, peer);
	int made = 0;

	while (e->send_tail[peer] < e->send_head[peer]) {
		uint32_t k = p->send_ops[e->send_tail[peer]];
		const struct vb_op *op = &p->ops[k];

		if (sent < e->tr->tx_base[peer] + op->first_chunk + op->nchunks ||
		    !deps_done(e, op))
			break;
		e->state[k] = VB_OP_DONE;
		e->ndone++;
		e->send_tail[peer]++;
		made++;
	}
	return made;
}

static int pump_recvs(struct vb_exec *e, uint32_t peer)
{
	const struct vb_plan *p = e->plan;
	struct vb_tr *tr = e->tr;
	int made = 0, ret;

	while (e->recv_head[peer] < p->recv_first[peer + 1]) {
		uint32_t k = p->recv_ops[e->recv_head[peer]];
		const struct vb_op *op = &p->ops[k];

		if (!op_start(e, k, op))
			return made;
		while (e->chunks_done[k] < op->nchunks) {
			uint32_t c = e->chunks_done[k];
			uint64_t seq = tr->rx_base[peer] + op->first_chunk + c;
			const void *data = tr->ops->peek(tr, peer, seq);

			if (!data)
				return made;
			ret = apply(e, op, (uint64_t)c * p->chunk_bytes, data,
				    vb_chunk_bytes(p, op, c));
			if (!ret)
				ret = tr->ops->release(tr, peer, seq);
			if (ret)
				return ret;
			e->chunks_done[k]++;
			made++;
		}
		e->state[k] = VB_OP_DONE;
		e->ndone++;
		e->recv_head[peer]++;
	}
	return made;
}

int vb_exec_step(struct vb_exec *e)
{
	uint32_t peer;
	int made, ret;

	made = run_locals(e);
	if (made < 0)
		return made;
	for (peer = 0; peer < e->plan->nranks; peer++) {
		if (peer == e->plan->rank)
			continue;
		ret = pump_recvs(e, peer);
		if (ret < 0)
			return ret;
		made += ret;
		ret = pump_sends(e, peer);
		if (ret < 0)
			return ret;
		made += ret;
		ret = reap_sends(e, peer);
		made += ret;
	}
	return made;
}

bool vb_exec_done(const struct vb_exec *e)
{
	return e->ndone == e->plan->nops;
}

void vb_exec_end(struct vb_exec *e)
{
	uint32_t r;

	for (r = 0; r < e->plan->nranks; r++) {
		e->tr->tx_base[r] += e->plan->send_chunks[r];
		e->tr->rx_base[r] += e->plan->recv_chunks[r];
	}
}

/* What we are stuck on, for the watchdog: a peer whose data or credit is late. */
static void stuck_message(const struct vb_exec *e, char *err, size_t len)
{
	const struct vb_plan *p = e->plan;
	const struct vb_tr *tr = e->tr;
	uint32_t peer, s = e->timeout_ms / 1000;

	for (peer = 0; peer < p->nranks; peer++) {
		uint32_t h = e->recv_head[peer];

		if (h < p->recv_first[peer + 1] && e->state[p->recv_ops[h]] == VB_OP_STARTED) {
			snprintf(err, len, "peer rank %u (%s) stopped responding: no data from it for %u s (-T)",
				 peer, tr->hosts ? tr->hosts[peer] : "?", s);
			return;
		}
	}
	for (peer = 0; peer < p->nranks; peer++) {
		uint32_t h = e->send_head[peer];

		if (h < p->send_first[peer + 1] && e->state[p->send_ops[h]] == VB_OP_STARTED) {
			snprintf(err, len, "peer rank %u (%s) stopped responding: no credit from it for %u s (-T)",
				 peer, tr->hosts ? tr->hosts[peer] : "?", s);
			return;
		}
	}
	snprintf(err, len, "no progress for %u s (-T): a peer stopped responding", s);
}

static int run_once(struct vb_exec *e, char *err, size_t err_len)
{
	struct vb_tr *tr = e->tr;
	double last = vb_now(), limit = e->timeout_ms / 1000.0;
	int ret, made, idle = 0;

	vb_exec_begin(e);
	while (e->ndone < e->plan->nops) {
		/* Spin while things move; let the transport sleep when not. */
		ret = tr->ops->progress(tr, idle > 64 ? 10 : 0);
		if (ret < 0)
			goto out_transport;
		made = vb_exec_step(e);
		if (made < 0) {
			ret = made;
			if (!tr->err[0])
				goto out_local;
			goto out_transport;
		}
		if (ret + made) {
			idle = 0;
			last = vb_now();
			continue;
		}
		if (++idle % 64 == 0 && vb_now() - last > limit) {
			stuck_message(e, err, err_len);
			return -ETIMEDOUT;
		}
	}
	vb_exec_end(e);
	return 0;

out_transport:
	snprintf(err, err_len, "%s", tr->err);
	return ret;
out_local:
	snprintf(err, err_len, "local reduction failed: %s", strerror(-ret));
	return ret;
}

int vb_exec_run(struct vb_exec *e, uint32_t iters, char *err, size_t err_len)
{
	uint32_t i;
	int ret;

	for (i = 0; i < iters; i++) {
		ret = run_once(e, err, err_len);
		if (ret)
			return ret;
	}
	return 0;
}
