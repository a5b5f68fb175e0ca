/*
 * Two-tier leaf-spine generator: hosts in blocks of hosts_per_leaf per
 * leaf, every leaf linked to every spine by links_per_spine parallel
 * links, one copy of the switches per plane.
 */
#include <errno.h>
#include <stdio.h>

#include "sim/topo/gen_priv.h"

/* Counts, hosts and spines, with the defaults applied. */
struct ls {
	struct sim_clos_common c;
	uint32_t leaves, hpl, spines, lps;
	uint64_t hosts;
};

static int ls_check(const struct sim_leafspine_params *p, struct ls *s, char *err, size_t errlen)
{
	uint64_t cap;
	int ret;

	s->leaves = p->leaves;
	s->hpl = p->hosts_per_leaf;
	s->lps = p->links_per_spine ? p->links_per_spine : 1;
	ret = gen_common(&p->c, &s->c, err, errlen);
	if (!ret)
		ret = gen_range("leaves", s->leaves, 1, SIM_GEN_MAX_COUNT, err, errlen);
	if (!ret)
		ret = gen_range("hosts_per_leaf", s->hpl, 1, SIM_GEN_MAX_COUNT, err, errlen);
	if (!ret)
		ret = gen_range("links_per_spine", s->lps, 1, SIM_GEN_MAX_PARALLEL, err, errlen);
	if (ret)
		return ret;
	cap = (uint64_t)s->leaves * s->hpl;
	s->hosts = p->hosts ? p->hosts : cap;
	ret = gen_range("hosts", s->hosts, 1, cap, err, errlen);
	if (!ret)
		ret = gen_leaf_hosts(s->hosts, cap, s->hpl, err, errlen);
	if (ret)
		return ret;
	ret = gen_spines(p->spines, p->oversubscription, (double)s->hpl * s->c.host_rate_bps,
			 &s->c, s->lps, &s->spines, err, errlen);
	if (ret)
		return ret;
	if (!s->spines && s->leaves > 1)
		return gen_fail(err, errlen, -EINVAL, "%u leaves need spines (expected spines >= 1)",
				s->leaves);
	return 0;
}

static int ls_links(struct sim_topo *t, const struct ls *s)
{
	uint32_t per_plane = s->leaves + s->spines, p, l, sp, k, base;
	uint64_t h;
	int ret = 0;

	for (p = 0; p < s->c.planes; p++) {
		base = s->hosts + p * per_plane;
		for (h = 0; h < s->hosts && !ret; h++)
			ret = sim_topo_add_link(t, h, base + h / s->hpl, s->c.host_rate_bps,
						s->c.host_delay_ps);
		for (l = 0; l < s->leaves; l++)
			for (sp = 0; sp < s->spines; sp++)
				for (k = 0; k < s->lps && !ret; k++)
					ret = sim_topo_add_link(t, base + l, base + s->leaves + sp,
								s->c.fabric_rate_bps,
								s->c.fabric_delay_ps);
	}
	return ret;
}

int sim_topo_leafspine(const struct sim_leafspine_params *p, struct sim_topo **out,
		       char *err, size_t errlen)
{
	struct gen_size z;
	struct sim_topo *t;
	uint32_t per_plane, pl, l;
	struct ls s;
	uint64_t h;
	int ret;

	*out = NULL;
	ret = ls_check(p, &s, err, errlen);
	if (ret)
		return ret;
	per_plane = s.leaves + s.spines;
	z = (struct gen_size){
		.hosts = s.hosts,
		.switches = (uint64_t)s.c.planes * per_plane,
		.links = gen_mul_sat(s.c.planes, s.hosts + (uint64_t)s.leaves * s.spines * s.lps),
		.role = { "leaf", "spine" },
		.radix = { (s.hosts < s.hpl ? s.hosts : s.hpl) + (uint64_t)s.spines * s.lps,
			   (uint64_t)s.leaves * s.lps },
		.why = { "hosts_per_leaf + spines x links_per_spine", "leaves x links_per_spine" },
	};
	ret = gen_check_size(&z, err, errlen);
	if (ret)
		return ret;
	/* all within the 32-bit id space now */
	t = sim_topo_create(s.hosts, s.c.planes * per_plane, z.links, SIM_ROUTE_CLOS);
	if (!t)
		return gen_nomem(err, errlen);
	for (h = 0; h < s.hosts; h++)
		sim_topo_add_host(t, 0, 0);
	for (pl = 0; pl < s.c.planes; pl++)
		for (l = 0; l < per_plane; l++)
			sim_topo_add_switch(t, l < s.leaves ? 1 : 2, 0, 0);
	t->layout = (struct sim_topo_layout){ .per_plane = per_plane, .nleaves = s.leaves,
					      .ntier2 = s.spines };
	snprintf(t->kind, sizeof(t->kind), "leafspine");
	snprintf(t->name, sizeof(t->name), "leafspine");
	return gen_finish(t, ls_links(t, &s), out, err, errlen);
}
