/*
 * What the flow and the collective workloads of `fabsim run` share for
 * their output: the command line recorded in summary.json, a results
 * folder emptied of an earlier run's files, the --trace-port file and the
 * progress line (on a terminal, or anywhere with --progress).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collectives/units.h"
#include "sim/cli/cmd.h"
#include "sim/cli/run_opts.h"
#include "sim/fabric/dist.h"
#include "sim/results/schema.h"
#include "sim/results/stats.h"

/* The progress line is redrawn about twice a second. */
#define RUN_PROGRESS_INTERVAL_S 0.5

static int sim_run_trace(struct sim *s, const struct run_opts *o, FILE **f)
{
	char path[4096];
	uint32_t port;

	*f = NULL;
	if (!o->trace_spec) {
		/* nowhere to write it: sample nothing */
		if (!o->out_dir || !*o->out_dir)
			return 0;
		if (!sim_trace_all(s, o->trace_interval_ps, RUN_TRACE_SAMPLES, RUN_TRACE_BUDGET))
			return 0;
		fprintf(stderr, "fabsim run: %s\n", sim_error(s));
		return -1;
	}
	/* --timeline reads every switch port's samples: the default trace too */
	if (o->timeline && sim_trace_all(s, o->trace_interval_ps, RUN_TRACE_SAMPLES, RUN_TRACE_BUDGET)) {
		fprintf(stderr, "fabsim run: %s\n", sim_error(s));
		return -1;
	}
	port = sim_port_lookup(s->topo, o->trace_spec);
	if (port == SIM_NONE) {
		fprintf(stderr, "fabsim run: --trace-port '%s': expected a port index below %u or FROM:TO node names\n",
			o->trace_spec, s->topo->nports);
		return -1;
	}
	if (!o->out_dir || !*o->out_dir || sim_mkdir_p(o->out_dir)) {
		fprintf(stderr, "fabsim run: --trace-port needs a writable --out folder\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", o->out_dir, sim_schema_trace.file);
	*f = fopen(path, "w");
	if (!*f) {
		fprintf(stderr, "fabsim run: cannot write %s\n", path);
		return -1;
	}
	/* the rows are sim.c's, in the columns of sim/results/schema.h */
	sim_schema_write_header(&sim_schema_trace, *f);
	sim_trace_port(s, port, o->trace_interval_ps, *f);
	return 0;
}

int sim_run_setup(struct sim *s, const struct run_opts *o, bool traced, FILE **trace)
{
	bool other = o->part && sim_launch->rank;

	*trace = NULL;
	/* before the traces, which keep room for a window's samples */
	if (o->part && sim_dist_attach(s, sim_launch->size, sim_launch->rank, o->part->part, o->part->lookahead_ps)) {
		fprintf(stderr, "fabsim run: %s\n", sim_error(s));
		return -1;
	}
	if (!traced)
		return 0;
	if (!other && sim_run_trace(s, o, trace))
		return -1;
	/* part 0 samples the default trace when it writes results without --trace-port: so must every part */
	if (other && o->part_out && !o->trace_spec && sim_trace_all(s, o->trace_interval_ps, RUN_TRACE_SAMPLES, RUN_TRACE_BUDGET)) {
		fprintf(stderr, "fabsim run: %s\n", sim_error(s));
		return -1;
	}
	/* the named trace: every part samples, the port's owner's rows go to part 0's file */
	if (o->part && o->trace_spec &&
	    sim_dist_trace_port(s, sim_port_lookup(s->topo, o->trace_spec), o->trace_interval_ps, *trace)) {
		fprintf(stderr, "fabsim run: out of memory for the port's trace\n");
		return -1;
	}
	return 0;
}

int sim_run_go(struct sim *s, const struct run_opts *o)
{
	return o->part ? sim_dist_run(s, sim_launch->ops, sim_launch->ctx) : sim_run(s);
}

void sim_run_parallel(const struct sim *s, const struct run_opts *o, struct sim_results *r)
{
	if (!o->part)
		return;
	r->processes = sim_launch->size;
	r->partition = sim_part_mode_name(o->part->mode);
	r->lookahead_ps = o->part->lookahead_ps;
	r->windows = sim_dist_stats(s)->windows;
	r->exchanged_frames = sim_dist_stats(s)->frames_all;
	r->exchanged_bytes = sim_dist_stats(s)->bytes_all;
	r->wait_s = sim_dist_stats(s)->wait_max_s;
}

bool sim_run_reports(const struct run_opts *o)
{
	return !o->part || !sim_launch->rank;
}

int sim_run_trace_write(const struct sim *s, const char *dir, bool say)
{
	char path[4096], name[160], every[48];
	uint64_t interval;
	uint32_t port;
	FILE *f;

	/* the --trace-port file is written as the run goes */
	if (s->trace || !sim_results_trace(s, &port, &interval))
		return 0;
	if (sim_mkdir_p(dir)) {
		fprintf(stderr, "fabsim run: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, sim_schema_trace.file);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "fabsim run: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	sim_schema_write_header(&sim_schema_trace, f);
	sim_trace_write(s, port, f);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "fabsim run: cannot write %s\n", path);
		return -1;
	}
	if (say) {
		coll_fmt_qty(COLL_QTY_TIME, interval, every, sizeof(every));
		printf("trace        %s: port %s (highest peak queue), sampled every %s\n", path,
		       sim_results_port_name(s, port, name, sizeof(name)), every);
	}
	return 0;
}

int sim_run_timeline_write(const struct sim *s, const char *dir, bool say)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sim_schema_timeline.file);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "fabsim run: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	sim_schema_write_header(&sim_schema_timeline, f);
	if (sim_trace_write_timeline(s, f))
		fprintf(stderr, "fabsim run: no samples for %s\n", path);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "fabsim run: cannot write %s\n", path);
		return -1;
	}
	if (say)
		printf("timeline     %s: throughput and tier utilization per %.3f us\n", path,
		       sim_trace_interval(s) * 1e-6);
	return 0;
}

