/*
 * Links failing, degraded and restored during a run (sim/fabric/fail.c):
 * ECMP loses what it hashes onto a dead link until the reroute delay and
 * recovers it by retransmission; adaptive routing avoids the link at
 * once; a degraded link carries at most its new rate; a link going down
 * releases the PFC pause it held; a restore brings traffic back. The
 * fabric is a two-leaf leaf-spine at 800G (leaf0 holds hosts 0..3, leaf1
 * hosts 4..7); expected values are derived in each case's comment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"
#include "sim/topo/fail.h"
#include "sim/topo/gen.h"

#define US 1000000ULL

static struct sim_topo *topo_buf(unsigned leaves, unsigned spines, unsigned buffer_mb)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "switch = { latency_ns = 600; buffer_mb = %u; };\n"
		 "fabric = { kind = \"leafspine\"; leaves = %u; hosts_per_leaf = 4; spines = %u;\n"
		 "  host_rate = \"800G\"; fabric_rate = \"800G\"; host_cable_m = 3.0; fabric_cable_m = 20.0; };\n",
		 buffer_mb, leaves, spines);
	return sim_topo_load_string(text, "linkfail.topo");
}

static struct sim_topo *topo(unsigned leaves, unsigned spines)
{
	return topo_buf(leaves, spines, 16);
}

/* The K-th uplink (port toward a spine) of the leaf of host index H. */
static uint32_t uplink(const struct sim_topo *t, uint32_t h, uint32_t k)
{
	const struct sim_node *n = &t->nodes[sim_topo_host_leaf(t, t->hosts[h], 0)];

	for (uint32_t i = 0; i < n->nports; i++) {
		uint32_t port = n->first_port + i;

		if (t->nodes[t->ports[t->ports[port].peer].node].kind == SIM_NODE_SWITCH && !k--)
			return port;
	}
	return SIM_NONE;
}

static void config(struct sim_config *cfg, enum sim_lb lb, uint64_t reroute_ps)
{
	sim_config_defaults(cfg);
	cfg->lb = lb;
	cfg->reroute_delay_ps = reroute_ps;
	cfg->rto_ps = 50 * US;	/* lost packets come back sooner than the 500 us default */
}

/* A permutation across the two leaves, both ways: host i <-> host i + 4, BYTES each. */
static uint64_t permutation(struct sim *s, uint64_t bytes)
{
	for (uint32_t i = 0; i < 4; i++) {
		assert_true(sim_add_flow(s, i, i + 4, bytes, 0) >= 0);
		assert_true(sim_add_flow(s, i + 4, i, bytes, 0) >= 0);
	}
	return 8 * bytes;
}

/* Runs S up to T_PS (events at T_PS included); 0 continues it to the end. */
static void run_to(struct sim *s, uint64_t t_ps)
{
	s->cfg.stop_ps = t_ps ? t_ps : 1000000 * US;
	assert_int_equal(sim_run(s), 0);
}

/* Every flow finished, with exactly the bytes offered, no PFC deadlock. */
static void assert_complete(const struct sim *s, uint64_t offered)
{
	assert_false(s->deadlock);
	assert_int_equal(s->flows_done, s->nflows);
	assert_int_equal(s->c.delivered_bytes, offered);
}

/*
 * (a) ECMP, 4 spines: leaf0's first uplink fails at T = 5 us, the reroute
 * delay is 10 us. Between T and T + 10 us the leaves still hash onto it
 * (leaf0 onto its dead port, leaf1 onto spine0, whose only way down to
 * leaf0 is the dead link): what goes there is lost (link_drops > 0). From
 * T + 10 us routing skips the link: no frame is sent onto either end, so
 * link_drops no longer grows, and retransmission recovers every lost
 * packet: the bytes delivered equal the bytes offered (8 x 2 MiB).
 */
