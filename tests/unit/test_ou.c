/* Exactness tests of the linear system of appendix D (model `ou`).
 *
 * The contract (ou.h): ds = (W s + x) dt + sigma dB with sigma^2 = 2T; the
 * medium entropy is (1/T) int (W s + x) o ds.  References: the paper's closed
 * forms D8 (covariance) and D11 (Sigma = 2 J_a^2), its spectral density D10
 * integrated by GSL and checked against D6, the residual of the Lyapunov
 * equation, a second form of the trace formula, and C - e^{Wh} C e^{W^T h}
 * for the transition.  The per-step entropy kernel is checked exactly in the
 * mean and, conditionally on the two sampled states, against the Stratonovich
 * sum over 200 exact sub-steps (with the one-step midpoint rule as the
 * negative control that must fail).  Simulated rates, means and covariances
 * are compared with the exact values within Z_TOL standard errors, with enough
 * trajectories that a 5% error would fail.  Where one run is compared with K
 * values at once, the tolerance keeps the false-alarm rate of 3 standard
 * errors for the whole run (Bonferroni: two-sided 0.0027 / K), as
 * `thermolearn check` does for vectors.
 */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_close.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "thermolearn/moments.h"
#include "thermolearn/stream.h"
#include "../../src/models/ou/ou.h"

#define Z_TOL 3.0 /* standard errors */
#define SEED 4242u


static double se(const tl_moments *m)
{
    return sqrt(tl_moments_variance(m) / m->n);
}

static double z_score(const tl_moments *m, double exact)
{
    return (m->mean - exact) / se(m);
}

/* The tolerance of one of K comparisons: the two-sided tail of 3 standard errors shared by K. */
static double family_tol(int k)
{
    return gsl_cdf_ugaussian_Qinv(2 * gsl_cdf_ugaussian_Q(Z_TOL) / (2 * k));
}

#define assert_within_se(m, exact, what) assert_within_tol(m, exact, what, Z_TOL)
#define assert_within_tol(m, exact, what, tol)                                                            \
    do {                                                                                                  \
        double z_ = z_score((m), (exact));                                                                \
        if (!(fabs(z_) <= (tol))) {                                                                       \
            print_error("%s = %.6g, exact %.6g: %.2f standard errors\n", (what), (m)->mean, (exact), z_); \
            fail();                                                                                       \
        }                                                                                                 \
    } while (0)

static const tl_moments empty = {0, 0, 0, INFINITY, -INFINITY};

static void add(tl_moments *m, double x)
{
    *m = tl_moments_merge(*m, tl_moments_of(&x, 1));
}

/* a b for n x n row-major matrices */
static void matmul(int n, const double *a, const double *b, double *c)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
            c[i * n + j] = s;
        }
}

static double trace_product(int n, const double *a, const double *b) /* tr(a b) */
{
    double s = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + i];
    return s;
}

/* A stable, non-normal 3 x 3 coupling matrix with no symmetry. */
static const double w3[9] = {-1.2, 0.5, -0.3, 0.1, -0.8, 0.7, -0.6, 0.2, -1.5};

/* ---- closed forms --------------------------------------------------------------------------- */

/* The Lyapunov solver against D8 as printed (decay = 1), and against the
 * generalised closed form at other decays; the trace formula against D11. */
