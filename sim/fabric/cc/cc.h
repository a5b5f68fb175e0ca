/*
 * Congestion control at the sending NIC (the reaction point), as a table.
 *
 * Each algorithm is one file of this folder that defines one
 * `const struct sim_cc_ops sim_cc_NAME`; the registry line SIM_CC_REGISTRY
 * in cc.c lists them in --cc order, and sim_config.cc indexes it. Adding an
 * algorithm is that file plus its registry line: the name then parses on
 * the command line, appears in messages and in every output, and the NIC,
 * the switches and the window default follow its flags below.
 *
 * State: struct sim_conn holds what every algorithm shares (line and pacing
 * rate, window, pacing clock, the timer event); each algorithm lays its own
 * struct over sim_conn.cc_state with SIM_CC_STATE, zero at the start.
 */
#ifndef SIM_FABRIC_CC_H
#define SIM_FABRIC_CC_H

#include "sim/fabric/sim.h"

/* Pacing never drops below this fraction of the line rate. */
#define SIM_CC_MIN_RATE_FRAC 0.001

/* The window a QP gets when --window is not given (sim_config_window). */
enum sim_cc_window {
	SIM_CC_WINDOW_BDP = 0,	/* one bandwidth-delay product + ACK coalescing */
	SIM_CC_WINDOW_UNLIMITED, /* rate-based, as RoCE NICs: only the PSN space bounds it */
};

/*
 * One congestion control. Every op is set (sim_cc_nop_* where an algorithm
 * has nothing to do); they run on the sender's connection C at sim_now(s).
 */
struct sim_cc_ops {
	const char *name;	/* --cc NAME, and in every output */
	bool needs_int;		/* switches stamp INT hops on data, ACKs echo them */
	bool needs_cnp;		/* receivers answer ECN-marked data with CNPs */
	enum sim_cc_window window;
	/* a new connection: the shared fields are set, cc_state is zero */
	void (*init)(struct sim *s, struct sim_conn *c);
	/* an ACK (with its echoed INT hops) reached the sender */
	void (*on_ack)(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack);
	/* a CNP reached the sender (only sent when needs_cnp) */
	void (*on_cnp)(struct sim *s, struct sim_conn *c);
	/* a data frame of BYTES on the wire left: sets c->next_tx_ps */
	void (*on_sent)(struct sim *s, struct sim_conn *c, uint32_t bytes);
	/* c->cc_ev fired; only the algorithm itself schedules it */
	void (*timer)(struct sim *s, struct sim_conn *c);
	/* the receiver's (NP's) least time between two CNPs of one QP; asked only when needs_cnp */
	uint64_t (*cnp_interval_ps)(const struct sim *s);
	/* the fraction of a bottleneck's wire rate the CC holds it at by design; 0: no such cap */
	double (*target_util)(const struct sim *s);
};

/* The registry, sim_cc_count() entries (cc.c). */
extern const struct sim_cc_ops *const sim_cc_table[];

/* The ops of a run: sim_create refused a cfg.cc outside the table. */
static inline const struct sim_cc_ops *sim_cc_of(const struct sim *s)
{
	return sim_cc_table[s->cfg.cc];
}

/* The ops of CC, NULL when CC is not in the table. */
const struct sim_cc_ops *sim_cc_ops(enum sim_cc cc);

/*
 * At file scope of an algorithm: static inline TYPE *FN(struct sim_conn *c),
 * its state laid over c->cc_state; a build error when TYPE does not fit
 * (then raise SIM_CC_STATE_WORDS in sim.h).
 */
#define SIM_CC_STATE(fn, type)                                                              \
	_Static_assert(sizeof(type) <= sizeof(((struct sim_conn *)0)->cc_state) &&          \
		       _Alignof(type) <= _Alignof(uint64_t),                                \
		       #type " does not fit struct sim_conn.cc_state");                     \
	static inline type *fn(struct sim_conn *c)                                          \
	{                                                                                   \
		return (type *)(void *)c->cc_state;                                         \
	}

/* Helpers the algorithms share (cc.c). */
/* Sets C's pacing rate to BPS, clamped to [SIM_CC_MIN_RATE_FRAC, 1] x line rate. */
void sim_cc_set_rate(struct sim_conn *c, double bps);
/*
 * Paces a frame of BYTES at C's rate: false (and no pacing) at line rate,
 * else true with c->next_tx_ps moved on by the frame's time at that rate.
 */
bool sim_cc_pace(struct sim *s, struct sim_conn *c, uint32_t bytes);
void sim_cc_nop_init(struct sim *s, struct sim_conn *c);
void sim_cc_nop_ack(struct sim *s, struct sim_conn *c, const struct sim_pkt *ack);
void sim_cc_nop_cnp(struct sim *s, struct sim_conn *c);
void sim_cc_nop_timer(struct sim *s, struct sim_conn *c);
/* cfg.cnp_interval_ps as it is */
uint64_t sim_cc_nop_cnp_interval(const struct sim *s);
/* no utilization cap: 0 */
double sim_cc_nop_target_util(const struct sim *s);

#endif
