/*
 * Bandwidth figures exactly as nccl-tests reports them (its PERFORMANCE.md),
 * so simulated and measured results line up with published numbers.
 *
 * S is the nccl-tests "size": the per-rank buffer for allreduce, the total
 * output for allgather, the total input for reducescatter, the per-rank send
 * buffer for alltoall -- coll_sched.bytes in every case. algbw = S / t,
 * busbw = algbw * factor, factor 2(n-1)/n for allreduce and (n-1)/n for
 * allgather, reducescatter and alltoall. Bandwidths are decimal GB/s (1e9
 * bytes per second); sizes are parsed and printed by units.h, in binary
 * units (KiB = 1024 bytes).
 */
#ifndef COLL_BUSBW_H
#define COLL_BUSBW_H

#include <stddef.h>
#include <stdint.h>

#include "collectives/sched.h"

double coll_busbw_factor(enum coll_kind kind, uint32_t nranks);
/*
 * How many of a server's G ranks' busbw its NICs carry: busbw per NIC of
 * the server is busbw x this / (NICs x line rate). A ring, tree or
 * hierarchical schedule on servers sends 1/G of each rank's bus bytes
 * over the network (one hop in G leaves the server), so the server's NICs
 * carry one rank's busbw: 1. All-to-all sends every byte bound for
 * another server through the rank's own NIC: G (n - G) / (n - 1).
 */
double coll_busbw_net_ranks(enum coll_kind kind, uint32_t nranks, uint32_t gpus_per_server);
/* GB/s; 0 when seconds <= 0. */
double coll_algbw_GBps(uint64_t bytes, double seconds);
double coll_busbw_GBps(enum coll_kind kind, uint32_t nranks, uint64_t bytes,
		       double seconds);
/* busbw as a fraction of a NIC's line rate given in bits per second. */
double coll_line_fraction(double busbw_GBps, uint64_t line_rate_bps);

#endif /* COLL_BUSBW_H */
