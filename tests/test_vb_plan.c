/*
 * Tests of fabbench's per-rank plans and executor: every transfer of every
 * algorithm becomes exactly one send on its source and one receive on its
 * destination with agreeing chunk streams; local deps follow the frontier
 * rule; and all ranks' executors, interleaved in one process over an
 * in-memory transport with tiny credit windows, compute correct results.
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

#include "collectives/sched.h"
#include "verbs/check.h"
#include "verbs/exec.h"
#include "verbs/plan.h"

static const struct {
	enum coll_kind kind;
	enum coll_algo algo;
	uint32_t gpn;
	uint32_t root;		/* broadcast, reduce: taken mod the ranks */
} combos[] = {
	{ COLL_ALLREDUCE, COLL_ALGO_RING, 0, 0 },
	{ COLL_ALLREDUCE, COLL_ALGO_RHD, 0, 0 },
	{ COLL_ALLREDUCE, COLL_ALGO_TREE, 0, 0 },
	{ COLL_ALLREDUCE, COLL_ALGO_HIER, 2, 0 },
	{ COLL_ALLGATHER, COLL_ALGO_RING, 0, 0 },
	{ COLL_REDUCESCATTER, COLL_ALGO_RING, 0, 0 },
	{ COLL_ALLTOALL, COLL_ALGO_PAIRWISE, 0, 0 },
	{ COLL_BROADCAST, COLL_ALGO_CHAIN, 0, 0 },
	{ COLL_BROADCAST, COLL_ALGO_CHAIN, 0, 3 },
	{ COLL_REDUCE, COLL_ALGO_CHAIN, 0, 0 },
	{ COLL_REDUCE, COLL_ALGO_CHAIN, 0, 5 },
	{ COLL_SENDRECV, COLL_ALGO_P2P, 0, 0 },
};

#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

static int build(struct coll_sched *s, unsigned int c, uint32_t n, uint64_t bytes,
		 uint32_t elem, uint32_t nch, uint64_t chunk)
{
	struct coll_params p = {
		.kind = combos[c].kind, .algo = combos[c].algo, .nranks = n,
		.bytes = bytes, .elem_bytes = elem, .nchannels = nch,
		.chunk_bytes = chunk, .gpus_per_server = combos[c].gpn,
		.root = combos[c].root % n,
	};

	if (coll_params_error(&p))
		return -EINVAL;
	return coll_build(s, &p);
}

static const struct vb_op *find_op(const struct vb_plan *p, uint32_t t)
{
	uint32_t i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].xfer == t)
			return &p->ops[i];
	return NULL;
}

static void check_plans(const struct coll_sched *s, const struct vb_plan *plans)
{
	uint32_t t, r, q, i, d, total = 0;

	for (t = 0; t < s->nxfers; t++) {
		const struct coll_xfer *x = &s->xfers[t];
		const struct vb_op *a = find_op(&plans[x->src_rank], t);
		const struct vb_op *b = find_op(&plans[x->dst_rank], t);

		assert_non_null(a);
		assert_non_null(b);
		if (x->src_rank == x->dst_rank) {
			assert_ptr_equal(a, b);
			assert_int_equal(a->role, VB_ROLE_LOCAL);
			total += 1;
			continue;
		}
		total += 2;
		assert_int_equal(a->role, VB_ROLE_SEND);
		assert_int_equal(b->role, VB_ROLE_RECV);
		assert_int_equal(a->peer, x->dst_rank);
		assert_int_equal(b->peer, x->src_rank);
		assert_int_equal(a->bytes, x->bytes);
		assert_int_equal(a->nchunks, b->nchunks);
		/* Both ends name the chunk by the same stream position. */
		assert_int_equal(a->first_chunk, b->first_chunk);
	}
	for (r = 0; r < s->nranks; r++) {
		const struct vb_plan *p = &plans[r];

		total -= p->nops;
		for (q = 0; q < s->nranks; q++)
			assert_int_equal(p->send_chunks[q], plans[q].recv_chunks[r]);
		for (i = 0; i < p->nops; i++)
			for (d = 0; d < p->ops[i].ndeps; d++)
				assert_true(vb_op_deps(p, &p->ops[i])[d] < i);
		/* Per-peer FIFOs list each op once, in schedule order. */
		for (q = 0; q < s->nranks; q++)
			for (i = p->send_first[q]; i + 1 < p->send_first[q + 1]; i++)
				assert_true(p->send_ops[i] < p->send_ops[i + 1]);
	}
	assert_int_equal(total, 0);
}

