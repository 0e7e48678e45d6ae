/* Exact references of the double-well switch.
 *
 * Equilibrium quantities by adaptive quadrature (GSL QAGP, breakpoints at the
 * critical points of V): Z(lambda) = int e^{-V/T} dx, Delta F = -T ln
 * Z(lambda_1)/Z(lambda_0), <x>_lambda.
 *
 * Dynamical quantities of the continuum process (the mean and variance of
 * the work, <e^{-W/T}>, P(x(time) < 0)) from the Fokker-Planck equation
 * dP/dt = d/dx [V' P + T dP/dx] discretised as a master equation on the nodes
 * x_i = -L + i hx with the rates
 *   k_{i -> i+-1} = (T / hx^2) e^{-(V_{i+-1} - V_i) / 2T},
 * whose stationary law is e^{-V_i/T} exactly (detailed balance on the grid)
 * and which converges to the Fokker-Planck operator as O(hx^2).  In time,
 * Crank-Nicolson with lambda at the midpoint of each step.  The work moments
 * come from the hierarchy
 *   dm0/dt = L m0,  dm1/dt = L m1 + s m0,  dm2/dt = L m2 + 2 s m1,  s_i = -x_i dlambda/dt,
 * (m_k,i = E[W^k; x = x_i]) and the Jarzynski average from the tilted
 * generator dg/dt = (L - s/T) g.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_poly.h>

#include "milburn.h"
#include "thermolearn/error.h"

typedef struct {
    double lambda, temperature, vmin;
    int moment; /* 0: e^{-(V - vmin)/T}; 1: x e^{...} */
} weight_ctx;

static double weight(double x, void *params)
{
    const weight_ctx *c = params;
    double w = exp(-(dw_potential(x, c->lambda) - c->vmin) / c->temperature);
    return c->moment ? x * w : w;
}

/* int e^{-(V - vmin)/T} x^moment dx over [-L, L]; vmin is returned. */
static double integral(double lambda, double temperature, int moment, double *vmin_out)
{
    double roots[3], pts[5];
    int n = gsl_poly_solve_cubic(0.0, -0.5, -0.25 * lambda, &roots[0], &roots[1], &roots[2]);
    double vmin = INFINITY;
    for (int i = 0; i < n; i++) vmin = fmin(vmin, dw_potential(roots[i], lambda));
    double L = dw_support(lambda, temperature);
    size_t np = 0;
    pts[np++] = -L;
    for (int i = 0; i < n; i++) pts[np++] = roots[i];
    pts[np++] = L;
    weight_ctx c = {lambda, temperature, vmin, moment};
    gsl_function f = {weight, &c};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
    double result, err;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_integration_qagp(&f, pts, np, 1e-14, 1e-12, 2000, w, &result, &err);
    gsl_set_error_handler(old);
    gsl_integration_workspace_free(w);
    if (status && status != GSL_EROUND) result = NAN;
    if (vmin_out) *vmin_out = vmin;
    return result;
}

double dw_log_partition(double lambda, double temperature)
{
    double vmin;
    double z = integral(lambda, temperature, 0, &vmin);
    return log(z) - vmin / temperature;
}

double dw_delta_f(double lambda0, double lambda1, double temperature)
{
    return -temperature * (dw_log_partition(lambda1, temperature) - dw_log_partition(lambda0, temperature));
}

double dw_mean_x(double lambda, double temperature)
{
    return integral(lambda, temperature, 1, NULL) / integral(lambda, temperature, 0, NULL);
}

/* ---- the grid ----------------------------------------------------------------------------- */

typedef struct {
    size_t n, n_full;  /* active nodes (the first n), all nodes */
    double hx, lo, temperature;
    double *x, *v, *up, *down;        /* nodes, potential, rates i -> i+1 and i -> i-1 */
    double *diag, *above, *below, *rhs, *tmp; /* the tridiagonal system */
} grid;

