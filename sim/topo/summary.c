/*
 * The summary of `fabsim topo`: counts, bisection bandwidth,
 * oversubscription and diameter, and their human-readable rendering (the
 * Graphviz export is dot.c). Clos fabrics are measured structurally, in
 * time linear in the port count; explicit graphs by max-flow and BFS, which
 * is fine for the hand-written sizes they come in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/topo/reach.h"
#include "sim/topo/topo.h"

#define DIST_NONE 255
#define DIAMETER_MAX_PAIRS 50000000ULL	/* host pairs scanned exactly, TABLE mode */

static const struct sim_port *port_peer(const struct sim_topo *t, uint32_t i)
{
	return &t->ports[t->ports[i].peer];
}

/* Sum of down-port and up-port rates of one switch, failed links left out. */
static void switch_bw(const struct sim_topo *t, const struct sim_node *n, double *down,
		      double *up)
{
	uint32_t p;

	*down = *up = 0;
	for (p = 0; p < n->nports; p++) {
		const struct sim_port *port = &t->ports[n->first_port + p];

		if (port->down)
			continue;
		if (p < n->ndown)
			*down += port->rate_bps;
		else if (port->up)
			*up += port->rate_bps;
	}
}

static unsigned int link_class(const struct sim_topo *t, uint32_t i)
{
	uint8_t a = t->nodes[t->ports[i].node].tier;
	uint8_t b = t->nodes[port_peer(t, i)->node].tier;
	uint8_t lo = a < b ? a : b, hi = a < b ? b : a;

	return hi == lo + 1 && hi <= 3 ? lo : 3;
}

static uint32_t clos_pods(const struct sim_topo *t)
{
	if (t->ntiers < 3 || !t->layout.aggs_per_pod)
		return 1;
	return t->layout.ntier2 / t->layout.aggs_per_pod;
}

/*
 * Clos bisection over the canonical split (hosts by index into halves, which
 * in a Clos means whole leaves and, in a fat-tree, whole pods): each half can
 * push at most half of the host NIC bandwidth, and in every layer that the
 * split forces traffic through, at most half of that layer's capacity, a
 * switch contributing min(down, up) bandwidth. Exact for the symmetric
 * fabrics the generators build; a partial last leaf/pod shifts it slightly.
 */
static double clos_bisection(const struct sim_topo *t)
{
	double hostbw = 0, layer[3] = { 0, 0, 0 }, down, up, best;
	uint32_t n;

	/* one host: no split, nothing crosses it (as table_bisection) */
	if (t->nhosts < 2)
		return 0;
	for (n = 0; n < t->nnodes; n++) {
		const struct sim_node *v = &t->nodes[n];

		if (v->kind == SIM_NODE_HOST) {
			for (uint32_t p = 0; p < v->nports; p++)
				if (!t->ports[v->first_port + p].down)
					hostbw += t->ports[v->first_port + p].rate_bps;
		} else if (v->tier >= 1 && v->tier <= 2) {
			switch_bw(t, v, &down, &up);
			layer[v->tier] += down < up ? down : up;
		}
	}
	best = hostbw / 2;
	if (t->layout.nleaves > 1 && layer[1] / 2 < best)
		best = layer[1] / 2;
	if (clos_pods(t) > 1 && layer[2] / 2 < best)
		best = layer[2] / 2;
	return best;
}

/* Dinic max-flow, for explicit graphs. */
struct flow {
	uint32_t nv, na;
	uint32_t *head;		/* vertex -> first arc */
	uint32_t *next, *to;	/* arc lists; arc ^ 1 is the reverse arc */
	double *cap;		/* residual bits per second */
	uint32_t *level, *iter, *queue;
	uint32_t *path;		/* arcs of the path being grown, up to nv */
};

