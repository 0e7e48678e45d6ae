/* Exact results of the linear system: closed forms of the 2-d case (D7, D8,
 * D11), stability, the Lyapunov equation (D2), the entropy production rate,
 * the exact transition and the exact entropy of one sampled step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>

#include "ou.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

/* Gauss-Legendre nodes per panel, and the largest h |W|_1 of one panel. */
#define GL_NODES 16
#define PANEL_SPAN 0.5

void ou_two_matrix(double js, double ja, double decay, double w[4])
{
    w[0] = -decay, w[1] = js + ja, w[2] = js - ja, w[3] = -decay;
}

void ou_two_closed_form(double js, double ja, double decay, double sigma, double c[4], double *rate)
{
    double g = decay, f = sigma * sigma / (2 * g * (g * g + ja * ja - js * js));
    if (c) {
        c[0] = f * (g * g + js * ja + ja * ja);
        c[1] = c[2] = f * g * js;
        c[3] = f * (g * g - js * ja + ja * ja);
    }
    if (rate) *rate = 2 * ja * ja / g;
}

double ou_abscissa(int n, const double *w)
{
    gsl_matrix *a = gsl_matrix_alloc(n, n);
    gsl_vector_complex *ev = gsl_vector_complex_alloc(n);
    gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(n);
    memcpy(a->data, w, (size_t)n * n * sizeof *w);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_eigen_nonsymm(a, ev, ws);
    gsl_set_error_handler(old);
    double top = -INFINITY;
    for (int i = 0; i < n; i++) top = fmax(top, GSL_REAL(gsl_vector_complex_get(ev, i)));
    gsl_eigen_nonsymm_free(ws);
    gsl_vector_complex_free(ev);
    gsl_matrix_free(a);
    return status ? NAN : top;
}

/* (I (x) W + W (x) I) vec C = -sigma^2 vec I, row-major vec: C_ab at a*n + b. */
int ou_lyapunov(int n, const double *w, double sigma, double *c)
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
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int sign, status = gsl_linalg_LU_decomp(a, perm, &sign);
    if (!status) status = fabs(gsl_linalg_LU_det(a, sign)) > 0 ? gsl_linalg_LU_solve(a, perm, rhs, &x.vector) : GSL_ESING;
    gsl_set_error_handler(old);
    /* symmetrise the round-off */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) c[i * n + j] = c[j * n + i] = 0.5 * (c[i * n + j] + c[j * n + i]);
    gsl_permutation_free(perm);
    gsl_vector_free(rhs);
    gsl_matrix_free(a);
    return status ? TL_ERR_NUMERIC : TL_OK;
}

double ou_entropy_rate(int n, const double *w, double sigma)
{
    double *c = tl_malloc((size_t)n * n * sizeof *c, "covariance");
    if (ou_lyapunov(n, w, sigma, c)) {
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

double ou_norm1(int n, const double *w)
{
    double top = 0;
    for (int j = 0; j < n; j++) {
        double col = 0;
        for (int i = 0; i < n; i++) col += fabs(w[i * n + j]);
        top = fmax(top, col);
    }
    return top;
}

static void symmetrise(gsl_matrix *q)
{
    for (size_t i = 0; i < q->size1; i++)
        for (size_t j = 0; j < i; j++) {
            double v = 0.5 * (gsl_matrix_get(q, i, j) + gsl_matrix_get(q, j, i));
            gsl_matrix_set(q, i, j, v), gsl_matrix_set(q, j, i, v);
        }
}

/* Q(h) over short steps (h |W|_1 <= 1), by Van Loan's block exponential
 * exp([[-W, sigma^2 I], [0, W^T]] h) = [[., F12], [0, F22]]: F22 = e^{W^T h},
 * Q(h) = F22^T F12, free of the cancellation of C - e C e^T at small h. */
static int van_loan(const gsl_matrix *w, double sigma, double h, gsl_matrix *e, gsl_matrix *q)
{
    size_t n = w->size1;
    gsl_matrix *a = gsl_matrix_calloc(2 * n, 2 * n), *f = gsl_matrix_alloc(2 * n, 2 * n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            gsl_matrix_set(a, i, j, -h * gsl_matrix_get(w, i, j));
            gsl_matrix_set(a, n + i, n + j, h * gsl_matrix_get(w, j, i));
        }
        gsl_matrix_set(a, i, n + i, h * sigma * sigma);
    }
    int status = gsl_linalg_exponential_ss(a, f, GSL_PREC_DOUBLE);
    gsl_matrix_view f12 = gsl_matrix_submatrix(f, 0, n, n, n), f22 = gsl_matrix_submatrix(f, n, n, n, n);
    gsl_matrix_transpose_memcpy(e, &f22.matrix);
    if (q) gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, e, &f12.matrix, 0.0, q);
    gsl_matrix_free(a), gsl_matrix_free(f);
    return status;
}

