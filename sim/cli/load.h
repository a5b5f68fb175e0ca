/*
 * Loading a topology and printing what went wrong: the command line's
 * wrappers around sim_topo_read() and sim_topo_parse() (sim/topo/topo.h),
 * which report through a buffer.
 */
#ifndef SIM_CLI_LOAD_H
#define SIM_CLI_LOAD_H

#include <stddef.h>
#include "sim/topo/topo.h"

/* The topology of PATH (or TEXT, named NAME in messages), or NULL after printing why. */
struct sim_topo *sim_topo_load(const char *path);
struct sim_topo *sim_topo_load_string(const char *text, const char *name);
/*
 * The file a topology argument names, into OUT: ARG itself when it is a
 * file or a path (it has a '/'); else a preset NAME or NAME.topo, searched
 * in $FABSIM_TOPOLOGIES, FAB_DATADIR/topologies (the installed presets)
 * and ./topologies, in this order. 0, or -ENOENT with a message in ERR
 * that lists where it looked.
 */
int sim_topo_resolve(const char *arg, char *out, size_t len, char *err, size_t errlen);

#endif
