/* Lanes of trajectories for the vector kernels (the SDEs of src/models/milburn/,
 * the graded Hopfield network): GCC/clang vector types of VD doubles (4 on
 * AVX2, 8 with AVX-512), the branch-free pieces the kernels need (a blend,
 * the uniforms of the Philox words, e^x, ln x, ln(1 + x)), and nothing else.
 *
 * Every lane does the same double operations in the same order as the scalar
 * reference of each kernel (no contraction: -std=c17 sets -ffp-contract=off
 * for GCC, the pragma below does it for clang), so a trajectory's numbers do
 * not depend on its batch, its lane or the target.
 */
#ifndef THERMOLEARN_VECMATH_H
#define THERMOLEARN_VECMATH_H

#include <stdint.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
#if defined(__AVX512F__)
#define VD 8
#else
#define VD 4
#endif
typedef double vd __attribute__((vector_size(VD * sizeof(double))));
typedef int64_t vl __attribute__((vector_size(VD * sizeof(int64_t))));
typedef uint32_t vu __attribute__((vector_size(VD * sizeof(uint32_t))));
typedef uint64_t vq __attribute__((vector_size(VD * sizeof(uint64_t))));

static inline vd vd_load(const double *p)
{
    vd v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void vd_store(double *p, vd v)
{
    memcpy(p, &v, sizeof v);
}

static inline vd as_vd(vl x)
{
    vd d;
    memcpy(&d, &x, sizeof d);
    return d;
}

static inline vl as_vl(vd x)
{
    vl l;
    memcpy(&l, &x, sizeof l);
    return l;
}

/* a in every lane (a broadcast: (vd){0} + a would add in scalar first) */
static inline vd vd_splat(double a)
{
    vd v;
    for (int i = 0; i < VD; i++) v[i] = a;
    return v;
}

/* mask ? a : b, lane by lane (mask lanes are 0 or -1, as vector compares give). */
static inline vd vd_blend(vl mask, vd a, vd b)
{
    return as_vd((as_vl(a) & mask) | (as_vl(b) & ~mask));
}

/* 1.0 where mask, 0.0 elsewhere. */
static inline vd vd_count(vl mask)
{
    return as_vd(mask & as_vl((vd){0} + 1.0));
}

/* Exactly (double)x for 0 <= x < 2^52: the bits of 2^52 + x, less 2^52. */
static inline vd vd_small(vl x)
{
    return as_vd(x | 0x4330000000000000LL) - 0x1p52;
}

/* tl_uniform_double(hi[l], lo[l]) of VD words at hi and lo, bit for bit. */
static inline vd vd_uniform(const uint32_t *hi, const uint32_t *lo)
{
    vu h, l;
    memcpy(&h, hi, sizeof h), memcpy(&l, lo, sizeof l);
    vd dh = vd_small(__builtin_convertvector(h, vl)), dl = vd_small(__builtin_convertvector(l >> 11, vl));
    return ((dh * 0x1p21 + dl) + 0.5) * 0x1p-53;
}

/* e^x for x in [-700, 700] (arguments outside are clamped there), fdlibm's
 * e_exp.c without its branches: x = k ln 2 + r, |r| <= ln2/2, e^r by the
 * Remez rational form, then 2^k added to the exponent.  Within 1 ulp of the
 * correctly rounded value; the kernels compare uniforms (>= 2^-54) with it,
 * so the clamp below changes no decision. */
static inline vd vd_exp(vd x)
{
    const vd lo_clamp = (vd){0} - 700.0, hi_clamp = (vd){0} + 700.0;
    x = vd_blend(x < lo_clamp, lo_clamp, x);
    x = vd_blend(x > hi_clamp, hi_clamp, x);
    vd kq = x * 1.44269504088896338700e+00 + 0x1.8p52; /* nearest integer k, in the low bits */
    vd k = kq - 0x1.8p52;
    vd hi = x - k * 6.93147180369123816490e-01, lo = k * 1.90821492927058770002e-10, r = hi - lo;
    vd t = r * r;
    vd c = r - t * (1.66666666666666019037e-01 +
                    t * (-2.77777777770155933842e-03 +
                         t * (6.61375632143793436117e-05 + t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
    vd y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    vq ki = (vq)(as_vl(kq) - 0x4338000000000000LL); /* k, two's complement */
    return as_vd(as_vl(y) + (vl)(ki << 52));
}

/* ln x for positive normal x (the callers keep x in [1e-300, 1e300]):
 * fdlibm's e_log.c without its branches, as tl_stream_gaussians evaluates it:
 * x = 2^e m, m in [sqrt(1/2), sqrt(2)), ln m = 2 s + s R(s^2), s = (m-1)/(m+1). */
static inline vd vd_log(vd x)
{
    vl bits = as_vl(x);
    vl e = ((bits >> 52) & 0x7ff) - 1023;
    vl mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL; /* m in [1, 2) */
    vl big = mb > 0x3ff6a09e667f3bcdLL;                           /* m > sqrt(2) */
    mb -= big & (1LL << 52), e -= big;                           /* m / 2, e + 1 */
    vd m = as_vd(mb), ed = as_vd(e + 0x4338000000000000LL) - 0x1.8p52;
    vd s = (m - 1.0) / (m + 1.0), z = s * s;
    vd r = z * (6.666666666666735130e-01 +
                z * (3.999999999940941908e-01 +
                     z * (2.857142874366239149e-01 +
                          z * (2.222219843214978396e-01 +
                               z * (1.818357216161805012e-01 + z * (1.531383769920937332e-01 + z * 1.479819860511658591e-01))))));
    return ed * 6.93147180369123816490e-01 + (ed * 1.90821492927058770002e-10 + (2.0 * s + s * r));
}

/* ln(1 + y) for y in [0, 1], accurate where ln(1 + y) is not (y small):
 * w = 1 + y rounds y; ln w - ((w - 1) - y) / w puts back what the rounding
 * lost (Goldberg's correction, branch-free). */
static inline vd vd_log1p(vd y)
{
    vd w = y + 1.0;
    return vd_log(w) - ((w - 1.0) - y) / w;
}

/* The same functions on one double (the scalar references call it, so that a
 * lane and its reference agree bit for bit). */
static inline double vd_exp1(double x)
{
    return vd_exp(vd_splat(x))[0];
}

static inline double vd_log1(double x)
{
    return vd_log(vd_splat(x))[0];
}

static inline double vd_log1p1(double x)
{
    return vd_log1p(vd_splat(x))[0];
}

#endif
