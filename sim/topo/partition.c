/*
 * The fabric partitioner (partition.h): groups of whole servers from a
 * union-find over the graph, largest-first greedy placement of the groups,
 * an even spread of the remaining switches, and the lookahead of the cut.
 * A pure function of the topology, the part count and the mode: the
 * distributed run will call it on every process and must get the same
 * answer everywhere, so nothing here depends on memory addresses or time.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/arith.h"
#include "sim/topo/partition.h"

/*
 * The smallest frame any element puts on a wire: a minimum Ethernet frame
 * (64 bytes, e.g. a PAUSE) plus 7 preamble + 1 SFD + 12 inter-frame gap
 * bytes. Stated here rather than taken from sim/fabric, which sits above
 * this layer; it matches the model's minimum (SIM_ETH_MIN_FRAME +
 * SIM_PREAMBLE_IFG) and is the physical minimum anyway.
 */
#define PART_MIN_WIRE_BYTES (64 + 20)

static const char *const mode_names[SIM_PART_NMODES] = {
	[SIM_PART_AUTO] = "auto",
	[SIM_PART_POD] = "pod",
	[SIM_PART_LEAF] = "leaf",
};

const char *sim_part_mode_name(enum sim_part_mode mode)
{
	return (unsigned)mode < SIM_PART_NMODES ? mode_names[mode] : NULL;
}

int sim_part_mode_from_name(const char *name, enum sim_part_mode *mode)
{
	unsigned m;

	for (m = 0; name && m < SIM_PART_NMODES; m++) {
		if (!strcmp(name, mode_names[m])) {
			*mode = (enum sim_part_mode)m;
			return 0;
		}
	}
	return -EINVAL;
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static uint32_t uf_find(uint32_t *up, uint32_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];	/* path halving */
		x = up[x];
	}
	return x;
}

/* Joins the sets of A and B under the smaller root: the result is order-free. */
static void uf_join(uint32_t *up, uint32_t a, uint32_t b)
{
	a = uf_find(up, a);
	b = uf_find(up, b);
	if (a < b)
		up[b] = a;
	else if (b < a)
		up[a] = b;
}

static uint32_t peer_node(const struct sim_topo *t, uint32_t port)
{
	return t->ports[t->ports[port].peer].node;
}

/*
 * Groups of whole servers: a host with the switches it attaches to and with
 * the other hosts of its server; with POD, also tier-1 switches with the
 * tier-2 switches they link to. GID[node] = group, numbered in the order of
 * each group's first host, or SIM_NONE for a switch in no group (spread).
 * UP is scratch of nnodes entries. Returns the group count.
 */
static uint32_t find_groups(const struct sim_topo *t, bool pod, uint32_t *up, uint32_t *gid)
{
	uint32_t g = t->gpus_per_server ? t->gpus_per_server : 1;
	uint32_t n, i, ngroups = 0;

	for (n = 0; n < t->nnodes; n++) {
		up[n] = n;
		gid[n] = SIM_NONE;
	}
	for (n = 0; n < t->nnodes; n++) {
		const struct sim_node *v = &t->nodes[n];

		if (v->kind == SIM_NODE_HOST && v->index % g)
			uf_join(up, n, t->hosts[v->index - v->index % g]);
		for (i = v->first_port; i < v->first_port + v->nports; i++) {
			const struct sim_node *w = &t->nodes[peer_node(t, i)];

			if (v->kind == SIM_NODE_HOST ||
			    (pod && v->tier == 1 && w->kind == SIM_NODE_SWITCH && w->tier == 2))
				uf_join(up, n, peer_node(t, i));
		}
	}
	for (i = 0; i < t->nhosts; i++) {
		uint32_t r = uf_find(up, t->hosts[i]);

		if (gid[r] == SIM_NONE)
			gid[r] = ngroups++;
	}
	for (n = 0; n < t->nnodes; n++)
		gid[n] = gid[uf_find(up, n)];
	return ngroups;
}

struct group {
	uint64_t ports;
	uint32_t id;
};

/* Largest first; equal sizes in group order, so qsort's instability cannot show. */
static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->ports != y->ports)
		return x->ports < y->ports ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static uint32_t least_loaded(const struct sim_part_stats *ps, uint32_t nparts)
{
	uint32_t k, best = 0;

	for (k = 1; k < nparts; k++)
		if (ps[k].ports < ps[best].ports)
			best = k;
	return best;
}

/* Groups largest first, each to the part with the fewest ports so far. */
static int place_groups(const struct sim_topo *t, const uint32_t *gid, uint32_t ngroups,
			struct sim_partition *p)
{
	struct group *gs = calloc(ngroups, sizeof(*gs));
	uint32_t *gpart = malloc(ngroups * sizeof(*gpart));
	uint32_t n, i;
	int ret = -ENOMEM;

