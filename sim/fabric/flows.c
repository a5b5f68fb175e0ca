/*
 * Flows and their dependencies. A flow is a transfer between two hosts:
 * over the network (the NIC splits it over queue pairs, nic.c) or, within
 * a server, over an NVLink-class link modelled as a fixed rate and latency
 * with no packets. Collective schedules chain flows: a flow with
 * dependencies starts when the last of them finished (sim_flow_done),
 * after the per-message software overhead.
 *
 * Flows are added before the first sim_run, one by one (sim_add_flow) or
 * as a lazy source (sim_add_src: a collective's schedule as functions of a
 * transfer id). A source's transfer becomes a flow only when the last of
 * its dependencies is done: its flow slot and QPs come from pools and go
 * back to them once the flow is done and its QPs idle (no packet, timer or
 * unacknowledged data left), so a run holds the flows in flight, plus the
 * dependency counts of the transfers some but not all of whose
 * dependencies are done (struct sim_wait, keyed by flow id).
 *
 * Order is what keeps a run reproducible: successors are made in
 * ascending id order as the eager successor lists gave them, so the same
 * events are scheduled in the same order.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "sim/fabric/sim.h"
#include "sim/fabric/dist_priv.h"

/* Whether F's message is split over its connection's QPs (cfg.split_qps, AUTO resolved for F). */
static bool sim_flow_split_qps(const struct sim *s, const struct sim_flow *f);
/*
 * QPs of F from the pool (laid out as sim_nic_qp_init does), the first on
 * slot FIRST_SLOT of its connection: 0, or -ENOMEM (sim_fail).
 */
static int sim_flow_qps(struct sim *s, struct sim_flow *f, uint32_t first_slot);
/* Open-addressing table of two-word keys to dense indices 0, 1, ... in order of arrival. */
static struct sim_ktab *sim_ktab_new(uint64_t entries);
static void sim_ktab_free(struct sim_ktab *t);
/* The index of (A, B), the next one if new (*FRESH): SIM_NONE out of memory. */
static uint32_t sim_ktab_get(struct sim_ktab *t, uint64_t a, uint64_t b, bool *fresh);
/* The index of (A, B), SIM_NONE if absent. */
static uint32_t sim_ktab_find(const struct sim_ktab *t, uint64_t a, uint64_t b);
/* SRC's roots made and scheduled at its start: 0 or the run's error. */
static int sim_src_roots(struct sim *s, struct sim_src *src);
/* The connection of (SRC, DST, TAG, SLOT), made if new: its index, or SIM_NONE out of memory. */
static uint32_t sim_conn_get(struct sim *s, uint32_t src, uint32_t dst, uint32_t tag, uint32_t slot, uint32_t plane,
		      uint64_t line_bps);

/* A split run: F, just made here, has its QPs under its id; its half owned elsewhere reads as complete. 0 or -ENOMEM. */
static int sim_split_hold(struct sim *s, struct sim_flow *f);
/* A split run: the block of QPs at FIRST goes back to the pool, its flow's id no longer names it. */
static void sim_split_drop(struct sim *s, uint32_t first);

/* The flow of SRC's transfer XID as added, into F (zeroed). */
static void sim_src_fill(const struct sim *s, struct sim_src *src, uint64_t xid, struct sim_flow *f);
/* SRC's transfer XID as a flow in a pool slot, no QPs yet: NULL when the run failed (out of memory). */
static struct sim_flow *sim_src_slot(struct sim *s, struct sim_src *src, uint64_t xid);
/* SRC's transfer XID as a flow with its QPs, not scheduled: NULL when the run failed. */
static struct sim_flow *sim_src_make(struct sim *s, struct sim_src *src, uint64_t xid);

