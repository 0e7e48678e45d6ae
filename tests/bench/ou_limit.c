/* ou_limit.c -- how fast can ONE core run the OU kernel of `thermolearn bench
 * ou` (the 2-d linear system of Ingrosso & Panizon, appendix D)?  A limit
 * kernel, not a peer: the same physics, everything arranged for speed.
 *
 * Build:  gcc -O3 -march=native -ffp-contract=off -Wno-psabi -o build/bench/ou_limit ou_limit.c -lm
 *         (stand-alone: Philox4x32-10 written out; AVX2 or AVX-512)
 * Run:    ou_limit --coefficients "HEX ..." [--traj 4096] [--steps 1000] [--dt 0.05] [--check 64]
 *         the 25 hex floats that `thermolearn bench ou --coefficients` prints
 *         (e^{Wh}, the Cholesky factors of Q(h) and of C, the step-entropy
 *         forms qaa, qab, qbb, each 2 x 2 row-major, and qc): the matrix
 *         algebra of the set-up is the engine's, the loop is this file's.
 * Prints: steps_per_s (trajectories x steps per second of CPU time); the
 *         checksum of the outputs in the engine bench's order (`make bench`
 *         requires it equal to the engine's, to the bit); and two checks:
 *         - every output of the first --check trajectories equal to the bit to
 *           a scalar reference (scalar Philox, scalar Box-Muller, the same
 *           double operations one trajectory at a time);
 *         - the entropy production rate against the exact 2 J_a^2 / decay
 *           (eq. D11) and the time-averaged covariance against eq. D8, each
 *           within 4 standard errors over the trajectories; exit 1 if not.
 *
 * Physics (the engine's bench point): W = [[-1, J_s + J_a], [J_s - J_a, -1]],
 * J_s = 0.5, J_a = 0.6, T = 0.5 (sigma^2 = 1), x = 0, steady starts
 * y0 = L_C z, then steps y' = e^{Wh} y + L z; per step the entropy
 * y.qaa y + y.qab y' + y'.qbb y' + qc; trapezoid sums of y_i y_j.  The streams
 * are the engine's: seed 1, point 0, block k of purpose DYNAMICS for step k,
 * block 0 of purpose INITIAL for the start.
 *
 * What is arranged for speed, against the engine's general kernel (any n):
 * - one pass per step: Philox -> Box-Muller -> transition -> entropy -> sums,
 *   one vector of lanes (8 with AVX-512, 4 with AVX2), the whole state in registers for all steps (the engine writes
 *   the Gaussians of a step to memory, reads them back, and loads and stores
 *   its state every step, with n a run-time value above 4);
 * - Philox round 1 in the vectors (no scalar set-up per call);
 * - the trapezoid weight only at the ends (1 x is x: the same numbers).
 * It does not use fused multiply-adds: its numbers must equal the engine's,
 * which rounds every product so that they do not depend on the target.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <immintrin.h>

/* Lanes (trajectories) per vector: 8 doubles with AVX-512, 4 with AVX2 (gcc
 * lowers 512-bit vector types to AVX2 badly: spills). */
#ifdef __AVX512F__
#define L 8
#else
#define L 4
#endif
typedef double vd __attribute__((vector_size(L * 8)));
typedef uint64_t vq __attribute__((vector_size(L * 8)));
typedef int64_t vl __attribute__((vector_size(L * 8)));

static inline vq mul32(vq a, vq b) /* 32 x 32 -> 64 of the low halves: vpmuludq */
{
#ifdef __AVX512F__
    return (vq)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#else
    return (vq)_mm256_mul_epu32((__m256i)a, (__m256i)b);
#endif
}

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u

