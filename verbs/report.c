/*
 * Report formatting. The table mimics nccl-tests (size, count, type, redop,
 * root, then the out-of-place and the in-place column groups, or the one
 * --inplace keeps) so that both can be read side by side, and adds min/max
 * time over ranks, busbw as a share of line rate and the optional MPI
 * baseline. Rank 0 prints; every rank computes the same.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/bench_keys.h"
#include "collectives/busbw.h"
#include "verbs/report.h"

double vb_combine_times(const double *t, uint32_t n, enum vb_average a)
{
	double v;
	uint32_t i;

	if (!n)
		return 0;
	v = t[0];
	for (i = 1; i < n; i++) {
		switch (a) {
		case VB_AVG_MEAN:
			v += t[i];
			break;
		case VB_AVG_MIN:
			v = t[i] < v ? t[i] : v;
			break;
		case VB_AVG_MAX:
			v = t[i] > v ? t[i] : v;
			break;
		default:
			break;
		}
	}
	return a == VB_AVG_MEAN ? v / n : v;
}

uint64_t vb_count(enum coll_kind kind, uint64_t bytes, uint32_t elem_bytes,
		  uint32_t nranks)
{
	uint64_t elems = bytes / elem_bytes;

	/* nccl-tests: per-rank blocks for the gathers and scatters, else all of S */
	if (kind == COLL_ALLGATHER || kind == COLL_REDUCESCATTER || kind == COLL_ALLTOALL)
		return elems / nranks;
	return elems;
}

void vb_result_set_oop(struct vb_result *r, const struct vb_result *t)
{
	r->oop = (struct vb_oop_result){
		.time_us = t->time_us, .time_us_min = t->time_us_min,
		.time_us_max = t->time_us_max, .time_us_avg = t->time_us_avg,
		.algbw_GBps = t->algbw_GBps, .busbw_GBps = t->busbw_GBps,
		.busbw_GBps_min = t->busbw_GBps_min, .busbw_GBps_max = t->busbw_GBps_max,
		.line_frac = t->line_frac, .wrong = t->wrong,
	};
}

static bool has_ip(const struct vb_report *rep)
{
	return rep->o->place != VB_PLACE_OUT;
}

static bool has_oop(const struct vb_report *rep)
{
	return rep->o->place != VB_PLACE_IN;
}

