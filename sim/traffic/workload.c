/*
 * Workload generators. Permutation draws a random derangement (every host
 * sends to one other host and receives from exactly one), the pattern
 * behind the vendors' "ECMP delivers ~60%" figures. Nothing here prints:
 * errors are a negative errno and a message in the caller's buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/units.h"
#include "sim/topo/fail.h"
#include "sim/traffic/workload.h"

static const char *const sim_wl_names[] = { "permutation", "alltoall", "incast", "flows" };

int sim_workload_from_name(const char *name, enum sim_workload *wl)
{
	for (size_t i = 0; i < sizeof(sim_wl_names) / sizeof(sim_wl_names[0]); i++) {
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

/*
 * One flow's state, at least: the flow, its QPs and their connections,
 * the smallest PSN bitmaps, a queued event; doubled for array growth.
 */
static uint64_t sim_flow_mem_bytes(const struct sim_config *cfg)
{
	uint64_t nq = cfg->qps_per_flow ? cfg->qps_per_flow : 1;

	return 2 * (sizeof(struct sim_flow) + 16 +
		    nq * (sizeof(struct sim_qp) + sizeof(struct sim_conn) + 2 * sizeof(uint64_t)));
}

/* Where a workload says why it failed; ERR may be NULL. */
struct sim_wl_err {
	char *buf;
	size_t len;
};

