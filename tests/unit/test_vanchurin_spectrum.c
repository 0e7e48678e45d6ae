/* Tests of the vanchurin model's spectrum of G = (I - f'w)^T (I - f'w) and of
 * the functions built on it, against exact results:
 *
 * - det G = 1 (sum log lambda = 0) for every layered net, L = 2 .. 6, and the
 *   reduced matrix against the SVD of the full N x N matrix M (same non-unit
 *   eigenvalues, exactly N - n_dyn unit ones); LAPACK against GSL's
 *   Golub-Kahan SVD on the same matrix.
 * - no hidden layer: log lambda = +-2 asinh(s/2) with s the singular values of
 *   f'w (from an eigen-decomposition of (f'w)(f'w)^T by GSL), so the spectrum
 *   is symmetric and C_n = C_{N-n}; with hidden layers it is not.
 * - unit chains: lambda_k = 4 sin^2((2k-1) pi / (4n+2)) and the mu2, mu3 of
 *   the research note.
 * - F, U, -Delta F, log Z: U = -d log Z / d beta, the entropy of eq. 7.1 done
 *   right (beta^2 dF/dbeta = beta U + log Z), the Laplacian of eq. 8.10.
 * - eq. 9.3: its stationary points against 2 log((1-beta)/beta) for gamma =
 *   1/3, eq. 9.4 against them, the phase boundaries gamma^{-1/2} - 1 and
 *   sqrt(N) - 1, and the beta values of section 10 by both inversions.
 * - eq. 9.8: log G of a 2 x 2 net has a parity-even part.
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
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_vector.h>

#include "../../src/models/vanchurin/vanchurin.h"

static gsl_rng *rng;

static vanchurin_net *random_net(size_t layers, const size_t *width, double scale)
{
    vanchurin_net *net = vanchurin_net_alloc(layers, width);
    for (size_t p = 0; p < net->n_params; p++) net->params[p] = scale * (2 * gsl_rng_uniform(rng) - 1);
    return net;
}

static double *random_fprime(const vanchurin_net *net)
{
    double *f = malloc(net->neurons * sizeof(double));
    for (size_t i = 0; i < net->neurons; i++) f[i] = i < net->width[0] ? 1.0 : 0.05 + 0.95 * gsl_rng_uniform(rng);
    return f;
}

static double *unit_fprime(const vanchurin_net *net)
{
    double *f = malloc(net->neurons * sizeof(double));
    for (size_t i = 0; i < net->neurons; i++) f[i] = 1.0;
    return f;
}

/* The dynamical log spectrum (descending) of net with f'. */
static double *spectrum(const vanchurin_net *net, const double *fp, size_t *n)
{
    *n = vanchurin_n_dynamical(net);
    double *u = malloc(*n * sizeof(double));
    assert_int_equal(vanchurin_log_spectrum(net, fp, u), 0);
    return u;
}

static void test_det_one_and_reduction(void **state)
{
    static const size_t shapes[][7] = {
        {2, 7, 3},         {3, 9, 4, 2},       {3, 3, 6, 2}, /* n_0 < n_1: no reduction */
        {4, 12, 5, 4, 3},  {5, 8, 6, 5, 4, 3}, {6, 10, 3, 7, 2, 5, 4}, {3, 30, 12, 10},
        /* layers wider than their neighbours together: exact unit eigenvalues beyond the inputs */
        {3, 5, 3, 4},      {4, 3, 2, 9, 2},    {5, 4, 2, 6, 1, 8}, {2, 3, 7}, {3, 2, 5, 2},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int rep = 0; rep < 5; rep++) {
            const double scale = 0.5 + rep;
            vanchurin_net *net = random_net(shapes[s][0], shapes[s] + 1, scale);
            double *fp = random_fprime(net);
            size_t n;
            double *u = spectrum(net, fp, &n);
            double sum = 0;
            size_t nonunit = 0;
            for (size_t i = 0; i < n; i++) sum += u[i], nonunit += fabs(u[i]) > 1e-9;
            assert_int_equal(nonunit, vanchurin_n_nonunit(net->layers, net->width));
            assert_close(sum, 0.0, 1e-12 * (double)n);
            /* the full matrix: its singular values are those of M_red and N - n_dyn ones */
            const size_t big = net->neurons;
            double *m = malloc(big * big * sizeof(double)), *sv = malloc(big * sizeof(double));
            vanchurin_full_matrix(net, fp, m);
            assert_int_equal(vanchurin_singular_values(m, big, sv), 0);
            /* both sorted descending: the full list is the reduced one with big - n zeros merged in */
            size_t unit = 0, j = 0;
            for (size_t i = 0; i < big; i++) {
                const double v = 2 * log(sv[i]);
                if (j < n && fabs(v - u[j]) < 1e-9) {
                    assert_close(v, u[j], 1e-11);
                    j++;
                } else {
                    assert_close(v, 0.0, 1e-11);
                    unit++;
                }
            }
            assert_int_equal(unit, big - n);
            assert_int_equal(j, n);
            /* LAPACK's dgesdd against GSL's Golub-Kahan SVD of the same M_red */
            double *red = malloc(n * n * sizeof(double));
            assert_int_equal(vanchurin_reduced_matrix(net, fp, red), 0);
            gsl_matrix_view a = gsl_matrix_view_array(red, n, n);
            gsl_matrix *v = gsl_matrix_alloc(n, n);
            gsl_vector *sg = gsl_vector_alloc(n), *work = gsl_vector_alloc(n);
            assert_int_equal(gsl_linalg_SV_decomp(&a.matrix, v, sg, work), 0);
            for (size_t i = 0; i < n; i++) assert_close(2 * log(gsl_vector_get(sg, i)), u[i], 1e-11);
            gsl_matrix_free(v);
            gsl_vector_free(sg);
            gsl_vector_free(work);
            free(red);
            free(m);
            free(sv);
            free(u);
            free(fp);
            vanchurin_net_free(net);
        }
}

