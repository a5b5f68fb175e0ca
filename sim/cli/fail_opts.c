/*
 * --fail, --fail-seed, --fail-at and --restore-at (fail_opts.h): kept as
 * given while the options are parsed, turned into a struct sim_fail_plan
 * once the topology is loaded, and held against the workload once it is
 * built. A failure that leaves a host of the workload without a path to a
 * host it sends to or receives from would only show as a run that never
 * ends (RC retransmits forever): it is refused before the run, naming the
 * host and the failures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/units.h"
#include "sim/cli/fail_opts.h"
#include "sim/topo/reach.h"
#include "sim/traffic/workload.h"

static int reqs_add(const struct sim_opt *opt, const char *arg, struct sim_fail_reqs *r, struct sim_fail_req *q,
		    char *err, size_t errlen)
{
	if (r->n == SIM_FAIL_MAX_REQS)
		return sim_opt_expected(opt, arg, "at most 256 failure options", err, errlen);
	if (!*q->spec)
		return sim_opt_expected(opt, arg, "a SPEC: A:B, A:B=RATE, P%@TIER or plane:P", err, errlen);
	r->v[r->n++] = *q;
	return 0;
}

int sim_fail_opt(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	struct sim_fail_req q = { .spec = arg, .op = SIM_FAIL_DOWN };

	return reqs_add(opt, arg, sim_opt_field(opt, obj), &q, err, errlen);
}

/* "TIME=SPEC" (the two words joined by sim_fail_argv) */
int sim_fail_opt_at(const struct sim_opt *opt, const char *arg, void *obj, char *err, size_t errlen)
{
	struct sim_fail_req q = { .op = (uint8_t)opt->value };
	const char *eq = strchr(arg, '=');
	char what[32], tbuf[64];
	size_t len;

	if (!eq)
		return sim_opt_expected(opt, arg, "TIME SPEC, e.g. 200us leaf3:spine7", err, errlen);
	len = (size_t)(eq - arg);
	if (len >= sizeof(tbuf))
		return sim_opt_expected(opt, arg, "a TIME like 200us before the SPEC", err, errlen);
	memcpy(tbuf, arg, len);
	tbuf[len] = 0;
	q.spec = eq + 1;
	q.time = arg;
	snprintf(what, sizeof(what), "--%s", opt->name);
	if (tbuf[0] == '-' || (!coll_parse_in(COLL_QTY_TIME, what, tbuf, 0, SIM_MAX_TIME_PS, NULL, &q.at_ps, err,
					     errlen) && !q.at_ps)) {
		snprintf(err, errlen, "--%s %s %s: a time in the past (expected a time after the start, > 0; "
			 "a failure from the start is --fail SPEC)", opt->name, tbuf, q.spec);
		return -EINVAL;
	}
	if (!q.at_ps)
		return -EINVAL;	/* coll_parse_in said why */
	return reqs_add(opt, arg, sim_opt_field(opt, obj), &q, err, errlen);
}

static bool timed_opt(const char *a, const char **time)
{
	static const char *const names[] = { "--fail-at", "--restore-at" };

	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(names[k]);

		if (strncmp(a, names[k], n))
			continue;
		if (!a[n]) {
			*time = NULL;
			return true;
		}
		if (a[n] == '=') {
			*time = a + n + 1;
			return true;
		}
	}
	return false;
}

/* Joins A and B as "AB" (SEP between), owned by OUT. */
static char *join(struct sim_fail_argv *out, const char *a, const char *sep, const char *b)
{
	size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
	char *s = malloc(n);

	if (!s)
		return NULL;
	snprintf(s, n, "%s%s%s", a, sep, b);
	out->owned[out->nowned++] = s;
	return s;
}

int sim_fail_argv(int argc, char **argv, struct sim_fail_argv *out)
{
	int i, k = 0;
	bool opts = true;

	memset(out, 0, sizeof(*out));
	out->argv = calloc((size_t)argc + 1, sizeof(*out->argv));
	out->owned = calloc((size_t)argc + 1, sizeof(*out->owned));
	if (!out->argv || !out->owned)
		goto out_free;
	for (i = 0; i < argc; i++) {
		const char *time;
		char *w;

		if (opts && i && !strcmp(argv[i], "--"))
			opts = false;
		/* TIME SPEC: a TIME has no '=', a SPEC never starts with '-' */
		if (!opts || !i || !timed_opt(argv[i], &time) || (time && strchr(time, '='))) {
			out->argv[k++] = argv[i];
			continue;
		}
		if (!time && i + 2 < argc && !strchr(argv[i + 1], '=') && argv[i + 2][0] != '-') {
			out->argv[k++] = argv[i];
			w = join(out, argv[i + 1], "=", argv[i + 2]);
			i += 2;
		} else if (time && i + 1 < argc && argv[i + 1][0] != '-') {
			w = join(out, argv[i], "=", argv[i + 1]);
			i += 1;
		} else {
			out->argv[k++] = argv[i];
			continue;
		}
		if (!w)
			goto out_free;
		out->argv[k++] = w;
	}
	out->argc = k;
	return 0;
out_free:
	sim_fail_argv_free(out);
	return -ENOMEM;
}