static void test_every_transfer_once(void **state)
{
	static const uint64_t sizes[] = { 4, 100, 1000, 4096 + 12, 65536 + 4 };
	static const uint64_t chunks[] = { 0, 64, 1024 };
	struct vb_plan plans[8];
	struct coll_sched s;
	unsigned int c, si, ci;
	uint32_t n, r;

	(void)state;
	coll_sched_init(&s);
	for (c = 0; c < NCOMBOS; c++)
		for (n = 2; n <= 8; n++)
			for (si = 0; si < 5; si++)
				for (ci = 0; ci < 3; ci++) {
					if (build(&s, c, n, sizes[si], 4, 1 + (si & 1), chunks[ci]))
						continue;
					for (r = 0; r < n; r++)
						assert_int_equal(vb_plan_build(&plans[r], &s, r,
									       chunks[ci] ? chunks[ci] : 256), 0);
					check_plans(&s, plans);
					for (r = 0; r < n; r++)
						vb_plan_free(&plans[r]);
				}
	coll_sched_free(&s);
}

/*
 * The property the frontier rule must give: whenever transfer a precedes
 * b in the schedule's dep order and both involve rank r, r's op for a is
 * in the transitive local deps of r's op for b.
 */
static void closure(uint8_t *hb, uint32_t n, const uint32_t *first,
		    const uint32_t *count, const uint32_t *deps)
{
	uint32_t t, d, k;

	for (t = 0; t < n; t++)
		for (d = 0; d < count[t]; d++) {
			uint32_t e = deps[first[t] + d];

			hb[(uint64_t)t * n + e] = 1;
			for (k = 0; k < n; k++)
				hb[(uint64_t)t * n + k] |= hb[(uint64_t)e * n + k];
		}
}

static void check_local_order(const struct coll_sched *s, const struct vb_plan *p)
{
	uint32_t n = s->nxfers, *first, *count, t, i, j;
	uint8_t *ghb = calloc((uint64_t)n * n, 1), *lhb;

	first = calloc(n, sizeof(*first));
	count = calloc(n, sizeof(*count));
	for (t = 0; t < n; t++) {
		first[t] = s->xfers[t].dep_first;
		count[t] = s->xfers[t].ndeps;
	}
	closure(ghb, n, first, count, s->deps);
	lhb = calloc((uint64_t)p->nops * p->nops + 1, 1);
	for (i = 0; i < p->nops; i++) {
		first[i] = p->ops[i].dep_first;
		count[i] = p->ops[i].ndeps;
	}
	closure(lhb, p->nops, first, count, p->deps);
	for (i = 0; i < p->nops; i++)
		for (j = 0; j < p->nops; j++)
			if (ghb[(uint64_t)p->ops[i].xfer * n + p->ops[j].xfer])
				assert_true(lhb[(uint64_t)i * p->nops + j]);
	free(ghb);
	free(lhb);
	free(first);
	free(count);
}

static void test_local_order_complete(void **state)
{
	struct vb_plan p;
	struct coll_sched s;
	unsigned int c;
	uint32_t n, r;

	(void)state;
	coll_sched_init(&s);
	for (c = 0; c < NCOMBOS; c++)
		for (n = 2; n <= 7; n++) {
			if (build(&s, c, n, 4 * 301, 4, 2, 64))
				continue;
			for (r = 0; r < n; r++) {
				assert_int_equal(vb_plan_build(&p, &s, r, 64), 0);
				check_local_order(&s, &p);
				vb_plan_free(&p);
			}
		}
	coll_sched_free(&s);
}

static void add(struct coll_sched *s, uint32_t src, uint32_t dst,
		const uint32_t *deps, uint32_t ndeps)
{
	struct coll_xfer x = { .src_rank = src, .dst_rank = dst, .bytes = 8,
			       .op = COLL_OP_COPY };
	uint32_t idx;

	assert_int_equal(coll_sched_add(s, &x, deps, ndeps, &idx), 0);
}

