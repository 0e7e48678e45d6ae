/* The linear (Ornstein-Uhlenbeck) system of appendix D:
 * ds = (W s + x) dt + sigma dB, D = sigma^2/2 I. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "spins.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

/* (I (x) W + W (x) I) vec C = -sigma^2 vec I, row-major vec: C_ab at a*n + b. */
int spins_ou_lyapunov(int n, const double *w, double sigma, double *c)
{
    size_t m = (size_t)n * n;
    gsl_matrix *a = gsl_matrix_calloc(m, m);
    gsl_vector *rhs = gsl_vector_calloc(m);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            /* (W C)_ij = sum_k W_ik C_kj; (C W^T)_ij = sum_k C_ik W_jk */
            for (int k = 0; k < n; k++) {
                *gsl_matrix_ptr(a, i * n + j, k * n + j) += w[i * n + k];
                *gsl_matrix_ptr(a, i * n + j, i * n + k) += w[j * n + k];
            }
            if (i == j) gsl_vector_set(rhs, i * n + j, -sigma * sigma);
        }
    gsl_permutation *perm = gsl_permutation_alloc(m);
    gsl_vector_view x = gsl_vector_view_array(c, m);
    int sign, status = gsl_linalg_LU_decomp(a, perm, &sign) || gsl_linalg_LU_solve(a, perm, rhs, &x.vector);
    gsl_permutation_free(perm);
    gsl_vector_free(rhs);
    gsl_matrix_free(a);
    return status ? TL_ERR_NUMERIC : TL_OK;
}

double spins_ou_entropy_rate(int n, const double *w, double sigma)
{
    double *c = tl_malloc((size_t)n * n * sizeof *c, "covariance");
    if (spins_ou_lyapunov(n, w, sigma, c)) {
        free(c);
        return NAN;
    }
    gsl_matrix_view cv = gsl_matrix_view_array(c, n, n);
    gsl_matrix *ci = gsl_matrix_alloc(n, n), *b = gsl_matrix_alloc(n, n), *bc = gsl_matrix_alloc(n, n);
    gsl_matrix *lu = gsl_matrix_alloc(n, n);
    gsl_matrix_memcpy(lu, &cv.matrix);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    int sign;
    gsl_linalg_LU_decomp(lu, perm, &sign);
    gsl_linalg_LU_invert(lu, perm, ci);
    double d = 0.5 * sigma * sigma;
    /* B = W + D C^-1: the mean local velocity is B (s - m) */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) gsl_matrix_set(b, i, j, w[i * n + j] + d * gsl_matrix_get(ci, i, j));
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, b, &cv.matrix, 0.0, bc);
    double rate = 0; /* tr(B^T B C) / D */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) rate += gsl_matrix_get(b, i, j) * gsl_matrix_get(bc, i, j);
    gsl_matrix_free(ci), gsl_matrix_free(b), gsl_matrix_free(bc), gsl_matrix_free(lu);
    gsl_permutation_free(perm);
    free(c);
    return rate / d;
}

/* y = L z for the lower Cholesky factor in l. */
static void correlate(const gsl_matrix *l, const double z[2], double y[2])
{
    y[0] = gsl_matrix_get(l, 0, 0) * z[0];
    y[1] = gsl_matrix_get(l, 1, 0) * z[0] + gsl_matrix_get(l, 1, 1) * z[1];
}

double spins_ou_trajectory(const double w[4], const double x[2], double sigma, double dt, long steps,
                           const tl_stream_key *key, uint64_t trajectory, double c_avg[4])
{
    double c[4];
    if (spins_ou_lyapunov(2, w, sigma, c)) error("OU: no stationary covariance");
    /* Exact transition: y' = e^{W dt} y + eta, cov(eta) = C - e^{W dt} C e^{W^T dt}, y = s - m. */
    gsl_matrix_const_view wv = gsl_matrix_const_view_array(w, 2, 2);
    gsl_matrix *e = gsl_matrix_alloc(2, 2), *wdt = gsl_matrix_alloc(2, 2), *q = gsl_matrix_alloc(2, 2);
    gsl_matrix *lc = gsl_matrix_alloc(2, 2), *tmp = gsl_matrix_alloc(2, 2);
    gsl_matrix_memcpy(wdt, &wv.matrix);
    gsl_matrix_scale(wdt, dt);
    gsl_linalg_exponential_ss(wdt, e, GSL_PREC_DOUBLE);
    gsl_matrix_const_view cv = gsl_matrix_const_view_array(c, 2, 2);
    gsl_matrix_memcpy(lc, &cv.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, e, &cv.matrix, 0.0, tmp);
    gsl_matrix_memcpy(q, &cv.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, tmp, e, 1.0, q);
    gsl_linalg_cholesky_decomp1(lc);
    gsl_linalg_cholesky_decomp1(q);
    double det = w[0] * w[3] - w[1] * w[2];
    double m[2] = {-(w[3] * x[0] - w[1] * x[1]) / det, -(-w[2] * x[0] + w[0] * x[1]) / det};
    gsl_rng *r = tl_stream_gsl_alloc(key, TL_PURPOSE_DYNAMICS, trajectory);
    double z[2] = {gsl_ran_gaussian_ziggurat(r, 1.0), gsl_ran_gaussian_ziggurat(r, 1.0)}, y[2], eta[2];
    correlate(lc, z, y);
    double sigma_total = 0, inv_d = 2.0 / (sigma * sigma);
    memset(c_avg, 0, 4 * sizeof *c_avg);
    for (long t = 0; t < steps; t++) {
        z[0] = gsl_ran_gaussian_ziggurat(r, 1.0), z[1] = gsl_ran_gaussian_ziggurat(r, 1.0);
        correlate(q, z, eta);
        double next[2] = {gsl_matrix_get(e, 0, 0) * y[0] + gsl_matrix_get(e, 0, 1) * y[1] + eta[0],
                          gsl_matrix_get(e, 1, 0) * y[0] + gsl_matrix_get(e, 1, 1) * y[1] + eta[1]};
        /* Stratonovich D^-1 F(s_mid) . ds with F(s) = W s + x = W y */
        double mid[2] = {0.5 * (y[0] + next[0]), 0.5 * (y[1] + next[1])};
        double f0 = w[0] * mid[0] + w[1] * mid[1], f1 = w[2] * mid[0] + w[3] * mid[1];
        sigma_total += inv_d * (f0 * (next[0] - y[0]) + f1 * (next[1] - y[1]));
        /* trapezoid time average of (s - m)(s - m)^T */
        c_avg[0] += 0.5 * (y[0] * y[0] + next[0] * next[0]);
        c_avg[1] += 0.5 * (y[0] * y[1] + next[0] * next[1]);
        c_avg[3] += 0.5 * (y[1] * y[1] + next[1] * next[1]);
        y[0] = next[0], y[1] = next[1];
    }
    c_avg[0] /= steps, c_avg[1] /= steps, c_avg[3] /= steps;
    c_avg[2] = c_avg[1];
    (void)m;
    gsl_rng_free(r);
    gsl_matrix_free(e), gsl_matrix_free(wdt), gsl_matrix_free(q), gsl_matrix_free(lc), gsl_matrix_free(tmp);
    return sigma_total;
}
