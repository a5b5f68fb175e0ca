/*
 * Simulator behaviour against values derived by hand: line rate minus
 * RoCEv2 header overhead, the latency of one packet, fair sharing of one
 * link, ECMP as balls into bins, ECMP vs adaptive routing on a permutation,
 * and determinism.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"
#include "sim/results/stats.h"
#include "sim/traffic/workload.h"

#define LAT_PS 600000ULL	/* switch latency, 600 ns */
#define CABLE_PS 10000ULL	/* 2 m at 5 ns/m */

/* A 2-tier 800G leaf-spine with LEAVES x HPL hosts and SPINES spines. */
static struct sim_topo *leafspine(unsigned leaves, unsigned hpl, unsigned spines, const char *fabric_rate)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "name = \"t\";\n"
		 "switch = { latency_ns = 600; buffer_mb = 64; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = %u; hosts_per_leaf = %u; spines = %u;\n"
		 "  host_rate = \"800G\"; fabric_rate = \"%s\"; cable_m = 2.0; };\n",
		 leaves, hpl, spines, fabric_rate);
	return sim_topo_load_string(text, "test.topo");
}

static struct sim *mksim(struct sim_topo *t, enum sim_lb lb, uint64_t seed)
{
	struct sim_config cfg;

	sim_config_defaults(&cfg);
	cfg.lb = lb;
	cfg.seed = seed;
	return sim_create(t, &cfg);
}

static uint64_t ser(uint64_t payload)
{
	return sim_ser_ps(sim_wire_bytes((uint32_t)payload, SIM_PKT_DATA), 800000000000ULL);
}

static void test_wire_overhead(void **state)
{
	(void)state;
	/* 14 Eth + 20 IPv4 + 8 UDP + 12 BTH + 4 ICRC + 4 FCS + 20 preamble/IFG */
	assert_int_equal(sim_wire_bytes(4096, SIM_PKT_DATA), 4096 + 82);
	/* 4178 bytes at 800 Gb/s: 41.78 ns */
	assert_int_equal(ser(4096), 41780);
	/* ACK: headers + AETH, above the 64-byte minimum frame */
	assert_int_equal(sim_wire_bytes(0, SIM_PKT_ACK), 66 + 20);
}

/* One packet, same leaf: NIC serialization, cable, switch, serialization, cable. */
static void test_one_packet_latency(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 1, "800G");
	struct sim *s;

	(void)state;
	assert_non_null(t);
	s = mksim(t, SIM_LB_ECMP, 1);
	assert_int_equal(sim_add_flow(s, 0, 1, 1000, 0), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows[0].finish_ps, 2 * ser(1000) + 2 * CABLE_PS + LAT_PS);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * One flow across the spine on an idle fabric: packets leave the NIC back
 * to back, so FCT = n x T + 3 (T + latency) + 4 cables, and throughput is
 * the line rate times 4096/4178.
 */
static void test_single_flow_line_rate(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 1, "800G");
	const uint64_t n = 2048, bytes = n * 4096;
	struct sim_config cfg;
	struct sim *s;
	double gbps;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.window_bytes = 64 << 20;
	s = sim_create(t, &cfg);
	assert_int_equal(sim_add_flow(s, 0, 2, bytes, 0), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows[0].finish_ps, n * ser(4096) + 3 * (ser(4096) + LAT_PS) + 4 * CABLE_PS);
	gbps = (double)bytes * 8 / ((double)n * ser(4096) * 1e-12) / 1e9;
	assert_true(fabs(gbps - 800.0 * 4096 / 4178) < 1e-6);
	sim_destroy(s);

	/* the default window (one BDP plus coalesced ACKs) keeps the pipe full */
	s = mksim(t, SIM_LB_ECMP, 1);
	sim_add_flow(s, 0, 2, bytes, 0);
	sim_run(s);
	assert_true((double)s->flows[0].finish_ps <
		    1.01 * (double)(n * ser(4096) + 3 * (ser(4096) + LAT_PS) + 4 * CABLE_PS));
	sim_destroy(s);
	sim_topo_free(t);
}

