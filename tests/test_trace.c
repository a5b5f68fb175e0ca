/*
 * Queue traces and the all-active window (sim/fabric/trace.c, flows.c,
 * sim/results/stats.c): the default trace reports the port a hand
 * derivation names, keeps at most K samples per port at power-of-two
 * multiples of the start interval, holds exactly what an undecimated trace
 * holds at its instants and changes nothing in the run; --trace-port still
 * writes the event-sampled rows it wrote before; the all-active window
 * opens at the last flow's first byte, computed here from the topology's
 * rates and delays.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "sim/cli/cmd.h"
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"
#include "sim/results/stats.h"
#include "sim/traffic/workload.h"

#define TOPO "topologies/small-800g.topo"
#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* Large enough that no test here lowers K for memory (small-800g: 384 switch egress ports). */
#define BUDGET (1ULL << 30)

static struct sim_topo *topo;

static int setup(void **state)
{
	(void)state;
	topo = sim_topo_load(TOPO);
	return topo ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sim_topo_free(topo);
	return 0;
}

/*
 * Incast into h8 (leaf0) from h9..h32: 7 senders on leaf0, 16 on leaf1,
 * one on leaf2, 64 KiB each, all at t = 0 at 800G. The downlink leaf0:h8
 * is offered 24 x 800G and drains 800G: its queue grows at 23 x 800G. Any
 * other switch egress carries k of the 17 remote flows (k <= 17 on a
 * spine->leaf0 link, k of leaf1's 16 on one of its 16 uplinks) and grows at
 * most at (k - 1) x 800G = 16 x 800G: the peak is at leaf0:h8.
 */
static struct sim *incast(uint32_t trace_k, uint64_t interval_ps)
{
	struct sim_workload_params w = { .kind = SIM_WL_INCAST, .bytes = 64 << 10, .incast_senders = 24,
					 .incast_dst = 8, .seed = 1 };
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	cfg.seed = 1;
	s = sim_create(topo, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	if (trace_k)
		assert_int_equal(sim_trace_all(s, interval_ps, trace_k, BUDGET), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	return s;
}

static void test_trace_pick_incast(void **state)
{
	struct sim *s = incast(512, 100000);
	uint32_t want = sim_port_lookup(topo, "leaf0:h8"), port;
	uint64_t interval;
	char name[64];

	(void)state;
	assert_int_not_equal(want, SIM_NONE);
	assert_int_equal(sim_trace_pick(s), want);
	assert_true(sim_results_trace(s, &port, &interval));
	assert_int_equal(port, want);
	assert_string_equal(sim_results_port_name(s, port, name, sizeof(name)), "leaf0:h8");
	/* the summary's max-queue port is the same one */
	{
		struct sim_results r;

		sim_results_compute(s, &r);
		assert_int_equal(r.max_queue_port, want);
	}
	sim_destroy(s);
}

/* The rows sim_trace_write gives for PORT, as one string. */
static char *rows_of(const struct sim *s, uint32_t port)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(sim_trace_write(s, port, f), 0);
	fclose(f);
	return buf;
}

/*
 * K = 16 samples per port from 100 ns on. By definition the samples are at
 * the multiples of the interval I up to the run's end T (end_ps: the last
 * finish), so at the end n = floor(T / I) + 1 samples remain,
 * n <= K - 1 (a full buffer is halved at once), n >= K / 2 once the interval
 * doubled, and I / 100 ns is a power of two. Sample i of the decimated
 * trace is sample i x (I / 100 ns) of an undecimated one (K = 2^20).
 */
static void test_trace_decimation(void **state)
{
	struct sim *s = incast(16, 100000), *full = incast(1u << 20, 100000);
	uint64_t i0 = 100000, I = sim_trace_interval(s), ratio = I / i0, T = s->end_ps;
	uint32_t n = sim_trace_count(s), port = sim_port_lookup(topo, "leaf0:h8");
	char *a = rows_of(s, port), *b = rows_of(full, port), *line, *save = NULL;
	uint32_t rows = 0;

	(void)state;
	print_message("end %.3f us: %u samples every %.1f ns (%llu x the start)\n", T * 1e-6, n, I * 1e-3,
		      (unsigned long long)ratio);
	assert_true(I % i0 == 0 && ratio > 1 && (ratio & (ratio - 1)) == 0);
	assert_true(n < 16 && n >= 8);
	assert_int_equal(n, T / I + 1);
	/* the undecimated trace: every 100 ns, never halved */
	assert_int_equal(sim_trace_interval(full), i0);
	assert_int_equal(sim_trace_count(full), T / i0 + 1);
	/* row i of the decimated trace is row i x ratio of the full one, byte for byte */
	for (line = strtok_r(a, "\n", &save); line; line = strtok_r(NULL, "\n", &save), rows++) {
		const char *p = b;

		for (uint64_t k = 0; k < rows * ratio; k++) {
			p = strchr(p, '\n');
			assert_non_null(p);
			p++;
		}
		assert_memory_equal(line, p, strlen(line));
		assert_true(p[strlen(line)] == '\n');
	}
	assert_int_equal(rows, n);
	free(a);
	free(b);
	sim_destroy(full);
	sim_destroy(s);
}

/* Sampling every switch egress changes nothing: same events, same flows, same end. */
static void test_trace_no_perturbation(void **state)
{
	struct sim_workload_params w = { .kind = SIM_WL_PERMUTATION, .bytes = 256 << 10, .seed = 3 };
	struct sim *run[2];

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct sim_config cfg;

		sim_config_defaults(&cfg);
		cfg.seed = 3;
		run[k] = sim_create(topo, &cfg);
		assert_non_null(run[k]);
		assert_int_equal(sim_workload_add(run[k], &w, NULL, 0), 0);
		/* a small K and interval: many decimations during the run */
		if (k)
			assert_int_equal(sim_trace_all(run[k], 10000, 16, BUDGET), 0);
		assert_int_equal(sim_run(run[k]), 0);
	}
	assert_true(sim_trace_interval(run[1]) > 10000);
	assert_int_equal(run[0]->c.events, run[1]->c.events);
	assert_int_equal(run[0]->c.delivered_bytes, run[1]->c.delivered_bytes);
	assert_int_equal(run[0]->c.ecn_marks, run[1]->c.ecn_marks);
	assert_int_equal(sim_now(run[0]), sim_now(run[1]));
	assert_int_equal(run[0]->mark_ps, run[1]->mark_ps);
	for (uint32_t i = 0; i < run[0]->nflows; i++)
		assert_int_equal(run[0]->flows[i].finish_ps, run[1]->flows[i].finish_ps);
	for (uint32_t i = 0; i < topo->nports; i++)
		assert_int_equal(run[0]->pq[i].max_qbytes, run[1]->pq[i].max_qbytes);
	sim_destroy(run[0]);
	sim_destroy(run[1]);
}