void vb_result_fill(struct vb_result *r, const struct vb_opts *o,
		    uint32_t nranks, uint64_t bytes, const double *times_s,
		    int64_t wrong, uint64_t line_rate_bps)
{
	double tmin = vb_combine_times(times_s, nranks, VB_AVG_MIN);
	double tmax = vb_combine_times(times_s, nranks, VB_AVG_MAX);
	double t = vb_combine_times(times_s, nranks, o->average);

	memset(r, 0, sizeof(*r));
	r->bytes = bytes;
	r->count = vb_count(o->kind, bytes, (uint32_t)coll_dtype_bytes(o->dtype), nranks);
	r->time_us = t * 1e6;
	r->time_us_min = tmin * 1e6;
	r->time_us_max = tmax * 1e6;
	r->time_us_avg = vb_combine_times(times_s, nranks, VB_AVG_MEAN) * 1e6;
	r->algbw_GBps = coll_algbw_GBps(bytes, t);
	r->busbw_GBps = coll_busbw_GBps(o->kind, nranks, bytes, t);
	r->busbw_GBps_min = coll_busbw_GBps(o->kind, nranks, bytes, tmax);
	r->busbw_GBps_max = coll_busbw_GBps(o->kind, nranks, bytes, tmin);
	r->line_frac = line_rate_bps ? coll_line_fraction(r->busbw_GBps, line_rate_bps) : -1;
	r->wrong = wrong;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least P of them at or below. */
static double percentile(const double *sorted, uint32_t n, double p)
{
	double rank = ceil(p * n - 1e-9);

	return sorted[rank < 1 ? 0 : (uint32_t)rank - 1];
}

void vb_lat_stats(double *v, uint32_t n, struct vb_lat_stats *s)
{
	double sum = 0, sq = 0;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	s->avg_us = sum / n;
	for (i = 0; i < n; i++)
		sq += (v[i] - s->avg_us) * (v[i] - s->avg_us);
	s->n = n;
	s->min_us = v[0];
	s->max_us = v[n - 1];
	s->typical_us = percentile(v, n, 0.5);
	s->stdev_us = sqrt(sq / n);
	s->p99_us = percentile(v, n, 0.99);
	s->p999_us = percentile(v, n, 0.999);
}

double vb_report_avg_busbw(const struct vb_report *rep)
{
	uint32_t i, n = 0;
	double sum = 0;

	for (i = 0; i < rep->nres; i++) {
		if (has_ip(rep)) {
			sum += rep->res[i].busbw_GBps;
			n++;
		}
		if (has_oop(rep)) {
			sum += rep->res[i].oop.busbw_GBps;
			n++;
		}
	}
	return n ? sum / n : 0;
}

void vb_report_rank_line(FILE *f, enum vb_transport_kind t, uint32_t rank, uint32_t pid,
			 const char *host, const struct vb_link_info *l)
{
	char speed[32];

	if (t != VB_TRANSPORT_TCP) {
		fprintf(f, "#  Rank %3u Pid %7u on %12s device %-8s port %u gid %d %s mtu %u (active %u) qps %u chunk %llu depth %u tc %d line %.1f Gb/s addr %s\n",
			rank, pid, host, l->device, l->port, l->gid_index,
			l->gid[0] ? l->gid : "-", l->mtu_bytes, l->active_mtu_bytes,
			l->qps, (unsigned long long)l->chunk_bytes, l->depth, l->tclass,
			l->line_rate_bps / 1e9, l->addr);
		return;
	}
	if (l->line_rate_bps)
		snprintf(speed, sizeof(speed), "%.1f Gb/s", l->line_rate_bps / 1e9);
	else
		snprintf(speed, sizeof(speed), "unknown");
	/* device is "tcp" when no interface holds the address. */
	fprintf(f, "#  Rank %3u Pid %7u on %12s tcp interface %-8s addr %-15s speed %s qps %u chunk %llu depth %u\n",
		rank, pid, host, strcmp(l->device, "tcp") ? l->device : "?", l->addr,
		speed, l->qps, (unsigned long long)l->chunk_bytes, l->depth);
}

static bool mpi_cols(const struct vb_report *rep)
{
	return rep->o->baseline_mpi;
}

/* A column group: time t_min t_max algbw busbw %line #wrong (width below). */
#define VB_GROUP_WIDTH (3 * 10 + 2 * 8 + 2 * 7)

/* Over each column group, its name: "out-of-place" and "in-place". */
static void group_titles(FILE *f, const struct vb_report *rep)
{
	const char *names[2] = { "out-of-place", "in-place" };
	bool has[2] = { has_oop(rep), has_ip(rep) };
	unsigned int g;

	fprintf(f, "# %10s %12s %8s %6s %6s", "", "", "", "", "");
	for (g = 0; g < 2; g++) {
		int left = (int)(VB_GROUP_WIDTH + strlen(names[g])) / 2;

		if (!has[g])
			continue;
		/* centred over the group; nothing trails the last title */
		fprintf(f, "%*s", left, names[g]);
		if (!g && has[1])
			fprintf(f, "%*s", VB_GROUP_WIDTH - left, "");
	}
	fprintf(f, "\n");
}

static void group_header(FILE *f, bool units)
{
	if (!units)
		fprintf(f, " %9s %9s %9s %7s %7s %6s %6s", "time", "t_min", "t_max", "algbw",
			"busbw", "%line", "#wrong");
	else
		fprintf(f, " %9s %9s %9s %7s %7s %6s %6s", "(us)", "(us)", "(us)", "(GB/s)",
			"(GB/s)", "", "");
}

void vb_report_header(FILE *f, const struct vb_report *rep)
{
	unsigned int line;

	fprintf(f, "#\n");
	group_titles(f, rep);
	for (line = 0; line < 2; line++) {
		if (!line)
			fprintf(f, "# %10s %12s %8s %6s %6s", "size", "count", "type", "redop", "root");
		else
			fprintf(f, "# %10s %12s %8s %6s %6s", "(B)", "(elements)", "", "", "");
		if (has_oop(rep))
			group_header(f, line);
		if (has_ip(rep))
			group_header(f, line);
		if (mpi_cols(rep))
			fprintf(f, " %9s %9s", line ? "(us)" : "mpi_time", line ? "(GB/s)" : "mpi_busbw");
		fprintf(f, "\n");
	}
}

static void group_row(FILE *f, double t, double tmin, double tmax, double algbw, double busbw,
		      double line_frac, int64_t nwrong)
{
	char line[16], wrong[24];

	if (line_frac >= 0)
		snprintf(line, sizeof(line), "%5.1f%%", 100.0 * line_frac);
	else
		snprintf(line, sizeof(line), "n/a");
	if (nwrong >= 0)
		snprintf(wrong, sizeof(wrong), "%" PRId64, nwrong);
	else
		snprintf(wrong, sizeof(wrong), "N/A");
	fprintf(f, " %9.1f %9.1f %9.1f %7.3f %7.3f %6s %6s", t, tmin, tmax, algbw, busbw, line, wrong);
}

void vb_report_row(FILE *f, const struct vb_report *rep, const struct vb_result *r)
{
	const struct vb_opts *o = rep->o;
	const struct vb_oop_result *p = &r->oop;

	/* nccl-tests prints -1 where a collective has no root */
	fprintf(f, "  %10" PRIu64 " %12" PRIu64 " %8s %6s %6d", r->bytes, r->count,
		coll_dtype_name(o->dtype), coll_redop_name(o->redop),
		coll_kind_rooted(o->kind) ? (int)o->root : -1);
	if (has_oop(rep))
		group_row(f, p->time_us, p->time_us_min, p->time_us_max, p->algbw_GBps,
			  p->busbw_GBps, p->line_frac, p->wrong);
	if (has_ip(rep))
		group_row(f, r->time_us, r->time_us_min, r->time_us_max, r->algbw_GBps,
			  r->busbw_GBps, r->line_frac, r->wrong);
	if (mpi_cols(rep) && r->has_mpi)
		fprintf(f, " %9.1f %9.3f", r->mpi_time_us, r->mpi_busbw_GBps);
	else if (mpi_cols(rep))
		fprintf(f, " %9s %9s", "n/a", "n/a");
	fprintf(f, "\n");
}

/* perftest's ib_write_lat columns, then ib_write_bw's and its -b's. */
static void p2p_footer(FILE *f, const struct vb_report *rep)
{
	const struct vb_lat_stats *l = &rep->p2p_lat;

	fprintf(f, "# p2p rank 0 <-> 1     : latency %.2f us, bandwidth %.3f GB/s\n",
		rep->p2p_latency_us, rep->p2p_bw_GBps);
	fprintf(f, "# p2p latency (us)     : %" PRIu64 " B x %u: t_min %.2f t_typical %.2f t_avg %.2f t_max %.2f t_stdev %.2f p99 %.2f p99.9 %.2f\n",
		rep->p2p_lat_bytes, l->n, l->min_us, l->typical_us, l->avg_us,
		l->max_us, l->stdev_us, l->p99_us, l->p999_us);
	fprintf(f, "# p2p bandwidth (GB/s) : %" PRIu64 " B: unidirectional %.3f, bidirectional %.3f\n",
		rep->p2p_bw_bytes, rep->p2p_bw_GBps, rep->p2p_bibw_GBps);
}

/* The pair of ranks R and C (R != C) in rep->pairs, ordered (0,1), (0,2)... */
static const struct vb_p2p_pair *pair_of(const struct vb_report *rep, uint32_t r, uint32_t c)
{
	uint32_t i = r < c ? r : c, j = r < c ? c : r, n = rep->nranks;

	/* Pairs before row i: (n - 1) + (n - 2) + ... + (n - i). */
	return &rep->pairs[i * (2 * n - i - 1) / 2 + (j - i - 1)];
}

static void matrix(FILE *f, const struct vb_report *rep, const char *title, bool bw)
{
	uint32_t r, c;

	fprintf(f, "# %s\n#      ", title);
	for (c = 0; c < rep->nranks; c++)
		fprintf(f, " %8u", c);
	fprintf(f, "\n");
	for (r = 0; r < rep->nranks; r++) {
		fprintf(f, "# %4u ", r);
		for (c = 0; c < rep->nranks; c++) {
			const struct vb_p2p_pair *p = r == c ? NULL : pair_of(rep, r, c);

			if (!p)
				fprintf(f, " %8s", "-");
			else if (bw)
				fprintf(f, " %8.3f", p->bw_GBps);
			else
				fprintf(f, " %8.2f", p->lat.typical_us);
		}
		fprintf(f, "\n");
	}
}

static double pairs_median(const struct vb_report *rep, bool bw)
{
	double *v = calloc(rep->npairs, sizeof(*v)), m;
	uint32_t i;

	if (!v)
		return 0;
	for (i = 0; i < rep->npairs; i++)
		v[i] = bw ? rep->pairs[i].bw_GBps : rep->pairs[i].lat.typical_us;
	qsort(v, rep->npairs, sizeof(*v), cmp_double);
	m = percentile(v, rep->npairs, 0.5);
	free(v);
	return m;
}

void vb_report_p2p_matrix(FILE *f, const struct vb_report *rep)
{
	const struct vb_p2p_pair *slow = &rep->pairs[0], *far = &rep->pairs[0];
	uint32_t i;

	if (!rep->npairs)
		return;
	for (i = 1; i < rep->npairs; i++) {
		if (rep->pairs[i].bw_GBps < slow->bw_GBps)
			slow = &rep->pairs[i];
		if (rep->pairs[i].lat.typical_us > far->lat.typical_us)
			far = &rep->pairs[i];
	}
	matrix(f, rep, "p2p latency (us, typical one-way) of every pair, measured one pair at a time", false);
	matrix(f, rep, "p2p bandwidth (GB/s, lower rank -> higher) of every pair", true);
	fprintf(f, "# p2p slowest pair     : rank %u (%s) <-> %u (%s): %.3f GB/s, the median pair %.3f GB/s\n",
		slow->src, rep->hosts[slow->src], slow->dst, rep->hosts[slow->dst],
		slow->bw_GBps, pairs_median(rep, true));
	fprintf(f, "# p2p highest latency  : rank %u (%s) <-> %u (%s): %.2f us, the median pair %.2f us\n",
		far->src, rep->hosts[far->src], far->dst, rep->hosts[far->dst],
		far->lat.typical_us, pairs_median(rep, false));
}

int vb_report_write_p2p_csv(const struct vb_report *rep, FILE *f)
{
	uint32_t i;

	fputs(COLL_BENCH_P2P_CSV_HEADER "\n", f);
	for (i = 0; i < rep->npairs; i++) {
		const struct vb_p2p_pair *p = &rep->pairs[i];

		fprintf(f, "%u,%u,%.3f,%.3f,%.3f,%.3f,%.3f,%.6f,%.6f,%s,%s\n", p->src, p->dst,
			p->lat.typical_us, p->lat.p99_us, p->lat.p999_us, p->lat.min_us,
			p->lat.max_us, p->bw_GBps, p->bibw_GBps, rep->hosts[p->src],
			rep->hosts[p->dst]);
	}
	return ferror(f) ? -EIO : 0;
}

void vb_report_footer(FILE *f, const struct vb_report *rep)
{
	int64_t wrong = 0;
	uint32_t i;

	for (i = 0; i < rep->nres; i++) {
		if (rep->res[i].wrong > 0)
			wrong += rep->res[i].wrong;
		if (rep->res[i].oop.wrong > 0)
			wrong += rep->res[i].oop.wrong;
	}
	if (rep->o->check)
		fprintf(f, "# Out of bounds values : %" PRId64 " %s\n", wrong,
			wrong ? "FAILED" : "OK");
	fprintf(f, "# Avg bus bandwidth    : %g\n", vb_report_avg_busbw(rep));
	if (rep->line_rate_bps)
		fprintf(f, "# Avg busbw / line rate: %.1f%% of %.1f Gb/s\n",
			100.0 * coll_line_fraction(vb_report_avg_busbw(rep), rep->line_rate_bps),
			rep->line_rate_bps / 1e9);
	if (rep->has_p2p)
		p2p_footer(f, rep);
	if (rep->npairs)
		vb_report_p2p_matrix(f, rep);
	fprintf(f, "#\n");
}

double vb_report_init_ms(const struct vb_report *rep)
{
	double ms = 0;
	uint32_t r;

	for (r = 0; rep->links && r < rep->nranks; r++)
		if (rep->links[r].init_ms > ms)
			ms = rep->links[r].init_ms;
	return ms;
}

static json_t *link_json(const struct vb_link_info *l, const char *host, uint32_t r)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 COLL_BENCH_RANK_RANK, (json_int_t)r, COLL_BENCH_RANK_HOST, host,
			 COLL_BENCH_RANK_DEVICE, l->device,
			 COLL_BENCH_RANK_ADDR, l->addr, COLL_BENCH_RANK_PORT, (json_int_t)l->port,
			 COLL_BENCH_RANK_GID_INDEX, (json_int_t)l->gid_index, COLL_BENCH_RANK_GID, l->gid,
			 COLL_BENCH_RANK_MTU_BYTES, (json_int_t)l->mtu_bytes,
			 COLL_BENCH_RANK_ACTIVE_MTU_BYTES, (json_int_t)l->active_mtu_bytes,
			 COLL_BENCH_RANK_LINE_RATE_BPS, (json_int_t)l->line_rate_bps,
			 COLL_BENCH_RANK_QPS, (json_int_t)l->qps, COLL_BENCH_RANK_TCLASS, (json_int_t)l->tclass,
			 COLL_BENCH_RANK_CHUNK_BYTES, (json_int_t)l->chunk_bytes,
			 COLL_BENCH_RANK_DEPTH, (json_int_t)l->depth);

	if (j)
		json_object_set_new(j, COLL_BENCH_RANK_INIT_MS, json_real(l->init_ms));
	return j;
}

