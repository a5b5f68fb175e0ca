/*
 * The split run's state inside the fabric (dist.h is what its callers
 * see): the hooks port.c, nic.c and flows.c call when a run is split.
 */
#ifndef SIM_FABRIC_DIST_PRIV_H
#define SIM_FABRIC_DIST_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/fabric/dist.h"

struct sim;
struct sim_pkt;

struct sim_dist {
	uint32_t nparts, me;
	const uint32_t *part;		/* node -> part */
	uint64_t lookahead_ps;		/* UINT64_MAX for one part */
	struct sim_buf *out, *in;	/* per part: frames to it, from it (this window) */
	struct sim_dist_stats st;
	/* this window's deliveries: (time, payload delivered by then), for the order-free figures */
	struct sim_dist_log {
		uint64_t t_ps, bytes;
	} *log;
	size_t nlog, logcap;
	uint64_t log_base_bytes;	/* delivered before the window */
	uint64_t fb_last_ps;		/* last first byte placed here in this window, UINT64_MAX: none */
	uint64_t ff_ps;			/* first flow finished here in this window, UINT64_MAX: none */
	bool mark_done, ff_done;	/* resolved over every part */
	uint64_t mark_ps, mark_bytes, first_finish_ps, first_finish_bytes;
	uint64_t watch_bytes;		/* delivered over every part at the last watchdog instant */
	uint64_t *watch_bits;		/* per port: holds data while paused (the watchdog) */
};

/* P leaves on a cut link, arriving at ARRIVE_PS in the part of p->in_port's node: it goes out in a frame. */
void sim_dist_send(struct sim *s, uint64_t arrive_ps, struct sim_pkt *p);
/* Payload was just placed here (s->c.delivered_bytes grew). */
void sim_dist_delivered(struct sim *s);
/* A needed flow placed its first byte here; a flow finished here. */
void sim_dist_first_byte(struct sim *s);
void sim_dist_finished(struct sim *s);
void sim_dist_free(struct sim *s);
/* trace.c: PORT's samples of the default trace into B (nothing without them); back in part 0: 0 or -EPROTO. */
int sim_trace_pack(const struct sim *s, uint32_t port, struct sim_buf *b);
int sim_trace_unpack(struct sim *s, uint32_t port, const uint8_t *data, size_t len);

#endif