static int sim_wl_fail(const struct sim_wl_err *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The reason into E; returns RC, a negative errno. */
static int sim_wl_fail(const struct sim_wl_err *e, int rc, const char *fmt, ...)
{
	va_list ap;

	if (e->buf && e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Refuses NFLOWS flows that cannot be numbered or would not fit in memory. */
static int sim_wl_guard(const struct sim *s, uint64_t nflows, const char *what, const struct sim_wl_err *e)
{
	char err[256], desc[160];
	int rc;

	if (nflows > SIM_MAX_FLOWS)
		return sim_wl_fail(e, -E2BIG, "%s is %llu flows, more than the %u a run can hold", what,
				   (unsigned long long)nflows, SIM_MAX_FLOWS);
	snprintf(desc, sizeof(desc), "%s (%llu flows)", what, (unsigned long long)nflows);
	rc = coll_mem_guard(nflows * sim_flow_mem_bytes(&s->cfg), desc, err, sizeof(err));
	return rc ? sim_wl_fail(e, rc, "%s", err) : 0;
}

/*
 * A flow's packets are numbered by 32-bit PSNs (SIM_MAX_FLOW_PKTS, as
 * sim_add_flow checks): say so with the remedy (1 TiB at a 256-byte MTU).
 */
static int sim_flow_size_check(const struct sim *s, uint64_t bytes, char *err, size_t errlen)
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
static int sim_wl_failed(const struct sim *s, const struct sim_wl_err *e)
{
	return sim_wl_fail(e, -ENOMEM, "%s", *sim_error(s) ? sim_error(s) : "out of memory adding flows");
}

static int sim_wl_size(const struct sim *s, uint64_t bytes, const struct sim_wl_err *e)
{
	char err[256];

	if (!sim_flow_size_check(s, bytes, err, sizeof(err)))
		return 0;
	return sim_wl_fail(e, -E2BIG, "--size: %s", err);
}

/* The hosts a flow workload uses (--hosts), ascending host indices. */
struct sim_wl_set {
	uint32_t *h;
	uint32_t n;
};

static int sim_wl_permutation(struct sim *s, const struct sim_workload_params *w, const struct sim_wl_set *set,
			      const struct sim_wl_err *e)
{
	uint32_t n = set->n, *perm;
	struct sim_rng r;
	int rc;

	rc = sim_wl_guard(s, n, "a permutation", e);
	if (rc)
		return rc;
	perm = malloc(n * sizeof(*perm));
	if (!perm)
		return sim_wl_fail(e, -ENOMEM, "out of memory for a permutation of %u hosts", n);
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
		rc = sim_add_flow(s, set->h[i], set->h[perm[i]], w->bytes, 0) < 0;
	free(perm);
	return rc ? sim_wl_failed(s, e) : 0;
}

static int sim_wl_alltoall(struct sim *s, const struct sim_workload_params *w, const struct sim_wl_set *set,
			   const struct sim_wl_err *e)
{
	uint32_t n = set->n;
	int rc = sim_wl_guard(s, (uint64_t)n * (n - 1), "all-to-all", e);

	if (rc)
		return rc;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 1; k < n; k++)
			if (sim_add_flow(s, set->h[i], set->h[(i + k) % n], w->bytes, 0) < 0)
				return sim_wl_failed(s, e);
	return 0;
}

static const char *const sim_incast_from_names[] = { "next", "local", "remote", "random" };

int sim_incast_from_name(const char *name, enum sim_incast_from *from)
{
	for (size_t i = 0; i < sizeof(sim_incast_from_names) / sizeof(sim_incast_from_names[0]); i++) {
		if (!strcmp(name, sim_incast_from_names[i])) {
			*from = (enum sim_incast_from)i;
			return 0;
		}
	}
	return -1;
}

/* The edge switch of host H: the node its first NIC port (plane 0) links to. */
static uint32_t sim_wl_leaf(const struct sim_topo *t, uint32_t h)
{
	return t->ports[t->ports[t->nodes[t->hosts[h]].first_port].peer].node;
}

/*
 * REMOTE: hosts off LEAF in round-robin over their leaves. ORD holds the
 * N hosts in the order to consider them (from the destination on); a
 * host's rank is how many hosts of its leaf come before it in ORD, and
 * round r takes every rank-r host, so each round visits every leaf once.
 * Fills OUT with up to M hosts; returns how many.
 */
static int64_t sim_wl_remote(const struct sim_topo *t, const uint32_t *ord, uint32_t n, uint32_t leaf, uint32_t m,
			     uint32_t *out)
{
	uint32_t *seen = calloc(t->nnodes, sizeof(*seen)), *rank = malloc(n * sizeof(*rank)), got = 0, maxr = 0;

	if (!seen || !rank) {
		free(seen);
		free(rank);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		rank[i] = seen[sim_wl_leaf(t, ord[i])]++;
		if (rank[i] > maxr)
			maxr = rank[i];
	}
	for (uint32_t r = 0; r <= maxr && got < m; r++)
		for (uint32_t i = 0; i < n && got < m; i++)
			if (rank[i] == r && sim_wl_leaf(t, ord[i]) != leaf)
				out[got++] = ord[i];
	free(seen);
	free(rank);
	return got;
}

/*
 * The senders of an incast into SET's host P as w->incast_from says, into
 * OUT (room for set->n - 1): how many the pool holds, at most M (all M
 * but for LOCAL and REMOTE, whose pools may be smaller), or -1 out of
 * memory.
 */
static int64_t sim_wl_senders(const struct sim *s, const struct sim_workload_params *w, const struct sim_wl_set *set,
			      uint32_t p, uint32_t *out)
{
	const struct sim_topo *t = s->topo;
	uint32_t n = set->n, m = w->incast_senders, leaf = sim_wl_leaf(t, w->incast_dst), got = 0;
	struct sim_rng r;
	uint32_t *ord;
	int64_t rc;

	for (uint32_t i = 1; i < n; i++)	/* the hosts after the destination, wrapping */
		out[i - 1] = set->h[(p + i) % n];
	switch (w->incast_from) {
	case SIM_INCAST_NEXT:
		return m;
	case SIM_INCAST_LOCAL:
		for (uint32_t i = 0; i < n - 1 && got < m; i++)
			if (sim_wl_leaf(t, out[i]) == leaf)
				out[got++] = out[i];
		return got;
	case SIM_INCAST_REMOTE:
		ord = malloc((n - 1) * sizeof(*ord));
		if (!ord)
			return -1;
		memcpy(ord, out, (n - 1) * sizeof(*ord));
		rc = sim_wl_remote(t, ord, n - 1, leaf, m, out);
		free(ord);
		return rc;
	case SIM_INCAST_RANDOM:
		sim_rng_seed(&r, w->seed ^ 0x494e4341ULL);
		for (uint32_t i = 0; i < m; i++) {	/* a partial Fisher-Yates shuffle */
			uint32_t j = i + sim_rng_below(&r, n - 1 - i), x = out[i];

			out[i] = out[j];
			out[j] = x;
		}
		return m;
	}
	return -1;
}

/* LOCAL or REMOTE asked for more senders than its pool holds (POOL of them). */
static int sim_wl_pool_short(const struct sim *s, const struct sim_workload_params *w, int64_t pool,
			     const struct sim_wl_err *e)
{
	char dst[80], leaf[80];

	sim_topo_node_name(s->topo, s->topo->hosts[w->incast_dst], dst, sizeof(dst));
	sim_topo_node_name(s->topo, sim_wl_leaf(s->topo, w->incast_dst), leaf, sizeof(leaf));
	if (!pool)
		return sim_wl_fail(e, -EINVAL, "--incast-from %s: no host is %s %s, the leaf of the destination %s",
				   sim_incast_from_names[w->incast_from],
				   w->incast_from == SIM_INCAST_LOCAL ? "on" : "off", leaf, dst);
	return sim_wl_fail(e, -EINVAL, "--incast-from %s: %u senders, but only %lld host%s %s %s %s, the leaf of "
			   "the destination %s (expected --incast-senders 1..%lld)", sim_incast_from_names[w->incast_from],
			   w->incast_senders, (long long)pool, pool == 1 ? "" : "s", pool == 1 ? "is" : "are",
			   w->incast_from == SIM_INCAST_LOCAL ? "on" : "off", leaf, dst, (long long)pool);
}

static int sim_wl_incast(struct sim *s, const struct sim_workload_params *w, const struct sim_wl_set *set,
			 const struct sim_wl_err *e)
{
	uint32_t n = set->n, m = w->incast_senders, p = 0, *from;
	int64_t got;
	int rc = 0;

	while (p < n && set->h[p] != w->incast_dst)
		p++;
	if (p == n)
		return sim_wl_fail(e, -EINVAL, "--incast-dst %u is not one of the --hosts", w->incast_dst);
	if (!m || m >= n)
		return sim_wl_fail(e, -EINVAL, "--incast-senders %u: the %u hosts %shold 1..%u senders", m, n,
				   n < s->topo->nhosts ? "of --hosts " : "", n - 1);
	from = malloc((n - 1) * sizeof(*from));
	if (!from)
		return sim_wl_fail(e, -ENOMEM, "out of memory for an incast on %u hosts", n);
	got = sim_wl_senders(s, w, set, p, from);
	if (got < 0)
		rc = sim_wl_fail(e, -ENOMEM, "out of memory for an incast on %u hosts", n);
	else if (got < m)
		rc = sim_wl_pool_short(s, w, got, e);
	for (uint32_t i = 0; i < m && !rc; i++)
		if (sim_add_flow(s, from[i], w->incast_dst, w->bytes, 0) < 0)
			rc = sim_wl_failed(s, e);
	free(from);
	return rc;
}

/* "FILE:LINE: MSG" for a flow list; -EBADMSG says the message is located. */
static int sim_wl_err(const struct sim_wl_err *e, const char *path, unsigned long lno, const char *msg)
{
	return sim_wl_fail(e, -EBADMSG, "%s:%lu: %s", path, lno, msg);
}

int sim_line_fields(char *line, char **tok, int min, int max, const char *form, char *err, size_t errlen)
{
	char *save = NULL;
	bool more = false;
	int n = 0;

	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == max) {
			more = true;
			break;
		}
		tok[n++] = t;
	}
	if (n && (more || n < min)) {
		snprintf(err, errlen, "expected '%s', found %s%d fields", form, more ? "more than " : "", n);
		return -1;
	}
	return n;
}

