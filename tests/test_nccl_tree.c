/*
 * NCCL's trees on multi-NIC servers (collectives/algo_tree.c): channel c
 * is a chain c, c+1, ..., c-1 inside every server, reducing towards its
 * head GPU c, and the heads form NCCL's double binary tree over servers
 * (trees.cc ncclGetDtree, connect.cc connectTrees). Every inter-server
 * transfer of channel c is then GPU c -> GPU c: NIC c, rail c, no PXN.
 * The checker proves the schedules and refuses a transfer on another NIC;
 * a short simulation on a rail-optimized fabric shows every NIC of a server
 * sending the bytes the node trees give it, and nothing leaving its rail.
 * Without servers the schedule is the tree over ranks of before.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/cli/load.h"
#include "collectives/algo.h"
#include "collectives/sched.h"
#include "sim/traffic/coll_sim.h"

#define GPUS 8
#define MAX_SERVERS 4
#define MAX_RANKS (MAX_SERVERS * GPUS)

static void build(struct coll_sched *s, uint32_t n, uint32_t g, uint32_t nch, uint64_t bytes,
		  uint64_t chunk)
{
	struct coll_params p = {
		.kind = COLL_ALLREDUCE, .algo = COLL_ALGO_TREE, .nranks = n, .bytes = bytes,
		.elem_bytes = 4, .nchannels = nch, .chunk_bytes = chunk, .gpus_per_server = g, .pxn = 1,
	};

	coll_sched_init(s);
	assert_int_equal(coll_build(s, &p), 0);
}

/* Degree of server V in both trees over NN servers: its edges, each carrying a tree half both ways. */
static uint32_t node_degree(uint32_t nn, uint32_t v)
{
	uint32_t d = 0, w;

	for (unsigned int tr = 0; tr < 2; tr++)
		for (w = 0; w < nn; w++)
			d += coll_tree_parent(nn, tr, w) == v || (w == v && coll_tree_parent(nn, tr, v) != COLL_NONE);
	return d;
}

/*
 * 2..5 servers of 8 GPUs, 8 channels, sizes that divide evenly and not
 * (10007 floats: tree halves one element apart), with and without chunks:
 * the checker proves each schedule, and the construction holds transfer by
 * transfer: inside a server only chain neighbours of the channel's order
 * talk (over NVLink, intra); across servers only GPU c to GPU c of channel
 * c (rail c mod 8), never PXN, between servers linked in a node tree.
 */
static void test_construction(void **state)
{
	static const uint64_t sizes[] = { 64 << 10, 4 * 10007 };
	static const uint64_t chunks[] = { 0, 4096 };
	struct coll_sched s;
	char err[256];

	(void)state;
	for (uint32_t servers = 2; servers <= 5; servers++) {
		for (unsigned int k = 0; k < 4; k++) {
			uint32_t n = servers * GPUS, inter = 0;

			build(&s, n, GPUS, GPUS, sizes[k % 2], chunks[k / 2]);
			assert_int_equal(coll_sched_check(&s, err, sizeof(err)), 0);
			for (uint32_t i = 0; i < s.nxfers; i++) {
				const struct coll_xfer *x = &s.xfers[i];
				uint32_t head = x->channel % GPUS, a = x->src_rank, b = x->dst_rank;
				uint32_t pa = (a % GPUS + GPUS - head) % GPUS, pb = (b % GPUS + GPUS - head) % GPUS;

				assert_int_equal(x->pxn, 0);
				if (a / GPUS == b / GPUS) {
					assert_int_equal(x->intra, 1);
					assert_true(pa + 1 == pb || pb + 1 == pa);
					continue;
				}
				inter++;
				assert_int_equal(x->intra, 0);
				assert_int_equal(a % GPUS, head);
				assert_int_equal(b % GPUS, head);
				assert_int_equal(coll_xfer_nic_rank(&s, x) % GPUS, head);
			}
			/*
			 * 2 trees x (servers - 1) node edges x 2 directions per
			 * channel and chunk; unchunked each tree half is one chunk.
			 */
			if (!chunks[k / 2])
				assert_int_equal(inter, GPUS * 2 * (servers - 1) * 2);
			coll_sched_free(&s);
		}
	}
	/* more channels than NICs (channel c on NIC c mod 4), 3 servers of 4, uneven */
	build(&s, 12, 4, 6, 4 * 1001, 0);
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < s.nxfers; i++)
		if (s.xfers[i].src_rank / 4 != s.xfers[i].dst_rank / 4)
			assert_int_equal(s.xfers[i].src_rank % 4, s.xfers[i].channel % 4);
	coll_sched_free(&s);
}

