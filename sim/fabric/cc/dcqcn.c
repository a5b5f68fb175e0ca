/*
 * DCQCN: Zhu et al., "Congestion Control for Large-Scale RDMA Deployments",
 * SIGCOMM 2015. Switches mark ECN, receivers answer with CNPs, and the
 * sender decreases its rate multiplicatively on a CNP, scaled by alpha,
 * then recovers (fast recovery, additive and hyper increase) driven by a
 * timer and a byte counter. Alpha decays once per update period without
 * CNP; it is applied lazily (alpha *= (1-g)^periods) so no per-microsecond
 * timer runs. Rate-based: RoCE NICs keep no window, only the rate limiter.
 */
#include <math.h>
#include "sim/fabric/cc/cc.h"

struct sim_dcqcn_params {
	double g;			/* alpha gain */
	uint64_t alpha_period_ps;	/* alpha decay period */
	uint64_t decrease_period_ps;	/* at most one decrease per period */
	uint64_t increase_period_ps;	/* rate-increase timer */
	uint64_t byte_counter_bytes;	/* rate-increase byte counter */
	uint32_t fast_recovery_steps;	/* F */
	double ai_bps, hai_bps;		/* additive / hyper increase step */
};

static const struct sim_dcqcn_params sim_dcqcn_sets[2] = {
	/* paper: K = T = 55 us, B = 10 MB, F = 5, R_AI = 40 Mb/s, R_HAI = 10 x R_AI */
	{ 1.0 / 256, 55000000, 0, 55000000, 10 * 1024 * 1024, 5, 40e6, 400e6 },
	/* Mellanox firmware defaults: alpha update 1 us, rate decrease 4 us,
	 * rate increase 300 us, byte reset 32767 B, threshold 1, AI 5 Mb/s,
	 * HAI 50 Mb/s */
	{ 1.0 / 256, 1000000, 4000000, 300000000, 32767, 1, 5e6, 50e6 },
};

/* Per connection. */
struct sim_dcqcn {
	double alpha;
	uint64_t target_bps;		/* R_T, the rate recovery aims at */
	uint64_t byte_ctr;		/* bytes since the last byte-counter event */
	uint32_t stage;			/* 1 while the increase timer runs */
	uint32_t timer_ctr, byte_stage;
	uint64_t last_alpha_ps, last_decrease_ps;
};

SIM_CC_STATE(sim_dcqcn_of, struct sim_dcqcn)

static const struct sim_dcqcn_params *sim_dcqcn(const struct sim *s)
{
	return &sim_dcqcn_sets[s->cfg.dcqcn_params ? 1 : 0];
}

static void sim_dcqcn_init(struct sim *s, struct sim_conn *c)
{
	struct sim_dcqcn *q = sim_dcqcn_of(c);

	q->target_bps = c->line_bps;
	q->alpha = 1.0;
}

static void sim_dcqcn_on_cnp(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	struct sim_dcqcn *q = sim_dcqcn_of(c);
	uint64_t now = sim_now(s);
	double periods;

	if (q->last_decrease_ps && now - q->last_decrease_ps < d->decrease_period_ps)
		return;
	periods = q->last_alpha_ps ? (double)((now - q->last_alpha_ps) / d->alpha_period_ps) : 0;
	q->alpha = q->alpha * pow(1 - d->g, periods) * (1 - d->g) + d->g;
	q->last_alpha_ps = now;
	q->last_decrease_ps = now;
	q->target_bps = c->rate_bps;
	sim_cc_set_rate(c, (double)c->rate_bps * (1 - q->alpha / 2));
	q->timer_ctr = 0;
	q->byte_stage = 0;
	q->byte_ctr = 0;
	if (!q->stage) {
		q->stage = 1;	/* the increase timer runs while below line rate */
		sim_schedule(s, now + d->increase_period_ps, &c->cc_ev);
	}
}

static void sim_dcqcn_increase(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	struct sim_dcqcn *q = sim_dcqcn_of(c);
	double line = (double)c->line_bps;
	uint32_t hi = q->timer_ctr > q->byte_stage ? q->timer_ctr : q->byte_stage;
	uint32_t lo = q->timer_ctr < q->byte_stage ? q->timer_ctr : q->byte_stage;
	double rt = (double)q->target_bps;

	if (hi >= d->fast_recovery_steps) {
		if (lo >= d->fast_recovery_steps)
			rt += (lo - d->fast_recovery_steps + 1) * d->hai_bps;
		else
			rt += d->ai_bps;
		q->target_bps = (uint64_t)(rt > line ? line : rt);
	}
	sim_cc_set_rate(c, ((double)q->target_bps + (double)c->rate_bps) / 2);
}

static void sim_dcqcn_timer(struct sim *s, struct sim_conn *c)
{
	struct sim_dcqcn *q = sim_dcqcn_of(c);

	if (!c->nactive || c->rate_bps >= c->line_bps) {
		q->stage = 0;
		return;
	}
	q->timer_ctr++;
	sim_dcqcn_increase(s, c);
	sim_schedule(s, sim_now(s) + sim_dcqcn(s)->increase_period_ps, &c->cc_ev);
	sim_port_try_start(s, c->port);
}

static void sim_dcqcn_on_sent(struct sim *s, struct sim_conn *c, uint32_t bytes)
{
	struct sim_dcqcn *q = sim_dcqcn_of(c);

	if (!sim_cc_pace(s, c, bytes) || !q->stage)
		return;
	q->byte_ctr += bytes;
	if (q->byte_ctr >= sim_dcqcn(s)->byte_counter_bytes) {
		q->byte_ctr = 0;
		q->byte_stage++;
		sim_dcqcn_increase(s, c);
	}
}

const struct sim_cc_ops sim_cc_dcqcn = {
	.name = "dcqcn",
	.needs_cnp = true,
	.window = SIM_CC_WINDOW_UNLIMITED,
	.init = sim_dcqcn_init,
	.on_ack = sim_cc_nop_ack,
	.on_cnp = sim_dcqcn_on_cnp,
	.on_sent = sim_dcqcn_on_sent,
	.timer = sim_dcqcn_timer,
};
