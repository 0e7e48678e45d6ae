/* The noisy clocks of Milburn section 6: the splitting integrator of the
 * escapement clock, the phase clock of eq. 105, and the period measurement
 * (upward passages through a section).  See clock.h. */
#include <math.h>
#include <stdlib.h>

#include "clock.h"
#include "thermolearn/error.h"
#include "thermolearn/vecmath.h"

const int ck_blocks[CK_N_BLOCKS] = {1, 2, 5, 10, 20, 40};

#define TWO_PI 6.283185307179586

/* The constants of a step h (the same for every step and lane). */
typedef struct {
    double h, half_h, a, one_a2, noise, c, sn, gamma_t, chi, eps, temperature;
} ck_consts;

static ck_consts step_consts(const ck_params *p)
{
    double h = p->dt, a = exp(-p->kappa * h / 2), a2 = a * a;
    return (ck_consts){.h = h, .half_h = h / 2, .a = a, .one_a2 = 1 - a2, .noise = sqrt(p->temperature * (1 - a2)),
                       .c = cos(h), .sn = sin(h), .gamma_t = p->gamma * h / 2, .chi = p->chi, .eps = p->eps,
                       .temperature = p->temperature};
}

/* Exact relaxation of v towards -tanh x at rate 2 gamma cosh x over half a step, x frozen:
 * with e = e^x, tanh x = (e - 1/e)/(e + 1/e) and 2 gamma cosh x t = gamma t (e + 1/e), so one
 * e^x (vecmath.h) and one division serve both; the lanes do the same below. */
static inline double relax_v(double v, double x, double gamma_t)
{
    double e = vd_exp1(x), ei = 1.0 / e, target = (ei - e) / (e + ei);
    return target + (v - target) * vd_exp1(-(gamma_t * (e + ei)));
}

/* One step with its two Gaussians z0, z1 (the O half-steps in order): the scalar reference of
 * ck_lanes_step, operation for operation.  Returns the step's work, heat, predicted heat. */
static inline void step_one(const ck_consts *k, ck_state *s, double z0, double z1, double *dw, double *dq,
                            double *dqp)
{
    double x = s->x, y = s->y, v = relax_v(s->v, x, k->gamma_t);
    double kick = k->chi * (v - k->eps) * k->half_h;
    double y0 = y; /* O: damping and noise, the bath's heat */
    double qp = k->one_a2 * (k->temperature - y0 * y0) * 0.5;
    y = k->a * y0 + k->noise * z0;
    double q = (y * y - y0 * y0) * 0.5;
    double y1 = y; /* B: the escapement's kick, its work */
    y = y1 + kick;
    double w = (y * y - y1 * y1) * 0.5;
    double xn = x * k->c + y * k->sn; /* A: the free oscillator exactly, between the two kicks */
    y = y * k->c - x * k->sn;
    double y2 = y; /* B */
    y = y2 + kick;
    w = w + (y * y - y2 * y2) * 0.5;
    double y3 = y; /* O */
    qp = qp + k->one_a2 * (k->temperature - y3 * y3) * 0.5;
    y = k->a * y3 + k->noise * z1;
    q = q + (y * y - y3 * y3) * 0.5;
    s->x = xn, s->y = y, s->v = relax_v(v, xn, k->gamma_t);
    *dw = w, *dq = q, *dqp = qp;
}

void ck_step(const ck_params *p, ck_state *s, tl_stream_cursor *r, double *work, double *heat, double *heat_predicted)
{
    ck_consts k = step_consts(p);
    double z0 = tl_stream_cursor_gaussian(r), z1 = tl_stream_cursor_gaussian(r), dw, dq, dqp;
    step_one(&k, s, z0, z1, &dw, &dq, &dqp);
    *work += dw, *heat += dq, *heat_predicted += dqp;
}

/* ---- the statistics of the passage times, folded in as they come (ck_intervals, clock.h) ----
 *
 * Each sequence x_k (the intervals; each block length's differences) keeps S1 = sum (x_k - c) and
 * S2 = sum (x_k - c)^2 about its first value c; the two-pass sum of squares about the mean m is then
 * S2 - 2 (m - c) S1 + count (m - c)^2, all terms of the size of the spread (m - c is a deviation
 * of one value).  The pairs of successive intervals need sum u_k u_{k+1} besides. */

#define CK_RING (CK_BLOCK_MAX + 1)

void ck_intervals_init(ck_intervals *a)
{
    *a = (ck_intervals){0};
}

/* Neumaier's compensated sum: s + c carries the rounding error of every addition. */
static inline void sum_add(ck_sum *a, double x)
{
    double t = a->s + x;
    a->c += fabs(a->s) >= fabs(x) ? (a->s - t) + x : (x - t) + a->s;
    a->s = t;
}

static inline double sum_value(ck_sum a)
{
    return a.s + a.c;
}

void ck_intervals_add(ck_intervals *a, double t)
{
    long k = a->n; /* this is t_k */
    if (k == 0) a->first = t;
    if (k >= 1) {
        double interval = t - a->ring[(k - 1) % CK_RING];
        if (k == 1) a->shift = interval;
        double u = interval - a->shift;
        if (k >= 2) sum_add(&a->sum_pair, (a->ring[(k - 1) % CK_RING] - a->ring[(k - 2) % CK_RING] - a->shift) * u);
        sum_add(&a->sum, u), sum_add(&a->sum_sq, u * u);
        for (int b = 0; b < CK_N_BLOCKS && ck_blocks[b] <= k; b++) { /* ck_blocks ascending */
            double d = t - a->ring[(k - ck_blocks[b]) % CK_RING];
            if (k == ck_blocks[b]) a->block_shift[b] = d;
            double e = d - a->block_shift[b];
            sum_add(&a->block_sum[b], e), sum_add(&a->block_sq[b], e * e);
        }
    }
    a->ring[k % CK_RING] = t;
    a->last = t;
    a->n = k + 1;
}

/* sum (x - m)^2 over count values from S1, S2 about c: S2 - 2 (m - c) S1 + count (m - c)^2 */
static double about_mean(double s1, double s2, double count, double c, double m)
{
    double off = m - c;
    return s2 - 2 * off * s1 + count * off * off;
}

void ck_intervals_finish(const ck_intervals *a, ck_path *out)
{
    long n = a->n - 1; /* intervals */
    out->intervals = n;
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
    if (n < 1) return;
    out->first_period = a->shift;
    out->period_mean = (a->last - a->first) / (double)n;
    if (n < 2) return;
    double m = out->period_mean, off = m - a->shift;
    double s1 = sum_value(a->sum), ss = fmax(about_mean(s1, sum_value(a->sum_sq), (double)n, a->shift, m), 0);
    /* sum over the n - 1 pairs of (u_k - off)(u_{k+1} - off): u_0 = 0, so the u_{k+1} sum to S1 and the
     * u_k to S1 - u_{n-1} */
    double u_last = a->last - a->ring[(a->n - 2) % CK_RING] - a->shift;
    double cross = sum_value(a->sum_pair) - off * (2 * s1 - u_last) + (double)(n - 1) * off * off;
    out->interval_var = ss / (double)(n - 1);
    out->lag1 = ss > 0 ? cross / ss : NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) {
        long len = ck_blocks[b], count = n - len + 1;
        if (count < 2 || len >= n) continue;
        /* overlapping blocks t_{k+len} - t_k about len times the mean interval */
        double mean = (a->last - a->first) / (double)n * (double)len;
        double s2 = fmax(about_mean(sum_value(a->block_sum[b]), sum_value(a->block_sq[b]), (double)count,
                                    a->block_shift[b], mean), 0);
        /* for independent intervals E[s2/count] = len V (1 - len/n): the block sums share the mean */
        out->block_var[b] = s2 / (double)count / ((double)len * (1 - (double)len / (double)n));
    }
}

/* The longest a trajectory may run: the transient plus 20 expected periods per recorded one. */
static double time_cap(const ck_params *p)
{
    return p->max_time;
}

/* The step after which sample j of the path is taken. */
static long path_step(const ck_params *p, size_t j)
{
    return (long)llround((double)p->path_steps * (double)(j + 1) / (double)p->path_samples);
}

/* Store the ck_path_components values of state into the samples due after step k (path may be NULL). */
static void path_store(const ck_params *p, long k, const double *state, double *path, size_t *next)
{
    size_t C = ck_path_components(p);
    for (; path && *next < p->path_samples && path_step(p, *next) == k; (*next)++)
        for (size_t c = 0; c < C; c++) path[C * *next + c] = state[c];
}

