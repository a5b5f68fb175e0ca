/*
 * The print-on-error forms of the loader and the file reader, for main
 * programs and tests that have nothing better to do with the message than
 * show it: the library functions write it into a buffer, these put it on
 * stderr. The only place in sim/topo/ that writes to stderr.
 */
#include <stdio.h>

#include "sim/topo/topo.h"

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

int sim_read_text(const char *path, size_t max_bytes, const char *what, char **text, size_t *len)
{
	char err[SIM_TOPO_ERR_LEN];

	if (!sim_read_file(path, max_bytes, what, text, len, err, sizeof(err)))
		return 0;
	fprintf(stderr, "%s\n", err);
	return -1;
}