/* e = e^{W h}, q = Q(h): Van Loan over short steps; over long ones (where the
 * block exponential holds e^{+|W| h} and loses precision) C - e C e^T with the
 * stationary covariance c. */
static int transition(const gsl_matrix *w, const gsl_matrix *c, double sigma, double h, gsl_matrix *e, gsl_matrix *q)
{
    size_t n = w->size1;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status;
    if (!c || h * ou_norm1((int)n, w->data) <= 1) {
        status = van_loan(w, sigma, h, e, q);
    } else {
        gsl_matrix *wh = gsl_matrix_alloc(n, n), *ec = gsl_matrix_alloc(n, n);
        gsl_matrix_memcpy(wh, w);
        gsl_matrix_scale(wh, h);
        status = gsl_linalg_exponential_ss(wh, e, GSL_PREC_DOUBLE);
        if (q) {
            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, e, c, 0.0, ec);
            gsl_matrix_memcpy(q, c);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, ec, e, 1.0, q);
        }
        gsl_matrix_free(wh), gsl_matrix_free(ec);
    }
    gsl_set_error_handler(old);
    if (q) symmetrise(q);
    return status ? TL_ERR_NUMERIC : TL_OK;
}

int ou_transition(int n, const double *w, const double *c, double sigma, double h, double *e, double *q)
{
    gsl_matrix_const_view wv = gsl_matrix_const_view_array(w, n, n);
    gsl_matrix_view ev = gsl_matrix_view_array(e, n, n);
    gsl_matrix *qm = gsl_matrix_alloc(n, n);
    int status;
    if (c) {
        gsl_matrix_const_view cv = gsl_matrix_const_view_array(c, n, n);
        status = transition(&wv.matrix, &cv.matrix, sigma, h, &ev.matrix, q ? qm : NULL);
    } else {
        status = transition(&wv.matrix, NULL, sigma, h, &ev.matrix, q ? qm : NULL);
    }
    if (q) memcpy(q, qm->data, (size_t)n * n * sizeof *q);
    gsl_matrix_free(qm);
    return status;
}

double ou_quadratic(int n, const double *q, const double *a, const double *b)
{
    double s = 0;
    for (int i = 0; i < n; i++) {
        double row = 0;
        for (int j = 0; j < n; j++) row += q[i * n + j] * b[j];
        s += a[i] * row;
    }
    return s;
}

/* C = op(A) op(B) (+ beta C): shorthand for the products of the bridge. */
static void mul(CBLAS_TRANSPOSE_t ta, const gsl_matrix *a, CBLAS_TRANSPOSE_t tb, const gsl_matrix *b, double alpha,
                double beta, gsl_matrix *c)
{
    gsl_blas_dgemm(ta, tb, alpha, a, b, beta, c);
}

static int invert(const gsl_matrix *a, gsl_matrix *inv, gsl_matrix *work, gsl_permutation *perm)
{
    int sign;
    gsl_matrix_memcpy(work, a);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_linalg_LU_decomp(work, perm, &sign) || gsl_linalg_LU_invert(work, perm, inv);
    gsl_set_error_handler(old);
    return status;
}

