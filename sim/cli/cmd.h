/*
 * Subcommands of the fabsim binary. sim/cli/main.c dispatches on argv[1] and
 * passes the rest with argv[0] set to the subcommand name. Each returns the
 * process exit status: 0 ok, 1 failure on the input, 2 bad usage.
 */
#ifndef SIM_CMD_H
#define SIM_CMD_H

#include <stdbool.h>
#include <stdint.h>

struct sim_comm_ops;

/*
 * How this process was started: one of SIZE processes of a run split over
 * them (mpirun), with the operations that connect them (sim/fabric/dist.h).
 */
struct sim_launch {
	uint32_t rank, size;
	const struct sim_comm_ops *ops;
	void *ctx;
};
/* Set by main.c when started by mpirun with more than one process; NULL: one process. */
extern struct sim_launch *sim_launch;
/* mpi.c (in the fabsim binary only): whether mpirun started us; MPI_Init and the launch; MPI_Finalize. */
bool sim_mpi_launched(void);
struct sim_launch *sim_mpi_start(int *argc, char ***argv);
void sim_mpi_stop(int rc);

/* fabsim topo [--dot FILE|-] [--json] FILE: summarize or export a topology */
int sim_cmd_topo(int argc, char **argv);
/* fabsim run ...: run a simulation (sim/cli/cmd_run.c) */
int sim_cmd_run(int argc, char **argv);
int sim_cmd_report(int argc, char **argv);
/* fabsim predict --bench RUN.json --topo FILE: simulate a measured job (sim/cli/cmd_predict.c) */
int sim_cmd_predict(int argc, char **argv);
/* fabsim sched ...: print and check a collective schedule (sim/cli/cmd_sched.c) */
int sim_cmd_sched(int argc, char **argv);

#endif