/* Two flows, one 800G uplink: each gets half, both finish near 2 x alone. */
static void test_fair_share(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 1, "800G");
	const uint64_t bytes = 16 << 20;
	double alone = (double)(bytes / 4096) * ser(4096), f0, f1;
	struct sim *s;

	(void)state;
	s = mksim(t, SIM_LB_ECMP, 1);
	sim_add_flow(s, 0, 2, bytes, 0);
	sim_add_flow(s, 1, 3, bytes, 0);
	assert_int_equal(sim_run(s), 0);
	f0 = (double)s->flows[0].finish_ps;
	f1 = (double)s->flows[1].finish_ps;
	assert_true(fabs(f0 / (2 * alone) - 1) < 0.02);
	assert_true(fabs(f1 / (2 * alone) - 1) < 0.02);
	assert_int_equal(s->c.drops, 0);
	/* every 4 KiB packet of both flows placed once: 2 x 16 MiB / 4096 */
	assert_int_equal(s->c.data_placed, 2 * bytes / 4096);
	/* no CC that reads INT: no packet took an INT record */
	assert_int_equal(s->ints.used, 1);
	sim_destroy(s);
	sim_topo_free(t);
}

/* Leaf 0's uplinks that carried data. */
static unsigned uplinks_used(const struct sim *s, unsigned leaf_node)
{
	const struct sim_node *n = &s->topo->nodes[leaf_node];
	unsigned used = 0;

	for (unsigned i = n->ndown; i < n->nports; i++)
		used += s->pq[n->first_port + i].tx_payload_bytes > 0;
	return used;
}

/* n flows hashed onto n uplinks use 1 - (1 - 1/n)^n of them on average. */
static void test_ecmp_balls_into_bins(void **state)
{
	const unsigned n = 8, runs = 300;
	struct sim_topo *t = leafspine(2, n, n, "800G");
	double mean = 0, expect = 1 - pow(1 - 1.0 / n, n), sd;

	(void)state;
	for (unsigned seed = 1; seed <= runs; seed++) {
		struct sim *s = mksim(t, SIM_LB_ECMP, seed);

		for (unsigned i = 0; i < n; i++)
			sim_add_flow(s, i, n + i, 8192, 0);
		assert_int_equal(sim_run(s), 0);
		mean += (double)uplinks_used(s, t->hosts[0] == 0 ? sim_topo_host_leaf(t, 0, 0) : 0) / n;
		sim_destroy(s);
	}
	mean /= runs;
	/* std. error of the mean of a fraction with per-run sd below 0.15 */
	sd = 0.15 / sqrt(runs);
	assert_true(fabs(mean - expect) < 4 * sd);
	sim_topo_free(t);
}

/* Cores (tier 3) that forwarded any data. */
static unsigned cores_used(const struct sim *s)
{
	const struct sim_topo *t = s->topo;
	unsigned used = 0;

	for (uint32_t i = 0; i < t->nswitches; i++) {
		const struct sim_node *n = &t->nodes[t->switches[i]];
		uint64_t b = 0;

		if (n->tier != 3)
			continue;
		for (unsigned k = 0; k < n->nports; k++)
			b += s->pq[n->first_port + k].tx_payload_bytes;
		used += b > 0;
	}
	return used;
}

/*
 * 3-tier: 64 flows from pod 0 to pod 1 over 4 aggs x 4 cores. With one hash
 * seed everywhere, the agg picks the same index the leaf did: only core j
 * of group j ever carries data, 4 of 16. Per-switch seeds spread them.
 */
static void test_ecmp_polarization(void **state)
{
	const char *text =
		"switch = { latency_ns = 600; buffer_mb = 64; };\n"
		"fabric = { kind = \"fattree\"; pods = 2; leaves_per_pod = 2; hosts_per_leaf = 32;\n"
		"  aggs_per_pod = 4; cores_per_group = 4; host_rate = \"800G\"; cable_m = 2.0; };\n";
	struct sim_topo *t = sim_topo_load_string(text, "fattree.topo");
	unsigned same, per_switch;

	(void)state;
	assert_non_null(t);
	for (int polarize = 0; polarize < 2; polarize++) {
		struct sim_config cfg;
		struct sim *s;

		sim_config_defaults(&cfg);
		cfg.ecmp_same_seed = polarize;
		s = sim_create(t, &cfg);
		for (unsigned i = 0; i < 64; i++)
			sim_add_flow(s, i, 64 + i, 16384, 0);
		assert_int_equal(sim_run(s), 0);
		if (polarize)
			same = cores_used(s);
		else
			per_switch = cores_used(s);
		sim_destroy(s);
	}
	print_message("cores used: %u of 16 with per-switch seeds, %u with one seed\n", per_switch, same);
	assert_int_equal(same, 4);
	/* 64 balls into 16 bins leave on average 16 x (15/16)^64 = 0.26 empty */
	assert_true(per_switch >= 14);
	sim_topo_free(t);
}

