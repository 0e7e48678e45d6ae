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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproducible_and_keyed),
        cmocka_unit_test(test_independence),
        cmocka_unit_test(test_gsl_wrapper),
        cmocka_unit_test(test_lanes_bit_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
