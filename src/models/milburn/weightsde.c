/* The weight SDE with learning feedback (Milburn section 4.2, eq. 85): the
 * potential, and one trajectory (the scheme is described in weightsde.h).
 *
 * integrator = exact.  Over a step h the proposal solves the Ornstein-Uhlenbeck
 * part exactly with the learning force F = -L sech^2(.) frozen at w:
 *   y = w e^{-gamma h} + F(w) (1 - e^{-gamma h})/gamma + sqrt(T (1 - e^{-2 gamma h})/gamma) xi,
 * accepted with min{1, e^{-(V(y) - V(w))/T} q(w|y)/q(y|w)}.  Each step then
 * satisfies detailed balance with respect to exp(-V/T) = exp(-2V/D): the
 * stationary law is exact at any h, and the dynamics is O(h) (the frozen
 * force).  With eta = 0 the acceptance is 1 identically: the exact OU step.
 *
 * Energetics (k_B = 1, Q absorbed): U = V, which does not depend on time for a
 * constant training signal, so W = 0 and Q = V(w_final) - V(w_initial) on every
 * trajectory (Sekimoto; summed per step it telescopes).
 *
 * Streams (one per trajectory, keyed by it): INITIAL draws w(0); block j of
 * DYNAMICS holds the Gaussians of steps 2j and 2j + 1 (tl_stream_gaussians),
 * block j of PURPOSE_ACCEPT the acceptance uniforms of those steps (words
 * 0-1 and 2-3; euler draws no uniform).  ws_trajectories runs lanes of
 * trajectories side by side (vectors across the batch); ws_trajectory is its
 * scalar reference.  Both evaluate tanh and sech^2 from one e^{-2|a|}
 * (vecmath.h's e^x) in the same order, so they agree bit for bit; the exact
 * references use libm's tanh and cosh (ws_potential, ws_force).
 */
#include <math.h>
#include <string.h>

#include "thermolearn/vecmath.h"
#include "weightsde.h"

enum { PURPOSE_ACCEPT = TL_PURPOSE_MODEL };

double ws_potential(const ws_params *p, double w)
{
    double L = ws_learning_scale(p);
    return 0.5 * p->gamma_w * w * w + 2 * L / (p->beta * p->input) * tanh(0.5 * p->beta * (w * p->input + p->bias));
}

double ws_force(const ws_params *p, double w)
{
    double c = cosh(0.5 * p->beta * (w * p->input + p->bias));
    return -p->gamma_w * w - ws_learning_scale(p) / (c * c);
}

double ws_paper_potential(const ws_params *p, double w)
{
    double L = ws_learning_scale(p), wx = w * p->input;
    /* (2L/(wx)) tanh(beta wx/2) -> L beta at w = 0 */
    double bump = fabs(wx) < 1e-8 ? L * p->beta : 2 * L / wx * tanh(0.5 * p->beta * wx);
    return 0.5 * p->gamma_w * w * w + bump;
}

void ws_run_init(ws_run *run, const ws_params *p)
{
    run->p = *p;
    run->steps = (long)fmax(1.0, ceil(p->time / p->dt * (1 - 1e-12)));
    run->h = p->time / run->steps;
    run->decay = exp(-p->gamma_w * run->h);
    run->drift_gain = -expm1(-p->gamma_w * run->h) / p->gamma_w;
    run->spread = sqrt(p->temperature * -expm1(-2 * p->gamma_w * run->h) / p->gamma_w);
    run->rho = exp(-p->switch_rate * run->h);
    run->first_counted = (long)ceil(p->transient / run->h * (1 - 1e-12));
    if (run->first_counted >= run->steps) run->first_counted = run->steps - 1;
}

static void bin(const ws_params *p, double *hist, double w)
{
    if (!hist || !(w >= p->w_min && w < p->w_max)) return;
    size_t b = (size_t)((w - p->w_min) / (p->w_max - p->w_min) * (double)p->bins);
    hist[b < p->bins ? b : p->bins - 1] += 1;
}

/* The constants of the step. */
typedef struct {
    double half_beta_x, half_beta_b; /* a = beta (w x + b) / 2 = w half_beta_x + half_beta_b */
    double gamma, half_gamma, bump, learning; /* V = half_gamma w^2 + bump tanh a, f = -learning sech^2 a */
    double decay, gain, spread, inv_t, inv_2s2, h, euler_noise;
    int learn;
} ws_step;

