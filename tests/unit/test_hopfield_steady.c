/* Steady state and entropy production of the Hopfield network with
 * asymmetric couplings (protocol = steady).
 *
 * 1. Exact: a reference here builds the full sweep matrix K = K_N ... K_1
 *    (2^n x 2^n, in double, from the INI parameters and the model's
 *    patterns), solves pi K = pi with GSL's LU, and sums Schnakenberg's
 *    formula update by update.  The model's power iteration must agree to
 *    1e-9, for both sweeps and both update rules; so must the housekeeping
 *    term of eq. 17 between the two pattern states (zero at a = 0).
 * 2. Trajectories: from exact draws of pi, the mean medium entropy per sweep
 *    lies within 3 standard errors of the exact rate at a != 0 (N = 8),
 *    where the rate is many standard errors away from zero, and within 3
 *    standard errors of zero at a = 0 (where it is exactly 0).
 * 3. In the steady state <Q> = 0 (the energy is stationary): within 3 errors.
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
#include <gsl/gsl_linalg.h>

#include "thermolearn/config.h"
#include "hopfield_fixture.h"

#define MAXN 8
#define SEED 4242u


/* ---- the reference ---------------------------------------------------------------- */

typedef struct {
    int n, metropolis, palindromic;
    double beta, W[MAXN][MAXN], I[MAXN];
    uint64_t e1, e2; /* the pattern states */
} ref_model;

static void ref_init(ref_model *r, const hopfield *hf, double gamma, double a, double h, double U, double beta,
                     int metropolis, int palindromic)
{
    int n = hf->n;
    const int8_t *e1 = hf->patterns, *e2 = hf->patterns + n;
    r->n = n, r->beta = beta, r->metropolis = metropolis, r->palindromic = palindromic;
    r->e1 = r->e2 = 0;
    for (int i = 0; i < n; i++) r->e1 |= (uint64_t)(e1[i] > 0) << i, r->e2 |= (uint64_t)(e2[i] > 0) << i;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++)
            r->W[i][j] = i == j ? 0 : gamma * e1[i] * e1[j] + (1 - gamma) * e2[i] * e2[j] + a * e1[i] * e2[j];
        r->I[i] = h * e1[i] - U;
    }
}

/* Single-site kernel of site i as a full matrix. */
static void site_matrix(const ref_model *r, int i, double *K)
{
    uint64_t count = (uint64_t)1 << r->n;
    memset(K, 0, count * count * sizeof *K);
    for (uint64_t s = 0; s < count; s++) {
        double h = r->I[i], v = (s >> i) & 1 ? 1 : -1;
        for (int j = 0; j < r->n; j++) h += r->W[i][j] * ((s >> j) & 1 ? 1 : -1);
        double x = 2 * r->beta * h * v, f = r->metropolis ? fmin(1, exp(-x)) : 1 / (1 + exp(x));
        K[s * count + (s ^ ((uint64_t)1 << i))] = f;
        K[s * count + s] = 1 - f;
    }
}

static void matmul(const double *A, const double *B, double *C, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        for (uint64_t j = 0; j < n; j++) {
            double c = 0;
            for (uint64_t k = 0; k < n; k++) c += A[i * n + k] * B[k * n + j];
            C[i * n + j] = c;
        }
}

/* pi by LU (pi (K - 1) = 0, one equation replaced by sum pi = 1), then the
 * entropy production per sweep, update by update. */
