/*
 * Measurement driver (see bench.h). Everything outside the timed loop --
 * schedule building, data fill and check, exchanging times -- may be slow;
 * the timed loop is only vb_exec_run between two barriers. The same loop,
 * on two-transfer schedules, measures point-to-point latency and bandwidth
 * for --p2p, so those numbers use exactly the data path of the collectives.
 */
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectives/busbw.h"
#include "verbs/bench.h"
#include "verbs/check.h"
#include "verbs/plan.h"
#include "verbs/report.h"

struct bench {
	const struct vb_opts *o;
	struct vb_boot *b;
	struct vb_tr *tr;
	struct vb_report rep;
	struct vb_link_info *links;
	uint8_t *buf;			/* in place the data, out of place the output */
	uint8_t *in;			/* out of place the input; NULL with --inplace 1 */
	uint8_t *scratch;
	uint64_t buf_bytes;		/* each of buf, in, scratch */
	double *times;			/* [nranks] seconds, gathered */
	char *err;
	size_t err_len;
};

static int fail(struct bench *bn, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct bench *bn, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bn->err, bn->err_len, fmt, ap);
	va_end(ap);
	return code;
}

static int boot_fail(struct bench *bn)
{
	return fail(bn, VB_EXIT_RUNTIME, "%s", bn->b->err);
}

static int build_sched(struct bench *bn, struct coll_sched *s, uint64_t bytes)
{
	const struct vb_opts *o = bn->o;
	struct coll_params p = {
		.kind = o->kind, .algo = o->algo, .nranks = bn->b->nranks,
		.bytes = bytes, .elem_bytes = (uint32_t)coll_dtype_bytes(o->dtype),
		.nchannels = o->nchannels, .chunk_bytes = o->chunk_bytes,
		.gpus_per_server = o->gpus_per_server, .root = o->root,
	};
	int ret = coll_build(s, &p);

	if (ret == -E2BIG)
		return fail(bn, VB_EXIT_USAGE, "%llu bytes make too many pieces with --chunk %llu: raise --chunk",
			    (unsigned long long)bytes, (unsigned long long)o->chunk_bytes);
	if (ret == -EINVAL)
		return fail(bn, VB_EXIT_USAGE, "%s", coll_params_error(&p));
	if (ret)
		return fail(bn, VB_EXIT_RUNTIME, "building the schedule: %s", strerror(-ret));
	return 0;
}

/* ITERS iterations of PLAN; IN: out of place, the input buffer. */
static int exec_iters(struct bench *bn, const struct vb_plan *plan, const uint8_t *in,
		      uint32_t iters)
{
	struct vb_exec e;
	int ret;

	ret = vb_exec_init(&e, plan, bn->tr, bn->buf, bn->o->dtype, bn->o->redop,
			   bn->o->timeout_s);
	if (ret)
		return fail(bn, VB_EXIT_RUNTIME, "out of memory");
	vb_exec_set_input(&e, in);
	ret = vb_exec_run(&e, iters, bn->err, bn->err_len);
	vb_exec_fini(&e);
	return ret ? VB_EXIT_RUNTIME : 0;
}

/* The input: in place in the buffer; out of place in IN, the output poisoned. */
static void fill_input(struct bench *bn, const struct coll_sched *s, const uint8_t *in)
{
	const struct vb_opts *o = bn->o;

	vb_check_fill(s, in ? bn->in : bn->buf, bn->b->rank, o->dtype, o->redop);
	if (in)
		memset(bn->buf, 0xff, s->buf_bytes);
}

/* One checked iteration; returns the wrong elements over all ranks. */
static int check_size(struct bench *bn, const struct coll_sched *s,
		      const struct vb_plan *plan, const uint8_t *in, int64_t *wrong)
{
	const struct vb_opts *o = bn->o;
	int64_t mine, *all;
	uint32_t r;
	int ret;

	*wrong = -1;
	if (!o->check)
		return 0;
	fill_input(bn, s, in);
	ret = exec_iters(bn, plan, in, 1);
	if (ret)
		return ret;
	mine = (int64_t)vb_check_wrong(s, bn->buf, bn->scratch, bn->b->rank,
				       o->dtype, o->redop);
	all = calloc(bn->b->nranks, sizeof(*all));
	if (!all)
		return fail(bn, VB_EXIT_RUNTIME, "out of memory");
	ret = vb_boot_allgather(bn->b, &mine, all, sizeof(mine));
	*wrong = 0;
	for (r = 0; r < bn->b->nranks; r++)
		*wrong += all[r];
	free(all);
	return ret ? boot_fail(bn) : 0;
}

