/*
 * Unit tests of the split run (sim/fabric/dist.c) without MPI: N parts of
 * one run in N threads of this process, talking through a transport of
 * shared buffers and barriers (the same table of operations the MPI one
 * fills in). Each scenario runs serially and then split 2, 3 and 4 ways;
 * part 0 must hold exactly the serial run's results: every flow's start
 * and finish, every port's bytes, queue peak, pauses and marks, and the
 * run's counters (events included: each event is handled by exactly one
 * part). Every frame that crosses a cut is checked against the lookahead
 * as it leaves (an assert in dist.c). Also: a part that fails stops every
 * part, which name it. Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fabric/dist.h"
#include "sim/fabric/sim.h"
#include "sim/topo/gen.h"
#include "sim/topo/partition.h"
#include "sim/topo/topo.h"
#include "sim/traffic/coll_sim.h"

#define G 1000000000ULL
#define MAXP 4

static char err[SIM_TOPO_ERR_LEN];

/* ---- a transport between threads -------------------------------------------- */

struct tcomm {
	uint32_t n;
	pthread_barrier_t bar;
	const struct sim_buf *out[MAXP];	/* each part's outboxes */
	uint64_t *v[MAXP];
	const struct sim_buf *mine[MAXP];
};

struct tctx {
	struct tcomm *c;
	uint32_t me;
};

static int t_exchange(void *ctx, const struct sim_buf *out, struct sim_buf *in)
{
	struct tctx *x = ctx;
	struct tcomm *c = x->c;

	c->out[x->me] = out;
	pthread_barrier_wait(&c->bar);
	for (uint32_t i = 0; i < c->n; i++) {
		if (i == x->me)
			continue;
		in[i].len = 0;
		if (sim_buf_put(&in[i], c->out[i][x->me].data, c->out[i][x->me].len))
			return -ENOMEM;
	}
	pthread_barrier_wait(&c->bar);
	return 0;
}

