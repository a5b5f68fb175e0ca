/*
 * The print-on-error forms of the topology loader (load.h), for the subcommands and tests that have nothing better to do
 * with the message than show it. The library functions (sim/topo/) write
 * it into a buffer and never print; these put it on stderr.
 *
 * A topology given by name (-t small-800g) is looked up among the presets:
 * in $FABSIM_TOPOLOGIES, in the installed share directory (FAB_DATADIR,
 * from the Makefile's PREFIX) and in topologies/ under the current
 * directory, so the same command works from the source tree and after
 * make install.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/cli/load.h"

#ifndef FAB_DATADIR
#define FAB_DATADIR "/usr/local/share/fabsim"
#endif

static struct sim_topo *print_failure(int ret, struct sim_topo *t, const char *err)
{
	if (!ret)
		return t;
	if (err[0])
		fprintf(stderr, "%s\n", err);
	return NULL;
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* DIR/NAME, then DIR/NAME.topo unless NAME ends in .topo; true when OUT is a file */
static bool try_dir(const char *dir, const char *name, char *out, size_t len, char *looked, size_t looked_len)
{
	size_t n = strlen(name);
	bool has_ext = n > 5 && !strcmp(name + n - 5, ".topo");
	size_t used = strlen(looked);

	if (!dir || !dir[0])
		return false;
	snprintf(looked + used, looked_len - used, "%s%s", used ? ", " : "", dir);
	snprintf(out, len, "%s/%s", dir, name);
	if (is_file(out))
		return true;
	if (has_ext)
		return false;
	snprintf(out, len, "%s/%s.topo", dir, name);
	return is_file(out);
}

const char *sim_topo_preset_dir(void)
{
	return FAB_DATADIR "/topologies";
}

/*
 * The file ARG names, into OUT: ARG itself when it is a file or a path;
 * else a preset (load.h). 0, or -ENOENT with a message in ERR.
 */
static int sim_topo_resolve(const char *arg, char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("FABSIM_TOPOLOGIES");
	char looked[8192], bare[256];
	size_t n = strlen(arg);

	looked[0] = '\0';
	/* the message names the preset without its extension, as -t takes it */
	if (n > 5 && !strcmp(arg + n - 5, ".topo"))
		n -= 5;
	snprintf(bare, sizeof(bare), "%.*s", (int)(n < 200 ? n : 200), arg);
	snprintf(out, len, "%s", arg);
	/* a path (it exists, or names a folder) is read as given: its error is the reader's */
	if (is_file(arg) || strchr(arg, '/') || !arg[0])
		return 0;
	if (try_dir(env, arg, out, len, looked, sizeof(looked)) ||
	    try_dir(sim_topo_preset_dir(), arg, out, len, looked, sizeof(looked)) ||
	    try_dir("topologies", arg, out, len, looked, sizeof(looked)))
		return 0;
	snprintf(err, errlen,
		 "%s: no such topology file, nor preset %s or %s.topo in %s%s (see topologies/FORMAT.md)",
		 arg, bare, bare, looked,
		 env && env[0] ? "" : "; FABSIM_TOPOLOGIES=DIR adds a folder");
	return -ENOENT;
}

struct sim_topo *sim_topo_load(const char *path)
{
	char err[SIM_TOPO_ERR_LEN], found[4096];
	struct sim_topo *t = NULL;
	int ret;

	ret = sim_topo_resolve(path, found, sizeof(found), err, sizeof(err));
	if (!ret)
		ret = sim_topo_read(found, &t, err, sizeof(err));
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