/* The rates at lambda. */
static void grid_rates(grid *g, double lambda)
{
    double c = g->temperature / (g->hx * g->hx);
    for (size_t i = 0; i < g->n_full; i++) g->v[i] = dw_potential(g->x[i], lambda);
    for (size_t i = 0; i < g->n_full; i++) {
        g->up[i] = i + 1 < g->n_full ? c * exp(-(g->v[i + 1] - g->v[i]) / (2 * g->temperature)) : 0.0;
        g->down[i] = i > 0 ? c * exp(-(g->v[i - 1] - g->v[i]) / (2 * g->temperature)) : 0.0;
    }
}

/* out = (L - shift) p, L the generator (columns: out_i = sum_j L_ij p_j). */
static void apply(const grid *g, const double *shift, const double *p, double *out)
{
    for (size_t i = 0; i < g->n; i++) {
        double v = -(g->up[i] + g->down[i] + (shift ? shift[i] : 0)) * p[i];
        if (i > 0) v += g->up[i - 1] * p[i - 1];
        if (i + 1 < g->n) v += g->down[i + 1] * p[i + 1];
        out[i] = v;
    }
}

/* Solve (I - a (L - shift)) y = rhs into y. */
static int solve(grid *g, const double *shift, double a, const double *rhs, double *y)
{
    size_t n = g->n;
    for (size_t i = 0; i < n; i++) {
        g->diag[i] = 1 + a * (g->up[i] + g->down[i] + (shift ? shift[i] : 0));
        if (i + 1 < n) g->above[i] = -a * g->down[i + 1], g->below[i] = -a * g->up[i];
    }
    gsl_vector_view d = gsl_vector_view_array(g->diag, n), e = gsl_vector_view_array(g->above, n - 1),
                    f = gsl_vector_view_array(g->below, n - 1);
    gsl_vector_const_view b = gsl_vector_const_view_array(rhs, n);
    gsl_vector_view x = gsl_vector_view_array(y, n);
    return gsl_linalg_solve_tridiag(&d.vector, &e.vector, &f.vector, &b.vector, &x.vector);
}