/* t0: 0->1, t1: 1->2 after t0, t2: 2->0 after t1, t3: 0->0 after t2, t1. */
static void test_local_deps(void **state)
{
	uint32_t d0[] = { 0 }, d1[] = { 1 }, d3[] = { 1, 2 };
	struct coll_sched s;
	struct vb_plan p;
	const struct vb_op *op;

	(void)state;
	coll_sched_init(&s);
	s.nranks = 3;
	s.elem_bytes = 4;
	s.nchannels = 1;
	add(&s, 0, 1, NULL, 0);
	add(&s, 1, 2, d0, 1);
	add(&s, 2, 0, d1, 1);
	add(&s, 0, 0, d3, 2);
	assert_int_equal(vb_plan_build(&p, &s, 0, 4), 0);
	assert_int_equal(p.nops, 3);
	/* t2 reaches rank 0's t0 through t1, which rank 0 never sees. */
	op = find_op(&p, 2);
	assert_int_equal(op->role, VB_ROLE_RECV);
	assert_int_equal(op->ndeps, 1);
	assert_int_equal(p.ops[vb_op_deps(&p, op)[0]].xfer, 0);
	/* t3: t2 directly, t0 through t1; both once. */
	op = find_op(&p, 3);
	assert_int_equal(op->role, VB_ROLE_LOCAL);
	assert_int_equal(op->ndeps, 2);
	assert_int_equal(op->nchunks, 1);
	vb_plan_free(&p);
	assert_int_equal(vb_plan_build(&p, &s, 2, 4), 0);
	op = find_op(&p, 2);
	assert_int_equal(op->role, VB_ROLE_SEND);
	assert_int_equal(op->ndeps, 1);
	assert_int_equal(p.ops[vb_op_deps(&p, op)[0]].xfer, 1);
	/* 8-byte transfers, 4-byte chunks: two chunks per stream each. */
	assert_int_equal(p.send_chunks[0], 2);
	assert_int_equal(p.recv_chunks[1], 2);
	vb_plan_free(&p);
	coll_sched_free(&s);
}

/* ---- in-memory transport: slot arrays shared by all ranks ---- */

struct mem_world {
	uint32_t n;
	uint32_t depth;
	uint64_t slot_bytes;
	uint8_t *slots;			/* [src][dst][depth] */
	uint64_t *written;		/* [src * n + dst] */
	uint64_t *released;
};

struct mem_tr {
	struct vb_tr tr;
	struct mem_world *w;
};

static uint8_t *mem_slot(struct mem_world *w, uint32_t src, uint32_t dst, uint64_t seq)
{
	return w->slots + (((uint64_t)src * w->n + dst) * w->depth + seq % w->depth) *
			  w->slot_bytes;
}

static int mem_post(struct vb_tr *t, uint32_t peer, uint64_t seq, const void *buf,
		    uint64_t bytes, bool signal)
{
	struct mem_world *w = ((struct mem_tr *)t)->w;
	uint64_t k = (uint64_t)t->rank * w->n + peer;

	(void)signal;
	if (seq >= w->released[k] + w->depth)
		return -EAGAIN;
	assert_int_equal(seq, w->written[k]);
	assert_true(bytes <= w->slot_bytes);
	memcpy(mem_slot(w, t->rank, peer, seq), buf, bytes);
	w->written[k] = seq + 1;
	return 0;
}

static uint64_t mem_sent(struct vb_tr *t, uint32_t peer)
{
	struct mem_world *w = ((struct mem_tr *)t)->w;

	return w->written[(uint64_t)t->rank * w->n + peer];
}

static const void *mem_peek(struct vb_tr *t, uint32_t peer, uint64_t seq)
{
	struct mem_world *w = ((struct mem_tr *)t)->w;

	if (seq >= w->written[(uint64_t)peer * w->n + t->rank])
		return NULL;
	return mem_slot(w, peer, t->rank, seq);
}

static int mem_release(struct vb_tr *t, uint32_t peer, uint64_t seq)
{
	struct mem_world *w = ((struct mem_tr *)t)->w;

	w->released[(uint64_t)peer * w->n + t->rank] = seq + 1;
	return 0;
}

static int mem_progress(struct vb_tr *t, int wait_ms)
{
	(void)t;
	(void)wait_ms;
	return 0;
}

static const struct vb_tr_ops mem_ops = {
	.post = mem_post, .sent = mem_sent, .peek = mem_peek,
	.release = mem_release, .progress = mem_progress,
};

