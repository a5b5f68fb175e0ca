/*
 * NCCL's rings on multi-NIC servers (collectives/algo_ring.c): channel c
 * enters every server at local GPU c and leaves it from local GPU c-1,
 * through NIC c with PXN. On servers of 8 GPUs x 8 NICs with 8 channels
 * every NIC then sends the same bytes, and with PXN a rail-optimized
 * fabric keeps every inter-server transfer on its rail leaf. The checker
 * refuses a schedule whose hop uses another NIC; without servers the
 * schedule is the identity ring of before.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/cli/load.h"
#include "collectives/sched.h"
#include "sim/traffic/coll_sim.h"

#define SERVERS 4
#define GPUS 8
#define NRANKS (SERVERS * GPUS)

/* 4 servers x 8 GPUs, one rail leaf per rail: a same-rail hop never climbs to a spine. */
static struct sim_topo *railopt_small(void)
{
	static const char text[] =
		"switch = { latency_ns = 600; buffer_mb = 64; };\n"
		"fabric = { kind = \"railopt\"; servers = 4; gpus_per_server = 8; leaves_per_rail = 1;\n"
		"  spines = 2; host_rate = \"400G\"; fabric_rate = \"800G\"; };\n";

	return sim_topo_load_string(text, "railopt-small.topo");
}

struct ring_run {
	uint64_t payload[NRANKS];	/* network payload each host's NIC sent */
	uint64_t host_tx[NRANKS];	/* wire bytes of each host's uplink port */
	uint64_t leaf_up_bytes;		/* wire bytes leaves sent to spines */
	uint32_t cross_rail_flows;	/* network flows between hosts of different rails */
};

static void ring_run(uint8_t pxn, uint64_t S, struct ring_run *out)
{
	struct sim_topo *t = railopt_small();
	struct sim_coll_job j;
	struct sim_config cfg;
	uint8_t used[NRANKS] = { 0 };
	struct sim *s;

	assert_non_null(t);
	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	strcpy(j.name, "t");
	j.kind = COLL_ALLREDUCE;
	j.algo = COLL_ALGO_RING;
	j.nranks = NRANKS;
	j.bytes = S;
	j.elem_bytes = 4;
	j.chunk_bytes = 1 << 20;
	j.gpus_per_server = GPUS;
	j.nvlink_bps = 3600000000000ULL;
	j.nvlink_lat_ps = 1000000;
	j.pxn = pxn;
	j.placement = SIM_PLACE_RANDOM;
	/*
	 * A job that names no channel count runs one; SIM_COLL_CHANNELS_NCCL
	 * (fabsim run's default) one ring per NIC of a server.
	 */
	assert_int_equal(sim_coll_job_channels(&j), 1);
	j.nchannels = SIM_COLL_CHANNELS_NCCL;
	assert_int_equal(sim_coll_job_channels(&j), GPUS);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_int_equal(sim_coll_place(t, &j, used, 7, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, &j, NULL, 0), 0);
	s->keep_flows = 1;
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, s->nflows);
	for (uint32_t i = 0; i < j.nflows; i++) {
		struct sim_flow tmp;
		const struct sim_flow *f = sim_flow_get(s, j.first_flow + i, &tmp);

		if (f->local)
			continue;
		out->payload[t->nodes[f->src].index] += f->bytes;
		out->cross_rail_flows += t->nodes[f->src].group != t->nodes[f->dst].group;
	}
	for (uint32_t i = 0; i < t->nports; i++) {
		const struct sim_node *n = &t->nodes[t->ports[i].node];

		if (n->tier == 0)
			out->host_tx[n->index] += s->pq[i].tx_bytes;
		else if (n->tier == 1 && t->ports[i].up)
			out->leaf_up_bytes += s->pq[i].tx_bytes;
	}
	free(j.rank_host);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * Ring all-reduce, n = 32 ranks, 8 channels of S/8. A channel's ring has
 * one inter-server hop per server, which carries 2(n-1) blocks of
 * S/8/n: 2 x 31 x 32 KiB = 2,031,616 bytes for S = 8 MiB. With PXN
 * server s's hop of channel c leaves through NIC c, so each of the 32
 * NICs sends exactly one hop: the same payload, and the same wire bytes
 * (data + the ACKs of the one hop it receives) within 1%. Before, every
 * channel left through local GPU 7: 4 NICs sent all, 28 nothing.
 */
