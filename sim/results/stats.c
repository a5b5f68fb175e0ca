/*
 * Run metrics. Effective throughput is the vendors' figure made precise:
 * payload delivered divided by what the senders' line rates could have
 * carried during each flow's lifetime (sum of rate x FCT). The aggregate
 * rate over the window in which all flows were active is reported beside
 * it, because a straggler inflates FCT-based figures differently: that
 * window opens when the last flow's first byte reaches its receiver (not
 * at its start, which would count the first one-way delay, when nothing
 * can arrive yet, as idle line) and closes at the first finish.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <jansson.h>
#include "sim/results/schema.h"
#include "sim/results/stats.h"
#include "sim/fabric/cc/cc.h"
#include "collectives/units.h"

/* "s" after a count of N things but one ("1 packet", "2 packets") */
#define STATS_PLURAL(N) ((N) == 1 ? "" : "s")

static int sim_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double sim_results_pct(const double *v, uint64_t n, double p)
{
	uint64_t k;

	if (!n)
		return 0;
	k = (uint64_t)(p / 100.0 * n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

/* KiB: the peak resident memory of this process so far. */
static uint64_t sim_peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_maxrss;
}

void sim_fct_percentiles(double *v, uint64_t n, struct sim_fct_pcts *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), sim_cmp_double);
	out->p50_us = sim_results_pct(v, n, 50);
	out->p99_us = sim_results_pct(v, n, 99);
	out->max_us = v[n - 1];
}

/* What a pass over flows gathers for the figures of their lifetimes. */
struct sim_flow_acc {
	double cap_bits, rx_bits, sum_frac, sum_fct, min_frac;
	uint64_t first_start, last_finish;
	uint64_t n;		/* finished flows */
	uint64_t bytes;		/* payload of every flow of the pass */
	uint32_t max_reorder;
	double *fct;		/* the finished flows' FCTs, us; NULL: not kept */
};

/* Flows FIRST .. FIRST + COUNT - 1 into A (zeroed but for fct), in id order: the same rounding every time. */
static void sim_flows_acc(const struct sim *s, uint64_t first, uint64_t count, struct sim_flow_acc *a)
{
	struct sim_flow tmp;

	a->min_frac = 1;
	a->first_start = UINT64_MAX;
	for (uint64_t i = first; i < first + count; i++) {
		const struct sim_flow *f = sim_flow_get(s, i, &tmp);
		double t, frac;

		a->bytes += f->bytes;
		if (f->max_reorder > a->max_reorder)
			a->max_reorder = f->max_reorder;
		/* a flow that did not finish has no FCT: no figure counts it */
		if (!f->finish_ps)
			continue;
		t = (double)(f->finish_ps - f->start_ps) * 1e-12;
		a->cap_bits += (double)f->rate_bps * t;
		a->rx_bits += (double)f->bytes * 8;
		frac = t > 0 ? (double)f->bytes * 8 / ((double)f->rate_bps * t) : 1;
		a->sum_frac += frac;
		if (frac < a->min_frac)
			a->min_frac = frac;
		if (a->fct)
			a->fct[a->n] = t * 1e6;
		a->sum_fct += t * 1e6;
		a->n++;
		if (f->start_ps < a->first_start)
			a->first_start = f->start_ps;
		if (f->finish_ps > a->last_finish)
			a->last_finish = f->finish_ps;
	}
}

static void sim_results_flows(const struct sim *s, struct sim_results *r)
{
	struct sim_flow_acc a = { .fct = malloc((s->nflows ? s->nflows : 1) * sizeof(double)) };
	struct sim_fct_pcts p;

	sim_flows_acc(s, 0, s->nflows, &a);
	r->max_reorder = a.max_reorder;
	r->min_flow_frac = a.min_frac;
	/* the simulator's count: a local copy that ended at time 0 finished too */
	r->flows_done = s->flows_done;
	r->effective_throughput = a.cap_bits > 0 ? a.rx_bits / a.cap_bits : 0;
	r->mean_flow_frac = a.n ? a.sum_frac / a.n : 0;
	r->fct_mean_us = a.n ? a.sum_fct / a.n : 0;
	r->makespan_us = a.n ? (double)(a.last_finish - a.first_start) * 1e-6 : 0;
	if (a.fct && a.n) {
		sim_fct_percentiles(a.fct, a.n, &p);
		r->fct_p50_us = p.p50_us;
		r->fct_p99_us = p.p99_us;
		r->fct_max_us = p.max_us;
	}
	free(a.fct);
}