/* Philox4x32-10 of counters (c0, lane, c2, c3), key (k0, k1), L lanes. */
static inline void philox(uint32_t c0, vq lane, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, vq x[4])
{
    const vq m0 = (vq){0} + M0, m1 = (vq){0} + M1, lo = (vq){0} + 0xffffffffu;
    vq x0 = (vq){0} + c0, x1 = lane, x2 = (vq){0} + c2, x3 = (vq){0} + c3;
    for (int r = 0; r < 10; r++) {
        vq p0 = mul32(x0, m0), p1 = mul32(x2, m1);
        x0 = (p1 >> 32) ^ x1 ^ (uint32_t)(k0 + r * W0);
        x1 = p1 & lo;
        x2 = (p0 >> 32) ^ x3 ^ (uint32_t)(k1 + r * W1);
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
    return (vd)_mm256_sqrt_pd((__m256d)x);
#endif
}

/* fdlibm's coefficients (e_log.c, k_sin.c, k_cos.c), as the engine's stream.c */
#define LG1 6.666666666666735130e-01
#define LG2 3.999999999940941908e-01
#define LG3 2.857142874366239149e-01
#define LG4 2.222219843214978396e-01
#define LG5 1.818357216161805012e-01
#define LG6 1.531383769920937332e-01
#define LG7 1.479819860511658591e-01
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define S1 -1.66666666666666324348e-01
#define S2 8.33333333332248946124e-03
#define S3 -1.98412698298579493134e-04
#define S4 2.75573137070700676789e-06
#define S5 -2.50507602534068634195e-08
#define S6 1.58969099521155010221e-10
#define C1 4.16666666666666019037e-02
#define C2 -1.38888888888741095749e-03
#define C3 2.48015872894767294178e-05
#define C4 -2.75573143513906633035e-07
#define C5 2.08757232129817482790e-09
#define C6 -1.13596475577881948265e-11
#define PIO2 1.57079632679489655800e+00

/* Box-Muller of the four words of a block (L lanes). */
static inline void gauss(const vq w[4], vd *z0, vd *z1)
{
    vd u1 = u53(w[0], w[1]), u2 = u53(w[2], w[3]);
    vl bits = as_vl(u1), e = ((bits >> 52) & 0x7ff) - 1023;
    vl mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL, big = mb > 0x3ff6a09e667f3bcdLL;
    mb -= big & (1LL << 52), e -= big;
    vd m = as_vd(mb), ed = as_vd(e + 0x4338000000000000LL) - 0x1.8p52;
    vd s = (m - 1.0) / (m + 1.0), z = s * s;
    vd r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
    vd lnu = ed * LN2_HI + (ed * LN2_LO + (2.0 * s + s * r));
    vd q = 4.0 * u2, kq = q + 0x1.8p52, t = q - (kq - 0x1.8p52);
    vl k = as_vl(kq) & 3;
    vd x = t * PIO2, x2 = x * x;
    vd sn = x + x * x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * (S5 + x2 * S6)))));
    vd cs = 1.0 - (0.5 * x2 - x2 * x2 * (C1 + x2 * (C2 + x2 * (C3 + x2 * (C4 + x2 * (C5 + x2 * C6))))));
    vl odd = -(k & 1), sb = as_vl(sn), cb = as_vl(cs);
    vl cosb = ((cb & ~odd) | (sb & odd)) ^ (((k + 1) & 2) << 62), sinb = ((sb & ~odd) | (cb & odd)) ^ ((k & 2) << 62);
    vd rad = vsqrt(-2.0 * lnu);
    *z0 = rad * as_vd(cosb), *z1 = rad * as_vd(sinb);
}

/* ---- the point --------------------------------------------------------------------------------- */
typedef struct {
    double e[4], l[4], lc[4], qaa[4], qab[4], qbb[4], qc;
} coef;

enum { PURPOSE_DYNAMICS = 0, PURPOSE_INITIAL = 1 };
static const uint32_t SEED = 1; /* the engine bench's key {seed 1, point 0, direction 0} */

/* Outputs of one trajectory: entropy, and the trapezoid sums (not yet / steps) of y0 y0, y0 y1, y1 y1. */
typedef struct {
    double ep, c[3];
} result;

/* ---- the limit kernel: L trajectories from t0, the whole window in registers ------------------ */
static void run_lanes(const coef *k, long steps, uint64_t t0, result out[L])
{
    vq lane;
    for (int l = 0; l < L; l++) lane[l] = t0 + (uint64_t)l;
    uint32_t c3_hi = (uint32_t)(t0 >> 32) << 16;
    vq x[4];
    vd z0, z1;
    philox(0, lane & 0xffffffffu, 0, (PURPOSE_INITIAL << 8) | c3_hi, SEED, 0, x);
    gauss(x, &z0, &z1);
    vd a0 = k->lc[0] * z0, a1 = k->lc[2] * z0 + k->lc[3] * z1;
    vd s00 = (vd){0} + 0.5 * a0 * a0, s01 = (vd){0} + 0.5 * a0 * a1, s11 = (vd){0} + 0.5 * a1 * a1, ent = {0};
    const double e00 = k->e[0], e01 = k->e[1], e10 = k->e[2], e11 = k->e[3], l00 = k->l[0], l10 = k->l[2],
                 l11 = k->l[3];
    const double aa00 = k->qaa[0], aa01 = k->qaa[1], aa10 = k->qaa[2], aa11 = k->qaa[3];
    const double ab00 = k->qab[0], ab01 = k->qab[1], ab10 = k->qab[2], ab11 = k->qab[3];
    const double bb00 = k->qbb[0], bb01 = k->qbb[1], bb10 = k->qbb[2], bb11 = k->qbb[3], qc = k->qc;
    for (long s = 0; s < steps; s++) {
        philox((uint32_t)s, lane & 0xffffffffu, 0, (PURPOSE_DYNAMICS << 8) | c3_hi, SEED, 0, x);
        gauss(x, &z0, &z1);
        vd b0 = e00 * a0 + e01 * a1 + l00 * z0;
        vd b1 = e10 * a0 + e11 * a1 + l10 * z0 + l11 * z1;
        vd ra0 = aa00 * a0 + ab00 * b0 + (aa01 * a1 + ab01 * b1), rb0 = bb00 * b0 + bb01 * b1;
        vd ra1 = aa10 * a0 + ab10 * b0 + (aa11 * a1 + ab11 * b1), rb1 = bb10 * b0 + bb11 * b1;
        vd q = ent + (a0 * ra0 + b0 * rb0);
        q += a1 * ra1 + b1 * rb1;
        ent = q + qc;
        if (s + 1 < steps) s00 += b0 * b0, s01 += b0 * b1, s11 += b1 * b1;
        else s00 += 0.5 * b0 * b0, s01 += 0.5 * b0 * b1, s11 += 0.5 * b1 * b1;
        a0 = b0, a1 = b1;
    }
    for (int l = 0; l < L; l++) out[l] = (result){ent[l], {s00[l], s01[l], s11[l]}};
}

