/* Engine glue of the Milburn activation switches: the parameter tables,
 * observables, per-point datasets and the model interface of `twostate` and
 * `doublewell`.  Kept in this one file so that a change of the engine's
 * interface touches nothing else; the physics is in twostate*.c and
 * doublewell*.c (milburn.h).
 *
 * Two models, not one with a `system` key: the two switches share no
 * parameter, observable or exact reference (rates and a jump process against
 * a potential and a Langevin step), and the engine's tables are per model, so
 * one model would list every key of both and reject half of them at every
 * point.  They share the folder, the header, the stream helper and the
 * conventions (Q absorbed, W + Q = Delta E).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milburn.h"
#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

#define MAX_EVENTS 1e9 /* expected thinning candidates per trajectory */
#define MAX_STEPS 1e9

/* mean and standard error of observable o of the first direction */
static double mean_of(const tl_moments *m, size_t o)
{
    return m[o].mean;
}
static double se_of(const tl_moments *m, size_t o)
{
    return sqrt(tl_moments_variance(&m[o]) / m[o].n);
}

static const char *const forward_reverse[] = {"forward", "reverse"};

/* ================================ twostate ================================================ */

static const tl_param_spec ts_param_table[] = {
    {"rate_up", TL_PARAM_REAL, "1", 0, 1e9, 0, NULL, "1/time", "mu: rate of -1 -> +1 before modulation (eqs. 5, 9)"},
    {"rate_down", TL_PARAM_REAL, "10", 0, 1e9, 0, NULL, "1/time", "nu: rate of +1 -> -1 before modulation (eqs. 5, 9)"},
    {"protocol", TL_PARAM_CHOICE, "linear", 0, 0, 0, "linear|sigmoid|step|constant", "",
     "linear: eq. 10, f = t/tau then 1; sigmoid: Fig. 5, f = 1/(1 + exp(-(t - t0)/width)); step: Fig. 6B, "
     "nu(t) = nu (1 + step_factor theta(t - t0)), mu fixed; constant: f = 0"},
    {"tau", TL_PARAM_REAL, "1", 0, 1e9, 1, NULL, "time", "length of the linear ramp (eq. 10)"},
    {"t0", TL_PARAM_REAL, "5", 0, 1e9, 0, NULL, "time", "centre of the sigmoid, time of the step"},
    {"width", TL_PARAM_REAL, "0.5", 0, 1e9, 1, NULL, "time", "width s of the sigmoid (not given in the paper)"},
    {"step_factor", TL_PARAM_REAL, "50", 0, 1e9, 0, NULL, "1", "a of the step protocol (not given in the paper)"},
    {"time", TL_PARAM_REAL, "0", 0, 1e9, 0, NULL, "time",
     "end of every trajectory; 0: tau (protocol = linear only: eqs. 11-20 are evaluated at t = tau)"},
    {"energy", TL_PARAM_CHOICE, "kinetic", 0, 0, 0, "kinetic|thermal", "",
     "kinetic: fixed levels E_n = n e0/2 (the paper; W = 0); thermal: E_n = n eps(t)/2, eps = T ln(nu(t)/mu(t)) "
     "(detailed balance at every instant; Jarzynski and Crooks hold)"},
    {"e0", TL_PARAM_REAL, "1", -1e9, 1e9, 0, NULL, "energy", "level splitting of the kinetic levels"},
    {"initial", TL_PARAM_CHOICE, "steady", 0, 0, 0, "steady|up|down", "",
     "steady: p_{+1}(0) = mu(0)/(mu(0) + nu(0)) (eqs. 6-7; equilibrium for thermal levels); up: n = +1; down: n = -1"},
    {"reverse", TL_PARAM_CHOICE, "no", 0, 0, 0, "no|yes", "",
     "yes: also the time-reversed protocol from the steady state of the final rates (thermal, initial = steady)"},
    {"survival_times", TL_PARAM_INT, "20", 0, 100000, 1, NULL, "1",
     "K checkpoints t_k = time k/K of the survival profile P(no jump by t_k)"},
    {"path_samples", TL_PARAM_INT, "0", 0, 10000, 0, NULL, "1",
     "S times t_j = time j/S of the sample path profile `path` (Fig. 5's sample paths, with [histogram] "
     "store_samples); 0: none"},
};
#define TS_N_PARAMS (sizeof ts_param_table / sizeof ts_param_table[0])

static const tl_observable ts_observables[] = {
    {"work", "energy", "sum over the pieces between jumps of n (eps(b) - eps(a))/2 (thermal; 0 for kinetic levels)"},
    {"heat", "energy", "absorbed: sum over the jumps of the change of the occupied level, E_{n'}(t) - E_n(t)"},
    {"energy_change", "energy", "E_{n(time)}(time) - E_{n(0)}(0) = work + heat on every trajectory"},
    {"jumps", "1", "number of real changes of n"},
    {"events", "1", "number of firings of N+ or N- of eq. 14 (null firings included: N+ in +1, N- in -1)"},
    {"final_state", "1", "n(time), +1 or -1"},
    {"first_jump_time", "time", "time of the first real jump, censored at `time`"},
    {"no_jump", "1", "1 if n never changed, else 0"},
    {"no_event", "1", "1 if neither N+ nor N- fired (eq. 17 as printed), else 0"},
    {"paper_s", "1", "the paper's s (eqs. 18-19): 0 without an N+- event, else n(time)"},
    {"s_plus", "1", "1 if s = +1, else 0"},
    {"s_minus", "1", "1 if s = -1, else 0"},
};
_Static_assert(sizeof ts_observables / sizeof ts_observables[0] == TS_N_OBS, "twostate observables");

