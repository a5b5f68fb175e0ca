/*
 * Telemetry: a Spectrum-X-like in-band telemetry control. Spectrum-X's own
 * algorithm is proprietary; this follows HPCC (Li et al., SIGCOMM 2019,
 * Algorithm 1) and HPCC++ (draft-miao-ccwg-hpcc): switch egresses stamp
 * their queue and transmit rate into data packets (sim_port_stamp), ACKs
 * echo the stamps, and the sender sets its window W so that the most
 * loaded hop runs at the target utilization eta (--eta): W = Wc / (U / eta)
 * + W_AI, or W = Wc + W_AI for up to maxStage reference updates while U is
 * below eta. The reference Wc moves once per base RTT T; the NIC paces at
 * W / T. W counts wire bytes per T, as the switches' byte counters do, so
 * an uncongested flow holds its first hop at eta of the line: its payload
 * rate is eta x MTU / (MTU + RoCE framing), 93.1% of line at 4 KiB.
 *
 * Feedback is per tier (the hop index along the path), not per port: the
 * load of hop i is qLen / (B T) + txRate / B with txRate measured by the
 * switch itself, so a packet that adaptive routing sent through another
 * uplink than the previous one still gives a sample for its tier. The EWMA
 * weight of a sample is the time since the previous sample of its tier.
 *
 * Several QPs between the same two NIC ports (--qps) run one control,
 * kept by the first of them: its W is the pair's, split evenly over the
 * QPs with data in flight, each paced at its share / T. The QPs of a flow
 * carry equal shares of its bytes, so the flow ends with its slowest QP;
 * with one HPCC loop per QP every QP reacts to the whole link's load, the
 * multiplicative step keeps whatever ratio their windows had (after idle
 * periods, very unequal), and only W_AI evens them out, over
 * (BDP / N) / W_AI = 625 base RTTs at 4 QPs and 800G. Each QP may keep its
 * share plus the packets its receiver holds back while coalescing ACKs in
 * flight: a QP at 1/N of the line waits N times longer for those packets,
 * and a bare share would bind before the pacing rate does.
 */
#include "sim/fabric/cc/cc.h"

/*
 * W_AI default: HPCC's ns-3 evaluation (alibaba-edu/High-Precision-
 * Congestion-Control, simulation/run.py, cc "hp": ai = 10 * bw / 25 Mb/s)
 * scales the additive increase with the NIC rate: 40 Mb/s at 100G, 320 Mb/s
 * at 800G, i.e. line / 2500 per base RTT.
 */
#define SIM_TELE_WAI_LINE_DIV 2500

/* Per QP (one connection slot). */
struct sim_tele {
	double u;			/* EWMA of the most loaded tier's normalized load */
	double wc_bytes;		/* reference window Wc, wire bytes per base RTT */
	uint64_t update_ps;		/* last reference update, once per base RTT */
	uint64_t last_ts_ps[SIM_MAX_HOPS]; /* per tier: departure time of the previous sample */
	uint32_t inc_stage;		/* additive steps since the last multiplicative one */
	uint32_t lead;			/* index of the connection that keeps the pair's state */
	uint32_t nmembers;		/* lead only: QP slots sharing it, lead .. lead + nmembers - 1 */
	uint8_t ntiers;			/* tiers with a previous sample */
};

SIM_CC_STATE(sim_tele_of, struct sim_tele)

/* HPCC's W_init = B x T: C's line rate for one base RTT, wire bytes. */
static double sim_tele_bdp(const struct sim *s, const struct sim_conn *c)
{
	return (double)c->line_bps / 8 * (double)s->base_rtt_ps * 1e-12;
}

/* W_AI in wire bytes per base RTT. */
static double sim_tele_wai_bytes(const struct sim *s, const struct sim_conn *c)
{
	double bps = s->cfg.tele_wai_bps ? (double)s->cfg.tele_wai_bps : (double)c->line_bps / SIM_TELE_WAI_LINE_DIV;

	return bps / 8 * (double)s->base_rtt_ps * 1e-12;
}

/*
 * sim_build_conns makes the QP slots of a host pair one after the other:
 * a connection of the same ports and rate just before C shares its lead.
 */
static void sim_tele_init(struct sim *s, struct sim_conn *c)
{
	struct sim_tele *t = sim_tele_of(c);
	uint32_t idx = (uint32_t)(c - s->conns);
	struct sim_conn *prev = idx ? c - 1 : NULL;

	t->wc_bytes = sim_tele_bdp(s, c);
	t->u = 0;
	t->lead = idx;
	t->nmembers = 1;
	if (prev && prev->src == c->src && prev->dst == c->dst && prev->port == c->port &&
	    prev->line_bps == c->line_bps) {
		t->lead = sim_tele_of(prev)->lead;
		sim_tele_of(&s->conns[t->lead])->nmembers++;
	}
}

