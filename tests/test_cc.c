/*
 * The policy tables: every congestion control and load-balancing mode of
 * the registries has all its ops, its name round-trips through the parser,
 * unknown names are refused with the list of known ones; and each
 * congestion control reacts as its paper says, against values derived by
 * hand (DCQCN's decrease, alpha decay, fast recovery and pacing; telemetry's
 * window rule is in test_telemetry.c; none ignoring signals), as do adaptive routing and ECMP.
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
#include "sim/fabric/cc/cc.h"
#include "sim/fabric/lb/lb.h"

#define LINE_BPS 800000000000ULL

/* 2 leaves x 2 hosts, 2 spines, all 800G. */
static struct sim_topo *small_fabric(void)
{
	return sim_topo_load_string("switch = { latency_ns = 600; buffer_mb = 64; };\n"
				    "fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = 2; spines = 2;\n"
				    "  host_rate = \"800G\"; fabric_rate = \"800G\"; cable_m = 2.0; };\n",
				    "cc.topo");
}

/*
 * A run of CC with one flow h0 -> h2 that starts at 1 ms, stopped at 1 ps:
 * its connection exists, nothing has been sent, and the test drives the
 * CC's ops by hand with the clock set where it wants.
 */
static struct sim *cc_sim(struct sim_topo *t, enum sim_cc cc, int dcqcn_params)
{
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.cc = cc;
	cfg.dcqcn_params = dcqcn_params;
	cfg.stop_ps = 1;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 2, 1 << 20, 1000000000ULL) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->nconns, 1);
	assert_int_equal(s->conns[0].line_bps, LINE_BPS);
	assert_int_equal(s->conns[0].rate_bps, LINE_BPS);
	return s;
}

/* The next pending event must be EV at T_PS (popping it sets the clock there). */
static void expect_event(struct sim *s, const struct sim_event *ev, uint64_t t_ps)
{
	struct sim_heap_ent e;

	assert_int_equal(sim_evq_pop(&s->eng.q, &e), 0);
	assert_ptr_equal(e.ev, ev);
	assert_int_equal(e.time_ps, t_ps);
}

static void test_cc_table(void **state)
{
	static const char *const builtin[] = { [SIM_CC_NONE] = "none", [SIM_CC_DCQCN] = "dcqcn",
					       [SIM_CC_TELEMETRY] = "telemetry" };
	uint32_t n = sim_cc_count();

	(void)state;
	assert_true(n >= 3);
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_cc_ops *ops = sim_cc_ops((enum sim_cc)i);
		enum sim_cc back = (enum sim_cc)-1;

		assert_non_null(ops);
		assert_ptr_equal(ops, sim_cc_table[i]);
		assert_non_null(ops->name);
		assert_true(ops->name[0] != 0);
		assert_non_null(ops->init);
		assert_non_null(ops->on_ack);
		assert_non_null(ops->on_cnp);
		assert_non_null(ops->on_sent);
		assert_non_null(ops->timer);
		assert_true(ops->window == SIM_CC_WINDOW_BDP || ops->window == SIM_CC_WINDOW_UNLIMITED);
		assert_string_equal(sim_cc_name((enum sim_cc)i), ops->name);
		/* round trip; a duplicate name would come back as its first index */
		assert_int_equal(sim_cc_from_name(ops->name, &back), 0);
		assert_int_equal(back, i);
		if (i < 3)
			assert_string_equal(ops->name, builtin[i]);
	}
	assert_null(sim_cc_ops((enum sim_cc)n));
	assert_null(sim_cc_name((enum sim_cc)n));
	/* what each built-in asks of the fabric */
	assert_true(sim_cc_ops(SIM_CC_DCQCN)->needs_cnp && !sim_cc_ops(SIM_CC_DCQCN)->needs_int);
	assert_true(sim_cc_ops(SIM_CC_TELEMETRY)->needs_int && !sim_cc_ops(SIM_CC_TELEMETRY)->needs_cnp);
	assert_false(sim_cc_ops(SIM_CC_NONE)->needs_int || sim_cc_ops(SIM_CC_NONE)->needs_cnp);
	assert_true(sim_cc_window_unlimited(SIM_CC_DCQCN));
	/* the one transport envelope: only a window-based CC (telemetry) has a window */
	assert_true(sim_cc_window_unlimited(SIM_CC_NONE));
	assert_false(sim_cc_window_unlimited(SIM_CC_TELEMETRY));
	assert_false(sim_cc_window_unlimited((enum sim_cc)n));
}

