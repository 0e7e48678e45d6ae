/* Accumulators: block moments merged in block order equal the moments of the
 * whole set, and histograms binned in pieces and summed equal one histogram. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "thermolearn/moments.h"

enum { N = 10007, BLOCK = 256 };

static void fill(double *x)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < N; i++) x[i] = 1e3 + gsl_ran_gamma(r, 2.0, 3.0);
    gsl_rng_free(r);
}

static void test_block_merge(void **state)
{
    (void)state;
    static double x[N];
    fill(x);
    tl_moments all = tl_moments_of(x, N), merged = {0, 0, 0, INFINITY, -INFINITY};
    for (int b = 0; b < N; b += BLOCK) merged = tl_moments_merge(merged, tl_moments_of(x + b, b + BLOCK < N ? BLOCK : N - b));
    /* against GSL's two-pass statistics */
    double mean = gsl_stats_mean(x, 1, N), var = gsl_stats_variance(x, 1, N);
    assert_true(merged.n == N);
    assert_true(fabs(merged.mean - mean) < 1e-12 * fabs(mean));
    assert_true(fabs(tl_moments_variance(&merged) - var) < 1e-9 * var);
    assert_true(fabs(tl_moments_variance(&all) - var) < 1e-9 * var);
    assert_true(merged.min == gsl_stats_min(x, 1, N) && merged.max == gsl_stats_max(x, 1, N));
    /* The same blocks merged in the same order give the same bits, whoever made them. */
    tl_moments again = {0, 0, 0, INFINITY, -INFINITY};
    for (int b = 0; b < N; b += BLOCK) {
        tl_moments m = tl_moments_of(x + b, b + BLOCK < N ? BLOCK : N - b);
        again = tl_moments_merge(again, m);
    }
    assert_memory_equal(&again, &merged, sizeof merged);
    tl_moments empty = {0, 0, 0, INFINITY, -INFINITY};
    tl_moments one = tl_moments_merge(empty, tl_moments_of(x, 1));
    assert_true(one.n == 1 && one.mean == x[0] && isnan(tl_moments_variance(&one)));
}

static void test_histogram_pieces(void **state)
{
    (void)state;
    static double x[N];
    fill(x);
    gsl_histogram *whole = gsl_histogram_alloc(50), *sum = gsl_histogram_alloc(50), *piece = gsl_histogram_alloc(50);
    gsl_histogram_set_ranges_uniform(whole, 1000, 1030);
    gsl_histogram_set_ranges_uniform(sum, 1000, 1030);
    gsl_histogram_set_ranges_uniform(piece, 1000, 1030);
    size_t outside = 0;
    for (int i = 0; i < N; i++) outside += gsl_histogram_increment(whole, x[i]) != 0;
    for (int b = 0; b < N; b += BLOCK) {
        gsl_histogram_reset(piece);
        for (int i = b; i < N && i < b + BLOCK; i++) gsl_histogram_increment(piece, x[i]);
        assert_int_equal(gsl_histogram_add(sum, piece), 0);
    }
    assert_true(gsl_histogram_equal_bins_p(whole, sum));
    for (size_t k = 0; k < 50; k++) assert_true(gsl_histogram_get(whole, k) == gsl_histogram_get(sum, k));
    assert_true(gsl_histogram_sum(whole) + outside == N);
    assert_true(outside > 0); /* the gamma tail reaches past 1030 */
    gsl_histogram_free(whole), gsl_histogram_free(sum), gsl_histogram_free(piece);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_merge),
        cmocka_unit_test(test_histogram_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
