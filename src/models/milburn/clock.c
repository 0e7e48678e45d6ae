/* The noisy clocks of Milburn section 6: the splitting integrator of the
 * escapement clock, the phase clock of eq. 105, and the period measurement
 * (upward passages through a section).  See clock.h. */
#include <math.h>
#include <stdlib.h>

#include "clock.h"
#include "thermolearn/error.h"

const int ck_blocks[CK_N_BLOCKS] = {1, 2, 5, 10, 20, 40};

#define TWO_PI 6.283185307179586

/* Exact relaxation of v towards -tanh x at rate 2 gamma cosh x over time t, x frozen. */
static inline double relax_v(double v, double x, double gamma, double t)
{
    double target = -tanh(x);
    return target + (v - target) * exp(-2 * gamma * cosh(x) * t);
}

void ck_step(const ck_params *p, ck_state *s, tl_stream_cursor *r, double *work, double *heat, double *heat_predicted)
{
    double h = p->dt, a = exp(-p->kappa * h / 2), a2 = a * a;
    double noise = sqrt(p->temperature * (1 - a2));
    double c = cos(h), sn = sin(h);

    s->v = relax_v(s->v, s->x, p->gamma, h / 2);
    double force = p->chi * (s->v - p->eps);
    for (int half = 0; half < 2; half++) {
        if (half) { /* A: the free oscillator exactly, between the two kicks */
            double x = s->x;
            s->x = x * c + s->y * sn;
            s->y = -x * sn + s->y * c;
        }
        /* O then B on the way in, B then O on the way out */
        for (int sub = 0; sub < 2; sub++) {
            double y = s->y;
            if ((sub == 0) == (half == 0)) { /* O: damping and noise, the bath's heat */
                *heat_predicted += (1 - a2) * (p->temperature - y * y) / 2;
                s->y = a * y + noise * tl_stream_cursor_gaussian(r);
                *heat += (s->y * s->y - y * y) / 2;
            } else { /* B: the escapement's kick, its work */
                s->y = y + force * h / 2;
                *work += (s->y * s->y - y * y) / 2;
            }
        }
    }
    s->v = relax_v(s->v, s->x, p->gamma, h / 2);
}

/* Statistics of the recorded passage times t[0..n]. */
static void interval_stats(const double *t, long n, ck_path *out)
{
    out->intervals = n;
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
    if (n < 1) return;
    out->first_period = t[1] - t[0];
    out->period_mean = (t[n] - t[0]) / (double)n;
    if (n < 2) return;
    double m = out->period_mean, ss = 0, cross = 0;
    for (long k = 0; k < n; k++) {
        double d = t[k + 1] - t[k] - m;
        ss += d * d;
        if (k + 1 < n) cross += d * (t[k + 2] - t[k + 1] - m);
    }
    out->interval_var = ss / (double)(n - 1);
    out->lag1 = ss > 0 ? cross / ss : NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) {
        long len = ck_blocks[b], count = n - len + 1;
        if (count < 2 || len >= n) continue;
        double mean = (t[n] - t[0]) / (double)n * (double)len, s2 = 0;
        /* overlapping blocks t_{k+len} - t_k about len times the mean interval */
        for (long k = 0; k < count; k++) {
            double d = t[k + len] - t[k] - mean;
            s2 += d * d;
        }
        /* for independent intervals E[s2/count] = len V (1 - len/n): the block sums share the mean */
        out->block_var[b] = s2 / (double)count / ((double)len * (1 - (double)len / (double)n));
    }
}

/* The longest a trajectory may run: the transient plus 20 expected periods per recorded one. */
static double time_cap(const ck_params *p)
{
    return p->max_time;
}

