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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/workload.h"

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

	assert_int_equal(sim_workload_add(s, &w), 0);
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

	sim_workload_add(s, &w);
	sim_run(s);
	sim_results_compute(s, &r);
	assert_int_equal(sim_results_write(s, &r, dir, "test"), 0);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
