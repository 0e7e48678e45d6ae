/* The double-well activation switch (Milburn section 2.1): over-damped
 * Langevin dynamics in V(x, lambda) = x^2 (x^2 - 1) - lambda x,
 *   dx = -dV/dx dt + sqrt(2T) dB,   stationary law e^{-V/T}   (mobility 1, D = T),
 * with lambda ramped linearly from lambda_start to lambda_end over ramp_time
 * and then held until `time`.
 *
 * Discretisation (the design of hopfield's graded network): on the grid
 * t_k = k h, a work step changes lambda at fixed x,
 *   W_k = V(x_k, lambda_{k+1}) - V(x_k, lambda_k) = -x_k (lambda_{k+1} - lambda_k),
 * then a relaxation step at fixed lambda_{k+1} moves x,
 *   Q_k = V(x_{k+1}, lambda_{k+1}) - V(x_k, lambda_{k+1}),
 * so W + Q = V(x_N, lambda_N) - V(x_0, lambda_0) on every trajectory.  The
 * relaxation step is MALA: the Euler-Maruyama proposal
 * y = x - V'(x) h + sqrt(2 T h) xi accepted with the Metropolis-Hastings
 * probability min{1, e^{-(V(y) - V(x))/T} q(x|y) / q(y|x)}.  Every step then
 * satisfies detailed balance with respect to e^{-V(., lambda_{k+1})/T}, so
 * Jarzynski and Crooks hold exactly for the discrete process at any h, with
 * the exact Delta F of the continuum potential.  `integrator = euler` keeps
 * every proposal (plain Euler-Maruyama), whose invariant law is off by O(h):
 * the fluctuation theorems then hold only approximately.
 *
 * The initial x is an exact draw from e^{-V(x, lambda_0)/T}, restricted to
 * x < 0 or x > 0 for `initial = left/right`: rejection under a piecewise-
 * constant envelope, not an inverse CDF on a grid.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_poly.h>

#include "milburn.h"
#include "thermolearn/error.h"

#define SAMPLER_CELLS 4096   /* even: x = 0 is a cell boundary */
#define TAIL_ENERGY 60.0     /* [-L, L] leaves out mass below e^{-60} relative to the peak */

/* The real critical points of V(., lambda): roots of 4x^3 - 2x - lambda; returns their number. */
static int critical_points(double lambda, double x[3])
{
    return gsl_poly_solve_cubic(0.0, -0.5, -0.25 * lambda, &x[0], &x[1], &x[2]);
}

/* The minimum of V(., lambda) on [a, b]. */
static double cell_minimum(double lambda, double a, double b)
{
    double x[3], v = fmin(dw_potential(a, lambda), dw_potential(b, lambda));
    int n = critical_points(lambda, x);
    for (int i = 0; i < n; i++)
        if (x[i] > a && x[i] < b) v = fmin(v, dw_potential(x[i], lambda));
    return v;
}

/* The global minimum of V(., lambda) and where it is. */
static double global_minimum(double lambda, double *where)
{
    double x[3], best = INFINITY;
    int n = critical_points(lambda, x);
    for (int i = 0; i < n; i++)
        if (dw_potential(x[i], lambda) < best) best = dw_potential(x[i], lambda), *where = x[i];
    return best;
}

double dw_curvature_at_minimum(double lambda)
{
    double x = 0;
    global_minimum(lambda, &x);
    return 12 * x * x - 2;
}

/* Half-width L of the support: V(+-L) exceeds the minimum by TAIL_ENERGY T. */
double dw_support(double lambda, double temperature)
{
    double x, vmin = global_minimum(lambda, &x), L = 1.0;
    while (dw_potential(L, lambda) - vmin < TAIL_ENERGY * temperature ||
           dw_potential(-L, lambda) - vmin < TAIL_ENERGY * temperature)
        L *= 1.05;
    return L;
}

dw_sampler *dw_sampler_alloc(double lambda, double temperature, int side)
{
    dw_sampler *s = tl_calloc(1, sizeof *s, "double-well sampler");
    double x, L = dw_support(lambda, temperature);
    s->lambda = lambda, s->temperature = temperature, s->vmin = global_minimum(lambda, &x);
    s->cells = SAMPLER_CELLS, s->lo = -L, s->width = 2 * L / SAMPLER_CELLS;
    s->cdf = tl_malloc(s->cells * sizeof *s->cdf, "sampler"), s->top = tl_malloc(s->cells * sizeof *s->top, "sampler");
    double sum = 0;
    for (size_t c = 0; c < s->cells; c++) {
        double a = s->lo + c * s->width, b = a + s->width;
        s->top[c] = exp(-(cell_minimum(lambda, a, b) - s->vmin) / temperature);
        int keep = side == DW_EQUILIBRIUM || (side == DW_LEFT ? c < s->cells / 2 : c >= s->cells / 2);
        sum += keep ? s->top[c] * s->width : 0.0;
        s->cdf[c] = sum;
    }
    return s;
}

