/* The spectrum of G = (I - f'w)^T (I - f'w) (5.6) and the functions of it.
 *
 * M = I - A, A = f'w, is unit lower triangular with the neurons in layer
 * order, so det G = det M^2 = 1 (the sum of log lambda is 0 exactly) and the
 * eigenvalues of G are the squared singular values of M.  Only
 * n_dyn = k + N - n_0 of them can differ from 1, k = min(n_0, n_1): with
 * D_1 W_1 = R^T Q^T (QR of its transpose, Q of n_0 x k orthonormal columns),
 * an orthogonal change of the input coordinates to (Q, Q_perp) splits M into
 * an identity on Q_perp and
 *
 *            z (k)     non-input neurons (N - n_0)
 *   M_red = [ I_k       0       ]
 *           [ E_1(-R^T) I - A_r ]      (-R^T in the rows of hidden layer 1)
 *
 * whose singular values are those of M that are not 1 by construction.  The
 * SVD of M_red (LAPACK dgesdd through LAPACKE) costs milliseconds at the
 * paper's N = 854 (n_dyn = 110 and 130) instead of seconds for all of G; and
 * the SVD of M, not an eigen-decomposition of G = M^T M, keeps the error of
 * sum log lambda at eps cond(M) rather than eps cond(M)^2.  (GSL 2.7's
 * one-sided Jacobi SVD returns wrong values above ~80 x 80 and is not used.)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <lapacke.h>

#include "vanchurin.h"
#include "thermolearn/error.h"

void vanchurin_fprime_mean_state(const vanchurin_net *net, const double *mean, double *fprime)
{
    const double *in = mean;
    double *out = fprime;
    for (size_t i = 0; i < net->width[0]; i++) out[i] = 1.0;
    out += net->width[0];
    for (size_t l = 1; l < net->layers; l++) {
        const size_t nin = net->width[l - 1], n = net->width[l];
        for (size_t i = 0; i < n; i++) {
            double z = net->b[l][i];
            for (size_t j = 0; j < nin; j++) z += net->w[l][i * nin + j] * in[j];
            const double t = tanh(z);
            out[i] = 1.0 - t * t; /* sech^2 (eq. 10.4) */
        }
        in += nin;
        out += n;
    }
}

size_t vanchurin_n_dynamical(const vanchurin_net *net)
{
    const size_t n0 = net->width[0], n1 = net->width[1];
    return (n0 < n1 ? n0 : n1) + net->neurons - n0;
}

size_t vanchurin_n_nonunit(size_t layers, const size_t *width)
{
    size_t n = (width[0] < width[1] ? width[0] : width[1]) - width[0];
    for (size_t l = 0; l < layers; l++) n += width[l];
    for (size_t l = 1; l < layers; l++) {
        const size_t around = width[l - 1] + (l + 1 < layers ? width[l + 1] : 0);
        if (width[l] > around) n -= width[l] - around;
    }
    return n;
}

void vanchurin_full_matrix(const vanchurin_net *net, const double *fprime, double *m)
{
    const size_t n = net->neurons;
    memset(m, 0, n * n * sizeof(double));
    for (size_t i = 0; i < n; i++) m[i * n + i] = 1.0;
    size_t row = net->width[0], col = 0;
    for (size_t l = 1; l < net->layers; l++) {
        const size_t nin = net->width[l - 1];
        for (size_t i = 0; i < net->width[l]; i++)
            for (size_t j = 0; j < nin; j++)
                m[(row + i) * n + col + j] = -fprime[row + i] * net->w[l][i * nin + j];
        col += nin;
        row += net->width[l];
    }
}

int vanchurin_reduced_matrix(const vanchurin_net *net, const double *fprime, double *m_red)
{
    const size_t n0 = net->width[0], n1 = net->width[1], k = n0 < n1 ? n0 : n1;
    const size_t n = vanchurin_n_dynamical(net);
    memset(m_red, 0, n * n * sizeof(double));
    for (size_t i = 0; i < n; i++) m_red[i * n + i] = 1.0;
    /* (D_1 W_1)^T = Q R, n_0 x n_1 */
    double *bt = tl_malloc(n0 * n1 * sizeof(double), "QR"), *tau = tl_malloc(k * sizeof(double), "QR");
    for (size_t i = 0; i < n1; i++)
        for (size_t j = 0; j < n0; j++) bt[j * n1 + i] = fprime[n0 + i] * net->w[1][i * n0 + j];
    lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)n0, (lapack_int)n1, bt, (lapack_int)n1, tau);
    if (info == 0) {
        /* rows of layer 1 (offset k), columns z: -R^T, R upper triangular k x n_1 */
        for (size_t i = 0; i < n1; i++)
            for (size_t c = 0; c < k && c <= i; c++) m_red[(k + i) * n + c] = -bt[c * n1 + i];
        size_t row = k + n1, col = k;
        for (size_t l = 2; l < net->layers; l++) {
            const size_t nin = net->width[l - 1];
            for (size_t i = 0; i < net->width[l]; i++)
                for (size_t j = 0; j < nin; j++)
                    m_red[(row + i) * n + col + j] = -fprime[n0 + (row - k) + i] * net->w[l][i * nin + j];
            col += nin;
            row += net->width[l];
        }
    }
    free(bt);
    free(tau);
    return info == 0 ? 0 : -1;
}

