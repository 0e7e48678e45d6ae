/* References of the clocks of Milburn section 6: the fixed point and its Hopf
 * threshold, the deterministic limit cycle (GSL rk8pd), the paper's r* of
 * eqs. 99 and 101, and the Wald law of the phase clock. */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_poly.h>

#include "clock.h"

#define PI 3.141592653589793

double ck_fixed_point(double chi, double eps)
{
    /* g(x) = x + chi (tanh x + eps) is increasing for chi >= 0: bisection */
    double lo = -chi * (1 + fabs(eps)) - 1, hi = chi * (1 + fabs(eps)) + 1;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (mid + chi * (tanh(mid) + eps) > 0) hi = mid;
        else lo = mid;
    }
    return (lo + hi) / 2;
}

double ck_fixed_point_growth(double gamma, double kappa, double chi, double eps)
{
    double x = ck_fixed_point(chi, eps), c = cosh(x), g = 2 * gamma * c;
    /* the Jacobian of (v, x, y) at the fixed point: lambda^3 + a lambda^2 + b lambda + d */
    double a = kappa + g, b = kappa * g + 1, d = g * (1 + chi / (c * c));
    double coef[4] = {d, b, a, 1}, roots[6];
    gsl_poly_complex_workspace *w = gsl_poly_complex_workspace_alloc(4);
    gsl_poly_complex_solve(coef, 4, w, roots);
    gsl_poly_complex_workspace_free(w);
    double best = -INFINITY;
    for (int k = 0; k < 3; k++) best = fmax(best, roots[2 * k]);
    return best;
}

double ck_chi_hopf(double gamma, double kappa)
{
    return (kappa + 2 * gamma) * (2 * gamma * kappa + 1) / (2 * gamma) - 1;
}

double ck_hopf_bias(double gamma, double kappa, double chi)
{
    if (ck_fixed_point_growth(gamma, kappa, chi, 0) < 0) return NAN;
    double lo = 0, hi = NAN;
    for (double e = 0.01; e <= 10; e += 0.01)
        if (ck_fixed_point_growth(gamma, kappa, chi, e) < 0) {
            hi = e;
            break;
        }
    if (isnan(hi)) return NAN;
    lo = hi - 0.01;
    for (int i = 0; i < 60; i++) {
        double mid = (lo + hi) / 2;
        if (ck_fixed_point_growth(gamma, kappa, chi, mid) < 0) hi = mid;
        else lo = mid;
    }
    return (lo + hi) / 2;
}

/* ---- the deterministic cycle ---- */

static int rhs(double t, const double s[], double ds[], void *params)
{
    const ck_params *p = params;
    double x = s[0], y = s[1], v = s[2];
    ds[0] = y;
    ds[1] = -x - p->kappa * y + p->chi * (v - p->eps);
    ds[2] = p->gamma * exp(-x) * (1 - v) - p->gamma * exp(x) * (1 + v);
    return GSL_SUCCESS;
}

/* Advance state s from t by dt (dt may be negative) with a fresh driver. */
static int advance(gsl_odeiv2_system *sys, double *t, double s[3], double dt)
{
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(sys, gsl_odeiv2_step_rk8pd, dt > 0 ? 1e-3 : -1e-3,
                                                         1e-13, 1e-13);
    int status = gsl_odeiv2_driver_apply(d, t, *t + dt, s);
    gsl_odeiv2_driver_free(d);
    return status;
}

double ck_cycle_find(ck_params *p)
{
    p->x_fixed = ck_fixed_point(p->chi, p->eps);
    gsl_odeiv2_system sys = {rhs, NULL, 3, p};
    double s[3] = {p->x_fixed + 1, 0, -tanh(p->x_fixed + 1)}, t = 0, h = 1e-2;
    if (advance(&sys, &t, s, 100) != GSL_SUCCESS) return NAN;
    /* upward passages through x = x*, armed below x* - hysteresis, refined by Newton in time */
    double last = NAN, period = NAN, cross[3] = {0};
    int armed = 0, found = 0;
    for (long k = 0; k < 40000 && found < 40; k++) {
        double prev[3] = {s[0], s[1], s[2]}, t_prev = t;
        if (advance(&sys, &t, s, h) != GSL_SUCCESS) return NAN;
        if (s[0] < p->x_fixed - p->hysteresis) armed = 1;
        if (!(armed && s[0] >= p->x_fixed)) continue;
        armed = 0;
        double c[3] = {prev[0], prev[1], prev[2]}, tc = t_prev;
        for (int it = 0; it < 8; it++) {
            double step = (p->x_fixed - c[0]) / c[1];
            if (fabs(step) < 1e-15) break;
            advance(&sys, &tc, c, step);
        }
        if (!isnan(last)) {
            double T = tc - last;
            if (found > 3 && fabs(T - period) < 1e-10) {
                period = T;
                cross[0] = c[0], cross[1] = c[1], cross[2] = c[2];
                break;
            }
            period = T;
        }
        cross[0] = c[0], cross[1] = c[1], cross[2] = c[2];
        last = tc;
        found++;
    }
    if (isnan(period)) return NAN;
    p->x0 = cross[0], p->y0 = cross[1], p->v0 = cross[2];
    return period;
}