/* Singular values of B = D W (rows x cols) from GSL's symmetric eigensolver on B B^T, descending. */
static void singular_values_by_gsl(const vanchurin_net *net, const double *fp, double *s)
{
    const size_t rows = net->width[1], cols = net->width[0];
    gsl_matrix *bbt = gsl_matrix_calloc(rows, rows);
    for (size_t i = 0; i < rows; i++)
        for (size_t k = 0; k < rows; k++) {
            double sum = 0;
            for (size_t j = 0; j < cols; j++)
                sum += fp[cols + i] * net->w[1][i * cols + j] * fp[cols + k] * net->w[1][k * cols + j];
            gsl_matrix_set(bbt, i, k, sum);
        }
    gsl_vector *ev = gsl_vector_alloc(rows);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(rows);
    gsl_eigen_symm(bbt, ev, w);
    gsl_sort_vector(ev);
    for (size_t i = 0; i < rows; i++) s[i] = sqrt(fmax(gsl_vector_get(ev, rows - 1 - i), 0));
    gsl_eigen_symm_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(bbt);
}

static void test_no_hidden_layer_closed_form(void **state)
{
    const size_t shapes[][2] = {{7, 3}, {12, 5}, {4, 4}, {50, 10}};
    for (size_t s = 0; s < 4; s++) {
        vanchurin_net *net = random_net(2, shapes[s], 1.5);
        double *fp = random_fprime(net);
        size_t n;
        double *u = spectrum(net, fp, &n);
        const size_t r = shapes[s][1];
        double sv[16];
        singular_values_by_gsl(net, fp, sv);
        /* n_dyn = 2 r: +2 asinh(s/2) from the top, -2 asinh(s/2) from the bottom */
        assert_int_equal(n, 2 * r);
        for (size_t k = 0; k < r; k++) {
            assert_close(u[k], 2 * asinh(sv[k] / 2), 1e-12);
            assert_close(u[n - 1 - k], -2 * asinh(sv[k] / 2), 1e-12);
        }
        vanchurin_spectrum sp = {net->neurons, n, u};
        assert_close(vanchurin_trace_power(&sp, 3), 0.0, 1e-12);
        assert_close(vanchurin_trace_power(&sp, 5), 0.0, 1e-11);
        for (size_t c = 1; c <= n; c++)
            assert_close(vanchurin_complexity_top(&sp, c), vanchurin_complexity_rest(&sp, c), 1e-11);
        free(u);
        free(fp);
        vanchurin_net_free(net);
    }
}

