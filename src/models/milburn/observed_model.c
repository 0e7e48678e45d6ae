/* Engine glue of model `observed`, the partially observed switch of Milburn
 * section 2.3 (eqs. 22-38, Fig. 7): parameters, observables, the exact triples
 * and the model interface.  The physics is in observed.c and observed_exact.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observed.h"
#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

/* `thermolearn bench` (bench_learning.c). */
int milburn_observed_bench(int argc, char **argv);

/* (mu + nu + Gamma) dt at most this: the discretised record's O(dt) distance from
 * the continuum references (Wonham law, MMSE) stays below the statistical
 * resolution of a large run (measured in test_milburn_observed: test_step_bias). */
#define OB_STEP_TOLERANCE 0.01
#define OB_MAX_STEPS 1e10

static const tl_param_spec ob_param_table[] = {
    {"rate_up", TL_PARAM_REAL, "0.5", 0, 1e6, 1, NULL, "1/time", "mu: rate of -1 -> +1 of the hidden switch"},
    {"rate_down", TL_PARAM_REAL, "0.5", 0, 1e6, 1, NULL, "1/time", "nu: rate of +1 -> -1 of the hidden switch"},
    {"kappa", TL_PARAM_REAL, "40", 0, 1e6, 1, NULL, "current",
     "kappa: signal of the record dy = kappa n dt + sqrt(gamma) dW (eq. 30; Fig. 7: 40)"},
    {"measurement_rate", TL_PARAM_REAL, "10", 0, 1e4, 1, NULL, "1/time",
     "Gamma = 2 kappa^2/gamma (eq. 36): sets the record noise gamma (Fig. 7 does not give its three values)"},
    {"response", TL_PARAM_REAL, "20", 0, 1e6, 1, NULL, "1/time", "r: response rate of the current's filter (eq. 31; Fig. 7: 20)"},
    {"filter", TL_PARAM_CHOICE, "bayes", 0, 0, 0, "bayes|sde|half_drift|paper", "",
     "bayes: exact Bayes update of the discretised record (eqs. 33-35 and the exact prediction); sde: the corrected "
     "eq. 37, dn_c = [mu(1 - n_c) - nu(1 + n_c)] dt + sqrt(Gamma/2)(1 - n_c^2) dI (Euler); half_drift: eq. 37's "
     "halved drift; paper: eq. 37 as printed (halved drift, noise sign opposite to eq. 38's)"},
    {"current_filter", TL_PARAM_CHOICE, "eq31", 0, 0, 0, "eq31|paper", "",
     "eq31: dIo = -r Io dt + r dy (eq. 31, unit DC gain); paper: dIo = -r^2 Io dt + r dy (eqs. 32/38 as printed)"},
    {"dt", TL_PARAM_REAL, "1e-4", 0, 1, 1, NULL, "time",
     "time step of the record (lowered so that whole steps fill `time`); (mu + nu + Gamma) dt <= 0.01"},
    {"time", TL_PARAM_REAL, "100", 0, 1e9, 1, NULL, "time", "end of every trajectory"},
    {"transient", TL_PARAM_REAL, "5", 0, 1e9, 0, NULL, "time",
     "start of the averaging window [transient, time] (the filter and the current forget their start)"},
    {"nc_bins", TL_PARAM_INT, "50", 0, 10000, 1, NULL, "1", "bins of n_c on [-1, 1] for the occupation profile"},
    {"path_time", TL_PARAM_REAL, "10", 0, 1e9, 1, NULL, "time", "length of the stored sample path (Fig. 7), from t = 0"},
    {"path_points", TL_PARAM_INT, "500", 0, 100000, 1, NULL, "1", "points of the stored sample path"},
};
#define OB_N_PARAMS (sizeof ob_param_table / sizeof ob_param_table[0])

