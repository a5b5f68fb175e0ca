/*
 * Data check (see check.h). Result regions per kind follow the buffer
 * layout of collectives/sched.h: the whole buffer for allreduce, block
 * RANK for reducescatter, every block for allgather, the receive half for
 * alltoall and sendrecv, the whole buffer for broadcast (the root's data)
 * and, on the root only, for reduce. Poison is 0xff bytes (a NaN or -1):
 * never a valid result.
 */
#include <string.h>

#include "verbs/check.h"

static void fill_range(uint8_t *buf, uint64_t off, uint64_t len, enum coll_dtype dt,
		       enum coll_redop op, uint32_t rank)
{
	uint64_t e = coll_dtype_bytes(dt);

	coll_pattern_fill(buf + off, len / e, dt, op, rank, off / e);
}

void vb_check_fill(const struct coll_sched *s, uint8_t *buf, uint32_t rank,
		   enum coll_dtype dt, enum coll_redop op)
{
	uint64_t off, len;

	switch (s->kind) {
	case COLL_ALLGATHER:
		memset(buf, 0xff, s->buf_bytes);
		coll_block_range(s, rank, &off, &len);
		fill_range(buf, off, len, dt, op, rank);
		break;
	case COLL_ALLTOALL:
	case COLL_SENDRECV:
		fill_range(buf, 0, s->bytes, dt, op, rank);
		memset(buf + s->bytes, 0xff, s->buf_bytes - s->bytes);
		break;
	case COLL_BROADCAST:
		if (rank == s->root)
			fill_range(buf, 0, s->bytes, dt, op, rank);
		else
			memset(buf, 0xff, s->buf_bytes);
		break;
	default:
		fill_range(buf, 0, s->bytes, dt, op, rank);
		break;
	}
}

static uint64_t count_diff(const uint8_t *a, const uint8_t *b, uint64_t bytes,
			   enum coll_dtype dt)
{
	uint64_t e = coll_dtype_bytes(dt), n = bytes / e, i = 0, wrong = 0;

	while (i < n) {
		size_t m = coll_pattern_mismatch(a + i * e, b + i * e, n - i, dt);

		if (m == n - i)
			break;
		wrong++;
		i += m + 1;
	}
	return wrong;
}

/* Expected all-reduce of the pattern over [off, off + len). */
static uint64_t wrong_reduced(const struct coll_sched *s, const uint8_t *buf,
			      uint8_t *want, uint64_t off, uint64_t len,
			      enum coll_dtype dt, enum coll_redop op)
{
	uint64_t e = coll_dtype_bytes(dt);

	coll_pattern_expect(want + off, len / e, dt, op, s->nranks, off / e);
	return count_diff(buf + off, want + off, len, dt);
}

uint64_t vb_check_wrong(const struct coll_sched *s, const uint8_t *buf,
			uint8_t *want, uint32_t rank, enum coll_dtype dt,
			enum coll_redop op)
{
	uint64_t off, len, soff, roff, wrong = 0;
	uint32_t i;

	switch (s->kind) {
	case COLL_ALLREDUCE:
		return wrong_reduced(s, buf, want, 0, s->bytes, dt, op);
	case COLL_REDUCE:
		return rank == s->root ? wrong_reduced(s, buf, want, 0, s->bytes, dt, op) : 0;
	case COLL_BROADCAST:
		fill_range(want, 0, s->bytes, dt, op, s->root);
		return count_diff(buf, want, s->bytes, dt);
	case COLL_SENDRECV:
		fill_range(want, 0, s->bytes, dt, op, (rank + s->nranks - 1) % s->nranks);
		return count_diff(buf + s->bytes, want, s->bytes, dt);
	case COLL_REDUCESCATTER:
		coll_block_range(s, rank, &off, &len);
		return wrong_reduced(s, buf, want, off, len, dt, op);
	case COLL_ALLGATHER:
		for (i = 0; i < s->nranks; i++) {
			coll_block_range(s, i, &off, &len);
			fill_range(want, off, len, dt, op, i);
			wrong += count_diff(buf + off, want + off, len, dt);
		}
		return wrong;
	default:
		for (i = 0; i < s->nranks; i++) {
			uint64_t e = coll_dtype_bytes(dt);

			coll_a2a_range(s, i, rank, &soff, &roff, &len);
			coll_pattern_fill(want + roff, len / e, dt, op, i, soff / e);
			wrong += count_diff(buf + roff, want + roff, len, dt);
		}
		return wrong;
	}
}
