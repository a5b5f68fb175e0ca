/*
 * Jobs files: one collective job a line. Every message names the file and
 * the line, what was found and what was expected; nothing is printed here.
 */
#include <errno.h>
#include <string.h>
#include "collectives/units.h"
#include "sim/traffic/coll_jobs.h"
#include "sim/traffic/workload.h"

/* "PATH:LINE: MSG" into ERR; returns -EBADMSG. */
static int sim_jobs_err(char *err, size_t errlen, const char *path, unsigned long lno, const char *msg)
{
	snprintf(err, errlen, "%s:%lu: %s", path, lno, msg);
	return -EBADMSG;
}

/* A job name goes into CSV rows, JSON and file names: keep it plain. */
static bool sim_jobs_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > SIM_JOB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

/* NAME: plain, new; MSG gets why not. */
static int sim_jobs_name(const struct sim_coll_jobs *js, const char *name, char *msg, size_t len)
{
	if (!sim_jobs_name_ok(name)) {
		snprintf(msg, len, "NAME '%.40s%s': expected 1 to %d letters, digits, '_', '-' or '.'", name,
			 strlen(name) > 40 ? "..." : "", SIM_JOB_NAME_MAX);
		return -1;
	}
	for (uint32_t k = 0; k < js->n; k++) {
		if (!strcmp(js->job[k].name, name)) {
			snprintf(msg, len, "NAME '%s' is taken by an earlier job: expected a new name", name);
			return -1;
		}
	}
	return 0;
}

/* KIND ALGO RANKS PLACEMENT [SIZE] [START] of job J; MSG gets why not. */
static int sim_jobs_fields(struct sim_coll_job *j, uint64_t *fixed_bytes, char **tok, int n,
			   const struct sim_topo *t, char *msg, size_t len)
{
	char hosts[96], names[128];
	uint64_t v;
	int x;

	x = coll_kind_from_name(tok[1]);
	if (x < 0) {
		snprintf(msg, len, "KIND '%s': expected allreduce, allgather, reducescatter or all-to-all", tok[1]);
		return -1;
	}
	j->kind = (enum coll_kind)x;
	x = coll_algo_from_name(tok[2]);
	if (x < 0) {
		snprintf(msg, len, "ALGO '%s': expected %s", tok[2],
			 coll_algo_names(names, sizeof(names), ", ", " or "));
		return -1;
	}
	j->algo = (enum coll_algo)x;
	snprintf(hosts, sizeof(hosts), ": %s has %u hosts", t->name, t->nhosts);
	if (coll_parse_in(COLL_QTY_COUNT, "RANKS", tok[3], 2, t->nhosts < 2 ? 2 : t->nhosts, hosts, &v, msg, len))
		return -1;
	j->nranks = (uint32_t)v;
	if (sim_placement_from_name(tok[4], &j->placement)) {
		snprintf(msg, len, "PLACEMENT '%s': expected contiguous or random", tok[4]);
		return -1;
	}
	if (n > 5 && coll_parse_in(COLL_QTY_SIZE, "SIZE", tok[5], 1, SIM_MAX_FLOW_BYTES, NULL, fixed_bytes, msg, len))
		return -1;
	if (n > 6 && coll_parse_in(COLL_QTY_TIME, "START", tok[6], 0, SIM_MAX_TIME_PS, NULL, &j->start_ps, msg, len))
		return -1;
	return 0;
}

/* One line: no job (blank, comment), a job appended to JS, or -1 with why in MSG. */
static int sim_jobs_line(struct sim_coll_jobs *js, char *line, const struct sim_coll_job *defaults,
			 const struct sim_topo *t, char *msg, size_t len)
{
	char *tok[7];
	struct sim_coll_job *j = &js->job[js->n];
	uint64_t *fixed_bytes = &js->fixed_bytes[js->n];
	struct coll_params p;
	const char *why;
	int n = sim_line_fields(line, tok, 5, 7, "NAME KIND ALGO RANKS PLACEMENT [SIZE] [START]", msg, len);

	if (n <= 0)
		return n;
	if (js->n == SIM_MAX_JOBS) {
		snprintf(msg, len, "more than %d jobs", SIM_MAX_JOBS);
		return -1;
	}
	if (sim_jobs_name(js, tok[0], msg, len))
		return -1;
	*j = *defaults;
	j->rank_host = NULL;
	snprintf(j->name, sizeof(j->name), "%s", tok[0]);
	*fixed_bytes = 0;
	if (sim_jobs_fields(j, fixed_bytes, tok, n, t, msg, len))
		return -1;
	/* the algorithm fits the kind, the ranks and the servers, whatever the size */
	sim_coll_job_params(j, *fixed_bytes ? *fixed_bytes : j->elem_bytes, &p);
	why = coll_params_error(&p);
	if (why) {
		snprintf(msg, len, "%s %s on %u ranks (%u GPU%s per server): %s", coll_kind_name(j->kind),
			 coll_algo_name(j->algo), j->nranks, j->gpus_per_server, j->gpus_per_server == 1 ? "" : "s",
			 why);
		return -1;
	}
	return 1;
}

int sim_coll_jobs_read(struct sim_coll_jobs *js, FILE *f, const char *path, const struct sim_coll_job *defaults,
		       const struct sim_topo *t, char *err, size_t errlen)
{
	char line[SIM_MAX_LINE], msg[320];
	unsigned long lno = 0;
	int got;

	js->n = 0;
	while ((got = coll_read_line(f, line, sizeof(line), msg, sizeof(msg))) != 0) {
		lno++;
		if (got > 0)
			got = sim_jobs_line(js, line, defaults, t, msg, sizeof(msg));
		if (got < 0)
			return sim_jobs_err(err, errlen, path, lno, msg);
		if (got > 0)
			js->line[js->n++] = lno;
	}
	if (!js->n) {
		snprintf(err, errlen, "%s: expected at least one job line 'NAME KIND ALGO RANKS PLACEMENT [SIZE] "
			 "[START]', found none", path);
		return -EBADMSG;
	}
	return 0;
}
