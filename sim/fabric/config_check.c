/*
 * Model guards: a configuration the model cannot run faithfully is refused
 * before anything is allocated, with the setting, its value and what it
 * must be. Each rule stands for a failure seen without it: a window or ACK
 * coalescing beyond the PSN space loops forever sizing the bitmaps, a
 * buffer smaller than a frame or a 1 b/s link never delivers, an RTO below
 * the base RTT retransmits forever, and PFC without XOFF plus headroom for
 * every ingress port drops while it promises lossless.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include "sim/fabric/sim.h"

struct sim_cfgchk {
	const struct sim_topo *t;
	const struct sim_config *cfg;
	uint32_t mtu_bytes;
	uint64_t buffer_bytes;
	char *err;
	size_t errlen;
};

static int sim_refused(struct sim_cfgchk *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sim_refused(struct sim_cfgchk *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (c->errlen)
		vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "65536 B (64.0 KiB)": exact bytes, and a readable size. */
static const char *sim_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu B (%.1f %s)", (unsigned long long)bytes, v, unit[u]);
	return buf;
}

static const char *sim_fmt_ps(char *buf, size_t len, uint64_t ps)
{
	if (ps < 1000)
		snprintf(buf, len, "%llu ps", (unsigned long long)ps);
	else if (ps < 1000000)
		snprintf(buf, len, "%.3f ns", ps / 1e3);
	else if (ps < 1000000000000ULL)
		snprintf(buf, len, "%.3f us", ps / 1e6);
	else
		snprintf(buf, len, "%.3f s", ps / 1e12);
	return buf;
}

static const char *sim_fmt_bps(char *buf, size_t len, uint64_t bps)
{
	if (bps >= 1000000000)
		snprintf(buf, len, "%.3f Gb/s", bps / 1e9);
	else
		snprintf(buf, len, "%llu b/s", (unsigned long long)bps);
	return buf;
}

static int sim_check_enums(struct sim_cfgchk *c)
{
	const struct sim_config *cfg = c->cfg;
	char names[128];

	if ((unsigned int)cfg->lb >= sim_lb_count())
		return sim_refused(c, "load balancing %d is not one of %s", (int)cfg->lb,
				   sim_lb_names(names, sizeof(names), ", ", ", "));
	if ((unsigned int)cfg->rx >= SIM_RX_COUNT)
		return sim_refused(c, "receiver mode %d is not one of %s", (int)cfg->rx,
				   sim_rx_names(names, sizeof(names), ", ", ", "));
	if ((unsigned int)cfg->cc >= sim_cc_count())
		return sim_refused(c, "congestion control %d is not one of %s", (int)cfg->cc,
				   sim_cc_names(names, sizeof(names), ", ", ", "));
	if ((unsigned int)cfg->dcqcn_params >= SIM_DCQCN_SET_COUNT)
		return sim_refused(c, "DCQCN parameter set %d is not one of 0..%d (--dcqcn-params)",
				   (int)cfg->dcqcn_params, SIM_DCQCN_SET_COUNT - 1);
	if (cfg->necn > 8)
		return sim_refused(c, "%u per-speed ECN thresholds; at most 8", cfg->necn);
	if ((unsigned int)cfg->plane_spread >= SIM_PLANE_SPREAD_COUNT)
		return sim_refused(c, "plane spreading %d is not one of qp, packet (--plane-spread)",
				   (int)cfg->plane_spread);
	return 0;
}

/*
 * Packet spreading needs each switch to know its plane (route.c): a
 * generated fabric numbers its switches plane by plane; an explicit graph
 * with several planes does not say which switch is on which.
 */
static int sim_check_planes(struct sim_cfgchk *c)
{
	const struct sim_topo *t = c->t;

	if (c->cfg->plane_spread == SIM_PLANE_SPREAD_PACKET && t->nplanes > 1 && !t->layout.per_plane)
		return sim_refused(c, "--plane-spread packet needs a generated fabric (leafspine, fattree, railopt): "
				   "topology %s is an explicit graph with %u planes, whose switches are not numbered "
				   "by plane; use --plane-spread qp", t->name, t->nplanes);
	return 0;
}

