/*
 * The result files and their schema (sim/results/schema.h): every writer's
 * header line is the schema's column list (and the bytes the files had
 * before there was a schema), JSON keys come in the table's order, `fabsim
 * report` reads a file whose columns were reordered (and one with a column
 * it does not know) to the same values, and a missing column is named with
 * the file, and the line for a short row, in the caller's buffer, nothing
 * on stderr.
 *
 * The group setup runs the real commands once into a temporary folder: a
 * flow run with a traced port, a collective sweep with --bench-json,
 * `fabsim predict` on that bench file, and two jobs with background
 * traffic (the labelled outputs: flows.csv's job column, per-job FCT keys,
 * the background object). Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "collectives/bench_keys.h"
#include "sim/cli/cmd.h"
#include "sim/report/report.h"
#include "sim/results/schema.h"

static char tmp[] = "/tmp/test_schema.XXXXXX";
static char run_dir[256], coll_dir[256], pred_dir[256], bench_path[256], jobs_dir[256], jobs_path[256];

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A command with its stdout (tables, progress) out of the test's output. */
static int quiet_cmd(int (*cmd)(int, char **), int argc, char **argv)
{
	int saved, null, rc;

	fflush(stdout);
	saved = dup(1);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	close(null);
	rc = cmd(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static int setup(void **state)
{
	char *run[] = { "run", "-t", "topologies/small-800g.topo", "-s", "256K", "-l", "ar", "--trace-port",
			"leaf0:spine0", "--trace-interval", "500ns", "--timeline", "--quiet", "-o", run_dir };
	char *coll[] = { "run", "-t", "topologies/railopt-demo.topo", "-w", "allreduce", "-a", "ring", "-n", "16",
			 "--placement", "random", "-s", "64K:256K:x4", "-l", "ar", "--bench-json", bench_path,
			 "--quiet", "-o", coll_dir };
	char *pred[] = { "predict", "--bench", bench_path, "--topo", "topologies/railopt-demo.topo", "-o",
			 pred_dir };
	char *jobs[] = { "run", "-t", "topologies/railopt-demo.topo", "--jobs", jobs_path, "-s", "64K",
			 "--background", "64K", "--quiet", "-o", jobs_dir };
	FILE *f;

	if (!mkdtemp(tmp))
		return -1;
	snprintf(run_dir, sizeof(run_dir), "%s/run", tmp);
	snprintf(coll_dir, sizeof(coll_dir), "%s/coll", tmp);
	snprintf(pred_dir, sizeof(pred_dir), "%s/pred", tmp);
	snprintf(bench_path, sizeof(bench_path), "%s/bench.json", tmp);
	snprintf(jobs_dir, sizeof(jobs_dir), "%s/jobs", tmp);
	snprintf(jobs_path, sizeof(jobs_path), "%s/two.jobs", tmp);
	f = fopen(jobs_path, "w");
	if (!f)
		return -1;
	fputs("a allreduce ring 16 contiguous\nb alltoall pairwise 8 random\n", f);
	fclose(f);
	if (quiet_cmd(sim_cmd_run, ARGC(run), run) || quiet_cmd(sim_cmd_run, ARGC(coll), coll) ||
	    quiet_cmd(sim_cmd_predict, ARGC(pred), pred) || quiet_cmd(sim_cmd_run, ARGC(jobs), jobs))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

/* The whole of DIR/NAME (NUL-terminated); fails the test if unreadable. */
static char *slurp(const char *dir, const char *name)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void spill(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void mkdir_in(const char *dir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", dir, name);
	assert_true(!mkdir(out, 0755) || errno == EEXIST);
}

/* The header line of SC's first NCOLS columns: sim_schema_header's cut after its NCOLS-th name. */
static void header_cols(const struct sim_schema *sc, unsigned int ncols, char *buf, size_t len)
{
	char *p = buf;

	assert_true(sim_schema_header(sc, buf, len) > 0);
	for (unsigned int i = 0; i < ncols && p; i++)
		p = strchr(p + (i > 0), ',');
	if (p)
		*p = 0;
}

static unsigned int count_fields(const char *line, size_t len)
{
	unsigned int n = 1;

	for (size_t i = 0; i < len; i++)
		n += line[i] == ',';
	return n;
}

/*
 * DIR/NAME begins with the header line of the schema's first NCOLS
 * columns, and every row has as many fields; the number of rows.
 */
static unsigned int check_csv_cols(const char *dir, const char *name, const struct sim_schema *sc,
				   unsigned int ncols)
{
	char want[2048], *text = slurp(dir, name), *p, *nl;
	unsigned int rows = 0;

	header_cols(sc, ncols, want, sizeof(want));
	nl = strchr(text, '\n');
	assert_non_null(nl);
	*nl = 0;
	assert_string_equal(text, want);
	for (p = nl + 1; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if (count_fields(p, (size_t)(nl - p)) != ncols)
			fail_msg("%s/%s row %u: %u fields, %u columns", dir, name, rows + 2,
				 count_fields(p, (size_t)(nl - p)), ncols);
		rows++;
	}
	free(text);
	return rows;
}

/* The GB/s columns before issue 16 spelt _gbps, as the files then had them. */
#define OLD_COLL_HEADER "job,collective,algorithm,ranks,placement,size_bytes,time_us,algbw_gbps," \
	"busbw_gbps,effective_throughput,nic_busy,line_gbps,network_flows,slowest_src," \
	"slowest_dst,slowest_fct_us,slowest_line_fraction,events,wall_s,busbw_per_nic,seed,ideal_busbw_gbps"
#define OLD_PRED_HEADER "collective,algorithm,nranks,size_bytes,measured_time_us,measured_algbw_gbps," \
	"measured_busbw_gbps,predicted_time_us,predicted_algbw_gbps,predicted_busbw_gbps,line_gbps,rel_error"

/* The same with every column of the schema. */
static unsigned int check_csv(const char *dir, const char *name, const struct sim_schema *sc)
{
	return check_csv_cols(dir, name, sc, sc->ncols);
}

/* The columns as the files have them: names change here deliberately, never by drift. */
static void test_schema_headers_unchanged(void **state)
{
	static const struct {
		const struct sim_schema *sc;
		const char *header;
	} now[] = {
		{ &sim_schema_flows, "flow,src,dst,bytes,start_us,fct_us,throughput_gbps,line_fraction,ooo_packets,"
				     "max_reorder_packets,retransmits" },
		{ &sim_schema_links, "port,from,to,from_tier,to_tier,direction,rate_gbps,tx_bytes,utilization,"
				     "max_queue_bytes,mean_queue_bytes,drops,ecn_marks,pfc_pauses_sent,"
				     "pfc_pauses_received,paused_us,"
				     /* issue 16: appended, written by runs with failed links only */
				     "link_down" },
		{ &sim_schema_trace, "time_us,data_queue_bytes,ctrl_queue_bytes,paused,tx_bytes,pauses_received,"
				     "pauses_sent,ecn_marks,drops" },
		{ &sim_schema_coll, "job,collective,algorithm,ranks,placement,size_bytes,time_us,algbw_GBps,"
				    "busbw_GBps,effective_throughput,nic_busy,line_gbps,network_flows,slowest_src,"
				    "slowest_dst,slowest_fct_us,slowest_line_fraction,events,wall_s,"
				    /* issue 12: appended, the older columns keep their places */
				    "busbw_per_nic,seed,"
				    /* issue 15: appended */
				    "ideal_busbw_GBps" },
		{ &sim_schema_pred, "collective,algorithm,nranks,size_bytes,measured_time_us,measured_algbw_GBps,"
				    "measured_busbw_GBps,predicted_time_us,predicted_algbw_GBps,"
				    "predicted_busbw_GBps,line_gbps,rel_error" },
	};
	char buf[1024], small[8];

	for (size_t i = 0; i < sizeof(now) / sizeof(now[0]); i++) {
		unsigned int n = now[i].sc == &sim_schema_flows ? SIM_FLOWS_NCOLS_PLAIN : now[i].sc->ncols;

		header_cols(now[i].sc, n, buf, sizeof(buf));
		assert_string_equal(buf, now[i].header);
	}
	/* issue 16: flows.csv of a run with --jobs or --background has the job column last */
	assert_int_equal(SIM_FLOWS_NCOLS_PLAIN + 1, SIM_FLOWS_NCOLS);
	assert_true(sim_schema_header(&sim_schema_flows, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "flow,src,dst,bytes,start_us,fct_us,throughput_gbps,line_fraction,ooo_packets,"
			    "max_reorder_packets,retransmits,job");
	/* too small a buffer is refused, not cut silently */
	assert_int_equal(sim_schema_header(&sim_schema_flows, small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "flow");
	/* fabbench's --csv header, from the JSON key names */
	assert_string_equal(COLL_BENCH_CSV_HEADER, "collective,algorithm,transport,nranks,dtype,op,bytes,count,"
			    "time_us,time_us_min,time_us_max,algbw_GBps,busbw_GBps,line_fraction,wrong,"
			    "mpi_time_us,mpi_busbw_GBps");
}

/* Every name of a header before issue 16 still finds its column, at its place. */
static void expect_old_header(const struct sim_schema *sc, const char *header)
{
	char buf[1024], *name, *save;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", header);
	for (name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save), i++)
		if (sim_schema_find(sc, name) != i)
			fail_msg("%s: old column '%s' found at %d, expected %d", sc->file, name,
				 sim_schema_find(sc, name), i);
	assert_int_equal(i, (int)sc->ncols);
}

static void test_schema_old_names(void **state)
{
	const struct sim_schema *const *all;
	char old[64];
	size_t n;

	expect_old_header(&sim_schema_coll, OLD_COLL_HEADER);
	expect_old_header(&sim_schema_pred, OLD_PRED_HEADER);
	/* summary.json's jobs[].results[] and seed_stats[] keys too */
	assert_int_equal(sim_schema_find(&sim_schema_coll_result, "busbw_gbps"), SIM_CSUM_BUSBW_GBPS);
	assert_int_equal(sim_schema_find(&sim_schema_coll_result, "ideal_busbw_gbps"), SIM_CSUM_IDEAL_BUSBW_GBPS);
	assert_int_equal(sim_schema_find(&sim_schema_coll_seed_stats, "busbw_gbps"), SIM_CSEED_BUSBW_GBPS);
	assert_int_equal(sim_schema_find(&sim_schema_pred_result, "measured_busbw_gbps"),
			 SIM_PRES_MEASURED_BUSBW_GBPS);
	/* bits stay _gbps, and the new spelling of a Gb/s column is no alias of it */
	assert_int_equal(sim_schema_find(&sim_schema_flows, "throughput_GBps"), -1);
	assert_int_equal(sim_schema_find(&sim_schema_coll, "line_GBps"), -1);
	assert_int_equal(sim_schema_find(&sim_schema_coll, "line_gbps"), SIM_COLL_LINE_GBPS);
	/* _GBps for bytes and _gbps for bits, everywhere: the unit the meaning gives */
	all = sim_schema_all(&n);
	for (size_t t = 0; t < n; t++) {
		for (unsigned int i = 0; i < all[t]->ncols; i++) {
			const struct sim_col *c = &all[t]->cols[i];

			if (strstr(c->name, "_GBps"))
				assert_true(!strncmp(c->meaning, "GB/s", 4));
			if (strstr(c->name, "_gbps"))
				assert_true(!strncmp(c->meaning, "Gb/s", 4));
			/* a table never has both spellings of a name */
			if (coll_bench_old_key(c->name, old, sizeof(old)))
				assert_int_equal(sim_schema_find(all[t], old), (int)i);
		}
	}
	/* fabbench's keys: the pre-issue-16 name of a GB/s key */
	assert_string_equal(coll_bench_old_key(COLL_BENCH_RES_BUSBW_GBPS_MIN, old, sizeof(old)), "busbw_gbps_min");
	assert_string_equal(coll_bench_old_key(COLL_BENCH_P2P_BW_GBPS, old, sizeof(old)), "p2p_bw_gbps");
	assert_null(coll_bench_old_key(COLL_BENCH_LINE_RATE_BPS, old, sizeof(old)));
}

/* Names unique within a table; find is their inverse; ranges make sense. */
static void test_schema_tables(void **state)
{
	const struct sim_schema *const *all;
	size_t n;

	all = sim_schema_all(&n);
	/* 12, issue 12's seeds.csv, two seed_stats objects and their {mean, min, max}, timeline.csv,
	 * issue 16's background object and its results[] */
	assert_int_equal(n, 19);
	for (size_t t = 0; t < n; t++) {
		const struct sim_schema *sc = all[t];

		assert_true(sc->ncols > 0 && sc->ncols <= SIM_SCHEMA_MAX_COLS);
		for (unsigned int i = 0; i < sc->ncols; i++) {
			const struct sim_col *c = &sc->cols[i];

			assert_int_equal(sim_schema_find(sc, c->name), (int)i);
			assert_true(c->meaning && *c->meaning);
			assert_true(c->min <= c->max);
			/* a CSV column is text or a number, never JSON-only */
			if (strstr(sc->file, ".csv"))
				assert_false(c->flags & (SIM_COL_NULL | SIM_COL_BOOL | SIM_COL_OBJECT | SIM_COL_ARRAY));
		}
	}
	assert_int_equal(sim_schema_find(&sim_schema_links, "fct_us"), -1);
	assert_int_equal(sim_schema_find(&sim_schema_flows, "fct_us"), SIM_FLOWS_FCT_US);
	assert_int_equal(sim_schema_find(&sim_schema_coll, "busbw_GBps"), SIM_COLL_BUSBW_GBPS);
}

/* Every CSV the commands wrote: header from the schema, rows as wide. */
static void test_writer_headers(void **state)
{
	/* link_down, the last column, only in runs with failed links: these have none */
	char largest[300];

	snprintf(largest, sizeof(largest), "%s/largest", coll_dir);
	assert_true(check_csv_cols(run_dir, "flows.csv", &sim_schema_flows, SIM_FLOWS_NCOLS_PLAIN) > 0);
	assert_true(check_csv_cols(run_dir, "links.csv", &sim_schema_links, SIM_LINKS_LINK_DOWN) > 0);
	assert_true(check_csv(run_dir, "trace.csv", &sim_schema_trace) > 0);
	/* --timeline beside --trace-port: the default trace runs too */
	assert_true(check_csv(run_dir, "timeline.csv", &sim_schema_timeline) > 0);
	/* -s 64K:256K:x4: two sizes, one job */
	assert_int_equal(check_csv(coll_dir, "collective.csv", &sim_schema_coll), 2);
	assert_true(check_csv_cols(largest, "flows.csv", &sim_schema_flows, SIM_FLOWS_NCOLS_PLAIN) > 0);
	assert_true(check_csv_cols(largest, "links.csv", &sim_schema_links, SIM_LINKS_LINK_DOWN) > 0);
	/* two jobs and background: one row per job, flows.csv with its job column */
	assert_int_equal(check_csv(jobs_dir, "collective.csv", &sim_schema_coll), 2);
	snprintf(largest, sizeof(largest), "%s/largest", jobs_dir);
	assert_true(check_csv(largest, "flows.csv", &sim_schema_flows) > 0);
	assert_int_equal(check_csv(pred_dir, "prediction.csv", &sim_schema_pred), 2);
}

/* OBJ's keys are SC's, all of them, in the table's order. */
static void check_keys(const json_t *obj, const struct sim_schema *sc)
{
	const char *key;
	json_t *v;
	unsigned int i = 0;

	assert_true(json_is_object(obj));
	json_object_foreach((json_t *)obj, key, v) {
		if (i >= sc->ncols)
			fail_msg("%s: key '%s' is not in the schema", sc->file, key);
		assert_string_equal(key, sc->cols[i].name);
		/* the type the table gives, or null where it allows that */
		if (sc->cols[i].flags & SIM_COL_NULL && json_is_null(v))
			;
		else if (sc->cols[i].flags & SIM_COL_TEXT)
			assert_true(json_is_string(v));
		else if (sc->cols[i].flags & SIM_COL_BOOL)
			assert_true(json_is_boolean(v));
		else if (sc->cols[i].flags & SIM_COL_OBJECT)
			assert_true(json_is_object(v));
		else if (sc->cols[i].flags & SIM_COL_ARRAY)
			assert_true(json_is_array(v));
		else if (sc->cols[i].flags & SIM_COL_INT)
			assert_true(json_is_integer(v));
		else
			assert_true(json_is_number(v) || (sc->cols[i].flags & SIM_COL_NULL && json_is_null(v)));
		i++;
	}
	assert_int_equal(i, sc->ncols);
}

/*
 * OBJ's keys are some of SC's, in the table's order, and KEYS of them
 * (a results[] entry of a collective leaves out what its size lacks).
 */
static void check_some_keys(const json_t *obj, const struct sim_schema *sc, unsigned int keys)
{
	const char *key;
	json_t *v;
	unsigned int i = 0, n = 0;

	assert_true(json_is_object(obj));
	json_object_foreach((json_t *)obj, key, v) {
		while (i < sc->ncols && strcmp(key, sc->cols[i].name))
			i++;
		if (i == sc->ncols)
			fail_msg("%s: key '%s' is not in the schema, or out of its order", sc->file, key);
		i++;
		n++;
	}
	assert_int_equal(n, keys);
}

static json_t *load_json(const char *dir, const char *name)
{
	char path[512];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	j = json_load_file(path, 0, &err);
	if (!j)
		fail_msg("%s: %s", path, err.text);
	return j;
}

static void test_writer_json_keys(void **state)
{
	json_t *sum = load_json(run_dir, "summary.json");
	json_t *pred = load_json(pred_dir, "summary.json");
	json_t *bench = load_json(tmp, "bench.json");
	json_t *coll = load_json(coll_dir, "summary.json");
	json_t *job = json_array_get(json_object_get(coll, "jobs"), 0);

	/* a run without --seeds nor failed links: every key but seeds, seed_stats and the three of failures */
	check_some_keys(sum, &sim_schema_summary, SIM_SUM_NKEYS - 5);
	/* its 256 KiB flows are whole 4 KiB packets, each placed once: events / (payload / MTU) */
	{
		double events = (double)json_integer_value(json_object_get(sum, "events"));
		double pkts = (double)json_integer_value(json_object_get(sum, "payload_bytes")) /
			      (double)json_integer_value(json_object_get(sum, "mtu_bytes"));
		double epp = json_real_value(json_object_get(sum, "events_per_data_packet"));

		assert_true(pkts == 128 * 64 && events > pkts);
		assert_true(epp * pkts > events * (1 - 1e-9) && epp * pkts < events * (1 + 1e-9));
	}
	/* a flow workload has its ideal (sim/traffic/bound.h), at most the payload share of line (10 digits in the file) */
	{
		json_t *ie = json_object_get(sum, "ideal_effective_throughput");
		json_t *ia = json_object_get(sum, "ideal_all_active_throughput");

		assert_true(json_is_real(ie) && json_is_real(ia));
		assert_true(json_real_value(ie) > 0 && json_real_value(ie) <= 4096.0 / 4178 + 1e-9);
		assert_true(json_real_value(ia) > 0 && json_real_value(ia) <= 4096.0 / 4178 + 1e-9);
	}
	check_keys(pred, &sim_schema_pred_summary);
	check_keys(json_object_get(pred, "calibration"), &sim_schema_pred_calib);
	check_keys(json_array_get(json_object_get(pred, "results"), 1), &sim_schema_pred_result);
	/* one job of the command line, no --background: no background object */
	check_some_keys(coll, &sim_schema_coll_summary, SIM_CRUN_NKEYS - 1);
	check_keys(job, &sim_schema_coll_job);
	/* a finished size: every key but the three of an unfinished one, the three of failures, the four of labelled runs */
	check_some_keys(json_array_get(json_object_get(job, "results"), 1), &sim_schema_coll_result,
			SIM_CSUM_NKEYS - 10);
	/* two jobs and --background: every key, per-job FCT keys, the background object */
	{
		json_t *jobs = load_json(jobs_dir, "summary.json");
		json_t *bg = json_object_get(jobs, "background");
		json_t *jobs_arr = json_object_get(jobs, "jobs");

		check_keys(jobs, &sim_schema_coll_summary);
		check_keys(bg, &sim_schema_coll_background);
		check_keys(json_array_get(json_object_get(bg, "results"), 0), &sim_schema_coll_bg_result);
		for (size_t k = 0; k < 2; k++)
			check_some_keys(json_array_get(json_object_get(json_array_get(jobs_arr, k), "results"), 0),
					&sim_schema_coll_result, SIM_CSUM_NKEYS - 6);
		json_decref(jobs);
	}
	/* and a collective's ideal busbw, at or above what it reached */
	{
		json_t *row = json_array_get(json_object_get(job, "results"), 1);

		assert_true(json_real_value(json_object_get(row, "ideal_busbw_GBps")) >=
			    json_real_value(json_object_get(row, "busbw_GBps")));
	}
	/* the bench file a simulated run writes: the keys fabsim predict reads */
	assert_string_equal(json_string_value(json_object_get(bench, COLL_BENCH_TOOL)), "fabsim");
	assert_int_equal(json_integer_value(json_object_get(bench, COLL_BENCH_NRANKS)), 16);
	assert_int_equal(json_array_size(json_object_get(bench, COLL_BENCH_HOSTS)), 16);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(bench,
				COLL_BENCH_RESULTS), 1), COLL_BENCH_RES_BYTES)), 256 * 1024);
	json_decref(sum);
	json_decref(pred);
	json_decref(bench);
	json_decref(coll);
}

/*
 * DIR/NAME into OUT/NAME with its columns in reverse order and a column
 * no schema has first: a reader by position would get every value wrong.
 */
static void shuffle_csv(const char *dir, const char *out, const char *name)
{
	char *text = slurp(dir, name), *line, *save = NULL, *f[SIM_SCHEMA_MAX_COLS], *fs;
	size_t cap = strlen(text) * 2 + 64, len = 0;
	char *res = malloc(cap);
	unsigned int n, row = 0;

	assert_non_null(res);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), row++) {
		/* strsep keeps empty fields, which strtok would drop */
		for (n = 0, fs = line; fs && n < SIM_SCHEMA_MAX_COLS;)
			f[n++] = strsep(&fs, ",");
		len += (size_t)snprintf(res + len, cap - len, "%s", row ? "x" : "not_a_column");
		while (n--)
			len += (size_t)snprintf(res + len, cap - len, ",%s", f[n]);
		len += (size_t)snprintf(res + len, cap - len, "\n");
		assert_true(len < cap);
	}
	spill(out, name, res);
	free(res);
	free(text);
}