/*
 * By hand, 2 servers of 4 GPUs, 4 channels, S = 64 KiB, unchunked: a tree
 * half is h = S / (2 x 4) = 8 KiB. Each tree over ranks has n - 1 = 7
 * edges (3 chain links per server + 1 between the heads), each carrying h
 * up (reduce) and h down (copy): 4 x 2 x 2 x 7 = 112 transfers, of which
 * 4 x 2 x 2 x 1 = 16 cross servers. Per rank, over the 4 channels it holds
 * each chain position once: the head sends h up the node tree in one tree
 * and h down in the other (N = 2: tree 0 is 1 -> 0, tree 1 its mirror
 * 0 -> 1), plus h to its chain child per tree: 4h; positions 1 and 2 send
 * h up and h down per tree: 4h each; the tail sends h up per tree: 2h.
 * 14h = 112 KiB per rank, of which 2h = 16 KiB = S / channels over the
 * network (through its own NIC, in the one channel it heads).
 */
static void test_counts_by_hand(void **state)
{
	const uint64_t S = 64 << 10, h = S / 8;
	struct coll_sched s;
	uint32_t inter = 0;
	uint64_t net[8] = { 0 };
	char err[256];

	(void)state;
	build(&s, 8, 4, 4, S, 0);
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), 0);
	assert_int_equal(s.nxfers, 112);
	for (uint32_t i = 0; i < s.nxfers; i++) {
		const struct coll_xfer *x = &s.xfers[i];

		assert_int_equal(x->bytes, h);
		if (x->intra)
			continue;
		inter++;
		net[x->src_rank] += x->bytes;
	}
	assert_int_equal(inter, 16);
	for (uint32_t r = 0; r < 8; r++) {
		assert_int_equal(coll_sched_tx_bytes(&s, r), 14 * h);
		assert_int_equal(net[r], 2 * h);
	}
	coll_sched_free(&s);
	/* chunks of 4 KiB cut every tree half in 2: twice the transfers */
	build(&s, 8, 4, 4, S, 4096);
	assert_int_equal(s.nxfers, 224);
	coll_sched_free(&s);
}

/*
 * The node trees by hand (ncclGetBtree / ncclGetDtree over 4 servers):
 * tree 0 is 0 -> 2 <- {1, 3}, rooted at 0; tree 1, the mirror, is
 * 3 -> 1 <- {0, 2}, rooted at 3. Degrees in both: 2, 4, 4, 2. Rank
 * parents of channel 3 on 4 x 8: chain 3, 4, ..., 2 in each server, the
 * head GPU 3 of server 1 hangs off GPU 3 of server 2 in tree 0.
 */
