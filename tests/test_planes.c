/*
 * Multi-plane NICs (--plane-spread, nic.c): dual-plane leaf-spine fabrics
 * built with the generators, 400G per NIC port, against rates and byte
 * counts derived by hand.
 *
 * Rates. A 4 KiB data frame is 4178 bytes on the wire (82 bytes of RoCEv2
 * framing, preamble and IFG), so a port at line rate C carries payload at
 * C x 4096 / 4178 (EFF, as tests/test_fluid.c). On one leaf per plane a
 * permutation of N hosts loads every host port, up and down, with one
 * flow: nothing else shares a link, so the aggregate payload rate is
 * N x P x C x EFF with P the planes the flows use. The ACKs (one per 4
 * data frames, under 100 wire bytes) share the links' other direction
 * with the opposite flows: under 0.6 %, inside the 2 % the checks allow.
 * The rate is measured between two stops (WIN_FROM to WIN_TO), past the
 * first round trip and before the first flow ends: at most one frame per
 * flow is cut at each edge, 2 x 4178 x 8 bits over 50 us at 400G = 0.33 %.
 *
 * Bytes. Packet spreading sends a QP's packets alternately on the two
 * planes, so a host's two ports carry the same payload within one packet
 * per QP. QP spreading puts QP slot k on plane k % 2: with 4 QPs a
 * connection has 2 on each plane and, each message split evenly over its
 * QPs (split-qps on), each plane's ports carry half the bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/fabric/sim.h"
#include "sim/topo/gen.h"
#include "sim/traffic/workload.h"

#define LINE_BPS 400000000000ULL
#define EFF (4096.0 / 4178.0)
#define MTU 4096
#define WIN_FROM_PS 5000000ULL		/* 5 us: past the first round trip */
#define WIN_TO_PS 55000000ULL		/* 55 us: flows of 8 MiB last 84 us at 800G */
#define FLOW_BYTES (8ULL << 20)

/* LEAVES leaves of HOSTS hosts per plane, SPINES spines, two planes, 400G everywhere. */
static struct sim_topo *dual_plane(uint32_t leaves, uint32_t hosts, uint32_t spines)
{
	struct sim_leafspine_params p = {
		.c = { .host_rate_bps = LINE_BPS, .planes = 2, .host_delay_ps = 10000, .fabric_delay_ps = 100000 },
		.leaves = leaves,
		.hosts_per_leaf = hosts,
		.spines = spines,
	};
	struct sim_topo *t = NULL;
	char err[256];

	assert_int_equal(sim_topo_leafspine(&p, &t, err, sizeof(err)), 0);
	assert_int_equal(t->nplanes, 2);
	return t;
}

static uint32_t host_port(const struct sim_topo *t, uint32_t h, uint32_t plane)
{
	return t->nodes[t->hosts[h]].first_port + plane;
}

/* Fails host H's link on PLANE, both ends, as a cable cut. */
static void link_down(struct sim_topo *t, uint32_t h, uint32_t plane)
{
	uint32_t port = host_port(t, h, plane);

	t->ports[port].down = 1;
	t->ports[t->ports[port].peer].down = 1;
}

static struct sim *perm_sim(struct sim_topo *t, enum sim_plane_spread spread, uint32_t qps, enum sim_lb lb)
{
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = FLOW_BYTES, .seed = 3 };
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.plane_spread = spread;
	cfg.qps_per_flow = qps;
	cfg.split_qps = SIM_SPLIT_QPS_ON;
	cfg.lb = lb;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	return s;
}

/* Runs S to the end; returns the aggregate payload rate between WIN_FROM_PS and WIN_TO_PS, bits/s. */
static double run_rate(struct sim *s)
{
	uint64_t b0, b1;

	s->cfg.stop_ps = WIN_FROM_PS;
	assert_int_equal(sim_run(s), 0);
	b0 = s->c.delivered_bytes;
	s->cfg.stop_ps = WIN_TO_PS;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 0);	/* the window ends before any flow does */
	b1 = s->c.delivered_bytes;
	s->cfg.stop_ps = 0;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	return (double)(b1 - b0) * 8 / ((double)(WIN_TO_PS - WIN_FROM_PS) * 1e-12);
}