int sim_results_flow_range(const struct sim *s, uint64_t first, uint64_t n, struct sim_flow_figs *out)
{
	struct sim_flow_acc a = { .fct = malloc((n ? n : 1) * sizeof(double)) };
	struct sim_fct_pcts p;

	memset(out, 0, sizeof(*out));
	if (!a.fct)
		return -ENOMEM;
	sim_flows_acc(s, first, n, &a);
	out->flows = n;
	out->flows_done = a.n;
	out->bytes = a.bytes;
	if (a.n == n && n) {
		out->effective = a.cap_bits > 0 ? a.rx_bits / a.cap_bits : 0;
		out->mean_flow_frac = a.sum_frac / a.n;
		out->min_flow_frac = a.min_frac;
		out->fct_mean_us = a.sum_fct / a.n;
		out->makespan_us = (double)(a.last_finish - a.first_start) * 1e-6;
		sim_fct_percentiles(a.fct, a.n, &p);
		out->fct_p50_us = p.p50_us;
		out->fct_p99_us = p.p99_us;
		out->fct_max_us = p.max_us;
	}
	free(a.fct);
	return 0;
}

static double sim_line_bps_total(const struct sim *s)
{
	double sum = 0;
	uint8_t *seen = calloc(s->topo->nnodes, 1);
	struct sim_flow tmp;

	for (uint64_t i = 0; i < s->nflows && seen; i++) {
		const struct sim_flow *f = sim_flow_get(s, i, &tmp);

		if (seen[f->src])
			continue;
		seen[f->src] = 1;
		sum += (double)f->rate_bps;
	}
	free(seen);
	return sum;
}

double sim_port_mean_queue(const struct sim *s, uint32_t port)
{
	const struct sim_portq *q = &s->pq[port];
	double integral = q->q_integral + (double)q->qbytes[SIM_PRIO_DATA] * (double)(s->end_ps - q->q_last_ps);

	return s->end_ps ? integral / (double)s->end_ps : 0;
}

static void sim_results_links(const struct sim *s, struct sim_results *r)
{
	const struct sim_topo *t = s->topo;
	double span = (double)s->end_ps * 1e-12;
	uint32_t up = 0, used = 0;

	r->max_queue_port = SIM_NONE;
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_port *p = &t->ports[i];
		const struct sim_node *a = &t->nodes[p->node], *b = &t->nodes[t->ports[p->peer].node];

		if (s->pq[i].max_qbytes > r->max_queue_bytes) {
			r->max_queue_bytes = s->pq[i].max_qbytes;
			r->max_queue_port = i;
		}
		if (a->kind != SIM_NODE_SWITCH || b->kind != SIM_NODE_SWITCH)
			continue;
		if (span > 0) {
			double u = (double)s->pq[i].tx_bytes * 8 / ((double)p->rate_bps * span);

			if (u > r->max_link_util)
				r->max_link_util = u;
		}
		if (a->tier == 1 && p->up) {
			up++;
			used += s->pq[i].tx_payload_bytes > 0;
		}
	}
	r->uplinks_used_frac = up ? (double)used / up : 0;
}

void sim_results_compute(const struct sim *s, struct sim_results *r)
{
	memset(r, 0, sizeof(*r));
	r->flows = s->nflows;
	r->payload_bytes = s->c.delivered_bytes;
	sim_results_flows(s, r);
	sim_results_links(s, r);
	r->window_throughput = -1;
	r->ideal_effective = r->ideal_all_active = -1;
	/* from the last first byte to the first finish: empty when a flow finished before all delivered */
	if (s->flows_done && s->mark_ps && s->first_finish_ps > s->mark_ps) {
		double bits = (double)(s->first_finish_bytes - s->mark_bytes) * 8;
		double t = (double)(s->first_finish_ps - s->mark_ps) * 1e-12;

		r->window_throughput = bits / (t * sim_line_bps_total(s));
	}
	r->base_rtt_us = (double)s->base_rtt_ps * 1e-6;
	r->window_bytes = s->window_bytes;
	r->wall_s = s->wall_s;
	r->events_per_s = s->wall_s > 0 ? (double)s->c.events / s->wall_s : 0;
	r->events_per_data_pkt = s->c.data_placed ? (double)s->c.events / (double)s->c.data_placed : 0;
	r->peak_rss_kb = sim_peak_rss_kb();
}

