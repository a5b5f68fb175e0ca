/*
 * Unit tests of the fabric partitioner (sim/topo/partition.c): a leaf-spine
 * into 1, 2, 4 and 8 parts, a 3-tier fat-tree by pod (and by leaf group
 * when there are fewer pods than parts), the rail-optimized preset keeping
 * servers whole, the lookahead, the refusals (too many parts, a cut link
 * without delay, pods on a 2-tier fabric) and determinism. Expected counts
 * are worked out by hand in the comments. Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/topo/gen.h"
#include "sim/topo/partition.h"
#include "sim/topo/topo.h"
#include "sim/cli/load.h"

#define G 1000000000ULL

static char err[SIM_TOPO_ERR_LEN];

/* 8 leaves x 16 hosts, 16 spines, all 800G; 3 m host and 20 m fabric cables (5 ns/m). */
static struct sim_topo *leafspine_8x16(void)
{
	struct sim_leafspine_params p = {
		.c = { .host_rate_bps = 800 * G, .host_delay_ps = 15000, .fabric_delay_ps = 100000 },
		.leaves = 8, .hosts_per_leaf = 16, .spines = 16,
	};
	struct sim_topo *t;

	assert_int_equal(sim_topo_leafspine(&p, &t, err, sizeof(err)), 0);
	return t;
}

/* Every host in the part of each switch it attaches to. */
static void check_hosts_with_leaves(const struct sim_topo *t, const struct sim_partition *p)
{
	uint32_t h, pl;

	for (h = 0; h < t->nhosts; h++)
		for (pl = 0; pl < t->nplanes; pl++)
			assert_int_equal(p->part[h], p->part[sim_topo_host_leaf(t, h, pl)]);
}

/* The per-part figures add up to the fabric's. */
static void check_totals(const struct sim_topo *t, const struct sim_partition *p)
{
	uint64_t nodes = 0, hosts = 0, sw = 0, ports = 0, cut = 0;
	uint32_t k;

	for (k = 0; k < p->nparts; k++) {
		nodes += p->parts[k].nodes;
		hosts += p->parts[k].hosts;
		sw += p->parts[k].switches;
		ports += p->parts[k].ports;
		cut += p->parts[k].cut_links;
		assert_true(p->parts[k].hosts > 0);	/* no part left without servers */
	}
	assert_int_equal(nodes, t->nnodes);
	assert_int_equal(hosts, t->nhosts);
	assert_int_equal(sw, t->nswitches);
	assert_int_equal(ports, t->nports);
	assert_int_equal(cut, 2 * p->cut_links);	/* each cut link has two ends */
}

