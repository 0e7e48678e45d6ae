/* Counter-based streams: reproducible, keyed by what a trajectory is, and
 * statistically independent across trajectories, points and directions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "thermolearn/stream.h"

static uint32_t word(const tl_stream_key *key, uint32_t purpose, uint64_t traj, uint32_t k)
{
    philox4x32_ctr_t r = philox4x32(tl_stream_counter(key, purpose, traj, k / 4), tl_stream_philox_key(key->seed));
    return r.v[k % 4];
}

static void test_reproducible_and_keyed(void **state)
{
    (void)state;
    tl_stream_key a = {42, 3, 1}, b = {42, 3, 1};
    for (uint32_t k = 0; k < 64; k++) assert_int_equal(word(&a, 0, 7, k), word(&b, 0, 7, k));
    /* Changing any part of the key changes the stream. */
    tl_stream_key other[] = {{43, 3, 1}, {42, 4, 1}, {42, 3, 0}};
    for (size_t o = 0; o < 3; o++) {
        int same = 0;
        for (uint32_t k = 0; k < 64; k++) same += word(&a, 0, 7, k) == word(&other[o], 0, 7, k);
        assert_true(same < 3);
    }
    int same = 0;
    for (uint32_t k = 0; k < 64; k++) same += word(&a, 0, 7, k) == word(&a, 0, 8, k) || word(&a, 0, 7, k) == word(&a, 1, 7, k);
    assert_true(same < 3);
}

/* Uniforms from many streams: chi-square over 64 cells, and the correlation of
 * neighbouring trajectories' draws, within 4 standard errors of zero. */
static void test_independence(void **state)
{
    (void)state;
    enum { TRAJ = 4096, DRAWS = 64, CELLS = 64 };
    tl_stream_key key = {2026, 0, 0};
    double counts[CELLS] = {0}, sxy = 0;
    for (uint64_t t = 0; t < TRAJ; t++)
        for (uint32_t k = 0; k < DRAWS; k++) {
            float u = tl_uniform_float(word(&key, 0, t, k));
            assert_true(u > 0.0f && u < 1.0f);
            counts[(int)(u * CELLS)]++;
            float v = tl_uniform_float(word(&key, 0, t + 1, k));
            sxy += (u - 0.5) * (v - 0.5);
        }
    double n = (double)TRAJ * DRAWS, chi2 = 0;
    for (int c = 0; c < CELLS; c++) chi2 += pow(counts[c] - n / CELLS, 2) / (n / CELLS);
    double p = gsl_cdf_chisq_Q(chi2, CELLS - 1);
    assert_true(p > 1e-4);
    /* var((u-1/2)(v-1/2)) = 1/144 for independent uniforms */
    double z = (sxy / n) / sqrt(1.0 / 144 / n);
    assert_true(fabs(z) < 4);
}

/* The GSL face draws the same words as the stream itself, in order. */
static void test_gsl_wrapper(void **state)
{
    (void)state;
    tl_stream_key key = {9, 2, 1};
    gsl_rng *r = tl_stream_gsl_alloc(&key, TL_PURPOSE_DISORDER, 11);
    for (uint32_t k = 0; k < 40; k++) assert_int_equal(gsl_rng_get(r), word(&key, TL_PURPOSE_DISORDER, 11, k));
    double sum = 0;
    for (int i = 0; i < 100000; i++) sum += gsl_ran_gaussian(r, 1.0);
    assert_true(fabs(sum / 100000) < 4 / sqrt(100000.0));
    gsl_rng_free(r);
}

/* tl_stream_words and tl_stream_uniforms, which run Philox across lanes with
 * vector multiplies, give Random123's scalar philox4x32 bit for bit: lane
 * counts that fill whole vectors and leave a scalar tail, every word, a
 * trajectory index whose low half wraps inside the block and a high half that
 * lands in the last counter word, several keys, purposes and blocks. */