/* ---- the scalar reference: one trajectory, scalar Philox and Box-Muller ----------------------- */
static void philox_scalar(const uint32_t c[4], uint32_t k0, uint32_t k1, uint32_t x[4])
{
    uint32_t x0 = c[0], x1 = c[1], x2 = c[2], x3 = c[3];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)M0 * x0, p1 = (uint64_t)M1 * x2;
        x0 = (uint32_t)(p1 >> 32) ^ x1 ^ (k0 + r * W0);
        x1 = (uint32_t)p1;
        x2 = (uint32_t)(p0 >> 32) ^ x3 ^ (k1 + r * W1);
        x3 = (uint32_t)p0;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
}

static double bits_d(int64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static int64_t d_bits(double d)
{
    int64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static void gauss_scalar(const uint32_t w[4], double *z0, double *z1)
{
    double u1 = (((double)w[0] * 0x1p21 + (double)(w[1] >> 11)) + 0.5) * 0x1p-53;
    double u2 = (((double)w[2] * 0x1p21 + (double)(w[3] >> 11)) + 0.5) * 0x1p-53;
    int64_t bits = d_bits(u1), e = ((bits >> 52) & 0x7ff) - 1023;
    int64_t mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;
    if (mb > 0x3ff6a09e667f3bcdLL) mb -= 1LL << 52, e += 1;
    double m = bits_d(mb), ed = (double)e;
    double s = (m - 1.0) / (m + 1.0), z = s * s;
    double r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
    double lnu = ed * LN2_HI + (ed * LN2_LO + (2.0 * s + s * r));
    double q = 4.0 * u2, kq = nearbyint(q), t = q - kq;
    int k = (int)kq & 3;
    double x = t * PIO2, x2 = x * x;
    double sn = x + x * x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * (S5 + x2 * S6)))));
    double cs = 1.0 - (0.5 * x2 - x2 * x2 * (C1 + x2 * (C2 + x2 * (C3 + x2 * (C4 + x2 * (C5 + x2 * C6))))));
    double c[4] = {cs, -sn, -cs, sn}, sv[4] = {sn, cs, -sn, -cs};
    double rad = sqrt(-2.0 * lnu);
    *z0 = rad * c[k], *z1 = rad * sv[k];
}

static result reference(const coef *k, long steps, uint64_t t)
{
    uint32_t w[4], c[4] = {0, (uint32_t)t, 0, (PURPOSE_INITIAL << 8) | ((uint32_t)(t >> 32) << 16)};
    double z0, z1;
    philox_scalar(c, SEED, 0, w);
    gauss_scalar(w, &z0, &z1);
    double a[2] = {k->lc[0] * z0, k->lc[2] * z0 + k->lc[3] * z1}, b[2];
    double sum[3] = {0.5 * a[0] * a[0], 0.5 * a[0] * a[1], 0.5 * a[1] * a[1]}, ent = 0;
    c[3] = (PURPOSE_DYNAMICS << 8) | ((uint32_t)(t >> 32) << 16);
    for (long s = 0; s < steps; s++) {
        c[0] = (uint32_t)s;
        philox_scalar(c, SEED, 0, w);
        gauss_scalar(w, &z0, &z1);
        double zz[2] = {z0, z1};
        for (int i = 0; i < 2; i++) {
            double v = k->e[2 * i] * a[0] + k->e[2 * i + 1] * a[1];
            for (int j = 0; j <= i; j++) v += k->l[2 * i + j] * zz[j];
            b[i] = v;
        }
        double q = ent;
        for (int i = 0; i < 2; i++) {
            double ra = k->qaa[2 * i] * a[0] + k->qab[2 * i] * b[0] + (k->qaa[2 * i + 1] * a[1] + k->qab[2 * i + 1] * b[1]);
            double rb = k->qbb[2 * i] * b[0] + k->qbb[2 * i + 1] * b[1];
            q += a[i] * ra + b[i] * rb;
        }
        ent = q + k->qc;
        double wt = s + 1 < steps ? 1.0 : 0.5;
        sum[0] += wt * b[0] * b[0], sum[1] += wt * b[0] * b[1], sum[2] += wt * b[1] * b[1];
        a[0] = b[0], a[1] = b[1];
    }
    return (result){ent, {sum[0], sum[1], sum[2]}};
}

