/*
 * Option tables (sim/cli/opt.h): getopt_long's arrays and --help built
 * from one description of each option, and the parsers of its values.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include "collectives/man.h"
#include "sim/cli/opt.h"

/* getopt_long's value of a long-only option: above every character */
#define SIM_OPT_LONG_BASE 256

struct sim_opt_set {
	const struct sim_opt *opt[SIM_OPT_MAX];
	size_t n;
	struct option lo[SIM_OPT_MAX + 1];
	char shortopts[2 + 2 * SIM_OPT_MAX + 1];
};

/* Two entries with one name would make getopt take the first silently. */
static void sim_opt_assert_unique(const struct sim_opt_set *set, const struct sim_opt *o)
{
	for (size_t i = 0; i < set->n; i++) {
		assert(strcmp(set->opt[i]->name, o->name));
		assert(!o->key || set->opt[i]->key != o->key);
	}
}

static void sim_opt_add(struct sim_opt_set *set, const struct sim_opt *o)
{
	struct option *l = &set->lo[set->n];
	size_t len = strlen(set->shortopts);

	assert(set->n < SIM_OPT_MAX);
	assert(o->key >= 0 && o->key < SIM_OPT_LONG_BASE);
	sim_opt_assert_unique(set, o);
	l->name = o->name;
	l->has_arg = o->arg ? required_argument : no_argument;
	l->flag = NULL;
	l->val = o->key ? o->key : SIM_OPT_LONG_BASE + (int)set->n;
	if (o->key) {
		set->shortopts[len++] = (char)o->key;
		if (o->arg)
			set->shortopts[len++] = ':';
		set->shortopts[len] = '\0';
	}
	set->opt[set->n++] = o;
}

static void sim_opt_build(struct sim_opt_set *set, const struct sim_opt_cmd *cmd)
{
	memset(set, 0, sizeof(*set));
	if (cmd->stop_at_arg)
		strcpy(set->shortopts, "+");
	for (size_t g = 0; g < cmd->ngroups; g++)
		for (size_t i = 0; i < cmd->groups[g].nopts; i++)
			if (cmd->groups[g].opts[i].name)
				sim_opt_add(set, &cmd->groups[g].opts[i]);
}

static const struct sim_opt *sim_opt_find(const struct sim_opt_set *set, int c)
{
	if (c >= SIM_OPT_LONG_BASE)
		return (size_t)(c - SIM_OPT_LONG_BASE) < set->n ? set->opt[c - SIM_OPT_LONG_BASE] : NULL;
	for (size_t i = 0; i < set->n; i++)
		if (set->opt[i]->key == c)
			return set->opt[i];
	return NULL;
}

static int sim_opt_unknown(const struct sim_opt_cmd *cmd)
{
	if (cmd->usage_on_error)
		sim_opt_usage(cmd, stderr);
	else
		fprintf(stderr, "Try '%s --help'.\n", cmd->name);
	return -1;
}

static void sim_opt_man(const struct sim_opt_cmd *cmd, FILE *out);

