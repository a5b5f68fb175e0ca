/*
 * Three-tier fat-tree generator: leaves and aggregation switches in pods,
 * cores in aggs_per_pod groups. Every leaf links to every agg of its pod;
 * agg j of every pod links to every core of group j. Only the leaves the
 * hosts need are built, so the last leaf and the last pod may be partial.
 */
#include <errno.h>
#include <stdio.h>

#include "sim/topo/gen_priv.h"

/* The parameters with the defaults applied, and the counts they give. */
struct ft {
	struct sim_clos_common c;
	uint32_t lpp, hpl, app, cpg, lpa, lpc;
	uint64_t pods;		/* as built */
	uint64_t nleaves;	/* per plane; only as many as the hosts need */
	uint64_t hosts;
	uint64_t core_rate_bps;
};

static int ft_counts(const struct sim_fattree_params *p, struct ft *f, char *err, size_t errlen)
{
	int ret;

	f->lpp = p->leaves_per_pod;
	f->hpl = p->hosts_per_leaf;
	f->app = p->aggs_per_pod;
	f->cpg = p->cores_per_group;
	f->lpa = p->links_per_agg ? p->links_per_agg : 1;
	f->lpc = p->links_per_core ? p->links_per_core : 1;
	f->core_rate_bps = p->core_rate_bps ? p->core_rate_bps : f->c.fabric_rate_bps;
	ret = gen_range("leaves_per_pod", f->lpp, 1, SIM_GEN_MAX_COUNT, err, errlen);
	if (!ret)
		ret = gen_range("hosts_per_leaf", f->hpl, 1, SIM_GEN_MAX_COUNT, err, errlen);
	if (!ret)
		ret = gen_range("aggs_per_pod", f->app, 1, SIM_GEN_MAX_COUNT, err, errlen);
	if (!ret)
		ret = gen_range("cores_per_group", f->cpg, 0, SIM_GEN_MAX_COUNT, err, errlen);
	if (!ret)
		ret = gen_range("links_per_agg", f->lpa, 1, SIM_GEN_MAX_PARALLEL, err, errlen);
	if (!ret)
		ret = gen_range("links_per_core", f->lpc, 1, SIM_GEN_MAX_PARALLEL, err, errlen);
	if (!ret)
		ret = gen_range("core_rate", f->core_rate_bps, SIM_TOPO_MIN_RATE_BPS,
				SIM_TOPO_MAX_RATE_BPS, err, errlen);
	return ret;
}

/* Hosts from pods or pods from hosts; with both, no pod may be left empty. */
static int ft_hosts(const struct sim_fattree_params *p, struct ft *f, char *err, size_t errlen)
{
	uint64_t pod_hosts = (uint64_t)f->lpp * f->hpl, all;
	int ret;

	if (!p->pods) {
		if (!p->hosts)
			return gen_fail(err, errlen, -EINVAL, "missing 'hosts' (expected an integer "
					"1..%llu)", GEN_MAX_NODES);
		ret = gen_range("hosts", p->hosts, 1, GEN_MAX_NODES, err, errlen);
		if (ret)
			return ret;
		f->hosts = p->hosts;
	} else {
		ret = gen_range("pods", p->pods, 1, SIM_GEN_MAX_COUNT, err, errlen);
		if (ret)
			return ret;
		all = gen_mul_sat(p->pods, pod_hosts);
		f->hosts = p->hosts ? p->hosts : all;
		ret = gen_range("hosts", f->hosts, 1, all, err, errlen);
		if (!ret)
			ret = gen_pod_hosts(f->hosts, p->pods, pod_hosts, err, errlen);
		if (ret)
			return ret;
	}
	f->nleaves = gen_div_up(f->hosts, f->hpl);
	f->pods = gen_div_up(f->nleaves, f->lpp);
	if (!f->cpg && f->pods > 1)
		return gen_fail(err, errlen, -EINVAL, "%llu pods need cores (expected "
				"cores_per_group >= 1)", (unsigned long long)f->pods);
	return 0;
}

