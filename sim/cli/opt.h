/*
 * Command-line options as tables. One entry per option holds everything
 * about it: its long and short name, the parser that checks and stores its
 * value, the field it fills, the accepted range and its --help text, so a
 * flag is defined in one place. sim_opt_parse builds getopt_long's arrays
 * from the tables, sim_opt_usage prints --help from them. Values are
 * checked by collectives/units.h, so every subcommand (and fabbench) reads
 * 8M, 800G and 2us alike and names the option, the value and the range
 * when it refuses one:
 *
 *   static const struct sim_opt switch_opts[] = {
 *	SIM_OPT_QTY("buffer", 0, "SIZE", struct my_opts, cfg.buffer_bytes, COLL_QTY_SIZE,
 *		    64 * SIM_OPT_KIB, 64 * SIM_OPT_GIB, NULL,
 *		    "shared buffer per switch\n[64 KiB..64 GiB]"),
 *	SIM_OPT_FLAG("no-pfc", 0, struct my_opts, cfg.pfc, 0, "lossy"),
 *   };
 *   static const struct sim_opt_group groups[] = { SIM_OPT_GROUP("switches", switch_opts) };
 *   static const struct sim_opt_cmd cmd = { .name = "fabsim x", ..., SIM_OPT_GROUPS(groups) };
 *
 * The macros check at compile time that the field has the type the
 * parser writes (a uint32_t count, a uint64_t quantity, a bool or int flag).
 */
#ifndef SIM_CLI_OPT_H
#define SIM_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "collectives/units.h"

#define SIM_OPT_KIB 1024ULL
#define SIM_OPT_MIB (1024ULL * 1024)
#define SIM_OPT_GIB (1024ULL * 1024 * 1024)
#define SIM_OPT_NS 1000ULL
#define SIM_OPT_US 1000000ULL
#define SIM_OPT_MS 1000000000ULL
#define SIM_OPT_S 1000000000000ULL
#define SIM_OPT_GBPS 1000000000ULL
#define SIM_OPT_TBPS 1000000000000ULL

/* At most this many options per command (getopt's arrays live on the stack). */
#define SIM_OPT_MAX 96
/* Columns of a --help line that HELP_FN's text is wrapped to. */
#define SIM_OPT_WIDTH 80

struct sim_opt;

/*
 * Checks ARG and stores it into OBJ, the command's options struct (the
 * field is sim_opt_field(opt, obj)). 0, or a negative errno (-EINVAL
 * malformed, -ERANGE out of range) with a one-line message in ERR naming
 * the option, the value and what is accepted.
 */
typedef int (*sim_opt_parse_fn)(const struct sim_opt *opt, const char *arg, void *obj, char *err,
				size_t errlen);

struct sim_opt {
	const char *name;	/* long name without "--"; NULL: a --help line (HELP) only */
	int key;		/* short option character; 0: long only */
	const char *arg;	/* its value in --help ("FILE"); NULL: a flag, no value */
	sim_opt_parse_fn parse;	/* NULL: --help */
	size_t offset;		/* of the field PARSE fills, in the options struct */
	enum coll_qty qty;	/* sim_opt_qty: what the value measures */
	uint64_t lo, hi;	/* sim_opt_qty, sim_opt_u32: accepted range */
	double min, max;	/* sim_opt_double: accepted range */
	int value;		/* flags: what is stored when given */
	const char *expected;	/* names: the accepted ones ("ecmp, flowlet, spray or ar");
				 * numbers: a note after the range (", or 'unlimited'") */
	const char *help;	/* --help text; '\n' starts a line indented like the first */
	/* --help text made when printed (a table's names, HELP_FN(buf, len)), wrapped at SIM_OPT_WIDTH */
	const char *(*help_fn)(char *buf, size_t len);
	bool hidden;		/* no --help line: a SIM_OPT_TEXT line lists it with others */
};

/* Options that configure one thing (the switches, the transport...). */
struct sim_opt_group {
	const char *heading;	/* --help line before the group's options; NULL: none */
	const struct sim_opt *opts;
	size_t nopts;
};

struct sim_opt_cmd {
	const char *name;		/* "fabsim run": starts every message */
	const char *usage_head;		/* --help text before the options */
	const char *usage_tail;		/* and after them; may be NULL */
	unsigned int help_col;		/* column where the options' help text starts */
	bool stop_at_arg;		/* options end at the first argument (getopt's '+') */
	bool usage_on_error;		/* an unknown option prints the usage, not "Try ..." */
	/*
	 * Called after each option given is parsed (NULL: none), for the
	 * checks that depend on whether an option was given at all, not only
	 * on its value (an option that does not apply to the workload).
	 */
	void (*given)(const struct sim_opt *opt, void *obj);
	const struct sim_opt_group *groups;
	size_t ngroups;
};

#define SIM_OPT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SIM_OPT_GROUP(HEADING, TABLE) { (HEADING), (TABLE), SIM_OPT_ARRAY_SIZE(TABLE) }
#define SIM_OPT_GROUPS(G) .groups = (G), .ngroups = SIM_OPT_ARRAY_SIZE(G)

/* offsetof(T, FIELD), refused at compile time unless FIELD has type TYPE */
#define SIM_OPT_OFFSET(T, FIELD, TYPE) \
	(offsetof(T, FIELD) + 0 * sizeof(_Generic(((T *)0)->FIELD, TYPE: 1)))

/* a text value (a path, a port name) kept as given */
#define SIM_OPT_STR(NAME, KEY, ARG, T, FIELD, HELP) \
	{ .name = (NAME), .key = (KEY), .arg = (ARG), .parse = sim_opt_str, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, const char *), .help = (HELP) }
