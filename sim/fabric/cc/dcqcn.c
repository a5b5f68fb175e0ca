/*
 * DCQCN, the reaction point (sending NIC) and the notification point's CNP
 * spacing, in two selectable parameter sets (--dcqcn-params):
 *
 * - `paper`: Zhu et al., "Congestion Control for Large-Scale RDMA
 *   Deployments", SIGCOMM 2015, section 3: on a CNP the target takes the
 *   current rate, the rate drops by alpha/2 and alpha rises by g at once;
 *   alpha decays once per K without CNP; the receiver sends at most one
 *   CNP per 50 us per QP.
 * - `connectx` (default; `mellanox` is an alias): the state machine of
 *   ConnectX-4..7 firmware with its documented defaults. Alpha is updated
 *   every dce_tcp_rtt (1 us): up by g if a CNP came in that period, down
 *   otherwise; the rate is cut at most once per rate_reduce_monitor_period
 *   (4 us), at the end of a period that saw a CNP; the target rate is not
 *   clamped to the current rate on a cut unless a timer increase happened
 *   since the last one (clamp_tgt_rate 0, clamp_tgt_rate_after_time_inc 1);
 *   the NP sends at most one CNP per min_time_between_cnps (4 us) per QP.
 *   The ns-3 model of this machine in the HPCC code (alibaba-edu
 *   High-Precision-Congestion-Control, rdma-hw.cc, *Mlx functions) was the
 *   reference for the order of events.
 *
 * Both recover the same way: after a cut, each increase event (every
 * rpg_time_reset of the timer, every rpg_byte_reset bytes sent) moves the
 * rate halfway to the target; after rpg_threshold (F) events the target
 * itself grows by R_AI per event (additive), and when both counters passed
 * F by R_HAI times their excess (hyper). The increase timer keeps running
 * while the QP is idle, as the NIC's does, and stops only once rate and
 * target are both back at line rate (further events would change nothing).
 *
 * 800G: the firmware's byte counter (32767 B) and AI/HAI steps (5 and
 * 50 Mb/s) are absolute. At 800G 32767 B leave in 0.33 us, so about 12
 * byte-counter events fall in each 4 us decrease period, each halving the
 * gap to a target that is not clamped: a cut of alpha/2 is undone before
 * the next one and the rate never leaves line rate (DCQCN becomes a no-op,
 * PFC holds the queue). `connectx` therefore scales the byte counter and
 * the AI/HAI steps by line rate / 25 Gb/s (the ConnectX-4 Lx speed these
 * defaults date from: 32767 B = 10.5 us at 25G, 1 MiB at 800G), keeping
 * their time constants; `connectx-unscaled` runs the literal values for
 * comparison. NVIDIA publishes no 400/800G values for these parameters.
 * The AI/HAI scaling by line / 25G is also what the HPCC authors' DCQCN
 * runs use (alibaba-edu/High-Precision-Congestion-Control simulation/
 * run.py: ai = 5 x bw/25, hai = 50 x bw/25 Mb/s, timer 300 us, 4 us
 * decrease, 1 us alpha). The increase timer rpg_time_reset (300 us) is
 * kept up to 100G and shrinks as 100G / line above (37.5 us at 800G): at
 * 300 us an 800G QP cut to the floor by the alpha ~ 1 cuts of the first
 * episode waits 300 us per recovery step (8-to-1 incast between 0.7 % and 91 % per 200 us for 2 ms);
 * at 9.4 us (25G / line) increases outrun the cuts (10-20 MB queue).
 * The decrease side (4 us CNP spacing and reduce period, 1 us alpha
 * period, g, initial alpha 1023, 50 % max cut) is kept literally: it is
 * time-based in the firmware and does not depend on the line rate.
 * Sensitivity (small-800g, the README's table): k = 300 us / timer = 1,
 * 4, 8 (this set), 16.
 *
 * State is per connection, and a connection (struct sim_conn) is one
 * (source, destination, QP slot): it is per QP, as ConnectX keeps it.
 */
