/*
 * Topology files: parses the libconfig text format below into a finalized
 * struct sim_topo, through the generators for Clos fabrics or verbatim for
 * explicit graphs. Every problem is reported once, as "FILE:LINE: message"
 * on stderr, and turns into a NULL return; nothing here aborts.
 *
 * File format (libconfig syntax; comments with #, // or / * * /):
 *
 *   name = "small-800g";          # optional, default: file name stem
 *   mtu = 4096;                   # RoCE payload bytes per packet, 256..9000
 *   switch = {                    # optional, SN5600-like defaults
 *     latency_ns = 600;           # forwarding latency, 0..10^7, default 600
 *     buffer_mb = 160;            # shared buffer, MB of 10^6 bytes, 0.1..10^6,
 *                                 # default 160
 *   };
 *   fabric = {
 *     kind = "leafspine";         # "leafspine", "fattree", "railopt", "explicit"
 *     ...kind-specific keys below...
 *   };
 *
 * Keys every generated kind accepts:
 *   host_rate = "800G";           # required: NIC port rate
 *   fabric_rate = "800G";         # switch-switch rate, default host_rate
 *   planes = 1;                   # NIC ports per host; each plane is a
 *                                 # separate copy of the switch fabric
 *   cable_m = 5.0;                # default cable length, 5 ns per metre
 *   delay_ns = 25.0;              # or: default delay, instead of cable_m
 *   host_cable_m = 3.0;           # host-leaf cables, default cable_m
 *   fabric_cable_m = 10.0;        # switch-switch cables, default cable_m
 * Rates are strings "<number>[K|M|G|T][b/s|bps]" ("400G", "400Gb/s",
 * "1.6T") or integers in bits per second (use the L suffix beyond 2^31:
 * libconfig 1.5 silently truncates plain integers), from 1M to 10T.
 *
 *   kind = "leafspine":  leaves, hosts_per_leaf, spines (required);
 *     hosts (total, default leaves * hosts_per_leaf; the last leaf may be
 *     partly filled), links_per_spine (parallel links per leaf-spine pair,
 *     default 1), oversubscription (instead of spines: spines =
 *     ceil(ceil(hosts_per_leaf * host_rate / (oversubscription *
 *     fabric_rate)) / links_per_spine)). One leaf and no spines is allowed.
 *
 *   kind = "fattree":    3 tiers in pods. leaves_per_pod, hosts_per_leaf,
 *     aggs_per_pod, cores_per_group (required), pods and/or hosts (if both,
 *     they must agree: pods = ceil(ceil(hosts / hosts_per_leaf) /
 *     leaves_per_pod); only the leaves needed are built, so the last pod
 *     and leaf may be partial), links_per_agg (per leaf-agg pair, default
 *     1), links_per_core (per agg-core pair, default 1), core_rate (default
 *     fabric_rate), core_cable_m (default fabric cable). Every leaf of a pod
 *     links to every agg of its pod; agg j of every pod links to every core
 *     of core group j (aggs_per_pod groups of cores_per_group cores).
 *
 *   kind = "railopt":    servers, gpus_per_server (= rails) and spines or
 *     oversubscription (required); leaves_per_rail (default 1),
 *     links_per_spine (default 1). Host (GPU) index = server *
 *     gpus_per_server + gpu; GPU r of every server attaches to a leaf of
 *     rail r, servers split into leaves_per_rail consecutive blocks of
 *     ceil(servers / leaves_per_rail); every leaf links to every spine.
 *
 *   kind = "explicit":   nodes and links (required), host_rate/fabric_rate
 *     (defaults for links without a rate), cable_m or delay_ns.
 *     nodes = ( { name = "h0"; kind = "host"; },
 *               { name = "s0"; kind = "switch"; tier = 1; pod = 0; group = 0; } );
 *     links = ( ( "h0", "s0", "800G", 5.0 ), ... );
 *     A link is (a, b [, rate [, cable_m [, delay_ns]]]); delay_ns, when
 *     present, replaces the cable delay. Switch tiers default to the hop
 *     distance from the nearest host. A host's links are its planes, in
 *     file order; every host needs the same number. Node names are unique,
 *     1..63 characters; the graph must be connected.
 *
 * Unknown keys, missing required keys, wrong types and out-of-range values
 * are errors naming the key and its line; topologies/FORMAT.md lists every
 * range. So are fabrics whose switches would have more than 65535 ports,
 * whose ids overflow 32 bits or whose state would not fit in memory, all
 * found before anything is allocated.
 */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fabric/sim.h"
#include "sim/topo/topo.h"

#define PS_PER_NS 1000ULL
#define CABLE_PS_PER_M 5000.0		/* ~5 ns/m in fibre or copper */
#define MAX_COUNT 16777216		/* sanity bound on any count key */
#define MAX_NODES (UINT32_MAX - 1ULL)	/* node ids are 32-bit, SIM_NONE reserved */
#define MAX_LINKS (UINT32_MAX / 4ULL)	/* port indices are 32-bit, see topo.c */
#define NAME_MAX_LEN 63
#define MIN_MTU 256			/* as run --mtu */
#define MAX_MTU 9000
#define MIN_BUFFER_MB 0.1		/* ten frames of the largest MTU */
#define MAX_BUFFER_MB 1e6
#define MAX_GROUP_KEYS 256		/* libconfig looks names up linearly */
#define MAX_DEPTH 32			/* { ( [ nesting; real files use 4 */

struct pctx {
	const char *file;
};

/* Link classes of generated fabrics and their propagation delays. */
struct delays {
	uint64_t host_ps;
	uint64_t fabric_ps;
	uint64_t core_ps;
};

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

static void __attribute__((format(printf, 3, 4)))
perr(const struct pctx *c, const config_setting_t *s, const char *fmt, ...)
{
	int line = s ? config_setting_source_line(s) : 0;
	va_list ap;

	fprintf(stderr, "%s:%d: ", c->file, line > 0 ? line : 1);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

/* Typo protection: every key of GROUP must be in one of the NULL-ended lists. */
static int check_keys(const struct pctx *c, const config_setting_t *group, const char *where,
		      const char *const *a, const char *const *b)
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const char *name = config_setting_name(s);
		char expect[512] = "";
		const char *const *l;
		size_t len = 0;

		if (in_list(name, a) || (b && in_list(name, b)))
			continue;
		for (l = a; *l && len < sizeof(expect); l++)
			len += snprintf(expect + len, sizeof(expect) - len, "%s%s", len ? ", " : "", *l);
		for (l = b; l && *l && len < sizeof(expect); l++)
			len += snprintf(expect + len, sizeof(expect) - len, ", %s", *l);
		perr(c, s, "unknown key '%s' in %s (expected one of: %s)", name, where, expect);
		return -1;
	}
	return 0;
}

