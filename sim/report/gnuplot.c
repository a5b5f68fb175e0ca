/*
 * The gnuplot kit every plot family of `fabsim report` uses (gnuplot.h):
 * the script's header, its inline data (datablocks), the terminals and the
 * line styles of every figure, the message-size axis and key that the
 * bandwidth plots share, and running gnuplot on the finished script. The
 * fuzz harness tests/fuzz/fuzz_report.c compiles this file with fork() and
 * waitpid() replaced, so all that starts a process stays here; with no
 * child, the pipe gp_run reads reaches its end at once, as after an exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/report/gnuplot.h"

#define GP_MAX_SIZE 9007199254740992.0	/* 2^53: the loader's bound on sizes */

/* Opens R->out_dir/STEM.gp with a header that says WHAT it draws. */
int sim_gp_open(struct sim_report *r, const char *stem, const char *what, FILE **out)
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s.gp", r->out_dir, stem);
	f = fopen(path, "w");
	if (!f) {
		err = errno;
		return sim_rep_fail(r, -err, "cannot write %s: %s", path, strerror(err));
	}
	fprintf(f, "# fabsim report: %s.\n"
		"# Draws %s.png and %s.svg: edit, then run 'gnuplot %s.gp' in this folder.\n\n",
		what, stem, stem, stem);
	*out = f;
	return 0;
}