static void test_node_trees(void **state)
{
	static const uint32_t p0[4] = { COLL_NONE, 2, 0, 2 }, p1[4] = { 1, 3, 1, COLL_NONE };
	static const uint32_t deg[4] = { 2, 4, 4, 2 };
	uint32_t parent[MAX_RANKS];

	(void)state;
	for (uint32_t v = 0; v < 4; v++) {
		assert_int_equal(coll_tree_parent(4, 0, v), p0[v]);
		assert_int_equal(coll_tree_parent(4, 1, v), p1[v]);
		assert_int_equal(node_degree(4, v), deg[v]);
	}
	coll_tree_rank_parents(MAX_RANKS, GPUS, 3, 0, parent);
	assert_int_equal(parent[8 + 3], 16 + 3);	/* head of server 1 -> head of server 2 */
	assert_int_equal(parent[0 + 3], COLL_NONE);	/* head of the root server 0 */
	assert_int_equal(parent[8 + 4], 8 + 3);		/* chain: 4 reduces into the head 3 */
	assert_int_equal(parent[8 + 2], 8 + 1);		/* the tail 2 into 1 */
	assert_int_equal(parent[8 + 0], 8 + 7);		/* 0 comes after 7 */
	coll_tree_rank_parents(MAX_RANKS, GPUS, 3, 1, parent);
	assert_int_equal(parent[24 + 3], COLL_NONE);	/* tree 1 is rooted at server 3 */
	assert_int_equal(parent[0 + 3], 8 + 3);
}

/* A transfer moved to another GPU's NIC, or between servers no tree links, is refused. */
static void test_checker_refuses(void **state)
{
	struct coll_sched s;
	char err[256];
	uint32_t i;

	(void)state;
	build(&s, 32, GPUS, GPUS, 64 << 10, 0);
	for (i = 0; i < s.nxfers && s.xfers[i].intra; i++)
		;
	assert_true(i < s.nxfers);
	/* the reduce leaves from GPU c+1 of the same server: another NIC, rail c+1 */
	s.xfers[i].src_rank = s.xfers[i].src_rank - s.xfers[i].src_rank % GPUS + (s.xfers[i].channel + 1) % GPUS;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "through NIC"));
	coll_sched_free(&s);
	/* arriving at GPU c+1 of the other server, as a ring hop would: refused */
	build(&s, 32, GPUS, GPUS, 64 << 10, 0);
	for (i = 0; i < s.nxfers && s.xfers[i].intra; i++)
		;
	s.xfers[i].dst_rank = s.xfers[i].dst_rank - s.xfers[i].dst_rank % GPUS + (s.xfers[i].channel + 1) % GPUS;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "through NIC"));
	coll_sched_free(&s);
	/* servers 0 and 3 are linked in neither tree over 4 servers (test_node_trees) */
	build(&s, 32, GPUS, GPUS, 64 << 10, 0);
	for (i = 0; i < s.nxfers && (s.xfers[i].intra || s.xfers[i].src_rank / GPUS != 0); i++)
		;
	assert_true(i < s.nxfers);
	s.xfers[i].dst_rank = 3 * GPUS + s.xfers[i].dst_rank % GPUS;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not parent and child"));
	coll_sched_free(&s);
	/* an NVLink hop that skips a chain position */
	build(&s, 16, GPUS, GPUS, 64 << 10, 0);
	for (i = 0; i < s.nxfers && !s.xfers[i].intra; i++)
		;
	s.xfers[i].dst_rank = s.xfers[i].src_rank - s.xfers[i].src_rank % GPUS +
			      (s.xfers[i].src_rank % GPUS + 3) % GPUS;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "chain"));
	coll_sched_free(&s);
}

/*
 * Without two whole servers (g 0 or 1, one server, 2.5 servers) the tree
 * is over ranks exactly as before: the parents of coll_tree_parents, the
 * same transfers for g 0 and 1, and NCCL's default stays 1 channel. On
 * servers the default is one channel per NIC, duplicated.
 */