/* The escapement's state, and j as the 4th component where there is one (lif: J; square: M). */
static void path_record(const ck_params *p, long k, const ck_state *s, double j, double *path, size_t *next)
{
    double state[4] = {s->x, s->y, s->v, j};
    path_store(p, k, state, path, next);
}

/* ---- the escapement clock at constant drive, across the batch ----
 *
 * Stream (one per trajectory, keyed by it): block k of DYNAMICS holds the two
 * Gaussians of step k (Box-Muller's cosine and sine, tl_stream_gaussians), so a
 * trajectory's numbers do not depend on its batch or the rank count.  The step
 * is written once per lane in ck_lanes_step (vectors across a tile of
 * trajectories) and once in step_one (one trajectory, the scalar reference of
 * run_escapement); both do the same double operations in the same order with
 * the same e^x, so they agree bit for bit.  Each lane keeps its own period
 * counter and stops by itself (a mask): a stopped lane's state is frozen. */

#define CK_TILE 64
_Static_assert(CK_TILE % 16 == 0, "a tile is a whole number of vectors (and of Philox vectors)");

/* The constants of the run: the step's and the section's. */
typedef struct {
    ck_consts k;
    double x_fixed, rearm, transient, dt, periods, cap;
} ck_run_consts;

static ck_run_consts run_consts(const ck_params *p)
{
    return (ck_run_consts){.k = step_consts(p), .x_fixed = p->x_fixed, .rearm = p->x_fixed - p->hysteresis,
                           .transient = p->transient, .dt = p->dt, .periods = (double)p->periods,
                           .cap = time_cap(p)};
}

/* Lane state of up to CK_TILE trajectories, lane innermost.  Counters and flags are doubles (0/1). */
typedef struct {
    double x[CK_TILE], y[CK_TILE], v[CK_TILE], t[CK_TILE], work[CK_TILE], heat[CK_TILE], predicted[CK_TILE],
        y2[CK_TILE], r2[CK_TILE], steps[CK_TILE], started[CK_TILE], start[CK_TILE], e0[CK_TILE],
        armed[CK_TILE], n[CK_TILE], live[CK_TILE], hit[CK_TILE], recorded[CK_TILE];
} ck_lanes;

/* Relaxation of v at frozen x, every lane: relax_v. */
static inline vd lanes_relax(vd v, vd x, double gamma_t)
{
    vd e = vd_exp(x), ei = 1.0 / e, target = (ei - e) / (e + ei);
    return target + (v - target) * vd_exp(-(gamma_t * (e + ei)));
}

/* The splitting step of step_one on lanes with the lane's chi: x, y, v updated; w, q, qp the step's
 * work, heat, predicted heat. */
static inline void lanes_splitting(const ck_consts *k, vd chi, vd *x, vd *y, vd *v, vd z0, vd z1, vd *w, vd *q,
                                   vd *qp)
{
    const double a = k->a, one_a2 = k->one_a2, noise = k->noise, c = k->c, sn = k->sn, temp = k->temperature;
    vd x0 = *x, vr = lanes_relax(*v, x0, k->gamma_t);
    vd kick = chi * (vr - k->eps) * k->half_h;
    vd y0 = *y;
    vd p = one_a2 * (temp - y0 * y0) * 0.5;
    vd yy = a * y0 + noise * z0;
    vd qq = (yy * yy - y0 * y0) * 0.5;
    vd y1 = yy;
    yy = y1 + kick;
    vd ww = (yy * yy - y1 * y1) * 0.5;
    vd xn = x0 * c + yy * sn;
    yy = yy * c - x0 * sn;
    vd y2 = yy;
    yy = y2 + kick;
    ww = ww + (yy * yy - y2 * y2) * 0.5;
    vd y3 = yy;
    p = p + one_a2 * (temp - y3 * y3) * 0.5;
    yy = a * y3 + noise * z1;
    qq = qq + (yy * yy - y3 * y3) * 0.5;
    *x = xn, *y = yy, *v = lanes_relax(vr, xn, k->gamma_t);
    *w = ww, *q = qq, *qp = p;
}

/* One step of every lane that still runs (n <= periods and t < cap), branch-free: the
 * splitting of step_one, the window's sums, the passage test through x = x* (re-armed
 * below x* - hysteresis) with its interpolated time.  z: the step's Gaussians (first O
 * half-step at [l], second at [n + l]).  Returns bit 0: some lane recorded a passage
 * (hit[], recorded[]); bit 1: some lane ran.  A function of its own, so that
 * tests/tools/vec_check.sh can find it and see that it is packed. */
static __attribute__((noinline)) int ck_lanes_step(const ck_run_consts *rc, ck_lanes *restrict s, int lanes,
                                                    const double *restrict z, size_t n)
{
    const ck_consts *k = &rc->k;
    const double chi = k->chi;
    const double xf = rc->x_fixed, rearm = rc->rearm, transient = rc->transient, dt = rc->dt;
    const vd zero = {0}, one = zero + 1.0, periods = vd_splat(rc->periods), cap = vd_splat(rc->cap);
    vl any_rec = {0}, any_live = {0};
    for (int l = 0; l < lanes; l += VD) {
        vd x = vd_load(s->x + l), y = vd_load(s->y + l), t = vd_load(s->t + l), n_rec = vd_load(s->n + l);
        vl live = (n_rec <= periods) & (t < cap), win = live & (t >= transient);
        vd xn = x, vn = vd_load(s->v + l), w, q, qp;
        lanes_splitting(k, vd_splat(chi), &xn, &y, &vn, vd_load(z + l), vd_load(z + n + l), &w, &q, &qp);
        /* the window opens at the first step that starts at t >= transient */
        vd started = vd_load(s->started + l);
        vl fresh = win & (started == zero);
        vd_store(s->start + l, vd_blend(fresh, t, vd_load(s->start + l)));
        vd_store(s->e0 + l, vd_blend(fresh, (x * x + vd_load(s->y + l) * vd_load(s->y + l)) * 0.5, vd_load(s->e0 + l)));
        vd_store(s->started + l, vd_blend(fresh, one, started));
        vd dx = xn - xf;
        vd_store(s->work + l, vd_blend(win, vd_load(s->work + l) + w, vd_load(s->work + l)));
        vd_store(s->heat + l, vd_blend(win, vd_load(s->heat + l) + q, vd_load(s->heat + l)));
        vd_store(s->predicted + l, vd_blend(win, vd_load(s->predicted + l) + qp, vd_load(s->predicted + l)));
        vd_store(s->steps + l, vd_blend(win, vd_load(s->steps + l) + 1.0, vd_load(s->steps + l)));
        vd_store(s->y2 + l, vd_blend(win, vd_load(s->y2 + l) + y * y, vd_load(s->y2 + l)));
        vd_store(s->r2 + l, vd_blend(win, vd_load(s->r2 + l) + (dx * dx + y * y), vd_load(s->r2 + l)));
        /* the passage: armed (it went below x* - hysteresis since the last one) and now at or above x* */
        vd armed = vd_load(s->armed + l);
        vl cross = live & (armed != zero) & (xn >= xf);
        vd den = vd_blend(cross, xn - x, one);
        vd hit = t + dt * (xf - x) / den;
        vl rec = cross & win & (hit >= transient);
        armed = vd_blend(xn < rearm, one, armed);
        armed = vd_blend(cross, zero, armed);
        vd_store(s->armed + l, vd_blend(live, armed, vd_load(s->armed + l)));
        vd_store(s->hit + l, hit);
        vd_store(s->recorded + l, vd_count(rec));
        vd_store(s->n + l, n_rec + vd_count(rec));
        vd_store(s->x + l, vd_blend(live, xn, x));
        vd_store(s->y + l, vd_blend(live, y, vd_load(s->y + l)));
        vd_store(s->v + l, vd_blend(live, vn, vd_load(s->v + l)));
        vd_store(s->t + l, vd_blend(live, t + dt, t));
        vd_store(s->live + l, vd_count(live));
        any_rec |= rec, any_live |= live;
    }
    int flags = 0;
    for (int i = 0; i < VD; i++) flags |= (any_rec[i] != 0) | (any_live[i] != 0) << 1;
    return flags;
}

