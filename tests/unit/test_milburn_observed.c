/* The partially observed switch of Milburn section 2.3 (model `observed`).
 *
 * Exact references: the Wonham density against the research note's numbers
 * and against the corrected eq. 37 itself (its stationary Fokker-Planck flux
 * vanishes, by finite differences, independently of the closed form); the
 * current's moments against their continuum closed forms (h -> 0) and against
 * a direct summation of the chain's autocovariance at a finite step.
 * The simulation: the Bayes filter is exact for the discretised record at any
 * step, so its calibration <(n - n_c) n_c> = 0, <n_c> = <n> and
 * <(n - n_c)^2> = <1 - n_c^2> hold at a coarse step within 3 standard errors;
 * at a small step its MMSE and n_c histogram match the continuum Wonham law;
 * the current and record moments (eqs. 25-26, 28-29) match at any step.
 * Eq. 37's slips are decided on the same records: the halved drift is
 * miscalibrated (calibration -0.05, many standard errors from 0), the printed
 * sign makes the filter worse than no measurement (MSE > 1).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_z.h"

#include "assert_close.h"
#include <gsl/gsl_cdf.h>

#include "thermolearn/moments.h"
#include "../../src/models/milburn/observed.h"

static ob_params fig7(double gamma_rate, double dt, double time)
{
    return (ob_params){.mu = 0.5, .nu = 0.5, .kappa = 40, .gamma_rate = gamma_rate, .response = 20,
                       .filter = OB_BAYES, .current_filter = OB_CURRENT_EQ31, .dt = dt, .time = time,
                       .transient = 5, .bins = 20};
}

/* Runs n trajectories; m[o] the moments of observable o, occ[b] of the occupation of bin b
 * (occ may be NULL); diff: the moments of mse - one_minus_nc2 per trajectory (may be NULL). */
static void ensemble(const ob_params *p, uint64_t seed, long n, tl_moments m[OB_N_OBS], tl_moments *occ,
                     tl_moments *diff)
{
    ob_run run;
    ob_run_init(&run, p);
    tl_stream_key key = {seed, 0, 0};
    enum { UNIT = 256 }; /* the vector kernel, in the engine's units of work */
    double *out = malloc(UNIT * OB_N_OBS * sizeof *out), *o = malloc(UNIT * p->bins * sizeof *o);
    for (size_t k = 0; k < OB_N_OBS; k++) m[k] = empty;
    for (size_t b = 0; occ && b < p->bins; b++) occ[b] = empty;
    if (diff) *diff = empty;
    for (long t = 0; t < n; t += UNIT) {
        size_t count = (size_t)(n - t < UNIT ? n - t : UNIT);
        ob_trajectories(&run, &key, (uint64_t)t, count, out, o);
        for (size_t i = 0; i < count; i++) {
            const double *x = out + i * OB_N_OBS;
            for (size_t k = 0; k < OB_N_OBS; k++) add(&m[k], x[k]);
            for (size_t b = 0; occ && b < p->bins; b++) add(&occ[b], o[i * p->bins + b]);
            if (diff) add(diff, x[OB_OBS_MSE] - x[OB_OBS_ONE_MINUS_NC2]);
        }
    }
    free(out), free(o);
}