static const tl_observable ob_observables[] = {
    {"mse", "1", "time average of (n - n_c)^2 over the window"},
    {"one_minus_nc2", "1", "time average of 1 - n_c^2 (equals the MSE in expectation when n_c is the true posterior mean)"},
    {"calibration", "1", "time average of (n - n_c) n_c (0 in expectation for the true posterior mean)"},
    {"estimate_mean", "1", "time average of n_c"},
    {"state_mean", "1", "time average of n"},
    {"current_mean", "current", "time average of the observed current Io"},
    {"current_square", "current^2", "time average of Io^2"},
    {"record_mean", "current", "time average of dy/dt (eqs. 25, 28: kappa <n>)"},
    {"record_power", "current^2 time", "time average of dy^2/dt (eqs. 26, 29: gamma + kappa^2 dt)"},
    {"jumps", "1", "number of changes of n over the whole trajectory"},
};
_Static_assert(sizeof ob_observables / sizeof ob_observables[0] == OB_N_OBS, "observed observables");

static const tl_profile ob_profiles[] = {
    {"nc_occupation", "1", "fraction of the window's steps with n_c in bin k of [-1, 1] [point, k]"},
};

/* X and X_err: the engine's mean and standard error of observable `obs`; X_exact: the point's reference. */
#define TRIPLE(name, obs, units, what, exact)                                                                     \
    {name, TL_EXTRA_F64, units, what "; simulated: mean over the trajectories [point]", TL_EXTRA_MEAN, obs},     \
    {name "_err", TL_EXTRA_F64, units, what "; standard error of the simulated value [point]", TL_EXTRA_SE, obs}, \
    {name "_exact", TL_EXTRA_F64, units, what "; exact: " exact " [point]", TL_EXTRA_FILLED}

enum { OX_MMSE, OX_ONE_MINUS, OX_CALIBRATION, OX_ESTIMATE, OX_STATE, OX_CURRENT, OX_CURRENT_SQ, OX_RECORD,
       OX_RECORD_POWER, OX_N_TRIPLES };

enum { OX_OCCUPATION = 3 * OX_N_TRIPLES, OX_INFORMATION, OX_VAR_CONTINUUM, OX_VAR_OTHER, OX_STEP, OX_PATH,
       OX_PATH_TIMES, OB_N_EXTRAS };
static const tl_extra ob_extras[] = {
    TRIPLE("mmse", OB_OBS_MSE, "1", "mean-square error <(n - n_c)^2>", "the continuum filter's stationary E[1 - n_c^2], Wonham density by quadrature"),
    TRIPLE("one_minus_nc2", OB_OBS_ONE_MINUS_NC2, "1", "<1 - n_c^2>", "the same stationary MMSE (Wonham density)"),
    TRIPLE("calibration", OB_OBS_CALIBRATION, "1", "<(n - n_c) n_c>", "0, since n_c = E[n | record] (any step for filter = bayes)"),
    TRIPLE("estimate_mean", OB_OBS_ESTIMATE_MEAN, "1", "<n_c>", "(mu - nu)/(mu + nu) = E[n]"),
    TRIPLE("state_mean", OB_OBS_STATE_MEAN, "1", "<n>", "(mu - nu)/(mu + nu), the stationary chain"),
    TRIPLE("current_mean", OB_OBS_CURRENT_MEAN, "current", "<Io>", "r kappa m/a, m = (mu - nu)/(mu + nu), a = r (eq. 31) or r^2 (eq. 32)"),
    TRIPLE("current_square", OB_OBS_CURRENT_SQUARE, "current^2", "<Io^2>",
           "stationary second moment of the discretised chain's current, exact at the step (observed_exact.c)"),
    TRIPLE("record_mean", OB_OBS_RECORD_MEAN, "current", "<dy/dt> (eqs. 25, 28)", "kappa (mu - nu)/(mu + nu)"),
    TRIPLE("record_power", OB_OBS_RECORD_POWER, "current^2 time", "<dy^2/dt> (eqs. 26, 29)",
           "gamma + kappa^2 dt: the variance gamma dt + 4 kappa^2 dt^2 p1 p-1 of eq. 26 plus the squared mean"),
    {"nc_occupation_exact", TL_EXTRA_F64, "1",
     "the Wonham density's mass in each bin of n_c (continuum, stationary) [point, k]", 0},
    {"information_rate_exact", TL_EXTRA_F64, "1/time",
     "mutual information rate between the switch and its record, (Gamma/4) MMSE (Duncan) [point]", 0},
    {"current_variance_continuum", TL_EXTRA_F64, "current^2",
     "stationary Var Io of the continuum model for the chosen current_filter: eq. 31, r gamma/2 + kappa^2 (1 - m^2) "
     "r/(r + lambda); eq. 32, gamma/2 + kappa^2 (1 - m^2)/(r^2 + lambda) [point]", 0},
    {"current_variance_other", TL_EXTRA_F64, "current^2",
     "the same for the other current_filter (eq. 32 as printed when eq31 is chosen, and conversely) [point]", 0},
    {"time_step", TL_EXTRA_F64, "time", "the step used: time / steps [point]", 0},
    {"path", TL_EXTRA_F64, "1, 1, current",
     "one sample path (Fig. 7), from a fixed stream (seed 0, trajectory 0 of the point) apart from the ensemble: "
     "n, n_c and Io at path_times [point, k, 3]", 0},
    {"path_times", TL_EXTRA_F64, "time", "the times of the sample path [point, k]", 0},
};
_Static_assert(sizeof ob_extras / sizeof ob_extras[0] == OB_N_EXTRAS, "observed extras");

