/* Closed forms and numerical integrals for the perceptron (GSL). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>

#include "perceptron.h"
#include "thermolearn/error.h"

#define DENSITY_POINTS 4001 /* odd: Simpson's rule on the table */
#define DENSITY_WIDTH 12.0 /* table range: component means +- this many sqrt(T) */

/* (u - (1 - e^-u)) / tau: the mean of w / (nu F) after a ramp of length u from rest. */
static double ramp_response(double u, double tau)
{
    return (u + expm1(-u)) / tau;
}

double perceptron_mean_factor(const perceptron *pc, int direction, double s)
{
    double tau = pc->tau, t = pc->time, ramp = pc->ramp;
    if (direction == 0) {
        if (s <= ramp) return ramp_response(s, tau);
        return 1.0 + (ramp_response(ramp, tau) - 1.0) * exp(-(s - ramp)) + (pc->g_end - 1.0) * -expm1(-(s - ramp));
    }
    /* reverse: at rest in the trap g_end until t - ramp, then the ramp down */
    if (s <= t - ramp) return pc->g_end;
    return pc->g_end - ramp_response(s - (t - ramp), tau);
}

/* Dissipated heat per weight: work on the ramp minus the lag energy left at t,
 * nu^2 F^2 [ (tau' - 1 + e^-tau') / tau^2 - x(t)^2 / 2 ], x = g - M; mean F^2 = P/N. */
double perceptron_heat_theory(const perceptron *pc)
{
    double lag = pc->g_end - perceptron_mean_factor(pc, 0, pc->time);
    double per_f2 = ramp_response(pc->ramp, pc->tau) / pc->tau - 0.5 * lag * lag;
    return pc->nu * pc->nu * ((double)pc->p / pc->n) * per_f2;
}

typedef struct {
    double mean, sd, temperature;
} gauss_sigmoid;

static double sigmoid_integrand(double x, void *params)
{
    const gauss_sigmoid *g = params;
    double z = (x - g->mean) / g->sd;
    return exp(-0.5 * z * z) / (g->sd * sqrt(2.0 * M_PI)) / (1.0 + exp(-x / g->temperature));
}

/* Mean and variance of the stability Delta = sigma xi . w / sqrt(N) at t:
 * mean nu M, variance T + nu^2 M^2 (P - 1)/N (the N(P-1) cross terms). */
static void stability_law(const perceptron *pc, double *mean, double *var)
{
    double m = pc->nu * perceptron_mean_factor(pc, 0, pc->time);
    *mean = m;
    *var = pc->temperature + m * m * (double)(pc->p - 1) / pc->n;
}

double perceptron_p_correct_theory(const perceptron *pc)
{
    gauss_sigmoid g;
    double var;
    stability_law(pc, &g.mean, &var);
    g.sd = sqrt(var);
    g.temperature = pc->temperature;
    gsl_function f = {sigmoid_integrand, &g};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    double result, err;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_integration_qagi(&f, 1e-13, 1e-11, 1000, w, &result, &err);
    gsl_set_error_handler(old);
    gsl_integration_workspace_free(w);
    if (status) error("eq. 20: GSL integration failed: %s", gsl_strerror(status));
    return result;
}

double perceptron_p_correct_approx(const perceptron *pc)
{
    double mean, var;
    stability_law(pc, &mean, &var);
    /* nu -> nu/2: mean / 2, disorder variance / 4 */
    double half_var = pc->temperature + 0.25 * (var - pc->temperature);
    return gsl_cdf_ugaussian_P(0.5 * mean / sqrt(half_var));
}

double perceptron_information(double p)
{
    double s = 0;
    if (p > 0 && p < 1) s = -p * log(p) - (1 - p) * log1p(-p);
    return M_LN2 - s;
}

/* ---- the disorder-averaged marginal of one weight ----------------------------- */

