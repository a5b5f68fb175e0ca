/*
 * Queue pairs per connection as NCCL uses them (sim/fabric/run.c,
 * nic.c). A collective's transfers between two hosts on one channel are
 * messages of one connection, which keeps its N QPs (--qps,
 * NCCL_IB_QPS_PER_CONNECTION) and so their UDP source ports and ECMP
 * paths for the whole run; another channel is another connection. With
 * --split-qps off (NCCL_IB_SPLIT_DATA_ON_QPS=0, NCCL's default) message i
 * of a connection goes whole on QP slot i mod N; with on, every message is
 * split over the N QPs, bytes / N each (the first bytes % N one more).
 * The expectations below come from these rules and the schedule, rebuilt
 * here from the job, not from the simulator's outputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/sched.h"
#include "sim/cli/load.h"
#include "sim/traffic/coll_sim.h"

#define NRANKS 16
#define CHANNELS 2

/* 4 leaves x 4 hosts, 4 spines: a hop between leaves has 4 equal-cost spines. */
static struct sim_topo *leafspine(void)
{
	static const char text[] =
		"switch = { latency_ns = 600; buffer_mb = 32; };\n"
		"fabric = { kind = \"leafspine\"; leaves = 4; hosts_per_leaf = 4; spines = 4;\n"
		"  host_rate = \"400G\"; fabric_rate = \"400G\"; };\n";

	return sim_topo_load_string(text, "qps-leafspine.topo");
}

struct qrun {
	struct sim_topo *t;
	struct sim *s;
	struct sim_coll_job j;
	uint32_t *channel;	/* per flow of the job: its transfer's channel, from the schedule */
};

/*
 * Ring all-reduce of 1 MiB on 16 hosts (one GPU each, so every transfer
 * crosses the network), 2 channels, 64 KiB chunks: each channel's ring
 * hop carries 2 x 15 = 30 messages of 32 KiB, and both channels use the
 * same ring order, so every ring hop joins the same two hosts twice.
 */
static void qrun_start(struct qrun *r, uint32_t qps, enum sim_split_qps split, uint64_t seed)
{
	struct coll_params p;
	struct coll_sched sc;
	struct sim_config cfg;
	uint8_t used[NRANKS] = { 0 };

	memset(r, 0, sizeof(*r));
	r->t = leafspine();
	assert_non_null(r->t);
	strcpy(r->j.name, "q");
	r->j.kind = COLL_ALLREDUCE;
	r->j.algo = COLL_ALGO_RING;
	r->j.nranks = NRANKS;
	r->j.bytes = 1 << 20;
	r->j.elem_bytes = 4;
	r->j.nchannels = CHANNELS;
	r->j.chunk_bytes = 64 << 10;
	r->j.gpus_per_server = 1;
	r->j.nvlink_bps = 3600000000000ULL;
	r->j.nvlink_lat_ps = 1000000;
	r->j.placement = SIM_PLACE_RANDOM;
	sim_config_defaults(&cfg);
	cfg.seed = seed;
	cfg.qps_per_flow = qps;
	cfg.split_qps = split;
	r->s = sim_create(r->t, &cfg);
	assert_non_null(r->s);
	assert_int_equal(sim_coll_place(r->t, &r->j, used, seed, NULL, 0), 0);
	assert_int_equal(sim_coll_add(r->s, &r->j, NULL, 0), 0);
	/* the channel of every transfer, from the schedule itself */
	sim_coll_job_params(&r->j, r->j.bytes, &p);
	coll_sched_init(&sc);
	assert_int_equal(coll_build(&sc, &p), 0);
	assert_int_equal(sc.nxfers, r->j.nflows);
	r->channel = calloc(sc.nxfers, sizeof(*r->channel));
	assert_non_null(r->channel);
	for (uint32_t i = 0; i < sc.nxfers; i++)
		r->channel[i] = sc.xfers[i].channel;
	coll_sched_free(&sc);
	/* every transfer's flow and QPs stay for the checks below */
	r->s->keep_flows = 2;
	assert_int_equal(sim_run(r->s), 0);
	assert_int_equal(r->s->flows_done, r->s->nflows);
}

static void qrun_end(struct qrun *r)
{
	free(r->channel);
	free(r->j.rank_host);
	sim_destroy(r->s);
	sim_topo_free(r->t);
}

static const struct sim_flow *qflow(const struct qrun *r, uint32_t i)
{
	static struct sim_flow tmp;

	/* kept (keep_flows): a pointer into the run, never TMP */
	return sim_flow_get(r->s, r->j.first_flow + i, &tmp);
}