/* A datablock $VAR, the script's inline data file, under a comment line. */
void sim_gp_data_begin(FILE *f, const char *var, const char *fmt, ...)
{
	va_list ap;

	fputs("# ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, "\n$%s << EOD\n", var);
}

void sim_gp_data_end(FILE *f)
{
	fprintf(f, "EOD\n\n");
}

/* A gnuplot single-quoted string: only the quote itself needs escaping. */
void sim_gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void gp_terminals(FILE *f, const char *stem, int w_px, int h_px)
{
	/*
	 * No 'set encoding utf8': cairo and SVG take labels' UTF-8 as it is,
	 * and under a non-UTF-8 locale (a fresh Debian root has only C)
	 * gnuplot warns on every script that sets it.
	 */
	fprintf(f, "do for [fmt in \"png svg\"] {\n"
		"\treset\n"
		"\tif (fmt eq \"png\") {\n"
		"\t\tset terminal pngcairo size %d,%d noenhanced font 'Sans,11'\n"
		"\t} else {\n"
		"\t\tset terminal svg size %d,%d noenhanced font 'Sans,11' background rgb 'white'\n"
		"\t}\n"
		"\tset output '%s.' . fmt\n",
		w_px, h_px, w_px, h_px, stem);
}

static void gp_styles(FILE *f)
{
	fprintf(f, "\tset grid\n");
	/* gnuplot's default yellow is unreadable on white: a darker cycle */
	fprintf(f, "\tset linetype 1 lc rgb '#1f77b4'\n\tset linetype 2 lc rgb '#ff7f0e'\n"
		"\tset linetype 3 lc rgb '#2ca02c'\n\tset linetype 4 lc rgb '#d62728'\n"
		"\tset linetype 5 lc rgb '#9467bd'\n\tset linetype 6 lc rgb '#8c564b'\n"
		"\tset linetype 7 lc rgb '#e377c2'\n\tset linetype 8 lc rgb '#17becf'\n"
		"\tset linetype 9 lc rgb '#7f7f7f'\n\tset linetype 10 lc rgb '#bcbd22'\n"
		"\tset linetype cycle 10\n");
}

/* Everything after this is drawn twice, once per output format. */
void sim_gp_loop_begin(FILE *f, const char *stem, int w_px, int h_px)
{
	gp_terminals(f, stem, w_px, h_px);
	gp_styles(f);
}

/* A title of two lines: what the plot shows, then the run it is about (LINE2 may be empty). */
void sim_gp_title2(FILE *f, const char *line1, const char *line2)
{
	fprintf(f, "\tset title ");
	sim_gp_str(f, line1);
	if (line2 && *line2) {
		fprintf(f, " . \"\\n\" . ");
		sim_gp_str(f, line2);
	}
	fputc('\n', f);
}

/* log2 x axis with ticks at powers of two labelled as on the command line */
void sim_gp_size_axis(FILE *f, double lo, double hi)
{
	int e, e0, e1, step;
	char label[32];

	/* the loader holds sizes to 1..2^53; keep the int conversions defined regardless */
	if (!(lo >= 1 && lo <= GP_MAX_SIZE))
		lo = 1;
	if (!(hi >= lo && hi <= GP_MAX_SIZE))
		hi = lo;
	e0 = (int)floor(log2(lo));
	e1 = (int)ceil(log2(hi));
	step = (e1 - e0) / 12 + 1;

	fprintf(f, "\tset logscale x 2\n\tset xrange [%g:%g]\n\tset xtics (", lo / 1.4, hi * 1.4);
	for (e = e0; e <= e1; e += step) {
		sim_rep_size_label(ldexp(1, e), label, sizeof(label));
		fprintf(f, "%s'%s' %.0f", e > e0 ? ", " : "", label, ldexp(1, e));
	}
	fprintf(f, ")\n\tset xlabel 'message size (bytes; 1K = 1024)'\n");
}

/*
 * The key outside the data area, so that no curve hides behind it: right
 * of the plot while NCURVES entries of up to LONGEST characters fit in a
 * column, below it otherwise.
 */
void sim_gp_key(FILE *f, size_t ncurves, size_t longest)
{
	if (ncurves > 12 || longest > 40)
		fprintf(f, "\tset key outside below center horizontal maxrows 6\n");
	else
		fprintf(f, "\tset key outside right top vertical Left reverse\n");
}

/* Headroom above keeps the line-rate reference off the border. */
void sim_gp_size_key(FILE *f, size_t ncurves, size_t longest)
{
	fprintf(f, "\tset yrange [0:*]\n\tset offsets 0, 0, graph 0.08, 0\n");
	sim_gp_key(f, ncurves, longest);
}

/*
 * Dashed reference at the NIC line rate: at 100% on a PERCENT axis, else
 * at each distinct rate among GBPS[N] (Gb/s) on a GB/s axis.
 */
void sim_gp_line_rates(FILE *f, const double *gbps, size_t n, bool percent)
{
	size_t i, j, k;

	if (percent) {
		fprintf(f, ", \\\n\t\t100 with lines dt 2 lw 1.5 lc rgb 'black' title 'NIC line rate (100%%)'");
		return;
	}
	for (i = 0, k = 0; i < n; i++) {
		for (j = 0; j < i && gbps[j] != gbps[i]; j++)
			;
		if (j < i || !(gbps[i] > 0))
			continue;
		/* several line rates: a dash pattern each */
		fprintf(f, ", \\\n\t\t%g with lines dt %zu lw 1.5 lc rgb 'black' "
			"title 'NIC line rate (%.4g Gb/s = %.3g GB/s)'", gbps[i] / 8, 2 + k++,
			gbps[i], gbps[i] / 8);
	}
}

/* Slots between two clusters of bars: one empty bar's width. */
#define GP_BAR_GAP 1

static double gp_bar_x(const struct sim_gp_bars *b, size_t k, size_t s)
{
	return (double)(k * (b->nseries + GP_BAR_GAP) + s);
}

static bool gp_bar_has_range(const struct sim_gp_bars *b, size_t s)
{
	size_t k, i;

	for (k = 0; k < b->nclusters; k++) {
		i = k * b->nseries + s;
		if (!isnan(b->mean[i]) && b->lo[i] < b->hi[i])
			return true;
	}
	return false;
}

static bool gp_bar_has_value(const struct sim_gp_bars *b, size_t s)
{
	size_t k;

	for (k = 0; k < b->nclusters; k++)
		if (!isnan(b->mean[k * b->nseries + s]))
			return true;
	return false;
}

/*
 * A datablock $bar<s> per series: x, mean, min, max and the value printed
 * above the bar; a bar without a value (NAN) is left out.
 */
void sim_gp_bars_data(FILE *f, const struct sim_gp_bars *b)
{
	char var[32];
	size_t k, s, i;
	double top;

	for (s = 0; s < b->nseries; s++) {
		snprintf(var, sizeof(var), "bar%zu", s);
		sim_gp_data_begin(f, var, "%s: x, mean, min, max, label (%s)", b->series[s], b->unit);
		for (k = 0; k < b->nclusters; k++) {
			i = k * b->nseries + s;
			if (isnan(b->mean[i]))
				continue;
			top = isnan(b->hi[i]) ? b->mean[i] : b->hi[i];
			fprintf(f, "%g %.6g %.6g %.6g \"%.1f\"\n", gp_bar_x(b, k, s), b->mean[i],
				isnan(b->lo[i]) ? b->mean[i] : b->lo[i], top, b->mean[i]);
		}
		sim_gp_data_end(f);
	}
}

/* Wide enough that each bar has room for its value: pixels across. */
int sim_gp_bars_width(const struct sim_gp_bars *b)
{
	size_t slots = b->nclusters * (b->nseries + GP_BAR_GAP);
	size_t w = 380 + 34 * slots;

	return w < 960 ? 960 : w > 2400 ? 2400 : (int)w;
}

/* The axes, the cluster names under them and the plot command of the bars. */
void sim_gp_bars_plot(FILE *f, const struct sim_gp_bars *b)
{
	size_t k, s, i, longest = 0;
	double ymax = 0;

	for (i = 0; i < b->nclusters * b->nseries; i++)
		if (!isnan(b->mean[i]))
			ymax = fmax(ymax, isnan(b->hi[i]) ? b->mean[i] : fmax(b->hi[i], b->mean[i]));
	for (s = 0; s < b->nseries; s++)
		longest = strlen(b->series[s]) > longest ? strlen(b->series[s]) : longest;
	/* room above the tallest bar for its value */
	fprintf(f, "\tset yrange [0:%g]\n\tset xrange [%g:%g]\n\tset grid noxtics ytics\n"
		"\tset boxwidth 0.85\n\tset style fill solid 0.85 border rgb 'black'\n"
		"\tset xtics scale 0 (",
		ymax > 0 ? ymax * 1.15 : 1, -1.0, gp_bar_x(b, b->nclusters, 0) - GP_BAR_GAP);
	for (k = 0; k < b->nclusters; k++) {
		fprintf(f, "%s", k ? ", " : "");
		sim_gp_str(f, b->cluster[k]);
		fprintf(f, " %g", gp_bar_x(b, k, 0) + (double)(b->nseries - 1) / 2);
	}
	fprintf(f, ")\n");
	if (b->nclusters > 4)
		fprintf(f, "\tset xtics rotate by 20 right\n");
	sim_gp_key(f, b->nseries, longest);
	fprintf(f, "\tplot ");
	for (s = 0, k = 0; s < b->nseries; s++) {
		/* a series without a value (older results): no bars, and gnuplot has nothing to warn of */
		if (!gp_bar_has_value(b, s))
			continue;
		fprintf(f, "%s$bar%zu using 1:2 with boxes lc %zu title ", k++ ? ", \\\n\t\t" : "", s, s + 1);
		sim_gp_str(f, b->series[s]);
		if (gp_bar_has_range(b, s))
			fprintf(f, ", \\\n\t\t$bar%zu " SIM_GP_RANGE_BAR " lc rgb 'black' lw 1.2 notitle", s);
		fprintf(f, ", \\\n\t\t$bar%zu using 1:4:5 with labels offset 0,0.7 font ',%d' notitle", s,
			b->nclusters * (b->nseries + GP_BAR_GAP) > 24 ? 8 : 10);
	}
	fprintf(f, "\n");
}

/* What the child could not do before gnuplot ran, sent to the parent. */
enum gp_step {
	GP_STEP_CHDIR,
	GP_STEP_EXEC,
};

/*
 * The child's side: enter DIR, become gnuplot. On failure the step and
 * errno go down FD (close-on-exec, so a successful exec closes it empty).
 */
static void gp_child(int fd, const char *dir, const char *script)
{
	int why[2] = { GP_STEP_CHDIR, 0 };
	ssize_t n;

	/* the script names its outputs relative to its own folder */
	if (!chdir(dir)) {
		why[0] = GP_STEP_EXEC;
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
	}
	why[1] = errno;
	n = write(fd, why, sizeof(why));
	(void)n;	/* nothing to do but exit */
	_exit(127);
}

/* gnuplot SCRIPT in DIR; the reason of a failure, the child's too, goes to r->err. */
static int gp_run(struct sim_report *r, const char *dir, const char *script)
{
	int status, err, fd[2], why[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC))
		goto out_errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(fd[0]);
		close(fd[1]);
		errno = err;
		goto out_errno;
	}
	if (!pid)
		gp_child(fd[1], dir, script);
	close(fd[1]);
	do
		n = read(fd[0], why, sizeof(why));
	while (n < 0 && errno == EINTR);
	close(fd[0]);
	if (waitpid(pid, &status, 0) < 0)
		status = -1;
	if (n == sizeof(why) && why[0] == GP_STEP_CHDIR)
		return sim_rep_fail(r, -why[1], "cannot enter %s: %s", dir, strerror(why[1]));
	if (n == sizeof(why))
		return sim_rep_fail(r, -why[1], "cannot run gnuplot: %s (is gnuplot installed?)", strerror(why[1]));
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return sim_rep_fail(r, -EIO, "gnuplot failed on %s/%s", dir, script);
	return 0;

