/*
 * The ideal fluid bound (bound.h): the cut resources of a fabric as it
 * stands, max-min fair rates over them for flow workloads (a fluid
 * simulation from arrival to finish), and a time lower bound for
 * collectives streamed from their schedule's generator.
 *
 * Resources are numbered: host h's transmit h, its receive nhosts + h,
 * then group out and in, pod out and in, then the pairs of units found
 * while reading a workload (a per-call table, so that a bound stays const
 * and a run's several jobs can share it).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/busbw.h"
#include "collectives/gen.h"
#include "sim/traffic/bound.h"

/* How units pair up: leaf groups of a 2-tier Clos, pods of a 3-tier one, or not at all. */
enum sim_bound_pairing {
	SIM_BOUND_PAIR_NONE = 0,
	SIM_BOUND_PAIR_GROUP,
	SIM_BOUND_PAIR_POD,
};

struct sim_bound {
	const struct sim_topo *t;
	double frac;		/* payload per wire byte */
	uint32_t nhosts;
	/* leaf groups: none (only NIC cuts) when a leaf serves hosts of two groups */
	uint32_t ngroups;
	uint32_t *group;	/* host index -> group, NULL: no groups */
	uint32_t npods;
	uint32_t *pod;		/* group -> pod (3-tier Clos), NULL: no pods */
	uint32_t r_gout, r_gin, r_pout, r_pin, nfixed;	/* first resource of each kind; their count */
	double *cap_bps;	/* [nfixed] payload bits per second */
	/* the units that pair (groups or pods): their top-facing ports, CSR */
	enum sim_bound_pairing pairing;
	uint32_t nunits;
	uint32_t *unit_first;	/* [nunits + 1] into unit_port */
	uint32_t *unit_port;
	uint64_t *unit_sig;	/* hash of a unit's top-facing links: equal, no pair can bind */
};

/* Payload per wire byte of a full frame of MTU_BYTES (4096 / 4178 at 4 KiB): the simulator's framing. */
static double sim_bound_payload_frac(uint32_t mtu_bytes)
{
	return (double)mtu_bytes / (double)sim_wire_bytes(mtu_bytes, SIM_PKT_DATA);
}

/* Bits per second a live port sends, 0 when its link is down. */
static double sim_bound_port_bps(const struct sim_topo *t, uint32_t port)
{
	return t->ports[port].down ? 0 : (double)t->ports[port].rate_bps;
}

/*
 * Groups: host h's group is its plane-0 leaf's, numbered in order of
 * first sight. Every leaf (of any plane) must belong to one group only,
 * or the group is not a cut (its leaves would carry another group's
 * hosts): then there are no groups. LEAF_GROUP is nnodes entries.
 */
static int sim_bound_groups(struct sim_bound *b, uint32_t *leaf_group)
{
	const struct sim_topo *t = b->t;

	b->group = malloc((size_t)t->nhosts * sizeof(*b->group));
	if (!b->group)
		return -ENOMEM;
	for (uint32_t n = 0; n < t->nnodes; n++)
		leaf_group[n] = SIM_NONE;
	for (uint32_t h = 0; h < t->nhosts; h++) {
		uint32_t node = t->hosts[h], l0 = sim_topo_host_leaf(t, node, 0);

		if (leaf_group[l0] == SIM_NONE)
			leaf_group[l0] = b->ngroups++;
		b->group[h] = leaf_group[l0];
		for (uint32_t p = 1; p < t->nplanes; p++) {
			uint32_t l = sim_topo_host_leaf(t, node, p);

			if (leaf_group[l] == SIM_NONE)
				leaf_group[l] = b->group[h];
			if (leaf_group[l] != b->group[h])
				goto no_groups;
		}
	}
	return 0;
no_groups:
	free(b->group);
	b->group = NULL;
	b->ngroups = 0;
	return 0;
}

/* Pods of a 3-tier Clos: a group's leaves must share one pod. */
static int sim_bound_pods(struct sim_bound *b, const uint32_t *leaf_group)
{
	const struct sim_topo *t = b->t;

	b->pod = malloc((size_t)b->ngroups * sizeof(*b->pod));
	if (!b->pod)
		return -ENOMEM;
	for (uint32_t g = 0; g < b->ngroups; g++)
		b->pod[g] = SIM_NONE;
	for (uint32_t n = 0; n < t->nnodes; n++) {
		uint32_t g = leaf_group[n], pod = t->nodes[n].pod;

		if (g == SIM_NONE)
			continue;
		if (b->pod[g] != SIM_NONE && b->pod[g] != pod) {
			free(b->pod);
			b->pod = NULL;
			return 0;
		}
		b->pod[g] = pod;
		if (pod + 1 > b->npods)
			b->npods = pod + 1;
	}
	return 0;
}