/* --inplace 0: the in-place keys are there, null. */
static void ip_null(json_t *j)
{
	static const char *const keys[] = {
		COLL_BENCH_RES_TIME_US, COLL_BENCH_RES_TIME_US_MIN, COLL_BENCH_RES_TIME_US_MAX,
		COLL_BENCH_RES_TIME_US_AVG, COLL_BENCH_RES_ALGBW_GBPS, COLL_BENCH_RES_BUSBW_GBPS,
		COLL_BENCH_RES_BUSBW_GBPS_MIN, COLL_BENCH_RES_BUSBW_GBPS_MAX,
		COLL_BENCH_RES_LINE_FRACTION, COLL_BENCH_RES_WRONG,
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set_new(j, keys[i], json_null());
}

static json_t *real_or_null(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

static void oop_json(json_t *j, const struct vb_oop_result *p, bool has)
{
	json_object_set_new(j, COLL_BENCH_RES_OOP_TIME_US, real_or_null(has, p->time_us));
	json_object_set_new(j, COLL_BENCH_RES_OOP_TIME_US_MIN, real_or_null(has, p->time_us_min));
	json_object_set_new(j, COLL_BENCH_RES_OOP_TIME_US_MAX, real_or_null(has, p->time_us_max));
	json_object_set_new(j, COLL_BENCH_RES_OOP_TIME_US_AVG, real_or_null(has, p->time_us_avg));
	json_object_set_new(j, COLL_BENCH_RES_OOP_ALGBW, real_or_null(has, p->algbw_GBps));
	json_object_set_new(j, COLL_BENCH_RES_OOP_BUSBW, real_or_null(has, p->busbw_GBps));
	json_object_set_new(j, COLL_BENCH_RES_OOP_BUSBW_MIN, real_or_null(has, p->busbw_GBps_min));
	json_object_set_new(j, COLL_BENCH_RES_OOP_BUSBW_MAX, real_or_null(has, p->busbw_GBps_max));
	json_object_set_new(j, COLL_BENCH_RES_OOP_LINE_FRACTION,
			    real_or_null(has && p->line_frac >= 0, p->line_frac));
	json_object_set_new(j, COLL_BENCH_RES_OOP_WRONG,
			    has && p->wrong >= 0 ? json_integer(p->wrong) : json_null());
}

static json_t *result_json(const struct vb_report *rep, const struct vb_result *r)
{
	json_t *j = json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
			      COLL_BENCH_RES_BYTES, (json_int_t)r->bytes,
			      COLL_BENCH_RES_COUNT, (json_int_t)r->count,
			      COLL_BENCH_RES_TIME_US, r->time_us, COLL_BENCH_RES_TIME_US_MIN, r->time_us_min,
			      COLL_BENCH_RES_TIME_US_MAX, r->time_us_max, COLL_BENCH_RES_TIME_US_AVG, r->time_us_avg,
			      COLL_BENCH_RES_ALGBW_GBPS, r->algbw_GBps, COLL_BENCH_RES_BUSBW_GBPS, r->busbw_GBps,
			      COLL_BENCH_RES_BUSBW_GBPS_MIN, r->busbw_GBps_min,
			      COLL_BENCH_RES_BUSBW_GBPS_MAX, r->busbw_GBps_max);

	if (!j)
		return NULL;
	json_object_set_new(j, COLL_BENCH_RES_LINE_FRACTION,
			    r->line_frac >= 0 ? json_real(r->line_frac) : json_null());
	json_object_set_new(j, COLL_BENCH_RES_WRONG, r->wrong >= 0 ? json_integer(r->wrong) : json_null());
	if (r->has_mpi) {
		json_object_set_new(j, COLL_BENCH_RES_MPI_TIME_US, json_real(r->mpi_time_us));
		json_object_set_new(j, COLL_BENCH_RES_MPI_BUSBW_GBPS, json_real(r->mpi_busbw_GBps));
	}
	if (!has_ip(rep))
		ip_null(j);
	oop_json(j, &r->oop, has_oop(rep));
	return j;
}

static json_t *job_json(const struct vb_report *rep)
{
	const struct vb_opts *o = rep->o;

	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:I}",
			 COLL_BENCH_TOOL, "fabbench", COLL_BENCH_VERSION, FAB_VERSION,
			 COLL_BENCH_NRANKS, (json_int_t)rep->nranks,
			 COLL_BENCH_TRANSPORT, vb_transport_name(o->transport),
			 COLL_BENCH_COLLECTIVE, coll_kind_name(o->kind),
			 COLL_BENCH_ALGORITHM, coll_algo_name(o->algo),
			 COLL_BENCH_DTYPE, coll_dtype_name(o->dtype),
			 COLL_BENCH_OP, coll_redop_name(o->redop),
			 COLL_BENCH_NCHANNELS, (json_int_t)o->nchannels,
			 COLL_BENCH_GPUS_PER_SERVER, (json_int_t)o->gpus_per_server,
			 COLL_BENCH_QPS, (json_int_t)o->qps,
			 COLL_BENCH_CHUNK_BYTES, (json_int_t)o->chunk_bytes,
			 COLL_BENCH_DEPTH, (json_int_t)o->depth,
			 COLL_BENCH_ITERATIONS, (json_int_t)o->iters,
			 COLL_BENCH_WARMUP_ITERATIONS, (json_int_t)o->warmup_iters,
			 COLL_BENCH_AVERAGE, vb_average_name(o->average),
			 COLL_BENCH_CHECK, (json_int_t)o->check);
}

