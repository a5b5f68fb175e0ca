/*
 * Topology files (sim/topo/topo_parse.c) as `fabsim topo` and `fabsim run`
 * read them: load, summarize, print the summary and the DOT graph, and
 * set up a simulation on the result with the default configuration.
 */
#include <stdio.h>
#include "sim/fabric/sim.h"
#include "sim/topo/topo.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "in.topo");
	struct sim_topo_summary sum;
	struct sim_config cfg;
	struct sim_topo *t;

	if (!path)
		return 0;
	fuzz_quiet();
	t = sim_topo_load(path);
	if (t) {
		if (!sim_topo_summarize(t, &sum))
			sim_topo_print_summary(t, &sum, stdout);
		sim_topo_write_dot(t, stdout);
		sim_config_defaults(&cfg);
		sim_destroy(sim_create(t, &cfg));
		sim_topo_free(t);
	}
	fuzz_loud();
	return 0;
}