static void copy_file(const char *dir, const char *out, const char *name)
{
	char *text = slurp(dir, name);

	spill(out, name, text);
	free(text);
}

static bool same(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* What sim_rep_load read from A and from B is the same, field by field. */
static void check_same_config(const struct sim_rep_config *a, const struct sim_rep_config *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->nflows, b->nflows);
	assert_int_equal(a->nfct, b->nfct);
	for (size_t i = 0; i < a->nfct; i++)
		assert_true(same(a->fct_us[i], b->fct_us[i]));
	assert_int_equal(a->nlinks, b->nlinks);
	for (size_t i = 0; i < a->nlinks; i++) {
		const struct sim_rep_link *x = &a->links[i], *y = &b->links[i];

		assert_string_equal(x->from, y->from);
		assert_string_equal(x->to, y->to);
		assert_int_equal(x->from_tier, y->from_tier);
		assert_int_equal(x->to_tier, y->to_tier);
		assert_true(same(x->util, y->util) && same(x->max_queue_bytes, y->max_queue_bytes) &&
			    same(x->drops, y->drops) && same(x->ecn_marks, y->ecn_marks) &&
			    same(x->pauses_sent, y->pauses_sent) && same(x->pauses_rcvd, y->pauses_rcvd) &&
			    same(x->paused_us, y->paused_us));
	}
	assert_int_equal(a->ntrace, b->ntrace);
	for (size_t i = 0; i < a->ntrace; i++) {
		const struct sim_rep_sample *x = &a->trace[i], *y = &b->trace[i];

		assert_true(same(x->time_us, y->time_us) && same(x->queue_bytes, y->queue_bytes) &&
			    same(x->paused, y->paused) && same(x->pauses_rcvd, y->pauses_rcvd) &&
			    same(x->pauses_sent, y->pauses_sent) && same(x->ecn_marks, y->ecn_marks) &&
			    same(x->drops, y->drops));
	}
	assert_int_equal(a->ncoll, b->ncoll);
	for (size_t i = 0; i < a->ncoll; i++) {
		const struct sim_rep_coll *x = &a->coll[i], *y = &b->coll[i];

		assert_string_equal(x->job, y->job);
		assert_string_equal(x->collective, y->collective);
		assert_string_equal(x->algorithm, y->algorithm);
		assert_int_equal(x->ranks, y->ranks);
		assert_true(same(x->size_bytes, y->size_bytes) && same(x->time_us, y->time_us) &&
			    same(x->busbw_gbyte_s, y->busbw_gbyte_s) && same(x->eff, y->eff) &&
			    same(x->nic_busy, y->nic_busy) && same(x->line_gbps, y->line_gbps));
	}
	assert_int_equal(a->npred, b->npred);
	for (size_t i = 0; i < a->npred; i++) {
		const struct sim_rep_pred *x = &a->pred[i], *y = &b->pred[i];

		assert_string_equal(x->collective, y->collective);
		assert_string_equal(x->algorithm, y->algorithm);
		assert_int_equal(x->nranks, y->nranks);
		assert_true(same(x->size_bytes, y->size_bytes) && same(x->meas_time_us, y->meas_time_us) &&
			    same(x->meas_busbw_gbyte_s, y->meas_busbw_gbyte_s) &&
			    same(x->pred_time_us, y->pred_time_us) &&
			    same(x->pred_busbw_gbyte_s, y->pred_busbw_gbyte_s) && same(x->line_gbps, y->line_gbps) &&
			    same(x->rel_error, y->rel_error));
	}
	assert_string_equal(a->trace_port, b->trace_port);
}

