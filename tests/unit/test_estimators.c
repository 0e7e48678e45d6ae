/* Unit tests of the free-energy estimators against exactly known answers.
 *
 * Gaussian work: if P_F(W) = N(dF + beta s^2/2, s^2) then P_R(W_R) =
 * N(-dF + beta s^2/2, s^2) satisfies Crooks exactly, so dF is known.
 * Two-valued work with weights: exact Crooks distributions, for which BAR
 * returns dF to rounding.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "assert_close.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "thermolearn/estimators.h"
#include "thermolearn/status.h"

#define N_GAUSS 20000

static tl_samples unweighted(const double *x, size_t n)
{
    return (tl_samples){x, NULL, n};
}

/* Forward and reverse Gaussian work for free energy df, width s. */
static void draw_gaussian_work(gsl_rng *rng, double beta, double df, double s,
                               double *w_f, double *w_r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        w_f[i] = df + 0.5 * beta * s * s + gsl_ran_gaussian(rng, s);
        w_r[i] = -df + 0.5 * beta * s * s + gsl_ran_gaussian(rng, s);
    }
}

static void test_bar_gaussian_within_error(void **state)
{
    (void)state;
    const double beta = 2.0, df = 1.5, s = 0.8; /* beta s = 1.6: moderate dissipation */
    double *w_f = malloc(N_GAUSS * sizeof *w_f), *w_r = malloc(N_GAUSS * sizeof *w_r);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 12345);
    draw_gaussian_work(rng, beta, df, s, w_f, w_r, N_GAUSS);

    double est, err;
    assert_int_equal(tl_estimate_bar(unweighted(w_f, N_GAUSS), unweighted(w_r, N_GAUSS),
                                     beta, &est, &err), TL_OK);
    assert_true(err > 0.0 && err < 0.05);
    assert_true(fabs(est - df) < 3.0 * err);

    gsl_rng_free(rng);
    free(w_f);
    free(w_r);
}

/* The asymptotic standard error must describe the actual scatter of BAR. */
static void test_bar_error_matches_scatter(void **state)
{
    (void)state;
    enum { REPS = 50 };
    const double beta = 1.0, df = -0.7, s = 2.0; /* beta s = 2: poorer overlap */
    double *w_f = malloc(N_GAUSS * sizeof *w_f), *w_r = malloc(N_GAUSS * sizeof *w_r);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2024);

    double est[REPS], mean_err = 0.0;
    for (int k = 0; k < REPS; k++) {
        double err;
        draw_gaussian_work(rng, beta, df, s, w_f, w_r, N_GAUSS);
        assert_int_equal(tl_estimate_bar(unweighted(w_f, N_GAUSS), unweighted(w_r, N_GAUSS),
                                         beta, &est[k], &err), TL_OK);
        mean_err += err / REPS;
    }
    double mean = 0.0, var = 0.0;
    for (int k = 0; k < REPS; k++) mean += est[k] / REPS;
    for (int k = 0; k < REPS; k++) var += (est[k] - mean) * (est[k] - mean) / (REPS - 1);
    double ratio = sqrt(var) / mean_err;
    print_message("BAR scatter / reported error = %.3f (reported %.4g)\n", ratio, mean_err);
    assert_true(ratio > 0.7 && ratio < 1.4);
    assert_true(fabs(mean - df) < 3.0 * mean_err / sqrt(REPS)); /* no visible bias */

    gsl_rng_free(rng);
    free(w_f);
    free(w_r);
}

static void test_jarzynski_small_dissipation(void **state)
{
    (void)state;
    const double beta = 0.5, df = 3.0, s = 0.6; /* beta s = 0.3 */
    double *w_f = malloc(N_GAUSS * sizeof *w_f), *w_r = malloc(N_GAUSS * sizeof *w_r);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 777);
    draw_gaussian_work(rng, beta, df, s, w_f, w_r, N_GAUSS);

    /* Delta method: sd of T ln <e^{-beta W}> is sqrt((e^{beta^2 s^2} - 1)/N) / beta. */
    double se = sqrt(expm1(beta * beta * s * s) / N_GAUSS) / beta;
    double jf = tl_estimate_jarzynski_forward(unweighted(w_f, N_GAUSS), beta);
    double jr = tl_estimate_jarzynski_reverse(unweighted(w_r, N_GAUSS), beta);
    assert_true(fabs(jf - df) < 4.0 * se);
    assert_true(fabs(jr - df) < 4.0 * se);

    gsl_rng_free(rng);
    free(w_f);
    free(w_r);
}