static ws_step step_constants(const ws_run *run)
{
    const ws_params *p = &run->p;
    const double L = ws_learning_scale(p);
    return (ws_step){.half_beta_x = 0.5 * p->beta * p->input, .half_beta_b = 0.5 * p->beta * p->bias,
                     .gamma = p->gamma_w, .half_gamma = 0.5 * p->gamma_w, .bump = 2 * L / (p->beta * p->input),
                     .learning = L, .decay = run->decay, .gain = run->drift_gain, .spread = run->spread,
                     .inv_t = 1 / p->temperature, .inv_2s2 = 1 / (2 * run->spread * run->spread), .h = run->h,
                     .euler_noise = sqrt(2 * p->temperature * run->h), .learn = L != 0};
}

/* V(w) and the learning force -L sech^2(a) of every lane: with e = e^{-2|a|},
 * tanh a = sign(a) (1 - e)/(1 + e) and sech^2 a = 4 e / (1 + e)^2. */
static inline void lane_potential(const ws_step *c, vd w, vd *v, vd *f)
{
    const vd zero = {0};
    vd a = w * c->half_beta_x + c->half_beta_b;
    vd mag = vd_blend(a < zero, -a, a), e = vd_exp(-2.0 * mag), d = 1.0 + e;
    vd th = (1.0 - e) / d;
    th = vd_blend(a < zero, -th, th);
    *v = c->half_gamma * (w * w) + c->bump * th;
    *f = -c->learning * (4.0 * e / (d * d));
}

/* The same for one double (the scalar reference). */
static void scalar_potential(const ws_step *c, double w, double *v, double *f)
{
    double a = w * c->half_beta_x + c->half_beta_b;
    double mag = a < 0 ? -a : a, e = vd_exp1(-2.0 * mag), d = 1.0 + e;
    double th = (1.0 - e) / d;
    th = a < 0 ? -th : th;
    *v = c->half_gamma * (w * w) + c->bump * th;
    *f = -c->learning * (4.0 * e / (d * d));
}

#define WS_TILE 64
_Static_assert(WS_TILE % 16 == 0, "a tile is a whole number of vectors (and of Philox vectors)");
typedef struct {
    double w[WS_TILE], v[WS_TILE], f[WS_TILE], accepted[WS_TILE];
} ws_lanes;

/* One step of every lane, the exact-OU proposal and its Metropolis-Hastings
 * test (a blend; with eta = 0 every proposal is taken), or Euler-Maruyama.  z:
 * the step's Gaussians, ua: its uniforms' words (hi at [0], lo at [n]).  A
 * function of its own for tests/tools/vec_check.sh. */
static __attribute__((noinline)) void ws_lanes_step(const ws_step *c, ws_lanes *restrict s, int lanes, int euler,
                                                     const double *restrict z, const uint32_t *restrict ua, size_t n)
{
    const vd zero = {0};
    if (euler) {
        for (int l = 0; l < lanes; l += VD) {
            vd w = vd_load(s->w + l), v, f;
            lane_potential(c, w, &v, &f);
            w = w + (-c->gamma * w + f) * c->h + c->euler_noise * vd_load(z + l);
            vd_store(s->w + l, w);
            vd_store(s->accepted + l, vd_load(s->accepted + l) + 1.0);
        }
        return;
    }
    const vl always = (vl){0} - !c->learn;
    for (int l = 0; l < lanes; l += VD) {
        vd w = vd_load(s->w + l), v = vd_load(s->v + l), f = vd_load(s->f + l);
        vd mean = w * c->decay + f * c->gain, y = mean + c->spread * vd_load(z + l), vy, fy;
        lane_potential(c, y, &vy, &fy);
        vd fwd = y - mean, back = w - (y * c->decay + fy * c->gain);
        vd log_alpha = -(vy - v) * c->inv_t - (back * back - fwd * fwd) * c->inv_2s2;
        vl accept = (vd_uniform(ua + l, ua + n + l) < vd_exp(vd_blend(log_alpha < zero, log_alpha, zero))) | always;
        vd_store(s->w + l, vd_blend(accept, y, w));
        vd_store(s->v + l, vd_blend(accept, vy, v));
        vd_store(s->f + l, vd_blend(accept, fy, f));
        vd_store(s->accepted + l, vd_load(s->accepted + l) + vd_count(accept));
    }
}

static void filtered_trajectories(const ws_run *run, const tl_stream_key *key, uint64_t first, size_t count,
                                  double *out, double *initial_hist, double *final_hist);

