/*
 * The tables of sim/results/schema.h, made from its X-macro lists, and the
 * few functions writers and readers use them through.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <jansson.h>
#include "sim/results/schema.h"

#define SIM_COL_ROW(ID, NAME, FLAGS, MIN, MAX, MEANING) \
	{ .name = (NAME), .flags = (FLAGS), .min = (MIN), .max = (MAX), .meaning = (MEANING) },
#define SIM_SCHEMA_DEF(VAR, FILE, LIST, N) \
	static const struct sim_col VAR##_cols[] = { LIST(SIM_COL_ROW) }; \
	_Static_assert(sizeof(VAR##_cols) / sizeof(VAR##_cols[0]) == (N), "enum and table differ"); \
	_Static_assert((N) <= SIM_SCHEMA_MAX_COLS, "raise SIM_SCHEMA_MAX_COLS"); \
	const struct sim_schema VAR = { (FILE), VAR##_cols, (N) }

SIM_SCHEMA_DEF(sim_schema_flows, "flows.csv", SIM_FLOWS_COLUMNS, SIM_FLOWS_NCOLS);
SIM_SCHEMA_DEF(sim_schema_links, "links.csv", SIM_LINKS_COLUMNS, SIM_LINKS_NCOLS);
SIM_SCHEMA_DEF(sim_schema_trace, "trace.csv", SIM_TRACE_COLUMNS, SIM_TRACE_NCOLS);
SIM_SCHEMA_DEF(sim_schema_timeline, "timeline.csv", SIM_TIMELINE_COLUMNS, SIM_TL_NCOLS);
SIM_SCHEMA_DEF(sim_schema_coll, "collective.csv", SIM_COLL_COLUMNS, SIM_COLL_NCOLS);
SIM_SCHEMA_DEF(sim_schema_pred, "prediction.csv", SIM_PRED_COLUMNS, SIM_PRED_NCOLS);
SIM_SCHEMA_DEF(sim_schema_summary, "summary.json", SIM_SUM_KEYS, SIM_SUM_NKEYS);
SIM_SCHEMA_DEF(sim_schema_coll_summary, "summary.json (collective)", SIM_CRUN_KEYS, SIM_CRUN_NKEYS);
SIM_SCHEMA_DEF(sim_schema_coll_job, "summary.json jobs[]", SIM_CJOB_KEYS, SIM_CJOB_NKEYS);
SIM_SCHEMA_DEF(sim_schema_coll_result, "summary.json jobs[].results[]", SIM_CSUM_RESULT_KEYS, SIM_CSUM_NKEYS);
SIM_SCHEMA_DEF(sim_schema_pred_summary, "summary.json (predict)", SIM_PSUM_KEYS, SIM_PSUM_NKEYS);
SIM_SCHEMA_DEF(sim_schema_pred_calib, "summary.json (predict) calibration", SIM_PCAL_KEYS, SIM_PCAL_NKEYS);
SIM_SCHEMA_DEF(sim_schema_pred_result, "summary.json (predict) results[]", SIM_PRES_KEYS, SIM_PRES_NKEYS);
SIM_SCHEMA_DEF(sim_schema_seeds, "seeds.csv", SIM_SEEDS_COLUMNS, SIM_SEEDS_NCOLS);
SIM_SCHEMA_DEF(sim_schema_flow_seed_stats, "summary.json seed_stats", SIM_FSEED_KEYS, SIM_FSEED_NKEYS);
SIM_SCHEMA_DEF(sim_schema_coll_seed_stats, "summary.json jobs[].seed_stats[]", SIM_CSEED_KEYS, SIM_CSEED_NKEYS);
SIM_SCHEMA_DEF(sim_schema_seed_stat, "summary.json seed_stats: a figure", SIM_SEEDSTAT_KEYS, SIM_SEEDSTAT_NKEYS);
SIM_SCHEMA_DEF(sim_schema_coll_background, "summary.json background", SIM_CBG_KEYS, SIM_CBG_NKEYS);
SIM_SCHEMA_DEF(sim_schema_coll_bg_result, "summary.json background.results[]", SIM_CBGR_KEYS, SIM_CBGR_NKEYS);

const struct sim_schema *const *sim_schema_all(size_t *n)
{
	static const struct sim_schema *const all[] = {
		&sim_schema_flows, &sim_schema_links, &sim_schema_trace, &sim_schema_timeline, &sim_schema_coll,
		&sim_schema_pred, &sim_schema_summary, &sim_schema_coll_summary, &sim_schema_coll_job,
		&sim_schema_coll_result,
		&sim_schema_pred_summary, &sim_schema_pred_calib, &sim_schema_pred_result,
		&sim_schema_seeds, &sim_schema_flow_seed_stats, &sim_schema_coll_seed_stats, &sim_schema_seed_stat,
		&sim_schema_coll_background, &sim_schema_coll_bg_result,
	};

	*n = sizeof(all) / sizeof(all[0]);
	return all;
}

static int sim_schema_exact(const struct sim_schema *sc, const char *name)
{
	for (unsigned int i = 0; i < sc->ncols; i++)
		if (!strcmp(sc->cols[i].name, name))
			return (int)i;
	return -1;
}

/*
 * A GB/s column as files before issue 16 named it: the same name with
 * _gbps for _GBps. A table never has both spellings of one name (test_schema
 * checks), and a Gb/s column keeps _gbps, so the old name finds only the
 * GB/s column it was.
 */
