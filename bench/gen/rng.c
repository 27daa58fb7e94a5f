/* rng.c - splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test data.
 * Each report seeds its own stream from (seed, domain, reporter, day), so the same report comes out
 * whatever else is generated around it. */
#include "gen.h"

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gen_rng_seed(struct gen_rng *r, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    r->s = mix(mix(mix(mix(a) ^ b) ^ c) ^ d);
}

uint64_t gen_rng_next(struct gen_rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix(r->s);
}

unsigned gen_rng_range(struct gen_rng *r, unsigned lo, unsigned hi)
{
    if (hi <= lo)
        return lo;
    return lo + (unsigned)(gen_rng_next(r) % ((uint64_t)hi - lo + 1));
}

bool gen_rng_permille(struct gen_rng *r, unsigned permille)
{
    return gen_rng_next(r) % 1000 < permille;
}
