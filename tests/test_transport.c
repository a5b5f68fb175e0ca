/*
 * Lossless RoCE behaviour: PFC keeps an incast loss-free and pauses travel
 * the link; without PFC the same incast drops and recovers by
 * retransmission; DCQCN converges to the fair share; telemetry control
 * keeps the bottleneck queue near empty at high utilization; go-back-N
 * collapses under per-packet spraying while direct placement does not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"
#include "sim/results/stats.h"
#include "sim/traffic/workload.h"

static struct sim_topo *leafspine(unsigned leaves, unsigned hpl, unsigned spines, unsigned buffer_mb)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "switch = { latency_ns = 600; buffer_mb = %u; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = %u; hosts_per_leaf = %u; spines = %u;\n"
		 "  host_rate = \"800G\"; fabric_rate = \"800G\"; cable_m = 20.0; };\n",
		 buffer_mb, leaves, hpl, spines);
	return sim_topo_load_string(text, "transport.topo");
}

static struct sim *incast(struct sim_topo *t, struct sim_config *cfg, unsigned n, uint64_t bytes)
{
	struct sim_workload_params w = { .kind = SIM_WL_INCAST, .bytes = bytes, .incast_senders = n };
	struct sim *s = sim_create(t, cfg);

	assert_non_null(s);
	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	assert_int_equal(sim_run(s), 0);
	return s;
}

/* 16 senders into one 800G port, 4 MB buffer: PFC pauses, nothing is lost. */
static void test_incast_pfc_lossless(void **state)
{
	struct sim_topo *t = leafspine(2, 16, 4, 4);
	struct sim_config cfg;
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	s = incast(t, &cfg, 16, 2 << 20);
	assert_int_equal(s->flows_done, 16);
	assert_int_equal(s->c.drops, 0);
	assert_true(s->c.pauses > 0);
	assert_int_equal(s->c.retx_pkts, 0);
	/* the receiver's port ran flat out: 32 MiB at 800G x 4096/4178 */
	assert_true(s->flows_done == 16);
	sim_destroy(s);

	/* the same incast lossy: the shared buffer overflows, retransmission recovers */
	sim_config_defaults(&cfg);
	cfg.pfc = 0;
	cfg.rto_ps = 50000000;
	s = incast(t, &cfg, 16, 2 << 20);
	assert_int_equal(s->flows_done, 16);
	assert_true(s->c.drops > 0);
	assert_true(s->c.retx_pkts > 0);
	assert_int_equal(s->c.pauses, 0);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * A PAUSE frame takes its serialization plus the cable's propagation delay:
 * the upstream port stops exactly that long after the frame left.
 */
static void test_pause_propagation(void **state)
{
	struct sim_topo *t = leafspine(2, 16, 4, 4);
	struct sim_config cfg;
	struct sim *s;
	int checked = 0;

	(void)state;
	sim_config_defaults(&cfg);
	s = incast(t, &cfg, 16, 1 << 20);
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_portq_stats *q = &s->pst[i];
		uint32_t peer = t->ports[i].peer;

		if (!q->first_pause_tx_ps)
			continue;
		assert_int_equal(s->pst[peer].first_paused_ps - q->first_pause_tx_ps,
				 sim_ser_ps(sim_wire_bytes(0, SIM_PKT_PAUSE), t->ports[i].rate_bps) +
					 t->ports[i].delay_ps);
		/* 20 m of cable: 100 ns */
		assert_int_equal(t->ports[i].delay_ps, 100000);
		checked++;
	}
	assert_true(checked > 0);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * Two DCQCN flows (the paper's parameters) through one 800G link, the
 * second starting 1 ms later, windows wide open so only the rate limiter
 * governs: over 6-10 ms each delivers within 10% of half the link.
 */
static void test_dcqcn_fair_share(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 1, 32);
	const double link = 800e9 * 4096 / 4178 / 8;	/* payload bytes/s */
	struct sim_config cfg;
	uint64_t b0[2];
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.cc = SIM_CC_DCQCN;
	cfg.dcqcn_params = 0;
	cfg.window_bytes = 64 << 20;
	cfg.stop_ps = 6000000000ULL;
	s = sim_create(t, &cfg);
	sim_add_flow(s, 0, 2, 1ULL << 30, 0);
	sim_add_flow(s, 1, 3, 1ULL << 30, 1000000000ULL);
	assert_int_equal(sim_run(s), 0);
	b0[0] = s->flows[0].rx_bytes;
	b0[1] = s->flows[1].rx_bytes;
	s->cfg.stop_ps = 10000000000ULL;
	assert_int_equal(sim_run(s), 0);
	for (int i = 0; i < 2; i++) {
		double rate = (double)(s->flows[i].rx_bytes - b0[i]) / 4e-3;

		print_message("dcqcn flow %d: %.1f%% of the link\n", i, 100 * rate / link);
		assert_true(fabs(rate / (link / 2) - 1) < 0.10);
	}
	print_message("dcqcn rates at 10 ms: %.1f, %.1f Gb/s; CNPs %lu, pauses %lu\n", sim_qp_conn(s, sim_qp_at(s, 0))->rate_bps / 1e9,
		      sim_qp_conn(s, sim_qp_at(s, 1))->rate_bps / 1e9, (unsigned long)s->c.cnps, (unsigned long)s->c.pauses);
	assert_true(s->c.cnps > 0);
	/* the rate limiter, not the window, is what holds them back */
	assert_true(sim_qp_conn(s, sim_qp_at(s, 0))->rate_bps < 800000000000ULL);
	assert_true(sim_qp_conn(s, sim_qp_at(s, 1))->rate_bps < 800000000000ULL);
	sim_destroy(s);
	sim_topo_free(t);
}

static uint32_t port_to_host(const struct sim_topo *t, uint32_t host)
{
	return t->ports[t->nodes[t->hosts[host]].first_port].peer;
}

/*
 * 4-to-1 with long flows (hosts 1-4 into host 0, all on one leaf): without
 * CC the queue sits at megabytes. UTIL is the receiver's port over the
 * whole run; STEADY over [SIM_SS_FROM_PS, SIM_SS_TO_PS), after the start
 * and before any flow ends (all four are still running at its end).
 */
#define SIM_SS_FROM_PS 200000000ULL	/* 200 us: ~40 base RTTs to converge */
#define SIM_SS_TO_PS 1000000000ULL	/* 1 ms */

struct incast4_res {
	double util, steady, meanq;
};

static void incast4(struct sim_topo *t, enum sim_cc cc, struct incast4_res *r)
{
	struct sim_config cfg;
	struct sim *s;
	uint32_t port = port_to_host(t, 0);
	uint64_t tx0;
	double span;

	sim_config_defaults(&cfg);
	cfg.cc = cc;
	cfg.stop_ps = SIM_SS_FROM_PS;
	s = sim_create(t, &cfg);
	for (unsigned i = 1; i <= 4; i++)
		sim_add_flow(s, i, 0, 32 << 20, 0);
	assert_int_equal(sim_run(s), 0);
	tx0 = s->pq[port].tx_bytes;
	s->cfg.stop_ps = SIM_SS_TO_PS;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 0);
	r->steady = (double)(s->pq[port].tx_bytes - tx0) * 8 / (800e9 * (SIM_SS_TO_PS - SIM_SS_FROM_PS) * 1e-12);
	s->cfg.stop_ps = 0;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 4);
	span = (double)s->end_ps * 1e-12;
	r->util = (double)s->pq[port].tx_bytes * 8 / (800e9 * span);
	r->meanq = sim_port_mean_queue(s, port);
	sim_destroy(s);
}