/* The bridge from y(0) = a to y(h) = b, at time s (tau = h - s):
 *   mean      mu(s) = alpha(s) a + beta(s) b,  beta = Q_s E_tau^T Q_h^-1,  alpha = E_s - beta E_h,
 *   its rate  alpha' = W alpha - sigma^2 E_tau^T Q_h^-1 E_h,  beta' = W beta + sigma^2 E_tau^T Q_h^-1,
 *   variance  Gamma(s) = Q_s - beta E_tau Q_s,
 *   drift     M(s) = W - sigma^2 E_tau^T Q_tau^-1 E_tau  (Doob's h-transform),
 * with E_s = e^{W s}, Q_s = cov(y(s) | y(0)).  For antisymmetric K the
 * Stratonovich integral int (K y) o dy has the conditional mean
 *   int_0^h [mu'^T K mu + tr(K Gamma M^T)] ds:
 * the first term from the mean path, the second from the equal-time limit of
 * the bridge's covariance cov(y(s), y(s+)) = Gamma(s) (I + M^T ds). */
typedef struct {
    size_t n;
    const gsl_matrix *w, *c, *k, *e_h, *qh_inv;
    double sigma2;
    gsl_matrix *e_s, *q_s, *e_t, *q_t, *qt_inv, *r, *al, *be, *ald, *bed, *g, *mm, *t1, *t2, *work;
    gsl_permutation *perm;
} bridge;

/* Adds weight x the integrand at s to paa, pab, pba, pbb and *pc. */
static int bridge_node(bridge *br, double h, double s, double weight, gsl_matrix *p[4], double *pc)
{
    if (transition(br->w, br->c, sqrt(br->sigma2), s, br->e_s, br->q_s) ||
        transition(br->w, br->c, sqrt(br->sigma2), h - s, br->e_t, br->q_t) ||
        invert(br->q_t, br->qt_inv, br->work, br->perm))
        return TL_ERR_NUMERIC;
    mul(CblasTrans, br->e_t, CblasNoTrans, br->qh_inv, 1, 0, br->r);    /* R = E_tau^T Q_h^-1 */
    mul(CblasNoTrans, br->q_s, CblasNoTrans, br->r, 1, 0, br->be);      /* beta = Q_s R */
    gsl_matrix_memcpy(br->al, br->e_s);
    mul(CblasNoTrans, br->be, CblasNoTrans, br->e_h, -1, 1, br->al);    /* alpha = E_s - beta E_h */
    mul(CblasNoTrans, br->r, CblasNoTrans, br->e_h, 1, 0, br->t1);
    mul(CblasNoTrans, br->w, CblasNoTrans, br->al, 1, 0, br->ald);
    gsl_matrix_scale(br->t1, br->sigma2);
    gsl_matrix_sub(br->ald, br->t1);                                    /* alpha' */
    mul(CblasNoTrans, br->w, CblasNoTrans, br->be, 1, 0, br->bed);
    gsl_matrix_memcpy(br->t1, br->r);
    gsl_matrix_scale(br->t1, br->sigma2);
    gsl_matrix_add(br->bed, br->t1);                                    /* beta' */
    mul(CblasNoTrans, br->e_t, CblasNoTrans, br->q_s, 1, 0, br->t1);
    gsl_matrix_memcpy(br->g, br->q_s);
    mul(CblasNoTrans, br->be, CblasNoTrans, br->t1, -1, 1, br->g);      /* Gamma */
    mul(CblasNoTrans, br->qt_inv, CblasNoTrans, br->e_t, 1, 0, br->t1);
    gsl_matrix_memcpy(br->mm, br->w);
    mul(CblasTrans, br->e_t, CblasNoTrans, br->t1, -br->sigma2, 1, br->mm); /* M */
    const gsl_matrix *left[4] = {br->ald, br->ald, br->bed, br->bed}, *right[4] = {br->al, br->be, br->al, br->be};
    for (int q = 0; q < 4; q++) { /* p += weight left^T K right */
        mul(CblasTrans, left[q], CblasNoTrans, br->k, 1, 0, br->t1);
        mul(CblasNoTrans, br->t1, CblasNoTrans, right[q], weight, 1, p[q]);
    }
    mul(CblasNoTrans, br->k, CblasNoTrans, br->g, 1, 0, br->t1);
    mul(CblasNoTrans, br->t1, CblasTrans, br->mm, 1, 0, br->t2);        /* K Gamma M^T */
    double tr = 0;
    for (size_t i = 0; i < br->n; i++) tr += gsl_matrix_get(br->t2, i, i);
    *pc += weight * tr;
    return TL_OK;
}

