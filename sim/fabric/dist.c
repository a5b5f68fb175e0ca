/*
 * A run split over processes (dist.h): the outbox of frames crossing a
 * cut, the window loop, the figures that need every part (the all-active
 * window, the first finish, the PFC watchdog) and the gathering of the
 * results into part 0.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim/fabric/sim.h"
#include "sim/fabric/dist.h"
#include "sim/fabric/dist_priv.h"

static int sim_buf_reserve(struct sim_buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *d;

	if (b->len + extra <= b->cap)
		return 0;
	while (cap < b->len + extra)
		cap *= 2;
	d = realloc(b->data, cap);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

int sim_buf_put(struct sim_buf *b, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (sim_buf_reserve(b, n))
		return -ENOMEM;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static void sim_buf_free(struct sim_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static double sim_dist_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

bool sim_dist_owns(const struct sim *s, uint32_t node)
{
	return !s->dist || s->dist->part[node] == s->dist->me;
}

bool sim_dist_split(const struct sim *s)
{
	return s->dist && s->dist->nparts > 1;
}

uint64_t sim_dist_lookahead(const struct sim *s)
{
	return s->dist ? s->dist->lookahead_ps : UINT64_MAX;
}

const struct sim_dist_stats *sim_dist_stats(const struct sim *s)
{
	return s->dist ? &s->dist->st : NULL;
}

void sim_dist_free(struct sim *s)
{
	struct sim_dist *d = s->dist;

	if (!d)
		return;
	for (uint32_t i = 0; i < d->nparts; i++) {
		sim_buf_free(&d->out[i]);
		sim_buf_free(&d->in[i]);
	}
	free(d->out);
	free(d->in);
	if (d->trace_mem) {
		if (s->trace == d->trace_mem)
			s->trace = NULL;
		fclose(d->trace_mem);
	}
	free(d->trace_buf);
	free(d->log);
	free(d->tail);
	free(d->seen);
	free(d->watch_bits);
	free(s->xnames);
	s->xnames = NULL;
	free(d);
	s->dist = NULL;
}

int sim_dist_attach(struct sim *s, uint32_t nparts, uint32_t me, const uint32_t *part, uint64_t lookahead_ps)
{
	struct sim_dist *d;

	if (!nparts || me >= nparts || !part || (nparts > 1 && !lookahead_ps) || s->prepared || s->dist) {
		sim_fail(s, -EINVAL, "a distributed run needs a part below %u, a partition and a lookahead", nparts);
		return -EINVAL;
	}
	if (s->nlink_evs) {
		/* fail.c: the changes live in the topology, which a split run's parts may share */
		sim_fail(s, -EINVAL, "links failing or restored during the run (--fail-at, --restore-at) are not supported in a run split over processes; run it in one process");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->nparts = nparts;
	d->me = me;
	d->part = part;
	d->lookahead_ps = nparts > 1 ? lookahead_ps : UINT64_MAX;
	d->out = calloc(nparts, sizeof(*d->out));
	d->in = calloc(nparts, sizeof(*d->in));
	d->watch_bits = calloc((s->topo->nports + 63) / 64 + 1, sizeof(uint64_t));
	d->seen = calloc(s->topo->nports + 1, 1);
	s->dist = d;
	if (!d->out || !d->in || !d->watch_bits || !d->seen) {
		sim_dist_free(s);
		return -ENOMEM;
	}
	return 0;
}

int sim_dist_trace_port(struct sim *s, uint32_t port, uint64_t interval_ps, FILE *out)
{
	struct sim_dist *d = s->dist;

	d->trace_out = out;
	d->trace_mem = open_memstream(&d->trace_buf, &d->trace_len);
	if (!d->trace_mem)
		return -ENOMEM;
	sim_trace_port(s, port, interval_ps, d->trace_mem);
	return 0;
}

/* Rows of the named trace past LAST_PS go: a part sampled them before it knew the run had ended. */
static void sim_dist_trace_cut(struct sim *s, uint64_t last_ps)
{
	struct sim_dist *d = s->dist;
	uint64_t keep;
	size_t off = 0;

	if (!d->trace_mem)
		return;
	keep = last_ps / s->trace_interval_ps + 1;
	if (s->trace_next <= keep)
		return;
	fflush(d->trace_mem);
	for (uint64_t rows = 0; off < d->trace_len && rows < keep; off++)
		rows += d->trace_buf[off] == '\n';
	fseeko(d->trace_mem, (off_t)off, SEEK_SET);
	fflush(d->trace_mem);
	s->trace_next = keep;
}

/* The owner's rows into part 0's file. */
static int sim_dist_gather_named(struct sim *s, const struct sim_comm_ops *ops, void *ctx)
{
	struct sim_dist *d = s->dist;
	struct sim_buf mine = { 0 };
	int rc = 0;

	if (!d->trace_mem)
		return 0;
	fflush(d->trace_mem);
	if (sim_dist_owns(s, s->topo->ports[s->trace_port].node) && !s->error)
		rc = sim_buf_put(&mine, d->trace_buf, d->trace_len);
	for (uint32_t i = 0; i < d->nparts; i++)
		d->in[i].len = 0;
	if (ops->gather(ctx, &mine, d->in) || rc)
		sim_fail(s, rc ? rc : -EIO, "the parts could not gather the port's trace");
	s->trace = d->trace_out;
	for (uint32_t i = 0; i < d->nparts && !d->me && !s->error && d->trace_out; i++)
		if (d->in[i].len && fwrite(d->in[i].data, 1, d->in[i].len, d->trace_out) != d->in[i].len)
			sim_fail(s, -EIO, "cannot write the port's trace");
	sim_buf_free(&mine);
	return s->error;
}