static void test_closed_forms(void **unused)
{
    const double cases[][4] = {{0.3, 0.5, 1.0, 1.0}, {-0.6, 1.2, 1.0, 0.7}, {0.0, 0.0, 1.0, 1.5}, {0.9, 0.2, 1.0, 2.0},
                               {1.4, 0.3, 2.0, 0.5}, {-0.2, 0.9, 0.4, 1.1}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double js = cases[k][0], ja = cases[k][1], g = cases[k][2], sg = cases[k][3], w[4], c[4], cf[4], rate;
        ou_two_matrix(js, ja, g, w);
        assert_true(ou_abscissa(2, w) < 0);
        assert_int_equal(ou_lyapunov(2, w, sg, c), 0);
        ou_two_closed_form(js, ja, g, sg, cf, &rate);
        for (int i = 0; i < 4; i++) assert_close(c[i], cf[i], 1e-13 * (1 + fabs(cf[i])));
        assert_close(ou_entropy_rate(2, w, sg), rate, 1e-12 * (1 + rate));
        if (g == 1) { /* the paper as printed */
            double delta = 1 + ja * ja - js * js, f = sg * sg / (2 * delta);
            double d8[4] = {f * (1 + js * ja + ja * ja), f * js, f * js, f * (1 - js * ja + ja * ja)};
            for (int i = 0; i < 4; i++) assert_close(c[i], d8[i], 1e-13 * (1 + fabs(d8[i])));
            assert_close(ou_entropy_rate(2, w, sg), 2 * ja * ja, 1e-12); /* D11 */
        }
    }
}

/* Stability: eigenvalues -decay +- sqrt(js^2 - ja^2), stable iff decay^2 + ja^2 - js^2 > 0. */
static void test_stability(void **unused)
{
    double w[4];
    ou_two_matrix(1.2, 0.3, 1.0, w); /* Delta = 1 + 0.09 - 1.44 < 0 */
    assert_close(ou_abscissa(2, w), -1 + sqrt(1.44 - 0.09), 1e-12);
    ou_two_matrix(5.0, 5.5, 1.0, w); /* complex pair, real part -1 */
    assert_close(ou_abscissa(2, w), -1, 1e-12);
    assert_true(ou_abscissa(3, w3) < 0);
}

/* The paper's spectral route: D6 with C(w) = sigma^2 G G^dagger, G = (i w - W)^-1
 * (D9), equals D10 pointwise; D10 integrated (D5) is D11. */
typedef struct {
    double js, ja;
} d10_params;

static double d10(double omega, void *p)
{
    const d10_params *q = p;
    double complex den = (1 + I * omega) * (1 + I * omega) + q->ja * q->ja - q->js * q->js;
    return 8 * omega * omega * q->ja * q->ja / (cabs(den) * cabs(den)) / (2 * M_PI);
}

/* 1/2 tr[C(w) (C^-1(-w) - C^-1(w))] for the 2 x 2 matrix of D7. */
static double d6(double js, double ja, double sg, double omega)
{
    double complex cw[2][2][2]; /* C at +omega, -omega */
    for (int s = 0; s < 2; s++) {
        double om = s ? -omega : omega;
        double complex a = 1 + I * om, det = a * a - (js + ja) * (js - ja);
        double complex g[2][2] = {{a / det, (js + ja) / det}, {(js - ja) / det, a / det}};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) cw[s][i][j] = sg * sg * (g[i][0] * conj(g[j][0]) + g[i][1] * conj(g[j][1]));
    }
    double complex inv[2][2][2];
    for (int s = 0; s < 2; s++) {
        double complex det = cw[s][0][0] * cw[s][1][1] - cw[s][0][1] * cw[s][1][0];
        inv[s][0][0] = cw[s][1][1] / det, inv[s][1][1] = cw[s][0][0] / det;
        inv[s][0][1] = -cw[s][0][1] / det, inv[s][1][0] = -cw[s][1][0] / det;
    }
    double complex tr = 0;
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++) tr += cw[0][i][k] * (inv[1][k][i] - inv[0][k][i]);
    return creal(0.5 * tr);
}

static void test_spectral_route(void **unused)
{
    const double cases[][3] = {{0.3, 0.6, 0.7}, {-0.8, 0.4, 0.1}, {0.0, 1.3, 2.0}};
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        d10_params p = {cases[k][0], cases[k][1]};
        for (double om = 0.1; om < 5; om += 0.7)
            assert_close(d6(p.js, p.ja, cases[k][2], om) / (2 * M_PI), d10(om, &p), 1e-12);
        gsl_function f = {d10, &p};
        double sigma, err;
        assert_int_equal(gsl_integration_qagi(&f, 0, 1e-11, 1000, ws, &sigma, &err), 0);
        double w[4];
        ou_two_matrix(p.js, p.ja, 1.0, w);
        assert_close(sigma, 2 * p.ja * p.ja, 1e-9);
        assert_close(sigma, ou_entropy_rate(2, w, cases[k][2]), 1e-9);
    }
    gsl_integration_workspace_free(ws);
}

