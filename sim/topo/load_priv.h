/*
 * The .topo loader's shared parts (load.c, load_keys.c, load_clos.c,
 * load_explicit.c): the error context and the typed key readers. Internal
 * to sim/topo/. Every reader returns -1 after writing "FILE:LINE: message"
 * into the context, the line being that of the offending setting.
 */
#ifndef SIM_TOPO_LOAD_PRIV_H
#define SIM_TOPO_LOAD_PRIV_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/topo/gen.h"

#define PS_PER_NS 1000ULL
#define CABLE_PS_PER_M 5000.0		/* ~5 ns/m in fibre or copper */

struct ld_ctx {
	const char *file;
	char *err;		/* the first error only; every error ends the load */
	size_t errlen;
	int ret;		/* negative errno of that error */
};

void ld_err(struct ld_ctx *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As ld_err, with the negative errno RET (ld_err means -EINVAL). */
void ld_err_ret(struct ld_ctx *c, const config_setting_t *s, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* As ld_err_ret, at LINE of the file. */
void ld_err_line(struct ld_ctx *c, int line, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Typo protection: every key of GROUP must be in one of the NULL-ended lists. */
int ld_check_keys(struct ld_ctx *c, const config_setting_t *group, const char *where,
	       const char *const *a, const char *const *b);
const config_setting_t *ld_need(struct ld_ctx *c, const config_setting_t *group, const char *key,
			     const char *what);
/* Return 1 when KEY is absent and not REQUIRED, 0 when read, -1 on error. */
int ld_uint(struct ld_ctx *c, const config_setting_t *group, const char *key, bool required,
	     uint64_t min, uint64_t max, uint64_t *out);
int ld_u32(struct ld_ctx *c, const config_setting_t *group, const char *key, bool required,
	    uint32_t min, uint32_t max, uint32_t *out);
int ld_real(struct ld_ctx *c, const config_setting_t *group, const char *key, double min,
	     double max, double *out);
int ld_rate(struct ld_ctx *c, const config_setting_t *group, const char *key, bool required,
	     uint64_t *out);
/* 0 or -1, for a setting already found. */
int ld_check_real(struct ld_ctx *c, const config_setting_t *s, const char *key, double min,
	       double max, double *out);
/*
 * "800G", "400Gb/s", "1.6T", "25000Mbps": bits per second, or -1 if
 * malformed (no range check). Shared with fail.c's "A:B=RATE".
 */
double ld_rate_text(const char *text);
int ld_rate_value(struct ld_ctx *c, const config_setting_t *s, const char *key, uint64_t *out);
const char *ld_str(struct ld_ctx *c, const config_setting_t *s, const char *key);
/* The default delay: cable_m (5 m if absent) or delay_ns, not both. */
int ld_base_delay(struct ld_ctx *c, const config_setting_t *g, uint64_t *out);
/* Host, fabric and core delays of a generated fabric from the *cable_m keys. */
int ld_delays(struct ld_ctx *c, const config_setting_t *g, struct sim_clos_common *cc);

/* fabric = { kind = "leafspine" | "fattree" | "railopt" }, and "explicit". */
struct sim_topo *ld_leafspine(struct ld_ctx *c, const config_setting_t *g);
struct sim_topo *ld_fattree(struct ld_ctx *c, const config_setting_t *g);
struct sim_topo *ld_railopt(struct ld_ctx *c, const config_setting_t *g);
struct sim_topo *ld_explicit(struct ld_ctx *c, const config_setting_t *g);

#endif