/* ---- frames crossing a cut ------------------------------------------------ */

/*
 * A frame in an outbox: when and under which key it arrives, the packet,
 * then, for a lazy flow's packet (pkt.qp == SIM_DIST_NAMED), the name of
 * its QP, then its INT hops. An added flow's QPs have the same index in
 * every part (laid out alike); a lazy flow's have an index of their own
 * in each, so its packets name the flow, the QP's rank in it, its plane
 * and the flow's start.
 */
struct sim_dist_frame {
	uint64_t time_ps;
	uint64_t seq;
	struct sim_pkt pkt;	/* ev, next and int_rec mean nothing to the receiver */
};

struct sim_dist_name {
	uint64_t flow_id;	/* UINT64_MAX: none (in memory only) */
	uint64_t start_ps;
	uint32_t rank, plane;
};

#define SIM_DIST_NAMED (SIM_NONE - 1)

void sim_xname_put(struct sim *s, uint32_t qp)
{
	uint32_t i = qp & ~SIM_QP_XNAME;

	s->xnames[i].plane = s->xname_free;
	s->xname_free = i;
}

/* P, of a lazy flow whose end is not here, passes through under the name N. */
static int sim_dist_xname(struct sim *s, struct sim_pkt *p, const struct sim_dist_name *n)
{
	struct sim_xname *x;
	uint32_t i;

	if (!s->xnames)
		s->xname_free = SIM_NONE;
	if (s->xname_free == SIM_NONE && s->xnames_n == s->xnames_cap) {
		uint32_t cap = s->xnames_cap ? 2 * s->xnames_cap : 1024;

		x = cap < SIM_QP_XNAME - 1 ? realloc(s->xnames, cap * sizeof(*x)) : NULL;
		if (!x) {
			sim_fail(s, -ENOMEM, "out of memory for %u packets passing through", s->xnames_n);
			return -ENOMEM;
		}
		s->xnames = x;
		s->xnames_cap = cap;
	}
	if (s->xname_free != SIM_NONE) {
		i = s->xname_free;
		s->xname_free = s->xnames[i].plane;
	} else {
		i = s->xnames_n++;
	}
	x = &s->xnames[i];
	x->flow_id = n->flow_id;
	x->start_ps = n->start_ps;
	x->rank = n->rank;
	x->plane = n->plane;
	p->qp = SIM_QP_XNAME | i;
	return 0;
}

/* The name of P's QP in N, for a lazy flow's packet (flow_id UINT64_MAX: none). */
static void sim_dist_name_qp(struct sim *s, struct sim_pkt *p, struct sim_dist_name *n)
{
	const struct sim_qp *qp;

	n->flow_id = UINT64_MAX;
	if (sim_qp_is_xname(p->qp)) {
		const struct sim_xname *x = &s->xnames[p->qp & ~SIM_QP_XNAME];

		*n = (struct sim_dist_name){ .flow_id = x->flow_id, .start_ps = x->start_ps, .rank = x->rank,
					     .plane = x->plane };
		sim_xname_put(s, p->qp);
		p->qp = SIM_NONE;
		return;
	}
	if (p->kind == SIM_PKT_PAUSE || p->kind == SIM_PKT_NOTE || p->qp >= s->nqps)
		return;
	qp = sim_qp_at(s, p->qp);
	if (!sim_src_find(s, qp->flow_id))
		return;
	*n = (struct sim_dist_name){ .flow_id = qp->flow_id, .start_ps = qp->flow ? qp->flow->start_ps : 0,
				     .rank = p->qp - qp->blk_first, .plane = qp->plane };
}

void sim_dist_send(struct sim *s, uint64_t arrive_ps, struct sim_pkt *p)
{
	struct sim_dist *d = s->dist;
	uint32_t to = d->part[s->topo->ports[p->in_port].node];
	const struct sim_int_hop *hops = sim_pkt_hops(s, p);
	struct sim_dist_frame fr = { .time_ps = arrive_ps, .seq = sim_seq_take(s), .pkt = *p };
	struct sim_buf *b = &d->out[to];
	struct sim_dist_name n;

	sim_dist_name_qp(s, p, &n);
	assert(to != d->me && arrive_ps >= sim_now(s) + d->lookahead_ps);
	fr.pkt.nhops = hops ? p->nhops : 0;
	if (n.flow_id != UINT64_MAX)
		fr.pkt.qp = SIM_DIST_NAMED;
	if (sim_buf_put(b, &fr, sizeof(fr)) || (n.flow_id != UINT64_MAX && sim_buf_put(b, &n, sizeof(n))) ||
	    (fr.pkt.nhops && sim_buf_put(b, hops, fr.pkt.nhops * sizeof(*hops))))
		sim_fail(s, -ENOMEM, "out of memory for the frames to part %u", to);
	d->st.frames_out++;
	sim_pkt_free(s, p);
}

