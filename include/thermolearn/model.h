/* The model interface: everything the engine knows about a model.
 *
 * A model is a table of parameters, a list of observables measured per
 * trajectory (in every direction of its protocol), a list of per-point datasets
 * of its own, a few functions, and the declaration of what `thermolearn check`
 * may compare in its output.  Adding a model means one new folder under
 * src/models/ and one line in src/models/registry.c; docs/models.md ("writing
 * a model") walks through the lifecycle of a point.
 */
#ifndef THERMOLEARN_MODEL_H
#define THERMOLEARN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/moments.h"
#include "thermolearn/params.h"
#include "thermolearn/stream.h"

#define TL_MAX_DIRECTIONS 2
#define TL_MAX_OBSERVABLES 24
#define TL_MAX_EXTRA_RANK 3
#define TL_MAX_PROFILES 8

/* Trajectories a model simulates side by side in one call: the batch width
 * of the structure-of-arrays kernels and the engine's default unit of work
 * (a model declares another with unit_size). */
#define TL_BATCH 256

/* A per-trajectory observable: stored as /<name>/<direction>/... */
typedef struct {
    const char *name; /* "work", "heat" */
    const char *units;
    const char *description;
} tl_observable;

/* A per-trajectory vector observable (a "profile"), e.g. the time-averaged
 * magnetisation of every spin under every input.  It is not histogrammed: the
 * mean and standard error of each component over the trajectories become
 * /<model>/<name> and /<model>/<name>_err [npoints, dims...] (with more than
 * one direction, /<model>/<direction>/<name>). */
typedef struct {
    const char *name;
    const char *units;
    const char *description;
} tl_profile;

typedef enum { TL_EXTRA_F64, TL_EXTRA_INT8 } tl_extra_type;

/* Where a per-point dataset's values come from (tl_extra.derived). */
enum {
    TL_EXTRA_FILLED = 0,  /* extra_fill, from the point's state, by the rank that runs its first unit */
    TL_EXTRA_DERIVED = 1, /* summarize, from the moments of every observable, on rank 0 after the run */
    TL_EXTRA_MEAN = 2,    /* the engine: mean of `observable` in `direction` over the trajectories */
    TL_EXTRA_SE = 3,      /* the engine: its standard error, sqrt(unbiased variance / n) (NaN for n < 2) */
};

/* A per-point dataset of the model, /<model>/<name> [npoints, dims...].
 * The engine computes TL_EXTRA_MEAN and TL_EXTRA_SE itself (scalars, no
 * point state needed): minus the value at the point of the filled scalar
 * extra named `minus` (<W> - dF_exact: minus = "delta_f_exact"), then divided
 * by the value of the parameter `per` (a rate per step: per = "steps"). */
typedef struct {
    const char *name;
    tl_extra_type type;
    const char *units;
    const char *description;
    int derived;        /* TL_EXTRA_FILLED, _DERIVED, _MEAN or _SE */
    size_t observable;  /* TL_EXTRA_MEAN, TL_EXTRA_SE: the observable's index */
    size_t direction;   /* ... and the direction's */
    const char *per;    /* ... divided by this parameter, or NULL */
    const char *minus;  /* ... less this filled scalar extra of the point, or NULL */
} tl_extra;

/* ---- what `thermolearn check` compares: the model's declaration ----------------
 *
 * A model states which checks its output allows; the run writes the
 * declaration into the file (/checks, src/engine/checks.c) and `check` reads
 * only the file (docs/check.md).  Dataset names are under /<model>/; the
 * histograms of an observable are /<observable>/<direction>. */
typedef enum {
    TL_CHECK_CROOKS,   /* forward and reverse histograms of `observable` (the two directions):
                          BAR against the exact dF in `exact` [P] */
    TL_CHECK_EXCHANGE, /* the one direction's histogram of `observable` (a heat): ML slope of
                          ln P(Q)/P(-Q) against beta_1 - beta, beta_1 in `exact` [P] */
    TL_CHECK_STEADY,   /* a rate `estimate` [P] with its error against `exact` [P] within 3 errors;
                          `column`: a parameter shown beside (NULL: none) */
    TL_CHECK_TRIPLE,   /* X = `estimate`, X_err, X_exact [P, ...]: 3 errors, union bound over components */
    TL_CHECK_KINDS
} tl_check_kind;

