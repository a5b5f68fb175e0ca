/*
 * Congestion control at the sending NIC (the reaction point).
 *
 * dcqcn: Zhu et al., "Congestion Control for Large-Scale RDMA Deployments",
 * SIGCOMM 2015: multiplicative decrease on CNP scaled by alpha, then fast
 * recovery, additive and hyper increase driven by a timer and a byte
 * counter. Alpha decays once per update period without CNP; it is applied
 * lazily (alpha *= (1-g)^periods) so no per-microsecond timer runs.
 *
 * telemetry: a Spectrum-X-like in-band telemetry control. Spectrum-X's own
 * algorithm is proprietary; this follows HPCC (Li et al., SIGCOMM 2019):
 * switches stamp queue length and transmitted bytes per hop, ACKs echo the
 * stamps, and the sender sets its window to hold the most loaded link at a
 * target utilization eta, with additive increase in bounded stages.
 *
 * State lives in the connection (struct sim_conn), shared by every QP and
 * message between the same pair, as a NIC keeps it per QP across messages.
 */
#include <math.h>
#include "sim/fabric/sim.h"

struct sim_dcqcn_params {
	double g;			/* alpha gain */
	uint64_t alpha_period_ps;	/* alpha decay period */
	uint64_t decrease_period_ps;	/* at most one decrease per period */
	uint64_t increase_period_ps;	/* rate-increase timer */
	uint64_t byte_counter_bytes;	/* rate-increase byte counter */
	uint32_t fast_recovery_steps;	/* F */
	double ai_bps, hai_bps;		/* additive / hyper increase step */
	double min_frac;		/* floor, fraction of line rate */
};

static const struct sim_dcqcn_params sim_dcqcn_sets[2] = {
	/* paper: K = T = 55 us, B = 10 MB, F = 5, R_AI = 40 Mb/s, R_HAI = 10 x R_AI */
	{ 1.0 / 256, 55000000, 0, 55000000, 10 * 1024 * 1024, 5, 40e6, 400e6, 0.001 },
	/* Mellanox firmware defaults: alpha update 1 us, rate decrease 4 us,
	 * rate increase 300 us, byte reset 32767 B, threshold 1, AI 5 Mb/s,
	 * HAI 50 Mb/s */
	{ 1.0 / 256, 1000000, 4000000, 300000000, 32767, 1, 5e6, 50e6, 0.001 },
};

#define SIM_TELE_MAX_STAGE 5

static const struct sim_dcqcn_params *sim_dcqcn(const struct sim *s)
{
	return &sim_dcqcn_sets[s->cfg.dcqcn_params ? 1 : 0];
}

void sim_cc_init_conn(struct sim *s, struct sim_conn *c, uint64_t line_bps)
{
	c->cc_ev.type = SIM_EV_CC_TIMER;
	c->line_bps = line_bps;
	c->rate_bps = line_bps;
	c->target_bps = line_bps;
	c->alpha = 1.0;
	c->window_bytes = s->window_bytes;
	c->tele_win_bytes = c->window_bytes;
	c->tele_u = 0;
}

static void sim_cc_set_rate(struct sim *s, struct sim_conn *c, double bps)
{
	double line = (double)c->line_bps, floor = line * sim_dcqcn(s)->min_frac;

	if (bps > line)
		bps = line;
	if (bps < floor)
		bps = floor;
	c->rate_bps = (uint64_t)bps;
}

void sim_cc_on_cnp(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	uint64_t now = sim_now(s);
	double periods;

	if (s->cfg.cc != SIM_CC_DCQCN)
		return;
	if (c->last_decrease_ps && now - c->last_decrease_ps < d->decrease_period_ps)
		return;
	periods = c->last_alpha_ps ? (double)((now - c->last_alpha_ps) / d->alpha_period_ps) : 0;
	c->alpha = c->alpha * pow(1 - d->g, periods) * (1 - d->g) + d->g;
	c->last_alpha_ps = now;
	c->last_decrease_ps = now;
	c->target_bps = c->rate_bps;
	sim_cc_set_rate(s, c, (double)c->rate_bps * (1 - c->alpha / 2));
	c->cc_timer_ctr = 0;
	c->cc_byte_stage = 0;
	c->cc_byte_ctr = 0;
	if (!c->cc_stage) {
		c->cc_stage = 1;	/* the increase timer runs while below line rate */
		sim_schedule(s, now + d->increase_period_ps, &c->cc_ev);
	}
}