static const tl_profile ts_profiles[] = {
    {"survival", "1", "P(no real jump by t_k), t_k = time k/K, as the mean of indicators [point, k]"},
    {"state", "1", "<n(t_k)> at t_k = time k/K (Fig. 5: the switch following the rates) [point, k]"},
    {"path", "1, energy, energy",
     "the sample path at t_j = time j/S, S = path_samples, the last at `time`: (n(t_j), E_n(t_j), W(0, t_j)) "
     "[point, j, 3]; every stored trajectory's in path_samples (store_samples); absent when path_samples = 0"},
};

/* The triples X, X_err (derived from the observables), X_exact (the master equation). */
enum {
    TX_P_UP, TX_P_NO_JUMP, TX_P_NO_EVENT, TX_P_S_PLUS, TX_P_S_MINUS, TX_ENERGY, TX_PAPER_W, TX_WORK, TX_FIRST_JUMP,
    TX_N_TRIPLES
};
/* Triple k: the moments of observable `obs` give X = scale mean + offset and
 * X_err = |scale| se (scale NaN: E0 at t = 0). */
static const struct { size_t obs; double scale, offset; } ts_triples[] = {
    {TS_OBS_FINAL_STATE, 0.5, 0.5}, {TS_OBS_NO_JUMP, 1, 0},        {TS_OBS_NO_EVENT, 1, 0},
    {TS_OBS_S_PLUS, 1, 0},          {TS_OBS_S_MINUS, 1, 0},        {TS_OBS_ENERGY_CHANGE, 1, 0},
    {TS_OBS_PAPER_S, NAN, 0},       {TS_OBS_WORK, 1, 0},           {TS_OBS_FIRST_JUMP, 1, 0},
};
_Static_assert(sizeof ts_triples / sizeof ts_triples[0] == TX_N_TRIPLES, "twostate triples");

/* X (simulated), X_err and X_exact (the master equation), in the order of ts_triples. */
#define TRIPLE(name, units, what)                                                                                 \
    {name, TL_EXTRA_F64, units, what "; simulated: mean over the trajectories of the forward direction [point]", 1}, \
    {name "_err", TL_EXTRA_F64, units, what "; standard error of the simulated value [point]", 1},                   \
    {name "_exact", TL_EXTRA_F64, units, what "; exact: master equation integrated to round-off (GSL rk8pd) [point]", 0}

enum { TX_SURVIVAL = 3 * TX_N_TRIPLES, TX_STATE, TX_DELTA_F, TX_JARZYNSKI, TX_PAPER_P_UP, TX_PAPER_NO_CHANGE,
       TX_PAPER_W_LIMIT, TS_N_EXTRAS };
static const tl_extra ts_extras[] = {
    TRIPLE("p_up_final", "1", "p_{+1}(time) (eq. 12 for the linear ramp)"),
    TRIPLE("p_no_jump", "1",
           "P(n never changes): p1(0) e^{-int nu} + p-1(0) e^{-int mu} (e^{-lambda_s tau/2} for eq. 10; the paper's "
           "eq. 17 says e^{-lambda_s tau})"),
    TRIPLE("p_no_event", "1", "P(no N+- event) = e^{-int (mu + nu)} (eq. 17 as printed)"),
    TRIPLE("p_s_plus", "1", "P(s = +1) = p_{+1}(time) - p_{+1}(0) e^{-int (mu + nu)} (eq. 18)"),
    TRIPLE("p_s_minus", "1", "P(s = -1) = p_{-1}(time) - p_{-1}(0) e^{-int (mu + nu)} (eq. 19)"),
    TRIPLE("mean_energy_change", "energy", "<Delta E>"),
    TRIPLE("mean_paper_w", "energy", "<w> = E0 <s> with E0 the splitting at t = 0 (the paper's eq. 20 reading)"),
    TRIPLE("mean_work", "energy", "<W> (thermal: int sum_n p_n dE_n/dt; kinetic: 0)"),
    TRIPLE("mean_first_jump_time", "time", "E[min(first jump, time)] = int_0^time P(no jump by t) dt"),
    {"survival_exact", TL_EXTRA_F64, "1",
     "P(no real jump by t_k) = p1(0) e^{-int_0^t_k nu} + p-1(0) e^{-int_0^t_k mu} (eq. 21 for initial = up) "
     "[point, k]", 0},
    {"state_exact", TL_EXTRA_F64, "1", "<n(t_k)> = 2 p_{+1}(t_k) - 1 from the master equation [point, k]", 0},
    {"delta_f_exact", TL_EXTRA_F64, "energy",
     "F(time) - F(0), F = -T ln 2 cosh(eps/2T) (thermal; NaN for kinetic levels) [point]", 0},
    {"jarzynski_exact", TL_EXTRA_F64, "1",
     "<e^{-W/T}> from the tilted master equation; equals e^{-Delta F/T} (thermal; NaN for kinetic) [point]", 0},
    {"p_up_final_paper", TL_EXTRA_F64, "1",
     "eq. 12 in closed form, nu/lambda_s - (nu - mu)(1 - e^{-lambda_s tau})/(tau lambda_s^2) (linear ramp from the "
     "steady state, time = tau; else NaN) [point]", 0},
    {"p_no_jump_paper", TL_EXTRA_F64, "1",
     "eq. 17 as the paper reads it, 'the probability that n does not change' = e^{-int (mu + nu)}: compare with "
     "p_no_jump [point]", 0},
    {"mean_paper_w_limit", TL_EXTRA_F64, "energy", "eq. 20: E0 (nu - mu)/(nu + mu), the paper's E(w) = Delta E [point]",
     0},
};
_Static_assert(sizeof ts_extras / sizeof ts_extras[0] == TS_N_EXTRAS, "twostate extras");

