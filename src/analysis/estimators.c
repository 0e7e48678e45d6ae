/* Free-energy estimators from forward and reverse work; see estimators.h.
 *
 * Everything is computed in reduced units (beta W, beta dF) and converted back
 * at the end.  Sums of exponentials are kept in log space, so works of any
 * magnitude (1e5 kT and beyond) neither overflow nor underflow.
 */
#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "thermolearn/estimators.h"
#include "thermolearn/status.h"

#define BAR_MAX_ITER 200
#define BAR_MAX_EXPAND 64

static double weight_at(const tl_samples *s, size_t i)
{
    return s->weight ? s->weight[i] : 1.0;
}

/* Total weight of a sample set, or -1 if the set cannot be used: no values,
 * a non-finite value, a negative or non-finite weight, or zero total. */
static double total_weight(const tl_samples *s)
{
    if (!s->x || s->n == 0) return -1.0;
    double total = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        double w = weight_at(s, i);
        if (!isfinite(s->x[i]) || !isfinite(w) || w < 0.0) return -1.0;
        total += w;
    }
    return (total > 0.0 && isfinite(total)) ? total : -1.0;
}

/* ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): the exponential never exceeds 1. */
static double softplus(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

/* Streaming log-sum-exp: add w e^l to the sum held as e^(*m) * (*acc).
 * Rescaling when a new maximum arrives keeps every exponent <= 0. */
static void lse_add(double *m, double *acc, double w, double l)
{
    if (l > *m) {
        *acc = *acc * exp(*m - l) + w;
        *m = l;
    } else {
        *acc += w * exp(l - *m);
    }
}

/* ln sum_i w_i exp(k x_i) / sum_i w_i. */
static double log_mean_exp(const tl_samples *s, double k, double total)
{
    double m = -INFINITY, acc = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        double w = weight_at(s, i);
        if (w > 0.0) lse_add(&m, &acc, w, k * s->x[i]);
    }
    return m + log(acc / total);
}

/* ln sum_i w_i f(c + beta x_i), with ln f(x) = -softplus(x). */
static double log_fermi_sum(const tl_samples *s, double beta, double c)
{
    double m = -INFINITY, acc = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        double w = weight_at(s, i);
        if (w > 0.0) lse_add(&m, &acc, w, -softplus(c + beta * s->x[i]));
    }
    return m + log(acc);
}

/* (<f^2>/<f>^2 - 1) / N for f_i = f(c + beta x_i), weighted, N = total weight.
 * Written as Var(f) / (<f>^2 N) on f rescaled by its maximum: no
 * cancellation between <f^2> and <f>^2, and no underflow of f itself. */
static double fermi_rel_var(const tl_samples *s, double beta, double c, double total)
{
    double lmax = -INFINITY;
    for (size_t i = 0; i < s->n; i++)
        if (weight_at(s, i) > 0.0) lmax = fmax(lmax, -softplus(c + beta * s->x[i]));

    double mean = 0.0;
    for (size_t i = 0; i < s->n; i++)
        mean += weight_at(s, i) * exp(-softplus(c + beta * s->x[i]) - lmax);
    mean /= total;

    double var = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        double d = exp(-softplus(c + beta * s->x[i]) - lmax) - mean;
        var += weight_at(s, i) * d * d;
    }
    var /= total;
    return var / (mean * mean * total);
}

/* The BAR function of the reduced free energy u = beta dF:
 *   g(u) = ln sum_F w f(M + beta w_F - u) - ln sum_R w f(-M + beta w_R + u).
 * g rises strictly from -inf to +inf, so its root is unique. */
struct bar_problem {
    const tl_samples *fwd, *rev;
    double beta, m;
};

static double bar_function(double u, void *params)
{
    const struct bar_problem *p = params;
    return log_fermi_sum(p->fwd, p->beta, p->m - u) - log_fermi_sum(p->rev, p->beta, u - p->m);
}

