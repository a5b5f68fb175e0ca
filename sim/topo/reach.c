/*
 * Reachability over live links (reach.h): the table routing consults to
 * keep only candidates that still lead to the destination's leaf.
 *
 * CLOS mode holds two bit rows per switch, one bit per leaf of the
 * switch's plane (planes are independent copies of the switches, so a row
 * needs only its own plane's leaves). "down" is filled bottom-up, tier by
 * tier, over live down ports: a leaf reaches itself, a switch above
 * reaches what the switches below its live down ports reach. "any" is
 * filled top-down: what a switch reaches down, plus what the switches at
 * the far end of its live up ports reach at all. That is exactly the
 * valley-free (up* then down*) reachability the structural router of
 * route.c walks, so a candidate whose far end has the bit leads somewhere.
 * A third row, "up_ok", marks the leaves toward which all of a switch's up
 * ports still qualify, so that routing skips the per-port checks there.
 *
 * TABLE mode has no tiers to lean on: it recomputes the topology's hop
 * distances over live links (sim_topo_dist), and the queries read them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/topo/reach.h"

#define SIM_REACH_UNREACHABLE 255	/* t->dist of a switch with no live path */

/* Plane of switch index SW: generated fabrics number switches plane by plane. */
static uint32_t reach_plane(const struct sim_topo *t, uint32_t sw)
{
	return t->layout.per_plane ? sw / t->layout.per_plane : 0;
}

static uint64_t *reach_row(uint64_t *rows, const struct sim_reach *r, uint32_t sw)
{
	return &rows[(uint64_t)sw * r->words];
}

/* Leaf ordinals, within each plane, in switch index order; returns the words a row needs. */
static uint32_t reach_ordinals(const struct sim_topo *t, struct sim_reach *r)
{
	uint32_t sw, plane = 0, ord = 0, most = 0;

	r->nleaves = 0;
	for (sw = 0; sw < t->nswitches; sw++) {
		const struct sim_node *n = &t->nodes[t->switches[sw]];

		if (reach_plane(t, sw) != plane) {
			plane = reach_plane(t, sw);
			ord = 0;
		}
		r->leaf_ord[sw] = SIM_NONE;
		if (n->tier != 1)
			continue;
		r->leaf_ord[sw] = ord++;
		r->nleaves++;
		if (ord > most)
			most = ord;
	}
	return most ? (most + 63) / 64 : 1;
}

static void reach_or(uint64_t *dst, const uint64_t *src, uint32_t words)
{
	for (uint32_t w = 0; w < words; w++)
		dst[w] |= src[w];
}

/* ROWS[sw] |= ROWS[peer] over the live ports [lo, hi) of switch SW that lead to switches. */
static void reach_pull(const struct sim_topo *t, struct sim_reach *r, uint64_t *rows, uint32_t sw,
		       uint32_t lo, uint32_t hi)
{
	const struct sim_node *n = &t->nodes[t->switches[sw]];

	for (uint32_t i = lo; i < hi; i++) {
		uint32_t port = n->first_port + i;
		const struct sim_node *m = &t->nodes[t->ports[t->ports[port].peer].node];

		if (!r->port_down[port] && m->kind == SIM_NODE_SWITCH)
			reach_or(reach_row(rows, r, sw), reach_row(rows, r, m->index), r->words);
	}
}

/* UP_OK[sw] := AND over SW's up ports of ANY[peer], or nothing if one is down or it has none. */
static void reach_up_ok(const struct sim_topo *t, struct sim_reach *r, uint32_t sw)
{
	const struct sim_node *n = &t->nodes[t->switches[sw]];
	uint64_t *row = reach_row(r->up_ok, r, sw);
	uint32_t i, w;

	if (n->ndown == n->nports)
		return;
	for (i = n->ndown; i < n->nports; i++)
		if (r->port_down[n->first_port + i])
			return;
	memset(row, 0xff, r->words * sizeof(*row));
	for (i = n->ndown; i < n->nports; i++) {
		const uint64_t *peer = reach_row(r->any, r, t->nodes[t->ports[t->ports[n->first_port + i].peer].node].index);

		for (w = 0; w < r->words; w++)
			row[w] &= peer[w];
	}
}