static const config_setting_t *need(const struct pctx *c, const config_setting_t *group,
				    const char *key, const char *what)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		perr(c, group, "missing '%s' (expected %s)", key, what);
	return s;
}

/* Returns 1 when KEY is absent and not REQUIRED, 0 when read, -1 on error. */
static int get_uint(const struct pctx *c, const config_setting_t *group, const char *key,
		    bool required, uint64_t min, uint64_t max, uint64_t *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;

	if (!s && !required)
		return 1;
	if (!s) {
		perr(c, group, "missing '%s' (expected an integer %llu..%llu)", key,
		     (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		perr(c, s, "'%s' must be an integer", key);
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < 0 || (uint64_t)v < min || (uint64_t)v > max) {
		perr(c, s, "'%s' = %lld is out of range (expected %llu..%llu)", key, v,
		     (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int get_u32(const struct pctx *c, const config_setting_t *group, const char *key,
		   bool required, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int ret = get_uint(c, group, key, required, min, max, &v);

	if (!ret)
		*out = v;
	return ret;
}

static bool num_value(const config_setting_t *s, double *out)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*out = config_setting_get_int64(s);
		return true;
	case CONFIG_TYPE_FLOAT:
		*out = config_setting_get_float(s);
		return true;
	}
	return false;
}

static int check_real(const struct pctx *c, const config_setting_t *s, const char *key,
		      double min, double max, double *out)
{
	if (!num_value(s, out)) {
		perr(c, s, "'%s' must be a number", key);
		return -1;
	}
	if (!(*out >= min && *out <= max)) {
		perr(c, s, "'%s' = %g is out of range (expected %g..%g)", key, *out, min, max);
		return -1;
	}
	return 0;
}

static int get_real(const struct pctx *c, const config_setting_t *group, const char *key,
		    double min, double max, double *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		return 1;
	return check_real(c, s, key, min, max, out);
}

static const char *get_str(const struct pctx *c, const config_setting_t *s, const char *key)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		perr(c, s, "'%s' must be a string", key);
		return NULL;
	}
	return config_setting_get_string(s);
}

/* "800G", "400Gb/s", "1.6T", "25000Mbps": bits per second, or -1 if malformed. */
static double parse_rate_text(const char *text)
{
	static const char *const tails[] = { "", "b/s", "bps", NULL };
	double v, mult = 1;
	char *end;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isdigit((unsigned char)text[0]))
		return -1;
	switch (*end) {
	case 'K': case 'k': mult = 1e3; end++; break;
	case 'M': mult = 1e6; end++; break;
	case 'G': case 'g': mult = 1e9; end++; break;
	case 'T': case 't': mult = 1e12; end++; break;
	}
	if (!in_list(end, tails) || !isfinite(v * mult))
		return -1;
	return v * mult;
}

static int rate_value(const struct pctx *c, const config_setting_t *s, const char *key,
		      uint64_t *out)
{
	const char *text = NULL;
	double v = -1;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		text = config_setting_get_string(s);
		v = parse_rate_text(text);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	}
	if (v < 0 && !text) {
		perr(c, s, "bad rate for '%s' (expected e.g. \"800G\", \"400Gb/s\" or an integer "
		     "in bits per second, 1M to 10T)", key);
		return -1;
	}
	if (v < 0) {
		perr(c, s, "bad rate for '%s': \"%s\" (expected e.g. \"800G\", \"400Gb/s\" or "
		     "\"1.6T\", 1M to 10T)", key, text);
		return -1;
	}
	if (!(v >= SIM_TOPO_MIN_RATE_BPS && v <= SIM_TOPO_MAX_RATE_BPS) ||
	    fabs(v - llround(v)) > 1e-6 * v) {
		perr(c, s, "bad rate for '%s': %.9g b/s is out of range (expected a whole number "
		     "of b/s from 1M to 10T)", key, v);
		return -1;
	}
	*out = (uint64_t)llround(v);
	return 0;
}

static int get_rate(const struct pctx *c, const config_setting_t *group, const char *key,
		    bool required, uint64_t *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s && !required)
		return 1;
	if (!s) {
		perr(c, group, "missing '%s' (expected a rate like \"800G\")", key);
		return -1;
	}
	return rate_value(c, s, key, out);
}

/* A *_cable_m key if present, else DEF_PS. */
static int get_cable(const struct pctx *c, const config_setting_t *g, const char *key,
		     uint64_t def_ps, uint64_t *out)
{
	double m;
	int ret = get_real(c, g, key, 0, 1e5, &m);

	if (ret < 0)
		return -1;
	*out = ret ? def_ps : (uint64_t)llround(m * CABLE_PS_PER_M);
	return 0;
}

/* The default delay: cable_m (5 m if absent) or delay_ns, not both. */
static int get_base_delay(const struct pctx *c, const config_setting_t *g, uint64_t *out)
{
	const config_setting_t *d = config_setting_get_member(g, "delay_ns");
	double ns;

	if (d && config_setting_get_member(g, "cable_m")) {
		perr(c, d, "give either 'cable_m' or 'delay_ns', not both");
		return -1;
	}
	if (!d)
		return get_cable(c, g, "cable_m", llround(5 * CABLE_PS_PER_M), out);
	if (check_real(c, d, "delay_ns", 0, 1e9, &ns))
		return -1;
	*out = llround(ns * PS_PER_NS);
	return 0;
}

static int get_delays(const struct pctx *c, const config_setting_t *g, struct delays *d)
{
	uint64_t base;

	if (get_base_delay(c, g, &base) ||
	    get_cable(c, g, "host_cable_m", base, &d->host_ps) ||
	    get_cable(c, g, "fabric_cable_m", base, &d->fabric_ps))
		return -1;
	return get_cable(c, g, "core_cable_m", d->fabric_ps, &d->core_ps);
}

static const char *const common_keys[] = {
	"kind", "host_rate", "fabric_rate", "planes", "cable_m", "delay_ns",
	"host_cable_m", "fabric_cable_m", NULL
};

/* Parameters shared by the generators. */
struct gen_common {
	uint64_t host_rate_bps, fabric_rate_bps;
	uint32_t planes;
	struct delays d;
};

static int get_common(const struct pctx *c, const config_setting_t *g, struct gen_common *gc)
{
	if (get_rate(c, g, "host_rate", true, &gc->host_rate_bps) < 0)
		return -1;
	gc->fabric_rate_bps = gc->host_rate_bps;
	gc->planes = 1;
	if (get_rate(c, g, "fabric_rate", false, &gc->fabric_rate_bps) < 0 ||
	    get_u32(c, g, "planes", false, 1, 64, &gc->planes) < 0)
		return -1;
	return get_delays(c, g, &gc->d);
}

