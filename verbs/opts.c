/*
 * Command line parsing for fabbench. Short options follow nccl-tests so
 * that existing scripts carry over; everything fabbench adds is a long
 * option. The one clash, -d, keeps its nccl-tests meaning (data type) and
 * the RDMA device moves to -D/--device.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/units.h"
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
	OPT_P2P_CSV,
	OPT_IB_PORT,
	OPT_TC,
	OPT_QPS,
	OPT_CHUNK,
	OPT_DEPTH,
	OPT_RANK,
	OPT_NRANKS,
	OPT_MASTER,
	OPT_INPLACE,
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
	{ "parallel_init", required_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "coll", required_argument, NULL, OPT_COLL },
	{ "root", required_argument, NULL, 'r' },
	{ "inplace", required_argument, NULL, OPT_INPLACE },
	{ "algo", required_argument, NULL, OPT_ALGO },
	{ "channels", required_argument, NULL, OPT_CHANNELS },
	{ "gpus-per-server", required_argument, NULL, OPT_GPN },
	{ "transport", required_argument, NULL, OPT_TRANSPORT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "min-busbw", required_argument, NULL, OPT_MIN_BUSBW },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "p2p", no_argument, NULL, OPT_P2P },
	{ "p2p-csv", required_argument, NULL, OPT_P2P_CSV },
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
	__attribute__((format(printf, 3, 4)));

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
	o->place = VB_PLACE_BOTH;
	o->nchannels = 1;
	o->transport = VB_TRANSPORT_VERBS;
	o->min_busbw_GBps = -1.0;
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

/*
 * Parsers of one option value, through collectives/units.h like fabsim's
 * options: 0, or -EINVAL with what was wanted in WHY ("a whole number in
 * 1..64"), which the caller puts after the option's name and the value
 * given.
 */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v,
		     char *why, size_t len)
{
	if (coll_parse_qty(COLL_QTY_COUNT, s, lo, hi, v))
		return bad(why, len, "a whole number in %llu..%llu",
			   (unsigned long long)lo, (unsigned long long)hi);
	return 0;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *v,
		     char *why, size_t len)
{
	uint64_t x;

	if (parse_u64(s, lo, hi, &x, why, len))
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* Whole bytes, with binary suffixes and decimals: 1.5M is 1572864. */
static int parse_size(const char *s, uint64_t lo, uint64_t hi, uint64_t *v,
		      char *why, size_t len)
{
	char a[48], b[48];

	if (coll_parse_qty(COLL_QTY_SIZE, s, lo, hi, v)) {
		coll_fmt_qty(COLL_QTY_SIZE, lo, a, sizeof(a));
		coll_fmt_qty(COLL_QTY_SIZE, hi, b, sizeof(b));
		return bad(why, len, "a size in %s..%s (%llu..%llu bytes; suffixes K M G T, K = 1024)",
			   a, b, (unsigned long long)lo, (unsigned long long)hi);
	}
	return 0;
}

/* A finite decimal in [lo, hi]: "nan", "inf", signs and hex are no rates. */
static int parse_double(const char *s, double lo, double hi, double *v,
			char *why, size_t len)
{
	double x;

	if (coll_parse_double(s, &x) || x < lo || x > hi)
		return bad(why, len, "a number in %g..%g", lo, hi);
	*v = x;
	return 0;
}

static int parse_transport(const char *s, enum vb_transport_kind *t, char *why,
			   size_t len)
{
	if (!strcmp(s, "verbs") || !strcmp(s, "ib") || !strcmp(s, "rdma"))
		*t = VB_TRANSPORT_VERBS;
	else if (!strcmp(s, "tcp"))
		*t = VB_TRANSPORT_TCP;
	else
		return bad(why, len, "verbs or tcp");
	return 0;
}

/* NAME from a table of COUNT names (via NAME_OF), listed in WHY when unknown. */
static int parse_name(const char *s, int v, int count, const char *(*name_of)(int),
		      int *out, char *why, size_t len)
{
	size_t used;
	int i;

	if (v >= 0) {
		*out = v;
		return 0;
	}
	used = (size_t)snprintf(why, len, "one of");
	for (i = 0; i < count && used < len; i++)
		used += (size_t)snprintf(why + used, len - used, "%s %s",
					 i ? "," : "", name_of(i));
	return -EINVAL;
}

static const char *redop_name(int i) { return coll_redop_name((enum coll_redop)i); }
static const char *dtype_name(int i) { return coll_dtype_name((enum coll_dtype)i); }
static const char *kind_name(int i) { return coll_kind_name((enum coll_kind)i); }
static const char *algo_name(int i) { return coll_algo_name((enum coll_algo)i); }

static int parse_enum_opt(struct vb_opts *o, int c, const char *arg, bool *algo_set,
			  char *why, size_t len)
{
	int v;

	switch (c) {
	case 'o':
		if (parse_name(arg, coll_redop_from_name(arg), COLL_RED_COUNT,
			       redop_name, &v, why, len))
			return -EINVAL;
		o->redop = (enum coll_redop)v;
		return 0;
	case 'd':
		if (parse_name(arg, coll_dtype_from_name(arg), COLL_DT_COUNT,
			       dtype_name, &v, why, len))
			return -EINVAL;
		o->dtype = (enum coll_dtype)v;
		return 0;
	case OPT_COLL:
		if (parse_name(arg, coll_kind_from_name(arg), COLL_KIND_COUNT,
			       kind_name, &v, why, len))
			return -EINVAL;
		o->kind = (enum coll_kind)v;
		if (!*algo_set)
			o->algo = coll_default_algo(o->kind);
		return 0;
	case OPT_ALGO:
		if (parse_name(arg, coll_algo_from_name(arg), COLL_ALGO_COUNT,
			       algo_name, &v, why, len))
			return -EINVAL;
		o->algo = (enum coll_algo)v;
		*algo_set = true;
		return 0;
	case OPT_TRANSPORT:
		return parse_transport(arg, &o->transport, why, len);
	case OPT_BASELINE:
		if (strcmp(arg, "mpi"))
			return bad(why, len, "mpi");
		o->baseline_mpi = true;
		return 0;
	}
	return bad(why, len, "nothing (internal: unknown option)");
}

/* Host names and IPv4 literals only: what getaddrinfo(AF_INET) can use. */
static bool valid_host(const char *h)
{
	struct in_addr a;
	const char *p;
	bool numeric = true;

	if (!*h || strlen(h) > 253)
		return false;
	for (p = h; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
			return false;
		if (!isdigit((unsigned char)*p) && *p != '.')
			numeric = false;
	}
	/* "127.0.0.300" is no host name either. */
	return !numeric || inet_pton(AF_INET, h, &a) == 1;
}

int vb_opts_split_master(const char *master, char *host, size_t hlen,
			 uint16_t *port, char *err, size_t len)
{
	const char *colon = master ? strrchr(master, ':') : NULL;
	char why[64];
	uint32_t p;

	if (!colon || colon == master || !colon[1])
		return bad(err, len, "bad value '%s' for --master: want HOST:PORT (an IPv4 address or host name, and a port in 1..65535)",
			   master ? master : "");
	if (memchr(master, ':', (size_t)(colon - master)) || master[0] == '[')
		return bad(err, len, "bad value '%s' for --master: IPv6 is not supported; want an IPv4 address or host name",
			   master);
	if (parse_u32(colon + 1, 1, 65535, &p, why, sizeof(why)))
		return bad(err, len, "bad port '%s' in --master %s: want %s",
			   colon + 1, master, why);
	if ((size_t)(colon - master) >= hlen)
		return bad(err, len, "bad value '%s' for --master: the host name is longer than %zu characters",
			   master, hlen - 1);
	snprintf(host, hlen, "%.*s", (int)(colon - master), master);
	if (!valid_host(host))
		return bad(err, len, "bad host '%s' in --master %s: want an IPv4 address (a.b.c.d, each 0..255) or a host name",
			   host, master);
	*port = (uint16_t)p;
	return 0;
}

/*
 * Options that take a value. The ranges are the ones --help documents;
 * they also bound every allocation and loop the values size.
 */
static int parse_value(struct vb_opts *o, int c, const char *arg, bool *algo_set,
		       char *why, size_t len)
{
	char host[256];
	uint16_t port;
	uint32_t u;

	switch (c) {
	case 'b': return parse_size(arg, 0, VB_MAX_BYTES, &o->min_bytes, why, len);
	case 'e': return parse_size(arg, 1, VB_MAX_BYTES, &o->max_bytes, why, len);
	case 'f': return parse_u64(arg, 1, VB_MAX_STEP_FACTOR, &o->step_factor, why, len);
	case 'i': return parse_size(arg, 0, VB_MAX_BYTES, &o->step_bytes, why, len);
	case 'n': return parse_u32(arg, 1, VB_MAX_ITERS, &o->iters, why, len);
	case 'w': return parse_u32(arg, 0, VB_MAX_ITERS, &o->warmup_iters, why, len);
	case 'c':
		if (parse_u32(arg, 0, 1, &u, why, len))
			return -EINVAL;
		o->check = u;
		return 0;
	case 'a':
		if (parse_u32(arg, 0, 3, &u, why, len))
			return -EINVAL;
		o->average = (enum vb_average)u;
		return 0;
	case 'T': return parse_u32(arg, 1, VB_MAX_TIMEOUT_S, &o->timeout_s, why, len);
	case 'r':
		o->root_set = true;
		return parse_u32(arg, 0, VB_MAX_RANKS - 1, &o->root, why, len);
	case OPT_INPLACE:
		if (parse_u32(arg, 0, 2, &u, why, len))
			return -EINVAL;
		o->place = (enum vb_place)u;
		return 0;
	case 'p':
		if (parse_u32(arg, 0, 1, &u, why, len))
			return -EINVAL;
		o->parallel_init = u;
		return 0;
	case 'D':
		o->device = arg;
		if (*arg && strlen(arg) < 256)
			return 0;
		return bad(why, len, "a device name or a comma list of them (up to 255 characters)");
	case 'x':
		if (parse_u32(arg, 0, VB_MAX_GID_INDEX, &u, why, len))
			return -EINVAL;
		o->gid_index = (int)u;
		return 0;
	case OPT_CHANNELS:
		/* 'nccl': as NCCL builds them, known once the ranks are (vb_opts_resolve_channels) */
		if (!strcmp(arg, "nccl")) {
			o->nchannels = 0;
			return 0;
		}
		return parse_u32(arg, 1, VB_MAX_CHANNELS, &o->nchannels, why, len);
	case OPT_GPN: return parse_u32(arg, 0, VB_MAX_RANKS, &o->gpus_per_server, why, len);
	case OPT_JSON:
		o->json_path = arg;
		return *arg ? 0 : bad(why, len, "a file name");
	case OPT_CSV:
		o->csv_path = arg;
		return *arg ? 0 : bad(why, len, "a file name");
	case OPT_P2P_CSV:
		o->p2p_csv_path = arg;
		return *arg ? 0 : bad(why, len, "a file name");
	case OPT_MIN_BUSBW:
		return parse_double(arg, 0, VB_MAX_BUSBW_GBPS, &o->min_busbw_GBps, why, len);
	case OPT_IB_PORT: return parse_u32(arg, 1, 255, &o->ib_port, why, len);
	case OPT_TC:
		if (parse_u32(arg, 0, 255, &u, why, len))
			return -EINVAL;
		o->tclass = (int)u;
		return 0;
	case OPT_QPS: return parse_u32(arg, 1, VB_MAX_QPS, &o->qps, why, len);
	case OPT_CHUNK:
		return parse_size(arg, VB_MIN_CHUNK_BYTES, VB_MAX_CHUNK_BYTES,
				  &o->chunk_bytes, why, len);
	case OPT_DEPTH: return parse_u32(arg, 1, VB_MAX_DEPTH, &o->depth, why, len);
	case OPT_RANK:
		if (parse_u32(arg, 0, VB_MAX_RANKS - 1, &u, why, len))
			return -EINVAL;
		o->rank = (int)u;
		return 0;
	case OPT_NRANKS:
		if (parse_u32(arg, 1, VB_MAX_RANKS, &u, why, len))
			return -EINVAL;
		o->nranks = (int)u;
		return 0;
	case OPT_MASTER:
		o->master = arg;
		/* The caller prints WHY whole: it names the part at fault. */
		return vb_opts_split_master(arg, host, sizeof(host), &port, why, len) ?
		       -E2BIG : 0;
	}
	return parse_enum_opt(o, c, arg, algo_set, why, len);
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

static int check_sweep(const struct vb_opts *o, char *err, size_t len)
{
	uint64_t elem = coll_dtype_bytes(o->dtype);
	uint64_t sizes[VB_MAX_SIZES];
	int n;

	if (o->min_bytes > o->max_bytes)
		return bad(err, len, "-b (%llu) is larger than -e (%llu)",
			   (unsigned long long)o->min_bytes,
			   (unsigned long long)o->max_bytes);
	if (o->max_bytes < elem)
		return bad(err, len, "-e %llu is smaller than one -d %s element (%llu bytes): nothing to measure",
			   (unsigned long long)o->max_bytes, coll_dtype_name(o->dtype),
			   (unsigned long long)elem);
	if (o->step_factor <= 1 && !o->step_bytes && o->min_bytes != o->max_bytes)
		return bad(err, len, "-i 0 with -f 1 would never reach -e");
	if (o->step_factor > 1 && !o->min_bytes && o->max_bytes)
		return bad(err, len, "-b 0 with -f %llu never grows: give -b at least 1",
			   (unsigned long long)o->step_factor);
	n = vb_opts_sizes(o, sizes, VB_MAX_SIZES);
	if (n == -E2BIG)
		return bad(err, len, "-b %llu to -e %llu makes more than %d sizes: raise -f or -i",
			   (unsigned long long)o->min_bytes,
			   (unsigned long long)o->max_bytes, VB_MAX_SIZES);
	if (n <= 0)
		return bad(err, len, "-b %llu to -e %llu holds no whole -d %s element",
			   (unsigned long long)o->min_bytes,
			   (unsigned long long)o->max_bytes, coll_dtype_name(o->dtype));
	return 0;
}

static int check_consistency(const struct vb_opts *o, char *err, size_t len)
{
	int ret = check_sweep(o, err, len);

	if (ret)
		return ret;
	if ((o->rank >= 0) != (o->nranks >= 0))
		return bad(err, len, "--rank and --nranks go together");
	if (o->rank >= 0 && o->rank >= o->nranks)
		return bad(err, len, "--rank %d is not below --nranks %d", o->rank,
			   o->nranks);
	if (o->nranks > 1 && !o->master)
		return bad(err, len, "--nranks %d needs --master HOST:PORT (rank 0's address)",
			   o->nranks);
	if (o->master && o->rank < 0)
		return bad(err, len, "--master needs --rank and --nranks (under mpirun, leave all three out)");
	return 0;
}

int vb_opts_parse(struct vb_opts *o, int argc, char **argv, char *err,
		  size_t err_len)
{
	static const char *shorts = ":b:e:f:i:n:w:c:o:d:a:r:p:T:D:x:qhV";
	char name[48], why[256];
	bool algo_set = false;
	int c, ret;

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
			/* "--p2p all", as perftest users write it: the word is its own argument. */
			o->p2p = true;
			if (optind < argc && !strcmp(argv[optind], "all")) {
				o->p2p_all = true;
				optind++;
			}
			continue;
		case '?':
			if (optopt)
				return bad(err, err_len, "unknown option -%c", optopt);
			return bad(err, err_len, "unknown option %s", argv[optind - 1]);
		case ':':
			return bad(err, err_len, "option %s needs a value",
				   argv[optind - 1]);
		}
		why[0] = '\0';
		ret = parse_value(o, c, optarg, &algo_set, why, sizeof(why));
		if (ret == -E2BIG)
			return bad(err, err_len, "%s", why);
		if (ret)
			return bad(err, err_len, "bad value '%s' for %s: want %s", optarg,
				   opt_name(c, name, sizeof(name)), why);
	}
	if (optind < argc)
		return bad(err, err_len, "unexpected argument '%s'", argv[optind]);
	if (o->root_set && !coll_kind_rooted(o->kind))
		return bad(err, err_len, "-r/--root applies to broadcast and reduce, not %s",
			   coll_kind_name(o->kind));
	if (o->p2p_csv_path && !o->p2p_all)
		return bad(err, err_len, "--p2p-csv needs --p2p all");
	return check_consistency(o, err, err_len);
}