/*
 * Host FIELD of a flow line: an index (digits first, so the range errors
 * stay as they were) or a node name of the topology (h12 on a generated
 * fabric, the user's names on an explicit one) that must be a host.
 */
static int sim_wl_host(const struct sim_topo *t, const char *field, const char *tok, uint64_t *out, char *err,
		       size_t errlen)
{
	char hosts[96], eg[80];
	uint32_t node;

	snprintf(hosts, sizeof(hosts), ": the hosts of %s", t->name);
	if ((tok[0] >= '0' && tok[0] <= '9') || tok[0] == '-' || tok[0] == '+' || tok[0] == '.')
		return coll_parse_in(COLL_QTY_COUNT, field, tok, 0, t->nhosts - 1, hosts, out, err, errlen);
	node = sim_topo_node_by_name(t, tok);
	if (node < t->nhosts) {		/* host ids are host indices (topo.h) */
		*out = node;
		return 0;
	}
	sim_topo_node_name(t, t->hosts[0], eg, sizeof(eg));
	snprintf(err, errlen, node == SIM_NONE ? "%s: unknown host '%s' (expected %s0..%u or a host name such as %s)" :
		 "%s: '%s' is a switch (expected %s0..%u or a host name such as %s)", field, tok, "a host index ",
		 t->nhosts - 1, eg);
	return -EINVAL;
}