/* spines from either 'spines' or 'oversubscription' for DOWN_BPS per leaf. */
static int get_spines(const struct pctx *c, const config_setting_t *g, double down_bps,
		      const struct gen_common *gc, uint32_t lps, uint32_t *spines)
{
	const config_setting_t *os = config_setting_get_member(g, "oversubscription");
	double ratio, uplinks, n;

	if (!os)
		return get_u32(c, g, "spines", true, 0, MAX_COUNT, spines) < 0 ? -1 : 0;
	if (config_setting_get_member(g, "spines")) {
		perr(c, os, "give either 'spines' or 'oversubscription', not both");
		return -1;
	}
	if (check_real(c, os, "oversubscription", 0.01, 1000, &ratio))
		return -1;
	uplinks = ceil(down_bps / (ratio * gc->fabric_rate_bps) - 1e-9);
	n = ceil(uplinks / lps - 1e-9);
	/* checked before the cast: a double beyond uint32 does not convert */
	if (!(n <= MAX_COUNT)) {
		perr(c, os, "'oversubscription' = %g needs %.0f spines (expected at most %d: "
		     "a higher ratio, fabric_rate or links_per_spine)", ratio, n, MAX_COUNT);
		return -1;
	}
	*spines = n > 0 ? (uint32_t)n : 0;
	return 0;
}

/* What a generated fabric will hold, checked before anything is allocated. */
struct fab_size {
	uint64_t hosts, switches, links;	/* over all planes */
	const char *role[3];			/* switch roles, "leaf", ... */
	uint64_t radix[3];			/* ports of the fullest switch of a role */
	const char *why[3];			/* the keys its ports add up from */
};

static int check_size(const struct pctx *c, const config_setting_t *g, const struct fab_size *z)
{
	uint64_t nodes = add_sat(z->hosts, z->switches);
	char err[256];
	int i;

	for (i = 0; i < 3 && z->role[i]; i++) {
		if (z->radix[i] <= SIM_TOPO_MAX_RADIX)
			continue;
		perr(c, g, "a %s would have %llu ports (%s), more than %u", z->role[i],
		     (unsigned long long)z->radix[i], z->why[i], SIM_TOPO_MAX_RADIX);
		return -1;
	}
	if (nodes > MAX_NODES || z->links > MAX_LINKS) {
		perr(c, g, "fabric too large: %llu nodes, %llu links (limits %llu, %llu: node and "
		     "port ids are 32-bit)", (unsigned long long)nodes,
		     (unsigned long long)z->links, MAX_NODES, MAX_LINKS);
		return -1;
	}
	if (coll_mem_guard(sim_topo_mem_bytes(nodes, z->links), "building it", err, sizeof(err))) {
		perr(c, g, "fabric too large: %llu nodes, %llu links: %s",
		     (unsigned long long)nodes, (unsigned long long)z->links, err);
		return -1;
	}
	return 0;
}

/* Hosts when the last leaf may be partial: HOSTS_KEY if given, else all of CAP. */
static int get_hosts(const struct pctx *c, const config_setting_t *g, uint64_t cap,
		     uint64_t per_leaf, uint64_t *hosts)
{
	int ret = get_uint(c, g, "hosts", false, 1, cap, hosts);

	if (ret < 0)
		return -1;
	if (ret)
		*hosts = cap;
	else if (*hosts <= cap - per_leaf) {
		perr(c, config_setting_get_member(g, "hosts"),
		     "'hosts' = %llu leaves a leaf empty (expected %llu..%llu)",
		     (unsigned long long)*hosts, (unsigned long long)(cap - per_leaf + 1),
		     (unsigned long long)cap);
		return -1;
	}
	return 0;
}

static struct sim_topo *gen_leafspine(const struct pctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"leaves", "hosts_per_leaf", "hosts", "spines", "links_per_spine",
		"oversubscription", NULL
	};
	uint32_t leaves = 0, hpl = 0, spines = 0, lps = 1, per_plane, p, l, s, k, base;
	struct gen_common gc;
	struct fab_size z;
	struct sim_topo *t;
	uint64_t hosts, h;
	int ret = 0;

	if (check_keys(c, g, "fabric (kind \"leafspine\")", common_keys, keys) ||
	    get_common(c, g, &gc) ||
	    get_u32(c, g, "leaves", true, 1, MAX_COUNT, &leaves) < 0 ||
	    get_u32(c, g, "hosts_per_leaf", true, 1, MAX_COUNT, &hpl) < 0 ||
	    get_u32(c, g, "links_per_spine", false, 1, 1024, &lps) < 0 ||
	    get_hosts(c, g, (uint64_t)leaves * hpl, hpl, &hosts) ||
	    get_spines(c, g, (double)hpl * gc.host_rate_bps, &gc, lps, &spines))
		return NULL;
	if (!spines && leaves > 1) {
		perr(c, g, "%u leaves need spines (expected spines >= 1)", leaves);
		return NULL;
	}
	per_plane = leaves + spines;
	z = (struct fab_size){
		.hosts = hosts,
		.switches = (uint64_t)gc.planes * per_plane,
		.links = mul_sat(gc.planes, hosts + (uint64_t)leaves * spines * lps),
		.role = { "leaf", "spine" },
		.radix = { (hosts < hpl ? hosts : hpl) + (uint64_t)spines * lps,
			   (uint64_t)leaves * lps },
		.why = { "hosts_per_leaf + spines x links_per_spine", "leaves x links_per_spine" },
	};
	if (check_size(c, g, &z))
		return NULL;
	t = sim_topo_create(hosts, gc.planes * per_plane, z.links, SIM_ROUTE_CLOS);
	if (!t)
		goto out_nomem;
	for (h = 0; h < hosts; h++)
		sim_topo_add_host(t, 0, 0);
	for (p = 0; p < gc.planes; p++) {
		for (l = 0; l < per_plane; l++)
			sim_topo_add_switch(t, l < leaves ? 1 : 2, 0, 0);
	}
	for (p = 0; p < gc.planes; p++) {
		base = hosts + p * per_plane;
		for (h = 0; h < hosts && !ret; h++)
			ret = sim_topo_add_link(t, h, base + h / hpl, gc.host_rate_bps, gc.d.host_ps);
		for (l = 0; l < leaves; l++)
			for (s = 0; s < spines; s++)
				for (k = 0; k < lps && !ret; k++)
					ret = sim_topo_add_link(t, base + l, base + leaves + s,
								gc.fabric_rate_bps, gc.d.fabric_ps);
	}
	if (ret)
		goto out_free_topo;
	t->layout = (struct sim_topo_layout){ .per_plane = per_plane, .nleaves = leaves,
					      .ntier2 = spines };
	snprintf(t->kind, sizeof(t->kind), "leafspine");
	return t;

out_free_topo:
	sim_topo_free(t);
out_nomem:
	perr(c, g, "cannot build the fabric: out of memory");
	return NULL;
}