static void test_lanes_bit_identical(void **state)
{
    (void)state;
    enum { MAXN = 77 };
    static uint32_t words[4 * MAXN];
    static float u[4 * MAXN];
    const tl_stream_key keys[] = {{1, 0, 0}, {20201224, 3, 1}, {0xfedcba9876543210ull, 0xffffffffu, 1}};
    const uint64_t firsts[] = {0, 256, 4999, 0xfffffff0u, (3ull << 32) + 0xfffffffaull};
    const uint32_t blocks[] = {0, 1, 7, 0x80000003u};
    const size_t ns[] = {1, 8, 16, 37, 64, MAXN};
    long checked = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t f = 0; f < 5; f++)
            for (size_t bl = 0; bl < 4; bl++)
                for (size_t q = 0; q < 6; q++) {
                    size_t n = ns[q];
                    uint32_t purpose = (uint32_t)(a + bl) % 3;
                    tl_stream_words(&keys[a], purpose, firsts[f], blocks[bl], n, words);
                    tl_stream_uniforms(&keys[a], purpose, firsts[f], blocks[bl], n, u);
                    philox4x32_ctr_t c0 = tl_stream_counter(&keys[a], purpose, firsts[f], blocks[bl]);
                    for (size_t l = 0; l < n; l++) {
                        philox4x32_ctr_t c = c0;
                        c.v[1] += (uint32_t)l; /* what the kernels have always done */
                        philox4x32_ctr_t r = philox4x32(c, tl_stream_philox_key(keys[a].seed));
                        for (int j = 0; j < 4; j++) {
                            assert_int_equal(words[j * n + l], r.v[j]);
                            float want = tl_uniform_float(r.v[j]);
                            assert_memory_equal(&u[j * n + l], &want, sizeof want);
                            checked++;
                        }
                    }
                }
    /* and lane l is trajectory first + l's own stream where no wrap happens */
    tl_stream_words(&keys[1], 0, 4999, 5, 16, words);
    for (uint32_t l = 0; l < 16; l++) assert_int_equal(words[2 * 16 + l], word(&keys[1], 0, 4999 + l, 5 * 4 + 2));
    print_message("%ld words bit-identical to philox4x32 (%d lanes per vector)\n", checked, TL_STREAM_LANES);
}


/* ---- Gaussians -------------------------------------------------------------
 * The scalar reference of tl_stream_gaussians, written independently of its
 * vector code (frexp, nearbyint, a switch on the quadrant) but with the same
 * double operations in the same order, so equal bit for bit. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
static double ref_log(double u)
{
    int e;
    double m = 2.0 * frexp(u, &e); /* u = m 2^(e-1), m in [1, 2) */
    e -= 1;
    if (m > 1.4142135623730951) m *= 0.5, e += 1; /* sqrt(2) rounded: 0x3ff6a09e667f3bcd */
    double ed = e, s = (m - 1.0) / (m + 1.0), z = s * s;
    double r = z * (6.666666666666735130e-01 +
                    z * (3.999999999940941908e-01 +
                         z * (2.857142874366239149e-01 +
                              z * (2.222219843214978396e-01 +
                                   z * (1.818357216161805012e-01 +
                                        z * (1.531383769920937332e-01 + z * 1.479819860511658591e-01))))));
    return ed * 6.93147180369123816490e-01 + (ed * 1.90821492927058770002e-10 + (2.0 * s + s * r));
}

