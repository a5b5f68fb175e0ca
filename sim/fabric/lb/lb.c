/*
 * The load-balancing registry (lb.h says how a mode plugs in).
 */
#include "sim/fabric/lb/lb.h"

/*
 * The registry: one X(NAME) per mode, defined as sim_lb_NAME in its own
 * file, in --lb order (the values of enum sim_lb).
 */
#define SIM_LB_REGISTRY(X) \
	X(ecmp)            \
	X(flowlet)         \
	X(spray)           \
	X(ar)

#define SIM_LB_DECLARE(name) extern const struct sim_lb_ops sim_lb_##name;
#define SIM_LB_ENTRY(name) &sim_lb_##name,

SIM_LB_REGISTRY(SIM_LB_DECLARE)

const struct sim_lb_ops *const sim_lb_table[] = { SIM_LB_REGISTRY(SIM_LB_ENTRY) };

uint32_t sim_lb_count(void)
{
	return sizeof(sim_lb_table) / sizeof(sim_lb_table[0]);
}

const struct sim_lb_ops *sim_lb_ops(enum sim_lb lb)
{
	return (unsigned int)lb < sim_lb_count() ? sim_lb_table[lb] : NULL;
}