static const char *sim_status(const struct sim *s)
{
	if (s->deadlock)
		return "pfc-deadlock";
	if (s->stalled)
		return "stalled";
	if (s->flows_done < s->nflows)
		return "stopped";
	return "complete";
}

/*
 * Figures that average over flow lifetimes (effective throughput, per-flow
 * rates, FCTs, makespan) exist only when every flow finished: over the
 * finished ones alone they would describe the lucky flows, and a stopped
 * flow has no FCT.
 */
static int sim_results_complete(const struct sim_results *r)
{
	return r->flows_done == r->flows;
}

/* "48.0%", or "n/a" for a figure that does not exist */
static const char *sim_results_fig(char *buf, size_t len, bool ok, double v)
{
	if (ok)
		snprintf(buf, len, "%.1f%%", 100 * v);
	else
		snprintf(buf, len, "n/a");
	return buf;
}

/* What the all-active line says: the window in a few words. */
#define SIM_ALL_ACTIVE_DEF "aggregate rate / line rates while every flow was delivering " \
	"(last first byte to first finish)"

/*
 * What a perfect fluid load balancer would reach (sim/traffic/bound.h):
 * the bound beside the figures it bounds, in their order.
 */
static void sim_results_print_ideal(const struct sim_results *r, FILE *out)
{
	char e[16], a[16];

	if (r->ideal_effective < 0 && r->ideal_all_active < 0)
		return;
	sim_results_fig(e, sizeof(e), r->ideal_effective >= 0, r->ideal_effective);
	sim_results_fig(a, sizeof(a), r->ideal_all_active >= 0, r->ideal_all_active);
	if (r->all_active_first)
		fprintf(out, "ideal        all-active %s | effective %s", a, e);
	else
		fprintf(out, "ideal        effective %s | all-active %s", e, a);
	fprintf(out, " of line rate: perfect fluid load balancing over the live links (max-min fair, no latency)\n");
}

/*
 * The three throughput figures side by side on one line, then one line
 * each saying what it is: they answer different questions, and a vendor's
 * "60%" is the all-active (or mean per flow) one, not the effective one.
 * All-to-all leads with all-active (r->all_active_first): its flows end
 * together, so the aggregate while all run is the figure that describes it.
 */
static void sim_results_print_throughput(const struct sim_results *r, FILE *out)
{
	bool done = sim_results_complete(r), aa = r->window_throughput >= 0;
	char e[16], a[16], m[16], w[16];

	sim_results_fig(e, sizeof(e), done, r->effective_throughput);
	sim_results_fig(a, sizeof(a), aa, r->window_throughput);
	sim_results_fig(m, sizeof(m), done, r->mean_flow_frac);
	sim_results_fig(w, sizeof(w), done, r->min_flow_frac);
	if (r->all_active_first)
		fprintf(out, "throughput   all-active %s | effective %s | mean per flow %s of line rate\n", a, e, m);
	else
		fprintf(out, "throughput   effective %s | all-active %s | mean per flow %s of line rate\n", e, a, m);
	if (aa && r->all_active_first)
		fprintf(out, "all-active   %s: %s\n", a, SIM_ALL_ACTIVE_DEF);
	if (done)
		fprintf(out, "effective    %s: harmonic, payload / sum of line rate x FCT (FCT-based)\n", e);
	if (aa && !r->all_active_first)
		fprintf(out, "all-active   %s: %s\n", a, SIM_ALL_ACTIVE_DEF);
	if (done)
		fprintf(out, "per flow     mean %s (arithmetic mean of flow rates), worst %s of line rate\n", m, w);
	sim_results_print_ideal(r, out);
}