/* The observables of a finished lane (both paths). */
static void lane_finish(double x, double y, double t, double work, double heat, double predicted, double y2,
                        double r2, double steps, double started, double start, double e0, ck_path *out)
{
    out->window = started != 0 ? t - start : 0;
    out->work = work, out->heat = heat, out->heat_predicted = predicted;
    out->energy_change = started != 0 ? (x * x + y * y) * 0.5 - e0 : 0;
    out->y2_mean = steps != 0 ? y2 / steps : NAN;
    out->r2_mean = steps != 0 ? r2 / steps : NAN;
}

/* Trajectories first .. first + n - 1, n <= CK_TILE; path[(3 j + c) stride + l] as ck_trajectories says. */
static void ck_tile(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t n, ck_path *out,
                    double *path, size_t stride)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding, stopped from the start */
    ck_run_consts rc = run_consts(p);
    ck_lanes *s = tl_calloc(1, sizeof *s, "clock lanes");
    ck_intervals *times = tl_malloc(n * sizeof *times, "passage statistics");
    double z[2 * CK_TILE];
    for (size_t l = 0; l < n; l++) ck_intervals_init(&times[l]);
    for (size_t l = 0; l < lanes; l++) {
        s->x[l] = p->x0, s->y[l] = p->y0, s->v[l] = p->v0;
        s->n[l] = l < n ? 0 : rc.periods + 1;
    }
    size_t next = 0;
    for (long k = 0;; k++) {
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first, (uint32_t)k, lanes, z);
        int flags = ck_lanes_step(&rc, s, (int)lanes, z, lanes);
        if (!(flags & 2)) break; /* every lane had stopped: this step changed nothing */
        if (flags & 1)
            for (size_t l = 0; l < n; l++)
                if (s->recorded[l] != 0) ck_intervals_add(&times[l], s->hit[l]);
        for (; path && next < p->path_samples && path_step(p, next) == k + 1; next++) {
            double *at = path + 3 * next * stride;
            for (size_t l = 0; l < n; l++) {
                int on = s->live[l] != 0;
                at[l] = on ? s->x[l] : NAN, at[stride + l] = on ? s->y[l] : NAN, at[2 * stride + l] = on ? s->v[l] : NAN;
            }
        }
    }
    for (; path && next < p->path_samples; next++) /* every trajectory stopped before these */
        for (size_t c = 0; c < 3; c++)
            for (size_t l = 0; l < n; l++) path[(3 * next + c) * stride + l] = NAN;
    for (size_t l = 0; l < n; l++) {
        out[l] = (ck_path){0};
        lane_finish(s->x[l], s->y[l], s->t[l], s->work[l], s->heat[l], s->predicted[l], s->y2[l], s->r2[l],
                    s->steps[l], s->started[l], s->start[l], s->e0[l], &out[l]);
        ck_intervals_finish(&times[l], &out[l]);
    }
    free(times), free(s);
}

/* ---- the phase clock across the batch ----
 *
 * Stream (one per trajectory, keyed by it): steps 2j and 2j + 1 take the two Gaussians of block j of
 * DYNAMICS (tl_stream_gaussians: cosine, then sine) and the two uniforms of block j of CK_PURPOSE_BRIDGE
 * (words 0, 1 and words 2, 3, tl_uniform_double) for the Brownian bridge's test, drawn at every step
 * whether or not the step needs it.  ck_phase_lanes_step advances every lane of a tile by one step,
 * branch-free; the passages (rare: one in 2 pi/(omega dt) >= 628 steps) are counted and folded in by
 * phase_passages, scalar, in the steps where some lane crossed.  run_phase is the scalar reference,
 * the same double operations in the same order. */

#define CK_PURPOSE_BRIDGE TL_PURPOSE_MODEL

typedef struct {
    double omega_dt, sd, s2_dt, dt, half_dt, periods, cap, transient;
} ck_phase_consts;

static ck_phase_consts phase_consts(const ck_params *p)
{
    double s2 = ck_sigma(p) / (p->radius * p->radius);
    return (ck_phase_consts){.omega_dt = p->omega * p->dt, .sd = sqrt(s2 * p->dt), .s2_dt = s2 * p->dt,
                             .dt = p->dt, .half_dt = p->dt / 2, .periods = (double)p->periods,
                             .cap = time_cap(p), .transient = p->transient};
}

/* Lane state of the phase clock: psi, the next level 2 pi k, the time, the passages recorded; hit and
 * crossed: the last step's passage time and whether it crossed (0/1). */
typedef struct {
    double psi[CK_TILE], level[CK_TILE], t[CK_TILE], n[CK_TILE], hit[CK_TILE], crossed[CK_TILE];
} ck_phase_lanes;

/* One step of the phase clock for one trajectory: the scalar reference of ck_phase_lanes_step.
 * z: the step's Gaussian, u: its uniform.  Returns 1 if it crossed the level (*hit: when). */
static inline int phase_step(const ck_phase_consts *c, double *psi, double level, double *t, double z, double u,
                             double *hit)
{
    double next = *psi + c->omega_dt + c->sd * z;
    int above = next >= level;
    /* the Brownian bridge from psi to next went above the level with probability e^{-2 (level - psi)(level - next)/(s2 dt)} */
    double bridge = vd_exp1(-2.0 * (level - *psi) * (level - next) / c->s2_dt);
    int cross = above || u < bridge;
    /* linear interpolation inside the step (O(dt) in the time); mid-step where the bridge came back */
    *hit = above ? *t + c->dt * (level - *psi) / (next - *psi) : *t + c->half_dt;
    *psi = next, *t = *t + c->dt;
    return cross;
}

/* Record the passages of a lane that crossed in its last step: one at `hit` after the transient, and
 * one more at the same time for every further level the step passed (while periods remain). */
static void phase_passages(const ck_phase_consts *c, double psi, double hit, double *level, double *n,
                           ck_intervals *times)
{
    do {
        if (hit >= c->transient) ck_intervals_add(times, hit), *n = *n + 1.0;
        *level = *level + TWO_PI;
    } while (psi >= *level && *n <= c->periods);
}

/* One step of every lane that still runs (n <= periods and t < cap), branch-free: phase_step.  z:
 * the step's Gaussians, hi and lo: the words of its uniforms.  Returns bit 0: some lane crossed
 * (crossed[], hit[]); bit 1: some lane ran.  A function of its own for tests/tools/vec_check.sh. */
static __attribute__((noinline)) int ck_phase_lanes_step(const ck_phase_consts *c, ck_phase_lanes *restrict s,
                                                          int lanes, const double *restrict z,
                                                          const uint32_t *restrict hi, const uint32_t *restrict lo)
{
    const double omega_dt = c->omega_dt, sd = c->sd, s2_dt = c->s2_dt, dt = c->dt, half_dt = c->half_dt;
    const vd one = vd_splat(1.0), periods = vd_splat(c->periods), cap = vd_splat(c->cap);
    vl any_cross = {0}, any_live = {0};
    for (int l = 0; l < lanes; l += VD) {
        vd psi = vd_load(s->psi + l), level = vd_load(s->level + l), t = vd_load(s->t + l);
        vl live = (vd_load(s->n + l) <= periods) & (t < cap);
        vd next = psi + omega_dt + sd * vd_load(z + l);
        vl above = next >= level;
        vd bridge = vd_exp(-2.0 * (level - psi) * (level - next) / s2_dt);
        vl cross = live & (above | (vd_uniform(hi + l, lo + l) < bridge));
        vd den = vd_blend(above, next - psi, one);
        vd hit = vd_blend(above, t + dt * (level - psi) / den, t + half_dt);
        vd_store(s->psi + l, vd_blend(live, next, psi));
        vd_store(s->t + l, vd_blend(live, t + dt, t));
        vd_store(s->hit + l, hit);
        vd_store(s->crossed + l, vd_count(cross));
        any_cross |= cross, any_live |= live;
    }
    int flags = 0;
    for (int i = 0; i < VD; i++) flags |= (any_cross[i] != 0) | (any_live[i] != 0) << 1;
    return flags;
}

/* The phase clock's observables of a finished lane (both paths). */
static void phase_finish(const ck_phase_consts *c, double t, const ck_intervals *times, ck_path *out)
{
    *out = (ck_path){0};
    out->window = t - c->transient;
    out->y2_mean = out->r2_mean = NAN;
    ck_intervals_finish(times, out);
}