/*
 * Whether PORT of node N leaves N's unit: a switch-facing port of a leaf
 * (UNIT_TIER 1), an agg's port up to a core (UNIT_TIER 2).
 */
static bool sim_bound_top_port(const struct sim_topo *t, uint32_t port, unsigned int unit_tier)
{
	uint32_t peer = t->ports[t->ports[port].peer].node;

	if (unit_tier == 1)
		return t->nodes[peer].kind == SIM_NODE_SWITCH;
	return t->nodes[peer].tier > unit_tier;
}

/* The unit of switch N: its group (tier-1 leaf) or its pod (tier-2 agg); SIM_NONE otherwise. */
static uint32_t sim_bound_unit_of(const struct sim_bound *b, const uint32_t *leaf_group, uint32_t n,
				  unsigned int unit_tier)
{
	const struct sim_node *nd = &b->t->nodes[n];

	if (nd->kind != SIM_NODE_SWITCH)
		return SIM_NONE;
	if (unit_tier == 1)
		return leaf_group[n];
	return nd->tier == 2 && nd->pod < b->npods ? nd->pod : SIM_NONE;
}

static uint64_t sim_bound_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

/*
 * Units of tier UNIT_TIER (1: groups, 2: pods): NUNITS of them, their
 * top-facing ports (CSR, in node then port order), out and in capacity
 * into CAP[R_OUT + u] and CAP[R_IN + u], and the signature of each.
 */
static int sim_bound_units(struct sim_bound *b, const uint32_t *leaf_group, unsigned int unit_tier,
			   uint32_t nunits, uint32_t r_out, uint32_t r_in, bool keep)
{
	const struct sim_topo *t = b->t;
	uint32_t *first = calloc((size_t)nunits + 2, sizeof(*first)), *port = NULL, *fill = NULL;
	uint64_t *sig = calloc(nunits ? nunits : 1, sizeof(*sig));
	int rc = -ENOMEM;

	if (!first || !sig)
		goto out_free;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t n = t->nhosts; n < t->nnodes; n++) {
			const struct sim_node *nd = &t->nodes[n];
			uint32_t u = sim_bound_unit_of(b, leaf_group, n, unit_tier);

			if (u == SIM_NONE)
				continue;
			for (uint32_t i = nd->first_port; i < nd->first_port + nd->nports; i++) {
				if (!sim_bound_top_port(t, i, unit_tier))
					continue;
				if (!pass) {
					first[u + 2]++;
					continue;
				}
				port[fill[u]++] = i;
				b->cap_bps[r_out + u] += sim_bound_port_bps(t, i) * b->frac;
				b->cap_bps[r_in + u] += sim_bound_port_bps(t, t->ports[i].peer) * b->frac;
				sig[u] = sim_bound_mix(sig[u], t->ports[t->ports[i].peer].node);
				sig[u] = sim_bound_mix(sig[u], (uint64_t)sim_bound_port_bps(t, i));
				sig[u] = sim_bound_mix(sig[u], (uint64_t)sim_bound_port_bps(t, t->ports[i].peer));
			}
		}
		if (pass)
			break;
		for (uint32_t u = 0; u < nunits; u++)
			first[u + 2] += first[u + 1];
		port = malloc((first[nunits + 1] ? first[nunits + 1] : 1) * sizeof(*port));
		fill = first + 1;
		if (!port)
			goto out_free;
	}
	if (keep) {
		b->unit_first = first;
		b->unit_port = port;
		b->unit_sig = sig;
		b->nunits = nunits;
		return 0;
	}
	rc = 0;
out_free:
	free(port);
	free(sig);
	free(first);
	return rc;
}

