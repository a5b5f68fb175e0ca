/*
 * Topology builder. The generators (gen_*.c, explicit.c) add nodes and
 * links here; sim_topo_finalize() then turns the link list into the flat,
 * sorted port array the router relies on (see the port order contract in
 * topo.h). Every array is a single allocation sized from counts known before
 * it is filled, so a 100k-host fabric builds in a few hundred milliseconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/topo/topo.h"

#define SIM_TOPO_MAX_LINKS (UINT32_MAX / 4)	/* two ports each, plus slack */
#define SIM_DIST_NONE 255

struct sim_topo_link {
	uint32_t a, b;		/* node ids; the port at a is side 0 */
	uint64_t rate_bps;
	uint64_t delay_ps;
};

struct sim_topo_build {
	struct sim_topo_link *links;
	uint64_t nlinks;
	uint64_t cap;		/* allocated entries in links */
	uint32_t next_host;	/* id the next sim_topo_add_host() returns */
	uint32_t next_switch;
};

/* Scratch state of one finalize pass. A "slot" is link * 2 + side. */
struct sim_topo_fin {
	struct sim_topo *t;
	const struct sim_topo_link *links;
	uint32_t *slots;	/* port position -> slot, before peers are known */
	uint32_t *pos_of;	/* slot -> port position */
	uint32_t *queue;	/* BFS scratch, nnodes entries */
};

struct sim_topo *sim_topo_create(uint32_t nhosts, uint32_t nswitches, uint64_t nlinks,
				 enum sim_route_mode route)
{
	uint64_t nnodes = (uint64_t)nhosts + nswitches;
	struct sim_topo *t;