/* A command with its stdout out of the test's output. */
static int quiet_cmd(int argc, char **argv)
{
	int saved, null, rc;

	fflush(stdout);
	saved = dup(1);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	close(null);
	rc = sim_cmd_run(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/*
 * --trace-port is the event sampler as before: the CLI's trace.csv is the
 * header and exactly the rows sim_trace_port writes for that port (not the
 * default trace), one every 500 ns from 0 while flows run; summary.json
 * names it. Without --trace-port the CLI writes the default trace of the
 * port sim_trace_pick names, and summary.json says which and how often.
 */
static void test_trace_cli(void **state)
{
	char tmp[] = "/tmp/fabsim-trace-XXXXXX", named[128], dflt[128], path[160];
	char *run_named[] = { "run", "-t", TOPO, "-w", "incast", "--incast-senders", "24", "--incast-dst", "8", "-s", "64K",
			      "-S", "1", "--trace-port", "leaf0:spine0", "--trace-interval", "500ns", "-o", named };
	char *run_dflt[] = { "run", "-t", TOPO, "-w", "incast", "--incast-senders", "24", "--incast-dst", "8", "-s", "64K",
			     "-S", "1", "-o", dflt };
	struct sim_workload_params w = { .kind = SIM_WL_INCAST, .bytes = 64 << 10, .incast_senders = 24,
					 .incast_dst = 8, .seed = 1 };
	char *cli, *lib = NULL, *hdr;
	size_t len = 0;
	struct sim_config cfg;
	json_t *j;
	FILE *f;
	struct sim *s;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(named, sizeof(named), "%s/named", tmp);
	snprintf(dflt, sizeof(dflt), "%s/default", tmp);
	assert_int_equal(quiet_cmd(ARGC(run_named), run_named), 0);
	assert_int_equal(quiet_cmd(ARGC(run_dflt), run_dflt), 0);

	sim_config_defaults(&cfg);
	cfg.seed = 1;
	s = sim_create(topo, &cfg);
	assert_non_null(s);
	assert_int_equal(sim_workload_add(s, &w, NULL, 0), 0);
	f = open_memstream(&lib, &len);
	sim_trace_port(s, sim_port_lookup(topo, "leaf0:spine0"), 500000, f);
	assert_int_equal(sim_run(s), 0);
	fclose(f);
	snprintf(path, sizeof(path), "%s/trace.csv", named);
	cli = slurp(path);
	hdr = strchr(cli, '\n');
	assert_non_null(hdr);
	assert_string_equal(hdr + 1, lib);
	/* first sample at 0, then every 0.5 us */
	assert_memory_equal(lib, "0.000,", 6);
	assert_non_null(strstr(lib, "\n0.500,"));
	free(cli);
	free(lib);
	sim_destroy(s);

	snprintf(path, sizeof(path), "%s/summary.json", named);
	j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "trace_port")), "leaf0:spine0");
	assert_int_equal(json_integer_value(json_object_get(j, "trace_interval_ps")), 500000);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/summary.json", dflt);
	j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "trace_port")), "leaf0:h8");
	assert_true(json_integer_value(json_object_get(j, "trace_interval_ps")) >= 1000000);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/trace.csv", dflt);
	cli = slurp(path);
	assert_memory_equal(cli, "time_us,data_queue_bytes,", 25);
	free(cli);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	assert_int_equal(system(path), 0);
}

