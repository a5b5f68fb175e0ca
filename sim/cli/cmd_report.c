/*
 * `fabsim report`: turns results folders of `fabsim run` and
 * `fabsim predict` into gnuplot plots (PNG, SVG and the .gp script that
 * made them) and a report.md that embeds them with the key figures. This
 * file handles the command line, finds the configurations (a results folder,
 * or the results folders one level below) and prints the files written and
 * any error; sim/report/ reads (report_load.c) and writes (report_plot.c,
 * report_md.c) without printing or calling back into sim/cli.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/cli/cmd.h"
#include "sim/cli/opt.h"
#include "sim/report/report.h"
#include "sim/results/stats.h"

struct report_opts {
	const char *out_dir;	/* NULL: the first DIR */
	const char *port;	/* FROM:TO or NULL */
	const char *p2p;	/* fabbench --p2p-csv file or NULL */
	char **dirs;
	int ndirs;
};

/* --port FROM:TO: two node names, checked before anything is read */
static int report_opt_port(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':');

	if (!colon || colon == arg || !colon[1] || strchr(colon + 1, ':')) {
		snprintf(err, errlen, "--port '%s': expected FROM:TO node names, like leaf0:spine0", arg);
		return -1;
	}
	((struct report_opts *)obj)->port = arg;
	return 0;
}

static const struct sim_opt report_opts_table[] = {
	SIM_OPT_STR("out", 'o', "OUTDIR", struct report_opts, out_dir, "where to write (default: the first DIR)"),
	SIM_OPT_CUSTOM("port", 'p', "FROM:TO", report_opt_port, NULL,
		       "port the queue plots and the port table are about\n"
		       "(default: each run's busiest, the deepest\n"
		       "max_queue_bytes in links.csv; its queue over time\n"
		       "needs a trace.csv of it: fabsim run --trace-port)"),
	SIM_OPT_STR("p2p", 0, "FILE", struct report_opts, p2p,
		    "fabbench --p2p all --p2p-csv FILE: latency and\n"
		    "bandwidth heatmaps, rank x rank, the slowest pair\n"
		    "named (DIRs optional with it)"),
	SIM_OPT_HELP("show this help"),
};

static const struct sim_opt_group report_groups[] = {
	SIM_OPT_GROUP(NULL, report_opts_table),
};

static const struct sim_opt_cmd report_cmd = {
	.name = "fabsim report",
	.usage_head =
		"usage: fabsim report [-o OUTDIR] [--port FROM:TO] [--p2p FILE] DIR [DIR...]\n"
		"       fabsim report [-o OUTDIR] --p2p FILE\n"
		"\n"
		"Plot and summarize results folders written by 'fabsim run' and 'fabsim predict'.\n"
		"A DIR is a results folder (summary.json, collective.csv or prediction.csv) or\n"
		"holds results folders one level down; each results folder is a configuration,\n"
		"named by its folder name; a DIR with a ladder.csv (experiments/flagship.sh)\n"
		"adds the ablation ladder's charts and table. Writes PNG and SVG plots, the\n"
		"gnuplot script of each (<plot>.gp, rerun with 'gnuplot <plot>.gp' inside\n"
		"OUTDIR) and report.md, and prints the files written.\n"
		"\n",
	.usage_tail =
		"\n"
		"plots: ladder-<workload> (ladder.csv), effective-vs-size, busbw-vs-size,\n"
		"busbw-per-nic-vs-size, nic-busy-vs-size, time-vs-size (collectives),\n"
		"flow-throughput (flow workloads), fct-cdf, heatmap-<config>-<tier>-<tier>\n"
		"(links.csv: one per tier pair, up and down, e.g. heatmap-<config>-leaf-spine),\n"
		"queue-<config> (trace.csv), predicted-vs-measured-<collective>\n"
		"(prediction.csv), p2p-latency, p2p-bandwidth (--p2p). Several seeds\n"
		"(--seeds): mean, with min-max error bars.\n",
	.help_col = 23,
	.stop_at_arg = true,
	.usage_on_error = true,
	SIM_OPT_GROUPS(report_groups),
};

/* Returns -1 to exit 0 (help), 0 to go on, or 2 on bad usage. */
static int report_parse_args(int argc, char **argv, struct report_opts *o)
{
	int first, rc = sim_opt_parse(&report_cmd, argc, argv, o, &first);

	if (rc)
		return rc > 0 ? -1 : 2;
	if (first >= argc && !o->p2p) {
		fprintf(stderr, "fabsim report: expected at least one results DIR (or --p2p FILE)\n");
		sim_opt_usage(&report_cmd, stderr);
		return 2;
	}
	if (o->out_dir && !*o->out_dir) {
		fprintf(stderr, "fabsim report: --out needs a folder name\n");
		return 2;
	}
	if (o->p2p && !*o->p2p) {
		fprintf(stderr, "fabsim report: --p2p needs a file name\n");
		return 2;
	}
	o->dirs = argv + first;
	o->ndirs = argc - first;
	return 0;
}

