/*
 * Flows and their dependencies. A flow is a transfer between two hosts:
 * over the network (the NIC splits it over queue pairs, nic.c) or, within
 * a server, over an NVLink-class link modelled as a fixed rate and latency
 * with no packets. Collective schedules chain flows: a flow with
 * dependencies starts when the last of them finished (sim_flow_done),
 * after the per-message software overhead.
 *
 * Flows are added before the first sim_run; sim_flows_link then lays the
 * (a, b) pairs out as successor lists (CSR) for the run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "sim/fabric/sim.h"

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
	if (s->nflows >= SIM_MAX_FLOWS)
		return sim_refuse(s, -EINVAL, "more than %u flows", SIM_MAX_FLOWS);
	if (s->nflows == s->flows_cap) {
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
	f = &s->flows[s->nflows];
	memset(f, 0, sizeof(*f));
	f->ev.type = SIM_EV_FLOW_START;
	f->id = s->nflows;
	f->src = t->hosts[src_host];
	f->dst = t->hosts[dst_host];
	f->bytes = bytes;
	f->start_ps = start_ps;
	f->rate_bps = sim_topo_nic_bps(t, f->src);
	return (int)s->nflows++;
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
	if (id >= s->nflows || s->prepared || tag > s->conn_tags)
		return sim_refuse(s, -EINVAL, "connection tag %u of flow %u: no such flow or tag, or the run is laid out",
				  tag, id);
	s->flows[id].conn_tag = tag;
	return 0;
}

int sim_flow_set_conn_dup(struct sim *s, uint32_t id, uint32_t dup)
{
	if (id >= s->nflows || s->prepared || !dup || !s->flows[id].conn_tag ||
	    s->flows[id].conn_tag + dup - 1 > s->conn_tags)
		return sim_refuse(s, -EINVAL, "flow %u spread over %u connections: no such flow or tags", id, dup);
	s->flows[id].conn_dup = dup;
	return 0;
}

bool sim_flow_split_qps(const struct sim *s, const struct sim_flow *f)
{
	if (s->cfg.split_qps == SIM_SPLIT_QPS_AUTO)
		return !f->conn_tag;
	return s->cfg.split_qps == SIM_SPLIT_QPS_ON;
}

int sim_add_dep(struct sim *s, uint32_t a, uint32_t b)
{
	int rc;

	if (a >= s->nflows || b >= s->nflows || a == b)
		return sim_refuse(s, -EINVAL, "dependency %u -> %u: no such flows", a, b);
	if (s->ndeps >= UINT32_MAX / 2)
		return sim_refuse(s, -EINVAL, "more than %u dependencies", UINT32_MAX / 2);
	if (s->ndeps == s->deps_cap) {
		uint32_t cap = s->deps_cap ? (s->deps_cap < UINT32_MAX / 4 ? s->deps_cap * 2 : UINT32_MAX / 2) : 1024;
		uint32_t *v;

		rc = coll_mem_guard(2 * (uint64_t)cap * sizeof(*v), "the flow dependencies", s->err, sizeof(s->err));
		if (rc)
			return rc;
		v = realloc(s->deps, 2 * (size_t)cap * sizeof(*v));
		if (!v)
			return sim_refuse(s, -ENOMEM, "out of memory for %u dependencies", cap);
		s->deps = v;
		s->deps_cap = cap;
	}
	s->deps[2 * s->ndeps] = a;
	s->deps[2 * s->ndeps + 1] = b;
	s->ndeps++;
	return 0;
}

int sim_flows_link(struct sim *s)
{
	uint32_t *pos;

	s->succ = malloc((s->ndeps ? s->ndeps : 1) * sizeof(*s->succ));
	pos = calloc(s->nflows + 1, sizeof(*pos));
	if (!s->succ || !pos) {
		free(pos);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < s->ndeps; i++) {
		s->flows[s->deps[2 * i]].nsucc++;
		s->flows[s->deps[2 * i + 1]].ndeps_left++;
	}
	for (uint32_t i = 0, acc = 0; i < s->nflows; i++) {
		s->flows[i].succ_first = acc;
		pos[i] = acc;
		acc += s->flows[i].nsucc;
	}
	for (uint32_t i = 0; i < s->ndeps; i++) {
		uint32_t a = s->deps[2 * i];

		s->succ[pos[a]++] = s->deps[2 * i + 1];
	}
	free(pos);
	return 0;
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

void sim_flow_first_byte(struct sim *s, struct sim_flow *f)
{
	/*
	 * Before any flow finished only the flows that wait on nothing can
	 * deliver (the others start after a finish), so counting every first
	 * byte counts theirs; once one finished the window can no longer open.
	 */
	if (++s->first_byte_flows != s->first_byte_need || s->flows_done)
		return;
	s->mark_ps = sim_now(s);
	s->mark_bytes = s->c.delivered_bytes;
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
	if (!s->flows_done++) {
		s->first_finish_ps = now;
		s->first_finish_bytes = s->c.delivered_bytes;
	}
	if (s->flows_done >= s->nflows)
		sim_engine_stop(&s->eng);	/* the run is over after this event */
	for (uint32_t i = 0; i < f->nsucc; i++) {
		struct sim_flow *g = &s->flows[s->succ[f->succ_first + i]];

		if (!--g->ndeps_left) {
			g->start_ps = coll_add_sat_u64(now > g->start_ps ? now : g->start_ps, s->cfg.msg_overhead_ps);
			sim_schedule(s, g->start_ps, &g->ev);
		}
	}
}
