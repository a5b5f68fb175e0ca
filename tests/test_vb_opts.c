/*
 * Tests of fabbench's command line: nccl-tests options keep their meaning
 * (-d is the data type, the device is -D), bad values are usage errors
 * naming the option, the value and the range, the size sweep matches
 * nccl-tests' -b/-e/-f/-i stepping, device lists are handed out
 * round-robin by rank, the start-up description names exactly the options
 * that must agree, and the memory estimate is what the ranks allocate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "verbs/opts.h"

static char err[256];

static int parse(struct vb_opts *o, const char *line)
{
	static char buf[512];	/* options point into it */
	char *argv[64], *tok, *save = NULL;
	struct vb_opts scratch;
	int argc = 0;

	if (!o)
		o = &scratch;

	snprintf(buf, sizeof(buf), "fabbench %s", line);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return vb_opts_parse(o, argc, argv, err, sizeof(err));
}

/* LINE is a usage error whose message holds MSG. */
static void refused(const char *line, const char *msg)
{
	assert_int_equal(parse(NULL, line), -EINVAL);
	if (!strstr(err, msg))
		print_error("%s: got '%s', want '%s'\n", line, err, msg);
	assert_non_null(strstr(err, msg));
}

static void test_defaults(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, ""), 0);
	assert_int_equal(o.min_bytes, 32 << 20);
	assert_int_equal(o.iters, 20);
	assert_int_equal(o.warmup_iters, 1);
	assert_true(o.check);
	assert_int_equal(o.dtype, COLL_DT_FLOAT32);
	assert_int_equal(o.redop, COLL_RED_SUM);
	assert_int_equal(o.average, VB_AVG_MEAN);
	assert_int_equal(o.kind, COLL_ALLREDUCE);
	assert_int_equal(o.algo, COLL_ALGO_RING);
	assert_int_equal(o.transport, VB_TRANSPORT_VERBS);
	assert_int_equal(o.gid_index, -1);
	assert_int_equal(o.rank, -1);
	assert_int_equal(o.timeout_s, 30);
}

static void test_nccl_options(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-b 8 -e 128M -f 2 -n 7 -w 3 -c 0 -o max -d half -a 2"), 0);
	assert_int_equal(o.min_bytes, 8);
	assert_int_equal(o.max_bytes, 128 << 20);
	assert_int_equal(o.step_factor, 2);
	assert_int_equal(o.iters, 7);
	assert_int_equal(o.warmup_iters, 3);
	assert_false(o.check);
	assert_int_equal(o.redop, COLL_RED_MAX);
	assert_int_equal(o.dtype, COLL_DT_FLOAT16);
	assert_int_equal(o.average, VB_AVG_MIN);
	assert_int_equal(parse(&o, "--minbytes 1K --maxbytes 4K --datatype bfloat16 --op prod"), 0);
	assert_int_equal(o.max_bytes, 4096);
	assert_int_equal(o.dtype, COLL_DT_BFLOAT16);
	assert_int_equal(o.redop, COLL_RED_PROD);
}

/* Sizes go through fabsim's parser (collectives/units.c): decimals that make whole bytes. */
static void test_size_syntax(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-b 1.5M -e 2.5G -f 2 -i 1.5K --chunk 0.5M"), 0);
	assert_int_equal(o.min_bytes, 1572864);
	assert_int_equal(o.max_bytes, 5ull << 29);
	assert_int_equal(o.step_bytes, 1536);
	assert_int_equal(o.chunk_bytes, 512 << 10);
	assert_int_equal(parse(&o, "-b 64KiB -e 8MB -f 2 -i 2e3"), 0);
	assert_int_equal(o.min_bytes, 65536);
	assert_int_equal(o.max_bytes, 8 << 20);
	assert_int_equal(o.step_bytes, 2000);
	/* not whole bytes, or no size at all */
	refused("-b 1.5", "bad value '1.5' for -b/--minbytes: want a size in 0 B..1 TiB");
	refused("-e 1.0001K", "bad value '1.0001K' for -e/--maxbytes");
	refused("-b nan", "bad value 'nan' for -b/--minbytes");
	refused("-b -1", "bad value '-1' for -b/--minbytes");
	refused("-b 0x10", "bad value '0x10' for -b/--minbytes");
	refused("--chunk 1e30G", "bad value '1e30G' for --chunk: want a size in 64 B..1 GiB");
	/* counts and numbers are as strict: no sign, blank or hex */
	refused("-n +5", "bad value '+5' for -n/--iters");
	refused("--min-busbw +1", "bad value '+1' for --min-busbw: want a number in 0..1e+06");
	refused("--min-busbw 0x1p3", "bad value '0x1p3' for --min-busbw");
}