int dw_grid_solve(const dw_params *p, double hx, double ht, dw_grid_result *out)
{
    double L = fmax(dw_support(p->lambda_start, p->temperature), dw_support(p->lambda_end, p->temperature));
    size_t half = (size_t)ceil(L / hx), n = 2 * half + 1; /* a node at x = 0 */
    grid g = {.n = n, .n_full = n, .hx = hx, .lo = -(double)half * hx, .temperature = p->temperature};
    double **vecs[] = {&g.x, &g.v, &g.up, &g.down, &g.diag, &g.above, &g.below, &g.rhs, &g.tmp};
    for (size_t k = 0; k < sizeof vecs / sizeof vecs[0]; k++) *vecs[k] = tl_calloc(n, sizeof(double), "grid");
    double *m[3], *gt, *s = tl_calloc(n, sizeof *s, "grid"), *sT = tl_calloc(n, sizeof *sT, "grid");
    for (int k = 0; k < 3; k++) m[k] = tl_calloc(n, sizeof(double), "grid");
    gt = tl_calloc(n, sizeof *gt, "grid");
    for (size_t i = 0; i < n; i++) g.x[i] = g.lo + i * hx;

    /* the initial law: e^{-V/T} at the first lambda, restricted to one side (half the node at 0) */
    double l0 = p->reverse ? p->lambda_end : p->lambda_start, l1 = p->reverse ? p->lambda_start : p->lambda_end;
    double vmin = INFINITY, sum = 0;
    for (size_t i = 0; i < n; i++) vmin = fmin(vmin, dw_potential(g.x[i], l0));
    for (size_t i = 0; i < n; i++) {
        double w = exp(-(dw_potential(g.x[i], l0) - vmin) / p->temperature);
        if (p->initial == DW_LEFT) w *= i < half ? 1 : i == half ? 0.5 : 0;
        if (p->initial == DW_RIGHT) w *= i > half ? 1 : i == half ? 0.5 : 0;
        m[0][i] = w, sum += w;
    }
    for (size_t i = 0; i < n; i++) m[0][i] /= sum, gt[i] = m[0][i];

    /* the ramp phase (lambda moves) then the hold: whole steps in each.  In
     * the reverse direction the hold comes first. */
    double ramp = p->ramp_time, hold = p->time - p->ramp_time;
    long n_ramp = ramp > 0 ? (long)ceil(ramp / ht) : 0, n_hold = hold > 0 ? (long)ceil(hold / ht) : 0;
    double h_ramp = n_ramp ? ramp / n_ramp : 0, h_hold = n_hold ? hold / n_hold : 0;
    double rate = ramp > 0 ? (l1 - l0) / ramp : 0;
    int status = 0;
    /* a fixed lambda from its equilibrium: the law never moves and no work is done */
    if (p->lambda_start == p->lambda_end && p->initial == DW_EQUILIBRIUM) n_ramp = n_hold = 0;
    for (int phase = 0; phase < 2 && !status; phase++) {
        int is_ramp = p->reverse ? phase == 1 : phase == 0;
        long steps = is_ramp ? n_ramp : n_hold;
        double h = is_ramp ? h_ramp : h_hold;
        if (!is_ramp) grid_rates(&g, p->reverse ? l0 : l1);
        for (long k = 0; k < steps && !status; k++) {
            if (is_ramp) {
                grid_rates(&g, l0 + rate * (k + 0.5) * h);
                for (size_t i = 0; i < n; i++) s[i] = -g.x[i] * rate, sT[i] = s[i] / p->temperature;
            }
            /* m0, then m1 and m2 with the sources of the old and new lower moments (trapezoid) */
            double *old0 = g.tmp;
            for (int q = 0; q < 3 && !status; q++) {
                apply(&g, NULL, m[q], g.rhs);
                for (size_t i = 0; i < n; i++) g.rhs[i] = m[q][i] + 0.5 * h * g.rhs[i];
                if (q > 0 && is_ramp)
                    for (size_t i = 0; i < n; i++) g.rhs[i] += 0.5 * h * q * s[i] * (old0[i] + m[q - 1][i]);
                if (q < 2) for (size_t i = 0; i < n; i++) old0[i] = m[q][i]; /* m_q before the step, for m_{q+1} */
                status = solve(&g, NULL, 0.5 * h, g.rhs, m[q]);
            }
            if (!status) {
                apply(&g, is_ramp ? sT : NULL, gt, g.rhs);
                for (size_t i = 0; i < n; i++) g.rhs[i] = gt[i] + 0.5 * h * g.rhs[i];
                status = solve(&g, is_ramp ? sT : NULL, 0.5 * h, g.rhs, gt);
            }
        }
    }
    double w1 = 0, w2 = 0, neg = 0, jar = 0;
    for (size_t i = 0; i < n; i++) {
        w1 += m[1][i], w2 += m[2][i], jar += gt[i];
        neg += i < half ? m[0][i] : i == half ? 0.5 * m[0][i] : 0;
    }
    out->mean_work = w1, out->var_work = w2 - w1 * w1, out->p_negative = neg, out->jarzynski = jar;
    for (size_t k = 0; k < sizeof vecs / sizeof vecs[0]; k++) free(*vecs[k]);
    for (int k = 0; k < 3; k++) free(m[k]);
    free(gt), free(s), free(sT);
    return status ? -1 : 0;
}

/* ---- first passage: the nodes at and beyond the threshold absorb ---------------------------- */

/* lambda of the forward protocol at t (ramp, then hold). */
static double lambda_at(const dw_params *p, double t)
{
    double f = p->ramp_time > 0 ? fmin(t / p->ramp_time, 1.0) : (t > 0 ? 1.0 : 0.0);
    return p->lambda_start + f * (p->lambda_end - p->lambda_start);
}