	if (!nnodes || nnodes >= SIM_NONE || nlinks > SIM_TOPO_MAX_LINKS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nodes = calloc(nnodes, sizeof(*t->nodes));
	if (!t->nodes)
		goto out_free_topo;
	t->build = calloc(1, sizeof(*t->build));
	if (!t->build)
		goto out_free_nodes;
	t->build->cap = nlinks < 16 ? 16 : nlinks;
	t->build->links = malloc(t->build->cap * sizeof(*t->build->links));
	if (!t->build->links)
		goto out_free_build;
	t->build->next_switch = nhosts;
	t->nnodes = nnodes;
	t->nhosts = nhosts;
	t->nswitches = nswitches;
	t->route = route;
	t->nplanes = 1;
	t->gpus_per_server = 1;
	t->mtu_bytes = 4096;
	t->sw.latency_ps = 600000;
	t->sw.buffer_bytes = 160000000;
	return t;

out_free_build:
	free(t->build);
out_free_nodes:
	free(t->nodes);
out_free_topo:
	free(t);
	return NULL;
}

uint32_t sim_topo_add_host(struct sim_topo *t, uint32_t pod, uint32_t group)
{
	uint32_t id;

	if (!t->build || t->build->next_host >= t->nhosts)
		return SIM_NONE;
	id = t->build->next_host++;
	t->nodes[id].kind = SIM_NODE_HOST;
	t->nodes[id].pod = pod;
	t->nodes[id].group = group;
	t->nodes[id].index = id;
	return id;
}

uint32_t sim_topo_add_switch(struct sim_topo *t, uint8_t tier, uint32_t pod, uint32_t group)
{
	uint32_t id;

	if (!t->build || t->build->next_switch >= t->nnodes)
		return SIM_NONE;
	id = t->build->next_switch++;
	t->nodes[id].kind = SIM_NODE_SWITCH;
	t->nodes[id].tier = tier;
	t->nodes[id].pod = pod;
	t->nodes[id].group = group;
	t->nodes[id].index = id - t->nhosts;
	return id;
}

int sim_topo_add_link(struct sim_topo *t, uint32_t a, uint32_t b, uint64_t rate_bps,
		      uint64_t delay_ps)
{
	struct sim_topo_build *bld = t->build;
	struct sim_topo_link *l;

	if (!bld || a >= t->nnodes || b >= t->nnodes || a == b || !rate_bps)
		return -EINVAL;
	if (bld->nlinks == bld->cap) {
		uint64_t cap = bld->cap * 2;

		if (cap > SIM_TOPO_MAX_LINKS)
			cap = SIM_TOPO_MAX_LINKS;
		if (cap == bld->cap)
			return -E2BIG;
		l = realloc(bld->links, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		bld->links = l;
		bld->cap = cap;
	}
	l = &bld->links[bld->nlinks++];
	l->a = a;
	l->b = b;
	l->rate_bps = rate_bps;
	l->delay_ps = delay_ps;
	return 0;
}

static uint32_t slot_node(const struct sim_topo_link *links, uint32_t slot)
{
	const struct sim_topo_link *l = &links[slot >> 1];

	return (slot & 1) ? l->b : l->a;
}

static uint32_t slot_peer(const struct sim_topo_link *links, uint32_t slot)
{
	return slot_node(links, slot ^ 1);
}

/* Counts ports per node and assigns first_port by prefix sum. */
static int fin_layout(struct sim_topo_fin *f, uint32_t *bad_node)
{
	struct sim_topo *t = f->t;
	uint64_t nlinks = t->build->nlinks;
	uint32_t *cursor, n, first = 0;
	uint64_t i;

	cursor = calloc(t->nnodes, sizeof(*cursor));
	if (!cursor)
		return -ENOMEM;
	for (i = 0; i < nlinks; i++) {
		cursor[f->links[i].a]++;
		cursor[f->links[i].b]++;
	}
	for (n = 0; n < t->nnodes; n++) {
		if (cursor[n] > UINT16_MAX) {
			*bad_node = n;
			free(cursor);
			return -E2BIG;
		}
		t->nodes[n].nports = cursor[n];
		t->nodes[n].first_port = first;
		cursor[n] = first;
		first += t->nodes[n].nports;
	}
	for (i = 0; i < nlinks * 2; i++)
		f->slots[cursor[slot_node(f->links, i)]++] = i;
	free(cursor);
	return 0;
}

/* Every host needs the same number of NIC ports (one per plane), all to switches. */
static int fin_check_hosts(struct sim_topo_fin *f, uint32_t *bad_node)
{
	struct sim_topo *t = f->t;
	uint32_t h, p;

	for (h = 0; h < t->nhosts; h++) {
		const struct sim_node *n = &t->nodes[h];

		*bad_node = h;
		if (!n->nports || n->nports != t->nodes[0].nports)
			return -EINVAL;
		for (p = 0; p < n->nports; p++) {
			uint32_t peer = slot_peer(f->links, f->slots[n->first_port + p]);

			if (t->nodes[peer].kind == SIM_NODE_HOST)
				return -EINVAL;
		}
	}
	t->nplanes = t->nhosts ? t->nodes[0].nports : 1;
	return 0;
}

/*
 * Breadth-first search over the unsorted slots from every node with dist 0.
 * Hosts relay nothing, but since every host is a source no shortest path
 * would cross one anyway.
 */
static void fin_bfs(struct sim_topo_fin *f, uint32_t *dist)
{
	struct sim_topo *t = f->t;
	uint32_t head = 0, tail = 0, n, p;

	for (n = 0; n < t->nnodes; n++)
		if (!dist[n])
			f->queue[tail++] = n;
	while (head < tail) {
		const struct sim_node *u;

		n = f->queue[head++];
		u = &t->nodes[n];
		for (p = 0; p < u->nports; p++) {
			uint32_t v = slot_peer(f->links, f->slots[u->first_port + p]);

			if (dist[v] == UINT32_MAX) {
				dist[v] = dist[n] + 1;
				f->queue[tail++] = v;
			}
		}
	}
}

/* Rejects disconnected graphs; in TABLE mode also derives missing switch tiers. */
static int fin_connect(struct sim_topo_fin *f, uint32_t *bad_node)
{
	struct sim_topo *t = f->t;
	uint32_t *dist, n;
	int ret = 0;

	dist = malloc(t->nnodes * sizeof(*dist));
	if (!dist)
		return -ENOMEM;
	for (n = 0; n < t->nnodes; n++)
		dist[n] = (t->nhosts ? n < t->nhosts : n == 0) ? 0 : UINT32_MAX;
	fin_bfs(f, dist);
	for (n = 0; n < t->nnodes && !ret; n++) {
		struct sim_node *v = &t->nodes[n];

		*bad_node = n;
		if (dist[n] == UINT32_MAX)
			ret = -ENOTCONN;
		else if (t->route != SIM_ROUTE_TABLE || v->kind != SIM_NODE_SWITCH || v->tier)
			continue;
		else if (dist[n] >= SIM_DIST_NONE)
			ret = -ERANGE;
		else
			v->tier = dist[n];
	}
	free(dist);
	return ret;
}

static uint64_t down_key(const struct sim_topo *t, uint32_t self, uint32_t peer)
{
	if (t->nodes[self].tier == 3)
		return (uint64_t)t->nodes[peer].pod << 32 | peer;
	return peer;
}

/* Sort key of a port: class (0 down, 1 up or level), sub key, then link id. */
static void port_key(const struct sim_topo_fin *f, uint32_t slot, uint32_t *cls, uint64_t *sub)
{
	const struct sim_topo *t = f->t;
	uint32_t self = slot_node(f->links, slot);
	uint32_t peer = slot_peer(f->links, slot);

	if (t->nodes[self].kind == SIM_NODE_HOST) {
		/* host port p is plane p: keep the order links were added in */
		*cls = 0;
		*sub = slot >> 1;
	} else if (t->nodes[peer].tier < t->nodes[self].tier) {
		*cls = 0;
		*sub = down_key(t, self, peer);
	} else {
		*cls = 1;
		*sub = peer;
	}
}

static int cmp_slot(const void *x, const void *y, void *ctx)
{
	const struct sim_topo_fin *f = ctx;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint32_t ca, cb;
	uint64_t sa, sb;

	port_key(f, a, &ca, &sa);
	port_key(f, b, &cb, &sb);
	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static void fin_sort_ports(struct sim_topo_fin *f)
{
	struct sim_topo *t = f->t;
	uint32_t n;

	for (n = 0; n < t->nnodes; n++) {
		const struct sim_node *v = &t->nodes[n];

		if (v->nports > 1)
			qsort_r(&f->slots[v->first_port], v->nports, sizeof(*f->slots),
				cmp_slot, f);
	}
}

/* Materializes ports from sorted slots: peers, rates, up flags, ndown. */
static void fin_fill_ports(struct sim_topo_fin *f)
{
	struct sim_topo *t = f->t;
	uint32_t i;

	for (i = 0; i < t->nports; i++)
		f->pos_of[f->slots[i]] = i;
	for (i = 0; i < t->nports; i++) {
		const struct sim_topo_link *l = &f->links[f->slots[i] >> 1];
		struct sim_port *p = &t->ports[i];
		uint32_t peer_node = slot_peer(f->links, f->slots[i]);

		p->node = slot_node(f->links, f->slots[i]);
		p->peer = f->pos_of[f->slots[i] ^ 1];
		p->rate_bps = l->rate_bps;
		p->delay_ps = l->delay_ps;
		p->up = t->nodes[peer_node].tier > t->nodes[p->node].tier;
		if (t->nodes[peer_node].tier < t->nodes[p->node].tier)
			t->nodes[p->node].ndown++;
	}
}

static int fin_index(struct sim_topo *t)
{
	uint32_t n;

	t->hosts = malloc((t->nhosts ? t->nhosts : 1) * sizeof(*t->hosts));
	if (!t->hosts)
		return -ENOMEM;
	t->switches = malloc((t->nswitches ? t->nswitches : 1) * sizeof(*t->switches));
	if (!t->switches)
		return -ENOMEM;
	t->ntiers = 0;
	for (n = 0; n < t->nnodes; n++) {
		const struct sim_node *v = &t->nodes[n];

		if (v->kind == SIM_NODE_HOST) {
			t->hosts[v->index] = n;
		} else {
			t->switches[v->index] = n;
			if (v->tier > t->ntiers)
				t->ntiers = v->tier;
		}
	}
	return 0;
}

/*
 * One BFS over switches only: packets never transit a host, nor a link
 * PORT_DOWN marks (NULL: none). A switch 255 or more hops away does not fit
 * the 8-bit table: -ERANGE and *BAD_NODE, or, when BAD_NODE is NULL (the
 * distances over live links), it is left unreachable.
 */
static int dist_from_edge(struct sim_topo *t, const uint8_t *port_down, uint32_t *queue,
			  uint32_t edge, uint32_t src, uint32_t *bad_node)
{
	uint8_t *d = &t->dist[(uint64_t)edge * t->nswitches];
	uint32_t head = 0, tail = 0, p;

	d[t->nodes[src].index] = 0;
	queue[tail++] = src;
	while (head < tail) {
		const struct sim_node *u = &t->nodes[queue[head++]];
		uint8_t du = d[u->index];

		for (p = 0; p < u->nports; p++) {
			uint32_t port = u->first_port + p;
			uint32_t vn = t->ports[t->ports[port].peer].node;
			const struct sim_node *v = &t->nodes[vn];

			if (v->kind != SIM_NODE_SWITCH || d[v->index] != SIM_DIST_NONE ||
			    (port_down && port_down[port]))
				continue;
			if (du + 1 >= SIM_DIST_NONE) {
				if (!bad_node)
					continue;
				*bad_node = vn;
				return -ERANGE;
			}
			d[v->index] = du + 1;
			queue[tail++] = vn;
		}
	}
	return 0;
}

int sim_topo_dist(struct sim_topo *t, const uint8_t *port_down, uint32_t *queue,
		  uint32_t *bad_node)
{
	uint32_t s;
	int ret = 0;

	memset(t->dist, SIM_DIST_NONE, (uint64_t)t->nedges * t->nswitches);
	for (s = 0; s < t->nswitches && !ret; s++)
		if (t->edge_of_switch[s] != SIM_NONE)
			ret = dist_from_edge(t, port_down, queue, t->edge_of_switch[s],
					     t->switches[s], port_down ? NULL : bad_node);
	return ret;
}

static int fin_dist(struct sim_topo_fin *f, uint32_t *bad_node)
{
	struct sim_topo *t = f->t;
	uint32_t s, h, e = 0;

	t->edge_of_switch = malloc((t->nswitches ? t->nswitches : 1) * sizeof(uint32_t));
	if (!t->edge_of_switch)
		return -ENOMEM;
	for (s = 0; s < t->nswitches; s++)
		t->edge_of_switch[s] = SIM_NONE;
	for (h = 0; h < t->nhosts; h++) {
		const struct sim_node *n = &t->nodes[h];
		uint32_t p;

		for (p = 0; p < n->nports; p++) {
			uint32_t leaf = t->ports[t->ports[n->first_port + p].peer].node;

			if (t->edge_of_switch[t->nodes[leaf].index] == SIM_NONE)
				t->edge_of_switch[t->nodes[leaf].index] = e++;
		}
	}
	t->nedges = e;
	t->dist = malloc(e ? (uint64_t)e * t->nswitches : 1);
	if (!t->dist)
		return -ENOMEM;
	return sim_topo_dist(t, NULL, f->queue, bad_node);
}

/* Every host must reach host 0 on each plane through switches alone. */
static int fin_check_planes(const struct sim_topo *t, uint32_t *bad_node)
{
	uint32_t p, h;

	for (p = 0; p < t->nplanes && t->nhosts; p++) {
		uint32_t leaf0 = sim_topo_host_leaf(t, 0, p);
		const uint8_t *d = &t->dist[(uint64_t)t->edge_of_switch[t->nodes[leaf0].index] *
					    t->nswitches];

		for (h = 1; h < t->nhosts; h++) {
			if (d[t->nodes[sim_topo_host_leaf(t, h, p)].index] == SIM_DIST_NONE) {
				*bad_node = h;
				return -EHOSTUNREACH;
			}
		}
	}
	return 0;
}

static int fin_build(struct sim_topo_fin *f, uint32_t *bad_node)
{
	struct sim_topo *t = f->t;
	int ret;

	ret = fin_layout(f, bad_node);
	if (!ret)
		ret = fin_check_hosts(f, bad_node);
	if (!ret)
		ret = fin_connect(f, bad_node);
	if (ret)
		return ret;
	fin_sort_ports(f);
	fin_fill_ports(f);
	ret = fin_index(t);
	if (ret || t->route != SIM_ROUTE_TABLE)
		return ret;
	ret = fin_dist(f, bad_node);
	if (ret)
		return ret;
	return fin_check_planes(t, bad_node);
}

int sim_topo_finalize(struct sim_topo *t, uint32_t *bad_node)
{
	struct sim_topo_fin f = { .t = t };
	uint32_t dummy, n;
	uint64_t nports;
	int ret = -ENOMEM;

	if (!bad_node)
		bad_node = &dummy;
	*bad_node = SIM_NONE;
	if (!t->build || t->build->next_host != t->nhosts ||
	    t->build->next_switch != t->nnodes)
		return -EINVAL;
	nports = t->build->nlinks * 2;
	f.links = t->build->links;
	t->nports = nports;
	t->ports = calloc(nports ? nports : 1, sizeof(*t->ports));
	f.slots = malloc((nports ? nports : 1) * sizeof(*f.slots));
	f.pos_of = malloc((nports ? nports : 1) * sizeof(*f.pos_of));
	f.queue = malloc(t->nnodes * sizeof(*f.queue));
	if (t->ports && f.slots && f.pos_of && f.queue)
		ret = fin_build(&f, bad_node);
	free(f.queue);
	free(f.pos_of);
	free(f.slots);
	if (ret) {
		/* leave a consistent, freeable, unfinalized topology behind */
		for (n = 0; n < t->nnodes; n++)
			t->nodes[n].ndown = 0;
		return ret;
	}
	free(t->build->links);
	free(t->build);
	t->build = NULL;
	return 0;
}

void sim_topo_free(struct sim_topo *t)
{
	if (!t)
		return;
	free(t->hostmap);
	if (t->build)
		free(t->build->links);
	free(t->build);
	free(t->names);
	free(t->name_pool);
	free(t->dist);
	free(t->edge_of_switch);
	free(t->switches);
	free(t->hosts);
	free(t->ports);
	free(t->nodes);
	free(t);
}

static void switch_name(const struct sim_topo *t, uint32_t node, char *buf, size_t len)
{
	const struct sim_topo_layout *l = &t->layout;
	uint32_t ord = node - t->nhosts, plane, r;
	char pfx[16] = "";

	if (!l->per_plane) {
		snprintf(buf, len, "s%u", ord);
		return;
	}
	plane = ord / l->per_plane;
	r = ord % l->per_plane;
	if (t->nplanes > 1)
		snprintf(pfx, sizeof(pfx), "p%u-", plane);
	if (r < l->nleaves && l->leaves_per_rail)
		snprintf(buf, len, "%srail%u-leaf%u", pfx, r / l->leaves_per_rail,
			 r % l->leaves_per_rail);
	else if (r < l->nleaves)
		snprintf(buf, len, "%sleaf%u", pfx, r);
	else if (r < l->nleaves + l->ntier2 && l->aggs_per_pod)
		snprintf(buf, len, "%sagg%u.%u", pfx, (r - l->nleaves) / l->aggs_per_pod,
			 (r - l->nleaves) % l->aggs_per_pod);
	else if (r < l->nleaves + l->ntier2)
		snprintf(buf, len, "%sspine%u", pfx, r - l->nleaves);
	else
		snprintf(buf, len, "%score%u", pfx, r - l->nleaves - l->ntier2);
}

void sim_topo_node_name(const struct sim_topo *t, uint32_t node, char *buf, size_t len)
{
	if (!len)
		return;
	if (node >= t->nnodes)
		snprintf(buf, len, "?%u", node);
	else if (t->names && t->names[node])
		snprintf(buf, len, "%s", t->names[node]);
	else if (t->nodes[node].kind == SIM_NODE_HOST)
		snprintf(buf, len, "h%u", node);
	else
		switch_name(t, node, buf, len);
}

const char *sim_topo_fmt_rate(uint64_t bps, char *buf, size_t len)
{
	if (bps && !(bps % 1000000000ULL))
		snprintf(buf, len, "%lluG", (unsigned long long)(bps / 1000000000ULL));
	else if (bps && !(bps % 1000000ULL))
		snprintf(buf, len, "%lluM", (unsigned long long)(bps / 1000000ULL));
	else
		snprintf(buf, len, "%llub/s", (unsigned long long)bps);
	return buf;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t sim_topo_mem_bytes(uint64_t nnodes, uint64_t nlinks)
{
	/* per node: the node, hosts[] or switches[], BFS queue and distances */
	uint64_t node = sizeof(struct sim_node) + 3 * sizeof(uint32_t);
	/* per link: the pending link, two ports and two finalize scratch slots each */
	uint64_t link = sizeof(struct sim_topo_link) + 2 * (sizeof(struct sim_port) + 2 * sizeof(uint32_t));

	return sat_add(sat_mul(nnodes, node), sat_mul(nlinks, link));
}

uint64_t sim_topo_table_bytes(const struct sim_topo *t)
{
	const struct sim_topo_build *b = t->build;
	uint64_t i, nedges = 0;
	uint8_t *edge;

	if (!b || !t->nswitches)
		return 0;
	edge = calloc(t->nswitches, 1);
	if (!edge)
		return UINT64_MAX;
	for (i = 0; i < b->nlinks; i++) {
		uint32_t a = b->links[i].a, c = b->links[i].b;
		uint32_t sw = a < t->nhosts ? c : c < t->nhosts ? a : SIM_NONE;

		if (sw != SIM_NONE && sw >= t->nhosts && !edge[sw - t->nhosts]) {
			edge[sw - t->nhosts] = 1;
			nedges++;
		}
	}
	free(edge);
	return sat_mul(nedges, t->nswitches);
}