static void lane_out(const ws_run *run, double w0, double w, double accepted, double *out,
                     double *initial_hist, double *final_hist)
{
    out[WS_OBS_W_INITIAL] = w0;
    out[WS_OBS_W_FINAL] = w;
    out[WS_OBS_W_SQUARE] = w * w;
    out[WS_OBS_NEGATIVE] = w < 0;
    out[WS_OBS_HEAT] = ws_potential(&run->p, w) - ws_potential(&run->p, w0); /* libm's, as the references */
    out[WS_OBS_ACCEPTANCE] = accepted / (double)run->steps;
    out[WS_OBS_ONE_MINUS_NC2] = out[WS_OBS_JUMPS] = out[WS_OBS_WORK] = 0; /* the filtered loop's */
    bin(&run->p, initial_hist, w0);
    bin(&run->p, final_hist, w);
}

static double initial_w(const ws_run *run, const tl_stream_key *key, uint64_t trajectory)
{
    tl_stream_cursor init;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    return sqrt(run->p.temperature / run->p.gamma_w) * tl_stream_cursor_gaussian(&init);
}

void ws_trajectories(const ws_run *run, const tl_stream_key *key, uint64_t first, size_t count, double *out,
                     double *initial_hist, double *final_hist)
{
    if (run->p.feedback == WS_FILTERED) {
        filtered_trajectories(run, key, first, count, out, initial_hist, final_hist);
        return;
    }
    const ws_step c = step_constants(run);
    const int euler = run->p.integrator == WS_EULER;
    const size_t bins = run->p.bins;
    ws_lanes s;
    double z[2 * WS_TILE], w0[WS_TILE];
    uint32_t ua[4 * WS_TILE];
    for (size_t t0 = 0; t0 < count; t0 += WS_TILE) {
        size_t n = count - t0 < WS_TILE ? count - t0 : WS_TILE, lanes = (n + 15) / 16 * 16;
        memset(&s, 0, sizeof s), memset(ua, 0, sizeof ua);
        for (size_t l = 0; l < n; l++) {
            s.w[l] = w0[l] = initial_w(run, key, first + t0 + l);
            scalar_potential(&c, s.w[l], &s.v[l], &s.f[l]);
        }
        for (long k = 0; k < run->steps; k++) {
            size_t half = (size_t)(k & 1);
            if (!half) {
                tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first + t0, (uint32_t)(k / 2), lanes, z);
                if (!euler) tl_stream_words(key, PURPOSE_ACCEPT, first + t0, (uint32_t)(k / 2), lanes, ua);
            }
            ws_lanes_step(&c, &s, (int)lanes, euler, z + half * lanes, ua + 2 * half * lanes, lanes);
        }
        for (size_t l = 0; l < n; l++)
            lane_out(run, w0[l], s.w[l], s.accepted[l], out + (t0 + l) * WS_N_OBS,
                     initial_hist ? initial_hist + (t0 + l) * bins : NULL, final_hist ? final_hist + (t0 + l) * bins : NULL);
    }
}

void ws_trajectory(const ws_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                   double *initial_hist, double *final_hist)
{
    if (run->p.feedback == WS_FILTERED) {
        ws_filtered_trajectory(run, key, trajectory, out, initial_hist, final_hist);
        return;
    }
    const ws_step c = step_constants(run);
    const int euler = run->p.integrator == WS_EULER;
    double w = initial_w(run, key, trajectory), w0 = w, v, f, accepted = 0, z[2];
    uint32_t ua[4] = {0};
    scalar_potential(&c, w, &v, &f);
    for (long k = 0; k < run->steps; k++) {
        int half = (int)(k & 1);
        if (!half) {
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)(k / 2), 1, z);
            tl_stream_words(key, PURPOSE_ACCEPT, trajectory, (uint32_t)(k / 2), 1, ua);
        }
        if (euler) {
            double v_, f_;
            scalar_potential(&c, w, &v_, &f_);
            w = w + (-c.gamma * w + f_) * c.h + c.euler_noise * z[half];
            accepted += 1.0;
            continue;
        }
        double mean = w * c.decay + f * c.gain, y = mean + c.spread * z[half], vy, fy;
        scalar_potential(&c, y, &vy, &fy);
        double fwd = y - mean, back = w - (y * c.decay + fy * c.gain);
        double log_alpha = -(vy - v) * c.inv_t - (back * back - fwd * fwd) * c.inv_2s2;
        int accept = !c.learn || tl_uniform_double(ua[2 * half], ua[2 * half + 1]) < vd_exp1(log_alpha < 0 ? log_alpha : 0);
        if (accept) w = y, v = vy, f = fy;
        accepted += accept;
    }
    lane_out(run, w0, w, accepted, out, initial_hist, final_hist);
}

