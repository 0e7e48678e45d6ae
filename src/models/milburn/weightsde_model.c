/* Engine glue of model `weightsde`, the feedback-cooled weight of Milburn
 * section 4.2 (eqs. 77-88, Fig. 20): parameters, observables, the exact
 * triples and the model interface.  The physics is in weightsde.c and
 * weightsde_exact.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

/* `thermolearn bench` (bench_learning.c). */
int milburn_weightsde_bench(int argc, char **argv);
#include "weightsde.h"
#include "observed.h" /* ob_wonham_*: the filter's exact stationary MMSE */

/* Largest dt * c, c = gamma_w + 0.385 L beta (a bound on V''): the exact
 * integrator keeps the stationary law exact at any step, but its dynamics
 * (the frozen learning force) degrade beyond this; Euler's stationary variance
 * is off by about dt c / 2, 1% at the limit. */
#define WS_EXACT_STEP 0.2
#define WS_EULER_STEP 0.02
#define WS_MAX_STEPS 1e10
/* The Fokker-Planck grid: converged to about 1e-5 in the moments (test_milburn_weightsde). */
#define WS_GRID_HX 0.005
#define WS_GRID_HT 0.002
#define WS_CURVE_POINTS 281

static const tl_param_spec ws_param_table[] = {
    {"gamma_w", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "1/time", "gamma_w: decay rate of the free weights (eq. 77)"},
    {"switch_beta", TL_PARAM_REAL, "2", 0, 1e3, 1, NULL, "1/weight",
     "beta of the switch's rates (eqs. 81-86), not 1/T_w (Fig. 20 does not give it)"},
    {"eta", TL_PARAM_REAL, "4", 0, 1e6, 0, NULL, "weight^2", "learning rate eta; L = eta switch_beta/4 (eq. 84); 0: the free weights of eq. 77"},
    {"input", TL_PARAM_REAL, "1", -1, 1, 0, NULL, "1", "training signal x = +1 or -1 (label n_T = -x, the NOT gate)"},
    {"bias", TL_PARAM_REAL, "0", -1e3, 1e3, 0, NULL, "weight", "bias b of A = w x + b (eq. 85 and the figure: 0)"},
    {"integrator", TL_PARAM_CHOICE, "exact", 0, 0, 0, "exact|euler", "",
     "exact: OU step solved exactly with the learning force frozen, Metropolis-adjusted towards exp(-V/T_w) "
     "(stationary law exact at any dt; eta = 0: the exact OU solution); euler: Euler-Maruyama, O(dt) bias"},
    {"dt", TL_PARAM_REAL, "1e-3", 0, 10, 1, NULL, "time",
     "time step (lowered so that whole steps fill `time`); dt (gamma_w + 0.385 L switch_beta) <= 0.2 (exact), 0.02 "
     "(euler); any step for exact with eta = 0 (the exact OU solution)"},
    {"time", TL_PARAM_REAL, "20", 0, 1e9, 1, NULL, "time", "end of every trajectory (the learning phase)"},
    {"bins", TL_PARAM_INT, "40", 0, 100000, 1, NULL, "1", "bins of the weight histograms on [w_min, w_max)"},
    {"w_min", TL_PARAM_REAL, "-4", -1e6, 1e6, 0, NULL, "weight", "lower edge of the weight histograms"},
    {"w_max", TL_PARAM_REAL, "3", -1e6, 1e6, 0, NULL, "weight", "upper edge of the weight histograms"},
    {"feedback", TL_PARAM_CHOICE, "adiabatic", 0, 0, 0, "adiabatic|filtered", "",
     "adiabatic: eq. 85, the switch's mean tanh(switch_beta A/2) in the drift; filtered: the full loop of eq. 84, the "
     "switch simulated, its record filtered by the exact Bayes filter (as model observed), drift -L (1 - n_c^2)"},
    {"switch_rate", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "1/time",
     "filtered: gamma_s = mu + nu, the switch's total rate; mu = gamma_s sigma(switch_beta A) (eqs. 81-83)"},
    {"measurement_rate", TL_PARAM_REAL, "10", 0, 1e4, 1, NULL, "1/time",
     "filtered: Gamma = 2 kappa^2/gamma, the measurement strength of the switch's record (eq. 36)"},
    {"transient", TL_PARAM_REAL, "0", 0, 1e9, 0, NULL, "time", "filtered: the time average of 1 - n_c^2 runs over [transient, time)"},
};
#define WS_N_PARAMS (sizeof ws_param_table / sizeof ws_param_table[0])

