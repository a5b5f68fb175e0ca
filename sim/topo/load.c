/*
 * The .topo loader: libconfig text (topologies/FORMAT.md, the one
 * reference of the format) to a finalized struct sim_topo. This file holds
 * the top level (name, mtu, switch, fabric, hostmap) and the checks made
 * before libconfig sees the text; load_clos.c and load_explicit.c fill the
 * generators' parameter structs (gen.h) from the fabric group. Every
 * problem ends the load with one "FILE:LINE: message" in the caller's
 * buffer; nothing here prints or exits.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/topo/fail.h"
#include "sim/topo/load_priv.h"

#define MIN_MTU 256			/* as run --mtu */
#define MAX_MTU 9000
#define MIN_BUFFER_MB 0.1		/* ten frames of the largest MTU */
#define MAX_BUFFER_MB 1e6
#define MAX_GROUP_KEYS 256		/* libconfig looks names up linearly */
#define MAX_DEPTH 32			/* { ( [ nesting; real files use 4 */

/* Settings outside 'fabric', read before it so errors come in file order. */
struct globals {
	char name[sizeof(((struct sim_topo *)0)->name)];
	uint32_t mtu_bytes;
	struct sim_switch_params sw;
};

static int parse_switch(struct ld_ctx *c, const config_setting_t *root, struct globals *gl)
{
	static const char *const keys[] = { "latency_ns", "buffer_mb", NULL };
	const config_setting_t *s = config_setting_get_member(root, "switch");
	double v;
	int ret;

	if (!s)
		return 0;
	if (!config_setting_is_group(s)) {
		ld_err(c, s, "'switch' must be a group { latency_ns = ...; buffer_mb = ...; }");
		return -1;
	}
	if (ld_check_keys(c, s, "switch", keys, NULL))
		return -1;
	ret = ld_real(c, s, "latency_ns", 0, 1e7, &v);
	if (ret < 0)
		return -1;
	if (!ret)
		gl->sw.latency_ps = llround(v * PS_PER_NS);
	ret = ld_real(c, s, "buffer_mb", MIN_BUFFER_MB, MAX_BUFFER_MB, &v);
	if (ret < 0)
		return -1;
	if (!ret)
		gl->sw.buffer_bytes = llround(v * 1e6);
	return 0;
}

/* The default name: the file name without directory and extension. */
static void set_name(struct globals *gl, const char *file)
{
	const char *base = strrchr(file, '/');
	const char *dot;
	int len;

	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
	snprintf(gl->name, sizeof(gl->name), "%.*s", len, base);
}

static int parse_globals(struct ld_ctx *c, const config_setting_t *root, struct globals *gl)
{
	const config_setting_t *s = config_setting_get_member(root, "name");
	const char *name;
	int ret;

	set_name(gl, c->file);
	if (s) {
		if (!(name = ld_str(c, s, "name")))
			return -1;
		snprintf(gl->name, sizeof(gl->name), "%s", name);
	}
	gl->mtu_bytes = 4096;
	ret = ld_u32(c, root, "mtu", false, MIN_MTU, MAX_MTU, &gl->mtu_bytes);
	if (ret < 0)
		return -1;
	/* SN5600 class: ~600 ns port to port, 160 MB shared buffer */
	gl->sw.latency_ps = 600 * PS_PER_NS;
	gl->sw.buffer_bytes = 160000000;
	return parse_switch(c, root, gl);
}

static struct sim_topo *build_fabric(struct ld_ctx *c, const config_setting_t *fab)
{
	const config_setting_t *k;
	const char *kind;

	if (!config_setting_is_group(fab)) {
		ld_err(c, fab, "'fabric' must be a group { kind = ...; ... }");
		return NULL;
	}
	if (!(k = ld_need(c, fab, "kind", "\"leafspine\", \"fattree\", \"railopt\" or \"explicit\"")) ||
	    !(kind = ld_str(c, k, "kind")))
		return NULL;
	if (!strcmp(kind, "explicit"))
		return ld_explicit(c, fab);
	if (!strcmp(kind, "leafspine"))
		return ld_leafspine(c, fab);
	if (!strcmp(kind, "fattree"))
		return ld_fattree(c, fab);
	if (!strcmp(kind, "railopt"))
		return ld_railopt(c, fab);
	ld_err(c, k, "unknown fabric kind \"%s\" (expected \"leafspine\", \"fattree\", "
	       "\"railopt\" or \"explicit\")", kind);
	return NULL;
}