void dw_sampler_free(dw_sampler *s)
{
    if (!s) return;
    free(s->cdf), free(s->top), free(s);
}

double dw_sampler_draw(const dw_sampler *s, tl_stream_cursor *r)
{
    for (;;) {
        double u = tl_stream_cursor_uniform(r) * s->cdf[s->cells - 1];
        size_t lo = 0, hi = s->cells - 1; /* the first cell with cdf > u */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->cdf[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        double x = s->lo + (lo + tl_stream_cursor_uniform(r)) * s->width;
        double ratio = exp(-(dw_potential(x, s->lambda) - s->vmin) / s->temperature) / s->top[lo];
        if (tl_stream_cursor_uniform(r) < ratio) return x;
    }
}

static double protocol(const dw_params *p, double t)
{
    double f = p->ramp_time > 0 ? fmin(t / p->ramp_time, 1.0) : (t > 0 ? 1.0 : 0.0);
    return p->lambda_start + f * (p->lambda_end - p->lambda_start);
}

dw_run *dw_run_alloc(const dw_params *p)
{
    dw_run *r = tl_calloc(1, sizeof *r, "double-well run");
    r->p = *p;
    r->steps = (long)fmax(1.0, ceil(p->time / p->dt * (1 - 1e-12)));
    r->h = p->time / r->steps;
    r->lambda = tl_malloc((size_t)(r->steps + 1) * sizeof *r->lambda, "protocol");
    for (long k = 0; k <= r->steps; k++) {
        long j = p->reverse ? r->steps - k : k;
        r->lambda[k] = protocol(p, j == r->steps ? p->time : j * r->h);
    }
    r->initial = dw_sampler_alloc(r->lambda[0], p->temperature, p->initial);
    r->checkpoint = tl_malloc((p->survival_times ? p->survival_times : 1) * sizeof *r->checkpoint, "checkpoints");
    for (size_t k = 0; k < p->survival_times; k++)
        r->checkpoint[k] = (long)llround((double)r->steps * (double)(k + 1) / (double)p->survival_times);
    return r;
}

void dw_run_free(dw_run *r)
{
    if (!r) return;
    dw_sampler_free(r->initial);
    free(r->lambda), free(r->checkpoint), free(r);
}

void dw_trajectory(const dw_run *run, const tl_stream_key *key, uint64_t trajectory, dw_path *out,
                   double *survival)
{
    const dw_params *p = &run->p;
    const double h = run->h, T = p->temperature, noise = sqrt(2 * T * h), th = p->threshold;
    tl_stream_cursor init, dyn, bridge;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    tl_stream_cursor_init(&dyn, key, TL_PURPOSE_DYNAMICS, trajectory);
    tl_stream_cursor_init(&bridge, key, TL_PURPOSE_MODEL, trajectory); /* the crossing tests: the path does not depend on them */
    double x = dw_sampler_draw(run->initial, &init), x0 = x;
    double work = 0, heat = 0, sum_x = 0.5 * x;
    long accepted = 0;
    size_t next_check = 0;
    *out = (dw_path){.fpt = p->time};
    if (x >= th) out->passed = 1, out->fpt = 0;
    for (long k = 0; k < run->steps; k++) {
        double la = run->lambda[k], lb = run->lambda[k + 1];
        work -= x * (lb - la);
        double fx = dw_force(x, lb), y = x + fx * h + noise * tl_stream_cursor_gaussian(&dyn);
        double vx = dw_potential(x, lb), vy = dw_potential(y, lb), xn = y;
        if (p->integrator == DW_MALA) {
            double back = x - y - dw_force(y, lb) * h, fwd = y - x - fx * h;
            double log_alpha = -(vy - vx) / T - (back * back - fwd * fwd) / (4 * T * h);
            if (log(tl_stream_cursor_uniform(&dyn)) >= log_alpha) xn = x, vy = vx;
        }
        accepted += xn != x || p->integrator == DW_EULER;
        heat += vy - vx;
        if (!out->passed) {
            if (xn >= th) out->passed = 1, out->fpt = (k + 1) * h;
            else if (p->bridge && xn != x &&
                     tl_stream_cursor_uniform(&bridge) < exp(-(th - x) * (th - xn) / (T * h)))
                out->passed = 1, out->fpt = (k + 1) * h;
        }
        x = xn;
        sum_x += k + 1 == run->steps ? 0.5 * x : x;
        while (survival && next_check < p->survival_times && run->checkpoint[next_check] == k + 1)
            survival[next_check++] = out->passed ? 0.0 : 1.0;
    }
    out->work = work, out->heat = heat;
    out->energy_change = dw_potential(x, run->lambda[run->steps]) - dw_potential(x0, run->lambda[0]);
    out->final_sign = x >= 0 ? 1 : -1;
    out->x_mean = sum_x / run->steps;
    out->acceptance = (double)accepted / run->steps;
}