static void flow_arc(struct flow *f, uint32_t a, uint32_t b, double cap_ab, double cap_ba)
{
	f->to[f->na] = b;
	f->cap[f->na] = cap_ab;
	f->next[f->na] = f->head[a];
	f->head[a] = f->na++;
	f->to[f->na] = a;
	f->cap[f->na] = cap_ba;
	f->next[f->na] = f->head[b];
	f->head[b] = f->na++;
}

static int flow_bfs(struct flow *f, uint32_t s, uint32_t sink)
{
	uint32_t head = 0, tail = 0, a;

	memset(f->level, 0xff, f->nv * sizeof(*f->level));
	f->level[s] = 0;
	f->queue[tail++] = s;
	while (head < tail) {
		uint32_t u = f->queue[head++];

		for (a = f->head[u]; a != SIM_NONE; a = f->next[a]) {
			if (f->cap[a] > 0 && f->level[f->to[a]] == SIM_NONE) {
				f->level[f->to[a]] = f->level[u] + 1;
				f->queue[tail++] = f->to[a];
			}
		}
	}
	return f->level[sink] != SIM_NONE;
}

/* Pushes along one path's arcs the least residual capacity among them. */
static double flow_push(struct flow *f, uint32_t depth)
{
	double push = 1e300;
	uint32_t i;

	for (i = 0; i < depth; i++)
		push = f->cap[f->path[i]] < push ? f->cap[f->path[i]] : push;
	for (i = 0; i < depth; i++) {
		f->cap[f->path[i]] -= push;
		f->cap[f->path[i] ^ 1] += push;
	}
	return push;
}

/*
 * One augmenting path from S along the level graph, or 0. Iterative: in a
 * long chain of switches the path is as long as the graph, too deep to
 * recurse. A dead end leaves its node's arc iterator exhausted, so that it
 * is not tried again in this phase.
 */
static double flow_augment(struct flow *f, uint32_t s, uint32_t sink)
{
	uint32_t u = s, depth = 0, a;

	while (u != sink) {
		for (; (a = f->iter[u]) != SIM_NONE; f->iter[u] = f->next[a])
			if (f->cap[a] > 0 && f->level[f->to[a]] == f->level[u] + 1)
				break;
		if (a != SIM_NONE) {
			f->path[depth++] = a;
			u = f->to[a];
			continue;
		}
		if (!depth)
			return 0;
		/* retreat to the arc's tail and skip the arc */
		a = f->path[--depth];
		u = f->to[a ^ 1];
		f->iter[u] = f->next[a];
	}
	return flow_push(f, depth);
}

static int flow_alloc(struct flow *f, uint32_t nv, uint64_t narcs)
{
	f->nv = nv;
	f->head = malloc(nv * sizeof(*f->head));
	f->level = malloc(nv * sizeof(*f->level));
	f->iter = malloc(nv * sizeof(*f->iter));
	f->queue = malloc(nv * sizeof(*f->queue));
	f->path = malloc(nv * sizeof(*f->path));
	f->next = malloc(narcs * sizeof(*f->next));
	f->to = malloc(narcs * sizeof(*f->to));
	f->cap = malloc(narcs * sizeof(*f->cap));
	if (!f->head || !f->level || !f->iter || !f->queue || !f->path || !f->next || !f->to ||
	    !f->cap)
		return -ENOMEM;
	memset(f->head, 0xff, nv * sizeof(*f->head));
	return 0;
}

static void flow_free(struct flow *f)
{
	free(f->cap);
	free(f->to);
	free(f->next);
	free(f->path);
	free(f->queue);
	free(f->iter);
	free(f->level);
	free(f->head);
}

/*
 * Explicit graphs, and Clos fabrics with failed or degraded links: max-flow
 * from the first half of the hosts (by index) to the second, each live link
 * an undirected edge of its (degraded) rate. Every host is a source or a
 * sink, so a multi-plane host relaying between planes adds nothing: the
 * result is the exact canonical-split cut.
 */