/* ---- driver ------------------------------------------------------------------------------------ */
int main(int argc, char **argv)
{
    long traj = 4096, steps = 1000, check = 64;
    double dt = 0.05;
    const char *cs = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--coefficients")) cs = argv[i + 1];
        else if (!strcmp(argv[i], "--traj")) traj = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--steps")) steps = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--dt")) dt = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--check")) check = atol(argv[i + 1]);
        else return fprintf(stderr, "unknown option %s\n", argv[i]), 2;
    }
    coef k;
    double *dst[] = {k.e, k.l, k.lc, k.qaa, k.qab, k.qbb};
    char *p = (char *)cs, *end;
    for (int m = 0; p && m < 25; m++) {
        double v = strtod(p, &end);
        if (end == p) p = NULL;
        else if (m < 24) dst[m / 4][m % 4] = v, p = end;
        else k.qc = v, p = end;
    }
    if (!p || traj % L || traj < 2 * L || steps < 1) {
        fprintf(stderr, "usage: ou_limit --coefficients \"25 numbers (thermolearn bench ou --coefficients)\" "
                        "[--traj T (a multiple of %d)] [--steps S] [--dt H] [--check N]\n", L);
        return 2;
    }
    result *res = malloc((size_t)traj * sizeof *res);
    clock_t t0 = clock();
    for (long t = 0; t < traj; t += L) run_lanes(&k, steps, (uint64_t)t, res + t);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;

    int bad = 0;
    long same = 0, n_check = check < traj ? check : traj;
    for (long t = 0; t < n_check; t++) {
        result r = reference(&k, steps, (uint64_t)t);
        same += r.ep == res[t].ep && r.c[0] == res[t].c[0] && r.c[1] == res[t].c[1] && r.c[2] == res[t].c[2];
    }
    printf("scalar reference: %ld of %ld trajectories equal to the bit\n", same, n_check);
    if (same != n_check) bad = 1;

    /* the exact values: eq. D11 and eq. D8 at J_s = 0.5, J_a = 0.6, decay 1, sigma^2 = 1 */
    const double js = 0.5, ja = 0.6, d = 1.0, sg2 = 1.0, window = steps * dt;
    const double pre = sg2 / (2 * d * (d * d + ja * ja - js * js));
    const double exact[4] = {2 * ja * ja / d, pre * (d * d + js * ja + ja * ja), pre * d * js,
                             pre * (d * d - js * ja + ja * ja)};
    const char *names[4] = {"entropy_production_rate", "C_00", "C_01", "C_11"};
    double ep = 0, sum = 0, mom[4][2] = {{0}};
    for (long t = 0; t < traj; t++) {
        double v[4] = {res[t].ep / window, res[t].c[0] / steps, res[t].c[1] / steps, res[t].c[2] / steps};
        ep += res[t].ep;
        for (int j = 0; j < 3; j++) sum += res[t].c[j] / steps; /* the engine bench's checksum order */
        for (int j = 0; j < 4; j++) mom[j][0] += v[j], mom[j][1] += v[j] * v[j];
    }
    for (int j = 0; j < 4; j++) {
        double mean = mom[j][0] / traj, se = sqrt((mom[j][1] / traj - mean * mean) / (traj - 1)), z = (mean - exact[j]) / se;
        printf("%-24s %.5f +- %.5f (exact %.5f, z = %+.2f)%s\n", names[j], mean, se, exact[j], z, fabs(z) < 4 ? "" : "  FAIL");
        if (!(fabs(z) < 4)) bad = 1;
    }
    printf("checksum %a %a\n", ep, sum);
    printf("steps_per_s %.4e\n", (double)traj * steps / cpu);
    free(res);
    return bad;
}