/* With a hidden layer the odd traces do not vanish: |mu3| / mu2^{3/2} above 1e-3 (research note: 0.03 - 0.2). */
static void test_hidden_layers_not_symmetric(void **state)
{
    const size_t shapes[][5] = {{3, 6, 4, 3}, {4, 6, 4, 3, 2}, {3, 10, 8, 5}};
    for (size_t s = 0; s < 3; s++)
        for (int rep = 0; rep < 10; rep++) {
            vanchurin_net *net = random_net(shapes[s][0], shapes[s] + 1, 1.0);
            double *fp = random_fprime(net);
            size_t n;
            double *u = spectrum(net, fp, &n);
            vanchurin_spectrum sp = {net->neurons, n, u};
            const double mu2 = vanchurin_trace_power(&sp, 2), mu3 = vanchurin_trace_power(&sp, 3);
            assert_true(fabs(mu3) / pow(mu2, 1.5) > 1e-3);
            assert_true(mu3 < 0); /* layered nets: mu3 <= 0 in every case tried (note, identity 10) */
            free(u);
            free(fp);
            vanchurin_net_free(net);
        }
}

/* A chain of n neurons, w = 1, f' = 1. */
static void test_unit_chains(void **state)
{
    const double mu[][3] = {{2, 1.852518564618, 0},
                            {3, 4.203637456981, -2.525450539456},
                            {5, 9.526566673409, -12.424332486642},
                            {8, 18.187771169605, -34.237944968147}};
    for (int c = 0; c < 4; c++) {
        const size_t n = (size_t)mu[c][0];
        size_t width[16];
        for (size_t l = 0; l < n; l++) width[l] = 1;
        vanchurin_net *net = vanchurin_net_alloc(n, width);
        for (size_t l = 1; l < n; l++) net->w[l][0] = 1.0;
        double *fp = unit_fprime(net);
        size_t nd;
        double *u = spectrum(net, fp, &nd);
        assert_int_equal(nd, n);
        /* descending u: k = 1 .. n gives ascending lambda_k */
        for (size_t k = 1; k <= n; k++) {
            const double s = sin((2.0 * k - 1) * M_PI / (4.0 * n + 2));
            assert_close(u[n - k], log(4 * s * s), 1e-13);
        }
        vanchurin_spectrum sp = {n, nd, u};
        assert_close(vanchurin_trace_power(&sp, 2), mu[c][1], 1e-11);
        assert_close(vanchurin_trace_power(&sp, 3), mu[c][2], 1e-11);
        free(u);
        free(fp);
        vanchurin_net_free(net);
    }
}

/* A fixed spectrum: N = 9, five dynamical values summing to 0. */
static const double some_u[5] = {2.1, 0.7, -0.3, -1.0, -1.5};
static const vanchurin_spectrum some = {9, 5, some_u};

static void test_functionals(void **state)
{
    const double betas[] = {0.25, 0.7, 1.0, 3.0};
    for (int b = 0; b < 4; b++) {
        const double beta = betas[b], h = 1e-5 * beta;
        /* U = -d log Z / d beta (6.1) */
        const double dlogz = (vanchurin_log_z(&some, beta + h) - vanchurin_log_z(&some, beta - h)) / (2 * h);
        assert_close(vanchurin_model_loss(&some, beta), -dlogz, 1e-8);
        /* eq. 7.1 done right: S = beta^2 dF/dbeta = beta U + log Z */
        const double df = (vanchurin_free_energy(&some, beta + h) - vanchurin_free_energy(&some, beta - h)) / (2 * h);
        const double entropy = beta * vanchurin_model_loss(&some, beta) + vanchurin_log_z(&some, beta);
        assert_close(beta * beta * df, entropy, 1e-7);
        /* the printed 7.1, -beta dZ/dbeta + Z, is another quantity */
        const double z = exp(vanchurin_log_z(&some, beta));
        const double dz = (exp(vanchurin_log_z(&some, beta + h)) - exp(vanchurin_log_z(&some, beta - h))) / (2 * h);
        assert_true(fabs(-beta * dz + z - entropy) > 1.0);
        /* eq. 8.10: the Laplacian of F over the lambda_i is -(beta/2) sum (1 + beta lambda)^-2 */
        double lap = 0;
        for (size_t i = 0; i < some.n_dyn; i++) {
            double up[5], dn[5];
            memcpy(up, some_u, sizeof up);
            memcpy(dn, some_u, sizeof dn);
            const double lambda = exp(some_u[i]), dl = 1e-4 * lambda;
            up[i] = log(lambda + dl);
            dn[i] = log(lambda - dl);
            vanchurin_spectrum a = {9, 5, up}, c = {9, 5, dn};
            lap += (vanchurin_free_energy(&a, beta) - 2 * vanchurin_free_energy(&some, beta) +
                    vanchurin_free_energy(&c, beta)) / (dl * dl);
        }
        /* the four unit eigenvalues: their second derivative in closed form */
        lap += 4 * (-0.5 * beta / ((1 + beta) * (1 + beta)));
        assert_close(lap, -vanchurin_laplacian(&some, beta), 1e-5);
        /* beta from the loss inverts U_model */
        assert_close(vanchurin_beta_loss(&some, vanchurin_model_loss(&some, beta)), beta, 1e-10 * beta);
    }
    /* complexities: C_n from the top, C_{N-n} = (N/2) log 2pi + 1/2 sum of the n smallest (det = 1) */
    const double c0 = 4.5 * log(2 * M_PI);
    assert_close(vanchurin_complexity_top(&some, 2), c0 - 0.5 * (2.1 + 0.7), 1e-14);
    assert_close(vanchurin_complexity_top(&some, 5), c0 - 0.5 * (2.1 + 0.7), 1e-14); /* then zeros */
    assert_close(vanchurin_complexity_rest(&some, 2), c0 + 0.5 * (-1.5 - 1.0), 1e-14);
    /* N_> and C(beta) at beta = 2 (cut log 0.5): the unit eigenvalues count */
    assert_int_equal(vanchurin_n_large(&some, 2.0, 1.0), 4 + 3);
    assert_int_equal(vanchurin_n_large(&some, 0.5, 1.0), 2);
    assert_close(vanchurin_complexity_beta(&some, 2.0, 1.0), c0 - 0.5 * (2.1 + 0.7 - 0.3), 1e-14);
    /* U_model(1) = N/4 for a log-symmetric spectrum */
    const double sym_u[4] = {1.3, 0.4, -0.4, -1.3};
    vanchurin_spectrum sym = {7, 4, sym_u};
    assert_close(vanchurin_model_loss(&sym, 1.0), 7.0 / 4, 1e-14);
    /* the gap: widest spacing among the negative values, -1.0 .. -0.3 is 0.7 > 0.5 */
    assert_close(vanchurin_gap(&some), -0.65, 1e-15);
}