static int sim_check_counts(struct sim_cfgchk *c)
{
	const struct sim_config *cfg = c->cfg;

	if (c->mtu_bytes < SIM_MTU_MIN || c->mtu_bytes > SIM_MTU_MAX)
		return sim_refused(c, "MTU %u B (--mtu, or the topology's mtu) is outside %u..%u",
				   c->mtu_bytes, SIM_MTU_MIN, SIM_MTU_MAX);
	if (cfg->qps_per_flow > SIM_MAX_QPS_PER_FLOW)
		return sim_refused(c, "--qps %u is outside 1..%u", cfg->qps_per_flow, SIM_MAX_QPS_PER_FLOW);
	if (cfg->ack_every > SIM_MAX_ACK_EVERY)
		return sim_refused(c, "--ack-every %u is outside 1..%u", cfg->ack_every, SIM_MAX_ACK_EVERY);
	return 0;
}

static int sim_check_time(struct sim_cfgchk *c, const char *opt, uint64_t ps, uint64_t min_ps)
{
	char a[48], b[48], h[48];

	if (ps < min_ps || ps > SIM_TIME_LIMIT_PS)
		return sim_refused(c, "%s %s is outside %s..%s (the model's horizon)", opt, sim_fmt_ps(a, sizeof(a), ps),
				   sim_fmt_ps(b, sizeof(b), min_ps), sim_fmt_ps(h, sizeof(h), SIM_TIME_LIMIT_PS));
	return 0;
}

static int sim_check_times(struct sim_cfgchk *c)
{
	const struct sim_config *cfg = c->cfg;

	return sim_check_time(c, "--rto", cfg->rto_ps, 1) ||
	       sim_check_time(c, "the ACK coalescing delay", cfg->ack_delay_ps, 0) ||
	       sim_check_time(c, "--flowlet-gap", cfg->flowlet_gap_ps, 0) ||
	       sim_check_time(c, "--cnp-interval", cfg->cnp_interval_ps, 0) ||
	       sim_check_time(c, "--stop", cfg->stop_ps, 0) ||
	       sim_check_time(c, "the per-message overhead", cfg->msg_overhead_ps, 0) ? -EINVAL : 0;
}

/* NaN passes every comparison-based range check, so each test is written to fail on it. */
static int sim_check_reals(struct sim_cfgchk *c)
{
	const struct sim_config *cfg = c->cfg;

	if (!(cfg->buffer_alpha <= 64) || isinf(cfg->buffer_alpha))
		return sim_refused(c, "--alpha %g is outside 0..64 (0: a static share per port)", cfg->buffer_alpha);
	if (!(cfg->ecn_pmax >= 0 && cfg->ecn_pmax <= 1))
		return sim_refused(c, "--ecn-pmax %g is outside 0..1", cfg->ecn_pmax);
	if (!(cfg->tele_eta > 0 && cfg->tele_eta <= 1))
		return sim_refused(c, "--eta %g is outside 0..1 (exclusive of 0)", cfg->tele_eta);
	return 0;
}

static int sim_check_rates(struct sim_cfgchk *c)
{
	const struct sim_topo *t = c->t;
	char a[64], b[64], r[48], m[48];

	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_port *p = &t->ports[i];

		if (p->rate_bps >= SIM_MIN_RATE_BPS)
			continue;
		sim_topo_node_name(t, p->node, a, sizeof(a));
		sim_topo_node_name(t, t->ports[p->peer].node, b, sizeof(b));
		return sim_refused(c, "link %s:%s runs at %s, below the model's minimum of %s (a frame would outlast "
				   "every timer)", a, b, sim_fmt_bps(r, sizeof(r), p->rate_bps),
				   sim_fmt_bps(m, sizeof(m), SIM_MIN_RATE_BPS));
	}
	return 0;
}

/* Lossy: every port of a switch can hold a frame. */
static uint64_t sim_lossy_min_buffer(struct sim_cfgchk *c, uint32_t node)
{
	return coll_mul_sat_u64(c->t->nodes[node].nports, sim_wire_bytes(c->mtu_bytes, SIM_PKT_DATA));
}

/*
 * PFC is lossless only if every ingress port of a switch can take its
 * headroom (what arrives after its PAUSE) all at once, besides a shared
 * pool that holds a frame per port under the dynamic XOFF (or every
 * static XOFF with --pfc-xoff), and control frames still find room (they
 * use only the unreserved part).
 * Returns the smallest buffer that does it for NODE, or 0 after refusing
 * a headroom below what the cable and pipeline hold.
 */
