/* perceptron_limit.c -- how fast can ONE core run the online perceptron
 * protocol of `thermolearn bench perceptron` (the weight loop)?  A limit
 * kernel, not a peer: the same physics, everything arranged for speed.
 *
 * Build:  gcc -O3 -march=native -o build/bench/perceptron_limit perceptron_limit.c -lm
 *         (stand-alone: Philox4x32-10 is written out here; AVX2 or AVX-512)
 * Run:    perceptron_limit [--n 10000] [--traj 32] [--intervals 200] [--p 1]
 * Prints: weight_steps_per_s (traj x n x intervals per second of CPU time),
 *         and a physics check: <W> and <exp(-W/T)> with its standard error
 *         (the trap moves rigidly, so dF = 0 and Jarzynski says 1).
 *
 * Physics (the engine's online bench point): N weights, T = 1, nu = 1,
 * tau = t = 1, K = intervals pieces of length 1/K; the trap centre is
 * c_n(s) = g(s) nu (P / sqrt N) sigma^mu xi^mu_n with g(s) = s/tau and mu
 * redrawn per interval among P random +-1 samples; on each piece the weights
 * are moved by the exact Ornstein-Uhlenbeck transition (w(delta),
 * int w du) drawn from its joint Gaussian law, two Gaussians per weight and
 * piece, and the work is -b int (w - c) du plus E(after) - E(before) at each
 * change of sample.  Initial weights from the equilibrium at s = 0.
 *
 * What is arranged for speed, against the engine's general kernel:
 * - one pass per piece: Philox -> Box-Muller -> update -> work, all in
 *   registers (the engine stores the Gaussians of a block of lanes, then
 *   reads them back; and two extra passes for the energies at a switch,
 *   fused here into the pass before);
 * - the force direction as int8 signs per lane (the engine: a double per
 *   weight and lane), and no rebuild when the sample does not change;
 * - fused multiply-adds (the engine rounds every product: its numbers must
 *   not depend on the target);
 * - Philox round 1 in the same vectors (no scalar set-up per call).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <immintrin.h>

#define L 8 /* lanes (trajectories) per vector */
typedef double vd __attribute__((vector_size(64)));
typedef uint64_t vq __attribute__((vector_size(64)));
typedef int64_t vl __attribute__((vector_size(64)));
typedef int8_t vb __attribute__((vector_size(8)));

static inline vq mul32(vq a, vq b) /* 32 x 32 -> 64 of the low halves: vpmuludq */
{
#ifdef __AVX512F__
    return (vq)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#else
    __m256i a0, a1, b0, b1;
    memcpy(&a0, &a, 32), memcpy(&a1, (char *)&a + 32, 32), memcpy(&b0, &b, 32), memcpy(&b1, (char *)&b + 32, 32);
    a0 = _mm256_mul_epu32(a0, b0), a1 = _mm256_mul_epu32(a1, b1);
    vq r;
    memcpy(&r, &a0, 32), memcpy((char *)&r + 32, &a1, 32);
    return r;
#endif
}