/* The frames part FROM sent: arrivals here, under the keys their sender gave them. */
static int sim_dist_import(struct sim *s, uint32_t from, const struct sim_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		struct sim_dist_name n = { .flow_id = UINT64_MAX };
		struct sim_dist_frame fr;
		struct sim_pkt *p;

		if (b->len - off < sizeof(fr))
			goto out_bad;
		memcpy(&fr, b->data + off, sizeof(fr));
		off += sizeof(fr);
		if (fr.pkt.qp == SIM_DIST_NAMED) {
			if (b->len - off < sizeof(n))
				goto out_bad;
			memcpy(&n, b->data + off, sizeof(n));
			off += sizeof(n);
			if (n.flow_id == UINT64_MAX)
				goto out_bad;
		}
		if (fr.pkt.in_port >= s->topo->nports || !sim_dist_owns(s, s->topo->ports[fr.pkt.in_port].node) ||
		    fr.pkt.nhops > s->int_hops || b->len - off < fr.pkt.nhops * sizeof(struct sim_int_hop))
			goto out_bad;
		/* a lazy flow's packet gets its QP where its end is, a name on the way */
		if (n.flow_id != UINT64_MAX && sim_dist_owns(s, fr.pkt.dst)) {
			fr.pkt.qp = sim_split_qp(s, n.flow_id, n.rank, n.start_ps, fr.pkt.kind == SIM_PKT_DATA);
			if (s->error)
				return s->error;
			if (fr.pkt.qp == SIM_NONE)
				goto out_bad;
		} else if (n.flow_id != UINT64_MAX) {
			fr.pkt.qp = SIM_NONE;
		}
		p = sim_pkt_alloc(s);
		if (!p)
			return s->error;
		fr.pkt.ev = p->ev;
		fr.pkt.next = NULL;
		fr.pkt.int_rec = 0;
		*p = fr.pkt;
		if (p->nhops) {
			if (sim_pkt_take_int(s, p))
				return s->error;
			memcpy(sim_pkt_hops(s, p), b->data + off, p->nhops * sizeof(struct sim_int_hop));
			off += p->nhops * sizeof(struct sim_int_hop);
		}
		/* the sender's copy of the QP let its reference go with the frame */
		if (p->kind != SIM_PKT_PAUSE && p->kind != SIM_PKT_NOTE && p->qp < s->nqps)
			sim_qp_ref(sim_qp_at(s, p->qp));
		if (p->kind == SIM_PKT_NOTE)
			p->ev.type = SIM_EV_DEP_NOTE;
		if (n.flow_id != UINT64_MAX && !sim_dist_owns(s, p->dst) && sim_dist_xname(s, p, &n))
			return s->error;
		sim_schedule_seq(s, fr.time_ps, fr.seq, &p->ev);
	}
	return s->error;
out_bad:
	sim_fail(s, -EPROTO, "part %u sent a malformed frame (byte %zu of %zu)", from, off, b->len);
	return -EPROTO;
}

/* ---- figures that need every part --------------------------------------------- */

static int sim_dist_reduce(struct sim *s, const struct sim_comm_ops *ops, void *ctx, uint64_t *v, uint32_t n,
			   enum sim_comm_op op)
{
	double t0 = sim_dist_wall();
	int rc = ops->allreduce(ctx, v, n, op);

	s->dist->st.wait_s += sim_dist_wall() - t0;
	if (rc)
		sim_fail(s, rc, "the parts could not agree (reduction failed)");
	return rc;
}

/* A window's log full at *CAP entries of SIZE bytes: doubles it (1024 at first): 0, or -ENOMEM (the run fails). */
static int sim_dist_grow(struct sim *s, void **log, size_t *cap, size_t size, const char *what)
{
	size_t n = *cap ? 2 * *cap : 1024;
	void *l = realloc(*log, n * size);

	if (!l) {
		sim_fail(s, -ENOMEM, "out of memory for %s", what);
		return -ENOMEM;
	}
	*log = l;
	*cap = n;
	return 0;
}

void sim_dist_note_port(struct sim *s, uint32_t port, uint8_t kind)
{
	struct sim_dist *d = s->dist;
	const struct sim_portq *q = &s->pq[port];
	const struct sim_portq_stats *st = &s->pst[port];

	if (d->ntail == d->tailcap &&
	    sim_dist_grow(s, (void **)&d->tail, &d->tailcap, sizeof(*d->tail), "the window's port statistics"))
		return;
	d->tail[d->ntail++] = (struct sim_dist_tail){
		.port = port, .kind = kind, .paused = q->paused, .t_ps = sim_now(s), .q_integral = q->q_integral,
		.q_last_ps = q->q_last_ps, .qbytes = q->qbytes[SIM_PRIO_DATA], .paused_ps = st->paused_ps,
		.since_ps = st->paused_since_ps,
	};
}

/*
 * The last flow of all finished at END_PS, within the window just run:
 * the time-weighted statistics stop there, as they do in one process
 * (sim_stats_now). A port's first change after END_PS puts its figures
 * back as they were then, integrated up to END_PS; its later pause changes
 * are replayed with the clock stopped at END_PS.
 */
static void sim_dist_take_back(struct sim *s, uint64_t end_ps)
{
	struct sim_dist *d = s->dist;

	memset(d->seen, 0, s->topo->nports);
	for (size_t i = 0; i < d->ntail; i++) {
		const struct sim_dist_tail *e = &d->tail[i];
		struct sim_portq *q = &s->pq[e->port];
		struct sim_portq_stats *st = &s->pst[e->port];

		if (e->t_ps <= end_ps)
			continue;
		if (e->kind == SIM_DIST_Q) {
			if (!(d->seen[e->port] & 1)) {
				d->seen[e->port] |= 1;
				q->q_integral = e->q_integral + (double)e->qbytes * (double)(end_ps - e->q_last_ps);
				q->q_last_ps = end_ps;
			}
			continue;
		}
		if (!(d->seen[e->port] & 2)) {
			d->seen[e->port] |= 2;
			st->paused_ps = e->paused_ps;
			st->paused_since_ps = e->since_ps;
		}
		if (e->kind == SIM_DIST_PAUSE_ON && !e->paused)
			st->paused_since_ps = end_ps;
		else if (e->kind == SIM_DIST_PAUSE_OFF && e->paused)
			st->paused_ps += end_ps - st->paused_since_ps;
	}
	d->ntail = 0;
	sim_trace_truncate(s, end_ps);
	sim_dist_trace_cut(s, end_ps);
	s->end_ps = end_ps;
	sim_trace_flush(s);
}


