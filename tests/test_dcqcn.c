/*
 * DCQCN's reaction point as ConnectX firmware runs it (cc/dcqcn.c), driven
 * op by op on one connection with the clock set by hand: the parameter
 * sets and their names, the NP's CNP spacing per set, the cut at the end
 * of the rate-reduce period, the target-rate clamping rules, the byte
 * counter scaled to line rate, and the increase timer that keeps running
 * while the QP is idle until rate and target are back at line rate.
 * Expected values are derived by hand in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"
#include "sim/fabric/cc/cc.h"

#define LINE_BPS 800000000000ULL
#define US 1000000ULL
/*
 * connectx increase timer at 800G: rpg_time_reset 300 us is kept up to
 * 100G and shrinks in proportion above, 300 us x 100G / 800G = 37.5 us.
 */
#define TIMER_PS (300 * US * 100 / 800)
/* connectx alpha gain: dce_tcp_g 1019 -> g = 5/1024 */
#define G (5.0 / 1024)

static struct sim_topo *fabric(void)
{
	return sim_topo_load_string("switch = { latency_ns = 600; buffer_mb = 64; };\n"
				    "fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = 2; spines = 2;\n"
				    "  host_rate = \"800G\"; fabric_rate = \"800G\"; cable_m = 2.0; };\n",
				    "dcqcn.topo");
}

/* One connection h0 -> h2 whose flow starts at 1 s: it never sends, its QP stays idle. */
static struct sim *dcqcn_sim(struct sim_topo *t, enum sim_dcqcn_set set, uint64_t cnp_interval_ps)
{
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.cc = SIM_CC_DCQCN;
	cfg.dcqcn_params = set;
	cfg.cnp_interval_ps = cnp_interval_ps;
	cfg.stop_ps = 1;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 2, 1 << 20, 1000000000000ULL) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->nconns, 1);
	assert_int_equal(s->conns[0].nactive, 0);
	return s;
}

/* Pops events up to C's CC timer (others are left unhandled) and returns its time; 0: none pending. */
static uint64_t pop_cc(struct sim *s, struct sim_conn *c)
{
	struct sim_heap_ent e;

	while (!sim_evq_pop(&s->eng.q, &e))
		if (e.ev == &c->cc_ev)
			return e.time_ps;
	return 0;
}

/* A first CNP at T0 and its cut at T0 + 4 us: rate 800 G x (1 - alpha/2), alpha = 1023/1024 (1 - g)^4. */
static double first_cut(struct sim *s, struct sim_conn *c, uint64_t t0)
{
	double alpha = 1023.0 / 1024 * pow(1 - G, 4), want = LINE_BPS * (1 - alpha / 2);

	s->eng.q.now_ps = t0;
	sim_cc_of(s)->on_cnp(s, c);
	assert_int_equal(c->rate_bps, LINE_BPS);
	assert_int_equal(pop_cc(s, c), t0 + 4 * US);
	sim_cc_of(s)->timer(s, c);
	assert_true(fabs((double)c->rate_bps - want) < 2);
	return want;	/* 408.1385 Gb/s */
}

static void test_dcqcn_set_names(void **state)
{
	enum sim_dcqcn_set set = SIM_DCQCN_SET_COUNT;

	(void)state;
	assert_int_equal(sim_dcqcn_set_from_name("connectx", &set), 0);
	assert_int_equal(set, SIM_DCQCN_CONNECTX);
	set = SIM_DCQCN_PAPER;
	assert_int_equal(sim_dcqcn_set_from_name("mellanox", &set), 0);	/* the old name */
	assert_int_equal(set, SIM_DCQCN_CONNECTX);
	assert_int_equal(sim_dcqcn_set_from_name("paper", &set), 0);
	assert_int_equal(set, SIM_DCQCN_PAPER);
	assert_int_equal(sim_dcqcn_set_from_name("connectx-unscaled", &set), 0);
	assert_int_equal(set, SIM_DCQCN_CONNECTX_UNSCALED);
	assert_int_equal(sim_dcqcn_set_from_name("ConnectX", &set), -1);
	for (unsigned int i = 0; i < SIM_DCQCN_SET_COUNT; i++) {
		assert_int_equal(sim_dcqcn_set_from_name(sim_dcqcn_set_name((enum sim_dcqcn_set)i), &set), 0);
		assert_int_equal(set, i);
	}
	assert_null(sim_dcqcn_set_name(SIM_DCQCN_SET_COUNT));
}

