/*
 * Tests of the TCP transport's interface lookup (verbs/netif.c) and its
 * rank line: the speed sysfs gives in Mb/s (10^6 bits/s), "unknown" for
 * -1, a missing file or junk, and loopback found by its address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "verbs/netif.h"
#include "verbs/report.h"

static char root[64];

static void speed_file(const char *ifname, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, ifname);
	assert_int_equal(mkdir(path, 0755), 0);
	if (!text)
		return;
	snprintf(path, sizeof(path), "%s/%s/speed", root, ifname);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_speed(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_vb_netif.XXXXXX");
	assert_non_null(mkdtemp(root));
	speed_file("eth25", "25000\n");
	speed_file("eth100", "100000");
	speed_file("veth", "-1\n");
	speed_file("nofile", NULL);
	speed_file("junk", "fast\n");
	speed_file("zero", "0\n");
	assert_true(vb_netif_speed_bps(root, "eth25") == 25000000000ull);
	assert_true(vb_netif_speed_bps(root, "eth100") == 100000000000ull);
	assert_true(vb_netif_speed_bps(root, "veth") == 0);
	assert_true(vb_netif_speed_bps(root, "nofile") == 0);
	assert_true(vb_netif_speed_bps(root, "absent") == 0);
	assert_true(vb_netif_speed_bps(root, "junk") == 0);
	assert_true(vb_netif_speed_bps(root, "zero") == 0);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		assert_int_equal(system(cmd), 0);
	}
}

/* 127.0.0.1 sits on the loopback interface; TEST-NET-3 on none. */
static void test_of_addr(void **state)
{
	struct in_addr lo, none;
	char name[32] = "";

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", &lo);
	inet_pton(AF_INET, "203.0.113.77", &none);
	assert_int_equal(vb_netif_of_addr(&lo, name, sizeof(name)), 0);
	assert_string_equal(name, "lo");
	assert_int_equal(vb_netif_of_addr(&none, name, sizeof(name)), -ENOENT);
}

static void test_rank_line(void **state)
{
	struct vb_link_info l = { .device = "eth0", .addr = "10.0.0.5", .qps = 1,
				  .chunk_bytes = 65536, .depth = 8,
				  .line_rate_bps = 25000000000ull };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	vb_report_rank_line(f, VB_TRANSPORT_TCP, 1, 42, "h1", &l);
	l.line_rate_bps = 0;
	vb_report_rank_line(f, VB_TRANSPORT_TCP, 2, 43, "h2", &l);
	snprintf(l.device, sizeof(l.device), "tcp");
	vb_report_rank_line(f, VB_TRANSPORT_TCP, 3, 44, "h3", &l);
	fclose(f);
	assert_non_null(strstr(text, "#  Rank   1 Pid      42 on           h1 tcp interface eth0     addr 10.0.0.5        speed 25.0 Gb/s qps 1"));
	assert_non_null(strstr(text, "Rank   2 Pid      43 on           h2 tcp interface eth0     addr 10.0.0.5        speed unknown qps 1"));
	assert_non_null(strstr(text, "h3 tcp interface ?        addr"));
	assert_null(strstr(text, "gid"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_speed),
		cmocka_unit_test(test_of_addr),
		cmocka_unit_test(test_rank_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