static void test_linkfail_ecmp_reroute(void **state)
{
	struct sim_topo *t = topo(2, 4);
	struct sim_config cfg;
	struct sim *s;
	uint64_t offered, drops_at;
	uint32_t up;
	struct sim_fail_change c = { .at_ps = 5 * US, .op = SIM_FAIL_DOWN };

	(void)state;
	assert_non_null(t);
	up = uplink(t, 0, 0);
	c.port = up;
	config(&cfg, SIM_LB_ECMP, 10 * US);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	offered = permutation(s, 2 << 20);
	assert_int_equal(sim_fail_schedule(s, &c, 1), 0);
	run_to(s, 15 * US);
	assert_true(t->ports[up].down && t->ports[t->ports[up].peer].down);
	drops_at = s->c.link_drops;
	run_to(s, 0);
	print_message("ecmp: %llu frames lost to the link, all by T + delay (%llu); %llu retransmitted, %llu reroutes\n",
		      (unsigned long long)s->c.link_drops, (unsigned long long)drops_at,
		      (unsigned long long)s->c.retx_pkts, (unsigned long long)s->c.reroutes);
	assert_true(drops_at > 0);
	assert_int_equal(s->c.link_drops, drops_at);
	assert_true(s->c.retx_pkts >= drops_at / 2);	/* ACKs lost need no retransmission */
	assert_int_equal(s->c.reroutes, 1);
	assert_complete(s, offered);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * (b) AR, 4 spines, the permutation both ways: leaf0's first uplink
 * fails at T = 5 us, the reroute delay is 50 us. From T on, leaf0 reads
 * the port as full: its data (AR) and its ACKs (hashed, then moved to the
 * next live candidate: avoids_down_at_once) go to the three other
 * uplinks, so nothing more is lost at leaf0's end of the link after T
 * (its count read at T is the final one). Spine0 learns only at the
 * reroute: what leaf1 sends to leaf0 through spine0 is lost at spine0's
 * end until T + 50 us, and nothing after. Every flow completes, with the
 * bytes offered.
 */
static void test_linkfail_ar_at_once(void **state)
{
	struct sim_topo *t = topo(2, 4);
	struct sim_config cfg;
	struct sim *s;
	uint64_t offered, tx_at, leaf_at, spine_at;
	uint32_t up, peer;
	struct sim_fail_change c = { .at_ps = 5 * US, .op = SIM_FAIL_DOWN };

	(void)state;
	assert_non_null(t);
	up = uplink(t, 0, 0);
	peer = t->ports[up].peer;
	c.port = up;
	config(&cfg, SIM_LB_AR, 50 * US);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	offered = permutation(s, 2 << 20);
	assert_int_equal(sim_fail_schedule(s, &c, 1), 0);
	run_to(s, 5 * US);
	assert_int_equal(s->port_load[up], SIM_PORT_LOAD_DOWN);
	tx_at = s->pq[up].tx_bytes;
	leaf_at = s->pst[up].link_drops;
	run_to(s, 55 * US);
	spine_at = s->pst[peer].link_drops;
	run_to(s, 0);
	print_message("ar: leaf0's end lost %llu frames at T, %llu after; spine0's %llu until the reroute, %llu after\n",
		      (unsigned long long)leaf_at, (unsigned long long)(s->pst[up].link_drops - leaf_at),
		      (unsigned long long)spine_at, (unsigned long long)(s->pst[peer].link_drops - spine_at));
	assert_true(tx_at > 0);				/* AR used the link before */
	assert_int_equal(s->pst[up].link_drops, leaf_at);
	assert_int_equal(s->pst[peer].link_drops, spine_at);
	assert_int_equal(s->pq[up].tx_bytes, tx_at);
	assert_complete(s, offered);
	sim_destroy(s);
	/* the topology outlives the run as it was before it */
	assert_false(t->ports[up].down || t->ports[peer].down);
	sim_topo_free(t);
}

/*
 * (c) One spine, one flow h0 -> h4 of 16 MiB; the leaf0-spine link is
 * degraded from 800G to 400G at T = 2 us. From then on the uplink
 * serializes at 400G: over [T, its last frame's end] it carries at most
 * 400 Gb/s x that time (plus the frame in flight at T), and the flow,
 * now bottlenecked there (PFC holds the 800G NIC back), delivers its
 * payload at the 400G wire rate x 4096 / 4182 (RoCE framing: 66 B of
 * headers and 20 B of preamble and gap per 4 KiB frame) = 391.8 Gb/s,
 * which it must reach within 5 %.
 */
static void test_linkfail_degraded_half(void **state)
{
	struct sim_topo *t = topo(2, 1);
	struct sim_config cfg;
	struct sim *s;
	uint32_t up;
	uint64_t tx_at, rx_at, bytes = 16 << 20;
	double span_s, link_bps, flow_bps, want = 400e9 * 4096.0 / 4182.0;
	struct sim_fail_change c = { .at_ps = 2 * US, .op = SIM_FAIL_RATE, .rate_bps = 400000000000ULL };
	struct sim_flow tmp;
	const struct sim_flow *f;

	(void)state;
	assert_non_null(t);
	up = uplink(t, 0, 0);
	c.port = up;
	config(&cfg, SIM_LB_ECMP, 10 * US);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 4, bytes, 0) >= 0);
	assert_int_equal(sim_fail_schedule(s, &c, 1), 0);
	run_to(s, 2 * US);
	assert_int_equal(t->ports[up].rate_bps, 400000000000ULL);
	assert_int_equal(t->ports[t->ports[up].peer].rate_bps, 400000000000ULL);
	tx_at = s->pq[up].tx_bytes;
	rx_at = s->c.delivered_bytes;
	run_to(s, 0);
	f = sim_flow_get(s, 0, &tmp);
	span_s = (double)(s->pq[up].busy_until_ps - 2 * US) * 1e-12;
	link_bps = (double)(s->pq[up].tx_bytes - tx_at) * 8 / span_s;
	flow_bps = (double)(bytes - rx_at) * 8 / ((double)(f->finish_ps - 2 * US) * 1e-12);
	print_message("degraded: link %.1f Gb/s over its busy time, flow %.1f Gb/s of payload (want %.1f)\n",
		      link_bps * 1e-9, flow_bps * 1e-9, want * 1e-9);
	assert_true(s->pq[up].tx_bytes - tx_at <= (uint64_t)(400e9 / 8 * span_s) + 4182);
	assert_true(flow_bps <= want * 1.01);
	assert_true(flow_bps >= want * 0.95);
	assert_complete(s, bytes);
	sim_destroy(s);
	sim_topo_free(t);
}