static void test_no_servers_unchanged(void **state)
{
	struct coll_params p = { .kind = COLL_ALLREDUCE, .algo = COLL_ALGO_TREE, .nranks = 10, .gpus_per_server = 4 };
	uint32_t a[10], b[10];
	struct coll_sched s0, s1;

	(void)state;
	for (unsigned int tr = 0; tr < 2; tr++) {
		coll_tree_parents(10, tr, a);
		coll_tree_rank_parents(10, 4, 1, tr, b);
		assert_memory_equal(a, b, sizeof(a));
		coll_tree_rank_parents(10, 0, 1, tr, b);
		assert_memory_equal(a, b, sizeof(a));
	}
	build(&s0, 8, 0, 3, 64 << 10, 4096);
	build(&s1, 8, 8, 3, 64 << 10, 4096);	/* one server */
	assert_int_equal(s0.nxfers, s1.nxfers);
	for (uint32_t i = 0; i < s0.nxfers; i++) {
		assert_int_equal(s0.xfers[i].src_rank, s1.xfers[i].src_rank);
		assert_int_equal(s0.xfers[i].dst_rank, s1.xfers[i].dst_rank);
		assert_int_equal(s0.xfers[i].src_off_bytes, s1.xfers[i].src_off_bytes);
		assert_int_equal(s0.xfers[i].channel, s1.xfers[i].channel);
	}
	coll_sched_free(&s0);
	coll_sched_free(&s1);
	assert_int_equal(coll_default_channels(&p), 1);
	assert_int_equal(coll_default_dup(&p), 1);
	p.nranks = 16;
	assert_int_equal(coll_default_channels(&p), 4);
	assert_int_equal(coll_default_dup(&p), 2);
	p.gpus_per_server = 8;
	p.nranks = 8;
	assert_int_equal(coll_default_channels(&p), 1);
}

/*
 * fabsim sched's construction lines (coll_sched_print_trees) for 4 x 8:
 * the node trees of test_node_trees, channel 3's chain 3..2 with head GPU
 * and NIC 3; nothing for a ring or without servers.
 */
static void test_print_trees(void **state)
{
	struct coll_sched s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	build(&s, 32, GPUS, GPUS, 64 << 10, 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	coll_sched_print_trees(f, &s);
	fclose(f);
	assert_non_null(strstr(buf, "# tree 0 over servers | 0: root, children 2 | 1: parent 2, children - | "
				 "2: parent 0, children 1,3 | 3: parent 2, children -\n"));
	assert_non_null(strstr(buf, "# tree 1 over servers | 0: parent 1, children - | 1: parent 3, children 0,2 | "
				 "2: parent 1, children - | 3: root, children 1\n"));
	assert_non_null(strstr(buf, "# channel 3: in each server the chain local GPUs 3 4 5 6 7 0 1 2 "
				 "(reduce towards the head GPU 3); between servers GPU 3 <-> GPU 3, NIC 3 <-> NIC 3"));
	assert_null(strstr(buf, "# channel 8"));
	free(buf);
	coll_sched_free(&s);
	build(&s, 8, 0, 2, 64 << 10, 0);
	buf = NULL;
	f = open_memstream(&buf, &len);
	coll_sched_print_trees(f, &s);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
	coll_sched_free(&s);
}

/* SERVERS servers x 8 GPUs, one rail leaf per rail: a same-rail hop never climbs to a spine. */
static struct sim_topo *railopt(uint32_t servers)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "switch = { latency_ns = 600; buffer_mb = 64; };\n"
		 "fabric = { kind = \"railopt\"; servers = %u; gpus_per_server = 8; leaves_per_rail = 1;\n"
		 "  spines = 2; host_rate = \"400G\"; fabric_rate = \"800G\"; };\n", servers);
	return sim_topo_load_string(text, "railopt-tree.topo");
}

struct tree_run {
	uint64_t payload[MAX_RANKS];	/* network payload each rank's NIC sent */
	uint64_t host_tx[MAX_RANKS];	/* wire bytes of each rank's host uplink */
	uint64_t leaf_up_bytes;		/* wire bytes leaves sent to spines */
	uint32_t cross_rail_flows;	/* network flows between hosts of different rails */
};