void sim_dist_delivered(struct sim *s)
{
	struct sim_dist *d = s->dist;
	uint64_t now = sim_now(s);

	if (d->nlog && d->log[d->nlog - 1].t_ps == now) {
		d->log[d->nlog - 1].bytes = s->c.delivered_bytes;
		return;
	}
	if (d->nlog == d->logcap &&
	    sim_dist_grow(s, (void **)&d->log, &d->logcap, sizeof(*d->log), "the window's deliveries"))
		return;
	d->log[d->nlog].t_ps = now;
	d->log[d->nlog++].bytes = s->c.delivered_bytes;
}

void sim_dist_first_byte(struct sim *s)
{
	s->dist->fb_last_ps = sim_now(s);
}

void sim_dist_finished(struct sim *s)
{
	struct sim_dist *d = s->dist;

	if (d->ff_ps == UINT64_MAX)
		d->ff_ps = sim_now(s);
}

/* Payload this part delivered at times <= T_PS, T_PS within the window just run. */
static uint64_t sim_dist_bytes_at(const struct sim_dist *d, uint64_t t_ps)
{
	size_t lo = 0, hi = d->nlog;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->log[mid].t_ps <= t_ps)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? d->log[lo - 1].bytes : d->log_base_bytes;
}


/* ---- the PFC watchdog over every part ----------------------------------------- */

/*
 * At a watchdog instant: the run is deadlocked when no part delivered
 * anything since the last instant and the ports that hold data while
 * paused, over every part, link switches in a cycle (switch.c's test,
 * on the union of the parts' ports).
 */
static int sim_dist_watch(struct sim *s, const struct sim_comm_ops *ops, void *ctx, bool *dead)
{
	struct sim_dist *d = s->dist;
	uint32_t words = (s->topo->nports + 63) / 64;
	uint64_t v = s->c.delivered_bytes, *bits = d->watch_bits;

	*dead = false;
	/* once every flow finished nothing can be stuck (as in one process) */
	if (!s->cfg.pfc || s->ended)
		return 0;
	if (sim_dist_reduce(s, ops, ctx, &v, 1, SIM_COMM_SUM))
		return -EIO;
	if (v != d->watch_bytes) {
		d->watch_bytes = v;
		return 0;
	}
	sim_pfc_waiting(s, bits);
	/* each port is one part's: a sum of disjoint bits is their union */
	if (sim_dist_reduce(s, ops, ctx, bits, words, SIM_COMM_SUM))
		return -EIO;
	*dead = sim_pfc_cycle(s, bits);
	return 0;
}

/* ---- the window loop ---------------------------------------------------------- */

/* Earliest event pending here, UINT64_MAX when none. */
static uint64_t sim_dist_next(struct sim *s)
{
	struct sim_heap_ent h;

	if (sim_evq_pop(&s->eng.q, &h))
		return UINT64_MAX;
	/* back under its own key: popping moved now_ps, which the next window sets again */
	if (sim_evq_push_seq(&s->eng.q, h.time_ps, h.seq, h.ev))
		sim_fail(s, -ENOMEM, "out of memory for events");
	return h.time_ps;
}

/* Sends the outboxes, takes the inboxes in: 0 or a negative errno. */
static int sim_dist_exchange(struct sim *s, const struct sim_comm_ops *ops, void *ctx)
{
	struct sim_dist *d = s->dist;
	double t0 = sim_dist_wall();
	int rc;

	for (uint32_t i = 0; i < d->nparts; i++) {
		d->st.bytes_out += d->out[i].len;
		d->in[i].len = 0;
	}
	rc = ops->exchange(ctx, d->out, d->in);
	d->st.wait_s += sim_dist_wall() - t0;
	for (uint32_t i = 0; i < d->nparts; i++)
		d->out[i].len = 0;
	if (rc) {
		sim_fail(s, rc, "the parts could not exchange frames");
		return rc;
	}
	if (s->error)
		return s->error;
	for (uint32_t i = 0; i < d->nparts && !s->error; i++)
		if (i != d->me)
			sim_dist_import(s, i, &d->in[i]);
	return s->error;
}

/*
 * What the parts agree on after each window, in one reduction (a minimum
 * of each): the next window's start, the lowest failed part, whether
 * every flow finished (each part: all of those placed here) and the
 * latest finish, whether every needed flow placed its first byte and the
 * latest first byte of the window, the window's earliest finish. A maximum
 * travels as its complement.
 */
enum {
	SIM_AG_NEXT, SIM_AG_FAILED, SIM_AG_DONE, SIM_AG_LAST, SIM_AG_FB_OK, SIM_AG_FB_PS, SIM_AG_FF_PS, SIM_AG_N
};

