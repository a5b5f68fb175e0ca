/*
 * The simulated fabric at run time: packets, port queues, queue pairs,
 * flows, run configuration and counters. The static graph lives in topo.h;
 * this file holds everything that changes while a run advances.
 *
 * Packets come from a pool (engine/pool.h) and are recycled, events are
 * embedded in the objects they concern: the hot path never calls malloc.
 * Each event type is handled by one element (the table in run.c).
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "collectives/arith.h"
#include "sim/topo/reach.h"
#include "sim/topo/topo.h"
#include "sim/engine/engine.h"
#include "sim/engine/event.h"
#include "sim/engine/pool.h"
#include "sim/engine/rng.h"

/* RoCEv2 framing on Ethernet, bytes (IEEE 802.3, IBTA RoCEv2 annex). */
#define SIM_ETH_HDR 14		/* dst, src MAC, ethertype */
#define SIM_IPV4_HDR 20
#define SIM_UDP_HDR 8
#define SIM_BTH 12		/* InfiniBand base transport header */
#define SIM_ICRC 4
#define SIM_FCS 4
#define SIM_PREAMBLE_IFG 20	/* 7 preamble + 1 SFD + 12 inter-frame gap */
#define SIM_ROCE_OVERHEAD (SIM_ETH_HDR + SIM_IPV4_HDR + SIM_UDP_HDR + SIM_BTH + SIM_ICRC + SIM_FCS)
#define SIM_AETH 4		/* ACK extended transport header */
#define SIM_CNP_PAD 16		/* CNP carries 16 reserved bytes after BTH */
#define SIM_ETH_MIN_FRAME 64
/* Telemetry stamp per hop, bytes (HPCC-style INT: qlen, txbytes, ts, rate) */
#define SIM_INT_HOP_BYTES 8
/*
 * A switch egress measures the tx rate it stamps over an interval of
 * between 1 and 2 x (base RTT / this): short against the sender's EWMA over
 * one base RTT (so it adds little lag), long enough to span several frames
 * (about 25 frames of 4 KiB at 800G on a 4.2 us RTT).
 */
#define SIM_INT_RATE_WINDOW_DIV 4

#define SIM_PRIO_CTRL 0		/* CNP / ACK / NAK: traffic class 6, strict priority */
#define SIM_PRIO_DATA 1		/* RoCE data: traffic class 3, lossless under PFC */
#define SIM_NPRIO 2
#define SIM_MAX_HOPS 8
/* "No window": in-flight packets are still bounded by the QP's PSN bitmap. */
#define SIM_WINDOW_UNLIMITED (16ULL << 20)

/*
 * Model limits, enforced by sim_config_check and sim_add_flow; command
 * lines may use them as their parse-time ranges.
 */
#define SIM_MTU_MIN 64
#define SIM_MTU_MAX 65536
/* Below this a frame outlasts every timer of the model (1 Mb/s: 33 ms per 4 KiB). */
#define SIM_MIN_RATE_BPS 1000000ULL
/* In flight per QP: half the 24-bit RoCE PSN space, so PSNs never alias. */
#define SIM_MAX_WINDOW_PKTS (1U << 23)
#define SIM_MAX_QPS_PER_FLOW 256
#define SIM_MAX_ACK_EVERY 65536
/* Packets per flow: PSNs and their differences stay in 32 bits. */
#define SIM_MAX_FLOW_PKTS (1ULL << 31)
/* Flows added one by one (sim_add_flow): their ids are returned as int. */
#define SIM_MAX_FLOWS (1U << 30)
/* Flows in flight at once (flow slots, queue pairs): 32-bit indices. */
#define SIM_MAX_LIVE (1U << 31)
/* Simulated time horizon (about 53 days): larger times and timers are refused. */
#define SIM_TIME_LIMIT_PS (1ULL << 62)

/*
 * struct sim_event.type of a fabric run: the index of its handler in
 * run.c's sim_fabric_engine_ops (0 is never used; below SIM_ENGINE_MAX_TYPES).
 * A new type is a constant here and a line in that table.
 */
enum sim_ev_type {
	SIM_EV_PKT_ARRIVE = 1,	/* a packet's last bit reached a node (+ switch latency) */
	SIM_EV_TX_DONE,		/* a port finished serializing its packet */
	SIM_EV_QP_TIMER,	/* a queue pair's retransmission / pacing timer */
	SIM_EV_FLOW_START,	/* a flow becomes ready to send */
	SIM_EV_CC_TIMER,	/* congestion-control rate timer of a queue pair */
	SIM_EV_PORT_WAKE,	/* a paced host port may have a packet to send */
	SIM_EV_LOCAL_DONE,	/* an intra-server (NVLink-class) transfer ended */
	SIM_EV_ACK_TIMER,	/* a receiver flushes coalesced ACKs */
	SIM_EV_PAUSE_EXPIRE,	/* the PFC pause a port received runs out */
	SIM_EV_PAUSE_REFRESH,	/* a congested ingress re-sends its PAUSE before it expires */
	SIM_EV_DEP_NOTE,	/* a rank learns that a transfer it waits on is done (sim_dep_note) */
	SIM_EV_LINK,		/* a link fails, changes rate or comes back (fail.c) */
	SIM_EV_REROUTE,		/* the control plane has learned of a link change (fail.c) */
};

enum sim_pkt_kind {
	SIM_PKT_DATA = 0,
	SIM_PKT_ACK,
	SIM_PKT_NAK,
	SIM_PKT_CNP,
	SIM_PKT_PAUSE,		/* PFC pause (quanta > 0) or resume (quanta 0) */
	/*
	 * Not a frame: the news that a transfer is done, on its way to the
	 * rank of a successor (SIM_EV_DEP_NOTE); never queued on a port.
	 * psn and sack_psn hold the successor's flow id, in_port is the
	 * first port of the rank's host.
	 */
	SIM_PKT_NOTE,
};

/*
 * Load balancing: an index into sim_lb_table (lb/lb.c), in --lb order. The
 * constants name the built-in modes; a new mode needs its file and a
 * registry line there, not a constant here.
 */
enum sim_lb {
	SIM_LB_ECMP = 0,
	SIM_LB_FLOWLET,
	SIM_LB_SPRAY,
	SIM_LB_AR,
};

/*
 * How a message (a flow) uses its connection's N QPs (cfg.qps_per_flow),
 * NCCL_IB_SPLIT_DATA_ON_QPS: split evenly over all N (1), or whole on one
 * QP, the connection's next in round-robin order (0, NCCL's default:
 * NCCL_PARAM(IbSplitDataOnQps, "IB_SPLIT_DATA_ON_QPS", 0) and
 * ncclIbMultiSend, src/transport/net_ib.cc; NCCL's env docs: "Operations
 * which do not send multiple messages will not use all QPs"). AUTO: off
 * for a flow with a connection tag (a collective's transfer), on for a
 * flow without (a flow workload's flow is one message, and --qps on a
 * permutation has always split it).
 */
enum sim_split_qps {
	SIM_SPLIT_QPS_AUTO = 0,
	SIM_SPLIT_QPS_ON,
	SIM_SPLIT_QPS_OFF,
};

/*
 * How a NIC with several ports (topology `planes`, each port to its own
 * plane of switches) spreads a connection's traffic over them
 * (--plane-spread). qp: each QP is bound to one plane, slot % planes, as
 * software plane load balancing binds a QP to one port (NVIDIA Spectrum-X
 * "swplb"); packet: a QP's packets go round-robin over the usable planes,
 * as ConnectX-8 hardware plane load balancing sprays them ("hwplb";
 * NVIDIA patent application US 2024/0340242 A1, "load balancing in
 * multiplane networks": flows that tolerate out-of-order delivery, RDMA,
 * are spread over the planes). Either way a plane whose host port is down
 * at either end is avoided (nic.c).
 */
enum sim_plane_spread {
	SIM_PLANE_SPREAD_QP = 0,
	SIM_PLANE_SPREAD_PACKET,
	SIM_PLANE_SPREAD_COUNT
};

enum sim_rx_mode {
	SIM_RX_DDP = 0,		/* out-of-order placement, selective retransmit */
	SIM_RX_GBN,		/* drop out-of-order, NAK, go-back-N */
	SIM_RX_COUNT
};

/* Congestion control: an index into sim_cc_table (cc/cc.c), as sim_lb is. */
enum sim_cc {
	SIM_CC_NONE = 0,
	SIM_CC_DCQCN,
	SIM_CC_TELEMETRY,
};
/*
 * DCQCN parameter sets (--dcqcn-params), cc/dcqcn.c; the values keep the
 * old int field's meaning (0 paper, 1 the deployed NIC).
 */
enum sim_dcqcn_set {
	SIM_DCQCN_PAPER = 0,		/* Zhu et al. 2015 as written */
	SIM_DCQCN_CONNECTX,		/* ConnectX firmware defaults, byte counter and AI/HAI scaled to line rate */
	SIM_DCQCN_CONNECTX_UNSCALED,	/* ConnectX firmware defaults as absolute values */
	SIM_DCQCN_SET_COUNT
};
/* The set's --dcqcn-params name, NULL past the end; from a name ("mellanox": connectx): 0, or -1. */
const char *sim_dcqcn_set_name(enum sim_dcqcn_set set);
int sim_dcqcn_set_from_name(const char *name, enum sim_dcqcn_set *set);

