/* The perceptron learning model: parameters, point state, per-point datasets,
 * and the model interface. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "perceptron.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

static const tl_param_spec perceptron_params[] = {
    {"n", TL_PARAM_INT, "100", 1, PERCEPTRON_MAX_N, 0, NULL, "1", "number of weights N"},
    {"alpha", TL_PARAM_REAL, "1", 0, PERCEPTRON_MAX_P, 1, NULL, "1",
     "load alpha = P/N (P = alpha N samples, a whole number)"},
    {"nu", TL_PARAM_REAL, "1", 0, 1e4, 0, NULL, "1", "learning rate nu of eq. 12"},
    {"tau", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "time", "learning duration tau of eq. 12 (length of the ramp)"},
    {"time", TL_PARAM_REAL, "30", 0, 1e6, 1, NULL, "time", "observation time t (weight relaxation time = 1)"},
    {"learning", TL_PARAM_CHOICE, "batch", 0, 0, 0, "batch|online", "",
     "batch: force from all samples (eq. 14); online: one sample mu(s) at a time (eq. 15)"},
    {"switch_rate", TL_PARAM_REAL, "1000", 0, 1e9, 1, NULL, "1/time",
     "online: mu(s) is redrawn uniformly from 1..P on a grid of this rate"},
    {"label_rate", TL_PARAM_REAL, "1e6", 0, 1e300, 1, NULL, "1/time",
     "gamma of eq. 4 (label rates gamma exp(+-A/2T)); >= 1e6: labels stationary given w(t)"},
    {"disorder_seed", TL_PARAM_INT, "1", 0, 4294967295.0, 0, NULL, "1",
     "seed of the samples xi and labels sigma_T (drawn per trajectory)"},
    {"reverse", TL_PARAM_CHOICE, "yes", 0, 0, 0, "yes|no", "",
     "also run the time-reversed protocol (Crooks, Jarzynski); no: forward only"},
};
#define N_PARAMS (sizeof perceptron_params / sizeof perceptron_params[0])

static const tl_observable observables[PERCEPTRON_N_OBS] = {
    {"work", "energy", "work on the weights, int dE/ds ds with E = sum_n (w_n - c_n(s))^2/2 (moving trap)"},
    {"heat", "energy",
     "heat absorbed by the weights from the bath, dE - W (Stratonovich); the paper's dissipated heat is minus this"},
    {"p_correct", "1", "mean over samples of P(sigma^mu = sigma_T^mu | path) at time t"},
    {"w2_initial", "energy", "mean over weights of w_n(0)^2 (k_B = 1: units of T)"},
    {"w2_final", "energy", "mean over weights of w_n(t)^2"},
    {"entropy_sample", "1",
     "-(1/N) sum_n [ln p_t(w_n(t)) - ln p_0(w_n(0))], p the exact disorder-averaged marginal"},
};

enum {
    X_SAMPLES, X_DELTA_F, X_HEAT_THEORY, X_ENTROPY_GAUSSIAN, X_ENTROPY_PAPER, X_ENTROPY_EXACT,
    X_P_THEORY, X_P_APPROX, X_I_THEORY, X_EFF_THEORY,
    X_HEAT, X_HEAT_ERR, X_ENTROPY, X_ENTROPY_ERR, X_ENTROPY_VAR, X_ENTROPY_VAR_ERR,
    X_P, X_P_ERR, X_I, X_I_ERR, X_EFF, X_EFF_ERR, X_BOUND, N_EXTRAS
};

static const tl_extra extras[N_EXTRAS] = {
    {"samples", TL_EXTRA_F64, "1", "number of samples P = alpha N", 0},
    {"delta_f_exact", TL_EXTRA_F64, "energy", "exact dF of the moving trap: 0", 0},
    {"heat_mean_theory", TL_EXTRA_F64, "energy",
     "mean dissipated heat per weight at time t, eq. 13 averaged over F_n (mean F_n^2 = P/N), with the lag energy left at t", 0},
    {"entropy_change_gaussian", TL_EXTRA_F64, "1",
     "1/2 ln(1 + (P/N) nu^2 M(t)^2 / T): entropy change of a Gaussian with the marginal's variance", 0},
    {"entropy_change_paper", TL_EXTRA_F64, "1", "the paper's ln(1 + alpha nu^2) (with M(t), T): twice the Gaussian value", 0},
    {"entropy_change_exact", TL_EXTRA_F64, "1",
     "exact entropy change of p(w_n): binomial mixture of Gaussians, Simpson rule on 4001 points", 0},
    {"p_correct_theory", TL_EXTRA_F64, "1",
     "eq. 20 by GSL integration: Delta ~ N(nu M(t), T + nu^2 M^2 (P-1)/N), P(correct | Delta) = 1/(1+exp(-Delta/T))", 0},
    {"p_correct_approx", TL_EXTRA_F64, "1", "approximation S70: P(Delta > 0) with nu -> nu/2", 0},
    {"mutual_information_theory", TL_EXTRA_F64, "1", "ln 2 - S(p_correct_theory), eq. 21 (nats)", 0},
    {"efficiency_theory", TL_EXTRA_F64, "1",
     "eq. 22 from theory: (P/N) I_theory / (entropy_change_exact + heat_mean_theory)", 0},
    {"heat_mean", TL_EXTRA_F64, "energy", "mean dissipated heat per weight: -<heat>/N over forward trajectories", 1},
    {"heat_mean_err", TL_EXTRA_F64, "energy", "standard error of heat_mean", 1},
    {"entropy_change", TL_EXTRA_F64, "1",
     "ensemble estimate of dS(w_n): mean of entropy_sample over forward trajectories", TL_EXTRA_MEAN,
     PERCEPTRON_OBS_ENTROPY, 0, NULL},
    {"entropy_change_err", TL_EXTRA_F64, "1", "standard error of entropy_change", TL_EXTRA_SE, PERCEPTRON_OBS_ENTROPY,
     0, NULL},
    {"entropy_change_variance", TL_EXTRA_F64, "1",
     "1/2 ln(<w^2>_t / <w^2>_0) from the ensemble: the Gaussian entropy change of the measured variance", 1},
    {"entropy_change_variance_err", TL_EXTRA_F64, "1", "standard error of entropy_change_variance (delta method)", 1},
    {"p_correct", TL_EXTRA_F64, "1", "probability of a correct predicted label: mean of p_correct over forward trajectories",
     TL_EXTRA_MEAN, PERCEPTRON_OBS_P_CORRECT, 0, NULL},
    {"p_correct_err", TL_EXTRA_F64, "1",
     "standard error of p_correct over trajectories, each with its own disorder: includes the disorder scatter",
     TL_EXTRA_SE, PERCEPTRON_OBS_P_CORRECT, 0, NULL},
    {"mutual_information", TL_EXTRA_F64, "1", "ln 2 - S(p_correct), eq. 21 (nats)", 1},
    {"mutual_information_err", TL_EXTRA_F64, "1", "standard error of mutual_information (delta method)", 1},
    {"efficiency", TL_EXTRA_F64, "1", "eq. 22: (P/N) mutual_information / (entropy_change + heat_mean)", 1},
    {"efficiency_err", TL_EXTRA_F64, "1", "standard error of efficiency (delta method)", 1},
    {"bound_holds", TL_EXTRA_F64, "1",
     "eq. 16: 1 if (P/N) I <= dS + Q per weight within 3 standard errors of the difference, else 0", 1},
};

/* ---- the point state ------------------------------------------------------------- */

