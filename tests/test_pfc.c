/*
 * The Spectrum-style buffer and PFC of switch.c: lossless queues bounded
 * by the dynamic threshold of their ingress ports, a PAUSE that runs out
 * after its quanta, and the victim flow of congestion spreading. Expected
 * values are derived by hand in each case's comment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"

static struct sim_topo *topo(unsigned leaves, unsigned hpl, unsigned buffer_mb)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "switch = { latency_ns = 600; buffer_mb = %u; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = %u; hosts_per_leaf = %u; spines = 1;\n"
		 "  host_rate = \"800G\"; fabric_rate = \"800G\"; host_cable_m = 3.0; fabric_cable_m = 20.0; };\n",
		 buffer_mb, leaves, hpl);
	return sim_topo_load_string(text, "pfc.topo");
}

/*
 * Three hosts of leaf1 send to h0 on leaf0 through leaf1's single 800G
 * uplink: three ingress ports of leaf1 (k = 3) feed one congested egress.
 * Each ingress's shared bytes stop at XOFF = alpha x (S - used), so at the
 * fixed point q = alpha (S - 3q): q = alpha S / (1 + 3 alpha), and the
 * egress queue k q = 3 alpha S / (1 + 3 alpha): 3/4 S at alpha 1, 3/5 S at
 * alpha 0.5. S is the buffer less every ingress headroom of leaf1 (all
 * sim_pfc_headroom_need). Each ingress may add at most its headroom past
 * XOFF, so the queue is at most k q + 3 H; and it reaches at least 90 % of
 * k q (the senders run at line rate, so the queue climbs to the threshold).
 * Nothing is dropped.
 */
static void test_pfc_dt_bound(void **state)
{
	struct sim_topo *t = topo(2, 4, 4);
	const double alphas[] = { 1.0, 0.5 };

	(void)state;
	assert_non_null(t);
	for (int a = 0; a < 2; a++) {
		struct sim_config cfg;
		struct sim *s;
		uint32_t leaf1 = t->switches[1], up = SIM_NONE;
		const struct sim_node *n = &t->nodes[leaf1];
		uint64_t hsum = 0, hmax = 0, pool, q;
		double kq;

		sim_config_defaults(&cfg);
		cfg.window_bytes = SIM_WINDOW_UNLIMITED;
		cfg.ecn = 0;
		cfg.buffer_alpha = alphas[a];
		s = sim_create(t, &cfg);
		assert_non_null(s);
		for (uint32_t i = 0; i < n->nports; i++) {
			uint32_t port = n->first_port + i;
			uint64_t h = sim_pfc_headroom_need(t, port, 4096);

			hsum += h;
			hmax = h > hmax ? h : hmax;
			if (t->nodes[t->ports[t->ports[port].peer].node].kind == SIM_NODE_SWITCH)
				up = port;
		}
		assert_int_not_equal(up, SIM_NONE);
		for (uint32_t h = 5; h <= 7; h++)
			assert_true(sim_add_flow(s, h, 0, 8 << 20, 0) >= 0);
		assert_int_equal(sim_run(s), 0);
		pool = 4ULL * 1000 * 1000 - hsum;	/* buffer_mb is decimal MB */
		kq = 3 * alphas[a] * (double)pool / (1 + 3 * alphas[a]);
		q = s->pq[up].max_qbytes;
		print_message("alpha %.1f: pool %llu B, bound 3aS/(1+3a) = %.0f B, max queue %llu B\n", alphas[a],
			      (unsigned long long)pool, kq, (unsigned long long)q);
		assert_true((double)q <= kq + 3.0 * (double)hmax);
		assert_true((double)q >= 0.9 * kq);
		assert_int_equal(s->c.drops, 0);
		assert_int_equal(s->flows_done, s->nflows);
		sim_destroy(s);
	}
	sim_topo_free(t);
}

/*
 * XOFF follows the free buffer: with nothing held, XOFF of an ingress is
 * alpha x S; after an incast, sim_pfc_xoff_now is alpha x (S - used)
 * again with used 0. Checked on the numbers: at alpha 1 on the 4 MB leaf
 * the idle XOFF equals the pool, and at alpha 0.25 a quarter of it.
 */
