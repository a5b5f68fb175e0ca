/*
 * Internals of the verbs transport, shared by its three files: ib.c (the
 * data path: posts, completions, credits), ib_dev.c (choosing device, port
 * and GID, with errors that say how to fix the choice) and ib_conn.c
 * (registration and rdma_cm connection setup).
 */
#ifndef VB_IB_H
#define VB_IB_H

#include <assert.h>
#include <stddef.h>
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>
#include <stdbool.h>
#include <stdint.h>

#include "verbs/transport.h"

#define IB_MAX_MRS 4
#define IB_MAGIC 0xfab1b001u
#define IB_ACK_TIMEOUT 16	/* 4.096 us << 16 = 268 ms: emulation stalls */
#define IB_CM_TIMEOUT_MS 5000

/* What every rank publishes through the bootstrap. */
struct vb_ib_card {
	char ip[64];
	uint32_t cm_port;
	uint32_t active_mtu_bytes;
	uint64_t stage_addr;
	uint64_t credit_addr;
	uint32_t stage_rkey;
	uint32_t credit_rkey;
	uint32_t depth;
	uint32_t qps;
	uint64_t slot_bytes;
};

struct vb_ib_hello {
	uint32_t magic;
	uint32_t rank;
	uint32_t qp_idx;
};

struct vb_ib_conn {
	struct vb_ib_tr *owner;
	struct rdma_cm_id *id;
	uint32_t peer;
	uint32_t qp_idx;
	bool established;
	uint64_t wr_posted;		/* send WRs ever posted */
	uint64_t wr_done;		/* ... known complete */
	uint32_t unsignaled;
	uint64_t *chunks_at;		/* [sq_depth]: chunks posted up to WR i */
	uint64_t chunks_posted;		/* data chunks (parts) on this QP */
	uint64_t chunks_done;
};

struct vb_ib_peer {
	struct vb_ib_conn *conns;		/* [qps] */
	struct vb_ib_card card;
	uint8_t *parts;			/* [depth] parts landed per slot */
	uint64_t *slot_seq;		/* [depth] chunk the parts belong to */
	uint64_t released;		/* chunks from the peer we consumed */
	uint64_t credit_posted;		/* last count written back */
};

struct vb_ib_tr {
	struct vb_tr tr;
	uint32_t qps;
	uint32_t sq_depth;
	uint32_t rq_depth;
	struct rdma_event_channel *ch;
	struct rdma_cm_id *listen_id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	uint8_t *stage;			/* [nranks][depth] slots */
	struct ibv_mr *stage_mr;
	uint64_t *credits;		/* [nranks] written by the peers */
	uint64_t *credit_src;		/* [nranks] what we write to them */
	struct ibv_mr *credit_mr;	/* covers credits and credit_src */
	struct ibv_mr *mrs[IB_MAX_MRS];
	uint32_t nmrs;
	struct vb_ib_peer *peers;
	struct vb_ib_conn **conn_of;	/* [nranks * qps] for wr_id decoding */
	uint32_t nconns_up;
	double init_ms;			/* connect_all's duration */
	uint32_t polls;
	char device[32];
	char ip[64];
};

/* The transport hands out &vb_ib_tr.tr; the cast back needs it first. */
static_assert(offsetof(struct vb_ib_tr, tr) == 0, "struct vb_tr must be first in struct vb_ib_tr");
#define to_ib(t) ((struct vb_ib_tr *)(t))

/* wr_id: connection index << 40 | WR counter (kept in the low 40 bits). */
#define IB_WR_BITS 40
#define IB_WR_MASK ((1ull << IB_WR_BITS) - 1)

struct vb_ib_choice {
	char device[32];
	uint32_t port;
	int gid_index;
	char gid[48];
	char ip[64];
	uint32_t active_mtu_bytes;
	uint64_t line_rate_bps;
};

static inline uint64_t vb_ib_mtu_bytes(enum ibv_mtu m)
{
	return m >= IBV_MTU_256 && m <= IBV_MTU_4096 ? 128ull << m : 0;
}

/* Gb/s per lane from ibv_port_attr.active_speed (IB spec encoding). */

extern const struct vb_tr_ops vb_ib_ops;
int vb_ib_post_recv(struct vb_ib_tr *it, struct vb_ib_conn *c);
void vb_ib_destroy(struct vb_tr *t);
/* Fills CH for device NAME ("" = first usable); ERR says how to fix. */
int vb_ib_pick(const struct vb_opts *o, const char *name, struct vb_ib_choice *ch,
	       char *err, size_t len);

#endif /* VB_IB_H */