/* The parameters of a point, without the density tables (the engine's
 * point_alloc; point_prepare adds them). */
static perceptron *perceptron_point_alloc(const tl_point *pt)
{
    perceptron *pc = tl_calloc(1, sizeof *pc, "perceptron");
    pc->n = (int)tl_point_int(pt, "n");
    pc->p = (int)llround(tl_point_real(pt, "alpha") * pc->n);
    pc->nu = tl_point_real(pt, "nu");
    pc->tau = tl_point_real(pt, "tau");
    pc->time = tl_point_real(pt, "time");
    pc->temperature = tl_point_real(pt, "temperature");
    pc->label_rate = tl_point_real(pt, "label_rate");
    pc->switch_rate = tl_point_real(pt, "switch_rate");
    pc->learning = tl_point_choice(pt, "learning");
    pc->directions = tl_point_choice(pt, "reverse") == 0 ? 2 : 1;
    pc->disorder_seed = (uint64_t)tl_point_int(pt, "disorder_seed");
    pc->point = (uint32_t)pt->index;
    pc->ramp = fmin(pc->time, pc->tau);
    pc->g_end = pc->ramp / pc->tau;
    pc->intervals = (int64_t)fmax(1.0, ceil(pc->switch_rate * pc->time - 1e-9));
    return pc;
}

