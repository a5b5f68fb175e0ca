/*
 * Verbs transport setup, part one: which device, port and GID. Automatic
 * by default (first device with an active port, its RoCEv2 GID carrying an
 * IPv4 address, as rdma_cm connects by IP); every way a choice can be
 * wrong ends in one line that names it and the option that fixes it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verbs/ib.h"

static double lane_gbps(uint8_t speed)
{
	switch (speed) {
	case 1: return 2.5;
	case 2: return 5.0;
	case 4: return 10.0;
	case 8: return 10.0;
	case 16: return 14.0;
	case 32: return 25.0;
	case 64: return 50.0;
	case 128: return 100.0;
	default: return 0;
	}
}

static uint32_t lanes(uint8_t width)
{
	switch (width) {
	case 1: return 1;
	case 2: return 4;
	case 4: return 8;
	case 8: return 12;
	case 16: return 2;
	default: return 0;
	}
}

static bool gid_ipv4(const union ibv_gid *g, char *ip, size_t len)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(g->raw, prefix, sizeof(prefix)))
		return false;
	return inet_ntop(AF_INET, g->raw + 12, ip, (socklen_t)len) != NULL;
}

static void gid_text(const union ibv_gid *g, char *buf, size_t len)
{
	if (!inet_ntop(AF_INET6, g->raw, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* The RoCEv2 GIDs with an IPv4 address, as "1, 3" for hints. */
static void usable_gids(struct ibv_context *ctx, uint32_t port, char *out, size_t len)
{
	struct ibv_gid_entry e[64];
	ssize_t n, i;
	char ip[64];
	size_t used = 0;

	out[0] = '\0';
	n = ibv_query_gid_table(ctx, e, 64, 0);
	for (i = 0; i < n; i++) {
		if (e[i].port_num != port || e[i].gid_type != IBV_GID_TYPE_ROCE_V2 ||
		    !gid_ipv4(&e[i].gid, ip, sizeof(ip)))
			continue;
		used += (size_t)snprintf(out + used, len > used ? len - used : 0, "%s%u",
					 used ? ", " : "", e[i].gid_index);
	}
	if (!out[0])
		snprintf(out, len, "none");
}

static int pick_gid(struct ibv_context *ctx, struct vb_ib_choice *ch, int want,
		    char *err, size_t len)
{
	struct ibv_gid_entry e;
	char ok[128];
	uint32_t i;

	usable_gids(ctx, ch->port, ok, sizeof(ok));
	if (want < 0) {
		for (i = 0; i < 256; i++) {
			if (ibv_query_gid_ex(ctx, ch->port, i, &e, 0))
				continue;
			if (e.gid_type == IBV_GID_TYPE_ROCE_V2 &&
			    gid_ipv4(&e.gid, ch->ip, sizeof(ch->ip)))
				break;
		}
		if (i == 256) {
			snprintf(err, len, "%s port %u has no RoCEv2 GID with an IPv4 address: give its netdev an IPv4 address, or use --transport tcp",
				 ch->device, ch->port);
			return -ENOENT;
		}
		want = (int)i;
	} else if (ibv_query_gid_ex(ctx, ch->port, (uint32_t)want, &e, 0)) {
		snprintf(err, len, "GID index %d does not exist on %s port %u (RoCEv2 IPv4 GIDs: %s): fix -x",
			 want, ch->device, ch->port, ok);
		return -ENOENT;
	} else if (e.gid_type != IBV_GID_TYPE_ROCE_V2) {
		snprintf(err, len, "GID index %d on %s port %u is %s, not RoCEv2 (RoCEv2 IPv4 GIDs: %s): fix -x",
			 want, ch->device, ch->port,
			 e.gid_type == IBV_GID_TYPE_IB ? "InfiniBand" : "RoCE v1", ok);
		return -EINVAL;
	} else if (!gid_ipv4(&e.gid, ch->ip, sizeof(ch->ip))) {
		snprintf(err, len, "GID index %d on %s port %u is IPv6; fabbench connects over IPv4 (RoCEv2 IPv4 GIDs: %s): fix -x",
			 want, ch->device, ch->port, ok);
		return -EINVAL;
	}
	ch->gid_index = want;
	gid_text(&e.gid, ch->gid, sizeof(ch->gid));
	return 0;
}

