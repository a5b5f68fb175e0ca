/*
 * The split run's state inside the fabric (dist.h is what its callers
 * see): the hooks port.c, nic.c and flows.c call when a run is split.
 */
#ifndef SIM_FABRIC_DIST_PRIV_H
#define SIM_FABRIC_DIST_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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
	uint64_t flows_here;		/* flows placed in this part (their receiver is here) */
	uint64_t need_here;		/* of them, those the all-active window waits for */
	uint64_t mark_ps, mark_bytes, first_finish_ps, first_finish_bytes;
	/*
	 * This window's changes of time-weighted port statistics, with what
	 * they were before: when the last flow of all finished inside the
	 * window, the changes after it are taken back (the statistics' clock
	 * stops at the end, as in one process, sim_stats_now).
	 */
	struct sim_dist_tail {
		uint32_t port;
		uint8_t kind;		/* SIM_DIST_Q, SIM_DIST_PAUSE_ON, SIM_DIST_PAUSE_OFF */
		bool paused;		/* the port was paused */
		uint64_t t_ps;
		double q_integral;	/* struct sim_portq's, before */
		uint64_t q_last_ps, qbytes;
		uint64_t paused_ps, since_ps;	/* struct sim_portq_stats's, before */
	} *tail;
	size_t ntail, tailcap;
	uint8_t *seen;			/* per port: taken back (bit 0 queue, bit 1 pause) */
	/* the named port's trace (--trace-port): rows kept here, the owner's go to part 0's file */
	FILE *trace_mem;
	char *trace_buf;
	size_t trace_len;
	FILE *trace_out;		/* part 0: the file; NULL elsewhere */
	uint64_t watch_bytes;		/* delivered over every part at the last watchdog instant */
	uint64_t *watch_bits;		/* per port: holds data while paused (the watchdog) */
};

/* P leaves on a cut link, arriving at ARRIVE_PS in the part of p->in_port's node: it goes out in a frame. */
void sim_dist_send(struct sim *s, uint64_t arrive_ps, struct sim_pkt *p);
/* The layout's walk met flow F (every flow, once): the part of its receiver counts it. */
void sim_dist_place(struct sim *s, const struct sim_flow *f);
/* Payload was just placed here (s->c.delivered_bytes grew). */
void sim_dist_delivered(struct sim *s);
/* A needed flow placed its first byte here; a flow finished here. */
void sim_dist_first_byte(struct sim *s);
void sim_dist_finished(struct sim *s);
void sim_dist_free(struct sim *s);
/* PORT's time-weighted statistics are about to change (KIND): noted until the run's end is known. */
#define SIM_DIST_Q 0
#define SIM_DIST_PAUSE_ON 1
#define SIM_DIST_PAUSE_OFF 2
void sim_dist_note_port(struct sim *s, uint32_t port, uint8_t kind);
/* trace.c: drops the default trace's samples of instants past LAST_PS (a split run's last window). */
void sim_trace_truncate(struct sim *s, uint64_t last_ps);
/* trace.c: halves the default trace until it fits (a split run, at each window's end). */
void sim_trace_settle(struct sim *s);
/* The split run's lookahead (UINT64_MAX in one part). */
uint64_t sim_dist_lookahead(const struct sim *s);
/*
 * flows.c: the local QP for QP RANK of lazy flow ID that a frame names
 * (DATA: at its receiver, else at its sender), the flow's half made here if
 * needed (START_PS: when its sender started it); SIM_NONE if there is none
 * (the run failed, or a malformed frame).
 */
uint32_t sim_split_qp(struct sim *s, uint64_t id, uint32_t rank, uint64_t start_ps, bool data);
/*
 * flows.c, gathering a split run into part 0: the kept flow of SRC's
 * transfer XID, made (as described, not started) when MAKE and there is
 * none yet; NULL if none (or out of memory: the run failed).
 */
struct sim_flow *sim_split_kept(struct sim *s, struct sim_src *src, uint64_t xid, bool make);
/* flows.c: what a split run keeps of its lazy sources (which transfers finished here): 0 or -ENOMEM. */
int sim_split_prepare(struct sim *s);
/* Whether S is one of several parts (a run in one part knows what one process knows, when it does). */
bool sim_dist_split(const struct sim *s);
/* trace.c: PORT's samples of the default trace into B (nothing without them); back in part 0: 0 or -EPROTO. */
int sim_trace_pack(const struct sim *s, uint32_t port, struct sim_buf *b);
int sim_trace_unpack(struct sim *s, uint32_t port, const uint8_t *data, size_t len);

#endif
