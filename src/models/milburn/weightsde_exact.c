/* Exact references of the weight SDE (Milburn section 4.2): quadrature of
 * stationary laws, the fixed point of eq. 85's drift and eq. 88, and the
 * Fokker-Planck equation on a grid (weightsde.h).
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_vector.h>

#include "thermolearn/error.h"
#include "weightsde.h"

#define SIMPSON_INTERVALS 40000
#define TAIL 60.0 /* the support: U(+-L) - U_min >= 60 / scale */

/* Half-width of the support of exp(-scale U): the quadratic term dominates there. */
static double support(const ws_params *p, double scale)
{
    double bump = fabs(ws_learning_scale(p)) * (2 / p->beta + p->beta) + 1; /* bounds |learning part| */
    return sqrt(2 * (TAIL / scale + 2 * bump) / p->gamma_w) + 1;
}

ws_moments ws_density_moments(const ws_params *p, int paper_potential, double scale)
{
    double L = support(p, scale), h = 2 * L / SIMPSON_INTERVALS, umin = INFINITY;
    for (int i = 0; i <= SIMPSON_INTERVALS; i++) {
        double w = -L + i * h, u = paper_potential ? ws_paper_potential(p, w) : ws_potential(p, w);
        umin = fmin(umin, u);
    }
    double z = 0, m1 = 0, m2 = 0, neg = 0;
    for (int i = 0; i <= SIMPSON_INTERVALS; i++) {
        double w = -L + i * h, u = paper_potential ? ws_paper_potential(p, w) : ws_potential(p, w);
        double c = (i == 0 || i == SIMPSON_INTERVALS ? 1 : i % 2 ? 4 : 2) * exp(-scale * (u - umin));
        z += c, m1 += c * w, m2 += c * w * w;
        /* P(w < 0): the node at 0 (i = N/2, weight 2) counts half */
        neg += i < SIMPSON_INTERVALS / 2 ? c : i == SIMPSON_INTERVALS / 2 ? 0.5 * c : 0;
    }
    ws_moments m = {m1 / z, m2 / z - (m1 / z) * (m1 / z), neg / z, umin, log(z * h / 3)};
    return m;
}

double ws_fixed_point(const ws_params *p)
{
    /* -V' is strictly decreasing where gamma_w dominates; bracket and bisect to round-off */
    double lo = -1, hi = 1;
    while (ws_force(p, lo) < 0) lo *= 2;
    while (ws_force(p, hi) > 0) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * fmax(1, fabs(lo)); i++) {
        double mid = 0.5 * (lo + hi);
        if (ws_force(p, mid) > 0) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

double ws_eq88_root(double a, double beta)
{
    /* sech^2(v) + a v = 0 has its root in (-1/a, 0) for a > 0 */
    double lo = -1 / a - 1, hi = 0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi), c = cosh(mid);
        if (1 / (c * c) + a * mid > 0) hi = mid;
        else lo = mid;
    }
    return 2 * 0.5 * (lo + hi) / beta;
}

/* The finite-volume generator: dp_i/dt = sub_i p_{i-1} + diag_i p_i + sup_i p_{i+1}, with the flux
 * F_{i+1/2} = f(w_{i+1/2}) (p_i + p_{i+1})/2 - T (p_{i+1} - p_i)/hx, zero at both ends. */
static void generator(const ws_params *p, size_t n, double lo, double hx, double *sub, double *diag, double *sup)
{
    const double T = p->temperature;
    for (size_t i = 0; i < n; i++) sub[i] = diag[i] = sup[i] = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double f = ws_force(p, lo + (i + 0.5) * hx);
        double a = 0.5 * f + T / hx, c = 0.5 * f - T / hx; /* F = a p_i + c p_{i+1} */
        diag[i] -= a / hx, sup[i] -= c / hx;               /* out of cell i */
        sub[i + 1] += a / hx, diag[i + 1] += c / hx;       /* into cell i + 1 */
    }
}

/* (1 - theta ht G) p_new = (1 + (1 - theta) ht G) p_old, tridiagonal. */
static void step(size_t n, const double *sub, const double *diag, const double *sup, double ht, double theta,
                 gsl_vector *p, gsl_vector *rhs, gsl_vector *d, gsl_vector *e, gsl_vector *f)
{
    for (size_t i = 0; i < n; i++) {
        double v = gsl_vector_get(p, i) * (1 + (1 - theta) * ht * diag[i]);
        if (i > 0) v += (1 - theta) * ht * sub[i] * gsl_vector_get(p, i - 1);
        if (i + 1 < n) v += (1 - theta) * ht * sup[i] * gsl_vector_get(p, i + 1);
        gsl_vector_set(rhs, i, v);
        gsl_vector_set(d, i, 1 - theta * ht * diag[i]);
        if (i + 1 < n) gsl_vector_set(e, i, -theta * ht * sup[i]), gsl_vector_set(f, i, -theta * ht * sub[i + 1]);
    }
    if (gsl_linalg_solve_tridiag(d, e, f, rhs, p)) error("weightsde: the Fokker-Planck step failed");
}