static void test_fabbench_options(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-D mlx5_0 -x 3 --tc 106 --qps 4 --chunk 1M --depth 16 --ib-port 2"), 0);
	assert_string_equal(o.device, "mlx5_0");
	assert_int_equal(o.gid_index, 3);
	assert_int_equal(o.tclass, 106);
	assert_int_equal(o.qps, 4);
	assert_int_equal(o.chunk_bytes, 1 << 20);
	assert_int_equal(o.depth, 16);
	assert_int_equal(o.ib_port, 2);
	assert_int_equal(parse(&o, "--coll alltoall --transport tcp --json x.json --csv y.csv --min-busbw 1.5 -T 5 --p2p"), 0);
	assert_int_equal(o.kind, COLL_ALLTOALL);
	assert_int_equal(o.algo, COLL_ALGO_PAIRWISE);	/* follows --coll */
	assert_int_equal(o.transport, VB_TRANSPORT_TCP);
	assert_string_equal(o.json_path, "x.json");
	assert_true(o.min_busbw_GBps > 1.49 && o.min_busbw_GBps < 1.51);
	assert_int_equal(o.timeout_s, 5);
	assert_true(o.p2p);
	assert_false(o.p2p_all);
	/* "--p2p all" as two words, anywhere on the line; "all" alone is not an option. */
	/* all-to-all is the spelling; alltoall (nccl-tests') its alias */
	assert_int_equal(parse(&o, "--coll all-to-all"), 0);
	assert_int_equal(o.kind, COLL_ALLTOALL);
	assert_int_equal(o.algo, COLL_ALGO_PAIRWISE);
	assert_int_equal(parse(&o, "--p2p all --p2p-csv pairs.csv -n 3"), 0);
	assert_true(o.p2p && o.p2p_all);
	assert_string_equal(o.p2p_csv_path, "pairs.csv");
	assert_int_equal(o.iters, 3);
	refused("--p2p-csv pairs.csv", "--p2p-csv needs --p2p all");
	refused("--p2p --p2p-csv pairs.csv", "--p2p-csv needs --p2p all");
	refused("all --p2p", "unexpected argument 'all'");
	refused("--p2p-csv", "needs a value");
	assert_int_equal(parse(&o, "--algo tree --coll allreduce"), 0);
	assert_int_equal(o.algo, COLL_ALGO_TREE);	/* explicit --algo wins */
	assert_int_equal(parse(&o, "--rank 2 --nranks 4 --master host:1234"), 0);
	assert_int_equal(o.rank, 2);
	assert_int_equal(o.nranks, 4);
	assert_int_equal(parse(&o, "--baseline mpi -h -V"), 0);
	assert_true(o.baseline_mpi && o.help && o.version);
	/* nccl-tests' broadcast, reduce (-r root) and sendrecv, with their algorithms */
	assert_int_equal(parse(&o, "--coll broadcast -r 3"), 0);
	assert_int_equal(o.kind, COLL_BROADCAST);
	assert_int_equal(o.algo, COLL_ALGO_CHAIN);
	assert_int_equal(o.root, 3);
	assert_int_equal(parse(&o, "--root 1023 --coll reduce"), 0);
	assert_int_equal(o.kind, COLL_REDUCE);
	assert_int_equal(o.algo, COLL_ALGO_CHAIN);
	assert_int_equal(o.root, 1023);
	assert_int_equal(parse(&o, "--coll sendrecv"), 0);
	assert_int_equal(o.kind, COLL_SENDRECV);
	assert_int_equal(o.algo, COLL_ALGO_P2P);
	assert_int_equal(o.root, 0);
	/* out of place and in place: both by default, as nccl-tests */
	assert_int_equal(o.place, VB_PLACE_BOTH);
	assert_int_equal(parse(&o, "--inplace 0"), 0);
	assert_int_equal(o.place, VB_PLACE_OUT);
	assert_int_equal(parse(&o, "--inplace 1"), 0);
	assert_int_equal(o.place, VB_PLACE_IN);
	refused("-r 1", "-r/--root applies to broadcast and reduce, not allreduce");
	refused("--coll alltoall --root 0", "-r/--root applies to broadcast and reduce, not all-to-all");
	refused("--coll broadcast -r 1024", "bad value '1024' for -r/--root: want a whole number in 0..1023");
	refused("--coll reduce -r x", "bad value 'x' for -r/--root");
	refused("--inplace 3", "bad value '3' for --inplace: want a whole number in 0..2");
	refused("--coll gather",
		"--coll: want one of allreduce, allgather, reducescatter, all-to-all, broadcast, reduce, sendrecv");
	/* -p as nccl-tests' --parallel_init: 0 (one peer after another) by default */
	assert_int_equal(parse(&o, ""), 0);
	assert_false(o.parallel_init);
	assert_int_equal(parse(&o, "-p 1"), 0);
	assert_true(o.parallel_init);
	assert_int_equal(parse(&o, "--parallel_init 0"), 0);
	assert_false(o.parallel_init);
	assert_int_equal(parse(&o, "--parallel_init=1"), 0);
	assert_true(o.parallel_init);
	refused("-p 2", "bad value '2' for -p/--parallel_init: want a whole number in 0..1");
	refused("--parallel_init yes", "bad value 'yes' for -p/--parallel_init");
	refused("-p -1", "bad value '-1' for -p/--parallel_init");
	refused("-p", "option -p needs a value");
}