static double ref_entropy_production(const ref_model *r, double *pi, double *hk)
{
    uint64_t c = (uint64_t)1 << r->n;
    int updates = r->palindromic ? 2 * r->n : r->n;
    double **Ks = malloc((size_t)updates * sizeof *Ks), *T = malloc(c * c * sizeof *T), *tmp = malloc(c * c * sizeof *tmp);
    for (uint64_t k = 0; k < c * c; k++) T[k] = k % (c + 1) == 0;
    for (int k = 0; k < updates; k++) {
        int i = k < r->n ? k : 2 * r->n - 1 - k;
        Ks[k] = malloc(c * c * sizeof **Ks);
        site_matrix(r, i, Ks[k]);
        matmul(T, Ks[k], tmp, c); /* row vectors: p -> p K_1 K_2 ... */
        memcpy(T, tmp, c * c * sizeof *T);
    }
    gsl_matrix *A = gsl_matrix_alloc(c, c);
    gsl_vector *b = gsl_vector_calloc(c), *x = gsl_vector_alloc(c);
    for (uint64_t i = 0; i < c; i++)
        for (uint64_t j = 0; j < c; j++) gsl_matrix_set(A, i, j, T[j * c + i] - (i == j)); /* (K^T - 1) pi = 0 */
    for (uint64_t j = 0; j < c; j++) gsl_matrix_set(A, 0, j, 1.0);
    gsl_vector_set(b, 0, 1.0);
    gsl_permutation *perm = gsl_permutation_alloc(c);
    int sign;
    gsl_linalg_LU_decomp(A, perm, &sign);
    gsl_linalg_LU_solve(A, perm, b, x);
    for (uint64_t s = 0; s < c; s++) pi[s] = gsl_vector_get(x, s);
    /* eq. 17 with the adjoint sweep (sites in the opposite order) for the way back */
    double *Ta = malloc(c * c * sizeof *Ta);
    for (uint64_t k = 0; k < c * c; k++) Ta[k] = k % (c + 1) == 0;
    for (int k = updates - 1; k >= 0; k--) {
        matmul(Ta, Ks[k], tmp, c);
        memcpy(Ta, tmp, c * c * sizeof *Ta);
    }
    *hk = log(pi[r->e1] * T[r->e1 * c + r->e2] / (pi[r->e2] * Ta[r->e2 * c + r->e1]));
    free(Ta);
    /* Schnakenberg, update by update: sum p(x) K(x,y) ln [p(x) K(x,y) / (p'(y) K(y,x))] */
    double *p = malloc(c * sizeof *p), *q = malloc(c * sizeof *q), sigma = 0;
    memcpy(p, pi, c * sizeof *p);
    for (int k = 0; k < updates; k++) {
        for (uint64_t y = 0; y < c; y++) {
            q[y] = 0;
            for (uint64_t s = 0; s < c; s++) q[y] += p[s] * Ks[k][s * c + y];
        }
        for (uint64_t s = 0; s < c; s++)
            for (uint64_t y = 0; y < c; y++) {
                double f = p[s] * Ks[k][s * c + y], g = q[y] * Ks[k][y * c + s];
                if (f > 0) sigma += f * log(f / g);
            }
        memcpy(p, q, c * sizeof *p);
        free(Ks[k]);
    }
    gsl_permutation_free(perm);
    gsl_matrix_free(A);
    gsl_vector_free(b), gsl_vector_free(x);
    free(Ks), free(T), free(tmp), free(p), free(q);
    return sigma;
}

static const char *section_for(char *buf, size_t len, int n, double a, const char *update, const char *rule, int steps)
{
    snprintf(buf, len,
             "n = %d\ntemperature = 1.5\nprotocol = steady\ngamma = 0.3\nasymmetry = %g\nfield = 0.5\n"
             "threshold = 0.1\nsteps = %d\nupdate = %s\nrule = %s\npattern_seed = 6\n",
             n, a, steps, update, rule);
    return buf;
}

/* ---- 1. exact -------------------------------------------------------------------------- */