void sim_fail_argv_free(struct sim_fail_argv *a)
{
	for (int i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}

/* "--fail-at 200us leaf3:spine7", as the user typed it */
static void req_name(const struct sim_fail_req *q, char *buf, size_t len)
{
	const char *opt = !q->at_ps ? "--fail" : q->op == SIM_FAIL_RESTORE ? "--restore-at" : "--fail-at";

	if (q->time)
		snprintf(buf, len, "%s %.*s %s", opt, (int)(strchr(q->time, '=') - q->time), q->time, q->spec);
	else
		snprintf(buf, len, "%s %s", opt, q->spec);
}

static int req_parse(struct sim_topo *t, const struct sim_fail_req *q, struct sim_fail_plan *plan,
		     const char *cmd)
{
	char err[512], name[600];
	int ret = sim_fail_parse(t, q->spec, q->at_ps, (enum sim_fail_op)q->op, plan, err, sizeof(err));

	if (!ret)
		return 0;
	if (ret == -ENOMEM) {
		fprintf(stderr, "%s: out of memory\n", cmd);
		return 1;
	}
	req_name(q, name, sizeof(name));
	/* ERR is "SPEC: why": the option and TIME go before it */
	fprintf(stderr, "%s: %s%s\n", cmd, name, err + strlen(q->spec));
	return 2;
}

/* A --restore-at's links must be down or degraded before its time: FIRST[port] is when they first were. */
static int restore_check(struct sim_topo *t, const struct sim_fail_req *q, const struct sim_fail_plan *plan,
			 uint32_t from, const uint64_t *first, const char *cmd)
{
	char name[600], link[160];

	for (uint32_t i = from; i < plan->n; i++) {
		uint32_t p = plan->v[i].port;

		if (t->ports[p].down || t->ports[p].degraded || first[p] < q->at_ps)
			continue;
		req_name(q, name, sizeof(name));
		sim_topo_link_name(t, p, link, sizeof(link));
		fprintf(stderr, "%s: %s: %s is not failed by an earlier change (expected a link of --fail, of an "
			"earlier --fail-at or of the topology's fail list)\n", cmd, name, link);
		return 2;
	}
	return 0;
}

/* Every request's changes; the restores last, each checked against what failed before it. */
static int reqs_parse(struct sim_topo *t, const struct sim_fail_reqs *r, struct sim_fail_plan *plan,
		      const char *cmd)
{
	uint32_t nrestore = 0;
	uint64_t *first;
	int rc = 0;

	for (uint32_t k = 0; k < r->n && !rc; k++) {
		if (r->v[k].op != SIM_FAIL_RESTORE)
			rc = req_parse(t, &r->v[k], plan, cmd);
		else
			nrestore++;
	}
	if (rc || !nrestore)
		return rc;
	first = malloc((size_t)t->nports * sizeof(*first));
	if (!first) {
		fprintf(stderr, "%s: out of memory\n", cmd);
		return 1;
	}
	memset(first, 0xff, (size_t)t->nports * sizeof(*first));
	for (uint32_t i = 0; i < plan->n; i++)
		if (plan->v[i].at_ps < first[plan->v[i].port])
			first[plan->v[i].port] = plan->v[i].at_ps;
	for (uint32_t k = 0; k < r->n && !rc; k++) {
		uint32_t from = plan->n;

		if (r->v[k].op != SIM_FAIL_RESTORE)
			continue;
		rc = req_parse(t, &r->v[k], plan, cmd);
		if (!rc)
			rc = restore_check(t, &r->v[k], plan, from, first, cmd);
	}
	free(first);
	return rc;
}

int sim_fail_reqs_build(struct sim_topo *t, const struct sim_fail_reqs *r, uint64_t seed, uint64_t stop_ps,
			struct sim_fail_plan *timed, const char *cmd)
{
	char name[600], stop[48];
	int rc;

	sim_fail_plan_free(timed);
	timed->seed = seed;
	if (!r->n)
		return 0;
	for (uint32_t k = 0; k < r->n; k++) {
		if (!stop_ps || r->v[k].at_ps < stop_ps)
			continue;
		req_name(&r->v[k], name, sizeof(name));
		coll_fmt_qty(COLL_QTY_TIME, stop_ps, stop, sizeof(stop));
		fprintf(stderr, "%s: %s: at or after --stop %s (expected a time before the run stops)\n", cmd, name,
			stop);
		return 2;
	}
	/* every SPEC is read on the topology as loaded: a restore returns to the rate it gave */
	rc = reqs_parse(t, r, timed, cmd);
	if (rc) {
		sim_fail_plan_free(timed);
		return rc;
	}
	sim_fail_apply_static(t, timed);
	sim_fail_sort(timed);
	return 0;
}

/* The failures behind the state at AT_PS (0: the start), for a message: "--fail a, --fail-at 1us b". */
static void culprits(const struct sim_fail_reqs *r, uint64_t at_ps, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t n = 0;

	buf[0] = 0;
	for (uint32_t k = 0; k < r->n && used < len; k++) {
		char name[600];

		if (r->v[k].op == SIM_FAIL_RESTORE || r->v[k].at_ps > at_ps)
			continue;
		if (n++ == 3) {
			used += snprintf(buf + used, len - used, ", ...");
			break;
		}
		req_name(&r->v[k], name, sizeof(name));
		used += snprintf(buf + used, len - used, "%s%s", n > 1 ? ", " : "", name);
	}
	if (!n)
		snprintf(buf, len, "the topology's fail list");
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* The first pair of HOSTS, ids A and B, with no plane between them: 1 if there is one. */
static int first_cut(struct sim_topo *t, const struct sim_reach *reach,
		     bool (*pair)(void *, uint64_t, uint32_t *, uint32_t *), uint64_t npairs, void *ctx,
		     uint32_t *a, uint32_t *b)
{
	for (uint64_t i = 0; i < npairs; i++) {
		uint32_t p;

		if (!pair(ctx, i, a, b) || *a == *b)
			continue;
		for (p = 0; p < t->nplanes && !sim_reach_hosts(t, reach, *a, *b, p); p++)
			;
		if (p == t->nplanes)
			return 1;
	}
	return 0;
}

/* The first pair of the workload that no plane connects: 1 after a message, 0, -ENOMEM. */
static int pairs_cut(struct sim_topo *t, const struct sim_fail_reqs *r, uint64_t at_ps,
		     bool (*pair)(void *, uint64_t, uint32_t *, uint32_t *), uint64_t npairs, void *ctx,
		     const char *cmd)
{
	char who[2048], an[64], bn[64], when[64] = "", at[48];
	struct sim_reach reach;
	uint32_t a = 0, b = 0, *iso = NULL, niso;
	int ret = sim_reach_build(t, &reach);

	if (ret)
		return ret;
	ret = first_cut(t, &reach, pair, npairs, ctx, &a, &b);
	if (ret) {
		/* name first the host that lost its every path, if B did and A did not */
		iso = malloc((size_t)t->nhosts * sizeof(*iso));
		niso = iso ? sim_reach_isolated(t, &reach, iso, t->nhosts) : 0;
		if (niso && bsearch(&b, iso, niso, sizeof(*iso), cmp_u32) &&
		    !bsearch(&a, iso, niso, sizeof(*iso), cmp_u32)) {
			uint32_t x = a;

			a = b;
			b = x;
		}
		free(iso);
	}
	sim_reach_free(&reach);
	if (!ret)
		return 0;
	culprits(r, at_ps, who, sizeof(who));
	sim_topo_node_name(t, a, an, sizeof(an));
	sim_topo_node_name(t, b, bn, sizeof(bn));
	if (at_ps) {
		coll_fmt_qty(COLL_QTY_TIME, at_ps, at, sizeof(at));
		snprintf(when, sizeof(when), " from %s on", at);
	}
	fprintf(stderr, "%s: %s leaves %s (used by the workload) without a path to %s%s (expected failures that "
		"keep every host pair of the workload connected on some plane)\n", cmd, who, an, bn, when);
	return 1;
}

static bool any_down(const struct sim_topo *t)
{
	for (uint32_t i = 0; i < t->nports; i++)
		if (t->ports[i].down)
			return true;
	return false;
}

int sim_fail_check_pairs(struct sim_topo *t, const struct sim_fail_reqs *r, const struct sim_fail_plan *timed,
			 bool (*pair)(void *ctx, uint64_t i, uint32_t *a, uint32_t *b), uint64_t npairs, void *ctx,
			 const char *cmd)
{
	struct sim_port *saved;
	uint32_t i = 0, n = 0;
	int rc = 0;

	if (any_down(t))
		rc = pairs_cut(t, r, 0, pair, npairs, ctx, cmd);
	if (rc || !timed->n)
		goto out;
	/* each time a change happens: apply, look, and put every port back as it was */
	saved = malloc((size_t)timed->n * 2 * sizeof(*saved));
	if (!saved) {
		rc = -ENOMEM;
		goto out;
	}
	while (i < timed->n && !rc) {
		uint64_t at = timed->v[i].at_ps;

		for (; i < timed->n && timed->v[i].at_ps == at; i++, n++) {
			saved[2 * n] = t->ports[timed->v[i].port];
			saved[2 * n + 1] = t->ports[t->ports[timed->v[i].port].peer];
			sim_fail_apply(t, &timed->v[i]);
		}
		if (any_down(t))
			rc = pairs_cut(t, r, at, pair, npairs, ctx, cmd);
	}
	while (n--) {
		t->ports[t->ports[timed->v[n].port].peer] = saved[2 * n + 1];
		t->ports[timed->v[n].port] = saved[2 * n];
	}
	free(saved);
	/* TABLE mode: the hop distances back to the fabric at the start */
	if (t->route == SIM_ROUTE_TABLE) {
		struct sim_reach reach;

		if (!sim_reach_build(t, &reach))
			sim_reach_free(&reach);
	}
out:
	if (rc < 0) {
		fprintf(stderr, "%s: out of memory\n", cmd);
		return 1;
	}
	return rc;
}