static void run_phase(const ck_params *p, tl_stream_cursor *r, double *t_cross, long *n_cross, double *t_end)
{
    double s2 = ck_sigma(p) / (p->radius * p->radius), sd = sqrt(s2 * p->dt);
    double psi = 0, level = TWO_PI, t = 0, cap = time_cap(p);
    long n = 0;
    while (n <= p->periods && t < cap) {
        double next = psi + p->omega * p->dt + sd * tl_stream_cursor_gaussian(r);
        double hit = NAN;
        if (next >= level) /* linear interpolation inside the step: O(dt) in the time */
            hit = t + p->dt * (level - psi) / (next - psi);
        else if (tl_stream_cursor_uniform(r) < exp(-2 * (level - psi) * (level - next) / (s2 * p->dt)))
            hit = t + p->dt / 2; /* the Brownian bridge went above the level and came back */
        t += p->dt;
        psi = next;
        while (!isnan(hit)) {
            if (hit >= p->transient) t_cross[n++] = hit;
            level += TWO_PI;
            hit = psi >= level && n <= p->periods ? hit : NAN; /* several levels in one step: same time */
        }
    }
    *n_cross = n;
    *t_end = t;
}

/* The step after which sample j of the path is taken. */
static long path_step(const ck_params *p, size_t j)
{
    return (long)llround((double)p->path_steps * (double)(j + 1) / (double)p->path_samples);
}

/* Record the state into the samples due after step k (path may be NULL). */
static void path_record(const ck_params *p, long k, const ck_state *s, double j, double *path, size_t *next)
{
    size_t C = ck_path_components(p);
    for (; path && *next < p->path_samples && path_step(p, *next) == k; (*next)++) {
        double *at = path + C * *next, state[4] = {s->x, s->y, s->v, j};
        for (size_t c = 0; c < C; c++) at[c] = state[c];
    }
}

static void run_escapement(const ck_params *p, tl_stream_cursor *r, double *t_cross, long *n_cross, ck_path *out,
                           double *path)
{
    size_t next = 0;
    long k = 0;
    ck_state s = {p->x0, p->y0, p->v0};
    double t = 0, cap = time_cap(p), w = 0, q = 0, qp = 0, y2 = 0, r2 = 0, start = NAN, e0 = 0;
    long n = 0, steps = 0;
    int armed = 0;
    while (n <= p->periods && t < cap) {
        int in_window = t >= p->transient;
        if (in_window && isnan(start)) start = t, e0 = (s.x * s.x + s.y * s.y) / 2;
        double x_before = s.x, dw = 0, dq = 0, dqp = 0;
        ck_step(p, &s, r, &dw, &dq, &dqp);
        path_record(p, ++k, &s, NAN, path, &next);
        if (in_window) {
            w += dw, q += dq, qp += dqp, steps++;
            double dx = s.x - p->x_fixed;
            y2 += s.y * s.y, r2 += dx * dx + s.y * s.y;
        }
        if (s.x < p->x_fixed - p->hysteresis) armed = 1;
        if (armed && s.x >= p->x_fixed) {
            double hit = t + p->dt * (p->x_fixed - x_before) / (s.x - x_before);
            if (in_window && hit >= p->transient) t_cross[n++] = hit;
            armed = 0;
        }
        t += p->dt;
    }
    *n_cross = n;
    for (; path && next < p->path_samples; next++) /* the trajectory stopped before these */
        for (size_t c = 0; c < 3; c++) path[3 * next + c] = NAN;
    out->window = isnan(start) ? 0 : t - start;
    out->work = w, out->heat = q, out->heat_predicted = qp;
    out->energy_change = isnan(start) ? 0 : (s.x * s.x + s.y * s.y) / 2 - e0;
    out->y2_mean = steps ? y2 / (double)steps : NAN;
    out->r2_mean = steps ? r2 / (double)steps : NAN;
}

void ck_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    ck_trajectory_path(p, key, trajectory, out, NULL);
}

void ck_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                        double *path)
{
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, key, TL_PURPOSE_DYNAMICS, trajectory);
    double *t_cross = tl_malloc((size_t)(p->periods + 1) * sizeof *t_cross, "passage times");
    long n = 0;
    *out = (ck_path){0};
    if (p->oscillator == CK_PHASE) {
        double t_end;
        run_phase(p, &r, t_cross, &n, &t_end);
        out->window = t_end - p->transient;
        out->y2_mean = out->r2_mean = NAN;
    } else {
        run_escapement(p, &r, t_cross, &n, out, path);
    }
    interval_stats(t_cross, n - 1, out);
    free(t_cross);
}

/* ---- the LIF synapse switching the clock (section 6.1) ---- */

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

void ck_lif_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    ck_lif_trajectory_path(p, key, trajectory, out, NULL);
}