typedef struct {
    ts_params p[TL_MAX_DIRECTIONS];
    size_t directions;
    ts_exact exact;
    double *survival, *state;
    double e0_start; /* splitting at t = 0: e0 or eps(0) */
    size_t path_samples;
} ts_state;

static ts_params ts_point_params(const tl_point *pt)
{
    return (ts_params){
        .mu = tl_point_real(pt, "rate_up"), .nu = tl_point_real(pt, "rate_down"),
        .protocol = tl_point_choice(pt, "protocol"), .tau = tl_point_real(pt, "tau"),
        .t0 = tl_point_real(pt, "t0"), .width = tl_point_real(pt, "width"),
        .step_factor = tl_point_real(pt, "step_factor"),
        .time = tl_point_real(pt, "time") > 0 ? tl_point_real(pt, "time") : tl_point_real(pt, "tau"),
        .energy = tl_point_choice(pt, "energy"), .e0 = tl_point_real(pt, "e0"),
        .temperature = tl_point_real(pt, "temperature"), .initial = tl_point_choice(pt, "initial"),
        .reverse = 0, .survival_times = (size_t)tl_point_int(pt, "survival_times"),
    };
}

static size_t ts_directions(const tl_point *pt, const char *const **names)
{
    *names = forward_reverse;
    return tl_point_choice(pt, "reverse") == 1 ? 2 : 1;
}

static int ts_validate(const tl_point *pt, char *why, size_t len)
{
    ts_params p = ts_point_params(pt);
    int reverse = tl_point_choice(pt, "reverse") == 1;
    if (tl_point_real(pt, "time") == 0 && p.protocol != TS_LINEAR) {
        snprintf(why, len, "time = 0 (its default) stands for tau with protocol = linear only: give the end time");
        return TL_ERR_INPUT;
    }
    if (!(p.mu + p.nu > 0)) {
        snprintf(why, len, "rate_up + rate_down = 0: the switch never moves (give a positive rate)");
        return TL_ERR_INPUT;
    }
    if (p.energy == TS_THERMAL && !(p.mu > 0 && p.nu > 0)) {
        snprintf(why, len, "%s = 0 with energy = thermal: the levels eps = T ln(nu/mu) need both rates positive",
                 p.mu > 0 ? "rate_down" : "rate_up");
        return TL_ERR_INPUT;
    }
    if (p.energy == TS_THERMAL && !(p.temperature > 0)) {
        snprintf(why, len, "temperature = %g with energy = thermal: the levels need T > 0", p.temperature);
        return TL_ERR_INPUT;
    }
    if (reverse && p.energy != TS_THERMAL) {
        snprintf(why, len, "reverse = yes needs energy = thermal (kinetic levels do no work: no Crooks pair)");
        return TL_ERR_INPUT;
    }
    if (reverse && p.initial != TS_STEADY) {
        snprintf(why, len, "reverse = yes needs initial = steady (Crooks starts both directions in equilibrium)");
        return TL_ERR_INPUT;
    }
    if (ts_rate_bound(&p) * p.time > MAX_EVENTS) {
        snprintf(why, len, "time = %g: about %.3g events per trajectory, at most %.0e", p.time,
                 ts_rate_bound(&p) * p.time, MAX_EVENTS);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int ts_extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (e != TX_SURVIVAL && e != TX_STATE) return 0;
    dims[0] = (size_t)tl_point_int(pt, "survival_times");
    return 1;
}

static int ts_profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (v == 2) {
        dims[0] = (size_t)tl_point_int(pt, "path_samples"), dims[1] = 3;
        return 2;
    }
    dims[0] = (size_t)tl_point_int(pt, "survival_times");
    return 1;
}

static void *ts_point_alloc(const tl_point *pt)
{
    ts_state *s = tl_calloc(1, sizeof *s, "twostate");
    s->p[0] = ts_point_params(pt);
    s->p[1] = s->p[0], s->p[1].reverse = 1;
    s->directions = tl_point_choice(pt, "reverse") == 1 ? 2 : 1;
    s->path_samples = (size_t)tl_point_int(pt, "path_samples");
    s->survival = tl_calloc(s->p[0].survival_times, sizeof *s->survival, "survival");
    s->state = tl_calloc(s->p[0].survival_times, sizeof *s->state, "state");
    if (ts_exact_compute(&s->p[0], &s->exact, s->survival, s->state))
        error("twostate: the master equation could not be integrated at point %zu", pt->index);
    s->e0_start = 2 * ts_energy(&s->p[0], 1, 0.0);
    return s;
}

static void ts_point_free(void *state)
{
    ts_state *s = state;
    if (!s) return;
    free(s->survival), free(s->state), free(s);
}

/* profile[(3 j + c) count + b] = component c of trajectory first + b's sample path at t_j. */
static void ts_sample_paths(const ts_params *p, const tl_stream_key *key, uint64_t first, size_t count, size_t S,
                            double *profile)
{
    double *path = tl_malloc(3 * S * sizeof *path, "sample path");
    for (size_t b = 0; b < count; b++) {
        ts_path unused;
        ts_trajectory_path(p, key, first + b, S, path, &unused);
        for (size_t c = 0; c < 3 * S; c++) profile[c * count + b] = path[c];
    }
    free(path);
}