static void load_ok(struct sim_rep_config *c, const char *dir)
{
	char err[SIM_REP_ERR];

	if (sim_rep_load(c, dir, err, sizeof(err)))
		fail_msg("sim_rep_load %s: %s", dir, err);
}

/* The same folder with every CSV's columns reversed reads the same. */
static void check_shuffled(const char *dir, const char *name, const char *const *csvs, const char *const *copies)
{
	struct sim_rep_config a, b;
	char out[300];

	mkdir_in(tmp, name, out, sizeof(out));
	for (; *csvs; csvs++)
		shuffle_csv(dir, out, *csvs);
	for (; *copies; copies++)
		copy_file(dir, out, *copies);
	load_ok(&a, dir);
	load_ok(&b, out);
	check_same_config(&a, &b);
	sim_rep_config_free(&a);
	sim_rep_config_free(&b);
}

static void test_reader_by_name(void **state)
{
	static const char *const run_csvs[] = { "flows.csv", "links.csv", "trace.csv", NULL };
	static const char *const run_copies[] = { "summary.json", NULL };
	static const char *const pred_csvs[] = { "prediction.csv", NULL };
	/* a collective folder: the largest size's detail is under largest/, its default trace too */
	static const char *const coll_csvs[] = { "collective.csv", "largest/flows.csv", "largest/links.csv",
						 "largest/trace.csv", NULL };
	static const char *const coll_copies[] = { "summary.json", "largest/summary.json", NULL };
	struct sim_rep_config a;
	char out[300], sub[320];

	check_shuffled(run_dir, "run-shuffled", run_csvs, run_copies);
	check_shuffled(pred_dir, "pred-shuffled", pred_csvs, run_copies);
	mkdir_in(tmp, "coll-shuffled", out, sizeof(out));
	mkdir_in(out, "largest", sub, sizeof(sub));
	check_shuffled(coll_dir, "coll-shuffled", coll_csvs, coll_copies);
	/* the detail is really there: not two empty loads compared */
	load_ok(&a, coll_dir);
	assert_true(a.nflows > 0 && a.nlinks > 0 && a.ncoll == 2 && a.ntrace > 0 && a.trace_port[0]);
	sim_rep_config_free(&a);
	/* and the flow run read something of every file */
	load_ok(&a, run_dir);
	assert_true(a.nflows > 0 && a.nfct == a.nflows && a.nlinks > 0 && a.ntrace > 0);
	assert_string_equal(a.trace_port, "leaf0:spine0");
	sim_rep_config_free(&a);
}

