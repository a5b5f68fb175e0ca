/*
 * Telemetry: a Spectrum-X-like in-band telemetry control. Spectrum-X's own
 * algorithm is proprietary; this follows HPCC (Li et al., SIGCOMM 2019):
 * switches stamp queue length and transmitted bytes per hop, ACKs echo the
 * stamps, and the sender sets its window to hold the most loaded link at a
 * target utilization eta (--eta), with additive increase in bounded
 * stages. The pacing rate follows the window over one base RTT.
 */
#include "sim/fabric/cc/cc.h"

#define SIM_TELE_MAX_STAGE 5

/* Per connection. */
struct sim_tele {
	double u;			/* smoothed normalized load */
	uint64_t win_bytes;		/* reference window W_c */
	uint32_t inc_stage;
	uint64_t update_ps;		/* last reference update, once per base RTT */
	struct sim_int_hop last[SIM_MAX_HOPS];	/* the previous ACK's hops */
	uint8_t last_n;
};

SIM_CC_STATE(sim_tele_of, struct sim_tele)

static void sim_tele_init(struct sim *s, struct sim_conn *c)
{
	struct sim_tele *t = sim_tele_of(c);

	t->win_bytes = c->window_bytes;
	t->u = 0;
}

/* HPCC's normalized load of one hop: queue drain time plus rate, over T. */
static double sim_tele_hop_u(const struct sim *s, const struct sim_int_hop *h, const struct sim_int_hop *prev)
{
	double rate_Bps = (double)s->topo->ports[h->port].rate_bps / 8;
	double t_s = (double)s->base_rtt_ps * 1e-12;
	double q = h->qlen_bytes < prev->qlen_bytes ? h->qlen_bytes : prev->qlen_bytes;
	double tx = 0;

	if (h->ts_ps > prev->ts_ps)
		tx = (double)(h->tx_bytes - prev->tx_bytes) / ((double)(h->ts_ps - prev->ts_ps) * 1e-12);
	return q / (rate_Bps * t_s) + tx / rate_Bps;
}

static double sim_tele_measure(struct sim *s, struct sim_tele *t, const struct sim_pkt *ack, double *tau_ps,
			       int *valid)
{
	double u = 0;

	*valid = 0;
	*tau_ps = 0;
	for (uint32_t i = 0; i < ack->nhops && i < t->last_n; i++) {
		double ui;

		if (ack->hop[i].port != t->last[i].port)
			continue;	/* adaptive routing moved this hop: no rate sample */
		ui = sim_tele_hop_u(s, &ack->hop[i], &t->last[i]);
		if (ui > u || !*valid) {
			u = ui;
			*tau_ps = (double)(ack->hop[i].ts_ps - t->last[i].ts_ps);
		}
		*valid = 1;
	}
	t->last_n = ack->nhops;
	for (uint32_t i = 0; i < ack->nhops; i++)
		t->last[i] = ack->hop[i];
	return u;
}

static void sim_tele_on_ack(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack)
{
	struct sim_tele *t = sim_tele_of(c);
	double eta = s->cfg.tele_eta, u, w, wai, bdp = (double)s->window_bytes, tau;
	int valid, update = sim_now(s) - t->update_ps >= s->base_rtt_ps;

	if (!ack->nhops)
		return;
	u = sim_tele_measure(s, t, ack, &tau, &valid);
	if (!valid)
		return;
	/* EWMA over one base RTT, weighted by the bottleneck's sample interval */
	if (tau > (double)s->base_rtt_ps)
		tau = (double)s->base_rtt_ps;
	t->u = t->u * (1 - tau / s->base_rtt_ps) + u * tau / s->base_rtt_ps;
	wai = bdp * (1 - eta) / 16;
	if (t->u >= eta || t->inc_stage >= SIM_TELE_MAX_STAGE)
		w = (double)t->win_bytes / (t->u / eta) + wai;
	else
		w = (double)t->win_bytes + wai;
	if (w > bdp)
		w = bdp;
	if (w < s->mtu_bytes)
		w = s->mtu_bytes;
	c->window_bytes = (uint64_t)w;
	sim_cc_set_rate(c, w * 8e12 / (double)s->base_rtt_ps);
	if (update) {
		t->update_ps = sim_now(s);
		if (t->u >= eta || t->inc_stage >= SIM_TELE_MAX_STAGE)
			t->inc_stage = 0;
		else
			t->inc_stage++;
		t->win_bytes = c->window_bytes;
	}
}

/* Paced at the rate the window implies; no byte counter, no timer. */
static void sim_tele_on_sent(struct sim *s, struct sim_conn *c, uint32_t bytes)
{
	sim_cc_pace(s, c, bytes);
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
};