/* Per-connection state of any CC, 64-bit words (struct sim_conn.cc_state). */
#define SIM_CC_STATE_WORDS 32

/*
 * One switch egress's INT record (HPCC++, draft-miao-ccwg-hpcc: qLen,
 * txBytes, TS, and B through the port). tx_rate_bps is the port's own
 * transmit rate over its last SIM_INT_RATE_WINDOW_DIV-th of a base RTT
 * (sim_port_stamp), so a sender can read the load of a hop without a
 * previous sample of the same port: adaptive routing may send the next
 * packet through another port of the same tier.
 */
struct sim_int_hop {
	uint32_t qlen_bytes;	/* egress data queue at departure, wire bytes */
	uint32_t port;		/* global port index: identifies the link and its rate B */
	uint64_t tx_bytes;	/* wire bytes the port had sent, cumulative */
	uint64_t ts_ps;		/* departure time */
	uint64_t tx_rate_bps;	/* port's tx rate over its own recent interval, bits/s */
};

/*
 * A packet's INT stamps are out of line, in a record of struct sim.ints
 * (index sim_pkt.int_rec): struct sim.int_hops hops, as many as a path of
 * the topology has switches (sim_int_hops_max), at most SIM_MAX_HOPS. Only
 * a run whose CC reads them (needs_int) takes any, at the first stamp; the
 * ACK of the data packet inherits the record.
 */

/*
 * 64 bytes (one cache line, the pool's slabs are line-aligned) while a
 * struct sim_event is a byte: every packet in flight is one, so their
 * size is most of a run's memory and much of its cache misses.
 */
struct sim_pkt {
	struct sim_event ev;	/* SIM_EV_PKT_ARRIVE */
	uint8_t kind;		/* enum sim_pkt_kind */
	uint8_t prio;		/* SIM_PRIO_* */
	bool ecn;		/* CE mark set by a switch */
	uint8_t nhops;		/* telemetry hops stamped so far (in int_rec, or sent on with it) */
	bool ackreq;		/* BTH AckReq: the sender will stall without an ACK */
	union {
		uint16_t sport;	/* not PAUSE: UDP source port, per-QP ECMP entropy */
		uint16_t quanta; /* PAUSE (never routed): 0 resumes */
	};
	uint32_t int_rec;	/* index of its INT record in struct sim.ints, 0 = none */
	uint32_t qp;		/* queue pair index */
	uint32_t psn;		/* DATA: sequence number; ACK/NAK: cumulative next expected */
	uint32_t sack_psn;	/* ACK: the arrival that triggered it */
	uint32_t src, dst;	/* host node ids */
	uint32_t in_port;	/* port it arrives through, at the receiving node */
	uint32_t payload_bytes;
	uint32_t wire_bytes;	/* on the wire incl. headers, preamble and IFG */
	uint32_t flowlet;	/* flowlet counter of the sending QP */
	struct sim_pkt *next;	/* queue link; the pool's free list while free */
	uint64_t sent_ps;	/* departure from the sender NIC */
};

_Static_assert(sizeof(struct sim_pkt) <= 63 + sizeof(struct sim_event) + 32,
	       "a packet stays within 96 bytes");
_Static_assert(sizeof(struct sim_event) != 1 || sizeof(struct sim_pkt) == 64, "a packet is one cache line");

/*
 * Run-time state of one port that every frame touches: queues, byte
 * counts, busy and pause flags, and the counters updated per frame. Two
 * cache lines (the array is line-aligned) while a struct sim_event is a
 * byte; what is rarely touched is in struct sim_portq_stats.
 */
struct sim_portq {
	struct sim_event ev;	/* SIM_EV_TX_DONE */
	struct sim_event wake_ev; /* SIM_EV_PORT_WAKE */
	struct sim_event pause_ev; /* SIM_EV_PAUSE_EXPIRE */
	struct sim_event refresh_ev; /* SIM_EV_PAUSE_REFRESH */
	bool busy;		/* serializing a packet (until busy_until_ps) */
	bool paused;		/* data priority paused by the peer (PFC) */
	bool xoff_sent;		/* we paused the peer's data priority */
	bool txdone_pending;	/* ev (SIM_EV_TX_DONE) is scheduled; implies busy */
	uint64_t busy_until_ps;	/* end of the frame on the wire */
	struct sim_pkt *head[SIM_NPRIO], *tail[SIM_NPRIO];
	uint64_t qbytes[SIM_NPRIO];	/* queued, wire bytes */
	/* second line */
	uint64_t ingress_bytes;		/* data bytes that entered here and wait in this switch */
	uint64_t hdrm_bytes;		/* the part of ingress_bytes held in this port's PFC headroom */
	uint64_t tx_bytes;		/* wire bytes sent, cumulative */
	uint64_t tx_payload_bytes;	/* payload of data packets sent */
	uint64_t max_qbytes;		/* highest queue seen, all priorities */
	double q_integral;		/* data queue bytes x ps, for the mean queue */
	uint64_t q_last_ps;		/* last change of the data queue */
	uint64_t wake_at_ps;	/* earliest wake pending, 0 = none */
};

_Static_assert(sizeof(struct sim_portq) <= 124 + 4 * sizeof(struct sim_event),
	       "the hot port state stays within two cache lines");
_Static_assert(sizeof(struct sim_event) != 1 || sizeof(struct sim_portq) == 128,
	       "the hot port state is two cache lines");

/*
 * Run-time state of one port touched rarely (struct sim.pst, indexed as
 * sim.pq): PFC timers, the INT rate snapshots and the statistics that do
 * not change with every frame.
 */
struct sim_portq_stats {
	uint64_t paused_until_ps;	/* the received PAUSE expires then (quanta x 512 bit times) */
	uint64_t refresh_at_ps;		/* our XOFF to the peer is re-sent then, 0 = none */
	/* telemetry: two (time, tx_bytes) snapshots the egress rate is measured between */
	uint64_t int_prev_ps, int_prev_tx, int_cur_ps, int_cur_tx;
	uint64_t drops;			/* packets dropped at enqueue */
	uint64_t link_drops;		/* frames queued here or given to it while its link was down (fail.c), not in drops */
	uint64_t ecn_marks;
	uint64_t pauses_sent, pauses_rcvd;
	uint64_t paused_ps;		/* time spent paused */
	uint64_t paused_since_ps;
	uint64_t first_pause_tx_ps;	/* first PAUSE frame went on the wire; 0 = never */
	uint64_t first_paused_ps;	/* first time this port was paused; 0 = never */
};

/*
 * What adaptive routing compares (struct sim.port_load, per port): queued
 * data wire bytes, plus this while the data priority is paused (a paused
 * port counts as full). Kept in step with qbytes and paused by port.c, so
 * the scan over a switch's candidates reads one dense array.
 */
#define SIM_PORT_LOAD_PAUSED (1ULL << 40)
/*
 * AR's load of a port whose link is down (fail.c): above any queue and
 * any pause, so adaptive routing never picks it while another candidate
 * is up. Set when the link goes down, cleared when it comes back; a down
 * port queues nothing, so nothing changes it in between.
 */
#define SIM_PORT_LOAD_DOWN (1ULL << 62)

struct sim_flow;
struct sim_dist;
struct sim_tracer;
struct sim_ktab;

/*
 * One hardware QP of an NCCL-style connection: the (source, destination,
 * connection tag, QP slot) that the transport keeps open across messages
 * (NCCL: one connection per peer and channel, NCCL_IB_QPS_PER_CONNECTION
 * QPs each, for the communicator's life; src/transport/net_ib.cc). Flows
 * of the same connection reuse it, so a collective's many transfers see
 * one rate limiter, one window and one UDP source port (one ECMP path),
 * not a fresh burst on a fresh path each.
 */
struct sim_conn {
	struct sim_event cc_ev;	/* SIM_EV_CC_TIMER */
	uint32_t src, dst;	/* host node ids */
	uint32_t tag;		/* struct sim_flow.conn_tag of its flows */
	uint32_t slot;		/* QP slot within the connection, 0..qps_per_flow-1 */
	uint32_t port;		/* the sender's NIC port */
	uint32_t nactive;	/* QPs with data not yet acknowledged */
	struct sim_qp *waiting;	/* QPs parked until the window opens */
	/*
	 * The send queue of the hardware QP this connection stands for: the
	 * QPs of successive flows in the order they were posted. Only the
	 * head sends new data (a QP executes its work requests in order);
	 * it leaves when its last packet went out once.
	 */
	struct sim_qp *sq_head, *sq_tail;
	uint64_t line_bps;
	uint64_t inflight_bytes; /* sent, not acknowledged, all its QPs */
	uint64_t window_bytes;
	uint64_t rate_bps;	/* pacing rate the CC sets */
	uint64_t next_tx_ps;	/* pacing */
	uint64_t last_cnp_ps;	/* receiver side: last CNP sent */
	/*
	 * The run's CC keeps its own state here (SIM_CC_STATE in cc/cc.h),
	 * zero when the connection is made. Sized for the largest built-in
	 * one (telemetry: a window's worth of INT hops).
	 */
	uint64_t cc_state[SIM_CC_STATE_WORDS];
};