static struct sim_topo *gen_railopt(const struct pctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"servers", "gpus_per_server", "leaves_per_rail", "spines", "links_per_spine",
		"oversubscription", NULL
	};
	uint32_t servers = 0, gpus = 0, lpr = 1, spl, spines = 0, lps = 1, nleaves, per_plane;
	uint32_t p, l, s, k, base, srv, gpu;
	uint64_t hosts, leaves_per_plane;
	struct gen_common gc;
	struct fab_size z;
	struct sim_topo *t;
	int ret = 0;

	if (check_keys(c, g, "fabric (kind \"railopt\")", common_keys, keys) ||
	    get_common(c, g, &gc) ||
	    get_u32(c, g, "servers", true, 1, MAX_COUNT, &servers) < 0 ||
	    get_u32(c, g, "gpus_per_server", true, 1, 1024, &gpus) < 0 ||
	    get_u32(c, g, "leaves_per_rail", false, 1, servers, &lpr) < 0 ||
	    get_u32(c, g, "links_per_spine", false, 1, 1024, &lps) < 0)
		return NULL;
	spl = (servers + lpr - 1) / lpr;
	if ((uint64_t)(lpr - 1) * spl >= servers) {
		perr(c, config_setting_get_member(g, "leaves_per_rail"),
		     "%u servers in blocks of %u leave a leaf of each rail empty "
		     "(expected fewer leaves_per_rail)", servers, spl);
		return NULL;
	}
	if (get_spines(c, g, (double)spl * gc.host_rate_bps, &gc, lps, &spines))
		return NULL;
	leaves_per_plane = (uint64_t)gpus * lpr;
	if (!spines && leaves_per_plane > 1) {
		perr(c, g, "%llu rail leaves need spines (expected spines >= 1)",
		     (unsigned long long)leaves_per_plane);
		return NULL;
	}
	hosts = (uint64_t)servers * gpus;
	z = (struct fab_size){
		.hosts = hosts,
		.switches = mul_sat(gc.planes, leaves_per_plane + spines),
		.links = mul_sat(gc.planes, add_sat(hosts, mul_sat(leaves_per_plane,
								   (uint64_t)spines * lps))),
		.role = { "rail leaf", "spine" },
		.radix = { spl + (uint64_t)spines * lps, mul_sat(leaves_per_plane, lps) },
		.why = { "servers / leaves_per_rail + spines x links_per_spine",
			 "gpus_per_server x leaves_per_rail x links_per_spine" },
	};
	if (check_size(c, g, &z))
		return NULL;
	/* all within the 32-bit id space now */
	nleaves = (uint32_t)leaves_per_plane;
	per_plane = nleaves + spines;
	t = sim_topo_create(hosts, gc.planes * per_plane, z.links, SIM_ROUTE_CLOS);
	if (!t)
		goto out_nomem;
	for (srv = 0; srv < servers; srv++)
		for (gpu = 0; gpu < gpus; gpu++)
			sim_topo_add_host(t, 0, gpu);
	for (p = 0; p < gc.planes; p++)
		for (l = 0; l < per_plane; l++)
			sim_topo_add_switch(t, l < nleaves ? 1 : 2, 0, l < nleaves ? l / lpr : 0);
	for (p = 0; p < gc.planes; p++) {
		base = hosts + p * per_plane;
		for (srv = 0; srv < servers; srv++)
			for (gpu = 0; gpu < gpus && !ret; gpu++)
				ret = sim_topo_add_link(t, srv * gpus + gpu,
							base + gpu * lpr + srv / spl,
							gc.host_rate_bps, gc.d.host_ps);
		for (l = 0; l < nleaves; l++)
			for (s = 0; s < spines; s++)
				for (k = 0; k < lps && !ret; k++)
					ret = sim_topo_add_link(t, base + l, base + nleaves + s,
								gc.fabric_rate_bps, gc.d.fabric_ps);
	}
	if (ret)
		goto out_free_topo;
	t->gpus_per_server = gpus;
	t->layout = (struct sim_topo_layout){ .per_plane = per_plane, .nleaves = nleaves,
					      .ntier2 = spines, .leaves_per_rail = lpr };
	snprintf(t->kind, sizeof(t->kind), "railopt");
	return t;

out_free_topo:
	sim_topo_free(t);
out_nomem:
	perr(c, g, "cannot build the fabric: out of memory");
	return NULL;
}

struct fattree {
	uint32_t lpp, hpl, app, cpg, lpa, lpc;
	uint64_t pods;		/* as given, then as built */
	uint64_t nleaves;	/* per plane; only as many as the hosts need */
	uint64_t hosts;
	uint64_t core_rate_bps;
};

/* With pods given, hosts may leave the last pod partial but no pod empty. */
static int fattree_hosts(const struct pctx *c, const config_setting_t *g, struct fattree *f)
{
	uint64_t pod_hosts = (uint64_t)f->lpp * f->hpl;
	uint64_t all = mul_sat(f->pods, pod_hosts), but_one = mul_sat(f->pods - 1, pod_hosts);
	int ret = get_uint(c, g, "hosts", false, 1, all, &f->hosts);

	if (ret < 0)
		return -1;
	if (ret) {
		f->hosts = all;
	} else if (f->hosts <= but_one) {
		perr(c, config_setting_get_member(g, "hosts"),
		     "'hosts' = %llu leaves pod %llu empty (expected more than %llu hosts, or fewer pods)",
		     (unsigned long long)f->hosts, (unsigned long long)f->pods - 1,
		     (unsigned long long)but_one);
		return -1;
	}
	return 0;
}

static int fattree_params(const struct pctx *c, const config_setting_t *g, struct fattree *f,
			  const struct gen_common *gc)
{
	uint32_t pods = 0;
	int ret;

	f->lpa = f->lpc = 1;
	f->core_rate_bps = gc->fabric_rate_bps;
	if (get_u32(c, g, "leaves_per_pod", true, 1, MAX_COUNT, &f->lpp) < 0 ||
	    get_u32(c, g, "hosts_per_leaf", true, 1, MAX_COUNT, &f->hpl) < 0 ||
	    get_u32(c, g, "aggs_per_pod", true, 1, MAX_COUNT, &f->app) < 0 ||
	    get_u32(c, g, "cores_per_group", true, 0, MAX_COUNT, &f->cpg) < 0 ||
	    get_u32(c, g, "links_per_agg", false, 1, 1024, &f->lpa) < 0 ||
	    get_u32(c, g, "links_per_core", false, 1, 1024, &f->lpc) < 0 ||
	    get_rate(c, g, "core_rate", false, &f->core_rate_bps) < 0)
		return -1;
	ret = get_u32(c, g, "pods", false, 1, MAX_COUNT, &pods);
	if (ret < 0)
		return -1;
	f->pods = pods;
	if (ret && get_uint(c, g, "hosts", true, 1, MAX_NODES, &f->hosts) < 0)
		return -1;
	if (!ret && fattree_hosts(c, g, f))
		return -1;
	f->nleaves = div_up(f->hosts, f->hpl);
	f->pods = div_up(f->nleaves, f->lpp);
	if (!f->cpg && f->pods > 1) {
		perr(c, g, "%llu pods need cores (expected cores_per_group >= 1)",
		     (unsigned long long)f->pods);
		return -1;
	}
	return 0;
}