static void test_pfc_xoff_follows_free(void **state)
{
	struct sim_topo *t = topo(2, 4, 4);
	struct sim_config cfg;
	struct sim *s;
	uint32_t leaf1 = t->switches[1], port = t->nodes[leaf1].first_port;
	uint64_t pool;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	pool = 4ULL * 1000 * 1000 - s->sw_reserved_bytes[t->nodes[leaf1].index];
	assert_int_equal(sim_pfc_xoff_now(s, port), pool);
	/* one frame held in the shared pool lowers every XOFF of the switch by alpha x that frame */
	s->sw_used_bytes[t->nodes[leaf1].index] += 4178;
	assert_int_equal(sim_pfc_xoff_now(s, port + 1), pool - 4178);
	s->sw_used_bytes[t->nodes[leaf1].index] -= 4178;
	sim_destroy(s);
	cfg.buffer_alpha = 0.25;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_pfc_xoff_now(s, port), pool / 4);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * A PAUSE of 0xffff quanta received by h1's NIC port at t = 0, never
 * refreshed: 65,535 x 512 bit times at 800G = 33,553,920 bits / 800 Gb/s
 * = 41,942,400 ps. h1's flow cannot start before, and the port counts
 * exactly that long paused.
 */
static void test_pfc_pause_expires(void **state)
{
	struct sim_topo *t = topo(2, 2, 16);
	struct sim_config cfg;
	struct sim *s;
	struct sim_pkt *p;
	uint32_t port = t->nodes[t->hosts[1]].first_port;

	(void)state;
	assert_int_equal(sim_pause_ps(0xffff, 800000000000ULL), 41942400);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 1, 2, 1 << 20, 0) >= 0);
	p = sim_pkt_alloc(s);
	assert_non_null(p);
	p->kind = SIM_PKT_PAUSE;
	p->prio = SIM_PRIO_CTRL;
	p->quanta = 0xffff;
	p->wire_bytes = (uint32_t)sim_wire_bytes(0, SIM_PKT_PAUSE);
	p->in_port = port;
	sim_schedule(s, 0, &p->ev);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->pst[port].paused_ps, 41942400);
	assert_true(s->flows[0].finish_ps > 41942400);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * Refreshed while congested: a 16-to-1 incast of 4 MiB each into h0 with
 * no CC lasts 16 x 4 MiB x 8 / 800 Gb/s = 671 us, far beyond one pause
 * (41.9 us). A sender's port is held paused for most of it; were the
 * PAUSE not refreshed it would run out and the sender would push its
 * line rate into the headroom, which holds only ~100 KB past XOFF:
 * drops. Observable: no drops, and some sender paused for longer in all
 * than one unrefreshed PAUSE could hold it (41.9 us).
 */
static void test_pfc_pause_refreshed(void **state)
{
	struct sim_topo *t = topo(1, 17, 4);
	struct sim_config cfg;
	struct sim *s;
	uint64_t longest = 0;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.window_bytes = SIM_WINDOW_UNLIMITED;
	cfg.ecn = 0;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	for (uint32_t h = 1; h <= 16; h++)
		assert_true(sim_add_flow(s, h, 0, 4 << 20, 0) >= 0);
	assert_int_equal(sim_run(s), 0);
	for (uint32_t h = 1; h <= 16; h++) {
		uint64_t ps = s->pst[t->nodes[t->hosts[h]].first_port].paused_ps;

		longest = ps > longest ? ps : longest;
	}
	print_message("longest paused sender: %llu ps, pauses %llu\n", (unsigned long long)longest,
		      (unsigned long long)s->c.pauses);
	assert_true(longest > 41942400);
	assert_int_equal(s->c.drops, 0);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * Headroom never overflows at 800G: a 31-to-1 incast with no CC and no
 * window on a 2-leaf fabric with the smallest buffer sim_config_check
 * accepts (test_transport) drops nothing; here, on the 3 m / 20 m
 * cables of the victim topology, a 16-to-1 with the default 160 MB and a
 * tight 8 MB buffer.
 */
static void test_pfc_headroom_no_drops(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct sim_topo *t = topo(2, 17, k ? 8 : 160);
		struct sim_config cfg;
		struct sim *s;

		sim_config_defaults(&cfg);
		cfg.window_bytes = SIM_WINDOW_UNLIMITED;
		s = sim_create(t, &cfg);
		assert_non_null(s);
		for (uint32_t h = 17; h <= 32; h++)
			assert_true(sim_add_flow(s, h, 0, 1 << 20, 0) >= 0);
		assert_int_equal(sim_run(s), 0);
		assert_int_equal(s->c.drops, 0);
		assert_int_equal(s->flows_done, s->nflows);
		sim_destroy(s);
		sim_topo_free(t);
	}
}