/* Phase-clock trajectories first .. first + n - 1, n <= CK_TILE. */
static void ck_phase_tile(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t n, ck_path *out)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding, stopped from the start */
    ck_phase_consts c = phase_consts(p);
    ck_phase_lanes *s = tl_calloc(1, sizeof *s, "phase clock lanes");
    ck_intervals *times = tl_malloc(n * sizeof *times, "passage statistics");
    double *z = tl_malloc(2 * lanes * sizeof *z, "phase clock Gaussians");
    uint32_t *w = tl_malloc(4 * lanes * sizeof *w, "phase clock words");
    for (size_t l = 0; l < n; l++) ck_intervals_init(&times[l]);
    for (size_t l = 0; l < lanes; l++) s->level[l] = TWO_PI, s->n[l] = l < n ? 0 : c.periods + 1;
    for (long k = 0;; k++) {
        size_t half = (size_t)(k & 1);
        if (!half) {
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first, (uint32_t)(k / 2), lanes, z);
            tl_stream_words(key, CK_PURPOSE_BRIDGE, first, (uint32_t)(k / 2), lanes, w);
        }
        int flags = ck_phase_lanes_step(&c, s, (int)lanes, z + half * lanes, w + 2 * half * lanes,
                                        w + (2 * half + 1) * lanes);
        if (!(flags & 2)) break; /* every lane had stopped: this step changed nothing */
        if (flags & 1)
            for (size_t l = 0; l < n; l++)
                if (s->crossed[l] != 0) phase_passages(&c, s->psi[l], s->hit[l], &s->level[l], &s->n[l], &times[l]);
    }
    for (size_t l = 0; l < n; l++) phase_finish(&c, s->t[l], &times[l], &out[l]);
    free(w), free(z), free(times), free(s);
}

void ck_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count, ck_path *out,
                     double *path, size_t stride)
{
    for (size_t b = 0; b < count; b += CK_TILE) {
        size_t n = count - b < CK_TILE ? count - b : CK_TILE;
        if (p->oscillator == CK_PHASE) ck_phase_tile(p, key, first + b, n, out + b);
        else ck_tile(p, key, first + b, n, out + b, path ? path + b : NULL, stride);
    }
}

/* The scalar reference of ck_phase_tile: one trajectory, its blocks drawn for it alone. */
static void run_phase(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    ck_phase_consts c = phase_consts(p);
    ck_intervals times;
    ck_intervals_init(&times);
    double psi = 0, level = TWO_PI, t = 0, n = 0, z[2], hit;
    uint32_t w[4];
    for (long k = 0; n <= c.periods && t < c.cap; k++) {
        int half = (int)(k & 1);
        if (!half) {
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)(k / 2), 1, z);
            tl_stream_words(key, CK_PURPOSE_BRIDGE, trajectory, (uint32_t)(k / 2), 1, w);
        }
        if (phase_step(&c, &psi, level, &t, z[half], tl_uniform_double(w[2 * half], w[2 * half + 1]), &hit))
            phase_passages(&c, psi, hit, &level, &n, &times);
    }
    phase_finish(&c, t, &times, out);
}

/* The scalar reference of ck_tile: one trajectory, the lane arithmetic of ck_lanes_step written for doubles. */
static void run_escapement(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_intervals *times,
                           ck_path *out, double *path)
{
    ck_run_consts rc = run_consts(p);
    size_t next = 0;
    ck_state s = {p->x0, p->y0, p->v0};
    double t = 0, w = 0, q = 0, qp = 0, y2 = 0, r2 = 0, steps = 0, started = 0, start = 0, e0 = 0, z[2];
    long n = 0;
    int armed = 0;
    for (long k = 0; (double)n <= rc.periods && t < rc.cap; k++) {
        int in_window = t >= rc.transient;
        if (in_window && started == 0) started = 1, start = t, e0 = (s.x * s.x + s.y * s.y) * 0.5;
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)k, 1, z);
        double x_before = s.x, dw, dq, dqp;
        step_one(&rc.k, &s, z[0], z[1], &dw, &dq, &dqp);
        path_record(p, k + 1, &s, NAN, path, &next);
        if (in_window) {
            w = w + dw, q = q + dq, qp = qp + dqp, steps = steps + 1.0;
            double dx = s.x - rc.x_fixed;
            y2 = y2 + s.y * s.y, r2 = r2 + (dx * dx + s.y * s.y);
        }
        int cross = armed && s.x >= rc.x_fixed;
        if (s.x < rc.rearm) armed = 1;
        if (cross) {
            double hit = t + rc.dt * (rc.x_fixed - x_before) / (s.x - x_before);
            if (in_window && hit >= rc.transient) ck_intervals_add(times, hit), n++;
            armed = 0;
        }
        t = t + rc.dt;
    }
    for (; path && next < p->path_samples; next++) /* the trajectory stopped before these */
        for (size_t c = 0; c < 3; c++) path[3 * next + c] = NAN;
    lane_finish(s.x, s.y, t, w, q, qp, y2, r2, steps, started, start, e0, out);
}

void ck_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    ck_trajectory_path(p, key, trajectory, out, NULL);
}

void ck_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                        double *path)
{
    if (p->oscillator == CK_PHASE) {
        run_phase(p, key, trajectory, out);
        return;
    }
    ck_intervals times;
    ck_intervals_init(&times);
    *out = (ck_path){0};
    run_escapement(p, key, trajectory, &times, out, path);
    ck_intervals_finish(&times, out);
}

/* ---- the LIF synapse switching the clock (section 6.1), across the batch ----
 *
 * Streams (per trajectory, keyed by it): block n of DYNAMICS holds the clock's two Gaussians of
 * step n (its O half-steps, as at constant drive); steps 2j and 2j + 1 take the synapse's Gaussian
 * from block j of CK_PURPOSE_SYNAPSE (TL_PURPOSE_MODEL; tl_stream_gaussians: the cosine, then the sine).  The drive
 * h(t)(1 + m(t)) is the same for every trajectory: computed once per step.  Every lane runs the same
 * steps (no lane stops early), so the tile needs no live mask.  ck_lif_lanes_step advances a tile by
 * one step; lif_step (one trajectory) is its scalar reference, the same double operations in the
 * same order (e^x from vecmath.h for eq. 113's switch). */

double ck_lif_drive(const ck_lif *l, double t)
{
    double h = 1 / (1 + exp(l->alpha * (t - l->tau)));
    double m = tanh(l->pre_amplitude * sin(TWO_PI * t / l->pre_period));
    return l->k * l->weight * h * (1 + m);
}

double ck_lif_end(const ck_params *p)
{
    return round(p->lif.tau / p->dt) * p->dt;
}

/* The constants of the LIF run: the clock's step (chi set per step and lane), the synapse's exact
 * OU step and eq. 113's switch. */
typedef struct {
    ck_consts k;
    double chi, decay, gain, sd, beta_j, threshold, rearm, half_dt;
    long steps;
} ck_lif_consts;

#define CK_PURPOSE_SYNAPSE TL_PURPOSE_MODEL /* J's noise: the second stream (the phase clock's bridge) */

static ck_lif_consts lif_consts(const ck_params *p)
{
    const ck_lif *l = &p->lif;
    double k2 = l->k * l->k, decay = exp(-k2 * p->dt);
    return (ck_lif_consts){.k = step_consts(p), .chi = p->chi, .decay = decay,
                           .gain = (1 - decay) / k2, /* int_0^h e^{-k^2 (h - s)} ds */
                           .sd = sqrt(l->noise * (1 - decay * decay) / 2), .beta_j = l->beta_j,
                           .threshold = l->threshold, .rearm = -p->hysteresis, .half_dt = p->dt / 2,
                           .steps = lround(l->tau / p->dt)};
}

/* The synapse's drive over step n: gain times the drive at the step's middle (all lanes). */
static double lif_step_drive(const ck_params *p, const ck_lif_consts *c, long n)
{
    return c->gain * ck_lif_drive(&p->lif, (double)n * p->dt + c->half_dt);
}

/* Lane state of up to CK_TILE LIF runs: the clock, J, the sums, the passages; flags as doubles (0/1). */
typedef struct {
    double x[CK_TILE], y[CK_TILE], v[CK_TILE], j[CK_TILE], work[CK_TILE], heat[CK_TILE], predicted[CK_TILE],
        count[CK_TILE], armed[CK_TILE];
} ck_lif_lanes;

/* One step of one LIF run: eq. 113's chi from J at the step's start, the clock's step (step_one), J's
 * exact OU step with the drive gd, the passage of x upward through 0 (re-armed below -hysteresis).
 * z0, z1: the clock's Gaussians; zj: J's.  The scalar reference of ck_lif_lanes_step. */