static int fattree_links(struct sim_topo *t, const struct fattree *f,
			 const struct gen_common *gc, uint32_t base)
{
	uint32_t aggs = base + f->nleaves, cores = aggs + f->pods * f->app;
	uint32_t l, j, k, q, r;
	uint64_t h;
	int ret = 0;

	for (h = 0; h < f->hosts && !ret; h++)
		ret = sim_topo_add_link(t, h, base + h / f->hpl, gc->host_rate_bps, gc->d.host_ps);
	for (l = 0; l < f->nleaves; l++)
		for (j = 0; j < f->app; j++)
			for (r = 0; r < f->lpa && !ret; r++)
				ret = sim_topo_add_link(t, base + l, aggs + l / f->lpp * f->app + j,
							gc->fabric_rate_bps, gc->d.fabric_ps);
	for (q = 0; q < f->pods; q++)
		for (j = 0; j < f->app; j++)
			for (k = 0; k < f->cpg; k++)
				for (r = 0; r < f->lpc && !ret; r++)
					ret = sim_topo_add_link(t, aggs + q * f->app + j,
								cores + j * f->cpg + k,
								f->core_rate_bps, gc->d.core_ps);
	return ret;
}

static void fattree_size(const struct fattree *f, const struct gen_common *gc, struct fab_size *z)
{
	uint64_t aggs = mul_sat(f->pods, f->app), cores = (uint64_t)f->app * f->cpg;
	uint64_t per_plane = add_sat(add_sat(f->nleaves, aggs), cores);
	uint64_t links = add_sat(add_sat(f->hosts, mul_sat(mul_sat(f->nleaves, f->app), f->lpa)),
				 mul_sat(mul_sat(aggs, f->cpg), f->lpc));

	*z = (struct fab_size){
		.hosts = f->hosts,
		.switches = mul_sat(gc->planes, per_plane),
		.links = mul_sat(gc->planes, links),
		.role = { "leaf", "agg", "core" },
		.radix = { (f->hosts < f->hpl ? f->hosts : f->hpl) + (uint64_t)f->app * f->lpa,
			   (f->nleaves < f->lpp ? f->nleaves : f->lpp) * f->lpa +
			   (uint64_t)f->cpg * f->lpc,
			   mul_sat(f->pods, f->lpc) },
		.why = { "hosts_per_leaf + aggs_per_pod x links_per_agg",
			 "leaves_per_pod x links_per_agg + cores_per_group x links_per_core",
			 "pods x links_per_core" },
	};
}

static struct sim_topo *gen_fattree(const struct pctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"pods", "leaves_per_pod", "hosts_per_leaf", "hosts", "aggs_per_pod",
		"links_per_agg", "cores_per_group", "links_per_core", "core_rate",
		"core_cable_m", NULL
	};
	struct gen_common gc;
	struct fattree f = { 0 };
	struct fab_size z;
	struct sim_topo *t;
	uint32_t p, i, per_plane;
	uint64_t h;

	if (check_keys(c, g, "fabric (kind \"fattree\")", common_keys, keys) ||
	    get_common(c, g, &gc) || fattree_params(c, g, &f, &gc))
		return NULL;
	fattree_size(&f, &gc, &z);
	if (check_size(c, g, &z))
		return NULL;
	/* all within the 32-bit id space now */
	per_plane = z.switches / gc.planes;
	t = sim_topo_create(f.hosts, z.switches, z.links, SIM_ROUTE_CLOS);
	if (!t)
		goto out_nomem;
	for (h = 0; h < f.hosts; h++)
		sim_topo_add_host(t, h / f.hpl / f.lpp, 0);
	for (p = 0; p < gc.planes; p++) {
		for (i = 0; i < f.nleaves; i++)
			sim_topo_add_switch(t, 1, i / f.lpp, 0);
		for (i = 0; i < f.pods * f.app; i++)
			sim_topo_add_switch(t, 2, i / f.app, 0);
		for (i = 0; i < f.app * f.cpg; i++)
			sim_topo_add_switch(t, 3, 0, 0);
	}
	for (p = 0; p < gc.planes; p++)
		if (fattree_links(t, &f, &gc, f.hosts + p * per_plane))
			goto out_free_topo;
	t->layout = (struct sim_topo_layout){ .per_plane = per_plane, .nleaves = f.nleaves,
					      .ntier2 = f.pods * f.app, .ntier3 = f.app * f.cpg,
					      .aggs_per_pod = f.app };
	snprintf(t->kind, sizeof(t->kind), "fattree");
	return t;

out_free_topo:
	sim_topo_free(t);
out_nomem:
	perr(c, g, "cannot build the fabric: out of memory");
	return NULL;
}

/* Explicit graphs ------------------------------------------------------- */

struct enode {
	const char *name;
	const config_setting_t *s;	/* for error lines */
	uint8_t kind, tier;
	uint32_t pod, group;
	uint32_t id;
};

struct explicit {
	const struct pctx *c;
	const config_setting_t *g;
	const config_setting_t *links;
	struct enode *nodes;		/* file order */
	uint32_t *by_name;		/* indexes into nodes, sorted by name */
	uint32_t *file_of_id;		/* node id -> index into nodes */
	uint32_t n, nhosts;
	uint64_t host_rate_bps, fabric_rate_bps;	/* 0: links must give one */
	uint64_t delay_ps;
};

static const struct enode *enode_find(const struct explicit *x, const char *name)
{
	uint32_t lo = 0, hi = x->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, x->nodes[x->by_name[mid]].name);

		if (!r)
			return &x->nodes[x->by_name[mid]];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int enode_parse(struct explicit *x, const config_setting_t *s, struct enode *e)
{
	static const char *const keys[] = { "name", "kind", "tier", "pod", "group", NULL };
	const struct pctx *c = x->c;
	const config_setting_t *k;
	const char *kind;
	uint32_t tier = 0;

	if (!config_setting_is_group(s)) {
		perr(c, s, "expected a node group like { name = \"h0\"; kind = \"host\"; }");
		return -1;
	}
	e->s = s;
	if (check_keys(c, s, "node", keys, NULL) ||
	    !(k = need(c, s, "name", "a node name string")) || !(e->name = get_str(c, k, "name")) ||
	    !(k = need(c, s, "kind", "\"host\" or \"switch\"")) || !(kind = get_str(c, k, "kind")))
		return -1;
	if (!e->name[0] || strlen(e->name) > NAME_MAX_LEN) {
		perr(c, s, "node name must be 1..%d characters", NAME_MAX_LEN);
		return -1;
	}
	if (strcmp(kind, "host") && strcmp(kind, "switch")) {
		perr(c, k, "unknown node kind \"%s\" (expected \"host\" or \"switch\")", kind);
		return -1;
	}
	e->kind = strcmp(kind, "host") ? SIM_NODE_SWITCH : SIM_NODE_HOST;
	if (get_u32(c, s, "tier", false, e->kind == SIM_NODE_HOST ? 0 : 1,
		    e->kind == SIM_NODE_HOST ? 0 : 254, &tier) < 0 ||
	    get_u32(c, s, "pod", false, 0, UINT32_MAX - 1, &e->pod) < 0 ||
	    get_u32(c, s, "group", false, 0, UINT32_MAX - 1, &e->group) < 0)
		return -1;
	e->tier = tier;
	return 0;
}

