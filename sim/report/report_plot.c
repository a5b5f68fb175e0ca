/*
 * The plot families of `fabsim report`, in the order report.md shows them:
 * for each, the plots it writes, the report.md section, the data a
 * configuration must have loaded and the function in plot_*.c that draws
 * it with the gnuplot kit (gnuplot.c). A new plot is a new plot_*.c file
 * and one row here.
 */
#include "sim/report/gnuplot.h"

static const struct sim_rep_family rep_families[] = {
	{ .plots = "ladder-<workload>", .section = "Ablation ladder",
	  .needs = 0, .across = sim_rep_plot_ladder },
	{ .plots = "effective-vs-size, busbw-vs-size, busbw-per-nic-vs-size, nic-busy-vs-size, time-vs-size",
	  .section = "Collectives across configurations",
	  .needs = SIM_REP_NEED_COLL, .across = sim_rep_plot_sizes },
	{ .plots = "flow-throughput", .section = "Flow workloads",
	  .needs = SIM_REP_NEED_FLOWRUN, .across = sim_rep_plot_flows },
	{ .plots = "fct-cdf", .section = "Flow completion times",
	  .needs = SIM_REP_NEED_FCT, .across = sim_rep_plot_fct },
	{ .plots = "heatmap-<config>", .section = "Link utilization",
	  .needs = SIM_REP_NEED_LINKS, .each = sim_rep_plot_heatmap },
	{ .plots = "queue-<config>", .section = "Queues and PFC",
	  .needs = SIM_REP_NEED_TRACE, .each = sim_rep_plot_queue },
	{ .plots = "predicted-vs-measured-<collective>", .section = "Predicted vs measured",
	  .needs = SIM_REP_NEED_PRED, .across = sim_rep_plot_predictions },
	{ .plots = "p2p-latency, p2p-bandwidth", .section = "Point-to-point matrix",
	  .needs = 0, .across = sim_rep_plot_p2p },
};

bool sim_rep_has(const struct sim_rep_config *c, unsigned int needs)
{
	if ((needs & SIM_REP_NEED_COLL) && !(c->kind == SIM_REP_COLL && c->ncoll))
		return false;
	if ((needs & SIM_REP_NEED_FCT) && !c->nfct)
		return false;
	if ((needs & SIM_REP_NEED_LINKS) && !c->nlinks)
		return false;
	if ((needs & SIM_REP_NEED_TRACE) && !c->ntrace)
		return false;
	if ((needs & SIM_REP_NEED_PRED) && !c->npred)
		return false;
	if ((needs & SIM_REP_NEED_FLOWRUN) && !(c->kind == SIM_REP_FLOWS && c->summary))
		return false;
	return true;
}

static int rep_family(struct sim_report *r, const struct sim_rep_family *fam)
{
	size_t i;
	int ret = 0;

	if (fam->across)
		return fam->across(r, fam);
	for (i = 0; i < r->ncfg && !ret; i++)
		if (sim_rep_has(&r->cfg[i], fam->needs))
			ret = fam->each(r, fam, &r->cfg[i]);
	return ret;
}

int sim_rep_plots(struct sim_report *r)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(rep_families) / sizeof(rep_families[0]) && !ret; i++)
		ret = rep_family(r, &rep_families[i]);
	return ret;
}