static void test_lb_table(void **state)
{
	static const char *const builtin[] = { [SIM_LB_ECMP] = "ecmp", [SIM_LB_FLOWLET] = "flowlet",
					       [SIM_LB_SPRAY] = "spray", [SIM_LB_AR] = "ar" };
	uint32_t n = sim_lb_count();

	(void)state;
	assert_true(n >= 4);
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_lb_ops *ops = sim_lb_ops((enum sim_lb)i);
		enum sim_lb back = (enum sim_lb)-1;

		assert_non_null(ops);
		assert_ptr_equal(ops, sim_lb_table[i]);
		assert_non_null(ops->name);
		assert_true(ops->name[0] != 0);
		assert_non_null(ops->pick);
		assert_string_equal(sim_lb_name((enum sim_lb)i), ops->name);
		assert_int_equal(sim_lb_from_name(ops->name, &back), 0);
		assert_int_equal(back, i);
		if (i < 4)
			assert_string_equal(ops->name, builtin[i]);
		/* only flowlet switching makes the NIC count flowlets */
		assert_int_equal(ops->needs_flowlet, i == SIM_LB_FLOWLET);
	}
	assert_null(sim_lb_ops((enum sim_lb)n));
	assert_null(sim_lb_name((enum sim_lb)n));
}

static void test_rx_names(void **state)
{
	enum sim_rx_mode rx = SIM_RX_COUNT;

	(void)state;
	assert_string_equal(sim_rx_name(SIM_RX_DDP), "ddp");
	assert_string_equal(sim_rx_name(SIM_RX_GBN), "gbn");
	assert_null(sim_rx_name(SIM_RX_COUNT));
	assert_int_equal(sim_rx_from_name("gbn", &rx), 0);
	assert_int_equal(rx, SIM_RX_GBN);
	assert_int_equal(sim_rx_from_name("ddp", &rx), 0);
	assert_int_equal(rx, SIM_RX_DDP);
}

/* Unknown names are refused and leave the target alone; the lists name every entry. */
static void test_unknown_names(void **state)
{
	struct sim_topo *t = small_fabric();
	enum sim_cc cc = SIM_CC_TELEMETRY;
	enum sim_lb lb = SIM_LB_AR;
	enum sim_rx_mode rx = SIM_RX_GBN;
	struct sim_config cfg;
	char buf[128], err[256];

	(void)state;
	assert_int_equal(sim_cc_from_name("magic", &cc), -1);
	assert_int_equal(sim_cc_from_name("DCQCN", &cc), -1);
	assert_int_equal(sim_cc_from_name("", &cc), -1);
	assert_int_equal(cc, SIM_CC_TELEMETRY);
	assert_int_equal(sim_lb_from_name("ecmp2", &lb), -1);
	assert_int_equal(lb, SIM_LB_AR);
	assert_int_equal(sim_rx_from_name("go-back-n", &rx), -1);
	assert_int_equal(rx, SIM_RX_GBN);

	/* the built-in tables; a table that grew must still list every name */
	sim_cc_names(buf, sizeof(buf), ", ", " or ");
	if (sim_cc_count() == 3)
		assert_string_equal(buf, "none, dcqcn or telemetry");
	for (uint32_t i = 0; i < sim_cc_count(); i++)
		assert_non_null(strstr(buf, sim_cc_name((enum sim_cc)i)));
	sim_lb_names(buf, sizeof(buf), ", ", " or ");
	if (sim_lb_count() == 4)
		assert_string_equal(buf, "ecmp, flowlet, spray or ar");
	for (uint32_t i = 0; i < sim_lb_count(); i++)
		assert_non_null(strstr(buf, sim_lb_name((enum sim_lb)i)));
	assert_string_equal(sim_rx_names(buf, sizeof(buf), ", ", " or "), "ddp or gbn");
	assert_string_equal(sim_rx_names(buf, sizeof(buf), " | ", " | "), "ddp | gbn");
	/* cut, still terminated */
	assert_string_equal(sim_cc_names(buf, 8, ", ", " or "), "none, d");

	/* the library's own check names the table too (a value no parser gives) */
	sim_config_defaults(&cfg);
	cfg.cc = (enum sim_cc)sim_cc_count();
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(buf, sizeof(buf), "congestion control %u is not one of none, dcqcn, telemetry", sim_cc_count());
	if (sim_cc_count() == 3)
		assert_string_equal(err, buf);
	assert_non_null(strstr(err, sim_cc_name((enum sim_cc)(sim_cc_count() - 1))));
	assert_null(sim_create(t, &cfg));
	sim_config_defaults(&cfg);
	cfg.lb = (enum sim_lb)sim_lb_count();
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(buf, sizeof(buf), "load balancing %u is not one of ecmp, flowlet, spray, ar", sim_lb_count());
	if (sim_lb_count() == 4)
		assert_string_equal(err, buf);
	assert_non_null(strstr(err, sim_lb_name((enum sim_lb)(sim_lb_count() - 1))));
	sim_topo_free(t);
}