/* Seconds per iteration on this rank, then everyone's into bn->times. */
static int time_size(struct bench *bn, const struct vb_plan *plan, const uint8_t *in,
		     uint32_t warmup, uint32_t iters)
{
	double t0, mine;
	int ret;

	if (warmup) {
		ret = exec_iters(bn, plan, in, warmup);
		if (ret)
			return ret;
	}
	if (vb_boot_barrier(bn->b))
		return boot_fail(bn);
	t0 = vb_now();
	ret = exec_iters(bn, plan, in, iters);
	if (ret)
		return ret;
	mine = (vb_now() - t0) / iters;
	if (vb_boot_allgather(bn->b, &mine, bn->times, sizeof(mine)))
		return boot_fail(bn);
	return 0;
}

static void mpi_baseline(struct bench *bn, const struct coll_sched *s,
			 struct vb_result *r)
{
	const struct vb_opts *o = bn->o;
	double secs;

	if (!o->baseline_mpi || o->kind != COLL_ALLREDUCE)
		return;
	vb_check_fill(s, bn->buf, bn->b->rank, o->dtype, o->redop);
	if (vb_boot_mpi_allreduce(bn->b, bn->buf, s->bytes, o->dtype, o->redop,
				  o->warmup_iters, o->iters, &secs))
		return;
	if (vb_boot_allgather(bn->b, &secs, bn->times, sizeof(secs)))
		return;
	secs = vb_combine_times(bn->times, bn->b->nranks, o->average);
	r->has_mpi = true;
	r->mpi_time_us = secs * 1e6;
	r->mpi_busbw_GBps = coll_busbw_GBps(o->kind, bn->b->nranks, s->bytes, secs);
}

/* One column group: checked, then timed on fresh data; IN: out of place. */
static int run_place(struct bench *bn, const struct coll_sched *s, const struct vb_plan *plan,
		     const uint8_t *in, struct vb_result *r)
{
	const struct vb_opts *o = bn->o;
	int64_t wrong;
	int ret;

	ret = check_size(bn, s, plan, in, &wrong);
	if (ret)
		return ret;
	/* Fresh data: repeated sums would overflow into infinities. */
	fill_input(bn, s, in);
	ret = time_size(bn, plan, in, o->warmup_iters, o->iters);
	if (ret)
		return ret;
	vb_result_fill(r, o, bn->b->nranks, s->bytes, bn->times, wrong,
		       bn->rep.line_rate_bps);
	return 0;
}

/*
 * Out of place: the same transfers with the schedule's annotation (which
 * reads come from the input, the final local copies), into R's oop.
 */
static int run_oop(struct bench *bn, const struct coll_sched *s, struct vb_result *r)
{
	struct vb_result t;
	struct coll_oop oop;
	struct vb_plan plan;
	char why[160];
	int ret;

	if (coll_sched_oop(s, &oop, why, sizeof(why)))
		return fail(bn, VB_EXIT_RUNTIME, "out of place: %s", why);
	if (vb_plan_build_oop(&plan, s, bn->b->rank, bn->o->chunk_bytes, &oop)) {
		coll_oop_free(&oop);
		return fail(bn, VB_EXIT_RUNTIME, "out of memory for the plan");
	}
	ret = run_place(bn, s, &plan, bn->in, &t);
	if (!ret) {
		vb_result_set_oop(r, &t);
		r->bytes = t.bytes;
		r->count = t.count;
	}
	vb_plan_free(&plan);
	coll_oop_free(&oop);
	return ret;
}

static int run_size(struct bench *bn, uint64_t bytes, struct vb_result *r)
{
	const struct vb_opts *o = bn->o;
	struct vb_oop_result oop;
	struct coll_sched s;
	struct vb_plan plan;
	int ret;

	memset(r, 0, sizeof(*r));
	r->wrong = -1;
	r->oop.wrong = -1;
	coll_sched_init(&s);
	ret = build_sched(bn, &s, bytes);
	if (ret)
		goto out_free_sched;
	/* nccl-tests' order: out of place, then in place */
	if (o->place != VB_PLACE_IN) {
		ret = run_oop(bn, &s, r);
		if (ret)
			goto out_free_sched;
	}
	if (o->place == VB_PLACE_OUT)
		goto out_free_sched;
	if (vb_plan_build(&plan, &s, bn->b->rank, o->chunk_bytes)) {
		ret = fail(bn, VB_EXIT_RUNTIME, "out of memory for the plan");
		goto out_free_sched;
	}
	oop = r->oop;
	ret = run_place(bn, &s, &plan, NULL, r);
	r->oop = oop;
	if (!ret)
		mpi_baseline(bn, &s, r);
	vb_plan_free(&plan);
out_free_sched:
	coll_sched_free(&s);
	return ret;
}

