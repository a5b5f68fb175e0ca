/*
 * `fabsim sched`: print a collective's schedule and prove it correct. The
 * same schedule that `fabsim run` simulates and fabbench executes, one
 * transfer a line, followed by the symbolic checker's verdict (every byte
 * of every rank's result produced exactly once, in dependency order).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/busbw.h"
#include "collectives/reduce.h"
#include "collectives/sched.h"
#include "sim/cli/cmd.h"
#include "sim/traffic/coll_sim.h"
#include "collectives/units.h"
#include "sim/traffic/workload.h"

static void sched_usage(FILE *out)
{
	fprintf(out,
		"usage: fabsim sched [options]\n"
		"\n"
		"Prints the schedule of a collective (who sends which bytes to whom, after\n"
		"which transfers) and checks it symbolically.\n"
		"\n"
		"Accepted ranges are in brackets; sizes are binary (64K = 64 KiB).\n"
		"\n"
		"  -w, --workload KIND     allreduce (default) | allgather | reducescatter |\n"
		"                          alltoall\n"
		"  -a, --algo NAME         ring | rhd | tree | hier | pairwise (default: the\n"
		"                          kind's)\n"
		"  -n, --ranks N           ranks, default 4 [1..1024]\n"
		"  -s, --size SIZE         per-rank buffer S, default 64K [0 B..1 TiB]\n"
		"      --dtype T           element type: float (default) | bfloat16 | half |\n"
		"                          int32\n"
		"      --channels N        rings/trees in parallel, default 1 [1..64]\n"
		"      --chunk SIZE        pipelining piece, default none [1 B..1 TiB]\n"
		"      --gpus-per-server N servers of N consecutive ranks (hier) [1..1024]\n"
		"  -q, --quiet             only the totals and the verdict\n"
		"  -h, --help\n"
		"A schedule that would not fit in the memory available is refused before\n"
		"it is built (ring all-reduce makes 2n(n-1) transfers per chunk).\n"
		"Exit status: 0 the schedule checks out, 1 it does not or cannot be built,\n"
		"2 bad usage (an unknown option, a value out of its range).\n");
}

/*
 * Ranks: the symbolic check costs about transfers x ranks / 64 word
 * operations, ranks^3 / 32 for a ring: 1024 ranks print and check in
 * about a minute, more would seem to hang. `fabsim run` simulates larger
 * jobs without the checker. The other ranges are `fabsim run`'s.
 */
#define SCHED_MAX_RANKS 1024U
/* Checker state per transfer, at least: four offset boundaries, a stamp, a stack slot. */
#define SCHED_CHECK_BYTES 64.0

static int sched_bad(const char *opt, const char *v)
{
	fprintf(stderr, "fabsim sched: invalid %s '%s' (see --help)\n", opt, v);
	return -1;
}

static int sched_in(const char *opt, const char *v, enum coll_qty q, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char err[320];

	if (coll_parse_in(q, opt, v, lo, hi, NULL, out, err, sizeof(err))) {
		fprintf(stderr, "fabsim sched: %s\n", err);
		return -1;
	}
	return 0;
}

