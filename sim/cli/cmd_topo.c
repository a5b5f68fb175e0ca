/*
 * `fabsim topo`: loads a topology file and prints its summary, as aligned
 * text or JSON, and optionally a Graphviz rendering. It lets a fabric be
 * checked (counts, bisection, oversubscription) before anything is run on it.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cmd.h"
#include "sim/cli/fail_opts.h"
#include "sim/cli/opt.h"
#include "sim/topo/partition.h"
#include "sim/topo/reach.h"
#include "sim/topo/topo.h"
#include "sim/cli/load.h"

struct topo_opts {
	const char *dot_path;	/* NULL: no DOT; "-": stdout */
	bool json;
	const char *file;
	uint32_t parts;		/* --parts: print how a split run would cut it (0: no) */
	enum sim_part_mode part_mode;
	struct sim_fail_reqs fail;	/* --fail */
	uint64_t fail_seed;		/* --fail-seed */
};

static int topo_opt_partition(const struct sim_opt *opt, const char *v, void *obj, char *err, size_t errlen)
{
	if (sim_part_mode_from_name(v, &((struct topo_opts *)obj)->part_mode))
		return sim_opt_expected(opt, v, "auto, pod or leaf", err, errlen);
	return 0;
}

static const struct sim_opt topo_opts_table[] = {
	SIM_OPT_STR("dot", 'd', "FILE", struct topo_opts, dot_path,
		    "also write the graph as Graphviz DOT to FILE\n('-': stdout, instead of the summary)"),
	SIM_OPT_FLAG("json", 'j', struct topo_opts, json, true, "print the summary as JSON"),
	SIM_OPT_U32("parts", 'p', "N", struct topo_opts, parts, 1, 1U << 20,
		    "also print how mpirun -np N fabsim run would split\nit: the parts, cut links and lookahead [1..2^20]"),
	SIM_OPT_CUSTOM("partition", 0, "MODE", topo_opt_partition, "auto, pod or leaf",
		       "with --parts: auto (default) | pod | leaf"),
	SIM_FAIL_OPT(struct topo_opts, fail),
	SIM_FAIL_OPT_SEED(struct topo_opts, fail_seed),
	SIM_OPT_HELP("show this help"),
};

static const struct sim_opt_group topo_groups[] = {
	SIM_OPT_GROUP(NULL, topo_opts_table),
};

static const struct sim_opt_cmd topo_cmd = {
	.name = "fabsim topo",
	.usage_head =
		"usage: fabsim topo [--dot FILE|-] [--json] [--parts N [--partition MODE]]\n"
		"                  [--fail SPEC]... [--fail-seed N] FILE\n"
		"\n"
		"Load the topology FILE (see topologies/FORMAT.md) and print its summary,\n"
		"after the failures of its fail list and of --fail. FILE may name a preset\n"
		"(small-800g or small-800g.topo): looked for in $FABSIM_TOPOLOGIES, in the\n"
		"installed share/fabsim/topologies, then in ./topologies.\n"
		"\n",
	.help_col = 24,
	.stop_at_arg = true,
	.usage_on_error = true,
	SIM_OPT_GROUPS(topo_groups),
};

/* Returns -1 to exit 0 (help), 0 to go on, or 2 on bad usage. */
static int topo_parse_args(int argc, char **argv, struct topo_opts *o)
{
	int first, rc = sim_opt_parse(&topo_cmd, argc, argv, o, &first);

	if (rc)
		return rc > 0 ? -1 : 2;
	if (first != argc - 1) {
		fprintf(stderr, "fabsim topo: expected exactly one topology FILE\n");
		sim_opt_usage(&topo_cmd, stderr);
		return 2;
	}
	if (o->json && o->dot_path && !strcmp(o->dot_path, "-")) {
		fprintf(stderr, "fabsim topo: --json and --dot - both want stdout\n");
		return 2;
	}
	o->file = argv[first];
	return 0;
}

static json_t *tier_counts(const uint64_t *v, const char *const *names, unsigned int n)
{
	json_t *o = json_object();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_set_new(o, names[i], json_integer(v[i]));
	return o;
}

/* [{tier, name, down_up, worst_switch}] for each tier with uplinks. */
static json_t *topo_oversub_json(const struct sim_topo *t, const struct sim_topo_summary *s)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < 3; i++) {
		json_t *e;

		if (!(s->oversub_tier[i] > 0))
			continue;
		e = json_object();
		json_object_set_new(e, "tier", json_integer(i + 1));
		json_object_set_new(e, "name", json_string(sim_topo_tier_name(t, i + 1)));
		json_object_set_new(e, "down_up", json_real(s->oversub_tier[i]));
		json_object_set_new(e, "worst_switch", json_real(s->oversub_worst[i]));
		json_array_append_new(a, e);
	}
	return a;
}

/* links_down, failed_links, links_degraded, hosts_isolated: only on a damaged fabric. */
static void topo_fail_json(json_t *o, struct sim_topo *t, const struct sim_topo_summary *s)
{
	json_t *links = json_array(), *hosts = json_array();
	struct sim_reach r;
	uint32_t n, i, *v;
	char name[160];

	n = sim_topo_failed_links(t, false, NULL, 0);
	v = malloc(((size_t)n + 1) * sizeof(*v));
	n = v ? sim_topo_failed_links(t, false, v, n) : 0;
	for (i = 0; i < n; i++) {
		sim_topo_link_name(t, v[i], name, sizeof(name));
		json_array_append_new(links, json_string(name));
	}
	free(v);
	/* every isolated host: the summary keeps only the first few */
	v = s->hosts_isolated ? malloc((size_t)s->hosts_isolated * sizeof(*v)) : NULL;
	n = 0;
	if (v && !sim_reach_build(t, &r)) {
		n = sim_reach_isolated(t, &r, v, s->hosts_isolated);
		sim_reach_free(&r);
	}
	for (i = 0; i < n && i < s->hosts_isolated; i++) {
		sim_topo_node_name(t, v[i], name, sizeof(name));
		json_array_append_new(hosts, json_string(name));
	}
	free(v);
	json_object_set_new(o, "links_down", json_integer(s->links_down));
	json_object_set_new(o, "failed_links", links);
	json_object_set_new(o, "links_degraded", json_integer(s->links_degraded));
	json_object_set_new(o, "hosts_isolated", hosts);
	json_object_set_new(o, "hosts_isolated_count", json_integer(s->hosts_isolated));
}

