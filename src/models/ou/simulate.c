/* Trajectories of the linear system, sampled on the grid of the window.
 *
 * y = s - m moves by the exact Gaussian transition y' = e^{W h} y + L z
 * (L L^T = Q(h), z standard normal), so the samples have the law of the
 * continuous process for any h.  The initial state (steady or zero) and the
 * jump over the transient come from the (key, t) stream of purpose INITIAL,
 * the steps of the window from the DYNAMICS stream.  Per step the medium
 * entropy is its exact conditional mean given the two samples (ou.h), and the
 * time averages are trapezoid sums over the samples, which are unbiased for
 * a stationary trajectory because every sample has the steady law.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "ou.h"
#include "thermolearn/error.h"

/* next = e y + l z with fresh z (e = NULL: l z): one exact step (n <= OU_MAX_N). */
static void step(int n, const double *e, const double *l, const double *y, double *next, gsl_rng *r)
{
    double z[OU_MAX_N];
    for (int i = 0; i < n; i++) z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (int i = 0; i < n; i++) {
        double v = 0;
        if (e)
            for (int j = 0; j < n; j++) v += e[i * n + j] * y[j];
        for (int j = 0; j <= i; j++) v += l[i * n + j] * z[j];
        next[i] = v;
    }
}

/* y at the start of the window. */
static void start(const ou *o, const tl_stream_key *key, uint64_t t, double *y)
{
    int n = o->n;
    gsl_rng *r = tl_stream_gsl_alloc(key, TL_PURPOSE_INITIAL, t);
    double y0[OU_MAX_N];
    if (o->initial_steady) {
        step(n, NULL, o->l_c, NULL, y0, r); /* y0 = L_C z */
    } else {
        for (int i = 0; i < n; i++) y0[i] = -o->m[i]; /* s = 0 */
    }
    if (o->e_tr) step(n, o->e_tr, o->l_tr, y0, y, r);
    else memcpy(y, y0, (size_t)n * sizeof *y);
    gsl_rng_free(r);
}

/* Trapezoid weight of sample k of 0..steps, times steps. */
static double weight(long k, long steps)
{
    return k == 0 || k == steps ? 0.5 : 1.0;
}

double ou_trajectory(const ou *o, const tl_stream_key *key, uint64_t t, double *mean, double *cov)
{
    int n = o->n;
    double y[OU_MAX_N], next[OU_MAX_N], sum[OU_MAX_N] = {0};
    double *sum2 = cov ? tl_calloc((size_t)n * n, sizeof *sum2, "second moments") : NULL;
    start(o, key, t, y);
    gsl_rng *r = tl_stream_gsl_alloc(key, TL_PURPOSE_DYNAMICS, t);
    double entropy = 0;
    for (long k = 0;; k++) {
        double wk = weight(k, o->steps);
        for (int i = 0; i < n; i++) sum[i] += wk * y[i];
        if (sum2)
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++) sum2[i * n + j] += wk * y[i] * y[j];
        if (k == o->steps) break;
        step(n, o->e_h, o->l_h, y, next, r);
        entropy += ou_quadratic(n, o->qaa, y, y) + ou_quadratic(n, o->qab, y, next) +
                   ou_quadratic(n, o->qbb, next, next) + o->qc;
        memcpy(y, next, (size_t)n * sizeof *y);
    }
    gsl_rng_free(r);
    if (mean)
        for (int i = 0; i < n; i++) mean[i] = o->m[i] + sum[i] / o->steps;
    if (cov) {
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++) cov[i * n + j] = cov[j * n + i] = sum2[i * n + j] / o->steps;
        free(sum2);
    }
    return entropy;
}

void ou_simulate_batch(const ou *o, const tl_stream_key *key, uint64_t first, size_t count,
                       double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    size_t n = (size_t)o->n;
    double mean[OU_MAX_N], *cov = tl_malloc(n * n * sizeof *cov, "covariance");
    double *pm = profile[OU_PROFILE_MEAN], *pc = profile[OU_PROFILE_COV];
    for (size_t b = 0; b < count; b++) {
        double ep = ou_trajectory(o, key, first + b, pm ? mean : NULL, pc ? cov : NULL);
        out[OU_OBS_EP][b] = ep;
        out[OU_OBS_EP_RATE][b] = ep / o->window;
        if (pm)
            for (size_t i = 0; i < n; i++) pm[i * count + b] = mean[i];
        if (pc)
            for (size_t i = 0; i < n; i++)
                for (size_t j = i; j < n; j++) pc[ou_pair(n, i, j) * count + b] = cov[i * n + j];
    }
    free(cov);
}
