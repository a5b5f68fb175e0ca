/*
 * Transport constructors and what each rank reports about its link in the
 * header and the JSON (device, port, GID, MTU, line rate). Both transports
 * connect every pair of ranks, so that any rank notices any peer's death.
 */
#ifndef VB_TRANSPORT_H
#define VB_TRANSPORT_H

#include <stdint.h>

#include "verbs/boot.h"
#include "verbs/exec.h"
#include "verbs/opts.h"

struct vb_link_info {
	char device[32];
	uint32_t port;
	int32_t gid_index;
	char gid[48];
	char addr[64];
	uint32_t mtu_bytes;		/* path MTU in use (0: n/a) */
	uint32_t active_mtu_bytes;	/* the port's own */
	uint64_t line_rate_bps;		/* 0: unknown */
	uint32_t qps;
	int32_t tclass;
	uint64_t chunk_bytes;
	uint32_t depth;
	/*
	 * Connection set-up to every peer (-p): from the first connect or
	 * accept to the last peer up, after the addresses are exchanged.
	 */
	double init_ms;
};

/*
 * Connect to every other rank and return the transport in *TR. On failure
 * ERR holds one line saying what and how to fix it.
 */
int vb_tcp_create(struct vb_boot *b, const struct vb_opts *o,
		  struct vb_link_info *info, struct vb_tr **tr, char *err,
		  size_t err_len);
/*
 * Before the job starts: picks RANK's RDMA device, port and GID as
 * vb_ib_create will. Returns 0, or a negative errno with ERR saying how
 * to fix it (load a driver, --device, -x, or --transport tcp); DEV gets
 * the device asked for ("" for automatic).
 */
int vb_ib_probe(const struct vb_opts *o, uint32_t rank, char *dev, size_t dev_len,
		char *err, size_t err_len);
int vb_ib_create(struct vb_boot *b, const struct vb_opts *o,
		 struct vb_link_info *info, struct vb_tr **tr, char *err,
		 size_t err_len);

#endif /* VB_TRANSPORT_H */
