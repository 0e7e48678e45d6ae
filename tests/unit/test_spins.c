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

#include "thermolearn/moments.h"
#include "thermolearn/stream.h"
#include "../../src/models/spins/spins.h"

#define Z_TOL 3.0 /* standard errors */
#define SEED 777u

#define assert_close(a, b, tol) close_or_fail((a), (b), (tol), #a, __FILE__, __LINE__)

static void close_or_fail(double a, double b, double tol, const char *expr, const char *file, int line)
{
    if (fabs(a - b) <= tol) return;
    print_error("%s = %.17g, expected %.17g within %.3g\n", expr, a, b, tol);
    _fail(file, line);
}

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

typedef struct {
    tl_moments m[SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS];
} run_stats;

static void run(const spins *s, size_t n_traj, uint32_t point, run_stats *st)
{
    double buf[SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS][TL_BATCH];
    double *out[TL_MAX_OBSERVABLES] = {0};
    for (size_t o = 0; o < SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS; o++) {
        out[o] = buf[o];
        st->m[o] = (tl_moments){0, 0, 0, INFINITY, -INFINITY};
    }
    tl_stream_key key = {SEED, point, 0};
    for (size_t first = 0; first < n_traj; first += TL_BATCH) {
        size_t count = n_traj - first < TL_BATCH ? n_traj - first : TL_BATCH;
        spins_simulate_batch(s, &key, first, count, out, NULL);
        for (size_t o = 0; o < SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS; o++)
            st->m[o] = tl_moments_merge(st->m[o], tl_moments_of(buf[o], count));
    }
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

static void check_gillespie(spins *s, uint32_t point)
{
    run_stats st;
    run(s, 2000, point, &st);
    for (int i = 0; i < s->n; i++) assert_within_se(st.m[SPINS_OBS_FIXED + i].mean, &st.m[SPINS_OBS_FIXED + i], s->m_exact[i]);
    assert_within_se(st.m[1].mean, &st.m[1], s->ep_rate_exact);
    /* the rate is the window's entropy over its length */
    assert_close(st.m[1].mean * (s->time - s->transient), st.m[0].mean, 1e-9 * fabs(st.m[0].mean) + 1e-12);
    for (int i = s->n; i < SPINS_MAGNETIZATION_OBS; i++) assert_close(st.m[SPINS_OBS_FIXED + i].max, 0, 0);
    print_message("    ep rate %.5f +- %.5f (exact %.5f), m_0 %.4f +- %.4f (exact %.4f)\n", st.m[1].mean,
                  se(&st.m[1]), s->ep_rate_exact, st.m[4].mean, se(&st.m[4]), s->m_exact[0]);
}

static void test_gillespie_symmetric(void **unused)
{
    spins *s = chain8(c_sym, 1.0, 100, 10);
    assert_close(s->ep_rate_exact, 0, 1e-13);
    check_gillespie(s, 1);
    spins_free(s);
}

/* Per trajectory, for symmetric W: the medium entropy is beta (H(s_start) - H(s_end))
 * and ln p(s) = -beta H(s) - ln Z, so Sigma_tot = 0 to round-off on every trajectory. */
static void test_symmetric_total_entropy_vanishes(void **unused)
{
    spins *s = chain8(c_sym, 1.3, 20, 3);
    run_stats st;
    run(s, 512, 6, &st);
    assert_true(st.m[0].max - st.m[0].min > 1.0); /* the medium entropy itself fluctuates */
    assert_close(st.m[2].min, 0, 1e-9);
    assert_close(st.m[2].max, 0, 1e-9);
    spins_free(s);
}

static void test_gillespie_asymmetric(void **unused)
{
    spins *s = chain8(c_asym, 1.0, 100, 10);
    assert_true(s->ep_rate_exact > 0.1);
    check_gillespie(s, 2);
    spins_free(s);
}

/* From random spins, the transient brings the state to the steady state. */
static void test_gillespie_random_start(void **unused)
{
    spins *s = chain8(c_asym, 1.0, 100, 20);
    s->initial_steady = 0;
    check_gillespie(s, 3);
    spins_free(s);
}

/* <exp(-Sigma_tot)> = 1 in the steady state, over a short window where Sigma_tot fluctuates. */
static void test_integral_fluctuation_theorem(void **unused)
{
    spins *s = chain8(c_weak, 1.0, 2.0, 0);
    run_stats st;
    run(s, 20000, 4, &st);
    assert_within_se(st.m[3].mean, &st.m[3], 1.0);
    /* and Sigma_tot is not trivially small: <Sigma_tot> = rate x time > 0 */
    assert_within_se(st.m[2].mean, &st.m[2], s->ep_rate_exact * 2.0);
    assert_true(sqrt(tl_moments_variance(&st.m[2])) > 0.5);
    print_message("    <exp(-S_tot)> = %.4f +- %.4f, <S_tot> = %.4f (exact %.4f)\n", st.m[3].mean, se(&st.m[3]),
                  st.m[2].mean, s->ep_rate_exact);
    spins_free(s);
}

/* Streams: a trajectory's result does not depend on the batch it is simulated in. */
static void test_batch_independence(void **unused)
{
    spins *s = chain8(c_asym, 1.0, 5, 1);
    double a[SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS][TL_BATCH], b[SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS][TL_BATCH];
    double *oa[TL_MAX_OBSERVABLES] = {0}, *ob[TL_MAX_OBSERVABLES] = {0};
    for (int o = 0; o < SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS; o++) oa[o] = a[o], ob[o] = b[o];
    tl_stream_key key = {SEED, 0, 0};
    spins_simulate_batch(s, &key, 0, 10, oa, NULL);
    spins_simulate_batch(s, &key, 7, 3, ob, NULL);
    for (int o = 0; o < SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS; o++)
        for (int k = 0; k < 3; k++) assert_true(a[o][7 + k] == b[o][k]);
    spins_free(s);
}

/* max_jumps ends the window at that jump: every trajectory makes exactly that
 * many (transient 0, time far beyond), and the rate is the entropy over the
 * window actually run, which is shorter than `time`. */
static void test_max_jumps(void **unused)
{
    spins *s = chain8(c_asym, 1.0, 1e6, 0);
    s->max_jumps = 50;
    double a[SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS][TL_BATCH];
    double *out[TL_MAX_OBSERVABLES] = {0};
    for (int o = 0; o < SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS; o++) out[o] = a[o];
    uint64_t jumps[20];
    tl_stream_key key = {SEED, 5, 0};
    spins_simulate_batch(s, &key, 0, 20, out, jumps);
    for (int k = 0; k < 20; k++) {
        assert_int_equal(jumps[k], 50);
        assert_true(fabs(a[1][k]) > fabs(a[0][k]) / 1e6 * 10); /* window far shorter than time */
        for (int i = 0; i < 8; i++) assert_true(fabs(a[SPINS_OBS_FIXED + i][k]) <= 1.0);
    }
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
        cmocka_unit_test(test_integral_fluctuation_theorem),
        cmocka_unit_test(test_batch_independence),
        cmocka_unit_test(test_max_jumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
