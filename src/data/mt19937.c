/* MT19937 and numpy's legacy RandomState procedures on it: see mt19937.h.
 * The generator follows Matsumoto and Nishimura's mt19937ar.c (2002). */
#include <math.h>

#include "mt19937.h"

#define N 624
#define M 397

void tl_mt19937_seed(tl_mt19937 *r, uint32_t seed)
{
    r->mt[0] = seed;
    for (int i = 1; i < N; i++) r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->mti = N;
    r->has_gauss = 0;
    r->gauss = 0;
    r->draws = 0;
}

static void regenerate(tl_mt19937 *r)
{
    uint32_t *mt = r->mt;
    for (int k = 0; k < N; k++) {
        uint32_t y = (mt[k] & 0x80000000u) | (mt[(k + 1) % N] & 0x7fffffffu);
        mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ (y & 1 ? 0x9908b0dfu : 0u);
    }
    r->mti = 0;
}

uint32_t tl_mt19937_u32(tl_mt19937 *r)
{
    if (r->mti >= N) regenerate(r);
    uint32_t y = r->mt[r->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    r->draws++;
    return y;
}

double tl_mt19937_uniform(tl_mt19937 *r)
{
    uint32_t a = tl_mt19937_u32(r) >> 5, b = tl_mt19937_u32(r) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

uint32_t tl_mt19937_interval(tl_mt19937 *r, uint32_t max)
{
    if (max == 0) return 0;
    uint32_t mask = max;
    mask |= mask >> 1, mask |= mask >> 2, mask |= mask >> 4, mask |= mask >> 8, mask |= mask >> 16;
    uint32_t v;
    while ((v = tl_mt19937_u32(r) & mask) > max) continue;
    return v;
}

double tl_mt19937_gauss(tl_mt19937 *r)
{
    if (r->has_gauss) {
        r->has_gauss = 0;
        return r->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * tl_mt19937_uniform(r) - 1.0;
        x2 = 2.0 * tl_mt19937_uniform(r) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    r->gauss = f * x1;
    r->has_gauss = 1;
    return f * x2;
}

void tl_mt19937_permutation(tl_mt19937 *r, uint32_t n, uint32_t *a)
{
    for (uint32_t i = 0; i < n; i++) a[i] = i;
    for (uint32_t i = n > 0 ? n - 1 : 0; i >= 1; i--) {
        uint32_t j = tl_mt19937_interval(r, i), t = a[i];
        a[i] = a[j], a[j] = t;
    }
}
