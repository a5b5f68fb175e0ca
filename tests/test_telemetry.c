/*
 * Telemetry congestion control (cc/telemetry.c, HPCC after Li et al.
 * SIGCOMM 2019) against values derived by hand from HPCC's equations:
 * per-tier feedback that survives adaptive routing, the W_AI / maxStage
 * window sequence, an isolated flow held at eta of the wire rate, two
 * flows sharing a bottleneck fairly, and 1, 2 or 4 QPs on one link.
 *
 * Notation: B the line rate (800 Gb/s), T the base RTT, eta 0.95; a window
 * W (wire bytes per T) paces at W x 8 / T.
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

/* 2 leaves x 2 hosts, 2 spines, all 800G: h0 -> h2 crosses leaf0, a spine, leaf1. */
static struct sim_topo *small_fabric(void)
{
	return sim_topo_load_string("switch = { latency_ns = 600; buffer_mb = 64; };\n"
				    "fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = 2; spines = 2;\n"
				    "  host_rate = \"800G\"; fabric_rate = \"800G\"; cable_m = 2.0; };\n",
				    "tele.topo");
}

/* A telemetry run with one flow h0 -> h2 at 1 ms, stopped at 1 ps: the test drives on_ack by hand. */
static struct sim *hand_sim(struct sim_topo *t, uint64_t wai_bps)
{
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.cc = SIM_CC_TELEMETRY;
	cfg.tele_wai_bps = wai_bps;
	cfg.stop_ps = 1;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 2, 1 << 20, 1000000000ULL) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->nconns, 1);
	assert_int_equal(s->conns[0].rate_bps, LINE_BPS);
	return s;
}

/*
 * An ACK echoing one hop: PORT at TS_PS, its own tx rate RATE_BPS, an
 * empty queue. A fresh INT record each time: S's pool takes them back when
 * S is destroyed.
 */
static void ack_hop(struct sim *s, struct sim_pkt *ack, uint32_t port, uint64_t rate_bps, uint64_t ts_ps)
{
	struct sim_int_hop *h;

	memset(ack, 0, sizeof(*ack));
	ack->kind = SIM_PKT_ACK;
	ack->nhops = 1;
	assert_int_equal(sim_pkt_take_int(s, ack), 0);
	h = sim_pkt_hops(s, ack);
	memset(h, 0, sizeof(*h));
	h[0].port = port;
	h[0].tx_rate_bps = rate_bps;
	h[0].ts_ps = ts_ps;
}

static void expect_rate(const struct sim_conn *c, double bps)
{
	assert_true(fabs((double)c->rate_bps - bps) <= 1e-6 * bps + 1);
}

/*
 * Adaptive routing: two leaf uplinks (ports P and P + 1) of the same tier.
 * ACK 1 (port P) only records the tier's time. ACK 2 came through P + 1,
 * one T later, and says that port sent at B: U = txRate / B = 1 with the
 * EWMA weight tau / T = 1, U >= eta, so W = Wc / (U / eta) + W_AI with
 * Wc = B T: the rate is 0.95 B + W_AI = 760 + 0.32 = 760.32 Gb/s (W_AI's
 * default, B / 2500). Before, a changed port gave no sample at all.
 */