struct mem_job {
	struct mem_world w;
	struct mem_tr tr[8];
	uint8_t *buf[8];
	uint8_t *scratch;
};

static void job_init(struct mem_job *j, uint32_t n, uint32_t depth, uint64_t slot,
		     uint64_t buf_bytes)
{
	uint32_t r;

	memset(j, 0, sizeof(*j));
	j->w.n = n;
	j->w.depth = depth;
	j->w.slot_bytes = slot;
	j->w.slots = calloc((uint64_t)n * n * depth, slot);
	j->w.written = calloc((uint64_t)n * n, sizeof(uint64_t));
	j->w.released = calloc((uint64_t)n * n, sizeof(uint64_t));
	j->scratch = malloc(buf_bytes);
	for (r = 0; r < n; r++) {
		assert_int_equal(vb_tr_init(&j->tr[r].tr, &mem_ops, r, n, depth, slot, NULL), 0);
		j->tr[r].w = &j->w;
		j->buf[r] = malloc(buf_bytes);
	}
}

static void job_fini(struct mem_job *j)
{
	uint32_t r;

	for (r = 0; r < j->w.n; r++) {
		vb_tr_fini(&j->tr[r].tr);
		free(j->buf[r]);
	}
	free(j->w.slots);
	free(j->w.written);
	free(j->w.released);
	free(j->scratch);
}

/* Steps the ranks in a scrambled order until all finish one iteration. */
static void run_job(struct mem_job *j, struct vb_exec *ex, uint32_t seed)
{
	uint32_t n = j->w.n, r, k, idle = 0;
	bool all;

	for (r = 0; r < n; r++)
		vb_exec_begin(&ex[r]);
	do {
		all = true;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			r = (seed >> 16) % n;
			if (vb_exec_step(&ex[r]) > 0)
				idle = 0;
		}
		for (r = 0; r < n; r++)
			all &= vb_exec_done(&ex[r]);
		assert_true(++idle < 1000);	/* no deadlock */
	} while (!all);
	for (r = 0; r < n; r++)
		vb_exec_end(&ex[r]);
}

/* Out of place: the input in IN, poison in the output (buf). */
static void fill_round(const struct coll_sched *s, struct mem_job *j, uint8_t **in,
		       enum coll_dtype dt, enum coll_redop op)
{
	uint32_t r;

	for (r = 0; r < s->nranks; r++) {
		vb_check_fill(s, in ? in[r] : j->buf[r], r, dt, op);
		if (in)
			memset(j->buf[r], 0xff, s->buf_bytes);
	}
}

static void exec_case_place(unsigned int c, uint32_t n, uint64_t bytes, enum coll_dtype dt,
			    enum coll_redop op, uint32_t depth, uint64_t chunk, bool oop)
{
	uint32_t elem = (uint32_t)coll_dtype_bytes(dt), r, round;
	struct vb_plan plans[8];
	struct vb_exec ex[8];
	struct coll_sched s;
	struct coll_oop o = { 0 };
	struct mem_job j;
	uint8_t *in[8];

	coll_sched_init(&s);
	if (build(&s, c, n, bytes, elem, 1, chunk)) {
		coll_sched_free(&s);
		return;
	}
	if (oop)
		assert_int_equal(coll_sched_oop(&s, &o, NULL, 0), 0);
	job_init(&j, n, depth, chunk, s.buf_bytes);
	for (r = 0; r < n; r++) {
		in[r] = malloc(s.buf_bytes ? s.buf_bytes : 1);
		assert_non_null(in[r]);
		assert_int_equal(vb_plan_build_oop(&plans[r], &s, r, chunk, oop ? &o : NULL), 0);
		assert_int_equal(vb_exec_init(&ex[r], &plans[r], &j.tr[r].tr, j.buf[r],
					      dt, op, 1), 0);
		if (oop)
			vb_exec_set_input(&ex[r], in[r]);
	}
	/* Twice: the second round starts mid-stream. */
	for (round = 0; round < 2; round++) {
		fill_round(&s, &j, oop ? in : NULL, dt, op);
		run_job(&j, ex, c * 131 + n * 7 + round);
		for (r = 0; r < n; r++) {
			uint64_t wrong = vb_check_wrong(&s, j.buf[r], j.scratch, r, dt, op);

			if (wrong)
				print_error("%s %s %s n=%u root=%u bytes=%llu depth=%u chunk=%llu rank %u: %llu wrong\n",
					    oop ? "out of place" : "in place",
					    coll_kind_name(s.kind), coll_algo_name(s.algo), n, s.root,
					    (unsigned long long)bytes, depth,
					    (unsigned long long)chunk, r,
					    (unsigned long long)wrong);
			assert_int_equal(wrong, 0);
		}
	}
	for (r = 0; r < n; r++) {
		vb_exec_fini(&ex[r]);
		vb_plan_free(&plans[r]);
		free(in[r]);
	}
	coll_oop_free(&o);
	job_fini(&j);
	coll_sched_free(&s);
}

