/*
 * The names of the policy tables, for command lines, messages and every
 * output: congestion controls (cc/cc.c), load-balancing modes (lb/lb.c)
 * and receiver modes. Each name is written once, in its table.
 */
#include <stdio.h>
#include <string.h>
#include "collectives/units.h"
#include "sim/fabric/cc/cc.h"
#include "sim/fabric/lb/lb.h"

/* The receiver modes, with what --help says of each. */
static const struct {
	const char *name;
	const char *what;
} sim_rx_table[SIM_RX_COUNT] = {
	[SIM_RX_DDP] = { "ddp", "out-of-order placement" },
	[SIM_RX_GBN] = { "gbn", "go-back-N" },
};

const char *sim_cc_name(enum sim_cc cc)
{
	const struct sim_cc_ops *ops = sim_cc_ops(cc);

	return ops ? ops->name : NULL;
}

const char *sim_lb_name(enum sim_lb lb)
{
	const struct sim_lb_ops *ops = sim_lb_ops(lb);

	return ops ? ops->name : NULL;
}

const char *sim_rx_name(enum sim_rx_mode rx)
{
	return (unsigned int)rx < SIM_RX_COUNT ? sim_rx_table[rx].name : NULL;
}

const char *sim_split_qps_name(enum sim_split_qps split, bool collective)
{
	if (split == SIM_SPLIT_QPS_AUTO)
		return collective ? "off" : "on";
	return split == SIM_SPLIT_QPS_ON ? "on" : "off";
}

/* The walkers below see every table as index -> name, NULL past its end. */
static const char *sim_cc_at(uint32_t i)
{
	return sim_cc_name((enum sim_cc)i);
}

static const char *sim_lb_at(uint32_t i)
{
	return sim_lb_name((enum sim_lb)i);
}

static const char *sim_rx_at(uint32_t i)
{
	return sim_rx_name((enum sim_rx_mode)i);
}

static const char *sim_rx_what(uint32_t i)
{
	return i < SIM_RX_COUNT ? sim_rx_table[i].what : NULL;
}

static int sim_names_find(const char *(*at)(uint32_t), const char *name)
{
	const char *n;

	for (uint32_t i = 0; (n = at(i)); i++)
		if (!strcmp(n, name))
			return (int)i;
	return -1;
}

int sim_cc_from_name(const char *name, enum sim_cc *cc)
{
	int i = sim_names_find(sim_cc_at, name);

	if (i < 0)
		return -1;
	*cc = (enum sim_cc)i;
	return 0;
}

int sim_lb_from_name(const char *name, enum sim_lb *lb)
{
	int i = sim_names_find(sim_lb_at, name);

	if (i < 0)
		return -1;
	*lb = (enum sim_lb)i;
	return 0;
}

int sim_rx_from_name(const char *name, enum sim_rx_mode *rx)
{
	int i = sim_names_find(sim_rx_at, name);

	if (i < 0)
		return -1;
	*rx = (enum sim_rx_mode)i;
	return 0;
}

const char *sim_cc_names(char *buf, size_t len, const char *sep, const char *last)
{
	return coll_fmt_names(sim_cc_at, buf, len, sep, last);
}

const char *sim_lb_names(char *buf, size_t len, const char *sep, const char *last)
{
	return coll_fmt_names(sim_lb_at, buf, len, sep, last);
}

const char *sim_rx_names(char *buf, size_t len, const char *sep, const char *last)
{
	return coll_fmt_names(sim_rx_at, buf, len, sep, last);
}

/*
 * Every name joined by " | ", each followed in parentheses by what WHAT
 * (may be NULL) says of it and, for DFLT, "default":
 * "ddp (out-of-order placement, default) | gbn (go-back-N)".
 */
static const char *sim_names_help(const char *(*at)(uint32_t), const char *(*what)(uint32_t), uint32_t dflt,
				  char *buf, size_t len)
{
	size_t used = 0;
	const char *n;

	if (!len)
		return buf;
	buf[0] = 0;
	for (uint32_t i = 0; (n = at(i)) && used < len; i++) {
		const char *w = what ? what(i) : NULL;
		int k;

		if (w || i == dflt)
			k = snprintf(buf + used, len - used, "%s%s (%s%s%s)", i ? " | " : "", n, w ? w : "",
				     w && i == dflt ? ", " : "", i == dflt ? "default" : "");
		else
			k = snprintf(buf + used, len - used, "%s%s", i ? " | " : "", n);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return buf;
}

const char *sim_cc_help(char *buf, size_t len)
{
	struct sim_config d;

	sim_config_defaults(&d);
	return sim_names_help(sim_cc_at, NULL, d.cc, buf, len);
}

const char *sim_lb_help(char *buf, size_t len)
{
	struct sim_config d;

	sim_config_defaults(&d);
	return sim_names_help(sim_lb_at, NULL, d.lb, buf, len);
}

const char *sim_rx_help(char *buf, size_t len)
{
	struct sim_config d;

	sim_config_defaults(&d);
	return sim_names_help(sim_rx_at, sim_rx_what, d.rx, buf, len);
}

/* --plane-spread: enum sim_plane_spread order. */
static const char *const sim_plane_spread_names[SIM_PLANE_SPREAD_COUNT] = { "qp", "packet" };

int sim_plane_spread_from_name(const char *name, enum sim_plane_spread *spread)
{
	for (uint32_t i = 0; i < SIM_PLANE_SPREAD_COUNT; i++) {
		if (!strcmp(name, sim_plane_spread_names[i])) {
			*spread = (enum sim_plane_spread)i;
			return 0;
		}
	}
	return -1;
}

const char *sim_plane_spread_name(enum sim_plane_spread spread)
{
	return (unsigned int)spread < SIM_PLANE_SPREAD_COUNT ? sim_plane_spread_names[spread] : "?";
}
