/*
 * Object pool: fixed-size objects carved from slabs and recycled through a
 * free list, so the hot path never calls malloc. The free list is threaded
 * through a pointer field of the object itself (its link, at link_off),
 * which the owner of an object may use as it likes while it holds it.
 *
 * A pool only grows; every slab is released by sim_pool_destroy. The
 * object's other bytes are left as they were: whoever takes one sets what
 * it needs.
 */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Slabs start on a cache line (64 bytes on x86-64 and most arm64). */
#define SIM_POOL_ALIGN 64

struct sim_pool {
	void *free;		/* head of the free list, NULL when empty */
	size_t obj_bytes;	/* one object */
	size_t link_off;	/* where the object keeps the free-list pointer */
	uint32_t slab_objs;	/* objects per slab */
	void **slabs;
	uint32_t nslabs, slabs_cap;
	uint64_t allocated;	/* objects carved so far: free + taken */
};

/*
 * An empty pool of objects of OBJ_BYTES, linked through the void-sized
 * pointer field at LINK_OFF, SLAB_OBJS (> 0) to a slab. Allocates nothing.
 */
void sim_pool_init(struct sim_pool *p, size_t obj_bytes, size_t link_off, uint32_t slab_objs);
void sim_pool_destroy(struct sim_pool *p);
/* Adds a slab to the free list: 0, or -ENOMEM. */
int sim_pool_grow(struct sim_pool *p);
/*
 * Objects on the free list, counting no further than LIMIT + 1: a count
 * above p->allocated means the list is corrupt (a cycle).
 */
uint64_t sim_pool_count_free(const struct sim_pool *p, uint64_t limit);

/* The free-list link of OBJ (memcpy: the field has the object's own pointer type). */
static inline void *sim_pool_next(const struct sim_pool *p, const void *obj)
{
	void *next;

	memcpy(&next, (const char *)obj + p->link_off, sizeof(next));
	return next;
}

static inline void sim_pool_set_next(const struct sim_pool *p, void *obj, void *next)
{
	memcpy((char *)obj + p->link_off, &next, sizeof(next));
}

/* An object, or NULL when memory ran out. Last freed, first taken. */
static inline void *sim_pool_get(struct sim_pool *p)
{
	void *obj;

	if (!p->free && sim_pool_grow(p))
		return NULL;
	obj = p->free;
	p->free = sim_pool_next(p, obj);
	return obj;
}

static inline void sim_pool_put(struct sim_pool *p, void *obj)
{
	sim_pool_set_next(p, obj, p->free);
	p->free = obj;
}

/*
 * Index pool: fixed-size records in one growable array, each named by a
 * 32-bit index, so that whoever refers to one keeps 4 bytes, not a
 * pointer. Index 0 is never handed out: it means "none". The free list
 * keeps the next free index in a free record's first 4 bytes. The array
 * may move when it grows: hold indices, not pointers, across a get.
 */
struct sim_ipool {
	char *base;		/* record i at base + i * obj_bytes; record 0 unused */
	size_t obj_bytes;	/* one record, >= 4 */
	uint32_t cap;		/* records the array has room for, record 0 included */
	uint32_t used;		/* records ever handed out, + 1 (record 0) */
	uint32_t free;		/* head of the free list, 0 when empty */
	uint64_t taken;		/* handed out and not yet returned */
};

/* An empty pool of records of OBJ_BYTES (>= 4). Allocates nothing. */
void sim_ipool_init(struct sim_ipool *p, size_t obj_bytes);
void sim_ipool_destroy(struct sim_ipool *p);
/* Doubles the room: 0, or -ENOMEM (the pool is unchanged). */
int sim_ipool_grow(struct sim_ipool *p);
/* Records on the free list, counting no further than LIMIT + 1. */
uint64_t sim_ipool_count_free(const struct sim_ipool *p, uint64_t limit);

static inline void *sim_ipool_at(const struct sim_ipool *p, uint32_t i)
{
	return p->base + (size_t)i * p->obj_bytes;
}

/* A record's index, or 0 when memory ran out. Last returned, first taken. */
static inline uint32_t sim_ipool_get(struct sim_ipool *p)
{
	uint32_t i = p->free;

	if (i) {
		memcpy(&p->free, sim_ipool_at(p, i), sizeof(p->free));
	} else {
		if (p->used >= p->cap && sim_ipool_grow(p))
			return 0;
		i = p->used++;
	}
	p->taken++;
	return i;
}

static inline void sim_ipool_put(struct sim_ipool *p, uint32_t i)
{
	memcpy(sim_ipool_at(p, i), &p->free, sizeof(p->free));
	p->free = i;
	p->taken--;
}

#endif