static void ts_simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                        double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    const ts_state *s = state;
    const ts_params *p = &s->p[key->direction ? 1 : 0];
    size_t K = p->survival_times;
    ts_path *paths = tl_malloc(count * sizeof *paths, "paths");
    ts_trajectories(p, key, first, count, paths, profile[1]); /* the profile is [k][count], as state */
    for (size_t b = 0; b < count; b++) {
        const ts_path path = paths[b];
        int none = path.events == 0, s_val = none ? 0 : path.n_final;
        double values[TS_N_OBS] = {
            [TS_OBS_WORK] = path.work, [TS_OBS_HEAT] = path.heat, [TS_OBS_ENERGY_CHANGE] = path.energy_change,
            [TS_OBS_JUMPS] = (double)path.jumps, [TS_OBS_EVENTS] = (double)path.events,
            [TS_OBS_FINAL_STATE] = path.n_final, [TS_OBS_FIRST_JUMP] = path.first_jump,
            [TS_OBS_NO_JUMP] = path.jumps == 0, [TS_OBS_NO_EVENT] = none, [TS_OBS_PAPER_S] = s_val,
            [TS_OBS_S_PLUS] = s_val == 1, [TS_OBS_S_MINUS] = s_val == -1,
        };
        for (size_t o = 0; o < TS_N_OBS; o++) out[o][b] = values[o];
        if (profile[0])
            for (size_t k = 0; k < K; k++)
                profile[0][k * count + b] = path.first_jump > p->time * (double)(k + 1) / (double)K ||
                                            path.jumps == 0;
    }
    free(paths);
    if (s->path_samples && profile[2]) /* the scalar walk again, the same numbers, now recording its path */
        ts_sample_paths(p, key, first, count, s->path_samples, profile[2]);
}

static double ts_exact_value(const ts_state *s, size_t k)
{
    const ts_exact *x = &s->exact;
    switch (k) {
    case TX_P_UP: return x->p_up_final;
    case TX_P_NO_JUMP: return x->p_no_jump;
    case TX_P_NO_EVENT: return x->p_no_event;
    case TX_P_S_PLUS: return x->p_s_plus;
    case TX_P_S_MINUS: return x->p_s_minus;
    case TX_ENERGY: return x->mean_energy_change;
    case TX_PAPER_W: return s->e0_start * (x->p_s_plus - x->p_s_minus);
    case TX_WORK: return x->mean_work;
    default: return x->mean_first_jump;
    }
}

static void ts_extra_values(void *state, size_t e, double *out)
{
    const ts_state *s = state;
    const ts_params *p = &s->p[0];
    if (e < TX_SURVIVAL) {
        out[0] = ts_exact_value(s, e / 3);
        return;
    }
    switch (e) {
    case TX_SURVIVAL: memcpy(out, s->survival, p->survival_times * sizeof *out); break;
    case TX_STATE: memcpy(out, s->state, p->survival_times * sizeof *out); break;
    case TX_DELTA_F: out[0] = s->exact.delta_f; break;
    case TX_JARZYNSKI: out[0] = s->exact.jarzynski; break;
    case TX_PAPER_P_UP:
        out[0] = p->protocol == TS_LINEAR && p->initial == TS_STEADY && p->time == p->tau ? ts_paper_p_up(p->mu, p->nu, p->tau)
                                                                                          : NAN;
        break;
    case TX_PAPER_NO_CHANGE: out[0] = s->exact.p_no_event; break;
    case TX_PAPER_W_LIMIT: out[0] = s->e0_start * (p->nu - p->mu) / (p->nu + p->mu); break;
    }
}

static void ts_summarize(void *state, const tl_moments *m, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const ts_state *s = state;
    size_t k = e / 3, o = ts_triples[k].obs;
    double scale = isnan(ts_triples[k].scale) ? s->e0_start : ts_triples[k].scale;
    out[0] = e % 3 == 1 ? fabs(scale) * se_of(m, o) : scale * mean_of(m, o) + ts_triples[k].offset;
}

/* ================================ doublewell ============================================== */

/* Largest dt * V''(x*) accepted: MALA keeps the fluctuation theorems exact at any
 * step, but its acceptance, and so its dynamics, degrade beyond this; Euler's
 * invariant law is off by O(dt V''), about 1% of the well's variance here. */
#define DW_MALA_STEP 0.2
#define DW_EULER_STEP 0.02
/* The grid of the Fokker-Planck references: converged to about 4e-5 in the work cumulants. */
#define DW_GRID_HX 0.005
#define DW_GRID_HT 0.005