int dw_grid_first_passage(const dw_params *p, double hx, double ht, size_t n_times, const double *times,
                          double *survival, double *mean_min_fpt)
{
    double th = p->threshold;
    double L = fmax(dw_support(p->lambda_start, p->temperature), dw_support(p->lambda_end, p->temperature));
    /* the spacing is lowered so that x_th is a node (and x = 0 stays one) */
    long k = th != 0 ? (long)fmax(1.0, round(fabs(th) / hx)) : 0;
    double h = k ? fabs(th) / k : hx;
    long half = (long)fmax(ceil(L / h), (double)k + 1);
    size_t n = (size_t)(2 * half + 1);
    long i_th = half + (th >= 0 ? k : -k);
    grid g = {.n = (size_t)i_th, .n_full = n, .hx = h, .lo = -(double)half * h, .temperature = p->temperature};
    double **vecs[] = {&g.x, &g.v, &g.up, &g.down, &g.diag, &g.above, &g.below, &g.rhs, &g.tmp};
    for (size_t q = 0; q < sizeof vecs / sizeof vecs[0]; q++) *vecs[q] = tl_calloc(n, sizeof(double), "grid");
    double *m = tl_calloc(n, sizeof *m, "grid");
    for (size_t i = 0; i < n; i++) g.x[i] = g.lo + (double)i * h;
    double vmin = INFINITY, sum = 0;
    for (size_t i = 0; i < n; i++) vmin = fmin(vmin, dw_potential(g.x[i], p->lambda_start));
    for (size_t i = 0; i < n; i++) {
        double w = exp(-(dw_potential(g.x[i], p->lambda_start) - vmin) / p->temperature);
        if (p->initial == DW_LEFT) w *= (long)i < half ? 1 : (long)i == half ? 0.5 : 0;
        if (p->initial == DW_RIGHT) w *= (long)i > half ? 1 : (long)i == half ? 0.5 : 0;
        m[i] = w, sum += w;
    }
    double s_prev = 0;
    for (size_t i = 0; i < n; i++) m[i] /= sum;
    for (long i = 0; i < i_th; i++) s_prev += m[i];
    if (i_th <= 0) g.n = 0;
    /* whole steps of the ramp, then of the hold */
    long n_ramp = p->ramp_time > 0 ? (long)ceil(p->ramp_time / ht) : 0;
    long n_hold = p->time > p->ramp_time ? (long)ceil((p->time - p->ramp_time) / ht) : 0;
    double t = 0, integral = 0;
    size_t next = 0;
    int status = 0;
    while (next < n_times && times[next] <= 0) survival[next++] = s_prev;
    for (long step = 0; step < n_ramp + n_hold && !status && g.n > 0; step++) {
        int ramp = step < n_ramp;
        double dt = ramp ? p->ramp_time / n_ramp : (p->time - p->ramp_time) / n_hold;
        grid_rates(&g, lambda_at(p, ramp ? t + 0.5 * dt : p->time));
        apply(&g, NULL, m, g.rhs);
        for (size_t i = 0; i < g.n; i++) g.rhs[i] = m[i] + 0.5 * dt * g.rhs[i];
        status = solve(&g, NULL, 0.5 * dt, g.rhs, m);
        double s_now = 0;
        for (size_t i = 0; i < g.n; i++) s_now += m[i];
        double t_now = ramp ? (step + 1) * dt : p->ramp_time + (step - n_ramp + 1) * dt;
        if (step == n_ramp + n_hold - 1) t_now = p->time;
        integral += 0.5 * (s_prev + s_now) * (t_now - t);
        while (next < n_times && times[next] <= t_now + 1e-12 * p->time) {
            double f = t_now > t ? (times[next] - t) / (t_now - t) : 1;
            survival[next++] = s_prev + f * (s_now - s_prev);
        }
        t = t_now, s_prev = s_now;
    }
    while (next < n_times) survival[next++] = s_prev;
    if (g.n == 0) integral = 0;
    *mean_min_fpt = integral;
    for (size_t q = 0; q < sizeof vecs / sizeof vecs[0]; q++) free(*vecs[q]);
    free(m);
    return status ? -1 : 0;
}