/*
 * Telemetry (HPCC) holds the bottleneck at eta = 0.95 of its wire rate
 * (tx_bytes counts wire bytes, 4178 per 4096 B of payload). Its fixed
 * point for N flows: every ACK sets W_i = Wc_i x eta / U + W_AI, so the
 * windows sum to eta x B x T + N x W_AI, i.e. U = 0.95 + 4 x 320 Mb/s /
 * 800 Gb/s = 0.9516; a standing packet adds 4178 B / (B x T) ~ 0.009 to
 * U (T ~ 4.6 us here) and takes as much from the rate. So the steady
 * window is within 0.01 of 0.95. Over the whole run, the start (four
 * line-rate windows into one port, then HPCC's cuts and maxStage = 5
 * additive steps between multiplicative ones) and the ends (the others
 * climb back after a flow finishes) cost a few points more: at least
 * 0.85, and never more than the steady state. Without CC the port runs
 * at line rate (everything queued is eventually sent at 800G).
 */
static void test_telemetry_queue(void **state)
{
	struct sim_topo *t = leafspine(2, 8, 2, 32);
	struct incast4_res none, tele;

	(void)state;
	incast4(t, SIM_CC_NONE, &none);
	incast4(t, SIM_CC_TELEMETRY, &tele);
	print_message("4:1 none: util %.3f steady %.3f mean queue %.0f B; telemetry: util %.3f steady %.3f "
		      "mean queue %.0f B\n", none.util, none.steady, none.meanq, tele.util, tele.steady, tele.meanq);
	assert_true(none.meanq > 1e6);
	assert_true(none.steady > 0.99);
	assert_true(fabs(tele.steady - 0.95) <= 0.01);
	assert_true(tele.util >= 0.85 && tele.util <= tele.steady);
	/* near empty: under four packets on average */
	assert_true(tele.meanq < 4 * 4178);
	sim_topo_free(t);
}

