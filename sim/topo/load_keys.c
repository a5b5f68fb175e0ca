/*
 * Typed readers of .topo settings for the loader: integers and reals held
 * to a range, rates ("800G"), cable lengths and delays, and the unknown-key
 * check. Each error is one "FILE:LINE: message" naming the key, the value
 * and what was expected (topologies/FORMAT.md lists every range).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/topo/load_priv.h"

/*
 * Appends MSG to DST (LEN bytes with the NUL) with control characters
 * escaped as C does ("\n", "\x01"): messages quote the user's strings,
 * and a libconfig string may span lines, yet an error is one line.
 */
static void ld_put_escaped(char *dst, size_t len, const char *msg)
{
	static const char named[] = { ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't' };
	size_t used = 0;

	for (; *msg && used + 1 < len; msg++) {
		unsigned char ch = (unsigned char)*msg;
		char esc[5];
		size_t k;

		if (ch >= 0x20 && ch != 0x7f) {
			dst[used++] = (char)ch;
			continue;
		}
		if (ch < sizeof(named) && named[ch])
			snprintf(esc, sizeof(esc), "\\%c", named[ch]);
		else
			snprintf(esc, sizeof(esc), "\\x%02x", ch);
		k = strlen(esc);
		if (used + k + 1 > len)
			break;
		memcpy(dst + used, esc, k);
		used += k;
	}
	dst[used] = 0;
}

static void ld_verr(struct ld_ctx *c, int line, int ret, const char *fmt, va_list ap)
{
	char msg[SIM_TOPO_ERR_LEN];
	int n;

	/* the first error ends the load; nothing after it is reported */
	if (c->ret)
		return;
	c->ret = ret;
	if (!c->errlen)
		return;
	n = snprintf(c->err, c->errlen, "%s:%d: ", c->file, line > 0 ? line : 1);
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ld_put_escaped(c->err + n, c->errlen - n, msg);
}

void ld_err_line(struct ld_ctx *c, int line, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_verr(c, line, ret, fmt, ap);
	va_end(ap);
}

void ld_err_ret(struct ld_ctx *c, const config_setting_t *s, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_verr(c, s ? config_setting_source_line(s) : 0, ret, fmt, ap);
	va_end(ap);
}

void ld_err(struct ld_ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_verr(c, s ? config_setting_source_line(s) : 0, -EINVAL, fmt, ap);
	va_end(ap);
}

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

int ld_check_keys(struct ld_ctx *c, const config_setting_t *group, const char *where,
		  const char *const *a, const char *const *b)
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const char *name = config_setting_name(s);
		char expect[512] = "";
		const char *const *l;
		size_t len = 0;

		if (in_list(name, a) || (b && in_list(name, b)))
			continue;
		for (l = a; *l && len < sizeof(expect); l++)
			len += snprintf(expect + len, sizeof(expect) - len, "%s%s", len ? ", " : "", *l);
		for (l = b; l && *l && len < sizeof(expect); l++)
			len += snprintf(expect + len, sizeof(expect) - len, ", %s", *l);
		ld_err(c, s, "unknown key '%s' in %s (expected one of: %s)", name, where, expect);
		return -1;
	}
	return 0;
}

const config_setting_t *ld_need(struct ld_ctx *c, const config_setting_t *group, const char *key,
				const char *what)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		ld_err(c, group, "missing '%s' (expected %s)", key, what);
	return s;
}

