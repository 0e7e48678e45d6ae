/* The heat-exchange fluctuation theorem on the Hopfield network
 * (protocol = exchange): equilibrium at T1 by exact enumeration, then
 * `steps` sweeps in contact with a bath at T2, Q = E_end - E_start.
 *
 * 1. Exact: a reference built here (W, E, local fields and the single-site
 *    kernels in double, from the INI parameters and the model's patterns)
 *    propagates the joint distribution of (initial, current) state and gives
 *    P(Q) exactly.  With the self-adjoint palindromic sweep, P(Q)/P(-Q) =
 *    exp((1/T1 - 1/T2) Q) to round-off, for the heat-bath and the Metropolis
 *    rule; with the sequential sweep it fails (why the engine refuses it).
 * 2. Simulated: the model's kernel, 2^19 trajectories; the ML slope lies
 *    within 3 standard errors of 1/T1 - 1/T2, and its error is small enough
 *    that a 2% error of the slope would lie more than 3 errors away.
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
#include "thermolearn/xft.h"
#include "../../src/models/hopfield/hopfield.h"

#define MAXN 8
#define SEED 31337u

static hopfield *make_hopfield(const char *section, char *why, size_t len, int *rc)
{
    char text[2048];
    snprintf(text, sizeof text, "[run]\nmodel = hopfield\ntrajectories = 1000\n\n[hopfield]\n%s", section);
    tl_config cfg;
    *rc = tl_config_parse(&cfg, "test", text, why, len);
    if (*rc) return NULL;
    *rc = tl_config_validate_points(&cfg, why, len);
    if (*rc) {
        tl_config_free(&cfg);
        return NULL;
    }
    tl_point pt;
    tl_config_point(&cfg, 0, &pt);
    hopfield *hf = hopfield_alloc(&pt);
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    return hf;
}

static hopfield *must_make(const char *section)
{
    char why[512];
    int rc;
    hopfield *hf = make_hopfield(section, why, sizeof why, &rc);
    if (rc) print_error("config: %s\n", why);
    assert_int_equal(rc, 0);
    return hf;
}

/* ---- the reference ------------------------------------------------------------ */

typedef struct {
    int n, metropolis;
    double beta1, beta2, W[MAXN][MAXN], I[MAXN]; /* I: input minus threshold */
} ref_model;

static void ref_init(ref_model *r, const hopfield *hf, double gamma, double h, double U, double beta1,
                     double beta2, int metropolis)
{
    int n = hf->n;
    r->n = n;
    r->beta1 = beta1;
    r->beta2 = beta2;
    r->metropolis = metropolis;
    const int8_t *e1 = hf->patterns, *e2 = hf->patterns + n;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) r->W[i][j] = i == j ? 0 : gamma * e1[i] * e1[j] + (1 - gamma) * e2[i] * e2[j];
        r->I[i] = h * e1[i] - U; /* lambda = 0 of interpolate: I = h eps^1 */
    }
}

static double ref_energy(const ref_model *r, uint64_t s)
{
    double e = 0;
    for (int i = 0; i < r->n; i++) {
        double vi = (s >> i) & 1 ? 1 : -1;
        for (int j = 0; j < r->n; j++) e -= 0.5 * r->W[i][j] * vi * ((s >> j) & 1 ? 1 : -1);
        e -= r->I[i] * vi;
    }
    return e;
}

/* Probability that an update of site i flips it in state s. */
static double ref_flip(const ref_model *r, uint64_t s, int i)
{
    double h = r->I[i], vi = (s >> i) & 1 ? 1 : -1;
    for (int j = 0; j < r->n; j++) h += r->W[i][j] * ((s >> j) & 1 ? 1 : -1);
    double x = 2 * r->beta2 * h * vi;
    return r->metropolis ? fmin(1.0, exp(-x)) : 1.0 / (1.0 + exp(x));
}

