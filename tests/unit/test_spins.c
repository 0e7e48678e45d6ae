/* Exactness tests of the asymmetric spin network (model `spins`).
 *
 * The contract (spins.h): spin i flips at rate r0 exp(-beta s_i h_i), h = W s + x;
 * the medium entropy of a jump is ln k(s->s')/k(s'->s).  References here:
 * the Boltzmann weights exp(beta (s^T W s / 2 + x.s)) for symmetric W, the
 * 2-spin closed form (appendix C, corrected), and the master equation solved by
 * GSL (dense LU or GMRES).  Gillespie estimates are compared with exact values
 * within Z_TOL standard errors of independent trajectories.  (The linear system
 * of appendix D is model `ou`: tests/unit/test_ou.c.)
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

#include "assert_close.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>

#include "thermolearn/moments.h"
#include "thermolearn/stream.h"
#include "../../src/models/spins/spins.h"

#define Z_TOL 3.0 /* standard errors */
#define SEED 777u


/* 2N = 8, k = 2 couplings: symmetric (c(d) = c(-d) within, c_10(d) = c_01(-d) across), and asymmetric. */
static const double c_sym[14] = {0.3, -0.4, -0.4, 0.3, 0.2, 0.5, -0.6, 0.1, 0.25, 0.25, 0.1, -0.6, 0.5, 0.2};
static const double c_asym[14] = {0.9, -0.7, 0.2, 0.4, -0.8, 0.5, 0.6, 0.1, 0.7, -0.5, 0.3, -0.9, 0.4, 0.2};
/* weakly asymmetric: c_sym with two couplings moved by 0.25 (entropy of order 1 per unit time) */
static const double c_weak[14] = {0.3, -0.4, -0.15, 0.3, 0.2, 0.5, -0.6, 0.1, 0.25, 0.25, 0.1, -0.35, 0.5, 0.2};
static const double x4[4] = {0.4, -0.3, 0.1, 0.6};

static spins *chain8(const double *c, double beta, double time, double transient)
{
    double w[64], x[8];
    spins_chain_matrix(4, 2, c, w);
    for (int i = 0; i < 8; i++) x[i] = x4[i % 4];
    return spins_alloc_direct(8, w, x, beta, 1.0, time, transient, 1);
}

static double energy(const spins *s, uint64_t b)
{
    double e = 0;
    for (int i = 0; i < s->n; i++) {
        int si = (b >> i) & 1 ? 1 : -1;
        e -= s->x[i] * si;
        for (int j = 0; j < s->n; j++) e -= 0.5 * s->w[i * s->n + j] * si * ((b >> j) & 1 ? 1 : -1);
    }
    return e;
}

/* ---- couplings -------------------------------------------------------------------- */

static void test_chain_matrix(void **unused)
{
    double w[64];
    spins_chain_matrix(4, 2, c_sym, w);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) assert_close(w[i * 8 + j], w[j * 8 + i], 0);
    spins_chain_matrix(4, 2, c_asym, w);
    /* spot checks of the documented order: (m, chain) -> index chain*4 + m */
    assert_close(w[0 * 8 + 2], c_asym[0], 0);  /* same chain, d = m_i - m_j = -2 */
    assert_close(w[3 * 8 + 2], c_asym[2], 0);  /* same chain, d = +1 */
    assert_close(w[5 * 8 + 3], c_asym[4], 0);  /* i in chain 1 (m 1), j in chain 0 (m 3): d = -2 */
    assert_close(w[4 * 8 + 0], c_asym[6], 0);  /* across, d = 0 */
    assert_close(w[2 * 8 + 5], c_asym[12], 0); /* i in chain 0 (m 2), j in chain 1 (m 1): d = +1 */
    assert_close(w[0 * 8 + 3], 0, 0);          /* beyond k = 2 */
    assert_close(w[1 * 8 + 1], 0, 0);
    int nonzero = 0;
    for (int i = 0; i < 64; i++) nonzero += w[i] != 0;
    /* within: 2 chains x (3+2+... ) pairs; across: 4 x 4 minus |d| = 3 pairs */
    assert_int_equal(nonzero, 2 * 10 + 2 * 14);
    assert_int_equal(spins_chain_n_couplings(2), 8 * 2 - 2);
}

/* ---- exact references --------------------------------------------------------------- */