static const tl_param_spec dw_param_table[] = {
    {"protocol", TL_PARAM_CHOICE, "ramp", 0, 0, 0, "ramp|fixed", "",
     "ramp: lambda_start -> lambda_end linearly over ramp_time, then held; fixed: lambda = lambda_start throughout "
     "(Figs. 2-3: stationary states)"},
    {"lambda_start", TL_PARAM_REAL, "0", -10, 10, 0, NULL, "energy/length", "bias lambda_0 at t = 0"},
    {"lambda_end", TL_PARAM_REAL, "0.3", -10, 10, 0, NULL, "energy/length", "bias lambda_1 after the ramp"},
    {"ramp_time", TL_PARAM_REAL, "10", 0, 1e9, 0, NULL, "time", "length of the linear ramp lambda_0 -> lambda_1"},
    {"time", TL_PARAM_REAL, "10", 0, 1e9, 1, NULL, "time", "end of every trajectory (>= ramp_time; the bias is held after the ramp)"},
    {"dt", TL_PARAM_REAL, "0.001", 0, 1, 1, NULL, "time",
     "time step (lowered so that whole steps fill `time`); at most 0.2/V''(x*) for mala, 0.02/V''(x*) for euler"},
    {"integrator", TL_PARAM_CHOICE, "mala", 0, 0, 0, "mala|euler", "",
     "mala: Metropolis-adjusted step, Jarzynski and Crooks exact at any dt; euler: Euler-Maruyama, O(dt) bias"},
    {"initial", TL_PARAM_CHOICE, "equilibrium", 0, 0, 0, "equilibrium|left|right", "",
     "equilibrium: exact draw from e^{-V(x, lambda_0)/T}; left / right: the same law restricted to x < 0 / x > 0"},
    {"threshold", TL_PARAM_REAL, "0.5", -10, 10, 0, NULL, "length", "x_th of the first passage x >= x_th"},
    {"bridge_correction", TL_PARAM_CHOICE, "yes", 0, 0, 0, "yes|no", "",
     "yes: a crossing between two steps below x_th is flagged with the Brownian-bridge probability "
     "exp(-(x_th - x_k)(x_th - x_{k+1})/(T dt))"},
    {"reverse", TL_PARAM_CHOICE, "no", 0, 0, 0, "no|yes", "",
     "yes: also the time-reversed protocol from equilibrium at the final bias (needs initial = equilibrium)"},
    {"survival_times", TL_PARAM_INT, "20", 0, 100000, 1, NULL, "1",
     "K checkpoints t_k ~ time k/K (whole steps) of the survival profile P(no passage by t_k)"},
    {"path_samples", TL_PARAM_INT, "0", 0, 100000, 0, NULL, "1",
     "S times t_j ~ time j/S (whole steps, the last at `time`) of the sample path profile `path` (Fig. 4's sample "
     "paths, with [histogram] store_samples); 0: none"},
};
#define DW_N_PARAMS (sizeof dw_param_table / sizeof dw_param_table[0])

static const tl_observable dw_observables[] = {
    {"work", "energy", "sum_k V(x_k, lambda_{k+1}) - V(x_k, lambda_k) = -sum_k x_k (lambda_{k+1} - lambda_k) (Sekimoto)"},
    {"heat", "energy", "absorbed: sum_k V(x_{k+1}, lambda_{k+1}) - V(x_k, lambda_{k+1})"},
    {"energy_change", "energy", "V(x(time), lambda(time)) - V(x(0), lambda(0)) = work + heat on every trajectory"},
    {"first_passage_time", "time", "first time x >= threshold (with the bridge correction if on), censored at `time`"},
    {"passed", "1", "1 if x reached the threshold by `time`, else 0"},
    {"final_sign", "1", "sign of x(time): the switch's output n (+1 for x >= 0)"},
    {"error", "1", "1 if the final sign differs from the sign of the final bias (x < 0 is an error when it is 0)"},
    {"x_mean", "length", "time average of x over [0, time] (trapezoid over the steps)"},
    {"acceptance", "1", "fraction of accepted MALA proposals (1 for euler)"},
};
_Static_assert(sizeof dw_observables / sizeof dw_observables[0] == DW_N_OBS, "doublewell observables");

static const tl_profile dw_profiles[] = {
    {"survival", "1", "P(no passage by t_k) as the mean of indicators [point, k]"},
    {"path", "length, energy, energy",
     "the sample path after step round(steps j/S), S = path_samples, the last at `time`: (x, W(0, t_j), Q(0, t_j)) "
     "[point, j, 3]; every stored trajectory's in path_samples (store_samples); absent when path_samples = 0"},
};

enum { DX_WORK, DX_WORK_ERR, DX_WORK_EXACT, DX_ERROR, DX_ERROR_ERR, DX_ERROR_EXACT, DX_X, DX_X_ERR, DX_X_EXACT,
       DX_FPT, DX_FPT_ERR, DX_FPT_EXACT, DX_SURVIVAL_EXACT,
       DX_DELTA_F, DX_VAR_WORK, DX_JARZYNSKI, DX_ACCEPTANCE, DX_STEP, DX_CHECK_TIMES, DW_N_EXTRAS };
static const tl_extra dw_extras[] = {
    {"mean_work", TL_EXTRA_F64, "energy", "<W> over the trajectories of the forward direction [point]", 1},
    {"mean_work_err", TL_EXTRA_F64, "energy", "standard error of mean_work [point]", 1},
    {"mean_work_exact", TL_EXTRA_F64, "energy",
     "<W> of the continuum process: Fokker-Planck equation on a grid (hx = ht = 0.005, Crank-Nicolson); the "
     "simulation approaches it as dt -> 0 [point]", 0},
    {"p_error", TL_EXTRA_F64, "1", "fraction of trajectories ending on the wrong side (error) [point]", 1},
    {"p_error_err", TL_EXTRA_F64, "1", "standard error of p_error [point]", 1},
    {"p_error_exact", TL_EXTRA_F64, "1", "P(error) of the continuum process, from the grid [point]", 0},
    {"x_mean", TL_EXTRA_F64, "length", "mean of the time-averaged x [point]", 1},
    {"x_mean_err", TL_EXTRA_F64, "length", "standard error of x_mean [point]", 1},
    {"x_mean_exact", TL_EXTRA_F64, "length",
     "<x> in equilibrium at lambda by quadrature (Fig. 3), where lambda_start = lambda_end and the start is in "
     "equilibrium (exact for MALA at any dt); NaN otherwise [point]", 0},
    {"mean_first_passage_time", TL_EXTRA_F64, "time", "E[min(tau, time)] over the forward trajectories [point]", 1},
    {"mean_first_passage_time_err", TL_EXTRA_F64, "time", "standard error of mean_first_passage_time [point]", 1},
    {"mean_first_passage_time_exact", TL_EXTRA_F64, "time",
     "E[min(tau, time)] = int_0^time S(t) dt of the continuum process: the grid with the nodes x >= threshold "
     "absorbing [point]", 0},
    {"survival_exact", TL_EXTRA_F64, "1",
     "P(no passage by t_k) of the continuum process at the checkpoints survival_times, from the absorbing grid "
     "[point, k]", 0},
    {"delta_f_exact", TL_EXTRA_F64, "energy", "F(lambda(time)) - F(lambda_start) = -T ln Z_1/Z_0, by quadrature [point]", 0},
    {"var_work_exact", TL_EXTRA_F64, "energy^2", "Var W of the continuum process, from the grid [point]", 0},
    {"jarzynski_exact", TL_EXTRA_F64, "1",
     "<e^{-W/T}> of the grid process (tilted generator); equals e^{-Delta F/T} of the grid [point]", 0},
    {"acceptance", TL_EXTRA_F64, "1", "mean MALA acceptance of the forward direction [point]", 1},
    {"time_step", TL_EXTRA_F64, "time", "the step used: time / steps [point]", 0},
    {"survival_times", TL_EXTRA_F64, "time", "the checkpoint times of the survival profile [point, k]", 0},
};
_Static_assert(sizeof dw_extras / sizeof dw_extras[0] == DW_N_EXTRAS, "doublewell extras");