void sim_results_print(const struct sim *s, const struct sim_results *r, FILE *out)
{
	const struct sim_counters *c = &s->c;
	double eta = sim_cc_of(s)->target_util(s);

	fprintf(out, "fabric       %s (%s): %u hosts, %u switch%s\n", s->topo->name, s->topo->kind,
		s->topo->nhosts, s->topo->nswitches, s->topo->nswitches == 1 ? "" : "es");
	fprintf(out, "transport    lb=%s cc=%s rx=%s pfc=%s qps=%u split-qps=%s ", sim_lb_name(s->cfg.lb),
		sim_cc_name(s->cfg.cc), sim_rx_name(s->cfg.rx), s->cfg.pfc ? "on" : "off", s->cfg.qps_per_flow,
		sim_split_qps_name(s->cfg.split_qps, false));
	if (s->topo->nplanes > 1)
		fprintf(out, "planes=%u plane-spread=%s ", s->topo->nplanes, sim_plane_spread_name(s->cfg.plane_spread));
	/* no window: RoCE NICs send what their work requests hold (the PSN space bounds it) */
	if (r->window_bytes >= SIM_WINDOW_UNLIMITED)
		fprintf(out, "window=none (base RTT %.2f us)\n", r->base_rtt_us);
	else
		fprintf(out, "window=%lu B (base RTT %.2f us)\n", (unsigned long)r->window_bytes, r->base_rtt_us);
	if (eta > 0)
		fprintf(out, "cc target    %s holds each bottleneck at eta=%.0f%% of line (wire bytes): "
			"%.1f%% payload at %u B MTU\n", sim_cc_name(s->cfg.cc), 100 * eta,
			100 * eta * s->mtu_bytes / (double)sim_wire_bytes(s->mtu_bytes, SIM_PKT_DATA), s->mtu_bytes);
	if (sim_results_complete(r))
		fprintf(out, "flows        %llu of %llu finished (%s), %.3f GB delivered, makespan %.1f us\n",
			(unsigned long long)r->flows_done, (unsigned long long)r->flows, sim_status(s),
			r->payload_bytes / 1e9, r->makespan_us);
	else
		fprintf(out, "flows        %llu of %llu finished (%s at %.3f us), %.3f GB delivered\n",
			(unsigned long long)r->flows_done, (unsigned long long)r->flows, sim_status(s),
			(double)s->end_ps * 1e-6, r->payload_bytes / 1e9);
	sim_results_print_throughput(r, out);
	if (!sim_results_complete(r))
		fprintf(out, "unavailable  effective throughput, per-flow rates, FCTs and makespan: %llu of %llu flows "
			"did not finish\n", (unsigned long long)(r->flows - r->flows_done), (unsigned long long)r->flows);
	if (sim_results_complete(r))
		fprintf(out, "FCT          p50 %.1f us, p99 %.1f us, max %.1f us\n", r->fct_p50_us, r->fct_p99_us,
			r->fct_max_us);
	fprintf(out, "links        busiest fabric link %.1f%% utilized, %.0f%% of leaf uplinks used, max queue %lu B",
		100 * r->max_link_util, 100 * r->uplinks_used_frac, (unsigned long)r->max_queue_bytes);
	if (r->max_queue_port != SIM_NONE) {
		char name[2 * SIM_SCHEMA_NODE_NAME + 2];

		fprintf(out, " at %s", sim_results_port_name(s, r->max_queue_port, name, sizeof(name)));
	}
	fprintf(out, "\n");
	fprintf(out, "reordering   %lu out-of-order arrival%s, deepest %u packet%s\n", (unsigned long)c->ooo_pkts,
		STATS_PLURAL(c->ooo_pkts), r->max_reorder, STATS_PLURAL(r->max_reorder));
	fprintf(out, "congestion   drops %lu, ECN marks %lu, CNPs %lu, PFC pauses %lu, retransmits %lu, NAKs %lu, timeouts %lu\n",
		(unsigned long)c->drops, (unsigned long)c->ecn_marks, (unsigned long)c->cnps,
		(unsigned long)c->pauses, (unsigned long)c->retx_pkts, (unsigned long)c->naks,
		(unsigned long)c->timeouts);
	if (sim_failures(s))
		fprintf(out, "failures     %u link%s down and %u degraded at the start, %u change%s during the run: "
			"%lu packet%s lost on down links, %lu with no live route, %lu reroute%s\n",
			s->links_down_at_start, STATS_PLURAL(s->links_down_at_start), s->links_degraded_at_start,
			s->nlink_evs, STATS_PLURAL(s->nlink_evs), (unsigned long)c->link_drops,
			STATS_PLURAL(c->link_drops), (unsigned long)c->noroute_drops, (unsigned long)c->reroutes,
			STATS_PLURAL(c->reroutes));
	fprintf(out, "engine       %lu events (%.2f per data packet, %lu packet hops) in %.2f s: %.2f M events/s, "
		"peak RSS %lu MiB\n", (unsigned long)c->events, r->events_per_data_pkt, (unsigned long)c->pkt_hops,
		r->wall_s, r->events_per_s / 1e6, (unsigned long)(r->peak_rss_kb / 1024));
	if (r->partition)
		fprintf(out, "parallel     %u processes (%s), %lu windows of %.3f ns: %.1f frames, %.0f bytes exchanged "
			"per window; longest wait %.2f s\n", r->processes, r->partition, (unsigned long)r->windows,
			(double)r->lookahead_ps * 1e-3, r->windows ? (double)r->exchanged_frames / (double)r->windows : 0,
			r->windows ? (double)r->exchanged_bytes / (double)r->windows : 0, r->wait_s);
	if (s->deadlock)
		fprintf(out, "WARNING      PFC deadlock: a cycle of paused switch ports stopped all delivery\n");
}