/* "crooks", "exchange", "steady", "triple": the kind's name in the file. */
extern const char *const tl_check_kind_names[TL_CHECK_KINDS];

typedef struct {
    tl_check_kind kind;
    const char *observable; /* CROOKS, EXCHANGE */
    const char *estimate;   /* STEADY, TRIPLE: X */
    const char *error;      /* STEADY: its standard error; TRIPLE: NULL for X_err */
    const char *exact;      /* the exact value (see the kinds); TRIPLE: NULL for X_exact */
    const char *column;     /* STEADY: a parameter printed beside, or NULL */
} tl_check_spec;

typedef struct {
    /* The checks of the run (the same at every point: from choices, never
     * grid axes, like directions); 0 when the output holds nothing to check. */
    size_t (*list)(const tl_point *pt, const tl_check_spec **checks);
    /* Whether detailed balance holds at this point: NULL if it does (a Crooks
     * or heat-exchange failure is a FAIL), else a short tag naming what breaks
     * it ("a!=0"): the theorem need not hold, its violation is measured.
     * NULL function: it holds everywhere. */
    const char *(*broken)(const tl_point *pt);
    /* What breaks detailed balance, for check's summary line ("asymmetry != 0"). */
    const char *broken_by;
} tl_model_checks;

typedef struct tl_model_type {
    const char *name;        /* [run] model = name; parameters in section [name] */
    const char *description;
    const tl_param_spec *params;
    size_t n_params;
    const tl_observable *observables;
    size_t n_observables;
    const tl_extra *extras;
    size_t n_extras;
    const tl_profile *profiles;
    size_t n_profiles;

    /* Pairs of parameters that are each other's reciprocal, e.g.
     * {"beta_initial", "temperature_initial"}: when the user gives one, the
     * other is 1/value at every point, so /parameters/ holds both. */
    const char *const (*reciprocals)[2];
    size_t n_reciprocals;

    /* k_B T when neither beta nor temperature is given; 0: one is required
     * (unless allow_zero_temperature, below: then T = 0 is the default). */
    double default_temperature;

    /* The directions of the protocol at this point (the same at every point:
     * they may depend on choices, never on grid axes).  With two, the second
     * is the time reversal of the first ({"forward", "reverse"}): the engine
     * mirrors their histograms and, for an observable named "work", runs the
     * Crooks estimators. */
    size_t (*directions)(const tl_point *pt, const char *const **names);

    /* Check the parameters of one point beyond their declared ranges.  On a
     * problem write a message naming the key to `why` and return TL_ERR_INPUT. */
    int (*validate)(const tl_point *pt, char *why, size_t why_len);

    /* Shape of extra e at point pt, without the leading point axis; returns the rank. */
    int (*extra_shape)(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK]);
    /* The same for profile v (NULL without profiles). */
    int (*profile_shape)(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK]);

    /* The state of a point: allocated from its parameters (cheap: no
     * optimisation, no exact solution), then made ready by point_prepare,
     * below.  Deterministic in the parameters alone. */
    void *(*point_alloc)(const tl_point *pt);
    void (*point_free)(void *state);

    /* Simulate trajectories first .. first+count-1 (count <= the unit size) in
     * direction `direction`, writing observable o of trajectory first+i to
     * out[o][i], and component c of profile v (row-major in this point's own
     * shape, from profile_shape) to profile[v][c * count + i].  The engine
     * places the components in the grid's largest shape, NaN where a point
     * has fewer.
     * Trajectory t draws only from the streams of (key, t). */
    void (*simulate)(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                     double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES]);

    /* Fill extra e for this point (row-major, zero-padded to the shape of the
     * largest point); values are converted to the extra's type on output. */
    void (*extra_fill)(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out);

    /* Fill derived extra e (TL_EXTRA_DERIVED) of a point from
     * moments[d * n_observables + o], the moments of observable o over all
     * trajectories of direction d (profiles, TL_EXTRA_MEAN and TL_EXTRA_SE are
     * the engine's).  Called on rank 0 after the run, with a state fresh from
     * point_alloc, once for all the point's derived extras and NOT prepared:
     * what summarize reads must not wait for point_prepare.  NULL if the
     * model has no derived extras.  Prefer TL_EXTRA_MEAN/_SE: no state at all. */
    void (*summarize)(void *state, const tl_moments *moments, size_t e,
                      const size_t dims[TL_MAX_EXTRA_RANK], double *out);

    /* `thermolearn bench <name> [options]`, or NULL; returns the exit status. */
    int (*bench)(int argc, char **argv);

    /* What `thermolearn check` may compare in the output (NULL: nothing). */
    const tl_model_checks *checks;

    /* Trajectories in one unit of work: the engine hands out, folds and
     * checkpoints whole units, and passes simulate at most this many.  0:
     * TL_BATCH.  A model whose one trajectory takes minutes (a training run)
     * declares 1: the ranks share the work evenly and a stop loses at most one
     * trajectory per rank.  Results do not depend on it for a given model. */
    size_t unit_size;

    /* The expensive, deterministic set-up of a point (an optimisation, an
     * exact steady state), once, after point_alloc and before any simulate,
     * extra_fill or summarize; NULL if point_alloc does everything. */
    void (*point_prepare)(void *state);

    /* T = 0 (beta = inf) is allowed for the engine's thermal pair; with
     * default_temperature 0 it is the default.  The model reads beta = inf. */
    int allow_zero_temperature;

    /* ---- staged preparation (optional: NULL prepare_stages for none) ----
     *
     * A preparation that takes hours (an optimisation) as a chain of stages
     * the engine runs as units of work before any trajectory: once per chain
     * on whichever rank, in rounds of one stage per unfinished point, with
     * the chain's state (a flat array of doubles, the "blob") in the
     * checkpoint between stages, so that a stop lands between stages and
     * --resume goes on.  Every rank then builds the prepared state from the
     * final blob (prepare_finish, instead of point_prepare).  Results must
     * not depend on where a chain was cut: a stage draws only from streams
     * keyed by what it computes (docs/models.md, "staged preparation"). */

    /* Stages of the point's chain; 0: the point needs none (point_prepare, if any, runs instead). */
    size_t (*prepare_stages)(const tl_point *pt);
    /* Doubles in the point's blob (> 0 when it has stages). */
    size_t (*prepare_size)(const tl_point *pt);
    /* Advance the blob by stage `stage` (0 .. stages-1; stage 0 finds it zeroed).
     * `state` is fresh from point_alloc, never prepared. */
    void (*prepare_stage)(void *state, size_t stage, double *blob);
    /* Make a state fresh from point_alloc ready from the point's final blob
     * (cheap: no optimisation); called where point_prepare would be. */
    void (*prepare_finish)(void *state, const double *blob);
    /* Points whose chains are the same computation (equal text: malloc'd;
     * NULL member: every point has its own) share one chain: it runs once,
     * for the first such point in grid order. */
    char *(*prepare_key)(const tl_point *pt);
} tl_model_type;

