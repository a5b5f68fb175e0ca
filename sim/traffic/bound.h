/*
 * The ideal: what a perfect fluid load balancer would reach on a fabric as
 * it stands (failed links skipped, degraded ones at their lowered rate), so
 * that a run can print how far its mechanism is from the best possible.
 *
 * Model. Traffic is a fluid that may split over every live valley-free
 * path in any proportion, with no latency and no queue. Any such routing
 * must respect a set of cuts, each a resource with a capacity in payload
 * bits per second (line rate x mtu / (mtu + per-frame overhead), the
 * simulator's framing, sim_wire_bytes):
 *  - each host's NIC, transmit and receive: the sum over its live planes;
 *  - each leaf group (a host's leaves on every plane, when those leaves
 *    serve exactly the same hosts on every plane, as in generated fabrics
 *    and most explicit ones): its live switch-facing capacity out (traffic
 *    leaving the group) and in (traffic entering it);
 *  - 3-tier Clos: each pod's live agg-core capacity out and in;
 *  - per pair of units A -> B (leaf groups of a 2-tier Clos, pods of a
 *    3-tier one): the live paths between them, the sum over top switches x
 *    (spines, cores; every plane's) of min(cap A -> x, cap x -> B). Only
 *    pairs whose top-facing links differ (a failure, a degradation) can
 *    bind below the unit cuts, so only those are computed: a healthy
 *    fabric costs nothing here.
 * Left out because they cost more than they add: leaf pairs inside a pod
 * and across pods of a 3-tier fabric (the pod and leaf cuts bound them;
 * leaf pairs are quadratic in leaves at 100k hosts). Leaving a cut out
 * only loosens the bound; it stays an upper bound.
 *
 * Flow workloads: max-min fair rates by progressive filling over those
 * resources (every unfrozen flow grows at the same pace; the flows of a
 * saturated resource freeze), recomputed at every arrival and finish (a
 * fluid simulation), giving the ideal of the simulator's effective
 * throughput (payload / sum of line rate x FCT) and of its all-active
 * figure (the aggregate rate while every flow is active / the senders'
 * line rates, here the max-min rates with every flow present). It is the
 * bound of a fair balancer: where flows cross several bottlenecks (a
 * parking lot), an unfair allocation can carry a larger aggregate; on the
 * symmetric cuts of permutations, incasts and all-to-all the two agree.
 *
 * Collectives: a time lower bound T = max over resources of the bytes the
 * schedule's network transfers push through it / its capacity (perfect
 * splitting, no latency, no dependency waits), and over GPUs of the bytes
 * each sends over NVLink / nvlink_bps (transfers inside a server use no
 * fabric; the simulator serializes a GPU's NVLink sends at that rate), and
 * the bus bandwidth of that time
 * (collectives/busbw.h). The schedule is streamed through its generator
 * (collectives/gen.h), nothing kept per transfer. Each job is bounded
 * alone: other jobs and background traffic would only lower it.
 */
#ifndef SIM_BOUND_H
#define SIM_BOUND_H

#include <stdint.h>

#include "sim/fabric/sim.h"
#include "sim/traffic/coll_sim.h"

struct sim_bound;

/*
 * The cut resources of T as it stands now (down flags and rates read
 * once), for frames of MTU_BYTES payload. 0 and *OUT, or -ENOMEM. T must
 * outlive it and not change.
 */
int sim_bound_create(const struct sim_topo *t, uint32_t mtu_bytes, struct sim_bound **out);
void sim_bound_free(struct sim_bound *b);

/* One flow of a flow workload, as the bound sees it. */
struct sim_bound_flow {
	uint32_t src, dst;	/* host indices */
	uint64_t bytes;		/* payload */
	uint64_t start_ps;
	uint64_t line_bps;	/* the sender's line rate the figures divide by */
};

/* The ideal figures of a flow workload, fractions of line rate; -1: none. */
struct sim_bound_flows {
	double effective;	/* payload / sum of line rate x ideal FCT */
	double all_active;	/* sum of max-min rates, every flow present / senders' line rates */
};

/*
 * Work (flow-resource references plus resources, per epoch) the fluid
 * simulation may do before it gives up on the effective figure: about 2 s
 * (an epoch of a 100,000-host permutation is 1M units and takes 0.15-0.2
 * s). Staggered starts and many distinct rates make an epoch per arrival
 * and finish: a permutation of 1,024 hosts with 20% of its links failed
 * takes 12 ms, one of 100,000 hosts with 10% failed needs more epochs
 * than this allows (its all-active figure, one epoch, is still given); a
 * workload of synchronized equal flows on a healthy fabric takes one.
 */
#define SIM_BOUND_WORK_MAX 10000000ULL

/*
 * The ideal of N flows F on B: 0, or -ENOMEM. A figure the model cannot
 * give is -1: effective when the fluid simulation would exceed
 * SIM_BOUND_WORK_MAX, or a flow can never finish (a host cut off).
 */
int sim_bound_flows(const struct sim_bound *b, const struct sim_bound_flow *f, uint64_t n,
		    struct sim_bound_flows *out);
/*
 * The same for the flows added to S (sim_add_flow; lazy sources' flows
 * are not read: *OUT is -1 when there are any). 0, or a negative errno.
 */
int sim_bound_sim_flows(const struct sim *s, struct sim_bound_flows *out);

/* The ideal of a collective job at one size. */
struct sim_bound_coll {
	double time_s;		/* lower bound on its time, s; 0: nothing crosses the fabric */
	double busbw_GBps;	/* nccl-tests busbw at that time; -1: none (time 0) */
	uint64_t net_bytes;	/* payload of its network transfers, bytes */
};

/*
 * The ideal of JOB (placed: rank_host set) at size job->bytes, its
 * transfers read from G (sim_coll_job_gen). 0, or -ENOMEM.
 */
int sim_bound_coll(const struct sim_bound *b, const struct sim_coll_job *job, const struct coll_gen *g,
		   struct sim_bound_coll *out);

#endif