static void test_eq93(void **state)
{
    const double gamma = 1.0 / 3, n = 854;
    /* gamma = 1/3: the stationary point u != 0 is 2 log((1-beta)/beta), for beta < 1 only */
    const double betas[] = {0.25, 0.6, 0.73, 0.9};
    for (int b = 0; b < 4; b++) {
        double u[4];
        assert_int_equal(vanchurin_eq93_stationary(betas[b], gamma, -40, 40, u, 4), 1);
        assert_close(u[0], 2 * log((1 - betas[b]) / betas[b]), 1e-9);
        assert_close(vanchurin_beta_stationary(u[0], gamma), betas[b], 1e-12);
        /* eq. 9.4 is not that point */
        assert_true(fabs(3 * log(-0.5 + sqrt(0.25 + 1 / betas[b])) - u[0]) > 0.2);
    }
    assert_close(vanchurin_eq93_stationary(0.25, gamma, -40, 40, (double[4]){0}, 4), 1, 0);
    double u[4];
    assert_int_equal(vanchurin_eq93_stationary(1.0, gamma, -40, 40, u, 4), 0);
    assert_int_equal(vanchurin_eq93_stationary(1.5, gamma, -40, 40, u, 4), 0);
    /* the note's values: -Delta F at u = 0 and the plateau at -infinity for beta = 0.25 */
    assert_close(vanchurin_eq93(0, 0.25, gamma, n), 68.32, 0.005);
    assert_close(vanchurin_eq93(-200, 0.25, gamma, n), 35.58, 0.005);
    /* eq. 9.4 and 9.3 agree only at beta = 1/2 (both 0) */
    assert_close(vanchurin_beta_eq94(0), 0.5, 1e-15);
    assert_close(vanchurin_beta_stationary(0, gamma), 0.5, 1e-15);
    /* phase boundary: the plateau N beta gamma / 2 meets -Delta F(0) at beta = gamma^{-1/2} - 1
     * (0.732 for gamma = 1/3); sqrt(N) - 1 is the same boundary for gamma = 1/N */
    const double gammas[2] = {gamma, 1 / n}, bounds[2] = {1 / sqrt(gamma) - 1, sqrt(n) - 1};
    for (int g = 0; g < 2; g++) {
        const double bb = bounds[g];
        assert_close(vanchurin_eq93(-1e5, bb, gammas[g], n), vanchurin_eq93(0, bb, gammas[g], n), 1e-9);
        assert_true(vanchurin_eq93(-1e5, 0.9 * bb, gammas[g], n) < vanchurin_eq93(0, 0.9 * bb, gammas[g], n));
        assert_true(vanchurin_eq93(-1e5, 1.1 * bb, gammas[g], n) > vanchurin_eq93(0, 1.1 * bb, gammas[g], n));
    }
    /* section 10: gaps -2.3, -2.5, -3.0 quoted with beta = 1.37, 1.40, 1.47 */
    const double gaps[3] = {-2.3, -2.5, -3.0}, paper[3] = {1.37, 1.40, 1.47};
    const double eq94[3] = {1.470, 1.604, 1.987}, eq93[3] = {0.7595, 0.7773, 0.8176};
    for (int i = 0; i < 3; i++) {
        assert_close(vanchurin_beta_eq94(gaps[i]), eq94[i], 5e-4);
        assert_close(vanchurin_beta_stationary(gaps[i], gamma), eq93[i], 5e-5);
        assert_true(fabs(vanchurin_beta_eq94(gaps[i]) - paper[i]) > 0.09);
        assert_true(fabs(vanchurin_beta_stationary(gaps[i], gamma) - paper[i]) > 0.5);
    }
}

