/*
 * The result files of fabsim, one table each: every column of flows.csv,
 * links.csv, trace.csv, collective.csv and prediction.csv and every key of
 * summary.json, in the order the writers put them, with unit, meaning and
 * the type and range a reader accepts. Writers generate their CSV header
 * line from the table (sim_schema_write_header) and set JSON keys through
 * it (sim_schema_set, which asserts the table's order); `fabsim report`
 * finds columns by name and checks values against the ranges here. A
 * column is added or renamed here, once. fabbench's JSON keys are in
 * collectives/bench_keys.h, because fabbench does not link the simulator.
 *
 * Each list is an X-macro, X(ID, "name", flags, min, max, "unit: meaning"),
 * which makes both the table and the enum of column indexes (ID).
 *
 * Units in names mean one thing everywhere: _gbps is Gb/s (bits), _GBps
 * GB/s (1e9 bytes/s, as nccl-tests' busbw). Files written before issue 16
 * spelt the byte rates _gbps too; sim_schema_find still reads those names.
 */
#ifndef SIM_SCHEMA_H
#define SIM_SCHEMA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "sim/topo/topo.h"

/* Limits shared by the columns and keys below. */
#define SIM_SCHEMA_MAX_US 1e12			/* times: 11.6 days, a picosecond clock fits */
#define SIM_SCHEMA_MAX_BYTES 9007199254740992.0	/* sizes: 2^53, exact in a double */
#define SIM_SCHEMA_MAX_COUNT 9.2e18		/* counters: int64 */
#define SIM_SCHEMA_MAX_GBPS 1e9			/* bandwidths */
#define SIM_SCHEMA_MAX_RATIO 1e6		/* throughput ratios; above 1 only in broken runs */
#define SIM_SCHEMA_MAX_LINE_GBPS (SIM_TOPO_MAX_RATE_BPS / 1e9)
#define SIM_SCHEMA_MAX_U32 4294967295.0
#define SIM_SCHEMA_NODE_NAME 63			/* characters of a node name */
#define SIM_SCHEMA_JOB_NAME 127			/* characters of a job name */
#define SIM_SCHEMA_KIND_NAME 31			/* collective, algorithm, placement */

/* What a column or key holds; readers check values with these. */
enum {
	SIM_COL_TEXT = 1,	/* a string, not a number; max is its longest length (0: any) */
	SIM_COL_INT = 2,	/* a whole number */
	SIM_COL_BLANK = 4,	/* CSV: may be empty (undefined, shown as a dash) */
	SIM_COL_ABOVE = 8,	/* strictly above min */
	SIM_COL_MINUS1 = 16,	/* -1 allowed too (fct_us of an unfinished flow) */
	SIM_COL_NULL = 32,	/* JSON: null when undefined (a run that did not finish) */
	SIM_COL_BOOL = 64,	/* JSON true or false */
	SIM_COL_OBJECT = 128,	/* JSON object, keys in its own table */
	SIM_COL_ARRAY = 256,	/* JSON array, entries in their own table */
	SIM_COL_REQUIRED = 512,	/* readers refuse a file without it */
};

struct sim_col {
	const char *name;
	unsigned int flags;
	double min, max;	/* numbers; for SIM_COL_TEXT, max is the longest length */
	const char *meaning;	/* unit, then what it is */
};

struct sim_schema {
	const char *file;	/* "links.csv", or the JSON path of an object: "results[]" */
	const struct sim_col *cols;
	unsigned int ncols;
};

#define SIM_COL_ENUM(ID, NAME, FLAGS, MIN, MAX, MEANING) ID,

