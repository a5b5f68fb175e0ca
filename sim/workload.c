/*
 * Workload generators. Permutation draws a random derangement (every host
 * sends to one other host and receives from exactly one), the pattern
 * behind the vendors' "ECMP delivers ~60%" figures.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sim/units.h"
#include "sim/workload.h"

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

static int sim_wl_permutation(struct sim *s, const struct sim_workload_params *w)
{
	uint32_t n = s->topo->nhosts, *perm = malloc(n * sizeof(*perm));
	struct sim_rng r;
	int rc = 0;

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
	return rc ? -1 : 0;
}

static int sim_wl_alltoall(struct sim *s, const struct sim_workload_params *w)
{
	uint32_t n = s->topo->nhosts;

	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 1; k < n; k++)
			if (sim_add_flow(s, i, (i + k) % n, w->bytes, 0) < 0)
				return -1;
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
			return -1;
	return 0;
}

static int sim_wl_flow_line(struct sim *s, char *line, const char *path, unsigned lno)
{
	char *tok[5], *save = NULL;
	uint32_t a, b;
	uint64_t bytes, start = 0;
	int n = 0;

	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 5)
			break;
		tok[n++] = t;
	}
	if (!n)
		return 0;
	if (n < 3 || n > 4) {
		fprintf(stderr, "%s:%u: expected 'SRC DST SIZE [START]', got %d fields\n", path, lno, n);
		return -1;
	}
	if (sim_parse_u32(tok[0], &a) || sim_parse_u32(tok[1], &b) || a >= s->topo->nhosts ||
	    b >= s->topo->nhosts || a == b) {
		fprintf(stderr, "%s:%u: expected two distinct host indices below %u\n", path, lno,
			s->topo->nhosts);
		return -1;
	}
	if (sim_parse_size(tok[2], &bytes) || !bytes) {
		fprintf(stderr, "%s:%u: expected a size like 8M, got '%s'\n", path, lno, tok[2]);
		return -1;
	}
	if (n == 4 && sim_parse_time(tok[3], &start)) {
		fprintf(stderr, "%s:%u: expected a start time like 10us, got '%s'\n", path, lno, tok[3]);
		return -1;
	}
	return sim_add_flow(s, a, b, bytes, start) < 0 ? -1 : 0;
}

static int sim_wl_flows(struct sim *s, const struct sim_workload_params *w)
{
	FILE *f = fopen(w->flows_path, "r");
	char line[512];
	unsigned lno = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "fabsim: %s: %s\n", w->flows_path, strerror(errno));
		return -1;
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		lno++;
		if (hash)
			*hash = 0;
		rc = sim_wl_flow_line(s, line, w->flows_path, lno);
	}
	fclose(f);
	if (!rc && !s->nflows) {
		fprintf(stderr, "%s: expected at least one flow 'SRC DST SIZE [START]'\n", w->flows_path);
		rc = -1;
	}
	return rc;
}

int sim_workload_add(struct sim *s, const struct sim_workload_params *w)
{
	if (w->kind != SIM_WL_FLOWS && !w->bytes) {
		fprintf(stderr, "fabsim: the workload needs --size greater than 0\n");
		return -1;
	}
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