static void test_bad_options(void **state)
{
	static const char *bad[] = {
		"-b 1Q", "-n 0", "-c 2", "-o avg", "-d float128", "-a 4",
		"--coll gather", "--algo magic", "--transport carrier-pigeon",
		"-r 1", "--coll sendrecv --root 0", "-r -1 --coll reduce", "--inplace 3", "--inplace",
		"-b 2M -e 1M", "--bogus", "-n", "--rank 1", "--rank 4 --nranks 4 --master h:1",
		"--nranks 2", "--master nocolon --rank 0 --nranks 2", "--baseline nccl",
		"--qps 0", "--chunk 1", "extra", "--master h:1",
		"--min-busbw nan", "--min-busbw inf", "--min-busbw -1",
		"-b 0 -e 1M -f 2", "-b 2 -e 2 -d double", "-b 1 -e 1G -i 1",
	};
	struct vb_opts o;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&o, bad[i]) != -EINVAL)
			print_error("accepted: %s\n", bad[i]);
		assert_int_equal(parse(&o, bad[i]), -EINVAL);
		assert_true(strlen(err) > 0);
	}
}

/* Every numeric option: the message names it, the value and the range. */
static void test_ranges(void **state)
{
	static const struct {
		const char *args;
		const char *msg;
	} cases[] = {
		{ "-n 0", "bad value '0' for -n/--iters: want a whole number in 1..100000000" },
		{ "-n 100000001", "-n/--iters: want a whole number in 1..100000000" },
		{ "-n 1e3", "bad value '1e3' for -n/--iters" },
		{ "-w -1", "bad value '-1' for -w/--warmup_iters: want a whole number in 0..100000000" },
		{ "-f 0", "-f/--stepfactor: want a whole number in 1..1048576" },
		{ "-f 1048577", "-f/--stepfactor: want a whole number in 1..1048576" },
		{ "-b 2T", "bad value '2T' for -b/--minbytes: want a size in 0 B..1 TiB" },
		{ "-e 0", "bad value '0' for -e/--maxbytes: want a size in 1 B..1 TiB" },
		{ "-i 1025G", "-i/--stepbytes: want a size in 0 B..1 TiB" },
		{ "-c 2", "-c/--check: want a whole number in 0..1" },
		{ "-a 4", "-a/--average: want a whole number in 0..3" },
		{ "-T 0", "-T/--timeout: want a whole number in 1..86400" },
		{ "-T 86401", "-T/--timeout: want a whole number in 1..86400" },
		{ "-x 65536", "-x/--gid-index: want a whole number in 0..65535" },
		{ "--channels 0", "--channels: want a whole number in 1..64" },
		{ "--channels 65", "--channels: want a whole number in 1..64" },
		{ "--gpus-per-server 1025", "--gpus-per-server: want a whole number in 0..1024" },
		{ "--ib-port 0", "--ib-port: want a whole number in 1..255" },
		{ "--ib-port 256", "--ib-port: want a whole number in 1..255" },
		{ "--tc 256", "bad value '256' for --tc: want a whole number in 0..255" },
		{ "--qps 17", "--qps: want a whole number in 1..16" },
		{ "--chunk 63", "bad value '63' for --chunk: want a size in 64 B..1 GiB" },
		{ "--chunk 1025M", "--chunk: want a size in 64 B..1 GiB" },
		{ "--depth 0", "--depth: want a whole number in 1..1024" },
		{ "--depth 1025", "--depth: want a whole number in 1..1024" },
		{ "--rank 1024", "--rank: want a whole number in 0..1023" },
		{ "--nranks 0", "--nranks: want a whole number in 1..1024" },
		{ "--nranks 1025", "--nranks: want a whole number in 1..1024" },
		{ "--min-busbw nan", "bad value 'nan' for --min-busbw: want a number in 0..1e+06" },
		{ "--min-busbw 2e6", "--min-busbw: want a number in 0..1e+06" },
		{ "-o avg", "-o/--op: want one of sum, prod, min, max" },
		{ "-d float128", "-d/--datatype: want one of int32, int64, half, bfloat16, float, double" },
		{ "--coll bcast", "--coll: want one of allreduce, allgather, reducescatter, all-to-all" },
		{ "--coll all2all", "--coll: want one of allreduce, allgather, reducescatter, all-to-all" },
		{ "--algo magic", "--algo: want one of ring, rhd, tree, hier, pairwise, hier-tree" },
		{ "--transport udp", "--transport: want verbs or tcp" },
		{ "-b 1 -e 1G -i 1", "makes more than 256 sizes" },
		{ "-b 2 -e 7 -d double", "-e 7 is smaller than one -d double element (8 bytes)" },
	};
	struct vb_opts o;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refused(cases[i].args, cases[i].msg);
	/* The edges themselves are accepted. */
	assert_int_equal(parse(&o, "-n 100000000 -w 0 -T 86400 --qps 16 --chunk 64 --depth 1024 --channels 64 -x 65535 --tc 255 --min-busbw 1e6"), 0);
	assert_int_equal(o.chunk_bytes, 64);
	assert_int_equal(parse(&o, "-b 1T -e 1T --chunk 1G --depth 1"), 0);
	assert_int_equal(o.max_bytes, 1ull << 40);
}

