/*
 * Explicit graphs: nodes and links as given, routed by shortest paths
 * (SIM_ROUTE_TABLE). Hosts get ids 0.. and switches the ids after them,
 * each in array order; the user's names are kept for reports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/arith.h"
#include "sim/topo/gen_priv.h"

struct xb {
	const struct sim_explicit_params *p;
	uint32_t nhosts;
	uint32_t *node_of_id;	/* node id -> index into p->nodes */
	uint32_t *id_of_node;	/* index into p->nodes -> node id */
	uint32_t *bad_node;
	char *err;
	size_t errlen;
};

static int xb_node_fail(struct xb *x, uint32_t i, int ret, const char *what)
{
	*x->bad_node = i;
	return gen_fail(x->err, x->errlen, ret, "node %u: %s", i, what);
}

static int xb_check_node(struct xb *x, uint32_t i)
{
	const struct sim_explicit_node *n = &x->p->nodes[i];
	size_t len = n->name ? strlen(n->name) : 0;

	if (!len || len > SIM_TOPO_MAX_NAME)
		return xb_node_fail(x, i, -EINVAL, "node name must be 1..63 characters");
	if (n->kind != SIM_NODE_HOST && n->kind != SIM_NODE_SWITCH)
		return xb_node_fail(x, i, -EINVAL, "kind must be host or switch");
	if (n->kind == SIM_NODE_HOST && n->tier)
		return xb_node_fail(x, i, -EINVAL, "a host is tier 0");
	if (n->tier >= 255 || n->pod == UINT32_MAX || n->group == UINT32_MAX)
		return xb_node_fail(x, i, -EINVAL, "tier, pod or group out of range");
	return 0;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	const struct sim_explicit_node *nodes = ctx;

	return strcmp(nodes[*(const uint32_t *)a].name, nodes[*(const uint32_t *)b].name);
}

/* Names must be unique: a graph with two "s0" could not be reported on. */
static int xb_unique(struct xb *x)
{
	const struct sim_explicit_params *p = x->p;
	uint32_t *by_name, i;
	int ret = 0;

	by_name = malloc(p->nnodes * sizeof(*by_name));
	if (!by_name)
		return gen_fail(x->err, x->errlen, -ENOMEM, "cannot build the graph: out of memory");
	for (i = 0; i < p->nnodes; i++)
		by_name[i] = i;
	qsort_r(by_name, p->nnodes, sizeof(*by_name), cmp_name, (void *)p->nodes);
	for (i = 1; i < p->nnodes && !ret; i++) {
		uint32_t a = by_name[i - 1], b = by_name[i];

		if (strcmp(p->nodes[a].name, p->nodes[b].name))
			continue;
		*x->bad_node = a > b ? a : b;
		ret = gen_fail(x->err, x->errlen, -EINVAL, "duplicate node name \"%s\" (first "
			       "given as node %u)", p->nodes[a].name, a < b ? a : b);
	}
	free(by_name);
	return ret;
}

/* Checks the nodes and numbers them: hosts first, in array order. */
static int xb_nodes(struct xb *x)
{
	const struct sim_explicit_params *p = x->p;
	uint32_t i, nsw = 0;
	int ret;

	if (!p->nnodes || p->nnodes >= SIM_NONE)
		return gen_fail(x->err, x->errlen, -EINVAL, "'nodes' must hold 1..%u nodes",
				SIM_NONE - 1);
	for (i = 0; i < p->nnodes; i++) {
		ret = xb_check_node(x, i);
		if (ret)
			return ret;
		x->nhosts += p->nodes[i].kind == SIM_NODE_HOST;
	}
	if (!x->nhosts)
		return gen_fail(x->err, x->errlen, -EINVAL,
				"no host in 'nodes' (expected at least one kind = \"host\")");
	ret = xb_unique(x);
	if (ret)
		return ret;
	x->node_of_id = malloc(p->nnodes * sizeof(*x->node_of_id));
	x->id_of_node = malloc(p->nnodes * sizeof(*x->id_of_node));
	if (!x->node_of_id || !x->id_of_node)
		return gen_fail(x->err, x->errlen, -ENOMEM, "cannot build the graph: out of memory");
	for (i = 0; i < p->nnodes; i++) {
		uint32_t id = p->nodes[i].kind == SIM_NODE_HOST ? i - nsw : x->nhosts + nsw++;

		x->id_of_node[i] = id;
		x->node_of_id[id] = i;
	}
	return 0;
}

static int xb_check_link(struct xb *x, uint64_t i)
{
	const struct sim_explicit_link *l = &x->p->links[i];
	const struct sim_explicit_node *n = x->p->nodes;

	if (l->a >= x->p->nnodes || l->b >= x->p->nnodes)
		return gen_fail(x->err, x->errlen, -EINVAL, "link %llu: no node %u",
				(unsigned long long)i, l->a >= x->p->nnodes ? l->a : l->b);
	if (l->a == l->b)
		return gen_fail(x->err, x->errlen, -EINVAL, "self-link on \"%s\" (expected two "
				"different nodes)", n[l->a].name);
	if (n[l->a].kind == SIM_NODE_HOST && n[l->b].kind == SIM_NODE_HOST)
		return gen_fail(x->err, x->errlen, -EINVAL, "link joins hosts \"%s\" and \"%s\" "
				"(hosts attach to switches only)", n[l->a].name, n[l->b].name);
	if (l->rate_bps < SIM_TOPO_MIN_RATE_BPS || l->rate_bps > SIM_TOPO_MAX_RATE_BPS)
		return gen_fail(x->err, x->errlen, -EINVAL, "link %s-%s: rate %llu b/s is out of "
				"range (expected 1M to 10T)", n[l->a].name, n[l->b].name,
				(unsigned long long)l->rate_bps);
	return 0;
}