/*
 * The victim flow (experiments/victim.sh, topologies/victim-800g.topo):
 * leaves of 17 hosts under one spine. 15 senders of leaf1 and h34 of
 * leaf2 send 16 MiB each to h0 (leaf0); the victim h35 -> h33 starts at
 * 20 us and shares only leaf2's uplink with the incast. Max-min fair: the
 * spine -> leaf0 link gives each incast flow 800/16 = 50 Gb/s, so the
 * victim could have 750 Gb/s, 93.75 % of line.
 *
 * Without CC, a 16 MiB victim lives inside the incast's first 200 us,
 * while its queues fill: PFC at the spine holds both of its ingress ports
 * (from leaf1, from leaf2) at XOFF and its FIFO egress to leaf0 serves them
 * in proportion to what they deliver, about half each, so h34's flow takes
 * ~400 Gb/s of leaf2's uplink; leaf2's own ingress ports (h34, h35) are
 * paused alike, so the victim gets about the same, ~50 % of line:
 * congestion spreading. Assert 40 % .. 60 %.
 *
 * With a CC that works h34 falls to its share and the victim keeps
 * >= 80 % of line (issue 11), measured on a 64 MiB victim (~700 us at
 * line): DCQCN's first reaction to an incast is a deep undershoot for its
 * first few hundred us (a 16 MiB victim sits entirely inside it, 62 %;
 * README, DCQCN), the sustained figure is what the issue asks. Telemetry
 * holds every hop at eta = 0.95 of its wire rate: h34 gets
 * 0.95 x 800 / 16 = 47.5 Gb/s at the spine, the victim what is left of
 * leaf2's uplink, 760 - 47.5 = 712.5 Gb/s of wire, x 4096 / 4178 =
 * 698.5 Gb/s of payload = 87.3 % of line, and never more than a flow alone
 * under the cap, 0.95 x 4096 / 4178 = 93.1 %: assert 80 % .. 93.2 %.
 * DCQCN (ConnectX set) has no such cap: assert 80 % .. 93.75 %.
 */
static double victim_fraction(enum sim_cc cc, uint64_t victim_bytes)
{
	struct sim_topo *t = topo(3, 17, 160);
	struct sim_config cfg;
	struct sim *s;
	double f;
	int v;

	sim_config_defaults(&cfg);
	cfg.cc = cc;
	cfg.dcqcn_params = SIM_DCQCN_CONNECTX;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	for (uint32_t h = 17; h <= 31; h++)
		assert_true(sim_add_flow(s, h, 0, 16 << 20, 0) >= 0);
	assert_true(sim_add_flow(s, 34, 0, 16 << 20, 0) >= 0);
	v = sim_add_flow(s, 35, 33, victim_bytes, 20000000);
	assert_true(v >= 0);
	assert_int_equal(sim_run(s), 0);
	f = (double)victim_bytes * 8 / ((double)(s->flows[s->nflows - 1].finish_ps - 20000000) * 1e-12) / 800e9;
	print_message("victim of %llu MiB at %.1f %% of line (cc %s), %lu PFC pauses\n",
		      (unsigned long long)(victim_bytes >> 20), 100 * f, sim_cc_name(cc), (unsigned long)s->c.pauses);
	sim_destroy(s);
	sim_topo_free(t);
	return f;
}

static void test_pfc_victim(void **state)
{
	double none, tele, dcqcn;

	(void)state;
	none = victim_fraction(SIM_CC_NONE, 16 << 20);
	assert_true(none > 0.40 && none < 0.60);
	tele = victim_fraction(SIM_CC_TELEMETRY, 64 << 20);
	assert_true(tele >= 0.80 && tele <= 0.932);
	dcqcn = victim_fraction(SIM_CC_DCQCN, 64 << 20);
	assert_true(dcqcn >= 0.80 && dcqcn <= 0.9375);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfc_dt_bound),
		cmocka_unit_test(test_pfc_xoff_follows_free),
		cmocka_unit_test(test_pfc_pause_expires),
		cmocka_unit_test(test_pfc_pause_refreshed),
		cmocka_unit_test(test_pfc_headroom_no_drops),
		cmocka_unit_test(test_pfc_victim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