static void test_ring_every_nic_same_bytes(void **state)
{
	const uint64_t S = 8ULL << 20, hop = 2ULL * (NRANKS - 1) * (S / GPUS / NRANKS);
	struct ring_run r;
	uint64_t lo = UINT64_MAX, hi = 0;

	(void)state;
	ring_run(1, S, &r);
	for (uint32_t h = 0; h < NRANKS; h++) {
		assert_int_equal(r.payload[h], hop);
		if (r.host_tx[h] < lo)
			lo = r.host_tx[h];
		if (r.host_tx[h] > hi)
			hi = r.host_tx[h];
	}
	print_message("per-NIC wire tx: min %llu max %llu bytes (payload %llu)\n",
		      (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)hop);
	assert_true(lo > hop);
	assert_true((double)hi / (double)lo - 1 < 0.01);
}

/*
 * With PXN the network leg of every hop is NIC c -> NIC c: one rail, one
 * rail leaf, so no byte goes up to a spine and no flow crosses rails.
 * Without PXN the hop leaves GPU c-1's own NIC for GPU c: every one of
 * the 32 inter-server hops crosses rails through a spine, and still each
 * NIC sends one hop.
 */
static void test_pxn_stays_on_rail(void **state)
{
	const uint64_t S = 8ULL << 20, hop = 2ULL * (NRANKS - 1) * (S / GPUS / NRANKS);
	struct ring_run on, off;

	(void)state;
	ring_run(1, S, &on);
	assert_int_equal(on.cross_rail_flows, 0);
	assert_int_equal(on.leaf_up_bytes, 0);
	ring_run(0, S, &off);
	/* 8 channels x 4 hops x 2(n-1) steps, one chunk each */
	assert_int_equal(off.cross_rail_flows, GPUS * SERVERS * 2 * (NRANKS - 1));
	assert_true(off.leaf_up_bytes > GPUS * SERVERS * hop);
	for (uint32_t h = 0; h < NRANKS; h++)
		assert_int_equal(off.payload[h], hop);
}

static void build(struct coll_sched *s, enum coll_kind kind, uint32_t n, uint32_t g, uint32_t nch, uint8_t pxn)
{
	struct coll_params p = {
		.kind = kind, .algo = COLL_ALGO_RING, .nranks = n, .bytes = 64 << 10,
		.elem_bytes = 4, .nchannels = nch, .gpus_per_server = g, .pxn = pxn,
	};

	coll_sched_init(s);
	assert_int_equal(coll_build(s, &p), 0);
}

/*
 * Every ring kind on 3 servers of 4, 6 channels (more channels than NICs:
 * channel c uses NIC c mod 4): proved by the checker, and each inter-server
 * hop of channel c is local GPU c-1 -> c through NIC c (with PXN).
 */
