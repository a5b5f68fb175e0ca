/*
 * A run split over processes: conservative parallel simulation of one
 * fabric by N parts (sim/topo/partition.h), each part a struct sim that
 * handles only the events of its own nodes.
 *
 * Every part builds the same run (topology, flows, QPs, connections in the
 * same order) and schedules only what starts at its own nodes. A frame a
 * port sends onto a cut link does not become an arrival event here: it
 * goes, with its arrival time and its event key (sim_seq_take, a key that
 * names its origin, so the order of events does not depend on the
 * partition), into the outbox of the part that owns the far end.
 *
 * Parts advance in windows [W, W + lookahead): W is the earliest event of
 * any part, and the lookahead is the least time between a frame leaving a
 * part and its arrival in another (serialization of the smallest frame
 * plus the cable's propagation, partition.h), so nothing a part sends in a
 * window arrives within it: after each window the parts exchange their
 * outboxes and no part ever receives an event in its past. Windows also
 * end at the PFC watchdog's instants (checked over every part) and at
 * cfg.stop_ps. The run ends when no part has an event left (a drain).
 *
 * The transport between parts is a table of operations (struct
 * sim_comm_ops): MPI in the command line (sim/cli/mpi.c), threads in the
 * tests. This file knows neither.
 *
 * After the run, part 0 receives what every part owns (its ports' state
 * and statistics, its senders' and receivers' sides of each flow, its
 * counters, the default trace of the port reported) and holds the whole
 * run's results, which the usual outputs then read. The other parts' runs
 * hold only their own.
 *
 * Limits: flow workloads (flows added with sim_add_flow); a lazy source (a
 * collective) is refused for now.
 */
#ifndef SIM_FABRIC_DIST_H
#define SIM_FABRIC_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sim;

/* A growable byte buffer: what one part sends another. */
struct sim_buf {
	uint8_t *data;
	size_t len, cap;	/* bytes used, allocated */
};

enum sim_comm_op {
	SIM_COMM_MIN = 0,
	SIM_COMM_MAX,
	SIM_COMM_SUM,
};

/*
 * How parts talk; every operation is collective (every part calls it, in
 * the same order) and returns 0 or a negative errno (the run then fails).
 */
struct sim_comm_ops {
	/* OUT[i] goes to part i; IN[i] is set to what part i sent (IN[me]: untouched). */
	int (*exchange)(void *ctx, const struct sim_buf *out, struct sim_buf *in);
	/* V[0..N) becomes OP over every part's V, element by element. */
	int (*allreduce)(void *ctx, uint64_t *v, uint32_t n, enum sim_comm_op op);
	/* Part 0 gets every part's MINE in ALL[i] (ALL[0] too); the others' ALL is untouched. */
	int (*gather)(void *ctx, const struct sim_buf *mine, struct sim_buf *all);
};

/* What a part measured of its own synchronisation. */
struct sim_dist_stats {
	uint64_t windows;	/* windows run */
	uint64_t frames_out;	/* frames sent to other parts */
	uint64_t bytes_out;	/* bytes of them, as exchanged */
	double wait_s;		/* wall-clock seconds in the exchanges and reductions */
	uint64_t flows_done;	/* over every part, at the end */
	/* over every part, at the end: frames and bytes sent, the longest wait */
	uint64_t frames_all, bytes_all;
	double wait_max_s;
};

/*
 * Makes S (created, flows added, not yet run) part ME of NPARTS: PART
 * maps every node to its part (kept, must outlive the run), LOOKAHEAD_PS
 * is the partition's (> 0 when NPARTS > 1). 0, or -EINVAL (a lazy source,
 * a bad argument; reason in sim_error), -ENOMEM.
 */
int sim_dist_attach(struct sim *s, uint32_t nparts, uint32_t me, const uint32_t *part, uint64_t lookahead_ps);
/*
 * Runs part S to its end with the other parts over OPS: the results of
 * the whole run are then in part 0's S. 0, or a negative errno with the
 * reason in sim_error() (every part fails when one does: the others say
 * which part did).
 */
int sim_dist_run(struct sim *s, const struct sim_comm_ops *ops, void *ctx);
/*
 * The named port's trace (--trace-port) of a split run: every part calls
 * it before sim_dist_run, part 0 with the file that gets the rows (its
 * header written), the others with NULL; the rows are the part's that
 * owns the port. 0, or -ENOMEM.
 */
int sim_dist_trace_port(struct sim *s, uint32_t port, uint64_t interval_ps, FILE *out);
/* This part's synchronisation figures (after sim_dist_run). */
const struct sim_dist_stats *sim_dist_stats(const struct sim *s);
/* Whether NODE is handled by this part (every node when S is not split). */
bool sim_dist_owns(const struct sim *s, uint32_t node);

/* Appends N bytes at P to B (which grows): 0, or -ENOMEM. What the transports fill IN with. */
int sim_buf_put(struct sim_buf *b, const void *p, size_t n);

#endif