/* The NP's CNP spacing: min_time_between_cnps 4 us for connectx, N = 50 us in the paper, or --cnp-interval. */
static void test_dcqcn_cnp_spacing(void **state)
{
	struct sim_topo *t = fabric();
	struct sim *s;

	(void)state;
	s = dcqcn_sim(t, SIM_DCQCN_CONNECTX, 0);
	assert_int_equal(sim_dcqcn_cnp_interval_ps(s), 4 * US);
	sim_destroy(s);
	s = dcqcn_sim(t, SIM_DCQCN_PAPER, 0);
	assert_int_equal(sim_dcqcn_cnp_interval_ps(s), 50 * US);
	sim_destroy(s);
	s = dcqcn_sim(t, SIM_DCQCN_CONNECTX, 7 * US);
	assert_int_equal(sim_dcqcn_cnp_interval_ps(s), 7 * US);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * The bug this replaces: the increase timer stopped on an idle QP. After
 * the first cut (408.1385 G, target still 800 G: no timer increase yet, so
 * no clamping) the timer fires every 37.5 us (TIMER_PS) although the
 * QP has nothing to send; each event is fast recovery or (once past F = 1)
 * additive increase with the target capped at line, both moving the rate
 * halfway to 800 G: after k events the gap is 391.86 G / 2^k. Event 4
 * (150 us after the cut) brings it to 775.51 G, the first >= 95% of line
 * (event 3: 751.02 G = 93.9%). The gap falls below 1 b/s after
 * log2(391.86e9) = 38.5 events: the rate lands on line rate and the timer
 * stops, so at most 40 events happen.
 */
static void test_dcqcn_idle_recovery(void **state)
{
	struct sim_topo *t = fabric();
	struct sim *s = dcqcn_sim(t, SIM_DCQCN_CONNECTX, 0);
	struct sim_conn *c = &s->conns[0];
	uint64_t t0 = 10 * US, cut = t0 + 4 * US, at;
	double gap = LINE_BPS - first_cut(s, c, t0);
	unsigned int k = 0;

	(void)state;
	while ((at = pop_cc(s, c))) {
		k++;
		assert_int_equal(at, cut + k * TIMER_PS);
		sim_cc_of(s)->timer(s, c);
		gap /= 2;
		if (k <= 30)
			assert_true(fabs((double)(LINE_BPS - c->rate_bps) - gap) < 2);
		if (k == 3)
			assert_true(c->rate_bps < 0.95 * LINE_BPS);
		if (k == 4)
			assert_true(c->rate_bps >= 0.95 * LINE_BPS);
		assert_true(k <= 40);
	}
	assert_true(k >= 38);
	assert_int_equal(c->rate_bps, LINE_BPS);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * Target clamping (clamp_tgt_rate 0, clamp_tgt_rate_after_time_inc 1):
 * a cut sets target = rate only if a timer increase came since the last
 * cut. Fast recovery after a cut gives rate' = (rate_cut + target) / 2, so
 * target = 2 rate' - rate_cut. After a byte-counter increase only, the
 * target stays at line (800 G); after a timer increase it is the rate the
 * cut started from.
 */
static void test_dcqcn_clamp(void **state)
{
	struct sim_topo *t = fabric();
	struct sim *s = dcqcn_sim(t, SIM_DCQCN_CONNECTX, 0);
	struct sim_conn *c = &s->conns[0];
	const struct sim_cc_ops *ops = sim_cc_of(s);
	uint64_t t0 = 10 * US, at;
	double before, after_cut;

	(void)state;
	first_cut(s, c, t0);
	/* a byte-counter event: 32767 B x 800/25 = 1048544 B sent at the paced rate */
	s->eng.q.now_ps = t0 + 5 * US;
	ops->on_sent(s, c, 1048544);
	before = (double)c->rate_bps;
	ops->on_cnp(s, c);			/* cut at t0 + 8 us, no timer increase yet */
	assert_int_equal(pop_cc(s, c), t0 + 8 * US);
	ops->timer(s, c);
	after_cut = (double)c->rate_bps;
	assert_true(after_cut < before);
	/* the timer armed by the first cut (t0 + 4 us + 37.5 us) is a stale copy: nothing happens */
	assert_int_equal(pop_cc(s, c), t0 + 4 * US + TIMER_PS);
	ops->timer(s, c);
	assert_true((double)c->rate_bps == after_cut);
	at = pop_cc(s, c);			/* the timer, 37.5 us after the second cut */
	assert_int_equal(at, t0 + 8 * US + TIMER_PS);
	ops->timer(s, c);
	assert_true(fabs(2 * (double)c->rate_bps - after_cut - (double)LINE_BPS) < 4);
	/* now a timer increase happened: the next cut clamps the target to the rate it cuts */
	before = (double)c->rate_bps;
	s->eng.q.now_ps = at + 1 * US;
	ops->on_cnp(s, c);
	at = pop_cc(s, c);
	ops->timer(s, c);
	after_cut = (double)c->rate_bps;
	assert_true(after_cut < before);
	/*
	 * the CNP at t0 + 46.5 us is cut at the next 4 us boundary since the
	 * first CNP, t0 + 48 us; the firing armed before it, at + 37.5 us =
	 * t0 + 83 us, is a stale copy now: nothing happens; the timer then
	 * fires 37.5 us after the cut
	 */
	assert_int_equal(at, t0 + 48 * US);
	assert_int_equal(pop_cc(s, c), t0 + 8 * US + 2 * TIMER_PS);
	ops->timer(s, c);
	assert_true((double)c->rate_bps == after_cut);
	assert_int_equal(pop_cc(s, c), at + TIMER_PS);
	ops->timer(s, c);
	assert_true(fabs(2 * (double)c->rate_bps - after_cut - before) < 4);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * The byte counter: connectx scales rpg_byte_reset by line / 25 G (32767 B
 * -> 1048544 B at 800G), connectx-unscaled keeps 32767 B. 32767 B sent
 * after the first cut is a fast-recovery event for the unscaled set only:
 * rate (408.14 G + 800 G) / 2 = 604.07 G.
 */
static void test_dcqcn_byte_counter(void **state)
{
	struct sim_topo *t = fabric();
	struct sim *s;
	double r;

	(void)state;
	s = dcqcn_sim(t, SIM_DCQCN_CONNECTX_UNSCALED, 0);
	r = first_cut(s, &s->conns[0], 10 * US);
	sim_cc_of(s)->on_sent(s, &s->conns[0], 32767);
	assert_true(fabs((double)s->conns[0].rate_bps - (r + LINE_BPS) / 2) < 2);
	sim_destroy(s);
	s = dcqcn_sim(t, SIM_DCQCN_CONNECTX, 0);
	r = first_cut(s, &s->conns[0], 10 * US);
	sim_cc_of(s)->on_sent(s, &s->conns[0], 32767);
	sim_cc_of(s)->on_sent(s, &s->conns[0], 1048544 - 32767 - 1);
	assert_true(fabs((double)s->conns[0].rate_bps - r) < 2);
	sim_cc_of(s)->on_sent(s, &s->conns[0], 1);
	assert_true(fabs((double)s->conns[0].rate_bps - (r + LINE_BPS) / 2) < 2);
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dcqcn_set_names),
		cmocka_unit_test(test_dcqcn_cnp_spacing),
		cmocka_unit_test(test_dcqcn_idle_recovery),
		cmocka_unit_test(test_dcqcn_clamp),
		cmocka_unit_test(test_dcqcn_byte_counter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