/* Ping-pongs of the latency measurement: perftest's default count. */
#define VB_P2P_LAT_ITERS 1000
#define VB_P2P_LAT_WARMUP 20
#define VB_P2P_LAT_BYTES 8

/*
 * A schedule of raw transfers, for --p2p: BYTES from rank SRC to DST,
 * answered by 8 bytes once they arrived or, BIDIR, by BYTES sent back at
 * the same time. Nothing checks the data, so both directions may share
 * the buffer's first BYTES.
 */
static int p2p_sched(struct coll_sched *s, uint32_t nranks, uint32_t src, uint32_t dst,
		     uint64_t bytes, bool bidir)
{
	struct coll_xfer x = { .src_rank = src, .dst_rank = dst, .bytes = bytes,
			       .op = COLL_OP_COPY };
	struct coll_xfer back = { .src_rank = dst, .dst_rank = src,
				  .bytes = bidir ? bytes : VB_P2P_LAT_BYTES,
				  .op = COLL_OP_COPY };
	uint32_t idx, first;
	int ret;

	coll_sched_init(s);
	s->kind = COLL_ALLTOALL;
	s->nranks = nranks;
	s->nchannels = 1;
	s->elem_bytes = 1;
	s->bytes = bytes;
	s->buf_bytes = bytes;
	ret = coll_sched_add(s, &x, NULL, 0, &first);
	if (!ret)
		ret = coll_sched_add(s, &back, bidir ? NULL : &first, bidir ? 0 : 1, &idx);
	return ret;
}

/* A pair of ranks being measured; the others run empty plans. */
struct p2p_pair {
	uint32_t src;
	uint32_t dst;
};