/*
 * DCQCN, the paper's parameters (g = 1/256, K = T = 55 us, F = 5) and its
 * equation (1): a CNP cuts R_C = R_C (1 - alpha/2) with alpha as it is,
 * then alpha = (1-g) alpha + g. Alpha starts at 1, so a CNP halves the
 * rate and alpha stays 1. A second CNP at once (no minimum decrease
 * interval in the paper) halves it again. After 10 alpha periods without
 * CNP, alpha = (1-g)^10 = 0.961617, and the third CNP gives
 * 200 G x (1 - 0.480809) = 103.838 Gb/s.
 */
static void test_dcqcn_decrease(void **state)
{
	struct sim_topo *t = small_fabric();
	struct sim *s = cc_sim(t, SIM_CC_DCQCN, 0);
	struct sim_conn *c = &s->conns[0];
	const struct sim_cc_ops *ops = sim_cc_of(s);
	uint64_t t0 = 10000000;	/* 10 us */

	(void)state;
	assert_ptr_equal(ops, sim_cc_ops(SIM_CC_DCQCN));
	assert_int_equal(c->window_bytes, SIM_WINDOW_UNLIMITED);
	s->eng.q.now_ps = t0;
	ops->on_cnp(s, c);
	assert_int_equal(c->rate_bps, LINE_BPS / 2);
	/* the rate-increase timer starts, T = 55 us later */
	expect_event(s, &c->cc_ev, t0 + 55000000);
	s->eng.q.now_ps = t0;	/* popping moved the clock on */
	ops->on_cnp(s, c);
	assert_int_equal(c->rate_bps, LINE_BPS / 4);
	s->eng.q.now_ps = t0 + 10 * 55000000ULL;
	ops->on_cnp(s, c);
	assert_true(fabs((double)c->rate_bps - 103838295838.4) < 1e3);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * DCQCN recovery and pacing. After one CNP (R_T = 800 G, R_C = 400 G) the
 * first increase-timer event is fast recovery: R_C = (R_T + R_C) / 2 =
 * 600 G. Pacing: a 4178 B frame at 400 G holds the next one back by
 * 4178 x 8 / 400e9 s = 83.56 ns.
 */
static void test_dcqcn_recovery(void **state)
{
	struct sim_topo *t = small_fabric();
	struct sim *s = cc_sim(t, SIM_CC_DCQCN, 0);
	struct sim_conn *c = &s->conns[0];
	const struct sim_cc_ops *ops = sim_cc_of(s);
	uint64_t t0 = 10000000;

	(void)state;
	s->eng.q.now_ps = t0;
	ops->on_cnp(s, c);
	assert_int_equal(c->rate_bps, 400000000000ULL);
	ops->on_sent(s, c, 4178);
	assert_int_equal(c->next_tx_ps, t0 + 83560);
	ops->on_sent(s, c, 4178);
	assert_int_equal(c->next_tx_ps, t0 + 2 * 83560);
	expect_event(s, &c->cc_ev, t0 + 55000000);
	s->eng.q.now_ps = t0 + 55000000;
	ops->timer(s, c);
	assert_int_equal(c->rate_bps, 600000000000ULL);
	expect_event(s, &c->cc_ev, t0 + 2 * 55000000);
	sim_destroy(s);

	/*
	 * connectx: a CNP cuts the rate once, at the end of the 4 us
	 * rate_reduce_monitor_period it arrived in; a second CNP in the same
	 * period makes no second cut, but raises alpha at the update ending
	 * its 1 us period. Alpha starts at 1023/1024 and decays by 1019/1024
	 * at the updates of 1, 2 and 3 us; the CNP at 3.999999 us makes the
	 * 4 us update (1019/1024) alpha + 5/1024, which runs before the cut:
	 * alpha = 0.984537, rate = 800 G x (1 - alpha/2) = 406.1854 Gb/s.
	 */
	s = cc_sim(t, SIM_CC_DCQCN, SIM_DCQCN_CONNECTX);
	c = &s->conns[0];
	s->eng.q.now_ps = t0;
	ops->on_cnp(s, c);
	assert_int_equal(c->rate_bps, LINE_BPS);
	s->eng.q.now_ps = t0 + 3999999;
	ops->on_cnp(s, c);
	assert_int_equal(c->rate_bps, LINE_BPS);
	expect_event(s, &c->cc_ev, t0 + 4000000);
	ops->timer(s, c);
	assert_true(fabs((double)c->rate_bps - 406185391881.3) < 1e3);
	sim_destroy(s);
	sim_topo_free(t);
}

/* A fresh INT record each time: S's pool takes them back when S is destroyed. */
static void ack_hop(struct sim *s, struct sim_pkt *ack, uint32_t port, uint32_t qlen, uint64_t tx_bytes,
		    uint64_t ts_ps)
{
	struct sim_int_hop *h;

	memset(ack, 0, sizeof(*ack));
	ack->kind = SIM_PKT_ACK;
	ack->nhops = 1;
	assert_int_equal(sim_pkt_take_int(s, ack), 0);
	h = sim_pkt_hops(s, ack);
	assert_non_null(h);
	*h = (struct sim_int_hop){ 0 };
	h[0].port = port;
	h[0].qlen_bytes = qlen;
	h[0].tx_bytes = tx_bytes;
	h[0].ts_ps = ts_ps;
}

/* none: a line-rate NIC, no window (as dcqcn); CNPs and telemetry do nothing, nothing is paced. */
static void test_none_ignores(void **state)
{
	struct sim_topo *t = small_fabric();
	struct sim *s = cc_sim(t, SIM_CC_NONE, 1);
	struct sim_conn *c = &s->conns[0];
	const struct sim_cc_ops *ops = sim_cc_of(s);
	struct sim_heap_ent e;
	struct sim_pkt ack;

	(void)state;
	assert_int_equal(s->window_bytes, SIM_WINDOW_UNLIMITED);
	assert_int_equal(c->window_bytes, s->window_bytes);
	s->eng.q.now_ps = 10000000;
	ops->on_cnp(s, c);
	ack_hop(s, &ack, c->port, 1 << 20, 0, 1000);
	ops->on_ack(s, c, &ack);
	ops->on_sent(s, c, 4178);
	assert_int_equal(c->rate_bps, LINE_BPS);
	assert_int_equal(c->window_bytes, s->window_bytes);
	assert_int_equal(c->next_tx_ps, 0);
	/* no CC timer: the next event is the flow's start at 1 ms */
	assert_int_equal(sim_evq_pop(&s->eng.q, &e), 0);
	assert_ptr_not_equal(e.ev, &c->cc_ev);
	assert_int_equal(e.time_ps, 1000000000ULL);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * Load balancing at leaf 0 toward a host of leaf 1: two candidates (the
 * spines). Adaptive routing takes the one with fewer queued data bytes and
 * treats a paused port as full; ECMP keeps one path per packet header,
 * flowlet switching spreads flowlets over both.
 */
static void test_lb_pick(void **state)
{
	struct sim_topo *t = small_fabric();
	struct sim *s = cc_sim(t, SIM_CC_NONE, 1);
	uint32_t dst = t->hosts[2], leaf = sim_topo_host_leaf(t, t->hosts[0], 0), cand[4], n, seen = 0;
	const struct sim_lb_ops *ar = sim_lb_ops(SIM_LB_AR), *ecmp = sim_lb_ops(SIM_LB_ECMP);
	const struct sim_lb_ops *flowlet = sim_lb_ops(SIM_LB_FLOWLET);
	struct sim_pkt p;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = SIM_PKT_DATA;
	p.src = t->hosts[0];
	p.dst = dst;
	p.sport = 0xc123;
	n = sim_route_candidates(s, leaf, dst, 0, cand, 4);
	assert_int_equal(n, 2);
	s->pq[cand[0]].qbytes[SIM_PRIO_DATA] = 9000;
	s->pq[cand[1]].qbytes[SIM_PRIO_DATA] = 5000;
	sim_port_load_sync(s, cand[0]);
	sim_port_load_sync(s, cand[1]);
	assert_int_equal(ar->pick(s, leaf, &p, cand, 0, n), cand[1]);
	s->pq[cand[1]].paused = 1;
	sim_port_load_sync(s, cand[1]);
	assert_int_equal(ar->pick(s, leaf, &p, cand, 0, n), cand[0]);
	s->pq[cand[1]].paused = 0;
	s->pq[cand[1]].qbytes[SIM_PRIO_DATA] = 0;
	s->pq[cand[0]].qbytes[SIM_PRIO_DATA] = 0;
	sim_port_load_sync(s, cand[0]);
	sim_port_load_sync(s, cand[1]);

	assert_int_equal(ecmp->pick(s, leaf, &p, cand, 0, n), ecmp->pick(s, leaf, &p, cand, 0, n));
	for (p.flowlet = 0; p.flowlet < 64; p.flowlet++)
		seen |= 1u << (flowlet->pick(s, leaf, &p, cand, 0, n) == cand[1]);
	assert_int_equal(seen, 3);
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cc_table),
		cmocka_unit_test(test_lb_table),
		cmocka_unit_test(test_rx_names),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_dcqcn_decrease),
		cmocka_unit_test(test_dcqcn_recovery),
		cmocka_unit_test(test_none_ignores),
		cmocka_unit_test(test_lb_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
