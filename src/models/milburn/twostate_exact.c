/* Exact references of the two-state switch: the master equation of eq. 5,
 *   dp1/dt = mu(t) (1 - p1) - nu(t) p1,
 * integrated to round-off (GSL rk8pd, absolute and relative tolerance 1e-12)
 * together with the quantities that are integrals along it:
 *   A = int mu, B = int nu             (P(n never changes) = p1(0) e^{-B} + p-1(0) e^{-A};
 *                                       P(no N+- event) = e^{-A-B}, eq. 17 as printed)
 *   m_W = int sum_n p_n dE_n/dt        (the mean work)
 *   S = int_0^t P(no jump by s) ds     (the mean censored first-jump time)
 *   g_n: dg_n/dt = sum_m L_nm g_m - (dE_n/dt / T) g_n, g(0) = p(0)
 *                                      (the tilted equation: sum_n g_n(time) = <e^{-W/T}>)
 * The integration stops at the protocol's kinks (the end of the linear ramp,
 * the step of Fig. 6B, where the levels jump and the jump's work is added
 * exactly) and at the survival checkpoints.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "milburn.h"

enum { Y_P1, Y_A, Y_B, Y_W, Y_S, Y_GP, Y_GM, N_Y };

/* d/dt of mu(t) and nu(t), away from kinks. */
static void rate_derivatives(const ts_params *p, double t, double *dmu, double *dnu)
{
    double sign = p->reverse ? -1.0 : 1.0, s = p->reverse ? p->time - t : t, df = 0;
    if (p->protocol == TS_LINEAR) df = s < p->tau ? 1.0 / p->tau : 0.0;
    else if (p->protocol == TS_SIGMOID) {
        double f = 1.0 / (1.0 + exp(-(s - p->t0) / p->width));
        df = f * (1 - f) / p->width;
    }
    *dmu = sign * df * (p->nu - p->mu);
    *dnu = -sign * df * (p->nu - p->mu);
}

/* d eps / dt, eps = T ln(nu/mu) (thermal levels; 0 for kinetic ones). */
static double level_rate(const ts_params *p, double t, double mu, double nu)
{
    if (p->energy == TS_KINETIC) return 0.0;
    double dmu, dnu;
    rate_derivatives(p, t, &dmu, &dnu);
    return p->temperature * (dnu / nu - dmu / mu);
}

typedef struct {
    const ts_params *p;
    double p1_0;
} ode_ctx;