int ou_step_kernel(int n, const double *w, const double *c_stat, double temperature, double h, double *qaa,
                   double *qab, double *qbb, double *qc)
{
    size_t N = (size_t)n;
    double sigma2 = 2 * temperature;
    gsl_matrix_const_view wv = gsl_matrix_const_view_array(w, N, N), cv = gsl_matrix_const_view_array(c_stat, N, N);
    gsl_matrix *k = gsl_matrix_alloc(N, N), *e_h = gsl_matrix_alloc(N, N), *q_h = gsl_matrix_alloc(N, N);
    gsl_matrix *qh_inv = gsl_matrix_alloc(N, N), *p[4];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) gsl_matrix_set(k, i, j, (w[i * N + j] - w[j * N + i]) / (2 * temperature));
    bridge br = {.n = N, .w = &wv.matrix, .c = &cv.matrix, .k = k, .e_h = e_h, .qh_inv = qh_inv, .sigma2 = sigma2};
    gsl_matrix **tmp[] = {&br.e_s, &br.q_s, &br.e_t, &br.q_t, &br.qt_inv, &br.r, &br.al, &br.be, &br.ald,
                          &br.bed, &br.g, &br.mm, &br.t1, &br.t2, &br.work};
    for (size_t i = 0; i < sizeof tmp / sizeof tmp[0]; i++) *tmp[i] = gsl_matrix_alloc(N, N);
    for (int q = 0; q < 4; q++) p[q] = gsl_matrix_calloc(N, N);
    br.perm = gsl_permutation_alloc(N);
    double c = 0;
    int status = transition(&wv.matrix, &cv.matrix, sqrt(sigma2), h, e_h, q_h) || invert(q_h, qh_inv, br.work, br.perm);
    /* panels short against the fastest rate keep the integrand a low polynomial */
    size_t panels = (size_t)fmax(1.0, ceil(h * ou_norm1(n, w) / PANEL_SPAN));
    gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc(GL_NODES);
    for (size_t pn = 0; !status && pn < panels; pn++)
        for (size_t i = 0; !status && i < GL_NODES; i++) {
            double s, weight;
            gsl_integration_glfixed_point(h * pn / panels, h * (pn + 1) / panels, i, &s, &weight, gl);
            status = bridge_node(&br, h, s, weight, p, &c);
        }
    gsl_integration_glfixed_table_free(gl);
    /* the symmetric part of W is a gradient: (1/T) [y^T W_s y / 2] between the ends */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double ws = (w[i * N + j] + w[j * N + i]) / (4 * temperature);
            qaa[i * N + j] = gsl_matrix_get(p[0], i, j) - ws;
            qab[i * N + j] = gsl_matrix_get(p[1], i, j) + gsl_matrix_get(p[2], j, i);
            qbb[i * N + j] = gsl_matrix_get(p[3], i, j) + ws;
        }
    *qc = c;
    for (size_t i = 0; i < sizeof tmp / sizeof tmp[0]; i++) gsl_matrix_free(*tmp[i]);
    for (int q = 0; q < 4; q++) gsl_matrix_free(p[q]);
    gsl_permutation_free(br.perm);
    gsl_matrix_free(k), gsl_matrix_free(e_h), gsl_matrix_free(q_h), gsl_matrix_free(qh_inv);
    return status ? TL_ERR_NUMERIC : TL_OK;
}