void ck_lif_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                            double *path)
{
    size_t next = 0;
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, key, TL_PURPOSE_DYNAMICS, trajectory);
    const ck_lif *l = &p->lif;
    long steps = lround(p->lif.tau / p->dt);
    double k2 = l->k * l->k, decay = exp(-k2 * p->dt);
    double gain = (1 - decay) / k2; /* int_0^h e^{-k^2 (h - s)} ds */
    double sd = sqrt(l->noise * (1 - decay * decay) / 2);
    ck_params q = *p;
    ck_state s = {0, 0, 0}; /* the fixed point x* = 0 (eps = 0) for every chi */
    double j = 0, w = 0, heat = 0, qp = 0, count = 0;
    int armed = 0;
    *out = (ck_path){0};
    for (long n = 0; n < steps; n++) {
        double t = (double)n * p->dt;
        q.chi = p->chi / (1 + exp(-l->beta_j * (j - l->threshold))); /* eq. 113 at the step's start */
        double x_before = s.x;
        ck_step(&q, &s, &r, &w, &heat, &qp);
        j = j * decay + gain * ck_lif_drive(l, t + p->dt / 2) + sd * tl_stream_cursor_gaussian(&r);
        if (s.x < -p->hysteresis) armed = 1;
        if (armed && s.x >= 0 && x_before < 0) count++, armed = 0;
        path_record(p, n + 1, &s, j, path, &next);
    }
    out->work = w, out->heat = heat, out->heat_predicted = qp;
    out->energy_change = (s.x * s.x + s.y * s.y) / 2;
    out->window = (double)steps * p->dt;
    out->lif_j = j, out->lif_count = count;
    out->fire_probability = 1 / (1 + exp(-l->fire_beta * (count - l->fire_threshold)));
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
    out->y2_mean = out->r2_mean = NAN;
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

/* The phase clock with omega(t) = omega (1 + theta M(t)): the drift over a step is integrated
 * exactly; a level 2 pi k is crossed when the end point passes it, or, with the Brownian
 * bridge's exact probability, inside the step. */
static void square_phase(const ck_params *p, tl_stream_cursor *r, long steps, ck_path *out)
{
    const ck_square *q = &p->square;
    double s2 = ck_sigma(p) / (p->radius * p->radius), sd = sqrt(s2 * p->dt);
    double psi = 0, level = TWO_PI, s_prev = 0;
    for (long n = 0; n < steps; n++) {
        double t = (double)n * p->dt, s_next = ck_square_integral(q, t + p->dt);
        double next = psi + p->omega * (p->dt + q->theta * (s_next - s_prev)) + sd * tl_stream_cursor_gaussian(r);
        s_prev = s_next;
        double hit = NAN;
        if (next >= level) hit = t + p->dt * (level - psi) / (next - psi);
        else if (tl_stream_cursor_uniform(r) < exp(-2 * (level - psi) * (level - next) / (s2 * p->dt)))
            hit = t + p->dt / 2;
        psi = next;
        while (!isnan(hit)) {
            square_count(q, hit, out);
            level += TWO_PI;
            hit = psi >= level ? hit : NAN;
        }
    }
    out->phase_advance = psi;
}

static void square_escapement(const ck_params *p, tl_stream_cursor *r, long steps, ck_path *out)
{
    const ck_square *q = &p->square;
    ck_params c = *p;
    ck_state s = {p->x0, p->y0, p->v0};
    double w = 0, heat = 0, qp = 0, y2 = 0, r2 = 0, s_prev = 0, e0 = (s.x * s.x + s.y * s.y) / 2;
    int armed = 0;
    for (long n = 0; n < steps; n++) {
        double t = (double)n * p->dt, s_next = ck_square_integral(q, t + p->dt);
        c.chi = p->chi * (1 + q->theta * (s_next - s_prev) / p->dt); /* the step's average of eq. 114 */
        s_prev = s_next;
        double x_before = s.x;
        ck_step(&c, &s, r, &w, &heat, &qp);
        y2 += s.y * s.y, r2 += s.x * s.x + s.y * s.y;
        if (s.x < -p->hysteresis) armed = 1;
        if (armed && s.x >= 0) {
            square_count(q, t + p->dt * (0 - x_before) / (s.x - x_before), out);
            armed = 0;
        }
    }
    out->work = w, out->heat = heat, out->heat_predicted = qp;
    out->energy_change = (s.x * s.x + s.y * s.y) / 2 - e0;
    out->y2_mean = y2 / (double)steps, out->r2_mean = r2 / (double)steps;
    out->phase_advance = NAN;
}