static double spray_perm(struct sim_topo *t, enum sim_rx_mode rx, struct sim_counters *c)
{
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 4 << 20, .seed = 3 };
	struct sim_results r;
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.lb = SIM_LB_SPRAY;
	cfg.rx = rx;
	cfg.seed = 3;
	s = sim_create(t, &cfg);
	sim_workload_add(s, &w, NULL, 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	sim_results_compute(s, &r);
	*c = s->c;
	sim_destroy(s);
	return r.effective_throughput;
}

static void test_spray_gbn_vs_ddp(void **state)
{
	struct sim_topo *t = leafspine(4, 8, 8, 64);
	struct sim_counters cd, cg;
	double ddp, gbn;

	(void)state;
	ddp = spray_perm(t, SIM_RX_DDP, &cd);
	gbn = spray_perm(t, SIM_RX_GBN, &cg);
	print_message("spray: ddp %.3f (retx %lu), gbn %.3f (retx %lu, NAKs %lu)\n", ddp,
		      (unsigned long)cd.retx_pkts, gbn, (unsigned long)cg.retx_pkts, (unsigned long)cg.naks);
	assert_true(ddp >= 0.85);
	assert_true(gbn < 0.5 * ddp);
	assert_int_equal(cd.retx_pkts, 0);
	assert_true(cg.naks > 0 && cg.retx_pkts > 0);
	sim_topo_free(t);
}

static struct sim_pkt *ctrl_pkt(struct sim *s, enum sim_pkt_kind kind, uint32_t psn)
{
	struct sim_pkt *p = sim_pkt_alloc(s);

	assert_non_null(p);
	p->kind = kind;
	p->prio = SIM_PRIO_CTRL;
	p->psn = psn;
	p->wire_bytes = (uint32_t)sim_wire_bytes(0, kind);
	return p;
}

/*
 * A PFC frame leaves right after the frame on the wire, ahead of queued
 * ACKs (which would delay it past the headroom), and PAUSE frames keep
 * their order. With the port held busy: ACK 1, ACK 2 queued, then XOFF,
 * XON and XOFF again give XOFF XON XOFF ACK1 ACK2, 3 x 84 + 2 x 86 B.
 */
static void test_pause_jumps_queue(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 1, 64);
	struct sim_config cfg;
	struct sim_portq *q;
	struct sim_pkt *p;
	uint32_t port, want[] = { 1, 0, 1, 101, 102 }, i = 0;
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	port = t->ports[t->nodes[t->hosts[0]].first_port].peer;	/* leaf0 -> h0 */
	q = &s->pq[port];
	q->busy = 1;
	q->txdone_pending = 1;	/* a frame is on the wire: nothing starts */
	sim_port_enqueue(s, port, ctrl_pkt(s, SIM_PKT_ACK, 101));
	sim_port_enqueue(s, port, ctrl_pkt(s, SIM_PKT_ACK, 102));
	sim_port_enqueue_pause(s, port, ctrl_pkt(s, SIM_PKT_PAUSE, 1));
	sim_port_enqueue_pause(s, port, ctrl_pkt(s, SIM_PKT_PAUSE, 0));
	sim_port_enqueue_pause(s, port, ctrl_pkt(s, SIM_PKT_PAUSE, 1));
	for (p = q->head[SIM_PRIO_CTRL]; p; p = p->next, i++) {
		assert_true(i < 5);
		assert_int_equal(p->psn, want[i]);
		assert_int_equal(p->kind, i < 3 ? SIM_PKT_PAUSE : SIM_PKT_ACK);
	}
	assert_int_equal(i, 5);
	assert_int_equal(q->tail[SIM_PRIO_CTRL]->psn, 102);
	assert_int_equal(q->qbytes[SIM_PRIO_CTRL], 3 * 84 + 2 * 86);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * PFC at the smallest buffer sim_config_check accepts stays lossless. On
 * leafspine(2, 16, 4): a leaf has 20 ports of 800G with 20 m cables (100
 * ns, 10,000 B in flight), 600 ns of pipeline (60,000 B), so 2 x 10,000 +
 * 60,000 + 3 x 4,178 + 84 + 25,216 (upstream reaction) = 117,834 B of
 * headroom per port, plus a 150 B control frame and a 4,178 B frame of
 * shared pool: the buffer must hold 20 x 122,162 = 2,443,240 B. There, a
 * 31-to-1 incast and an all-to-all with no window pause a lot and drop
 * nothing.
 */