static json_t *pairs_json(const struct vb_report *rep)
{
	json_t *a = json_array();
	uint32_t i;

	for (i = 0; a && i < rep->npairs; i++) {
		const struct vb_p2p_pair *p = &rep->pairs[i];

		json_array_append_new(a, json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s, s:s}",
			COLL_BENCH_PAIR_SRC, (json_int_t)p->src, COLL_BENCH_PAIR_DST, (json_int_t)p->dst,
			COLL_BENCH_PAIR_LATENCY_US, p->lat.typical_us, COLL_BENCH_PAIR_P99_US, p->lat.p99_us,
			COLL_BENCH_PAIR_P999_US, p->lat.p999_us, COLL_BENCH_PAIR_MIN_US, p->lat.min_us,
			COLL_BENCH_PAIR_MAX_US, p->lat.max_us, COLL_BENCH_PAIR_BW_GBPS, p->bw_GBps,
			COLL_BENCH_PAIR_BIBW_GBPS, p->bibw_GBps,
			COLL_BENCH_PAIR_SRC_HOST, rep->hosts[p->src],
			COLL_BENCH_PAIR_DST_HOST, rep->hosts[p->dst]));
	}
	return a;
}

static void p2p_json(json_t *j, const struct vb_report *rep)
{
	const struct vb_lat_stats *l = &rep->p2p_lat;
	bool has = rep->has_p2p;

	json_object_set_new(j, COLL_BENCH_P2P_LAT_ITERATIONS,
			    has ? json_integer(l->n) : json_null());
	json_object_set_new(j, COLL_BENCH_P2P_LAT_BYTES,
			    has ? json_integer((json_int_t)rep->p2p_lat_bytes) : json_null());
	json_object_set_new(j, COLL_BENCH_P2P_LAT_MIN_US, real_or_null(has, l->min_us));
	json_object_set_new(j, COLL_BENCH_P2P_LAT_MAX_US, real_or_null(has, l->max_us));
	json_object_set_new(j, COLL_BENCH_P2P_LAT_AVG_US, real_or_null(has, l->avg_us));
	json_object_set_new(j, COLL_BENCH_P2P_LAT_STDEV_US, real_or_null(has, l->stdev_us));
	json_object_set_new(j, COLL_BENCH_P2P_LAT_P99_US, real_or_null(has, l->p99_us));
	json_object_set_new(j, COLL_BENCH_P2P_LAT_P999_US, real_or_null(has, l->p999_us));
	json_object_set_new(j, COLL_BENCH_P2P_BW_BYTES,
			    has ? json_integer((json_int_t)rep->p2p_bw_bytes) : json_null());
	json_object_set_new(j, COLL_BENCH_P2P_BIBW_GBPS, real_or_null(has, rep->p2p_bibw_GBps));
	if (rep->npairs)
		json_object_set_new(j, COLL_BENCH_P2P_PAIRS, pairs_json(rep));
}