static void test_sched_construction(void **state)
{
	static const enum coll_kind kinds[] = { COLL_ALLREDUCE, COLL_ALLGATHER, COLL_REDUCESCATTER };
	struct coll_sched s;
	char err[256];

	(void)state;
	for (unsigned int k = 0; k < 3; k++) {
		for (uint8_t pxn = 0; pxn < 2; pxn++) {
			uint32_t hops = 0;

			build(&s, kinds[k], 12, 4, 6, pxn);
			assert_int_equal(coll_sched_check(&s, err, sizeof(err)), 0);
			for (uint32_t i = 0; i < s.nxfers; i++) {
				const struct coll_xfer *x = &s.xfers[i];

				if (x->src_rank / 4 == x->dst_rank / 4)
					continue;
				hops++;
				assert_int_equal(x->dst_rank % 4, x->channel % 4);
				assert_int_equal(x->src_rank % 4, (x->channel + 3) % 4);
				assert_int_equal(x->pxn, pxn);
				assert_int_equal(coll_xfer_nic_rank(&s, x) % 4, pxn ? x->channel % 4 : (x->channel + 3) % 4);
			}
			/* 6 channels x 3 servers x (2 or 1) x (n-1) steps */
			assert_int_equal(hops, 6 * 3 * (kinds[k] == COLL_ALLREDUCE ? 2 : 1) * 11);
			coll_sched_free(&s);
		}
	}
}

/* A hop moved to another NIC, or a PXN flag inside a server, is refused. */
static void test_checker_refuses_wrong_nic(void **state)
{
	struct coll_sched s;
	char err[256];
	uint32_t i;

	(void)state;
	build(&s, COLL_ALLREDUCE, 8, 4, 2, 1);
	for (i = 0; i < s.nxfers && s.xfers[i].src_rank / 4 == s.xfers[i].dst_rank / 4; i++)
		;
	assert_true(i < s.nxfers);
	s.xfers[i].pxn = 0;	/* leaves through GPU c-1's own NIC */
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "uses NIC"));
	s.xfers[i].pxn = 1;
	for (i = 0; i < s.nxfers && s.xfers[i].src_rank / 4 != s.xfers[i].dst_rank / 4; i++)
		;
	s.xfers[i].pxn = 1;
	assert_int_equal(coll_sched_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "PXN"));
	coll_sched_free(&s);
}

/*
 * Without servers (g 0 or 1), with one server, or with a partial server,
 * every channel is the identity ring 0 -> 1 -> ... and nothing is PXN:
 * g = 0 and g = 1 build the same transfers, and the default stays 1 channel.
 */
static void test_no_servers_identity(void **state)
{
	struct coll_params p = { .kind = COLL_ALLREDUCE, .algo = COLL_ALGO_RING, .nranks = 10, .gpus_per_server = 4 };
	struct coll_sched a, b;
	uint32_t m[10];

	(void)state;
	build(&a, COLL_ALLREDUCE, 8, 0, 3, 1);
	build(&b, COLL_ALLREDUCE, 8, 1, 3, 1);
	assert_int_equal(a.nxfers, b.nxfers);
	for (uint32_t i = 0; i < a.nxfers; i++) {
		assert_int_equal(a.xfers[i].src_rank, b.xfers[i].src_rank);
		assert_int_equal(a.xfers[i].dst_rank, b.xfers[i].dst_rank);
		assert_int_equal(a.xfers[i].src_off_bytes, b.xfers[i].src_off_bytes);
		assert_int_equal(a.xfers[i].pxn, 0);
		assert_int_equal(a.xfers[i].dst_rank, (a.xfers[i].src_rank + 1) % 8);
	}
	coll_sched_free(&a);
	coll_sched_free(&b);
	assert_false(coll_ring_on_rails(10, 4));	/* 2.5 servers */
	assert_false(coll_ring_on_rails(8, 8));		/* one server */
	assert_true(coll_ring_on_rails(16, 8));
	coll_ring_order(10, 4, 3, m);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(m[i], i);
	assert_int_equal(coll_default_channels(&p), 1);
	p.nranks = 16;
	assert_int_equal(coll_default_channels(&p), 4);
	p.algo = COLL_ALGO_HIER;
	assert_int_equal(coll_default_channels(&p), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_every_nic_same_bytes),
		cmocka_unit_test(test_pxn_stays_on_rail),
		cmocka_unit_test(test_sched_construction),
		cmocka_unit_test(test_checker_refuses_wrong_nic),
		cmocka_unit_test(test_no_servers_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
