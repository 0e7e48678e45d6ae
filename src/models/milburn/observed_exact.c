/* Exact references of the partially observed switch (Milburn section 2.3).
 *
 * The stationary law of the continuum filter (Wonham).  With pi = (1 + n_c)/2
 * the corrected eq. 37 reads d pi = [mu (1 - pi) - nu pi] dt + k pi (1 - pi) dI,
 * k^2 = 2 Gamma; its stationary Fokker-Planck solution is
 *   p(pi) ~ pi^{-2 + c} (1 - pi)^{-2 - c} exp[-(2/k^2)(mu/pi + nu/(1 - pi))],  c = 2 (mu - nu)/k^2,
 * normalised by quadrature (GSL QAGP, break points towards both ends where the
 * mass concentrates at strong measurement).
 *
 * The observed current of the discretised chain (observed.h): with A = e^{-a h},
 * rho = e^{-lambda h}, m = (mu - nu)/lambda and the stationary chain,
 *   E[Io] = r kappa m / a,
 *   Var Io = r^2 gamma / (2a) + (r kappa / a)^2 (1 - m^2) (1 - A)/(1 + A) (1 + rho A)/(1 - rho A),
 * the first term from the exact Ornstein-Uhlenbeck weights of the noise, the
 * second from the chain's autocovariance (1 - m^2) rho^{|k - j|} summed with
 * the weights (1 - A) A^k.  As h -> 0 the second factor tends to a/(a + lambda):
 * eq. 31 (a = r) gives r gamma/2 + kappa^2 (1 - m^2) r/(r + lambda), the
 * printed eq. 32 (a = r^2) gives gamma/2 + kappa^2 (1 - m^2)/(r^2 + lambda).
 */
#include <math.h>

#include <gsl/gsl_integration.h>

#include "observed.h"

#define WORKSPACE 1000

static double log_unnormalised(const ob_wonham *w, double pi)
{
    double c = 2 * (w->mu - w->nu) / w->k2;
    return (-2 + c) * log(pi) + (-2 - c) * log1p(-pi) - (2 / w->k2) * (w->mu / pi + w->nu / (1 - pi));
}

typedef struct {
    const ob_wonham *w;
    int moment; /* 0: density, 1: n_c, 2: 1 - n_c^2 */
} integrand_args;

static double integrand(double pi, void *arg)
{
    const integrand_args *a = arg;
    if (pi <= 0 || pi >= 1) return 0;
    double f = exp(log_unnormalised(a->w, pi) - a->w->log_norm), nc = 2 * pi - 1;
    return a->moment == 0 ? f : a->moment == 1 ? nc * f : (1 - nc * nc) * f;
}

/* int_a^b of the moment over pi in [a, b], with the break points inside. */
static double integrate(const ob_wonham *w, int moment, double a, double b)
{
    static const double breaks[] = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999};
    double pts[sizeof breaks / sizeof breaks[0] + 2];
    size_t n = 0;
    pts[n++] = a;
    for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++)
        if (breaks[i] > a && breaks[i] < b) pts[n++] = breaks[i];
    pts[n++] = b;
    integrand_args args = {w, moment};
    gsl_function f = {integrand, &args};
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(WORKSPACE);
    double result = 0, err;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_integration_qagp(&f, pts, n, 0, 1e-12, WORKSPACE, ws, &result, &err);
    gsl_set_error_handler(old);
    gsl_integration_workspace_free(ws);
    return result;
}

int ob_wonham_init(ob_wonham *w, double mu, double nu, double gamma_rate)
{
    *w = (ob_wonham){.mu = mu, .nu = nu, .k2 = 2 * gamma_rate, .log_norm = 0};
    /* shift by the log-density's largest value on a coarse scan, then normalise */
    double top = -INFINITY;
    for (int i = 1; i < 4000; i++) {
        double pi = i / 4000.0;
        top = fmax(top, log_unnormalised(w, pi));
    }
    for (int i = 1; i < 60; i++) { /* the ends, where the mass sits at strong measurement */
        double pi = pow(10.0, -0.1 * i);
        top = fmax(top, fmax(log_unnormalised(w, pi), log_unnormalised(w, 1 - pi)));
    }
    w->log_norm = top;
    double z = integrate(w, 0, 0, 1);
    if (!(z > 0) || !isfinite(z)) return -1;
    w->log_norm += log(z);
    return 0;
}

double ob_wonham_density(const ob_wonham *w, double nc)
{
    double pi = 0.5 * (1 + nc);
    if (pi <= 0 || pi >= 1) return 0;
    return 0.5 * exp(log_unnormalised(w, pi) - w->log_norm);
}

double ob_wonham_mmse(const ob_wonham *w)
{
    return integrate(w, 2, 0, 1);
}

double ob_wonham_mean(const ob_wonham *w)
{
    return integrate(w, 1, 0, 1);
}

double ob_wonham_mass(const ob_wonham *w, double a, double b)
{
    return integrate(w, 0, 0.5 * (1 + a), 0.5 * (1 + b));
}

void ob_current_moments(const ob_params *p, double h, double *mean, double *square)
{
    double lambda = p->mu + p->nu, m = (p->mu - p->nu) / lambda, r = p->response;
    double a = p->current_filter == OB_CURRENT_EQ31 ? r : r * r;
    double A = exp(-a * h), rho = exp(-lambda * h);
    /* (1 - A)/(1 + A) (1 + rho A)/(1 - rho A), and its limit a/(a + lambda) at h = 0 */
    double shape = h > 0 ? -expm1(-a * h) / (1 + A) * (1 + rho * A) / -expm1(-(a + lambda) * h) : a / (a + lambda);
    double signal = (r * p->kappa / a) * (r * p->kappa / a) * (1 - m * m) * shape;
    double noise = r * r * ob_gamma(p) / (2 * a);
    *mean = r * p->kappa * m / a;
    *square = noise + signal + *mean * *mean;
}