typedef struct {
    ob_run run;
    double exact[OX_N_TRIPLES];
    double *occupation_exact;       /* [bins] */
    double information, var_continuum, var_other;
    size_t path_points, index;      /* the point's index keys the sample path's stream */
    double path_time;
    long stride;
    double *path;                   /* [path_points][3] */
} ob_state;

static ob_params ob_point_params(const tl_point *pt)
{
    return (ob_params){
        .mu = tl_point_real(pt, "rate_up"), .nu = tl_point_real(pt, "rate_down"),
        .kappa = tl_point_real(pt, "kappa"), .gamma_rate = tl_point_real(pt, "measurement_rate"),
        .response = tl_point_real(pt, "response"), .filter = tl_point_choice(pt, "filter"),
        .current_filter = tl_point_choice(pt, "current_filter"), .dt = tl_point_real(pt, "dt"),
        .time = tl_point_real(pt, "time"), .transient = tl_point_real(pt, "transient"),
        .bins = (size_t)tl_point_int(pt, "nc_bins"),
    };
}

static int ob_validate(const tl_point *pt, char *why, size_t len)
{
    ob_params p = ob_point_params(pt);
    double rates = p.mu + p.nu + p.gamma_rate;
    if (rates * p.dt > OB_STEP_TOLERANCE) {
        snprintf(why, len, "dt = %g is too large: (rate_up + rate_down + measurement_rate) dt = %.3g exceeds %g "
                 "(dt <= %.3g)", p.dt, rates * p.dt, OB_STEP_TOLERANCE, OB_STEP_TOLERANCE / rates);
        return TL_ERR_INPUT;
    }
    if (p.time / p.dt > OB_MAX_STEPS) {
        snprintf(why, len, "dt = %g: %.3g steps per trajectory, at most %.0e", p.dt, p.time / p.dt, OB_MAX_STEPS);
        return TL_ERR_INPUT;
    }
    if (!(p.transient < p.time - p.dt)) {
        snprintf(why, len, "transient = %g leaves no averaging window before time = %g", p.transient, p.time);
        return TL_ERR_INPUT;
    }
    double path_time = tl_point_real(pt, "path_time");
    int64_t points = tl_point_int(pt, "path_points");
    if (path_time > p.time) {
        snprintf(why, len, "path_time = %g is longer than time = %g", path_time, p.time);
        return TL_ERR_INPUT;
    }
    if ((double)points > floor(path_time / p.dt * (1 + 1e-12))) {
        snprintf(why, len, "path_points = %lld is more than the %.0f steps in path_time", (long long)points,
                 floor(path_time / p.dt * (1 + 1e-12)));
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static size_t path_points_of(const tl_point *pt)
{
    return (size_t)tl_point_int(pt, "path_points");
}

static int ob_extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    switch (e) {
    case OX_OCCUPATION: dims[0] = (size_t)tl_point_int(pt, "nc_bins"); return 1;
    case OX_PATH: dims[0] = path_points_of(pt), dims[1] = 3; return 2;
    case OX_PATH_TIMES: dims[0] = path_points_of(pt); return 1;
    default: return 0;
    }
}

static int ob_profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    dims[0] = (size_t)tl_point_int(pt, "nc_bins");
    return 1;
}