/* The Wonham density: the note's numbers, normalisation, mean, and the zero flux of the corrected eq. 37. */
static void test_wonham(void **state)
{
    (void)state;
    struct { double mu, nu, gamma, mmse; } cases[] = {
        {0.5, 0.5, 1, 0.82317}, {0.5, 0.5, 10, 0.39526}, {0.5, 0.5, 100, 0.09019}, {1, 10, 1, 0.32799},
        {1, 10, 10, 0.30008},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ob_wonham w;
        assert_int_equal(ob_wonham_init(&w, cases[i].mu, cases[i].nu, cases[i].gamma), 0);
        assert_close(ob_wonham_mmse(&w), cases[i].mmse, 6e-6);
        assert_close(ob_wonham_mass(&w, -1, 1), 1, 1e-10);
        /* E[n_c] = E[n] = (mu - nu)/(mu + nu): -0.81818 for mu = 1, nu = 10 */
        assert_close(ob_wonham_mean(&w), (cases[i].mu - cases[i].nu) / (cases[i].mu + cases[i].nu), 1e-9);
        /* zero probability flux of d pi = [mu(1 - pi) - nu pi] dt + k pi(1 - pi) dI, k^2 = 2 Gamma:
         * b p - (1/2) d/dpi (k^2 pi^2 (1 - pi)^2 p) = 0, by central differences */
        double k2 = 2 * cases[i].gamma;
        for (double pi = 0.2; pi < 0.85; pi += 0.15) {
            double e = 1e-5;
            double q = 2 * ob_wonham_density(&w, 2 * pi - 1);
            double g = 2 * ob_wonham_density(&w, 2 * (pi + e) - 1) * k2 * pow((pi + e) * (1 - pi - e), 2);
            double f = 2 * ob_wonham_density(&w, 2 * (pi - e) - 1) * k2 * pow((pi - e) * (1 - pi + e), 2);
            double flux = (cases[i].mu * (1 - pi) - cases[i].nu * pi) * q - 0.5 * (g - f) / (2 * e);
            assert_true(fabs(flux) <= 1e-6 * (1 + fabs(q)));
        }
    }
}

/* The current's moments: the continuum closed forms (the note's numbers) and a direct sum at a finite step. */
static void test_current_moments(void **state)
{
    (void)state;
    const double gammas[] = {1, 10, 100}, eq31[] = {33523.81, 4723.81, 1843.81}, printed[] = {1603.99, 163.99, 19.99};
    for (int i = 0; i < 3; i++) {
        ob_params p = fig7(gammas[i], 1e-4, 10);
        double mean, square;
        ob_current_moments(&p, 0.0, &mean, &square);
        assert_close(square - mean * mean, eq31[i], 0.006);
        p.current_filter = OB_CURRENT_PAPER;
        ob_current_moments(&p, 0.0, &mean, &square);
        assert_close(square - mean * mean, printed[i], 0.006);
    }
    /* finite step, asymmetric rates: E[Io] and E[Io^2] by summing the weights directly */
    ob_params p = {.mu = 1, .nu = 3, .kappa = 5, .gamma_rate = 2, .response = 4, .current_filter = OB_CURRENT_EQ31};
    double h = 0.05, a = 4, A = exp(-a * h), rho = exp(-4 * h), m = -0.5, gamma = ob_gamma(&p);
    double w0 = p.response * p.kappa * (1 - A) / a, mean = 0, signal = 0;
    for (int k = 0; k < 4000; k++) {
        mean += w0 * pow(A, k) * m;
        for (int j = 0; j < 4000; j += 1) signal += w0 * w0 * pow(A, k + j) * (1 - m * m) * pow(rho, abs(k - j));
    }
    double noise = p.response * p.response * gamma * (1 - A * A) / (2 * a) / (1 - A * A);
    double got_mean, got_square;
    ob_current_moments(&p, h, &got_mean, &got_square);
    assert_close(got_mean, mean, 1e-9);
    assert_close(got_square, noise + signal + mean * mean, 1e-8 * got_square);
}

/* The Bayes filter is the exact posterior of the discretised chain at any step: at a coarse step
 * (Gamma h = 0.1, lambda h = 0.01) calibration, <n_c> = <n> and MSE = <1 - n_c^2> hold exactly. */
static void test_bayes_exact_at_coarse_step(void **state)
{
    (void)state;
    ob_params p = fig7(10, 0.01, 60);
    tl_moments m[OB_N_OBS], diff, bias;
    ensemble(&p, 11, 2000, m, NULL, &diff);
    double tol = family_tol(3);
    assert_z(&m[OB_OBS_CALIBRATION], 0, tol, "calibration (Bayes, coarse step)");
    assert_z(&diff, 0, tol, "mse - (1 - n_c^2) (Bayes, coarse step)");
    bias = m[OB_OBS_ESTIMATE_MEAN];
    /* <n_c - n>: paired through the same trajectories' means */
    tl_moments nm = empty;
    ob_run run;
    ob_run_init(&run, &p);
    tl_stream_key key = {11, 0, 0};
    for (long t = 0; t < 2000; t++) {
        double out[OB_N_OBS];
        ob_trajectory(&run, &key, (uint64_t)t, out, NULL, 0, 1, NULL);
        add(&nm, out[OB_OBS_ESTIMATE_MEAN] - out[OB_OBS_STATE_MEAN]);
    }
    assert_z(&nm, 0, tol, "<n_c - n> (Bayes, coarse step)");
    (void)bias;
    ob_wonham w;
    ob_wonham_init(&w, p.mu, p.nu, p.gamma_rate);
    printf("coarse step Gamma h = 0.1: MMSE %.5f +- %.5f, continuum %.5f\n", m[OB_OBS_MSE].mean, se_of(&m[OB_OBS_MSE]),
           ob_wonham_mmse(&w));
}