/* One flow h0 -> h4 of BYTES on T with the N changes of C: its finish time; S's counts into *DEG_AT_START. */
static uint64_t sweep_size(struct sim_topo *t, const struct sim_fail_change *c, uint32_t n, uint64_t bytes,
			   uint32_t *deg_at_start)
{
	struct sim_config cfg;
	struct sim_flow tmp;
	struct sim *s;
	uint64_t finish;

	config(&cfg, SIM_LB_ECMP, 10 * US);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	*deg_at_start = s->links_degraded_at_start;
	assert_true(sim_add_flow(s, 0, 4, bytes, 0) >= 0);
	assert_int_equal(sim_fail_schedule(s, c, n), 0);
	if (n) {
		/* between the change at 2 us and the restore at 6 us: 400G, and degraded, both ends */
		run_to(s, 3 * US);
		for (uint32_t k = 0; k < 2; k++) {
			uint32_t p = k ? t->ports[c[0].port].peer : c[0].port;

			assert_int_equal(t->ports[p].rate_bps, 400000000000ULL);
			assert_int_equal(t->ports[p].degraded, 1);
		}
		assert_int_equal(sim_topo_failed_links(t, true, NULL, 0), 1);
	}
	run_to(s, 0);
	assert_complete(s, bytes);
	finish = sim_flow_get(s, 0, &tmp)->finish_ps;
	sim_destroy(s);
	return finish;
}