static int ft_links(struct sim_topo *t, const struct ft *f, uint32_t base)
{
	uint32_t aggs = base + f->nleaves, cores = aggs + f->pods * f->app;
	uint32_t l, j, k, q, r;
	uint64_t h;
	int ret = 0;

	for (h = 0; h < f->hosts && !ret; h++)
		ret = sim_topo_add_link(t, h, base + h / f->hpl, f->c.host_rate_bps,
					f->c.host_delay_ps);
	for (l = 0; l < f->nleaves; l++)
		for (j = 0; j < f->app; j++)
			for (r = 0; r < f->lpa && !ret; r++)
				ret = sim_topo_add_link(t, base + l, aggs + l / f->lpp * f->app + j,
							f->c.fabric_rate_bps, f->c.fabric_delay_ps);
	for (q = 0; q < f->pods; q++)
		for (j = 0; j < f->app; j++)
			for (k = 0; k < f->cpg; k++)
				for (r = 0; r < f->lpc && !ret; r++)
					ret = sim_topo_add_link(t, aggs + q * f->app + j,
								cores + j * f->cpg + k,
								f->core_rate_bps, f->c.core_delay_ps);
	return ret;
}

static void ft_size(const struct ft *f, struct gen_size *z)
{
	uint64_t aggs = gen_mul_sat(f->pods, f->app), cores = (uint64_t)f->app * f->cpg;
	uint64_t per_plane = gen_add_sat(gen_add_sat(f->nleaves, aggs), cores);
	uint64_t links = gen_add_sat(gen_add_sat(f->hosts, gen_mul_sat(gen_mul_sat(f->nleaves,
							f->app), f->lpa)),
				     gen_mul_sat(gen_mul_sat(aggs, f->cpg), f->lpc));

	*z = (struct gen_size){
		.hosts = f->hosts,
		.switches = gen_mul_sat(f->c.planes, per_plane),
		.links = gen_mul_sat(f->c.planes, links),
		.role = { "leaf", "agg", "core" },
		.radix = { (f->hosts < f->hpl ? f->hosts : f->hpl) + (uint64_t)f->app * f->lpa,
			   (f->nleaves < f->lpp ? f->nleaves : f->lpp) * f->lpa +
			   (uint64_t)f->cpg * f->lpc,
			   gen_mul_sat(f->pods, f->lpc) },
		.why = { "hosts_per_leaf + aggs_per_pod x links_per_agg",
			 "leaves_per_pod x links_per_agg + cores_per_group x links_per_core",
			 "pods x links_per_core" },
	};
}

static void ft_nodes(struct sim_topo *t, const struct ft *f)
{
	uint32_t p, i;
	uint64_t h;

	for (h = 0; h < f->hosts; h++)
		sim_topo_add_host(t, h / f->hpl / f->lpp, 0);
	for (p = 0; p < f->c.planes; p++) {
		for (i = 0; i < f->nleaves; i++)
			sim_topo_add_switch(t, 1, i / f->lpp, 0);
		for (i = 0; i < f->pods * f->app; i++)
			sim_topo_add_switch(t, 2, i / f->app, 0);
		for (i = 0; i < f->app * f->cpg; i++)
			sim_topo_add_switch(t, 3, 0, 0);
	}
}

int sim_topo_fattree(const struct sim_fattree_params *p, struct sim_topo **out,
		     char *err, size_t errlen)
{
	struct ft f = { 0 };
	struct gen_size z;
	struct sim_topo *t;
	uint32_t pl, per_plane;
	int ret;

	*out = NULL;
	ret = gen_common(&p->c, &f.c, err, errlen);
	if (!ret)
		ret = ft_counts(p, &f, err, errlen);
	if (!ret)
		ret = ft_hosts(p, &f, err, errlen);
	if (ret)
		return ret;
	ft_size(&f, &z);
	ret = gen_check_size(&z, err, errlen);
	if (ret)
		return ret;
	/* all within the 32-bit id space now */
	per_plane = z.switches / f.c.planes;
	t = sim_topo_create(f.hosts, z.switches, z.links, SIM_ROUTE_CLOS);
	if (!t)
		return gen_nomem(err, errlen);
	ft_nodes(t, &f);
	for (pl = 0; pl < f.c.planes && !ret; pl++)
		ret = ft_links(t, &f, f.hosts + pl * per_plane);
	t->layout = (struct sim_topo_layout){ .per_plane = per_plane, .nleaves = f.nleaves,
					      .ntier2 = f.pods * f.app, .ntier3 = f.app * f.cpg,
					      .aggs_per_pod = f.app };
	snprintf(t->kind, sizeof(t->kind), "fattree");
	snprintf(t->name, sizeof(t->name), "fattree");
	return gen_finish(t, ret, out, err, errlen);
}
