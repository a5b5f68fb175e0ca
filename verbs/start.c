/*
 * Start-up agreement: judging the cards (see start.h). Pure but for
 * vb_mem_avail_bytes, which reads /proc and /sys.
 */
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/arith.h"
#include "collectives/units.h"
#include "verbs/start.h"

void vb_start_card_init(struct vb_start_card *c, const struct vb_opts *o,
			uint32_t rank, uint32_t nranks, const char *host)
{
	memset(c, 0, sizeof(*c));
	c->magic = VB_START_MAGIC;
	c->rank = rank;
	c->nranks = nranks;
	snprintf(c->host, sizeof(c->host), "%s", host && host[0] ? host : "?");
	vb_opts_describe(o, c->opts, sizeof(c->opts));
	vb_opts_memory(o, nranks, &c->need);
	c->avail_bytes = vb_mem_avail_bytes();
}

void vb_start_card_fail(struct vb_start_card *c, int code, const char *fmt, ...)
{
	va_list ap;

	c->status = code;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

void vb_start_verdict_init(struct vb_start_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->magic = VB_START_MAGIC;
	v->rank = -1;
}

int vb_start_verdict_set(struct vb_start_verdict *v, int code, int rank,
			 enum vb_verdict_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (v->code)
		return v->code;
	v->code = code;
	v->rank = rank;
	v->kind = kind;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	return code;
}

int vb_start_check(const struct vb_start_card *root,
		   const struct vb_start_card *card, struct vb_start_verdict *v)
{
	char why[VB_ERR_LEN];

	if (vb_opts_diff(root->opts, root->rank, card->opts, card->rank, why,
			 sizeof(why)))
		return vb_start_verdict_set(v, 2, (int)card->rank, VB_VERDICT_OPTIONS,
					    "%s", why);
	if (card->status)
		return vb_start_verdict_set(v, card->status, (int)card->rank,
					    VB_VERDICT_STATUS,
					    "peer rank %u (%s) cannot run: %.400s",
					    card->rank, card->host, card->err);
	return 0;
}

static int host_short(const struct vb_start_card *cards, uint32_t n, uint32_t first,
		      struct vb_start_verdict *v)
{
	const struct vb_start_card *c = &cards[first];
	char a[32], b[32], d[32], s[32], t[32];
	uint64_t need = 0, each;
	uint32_t r, on_host = 0;

	for (r = first; r < n; r++) {
		if (strcmp(cards[r].host, c->host))
			continue;
		on_host++;
		each = vb_mem_need_total(&cards[r].need);
		need = need > UINT64_MAX - each ? UINT64_MAX : need + each;
	}
	if (!c->avail_bytes || need <= c->avail_bytes)
		return 0;
	coll_fmt_qty_round(COLL_QTY_SIZE, need, a, sizeof(a));
	coll_fmt_qty_round(COLL_QTY_SIZE, c->avail_bytes, b, sizeof(b));
	coll_fmt_qty_round(COLL_QTY_SIZE, c->need.buf_bytes, d, sizeof(d));
	coll_fmt_qty_round(COLL_QTY_SIZE, c->need.slot_bytes, s, sizeof(s));
	coll_fmt_qty_round(COLL_QTY_SIZE, c->need.sched_bytes, t, sizeof(t));
	return vb_start_verdict_set(v, 1, (int)first, VB_VERDICT_MEMORY,
				    "%u rank%s on %s need %s of memory (each: %s data buffers, %s receive slots, about %s schedule) but %s is available there: start fewer ranks on %s, or lower -e (buffers), --depth or --chunk (slots), or raise --chunk (schedule)",
				    on_host, on_host == 1 ? "" : "s", c->host, a, d, s, t,
				    b, c->host);
}

int vb_start_check_memory(const struct vb_start_card *cards, uint32_t n,
			  struct vb_start_verdict *v)
{
	uint32_t r, q;
	int ret;

	for (r = 0; r < n; r++) {
		/* Each host once, at its lowest rank. */
		for (q = 0; q < r && strcmp(cards[q].host, cards[r].host); q++)
			;
		if (q < r)
			continue;
		ret = host_short(cards, n, r, v);
		if (ret)
			return ret;
	}
	return 0;
}

int vb_start_judge(const struct vb_start_card *cards, uint32_t n,
		   struct vb_start_verdict *v)
{
	uint32_t r;
	int ret;

	for (r = 0; r < n; r++) {
		if (cards[r].magic != VB_START_MAGIC || cards[r].rank != r)
			return vb_start_verdict_set(v, 1, (int)r, VB_VERDICT_LAUNCH,
						    "rank %u sent a garbled start-up card: is it the same fabbench build?",
						    r);
		ret = vb_start_check(&cards[0], &cards[r], v);
		if (ret)
			return ret;
	}
	return vb_start_check_memory(cards, n, v);
}

/* A number from FILE; 0 for "max", a missing file or junk. */
static uint64_t file_value(const char *dir, const char *file)
{
	unsigned long long v = 0;
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	/* cgroup v1 writes "no limit" as about 2^63. */
	return v >= (1ull << 62) ? 0 : v;
}

/*
 * Room left under a cgroup's limit: MOUNT + PATH (its own folder) when
 * visible, else the mount itself (a namespaced container). 0: no limit.
 */
static uint64_t cgroup_room(const char *mount, const char *path,
			    const char *limit_file, const char *usage_file)
{
	char dir[560];
	uint64_t max, cur;

	snprintf(dir, sizeof(dir), "%s%s", mount, strcmp(path, "/") ? path : "");
	max = file_value(dir, limit_file);
	if (!max) {
		snprintf(dir, sizeof(dir), "%s", mount);
		max = file_value(dir, limit_file);
	}
	if (!max)
		return 0;
	cur = file_value(dir, usage_file);
	return max > cur ? max - cur : 1;
}

/* The tightest cgroup (v2 or v1) memory limit of this process; 0: none. */
static uint64_t cgroup_room_bytes(void)
{
	uint64_t best = 0, room;
	char line[512], *path, *nl;
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		path = strchr(line, ':');
		path = path ? strchr(path + 1, ':') : NULL;
		if (!path)
			continue;
		if (!strncmp(line, "0::", 3))
			room = cgroup_room("/sys/fs/cgroup", path + 1, "memory.max",
					   "memory.current");
		else if (strstr(line, ":memory:"))
			room = cgroup_room("/sys/fs/cgroup/memory", path + 1,
					   "memory.limit_in_bytes", "memory.usage_in_bytes");
		else
			continue;
		if (room && (!best || room < best))
			best = room;
	}
	fclose(f);
	return best;
}

uint64_t vb_mem_avail_bytes(void)
{
	uint64_t avail = coll_mem_available_bytes(), room = cgroup_room_bytes();

	if (room && (!avail || room < avail))
		avail = room;
	return avail;
}
