/*
 * Deterministic pseudo-random numbers (xoshiro256**, seeded by splitmix64).
 * A generator per stream (the fabric keeps one per node), each consumed
 * in the order of its own events, so the same seed gives the same run on
 * every machine and however the nodes are spread over processes.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

static inline uint64_t sim_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A well-mixed 64-bit hash, used for ECMP and per-switch seeds. */
static inline uint64_t sim_mix64(uint64_t z)
{
	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return z ^ (z >> 33);
}

static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_splitmix64(&seed);
}

/*
 * Stream STREAM of SEED (the fabric: one per node): the seed and the
 * stream number mixed apart, so that neighbouring streams and seeds give
 * unrelated generators, whatever process owns the node.
 */
static inline void sim_rng_seed_stream(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;

	sim_rng_seed(r, sim_splitmix64(&x) ^ sim_mix64(stream + 0x9e3779b97f4a7c15ULL));
}

static inline uint64_t sim_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = sim_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; bias < 2^-32 for small n). */
static inline uint32_t sim_rng_below(struct sim_rng *r, uint32_t n)
{
	return (uint32_t)(((sim_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double sim_rng_unit(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