static void test_symmetric_is_boltzmann(void **unused)
{
    spins *s = chain8(c_sym, 0.8, 1, 0);
    double z = 0;
    for (uint64_t b = 0; b < 256; b++) z += exp(-s->beta * energy(s, b));
    for (uint64_t b = 0; b < 256; b++) assert_close(s->p[b], exp(-s->beta * energy(s, b)) / z, 1e-13);
    assert_close(s->ep_rate_exact, 0, 1e-13);
    spins_free(s);
}

static void test_two_spin_closed_form(void **unused)
{
    const double cases[][5] = {{1.3, 0.4, 0.7, 0.3, -0.5}, {3.0, 0.0, 1.2, -1.5, 2.0}, {0.5, -0.8, -0.4, 0.9, 0.2},
                               {3.0, 0.6, 0.0, 0.7, -0.1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double beta = cases[c][0], js = cases[c][1], ja = cases[c][2], x[2] = {cases[c][3], cases[c][4]};
        double w[4] = {0, js + ja, js - ja, 0}, p[4];
        spins *s = spins_alloc_direct(2, w, x, beta, 1.0, 1, 0, 1);
        spins_two_spin_closed_form(beta, js, ja, x[0], x[1], p);
        for (int b = 0; b < 4; b++) assert_close(p[b], s->p[b], 1e-13);
        spins_free(s);
    }
}

/* The steady state solves the master equation; eq. 1 equals the mean medium rate. */
static void check_master_equation(spins *s, double tol)
{
    size_t S = s->n_states;
    for (uint64_t b = 0; b < S; b++) {
        double flow = 0;
        for (int i = 0; i < s->n; i++) {
            uint64_t c = b ^ ((uint64_t)1 << i);
            flow += spins_flip_rate(s, c, i) * s->p[c] - spins_flip_rate(s, b, i) * s->p[b];
        }
        assert_close(flow, 0, tol);
    }
    assert_close(spins_medium_rate(s, s->p), s->ep_rate_exact, 1e-10 * fmax(1, s->ep_rate_exact));
    assert_true(s->ep_rate_exact > 0);
}

static void test_master_equation_dense_and_sparse(void **unused)
{
    spins *s = chain8(c_asym, 1.0, 1, 0);
    check_master_equation(s, 1e-14);
    spins_free(s);
    /* 2N = 12: GMRES on the sparse generator */
    double w[144], x[12];
    spins_chain_matrix(6, 2, c_asym, w);
    for (int i = 0; i < 12; i++) x[i] = 0.2 * (i % 5) - 0.4;
    s = spins_alloc_direct(12, w, x, 0.7, 1.0, 1, 0, 1);
    assert_non_null(s->p);
    check_master_equation(s, 1e-10);
    spins_free(s);
}

/* ---- Gillespie against the exact values ----------------------------------------------- */

/* The moments of a run of a point: observables and every profile component. */
typedef struct {
    int M, n;
    tl_moments obs[SPINS_N_OBS];
    tl_moments *m;          /* [M][n] */
    tl_moments *rate, *ift; /* [M] */
} run_stats;

static const tl_moments empty = {0, 0, 0, INFINITY, -INFINITY};

static void run(const spins *s, size_t n_traj, uint32_t point, run_stats *st)
{
    int M = s->n_inputs, n = s->n;
    double obs[SPINS_N_OBS][TL_BATCH];
    double *out[TL_MAX_OBSERVABLES] = {0}, *prof[TL_MAX_PROFILES] = {0};
    for (int o = 0; o < SPINS_N_OBS; o++) out[o] = obs[o], st->obs[o] = empty;
    prof[SPINS_PROFILE_M] = malloc((size_t)M * n * TL_BATCH * sizeof(double));
    prof[SPINS_PROFILE_EP_RATE] = malloc((size_t)M * TL_BATCH * sizeof(double));
    prof[SPINS_PROFILE_IFT] = malloc((size_t)M * TL_BATCH * sizeof(double));
    st->M = M, st->n = n;
    st->m = malloc((size_t)M * n * sizeof *st->m);
    st->rate = malloc((size_t)M * sizeof *st->rate);
    st->ift = malloc((size_t)M * sizeof *st->ift);
    for (int c = 0; c < M * n; c++) st->m[c] = empty;
    for (int c = 0; c < M; c++) st->rate[c] = st->ift[c] = empty;
    tl_stream_key key = {SEED, point, 0};
    for (size_t first = 0; first < n_traj; first += TL_BATCH) {
        size_t count = n_traj - first < TL_BATCH ? n_traj - first : TL_BATCH;
        spins_simulate_batch(s, &key, first, count, out, prof, NULL);
        for (int o = 0; o < SPINS_N_OBS; o++) st->obs[o] = tl_moments_merge(st->obs[o], tl_moments_of(obs[o], count));
        for (int c = 0; c < M * n; c++)
            st->m[c] = tl_moments_merge(st->m[c], tl_moments_of(prof[SPINS_PROFILE_M] + c * count, count));
        for (int c = 0; c < M; c++) {
            st->rate[c] = tl_moments_merge(st->rate[c], tl_moments_of(prof[SPINS_PROFILE_EP_RATE] + c * count, count));
            st->ift[c] = tl_moments_merge(st->ift[c], tl_moments_of(prof[SPINS_PROFILE_IFT] + c * count, count));
        }
    }
    for (int v = 0; v < SPINS_N_PROFILES; v++) free(prof[v]);
}

static void run_free(run_stats *st)
{
    free(st->m), free(st->rate), free(st->ift);
}

static double se(const tl_moments *m)
{
    return sqrt(tl_moments_variance(m) / m->n);
}

#define assert_within_se(est, m, exact)                                                         \
    do {                                                                                        \
        double z_ = ((est) - (exact)) / se(m);                                                  \
        if (!(fabs(z_) <= Z_TOL)) {                                                             \
            print_error("%s = %.6g, exact %.6g: %.2f standard errors\n", #est, (est), (exact), z_); \
            fail();                                                                             \
        }                                                                                       \
    } while (0)

/* 2N = 8 under two inputs: x4 repeated on both chains, and one per spin. */
static spins *chain8_inputs(const double *c, double beta, double time, double transient)
{
    double w[64], x[16];
    spins_chain_matrix(4, 2, c, w);
    static const double x2[8] = {-0.5, 0.2, 0.8, -0.1, 0.3, 0.0, -0.2, 0.4};
    for (int i = 0; i < 8; i++) x[i] = x4[i % 4], x[8 + i] = x2[i];
    return spins_alloc_inputs(8, w, 2, x, beta, 1.0, time, transient, 1, 1);
}

/* Every input's magnetisations and rate against its exact steady state.  The
 * time averages of coupled spins are correlated, so the spins of an input are
 * judged together by the union bound: each within the z of a two-sided tail
 * 0.0027 / n (3 SE for one value, 3.55 for 8). */
static void check_gillespie(spins *s, size_t n_traj, uint32_t point)
{
    run_stats st;
    run(s, n_traj, point, &st);
    double mean_rate = 0, z_max = gsl_cdf_ugaussian_Qinv(0.0027 / 2 / s->n);
    for (int mu = 0; mu < s->n_inputs; mu++) {
        const spins *x = spins_input(s, mu);
        double worst = 0;
        for (int i = 0; i < s->n; i++) {
            const tl_moments *m = &st.m[mu * s->n + i];
            double z = (m->mean - x->m_exact[i]) / se(m);
            if (fabs(z) > fabs(worst)) worst = z;
        }
        print_message("    input %d: ep rate %.5f +- %.5f (exact %.5f); m: largest |z| %.2f of %d spins (bound %.2f)\n", mu,
                      st.rate[mu].mean, se(&st.rate[mu]), x->ep_rate_exact, worst, s->n, z_max);
        assert_true(fabs(worst) <= z_max);
        assert_within_se(st.rate[mu].mean, &st.rate[mu], x->ep_rate_exact);
        /* the IFT where it is checked; for symmetric W exp(-Sigma_tot) = 1 to round-off on every trajectory */
        if (fabs(st.ift[mu].mean - 1) > 1e-9)
            assert_within_se(st.ift[mu].mean, &st.ift[mu], 1.0);
        mean_rate += x->ep_rate_exact / s->n_inputs;
    }
    /* the scalar rate is the mean over the inputs, the entropy their sum */
    assert_within_se(st.obs[SPINS_OBS_EP_RATE].mean, &st.obs[SPINS_OBS_EP_RATE], mean_rate);
    assert_close(st.obs[SPINS_OBS_EP_RATE].mean * s->n_inputs * (s->time - s->transient), st.obs[SPINS_OBS_EP].mean,
                 1e-9 * fabs(st.obs[SPINS_OBS_EP].mean) + 1e-12);
    run_free(&st);
}

static void test_gillespie_symmetric(void **unused)
{
    spins *s = chain8_inputs(c_sym, 1.0, 40, 0);
    for (int mu = 0; mu < 2; mu++) assert_close(spins_input(s, mu)->ep_rate_exact, 0, 1e-13);
    check_gillespie(s, 2000, 1);
    spins_free(s);
}

/* Per trajectory, for symmetric W: the medium entropy is beta (H(s_start) - H(s_end))
 * and ln p(s) = -beta H(s) - ln Z, so Sigma_tot = 0 to round-off on every
 * trajectory and input, and exp(-Sigma_tot) = 1. */
static void test_symmetric_total_entropy_vanishes(void **unused)
{
    spins *s = chain8_inputs(c_sym, 1.3, 20, 3);
    run_stats st;
    run(s, 512, 6, &st);
    assert_true(st.obs[SPINS_OBS_EP].max - st.obs[SPINS_OBS_EP].min > 1.0); /* the medium entropy itself fluctuates */
    assert_close(st.obs[SPINS_OBS_EP_TOTAL].min, 0, 1e-9);
    assert_close(st.obs[SPINS_OBS_EP_TOTAL].max, 0, 1e-9);
    for (int mu = 0; mu < 2; mu++) {
        assert_close(st.ift[mu].min, 1, 1e-9);
        assert_close(st.ift[mu].max, 1, 1e-9);
        assert_close(spins_ift_window(spins_input(s, mu)), 17, 0); /* no growth: the whole window */
    }
    run_free(&st);
    spins_free(s);
}

static void test_gillespie_asymmetric(void **unused)
{
    spins *s = chain8_inputs(c_asym, 1.0, 40, 0);
    for (int mu = 0; mu < 2; mu++) assert_true(spins_input(s, mu)->ep_rate_exact > 0.1);
    check_gillespie(s, 2000, 2);
    spins_free(s);
}

/* From random spins, the transient brings the state to the steady state. */
static void test_gillespie_random_start(void **unused)
{
    spins *s = chain8_inputs(c_asym, 1.0, 50, 10);
    for (int mu = 0; mu < 2; mu++) spins_input(s, mu)->initial_steady = 0;
    check_gillespie(s, 1500, 3);
    spins_free(s);
}

/* Moments of exp(-lambda Sigma_tot) over a window tau from the distribution
 * p0, with Sigma_tot = medium entropy + ln pw(start) - ln pw(end), exactly:
 * sum_{b, b'} pw(b')^lambda [exp(tau L)]_{b' b} pw(b)^{-lambda} p0(b), with the
 * tilted generator L_{b' b} = k(b -> b')^{1 - lambda} k(b' -> b)^lambda,
 * L_{b b} = -(escape rate of b).  GSL's matrix exponential, for small n. */
static double tilted_moment_of(const spins *s, const double *p0, const double *pw, double lambda, double tau)
{
    size_t S = s->n_states;
    gsl_matrix *l = gsl_matrix_calloc(S, S), *e = gsl_matrix_alloc(S, S);
    for (size_t b = 0; b < S; b++)
        for (int i = 0; i < s->n; i++) {
            size_t c = b ^ ((size_t)1 << i);
            double kf = spins_flip_rate(s, b, i), kb = spins_flip_rate(s, c, i);
            gsl_matrix_set(l, c, b, tau * pow(kf, 1 - lambda) * pow(kb, lambda));
            *gsl_matrix_ptr(l, b, b) -= tau * kf;
        }
    gsl_linalg_exponential_ss(l, e, GSL_PREC_DOUBLE);
    double total = 0;
    for (size_t b = 0; b < S; b++)
        for (size_t c = 0; c < S; c++) total += pow(pw[c] / pw[b], lambda) * gsl_matrix_get(e, c, b) * p0[b];
    gsl_matrix_free(l), gsl_matrix_free(e);
    return total;
}

static double tilted_moment(const spins *s, double lambda, double tau)
{
    return tilted_moment_of(s, s->p, s->p, lambda, tau);
}

/* The IFT exactly (lambda = 1) at any tau; the growth rate of the second
 * moment (lambda = 2) at small tau is spins_ift_tail's growth; and the automatic
 * window is the time of one unit of entropy. */
static void test_ift_exact_moments(void **unused)
{
    double w[16], x[4] = {0.4, -0.3, 0.1, 0.6};
    spins_chain_matrix(2, 1, c_asym, w);
    spins *s = spins_alloc_direct(4, w, x, 1.0, 1.0, 100, 0, 1);
    assert_close(tilted_moment(s, 1, 0.7), 1, 1e-12);
    assert_close(tilted_moment(s, 1, 3.0), 1, 1e-12);
    double tau = 1e-6, growth = (tilted_moment(s, 2, tau) - 1) / tau;
    assert_close(growth, s->ift_growth, 1e-4 * s->ift_growth);
    assert_true(s->ift_growth > 2 * s->ep_rate_exact); /* far from equilibrium: more than the Gaussian 2 sigma */
    assert_close(spins_ift_window(s), 1 / s->ep_rate_exact, 1e-12);
    spins_free(s);
    /* the largest weight of a jump: 1 at equilibrium, small near it, large far from it */
    s = chain8_inputs(c_sym, 1.0, 1, 0);
    assert_close(s->ift_max_weight, 1, 1e-9);
    spins_free(s);
    s = chain8_inputs(c_weak, 1.0, 1, 0);
    assert_true(s->ift_max_weight > 1.5 && s->ift_max_weight < 10);
    spins_free(s);
    s = chain8_inputs(c_asym, 1.0, 1, 0);
    assert_true(s->ift_max_weight > 100);
    spins_free(s);
}

/* <exp(-Sigma_tot)> = 1 in the steady state: per input over the automatic
 * window (the ift profile), and for the sum over the inputs over a short
 * window where Sigma_tot fluctuates (ift_weight). */
static void test_integral_fluctuation_theorem(void **unused)
{
    spins *s = chain8_inputs(c_weak, 1.0, 1.0, 0);
    run_stats st;
    run(s, 20000, 4, &st);
    const tl_moments *weight = &st.obs[SPINS_OBS_IFT_WEIGHT], *total = &st.obs[SPINS_OBS_EP_TOTAL];
    assert_within_se(weight->mean, weight, 1.0);
    double rate = spins_input(s, 0)->ep_rate_exact + spins_input(s, 1)->ep_rate_exact;
    /* Sigma_tot is not trivially small: <Sigma_tot> = summed rate x time > 0 */
    assert_within_se(total->mean, total, rate * 1.0);
    assert_true(sqrt(tl_moments_variance(total)) > 0.5);
    print_message("    sum over inputs: <exp(-S_tot)> = %.4f +- %.4f, <S_tot> = %.4f (exact %.4f)\n", weight->mean,
                  se(weight), total->mean, rate);
    for (int mu = 0; mu < 2; mu++) {
        assert_within_se(st.ift[mu].mean, &st.ift[mu], 1.0);
        print_message("    input %d: <exp(-S_tot)> = %.4f +- %.4f over %.3f\n", mu, st.ift[mu].mean, se(&st.ift[mu]),
                      spins_ift_window(spins_input(s, mu)));
    }
    run_free(&st);
    spins_free(s);
}

/* The bounded IFT weight: 0 below zero, 1 at zero (to round-off), 1 + e^-S above;
 * and its mean is 1 exactly when Sigma obeys the detailed fluctuation theorem:
 * on a two-point law P(S) = q, P(-S) = q e^-S, P(0) = rest. */
static void test_ift_bounded_weight(void **unused)
{
    assert_close(spins_ift_bounded(-0.3), 0, 0);
    assert_close(spins_ift_bounded(1e-13), 1, 0);
    assert_close(spins_ift_bounded(-1e-13), 1, 0);
    assert_close(spins_ift_bounded(0.7), 1 + exp(-0.7), 0);
    for (double S = 0.1; S < 20; S *= 2) {
        double q = 0.3, mean = q * spins_ift_bounded(S) + q * exp(-S) * spins_ift_bounded(-S) + (1 - q - q * exp(-S));
        assert_close(mean, 1, 1e-15);
    }
}

/* The test has power: with a wrong steady state in Sigma_tot, pw ~ p exp(s_0 / 2),
 * the ift profile is far from 1, and it agrees with the exact tilted moment
 * of the wrong Sigma_tot (so the estimator measures what it should). */
static void test_ift_detects_wrong_steady_state(void **unused)
{
    spins *s = chain8_inputs(c_weak, 1.0, 1.0, 0);
    for (int mu = 0; mu < 2; mu++) {
        spins *x = spins_input(s, mu);
        double z = 0;
        for (size_t b = 0; b < x->n_states; b++)
            z += x->p[b] *= exp(0.5 * (b & 1 ? 1 : -1)); /* the draws of s(0) keep the true cdf */
        for (size_t b = 0; b < x->n_states; b++) x->p[b] /= z;
    }
    run_stats st;
    run(s, 20000, 4, &st);
    for (int mu = 0; mu < 2; mu++) {
        double z1 = (st.ift[mu].mean - 1) / se(&st.ift[mu]);
        print_message("    input %d, wrong p_ss: bounded IFT weight %.4f +- %.4f, %.1f SE from 1\n", mu,
                      st.ift[mu].mean, se(&st.ift[mu]), z1);
        assert_true(fabs(z1) > 6);
    }
    run_free(&st);
    spins_free(s);
}

/* Streams: a trajectory's result does not depend on the batch it is simulated
 * in; input 0 draws the streams of a one-input system, and input 1 others. */
static void test_streams_of_inputs(void **unused)
{
    double w[64], x[16];
    spins_chain_matrix(4, 2, c_asym, w);
    for (int i = 0; i < 16; i++) x[i] = x4[i % 4]; /* the same input twice */
    spins *two = spins_alloc_inputs(8, w, 2, x, 1.0, 1.0, 5, 1, 1, 1), *one = spins_alloc_direct(8, w, x, 1.0, 1.0, 5, 1, 1);
    enum { T = 10 };
    double a[SPINS_N_OBS][TL_BATCH], b[SPINS_N_OBS][TL_BATCH], pa[2 * 8 * T], pb[2 * 8 * T], p1[8 * T];
    double *oa[TL_MAX_OBSERVABLES] = {0}, *ob[TL_MAX_OBSERVABLES] = {0};
    for (int o = 0; o < SPINS_N_OBS; o++) oa[o] = a[o], ob[o] = b[o];
    double *fa[TL_MAX_PROFILES] = {pa}, *fb[TL_MAX_PROFILES] = {pb}, *f1[TL_MAX_PROFILES] = {p1};
    tl_stream_key key = {SEED, 0, 0};
    spins_simulate_batch(two, &key, 0, T, oa, fa, NULL);
    spins_simulate_batch(two, &key, 7, 3, ob, fb, NULL);
    for (int o = 0; o < SPINS_N_OBS; o++)
        for (int k = 0; k < 3; k++) assert_true(a[o][7 + k] == b[o][k]);
    for (int c = 0; c < 16; c++)
        for (int k = 0; k < 3; k++) assert_true(pa[c * T + 7 + k] == pb[c * 3 + k]);
    spins_simulate_batch(one, &key, 0, T, oa, f1, NULL);
    int differ = 0;
    for (int c = 0; c < 8; c++)
        for (int k = 0; k < T; k++) {
            assert_true(pa[c * T + k] == p1[c * T + k]);  /* input 0 = the one-input system */
            differ += pa[c * T + k] != pa[(8 + c) * T + k]; /* input 1: same x, other streams */
        }
    assert_true(differ > 8 * T / 2);
    /* the purposes of inputs are distinct, and distinct from the engine's and from input 0's */
    for (int mu = 1; mu < 1000; mu++) {
        assert_true(spins_purpose(mu, TL_PURPOSE_DYNAMICS) != spins_purpose(mu, TL_PURPOSE_INITIAL));
        assert_true(spins_purpose(mu, TL_PURPOSE_DYNAMICS) >= TL_PURPOSE_MODEL);
        assert_true(spins_purpose(mu + 1, TL_PURPOSE_DYNAMICS) == spins_purpose(mu, TL_PURPOSE_INITIAL) + 1);
    }
    assert_true(spins_purpose(SPINS_MAX_INPUTS - 1, TL_PURPOSE_INITIAL) < (1u << 24));
    spins_free(two), spins_free(one);
}

/* max_jumps ends the window at that jump: every trajectory makes exactly that
 * many (transient 0, time far beyond), and the rate is the entropy over the
 * window actually run, which is shorter than `time`. */
/* The pick's tree of rates at 2N = 14, the largest system with the exact
 * master equation (GMRES): one bucket of 16 (the default: the pick is a scan
 * of one leaf), and buckets of 1 and 2 (a binary tree of 4 and 3 levels
 * above the rates: every branch of the descent and of the plan of updates is
 * taken).  Magnetisations and entropy production rate of independent
 * trajectories against the exact steady state, as check_gillespie. */
static void test_gillespie_tree_2n14(void **unused)
{
    enum { N = 14, TRAJ = 600 };
    double w[N * N], x[N];
    spins_chain_matrix(N / 2, 2, c_weak, w);
    for (int i = 0; i < N; i++) x[i] = 0.25 * ((i * 5) % 7) / 7.0 - 0.1;
    spins *s = spins_alloc_direct(N, w, x, 1.0, 1.0, 20, 0, 1);
    assert_non_null(s->p);
    assert_true(s->ep_rate_exact > 0.1);
    double z_max = gsl_cdf_ugaussian_Qinv(0.0027 / 2 / N);
    const int buckets[3] = {16, 1, 2};
    for (int k = 0; k < 3; k++) {
        spins_walker *walker = spins_walker_alloc_bucket(N, buckets[k]);
        static double mag[TRAJ][N], rate[TRAJ];
        double m_t[TRAJ];
        tl_stream_key key = {SEED, 40 + (uint32_t)k, 0};
        for (int t = 0; t < TRAJ; t++) {
            spins_result r;
            spins_walk(s, &key, (uint64_t)t, walker, mag[t], &r);
            rate[t] = r.rate;
        }
        spins_walker_free(walker);
        double worst = 0;
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < TRAJ; t++) m_t[t] = mag[t][i];
            tl_moments m = tl_moments_of(m_t, TRAJ);
            double z = (m.mean - s->m_exact[i]) / se(&m);
            if (fabs(z) > fabs(worst)) worst = z;
        }
        tl_moments mr = tl_moments_of(rate, TRAJ);
        print_message("    bucket %2d: ep rate %.5f +- %.5f (exact %.5f); m: largest |z| %.2f of %d spins (bound %.2f)\n",
                      buckets[k], mr.mean, se(&mr), s->ep_rate_exact, worst, N, z_max);
        assert_true(fabs(worst) <= z_max);
        assert_within_se(mr.mean, &mr, s->ep_rate_exact);
    }
    spins_free(s);
}