/*
 * --channels nccl: the rings fabsim runs by default, one per NIC of a
 * server (8 on 8-GPU servers, coll_default_channels), known once the
 * ranks are; 1 where there are no two whole servers; a count stays.
 */
static void test_channels_nccl(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "--channels nccl --gpus-per-server 8"), 0);
	vb_opts_resolve_channels(&o, 16);
	assert_int_equal(o.nchannels, 8);
	assert_int_equal(parse(&o, "--channels nccl --gpus-per-server 8"), 0);
	vb_opts_resolve_channels(&o, 8);	/* one server: no rings over servers */
	assert_int_equal(o.nchannels, 1);
	assert_int_equal(parse(&o, "--channels nccl"), 0);
	vb_opts_resolve_channels(&o, 16);
	assert_int_equal(o.nchannels, 1);
	assert_int_equal(parse(&o, "--channels 3 --gpus-per-server 8"), 0);
	vb_opts_resolve_channels(&o, 16);
	assert_int_equal(o.nchannels, 3);
}

static void test_master(void **state)
{
	static const struct {
		const char *args;
		const char *msg;
	} cases[] = {
		{ "127.0.0.1:99999", "bad port '99999' in --master 127.0.0.1:99999: want a whole number in 1..65535" },
		{ "127.0.0.1:0", "bad port '0'" },
		{ "127.0.0.1:-1", "bad port '-1'" },
		{ "127.0.0.1:80x", "bad port '80x'" },
		{ "127.0.0.1:", "want HOST:PORT" },
		{ ":29500", "want HOST:PORT" },
		{ "nocolon", "want HOST:PORT" },
		{ "127.0.0.300:29500", "bad host '127.0.0.300'" },
		{ "1.2.3:29500", "bad host '1.2.3'" },
		{ "h@st:29500", "bad host 'h@st'" },
		{ "[::1]:29500", "IPv6 is not supported" },
		{ "::1:29500", "IPv6 is not supported" },
	};
	char line[128], host[64];
	struct vb_opts o;
	uint16_t port;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "--rank 0 --nranks 2 --master %s", cases[i].args);
		refused(line, cases[i].msg);
	}
	assert_int_equal(parse(&o, "--rank 1 --nranks 2 --master node-7.lab:65535"), 0);
	assert_int_equal(vb_opts_split_master("10.0.0.1:1", host, sizeof(host), &port,
					      err, sizeof(err)), 0);
	assert_string_equal(host, "10.0.0.1");
	assert_int_equal(port, 1);
	assert_int_equal(vb_opts_split_master("a:65536", host, sizeof(host), &port,
					      err, sizeof(err)), -EINVAL);
	/* --master alone would be ignored: refused instead. */
	refused("--master 127.0.0.1:29500", "--master needs --rank and --nranks");
}