static int cmp_name_r(const void *a, const void *b, void *ctx)
{
	const struct explicit *x = ctx;

	return strcmp(x->nodes[*(const uint32_t *)a].name, x->nodes[*(const uint32_t *)b].name);
}

/* Reads nodes, rejects duplicates and assigns ids: hosts first, file order. */
static int explicit_nodes(struct explicit *x, const config_setting_t *list)
{
	uint32_t i, nsw = 0;

	x->n = config_setting_length(list);
	if (!config_setting_is_list(list) || !x->n) {
		perr(x->c, list, "'nodes' must be a non-empty list ( { name = ...; kind = ...; }, ... )");
		return -1;
	}
	x->nodes = calloc(x->n, sizeof(*x->nodes));
	x->by_name = malloc(x->n * sizeof(*x->by_name));
	x->file_of_id = malloc(x->n * sizeof(*x->file_of_id));
	if (!x->nodes || !x->by_name || !x->file_of_id) {
		perr(x->c, list, "out of memory");
		return -1;
	}
	for (i = 0; i < x->n; i++) {
		if (enode_parse(x, config_setting_get_elem(list, i), &x->nodes[i]))
			return -1;
		x->nhosts += x->nodes[i].kind == SIM_NODE_HOST;
		x->by_name[i] = i;
	}
	if (!x->nhosts) {
		perr(x->c, list, "no host in 'nodes' (expected at least one kind = \"host\")");
		return -1;
	}
	for (i = 0; i < x->n; i++) {
		struct enode *e = &x->nodes[i];

		e->id = e->kind == SIM_NODE_HOST ? i - nsw : x->nhosts + nsw++;
		x->file_of_id[e->id] = i;
	}
	qsort_r(x->by_name, x->n, sizeof(*x->by_name), cmp_name_r, x);
	for (i = 1; i < x->n; i++) {
		uint32_t a = x->by_name[i - 1], b = x->by_name[i];

		if (!strcmp(x->nodes[a].name, x->nodes[b].name)) {
			/* qsort is not stable: blame whichever comes later in the file */
			perr(x->c, x->nodes[a > b ? a : b].s,
			     "duplicate node name \"%s\" (first defined on line %d)",
			     x->nodes[a].name, config_setting_source_line(x->nodes[a < b ? a : b].s));
			return -1;
		}
	}
	return 0;
}

static const struct enode *link_end(const struct explicit *x, const config_setting_t *l, int i)
{
	const config_setting_t *s = config_setting_get_elem(l, i);
	const struct enode *e;
	const char *name;

	if (!(name = get_str(x->c, s, i ? "link end b" : "link end a")))
		return NULL;
	e = enode_find(x, name);
	if (!e)
		perr(x->c, s, "unknown node \"%s\" in link (expected a name from 'nodes')", name);
	return e;
}

static int link_rate(const struct explicit *x, const config_setting_t *l,
		     const struct enode *a, const struct enode *b, uint64_t *rate)
{
	bool host = a->kind == SIM_NODE_HOST || b->kind == SIM_NODE_HOST;

	if (config_setting_length(l) > 2)
		return rate_value(x->c, config_setting_get_elem(l, 2), "link rate", rate);
	*rate = host ? x->host_rate_bps : x->fabric_rate_bps;
	if (!*rate)
		perr(x->c, l, "link %s-%s has no rate (expected a 3rd field like \"800G\" or "
		     "fabric.%s)", a->name, b->name, host ? "host_rate" : "fabric_rate");
	return *rate ? 0 : -1;
}

static int link_delay(const struct explicit *x, const config_setting_t *l, uint64_t *delay)
{
	int n = config_setting_length(l);
	double v;

	*delay = x->delay_ps;
	if (n > 3) {
		if (check_real(x->c, config_setting_get_elem(l, 3), "link cable metres", 0, 1e5, &v))
			return -1;
		*delay = llround(v * CABLE_PS_PER_M);
	}
	if (n > 4) {
		if (check_real(x->c, config_setting_get_elem(l, 4), "link delay_ns", 0, 1e9, &v))
			return -1;
		*delay = llround(v * PS_PER_NS);
	}
	return 0;
}

static int explicit_link(const struct explicit *x, struct sim_topo *t, const config_setting_t *l)
{
	const struct enode *a, *b;
	uint64_t rate, delay;
	int n = config_setting_length(l);

	if ((!config_setting_is_list(l) && !config_setting_is_array(l)) || n < 2 || n > 5) {
		perr(x->c, l, "expected a link (\"a\", \"b\" [, rate [, cable_m [, delay_ns]]])");
		return -1;
	}
	if (!(a = link_end(x, l, 0)) || !(b = link_end(x, l, 1)))
		return -1;
	if (a == b) {
		perr(x->c, l, "self-link on \"%s\" (expected two different nodes)", a->name);
		return -1;
	}
	if (a->kind == SIM_NODE_HOST && b->kind == SIM_NODE_HOST) {
		perr(x->c, l, "link joins hosts \"%s\" and \"%s\" (hosts attach to switches only)",
		     a->name, b->name);
		return -1;
	}
	if (link_rate(x, l, a, b, &rate) || link_delay(x, l, &delay))
		return -1;
	if (sim_topo_add_link(t, a->id, b->id, rate, delay)) {
		perr(x->c, l, "cannot add link: out of memory");
		return -1;
	}
	return 0;
}

static int explicit_names(const struct explicit *x, struct sim_topo *t)
{
	size_t len = 0, off = 0;
	uint32_t i;

	for (i = 0; i < x->n; i++)
		len += strlen(x->nodes[i].name) + 1;
	t->names = calloc(x->n, sizeof(*t->names));
	t->name_pool = malloc(len);
	if (!t->names || !t->name_pool)
		return -1;
	for (i = 0; i < x->n; i++) {
		const struct enode *e = &x->nodes[x->file_of_id[i]];

		t->names[i] = strcpy(t->name_pool + off, e->name);
		off += strlen(e->name) + 1;
	}
	return 0;
}