static int sched_u32(const char *opt, const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t x;

	if (sched_in(opt, v, COLL_QTY_COUNT, lo, hi, &x))
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int sched_parse(int argc, char **argv, struct coll_params *p, int *quiet)
{
	static const struct option lo[] = {
		{ "workload", required_argument, NULL, 'w' }, { "algo", required_argument, NULL, 'a' },
		{ "ranks", required_argument, NULL, 'n' }, { "size", required_argument, NULL, 's' },
		{ "dtype", required_argument, NULL, 'd' }, { "channels", required_argument, NULL, 'c' },
		{ "chunk", required_argument, NULL, 'k' }, { "gpus-per-server", required_argument, NULL, 'g' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 },
	};
	int c, x, algo_set = 0;

	memset(p, 0, sizeof(*p));
	p->kind = COLL_ALLREDUCE;
	p->nranks = 4;
	p->bytes = 64 << 10;
	p->elem_bytes = 4;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:a:n:s:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'w':
			x = coll_kind_from_name(optarg);
			if (x < 0)
				return sched_bad("--workload", optarg);
			p->kind = (enum coll_kind)x;
			break;
		case 'a':
			x = coll_algo_from_name(optarg);
			if (x < 0)
				return sched_bad("--algo", optarg);
			p->algo = (enum coll_algo)x;
			algo_set = 1;
			break;
		case 'n':
			if (sched_u32("--ranks", optarg, 1, SCHED_MAX_RANKS, &p->nranks))
				return -1;
			break;
		case 's':
			if (sched_in("--size", optarg, COLL_QTY_SIZE, 0, SIM_MAX_FLOW_BYTES, &p->bytes))
				return -1;
			break;
		case 'd':
			x = coll_dtype_from_name(optarg);
			if (x < 0)
				return sched_bad("--dtype", optarg);
			p->elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)x);
			break;
		case 'c':
			if (sched_u32("--channels", optarg, 1, SIM_MAX_CHANNELS, &p->nchannels))
				return -1;
			break;
		case 'k':
			if (sched_in("--chunk", optarg, COLL_QTY_SIZE, 1, SIM_MAX_FLOW_BYTES, &p->chunk_bytes))
				return -1;
			break;
		case 'g':
			if (sched_u32("--gpus-per-server", optarg, 1, SIM_MAX_GPUS_PER_SERVER, &p->gpus_per_server))
				return -1;
			break;
		case 'q':
			*quiet = 1;
			break;
		case 'h':
			sched_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'fabsim sched --help'.\n");
			return -1;
		}
	}
	if (!algo_set)
		p->algo = coll_default_algo(p->kind);
	return optind < argc ? sched_bad("argument", argv[optind]) : 0;
}

int sim_cmd_sched(int argc, char **argv)
{
	struct coll_params p;
	struct coll_sched s;
	const char *why;
	char err[256];
	int quiet = 0, rc = sched_parse(argc, argv, &p, &quiet);
	uint64_t max_tx = 0;

	if (rc)
		return rc > 0 ? 0 : 2;
	why = coll_params_error(&p);
	if (why) {
		fprintf(stderr, "fabsim sched: %s\n", why);
		return 2;
	}
	/* the checker keeps a few boundaries and a stamp per transfer */
	if (sim_coll_guard(&p, SCHED_CHECK_BYTES, "the schedule", err, sizeof(err))) {
		fprintf(stderr, "fabsim sched: %s\n", err);
		return 1;
	}
	coll_sched_init(&s);
	rc = coll_build(&s, &p);
	if (rc) {
		fprintf(stderr, "fabsim sched: cannot build the schedule (%s)\n",
			s.err[0] ? s.err :
			rc == -E2BIG ? "too many pieces: use a larger --chunk, or fewer ranks or channels" :
				       strerror(-rc));
		goto out_free;
	}
	if (!quiet)
		coll_sched_print(stdout, &s);
	for (uint32_t r = 0; r < s.nranks; r++) {
		uint64_t tx = coll_sched_tx_bytes(&s, r);

		if (tx > max_tx)
			max_tx = tx;
	}
	printf("# %s %s, %u ranks, %lu bytes: %u transfers, %u dependencies, busiest rank sends %lu bytes "
	       "(busbw factor %.4f)\n", coll_kind_name(s.kind), coll_algo_name(s.algo), s.nranks,
	       (unsigned long)s.bytes, s.nxfers, s.ndeps, (unsigned long)max_tx, coll_busbw_factor(s.kind, s.nranks));
	rc = coll_sched_check(&s, err, sizeof(err));
	if (rc)
		printf("# check: FAILED: %s\n", err);
	else
		printf("# check: every byte of every rank's result is produced exactly once\n");
out_free:
	coll_sched_free(&s);
	return rc ? 1 : 0;
}