const char *sim_results_port_name(const struct sim *s, uint32_t port, char *buf, size_t len)
{
	const struct sim_topo *t = s->topo;
	char a[SIM_SCHEMA_NODE_NAME + 1], b[SIM_SCHEMA_NODE_NAME + 1];

	sim_topo_node_name(t, t->ports[port].node, a, sizeof(a));
	sim_topo_node_name(t, t->ports[t->ports[port].peer].node, b, sizeof(b));
	snprintf(buf, len, "%s:%s", a, b);
	return buf;
}

bool sim_results_trace(const struct sim *s, uint32_t *port, uint64_t *interval_ps)
{
	if (s->trace) {
		*port = s->trace_port;
		*interval_ps = s->trace_interval_ps;
		return true;
	}
	*port = sim_trace_pick(s);
	*interval_ps = sim_trace_interval(s);
	return s->tracer && sim_trace_count(s) && *port != SIM_NONE;
}

/* A figure of the flows' lifetimes: null when not every flow finished. */
static json_t *sim_json_flow_fig(const struct sim_results *r, double v)
{
	return sim_results_complete(r) ? json_real(v) : json_null();
}

static void sim_results_json_seeds(json_t *sum, const struct sim_results *r);

/* summary.json's key K of sim/results/schema.h, in the table's order */
#define SUM(K, V) sim_schema_set(j, &sim_schema_summary, SIM_SUM_##K, (V))