/* E[g] under the grid density, g(w) = -(L D/2) (tanh^2 a)' = -L T beta x tanh(a) sech^2(a), a = beta (w x + b)/2. */
static double mean_feedback_rate(const double *rate, const gsl_vector *pv, size_t n, double hx)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += rate[i] * gsl_vector_get(pv, i);
    return sum * hx;
}

ws_grid *ws_grid_solve(const ws_params *p, double time, double hx, double ht)
{
    ws_grid *g = tl_calloc(1, sizeof *g, "weightsde grid");
    double L = support(p, 1 / p->temperature);
    size_t half = (size_t)ceil(L / hx);
    g->nodes = 2 * half + 1, g->lo = -(double)half * hx, g->hx = hx; /* w = 0 is a node */
    size_t n = g->nodes;
    double *sub = tl_malloc(3 * n * sizeof *sub, "grid"), *diag = sub + n, *sup = sub + 2 * n;
    generator(p, n, g->lo, hx, sub, diag, sup);
    gsl_vector *pv = gsl_vector_alloc(n), *rhs = gsl_vector_alloc(n), *d = gsl_vector_alloc(n),
               *e = gsl_vector_alloc(n - 1), *f = gsl_vector_alloc(n - 1);
    double var0 = p->temperature / p->gamma_w, sum = 0;
    for (size_t i = 0; i < n; i++) {
        double w = g->lo + i * hx;
        gsl_vector_set(pv, i, exp(-0.5 * w * w / var0));
        sum += gsl_vector_get(pv, i) * hx;
    }
    gsl_vector_scale(pv, 1 / sum);
    g->mean_potential_initial = g->entropy_initial = 0;
    for (size_t i = 0; i < n; i++) {
        double q = gsl_vector_get(pv, i);
        g->mean_potential_initial += q * ws_potential(p, g->lo + i * hx) * hx;
        g->entropy_initial -= q > 0 ? q * log(q) * hx : 0;
    }
    double *rate = tl_malloc(n * sizeof *rate, "grid");
    for (size_t i = 0; i < n; i++) {
        double a = 0.5 * p->beta * ((g->lo + i * hx) * p->input + p->bias), c = cosh(a);
        rate[i] = -ws_learning_scale(p) * p->temperature * p->beta * p->input * tanh(a) / (c * c);
    }
    double r0 = mean_feedback_rate(rate, pv, n, hx), r1;
    g->feedback_work = 0;
    long steps = (long)ceil(time / ht * (1 - 1e-12));
    double k = steps ? time / steps : 0;
    for (long s = 0; s < steps; s++) {
        if (s == 0) { /* Rannacher start: two implicit Euler half steps damp CN's oscillations */
            step(n, sub, diag, sup, 0.5 * k, 1.0, pv, rhs, d, e, f);
            r1 = mean_feedback_rate(rate, pv, n, hx), g->feedback_work += 0.25 * k * (r0 + r1), r0 = r1;
            step(n, sub, diag, sup, 0.5 * k, 1.0, pv, rhs, d, e, f);
            r1 = mean_feedback_rate(rate, pv, n, hx), g->feedback_work += 0.25 * k * (r0 + r1), r0 = r1;
        } else {
            step(n, sub, diag, sup, k, 0.5, pv, rhs, d, e, f);
            r1 = mean_feedback_rate(rate, pv, n, hx), g->feedback_work += 0.5 * k * (r0 + r1), r0 = r1;
        }
    }
    free(rate);
    g->density = tl_malloc(n * sizeof *g->density, "grid");
    g->mean = g->square = g->p_negative = g->mean_potential = g->entropy = 0;
    for (size_t i = 0; i < n; i++) {
        double w = g->lo + i * hx, q = gsl_vector_get(pv, i);
        g->density[i] = q;
        g->mean += q * w * hx, g->square += q * w * w * hx, g->mean_potential += q * ws_potential(p, w) * hx;
        g->p_negative += (w < 0 ? 1 : w == 0 ? 0.5 : 0) * q * hx;
        g->entropy -= q > 0 ? q * log(q) * hx : 0;
    }
    gsl_vector_free(pv), gsl_vector_free(rhs), gsl_vector_free(d), gsl_vector_free(e), gsl_vector_free(f);
    free(sub);
    return g;
}

void ws_grid_free(ws_grid *g)
{
    if (!g) return;
    free(g->density), free(g);
}

double ws_grid_mass(const ws_grid *g, double a, double b)
{
    double mass = 0;
    for (size_t i = 0; i < g->nodes; i++) {
        double c = g->lo + i * g->hx, lo = fmax(a, c - 0.5 * g->hx), hi = fmin(b, c + 0.5 * g->hx);
        if (hi > lo) mass += g->density[i] * (hi - lo);
    }
    return mass;
}