	if (!gs || !gpart)
		goto out_free;
	for (i = 0; i < ngroups; i++)
		gs[i].id = i;
	for (n = 0; n < t->nnodes; n++)
		if (gid[n] != SIM_NONE)
			gs[gid[n]].ports += t->nodes[n].nports;
	qsort(gs, ngroups, sizeof(*gs), group_cmp);
	for (i = 0; i < ngroups; i++) {
		uint32_t k = least_loaded(p->parts, p->nparts);

		gpart[gs[i].id] = k;
		p->parts[k].ports += gs[i].ports;
	}
	for (n = 0; n < t->nnodes; n++)
		if (gid[n] != SIM_NONE)
			p->part[n] = gpart[gid[n]];
	ret = 0;
out_free:
	free(gpart);
	free(gs);
	return ret;
}

/*
 * Switches in no group, in id order, each to a part with the fewest of its
 * tier so far (counts per tier differ by at most one), among those the one
 * with the fewest ports (then the lowest).
 */
static int spread_switches(const struct sim_topo *t, const uint32_t *gid, struct sim_partition *p)
{
	/* one row of counts per tier: sim_node.tier is a uint8_t */
	uint32_t *count = calloc((size_t)(UINT8_MAX + 1) * p->nparts, sizeof(*count));
	uint32_t n, k;

	if (!count)
		return -ENOMEM;
	for (n = 0; n < t->nnodes; n++) {
		uint32_t *c = count + (size_t)t->nodes[n].tier * p->nparts, best = 0;

		if (gid[n] != SIM_NONE)
			continue;
		assert(t->nodes[n].kind == SIM_NODE_SWITCH);	/* hosts are always grouped */
		for (k = 1; k < p->nparts; k++)
			if (c[k] < c[best] || (c[k] == c[best] && p->parts[k].ports < p->parts[best].ports))
				best = k;
		c[best]++;
		p->part[n] = best;
		p->parts[best].ports += t->nodes[n].nports;
	}
	free(count);
	return 0;
}

/*
 * Lookahead of one direction of a cut link: the earliest a frame leaving
 * one side can affect the other is the serialization of the smallest frame
 * (PART_MIN_WIRE_BYTES at the port's rate, rounded up as the model rounds)
 * plus propagation. A data frame arriving at a switch also waits the
 * switch's forwarding latency, but a PAUSE frame is consumed by the MAC
 * without it (sim/fabric/port.c), so the latency must not be added: the
 * bound is ser + delay for every receiving node.
 */
static uint64_t link_lookahead_ps(const struct sim_port *port)
{
	return coll_add_sat_u64(coll_bytes_to_ps(PART_MIN_WIRE_BYTES, port->rate_bps),
				port->delay_ps);
}

/* Per-part counts, cut links and the lookahead; refuses a cut without delay. */
static int count_cut(const struct sim_topo *t, struct sim_partition *p, char *err, size_t errlen)
{
	char a[64], b[64];
	uint32_t n, i;

	p->lookahead_ps = UINT64_MAX;
	p->lookahead_port = SIM_NONE;
	for (n = 0; n < t->nnodes; n++) {
		const struct sim_node *v = &t->nodes[n];
		struct sim_part_stats *s = &p->parts[p->part[n]];

		s->nodes++;
		s->ports += v->nports;
		s->hosts += v->kind == SIM_NODE_HOST;
		s->switches += v->kind == SIM_NODE_SWITCH;
		for (i = v->first_port; i < v->first_port + v->nports; i++) {
			uint32_t m = peer_node(t, i);
			uint64_t la;

			if (p->part[m] == p->part[n])
				continue;
			s->cut_links++;
			p->cut_links += i < t->ports[i].peer;
			/*
			 * Serialization alone would keep the bound above 0,
			 * but at well under a nanosecond a window per frame:
			 * a zero-length link is one no partition should cut.
			 */
			if (!t->ports[i].delay_ps) {
				sim_topo_node_name(t, n, a, sizeof(a));
				sim_topo_node_name(t, m, b, sizeof(b));
				return fail(err, errlen, -EINVAL, "%s:%s has no delay: a cut there "
					    "leaves no lookahead; choose another partition or give "
					    "the link a delay", a, b);
			}
			la = link_lookahead_ps(&t->ports[i]);
			if (la < p->lookahead_ps) {
				p->lookahead_ps = la;
				p->lookahead_port = i;
			}
		}
	}
	return 0;
}

