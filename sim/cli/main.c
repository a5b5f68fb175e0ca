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
		"\n"
		"'fabsim COMMAND --help' describes each command.\n");
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