static void tree_run(uint32_t servers, uint64_t S, struct tree_run *out)
{
	struct sim_topo *t = railopt(servers);
	uint32_t n = servers * GPUS, host_rank[MAX_RANKS];
	uint8_t used[MAX_RANKS] = { 0 };
	struct sim_coll_job j;
	struct sim_config cfg;
	struct sim *s;

	assert_non_null(t);
	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	strcpy(j.name, "t");
	j.kind = COLL_ALLREDUCE;
	j.algo = COLL_ALGO_TREE;
	j.nranks = n;
	j.bytes = S;
	j.elem_bytes = 4;
	j.chunk_bytes = 1 << 20;
	j.gpus_per_server = GPUS;
	j.nvlink_bps = 3600000000000ULL;
	j.nvlink_lat_ps = 1000000;
	j.pxn = 1;
	j.placement = SIM_PLACE_RANDOM;
	/* --channels nccl: one tree channel per NIC, each run twice (NCCL's tree 0 and tree 1) */
	j.nchannels = SIM_COLL_CHANNELS_NCCL;
	assert_int_equal(sim_coll_job_channels(&j), GPUS);
	assert_int_equal(sim_coll_job_dup(&j), 2);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_int_equal(sim_coll_place(t, &j, used, 7, NULL, 0), 0);
	for (uint32_t r = 0; r < n; r++)
		host_rank[j.rank_host[r]] = r;
	assert_int_equal(sim_coll_add(s, &j, NULL, 0), 0);
	s->keep_flows = 1;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	for (uint32_t i = 0; i < j.nflows; i++) {
		struct sim_flow tmp;
		const struct sim_flow *f = sim_flow_get(s, j.first_flow + i, &tmp);

		if (f->local)
			continue;
		out->payload[host_rank[t->nodes[f->src].index]] += f->bytes;
		out->cross_rail_flows += t->nodes[f->src].group != t->nodes[f->dst].group;
	}
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_node *nd = &t->nodes[t->ports[i].node];

		if (nd->tier == 0)
			out->host_tx[host_rank[nd->index]] += s->pq[i].tx_bytes;
		else if (nd->tier == 1 && t->ports[i].up)
			out->leaf_up_bytes += s->pq[i].tx_bytes;
	}
	free(j.rank_host);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * 2 servers x 8 GPUs, S = 8 MiB, 8 channels: tree half h = S / 16 =
 * 512 KiB. With two servers each tree has one node edge (tree 0: 1 -> 0,
 * tree 1: 0 -> 1), so NIC c of each server sends h up in one tree and h
 * down in the other: 2h = 1 MiB = S / channels, every one of the 16 NICs
 * the same payload, and the same wire bytes (data + ACKs of the 1 MiB it
 * receives) within 1%. On rail c's leaf: nothing to the spines, no flow
 * crossing rails. (Before, the tree over ranks, ignoring servers, sent
 * through 6 of the 16 NICs, 4 to 8 MiB each, with PXN on: README draft.)
 */
static void test_every_nic_same_bytes(void **state)
{
	const uint64_t S = 8ULL << 20, h = S / (2 * GPUS);
	struct tree_run r;
	uint64_t lo = UINT64_MAX, hi = 0;

	(void)state;
	tree_run(2, S, &r);
	for (uint32_t k = 0; k < 2 * GPUS; k++) {
		assert_int_equal(r.payload[k], 2 * h);
		lo = r.host_tx[k] < lo ? r.host_tx[k] : lo;
		hi = r.host_tx[k] > hi ? r.host_tx[k] : hi;
	}
	print_message("per-NIC wire tx: min %llu max %llu bytes (payload %llu)\n",
		      (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)(2 * h));
	assert_true(lo > 2 * h);
	assert_true((double)hi / (double)lo - 1 < 0.01);
	assert_int_equal(r.cross_rail_flows, 0);
	assert_int_equal(r.leaf_up_bytes, 0);
}

/*
 * 4 servers x 8: the double binary tree over 4 servers gives server v
 * degree 2, 4, 4, 2 (test_node_trees), so NIC c of server v sends
 * deg(v) x h (one tree half per node edge and direction), h = S / 16:
 * every NIC of a server the same payload, wire bytes within 1% of each
 * other inside a server, servers 1 and 2 twice 0 and 3. Still nothing
 * leaves its rail.
 */