/* Philox4x32-10 of counters (c0, lane, c2, c3), key (k0, k1), 8 lanes. */
static inline void philox8(uint32_t c0, vq lane, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, vq x[4])
{
    const vq m0 = (vq){0} + 0xD2511F53u, m1 = (vq){0} + 0xCD9E8D57u, lo = (vq){0} + 0xffffffffu;
    vq x0 = (vq){0} + c0, x1 = lane, x2 = (vq){0} + c2, x3 = (vq){0} + c3;
    for (int r = 0; r < 10; r++) {
        vq p0 = mul32(x0, m0), p1 = mul32(x2, m1);
        x0 = (p1 >> 32) ^ x1 ^ (uint32_t)(k0 + r * 0x9E3779B9u);
        x1 = p1 & lo;
        x2 = (p0 >> 32) ^ x3 ^ (uint32_t)(k1 + r * 0xBB67AE85u);
        x3 = p0 & lo;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
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

static inline vd u53(vq hi, vq lo) /* ((hi << 21 ^ lo >> 11) + 0.5) 2^-53 */
{
    vd h = as_vd((vl)hi | 0x4330000000000000LL) - 0x1p52, l = as_vd((vl)(lo >> 11) | 0x4330000000000000LL) - 0x1p52;
    return ((h * 0x1p21 + l) + 0.5) * 0x1p-53;
}

static inline vd vsqrt(vd x)
{
#ifdef __AVX512F__
    return (vd)_mm512_sqrt_pd((__m512d)x);
#else
    __m256d a, b;
    memcpy(&a, &x, 32), memcpy(&b, (char *)&x + 32, 32);
    a = _mm256_sqrt_pd(a), b = _mm256_sqrt_pd(b);
    memcpy(&x, &a, 32), memcpy((char *)&x + 32, &b, 32);
    return x;
#endif
}

/* Box-Muller, the polynomials of the engine (fdlibm), with FMA. */
static inline void gauss8(const vq w[4], vd *z0, vd *z1)
{
    vd u1 = u53(w[0], w[1]), u2 = u53(w[2], w[3]);
    vl bits = as_vl(u1), e = ((bits >> 52) & 0x7ff) - 1023;
    vl mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL, big = mb > 0x3ff6a09e667f3bcdLL;
    mb -= big & (1LL << 52), e -= big;
    vd m = as_vd(mb), ed = as_vd(e + 0x4338000000000000LL) - 0x1.8p52;
    vd s = (m - 1.0) / (m + 1.0), z = s * s;
    vd r = z * (6.666666666666735130e-01 +
                z * (3.999999999940941908e-01 +
                     z * (2.857142874366239149e-01 +
                          z * (2.222219843214978396e-01 +
                               z * (1.818357216161805012e-01 + z * (1.531383769920937332e-01 + z * 1.479819860511658591e-01))))));
    vd lnu = ed * 6.93147180369123816490e-01 + (ed * 1.90821492927058770002e-10 + (2.0 * s + s * r));
    vd q = 4.0 * u2, kq = q + 0x1.8p52, t = q - (kq - 0x1.8p52);
    vl k = as_vl(kq) & 3;
    vd x = t * 1.57079632679489655800e+00, x2 = x * x;
    vd sn = x + x * x2 *
                    (-1.66666666666666324348e-01 +
                     x2 * (8.33333333332248946124e-03 +
                           x2 * (-1.98412698298579493134e-04 +
                                 x2 * (2.75573137070700676789e-06 + x2 * (-2.50507602534068634195e-08 + x2 * 1.58969099521155010221e-10)))));
    vd cs = 1.0 - (0.5 * x2 - x2 * x2 *
                                  (4.16666666666666019037e-02 +
                                   x2 * (-1.38888888888741095749e-03 +
                                         x2 * (2.48015872894767294178e-05 +
                                               x2 * (-2.75573143513906633035e-07 +
                                                     x2 * (2.08757232129817482790e-09 + x2 * -1.13596475577881948265e-11))))));
    vl odd = -(k & 1), sb = as_vl(sn), cb = as_vl(cs);
    vl cosb = ((cb & ~odd) | (sb & odd)) ^ (((k + 1) & 2) << 62), sinb = ((sb & ~odd) | (cb & odd)) ^ ((k & 2) << 62);
    vd rad = vsqrt(-2.0 * lnu);
    *z0 = rad * as_vd(cosb), *z1 = rad * as_vd(sinb);
}

/* The signs of sample mu of lane l: bit i of Philox(i / 128, traj, mu, 7). */
static void sample_signs(int n, uint64_t traj, int mu, uint32_t seed, int8_t *signs, int l)
{
    for (int b = 0; b * 128 < n; b++) {
        vq x[4];
        philox8((uint32_t)b, (vq){0} + traj, (uint32_t)mu, 7, seed, 1, x);
        for (int i = b * 128; i < n && i < b * 128 + 128; i++)
            signs[(size_t)i * L + l] = (x[(i % 128) / 32][0] >> (i % 32)) & 1 ? 1 : -1;
    }
}

int main(int argc, char **argv)
{
    int n = 10000, traj = 32, K = 200, P = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n")) n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--traj")) traj = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--intervals")) K = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--p")) P = atoi(argv[i + 1]);
        else return fprintf(stderr, "unknown option %s\n", argv[i]), 2;
    }
    const double T = 1, tau = 1, time_ = 1, delta = time_ / K, scale = (double)P / sqrt((double)n);
    /* the exact piece (perceptron_step_init) */
    double p = -expm1(-delta), q = -expm1(-2 * delta);
    long double pl = -expm1l(-(long double)delta), ql = -expm1l(-2.0L * delta);
    double ivar = delta < 1e-3 ? delta * delta * delta / 6 * (1 - delta * delta / 10)
                               : (double)(2.0L * delta - 4.0L * pl + ql - pl * pl * pl * pl / ql);
    const double decay = 1 - p, mean_a = p, mean_b = delta - p, sd_end = sqrt(T * q), int_decay = p,
                 int_a = delta - p, int_b = 0.5 * delta * delta - delta + p, reg = p * p / q,
                 sd_int = sqrt(T * fmax(ivar, 0));
    double *w = aligned_alloc(64, (size_t)n * L * sizeof *w);
    int8_t *sg = aligned_alloc(64, (size_t)n * L), *sg_next = aligned_alloc(64, (size_t)n * L);
    double sum_w = 0, sum_x = 0, sum_x2 = 0;
    const uint32_t seed = 12345;
    clock_t t0 = clock();
    for (int t = 0; t < traj; t += L) {
        vq lane = {0, 1, 2, 3, 4, 5, 6, 7};
        lane += (uint64_t)t;
        int mu[L], mu_next[L];
        vd work = {0};
        for (int l = 0; l < L; l++) {
            vq x[4];
            philox8(0, (vq){0} + (uint64_t)(t + l), 0, 5, seed, 2, x);
            mu[l] = (int)((double)x[0][0] * 0x1p-32 * P);
            sample_signs(n, (uint64_t)(t + l), mu[l], seed, sg, l);
        }
        /* equilibrium at s = 0: the centre is 0 */
        for (int i = 0; i < n; i += 2) {
            vq x[4];
            vd z0, z1;
            philox8((uint32_t)i, lane, 0, 3, seed, 3, x);
            gauss8(x, &z0, &z1);
            memcpy(w + (size_t)i * L, &z0, sizeof z0);
            if (i + 1 < n) memcpy(w + (size_t)(i + 1) * L, &z1, sizeof z1);
        }
        for (int k = 0; k < K; k++) {
            double a = (k * delta) / tau, b = 1 / tau, a_end = a + b * delta, a_next = a_end;
            int last = k + 1 == K, change = 0;
            if (!last)
                for (int l = 0; l < L; l++) {
                    vq x[4];
                    philox8((uint32_t)(k + 1), (vq){0} + (uint64_t)(t + l), 0, 5, seed, 2, x);
                    mu_next[l] = (int)((double)x[0][0] * 0x1p-32 * P);
                    if (mu_next[l] != mu[l]) change = 1;
                }
            if (change)
                for (int l = 0; l < L; l++) sample_signs(n, (uint64_t)(t + l), mu_next[l], seed, sg_next, l);
            vd pw = {0}, de = {0};
            for (int i = 0; i < n; i++) {
                vq x[4];
                vd z1, z2, w0;
                philox8((uint32_t)(k * n + i), lane, 0, 1, seed, 4, x);
                gauss8(x, &z1, &z2);
                vb s8;
                memcpy(&s8, sg + (size_t)i * L, 8);
                vd v = __builtin_convertvector(s8, vd) * scale;
                memcpy(&w0, w + (size_t)i * L, sizeof w0);
                vd av = a * v, bv = b * v, xx = sd_end * z1;
                vd w1 = decay * w0 + av * mean_a + bv * mean_b + xx;
                vd integ = w0 * int_decay + av * int_a + bv * int_b + reg * xx + sd_int * z2;
                pw -= bv * (integ - (av * delta + 0.5 * bv * delta * delta));
                memcpy(w + (size_t)i * L, &w1, sizeof w1);
                if (change) {
                    vb n8;
                    memcpy(&n8, sg_next + (size_t)i * L, 8);
                    vd vn = __builtin_convertvector(n8, vd) * scale, xo = w1 - a_end * v, xn = w1 - a_next * vn;
                    de += 0.5 * (xn * xn - xo * xo);
                }
            }
            work += pw + de;
            if (change) {
                int8_t *tmp = sg;
                sg = sg_next, sg_next = tmp;
                memcpy(mu, mu_next, sizeof mu);
            }
        }
        for (int l = 0; l < L && t + l < traj; l++) {
            double W = work[l], x = exp(-W / T);
            sum_w += W, sum_x += x, sum_x2 += x * x;
        }
    }
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    int m = traj;
    double mx = sum_x / m, se = sqrt(fmax(sum_x2 / m - mx * mx, 0) / (m > 1 ? m - 1 : 1));
    printf("perceptron_limit: n %d, traj %d, intervals %d, P %d: cpu_s %.3f\n", n, traj, K, P, cpu);
    printf("check: <W> = %.4f, <exp(-W/T)> = %.4f +- %.4f (Jarzynski: 1)\n", sum_w / m, mx, se);
    printf("weight_steps_per_s %.4e\n", (double)((traj + L - 1) / L * L) * n * K / cpu);
    free(w), free(sg), free(sg_next);
    return 0;
}