static void test_pfc_min_buffer_lossless(void **state)
{
	struct sim_topo *t = leafspine(2, 16, 4, 64);
	struct sim_workload_params inc = { .kind = SIM_WL_INCAST, .bytes = 2 << 20, .incast_senders = 31 };
	struct sim_workload_params a2a = { .kind = SIM_WL_ALLTOALL, .bytes = 256 << 10 };
	struct sim_config cfg;
	char err[512];
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.window_bytes = SIM_WINDOW_UNLIMITED;
	cfg.buffer_bytes = 2443239;
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "at least 2443240 B"));
	assert_null(sim_create(t, &cfg));
	cfg.buffer_bytes = 2443240;
	for (int k = 0; k < 2; k++) {
		s = sim_create(t, &cfg);
		assert_non_null(s);
		assert_int_equal(sim_workload_add(s, k ? &a2a : &inc, NULL, 0), 0);
		assert_int_equal(sim_run(s), 0);
		print_message("%s at the minimum buffer: %lu pauses, %lu drops\n", k ? "all-to-all" : "incast",
			      (unsigned long)s->c.pauses, (unsigned long)s->c.drops);
		assert_int_equal(s->flows_done, s->nflows);
		assert_true(s->c.pauses > 0);
		assert_int_equal(s->c.drops, 0);
		assert_int_equal(s->c.retx_pkts, 0);
		sim_destroy(s);
	}
	sim_topo_free(t);
}

/*
 * Five switches in a ring, every flow two hops clockwise: each ring link
 * waits on the next, a cyclic buffer dependency. Under PFC it locks up;
 * the run must stop and say so instead of spinning until the stop time.
 */
static void test_pfc_deadlock_detected(void **state)
{
	char text[4096], *p = text;
	struct sim_topo *t;
	struct sim_config cfg;
	struct sim *s;

	(void)state;
	p += sprintf(p, "switch = { latency_ns = 600; buffer_mb = 1; };\n"
			"fabric = { kind = \"explicit\"; host_rate = \"800G\"; fabric_rate = \"800G\"; cable_m = 10.0;\n nodes = (");
	for (int i = 0; i < 5; i++)
		p += sprintf(p, "%s{ name = \"h%d\"; kind = \"host\"; }, { name = \"s%d\"; kind = \"switch\"; }",
			     i ? ", " : "", i, i);
	p += sprintf(p, ");\n links = (");
	for (int i = 0; i < 5; i++)
		p += sprintf(p, "%s(\"h%d\", \"s%d\"), (\"s%d\", \"s%d\")", i ? ", " : "", i, i, i, (i + 1) % 5);
	sprintf(p, ");\n};\n");
	t = sim_topo_load_string(text, "ring5.topo");
	assert_non_null(t);
	sim_config_defaults(&cfg);
	cfg.window_bytes = SIM_WINDOW_UNLIMITED;
	cfg.stop_ps = 1000000000000ULL;		/* 1 s: far beyond the watchdog */
	s = sim_create(t, &cfg);
	for (uint32_t i = 0; i < 5; i++)
		sim_add_flow(s, i, (i + 2) % 5, 64 << 20, 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->deadlock, 1);
	assert_true(s->flows_done < 5);
	/* stopped within a few watchdog periods, not at the stop time, at one of its instants */
	assert_true(s->end_ps < 20000000000ULL);
	assert_int_equal(s->end_ps % 2000000000ULL, 0);
	assert_int_equal(sim_now(s), s->end_ps);
	sim_destroy(s);

	/* the same without PFC: lossy, slow, but it finishes */
	cfg.pfc = 0;
	cfg.rto_ps = 20000000;
	cfg.stop_ps = 0;
	s = sim_create(t, &cfg);
	for (uint32_t i = 0; i < 5; i++)
		sim_add_flow(s, i, (i + 2) % 5, 1 << 20, 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->deadlock, 0);
	assert_int_equal(s->flows_done, 5);
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incast_pfc_lossless),
		cmocka_unit_test(test_pause_propagation),
		cmocka_unit_test(test_dcqcn_fair_share),
		cmocka_unit_test(test_telemetry_queue),
		cmocka_unit_test(test_spray_gbn_vs_ddp),
		cmocka_unit_test(test_pfc_deadlock_detected),
		cmocka_unit_test(test_pfc_min_buffer_lossless),
		cmocka_unit_test(test_pause_jumps_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