/*
 * (c2) A size sweep reuses the topology: each size is a new sim on the
 * same ports, which sim_destroy puts back as they were before the run.
 * Size 1 (1 MiB h0 -> h4, 2 leaves, 1 spine) degrades the only uplink to
 * 400G at 2 us (marked degraded, as sim_fail_apply marks a --fail
 * A:B=400G) and restores it at 4 us (800G, not degraded: the state before
 * the run). A degradation still running when size 2 starts (2 us -> none
 * restores it, the run ends degraded) must not leak either: after each
 * sim_destroy the link is 800G and not degraded, and the next size
 * starts with 0 links degraded (not "1 degraded at the start") and runs
 * exactly as on a fabric that never saw a change: the same finish time.
 */
static void test_linkfail_sweep_no_leak(void **state)
{
	struct sim_topo *t = topo(2, 1), *fresh = topo(2, 1);
	struct sim_fail_change c[2] = {
		{ .at_ps = 2 * US, .op = SIM_FAIL_RATE, .rate_bps = 400000000000ULL },
		{ .at_ps = 6 * US, .op = SIM_FAIL_RESTORE },
	};
	uint64_t bytes = 1 << 20, clean, after;
	uint32_t up, deg;

	(void)state;
	assert_non_null(t);
	assert_non_null(fresh);
	up = uplink(t, 0, 0);
	c[0].port = c[1].port = up;
	clean = sweep_size(fresh, NULL, 0, bytes, &deg);
	assert_int_equal(deg, 0);
	/* degraded at 2 us, restored at 6 us; then degraded at 2 us to the end */
	for (uint32_t n = 2; n >= 1; n--) {
		sweep_size(t, c, n, bytes, &deg);
		assert_int_equal(deg, 0);
		for (uint32_t k = 0; k < 2; k++) {
			uint32_t p = k ? t->ports[up].peer : up;

			assert_int_equal(t->ports[p].rate_bps, 800000000000ULL);
			assert_int_equal(t->ports[p].degraded, 0);
		}
		assert_int_equal(sim_topo_failed_links(t, true, NULL, 0), 0);
		after = sweep_size(t, NULL, 0, bytes, &deg);
		assert_int_equal(deg, 0);
		assert_int_equal(after, clean);
	}
	sim_topo_free(t);
	sim_topo_free(fresh);
}

/*
 * (d) PFC: three leaves with 2 MB buffers, two spines, AR; the four
 * hosts of leaf1 and of leaf2 all send 2 MiB to h0: 8 x 800G into one
 * 800G port, so leaf0's ingresses from the spines reach XOFF and pause
 * the spines' ports toward leaf0 (the 16 MiB take > 170 us; the pauses
 * come and go in episodes of ~15 us, and T = 26 us falls in one: the
 * test checks that precondition just before T). At T the leaf0-spine0
 * link goes down: at once both ends are unpaused, with no XOFF
 * outstanding and nothing queued, not after their 0xffff quanta (42 us at
 * 800G). It comes back at 46 us; the run then completes (no deadlock)
 * with every byte offered delivered, after two reroutes.
 */