#include <math.h>
#include <string.h>
#include "sim/fabric/cc/cc.h"

struct sim_dcqcn_params {
	const char *name;
	double g;			/* alpha gain per update */
	uint64_t alpha_period_ps;	/* alpha update period */
	double initial_alpha;		/* alpha at the first CNP */
	uint64_t decrease_period_ps;	/* cut at most once per period; 0: at the CNP */
	double min_dec_fac;		/* a cut keeps at least this fraction of the rate */
	double min_rate_bps;		/* the rate limiter's floor */
	bool clamp_tgt;			/* every cut sets target = rate */
	bool clamp_after_time_inc;	/* ...or a cut after a timer increase does */
	uint64_t time_reset_ps;		/* increase timer period */
	uint64_t byte_reset_bytes;	/* increase byte counter, at ref_bps */
	uint32_t threshold;		/* F: fast-recovery events */
	double ai_bps, hai_bps;		/* additive / hyper increase steps, at ref_bps */
	uint64_t cnp_interval_ps;	/* NP: at most one CNP per QP per interval */
	double ref_bps;			/* byte counter and AI/HAI scale with line / ref; 0: never */
	double timer_ref_bps;		/* the increase timer shrinks with timer_ref / line; 0: never */
};

#define SIM_US 1000000ULL	/* ps */

/*
 * ConnectX firmware defaults (mlxconfig names in capitals, sysfs
 * /sys/class/net/IF/ecn/roce_rp and roce_np names in lower case, kernel
 * drivers/infiniband/hw/mlx5/cong.c lists the same). Values and semantics:
 * https://networking-docs.nvidia.com/doca/archive/3-4-0/dcqcn-cc-parameters
 * (alpha update, rate decrease) and the defaults `mlxconfig query` prints
 * on ConnectX-6/7 (RPG_TIME_RESET 300, RPG_BYTE_RESET 32767,
 * RPG_THRESHOLD 1, RPG_MAX_RATE 0, RPG_AI_RATE 5, RPG_HAI_RATE 50, RPG_GD
 * 11, RPG_MIN_DEC_FAC 50, RPG_MIN_RATE 1, RATE_TO_SET_ON_FIRST_CNP 0,
 * DCE_TCP_G 1019, DCE_TCP_RTT 1, RATE_REDUCE_MONITOR_PERIOD 4,
 * INITIAL_ALPHA_VALUE 1023, MIN_TIME_BETWEEN_CNPS 4, CLAMP_TGT_RATE 0,
 * CLAMP_TGT_RATE_AFTER_TIME_INC 1).
 */
#define SIM_DCQCN_CONNECTX(NAME, REF_BPS, TIMER_REF_BPS) {                                                     \
	.name = NAME,                                                                           \
	/* dce_tcp_g 1019 /1024: alpha = 1019/1024 alpha (+ 5/1024 with a CNP), g = 5/1024 */   \
	.g = (1024.0 - 1019.0) / 1024.0,                                                        \
	.alpha_period_ps = 1 * SIM_US,		/* dce_tcp_rtt 1 us */                          \
	.initial_alpha = 1023.0 / 1024.0,	/* initial_alpha_value 1023 */                  \
	.decrease_period_ps = 4 * SIM_US,	/* rate_reduce_monitor_period 4 us */           \
	/* rpg_min_dec_fac 50 %; rpg_gd 11: cut = alpha x 2^10 / 2^11 = alpha / 2 */            \
	.min_dec_fac = 0.50,                                                                    \
	.min_rate_bps = 1e6,			/* rpg_min_rate 1 Mb/s */                       \
	.clamp_tgt = false,			/* clamp_tgt_rate 0 */                          \
	.clamp_after_time_inc = true,		/* clamp_tgt_rate_after_time_inc 1 */           \
	.time_reset_ps = 300 * SIM_US,		/* rpg_time_reset 300 us */                     \
	.byte_reset_bytes = 32767,		/* rpg_byte_reset 32767 B */                    \
	.threshold = 1,				/* rpg_threshold 1 */                           \
	.ai_bps = 5e6,				/* rpg_ai_rate 5 Mb/s */                        \
	.hai_bps = 50e6,			/* rpg_hai_rate 50 Mb/s */                      \
	.cnp_interval_ps = 4 * SIM_US,		/* roce_np min_time_between_cnps 4 us */        \
	.ref_bps = (REF_BPS),                                                                   \
	.timer_ref_bps = (TIMER_REF_BPS),                                                       \
}

