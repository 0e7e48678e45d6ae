/* A toy model, written as a new model would be, to show that a model adds its
 * checks without touching src/analysis/ (test_check_declaration.sh).
 *
 * Gaussian work: forward W ~ N(dF + beta s^2/2 + bias, s^2), reverse
 * W_R ~ N(-dF + beta s^2/2, s^2).  At bias = 0 the pair obeys Crooks exactly
 * (ln P_F(W)/P_R(-W) = beta (W - dF)); bias != 0 breaks it on purpose, and
 * the model says so: there detailed balance does not hold, and check reports
 * the violation instead of failing.  A second observable x ~ N(mu, 1) gives
 * the triple x_mean, x_mean_err, x_mean_exact = mu.  So the toy declares two
 * checks: a Crooks pair and a triple.
 *
 * The program is the whole thermolearn command line (src/main.c, included
 * below) with a registry of its own that knows the toy besides the real
 * models: the one line a new model adds to src/models/registry.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

typedef struct {
    double delta_f, sigma, bias, mu, beta;
} toy;

static const tl_param_spec toy_params[] = {
    {"delta_f", TL_PARAM_REAL, "1", -1e6, 1e6, 0, NULL, "energy", "exact free-energy difference dF"},
    {"sigma", TL_PARAM_REAL, "1", 0, 1e3, 1, NULL, "energy", "standard deviation of the work"},
    {"bias", TL_PARAM_REAL, "0", -1e3, 1e3, 0, NULL, "energy", "added to the forward work: != 0 breaks Crooks"},
    {"mu", TL_PARAM_REAL, "0.5", -1e6, 1e6, 0, NULL, "1", "mean of x"},
};

static const tl_observable observables[] = {
    {"work", "energy", "Gaussian work"},
    {"x", "1", "a Gaussian observation of mean mu"},
};

static const tl_extra extras[] = {
    {"delta_f_exact", TL_EXTRA_F64, "energy", "the exact dF (the parameter delta_f)", 0},
    {"x_mean_exact", TL_EXTRA_F64, "1", "the exact mean of x (mu)", 0},
    {"x_mean", TL_EXTRA_F64, "1", "mean of x over the forward trajectories", 1},
    {"x_mean_err", TL_EXTRA_F64, "1", "its standard error", 1},
};

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const forward_reverse[] = {"forward", "reverse"};
    *names = forward_reverse;
    return 2;
}

static int validate(const tl_point *pt, char *why, size_t len)
{
    return TL_OK;
}

static int extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    return 0;
}

static void *point_alloc(const tl_point *pt)
{
    toy *t = tl_malloc(sizeof *t, "toy");
    *t = (toy){tl_point_real(pt, "delta_f"), tl_point_real(pt, "sigma"), tl_point_real(pt, "bias"),
               tl_point_real(pt, "mu"), tl_point_real(pt, "beta")};
    return t;
}

static void point_free(void *state)
{
    free(state);
}

static void simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                     double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    const toy *t = state;
    int forward = key->direction == 0;
    double mean = (forward ? t->delta_f + t->bias : -t->delta_f) + 0.5 * t->beta * t->sigma * t->sigma;
    for (size_t i = 0; i < count; i++) {
        gsl_rng *r = tl_stream_gsl_alloc(key, TL_PURPOSE_MODEL, first + i);
        out[0][i] = mean + gsl_ran_gaussian(r, t->sigma);
        out[1][i] = t->mu + gsl_ran_gaussian(r, 1.0);
        gsl_rng_free(r);
    }
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const toy *t = state;
    out[0] = e == 0 ? t->delta_f : t->mu;
}

static void summarize(void *state, const tl_moments *moments, size_t e, const size_t dims[TL_MAX_EXTRA_RANK],
                      double *out)
{
    const tl_moments *x = &moments[1]; /* forward direction, observable x */
    out[0] = e == 2 ? x->mean : sqrt(tl_moments_variance(x) / x->n);
}

/* ---- the toy's checks: everything check needs to know about it ---- */

static size_t check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec list[] = {
        {TL_CHECK_CROOKS, .observable = "work", .exact = "delta_f_exact"},
        {TL_CHECK_TRIPLE, .estimate = "x_mean"},
    };
    *checks = list;
    return 2;
}

static const char *check_broken(const tl_point *pt)
{
    return tl_point_real(pt, "bias") != 0 ? "bias!=0" : NULL;
}

static const tl_model_checks checks = {check_list, check_broken, "bias != 0"};

const tl_model_type tl_model_toy = {
    .name = "toy",
    .description = "Gaussian work pair and a Gaussian observation (a test of the check declaration)",
    .params = toy_params,
    .n_params = sizeof toy_params / sizeof toy_params[0],
    .observables = observables,
    .n_observables = 2,
    .extras = extras,
    .n_extras = sizeof extras / sizeof extras[0],
    .default_temperature = 1.0,
    .directions = directions,
    .validate = validate,
    .extra_shape = extra_shape,
    .point_alloc = point_alloc,
    .point_free = point_free,
    .simulate = simulate,
    .extra_fill = extra_fill,
    .summarize = summarize,
    .checks = &checks,
};

/* ---- the registry of this program: the real models and the toy ---- */

extern const tl_model_type tl_model_hopfield, tl_model_ou, tl_model_perceptron, tl_model_spins;

static const tl_model_type *const registry[] = {
    &tl_model_hopfield, &tl_model_ou, &tl_model_perceptron, &tl_model_spins, &tl_model_toy,
};

const tl_model_type *tl_model_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const char *tl_model_names(void)
{
    return "hopfield, ou, perceptron, spins, toy";
}

#include "../../src/main.c"
