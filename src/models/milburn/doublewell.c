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
 * Streams (one per trajectory, keyed by it): INITIAL draws x(0) (above);
 * block j of DYNAMICS holds the Gaussians of steps 2j and 2j + 1 (Box-Muller's
 * cosine and sine, tl_stream_gaussians), block j of PURPOSE_ACCEPT the MALA
 * uniforms of those steps (words 0-1 and 2-3), block j of PURPOSE_BRIDGE the
 * uniforms of the crossing tests, which the path does not depend on.  The
 * step's arithmetic is written once per lane of dw_trajectories (vectors
 * across the batch) and once in dw_trajectory (one trajectory, the scalar
 * reference); both do the same double operations in the same order, with the
 * same e^x (vecmath.h), so they agree bit for bit.
 *
 * The initial x is an exact draw from e^{-V(x, lambda_0)/T}, restricted to
 * x < 0 or x > 0 for `initial = left/right`: rejection under a piecewise-
 * constant envelope, not an inverse CDF on a grid.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_poly.h>

#include "milburn.h"
#include "thermolearn/vecmath.h"
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
    r->path_step = tl_malloc((p->path_samples ? p->path_samples : 1) * sizeof *r->path_step, "path steps");
    for (size_t j = 0; j < p->path_samples; j++) /* the last is steps itself: the trajectory's end */
        r->path_step[j] = (long)llround((double)r->steps * (double)(j + 1) / (double)p->path_samples);
    return r;
}

void dw_run_free(dw_run *r)
{
    if (!r) return;
    dw_sampler_free(r->initial);
    free(r->lambda), free(r->checkpoint), free(r->path_step), free(r);
}

/* Purposes of the model's own streams. */
enum { PURPOSE_BRIDGE = TL_PURPOSE_MODEL, PURPOSE_ACCEPT };

/* The constants of one step. */
typedef struct {
    double dl, lb, h, noise, inv_t, inv_4th, inv_th, th, t_next;
    int euler, bridge;
} dw_step;

static dw_step step_constants(const dw_run *run, long k)
{
    const dw_params *p = &run->p;
    const double T = p->temperature, h = run->h;
    return (dw_step){.dl = run->lambda[k + 1] - run->lambda[k], .lb = run->lambda[k + 1], .h = h,
                     .noise = sqrt(2 * T * h), .inv_t = 1 / T, .inv_4th = 1 / (4 * T * h), .inv_th = 1 / (T * h),
                     .th = p->threshold, .t_next = (double)(k + 1) * h, .euler = p->integrator == DW_EULER,
                     .bridge = p->bridge};
}

/* Lane state of up to DW_TILE trajectories, lane innermost. */
#define DW_TILE 64
_Static_assert(DW_TILE % 16 == 0, "a tile is a whole number of vectors (and of Philox vectors)");
typedef struct {
    double x[DW_TILE], x0[DW_TILE], work[DW_TILE], heat[DW_TILE], sum_x[DW_TILE], accepted[DW_TILE],
        fpt[DW_TILE], passed[DW_TILE]; /* passed: 0 or 1 */
} dw_lanes;

/* One step of every lane: Metropolis-adjusted (or Euler) relaxation at lambda_{k+1}
 * after the work step, heat, and the first-passage test, branch-free (accept
 * and cross are blends).  z: the step's Gaussians; ua, ub: the words of its
 * acceptance and bridge uniforms (hi at [0], lo at [n]).  A function of its
 * own, so that tests/tools/vec_check.sh can find it and see that it is packed. */
