/*
 * `fabsim sched`: print a collective's schedule and prove it correct. The
 * same schedule that `fabsim run` simulates and fabbench executes, one
 * transfer a line, followed by the symbolic checker's verdict (every byte
 * of every rank's result produced exactly once, in dependency order).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/busbw.h"
#include "collectives/reduce.h"
#include "collectives/sched.h"
#include "sim/cli/cmd.h"
#include "sim/cli/opt.h"
#include "sim/traffic/coll_sim.h"
#include "collectives/units.h"
#include "sim/traffic/workload.h"

/*
 * Ranks: the symbolic check costs about transfers x ranks / 64 word
 * operations, ranks^3 / 32 for a ring: 1024 ranks print and check in
 * about a minute, more would seem to hang. `fabsim run` simulates larger
 * jobs without the checker. The other ranges are `fabsim run`'s.
 */
#define SCHED_MAX_RANKS 1024U
/* Checker state per transfer, at least: four offset boundaries, a stamp, a stack slot. */
#define SCHED_CHECK_BYTES 64.0

struct sched_opts {
	struct coll_params p;
	bool algo_set;		/* else the kind's default algorithm */
	bool quiet;
};

static int sched_opt_kind(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	int x = coll_kind_from_name(arg);

	if (x < 0)
		return sim_opt_bad(opt, arg, err, errlen);
	((struct sched_opts *)obj)->p.kind = (enum coll_kind)x;
	return 0;
}

static int sched_opt_algo(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	struct sched_opts *o = obj;
	int x = coll_algo_from_name(arg);

	if (x < 0)
		return sim_opt_bad(opt, arg, err, errlen);
	o->p.algo = (enum coll_algo)x;
	o->algo_set = true;
	return 0;
}

/* --algo's help: the algorithm table's names, so a new algorithm needs no edit here. */
static const char *sched_algo_help(char *buf, size_t len)
{
	char names[160];

	snprintf(buf, len, "%s (default: the kind's)", coll_algo_names(names, sizeof(names), " | ", " | "));
	return buf;
}

static int sched_opt_pxn(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	if (strcmp(arg, "on") && strcmp(arg, "off"))
		return sim_opt_bad(opt, arg, err, errlen);
	((struct sched_opts *)obj)->p.pxn = !strcmp(arg, "on");
	return 0;
}

static int sched_opt_dtype(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	int x = coll_dtype_from_name(arg);

	if (x < 0)
		return sim_opt_bad(opt, arg, err, errlen);
	((struct sched_opts *)obj)->p.elem_bytes = (uint32_t)coll_dtype_bytes((enum coll_dtype)x);
	return 0;
}

/* What the schedule is: the collective, its ranks and buffer. */
static const struct sim_opt sched_opts_coll[] = {
	SIM_OPT_CUSTOM("workload", 'w', "KIND", sched_opt_kind, NULL,
		       "allreduce (default) | allgather | reducescatter |\nall-to-all (or alltoall) | broadcast | reduce | sendrecv"),
	SIM_OPT_NAMES("algo", 'a', "NAME", sched_opt_algo, sched_algo_help),
	SIM_OPT_U32("ranks", 'n', "N", struct sched_opts, p.nranks, 1, SCHED_MAX_RANKS,
		    "ranks, default 4 [1..1024]"),
	SIM_OPT_U32("root", 'r', "N", struct sched_opts, p.root, 0, SCHED_MAX_RANKS - 1,
		    "broadcast, reduce: the root rank, default 0\n[0..ranks-1]"),
	SIM_OPT_QTY("size", 's', "SIZE", struct sched_opts, p.bytes, COLL_QTY_SIZE, 0, SIM_MAX_FLOW_BYTES, NULL,
		    "per-rank buffer S, default 64K [0 B..1 TiB]"),
	SIM_OPT_CUSTOM("dtype", 0, "T", sched_opt_dtype, NULL,
		       "element type: float (default) | bfloat16 | half |\nint32"),
	SIM_OPT_U32("channels", 0, "N", struct sched_opts, p.nchannels, 1, SIM_MAX_CHANNELS,
		    "rings/trees in parallel [1..64], default as NCCL\nbuilds them (as fabsim run)"),
	SIM_OPT_QTY("chunk", 0, "SIZE", struct sched_opts, p.chunk_bytes, COLL_QTY_SIZE, 1, SIM_MAX_FLOW_BYTES, NULL,
		    "pipelining piece [1 B..1 TiB], default as fabsim\n"
		    "run and NCCL: 1M; tree and hier-tree 512K halved\n"
		    "to fill the tree's depth (down to 32K)"),
	SIM_OPT_U32("gpus-per-server", 0, "N", struct sched_opts, p.gpus_per_server, 1, SIM_MAX_GPUS_PER_SERVER,
		    "servers of N consecutive ranks (hier; rings and\ntrees on rails) [1..1024]"),
	SIM_OPT_CUSTOM("pxn", 0, "on|off", sched_opt_pxn, "on or off",
		       "NCCL's PXN for sends to another rail (default on,\nas NCCL's)"),
};