/* Range [lo, hi] of sign * x over the samples that carry weight. */
static void sample_range(const tl_samples *s, double sign, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        if (weight_at(s, i) == 0.0) continue;
        *lo = fmin(*lo, sign * s->x[i]);
        *hi = fmax(*hi, sign * s->x[i]);
    }
}

/* Widen [*lo, *hi] until g changes sign; 0 on success.  In exact arithmetic
 * g(lo) <= 0 <= g(hi) already holds on the full sample range (every forward
 * argument >= M there and every reverse one <= -M, and conversely at hi);
 * the widening only absorbs rounding. */
static int bar_bracket(gsl_function *g, double *lo, double *hi, double *g_lo, double *g_hi)
{
    double step = fmax(*hi - *lo, 1.0);
    *g_lo = GSL_FN_EVAL(g, *lo);
    for (int k = 0; *g_lo > 0.0 && k < BAR_MAX_EXPAND; k++, step *= 2.0)
        *g_lo = GSL_FN_EVAL(g, *lo -= step);
    step = fmax(*hi - *lo, 1.0);
    *g_hi = GSL_FN_EVAL(g, *hi);
    for (int k = 0; *g_hi < 0.0 && k < BAR_MAX_EXPAND; k++, step *= 2.0)
        *g_hi = GSL_FN_EVAL(g, *hi += step);
    return (*g_lo <= 0.0 && *g_hi >= 0.0 && isfinite(*lo) && isfinite(*hi)) ? 0 : -1;
}

/* Root of g in [lo, hi] by Brent's method, to the precision at which the
 * arguments beta w - u can be formed at all (a few ulps of the bracket). */
static int bar_solve(gsl_function *g, double lo, double hi, double *root)
{
    double g_lo, g_hi;
    if (bar_bracket(g, &lo, &hi, &g_lo, &g_hi)) return TL_ERR_NO_OVERLAP;
    if (g_lo == 0.0 || g_hi == 0.0) {
        *root = (g_lo == 0.0) ? lo : hi;
        return TL_OK;
    }
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s) return TL_ERR_MEMORY;
    double epsabs = 4.0 * DBL_EPSILON * fmax(fabs(lo), fabs(hi));
    /* The bracket straddles zero strictly, so set() cannot fail; g is finite
     * everywhere, so iterate() cannot either: GSL's handler is never reached. */
    gsl_root_fsolver_set(s, g, lo, hi);
    int status = GSL_CONTINUE;
    for (int it = 0; status == GSL_CONTINUE && it < BAR_MAX_ITER; it++) {
        status = gsl_root_fsolver_iterate(s);
        if (status == GSL_SUCCESS)
            status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                                            gsl_root_fsolver_x_upper(s), epsabs, 0.0);
    }
    int ok = (status == GSL_SUCCESS);
    *root = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    return ok ? TL_OK : TL_ERR_NUMERIC;
}

int tl_estimate_bar(tl_samples forward, tl_samples reverse, double beta,
                    double *delta_f, double *std_err)
{
    if (delta_f) *delta_f = NAN;
    if (std_err) *std_err = NAN;
    double n_f = total_weight(&forward), n_r = total_weight(&reverse);
    if (!delta_f || n_f < 0.0 || n_r < 0.0 || !(beta > 0.0) || !isfinite(beta))
        return TL_ERR_INPUT;

    /* No overlap: no forward work inside the range of the mirrored reverse
     * work -W_R.  BAR would still return a number (for a wide gap, about the
     * mean of the two Jarzynski estimates), but not one the data support. */
    double f_lo, f_hi, r_lo, r_hi;
    sample_range(&forward, 1.0, &f_lo, &f_hi);
    sample_range(&reverse, -1.0, &r_lo, &r_hi);
    if (f_hi < r_lo || r_hi < f_lo) return TL_ERR_NO_OVERLAP;
    double lo = beta * fmin(f_lo, r_lo), hi = beta * fmax(f_hi, r_hi);
    if (!isfinite(lo) || !isfinite(hi)) return TL_ERR_INPUT; /* beta W overflows */

    struct bar_problem p = {&forward, &reverse, beta, log(n_f / n_r)};
    gsl_function g = {bar_function, &p};
    double u;
    int status = bar_solve(&g, lo, hi, &u);
    if (status != TL_OK) return status;

    *delta_f = u / beta;
    if (std_err) {
        double var = fermi_rel_var(&forward, beta, p.m - u, n_f)
                     + fermi_rel_var(&reverse, beta, u - p.m, n_r);
        *std_err = sqrt(var) / beta;
    }
    return TL_OK;
}