static uint64_t sim_pfc_min_buffer(struct sim_cfgchk *c, uint32_t node, uint64_t *xoff_out)
{
	const struct sim_topo *t = c->t;
	const struct sim_config *cfg = c->cfg;
	const struct sim_node *n = &t->nodes[node];
	uint64_t hr_sum = 0, ctrl = coll_mul_sat_u64(n->nports, SIM_CTRL_FRAME_MAX);
	char name[64], b[64], m[64];

	for (uint32_t i = 0; i < n->nports; i++) {
		uint32_t port = n->first_port + i;
		uint64_t phys = sim_pfc_headroom_need(t, port, c->mtu_bytes);

		if (cfg->pfc_headroom_bytes && cfg->pfc_headroom_bytes < phys) {
			sim_topo_node_name(t, node, name, sizeof(name));
			sim_refused(c, "--pfc-headroom %s is below the %s an ingress port of %s needs with PFC on "
				    "(2 x cable + forwarding pipeline + 3 frames + a PAUSE + the upstream's reaction): "
				    "frames would be dropped",
				    sim_fmt_bytes(b, sizeof(b), cfg->pfc_headroom_bytes),
				    sim_fmt_bytes(m, sizeof(m), phys), name);
			return 0;
		}
		hr_sum = coll_add_sat_u64(hr_sum, sim_pfc_headroom_of(cfg, t, port, c->mtu_bytes));
	}
	*xoff_out = cfg->pfc_xoff_bytes;	/* 0: dynamic (sim_pfc_xoff_now) */
	/* dynamic XOFF: the shared pool must hold at least a frame per ingress port */
	if (!cfg->pfc_xoff_bytes)
		return coll_add_sat_u64(coll_add_sat_u64(hr_sum, ctrl),
					coll_mul_sat_u64(n->nports, sim_wire_bytes(c->mtu_bytes, SIM_PKT_DATA)));
	return coll_add_sat_u64(coll_add_sat_u64(coll_mul_sat_u64(n->nports, cfg->pfc_xoff_bytes), hr_sum), ctrl);
}

static const char *sim_xoff_words(char *buf, size_t len, uint64_t xoff)
{
	char b[48];

	snprintf(buf, len, "XOFF (%.48s each)", sim_fmt_bytes(b, sizeof(b), xoff));
	return buf;
}

/* The buffer is one setting for every switch: the most demanding one decides. */
static int sim_check_buffers(struct sim_cfgchk *c)
{
	const struct sim_topo *t = c->t;
	const struct sim_config *cfg = c->cfg;
	uint64_t worst = 0, xoff = 0, frame = sim_wire_bytes(c->mtu_bytes, SIM_PKT_DATA);
	uint32_t worst_node = SIM_NONE;
	char name[64], b[64], m[64], x[64];

	for (uint32_t sw = 0; sw < t->nswitches; sw++) {
		uint32_t node = t->switches[sw];
		uint64_t x_sw = 0, need = cfg->pfc ? sim_pfc_min_buffer(c, node, &x_sw) : sim_lossy_min_buffer(c, node);

		if (!need)
			return -EINVAL;
		if (cfg->pfc && x_sw && cfg->pfc_xon_bytes > x_sw)
			return sim_refused(c, "--pfc-xon %s is above XOFF %s: the pause would never be lifted in order",
					   sim_fmt_bytes(b, sizeof(b), cfg->pfc_xon_bytes),
					   sim_fmt_bytes(x, sizeof(x), x_sw));
		if (need > worst) {
			worst = need;
			worst_node = node;
			xoff = x_sw;
		}
	}
	if (worst_node != SIM_NONE && c->buffer_bytes < worst) {
		sim_topo_node_name(t, worst_node, name, sizeof(name));
		if (!cfg->pfc)
			return sim_refused(c, "the %s switch buffer (--buffer, or the topology's buffer_mb) is below the "
					   "%s switch %s needs: one %llu B frame for each of its %u ports",
					   sim_fmt_bytes(b, sizeof(b), c->buffer_bytes), sim_fmt_bytes(m, sizeof(m), worst),
					   name, (unsigned long long)frame, t->nodes[worst_node].nports);
		return sim_refused(c, "the %s switch buffer (--buffer, or the topology's buffer_mb) cannot keep PFC "
				   "lossless on %s: its %u ingress ports need %s plus headroom and a "
				   "control frame, at least %s in all; raise --buffer%s or use --no-pfc",
				   sim_fmt_bytes(b, sizeof(b), c->buffer_bytes), name, t->nodes[worst_node].nports,
				   xoff ? sim_xoff_words(x, sizeof(x), xoff) : "a frame of shared pool each",
				   sim_fmt_bytes(m, sizeof(m), worst),
				   cfg->pfc_xoff_bytes ? ", lower --pfc-xoff" : "");
	}
	if (!cfg->pfc && cfg->buffer_alpha > 0 && cfg->buffer_alpha * (double)c->buffer_bytes < (double)frame)
		return sim_refused(c, "--alpha %g of a %s buffer admits no %llu B frame: raise --alpha or --buffer",
				   cfg->buffer_alpha, sim_fmt_bytes(b, sizeof(b), c->buffer_bytes),
				   (unsigned long long)frame);
	return 0;
}