/* Eq. 9.8 makes log G parity-odd (zero diagonal blocks); for A = [[0,0],[1,0]] it is not. */
static void test_eq98_log_g_has_even_part(void **state)
{
    const size_t width[2] = {1, 1};
    vanchurin_net *net = vanchurin_net_alloc(2, width);
    net->w[1][0] = 1.0;
    double *fp = unit_fprime(net), m[4];
    vanchurin_full_matrix(net, fp, m);
    /* G = M^T M, log G = V diag(log lambda) V^T */
    gsl_matrix *g = gsl_matrix_alloc(2, 2), *v = gsl_matrix_alloc(2, 2);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) gsl_matrix_set(g, i, j, m[0 * 2 + i] * m[0 * 2 + j] + m[1 * 2 + i] * m[1 * 2 + j]);
    gsl_vector *ev = gsl_vector_alloc(2);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(2);
    gsl_eigen_symmv(g, ev, v, w);
    double logg[2][2] = {{0}};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++)
                logg[i][j] += gsl_matrix_get(v, i, k) * log(gsl_vector_get(ev, k)) * gsl_matrix_get(v, j, k);
    assert_close(logg[0][0], 0.4304, 5e-5);
    assert_close(logg[1][1], -0.4304, 5e-5);
    assert_close(logg[0][1], -0.8608, 5e-5);
    /* its parity-even part (P log G P + log G)/2, P = diag(1, -1), is the diagonal: not zero */
    assert_true(fabs(logg[0][0]) > 0.4);
    gsl_eigen_symmv_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(g);
    gsl_matrix_free(v);
    free(fp);
    vanchurin_net_free(net);
}

/* f' at the mean state against a direct evaluation; the unit f' gives the linear net. */
static void test_fprime_mean_state(void **state)
{
    const size_t width[3] = {4, 3, 2};
    vanchurin_net *net = random_net(3, width, 1.0);
    double mean[9], fp[9];
    for (int i = 0; i < 9; i++) mean[i] = 2 * gsl_rng_uniform(rng) - 1;
    vanchurin_fprime_mean_state(net, mean, fp);
    for (int i = 0; i < 3; i++) {
        double z = net->b[1][i];
        for (int j = 0; j < 4; j++) z += net->w[1][i * 4 + j] * mean[j];
        assert_close(fp[4 + i], 1 / (cosh(z) * cosh(z)), 1e-15);
    }
    for (int i = 0; i < 2; i++) {
        double z = net->b[2][i];
        for (int j = 0; j < 3; j++) z += net->w[2][i * 3 + j] * mean[4 + j];
        assert_close(fp[7 + i], 1 / (cosh(z) * cosh(z)), 1e-15);
    }
    vanchurin_net_free(net);
}

int main(void)
{
    vanchurin_blas_init();
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 14);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_det_one_and_reduction),
        cmocka_unit_test(test_no_hidden_layer_closed_form),
        cmocka_unit_test(test_hidden_layers_not_symmetric),
        cmocka_unit_test(test_unit_chains),
        cmocka_unit_test(test_functionals),
        cmocka_unit_test(test_eq93),
        cmocka_unit_test(test_eq98_log_g_has_even_part),
        cmocka_unit_test(test_fprime_mean_state),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gsl_rng_free(rng);
    return rc;
}