json_t *vb_report_json(const struct vb_report *rep)
{
	json_t *j = job_json(rep), *hosts = json_array(), *ranks = json_array();
	json_t *res = json_array();
	uint32_t i;

	if (!j || !hosts || !ranks || !res)
		goto out_put;
	for (i = 0; i < rep->nranks; i++) {
		json_array_append_new(hosts, json_string(rep->hosts[i]));
		json_array_append_new(ranks, link_json(&rep->links[i], rep->hosts[i], i));
	}
	json_object_set_new(j, COLL_BENCH_ROOT, coll_kind_rooted(rep->o->kind) ?
			    json_integer(rep->o->root) : json_null());
	json_object_set_new(j, COLL_BENCH_INPLACE, json_integer((json_int_t)rep->o->place));
	json_object_set_new(j, COLL_BENCH_HOSTS, hosts);
	json_object_set_new(j, COLL_BENCH_LINE_RATE_BPS, json_integer((json_int_t)rep->line_rate_bps));
	json_object_set_new(j, COLL_BENCH_MTU_BYTES, json_integer(rep->mtu_bytes));
	json_object_set_new(j, COLL_BENCH_PARALLEL_INIT, json_integer(rep->o->parallel_init));
	json_object_set_new(j, COLL_BENCH_INIT_MS, json_real(vb_report_init_ms(rep)));
	json_object_set_new(j, COLL_BENCH_RANKS, ranks);
	json_object_set_new(j, COLL_BENCH_P2P_LATENCY_US,
			    rep->has_p2p ? json_real(rep->p2p_latency_us) : json_null());
	json_object_set_new(j, COLL_BENCH_P2P_BW_GBPS, rep->has_p2p ? json_real(rep->p2p_bw_GBps) : json_null());
	p2p_json(j, rep);
	for (i = 0; i < rep->nres; i++)
		json_array_append_new(res, result_json(rep, &rep->res[i]));
	json_object_set_new(j, COLL_BENCH_RESULTS, res);
	json_object_set_new(j, COLL_BENCH_AVG_BUSBW_GBPS, json_real(vb_report_avg_busbw(rep)));
	return j;

out_put:
	json_decref(j);
	json_decref(hosts);
	json_decref(ranks);
	json_decref(res);
	return NULL;
}