static void test_jarzynski_exact(void **state)
{
    (void)state;
    /* <e^{-beta W}> of {0, 1} with weights {1, 3} at beta = 2: (1 + 3 e^-2) / 4. */
    const double x[] = {0.0, 1.0}, w[] = {1.0, 3.0};
    double expect = -log((1.0 + 3.0 * exp(-2.0)) / 4.0) / 2.0;
    assert_close(tl_estimate_jarzynski_forward((tl_samples){x, w, 2}, 2.0), expect, 1e-15);
    assert_close(tl_estimate_jarzynski_reverse((tl_samples){x, w, 2}, 2.0), -expect, 1e-15);
    assert_true(isnan(tl_estimate_jarzynski_forward((tl_samples){x, w, 0}, 2.0)));
    assert_true(isnan(tl_estimate_jarzynski_forward((tl_samples){x, w, 2}, 0.0)));
}

static void test_gaussian_estimator_exact(void **state)
{
    (void)state;
    const double beta = 1.7, df = -2.25, s = 1.3;
    assert_close(tl_estimate_gaussian(df + 0.5 * beta * s * s, s * s, beta), df, 1e-14);
    assert_close(tl_estimate_gaussian(4.0, 0.0, beta), 4.0, 0.0);
    assert_true(isnan(tl_estimate_gaussian(1.0, -1.0, beta)));
    assert_true(isnan(tl_estimate_gaussian(1.0, 1.0, 0.0)));
}

/* Two-valued work, W in {a, b} forward and W_R in {-a, -b} reverse, with
 * probabilities fixed by Crooks: q(W) = p(W) e^{-beta (W - dF)}, normalised.
 * BAR is exact on exact Crooks distributions for any N_F, N_R: substituting
 * q into the reverse sum turns it term by term into the forward one. */
struct discrete {
    double x_f[3], w_f[3], x_r[3], w_r[3];
};

static struct discrete discrete_case(double a, double b, double df, double beta,
                                     double n_f, double n_r, double shift)
{
    double ea = exp(-beta * (a - df)), eb = exp(-beta * (b - df));
    double pa = (1.0 - eb) / (ea - eb); /* so that pa ea + (1 - pa) eb = 1 */
    /* A third sample of zero weight far outside: it must be ignored. */
    return (struct discrete){
        .x_f = {shift + a, shift + b, shift + 1e6}, .w_f = {n_f * pa, n_f * (1.0 - pa), 0.0},
        .x_r = {-(shift + b), -(shift + a), -1e6}, .w_r = {n_r * (1.0 - pa) * eb, n_r * pa * ea, 0.0},
    };
}

/* pymbar's 'BAR' variance, straight from its definition (moderate numbers). */
static double naive_bar_err(const struct discrete *d, double beta, double df, double n_f, double n_r)
{
    double m = log(n_f / n_r), var = 0.0;
    for (int side = 0; side < 2; side++) {
        const double *x = side ? d->x_r : d->x_f, *w = side ? d->w_r : d->w_f;
        double n = side ? n_r : n_f, f1 = 0.0, f2 = 0.0;
        for (int i = 0; i < 3; i++) {
            double arg = side ? -m + beta * (x[i] + df) : m + beta * (x[i] - df);
            double f = 1.0 / (1.0 + exp(arg));
            f1 += w[i] * f / n;
            f2 += w[i] * f * f / n;
        }
        var += (f2 / (f1 * f1) - 1.0) / n;
    }
    return sqrt(var) / beta;
}