/* Exact P(Q): J[x0][x] is propagated site update by site update. Returns the
 * largest |ln P(Q)/P(-Q) - dbeta Q| over the Q values that occur. */
static double ref_xft_violation(const ref_model *r, int steps, int palindromic, double *mean_q)
{
    uint64_t count = (uint64_t)1 << r->n;
    double *J = calloc(count * count, sizeof *J), z = 0;
    for (uint64_t s = 0; s < count; s++) z += exp(-r->beta1 * ref_energy(r, s));
    for (uint64_t s = 0; s < count; s++) J[s * count + s] = exp(-r->beta1 * ref_energy(r, s)) / z;
    int updates = palindromic ? 2 * r->n : r->n;
    for (int t = 0; t < steps; t++)
        for (int k = 0; k < updates; k++) {
            int i = k < r->n ? k : 2 * r->n - 1 - k;
            uint64_t bit = (uint64_t)1 << i;
            for (uint64_t x0 = 0; x0 < count; x0++)
                for (uint64_t s = 0; s < count; s++) {
                    if (s & bit) continue;
                    double *a = &J[x0 * count + s], *b = &J[x0 * count + (s | bit)];
                    double out = *a * ref_flip(r, s, i), in = *b * ref_flip(r, s | bit, i);
                    *a += in - out;
                    *b += out - in;
                }
        }
    /* group the (Q, probability) pairs */
    size_t np = count * count, ng = 0;
    double *qv = malloc(np * sizeof *qv), *pv = malloc(np * sizeof *pv);
    *mean_q = 0;
    for (uint64_t x0 = 0; x0 < count; x0++)
        for (uint64_t x = 0; x < count; x++) {
            double q = ref_energy(r, x) - ref_energy(r, x0), p = J[x0 * count + x];
            *mean_q += p * q;
            size_t g = 0;
            while (g < ng && fabs(qv[g] - q) > 1e-9) g++;
            if (g == ng) qv[ng] = q, pv[ng++] = 0;
            pv[g] += p;
        }
    double worst = 0, dbeta = r->beta1 - r->beta2;
    for (size_t g = 0; g < ng; g++) {
        if (qv[g] <= 1e-9 || pv[g] < 1e-300) continue;
        size_t h = 0;
        while (h < ng && fabs(qv[h] + qv[g]) > 1e-9) h++;
        double minus = h < ng ? pv[h] : 0;
        double v = minus > 0 ? fabs(log(pv[g] / minus) - dbeta * qv[g]) : INFINITY;
        worst = fmax(worst, v);
    }
    free(qv), free(pv), free(J);
    return worst;
}

static const char *section_for(char *buf, size_t len, int n, const char *rule, const char *update, int steps)
{
    snprintf(buf, len,
             "n = %d\ntemperature = 5\ntemperature_initial = 15\nprotocol = exchange\ngamma = 0.2\n"
             "field = 2\nthreshold = 0.3\nsteps = %d\nupdate = %s\nrule = %s\npattern_seed = 4\n",
             n, steps, update, rule);
    return buf;
}

/* ---- 1. exact ------------------------------------------------------------------ */

