/* The random numbers of numpy's legacy RandomState, which the MNIST-1D
 * generator draws (../shared/specs/mnist1d.md): MT19937 seeded with
 * init_genrand, 53-bit uniforms, the polar method with its cached value,
 * masked rejection for bounded integers.
 *
 * Why not GSL's gsl_rng_mt19937: its seeding is init_genrand too and it gives
 * the same stream for every seed but one: it replaces seed 0 by 4357
 * (tests/unit/test_mnist1d.c compares the two), while numpy seeds 0 as 0.
 * The generator is 30 lines; the numpy procedures on top of it are not in
 * any library anyway.
 */
#ifndef THERMOLEARN_DATA_MT19937_H
#define THERMOLEARN_DATA_MT19937_H

#include <stdint.h>

typedef struct {
    uint32_t mt[624];
    int mti;
    int has_gauss;      /* the polar method's second value is waiting */
    double gauss;
    uint64_t draws;     /* 32-bit outputs so far */
} tl_mt19937;

/* init_genrand(seed) (mt19937ar.c, 2002); clears the cached normal. */
void tl_mt19937_seed(tl_mt19937 *r, uint32_t seed);
/* The next 32-bit output (genrand_int32). */
uint32_t tl_mt19937_u32(tl_mt19937 *r);
/* genrand_res53: (a 2^26 + b) / 2^53 from two outputs, a = u >> 5, b = u >> 6; in [0, 1). */
double tl_mt19937_uniform(tl_mt19937 *r);
/* 0 .. max inclusive by masked rejection (numpy's random_interval). */
uint32_t tl_mt19937_interval(tl_mt19937 *r, uint32_t max);
/* A standard normal: numpy's legacy_gauss (Marsaglia's polar method, one value cached). */
double tl_mt19937_gauss(tl_mt19937 *r);
/* numpy's legacy permutation(n): a[i] = i, then Fisher-Yates from the top. */
void tl_mt19937_permutation(tl_mt19937 *r, uint32_t n, uint32_t *a);

#endif