struct sim_qp {
	struct sim_event ev;	/* SIM_EV_QP_TIMER */
	struct sim_event ack_ev; /* SIM_EV_ACK_TIMER */
	uint8_t timer_armed;
	uint8_t ack_armed;
	uint8_t active;		/* on its port's round-robin list */
	uint8_t nak_pending;	/* gbn receiver: NAK sent for rx_epsn */
	uint8_t plane;		/* its data's plane; packet spreading: its next packet's */
	uint8_t rx_plane;	/* receiver, packet spreading: plane of its last data arrival */
	uint16_t sport;		/* RoCEv2 UDP source port, from its connection (sim_qp_sport) */
	uint32_t slot;		/* QP slot of its connection, 0..qps_per_flow-1 */
	uint32_t idx;		/* its index, sim_qp_at: what packets name it by */
	/*
	 * Its flow; NULL once a recycled flow left it (the QP outlives its
	 * flow until nothing of it is pending: packets, its timers).
	 */
	struct sim_flow *flow;
	bool in_use;		/* its block is allocated (the pool's QPs) */
	uint32_t blk_first, blk_n; /* the block of its flow's QPs: recycled together */
	uint64_t flow_id;	/* its flow's id, which outlives the flow: what a split run's frames name */
	uint32_t conn;		/* index into sim.conns */
	/*
	 * Packets naming it (data, ACK, NAK, CNP) not yet freed: it may be
	 * recycled only when none is left (sim_pkt_free counts them down).
	 */
	uint32_t npending;
	uint32_t next_free;	/* pool free list of its block, SIM_NONE at the end */
	uint32_t src, dst;	/* host node ids */
	struct sim_qp *next_active;
	struct sim_qp *next_parked; /* on its connection's waiting list */
	struct sim_qp *next_sq;	/* behind it on its connection's send queue */
	uint8_t parked;
	uint8_t sq_blocked;	/* posted behind an earlier flow's QP on its connection */
	/* sender */
	uint64_t bytes;		/* this QP's share of the flow */
	uint32_t npkts;
	uint32_t next_psn;	/* next new packet */
	uint32_t una_psn;	/* lowest not acknowledged */
	uint32_t high_psn;	/* one past the highest psn ever sent */
	uint32_t retx_psn;	/* ddp: next candidate to resend, < next_psn */
	uint32_t retx_end;	/* ddp: resend scan ends here */
	uint64_t inflight_bytes; /* sent, not acknowledged */
	uint64_t rto_deadline_ps;
	uint64_t last_tx_ps;
	uint32_t flowlet;
	uint64_t *acked;	/* sender bitmap, psn mod bits */
	/* receiver */
	uint32_t rx_epsn;	/* next expected */
	uint32_t rx_unacked;	/* in-order arrivals since last ACK */
	uint64_t *rcvd;		/* receiver bitmap, psn mod bits */
	uint32_t bitmap_bits;	/* power of two, > window in packets */
	/* stats */
	uint64_t retx_pkts;
};

struct sim_src;
struct sim_buf;

struct sim_flow {
	struct sim_event ev;	/* SIM_EV_FLOW_START, then SIM_EV_LOCAL_DONE (local or post_ps) */
	uint64_t id;		/* flow id: the order of sim_add_flow / sim_add_src, outputs' rows */
	uint32_t src, dst;	/* host node ids */
	uint64_t bytes;
	uint64_t start_ps;
	uint64_t finish_ps;	/* last byte placed at the receiver; 0 = not yet */
	uint64_t rx_bytes;	/* payload placed so far */
	bool started;
	bool local;		/* intra-server: modelled as a fixed-rate link, no packets */
	bool post_done;		/* post_ps already waited */
	uint64_t post_ps;	/* receiver work after the last byte (a reduction) */
	uint64_t local_rate_bps; /* NVLink-class rate of a local flow */
	uint64_t local_lat_ps;	/* and its latency */
	uint32_t first_qp, nqps;	/* its QPs: a block of the pool, sim_qp_at(first_qp + k) */
	uint32_t qps_done;
	uint32_t qps_sent;	/* its QPs whose last new packet left the NIC (sim_flow_sent) */
	uint32_t qps_live;	/* its QPs are still its own (not recycled, not left) */
	uint64_t retx_pkts;	/* retransmissions of its recycled QPs */
	uint64_t rate_bps;	/* sender NIC line rate, all its planes' ports */
	/* a transfer of a lazy source (NULL: added by sim_add_flow), its id there */
	struct sim_src *lsrc;
	uint64_t xid;
	uint32_t slot;		/* its place in the lazy flow pool, SIM_NONE for an added flow */
	bool done;		/* finished (sim_flow_done): successors told */
	bool root;		/* waits on nothing: the all-active window waits for its first byte */
	/*
	 * Connection the flow is a message of, with src and dst: 0 for a flow
	 * workload's flows, one per (job, channel) for a collective's
	 * (sim_conn_tags, sim_flow_set_conn_tag).
	 */
	uint32_t conn_tag;
	/*
	 * Connections the message is spread over, tags conn_tag ..
	 * conn_tag + conn_dup - 1, an equal share on each (0 or 1: one).
	 * NCCL's duplicated channels: each ring is run twice on the same
	 * GPUs and NICs, so every message has a twin on another connection
	 * (coll_default_dup).
	 */
	uint32_t conn_dup;
	uint64_t ooo_pkts;	/* out-of-order arrivals at the receiver */
	uint32_t max_reorder;	/* deepest psn gap seen, packets */
};

/* What a progress callback (sim_config.progress) is told. */
struct sim_progress {
	uint64_t now_ps;	/* simulated time */
	uint64_t events;	/* handled so far */
	uint64_t flows_done, nflows;
	uint64_t delivered_bytes; /* payload delivered so far */
	uint64_t total_bytes;	/* payload of every flow; 0: not known (collectives, a split run) */
	double wall_s;		/* wall-clock seconds since this sim_run began */
	bool final;		/* sim_run is returning: the last call of this run */
};

typedef void (*sim_progress_fn)(void *arg, const struct sim_progress *p);

struct sim_config {
	uint64_t seed;
	enum sim_lb lb;
	int ecmp_same_seed;	/* all switches hash alike: shows polarization */
	uint64_t flowlet_gap_ps;
	uint32_t qps_per_flow;	/* QPs per connection, NCCL_IB_QPS_PER_CONNECTION (default 1) */
	enum sim_split_qps split_qps; /* a message over them: NCCL_IB_SPLIT_DATA_ON_QPS */
	enum sim_plane_spread plane_spread; /* QPs or packets over a NIC's planes (default qp) */
	uint64_t window_bytes;	/* per QP; 0: unlimited, one BDP for a window-based CC (telemetry) */
	uint32_t mtu_bytes;	/* 0: the topology's */
	enum sim_rx_mode rx;
	uint32_t ack_every;	/* coalesce in-order ACKs */
	uint64_t ack_delay_ps;	/* ...but flush them after this long */
	uint64_t rto_ps;
	uint64_t stop_ps;	/* 0: run until all flows finish */
	/* switch */
	uint64_t buffer_bytes;	/* 0: the topology's */
	double buffer_alpha;	/* dynamic threshold; <= 0: per-port static share */
	int pfc;		/* lossless data priority */
	uint64_t pfc_xoff_bytes, pfc_xon_bytes, pfc_headroom_bytes;
	int ecn;
	uint64_t ecn_kmin_bytes, ecn_kmax_bytes; /* 0: per-speed preset */
	/* per-speed overrides: ports of ecn_rate_bps[i] use these thresholds */
	uint32_t necn;
	uint64_t ecn_rate_bps[8], ecn_kmin_at[8], ecn_kmax_at[8];
	double ecn_pmax;
	/* congestion control */
	enum sim_cc cc;
	uint64_t cnp_interval_ps;	/* NP: per-QP CNP spacing; 0: the DCQCN set's */
	enum sim_dcqcn_set dcqcn_params;
	double tele_eta;	/* target utilization */
	uint64_t tele_wai_bps;	/* HPCC W_AI as a rate, bits/s; 0: NIC rate / 2500 */
	uint32_t tele_max_stage; /* HPCC maxStage: additive steps before a multiplicative one */
	/*
	 * Called with the state of a running sim_run about every
	 * progress_interval_s of wall-clock time, and once when it returns
	 * (p->final); NULL: none. The library itself never prints.
	 */
	sim_progress_fn progress;
	void *progress_arg;
	double progress_interval_s;
	uint64_t msg_overhead_ps; /* software cost before every transfer starts (calibration) */
	/*
	 * A link change reaches the routing tables (ECMP's groups, the
	 * reachability of every switch) this long after it happens
	 * (--reroute-delay; fail.c says where the default comes from).
	 */
	uint64_t reroute_delay_ps;
};