static const tl_observable ws_observables[] = {
    {"w_initial", "weight", "w(0), drawn from the free stationary law N(0, T_w/gamma_w)"},
    {"w_final", "weight", "w(time)"},
    {"w_square", "weight^2", "w(time)^2"},
    {"negative", "1", "1 if w(time) < 0 (the NOT gate learned with b = 0), else 0"},
    {"heat", "energy", "absorbed: V(w(time)) - V(w(0)) - work; the potential does not change in time (adiabatic: work = 0)"},
    {"acceptance", "1", "fraction of accepted proposals (1 for euler, for eta = 0 and for feedback = filtered)"},
    {"one_minus_nc2", "1", "filtered: time average of 1 - n_c^2 over [transient, time), the factor of eq. 84's drift; adiabatic: 0"},
    {"jumps", "1", "filtered: number of jumps of the switch; adiabatic: 0"},
    {"work", "energy", "filtered: work of the feedback force L (n_c^2 - tanh^2(switch_beta A/2)) on the weight (Stratonovich); "
     "adiabatic: 0"},
};
_Static_assert(sizeof ws_observables / sizeof ws_observables[0] == WS_N_OBS, "weightsde observables");

static const tl_profile ws_profiles[] = {
    {"initial_histogram", "1", "fraction of the trajectories with w(0) in bin k [point, k]"},
    {"final_histogram", "1", "fraction of the trajectories with w(time) in bin k [point, k]"},
};

/* X and X_err: the engine's mean and standard error of observable `obs`; X_exact: the point's reference. */
#define TRIPLE(name, obs, units, what, exact)                                                                     \
    {name, TL_EXTRA_F64, units, what "; simulated: mean over the trajectories [point]", TL_EXTRA_MEAN, obs},     \
    {name "_err", TL_EXTRA_F64, units, what "; standard error of the simulated value [point]", TL_EXTRA_SE, obs}, \
    {name "_exact", TL_EXTRA_F64, units, what "; exact: " exact " [point]", TL_EXTRA_FILLED}

enum { WX_MEAN, WX_SQUARE, WX_NEGATIVE, WX_HEAT, WX_INITIAL, WX_NC2, WX_N_TRIPLES };

enum { WX_INITIAL_HIST = 3 * WX_N_TRIPLES, WX_FINAL_HIST, WX_ST_MEAN, WX_ST_VAR, WX_ST_NEG, WX_EQ87_MEAN,
       WX_EQ87_VAR, WX_EQ86_MEAN, WX_EQ86_VAR, WX_FIXED, WX_EQ88, WX_EQ88_PAPER, WX_VAR0, WX_VAR0_EQ78,
       WX_ENTROPY, WX_PRODUCTION, WX_ACCEPTANCE, WX_STEP, WX_EDGES, WX_CURVE_W, WX_CURVES, WS_N_EXTRAS };