static double permutation(struct sim_topo *t, enum sim_lb lb, uint64_t seed, struct sim_counters *c)
{
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 8 << 20, .seed = seed };
	struct sim_results r;
	struct sim *s = mksim(t, lb, seed);

	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	sim_results_compute(s, &r);
	if (c)
		*c = s->c;
	sim_destroy(s);
	return r.effective_throughput;
}

/* The vendors' claim on a non-blocking fabric: ECMP collides, AR does not. */
static void test_permutation_ecmp_vs_ar(void **state)
{
	struct sim_topo *t = leafspine(8, 16, 16, "800G");
	struct sim_counters c;
	double ecmp, ar;

	(void)state;
	ecmp = permutation(t, SIM_LB_ECMP, 1, NULL);
	ar = permutation(t, SIM_LB_AR, 1, &c);
	print_message("permutation 128 hosts: ecmp %.3f, ar %.3f\n", ecmp, ar);
	assert_true(ecmp < 0.70);
	assert_true(ar >= 0.90);
	/* per-packet adaptive routing reorders; placement absorbs it */
	assert_true(c.ooo_pkts > 0);
	assert_int_equal(c.drops, 0);
	sim_topo_free(t);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void run_to(struct sim_topo *t, uint64_t seed, const char *dir)
{
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 1 << 20, .seed = seed };
	struct sim_results r;
	struct sim *s = mksim(t, SIM_LB_SPRAY, seed);
	char err[4608];

	sim_workload_add(s, &w, NULL, 0);
	sim_run(s);
	sim_results_compute(s, &r);
	assert_int_equal(sim_results_write(s, &r, dir, "test", err, sizeof(err)), 0);
	sim_destroy(s);
}

static void test_deterministic(void **state)
{
	struct sim_topo *t = leafspine(4, 8, 4, "800G");
	const char *files[] = { "flows.csv", "links.csv" };
	char a[256], b[256], c[256];

	(void)state;
	run_to(t, 7, "build/test-det-a");
	run_to(t, 7, "build/test-det-b");
	run_to(t, 8, "build/test-det-c");
	for (int i = 0; i < 2; i++) {
		char *x, *y, *z;

		snprintf(a, sizeof(a), "build/test-det-a/%s", files[i]);
		snprintf(b, sizeof(b), "build/test-det-b/%s", files[i]);
		snprintf(c, sizeof(c), "build/test-det-c/%s", files[i]);
		x = slurp(a);
		y = slurp(b);
		z = slurp(c);
		assert_non_null(x);
		assert_non_null(y);
		assert_non_null(z);
		assert_string_equal(x, y);
		/* and the seed matters: spraying differs */
		if (i == 1)
			assert_true(strcmp(x, z) != 0);
		free(x);
		free(y);
		free(z);
	}
	sim_topo_free(t);
}

/* sim_config_check refuses CFG on T with -EINVAL and a message holding WHAT; sim_create too. */
/*
 * The run drains: a 4:1 incast under DCQCN (CNPs, so rate timers run)
 * goes on after the last finish until nothing is left to happen, every
 * timer having died out (the increase timer once back at line rate, RTO
 * timers of idle QPs, ACK timers, PFC refreshes); its end for the outputs
 * is the last finish, not the clock. Stopped halfway, the end is the
 * stop time.
 */