static void exact_case(double a, const char *update, const char *rule)
{
    char buf[1024];
    hopfield *hf = make_hopfield(section_for(buf, sizeof buf, 5, a, update, rule, 1));
    ref_model r;
    ref_init(&r, hf, 0.3, a, 0.5, 0.1, 1 / 1.5, strcmp(rule, "metropolis") == 0, strcmp(update, "palindromic") == 0);
    double pi[32], hk, sigma = ref_entropy_production(&r, pi, &hk);
    print_message("a = %g %s %s: EP exact %.12f, model %.12f (%lld sweeps)\n", a, update, rule, sigma,
                  hf->entropy_production, (long long)hf->steady_sweeps);
    assert_true(hf->steady_sweeps > 0);
    assert_true(fabs(hf->entropy_production - sigma) < 1e-9);
    print_message("  eq. 17: exact %.10f, model %.10f\n", hk, hf->housekeeping);
    assert_true(fabs(hf->housekeeping - hk) < 1e-7 * (1 + fabs(hk)));
    for (uint64_t s = 0; s < 32; s++) {
        double p = hf->cdf[0][s] - (s ? hf->cdf[0][s - 1] : 0);
        assert_true(fabs(p - pi[s]) < 1e-10);
    }
    if (a == 0) assert_true(fabs(sigma) < 1e-12 && fabs(hk) < 1e-9);
    else assert_true(sigma > 1e-3 && fabs(hk) > 1e-3);
    hopfield_free(hf);
}

static void test_exact(void **state)
{
    (void)state;
    exact_case(0.8, "sequential", "heat_bath");
    exact_case(0.8, "palindromic", "heat_bath");
    exact_case(-0.5, "sequential", "metropolis");
    exact_case(0.0, "sequential", "heat_bath");
    exact_case(0.0, "palindromic", "metropolis");
}

/* ---- 2, 3. trajectories ------------------------------------------------------------------ */

static void trajectory_case(double a, const char *rule)
{
    char buf[1024];
    const int steps = 4;
    hopfield *hf = make_hopfield(section_for(buf, sizeof buf, 8, a, "sequential", rule, steps));
    enum { NB = 256 };
    double w[TL_BATCH], q[TL_BATCH], e[TL_BATCH], se = 0, se2 = 0, sq = 0, sq2 = 0, worst = 0;
    for (int k = 0; k < NB; k++) {
        tl_stream_key key = {SEED, 0, 0};
        hopfield_simulate_batch_entropy(hf, &key, (uint64_t)k * TL_BATCH, TL_BATCH, w, q, e, NULL, NULL);
        for (int b = 0; b < TL_BATCH; b++) {
            se += e[b], se2 += e[b] * e[b], sq += q[b], sq2 += q[b] * q[b];
            /* a = 0: the medium entropy is -beta Q, trajectory by trajectory */
            if (a == 0) worst = fmax(worst, fabs(e[b] + hf->beta * q[b]));
        }
    }
    double n = NB * TL_BATCH, rate = se / n / steps, err = sqrt((se2 / n - (se / n) * (se / n)) / n) / steps;
    double mq = sq / n, eq = sqrt((sq2 / n - mq * mq) / n);
    print_message("a = %g %s: EP per sweep %.5f +- %.5f, exact %.5f (%.1f errors from 0); <Q> = %.4f +- %.4f\n", a,
                  rule, rate, err, hf->entropy_production, hf->entropy_production / err, mq, eq);
    assert_true(fabs(rate - hf->entropy_production) <= 3 * err);
    assert_true(fabs(mq) <= 3 * eq);
    if (a == 0) {
        assert_true(fabs(hf->entropy_production) < 1e-12);
        assert_true(worst < 1e-12);
    } else {
        /* a zero or halved estimate would fail */
        assert_true(hf->entropy_production > 12 * err);
    }
    hopfield_free(hf);
}

static void test_trajectories_asymmetric(void **state)
{
    (void)state;
    trajectory_case(0.8, "heat_bath");
    trajectory_case(0.6, "metropolis");
}

static void test_trajectories_symmetric(void **state)
{
    (void)state;
    trajectory_case(0.0, "heat_bath");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_trajectories_asymmetric),
        cmocka_unit_test(test_trajectories_symmetric),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