static const struct sim_opt sched_opts_output[] = {
	SIM_OPT_FLAG("quiet", 'q', struct sched_opts, quiet, true, "only the totals and the verdict"),
	SIM_OPT_HELP(NULL),
};

static const struct sim_opt_group sched_groups[] = {
	SIM_OPT_GROUP(NULL, sched_opts_coll),
	SIM_OPT_GROUP(NULL, sched_opts_output),
};

static const struct sim_opt_cmd sched_cmd = {
	.name = "fabsim sched",
	.usage_head =
		"usage: fabsim sched [options]\n"
		"\n"
		"Prints the schedule of a collective (who sends which bytes to whom, after\n"
		"which transfers) and checks it symbolically.\n"
		"\n"
		"Accepted ranges are in brackets; sizes are binary (64K = 64 KiB).\n"
		"\n",
	.usage_tail =
		"A schedule that would not fit in the memory available is refused before\n"
		"it is built (ring all-reduce makes 2n(n-1) transfers per chunk).\n"
		"Exit status: 0 the schedule checks out, 1 it does not or cannot be built,\n"
		"2 bad usage (an unknown option, a value out of its range).\n",
	.help_col = 26,
	SIM_OPT_GROUPS(sched_groups),
};

/* 0: go on; 1: --help printed; -1: bad usage, said. */
static int sched_parse(int argc, char **argv, struct sched_opts *o)
{
	int first, rc;

	memset(o, 0, sizeof(*o));
	o->p.kind = COLL_ALLREDUCE;
	o->p.nranks = 4;
	o->p.bytes = 64 << 10;
	o->p.elem_bytes = 4;
	o->p.pxn = 1;	/* as fabsim run and NCCL (NCCL_PXN_DISABLE=0) */
	rc = sim_opt_parse(&sched_cmd, argc, argv, o, &first);
	if (rc)
		return rc;
	if (!o->algo_set)
		o->p.algo = coll_default_algo(o->p.kind);
	if (!o->p.nchannels)
		o->p.nchannels = coll_default_channels(&o->p);
	/* the pieces fabsim run simulates when no --chunk is given */
	if (!o->p.chunk_bytes)
		o->p.chunk_bytes = coll_default_chunk(&o->p);
	if (first < argc) {
		fprintf(stderr, "fabsim sched: invalid argument '%s' (see --help)\n", argv[first]);
		return -1;
	}
	return 0;
}

int sim_cmd_sched(int argc, char **argv)
{
	struct sched_opts o;
	const struct coll_params *p = &o.p;
	struct coll_sched s;
	const char *why;
	char err[256];
	int rc = sched_parse(argc, argv, &o);
	uint64_t max_tx = 0;

	if (rc)
		return rc > 0 ? 0 : 2;
	why = coll_params_error(p);
	if (why) {
		fprintf(stderr, "fabsim sched: %s\n", why);
		return 2;
	}
	/* the checker keeps a few boundaries and a stamp per transfer */
	if (sim_coll_guard(p, SCHED_CHECK_BYTES, "the schedule", err, sizeof(err))) {
		fprintf(stderr, "fabsim sched: %s\n", err);
		return 1;
	}
	coll_sched_init(&s);
	rc = coll_build(&s, p);
	if (rc) {
		fprintf(stderr, "fabsim sched: cannot build the schedule (%s)\n",
			s.err[0] ? s.err :
			rc == -E2BIG ? "too many pieces: use a larger --chunk, or fewer ranks or channels" :
				       strerror(-rc));
		goto out_free;
	}
	if (!o.quiet)
		coll_sched_print(stdout, &s);
	coll_sched_print_rings(stdout, &s);
	coll_sched_print_trees(stdout, &s);
	for (uint32_t r = 0; r < s.nranks; r++) {
		uint64_t tx = coll_sched_tx_bytes(&s, r);

		if (tx > max_tx)
			max_tx = tx;
	}
	printf("# %s %s, %u ranks, %llu bytes: %u transfers, %u dependencies, busiest rank sends %llu bytes "
	       "(busbw factor %.4f)\n", coll_kind_name(s.kind), coll_algo_name(s.algo), s.nranks,
	       (unsigned long long)s.bytes, s.nxfers, s.ndeps, (unsigned long long)max_tx, coll_busbw_factor(s.kind, s.nranks));
	rc = coll_sched_check(&s, err, sizeof(err));
	if (rc)
		printf("# check: FAILED: %s\n", err);
	else
		printf("# check: every byte of every rank's result is produced exactly once\n");
out_free:
	coll_sched_free(&s);
	return rc ? 1 : 0;
}