static int sim_wl_flow_line(struct sim *s, char *line, const char *path, unsigned long lno,
			    const struct sim_wl_err *e)
{
	uint64_t src, dst, bytes, start = 0;
	char *tok[4], err[320];
	int n = sim_line_fields(line, tok, 3, 4, "SRC DST SIZE [START]", err, sizeof(err));

	if (n < 0)
		return sim_wl_err(e, path, lno, err);
	if (!n)
		return 0;
	if (sim_wl_host(s->topo, "SRC", tok[0], &src, err, sizeof(err)) ||
	    sim_wl_host(s->topo, "DST", tok[1], &dst, err, sizeof(err)) ||
	    coll_parse_in(COLL_QTY_SIZE, "SIZE", tok[2], 1, SIM_MAX_FLOW_BYTES, NULL, &bytes, err, sizeof(err)) ||
	    (n == 4 && coll_parse_in(COLL_QTY_TIME, "START", tok[3], 0, SIM_MAX_TIME_PS, NULL, &start, err,
				    sizeof(err))))
		return sim_wl_err(e, path, lno, err);
	if (src == dst) {
		snprintf(err, sizeof(err), "SRC and DST are both host %llu: expected two distinct hosts",
			 (unsigned long long)src);
		return sim_wl_err(e, path, lno, err);
	}
	if (sim_flow_size_check(s, bytes, err, sizeof(err)))
		return sim_wl_err(e, path, lno, err);
	/* every doubling of the flow array, check that the next one fits */
	if (s->nflows >= 65536 && !(s->nflows & (s->nflows - 1)) &&
	    sim_wl_guard(s, 2 * (uint64_t)s->nflows, "the flow list", e)) {
		/* one line, located: "FILE:LINE: too many flows ...: the flow list (N flows) needs ..." */
		snprintf(err, sizeof(err), "too many flows for the memory available: %s", e->buf ? e->buf : "");
		return sim_wl_err(e, path, lno, err);
	}
	if (sim_add_flow(s, (uint32_t)src, (uint32_t)dst, bytes, start) < 0)
		return sim_wl_err(e, path, lno, sim_error(s));
	return 0;
}

static int sim_wl_flows(struct sim *s, const struct sim_workload_params *w, const struct sim_wl_err *e)
{
	FILE *f = fopen(w->flows_path, "r");
	char line[SIM_MAX_LINE], err[160];
	unsigned long lno = 0;
	int rc = 0, got;

	if (!f)
		return sim_wl_fail(e, -errno, "%s: %s", w->flows_path, strerror(errno));
	while (!rc && (got = coll_read_line(f, line, sizeof(line), err, sizeof(err))) != 0) {
		lno++;
		if (got < 0)
			rc = sim_wl_err(e, w->flows_path, lno, err);
		else
			rc = sim_wl_flow_line(s, line, w->flows_path, lno, e);
	}
	fclose(f);
	if (!rc && !s->nflows)
		rc = sim_wl_fail(e, -EBADMSG, "%s: expected at least one flow 'SRC DST SIZE [START]', found none",
				 w->flows_path);
	return rc;
}

/* One "A" or "A-B" of --hosts: a host index, or a range of them. */
static int sim_wl_host_item(const struct sim_topo *t, const char *spec, const char *item, uint64_t *a, uint64_t *b,
			    const struct sim_wl_err *e)
{
	char err[200], note[96], lo[32];
	const char *dash = strchr(item, '-');
	size_t len = dash ? (size_t)(dash - item) : strlen(item);

	if (!len || len >= sizeof(lo) || (dash && !dash[1]))
		return sim_wl_fail(e, -EINVAL, "--hosts '%s': '%s' is not a host index or a range A-B "
				   "(expected e.g. 0-15,32,40-47)", spec, item);
	memcpy(lo, item, len);
	lo[len] = 0;
	snprintf(note, sizeof(note), ": the hosts of %s", t->name);
	if (coll_parse_in(COLL_QTY_COUNT, "host", lo, 0, t->nhosts - 1, note, a, err, sizeof(err)) ||
	    coll_parse_in(COLL_QTY_COUNT, "host", dash ? dash + 1 : lo, 0, t->nhosts - 1, note, b, err, sizeof(err)))
		return sim_wl_fail(e, -EINVAL, "--hosts '%s': %s", spec, err);
	if (*b < *a)
		return sim_wl_fail(e, -EINVAL, "--hosts '%s': range '%s' ends before it starts (expected A-B with "
				   "A <= B)", spec, item);
	return 0;
}