int vb_report_write_json(const struct vb_report *rep, const char *path)
{
	json_t *j = vb_report_json(rep);
	int ret;

	if (!j)
		return -ENOMEM;
	ret = json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ? -EIO : 0;
	json_decref(j);
	return ret;
}

/* The out-of-place columns, empty with --inplace 1. */
static void oop_csv(FILE *f, const struct vb_report *rep, const struct vb_oop_result *p)
{
	if (!has_oop(rep)) {
		fprintf(f, ",,,,,,,");
		return;
	}
	fprintf(f, ",%.3f,%.3f,%.3f,%.6f,%.6f,", p->time_us, p->time_us_min, p->time_us_max,
		p->algbw_GBps, p->busbw_GBps);
	if (p->line_frac >= 0)
		fprintf(f, "%.6f", p->line_frac);
	fprintf(f, ",");
	if (p->wrong >= 0)
		fprintf(f, "%" PRId64, p->wrong);
}

int vb_report_write_csv(const struct vb_report *rep, FILE *f)
{
	const struct vb_opts *o = rep->o;
	uint32_t i;

	fputs(COLL_BENCH_CSV_HEADER "," COLL_BENCH_CSV_OOP_HEADER "\n", f);
	for (i = 0; i < rep->nres; i++) {
		const struct vb_result *r = &rep->res[i];

		if (!has_ip(rep)) {
			/* --inplace 0: the in-place and MPI columns are empty */
			fprintf(f, "%s,%s,%s,%u,%s,%s,%" PRIu64 ",%" PRIu64 ",,,,,,,,,",
				coll_kind_name(o->kind), coll_algo_name(o->algo),
				vb_transport_name(o->transport), rep->nranks,
				coll_dtype_name(o->dtype), coll_redop_name(o->redop),
				r->bytes, r->count);
			oop_csv(f, rep, &r->oop);
			fprintf(f, "\n");
			continue;
		}
		fprintf(f, "%s,%s,%s,%u,%s,%s,%" PRIu64 ",%" PRIu64
			",%.3f,%.3f,%.3f,%.6f,%.6f,",
			coll_kind_name(o->kind), coll_algo_name(o->algo),
			vb_transport_name(o->transport), rep->nranks,
			coll_dtype_name(o->dtype), coll_redop_name(o->redop),
			r->bytes, r->count, r->time_us, r->time_us_min,
			r->time_us_max, r->algbw_GBps, r->busbw_GBps);
		if (r->line_frac >= 0)
			fprintf(f, "%.6f", r->line_frac);
		fprintf(f, ",");
		if (r->wrong >= 0)
			fprintf(f, "%" PRId64, r->wrong);
		fprintf(f, ",");
		if (r->has_mpi)
			fprintf(f, "%.3f,%.6f", r->mpi_time_us, r->mpi_busbw_GBps);
		else
			fprintf(f, ",");
		oop_csv(f, rep, &r->oop);
		fprintf(f, "\n");
	}
	return ferror(f) ? -EIO : 0;
}