/* The exact marginal densities of the weights (entropy_sample, the theory
 * datasets): the expensive part, the engine's point_prepare. */
static void perceptron_prepare(void *state)
{
    perceptron_density_init(state);
}

perceptron *perceptron_alloc(const tl_point *pt)
{
    perceptron *pc = perceptron_point_alloc(pt);
    perceptron_prepare(pc);
    return pc;
}

void perceptron_free(perceptron *pc)
{
    if (!pc) return;
    perceptron_density_free(pc);
    free(pc);
}

/* ---- the model interface ----------------------------------------------------------- */

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const forward_reverse[] = {"forward", "reverse"};
    *names = forward_reverse;
    return tl_point_choice(pt, "reverse") == 0 ? 2 : 1;
}

static int validate(const tl_point *pt, char *why, size_t len)
{
    double n = (double)tl_point_int(pt, "n"), p = tl_point_real(pt, "alpha") * n;
    if (fabs(p - nearbyint(p)) > 1e-6 * fmax(1.0, p) || nearbyint(p) < 1) {
        snprintf(why, len, "alpha = %g: alpha x n = %g must be a whole number of samples P >= 1",
                 tl_point_real(pt, "alpha"), p);
        return TL_ERR_INPUT;
    }
    if (nearbyint(p) > PERCEPTRON_MAX_P) {
        snprintf(why, len, "alpha x n = %g samples: at most %d", p, PERCEPTRON_MAX_P);
        return TL_ERR_INPUT;
    }
    if (nearbyint(p) * ceil(n / 128.0) >= 4294967296.0) {
        snprintf(why, len, "alpha x n x n / 128 too large: at most 2^32 random blocks of disorder per trajectory");
        return TL_ERR_INPUT;
    }
    int online = tl_point_choice(pt, "learning") == PERCEPTRON_ONLINE;
    if (!online && tl_point_given(pt, "switch_rate")) {
        snprintf(why, len, "switch_rate belongs to learning = online, not batch");
        return TL_ERR_INPUT;
    }
    if (online && tl_point_real(pt, "switch_rate") * tl_point_real(pt, "time") > 1e7) {
        snprintf(why, len, "switch_rate x time = %g intervals: at most 1e7",
                 tl_point_real(pt, "switch_rate") * tl_point_real(pt, "time"));
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    return 0;
}

/* The observables, without the weights. */
static void perceptron_simulate(const perceptron *pc, const tl_stream_key *key, uint64_t first, size_t count,
                                double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    perceptron_simulate_batch(pc, key, first, count, out, NULL, NULL);
}

TL_MODEL_STATE(perceptron, perceptron_point_alloc, perceptron_free, perceptron_simulate)

static double alpha_of(const perceptron *pc)
{
    return (double)pc->p / pc->n;
}

static double entropy_gaussian(const perceptron *pc)
{
    double m = pc->nu * perceptron_mean_factor(pc, 0, pc->time);
    return 0.5 * log1p(alpha_of(pc) * m * m / pc->temperature);
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const perceptron *pc = state;
    switch (e) {
    case X_SAMPLES: *out = pc->p; break;
    case X_DELTA_F: *out = 0.0; break;
    case X_HEAT_THEORY: *out = perceptron_heat_theory(pc); break;
    case X_ENTROPY_GAUSSIAN: *out = entropy_gaussian(pc); break;
    case X_ENTROPY_PAPER: *out = 2.0 * entropy_gaussian(pc); break;
    case X_ENTROPY_EXACT: *out = perceptron_entropy_exact(pc); break;
    case X_P_THEORY: *out = perceptron_p_correct_theory(pc); break;
    case X_P_APPROX: *out = perceptron_p_correct_approx(pc); break;
    case X_I_THEORY: *out = perceptron_information(perceptron_p_correct_theory(pc)); break;
    case X_EFF_THEORY:
        *out = alpha_of(pc) * perceptron_information(perceptron_p_correct_theory(pc)) /
               (perceptron_entropy_exact(pc) + perceptron_heat_theory(pc));
        break;
    default: error("extra %zu is derived, not filled", e);
    }
}

/* Mean and standard error of an observable over the forward trajectories. */
static void mean_err(const tl_moments *m, double *mean, double *err)
{
    *mean = m->mean;
    *err = m->n > 1 ? sqrt(tl_moments_variance(m) / m->n) : NAN;
}

/* Everything derived from the forward moments: values[e] for the derived extras. */
static void derive(const perceptron *pc, const tl_moments *m, double *x)
{
    double a = alpha_of(pc), n = pc->n, heat, heat_err, w0, w0_err, w1, w1_err;
    mean_err(&m[PERCEPTRON_OBS_HEAT], &heat, &heat_err);
    x[X_HEAT] = -heat / n;
    x[X_HEAT_ERR] = heat_err / n;
    mean_err(&m[PERCEPTRON_OBS_ENTROPY], &x[X_ENTROPY], &x[X_ENTROPY_ERR]);
    mean_err(&m[PERCEPTRON_OBS_W2_INITIAL], &w0, &w0_err);
    mean_err(&m[PERCEPTRON_OBS_W2_FINAL], &w1, &w1_err);
    x[X_ENTROPY_VAR] = 0.5 * log(w1 / w0);
    /* initial and final are positively correlated: ignoring it overstates the error */
    x[X_ENTROPY_VAR_ERR] = 0.5 * hypot(w1_err / w1, w0_err / w0);
    mean_err(&m[PERCEPTRON_OBS_P_CORRECT], &x[X_P], &x[X_P_ERR]);
    x[X_I] = perceptron_information(x[X_P]);
    x[X_I_ERR] = fabs(log(x[X_P] / (1 - x[X_P]))) * x[X_P_ERR];
    double cost = x[X_ENTROPY] + x[X_HEAT], cost_err = hypot(x[X_ENTROPY_ERR], x[X_HEAT_ERR]);
    x[X_EFF] = a * x[X_I] / cost;
    x[X_EFF_ERR] = fabs(x[X_EFF]) * hypot(x[X_I_ERR] / x[X_I], cost_err / cost);
    double gap = a * x[X_I] - cost, gap_err = hypot(a * x[X_I_ERR], cost_err);
    x[X_BOUND] = gap <= 3.0 * gap_err || gap <= 0 ? 1.0 : 0.0;
}

static void summarize(void *state, const tl_moments *moments, size_t e, const size_t dims[TL_MAX_EXTRA_RANK],
                      double *out)
{
    double x[N_EXTRAS];
    derive(state, moments, x); /* direction 0: moments[o] */
    *out = x[e];
}

/* With the reverse protocol, the Crooks pair against dF = 0 (the check of a
 * two-direction run, as before the declaration); forward only, the ensemble
 * entropy change against the exact one. */
static size_t check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec crooks = {TL_CHECK_CROOKS, .observable = "work", .exact = "delta_f_exact"},
                          entropy = {TL_CHECK_TRIPLE, .estimate = "entropy_change"};
    *checks = tl_point_choice(pt, "reverse") == 0 ? &crooks : &entropy;
    return 1;
}

static const tl_model_checks checks = {check_list, NULL, NULL};

const tl_model_type tl_model_perceptron = {
    .name = "perceptron",
    .description = "perceptron learning by Hebbian ramps, weights as Ornstein-Uhlenbeck processes (Goldt & Seifert 2017)",
    .params = perceptron_params,
    .n_params = N_PARAMS,
    .default_temperature = 1.0, /* the paper's T = 1 unless set */
    .directions = directions,
    .observables = observables,
    .n_observables = PERCEPTRON_N_OBS,
    .extras = extras,
    .n_extras = N_EXTRAS,
    .validate = validate,
    .extra_shape = extra_shape,
    .point_alloc = point_alloc,
    .point_free = point_free,
    .simulate = simulate,
    .extra_fill = extra_fill,
    .summarize = summarize,
    .bench = perceptron_bench,
    .checks = &checks,
    .point_prepare = perceptron_prepare,
};
