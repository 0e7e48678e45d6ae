/* The graded-response network (eq. 15, neurons = graded).
 *
 * 1. The energy against eq. 15 written out here: W and G(V) = V ln V +
 *    (1 - V) ln(1 - V) explicit, V = 1/(1 + e^-u).
 * 2. The exact dF (product Gauss-Legendre in u, with the Jacobian) against an
 *    independent one: nested adaptive GSL quadrature of exp(-beta E(V)) over
 *    V in (0,1)^2, no change of variables.
 * 3. Crooks against the time step: with MALA, BAR from simulated forward and
 *    reverse work lies within 3 standard errors of the exact dF at dt = 0.05
 *    and at dt = 3 (the acceptance step keeps every step reversible); the
 *    plain Euler-Maruyama scheme at dt = 3 lies more than 5 standard errors
 *    away: the discretisation error it makes is detected, so the test can fail;
 *    at dt = 0.05 Euler agrees too, which checks the drift itself (MALA would
 *    hide a wrong drift behind its acceptance step).
 * 4. The vector kernel (trajectories in lanes) against its scalar reference
 *    (hopfield_graded_trajectory), bit for bit: a batch of 37 (a whole tile and a
 *    partial one, starting mid-stream), odd n (the last Gaussian pair half
 *    used), odd substeps (a step's uniform words from the block before), both
 *    directions, MALA and Euler.  A lane reading another's numbers, a padding
 *    lane leaking, or an operation done in another order in one of them fails.
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
#include <gsl/gsl_integration.h>

#include "thermolearn/config.h"
#include "thermolearn/estimators.h"
#include "hopfield_fixture.h"


#define BASE "neurons = graded\nn = 2\ntemperature = 0.5\ngamma = 0.3\nfield = 2\nthreshold = 0.2\n" \
             "resistance = 1.5\nsteps = 20\nsubsteps = 5\nburn_in = 40\npattern_seed = 3\n"

/* ---- the reference: eq. 15 in V ------------------------------------------------------ */

typedef struct {
    const hopfield *hf;
    double gamma, h, U, R, beta, lambda, v0;
} ref;

static double ref_energy(const ref *r, const double *V)
{
    const hopfield *hf = r->hf;
    int n = hf->n;
    const int8_t *e1 = hf->patterns, *e2 = hf->patterns + n;
    double e = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++)
            if (i != j) e -= 0.5 * (r->gamma * e1[i] * e1[j] + (1 - r->gamma) * e2[i] * e2[j]) * V[i] * V[j];
        double input = r->h * ((1 - r->lambda) * e1[i] + r->lambda * e2[i]);
        e -= (input - r->U) * V[i];
        e += (V[i] * log(V[i]) + (1 - V[i]) * log1p(-V[i])) / r->R;
    }
    return e;
}

static double inner(double v1, void *p)
{
    ref *r = p;
    double V[2] = {r->v0, v1};
    return exp(-r->beta * ref_energy(r, V));
}

static double outer(double v0, void *p)
{
    ref *r = p;
    r->v0 = v0;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function f = {inner, r};
    double result, err;
    gsl_integration_qags(&f, 0, 1, 0, 1e-12, 1000, w, &result, &err);
    gsl_integration_workspace_free(w);
    return result;
}

static double ref_free_energy(ref *r, double lambda)
{
    r->lambda = lambda;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function f = {outer, r};
    double result, err;
    gsl_integration_qags(&f, 0, 1, 0, 1e-11, 1000, w, &result, &err);
    gsl_integration_workspace_free(w);
    return -log(result) / r->beta;
}

static void test_energy_and_free_energy(void **state)
{
    (void)state;
    hopfield *hf = make_hopfield(BASE);
    ref r = {hf, 0.3, 2.0, 0.2, 1.5, 2.0, 0, 0};
    double worst = 0;
    for (int k = 0; k < 50; k++) {
        double u[2] = {-6 + 0.25 * k, 3 - 0.13 * k}, V[2];
        for (int i = 0; i < 2; i++) V[i] = 1 / (1 + exp(-u[i]));
        for (int l = 0; l < 3; l++) {
            r.lambda = 0.5 * l;
            double a = hopfield_graded_energy(hf, u, r.lambda), b = ref_energy(&r, V);
            worst = fmax(worst, fabs(a - b));
            assert_true(fabs(a - b) < 1e-12 * (1 + fabs(b)));
        }
    }
    double df = ref_free_energy(&r, 1.0) - ref_free_energy(&r, 0.0);
    double model = hf->free_energy[1] - hf->free_energy[0];
    print_message("energy: max deviation %.3g; dF exact %.10f (adaptive in V), %.10f (model)\n", worst, df, model);
    assert_true(fabs(model - df) < 1e-7);
    hopfield_free(hf);
}