static int rhs(double t, const double y[], double dydt[], void *params)
{
    const ode_ctx *c = params;
    double mu, nu;
    ts_rates(c->p, t, &mu, &nu);
    double deps = level_rate(c->p, t, mu, nu), beta = c->p->energy == TS_THERMAL ? 1 / c->p->temperature : 0;
    dydt[Y_P1] = mu * (1 - y[Y_P1]) - nu * y[Y_P1];
    dydt[Y_A] = mu;
    dydt[Y_B] = nu;
    dydt[Y_W] = 0.5 * deps * (2 * y[Y_P1] - 1);
    dydt[Y_S] = c->p1_0 * exp(-y[Y_B]) + (1 - c->p1_0) * exp(-y[Y_A]);
    dydt[Y_GP] = mu * y[Y_GM] - nu * y[Y_GP] - beta * 0.5 * deps * y[Y_GP];
    dydt[Y_GM] = nu * y[Y_GP] - mu * y[Y_GM] + beta * 0.5 * deps * y[Y_GM];
    return GSL_SUCCESS;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The time of the protocol's kink in the simulated direction, or NaN. */
static double kink(const ts_params *p)
{
    double k = p->protocol == TS_LINEAR ? p->tau : p->protocol == TS_STEP ? p->t0 : NAN;
    if (!(k > 0 && k < p->time)) return NAN;
    return p->reverse ? p->time - k : k;
}

static double free_energy(double eps, double temperature)
{
    double a = fabs(eps);
    return -0.5 * a - temperature * log1p(exp(-a / temperature)); /* -T ln 2 cosh(eps / 2T) */
}

int ts_exact_compute(const ts_params *p, ts_exact *ex, double *survival, double *mean_state)
{
    size_t K = p->survival_times, n_stops = 0;
    double *stops = malloc((K + 2) * sizeof *stops);
    if (!stops) return -1;
    for (size_t k = 1; k <= K; k++) stops[n_stops++] = p->time * (double)k / (double)K;
    double t_kink = kink(p);
    if (!isnan(t_kink)) stops[n_stops++] = t_kink;
    stops[n_stops++] = p->time;
    qsort(stops, n_stops, sizeof *stops, compare);

    ode_ctx ctx = {p, ts_p_up_initial(p)};
    double y[N_Y] = {ctx.p1_0, 0, 0, 0, 0, ctx.p1_0, 1 - ctx.p1_0};
    gsl_odeiv2_system sys = {rhs, NULL, N_Y, &ctx};
    double h0 = fmin(1e-3, 1e-3 / ts_rate_bound(p));
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, h0, 1e-12, 1e-12);
    int status = 0;
    double t = 0;
    size_t k_out = 0;
    int jumped = 0;
    for (size_t s = 0; s < n_stops && !status; s++) {
        if (stops[s] > t) {
            status = gsl_odeiv2_driver_apply(d, &t, stops[s], y) != GSL_SUCCESS;
            gsl_odeiv2_driver_reset(d);
        }
        if (k_out < K && stops[s] == p->time * (double)(k_out + 1) / (double)K) {
            if (survival) survival[k_out] = ctx.p1_0 * exp(-y[Y_B]) + (1 - ctx.p1_0) * exp(-y[Y_A]);
            if (mean_state) mean_state[k_out] = 2 * y[Y_P1] - 1;
            k_out++;
        }
        if (!jumped && stops[s] == t_kink && p->protocol == TS_STEP && p->energy == TS_THERMAL) {
            jumped = 1;
            /* the levels jump with nu: eps -> eps +- T ln(1 + a) */
            double jump = (p->reverse ? -1 : 1) * p->temperature * log1p(p->step_factor);
            y[Y_W] += 0.5 * jump * (2 * y[Y_P1] - 1);
            y[Y_GP] *= exp(-0.5 * jump / p->temperature);
            y[Y_GM] *= exp(0.5 * jump / p->temperature);
        }
    }
    gsl_odeiv2_driver_free(d);
    free(stops);
    if (status) return -1;
    double p1 = y[Y_P1], none = exp(-y[Y_A] - y[Y_B]);
    ex->p_up_final = p1;
    ex->p_no_jump = ctx.p1_0 * exp(-y[Y_B]) + (1 - ctx.p1_0) * exp(-y[Y_A]);
    ex->p_no_event = none;
    ex->p_s_plus = p1 - ctx.p1_0 * none;
    ex->p_s_minus = (1 - p1) - (1 - ctx.p1_0) * none;
    double e_end = ts_energy(p, 1, p->time), e_start = ts_energy(p, 1, 0.0);
    ex->mean_energy_change = e_end * (2 * p1 - 1) - e_start * (2 * ctx.p1_0 - 1);
    ex->mean_work = y[Y_W];
    ex->mean_first_jump = y[Y_S];
    if (p->energy == TS_THERMAL) {
        ex->jarzynski = y[Y_GP] + y[Y_GM];
        ex->delta_f = free_energy(2 * e_end, p->temperature) - free_energy(2 * e_start, p->temperature);
    } else {
        ex->jarzynski = ex->delta_f = NAN;
    }
    return 0;
}

double ts_paper_p_up(double mu, double nu, double tau)
{
    double lam = mu + nu;
    return nu / lam - (nu - mu) * (-expm1(-lam * tau)) / (tau * lam * lam);
}