static void test_drain_end(void **state)
{
	struct sim_topo *t = leafspine(2, 4, 2, "800G");
	struct sim_config cfg;
	struct sim *s;
	uint64_t last = 0;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.cc = SIM_CC_DCQCN;
	s = sim_create(t, &cfg);
	for (uint32_t i = 1; i <= 4; i++)
		assert_true(sim_add_flow(s, i, 0, 1 << 20, 0) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 4);
	assert_true(s->c.cnps > 0);
	for (uint32_t i = 0; i < 4; i++)
		last = s->flows[i].finish_ps > last ? s->flows[i].finish_ps : last;
	assert_int_equal(s->end_ps, last);
	assert_int_equal(s->eng.q.n, 0);
	assert_true(sim_now(s) > s->end_ps);
	assert_false(s->stalled);
	sim_destroy(s);

	cfg.stop_ps = last / 2;
	s = sim_create(t, &cfg);
	for (uint32_t i = 1; i <= 4; i++)
		assert_true(sim_add_flow(s, i, 0, 1 << 20, 0) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->end_ps, last / 2);
	assert_true(s->flows_done < 4);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * The window's byte counts take every placement of their instant: flow A
 * (h0 -> h1) and flow B (h2 -> h3, started one 4 KiB frame time later)
 * cross one leaf on equal paths, so A's second packet and B's first are
 * placed at the same instant, the mark (the last first byte): mark_bytes
 * is 3 packets whichever of the two ran first. A finishes first, when B
 * has placed all but its last packet: 8 + 7 packets.
 */
static void test_mark_same_time(void **state)
{
	struct sim_topo *t = leafspine(2, 4, 2, "800G");
	struct sim *s = mksim(t, SIM_LB_ECMP, 1);

	(void)state;
	assert_true(sim_add_flow(s, 0, 1, 8 * 4096, 0) >= 0);
	assert_true(sim_add_flow(s, 2, 3, 8 * 4096, ser(4096)) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 2);
	assert_int_equal(s->flows[1].finish_ps - s->flows[0].finish_ps, ser(4096));
	assert_int_equal(s->first_finish_ps, s->flows[0].finish_ps);
	assert_int_equal(s->first_finish_ps - s->mark_ps, 6 * ser(4096));
	assert_int_equal(s->mark_bytes, 3 * 4096);
	assert_int_equal(s->first_finish_bytes, 15 * 4096);
	sim_destroy(s);
	sim_topo_free(t);
}

static void refused(struct sim_topo *t, const struct sim_config *cfg, const char *what)
{
	char err[512];

	assert_int_equal(sim_config_check(t, cfg, err, sizeof(err)), -EINVAL);
	if (!strstr(err, what))
		fail_msg("expected \"%s\" in \"%s\"", what, err);
	assert_null(sim_create(t, cfg));
}

static struct sim_topo *topo_text(const char *buffer_mb, const char *host_rate)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "switch = { latency_ns = 600; buffer_mb = %s; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = 2; spines = 1;\n"
		 "  host_rate = \"%s\"; fabric_rate = \"800G\"; cable_m = 2.0; };\n", buffer_mb, host_rate);
	return sim_topo_load_string(text, "check.topo");
}

/*
 * What used to hang, run forever or drop while promising lossless is
 * refused before anything is allocated. On leafspine(2, 2, 1) the base RTT
 * is 3,850,560 ps (test_arith). A leaf has 3 ports; each needs, with PFC,
 * 99,834 B of headroom (2 x 1,000 cable + 60,000 pipeline + 3 x 4,178 +
 * 84 + 25,216 of upstream reaction), a 150 B control frame and, with the
 * dynamic XOFF, a 4,178 B frame of shared pool: 3 x 104,162 = 312,486 B.
 */