typedef struct {
    dw_run *run[TL_MAX_DIRECTIONS];
    size_t directions;
    double delta_f, x_mean_exact;
    dw_grid_result grid;
    double *survival, mean_fpt; /* first passage from the absorbing grid */
} dw_state;

static dw_params dw_point_params(const tl_point *pt)
{
    int fixed = tl_point_choice(pt, "protocol") == 1;
    dw_params p = (dw_params){
        .lambda_start = tl_point_real(pt, "lambda_start"), .lambda_end = tl_point_real(pt, "lambda_end"),
        .ramp_time = tl_point_real(pt, "ramp_time"), .time = tl_point_real(pt, "time"),
        .temperature = tl_point_real(pt, "temperature"), .dt = tl_point_real(pt, "dt"),
        .integrator = tl_point_choice(pt, "integrator"), .initial = tl_point_choice(pt, "initial"),
        .threshold = tl_point_real(pt, "threshold"), .bridge = tl_point_choice(pt, "bridge_correction") == 0,
        .reverse = 0, .survival_times = (size_t)tl_point_int(pt, "survival_times"),
        .path_samples = (size_t)tl_point_int(pt, "path_samples"),
    };
    if (fixed) p.lambda_end = p.lambda_start, p.ramp_time = 0;
    return p;
}

static size_t dw_directions(const tl_point *pt, const char *const **names)
{
    *names = forward_reverse;
    return tl_point_choice(pt, "reverse") == 1 ? 2 : 1;
}

static int dw_validate(const tl_point *pt, char *why, size_t len)
{
    dw_params p = dw_point_params(pt);
    if (tl_point_choice(pt, "protocol") == 1)
        for (const char *const *key = (const char *const[]){"lambda_end", "ramp_time", NULL}; *key; key++)
            if (tl_point_given(pt, *key)) {
                snprintf(why, len, "%s belongs to protocol = ramp (protocol = fixed holds lambda_start)", *key);
                return TL_ERR_INPUT;
            }
    if (!(p.temperature > 0)) {
        snprintf(why, len, "temperature = %g: the double well needs T = D > 0", p.temperature);
        return TL_ERR_INPUT;
    }
    if (p.time < p.ramp_time) {
        snprintf(why, len, "time = %g is shorter than ramp_time = %g", p.time, p.ramp_time);
        return TL_ERR_INPUT;
    }
    double curvature = fmax(dw_curvature_at_minimum(p.lambda_start), dw_curvature_at_minimum(p.lambda_end));
    double limit = (p.integrator == DW_MALA ? DW_MALA_STEP : DW_EULER_STEP) / curvature;
    if (p.dt > limit) {
        snprintf(why, len, "dt = %g is too large for integrator = %s: dt V''(x*) = %.3g exceeds %g (dt <= %.3g)", p.dt,
                 p.integrator == DW_MALA ? "mala" : "euler", p.dt * curvature,
                 p.integrator == DW_MALA ? DW_MALA_STEP : DW_EULER_STEP, limit);
        return TL_ERR_INPUT;
    }
    if (p.time / p.dt > MAX_STEPS) {
        snprintf(why, len, "dt = %g: %.3g steps per trajectory, at most %.0e", p.dt, p.time / p.dt, MAX_STEPS);
        return TL_ERR_INPUT;
    }
    if ((double)p.survival_times > ceil(p.time / p.dt * (1 - 1e-12))) {
        snprintf(why, len, "survival_times = %zu is more than the %.0f steps of a trajectory", p.survival_times,
                 ceil(p.time / p.dt * (1 - 1e-12)));
        return TL_ERR_INPUT;
    }
    if ((double)p.path_samples > ceil(p.time / p.dt * (1 - 1e-12))) {
        snprintf(why, len, "path_samples = %zu is more than the %.0f steps of a trajectory", p.path_samples,
                 ceil(p.time / p.dt * (1 - 1e-12)));
        return TL_ERR_INPUT;
    }
    if (tl_point_choice(pt, "reverse") == 1 && p.initial != DW_EQUILIBRIUM) {
        snprintf(why, len, "reverse = yes needs initial = equilibrium (Crooks starts both directions in equilibrium)");
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int dw_extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (e != DX_CHECK_TIMES && e != DX_SURVIVAL_EXACT) return 0;
    dims[0] = (size_t)tl_point_int(pt, "survival_times");
    return 1;
}

static int dw_profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (v == 1) {
        dims[0] = (size_t)tl_point_int(pt, "path_samples"), dims[1] = 3;
        return 2;
    }
    dims[0] = (size_t)tl_point_int(pt, "survival_times");
    return 1;
}