static int p2p_plan(struct bench *bn, struct coll_sched *s, struct vb_plan *plan,
		    struct p2p_pair pr, uint64_t bytes, bool bidir)
{
	if (p2p_sched(s, bn->b->nranks, pr.src, pr.dst, bytes, bidir) ||
	    vb_plan_build(plan, s, bn->b->rank, bn->o->chunk_bytes)) {
		coll_sched_free(s);
		return fail(bn, VB_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

/* Seconds per iteration: the source's (UNI) or the slowest rank's (BIDIR). */
static int p2p_bw(struct bench *bn, struct p2p_pair pr, uint64_t bytes, bool bidir,
		  double *secs)
{
	struct coll_sched s;
	struct vb_plan plan;
	int ret;

	ret = p2p_plan(bn, &s, &plan, pr, bytes, bidir);
	if (ret)
		return ret;
	ret = time_size(bn, &plan, NULL, 2, bn->o->iters);
	*secs = bidir ? vb_combine_times(bn->times, bn->b->nranks, VB_AVG_MAX) :
		bn->times[pr.src];
	vb_plan_free(&plan);
	coll_sched_free(&s);
	return ret;
}

/*
 * Each ping-pong timed on its own, as ib_write_lat does, so that the tail
 * shows: SAMPLES gets half of every round trip in microseconds. Only the
 * source's are round trips (the peer starts its clock before the ping
 * arrives); every rank gets the source's statistics in *ST.
 */
static int p2p_lat(struct bench *bn, struct p2p_pair pr, double *samples, uint32_t n,
		   struct vb_lat_stats *st)
{
	struct vb_lat_stats *all;
	struct coll_sched s;
	struct vb_plan plan;
	struct vb_exec e;
	uint32_t i;
	double t0;
	int ret;

	ret = p2p_plan(bn, &s, &plan, pr, VB_P2P_LAT_BYTES, false);
	if (ret)
		return ret;
	ret = exec_iters(bn, &plan, NULL, VB_P2P_LAT_WARMUP);
	if (ret)
		goto out_free_plan;
	if (vb_boot_barrier(bn->b)) {
		ret = boot_fail(bn);
		goto out_free_plan;
	}
	if (vb_exec_init(&e, &plan, bn->tr, bn->buf, bn->o->dtype, bn->o->redop,
			 bn->o->timeout_s)) {
		ret = fail(bn, VB_EXIT_RUNTIME, "out of memory");
		goto out_free_plan;
	}
	for (i = 0; i < n && !ret; i++) {
		t0 = vb_now();
		ret = vb_exec_run(&e, 1, bn->err, bn->err_len) ? VB_EXIT_RUNTIME : 0;
		samples[i] = (vb_now() - t0) / 2 * 1e6;
	}
	vb_exec_fini(&e);
	if (ret)
		goto out_free_plan;
	all = calloc(bn->b->nranks, sizeof(*all));
	if (!all) {
		ret = fail(bn, VB_EXIT_RUNTIME, "out of memory");
		goto out_free_plan;
	}
	vb_lat_stats(samples, n, st);
	if (vb_boot_allgather(bn->b, st, all, sizeof(*st)))
		ret = boot_fail(bn);
	*st = all[pr.src];
	free(all);
out_free_plan:
	vb_plan_free(&plan);
	coll_sched_free(&s);
	return ret;
}

/*
 * One pair: latency percentiles over 8-byte ping-pongs, then a large write
 * answered by 8 bytes (its one-way latency taken off) and the same write
 * both ways at once (perftest's ib_write_bw -b).
 */
static int p2p_pair(struct bench *bn, struct p2p_pair pr, uint64_t bytes,
		    double *samples, struct vb_p2p_pair *out)
{
	double uni, bi;
	int ret;

	ret = p2p_lat(bn, pr, samples, VB_P2P_LAT_ITERS, &out->lat);
	if (!ret)
		ret = p2p_bw(bn, pr, bytes, false, &uni);
	if (!ret)
		ret = p2p_bw(bn, pr, bytes, true, &bi);
	if (ret)
		return ret;
	out->src = pr.src;
	out->dst = pr.dst;
	out->bw_GBps = coll_algbw_GBps(bytes, uni - out->lat.typical_us * 1e-6);
	out->bibw_GBps = coll_algbw_GBps(2 * bytes, bi);
	return 0;
}

/*
 * Rank 0 <-> 1, or with --p2p all every pair i < j in turn, so that no
 * two pairs share the fabric while measured.
 */
static int measure_p2p(struct bench *bn)
{
	uint64_t bytes = bn->o->max_bytes < bn->buf_bytes ? bn->o->max_bytes : bn->buf_bytes;
	struct vb_report *rep = &bn->rep;
	uint32_t n = bn->b->nranks, i, j, k = 0, npairs;
	struct vb_p2p_pair *pairs;
	double *samples;
	int ret = 0;

	if (!bn->o->p2p)
		return 0;
	bytes = bytes < 8 ? 8 : bytes;
	npairs = bn->o->p2p_all ? n * (n - 1) / 2 : 1;
	samples = calloc(VB_P2P_LAT_ITERS, sizeof(*samples));
	pairs = calloc(npairs, sizeof(*pairs));
	if (!samples || !pairs) {
		free(samples);
		free(pairs);
		return fail(bn, VB_EXIT_RUNTIME, "out of memory");
	}
	for (i = 0; i < n && k < npairs && !ret; i++)
		for (j = i + 1; j < n && k < npairs && !ret; j++)
			ret = p2p_pair(bn, (struct p2p_pair){ i, j }, bytes, samples, &pairs[k++]);
	free(samples);
	if (ret) {
		free(pairs);
		return ret;
	}
	rep->has_p2p = true;
	rep->p2p_lat = pairs[0].lat;
	rep->p2p_lat_bytes = VB_P2P_LAT_BYTES;
	rep->p2p_bw_bytes = bytes;
	rep->p2p_latency_us = pairs[0].lat.typical_us;
	rep->p2p_bw_GBps = pairs[0].bw_GBps;
	rep->p2p_bibw_GBps = pairs[0].bibw_GBps;
	if (bn->o->p2p_all) {
		rep->pairs = pairs;
		rep->npairs = npairs;
	} else {
		free(pairs);
	}
	return 0;
}

static void print_links(struct bench *bn, const uint32_t *pids)
{
	const struct vb_opts *o = bn->o;
	uint32_t r;

	char root[24] = "";

	if (coll_kind_rooted(o->kind))
		snprintf(root, sizeof(root), " (root %u)", o->root);
	printf("# fabbench %s: %s%s %s over %s, %u ranks, %s %s, %s\n", FAB_VERSION,
	       coll_kind_name(o->kind), root, coll_algo_name(o->algo),
	       vb_transport_name(o->transport), bn->b->nranks,
	       coll_dtype_name(o->dtype), coll_redop_name(o->redop),
	       o->place == VB_PLACE_BOTH ? "out of place and in place" :
	       o->place == VB_PLACE_IN ? "in place" : "out of place");
	printf("# minBytes %llu maxBytes %llu step: %llu(%s) warmup iters: %u iters: %u validation: %d average: %s timeout: %u s\n",
	       (unsigned long long)o->min_bytes, (unsigned long long)o->max_bytes,
	       (unsigned long long)(o->step_factor > 1 ? o->step_factor : o->step_bytes),
	       o->step_factor > 1 ? "factor" : "bytes", o->warmup_iters, o->iters,
	       o->check, vb_average_name(o->average), o->timeout_s);
	printf("# channels %u chunk %llu depth %u qps %u launch %s\n",
	       o->nchannels, (unsigned long long)o->chunk_bytes, o->depth, o->qps,
	       bn->b->mpi ? "mpirun" : "standalone");
	printf("# init: %.3f ms (%s), the slowest rank's connection set-up (-p)\n",
	       vb_report_init_ms(&bn->rep), o->parallel_init ? "parallel" : "serial");
	for (r = 0; r < bn->b->nranks && !o->quiet; r++)
		vb_report_rank_line(stdout, o->transport, r, pids[r], bn->rep.hosts[r],
				    &bn->links[r]);
	fflush(stdout);
}

static int share_links(struct bench *bn, const struct vb_link_info *mine)
{
	uint32_t pid = (uint32_t)getpid(), *pids, r, n = bn->b->nranks;
	int ret = VB_EXIT_OK;

	pids = calloc(n, sizeof(*pids));
	bn->links = calloc(n, sizeof(*bn->links));
	if (!pids || !bn->links) {
		free(pids);
		return fail(bn, VB_EXIT_RUNTIME, "out of memory");
	}
	if (vb_boot_allgather(bn->b, mine, bn->links, sizeof(*mine)) ||
	    vb_boot_allgather(bn->b, &pid, pids, sizeof(pid))) {
		free(pids);
		return boot_fail(bn);
	}
	bn->rep.links = bn->links;
	bn->rep.line_rate_bps = bn->links[0].line_rate_bps;
	bn->rep.mtu_bytes = bn->links[0].mtu_bytes;
	for (r = 1; r < n; r++) {
		if (bn->links[r].line_rate_bps < bn->rep.line_rate_bps)
			bn->rep.line_rate_bps = bn->links[r].line_rate_bps;
		if (bn->links[r].mtu_bytes < bn->rep.mtu_bytes)
			bn->rep.mtu_bytes = bn->links[r].mtu_bytes;
	}
	if (!bn->b->rank)
		print_links(bn, pids);
	free(pids);
	return ret;
}

static int alloc_buffers(struct bench *bn, uint64_t max_bytes)
{
	/* The start-up memory check counted exactly this (vb_opts_memory). */
	bn->buf_bytes = vb_opts_buf_bytes(bn->o, max_bytes);
	/* Page-aligned: registration pins whole pages anyway. */
	if (posix_memalign((void **)&bn->buf, 4096, bn->buf_bytes) ||
	    posix_memalign((void **)&bn->scratch, 4096, bn->buf_bytes))
		return fail(bn, VB_EXIT_RUNTIME, "cannot allocate 2 x %llu bytes",
			    (unsigned long long)bn->buf_bytes);
	memset(bn->buf, 0, bn->buf_bytes);
	/* Out of place: the input buffer, which the sends also read. */
	if (bn->o->place != VB_PLACE_IN) {
		if (posix_memalign((void **)&bn->in, 4096, bn->buf_bytes))
			return fail(bn, VB_EXIT_RUNTIME, "cannot allocate 3 x %llu bytes",
				    (unsigned long long)bn->buf_bytes);
		memset(bn->in, 0, bn->buf_bytes);
	}
	bn->times = calloc(bn->b->nranks, sizeof(*bn->times));
	if (!bn->times)
		return fail(bn, VB_EXIT_RUNTIME, "out of memory");
	if (bn->tr->ops->reg && bn->tr->ops->reg(bn->tr, bn->buf, bn->buf_bytes))
		return fail(bn, VB_EXIT_RUNTIME, "%s", bn->tr->err);
	if (bn->in && bn->tr->ops->reg && bn->tr->ops->reg(bn->tr, bn->in, bn->buf_bytes))
		return fail(bn, VB_EXIT_RUNTIME, "%s", bn->tr->err);
	return 0;
}

static int write_files(struct bench *bn)
{
	const struct vb_opts *o = bn->o;
	FILE *f;

	if (bn->b->rank)
		return 0;
	if (o->json_path && vb_report_write_json(&bn->rep, o->json_path))
		return fail(bn, VB_EXIT_RUNTIME, "cannot write --json %s", o->json_path);
	if (o->p2p_csv_path) {
		f = fopen(o->p2p_csv_path, "w");
		if (!f || vb_report_write_p2p_csv(&bn->rep, f) || fclose(f))
			return fail(bn, VB_EXIT_RUNTIME, "cannot write --p2p-csv %s",
				    o->p2p_csv_path);
	}
	if (!o->csv_path)
		return 0;
	f = fopen(o->csv_path, "w");
	if (!f || vb_report_write_csv(&bn->rep, f) || fclose(f))
		return fail(bn, VB_EXIT_RUNTIME, "cannot write --csv %s", o->csv_path);
	return 0;
}

static int verdict(struct bench *bn)
{
	double avg = vb_report_avg_busbw(&bn->rep);
	uint32_t i;

	for (i = 0; i < bn->rep.nres; i++) {
		if (bn->rep.res[i].oop.wrong > 0)
			return fail(bn, VB_EXIT_WRONG, "data check failed: %lld wrong elements at %llu bytes out of place",
				    (long long)bn->rep.res[i].oop.wrong,
				    (unsigned long long)bn->rep.res[i].bytes);
		if (bn->rep.res[i].wrong > 0)
			return fail(bn, VB_EXIT_WRONG, "data check failed: %lld wrong elements at %llu bytes",
				    (long long)bn->rep.res[i].wrong,
				    (unsigned long long)bn->rep.res[i].bytes);
	}
	if (bn->o->min_busbw_GBps >= 0 && avg < bn->o->min_busbw_GBps)
		return fail(bn, VB_EXIT_SLOW, "average busbw %.3f GB/s is below --min-busbw %.3f",
			    avg, bn->o->min_busbw_GBps);
	return VB_EXIT_OK;
}

static int sweep(struct bench *bn, const uint64_t *sizes, uint32_t n)
{
	uint32_t i;
	int ret;

	if (!bn->b->rank)
		vb_report_header(stdout, &bn->rep);
	for (i = 0; i < n; i++) {
		ret = run_size(bn, sizes[i], &bn->rep.res[i]);
		if (ret)
			return ret;
		bn->rep.nres = i + 1;
		if (!bn->b->rank) {
			vb_report_row(stdout, &bn->rep, &bn->rep.res[i]);
			fflush(stdout);
		}
	}
	return 0;
}

int vb_bench_run(const struct vb_opts *o, struct vb_boot *b, struct vb_tr *tr,
		 const struct vb_link_info *mine, char *err, size_t err_len)
{
	struct bench bn = { .o = o, .b = b, .tr = tr, .err = err, .err_len = err_len };
	uint64_t sizes[VB_MAX_SIZES];
	int n, ret;

	n = vb_opts_sizes(o, sizes, VB_MAX_SIZES);
	if (n <= 0)
		return fail(&bn, VB_EXIT_USAGE, "the size sweep is empty or has more than %d sizes",
			    VB_MAX_SIZES);
	bn.rep.o = o;
	bn.rep.nranks = b->nranks;
	bn.rep.hosts = (const char (*)[VB_HOST_LEN])b->hosts;
	bn.rep.res = calloc((size_t)n, sizeof(*bn.rep.res));
	if (!bn.rep.res)
		return fail(&bn, VB_EXIT_RUNTIME, "out of memory");
	ret = share_links(&bn, mine);
	if (!ret)
		ret = alloc_buffers(&bn, sizes[n - 1]);
	if (!ret)
		ret = measure_p2p(&bn);
	if (!ret)
		ret = sweep(&bn, sizes, (uint32_t)n);
	if (!ret && !b->rank)
		vb_report_footer(stdout, &bn.rep);
	/* Nobody tears down connections a peer may still be reading from. */
	if (!ret && vb_boot_barrier(b))
		ret = boot_fail(&bn);
	if (!ret)
		ret = write_files(&bn);
	if (!ret)
		ret = verdict(&bn);
	free(bn.rep.res);
	free(bn.rep.pairs);
	free(bn.links);
	free(bn.times);
	free(bn.buf);
	free(bn.in);
	free(bn.scratch);
	return ret;
}
