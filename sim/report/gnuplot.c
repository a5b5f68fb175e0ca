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
		"\tset linetype cycle 8\n");
}

/* Everything after this is drawn twice, once per output format. */
void sim_gp_loop_begin(FILE *f, const char *stem, int w_px, int h_px)
{
	gp_terminals(f, stem, w_px, h_px);
	gp_styles(f);
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
 * Bandwidth grows with message size, so the lower right corner is free for
 * the key; headroom above keeps the line-rate reference off the border.
 */
void sim_gp_size_key(FILE *f, size_t ncurves)
{
	fprintf(f, "\tset yrange [0:*]\n\tset offsets 0, 0, graph 0.08, 0\n");
	if (ncurves > 8)
		fprintf(f, "\tset key below\n");
	else
		fprintf(f, "\tset key bottom right opaque box\n");
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
