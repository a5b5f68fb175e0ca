/*
 * `fabsim predict --map FILE` (sim/cli/cmd_predict.c): lines "KEY NODE" that
 * place the ranks of a measured run (4 ranks on hosts lab-a and lab-b,
 * devices mlx5_0 and mlx5_1) on a 16-host leaf-spine. The reader is
 * static, so this file compiles cmd_predict.c itself and the harness links
 * without the library's copy.
 */
#include "sim/cli/load.h"
#include "sim/cli/cmd_predict.c"
#include "tests/fuzz/fuzz_util.h"

static const char fuzz_topo_text[] =
	"name = \"fuzz-ls16\";\n"
	"fabric = { kind = \"leafspine\"; leaves = 4; hosts_per_leaf = 4; spines = 2;\n"
	"\thost_rate = \"400G\"; fabric_rate = \"800G\"; };\n";

static struct sim_topo *fuzz_topo;
static struct sim_bench fuzz_bench;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const host[] = { "lab-a", "lab-a", "lab-b", "lab-b" };

	fuzz_topo = sim_topo_load_string(fuzz_topo_text, "fuzz-ls16");
	if (!fuzz_topo)
		abort();
	fuzz_bench.nranks = 4;
	fuzz_bench.ranks = calloc(fuzz_bench.nranks, sizeof(*fuzz_bench.ranks));
	if (!fuzz_bench.ranks)
		abort();
	for (uint32_t r = 0; r < fuzz_bench.nranks; r++) {
		snprintf(fuzz_bench.ranks[r].host, sizeof(fuzz_bench.ranks[r].host), "%s", host[r]);
		snprintf(fuzz_bench.ranks[r].device, sizeof(fuzz_bench.ranks[r].device), "mlx5_%u", r % 2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pred_opts o = { .topo_path = "fuzz-ls16" };
	uint32_t rank_host[4];

	o.map_path = fuzz_file(data, size, "in.map");
	if (!o.map_path)
		return 0;
	fuzz_quiet();
	pred_place(&o, fuzz_topo, &fuzz_bench, rank_host);
	fuzz_loud();
	return 0;
}
