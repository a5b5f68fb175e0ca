/*
 * fabbench --json results as `fabsim predict --bench FILE` reads them
 * (sim/traffic/benchfile.c), and what predict does with them before its first
 * full simulation: place the ranks by host name on a 64-GPU
 * rail-optimized fabric (hosts h0..h63), calibrate the NIC rate and
 * overhead (a one-packet run when a p2p latency was measured), and build
 * the schedule of the smallest size. pred_* are static, so this file
 * compiles cmd_predict.c itself and the harness links without the
 * library's copy.
 */
#include "sim/cli/load.h"
#include "sim/cli/cmd_predict.c"
#include "tests/fuzz/fuzz_util.h"

/* Transfers a schedule may have for the harness to build it (a second or so under ASan). */
#define FUZZ_MAX_XFERS (1ULL << 20)

static const char fuzz_topo_text[] =
	"name = \"fuzz-rail64\";\n"
	"fabric = { kind = \"railopt\"; servers = 8; gpus_per_server = 8; leaves_per_rail = 2;\n"
	"\tspines = 2; host_rate = \"400G\"; fabric_rate = \"800G\"; };\n";

/* pred_simulate without sim_run */
static void fuzz_build(const struct pred_opts *o, struct sim_topo *t, const struct sim_bench *b,
		       uint32_t *rank_host, const struct pred_calib *cal)
{
	struct sim_config cfg = o->cfg;
	struct sim_coll_job j = { .kind = b->kind, .algo = b->algo, .nranks = b->nranks, .bytes = b->bytes[0],
				  .elem_bytes = b->elem_bytes, .nchannels = b->nchannels, .chunk_bytes = b->chunk_bytes,
				  .gpus_per_server = b->gpus_per_server ? b->gpus_per_server : 1,
				  .nvlink_bps = 3600000000000ULL, .nvlink_lat_ps = 1000000, .rank_host = rank_host,
				  .reduce_bps = cal->reduce_bps };
	struct coll_params p;
	uint64_t nxfers, mem_bytes;
	struct sim *s;

	/*
	 * A generated schedule passes the check up to 2^32 transfers and its
	 * start walks them all (minutes): past a fuzzing budget the harness
	 * stops at the check, as predict would only start later (fuzz_jobs.c).
	 */
	sim_coll_job_params(&j, j.bytes, &p);
	coll_sched_estimate(&p, &nxfers, &mem_bytes);
	if (nxfers > FUZZ_MAX_XFERS)
		return;
	cfg.qps_per_flow = b->qps;
	cfg.mtu_bytes = b->mtu_bytes;
	cfg.msg_overhead_ps = cal->overhead_ps;
	s = sim_create(t, &cfg);
	if (s)
		sim_coll_add(s, &j, NULL, 0);
	sim_destroy(s);
}

static void fuzz_predict(struct pred_opts *o, const struct sim_bench *b)
{
	struct sim_topo *t = sim_topo_load_string(fuzz_topo_text, "fuzz-rail64");
	uint32_t *rank_host = NULL;
	struct pred_calib cal;

	if (!t)
		abort();
	if (b->nranks > t->nhosts)
		goto out_free;
	rank_host = malloc(b->nranks * sizeof(*rank_host));
	if (!rank_host || pred_place(o, t, b, rank_host))
		goto out_free;
	/* without a p2p latency, calibration would simulate the smallest size in full */
	o->overhead_set = !(b->p2p_latency_us > 0);
	if (!pred_calibrate(o, t, b, rank_host, &cal))
		fuzz_build(o, t, b, rank_host, &cal);
out_free:
	free(rank_host);
	sim_topo_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pred_opts o = { .topo_path = "fuzz-rail64" };
	struct sim_bench b;
	char err[SIM_BENCH_ERR];

	sim_config_defaults(&o.cfg);
	o.bench_path = fuzz_file(data, size, "in.json");
	if (!o.bench_path)
		return 0;
	fuzz_quiet();
	if (!sim_bench_load(o.bench_path, &b, err, sizeof(err))) {
		fuzz_predict(&o, &b);
		sim_bench_free(&b);
	}
	fuzz_loud();
	return 0;
}