/* D = vb_opts_describe of LINE. */
static void describe(const char *line, char *d, size_t len)
{
	struct vb_opts o;

	if (parse(&o, line))
		print_error("%s: %s\n", line, err);
	assert_int_equal(parse(&o, line), 0);
	vb_opts_describe(&o, d, len);
}

static void test_describe_diff(void **state)
{
	/* Every option that must agree, changed from the defaults. */
	static const struct {
		const char *args;
		const char *msg;
	} must[] = {
		{ "-b 1M", "option --minbytes differs: rank 0 has 33554432, rank 3 has 1048576" },
		{ "-e 64M", "option --maxbytes differs: rank 0 has 33554432, rank 3 has 67108864" },
		{ "-n 10", "option --iters differs: rank 0 has 20, rank 3 has 10" },
		{ "-w 0", "option --warmup_iters differs: rank 0 has 1, rank 3 has 0" },
		{ "-c 0", "option --check differs: rank 0 has 1, rank 3 has 0" },
		{ "-o max", "option --op differs: rank 0 has sum, rank 3 has max" },
		{ "-d half", "option --datatype differs: rank 0 has float, rank 3 has half" },
		{ "--coll allgather", "option --coll differs: rank 0 has allreduce, rank 3 has allgather" },
		{ "--algo tree", "option --algo differs: rank 0 has ring, rank 3 has tree" },
		{ "--channels 2", "option --channels differs: rank 0 has 1, rank 3 has 2" },
		{ "--gpus-per-server 2", "option --gpus-per-server differs: rank 0 has 0, rank 3 has 2" },
		{ "--transport tcp", "option --transport differs: rank 0 has verbs, rank 3 has tcp" },
		{ "--chunk 64K", "option --chunk differs: rank 0 has 131072, rank 3 has 65536" },
		{ "--depth 4", "option --depth differs: rank 0 has 8, rank 3 has 4" },
		{ "--qps 2", "option --qps differs: rank 0 has 1, rank 3 has 2" },
		{ "-p 1", "option --parallel_init differs: rank 0 has 0, rank 3 has 1" },
		{ "--p2p", "option --p2p differs: rank 0 has off, rank 3 has on" },
		{ "--p2p all", "option --p2p differs: rank 0 has off, rank 3 has all" },
		{ "--baseline mpi", "option --baseline differs: rank 0 has none, rank 3 has mpi" },
		{ "--inplace 1", "option --inplace differs: rank 0 has 2, rank 3 has 1" },
	};
	/* Per-rank or rank-0-only settings may differ. */
	static const char *may[] = {
		"-T 5", "-a 0", "--json x.json", "--csv x.csv", "--min-busbw 3", "-q",
		"-D rxe1", "-x 3", "--tc 96", "--ib-port 2",
		"-f 4",		/* -b == -e: no step matters */
		"-i 4K",
	};
	char d0[VB_OPTS_DESC_LEN], d1[VB_OPTS_DESC_LEN];
	unsigned int i;

	(void)state;
	describe("", d0, sizeof(d0));
	assert_true(strlen(d0) < sizeof(d0) - 1);	/* nothing cut off */
	assert_int_equal(vb_opts_diff(d0, 0, d0, 1, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		describe(must[i].args, d1, sizeof(d1));
		assert_int_equal(vb_opts_diff(d0, 0, d1, 3, err, sizeof(err)), -EINVAL);
		if (!strstr(err, must[i].msg))
			print_error("%s: got '%s'\n", must[i].args, err);
		assert_non_null(strstr(err, must[i].msg));
	}
	for (i = 0; i < sizeof(may) / sizeof(may[0]); i++) {
		describe(may[i], d1, sizeof(d1));
		if (vb_opts_diff(d0, 0, d1, 1, err, sizeof(err)))
			print_error("%s: %s\n", may[i], err);
		assert_int_equal(vb_opts_diff(d0, 0, d1, 1, err, sizeof(err)), 0);
	}
	/* In a sweep the steps count: -f first, -i only when -f is 1. */
	describe("-b 1K -e 1M -f 2", d0, sizeof(d0));
	describe("-b 1K -e 1M -f 4", d1, sizeof(d1));
	assert_int_equal(vb_opts_diff(d0, 0, d1, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "option --stepfactor differs: rank 0 has 2, rank 1 has 4"));
	describe("-b 1K -e 1M -f 2 -i 4K", d1, sizeof(d1));
	assert_int_equal(vb_opts_diff(d0, 0, d1, 1, err, sizeof(err)), 0);
	describe("-b 1K -e 64K -i 1K", d0, sizeof(d0));
	describe("-b 1K -e 64K -i 2K", d1, sizeof(d1));
	assert_int_equal(vb_opts_diff(d0, 0, d1, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "option --stepbytes differs: rank 0 has 1024, rank 1 has 2048"));
	/* The root of a broadcast. */
	describe("--coll broadcast", d0, sizeof(d0));
	describe("--coll broadcast -r 2", d1, sizeof(d1));
	assert_int_equal(vb_opts_diff(d0, 0, d1, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "option --root differs: rank 0 has 0, rank 1 has 2"));
	/* Another build's list: named as such, not as an option. */
	assert_int_equal(vb_opts_diff("iters=1 depth=2", 0, "iters=1", 2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "different fabbench versions"));
	assert_int_equal(vb_opts_diff("iters=1", 0, "iterations=1", 2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "different fabbench versions"));
}

static void test_memory(void **state)
{
	struct vb_mem_need m;
	struct vb_opts o;

	(void)state;
	/* TCP: 3 x 1 MiB buffers (output, input, the check's), 3 peers x 8 slots x 128 KiB. */
	assert_int_equal(parse(&o, "--transport tcp -b 1M -e 1M"), 0);
	vb_opts_memory(&o, 4, &m);
	assert_int_equal(m.buf_bytes, 3 << 20);
	assert_int_equal(m.slot_bytes, 3 * 8 * (128 << 10));
	/* 4^2 + 2 x 3 steps x (1M / 128K + 1 + 1 channel) pieces. */
	assert_int_equal(m.sched_bytes, (16 + 6 * 10) * VB_SCHED_BYTES_PER_PIECE);
	assert_int_equal(vb_mem_need_total(&m), m.buf_bytes + m.slot_bytes + m.sched_bytes);
	/* In place only: no input buffer. */
	assert_int_equal(parse(&o, "--transport tcp -b 1M -e 1M --inplace 1"), 0);
	vb_opts_memory(&o, 4, &m);
	assert_int_equal(m.buf_bytes, 2 << 20);
	/* sendrecv: send and receive halves; 3^2 + 3 ranks x (1M / 128K + 1 + 1) pieces. */
	assert_int_equal(parse(&o, "--coll sendrecv -b 1M -e 1M"), 0);
	vb_opts_memory(&o, 3, &m);
	assert_int_equal(m.buf_bytes, 3 * 2 * (1 << 20));
	assert_int_equal(m.sched_bytes, (9 + 3 * 10) * VB_SCHED_BYTES_PER_PIECE);
	/* Verbs: one slot block for every rank, ours included. */
	assert_int_equal(parse(&o, "-b 1M -e 1M --depth 2 --chunk 1M"), 0);
	vb_opts_memory(&o, 4, &m);
	assert_int_equal(m.slot_bytes, 4 * 2 * (1 << 20));
	/* Alltoall holds send and receive halves; pairwise moves whole blocks. */
	assert_int_equal(parse(&o, "--coll alltoall -b 1K -e 3M -f 2"), 0);
	vb_opts_memory(&o, 3, &m);
	assert_int_equal(m.buf_bytes, 3 * 2 * (2 << 20));	/* largest: 2 MiB */
	assert_int_equal(m.sched_bytes, 9 * VB_SCHED_BYTES_PER_PIECE);
	/* Tiny sizes still get the 64-byte minimum buffer. */
	assert_int_equal(parse(&o, "-b 4 -e 4"), 0);
	vb_opts_memory(&o, 2, &m);
	assert_int_equal(m.buf_bytes, 3 * 64);
	/* The extremes saturate instead of wrapping. */
	assert_int_equal(parse(&o, "-b 1T -e 1T --chunk 64 --depth 1024 --coll alltoall"), 0);
	vb_opts_memory(&o, 1024, &m);
	assert_int_equal(m.buf_bytes, 6ull << 40);
	assert_int_equal(m.slot_bytes, 1024ull * 1024 * 64);
	assert_true(vb_mem_need_total(&m) > (6ull << 40));
	assert_int_equal(parse(&o, "-b 1T -e 1T --chunk 64"), 0);
	vb_opts_memory(&o, 1024, &m);
	assert_true(m.sched_bytes > (1ull << 40) * 2 * 1023 / 64);
}

static void test_sizes(void **state)
{
	uint64_t s[64];
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-b 8 -e 128 -f 2"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 5);
	assert_int_equal(s[0], 8);
	assert_int_equal(s[4], 128);
	/* Sizes round down to whole elements; duplicates and 0 drop out. */
	assert_int_equal(parse(&o, "-b 1 -e 10 -f 2 -d double"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 1);
	assert_int_equal(s[0], 8);
	assert_int_equal(parse(&o, "-b 1K -e 4K -i 1K"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 4);
	assert_int_equal(s[3], 4096);
	assert_int_equal(parse(&o, "-b 1000 -e 300000 -f 7"), 0);
	assert_int_equal(vb_opts_sizes(&o, s, 64), 3);
	assert_int_equal(s[2], 49000);
	assert_int_equal(vb_opts_sizes(&o, s, 2), -E2BIG);
}

static void test_device_list(void **state)
{
	char d[32];

	(void)state;
	vb_opts_device("rxe0,rxe1", 0, d, sizeof(d));
	assert_string_equal(d, "rxe0");
	vb_opts_device("rxe0,rxe1", 3, d, sizeof(d));
	assert_string_equal(d, "rxe1");
	vb_opts_device("mlx5_0", 5, d, sizeof(d));
	assert_string_equal(d, "mlx5_0");
	vb_opts_device(NULL, 1, d, sizeof(d));
	assert_string_equal(d, "");
}

static void test_job_checks(void **state)
{
	struct vb_opts o;

	(void)state;
	assert_int_equal(parse(&o, ""), 0);
	assert_int_equal(vb_opts_check_job(&o, 4, err, sizeof(err)), 0);
	assert_int_equal(vb_opts_check_job(&o, 1, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(&o, "--algo hier --gpus-per-server 2"), 0);
	assert_int_equal(vb_opts_check_job(&o, 3, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(&o, "-d bfloat16"), 0);
	assert_int_equal(vb_opts_check_job(&o, 64, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-c 0"));
	assert_int_equal(parse(&o, "-d bfloat16 -c 0"), 0);
	assert_int_equal(vb_opts_check_job(&o, 64, err, sizeof(err)), 0);
	/* the root must be one of the job's ranks */
	assert_int_equal(parse(&o, "--coll reduce -r 3"), 0);
	assert_int_equal(vb_opts_check_job(&o, 4, err, sizeof(err)), 0);
	assert_int_equal(vb_opts_check_job(&o, 3, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--root 3 is not a rank: want 0..2 (3 ranks)"));
	/* reduce sums like allreduce: the exact-pattern limit holds; broadcast has no sum */
	assert_int_equal(parse(&o, "--coll reduce -d bfloat16"), 0);
	assert_int_equal(vb_opts_check_job(&o, 64, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(&o, "--coll broadcast -d bfloat16"), 0);
	assert_int_equal(vb_opts_check_job(&o, 64, err, sizeof(err)), 0);
	/* an algorithm that does not build the kind */
	assert_int_equal(parse(&o, "--coll broadcast --algo ring"), 0);
	assert_int_equal(vb_opts_check_job(&o, 4, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "broadcast ring: ring implements allreduce, allgather and reducescatter"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_nccl_options),
		cmocka_unit_test(test_size_syntax),
		cmocka_unit_test(test_fabbench_options),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_channels_nccl),
		cmocka_unit_test(test_master),
		cmocka_unit_test(test_describe_diff),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_device_list),
		cmocka_unit_test(test_job_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