/* The groups MODE makes (AUTO resolved into P->mode); -EINVAL if too few. */
static int make_groups(const struct sim_topo *t, uint32_t nparts, enum sim_part_mode mode,
		       struct sim_partition *p, uint32_t *up, uint32_t *gid, char *err,
		       size_t errlen)
{
	bool three = t->ntiers >= 3;

	if (mode == SIM_PART_POD && !three)
		return fail(err, errlen, -EINVAL, "%s (%s, %u switch tiers): partition by pod "
			    "needs a 3-tier fabric (expected 'leaf' or 'auto')", t->name, t->kind,
			    t->ntiers);
	p->mode = mode == SIM_PART_AUTO ? (three ? SIM_PART_POD : SIM_PART_LEAF) : mode;
	p->ngroups = find_groups(t, p->mode == SIM_PART_POD, up, gid);
	if (mode == SIM_PART_AUTO && p->mode == SIM_PART_POD && nparts > p->ngroups) {
		p->mode = SIM_PART_LEAF;	/* fewer pods than parts: finer groups */
		p->ngroups = find_groups(t, false, up, gid);
	}
	if (nparts > p->ngroups)
		return fail(err, errlen, -EINVAL, "%s (%s): %u parts but %u %s of whole servers "
			    "to make them of (expected at most %u parts)", t->name, t->kind, nparts,
			    p->ngroups, p->mode == SIM_PART_POD ? "pods" : "leaf groups",
			    p->ngroups);
	return 0;
}

int sim_partition(const struct sim_topo *t, uint32_t nparts, enum sim_part_mode mode,
		  struct sim_partition *p, char *err, size_t errlen)
{
	uint32_t *up = NULL, *gid = NULL;
	int ret;

	assert(t && p && !t->build);	/* a finalized topology */
	memset(p, 0, sizeof(*p));
	if (!nparts || (unsigned)mode >= SIM_PART_NMODES)
		return fail(err, errlen, -EINVAL, "%s: %u parts, mode %d (expected 1 or more "
			    "parts and a mode auto, pod or leaf)", t->name, nparts, (int)mode);
	p->nparts = nparts;
	p->part = calloc(t->nnodes, sizeof(*p->part));
	p->parts = calloc(nparts, sizeof(*p->parts));
	up = malloc(t->nnodes * sizeof(*up));
	gid = malloc(t->nnodes * sizeof(*gid));
	ret = -ENOMEM;
	if (!p->part || !p->parts || !up || !gid)
		goto out_partition;
	ret = make_groups(t, nparts, mode, p, up, gid, err, errlen);
	if (!ret)
		ret = place_groups(t, gid, p->ngroups, p);
	if (!ret)
		ret = spread_switches(t, gid, p);
	if (!ret) {
		memset(p->parts, 0, nparts * sizeof(*p->parts));
		ret = count_cut(t, p, err, errlen);
	}
	if (ret)
		goto out_partition;
	free(gid);
	free(up);
	return 0;
out_partition:
	if (ret == -ENOMEM)
		fail(err, errlen, ret, "%s: out of memory partitioning %u nodes into %u parts",
		     t->name, t->nnodes, nparts);
	sim_partition_free(p);
	free(gid);
	free(up);
	return ret;
}

void sim_partition_free(struct sim_partition *p)
{
	if (!p)
		return;
	free(p->part);
	free(p->parts);
	memset(p, 0, sizeof(*p));
}

void sim_partition_print(const struct sim_topo *t, const struct sim_partition *p, FILE *out)
{
	char a[64], b[64];
	uint32_t k;

	fprintf(out, "%s: %u parts by %s (%u groups), %llu cut links\n", t->name, p->nparts,
		sim_part_mode_name(p->mode), p->ngroups, (unsigned long long)p->cut_links);
	for (k = 0; k < p->nparts; k++) {
		const struct sim_part_stats *s = &p->parts[k];

		fprintf(out, "part %u: %u nodes, %u hosts, %u switches, %llu ports, %llu cut links\n",
			k, s->nodes, s->hosts, s->switches, (unsigned long long)s->ports,
			(unsigned long long)s->cut_links);
	}
	if (p->lookahead_port == SIM_NONE) {
		fprintf(out, "lookahead: unlimited (nothing cut)\n");
		return;
	}
	sim_topo_node_name(t, t->ports[p->lookahead_port].node, a, sizeof(a));
	sim_topo_node_name(t, peer_node(t, p->lookahead_port), b, sizeof(b));
	fprintf(out, "lookahead: %.3f ns (%s:%s, an %d-byte frame plus propagation)\n",
		p->lookahead_ps / 1e3, a, b, PART_MIN_WIRE_BYTES);
}