static void *dw_point_alloc(const tl_point *pt)
{
    dw_state *s = tl_calloc(1, sizeof *s, "doublewell");
    dw_params p = dw_point_params(pt);
    s->directions = tl_point_choice(pt, "reverse") == 1 ? 2 : 1;
    for (size_t d = 0; d < s->directions; d++) {
        p.reverse = (int)d;
        s->run[d] = dw_run_alloc(&p);
    }
    p.reverse = 0;
    s->delta_f = dw_delta_f(p.lambda_start, s->run[0]->lambda[s->run[0]->steps], p.temperature);
    s->x_mean_exact = p.lambda_start == p.lambda_end && p.initial == DW_EQUILIBRIUM
                          ? dw_mean_x(p.lambda_start, p.temperature) : NAN;
    if (dw_grid_solve(&p, DW_GRID_HX, DW_GRID_HT, &s->grid))
        error("doublewell: the Fokker-Planck grid failed at point %zu", pt->index);
    size_t K = p.survival_times;
    double *times = tl_malloc(K * sizeof *times, "checkpoints");
    for (size_t k = 0; k < K; k++) times[k] = s->run[0]->checkpoint[k] * s->run[0]->h;
    s->survival = tl_malloc(K * sizeof *s->survival, "survival");
    if (dw_grid_first_passage(&p, DW_GRID_HX, DW_GRID_HT, K, times, s->survival, &s->mean_fpt))
        error("doublewell: the first-passage grid failed at point %zu", pt->index);
    free(times);
    return s;
}

static void dw_point_free(void *state)
{
    dw_state *s = state;
    if (!s) return;
    for (size_t d = 0; d < TL_MAX_DIRECTIONS; d++) dw_run_free(s->run[d]);
    free(s->survival), free(s);
}

static void dw_simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                        double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    const dw_state *s = state;
    const dw_run *run = s->run[key->direction ? 1 : 0];
    dw_path *paths = tl_malloc(count * sizeof *paths, "paths");
    /* the profiles are [k][count] and [j][c][count], as survival and path */
    dw_trajectories_path(run, key, first, count, paths, profile[0], run->p.path_samples ? profile[1] : NULL);
    double lambda_end = run->lambda[run->steps];
    for (size_t b = 0; b < count; b++) {
        const dw_path path = paths[b];
        double values[DW_N_OBS] = {
            [DW_OBS_WORK] = path.work, [DW_OBS_HEAT] = path.heat, [DW_OBS_ENERGY_CHANGE] = path.energy_change,
            [DW_OBS_FPT] = path.fpt, [DW_OBS_PASSED] = path.passed, [DW_OBS_FINAL_SIGN] = path.final_sign,
            [DW_OBS_ERROR] = path.final_sign != (lambda_end >= 0 ? 1 : -1), [DW_OBS_X_MEAN] = path.x_mean,
            [DW_OBS_ACCEPTANCE] = path.acceptance,
        };
        for (size_t o = 0; o < DW_N_OBS; o++) out[o][b] = values[o];
    }
    free(paths);
}

static void dw_extra_values(void *state, size_t e, double *out)
{
    const dw_state *s = state;
    const dw_run *run = s->run[0];
    double lambda_end = run->lambda[run->steps];
    switch (e) {
    case DX_WORK_EXACT: out[0] = s->grid.mean_work; break;
    case DX_ERROR_EXACT: out[0] = lambda_end >= 0 ? s->grid.p_negative : 1 - s->grid.p_negative; break;
    case DX_X_EXACT: out[0] = s->x_mean_exact; break;
    case DX_FPT_EXACT: out[0] = s->mean_fpt; break;
    case DX_SURVIVAL_EXACT:
        for (size_t k = 0; k < run->p.survival_times; k++) out[k] = s->survival[k];
        break;
    case DX_DELTA_F: out[0] = s->delta_f; break;
    case DX_VAR_WORK: out[0] = s->grid.var_work; break;
    case DX_JARZYNSKI: out[0] = s->grid.jarzynski; break;
    case DX_STEP: out[0] = run->h; break;
    case DX_CHECK_TIMES:
        for (size_t k = 0; k < run->p.survival_times; k++) out[k] = run->checkpoint[k] * run->h;
        break;
    }
}

static void dw_summarize(void *state, const tl_moments *m, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    switch (e) {
    case DX_WORK: out[0] = mean_of(m, DW_OBS_WORK); break;
    case DX_WORK_ERR: out[0] = se_of(m, DW_OBS_WORK); break;
    case DX_ERROR: out[0] = mean_of(m, DW_OBS_ERROR); break;
    case DX_ERROR_ERR: out[0] = se_of(m, DW_OBS_ERROR); break;
    case DX_X: out[0] = mean_of(m, DW_OBS_X_MEAN); break;
    case DX_X_ERR: out[0] = se_of(m, DW_OBS_X_MEAN); break;
    case DX_FPT: out[0] = mean_of(m, DW_OBS_FPT); break;
    case DX_FPT_ERR: out[0] = se_of(m, DW_OBS_FPT); break;
    case DX_ACCEPTANCE: out[0] = mean_of(m, DW_OBS_ACCEPTANCE); break;
    }
}

/* The engine sums the per-point datasets over the ranks (the owner's value plus
 * zeros): -0 would come out as -0 on one rank and +0 on several.  Adding +0
 * makes every zero +0 here, so the output is the same for any rank count. */