static int table_bisection(const struct sim_topo *t, double *out)
{
	uint32_t src = t->nnodes, sink = t->nnodes + 1, h, i;
	struct flow f = { 0 };
	double total = 0, got;
	int ret;

	*out = 0;
	if (t->nhosts < 2)
		return 0;
	ret = flow_alloc(&f, t->nnodes + 2, (uint64_t)t->nports + 2ULL * t->nhosts);
	if (ret)
		goto out_free_flow;
	for (i = 0; i < t->nports; i++)
		if (i < t->ports[i].peer && !t->ports[i].down)
			flow_arc(&f, t->ports[i].node, port_peer(t, i)->node,
				 t->ports[i].rate_bps, t->ports[i].rate_bps);
	for (h = 0; h < t->nhosts; h++) {
		if (h < t->nhosts / 2)
			flow_arc(&f, src, h, 1e300, 0);
		else
			flow_arc(&f, h, sink, 1e300, 0);
	}
	while (flow_bfs(&f, src, sink)) {
		memcpy(f.iter, f.head, f.nv * sizeof(*f.iter));
		while ((got = flow_augment(&f, src, sink)) > 0)
			total += got;
	}
	*out = total;
out_free_flow:
	flow_free(&f);
	return ret;
}

static uint32_t clos_diameter(const struct sim_topo *t)
{
	if (t->nhosts < 2)
		return 0;
	if (t->layout.nleaves <= 1)
		return 2;
	return clos_pods(t) > 1 ? 6 : 4;
}

static uint32_t pair_hops(const struct sim_topo *t, uint32_t a, uint32_t b)
{
	uint32_t p, best = DIST_NONE;

	for (p = 0; p < t->nplanes; p++) {
		uint32_t la = sim_topo_host_leaf(t, a, p), lb = sim_topo_host_leaf(t, b, p);
		uint32_t e = t->edge_of_switch[t->nodes[la].index];
		uint8_t d = t->dist[(uint64_t)e * t->nswitches + t->nodes[lb].index];

		if (d < best)
			best = d;
	}
	return best + 2;
}

/*
 * Explicit graphs: longest over host pairs of the shortest path on any
 * plane. With very many hosts only pairs of edge switches on plane 0 are
 * scanned, which is exact for single-plane graphs with two or more hosts
 * per edge or one edge pair apart.
 */
static uint32_t table_diameter(const struct sim_topo *t)
{
	uint32_t a, b, d, worst = 0;
	uint64_t i;

	if (t->nhosts < 2)
		return 0;
	if ((uint64_t)t->nhosts * t->nhosts / 2 > DIAMETER_MAX_PAIRS) {
		/* a 64-bit index: the table may hold more than 2^32 entries */
		for (i = 0; i < (uint64_t)t->nedges * t->nswitches; i++) {
			d = t->dist[i];
			if (d != DIST_NONE && t->edge_of_switch[i % t->nswitches] != SIM_NONE &&
			    d + 2 > worst)
				worst = d + 2;
		}
		return worst;
	}
	for (a = 0; a < t->nhosts; a++)
		for (b = a + 1; b < t->nhosts; b++) {
			d = pair_hops(t, a, b);
			/* a pair cut apart by failed links has no shortest path */
			if (d > worst && d < DIST_NONE + 2)
				worst = d;
		}
	return worst;
}

/* Most common host NIC port rate; hosts rarely mix more than a few rates. */
static uint64_t common_host_rate(const struct sim_topo *t)
{
	uint64_t rate[8] = { 0 }, count[8] = { 0 };
	uint32_t i, k, best = 0;

	for (i = 0; i < t->nports; i++) {
		if (t->nodes[t->ports[i].node].kind != SIM_NODE_HOST)
			continue;
		for (k = 0; k < 8 && rate[k] && rate[k] != t->ports[i].rate_bps; k++)
			;
		if (k == 8)
			continue;
		rate[k] = t->ports[i].rate_bps;
		count[k]++;
	}
	for (k = 1; k < 8; k++)
		if (count[k] > count[best])
			best = k;
	return rate[best];
}