/* a size, rate or time in [LO, HI] into a uint64_t */
#define SIM_OPT_QTY(NAME, KEY, ARG, T, FIELD, QTY, LO, HI, NOTE, HELP) \
	{ .name = (NAME), .key = (KEY), .arg = (ARG), .parse = sim_opt_qty, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, uint64_t), .qty = (QTY), .lo = (LO), .hi = (HI), \
	  .expected = (NOTE), .help = (HELP) }
/* a whole number in [LO, HI] into a uint32_t */
#define SIM_OPT_U32(NAME, KEY, ARG, T, FIELD, LO, HI, HELP) \
	{ .name = (NAME), .key = (KEY), .arg = (ARG), .parse = sim_opt_u32, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, uint32_t), .qty = COLL_QTY_COUNT, .lo = (LO), .hi = (HI), \
	  .help = (HELP) }
/* a plain number in [MIN, MAX] into a double */
#define SIM_OPT_DOUBLE(NAME, KEY, ARG, T, FIELD, MIN, MAX, HELP) \
	{ .name = (NAME), .key = (KEY), .arg = (ARG), .parse = sim_opt_double, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, double), .min = (MIN), .max = (MAX), .help = (HELP) }
/* no value: stores VALUE into a bool or int field */
#define SIM_OPT_FLAG(NAME, KEY, T, FIELD, VALUE, HELP) \
	{ .name = (NAME), .key = (KEY), \
	  .parse = _Generic(((T *)0)->FIELD, bool: sim_opt_set_bool, int: sim_opt_set_int), \
	  .offset = offsetof(T, FIELD), .value = (VALUE), .help = (HELP) }
/*
 * Anything else: PARSE decides (a name from a list, several fields at
 * once); EXPECTED is what sim_opt_bad says is accepted.
 */
#define SIM_OPT_CUSTOM(NAME, KEY, ARG, PARSE, EXPECTED, HELP) \
	{ .name = (NAME), .key = (KEY), .arg = (ARG), .parse = (PARSE), .expected = (EXPECTED), \
	  .help = (HELP) }
/*
 * A name from a table that grows (--cc, --lb): PARSE reads it, HELP_FN
 * lists the table's names for --help, so a new entry needs no edit here.
 */
#define SIM_OPT_NAMES(NAME, KEY, ARG, PARSE, HELP_FN) \
	{ .name = (NAME), .key = (KEY), .arg = (ARG), .parse = (PARSE), .help_fn = (HELP_FN) }
/*
 * A set of seeds, --seeds A:B (every seed from A to B) or A,B,C: each
 * configuration runs once per seed, in this order. At most
 * SIM_OPT_MAX_SEEDS: each seed is a whole simulation, so run time grows
 * linearly with them and 1,000 is already hours on a large fabric.
 */
#define SIM_OPT_MAX_SEEDS 1000
struct sim_opt_seeds {
	uint32_t n;			/* 0: not given */
	uint64_t v[SIM_OPT_MAX_SEEDS];
};
/* seeds in [LO, HI] into a struct sim_opt_seeds; duplicates and B < A refused */
#define SIM_OPT_SEEDS(NAME, KEY, ARG, T, FIELD, LO, HI, HELP) \
	{ .name = (NAME), .key = (KEY), .arg = (ARG), .parse = sim_opt_seeds, \
	  .offset = SIM_OPT_OFFSET(T, FIELD, struct sim_opt_seeds), .qty = COLL_QTY_COUNT, .lo = (LO), \
	  .hi = (HI), .help = (HELP) }
/* -h, --help: prints the usage on stdout */
#define SIM_OPT_HELP(HELP) { .name = "help", .key = 'h', .help = (HELP) }
/* a --help line that is not an option */
#define SIM_OPT_TEXT(TEXT) { .help = (TEXT) }

/*
 * Parses the options of ARGV (ARGV[0] is the subcommand) into OBJ with
 * CMD's tables. 0: done, *FIRST_ARG is the index of the first argument
 * that is not an option; 1: --help was printed on stdout (exit 0); -1: bad
 * usage, the message printed on stderr (exit 2). The one argument --man
 * (hidden) prints CMD's subsection of fabsim(1) in roff instead and
 * returns 1: fabsim man collects the commands' sections this way.
 */
int sim_opt_parse(const struct sim_opt_cmd *cmd, int argc, char **argv, void *obj, int *first_arg);
/* CMD's --help: its head, one line per option and heading, its tail. */
void sim_opt_usage(const struct sim_opt_cmd *cmd, FILE *out);

static inline void *sim_opt_field(const struct sim_opt *opt, void *obj)
{
	return (char *)obj + opt->offset;
}

/*
 * The message of a refused name: "invalid --lb 'x': expected ecmp,
 * flowlet, spray or ar", or "invalid --lb 'x' (see --help)" when the
 * option has no EXPECTED text. Returns -EINVAL.
 */
int sim_opt_bad(const struct sim_opt *opt, const char *arg, char *err, size_t errlen);
/* "invalid --NAME 'ARG': expected EXPECTED", for one of several checks of a value. Returns -EINVAL. */
int sim_opt_expected(const struct sim_opt *opt, const char *arg, const char *expected, char *err, size_t errlen);

/* The parsers the macros above use. */
int sim_opt_str(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);
int sim_opt_qty(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);
int sim_opt_u32(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);
int sim_opt_double(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);
int sim_opt_set_bool(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);
int sim_opt_set_int(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);
int sim_opt_seeds(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen);

#endif