struct sim_counters {
	uint64_t events, pkt_hops;
	uint64_t data_pkts, ctrl_pkts;
	uint64_t drops, ecn_marks, cnps, retx_pkts, naks, timeouts;
	uint64_t pauses, ooo_pkts, dup_pkts;
	uint64_t delivered_bytes;	/* payload placed in order or directly */
	uint64_t data_placed;		/* distinct data packets placed at receivers (no duplicates) */
	/* fail.c: frames lost to a link going down (flushed, sent onto it, on its wire) */
	uint64_t link_drops;
	uint64_t reroutes;		/* routing tables rebuilt after a link change */
	uint64_t noroute_drops;		/* of drops: no live candidate toward the destination (route.c) */
};

/* Node kinds that own ports (enum sim_node_kind), for struct sim.owner. */
#define SIM_NODE_KINDS 2

/*
 * The run. Lifecycle: sim_create, then sim_add_flow / sim_add_local_flow /
 * sim_add_src, then sim_run (lays the flows out once: prepared), which may
 * be called again after a cfg.stop_ps stop to continue; sim_destroy. Once
 * error is set the run is over: sim_run returns it.
 */
struct sim {
	struct sim_topo *topo;
	struct sim_config cfg;
	struct sim_engine eng;		/* event queue and clock (sim_now) */
	/*
	 * Per node: its random draws (ECN marks, AR ties, spray), seeded from
	 * (cfg.seed, node id), so a node draws the same numbers whichever
	 * process simulates it and whatever other nodes do.
	 */
	struct sim_rng *node_rng;
	/*
	 * The logical process (LP) whose event is being handled: the
	 * topology node that owns it (run.c's handlers set it), or
	 * SIM_LP_SETUP(topo) outside of events. An event's tie-break key is
	 * (scheduling LP << 40 | that LP's count, lp_seq[lp]), so same-time
	 * events order by who scheduled them, not by which node ran first:
	 * a run split by nodes over processes orders them alike.
	 */
	uint32_t lp;
	uint64_t *lp_seq;		/* per node, then one for setup: events scheduled so far */
	/* per node kind: what a port of such a node hands frames to and takes them from */
	const struct sim_port_owner_ops *owner[SIM_NODE_KINDS];
	struct sim_portq *pq;		/* per port: hot state */
	struct sim_portq_stats *pst;	/* per port: cold state and statistics */
	uint64_t *port_load;		/* per port: AR's load (SIM_PORT_LOAD_PAUSED) */
	uint64_t *sw_seed;		/* per switch: ECMP hash seed */
	uint64_t *sw_used_bytes;	/* per switch: shared buffer occupancy */
	struct sim_qp **rr;		/* per host port: active QP round-robin tail */
	/*
	 * Flows: ids 0 .. nflows - 1, in the order they were added. A flow
	 * of sim_add_flow lives in flows[] for the whole run; a transfer of a
	 * lazy source (sim_add_src: a collective) gets a slot of the flow
	 * pool when its dependencies are done and gives it back once it and
	 * its QPs are done (sim_flow_release), unless keep_flows.
	 */
	struct sim_flow *flows;		/* the added flows, ascending ids */
	uint32_t nadded, flows_cap;
	uint64_t nflows, flows_done;
	struct sim_src **srcs;		/* lazy sources, ascending first ids */
	uint32_t nsrcs;
	/*
	 * Set before the run: 1 keeps every lazy flow for the outputs
	 * (sim_flow_get: flows.csv, the run's figures), 2 its QPs too (tests
	 * that inspect them); 0 recycles both.
	 */
	uint8_t keep_flows;
	struct sim_flow **flow_slab;	/* the lazy flow pool: SIM_FLOW_SLAB slots a slab */
	uint32_t flow_slabs, flow_hw;	/* slabs, slots ever used */
	uint32_t flow_free;		/* free slot list (through slot's xid), SIM_NONE: empty */
	uint64_t live_flows;		/* lazy flows holding a slot */
	/* transfers with some but not all dependencies done: id -> dependencies left */
	struct sim_wait {
		uint64_t *key;		/* flow id + 1; 0: empty */
		uint32_t *left;
		uint64_t cap, n;	/* power of two; entries */
	} wait;
	/* a split run: the lazy flows held here, id -> pool slot (frames name flows by id) */
	struct sim_wait live;
	/* QPs: a pool of slabs (stable addresses: events live in them), blocks of one flow's QPs */
	struct sim_qp **qp_slab;
	uint64_t **bm_slab;		/* each slab's PSN bitmaps, 2 x words per QP */
	uint32_t qp_slabs, nqps;	/* slabs; QP indices ever used (high water) */
	uint32_t *qp_free;		/* per block size (QPs): free block list, SIM_NONE: empty */
	uint32_t qp_free_n;		/* entries of qp_free */
	struct sim_conn *conns;
	uint32_t nconns;
	uint32_t conn_tags;		/* connection tags handed out (sim_conn_tags) */
	struct sim_ktab *conn_tab;	/* (src, dst, tag, slot) -> connection, for the whole run */
	uint32_t conns_cap;
	bool conns_sealed;		/* laid out: no connection is made any more (events live in them) */
	uint64_t *local_busy_ps;	/* per host: its NVLink-class egress is busy until */
	uint32_t bitmap_bits;		/* per bitmap, power of two */
	uint64_t recycled_rx_bytes;	/* payload the recycled network flows received */
	struct sim_pool pkts;		/* struct sim_pkt, linked through next while free */
	/*
	 * A split run: the names of lazy flows' packets passing through this
	 * part (their QPs live in other parts), p->qp = SIM_QP_XNAME | index.
	 */
	struct sim_xname {
		uint64_t flow_id, start_ps;
		uint32_t rank;		/* the QP's in its flow */
		uint32_t plane;		/* its plane; the free list's next while free */
	} *xnames;
	uint32_t xnames_n, xnames_cap, xname_free;
	struct sim_ipool ints;		/* INT records: int_hops struct sim_int_hop each (needs_int) */
	uint32_t int_hops;		/* hops an INT record holds, 1..SIM_MAX_HOPS */
	uint32_t mtu_bytes;
	uint64_t buffer_bytes;
	uint64_t base_rtt_ps;
	uint64_t window_bytes;
	struct sim_counters c;
	/*
	 * The all-active window, defined per instant so that no order of
	 * same-time events changes it: mark_ps is the time the last of the
	 * network flows that wait on no other (first_byte_need of them;
	 * first_byte_flows counts first bytes) placed its first byte at its
	 * receiver (a max); the window opens iff no flow finished at a time
	 * before mark_ps; mark_bytes is the payload delivered at times <=
	 * mark_ps (every placement at mark_ps, before or after that one in
	 * event order). first_finish_ps is the earliest finish (a min),
	 * first_finish_bytes the payload delivered at times <= it. 0 and 0
	 * when the window never opened / nothing finished. The byte counts of
	 * an instant are resolved before the first placement later than it
	 * (bytes_open, sim_rx_deliver) or at the end of sim_run.
	 */
	uint64_t first_byte_need, first_byte_flows;
	uint64_t mark_ps;
	uint64_t mark_bytes;
	uint64_t first_finish_ps, first_finish_bytes;
	uint8_t bytes_open;		/* SIM_BYTES_*: counts still waiting for bytes_open_ps to pass */
	uint64_t bytes_open_ps;
	/*
	 * The run's end for every output (spans, rates, queue integrals,
	 * paused time, the traces' last instant), set by sim_run: the last
	 * flow's finish (last_finish_ps) when all finished, though the run
	 * goes on until nothing is left to happen (timers dying out); else
	 * cfg.stop_ps on a stop, the watchdog's instant on a deadlock, the
	 * last event's time when stalled. Not sim_now(): the clock depends on
	 * the events after the end, which a split run handles differently.
	 */
	uint64_t end_ps;
	uint64_t last_finish_ps;	/* latest finish_ps so far */
	/*
	 * Every flow finished (at last_finish_ps): the statistics' clock and
	 * the traces stop there. A part of a split run learns it after the
	 * window in which the last flow of all finished (dist.c).
	 */
	bool ended;
	bool deadlock;			/* stopped: PFC cycle with nothing moving */
	bool stalled;			/* stopped: nothing left to do, flows unfinished */
	bool prepared;			/* flows laid out: sim_run may be called again */
	double wall_s;			/* wall-clock seconds of sim_run */
	double run_t0_s, progress_last_s; /* wall clock: sim_run began, progress last told */
	uint64_t progress_total_bytes;	/* sim_progress.total_bytes */
	uint64_t watch_bytes;		/* delivered at the previous watchdog check */
	FILE *trace;			/* time series of one port, or NULL */
	uint32_t trace_port;
	uint64_t trace_interval_ps;
	uint64_t trace_next;		/* the next of its instants k x trace_interval_ps, k */
	struct sim_tracer *tracer;	/* every switch egress sampled (sim_trace_all), or NULL */
	uint64_t *sw_ctrl_bytes;	/* per switch: control frames in the shared buffer */
	uint64_t *sw_reserved_bytes;	/* per switch, PFC: headroom (+ static XOFF) of every ingress */
	uint64_t *sw_hdrm_bytes;	/* per switch, PFC: data held in the ingress headrooms */
	struct sim_dist *dist;		/* the part of a run split over processes (dist.h), NULL: whole */
	struct sim_link_ev *link_evs;	/* fail.c: the link changes of the run, in time order */
	uint32_t nlink_evs;
	uint32_t links_down;		/* links down now (fail.c): 0 keeps the per-frame link checks off */
	uint32_t links_down_at_start;	/* failed before the run (--fail, a topology's fail list) */
	uint32_t links_degraded_at_start; /* slowed before the run (A:B=RATE) */
	/*
	 * Reachability over live links (sim/topo/reach.h) routing filters
	 * candidates with; NULL while no link is down (the unfiltered,
	 * byte-identical fast path). sim_reach_refresh rebuilds it.
	 */
	struct sim_reach *reach;
	int error;			/* 0, or the negative errno that stopped the run (sim_fail) */
	char err[256];			/* why sim_run or sim_add_* failed, see sim_error() */
};