static const tl_extra ws_extras[] = {
    TRIPLE("w_mean", WS_OBS_W_FINAL, "weight", "<w(time)>",
           "Fokker-Planck equation of the SDE on a grid (hx = 0.005, Crank-Nicolson); NaN with feedback = filtered"),
    TRIPLE("w_square", WS_OBS_W_SQUARE, "weight^2", "<w(time)^2>", "the Fokker-Planck grid"),
    TRIPLE("p_negative", WS_OBS_NEGATIVE, "1", "P(w(time) < 0)", "the Fokker-Planck grid"),
    TRIPLE("heat_mean", WS_OBS_HEAT, "energy", "<Q> = <V(w(time))> - <V(w(0))>", "the Fokker-Planck grid"),
    TRIPLE("initial_mean", WS_OBS_W_INITIAL, "weight", "<w(0)>", "0"),
    TRIPLE("one_minus_nc2", WS_OBS_ONE_MINUS_NC2, "1", "<1 - n_c^2> over [transient, time) (filtered)",
           "the filter's stationary MMSE (Wonham density) at A = b, where the weight is held (filtered, eta = 0, "
           "switch_beta sqrt(T_w/gamma_w) <= 1e-6); else NaN"),
    {"initial_histogram_exact", TL_EXTRA_F64, "1", "N(0, T_w/gamma_w) mass of each bin (eq. 77's stationary law) [point, k]", 0},
    {"final_histogram_exact", TL_EXTRA_F64, "1",
     "mass of each bin at `time` from the Fokker-Planck grid (NaN with feedback = filtered) [point, k]", 0},
    {"stationary_mean", TL_EXTRA_F64, "weight", "mean of exp(-2V/D) = exp(-V/T_w), the SDE's stationary law (quadrature) [point]", 0},
    {"stationary_variance", TL_EXTRA_F64, "weight^2", "variance of exp(-2V/D) [point]", 0},
    {"stationary_p_negative", TL_EXTRA_F64, "1", "P(w < 0) under exp(-2V/D) [point]", 0},
    {"eq87_mean", TL_EXTRA_F64, "weight", "mean of eq. 87 as printed, exp(-V/2D), with V the potential of the drift [point]", 0},
    {"eq87_variance", TL_EXTRA_F64, "weight^2", "variance of exp(-V/2D) [point]", 0},
    {"eq86_mean", TL_EXTRA_F64, "weight", "mean of exp(-V_p/2D) with eq. 86's printed V_p (b = 0) [point]", 0},
    {"eq86_variance", TL_EXTRA_F64, "weight^2", "variance of exp(-V_p/2D), eqs. 86-87 as printed [point]", 0},
    {"fixed_point", TL_EXTRA_F64, "weight", "the root of the drift -V'(w) of eq. 85 [point]", 0},
    {"fixed_point_eq88", TL_EXTRA_F64, "weight",
     "eq. 88 sech^2(v) + a v = 0, w = 2v/beta, with a = 2 gamma_w/(beta L) (b = 0, eta > 0; else NaN) [point]", 0},
    {"fixed_point_eq88_paper", TL_EXTRA_F64, "weight", "eq. 88 with the printed a = 2 gamma_w/(L beta^2) (b = 0, eta > 0; else NaN) [point]", 0},
    {"initial_variance", TL_EXTRA_F64, "weight^2", "T_w/gamma_w = D/(2 gamma_w), eq. 77's stationary variance [point]", 0},
    {"initial_variance_eq78", TL_EXTRA_F64, "weight^2", "D/gamma_w, the variance eq. 78 prints [point]", 0},
    {"entropy_change_exact", TL_EXTRA_F64, "1", "S(p_time) - S(p_0), S = -int p ln p, from the grid [point]", 0},
    {"entropy_production_exact", TL_EXTRA_F64, "1",
     "total entropy production of the relaxation, Delta S - <Q>/T_w >= 0, from the grid [point]", 0},
    {"acceptance", TL_EXTRA_F64, "1", "mean acceptance of the proposals [point]", TL_EXTRA_MEAN, WS_OBS_ACCEPTANCE},
    {"time_step", TL_EXTRA_F64, "time", "the step used: time / steps [point]", 0},
    {"histogram_edges", TL_EXTRA_F64, "weight", "edges of the histogram bins [point, k + 1]", 0},
    {"curve_w", TL_EXTRA_F64, "weight", "abscissae of the density curves [point, j]", 0},
    {"curves", TL_EXTRA_F64, "1/weight",
     "densities at curve_w: the initial N(0, T_w/gamma_w), the stationary exp(-2V/D), eq. 87's exp(-V/2D), eqs. 86-87's "
     "exp(-V_p/2D) [point, j, 4]", 0},
};
_Static_assert(sizeof ws_extras / sizeof ws_extras[0] == WS_N_EXTRAS, "weightsde extras");

typedef struct {
    ws_run run;
    double exact[WX_N_TRIPLES];
    double *initial_hist, *final_hist;  /* [bins] */
    double values[WS_N_EXTRAS];         /* the scalar references */
    double *curves;                     /* [WS_CURVE_POINTS][4] */
} ws_state;

