/*
 * Plot family "queues and PFC": per configuration with a trace.csv, the
 * egress queue of the traced port over time with the time it was paused
 * by PFC shaded (top), and its cumulative ECN marks, PFC pauses and drops
 * (bottom).
 */
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "sim/report/gnuplot.h"

#define REP_TRACE_POINTS 3000

/* Long traces: keep each bucket's peak queue and pause so spikes survive. */
static void gp_trace_block(FILE *f, const struct sim_rep_config *c)
{
	size_t i, k, step = c->ntrace / REP_TRACE_POINTS + 1;

	sim_gp_data_begin(f, "trace", "time (us), data queue (KB), paused (0/1), cumulative: ECN marks, "
			  "pauses received, pauses sent, drops");
	for (i = 0; i < c->ntrace; i += step) {
		const struct sim_rep_sample *s = &c->trace[i], *last;
		double q = 0, paused = 0;

		for (k = i; k < c->ntrace && k < i + step; k++) {
			q = fmax(q, c->trace[k].queue_bytes);
			paused = fmax(paused, c->trace[k].paused);
		}
		last = &c->trace[k - 1];
		fprintf(f, "%.3f %.3f %.0f %.0f %.0f %.0f %.0f\n", s->time_us, q / 1024, paused,
			last->ecn_marks, last->pauses_rcvd, last->pauses_sent, last->drops);
	}
	sim_gp_data_end(f);
}

static void gp_queue_body(FILE *f, const struct sim_rep_config *c, const char *title, const char *ctx,
			  const char *note)
{
	const struct sim_rep_sample *end = &c->trace[c->ntrace - 1];
	double qmax = 0, nmax;
	size_t i;

	/* an idle port draws flat lines at 0: say so, or it looks broken */
	for (i = 0; i < c->ntrace; i++)
		qmax = fmax(qmax, c->trace[i].queue_bytes);
	nmax = fmax(fmax(end->ecn_marks, end->drops), fmax(end->pauses_rcvd, end->pauses_sent));
	fprintf(f, "\tset multiplot title ");
	sim_gp_str(f, title);
	if (*ctx) {
		fprintf(f, " . \"\\n\" . ");
		sim_gp_str(f, ctx);
	}
	if (*note) {
		fprintf(f, " . \"\\n\" . ");
		sim_gp_str(f, note);
	}
	fprintf(f, "\n\tset lmargin 12\n\tset rmargin 34\n"
		"\tset origin 0,0.36\n\tset size 1,%s\n"
		"\tset ylabel 'data queue (KB)'\n\tset yrange [0:%s]\n"
		"\tset y2label 'PFC pause state'\n\tset y2range [0:1.05]\n"
		"\tset y2tics ('running' 0, 'paused' 1)\n\tset format x ''\n"
		"\tset key outside right top\n%s"
		"\tplot $trace using 1:3 axes x1y2 with fillsteps fs transparent solid 0.3 noborder "
		"lc rgb '#d62728' title 'paused by PFC', \\\n"
		"\t\t$trace using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'data queue'\n",
		/* a third title line needs room above the top plot */
		*note ? "0.54" : "0.58", qmax > 0 ? "*" : "1", qmax > 0 ? "" : "\tset label 1 'the queue stayed empty at this port' at graph 0.5, 0.5 center\n");
	fprintf(f, "\tset origin 0,0\n\tset size 1,0.38\n\tunset y2tics\n\tunset y2label\n"
		"\tset format x '%%g'\n\tset xlabel 'time (us)'\n\tset ylabel 'cumulative count'\n"
		"\tset yrange [0:%s]\n\tunset label 1\n%s"
		"\tset key outside right center\n"
		"\tplot $trace using 1:4 with lines lw 2 title 'ECN marks (%.0f)', \\\n"
		"\t\t$trace using 1:5 with lines lw 2 title 'PFC pauses received (%.0f)', \\\n"
		"\t\t$trace using 1:6 with lines lw 2 dt 3 title 'PFC pauses sent (%.0f)', \\\n"
		"\t\t$trace using 1:7 with lines lw 2 title 'drops (%.0f)'\n"
		"\tunset multiplot\n",
		nmax > 0 ? "*" : "1", nmax > 0 ? "" :
		"\tset label 1 'no ECN marks, PFC pauses or drops at this port' at graph 0.5, 0.5 center\n",
		end->ecn_marks, end->pauses_rcvd, end->pauses_sent, end->drops);
}

/* Which port the plot is about, why, and whether trace.csv holds it. */
struct rep_queue_port {
	const char *want;	/* --port, else the busiest of links.csv, else trace.csv's; NULL: unknown */
	const char *shown;	/* the port trace.csv samples: WANT when it holds it */
	bool traced;		/* trace.csv holds WANT */
	char why[160];		/* "the busiest: max queue 538962 B in links.csv" */
};