/*
 * sim.c: the run's state over a topology. sim_create copies CFG and keeps
 * TOPO, which must outlive the run; NULL on a refused configuration or no
 * memory (sim_config_check says why: callers call it first to print it).
 */
void sim_config_defaults(struct sim_config *cfg);
struct sim *sim_create(struct sim_topo *topo, const struct sim_config *cfg);
void sim_destroy(struct sim *s);
/* The payload per packet and shared buffer a run of CFG on T uses. */
uint32_t sim_config_mtu(const struct sim_topo *t, const struct sim_config *cfg);
uint64_t sim_config_buffer(const struct sim_topo *t, const struct sim_config *cfg);
/* Why the last sim_run or sim_add_* failed ("" when it did not). */
const char *sim_error(const struct sim *s);
uint64_t sim_wire_bytes(uint32_t payload_bytes, enum sim_pkt_kind kind);
uint64_t sim_ser_ps(uint64_t wire_bytes, uint64_t rate_bps);

/* config_check.c */
/*
 * Refuses a configuration that would hang, exhaust memory or silently
 * misbehave on topology T (a window or ACK coalescing beyond the PSN space,
 * a buffer smaller than a frame, an RTO below the base RTT, PFC without room
 * for XOFF plus headroom on every port...). 0, or a negative errno with a
 * one-line message naming the setting, its value and the accepted range in
 * ERR. sim_create calls it too; callers call it first to print the message.
 */
int sim_config_check(const struct sim_topo *t, const struct sim_config *cfg, char *err, size_t errlen);
/* coll_mem_guard (mem.c, declared in arith.h): 0 or -ENOMEM with a message. */
int coll_mem_guard(uint64_t need_bytes, const char *what, char *err, size_t errlen);

/*
 * flows.c: flows and their dependencies, added before the first sim_run.
 * Each returns a flow id (sim_add_flow, sim_add_local_flow) or 0, or a
 * negative errno with the reason in sim_error(): -EINVAL for arguments the
 * model refuses, -ENOMEM. A refusal does not fail the run.
 */
/* A flow of BYTES from host index SRC_HOST to DST_HOST, ready at START_PS. */
int sim_add_flow(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes, uint64_t start_ps);
/*
 * An intra-server transfer (NVLink class): it occupies the source GPU's
 * local egress for bytes / RATE, then arrives LAT later; no packets. The
 * same host on both ends is a local copy and takes no time.
 */
int sim_add_local_flow(struct sim *s, uint32_t src_host, uint32_t dst_host, uint64_t bytes,
		       uint64_t rate_bps, uint64_t lat_ps);
/*
 * N fresh connection tags, the first returned (never 0, the flow
 * workloads' tag): a collective takes one per channel of a job. 0 with
 * the reason in sim_error() when the tags run out.
 */
uint32_t sim_conn_tags(struct sim *s, uint32_t n);
/* Flow ID is a message of connection TAG (with its src and dst): 0, or -EINVAL. */
int sim_flow_set_conn_tag(struct sim *s, uint32_t id, uint32_t tag);
/* Spread flow ID over DUP connections from its tag on (struct sim_flow.conn_dup); tags must exist. */
int sim_flow_set_conn_dup(struct sim *s, uint32_t id, uint32_t dup);
/* The connection tag of the K-th QP of F (its share of a duplicated message). */
/* Connections flow F is spread over: conn_dup, 0 meaning one. */
static inline uint32_t sim_flow_dup(const struct sim_flow *f)
{
	return f->conn_dup > 1 ? f->conn_dup : 1;
}

static inline uint32_t sim_flow_qp_tag(const struct sim_flow *f, uint32_t k)
{
	return f->conn_tag + k / (f->nqps / sim_flow_dup(f));
}

/*
 * A lazy source of flows: a schedule of COUNT transfers with dependencies
 * (a collective job, sim/traffic/coll_sim.c) given as functions of a
 * transfer's id, as collectives/gen.h gives them. Transfer X is flow
 * first_id + X. The run asks for a transfer's flow only when its
 * dependencies are done, so it holds the flows in flight, not the schedule.
 */
struct sim_flow_desc {
	uint32_t src_host, dst_host;	/* host indices */
	uint64_t bytes;
	bool local;			/* intra-server: NVLink class, no packets */
	uint64_t local_rate_bps, local_lat_ps;
	uint64_t post_ps;		/* receiver work after the last byte */
	uint32_t conn_tag, conn_dup;	/* as sim_flow_set_conn_tag, sim_flow_set_conn_dup */
};

struct sim_src_ops {
	uint32_t (*ndeps)(const struct sim_src *src, uint64_t xid);
	/* successors of XID ascending, from the FROM-th on, up to MAX: how many written */
	uint32_t (*succ)(const struct sim_src *src, uint64_t xid, uint32_t from, uint64_t *out, uint32_t max);
	/* roots ascending from *CURSOR, up to MAX: how many written, 0 at the end */
	uint32_t (*roots)(const struct sim_src *src, uint64_t *cursor, uint64_t *out, uint32_t max);
	void (*describe)(const struct sim_src *src, uint64_t xid, struct sim_flow_desc *d);
	/* F (of this source) is done: its figures, before its slot is recycled. May be NULL. */
	void (*done)(struct sim_src *src, const struct sim *s, const struct sim_flow *f);
	/* sim_destroy releases the source. */
	void (*release)(struct sim_src *src);
	/*
	 * A split run: SRC's running figures (what done() gathered in this
	 * part) into B, 0 or -ENOMEM; and in part 0, another part's, LEN bytes
	 * at DATA, merged into its own: 0 or -EPROTO. May be NULL (no figures).
	 */
	int (*pack)(const struct sim_src *src, const struct sim *s, struct sim_buf *b);
	int (*merge)(struct sim_src *src, const struct sim *s, const void *data, size_t len);
};

struct sim_src {
	const struct sim_src_ops *ops;
	void *priv;
	uint64_t first_id, count;	/* set by sim_add_src */
	uint64_t start_ps;		/* its transfers start no earlier */
	/*
	 * Hosts per server of its ranks (host index / server_hosts: the
	 * NVLink domain its local transfers stay in), 0 or 1: the topology's.
	 */
	uint32_t server_hosts;
	/* set by the run */
	uint8_t *slot0;			/* per transfer: first QP slot (qps_per_flow > 1, split off); else NULL */
	uint32_t *kept;			/* keep_flows: transfer -> pool slot, SIM_NONE: never made */
	uint64_t *rx_done;		/* a split run: transfers that finished here, one bit each */
};
/*
 * Adds SRC's transfers as flows first_id .. first_id + count - 1; the run
 * owns SRC from here (sim_destroy releases it, even on error): 0, or
 * -EINVAL (the run is laid out, too many flows), -ENOMEM.
 */
int sim_add_src(struct sim *s, struct sim_src *src);
/*
 * Flow ID as it stands (added, in flight, kept, or never made: then as
 * described, not started): a pointer to it, or into TMP. With lazy
 * sources, a finished flow is there only when keep_flows was set before
 * the run; else it reads as not finished.
 */
const struct sim_flow *sim_flow_get(const struct sim *s, uint64_t id, struct sim_flow *tmp);
/* The lazy source holding flow ID, NULL for an added flow. */
struct sim_src *sim_src_find(const struct sim *s, uint64_t id);
/* Retransmitted packets of F over its QPs, recycled or not. */
uint64_t sim_flow_retx(const struct sim *s, const struct sim_flow *f);
/* QP and flow slabs: a lazy flow and its QPs come back to the pools when all are idle. */
#define SIM_QP_SLAB_SHIFT 10
#define SIM_FLOW_SLAB_SHIFT 10
static inline struct sim_qp *sim_qp_at(const struct sim *s, uint32_t i)
{
	return &s->qp_slab[i >> SIM_QP_SLAB_SHIFT][i & ((1U << SIM_QP_SLAB_SHIFT) - 1)];
}