static int sim_bound_cuts(struct sim_bound *b)
{
	const struct sim_topo *t = b->t;
	uint32_t *leaf_group = malloc((size_t)t->nnodes * sizeof(*leaf_group));
	bool clos = t->route == SIM_ROUTE_CLOS;
	int rc = -ENOMEM;

	if (!leaf_group)
		return rc;
	rc = sim_bound_groups(b, leaf_group);
	if (!rc && b->group && clos && t->ntiers == 3)
		rc = sim_bound_pods(b, leaf_group);
	if (rc)
		goto out_free;
	b->r_gout = 2 * b->nhosts;
	b->r_gin = b->r_gout + b->ngroups;
	b->r_pout = b->r_gin + b->ngroups;
	b->r_pin = b->r_pout + (b->pod ? b->npods : 0);
	b->nfixed = b->r_pin + (b->pod ? b->npods : 0);
	rc = -ENOMEM;
	b->cap_bps = calloc(b->nfixed, sizeof(*b->cap_bps));
	if (!b->cap_bps)
		goto out_free;
	for (uint32_t h = 0; h < b->nhosts; h++) {
		const struct sim_node *nd = &t->nodes[t->hosts[h]];

		for (uint32_t p = 0; p < nd->nports; p++) {
			b->cap_bps[h] += sim_bound_port_bps(t, nd->first_port + p) * b->frac;
			b->cap_bps[b->nhosts + h] += sim_bound_port_bps(t, t->ports[nd->first_port + p].peer) * b->frac;
		}
	}
	rc = 0;
	if (b->group) {
		b->pairing = clos && t->ntiers == 2 ? SIM_BOUND_PAIR_GROUP : SIM_BOUND_PAIR_NONE;
		rc = sim_bound_units(b, leaf_group, 1, b->ngroups, b->r_gout, b->r_gin,
				     b->pairing == SIM_BOUND_PAIR_GROUP);
	}
	if (!rc && b->pod) {
		b->pairing = SIM_BOUND_PAIR_POD;
		rc = sim_bound_units(b, leaf_group, 2, b->npods, b->r_pout, b->r_pin, true);
	}
out_free:
	free(leaf_group);
	return rc;
}

int sim_bound_create(const struct sim_topo *t, uint32_t mtu_bytes, struct sim_bound **out)
{
	struct sim_bound *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->t = t;
	b->frac = sim_bound_payload_frac(mtu_bytes);
	b->nhosts = t->nhosts;
	if (sim_bound_cuts(b)) {
		sim_bound_free(b);
		return -ENOMEM;
	}
	*out = b;
	return 0;
}

void sim_bound_free(struct sim_bound *b)
{
	if (!b)
		return;
	free(b->group);
	free(b->pod);
	free(b->cap_bps);
	free(b->unit_first);
	free(b->unit_port);
	free(b->unit_sig);
	free(b);
}

/* ---- pairs of units ------------------------------------------------------ */

/*
 * The pair resources one workload uses: an open-addressing table from
 * (unit A, unit B) to a resource index, SIM_NONE for a pair that cannot
 * bind (its paths carry at least what A's out and B's in cuts allow).
 * Resource nfixed + k has capacity cap_bps[k].
 */
struct sim_bound_pairs {
	const struct sim_bound *b;
	uint64_t *key;		/* (A << 32 | B) + 1; 0: empty */
	uint32_t *res;
	uint32_t slots, used;
	double *cap_bps;	/* of the pair resources, [npairs] */
	uint32_t npairs, cap_n;
	double *out_bps, *in_bps;	/* [nswitches] scratch, zero between uses */
};

static int sim_bound_pairs_init(struct sim_bound_pairs *pp, const struct sim_bound *b)
{
	memset(pp, 0, sizeof(*pp));
	pp->b = b;
	if (b->pairing == SIM_BOUND_PAIR_NONE)
		return 0;
	pp->slots = 1024;
	pp->key = calloc(pp->slots, sizeof(*pp->key));
	pp->res = malloc(pp->slots * sizeof(*pp->res));
	pp->out_bps = calloc(b->t->nswitches, sizeof(*pp->out_bps));
	pp->in_bps = calloc(b->t->nswitches, sizeof(*pp->in_bps));
	return pp->key && pp->res && pp->out_bps && pp->in_bps ? 0 : -ENOMEM;
}

static void sim_bound_pairs_free(struct sim_bound_pairs *pp)
{
	free(pp->key);
	free(pp->res);
	free(pp->cap_bps);
	free(pp->out_bps);
	free(pp->in_bps);
}

static uint32_t sim_bound_sw(const struct sim_topo *t, uint32_t port)
{
	return t->nodes[t->ports[t->ports[port].peer].node].index;
}