/* ---- the full loop of eq. 84 (feedback = filtered) --------------------------------------------
 * Per step h, from (w, n, n_c) at t, with a = beta (w x + b)/2 and the
 * switch's stationary P(n = +1 | w) = sigma(beta A) = (1 + tanh a)/2:
 *   1. the weight: F = -L (1 - n_c^2) (x n_T = -1), the OU step with F frozen
 *      (exact) or Euler; n_c is the filter's estimate at t, from the record
 *      up to t (Ito);
 *   2. the record's likelihood: with dy = kappa n h + sqrt(gamma) dW and
 *      Gamma = 2 kappa^2/gamma, the log-likelihood ratio 2 kappa dy/gamma =
 *      Gamma n h + sqrt(2 Gamma) dW (kappa drops out);
 *   3. the exact Bayes filter of model `observed` (observed.c's
 *      ob_lanes_step, copied: it is not exported): the posterior in log-odds,
 *      then the prediction over h with the chain's exact transition at w(t),
 *      p_+ -> sigma(beta A) + (p_+ - sigma(beta A)) e^{-gamma_s h}
 *      (mu + nu = gamma_s does not depend on w);
 *   4. the switch's exact transition over h at w(t).
 * Energetics: the force is -V'(w) + f_fb with the feedback force
 * f_fb = L (n_c^2 - tanh^2 a) (V of eq. 85); its work W = sum f_fb(w_mid) dw
 * (Stratonovich, n_c held over the step, tanh^2 at the step's midpoint), and
 * Q = Delta V - W absorbed, per trajectory.  W does not vanish as
 * gamma_s -> infinity: n_c lags w (it does not move within a step, nor within
 * 1/gamma_s), so the Stratonovich integral keeps the Ito correction of the
 * tanh^2 term, the heat a delayed feedback pumps; no exact reference for it.
 * Streams: INITIAL draws w(0) (as the adiabatic loop) and then n(0) from
 * sigma(beta A(0)); block k of DYNAMICS holds step k's Gaussians (weight,
 * record); block j of PURPOSE_ACCEPT the switch's uniforms of steps 2j, 2j + 1.
 *
 * Trajectories diverge (the switch's jumps, the filter) but every step is the
 * same arithmetic on every lane: a jump is a blend, the filter's clamps and
 * branches are blends.  ws_trajectories runs tiles of WS_TILE trajectories
 * side by side (wf_lanes_step); ws_filtered_trajectory is its scalar
 * reference, with the same double operations in the same order (tanh from
 * vecmath.h's e^x, as lane_tanh), so the two agree bit for bit. */

/* The constants of a filtered step. */
typedef struct {
    double half_bx, half_bb; /* a = w half_bx + half_bb */
    double learning, h, gamma, decay, gain, spread, euler_noise;
    double measurement, record_noise, rho, flip_scale; /* Gamma, sqrt(2 Gamma h), e^{-gamma_s h}, 1 - rho */
    int euler;
} wf_step;

static wf_step filtered_constants(const ws_run *run)
{
    const ws_params *p = &run->p;
    return (wf_step){.half_bx = 0.5 * p->beta * p->input, .half_bb = 0.5 * p->beta * p->bias,
                     .learning = ws_learning_scale(p), .h = run->h, .gamma = p->gamma_w, .decay = run->decay,
                     .gain = run->drift_gain, .spread = run->spread,
                     .euler_noise = sqrt(2 * p->temperature * run->h), .measurement = p->measurement_rate,
                     .record_noise = sqrt(2 * p->measurement_rate * run->h), .rho = run->rho,
                     .flip_scale = 1 - run->rho, .euler = p->integrator == WS_EULER};
}

/* tanh a = sign(a) (1 - e)/(1 + e), e = e^{-2|a|}, on every lane; scalar_tanh on one double. */
static inline vd lane_tanh(vd a)
{
    const vd zero = {0};
    vd e = vd_exp(-2.0 * vd_blend(a < zero, -a, a)), th = (1.0 - e) / (1.0 + e);
    return vd_blend(a < zero, -th, th);
}

static inline double scalar_tanh(double a)
{
    double e = vd_exp1(-2.0 * (a < 0 ? -a : a)), th = (1.0 - e) / (1.0 + e);
    return a < 0 ? -th : th;
}