double tl_estimate_jarzynski_forward(tl_samples forward, double beta)
{
    double n = total_weight(&forward);
    if (n < 0.0 || !(beta > 0.0) || !isfinite(beta)) return NAN;
    return -log_mean_exp(&forward, -beta, n) / beta;
}

double tl_estimate_jarzynski_reverse(tl_samples reverse, double beta)
{
    double n = total_weight(&reverse);
    if (n < 0.0 || !(beta > 0.0) || !isfinite(beta)) return NAN;
    return log_mean_exp(&reverse, -beta, n) / beta;
}

double tl_estimate_gaussian(double mean, double variance, double beta)
{
    if (!(variance >= 0.0) || !(beta > 0.0)) return NAN;
    return mean - 0.5 * beta * variance;
}

/* Sum of a histogram as a double (counts can exceed 2^53 only in total). */
static double histogram_total(const uint64_t *counts, size_t nbins)
{
    double total = 0.0;
    for (size_t b = 0; b < nbins; b++) total += (double)counts[b];
    return total;
}

int tl_estimate_crossing(const uint64_t *counts_f, const uint64_t *counts_r_mirrored,
                         const double *edges, size_t nbins, double beta, double *delta_f)
{
    if (delta_f) *delta_f = NAN;
    if (!counts_f || !counts_r_mirrored || !edges || !delta_f || nbins == 0
        || !(beta > 0.0) || !isfinite(beta))
        return TL_ERR_INPUT;
    for (size_t b = 0; b < nbins; b++)
        if (!isfinite(edges[b]) || !isfinite(edges[b + 1]) || !(edges[b + 1] > edges[b]))
            return TL_ERR_INPUT;

    double n_f = histogram_total(counts_f, nbins);
    double n_r = histogram_total(counts_r_mirrored, nbins);
    double sum_w = 0.0, sum_wy = 0.0;
    for (size_t b = 0; b < nbins; b++) {
        if (counts_f[b] == 0 || counts_r_mirrored[b] == 0) continue;
        double c_f = (double)counts_f[b], c_r = (double)counts_r_mirrored[b];
        /* p = count / (N width); both histograms share the bin, so the width
         * cancels in ln(p_F/p_R). */
        double log_ratio = log(c_f / n_f) - log(c_r / n_r);
        double centre = 0.5 * (edges[b] + edges[b + 1]);
        /* Poisson: var ln(c_f/c_r) = 1/c_f + 1/c_r; the common 1/beta^2 of
         * var y cancels in the weighted mean. */
        double w = c_f * c_r / (c_f + c_r);
        sum_w += w;
        sum_wy += w * (centre - log_ratio / beta);
    }
    if (sum_w == 0.0) return TL_ERR_NO_OVERLAP;
    *delta_f = sum_wy / sum_w;
    return TL_OK;
}

double tl_overlap_coefficient(const uint64_t *counts_f, const uint64_t *counts_r_mirrored,
                              size_t nbins)
{
    if (!counts_f || !counts_r_mirrored || nbins == 0) return NAN;
    double n_f = histogram_total(counts_f, nbins);
    double n_r = histogram_total(counts_r_mirrored, nbins);
    if (n_f == 0.0 || n_r == 0.0) return NAN;
    double sum = 0.0;
    for (size_t b = 0; b < nbins; b++)
        sum += fmin((double)counts_f[b] / n_f, (double)counts_r_mirrored[b] / n_r);
    return sum;
}