static ws_params ws_point_params(const tl_point *pt)
{
    return (ws_params){
        .temperature = tl_point_real(pt, "temperature"), .gamma_w = tl_point_real(pt, "gamma_w"),
        .beta = tl_point_real(pt, "switch_beta"), .eta = tl_point_real(pt, "eta"),
        .input = tl_point_real(pt, "input"), .bias = tl_point_real(pt, "bias"),
        .integrator = tl_point_choice(pt, "integrator"), .dt = tl_point_real(pt, "dt"),
        .time = tl_point_real(pt, "time"), .bins = (size_t)tl_point_int(pt, "bins"),
        .w_min = tl_point_real(pt, "w_min"), .w_max = tl_point_real(pt, "w_max"),
        .feedback = tl_point_choice(pt, "feedback"), .switch_rate = tl_point_real(pt, "switch_rate"),
        .measurement_rate = tl_point_real(pt, "measurement_rate"), .transient = tl_point_real(pt, "transient"),
    };
}

static int ws_validate(const tl_point *pt, char *why, size_t len)
{
    ws_params p = ws_point_params(pt);
    if (p.input != 1 && p.input != -1) {
        snprintf(why, len, "input = %g: the training signal is x = +1 or -1", p.input);
        return TL_ERR_INPUT;
    }
    if (!(p.w_min < p.w_max)) {
        snprintf(why, len, "w_max = %g is not above w_min = %g", p.w_max, p.w_min);
        return TL_ERR_INPUT;
    }
    double curvature = p.gamma_w + 0.385 * ws_learning_scale(&p) * p.beta;
    double limit = p.integrator == WS_EXACT ? WS_EXACT_STEP : WS_EULER_STEP;
    int exact_ou = p.integrator == WS_EXACT && p.eta == 0; /* the exact OU solution: any step */
    if (!exact_ou && p.dt * curvature > limit) {
        snprintf(why, len, "dt = %g is too large for integrator = %s: dt (gamma_w + 0.385 L switch_beta) = %.3g "
                 "exceeds %g (dt <= %.3g)", p.dt, p.integrator == WS_EXACT ? "exact" : "euler", p.dt * curvature,
                 limit, limit / curvature);
        return TL_ERR_INPUT;
    }
    if (p.feedback == WS_FILTERED && !(p.transient < p.time)) {
        snprintf(why, len, "transient = %g is not below time = %g", p.transient, p.time);
        return TL_ERR_INPUT;
    }
    if (p.time / p.dt > WS_MAX_STEPS) {
        snprintf(why, len, "dt = %g: %.3g steps per trajectory, at most %.0e", p.dt, p.time / p.dt, WS_MAX_STEPS);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int ws_extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    size_t bins = (size_t)tl_point_int(pt, "bins");
    switch (e) {
    case WX_INITIAL_HIST: case WX_FINAL_HIST: dims[0] = bins; return 1;
    case WX_EDGES: dims[0] = bins + 1; return 1;
    case WX_CURVE_W: dims[0] = WS_CURVE_POINTS; return 1;
    case WX_CURVES: dims[0] = WS_CURVE_POINTS, dims[1] = 4; return 2;
    default: return 0;
    }
}

static int ws_profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    dims[0] = (size_t)tl_point_int(pt, "bins");
    return 1;
}

static double edge(const ws_params *p, size_t k)
{
    return p->w_min + (p->w_max - p->w_min) * (double)k / (double)p->bins;
}

/* Where the filtered loop's weight is held at 0 (no learning, and a spread that
 * moves A by at most 1e-6), the switch is the stationary chain of model
 * `observed` with mu = gamma_s sigma(beta b), nu = gamma_s sigma(-beta b), and
 * E[1 - n_c^2] is its filter's stationary MMSE; else NaN (no exact value). */
static int weight_held(const ws_params *p)
{
    return p->feedback == WS_FILTERED && p->eta == 0 && p->beta * sqrt(p->temperature / p->gamma_w) <= 1e-6;
}

static double held_mmse(const ws_params *p)
{
    if (!weight_held(p)) return NAN;
    double up = 1 / (1 + exp(-p->beta * p->bias));
    ob_wonham wh;
    if (ob_wonham_init(&wh, p->switch_rate * up, p->switch_rate * (1 - up), p->measurement_rate)) return NAN;
    return ob_wonham_mmse(&wh);
}

/* Cheap: the parameters and the step. */
static void *ws_point_alloc(const tl_point *pt)
{
    ws_state *s = tl_calloc(1, sizeof *s, "weightsde");
    ws_params p = ws_point_params(pt);
    ws_run_init(&s->run, &p);
    return s;
}