/* n = 3: the Lyapunov residual, and the trace formula in a second form,
 * Sigma = tr(C^-1 A^T A) / D with A = (W C - C W^T)/2 = B C. */
static void test_general_n(void **unused)
{
    double sg = 0.8, d = sg * sg / 2, c[9], wc[9], cwt[9], wt[9];
    assert_int_equal(ou_lyapunov(3, w3, sg, c), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) wt[i * 3 + j] = w3[j * 3 + i];
    matmul(3, w3, c, wc), matmul(3, c, wt, cwt);
    for (int i = 0; i < 9; i++) assert_close(wc[i] + cwt[i] + (i % 4 == 0 ? sg * sg : 0), 0, 1e-13);
    double a[9], ata[9], ci[9];
    for (int i = 0; i < 9; i++) a[i] = 0.5 * (wc[i] - cwt[i]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++) s += a[k * 3 + i] * a[k * 3 + j];
            ata[i * 3 + j] = s;
        }
    gsl_matrix_view cv = gsl_matrix_view_array(c, 3, 3), civ = gsl_matrix_view_array(ci, 3, 3);
    gsl_matrix *lu = gsl_matrix_alloc(3, 3);
    gsl_permutation *perm = gsl_permutation_alloc(3);
    int sign;
    gsl_matrix_memcpy(lu, &cv.matrix);
    gsl_linalg_LU_decomp(lu, perm, &sign);
    gsl_linalg_LU_invert(lu, perm, &civ.matrix);
    gsl_matrix_free(lu), gsl_permutation_free(perm);
    double rate = ou_entropy_rate(3, w3, sg);
    assert_close(rate, trace_product(3, ci, ata) / d, 1e-12);
    assert_true(rate > 0.1);
    /* symmetric W: equilibrium, no entropy production */
    double ws[9];
    for (int i = 0; i < 9; i++) ws[i] = 0.5 * (w3[i] + wt[i]);
    assert_close(ou_entropy_rate(3, ws, sg), 0, 1e-13);
}

/* Van Loan's Q(h) (without c) against C - e^{Wh} C e^{W^T h}, and the two
 * routes of ou_transition (with c: Van Loan up to h |W|_1 = 1) against each other. */
static void test_transition(void **unused)
{
    double sg = 1.3, c[9], e[9], q[9], e2[9], q2[9], ec[9], ecet[9];
    ou_lyapunov(3, w3, sg, c);
    for (double h = 0.01; h < 5; h *= 2) {
        assert_int_equal(ou_transition(3, w3, NULL, sg, h, e, q), 0);
        assert_int_equal(ou_transition(3, w3, c, sg, h, e2, q2), 0);
        matmul(3, e, c, ec);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) s += ec[i * 3 + k] * e[j * 3 + k];
                ecet[i * 3 + j] = s;
            }
        for (int i = 0; i < 9; i++) {
            assert_close(q[i], c[i] - ecet[i], 1e-12);
            assert_close(q2[i], q[i], 1e-12), assert_close(e2[i], e[i], 1e-12);
        }
    }
}

/* ---- the entropy of one step --------------------------------------------------------------- */

/* The kernel's mean over the stationary pair (y, y') is h Sigma, exactly:
 * tr(qaa C) + tr(qab e^{Wh} C) + tr(qbb C) + qc. */