static inline void lif_step(const ck_lif_consts *c, ck_state *s, double *j, double *w, double *heat, double *qp,
                            double *count, int *armed, double gd, double z0, double z1, double zj)
{
    ck_consts k = c->k;
    k.chi = c->chi / (1 + vd_exp1(-(c->beta_j * (*j - c->threshold))));
    double x_before = s->x, dw, dq, dqp;
    step_one(&k, s, z0, z1, &dw, &dq, &dqp);
    *w = *w + dw, *heat = *heat + dq, *qp = *qp + dqp;
    *j = *j * c->decay + gd + c->sd * zj;
    if (s->x < c->rearm) *armed = 1;
    if (*armed && s->x >= 0 && x_before < 0) *count = *count + 1.0, *armed = 0;
}

/* One step of every lane, branch-free: lif_step.  z: the clock's Gaussians (first O half-step at [l],
 * second at [n + l]); zj: J's.  A function of its own for tests/tools/vec_check.sh. */
static __attribute__((noinline)) void ck_lif_lanes_step(const ck_lif_consts *rc, ck_lif_lanes *restrict s, int lanes,
                                                         double gd, const double *restrict z, size_t n,
                                                         const double *restrict zj)
{
    const ck_consts *k = &rc->k;
    const double chi = rc->chi, beta_j = rc->beta_j, threshold = rc->threshold, decay = rc->decay, sd = rc->sd,
                 rearm = rc->rearm;
    const vd zero = {0}, one = zero + 1.0;
    for (int l = 0; l < lanes; l += VD) {
        vd x = vd_load(s->x + l), y = vd_load(s->y + l), j = vd_load(s->j + l);
        vd chi_l = chi / (1 + vd_exp(-(beta_j * (j - threshold))));
        vd xn = x, v = vd_load(s->v + l), w, q, qp;
        lanes_splitting(k, chi_l, &xn, &y, &v, vd_load(z + l), vd_load(z + n + l), &w, &q, &qp);
        vd_store(s->v + l, v);
        vd_store(s->x + l, xn), vd_store(s->y + l, y);
        vd_store(s->work + l, vd_load(s->work + l) + w);
        vd_store(s->heat + l, vd_load(s->heat + l) + q);
        vd_store(s->predicted + l, vd_load(s->predicted + l) + qp);
        vd_store(s->j + l, j * decay + gd + sd * vd_load(zj + l));
        /* re-armed below -hysteresis, then a passage: armed, x now at or above 0 and before below */
        vd armed = vd_blend(xn < rearm, one, vd_load(s->armed + l));
        vl cross = (armed != zero) & (xn >= zero) & (x < zero);
        vd_store(s->count + l, vd_load(s->count + l) + vd_count(cross));
        vd_store(s->armed + l, vd_blend(cross, zero, armed));
    }
}

/* The observables of a finished LIF run (both paths). */
static void lif_finish(const ck_params *p, const ck_lif_consts *c, double x, double y, double j, double w,
                       double heat, double qp, double count, ck_path *out)
{
    const ck_lif *l = &p->lif;
    *out = (ck_path){0};
    out->work = w, out->heat = heat, out->heat_predicted = qp;
    out->energy_change = (x * x + y * y) / 2;
    out->window = (double)c->steps * p->dt;
    out->lif_j = j, out->lif_count = count;
    out->fire_probability = 1 / (1 + exp(-l->fire_beta * (count - l->fire_threshold)));
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
    out->y2_mean = out->r2_mean = NAN;
}

/* LIF runs first .. first + n - 1, n <= CK_TILE; path[(4 j + c) stride + l] as ck_lif_trajectories says. */
static void ck_lif_tile(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t n, ck_path *out,
                        double *path, size_t stride)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding, never read */
    ck_lif_consts c = lif_consts(p);
    ck_lif_lanes *s = tl_calloc(1, sizeof *s, "LIF lanes"); /* x = y = v = 0: the fixed point (eps = 0) */
    double *z = tl_malloc(4 * lanes * sizeof *z, "LIF Gaussians"), *zj = z + 2 * lanes;
    size_t next = 0;
    for (long k = 0; k < c.steps; k++) {
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first, (uint32_t)k, lanes, z);
        if (!(k & 1)) tl_stream_gaussians(key, CK_PURPOSE_SYNAPSE, first, (uint32_t)(k / 2), lanes, zj);
        ck_lif_lanes_step(&c, s, (int)lanes, lif_step_drive(p, &c, k), z, lanes, zj + (size_t)(k & 1) * lanes);
        for (; path && next < p->path_samples && path_step(p, next) == k + 1; next++) {
            double *at = path + 4 * next * stride;
            for (size_t l = 0; l < n; l++)
                at[l] = s->x[l], at[stride + l] = s->y[l], at[2 * stride + l] = s->v[l], at[3 * stride + l] = s->j[l];
        }
    }
    for (; path && next < p->path_samples; next++) /* after the run's end: none when path_steps is the run's */
        for (size_t i = 0; i < 4; i++)
            for (size_t l = 0; l < n; l++) path[(4 * next + i) * stride + l] = NAN;
    for (size_t l = 0; l < n; l++)
        lif_finish(p, &c, s->x[l], s->y[l], s->j[l], s->work[l], s->heat[l], s->predicted[l], s->count[l], &out[l]);
    free(z), free(s);
}

void ck_lif_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count, ck_path *out,
                         double *path, size_t stride)
{
    for (size_t b = 0; b < count; b += CK_TILE) {
        size_t n = count - b < CK_TILE ? count - b : CK_TILE;
        ck_lif_tile(p, key, first + b, n, out + b, path ? path + b : NULL, stride);
    }
}

void ck_lif_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    ck_lif_trajectory_path(p, key, trajectory, out, NULL);
}

void ck_lif_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                            double *path)
{
    ck_lif_consts c = lif_consts(p);
    size_t next = 0;
    ck_state s = {0, 0, 0}; /* the fixed point x* = 0 (eps = 0) for every chi */
    double j = 0, w = 0, heat = 0, qp = 0, count = 0, z[2], zj[2];
    int armed = 0;
    for (long k = 0; k < c.steps; k++) {
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)k, 1, z);
        if (!(k & 1)) tl_stream_gaussians(key, CK_PURPOSE_SYNAPSE, trajectory, (uint32_t)(k / 2), 1, zj);
        lif_step(&c, &s, &j, &w, &heat, &qp, &count, &armed, lif_step_drive(p, &c, k), z[0], z[1], zj[k & 1]);
        path_record(p, k + 1, &s, j, path, &next);
    }
    for (; path && next < p->path_samples; next++)
        for (size_t i = 0; i < 4; i++) path[4 * next + i] = NAN;
    lif_finish(p, &c, s.x, s.y, j, w, heat, qp, count, out);
}

/* ---- eq. 115: a two-input spiking perceptron of clocks, across the batch ----
 *
 * Streams (per trajectory, keyed by it): block n of DYNAMICS holds the output clock's two Gaussians of
 * step n; block n of CK_PURPOSE_INPUT + i those of input clock i; steps 2j and 2j + 1 take J's
 * Gaussian from block j of CK_PURPOSE_SYNAPSE (the cosine, then the sine), as for drive = lif.  The
 * window h(t) is the same for every trajectory (once per step); the drive depends on the lane's
 * inputs.  ck_net_lanes_step advances a tile by one step; net_step (one trajectory) is its scalar
 * reference, the same double operations in the same order. */

#define CK_PURPOSE_INPUT (TL_PURPOSE_MODEL + 1) /* input i: CK_PURPOSE_INPUT + i */

/* The constants of the network run: the lif run's (the output's chi, J's step) and the inputs'. */
typedef struct {
    ck_lif_consts o;
    double in_chi[2], kw[2], dt, alpha, tau;
    int level; /* CK_SYNAPSE_LEVEL: the synapse integrates 1 + v_l; else a unit pulse per passage */
} ck_net_consts;

static ck_net_consts net_consts(const ck_params *p)
{
    const ck_lif *l = &p->lif;
    ck_net_consts c = {.o = lif_consts(p), .dt = p->dt, .alpha = l->alpha, .tau = l->tau,
                       .level = p->net.synapse == CK_SYNAPSE_LEVEL};
    for (int i = 0; i < 2; i++) {
        c.in_chi[i] = p->net.chi * (1 + p->net.theta * p->net.x[i]);
        c.kw[i] = l->k * p->net.w[i];
    }
    return c;
}