json_t *sim_results_json(const struct sim *s, const struct sim_results *r, const char *argv_line)
{
	const struct sim_counters *c = &s->c;
	double eta = sim_cc_of(s)->target_util(s);
	char tname[2 * SIM_SCHEMA_NODE_NAME + 2];
	json_t *j = json_object();
	uint64_t tint;
	uint32_t tport;

	SUM(FABSIM_VERSION, json_string(FAB_VERSION));
	SUM(COMMAND, json_string(argv_line ? argv_line : ""));
	SUM(TOPOLOGY, json_string(s->topo->name));
	SUM(HOSTS, json_integer(s->topo->nhosts));
	SUM(SWITCHES, json_integer(s->topo->nswitches));
	SUM(LB, json_string(sim_lb_name(s->cfg.lb)));
	SUM(CC, json_string(sim_cc_name(s->cfg.cc)));
	SUM(RX, json_string(sim_rx_name(s->cfg.rx)));
	SUM(PFC, json_boolean(s->cfg.pfc));
	SUM(SEED, json_integer((json_int_t)s->cfg.seed));
	SUM(MTU_BYTES, json_integer(s->mtu_bytes));
	SUM(QPS_PER_FLOW, json_integer(s->cfg.qps_per_flow));
	SUM(SPLIT_QPS, json_string(sim_split_qps_name(s->cfg.split_qps, false)));
	SUM(WINDOW_BYTES, json_integer((json_int_t)r->window_bytes));
	SUM(BASE_RTT_US, json_real(r->base_rtt_us));
	SUM(CC_TARGET_UTIL, eta > 0 ? json_real(eta) : json_null());
	SUM(STATUS, json_string(sim_status(s)));
	SUM(COMPLETE, json_boolean(sim_results_complete(r)));
	SUM(FLOWS, json_integer((json_int_t)r->flows));
	SUM(FLOWS_DONE, json_integer((json_int_t)r->flows_done));
	SUM(PAYLOAD_BYTES, json_integer((json_int_t)r->payload_bytes));
	SUM(EFFECTIVE_THROUGHPUT, sim_json_flow_fig(r, r->effective_throughput));
	SUM(ALL_ACTIVE_THROUGHPUT, r->window_throughput >= 0 ? json_real(r->window_throughput) : json_null());
	SUM(IDEAL_EFFECTIVE_THROUGHPUT, r->ideal_effective >= 0 ? json_real(r->ideal_effective) : json_null());
	SUM(IDEAL_ALL_ACTIVE_THROUGHPUT, r->ideal_all_active >= 0 ? json_real(r->ideal_all_active) : json_null());
	SUM(MEAN_FLOW_THROUGHPUT, sim_json_flow_fig(r, r->mean_flow_frac));
	SUM(MIN_FLOW_THROUGHPUT, sim_json_flow_fig(r, r->min_flow_frac));
	SUM(FCT_P50_US, sim_json_flow_fig(r, r->fct_p50_us));
	SUM(FCT_P99_US, sim_json_flow_fig(r, r->fct_p99_us));
	SUM(FCT_MAX_US, sim_json_flow_fig(r, r->fct_max_us));
	SUM(FCT_MEAN_US, sim_json_flow_fig(r, r->fct_mean_us));
	SUM(MAKESPAN_US, sim_json_flow_fig(r, r->makespan_us));
	SUM(MAX_LINK_UTILIZATION, json_real(r->max_link_util));
	SUM(LEAF_UPLINKS_USED, json_real(r->uplinks_used_frac));
	SUM(MAX_QUEUE_BYTES, json_integer((json_int_t)r->max_queue_bytes));
	SUM(DROPS, json_integer((json_int_t)c->drops));
	SUM(ECN_MARKS, json_integer((json_int_t)c->ecn_marks));
	SUM(CNPS, json_integer((json_int_t)c->cnps));
	SUM(PFC_PAUSES, json_integer((json_int_t)c->pauses));
	SUM(RETRANSMITS, json_integer((json_int_t)c->retx_pkts));
	SUM(NAKS, json_integer((json_int_t)c->naks));
	SUM(TIMEOUTS, json_integer((json_int_t)c->timeouts));
	SUM(OOO_PACKETS, json_integer((json_int_t)c->ooo_pkts));
	SUM(MAX_REORDER_PACKETS, json_integer(r->max_reorder));
	SUM(DUPLICATE_PACKETS, json_integer((json_int_t)c->dup_pkts));
	SUM(EVENTS, json_integer((json_int_t)c->events));
	SUM(PACKET_HOPS, json_integer((json_int_t)c->pkt_hops));
	SUM(EVENTS_PER_DATA_PACKET, c->data_placed ? json_real(r->events_per_data_pkt) : json_null());
	SUM(SIM_TIME_US, json_real((double)s->end_ps * 1e-6));
	SUM(WALL_S, json_real(r->wall_s));
	SUM(EVENTS_PER_S, json_real(r->events_per_s));
	SUM(PEAK_RSS_KB, json_integer((json_int_t)r->peak_rss_kb));
	SUM(PROCESSES, json_integer(r->processes ? r->processes : 1));
	SUM(PARTITION, r->partition ? json_string(r->partition) : json_null());
	SUM(LOOKAHEAD_PS, r->partition ? json_integer((json_int_t)r->lookahead_ps) : json_null());
	SUM(WINDOWS, r->partition ? json_integer((json_int_t)r->windows) : json_null());
	SUM(EXCHANGED_FRAMES, r->partition ? json_integer((json_int_t)r->exchanged_frames) : json_null());
	SUM(EXCHANGED_BYTES, r->partition ? json_integer((json_int_t)r->exchanged_bytes) : json_null());
	SUM(WAIT_S, r->partition ? json_real(r->wait_s) : json_null());
	if (sim_results_trace(s, &tport, &tint)) {
		SUM(TRACE_PORT, json_string(sim_results_port_name(s, tport, tname, sizeof(tname))));
		SUM(TRACE_INTERVAL_PS, json_integer((json_int_t)tint));
	} else {
		SUM(TRACE_PORT, json_null());
		SUM(TRACE_INTERVAL_PS, json_null());
	}
	if (r->nseeds)
		sim_results_json_seeds(j, r);
	if (sim_failures(s)) {
		/* only with failed links, so that the summaries of other runs keep their keys */
		sim_schema_set_some(j, &sim_schema_summary, SIM_SUM_LINK_DROPS, json_integer((json_int_t)c->link_drops));
		sim_schema_set_some(j, &sim_schema_summary, SIM_SUM_REROUTES, json_integer((json_int_t)c->reroutes));
		sim_schema_set_some(j, &sim_schema_summary, SIM_SUM_DROPS_NO_ROUTE,
				    json_integer((json_int_t)c->noroute_drops));
	}
	return j;
}

