/*
 * nccl-tests bandwidth arithmetic; see busbw.h for the definitions. Sizes
 * are parsed and printed by units.c, as everywhere else.
 */
#include "collectives/busbw.h"

double coll_busbw_factor(enum coll_kind kind, uint32_t nranks)
{
	double f;

	if (!nranks)
		return 0;
	/* nccl-tests doc/PERFORMANCE.md: every link carries S once */
	if (kind == COLL_BROADCAST || kind == COLL_REDUCE || kind == COLL_SENDRECV)
		return 1;
	f = (double)(nranks - 1) / nranks;
	return kind == COLL_ALLREDUCE ? 2 * f : f;
}

double coll_busbw_net_ranks(enum coll_kind kind, uint32_t nranks, uint32_t gpus_per_server)
{
	uint32_t g = gpus_per_server ? gpus_per_server : 1;

	if (kind != COLL_ALLTOALL || nranks < 2)
		return 1;
	if (g >= nranks)
		return 0;	/* one server: nothing crosses the network */
	return (double)g * (nranks - g) / (nranks - 1);
}

double coll_algbw_GBps(uint64_t bytes, double seconds)
{
	return seconds > 0 ? (double)bytes / seconds / 1e9 : 0;
}

double coll_busbw_GBps(enum coll_kind kind, uint32_t nranks, uint64_t bytes,
		       double seconds)
{
	return coll_algbw_GBps(bytes, seconds) * coll_busbw_factor(kind, nranks);
}

double coll_line_fraction(double busbw_GBps, uint64_t line_rate_bps)
{
	return line_rate_bps ? busbw_GBps * 1e9 * 8 / (double)line_rate_bps : 0;
}