int vanchurin_singular_values(const double *a, size_t n, double *s)
{
    double *copy = tl_malloc(n * n * sizeof(double), "SVD");
    memcpy(copy, a, n * n * sizeof(double));
    /* read as column-major, this is A^T: the same singular values, no transposition */
    double u, vt;
    lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (lapack_int)n, (lapack_int)n, copy, (lapack_int)n, s,
                                     &u, 1, &vt, 1);
    free(copy);
    return info == 0 ? 0 : -1;
}

int vanchurin_log_spectrum(const vanchurin_net *net, const double *fprime, double *log_lambda)
{
    const size_t n = vanchurin_n_dynamical(net);
    double *m = tl_malloc(n * n * sizeof(double), "reduced matrix");
    int rc = vanchurin_reduced_matrix(net, fprime, m);
    if (rc == 0) rc = vanchurin_singular_values(m, n, log_lambda);
    free(m);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) log_lambda[i] = 2.0 * log(log_lambda[i]);
    return 0;
}

/* ---- functions of the spectrum ------------------------------------------------------ */

double vanchurin_trace_power(const vanchurin_spectrum *sp, int k)
{
    double sum = 0;
    for (size_t i = 0; i < sp->n_dyn; i++) sum += pow(sp->u[i], k);
    return sum;
}