static void test_linkfail_pfc_unpaused(void **state)
{
	struct sim_topo *t = topo_buf(3, 2, 2);
	struct sim_config cfg;
	struct sim *s;
	uint32_t up, peer;
	uint64_t offered = 0;
	struct sim_fail_change c[2] = {
		{ .at_ps = 26 * US, .op = SIM_FAIL_DOWN },
		{ .at_ps = 46 * US, .op = SIM_FAIL_RESTORE },
	};

	(void)state;
	assert_non_null(t);
	up = uplink(t, 0, 0);
	peer = t->ports[up].peer;
	c[0].port = c[1].port = up;
	config(&cfg, SIM_LB_AR, 5 * US);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	for (uint32_t h = 4; h < 12; h++) {
		assert_true(sim_add_flow(s, h, 0, 2 << 20, 0) >= 0);
		offered += 2 << 20;
	}
	assert_int_equal(sim_fail_schedule(s, c, 2), 0);
	run_to(s, 26 * US - 1);
	print_message("pfc: before T spine0->leaf0 paused %d, leaf0 XOFF sent %d\n", s->pq[peer].paused,
		      s->pq[up].xoff_sent);
	assert_true(s->pq[peer].paused && s->pq[up].xoff_sent);
	run_to(s, 26 * US);
	assert_false(s->pq[peer].paused || s->pq[up].paused);
	assert_false(s->pq[peer].xoff_sent || s->pq[up].xoff_sent);
	assert_int_equal(s->pq[peer].qbytes[SIM_PRIO_DATA] + s->pq[up].qbytes[SIM_PRIO_DATA], 0);
	run_to(s, 0);
	assert_complete(s, offered);
	assert_int_equal(s->c.reroutes, 2);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * (e) Leaf0's first uplink is down from 5 to 15 us; the reroute delay is
 * 1 us. AR: at 15 us the port's load reads as its queue again at once,
 * so AR, spreading leaf0's traffic over its least loaded uplinks, sends
 * on it again: more than 1 MiB of the 16 MiB left go through it after
 * the restore (a quarter of what is left would be its fair share). ECMP
 * with 8 QPs per flow: the reroute at 16 us gives the link back to the
 * hash, and of the 32 QPs leaf0 hashes over 4 uplinks some land on it
 * (none does with probability (3/4)^32 = 1e-4): it carries bytes again.
 * Neither sends a byte while the link is down.
 */
static void restore_case(enum sim_lb lb, uint32_t qps, uint64_t min_after)
{
	struct sim_topo *t = topo(2, 4);
	struct sim_config cfg;
	struct sim *s;
	uint64_t offered = 0, tx_down, tx_up;
	uint32_t up;
	struct sim_fail_change c[2] = {
		{ .at_ps = 5 * US, .op = SIM_FAIL_DOWN },
		{ .at_ps = 15 * US, .op = SIM_FAIL_RESTORE },
	};

	assert_non_null(t);
	up = uplink(t, 0, 0);
	c[0].port = c[1].port = up;
	config(&cfg, lb, 1 * US);
	cfg.qps_per_flow = qps;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	for (uint32_t i = 0; i < 4; i++) {
		assert_true(sim_add_flow(s, i, i + 4, 4 << 20, 0) >= 0);
		offered += 4 << 20;
	}
	assert_int_equal(sim_fail_schedule(s, c, 2), 0);
	run_to(s, 5 * US);
	tx_down = s->pq[up].tx_bytes;
	run_to(s, 15 * US);
	tx_up = s->pq[up].tx_bytes;
	assert_false(t->ports[up].down);
	assert_int_equal(s->port_load[up], s->pq[up].qbytes[SIM_PRIO_DATA]);
	run_to(s, 0);
	print_message("restore, %s: uplink sent %llu B while down, %llu B after the restore\n", sim_lb_name(lb),
		      (unsigned long long)(tx_up - tx_down), (unsigned long long)(s->pq[up].tx_bytes - tx_up));
	assert_int_equal(tx_up, tx_down);
	assert_true(s->pq[up].tx_bytes - tx_up > min_after);
	assert_int_equal(t->ports[up].rate_bps, 800000000000ULL);
	assert_int_equal(s->c.reroutes, 2);
	assert_complete(s, offered);
	sim_destroy(s);
	sim_topo_free(t);
}

static void test_linkfail_restore(void **state)
{
	(void)state;
	restore_case(SIM_LB_AR, 1, 1 << 20);
	restore_case(SIM_LB_ECMP, 8, 0);
}

/* The port of explicit graph T from node A to node B. */
static uint32_t port_to(const struct sim_topo *t, uint32_t a, uint32_t b)
{
	for (uint32_t i = 0; i < t->nodes[a].nports; i++) {
		uint32_t port = t->nodes[a].first_port + i;

		if (t->ports[t->ports[port].peer].node == b)
			return port;
	}
	return SIM_NONE;
}

/*
 * An explicit graph (TABLE routing): a - s1 - x - s2 - b, and a longer
 * way s1 - y - z - s2. a and b exchange 1 MiB each way over s1 - x - s2,
 * the shorter; s1 - x fails at 2 us and the tables (hop distances over
 * live links) are rebuilt 1 us later: from then on s1 and s2 route by
 * y - z, nothing more is lost on s1 - x after that, and every byte
 * arrives. sim_destroy gives the topology its distances back: s1 routes
 * toward b by x again.
 */
static void test_linkfail_table(void **state)
{
	const struct sim_explicit_node nodes[] = {
		{ "a", SIM_NODE_HOST, 0, 0, 0 }, { "b", SIM_NODE_HOST, 0, 0, 0 },
		{ "s1", SIM_NODE_SWITCH, 0, 0, 0 }, { "s2", SIM_NODE_SWITCH, 0, 0, 0 },
		{ "x", SIM_NODE_SWITCH, 0, 0, 0 }, { "y", SIM_NODE_SWITCH, 0, 0, 0 },
		{ "z", SIM_NODE_SWITCH, 0, 0, 0 },
	};
	const struct sim_explicit_link links[] = {
		{ 0, 2, 100000000000ULL, 0 }, { 1, 3, 100000000000ULL, 0 }, { 2, 4, 100000000000ULL, 0 },
		{ 4, 3, 100000000000ULL, 0 }, { 2, 5, 100000000000ULL, 0 }, { 5, 6, 100000000000ULL, 0 },
		{ 6, 3, 100000000000ULL, 0 },
	};
	struct sim_explicit_params p = { nodes, 7, links, 7 };
	struct sim_fail_change c = { .at_ps = 2 * US, .op = SIM_FAIL_DOWN };
	struct sim_config cfg;
	struct sim_topo *t;
	struct sim *s;
	char err[256];
	uint64_t drops_at;

	(void)state;
	assert_int_equal(sim_topo_explicit(&p, &t, NULL, err, sizeof(err)), 0);
	c.port = port_to(t, 2, 4);
	config(&cfg, SIM_LB_ECMP, 1 * US);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 1, 1 << 20, 0) >= 0);
	assert_true(sim_add_flow(s, 1, 0, 1 << 20, 0) >= 0);
	assert_int_equal(sim_fail_schedule(s, &c, 1), 0);
	run_to(s, 3 * US);
	drops_at = s->c.link_drops;
	assert_int_equal(sim_route_first(s, 2, 1, 0), port_to(t, 2, 5));
	run_to(s, 0);
	assert_true(drops_at > 0);
	assert_int_equal(s->c.link_drops, drops_at);
	assert_true(s->pq[port_to(t, 5, 6)].tx_bytes > 1 << 20);
	assert_complete(s, 2 << 20);
	sim_destroy(s);
	s = sim_create(t, &cfg);
	assert_int_equal(sim_route_first(s, 2, 1, 0), port_to(t, 2, 4));
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * A dual-plane fabric (a NIC port per plane, 400G each; generated: 2
 * leaves of 2 hosts per plane, 2 spines), QPs spread over the planes:
 * h0 sends 8 MiB to h2 over 2 QPs, one per plane. h0's plane-0 link
 * fails at 5 us; the fabric would reroute only after 1 s, but the NIC
 * sees its own port down and moves the plane-0 QP to plane 1 at once
 * (sim_nic_port_down): the flow finishes on plane 1 at 400G, long before
 * the reroute. It needs at least 8 MiB x 4178 / 4096 x 8 / 800G = 86 us
 * (both planes) and, with half the bytes left at T moved to one plane,
 * well under 1 ms (about 8 MiB / 400G = 170 us plus the loss's timeout,
 * cfg.rto_ps = 50 us: < 400 us).
 */