static void test_max_jumps(void **unused)
{
    spins *s = chain8_inputs(c_asym, 1.0, 1e6, 0);
    spins_set_window(s, 50, 0);
    double a[SPINS_N_OBS][TL_BATCH], m[2 * 8 * 20];
    double *out[TL_MAX_OBSERVABLES] = {0}, *prof[TL_MAX_PROFILES] = {m};
    for (int o = 0; o < SPINS_N_OBS; o++) out[o] = a[o];
    uint64_t jumps[20];
    tl_stream_key key = {SEED, 5, 0};
    spins_simulate_batch(s, &key, 0, 20, out, prof, jumps);
    for (int k = 0; k < 20; k++) {
        assert_int_equal(jumps[k], 2 * 50); /* 50 under each input */
        assert_true(fabs(a[SPINS_OBS_EP_RATE][k]) > fabs(a[SPINS_OBS_EP][k]) / 1e6 * 10); /* window far shorter than time */
    }
    for (int c = 0; c < 2 * 8 * 20; c++) assert_true(fabs(m[c]) <= 1.0);
    spins_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_matrix),
        cmocka_unit_test(test_symmetric_is_boltzmann),
        cmocka_unit_test(test_two_spin_closed_form),
        cmocka_unit_test(test_master_equation_dense_and_sparse),
        cmocka_unit_test(test_gillespie_symmetric),
        cmocka_unit_test(test_symmetric_total_entropy_vanishes),
        cmocka_unit_test(test_gillespie_asymmetric),
        cmocka_unit_test(test_gillespie_random_start),
        cmocka_unit_test(test_ift_exact_moments),
        cmocka_unit_test(test_integral_fluctuation_theorem),
        cmocka_unit_test(test_ift_bounded_weight),
        cmocka_unit_test(test_ift_detects_wrong_steady_state),
        cmocka_unit_test(test_streams_of_inputs),
        cmocka_unit_test(test_max_jumps),
        cmocka_unit_test(test_gillespie_tree_2n14),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
