/*
 * Interface lookup for the TCP transport's rank lines (see netif.h): no
 * sockets here, only getifaddrs and sysfs, so the unit tests run it.
 */
#include <errno.h>
#include <stdbool.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/netif.h"

int vb_netif_of_addr(const struct in_addr *ip, char *ifname, size_t len)
{
	struct ifaddrs *ifa, *i;
	int ret = -ENOENT;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr != ip->s_addr)
			continue;
		snprintf(ifname, len, "%s", i->ifa_name);
		ret = 0;
		break;
	}
	freeifaddrs(ifa);
	return ret;
}

uint64_t vb_netif_speed_bps(const char *sysfs_net, const char *ifname)
{
	char path[512], text[32], *end;
	long long mbps;
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s/speed", sysfs_net, ifname);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* Reading fails with EINVAL on interfaces that have no speed. */
	ok = fgets(text, sizeof(text), f) != NULL;
	fclose(f);
	if (!ok)
		return 0;
	errno = 0;
	mbps = strtoll(text, &end, 10);
	if (errno || end == text || (*end && *end != '\n') || mbps <= 0)
		return 0;
	/* Mb/s as the kernel counts them: 10^6 bits/s. */
	return (uint64_t)mbps * 1000000ull;
}