static __attribute__((noinline)) void dw_lanes_step(const dw_step *st, dw_lanes *restrict s, int lanes,
                                                     const double *restrict z, const uint32_t *restrict ua,
                                                     const uint32_t *restrict ub, size_t n)
{
    const double dl = st->dl, lb = st->lb, h = st->h, noise = st->noise, inv_t = st->inv_t, inv_4th = st->inv_4th,
                 inv_th = st->inv_th, th = st->th;
    const vl euler = (vl){0} - st->euler, bridge = (vl){0} - st->bridge;
    const vd zero = {0}, one = zero + 1.0, t_next = vd_splat(st->t_next);
    for (int l = 0; l < lanes; l += VD) {
        vd x = vd_load(s->x + l), xi = vd_load(z + l);
        vd work = vd_load(s->work + l) - x * dl;
        vd fx = -(4 * x * x * x - 2 * x - lb), y = x + fx * h + noise * xi;
        vd fy = -(4 * y * y * y - 2 * y - lb);
        vd vx = x * x * (x * x - 1) - lb * x, vy = y * y * (y * y - 1) - lb * y;
        vd back = x - y - fy * h, fwd = y - x - fx * h;
        vd log_alpha = -(vy - vx) * inv_t - (back * back - fwd * fwd) * inv_4th;
        vl accept = (vd_uniform(ua + l, ua + n + l) < vd_exp(vd_blend(log_alpha < zero, log_alpha, zero))) | euler;
        vd xn = vd_blend(accept, y, x), vn = vd_blend(accept, vy, vx);
        vd gap = -(th - x) * (th - xn) * inv_th;
        vl cross = (xn >= th) | (bridge & (xn != x) & (vd_uniform(ub + l, ub + n + l) < vd_exp(gap)));
        vd passed = vd_load(s->passed + l);
        vl first = cross & (passed == zero);
        vd_store(s->fpt + l, vd_blend(first, t_next, vd_load(s->fpt + l)));
        vd_store(s->passed + l, vd_blend(first, one, passed));
        vd_store(s->accepted + l, vd_load(s->accepted + l) + vd_count(accept));
        vd_store(s->heat + l, vd_load(s->heat + l) + (vn - vx));
        vd_store(s->work + l, work);
        vd_store(s->sum_x + l, vd_load(s->sum_x + l) + xn);
        vd_store(s->x + l, xn);
    }
}

/* The observables of a finished lane. */
static dw_path lane_path(const dw_run *run, double x, double x0, double work, double heat, double sum_x,
                         double accepted, double fpt, double passed)
{
    return (dw_path){.work = work, .heat = heat,
                     .energy_change = dw_potential(x, run->lambda[run->steps]) - dw_potential(x0, run->lambda[0]),
                     .fpt = fpt, .passed = passed != 0, .final_sign = x >= 0 ? 1 : -1,
                     .x_mean = (sum_x - 0.5 * x) / (double)run->steps,
                     .acceptance = accepted / (double)run->steps};
}

/* Trajectories first .. first + n - 1, n <= DW_TILE. */
static void dw_tile(const dw_run *run, const tl_stream_key *key, uint64_t first, size_t n, dw_path *out,
                    double *survival, double *path, size_t stride)
{
    const dw_params *p = &run->p;
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding */
    dw_lanes s;
    double z[2 * DW_TILE];
    uint32_t ua[4 * DW_TILE], ub[4 * DW_TILE];
    memset(&s, 0, sizeof s);
    memset(ua, 0, sizeof ua), memset(ub, 0, sizeof ub); /* euler or no bridge: read, masked off */
    for (size_t l = 0; l < n; l++) {
        tl_stream_cursor init;
        tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, first + l);
        double x = dw_sampler_draw(run->initial, &init);
        s.x[l] = s.x0[l] = x, s.sum_x[l] = 0.5 * x;
        s.passed[l] = x >= p->threshold, s.fpt[l] = x >= p->threshold ? 0 : p->time;
    }
    size_t next_check = 0, next_path = 0;
    for (long k = 0; k < run->steps; k++) {
        size_t half = (size_t)(k & 1);
        if (!half) {
            uint32_t block = (uint32_t)(k / 2);
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first, block, lanes, z);
            if (p->integrator == DW_MALA) tl_stream_words(key, PURPOSE_ACCEPT, first, block, lanes, ua);
            if (p->bridge) tl_stream_words(key, PURPOSE_BRIDGE, first, block, lanes, ub);
        }
        dw_step st = step_constants(run, k);
        dw_lanes_step(&st, &s, (int)lanes, z + half * lanes, ua + 2 * half * lanes, ub + 2 * half * lanes, lanes);
        while (survival && next_check < p->survival_times && run->checkpoint[next_check] == k + 1) {
            for (size_t l = 0; l < n; l++) survival[next_check * stride + l] = s.passed[l] != 0 ? 0.0 : 1.0;
            next_check++;
        }
        while (path && next_path < p->path_samples && run->path_step[next_path] == k + 1) {
            double *at = path + 3 * next_path++ * stride;
            for (size_t l = 0; l < n; l++) at[l] = s.x[l], at[stride + l] = s.work[l], at[2 * stride + l] = s.heat[l];
        }
    }
    for (size_t l = 0; l < n; l++)
        out[l] = lane_path(run, s.x[l], s.x0[l], s.work[l], s.heat[l], s.sum_x[l], s.accepted[l], s.fpt[l], s.passed[l]);
}

