/*
 * fabsim: packet-level simulator of RoCEv2 AI-training fabrics. This file
 * only dispatches to the subcommands (topo, run, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/man.h"
#include "sim/cli/cmd.h"
#include "sim/cli/load.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fabsim [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  topo FILE        summarize a topology, export Graphviz DOT (--dot)\n"
		"  run --topo FILE  simulate a workload packet by packet\n"
		"  report DIR...    plots and report.md from results folders\n"
		"  sched            print and check a collective's schedule\n"
		"  predict --bench RUN.json --topo FILE\n"
		"                   simulate the job a fabbench run measured\n"
		"\n"
		"'fabsim COMMAND --help' describes each command.\n");
}

/*
 * Hidden: fabsim(1) in roff on stdout (the Makefile builds man/fabsim.1
 * with it), the usage above and a section per command from its option
 * tables (sim_opt_man), so the page says what --help says. ONLY: that
 * command's section alone (fabsim man run); NULL: every command.
 */
static int man_page(const char *only)
{
	static int (*const cmds[])(int, char **) = { sim_cmd_topo, sim_cmd_run, sim_cmd_report, sim_cmd_sched,
						      sim_cmd_predict };
	static const char *const names[] = { "topo", "run", "report", "sched", "predict" };
	char *text = NULL;
	size_t len = 0, found = 0;
	FILE *mem;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		found += !only || !strcmp(only, names[i]);
	if (!found) {
		fprintf(stderr, "fabsim man: unknown command '%s' (expected topo, run, report, sched or predict)\n",
			only);
		return 2;
	}
	mem = open_memstream(&text, &len);
	if (!mem)
		return 1;
	usage(mem);
	if (fclose(mem) || !text)
		return 1;
	coll_man_head(stdout, "fabsim", FAB_VERSION, "packet-level simulator of RoCEv2 AI-training fabrics");
	fputs(".SH SYNOPSIS\n", stdout);
	coll_man_pre(stdout, text);
	free(text);
	fputs(".SH COMMANDS\n", stdout);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char *argv[] = { (char *)names[i], "--man", NULL };

		if (only && strcmp(only, names[i]))
			continue;
		fflush(stdout);
		cmds[i](2, argv);
	}
	fputs(".SH ENVIRONMENT\n.TP\n.B FABSIM_TOPOLOGIES\n"
	      "a folder searched first for a topology given by name (\\-t NAME or NAME.topo)\n"
	      ".SH FILES\n.TP\n", stdout);
	coll_man_put(stdout, sim_topo_preset_dir(), strlen(sim_topo_preset_dir()));
	fputs("\nthe presets (*.topo) and FORMAT.md, their format; "
	      "a name not found there is looked for in ./topologies\n", stdout);
	return 0;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("fabsim %s\n", FAB_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "man") && argc <= 3)
		return man_page(argc == 3 ? argv[2] : NULL);
	if (!strcmp(argv[1], "topo"))
		return sim_cmd_topo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return sim_cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return sim_cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sched"))
		return sim_cmd_sched(argc - 1, argv + 1);
	if (!strcmp(argv[1], "predict"))
		return sim_cmd_predict(argc - 1, argv + 1);
	fprintf(stderr, "fabsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct sim_launch *l;
	int rc;

	if (!sim_mpi_launched())
		return dispatch(argc, argv);
	l = sim_mpi_start(&argc, &argv);
	if (!l)
		return 1;
	/* mpirun -np 1 is the serial simulator */
	sim_launch = l->size > 1 ? l : NULL;
	rc = dispatch(argc, argv);
	sim_mpi_stop(rc);
	return rc;
}