/* Payload bits per second the live paths A -> B carry: sum over top switches of min(A out, B in). */
static double sim_bound_pair_bps(struct sim_bound_pairs *pp, uint32_t a, uint32_t bu)
{
	const struct sim_bound *b = pp->b;
	const struct sim_topo *t = b->t;
	double sum = 0;

	for (uint32_t k = b->unit_first[a]; k < b->unit_first[a + 1]; k++)
		pp->out_bps[sim_bound_sw(t, b->unit_port[k])] += sim_bound_port_bps(t, b->unit_port[k]);
	for (uint32_t k = b->unit_first[bu]; k < b->unit_first[bu + 1]; k++)
		pp->in_bps[sim_bound_sw(t, b->unit_port[k])] += sim_bound_port_bps(t, t->ports[b->unit_port[k]].peer);
	/* each top switch once: its in share is zeroed as it is counted */
	for (uint32_t k = b->unit_first[bu]; k < b->unit_first[bu + 1]; k++) {
		uint32_t x = sim_bound_sw(t, b->unit_port[k]);

		sum += fmin(pp->out_bps[x], pp->in_bps[x]);
		pp->in_bps[x] = 0;
	}
	for (uint32_t k = b->unit_first[a]; k < b->unit_first[a + 1]; k++)
		pp->out_bps[sim_bound_sw(t, b->unit_port[k])] = 0;
	return sum * b->frac;
}

static int sim_bound_pairs_grow(struct sim_bound_pairs *pp)
{
	uint32_t n = pp->slots * 2;
	uint64_t *key = calloc(n, sizeof(*key));
	uint32_t *res = malloc(n * sizeof(*res));

	if (!key || !res) {
		free(key);
		free(res);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < pp->slots; i++) {
		uint32_t j;

		if (!pp->key[i])
			continue;
		for (j = (uint32_t)sim_bound_mix(0, pp->key[i]) & (n - 1); key[j]; j = (j + 1) & (n - 1))
			;
		key[j] = pp->key[i];
		res[j] = pp->res[i];
	}
	free(pp->key);
	free(pp->res);
	pp->key = key;
	pp->res = res;
	pp->slots = n;
	return 0;
}

/* A new pair resource of capacity CAP: its index, or SIM_NONE out of memory. */
static uint32_t sim_bound_pairs_add(struct sim_bound_pairs *pp, double cap)
{
	if (pp->npairs == pp->cap_n) {
		uint32_t n = pp->cap_n ? 2 * pp->cap_n : 64;
		double *c = realloc(pp->cap_bps, n * sizeof(*c));

		if (!c)
			return SIM_NONE;
		pp->cap_bps = c;
		pp->cap_n = n;
	}
	pp->cap_bps[pp->npairs] = cap;
	return pp->b->nfixed + pp->npairs++;
}

/*
 * The resource of pair A -> B: its index, SIM_NONE when it cannot bind.
 * -ENOMEM into *RC out of memory.
 */
static uint32_t sim_bound_pair(struct sim_bound_pairs *pp, uint32_t a, uint32_t bu, int *rc)
{
	const struct sim_bound *b = pp->b;
	uint64_t key = ((uint64_t)a << 32 | bu) + 1;
	uint32_t j, r_out, r_in, res = SIM_NONE;
	double cap;

	if (b->unit_sig[a] == b->unit_sig[bu])
		return SIM_NONE;
	for (j = (uint32_t)sim_bound_mix(0, key) & (pp->slots - 1); pp->key[j]; j = (j + 1) & (pp->slots - 1))
		if (pp->key[j] == key)
			return pp->res[j];
	r_out = b->pairing == SIM_BOUND_PAIR_POD ? b->r_pout : b->r_gout;
	r_in = b->pairing == SIM_BOUND_PAIR_POD ? b->r_pin : b->r_gin;
	cap = sim_bound_pair_bps(pp, a, bu);
	/* a pair at least as wide as both cuts adds nothing */
	if (cap < fmin(b->cap_bps[r_out + a], b->cap_bps[r_in + bu]) * (1 - 1e-12)) {
		res = sim_bound_pairs_add(pp, cap);
		if (res == SIM_NONE)
			*rc = -ENOMEM;
	}
	pp->key[j] = key;
	pp->res[j] = res;
	/* growing moves the slots: RES is what the caller gets */
	if (++pp->used * 2 > pp->slots && sim_bound_pairs_grow(pp))
		*rc = -ENOMEM;
	return res;
}

/* Capacity of resource R, payload bits per second. */
static double sim_bound_cap(const struct sim_bound_pairs *pp, uint32_t r)
{
	return r < pp->b->nfixed ? pp->b->cap_bps[r] : pp->cap_bps[r - pp->b->nfixed];
}

/* At most: tx, rx, group out and in, pod out and in, a pair. */
#define SIM_BOUND_MAX_RES 7

