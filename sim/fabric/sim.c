/*
 * The run's state over a topology: configuration defaults and what they
 * resolve to on a topology, creating and destroying a run (ports, switch
 * buffers, the packet pool, the event engine, each node kind's port
 * owner), scheduling, and how a run fails.
 *
 * Where the rest lives: flows and their dependencies in flows.c, laying a
 * run out and the event loop's handlers in run.c, the port trace in
 * trace.c, the elements in port.c, switch.c, nic.c, route.c, cc/ and lb/.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "sim/fabric/sim.h"
#include "sim/fabric/cc/cc.h"
#include "sim/fabric/dist_priv.h"

/* Packets per slab of the pool: 4096 x ~300 B, about 1.2 MB at a time. */
#define SIM_SLAB_PKTS 4096

/* struct sim.owner is indexed by the node kind. */
static_assert(SIM_NODE_HOST == 0 && SIM_NODE_SWITCH == 1 && SIM_NODE_KINDS == 2,
	      "struct sim.owner: one entry per enum sim_node_kind");

void sim_fail(struct sim *s, int err, const char *fmt, ...)
{
	va_list ap;

	assert(err < 0);
	if (s->error)
		return;
	s->error = err;
	sim_engine_stop(&s->eng);
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

const char *sim_error(const struct sim *s)
{
	return s->err;
}

void sim_config_defaults(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->lb = SIM_LB_ECMP;
	cfg->flowlet_gap_ps = 2000000;		/* 2 us: a few RTTs' worth of idle */
	cfg->qps_per_flow = 1;
	cfg->rx = SIM_RX_DDP;
	cfg->ack_every = 4;
	cfg->ack_delay_ps = 1000000;		/* 1 us */
	cfg->rto_ps = 500000000;		/* 500 us */
	cfg->buffer_alpha = 1.0;
	cfg->pfc = 1;
	cfg->ecn = 1;
	cfg->ecn_pmax = SIM_ECN_PMAX_ROCE;	/* switch.c: NVIDIA's RoCE profile */
	cfg->cc = SIM_CC_NONE;
	cfg->cnp_interval_ps = 0;		/* the DCQCN set's: connectx 4 us, paper 50 us */
	cfg->dcqcn_params = SIM_DCQCN_CONNECTX;
	cfg->tele_eta = 0.95;		/* HPCC (Li et al. 2019) eta; ns-3 mix/config.txt U_TARGET */
	cfg->tele_max_stage = 5;	/* HPCC paper maxStage */
	cfg->progress_interval_s = 0.5;
	cfg->reroute_delay_ps = SIM_REROUTE_DELAY_PS;	/* fail.c gives its source */
}

uint64_t sim_wire_bytes(uint32_t payload_bytes, enum sim_pkt_kind kind)
{
	uint64_t frame;

	switch (kind) {
	case SIM_PKT_DATA:
		frame = SIM_ROCE_OVERHEAD + payload_bytes;
		break;
	case SIM_PKT_ACK:
	case SIM_PKT_NAK:
		frame = SIM_ROCE_OVERHEAD + SIM_AETH + payload_bytes;
		break;
	case SIM_PKT_CNP:
		frame = SIM_ROCE_OVERHEAD + SIM_CNP_PAD;
		break;
	default:
		frame = SIM_ETH_MIN_FRAME;
		break;
	}
	if (frame < SIM_ETH_MIN_FRAME)
		frame = SIM_ETH_MIN_FRAME;
	return frame + SIM_PREAMBLE_IFG;
}

/*
 * Serialization time, rounded up to the next picosecond; UINT64_MAX (never)
 * at 0 b/s. Whole transfers of any size: the product takes 128 bits.
 */
uint64_t sim_ser_ps(uint64_t wire_bytes, uint64_t rate_bps)
{
	return coll_bytes_to_ps(wire_bytes, rate_bps);
}

/*
 * Times are sums of a now and a delay; one that wrapped comes out below
 * now, one that saturated at UINT64_MAX beyond the horizon: either fails
 * the run rather than reordering time.
 */
void sim_schedule_seq(struct sim *s, uint64_t t_ps, uint64_t seq, struct sim_event *ev)
{
	if (t_ps < sim_now(s) || t_ps > SIM_TIME_LIMIT_PS) {
		sim_fail(s, -ERANGE, "simulated time would pass the %.0f-day horizon of the model (%llu ps): "
			 "a rate, size or timer is out of proportion", SIM_TIME_LIMIT_PS / 864e17,
			 (unsigned long long)SIM_TIME_LIMIT_PS);
		return;
	}
	if (sim_evq_push_seq(&s->eng.q, t_ps, seq, ev))
		sim_fail(s, -ENOMEM, "out of memory for events (%zu pending)", s->eng.q.n);
}

uint32_t sim_config_mtu(const struct sim_topo *t, const struct sim_config *cfg)
{
	uint32_t mtu = cfg->mtu_bytes ? cfg->mtu_bytes : t->mtu_bytes;

	return mtu ? mtu : 4096;
}

uint64_t sim_config_buffer(const struct sim_topo *t, const struct sim_config *cfg)
{
	return cfg->buffer_bytes ? cfg->buffer_bytes : t->sw.buffer_bytes;
}

/*
 * PFC: the part of each switch's buffer its ingress ports own: every
 * headroom, plus every static XOFF share when --pfc-xoff fixes one. The
 * rest is the shared pool (switch.c).
 */
static void sim_pfc_reserve(struct sim *s)
{
	const struct sim_topo *t = s->topo;

	for (uint32_t sw = 0; sw < t->nswitches && s->cfg.pfc; sw++) {
		const struct sim_node *n = &t->nodes[t->switches[sw]];
		uint64_t sum = 0;

		for (uint32_t i = 0; i < n->nports; i++) {
			/* a static XOFF is owned by its port; a dynamic one is shared pool */
			uint64_t xoff = s->cfg.pfc_xoff_bytes;

			sum = coll_add_sat_u64(sum, coll_add_sat_u64(xoff,
				sim_pfc_headroom_of(&s->cfg, t, n->first_port + i, s->mtu_bytes)));
		}
		s->sw_reserved_bytes[sw] = sum;
	}
}

/* Run-time state that grows with the topology, bytes. */
static uint64_t sim_topo_state_bytes(const struct sim_topo *t)
{
	uint64_t per_port = sizeof(struct sim_portq) + sizeof(struct sim_portq_stats) + sizeof(uint64_t) +
			    sizeof(struct sim_qp *);
	uint64_t per_switch = 4 * sizeof(uint64_t);

	return coll_add_sat_u64(coll_mul_sat_u64(t->nports, per_port), coll_mul_sat_u64(t->nswitches, per_switch));
}

/* Per-port and per-switch arrays, zero; 0 or -ENOMEM. */
static int sim_alloc_state(struct sim *s)
{
	const struct sim_topo *t = s->topo;

	/* line-aligned, so that a port's hot state spans no more lines than it must */
	s->pq = aligned_alloc(64, ((size_t)t->nports * sizeof(*s->pq) + 64) & ~(size_t)63);
	if (s->pq)
		memset(s->pq, 0, (size_t)t->nports * sizeof(*s->pq));
	s->pst = calloc(t->nports, sizeof(*s->pst));
	s->port_load = calloc(t->nports, sizeof(*s->port_load));
	s->rr = calloc(t->nports, sizeof(*s->rr));
	s->sw_seed = calloc(t->nswitches, sizeof(*s->sw_seed));
	s->sw_used_bytes = calloc(t->nswitches, sizeof(*s->sw_used_bytes));
	s->sw_ctrl_bytes = calloc(t->nswitches, sizeof(*s->sw_ctrl_bytes));
	s->sw_reserved_bytes = calloc(t->nswitches, sizeof(*s->sw_reserved_bytes));
	s->sw_hdrm_bytes = calloc(t->nswitches, sizeof(*s->sw_hdrm_bytes));
	s->lp_seq = calloc((size_t)t->nnodes + 1, sizeof(*s->lp_seq));
	s->node_rng = calloc(t->nnodes, sizeof(*s->node_rng));
	if (!s->lp_seq || !s->node_rng || !s->pq || !s->pst || !s->port_load || !s->rr || !s->sw_seed || !s->sw_used_bytes || !s->sw_ctrl_bytes || !s->sw_reserved_bytes ||
	    !s->sw_hdrm_bytes)
		return -ENOMEM;
	/* a link down before the run (sim_fail_apply) is as full for AR as one that goes down in it */
	for (uint32_t p = 0; p < t->nports; p++)
		if (t->ports[p].down)
			s->port_load[p] = SIM_PORT_LOAD_DOWN;
	return 0;
}

static void sim_free_state(struct sim *s)
{
	if (s->link_evs)
		sim_fail_undo(s);
	free(s->link_evs);
	free(s->lp_seq);
	free(s->node_rng);
	free(s->sw_reserved_bytes);
	free(s->sw_hdrm_bytes);
	free(s->sw_ctrl_bytes);
	free(s->sw_used_bytes);
	free(s->sw_seed);
	free(s->rr);
	free(s->port_load);
	free(s->pst);
	free(s->pq);
}

/* Static failures: a link already down when the run is made. */
static bool sim_topo_any_down(const struct sim_topo *t)
{
	for (uint32_t i = 0; i < t->nports; i++)
		if (t->ports[i].down)
			return true;
	return false;
}

struct sim *sim_create(struct sim_topo *topo, const struct sim_config *cfg)
{
	char err[256];
	struct sim *s;

	/* callers run sim_config_check themselves to print its message */
	if (sim_config_check(topo, cfg, err, sizeof(err)) ||
	    coll_mem_guard(sim_topo_state_bytes(topo), "the fabric's port and switch state", err, sizeof(err)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->topo = topo;
	s->cfg = *cfg;
	s->lp = SIM_LP_SETUP(topo);
	s->mtu_bytes = sim_config_mtu(topo, cfg);
	s->buffer_bytes = sim_config_buffer(topo, cfg);
	if (sim_alloc_state(s))
		goto out_free_state;
	if (sim_engine_init(&s->eng, s, 1 << 16))
		goto out_free_state;
	sim_pool_init(&s->pkts, sizeof(struct sim_pkt), offsetof(struct sim_pkt, next), SIM_SLAB_PKTS);
	/* records as large as a path needs: a leaf-spine's 3 hops, not SIM_MAX_HOPS */
	s->int_hops = sim_cc_ops(cfg->cc) && sim_cc_ops(cfg->cc)->needs_int ? sim_int_hops_max(topo) : SIM_MAX_HOPS;
	sim_ipool_init(&s->ints, s->int_hops * sizeof(struct sim_int_hop));
	s->owner[SIM_NODE_HOST] = &sim_nic_port_ops;
	s->owner[SIM_NODE_SWITCH] = &sim_switch_port_ops;
	for (uint32_t i = 0; i < topo->nports; i++) {
		s->pq[i].ev.type = SIM_EV_TX_DONE;
		s->pq[i].wake_ev.type = SIM_EV_PORT_WAKE;
		s->pq[i].pause_ev.type = SIM_EV_PAUSE_EXPIRE;
		s->pq[i].refresh_ev.type = SIM_EV_PAUSE_REFRESH;
	}
	for (uint32_t i = 0; i < topo->nnodes; i++)
		sim_rng_seed_stream(&s->node_rng[i], cfg->seed, i);
	for (uint32_t i = 0; i < topo->nswitches; i++) {
		uint64_t x = cfg->seed * 0x9e3779b97f4a7c15ULL + (cfg->ecmp_same_seed ? 0 : i + 1);

		s->sw_seed[i] = sim_mix64(x);
	}
	sim_pfc_reserve(s);
	s->links_down_at_start = sim_topo_failed_links(topo, false, NULL, 0);
	/* links down from the start count too: a restore of one is a restore */
	s->links_down = s->links_down_at_start;
	s->links_degraded_at_start = sim_topo_failed_links(topo, true, NULL, 0);
	if (sim_topo_any_down(topo) && sim_reach_refresh(s))
		goto out_free_engine;
	return s;

out_free_engine:
	sim_ipool_destroy(&s->ints);
	sim_pool_destroy(&s->pkts);
	sim_engine_free(&s->eng);
out_free_state:
	sim_free_state(s);
	free(s);
	return NULL;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	sim_trace_free(s);
	sim_dist_free(s);
	sim_pool_destroy(&s->pkts);
	sim_ipool_destroy(&s->ints);
	free(s->local_busy_ps);
	sim_flows_free(s);
	sim_engine_free(&s->eng);
	sim_reach_destroy(s);
	sim_free_state(s);
	free(s);
}