static void test_bar_discrete_exact(void **state)
{
    (void)state;
    const double beta = 1.3, df = 0.7, n_f = 1000.0, n_r = 3000.0;
    struct discrete d = discrete_case(0.2, 2.5, df, beta, n_f, n_r, 0.0);
    double est, err;
    assert_int_equal(tl_estimate_bar((tl_samples){d.x_f, d.w_f, 3}, (tl_samples){d.x_r, d.w_r, 3},
                                     beta, &est, &err), TL_OK);
    assert_close(est, df, 1e-10);
    assert_close(err, naive_bar_err(&d, beta, df, n_f, n_r), 1e-10 * err);

    /* NULL std_err is allowed. */
    assert_int_equal(tl_estimate_bar((tl_samples){d.x_f, d.w_f, 3}, (tl_samples){d.x_r, d.w_r, 3},
                                     beta, &est, NULL), TL_OK);
    assert_close(est, df, 1e-10);
}

/* Integer weights are the same as repeated samples. */
static void test_bar_weights_equal_repeats(void **state)
{
    (void)state;
    const double x_f[] = {0.3, 1.1, 2.0}, w_f[] = {2.0, 1.0, 3.0};
    const double x_r[] = {-0.5, -1.4}, w_r[] = {1.0, 4.0};
    const double rep_f[] = {0.3, 0.3, 1.1, 2.0, 2.0, 2.0};
    const double rep_r[] = {-0.5, -1.4, -1.4, -1.4, -1.4};
    double e1, s1, e2, s2;
    assert_int_equal(tl_estimate_bar((tl_samples){x_f, w_f, 3}, (tl_samples){x_r, w_r, 2},
                                     0.9, &e1, &s1), TL_OK);
    assert_int_equal(tl_estimate_bar(unweighted(rep_f, 6), unweighted(rep_r, 5), 0.9, &e2, &s2),
                     TL_OK);
    assert_close(e1, e2, 1e-13);
    assert_close(s1, s2, 1e-13);
}

static void test_overflow_safety(void **state)
{
    (void)state;
    /* The exact discrete case shifted to works of +-1e5 kT. */
    for (int sign = -1; sign <= 1; sign += 2) {
        const double beta = 1.0, df = 0.7, shift = sign * 1e5;
        struct discrete d = discrete_case(0.2, 2.5, df, beta, 500.0, 700.0, shift);
        double est, err;
        assert_int_equal(tl_estimate_bar((tl_samples){d.x_f, d.w_f, 3},
                                         (tl_samples){d.x_r, d.w_r, 3}, beta, &est, &err), TL_OK);
        assert_close(est, shift + df, 1e-9); /* ~1e4 ulps of 1e5 */
        assert_true(isfinite(err) && err > 0.0);
    }

    /* Samples spanning 2e5 kT, and a large beta. */
    const double x_f[] = {-1e5, 3.0, 1e5}, x_r[] = {1e5, -2.0, -1e5};
    double est, err;
    assert_int_equal(tl_estimate_bar(unweighted(x_f, 3), unweighted(x_r, 3), 1.0, &est, &err),
                     TL_OK);
    assert_true(isfinite(est) && isfinite(err));
    const double y_f[] = {100.0, 100.5}, y_r[] = {-100.2, -99.9};
    assert_int_equal(tl_estimate_bar(unweighted(y_f, 2), unweighted(y_r, 2), 1e3, &est, &err),
                     TL_OK);
    assert_true(isfinite(est) && isfinite(err) && est > 99.9 && est < 100.5);

    /* Jarzynski: -T ln((e^{-1e5} + e^{-1e5-1})/2) = 1e5 - ln((1 + e^-1)/2). */
    const double j[] = {1e5, 1e5 + 1.0};
    assert_close(tl_estimate_jarzynski_forward(unweighted(j, 2), 1.0),
                       1e5 - log(0.5 * (1.0 + exp(-1.0))), 1e-9);
    const double jn[] = {-1e5, -1e5 - 1.0};
    assert_close(tl_estimate_jarzynski_reverse(unweighted(jn, 2), 1.0),
                       1e5 + 1.0 + log(0.5 * (1.0 + exp(-1.0))), 1e-9);
}