static int xb_names(const struct xb *x, struct sim_topo *t)
{
	const struct sim_explicit_params *p = x->p;
	size_t len = 0, off = 0;
	uint32_t i;

	for (i = 0; i < p->nnodes; i++)
		len += strlen(p->nodes[i].name) + 1;
	t->names = calloc(p->nnodes, sizeof(*t->names));
	t->name_pool = malloc(len);
	if (!t->names || !t->name_pool)
		return -ENOMEM;
	for (i = 0; i < p->nnodes; i++) {
		const char *name = p->nodes[x->node_of_id[i]].name;

		t->names[i] = strcpy(t->name_pool + off, name);
		off += strlen(name) + 1;
	}
	return 0;
}

/* Says what sim_topo_finalize() found, by the names of the nodes. */
static int xb_report(struct xb *x, const struct sim_topo *t, int err, uint32_t bad)
{
	const char *name = bad < t->nnodes ? t->names[bad] : NULL;
	const char *first = t->names[0];

	if (!name)
		return gen_fail(x->err, x->errlen, err, "cannot build the graph: %s", strerror(-err));
	*x->bad_node = x->node_of_id[bad];
	if (err == -EINVAL && !t->nodes[bad].nports)
		return gen_fail(x->err, x->errlen, err, "host \"%s\" has no link (expected one link "
				"per plane)", name);
	if (err == -EINVAL)
		return gen_fail(x->err, x->errlen, err, "host \"%s\" has %u links but host \"%s\" "
				"has %u (expected one link per plane on every host)", name,
				t->nodes[bad].nports, first, t->nodes[0].nports);
	if (err == -ENOTCONN)
		return gen_fail(x->err, x->errlen, err, "node \"%s\" is not connected to the rest of "
				"the graph", name);
	if (err == -EHOSTUNREACH)
		return gen_fail(x->err, x->errlen, err, "host \"%s\" cannot reach host \"%s\" through "
				"switches on every plane", name, first);
	if (err == -E2BIG)
		return gen_fail(x->err, x->errlen, err, "node \"%s\" has more than 65535 links", name);
	return gen_fail(x->err, x->errlen, err, "switch \"%s\" is more than 254 hops from a host "
			"or a host's switch (expected at most 254: hop counts are 8-bit)", name);
}

/* Shortest-path routing keeps a hop table of edge switches x switches bytes. */
static int xb_mem(struct xb *x, const struct sim_topo *t)
{
	uint64_t need = gen_add_sat(sim_topo_mem_bytes(t->nnodes, x->p->nlinks),
				    sim_topo_table_bytes(t));
	char why[256];
	int ret;

	ret = coll_mem_guard(need, "building it", why, sizeof(why));
	if (ret)
		return gen_fail(x->err, x->errlen, ret, "graph too large: %u nodes: %s", t->nnodes,
				why);
	return 0;
}

static int xb_build(struct xb *x, struct sim_topo *t)
{
	const struct sim_explicit_params *p = x->p;
	uint32_t i, bad;
	uint64_t k;
	int ret;

	if (xb_names(x, t))
		return gen_fail(x->err, x->errlen, -ENOMEM, "cannot build the graph: out of memory");
	for (i = 0; i < p->nnodes; i++) {
		const struct sim_explicit_node *n = &p->nodes[x->node_of_id[i]];

		if (n->kind == SIM_NODE_HOST)
			sim_topo_add_host(t, n->pod, n->group);
		else
			sim_topo_add_switch(t, n->tier, n->pod, n->group);
	}
	for (k = 0; k < p->nlinks; k++) {
		const struct sim_explicit_link *l = &p->links[k];

		ret = sim_topo_add_link(t, x->id_of_node[l->a], x->id_of_node[l->b], l->rate_bps,
					l->delay_ps);
		if (ret)
			return gen_fail(x->err, x->errlen, ret, "cannot add link: out of memory");
	}
	ret = xb_mem(x, t);
	if (ret)
		return ret;
	ret = sim_topo_finalize(t, &bad);
	if (ret)
		return xb_report(x, t, ret, bad);
	snprintf(t->kind, sizeof(t->kind), "explicit");
	snprintf(t->name, sizeof(t->name), "explicit");
	return 0;
}

int sim_topo_explicit(const struct sim_explicit_params *p, struct sim_topo **out,
		      uint32_t *bad_node, char *err, size_t errlen)
{
	struct xb x = { .p = p, .bad_node = bad_node, .err = err, .errlen = errlen };
	struct sim_topo *t = NULL;
	uint32_t dummy;
	uint64_t k;
	int ret;

	if (!x.bad_node)
		x.bad_node = &dummy;
	*x.bad_node = SIM_NONE;
	*out = NULL;
	ret = xb_nodes(&x);
	if (!ret && p->nlinks > GEN_MAX_LINKS)
		ret = gen_fail(err, errlen, -E2BIG, "graph too large: %llu links (limit %llu: port "
			       "ids are 32-bit)", (unsigned long long)p->nlinks, GEN_MAX_LINKS);
	for (k = 0; k < p->nlinks && !ret; k++)
		ret = xb_check_link(&x, k);
	if (ret)
		goto out_free_ids;
	t = sim_topo_create(x.nhosts, p->nnodes - x.nhosts, p->nlinks, SIM_ROUTE_TABLE);
	if (!t)
		ret = gen_fail(err, errlen, -ENOMEM, "cannot build the graph: out of memory");
	else
		ret = xb_build(&x, t);
	if (ret)
		sim_topo_free(t);
	else
		*out = t;
out_free_ids:
	free(x.id_of_node);
	free(x.node_of_id);
	return ret;
}