void ck_square_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, key, TL_PURPOSE_DYNAMICS, trajectory);
    long steps = lround(ck_square_end(p) / p->dt);
    *out = (ck_path){0};
    out->window = (double)steps * p->dt;
    double s_end = ck_square_integral(&p->square, out->window);
    out->time_high = (out->window + s_end) / 2, out->time_low = (out->window - s_end) / 2;
    if (p->oscillator == CK_PHASE) {
        square_phase(p, &r, steps, out);
        out->y2_mean = out->r2_mean = NAN;
    } else {
        square_escapement(p, &r, steps, out);
    }
    out->intervals = (long)(out->count_high + out->count_low);
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
}

/* ---- eq. 115: a two-input spiking perceptron of clocks ---- */

void ck_network_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out)
{
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, key, TL_PURPOSE_DYNAMICS, trajectory);
    const ck_lif *l = &p->lif;
    long steps = lround(l->tau / p->dt);
    double k2 = l->k * l->k, decay = exp(-k2 * p->dt), gain = (1 - decay) / k2;
    double sd = sqrt(l->noise * (1 - decay * decay) / 2);
    ck_params post = *p, pre[2] = {*p, *p};
    ck_state s = {0, 0, 0}, in[2];
    in[0] = p->net.start[0], in[1] = p->net.start[1];
    double j = 0, j_det = 0, w = 0, heat = 0, qp = 0, count = 0, spikes[2] = {0, 0}, scratch = 0;
    int armed = 0, in_armed[2] = {0, 0};
    for (int i = 0; i < 2; i++) pre[i].chi = p->net.chi * (1 + p->net.theta * p->net.x[i]);
    *out = (ck_path){0};
    for (long n = 0; n < steps; n++) {
        double t = (double)n * p->dt, mid = t + p->dt / 2;
        double h = 1 / (1 + exp(l->alpha * (mid - l->tau))), drive = 0;
        for (int i = 0; i < 2; i++) { /* the inputs: their own escapement clocks, their own bath */
            double x_before = in[i].x, v_before = in[i].v;
            ck_step(&pre[i], &in[i], &r, &scratch, &scratch, &scratch);
            if (in[i].x < -p->hysteresis) in_armed[i] = 1;
            int spike = in_armed[i] && in[i].x >= 0 && x_before < 0;
            if (spike) in_armed[i] = 0, spikes[i]++;
            if (p->net.synapse == CK_SYNAPSE_LEVEL) drive += l->k * p->net.w[i] * h * (1 + (v_before + in[i].v) / 2);
            else if (spike) drive += l->k * p->net.w[i] * h / p->dt; /* a unit pulse within the step */
        }
        post.chi = p->chi / (1 + exp(-l->beta_j * (j - l->threshold))); /* eq. 113 at the step's start */
        double x_before = s.x;
        ck_step(&post, &s, &r, &w, &heat, &qp);
        /* the exact OU step of J with the drive held over the step (a pulse: its integral, decayed by half a step
         * on average -- the same in J and J_det, so J - J_det is exactly the OU noise) */
        j_det = j_det * decay + gain * drive;
        j = j * decay + gain * drive + sd * tl_stream_cursor_gaussian(&r);
        if (s.x < -p->hysteresis) armed = 1;
        if (armed && s.x >= 0 && x_before < 0) count++, armed = 0;
    }
    out->work = w, out->heat = heat, out->heat_predicted = qp;
    out->energy_change = (s.x * s.x + s.y * s.y) / 2;
    out->window = (double)steps * p->dt;
    out->lif_j = j, out->lif_count = count, out->phase_advance = j - j_det;
    out->fire_probability = 1 / (1 + exp(-l->fire_beta * (count - l->fire_threshold)));
    out->count_high = spikes[0], out->count_low = spikes[1];
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
    out->y2_mean = out->r2_mean = NAN;
}