/* run.c's layout: QPs of added flows and every connection, in flow id order; then the flows that wait on nothing. */
int sim_flows_layout(struct sim *s);
int sim_flows_schedule(struct sim *s);
/* Everything of flows, QPs, connections and sources (sim_destroy). */
void sim_flows_free(struct sim *s);
/* QP may be idle now (no packet, timer or data left): recycles its block of QPs once all are. */
void sim_qp_maybe_idle(struct sim *s, struct sim_qp *qp);
/* SIM_EV_FLOW_START of F: a local transfer takes the GPU's egress, a network flow the NIC. */
void sim_flow_start(struct sim *s, struct sim_flow *f);
/* SIM_EV_LOCAL_DONE of F: its local transfer or its receiver's work (post_ps) ended. */
void sim_flow_local_done(struct sim *s, struct sim_flow *f);
/*
 * Network flow F placed its first byte at its receiver (nic.c): when the
 * last of the first_byte_need flows does, before any flow finished, the
 * all-active window opens (mark_ps, mark_bytes).
 */
void sim_flow_first_byte(struct sim *s, struct sim_flow *f);
/* F placed its last byte: after post_ps it is done and its successors may start. */
void sim_flow_done(struct sim *s, struct sim_flow *f);
/* The last new packet of F's last QP left its sender's NIC: successors that were waiting to post after it may. */
void sim_flow_sent(struct sim *s, struct sim_flow *f);
/* SIM_EV_DEP_NOTE: P tells its host that one more dependency of a transfer is done (P is freed). */
void sim_dep_noted(struct sim *s, struct sim_pkt *p);
/*
 * One-way latency of a frame of WIRE bytes from host node A to host node B
 * along the first candidate path: serialization, propagation and
 * forwarding on every hop, no queueing.
 */
uint64_t sim_path_ps(struct sim *s, uint32_t a, uint32_t b, uint64_t wire);

/* run.c: laying a run out and running it */
/*
 * Base RTT of the fabric: a full data packet from the first host to the
 * last along the first candidate path, and an ACK back. It sizes the
 * default window and bounds the RTO from below. UINT64_MAX if unbounded.
 */
uint64_t sim_base_rtt_ps(const struct sim_topo *t, uint32_t mtu_bytes);
/* Bytes a QP may have in flight: cfg's, unlimited (rate-based CC) or one BDP + ACK coalescing. */
uint64_t sim_config_window(const struct sim_topo *t, const struct sim_config *cfg, uint64_t base_rtt_ps);
/*
 * Runs until nothing is left to happen (every flow finished and every
 * timer died out: a drain, so that the events after the last finish are
 * those a split run handles too; s->stalled when flows are left), until
 * cfg.stop_ps, or a deadlock (s->deadlock); sets end_ps. 0, or a negative errno
 * with the reason in sim_error(): -EINVAL (nothing to run), -ENOMEM, -ERANGE
 * (past the model's time horizon), -EPROTO (sim_check failed); a failed run
 * stays failed. After a stop, raising cfg.stop_ps and calling it again
 * continues the run.
 */
int sim_run(struct sim *s);
/*
 * sim_run in pieces, for a run split over processes (dist.c): lay out and
 * start (0 or the error), handle the events up to LAST_PS without the
 * watchdog (the parts check it together), finish (counters, progress,
 * invariants: 0 or the error).
 */
int sim_run_begin(struct sim *s);
void sim_run_window(struct sim *s, uint64_t last_ps);
int sim_run_end(struct sim *s);
/* The PFC watchdog looks every this long: no delivery in between, with a cycle of paused ports, is a deadlock. */
#define SIM_WATCHDOG_PS 2000000000ULL

/* trace.c */
/* Default sampling interval of both traces, ps (fabsim run --trace-interval). */
#define SIM_TRACE_INTERVAL_PS 1000000ULL
/*
 * Samples PORT's queue, pause state and counters at the instants 0,
 * INTERVAL, 2 x INTERVAL ... up to the run's end into OUT (CSV rows; the
 * caller writes the header), through the probe hook as the default trace.
 * Before the first sim_run.
 */
void sim_trace_port(struct sim *s, uint32_t port, uint64_t interval_ps, FILE *out);
/*
 * The default trace: samples every switch egress port at the same
 * instants 0, I, 2I, ... (I = INTERVAL_PS, 0: the default) through the engine's probe hook,
 * not as events, so the run is the same event for event. At most
 * MAX_SAMPLES per port (a power of two >= 2, lowered so that the records
 * fit in BUDGET_BYTES, down to SIM_TRACE_MIN_SAMPLES): when full, every
 * other sample is dropped and I doubles. 0, or -ENOMEM / -EINVAL with the
 * reason in sim_error(). Before the first sim_run.
 */
int sim_trace_all(struct sim *s, uint64_t interval_ps, uint32_t max_samples, uint64_t budget_bytes);
/*
 * The engine's probe: both traces' samples of every instant before
 * NEXT_PS not yet taken, none past the run's end once it is known (every
 * flow finished: last_finish_ps).
 */
void sim_trace_probe(struct sim *s, uint64_t next_ps);
/* At the end of sim_run: the samples of every instant up to end_ps not yet taken. */
void sim_trace_flush(struct sim *s);
/*
 * The port the default trace reports: the switch egress port with the
 * highest peak queue (struct sim_portq.max_qbytes, links.csv's
 * max_queue_bytes; lowest index on a tie) once a frame ever waited behind
 * another there (a peak above one full data frame); else the busiest
 * switch-to-switch port by bytes sent (else the busiest switch egress).
 * SIM_NONE without switches.
 */
uint32_t sim_trace_pick(const struct sim *s);
/* Samples per port kept, and the sampling interval they are spaced by now. */
uint32_t sim_trace_count(const struct sim *s);
uint64_t sim_trace_interval(const struct sim *s);
/*
 * The default trace's samples as timeline.csv rows (sim/results/schema.h;
 * the caller writes the header): per interval, what switches delivered to
 * hosts and the utilization of each tier's live links. One process only:
 * 0, or -EINVAL without a default trace or in a split run.
 */
int sim_trace_write_timeline(const struct sim *s, FILE *out);
/* PORT's samples as trace.csv rows (the caller writes the header): 0, or -EINVAL for a port not sampled. */
int sim_trace_write(const struct sim *s, uint32_t port, FILE *out);
void sim_trace_free(struct sim *s);
/* A port by index or as "FROM:TO" node names; SIM_NONE when there is none. */
uint32_t sim_port_lookup(const struct sim_topo *t, const char *spec);

/* invariants.c */
/*
 * Verifies queue, buffer and packet-pool accounting and byte conservation
 * (sim_run calls it at the end of every run and fails the run when it
 * does not hold). 0, or -EPROTO with the first violation in ERR.
 */
int sim_check(const struct sim *s, char *err, size_t errlen);

/*
 * names.c: the names used on command lines and in outputs, each from its
 * one table (sim_lb_table, sim_cc_table, the rx names). sim_X_name: NULL
 * past the table's end, so a caller may walk it. sim_X_from_name: 0, or -1
 * for a name not in the table. sim_X_names: every name into BUF, SEP
 * between two and LAST before the final one (", " and " or " give "ddp or
 * gbn"), cut at LEN; returns BUF. sim_X_help: --help's list, the default
 * of sim_config_defaults marked: "ddp (out-of-order placement, default) |
 * gbn (go-back-N)"; returns BUF.
 */
const char *sim_lb_name(enum sim_lb lb);
const char *sim_cc_name(enum sim_cc cc);
const char *sim_rx_name(enum sim_rx_mode rx);
/* "on" or "off": SPLIT as it applies to a collective's transfers (COLLECTIVE) or a flow workload's flows. */
const char *sim_split_qps_name(enum sim_split_qps split, bool collective);
int sim_lb_from_name(const char *name, enum sim_lb *lb);
int sim_cc_from_name(const char *name, enum sim_cc *cc);
int sim_rx_from_name(const char *name, enum sim_rx_mode *rx);
int sim_plane_spread_from_name(const char *name, enum sim_plane_spread *spread);
const char *sim_plane_spread_name(enum sim_plane_spread spread);
const char *sim_lb_names(char *buf, size_t len, const char *sep, const char *last);
const char *sim_cc_names(char *buf, size_t len, const char *sep, const char *last);
const char *sim_rx_names(char *buf, size_t len, const char *sep, const char *last);
const char *sim_lb_help(char *buf, size_t len);
const char *sim_cc_help(char *buf, size_t len);
const char *sim_rx_help(char *buf, size_t len);

/*
 * port.c: a port is the MAC and the wire. Frames come from its owner (the
 * node's NIC or switch) and go to the owner of the far end, through the
 * owner's table, chosen per node kind at sim_create (struct sim.owner):
 * port.c names neither nic.c nor switch.c.
 */