static int pick_port(struct ibv_context *ctx, struct vb_ib_choice *ch, uint32_t want,
		     char *err, size_t len)
{
	struct ibv_device_attr da;
	struct ibv_port_attr pa;
	uint32_t p;

	if (ibv_query_device(ctx, &da)) {
		snprintf(err, len, "cannot query %s: %s", ch->device, strerror(errno));
		return -EIO;
	}
	for (p = want ? want : 1; p <= da.phys_port_cnt; p++) {
		if (ibv_query_port(ctx, (uint8_t)p, &pa)) {
			/* Never silently fall back from the port asked for. */
			if (!want)
				continue;
			snprintf(err, len, "cannot query port %u of %s (--ib-port): %s",
				 p, ch->device, strerror(errno));
			return -EIO;
		}
		if (pa.state == IBV_PORT_ACTIVE)
			break;
		if (want) {
			snprintf(err, len, "port %u of %s is %s: bring its link up or pick another --device/--ib-port, or use --transport tcp",
				 p, ch->device, ibv_port_state_str(pa.state));
			return -ENETDOWN;
		}
	}
	if (p > da.phys_port_cnt) {
		if (want)
			snprintf(err, len, "%s has no port %u (it has %u): fix --ib-port",
				 ch->device, want, da.phys_port_cnt);
		else
			snprintf(err, len, "no port of %s is active: bring its link up or pick another --device, or use --transport tcp",
				 ch->device);
		return -ENETDOWN;
	}
	ch->port = p;
	ch->active_mtu_bytes = (uint32_t)vb_ib_mtu_bytes(pa.active_mtu);
	ch->line_rate_bps = (uint64_t)(lane_gbps(pa.active_speed) * 1e9) * lanes(pa.active_width);
	return 0;
}

static void list_devices(struct ibv_device **list, int n, char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len > used ? len - used : 0, "%s%s",
					 i ? ", " : "", ibv_get_device_name(list[i]));
}

/* The named device, or the first one with an active port. */
int vb_ib_pick(const struct vb_opts *o, const char *name, struct vb_ib_choice *ch,
	       char *err, size_t len)
{
	struct ibv_device **list;
	struct ibv_context *ctx;
	char have[256];
	int n, i, ret = -ENODEV;

	list = ibv_get_device_list(&n);
	if (!list || n <= 0) {
		snprintf(err, len, "no RDMA device found (ibv_devices lists none): load the NIC's driver (for Soft-RoCE: modprobe rdma_rxe; rdma link add rxe0 type rxe netdev IFACE), or use --transport tcp");
		goto out_free;
	}
	list_devices(list, n, have, sizeof(have));
	for (i = 0; i < n; i++) {
		if (name[0] && strcmp(ibv_get_device_name(list[i]), name))
			continue;
		ctx = ibv_open_device(list[i]);
		if (!ctx)
			continue;
		snprintf(ch->device, sizeof(ch->device), "%s", ibv_get_device_name(list[i]));
		ret = pick_port(ctx, ch, o->ib_port, err, len);
		if (!ret)
			ret = pick_gid(ctx, ch, o->gid_index, err, len);
		ibv_close_device(ctx);
		if (!ret || name[0])
			goto out_free;
	}
	if (name[0])
		snprintf(err, len, "no RDMA device '%s' (have: %s): fix --device or use --transport tcp",
			 name, have);
	else if (ret == -ENODEV)
		snprintf(err, len, "no usable RDMA device (have: %s): use --transport tcp", have);
out_free:
	if (list)
		ibv_free_device_list(list);
	return ret;
}

int vb_ib_probe(const struct vb_opts *o, uint32_t rank, char *dev, size_t dev_len,
		char *err, size_t err_len)
{
	struct vb_ib_choice ch = { .gid_index = -1 };

	vb_opts_device(o->device, rank, dev, dev_len);
	return vb_ib_pick(o, dev, &ch, err, err_len);
}