/* The window h at the middle of step n (all lanes). */
static double net_window(const ck_params *p, const ck_net_consts *c, long n)
{
    double mid = (double)n * p->dt + c->o.half_dt;
    return 1 / (1 + exp(c->alpha * (mid - c->tau)));
}

/* Input i's contribution to the drive over a step: k w_i h (1 + (v before + v after)/2) (level), or
 * k w_i h / dt if it spiked (a unit pulse within the step), 0 otherwise. */
static inline double net_term(const ck_net_consts *c, int i, double h, double v0, double v1, int spike)
{
    double level = c->kw[i] * h * (1 + (v0 + v1) / 2), pulse = c->kw[i] * h / c->dt;
    return c->level ? level : spike ? pulse : 0.0;
}

/* One step of one network run: the inputs (their own escapement clocks and bath, chi fixed), the
 * drive, the output clock switched by J at the step's start (eq. 113), J and J_det, the passages. */
typedef struct {
    ck_state s, in[2];
    double j, j_det, w, heat, qp, count, spikes[2];
    int armed, in_armed[2];
} ck_net_run;

static inline void net_step(const ck_net_consts *c, ck_net_run *r, double h, const double z[2], const double zi[2][2],
                            double zj)
{
    double drive = 0, scratch;
    for (int i = 0; i < 2; i++) {
        ck_consts k = c->o.k;
        k.chi = c->in_chi[i];
        double x_before = r->in[i].x, v_before = r->in[i].v;
        step_one(&k, &r->in[i], zi[i][0], zi[i][1], &scratch, &scratch, &scratch);
        if (r->in[i].x < c->o.rearm) r->in_armed[i] = 1;
        int spike = r->in_armed[i] && r->in[i].x >= 0 && x_before < 0;
        if (spike) r->in_armed[i] = 0, r->spikes[i] = r->spikes[i] + 1.0;
        drive = drive + net_term(c, i, h, v_before, r->in[i].v, spike);
    }
    ck_consts k = c->o.k;
    k.chi = c->o.chi / (1 + vd_exp1(-(c->o.beta_j * (r->j - c->o.threshold))));
    double x_before = r->s.x, dw, dq, dqp, gd = c->o.gain * drive;
    step_one(&k, &r->s, z[0], z[1], &dw, &dq, &dqp);
    r->w = r->w + dw, r->heat = r->heat + dq, r->qp = r->qp + dqp;
    /* the exact OU step of J with the drive held over the step (a pulse: its integral); J_det the same
     * without the noise, so J - J_det is exactly the OU noise */
    r->j_det = r->j_det * c->o.decay + gd;
    r->j = r->j * c->o.decay + gd + c->o.sd * zj;
    if (r->s.x < c->o.rearm) r->armed = 1;
    if (r->armed && r->s.x >= 0 && x_before < 0) r->count = r->count + 1.0, r->armed = 0;
}


/* Lane state of up to CK_TILE network runs: the output clock, J, J_det, the sums and passages, and the
 * two inputs' clocks, re-arming flags and passages; flags as doubles (0/1). */
typedef struct {
    double x[CK_TILE], y[CK_TILE], v[CK_TILE], j[CK_TILE], j_det[CK_TILE], work[CK_TILE], heat[CK_TILE],
        predicted[CK_TILE], count[CK_TILE], armed[CK_TILE];
    double ix[2][CK_TILE], iy[2][CK_TILE], iv[2][CK_TILE], iarmed[2][CK_TILE], spikes[2][CK_TILE];
} ck_net_lanes;

/* One step of every lane, branch-free: net_step.  kwh[i] = k w_i h and pulse[i] = k w_i h/dt: the step's
 * terms of net_term (computed by the caller: no scalar arithmetic here).  z: the output's Gaussians ([l],
 * [n + l]); zi[i]: input i's; zj: J's.  A function of its own for tests/tools/vec_check.sh. */
static __attribute__((noinline)) void ck_net_lanes_step(const ck_net_consts *rc, ck_net_lanes *restrict s, int lanes,
                                                         const double kwh[2], const double pulse[2],
                                                         const double *restrict z, size_t n,
                                                         const double *restrict zi0, const double *restrict zi1,
                                                         const double *restrict zj)
{
    const ck_lif_consts *o = &rc->o;
    const double chi = o->chi, beta_j = o->beta_j, threshold = o->threshold, decay = o->decay, sd = o->sd,
                 rearm = o->rearm, gain = o->gain;
    const vd zero = {0}, one = zero + 1.0;
    const vl level = (vl){0} + (rc->level ? -1 : 0);
    const double *zi[2] = {zi0, zi1};
    const vd in_chi[2] = {vd_splat(rc->in_chi[0]), vd_splat(rc->in_chi[1])};
    const vd kwh_v[2] = {vd_splat(kwh[0]), vd_splat(kwh[1])}, pulse_v[2] = {vd_splat(pulse[0]), vd_splat(pulse[1])};
    for (int l = 0; l < lanes; l += VD) {
        vd drive = zero, w, q, qp;
        for (int i = 0; i < 2; i++) {
            vd x = vd_load(s->ix[i] + l), y = vd_load(s->iy[i] + l), v = vd_load(s->iv[i] + l), x0 = x, v0 = v;
            lanes_splitting(&o->k, in_chi[i], &x, &y, &v, vd_load(zi[i] + l), vd_load(zi[i] + n + l), &w,
                            &q, &qp);
            vd armed = vd_blend(x < rearm, one, vd_load(s->iarmed[i] + l));
            vl spike = (armed != zero) & (x >= zero) & (x0 < zero);
            vd_store(s->iarmed[i] + l, vd_blend(spike, zero, armed));
            vd_store(s->spikes[i] + l, vd_load(s->spikes[i] + l) + vd_count(spike));
            vd_store(s->ix[i] + l, x), vd_store(s->iy[i] + l, y), vd_store(s->iv[i] + l, v);
            vd term_level = kwh_v[i] * (1 + (v0 + v) / 2);
            drive = drive + vd_blend(level, term_level, vd_blend(spike, pulse_v[i], zero));
        }
        vd x = vd_load(s->x + l), y = vd_load(s->y + l), v = vd_load(s->v + l), j = vd_load(s->j + l), x0 = x;
        vd chi_l = chi / (1 + vd_exp(-(beta_j * (j - threshold))));
        vd gd = gain * drive;
        lanes_splitting(&o->k, chi_l, &x, &y, &v, vd_load(z + l), vd_load(z + n + l), &w, &q, &qp);
        vd_store(s->x + l, x), vd_store(s->y + l, y), vd_store(s->v + l, v);
        vd_store(s->work + l, vd_load(s->work + l) + w);
        vd_store(s->heat + l, vd_load(s->heat + l) + q);
        vd_store(s->predicted + l, vd_load(s->predicted + l) + qp);
        vd_store(s->j_det + l, vd_load(s->j_det + l) * decay + gd);
        vd_store(s->j + l, j * decay + gd + sd * vd_load(zj + l));
        vd armed = vd_blend(x < rearm, one, vd_load(s->armed + l));
        vl cross = (armed != zero) & (x >= zero) & (x0 < zero);
        vd_store(s->count + l, vd_load(s->count + l) + vd_count(cross));
        vd_store(s->armed + l, vd_blend(cross, zero, armed));
    }
}

/* The observables of a finished network run (both paths). */
static void net_finish(const ck_params *p, const ck_net_consts *c, const ck_net_run *r, ck_path *out)
{
    lif_finish(p, &c->o, r->s.x, r->s.y, r->j, r->w, r->heat, r->qp, r->count, out);
    out->phase_advance = r->j - r->j_det;
    out->count_high = r->spikes[0], out->count_low = r->spikes[1];
}