static void test_config_check(void **state)
{
	struct sim_topo *t = leafspine(2, 2, 1, "800G"), *z, *slow, *one;
	struct sim_config cfg;
	char err[512];

	(void)state;
	assert_non_null(t);
	sim_config_defaults(&cfg);
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	/* --window 8T: 2^31 packets; the bitmap sizing loop never ended */
	cfg.window_bytes = 8ULL << 40;
	refused(t, &cfg, "--window 8796093022208 B (8.0 TiB) is 2147483649 packets");
	cfg.window_bytes = (uint64_t)SIM_MAX_WINDOW_PKTS * 4096 - 4096;	/* 2^23 - 1 + 1 packets: the limit */
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), 0);
	sim_config_defaults(&cfg);
	/* --ack-every 2147483647 inflated the default window the same way */
	cfg.ack_every = 2147483647;
	refused(t, &cfg, "--ack-every 2147483647 is outside 1..65536");
	sim_config_defaults(&cfg);

	/* buffers: --buffer 1 with and without PFC, and just at the PFC minimum */
	cfg.buffer_bytes = 1;
	refused(t, &cfg, "at least 312486 B (305.2 KiB) in all; raise --buffer or use --no-pfc");
	cfg.buffer_bytes = 312485;
	refused(t, &cfg, "cannot keep PFC lossless");
	cfg.buffer_bytes = 312486;
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), 0);
	cfg.pfc = 0;
	cfg.buffer_bytes = 1;
	/* lossy: a 4,178 B frame for each of a leaf's 3 ports, 12,534 B */
	refused(t, &cfg, "below the 12534 B (12.2 KiB) switch leaf0 needs");
	cfg.buffer_bytes = 12534;
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), 0);
	cfg.buffer_alpha = 0.0001;	/* admits 1.25 B of 12,534 */
	refused(t, &cfg, "--alpha 0.0001");
	sim_config_defaults(&cfg);

	/* PFC thresholds that cannot hold what the cable delivers */
	cfg.pfc_headroom_bytes = 99833;
	refused(t, &cfg, "--pfc-headroom 99833 B (97.5 KiB) is below the 99834 B");
	cfg.pfc_headroom_bytes = 99834;
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), 0);
	cfg.pfc_xoff_bytes = 100000;
	cfg.pfc_xon_bytes = 100001;
	refused(t, &cfg, "--pfc-xon 100001 B");
	sim_config_defaults(&cfg);

	/* --rto 1ps --no-pfc retransmitted forever; the RTT itself is allowed */
	cfg.pfc = 0;
	cfg.rto_ps = 1;
	refused(t, &cfg, "--rto 1 ps is below the fabric's base RTT of 3.851 us");
	cfg.rto_ps = 3850559;
	refused(t, &cfg, "--rto");
	cfg.rto_ps = 3850560;
	assert_int_equal(sim_config_check(t, &cfg, err, sizeof(err)), 0);
	sim_config_defaults(&cfg);

	/* NaN passes naive range checks */
	cfg.buffer_alpha = NAN;
	refused(t, &cfg, "--alpha nan");
	sim_config_defaults(&cfg);
	cfg.ecn_pmax = NAN;
	refused(t, &cfg, "--ecn-pmax nan");
	sim_config_defaults(&cfg);
	cfg.tele_eta = 0;
	refused(t, &cfg, "--eta 0");
	sim_config_defaults(&cfg);
	cfg.stop_ps = UINT64_MAX;
	refused(t, &cfg, "--stop");
	sim_config_defaults(&cfg);

	/* the topology's own buffer of 0 and a 1 b/s host rate, however the
	 * topology was made (the parser may refuse them itself) */
	z = topo_text("64", "800G");
	assert_non_null(z);
	z->sw.buffer_bytes = 0;
	refused(z, &cfg, "the 0 B switch buffer (--buffer, or the topology's buffer_mb)");
	slow = topo_text("64", "800G");
	assert_non_null(slow);
	slow->ports[slow->nodes[slow->hosts[1]].first_port].rate_bps = 1;
	refused(slow, &cfg, "link h1:leaf0 runs at 1 b/s, below the model's minimum of 1000000 b/s");
	one = sim_topo_load_string("fabric = { kind = \"leafspine\"; leaves = 1; hosts_per_leaf = 1; spines = 0;\n"
				   "  host_rate = \"800G\"; };\n",
				   "one.topo");
	assert_non_null(one);
	refused(one, &cfg, "has 1 host; a run needs at least 2");
	sim_topo_free(one);
	sim_topo_free(slow);
	sim_topo_free(z);
	sim_topo_free(t);
}

