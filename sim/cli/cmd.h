/*
 * Subcommands of the fabsim binary. sim/cli/main.c dispatches on argv[1] and
 * passes the rest with argv[0] set to the subcommand name. Each returns the
 * process exit status: 0 ok, 1 failure on the input, 2 bad usage.
 */
#ifndef SIM_CMD_H
#define SIM_CMD_H

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