/* Network runs first .. first + n - 1, n <= CK_TILE. */
static void ck_net_tile(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t n, ck_path *out)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding, never read */
    ck_net_consts c = net_consts(p);
    ck_net_lanes *s = tl_calloc(1, sizeof *s, "network lanes"); /* the output at rest at 0 */
    double *z = tl_malloc(8 * lanes * sizeof *z, "network Gaussians"), *zi = z + 2 * lanes, *zj = z + 6 * lanes;
    for (size_t l = 0; l < lanes; l++)
        for (int i = 0; i < 2; i++) s->ix[i][l] = p->net.start[i].x, s->iy[i][l] = p->net.start[i].y, s->iv[i][l] = p->net.start[i].v;
    for (long k = 0; k < c.o.steps; k++) {
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first, (uint32_t)k, lanes, z);
        for (int i = 0; i < 2; i++) tl_stream_gaussians(key, CK_PURPOSE_INPUT + (uint32_t)i, first, (uint32_t)k, lanes, zi + 2 * i * lanes);
        if (!(k & 1)) tl_stream_gaussians(key, CK_PURPOSE_SYNAPSE, first, (uint32_t)(k / 2), lanes, zj);
        double h = net_window(p, &c, k), kwh[2] = {c.kw[0] * h, c.kw[1] * h}, pulse[2] = {kwh[0] / c.dt, kwh[1] / c.dt};
        ck_net_lanes_step(&c, s, (int)lanes, kwh, pulse, z, lanes, zi, zi + 2 * lanes, zj + (size_t)(k & 1) * lanes);
    }
    for (size_t l = 0; l < n; l++) {
        ck_net_run r = {.s = {s->x[l], s->y[l], s->v[l]}, .j = s->j[l], .j_det = s->j_det[l], .w = s->work[l],
                        .heat = s->heat[l], .qp = s->predicted[l], .count = s->count[l],
                        .spikes = {s->spikes[0][l], s->spikes[1][l]}};
        net_finish(p, &c, &r, &out[l]);
    }
    free(z), free(s);
}

void ck_network_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count,
                             ck_path *out)
{
    for (size_t b = 0; b < count; b += CK_TILE) {
        size_t n = count - b < CK_TILE ? count - b : CK_TILE;
        ck_net_tile(p, key, first + b, n, out + b);
    }
}

void ck_network_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    ck_net_consts c = net_consts(p);
    ck_net_run r = {.in = {p->net.start[0], p->net.start[1]}};
    double z[2], zi[2][2], zj[2];
    for (long k = 0; k < c.o.steps; k++) {
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)k, 1, z);
        for (int i = 0; i < 2; i++) tl_stream_gaussians(key, CK_PURPOSE_INPUT + (uint32_t)i, trajectory, (uint32_t)k, 1, zi[i]);
        if (!(k & 1)) tl_stream_gaussians(key, CK_PURPOSE_SYNAPSE, trajectory, (uint32_t)(k / 2), 1, zj);
        net_step(&c, &r, net_window(p, &c, k), z, (const double(*)[2])zi, zj[k & 1]);
    }
    net_finish(p, &c, &r, out);
}

/* ---- the rate code of eq. 114: a square-wave coupling ---- */

double ck_square_integral(const ck_square *q, double t)
{
    double P = q->period, high = q->duty * P, whole = floor(t / P), r = t - whole * P;
    double partial = r < high ? r : 2 * high - r; /* up by r while high, then down */
    return whole * (2 * high - P) + partial;
}

int ck_square_level(const ck_square *q, double t)
{
    double r = t - floor(t / q->period) * q->period;
    return r < q->duty * q->period ? 1 : -1;
}

double ck_square_end(const ck_params *p)
{
    return round((double)p->square.cycles * p->square.period / p->dt) * p->dt;
}

static void square_count(const ck_square *q, double hit, ck_path *out)
{
    if (ck_square_level(q, hit) > 0) out->count_high++;
    else out->count_low++;
}

/* ---- the rate code across the batch ----
 *
 * Streams (per trajectory, keyed by it), as at constant drive: the escapement's step n takes the two
 * Gaussians of block n of DYNAMICS; the phase clock's steps 2j and 2j + 1 take the Gaussians of block j
 * of DYNAMICS and the uniforms of block j of CK_PURPOSE_BRIDGE (drawn at every step).  The drive (the
 * escapement's chi over the step, the phase clock's drift) is the same for every trajectory: computed
 * once per step by square_drive.  Every lane runs the same steps (no lane stops), so the escapement's
 * tile needs no live mask and the phase clock's runs ck_phase_lanes_step with no period limit or cap.
 * The passages are rare (one in 2 pi/dt steps): ck_square_lanes_step and ck_phase_lanes_step flag the
 * lanes that crossed, and square_count sorts them by M at the passage, scalar.  The scalar references
 * (square_escapement, square_phase) do the same double operations in the same order. */

/* The integral of M over step n, S((n+1) dt) - S(n dt); *s_prev carries S(n dt) from step to step. */
static double square_step(const ck_params *p, long n, double *s_prev)
{
    double s_next = ck_square_integral(&p->square, (double)n * p->dt + p->dt), ds = s_next - *s_prev;
    *s_prev = s_next;
    return ds;
}

/* The escapement's chi over step n: the step's average of eq. 114. */
static double square_chi(const ck_params *p, double ds)
{
    return p->chi * (1 + p->square.theta * ds / p->dt);
}

/* The phase clock's constants under the square drive: no period limit, no cap (the run is the drive's). */
static ck_phase_consts square_phase_consts(const ck_params *p)
{
    ck_phase_consts c = phase_consts(p);
    c.periods = INFINITY, c.cap = INFINITY, c.transient = 0;
    return c;
}

/* The phase clock's drift over a step whose integral of M is ds: omega (dt + theta ds), exact. */
static double square_drift(const ck_params *p, double ds)
{
    return p->omega * (p->dt + p->square.theta * ds);
}

/* The passages of a lane that crossed in its last step: one at `hit` for every level the step passed. */
static void square_passages(const ck_square *q, double psi, double hit, double *level, ck_path *out)
{
    do {
        square_count(q, hit, out);
        *level = *level + TWO_PI;
    } while (psi >= *level);
}

/* The phase clock with omega(t) = omega (1 + theta M(t)): the drift over a step is integrated exactly;
 * a level 2 pi k is crossed when the end point passes it, or, with the Brownian bridge's exact
 * probability, inside the step (phase_step).  One trajectory: the scalar reference of the phase tile.
 * path (may be NULL): path[2 j + c] = psi (unwrapped) and M at the sample's time. */
static void square_phase(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, long steps,
                         ck_path *out, double *path)
{
    size_t sample = 0;
    ck_phase_consts c = square_phase_consts(p);
    double psi = 0, level = TWO_PI, t = 0, s_prev = 0, z[2], hit;
    uint32_t w[4];
    for (long n = 0; n < steps; n++) {
        int half = (int)(n & 1);
        if (!half) {
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)(n / 2), 1, z);
            tl_stream_words(key, CK_PURPOSE_BRIDGE, trajectory, (uint32_t)(n / 2), 1, w);
        }
        c.omega_dt = square_drift(p, square_step(p, n, &s_prev));
        if (phase_step(&c, &psi, level, &t, z[half], tl_uniform_double(w[2 * half], w[2 * half + 1]), &hit))
            square_passages(&p->square, psi, hit, &level, out);
        if (path) path_store(p, n + 1, (double[2]){psi, ck_square_level(&p->square, (double)(n + 1) * p->dt)}, path, &sample);
    }
    out->phase_advance = psi;
}

/* Phase-clock trajectories first .. first + n - 1 under the square drive, n <= CK_TILE;
 * path[(2 j + c) stride + l]. */
static void ck_square_phase_tile(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t n, long steps,
                                 ck_path *out, double *path, size_t stride)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding, never read */
    ck_phase_consts c = square_phase_consts(p);
    ck_phase_lanes *s = tl_calloc(1, sizeof *s, "phase clock lanes");
    double *z = tl_malloc(2 * lanes * sizeof *z, "phase clock Gaussians"), s_prev = 0;
    uint32_t *w = tl_malloc(4 * lanes * sizeof *w, "phase clock words");
    for (size_t l = 0; l < lanes; l++) s->level[l] = TWO_PI;
    size_t next = 0;
    for (long k = 0; k < steps; k++) {
        size_t half = (size_t)(k & 1);
        if (!half) {
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first, (uint32_t)(k / 2), lanes, z);
            tl_stream_words(key, CK_PURPOSE_BRIDGE, first, (uint32_t)(k / 2), lanes, w);
        }
        c.omega_dt = square_drift(p, square_step(p, k, &s_prev));
        int flags = ck_phase_lanes_step(&c, s, (int)lanes, z + half * lanes, w + 2 * half * lanes,
                                        w + (2 * half + 1) * lanes);
        if (flags & 1)
            for (size_t l = 0; l < n; l++)
                if (s->crossed[l] != 0) square_passages(&p->square, s->psi[l], s->hit[l], &s->level[l], &out[l]);
        for (; path && next < p->path_samples && path_step(p, next) == k + 1; next++) {
            double *at = path + 2 * next * stride, m = ck_square_level(&p->square, (double)(k + 1) * p->dt);
            for (size_t l = 0; l < n; l++) at[l] = s->psi[l], at[stride + l] = m;
        }
    }
    for (size_t l = 0; l < n; l++) out[l].phase_advance = s->psi[l];
    free(w), free(z), free(s);
}

