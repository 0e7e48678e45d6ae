/* The two-state activation switch with driven rates (Milburn section 2.2):
 * the protocol, the energy levels and the exact trajectory sampler.
 *
 * n in {-1, +1}; mu(t) is the rate -1 -> +1 and nu(t) the rate +1 -> -1
 * (eq. 5).  Eq. 9 swaps the rates by f(t):
 *   mu(t) = mu + f (nu - mu),  nu(t) = nu - f (nu - mu),
 * with f = min(t / tau, 1) (eq. 10; the paper's "0 otherwise" after tau would
 * swap the rates back), f = 1 / (1 + e^{-(t - t0)/width}) (Fig. 5) or f = 0;
 * Fig. 6B instead steps nu alone: nu(t) = nu (1 + a theta(t - t0)).
 *
 * Sampling (eq. 14): dn = (1 - n)/2 dN+ - (1 + n)/2 dN-, N+- Poisson with
 * rates mu(t), nu(t) whatever n is.  Candidate events come at the constant
 * rate Lambda >= mu(t) + nu(t); a candidate at t is an N+ event with
 * probability mu(t)/Lambda, an N- event with nu(t)/Lambda, else nothing
 * (thinning, Lewis & Shedler).  This is exact in law for any bounded rates,
 * with no time step: for eq. 9, mu(t) + nu(t) is constant and no candidate is
 * wasted.  "Events" counts N+- firings (null ones included: N+ in state +1),
 * "jumps" counts real changes of n.
 *
 * Energetics.  Kinetic levels (the paper): E_n = n E0 / 2, fixed, so W = 0
 * and Q = Delta E is exchanged in the jumps with a driver that is not a
 * thermal bath.  Thermal levels: E_n(t) = n eps(t) / 2, eps = T ln(nu/mu), so
 * that mu/nu = e^{-eps/T} (detailed balance at every instant).  Work is the
 * change of the occupied level while n is fixed, heat the energy of each jump:
 *   W = sum over the constant pieces [a, b] of n (eps(b) - eps(a)) / 2,
 *   Q = sum over the jumps at t of (n_after - n_before) eps(t) / 2,
 * which telescope to W + Q = E_{n(time)}(time) - E_{n(0)}(0) on every path.
 *
 * Streams: INITIAL draws n(0); block j of DYNAMICS is candidate j, words 0-1
 * its exponential gap and words 2-3 its mark (the cursor's order).
 * ts_trajectories runs lanes of trajectories side by side, each lane taking
 * its own candidate j at iteration j (lanes past `time` are masked until the
 * last one ends); ts_trajectory is its scalar reference.  Both evaluate the
 * sigmoid and the thermal level with vecmath.h's e^x and ln x, in the same
 * order, so they agree bit for bit; the exact references use libm.
 */
#include <math.h>
#include <string.h>

#include "milburn.h"
#include "thermolearn/vecmath.h"

static double drive(const ts_params *p, double t)
{
    switch (p->protocol) {
    case TS_LINEAR: return t >= p->tau ? 1.0 : t <= 0 ? 0.0 : t / p->tau;
    case TS_SIGMOID: return 1.0 / (1.0 + exp(-(t - p->t0) / p->width));
    default: return 0.0;
    }
}

void ts_rates(const ts_params *p, double t, double *mu, double *nu)
{
    if (p->reverse) t = p->time - t;
    if (p->protocol == TS_STEP) {
        *mu = p->mu;
        *nu = t >= p->t0 ? p->nu * (1 + p->step_factor) : p->nu;
        return;
    }
    double f = drive(p, t);
    *mu = p->mu + f * (p->nu - p->mu);
    *nu = p->nu - f * (p->nu - p->mu);
}

double ts_rate_bound(const ts_params *p)
{
    if (p->protocol == TS_STEP) return p->mu + p->nu * (1 + p->step_factor);
    return p->mu + p->nu; /* the same at every t under eq. 9 */
}

double ts_energy(const ts_params *p, int n, double t)
{
    if (p->energy == TS_KINETIC) return 0.5 * n * p->e0;
    double mu, nu;
    ts_rates(p, t, &mu, &nu);
    return 0.5 * n * p->temperature * log(nu / mu);
}

