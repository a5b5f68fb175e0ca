/*
 * Loading a topology and printing what went wrong: the command line's
 * wrappers around sim_topo_read() and sim_topo_parse() (sim/topo/topo.h),
 * which report through a buffer.
 */
#ifndef SIM_CLI_LOAD_H
#define SIM_CLI_LOAD_H

#include <stddef.h>
#include "sim/topo/topo.h"

/*
 * The topology of PATH (or TEXT, named NAME in messages), or NULL after
 * printing why. PATH may be a preset's name, NAME or NAME.topo, when it is
 * not a file and has no '/': it is then looked for in $FABSIM_TOPOLOGIES,
 * sim_topo_preset_dir() and ./topologies, in this order, and a miss lists
 * where.
 */
struct sim_topo *sim_topo_load(const char *path);
struct sim_topo *sim_topo_load_string(const char *text, const char *name);
/* Where make install put the presets: $(PREFIX)/share/fabsim/topologies */
const char *sim_topo_preset_dir(void);

#endif