static void check_kernel_mean(int n, const double *w, double temperature, double h)
{
    double sg = sqrt(2 * temperature), c[OU_MAX_N * OU_MAX_N], e[OU_MAX_N * OU_MAX_N], ec[OU_MAX_N * OU_MAX_N];
    double qaa[OU_MAX_N * OU_MAX_N], qab[OU_MAX_N * OU_MAX_N], qbb[OU_MAX_N * OU_MAX_N], qc;
    ou_lyapunov(n, w, sg, c);
    ou_transition(n, w, c, sg, h, e, NULL);
    assert_int_equal(ou_step_kernel(n, w, c, temperature, h, qaa, qab, qbb, &qc), 0);
    matmul(n, e, c, ec);
    double mean = trace_product(n, qaa, c) + trace_product(n, qab, ec) + trace_product(n, qbb, c) + qc;
    double sigma = ou_entropy_rate(n, w, sg);
    assert_close(mean / h, sigma, 1e-9 * sigma);
}

static void test_kernel_mean(void **unused)
{
    double w[4];
    ou_two_matrix(0.3, 0.6, 1.0, w);
    for (double h = 1e-3; h < 5; h *= 3) check_kernel_mean(2, w, 0.5, h);
    ou_two_matrix(-1.1, 0.4, 1.5, w);
    for (double h = 1e-3; h < 5; h *= 3) check_kernel_mean(2, w, 0.02, h);
    for (double h = 1e-3; h < 5; h *= 3) check_kernel_mean(3, w3, 0.7, h);
    for (double h = 5; h < 50; h *= 3) check_kernel_mean(3, w3, 0.7, h); /* many panels */
}

/* Conditionally on (y, y'): the Stratonovich sum (1/T) sum (W y_mid) . dy over
 * M exact sub-steps of h/M converges to the path integral, so its residual
 * against the kernel, r = A_fine - q(y, y'), has zero mean against every
 * quadratic feature f of (y, y') (1, y_i y_j, y_i y'_j, y'_i y'_j): these
 * determine a quadratic form.  The one-step midpoint rule q_mid(y, y'), the
 * estimator the kernel replaces, fails the same test. */
static void test_kernel_conditional(void **unused)
{
    const int n = 2, M = 200;
    const size_t N = 20000;
    double js = 0.3, ja = 0.6, T = 0.5, h = 0.5, sg = 1.0, w[4], c[4], lc[4], e[4], q[4], lq[4];
    double qaa[4], qab[4], qbb[4], qc;
    ou_two_matrix(js, ja, 1.0, w);
    ou_lyapunov(n, w, sg, c);
    ou_transition(n, w, c, sg, h / M, e, q);
    assert_int_equal(ou_step_kernel(n, w, c, T, h, qaa, qab, qbb, &qc), 0);
    gsl_matrix_view lcv = gsl_matrix_view_array(memcpy(lc, c, sizeof c), 2, 2);
    gsl_matrix_view lqv = gsl_matrix_view_array(memcpy(lq, q, sizeof q), 2, 2);
    gsl_linalg_cholesky_decomp1(&lcv.matrix), gsl_linalg_cholesky_decomp1(&lqv.matrix);
    enum { F = 11 };
    tl_moments exact[F], chord[F];
    for (int f = 0; f < F; f++) exact[f] = chord[f] = empty;
    tl_stream_key key = {SEED, 1, 0};
    for (size_t t = 0; t < N; t++) {
        gsl_rng *r = tl_stream_gsl_alloc(&key, TL_PURPOSE_DYNAMICS, t);
        double z0 = gsl_ran_gaussian_ziggurat(r, 1), z1 = gsl_ran_gaussian_ziggurat(r, 1);
        double a[2] = {lc[0] * z0, lc[2] * z0 + lc[3] * z1}, y[2] = {a[0], a[1]}, fine = 0;
        for (int k = 0; k < M; k++) {
            z0 = gsl_ran_gaussian_ziggurat(r, 1), z1 = gsl_ran_gaussian_ziggurat(r, 1);
            double nx[2] = {e[0] * y[0] + e[1] * y[1] + lq[0] * z0, e[2] * y[0] + e[3] * y[1] + lq[2] * z0 + lq[3] * z1};
            double mid[2] = {0.5 * (y[0] + nx[0]), 0.5 * (y[1] + nx[1])};
            fine += ((w[0] * mid[0] + w[1] * mid[1]) * (nx[0] - y[0]) + (w[2] * mid[0] + w[3] * mid[1]) * (nx[1] - y[1])) / T;
            y[0] = nx[0], y[1] = nx[1];
        }
        gsl_rng_free(r);
        const double *b = y;
        double kern = ou_quadratic(n, qaa, a, a) + ou_quadratic(n, qab, a, b) + ou_quadratic(n, qbb, b, b) + qc;
        double mid[2] = {0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])};
        double one = ((w[0] * mid[0] + w[1] * mid[1]) * (b[0] - a[0]) + (w[2] * mid[0] + w[3] * mid[1]) * (b[1] - a[1])) / T;
        double feat[F] = {1, a[0] * a[0], a[0] * a[1], a[1] * a[1], a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1],
                          b[0] * b[0], b[0] * b[1], b[1] * b[1]};
        for (int f = 0; f < F; f++) add(&exact[f], (fine - kern) * feat[f]), add(&chord[f], (fine - one) * feat[f]);
    }
    double worst = 0, chord_worst = 0, tol = family_tol(F);
    for (int f = 0; f < F; f++) {
        assert_within_tol(&exact[f], 0.0, "residual x feature", tol);
        worst = fmax(worst, fabs(z_score(&exact[f], 0)));
        chord_worst = fmax(chord_worst, fabs(z_score(&chord[f], 0)));
    }
    assert_true(chord_worst > 10);
    print_message("    step kernel: max |z| %.2f over %d features (one-step midpoint: %.1f)\n", worst, F, chord_worst);
}