/* stderr into a file while the loader runs: the library must not print. */
static int load_quiet(struct sim_rep_config *c, const char *dir, char *err, size_t len, char *printed,
		      size_t plen)
{
	FILE *t = tmpfile();
	int saved, rc;
	size_t n;

	assert_non_null(t);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(t), 2);
	rc = sim_rep_load(c, dir, err, len);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(t);
	n = fread(printed, 1, plen - 1, t);
	printed[n] = 0;
	fclose(t);
	sim_rep_config_free(c);
	return rc;
}

static void test_missing_column(void **state)
{
	char dir[300], want[600], err[SIM_REP_ERR], printed[256];
	struct sim_rep_config c;
	char *sum;

	mkdir_in(tmp, "missing", dir, sizeof(dir));
	sum = slurp(run_dir, "summary.json");
	spill(dir, "summary.json", sum);
	free(sum);
	/* not in the header: the file and the column */
	spill(dir, "flows.csv", "flow,src,dst,bytes,start_us\n0,0,1,1024,0\n");
	assert_int_equal(load_quiet(&c, dir, err, sizeof(err), printed, sizeof(printed)), -EINVAL);
	snprintf(want, sizeof(want), "%s/flows.csv: header has no 'fct_us' column: not a fabsim flows.csv", dir);
	assert_string_equal(err, want);
	assert_string_equal(printed, "");
	/* a row too short for it: FILE:LINE and the column, whatever its position */
	spill(dir, "flows.csv", "fct_us,flow\n12.5,0\n-1,1\n\n");
	assert_int_equal(load_quiet(&c, dir, err, sizeof(err), printed, sizeof(printed)), 0);
	spill(dir, "flows.csv", "flow,fct_us\n0,12.5\n1\n");
	assert_int_equal(load_quiet(&c, dir, err, sizeof(err), printed, sizeof(printed)), -EINVAL);
	snprintf(want, sizeof(want), "%s/flows.csv:3: column 'fct_us': missing (expected -1 or a number 0..1e+12)",
		 dir);
	assert_string_equal(err, want);
	assert_string_equal(printed, "");
	/* links.csv, columns reordered: the first column read that the row lacks */
	spill(dir, "flows.csv", "fct_us\n1\n");
	spill(dir, "links.csv", "paused_us,pfc_pauses_received,pfc_pauses_sent,ecn_marks,drops,max_queue_bytes,"
				"utilization,to_tier,from_tier,to,from\n0,0,0,0,0,0,0.5,1,0,leaf0,h0\n"
				"0,0,0,0,0,0,0.5,1,0\n");
	assert_int_equal(load_quiet(&c, dir, err, sizeof(err), printed, sizeof(printed)), -EINVAL);
	snprintf(want, sizeof(want), "%s/links.csv:3: column 'from': missing (expected a name of 1..63 characters)",
		 dir);
	assert_string_equal(err, want);
	/* and the values were read by name: h0 -> leaf0, tier 0 -> 1 */
	spill(dir, "links.csv", "paused_us,pfc_pauses_received,pfc_pauses_sent,ecn_marks,drops,max_queue_bytes,"
				"utilization,to_tier,from_tier,to,from\n7.5,4,3,2,1,4096,0.5,1,0,leaf0,h0\n");
	load_ok(&c, dir);
	assert_int_equal(c.nlinks, 1);
	assert_string_equal(c.links[0].from, "h0");
	assert_string_equal(c.links[0].to, "leaf0");
	assert_int_equal(c.links[0].from_tier, 0);
	assert_int_equal(c.links[0].to_tier, 1);
	assert_true(c.links[0].util == 0.5 && c.links[0].max_queue_bytes == 4096 && c.links[0].drops == 1 &&
		    c.links[0].ecn_marks == 2 && c.links[0].pauses_sent == 3 && c.links[0].pauses_rcvd == 4 &&
		    c.links[0].paused_us == 7.5);
	sim_rep_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_headers_unchanged),
		cmocka_unit_test(test_schema_old_names),
		cmocka_unit_test(test_schema_tables),
		cmocka_unit_test(test_writer_headers),
		cmocka_unit_test(test_writer_json_keys),
		cmocka_unit_test(test_reader_by_name),
		cmocka_unit_test(test_missing_column),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