/* The sample path of Fig. 7: from a fixed stream (seed 0, trajectory 0 of the point), so it is
 * the same for any seed, rank count or resume; at the ensemble's step, every stride-th step. */
static void sample_path(ob_state *s)
{
    s->stride = (long)fmax(1.0, floor(s->path_time / s->run.h / (double)s->path_points * (1 + 1e-12)));
    s->path = tl_malloc(3 * s->path_points * sizeof *s->path, "path");
    ob_params q = s->run.p;
    q.dt = s->run.h, q.time = s->run.h * (double)(s->stride * (long)s->path_points), q.transient = 0;
    ob_run run;
    ob_run_init(&run, &q);
    tl_stream_key key = {0, (uint32_t)s->index, 0};
    double out[OB_N_OBS];
    ob_trajectory(&run, &key, 0, out, NULL, s->path_points, s->stride, s->path);
}

/* Cheap: the parameters and the step. */
static void *ob_point_alloc(const tl_point *pt)
{
    ob_state *s = tl_calloc(1, sizeof *s, "observed");
    ob_params p = ob_point_params(pt);
    ob_run_init(&s->run, &p);
    s->path_points = path_points_of(pt), s->path_time = tl_point_real(pt, "path_time"), s->index = pt->index;
    return s;
}

/* The references (quadrature of the Wonham law) and the sample path. */
static void ob_point_prepare(void *state)
{
    ob_state *s = state;
    const ob_params *p = &s->run.p;
    ob_wonham w;
    if (ob_wonham_init(&w, p->mu, p->nu, p->gamma_rate))
        error("observed: the Wonham density could not be normalised at point %zu", s->index);
    double m = (p->mu - p->nu) / (p->mu + p->nu), mmse = ob_wonham_mmse(&w), mean, square;
    ob_current_moments(p, s->run.h, &mean, &square);
    double values[OX_N_TRIPLES] = {
        [OX_MMSE] = mmse, [OX_ONE_MINUS] = mmse, [OX_CALIBRATION] = 0, [OX_ESTIMATE] = m, [OX_STATE] = m,
        [OX_CURRENT] = mean, [OX_CURRENT_SQ] = square, [OX_RECORD] = p->kappa * m,
        [OX_RECORD_POWER] = ob_gamma(p) + p->kappa * p->kappa * s->run.h,
    };
    memcpy(s->exact, values, sizeof values);
    s->occupation_exact = tl_malloc(p->bins * sizeof *s->occupation_exact, "occupation");
    for (size_t b = 0; b < p->bins; b++)
        s->occupation_exact[b] = ob_wonham_mass(&w, -1 + 2.0 * b / p->bins, -1 + 2.0 * (b + 1) / p->bins);
    s->information = p->gamma_rate / 4 * mmse;
    /* continuum variances (h -> 0 of ob_current_moments) of both current filters */
    for (int c = 0; c < 2; c++) {
        ob_params q = *p;
        q.current_filter = c;
        double cm, cs;
        ob_current_moments(&q, 0.0, &cm, &cs);
        *(c == p->current_filter ? &s->var_continuum : &s->var_other) = cs - cm * cm;
    }
    sample_path(s);
}