static void rep_queue_port(const struct sim_report *r, const struct sim_rep_config *c, struct rep_queue_port *q)
{
	const struct sim_rep_link *b = c->busiest;

	q->want = sim_rep_port(r, c);
	/* a trace.csv from before summary.json named its port: take it for the one asked */
	q->traced = !q->want || !c->trace_port[0] || !strcmp(q->want, c->trace_port);
	q->shown = q->traced ? q->want : c->trace_port;
	if (r->port)
		snprintf(q->why, sizeof(q->why), "named by --port");
	else if (b && isnan(b->port))
		snprintf(q->why, sizeof(q->why), "the busiest: max queue %.0f B in links.csv", b->max_queue_bytes);
	else if (b)
		snprintf(q->why, sizeof(q->why), "port %.0f, the busiest: max queue %.0f B in links.csv", b->port,
			 b->max_queue_bytes);
	else
		snprintf(q->why, sizeof(q->why), "the run's traced port");
}

/* On r->info: which port the plot traces, or why it cannot. */
static void rep_queue_say(const struct sim_report *r, const char *stem, const struct rep_queue_port *q)
{
	if (!r->info)
		return;
	if (q->traced)
		fprintf(r->info, "%s: port %s (%s)\n", stem, q->want ? q->want : "(not named)", q->why);
	else
		fprintf(r->info, "%s: port %s (%s) is not in trace.csv, which samples %s: drawn instead; "
			"rerun 'fabsim run' with --trace-port %s to trace it\n", stem, q->want, q->why, q->shown,
			q->want);
}

static void rep_queue_caption(const struct sim_rep_config *c, const struct rep_queue_port *q, char *cap,
			      size_t len)
{
	const struct sim_rep_sample *end = &c->trace[c->ntrace - 1];
	double qmax = 0, paused_us = 0;
	size_t i;

	for (i = 0; i < c->ntrace; i++) {
		qmax = fmax(qmax, c->trace[i].queue_bytes);
		if (i && c->trace[i - 1].paused > 0)
			paused_us += c->trace[i].time_us - c->trace[i - 1].time_us;
	}
	snprintf(cap, len, "Egress queue of %s in %s over time (top, with the time the port was "
		 "paused by PFC shaded), and the cumulative ECN marks, PFC pauses and drops at "
		 "that port (bottom). Peak queue %.1f KB; paused for %.1f us of %.1f us; %.0f ECN "
		 "marks, %.0f pauses received, %.0f sent, %.0f drops.",
		 q->shown ? q->shown : "the traced port", c->name, qmax / 1024, paused_us,
		 end->time_us, end->ecn_marks, end->pauses_rcvd, end->pauses_sent, end->drops);
	if (q->shown && q->traced)
		sim_rep_cat(cap, len, " The port is %s.", q->why);
	else if (q->shown)
		sim_rep_cat(cap, len, " The port asked for, %s (%s), is not in trace.csv: rerun 'fabsim run' "
			    "with --trace-port %s to trace it.", q->want, q->why, q->want);
}

int sim_rep_plot_queue(struct sim_report *r, const struct sim_rep_family *fam,
		       const struct sim_rep_config *c)
{
	char stem[SIM_REP_NAME + 16], title[768], ctx[SIM_REP_LEGEND], cap[SIM_REP_CAPTION], note[512] = "";
	struct rep_queue_port q;
	FILE *f;
	int ret;

	assert(c->ntrace > 0);	/* SIM_REP_NEED_TRACE */
	rep_queue_port(r, c, &q);
	sim_rep_ctx_line(c, ctx, sizeof(ctx));
	snprintf(stem, sizeof(stem), "queue-%s", c->stem);
	if (q.traced)
		snprintf(title, sizeof(title), "%s: queue and PFC at port %s%s%s%s", c->name,
			 q.want ? q.want : "(traced port)", q.want ? " (" : "", q.want ? q.why : "",
			 q.want ? ")" : "");
	else
		snprintf(title, sizeof(title), "%s: queue and PFC at port %s, the one trace.csv samples", c->name,
			 q.shown);
	if (!q.traced)
		snprintf(note, sizeof(note), "not traced: %s (%s); rerun 'fabsim run' with --trace-port %s",
			 q.want, q.why, q.want);
	if (c->kind == SIM_REP_COLL)
		sim_rep_cat(title, sizeof(title), ", largest size");
	ret = sim_gp_open(r, stem, title, &f);
	if (ret)
		return ret;
	rep_queue_say(r, stem, &q);
	gp_trace_block(f, c);
	sim_gp_loop_begin(f, stem, 1100, 700);
	gp_queue_body(f, c, title, ctx, note);
	rep_queue_caption(c, &q, cap, sizeof(cap));
	return sim_gp_finish(r, f, fam, stem, cap);
}