double ts_p_up_initial(const ts_params *p)
{
    if (p->initial == TS_UP) return 1.0;
    if (p->initial == TS_DOWN) return 0.0;
    double mu, nu;
    ts_rates(p, 0.0, &mu, &nu);
    return mu / (mu + nu); /* eqs. 6-7 at the starting rates */
}

/* The constants of the sampler. */
typedef struct {
    double time, inv_bound, bound, mu, nu, swing, tau_inv, t0, inv_width, step_nu, half_t, half_e0, tau;
    int protocol, thermal, reverse;
} ts_lane_const;

static ts_lane_const lane_constants(const ts_params *p)
{
    return (ts_lane_const){.time = p->time, .bound = ts_rate_bound(p), .inv_bound = 1 / ts_rate_bound(p), .mu = p->mu,
                           .nu = p->nu, .swing = p->nu - p->mu, .tau = p->tau, .tau_inv = 1 / p->tau, .t0 = p->t0,
                           .inv_width = 1 / p->width, .step_nu = p->nu * (1 + p->step_factor),
                           .half_t = 0.5 * p->temperature, .half_e0 = 0.5 * p->e0, .protocol = p->protocol,
                           .thermal = p->energy == TS_THERMAL, .reverse = p->reverse};
}

/* mu(t), nu(t) and E_{+1}(t) of every lane (ts_rates and ts_energy, written for vectors). */
static inline void lane_rates(const ts_lane_const *c, vd t, vd *mu, vd *nu, vd *level)
{
    const vd zero = {0}, one = zero + 1.0;
    vd tt = c->reverse ? c->time - t : t, f = zero;
    *mu = vd_splat(c->mu), *nu = vd_splat(c->nu);
    if (c->protocol == TS_STEP) *nu = vd_blend(tt >= c->t0, vd_splat(c->step_nu), *nu);
    else {
        if (c->protocol == TS_LINEAR) f = vd_blend(tt >= c->tau, one, vd_blend(tt <= zero, zero, tt * c->tau_inv));
        if (c->protocol == TS_SIGMOID) f = 1.0 / (1.0 + vd_exp(-(tt - c->t0) * c->inv_width));
        *mu = c->mu + f * c->swing, *nu = c->nu - f * c->swing;
    }
    *level = c->thermal ? c->half_t * vd_log(*nu / *mu) : vd_splat(c->half_e0);
}

/* The same for one double (the scalar reference). */
static void scalar_rates(const ts_lane_const *c, double t, double *mu, double *nu, double *level)
{
    double tt = c->reverse ? c->time - t : t, f = 0;
    *mu = c->mu, *nu = c->nu;
    if (c->protocol == TS_STEP) *nu = tt >= c->t0 ? c->step_nu : *nu;
    else {
        if (c->protocol == TS_LINEAR) f = tt >= c->tau ? 1.0 : tt <= 0 ? 0.0 : tt * c->tau_inv;
        if (c->protocol == TS_SIGMOID) f = 1.0 / (1.0 + vd_exp1(-(tt - c->t0) * c->inv_width));
        *mu = c->mu + f * c->swing, *nu = c->nu - f * c->swing;
    }
    *level = c->thermal ? c->half_t * vd_log1(*nu / *mu) : c->half_e0;
}

#define TS_TILE 32
_Static_assert(TS_TILE % 16 == 0, "a tile is a whole number of vectors (and of Philox vectors)");
typedef struct {
    double t[TS_TILE], n[TS_TILE], level[TS_TILE], work[TS_TILE], heat[TS_TILE], events[TS_TILE], jumps[TS_TILE],
        first[TS_TILE], alive[TS_TILE]; /* alive: 1 while t < time */
    double before[TS_TILE];              /* n before this candidate (the checkpoints passed by its gap) */
} ts_lanes;

/* Candidate j of every lane: the gap, the rates at the new time, the mark,
 * and the jump with its work and heat, all as blends (a lane past `time`
 * changes nothing).  w: the candidates' words (word k of lane l at
 * [k n + l]).  A function of its own for tests/tools/vec_check.sh. */