static int descending(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Sum of the entries first .. first+count-1 of the whole spectrum sorted descending. */
static double sorted_sum(const vanchurin_spectrum *sp, size_t first, size_t count)
{
    double *all = tl_calloc(sp->neurons, sizeof(double), "spectrum");
    memcpy(all, sp->u, sp->n_dyn * sizeof(double));
    qsort(all, sp->neurons, sizeof(double), descending);
    double sum = 0;
    for (size_t i = first; i < first + count && i < sp->neurons; i++) sum += all[i];
    free(all);
    return sum;
}

static double half_log_2pi(const vanchurin_spectrum *sp) { return 0.5 * (double)sp->neurons * log(2.0 * M_PI); }

double vanchurin_complexity_top(const vanchurin_spectrum *sp, size_t n)
{
    return -0.5 * sorted_sum(sp, 0, n) + half_log_2pi(sp);
}

double vanchurin_complexity_rest(const vanchurin_spectrum *sp, size_t n)
{
    return -0.5 * sorted_sum(sp, 0, sp->neurons > n ? sp->neurons - n : 0) + half_log_2pi(sp);
}

/* Sum of g(lambda, beta) over the whole spectrum, the N - n_dyn unit eigenvalues at once. */
static double spectral_sum(const vanchurin_spectrum *sp, double (*g)(double, double), double beta)
{
    double sum = (double)(sp->neurons - sp->n_dyn) * g(1.0, beta);
    for (size_t i = 0; i < sp->n_dyn; i++) sum += g(exp(sp->u[i]), beta);
    return sum;
}

static double log_window(double lambda, double beta) { return log1p(beta * lambda); }
static double loss_term(double lambda, double beta) { return lambda / (1.0 + beta * lambda); }
static double laplacian_term(double lambda, double beta) { return 1.0 / ((1.0 + beta * lambda) * (1.0 + beta * lambda)); }

double vanchurin_log_z(const vanchurin_spectrum *sp, double beta)
{
    return -0.5 * spectral_sum(sp, log_window, beta) + half_log_2pi(sp);
}

double vanchurin_free_energy(const vanchurin_spectrum *sp, double beta)
{
    /* F = -log Z / beta = (1/2beta) sum log(1 + beta lambda) - (N/2beta) log 2pi (6.5) */
    return -vanchurin_log_z(sp, beta) / beta;
}

double vanchurin_model_loss(const vanchurin_spectrum *sp, double beta)
{
    return 0.5 * spectral_sum(sp, loss_term, beta);
}

double vanchurin_laplacian(const vanchurin_spectrum *sp, double beta)
{
    return 0.5 * beta * spectral_sum(sp, laplacian_term, beta);
}

size_t vanchurin_n_large(const vanchurin_spectrum *sp, double beta, double factor)
{
    const double cut = log(factor / beta);
    size_t n = 0.0 > cut ? sp->neurons - sp->n_dyn : 0;
    for (size_t i = 0; i < sp->n_dyn; i++) n += sp->u[i] > cut;
    return n;
}

double vanchurin_complexity_beta(const vanchurin_spectrum *sp, double beta, double factor)
{
    const double cut = log(factor / beta);
    double sum = 0;
    for (size_t i = 0; i < sp->n_dyn; i++)
        if (sp->u[i] > cut) sum += sp->u[i];
    return -0.5 * sum + half_log_2pi(sp);
}

double vanchurin_gap(const vanchurin_spectrum *sp)
{
    double best = -1, gap = NAN;
    for (size_t i = 0; i + 1 < sp->n_dyn; i++) {
        if (sp->u[i] >= 0) continue;
        const double s = sp->u[i] - sp->u[i + 1];
        if (s > best) {
            best = s;
            gap = 0.5 * (sp->u[i] + sp->u[i + 1]);
        }
    }
    return gap;
}

double vanchurin_beta_stationary(double u, double gamma)
{
    const double k = gamma / (1.0 - gamma);
    if (fabs(u) < 1e-9) return 0.5; /* the limit at u = 0 for every gamma */
    return expm1((1.0 + k) * u / 3.0) / (expm1(u) - expm1((1.0 - 2.0 * k) * u / 3.0));
}

double vanchurin_beta_eq94(double u)
{
    const double t = exp(u / 3.0);
    return 1.0 / (t * t + t);
}

double vanchurin_eq93(double u, double beta, double gamma, double neurons)
{
    const double k = gamma / (1.0 - gamma), a = 1.0 + beta * exp(u), c = 1.0 + beta * exp(-k * u);
    return 0.5 * neurons * beta * (gamma / (a * a) + (1.0 - gamma) / (c * c));
}

typedef struct {
    double beta, gamma;
} eq93_args;

/* d/du of eq. 9.3's bracket over 2 gamma beta. */
static double eq93_slope(double u, void *p)
{
    const eq93_args *a = p;
    const double k = a->gamma / (1.0 - a->gamma), x = exp(u), y = exp(-k * u);
    return -x / pow(1.0 + a->beta * x, 3) + y / pow(1.0 + a->beta * y, 3);
}

/* Brent's root of f on [lo, hi] (a sign change); NaN if it fails. */
static double brent(gsl_function *f, double lo, double hi)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    double root = NAN;
    if (gsl_root_fsolver_set(s, f, lo, hi) == GSL_SUCCESS) {
        for (int it = 0; it < 200; it++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) break;
            const double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
            root = gsl_root_fsolver_root(s);
            if (gsl_root_test_interval(a, b, 0, 1e-15) == GSL_SUCCESS) break;
        }
    }
    gsl_root_fsolver_free(s);
    gsl_set_error_handler(old);
    return root;
}

size_t vanchurin_eq93_stationary(double beta, double gamma, double lo, double hi, double *u, size_t max)
{
    eq93_args a = {beta, gamma};
    gsl_function f = {eq93_slope, &a};
    const int steps = 4000;
    size_t found = 0;
    double x0 = lo, f0 = eq93_slope(lo, &a);
    for (int s = 1; s <= steps && found < max; s++) {
        const double x1 = lo + (hi - lo) * s / steps, f1 = eq93_slope(x1, &a);
        if ((f0 < 0) != (f1 < 0)) {
            const double r = brent(&f, x0, x1);
            if (fabs(r) > 1e-6) u[found++] = r; /* u = 0 is stationary for every beta */
        }
        x0 = x1;
        f0 = f1;
    }
    return found;
}

typedef struct {
    const vanchurin_spectrum *sp;
    double loss;
} loss_args;

static double loss_gap(double log_beta, void *p)
{
    const loss_args *a = p;
    return vanchurin_model_loss(a->sp, exp(log_beta)) - a->loss;
}

double vanchurin_beta_loss(const vanchurin_spectrum *sp, double loss)
{
    loss_args a = {sp, loss};
    gsl_function f = {loss_gap, &a};
    const double lo = log(1e-12), hi = log(1e12);
    if (!(loss_gap(lo, &a) > 0 && loss_gap(hi, &a) < 0)) return NAN;
    return exp(brent(&f, lo, hi));
}
