/* Maximum-likelihood slope of the heat-exchange fluctuation theorem; see xft.h. */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "thermolearn/xft.h"

/* ln sigma(x) = -ln(1 + e^-x), and sigma(-x), without overflow. */
static double log_sigmoid(double x)
{
    return x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x));
}

static double sigmoid(double x)
{
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

typedef struct {
    const double *q, *w;
    size_t n;
} xft_data;

double tl_xft_log_likelihood(const double *q, const double *w, size_t n, double s, double *score)
{
    double ll = 0, d = 0;
    for (size_t k = 0; k < n; k++) {
        double wk = w ? w[k] : 1.0;
        if (wk == 0 || q[k] == 0) continue;
        ll += wk * log_sigmoid(s * q[k]);
        d += wk * q[k] * sigmoid(-s * q[k]);
    }
    if (score) *score = d;
    return ll;
}

/* The score d ln L / ds: strictly decreasing in s when both signs occur. */
static double score_of(double s, void *params)
{
    const xft_data *x = params;
    double d;
    tl_xft_log_likelihood(x->q, x->w, x->n, s, &d);
    return d;
}

static double fisher(const xft_data *x, double s)
{
    double info = 0;
    for (size_t k = 0; k < x->n; k++) {
        double wk = x->w ? x->w[k] : 1.0;
        if (wk == 0 || x->q[k] == 0) continue;
        info += wk * x->q[k] * x->q[k] * sigmoid(s * x->q[k]) * sigmoid(-s * x->q[k]);
    }
    return info;
}

int tl_xft_slope(const double *q, const double *w, size_t n, tl_xft_fit *fit)
{
    xft_data x = {q, w, n};
    double scale = 0, total = 0;
    fit->slope = fit->err = NAN;
    fit->n_pos = fit->n_neg = 0;
    for (size_t k = 0; k < n; k++) {
        double wk = w ? w[k] : 1.0;
        if (q[k] > 0) fit->n_pos += wk;
        if (q[k] < 0) fit->n_neg += wk;
        if (q[k] != 0) scale += wk * fabs(q[k]), total += wk;
    }
    if (!(fit->n_pos > 0 && fit->n_neg > 0)) return -1;
    scale = total / scale; /* 1 / mean |Q|: the natural unit of the slope */
    /* Bracket the root of the decreasing score by doubling outwards. */
    double lo = -scale, hi = scale;
    for (int k = 0; k < 200 && score_of(lo, &x) < 0; k++) lo *= 2;
    for (int k = 0; k < 200 && score_of(hi, &x) > 0; k++) hi *= 2;
    if (!(score_of(lo, &x) >= 0 && score_of(hi, &x) <= 0)) return -1;
    gsl_function f = {score_of, &x};
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_root_fsolver_set(solver, &f, lo, hi);
    for (int it = 0; status == GSL_SUCCESS && it < 200; it++) {
        status = gsl_root_fsolver_iterate(solver);
        lo = gsl_root_fsolver_x_lower(solver);
        hi = gsl_root_fsolver_x_upper(solver);
        if (gsl_root_test_interval(lo, hi, 1e-15 * scale, 1e-13) == GSL_SUCCESS) break;
    }
    double s = gsl_root_fsolver_root(solver);
    gsl_root_fsolver_free(solver);
    gsl_set_error_handler(old);
    if (status != GSL_SUCCESS || !isfinite(s)) return -1;
    fit->slope = s;
    fit->err = 1.0 / sqrt(fisher(&x, s));
    return 0;
}