static int report_add_config(struct sim_report *r, size_t *cap, const char *dir)
{
	if (sim_rep_grow(&r->cfg, cap, r->ncfg, sizeof(*r->cfg), r->err, sizeof(r->err)))
		goto out_print;
	if (sim_rep_load(&r->cfg[r->ncfg], dir, r->err, sizeof(r->err))) {
		sim_rep_config_free(&r->cfg[r->ncfg]);
		goto out_print;
	}
	r->ncfg++;
	return 0;

out_print:
	fprintf(stderr, "%s\n", r->err);
	r->err[0] = 0;
	return -1;
}

static int report_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int report_not_results(const char *dir)
{
	fprintf(stderr, "%s: no summary.json, collective.csv or prediction.csv, here or one level "
		"down: not a fabsim results folder\n", dir);
	return -1;
}

/* Subfolders in name order, so that curves and tables come out the same. */
static int report_scan_subdirs(struct sim_report *r, size_t *cap, const char *dir, int ladder)
{
	struct dirent **ents;
	char sub[4096];
	int i, n, found = 0, ret = 0;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "fabsim report: cannot list %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!ret && ents[i]->d_name[0] != '.') {
			sim_rep_join(sub, sizeof(sub), dir, ents[i]->d_name);
			if (report_is_dir(sub) && sim_rep_is_results(sub)) {
				ret = report_add_config(r, cap, sub);
				found++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (!ret && !found && !ladder)
		return report_not_results(dir);
	return ret;
}

static int report_scan(struct sim_report *r, size_t *cap, const char *dir)
{
	int ladder;

	if (!report_is_dir(dir)) {
		fprintf(stderr, "%s: no such folder, expected a fabsim results folder\n", dir);
		return -1;
	}
	/* the flagship's ablation ladder: its folder may hold no run of its own */
	ladder = sim_rep_load_ladder(r, dir);
	if (ladder < 0) {
		fprintf(stderr, "%s\n", r->err);
		r->err[0] = 0;
		return -1;
	}
	if (sim_rep_is_results(dir))
		return report_add_config(r, cap, dir);
	return report_scan_subdirs(r, cap, dir, ladder);
}

static int report_stem_taken(const struct sim_report *r, size_t n, const char *stem)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(r->cfg[i].stem, stem))
			return 1;
	return 0;
}

/* Two folders named alike (a/roce, b/roce) must not share plot files. */
static void report_unique_names(struct sim_report *r)
{
	char base[SIM_REP_NAME], stem[SIM_REP_NAME];
	size_t i;
	int k;

	for (i = 1; i < r->ncfg; i++) {
		struct sim_rep_config *c = &r->cfg[i];

		memcpy(base, c->name, sizeof(base));
		memcpy(stem, c->stem, sizeof(stem));
		for (k = 2; report_stem_taken(r, i, c->stem); k++) {
			snprintf(c->name, sizeof(c->name), "%.100s-%d", base, k);
			snprintf(c->stem, sizeof(c->stem), "%.100s-%d", stem, k);
		}
	}
}

static void report_free(struct sim_report *r)
{
	size_t i;

	for (i = 0; i < r->ncfg; i++)
		sim_rep_config_free(&r->cfg[i]);
	free(r->cfg);
	sim_rep_p2p_free(&r->p2p);
	free(r->ladder);
	for (i = 0; i < r->nplots; i++)
		free(r->plots[i].caption);
	free(r->plots);
	for (i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->files);
}

static int report_build(struct sim_report *r, const struct report_opts *o)
{
	size_t cap = 0;
	int i;

	if (o->p2p && sim_rep_load_p2p(r, o->p2p)) {
		fprintf(stderr, "fabsim report: %s\n", r->err);
		return -1;
	}
	for (i = 0; i < o->ndirs; i++)
		if (report_scan(r, &cap, o->dirs[i]))
			return -1;
	report_unique_names(r);
	if (sim_mkdir_p(r->out_dir)) {
		fprintf(stderr, "fabsim report: cannot create %s: %s\n", r->out_dir, strerror(errno));
		return -1;
	}
	/* the report layer does not print: it leaves the reason in r->err */
	if (sim_rep_plots(r) || sim_rep_write_md(r)) {
		if (r->err[0])
			fprintf(stderr, "fabsim report: %s\n", r->err);
		return -1;
	}
	return 0;
}

/* The folder of PATH ("." for a bare name): where --p2p alone writes. */
static const char *report_dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return ".";
	snprintf(buf, len, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return buf;
}

int sim_cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct sim_report r = { 0 };
	char p2p_dir[4096];
	size_t i;
	int ret;

	ret = report_parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	r.out_dir = o.out_dir ? o.out_dir : o.ndirs ? o.dirs[0] : report_dir_of(o.p2p, p2p_dir, sizeof(p2p_dir));
	r.port = o.port;
	r.warn = stderr;
	r.info = stdout;
	ret = report_build(&r, &o);
	if (!ret) {
		for (i = 0; i < r.nfiles; i++)
			printf("%s\n", r.files[i]);
		if (fflush(stdout))
			ret = -1;
	}
	report_free(&r);
	return ret ? 1 : 0;
}