/* The resources a transfer from host A to host B crosses, into R: how many. */
static uint32_t sim_bound_path(struct sim_bound_pairs *pp, uint32_t a, uint32_t bh, uint32_t *r, int *rc)
{
	const struct sim_bound *b = pp->b;
	uint32_t n = 0, ga, gb, pa, pb, pr;

	r[n++] = a;
	r[n++] = b->nhosts + bh;
	if (!b->group || (ga = b->group[a]) == (gb = b->group[bh]))
		return n;
	r[n++] = b->r_gout + ga;
	r[n++] = b->r_gin + gb;
	if (b->pairing == SIM_BOUND_PAIR_GROUP) {
		pr = sim_bound_pair(pp, ga, gb, rc);
		if (pr != SIM_NONE)
			r[n++] = pr;
	}
	if (!b->pod || (pa = b->pod[ga]) == (pb = b->pod[gb]))
		return n;
	r[n++] = b->r_pout + pa;
	r[n++] = b->r_pin + pb;
	pr = sim_bound_pair(pp, pa, pb, rc);
	if (pr != SIM_NONE)
		r[n++] = pr;
	return n;
}

/* ---- max-min fair rates (progressive filling) ----------------------------- */

struct sim_bound_heap_ent {
	double level;		/* bits/s every unfrozen flow of the resource has when it saturates */
	uint32_t res, ver;
};

/* The solver's state over NRES resources, reused across epochs. */
struct sim_bound_mm {
	uint32_t nres;
	double *fixed_bps;	/* frozen flows' rates on each resource */
	uint32_t *nact;		/* unfrozen flows on each resource */
	uint32_t *ver;		/* bumped at each change: older heap entries are stale */
	uint32_t *first;	/* [nres + 1]: resource -> its flows, CSR into flows */
	uint64_t *flows;
	struct sim_bound_heap_ent *heap;
	uint64_t nheap, heap_cap;
};

static void sim_bound_mm_free(struct sim_bound_mm *m)
{
	free(m->fixed_bps);
	free(m->nact);
	free(m->ver);
	free(m->first);
	free(m->flows);
	free(m->heap);
	memset(m, 0, sizeof(*m));
}

static int sim_bound_mm_size(struct sim_bound_mm *m, uint32_t nres, uint64_t nrefs)
{
	sim_bound_mm_free(m);
	m->nres = nres;
	m->fixed_bps = calloc(nres, sizeof(*m->fixed_bps));
	m->nact = calloc(nres, sizeof(*m->nact));
	m->ver = calloc(nres, sizeof(*m->ver));
	m->first = calloc((size_t)nres + 2, sizeof(*m->first));
	m->flows = malloc((nrefs ? nrefs : 1) * sizeof(*m->flows));
	m->heap_cap = nres + nrefs + 1;
	m->heap = malloc(m->heap_cap * sizeof(*m->heap));
	return m->fixed_bps && m->nact && m->ver && m->first && m->flows && m->heap ? 0 : -ENOMEM;
}

static void sim_bound_heap_push(struct sim_bound_mm *m, double level, uint32_t r)
{
	uint64_t i = m->nheap++;

	while (i) {
		uint64_t p = (i - 1) / 2;

		if (m->heap[p].level <= level)
			break;
		m->heap[i] = m->heap[p];
		i = p;
	}
	m->heap[i] = (struct sim_bound_heap_ent){ level, r, m->ver[r] };
}

static struct sim_bound_heap_ent sim_bound_heap_pop(struct sim_bound_mm *m)
{
	struct sim_bound_heap_ent top = m->heap[0], last = m->heap[--m->nheap];
	uint64_t i = 0;

	for (;;) {
		uint64_t c = 2 * i + 1;

		if (c >= m->nheap)
			break;
		if (c + 1 < m->nheap && m->heap[c + 1].level < m->heap[c].level)
			c++;
		if (last.level <= m->heap[c].level)
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->nheap)
		m->heap[i] = last;
	return top;
}

/* Level at which resource R saturates with its unfrozen flows all equal. */
static double sim_bound_level(const struct sim_bound_pairs *pp, const struct sim_bound_mm *m, uint32_t r)
{
	double spare = sim_bound_cap(pp, r) - m->fixed_bps[r];

	return (spare > 0 ? spare : 0) / m->nact[r];
}

/*
 * Max-min rates of the N flows ACT (indices into RES/NRES, resources of
 * flow i at RES[i * SIM_BOUND_MAX_RES]) into RATE[i], bits per second.
 * Every unfrozen flow has the same rate, the level; the resource with the
 * lowest saturation level freezes its unfrozen flows at it. Levels only
 * rise as flows freeze (a frozen flow took at most its share), so a heap
 * with stale entries skipped finds each next one.
 */