/* The shipped presets run with the defaults. */
static void test_config_presets(void **state)
{
	const char *presets[] = { "small-800g", "railopt-demo", "railopt-8gpu", "sn5600-2tier",
				  "leafspine-oversub", "softroce-vm", "tiny-explicit" };
	struct sim_config cfg;
	char path[128], err[512];

	(void)state;
	sim_config_defaults(&cfg);
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		struct sim_topo *t;

		snprintf(path, sizeof(path), "topologies/%s.topo", presets[i]);
		t = sim_topo_load(path);
		assert_non_null(t);
		if (sim_config_check(t, &cfg, err, sizeof(err)))
			fail_msg("%s: %s", path, err);
		sim_topo_free(t);
	}
}

static void expect_broken(struct sim *s, const char *what)
{
	char err[256];

	assert_int_equal(sim_check(s, err, sizeof(err)), -EPROTO);
	if (!strstr(err, what))
		fail_msg("expected \"%s\" in \"%s\"", what, err);
}

/*
 * sim_check holds after a run and catches each kind of broken accounting.
 * A permutation stopped at 5 us leaves packets queued and in flight.
 */
static void test_sim_check(void **state)
{
	struct sim_topo *t = leafspine(2, 4, 2, "800G");
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 1 << 20, .seed = 3 };
	struct sim_config cfg;
	struct sim *s;
	char err[256];
	uint32_t port = SIM_NONE;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.stop_ps = 5000000;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(sim_check(s, err, sizeof(err)), 0);
	assert_string_equal(sim_error(s), "");
	for (uint32_t i = 0; i < t->nports && port == SIM_NONE; i++)
		if (s->pq[i].head[SIM_PRIO_DATA] && t->nodes[t->ports[i].node].kind == SIM_NODE_SWITCH)
			port = i;
	assert_true(port != SIM_NONE);	/* something is queued in a switch at 5 us */

	s->pq[port].qbytes[SIM_PRIO_DATA]++;
	expect_broken(s, "priority 1 queue holds");
	s->pq[port].qbytes[SIM_PRIO_DATA]--;
	s->sw_used_bytes[t->nodes[t->ports[port].node].index] += 7;
	expect_broken(s, "buffer occupancy is");
	s->sw_used_bytes[t->nodes[t->ports[port].node].index] -= 7;
	s->pq[s->pq[port].head[SIM_PRIO_DATA]->in_port].ingress_bytes += 1;
	expect_broken(s, "its ingress ports count");
	s->pq[s->pq[port].head[SIM_PRIO_DATA]->in_port].ingress_bytes -= 1;
	s->pkts.allocated++;
	expect_broken(s, "packets allocated but");
	s->pkts.allocated--;
	s->port_load[port] += 1;
	expect_broken(s, "adaptive routing sees a load of");
	s->port_load[port] -= 1;
	s->ints.taken++;
	expect_broken(s, "INT records taken but live packets hold 0");
	s->ints.taken--;
	s->c.delivered_bytes += 4096;
	expect_broken(s, "the run counts");
	s->c.delivered_bytes -= 4096;
	s->flows[0].rx_bytes = s->flows[0].bytes + 1;
	expect_broken(s, "flow 0 received");
	s->flows[0].rx_bytes = 0;
	s->c.delivered_bytes = 0;
	for (uint32_t i = 0; i < s->nflows; i++)
		s->c.delivered_bytes += s->flows[i].rx_bytes;
	s->conns[0].inflight_bytes += 1;
	expect_broken(s, "connection 0 counts");
	s->conns[0].inflight_bytes -= 1;
	assert_int_equal(sim_check(s, err, sizeof(err)), 0);

	/* a resumed run that finds its accounting broken fails, and says why */
	s->pq[port].qbytes[SIM_PRIO_DATA] += 3;
	s->cfg.stop_ps = 6000000;
	assert_int_equal(sim_run(s), -EPROTO);
	assert_non_null(strstr(sim_error(s), "internal accounting check failed"));
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_overhead),
		cmocka_unit_test(test_one_packet_latency),
		cmocka_unit_test(test_single_flow_line_rate),
		cmocka_unit_test(test_fair_share),
		cmocka_unit_test(test_ecmp_balls_into_bins),
		cmocka_unit_test(test_ecmp_polarization),
		cmocka_unit_test(test_permutation_ecmp_vs_ar),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_drain_end),
		cmocka_unit_test(test_mark_same_time),
		cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_config_presets),
		cmocka_unit_test(test_sim_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