/* Flows I and K are messages of one NCCL connection: same hosts, same channel. */
static int same_conn(const struct qrun *r, uint32_t i, uint32_t k)
{
	const struct sim_flow *a = qflow(r, i), *b = qflow(r, k);

	return a->src == b->src && a->dst == b->dst && r->channel[i] == r->channel[k];
}

/* The spine QP's data packets go to from the source leaf, as the leaf's ECMP picks it; SIM_NONE: same leaf. */
static uint32_t qp_spine(struct qrun *r, const struct sim_qp *qp)
{
	const struct sim_topo *t = r->t;
	uint32_t leaf = t->ports[t->ports[t->nodes[qp->src].first_port].peer].node, port, next;
	struct sim_pkt p;

	memset(&p, 0, sizeof(p));
	p.kind = SIM_PKT_DATA;
	p.src = qp->src;
	p.dst = qp->dst;
	p.sport = qp->sport;
	p.qp = qp->idx;
	port = sim_route_pick(r->s, leaf, &p);
	next = t->ports[t->ports[port].peer].node;
	return t->nodes[next].tier == 2 ? next : SIM_NONE;
}

/*
 * (a) ECMP, 1 QP: every message of one connection carries the same UDP
 * source port and goes to the same spine (before, each message hashed
 * its own flow id: a fresh path per message); the two channels between
 * the same hosts are two connections. Both kinds of pair must occur, or
 * the test would prove nothing.
 */
static void test_qps_connection_keeps_its_path(void **state)
{
	uint32_t same_pairs = 0, cross_spine = 0, chan_pairs = 0;
	struct qrun r;

	(void)state;
	qrun_start(&r, 1, SIM_SPLIT_QPS_AUTO, 3);
	for (uint32_t i = 0; i < r.j.nflows; i++) {
		const struct sim_flow *a = qflow(&r, i);
		const struct sim_qp *qa;

		assert_false(a->local);
		assert_int_equal(a->nqps, 1);
		qa = sim_qp_at(r.s, a->first_qp);
		for (uint32_t k = i + 1; k < r.j.nflows; k++) {
			const struct sim_flow *b = qflow(&r, k);
			const struct sim_qp *qb = sim_qp_at(r.s, b->first_qp);

			if (same_conn(&r, i, k)) {
				uint32_t sa = qp_spine(&r, qa);

				assert_int_equal(qa->sport, qb->sport);
				assert_int_equal(qa->conn, qb->conn);
				assert_int_equal(sa, qp_spine(&r, qb));
				same_pairs++;
				cross_spine += sa != SIM_NONE;
			} else if (a->src == b->src && a->dst == b->dst) {
				/* the other channel between the same hosts: its own connection */
				assert_int_not_equal(qa->conn, qb->conn);
				chan_pairs++;
			}
		}
	}
	assert_true(same_pairs > 0);
	assert_true(cross_spine > 0);
	assert_true(chan_pairs > 0);
	/* 16 hops x 2 channels, one QP each: 32 connections */
	assert_int_equal(r.s->nconns, NRANKS * CHANNELS);
	qrun_end(&r);
}

/*
 * (b) split off, N = 4: each message whole on one QP, message m of a
 * connection (in flow id order, the schedule's posting order) on slot m
 * mod 4, the QP of that slot: messages m and m + 4 share the hardware
 * QP (the sim_conn), m and m + 1 do not. 30 messages per connection.
 */
static void test_qps_split_off_round_robin(void **state)
{
	uint32_t checked = 0;
	struct qrun r;

	(void)state;
	qrun_start(&r, 4, SIM_SPLIT_QPS_OFF, 5);
	for (uint32_t i = 0; i < r.j.nflows; i++) {
		const struct sim_flow *f = qflow(&r, i);
		const struct sim_qp *qp = sim_qp_at(r.s, f->first_qp);
		uint32_t m = 0, prev4 = SIM_NONE, prev1 = SIM_NONE;

		/* m: earlier messages of its connection; the QPs of messages m - 4 and m - 1 */
		for (uint32_t k = 0; k < i; k++)
			m += same_conn(&r, k, i);
		for (uint32_t k = 0, n = 0; k < i; k++) {
			if (!same_conn(&r, k, i))
				continue;
			if (n + 4 == m)
				prev4 = qflow(&r, k)->first_qp;
			if (n + 1 == m)
				prev1 = qflow(&r, k)->first_qp;
			n++;
		}
		assert_int_equal(f->nqps, 1);
		assert_int_equal(qp->bytes, f->bytes);
		assert_int_equal(f->rx_bytes, f->bytes);
		assert_int_equal(qp->slot, m % 4);
		assert_int_equal(r.s->conns[qp->conn].slot, m % 4);
		if (prev4 != SIM_NONE) {
			assert_int_equal(sim_qp_at(r.s, prev4)->conn, qp->conn);
			assert_int_equal(sim_qp_at(r.s, prev4)->sport, qp->sport);
		}
		if (prev1 != SIM_NONE)
			assert_int_not_equal(sim_qp_at(r.s, prev1)->conn, qp->conn);
		checked += m >= 4;
	}
	assert_true(checked > 0);
	/* every connection uses all 4 of its QPs: 30 messages each */
	assert_int_equal(r.s->nconns, NRANKS * CHANNELS * 4);
	qrun_end(&r);
}