/* ln sum_k binom_k N(w; nu m f_k, T), f_k = (2k - P)/sqrt(N), by log-sum-exp. */
static double mixture_log(const perceptron *pc, double m, double w)
{
    double T = pc->temperature, best = -INFINITY, scale = pc->nu * m / sqrt((double)pc->n);
    int nk = pc->k_hi - pc->k_lo + 1;
    for (int j = 0; j < nk; j++) {
        double x = w - scale * (2.0 * (pc->k_lo + j) - pc->p);
        double l = log(pc->binom[j]) - 0.5 * x * x / T;
        if (l > best) best = l;
    }
    double sum = 0;
    for (int j = 0; j < nk; j++) {
        double x = w - scale * (2.0 * (pc->k_lo + j) - pc->p);
        sum += pc->binom[j] * exp(-0.5 * x * x / T - best);
    }
    return best + log(sum) - 0.5 * log(2.0 * M_PI * T);
}

static void density_table(const perceptron *pc, double m, perceptron_density *d)
{
    double reach = fabs(pc->nu * m) * fmax(fabs(2.0 * pc->k_lo - pc->p), fabs(2.0 * pc->k_hi - pc->p)) /
                   sqrt((double)pc->n);
    d->mean_factor = m;
    d->lo = -reach - DENSITY_WIDTH * sqrt(pc->temperature);
    d->hi = -d->lo;
    d->size = DENSITY_POINTS;
    d->step = (d->hi - d->lo) / (double)(d->size - 1);
    d->logp = tl_malloc(d->size * sizeof *d->logp, "density table");
    for (size_t i = 0; i < d->size; i++) d->logp[i] = mixture_log(pc, m, d->lo + (double)i * d->step);
}

void perceptron_density_init(perceptron *pc)
{
    /* binomial weights of k = number of +1 terms in sqrt(N) F_n; tails below 1e-30 dropped */
    double sd = sqrt((double)pc->p) / 2.0;
    pc->k_lo = (int)fmax(0.0, floor(pc->p / 2.0 - 12.0 * sd - 1));
    pc->k_hi = (int)fmin((double)pc->p, ceil(pc->p / 2.0 + 12.0 * sd + 1));
    int nk = pc->k_hi - pc->k_lo + 1;
    pc->binom = tl_malloc((size_t)nk * sizeof *pc->binom, "binomial weights");
    for (int j = 0; j < nk; j++) pc->binom[j] = gsl_ran_binomial_pdf((unsigned)(pc->k_lo + j), 0.5, (unsigned)pc->p);
    for (int d = 0; d < pc->directions; d++) {
        density_table(pc, perceptron_mean_factor(pc, d, 0.0), &pc->density[d][0]);
        density_table(pc, perceptron_mean_factor(pc, d, pc->time), &pc->density[d][1]);
    }
}

void perceptron_density_free(perceptron *pc)
{
    for (int d = 0; d < 2; d++)
        for (int e = 0; e < 2; e++) free(pc->density[d][e].logp);
    free(pc->binom);
}

/* Cubic (Catmull-Rom) interpolation of the table; exact evaluation outside it. */
double perceptron_log_density(const perceptron *pc, int direction, int end, double w)
{
    const perceptron_density *d = &pc->density[direction][end];
    double x = (w - d->lo) / d->step;
    if (!(x >= 1.0 && x <= (double)d->size - 3.0)) return mixture_log(pc, d->mean_factor, w);
    size_t i = (size_t)x;
    double u = x - (double)i;
    const double *y = d->logp + i - 1;
    return y[1] + 0.5 * u * (y[2] - y[0] + u * (2.0 * y[0] - 5.0 * y[1] + 4.0 * y[2] - y[3] +
                                                u * (3.0 * (y[1] - y[2]) + y[3] - y[0])));
}

/* -int p ln p over the table of the forward end (composite Simpson on the
 * table's grid, which spans every component mean +- 12 sqrt(T)), minus the
 * entropy 1/2 ln(2 pi e T) of the initial Gaussian. */
double perceptron_entropy_exact(const perceptron *pc)
{
    const perceptron_density *d = &pc->density[0][1];
    double sum = 0;
    for (size_t i = 0; i < d->size; i++) {
        double w = i == 0 || i + 1 == d->size ? 1.0 : (i % 2 ? 4.0 : 2.0);
        sum -= w * exp(d->logp[i]) * d->logp[i];
    }
    return sum * d->step / 3.0 - 0.5 * log(2.0 * M_PI * M_E * pc->temperature);
}