static void sim_bound_maxmin(const struct sim_bound_pairs *pp, struct sim_bound_mm *m, const uint32_t *res,
			     const uint8_t *nres, const uint64_t *act, uint64_t n, double *rate, uint8_t *frozen)
{
	memset(m->first, 0, ((size_t)m->nres + 2) * sizeof(*m->first));
	for (uint64_t k = 0; k < n; k++)
		for (uint32_t j = 0; j < nres[act[k]]; j++)
			m->first[res[act[k] * SIM_BOUND_MAX_RES + j] + 2]++;
	for (uint32_t r = 0; r < m->nres; r++) {
		m->nact[r] = m->first[r + 2];
		m->fixed_bps[r] = 0;
		m->first[r + 2] += m->first[r + 1];
	}
	for (uint64_t k = 0; k < n; k++) {
		frozen[act[k]] = 0;
		for (uint32_t j = 0; j < nres[act[k]]; j++)
			m->flows[m->first[res[act[k] * SIM_BOUND_MAX_RES + j] + 1]++] = act[k];
	}
	m->nheap = 0;
	for (uint32_t r = 0; r < m->nres; r++)
		if (m->nact[r])
			sim_bound_heap_push(m, sim_bound_level(pp, m, r), r);
	while (m->nheap) {
		struct sim_bound_heap_ent e = sim_bound_heap_pop(m);

		if (e.ver != m->ver[e.res] || !m->nact[e.res])
			continue;
		for (uint32_t k = m->first[e.res]; k < m->first[e.res + 1]; k++) {
			uint64_t f = m->flows[k];

			if (frozen[f])
				continue;
			frozen[f] = 1;
			rate[f] = e.level;
			for (uint32_t j = 0; j < nres[f]; j++) {
				uint32_t r = res[f * SIM_BOUND_MAX_RES + j];

				m->fixed_bps[r] += e.level;
				m->nact[r]--;
				m->ver[r]++;
				if (m->nact[r] && m->nheap < m->heap_cap)
					sim_bound_heap_push(m, sim_bound_level(pp, m, r), r);
			}
		}
	}
}

/* ---- flow workloads ------------------------------------------------------- */

/* A fluid run of flows: their resources, what is left of each, the solver. */
struct sim_bound_fluid {
	const struct sim_bound_flow *f;
	uint64_t n;
	uint32_t *res;		/* [n * SIM_BOUND_MAX_RES] */
	uint8_t *nres, *frozen;
	double *rate, *left_bits;
	uint64_t *order;	/* flows by start time */
	uint64_t *act;		/* flows under way */
	struct sim_bound_mm mm;
};

static int sim_bound_cmp_start(const void *x, const void *y, void *arg)
{
	const struct sim_bound_flow *f = arg;
	uint64_t a = f[*(const uint64_t *)x].start_ps, b = f[*(const uint64_t *)y].start_ps;

	return (a > b) - (a < b);
}

/* Work of one epoch of NA flows over NRES resources: the unit of SIM_BOUND_WORK_MAX. */
static uint64_t sim_bound_epoch_work(uint64_t na, uint32_t nres)
{
	return na * (SIM_BOUND_MAX_RES + 1) + nres;
}

/*
 * The fluid simulation: from each arrival or finish to the next, max-min
 * rates. Sums line x FCT into *LINE_TIME (bits); -E2BIG past the work
 * budget, -ENOENT when a flow never finishes.
 */
static int sim_bound_fluid_run(struct sim_bound_fluid *fl, const struct sim_bound_pairs *pp, double *line_time)
{
	uint64_t na = 0, next = 0, done = 0, work = 0;
	double now = 0;

	*line_time = 0;
	while (done < fl->n) {
		double dt = INFINITY;
		uint64_t k = 0;

		if (!na && next < fl->n && now < fl->f[fl->order[next]].start_ps * 1e-12)
			now = fl->f[fl->order[next]].start_ps * 1e-12;
		while (next < fl->n && fl->f[fl->order[next]].start_ps * 1e-12 <= now)
			fl->act[na++] = fl->order[next++];
		work += sim_bound_epoch_work(na, fl->mm.nres);
		if (work > SIM_BOUND_WORK_MAX)
			return -E2BIG;
		sim_bound_maxmin(pp, &fl->mm, fl->res, fl->nres, fl->act, na, fl->rate, fl->frozen);
		for (k = 0; k < na; k++)
			if (fl->rate[fl->act[k]] > 0)
				dt = fmin(dt, fl->left_bits[fl->act[k]] / fl->rate[fl->act[k]]);
		if (next < fl->n)
			dt = fmin(dt, fl->f[fl->order[next]].start_ps * 1e-12 - now);
		if (isinf(dt))
			return -ENOENT;
		now += dt;
		for (k = 0; k < na;) {
			uint64_t i = fl->act[k];
			const struct sim_bound_flow *f = &fl->f[i];

			fl->left_bits[i] -= fl->rate[i] * dt;
			/* the flows that set dt, and any within rounding of it */
			if (fl->left_bits[i] <= 1e-9 * (double)f->bytes * 8) {
				*line_time += (double)f->line_bps * (now - f->start_ps * 1e-12);
				fl->act[k] = fl->act[--na];
				done++;
				continue;
			}
			k++;
		}
	}
	return 0;
}

