/*
 * Workload generators. Permutation draws a random derangement (every host
 * sends to one other host and receives from exactly one), the pattern
 * behind the vendors' "ECMP delivers ~60%" figures.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/units.h"
#include "sim/traffic/workload.h"

static const char *const sim_wl_names[] = { "permutation", "alltoall", "incast", "flows" };

int sim_workload_from_name(const char *name, enum sim_workload *wl)
{
	for (int i = 0; i < 4; i++) {
		if (!strcmp(name, sim_wl_names[i])) {
			*wl = (enum sim_workload)i;
			return 0;
		}
	}
	if (!strcmp(name, "all-to-all")) {
		*wl = SIM_WL_ALLTOALL;
		return 0;
	}
	return -1;
}

const char *sim_workload_name(enum sim_workload wl)
{
	return sim_wl_names[wl];
}

/*
 * One flow's state, at least: the flow, its QPs and their connections,
 * the smallest PSN bitmaps, a queued event; doubled for array growth.
 */
uint64_t sim_flow_mem_bytes(const struct sim_config *cfg)
{
	uint64_t nq = cfg->qps_per_flow ? cfg->qps_per_flow : 1;

	return 2 * (sizeof(struct sim_flow) + 16 +
		    nq * (sizeof(struct sim_qp) + sizeof(struct sim_conn) + 2 * sizeof(uint64_t)));
}

/* Refuses NFLOWS flows that cannot be numbered or would not fit in memory. */
static int sim_wl_guard(const struct sim *s, uint64_t nflows, const char *what)
{
	char err[256], desc[160];

	if (nflows > SIM_MAX_FLOWS) {
		fprintf(stderr, "fabsim: %s is %llu flows, more than the %u a run can hold\n", what,
			(unsigned long long)nflows, SIM_MAX_FLOWS);
		return -1;
	}
	snprintf(desc, sizeof(desc), "%s (%llu flows)", what, (unsigned long long)nflows);
	if (coll_mem_guard(nflows * sim_flow_mem_bytes(&s->cfg), desc, err, sizeof(err))) {
		fprintf(stderr, "fabsim: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * A flow's packets are numbered by 32-bit PSNs (SIM_MAX_FLOW_PKTS, as
 * sim_add_flow checks): say so with the remedy (1 TiB at a 256-byte MTU).
 */
int sim_flow_size_check(const struct sim *s, uint64_t bytes, char *err, size_t errlen)
{
	char sz[48];

	if (bytes / s->mtu_bytes < SIM_MAX_FLOW_PKTS)
		return 0;
	coll_fmt_qty(COLL_QTY_SIZE, bytes, sz, sizeof(sz));
	snprintf(err, errlen, "a flow of %s is %llu packets at a %u-byte MTU, more than the %llu that 32-bit "
		 "sequence numbers count (use a larger --mtu)", sz,
		 (unsigned long long)((bytes + s->mtu_bytes - 1) / s->mtu_bytes), s->mtu_bytes,
		 (unsigned long long)SIM_MAX_FLOW_PKTS);
	return -1;
}

/* sim_add_flow refused: it said why in sim_error. */
static int sim_wl_failed(const struct sim *s)
{
	fprintf(stderr, "fabsim: %s\n", *sim_error(s) ? sim_error(s) : "out of memory adding flows");
	return -1;
}

static int sim_wl_size(const struct sim *s, uint64_t bytes)
{
	char err[256];

	if (!sim_flow_size_check(s, bytes, err, sizeof(err)))
		return 0;
	fprintf(stderr, "fabsim: --size: %s\n", err);
	return -1;
}

static int sim_wl_permutation(struct sim *s, const struct sim_workload_params *w)
{
	uint32_t n = s->topo->nhosts, *perm;
	struct sim_rng r;
	int rc = 0;

	if (sim_wl_guard(s, n, "a permutation"))
		return -1;
	perm = malloc(n * sizeof(*perm));
	if (!perm)
		return -1;
	sim_rng_seed(&r, w->seed ^ 0x5045524dULL);
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	/* Sattolo's algorithm: a uniformly random single cycle, so no fixed point */
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = sim_rng_below(&r, i), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < n && !rc; i++)
		rc = sim_add_flow(s, i, perm[i], w->bytes, 0) < 0;
	free(perm);
	return rc ? sim_wl_failed(s) : 0;
}

static int sim_wl_alltoall(struct sim *s, const struct sim_workload_params *w)
{
	uint32_t n = s->topo->nhosts;

	if (sim_wl_guard(s, (uint64_t)n * (n - 1), "all-to-all"))
		return -1;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 1; k < n; k++)
			if (sim_add_flow(s, i, (i + k) % n, w->bytes, 0) < 0)
				return sim_wl_failed(s);
	return 0;
}

