/*
 * fabbench entry point: parse the command line, join the job (mpirun or
 * --rank/--nranks/--master), connect the transport, run the sweep, and map
 * every failure to one line naming this rank, its host and device, plus
 * the documented exit code.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verbs/bench.h"
#include "verbs/boot.h"
#include "verbs/man.h"
#include "verbs/opts.h"
#include "verbs/transport.h"

static const char *prog = "fabbench";

static int usage_error(const char *msg, int rank)
{
	if (rank <= 0)
		fprintf(stderr, "%s: %s (see --help)\n", prog, msg);
	return VB_EXIT_USAGE;
}

static void report_failure(const struct vb_boot *b, const struct vb_opts *o,
			   const char *device, const char *msg)
{
	if (o->transport == VB_TRANSPORT_VERBS && device && device[0])
		fprintf(stderr, "%s: rank %u (%s, %s): %s\n", prog, b->rank, b->host,
			device, msg);
	else
		fprintf(stderr, "%s: rank %u (%s): %s\n", prog, b->rank, b->host, msg);
}

static int connect_transport(struct vb_boot *b, const struct vb_opts *o,
			     struct vb_link_info *info, struct vb_tr **tr,
			     char *err, size_t len)
{
	if (o->transport == VB_TRANSPORT_TCP)
		return vb_tcp_create(b, o, info, tr, err, len);
	return vb_ib_create(b, o, info, tr, err, len);
}

/*
 * An output file rank 0 could not write at the end would waste the whole
 * measurement: try it now. A file that did not exist is removed again.
 */
static int check_output(const char *path, const char *opt, char *err, size_t len)
{
	bool existed;
	FILE *f;
	int ret;

	if (!path)
		return 0;
	existed = !access(path, F_OK);
	f = fopen(path, "a");
	if (!f || fclose(f)) {
		ret = -errno;
		snprintf(err, len, "cannot write %s %s: %s", opt, path, strerror(-ret));
		return ret;
	}
	if (!existed && remove(path)) {
		ret = -errno;
		snprintf(err, len, "cannot remove the test file %s %s: %s", opt, path,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * Whatever this rank can find out alone before the job starts: the job
 * checks, its RDMA device, rank 0's output files. Said at once, and put in
 * the start-up card so that the other ranks learn it too.
 */
static void preflight(const struct vb_boot *b, const struct vb_opts *o,
		      struct vb_start_card *card)
{
	char err[VB_ERR_LEN] = "", dev[256];

	vb_start_card_init(card, o, b->rank, b->nranks, b->host);
	if (vb_opts_check_job(o, b->nranks, err, sizeof(err))) {
		vb_start_card_fail(card, VB_EXIT_USAGE, "%s", err);
		usage_error(err, (int)b->rank);
		return;
	}
	if (o->transport == VB_TRANSPORT_VERBS &&
	    vb_ib_probe(o, b->rank, dev, sizeof(dev), err, sizeof(err))) {
		vb_start_card_fail(card, VB_EXIT_RUNTIME, "%s", err);
		report_failure(b, o, dev, err);
		return;
	}
	if (!b->rank && (check_output(o->json_path, "--json", err, sizeof(err)) ||
			 check_output(o->csv_path, "--csv", err, sizeof(err)) ||
			 check_output(o->p2p_csv_path, "--p2p-csv", err, sizeof(err)))) {
		vb_start_card_fail(card, VB_EXIT_RUNTIME, "%s", err);
		report_failure(b, o, NULL, err);
	}
}

static int run(struct vb_boot *b, const struct vb_opts *o)
{
	struct vb_link_info info = { 0 };
	char err[VB_ERR_LEN] = "", dev[256];
	struct vb_tr *tr = NULL;
	int code;

	vb_opts_device(o->device, b->rank, dev, sizeof(dev));
	if (connect_transport(b, o, &info, &tr, err, sizeof(err))) {
		report_failure(b, o, info.device[0] ? info.device : dev, err);
		return VB_EXIT_RUNTIME;
	}
	code = vb_bench_run(o, b, tr, &info, err, sizeof(err));
	if (code == VB_EXIT_RUNTIME || (code && !b->rank))
		report_failure(b, o, info.device, err);
	if (code == VB_EXIT_RUNTIME) {
		/*
		 * Keep our connections up a moment: the other survivors
		 * should see the peer that died, not us leaving.
		 */
		usleep(500 * 1000);
	}
	tr->ops->destroy(tr);
	return code;
}

int main(int argc, char **argv)
{
	struct vb_start_card card;
	char err[VB_ERR_LEN];
	struct vb_boot b;
	struct vb_opts o;
	int code, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--man"))
		return vb_man_page(prog);
	if (vb_opts_parse(&o, argc, argv, err, sizeof(err)))
		return usage_error(err, vb_boot_env_rank());
	if (o.help) {
		vb_opts_usage(stdout, prog);
		return VB_EXIT_OK;
	}
	if (o.version) {
		printf("fabbench %s\n", FAB_VERSION);
		return VB_EXIT_OK;
	}
	if (o.baseline_mpi && !vb_boot_under_mpi())
		return usage_error("--baseline mpi needs an mpirun launch", -1);
	ret = vb_boot_init(&b, &o, &argc, &argv);
	if (ret) {
		code = ret == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_RUNTIME;
		if (code == VB_EXIT_USAGE)
			usage_error(b.err, -1);
		else
			report_failure(&b, &o, NULL, b.err);
		vb_boot_fini(&b, code);
		return code;
	}
	vb_opts_resolve_channels(&o, b.nranks);
	preflight(&b, &o, &card);
	code = vb_boot_join(&b, &card);
	if (code && b.err[0])
		report_failure(&b, &o, NULL, b.err);
	if (!code)
		code = run(&b, &o);
	vb_boot_fini(&b, code);
	return code;
}