/* hostmap = ( ("vm/rxe0", "h0"), ("rank3", "h3") ); for fabsim predict */
static int parse_hostmap(struct ld_ctx *c, const config_setting_t *root, struct sim_topo *t)
{
	const config_setting_t *m = config_setting_get_member(root, "hostmap");
	int n;

	if (!m)
		return 0;
	if (!config_setting_is_list(m)) {
		ld_err(c, m, "hostmap: expected a list of (\"host/device\", \"node\") pairs");
		return -1;
	}
	n = config_setting_length(m);
	t->hostmap = calloc(n ? (size_t)n : 1, sizeof(*t->hostmap));
	if (!t->hostmap) {
		ld_err_ret(c, m, -ENOMEM, "hostmap: out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
		const char *k = e ? config_setting_get_string_elem(e, 0) : NULL;
		const char *v = e ? config_setting_get_string_elem(e, 1) : NULL;

		if (!k || !v || config_setting_length(e) != 2 || !*k || !*v ||
		    strlen(k) > SIM_TOPO_MAX_NAME || strlen(v) > SIM_TOPO_MAX_NAME) {
			ld_err(c, e ? e : m, "hostmap entry %d: expected (\"host/device\", \"node\"), "
			       "names of 1..63 characters", i + 1);
			return -1;
		}
		strcpy(t->hostmap[i][0], k);
		strcpy(t->hostmap[i][1], v);
	}
	t->nhostmap = (uint32_t)n;
	return 0;
}

/* One refused entry of 'fail': ERR is sim_fail_parse's "SPEC: why". */
static void fail_entry_err(struct ld_ctx *c, const config_setting_t *e, int i, const char *spec,
			   int ret, const char *err)
{
	const char *why = err + strlen(spec) + 2;

	if (strncmp(err, spec, strlen(spec)) || strncmp(err + strlen(spec), ": ", 2))
		why = err;
	ld_err_ret(c, e, ret, "fail[%d] = \"%s\": %s", i, spec, why);
}

/*
 * fail = ( "leaf3:spine7", "10%@leaf-spine", "leaf0:spine1=400G" ); and
 * fail_seed = N; (fail.h's SPEC grammar): applied to the built fabric
 * before anything runs on it, so `fabsim topo` and `fabsim run` see the
 * same damaged fabric.
 */
static int parse_fail(struct ld_ctx *c, const config_setting_t *root, struct sim_topo *t)
{
	const config_setting_t *l = config_setting_get_member(root, "fail");
	struct sim_fail_plan plan = { .seed = 1 };
	char err[512];
	int i, n, ret = 0;

	if (ld_uint(c, root, "fail_seed", false, 0, UINT32_MAX, &plan.seed) < 0)
		return -1;
	if (!l)
		return 0;
	if (!config_setting_is_list(l) && !config_setting_is_array(l)) {
		ld_err(c, l, "'fail' must be a list of strings (expected fail = ( \"leaf3:spine7\", "
		       "\"10%%@leaf-spine\" );)");
		return -1;
	}
	n = config_setting_length(l);
	for (i = 0; i < n && !ret; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *spec = e ? config_setting_get_string(e) : NULL;

		if (!spec) {
			ld_err(c, e ? e : l, "fail[%d]: expected a string like \"leaf3:spine7\", "
			       "\"10%%@leaf-spine\" or \"leaf0:spine1=400G\"", i);
			ret = -1;
		} else if ((ret = sim_fail_parse(t, spec, 0, SIM_FAIL_DOWN, &plan, err, sizeof(err)))) {
			fail_entry_err(c, e, i, spec, ret, err);
		}
	}
	if (!ret)
		sim_fail_apply_static(t, &plan);
	sim_fail_plan_free(&plan);
	return ret ? -1 : 0;
}

static struct sim_topo *load_config(struct ld_ctx *c, config_t *cfg)
{
	static const char *const keys[] = {
		"name", "mtu", "switch", "fabric", "hostmap", "fail", "fail_seed", NULL
	};
	const config_setting_t *root = config_root_setting(cfg), *fab;
	struct globals gl;
	struct sim_topo *t;

	if (ld_check_keys(c, root, "the top level", keys, NULL) || parse_globals(c, root, &gl))
		return NULL;
	fab = config_setting_get_member(root, "fabric");
	if (!fab) {
		ld_err_line(c, 1, -EINVAL, "missing 'fabric' (expected fabric = { kind = ...; ... };)");
		return NULL;
	}
	t = build_fabric(c, fab);
	if (t) {
		memcpy(t->name, gl.name, sizeof(t->name));
		t->mtu_bytes = gl.mtu_bytes;
		t->sw = gl.sw;
		if (parse_hostmap(c, root, t) || parse_fail(c, root, t)) {
			sim_topo_free(t);
			t = NULL;
		}
	}
	return t;
}

/*
 * Before libconfig sees the text: it would follow @include to any file (a
 * FIFO, /dev/zero), and it looks setting names up linearly, so that a group
 * of 10^5 keys takes minutes to parse. Both are refused here, with the line.
 * Strings and comments are skipped; anything malformed is left to libconfig.
 */
static int prescan(struct ld_ctx *c, const char *text)
{
	unsigned int keys[MAX_DEPTH + 1];	/* settings seen in each open group */
	char open[MAX_DEPTH + 1];		/* '{', '(' or '[' */
	int depth = 0, line = 1, bol = 1;
	const char *p;

	open[0] = '{';
	keys[0] = 0;
	for (p = text; *p; p++) {
		if (*p == '\n') {
			line++;
			bol = 1;
			continue;
		}
		if (bol && (*p == ' ' || *p == '\t' || *p == '\r'))
			continue;
		if (bol && !strncmp(p, "@include", 8)) {
			ld_err_line(c, line, -EINVAL, "@include is not supported (expected the whole "
				    "topology in one file)");
			return -1;
		}
		bol = 0;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				line += *p == '\n';
			}
		} else if (*p == '#' || (*p == '/' && p[1] == '/')) {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (*p == '/' && p[1] == '*') {
			for (p += 2; *p && !(*p == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			if (*p)
				p++;
		} else if (*p == '{' || *p == '(' || *p == '[') {
			if (depth == MAX_DEPTH) {
				ld_err_line(c, line, -EINVAL, "groups and lists nested more than %d "
					    "deep (expected at most 4 levels)", MAX_DEPTH);
				return -1;
			}
			open[++depth] = *p;
			keys[depth] = 0;
		} else if ((*p == '}' || *p == ')' || *p == ']') && depth) {
			depth--;
		} else if ((*p == '=' || *p == ':') && open[depth] == '{' &&
			   ++keys[depth] > MAX_GROUP_KEYS) {
			ld_err_line(c, line, -EINVAL, "more than %d settings in one group (expected "
				    "the keys of topologies/FORMAT.md)", MAX_GROUP_KEYS);
			return -1;
		}
		if (!*p)
			break;
	}
	return 0;
}

static struct sim_topo *load_text(struct ld_ctx *c, const char *text)
{
	struct sim_topo *t = NULL;
	config_t cfg;

	if (prescan(c, text))
		return NULL;
	config_init(&cfg);
	if (config_read_string(&cfg, text))
		t = load_config(c, &cfg);
	else
		ld_err_line(c, config_error_line(&cfg), -EINVAL, "syntax error: %s (expected "
			    "`key = value;` settings)", config_error_text(&cfg));
	config_destroy(&cfg);
	return t;
}

/* Runs the load with the context; a failure without a message is an OOM. */
static int load_ctx(struct ld_ctx *c, const char *text, struct sim_topo **out)
{
	*out = load_text(c, text);
	if (*out)
		return 0;
	if (!c->ret)
		ld_err_line(c, 1, -ENOMEM, "out of memory");
	return c->ret;
}

int sim_topo_parse(const char *text, const char *name, struct sim_topo **out, char *err,
		   size_t errlen)
{
	struct ld_ctx c = { .file = name ? name : "<string>", .err = err, .errlen = errlen };

	if (errlen)
		err[0] = 0;
	return load_ctx(&c, text, out);
}

int sim_topo_read(const char *path, struct sim_topo **out, char *err, size_t errlen)
{
	struct ld_ctx c = { .file = path, .err = err, .errlen = errlen };
	size_t len;
	char *text;
	int ret;

	*out = NULL;
	ret = sim_read_file(path, SIM_TOPO_MAX_FILE_BYTES, "a topology file, see topologies/FORMAT.md",
			    &text, &len, err, errlen);
	if (ret)
		return ret;
	ret = load_ctx(&c, text, out);
	free(text);
	return ret;
}
