/*
 * fabsim: packet-level simulator of RoCEv2 AI-training fabrics. This file
 * only dispatches to the subcommands (topo, run, ...).
 */
#include <stdio.h>
#include <string.h>
#include "sim/cli/cmd.h"

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

/* The subcommand called NAME; NULL: none is. */
static sim_cmd_fn find_cmd(const char *name)
{
	static const struct {
		const char *name;
		sim_cmd_fn fn;
	} cmds[] = {
		{ "topo", sim_cmd_topo },
		{ "run", sim_cmd_run },
		{ "report", sim_cmd_report },
		{ "sched", sim_cmd_sched },
		{ "predict", sim_cmd_predict },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return cmds[i].fn;
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