static void sim_dcqcn_increase(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	double line = (double)c->line_bps;
	uint32_t hi = c->cc_timer_ctr > c->cc_byte_stage ? c->cc_timer_ctr : c->cc_byte_stage;
	uint32_t lo = c->cc_timer_ctr < c->cc_byte_stage ? c->cc_timer_ctr : c->cc_byte_stage;
	double rt = (double)c->target_bps;

	if (hi >= d->fast_recovery_steps) {
		if (lo >= d->fast_recovery_steps)
			rt += (lo - d->fast_recovery_steps + 1) * d->hai_bps;
		else
			rt += d->ai_bps;
		c->target_bps = (uint64_t)(rt > line ? line : rt);
	}
	sim_cc_set_rate(s, c, ((double)c->target_bps + (double)c->rate_bps) / 2);
}

void sim_cc_timer(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);

	if (!c->nactive || c->rate_bps >= c->line_bps) {
		c->cc_stage = 0;
		return;
	}
	c->cc_timer_ctr++;
	sim_dcqcn_increase(s, c);
	sim_schedule(s, sim_now(s) + d->increase_period_ps, &c->cc_ev);
	sim_port_try_start(s, c->port);
}

void sim_cc_on_sent(struct sim *s, struct sim_conn *c, uint32_t bytes)
{
	uint64_t now = sim_now(s), line = c->line_bps;

	if (s->cfg.cc == SIM_CC_NONE || c->rate_bps >= line) {
		c->next_tx_ps = 0;
		return;
	}
	if (c->next_tx_ps < now)
		c->next_tx_ps = now;
	c->next_tx_ps = coll_add_sat_u64(c->next_tx_ps, sim_ser_ps(bytes, c->rate_bps));
	if (s->cfg.cc != SIM_CC_DCQCN || !c->cc_stage)
		return;
	c->cc_byte_ctr += bytes;
	if (c->cc_byte_ctr >= sim_dcqcn(s)->byte_counter_bytes) {
		c->cc_byte_ctr = 0;
		c->cc_byte_stage++;
		sim_dcqcn_increase(s, c);
	}
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

static double sim_tele_measure(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack, double *tau_ps,
			       int *valid)
{
	double u = 0;

	*valid = 0;
	*tau_ps = 0;
	for (uint32_t i = 0; i < ack->nhops && i < c->tele_last_n; i++) {
		double ui;

		if (ack->hop[i].port != c->tele_last[i].port)
			continue;	/* adaptive routing moved this hop: no rate sample */
		ui = sim_tele_hop_u(s, &ack->hop[i], &c->tele_last[i]);
		if (ui > u || !*valid) {
			u = ui;
			*tau_ps = (double)(ack->hop[i].ts_ps - c->tele_last[i].ts_ps);
		}
		*valid = 1;
	}
	c->tele_last_n = ack->nhops;
	for (uint32_t i = 0; i < ack->nhops; i++)
		c->tele_last[i] = ack->hop[i];
	return u;
}

static void sim_tele_on_ack(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack)
{
	double eta = s->cfg.tele_eta, u, w, wai, bdp = (double)s->window_bytes, tau;
	int valid, update = sim_now(s) - c->tele_update_ps >= s->base_rtt_ps;

	if (!ack->nhops)
		return;
	u = sim_tele_measure(s, c, ack, &tau, &valid);
	if (!valid)
		return;
	/* EWMA over one base RTT, weighted by the bottleneck's sample interval */
	if (tau > (double)s->base_rtt_ps)
		tau = (double)s->base_rtt_ps;
	c->tele_u = c->tele_u * (1 - tau / s->base_rtt_ps) + u * tau / s->base_rtt_ps;
	wai = bdp * (1 - eta) / 16;
	if (c->tele_u >= eta || c->tele_inc_stage >= SIM_TELE_MAX_STAGE)
		w = (double)c->tele_win_bytes / (c->tele_u / eta) + wai;
	else
		w = (double)c->tele_win_bytes + wai;
	if (w > bdp)
		w = bdp;
	if (w < s->mtu_bytes)
		w = s->mtu_bytes;
	c->window_bytes = (uint64_t)w;
	sim_cc_set_rate(s, c, w * 8e12 / (double)s->base_rtt_ps);
	if (update) {
		c->tele_update_ps = sim_now(s);
		if (c->tele_u >= eta || c->tele_inc_stage >= SIM_TELE_MAX_STAGE)
			c->tele_inc_stage = 0;
		else
			c->tele_inc_stage++;
		c->tele_win_bytes = c->window_bytes;
	}
}

void sim_cc_on_ack(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack)
{
	if (s->cfg.cc == SIM_CC_TELEMETRY)
		sim_tele_on_ack(s, c, ack);
}