/* The references: the Fokker-Planck grid, quadrature, fixed points, the figure's curves. */
static void ws_point_prepare(void *state)
{
    ws_state *s = state;
    const ws_params p = s->run.p;
    const double T = p.temperature, D = 2 * T, L = ws_learning_scale(&p), sd0 = sqrt(T / p.gamma_w);
    const int filtered = p.feedback == WS_FILTERED;
    /* the grid solves eq. 85's Fokker-Planck equation: no reference for the filtered loop */
    ws_grid *g = filtered ? NULL : ws_grid_solve(&p, s->run.h * (double)s->run.steps, WS_GRID_HX, WS_GRID_HT);
    double exact[WX_N_TRIPLES] = {
        [WX_MEAN] = NAN, [WX_SQUARE] = NAN, [WX_NEGATIVE] = NAN, [WX_HEAT] = NAN, [WX_INITIAL] = 0,
        [WX_NC2] = held_mmse(&p),
    };
    if (g) {
        exact[WX_MEAN] = g->mean, exact[WX_SQUARE] = g->square, exact[WX_NEGATIVE] = g->p_negative;
        exact[WX_HEAT] = g->mean_potential - g->mean_potential_initial;
    }
    memcpy(s->exact, exact, sizeof exact);
    s->initial_hist = tl_malloc(2 * p.bins * sizeof *s->initial_hist, "histograms");
    s->final_hist = s->initial_hist + p.bins;
    for (size_t k = 0; k < p.bins; k++) {
        s->initial_hist[k] = gsl_cdf_gaussian_P(edge(&p, k + 1), sd0) - gsl_cdf_gaussian_P(edge(&p, k), sd0);
        s->final_hist[k] = g ? ws_grid_mass(g, edge(&p, k), edge(&p, k + 1)) : NAN;
    }
    ws_moments st = ws_density_moments(&p, 0, 1 / T), e87 = ws_density_moments(&p, 0, 1 / (2 * D));
    ws_moments e86 = ws_density_moments(&p, 1, 1 / (2 * D));
    double *v = s->values;
    v[WX_ST_MEAN] = st.mean, v[WX_ST_VAR] = st.variance, v[WX_ST_NEG] = st.p_negative;
    v[WX_EQ87_MEAN] = e87.mean, v[WX_EQ87_VAR] = e87.variance;
    v[WX_EQ86_MEAN] = e86.mean, v[WX_EQ86_VAR] = e86.variance;
    v[WX_FIXED] = ws_fixed_point(&p);
    int eq88 = p.bias == 0 && L > 0;
    v[WX_EQ88] = eq88 ? ws_eq88_root(2 * p.gamma_w / (p.beta * L), p.beta) : NAN;
    v[WX_EQ88_PAPER] = eq88 ? ws_eq88_root(2 * p.gamma_w / (L * p.beta * p.beta), p.beta) : NAN;
    v[WX_VAR0] = T / p.gamma_w, v[WX_VAR0_EQ78] = D / p.gamma_w;
    v[WX_ENTROPY] = g ? g->entropy - g->entropy_initial : NAN;
    v[WX_PRODUCTION] = v[WX_ENTROPY] - exact[WX_HEAT] / T;
    v[WX_STEP] = s->run.h;
    s->curves = tl_malloc(4 * WS_CURVE_POINTS * sizeof *s->curves, "curves");
    for (size_t j = 0; j < WS_CURVE_POINTS; j++) {
        double w = p.w_min + (p.w_max - p.w_min) * (double)j / (WS_CURVE_POINTS - 1);
        double *c = s->curves + 4 * j;
        c[0] = exp(-0.5 * w * w / (sd0 * sd0)) / (sd0 * sqrt(6.283185307179586));
        c[1] = exp(-(ws_potential(&p, w) - st.umin) / T - st.log_z);
        c[2] = exp(-(ws_potential(&p, w) - e87.umin) / (2 * D) - e87.log_z);
        c[3] = exp(-(ws_paper_potential(&p, w) - e86.umin) / (2 * D) - e86.log_z);
    }
    ws_grid_free(g);
}

static void ws_point_free(void *state)
{
    ws_state *s = state;
    if (!s) return;
    free(s->initial_hist), free(s->curves), free(s);
}