static void test_nparts_one(void **state)
{
	struct sim_topo *t = leafspine_8x16();
	struct sim_partition p;
	uint32_t n;

	(void)state;
	assert_int_equal(sim_partition(t, 1, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
	for (n = 0; n < t->nnodes; n++)
		assert_int_equal(p.part[n], 0);
	assert_int_equal(p.cut_links, 0);
	assert_true(p.lookahead_ps == UINT64_MAX);
	assert_int_equal(p.lookahead_port, SIM_NONE);
	/* 128 hosts + 8 leaves + 16 spines; 2 x (128 + 8 x 16) = 512 ports */
	assert_int_equal(p.parts[0].nodes, 152);
	assert_int_equal(p.parts[0].ports, 512);
	sim_partition_free(&p);
	sim_topo_free(t);
}

/*
 * 8 leaves x 16 hosts, 16 spines into N = 2, 4, 8 parts: a leaf group is
 * 16 hosts (1 port each) + a leaf (16 down + 16 up) = 48 ports, a spine 8.
 * Each part: 8/N leaves, 16/N spines, 512/N ports. A leaf keeps 16/N of its
 * 16 uplinks inside: 8 x (16 - 16/N) cut links = 64, 96, 112. Per part:
 * (8/N) x (16 - 16/N) leaf ends + (16/N) x (8 - 8/N) spine ends.
 * Lookahead: 84 B at 800G = 672e12 / 800e9 = 840 ps, + 20 m x 5 ns/m =
 * 100 ns: 100,840 ps.
 */
static void test_leafspine_parts(void **state)
{
	static const uint32_t ns[] = { 2, 4, 8 };
	static const uint64_t cut[] = { 64, 96, 112 };
	struct sim_topo *t = leafspine_8x16();
	uint32_t i, k, n;

	(void)state;
	for (i = 0; i < 3; i++) {
		uint32_t np = ns[i], spines[8] = { 0 }, leaves[8] = { 0 };
		struct sim_partition p;

		assert_int_equal(sim_partition(t, np, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
		assert_int_equal(p.mode, SIM_PART_LEAF);
		assert_int_equal(p.ngroups, 8);
		check_hosts_with_leaves(t, &p);
		check_totals(t, &p);
		for (n = t->nhosts; n < t->nnodes; n++) {
			if (t->nodes[n].tier == 1)
				leaves[p.part[n]]++;
			else
				spines[p.part[n]]++;
		}
		assert_int_equal(p.cut_links, cut[i]);
		for (k = 0; k < np; k++) {
			assert_int_equal(leaves[k], 8 / np);
			assert_int_equal(spines[k], 16 / np);
			assert_int_equal(p.parts[k].hosts, 128 / np);
			assert_int_equal(p.parts[k].ports, 512 / np);
			assert_int_equal(p.parts[k].cut_links,
					 (8 / np) * (16 - 16 / np) + (16 / np) * (8 - 8 / np));
		}
		assert_int_equal(p.lookahead_ps, 100840);
		sim_partition_free(&p);
	}
	sim_topo_free(t);
}

/*
 * Uneven leaf groups: 8 leaves into 3 parts. Largest-first greedy on equal
 * groups of 48 ports gives 3, 3, 2 leaves; the 16 spines (8 ports) go 6, 5,
 * 5 by count, the sixth to the lightest part, the one with 2 leaves:
 * ports 3 x 48 + 5 x 8 = 184, 184 and 2 x 48 + 6 x 8 = 144. Parts differ
 * by less than one leaf group's 48 ports plus one spine.
 */
static void test_leafspine_uneven(void **state)
{
	struct sim_topo *t = leafspine_8x16();
	struct sim_partition p;

	(void)state;
	assert_int_equal(sim_partition(t, 3, SIM_PART_LEAF, &p, err, sizeof(err)), 0);
	check_hosts_with_leaves(t, &p);
	check_totals(t, &p);
	assert_int_equal(p.parts[0].ports, 184);
	assert_int_equal(p.parts[1].ports, 184);
	assert_int_equal(p.parts[2].ports, 144);
	assert_int_equal(p.parts[2].switches, 2 + 6);
	sim_partition_free(&p);
	sim_topo_free(t);
}

/*
 * 4 pods x 2 leaves x 4 hosts, 2 aggs per pod, 2 core groups of 2 cores;
 * leaf-agg 800G over 10 m (50 ns), agg-core 400G over 100 m (500 ns).
 * A pod: 8 hosts + 2 leaves (4 + 2 ports) + 2 aggs (2 + 2) = 8 + 12 + 8 =
 * 28 ports; a core 4 (one link per pod). Cores spread in id order:
 * core0 p0, core1 p1, core2 p0, core3 p1 with 2 parts; core k in part k
 * with 4. Only agg-core links are cut: with 2 parts each agg reaches its
 * group's 2 cores, one per part: 8 aggs x 1 = 8. With 4, pod q holds
 * core q, in group q / 2: its agg q / 2 has 1 cut link, the other 2: 3
 * per pod, 12. Lookahead: 84 B at 400G = 1,680 ps + 500,000 = 501,680.
 */
static struct sim_topo *fattree_4pods(void)
{
	struct sim_fattree_params p = {
		.c = { .host_rate_bps = 800 * G, .host_delay_ps = 15000, .fabric_delay_ps = 50000,
		       .core_delay_ps = 500000 },
		.pods = 4, .leaves_per_pod = 2, .hosts_per_leaf = 4, .aggs_per_pod = 2,
		.cores_per_group = 2, .core_rate_bps = 400 * G,
	};
	struct sim_topo *t;

	assert_int_equal(sim_topo_fattree(&p, &t, err, sizeof(err)), 0);
	return t;
}

static void test_fattree_pods(void **state)
{
	struct sim_topo *t = fattree_4pods();
	struct sim_partition p;
	uint32_t n, k, pod_part[4];

	(void)state;
	assert_int_equal(sim_partition(t, 2, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
	assert_int_equal(p.mode, SIM_PART_POD);
	assert_int_equal(p.ngroups, 4);
	check_hosts_with_leaves(t, &p);
	check_totals(t, &p);
	assert_int_equal(p.cut_links, 8);
	for (k = 0; k < 2; k++) {
		assert_int_equal(p.parts[k].ports, 2 * 28 + 2 * 4);
		assert_int_equal(p.parts[k].switches, 2 * 4 + 2);
	}
	assert_int_equal(p.lookahead_ps, 501680);
	sim_partition_free(&p);

	assert_int_equal(sim_partition(t, 4, SIM_PART_POD, &p, err, sizeof(err)), 0);
	check_totals(t, &p);
	/* every leaf and agg of a pod with the pod's first host */
	for (k = 0; k < 4; k++)
		pod_part[k] = p.part[k * 8];
	for (n = t->nhosts; n < t->nnodes; n++)
		if (t->nodes[n].tier < 3)
			assert_int_equal(p.part[n], pod_part[t->nodes[n].pod]);
	assert_int_equal(p.cut_links, 12);
	sim_partition_free(&p);
	sim_topo_free(t);
}

/* 5 parts: 4 pods are too few, so auto takes the 8 leaf groups; pod refuses. */
static void test_fattree_fallback(void **state)
{
	struct sim_topo *t = fattree_4pods();
	struct sim_partition p;

	(void)state;
	assert_int_equal(sim_partition(t, 5, SIM_PART_POD, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "5 parts but 4 pods"));
	assert_non_null(strstr(err, "at most 4 parts"));
	assert_null(p.part);
	assert_int_equal(sim_partition(t, 5, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
	assert_int_equal(p.mode, SIM_PART_LEAF);
	assert_int_equal(p.ngroups, 8);
	check_hosts_with_leaves(t, &p);
	check_totals(t, &p);
	sim_partition_free(&p);
	assert_int_equal(sim_partition(t, 9, SIM_PART_AUTO, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "9 parts but 8 leaf groups"));
	sim_topo_free(t);
}

/*
 * railopt-demo: 32 servers x 8 GPUs, 4 leaves per rail of 8 servers, 4
 * spines. Server s uses leaf r x 4 + s / 8 of every rail r, so whole
 * servers make 4 groups (block b: 8 leaves, 64 GPUs); 5 parts are
 * refused. Into 4: a spine each; a leaf's 4 uplinks (800G, 20 m) keep 1
 * inside: 32 x 3 = 96 cut links. Into 2: 32 x 2 = 64. Lookahead 840 ps +
 * 100,000 ps.
 */
static void test_railopt_servers(void **state)
{
	struct sim_topo *t;
	struct sim_partition p;
	uint32_t h, k, np;

	(void)state;
	assert_int_equal(sim_topo_read("topologies/railopt-demo.topo", &t, err, sizeof(err)), 0);
	assert_int_equal(t->gpus_per_server, 8);
	for (np = 2; np <= 4; np += 2) {
		assert_int_equal(sim_partition(t, np, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
		assert_int_equal(p.ngroups, 4);
		check_hosts_with_leaves(t, &p);
		check_totals(t, &p);
		for (h = 0; h < t->nhosts; h++)
			assert_int_equal(p.part[h], p.part[h - h % 8]);
		for (k = 0; k < np; k++) {
			assert_int_equal(p.parts[k].hosts, 256 / np);
			assert_int_equal(p.parts[k].switches, 32 / np + 4 / np);
		}
		assert_int_equal(p.cut_links, 32 * (4 - 4 / np));
		assert_int_equal(p.lookahead_ps, 100840);
		sim_partition_free(&p);
	}
	assert_int_equal(sim_partition(t, 5, SIM_PART_AUTO, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "railopt-demo"));
	assert_non_null(strstr(err, "4 leaf groups"));
	assert_non_null(strstr(err, "at most 4 parts"));
	assert_int_equal(sim_partition(t, 2, SIM_PART_POD, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "3-tier"));
	assert_int_equal(sim_partition(t, 0, SIM_PART_AUTO, &p, err, sizeof(err)), -EINVAL);
	sim_topo_free(t);
}

/*
 * tiny-explicit with leaf1-spine0 at delay 0. Groups {h0, h1, leaf0} and
 * {h2, h3, leaf1} (2 + 4 ports each) go to parts 0 and 1, spine0 to part 0,
 * spine1 to part 1: leaf0:spine1 and leaf1:spine0 are cut, the second
 * without delay.
 */
static const char zero_delay[] =
	"name = \"zero\";\n"
	"fabric = { kind = \"explicit\"; host_rate = \"800G\"; fabric_rate = \"800G\";\n"
	"  nodes = ( { name = \"h0\"; kind = \"host\"; }, { name = \"h1\"; kind = \"host\"; },\n"
	"    { name = \"h2\"; kind = \"host\"; }, { name = \"h3\"; kind = \"host\"; },\n"
	"    { name = \"leaf0\"; kind = \"switch\"; }, { name = \"leaf1\"; kind = \"switch\"; },\n"
	"    { name = \"spine0\"; kind = \"switch\"; tier = 2; },\n"
	"    { name = \"spine1\"; kind = \"switch\"; tier = 2; } );\n"
	"  links = ( (\"h0\", \"leaf0\"), (\"h1\", \"leaf0\"), (\"h2\", \"leaf1\"), (\"h3\", \"leaf1\"),\n"
	"    (\"leaf0\", \"spine0\"), (\"leaf0\", \"spine1\"),\n"
	"    (\"leaf1\", \"spine0\", \"800G\", 0.0, 0.0), (\"leaf1\", \"spine1\") );\n"
	"};\n";

static void test_zero_delay(void **state)
{
	struct sim_topo *t = sim_topo_load_string(zero_delay, "zero");
	struct sim_partition p;

	(void)state;
	assert_non_null(t);
	assert_int_equal(sim_partition(t, 2, SIM_PART_AUTO, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "leaf1:spine0 has no delay: a cut there leaves no lookahead; "
			    "choose another partition or give the link a delay");
	assert_null(p.part);
	assert_int_equal(sim_partition(t, 1, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
	assert_int_equal(p.cut_links, 0);
	sim_partition_free(&p);
	sim_topo_free(t);
}

/* The same input gives the same partition, part for part. */
static void test_deterministic(void **state)
{
	struct sim_topo *t;
	struct sim_partition a, b;

	(void)state;
	assert_int_equal(sim_topo_read("topologies/railopt-demo.topo", &t, err, sizeof(err)), 0);
	assert_int_equal(sim_partition(t, 4, SIM_PART_LEAF, &a, err, sizeof(err)), 0);
	assert_int_equal(sim_partition(t, 4, SIM_PART_LEAF, &b, err, sizeof(err)), 0);
	assert_memory_equal(a.part, b.part, t->nnodes * sizeof(*a.part));
	assert_memory_equal(a.parts, b.parts, a.nparts * sizeof(*a.parts));
	assert_int_equal(a.lookahead_ps, b.lookahead_ps);
	assert_int_equal(a.lookahead_port, b.lookahead_port);
	sim_partition_free(&a);
	sim_partition_free(&b);
	sim_topo_free(t);
}

static void test_names_and_print(void **state)
{
	struct sim_topo *t = leafspine_8x16();
	struct sim_partition p;
	enum sim_part_mode m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (m = SIM_PART_AUTO; m < SIM_PART_NMODES; m++) {
		enum sim_part_mode back = SIM_PART_NMODES;

		assert_int_equal(sim_part_mode_from_name(sim_part_mode_name(m), &back), 0);
		assert_int_equal(back, m);
	}
	assert_int_equal(sim_part_mode_from_name("rack", &m), -EINVAL);
	assert_null(sim_part_mode_name(SIM_PART_NMODES));

	assert_int_equal(sim_partition(t, 4, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	sim_partition_print(t, &p, f);
	fclose(f);
	/* 2 leaf groups (96) + 4 spines (32) = 128 ports; 2 x 12 + 4 x 6 = 48 ends cut */
	assert_non_null(strstr(buf, "part 3: 38 nodes, 32 hosts, 6 switches, 128 ports, "
			       "48 cut links\n"));
	assert_non_null(strstr(buf, "lookahead: 100.840 ns"));
	free(buf);
	sim_partition_free(&p);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nparts_one),
		cmocka_unit_test(test_leafspine_parts),
		cmocka_unit_test(test_leafspine_uneven),
		cmocka_unit_test(test_fattree_pods),
		cmocka_unit_test(test_fattree_fallback),
		cmocka_unit_test(test_railopt_servers),
		cmocka_unit_test(test_zero_delay),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_names_and_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