/* At the model's step tolerance and below, the MMSE, <1 - n_c^2> and the n_c histogram match the
 * continuum (Wonham) law within 3 standard errors (union bound); the current and the record's
 * moments (eqs. 25-26, 28-29) are exact at the step. */
static void test_continuum_references(void **state)
{
    (void)state;
    const double gammas[] = {1, 10}, dts[] = {1e-3, 2.5e-4};
    for (int i = 0; i < 2; i++) {
        ob_params p = fig7(gammas[i], dts[i], 30);
        ob_run run;
        ob_run_init(&run, &p);
        tl_moments m[OB_N_OBS], occ[20];
        ensemble(&p, 21 + i, 300, m, occ, NULL);
        ob_wonham w;
        ob_wonham_init(&w, p.mu, p.nu, p.gamma_rate);
        double tol = family_tol(6 + (int)p.bins), mean, square, mmse = ob_wonham_mmse(&w);
        ob_current_moments(&p, run.h, &mean, &square);
        assert_z(&m[OB_OBS_MSE], mmse, tol, "MMSE");
        assert_z(&m[OB_OBS_ONE_MINUS_NC2], mmse, tol, "<1 - n_c^2>");
        assert_z(&m[OB_OBS_CURRENT_MEAN], mean, tol, "<Io>");
        assert_z(&m[OB_OBS_CURRENT_SQUARE], square, tol, "<Io^2>");
        assert_z(&m[OB_OBS_RECORD_MEAN], 0, tol, "<dy/dt> (eq. 28)");
        assert_z(&m[OB_OBS_RECORD_POWER], ob_gamma(&p) + p.kappa * p.kappa * run.h, tol, "<dy^2/dt> (eq. 29)");
        for (size_t b = 0; b < p.bins; b++) {
            double exact = ob_wonham_mass(&w, -1 + 0.1 * b, -1 + 0.1 * (b + 1));
            if (se_of(&occ[b]) > 0) assert_z(&occ[b], exact, tol, "n_c occupation");
            else assert_true(exact < 1e-6);
        }
    }
}

/* Eq. 37 decided on the same records: the correct SDE is calibrated, the halved drift is not, the
 * printed sign is worse than no measurement at all (MSE 1 = the prior's). */
static void test_eq37_slips(void **state)
{
    (void)state;
    const double gammas[] = {1, 10};
    for (int i = 0; i < 2; i++) {
        ob_params p = fig7(gammas[i], gammas[i] > 5 ? 5e-4 : 1e-3, 30);
        tl_moments m[4][OB_N_OBS];
        const int filters[] = {OB_BAYES, OB_SDE, OB_HALF_DRIFT, OB_PAPER};
        for (int f = 0; f < 4; f++) {
            p.filter = filters[f];
            ensemble(&p, 31 + i, 200, m[f], NULL, NULL);
        }
        /* the same records: the chain does not depend on the filter */
        assert_close(m[0][OB_OBS_STATE_MEAN].mean, m[3][OB_OBS_STATE_MEAN].mean, 0);
        assert_close(m[0][OB_OBS_JUMPS].mean, m[2][OB_OBS_JUMPS].mean, 0);
        double tol = family_tol(2);
        assert_z(&m[0][OB_OBS_CALIBRATION], 0, tol, "calibration, Bayes");
        assert_z(&m[1][OB_OBS_CALIBRATION], 0, tol, "calibration, corrected eq. 37");
        /* halved drift: -0.0535 in the note; measured -0.056 (z -10) and -0.055 (z -16): more than 7 standard errors */
        printf("Gamma = %g: calibration Bayes %+.4f (z %.1f), halved drift %+.4f (z %.1f); MSE printed eq. 37 %.3f\n",
               gammas[i], m[0][OB_OBS_CALIBRATION].mean, z_of(&m[0][OB_OBS_CALIBRATION], 0),
               m[2][OB_OBS_CALIBRATION].mean, z_of(&m[2][OB_OBS_CALIBRATION], 0), m[3][OB_OBS_MSE].mean);
        assert_true(z_of(&m[2][OB_OBS_CALIBRATION], 0) < -7);
        assert_close(m[2][OB_OBS_CALIBRATION].mean, -0.0535, 0.01);
        /* printed sign: anti-informative, MSE above the prior-only value 1 */
        assert_true(m[3][OB_OBS_MSE].mean - 5 * se_of(&m[3][OB_OBS_MSE]) > 1);
        assert_true(m[1][OB_OBS_MSE].mean < 0.9);
    }
}

