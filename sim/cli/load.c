/*
 * The print-on-error forms of the topology loader (load.h), for the subcommands and tests that have nothing better to do
 * with the message than show it. The library functions (sim/topo/) write
 * it into a buffer and never print; these put it on stderr.
 */
#include <stdio.h>

#include "sim/cli/load.h"

static struct sim_topo *print_failure(int ret, struct sim_topo *t, const char *err)
{
	if (!ret)
		return t;
	if (err[0])
		fprintf(stderr, "%s\n", err);
	return NULL;
}

struct sim_topo *sim_topo_load(const char *path)
{
	char err[SIM_TOPO_ERR_LEN];
	struct sim_topo *t;
	int ret;

	ret = sim_topo_read(path, &t, err, sizeof(err));
	return print_failure(ret, t, err);
}

struct sim_topo *sim_topo_load_string(const char *text, const char *name)
{
	char err[SIM_TOPO_ERR_LEN];
	struct sim_topo *t;
	int ret;

	ret = sim_topo_parse(text, name, &t, err, sizeof(err));
	return print_failure(ret, t, err);
}