static void reach_fill_clos(const struct sim_topo *t, struct sim_reach *r)
{
	uint32_t sw, tier;

	/* bottom-up: a tier's down peers are all done before it */
	for (tier = 1; tier <= t->ntiers; tier++) {
		for (sw = 0; sw < t->nswitches; sw++) {
			const struct sim_node *n = &t->nodes[t->switches[sw]];

			if (n->tier != tier)
				continue;
			if (r->leaf_ord[sw] != SIM_NONE)
				reach_row(r->down, r, sw)[r->leaf_ord[sw] / 64] |=
					1ULL << (r->leaf_ord[sw] % 64);
			reach_pull(t, r, r->down, sw, 0, n->ndown);
		}
	}
	memcpy(r->any, r->down, (uint64_t)t->nswitches * r->words * sizeof(*r->any));
	/* top-down: a tier's up peers are all done before it */
	for (tier = t->ntiers; tier >= 1; tier--) {
		for (sw = 0; sw < t->nswitches; sw++) {
			const struct sim_node *n = &t->nodes[t->switches[sw]];

			if (n->tier == tier)
				reach_pull(t, r, r->any, sw, n->ndown, n->nports);
		}
	}
	for (sw = 0; sw < t->nswitches; sw++)
		reach_up_ok(t, r, sw);
}

static int reach_build_clos(const struct sim_topo *t, struct sim_reach *r)
{
	uint64_t cells;

	r->leaf_ord = malloc((t->nswitches ? t->nswitches : 1) * sizeof(*r->leaf_ord));
	if (!r->leaf_ord)
		return -ENOMEM;
	r->words = reach_ordinals(t, r);
	cells = (uint64_t)(t->nswitches ? t->nswitches : 1) * r->words;
	r->down = calloc(cells, sizeof(*r->down));
	r->any = calloc(cells, sizeof(*r->any));
	r->up_ok = calloc(cells, sizeof(*r->up_ok));
	if (!r->down || !r->any || !r->up_ok)
		return -ENOMEM;
	reach_fill_clos(t, r);
	return 0;
}

static int reach_build_table(struct sim_topo *t, struct sim_reach *r)
{
	uint32_t *queue = malloc(t->nnodes * sizeof(*queue));

	if (!queue)
		return -ENOMEM;
	r->nleaves = t->nedges;
	sim_topo_dist(t, r->port_down, queue, NULL);
	free(queue);
	return 0;
}

int sim_reach_build(struct sim_topo *t, struct sim_reach *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->port_down = malloc(t->nports ? t->nports : 1);
	if (!r->port_down)
		return -ENOMEM;
	for (uint32_t p = 0; p < t->nports; p++)
		r->port_down[p] = t->ports[p].down;
	if (t->route == SIM_ROUTE_TABLE)
		ret = reach_build_table(t, r);
	else
		ret = reach_build_clos(t, r);
	if (ret)
		sim_reach_free(r);
	return ret;
}

void sim_reach_free(struct sim_reach *r)
{
	free(r->leaf_ord);
	free(r->down);
	free(r->any);
	free(r->up_ok);
	free(r->port_down);
	memset(r, 0, sizeof(*r));
}

/* TABLE mode: whether switch SW has a live path to edge switch LEAF. */
static bool reach_dist(const struct sim_topo *t, uint32_t sw, uint32_t leaf)
{
	uint32_t e = t->edge_of_switch[t->nodes[leaf].index];

	return e != SIM_NONE &&
	       t->dist[(uint64_t)e * t->nswitches + t->nodes[sw].index] != SIM_REACH_UNREACHABLE;
}

static bool reach_bit(const struct sim_topo *t, const struct sim_reach *r, const uint64_t *rows,
		      uint32_t sw, uint32_t leaf)
{
	uint32_t si = t->nodes[sw].index, li = t->nodes[leaf].index, ord = r->leaf_ord[li];

	if (ord == SIM_NONE || reach_plane(t, si) != reach_plane(t, li))
		return false;
	return rows[(uint64_t)si * r->words + ord / 64] >> (ord % 64) & 1;
}