static __attribute__((noinline)) void ts_lanes_candidate(const ts_lane_const *c, ts_lanes *restrict s, int lanes,
                                                          const uint32_t *restrict w, size_t n)
{
    const vd zero = {0}, one = zero + 1.0;
    for (int l = 0; l < lanes; l += VD) {
        vd t = vd_load(s->t + l) - vd_log(vd_uniform(w + l, w + n + l)) * c->inv_bound;
        vd state = vd_load(s->n + l), mu, nu, level;
        vl alive = (vd_load(s->alive + l) != zero) & (t < c->time);
        lane_rates(c, t, &mu, &nu, &level);
        vd u = vd_uniform(w + 2 * n + l, w + 3 * n + l) * c->bound;
        vl up = u < mu, event = alive & (up | (u < mu + nu));
        vd to = vd_blend(up, one, -one);
        vl real = event & (to != state);
        vd jumps = vd_load(s->jumps + l);
        vd_store(s->work + l, vd_load(s->work + l) + vd_blend(real, state * (level - vd_load(s->level + l)), zero));
        vd_store(s->heat + l, vd_load(s->heat + l) + vd_blend(real, (to - state) * level, zero));
        vd_store(s->first + l, vd_blend(real & (jumps == zero), t, vd_load(s->first + l)));
        vd_store(s->jumps + l, jumps + vd_count(real));
        vd_store(s->events + l, vd_load(s->events + l) + vd_count(event));
        vd_store(s->level + l, vd_blend(real, level, vd_load(s->level + l)));
        vd_store(s->before + l, state);
        vd_store(s->n + l, vd_blend(real, to, state));
        vd_store(s->t + l, t);
        vd_store(s->alive + l, vd_count(alive));
    }
}

/* Checkpoint k of a lane gets the state it held at t_k = time (k+1)/K: the
 * state before the candidate whose gap passed t_k. */
static void record_checkpoints(const ts_params *p, const ts_lanes *s, size_t n, size_t *next, double *state,
                               size_t stride)
{
    const size_t K = p->survival_times;
    for (size_t l = 0; l < n; l++)
        while (next[l] < K && p->time * (double)(next[l] + 1) / (double)K < s->t[l])
            state[next[l] * stride + l] = s->before[l], next[l]++;
}

static ts_path lane_path(const ts_params *p, const ts_lane_const *c, int n0, int n_final, double work, double heat,
                         double level_last, double events, double jumps, double first_jump)
{
    double mu, nu, level_end, level_start;
    scalar_rates(c, p->time, &mu, &nu, &level_end);
    scalar_rates(c, 0.0, &mu, &nu, &level_start);
    return (ts_path){.work = work + n_final * (level_end - level_last), .heat = heat,
                     .energy_change = n_final * level_end - n0 * level_start, .jumps = (long)jumps,
                     .events = (long)events, .n0 = n0, .n_final = n_final, .first_jump = first_jump};
}

static int initial_state(const ts_params *p, const tl_stream_key *key, uint64_t trajectory)
{
    tl_stream_cursor init;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    return tl_stream_cursor_uniform(&init) < ts_p_up_initial(p) ? 1 : -1;
}

void ts_trajectories(const ts_params *p, const tl_stream_key *key, uint64_t first, size_t count, ts_path *out,
                     double *state)
{
    const ts_lane_const c = lane_constants(p);
    const size_t K = p->survival_times;
    ts_lanes s;
    uint32_t w[4 * TS_TILE];
    size_t next[TS_TILE];
    for (size_t t0 = 0; t0 < count; t0 += TS_TILE) {
        size_t n = count - t0 < TS_TILE ? count - t0 : TS_TILE, lanes = (n + 15) / 16 * 16;
        double mu, nu, level0;
        scalar_rates(&c, 0.0, &mu, &nu, &level0);
        memset(&s, 0, sizeof s), memset(next, 0, sizeof next);
        for (size_t l = 0; l < lanes; l++) {
            s.n[l] = l < n ? initial_state(p, key, first + t0 + l) : 1;
            s.level[l] = level0, s.first[l] = p->time, s.alive[l] = l < n;
        }
        for (uint32_t j = 0;; j++) {
            int any = 0;
            for (size_t l = 0; l < n; l++) any |= s.alive[l] != 0;
            if (!any) break;
            tl_stream_words(key, TL_PURPOSE_DYNAMICS, first + t0, j, lanes, w);
            ts_lanes_candidate(&c, &s, (int)lanes, w, lanes);
            if (state) record_checkpoints(p, &s, n, next, state + t0, count);
        }
        for (size_t l = 0; l < n; l++) {
            if (state)
                while (next[l] < K) state[next[l]++ * count + t0 + l] = s.n[l];
            out[t0 + l] = lane_path(p, &c, initial_state(p, key, first + t0 + l), (int)s.n[l], s.work[l], s.heat[l],
                                    s.level[l], s.events[l], s.jumps[l], s.first[l]);
        }
    }
}

