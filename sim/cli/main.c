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
		"  help [COMMAND]   this text, or COMMAND's --help\n"
		"\n"
		"'fabsim COMMAND --help' describes each command.\n");
}

typedef int (*sim_cmd_fn)(int argc, char **argv);

/* The subcommands, in the order usage() lists them: dispatch, help and man read this one table. */
static const struct {
	const char *name;
	sim_cmd_fn fn;
} sim_cmds[] = {
	{ "topo", sim_cmd_topo },
	{ "run", sim_cmd_run },
	{ "report", sim_cmd_report },
	{ "sched", sim_cmd_sched },
	{ "predict", sim_cmd_predict },
};

#define SIM_NCMDS (sizeof(sim_cmds) / sizeof(sim_cmds[0]))

/* The subcommand called NAME; NULL: none is. */
static sim_cmd_fn find_cmd(const char *name)
{
	for (size_t i = 0; i < SIM_NCMDS; i++)
		if (!strcmp(sim_cmds[i].name, name))
			return sim_cmds[i].fn;
	return NULL;
}

static int unknown_cmd(const char *name)
{
	fprintf(stderr, "fabsim: unknown command '%s'\n", name);
	usage(stderr);
	return 2;
}

/* fabsim help [COMMAND]: the usage, or exactly what 'fabsim COMMAND --help' prints. */
static int help(int argc, char **argv)
{
	char *args[] = { argv[1], "--help", NULL };
	sim_cmd_fn fn;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "fabsim help: one COMMAND at most ('%s' is one too many)\n", argv[2]);
		return 2;
	}
	fn = find_cmd(argv[1]);
	if (!fn)
		return unknown_cmd(argv[1]);
	return fn(2, args);
}

/*
 * Hidden: fabsim(1) in roff on stdout (the Makefile builds man/fabsim.1
 * with it), the usage above and a section per command from its option
 * tables (sim_opt_man), so the page says what --help says. ONLY: that
 * command's section alone (fabsim man run); NULL: every command.
 */
static int man_page(const char *only)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (only && !find_cmd(only)) {
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
	for (size_t i = 0; i < SIM_NCMDS; i++) {
		char *argv[] = { (char *)sim_cmds[i].name, "--man", NULL };

		if (only && strcmp(only, sim_cmds[i].name))
			continue;
		fflush(stdout);
		sim_cmds[i].fn(2, argv);
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
	sim_cmd_fn fn;

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
	if (!strcmp(argv[1], "help"))
		return help(argc - 1, argv + 1);
	fn = find_cmd(argv[1]);
	if (!fn)
		return unknown_cmd(argv[1]);
	return fn(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	struct sim_launch *l;
	int rc;

	/*
	 * Line by line even into a file or a pipe: a long sweep sent to a log
	 * shows each row as it is done, not all of them at exit.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
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
