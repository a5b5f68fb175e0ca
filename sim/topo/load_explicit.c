/*
 * fabric = { kind = "explicit"; nodes = (...); links = (...); }: reads the
 * node and link lists into the explicit builder's arrays (gen.h), each
 * error at the line of its node or link, then builds the graph. What the
 * builder finds about a node (no link, not connected) is reported at the
 * line of that node.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/topo/load_priv.h"

struct xload {
	struct ld_ctx *c;
	const config_setting_t *g;
	struct sim_explicit_node *nodes;	/* file order */
	const config_setting_t **node_s;	/* each node's setting, for its line */
	uint32_t *by_name;		/* indexes into nodes, sorted by name */
	uint32_t n, nhosts;
	struct sim_explicit_link *links;
	uint64_t host_rate_bps, fabric_rate_bps;	/* 0: links must give one */
	uint64_t delay_ps;
};

static int node_find(const struct xload *x, const char *name, uint32_t *idx)
{
	uint32_t lo = 0, hi = x->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, x->nodes[x->by_name[mid]].name);

		if (!r) {
			*idx = x->by_name[mid];
			return 0;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int node_parse(struct xload *x, const config_setting_t *s, struct sim_explicit_node *e)
{
	static const char *const keys[] = { "name", "kind", "tier", "pod", "group", NULL };
	struct ld_ctx *c = x->c;
	const config_setting_t *k;
	const char *kind;
	uint32_t tier = 0;

	if (!config_setting_is_group(s)) {
		ld_err(c, s, "expected a node group like { name = \"h0\"; kind = \"host\"; }");
		return -1;
	}
	if (ld_check_keys(c, s, "node", keys, NULL) ||
	    !(k = ld_need(c, s, "name", "a node name string")) || !(e->name = ld_str(c, k, "name")) ||
	    !(k = ld_need(c, s, "kind", "\"host\" or \"switch\"")) || !(kind = ld_str(c, k, "kind")))
		return -1;
	if (!e->name[0] || strlen(e->name) > SIM_TOPO_MAX_NAME) {
		ld_err(c, s, "node name must be 1..%d characters", SIM_TOPO_MAX_NAME);
		return -1;
	}
	if (strcmp(kind, "host") && strcmp(kind, "switch")) {
		ld_err(c, k, "unknown node kind \"%s\" (expected \"host\" or \"switch\")", kind);
		return -1;
	}
	e->kind = strcmp(kind, "host") ? SIM_NODE_SWITCH : SIM_NODE_HOST;
	if (ld_u32(c, s, "tier", false, e->kind == SIM_NODE_HOST ? 0 : 1,
		   e->kind == SIM_NODE_HOST ? 0 : 254, &tier) < 0 ||
	    ld_u32(c, s, "pod", false, 0, UINT32_MAX - 1, &e->pod) < 0 ||
	    ld_u32(c, s, "group", false, 0, UINT32_MAX - 1, &e->group) < 0)
		return -1;
	e->tier = tier;
	return 0;
}

static int cmp_name_r(const void *a, const void *b, void *ctx)
{
	const struct xload *x = ctx;

	return strcmp(x->nodes[*(const uint32_t *)a].name, x->nodes[*(const uint32_t *)b].name);
}

/* Duplicates are found on the sorted names; blamed on the later one in the file. */
static int nodes_unique(struct xload *x)
{
	uint32_t i;

	qsort_r(x->by_name, x->n, sizeof(*x->by_name), cmp_name_r, x);
	for (i = 1; i < x->n; i++) {
		uint32_t a = x->by_name[i - 1], b = x->by_name[i];

		if (!strcmp(x->nodes[a].name, x->nodes[b].name)) {
			/* qsort is not stable: blame whichever comes later in the file */
			ld_err(x->c, x->node_s[a > b ? a : b],
			       "duplicate node name \"%s\" (first defined on line %d)",
			       x->nodes[a].name, config_setting_source_line(x->node_s[a < b ? a : b]));
			return -1;
		}
	}
	return 0;
}

/* Reads nodes and rejects duplicate names. */
static int read_nodes(struct xload *x, const config_setting_t *list)
{
	uint32_t i;

	x->n = config_setting_length(list);
	if (!config_setting_is_list(list) || !x->n) {
		ld_err(x->c, list, "'nodes' must be a non-empty list ( { name = ...; kind = ...; }, ... )");
		return -1;
	}
	x->nodes = calloc(x->n, sizeof(*x->nodes));
	x->node_s = calloc(x->n, sizeof(*x->node_s));
	x->by_name = malloc(x->n * sizeof(*x->by_name));
	if (!x->nodes || !x->node_s || !x->by_name) {
		ld_err_ret(x->c, list, -ENOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < x->n; i++) {
		x->node_s[i] = config_setting_get_elem(list, i);
		if (node_parse(x, x->node_s[i], &x->nodes[i]))
			return -1;
		x->nhosts += x->nodes[i].kind == SIM_NODE_HOST;
		x->by_name[i] = i;
	}
	if (!x->nhosts) {
		ld_err(x->c, list, "no host in 'nodes' (expected at least one kind = \"host\")");
		return -1;
	}
	return nodes_unique(x);
}

static int link_end(const struct xload *x, const config_setting_t *l, int i, uint32_t *idx)
{
	const config_setting_t *s = config_setting_get_elem(l, i);
	const char *name;

	if (!(name = ld_str(x->c, s, i ? "link end b" : "link end a")))
		return -1;
	if (!node_find(x, name, idx))
		return 0;
	ld_err(x->c, s, "unknown node \"%s\" in link (expected a name from 'nodes')", name);
	return -1;
}

static int link_rate(const struct xload *x, const config_setting_t *l,
		     const struct sim_explicit_link *k, uint64_t *rate)
{
	const struct sim_explicit_node *a = &x->nodes[k->a], *b = &x->nodes[k->b];
	bool host = a->kind == SIM_NODE_HOST || b->kind == SIM_NODE_HOST;

	if (config_setting_length(l) > 2)
		return ld_rate_value(x->c, config_setting_get_elem(l, 2), "link rate", rate);
	*rate = host ? x->host_rate_bps : x->fabric_rate_bps;
	if (!*rate)
		ld_err(x->c, l, "link %s-%s has no rate (expected a 3rd field like \"800G\" or "
		       "fabric.%s)", a->name, b->name, host ? "host_rate" : "fabric_rate");
	return *rate ? 0 : -1;
}

static int link_delay(const struct xload *x, const config_setting_t *l, uint64_t *delay)
{
	int n = config_setting_length(l);
	double v;

	*delay = x->delay_ps;
	if (n > 3) {
		if (ld_check_real(x->c, config_setting_get_elem(l, 3), "link cable metres", 0, 1e5,
				  &v))
			return -1;
		*delay = llround(v * CABLE_PS_PER_M);
	}
	if (n > 4) {
		if (ld_check_real(x->c, config_setting_get_elem(l, 4), "link delay_ns", 0, 1e9, &v))
			return -1;
		*delay = llround(v * PS_PER_NS);
	}
	return 0;
}

static int read_link(const struct xload *x, const config_setting_t *l,
		     struct sim_explicit_link *k)
{
	int n = config_setting_length(l);

	if ((!config_setting_is_list(l) && !config_setting_is_array(l)) || n < 2 || n > 5) {
		ld_err(x->c, l, "expected a link (\"a\", \"b\" [, rate [, cable_m [, delay_ns]]])");
		return -1;
	}
	if (link_end(x, l, 0, &k->a) || link_end(x, l, 1, &k->b))
		return -1;
	if (k->a == k->b) {
		ld_err(x->c, l, "self-link on \"%s\" (expected two different nodes)",
		       x->nodes[k->a].name);
		return -1;
	}
	if (x->nodes[k->a].kind == SIM_NODE_HOST && x->nodes[k->b].kind == SIM_NODE_HOST) {
		ld_err(x->c, l, "link joins hosts \"%s\" and \"%s\" (hosts attach to switches only)",
		       x->nodes[k->a].name, x->nodes[k->b].name);
		return -1;
	}
	return link_rate(x, l, k, &k->rate_bps) || link_delay(x, l, &k->delay_ps) ? -1 : 0;
}

static int read_links(struct xload *x, const config_setting_t *links, uint64_t *nlinks)
{
	uint32_t i, n = config_setting_length(links);

	x->links = calloc(n ? n : 1, sizeof(*x->links));
	if (!x->links) {
		ld_err_ret(x->c, x->g, -ENOMEM, "cannot build the graph: out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (read_link(x, config_setting_get_elem(links, i), &x->links[i]))
			return -1;
	*nlinks = n;
	return 0;
}

static struct sim_topo *build(struct xload *x, const config_setting_t *links)
{
	struct sim_explicit_params p = { .nodes = x->nodes, .nnodes = x->n, .links = NULL };
	struct sim_topo *t;
	char msg[512];
	uint32_t bad;
	int ret;

	if (read_links(x, links, &p.nlinks))
		return NULL;
	p.links = x->links;
	ret = sim_topo_explicit(&p, &t, &bad, msg, sizeof(msg));
	if (!ret)
		return t;
	ld_err_ret(x->c, bad < x->n ? x->node_s[bad] : x->g, ret, "%s", msg);
	return NULL;
}

struct sim_topo *ld_explicit(struct ld_ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"kind", "nodes", "links", "host_rate", "fabric_rate", "cable_m", "delay_ns", NULL
	};
	struct xload x = { .c = c, .g = g };
	const config_setting_t *nodes, *links;
	struct sim_topo *t = NULL;

	if (ld_check_keys(c, g, "fabric (kind \"explicit\")", keys, NULL) ||
	    ld_rate(c, g, "host_rate", false, &x.host_rate_bps) < 0 ||
	    ld_rate(c, g, "fabric_rate", false, &x.fabric_rate_bps) < 0 ||
	    ld_base_delay(c, g, &x.delay_ps) ||
	    !(nodes = ld_need(c, g, "nodes", "a list of { name = ...; kind = ...; } groups")) ||
	    !(links = ld_need(c, g, "links", "a list of (\"a\", \"b\", rate, cable_m) links")))
		return NULL;
	if (!config_setting_is_list(links) && !config_setting_is_array(links)) {
		ld_err(c, links, "'links' must be a list ( (\"a\", \"b\", \"800G\", 5.0), ... )");
		return NULL;
	}
	if (!read_nodes(&x, nodes))
		t = build(&x, links);
	free(x.links);
	free(x.by_name);
	free(x.node_s);
	free(x.nodes);
	return t;
}