void dw_trajectories_path(const dw_run *run, const tl_stream_key *key, uint64_t first, size_t count, dw_path *out,
                          double *survival, double *path)
{
    for (size_t b = 0; b < count; b += DW_TILE) {
        size_t n = count - b < DW_TILE ? count - b : DW_TILE;
        dw_tile(run, key, first + b, n, out + b, survival ? survival + b : NULL, path ? path + b : NULL, count);
    }
}

void dw_trajectories(const dw_run *run, const tl_stream_key *key, uint64_t first, size_t count, dw_path *out,
                     double *survival)
{
    dw_trajectories_path(run, key, first, count, out, survival, NULL);
}

/* The scalar reference: one trajectory, the lane arithmetic of dw_lanes_step
 * written for doubles. */
void dw_trajectory(const dw_run *run, const tl_stream_key *key, uint64_t trajectory, dw_path *out,
                   double *survival)
{
    const dw_params *p = &run->p;
    tl_stream_cursor init;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    double x = dw_sampler_draw(run->initial, &init), x0 = x;
    double work = 0, heat = 0, sum_x = 0.5 * x, accepted = 0, passed = x >= p->threshold;
    double fpt = x >= p->threshold ? 0 : p->time, z[2];
    uint32_t ua[4] = {0}, ub[4] = {0};
    size_t next_check = 0;
    for (long k = 0; k < run->steps; k++) {
        int half = (int)(k & 1);
        if (!half) {
            uint32_t block = (uint32_t)(k / 2);
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, block, 1, z);
            tl_stream_words(key, PURPOSE_ACCEPT, trajectory, block, 1, ua);
            tl_stream_words(key, PURPOSE_BRIDGE, trajectory, block, 1, ub);
        }
        dw_step st = step_constants(run, k);
        work = work - x * st.dl;
        double fx = -(4 * x * x * x - 2 * x - st.lb), y = x + fx * st.h + st.noise * z[half];
        double fy = -(4 * y * y * y - 2 * y - st.lb);
        double vx = x * x * (x * x - 1) - st.lb * x, vy = y * y * (y * y - 1) - st.lb * y;
        double back = x - y - fy * st.h, fwd = y - x - fx * st.h;
        double log_alpha = -(vy - vx) * st.inv_t - (back * back - fwd * fwd) * st.inv_4th;
        int accept = st.euler || tl_uniform_double(ua[2 * half], ua[2 * half + 1]) < vd_exp1(log_alpha < 0 ? log_alpha : 0);
        double xn = accept ? y : x, vn = accept ? vy : vx;
        double gap = -(st.th - x) * (st.th - xn) * st.inv_th;
        int cross = xn >= st.th ||
                    (st.bridge && xn != x && tl_uniform_double(ub[2 * half], ub[2 * half + 1]) < vd_exp1(gap));
        if (cross && passed == 0) fpt = st.t_next, passed = 1;
        accepted += accept;
        heat += vn - vx;
        sum_x += xn;
        x = xn;
        while (survival && next_check < p->survival_times && run->checkpoint[next_check] == k + 1)
            survival[next_check++] = passed != 0 ? 0.0 : 1.0;
    }
    *out = lane_path(run, x, x0, work, heat, sum_x, accepted, fpt, passed);
}