static int sim_schema_old_name(const struct sim_schema *sc, const char *name)
{
	static const char old[] = "_gbps", now[] = "_GBps";
	char buf[64];
	size_t n = strlen(name), k = sizeof(old) - 1;
	const char *at;
	int i;

	if (n >= sizeof(buf) || n < k)
		return -1;
	at = strstr(name, old);
	if (!at)
		return -1;
	memcpy(buf, name, n + 1);
	memcpy(buf + (at - name), now, k);
	i = sim_schema_exact(sc, buf);
	return i >= 0 && strstr(sc->cols[i].meaning, "GB/s") == sc->cols[i].meaning ? i : -1;
}

int sim_schema_find(const struct sim_schema *sc, const char *name)
{
	int i = sim_schema_exact(sc, name);

	return i >= 0 ? i : sim_schema_old_name(sc, name);
}

/* sim_schema_header of the first NCOLS columns only (a file without SC's optional last ones). */
static int sim_schema_header_cols(const struct sim_schema *sc, unsigned int ncols, char *buf, size_t len)
{
	size_t n = 0;
	int w;

	assert(len > 0 && ncols <= sc->ncols);
	buf[0] = 0;
	for (unsigned int i = 0; i < ncols; i++) {
		w = snprintf(buf + n, len - n, "%s%s", i ? "," : "", sc->cols[i].name);
		if (w < 0 || (size_t)w >= len - n) {
			buf[n] = 0;	/* whole names only */
			return -ENOSPC;
		}
		n += (size_t)w;
	}
	return (int)n;
}

int sim_schema_header(const struct sim_schema *sc, char *buf, size_t len)
{
	return sim_schema_header_cols(sc, sc->ncols, buf, len);
}

int sim_schema_write_header(const struct sim_schema *sc, FILE *f)
{
	return sim_schema_write_header_cols(sc, sc->ncols, f);
}

int sim_schema_write_header_cols(const struct sim_schema *sc, unsigned int ncols, FILE *f)
{
	char line[SIM_SCHEMA_MAX_COLS * 32];
	int n = sim_schema_header_cols(sc, ncols, line, sizeof(line));

	/* a table whose names outgrow the buffer fails the first test run */
	assert(n >= 0);
	if (n < 0)
		return n;
	fprintf(f, "%s\n", line);
	return ferror(f) ? -EIO : 0;
}

void sim_schema_set(json_t *obj, const struct sim_schema *sc, unsigned int key, json_t *v)
{
	/* in table order into a new object: the file's keys are the table's */
	assert(key < sc->ncols && json_object_size(obj) == key);
	json_object_set_new(obj, sc->cols[key].name, v);
}

void sim_schema_set_some(json_t *obj, const struct sim_schema *sc, unsigned int key, json_t *v)
{
	/* no key of the table from KEY on is in OBJ yet */
	assert(key < sc->ncols);
	for (unsigned int i = key; i < sc->ncols; i++)
		assert(!json_object_get(obj, sc->cols[i].name));
	json_object_set_new(obj, sc->cols[key].name, v);
}