/* The scalar walk of ts_trajectory; with K_path > 0 it also records the sample
 * path (n, E_n, W) at the K_path times time (k+1)/K_path, the last at `time`
 * itself, so that the last sample is the trajectory's final state, energy and
 * work to the bit (lane_path's arithmetic). */
static void walk(const ts_params *p, const tl_stream_key *key, uint64_t trajectory, ts_path *out, double *state,
                 size_t K_path, double *path)
{
    const ts_lane_const c = lane_constants(p);
    const size_t K = p->survival_times;
    size_t next = 0, next_path = 0; /* the next checkpoint, the next path sample to record */
    int n = initial_state(p, key, trajectory), n0 = n;
    double t = 0, work = 0, heat = 0, events = 0, jumps = 0, first_jump = p->time, mu, nu, level_last;
    scalar_rates(&c, 0.0, &mu, &nu, &level_last); /* E_{+1} at the start of the piece */
    for (uint32_t j = 0;; j++) {
        uint32_t wd[4];
        tl_stream_words(key, TL_PURPOSE_DYNAMICS, trajectory, j, 1, wd);
        t = t - vd_log1(tl_uniform_double(wd[0], wd[1])) * c.inv_bound;
        while (state && next < K && p->time * (double)(next + 1) / (double)K < t) state[next++] = n;
        while (next_path + 1 < K_path && p->time * (double)(next_path + 1) / (double)K_path < t) {
            double level;
            scalar_rates(&c, p->time * (double)(next_path + 1) / (double)K_path, &mu, &nu, &level);
            path[3 * next_path] = n, path[3 * next_path + 1] = n * level;
            path[3 * next_path++ + 2] = work + n * (level - level_last);
        }
        if (!(t < p->time)) break;
        double level, u = tl_uniform_double(wd[2], wd[3]) * c.bound;
        scalar_rates(&c, t, &mu, &nu, &level);
        int to;
        if (u < mu) to = 1;
        else if (u < mu + nu) to = -1;
        else continue; /* a thinned candidate */
        events += 1;
        if (to == n) continue; /* N+ in +1 or N- in -1: an event, no change */
        work += n * (level - level_last); /* E_n = n E_{+1} */
        heat += (to - n) * level;
        if (jumps == 0) first_jump = t;
        jumps += 1;
        n = to, level_last = level;
    }
    while (state && next < K) state[next++] = n;
    *out = lane_path(p, &c, n0, n, work, heat, level_last, events, jumps, first_jump);
    if (K_path > 0) { /* the last sample, at `time`: the trajectory's own final values */
        double level;
        scalar_rates(&c, p->time, &mu, &nu, &level);
        path[3 * (K_path - 1)] = n, path[3 * (K_path - 1) + 1] = n * level, path[3 * (K_path - 1) + 2] = out->work;
    }
}

void ts_trajectory(const ts_params *p, const tl_stream_key *key, uint64_t trajectory, ts_path *out, double *state)
{
    walk(p, key, trajectory, out, state, 0, NULL);
}

void ts_trajectory_path(const ts_params *p, const tl_stream_key *key, uint64_t trajectory, size_t samples,
                        double *path, ts_path *out)
{
    walk(p, key, trajectory, out, NULL, samples, path);
}
