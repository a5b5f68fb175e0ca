/*
 * Flow lists (`fabsim run -f FILE`, sim/traffic/workload.c): lines
 * "SRC DST SIZE [START]" read into a simulation of a 16-host leaf-spine,
 * up to the point where the run would start.
 */
#include <stdlib.h>
#include "sim/fabric/sim.h"
#include "sim/topo/topo.h"
#include "sim/cli/load.h"
#include "sim/traffic/workload.h"
#include "tests/fuzz/fuzz_util.h"

static const char fuzz_topo_text[] =
	"name = \"fuzz-ls16\";\n"
	"fabric = { kind = \"leafspine\"; leaves = 4; hosts_per_leaf = 4; spines = 2;\n"
	"\thost_rate = \"400G\"; fabric_rate = \"800G\"; };\n";

static struct sim_topo *fuzz_topo;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_topo = sim_topo_load_string(fuzz_topo_text, "fuzz-ls16");
	if (!fuzz_topo)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_workload_params w = { .kind = SIM_WL_FLOWS, .seed = 1 };
	struct sim_config cfg;
	struct sim *s;

	w.flows_path = fuzz_file(data, size, "in.flows");
	if (!w.flows_path)
		return 0;
	sim_config_defaults(&cfg);
	fuzz_quiet();
	s = sim_create(fuzz_topo, &cfg);
	if (s)
		sim_workload_add(s, &w, NULL, 0);
	sim_destroy(s);
	fuzz_loud();
	return 0;
}
