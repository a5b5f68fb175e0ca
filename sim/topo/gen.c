/*
 * Shared steps of the Clos generators (gen_leafspine.c, gen_fattree.c,
 * gen_railopt.c): parameter and size checks, and finalizing the result.
 * The messages are the loader's, without FILE:LINE, which load.c adds.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "collectives/arith.h"
#include "sim/topo/gen_priv.h"

int gen_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int gen_range(const char *key, uint64_t v, uint64_t min, uint64_t max, char *err, size_t errlen)
{
	if (v >= min && v <= max)
		return 0;
	return gen_fail(err, errlen, -EINVAL, "'%s' = %llu is out of range (expected %llu..%llu)",
			key, (unsigned long long)v, (unsigned long long)min,
			(unsigned long long)max);
}

static int gen_rate(const char *key, uint64_t bps, char *err, size_t errlen)
{
	if (!bps)
		return gen_fail(err, errlen, -EINVAL, "missing '%s' (expected a rate like \"800G\")",
				key);
	if (bps >= SIM_TOPO_MIN_RATE_BPS && bps <= SIM_TOPO_MAX_RATE_BPS)
		return 0;
	return gen_fail(err, errlen, -EINVAL, "bad rate for '%s': %.9g b/s is out of range "
			"(expected a whole number of b/s from 1M to 10T)", key, (double)bps);
}

int gen_common(const struct sim_clos_common *in, struct sim_clos_common *out, char *err,
	       size_t errlen)
{
	int ret;

	*out = *in;
	if (!out->fabric_rate_bps)
		out->fabric_rate_bps = out->host_rate_bps;
	if (!out->planes)
		out->planes = 1;
	ret = gen_rate("host_rate", out->host_rate_bps, err, errlen);
	if (!ret)
		ret = gen_rate("fabric_rate", out->fabric_rate_bps, err, errlen);
	if (!ret)
		ret = gen_range("planes", out->planes, 1, SIM_GEN_MAX_PLANES, err, errlen);
	return ret;
}

/* ceil(ceil(down / (ratio x fabric rate)) / links_per_spine), as a double: maybe > 2^32. */
static double spines_for(double down_bps, double ratio, uint64_t fabric_rate_bps,
			 uint32_t links_per_spine)
{
	double uplinks = ceil(down_bps / (ratio * fabric_rate_bps) - 1e-9);

	return ceil(uplinks / links_per_spine - 1e-9);
}

int gen_spines(uint32_t spines, double oversub, double down_bps, const struct sim_clos_common *c,
	       uint32_t links_per_spine, uint32_t *out, char *err, size_t errlen)
{
	double n;

	if (oversub == 0) {
		*out = spines;
		return gen_range("spines", spines, 0, SIM_GEN_MAX_COUNT, err, errlen);
	}
	if (spines)
		return gen_fail(err, errlen, -EINVAL,
				"give either 'spines' or 'oversubscription', not both");
	if (!(oversub >= SIM_GEN_MIN_OVERSUB && oversub <= SIM_GEN_MAX_OVERSUB))
		return gen_fail(err, errlen, -EINVAL, "'oversubscription' = %g is out of range "
				"(expected %g..%g)", oversub, SIM_GEN_MIN_OVERSUB,
				SIM_GEN_MAX_OVERSUB);
	n = spines_for(down_bps, oversub, c->fabric_rate_bps, links_per_spine);
	/* checked before the cast: a double beyond uint32 does not convert */
	if (!(n <= SIM_GEN_MAX_COUNT))
		return gen_fail(err, errlen, -EINVAL, "'oversubscription' = %g needs %.0f spines "
				"(expected at most %u: a higher ratio, fabric_rate or "
				"links_per_spine)", oversub, n, SIM_GEN_MAX_COUNT);
	*out = n > 0 ? (uint32_t)n : 0;
	return 0;
}

int gen_leaf_hosts(uint64_t hosts, uint64_t cap, uint32_t per_leaf, char *err, size_t errlen)
{
	/* the last leaf may be partly filled, not empty */
	if (hosts > cap - per_leaf)
		return 0;
	return gen_fail(err, errlen, -EINVAL, "'hosts' = %llu leaves a leaf empty (expected "
			"%llu..%llu)", (unsigned long long)hosts,
			(unsigned long long)(cap - per_leaf + 1), (unsigned long long)cap);
}

int gen_pod_hosts(uint64_t hosts, uint64_t pods, uint64_t pod_hosts, char *err, size_t errlen)
{
	uint64_t but_one = gen_mul_sat(pods - 1, pod_hosts);

	if (hosts > but_one)
		return 0;
	return gen_fail(err, errlen, -EINVAL, "'hosts' = %llu leaves pod %llu empty (expected "
			"more than %llu hosts, or fewer pods)", (unsigned long long)hosts,
			(unsigned long long)pods - 1, (unsigned long long)but_one);
}

int gen_rail_blocks(uint32_t servers, uint32_t leaves_per_rail, uint32_t *spl, char *err,
		    size_t errlen)
{
	*spl = (servers + leaves_per_rail - 1) / leaves_per_rail;
	if ((uint64_t)(leaves_per_rail - 1) * *spl < servers)
		return 0;
	return gen_fail(err, errlen, -EINVAL, "%u servers in blocks of %u leave a leaf of each "
			"rail empty (expected fewer leaves_per_rail)", servers, *spl);
}

int gen_check_size(const struct gen_size *z, char *err, size_t errlen)
{
	uint64_t nodes = gen_add_sat(z->hosts, z->switches);
	char why[256];
	int i;

	for (i = 0; i < 3 && z->role[i]; i++) {
		if (z->radix[i] <= SIM_TOPO_MAX_RADIX)
			continue;
		return gen_fail(err, errlen, -E2BIG, "a %s would have %llu ports (%s), more than %u",
				z->role[i], (unsigned long long)z->radix[i], z->why[i],
				SIM_TOPO_MAX_RADIX);
	}
	if (nodes > GEN_MAX_NODES || z->links > GEN_MAX_LINKS)
		return gen_fail(err, errlen, -E2BIG, "fabric too large: %llu nodes, %llu links "
				"(limits %llu, %llu: node and port ids are 32-bit)",
				(unsigned long long)nodes, (unsigned long long)z->links,
				GEN_MAX_NODES, GEN_MAX_LINKS);
	if (coll_mem_guard(sim_topo_mem_bytes(nodes, z->links), "building it", why, sizeof(why)))
		return gen_fail(err, errlen, -ENOMEM, "fabric too large: %llu nodes, %llu links: %s",
				(unsigned long long)nodes, (unsigned long long)z->links, why);
	return 0;
}

int gen_nomem(char *err, size_t errlen)
{
	return gen_fail(err, errlen, -ENOMEM, "cannot build the fabric: out of memory");
}

int gen_finish(struct sim_topo *t, int add_ret, struct sim_topo **out, char *err, size_t errlen)
{
	int ret;

	if (add_ret) {
		sim_topo_free(t);
		gen_nomem(err, errlen);
		return add_ret;
	}
	ret = sim_topo_finalize(t, NULL);
	if (ret) {
		sim_topo_free(t);
		return gen_fail(err, errlen, ret,
				"cannot build the fabric (too many ports on one switch?)");
	}
	*out = t;
	return 0;
}