/*
 * (c) split on, N = 4: every message on 4 QPs, slots 0..3, whose bytes
 * add up to the message and differ by at most 1 byte; slot k of every
 * message of a connection is one hardware QP.
 */
static void test_qps_split_on_shares(void **state)
{
	struct qrun r;

	(void)state;
	qrun_start(&r, 4, SIM_SPLIT_QPS_ON, 5);
	for (uint32_t i = 0; i < r.j.nflows; i++) {
		const struct sim_flow *f = qflow(&r, i);
		uint64_t sum = 0, lo = UINT64_MAX, hi = 0;

		assert_int_equal(f->nqps, 4);
		for (uint32_t k = 0; k < 4; k++) {
			const struct sim_qp *qp = sim_qp_at(r.s, f->first_qp + k);

			assert_int_equal(qp->slot, k);
			sum += qp->bytes;
			lo = qp->bytes < lo ? qp->bytes : lo;
			hi = qp->bytes > hi ? qp->bytes : hi;
		}
		assert_int_equal(sum, f->bytes);
		assert_true(hi - lo <= 1);
		assert_int_equal(f->rx_bytes, f->bytes);
		for (uint32_t k = 0; k < i; k++) {
			if (!same_conn(&r, k, i))
				continue;
			for (uint32_t q = 0; q < 4; q++)
				assert_int_equal(sim_qp_at(r.s, qflow(&r, k)->first_qp + q)->conn, sim_qp_at(r.s, f->first_qp + q)->conn);
			break;
		}
	}
	assert_int_equal(r.s->nconns, NRANKS * CHANNELS * 4);
	qrun_end(&r);
}

/* A message that does not divide by 4: 10 bytes give shares 3, 3, 2, 2 (split on) or 10 whole (off). */
static void test_qps_split_uneven_flow(void **state)
{
	static const uint64_t want_on[4] = { 3, 3, 2, 2 };
	struct sim_topo *t = leafspine();
	struct sim_config cfg;

	(void)state;
	assert_non_null(t);
	for (int off = 0; off <= 1; off++) {
		struct sim *s;

		sim_config_defaults(&cfg);
		cfg.qps_per_flow = 4;
		cfg.split_qps = off ? SIM_SPLIT_QPS_OFF : SIM_SPLIT_QPS_AUTO;
		s = sim_create(t, &cfg);
		assert_non_null(s);
		assert_int_equal(sim_add_flow(s, 0, 15, 10, 0), 0);
		assert_int_equal(sim_run(s), 0);
		assert_int_equal(s->flows_done, 1);
		/* a flow workload's flow (tag 0) under auto: split, as --qps has always split it */
		assert_int_equal(s->flows[0].nqps, off ? 1 : 4);
		for (uint32_t k = 0; k < s->flows[0].nqps; k++)
			assert_int_equal(sim_qp_at(s, k)->bytes, off ? 10 : want_on[k]);
		sim_destroy(s);
	}
	sim_topo_free(t);
}

/* (d) Same seed, same inputs: the same ports, the same finish of every transfer, the same counters. */
static void test_qps_same_seed_same_run(void **state)
{
	struct qrun a, b;

	(void)state;
	qrun_start(&a, 4, SIM_SPLIT_QPS_OFF, 9);
	qrun_start(&b, 4, SIM_SPLIT_QPS_OFF, 9);
	assert_int_equal(a.s->nflows, b.s->nflows);
	assert_int_equal(a.s->nqps, b.s->nqps);
	for (uint32_t i = 0; i < a.s->nflows; i++) {
		struct sim_flow ta, tb;

		assert_int_equal(sim_flow_get(a.s, i, &ta)->finish_ps, sim_flow_get(b.s, i, &tb)->finish_ps);
	}
	for (uint32_t q = 0; q < a.s->nqps; q++) {
		assert_int_equal(sim_qp_at(a.s, q)->sport, sim_qp_at(b.s, q)->sport);
		assert_int_equal(sim_qp_at(a.s, q)->conn, sim_qp_at(b.s, q)->conn);
	}
	assert_int_equal(a.s->c.events, b.s->c.events);
	assert_int_equal(a.s->c.delivered_bytes, b.s->c.delivered_bytes);
	assert_int_equal(a.s->c.data_pkts, b.s->c.data_pkts);
	qrun_end(&a);
	qrun_end(&b);
}