static int t_allreduce(void *ctx, uint64_t *v, uint32_t n, enum sim_comm_op op)
{
	struct tctx *x = ctx;
	struct tcomm *c = x->c;
	uint64_t *r = calloc(n ? n : 1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	c->v[x->me] = v;
	pthread_barrier_wait(&c->bar);
	for (uint32_t k = 0; k < n; k++) {
		r[k] = c->v[0][k];
		for (uint32_t i = 1; i < c->n; i++) {
			uint64_t a = c->v[i][k];

			r[k] = op == SIM_COMM_MIN ? (a < r[k] ? a : r[k]) : op == SIM_COMM_MAX ? (a > r[k] ? a : r[k]) :
			       r[k] + a;
		}
	}
	pthread_barrier_wait(&c->bar);
	memcpy(v, r, n * sizeof(*v));
	free(r);
	return 0;
}

static int t_gather(void *ctx, const struct sim_buf *mine, struct sim_buf *all)
{
	struct tctx *x = ctx;
	struct tcomm *c = x->c;
	int rc = 0;

	c->mine[x->me] = mine;
	pthread_barrier_wait(&c->bar);
	for (uint32_t i = 0; i < c->n && !x->me && !rc; i++) {
		all[i].len = 0;
		rc = sim_buf_put(&all[i], c->mine[i]->data, c->mine[i]->len);
	}
	pthread_barrier_wait(&c->bar);
	return rc;
}

static const struct sim_comm_ops t_ops = {
	.exchange = t_exchange, .allreduce = t_allreduce, .gather = t_gather,
};

/* ---- scenarios ------------------------------------------------------------------ */

struct scen {
	const char *name;
	struct sim_topo *(*topo)(void);
	void (*cfg)(struct sim_config *c);
	void (*flows)(struct sim *s);
};

/* 4 leaves x 8 hosts, 8 spines, 800G; 3 m host and 20 m fabric cables. */
static struct sim_topo *ls_4x8(void)
{
	struct sim_leafspine_params p = {
		.c = { .host_rate_bps = 800 * G, .host_delay_ps = 15000, .fabric_delay_ps = 100000 },
		.leaves = 4, .hosts_per_leaf = 8, .spines = 8,
	};
	struct sim_topo *t;

	assert_int_equal(sim_topo_leafspine(&p, &t, err, sizeof(err)), 0);
	return t;
}

/*
 * 4 pods of 2 leaves x 4 hosts, 2 aggregation switches a pod, 2 core
 * groups of 2: split by pod, the cores are spread, so traffic between two
 * pods of one part passes through another part.
 */
static struct sim_topo *ft_32(void)
{
	struct sim_fattree_params p = {
		.c = { .host_rate_bps = 400 * G, .fabric_rate_bps = 800 * G, .host_delay_ps = 15000,
		       .fabric_delay_ps = 100000, .core_delay_ps = 500000 },
		.pods = 4, .leaves_per_pod = 2, .hosts_per_leaf = 4, .aggs_per_pod = 2, .cores_per_group = 2,
	};
	struct sim_topo *t;

	assert_int_equal(sim_topo_fattree(&p, &t, err, sizeof(err)), 0);
	return t;
}

/* Host i to host i + 8 (the next leaf): every flow crosses the fabric, 256 KiB each. */
static void perm_flows(struct sim *s)
{
	uint32_t n = s->topo->nhosts;

	for (uint32_t i = 0; i < n; i++)
		assert_true(sim_add_flow(s, i, (i + 8) % n, 256 << 10, 0) >= 0);
}

/* 16 senders on the other leaves into host 0: PFC pauses cross every cut. */
static void incast_flows(struct sim *s)
{
	for (uint32_t i = 8; i < 24; i++)
		assert_true(sim_add_flow(s, i, 0, 128 << 10, 0) >= 0);
}

/*
 * A collective job on all 32 hosts, every flow kept for the comparison:
 * its transfers are made where their rank is, and their dependencies
 * cross the cuts as notes (G hosts a server: NVLink transfers inside).
 */
static void coll_flows(struct sim *s, enum coll_algo algo, uint32_t g)
{
	struct sim_coll_job j = {
		.kind = COLL_ALLREDUCE, .algo = algo, .nranks = s->topo->nhosts, .bytes = 1 << 20, .elem_bytes = 4,
		.chunk_bytes = 64 << 10, .gpus_per_server = g, .nvlink_bps = 3600 * G, .nvlink_lat_ps = 1000000,
	};
	uint8_t used[64] = { 0 };

	strcpy(j.name, "t");
	assert_int_equal(sim_coll_place(s->topo, &j, used, 1, NULL, 0), 0);
	assert_int_equal(sim_coll_add(s, &j, NULL, 0), 0);
	free(j.rank_host);
	s->keep_flows = 1;
}

/* Nothing kept: every half recycles as soon as it can, and late packets find QPs rebuilt. */
static void ring_flows_recycled(struct sim *s)
{
	coll_flows(s, COLL_ALGO_RING, 1);
	s->keep_flows = 0;
}

static void tree_flows(struct sim *s)
{
	coll_flows(s, COLL_ALGO_TREE, 1);
}

/* servers of 8 GPUs, one a leaf: NVLink inside, a ring per rail across */
static void hier_flows(struct sim *s)
{
	coll_flows(s, COLL_ALGO_HIER, 8);
}

static void cfg_ecmp(struct sim_config *c)
{
	(void)c;
}

static void cfg_ar(struct sim_config *c)
{
	c->lb = SIM_LB_AR;
}

static void cfg_dcqcn(struct sim_config *c)
{
	c->cc = SIM_CC_DCQCN;
}

static void cfg_tele(struct sim_config *c)
{
	c->cc = SIM_CC_TELEMETRY;
	c->lb = SIM_LB_AR;
}

/* ---- running one split -------------------------------------------------------------- */

struct part_run {
	struct tctx x;
	struct sim *s;
	int rc;
	bool fail;		/* fails before its first window */
};

static void *part_main(void *arg)
{
	struct part_run *r = arg;

	if (r->fail)
		sim_fail(r->s, -ENOMEM, "injected failure");
	r->rc = sim_dist_run(r->s, &t_ops, &r->x);
	return NULL;
}

static struct sim *make_sim(const struct scen *sc, struct sim_topo *t)
{
	struct sim_config cfg;
	struct sim *s;

	sim_config_defaults(&cfg);
	sc->cfg(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	sc->flows(s);
	return s;
}

static void same_results(const struct sim *a, const struct sim *b)
{
	const struct sim_topo *t = a->topo;

	assert_int_equal(a->flows_done, b->flows_done);
	/* a collective's transfers, as part 0 gathered them */
	for (uint64_t id = 0; a->nsrcs && id < a->nflows; id++) {
		struct sim_flow ta, tb;
		const struct sim_flow *fa = sim_flow_get(a, id, &ta), *fb = sim_flow_get(b, id, &tb);

		assert_int_equal(fa->start_ps, fb->start_ps);
		assert_int_equal(fa->finish_ps, fb->finish_ps);
		assert_int_equal(fa->rx_bytes, fb->rx_bytes);
		assert_int_equal(fa->ooo_pkts, fb->ooo_pkts);
		assert_int_equal(sim_flow_retx(a, fa), sim_flow_retx(b, fb));
	}
	for (uint32_t i = 0; i < a->nadded; i++) {
		assert_int_equal(a->flows[i].start_ps, b->flows[i].start_ps);
		assert_int_equal(a->flows[i].finish_ps, b->flows[i].finish_ps);
		assert_int_equal(a->flows[i].rx_bytes, b->flows[i].rx_bytes);
		assert_int_equal(a->flows[i].max_reorder, b->flows[i].max_reorder);
		assert_int_equal(sim_flow_retx(a, &a->flows[i]), sim_flow_retx(b, &b->flows[i]));
	}
	for (uint32_t p = 0; p < t->nports; p++) {
		assert_int_equal(a->pq[p].tx_bytes, b->pq[p].tx_bytes);
		assert_int_equal(a->pq[p].max_qbytes, b->pq[p].max_qbytes);
		assert_int_equal(a->pst[p].pauses_sent, b->pst[p].pauses_sent);
		assert_int_equal(a->pst[p].pauses_rcvd, b->pst[p].pauses_rcvd);
		assert_int_equal(a->pst[p].ecn_marks, b->pst[p].ecn_marks);
		assert_int_equal(a->pst[p].paused_ps, b->pst[p].paused_ps);
	}
	assert_memory_equal(&a->c, &b->c, sizeof(a->c));
	assert_int_equal(a->mark_ps, b->mark_ps);
	assert_int_equal(a->mark_bytes, b->mark_bytes);
	assert_int_equal(a->first_finish_ps, b->first_finish_ps);
	assert_int_equal(a->first_finish_bytes, b->first_finish_bytes);
	assert_int_equal(sim_now(a), sim_now(b));
}

/* Runs SC split NPARTS ways and compares part 0 with SERIAL. */
static void split_run(const struct scen *sc, const struct sim *serial, struct sim_topo *t, uint32_t nparts)
{
	struct sim_partition p;
	struct tcomm c = { .n = nparts };
	struct part_run r[MAXP] = { { .fail = false } };
	pthread_t th[MAXP];

	assert_int_equal(sim_partition(t, nparts, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
	pthread_barrier_init(&c.bar, NULL, nparts);
	for (uint32_t i = 0; i < nparts; i++) {
		r[i].x.c = &c;
		r[i].x.me = i;
		r[i].s = make_sim(sc, t);
		assert_int_equal(sim_dist_attach(r[i].s, nparts, i, p.part, p.lookahead_ps), 0);
	}
	for (uint32_t i = 0; i < nparts; i++)
		assert_int_equal(pthread_create(&th[i], NULL, part_main, &r[i]), 0);
	for (uint32_t i = 0; i < nparts; i++)
		pthread_join(th[i], NULL);
	for (uint32_t i = 0; i < nparts; i++) {
		if (r[i].rc)
			fprintf(stderr, "%s: part %u of %u: %s\n", sc->name, i, nparts, sim_error(r[i].s));
		assert_int_equal(r[i].rc, 0);
	}
	if (nparts > 1)
		assert_true(sim_dist_stats(r[0].s)->windows > 0);
	same_results(serial, r[0].s);
	for (uint32_t i = 0; i < nparts; i++)
		sim_destroy(r[i].s);
	pthread_barrier_destroy(&c.bar);
	sim_partition_free(&p);
}

static void check_scenario(const struct scen *sc)
{
	struct sim_topo *t = sc->topo();
	struct sim *serial = make_sim(sc, t);

	assert_int_equal(sim_run(serial), 0);
	assert_int_equal(serial->flows_done, serial->nflows);
	for (uint32_t n = 1; n <= MAXP; n++)
		split_run(sc, serial, t, n);
	sim_destroy(serial);
	sim_topo_free(t);
}

static void test_dist_coll_tree(void **state)
{
	static const struct scen sc = { "tree all-reduce, AR", ls_4x8, cfg_ar, tree_flows };

	(void)state;
	check_scenario(&sc);
}

static void test_dist_coll_hier(void **state)
{
	static const struct scen sc = { "hier all-reduce, DCQCN", ls_4x8, cfg_dcqcn, hier_flows };

	(void)state;
	check_scenario(&sc);
}

static void test_dist_coll_fattree_recycled(void **state)
{
	static const struct scen sc = { "ring all-reduce, fat-tree, nothing kept", ft_32, cfg_ar, ring_flows_recycled };

	(void)state;
	check_scenario(&sc);
}

/* Part 2 of 3 fails: every part stops, the others saying which part failed; nothing hangs. */
static void test_dist_failure_ends_all(void **state)
{
	const struct scen sc = { "fail", ls_4x8, cfg_ecmp, perm_flows };
	struct sim_topo *t = ls_4x8();
	struct sim_partition p;
	struct tcomm c = { .n = 3 };
	struct part_run r[3] = { { .fail = false }, { .fail = false }, { .fail = true } };
	pthread_t th[3];

	(void)state;
	assert_int_equal(sim_partition(t, 3, SIM_PART_AUTO, &p, err, sizeof(err)), 0);
	pthread_barrier_init(&c.bar, NULL, 3);
	for (uint32_t i = 0; i < 3; i++) {
		r[i].x.c = &c;
		r[i].x.me = i;
		r[i].s = make_sim(&sc, t);
		assert_int_equal(sim_dist_attach(r[i].s, 3, i, p.part, p.lookahead_ps), 0);
		assert_int_equal(pthread_create(&th[i], NULL, part_main, &r[i]), 0);
	}
	for (uint32_t i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(r[2].rc, -ENOMEM);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(r[i].rc, -ECANCELED);
		assert_non_null(strstr(sim_error(r[i].s), "part 2 of the run failed"));
	}
	for (uint32_t i = 0; i < 3; i++)
		sim_destroy(r[i].s);
	pthread_barrier_destroy(&c.bar);
	sim_partition_free(&p);
	sim_topo_free(t);
}

static void test_dist_perm_ecmp(void **state)
{
	const struct scen sc = { "perm-ecmp", ls_4x8, cfg_ecmp, perm_flows };

	(void)state;
	check_scenario(&sc);
}

static void test_dist_perm_ar(void **state)
{
	const struct scen sc = { "perm-ar", ls_4x8, cfg_ar, perm_flows };

	(void)state;
	check_scenario(&sc);
}

static void test_dist_incast_pfc(void **state)
{
	const struct scen sc = { "incast-pfc", ls_4x8, cfg_ecmp, incast_flows };

	(void)state;
	check_scenario(&sc);
}

static void test_dist_incast_dcqcn(void **state)
{
	const struct scen sc = { "incast-dcqcn", ls_4x8, cfg_dcqcn, incast_flows };

	(void)state;
	check_scenario(&sc);
}

static void test_dist_perm_telemetry(void **state)
{
	const struct scen sc = { "perm-telemetry", ls_4x8, cfg_tele, perm_flows };

	(void)state;
	check_scenario(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dist_perm_ecmp),
		cmocka_unit_test(test_dist_perm_ar),
		cmocka_unit_test(test_dist_incast_pfc),
		cmocka_unit_test(test_dist_incast_dcqcn),
		cmocka_unit_test(test_dist_perm_telemetry),
		cmocka_unit_test(test_dist_coll_tree),
		cmocka_unit_test(test_dist_coll_hier),
		cmocka_unit_test(test_dist_coll_fattree_recycled),
		cmocka_unit_test(test_dist_failure_ends_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