void vb_opts_resolve_channels(struct vb_opts *o, uint32_t nranks)
{
	struct coll_params p = {
		.kind = o->kind, .algo = o->algo, .nranks = nranks,
		.gpus_per_server = o->gpus_per_server,
	};

	if (!o->nchannels)
		o->nchannels = coll_default_channels(&p);
}

int vb_opts_check_job(const struct vb_opts *o, uint32_t nranks, char *err,
		      size_t err_len)
{
	struct coll_params p = {
		.kind = o->kind, .algo = o->algo, .nranks = nranks,
		.bytes = 0, .elem_bytes = (uint32_t)coll_dtype_bytes(o->dtype),
		.nchannels = o->nchannels, .gpus_per_server = o->gpus_per_server,
		.root = o->root,
	};
	const char *why = coll_params_error(&p);
	bool reduces = o->kind == COLL_ALLREDUCE || o->kind == COLL_REDUCESCATTER ||
		       o->kind == COLL_REDUCE;

	if (nranks < 2)
		return bad(err, err_len, "needs at least 2 ranks (got %u)", nranks);
	if (coll_kind_rooted(o->kind) && o->root >= nranks)
		return bad(err, err_len, "--root %u is not a rank: want 0..%u (%u ranks)",
			   o->root, nranks - 1, nranks);
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
				return -E2BIG;
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

/* Appends " NAME=VALUE" to BUF. */
static void desc_add(char *buf, size_t len, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void desc_add(char *buf, size_t len, const char *name, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used >= len)
		return;
	used += (size_t)snprintf(buf + used, len - used, "%s%s=", used ? " " : "", name);
	if (used >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void vb_opts_describe(const struct vb_opts *o, char *buf, size_t len)
{
	bool sweep = o->min_bytes != o->max_bytes;
	bool by_factor = o->step_factor > 1;

	if (!len)
		return;
	buf[0] = '\0';
	desc_add(buf, len, "minbytes", "%llu", (unsigned long long)o->min_bytes);
	desc_add(buf, len, "maxbytes", "%llu", (unsigned long long)o->max_bytes);
	/* Steps that cannot change the sweep do not need to agree. */
	if (sweep)
		desc_add(buf, len, "stepfactor", "%llu", (unsigned long long)o->step_factor);
	else
		desc_add(buf, len, "stepfactor", "(unused)");
	if (sweep && !by_factor)
		desc_add(buf, len, "stepbytes", "%llu", (unsigned long long)o->step_bytes);
	else
		desc_add(buf, len, "stepbytes", "(unused)");
	desc_add(buf, len, "iters", "%u", o->iters);
	desc_add(buf, len, "warmup_iters", "%u", o->warmup_iters);
	desc_add(buf, len, "check", "%d", o->check);
	desc_add(buf, len, "op", "%s", coll_redop_name(o->redop));
	desc_add(buf, len, "datatype", "%s", coll_dtype_name(o->dtype));
	desc_add(buf, len, "coll", "%s", coll_kind_name(o->kind));
	desc_add(buf, len, "algo", "%s", coll_algo_name(o->algo));
	desc_add(buf, len, "root", "%u", o->root);
	desc_add(buf, len, "inplace", "%d", (int)o->place);
	desc_add(buf, len, "channels", "%u", o->nchannels);
	desc_add(buf, len, "gpus-per-server", "%u", o->gpus_per_server);
	desc_add(buf, len, "transport", "%s", vb_transport_name(o->transport));
	desc_add(buf, len, "chunk", "%llu", (unsigned long long)o->chunk_bytes);
	desc_add(buf, len, "depth", "%u", o->depth);
	desc_add(buf, len, "qps", "%u", o->qps);
	desc_add(buf, len, "parallel_init", "%d", o->parallel_init);
	desc_add(buf, len, "p2p", "%s", o->p2p_all ? "all" : o->p2p ? "on" : "off");
	desc_add(buf, len, "baseline", "%s", o->baseline_mpi ? "mpi" : "none");
}

/* Next "NAME=VALUE" token of *P: NAME and VALUE as (pointer, length). */
static bool desc_next(const char **p, const char **name, int *nlen,
		      const char **val, int *vlen)
{
	const char *s = *p, *eq, *end;

	while (*s == ' ')
		s++;
	if (!*s)
		return false;
	end = strchr(s, ' ');
	if (!end)
		end = s + strlen(s);
	eq = memchr(s, '=', (size_t)(end - s));
	if (!eq)
		eq = end;
	*name = s;
	*nlen = (int)(eq - s);
	*val = eq < end ? eq + 1 : end;
	*vlen = (int)(end - *val);
	*p = end;
	return true;
}

int vb_opts_diff(const char *a, uint32_t rank_a, const char *b, uint32_t rank_b,
		 char *err, size_t len)
{
	const char *na = "", *nb = "", *va = "", *vb = "";
	int nla = 0, nlb = 0, vla = 0, vlb = 0;
	bool ha, hb;

	for (;;) {
		ha = desc_next(&a, &na, &nla, &va, &vla);
		hb = desc_next(&b, &nb, &nlb, &vb, &vlb);
		if (!ha && !hb)
			return 0;
		if (ha != hb || nla != nlb || memcmp(na, nb, (size_t)nla))
			return bad(err, len, "rank %u and rank %u run different fabbench versions (their option lists differ): use the same build everywhere",
				   rank_a, rank_b);
		if (vla != vlb || memcmp(va, vb, (size_t)vla))
			return bad(err, len, "option --%.*s differs: rank %u has %.*s, rank %u has %.*s; every rank needs the same value",
				   nla, na, rank_a, vla, va, rank_b, vlb, vb);
	}
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

uint64_t vb_opts_buf_bytes(const struct vb_opts *o, uint64_t largest_bytes)
{
	/* 2S for alltoall and sendrecv; sizes stop at VB_MAX_BYTES, far from overflow */
	uint64_t b = coll_kind_buf_bytes(o->kind, largest_bytes);

	return b < 64 ? 64 : b;
}

/*
 * Transfers of the largest schedule, over-estimated from how the
 * collectives/ builders cut data: chunked ones (ring, tree, hier) cut every
 * rank's share into --chunk pieces at each of their 2(n - 1) (allreduce)
 * or n - 1 steps; the others (rhd, pairwise) move whole blocks, at most n^2.
 */
static uint64_t sched_pieces(const struct vb_opts *o, uint32_t nranks, uint64_t largest)
{
	const struct coll_algo_ops *ops = coll_algo_ops(o->algo);
	uint64_t n = nranks, steps = 0, chunks;

	if (ops && ops->chunked)
		steps = o->kind == COLL_ALLREDUCE ? 2 * (n - (n > 0)) :
			o->kind == COLL_SENDRECV ? n : n - (n > 0);
	chunks = sat_add(largest / o->chunk_bytes + 1, o->nchannels);
	return sat_add(n * n, sat_mul(steps, chunks));
}

void vb_opts_memory(const struct vb_opts *o, uint32_t nranks, struct vb_mem_need *m)
{
	uint64_t sizes[VB_MAX_SIZES];
	int n = vb_opts_sizes(o, sizes, VB_MAX_SIZES);
	uint64_t largest = n > 0 ? sizes[n - 1] : 0;
	/* TCP keeps slots per peer; verbs one block for all, its own unused. */
	uint64_t peers = o->transport == VB_TRANSPORT_TCP ? nranks - (nranks > 0) : nranks;

	/* The data buffer, the check's scratch copy and, out of place, the input. */
	m->buf_bytes = n > 0 ? sat_mul(o->place == VB_PLACE_IN ? 2 : 3, vb_opts_buf_bytes(o, largest)) : 0;
	m->slot_bytes = sat_mul(sat_mul(peers, o->depth), o->chunk_bytes);
	m->sched_bytes = sat_mul(sched_pieces(o, nranks, largest), VB_SCHED_BYTES_PER_PIECE);
}

uint64_t vb_mem_need_total(const struct vb_mem_need *m)
{
	return sat_add(sat_add(m->buf_bytes, m->slot_bytes), m->sched_bytes);
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
	char algos[128];

	fprintf(f,
"usage: %s [options]              (mpirun -np N %s ... or --rank/--nranks/--master)\n"
"Runs a collective schedule (collectives/) over RDMA verbs or TCP and reports\n"
"nccl-tests style bandwidth. SIZE takes binary suffixes K M G T (K = 1024)\n"
"and decimals that come to whole bytes (1.5M = 1572864), as fabsim's sizes.\n"
"Every value is checked against the range in brackets before anything runs.\n"
"\n"
"nccl-tests options:\n"
"  -b, --minbytes SIZE      smallest size [0..1T] (default 32M)\n"
"  -e, --maxbytes SIZE      largest size [1..1T] (default 32M)\n"
"  -f, --stepfactor N       multiply the size by N each step [1..1048576]\n"
"                           (default 1: add -i)\n"
"  -i, --stepbytes SIZE     add SIZE each step when -f is 1 [0..1T] (default 1M);\n"
"                           the sweep may hold at most 256 sizes\n"
"  -n, --iters N            timed iterations [1..100000000] (default 20)\n"
"  -w, --warmup_iters N     untimed iterations first [0..100000000] (default 1)\n"
"  -c, --check 0|1          check results against the pattern (default 1)\n"
"  -o, --op sum|prod|min|max  reduction (default sum)\n"
"  -d, --datatype TYPE      float, half, bfloat16, double, int32, int64 (default float)\n"
"                           (as in nccl-tests; the RDMA device is -D/--device)\n"
"  -a, --average 0|1|2|3    time reported: 0 rank 0, 1 mean, 2 min, 3 max over ranks (default 1)\n"
"  -r, --root N             root rank of broadcast and reduce [0..ranks-1] (default 0)\n"
"  -p, --parallel_init 0|1  connect to all peers at once (1) or one after\n"
"                           another (0, default); the header's '# init' line\n"
"                           and the JSON's init_ms show the set-up time\n"
"collective:\n"
"  --coll allreduce|allgather|reducescatter|all-to-all|broadcast|reduce|sendrecv\n"
"                           (default allreduce; alltoall is all-to-all);\n"
"                           sendrecv: rank r sends S bytes to r+1 and receives\n"
"                           S bytes from r-1, as nccl-tests\n"
"  --algo %s\n"
"                           (default ring; pairwise for all-to-all, chain for\n"
"                           broadcast and reduce, p2p for sendrecv)\n"
"  --inplace 0|1|2          0 out of place only, 1 in place only, 2 both\n"
"                           (default 2: nccl-tests' out-of-place columns, then\n"
"                           its in-place ones); out of place reads a separate\n"
"                           input buffer, with the same network traffic\n"
"  --channels N|nccl        data shares (rings/trees) [1..64] (default 1); nccl:\n"
"                           as NCCL builds them, one ring or tree per NIC of a\n"
"                           server with --gpus-per-server (as fabsim runs them)\n"
"  --gpus-per-server N      ranks per server, for hier [0..1024] (default 0: 1 each)\n"
"transport:\n"
"  --transport verbs|tcp    (default verbs)\n"
"  -D, --device NAME[,NAME..]  RDMA device; a list is taken round-robin by rank\n"
"                           (default: first device with an active port)\n"
"  --ib-port N              device port [1..255] (default: first active)\n"
"  -x, --gid-index N        GID index [0..65535] (default: the RoCEv2 IPv4-mapped GID)\n"
"  --tc N                   traffic class byte, DSCP << 2 [0..255] (default: device default)\n"
"  --qps N                  QPs per peer, each chunk split across them [1..16] (default 1)\n"
"  --chunk SIZE             pipelining chunk and receive slot size [64..1G] (default 128K)\n"
"  --depth N                chunks in flight per peer [1..1024] (default 8)\n"
"launch:\n"
"  under mpirun the rank and size come from Open MPI (MPI is used only to\n"
"  exchange connection data); otherwise:\n"
"  --rank R --nranks N --master HOST:PORT   rank 0 listens on HOST:PORT\n"
"                           R in 0..N-1, N in [1..1024], HOST an IPv4 address or\n"
"                           host name, PORT in [1..65535]\n"
"  -T, --timeout SECONDS    give up when a peer makes no progress [1..86400] (default 30)\n"
"  At start-up the ranks compare the options that must agree (sizes, -n, -w,\n"
"  -c, -o, -d, -r, -p, --coll, --algo, --inplace, --channels,\n"
"  --gpus-per-server, --transport, --chunk, --depth, --qps, --p2p, --baseline),\n"
"  each rank's readiness (RDMA device, output files) and the memory the ranks\n"
"  of each host need against what it has; any mismatch or failure stops every\n"
"  rank at once.\n"
"  fabbench-run(1) starts the ranks on a list of hosts over ssh.\n"
"output:\n"
"  --json FILE, --csv FILE  results (rank 0 writes them); see verbs/README-json.md\n"
"  --min-busbw GBPS         fail (exit 4) when the average busbw is lower than\n"
"                           GBPS GB/s [0..1000000]\n"
"  --p2p                    also measure rank 0 <-> 1 latency (percentiles over\n"
"                           1000 ping-pongs) and one- and two-way bandwidth\n"
"  --p2p all                the same for every pair of ranks, one pair at a time:\n"
"                           latency and bandwidth matrices and the slowest pair\n"
"  --p2p-csv FILE           with --p2p all: one row per pair (rank 0 writes it)\n"
"  --baseline mpi           also time MPI_Allreduce (needs mpirun)\n"
"  -q, --quiet              no per-rank header lines\n"
"  -h, --help, -V, --version\n"
"exit status: 0 ok, 1 runtime failure (peer died, device error, not enough\n"
"  memory), 2 usage (bad option, options differ between ranks), 3 data check\n"
"  failed, 4 average busbw below --min-busbw\n",
		prog, prog, coll_algo_names(algos, sizeof(algos), "|", "|"));
}