int ld_uint(struct ld_ctx *c, const config_setting_t *group, const char *key, bool required,
	    uint64_t min, uint64_t max, uint64_t *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;

	if (!s && !required)
		return 1;
	if (!s) {
		ld_err(c, group, "missing '%s' (expected an integer %llu..%llu)", key,
		       (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		ld_err(c, s, "'%s' must be an integer", key);
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < 0 || (uint64_t)v < min || (uint64_t)v > max) {
		ld_err(c, s, "'%s' = %lld is out of range (expected %llu..%llu)", key, v,
		       (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int ld_u32(struct ld_ctx *c, const config_setting_t *group, const char *key, bool required,
	   uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int ret = ld_uint(c, group, key, required, min, max, &v);

	if (!ret)
		*out = v;
	return ret;
}

static bool num_value(const config_setting_t *s, double *out)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*out = config_setting_get_int64(s);
		return true;
	case CONFIG_TYPE_FLOAT:
		*out = config_setting_get_float(s);
		return true;
	}
	return false;
}

int ld_check_real(struct ld_ctx *c, const config_setting_t *s, const char *key, double min,
		  double max, double *out)
{
	if (!num_value(s, out)) {
		ld_err(c, s, "'%s' must be a number", key);
		return -1;
	}
	if (!(*out >= min && *out <= max)) {
		ld_err(c, s, "'%s' = %g is out of range (expected %g..%g)", key, *out, min, max);
		return -1;
	}
	return 0;
}

int ld_real(struct ld_ctx *c, const config_setting_t *group, const char *key, double min,
	    double max, double *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		return 1;
	return ld_check_real(c, s, key, min, max, out);
}

const char *ld_str(struct ld_ctx *c, const config_setting_t *s, const char *key)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		ld_err(c, s, "'%s' must be a string", key);
		return NULL;
	}
	return config_setting_get_string(s);
}

double ld_rate_text(const char *text)
{
	static const char *const tails[] = { "", "b/s", "bps", NULL };
	double v, mult = 1;
	char *end;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isdigit((unsigned char)text[0]))
		return -1;
	switch (*end) {
	case 'K': case 'k': mult = 1e3; end++; break;
	case 'M': mult = 1e6; end++; break;
	case 'G': case 'g': mult = 1e9; end++; break;
	case 'T': case 't': mult = 1e12; end++; break;
	}
	if (!in_list(end, tails) || !isfinite(v * mult))
		return -1;
	return v * mult;
}

int ld_rate_value(struct ld_ctx *c, const config_setting_t *s, const char *key, uint64_t *out)
{
	const char *text = NULL;
	double v = -1;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		text = config_setting_get_string(s);
		v = ld_rate_text(text);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	}
	if (v < 0 && !text) {
		ld_err(c, s, "bad rate for '%s' (expected e.g. \"800G\", \"400Gb/s\" or an integer "
		       "in bits per second, 1M to 10T)", key);
		return -1;
	}
	if (v < 0) {
		ld_err(c, s, "bad rate for '%s': \"%s\" (expected e.g. \"800G\", \"400Gb/s\" or "
		       "\"1.6T\", 1M to 10T)", key, text);
		return -1;
	}
	if (!(v >= SIM_TOPO_MIN_RATE_BPS && v <= SIM_TOPO_MAX_RATE_BPS) ||
	    fabs(v - llround(v)) > 1e-6 * v) {
		ld_err(c, s, "bad rate for '%s': %.9g b/s is out of range (expected a whole number "
		       "of b/s from 1M to 10T)", key, v);
		return -1;
	}
	*out = (uint64_t)llround(v);
	return 0;
}

int ld_rate(struct ld_ctx *c, const config_setting_t *group, const char *key, bool required,
	    uint64_t *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (!s && !required)
		return 1;
	if (!s) {
		ld_err(c, group, "missing '%s' (expected a rate like \"800G\")", key);
		return -1;
	}
	return ld_rate_value(c, s, key, out);
}

/* A *_cable_m key if present, else DEF_PS. */
static int get_cable(struct ld_ctx *c, const config_setting_t *g, const char *key,
		     uint64_t def_ps, uint64_t *out)
{
	double m;
	int ret = ld_real(c, g, key, 0, 1e5, &m);

	if (ret < 0)
		return -1;
	*out = ret ? def_ps : (uint64_t)llround(m * CABLE_PS_PER_M);
	return 0;
}

int ld_base_delay(struct ld_ctx *c, const config_setting_t *g, uint64_t *out)
{
	const config_setting_t *d = config_setting_get_member(g, "delay_ns");
	double ns;

	if (d && config_setting_get_member(g, "cable_m")) {
		ld_err(c, d, "give either 'cable_m' or 'delay_ns', not both");
		return -1;
	}
	if (!d)
		return get_cable(c, g, "cable_m", llround(5 * CABLE_PS_PER_M), out);
	if (ld_check_real(c, d, "delay_ns", 0, 1e9, &ns))
		return -1;
	*out = llround(ns * PS_PER_NS);
	return 0;
}

int ld_delays(struct ld_ctx *c, const config_setting_t *g, struct sim_clos_common *cc)
{
	uint64_t base;

	if (ld_base_delay(c, g, &base) ||
	    get_cable(c, g, "host_cable_m", base, &cc->host_delay_ps) ||
	    get_cable(c, g, "fabric_cable_m", base, &cc->fabric_delay_ps))
		return -1;
	return get_cable(c, g, "core_cable_m", cc->fabric_delay_ps, &cc->core_delay_ps);
}
