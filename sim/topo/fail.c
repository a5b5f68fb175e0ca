/*
 * Failed and degraded links (fail.h): a user's SPEC ("leaf3:spine7",
 * "leaf0:spine1=400G", "10%@leaf-spine/p1", "plane:1") turned into
 * changes to links, and the changes applied to a topology's ports.
 *
 * A link is named by its lower-tier end (the host's or the leaf's port) so
 * that one link is one change, whichever of its names the user typed. A
 * random fraction of a tier is a partial Fisher-Yates shuffle of the
 * tier's links in port order, seeded by the plan's seed, the tier and the
 * plane: the first k links drawn are the same for every fraction, so that
 * 5% of a tier fails a subset of what 10% fails with the same seed, and a
 * sweep over fractions changes one thing at a time.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine/rng.h"
#include "sim/topo/fail.h"
#include "sim/topo/load_priv.h"

#define FAIL_NAME_MAX 128	/* a node name in a SPEC; names are at most 63 */
#define FAIL_NTIERS (sizeof(fail_tiers) / sizeof(fail_tiers[0]))

struct fail_ctx {
	const struct sim_topo *t;
	const char *spec;
	uint64_t at_ps;
	enum sim_fail_op op;
	struct sim_fail_plan *plan;
	char *err;
	size_t errlen;
};

/* "SPEC: why (expected ...)"; returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
static int fail_err(struct fail_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->errlen)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "%s: ", c->spec);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int plan_push(struct sim_fail_plan *plan, const struct sim_fail_change *ch)
{
	if (plan->n == plan->cap) {
		uint32_t cap = plan->cap ? plan->cap * 2 : 16;
		struct sim_fail_change *v;

		if (cap <= plan->cap)
			return -ENOMEM;
		v = realloc(plan->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		plan->v = v;
		plan->cap = cap;
	}
	plan->v[plan->n++] = *ch;
	return 0;
}

/* The end of link I on the lower tier (a tie: the lower port index). */
static uint32_t link_low(const struct sim_topo *t, uint32_t i)
{
	uint32_t j = t->ports[i].peer;
	uint8_t a = t->nodes[t->ports[i].node].tier, b = t->nodes[t->ports[j].node].tier;

	if (a != b)
		return a < b ? i : j;
	return i < j ? i : j;
}

/* 0 host-leaf, 1 leaf-tier2, 2 tier2-tier3, 3 other: summary.c's classes. */
static unsigned int link_class(const struct sim_topo *t, uint32_t i)
{
	uint8_t a = t->nodes[t->ports[i].node].tier;
	uint8_t b = t->nodes[t->ports[t->ports[i].peer].node].tier;
	uint8_t lo = a < b ? a : b, hi = a < b ? b : a;

	return hi == lo + 1 && hi <= 3 ? lo : 3;
}

/* The plane of the link whose lower end is LOW; SIM_NONE when unknown. */
static uint32_t link_plane(const struct sim_topo *t, uint32_t low)
{
	const struct sim_node *n = &t->nodes[t->ports[low].node];

	if (n->kind == SIM_NODE_HOST)
		return low - n->first_port;
	if (t->layout.per_plane)
		return n->index / t->layout.per_plane;
	return t->nplanes == 1 ? 0 : SIM_NONE;
}

static bool read_num(const char **p, uint32_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*p = s;
	*out = (uint32_t)v;
	return true;
}