static void sim_bound_fluid_free(struct sim_bound_fluid *fl)
{
	free(fl->res);
	free(fl->nres);
	free(fl->frozen);
	free(fl->rate);
	free(fl->left_bits);
	free(fl->order);
	free(fl->act);
	sim_bound_mm_free(&fl->mm);
}

static int sim_bound_fluid_init(struct sim_bound_fluid *fl, struct sim_bound_pairs *pp,
				const struct sim_bound_flow *f, uint64_t n)
{
	uint64_t refs = 0;
	int rc = 0;

	memset(fl, 0, sizeof(*fl));
	fl->f = f;
	fl->n = n;
	fl->res = malloc(n * SIM_BOUND_MAX_RES * sizeof(*fl->res));
	fl->nres = malloc(n);
	fl->frozen = malloc(n);
	fl->rate = calloc(n, sizeof(*fl->rate));
	fl->left_bits = malloc(n * sizeof(*fl->left_bits));
	fl->order = malloc(n * sizeof(*fl->order));
	fl->act = malloc(n * sizeof(*fl->act));
	if (!fl->res || !fl->nres || !fl->frozen || !fl->rate || !fl->left_bits || !fl->order || !fl->act)
		return -ENOMEM;
	for (uint64_t i = 0; i < n && !rc; i++) {
		fl->nres[i] = (uint8_t)sim_bound_path(pp, f[i].src, f[i].dst, &fl->res[i * SIM_BOUND_MAX_RES], &rc);
		refs += fl->nres[i];
		fl->left_bits[i] = (double)f[i].bytes * 8;
		fl->order[i] = i;
	}
	if (rc)
		return rc;
	qsort_r(fl->order, n, sizeof(*fl->order), sim_bound_cmp_start, (void *)f);
	return sim_bound_mm_size(&fl->mm, pp->b->nfixed + pp->npairs, refs);
}

/* Sum of the line rates of the distinct senders, as the simulator's all-active figure divides by. */
static double sim_bound_senders_bps(const struct sim_bound *b, const struct sim_bound_flow *f, uint64_t n)
{
	uint8_t *seen = calloc(b->nhosts, 1);
	double sum = 0;

	for (uint64_t i = 0; i < n && seen; i++) {
		if (seen[f[i].src])
			continue;
		seen[f[i].src] = 1;
		sum += (double)f[i].line_bps;
	}
	free(seen);
	return sum;
}

int sim_bound_flows(const struct sim_bound *b, const struct sim_bound_flow *f, uint64_t n,
		    struct sim_bound_flows *out)
{
	struct sim_bound_pairs pp;
	struct sim_bound_fluid fl;
	double line_time, bits = 0, sum = 0, lines;
	int rc;

	out->effective = out->all_active = -1;
	memset(&fl, 0, sizeof(fl));
	if (!n)
		return 0;
	rc = sim_bound_pairs_init(&pp, b);
	if (!rc)
		rc = sim_bound_fluid_init(&fl, &pp, f, n);
	if (rc)
		goto out_free;
	/* every flow present: the all-active figure */
	for (uint64_t i = 0; i < n; i++)
		fl.act[i] = i;
	sim_bound_maxmin(&pp, &fl.mm, fl.res, fl.nres, fl.act, n, fl.rate, fl.frozen);
	for (uint64_t i = 0; i < n; i++) {
		sum += fl.rate[i];
		bits += (double)f[i].bytes * 8;
	}
	lines = sim_bound_senders_bps(b, f, n);
	out->all_active = lines > 0 ? sum / lines : -1;
	rc = sim_bound_fluid_run(&fl, &pp, &line_time);
	if (!rc)
		out->effective = line_time > 0 ? bits / line_time : -1;
	else if (rc == -ENOENT)
		out->effective = 0;
	rc = rc == -ENOMEM ? rc : 0;
out_free:
	sim_bound_fluid_free(&fl);
	sim_bound_pairs_free(&pp);
	return rc;
}

