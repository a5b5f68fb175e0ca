/*
 * `fabsim report`: turns results folders of `fabsim run` and
 * `fabsim predict` into gnuplot plots (PNG, SVG and the .gp script that
 * made them) and a report.md that embeds them with the key figures. This
 * file handles the command line, finds the configurations (a results folder,
 * or the results folders one level below) and owns the list of files
 * written; sim/report/report_load.c reads, sim/report/report_plot.c and sim/report/report_md.c
 * write.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/cli/cmd.h"
#include "sim/report/report.h"
#include "sim/results/stats.h"

struct report_opts {
	const char *out_dir;	/* NULL: the first DIR */
	const char *port;	/* FROM:TO or NULL */
	char **dirs;
	int ndirs;
};

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: fabsim report [-o OUTDIR] [--port FROM:TO] DIR [DIR...]\n"
		"\n"
		"Plot and summarize results folders written by 'fabsim run' and 'fabsim predict'.\n"
		"A DIR is a results folder (summary.json, collective.csv or prediction.csv) or\n"
		"holds results folders one level down; each results folder is a configuration,\n"
		"named by its folder name. Writes PNG and SVG plots, the gnuplot script of each\n"
		"(<plot>.gp, rerun with 'gnuplot <plot>.gp' inside OUTDIR) and report.md, and\n"
		"prints the files written.\n"
		"\n"
		"  -o, --out OUTDIR     where to write (default: the first DIR)\n"
		"  -p, --port FROM:TO   port the queue plots and the port table are about\n"
		"                       (default: each run's --trace-port)\n"
		"  -h, --help           show this help\n"
		"\n"
		"plots: effective-vs-size, busbw-vs-size, nic-busy-vs-size (collectives),\n"
		"fct-cdf, heatmap-<config> (busiest switch tier), queue-<config> (trace.csv),\n"
		"predicted-vs-measured-<collective> (prediction.csv).\n");
}

static int report_check_port(const char *port)
{
	const char *colon = strchr(port, ':');

	if (colon && colon != port && colon[1] && !strchr(colon + 1, ':'))
		return 0;
	fprintf(stderr, "fabsim report: --port '%s': expected FROM:TO node names, like leaf0:spine0\n",
		port);
	return 2;
}

/* Returns -1 to exit 0 (help), 0 to go on, or 2 on bad usage. */
static int report_parse_args(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	/* main may already have run getopt on another vector */
	optind = 0;
	while ((c = getopt_long(argc, argv, "+o:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out_dir = optarg;
			break;
		case 'p':
			if (report_check_port(optarg))
				return 2;
			o->port = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return -1;
		default:
			report_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "fabsim report: expected at least one results DIR\n");
		report_usage(stderr);
		return 2;
	}
	if (o->out_dir && !*o->out_dir) {
		fprintf(stderr, "fabsim report: --out needs a folder name\n");
		return 2;
	}
	o->dirs = argv + optind;
	o->ndirs = argc - optind;
	return 0;
}

int sim_rep_add_file(struct sim_report *r, const char *name)
{
	char **files = realloc(r->files, (r->nfiles + 1) * sizeof(*files));
	size_t len = strlen(r->out_dir) + strlen(name) + 2;
	char *path = malloc(len);

	if (files)
		r->files = files;
	if (!files || !path) {
		free(path);
		fprintf(stderr, "fabsim report: out of memory\n");
		return -1;
	}
	snprintf(path, len, "%s/%s", r->out_dir, name);
	r->files[r->nfiles++] = path;
	return 0;
}

/* Binary units as the sizes are typed on the fabsim command line: 64M. */
void sim_rep_size_label(double bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "K", "M", "G", "T" };
	double v = bytes;
	int i = 0;

	while (i < 4 && v >= 1024) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%g%s", v, units[i]);
}

const char *sim_rep_port(const struct sim_report *r, const struct sim_rep_config *c)
{
	if (r->port)
		return r->port;
	return c->trace_port[0] ? c->trace_port : NULL;
}

static int report_add_config(struct sim_report *r, size_t *cap, const char *dir)
{
	if (sim_rep_grow(&r->cfg, cap, r->ncfg, sizeof(*r->cfg)))
		return -1;
	if (sim_rep_load(&r->cfg[r->ncfg], dir)) {
		sim_rep_config_free(&r->cfg[r->ncfg]);
		return -1;
	}
	r->ncfg++;
	return 0;
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
static int report_scan_subdirs(struct sim_report *r, size_t *cap, const char *dir)
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
	if (!ret && !found)
		return report_not_results(dir);
	return ret;
}

static int report_scan(struct sim_report *r, size_t *cap, const char *dir)
{
	if (!report_is_dir(dir)) {
		fprintf(stderr, "%s: no such folder, expected a fabsim results folder\n", dir);
		return -1;
	}
	if (sim_rep_is_results(dir))
		return report_add_config(r, cap, dir);
	return report_scan_subdirs(r, cap, dir);
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

	for (i = 0; i < o->ndirs; i++)
		if (report_scan(r, &cap, o->dirs[i]))
			return -1;
	report_unique_names(r);
	if (sim_mkdir_p(r->out_dir)) {
		fprintf(stderr, "fabsim report: cannot create %s: %s\n", r->out_dir, strerror(errno));
		return -1;
	}
	if (sim_rep_plots(r) || sim_rep_write_md(r))
		return -1;
	return 0;
}

int sim_cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct sim_report r = { 0 };
	size_t i;
	int ret;

	ret = report_parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	r.out_dir = o.out_dir ? o.out_dir : o.dirs[0];
	r.port = o.port;
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