static void exact_case(const char *rule, int metropolis)
{
    char buf[1024];
    hopfield *hf = must_make(section_for(buf, sizeof buf, 4, rule, "palindromic", 2));
    assert_true(fabs(hf->beta_initial - 1.0 / 15) < 1e-15 && fabs(hf->beta - 0.2) < 1e-15);
    ref_model r;
    ref_init(&r, hf, 0.2, 2.0, 0.3, 1.0 / 15, 1.0 / 5, metropolis);
    double mean_q, v = ref_xft_violation(&r, 2, 1, &mean_q);
    print_message("%s palindromic: max |ln P(Q)/P(-Q) - dbeta Q| = %.3g, <Q> = %.4f\n", rule, v, mean_q);
    assert_true(v < 1e-9);
    /* hot to cold: the network gives heat away */
    assert_true(mean_q < 0);
    /* the model's kernel samples that distribution: <Q> within 4 standard errors */
    enum { NB = 64 };
    double w[TL_BATCH], q[TL_BATCH], sum = 0, sum2 = 0;
    for (int k = 0; k < NB; k++) {
        tl_stream_key key = {SEED, 0, 0};
        hopfield_simulate_batch(hf, &key, (uint64_t)k * TL_BATCH, TL_BATCH, w, q, NULL, NULL);
        for (int b = 0; b < TL_BATCH; b++) sum += q[b], sum2 += q[b] * q[b], assert_true(w[b] == 0);
    }
    double n = NB * TL_BATCH, mean = sum / n, se = sqrt((sum2 / n - mean * mean) / n);
    print_message("  simulated <Q> = %.4f +- %.4f\n", mean, se);
    assert_true(fabs(mean - mean_q) < 4 * se);
    hopfield_free(hf);
}

static void test_exact_heat_bath(void **state)
{
    (void)state;
    exact_case("heat_bath", 0);
}

static void test_exact_metropolis(void **state)
{
    (void)state;
    exact_case("metropolis", 1);
}

/* The sequential sweep is not self-adjoint: the XFT fails exactly, and the
 * engine refuses exchange with it. */
static void test_sequential_refused(void **state)
{
    (void)state;
    char buf[1024], why[512];
    int rc;
    hopfield *hf = must_make(section_for(buf, sizeof buf, 4, "heat_bath", "palindromic", 1));
    ref_model r;
    ref_init(&r, hf, 0.2, 2.0, 0.3, 1.0 / 15, 1.0 / 5, 0);
    double mean_q, v = ref_xft_violation(&r, 1, 0, &mean_q);
    print_message("sequential: max |ln P(Q)/P(-Q) - dbeta Q| = %.3g\n", v);
    assert_true(v > 1e-3);
    hopfield_free(hf);
    assert_null(make_hopfield(section_for(buf, sizeof buf, 4, "heat_bath", "sequential", 1), why, sizeof why, &rc));
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(why, "palindromic"));
}

/* ---- 2. the ML slope from simulated trajectories -------------------------------- */

static void slope_case(const char *rule)
{
    char buf[1024];
    hopfield *hf = must_make(section_for(buf, sizeof buf, 8, rule, "palindromic", 3));
    enum { NB = 2048 };
    size_t n = (size_t)NB * TL_BATCH;
    double *q = malloc(n * sizeof *q), w[TL_BATCH];
    for (int k = 0; k < NB; k++) {
        tl_stream_key key = {SEED + 1, 0, 0};
        hopfield_simulate_batch(hf, &key, (uint64_t)k * TL_BATCH, TL_BATCH, w, q + (size_t)k * TL_BATCH, NULL, NULL);
    }
    tl_xft_fit fit;
    assert_int_equal(tl_xft_slope(q, NULL, n, &fit), 0);
    double s = 1.0 / 15 - 1.0 / 5;
    print_message("%s: slope %.5f +- %.5f, predicted %.5f (%.2f errors; 2%% = %.1f errors)\n", rule, fit.slope,
                  fit.err, s, (fit.slope - s) / fit.err, 0.02 * fabs(s) / fit.err);
    assert_true(fabs(fit.slope - s) <= 3 * fit.err);
    /* a 2% error would be detected: 3 errors plus 3 errors of margin fit in 2% */
    assert_true(0.02 * fabs(s) >= 6 * fit.err);
    free(q);
    hopfield_free(hf);
}

static void test_slope_heat_bath(void **state)
{
    (void)state;
    slope_case("heat_bath");
}

static void test_slope_metropolis(void **state)
{
    (void)state;
    slope_case("metropolis");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_heat_bath),
        cmocka_unit_test(test_exact_metropolis),
        cmocka_unit_test(test_sequential_refused),
        cmocka_unit_test(test_slope_heat_bath),
        cmocka_unit_test(test_slope_metropolis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