static void exec_case(unsigned int c, uint32_t n, uint64_t bytes, enum coll_dtype dt,
		      enum coll_redop op, uint32_t depth, uint64_t chunk)
{
	exec_case_place(c, n, bytes, dt, op, depth, chunk, false);
	exec_case_place(c, n, bytes, dt, op, depth, chunk, true);
}

/*
 * Out of place, the input buffer stays as it was and the output's bytes no
 * transfer writes are copied: an all-gather rank's own block, the
 * broadcast root's whole buffer.
 */
static void test_oop_copies(void **state)
{
	struct coll_sched s;
	struct coll_oop o;
	struct vb_plan p;
	struct coll_params prm = {
		.kind = COLL_BROADCAST, .algo = COLL_ALGO_CHAIN, .nranks = 3, .root = 2,
		.bytes = 64, .elem_bytes = 4, .nchannels = 1,
	};
	uint32_t i, locals = 0;

	(void)state;
	coll_sched_init(&s);
	assert_int_equal(coll_build(&s, &prm), 0);
	assert_int_equal(coll_sched_oop(&s, &o, NULL, 0), 0);
	assert_int_equal(vb_plan_build_oop(&p, &s, 2, 16, &o), 0);
	for (i = 0; i < p.nops; i++) {
		if (p.ops[i].role != VB_ROLE_LOCAL)
			continue;
		locals++;
		assert_int_equal(p.ops[i].xfer, COLL_NONE);
		assert_int_equal(p.ops[i].flags, COLL_OOP_SRC_IN);
		assert_int_equal(p.ops[i].bytes, 64);
		assert_int_equal(p.ops[i].ndeps, 0);
	}
	assert_int_equal(locals, 1);
	/* the root's one send reads the input */
	assert_int_equal(p.ops[0].role, VB_ROLE_SEND);
	assert_int_equal(p.ops[0].flags, COLL_OOP_SRC_IN);
	vb_plan_free(&p);
	/* rank 0 ends the chain: it only receives, and copies nothing */
	assert_int_equal(vb_plan_build_oop(&p, &s, 1, 16, &o), 0);
	assert_int_equal(p.nops, 1);
	assert_int_equal(p.ops[0].role, VB_ROLE_RECV);
	vb_plan_free(&p);
	coll_oop_free(&o);
	coll_sched_free(&s);
}

static void test_exec_all_algorithms(void **state)
{
	static const uint32_t ranks[] = { 2, 3, 4, 5, 6, 7, 8 };
	unsigned int c, i;

	(void)state;
	for (c = 0; c < NCOMBOS; c++)
		for (i = 0; i < 7; i++) {
			exec_case(c, ranks[i], 4 * 1000 + 12, COLL_DT_FLOAT32, COLL_RED_SUM, 1, 256);
			exec_case(c, ranks[i], 4 * 37, COLL_DT_INT32, COLL_RED_MAX, 2, 64);
		}
}

static void test_exec_types_ops(void **state)
{
	static const enum coll_dtype dts[] = { COLL_DT_FLOAT16, COLL_DT_BFLOAT16,
					       COLL_DT_INT64, COLL_DT_FLOAT64 };
	unsigned int d, op;

	(void)state;
	for (d = 0; d < 4; d++)
		for (op = 0; op < COLL_RED_COUNT; op++)
			exec_case(0, 5, 2000 * coll_dtype_bytes(dts[d]), dts[d],
				  (enum coll_redop)op, 3, 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_transfer_once),
		cmocka_unit_test(test_local_deps),
		cmocka_unit_test(test_local_order_complete),
		cmocka_unit_test(test_exec_all_algorithms),
		cmocka_unit_test(test_exec_types_ops),
		cmocka_unit_test(test_oop_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