/* path (may be NULL): path[4 j + c] = x, y, v and M at the sample's time (path_record).  One trajectory:
 * the scalar reference of ck_square_tile. */
static void square_escapement(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, long steps,
                              ck_path *out, double *path)
{
    size_t next = 0;
    ck_consts k = step_consts(p);
    ck_state s = {p->x0, p->y0, p->v0};
    double w = 0, heat = 0, qp = 0, y2 = 0, r2 = 0, s_prev = 0, e0 = (s.x * s.x + s.y * s.y) / 2, z[2];
    int armed = 0;
    for (long n = 0; n < steps; n++) {
        double t = (double)n * p->dt, dw, dq, dqp;
        k.chi = square_chi(p, square_step(p, n, &s_prev));
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)n, 1, z);
        double x_before = s.x;
        step_one(&k, &s, z[0], z[1], &dw, &dq, &dqp);
        w = w + dw, heat = heat + dq, qp = qp + dqp;
        y2 = y2 + s.y * s.y, r2 = r2 + (s.x * s.x + s.y * s.y);
        if (s.x < -p->hysteresis) armed = 1;
        if (armed && s.x >= 0) {
            square_count(&p->square, t + p->dt * (0 - x_before) / (s.x - x_before), out);
            armed = 0;
        }
        if (path) path_record(p, n + 1, &s, ck_square_level(&p->square, (double)(n + 1) * p->dt), path, &next);
    }
    out->work = w, out->heat = heat, out->heat_predicted = qp;
    out->energy_change = (s.x * s.x + s.y * s.y) / 2 - e0;
    out->y2_mean = y2 / (double)steps, out->r2_mean = r2 / (double)steps;
    out->phase_advance = NAN;
}

/* Lane state of up to CK_TILE escapements under the square drive; flags as doubles (0/1). */
typedef struct {
    double x[CK_TILE], y[CK_TILE], v[CK_TILE], work[CK_TILE], heat[CK_TILE], predicted[CK_TILE], y2[CK_TILE],
        r2[CK_TILE], armed[CK_TILE], hit[CK_TILE], crossed[CK_TILE];
} ck_square_lanes;

/* One step of every lane, branch-free: the loop body of square_escapement with the step's chi, t = n dt
 * its start.  z: the step's Gaussians ([l], [n + l]).  Returns 1 if some lane passed upward through 0
 * (crossed[], hit[]).  A function of its own for tests/tools/vec_check.sh. */
static __attribute__((noinline)) int ck_square_lanes_step(const ck_consts *k, ck_square_lanes *restrict s, int lanes,
                                                           double chi, double t, double dt, double rearm,
                                                           const double *restrict z, size_t n)
{
    const vd zero = {0}, one = zero + 1.0, chi_v = vd_splat(chi);
    vl any = {0};
    for (int l = 0; l < lanes; l += VD) {
        vd x = vd_load(s->x + l), y = vd_load(s->y + l), v = vd_load(s->v + l), x0 = x, w, q, qp;
        lanes_splitting(k, chi_v, &x, &y, &v, vd_load(z + l), vd_load(z + n + l), &w, &q, &qp);
        vd_store(s->x + l, x), vd_store(s->y + l, y), vd_store(s->v + l, v);
        vd_store(s->work + l, vd_load(s->work + l) + w);
        vd_store(s->heat + l, vd_load(s->heat + l) + q);
        vd_store(s->predicted + l, vd_load(s->predicted + l) + qp);
        vd_store(s->y2 + l, vd_load(s->y2 + l) + y * y);
        vd_store(s->r2 + l, vd_load(s->r2 + l) + (x * x + y * y));
        /* re-armed below -hysteresis, then a passage: armed and x now at or above 0 */
        vd armed = vd_blend(x < rearm, one, vd_load(s->armed + l));
        vl cross = (armed != zero) & (x >= zero);
        vd den = vd_blend(cross, x - x0, one);
        vd_store(s->hit + l, t + dt * (zero - x0) / den);
        vd_store(s->crossed + l, vd_count(cross));
        vd_store(s->armed + l, vd_blend(cross, zero, armed));
        any |= cross;
    }
    int flag = 0;
    for (int i = 0; i < VD; i++) flag |= any[i] != 0;
    return flag;
}

/* Escapements first .. first + n - 1 under the square drive, n <= CK_TILE; path[(4 j + c) stride + l]. */
static void ck_square_tile(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t n, long steps,
                           ck_path *out, double *path, size_t stride)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding, never read */
    ck_consts k = step_consts(p);
    ck_square_lanes *s = tl_calloc(1, sizeof *s, "square-drive lanes");
    double *z = tl_malloc(2 * lanes * sizeof *z, "square-drive Gaussians"), s_prev = 0;
    double e0 = (p->x0 * p->x0 + p->y0 * p->y0) / 2;
    for (size_t l = 0; l < lanes; l++) s->x[l] = p->x0, s->y[l] = p->y0, s->v[l] = p->v0;
    size_t next = 0;
    for (long i = 0; i < steps; i++) {
        double chi = square_chi(p, square_step(p, i, &s_prev));
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first, (uint32_t)i, lanes, z);
        if (ck_square_lanes_step(&k, s, (int)lanes, chi, (double)i * p->dt, p->dt, -p->hysteresis, z, lanes))
            for (size_t l = 0; l < n; l++)
                if (s->crossed[l] != 0) square_count(&p->square, s->hit[l], &out[l]);
        for (; path && next < p->path_samples && path_step(p, next) == i + 1; next++) {
            double *at = path + 4 * next * stride, m = ck_square_level(&p->square, (double)(i + 1) * p->dt);
            for (size_t l = 0; l < n; l++)
                at[l] = s->x[l], at[stride + l] = s->y[l], at[2 * stride + l] = s->v[l], at[3 * stride + l] = m;
        }
    }
    for (size_t l = 0; l < n; l++) {
        ck_path *o = &out[l];
        o->work = s->work[l], o->heat = s->heat[l], o->heat_predicted = s->predicted[l];
        o->energy_change = (s->x[l] * s->x[l] + s->y[l] * s->y[l]) / 2 - e0;
        o->y2_mean = s->y2[l] / (double)steps, o->r2_mean = s->r2[l] / (double)steps;
        o->phase_advance = NAN;
    }
    free(z), free(s);
}

/* The observables every rate-code run shares: the run, the time at each level; zero counts. */
static void square_begin(const ck_params *p, long steps, ck_path *out)
{
    *out = (ck_path){0};
    out->window = (double)steps * p->dt;
    double s_end = ck_square_integral(&p->square, out->window);
    out->time_high = (out->window + s_end) / 2, out->time_low = (out->window - s_end) / 2;
}

static void square_end(const ck_params *p, ck_path *out)
{
    if (p->oscillator == CK_PHASE) out->y2_mean = out->r2_mean = NAN;
    out->intervals = (long)(out->count_high + out->count_low);
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
}

void ck_square_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    ck_square_trajectory_path(p, key, trajectory, out, NULL);
}

void ck_square_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                               double *path)
{
    long steps = lround(ck_square_end(p) / p->dt);
    square_begin(p, steps, out);
    if (p->oscillator == CK_PHASE) square_phase(p, key, trajectory, steps, out, path);
    else square_escapement(p, key, trajectory, steps, out, path);
    square_end(p, out);
}

void ck_square_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count,
                            ck_path *out, double *path, size_t stride)
{
    long steps = lround(ck_square_end(p) / p->dt);
    for (size_t b = 0; b < count; b += CK_TILE) {
        size_t n = count - b < CK_TILE ? count - b : CK_TILE;
        for (size_t l = 0; l < n; l++) square_begin(p, steps, &out[b + l]);
        if (p->oscillator == CK_PHASE) ck_square_phase_tile(p, key, first + b, n, steps, out + b, path ? path + b : NULL, stride);
        else ck_square_tile(p, key, first + b, n, steps, out + b, path ? path + b : NULL, stride);
        for (size_t l = 0; l < n; l++) square_end(p, &out[b + l]);
    }
}
