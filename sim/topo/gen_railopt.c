/*
 * Rail-optimized generator: host (GPU) server * gpus_per_server + r plugs
 * into a leaf of rail r; each rail has leaves_per_rail leaves, each serving
 * a block of ceil(servers / leaves_per_rail) consecutive servers, and
 * every leaf links to every spine.
 */
#include <errno.h>
#include <stdio.h>

#include "sim/topo/gen_priv.h"

/* The parameters with the defaults applied. */
struct ro {
	struct sim_clos_common c;
	uint32_t servers, gpus, lpr, spl, spines, lps;
	uint64_t nleaves;	/* rail leaves per plane, up to 2^34 until checked */
	uint64_t hosts;
};

static int ro_check(const struct sim_railopt_params *p, struct ro *r, char *err, size_t errlen)
{
	int ret;

	r->servers = p->servers;
	r->gpus = p->gpus_per_server;
	r->lpr = p->leaves_per_rail ? p->leaves_per_rail : 1;
	r->lps = p->links_per_spine ? p->links_per_spine : 1;
	ret = gen_common(&p->c, &r->c, err, errlen);
	if (!ret)
		ret = gen_range("servers", r->servers, 1, SIM_GEN_MAX_COUNT, err, errlen);
	if (!ret)
		ret = gen_range("gpus_per_server", r->gpus, 1, SIM_GEN_MAX_GPUS, err, errlen);
	if (!ret)
		ret = gen_range("leaves_per_rail", r->lpr, 1, r->servers, err, errlen);
	if (!ret)
		ret = gen_range("links_per_spine", r->lps, 1, SIM_GEN_MAX_PARALLEL, err, errlen);
	if (!ret)
		ret = gen_rail_blocks(r->servers, r->lpr, &r->spl, err, errlen);
	if (ret)
		return ret;
	ret = gen_spines(p->spines, p->oversubscription, (double)r->spl * r->c.host_rate_bps,
			 &r->c, r->lps, &r->spines, err, errlen);
	if (ret)
		return ret;
	r->nleaves = (uint64_t)r->gpus * r->lpr;
	if (!r->spines && r->nleaves > 1)
		return gen_fail(err, errlen, -EINVAL, "%llu rail leaves need spines (expected "
				"spines >= 1)", (unsigned long long)r->nleaves);
	r->hosts = (uint64_t)r->servers * r->gpus;
	return 0;
}

static int ro_links(struct sim_topo *t, const struct ro *r)
{
	uint32_t per_plane = r->nleaves + r->spines, p, l, s, k, base, srv, gpu;
	int ret = 0;

	for (p = 0; p < r->c.planes; p++) {
		base = r->hosts + p * per_plane;
		for (srv = 0; srv < r->servers; srv++)
			for (gpu = 0; gpu < r->gpus && !ret; gpu++)
				ret = sim_topo_add_link(t, srv * r->gpus + gpu,
							base + gpu * r->lpr + srv / r->spl,
							r->c.host_rate_bps, r->c.host_delay_ps);
		for (l = 0; l < r->nleaves; l++)
			for (s = 0; s < r->spines; s++)
				for (k = 0; k < r->lps && !ret; k++)
					ret = sim_topo_add_link(t, base + l, base + r->nleaves + s,
								r->c.fabric_rate_bps,
								r->c.fabric_delay_ps);
	}
	return ret;
}

int sim_topo_railopt(const struct sim_railopt_params *p, struct sim_topo **out,
		     char *err, size_t errlen)
{
	uint32_t per_plane, pl, l, srv, gpu;
	struct gen_size z;
	struct sim_topo *t;
	struct ro r;
	int ret;

	*out = NULL;
	ret = ro_check(p, &r, err, errlen);
	if (ret)
		return ret;
	z = (struct gen_size){
		.hosts = r.hosts,
		.switches = gen_mul_sat(r.c.planes, r.nleaves + r.spines),
		.links = gen_mul_sat(r.c.planes, gen_add_sat(r.hosts, gen_mul_sat(r.nleaves,
							(uint64_t)r.spines * r.lps))),
		.role = { "rail leaf", "spine" },
		.radix = { r.spl + (uint64_t)r.spines * r.lps, gen_mul_sat(r.nleaves, r.lps) },
		.why = { "servers / leaves_per_rail + spines x links_per_spine",
			 "gpus_per_server x leaves_per_rail x links_per_spine" },
	};
	ret = gen_check_size(&z, err, errlen);
	if (ret)
		return ret;
	/* all within the 32-bit id space now */
	per_plane = r.nleaves + r.spines;
	t = sim_topo_create(r.hosts, r.c.planes * per_plane, z.links, SIM_ROUTE_CLOS);
	if (!t)
		return gen_nomem(err, errlen);
	for (srv = 0; srv < r.servers; srv++)
		for (gpu = 0; gpu < r.gpus; gpu++)
			sim_topo_add_host(t, 0, gpu);
	for (pl = 0; pl < r.c.planes; pl++)
		for (l = 0; l < per_plane; l++)
			sim_topo_add_switch(t, l < r.nleaves ? 1 : 2, 0,
					    l < r.nleaves ? l / r.lpr : 0);
	t->gpus_per_server = r.gpus;
	t->layout = (struct sim_topo_layout){ .per_plane = per_plane, .nleaves = r.nleaves,
					      .ntier2 = r.spines, .leaves_per_rail = r.lpr };
	snprintf(t->kind, sizeof(t->kind), "railopt");
	snprintf(t->name, sizeof(t->name), "railopt");
	return gen_finish(t, ro_links(t, &r), out, err, errlen);
}