static void test_bar_no_overlap(void **state)
{
    (void)state;
    /* Forward work in [10, 12], mirrored reverse -W_R in [2, 3]. */
    const double x_f[] = {10.0, 11.0, 12.0}, x_r[] = {-2.0, -3.0};
    double est = 0.0, err = 0.0;
    assert_int_equal(tl_estimate_bar(unweighted(x_f, 3), unweighted(x_r, 2), 1.0, &est, &err),
                     TL_ERR_NO_OVERLAP);
    assert_true(isnan(est) && isnan(err));
    /* The other order (forward below the mirrored reverse) as well. */
    const double y_f[] = {-10.0, -11.0};
    assert_int_equal(tl_estimate_bar(unweighted(y_f, 2), unweighted(x_r, 2), 1.0, &est, &err),
                     TL_ERR_NO_OVERLAP);
    assert_true(isnan(est) && isnan(err));
    /* Touching ranges overlap; and a zero-weight sample does not create overlap. */
    const double t_f[] = {3.0, 5.0}, t_r[] = {-3.0, -1.0};
    assert_int_equal(tl_estimate_bar(unweighted(t_f, 2), unweighted(t_r, 2), 1.0, &est, &err),
                     TL_OK);
    const double z_f[] = {2.5, 10.0}, z_w[] = {0.0, 1.0};
    assert_int_equal(tl_estimate_bar((tl_samples){z_f, z_w, 2}, unweighted(x_r, 2), 1.0, &est,
                                     &err), TL_ERR_NO_OVERLAP);
}

static void test_bar_bad_input(void **state)
{
    (void)state;
    const double x[] = {1.0, 2.0}, neg[] = {1.0, -1.0}, zero[] = {0.0, 0.0};
    const double bad[] = {1.0, NAN};
    tl_samples ok = unweighted(x, 2);
    double est, err;
    assert_int_equal(tl_estimate_bar(unweighted(x, 0), ok, 1.0, &est, &err), TL_ERR_INPUT);
    assert_true(isnan(est) && isnan(err));
    assert_int_equal(tl_estimate_bar(unweighted(NULL, 2), ok, 1.0, &est, &err), TL_ERR_INPUT);
    assert_int_equal(tl_estimate_bar((tl_samples){x, neg, 2}, ok, 1.0, &est, &err), TL_ERR_INPUT);
    assert_int_equal(tl_estimate_bar((tl_samples){x, zero, 2}, ok, 1.0, &est, &err), TL_ERR_INPUT);
    assert_int_equal(tl_estimate_bar(unweighted(bad, 2), ok, 1.0, &est, &err), TL_ERR_INPUT);
    assert_int_equal(tl_estimate_bar(ok, ok, 0.0, &est, &err), TL_ERR_INPUT);
    assert_int_equal(tl_estimate_bar(ok, ok, NAN, &est, &err), TL_ERR_INPUT);
    assert_int_equal(tl_estimate_bar(ok, ok, 1.0, NULL, &err), TL_ERR_INPUT);
}

/* Probability that N(mu, s^2) falls in [lo, hi), from the tail it is small in. */
static double gaussian_bin(double lo, double hi, double mu, double s)
{
    if (lo >= mu) return gsl_cdf_gaussian_Q(lo - mu, s) - gsl_cdf_gaussian_Q(hi - mu, s);
    return gsl_cdf_gaussian_P(hi - mu, s) - gsl_cdf_gaussian_P(lo - mu, s);
}

/* Histograms of expected (not random) counts of exact Crooks Gaussians on
 * deliberately asymmetric bins and unequal totals. */
static void test_crossing_gaussian_histograms(void **state)
{
    (void)state;
    enum { NB = 3500 };
    const double beta = 1.5, df = 2.0, s = 1.0, n_f = 1e12, n_r = 3e11;
    const double lo = df - 7.3 * s, width = 0.0040 * s; /* bin-integration bias ~ width^2 / 12 */
    static double edges[NB + 1];
    static uint64_t c_f[NB], c_r[NB];
    for (int b = 0; b <= NB; b++) edges[b] = lo + b * width;
    for (int b = 0; b < NB; b++) {
        /* forward W ~ N(dF + beta s^2/2, s^2); mirrored -W_R ~ N(dF - beta s^2/2, s^2) */
        c_f[b] = (uint64_t)llround(n_f * gaussian_bin(edges[b], edges[b + 1], df + 0.5 * beta * s * s, s));
        c_r[b] = (uint64_t)llround(n_r * gaussian_bin(edges[b], edges[b + 1], df - 0.5 * beta * s * s, s));
    }
    double est = 0.0;
    assert_int_equal(tl_estimate_crossing(c_f, c_r, edges, NB, beta, &est), TL_OK);
    print_message("crossing: dF = %.12g (exact %g)\n", est, df);
    assert_close(est, df, 1e-6 * fabs(df));

    /* Overlap of two unit Gaussians a distance beta s apart: 2 Phi(-beta s / 2). */
    double ovl = tl_overlap_coefficient(c_f, c_r, NB);
    assert_close(ovl, 2.0 * gsl_cdf_gaussian_P(-0.5 * beta * s, 1.0), 1e-4);
}