bool sim_reach_down(const struct sim_topo *t, const struct sim_reach *r, uint32_t sw, uint32_t leaf)
{
	if (t->route == SIM_ROUTE_TABLE)
		return reach_dist(t, sw, leaf);
	return reach_bit(t, r, r->down, sw, leaf);
}

bool sim_reach_any(const struct sim_topo *t, const struct sim_reach *r, uint32_t sw, uint32_t leaf)
{
	if (t->route == SIM_ROUTE_TABLE)
		return reach_dist(t, sw, leaf);
	return reach_bit(t, r, r->any, sw, leaf);
}

bool sim_reach_up_ok(const struct sim_topo *t, const struct sim_reach *r, uint32_t sw, uint32_t leaf)
{
	return t->route == SIM_ROUTE_CLOS && reach_bit(t, r, r->up_ok, sw, leaf);
}

bool sim_reach_hosts(const struct sim_topo *t, const struct sim_reach *r, uint32_t a, uint32_t b,
		     uint32_t plane)
{
	uint32_t pa, pb, la, lb;

	if (plane >= t->nplanes)
		return false;
	pa = t->nodes[a].first_port + plane;
	pb = t->nodes[b].first_port + plane;
	if (r->port_down[pa] || r->port_down[pb])
		return false;
	if (a == b)
		return true;
	la = t->ports[t->ports[pa].peer].node;
	lb = t->ports[t->ports[pb].peer].node;
	return la == lb || sim_reach_any(t, r, la, lb);
}

/*
 * Marks in OK (per switch index) the leaves of plane PLANE from which a
 * host with a live link reaches another: LIVE counts such hosts per leaf.
 * LIST is scratch (nswitches entries).
 */
static void reach_plane_ok(const struct sim_topo *t, const struct sim_reach *r, uint32_t plane,
			   uint32_t *live, uint32_t *list, uint8_t *ok)
{
	uint32_t h, i, j, n = 0;

	memset(live, 0, t->nswitches * sizeof(*live));
	memset(ok, 0, t->nswitches);
	for (h = 0; h < t->nhosts; h++) {
		uint32_t port = t->nodes[t->hosts[h]].first_port + plane;
		uint32_t leaf = t->nodes[t->ports[t->ports[port].peer].node].index;

		if (!r->port_down[port] && !live[leaf]++)
			list[n++] = leaf;
	}
	for (i = 0; i < n; i++) {
		ok[list[i]] = live[list[i]] >= 2;
		for (j = 0; j < n && !ok[list[i]]; j++)
			ok[list[i]] = j != i && sim_reach_any(t, r, t->switches[list[i]],
							       t->switches[list[j]]);
	}
}

uint32_t sim_reach_isolated(const struct sim_topo *t, const struct sim_reach *r, uint32_t *out,
			    uint32_t max)
{
	uint32_t *live = malloc((t->nswitches + 1) * sizeof(*live));
	uint32_t *list = malloc((t->nswitches + 1) * sizeof(*list));
	uint8_t *ok = malloc(t->nswitches + 1), *reached = calloc(t->nhosts + 1, 1);
	uint32_t h, p, n = 0;

	if (!live || !list || !ok || !reached) {
		/* out of memory: claim nothing rather than a wrong list */
		n = 0;
		goto out_free;
	}
	for (p = 0; p < t->nplanes; p++) {
		reach_plane_ok(t, r, p, live, list, ok);
		for (h = 0; h < t->nhosts; h++) {
			uint32_t port = t->nodes[t->hosts[h]].first_port + p;

			if (!r->port_down[port] && ok[t->nodes[t->ports[t->ports[port].peer].node].index])
				reached[h] = 1;
		}
	}
	for (h = 0; h < t->nhosts; h++) {
		if (reached[h])
			continue;
		if (n < max)
			out[n] = t->hosts[h];
		n++;
	}
out_free:
	free(reached);
	free(ok);
	free(list);
	free(live);
	return n;
}