static void ob_point_free(void *state)
{
    ob_state *s = state;
    if (!s) return;
    free(s->occupation_exact), free(s->path), free(s);
}

static void ob_simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                        double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    const ob_state *s = state;
    size_t bins = s->run.p.bins;
    double *values = tl_malloc(count * OB_N_OBS * sizeof *values, "observables");
    double *occupation = profile[0] ? tl_malloc(count * bins * sizeof *occupation, "occupation") : NULL; /* [count][bins] */
    ob_trajectories(&s->run, key, first, count, values, occupation);
    for (size_t b = 0; b < count; b++) {
        for (size_t o = 0; o < OB_N_OBS; o++) out[o][b] = values[b * OB_N_OBS + o];
        if (profile[0])
            for (size_t k = 0; k < bins; k++) profile[0][k * count + b] = occupation[b * bins + k];
    }
    free(values), free(occupation);
}

/* Every zero is made +0 (the engine sums the per-point datasets over the ranks). */
static void ob_extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const ob_state *s = state;
    size_t n = 1;
    if (e < OX_OCCUPATION) out[0] = s->exact[e / 3];
    switch (e) {
    case OX_OCCUPATION: n = s->run.p.bins, memcpy(out, s->occupation_exact, n * sizeof *out); break;
    case OX_INFORMATION: out[0] = s->information; break;
    case OX_VAR_CONTINUUM: out[0] = s->var_continuum; break;
    case OX_VAR_OTHER: out[0] = s->var_other; break;
    case OX_STEP: out[0] = s->run.h; break;
    case OX_PATH: n = 3 * s->path_points; memcpy(out, s->path, n * sizeof *out); break;
    case OX_PATH_TIMES:
        n = s->path_points;
        for (size_t k = 0; k < n; k++) out[k] = (double)((long)(k + 1) * s->stride) * s->run.h;
        break;
    }
    for (size_t i = 0; i < n; i++) out[i] += 0.0;
}

static size_t ob_directions(const tl_point *pt, const char *const **names)
{
    static const char *const forward[] = {"forward"};
    *names = forward;
    return 1;
}

static size_t ob_check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec list[] = {
        {TL_CHECK_TRIPLE, .estimate = "mmse"},          {TL_CHECK_TRIPLE, .estimate = "one_minus_nc2"},
        {TL_CHECK_TRIPLE, .estimate = "calibration"},   {TL_CHECK_TRIPLE, .estimate = "estimate_mean"},
        {TL_CHECK_TRIPLE, .estimate = "state_mean"},    {TL_CHECK_TRIPLE, .estimate = "current_mean"},
        {TL_CHECK_TRIPLE, .estimate = "current_square"}, {TL_CHECK_TRIPLE, .estimate = "record_mean"},
        {TL_CHECK_TRIPLE, .estimate = "record_power"},  {TL_CHECK_TRIPLE, .estimate = "nc_occupation"},
    };
    *checks = list;
    return sizeof list / sizeof list[0];
}
static const tl_model_checks ob_checks = {ob_check_list, NULL, NULL};

const tl_model_type tl_model_observed = {
    .name = "observed",
    .description = "partially observed switch: record, Bayes filter n_c and observed current (Milburn section 2.3)",
    .params = ob_param_table,
    .n_params = OB_N_PARAMS,
    .observables = ob_observables,
    .n_observables = OB_N_OBS,
    .extras = ob_extras,
    .n_extras = OB_N_EXTRAS,
    .profiles = ob_profiles,
    .n_profiles = 1,
    .default_temperature = 1, /* unused: the switch's rates are given, not thermal */
    .directions = ob_directions,
    .validate = ob_validate,
    .extra_shape = ob_extra_shape,
    .profile_shape = ob_profile_shape,
    .point_alloc = ob_point_alloc,
    .point_free = ob_point_free,
    .point_prepare = ob_point_prepare,
    .simulate = ob_simulate,
    .extra_fill = ob_extra_fill,
    .bench = milburn_observed_bench,
    .checks = &ob_checks,
};