/* Indexed by enum sim_dcqcn_set. rpg_max_rate 0 (line rate) and rate_to_set_on_first_cnp 0 (off) need no field. */
static const struct sim_dcqcn_params sim_dcqcn_sets[SIM_DCQCN_SET_COUNT] = {
	[SIM_DCQCN_PAPER] = {
		/* Zhu et al. 2015, section 3 and its parameter table (40G testbed) */
		.name = "paper",
		.g = 1.0 / 256,			/* g = 1/256 */
		.alpha_period_ps = 55 * SIM_US,	/* K = 55 us */
		.initial_alpha = 1.0,		/* alpha starts at 1 */
		.decrease_period_ps = 0,	/* cut on every CNP (the NP spaces them by N) */
		.min_dec_fac = 0,
		.min_rate_bps = 0,
		.clamp_tgt = true,		/* R_T = R_C on every cut */
		.clamp_after_time_inc = false,
		.time_reset_ps = 55 * SIM_US,	/* T = 55 us */
		.byte_reset_bytes = 10ULL << 20, /* B = 10 MB */
		.threshold = 5,			/* F = 5 */
		.ai_bps = 40e6,			/* R_AI = 40 Mb/s */
		.hai_bps = 400e6,		/* R_HAI: not in the paper's table; 10 x R_AI */
		.cnp_interval_ps = 50 * SIM_US,	/* N = 50 us */
		.ref_bps = 0,
	},
	[SIM_DCQCN_CONNECTX] = SIM_DCQCN_CONNECTX("connectx", 25e9, 100e9),
	[SIM_DCQCN_CONNECTX_UNSCALED] = SIM_DCQCN_CONNECTX("connectx-unscaled", 0, 0),
};

/* Per connection, that is per QP slot. */
struct sim_dcqcn {
	double alpha;
	double target_bps;	/* R_T, the rate recovery aims at */
	uint64_t byte_ctr;	/* bytes since the last byte-counter event */
	uint32_t t_stage;	/* increase-timer events since the last cut */
	uint32_t bc_stage;	/* byte-counter events since the last cut */
	bool started;		/* a CNP came: the state machine runs */
	bool alpha_cnp;		/* connectx: a CNP in the current alpha period */
	uint64_t alpha_ps;	/* last alpha update (connectx: a period boundary) */
	uint64_t dec_origin_ps;	/* connectx: first CNP; decrease periods start here */
	uint64_t dec_at_ps;	/* connectx: the cut due at this period end; 0: none */
	uint64_t inc_at_ps;	/* next increase-timer event; 0: timer stopped */
	uint64_t ev_ps;		/* when c->cc_ev fires for real; 0: not pending */
};

SIM_CC_STATE(sim_dcqcn_of, struct sim_dcqcn)

static const struct sim_dcqcn_params *sim_dcqcn(const struct sim *s)
{
	return &sim_dcqcn_sets[s->cfg.dcqcn_params];
}

const char *sim_dcqcn_set_name(enum sim_dcqcn_set set)
{
	return (unsigned int)set < SIM_DCQCN_SET_COUNT ? sim_dcqcn_sets[set].name : NULL;
}

int sim_dcqcn_set_from_name(const char *name, enum sim_dcqcn_set *set)
{
	if (!strcmp(name, "mellanox")) {	/* the name before ConnectX, kept for scripts */
		*set = SIM_DCQCN_CONNECTX;
		return 0;
	}
	for (unsigned int i = 0; i < SIM_DCQCN_SET_COUNT; i++) {
		if (!strcmp(name, sim_dcqcn_sets[i].name)) {
			*set = (enum sim_dcqcn_set)i;
			return 0;
		}
	}
	return -1;
}

