/* The XFT slope estimator (xft.h) on synthetic data with a known slope:
 * given |Q|, sign(Q) is Bernoulli with log-odds s |Q|. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "thermolearn/xft.h"

/* n heat values: |Q| exponential with mean `mean_abs`, signs from the XFT with slope s. */
static double *synthetic(gsl_rng *r, size_t n, double s, double mean_abs)
{
    double *q = malloc(n * sizeof *q);
    for (size_t k = 0; k < n; k++) {
        double a = gsl_ran_exponential(r, mean_abs);
        double p_pos = 1.0 / (1.0 + exp(-s * a));
        q[k] = gsl_rng_uniform(r) < p_pos ? a : -a;
    }
    return q;
}

/* Over 200 independent data sets the estimate is unbiased within its error
 * and the standard error matches the spread (the Fisher error is honest). */
static void test_known_slope(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    const double s = -0.1333333333, mean_abs = 8.0;
    const size_t n = 4000, sets = 200;
    double sum = 0, sum2 = 0, err2 = 0;
    size_t within = 0;
    for (size_t k = 0; k < sets; k++) {
        double *q = synthetic(r, n, s, mean_abs);
        tl_xft_fit fit;
        assert_int_equal(tl_xft_slope(q, NULL, n, &fit), 0);
        sum += fit.slope, sum2 += fit.slope * fit.slope, err2 += fit.err * fit.err;
        within += fabs(fit.slope - s) <= 2 * fit.err;
        free(q);
    }
    double mean = sum / sets, sd = sqrt((sum2 - sum * sum / sets) / (sets - 1)), err = sqrt(err2 / sets);
    print_message("slope %.5f (true %.5f), spread %.5f, mean Fisher error %.5f, within 2 err: %zu/%zu\n",
                  mean, s, sd, err, within, sets);
    /* mean of 200: its standard error is sd / sqrt(200) */
    assert_true(fabs(mean - s) <= 4 * sd / sqrt((double)sets));
    /* the spread of a sample sd over 200 sets is about 5%: 20% catches a wrong error */
    assert_true(fabs(sd / err - 1) < 0.2);
    /* 95% within 2 errors: binomial sd over 200 is 1.5%, so > 88% */
    assert_true(within > 0.88 * sets);
    gsl_rng_free(r);
}

/* The estimate is the root of the score, the maximum of the likelihood;
 * weights act as repeated samples. */
static void test_maximum_and_weights(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    size_t n = 500;
    double *q = synthetic(r, n, 0.3, 2.0);
    tl_xft_fit fit;
    assert_int_equal(tl_xft_slope(q, NULL, n, &fit), 0);
    double score, ll = tl_xft_log_likelihood(q, NULL, n, fit.slope, &score);
    assert_true(fabs(score) < 1e-8 * n);
    for (int k = -3; k <= 3; k++)
        if (k) assert_true(tl_xft_log_likelihood(q, NULL, n, fit.slope + k * 0.1 * fit.err, NULL) < ll);
    /* doubling every sample = weight 2: same slope, error / sqrt(2) */
    double *q2 = malloc(2 * n * sizeof *q2), *w = malloc(n * sizeof *w);
    for (size_t k = 0; k < n; k++) q2[2 * k] = q2[2 * k + 1] = q[k], w[k] = 2.0;
    tl_xft_fit f2, fw;
    assert_int_equal(tl_xft_slope(q2, NULL, 2 * n, &f2), 0);
    assert_int_equal(tl_xft_slope(q, w, n, &fw), 0);
    assert_true(fabs(f2.slope - fit.slope) < 1e-10 && fabs(fw.slope - fit.slope) < 1e-10);
    assert_true(fabs(fw.err * sqrt(2.0) - fit.err) < 1e-10);
    /* Q = 0 carries no information */
    q2[0] = 0;
    assert_int_equal(tl_xft_slope(q2, NULL, 1, &f2), -1);
    free(q), free(q2), free(w);
    gsl_rng_free(r);
}

/* A closed form: two values +a (count k) and -a (count m): s = ln(k/m) / a. */
static void test_closed_form(void **state)
{
    (void)state;
    double q[] = {1.5, -1.5}, w[] = {30, 10};
    tl_xft_fit fit;
    assert_int_equal(tl_xft_slope(q, w, 2, &fit), 0);
    assert_true(fabs(fit.slope - log(3.0) / 1.5) < 1e-12);
    /* Fisher: 40 a^2 p (1 - p), p = 3/4 */
    assert_true(fabs(fit.err - 1.0 / sqrt(40 * 2.25 * 0.75 * 0.25)) < 1e-12);
    /* one sign only: no finite estimate */
    double one[] = {1.0, 2.0, 0.0};
    assert_int_equal(tl_xft_slope(one, NULL, 3, &fit), -1);
    assert_true(isnan(fit.slope) && isnan(fit.err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_maximum_and_weights),
        cmocka_unit_test(test_known_slope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