/* The window sizes the PSN bitmaps; the RTO must let an ACK come back. */
static int sim_check_transport(struct sim_cfgchk *c)
{
	const struct sim_config *cfg = c->cfg;
	uint64_t rtt = sim_base_rtt_ps(c->t, c->mtu_bytes), win, pkts;
	char a[64], b[64];

	if (rtt > SIM_TIME_LIMIT_PS)
		return sim_refused(c, "the fabric's base RTT of %s is past the model's horizon",
				   sim_fmt_ps(a, sizeof(a), rtt));
	win = sim_config_window(c->t, cfg, rtt);
	pkts = win / c->mtu_bytes + 1;
	if (pkts > SIM_MAX_WINDOW_PKTS) {
		if (cfg->window_bytes)
			return sim_refused(c, "--window %s is %llu packets of %u B in flight per QP; at most %u (half "
					   "the 24-bit RoCE PSN space)", sim_fmt_bytes(a, sizeof(a), cfg->window_bytes),
					   (unsigned long long)pkts, c->mtu_bytes, SIM_MAX_WINDOW_PKTS);
		return sim_refused(c, "the default window (one BDP of the %s base RTT plus --ack-every %u packets) "
				   "is %llu packets of %u B per QP; at most %u (half the 24-bit RoCE PSN space): "
				   "set --window", sim_fmt_ps(a, sizeof(a), rtt), cfg->ack_every,
				   (unsigned long long)pkts, c->mtu_bytes, SIM_MAX_WINDOW_PKTS);
	}
	if (cfg->rto_ps < rtt)
		return sim_refused(c, "--rto %s is below the fabric's base RTT of %s: every packet would time out "
				   "before its ACK could return", sim_fmt_ps(a, sizeof(a), cfg->rto_ps),
				   sim_fmt_ps(b, sizeof(b), rtt));
	return 0;
}

int sim_config_check(const struct sim_topo *t, const struct sim_config *cfg, char *err, size_t errlen)
{
	struct sim_cfgchk c = { .t = t, .cfg = cfg, .err = err, .errlen = errlen };

	if (errlen)
		err[0] = 0;
	if (!t || !cfg)
		return sim_refused(&c, "no topology or configuration");
	if (t->nhosts < 2)
		return sim_refused(&c, "topology %s has %u host%s; a run needs at least 2", t->name, t->nhosts,
				   t->nhosts == 1 ? "" : "s");
	/* an event's key holds its node's id (sim_seq_take) */
	if ((uint64_t)t->nnodes + 1 > SIM_LP_MAX)
		return sim_refused(&c, "topology %s has %u nodes; a run takes at most %u", t->name, t->nnodes,
				   SIM_LP_MAX - 1);
	c.mtu_bytes = sim_config_mtu(t, cfg);
	c.buffer_bytes = sim_config_buffer(t, cfg);
	if (sim_check_enums(&c) || sim_check_counts(&c) || sim_check_times(&c) || sim_check_reals(&c) ||
	    sim_check_rates(&c) || sim_check_buffers(&c) || sim_check_transport(&c) || sim_check_planes(&c))
		return -EINVAL;
	return 0;
}