static void explicit_report(const struct explicit *x, const struct sim_topo *t, int err,
			    uint32_t bad)
{
	const struct enode *e = bad < x->n ? &x->nodes[x->file_of_id[bad]] : NULL;

	if (!e) {
		perr(x->c, x->g, "cannot build the graph: %s", strerror(-err));
	} else if (err == -EINVAL && !t->nodes[bad].nports) {
		perr(x->c, e->s, "host \"%s\" has no link (expected one link per plane)", e->name);
	} else if (err == -EINVAL) {
		perr(x->c, e->s, "host \"%s\" has %u links but host \"%s\" has %u (expected one "
		     "link per plane on every host)", e->name, t->nodes[bad].nports,
		     x->nodes[x->file_of_id[0]].name, t->nodes[0].nports);
	} else if (err == -ENOTCONN) {
		perr(x->c, e->s, "node \"%s\" is not connected to the rest of the graph", e->name);
	} else if (err == -EHOSTUNREACH) {
		perr(x->c, e->s, "host \"%s\" cannot reach host \"%s\" through switches on every "
		     "plane", e->name, x->nodes[x->file_of_id[0]].name);
	} else if (err == -E2BIG) {
		perr(x->c, e->s, "node \"%s\" has more than 65535 links", e->name);
	} else {
		perr(x->c, e->s, "switch \"%s\" is more than 254 hops from a host or a host's "
		     "switch (expected at most 254: hop counts are 8-bit)", e->name);
	}
}

/* Shortest-path routing keeps a hop table of edge switches x switches bytes. */
static int explicit_mem(const struct explicit *x, const struct sim_topo *t)
{
	uint64_t need = add_sat(sim_topo_mem_bytes(t->nnodes, config_setting_length(x->links)),
				sim_topo_table_bytes(t));
	char err[256];

	if (!coll_mem_guard(need, "building it", err, sizeof(err)))
		return 0;
	perr(x->c, x->g, "graph too large: %u nodes: %s", t->nnodes, err);
	return -1;
}

static struct sim_topo *explicit_build(struct explicit *x, const config_setting_t *links)
{
	struct sim_topo *t;
	uint32_t i, bad;
	int ret;

	t = sim_topo_create(x->nhosts, x->n - x->nhosts, config_setting_length(links),
			    SIM_ROUTE_TABLE);
	if (!t || explicit_names(x, t)) {
		perr(x->c, x->g, "cannot build the graph: out of memory");
		goto out_free_topo;
	}
	for (i = 0; i < x->n; i++) {
		const struct enode *e = &x->nodes[x->file_of_id[i]];

		if (e->kind == SIM_NODE_HOST)
			sim_topo_add_host(t, e->pod, e->group);
		else
			sim_topo_add_switch(t, e->tier, e->pod, e->group);
	}
	for (i = 0; i < (uint32_t)config_setting_length(links); i++)
		if (explicit_link(x, t, config_setting_get_elem(links, i)))
			goto out_free_topo;
	if (explicit_mem(x, t))
		goto out_free_topo;
	ret = sim_topo_finalize(t, &bad);
	if (ret) {
		explicit_report(x, t, ret, bad);
		goto out_free_topo;
	}
	return t;

out_free_topo:
	sim_topo_free(t);
	return NULL;
}

static struct sim_topo *gen_explicit(const struct pctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"kind", "nodes", "links", "host_rate", "fabric_rate", "cable_m", "delay_ns", NULL
	};
	struct explicit x = { .c = c, .g = g };
	const config_setting_t *nodes, *links;
	struct sim_topo *t = NULL;

	if (check_keys(c, g, "fabric (kind \"explicit\")", keys, NULL) ||
	    get_rate(c, g, "host_rate", false, &x.host_rate_bps) < 0 ||
	    get_rate(c, g, "fabric_rate", false, &x.fabric_rate_bps) < 0 ||
	    get_base_delay(c, g, &x.delay_ps) ||
	    !(nodes = need(c, g, "nodes", "a list of { name = ...; kind = ...; } groups")) ||
	    !(links = need(c, g, "links", "a list of (\"a\", \"b\", rate, cable_m) links")))
		return NULL;
	if (!config_setting_is_list(links) && !config_setting_is_array(links)) {
		perr(c, links, "'links' must be a list ( (\"a\", \"b\", \"800G\", 5.0), ... )");
		return NULL;
	}
	x.links = links;
	if (!explicit_nodes(&x, nodes))
		t = explicit_build(&x, links);
	free(x.file_of_id);
	free(x.by_name);
	free(x.nodes);
	if (t)
		snprintf(t->kind, sizeof(t->kind), "explicit");
	return t;
}

/* Top level ------------------------------------------------------------- */

/* Settings outside 'fabric', read before it so errors come in file order. */
struct globals {
	char name[sizeof(((struct sim_topo *)0)->name)];
	uint32_t mtu_bytes;
	struct sim_switch_params sw;
};

static int parse_switch(const struct pctx *c, const config_setting_t *root, struct globals *gl)
{
	static const char *const keys[] = { "latency_ns", "buffer_mb", NULL };
	const config_setting_t *s = config_setting_get_member(root, "switch");
	double v;
	int ret;

	if (!s)
		return 0;
	if (!config_setting_is_group(s)) {
		perr(c, s, "'switch' must be a group { latency_ns = ...; buffer_mb = ...; }");
		return -1;
	}
	if (check_keys(c, s, "switch", keys, NULL))
		return -1;
	ret = get_real(c, s, "latency_ns", 0, 1e7, &v);
	if (ret < 0)
		return -1;
	if (!ret)
		gl->sw.latency_ps = llround(v * PS_PER_NS);
	ret = get_real(c, s, "buffer_mb", MIN_BUFFER_MB, MAX_BUFFER_MB, &v);
	if (ret < 0)
		return -1;
	if (!ret)
		gl->sw.buffer_bytes = llround(v * 1e6);
	return 0;
}

/* The default name: the file name without directory and extension. */
static void set_name(struct globals *gl, const char *file)
{
	const char *base = strrchr(file, '/');
	const char *dot;
	int len;

	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
	snprintf(gl->name, sizeof(gl->name), "%.*s", len, base);
}

static int parse_globals(const struct pctx *c, const config_setting_t *root, struct globals *gl)
{
	const config_setting_t *s = config_setting_get_member(root, "name");
	const char *name;
	int ret;

	set_name(gl, c->file);
	if (s) {
		if (!(name = get_str(c, s, "name")))
			return -1;
		snprintf(gl->name, sizeof(gl->name), "%s", name);
	}
	gl->mtu_bytes = 4096;
	ret = get_u32(c, root, "mtu", false, MIN_MTU, MAX_MTU, &gl->mtu_bytes);
	if (ret < 0)
		return -1;
	/* SN5600 class: ~600 ns port to port, 160 MB shared buffer */
	gl->sw.latency_ps = 600 * PS_PER_NS;
	gl->sw.buffer_bytes = 160000000;
	return parse_switch(c, root, gl);
}

