/*
 * The failure options of `fabsim run` and `fabsim topo` (sim/topo/fail.h):
 * --fail SPEC (repeatable), --fail-seed N, and on run --fail-at TIME SPEC
 * and --restore-at TIME SPEC. The options only keep what was asked for:
 * a SPEC names links of a topology that is not loaded yet. Once it is,
 * sim_fail_reqs_build turns them into changes, applies those at time 0
 * to the topology and keeps the timed ones, in time order, for the fabric
 * to schedule. sim_fail_check_pairs then refuses failures that cut a host
 * the workload uses off from one it talks to.
 */
#ifndef SIM_CLI_FAIL_OPTS_H
#define SIM_CLI_FAIL_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/cli/opt.h"
#include "sim/topo/fail.h"

/* More changes than anyone types; a random fraction is one request. */
#define SIM_FAIL_MAX_REQS 256

struct sim_fail_req {
	const char *spec;	/* the SPEC as given (points into argv) */
	const char *time;	/* TIME as given, NULL for --fail */
	uint64_t at_ps;		/* 0: --fail, from the start */
	uint8_t op;		/* enum sim_fail_op: SIM_FAIL_DOWN or SIM_FAIL_RESTORE */
};

struct sim_fail_reqs {
	struct sim_fail_req v[SIM_FAIL_MAX_REQS];
	uint32_t n;
};

/* The parsers of the table entries below; the field is a struct sim_fail_reqs. */
int sim_fail_opt(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);
int sim_fail_opt_at(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);

#define SIM_FAIL_OPT(T, FIELD) \
	{ .name = "fail", .arg = "SPEC", .parse = sim_fail_opt, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, struct sim_fail_reqs), \
	  .help = "fail links from the start (repeatable): A:B (every\n" \
		  "link between nodes A and B, e.g. leaf3:spine7),\n" \
		  "A:B=RATE (degraded, e.g. leaf0:spine1=400G),\n" \
		  "P%@TIER[/pN] (a random P% of host-leaf, leaf-spine,\n" \
		  "leaf-agg or agg-core links, of plane N), plane:P" }
#define SIM_FAIL_OPT_SEED(T, FIELD) \
	SIM_OPT_QTY("fail-seed", 0, "N", T, FIELD, COLL_QTY_COUNT, 0, UINT32_MAX, NULL, \
		    "seed of the P%@TIER draws, default 1; a larger P\n" \
		    "fails a superset of a smaller one [0..4294967295]")
#define SIM_FAIL_OPT_AT(T, FIELD) \
	{ .name = "fail-at", .arg = "T SPEC", .parse = sim_fail_opt_at, .value = SIM_FAIL_DOWN, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, struct sim_fail_reqs), \
	  .help = "fail SPEC's links at simulated time T > 0, before\n" \
		  "--stop (repeatable; also T=SPEC), e.g.\n" \
		  "--fail-at 200us leaf3:spine7" }, \
	{ .name = "restore-at", .arg = "T SPEC", .parse = sim_fail_opt_at, .value = SIM_FAIL_RESTORE, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, struct sim_fail_reqs), \
	  .help = "bring links failed before T back up at T, at the\nrate the topology gave them (repeatable)" }

/*
 * ARGV as getopt should see it: "--fail-at TIME SPEC" (and --restore-at,
 * and "--fail-at=TIME SPEC") joined into one value "TIME=SPEC". OUT owns
 * the joined words; free with sim_fail_argv_free. 0 or -ENOMEM.
 */
struct sim_fail_argv {
	int argc;
	char **argv;
	char **owned;		/* the joined words */
	int nowned;
};
int sim_fail_argv(int argc, char **argv, struct sim_fail_argv *out);
void sim_fail_argv_free(struct sim_fail_argv *a);

/*
 * Turns R into changes on T with SEED (every SPEC checked on T's links,
 * a restore on a link failed before it, every TIME before STOP_PS unless
 * 0), applies those of --fail to T and leaves the timed ones, sorted, in
 * TIMED (its seed SEED). 0, or an exit status (2: a bad SPEC or TIME, 1:
 * out of memory) after a message on stderr starting with CMD.
 */
int sim_fail_reqs_build(struct sim_topo *t, const struct sim_fail_reqs *r, uint64_t seed, uint64_t stop_ps,
			struct sim_fail_plan *timed, const char *cmd);

/*
 * Whether every pair of hosts the workload uses stays connected on some
 * plane from the start (T as it is) and after each time of TIMED: PAIR(CTX,
 * I, &A, &B) gives pair I < NPAIRS (false: skip it). 0, or 1 after
 * "CMD: --fail X leaves h3 (used by the workload) without a path to h17".
 * T's ports are as before on return.
 */
int sim_fail_check_pairs(struct sim_topo *t, const struct sim_fail_reqs *r, const struct sim_fail_plan *timed,
			 bool (*pair)(void *ctx, uint64_t i, uint32_t *a, uint32_t *b), uint64_t npairs, void *ctx,
			 const char *cmd);

#endif
