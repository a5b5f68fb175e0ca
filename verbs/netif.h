/*
 * The network interface behind a TCP connection, for fabbench's TCP rank
 * lines: which interface carries the local address, and the speed the
 * kernel reports for it. Loopback and most virtual interfaces have no
 * speed; callers show those as unknown rather than guessing.
 */
#ifndef VB_NETIF_H
#define VB_NETIF_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The name of the interface holding address IP (IPv4) into IFNAME.
 * Returns 0, -ENOENT when no interface has it, or another negative errno.
 */
int vb_netif_of_addr(const struct in_addr *ip, char *ifname, size_t len);
/*
 * Bits/s of interface IFNAME as SYSFS_NET/IFNAME/speed says (Mb/s, the
 * kernel's /sys/class/net); 0 when unknown: missing, unreadable, -1 (no
 * link or a virtual interface) or not a number.
 */
uint64_t vb_netif_speed_bps(const char *sysfs_net, const char *ifname);

#endif /* VB_NETIF_H */