static int run_unlink(const char *dir, const char *sub, const char *name)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s%s%s%s%s", dir ? dir : "", dir ? "/" : "", sub ? sub : "",
			 sub ? "/" : "", name);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "fabsim run: output path too long: %s...\n", path);
		return -1;
	}
	if (unlink(path) && errno != ENOENT && errno != ENOTDIR) {
		fprintf(stderr, "fabsim run: cannot remove the earlier %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int sim_results_clean(const char *dir, const char *bench_json)
{
	/* every result file */
	static const struct sim_schema *const files[] = {
		&sim_schema_summary, &sim_schema_flows, &sim_schema_links, &sim_schema_trace, &sim_schema_timeline,
		&sim_schema_coll,
		&sim_schema_pred, &sim_schema_seeds,
	};
	char path[4096];

	if (bench_json && *bench_json && run_unlink(NULL, NULL, bench_json))
		return -1;
	if (!dir || !*dir)
		return 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (run_unlink(dir, NULL, files[i]->file) || run_unlink(dir, "largest", files[i]->file))
			return -1;
	/* only when empty: anything else in it is the user's */
	snprintf(path, sizeof(path), "%s/largest", dir);
	rmdir(path);
	return 0;
}

char *sim_cmdline(int argc, char **argv)
{
	size_t len = 16;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "fabsim");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * What the progress line remembers between two calls: where it is drawn,
 * and the previous call, for events/s over the last interval.
 */
struct run_progress_state {
	bool tty;		/* redrawn in place with '\r'; else one line per update */
	double last_wall_s;	/* wall clock of the previous call, s since its sim_run began */
	uint64_t last_events;
};

static struct run_progress_state run_progress_st;

/* Events/s since the previous call of this sim_run (a new run starts again from 0). */
static double run_progress_rate(struct run_progress_state *st, const struct sim_progress *p)
{
	double dt;
	uint64_t de;

	if (p->wall_s < st->last_wall_s || p->events < st->last_events) {
		st->last_wall_s = 0;
		st->last_events = 0;
	}
	dt = p->wall_s - st->last_wall_s;
	de = p->events - st->last_events;
	st->last_wall_s = p->wall_s;
	st->last_events = p->events;
	return dt > 0 ? de / dt : 0;
}

/*
 * "ETA 12s": the wall-clock time left if the rest goes as fast as what is
 * done: the payload delivered of every flow's (flow workloads), else the
 * flows done (collectives, whose sizes are made as they start); "ETA n/a"
 * before anything is done.
 */
static void run_progress_eta(const struct sim_progress *p, char *buf, size_t len)
{
	double frac = 0, left_s;

	if (p->total_bytes)
		frac = (double)p->delivered_bytes / (double)p->total_bytes;
	else if (p->nflows)
		frac = (double)p->flows_done / (double)p->nflows;
	if (frac <= 0 || frac >= 1) {
		snprintf(buf, len, "ETA n/a");
		return;
	}
	left_s = p->wall_s * (1 - frac) / frac;
	if (left_s < 100)
		snprintf(buf, len, "ETA %.0fs", left_s);
	else if (left_s < 6000)
		snprintf(buf, len, "ETA %.0fmin", left_s / 60);
	else
		snprintf(buf, len, "ETA %.1fh", left_s / 3600);
}

/* On a terminal: one line, redrawn in place, erased when the run returns. */
static void run_progress(void *arg, const struct sim_progress *p)
{
	struct run_progress_state *st = arg;
	char eta[32];
	double rate;

	if (p->final) {
		if (st->tty)
			fprintf(stderr, "\r%78s\r", "");
		st->last_wall_s = 0;
		st->last_events = 0;
		return;
	}
	rate = run_progress_rate(st, p);
	run_progress_eta(p, eta, sizeof(eta));
	fprintf(stderr, "%s  t=%.3f us  %.2fM events/s  flows %llu/%llu  %.1fs  %s%s", st->tty ? "\r" : "",
		p->now_ps / 1e6, rate / 1e6, (unsigned long long)p->flows_done, (unsigned long long)p->nflows,
		p->wall_s, eta, st->tty ? "   " : "\n");
}

void sim_run_progress_setup(struct sim_config *cfg, bool force)
{
	run_progress_st.tty = isatty(STDERR_FILENO);
	if (!run_progress_st.tty && !force)
		return;
	cfg->progress = run_progress;
	cfg->progress_arg = &run_progress_st;
	cfg->progress_interval_s = RUN_PROGRESS_INTERVAL_S;
}