static void test_linkfail_nic_plane(void **state)
{
	struct sim_leafspine_params p = {
		.c = { .host_rate_bps = 400000000000ULL, .planes = 2, .host_delay_ps = 10000,
		       .fabric_delay_ps = 100000 },
		.leaves = 2, .hosts_per_leaf = 2, .spines = 2,
	};
	struct sim_fail_change c = { .at_ps = 5 * US, .op = SIM_FAIL_DOWN };
	struct sim_config cfg;
	struct sim_topo *t = NULL;
	struct sim *s;
	char err[256];
	struct sim_flow tmp;
	const struct sim_flow *f;

	(void)state;
	assert_int_equal(sim_topo_leafspine(&p, &t, err, sizeof(err)), 0);
	assert_int_equal(t->nplanes, 2);
	c.port = t->nodes[t->hosts[0]].first_port;
	config(&cfg, SIM_LB_ECMP, 1000000 * US);
	cfg.qps_per_flow = 2;
	cfg.plane_spread = SIM_PLANE_SPREAD_QP;
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_true(sim_add_flow(s, 0, 2, 8 << 20, 0) >= 0);
	assert_int_equal(sim_fail_schedule(s, &c, 1), 0);
	run_to(s, 0);
	f = sim_flow_get(s, 0, &tmp);
	print_message("nic plane: the flow finished at %.1f us, %llu frames lost, %llu reroutes by then\n",
		      (double)f->finish_ps * 1e-6, (unsigned long long)s->c.link_drops,
		      (unsigned long long)s->c.reroutes);
	assert_true(f->finish_ps > 86 * US);
	assert_true(f->finish_ps < 400 * US);
	assert_complete(s, 8 << 20);
	sim_destroy(s);
	sim_topo_free(t);
}