static void assert_rate(double got, double want, const char *what)
{
	print_message("%s: %.1f Gb/s, expected %.1f Gb/s (%+.2f %%)\n", what, got / 1e9, want / 1e9,
		      100 * (got / want - 1));
	assert_true(fabs(got / want - 1) <= 0.02);
}

/* (a) Plane 1 failed entirely: the permutation completes on plane 0 at half the aggregate rate. */
static void test_planes_one_failed(void **state)
{
	static const struct {
		enum sim_plane_spread spread;
		uint32_t qps;
		const char *name;
	} modes[] = {
		{ SIM_PLANE_SPREAD_QP, 2, "qp spreading, 2 QPs, plane 1 down" },
		{ SIM_PLANE_SPREAD_PACKET, 1, "packet spreading, plane 1 down" },
	};

	(void)state;
	for (uint32_t m = 0; m < 2; m++) {
		struct sim_topo *t = dual_plane(1, 8, 0);
		struct sim *s;
		double rate;

		for (uint32_t h = 0; h < t->nhosts; h++)
			link_down(t, h, 1);
		s = perm_sim(t, modes[m].spread, modes[m].qps, SIM_LB_ECMP);
		rate = run_rate(s);
		assert_rate(rate, 8.0 * LINE_BPS * EFF, modes[m].name);
		for (uint32_t h = 0; h < t->nhosts; h++) {
			uint32_t port = host_port(t, h, 1);

			assert_int_equal(s->pq[port].tx_bytes, 0);
			assert_int_equal(s->pq[t->ports[port].peer].tx_bytes, 0);
		}
		assert_int_equal(s->c.retx_pkts, 0);
		sim_destroy(s);
		sim_topo_free(t);
	}
}

