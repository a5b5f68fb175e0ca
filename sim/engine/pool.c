/*
 * Slabs of the object pool (pool.h); taking and returning objects is
 * inline there.
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
	if (p->obj_bytes > SIZE_MAX / p->slab_objs)
		return -ENOMEM;
	slab = malloc(p->slab_objs * p->obj_bytes);
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