static int sim_dist_agree(struct sim *s, const struct sim_comm_ops *ops, void *ctx, uint64_t *v)
{
	struct sim_dist *d = s->dist;

	v[SIM_AG_NEXT] = sim_dist_next(s);
	v[SIM_AG_FAILED] = s->error ? d->me : UINT32_MAX;
	v[SIM_AG_DONE] = s->flows_done >= d->flows_here;
	v[SIM_AG_LAST] = UINT64_MAX - s->last_finish_ps;
	v[SIM_AG_FB_OK] = s->first_byte_flows >= d->need_here;
	v[SIM_AG_FB_PS] = UINT64_MAX - (d->fb_last_ps != UINT64_MAX ? d->fb_last_ps : 0);
	v[SIM_AG_FF_PS] = d->ff_ps;
	return sim_dist_reduce(s, ops, ctx, v, SIM_AG_N, SIM_COMM_MIN) ? -EIO : 0;
}

/*
 * The figures the window just run settled, over every part: the
 * all-active window opens when the last needed flow placed its first byte
 * (the latest such time) unless a flow finished before; the first finish
 * is the earliest; each with the payload every part delivered up to that
 * time. And the run's end: once every flow finished, at the latest
 * finish, every part stops its statistics there.
 */
static int sim_dist_resolve(struct sim *s, const struct sim_comm_ops *ops, void *ctx, const uint64_t *v)
{
	struct sim_dist *d = s->dist;
	bool mark = !d->mark_done && v[SIM_AG_FB_OK] && s->first_byte_need;
	bool ff = !d->ff_done && v[SIM_AG_FF_PS] != UINT64_MAX;
	uint64_t mark_ps = UINT64_MAX - v[SIM_AG_FB_PS], b[2];

	if (mark || ff) {
		b[0] = mark ? sim_dist_bytes_at(d, mark_ps) : 0;
		b[1] = ff ? sim_dist_bytes_at(d, v[SIM_AG_FF_PS]) : 0;
		if (sim_dist_reduce(s, ops, ctx, b, 2, SIM_COMM_SUM))
			return -EIO;
		if (ff) {
			d->ff_done = true;
			d->first_finish_ps = v[SIM_AG_FF_PS];
			d->first_finish_bytes = b[1];
		}
		if (mark) {
			d->mark_done = true;
			/* opens unless a flow finished strictly before */
			if (!d->ff_done || d->first_finish_ps >= mark_ps) {
				d->mark_ps = mark_ps;
				d->mark_bytes = b[0];
			}
		}
	}
	if (!s->ended && v[SIM_AG_DONE]) {
		s->last_finish_ps = UINT64_MAX - v[SIM_AG_LAST];
		s->ended = true;
		sim_dist_take_back(s, s->last_finish_ps);
	}
	d->ntail = 0;
	sim_trace_settle(s);
	return 0;
}

/* The last time of the window starting at W_PS: one lookahead, cut at stop_ps and at the watchdog's instant. */
static uint64_t sim_dist_window_end(const struct sim *s, uint64_t w_ps, uint64_t watch_ps)
{
	uint64_t last = coll_add_sat_u64(w_ps, s->dist->lookahead_ps - 1);

	if (s->cfg.stop_ps && last > s->cfg.stop_ps)
		last = s->cfg.stop_ps;
	if (last > watch_ps)
		last = watch_ps;
	return last;
}

/* At watchdog instant WATCH_PS: true when the parts found a deadlock (the run ends there). */
static bool sim_dist_deadlock(struct sim *s, const struct sim_comm_ops *ops, void *ctx, uint64_t watch_ps)
{
	bool dead;

	sim_dist_watch(s, ops, ctx, &dead);
	if (!dead || s->error)
		return false;
	s->deadlock = true;
	s->eng.q.now_ps = watch_ps;
	return true;
}

static int sim_dist_loop(struct sim *s, const struct sim_comm_ops *ops, void *ctx)
{
	struct sim_dist *d = s->dist;
	uint64_t v[SIM_AG_N], watch_ps = SIM_WATCHDOG_PS, last;

	/* every part makes the same collective calls, failed or not: the agreement stops them */
	if (sim_dist_agree(s, ops, ctx, v))
		return s->error;
	for (;;) {
		if (v[SIM_AG_FAILED] != UINT32_MAX) {
			if (!s->error)
				sim_fail(s, -ECANCELED, "part %u of the run failed", (uint32_t)v[SIM_AG_FAILED]);
			return s->error;
		}
		if (v[SIM_AG_NEXT] == UINT64_MAX)
			return 0;	/* drained: nothing left anywhere */
		if (s->cfg.stop_ps && v[SIM_AG_NEXT] > s->cfg.stop_ps) {
			s->eng.q.now_ps = s->cfg.stop_ps;
			return 0;
		}
		/* watchdog instants with no event in between: the state there is the one before the next event */
		for (; watch_ps < v[SIM_AG_NEXT]; watch_ps += SIM_WATCHDOG_PS)
			if (sim_dist_deadlock(s, ops, ctx, watch_ps))
				return 0;
		last = sim_dist_window_end(s, v[SIM_AG_NEXT], watch_ps);
		d->log_base_bytes = s->c.delivered_bytes;
		d->nlog = 0;
		d->fb_last_ps = UINT64_MAX;
		d->ff_ps = UINT64_MAX;
		if (!s->error)
			sim_run_window(s, last);
		d->st.windows++;
		sim_dist_exchange(s, ops, ctx);
		if (sim_dist_agree(s, ops, ctx, v) || sim_dist_resolve(s, ops, ctx, v))
			return s->error;
		if (last == watch_ps) {
			if (sim_dist_deadlock(s, ops, ctx, watch_ps))
				return 0;
			watch_ps += SIM_WATCHDOG_PS;
		}
		if (s->cfg.stop_ps && last == s->cfg.stop_ps && v[SIM_AG_FAILED] == UINT32_MAX) {
			s->eng.q.now_ps = s->cfg.stop_ps;
			return 0;
		}
	}
}