#undef SUM

double sim_busbw_per_nic(double busbw_GBps, uint32_t nics, double line_gbps)
{
	/* busbw is GB/s (bytes, as nccl-tests), the line Gb/s */
	return nics && line_gbps > 0 ? busbw_GBps * 8 / ((double)nics * line_gbps) : 0;
}

void sim_seed_stat_add(struct sim_seed_stat *st, double v)
{
	if (!st->n || v < st->min)
		st->min = v;
	if (!st->n || v > st->max)
		st->max = v;
	st->sum += v;
	st->n++;
}

double sim_seed_stat_mean(const struct sim_seed_stat *st)
{
	return st->n ? st->sum / st->n : 0;
}

#define STAT(K, V) sim_schema_set(j, &sim_schema_seed_stat, SIM_SEEDSTAT_##K, (V))

json_t *sim_seed_stat_json(const struct sim_seed_stat *st)
{
	json_t *j;

	if (!st->n)
		return json_null();
	j = json_object();
	STAT(MEAN, json_real(sim_seed_stat_mean(st)));
	STAT(MIN, json_real(st->min));
	STAT(MAX, json_real(st->max));
	return j;
}

#undef STAT
#define FSEED(K, V) sim_schema_set(j, &sim_schema_flow_seed_stats, SIM_FSEED_##K, (V))

/* summary.json's seeds and seed_stats of a --seeds run */
static void sim_results_json_seeds(json_t *sum, const struct sim_results *r)
{
	const struct sim_flow_seed_stats *st = r->seed_stats;
	json_t *seeds = json_array(), *j = json_object();

	for (uint32_t i = 0; i < r->nseeds; i++)
		json_array_append_new(seeds, json_integer((json_int_t)r->seeds[i]));
	FSEED(SEEDS_COMPLETE, json_integer(st->complete));
	FSEED(EFFECTIVE, sim_seed_stat_json(&st->effective));
	FSEED(ALL_ACTIVE, sim_seed_stat_json(&st->all_active));
	FSEED(MEAN_FLOW, sim_seed_stat_json(&st->mean_flow));
	sim_schema_set_some(sum, &sim_schema_summary, SIM_SUM_SEEDS, seeds);
	sim_schema_set_some(sum, &sim_schema_summary, SIM_SUM_SEED_STATS, j);
}

#undef FSEED

int sim_mkdir_p(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -ENAMETOOLONG;
	}
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -errno;
		buf[i] = dir[i];
	}
	return 0;
}

/* DIR/FILE of SC for writing, with the header line of its first NCOLS columns; NULL with the reason in ERR */
static FILE *sim_open_csv_cols(const char *dir, const struct sim_schema *sc, unsigned int ncols, char *err,
			       size_t errlen, int *rc)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sc->file);
	f = fopen(path, "w");
	if (!f) {
		*rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	sim_schema_write_header_cols(sc, ncols, f);
	return f;
}

static FILE *sim_open_csv(const char *dir, const struct sim_schema *sc, char *err, size_t errlen, int *rc)
{
	return sim_open_csv_cols(dir, sc, sc->ncols, err, errlen, rc);
}

FILE *sim_results_csv_create(const char *dir, const struct sim_schema *sc, char *err, size_t errlen)
{
	int rc = sim_mkdir_p(dir);

	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(-rc));
		return NULL;
	}
	return sim_open_csv(dir, sc, err, errlen, &rc);
}

/* fclose, and the error a full disk shows only then */
static int sim_close_csv(FILE *f, const char *dir, const struct sim_schema *sc, char *err, size_t errlen)
{
	int bad = ferror(f);

	if (!fclose(f) && !bad)
		return 0;
	snprintf(err, errlen, "cannot write %s/%s", dir, sc->file);
	return -EIO;
}