/* The NP's spacing of CNPs per QP: --cnp-interval, or the parameter set's when 0. */
static uint64_t sim_dcqcn_cnp_interval_ps(const struct sim *s)
{
	return s->cfg.cnp_interval_ps ? s->cfg.cnp_interval_ps : sim_dcqcn(s)->cnp_interval_ps;
}

/* Line rate over the set's reference speed: how much its byte counter and AI/HAI steps grow. */
static double sim_dcqcn_scale(const struct sim_dcqcn_params *d, const struct sim_conn *c)
{
	double k = d->ref_bps > 0 ? (double)c->line_bps / d->ref_bps : 1.0;

	return k > 1.0 ? k : 1.0;
}

/*
 * The increase timer period: rpg_time_reset as the firmware has it up to
 * timer_ref_bps, shorter in proportion above (300 us at 100G, 37.5 us at 800G).
 */
static uint64_t sim_dcqcn_time_reset_ps(const struct sim_dcqcn_params *d, const struct sim_conn *c)
{
	if (d->timer_ref_bps <= 0 || (double)c->line_bps <= d->timer_ref_bps)
		return d->time_reset_ps;
	return (uint64_t)((double)d->time_reset_ps * d->timer_ref_bps / (double)c->line_bps);
}

static void sim_dcqcn_init(struct sim *s, struct sim_conn *c)
{
	struct sim_dcqcn *q = sim_dcqcn_of(c);

	q->target_bps = (double)c->line_bps;
	q->alpha = sim_dcqcn(s)->initial_alpha;
}

/* Arms c->cc_ev for the earliest of the pending cut and the increase timer. */
static void sim_dcqcn_arm(struct sim *s, struct sim_conn *c)
{
	struct sim_dcqcn *q = sim_dcqcn_of(c);
	uint64_t next = q->dec_at_ps;

	if (q->inc_at_ps && (!next || q->inc_at_ps < next))
		next = q->inc_at_ps;
	if (!next || (q->ev_ps && q->ev_ps <= next))
		return;		/* the pending firing comes first and re-arms */
	q->ev_ps = next;
	sim_schedule(s, next, &c->cc_ev);
}

/* connectx: applies the alpha updates of every period that ended by NOW. */
static void sim_dcqcn_alpha_to(const struct sim_dcqcn_params *d, struct sim_dcqcn *q, uint64_t now)
{
	uint64_t n = (now - q->alpha_ps) / d->alpha_period_ps;

	if (!n)
		return;
	q->alpha_ps += n * d->alpha_period_ps;
	if (q->alpha_cnp) {
		q->alpha = (1 - d->g) * q->alpha + d->g;
		q->alpha_cnp = false;
		n--;
	}
	q->alpha *= pow(1 - d->g, (double)n);
}

/* A rate cut: the target per the clamping rules, rate x (1 - alpha/2), counters reset. */
static void sim_dcqcn_cut(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	struct sim_dcqcn *q = sim_dcqcn_of(c);
	double rate = (double)c->rate_bps, cut = rate * (1 - q->alpha / 2);

	if (d->clamp_tgt || (d->clamp_after_time_inc && q->t_stage))
		q->target_bps = rate;
	if (cut < rate * d->min_dec_fac)
		cut = rate * d->min_dec_fac;
	if (cut < d->min_rate_bps)
		cut = d->min_rate_bps;
	sim_cc_set_rate(c, cut);
	q->t_stage = 0;
	q->bc_stage = 0;
	q->byte_ctr = 0;
	q->inc_at_ps = sim_now(s) + sim_dcqcn_time_reset_ps(d, c);	/* the timer restarts at a cut */
}