int sim_bound_sim_flows(const struct sim *s, struct sim_bound_flows *out)
{
	struct sim_bound_flow *f = malloc((s->nflows ? s->nflows : 1) * sizeof(*f));
	struct sim_bound *b = NULL;
	struct sim_flow tmp;
	uint64_t n = 0;
	int rc = -ENOMEM;

	out->effective = out->all_active = -1;
	if (!f)
		return rc;
	for (uint64_t i = 0; i < s->nflows; i++) {
		const struct sim_flow *sf = sim_flow_get(s, i, &tmp);

		/* a schedule's transfers wait on each other: not a flow workload */
		if (sf->lsrc) {
			rc = 0;
			goto out_free;
		}
		if (sf->local)
			continue;
		f[n++] = (struct sim_bound_flow){ sf->src, sf->dst, sf->bytes, sf->start_ps, sf->rate_bps };
	}
	rc = sim_bound_create(s->topo, s->mtu_bytes, &b);
	if (!rc)
		rc = sim_bound_flows(b, f, n, out);
out_free:
	sim_bound_free(b);
	free(f);
	return rc;
}

/* ---- collectives ---------------------------------------------------------- */

/* Adds BYTES to each resource of R into LOAD (fixed ones) or PLOAD (pairs, grown as they come). */
static int sim_bound_load(const struct sim_bound_pairs *pp, const uint32_t *r, uint32_t n, double bytes,
			  double *load, double **pload, uint32_t *pload_n)
{
	for (uint32_t j = 0; j < n; j++) {
		uint32_t k;

		if (r[j] < pp->b->nfixed) {
			load[r[j]] += bytes;
			continue;
		}
		k = r[j] - pp->b->nfixed;
		if (k >= *pload_n) {
			uint32_t m = pp->cap_n;
			double *v = realloc(*pload, m * sizeof(*v));

			if (!v)
				return -ENOMEM;
			memset(v + *pload_n, 0, (m - *pload_n) * sizeof(*v));
			*pload = v;
			*pload_n = m;
		}
		(*pload)[k] += bytes;
	}
	return 0;
}

/* The longest any resource needs for what LOAD and PLOAD put through it, seconds. */
static double sim_bound_busiest_s(const struct sim_bound_pairs *pp, const double *load, const double *pload)
{
	double worst = 0;

	for (uint32_t r = 0; r < pp->b->nfixed + pp->npairs; r++) {
		double bytes = r < pp->b->nfixed ? load[r] : pload[r - pp->b->nfixed];
		double cap = sim_bound_cap(pp, r);

		if (bytes <= 0)
			continue;
		worst = fmax(worst, cap > 0 ? bytes * 8 / cap : INFINITY);
	}
	return worst;
}

int sim_bound_coll(const struct sim_bound *b, const struct sim_coll_job *job, const struct coll_gen *g,
		   struct sim_bound_coll *out)
{
	uint64_t n = coll_gen_count(g);
	uint32_t gps = job->gpus_per_server ? job->gpus_per_server : 1, pload_n = 0;
	double *load = calloc(b->nfixed, sizeof(*load)), *pload = NULL;
	/* what each GPU sends over NVLink: the simulator serializes it at nvlink_bps (sim_local_start) */
	double *nvl = calloc(b->nhosts, sizeof(*nvl));
	struct sim_bound_pairs pp;
	int rc = sim_bound_pairs_init(&pp, b);

	memset(out, 0, sizeof(*out));
	out->busbw_GBps = -1;
	if (!load || !nvl)
		rc = -ENOMEM;
	for (uint64_t i = 0; i < n && !rc; i++) {
		uint32_t r[SIM_BOUND_MAX_RES], nr, a, d;
		struct coll_xfer x;

		g->ops->xfer(g, i, &x);
		if (!sim_coll_xfer_net(job->rank_host, gps, &x, &a, &d)) {
			a = job->rank_host[x.src_rank];
			if (a != d)
				nvl[a] += (double)x.bytes;
			continue;
		}
		nr = sim_bound_path(&pp, a, d, r, &rc);
		out->net_bytes += x.bytes;
		if (!rc)
			rc = sim_bound_load(&pp, r, nr, (double)x.bytes, load, &pload, &pload_n);
	}
	if (!rc && out->net_bytes) {
		out->time_s = sim_bound_busiest_s(&pp, load, pload);
		for (uint32_t h = 0; h < b->nhosts && job->nvlink_bps; h++)
			out->time_s = fmax(out->time_s, nvl[h] * 8 / (double)job->nvlink_bps);
		out->busbw_GBps = isinf(out->time_s) ? 0 : coll_busbw_GBps(job->kind, job->nranks, job->bytes, out->time_s);
	}
	free(nvl);
	free(pload);
	free(load);
	sim_bound_pairs_free(&pp);
	return rc;
}