/* SPEC ("0-15,32,40-47"; NULL: every host) into SET, ascending; -errno with why in E. */
static int sim_wl_hosts(const struct sim_topo *t, const char *spec, struct sim_wl_set *set,
			const struct sim_wl_err *e)
{
	uint8_t *in = calloc(t->nhosts, 1);
	char *copy = spec ? strdup(spec) : NULL, *save = NULL;
	uint64_t a, b;
	int rc = 0;

	set->n = 0;
	set->h = malloc(t->nhosts * sizeof(*set->h));
	if (!in || !set->h || (spec && !copy)) {
		rc = sim_wl_fail(e, -ENOMEM, "out of memory for the hosts of %s", t->name);
		goto out_free;
	}
	if (!spec)
		memset(in, 1, t->nhosts);
	for (char *it = copy ? strtok_r(copy, ",", &save) : NULL; it && !rc; it = strtok_r(NULL, ",", &save)) {
		rc = sim_wl_host_item(t, spec, it, &a, &b, e);
		if (!rc)
			memset(in + a, 1, b - a + 1);
	}
	for (uint32_t i = 0; i < t->nhosts; i++)
		if (in[i])
			set->h[set->n++] = i;
	if (!rc && set->n < 2)
		rc = sim_wl_fail(e, -EINVAL, "--hosts '%s' is %u host%s; a workload needs at least 2", spec, set->n,
				 set->n == 1 ? "" : "s");
out_free:
	free(copy);
	free(in);
	if (rc) {
		free(set->h);
		set->h = NULL;
	}
	return rc;
}

/* Permutation, all-to-all or incast among the hosts of w->hosts_spec. */
static int sim_wl_on_hosts(struct sim *s, const struct sim_workload_params *w, const struct sim_wl_err *e)
{
	struct sim_wl_set set;
	int rc = sim_wl_hosts(s->topo, w->hosts_spec, &set, e);

	if (rc)
		return rc;
	if (w->kind == SIM_WL_PERMUTATION)
		rc = sim_wl_permutation(s, w, &set, e);
	else if (w->kind == SIM_WL_ALLTOALL)
		rc = sim_wl_alltoall(s, w, &set, e);
	else
		rc = sim_wl_incast(s, w, &set, e);
	free(set.h);
	return rc;
}

int sim_workload_add(struct sim *s, const struct sim_workload_params *w, char *err, size_t errlen)
{
	const struct sim_wl_err e = { err, errlen };
	int rc;

	if (s->topo->nhosts < 2)
		return sim_wl_fail(&e, -EINVAL, "topology %s has %u host%s; a workload needs at least 2", s->topo->name,
				   s->topo->nhosts, s->topo->nhosts == 1 ? "" : "s");
	if (w->kind == SIM_WL_FLOWS) {
		if (w->hosts_spec)
			return sim_wl_fail(&e, -EINVAL, "--hosts chooses the hosts of permutation, all-to-all and "
					   "incast; a flow list names its own");
		return sim_wl_flows(s, w, &e);
	}
	if (!w->bytes)
		return sim_wl_fail(&e, -EINVAL, "the workload needs --size greater than 0");
	rc = sim_wl_size(s, w->bytes, &e);
	if (rc)
		return rc;
	if (w->kind == SIM_WL_PERMUTATION || w->kind == SIM_WL_ALLTOALL || w->kind == SIM_WL_INCAST)
		return sim_wl_on_hosts(s, w, &e);
	return sim_wl_fail(&e, -EINVAL, "unknown workload %d", (int)w->kind);
}

/* Hosts no job took send a permutation among themselves. */
int sim_workload_background(struct sim *s, const uint8_t *used, uint64_t bytes, uint64_t seed, char *err,
			    size_t errlen)
{
	const struct sim_wl_err e = { err, errlen };
	uint32_t n = s->topo->nhosts, m = 0, *free_hosts = malloc(n * sizeof(*free_hosts));
	struct sim_rng r;
	int rc = 0;

	if (!free_hosts)
		return sim_wl_fail(&e, -ENOMEM, "out of memory for the background traffic");
	for (uint32_t i = 0; i < n; i++)
		if (!used[i])
			free_hosts[m++] = i;
	sim_rng_seed(&r, seed ^ 0x424b47ULL);
	for (uint32_t i = m ? m - 1 : 0; i > 0; i--) {	/* Sattolo: one cycle, no fixed point */
		uint32_t j = sim_rng_below(&r, i), x = free_hosts[i];

		free_hosts[i] = free_hosts[j];
		free_hosts[j] = x;
	}
	for (uint32_t i = 0; m > 1 && i < m && !rc; i++)
		if (sim_add_flow(s, free_hosts[i], free_hosts[(i + 1) % m], bytes, 0) < 0)
			rc = sim_wl_failed(s, &e);
	free(free_hosts);
	if (!rc && m < 2)
		rc = sim_wl_fail(&e, -ENOSPC, "background traffic needs at least two hosts that no job uses");
	return rc;
}