int sim_opt_parse(const struct sim_opt_cmd *cmd, int argc, char **argv, void *obj, int *first_arg)
{
	struct sim_opt_set set;
	char err[320];
	int c;

	/* hidden: fabsim man collects every command's section this way */
	if (argc == 2 && !strcmp(argv[1], "--man")) {
		sim_opt_man(cmd, stdout);
		return 1;
	}
	sim_opt_build(&set, cmd);
	/* 0, not 1: main may already have run getopt on another vector */
	optind = 0;
	while ((c = getopt_long(argc, argv, set.shortopts, set.lo, NULL)) != -1) {
		const struct sim_opt *o = sim_opt_find(&set, c);

		if (!o)
			return sim_opt_unknown(cmd);
		if (!o->parse) {
			sim_opt_usage(cmd, stdout);
			return 1;
		}
		if (o->parse(o, optarg, obj, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", cmd->name, err);
			return -1;
		}
		if (cmd->given)
			cmd->given(o, obj);
	}
	*first_arg = optind;
	return 0;
}

/*
 * Breaks S at spaces so that no line, from column COL on, goes past
 * SIM_OPT_WIDTH (a word longer than that stays whole).
 */
static void sim_opt_wrap(char *s, unsigned int col)
{
	char *line = s, *space = NULL;

	for (char *p = s; *p; p++) {
		if (*p == ' ')
			space = p;
		if (col + (size_t)(p - line) >= SIM_OPT_WIDTH && space) {
			*space = '\n';
			line = space + 1;
			space = NULL;
		}
	}
}

/* "  -t, --topo FILE" padded to the help column, then the help text's lines. */
static void sim_opt_usage_line(const struct sim_opt_cmd *cmd, const struct sim_opt *o, FILE *out)
{
	const char *s = o->help;
	char made[512];
	int n;

	if (o->hidden)
		return;
	if (o->help_fn) {
		s = o->help_fn(made, sizeof(made));
		sim_opt_wrap(made, cmd->help_col);
	}
	if (!o->name) {
		fprintf(out, "%s\n", o->help);
		return;
	}
	if (o->key)
		n = fprintf(out, "  -%c, --%s", o->key, o->name);
	else
		n = fprintf(out, "      --%s", o->name);
	if (o->arg)
		n += fprintf(out, " %s", o->arg);
	if (!s) {
		fputc('\n', out);
		return;
	}
	for (;;) {
		size_t len = strcspn(s, "\n");

		fprintf(out, "%*s%.*s\n", n < (int)cmd->help_col ? (int)cmd->help_col - n : 1, "", (int)len, s);
		if (!s[len])
			break;
		s += len + 1;
		n = 0;
	}
}

void sim_opt_usage(const struct sim_opt_cmd *cmd, FILE *out)
{
	fputs(cmd->usage_head, out);
	for (size_t g = 0; g < cmd->ngroups; g++) {
		if (cmd->groups[g].heading)
			fprintf(out, "%s\n", cmd->groups[g].heading);
		for (size_t i = 0; i < cmd->groups[g].nopts; i++)
			sim_opt_usage_line(cmd, &cmd->groups[g].opts[i], out);
	}
	if (cmd->usage_tail)
		fputs(cmd->usage_tail, out);
}

/* ".TP", "-t, --topo FILE" in bold and italics, then the help text's lines */
static void sim_opt_man_item(const struct sim_opt *o, FILE *out)
{
	const char *s = o->help;
	char made[512];

	if (o->hidden)
		return;
	if (!o->name) {
		coll_man_help(out, o->help);
		return;
	}
	if (o->help_fn)
		s = o->help_fn(made, sizeof(made));
	fputs(".TP\n", out);
	if (o->key)
		fprintf(out, "\\fB\\-%c\\fR, ", o->key);
	fputs("\\fB\\-\\-", out);
	coll_man_put(out, o->name, strlen(o->name));
	fputs("\\fR", out);
	if (o->arg) {
		fputs(" \\fI", out);
		coll_man_put(out, o->arg, strlen(o->arg));
		fputs("\\fR", out);
	}
	fputc('\n', out);
	while (s && *s) {
		size_t len = strcspn(s, "\n");

		coll_man_put(out, s, len);
		fputc('\n', out);
		if (!s[len])
			break;
		fputs(".br\n", out);
		s += len + 1;
	}
}

/* CMD's --help in roff: a subsection of fabsim(1) */
static void sim_opt_man(const struct sim_opt_cmd *cmd, FILE *out)
{
	fputs(".SS \"", out);
	coll_man_put(out, cmd->name, strlen(cmd->name));
	fputs("\"\n", out);
	coll_man_pre(out, cmd->usage_head);
	for (size_t g = 0; g < cmd->ngroups; g++) {
		if (cmd->groups[g].heading) {
			fputs(".PP\n.B \"", out);
			coll_man_put(out, cmd->groups[g].heading, strlen(cmd->groups[g].heading));
			fputs("\"\n", out);
		}
		for (size_t i = 0; i < cmd->groups[g].nopts; i++)
			sim_opt_man_item(&cmd->groups[g].opts[i], out);
	}
	if (cmd->usage_tail) {
		fputs(".PP\n", out);
		coll_man_pre(out, cmd->usage_tail);
	}
}

int sim_opt_expected(const struct sim_opt *opt, const char *arg, const char *expected, char *err, size_t errlen)
{
	snprintf(err, errlen, "invalid --%s '%s': expected %s", opt->name, arg, expected);
	return -EINVAL;
}

int sim_opt_bad(const struct sim_opt *opt, const char *arg, char *err, size_t errlen)
{
	if (opt->expected)
		return sim_opt_expected(opt, arg, opt->expected, err, errlen);
	snprintf(err, errlen, "invalid --%s '%s' (see --help)", opt->name, arg);
	return -EINVAL;
}

int sim_opt_str(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	*(const char **)sim_opt_field(opt, obj) = arg;
	return 0;
}

/* "--NAME", as the messages of coll_parse_in name the option */
static const char *sim_opt_dashed(const struct sim_opt *opt, char *buf, size_t len)
{
	snprintf(buf, len, "--%s", opt->name);
	return buf;
}

int sim_opt_qty(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	char what[64];

	return coll_parse_in(opt->qty, sim_opt_dashed(opt, what, sizeof(what)), arg, opt->lo, opt->hi,
			     opt->expected, sim_opt_field(opt, obj), err, errlen);
}

int sim_opt_u32(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	char what[64];
	uint64_t v;
	int rc;

	assert(opt->hi <= UINT32_MAX);
	rc = coll_parse_in(COLL_QTY_COUNT, sim_opt_dashed(opt, what, sizeof(what)), arg, opt->lo, opt->hi, NULL, &v,
			   err, errlen);
	if (rc)
		return rc;
	*(uint32_t *)sim_opt_field(opt, obj) = (uint32_t)v;
	return 0;
}

int sim_opt_double(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	char what[64];

	return coll_parse_double_in(sim_opt_dashed(opt, what, sizeof(what)), arg, opt->min, opt->max,
				    sim_opt_field(opt, obj), err, errlen);
}

/* One seed of a --seeds list, in [LO, HI]; WHAT names it in the message. */
static int sim_opt_seed_one(const struct sim_opt *opt, const char *v, uint64_t *out, char *err, size_t errlen)
{
	char what[64];

	return coll_parse_in(COLL_QTY_COUNT, sim_opt_dashed(opt, what, sizeof(what)), v, opt->lo, opt->hi, NULL, out,
			     err, errlen);
}

/* V onto SEEDS, unless it is there already (a seed twice would weigh twice in the mean) */
static int sim_opt_seed_push(const struct sim_opt *opt, const char *arg, struct sim_opt_seeds *seeds, uint64_t v,
			     char *err, size_t errlen)
{
	char why[96];

	for (uint32_t i = 0; i < seeds->n; i++) {
		if (seeds->v[i] != v)
			continue;
		snprintf(why, sizeof(why), "each seed once (%llu is repeated)", (unsigned long long)v);
		return sim_opt_expected(opt, arg, why, err, errlen);
	}
	if (seeds->n == SIM_OPT_MAX_SEEDS) {
		snprintf(why, sizeof(why), "at most %u seeds", SIM_OPT_MAX_SEEDS);
		return sim_opt_expected(opt, arg, why, err, errlen);
	}
	seeds->v[seeds->n++] = v;
	return 0;
}

int sim_opt_seeds(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	struct sim_opt_seeds *seeds = sim_opt_field(opt, obj);
	const char *form = "A:B (A <= B) or a list A,B,C";
	char buf[4096], *colon, *save = NULL;
	uint64_t a, b;
	int rc;

	seeds->n = 0;
	if (!*arg || strlen(arg) >= sizeof(buf))
		return sim_opt_expected(opt, arg, form, err, errlen);
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (colon) {
		*colon = 0;
		if (strchr(colon + 1, ':') || strchr(buf, ',') || strchr(colon + 1, ','))
			return sim_opt_expected(opt, arg, form, err, errlen);
		if ((rc = sim_opt_seed_one(opt, buf, &a, err, errlen)) ||
		    (rc = sim_opt_seed_one(opt, colon + 1, &b, err, errlen)))
			return rc;
		if (b < a)
			return sim_opt_expected(opt, arg, form, err, errlen);
		if (b - a >= SIM_OPT_MAX_SEEDS) {
			snprintf(buf, sizeof(buf), "at most %u seeds", SIM_OPT_MAX_SEEDS);
			return sim_opt_expected(opt, arg, buf, err, errlen);
		}
		for (uint64_t v = a; v <= b; v++)
			seeds->v[seeds->n++] = v;
		return 0;
	}
	/* strtok_r would skip empty items: "1,,2" and a trailing comma are refused here */
	if (strstr(buf, ",,") || buf[0] == ',' || buf[strlen(buf) - 1] == ',')
		return sim_opt_expected(opt, arg, form, err, errlen);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if ((rc = sim_opt_seed_one(opt, t, &a, err, errlen)) ||
		    (rc = sim_opt_seed_push(opt, arg, seeds, a, err, errlen)))
			return rc;
	}
	return 0;
}

int sim_opt_set_bool(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	*(bool *)sim_opt_field(opt, obj) = opt->value;
	return 0;
}

int sim_opt_set_int(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	*(int *)sim_opt_field(opt, obj) = opt->value;
	return 0;
}