/* w(0) and n(0) of a trajectory, and tanh a(0) (the filter's prior n_c(0)). */
static void filtered_initial(const ws_run *run, const wf_step *c, const tl_stream_key *key, uint64_t trajectory,
                             double *w, double *n, double *th)
{
    tl_stream_cursor init;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    *w = sqrt(run->p.temperature / run->p.gamma_w) * tl_stream_cursor_gaussian(&init);
    *th = scalar_tanh(*w * c->half_bx + c->half_bb);
    *n = tl_stream_cursor_uniform(&init) < 0.5 * (1 + *th) ? 1.0 : -1.0;
}

static void filtered_out(const ws_run *run, double w0, double w, double work, double sum, double jumps, double *out,
                         double *initial_hist, double *final_hist)
{
    const ws_params *p = &run->p;
    out[WS_OBS_W_INITIAL] = w0;
    out[WS_OBS_W_FINAL] = w;
    out[WS_OBS_W_SQUARE] = w * w;
    out[WS_OBS_NEGATIVE] = w < 0;
    out[WS_OBS_WORK] = work;
    out[WS_OBS_HEAT] = ws_potential(p, w) - ws_potential(p, w0) - work; /* libm's, as the references */
    out[WS_OBS_ACCEPTANCE] = 1;
    out[WS_OBS_ONE_MINUS_NC2] = sum / (double)(run->steps - run->first_counted);
    out[WS_OBS_JUMPS] = jumps;
    bin(p, initial_hist, w0);
    bin(p, final_hist, w);
}

typedef struct {
    double w[WS_TILE], n[WS_TILE], nc[WS_TILE], th[WS_TILE], work[WS_TILE], sum[WS_TILE], jumps[WS_TILE];
} wf_lanes;

/* One step of the full loop on every lane (the numbered steps above),
 * branch-free across lanes: the filter's clamp and its logistic, and the
 * switch's jump, are blends.  counted: add 1 - n_c^2 to the time sum.  z: the
 * step's Gaussians (weight at [0], record at [n]); u: its uniforms' words (hi
 * at [0], lo at [n]).  A function of its own for tests/tools/vec_check.sh. */
static __attribute__((noinline)) void wf_lanes_step(const wf_step *c, wf_lanes *restrict s, int lanes, int counted,
                                                     const double *restrict z, const uint32_t *restrict u, size_t n)
{
    const vd zero = {0}, one = zero + 1.0, tiny = zero + 1e-300, huge = zero + 1e300;
    for (int l = 0; l < lanes; l += VD) {
        vd w = vd_load(s->w + l), state = vd_load(s->n + l), nc = vd_load(s->nc + l), th = vd_load(s->th + l);
        const vd pinf = 0.5 * (1.0 + th); /* sigma(beta A(t)) */
        const vd one_minus_nc2 = 1.0 - nc * nc, force = -c->learning * one_minus_nc2;
        if (counted) vd_store(s->sum + l, vd_load(s->sum + l) + one_minus_nc2);
        /* 1. the weight, and the feedback force's work at the step's midpoint */
        vd y = c->euler ? w + (-c->gamma * w + force) * c->h + c->euler_noise * vd_load(z + l)
                        : w * c->decay + force * c->gain + c->spread * vd_load(z + l);
        vd tm = lane_tanh(0.5 * (w + y) * c->half_bx + c->half_bb);
        vd_store(s->work + l, vd_load(s->work + l) + c->learning * (nc * nc - tm * tm) * (y - w));
        /* 2-3. the record and the Bayes filter (as observed.c) */
        vd ratio = (1.0 + nc) / (1.0 - nc);
        ratio = vd_blend(ratio < tiny, tiny, vd_blend(ratio > huge, huge, ratio));
        vd logit = vd_log(ratio) + c->measurement * state * c->h + c->record_noise * vd_load(z + n + l);
        vd e = vd_exp(vd_blend(logit < zero, logit, -logit)), d = 1.0 + e;
        vd post = vd_blend(logit >= zero, one, e) / d;
        vd_store(s->nc + l, 2.0 * (pinf + (post - pinf) * c->rho) - 1.0);
        /* 4. the switch: P(-1 -> +1) = sigma(beta A)(1 - rho), P(+1 -> -1) = sigma(-beta A)(1 - rho) */
        vd flip_p = vd_blend(state > zero, 1.0 - pinf, pinf) * c->flip_scale;
        vl flip = vd_uniform(u + l, u + n + l) < flip_p;
        vd_store(s->n + l, vd_blend(flip, -state, state));
        vd_store(s->jumps + l, vd_load(s->jumps + l) + vd_count(flip));
        vd_store(s->w + l, y);
        vd_store(s->th + l, lane_tanh(y * c->half_bx + c->half_bb));
    }
}