/* ---- gathering the results into part 0 -------------------------------------- */

/* What a part owns, as part 0 takes it. */
struct sim_dist_head {
	struct sim_counters c;
	uint64_t flows_done;
	uint64_t nports, nflows;	/* port records, then flow records, follow */
	uint64_t nkept;			/* then kept lazy flows' records, then each source's figures */
};

static void sim_dist_take_rx(struct sim_flow *to, const struct sim_flow *f);

/*
 * A kept lazy flow's record: the halves held here and what they changed
 * (the rest is the transfer's description, which part 0 has): 4 Mi
 * transfers' records stay well within one gather.
 */
struct sim_dist_kept {
	uint64_t id;
	uint64_t retx_pkts;		/* the sender's */
	uint64_t start_ps;
	uint64_t finish_ps, rx_bytes, ooo_pkts;	/* the receiver's */
	uint32_t max_reorder;
	uint8_t side;			/* bit 0: its sender's half, bit 1: its receiver's */
	bool started, post_done, done;
};

/* The kept lazy flows held here, then each source's figures (length first). */
static int sim_dist_pack_srcs(struct sim *s, struct sim_buf *b, uint64_t *nkept)
{
	int rc = 0;

	for (uint32_t k = 0; k < s->nsrcs && !rc; k++) {
		struct sim_src *src = s->srcs[k];

		for (uint64_t x = 0; src->kept && x < src->count && !rc; x++) {
			struct sim_flow *f = sim_split_kept(s, src, x, false);
			struct sim_dist_kept r;

			if (!f)
				continue;
			r = (struct sim_dist_kept){
				.id = f->id, .retx_pkts = sim_flow_retx(s, f), .start_ps = f->start_ps,
				.finish_ps = f->finish_ps, .rx_bytes = f->rx_bytes, .ooo_pkts = f->ooo_pkts,
				.max_reorder = f->max_reorder, .started = f->started, .post_done = f->post_done,
				.done = f->done,
				.side = (uint8_t)(sim_dist_owns(s, f->src) | sim_dist_owns(s, f->dst) << 1),
			};
			rc = sim_buf_put(b, &r, sizeof(r));
			++*nkept;
		}
	}
	for (uint32_t k = 0; k < s->nsrcs && !rc; k++) {
		struct sim_src *src = s->srcs[k];
		size_t at = b->len;
		uint64_t len = 0;

		if (!src->ops->pack)
			continue;
		rc = sim_buf_put(b, &len, sizeof(len)) || src->ops->pack(src, s, b);
		if (!rc) {
			len = b->len - at - sizeof(len);
			memcpy(b->data + at, &len, sizeof(len));
		}
	}
	return rc;
}

/* Part 0 takes another part's halves of the kept flows, and its sources' figures. */
static int sim_dist_unpack_srcs(struct sim *s, const struct sim_buf *b, size_t *off, uint64_t nkept, bool mine)
{
	for (uint64_t n = 0; n < nkept; n++) {
		struct sim_dist_kept r;
		struct sim_src *src;
		struct sim_flow *to;

		if (b->len - *off < sizeof(r))
			return -EPROTO;
		memcpy(&r, b->data + *off, sizeof(r));
		*off += sizeof(r);
		src = sim_src_find(s, r.id);
		if (!src || !src->kept)
			return -EPROTO;
		if (mine)
			continue;
		to = sim_split_kept(s, src, r.id - src->first_id, true);
		if (!to)
			return s->error ? s->error : -ENOMEM;
		if (r.side & 1) {
			to->start_ps = r.start_ps;
			to->started = r.started;
			to->retx_pkts = r.retx_pkts;
		}
		if (r.side & 2) {
			struct sim_flow rx = {
				.finish_ps = r.finish_ps, .rx_bytes = r.rx_bytes, .post_done = r.post_done,
				.done = r.done, .ooo_pkts = r.ooo_pkts, .max_reorder = r.max_reorder,
			};

			sim_dist_take_rx(to, &rx);
		}
	}
	for (uint32_t k = 0; k < s->nsrcs; k++) {
		struct sim_src *src = s->srcs[k];
		uint64_t len;

		if (!src->ops->pack)
			continue;
		if (b->len - *off < sizeof(len))
			return -EPROTO;
		memcpy(&len, b->data + *off, sizeof(len));
		*off += sizeof(len);
		if (b->len - *off < len)
			return -EPROTO;
		if (!mine && src->ops->merge(src, s, b->data + *off, len))
			return -EPROTO;
		*off += len;
	}
	return 0;
}