static void ws_simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                        double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    const ws_state *s = state;
    size_t bins = s->run.p.bins;
    double *values = tl_malloc(count * WS_N_OBS * sizeof *values, "observables");
    double *hist = tl_calloc(2 * count * bins, sizeof *hist, "histograms"); /* [2][count][bins] */
    ws_trajectories(&s->run, key, first, count, values, hist, hist + count * bins);
    for (size_t b = 0; b < count; b++) {
        for (size_t o = 0; o < WS_N_OBS; o++) out[o][b] = values[b * WS_N_OBS + o];
        for (size_t v = 0; v < 2; v++)
            if (profile[v])
                for (size_t k = 0; k < bins; k++) profile[v][k * count + b] = hist[(v * count + b) * bins + k];
    }
    free(values), free(hist);
}

/* Every zero is made +0 (the engine sums the per-point datasets over the ranks). */
static void ws_extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const ws_state *s = state;
    const ws_params *p = &s->run.p;
    size_t n = 1;
    if (e < WX_INITIAL_HIST) out[0] = s->exact[e / 3];
    else switch (e) {
    case WX_INITIAL_HIST: n = p->bins, memcpy(out, s->initial_hist, n * sizeof *out); break;
    case WX_FINAL_HIST: n = p->bins, memcpy(out, s->final_hist, n * sizeof *out); break;
    case WX_EDGES:
        n = p->bins + 1;
        for (size_t k = 0; k < n; k++) out[k] = edge(p, k);
        break;
    case WX_CURVE_W:
        n = WS_CURVE_POINTS;
        for (size_t j = 0; j < n; j++) out[j] = p->w_min + (p->w_max - p->w_min) * (double)j / (WS_CURVE_POINTS - 1);
        break;
    case WX_CURVES: n = 4 * WS_CURVE_POINTS, memcpy(out, s->curves, n * sizeof *out); break;
    default: out[0] = s->values[e]; break;
    }
    for (size_t i = 0; i < n; i++) out[i] += 0.0;
}

static size_t ws_directions(const tl_point *pt, const char *const **names)
{
    static const char *const forward[] = {"forward"};
    *names = forward;
    return 1;
}

static size_t ws_check_list(const tl_point *pt, const tl_check_spec **checks)
{
    ws_params p = ws_point_params(pt);
    if (p.feedback == WS_FILTERED) { /* the initial law; the filter's MMSE where the weight is held */
        static const tl_check_spec filtered[] = {
            {TL_CHECK_TRIPLE, .estimate = "initial_mean"}, {TL_CHECK_TRIPLE, .estimate = "initial_histogram"},
            {TL_CHECK_TRIPLE, .estimate = "one_minus_nc2"},
        };
        *checks = filtered;
        return weight_held(&p) ? 3 : 2;
    }
    static const tl_check_spec list[] = {
        {TL_CHECK_TRIPLE, .estimate = "w_mean"},          {TL_CHECK_TRIPLE, .estimate = "w_square"},
        {TL_CHECK_TRIPLE, .estimate = "p_negative"},      {TL_CHECK_TRIPLE, .estimate = "heat_mean"},
        {TL_CHECK_TRIPLE, .estimate = "initial_mean"},    {TL_CHECK_TRIPLE, .estimate = "initial_histogram"},
        {TL_CHECK_TRIPLE, .estimate = "final_histogram"},
    };
    *checks = list;
    return sizeof list / sizeof list[0];
}
static const tl_model_checks ws_checks = {ws_check_list, NULL, NULL};

const tl_model_type tl_model_weightsde = {
    .name = "weightsde",
    .description = "weight SDE with learning feedback, the NOT perceptron's feedback cooling (Milburn section 4.2)",
    .params = ws_param_table,
    .n_params = WS_N_PARAMS,
    .observables = ws_observables,
    .n_observables = WS_N_OBS,
    .extras = ws_extras,
    .n_extras = WS_N_EXTRAS,
    .profiles = ws_profiles,
    .n_profiles = 2,
    .default_temperature = 0.5, /* T_w = D/2 with D = 1 */
    .directions = ws_directions,
    .validate = ws_validate,
    .extra_shape = ws_extra_shape,
    .profile_shape = ws_profile_shape,
    .point_alloc = ws_point_alloc,
    .point_free = ws_point_free,
    .point_prepare = ws_point_prepare,
    .simulate = ws_simulate,
    .extra_fill = ws_extra_fill,
    .bench = milburn_weightsde_bench,
    .checks = &ws_checks,
};