static json_t *topo_json(struct sim_topo *t, const struct sim_topo_summary *s)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3", "higher" };
	static const char *const links[] = { "host_leaf", "leaf_tier2", "tier2_tier3", "other" };
	uint64_t sw[4];
	json_t *o = json_object(), *sw_o = json_object();
	unsigned int i;

	for (i = 0; i < 4; i++)
		sw[i] = s->switches_per_tier[i];
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "kind", json_string(t->kind));
	json_object_set_new(o, "route", json_string(t->route == SIM_ROUTE_CLOS ? "clos" : "table"));
	json_object_set_new(o, "hosts", json_integer(s->hosts));
	json_object_set_new(o, "gpus_per_server", json_integer(t->gpus_per_server));
	json_object_set_new(o, "planes", json_integer(s->planes));
	json_object_set_new(o, "host_rate_bps", json_integer(s->host_rate_bps));
	json_object_set_new(o, "switches", json_integer(s->switches));
	json_object_set_new(o, "switches_per_tier", tier_counts(sw, tiers, 4));
	json_object_set_new(o, "tiers", json_integer(s->tiers));
	json_object_set_new(o, "links", json_integer(t->nports / 2));
	json_object_set_new(o, "links_per_tier", tier_counts(s->links_per_tier, links, 4));
	/* one host: no host pair, so no bisection and no diameter */
	json_object_set_new(o, "bisection_bps", s->hosts < 2 ? json_null() : json_real(s->bisection_bps));
	json_object_set_new(o, "oversubscription", json_real(s->oversubscription));
	json_object_set_new(o, "oversubscription_per_tier", topo_oversub_json(t, s));
	json_object_set_new(o, "oversubscription_end_to_end", json_real(s->oversub_end_to_end));
	if (s->links_down || s->links_degraded)
		topo_fail_json(o, t, s);
	json_object_set_new(o, "diameter_hops", s->hosts < 2 ? json_null() : json_integer(s->diameter_hops));
	json_object_set_new(o, "mtu_bytes", json_integer(t->mtu_bytes));
	json_object_set_new(sw_o, "latency_ns", json_real(t->sw.latency_ps / 1e3));
	json_object_set_new(sw_o, "buffer_bytes", json_integer(t->sw.buffer_bytes));
	json_object_set_new(sw_o, "max_ports", json_integer(s->max_switch_ports));
	json_object_set_new(sw_o, "max_bps", json_integer(s->max_switch_bps));
	json_object_set_new(o, "switch", sw_o);
	return o;
}

static int topo_print_json(struct sim_topo *t, const struct sim_topo_summary *s)
{
	json_t *o = topo_json(t, s);
	int ret;

	ret = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (ret)
		return -1;
	fputc('\n', stdout);
	return 0;
}

static int topo_dot(const struct sim_topo *t, const char *path)
{
	FILE *out = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int ret;

	if (!out) {
		perror(path);
		return -1;
	}
	ret = sim_topo_write_dot(t, out);
	if (out != stdout && fclose(out))
		ret = -1;
	if (ret)
		fprintf(stderr, "fabsim topo: cannot write %s\n", path);
	return ret;
}

/* --parts N: the partition a run split over N processes would use. */
static int topo_parts(const struct sim_topo *t, const struct topo_opts *o)
{
	struct sim_partition p;
	char err[512];

	if (sim_partition(t, o->parts, o->part_mode, &p, err, sizeof(err))) {
		fprintf(stderr, "fabsim topo: --parts %u: %s\n", o->parts, err);
		return 1;
	}
	if (!o->json)
		printf("\n");
	sim_partition_print(t, &p, o->json ? stderr : stdout);
	sim_partition_free(&p);
	return 0;
}

int sim_cmd_topo(int argc, char **argv)
{
	static struct topo_opts o;
	struct sim_fail_plan timed = { 0 };
	struct sim_topo_summary s;
	struct sim_topo *t;
	int ret;

	memset(&o, 0, sizeof(o));
	o.fail_seed = 1;
	ret = topo_parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	t = sim_topo_load(o.file);
	if (!t)
		return 1;
	/* --fail only: every change is at time 0 and applied to T */
	ret = sim_fail_reqs_build(t, &o.fail, o.fail_seed, 0, &timed, "fabsim topo");
	sim_fail_plan_free(&timed);
	if (ret) {
		sim_topo_free(t);
		return ret;
	}
	ret = sim_topo_summarize(t, &s);
	if (ret) {
		fprintf(stderr, "%s: cannot summarize the topology\n", o.file);
		goto out_free_topo;
	}
	if (o.dot_path)
		ret = topo_dot(t, o.dot_path);
	if (!ret && o.json)
		ret = topo_print_json(t, &s);
	else if (!ret && !(o.dot_path && !strcmp(o.dot_path, "-")))
		sim_topo_print_summary(t, &s, stdout);
	if (!ret && o.parts)
		ret = topo_parts(t, &o);
	if (fflush(stdout))
		ret = -1;
out_free_topo:
	sim_topo_free(t);
	return ret ? 1 : 0;
}