static void ts_extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    ts_extra_values(state, e, out);
    size_t n = e == TX_SURVIVAL || e == TX_STATE ? ((ts_state *)state)->p[0].survival_times : 1;
    for (size_t i = 0; i < n; i++) out[i] += 0.0;
}

static void dw_extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    dw_extra_values(state, e, out);
    size_t n = e == DX_CHECK_TIMES || e == DX_SURVIVAL_EXACT ? ((dw_state *)state)->run[0]->p.survival_times : 1;
    for (size_t i = 0; i < n; i++) out[i] += 0.0;
}

/* ================================ the model tables ======================================== */

/* What `thermolearn check` compares: the exact triples always; with reverse = yes
 * also Crooks (BAR against delta_f_exact).  The survival profile lives under
 * /doublewell/forward/ with two directions, so it is declared only with one. */
static size_t dw_check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec one[] = {
        {TL_CHECK_TRIPLE, .estimate = "mean_work"}, {TL_CHECK_TRIPLE, .estimate = "p_error"},
        {TL_CHECK_TRIPLE, .estimate = "mean_first_passage_time"}, {TL_CHECK_TRIPLE, .estimate = "x_mean"},
        {TL_CHECK_TRIPLE, .estimate = "survival"},
    };
    static const tl_check_spec two[] = {
        {TL_CHECK_CROOKS, .observable = "work", .exact = "delta_f_exact"},
        {TL_CHECK_TRIPLE, .estimate = "mean_work"}, {TL_CHECK_TRIPLE, .estimate = "p_error"},
        {TL_CHECK_TRIPLE, .estimate = "mean_first_passage_time"}, {TL_CHECK_TRIPLE, .estimate = "x_mean"},
    };
    int reverse = tl_point_choice(pt, "reverse") == 1;
    *checks = reverse ? two : one;
    return reverse ? sizeof two / sizeof two[0] : sizeof one / sizeof one[0];
}
static const tl_model_checks dw_checks = {dw_check_list, NULL, NULL};

const tl_model_type tl_model_doublewell = {
    .name = "doublewell",
    .description = "double-well activation switch with a bias ramp, over-damped Langevin, MALA (Milburn section 2.1)",
    .params = dw_param_table,
    .n_params = DW_N_PARAMS,
    .observables = dw_observables,
    .n_observables = DW_N_OBS,
    .extras = dw_extras,
    .n_extras = DW_N_EXTRAS,
    .profiles = dw_profiles,
    .n_profiles = 2,
    .default_temperature = 0, /* required: T = D sets the barrier crossing */
    .directions = dw_directions,
    .validate = dw_validate,
    .extra_shape = dw_extra_shape,
    .profile_shape = dw_profile_shape,
    .point_alloc = dw_point_alloc,
    .point_free = dw_point_free,
    .simulate = dw_simulate,
    .extra_fill = dw_extra_fill,
    .summarize = dw_summarize,
    .bench = milburn_doublewell_bench,
    .checks = &dw_checks,
};

/* The same for twostate: the exact triples; with reverse = yes (thermal levels,
 * detailed balance at every instant) also Crooks. */
static size_t ts_check_list(const tl_point *pt, const tl_check_spec **checks)
{
#define TS_SCALAR_TRIPLES                                                                                        \
    {TL_CHECK_TRIPLE, .estimate = "p_up_final"}, {TL_CHECK_TRIPLE, .estimate = "p_no_jump"},                    \
    {TL_CHECK_TRIPLE, .estimate = "p_no_event"}, {TL_CHECK_TRIPLE, .estimate = "p_s_plus"},                     \
    {TL_CHECK_TRIPLE, .estimate = "p_s_minus"}, {TL_CHECK_TRIPLE, .estimate = "mean_energy_change"},            \
    {TL_CHECK_TRIPLE, .estimate = "mean_paper_w"}, {TL_CHECK_TRIPLE, .estimate = "mean_work"},                  \
    {TL_CHECK_TRIPLE, .estimate = "mean_first_jump_time"}
    static const tl_check_spec one[] = {TS_SCALAR_TRIPLES, {TL_CHECK_TRIPLE, .estimate = "survival"},
                                        {TL_CHECK_TRIPLE, .estimate = "state"}};
    static const tl_check_spec two[] = {{TL_CHECK_CROOKS, .observable = "work", .exact = "delta_f_exact"},
                                        TS_SCALAR_TRIPLES};
#undef TS_SCALAR_TRIPLES
    int reverse = tl_point_choice(pt, "reverse") == 1;
    *checks = reverse ? two : one;
    return reverse ? sizeof two / sizeof two[0] : sizeof one / sizeof one[0];
}
static const tl_model_checks ts_checks = {ts_check_list, NULL, NULL};

const tl_model_type tl_model_twostate = {
    .name = "twostate",
    .description = "two-state activation switch with driven rates, exact jump sampler (Milburn section 2.2)",
    .params = ts_param_table,
    .n_params = TS_N_PARAMS,
    .observables = ts_observables,
    .n_observables = TS_N_OBS,
    .extras = ts_extras,
    .n_extras = TS_N_EXTRAS,
    .profiles = ts_profiles,
    .n_profiles = 3,
    .default_temperature = 1,
    .directions = ts_directions,
    .validate = ts_validate,
    .extra_shape = ts_extra_shape,
    .profile_shape = ts_profile_shape,
    .point_alloc = ts_point_alloc,
    .point_free = ts_point_free,
    .simulate = ts_simulate,
    .extra_fill = ts_extra_fill,
    .summarize = ts_summarize,
    .bench = milburn_twostate_bench,
    .checks = &ts_checks,
};