double ck_paper_radius(double gamma, double kappa, double chi)
{
    double K = 4 * chi / (PI * kappa);
    double f_lo = NAN, lo = sqrt(K / 2), hi;
#define F(r) ((r) * (r) - K * log((r) / gamma))
    f_lo = F(lo);
    if (f_lo > 0) return NAN;
    for (hi = 2 * lo + gamma; F(hi) < 0; hi *= 2) {}
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (F(mid) < 0) lo = mid;
        else hi = mid;
    }
#undef F
    return (lo + hi) / 2;
}

double ck_wald_mean(double omega)
{
    return 2 * PI / omega;
}

double ck_wald_var(double omega, double sigma, double radius)
{
    return 2 * PI * sigma / (radius * radius * omega * omega * omega);
}

double ck_wald_density(double t, double mean, double var)
{
    if (!(t > 0)) return 0;
    double shape = mean * mean * mean / var;
    return sqrt(shape / (2 * PI * t * t * t)) * exp(-shape * (t - mean) * (t - mean) / (2 * mean * mean * t));
}

/* ---- the LIF synapse ---- */

typedef struct {
    const ck_lif *l;
    double t_end;
} lif_quad;

static double lif_integrand(double s, void *arg)
{
    const lif_quad *q = arg;
    return exp(-q->l->k * q->l->k * (q->t_end - s)) * ck_lif_drive(q->l, s);
}

double ck_lif_mean(const ck_lif *l, double t_end)
{
    /* piecewise over the presynaptic half-periods: the integrand has a kink-like tanh edge at each zero */
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
    lif_quad q = {l, t_end};
    gsl_function f = {lif_integrand, &q};
    double total = 0, half = l->pre_period / 2;
    for (double a = 0; a < t_end; a += half) {
        double b = fmin(a + half, t_end), value, err;
        gsl_integration_qag(&f, a, b, 0, 1e-12, 2000, GSL_INTEG_GAUSS61, w, &value, &err);
        total += value;
    }
    gsl_integration_workspace_free(w);
    return total;
}

double ck_lif_var(const ck_lif *l, double t_end)
{
    return l->noise * (1 - exp(-2 * l->k * l->k * t_end)) / 2;
}

/* ---- the passage count of the phase clock (a Wald renewal process) ---- */

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_erf.h>

/* The inverse Gaussian CDF, its second term e^{2 lambda/mu} Phi(-z) taken through logs (it
 * overflows for large 2 lambda/mu otherwise). */
static double wald_cdf(double t, double mu, double lambda)
{
    double a = sqrt(lambda / t);
    double first = gsl_cdf_ugaussian_P(a * (t / mu - 1));
    double z = a * (t / mu + 1);
    double second = exp(2 * lambda / mu + gsl_sf_log_erfc(z / sqrt(2)) - log(2.0));
    return first + second;
}

void ck_wald_count_moments(double omega, double sigma, double radius, double t, double *mean, double *var)
{
    double s2 = sigma / (radius * radius), m = 0, m2 = 0;
    for (long k = 1;; k++) {
        double a = 2 * PI * (double)k, f = wald_cdf(t, a / omega, a * a / s2);
        m += f, m2 += (double)(2 * k - 1) * f;
        if (f < 1e-17 && a / omega > t) break;
    }
    *mean = m;
    *var = m2 - m * m;
}

/* ---- eq. 115 in the rate approximation ---- */

static double window_integrand(double s, void *arg)
{
    const ck_lif *l = arg;
    return exp(-l->k * l->k * (l->tau - s)) / (1 + exp(l->alpha * (s - l->tau)));
}

double ck_network_j_approx(const ck_params *p, const double rate[2])
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    ck_lif l = p->lif;
    gsl_function f = {window_integrand, &l};
    double value, err;
    gsl_integration_qag(&f, 0, l.tau, 0, 1e-12, 1000, GSL_INTEG_GAUSS61, w, &value, &err);
    gsl_integration_workspace_free(w);
    double total = 0;
    for (int i = 0; i < 2; i++) total += l.k * p->net.w[i] * (p->net.synapse == CK_SYNAPSE_LEVEL ? 1 : rate[i]);
    return total * value;
}