struct sim_port_owner_ops {
	/* P reached NODE through P->in_port (the MAC keeps PAUSE frames). Required. */
	void (*receive)(struct sim *s, uint32_t node, struct sim_pkt *p);
	/* The next frame for idle, unpaused PORT when its queues are empty; NULL: none. */
	struct sim_pkt *(*pull)(struct sim *s, uint32_t port);
	/* Whether pull may have a frame for PORT once the frame on the wire ends. */
	bool (*pending)(const struct sim *s, uint32_t port);
	/* P left PORT's queue for the wire. */
	void (*dequeued)(struct sim *s, uint32_t port, struct sim_pkt *p);
	/* Data frames leaving its ports carry INT hops when the CC needs them. */
	bool stamps_int;
};
/* The owners: switch.c, nic.c. pull, pending and dequeued may be NULL. */
extern const struct sim_port_owner_ops sim_switch_port_ops;
extern const struct sim_port_owner_ops sim_nic_port_ops;

static inline const struct sim_port_owner_ops *sim_port_owner(const struct sim *s, uint32_t node)
{
	return s->owner[s->topo->nodes[node].kind];
}

/*
 * Switches on the longest path a packet takes between two hosts of T, at
 * most SIM_MAX_HOPS (the INT stamps a data packet may collect): up and
 * down through the tiers of a Clos fabric, one more than the longest
 * shortest path between two edge switches of an explicit graph.
 */
uint32_t sim_int_hops_max(const struct sim_topo *t);
void sim_port_enqueue(struct sim *s, uint32_t port, struct sim_pkt *p);
/* A PFC frame goes out right after the frame on the wire: ahead of queued control frames. */
void sim_port_enqueue_pause(struct sim *s, uint32_t port, struct sim_pkt *p);
/* SIM_EV_PKT_ARRIVE: P's last bit reached P->in_port (plus a switch's pipeline). */
void sim_port_arrive(struct sim *s, struct sim_pkt *p);
/* SIM_EV_TX_DONE of Q: the frame on its wire ended. */
void sim_port_tx_done(struct sim *s, struct sim_portq *q);
/* Sends the next frame if PORT is idle and has one. */
void sim_port_try_start(struct sim *s, uint32_t port);
/* SIM_EV_PORT_WAKE of Q: a paced sender may have a frame now. */
void sim_port_wake(struct sim *s, struct sim_portq *q);
/* A paced host port asks to be tried again at T; only the earliest counts. */
void sim_port_wake_at(struct sim *s, uint32_t port, uint64_t t_ps);
/* SIM_EV_PAUSE_EXPIRE of Q: the PAUSE it received ran out unless refreshed. */
void sim_port_pause_expire(struct sim *s, struct sim_portq *q);

/* switch.c */
/*
 * What ingress PORT may still receive after it sends XOFF: the cable's bytes
 * in flight both ways, the forwarding pipeline's, three frames (the one
 * that crossed XOFF, one on the wire at each end), a PAUSE, and the
 * upstream MAC's reaction allowance (SIM_PFC_REACTION_BITS).
 */
uint64_t sim_pfc_headroom_need(const struct sim_topo *t, uint32_t port, uint32_t mtu_bytes);
uint64_t sim_pfc_headroom_of(const struct sim_config *cfg, const struct sim_topo *t, uint32_t port,
			     uint32_t mtu_bytes);
/* XOFF of ingress PORT now: alpha x the free shared buffer of its switch, or the static one. */
uint64_t sim_pfc_xoff_now(const struct sim *s, uint32_t port);
/* How long QUANTA (512 bit times each) pause a port of RATE_BPS, ps. */
uint64_t sim_pause_ps(uint32_t quanta, uint64_t rate_bps);
/* SIM_EV_PAUSE_REFRESH of Q: re-send XOFF while congested, else XON. */
void sim_pfc_refresh(struct sim *s, struct sim_portq *q);
/*
 * PFC: PAUSE frames carry the largest pause, 0xffff quanta (41.9 us at
 * 800G), and the upstream MAC may keep sending for its reaction time after
 * one arrives: 394 pause quanta, the PAUSE reaction delay of 100GBASE-R in
 * IEEE 802.3 Annex 31B (Table 31B-1), 201,728 bit times, taken at every
 * speed (headroom: 25,216 B).
 */
#define SIM_PFC_QUANTA 0xffffu
#define SIM_PFC_REACTION_BITS (394ULL * 512)
/* RED Pmax of NVIDIA's RoCE profile (probability 100 %), the --ecn-pmax default. */
#define SIM_ECN_PMAX_ROCE 1.0
/* Control frames may use only the part of a switch's buffer PFC does not reserve. */
#define SIM_CTRL_FRAME_MAX (SIM_ROCE_OVERHEAD + SIM_AETH + SIM_MAX_HOPS * SIM_INT_HOP_BYTES + SIM_PREAMBLE_IFG)
/* True when data is stuck behind a cycle of PFC pauses (the run's watchdog asks). */
bool sim_pfc_deadlocked(struct sim *s);
/* Whether the ports set in WAITING (a bitmap: holds data while paused) link switches in a cycle. */
bool sim_pfc_cycle(const struct sim *s, const uint64_t *waiting);
/* WAITING (a bitmap over ports) := the ports of this part (every port in one process) holding data while paused. */
void sim_pfc_waiting(const struct sim *s, uint64_t *waiting);

/*
 * fail.c: links that fail, change rate or come back during the run.
 * One change of a link (both its ends), scheduled by sim_fail_schedule.
 */
struct sim_link_ev {
	struct sim_event ev;		/* SIM_EV_LINK, at at_ps */
	struct sim_event reroute_ev;	/* SIM_EV_REROUTE, at at_ps + cfg.reroute_delay_ps */
	uint8_t op;			/* enum sim_fail_op (sim/topo/fail.h) */
	uint32_t port;			/* the link's lower-tier end; the peer is the other */
	uint64_t at_ps;
	uint64_t rate_bps;		/* SIM_FAIL_RATE: the new rate of both ends */
	uint64_t orig_bps[2];		/* port's and peer's rates when scheduled: what a restore gives back */
	uint8_t orig_degraded[2];	/* and their degraded flags then, which a restore and sim_destroy put back */
	uint8_t orig_down;		/* the link's down flag when scheduled: sim_destroy puts it back */
};
struct sim_fail_change;
/*
 * Schedules the N changes of V (each at_ps > 0, links of s->topo, in time
 * order: sim_fail_sort) as events of the run; before the first sim_run,
 * once. 0, or -EINVAL with
 * the reason in sim_error() (a time of 0 or past the horizon, a port that
 * is not a link, a host cut off for good by the last change, a split
 * run), -ENOMEM.
 */
int sim_fail_schedule(struct sim *s, const struct sim_fail_change *v, uint32_t n);
/* SIM_EV_LINK and SIM_EV_REROUTE of E. */
void sim_fail_link(struct sim *s, struct sim_link_ev *e);
void sim_fail_reroute(struct sim *s, struct sim_link_ev *e);
/* sim_destroy: the topology's links as they were before the run's changes (the topology outlives the run). */
void sim_fail_undo(struct sim *s);
/* Default of cfg.reroute_delay_ps: fail.c gives its source. */
#define SIM_REROUTE_DELAY_PS 50000000000ULL
/*
 * Whether the run has failed links: down or degraded from the start, or
 * changes during it. Its results then say what the failures cost
 * (link_drops, reroutes, drops_no_route); other runs' keys stay as they were.
 */
static inline bool sim_failures(const struct sim *s)
{
	return s->nlink_evs || s->links_down_at_start || s->links_degraded_at_start;
}

/* Whether PORT's link is down: one predicted test while every link is up. */
static inline bool sim_port_down(const struct sim *s, uint32_t port)
{
	return __builtin_expect(s->links_down != 0, 0) && s->topo->ports[port].down;
}

/* port.c: link-down of PORT: every queued frame is lost (link_drops) and its PFC state reset. */
void sim_port_link_down(struct sim *s, uint32_t port);
/* port.c: PORT's link is up again: it may send what its owner has. */
void sim_port_link_up(struct sim *s, uint32_t port);
/* route.c */
/*
 * (Re)builds s->reach from the topology's current down flags (TABLE mode:
 * also its hop distances over live links): what the control plane knows
 * once it has converged. Frees it (NULL) when no port is down. 0 or
 * -ENOMEM (s->reach then NULL).
 */
int sim_reach_refresh(struct sim *s);
void sim_reach_destroy(struct sim *s);
uint32_t sim_route_pick(struct sim *s, uint32_t node, const struct sim_pkt *p);
/* First equal-cost egress port from NODE toward host node DST on PLANE. */
uint32_t sim_route_first(struct sim *s, uint32_t node, uint32_t dst, uint32_t plane);
/* All equal-cost egress ports; returns how many were written to OUT (<= max). */
uint32_t sim_route_candidates(struct sim *s, uint32_t node, uint32_t dst, uint32_t plane,
			      uint32_t *out, uint32_t max);

/* nic.c */
/*
 * QP K of flow F's NQPS, on slot SLOT of its connection: the flow's
 * bytes / nqps (the first bytes % nqps QPs one more), the slot's plane
 * and UDP source port.
 */