out_errno:
	err = errno;
	return sim_rep_fail(r, -err, "cannot fork gnuplot: %s", strerror(err));
}

static int gp_add_plot(struct sim_report *r, const char *stem, const char *section,
		       const char *caption)
{
	struct sim_rep_plot *p = realloc(r->plots, (r->nplots + 1) * sizeof(*p));

	if (!p)
		goto out_nomem;
	r->plots = p;
	p += r->nplots;
	memset(p, 0, sizeof(*p));
	snprintf(p->stem, sizeof(p->stem), "%s", stem);
	p->section = section;
	p->caption = strdup(caption);
	if (!p->caption)
		goto out_nomem;
	r->nplots++;
	return 0;

out_nomem:
	return sim_rep_fail(r, -ENOMEM, "out of memory");
}

/*
 * Closes the loop sim_gp_loop_begin opened and the script, runs gnuplot,
 * records the three files and the plot under FAM's section.
 */
int sim_gp_finish(struct sim_report *r, FILE *f, const struct sim_rep_family *fam,
		  const char *stem, const char *caption)
{
	static const char *const ext[] = { "gp", "png", "svg" };
	char script[SIM_REP_NAME + 40], name[SIM_REP_NAME + 40];
	unsigned int i;
	int ret;

	fprintf(f, "\tunset output\n}\n");
	snprintf(script, sizeof(script), "%s.gp", stem);
	if (fclose(f))
		return sim_rep_fail(r, -EIO, "cannot write %s/%s", r->out_dir, script);
	ret = gp_run(r, r->out_dir, script);
	for (i = 0; i < 3 && !ret; i++) {
		snprintf(name, sizeof(name), "%s.%s", stem, ext[i]);
		ret = sim_rep_add_file(r, name);
	}
	return ret ? ret : gp_add_plot(r, stem, fam->section, caption);
}
