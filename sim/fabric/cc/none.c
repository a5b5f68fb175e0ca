/*
 * No congestion control: a line-rate NIC held back only by PFC pauses. Like
 * every RoCE configuration without a window-based CC it keeps no byte
 * window (ConnectX has none: its in-flight data is what the posted work
 * requests hold); --window still imposes one. It ignores ECN marks (no
 * CNPs) and telemetry.
 */
#include "sim/fabric/cc/cc.h"

static void sim_none_on_sent(struct sim *s, struct sim_conn *c, uint32_t bytes)
{
	c->next_tx_ps = 0;	/* never paced */
}

const struct sim_cc_ops sim_cc_none = {
	.name = "none",
	.window = SIM_CC_WINDOW_UNLIMITED,
	.init = sim_cc_nop_init,
	.on_ack = sim_cc_nop_ack,
	.on_cnp = sim_cc_nop_cnp,
	.on_sent = sim_none_on_sent,
	.timer = sim_cc_nop_timer,
	.cnp_interval_ps = sim_cc_nop_cnp_interval,
	.target_util = sim_cc_nop_target_util,
};
