/* Hebbian plasticity during the protocol (eq. 16, plasticity = hebbian).
 *
 * 1. One step of the rule against the closed form
 *    W <- e^{-1/tau} W + eta tau (1 - e^{-1/tau}) V V^T, zero diagonal.
 * 2. First law per trajectory with the plastic couplings: W + Q = E(V_S; W_S,
 *    lambda_S) - E(V_0; W_0, lambda_0), the energy written out here; the
 *    initial spins are those of the batch kernel for the same trajectory.
 * 3. eta = 0: the plastic path is the plain dynamics, so BAR lies within 3
 *    standard errors of the exact dF (enumeration).  eta > 0 moves the mean
 *    work by many standard errors: the option does something.
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

#include "thermolearn/config.h"
#include "thermolearn/estimators.h"
#include "hopfield_fixture.h"


#define N 6
#define BASE "n = 6\ntemperature = 2\ngamma = 0.3\nfield = 1.5\nthreshold = 0.1\nsteps = 10\npattern_seed = 2\n" \
             "plasticity = hebbian\n"

static double energy(const hopfield *hf, const double *w, const int8_t *v, double lambda)
{
    double e = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            if (i != j) e -= 0.5 * w[i * N + j] * v[i] * v[j];
        double input = hf->field * ((1 - lambda) * hf->patterns[i] + lambda * hf->patterns[N + i]);
        e -= (input - hf->threshold) * v[i];
    }
    return e;
}

static void test_rule(void **state)
{
    (void)state;
    hopfield *hf = make_hopfield(BASE "learning_rate = 0.2\nsynaptic_time = 7\n");
    double w[N * N], w0[N * N];
    int8_t v[N] = {1, -1, -1, 1, 1, -1};
    hopfield_plastic_initial(hf, w);
    memcpy(w0, w, sizeof w);
    hopfield_plastic_update(hf, w, v);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double expect = i == j ? 0 : exp(-1.0 / 7) * w0[i * N + j] + 0.2 * 7 * (1 - exp(-1.0 / 7)) * v[i] * v[j];
            assert_true(fabs(w[i * N + j] - expect) < 1e-14);
            /* W(0) is eq. 13: gamma eps1 eps1^T + (1 - gamma) eps2 eps2^T off the diagonal */
            double w13 = i == j ? 0 : 0.3 * hf->patterns[i] * hf->patterns[j] + 0.7 * hf->patterns[N + i] * hf->patterns[N + j];
            assert_true(fabs(w0[i * N + j] - w13) < 1e-15);
        }
    hopfield_free(hf);
}

static void test_first_law(void **state)
{
    (void)state;
    hopfield *hf = make_hopfield(BASE "learning_rate = 0.3\nsynaptic_time = 5\n");
    double wk[TL_BATCH], q[TL_BATCH], w0[N * N], w[N * N], worst = 0;
    int8_t s0[TL_BATCH * N], s1[N];
    hopfield_plastic_initial(hf, w0);
    for (uint32_t d = 0; d < 2; d++) {
        tl_stream_key key = {11, 0, d};
        hopfield_simulate_batch(hf, &key, 0, TL_BATCH, wk, q, s0, NULL);
        for (int b = 0; b < TL_BATCH; b++) {
            double work, heat;
            hopfield_plastic_trajectory(hf, &key, (uint64_t)b, &work, &heat, s1, w);
            double de = energy(hf, w, s1, d ? 0.0 : 1.0) - energy(hf, w0, s0 + b * N, d ? 1.0 : 0.0);
            worst = fmax(worst, fabs(work + heat - de));
            assert_true(fabs(work + heat - de) < 1e-9 * (1 + fabs(work) + fabs(heat)));
        }
    }
    print_message("first law with plasticity: max |W + Q - dE| = %.3g\n", worst);
    hopfield_free(hf);
}

/* BAR over 2^13 trajectories per direction; returns the mean forward work and its error. */
static double bar_case(const char *extra, double *mean_w, double *err_w)
{
    char section[1024];
    snprintf(section, sizeof section, BASE "%s", extra);
    hopfield *hf = make_hopfield(section);
    enum { T = 8192 };
    double *w[2], *q = malloc(T * sizeof *q);
    for (uint32_t d = 0; d < 2; d++) {
        w[d] = malloc(T * sizeof *w[d]);
        tl_stream_key key = {12, 0, d};
        hopfield_plastic_simulate(hf, &key, 0, T, w[d], q, NULL);
    }
    double s = 0, s2 = 0;
    for (int k = 0; k < T; k++) s += w[0][k], s2 += w[0][k] * w[0][k];
    *mean_w = s / T;
    *err_w = sqrt((s2 / T - *mean_w * *mean_w) / T);
    tl_samples f = {w[0], NULL, T}, r = {w[1], NULL, T};
    double bar, err, df = hf->free_energy[1] - hf->free_energy[0];
    assert_int_equal(tl_estimate_bar(f, r, hf->beta, &bar, &err), 0);
    print_message("%-40.40s BAR %.4f +- %.4f, dF %.4f (%.2f errors), <W> %.4f +- %.4f\n", extra[0] ? extra : "eta = 0",
                  bar, err, df, (bar - df) / err, *mean_w, *err_w);
    free(w[0]), free(w[1]), free(q);
    hopfield_free(hf);
    return (bar - df) / err;
}

static void test_crooks(void **state)
{
    (void)state;
    double m0, e0, m1, e1;
    assert_true(fabs(bar_case("learning_rate = 0\n", &m0, &e0)) <= 3);
    bar_case("learning_rate = 0.2\nsynaptic_time = 5\n", &m1, &e1);
    assert_true(fabs(m1 - m0) > 5 * sqrt(e0 * e0 + e1 * e1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_first_law),
        cmocka_unit_test(test_crooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
