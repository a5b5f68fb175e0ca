/*
 * The time series of one port (fabsim run --trace): its queues, pause
 * state and counters, sampled at a fixed interval of simulated time while
 * flows run, as CSV. Also how a command line names a port.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/fabric/sim.h"

void sim_trace_port(struct sim *s, uint32_t port, uint64_t interval_ps, FILE *out)
{
	s->trace = out;
	s->trace_port = port;
	s->trace_interval_ps = interval_ps ? interval_ps : 1000000;
	s->trace_ev.type = SIM_EV_SAMPLE;
}

void sim_trace_sample(struct sim *s)
{
	const struct sim_portq *q = &s->pq[s->trace_port];

	fprintf(s->trace, "%.3f,%llu,%llu,%u,%llu,%llu,%llu,%llu,%llu\n", sim_now(s) * 1e-6,
		(unsigned long long)q->qbytes[SIM_PRIO_DATA], (unsigned long long)q->qbytes[SIM_PRIO_CTRL],
		(unsigned int)q->paused, (unsigned long long)q->tx_bytes, (unsigned long long)q->pauses_rcvd,
		(unsigned long long)q->pauses_sent, (unsigned long long)q->ecn_marks,
		(unsigned long long)q->drops);
	if (s->flows_done < s->nflows)
		sim_schedule(s, coll_add_sat_u64(sim_now(s), s->trace_interval_ps), &s->trace_ev);
}

uint32_t sim_port_lookup(const struct sim_topo *t, const char *spec)
{
	char a[64], b[64], want_a[64];
	const char *colon = strchr(spec, ':');
	uint32_t idx;
	char *end;

	if (!colon) {
		unsigned long v = strtoul(spec, &end, 10);

		return *spec && !*end && v < t->nports ? (uint32_t)v : SIM_NONE;
	}
	if ((size_t)(colon - spec) >= sizeof(want_a))
		return SIM_NONE;
	memcpy(want_a, spec, (size_t)(colon - spec));
	want_a[colon - spec] = 0;
	for (idx = 0; idx < t->nports; idx++) {
		sim_topo_node_name(t, t->ports[idx].node, a, sizeof(a));
		if (strcmp(a, want_a))
			continue;
		sim_topo_node_name(t, t->ports[t->ports[idx].peer].node, b, sizeof(b));
		if (!strcmp(b, colon + 1))
			return idx;
	}
	return SIM_NONE;
}