/* flows.csv: one row per flow (sim/results/stats.c) */
#define SIM_FLOWS_COLUMNS(X) \
	X(SIM_FLOWS_FLOW, "flow", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "index, in the order flows were added") \
	X(SIM_FLOWS_SRC, "src", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "host index of the sender") \
	X(SIM_FLOWS_DST, "dst", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "host index of the receiver") \
	X(SIM_FLOWS_BYTES, "bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_BYTES, "bytes: payload") \
	X(SIM_FLOWS_START_US, "start_us", 0, 0, SIM_SCHEMA_MAX_US, "us: start time") \
	X(SIM_FLOWS_FCT_US, "fct_us", SIM_COL_MINUS1 | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, \
	  "us: flow completion time, -1 if it did not finish") \
	X(SIM_FLOWS_THROUGHPUT_GBPS, "throughput_gbps", 0, 0, SIM_SCHEMA_MAX_GBPS, \
	  "Gb/s: payload bits / FCT, 0 if unfinished") \
	X(SIM_FLOWS_LINE_FRACTION, "line_fraction", 0, 0, SIM_SCHEMA_MAX_RATIO, "fraction of the sender's line rate") \
	X(SIM_FLOWS_OOO_PACKETS, "ooo_packets", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "packets: out-of-order arrivals") \
	X(SIM_FLOWS_MAX_REORDER_PACKETS, "max_reorder_packets", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, \
	  "packets: deepest reordering") \
	X(SIM_FLOWS_RETRANSMITS, "retransmits", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packets: retransmitted, all QPs") \
	/* issue 16: last, and only in a collective run with --jobs or --background (SIM_FLOWS_NCOLS_PLAIN before it) */ \
	X(SIM_FLOWS_JOB, "job", SIM_COL_TEXT, 0, SIM_SCHEMA_JOB_NAME, \
	  "the job whose transfer the flow is, or background (--jobs or --background runs only)")

/* links.csv: one row per port, i.e. per direction of a link (sim/results/stats.c) */
#define SIM_LINKS_COLUMNS(X) \
	X(SIM_LINKS_PORT, "port", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "port index (run --trace-port)") \
	X(SIM_LINKS_FROM, "from", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_NODE_NAME, "node that sends") \
	X(SIM_LINKS_TO, "to", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_NODE_NAME, "node that receives") \
	X(SIM_LINKS_FROM_TIER, "from_tier", SIM_COL_INT | SIM_COL_REQUIRED, 0, 255, \
	  "tier of from: 0 host, 1 leaf, 2 spine/agg, 3 core") \
	X(SIM_LINKS_TO_TIER, "to_tier", SIM_COL_INT | SIM_COL_REQUIRED, 0, 255, "tier of to") \
	X(SIM_LINKS_DIRECTION, "direction", SIM_COL_TEXT, 0, 4, "up (towards the core) or down") \
	X(SIM_LINKS_RATE_GBPS, "rate_gbps", SIM_COL_ABOVE, 0, SIM_SCHEMA_MAX_LINE_GBPS, "Gb/s: line rate") \
	X(SIM_LINKS_TX_BYTES, "tx_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "bytes: sent, headers included") \
	/* a fraction of the line rate, with slack for rounding */ \
	X(SIM_LINKS_UTILIZATION, "utilization", SIM_COL_REQUIRED, 0, 1.1, "fraction of the line rate over the run") \
	X(SIM_LINKS_MAX_QUEUE_BYTES, "max_queue_bytes", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_BYTES, \
	  "bytes: deepest queue") \
	X(SIM_LINKS_MEAN_QUEUE_BYTES, "mean_queue_bytes", 0, 0, SIM_SCHEMA_MAX_BYTES, \
	  "bytes: time-averaged data queue") \
	X(SIM_LINKS_DROPS, "drops", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, "packets dropped") \
	X(SIM_LINKS_ECN_MARKS, "ecn_marks", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, \
	  "packets ECN-marked") \
	X(SIM_LINKS_PFC_PAUSES_SENT, "pfc_pauses_sent", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, \
	  "PFC pause frames sent upstream") \
	X(SIM_LINKS_PFC_PAUSES_RECEIVED, "pfc_pauses_received", SIM_COL_INT | SIM_COL_REQUIRED, 0, \
	  SIM_SCHEMA_MAX_COUNT, "PFC pause frames received") \
	X(SIM_LINKS_PAUSED_US, "paused_us", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, "us: time spent paused") \
	/* a run with failed links (--fail, --fail-at, a topology's fail list) only, so others' files stay as they were */ \
	X(SIM_LINKS_LINK_DOWN, "link_down", SIM_COL_INT, 0, 1, "1 when the link was down at the end of the run")

/* trace.csv: samples of one port, run --trace-port or the default trace (sim/fabric/trace.c; header sim/cli/run_out.c) */
#define SIM_TRACE_COLUMNS(X) \
	X(SIM_TRACE_TIME_US, "time_us", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, "us: sample time") \
	X(SIM_TRACE_DATA_QUEUE_BYTES, "data_queue_bytes", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_BYTES, \
	  "bytes: data queue") \
	X(SIM_TRACE_CTRL_QUEUE_BYTES, "ctrl_queue_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_BYTES, \
	  "bytes: control queue (ACKs, CNPs)") \
	X(SIM_TRACE_PAUSED, "paused", SIM_COL_INT | SIM_COL_REQUIRED, 0, 1, "1 while PFC holds the port") \
	X(SIM_TRACE_TX_BYTES, "tx_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "bytes sent since t = 0") \
	X(SIM_TRACE_PAUSES_RECEIVED, "pauses_received", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, \
	  "PFC pauses received since t = 0") \
	X(SIM_TRACE_PAUSES_SENT, "pauses_sent", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, \
	  "PFC pauses sent since t = 0") \
	X(SIM_TRACE_ECN_MARKS, "ecn_marks", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, \
	  "ECN marks since t = 0") \
	X(SIM_TRACE_DROPS, "drops", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, "drops since t = 0")

/*
 * timeline.csv: the fabric's throughput over time, run --timeline
 * (sim/fabric/trace.c): one row per interval of the default trace, from
 * its switch egress samples. Utilizations divide the wire bytes a class of
 * links sent in the interval by what its live links could send at their
 * rates at the interval's end; blank for a tier the fabric lacks.
 */
#define SIM_TIMELINE_COLUMNS(X) \
	X(SIM_TL_TIME_US, "time_us", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, "us: end of the interval") \
	X(SIM_TL_DELIVERED_GBPS, "delivered_gbps", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_GBPS, \
	  "Gb/s: wire rate edge switches sent down to hosts in the interval") \
	X(SIM_TL_DELIVERED_OF_LINE, "delivered_of_line", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_RATIO, \
	  "delivered_gbps over the sum of the hosts' NIC line rates") \
	X(SIM_TL_LEAF_UP, "leaf_up_util", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_RATIO, \
	  "mean utilization of live leaf uplinks") \
	X(SIM_TL_T2_DOWN, "tier2_down_util", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_RATIO, \
	  "mean utilization of live spine (aggregation) links down to leaves") \
	X(SIM_TL_T2_UP, "tier2_up_util", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_RATIO, \
	  "mean utilization of live aggregation uplinks to cores") \
	X(SIM_TL_T3_DOWN, "tier3_down_util", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_RATIO, \
	  "mean utilization of live core links down to aggregation switches") \
	X(SIM_TL_DROPS, "drops", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_COUNT, \
	  "packets switch egress ports dropped in the interval")

/* collective.csv: one row per job and message size, run -w COLLECTIVE (sim/cli/cmd_coll.c) */
#define SIM_COLL_COLUMNS(X) \
	X(SIM_COLL_JOB, "job", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_JOB_NAME, "job name") \
	X(SIM_COLL_COLLECTIVE, "collective", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_KIND_NAME, \
	  "allreduce, allgather, reducescatter or all-to-all (alltoall before issue 16)") \
	X(SIM_COLL_ALGORITHM, "algorithm", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_KIND_NAME, \
	  "ring, rhd, tree, hier, pairwise or hier-tree") \
	X(SIM_COLL_RANKS, "ranks", SIM_COL_INT | SIM_COL_REQUIRED, 2, SIM_SCHEMA_MAX_U32, "ranks (GPUs) of the job") \
	X(SIM_COLL_PLACEMENT, "placement", SIM_COL_TEXT, 0, SIM_SCHEMA_KIND_NAME, "how ranks were placed on hosts") \
	X(SIM_COLL_SIZE_BYTES, "size_bytes", SIM_COL_INT | SIM_COL_REQUIRED, 1, SIM_SCHEMA_MAX_BYTES, \
	  "bytes: message size, as nccl-tests") \
	X(SIM_COLL_TIME_US, "time_us", SIM_COL_ABOVE | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, "us: collective time") \
	X(SIM_COLL_ALGBW_GBPS, "algbw_GBps", 0, 0, SIM_SCHEMA_MAX_GBPS, "GB/s: size / time") \
	X(SIM_COLL_BUSBW_GBPS, "busbw_GBps", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_GBPS, \
	  "GB/s: bus bandwidth, as nccl-tests") \
	/* kept for scripts; above 1 when a server's NICs share the work (hier): busbw_per_nic is the honest one */ \
	X(SIM_COLL_EFFECTIVE_THROUGHPUT, "effective_throughput", SIM_COL_BLANK | SIM_COL_REQUIRED, 0, \
	  SIM_SCHEMA_MAX_RATIO, "busbw / one NIC's line rate") \
	X(SIM_COLL_NIC_BUSY, "nic_busy", SIM_COL_BLANK | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_RATIO, \
	  "fraction of the time the busiest NIC sent") \
	X(SIM_COLL_LINE_GBPS, "line_gbps", SIM_COL_BLANK | SIM_COL_ABOVE | SIM_COL_REQUIRED, 0, \
	  SIM_SCHEMA_MAX_LINE_GBPS, "Gb/s: NIC line rate") \
	X(SIM_COLL_NETWORK_FLOWS, "network_flows", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "transfers over the network") \
	X(SIM_COLL_SLOWEST_SRC, "slowest_src", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, \
	  "host index sending the slowest transfer") \
	X(SIM_COLL_SLOWEST_DST, "slowest_dst", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "host index receiving it") \
	X(SIM_COLL_SLOWEST_FCT_US, "slowest_fct_us", 0, 0, SIM_SCHEMA_MAX_US, "us: its completion time") \
	X(SIM_COLL_SLOWEST_LINE_FRACTION, "slowest_line_fraction", 0, 0, SIM_SCHEMA_MAX_RATIO, \
	  "its throughput / line rate") \
	X(SIM_COLL_EVENTS, "events", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "events the engine ran") \
	X(SIM_COLL_WALL_S, "wall_s", 0, 0, SIM_SCHEMA_MAX_US, "s: wall-clock time of the simulation") \
	/* issue 12, after the older columns so that their positions stay */ \
	X(SIM_COLL_BUSBW_PER_NIC, "busbw_per_nic", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_RATIO, \
	  "busbw / (NICs per server x NIC line rate): busbw per NIC of the server") \
	X(SIM_COLL_SEED, "seed", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "the row's seed (--seed, or one of --seeds)") \
	/* issue 15, appended */ \
	X(SIM_COLL_IDEAL_BUSBW_GBPS, "ideal_busbw_GBps", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_GBPS, \
	  "GB/s: busbw at the time lower bound of a perfect fluid load balancer over the live links")

/* prediction.csv: one row per measured size, fabsim predict (sim/cli/cmd_predict.c) */
#define SIM_PRED_COLUMNS(X) \
	X(SIM_PRED_COLLECTIVE, "collective", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_KIND_NAME, \
	  "allreduce, allgather, reducescatter or all-to-all (alltoall before issue 16)") \
	X(SIM_PRED_ALGORITHM, "algorithm", SIM_COL_TEXT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_KIND_NAME, \
	  "ring, rhd, tree, hier, pairwise or hier-tree") \
	X(SIM_PRED_NRANKS, "nranks", SIM_COL_INT | SIM_COL_REQUIRED, 2, SIM_SCHEMA_MAX_U32, \
	  "ranks of the measured job") \
	X(SIM_PRED_SIZE_BYTES, "size_bytes", SIM_COL_INT | SIM_COL_REQUIRED, 1, SIM_SCHEMA_MAX_BYTES, \
	  "bytes: message size") \
	X(SIM_PRED_MEASURED_TIME_US, "measured_time_us", SIM_COL_ABOVE | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, \
	  "us: as fabbench measured it") \
	X(SIM_PRED_MEASURED_ALGBW_GBPS, "measured_algbw_GBps", 0, 0, SIM_SCHEMA_MAX_GBPS, "GB/s") \
	X(SIM_PRED_MEASURED_BUSBW_GBPS, "measured_busbw_GBps", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_GBPS, "GB/s") \
	X(SIM_PRED_PREDICTED_TIME_US, "predicted_time_us", SIM_COL_ABOVE | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_US, \
	  "us: as the simulator predicts it") \
	X(SIM_PRED_PREDICTED_ALGBW_GBPS, "predicted_algbw_GBps", 0, 0, SIM_SCHEMA_MAX_GBPS, "GB/s") \
	X(SIM_PRED_PREDICTED_BUSBW_GBPS, "predicted_busbw_GBps", SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_GBPS, "GB/s") \
	X(SIM_PRED_LINE_GBPS, "line_gbps", SIM_COL_BLANK | SIM_COL_ABOVE | SIM_COL_REQUIRED, 0, \
	  SIM_SCHEMA_MAX_LINE_GBPS, "Gb/s: the NIC rate the calibration chose") \
	/* predicted / measured time - 1: above -1 as both times are */ \
	X(SIM_PRED_REL_ERROR, "rel_error", SIM_COL_BLANK | SIM_COL_REQUIRED, -1, SIM_SCHEMA_MAX_COUNT, \
	  "predicted / measured time - 1")


/*
 * How a run split over processes (mpirun) went, the same keys in a flow
 * run's and a collective's summary.json; P is the keys' enum prefix.
 */
#define SIM_SPLIT_KEYS(X, P) \
	X(P##_PROCESSES, "processes", SIM_COL_INT, 1, SIM_SCHEMA_MAX_COUNT, \
	  "processes the run was split over (mpirun -np); 1: one") \
	X(P##_PARTITION, "partition", SIM_COL_TEXT | SIM_COL_NULL, 0, 16, \
	  "how the fabric was split (--partition: pod or leaf); null: one process") \
	X(P##_LOOKAHEAD_PS, "lookahead_ps", SIM_COL_INT | SIM_COL_NULL, 0, SIM_SCHEMA_MAX_COUNT, \
	  "ps: the split run's window (least delay across a cut); null: one process") \
	X(P##_WINDOWS, "windows", SIM_COL_INT | SIM_COL_NULL, 0, SIM_SCHEMA_MAX_COUNT, \
	  "windows the parts advanced in together (a collective: over every size and seed); null: one process") \
	X(P##_EXCHANGED_FRAMES, "exchanged_frames", SIM_COL_INT | SIM_COL_NULL, 0, SIM_SCHEMA_MAX_COUNT, \
	  "frames and notes that crossed a cut, sent between processes; null: one process") \
	X(P##_EXCHANGED_BYTES, "exchanged_bytes", SIM_COL_INT | SIM_COL_NULL, 0, SIM_SCHEMA_MAX_COUNT, \
	  "bytes of them as exchanged; null: one process") \
	X(P##_WAIT_S, "wait_s", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, \
	  "s: the longest wall-clock time a process spent exchanging and waiting (a collective: summed over its runs); " \
	  "null: one process")

/* summary.json of a flow run (sim/results/stats.c, also run --json) */
#define SIM_SUM_KEYS(X) \
	X(SIM_SUM_FABSIM_VERSION, "fabsim_version", SIM_COL_TEXT, 0, 0, "version of the fabsim that ran") \
	X(SIM_SUM_COMMAND, "command", SIM_COL_TEXT, 0, 0, "the command line") \
	X(SIM_SUM_TOPOLOGY, "topology", SIM_COL_TEXT, 0, 0, "topology name") \
	X(SIM_SUM_HOSTS, "hosts", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "hosts of the topology") \
	X(SIM_SUM_SWITCHES, "switches", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "switches of the topology") \
	X(SIM_SUM_LB, "lb", SIM_COL_TEXT, 0, 0, "load balancing") \
	X(SIM_SUM_CC, "cc", SIM_COL_TEXT, 0, 0, "congestion control") \
	X(SIM_SUM_RX, "rx", SIM_COL_TEXT, 0, 0, "receive mode") \
	X(SIM_SUM_PFC, "pfc", SIM_COL_BOOL, 0, 0, "PFC on") \
	X(SIM_SUM_SEED, "seed", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "random seed") \
	X(SIM_SUM_MTU_BYTES, "mtu_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "bytes: MTU") \
	X(SIM_SUM_QPS_PER_FLOW, "qps_per_flow", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "QPs per connection") \
	X(SIM_SUM_SPLIT_QPS, "split_qps", SIM_COL_TEXT, 0, 3, "on: a flow split over its QPs; off: whole, round-robin") \
	X(SIM_SUM_WINDOW_BYTES, "window_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "bytes: send window") \
	X(SIM_SUM_BASE_RTT_US, "base_rtt_us", 0, 0, SIM_SCHEMA_MAX_US, "us: unloaded round trip") \
	X(SIM_SUM_CC_TARGET_UTIL, "cc_target_utilization", SIM_COL_NULL, 0, 1, \
	  "telemetry: the fraction of wire rate it holds each bottleneck at (eta); null for other CCs") \
	X(SIM_SUM_STATUS, "status", SIM_COL_TEXT, 0, 0, "complete, stopped, stalled or pfc-deadlock") \
	X(SIM_SUM_COMPLETE, "complete", SIM_COL_BOOL, 0, 0, "every flow finished") \
	X(SIM_SUM_FLOWS, "flows", SIM_COL_INT, 0, SIM_SCHEMA_MAX_BYTES, "flows of the workload") \
	X(SIM_SUM_FLOWS_DONE, "flows_done", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "flows that finished") \
	X(SIM_SUM_PAYLOAD_BYTES, "payload_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "bytes delivered") \
	X(SIM_SUM_EFFECTIVE_THROUGHPUT, "effective_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "payload / sum of line rate x FCT") \
	X(SIM_SUM_ALL_ACTIVE_THROUGHPUT, "all_active_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "aggregate payload rate / line rates from the last flow's first byte at its receiver to the first finish") \
	X(SIM_SUM_IDEAL_EFFECTIVE_THROUGHPUT, "ideal_effective_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "effective_throughput on a perfect fluid load balancer over the live links (max-min fair, no latency); " \
	  "null: not a flow workload, or too costly to compute") \
	X(SIM_SUM_IDEAL_ALL_ACTIVE_THROUGHPUT, "ideal_all_active_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "all_active_throughput on the same: max-min rates with every flow present / the senders' line rates") \
	X(SIM_SUM_MEAN_FLOW_THROUGHPUT, "mean_flow_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "mean over flows of throughput / line rate") \
	X(SIM_SUM_MIN_FLOW_THROUGHPUT, "min_flow_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, "worst flow's") \
	X(SIM_SUM_FCT_P50_US, "fct_p50_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: median FCT") \
	X(SIM_SUM_FCT_P99_US, "fct_p99_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: 99th percentile FCT") \
	X(SIM_SUM_FCT_MAX_US, "fct_max_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: longest FCT") \
	X(SIM_SUM_FCT_MEAN_US, "fct_mean_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: mean FCT") \
	X(SIM_SUM_MAKESPAN_US, "makespan_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: first start to last finish") \
	X(SIM_SUM_MAX_LINK_UTILIZATION, "max_link_utilization", 0, 0, SIM_SCHEMA_MAX_RATIO, \
	  "busiest switch-to-switch link") \
	X(SIM_SUM_LEAF_UPLINKS_USED, "leaf_uplinks_used", 0, 0, 1, "fraction of leaf uplinks that carried data") \
	X(SIM_SUM_MAX_QUEUE_BYTES, "max_queue_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_BYTES, "bytes: deepest queue") \
	X(SIM_SUM_DROPS, "drops", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packets dropped") \
	X(SIM_SUM_ECN_MARKS, "ecn_marks", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packets ECN-marked") \
	X(SIM_SUM_CNPS, "cnps", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "congestion notification packets") \
	X(SIM_SUM_PFC_PAUSES, "pfc_pauses", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "PFC pause frames") \
	X(SIM_SUM_RETRANSMITS, "retransmits", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packets retransmitted") \
	X(SIM_SUM_NAKS, "naks", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "NAKs sent") \
	X(SIM_SUM_TIMEOUTS, "timeouts", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "retransmission timeouts") \
	X(SIM_SUM_OOO_PACKETS, "ooo_packets", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "out-of-order arrivals") \
	X(SIM_SUM_MAX_REORDER_PACKETS, "max_reorder_packets", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, \
	  "packets: deepest reordering") \
	X(SIM_SUM_DUPLICATE_PACKETS, "duplicate_packets", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "duplicates received") \
	X(SIM_SUM_EVENTS, "events", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "events the engine ran") \
	X(SIM_SUM_PACKET_HOPS, "packet_hops", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packet transmissions") \
	X(SIM_SUM_EVENTS_PER_DATA_PACKET, "events_per_data_packet", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_COUNT, \
	  "events per distinct data packet placed at a receiver (duplicates not counted); null: none placed") \
	X(SIM_SUM_SIM_TIME_US, "sim_time_us", 0, 0, SIM_SCHEMA_MAX_US, "us: simulated time at the end") \
	X(SIM_SUM_WALL_S, "wall_s", 0, 0, SIM_SCHEMA_MAX_US, "s: wall-clock time") \
	X(SIM_SUM_EVENTS_PER_S, "events_per_s", 0, 0, SIM_SCHEMA_MAX_COUNT, "engine speed") \
	X(SIM_SUM_PEAK_RSS_KB, "peak_rss_kb", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "KiB: peak resident memory") \
	SIM_SPLIT_KEYS(X, SIM_SUM) \
	X(SIM_SUM_TRACE_PORT, "trace_port", SIM_COL_TEXT | SIM_COL_NULL, 0, 2 * SIM_SCHEMA_NODE_NAME + 1, \
	  "FROM:TO of the port trace.csv samples (--trace-port, else the highest peak queue); null: none") \
	X(SIM_SUM_TRACE_INTERVAL_PS, "trace_interval_ps", SIM_COL_INT | SIM_COL_NULL, 0, SIM_SCHEMA_MAX_COUNT, \
	  "ps: spacing of trace.csv's samples (the default trace doubles it to fit); null: no trace") \
	/* --seeds only: the keys above describe the last seed's run */ \
	X(SIM_SUM_SEEDS, "seeds", SIM_COL_ARRAY, 0, 0, "--seeds: the seeds run, in order") \
	X(SIM_SUM_SEED_STATS, "seed_stats", SIM_COL_OBJECT, 0, 0, \
	  "--seeds: mean, min and max over the seeds of each figure, below") \
	/* a run with links failing or restored during it (--fail-at, --restore-at) only */ \
	X(SIM_SUM_LINK_DROPS, "link_drops", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "packets lost to links going down (queued, sent onto or on the wire of a down link); not in drops") \
	X(SIM_SUM_REROUTES, "reroutes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "routing tables rebuilt after a link change (--reroute-delay after it)") \
	X(SIM_SUM_DROPS_NO_ROUTE, "drops_no_route", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "of drops: packets a switch had no live route for (failed links)")

/* its seed_stats: each figure an object of SIM_SEEDSTAT_KEYS, null when no seed finished */
#define SIM_FSEED_KEYS(X) \
	X(SIM_FSEED_SEEDS_COMPLETE, "seeds_complete", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, \
	  "seeds whose every flow finished: the flow-lifetime figures are over these") \
	X(SIM_FSEED_EFFECTIVE, "effective_throughput", SIM_COL_OBJECT | SIM_COL_NULL, 0, 0, "as above, per seed") \
	X(SIM_FSEED_ALL_ACTIVE, "all_active_throughput", SIM_COL_OBJECT | SIM_COL_NULL, 0, 0, "as above, per seed") \
	X(SIM_FSEED_MEAN_FLOW, "mean_flow_throughput", SIM_COL_OBJECT | SIM_COL_NULL, 0, 0, "as above, per seed")

/* mean, min and max of one figure over seeds (sim_seed_stat_json) */
#define SIM_SEEDSTAT_KEYS(X) \
	X(SIM_SEEDSTAT_MEAN, "mean", 0, 0, SIM_SCHEMA_MAX_COUNT, "arithmetic mean over the seeds") \
	X(SIM_SEEDSTAT_MIN, "min", 0, 0, SIM_SCHEMA_MAX_COUNT, "lowest seed's") \
	X(SIM_SEEDSTAT_MAX, "max", 0, 0, SIM_SCHEMA_MAX_COUNT, "highest seed's")

/* seeds.csv: a flow run with --seeds, one row per seed (sim/cli/cmd_run.c) */
#define SIM_SEEDS_COLUMNS(X) \
	X(SIM_SEEDS_SEED, "seed", SIM_COL_INT | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_U32, "random seed") \
	X(SIM_SEEDS_STATUS, "status", SIM_COL_TEXT, 0, 16, "complete, stopped, stalled or pfc-deadlock") \
	X(SIM_SEEDS_EFFECTIVE, "effective_throughput", SIM_COL_BLANK | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_RATIO, \
	  "payload / sum of line rate x FCT (harmonic, FCT-based)") \
	X(SIM_SEEDS_ALL_ACTIVE, "all_active_throughput", SIM_COL_BLANK | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_RATIO, \
	  "aggregate payload rate / line rates from the last flow's first byte at its receiver to the first finish") \
	X(SIM_SEEDS_MEAN_FLOW, "mean_flow_throughput", SIM_COL_BLANK | SIM_COL_REQUIRED, 0, SIM_SCHEMA_MAX_RATIO, \
	  "mean over flows of throughput / line rate") \
	X(SIM_SEEDS_MIN_FLOW, "min_flow_throughput", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_RATIO, "worst flow's") \
	X(SIM_SEEDS_FCT_P99_US, "fct_p99_us", SIM_COL_BLANK, 0, SIM_SCHEMA_MAX_US, "us: 99th percentile FCT") \
	X(SIM_SEEDS_MAX_LINK_UTILIZATION, "max_link_utilization", 0, 0, SIM_SCHEMA_MAX_RATIO, \
	  "busiest switch-to-switch link")

/* summary.json of a collective run, run -w COLLECTIVE (sim/cli/run_coll.c) */
#define SIM_CRUN_KEYS(X) \
	X(SIM_CRUN_FABSIM_VERSION, "fabsim_version", SIM_COL_TEXT, 0, 0, "version of the fabsim that ran") \
	X(SIM_CRUN_COMMAND, "command", SIM_COL_TEXT, 0, 0, "the command line") \
	X(SIM_CRUN_TOPOLOGY, "topology", SIM_COL_TEXT, 0, 0, "topology name") \
	X(SIM_CRUN_HOSTS, "hosts", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "hosts of the topology") \
	X(SIM_CRUN_LINE_RATE_BPS, "line_rate_bps", SIM_COL_INT, 0, SIM_TOPO_MAX_RATE_BPS, "b/s: NIC line rate") \
	X(SIM_CRUN_MTU_BYTES, "mtu_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "bytes: MTU") \
	X(SIM_CRUN_LB, "lb", SIM_COL_TEXT, 0, 0, "load balancing") \
	X(SIM_CRUN_CC, "cc", SIM_COL_TEXT, 0, 0, "congestion control") \
	X(SIM_CRUN_RX, "rx", SIM_COL_TEXT, 0, 0, "receive mode") \
	X(SIM_CRUN_PFC, "pfc", SIM_COL_BOOL, 0, 0, "PFC on") \
	X(SIM_CRUN_QPS_PER_FLOW, "qps_per_flow", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "QPs per connection") \
	X(SIM_CRUN_SPLIT_QPS, "split_qps", SIM_COL_TEXT, 0, 3, \
	  "on: a transfer split over its connection's QPs; off: whole, round-robin (NCCL's default)") \
	X(SIM_CRUN_SEED, "seed", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "random seed (--seeds: the first)") \
	X(SIM_CRUN_SEEDS, "seeds", SIM_COL_ARRAY, 0, 0, "the seeds each size ran with, in order (--seed: one)") \
	X(SIM_CRUN_NVLINK_BPS, "nvlink_bps", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "b/s: intra-server rate per GPU") \
	SIM_SPLIT_KEYS(X, SIM_CRUN) \
	X(SIM_CRUN_JOBS, "jobs", SIM_COL_ARRAY, 0, 0, "one entry per job, below") \
	/* a run with --background only */ \
	X(SIM_CRUN_BACKGROUND, "background", SIM_COL_OBJECT, 0, 0, \
	  "--background: the permutation among the hosts no job uses, below")

/* its background object */
#define SIM_CBG_KEYS(X) \
	X(SIM_CBG_BYTES_PER_FLOW, "bytes_per_flow", SIM_COL_INT, 1, SIM_SCHEMA_MAX_BYTES, "bytes: --background SIZE") \
	X(SIM_CBG_HOSTS, "hosts", SIM_COL_INT, 2, SIM_SCHEMA_MAX_U32, "hosts no job uses: each sends one flow") \
	X(SIM_CBG_RESULTS, "results", SIM_COL_ARRAY, 0, 0, "one entry per message size of the jobs and seed, below")

/*
 * Each background results[] entry: the background flows of one run (a
 * size of the jobs, a seed) with the figures of a flow run's summary.json
 * (sim/results/stats.c), over these flows alone; the figures of their
 * lifetimes are null unless every one finished.
 */
#define SIM_CBGR_KEYS(X) \
	X(SIM_CBGR_SIZE_BYTES, "size_bytes", SIM_COL_INT, 1, SIM_SCHEMA_MAX_BYTES, \
	  "bytes: the jobs' message size of the run (the sweep's)") \
	X(SIM_CBGR_SEED, "seed", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "the seed of this run") \
	X(SIM_CBGR_COMPLETE, "complete", SIM_COL_BOOL, 0, 0, "every background flow finished") \
	X(SIM_CBGR_FLOWS, "flows", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "background flows") \
	X(SIM_CBGR_FLOWS_DONE, "flows_done", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "of them, finished") \
	X(SIM_CBGR_BYTES, "bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_BYTES, "bytes: their payload") \
	X(SIM_CBGR_EFFECTIVE, "effective_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "payload / sum of line rate x FCT (harmonic, FCT-based)") \
	X(SIM_CBGR_MEAN_FLOW, "mean_flow_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "mean over flows of throughput / line rate") \
	X(SIM_CBGR_MIN_FLOW, "min_flow_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, "worst flow's") \
	X(SIM_CBGR_FCT_P50_US, "fct_p50_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: median FCT") \
	X(SIM_CBGR_FCT_P99_US, "fct_p99_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: 99th percentile FCT") \
	X(SIM_CBGR_FCT_MAX_US, "fct_max_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: longest FCT") \
	X(SIM_CBGR_FCT_MEAN_US, "fct_mean_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: mean FCT") \
	X(SIM_CBGR_MAKESPAN_US, "makespan_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: first start to last finish")

/* its jobs[] entries */
#define SIM_CJOB_KEYS(X) \
	X(SIM_CJOB_NAME, "name", SIM_COL_TEXT, 0, SIM_SCHEMA_JOB_NAME, "job name") \
	X(SIM_CJOB_COLLECTIVE, "collective", SIM_COL_TEXT, 0, SIM_SCHEMA_KIND_NAME, \
	  "allreduce, allgather, reducescatter or all-to-all (alltoall before issue 16)") \
	X(SIM_CJOB_ALGORITHM, "algorithm", SIM_COL_TEXT, 0, SIM_SCHEMA_KIND_NAME, "ring, rhd, tree, hier, pairwise or hier-tree") \
	X(SIM_CJOB_RANKS, "ranks", SIM_COL_INT, 2, SIM_SCHEMA_MAX_U32, "ranks (GPUs) of the job") \
	X(SIM_CJOB_PLACEMENT, "placement", SIM_COL_TEXT, 0, SIM_SCHEMA_KIND_NAME, "how ranks were placed on hosts") \
	X(SIM_CJOB_GPUS_PER_SERVER, "gpus_per_server", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "GPUs sharing a server") \
	X(SIM_CJOB_CHANNELS, "channels", SIM_COL_INT, 1, SIM_SCHEMA_MAX_U32, "channels (rings or trees)") \
	X(SIM_CJOB_CHANNEL_DUP, "channel_connections", SIM_COL_INT, 1, SIM_SCHEMA_MAX_U32, \
	  "connections each channel's messages are spread over (NCCL's duplicated channels)") \
	X(SIM_CJOB_CHUNK_BYTES, "chunk_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_BYTES, "bytes: pipelining chunk, 0 none (trees by default: NCCL's, at the first size)") \
	X(SIM_CJOB_BUSBW_FACTOR, "busbw_factor", 0, 0, 2, "busbw / algbw, as nccl-tests") \
	X(SIM_CJOB_RESULTS, "results", SIM_COL_ARRAY, 0, 0, "one entry per message size and seed, below") \
	X(SIM_CJOB_SEED_STATS, "seed_stats", SIM_COL_ARRAY, 0, 0, "one entry per message size: figures over seeds")

/* its seed_stats[] entries: each figure an object of SIM_SEEDSTAT_KEYS over the finished seeds, or null */
#define SIM_CSEED_KEYS(X) \
	X(SIM_CSEED_SIZE_BYTES, "size_bytes", SIM_COL_INT, 1, SIM_SCHEMA_MAX_BYTES, "bytes: message size") \
	X(SIM_CSEED_SEEDS, "seeds", SIM_COL_INT, 1, SIM_SCHEMA_MAX_U32, "seeds run at this size") \
	X(SIM_CSEED_SEEDS_COMPLETE, "seeds_complete", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "of them, finished") \
	X(SIM_CSEED_TIME_US, "time_us", SIM_COL_OBJECT | SIM_COL_NULL, 0, 0, "us: collective time") \
	X(SIM_CSEED_BUSBW_GBPS, "busbw_GBps", SIM_COL_OBJECT | SIM_COL_NULL, 0, 0, "GB/s: bus bandwidth") \
	X(SIM_CSEED_BUSBW_PER_NIC, "busbw_per_nic", SIM_COL_OBJECT | SIM_COL_NULL, 0, 0, \
	  "busbw / (NICs per server x NIC line rate)") \
	X(SIM_CSEED_NIC_BUSY, "nic_busy", SIM_COL_OBJECT | SIM_COL_NULL, 0, 0, "busiest NIC's busy fraction")

/*
 * Each jobs[].results[] entry. A size whose job did not finish (--stop, a
 * PFC deadlock) has the keys up to nic_busy, its figures null, then
 * pfc_pauses, drops and events; a finished one has every key but
 * transfers, transfers_done and sim_time_us. Readers check pfc_pauses and
 * drops, which both have.
 */
#define SIM_CSUM_RESULT_KEYS(X) \
	X(SIM_CSUM_SIZE_BYTES, "size_bytes", SIM_COL_INT, 1, SIM_SCHEMA_MAX_BYTES, "bytes: message size") \
	X(SIM_CSUM_SEED, "seed", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "the seed of this run") \
	X(SIM_CSUM_COMPLETE, "complete", SIM_COL_BOOL, 0, 0, "every transfer finished") \
	X(SIM_CSUM_TRANSFERS, "transfers", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "unfinished: transfers of the job") \
	X(SIM_CSUM_TRANSFERS_DONE, "transfers_done", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, \
	  "unfinished: transfers that finished") \
	X(SIM_CSUM_SIM_TIME_US, "sim_time_us", 0, 0, SIM_SCHEMA_MAX_US, "unfinished: us: simulated time at the end") \
	X(SIM_CSUM_TIME_US, "time_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: collective time") \
	X(SIM_CSUM_ALGBW_GBPS, "algbw_GBps", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_GBPS, "GB/s: size / time") \
	X(SIM_CSUM_BUSBW_GBPS, "busbw_GBps", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_GBPS, "GB/s: bus bandwidth, as nccl-tests") \
	X(SIM_CSUM_IDEAL_BUSBW_GBPS, "ideal_busbw_GBps", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_GBPS, \
	  "GB/s: busbw at the time lower bound of a perfect fluid load balancer (every resource's bytes / " \
	  "its live capacity); null: nothing crosses the fabric") \
	X(SIM_CSUM_EFFECTIVE_THROUGHPUT, "effective_throughput", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "busbw / one NIC's line rate (kept for scripts; see busbw_per_nic)") \
	X(SIM_CSUM_BUSBW_PER_NIC, "busbw_per_nic", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "busbw / (NICs per server x NIC line rate): busbw per NIC of the server") \
	X(SIM_CSUM_NIC_BUSY, "nic_busy", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_RATIO, \
	  "fraction of the time the busiest NIC sent") \
	X(SIM_CSUM_NIC_MAX_BYTES, "nic_max_bytes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "bytes the busiest NIC sent") \
	X(SIM_CSUM_NETWORK_FLOWS, "network_flows", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "transfers over the network") \
	X(SIM_CSUM_SLOWEST_FLOW_SRC, "slowest_flow_src", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, \
	  "host index sending the slowest transfer") \
	X(SIM_CSUM_SLOWEST_FLOW_DST, "slowest_flow_dst", SIM_COL_INT, 0, SIM_SCHEMA_MAX_U32, "host index receiving it") \
	X(SIM_CSUM_SLOWEST_FLOW_FCT_US, "slowest_flow_fct_us", 0, 0, SIM_SCHEMA_MAX_US, "us: its completion time") \
	X(SIM_CSUM_SLOWEST_FLOW_LINE_FRACTION, "slowest_flow_line_fraction", 0, 0, SIM_SCHEMA_MAX_RATIO, \
	  "its throughput / line rate") \
	X(SIM_CSUM_BUSIEST_LINK, "busiest_link", SIM_COL_TEXT, 0, 0, "FROM:TO of the busiest switch link, -:- if none") \
	X(SIM_CSUM_BUSIEST_LINK_UTILIZATION, "busiest_link_utilization", 0, 0, SIM_SCHEMA_MAX_RATIO, \
	  "its utilization") \
	X(SIM_CSUM_PFC_PAUSES, "pfc_pauses", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "PFC pause frames at this size") \
	X(SIM_CSUM_DROPS, "drops", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packets dropped at this size") \
	X(SIM_CSUM_ECN_MARKS, "ecn_marks", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packets ECN-marked") \
	X(SIM_CSUM_RETRANSMITS, "retransmits", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "packets retransmitted") \
	X(SIM_CSUM_OOO_PACKETS, "ooo_packets", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "out-of-order arrivals") \
	X(SIM_CSUM_EVENTS, "events", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, "events the engine ran") \
	X(SIM_CSUM_DATA_PACKETS, "data_packets", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "distinct data packets placed at receivers (events / this: the engine's cost per unit of work)") \
	X(SIM_CSUM_WALL_S, "wall_s", 0, 0, SIM_SCHEMA_MAX_US, "s: wall-clock time of the simulation") \
	/* a run with links failing or restored during it (--fail-at, --restore-at) only */ \
	X(SIM_CSUM_LINK_DROPS, "link_drops", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "packets lost to links going down at this size; not in drops") \
	X(SIM_CSUM_REROUTES, "reroutes", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "routing tables rebuilt after a link change") \
	X(SIM_CSUM_DROPS_NO_ROUTE, "drops_no_route", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "of drops: packets a switch had no live route for (failed links)") \
	/* a run with --jobs or --background only (issue 16): the job's own flows among the others */ \
	X(SIM_CSUM_FLOWS, "flows", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "transfers of the job, NVLink ones included (network_flows of them cross the fabric)") \
	X(SIM_CSUM_FCT_P50_US, "fct_p50_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, \
	  "us: median FCT of its network transfers; null: none, or the job did not finish") \
	X(SIM_CSUM_FCT_P99_US, "fct_p99_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: their 99th percentile FCT") \
	X(SIM_CSUM_FCT_MAX_US, "fct_max_us", SIM_COL_NULL, 0, SIM_SCHEMA_MAX_US, "us: their longest FCT")

/* summary.json of fabsim predict (sim/cli/cmd_predict.c) */
#define SIM_PSUM_KEYS(X) \
	X(SIM_PSUM_BENCH, "bench", SIM_COL_TEXT, 0, 0, "the fabbench --json file") \
	X(SIM_PSUM_TOPOLOGY, "topology", SIM_COL_TEXT, 0, 0, "topology name") \
	X(SIM_PSUM_COLLECTIVE, "collective", SIM_COL_TEXT, 0, 0, "as measured") \
	X(SIM_PSUM_ALGORITHM, "algorithm", SIM_COL_TEXT, 0, 0, "as measured") \
	X(SIM_PSUM_NRANKS, "nranks", SIM_COL_INT, 2, SIM_SCHEMA_MAX_U32, "ranks") \
	X(SIM_PSUM_CALIBRATION, "calibration", SIM_COL_OBJECT, 0, 0, "what predict calibrated, below") \
	X(SIM_PSUM_RESULTS, "results", SIM_COL_ARRAY, 0, 0, "one entry per size, below")

#define SIM_PCAL_KEYS(X) \
	X(SIM_PCAL_NIC_RATE_BPS, "nic_rate_bps", SIM_COL_INT, 0, SIM_TOPO_MAX_RATE_BPS, "b/s: NIC rate achieved") \
	X(SIM_PCAL_NIC_RATE_SOURCE, "nic_rate_source", SIM_COL_TEXT, 0, 0, "where that rate came from") \
	X(SIM_PCAL_OVERHEAD_US, "overhead_us", 0, 0, SIM_SCHEMA_MAX_US, "us: software overhead per message") \
	X(SIM_PCAL_OVERHEAD_SOURCE, "overhead_source", SIM_COL_TEXT, 0, 0, "where that overhead came from") \
	X(SIM_PCAL_REDUCE_RATE_BPS, "reduce_rate_bps", SIM_COL_INT, 0, SIM_SCHEMA_MAX_COUNT, \
	  "b/s: reduction rate, 0 free")

#define SIM_PRES_KEYS(X) \
	X(SIM_PRES_SIZE_BYTES, "size_bytes", SIM_COL_INT, 1, SIM_SCHEMA_MAX_BYTES, "bytes: message size") \
	X(SIM_PRES_MEASURED_TIME_US, "measured_time_us", 0, 0, SIM_SCHEMA_MAX_US, "us") \
	X(SIM_PRES_PREDICTED_TIME_US, "predicted_time_us", 0, 0, SIM_SCHEMA_MAX_US, "us") \
	X(SIM_PRES_MEASURED_BUSBW_GBPS, "measured_busbw_GBps", 0, 0, SIM_SCHEMA_MAX_GBPS, "GB/s") \
	X(SIM_PRES_PREDICTED_BUSBW_GBPS, "predicted_busbw_GBps", 0, 0, SIM_SCHEMA_MAX_GBPS, "GB/s") \
	X(SIM_PRES_REL_ERROR, "rel_error", 0, -1, SIM_SCHEMA_MAX_COUNT, "predicted / measured time - 1")

enum sim_flows_col { SIM_FLOWS_COLUMNS(SIM_COL_ENUM) SIM_FLOWS_NCOLS };
/* flows.csv of a run without a job column: every column before it */
#define SIM_FLOWS_NCOLS_PLAIN SIM_FLOWS_JOB
enum sim_links_col { SIM_LINKS_COLUMNS(SIM_COL_ENUM) SIM_LINKS_NCOLS };
enum sim_trace_col { SIM_TRACE_COLUMNS(SIM_COL_ENUM) SIM_TRACE_NCOLS };
enum sim_tl_col { SIM_TIMELINE_COLUMNS(SIM_COL_ENUM) SIM_TL_NCOLS };
enum sim_coll_col { SIM_COLL_COLUMNS(SIM_COL_ENUM) SIM_COLL_NCOLS };
enum sim_pred_col { SIM_PRED_COLUMNS(SIM_COL_ENUM) SIM_PRED_NCOLS };
enum sim_sum_key { SIM_SUM_KEYS(SIM_COL_ENUM) SIM_SUM_NKEYS };
enum sim_crun_key { SIM_CRUN_KEYS(SIM_COL_ENUM) SIM_CRUN_NKEYS };
enum sim_cjob_key { SIM_CJOB_KEYS(SIM_COL_ENUM) SIM_CJOB_NKEYS };
enum sim_csum_key { SIM_CSUM_RESULT_KEYS(SIM_COL_ENUM) SIM_CSUM_NKEYS };
enum sim_psum_key { SIM_PSUM_KEYS(SIM_COL_ENUM) SIM_PSUM_NKEYS };
enum sim_pcal_key { SIM_PCAL_KEYS(SIM_COL_ENUM) SIM_PCAL_NKEYS };
enum sim_pres_key { SIM_PRES_KEYS(SIM_COL_ENUM) SIM_PRES_NKEYS };
enum sim_fseed_key { SIM_FSEED_KEYS(SIM_COL_ENUM) SIM_FSEED_NKEYS };
enum sim_seedstat_key { SIM_SEEDSTAT_KEYS(SIM_COL_ENUM) SIM_SEEDSTAT_NKEYS };
enum sim_seeds_col { SIM_SEEDS_COLUMNS(SIM_COL_ENUM) SIM_SEEDS_NCOLS };
enum sim_cseed_key { SIM_CSEED_KEYS(SIM_COL_ENUM) SIM_CSEED_NKEYS };
enum sim_cbg_key { SIM_CBG_KEYS(SIM_COL_ENUM) SIM_CBG_NKEYS };
enum sim_cbgr_key { SIM_CBGR_KEYS(SIM_COL_ENUM) SIM_CBGR_NKEYS };

/* The most columns of one table: readers size their index arrays with it. */
#define SIM_SCHEMA_MAX_COLS 80

extern const struct sim_schema sim_schema_flows;	/* flows.csv */
extern const struct sim_schema sim_schema_links;	/* links.csv */
extern const struct sim_schema sim_schema_trace;	/* trace.csv */
extern const struct sim_schema sim_schema_timeline;	/* timeline.csv */
extern const struct sim_schema sim_schema_coll;		/* collective.csv */
extern const struct sim_schema sim_schema_pred;		/* prediction.csv */
extern const struct sim_schema sim_schema_summary;	/* summary.json of a flow run */
extern const struct sim_schema sim_schema_coll_summary;	/* summary.json of a collective run */
extern const struct sim_schema sim_schema_coll_job;	/* its jobs[] */
extern const struct sim_schema sim_schema_coll_result;	/* its jobs[].results[] */
extern const struct sim_schema sim_schema_pred_summary;	/* predict summary.json */
extern const struct sim_schema sim_schema_pred_calib;	/* its "calibration" */
extern const struct sim_schema sim_schema_pred_result;	/* its "results[]" */
extern const struct sim_schema sim_schema_seeds;	/* seeds.csv of a flow run with --seeds */
extern const struct sim_schema sim_schema_flow_seed_stats; /* summary.json's seed_stats (flow run) */
extern const struct sim_schema sim_schema_coll_seed_stats; /* summary.json jobs[].seed_stats[] */
extern const struct sim_schema sim_schema_seed_stat;	/* each figure's {mean, min, max} */
extern const struct sim_schema sim_schema_coll_background;	/* summary.json background (collective) */
extern const struct sim_schema sim_schema_coll_bg_result;	/* its results[] */

/* Every table above, for tests and documentation; *N gets their number. */
const struct sim_schema *const *sim_schema_all(size_t *n);

/*
 * Index of column NAME in SC, or -1. A GB/s column's name before issue 16
 * ("busbw_GBps" for "busbw_GBps") finds it too, so older files stay readable.
 */
int sim_schema_find(const struct sim_schema *sc, const char *name);
/*
 * The CSV header line of SC, names joined by commas, without the newline,
 * into BUF; its length, or -ENOSPC when it does not fit (BUF then holds
 * the names that did, without a trailing comma).
 */
int sim_schema_header(const struct sim_schema *sc, char *buf, size_t len);
/* The header line and its newline onto F; 0 or -EIO. */
int sim_schema_write_header(const struct sim_schema *sc, FILE *f);
/* The header of the first NCOLS columns and its newline onto F; 0 or -EIO. */
int sim_schema_write_header_cols(const struct sim_schema *sc, unsigned int ncols, FILE *f);

/*
 * OBJ[name of column KEY of SC] = V (reference stolen, as
 * json_object_set_new). Writers set every key in table order into a new
 * object, and the assert holds them to it, so the file's keys and their
 * order are the table's.
 */
struct json_t;
void sim_schema_set(struct json_t *obj, const struct sim_schema *sc, unsigned int key, struct json_t *v);
/*
 * The same for an object that leaves some keys of SC out (a collective
 * size that did not finish has no slowest transfer): those it has are
 * still set in table order, which the assert checks.
 */
void sim_schema_set_some(struct json_t *obj, const struct sim_schema *sc, unsigned int key, struct json_t *v);

#endif