/* ---- trajectories ---------------------------------------------------------------------------- */

/* The moments of a run: observables, then the n means, then the n(n+1)/2 covariance pairs. */
typedef struct {
    tl_moments ep, rate, mean[OU_MAX_N], cov[OU_MAX_N * (OU_MAX_N + 1) / 2];
} run_stats;

static void run(const ou *o, size_t n_traj, uint32_t point, run_stats *st)
{
    size_t n = (size_t)o->n, pairs = ou_n_pairs(n);
    static double obs[OU_N_OBS][TL_BATCH], means[OU_MAX_N * TL_BATCH], covs[OU_MAX_N * (OU_MAX_N + 1) / 2 * TL_BATCH];
    double *out[TL_MAX_OBSERVABLES] = {obs[OU_OBS_EP], obs[OU_OBS_EP_RATE]};
    double *prof[TL_MAX_PROFILES] = {[OU_PROFILE_MEAN] = means, [OU_PROFILE_COV] = covs};
    st->ep = st->rate = empty;
    for (size_t k = 0; k < n; k++) st->mean[k] = empty;
    for (size_t k = 0; k < pairs; k++) st->cov[k] = empty;
    tl_stream_key key = {SEED, point, 0};
    for (size_t first = 0; first < n_traj; first += TL_BATCH) {
        size_t count = n_traj - first < TL_BATCH ? n_traj - first : TL_BATCH;
        ou_simulate_batch(o, &key, first, count, out, prof);
        st->ep = tl_moments_merge(st->ep, tl_moments_of(obs[OU_OBS_EP], count));
        st->rate = tl_moments_merge(st->rate, tl_moments_of(obs[OU_OBS_EP_RATE], count));
        /* the interface layout: component c of trajectory first+b at [c * count + b] */
        for (size_t k = 0; k < n; k++) st->mean[k] = tl_moments_merge(st->mean[k], tl_moments_of(means + k * count, count));
        for (size_t k = 0; k < pairs; k++) st->cov[k] = tl_moments_merge(st->cov[k], tl_moments_of(covs + k * count, count));
    }
}

/* Every value (1 rate, n means, n(n+1)/2 covariances) within its share of 3
 * standard errors of its exact value; the rate and the diagonal covariances
 * resolved so that a 5% error would fail. */