/* Why sim_add_* refused, without failing a run that may still go ahead: ERR. */
static int sim_refuse(struct sim *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int sim_refuse(struct sim *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

static int sim_flow_new(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes, uint64_t start_ps)
{
	struct sim_topo *t = s->topo;
	struct sim_flow *f;
	int rc;

	if (src_host >= t->nhosts || dst_host >= t->nhosts)
		return sim_refuse(s, -EINVAL, "flow from host %u to host %u: the fabric has hosts 0..%u", src_host,
				  dst_host, t->nhosts - 1);
	if (src_host == dst_host || !bytes)
		return sim_refuse(s, -EINVAL, "flow from host %u to itself or of 0 bytes", src_host);
	if (s->nadded >= SIM_MAX_FLOWS || s->prepared)
		return sim_refuse(s, -EINVAL, "more than %u flows, or the run is laid out", SIM_MAX_FLOWS);
	if (s->nadded == s->flows_cap) {
		uint32_t cap = s->flows_cap ? s->flows_cap * 2 : 1024;
		struct sim_flow *v;

		rc = coll_mem_guard((uint64_t)cap * sizeof(*v), "the flow table", s->err, sizeof(s->err));
		if (rc)
			return rc;
		v = realloc(s->flows, cap * sizeof(*v));
		if (!v)
			return sim_refuse(s, -ENOMEM, "out of memory for %u flows", cap);
		s->flows = v;
		s->flows_cap = cap;
	}
	f = &s->flows[s->nadded];
	memset(f, 0, sizeof(*f));
	f->ev.type = SIM_EV_FLOW_START;
	f->id = s->nflows++;
	f->slot = SIM_NONE;
	f->src = t->hosts[src_host];
	f->dst = t->hosts[dst_host];
	f->bytes = bytes;
	f->start_ps = start_ps;
	f->rate_bps = sim_topo_host_bps(t, f->src);
	f->root = true;
	return (int)s->nadded++;
}

int sim_add_flow(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes, uint64_t start_ps)
{
	/* PSNs are 32-bit: a flow must not need more packets than they count */
	if (bytes / s->mtu_bytes >= SIM_MAX_FLOW_PKTS)
		return sim_refuse(s, -EINVAL, "a flow of %llu bytes is %llu packets of %u B; at most %llu per flow",
				  (unsigned long long)bytes,
				  (unsigned long long)(bytes / s->mtu_bytes + (bytes % s->mtu_bytes != 0)),
				  s->mtu_bytes, (unsigned long long)SIM_MAX_FLOW_PKTS);
	if (start_ps > SIM_TIME_LIMIT_PS)
		return sim_refuse(s, -EINVAL, "a flow start of %llu ps is past the model's horizon of %llu ps",
				  (unsigned long long)start_ps, (unsigned long long)SIM_TIME_LIMIT_PS);
	return sim_flow_new(s, src_host, dst_host, bytes, start_ps);
}

int sim_add_local_flow(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes,
		       uint64_t rate_bps, uint64_t lat_ps)
{
	struct sim_topo *t = s->topo;
	int id;

	if (src_host >= t->nhosts || dst_host >= t->nhosts || !rate_bps)
		return sim_refuse(s, -EINVAL,
				  "local transfer from host %u to host %u at %llu b/s: no such hosts or no rate",
				  src_host, dst_host, (unsigned long long)rate_bps);
	/* added as a network flow first, for the bookkeeping, then marked */
	id = sim_flow_new(s, src_host, src_host == dst_host ? (src_host + 1) % t->nhosts : dst_host,
			  bytes ? bytes : 1, 0);
	if (id < 0)
		return id;
	s->flows[id].dst = t->hosts[dst_host];
	s->flows[id].bytes = bytes;
	s->flows[id].local = true;
	s->flows[id].local_rate_bps = rate_bps;
	s->flows[id].local_lat_ps = src_host == dst_host ? 0 : lat_ps;
	return id;
}

uint32_t sim_conn_tags(struct sim *s, uint32_t n)
{
	uint32_t first = s->conn_tags + 1;

	if (s->prepared || n > UINT32_MAX - 1 - s->conn_tags) {
		sim_refuse(s, -EINVAL, "more than %u connections, or the run is laid out", UINT32_MAX - 1);
		return 0;
	}
	s->conn_tags += n ? n : 1;
	return first;
}

int sim_flow_set_conn_tag(struct sim *s, uint32_t id, uint32_t tag)
{
	if (id >= s->nadded || s->prepared || tag > s->conn_tags)
		return sim_refuse(s, -EINVAL, "connection tag %u of flow %u: no such flow or tag, or the run is laid out",
				  tag, id);
	s->flows[id].conn_tag = tag;
	return 0;
}

int sim_flow_set_conn_dup(struct sim *s, uint32_t id, uint32_t dup)
{
	if (id >= s->nadded || s->prepared || !dup || !s->flows[id].conn_tag ||
	    s->flows[id].conn_tag + dup - 1 > s->conn_tags)
		return sim_refuse(s, -EINVAL, "flow %u spread over %u connections: no such flow or tags", id, dup);
	s->flows[id].conn_dup = dup;
	return 0;
}

static bool sim_flow_split_qps(const struct sim *s, const struct sim_flow *f)
{
	if (s->cfg.split_qps == SIM_SPLIT_QPS_AUTO)
		return !f->conn_tag;
	return s->cfg.split_qps == SIM_SPLIT_QPS_ON;
}

/* ---- two-word keys to dense indices (connections, QP slot counters) ---- */

struct sim_ktab {
	uint64_t cap;		/* power of two, > 2 x entries */
	uint64_t *key;		/* two words per entry */
	uint32_t *val;		/* SIM_NONE: empty */
	uint32_t n;		/* entries */
};

static int sim_ktab_size(struct sim_ktab *t, uint64_t cap)
{
	t->cap = cap;
	t->key = malloc(cap * 2 * sizeof(*t->key));
	t->val = malloc(cap * sizeof(*t->val));
	if (!t->key || !t->val) {
		free(t->key);
		free(t->val);
		return -ENOMEM;
	}
	memset(t->val, 0xff, cap * sizeof(*t->val));
	return 0;
}

static struct sim_ktab *sim_ktab_new(uint64_t entries)
{
	struct sim_ktab *t = calloc(1, sizeof(*t));
	uint64_t cap = 16;

	while (cap < 2 * entries + 2)
		cap *= 2;
	if (t && sim_ktab_size(t, cap)) {
		free(t);
		return NULL;
	}
	return t;
}

static void sim_ktab_free(struct sim_ktab *t)
{
	if (!t)
		return;
	free(t->key);
	free(t->val);
	free(t);
}

static uint64_t sim_ktab_slot(const struct sim_ktab *t, uint64_t a, uint64_t b)
{
	uint64_t h = sim_mix64(a ^ sim_mix64(b)) & (t->cap - 1);

	while (t->val[h] != SIM_NONE && (t->key[2 * h] != a || t->key[2 * h + 1] != b))
		h = (h + 1) & (t->cap - 1);
	return h;
}

/* Twice the room, the same indices: 0 or -ENOMEM. */
static int sim_ktab_grow(struct sim_ktab *t)
{
	struct sim_ktab old = *t;

	if (sim_ktab_size(t, old.cap * 2)) {
		*t = old;
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < old.cap; i++) {
		uint64_t h;

		if (old.val[i] == SIM_NONE)
			continue;
		h = sim_ktab_slot(t, old.key[2 * i], old.key[2 * i + 1]);
		t->val[h] = old.val[i];
		t->key[2 * h] = old.key[2 * i];
		t->key[2 * h + 1] = old.key[2 * i + 1];
	}
	free(old.key);
	free(old.val);
	return 0;
}

static uint32_t sim_ktab_find(const struct sim_ktab *t, uint64_t a, uint64_t b)
{
	return t->val[sim_ktab_slot(t, a, b)];
}

static uint32_t sim_ktab_get(struct sim_ktab *t, uint64_t a, uint64_t b, bool *fresh)
{
	uint64_t h = sim_ktab_slot(t, a, b);

	*fresh = t->val[h] == SIM_NONE;
	if (!*fresh)
		return t->val[h];
	if (2 * ((uint64_t)t->n + 1) >= t->cap) {
		if (sim_ktab_grow(t))
			return SIM_NONE;
		h = sim_ktab_slot(t, a, b);
	}
	t->val[h] = t->n++;
	t->key[2 * h] = a;
	t->key[2 * h + 1] = b;
	return t->val[h];
}

static uint32_t sim_conn_get(struct sim *s, uint32_t src, uint32_t dst, uint32_t tag, uint32_t slot, uint32_t plane,
		      uint64_t line_bps)
{
	uint64_t a = (uint64_t)src << 32 | dst, b = (uint64_t)tag << 32 | slot;
	struct sim_conn *c;
	uint32_t i;
	bool fresh;

	if (!s->conn_tab && !(s->conn_tab = sim_ktab_new(1024)))
		return SIM_NONE;
	i = sim_ktab_find(s->conn_tab, a, b);
	if (i != SIM_NONE)
		return i;
	/* events live in the connections: none is made once the run is laid out */
	if (s->conns_sealed)
		return SIM_NONE;
	if (s->nconns == s->conns_cap) {
		uint32_t cap = s->conns_cap ? 2 * s->conns_cap : 1024;
		struct sim_conn *v;

		if (coll_mem_guard((uint64_t)cap * sizeof(*v), "the connections", s->err, sizeof(s->err)))
			return SIM_NONE;
		v = realloc(s->conns, cap * sizeof(*v));
		if (!v)
			return SIM_NONE;
		s->conns = v;
		s->conns_cap = cap;
	}
	i = sim_ktab_get(s->conn_tab, a, b, &fresh);
	if (i == SIM_NONE)
		return SIM_NONE;
	c = &s->conns[i];
	memset(c, 0, sizeof(*c));
	c->src = src;
	c->dst = dst;
	c->tag = tag;
	c->slot = slot;
	c->port = s->topo->nodes[src].first_port + plane;
	s->nconns = i + 1;
	/*
	 * LINE_BPS is the whole NIC's, every plane's port (results measure
	 * flows against it); a QP bound to one plane has one port's.
	 */
	if (s->cfg.plane_spread != SIM_PLANE_SPREAD_PACKET)
		line_bps /= s->topo->nplanes;
	sim_cc_init_conn(s, c, line_bps);
	return i;
}

int sim_add_src(struct sim *s, struct sim_src *src)
{
	struct sim_src **v;

	if (s->prepared || src->count > UINT64_MAX / 2 - s->nflows) {
		src->ops->release(src);
		return sim_refuse(s, -EINVAL, "a lazy source of %llu flows: too many, or the run is laid out",
				  (unsigned long long)src->count);
	}
	v = realloc(s->srcs, (s->nsrcs + 1) * sizeof(*v));
	if (!v) {
		src->ops->release(src);
		return sim_refuse(s, -ENOMEM, "out of memory adding a lazy source");
	}
	s->srcs = v;
	src->first_id = s->nflows;
	src->slot0 = NULL;
	src->kept = NULL;
	s->nflows += src->count;
	s->srcs[s->nsrcs++] = src;
	return 0;
}

/* ---- the lazy flow pool ---------------------------------------------------- */

#define SIM_FLOW_SLAB (1U << SIM_FLOW_SLAB_SHIFT)

static struct sim_flow *sim_lflow_at(const struct sim *s, uint32_t slot)
{
	return &s->flow_slab[slot >> SIM_FLOW_SLAB_SHIFT][slot & (SIM_FLOW_SLAB - 1)];
}

/* A zeroed slot of the pool, or NULL out of memory (sim_fail). */
static struct sim_flow *sim_lflow_alloc(struct sim *s)
{
	struct sim_flow *f;
	uint32_t slot;

	if (s->flow_free != SIM_NONE) {
		slot = s->flow_free;
		f = sim_lflow_at(s, slot);
		s->flow_free = (uint32_t)f->xid;
	} else {
		if (s->flow_hw >= SIM_MAX_LIVE) {
			sim_fail(s, -E2BIG, "more than %u flows in flight", SIM_MAX_LIVE);
			return NULL;
		}
		if (s->flow_hw == s->flow_slabs << SIM_FLOW_SLAB_SHIFT) {
			struct sim_flow **v = realloc(s->flow_slab, (s->flow_slabs + 1) * sizeof(*v));

			if (v)
				s->flow_slab = v;
			if (!v || !(v[s->flow_slabs] = malloc(SIM_FLOW_SLAB * sizeof(**v)))) {
				sim_fail(s, -ENOMEM, "out of memory for %u flows in flight", s->flow_hw);
				return NULL;
			}
			s->flow_slabs++;
		}
		slot = s->flow_hw++;
		f = sim_lflow_at(s, slot);
	}
	memset(f, 0, sizeof(*f));
	f->slot = slot;
	s->live_flows++;
	return f;
}

static void sim_lflow_free(struct sim *s, struct sim_flow *f)
{
	f->lsrc = NULL;
	f->xid = s->flow_free;
	s->flow_free = f->slot;
	s->live_flows--;
}

/* ---- the QP pool -------------------------------------------------------- */

#define SIM_QP_SLAB (1U << SIM_QP_SLAB_SHIFT)

static uint64_t *sim_qp_bitmap(const struct sim *s, uint32_t i)
{
	uint32_t words = s->bitmap_bits / 64;

	return s->bm_slab[i >> SIM_QP_SLAB_SHIFT] + (size_t)(i & (SIM_QP_SLAB - 1)) * 2 * words;
}

/* A fresh slab of QPs and their bitmaps: 0 or -ENOMEM. */
static int sim_qp_slab_add(struct sim *s)
{
	uint32_t words = s->bitmap_bits / 64;
	struct sim_qp **v = realloc(s->qp_slab, (s->qp_slabs + 1) * sizeof(*v));
	uint64_t **b;

	if (!v)
		return -ENOMEM;
	s->qp_slab = v;
	b = realloc(s->bm_slab, (s->qp_slabs + 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	s->bm_slab = b;
	v[s->qp_slabs] = calloc(SIM_QP_SLAB, sizeof(**v));
	b[s->qp_slabs] = calloc((size_t)SIM_QP_SLAB * 2 * words, sizeof(**b));
	if (!v[s->qp_slabs] || !b[s->qp_slabs]) {
		free(v[s->qp_slabs]);
		free(b[s->qp_slabs]);
		return -ENOMEM;
	}
	s->qp_slabs++;
	return 0;
}

/* N contiguous QPs (in one slab): the first's index, or SIM_NONE out of memory. */
static uint32_t sim_qp_block(struct sim *s, uint32_t n)
{
	uint32_t first;

	if (n < s->qp_free_n && s->qp_free[n] != SIM_NONE) {
		first = s->qp_free[n];
		s->qp_free[n] = sim_qp_at(s, first)->next_free;
		/*
		 * Its bitmaps are clear: a sender's bit is cleared as una passes
		 * it, a receiver's as the expected PSN does, and a QP is idle only
		 * past its last PSN both ways. Not clearing them again keeps the
		 * pages of an in-order run's bitmaps untouched (not resident).
		 */
		return first;
	}
	/* a block never straddles two slabs */
	if ((s->nqps & (SIM_QP_SLAB - 1)) + n > SIM_QP_SLAB)
		s->nqps = (s->nqps | (SIM_QP_SLAB - 1)) + 1;
	if (s->nqps > SIM_MAX_LIVE - SIM_QP_SLAB)
		return SIM_NONE;
	while (s->nqps + n > (uint64_t)s->qp_slabs << SIM_QP_SLAB_SHIFT)
		if (sim_qp_slab_add(s))
			return SIM_NONE;
	first = s->nqps;
	s->nqps += n;
	return first;
}

static void sim_qp_block_free(struct sim *s, uint32_t first, uint32_t n)
{
	if (n >= s->qp_free_n) {
		uint32_t *v = realloc(s->qp_free, (n + 1) * sizeof(*v));

		if (!v)
			return;	/* the block is lost to the pool, not to the run */
		for (uint32_t i = s->qp_free_n; i <= n; i++)
			v[i] = SIM_NONE;
		s->qp_free = v;
		s->qp_free_n = n + 1;
	}
	sim_qp_at(s, first)->next_free = s->qp_free[n];
	s->qp_free[n] = first;
}

/* QPs of F with NQ per connection: one or NQ (split) on each connection it is spread over. */
static uint32_t sim_flow_nqps(const struct sim *s, const struct sim_flow *f, uint32_t nq)
{
	if (f->local)
		return 0;
	return (sim_flow_split_qps(s, f) ? nq : 1) * sim_flow_dup(f);
}

static int sim_flow_qps(struct sim *s, struct sim_flow *f, uint32_t first_slot)
{
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1;
	uint32_t words = s->bitmap_bits / 64;

	f->nqps = sim_flow_nqps(s, f, nq);
	f->qps_live = f->nqps;
	if (!f->nqps)
		return 0;
	f->first_qp = sim_qp_block(s, f->nqps);
	if (f->first_qp == SIM_NONE) {
		f->nqps = f->qps_live = 0;
		sim_fail(s, -ENOMEM, "out of memory for the queue pairs of %llu flows in flight",
			 (unsigned long long)s->live_flows);
		return -ENOMEM;
	}
	for (uint32_t k = 0; k < f->nqps; k++) {
		uint32_t i = f->first_qp + k;
		struct sim_qp *qp = sim_qp_at(s, i);
		/* the slots of one connection repeat on each of its duplicates */
		uint32_t slot = first_slot + k % (f->nqps / sim_flow_dup(f));

		memset(qp, 0, sizeof(*qp));
		qp->idx = i;
		qp->in_use = true;
		qp->blk_first = f->first_qp;
		qp->blk_n = f->nqps;
		qp->acked = sim_qp_bitmap(s, i);
		qp->rcvd = qp->acked + words;
		sim_nic_qp_init(s, f, qp, k, slot);
		qp->conn = sim_conn_get(s, f->src, f->dst, sim_flow_qp_tag(f, k), slot, qp->plane, f->rate_bps);
		if (qp->conn == SIM_NONE) {
			sim_fail(s, -ENOMEM, "out of memory for connections");
			return -ENOMEM;
		}
	}
	return 0;
}

/* Nothing of QP is left to happen: no packet naming it, no timer, nothing unsent or unacknowledged. */
static bool sim_qp_idle(const struct sim_qp *qp)
{
	return !qp->npending && !qp->timer_armed && !qp->ack_armed && !qp->active && !qp->parked &&
	       qp->una_psn >= qp->npkts && qp->rx_epsn >= qp->npkts;
}

/* The QPs of block FIRST (N of them): back to the pool, their retransmissions counted into their flow if any. */
static void sim_qp_block_release(struct sim *s, uint32_t first, uint32_t n)
{
	if (sim_dist_split(s))
		sim_split_drop(s, first);
	for (uint32_t k = 0; k < n; k++) {
		struct sim_qp *qp = sim_qp_at(s, first + k);

		if (qp->flow) {
			qp->flow->retx_pkts += qp->retx_pkts;
			qp->flow->qps_live = 0;
		}
		qp->flow = NULL;
		qp->in_use = false;
	}
	sim_qp_block_free(s, first, n);
}

/*
 * Flow F of a source is done: unless kept, its slot goes back to the pool
 * at once (nothing reads a flow after it is done); its QPs stay until
 * nothing of theirs is pending (sim_qp_maybe_idle).
 */
static void sim_flow_recycle(struct sim *s, struct sim_flow *f)
{
	if (!f->lsrc || s->keep_flows)
		return;
	for (uint32_t k = 0; k < f->nqps && f->qps_live; k++)
		sim_qp_at(s, f->first_qp + k)->flow = NULL;
	if (f->qps_live)
		sim_qp_maybe_idle(s, sim_qp_at(s, f->first_qp));
	f->qps_live = 0;
	if (!f->local)
		s->recycled_rx_bytes += f->rx_bytes;
	sim_lflow_free(s, f);
}

void sim_qp_maybe_idle(struct sim *s, struct sim_qp *qp)
{
	/* keep_flows > 1: a test inspects every QP after the run */
	struct sim_flow *f = qp->flow;

	if (!qp->in_use || s->keep_flows > 1 || !sim_qp_idle(qp))
		return;
	/* a split run's sender half is done with its flow once every packet is acknowledged */
	if (f && !f->done && !(f->lsrc && sim_dist_split(s) && !sim_dist_owns(s, f->dst)))
		return;
	for (uint32_t k = 0; k < qp->blk_n; k++)
		if (!sim_qp_idle(sim_qp_at(s, qp->blk_first + k)))
			return;
	sim_qp_block_release(s, qp->blk_first, qp->blk_n);
	if (f && !f->done && !s->keep_flows)
		sim_lflow_free(s, f);
}

uint64_t sim_flow_retx(const struct sim *s, const struct sim_flow *f)
{
	uint64_t n = f->retx_pkts;

	for (uint32_t k = 0; k < f->nqps && f->qps_live; k++)
		n += sim_qp_at(s, f->first_qp + k)->retx_pkts;
	return n;
}

/* ---- transfers waiting for some of their dependencies ------------------- */

static uint64_t sim_wait_home(const struct sim_wait *w, uint64_t key)
{
	return sim_mix64(key) & (w->cap - 1);
}

static int sim_wait_grow(struct sim_wait *w)
{
	struct sim_wait old = *w;

	w->cap = old.cap ? old.cap * 2 : 1024;
	w->key = calloc(w->cap, sizeof(*w->key));
	w->left = malloc(w->cap * sizeof(*w->left));
	if (!w->key || !w->left) {
		free(w->key);
		free(w->left);
		*w = old;
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < old.cap; i++) {
		uint64_t h;

		if (!old.key[i])
			continue;
		for (h = sim_wait_home(w, old.key[i]); w->key[h]; h = (h + 1) & (w->cap - 1))
			;
		w->key[h] = old.key[i];
		w->left[h] = old.left[i];
	}
	free(old.key);
	free(old.left);
	return 0;
}

/* Where KEY is in W, or the empty entry where it would go (W has room). */
static uint64_t sim_wait_slot(const struct sim_wait *w, uint64_t key)
{
	uint64_t h;

	for (h = sim_wait_home(w, key); w->key[h] && w->key[h] != key; h = (h + 1) & (w->cap - 1))
		;
	return h;
}

/* Linear probing's deletion: the entries after H that hashed at or before it move back. */
static void sim_wait_del(struct sim_wait *w, uint64_t h)
{
	uint64_t j = h;

	w->n--;
	for (;;) {
		uint64_t home;

		w->key[h] = 0;
		for (;;) {
			j = (j + 1) & (w->cap - 1);
			if (!w->key[j])
				return;
			home = sim_wait_home(w, w->key[j]);
			/* stays unless its home is cyclically outside (h, j] */
			if (h <= j ? (home <= h || home > j) : (home <= h && home > j))
				break;
		}
		w->key[h] = w->key[j];
		w->left[h] = w->left[j];
		h = j;
	}
}

/*
 * One more dependency of flow ID (which has NDEPS) is done: true when it
 * was the last. -ENOMEM fails the run.
 */
static bool sim_wait_count(struct sim *s, uint64_t id, uint32_t ndeps)
{
	struct sim_wait *w = &s->wait;
	uint64_t key = id + 1, h;

	if (ndeps <= 1)
		return true;
	if (2 * (w->n + 1) > w->cap && sim_wait_grow(w)) {
		sim_fail(s, -ENOMEM, "out of memory for the dependencies of %llu waiting transfers",
			 (unsigned long long)w->n);
		return false;
	}
	h = sim_wait_slot(w, key);
	if (!w->key[h]) {
		w->key[h] = key;
		w->left[h] = ndeps - 1;
		w->n++;
		return false;
	}
	if (--w->left[h])
		return false;
	sim_wait_del(w, h);
	return true;
}

/* ---- a split run's lazy flows: each part holds the half it owns ------------ */

/* Entry of KEY in W, UINT64_MAX if absent. */
static uint64_t sim_wait_find(const struct sim_wait *w, uint64_t key)
{
	uint64_t h;

	if (!w->cap)
		return UINT64_MAX;
	h = sim_wait_slot(w, key);
	return w->key[h] ? h : UINT64_MAX;
}

/*
 * Its sender's half and its receiver's half of a lazy flow live in the
 * parts that own them, each made when that part first needs it: the
 * sender's when the flow's dependencies are done, the receiver's when its
 * first packet arrives. The half this part does not own reads as
 * complete: a receiver half never sends, a sender half never waits for
 * data, so each recycles on what it sees itself.
 */
static void sim_split_complete(struct sim *s, struct sim_flow *f, bool tx, bool rx)
{
	for (uint32_t k = 0; k < f->nqps; k++) {
		struct sim_qp *qp = sim_qp_at(s, f->first_qp + k);

		if (tx)
			qp->una_psn = qp->next_psn = qp->high_psn = qp->npkts;
		if (rx)
			qp->rx_epsn = qp->npkts;
	}
}

/*
 * The QPs of lazy flow ID (at FIRST) are what frames naming ID reach
 * here: they outlive the flow until nothing of theirs is pending, as
 * in one process, so the index follows the QPs, not the flow.
 */
static int sim_split_index(struct sim *s, uint64_t id, uint32_t first)
{
	struct sim_wait *w = &s->live;
	uint64_t key = id + 1, h;

	if (2 * (w->n + 1) > w->cap && sim_wait_grow(w)) {
		sim_fail(s, -ENOMEM, "out of memory for the index of %llu flows in flight", (unsigned long long)w->n);
		return -ENOMEM;
	}
	h = sim_wait_slot(w, key);
	w->key[h] = key;
	w->left[h] = first;
	w->n++;
	return 0;
}

static int sim_split_hold(struct sim *s, struct sim_flow *f)
{
	sim_split_complete(s, f, !sim_dist_owns(s, f->src), !sim_dist_owns(s, f->dst));
	return f->nqps ? sim_split_index(s, f->id, f->first_qp) : 0;
}

static void sim_split_drop(struct sim *s, uint32_t first)
{
	const struct sim_qp *qp = sim_qp_at(s, first);
	uint64_t h;

	if (!sim_src_find(s, qp->flow_id))
		return;
	h = sim_wait_find(&s->live, qp->flow_id + 1);
	if (h != UINT64_MAX && s->live.left[h] == first)
		sim_wait_del(&s->live, h);
}

/*
 * QPs for a packet naming a flow whose half here is gone (recycled, or
 * kept without its QPs): a block made again in the state the flow ended
 * in, with no flow, recycled once the packet is handled. In one process
 * the packet would have held the old QPs; what it finds is the same.
 */
static uint32_t sim_split_revive(struct sim *s, struct sim_src *src, uint64_t xid, uint32_t rank)
{
	struct sim_flow tmp;

	memset(&tmp, 0, sizeof(tmp));
	sim_src_fill(s, src, xid, &tmp);
	if (sim_flow_qps(s, &tmp, src->slot0 ? src->slot0[xid] : 0) || rank >= tmp.nqps)
		return SIM_NONE;
	sim_split_complete(s, &tmp, true, true);
	for (uint32_t k = 0; k < tmp.nqps; k++)
		sim_qp_at(s, tmp.first_qp + k)->flow = NULL;
	if (sim_split_index(s, tmp.id, tmp.first_qp))
		return SIM_NONE;
	return tmp.first_qp + rank;
}

uint32_t sim_split_qp(struct sim *s, uint64_t id, uint32_t rank, uint64_t start_ps, bool data)
{
	struct sim_src *src = sim_src_find(s, id);
	uint64_t xid, h;
	struct sim_flow *f;

	if (!src)
		return SIM_NONE;
	xid = id - src->first_id;
	h = sim_wait_find(&s->live, id + 1);
	if (h != UINT64_MAX)
		return rank < sim_qp_at(s, s->live.left[h])->blk_n ? s->live.left[h] + rank : SIM_NONE;
	/* a packet for a sender half that is gone, or data for a flow that finished here */
	if (!data || (src->rx_done && (src->rx_done[xid / 64] >> (xid % 64) & 1)))
		return sim_split_revive(s, src, xid, rank);
	f = sim_src_make(s, src, xid);
	if (!f)
		return SIM_NONE;
	f->start_ps = start_ps;
	f->started = true;
	return rank < f->nqps ? f->first_qp + rank : SIM_NONE;
}

struct sim_flow *sim_split_kept(struct sim *s, struct sim_src *src, uint64_t xid, bool make)
{
	struct sim_flow *f;

	if (!src->kept)
		return NULL;
	if (src->kept[xid] != SIM_NONE)
		return sim_lflow_at(s, src->kept[xid]);
	if (!make || !(f = sim_src_slot(s, src, xid)))
		return NULL;
	src->kept[xid] = f->slot;
	return f;
}

int sim_split_prepare(struct sim *s)
{
	for (uint32_t k = 0; k < s->nsrcs; k++) {
		struct sim_src *src = s->srcs[k];

		src->rx_done = calloc(src->count / 64 + 1, sizeof(uint64_t));
		if (!src->rx_done) {
			sim_fail(s, -ENOMEM, "out of memory for the finished transfers of %llu",
				 (unsigned long long)src->count);
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- making a source's transfers into flows ----------------------------- */

/* The flow of SRC's transfer XID, as sim_add_flow / sim_add_local_flow made it, into F (zeroed). */
static void sim_src_fill(const struct sim *s, struct sim_src *src, uint64_t xid, struct sim_flow *f)
{
	const struct sim_topo *t = s->topo;
	struct sim_flow_desc d;

	src->ops->describe(src, xid, &d);
	f->ev.type = SIM_EV_FLOW_START;
	f->id = src->first_id + xid;
	f->lsrc = src;
	f->xid = xid;
	f->src = t->hosts[d.src_host];
	f->dst = t->hosts[d.dst_host];
	f->bytes = d.bytes;
	f->start_ps = src->start_ps;
	/* a local copy on one GPU was laid out as a flow to the next host: its rate is that host's NIC's */
	f->rate_bps = sim_topo_host_bps(t, f->src);
	f->local = d.local;
	f->local_rate_bps = d.local_rate_bps;
	f->local_lat_ps = d.local ? (d.src_host == d.dst_host ? 0 : d.local_lat_ps) : 0;
	f->post_ps = d.post_ps;
	f->conn_tag = d.local ? 0 : d.conn_tag;
	f->conn_dup = d.local ? 0 : d.conn_dup;
	f->root = !src->ops->ndeps(src, xid);
}

/*
 * SRC's transfer XID, whose dependencies are all done, as a flow with its
 * QPs, ready to be scheduled; NULL when the run failed (out of memory).
 */
static struct sim_flow *sim_src_slot(struct sim *s, struct sim_src *src, uint64_t xid)
{
	struct sim_flow *f = sim_lflow_alloc(s);
	uint32_t slot;

	if (!f)
		return NULL;
	slot = f->slot;
	sim_src_fill(s, src, xid, f);
	f->slot = slot;
	return f;
}

static struct sim_flow *sim_src_make(struct sim *s, struct sim_src *src, uint64_t xid)
{
	struct sim_flow *f = sim_src_slot(s, src, xid);

	if (!f)
		return NULL;
	if (sim_flow_qps(s, f, src->slot0 ? src->slot0[xid] : 0))
		return NULL;
	if (src->kept)
		src->kept[xid] = f->slot;
	if (sim_dist_split(s) && sim_split_hold(s, f))
		return NULL;
	return f;
}

/*
 * Makes and schedules XID of SRC at START (its dependencies are done):
 * keyed by its flow id at SETUP (a root), else by the LP handling the
 * event that finished its last dependency. NULL when the run failed.
 */
static struct sim_flow *sim_src_start(struct sim *s, struct sim_src *src, uint64_t xid, uint64_t start_ps,
				      bool setup)
{
	struct sim_flow *f = sim_src_make(s, src, xid);

	if (!f)
		return NULL;
	f->start_ps = coll_add_sat_u64(start_ps > f->start_ps ? start_ps : f->start_ps, s->cfg.msg_overhead_ps);
	sim_schedule_seq(s, f->start_ps, setup ? sim_seq_setup(s, f->id) : sim_seq_take(s), &f->ev);
	return f;
}

static int sim_src_roots(struct sim *s, struct sim_src *src)
{
	uint64_t cursor = 0, out[64];
	uint32_t n;

	while ((n = src->ops->roots(src, &cursor, out, 64)) > 0) {
		for (uint32_t i = 0; i < n; i++) {
			struct sim_flow *f, tmp;

			/* a split run makes a root where its sender is; every part counts it */
			if (sim_dist_split(s)) {
				memset(&tmp, 0, sizeof(tmp));
				sim_src_fill(s, src, out[i], &tmp);
				if (!sim_dist_owns(s, tmp.src)) {
					s->first_byte_need += !tmp.local;
					continue;
				}
			}
			f = sim_src_start(s, src, out[i], 0, true);

			if (!f)
				return s->error ? s->error : -ENOMEM;
			/* the all-active window waits for these (sim_flow_first_byte) */
			s->first_byte_need += !f->local;
		}
	}
	return s->error;
}

/* One more dependency of SRC's transfer XID is done, now: it starts when that was the last. */
static void sim_src_count(struct sim *s, struct sim_src *src, uint64_t xid, uint64_t now)
{
	if (sim_wait_count(s, src->first_id + xid, src->ops->ndeps(src, xid)))
		sim_src_start(s, src, xid, now, false);
}

/* Whether host nodes A and B sit in one server of SRC's (NVLink) or of the topology. */
static bool sim_same_server(const struct sim *s, const struct sim_src *src, uint32_t a, uint32_t b)
{
	const struct sim_topo *t = s->topo;
	uint32_t g = t->gpus_per_server ? t->gpus_per_server : 1, ia = t->nodes[a].index, ib = t->nodes[b].index;

	if (ia / g == ib / g)
		return true;
	g = src->server_hosts ? src->server_hosts : 1;
	return ia / g == ib / g;
}

/*
 * Transfer ID, whose rank sits on host node TO, is told at ARRIVE_PS that
 * one of its dependencies is done: a note scheduled there, or sent to the
 * part that holds TO (a split run). Keyed by the LP that saw the finish.
 */
static void sim_dep_note(struct sim *s, uint64_t id, uint32_t to, uint64_t arrive_ps)
{
	struct sim_pkt *p = sim_pkt_alloc(s);

	if (!p)
		return;
	p->ev.type = SIM_EV_DEP_NOTE;
	p->kind = SIM_PKT_NOTE;
	p->prio = SIM_PRIO_DATA;
	p->qp = SIM_NONE;
	p->psn = (uint32_t)id;
	p->sack_psn = (uint32_t)(id >> 32);
	p->src = p->dst = to;
	p->in_port = s->topo->nodes[to].first_port;
	p->wire_bytes = 0;
	p->sent_ps = sim_now(s);
	if (s->dist && !sim_dist_owns(s, to))
		sim_dist_send(s, arrive_ps, p);
	else
		sim_schedule(s, arrive_ps, &p->ev);
}

void sim_dep_noted(struct sim *s, struct sim_pkt *p)
{
	uint64_t id = (uint64_t)p->sack_psn << 32 | p->psn;
	struct sim_src *src = sim_src_find(s, id);

	sim_pkt_free(s, p);
	assert(src);
	sim_src_count(s, src, id - src->first_id, sim_now(s));
}

/*
 * Where a rank learns that transfer X is done, for its successor Y (the
 * send's rank is the NIC's host, PXN included):
 *  - SIM_DEP_RECV: Y's rank sits in the server X delivers to (forwarding
 *    what arrived, or an NVLink peer): at X's finish.
 *  - SIM_DEP_SEND: Y's rank sent X: once X's last byte left its NIC. The
 *    ranks's sends go out in schedule order and a connection's messages
 *    in posting order (sim_sq_advance), so Y is posted behind X, not held
 *    until X is acknowledged: fabbench's rule too (verbs/exec.c, a send
 *    waits only for the sends it follows to start).
 *  - SIM_DEP_NOTE: anything else (two ranks reducing into a third's bytes
 *    one after the other): only when news of X could have reached Y's
 *    rank, one ACK-sized frame's latency from X's receiver, as a credit
 *    saying the buffer is free.
 * Each dependency is then counted where Y's rank is, and what crosses a
 * cut of a split run takes at least the lookahead.
 */
enum sim_dep_kind { SIM_DEP_RECV, SIM_DEP_SEND, SIM_DEP_NOTE };

static enum sim_dep_kind sim_dep_kind(const struct sim *s, const struct sim_flow *x, uint32_t y_src)
{
	if (sim_same_server(s, x->lsrc, x->dst, y_src))
		return SIM_DEP_RECV;
	if (sim_same_server(s, x->lsrc, x->src, y_src))
		return SIM_DEP_SEND;
	return SIM_DEP_NOTE;
}

/* X of a source reached stage KIND (SIM_DEP_SEND: sent, else finished at its receiver) at NOW. */
static void sim_src_tell(struct sim *s, struct sim_flow *x, enum sim_dep_kind stage, uint64_t now)
{
	struct sim_src *src = x->lsrc;
	uint64_t out[64], ack_wire = sim_wire_bytes(0, SIM_PKT_ACK);
	uint32_t n, from = 0;

	do {
		n = src->ops->succ(src, x->xid, from, out, 64);
		for (uint32_t i = 0; i < n && !s->error; i++) {
			struct sim_flow_desc d;
			enum sim_dep_kind k;
			uint32_t to;

			src->ops->describe(src, out[i], &d);
			to = s->topo->hosts[d.src_host];
			k = sim_dep_kind(s, x, to);
			/* a send counts when sent, the other two when finished */
			if ((k == SIM_DEP_SEND) != (stage == SIM_DEP_SEND))
				continue;
			if (k == SIM_DEP_NOTE)
				sim_dep_note(s, src->first_id + out[i], to,
					     coll_add_sat_u64(now, sim_path_ps(s, x->dst, to, ack_wire)));
			else
				sim_src_count(s, src, out[i], now);
		}
		from += n;
	} while (n == 64 && !s->error);
}

void sim_flow_sent(struct sim *s, struct sim_flow *f)
{
	if (f->lsrc)
		sim_src_tell(s, f, SIM_DEP_SEND, sim_now(s));
}

/* F of a source is done at NOW, at its receiver: its successors learn it (sim_dep_kind). */
static void sim_src_done(struct sim *s, struct sim_flow *f, uint64_t now)
{
	struct sim_src *src = f->lsrc;

	sim_src_tell(s, f, SIM_DEP_RECV, now);
	if (src->ops->done)
		src->ops->done(src, s, f);
}

/* The source holding flow ID, or NULL: ID is an added flow. */
struct sim_src *sim_src_find(const struct sim *s, uint64_t id)
{
	uint32_t lo = 0, hi = s->nsrcs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct sim_src *src = s->srcs[mid];

		if (id < src->first_id)
			hi = mid;
		else if (id >= src->first_id + src->count)
			lo = mid + 1;
		else
			return s->srcs[mid];
	}
	return NULL;
}

const struct sim_flow *sim_flow_get(const struct sim *s, uint64_t id, struct sim_flow *tmp)
{
	struct sim_src *src = sim_src_find(s, id);
	uint32_t lo = 0, hi = s->nadded;

	if (src) {
		uint64_t xid = id - src->first_id;

		if (src->kept && src->kept[xid] != SIM_NONE)
			return sim_lflow_at(s, src->kept[xid]);
		memset(tmp, 0, sizeof(*tmp));
		sim_src_fill(s, src, xid, tmp);
		tmp->slot = SIM_NONE;
		return tmp;
	}
	/* added flows: ascending ids */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->flows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nadded && s->flows[lo].id == id)
		return &s->flows[lo];
	/* no such flow: an empty one */
	memset(tmp, 0, sizeof(*tmp));
	tmp->id = id;
	tmp->slot = SIM_NONE;
	return tmp;
}

/* Start of a local transfer: wait for the GPU's local egress, then occupy it. */
static void sim_local_start(struct sim *s, struct sim_flow *f)
{
	uint64_t now = sim_now(s), begin = now, done;
	uint32_t h = s->topo->nodes[f->src].index;

	f->started = true;
	if (f->src == f->dst) {
		done = now;
	} else {
		if (s->local_busy_ps[h] > begin)
			begin = s->local_busy_ps[h];
		s->local_busy_ps[h] = coll_add_sat_u64(begin, sim_ser_ps(f->bytes, f->local_rate_bps));
		done = coll_add_sat_u64(s->local_busy_ps[h], f->local_lat_ps);
	}
	f->ev.type = SIM_EV_LOCAL_DONE;
	sim_schedule(s, done, &f->ev);
}

void sim_flow_start(struct sim *s, struct sim_flow *f)
{
	if (f->local)
		sim_local_start(s, f);
	else
		sim_nic_flow_start(s, f);
}

void sim_flow_local_done(struct sim *s, struct sim_flow *f)
{
	if (f->local)
		f->rx_bytes = f->bytes;
	sim_flow_done(s, f);
}

void sim_bytes_resolve(struct sim *s)
{
	if (s->bytes_open & SIM_BYTES_MARK)
		s->mark_bytes = s->c.delivered_bytes;
	if (s->bytes_open & SIM_BYTES_FIRST_FINISH)
		s->first_finish_bytes = s->c.delivered_bytes;
	s->bytes_open = 0;
}

/* The payload delivered at times <= now goes into the counts WHICH (SIM_BYTES_*). */
static void sim_bytes_open(struct sim *s, uint8_t which)
{
	sim_bytes_before_delivery(s);
	s->bytes_open |= which;
	s->bytes_open_ps = sim_now(s);
}

void sim_flow_first_byte(struct sim *s, struct sim_flow *f)
{
	uint64_t now = sim_now(s);

	/*
	 * The window waits for the flows that wait on nothing (a successor
	 * may start before any flow finished: one posted behind a send that
	 * left its NIC); once one finished before now the window can no
	 * longer open (one that finished at now, before this event or after,
	 * does not close it: the definition is per instant).
	 */
	if (!f->root)
		return;
	if (s->dist)
		sim_dist_first_byte(s);
	if (++s->first_byte_flows != s->first_byte_need || (s->flows_done && s->first_finish_ps < now))
		return;
	s->mark_ps = now;
	sim_bytes_open(s, SIM_BYTES_MARK);
}

void sim_flow_done(struct sim *s, struct sim_flow *f)
{
	uint64_t now = sim_now(s);

	if (f->post_ps && !f->post_done) {
		/* the receiver still reduces what arrived before anyone may use it */
		f->post_done = true;
		f->ev.type = SIM_EV_LOCAL_DONE;
		sim_schedule(s, coll_add_sat_u64(now, f->post_ps), &f->ev);
		return;
	}
	f->finish_ps = now;
	f->done = true;
	if (s->dist)
		sim_dist_finished(s);
	s->last_finish_ps = now;
	/* a split run's part sees only its own flows: dist.c tells it */
	s->ended = s->flows_done + 1 >= s->nflows && !sim_dist_split(s);
	if (!s->flows_done++) {
		s->first_finish_ps = now;
		sim_bytes_open(s, SIM_BYTES_FIRST_FINISH);
	}
	if (f->lsrc && f->lsrc->rx_done)
		f->lsrc->rx_done[f->xid / 64] |= 1ULL << (f->xid % 64);
	if (f->lsrc)
		sim_src_done(s, f, now);
	if (f->qps_live)
		sim_qp_maybe_idle(s, sim_qp_at(s, f->first_qp));
	sim_flow_recycle(s, f);
}

/*
 * The first QP slot of every network flow, in id order (sim_first_slot):
 * 0 for a flow split over all slots; for a whole message (split off), its
 * rank among its connection's messages in flow id order (the order a
 * schedule posts them) modulo NQ, the round-robin of ncclIbMultiSend
 * (qpIndex advances by one per message, src/transport/net_ib.cc).
 */
struct sim_slots {
	struct sim_ktab *tab;		/* (src, dst, conn_tag) -> counter */
	uint32_t *count;
	uint32_t cap;
};

static uint32_t sim_first_slot(struct sim *s, struct sim_slots *sl, const struct sim_flow *f, uint32_t nq)
{
	uint32_t g;
	bool fresh;

	if (f->local || sim_flow_split_qps(s, f) || nq == 1)
		return 0;
	g = sim_ktab_get(sl->tab, (uint64_t)f->src << 32 | f->dst, f->conn_tag, &fresh);
	if (g == SIM_NONE)
		return SIM_NONE;
	if (g >= sl->cap) {
		uint32_t cap = sl->cap ? 2 * sl->cap : 1024, *v = realloc(sl->count, cap * sizeof(*v));

		if (!v)
			return SIM_NONE;
		memset(v + sl->cap, 0, (cap - sl->cap) * sizeof(*v));
		sl->count = v;
		sl->cap = cap;
	}
	return sl->count[g]++ % nq;
}

/* The connections of a source's flow F, made in the order its QPs would have made them. */
static int sim_src_conns(struct sim *s, const struct sim_flow *f, uint32_t first_slot, uint32_t nq)
{
	uint32_t n = sim_flow_nqps(s, f, nq), per = n / sim_flow_dup(f);

	for (uint32_t k = 0; k < n; k++) {
		uint32_t slot = first_slot + k % per;

		if (sim_conn_get(s, f->src, f->dst, f->conn_tag + k / per, slot, slot % s->topo->nplanes,
				 f->rate_bps) == SIM_NONE)
			return -ENOMEM;
	}
	return 0;
}

/* Flow I of the run's id order: added flow A, or transfer X of source K. */
struct sim_walk {
	uint32_t a, k;
	uint64_t x;
};

/* The next flow of W into TMP or as a pointer, NULL at the end. */
static struct sim_flow *sim_walk_next(struct sim *s, struct sim_walk *w, struct sim_flow *tmp)
{
	while (w->k < s->nsrcs && w->x >= s->srcs[w->k]->count) {
		w->k++;
		w->x = 0;
	}
	if (w->a < s->nadded && (w->k >= s->nsrcs || s->flows[w->a].id < s->srcs[w->k]->first_id))
		return &s->flows[w->a++];
	if (w->k >= s->nsrcs)
		return NULL;
	memset(tmp, 0, sizeof(*tmp));
	sim_src_fill(s, s->srcs[w->k], w->x++, tmp);
	return tmp;
}

int sim_flows_layout(struct sim *s)
{
	uint32_t nq = s->cfg.qps_per_flow ? s->cfg.qps_per_flow : 1;
	struct sim_slots sl = { 0 };
	struct sim_walk w = { 0 };
	struct sim_flow tmp, *f;
	int rc = 0;

	s->flow_free = SIM_NONE;
	sl.tab = sim_ktab_new(s->nadded);
	if (!sl.tab)
		return -ENOMEM;
	for (uint32_t k = 0; k < s->nsrcs; k++) {
		struct sim_src *src = s->srcs[k];

		if (nq > 1 && !(src->slot0 = malloc(src->count ? src->count : 1)))
			rc = -ENOMEM;
		if (s->keep_flows && !(src->kept = malloc((src->count ? src->count : 1) * sizeof(*src->kept))))
			rc = -ENOMEM;
		if (src->kept)
			memset(src->kept, 0xff, src->count * sizeof(*src->kept));
	}
	/* every flow in id order: the connections come out numbered as they always were */
	while (!rc && (f = sim_walk_next(s, &w, &tmp))) {
		uint32_t first = sim_first_slot(s, &sl, f, nq);

		if (first == SIM_NONE)
			rc = -ENOMEM;
		else if (f != &tmp)
			rc = sim_flow_qps(s, f, first);
		else if (!(rc = sim_src_conns(s, f, first, nq)) && f->lsrc->slot0)
			f->lsrc->slot0[f->xid] = (uint8_t)first;
		if (s->dist)
			sim_dist_place(s, f);
	}
	sim_ktab_free(sl.tab);
	free(sl.count);
	return rc;
}

int sim_flows_schedule(struct sim *s)
{
	struct sim_walk w = { 0 };

	/* added flows and sources' roots, in id order: the events' order */
	for (;;) {
		while (w.k < s->nsrcs && w.a < s->nadded && s->flows[w.a].id > s->srcs[w.k]->first_id) {
			if (sim_src_roots(s, s->srcs[w.k++]))
				return s->error ? s->error : -ENOMEM;
		}
		if (w.a >= s->nadded)
			break;
		{
			struct sim_flow *f = &s->flows[w.a++];

			f->start_ps = coll_add_sat_u64(f->start_ps, s->cfg.msg_overhead_ps);
			/* a split run starts a flow in the part of its sender */
			if (sim_dist_owns(s, f->src))
				sim_schedule_seq(s, f->start_ps, sim_seq_setup(s, f->id), &f->ev);
			/* the all-active window waits for these (sim_flow_first_byte) */
			s->first_byte_need += !f->local;
		}
	}
	while (w.k < s->nsrcs)
		if (sim_src_roots(s, s->srcs[w.k++]))
			return s->error ? s->error : -ENOMEM;
	return s->error;
}

void sim_flows_free(struct sim *s)
{
	for (uint32_t k = 0; k < s->nsrcs; k++) {
		free(s->srcs[k]->slot0);
		free(s->srcs[k]->kept);
		free(s->srcs[k]->rx_done);
		s->srcs[k]->ops->release(s->srcs[k]);
	}
	free(s->srcs);
	for (uint32_t i = 0; i < s->flow_slabs; i++)
		free(s->flow_slab[i]);
	free(s->flow_slab);
	for (uint32_t i = 0; i < s->qp_slabs; i++) {
		free(s->qp_slab[i]);
		free(s->bm_slab[i]);
	}
	free(s->qp_slab);
	free(s->bm_slab);
	free(s->qp_free);
	free(s->wait.key);
	free(s->wait.left);
	free(s->live.key);
	free(s->live.left);
	sim_ktab_free(s->conn_tab);
	free(s->conns);
	free(s->flows);
}
