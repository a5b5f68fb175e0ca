/*
 * fabric = { kind = "leafspine" | "fattree" | "railopt"; ... }: reads the
 * keys into the generator's parameter struct (gen.h), in file order and
 * each at its line, then calls the generator. What the generator finds
 * (spines missing, a fabric too large) is reported at the fabric's line.
 */
#include <errno.h>
#include <stdio.h>

#include "sim/topo/gen_priv.h"
#include "sim/topo/load_priv.h"

static const char *const common_keys[] = {
	"kind", "host_rate", "fabric_rate", "planes", "cable_m", "delay_ns",
	"host_cable_m", "fabric_cable_m", NULL
};

static int get_common(struct ld_ctx *c, const config_setting_t *g, struct sim_clos_common *cc)
{
	if (ld_rate(c, g, "host_rate", true, &cc->host_rate_bps) < 0)
		return -1;
	cc->fabric_rate_bps = cc->host_rate_bps;
	cc->planes = 1;
	if (ld_rate(c, g, "fabric_rate", false, &cc->fabric_rate_bps) < 0 ||
	    ld_u32(c, g, "planes", false, 1, SIM_GEN_MAX_PLANES, &cc->planes) < 0)
		return -1;
	return ld_delays(c, g, cc);
}

/* spines from either 'spines' or 'oversubscription' for DOWN_BPS per leaf. */
static int get_spines(struct ld_ctx *c, const config_setting_t *g, double down_bps,
		      const struct sim_clos_common *cc, uint32_t lps, uint32_t *spines)
{
	const config_setting_t *os = config_setting_get_member(g, "oversubscription");
	char msg[256];
	double ratio;

	if (!os)
		return ld_u32(c, g, "spines", true, 0, SIM_GEN_MAX_COUNT, spines) < 0 ? -1 : 0;
	if (config_setting_get_member(g, "spines")) {
		ld_err(c, os, "give either 'spines' or 'oversubscription', not both");
		return -1;
	}
	if (ld_check_real(c, os, "oversubscription", SIM_GEN_MIN_OVERSUB, SIM_GEN_MAX_OVERSUB,
			  &ratio))
		return -1;
	if (gen_spines(0, ratio, down_bps, cc, lps, spines, msg, sizeof(msg))) {
		ld_err(c, os, "%s", msg);
		return -1;
	}
	return 0;
}

/* Hosts when the last leaf may be partial: 'hosts' if given, else all of CAP. */
static int get_hosts(struct ld_ctx *c, const config_setting_t *g, uint64_t cap,
		     uint32_t per_leaf, uint64_t *hosts)
{
	int ret = ld_uint(c, g, "hosts", false, 1, cap, hosts);
	char msg[256];

	if (ret < 0)
		return -1;
	if (ret)
		*hosts = cap;
	else if (gen_leaf_hosts(*hosts, cap, per_leaf, msg, sizeof(msg))) {
		ld_err(c, config_setting_get_member(g, "hosts"), "%s", msg);
		return -1;
	}
	return 0;
}

/* The generator's result; its failure is reported at the fabric group G. */
static struct sim_topo *generated(struct ld_ctx *c, const config_setting_t *g, int ret,
				  struct sim_topo *t, const char *msg)
{
	if (!ret)
		return t;
	ld_err_ret(c, g, ret, "%s", msg);
	return NULL;
}

struct sim_topo *ld_leafspine(struct ld_ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"leaves", "hosts_per_leaf", "hosts", "spines", "links_per_spine",
		"oversubscription", NULL
	};
	struct sim_leafspine_params p = { .links_per_spine = 1 };
	struct sim_topo *t;
	char msg[512];
	int ret;

	if (ld_check_keys(c, g, "fabric (kind \"leafspine\")", common_keys, keys) ||
	    get_common(c, g, &p.c) ||
	    ld_u32(c, g, "leaves", true, 1, SIM_GEN_MAX_COUNT, &p.leaves) < 0 ||
	    ld_u32(c, g, "hosts_per_leaf", true, 1, SIM_GEN_MAX_COUNT, &p.hosts_per_leaf) < 0 ||
	    ld_u32(c, g, "links_per_spine", false, 1, SIM_GEN_MAX_PARALLEL,
		   &p.links_per_spine) < 0 ||
	    get_hosts(c, g, (uint64_t)p.leaves * p.hosts_per_leaf, p.hosts_per_leaf, &p.hosts) ||
	    get_spines(c, g, (double)p.hosts_per_leaf * p.c.host_rate_bps, &p.c,
		       p.links_per_spine, &p.spines))
		return NULL;
	ret = sim_topo_leafspine(&p, &t, msg, sizeof(msg));
	return generated(c, g, ret, t, msg);
}