static void test_crossing_exact_and_errors(void **state)
{
    (void)state;
    /* Two bins with both counts: y_b = W_b - ln(p_F/p_R)/beta, weights nF nR/(nF + nR). */
    const double edges[] = {0.0, 1.0, 3.0, 4.0};
    const uint64_t c_f[] = {2, 6, 0}, c_r[] = {4, 3, 5};
    const double beta = 2.0, n_f = 8.0, n_r = 12.0;
    double y0 = 0.5 - log((2.0 / n_f) / (4.0 / n_r)) / beta, w0 = 8.0 / 6.0;
    double y1 = 2.0 - log((6.0 / n_f) / (3.0 / n_r)) / beta, w1 = 18.0 / 9.0;
    double est = 0.0;
    assert_int_equal(tl_estimate_crossing(c_f, c_r, edges, 3, beta, &est), TL_OK);
    assert_close(est, (w0 * y0 + w1 * y1) / (w0 + w1), 1e-14);

    /* Disjoint histograms: no overlap. */
    const uint64_t d_f[] = {5, 0, 0}, d_r[] = {0, 2, 7};
    assert_int_equal(tl_estimate_crossing(d_f, d_r, edges, 3, beta, &est), TL_ERR_NO_OVERLAP);
    assert_true(isnan(est));
    /* Bad edges and beta. */
    const double bad_edges[] = {0.0, 1.0, 1.0, 4.0};
    assert_int_equal(tl_estimate_crossing(c_f, c_r, bad_edges, 3, beta, &est), TL_ERR_INPUT);
    assert_int_equal(tl_estimate_crossing(c_f, c_r, edges, 3, -1.0, &est), TL_ERR_INPUT);
    assert_true(isnan(est));
}

static void test_overlap_coefficient(void **state)
{
    (void)state;
    const uint64_t a[] = {1, 4, 9, 0}, a3[] = {3, 12, 27, 0};
    assert_close(tl_overlap_coefficient(a, a, 4), 1.0, 1e-15);
    assert_close(tl_overlap_coefficient(a, a3, 4), 1.0, 1e-15); /* normalised */
    const uint64_t f[] = {3, 3, 0, 0}, r[] = {0, 0, 1, 5};
    assert_close(tl_overlap_coefficient(f, r, 4), 0.0, 0.0);
    const uint64_t p[] = {1, 1, 0, 0}, q[] = {0, 1, 1, 0};
    assert_close(tl_overlap_coefficient(p, q, 4), 0.5, 1e-15);
    const uint64_t empty[] = {0, 0, 0, 0};
    assert_true(isnan(tl_overlap_coefficient(empty, a, 4)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bar_gaussian_within_error),
        cmocka_unit_test(test_bar_error_matches_scatter),
        cmocka_unit_test(test_jarzynski_small_dissipation),
        cmocka_unit_test(test_jarzynski_exact),
        cmocka_unit_test(test_gaussian_estimator_exact),
        cmocka_unit_test(test_bar_discrete_exact),
        cmocka_unit_test(test_bar_weights_equal_repeats),
        cmocka_unit_test(test_overflow_safety),
        cmocka_unit_test(test_bar_no_overlap),
        cmocka_unit_test(test_bar_bad_input),
        cmocka_unit_test(test_crossing_gaussian_histograms),
        cmocka_unit_test(test_crossing_exact_and_errors),
        cmocka_unit_test(test_overlap_coefficient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
