/*
 * Command line parsing for fabbench. Short options follow nccl-tests so
 * that existing scripts carry over; everything fabbench adds is a long
 * option. The one clash, -d, keeps its nccl-tests meaning (data type) and
 * the RDMA device moves to -D/--device.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/busbw.h"
#include "verbs/opts.h"

enum {
	OPT_COLL = 256,
	OPT_ALGO,
	OPT_CHANNELS,
	OPT_GPN,
	OPT_TRANSPORT,
	OPT_JSON,
	OPT_CSV,
	OPT_MIN_BUSBW,
	OPT_BASELINE,
	OPT_P2P,
	OPT_IB_PORT,
	OPT_TC,
	OPT_QPS,
	OPT_CHUNK,
	OPT_DEPTH,
	OPT_RANK,
	OPT_NRANKS,
	OPT_MASTER,
};

static const struct option long_opts[] = {
	{ "minbytes", required_argument, NULL, 'b' },
	{ "maxbytes", required_argument, NULL, 'e' },
	{ "stepfactor", required_argument, NULL, 'f' },
	{ "stepbytes", required_argument, NULL, 'i' },
	{ "iters", required_argument, NULL, 'n' },
	{ "warmup_iters", required_argument, NULL, 'w' },
	{ "check", required_argument, NULL, 'c' },
	{ "op", required_argument, NULL, 'o' },
	{ "datatype", required_argument, NULL, 'd' },
	{ "average", required_argument, NULL, 'a' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "device", required_argument, NULL, 'D' },
	{ "gid-index", required_argument, NULL, 'x' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "coll", required_argument, NULL, OPT_COLL },
	{ "algo", required_argument, NULL, OPT_ALGO },
	{ "channels", required_argument, NULL, OPT_CHANNELS },
	{ "gpus-per-server", required_argument, NULL, OPT_GPN },
	{ "transport", required_argument, NULL, OPT_TRANSPORT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "min-busbw", required_argument, NULL, OPT_MIN_BUSBW },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "p2p", no_argument, NULL, OPT_P2P },
	{ "ib-port", required_argument, NULL, OPT_IB_PORT },
	{ "tc", required_argument, NULL, OPT_TC },
	{ "qps", required_argument, NULL, OPT_QPS },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "rank", required_argument, NULL, OPT_RANK },
	{ "nranks", required_argument, NULL, OPT_NRANKS },
	{ "master", required_argument, NULL, OPT_MASTER },
	{ NULL, 0, NULL, 0 },
};

static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void vb_opts_default(struct vb_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_bytes = 32ull << 20;
	o->max_bytes = 32ull << 20;
	o->step_factor = 1;
	o->step_bytes = 1ull << 20;
	o->iters = 20;
	o->warmup_iters = 1;
	o->check = true;
	o->redop = COLL_RED_SUM;
	o->dtype = COLL_DT_FLOAT32;
	o->average = VB_AVG_MEAN;
	o->kind = COLL_ALLREDUCE;
	o->algo = COLL_ALGO_RING;
	o->nchannels = 1;
	o->transport = VB_TRANSPORT_VERBS;
	o->min_busbw_gbps = -1.0;
	o->timeout_s = 30;
	o->ib_port = 0;
	o->gid_index = -1;
	o->tclass = -1;
	o->qps = 1;
	o->chunk_bytes = 128 << 10;
	o->depth = 8;
	o->rank = -1;
	o->nranks = -1;
}

/* Whole decimal number in [lo, hi]. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *v)
{
	uint64_t x;

	if (parse_u64(s, lo, hi, &x))
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int parse_size(const char *s, uint64_t *v)
{
	return coll_size_parse(s, v);
}

static int parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || *v < 0)
		return -EINVAL;
	return 0;
}

static int parse_transport(const char *s, enum vb_transport_kind *t)
{
	if (!strcmp(s, "verbs") || !strcmp(s, "ib") || !strcmp(s, "rdma"))
		*t = VB_TRANSPORT_VERBS;
	else if (!strcmp(s, "tcp"))
		*t = VB_TRANSPORT_TCP;
	else
		return -EINVAL;
	return 0;
}

/* Options that take a value and name it in the error message. */
static int parse_value(struct vb_opts *o, int c, const char *arg, bool *algo_set)
{
	uint32_t u;
	int v;

	switch (c) {
	case 'b': return parse_size(arg, &o->min_bytes);
	case 'e': return parse_size(arg, &o->max_bytes);
	case 'f': return parse_u64(arg, 1, 1u << 20, &o->step_factor);
	case 'i': return parse_size(arg, &o->step_bytes);
	case 'n': return parse_u32(arg, 1, 100000000, &o->iters);
	case 'w': return parse_u32(arg, 0, 100000000, &o->warmup_iters);
	case 'c':
		if (parse_u32(arg, 0, 1, &u))
			return -EINVAL;
		o->check = u;
		return 0;
	case 'o':
		v = coll_redop_from_name(arg);
		if (v < 0)
			return -EINVAL;
		o->redop = (enum coll_redop)v;
		return 0;
	case 'd':
		v = coll_dtype_from_name(arg);
		if (v < 0)
			return -EINVAL;
		o->dtype = (enum coll_dtype)v;
		return 0;
	case 'a':
		if (parse_u32(arg, 0, 3, &u))
			return -EINVAL;
		o->average = (enum vb_average)u;
		return 0;
	case 'T': return parse_u32(arg, 1, 86400, &o->timeout_s);
	case 'D':
		o->device = arg;
		return *arg ? 0 : -EINVAL;
	case 'x':
		if (parse_u32(arg, 0, 65535, &u))
			return -EINVAL;
		o->gid_index = (int)u;
		return 0;
	case OPT_COLL:
		v = coll_kind_from_name(arg);
		if (v < 0)
			return -EINVAL;
		o->kind = (enum coll_kind)v;
		if (!*algo_set)
			o->algo = coll_default_algo(o->kind);
		return 0;
	case OPT_ALGO:
		v = coll_algo_from_name(arg);
		if (v < 0)
			return -EINVAL;
		o->algo = (enum coll_algo)v;
		*algo_set = true;
		return 0;
	case OPT_CHANNELS: return parse_u32(arg, 1, 64, &o->nchannels);
	case OPT_GPN: return parse_u32(arg, 0, VB_MAX_RANKS, &o->gpus_per_server);
	case OPT_TRANSPORT: return parse_transport(arg, &o->transport);
	case OPT_JSON:
		o->json_path = arg;
		return 0;
	case OPT_CSV:
		o->csv_path = arg;
		return 0;
	case OPT_MIN_BUSBW: return parse_double(arg, &o->min_busbw_gbps);
	case OPT_BASELINE:
		if (strcmp(arg, "mpi"))
			return -EINVAL;
		o->baseline_mpi = true;
		return 0;
	case OPT_IB_PORT: return parse_u32(arg, 1, 255, &o->ib_port);
	case OPT_TC:
		if (parse_u32(arg, 0, 255, &u))
			return -EINVAL;
		o->tclass = (int)u;
		return 0;
	case OPT_QPS: return parse_u32(arg, 1, 16, &o->qps);
	case OPT_CHUNK: return parse_size(arg, &o->chunk_bytes);
	case OPT_DEPTH: return parse_u32(arg, 1, 1024, &o->depth);
	case OPT_RANK:
		if (parse_u32(arg, 0, VB_MAX_RANKS - 1, &u))
			return -EINVAL;
		o->rank = (int)u;
		return 0;
	case OPT_NRANKS:
		if (parse_u32(arg, 1, VB_MAX_RANKS, &u))
			return -EINVAL;
		o->nranks = (int)u;
		return 0;
	case OPT_MASTER:
		o->master = arg;
		return strchr(arg, ':') ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static const char *opt_name(int c, char *buf, size_t len)
{
	const struct option *lo;

	for (lo = long_opts; lo->name; lo++)
		if (lo->val == c) {
			if (c < 256)
				snprintf(buf, len, "-%c/--%s", c, lo->name);
			else
				snprintf(buf, len, "--%s", lo->name);
			return buf;
		}
	snprintf(buf, len, "-%c", c);
	return buf;
}

static int check_consistency(const struct vb_opts *o, char *err, size_t len)
{
	if (o->min_bytes > o->max_bytes)
		return bad(err, len, "-b (%llu) is larger than -e (%llu)",
			   (unsigned long long)o->min_bytes,
			   (unsigned long long)o->max_bytes);
	if (o->step_factor <= 1 && !o->step_bytes && o->min_bytes != o->max_bytes)
		return bad(err, len, "-i 0 with -f 1 would never reach -e");
	if (o->chunk_bytes < 64 || o->chunk_bytes > (1ull << 30))
		return bad(err, len, "--chunk must be between 64 B and 1 GiB");
	if ((o->rank >= 0) != (o->nranks >= 0))
		return bad(err, len, "--rank and --nranks go together");
	if (o->rank >= 0 && o->rank >= o->nranks)
		return bad(err, len, "--rank %d is not below --nranks %d", o->rank,
			   o->nranks);
	if (o->nranks > 1 && !o->master)
		return bad(err, len, "--nranks %d needs --master HOST:PORT (rank 0's address)",
			   o->nranks);
	return 0;
}

int vb_opts_parse(struct vb_opts *o, int argc, char **argv, char *err,
		  size_t err_len)
{
	static const char *shorts = ":b:e:f:i:n:w:c:o:d:a:T:D:x:qhV";
	bool algo_set = false;
	char name[48];
	int c;

	vb_opts_default(o);
	optind = 0;		/* GNU: full reset, so tests can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			o->help = true;
			continue;
		case 'V':
			o->version = true;
			continue;
		case 'q':
			o->quiet = true;
			continue;
		case OPT_P2P:
			o->p2p = true;
			continue;
		case '?':
			if (optopt)
				return bad(err, err_len, "unknown option -%c", optopt);
			return bad(err, err_len, "unknown option %s", argv[optind - 1]);
		case ':':
			return bad(err, err_len, "option %s needs a value",
				   argv[optind - 1]);
		}
		if (parse_value(o, c, optarg, &algo_set))
			return bad(err, err_len, "bad value '%s' for %s", optarg,
				   opt_name(c, name, sizeof(name)));
	}
	if (optind < argc)
		return bad(err, err_len, "unexpected argument '%s'", argv[optind]);
	return check_consistency(o, err, err_len);
}

int vb_opts_check_job(const struct vb_opts *o, uint32_t nranks, char *err,
		      size_t err_len)
{
	struct coll_params p = {
		.kind = o->kind, .algo = o->algo, .nranks = nranks,
		.bytes = 0, .elem_bytes = (uint32_t)coll_dtype_bytes(o->dtype),
		.nchannels = o->nchannels, .gpus_per_server = o->gpus_per_server,
	};
	const char *why = coll_params_error(&p);
	bool reduces = o->kind == COLL_ALLREDUCE || o->kind == COLL_REDUCESCATTER;

	if (nranks < 2)
		return bad(err, err_len, "needs at least 2 ranks (got %u)", nranks);
	if (why)
		return bad(err, err_len, "%s %s: %s", coll_kind_name(o->kind),
			   coll_algo_name(o->algo), why);
	if (o->check && reduces && nranks > coll_pattern_max_ranks(o->dtype, o->redop))
		return bad(err, err_len,
			   "-c 1 with %s %s is exact for at most %u ranks; use -c 0 or another -d",
			   coll_dtype_name(o->dtype), coll_redop_name(o->redop),
			   coll_pattern_max_ranks(o->dtype, o->redop));
	return 0;
}

int vb_opts_sizes(const struct vb_opts *o, uint64_t *sizes, uint32_t cap)
{
	uint64_t elem = coll_dtype_bytes(o->dtype), size, s;
	uint32_t n = 0;

	if (!elem)
		return -EINVAL;
	for (size = o->min_bytes; size <= o->max_bytes;) {
		s = size / elem * elem;
		if (s && (!n || sizes[n - 1] != s)) {
			if (n == cap)
				return -EINVAL;
			sizes[n++] = s;
		}
		if (o->step_factor > 1) {
			if (!size || size > UINT64_MAX / o->step_factor)
				break;
			size *= o->step_factor;
		} else {
			if (!o->step_bytes || size > UINT64_MAX - o->step_bytes)
				break;
			size += o->step_bytes;
		}
	}
	return (int)n;
}

void vb_opts_device(const char *spec, uint32_t rank, char *out, size_t len)
{
	const char *p, *comma;
	uint32_t n = 1, i;

	out[0] = '\0';
	if (!spec || !*spec || !len)
		return;
	for (p = spec; (p = strchr(p, ',')); p++)
		n++;
	p = spec;
	for (i = 0; i < rank % n; i++)
		p = strchr(p, ',') + 1;
	comma = strchr(p, ',');
	snprintf(out, len, "%.*s", (int)(comma ? (size_t)(comma - p) : strlen(p)), p);
}

const char *vb_transport_name(enum vb_transport_kind t)
{
	return t == VB_TRANSPORT_TCP ? "tcp" : "verbs";
}

const char *vb_average_name(enum vb_average a)
{
	static const char *names[] = { "rank0", "avg", "min", "max" };

	return (unsigned int)a < 4 ? names[a] : "?";
}

void vb_opts_usage(FILE *f, const char *prog)
{
	fprintf(f,
"usage: %s [options]              (mpirun -np N %s ... or --rank/--nranks/--master)\n"
"Runs a collective schedule (collectives/) over RDMA verbs or TCP and reports\n"
"nccl-tests style bandwidth. Sizes take binary suffixes (K = 1024).\n"
"\n"
"nccl-tests options:\n"
"  -b, --minbytes SIZE      smallest size (default 32M)\n"
"  -e, --maxbytes SIZE      largest size (default 32M)\n"
"  -f, --stepfactor N       multiply the size by N each step (default 1: add -i)\n"
"  -i, --stepbytes SIZE     add SIZE each step when -f is 1 (default 1M)\n"
"  -n, --iters N            timed iterations (default 20)\n"
"  -w, --warmup_iters N     untimed iterations first (default 1)\n"
"  -c, --check 0|1          check results against the pattern (default 1)\n"
"  -o, --op sum|prod|min|max  reduction (default sum)\n"
"  -d, --datatype TYPE      float, half, bfloat16, double, int32, int64 (default float)\n"
"                           (as in nccl-tests; the RDMA device is -D/--device)\n"
"  -a, --average 0|1|2|3    time reported: 0 rank 0, 1 mean, 2 min, 3 max over ranks (default 1)\n"
"collective:\n"
"  --coll allreduce|allgather|reducescatter|alltoall   (default allreduce)\n"
"  --algo ring|rhd|tree|hier|pairwise   (default ring; pairwise for alltoall)\n"
"  --channels N             data shares (rings/trees) (default 1)\n"
"  --gpus-per-server N      ranks per server, for hier (default 0: 1 each)\n"
"transport:\n"
"  --transport verbs|tcp    (default verbs)\n"
"  -D, --device NAME[,NAME..]  RDMA device; a list is taken round-robin by rank\n"
"                           (default: first device with an active port)\n"
"  --ib-port N              device port (default: first active)\n"
"  -x, --gid-index N        GID index (default: the RoCEv2 IPv4-mapped GID)\n"
"  --tc N                   traffic class byte, DSCP << 2 (default: device default)\n"
"  --qps N                  QPs per peer, each chunk split across them (default 1)\n"
"  --chunk SIZE             pipelining chunk and receive slot size (default 128K)\n"
"  --depth N                chunks in flight per peer (default 8)\n"
"launch:\n"
"  under mpirun the rank and size come from Open MPI (MPI is used only to\n"
"  exchange connection data); otherwise:\n"
"  --rank R --nranks N --master HOST:PORT   rank 0 listens on HOST:PORT\n"
"  -T, --timeout SECONDS    give up when a peer makes no progress (default 30)\n"
"output:\n"
"  --json FILE, --csv FILE  results (rank 0 writes them); see verbs/README-json.md\n"
"  --min-busbw GBPS         fail (exit 4) when the average busbw is lower\n"
"  --p2p                    also measure rank 0 <-> 1 latency and bandwidth\n"
"  --baseline mpi           also time MPI_Allreduce (needs mpirun)\n"
"  -q, --quiet              no per-rank header lines\n"
"  -h, --help, -V, --version\n"
"exit status: 0 ok, 1 runtime failure (peer died, device error), 2 usage,\n"
"  3 data check failed, 4 average busbw below --min-busbw\n",
		prog, prog);
}
