/* A toy model for the tests: proof that the model interface carries a model
 * that touches only its own folder and the registry line.
 *
 * An overdamped particle in a harmonic trap of stiffness k, released at x0:
 * dx = -k x dt + sqrt(2 T) dW (mobility 1), sampled exactly at `steps` equal
 * times over [0, time]: x_{i+1} = a x_i + s xi_i with a = exp(-k dt),
 * s^2 = (T / k)(1 - a^2), xi_i standard normal.  So <x(t)> = x0 exp(-k t) and
 * var x(t) = (T / k)(1 - exp(-2 k t)), exactly.  At T = 0 (the default,
 * beta = inf) every trajectory is the deterministic decay, bit for bit the
 * recursion that path_exact holds.
 *
 * What it exercises: unit size 1 (and 7, the second table), point_prepare,
 * T = 0 by default, a list of numbers with an index into it that may be a grid
 * axis, a list of names, a profile (the path) with per-trajectory samples and
 * NaN components (nan_every), declared mean/SE summaries, filled extras, and
 * a slow trajectory (sleep) for the checkpoint tests.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

#define TOY_MAX_STEPS 1000

static const tl_param_spec toy_params[] = {
    {"stiffnesses", TL_PARAM_REAL_LIST, "1", 1e-6, 1e6, 1, NULL, "energy/length^2", "the traps' stiffnesses k"},
    {"trap", TL_PARAM_INT, "0", 0, 1e6, 0, NULL, "1", "which of the stiffnesses (an index from 0; a grid axis may sweep it)",
     "stiffnesses"},
    {"labels", TL_PARAM_LIST, "trap", 0, 0, 0, NULL, "", "names of the traps (stored, not used)"},
    {"x0", TL_PARAM_REAL, "1", -1e6, 1e6, 0, NULL, "length", "release point x(0)"},
    {"time", TL_PARAM_REAL, "1", 1e-9, 1e9, 1, NULL, "time", "end of every trajectory"},
    {"steps", TL_PARAM_INT, "4", 1, TOY_MAX_STEPS, 0, NULL, "1", "samples of the path, at time (i + 1) / steps"},
    {"nan_every", TL_PARAM_INT, "0", 0, 1e9, 0, NULL, "1",
     "trajectory t with t % nan_every == nan_every - 1 diverges: its path is NaN after the first sample (0: none)"},
    {"sleep", TL_PARAM_REAL, "0", 0, 10, 0, NULL, "s", "wall-clock seconds each trajectory waits (a slow training run)"},
};
#define N_PARAMS (sizeof toy_params / sizeof toy_params[0])

enum { OBS_X, OBS_ENERGY, N_OBS };
static const tl_observable observables[] = {
    {"x_final", "length", "position at the end, x(time)"},
    {"energy_final", "energy", "k x(time)^2 / 2"},
};

static const tl_profile profiles[] = {
    {"path", "length", "position at the sampled times (i + 1) time / steps [point, i]"},
};

enum { X_PATH_EXACT, X_VARIANCE_EXACT, X_MEAN, X_ERR, X_ENERGY_RATE, N_EXTRAS };
static const tl_extra extras[] = {
    {"path_exact", TL_EXTRA_F64, "length", "x0 exp(-k t) at the sampled times, by the simulation's recursion [point, i]"},
    {"variance_exact", TL_EXTRA_F64, "length^2", "(T / k)(1 - exp(-2 k t)) at the sampled times [point, i]"},
    {"x_final_mean", TL_EXTRA_F64, "length", "mean of x_final", TL_EXTRA_MEAN, OBS_X, 0, NULL},
    {"x_final_err", TL_EXTRA_F64, "length", "standard error of x_final_mean", TL_EXTRA_SE, OBS_X, 0, NULL},
    {"energy_rate", TL_EXTRA_F64, "energy/time", "mean of energy_final divided by time", TL_EXTRA_MEAN, OBS_ENERGY, 0,
     "time"},
};

typedef struct {
    double k, x0, temperature, sleep;
    int steps, prepared;
    int64_t nan_every;
    double dt, a, s;             /* a and s by point_prepare */
    double path[TOY_MAX_STEPS];  /* the T = 0 path, by point_prepare */
} toy;