static void count_switches(const struct sim_topo *t, struct sim_topo_summary *s)
{
	double down, up, sum_down[3] = { 0 }, sum_up[3] = { 0 };
	uint32_t i;

	s->oversubscription = 1.0;
	for (i = 0; i < t->nswitches; i++) {
		const struct sim_node *v = &t->nodes[t->switches[i]];
		unsigned int k = v->tier >= 1 && v->tier <= 3 ? v->tier - 1 : 3;

		s->switches_per_tier[k]++;
		switch_bw(t, v, &down, &up);
		if (v->nports > s->max_switch_ports)
			s->max_switch_ports = v->nports;
		if (down + up > s->max_switch_bps)
			s->max_switch_bps = down + up;
		if (v->tier == 1 && up > 0 && down / up > s->oversubscription)
			s->oversubscription = down / up;
		if (k < 3 && up > 0) {
			sum_down[k] += down;
			sum_up[k] += up;
			if (down / up > s->oversub_worst[k])
				s->oversub_worst[k] = down / up;
		}
	}
	/* the top tier has no uplinks: it adds nothing */
	s->oversub_end_to_end = 1.0;
	for (i = 0; i < 3; i++) {
		s->oversub_tier[i] = sum_up[i] > 0 ? sum_down[i] / sum_up[i] : 0;
		if (s->oversub_tier[i] > 0)
			s->oversub_end_to_end *= s->oversub_tier[i];
	}
}

/* Everything but the isolated hosts. */
static int summarize_links(const struct sim_topo *t, struct sim_topo_summary *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->hosts = t->nhosts;
	s->switches = t->nswitches;
	s->tiers = t->ntiers;
	s->planes = t->nplanes;
	for (i = 0; i < t->nports; i++) {
		if (i > t->ports[i].peer)
			continue;
		s->links_per_tier[link_class(t, i)]++;
		s->links_down += t->ports[i].down;
		s->links_degraded += t->ports[i].degraded;
	}
	count_switches(t, s);
	s->host_rate_bps = common_host_rate(t);
	/* a damaged Clos is no longer symmetric: the structural figure would not hold */
	if (t->route == SIM_ROUTE_CLOS && (s->links_down || s->links_degraded)) {
		s->diameter_hops = clos_diameter(t);
		return table_bisection(t, &s->bisection_bps);
	}
	if (t->route == SIM_ROUTE_CLOS) {
		s->bisection_bps = clos_bisection(t);
		s->diameter_hops = clos_diameter(t);
		return 0;
	}
	s->diameter_hops = table_diameter(t);
	return table_bisection(t, &s->bisection_bps);
}

int sim_topo_summarize(struct sim_topo *t, struct sim_topo_summary *s)
{
	struct sim_reach r;
	uint32_t i;
	int ret;

	for (i = 0; i < t->nports && !t->ports[i].down; i++)
		;
	if (i == t->nports)
		return summarize_links(t, s);
	/* TABLE mode: the hop distances over live links, for the diameter too */
	ret = sim_reach_build(t, &r);
	if (ret)
		return ret;
	ret = summarize_links(t, s);
	if (!ret)
		s->hosts_isolated = sim_reach_isolated(t, &r, s->isolated, SIM_TOPO_SUMMARY_LIST);
	sim_reach_free(&r);
	return ret;
}

/* "leaf3:spine7", the link whose lower end is port I. */
static void link_name(const struct sim_topo *t, uint32_t i, char *buf, size_t len)
{
	char a[64], b[64];

	sim_topo_node_name(t, t->ports[i].node, a, sizeof(a));
	sim_topo_node_name(t, port_peer(t, i)->node, b, sizeof(b));
	snprintf(buf, len, "%s:%s", a, b);
}