static bool eat(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

/* A switch's ordinal in its plane from "leaf3", "rail0-leaf3", "agg2.1", "spine7", "core5". */
static uint64_t switch_ord(const struct sim_topo_layout *l, const char *p)
{
	uint32_t a, b;
	uint64_t r;

	if (eat(&p, "rail")) {
		if (!l->leaves_per_rail || !read_num(&p, &a) || !eat(&p, "-leaf") || !read_num(&p, &b))
			return UINT64_MAX;
		r = (uint64_t)a * l->leaves_per_rail + b;
	} else if (eat(&p, "leaf")) {
		if (!read_num(&p, &a))
			return UINT64_MAX;
		r = a;
	} else if (eat(&p, "agg")) {
		if (!l->aggs_per_pod || !read_num(&p, &a) || !eat(&p, ".") || !read_num(&p, &b))
			return UINT64_MAX;
		r = (uint64_t)l->nleaves + (uint64_t)a * l->aggs_per_pod + b;
	} else if (eat(&p, "spine")) {
		if (!read_num(&p, &a))
			return UINT64_MAX;
		r = (uint64_t)l->nleaves + a;
	} else if (eat(&p, "core")) {
		if (!read_num(&p, &a))
			return UINT64_MAX;
		r = (uint64_t)l->nleaves + l->ntier2 + a;
	} else {
		return UINT64_MAX;
	}
	return *p ? UINT64_MAX : r;
}

/* The node a generated name would be; the caller checks it by spelling it back. */
static uint32_t generated_node(const struct sim_topo *t, const char *name)
{
	const char *p = name;
	uint32_t v, plane = 0;
	uint64_t r, id;

	if (eat(&p, "h"))
		return read_num(&p, &v) && !*p && v < t->nhosts ? v : SIM_NONE;
	if (!t->layout.per_plane) {
		if (eat(&p, "s") && read_num(&p, &v) && !*p && (uint64_t)t->nhosts + v < t->nnodes)
			return t->nhosts + v;
		return SIM_NONE;
	}
	if (t->nplanes > 1) {
		if (!eat(&p, "p") || !read_num(&p, &plane) || !eat(&p, "-") || plane >= t->nplanes)
			return SIM_NONE;
	}
	r = switch_ord(&t->layout, p);
	if (r >= t->layout.per_plane)
		return SIM_NONE;
	id = (uint64_t)t->nhosts + (uint64_t)plane * t->layout.per_plane + r;
	return id < t->nnodes ? (uint32_t)id : SIM_NONE;
}

uint32_t sim_topo_node_by_name(const struct sim_topo *t, const char *name)
{
	char buf[FAIL_NAME_MAX];
	uint32_t n;

	if (t->names) {
		for (n = 0; n < t->nnodes; n++)
			if (t->names[n] && !strcmp(t->names[n], name))
				return n;
	}
	n = generated_node(t, name);
	if (n == SIM_NONE)
		return SIM_NONE;
	/* "leaf03", "p0-leaf3" on one plane: only the spelling topo.c prints */
	sim_topo_node_name(t, n, buf, sizeof(buf));
	return strcmp(buf, name) ? SIM_NONE : n;
}

/* The change for the link whose lower end is LOW. */
static int push_link(struct fail_ctx *c, uint32_t low, uint64_t rate_bps)
{
	const struct sim_port *p = &c->t->ports[low];
	struct sim_fail_change ch = { .at_ps = c->at_ps, .port = low, .op = (uint8_t)c->op };

	if (rate_bps) {
		ch.op = SIM_FAIL_RATE;
		ch.rate_bps = rate_bps;
	} else if (c->op == SIM_FAIL_RESTORE && !p->degraded) {
		/* the rate to come back to; unknown (0: kept) once degraded */
		ch.rate_bps = p->rate_bps;
	}
	return plan_push(c->plan, &ch);
}

static int node_arg(struct fail_ctx *c, const char *name, uint32_t *node)
{
	*node = sim_topo_node_by_name(c->t, name);
	if (*node != SIM_NONE)
		return 0;
	if (c->t->names)
		return fail_err(c, "unknown node '%s' (expected a node name of the topology)", name);
	return fail_err(c, "unknown node '%s' (expected a node name like h12, leaf3, spine7, agg2.1, "
			"core5 or rail0-leaf3, with p1- on plane 1 of a multi-plane fabric)", name);
}

/* "RATE" of "A:B=RATE", at most the link's rate RATE0. */
static int parse_rate(struct fail_ctx *c, const char *text, uint64_t rate0, uint64_t *out)
{
	double v = ld_rate_text(text);
	char a[32];

	if (v < 0)
		return fail_err(c, "bad rate '%s' (expected e.g. 400G, 100Gb/s or 1.6T)", text);
	if (!(v >= SIM_TOPO_MIN_RATE_BPS && v <= SIM_TOPO_MAX_RATE_BPS) || fabs(v - llround(v)) > 1e-6 * v)
		return fail_err(c, "rate '%s' out of range (expected a whole number of b/s from 1M to 10T)", text);
	*out = (uint64_t)llround(v);
	if (*out > rate0)
		return fail_err(c, "rate %s is above the link's %s (expected a degraded rate, at most the "
				"link's)", text, sim_topo_fmt_rate(rate0, a, sizeof(a)));
	return 0;
}

/* "A:B" or "A:B=RATE": every parallel link between A and B. */
static int parse_link(struct fail_ctx *c)
{
	const struct sim_topo *t = c->t;
	const char *colon = strchr(c->spec, ':'), *eq;
	char a[FAIL_NAME_MAX], b[FAIL_NAME_MAX];
	uint32_t na, nb, p, nlinks = 0;
	uint64_t rate = 0;
	size_t la, lb;
	int ret;

	if (!colon)
		return fail_err(c, "not a link (expected A:B, A:B=RATE, P%%@TIER or plane:P)");
	eq = strchr(colon, '=');
	la = (size_t)(colon - c->spec);
	lb = eq ? (size_t)(eq - colon - 1) : strlen(colon + 1);
	if (!la || !lb || la >= sizeof(a) || lb >= sizeof(b))
		return fail_err(c, "bad link (expected A:B with two node names, e.g. leaf3:spine7)");
	memcpy(a, c->spec, la);
	a[la] = 0;
	memcpy(b, colon + 1, lb);
	b[lb] = 0;
	ret = node_arg(c, a, &na);
	if (!ret)
		ret = node_arg(c, b, &nb);
	if (ret)
		return ret;
	for (p = 0; p < t->nodes[na].nports; p++) {
		uint32_t i = t->nodes[na].first_port + p;

		if (t->ports[t->ports[i].peer].node != nb)
			continue;
		if (eq && !nlinks && (ret = parse_rate(c, eq + 1, t->ports[i].rate_bps, &rate)))
			return ret;
		ret = push_link(c, link_low(t, i), rate);
		if (ret)
			return ret;
		nlinks++;
	}
	if (!nlinks)
		return fail_err(c, "no link between %s and %s (expected two nodes joined by a link)", a, b);
	return 0;
}

static int check_planes(struct fail_ctx *c, uint32_t plane)
{
	if (c->t->nplanes > 1 && !c->t->layout.per_plane)
		return fail_err(c, "an explicit graph's switches have no plane (expected a generated "
				"multi-plane fabric, or A:B links)");
	if (plane >= c->t->nplanes)
		return fail_err(c, "plane %u outside 0..%u (expected a plane of the fabric)", plane,
				c->t->nplanes - 1);
	return 0;
}

/* "plane:P": every link of plane P, the hosts' ports on it included. */
static int parse_plane(struct fail_ctx *c, const char *num)
{
	const struct sim_topo *t = c->t;
	uint32_t plane, i;
	int ret;

	if (!read_num(&num, &plane) || *num)
		return fail_err(c, "bad plane (expected plane:P with P a plane number)");
	ret = check_planes(c, plane);
	for (i = 0; i < t->nports && !ret; i++)
		if (link_low(t, i) == i && link_plane(t, i) == plane)
			ret = push_link(c, i, 0);
	return ret;
}

static const struct {
	const char *name;
	unsigned int cls;	/* link_class */
} fail_tiers[] = {
	{ "host-leaf", 0 }, { "leaf-spine", 1 }, { "leaf-agg", 1 }, { "agg-core", 2 },
};

/* "TIER[/pN]": the tier's link class and the plane (SIM_NONE: all). */
static int parse_tier(struct fail_ctx *c, const char *s, unsigned int *cls, uint32_t *plane)
{
	const char *slash = strchr(s, '/'), *p;
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int k;

	*plane = SIM_NONE;
	for (k = 0; k < FAIL_NTIERS; k++)
		if (strlen(fail_tiers[k].name) == len && !strncmp(fail_tiers[k].name, s, len))
			break;
	if (k == FAIL_NTIERS)
		return fail_err(c, "unknown tier '%.*s' (expected host-leaf, leaf-spine, leaf-agg, agg-core)",
				(int)len, s);
	*cls = fail_tiers[k].cls;
	if (!slash)
		return 0;
	p = slash + 1;
	if (!eat(&p, "p") || !read_num(&p, plane) || *p)
		return fail_err(c, "bad plane suffix '%s' (expected /pN, e.g. 10%%@leaf-spine/p1)", slash);
	return check_planes(c, *plane);
}

/* The lower ends of the links of class CLS on PLANE (SIM_NONE: all), in port order. */
static uint32_t tier_links(const struct sim_topo *t, unsigned int cls, uint32_t plane, uint32_t *out)
{
	uint32_t i, n = 0;

	for (i = 0; i < t->nports; i++) {
		if (link_low(t, i) != i || link_class(t, i) != cls)
			continue;
		if (plane != SIM_NONE && link_plane(t, i) != plane)
			continue;
		if (out)
			out[n] = i;
		n++;
	}
	return n;
}

/* Draws N of the NCAND links in CAND: the first N of a seeded shuffle. */
static int draw(struct fail_ctx *c, uint32_t *cand, uint32_t ncand, uint32_t n, unsigned int cls,
		uint32_t plane)
{
	struct sim_rng r;
	uint32_t i;
	int ret = 0;

	sim_rng_seed_stream(&r, c->plan->seed, ((uint64_t)cls + 1) << 32 | (plane + 1ULL));
	for (i = 0; i < n && !ret; i++) {
		uint32_t j = i + sim_rng_below(&r, ncand - i), x = cand[j];

		cand[j] = cand[i];
		cand[i] = x;
		ret = push_link(c, x, 0);
	}
	return ret;
}

/* "P%@TIER[/pN]": round(P% x the tier's links) of them, drawn with the plan's seed. */
static int parse_fraction(struct fail_ctx *c)
{
	const char *s = c->spec;
	uint32_t plane, ncand, n, *cand;
	unsigned int cls = 0;
	double pct;
	char *end;
	int ret;

	errno = 0;
	pct = strtod(s, &end);
	if (end == s || errno || end[0] != '%' || end[1] != '@')
		return fail_err(c, "bad fraction (expected P%%@TIER, e.g. 10%%@leaf-spine)");
	if (!(pct > 0 && pct <= 100))
		return fail_err(c, "fraction %g%% outside 0-100%% (expected 0 < P <= 100)", pct);
	ret = parse_tier(c, end + 2, &cls, &plane);
	if (ret)
		return ret;
	ncand = tier_links(c->t, cls, plane, NULL);
	if (!ncand)
		return fail_err(c, "this fabric has no %.*s links (expected a tier it has)",
				(int)strcspn(end + 2, "/"), end + 2);
	n = (uint32_t)llround(pct / 100 * ncand);
	if (!n)
		return fail_err(c, "%g%% of %u links rounds to 0 links (expected at least %.3g%%)", pct,
				ncand, 50.0 / ncand);
	cand = malloc((size_t)ncand * sizeof(*cand));
	if (!cand)
		return -ENOMEM;
	tier_links(c->t, cls, plane, cand);
	ret = draw(c, cand, ncand, n, cls, plane);
	free(cand);
	return ret;
}

int sim_fail_parse(const struct sim_topo *t, const char *spec, uint64_t at_ps, enum sim_fail_op op,
		   struct sim_fail_plan *plan, char *err, size_t errlen)
{
	struct fail_ctx c = {
		.t = t, .spec = spec, .at_ps = at_ps, .op = op, .plan = plan, .err = err, .errlen = errlen,
	};
	uint32_t n0 = plan->n;
	int ret;

	if (errlen)
		err[0] = 0;
	if (op != SIM_FAIL_DOWN && op != SIM_FAIL_RESTORE)
		c.op = SIM_FAIL_DOWN;
	if (!*spec)
		ret = fail_err(&c, "empty (expected A:B, A:B=RATE, P%%@TIER or plane:P)");
	else if (!strncmp(spec, "plane:", 6) && isdigit((unsigned char)spec[6]))
		ret = parse_plane(&c, spec + 6);
	else if (strchr(spec, '%') || strchr(spec, '@'))
		ret = parse_fraction(&c);
	else
		ret = parse_link(&c);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", spec);
	if (ret)
		plan->n = n0;	/* nothing of a refused SPEC stays */
	return ret;
}

/* Stable merge of A[0..na) and B[0..nb) by at_ps into OUT. */
static void merge(const struct sim_fail_change *a, uint32_t na, const struct sim_fail_change *b, uint32_t nb,
		  struct sim_fail_change *out)
{
	uint32_t i = 0, j = 0, k = 0;

	while (i < na && j < nb)
		out[k++] = b[j].at_ps < a[i].at_ps ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

void sim_fail_sort(struct sim_fail_plan *plan)
{
	struct sim_fail_change *tmp, *src, *dst, x;
	uint32_t w, i, j;

	if (plan->n < 2)
		return;
	tmp = malloc((size_t)plan->n * sizeof(*tmp));
	if (!tmp) {
		/* insertion sort: stable, in place */
		for (i = 1; i < plan->n; i++) {
			x = plan->v[i];
			for (j = i; j && plan->v[j - 1].at_ps > x.at_ps; j--)
				plan->v[j] = plan->v[j - 1];
			plan->v[j] = x;
		}
		return;
	}
	src = plan->v;
	dst = tmp;
	for (w = 1; w < plan->n; w = w > plan->n / 2 ? plan->n : w * 2) {
		for (i = 0; i < plan->n; i += 2 * w) {
			uint32_t na = plan->n - i < w ? plan->n - i : w;
			uint32_t nb = plan->n - i - na < w ? plan->n - i - na : w;

			merge(src + i, na, src + i + na, nb, dst + i);
		}
		src = dst;
		dst = dst == tmp ? plan->v : tmp;
	}
	if (src != plan->v)
		memcpy(plan->v, src, (size_t)plan->n * sizeof(*tmp));
	free(tmp);
}

void sim_fail_port_set(struct sim_port *p, enum sim_fail_op op, uint64_t rate_bps, bool degraded)
{
	switch (op) {
	case SIM_FAIL_DOWN:
		p->down = 1;
		break;
	case SIM_FAIL_RATE:
		p->degraded = p->degraded || rate_bps < p->rate_bps;
		p->rate_bps = rate_bps;
		break;
	case SIM_FAIL_RESTORE:
		p->down = 0;
		if (rate_bps) {
			p->rate_bps = rate_bps;
			p->degraded = degraded;
		}
		break;
	}
}

void sim_fail_apply(struct sim_topo *t, const struct sim_fail_change *c)
{
	/* a restore's rate, when known, is the link's as the topology gave it: not degraded */
	sim_fail_port_set(&t->ports[c->port], (enum sim_fail_op)c->op, c->rate_bps, false);
	sim_fail_port_set(&t->ports[t->ports[c->port].peer], (enum sim_fail_op)c->op, c->rate_bps, false);
}

void sim_fail_apply_static(struct sim_topo *t, struct sim_fail_plan *plan)
{
	uint32_t i, k = 0;

	for (i = 0; i < plan->n; i++) {
		if (!plan->v[i].at_ps)
			sim_fail_apply(t, &plan->v[i]);
		else
			plan->v[k++] = plan->v[i];
	}
	plan->n = k;
}

void sim_fail_plan_free(struct sim_fail_plan *plan)
{
	free(plan->v);
	plan->v = NULL;
	plan->n = plan->cap = 0;
}