/* The port is the connection's and the seed's, never the message's: the function itself. */
static void test_qps_sport_of_connection(void **state)
{
	uint16_t p = sim_qp_sport(1, 10, 20, 3, 0);
	uint32_t differ = 0;

	(void)state;
	assert_int_equal(p, sim_qp_sport(1, 10, 20, 3, 0));
	/* RoCEv2's ephemeral range, 0xC000..0xFFFF */
	for (uint32_t k = 0; k < 64; k++)
		assert_true(sim_qp_sport(1, 10, 20, 3, k) >= 0xc000);
	/* 14 random bits: among 64 slots, channels, seeds, a collision or two at most, never all alike */
	for (uint32_t k = 1; k <= 64; k++) {
		differ += sim_qp_sport(1, 10, 20, 3, k) != p;
		differ += sim_qp_sport(1, 10, 20, 3 + k, 0) != p;
		differ += sim_qp_sport(1 + k, 10, 20, 3, 0) != p;
	}
	assert_true(differ >= 3 * 64 - 3);
}

/*
 * (e) NCCL's duplicated channels (coll_default_dup): a message spread
 * over 2 connections with 2 QPs each, split on, is 4 QPs of a quarter of
 * the bytes, on 4 connections: tags t and t+1, slots 0 and 1 of each.
 * And the default spreads over 2 exactly where NCCL duplicates: rings
 * on rails with the NCCL channel count, not an explicit --channels.
 */
static void test_qps_duplicated_channel(void **state)
{
	struct sim_topo *t = leafspine();
	struct sim_config cfg;
	struct sim *s;
	struct sim_coll_job j;
	uint32_t tag, conns[4];
	int id;

	(void)state;
	assert_non_null(t);
	sim_config_defaults(&cfg);
	cfg.qps_per_flow = 2;
	cfg.split_qps = SIM_SPLIT_QPS_ON;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	tag = sim_conn_tags(s, 2);
	id = sim_add_flow(s, 0, 5, 1 << 20, 0);
	assert_true(id >= 0);
	assert_int_equal(sim_flow_set_conn_tag(s, (uint32_t)id, tag), 0);
	assert_int_equal(sim_flow_set_conn_dup(s, (uint32_t)id, 2), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->nqps, 4);
	for (uint32_t k = 0; k < 4; k++) {
		const struct sim_qp *qp = sim_qp_at(s, k);
		const struct sim_conn *c = &s->conns[qp->conn];

		assert_int_equal(qp->bytes, (1 << 20) / 4);
		assert_int_equal(c->tag, tag + k / 2);
		assert_int_equal(c->slot, k % 2);
		conns[k] = qp->conn;
		for (uint32_t i = 0; i < k; i++)
			assert_int_not_equal(conns[i], conns[k]);
	}
	sim_destroy(s);
	sim_topo_free(t);

	memset(&j, 0, sizeof(j));
	j.kind = COLL_ALLREDUCE;
	j.algo = COLL_ALGO_RING;
	j.nranks = 32;
	j.gpus_per_server = 8;
	j.nchannels = SIM_COLL_CHANNELS_NCCL;
	assert_int_equal(sim_coll_job_channels(&j), 8);
	assert_int_equal(sim_coll_job_dup(&j), 2);
	j.nchannels = 8;
	assert_int_equal(sim_coll_job_dup(&j), 1);
	j.nchannels = SIM_COLL_CHANNELS_NCCL;
	j.gpus_per_server = 1;	/* no servers: one ring, as NCCL on one GPU per node */
	assert_int_equal(sim_coll_job_dup(&j), 1);
	j.gpus_per_server = 8;
	j.algo = COLL_ALGO_HIER;
	assert_int_equal(sim_coll_job_dup(&j), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qps_connection_keeps_its_path),
		cmocka_unit_test(test_qps_split_off_round_robin),
		cmocka_unit_test(test_qps_split_on_shares),
		cmocka_unit_test(test_qps_split_uneven_flow),
		cmocka_unit_test(test_qps_same_seed_same_run),
		cmocka_unit_test(test_qps_sport_of_connection),
		cmocka_unit_test(test_qps_duplicated_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