static void check_run(const ou *o, size_t n_traj, uint32_t point)
{
    static run_stats st;
    run(o, n_traj, point, &st);
    size_t n = (size_t)o->n;
    double tol = family_tol((int)(1 + n + ou_n_pairs(n)));
    const tl_moments *ep = &st.rate;
    assert_within_tol(ep, o->ep_rate_exact, "entropy production rate", tol);
    assert_true(tol * se(ep) < 0.05 * o->ep_rate_exact);
    assert_close(st.ep.mean, ep->mean * o->window, 1e-9 * fabs(st.ep.mean));
    double worst = fabs(z_score(ep, o->ep_rate_exact));
    for (size_t i = 0; i < n; i++) {
        assert_within_tol(&st.mean[i], o->m[i], "mean", tol);
        worst = fmax(worst, fabs(z_score(&st.mean[i], o->m[i])));
        for (size_t j = i; j < n; j++) {
            const tl_moments *cij = &st.cov[ou_pair(n, i, j)];
            assert_within_tol(cij, o->c[i * n + j], "covariance", tol);
            if (i == j) assert_true(tol * se(cij) < 0.05 * o->c[i * n + i]);
            worst = fmax(worst, fabs(z_score(cij, o->c[i * n + j])));
        }
    }
    size_t last = ou_pair(n, n - 1, n - 1);
    print_message("    n = %zu, h = %.3g: Sigma %.4f +- %.4f (exact %.4f), C_00 %.4f +- %.4f (exact %.4f), "
                  "C_%zu%zu %.4f +- %.4f (exact %.4f); max |z| %.2f over %zu values (tolerance %.2f)\n",
                  n, o->h, ep->mean, se(ep), o->ep_rate_exact, st.cov[0].mean, se(&st.cov[0]), o->c[0], n - 1, n - 1,
                  st.cov[last].mean, se(&st.cov[last]), o->c[n * n - 1], worst, 1 + n + ou_n_pairs(n), tol);
}

/* ou_pair is numpy's triu_indices order: (0,0), (0,1), ..., (0,n-1), (1,1), ...; a bijection onto 0 .. n(n+1)/2 - 1. */
static void test_pairs(void **unused)
{
    for (size_t n = 1; n <= OU_MAX_N; n++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) assert_int_equal(ou_pair(n, i, j), k++);
        assert_int_equal(k, ou_n_pairs(n));
    }
}

/* The 2-d system at a fine and a coarse step: exact transitions and the exact
 * step entropy leave no dependence on dt. */
static void test_simulated_two(void **unused)
{
    double w[4], x[2] = {0.5, -0.2};
    char why[256];
    ou_two_matrix(0.5, 0.6, 1.0, w);
    const double dts[] = {0.02, 0.5};
    for (int k = 0; k < 2; k++) {
        ou *o = ou_alloc(2, w, x, 0.5, 50, 0, dts[k], 1, why, sizeof why);
        assert_non_null(o);
        assert_close(o->ep_rate_exact, 2 * 0.36, 1e-12);
        check_run(o, 1000, 10 + k);
        ou_free(o);
    }
}

/* n = 3 from s(0) = 0 after a transient of 20 relaxation times. */
static void test_simulated_three(void **unused)
{
    double x[3] = {0.3, -0.7, 0.2};
    char why[256];
    ou *o = ou_alloc(3, w3, x, 0.35, 60, 20, 0.1, 0, why, sizeof why);
    assert_non_null(o);
    check_run(o, 1000, 20);
    ou_free(o);
}

/* An 8 x 8 W (more components than the engine's scalar observables could
 * hold): diagonal -2, off-diagonal 0.25 sin(1 + 3i + 7j), stable by
 * Gershgorin (rows sum to at most 1.75) and neither symmetric nor normal; the
 * same matrix as the integration test's coupling file. */
static void eight_matrix(double w[64])
{
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) w[i * 8 + j] = i == j ? -2.0 : 0.25 * sin(1.0 + 3 * i + 7 * j);
}

