/*
 * Slabs of the object pool and the array of the index pool (pool.h);
 * taking and returning objects is inline there.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include "sim/engine/pool.h"

void sim_pool_init(struct sim_pool *p, size_t obj_bytes, size_t link_off, uint32_t slab_objs)
{
	assert(slab_objs && link_off + sizeof(void *) <= obj_bytes);
	memset(p, 0, sizeof(*p));
	p->obj_bytes = obj_bytes;
	p->link_off = link_off;
	p->slab_objs = slab_objs;
}

void sim_pool_destroy(struct sim_pool *p)
{
	for (uint32_t i = 0; i < p->nslabs; i++)
		free(p->slabs[i]);
	free(p->slabs);
	p->slabs = NULL;
	p->free = NULL;
	p->nslabs = p->slabs_cap = 0;
	p->allocated = 0;
}

int sim_pool_grow(struct sim_pool *p)
{
	char *slab;

	if (p->nslabs == p->slabs_cap) {
		uint32_t cap = p->slabs_cap ? p->slabs_cap * 2 : 64;
		void **v;

		if (cap <= p->slabs_cap)
			return -ENOMEM;
		v = realloc(p->slabs, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->slabs = v;
		p->slabs_cap = cap;
	}
	if (p->obj_bytes > (SIZE_MAX - SIM_POOL_ALIGN) / p->slab_objs)
		return -ENOMEM;
	/* line-aligned: an object of a line's size then touches one line, not two */
	slab = aligned_alloc(SIM_POOL_ALIGN, (p->slab_objs * p->obj_bytes + SIM_POOL_ALIGN - 1) &
				   ~(size_t)(SIM_POOL_ALIGN - 1));
	if (!slab)
		return -ENOMEM;
	p->slabs[p->nslabs++] = slab;
	/* pushed in address order: the last object of the slab is taken first */
	for (uint32_t i = 0; i < p->slab_objs; i++)
		sim_pool_put(p, slab + (size_t)i * p->obj_bytes);
	p->allocated += p->slab_objs;
	return 0;
}

uint64_t sim_pool_count_free(const struct sim_pool *p, uint64_t limit)
{
	uint64_t n = 0;

	for (const void *obj = p->free; obj && n <= limit; obj = sim_pool_next(p, obj))
		n++;
	return n;
}

void sim_ipool_init(struct sim_ipool *p, size_t obj_bytes)
{
	assert(obj_bytes >= sizeof(uint32_t));
	memset(p, 0, sizeof(*p));
	p->obj_bytes = obj_bytes;
	p->used = 1;
}

void sim_ipool_destroy(struct sim_ipool *p)
{
	free(p->base);
	sim_ipool_init(p, p->obj_bytes);
}

int sim_ipool_grow(struct sim_ipool *p)
{
	uint32_t cap = p->cap ? (p->cap > UINT32_MAX / 2 ? UINT32_MAX : p->cap * 2) : 1024;
	char *base;

	if (cap <= p->cap || cap > SIZE_MAX / p->obj_bytes)
		return -ENOMEM;
	base = realloc(p->base, (size_t)cap * p->obj_bytes);
	if (!base)
		return -ENOMEM;
	p->base = base;
	p->cap = cap;
	return 0;
}

uint64_t sim_ipool_count_free(const struct sim_ipool *p, uint64_t limit)
{
	uint64_t n = 0;

	for (uint32_t i = p->free; i && n <= limit; n++)
		memcpy(&i, sim_ipool_at(p, i), sizeof(i));
	return n;
}