/* HPCC's normalized load of one hop: queue drain time over T, plus tx rate over B. */
static double sim_tele_hop_u(const struct sim *s, const struct sim_int_hop *h)
{
	double b_bps = (double)s->topo->ports[h->port].rate_bps, t_s = (double)s->base_rtt_ps * 1e-12;

	return (double)h->qlen_bytes * 8 / (b_bps * t_s) + (double)h->tx_rate_bps / b_bps;
}

/*
 * The most loaded tier of ACK and the time its sample covers (since the
 * previous sample of that tier, whichever port it came through). False on
 * a connection's first ACK, which only records the times.
 */
static bool sim_tele_measure(const struct sim *s, struct sim_tele *t, const struct sim_pkt *ack, double *u,
			     double *tau_ps)
{
	const struct sim_int_hop *hop = sim_pkt_hops(s, ack);
	bool valid = false;

	*u = 0;
	*tau_ps = 0;
	for (uint32_t i = 0; i < ack->nhops && i < t->ntiers; i++) {
		double ui;

		if (hop[i].ts_ps < t->last_ts_ps[i])
			continue;	/* reordered ACK: an older sample than the one used */
		ui = sim_tele_hop_u(s, &hop[i]);
		if (ui > *u || !valid) {
			*u = ui;
			*tau_ps = (double)(hop[i].ts_ps - t->last_ts_ps[i]);
		}
		valid = true;
	}
	for (uint32_t i = 0; i < ack->nhops; i++)
		if (hop[i].ts_ps > t->last_ts_ps[i])
			t->last_ts_ps[i] = hop[i].ts_ps;
	if (ack->nhops > t->ntiers)
		t->ntiers = ack->nhops;
	return valid;
}

/* HPCC's ComputeWind: multiplicative at or above eta or after maxStage additive steps. */
static double sim_tele_window(const struct sim *s, const struct sim_tele *t, double wai, double bdp)
{
	double eta = s->cfg.tele_eta;

	if (t->u >= eta || t->inc_stage >= s->cfg.tele_max_stage)
		return t->u > 0 ? t->wc_bytes / (t->u / eta) + wai : bdp;
	return t->wc_bytes + wai;
}

/* Splits the pair's window W over its QPs with data in flight (at least one). */
static void sim_tele_share(struct sim *s, const struct sim_tele *g, double w)
{
	struct sim_conn *m = &s->conns[g->lead];
	double share, inflight, rtt = (double)s->base_rtt_ps;
	uint32_t active = 0;

	for (uint32_t i = 0; i < g->nmembers; i++)
		active += m[i].nactive != 0;
	share = w / (active ? active : 1);
	if (share < s->mtu_bytes)
		share = s->mtu_bytes;
	/* in flight: the share plus what the receiver holds back while coalescing ACKs */
	inflight = share + (double)(s->cfg.ack_every + 1) * s->mtu_bytes;
	for (uint32_t i = 0; i < g->nmembers; i++) {
		sim_cc_set_rate(&m[i], share * 8e12 / rtt);
		m[i].window_bytes = inflight < (double)s->window_bytes ? (uint64_t)inflight : s->window_bytes;
	}
}

static void sim_tele_on_ack(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack)
{
	struct sim_tele *g = sim_tele_of(&s->conns[sim_tele_of(c)->lead]);
	double bdp = sim_tele_bdp(s, c), rtt = (double)s->base_rtt_ps, u, tau, w;
	bool update = sim_now(s) - g->update_ps >= s->base_rtt_ps;

	if (!ack->nhops || !ack->int_rec || !sim_tele_measure(s, g, ack, &u, &tau))
		return;
	/* EWMA over one base RTT, weighted by the time the bottleneck's sample covers */
	if (tau > rtt)
		tau = rtt;
	g->u = g->u * (1 - tau / rtt) + u * tau / rtt;
	w = sim_tele_window(s, g, sim_tele_wai_bytes(s, c), bdp);
	if (w > bdp)
		w = bdp;
	if (w < s->mtu_bytes)
		w = s->mtu_bytes;
	sim_tele_share(s, g, w);
	if (update) {
		g->update_ps = sim_now(s);
		if (g->u >= s->cfg.tele_eta || g->inc_stage >= s->cfg.tele_max_stage)
			g->inc_stage = 0;
		else
			g->inc_stage++;
		g->wc_bytes = w;
	}
}

/* Paced at the rate the window implies; no byte counter, no timer. */
static void sim_tele_on_sent(struct sim *s, struct sim_conn *c, uint32_t bytes)
{
	sim_cc_pace(s, c, bytes);
}

/* HPCC holds every hop at eta of its wire rate (--eta) */
static double sim_tele_target_util(const struct sim *s)
{
	return s->cfg.tele_eta;
}

const struct sim_cc_ops sim_cc_telemetry = {
	.name = "telemetry",
	.needs_int = true,
	.window = SIM_CC_WINDOW_BDP,
	.init = sim_tele_init,
	.on_ack = sim_tele_on_ack,
	.on_cnp = sim_cc_nop_cnp,
	.on_sent = sim_tele_on_sent,
	.timer = sim_cc_nop_timer,
	.cnp_interval_ps = sim_cc_nop_cnp_interval,
	.target_util = sim_tele_target_util,
};