static int sim_dist_pack(struct sim *s, struct sim_buf *b)
{
	const struct sim_topo *t = s->topo;
	struct sim_dist_head h = { .c = s->c, .flows_done = s->flows_done };
	int rc;

	for (uint32_t port = 0; port < t->nports; port++)
		h.nports += sim_dist_owns(s, t->ports[port].node);
	for (uint32_t i = 0; i < s->nadded; i++)
		h.nflows += sim_dist_owns(s, s->flows[i].src) || sim_dist_owns(s, s->flows[i].dst);
	rc = sim_buf_put(b, &h, sizeof(h));
	if (rc)
		return -ENOMEM;

	for (uint32_t port = 0; port < t->nports && !rc; port++) {
		if (!sim_dist_owns(s, t->ports[port].node))
			continue;
		rc = sim_buf_put(b, &port, sizeof(port)) || sim_buf_put(b, &s->pq[port], sizeof(s->pq[port])) ||
		     sim_buf_put(b, &s->pst[port], sizeof(s->pst[port]));
	}
	for (uint32_t i = 0; i < s->nadded && !rc; i++) {
		const struct sim_flow *f = &s->flows[i];
		uint8_t side = (uint8_t)(sim_dist_owns(s, f->src) | sim_dist_owns(s, f->dst) << 1);

		if (!side)
			continue;
		rc = sim_buf_put(b, &i, sizeof(i)) || sim_buf_put(b, &side, 1) || sim_buf_put(b, f, sizeof(*f));
		/* the sender's QPs count its retransmissions */
		for (uint32_t k = 0; (side & 1) && !f->local && k < f->nqps && !rc; k++)
			rc = sim_buf_put(b, &sim_qp_at(s, f->first_qp + k)->retx_pkts, sizeof(uint64_t));
	}
	if (!rc && sim_dist_split(s))
		rc = sim_dist_pack_srcs(s, b, &h.nkept);
	if (!rc)
		memcpy(b->data, &h, sizeof(h));
	return rc ? -ENOMEM : 0;
}

static void sim_dist_counters_add(struct sim_counters *to, const struct sim_counters *c)
{
	uint64_t *a = (uint64_t *)to;
	const uint64_t *x = (const uint64_t *)c;

	static_assert(sizeof(*to) % sizeof(uint64_t) == 0, "struct sim_counters holds uint64_t only");
	for (size_t i = 0; i < sizeof(*to) / sizeof(uint64_t); i++)
		a[i] += x[i];
}

/* Receiver's side of a flow: what nic.c and flows.c change where it is placed. */
static void sim_dist_take_rx(struct sim_flow *to, const struct sim_flow *f)
{
	to->finish_ps = f->finish_ps;
	to->rx_bytes = f->rx_bytes;
	to->post_done = f->post_done;
	to->done = f->done;
	to->ooo_pkts = f->ooo_pkts;
	to->max_reorder = f->max_reorder;
}

static int sim_dist_unpack(struct sim *s, uint32_t from, const struct sim_buf *b, struct sim_counters *c,
			   uint64_t *flows_done)
{
	const struct sim_topo *t = s->topo;
	struct sim_dist_head h;
	size_t off = sizeof(h);

	if (b->len < sizeof(h))
		goto out_bad;
	memcpy(&h, b->data, sizeof(h));
	sim_dist_counters_add(c, &h.c);
	*flows_done += h.flows_done;
	for (uint64_t n = 0; n < h.nports; n++) {
		uint32_t port;
		struct sim_portq q;

		if (b->len - off < sizeof(port) + sizeof(q) + sizeof(struct sim_portq_stats))
			goto out_bad;
		memcpy(&port, b->data + off, sizeof(port));
		if (port >= t->nports || s->dist->part[t->ports[port].node] != from)
			goto out_bad;
		off += sizeof(port);
		memcpy(&q, b->data + off, sizeof(q));
		off += sizeof(q);
		if (from) {
			/* its queues' packets are that part's: only the figures come */
			q.head[0] = q.head[1] = q.tail[0] = q.tail[1] = NULL;
			s->pq[port] = q;
			memcpy(&s->pst[port], b->data + off, sizeof(s->pst[port]));
		}
		off += sizeof(struct sim_portq_stats);
	}
	for (uint64_t n = 0; n < h.nflows; n++) {
		uint32_t id;
		uint8_t side;
		struct sim_flow f, *to;

		if (b->len - off < sizeof(id) + 1 + sizeof(f))
			goto out_bad;
		memcpy(&id, b->data + off, sizeof(id));
		memcpy(&side, b->data + off + sizeof(id), 1);
		memcpy(&f, b->data + off + sizeof(id) + 1, sizeof(f));
		off += sizeof(id) + 1 + sizeof(f);
		if (id >= s->nadded)
			goto out_bad;
		to = &s->flows[id];
		if ((side & 1) && from) {
			struct sim_flow keep = *to;

			*to = f;
			to->ev = keep.ev;
			to->lsrc = keep.lsrc;
			sim_dist_take_rx(to, &keep);
		}
		if ((side & 2) && from)
			sim_dist_take_rx(to, &f);
		for (uint32_t k = 0; (side & 1) && !f.local && k < f.nqps; k++) {
			if (b->len - off < sizeof(uint64_t))
				goto out_bad;
			if (from)
				memcpy(&sim_qp_at(s, to->first_qp + k)->retx_pkts, b->data + off, sizeof(uint64_t));
			off += sizeof(uint64_t);
		}
	}
	if (sim_dist_split(s) && sim_dist_unpack_srcs(s, b, &off, h.nkept, !from))
		goto out_bad;
	if (off != b->len)
		goto out_bad;
	return 0;
out_bad:
	if (s->error)
		return s->error;
	sim_fail(s, -EPROTO, "part %u sent malformed results", from);
	return -EPROTO;
}