/* Trajectories per unit of work of model m (TL_BATCH unless it says). */
static inline uint64_t tl_model_unit_size(const tl_model_type *m)
{
    return m->unit_size ? m->unit_size : TL_BATCH;
}

/* The adapter from a model's typed functions to the engine's members:
 *
 *     TL_MODEL_STATE(ou, ou_point_alloc, ou_free, ou_simulate_batch)
 *
 * defines static point_alloc, point_free and simulate for the table, from
 *     TYPE *ALLOC(const tl_point *), void FREE(TYPE *) and
 *     void SIMULATE(const TYPE *, const tl_stream_key *, uint64_t first, size_t count,
 *                   double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES]). */
#define TL_MODEL_STATE(TYPE, ALLOC, FREE, SIMULATE)                                                         \
    static void *point_alloc(const tl_point *pt) { return ALLOC(pt); }                                      \
    static void point_free(void *state) { FREE((TYPE *)state); }                                             \
    static void simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,                \
                         double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])      \
    {                                                                                                        \
        SIMULATE((const TYPE *)state, key, first, count, out, profile);                                      \
    }

/* The models the engine knows, by name; NULL if none. */
const tl_model_type *tl_model_find(const char *name);
/* "hopfield, ..." for messages. */
const char *tl_model_names(void);

#endif