/*
 * Two flows on leaf0, no shared port: A h0->h1 4 MiB from 0, B h2->h3
 * 4 MiB from 10 us. B's first frame (4096 B payload, 4178 B on the wire)
 * reaches h3 after serialisation at the NIC, the host cable, the leaf's
 * forwarding latency, serialisation at leaf0:h3 and the cable again (store
 * and forward); A still runs (4 MiB at 800G take 42 us). So the window
 * opens at 10 us + that latency, and as both flows then run at line rate
 * the all-active figure is the payload efficiency 4096 / 4178, up to the
 * frames cut at the window's edges (one per flow per edge: 4 x 4178 B
 * over >= 2 x 800 Gb/s x 30 us, 0.3 points).
 */
static void test_all_active_window(void **state)
{
	const uint64_t tb = 10000000, bytes = 4ULL << 20;
	struct sim_config cfg;
	struct sim_results r;
	struct sim *s;
	const struct sim_port *nic, *down;
	uint64_t wire, lat;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(topo, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 1, bytes, 0) >= 0);
	assert_true(sim_add_flow(s, 2, 3, bytes, tb) >= 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 2);
	nic = &topo->ports[topo->nodes[topo->hosts[2]].first_port];
	down = &topo->ports[sim_port_lookup(topo, "leaf0:h3")];
	wire = sim_wire_bytes(s->mtu_bytes, SIM_PKT_DATA);
	assert_int_equal(wire, s->mtu_bytes + 82);
	lat = sim_ser_ps(wire, nic->rate_bps) + nic->delay_ps + topo->sw.latency_ps + sim_ser_ps(wire, down->rate_bps) +
	      down->delay_ps;
	print_message("window opens at %.6f us (start of B + %.6f us), first finish %.3f us\n", s->mark_ps * 1e-6,
		      lat * 1e-6, s->first_finish_ps * 1e-6);
	assert_int_equal(s->mark_ps, tb + lat);
	assert_true(s->first_finish_ps > s->mark_ps);
	sim_results_compute(s, &r);
	print_message("all-active %.4f, payload efficiency %.4f\n", r.window_throughput, 4096.0 / 4178);
	assert_true(fabs(r.window_throughput - (double)s->mtu_bytes / wire) <= 0.005);
	sim_destroy(s);
}

/* A flow that finished before the other delivered anything: no window, as before (n/a). */
static void test_all_active_empty(void **state)
{
	struct sim_config cfg;
	struct sim_results r;
	struct sim *s;

	(void)state;
	sim_config_defaults(&cfg);
	s = sim_create(topo, &cfg);
	assert_non_null(s);
	/* 64 KiB at 800G: done in about 1 us, long before the second starts at 50 us */
	assert_true(sim_add_flow(s, 0, 1, 64 << 10, 0) >= 0);
	assert_true(sim_add_flow(s, 2, 3, 64 << 10, 50000000) >= 0);
	assert_int_equal(sim_run(s), 0);
	sim_results_compute(s, &r);
	assert_int_equal(s->mark_ps, 0);
	assert_true(r.window_throughput < 0);
	sim_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_pick_incast),
		cmocka_unit_test(test_trace_decimation),
		cmocka_unit_test(test_trace_no_perturbation),
		cmocka_unit_test(test_trace_cli),
		cmocka_unit_test(test_all_active_window),
		cmocka_unit_test(test_all_active_empty),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