/* Trajectories first .. first + count - 1 of the full loop, tiles of WS_TILE lanes. */
static void filtered_trajectories(const ws_run *run, const tl_stream_key *key, uint64_t first, size_t count,
                                  double *out, double *initial_hist, double *final_hist)
{
    const wf_step c = filtered_constants(run);
    const size_t bins = run->p.bins;
    wf_lanes s;
    double z[2 * WS_TILE], w0[WS_TILE];
    uint32_t u[4 * WS_TILE];
    for (size_t t0 = 0; t0 < count; t0 += WS_TILE) {
        size_t n = count - t0 < WS_TILE ? count - t0 : WS_TILE, lanes = (n + 15) / 16 * 16;
        memset(&s, 0, sizeof s); /* padding lanes: w = n_c = 0, n = 0 (harmless arithmetic) */
        for (size_t l = 0; l < n; l++) {
            filtered_initial(run, &c, key, first + t0 + l, &s.w[l], &s.n[l], &s.th[l]);
            w0[l] = s.w[l], s.nc[l] = s.th[l]; /* the prior: the switch's stationary mean at w(0) */
        }
        for (long k = 0; k < run->steps; k++) {
            size_t half = (size_t)(k & 1);
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first + t0, (uint32_t)k, lanes, z);
            if (!half) tl_stream_words(key, PURPOSE_ACCEPT, first + t0, (uint32_t)(k / 2), lanes, u);
            wf_lanes_step(&c, &s, (int)lanes, k >= run->first_counted, z, u + 2 * half * lanes, lanes);
        }
        for (size_t l = 0; l < n; l++)
            filtered_out(run, w0[l], s.w[l], s.work[l], s.sum[l], s.jumps[l], out + (t0 + l) * WS_N_OBS,
                         initial_hist ? initial_hist + (t0 + l) * bins : NULL,
                         final_hist ? final_hist + (t0 + l) * bins : NULL);
    }
}

void ws_filtered_trajectory(const ws_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                            double *initial_hist, double *final_hist)
{
    const wf_step c = filtered_constants(run);
    double w, n, th;
    filtered_initial(run, &c, key, trajectory, &w, &n, &th);
    double w0 = w, nc = th; /* the prior: the switch's stationary mean at w(0) */
    double work = 0, sum = 0, jumps = 0, z[2];
    uint32_t u[4] = {0};
    for (long k = 0; k < run->steps; k++) {
        int half = (int)(k & 1);
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)k, 1, z);
        if (!half) tl_stream_words(key, PURPOSE_ACCEPT, trajectory, (uint32_t)(k / 2), 1, u);
        const double pinf = 0.5 * (1.0 + th);
        const double one_minus_nc2 = 1.0 - nc * nc, force = -c.learning * one_minus_nc2;
        if (k >= run->first_counted) sum += one_minus_nc2;
        /* 1. the weight */
        double y = c.euler ? w + (-c.gamma * w + force) * c.h + c.euler_noise * z[0]
                           : w * c.decay + force * c.gain + c.spread * z[0];
        double tm = scalar_tanh(0.5 * (w + y) * c.half_bx + c.half_bb);
        work += c.learning * (nc * nc - tm * tm) * (y - w);
        /* 2-3. the record and the Bayes filter */
        double ratio = (1.0 + nc) / (1.0 - nc);
        ratio = ratio < 1e-300 ? 1e-300 : ratio > 1e300 ? 1e300 : ratio;
        double logit = vd_log1(ratio) + c.measurement * n * c.h + c.record_noise * z[1];
        double e = vd_exp1(logit < 0 ? logit : -logit), d = 1.0 + e;
        double post = (logit >= 0 ? 1.0 : e) / d;
        nc = 2.0 * (pinf + (post - pinf) * c.rho) - 1.0;
        /* 4. the switch */
        double flip = (n > 0 ? 1.0 - pinf : pinf) * c.flip_scale;
        if (tl_uniform_double(u[2 * half], u[2 * half + 1]) < flip) n = -n, jumps += 1;
        w = y;
        th = scalar_tanh(w * c.half_bx + c.half_bb);
    }
    filtered_out(run, w0, w, work, sum, jumps, out, initial_hist, final_hist);
}
