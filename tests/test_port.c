/*
 * The seam between a port and its owner (struct sim_port_owner_ops): a
 * port reaches a switch or a NIC only through the owner's table, so a
 * table that wraps the real one sees every frame handed over. Counts are
 * derived by hand from the path of a flow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "sim/cli/load.h"
#include "sim/fabric/sim.h"

struct counts {
	unsigned int sw_rx, sw_deq;	/* data frames a switch received, released to the wire */
	unsigned int nic_rx, nic_pull;	/* data frames a NIC received, handed to its port */
	unsigned int nic_ctrl_rx;	/* ACKs and other control frames a NIC received */
};

static struct counts cnt;

static void sw_receive(struct sim *s, uint32_t node, struct sim_pkt *p)
{
	cnt.sw_rx += p->kind == SIM_PKT_DATA;
	sim_switch_port_ops.receive(s, node, p);
}

static void sw_dequeued(struct sim *s, uint32_t port, struct sim_pkt *p)
{
	cnt.sw_deq += p->kind == SIM_PKT_DATA;
	sim_switch_port_ops.dequeued(s, port, p);
}

static void nic_receive(struct sim *s, uint32_t node, struct sim_pkt *p)
{
	if (p->kind == SIM_PKT_DATA)
		cnt.nic_rx++;
	else
		cnt.nic_ctrl_rx++;
	sim_nic_port_ops.receive(s, node, p);
}

static struct sim_pkt *nic_pull(struct sim *s, uint32_t port)
{
	struct sim_pkt *p = sim_nic_port_ops.pull(s, port);

	cnt.nic_pull += p && p->kind == SIM_PKT_DATA;
	return p;
}

static const struct sim_port_owner_ops counting_switch = {
	.receive = sw_receive,
	.dequeued = sw_dequeued,
	.stamps_int = true,
};

static const struct sim_port_owner_ops counting_nic = {
	.receive = nic_receive,
	.pull = nic_pull,
	.pending = NULL,	/* set from the real table at run time */
};

/* 2 leaves x 2 hosts, 1 spine, 800G everywhere. */
static struct sim_topo *small(void)
{
	return sim_topo_load_string("name = \"t\";\n"
				    "switch = { latency_ns = 600; buffer_mb = 64; };\n"
				    "fabric = { kind = \"leafspine\"; leaves = 2; hosts_per_leaf = 2; spines = 1;\n"
				    "  host_rate = \"800G\"; fabric_rate = \"800G\"; cable_m = 2.0; };\n",
				    "test.topo");
}

/* sim_create gives hosts the NIC's table and switches the switch's. */
static void test_owner_by_kind(void **state)
{
	struct sim_topo *t = small();
	struct sim_config cfg;
	struct sim *s;

	(void)state;
	assert_non_null(t);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	assert_ptr_equal(sim_port_owner(s, t->hosts[0]), &sim_nic_port_ops);
	assert_ptr_equal(sim_port_owner(s, t->switches[0]), &sim_switch_port_ops);
	/* a switch has no frames of its own to offer; a NIC does not hold a shared buffer */
	assert_null(sim_switch_port_ops.pull);
	assert_null(sim_nic_port_ops.dequeued);
	assert_true(sim_switch_port_ops.stamps_int && !sim_nic_port_ops.stamps_int);
	sim_destroy(s);
	sim_topo_free(t);
}

/*
 * 8 packets of 4096 B from host 0 (leaf 0) to host 2 (leaf 1): each
 * crosses leaf 0, the spine and leaf 1, so the switches receive and
 * release 3 x 8 = 24 data frames; the sending NIC hands its port 8 and the
 * receiving NIC gets 8; with nothing lost, no retransmission adds any.
 */
static void test_frames_through_owners(void **state)
{
	struct sim_topo *t = small();
	struct sim_port_owner_ops nic = counting_nic;
	struct sim_config cfg;
	struct sim *s;

	(void)state;
	assert_non_null(t);
	sim_config_defaults(&cfg);
	s = sim_create(t, &cfg);
	assert_non_null(s);
	nic.pending = sim_nic_port_ops.pending;
	s->owner[SIM_NODE_HOST] = &nic;
	s->owner[SIM_NODE_SWITCH] = &counting_switch;
	cnt = (struct counts){ 0 };
	assert_int_equal(sim_add_flow(s, 0, 2, 8 * 4096, 0), 0);
	assert_int_equal(sim_run(s), 0);
	assert_int_equal(s->flows_done, 1);
	assert_int_equal(s->flows[0].rx_bytes, 8 * 4096);
	assert_int_equal(s->c.retx_pkts, 0);
	assert_int_equal(cnt.sw_rx, 24);
	assert_int_equal(cnt.sw_deq, 24);
	assert_int_equal(cnt.nic_pull, 8);
	assert_int_equal(cnt.nic_rx, 8);
	/*
	 * The receiver ACKs packets 4 and 8 (--ack-every 4, and the last);
	 * the run goes on after packet 8 is placed until nothing is left to
	 * happen, so both ACKs return to the sender's NIC; the run's end is
	 * still the finish.
	 */
	assert_int_equal(s->c.ctrl_pkts, 2);
	assert_int_equal(cnt.nic_ctrl_rx, 2);
	assert_int_equal(s->end_ps, s->flows[0].finish_ps);
	assert_true(sim_now(s) > s->end_ps);
	sim_destroy(s);
	sim_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_by_kind),
		cmocka_unit_test(test_frames_through_owners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
