/*
 * Jobs files (`fabsim run --jobs FILE`, sim/cli/run_coll.c): lines
 * "NAME KIND ALGO RANKS PLACEMENT [SIZE] [START]". As sim_run_collective
 * does for the first size of a sweep: read and check the file, place every
 * job on a 64-GPU rail-optimized fabric and build its schedule and flows,
 * up to the point where the simulation would start. The reader is static, so
 * this file compiles run_coll.c itself and the harness links without the
 * library's copy.
 */
#include "sim/cli/load.h"
#include "sim/cli/run_coll.c"
#include "tests/fuzz/fuzz_util.h"

static const char fuzz_topo_text[] =
	"name = \"fuzz-rail64\";\n"
	"fabric = { kind = \"railopt\"; servers = 8; gpus_per_server = 8; leaves_per_rail = 2;\n"
	"\tspines = 2; host_rate = \"400G\"; fabric_rate = \"800G\"; };\n";

static struct sim_topo *fuzz_topo;

/* Transfers a job may have for the harness to build its flows (a second or so under ASan). */
#define FUZZ_MAX_XFERS (1ULL << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_topo = sim_topo_load_string(fuzz_topo_text, "fuzz-rail64");
	if (!fuzz_topo)
		abort();
	return 0;
}

static void fuzz_opts(struct run_opts *o, const char *jobs_path)
{
	memset(o, 0, sizeof(*o));
	sim_config_defaults(&o->cfg);
	o->algo = -1;
	o->elem_bytes = 4;
	o->chunk_bytes = 1 << 20;
	o->nvlink_bps = 3600000000000ULL;
	o->nvlink_lat_ps = 1000000;
	o->jobs_path = jobs_path;
	o->sizes[0] = 1 << 20;
	o->nsizes = 1;
	o->quiet = 1;
}

/* coll_run_size without sim_run */
static void fuzz_build(struct run_coll *c)
{
	struct sim *s = sim_create(c->t, &c->o->cfg);
	uint8_t *used = calloc(c->t->nhosts, 1);

	for (uint32_t k = 0; s && used && k < c->js.n; k++) {
		struct sim_coll_job *j = &c->js.job[k];

		struct coll_params p;
		uint64_t nxfers, mem_bytes;

		j->bytes = c->js.fixed_bytes[k] ? c->js.fixed_bytes[k] : c->o->sizes[0];
		if (sim_coll_place(c->t, j, used, c->o->cfg.seed + k, NULL, 0))
			break;
		/*
		 * A generated schedule passes the check up to 2^32 transfers and
		 * its start walks them all (minutes): past a fuzzing budget the
		 * harness stops at the check, as the run would only start later.
		 */
		sim_coll_job_params(j, j->bytes, &p);
		coll_sched_estimate(&p, &nxfers, &mem_bytes);
		if (nxfers > FUZZ_MAX_XFERS || sim_coll_add(s, j, NULL, 0))
			break;
	}
	free(used);
	sim_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_opts o;
	struct run_coll *c;

	fuzz_opts(&o, fuzz_file(data, size, "in.jobs"));
	c = calloc(1, sizeof(*c));
	if (!c || !o.jobs_path)
		abort();
	c->o = &o;
	c->t = fuzz_topo;
	fuzz_quiet();
	if (!run_coll_setup(c) && !run_coll_validate(c))
		fuzz_build(c);
	fuzz_loud();
	json_decref(c->jjobs);
	for (uint32_t k = 0; k < c->js.n; k++)
		free(c->js.job[k].rank_host);
	free(c);
	return 0;
}