uint32_t sim_topo_failed_links(const struct sim_topo *t, bool degraded, uint32_t *out, uint32_t max)
{
	uint32_t i, n = 0;

	for (i = 0; i < t->nports; i++) {
		const struct sim_port *p = &t->ports[i], *q = port_peer(t, i);
		uint8_t lo = t->nodes[p->node].tier, hi = t->nodes[q->node].tier;

		/* once per link, from its lower-tier end (fail.h) */
		if (lo > hi || (lo == hi && i > p->peer) || !(degraded ? p->degraded : p->down))
			continue;
		if (n < max)
			out[n] = i;
		n++;
	}
	return n;
}

void sim_topo_link_name(const struct sim_topo *t, uint32_t port, char *buf, size_t len)
{
	link_name(t, port, buf, len);
}

/* "links down     2: leaf3:spine7, leaf0:spine1" and the like, first 8 named. */
static void print_failed(const struct sim_topo *t, const struct sim_topo_summary *s, FILE *out)
{
	uint32_t v[SIM_TOPO_SUMMARY_LIST], n, i;
	char name[160], r[32];

	for (int deg = 0; deg < 2; deg++) {
		if (!(deg ? s->links_degraded : s->links_down))
			continue;
		n = sim_topo_failed_links(t, deg, v, SIM_TOPO_SUMMARY_LIST);
		fprintf(out, "%-14s %u:", deg ? "links degraded" : "links down", n);
		for (i = 0; i < n && i < SIM_TOPO_SUMMARY_LIST; i++) {
			link_name(t, v[i], name, sizeof(name));
			fprintf(out, "%s %s", i ? "," : "", name);
			if (deg)
				fprintf(out, "=%s", sim_topo_fmt_rate(t->ports[v[i]].rate_bps, r, sizeof(r)));
		}
		fprintf(out, "%s\n", n > SIM_TOPO_SUMMARY_LIST ? ", ... (first 8)" : "");
	}
	if (!s->hosts_isolated)
		return;
	fprintf(out, "hosts without a path %u:", s->hosts_isolated);
	for (i = 0; i < s->hosts_isolated && i < SIM_TOPO_SUMMARY_LIST; i++) {
		sim_topo_node_name(t, s->isolated[i], name, sizeof(name));
		fprintf(out, "%s %s", i ? "," : "", name);
	}
	fprintf(out, "%s\n", s->hosts_isolated > SIM_TOPO_SUMMARY_LIST ? ", ... (first 8)" : "");
}

const char *sim_topo_tier_name(const struct sim_topo *t, unsigned int tier)
{
	static const char *const clos[] = { "host", "leaf", "spine", "core" };

	if (t->route != SIM_ROUTE_CLOS || tier > 3)
		return "switch";
	if (tier == 2 && t->layout.aggs_per_pod)
		return "agg";
	return clos[tier];
}

/* "128 host-leaf 800G": count and rate range of one link class. */
static void print_links(const struct sim_topo *t, const struct sim_topo_summary *s,
			unsigned int cls, FILE *out)
{
	static const char *const clos[] = { "host-leaf", "leaf-spine", "spine-core", "other" };
	static const char *const tree[] = { "host-leaf", "leaf-agg", "agg-core", "other" };
	static const char *const graph[] = { "host-tier1", "tier1-tier2", "tier2-tier3", "other" };
	const char *const *names = t->route != SIM_ROUTE_CLOS ? graph :
				   t->layout.aggs_per_pod ? tree : clos;
	uint64_t lo = UINT64_MAX, hi = 0;
	char a[32], b[32];
	uint32_t i;

	for (i = 0; i < t->nports; i++) {
		if (i > t->ports[i].peer || link_class(t, i) != cls)
			continue;
		lo = t->ports[i].rate_bps < lo ? t->ports[i].rate_bps : lo;
		hi = t->ports[i].rate_bps > hi ? t->ports[i].rate_bps : hi;
	}
	fprintf(out, "  %-12s %8llu x %s", names[cls],
		(unsigned long long)s->links_per_tier[cls], sim_topo_fmt_rate(lo, a, sizeof(a)));
	if (hi != lo)
		fprintf(out, "..%s", sim_topo_fmt_rate(hi, b, sizeof(b)));
	fputc('\n', out);
}