static void test_bytes_per_nic_by_degree(void **state)
{
	static const uint32_t deg[4] = { 2, 4, 4, 2 };
	const uint64_t S = 8ULL << 20, h = S / (2 * GPUS);
	struct tree_run r;

	(void)state;
	tree_run(4, S, &r);
	for (uint32_t v = 0; v < 4; v++) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (uint32_t l = 0; l < GPUS; l++) {
			uint32_t k = v * GPUS + l;

			assert_int_equal(r.payload[k], deg[v] * h);
			lo = r.host_tx[k] < lo ? r.host_tx[k] : lo;
			hi = r.host_tx[k] > hi ? r.host_tx[k] : hi;
		}
		assert_true(lo > deg[v] * h);
		assert_true((double)hi / (double)lo - 1 < 0.01);
	}
	assert_int_equal(r.cross_rail_flows, 0);
	assert_int_equal(r.leaf_up_bytes, 0);
}

/*
 * NCCL's tree chunk (coll_default_chunk), worked by hand from enqueue.cc's
 * rule: 512 KiB halved while bytes / (channels x chunk) < 8 x depth (down
 * to 128 KiB), then < 4 x depth (64 KiB), then < depth (32 KiB).
 */
static uint64_t default_chunk(enum coll_algo algo, uint32_t n, uint32_t g, uint32_t nch, uint64_t bytes)
{
	struct coll_params p = {
		.kind = COLL_ALLREDUCE, .algo = algo, .nranks = n, .gpus_per_server = g,
		.nchannels = nch, .bytes = bytes, .elem_bytes = 4,
	};

	return coll_default_chunk(&p);
}

static void test_nccl_chunk_by_hand(void **state)
{
	(void)state;
	/*
	 * hier-tree, 100,000 GPUs (12,500 servers of 8), 16 MiB: a rail's two
	 * trees carry the 2 MiB shard over 2 channels, depth log2i(12,500) =
	 * 13. 2M / (2 x 512K) = 2 < 104: 256K (4), 128K (8, the floor); 8 < 52:
	 * 64K (16, the floor); 16 >= 13: 64 KiB.
	 */
	assert_int_equal(default_chunk(COLL_ALGO_HIERTREE, 100000, 8, 1, 16 << 20), 64 << 10);
	/*
	 * tree on 128 servers of 8, 64 MiB: 8 channels x 2 twins = 16, depth
	 * 7 + log2i(128) = 14. 64M / (16 x 512K) = 8 < 112: 256K (16), 128K
	 * (32); 32 < 56: 64K (64); 64 >= 14: 64 KiB. At 1 GiB: 128 >= 112,
	 * the step itself, 512 KiB.
	 */
	assert_int_equal(default_chunk(COLL_ALGO_TREE, 1024, 8, 0, 64 << 20), 64 << 10);
	assert_int_equal(default_chunk(COLL_ALGO_TREE, 1024, 8, 0, 1ULL << 30), 512 << 10);
	/* 16 ranks, no servers, one channel: depth 4; 4M / 512K = 8 < 32, 256K: 16, 128K: 32 */
	assert_int_equal(default_chunk(COLL_ALGO_TREE, 16, 1, 1, 4 << 20), 128 << 10);
	/* tiny: every pass down to its floor, 32 KiB */
	assert_int_equal(default_chunk(COLL_ALGO_TREE, 16, 1, 1, 4096), 32 << 10);
	/* rings and hier keep fabsim's 1 MiB */
	assert_int_equal(default_chunk(COLL_ALGO_RING, 1024, 8, 0, 64 << 20), COLL_CHUNK_DEFAULT);
	assert_int_equal(default_chunk(COLL_ALGO_HIER, 1024, 8, 0, 64 << 20), COLL_CHUNK_DEFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_construction),
		cmocka_unit_test(test_nccl_chunk_by_hand),
		cmocka_unit_test(test_counts_by_hand),
		cmocka_unit_test(test_node_trees),
		cmocka_unit_test(test_checker_refuses),
		cmocka_unit_test(test_no_servers_unchanged),
		cmocka_unit_test(test_print_trees),
		cmocka_unit_test(test_every_nic_same_bytes),
		cmocka_unit_test(test_bytes_per_nic_by_degree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