/* Deterministic in the streams: the same trajectory twice; another trajectory differs. */
static void test_streams(void **state)
{
    (void)state;
    ob_params p = fig7(10, 1e-3, 8);
    ob_run run;
    ob_run_init(&run, &p);
    tl_stream_key key = {5, 2, 0};
    double a[OB_N_OBS], b[OB_N_OBS], c[OB_N_OBS], path[3 * 10];
    ob_trajectory(&run, &key, 17, a, NULL, 0, 1, NULL);
    ob_trajectory(&run, &key, 17, b, NULL, 10, 100, path);
    ob_trajectory(&run, &key, 18, c, NULL, 0, 1, NULL);
    assert_memory_equal(a, b, sizeof a);
    assert_true(a[OB_OBS_MSE] != c[OB_OBS_MSE]);
    for (int k = 0; k < 10; k++) {
        assert_true(path[3 * k] == 1 || path[3 * k] == -1);
        assert_true(fabs(path[3 * k + 1]) <= 1);
    }
}

/* The vector kernel against its scalar reference, bit for bit: observables and occupation
 * of 150 trajectories (two whole tiles of 64 lanes and a part one with padding) for each
 * filter, and a batch that starts elsewhere (a trajectory's numbers must not depend on its
 * lane).  Fails on any difference in the last bit. */
static void test_vector_kernel(void **state)
{
    (void)state;
    enum { COUNT = 150 };
    const int filters[] = {OB_BAYES, OB_SDE, OB_HALF_DRIFT, OB_PAPER};
    for (int f = 0; f < 4; f++) {
        ob_params p = fig7(10, 0.01, 8);
        p.filter = filters[f], p.transient = 1;
        ob_run run;
        ob_run_init(&run, &p);
        tl_stream_key key = {5, 2, 1};
        static double out[COUNT * OB_N_OBS], shifted[COUNT * OB_N_OBS], occ[COUNT * 20];
        ob_trajectories(&run, &key, 300, COUNT, out, occ);
        ob_trajectories(&run, &key, 311, COUNT - 11, shifted, NULL);
        long differ = 0, jumped = 0;
        for (size_t b = 0; b < COUNT; b++) {
            double r[OB_N_OBS], ro[20];
            ob_trajectory(&run, &key, 300 + b, r, ro, 0, 1, NULL);
            for (size_t o = 0; o < OB_N_OBS; o++) {
                differ += r[o] != out[b * OB_N_OBS + o];
                if (b >= 11) differ += r[o] != shifted[(b - 11) * OB_N_OBS + o];
            }
            for (size_t k = 0; k < 20; k++) differ += ro[k] != occ[b * 20 + k];
            jumped += r[OB_OBS_JUMPS] > 0;
        }
        if (differ) print_error("filter %d: %ld differences between ob_trajectories and ob_trajectory\n", f, differ);
        assert_int_equal(differ, 0);
        assert_true(jumped > COUNT / 2); /* the chain moved: both rates were exercised */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wonham),
        cmocka_unit_test(test_current_moments),
        cmocka_unit_test(test_bayes_exact_at_coarse_step),
        cmocka_unit_test(test_continuum_references),
        cmocka_unit_test(test_eq37_slips),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_vector_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