static void ref_box_muller(philox4x32_ctr_t w, double *z0, double *z1)
{
    double u1 = tl_uniform_double(w.v[0], w.v[1]), u2 = tl_uniform_double(w.v[2], w.v[3]);
    double q = 4.0 * u2, k = nearbyint(q), t = q - k, x = t * 1.57079632679489655800e+00, x2 = x * x;
    double s = x + x * x2 *
                       (-1.66666666666666324348e-01 +
                        x2 * (8.33333333332248946124e-03 +
                              x2 * (-1.98412698298579493134e-04 +
                                    x2 * (2.75573137070700676789e-06 +
                                          x2 * (-2.50507602534068634195e-08 + x2 * 1.58969099521155010221e-10)))));
    double c = 1.0 - (0.5 * x2 - x2 * x2 *
                                     (4.16666666666666019037e-02 +
                                      x2 * (-1.38888888888741095749e-03 +
                                            x2 * (2.48015872894767294178e-05 +
                                                  x2 * (-2.75573143513906633035e-07 +
                                                        x2 * (2.08757232129817482790e-09 +
                                                              x2 * -1.13596475577881948265e-11))))));
    double co, si;
    switch ((int)k & 3) {
    case 0: co = c, si = s; break;
    case 1: co = -s, si = c; break;
    case 2: co = -c, si = -s; break;
    default: co = s, si = -c; break;
    }
    double r = sqrt(-2.0 * ref_log(u1));
    *z0 = r * co, *z1 = r * si;
}

/* Every lane equal to the scalar reference, bit for bit (whole vectors,
 * tails, chunks of 64, trajectory words that wrap), and the reference within
 * a few ulp of libm's sqrt(-2 log u1) (cos, sin)(2 pi u2). */
static void test_gaussians_bit_identical(void **state)
{
    (void)state;
    enum { MAXN = 200 };
    static double z[2 * MAXN];
    const tl_stream_key keys[] = {{1, 0, 0}, {20201224, 3, 1}, {0xfedcba9876543210ull, 0xffffffffu, 1}};
    const uint64_t firsts[] = {0, 256, 0xffffff90u, (3ull << 32) + 0xfffffffaull};
    const size_t ns[] = {1, 3, 4, 9, 64, 65, 130, MAXN};
    long checked = 0;
    double worst = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t f = 0; f < 4; f++)
            for (uint32_t block = 0; block < 40; block++)
                for (size_t q = 0; q < 8; q++) {
                    size_t n = ns[q];
                    tl_stream_gaussians(&keys[a], (uint32_t)a, firsts[f], block, n, z);
                    philox4x32_ctr_t c0 = tl_stream_counter(&keys[a], (uint32_t)a, firsts[f], block);
                    for (size_t l = 0; l < n; l++) {
                        philox4x32_ctr_t c = c0;
                        c.v[1] += (uint32_t)l;
                        philox4x32_ctr_t w = philox4x32(c, tl_stream_philox_key(keys[a].seed));
                        double want0, want1;
                        ref_box_muller(w, &want0, &want1);
                        assert_memory_equal(&z[l], &want0, sizeof want0);
                        assert_memory_equal(&z[n + l], &want1, sizeof want1);
                        double u1 = tl_uniform_double(w.v[0], w.v[1]), u2 = tl_uniform_double(w.v[2], w.v[3]);
                        double r = sqrt(-2.0 * log(u1)), ang = 6.283185307179586 * u2;
                        double err = fmax(fabs(want0 - r * cos(ang)), fabs(want1 - r * sin(ang))) / fmax(r, 1.0);
                        worst = fmax(worst, err);
                        checked += 2;
                    }
                }
    /* 2 pi u2 rounds (relative 1e-16 of up to 2 pi) in the libm version, not in ours */
    assert_true(worst < 4e-15);
    /* the reference's log at the extremes of u1 */
    const double us[] = {0x1p-54, 1e-300, 0.5, 0.70710678118654746, 0.70710678118654757, 1.0 - 0x1p-53, 1.0};
    for (size_t i = 0; i < sizeof us / sizeof *us; i++)
        assert_true(fabs(ref_log(us[i]) - log(us[i])) <= 4e-16 * fmax(fabs(log(us[i])), 1e-300) + 1e-300);
    print_message("%ld Gaussians bit-identical to the scalar reference; worst difference from libm %.2g\n",
                  checked, worst);
}