void sim_nic_qp_init(struct sim *s, struct sim_flow *f, struct sim_qp *qp, uint32_t k, uint32_t slot);
/* RoCEv2 UDP source port of QP slot SLOT of connection (SRC, DST, TAG) in a run of SEED. */
uint16_t sim_qp_sport(uint64_t seed, uint32_t src, uint32_t dst, uint32_t tag, uint32_t slot);
void sim_nic_flow_start(struct sim *s, struct sim_flow *f);
void sim_nic_qp_timer(struct sim *s, struct sim_qp *qp);
void sim_nic_ack_timer(struct sim *s, struct sim_qp *qp);
/*
 * Host HOST_NODE's NIC port on PLANE went down (its down flag is set):
 * its QPs and those sending to it leave that plane for the next usable
 * one (qp spreading), or stop using it (packet spreading), and so do the
 * ACKs that came back on it. What was queued on the dead port is lost
 * and retransmitted. Called by the fabric when a host link fails.
 */
void sim_nic_port_down(struct sim *s, uint32_t host_node, uint32_t plane);
/*
 * The reachability table (s->reach) was rebuilt: every QP whose plane no
 * longer joins its two hosts moves on, as sim_nic_port_down does (a
 * plane cut inside the fabric, once the control plane knows).
 */
void sim_nic_reach_changed(struct sim *s);

/* cc/cc.c (the CC ops table is in cc/cc.h) */
/* A new connection at LINE: the shared fields, then the run's CC's init. */
void sim_cc_init_conn(struct sim *s, struct sim_conn *c, uint64_t line_bps);
/* SIM_EV_CC_TIMER of C: the run's CC's timer. */
void sim_cc_timer(struct sim *s, struct sim_conn *c);
/* Whether CC keeps no window by default (rate-based); false for a CC not in the table. */
bool sim_cc_window_unlimited(enum sim_cc cc);
/* Entries of sim_cc_table and sim_lb_table (lb/lb.c). */
uint32_t sim_cc_count(void);
uint32_t sim_lb_count(void);

/* A packet of QP is made: QP stays until it is freed. */
static inline void sim_qp_ref(struct sim_qp *qp)
{
	qp->npending++;
}

static inline struct sim_conn *sim_qp_conn(const struct sim *s, const struct sim_qp *qp)
{
	return &s->conns[qp->conn];
}

static inline uint64_t sim_now(const struct sim *s)
{
	return sim_engine_now(&s->eng);
}

/*
 * The clock of time-weighted statistics (queue integrals, paused time):
 * now, but no later than the run's end once it is known (every flow
 * finished: the last finish), so the drain after it counts for nothing.
 */
static inline uint64_t sim_stats_now(const struct sim *s)
{
	return s->ended ? s->last_finish_ps : sim_now(s);
}

static inline uint32_t sim_port_of(const struct sim *s, const struct sim_portq *q)
{
	return (uint32_t)(q - s->pq);
}

/* struct sim.bytes_open: which byte counts of the instant bytes_open_ps are still open. */
#define SIM_BYTES_MARK 1		/* mark_bytes */
#define SIM_BYTES_FIRST_FINISH 2	/* first_finish_bytes */

/* The open byte counts take the payload delivered so far (flows.c). */
void sim_bytes_resolve(struct sim *s);

/* Called before payload is delivered now: the counts of an earlier instant are complete. */
static inline void sim_bytes_before_delivery(struct sim *s)
{
	if (__builtin_expect(s->bytes_open != 0, 0) && sim_now(s) > s->bytes_open_ps)
		sim_bytes_resolve(s);
}

/* Logical processes (struct sim.lp): one per node, then setup's. Bits of a key they take. */
#define SIM_LP_SETUP(topo) ((topo)->nnodes)
#define SIM_LP_SEQ_BITS 40
#define SIM_LP_MAX (1U << (64 - SIM_LP_SEQ_BITS))	/* nodes + 1 <= this */
_Static_assert(SIM_LP_SEQ_BITS < 64 && 64 - SIM_LP_SEQ_BITS <= 32, "an LP id fits in 32 bits");

/* The next tie-break key of the LP being handled (struct sim.lp). */
static inline uint64_t sim_seq_take(struct sim *s)
{
	uint64_t n = s->lp_seq[s->lp]++;

	assert(s->lp < SIM_LP_MAX && n < (1ULL << SIM_LP_SEQ_BITS));
	return (uint64_t)s->lp << SIM_LP_SEQ_BITS | n;
}

/*
 * The key of a setup event of flow FLOW_ID (its start, scheduled before
 * the run): from its id, not from a count, so that a process scheduling
 * only some flows' starts gives each the key a serial run does.
 */
static inline uint64_t sim_seq_setup(const struct sim *s, uint64_t flow_id)
{
	assert(flow_id < (1ULL << SIM_LP_SEQ_BITS));
	return (uint64_t)SIM_LP_SETUP(s->topo) << SIM_LP_SEQ_BITS | flow_id;
}

/*
 * Schedules EV at absolute time T with tie-break key SEQ (sim_seq_take,
 * sim_seq_setup). Out of memory, or a time past the horizon (or one that
 * wrapped), fails the run cleanly (sim_fail).
 */
void sim_schedule_seq(struct sim *s, uint64_t t_ps, uint64_t seq, struct sim_event *ev);

/* Schedules EV at T keyed by the LP being handled (sim_seq_take). */
static inline void sim_schedule(struct sim *s, uint64_t t_ps, struct sim_event *ev)
{
	sim_schedule_seq(s, t_ps, sim_seq_take(s), ev);
}
/*
 * Stops the run: sim_run returns ERR (a negative errno) and sim_error()
 * gives this reason. The first failure is kept.
 */
void sim_fail(struct sim *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The packet pool. A packet comes with no event pending, no queue link,
 * no marks, telemetry or payload; its sender sets kind, prio, wire_bytes
 * and the addresses. NULL when memory ran out: the run then fails.
 */
static inline struct sim_pkt *sim_pkt_alloc(struct sim *s)
{
	struct sim_pkt *p = sim_pool_get(&s->pkts);

	if (!p) {
		sim_fail(s, -ENOMEM, "out of memory for packets (%llu in flight)",
			 (unsigned long long)s->pkts.allocated);
		return NULL;
	}
	p->ev.type = SIM_EV_PKT_ARRIVE;
	p->next = NULL;
	p->int_rec = 0;
	p->ecn = false;
	p->nhops = 0;
	p->ackreq = false;
	p->quanta = 0;
	p->flowlet = 0;
	p->payload_bytes = 0;
	p->sack_psn = 0;
	return p;
}

/* p->qp of a packet passing through a split run's part: SIM_QP_XNAME | index into s->xnames. */
#define SIM_QP_XNAME 0x80000000U

static inline bool sim_qp_is_xname(uint32_t qp)
{
	return qp >= SIM_QP_XNAME && qp != SIM_NONE;
}

/* dist.c: the name of a passing packet goes back to the pool. */
void sim_xname_put(struct sim *s, uint32_t qp);

/* P must be neither queued nor on a wire. Its INT record goes back too. */
static inline void sim_pkt_free(struct sim *s, struct sim_pkt *p)
{
	if (__builtin_expect(sim_qp_is_xname(p->qp), 0))
		sim_xname_put(s, p->qp);
	/* a PAUSE names no QP (nor does a frame a test made up) */
	struct sim_qp *qp = p->kind != SIM_PKT_PAUSE && p->qp < s->nqps ? sim_qp_at(s, p->qp) : NULL;

	if (p->int_rec)
		sim_ipool_put(&s->ints, p->int_rec);
	sim_pool_put(&s->pkts, p);
	if (qp && qp->npending && !--qp->npending)
		sim_qp_maybe_idle(s, qp);
}

/*
 * P's INT hops (p->nhops of them), NULL when it has no record. Valid until
 * the next record is taken (the array may move).
 */
static inline struct sim_int_hop *sim_pkt_hops(const struct sim *s, const struct sim_pkt *p)
{
	return p->int_rec ? (struct sim_int_hop *)sim_ipool_at(&s->ints, p->int_rec) : NULL;
}

/* Gives P an INT record if it has none: 0, or -ENOMEM (the run then fails). */
static inline int sim_pkt_take_int(struct sim *s, struct sim_pkt *p)
{
	if (p->int_rec)
		return 0;
	p->int_rec = sim_ipool_get(&s->ints);
	if (!p->int_rec) {
		sim_fail(s, -ENOMEM, "out of memory for INT records (%llu in use)",
			 (unsigned long long)s->ints.taken);
		return -ENOMEM;
	}
	return 0;
}

/*
 * FROM's INT hops move to TO (which has none): FROM keeps no telemetry.
 * For a packet that is freed right after, instead of copying them.
 */
static inline void sim_pkt_move_int(struct sim_pkt *to, struct sim_pkt *from)
{
	to->nhops = from->nhops;
	to->int_rec = from->int_rec;
	from->nhops = 0;
	from->int_rec = 0;
}

/* AR's load of PORT from its queue and pause state (port.c calls it on every change). */
static inline void sim_port_load_sync(struct sim *s, uint32_t port)
{
	const struct sim_portq *q = &s->pq[port];

	s->port_load[port] = q->qbytes[SIM_PRIO_DATA] + (q->paused ? SIM_PORT_LOAD_PAUSED : 0);
}

#endif