/* "  leaf  2.00:1 (worst 2.00:1)" per tier with uplinks, then the product. */
static void print_oversub_tiers(const struct sim_topo *t, const struct sim_topo_summary *s, FILE *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < 3; i++) {
		if (!(s->oversub_tier[i] > 0))
			continue;
		fprintf(out, "  %-12s %5.2f:1 down:up (worst switch %.2f:1)\n", sim_topo_tier_name(t, i + 1),
			s->oversub_tier[i], s->oversub_worst[i]);
		n++;
	}
	if (n > 1)
		fprintf(out, "  %-12s %5.2f:1 (the tiers' product)\n", "end to end", s->oversub_end_to_end);
}

void sim_topo_print_summary(const struct sim_topo *t, const struct sim_topo_summary *s, FILE *out)
{
	unsigned int i;
	char r[32];

	fprintf(out, "%-14s %s\n", "topology", t->name);
	fprintf(out, "%-14s %s, %s routing, %u switch tier%s\n", "kind", t->kind,
		t->route == SIM_ROUTE_CLOS ? "clos" : "table", s->tiers, s->tiers == 1 ? "" : "s");
	fprintf(out, "%-14s %u, %u x %s NIC port%s each (%u plane%s)", "hosts", s->hosts,
		s->planes, sim_topo_fmt_rate(s->host_rate_bps, r, sizeof(r)), s->planes == 1 ? "" : "s",
		s->planes, s->planes == 1 ? "" : "s");
	if (t->gpus_per_server > 1)
		fprintf(out, ", %u GPUs per server", t->gpus_per_server);
	fprintf(out, "\n%-14s %u\n", "switches", s->switches);
	for (i = 0; i < 4; i++)
		if (s->switches_per_tier[i])
			fprintf(out, "  %-12s %8u  (tier %s%u)\n", sim_topo_tier_name(t, i + 1),
				s->switches_per_tier[i], i < 3 ? "" : ">", i < 3 ? i + 1 : 3);
	fprintf(out, "%-14s %llu\n", "links", (unsigned long long)(t->nports / 2));
	for (i = 0; i < 4; i++)
		if (s->links_per_tier[i])
			print_links(t, s, i, out);
	print_failed(t, s, out);
	if (s->hosts < 2)
		fprintf(out, "%-14s - (one host: no host pair to split)\n", "bisection");
	else
		fprintf(out, "%-14s %.1f Tb/s\n", "bisection", s->bisection_bps / 1e12);
	fprintf(out, "%-14s %.2f:1 (worst leaf, down:up)\n", "oversub", s->oversubscription);
	print_oversub_tiers(t, s, out);
	if (s->hosts < 2)
		fprintf(out, "%-14s - (one host)\n", "diameter");
	else
		fprintf(out, "%-14s %u hops host to host\n", "diameter", s->diameter_hops);
	fprintf(out, "%-14s %u bytes\n", "mtu", t->mtu_bytes);
	fprintf(out, "%-14s %.0f ns latency, %.0f MB buffer\n", "switch",
		t->sw.latency_ps / 1e3, t->sw.buffer_bytes / 1e6);
	fprintf(out, "%-14s %u ports, %.1f Tb/s in use\n", "busiest switch",
		s->max_switch_ports, s->max_switch_bps / 1e12);
	if (s->hosts < 2)
		fprintf(out, "%-14s only one host: nothing can be sent between hosts "
			"(fabsim run needs at least 2)\n", "note");
}