/* The normal law: 10^6 pairs (1000 trajectories x 1000 blocks), z0 and z1
 * each.  Tolerances: mean, variance, fourth moment, the correlation of z0
 * and z1 and E[z0^2 z1^2] - 1 within 5 standard errors; Kolmogorov-Smirnov
 * sqrt(N) D below 1.95 (p = 0.001) for each member, from the CDF at 4000
 * bin edges (never more than the exact D); the tail P(|z| > 4) within 5
 * Poisson standard errors.  The bit test above decides the arithmetic; this
 * one decides that the arithmetic is the normal law: a quadrant table that
 * swaps or negates wrongly (cos bounded away from 0 for z0), a log or sqrt
 * off by a factor, or a pair drawn from overlapping words fails it. */
static void test_gaussians_normal_law(void **state)
{
    (void)state;
    enum { LANES = 1000, BLOCKS = 1000, N = LANES * BLOCKS, BINS = 4000 };
    static double z[2 * LANES];
    static long hist[2][BINS]; /* z in [-8, 8) in bins of 1/250 */
    const tl_stream_key key = {777, 2, 0};
    double m1[2] = {0, 0}, m2[2] = {0, 0}, m4[2] = {0, 0}, cross = 0, cross2 = 0;
    long tail = 0, outside = 0;
    memset(hist, 0, sizeof hist);
    for (uint32_t b = 0; b < BLOCKS; b++) {
        tl_stream_gaussians(&key, TL_PURPOSE_DYNAMICS, 12345, b, LANES, z);
        for (int j = 0; j < 2; j++)
            for (int l = 0; l < LANES; l++) {
                double x = z[j * LANES + l];
                m1[j] += x, m2[j] += x * x, m4[j] += x * x * x * x;
                tail += fabs(x) > 4;
                long bin = (long)floor((x + 8.0) * 250.0);
                if (bin < 0 || bin >= BINS) outside++;
                else hist[j][bin]++;
            }
        for (int l = 0; l < LANES; l++) {
            double p = z[l] * z[LANES + l];
            cross += p, cross2 += p * p;
        }
    }
    double d[2] = {0, 0};
    for (int j = 0; j < 2; j++) {
        m1[j] /= N, m2[j] /= N, m4[j] /= N;
        assert_true(fabs(m1[j]) < 5 * sqrt(1.0 / N));
        assert_true(fabs(m2[j] - 1) < 5 * sqrt(2.0 / N));
        assert_true(fabs(m4[j] - 3) < 5 * sqrt(96.0 / N));
        long cum = 0;
        for (int i = 0; i < BINS; i++) {
            cum += hist[j][i];
            d[j] = fmax(d[j], fabs((double)cum / N - gsl_cdf_ugaussian_P(-8.0 + (i + 1) / 250.0)));
        }
        assert_true(sqrt((double)N) * d[j] < 1.95);
    }
    cross /= N, cross2 /= N;
    assert_true(fabs(cross) < 5 * sqrt(1.0 / N));
    assert_true(fabs(cross2 - 1) < 5 * sqrt(8.0 / N)); /* Var(z0^2 z1^2) = 9 - 1 */
    double p_tail = 2 * gsl_cdf_ugaussian_Q(4.0);
    assert_true(fabs(tail - 2 * N * p_tail) < 5 * sqrt(2 * N * p_tail));
    assert_int_equal(outside, 0);
    print_message("Gaussians: means %.2g %.2g, var-1 %.2g %.2g, m4-3 %.2g %.2g, E[z0 z1] %.2g, E[z0^2 z1^2]-1 %.2g, "
                  "tail %ld (expected %.1f), sqrt(N) D = %.3f %.3f\n",
                  m1[0], m1[1], m2[0] - 1, m2[1] - 1, m4[0] - 3, m4[1] - 3, cross, cross2 - 1, tail,
                  2 * N * p_tail, sqrt((double)N) * d[0], sqrt((double)N) * d[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproducible_and_keyed),
        cmocka_unit_test(test_independence),
        cmocka_unit_test(test_gsl_wrapper),
        cmocka_unit_test(test_lanes_bit_identical),
        cmocka_unit_test(test_gaussians_bit_identical),
        cmocka_unit_test(test_gaussians_normal_law),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