/* (b) Packet spreading, both planes up: equal bytes on each plane, the full aggregate rate. */
static void test_planes_packet_even(void **state)
{
	struct sim_topo *t = dual_plane(1, 8, 0);
	struct sim *s = perm_sim(t, SIM_PLANE_SPREAD_PACKET, 1, SIM_LB_ECMP);
	double rate = run_rate(s);

	(void)state;
	assert_rate(rate, 2 * 8.0 * LINE_BPS * EFF, "packet spreading, both planes");
	for (uint32_t h = 0; h < t->nhosts; h++) {
		uint64_t b0 = s->pq[host_port(t, h, 0)].tx_payload_bytes;
		uint64_t b1 = s->pq[host_port(t, h, 1)].tx_payload_bytes;

		assert_int_equal(b0 + b1, FLOW_BYTES);
		assert_true(b0 > b1 ? b0 - b1 <= MTU : b1 - b0 <= MTU);
	}
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * (b, through spines) Two leaves per plane, 2 spines, ECMP: packets of a
 * QP cross both planes' spines; every switch routes on its own plane, so
 * all flows complete without loss and the bytes stay even per host.
 */
static void test_planes_packet_spines(void **state)
{
	struct sim_topo *t = dual_plane(2, 4, 2);
	struct sim *s = perm_sim(t, SIM_PLANE_SPREAD_PACKET, 2, SIM_LB_ECMP);
	uint64_t spine_bytes[2] = { 0, 0 };

	(void)state;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	assert_int_equal(s->c.drops, 0);
	assert_int_equal(s->c.retx_pkts, 0);
	for (uint32_t h = 0; h < t->nhosts; h++) {
		uint64_t b0 = s->pq[host_port(t, h, 0)].tx_payload_bytes;
		uint64_t b1 = s->pq[host_port(t, h, 1)].tx_payload_bytes;

		assert_true(b0 > b1 ? b0 - b1 <= 2 * MTU : b1 - b0 <= 2 * MTU);
	}
	/* spines: tier 2; switch ordinal / per_plane is the plane */
	for (uint32_t i = 0; i < t->nswitches; i++) {
		const struct sim_node *n = &t->nodes[t->switches[i]];

		if (n->tier != 2)
			continue;
		for (uint32_t k = 0; k < n->nports; k++)
			spine_bytes[i / t->layout.per_plane] += s->pq[n->first_port + k].tx_payload_bytes;
	}
	print_message("spine payload: plane 0 %llu B, plane 1 %llu B\n", (unsigned long long)spine_bytes[0],
		      (unsigned long long)spine_bytes[1]);
	assert_true(spine_bytes[0] > 0 && spine_bytes[1] > 0);
	sim_destroy(s);
	sim_topo_free(t);
}

/* (c) QP spreading: slot k on plane k % 2; a plane down at either end is avoided at creation. */
static void test_planes_qp_even(void **state)
{
	struct sim_topo *t = dual_plane(1, 8, 0);
	struct sim *s;
	uint32_t on[2] = { 0, 0 };
	double rate;

	(void)state;
	s = perm_sim(t, SIM_PLANE_SPREAD_QP, 4, SIM_LB_ECMP);
	rate = run_rate(s);
	assert_rate(rate, 2 * 8.0 * LINE_BPS * EFF, "qp spreading, 4 QPs, both planes");
	for (uint32_t i = 0; i < s->nflows; i++) {
		const struct sim_flow *f = &s->flows[i];

		assert_int_equal(f->nqps, 4);
		for (uint32_t k = 0; k < f->nqps; k++) {
			const struct sim_qp *qp = sim_qp_at(s, f->first_qp + k);

			assert_int_equal(qp->plane, qp->slot % 2);
			on[qp->plane]++;
		}
	}
	/* 8 flows x 4 QPs, half on each plane; each QP 2 MiB, so 4 MiB per host port */
	assert_int_equal(on[0], 16);
	assert_int_equal(on[1], 16);
	for (uint32_t h = 0; h < t->nhosts; h++) {
		assert_int_equal(s->pq[host_port(t, h, 0)].tx_payload_bytes, FLOW_BYTES / 2);
		assert_int_equal(s->pq[host_port(t, h, 1)].tx_payload_bytes, FLOW_BYTES / 2);
	}
	sim_destroy(s);

	/* host 0's plane 1 down: its flows, out and in, keep all 4 QPs on plane 0 */
	link_down(t, 0, 1);
	s = perm_sim(t, SIM_PLANE_SPREAD_QP, 4, SIM_LB_ECMP);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	for (uint32_t i = 0; i < s->nflows; i++) {
		const struct sim_flow *f = &s->flows[i];
		bool touches = f->src == t->hosts[0] || f->dst == t->hosts[0];

		for (uint32_t k = 0; k < f->nqps; k++) {
			const struct sim_qp *qp = sim_qp_at(s, f->first_qp + k);

			assert_int_equal(qp->plane, touches ? 0 : qp->slot % 2);
		}
	}
	assert_int_equal(s->pq[host_port(t, 0, 1)].tx_bytes, 0);
	assert_int_equal(s->pq[host_port(t, 0, 0)].tx_payload_bytes, FLOW_BYTES);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * A mid-run failure of one host's plane-1 link (sim_nic_port_down, as the
 * fabric's link-down event calls it): nothing new is put on the dead
 * port's ring, and every flow completes.
 */
static void test_planes_port_down_midrun(void **state)
{
	(void)state;
	for (uint32_t m = 0; m < SIM_PLANE_SPREAD_COUNT; m++) {
		struct sim_topo *t = dual_plane(1, 8, 0);
		struct sim *s = perm_sim(t, (enum sim_plane_spread)m, 2, SIM_LB_ECMP);
		uint32_t port = host_port(t, 0, 1);
		uint64_t sent, queued;

		s->cfg.stop_ps = WIN_FROM_PS;
		assert_int_equal(sim_run(s), 0);
		if (m == SIM_PLANE_SPREAD_QP)
			assert_non_null(s->rr[port]);	/* h0's QP of slot 1 */
		link_down(t, 0, 1);
		/* as the fabric's link-down event does (fail.c): counted, both ends flushed, then the NIC told */
		s->links_down++;
		sim_port_link_down(s, port);
		sim_port_link_down(s, t->ports[port].peer);
		sim_nic_port_down(s, t->hosts[0], 1);
		assert_null(s->rr[port]);
		for (uint32_t i = 0; i < s->nflows; i++) {
			const struct sim_flow *f = &s->flows[i];

			for (uint32_t k = 0; k < f->nqps && (f->src == t->hosts[0] || f->dst == t->hosts[0]); k++)
				if (m == SIM_PLANE_SPREAD_QP)
					assert_int_equal(sim_qp_at(s, f->first_qp + k)->plane, 0);
		}
		/* nothing leaves a dead port: its queue was flushed */
		sent = s->pq[port].tx_bytes;
		queued = s->pq[port].qbytes[SIM_PRIO_DATA] + s->pq[port].qbytes[SIM_PRIO_CTRL];
		s->cfg.stop_ps = 0;
		assert_int_equal(sim_run(s), 0);
		assert_int_equal(s->flows_done, s->nflows);
		/* one frame may have been on the wire at the stop */
		assert_true(s->pq[port].tx_bytes - sent <= queued + 4178);
		print_message("%s: plane-1 port of h0 down at 5 us; done at %.1f us\n",
			      sim_plane_spread_name((enum sim_plane_spread)m), (double)s->end_ps * 1e-6);
		sim_destroy(s);
		sim_topo_free(t);
	}
}

/*
 * A plane cut inside the fabric, host ports all up: leaf 0's only uplink
 * on plane 1 is down, so on plane 1 leaf 0's hosts reach only each other
 * (the reachability table says so). Connections between the leaves leave
 * plane 1 (qp: at creation; packet: every packet), those inside a leaf
 * keep it; nothing is dropped for want of a route.
 */
static void test_planes_fabric_cut(void **state)
{
	(void)state;
	for (uint32_t m = 0; m < SIM_PLANE_SPREAD_COUNT; m++) {
		struct sim_topo *t = dual_plane(2, 4, 1);
		uint32_t leaf = t->ports[host_port(t, 0, 1)].peer, up;
		struct sim *s;

		leaf = t->ports[leaf].node;
		up = t->nodes[leaf].first_port + t->nodes[leaf].ndown;
		assert_int_equal(t->nodes[leaf].nports - t->nodes[leaf].ndown, 1);
		t->ports[up].down = 1;
		t->ports[t->ports[up].peer].down = 1;
		s = perm_sim(t, (enum sim_plane_spread)m, 2, SIM_LB_ECMP);
		assert_non_null(s->reach);
		assert_int_equal(sim_run(s), 0);
		assert_int_equal(s->flows_done, s->nflows);
		assert_int_equal(s->c.noroute_drops, 0);
		assert_int_equal(s->c.retx_pkts, 0);
		for (uint32_t i = 0; i < s->nflows && m == SIM_PLANE_SPREAD_QP; i++) {
			const struct sim_flow *f = &s->flows[i];
			bool cross = t->nodes[f->src].index / 4 != t->nodes[f->dst].index / 4;

			for (uint32_t k = 0; k < f->nqps; k++) {
				const struct sim_qp *qp = sim_qp_at(s, f->first_qp + k);

				assert_int_equal(qp->plane, cross ? 0 : qp->slot % 2);
			}
		}
		/* the plane-1 spine carried nothing toward leaf 0 */
		assert_int_equal(s->pq[t->ports[up].peer].tx_bytes, 0);
		sim_destroy(s);
		sim_topo_free(t);
	}
}

/*
 * The same cut during the run, once the control plane knows
 * (sim_reach_refresh, what the fabric calls after its reroute delay): QP
 * spreading moves the cross-leaf QPs off plane 1 then, and every flow
 * completes (whatever was in flight toward the cut is retransmitted).
 */
static void test_planes_fabric_cut_midrun(void **state)
{
	(void)state;
	for (uint32_t m = 0; m < SIM_PLANE_SPREAD_COUNT; m++) {
		struct sim_topo *t = dual_plane(2, 4, 1);
		uint32_t leaf = t->ports[t->ports[host_port(t, 0, 1)].peer].node;
		uint32_t up = t->nodes[leaf].first_port + t->nodes[leaf].ndown;
		struct sim *s = perm_sim(t, (enum sim_plane_spread)m, 2, SIM_LB_ECMP);

		s->cfg.stop_ps = WIN_FROM_PS;
		assert_int_equal(sim_run(s), 0);
		assert_null(s->reach);
		t->ports[up].down = 1;
		t->ports[t->ports[up].peer].down = 1;
		/* as the fabric's link-down event does (fail.c): counted, and a down port's queues are lost */
		s->links_down++;
		sim_port_link_down(s, up);
		sim_port_link_down(s, t->ports[up].peer);
		assert_int_equal(sim_reach_refresh(s), 0);
		for (uint32_t i = 0; i < s->nflows; i++) {
			const struct sim_flow *f = &s->flows[i];
			bool cross = t->nodes[f->src].index / 4 != t->nodes[f->dst].index / 4;

			for (uint32_t k = 0; k < f->nqps && cross; k++)
				assert_int_equal(sim_qp_at(s, f->first_qp + k)->plane, 0);
		}
		s->cfg.stop_ps = 0;
		assert_int_equal(sim_run(s), 0);
		assert_int_equal(s->flows_done, s->nflows);
		print_message("%s: fabric cut on plane 1 at 5 us; done at %.1f us, %llu retransmitted\n",
			      sim_plane_spread_name((enum sim_plane_spread)m), (double)s->end_ps * 1e-6,
			      (unsigned long long)s->c.retx_pkts);
		sim_destroy(s);
		sim_topo_free(t);
	}
}

/* TABLE-mode graphs with several planes cannot say a switch's plane: packet spreading is refused. */
static void test_planes_explicit_refused(void **state)
{
	static const struct sim_explicit_node nodes[] = {
		{ .name = "h0", .kind = SIM_NODE_HOST }, { .name = "h1", .kind = SIM_NODE_HOST },
		{ .name = "sw0", .kind = SIM_NODE_SWITCH }, { .name = "sw1", .kind = SIM_NODE_SWITCH },
	};
	static const struct sim_explicit_link links[] = {
		{ 0, 2, LINE_BPS, 10000 }, { 0, 3, LINE_BPS, 10000 },
		{ 1, 2, LINE_BPS, 10000 }, { 1, 3, LINE_BPS, 10000 },
	};
	struct sim_explicit_params p = { .nodes = nodes, .nnodes = 4, .links = links, .nlinks = 4 };
	struct sim_topo *t = NULL;
	struct sim_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(sim_topo_explicit(&p, &t, NULL, err, sizeof(err)), 0);
	assert_int_equal(t->nplanes, 2);
	sim_config_defaults(&cfg);
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), 0);
	cfg.plane_spread = SIM_PLANE_SPREAD_PACKET;
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--plane-spread packet"));
	assert_null(sim_create(t, &cfg));
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planes_one_failed),
		cmocka_unit_test(test_planes_packet_even),
		cmocka_unit_test(test_planes_packet_spines),
		cmocka_unit_test(test_planes_qp_even),
		cmocka_unit_test(test_planes_port_down_midrun),
		cmocka_unit_test(test_planes_fabric_cut),
		cmocka_unit_test(test_planes_fabric_cut_midrun),
		cmocka_unit_test(test_planes_explicit_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
