/*
 * The -c data check for every collective kind: which pattern each rank's
 * input holds and what each rank's result must be afterwards. Built on
 * coll_pattern_* (small integers, exact in every type), with offsets as
 * element indices so that a misplaced block is caught, not just a wrong sum.
 */
#ifndef VB_CHECK_H
#define VB_CHECK_H

#include <stdint.h>

#include "collectives/reduce.h"
#include "collectives/sched.h"

/*
 * Fills rank RANK's input in BUF (s->buf_bytes); other bytes get poison.
 * Out of place BUF is the input buffer and the output is all poison.
 */
void vb_check_fill(const struct coll_sched *s, uint8_t *buf, uint32_t rank,
		   enum coll_dtype dt, enum coll_redop op);
/*
 * Elements of RANK's result in BUF that differ from what the collective
 * must produce; SCRATCH holds s->buf_bytes.
 */
uint64_t vb_check_wrong(const struct coll_sched *s, const uint8_t *buf,
			uint8_t *scratch, uint32_t rank, enum coll_dtype dt,
			enum coll_redop op);

#endif /* VB_CHECK_H */