static void test_tele_per_tier_ar(void **state)
{
	struct sim_topo *t = small_fabric();
	struct sim *s = hand_sim(t, 0);
	struct sim_conn *c = &s->conns[0];
	uint64_t T = s->base_rtt_ps, ts = 1000000;
	uint32_t port = c->port;
	struct sim_pkt ack;

	(void)state;
	s->eng.q.now_ps = 50000000;
	ack_hop(s, &ack, port, LINE_BPS, ts);
	sim_cc_of(s)->on_ack(s, c, &ack);
	assert_int_equal(c->rate_bps, LINE_BPS);
	s->eng.q.now_ps += T;
	ack_hop(s, &ack, port + 1, LINE_BPS, ts + T);
	sim_cc_of(s)->on_ack(s, c, &ack);
	expect_rate(c, 0.95 * 800e9 + 800e9 / 2500);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * W_AI = 1 Gb/s (--tele-wai 1G), maxStage 5. ACK 2 reports the link full
 * (as above): MI, rate 0.95 B + 1G = 761 Gb/s, stage 0, Wc updated. Then
 * each ACK a base RTT apart reports the link idle (U = 0 < eta): additive
 * steps W = Wc + W_AI give 762, 763, 764, 765, 766 Gb/s with stages 1..5;
 * the next, at stage 5 = maxStage, is multiplicative: Wc / (U / eta) with
 * U = 0 is unbounded, so W = B T: line rate.
 */
static void test_tele_wai_max_stage(void **state)
{
	struct sim_topo *t = small_fabric();
	struct sim *s = hand_sim(t, 1000000000ULL);
	struct sim_conn *c = &s->conns[0];
	uint64_t T = s->base_rtt_ps, ts = 1000000;
	uint32_t port = c->port;
	struct sim_pkt ack;

	(void)state;
	assert_int_equal(s->cfg.tele_max_stage, 5);
	s->eng.q.now_ps = 50000000;
	ack_hop(s, &ack, port, LINE_BPS, ts);
	sim_cc_of(s)->on_ack(s, c, &ack);
	s->eng.q.now_ps += T;
	ts += T;
	ack_hop(s, &ack, port, LINE_BPS, ts);
	sim_cc_of(s)->on_ack(s, c, &ack);
	expect_rate(c, 761e9);
	for (int k = 2; k <= 6; k++) {
		s->eng.q.now_ps += T;
		ts += T;
		ack_hop(s, &ack, port + (k & 1), 0, ts);
		sim_cc_of(s)->on_ack(s, c, &ack);
		expect_rate(c, 760e9 + k * 1e9);
	}
	s->eng.q.now_ps += T;
	ts += T;
	ack_hop(s, &ack, port, 0, ts);
	sim_cc_of(s)->on_ack(s, c, &ack);
	assert_int_equal(c->rate_bps, LINE_BPS);
	sim_destroy(s);
	sim_topo_free(t);
}

/* One run of FLOWS flows of BYTES to h2 (sources h0, h1), QPS QPs each; payload throughput of each. */
static void run_flows(struct sim_topo *t, unsigned nflows, uint32_t qps, uint64_t bytes, double *frac)
{
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.cc = SIM_CC_TELEMETRY;
	cfg.qps_per_flow = qps;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	for (unsigned i = 0; i < nflows; i++)
		assert_true(sim_add_flow(s, i, 2, bytes, 0) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, nflows);
	/*
	 * INT records: taken at the first stamp, handed to the ACK, returned
	 * with it; each is held by a live packet (sim_check counts them), so
	 * no more were ever made than packets, and only the last ACKs, still
	 * on their way when the flows finished, hold any.
	 */
	assert_int_equal(sim_check(s, NULL, 0), 0);
	assert_true(s->ints.used > 1);
	assert_true(s->ints.used - 1 <= s->pkts.allocated);
	assert_true(s->ints.taken <= s->pkts.allocated - sim_pool_count_free(&s->pkts, s->pkts.allocated));
	for (unsigned i = 0; i < nflows; i++)
		frac[i] = (double)bytes * 8 / ((double)(s->flows[i].finish_ps - s->flows[i].start_ps) * 1e-12 *
					       (double)LINE_BPS);
	sim_destroy(s);
}

/*
 * Alone on an idle path the flow's first hop (leaf0's uplink) is its
 * bottleneck: HPCC holds it at U = eta of the wire rate, i.e. W_AI aside
 * (0.04% of B), 0.95 B of wire bytes. A 4096-byte payload travels in
 * 4096 + 62 (Ethernet, IPv4, UDP, BTH, ICRC, FCS) + 20 (preamble, IFG) =
 * 4178 wire bytes, so the payload rate is 0.95 x 4096 / 4178 = 93.14% of
 * line. 16 MiB takes ~180 us (~40 RTTs); the first RTTs at line rate
 * raise the average by a few tenths of a percent: within 1%.
 */
static void test_tele_isolated_eta(void **state)
{
	struct sim_topo *t = small_fabric();
	double frac, want = 0.95 * 4096.0 / (4096 + SIM_ROCE_OVERHEAD + SIM_PREAMBLE_IFG);

	(void)state;
	assert_int_equal(t->mtu_bytes, 4096);
	run_flows(t, 1, 1, 16 << 20, &frac);
	print_message("isolated flow: %.4f of line, eta x payload fraction %.4f\n", frac, want);
	assert_true(fabs(frac - want) <= 0.01 * want);
	sim_topo_free(t);
}

/*
 * h0 -> h2 and h1 -> h2 share leaf1's port to h2. HPCC scales both windows
 * by eta / U and adds the same W_AI, so they converge to eta / 2 each:
 * payload 0.4657 of line. Both start together with equal windows, so they
 * are fair from the start; each within 10% of the fair share, and their
 * sum (the bottleneck's payload) within 3% of eta x 4096 / 4178.
 */
static void test_tele_two_flows_fair(void **state)
{
	struct sim_topo *t = small_fabric();
	double f[2], fair = 0.95 * 4096.0 / (4096 + SIM_ROCE_OVERHEAD + SIM_PREAMBLE_IFG) / 2;

	(void)state;
	run_flows(t, 2, 1, 16 << 20, f);
	print_message("two flows: %.4f %.4f of line, fair share %.4f\n", f[0], f[1], fair);
	for (int i = 0; i < 2; i++)
		assert_true(fabs(f[i] - fair) <= 0.10 * fair);
	assert_true(fabs(f[0] + f[1] - 2 * fair) <= 0.03 * 2 * fair);
	sim_topo_free(t);
}

/*
 * 1, 2 and 4 QPs carry one flow on one link: the QPs of a host pair share
 * one control, so the link is held at eta whatever the count, and the
 * flow's throughput stays within 2% of the 1-QP figure.
 */
static void test_tele_qps(void **state)
{
	struct sim_topo *t = small_fabric();
	double one, f;

	(void)state;
	run_flows(t, 1, 1, 16 << 20, &one);
	for (uint32_t q = 2; q <= 4; q *= 2) {
		run_flows(t, 1, q, 16 << 20, &f);
		print_message("%u QPs: %.4f of line (1 QP: %.4f)\n", q, f, one);
		assert_true(fabs(f - one) <= 0.02 * one);
	}
	sim_topo_free(t);
}

/* An explicit chain of N switches s0 .. sN-1, one host at each end. */
static struct sim_topo *chain(unsigned int n)
{
	char text[2048];
	int len;

	len = snprintf(text, sizeof(text), "fabric = { kind = \"explicit\"; host_rate = \"800G\"; "
		       "fabric_rate = \"800G\"; cable_m = 2.0;\n nodes = ( { name = \"a\"; kind = \"host\"; }, "
		       "{ name = \"b\"; kind = \"host\"; }");
	for (unsigned int i = 0; i < n; i++)
		len += snprintf(text + len, sizeof(text) - len, ", { name = \"s%u\"; kind = \"switch\"; }", i);
	len += snprintf(text + len, sizeof(text) - len, " );\n links = ( ( \"a\", \"s0\" ), ( \"b\", \"s%u\" )",
			n - 1);
	for (unsigned int i = 1; i < n; i++)
		len += snprintf(text + len, sizeof(text) - len, ", ( \"s%u\", \"s%u\" )", i - 1, i);
	snprintf(text + len, sizeof(text) - len, " ); };\n");
	return sim_topo_load_string(text, "chain.topo");
}

/*
 * INT records hold as many hops as a path has switches: leaf, spine, leaf
 * (3) in a leaf-spine; leaf, agg, core, agg, leaf (5) in a 3-tier fat-tree;
 * every switch of an explicit chain (4), capped at SIM_MAX_HOPS (a chain
 * of 10). A telemetry run sizes its records so; a run without one keeps
 * the cap (and takes none).
 */
static void test_int_hops_max(void **state)
{
	struct sim_topo *t = small_fabric(), *ft, *c4, *c10;
	struct sim_config cfg;
	struct sim *s;

	(void)state;
	ft = sim_topo_load_string("switch = { latency_ns = 600; buffer_mb = 64; };\n"
				  "fabric = { kind = \"fattree\"; pods = 2; leaves_per_pod = 2; aggs_per_pod = 2;\n"
				  "  cores_per_group = 2; hosts_per_leaf = 2; host_rate = \"800G\"; fabric_rate = \"800G\";\n"
				  "  cable_m = 2.0; };\n", "ft.topo");
	c4 = chain(4);
	c10 = chain(10);
	assert_non_null(ft);
	assert_non_null(c4);
	assert_non_null(c10);
	assert_int_equal(sim_int_hops_max(t), 3);
	assert_int_equal(sim_int_hops_max(ft), 5);
	assert_int_equal(sim_int_hops_max(c4), 4);
	assert_int_equal(sim_int_hops_max(c10), SIM_MAX_HOPS);
	s = hand_sim(t, 0);
	assert_int_equal(s->int_hops, 3);
	assert_int_equal(s->ints.obj_bytes, 3 * sizeof(struct sim_int_hop));
	sim_destroy(s);
	/* a flow across the chain stamps all 4 switches into records of 4 */
	sim_config_defaults(&cfg);
	cfg.cc = SIM_CC_TELEMETRY;
	s = sim_create(c4, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 1, 256 << 10, 0) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 1);
	assert_int_equal(s->int_hops, 4);
	sim_destroy(s);
	sim_topo_free(c10);
	sim_topo_free(c4);
	sim_topo_free(ft);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_hops_max),
		cmocka_unit_test(test_tele_per_tier_ar),
		cmocka_unit_test(test_tele_wai_max_stage),
		cmocka_unit_test(test_tele_isolated_eta),
		cmocka_unit_test(test_tele_two_flows_fair),
		cmocka_unit_test(test_tele_qps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