static int sim_dist_gather(struct sim *s, const struct sim_comm_ops *ops, void *ctx)
{
	struct sim_dist *d = s->dist;
	struct sim_buf mine = { 0 };
	struct sim_counters c = { 0 };
	uint64_t done = 0;
	int rc = sim_dist_pack(s, &mine);

	if (rc) {
		sim_fail(s, rc, "out of memory for the results");
		goto out_free;
	}
	for (uint32_t i = 0; i < d->nparts; i++)
		d->in[i].len = 0;
	rc = ops->gather(ctx, &mine, d->in);
	if (rc) {
		sim_fail(s, rc, "the parts could not gather their results");
		goto out_free;
	}
	if (d->me)
		goto out_free;
	for (uint32_t i = 0; i < d->nparts && !rc; i++)
		rc = sim_dist_unpack(s, i, &d->in[i], &c, &done);
	if (!rc) {
		s->c = c;
		s->flows_done = done;
	}
out_free:
	sim_buf_free(&mine);
	return rc;
}

/*
 * The default trace: part 0 picks the port from every part's queues (as
 * sim_trace_pick does in one process), tells the others, and takes that
 * port's samples from the part that owns it.
 */
static int sim_dist_gather_trace(struct sim *s, const struct sim_comm_ops *ops, void *ctx)
{
	struct sim_dist *d = s->dist;
	struct sim_buf mine = { 0 };
	uint64_t pick = 0;
	int rc;

	if (!s->tracer)
		return 0;
	if (!d->me && !s->error) {
		uint32_t port = sim_trace_pick(s);

		pick = port == SIM_NONE ? 0 : (uint64_t)port + 1;
	}
	rc = sim_dist_reduce(s, ops, ctx, &pick, 1, SIM_COMM_MAX);
	if (rc || !pick)
		return rc;
	if (sim_dist_owns(s, s->topo->ports[pick - 1].node))
		rc = sim_trace_pack(s, (uint32_t)(pick - 1), &mine);
	for (uint32_t i = 0; i < d->nparts; i++)
		d->in[i].len = 0;
	if (ops->gather(ctx, &mine, d->in) || rc) {
		sim_fail(s, rc ? rc : -EIO, "the parts could not gather the trace");
		rc = s->error;
	}
	for (uint32_t i = 1; i < d->nparts && !d->me && !rc; i++)
		if (sim_trace_unpack(s, (uint32_t)(pick - 1), d->in[i].data, d->in[i].len))
			sim_fail(s, -EPROTO, "part %u sent a malformed trace", i);
	sim_buf_free(&mine);
	return s->error;
}

/* What every part exchanged, and the longest wait, for the report. */
static void sim_dist_totals(struct sim *s, const struct sim_comm_ops *ops, void *ctx)
{
	struct sim_dist *d = s->dist;
	uint64_t x[2] = { d->st.frames_out, d->st.bytes_out }, w = (uint64_t)(d->st.wait_s * 1e6);

	if (!sim_dist_reduce(s, ops, ctx, x, 2, SIM_COMM_SUM)) {
		d->st.frames_all = x[0];
		d->st.bytes_all = x[1];
	}
	if (!sim_dist_reduce(s, ops, ctx, &w, 1, SIM_COMM_MAX))
		d->st.wait_max_s = (double)w * 1e-6;
}

/* The flows placed here, and those of them the all-active window waits for (on nothing, over the network). */
void sim_dist_place(struct sim *s, const struct sim_flow *f)
{
	struct sim_dist *d = s->dist;
	bool here = sim_dist_owns(s, f->dst);

	d->flows_here += here;
	d->need_here += here && f->root && !f->local;
}

int sim_dist_run(struct sim *s, const struct sim_comm_ops *ops, void *ctx)
{
	struct sim_dist *d = s->dist;
	uint64_t v[2];

	if (!d) {
		sim_fail(s, -EINVAL, "not a distributed run (sim_dist_attach)");
		return -EINVAL;
	}
	d->ff_ps = d->fb_last_ps = UINT64_MAX;
	/* a part that failed to lay out still takes part, so that the others hear of it */
	sim_run_begin(s);
	if (s->nsrcs && !s->error && d->nparts > 1)
		sim_split_prepare(s);
	sim_dist_loop(s, ops, ctx);
	/* the end, over every part: the last finish, the stop, the watchdog's instant or the last event */
	v[0] = sim_now(s);
	v[1] = s->flows_done;
	if (!sim_dist_reduce(s, ops, ctx, v, 1, SIM_COMM_MAX))
		s->eng.q.now_ps = v[0];
	if (!sim_dist_reduce(s, ops, ctx, &v[1], 1, SIM_COMM_SUM))
		d->st.flows_done = v[1];
	sim_dist_totals(s, ops, ctx);
	if (s->ended)
		s->end_ps = s->last_finish_ps;
	else if (s->cfg.stop_ps && !s->deadlock && sim_now(s) >= s->cfg.stop_ps)
		s->end_ps = s->cfg.stop_ps;
	else
		s->end_ps = sim_now(s);
	if (!s->error)
		s->stalled = v[1] < s->nflows && !s->deadlock && !s->cfg.stop_ps;
	sim_run_end(s);
	/* the figures of every part's instants, in place of this part's own */
	s->mark_ps = d->mark_ps;
	s->mark_bytes = d->mark_bytes;
	s->first_finish_ps = d->first_finish_ps;
	s->first_finish_bytes = d->first_finish_bytes;
	sim_dist_gather(s, ops, ctx);
	sim_dist_gather_trace(s, ops, ctx);
	sim_dist_gather_named(s, ops, ctx);
	return s->error;
}