static int sim_wl_incast(struct sim *s, const struct sim_workload_params *w)
{
	uint32_t n = s->topo->nhosts, m = w->incast_senders;

	if (w->incast_dst >= n || !m || m >= n) {
		fprintf(stderr, "fabsim: incast needs 1..%u senders and a destination below %u\n", n - 1, n);
		return -1;
	}
	for (uint32_t i = 1; i <= m; i++)
		if (sim_add_flow(s, (w->incast_dst + i) % n, w->incast_dst, w->bytes, 0) < 0)
			return sim_wl_failed(s);
	return 0;
}

/* Prints "FILE:LINE: MSG" for a flow list. */
static int sim_wl_err(const char *path, unsigned long lno, const char *msg)
{
	fprintf(stderr, "%s:%lu: %s\n", path, lno, msg);
	return -1;
}

static int sim_wl_flow_line(struct sim *s, char *line, const char *path, unsigned long lno)
{
	uint64_t src, dst, bytes, start = 0, nh = s->topo->nhosts;
	char *tok[5], *save = NULL, err[320], hosts[96];
	int n = 0;

	for (char *t = strtok_r(line, " \t\r", &save); t && n < 5; t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	if (!n)
		return 0;
	if (n < 3 || n > 4) {
		snprintf(err, sizeof(err), "expected 'SRC DST SIZE [START]', found %s%d fields", n > 4 ? "more than " : "",
			 n > 4 ? 4 : n);
		return sim_wl_err(path, lno, err);
	}
	snprintf(hosts, sizeof(hosts), ": the hosts of %s", s->topo->name);
	if (coll_parse_in(COLL_QTY_COUNT, "SRC", tok[0], 0, nh - 1, hosts, &src, err, sizeof(err)) ||
	    coll_parse_in(COLL_QTY_COUNT, "DST", tok[1], 0, nh - 1, hosts, &dst, err, sizeof(err)) ||
	    coll_parse_in(COLL_QTY_SIZE, "SIZE", tok[2], 1, SIM_MAX_FLOW_BYTES, NULL, &bytes, err, sizeof(err)) ||
	    (n == 4 && coll_parse_in(COLL_QTY_TIME, "START", tok[3], 0, SIM_MAX_TIME_PS, NULL, &start, err,
				    sizeof(err))))
		return sim_wl_err(path, lno, err);
	if (src == dst) {
		snprintf(err, sizeof(err), "SRC and DST are both host %llu: expected two distinct hosts",
			 (unsigned long long)src);
		return sim_wl_err(path, lno, err);
	}
	if (sim_flow_size_check(s, bytes, err, sizeof(err)))
		return sim_wl_err(path, lno, err);
	/* every doubling of the flow array, check that the next one fits */
	if (s->nflows >= 65536 && !(s->nflows & (s->nflows - 1)) &&
	    sim_wl_guard(s, 2 * (uint64_t)s->nflows, "the flow list"))
		return sim_wl_err(path, lno, "too many flows for the memory available");
	if (sim_add_flow(s, (uint32_t)src, (uint32_t)dst, bytes, start) < 0)
		return sim_wl_err(path, lno, sim_error(s));
	return 0;
}

static int sim_wl_flows(struct sim *s, const struct sim_workload_params *w)
{
	FILE *f = fopen(w->flows_path, "r");
	char line[SIM_MAX_LINE], err[160];
	unsigned long lno = 0;
	int rc = 0, got;

	if (!f) {
		fprintf(stderr, "fabsim: %s: %s\n", w->flows_path, strerror(errno));
		return -1;
	}
	while (!rc && (got = coll_read_line(f, line, sizeof(line), err, sizeof(err))) != 0) {
		lno++;
		if (got < 0)
			rc = sim_wl_err(w->flows_path, lno, err);
		else
			rc = sim_wl_flow_line(s, line, w->flows_path, lno);
	}
	fclose(f);
	if (!rc && !s->nflows) {
		fprintf(stderr, "%s: expected at least one flow 'SRC DST SIZE [START]', found none\n", w->flows_path);
		rc = -1;
	}
	return rc;
}

int sim_workload_add(struct sim *s, const struct sim_workload_params *w)
{
	if (s->topo->nhosts < 2) {
		fprintf(stderr, "fabsim: topology %s has %u host%s; a workload needs at least 2\n", s->topo->name,
			s->topo->nhosts, s->topo->nhosts == 1 ? "" : "s");
		return -1;
	}
	if (w->kind != SIM_WL_FLOWS && !w->bytes) {
		fprintf(stderr, "fabsim: the workload needs --size greater than 0\n");
		return -1;
	}
	if (w->kind != SIM_WL_FLOWS && sim_wl_size(s, w->bytes))
		return -1;
	switch (w->kind) {
	case SIM_WL_PERMUTATION:
		return sim_wl_permutation(s, w);
	case SIM_WL_ALLTOALL:
		return sim_wl_alltoall(s, w);
	case SIM_WL_INCAST:
		return sim_wl_incast(s, w);
	case SIM_WL_FLOWS:
		return sim_wl_flows(s, w);
	}
	return -1;
}