static int sim_write_flows(const struct sim *s, const struct sim_results *r, const char *dir, char *err,
			   size_t errlen)
{
	int rc = 0;
	FILE *f = sim_open_csv_cols(dir, &sim_schema_flows, r->flow_job ? SIM_FLOWS_NCOLS : SIM_FLOWS_NCOLS_PLAIN,
				    err, errlen, &rc);

	if (!f)
		return rc;
	for (uint64_t i = 0; i < s->nflows; i++) {
		struct sim_flow tmp;
		const struct sim_flow *fl = sim_flow_get(s, i, &tmp);
		double t = fl->finish_ps ? (double)(fl->finish_ps - fl->start_ps) * 1e-12 : 0;
		double gbps = t > 0 ? (double)fl->bytes * 8 / t / 1e9 : 0;
		uint64_t retx = sim_flow_retx(s, fl);

		fprintf(f, "%llu,%u,%u,%lu,%.6f,%.6f,%.3f,%.6f,%lu,%u,%lu", (unsigned long long)i, s->topo->nodes[fl->src].index,
			s->topo->nodes[fl->dst].index, (unsigned long)fl->bytes, fl->start_ps * 1e-6,
			fl->finish_ps ? t * 1e6 : -1.0, gbps, gbps * 1e9 / (double)fl->rate_bps,
			(unsigned long)fl->ooo_pkts, fl->max_reorder, (unsigned long)retx);
		if (r->flow_job)
			fprintf(f, ",%s", r->flow_job(r->flow_job_ctx, i));
		fputc('\n', f);
	}
	return sim_close_csv(f, dir, &sim_schema_flows, err, errlen);
}

static int sim_write_links(const struct sim *s, const char *dir, char *err, size_t errlen)
{
	const struct sim_topo *t = s->topo;
	double span = (double)s->end_ps * 1e-12;
	bool failures = sim_failures(s);
	int rc = 0;
	FILE *f;
	char a[64], b[64];

	/* link_down, the last column, only where a link failed: other runs' files stay byte for byte */
	f = sim_open_csv_cols(dir, &sim_schema_links, failures ? SIM_LINKS_NCOLS : SIM_LINKS_LINK_DOWN, err, errlen,
			      &rc);

	if (!f)
		return rc;
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_port *p = &t->ports[i];
		const struct sim_portq *q = &s->pq[i];
		const struct sim_portq_stats *st = &s->pst[i];
		uint32_t peer = t->ports[p->peer].node;
		uint64_t paused = st->paused_ps + (q->paused ? s->end_ps - st->paused_since_ps : 0);

		sim_topo_node_name(t, p->node, a, sizeof(a));
		sim_topo_node_name(t, peer, b, sizeof(b));
		fprintf(f, "%u,%s,%s,%u,%u,%s,%.0f,%lu,%.6f,%lu,%.0f,%lu,%lu,%lu,%lu,%.3f", i, a, b,
			t->nodes[p->node].tier, t->nodes[peer].tier, p->up ? "up" : "down", p->rate_bps / 1e9,
			(unsigned long)q->tx_bytes, span > 0 ? (double)q->tx_bytes * 8 / (p->rate_bps * span) : 0.0,
			(unsigned long)q->max_qbytes, sim_port_mean_queue(s, i), (unsigned long)st->drops, (unsigned long)st->ecn_marks,
			(unsigned long)st->pauses_sent, (unsigned long)st->pauses_rcvd, paused * 1e-6);
		if (failures)
			fprintf(f, ",%d", t->ports[i].down ? 1 : 0);
		fputc('\n', f);
	}
	return sim_close_csv(f, dir, &sim_schema_links, err, errlen);
}

int sim_results_write_links(const struct sim *s, const char *dir, char *err, size_t errlen)
{
	int rc = sim_mkdir_p(dir);

	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	return sim_write_links(s, dir, err, errlen);
}

int sim_results_write(const struct sim *s, const struct sim_results *r, const char *dir, const char *argv_line,
		      char *err, size_t errlen)
{
	char path[4096];
	json_t *j;
	int rc;

	rc = sim_mkdir_p(dir);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	rc = sim_write_flows(s, r, dir, err, errlen);
	if (!rc)
		rc = sim_write_links(s, dir, err, errlen);
	if (rc)
		return rc;
	j = sim_results_json(s, r, argv_line);
	snprintf(path, sizeof(path), "%s/%s", dir, sim_schema_summary.file);
	rc = json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(j);
	if (!rc)
		return 0;
	snprintf(err, errlen, "cannot write %s", path);
	return -EIO;
}