struct sim_topo *ld_railopt(struct ld_ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"servers", "gpus_per_server", "leaves_per_rail", "spines", "links_per_spine",
		"oversubscription", NULL
	};
	struct sim_railopt_params p = { .leaves_per_rail = 1, .links_per_spine = 1 };
	struct sim_topo *t;
	char msg[512];
	uint32_t spl;
	int ret;

	if (ld_check_keys(c, g, "fabric (kind \"railopt\")", common_keys, keys) ||
	    get_common(c, g, &p.c) ||
	    ld_u32(c, g, "servers", true, 1, SIM_GEN_MAX_COUNT, &p.servers) < 0 ||
	    ld_u32(c, g, "gpus_per_server", true, 1, SIM_GEN_MAX_GPUS, &p.gpus_per_server) < 0 ||
	    ld_u32(c, g, "leaves_per_rail", false, 1, p.servers, &p.leaves_per_rail) < 0 ||
	    ld_u32(c, g, "links_per_spine", false, 1, SIM_GEN_MAX_PARALLEL,
		   &p.links_per_spine) < 0)
		return NULL;
	if (gen_rail_blocks(p.servers, p.leaves_per_rail, &spl, msg, sizeof(msg))) {
		ld_err(c, config_setting_get_member(g, "leaves_per_rail"), "%s", msg);
		return NULL;
	}
	if (get_spines(c, g, (double)spl * p.c.host_rate_bps, &p.c, p.links_per_spine,
		       &p.spines))
		return NULL;
	ret = sim_topo_railopt(&p, &t, msg, sizeof(msg));
	return generated(c, g, ret, t, msg);
}

/* pods and/or hosts: with pods, hosts may leave the last pod partial, none empty. */
static int fattree_hosts(struct ld_ctx *c, const config_setting_t *g,
			 struct sim_fattree_params *p)
{
	uint64_t pod_hosts = (uint64_t)p->leaves_per_pod * p->hosts_per_leaf;
	uint64_t all;
	char msg[256];
	int ret;

	ret = ld_u32(c, g, "pods", false, 1, SIM_GEN_MAX_COUNT, &p->pods);
	if (ret < 0)
		return -1;
	if (ret)
		return ld_uint(c, g, "hosts", true, 1, GEN_MAX_NODES, &p->hosts) < 0 ? -1 : 0;
	all = gen_mul_sat(p->pods, pod_hosts);
	ret = ld_uint(c, g, "hosts", false, 1, all, &p->hosts);
	if (ret < 0)
		return -1;
	if (ret) {
		p->hosts = all;
	} else if (gen_pod_hosts(p->hosts, p->pods, pod_hosts, msg, sizeof(msg))) {
		ld_err(c, config_setting_get_member(g, "hosts"), "%s", msg);
		return -1;
	}
	return 0;
}

struct sim_topo *ld_fattree(struct ld_ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = {
		"pods", "leaves_per_pod", "hosts_per_leaf", "hosts", "aggs_per_pod",
		"links_per_agg", "cores_per_group", "links_per_core", "core_rate",
		"core_cable_m", NULL
	};
	struct sim_fattree_params p = { .links_per_agg = 1, .links_per_core = 1 };
	struct sim_topo *t;
	char msg[512];
	int ret;

	if (ld_check_keys(c, g, "fabric (kind \"fattree\")", common_keys, keys) ||
	    get_common(c, g, &p.c))
		return NULL;
	p.core_rate_bps = p.c.fabric_rate_bps;
	if (ld_u32(c, g, "leaves_per_pod", true, 1, SIM_GEN_MAX_COUNT, &p.leaves_per_pod) < 0 ||
	    ld_u32(c, g, "hosts_per_leaf", true, 1, SIM_GEN_MAX_COUNT, &p.hosts_per_leaf) < 0 ||
	    ld_u32(c, g, "aggs_per_pod", true, 1, SIM_GEN_MAX_COUNT, &p.aggs_per_pod) < 0 ||
	    ld_u32(c, g, "cores_per_group", true, 0, SIM_GEN_MAX_COUNT, &p.cores_per_group) < 0 ||
	    ld_u32(c, g, "links_per_agg", false, 1, SIM_GEN_MAX_PARALLEL, &p.links_per_agg) < 0 ||
	    ld_u32(c, g, "links_per_core", false, 1, SIM_GEN_MAX_PARALLEL,
		   &p.links_per_core) < 0 ||
	    ld_rate(c, g, "core_rate", false, &p.core_rate_bps) < 0 ||
	    fattree_hosts(c, g, &p))
		return NULL;
	ret = sim_topo_fattree(&p, &t, msg, sizeof(msg));
	return generated(c, g, ret, t, msg);
}