/* BAR from 2^13 forward and reverse trajectories, in standard errors from the exact dF. */
static double bar_deviation(const char *extra, double *acceptance_mean)
{
    char section[1024];
    snprintf(section, sizeof section, BASE "%s", extra);
    hopfield *hf = make_hopfield(section);
    enum { NB = 32, T = NB * TL_BATCH };
    double *w[2], q[TL_BATCH], acc[TL_BATCH], sum_acc = 0;
    for (uint32_t d = 0; d < 2; d++) {
        w[d] = malloc(T * sizeof *w[d]);
        tl_stream_key key = {77, 0, d};
        for (int k = 0; k < NB; k++) {
            hopfield_graded_simulate(hf, &key, (uint64_t)k * TL_BATCH, TL_BATCH, w[d] + k * TL_BATCH, q, NULL, acc);
            for (int b = 0; b < TL_BATCH; b++) sum_acc += acc[b];
        }
    }
    tl_samples f = {w[0], NULL, T}, r = {w[1], NULL, T};
    double bar, err, df = hf->free_energy[1] - hf->free_energy[0];
    assert_int_equal(tl_estimate_bar(f, r, hf->beta, &bar, &err), 0);
    *acceptance_mean = sum_acc / (2.0 * T);
    char label[64];
    snprintf(label, sizeof label, "%s", extra);
    for (char *c = label; *c; c++)
        if (*c == '\n') *c = ' ';
    print_message("%-32s BAR %.5f +- %.5f, exact %.5f: %.2f errors; acceptance %.3f\n", label, bar, err, df,
                  (bar - df) / err, *acceptance_mean);
    free(w[0]), free(w[1]);
    hopfield_free(hf);
    return (bar - df) / err;
}

static void test_crooks_against_time_step(void **state)
{
    (void)state;
    double acc;
    assert_true(fabs(bar_deviation("dt = 0.05\n", &acc)) <= 3);
    assert_true(acc > 0.9);
    assert_true(fabs(bar_deviation("dt = 3\n", &acc)) <= 3);
    assert_true(acc < 0.9); /* the acceptance step is doing work at this dt */
    assert_true(fabs(bar_deviation("dt = 3\nintegrator = euler\n", &acc)) > 5);
    /* at a small step even the unadjusted scheme agrees: its drift is the
     * gradient of ln pi (MALA would hide a wrong drift behind its acceptance) */
    assert_true(fabs(bar_deviation("dt = 0.05\nintegrator = euler\n", &acc)) <= 3);
}

static void test_vector_kernel(void **state)
{
    (void)state;
    static const char *const variants[] = {"dt = 0.3\n", "dt = 0.3\nintegrator = euler\n", "dt = 3\nprotocol = ramp\n"};
    enum { COUNT = 37 };
    for (size_t v = 0; v < 3; v++) {
        char section[1024];
        snprintf(section, sizeof section,
                 "neurons = graded\nn = 7\ntemperature = 0.7\ngamma = 0.3\nfield = 1.5\nthreshold = 0.2\n"
                 "resistance = 1.5\nsteps = 6\nsubsteps = 3\nburn_in = 3\npattern_seed = 3\n%s", variants[v]);
        hopfield *hf = make_hopfield(section);
        for (uint32_t d = 0; d < 2; d++) {
            tl_stream_key key = {91, 4, d};
            double w[COUNT], q[COUNT], ent[COUNT], acc[COUNT], sum_acc = 0;
            hopfield_graded_simulate(hf, &key, 100, COUNT, w, q, ent, acc);
            for (int b = 0; b < COUNT; b++) {
                double w1, q1, a1;
                hopfield_graded_trajectory(hf, &key, 100 + (uint64_t)b, &w1, &q1, &a1);
                assert_memory_equal(&w[b], &w1, sizeof w1);
                assert_memory_equal(&q[b], &q1, sizeof q1);
                assert_memory_equal(&acc[b], &a1, sizeof a1);
                assert_true(ent[b] == -hf->beta * q1);
                sum_acc += a1;
            }
            print_message("variant %zu direction %u: mean acceptance %.3f\n", v, d, sum_acc / COUNT);
            /* the comparison has something to compare: moves both taken and refused (MALA) */
            assert_true(sum_acc > 0.05 * COUNT);
            if (v != 1) assert_true(sum_acc < 0.999 * COUNT);
            else assert_true(sum_acc == COUNT);
        }
        hopfield_free(hf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_energy_and_free_energy),
        cmocka_unit_test(test_crooks_against_time_step),
        cmocka_unit_test(test_vector_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
