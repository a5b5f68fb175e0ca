/*
 * What every part of `fabsim report` shares once the results are loaded:
 * the list of files written (printed by the command, in order), the error
 * message of a failed step (r->err: library code does not print, the
 * command does), the size labels of axes, captions and tables, and which
 * port the queue plots and the port table are about.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/report.h"

/* Records R->out_dir/NAME as written. */
int sim_rep_add_file(struct sim_report *r, const char *name)
{
	char **files = realloc(r->files, (r->nfiles + 1) * sizeof(*files));
	size_t len = strlen(r->out_dir) + strlen(name) + 2;
	char *path = malloc(len);

	if (files)
		r->files = files;
	if (!files || !path) {
		free(path);
		return sim_rep_fail(r, -ENOMEM, "out of memory");
	}
	snprintf(path, len, "%s/%s", r->out_dir, name);
	r->files[r->nfiles++] = path;
	return 0;
}

/* Leaves the reason in r->err and returns ERR (a negative errno). */
int sim_rep_fail(struct sim_report *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return err;
}

/* Appends to BUF, truncating at LEN like snprintf. */
void sim_rep_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* Binary units as the sizes are typed on the fabsim command line: 64M. */
void sim_rep_size_label(double bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "K", "M", "G", "T" };
	double v = bytes;
	int i = 0;

	while (i < 4 && v >= 1024) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%g%s", v, units[i]);
}

/* --port if given, else the busiest port of links.csv, else the port the run traced; NULL if none. */
const char *sim_rep_port(const struct sim_report *r, const struct sim_rep_config *c)
{
	if (r->port)
		return r->port;
	if (c->busy_port[0])
		return c->busy_port;
	return c->trace_port[0] ? c->trace_port : NULL;
}

/* Port index order; a file without the port column is in port order already (links.csv is). */
static bool rep_port_before(const struct sim_rep_link *a, const struct sim_rep_link *b)
{
	return !isnan(a->port) && !isnan(b->port) && a->port < b->port;
}

const struct sim_rep_link *sim_rep_busiest(const struct sim_rep_link *links, size_t n)
{
	const struct sim_rep_link *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (!best || links[i].max_queue_bytes > best->max_queue_bytes ||
		    (links[i].max_queue_bytes == best->max_queue_bytes && rep_port_before(&links[i], best)))
			best = &links[i];
	return best;
}

void sim_rep_agg_init(struct sim_rep_agg *a)
{
	a->mean = a->min = a->max = NAN;
	a->sum = 0;
	a->n = 0;
}

/* A seed that did not finish has a blank figure: it is left out, not a zero. */
void sim_rep_agg_add(struct sim_rep_agg *a, double v)
{
	if (isnan(v))
		return;
	a->min = a->n ? fmin(a->min, v) : v;
	a->max = a->n ? fmax(a->max, v) : v;
	a->sum += v;
	a->n++;
}

void sim_rep_agg_end(struct sim_rep_agg *a)
{
	a->mean = a->n ? a->sum / (double)a->n : NAN;
}

void sim_rep_agg_text(const struct sim_rep_agg *a, double scale, int prec, const char *unit, char *buf,
		      size_t len)
{
	if (!a->n)
		snprintf(buf, len, "–");
	else if (a->n == 1)
		snprintf(buf, len, "%.*f%s", prec, scale * a->mean, unit);
	else
		snprintf(buf, len, "%.*f%s [%.*f..%.*f]", prec, scale * a->mean, unit, prec, scale * a->min,
			 prec, scale * a->max);
}
