/*
 * Topology files (sim/topo/load*.c) as `fabsim topo` and `fabsim run`
 * read them: load, summarize, print the summary and the DOT graph, and
 * set up a simulation on the result with the default configuration. A
 * rejected file must come back with a negative errno and one line of
 * message, never an empty one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fabric/sim.h"
#include "sim/topo/topo.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "in.topo");
	static char err[SIM_TOPO_ERR_LEN];
	struct sim_topo_summary sum;
	struct sim_config cfg;
	struct sim_topo *t;
	int ret;

	if (!path)
		return 0;
	fuzz_quiet();
	ret = sim_topo_read(path, &t, err, sizeof(err));
	if (!ret) {
		if (!sim_topo_summarize(t, &sum))
			sim_topo_print_summary(t, &sum, stdout);
		sim_topo_write_dot(t, stdout);
		sim_config_defaults(&cfg);
		sim_destroy(sim_create(t, &cfg));
		sim_topo_free(t);
	} else if (ret > 0 || t || !err[0] || strchr(err, '\n')) {
		/* the error convention of sim/topo: -errno and one line */
		abort();
	}
	fuzz_loud();
	return 0;
}