static void sim_dcqcn_on_cnp(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	struct sim_dcqcn *q = sim_dcqcn_of(c);
	uint64_t now = sim_now(s);

	if (!d->decrease_period_ps) {
		/*
		 * paper, equation (1): the cut uses alpha as it is (after the
		 * lazy decay once per K since the last CNP), then alpha rises by g
		 */
		uint64_t k = q->started ? (now - q->alpha_ps) / d->alpha_period_ps : 0;

		q->alpha *= pow(1 - d->g, (double)k);
		q->alpha_ps = now;
		q->started = true;
		sim_dcqcn_cut(s, c);
		q->alpha = (1 - d->g) * q->alpha + d->g;
		sim_dcqcn_arm(s, c);
		return;
	}
	if (!q->started) {
		/* the first CNP sets alpha and starts the alpha and decrease periods */
		q->started = true;
		q->alpha = d->initial_alpha;
		q->alpha_ps = now;
		q->dec_origin_ps = now;
	} else {
		sim_dcqcn_alpha_to(d, q, now);
		q->alpha_cnp = true;
	}
	if (!q->dec_at_ps) {
		uint64_t p = d->decrease_period_ps;

		q->dec_at_ps = q->dec_origin_ps + ((now - q->dec_origin_ps) / p + 1) * p;
	}
	sim_dcqcn_arm(s, c);
}

/* An increase event: fast recovery, then additive, then hyper increase of the target. */
static void sim_dcqcn_increase(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	struct sim_dcqcn *q = sim_dcqcn_of(c);
	double line = (double)c->line_bps, k = sim_dcqcn_scale(d, c);
	uint32_t hi = q->t_stage > q->bc_stage ? q->t_stage : q->bc_stage;
	uint32_t lo = q->t_stage < q->bc_stage ? q->t_stage : q->bc_stage;
	double rate;

	if (hi > d->threshold) {
		if (lo > d->threshold)
			q->target_bps += (lo - d->threshold) * d->hai_bps * k;
		else
			q->target_bps += d->ai_bps * k;
		if (q->target_bps > line)
			q->target_bps = line;
	}
	rate = (q->target_bps + (double)c->rate_bps) / 2;
	if (q->target_bps - rate < 1.0)
		rate = q->target_bps;	/* within 1 b/s: halving would never land on it */
	sim_cc_set_rate(c, rate);
	if (c->rate_bps >= c->line_bps && q->target_bps >= line)
		q->inc_at_ps = 0;	/* back at line rate: nothing left to recover */
}

static void sim_dcqcn_timer(struct sim *s, struct sim_conn *c)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	struct sim_dcqcn *q = sim_dcqcn_of(c);
	uint64_t now = sim_now(s);

	if (now != q->ev_ps)
		return;		/* a copy armed before an earlier one replaced it */
	q->ev_ps = 0;
	if (q->dec_at_ps && now >= q->dec_at_ps) {
		q->dec_at_ps = 0;
		sim_dcqcn_alpha_to(d, q, now);
		sim_dcqcn_cut(s, c);
	}
	if (q->inc_at_ps && now >= q->inc_at_ps) {
		/* runs while the QP is idle too: the rate keeps recovering */
		q->t_stage++;
		q->inc_at_ps = now + sim_dcqcn_time_reset_ps(d, c);
		sim_dcqcn_increase(s, c);
	}
	sim_dcqcn_arm(s, c);
	sim_port_try_start(s, c->port);
}

static void sim_dcqcn_on_sent(struct sim *s, struct sim_conn *c, uint32_t bytes)
{
	const struct sim_dcqcn_params *d = sim_dcqcn(s);
	struct sim_dcqcn *q = sim_dcqcn_of(c);

	if (!sim_cc_pace(s, c, bytes) || !q->started)
		return;
	q->byte_ctr += bytes;
	if ((double)q->byte_ctr >= (double)d->byte_reset_bytes * sim_dcqcn_scale(d, c)) {
		q->byte_ctr = 0;
		q->bc_stage++;
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
	.cnp_interval_ps = sim_dcqcn_cnp_interval_ps,
	.target_util = sim_cc_nop_target_util,
};