static void test_simulated_eight(void **unused)
{
    double w[64], x[8];
    char why[256];
    eight_matrix(w);
    for (int i = 0; i < 8; i++) x[i] = 0.1 * (i - 3.5);
    ou *o = ou_alloc(8, w, x, 0.4, 40, 0, 0.2, 1, why, sizeof why);
    assert_non_null(o);
    assert_true(o->ep_rate_exact > 0.1);
    check_run(o, 1000, 40);
    ou_free(o);
}

/* The steady mean is m = -W^-1 x (the paper prints m_x = W^-1 x): the
 * simulated mean decides. */
static void test_mean_sign(void **unused)
{
    double w[4], x[2] = {0.8, -0.5};
    char why[256];
    ou_two_matrix(0.4, 0.7, 1.0, w);
    ou *o = ou_alloc(2, w, x, 0.5, 50, 0, 0.1, 1, why, sizeof why);
    static run_stats st;
    run(o, 200, 30, &st);
    double det = w[0] * w[3] - w[1] * w[2];
    double winv_x[2] = {(w[3] * x[0] - w[1] * x[1]) / det, (-w[2] * x[0] + w[0] * x[1]) / det};
    for (int i = 0; i < 2; i++) {
        assert_close(o->m[i], -winv_x[i], 1e-14);
        assert_within_se(&st.mean[i], -winv_x[i], "mean");
        assert_true(fabs(z_score(&st.mean[i], winv_x[i])) > 10);
    }
    ou_free(o);
}

/* Reproducible per trajectory: the same trajectory in any batch layout, and
 * the profiles in the interface layout (component c of trajectory first+b at
 * [c * count + b]) equal ou_trajectory's mean and covariance. */
static void test_batch_independence(void **unused)
{
    enum { N = 3, PAIRS = N * (N + 1) / 2, COUNT = 8 };
    double x[N] = {0.1, 0.2, -0.4};
    char why[256];
    ou *o = ou_alloc(N, w3, x, 0.5, 5, 1, 0.1, 1, why, sizeof why);
    double obs[OU_N_OBS][COUNT], means[N * COUNT], covs[PAIRS * COUNT], one[OU_N_OBS], mean1[N], cov1[PAIRS];
    double *out[TL_MAX_OBSERVABLES] = {obs[0], obs[1]}, *prof[TL_MAX_PROFILES] = {means, covs};
    double *out1[TL_MAX_OBSERVABLES] = {&one[0], &one[1]}, *prof1[TL_MAX_PROFILES] = {mean1, cov1};
    tl_stream_key key = {SEED, 3, 0};
    ou_simulate_batch(o, &key, 0, COUNT, out, prof);
    for (int t = 0; t < COUNT; t++) {
        ou_simulate_batch(o, &key, (uint64_t)t, 1, out1, prof1);
        for (int k = 0; k < OU_N_OBS; k++) assert_true(one[k] == obs[k][t]);
        for (int k = 0; k < N; k++) assert_true(mean1[k] == means[k * COUNT + t]);
        for (int k = 0; k < PAIRS; k++) assert_true(cov1[k] == covs[k * COUNT + t]);
        double mean[N], cov[N * N];
        assert_true(ou_trajectory(o, &key, (uint64_t)t, mean, cov) == obs[OU_OBS_EP][t]);
        for (size_t i = 0; i < N; i++) {
            assert_true(mean[i] == means[i * COUNT + t]);
            for (size_t j = 0; j < N; j++)
                assert_true(cov[i * N + j] == covs[ou_pair(N, i < j ? i : j, i < j ? j : i) * COUNT + t]);
        }
    }
    assert_true(obs[OU_OBS_EP][0] != obs[OU_OBS_EP][1] && covs[COUNT] != covs[COUNT + 1]);
    ou_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_stability),
        cmocka_unit_test(test_spectral_route),
        cmocka_unit_test(test_general_n),
        cmocka_unit_test(test_transition),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_kernel_mean),
        cmocka_unit_test(test_kernel_conditional),
        cmocka_unit_test(test_simulated_two),
        cmocka_unit_test(test_simulated_three),
        cmocka_unit_test(test_simulated_eight),
        cmocka_unit_test(test_mean_sign),
        cmocka_unit_test(test_batch_independence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
