/*
 * The congestion-control registry and what its algorithms share: the
 * connection's common start, rate clamping, pacing, and the entry points
 * the rest of the fabric calls (sim.c: connection setup, the CC timer event,
 * the default window; nic.c and port.c call the ops through sim_cc_of).
 */
#include "sim/fabric/cc/cc.h"

/*
 * The registry: one X(NAME) per algorithm, defined as sim_cc_NAME in its
 * own file, in --cc order (the values of enum sim_cc).
 */
#define SIM_CC_REGISTRY(X) \
	X(none)            \
	X(dcqcn)           \
	X(telemetry)

#define SIM_CC_DECLARE(name) extern const struct sim_cc_ops sim_cc_##name;
#define SIM_CC_ENTRY(name) &sim_cc_##name,

SIM_CC_REGISTRY(SIM_CC_DECLARE)

const struct sim_cc_ops *const sim_cc_table[] = { SIM_CC_REGISTRY(SIM_CC_ENTRY) };

uint32_t sim_cc_count(void)
{
	return sizeof(sim_cc_table) / sizeof(sim_cc_table[0]);
}

const struct sim_cc_ops *sim_cc_ops(enum sim_cc cc)
{
	return (unsigned int)cc < sim_cc_count() ? sim_cc_table[cc] : NULL;
}

bool sim_cc_window_unlimited(enum sim_cc cc)
{
	const struct sim_cc_ops *ops = sim_cc_ops(cc);

	return ops && ops->window == SIM_CC_WINDOW_UNLIMITED;
}

void sim_cc_init_conn(struct sim *s, struct sim_conn *c, uint64_t line_bps)
{
	c->cc_ev.type = SIM_EV_CC_TIMER;
	c->line_bps = line_bps;
	c->rate_bps = line_bps;
	c->window_bytes = s->window_bytes;
	sim_cc_of(s)->init(s, c);
}

void sim_cc_timer(struct sim *s, struct sim_conn *c)
{
	sim_cc_of(s)->timer(s, c);
}

void sim_cc_set_rate(struct sim_conn *c, double bps)
{
	double line = (double)c->line_bps, floor = line * SIM_CC_MIN_RATE_FRAC;

	if (bps > line)
		bps = line;
	if (bps < floor)
		bps = floor;
	c->rate_bps = (uint64_t)bps;
}

bool sim_cc_pace(struct sim *s, struct sim_conn *c, uint32_t bytes)
{
	uint64_t now = sim_now(s);

	if (c->rate_bps >= c->line_bps) {
		c->next_tx_ps = 0;
		return false;
	}
	if (c->next_tx_ps < now)
		c->next_tx_ps = now;
	c->next_tx_ps = coll_add_sat_u64(c->next_tx_ps, sim_ser_ps(bytes, c->rate_bps));
	return true;
}

void sim_cc_nop_init(struct sim *s, struct sim_conn *c)
{
}

void sim_cc_nop_ack(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack)
{
}

void sim_cc_nop_cnp(struct sim *s, struct sim_conn *c)
{
}

void sim_cc_nop_timer(struct sim *s, struct sim_conn *c)
{
}

uint64_t sim_cc_nop_cnp_interval(const struct sim *s)
{
	return s->cfg.cnp_interval_ps;
}

double sim_cc_nop_target_util(const struct sim *s)
{
	return 0;
}