static toy *toy_alloc(const tl_point *pt)
{
    toy *t = tl_calloc(1, sizeof *t, "toy");
    t->k = tl_point_list_real(pt, "stiffnesses", (size_t)tl_point_int(pt, "trap"));
    t->x0 = tl_point_real(pt, "x0");
    t->temperature = tl_point_real(pt, "temperature");
    t->steps = (int)tl_point_int(pt, "steps");
    t->nan_every = tl_point_int(pt, "nan_every");
    t->sleep = tl_point_real(pt, "sleep");
    t->dt = tl_point_real(pt, "time") / t->steps;
    return t;
}

/* The set-up that would be expensive in a real model: here, the noise and the exact path. */
static void toy_prepare(void *state)
{
    toy *t = state;
    t->a = exp(-t->k * t->dt);
    t->s = sqrt(t->temperature / t->k * (1 - t->a * t->a));
    double x = t->x0;
    for (int i = 0; i < t->steps; i++) t->path[i] = x = t->a * x;
    t->prepared = 1;
}

static void toy_free(toy *t)
{
    free(t);
}

/* A standard normal, draw i of trajectory traj (Box-Muller on one Philox block). */
static double normal(const tl_stream_key *key, uint64_t traj, uint32_t i)
{
    philox4x32_ctr_t r = philox4x32(tl_stream_counter(key, TL_PURPOSE_DYNAMICS, traj, i), tl_stream_philox_key(key->seed));
    double u = tl_uniform_double(r.v[0], r.v[1]), v = tl_uniform_double(r.v[2], r.v[3]);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static void toy_simulate(const toy *t, const tl_stream_key *key, uint64_t first, size_t count,
                         double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    if (!t->prepared) error("toy: simulate before point_prepare");
    for (size_t j = 0; j < count; j++) {
        uint64_t traj = first + j;
        if (t->sleep > 0) nanosleep(&(struct timespec){(time_t)t->sleep, (long)(fmod(t->sleep, 1) * 1e9)}, NULL);
        int diverged = t->nan_every > 0 && traj % (uint64_t)t->nan_every == (uint64_t)t->nan_every - 1;
        double x = t->x0;
        for (int i = 0; i < t->steps; i++) {
            x = t->a * x + (t->s > 0 ? t->s * normal(key, traj, (uint32_t)i) : 0);
            profile[0][(size_t)i * count + j] = diverged && i > 0 ? NAN : x;
        }
        out[OBS_X][j] = x;
        out[OBS_ENERGY][j] = 0.5 * t->k * x * x;
    }
}

TL_MODEL_STATE(toy, toy_alloc, toy_free, toy_simulate)

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const one[] = {"relax"};
    *names = one;
    return 1;
}

static int shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (e != X_PATH_EXACT && e != X_VARIANCE_EXACT) return 0;
    dims[0] = (size_t)tl_point_int(pt, "steps");
    return 1;
}

static int profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    return shape(pt, X_PATH_EXACT, dims);
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const toy *t = state;
    for (size_t i = 0; i < dims[0]; i++) {
        double time = (double)(i + 1) * t->dt;
        if ((int)i >= t->steps) out[i] = NAN;
        else if (e == X_PATH_EXACT) out[i] = t->path[i];
        else out[i] = t->temperature / t->k * -expm1(-2 * t->k * time);
    }
}

#define TOY_TABLE(NAME, UNIT)                                                                                    \
    {                                                                                                            \
        .name = NAME, .description = "a particle relaxing in a harmonic trap (a model for the tests)",          \
        .params = toy_params, .n_params = N_PARAMS, .observables = observables, .n_observables = N_OBS,          \
        .extras = extras, .n_extras = N_EXTRAS, .profiles = profiles, .n_profiles = 1, .directions = directions, \
        .extra_shape = shape, .profile_shape = profile_shape, .point_alloc = point_alloc,                         \
        .point_free = point_free, .simulate = simulate, .extra_fill = extra_fill, .unit_size = UNIT,             \
        .point_prepare = toy_prepare, .allow_zero_temperature = 1,                                               \
    }

const tl_model_type tl_model_toy = TOY_TABLE("toy", 1);
/* The same with units of 7 trajectories: an odd unit size for the checkpoint tests. */
const tl_model_type tl_model_toy7 = TOY_TABLE("toy7", 7);