/* Bad schedules are refused with the reason: a time of 0, a port that is not a link, hosts cut off for good. */
static void test_linkfail_refused(void **state)
{
	struct sim_topo *t = topo(2, 1);
	struct sim_config cfg;
	struct sim *s;
	struct sim_fail_change c = { .at_ps = 0, .op = SIM_FAIL_DOWN };

	(void)state;
	assert_non_null(t);
	config(&cfg, SIM_LB_ECMP, 10 * US);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	c.port = uplink(t, 0, 0);
	assert_int_equal(sim_fail_schedule(s, &c, 1), -EINVAL);
	assert_non_null(strstr(sim_error(s), "not during the run"));
	sim_destroy(s);
	s = sim_create(t, &cfg);
	c.at_ps = US;
	c.port = t->nports;
	assert_int_equal(sim_fail_schedule(s, &c, 1), -EINVAL);
	assert_non_null(strstr(sim_error(s), "not a link"));
	sim_destroy(s);
	/* h0's only link down for good cuts it off */
	s = sim_create(t, &cfg);
	c.port = t->nodes[t->hosts[0]].first_port;
	assert_int_equal(sim_fail_schedule(s, &c, 1), -EINVAL);
	assert_non_null(strstr(sim_error(s), "host h0 has no live link"));
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linkfail_ecmp_reroute),
		cmocka_unit_test(test_linkfail_ar_at_once),
		cmocka_unit_test(test_linkfail_degraded_half),
		cmocka_unit_test(test_linkfail_sweep_no_leak),
		cmocka_unit_test(test_linkfail_pfc_unpaused),
		cmocka_unit_test(test_linkfail_restore),
		cmocka_unit_test(test_linkfail_table),
		cmocka_unit_test(test_linkfail_nic_plane),
		cmocka_unit_test(test_linkfail_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