static struct sim_topo *build_fabric(const struct pctx *c, const config_setting_t *fab)
{
	const config_setting_t *k;
	const char *kind;
	struct sim_topo *t;
	uint32_t bad;

	if (!config_setting_is_group(fab)) {
		perr(c, fab, "'fabric' must be a group { kind = ...; ... }");
		return NULL;
	}
	if (!(k = need(c, fab, "kind", "\"leafspine\", \"fattree\", \"railopt\" or \"explicit\"")) ||
	    !(kind = get_str(c, k, "kind")))
		return NULL;
	if (!strcmp(kind, "explicit"))
		return gen_explicit(c, fab);
	if (!strcmp(kind, "leafspine"))
		t = gen_leafspine(c, fab);
	else if (!strcmp(kind, "fattree"))
		t = gen_fattree(c, fab);
	else if (!strcmp(kind, "railopt"))
		t = gen_railopt(c, fab);
	else {
		perr(c, k, "unknown fabric kind \"%s\" (expected \"leafspine\", \"fattree\", "
		     "\"railopt\" or \"explicit\")", kind);
		return NULL;
	}
	if (t && sim_topo_finalize(t, &bad)) {
		perr(c, fab, "cannot build the fabric (too many ports on one switch?)");
		sim_topo_free(t);
		t = NULL;
	}
	return t;
}

/* hostmap = ( ("vm/rxe0", "h0"), ("rank3", "h3") ); for fabsim predict */
static int parse_hostmap(const struct pctx *c, const config_setting_t *root, struct sim_topo *t)
{
	const config_setting_t *m = config_setting_get_member(root, "hostmap");
	int n;

	if (!m)
		return 0;
	if (!config_setting_is_list(m)) {
		perr(c, m, "hostmap: expected a list of (\"host/device\", \"node\") pairs");
		return -1;
	}
	n = config_setting_length(m);
	t->hostmap = calloc(n ? (size_t)n : 1, sizeof(*t->hostmap));
	if (!t->hostmap)
		return -1;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
		const char *k = e ? config_setting_get_string_elem(e, 0) : NULL;
		const char *v = e ? config_setting_get_string_elem(e, 1) : NULL;

		if (!k || !v || config_setting_length(e) != 2 || !*k || !*v || strlen(k) >= 64 ||
		    strlen(v) >= 64) {
			perr(c, e ? e : m, "hostmap entry %d: expected (\"host/device\", \"node\"), "
			     "names of 1..63 characters", i + 1);
			return -1;
		}
		strcpy(t->hostmap[i][0], k);
		strcpy(t->hostmap[i][1], v);
	}
	t->nhostmap = (uint32_t)n;
	return 0;
}

static struct sim_topo *load_config(const struct pctx *c, config_t *cfg)
{
	static const char *const keys[] = { "name", "mtu", "switch", "fabric", "hostmap", NULL };
	const config_setting_t *root = config_root_setting(cfg), *fab;
	struct globals gl;
	struct sim_topo *t;

	if (check_keys(c, root, "the top level", keys, NULL) || parse_globals(c, root, &gl))
		return NULL;
	fab = config_setting_get_member(root, "fabric");
	if (!fab) {
		fprintf(stderr, "%s:1: missing 'fabric' (expected fabric = { kind = ...; ... };)\n",
			c->file);
		return NULL;
	}
	t = build_fabric(c, fab);
	if (t) {
		memcpy(t->name, gl.name, sizeof(t->name));
		t->mtu_bytes = gl.mtu_bytes;
		t->sw = gl.sw;
		if (parse_hostmap(c, root, t)) {
			sim_topo_free(t);
			t = NULL;
		}
	}
	return t;
}

static struct sim_topo *load(const char *file, config_t *cfg, int read_ok)
{
	struct pctx c = { .file = file };
	struct sim_topo *t = NULL;

	if (read_ok)
		t = load_config(&c, cfg);
	else
		fprintf(stderr, "%s:%d: syntax error: %s (expected `key = value;` settings)\n",
			file, config_error_line(cfg), config_error_text(cfg));
	config_destroy(cfg);
	return t;
}

/*
 * Before libconfig sees the text: it would follow @include to any file (a
 * FIFO, /dev/zero), and it looks setting names up linearly, so that a group
 * of 10^5 keys takes minutes to parse. Both are refused here, with the line.
 * Strings and comments are skipped; anything malformed is left to libconfig.
 */
static int prescan(const char *file, const char *text)
{
	unsigned int keys[MAX_DEPTH + 1];	/* settings seen in each open group */
	char open[MAX_DEPTH + 1];		/* '{', '(' or '[' */
	int depth = 0, line = 1, bol = 1;
	const char *p;

	open[0] = '{';
	keys[0] = 0;
	for (p = text; *p; p++) {
		if (*p == '\n') {
			line++;
			bol = 1;
			continue;
		}
		if (bol && (*p == ' ' || *p == '\t' || *p == '\r'))
			continue;
		if (bol && !strncmp(p, "@include", 8)) {
			fprintf(stderr, "%s:%d: @include is not supported (expected the whole "
				"topology in one file)\n", file, line);
			return -1;
		}
		bol = 0;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				line += *p == '\n';
			}
		} else if (*p == '#' || (*p == '/' && p[1] == '/')) {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (*p == '/' && p[1] == '*') {
			for (p += 2; *p && !(*p == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			if (*p)
				p++;
		} else if (*p == '{' || *p == '(' || *p == '[') {
			if (depth == MAX_DEPTH) {
				fprintf(stderr, "%s:%d: groups and lists nested more than %d deep "
					"(expected at most 4 levels)\n", file, line, MAX_DEPTH);
				return -1;
			}
			open[++depth] = *p;
			keys[depth] = 0;
		} else if ((*p == '}' || *p == ')' || *p == ']') && depth) {
			depth--;
		} else if ((*p == '=' || *p == ':') && open[depth] == '{' &&
			   ++keys[depth] > MAX_GROUP_KEYS) {
			fprintf(stderr, "%s:%d: more than %d settings in one group (expected the "
				"keys of topologies/FORMAT.md)\n", file, line, MAX_GROUP_KEYS);
			return -1;
		}
		if (!*p)
			break;
	}
	return 0;
}

static struct sim_topo *load_text(const char *text, const char *name)
{
	config_t cfg;

	if (prescan(name, text))
		return NULL;
	config_init(&cfg);
	return load(name, &cfg, config_read_string(&cfg, text));
}

struct sim_topo *sim_topo_load(const char *path)
{
	struct sim_topo *t;
	size_t len;
	char *text;

	if (sim_read_text(path, SIM_TOPO_MAX_FILE_BYTES, "a topology file, see topologies/FORMAT.md",
			  &text, &len))
		return NULL;
	t = load_text(text, path);
	free(text);
	return t;
}

struct sim_topo *sim_topo_load_string(const char *text, const char *name)
{
	return load_text(text, name ? name : "<string>");
}
