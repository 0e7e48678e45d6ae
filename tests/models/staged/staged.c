/* A model for the tests of the engine's staged preparation (prepare.h): each
 * point's set-up is a chain of `stages` stages on a blob of three doubles,
 *     blob[0]: stages applied so far (each stage adds 1),
 *     blob[1]: v_{s+1} = cos(v_s) + x0 (s + 1), from v_0 = 0,
 *     blob[2]: the last stage's index (a stage out of order stops the run),
 * and every stage call writes one line "staged: stage S of x0 = X", appended
 * to the file named by STAGED_LOG (stderr without it), so a test counts how
 * often each stage ran over all ranks and sessions.
 * The trajectories are the prepared value plus a standard normal; the filled
 * datasets are the prepared value, the stage count of its chain and the value
 * recomputed here from x0 (what an unstaged run gives).  Points that differ
 * only in `time` share a chain (prepare_key).
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "thermolearn/error.h"
#include "thermolearn/model.h"

static const tl_param_spec staged_params[] = {
    {"x0", TL_PARAM_REAL, "0.5", -1e3, 1e3, 0, NULL, "1", "the chain's constant"},
    {"stages", TL_PARAM_INT, "3", 0, 1e4, 0, NULL, "1", "stages of the point's preparation (0: none)"},
    {"time", TL_PARAM_REAL, "1", 0, 1e9, 0, NULL, "1", "not used by the preparation: points differing only here share it"},
};
#define N_PARAMS (sizeof staged_params / sizeof staged_params[0])

static const tl_observable observables[] = {{"y", "1", "the prepared value plus a standard normal"}};

enum { X_VALUE, X_CALLS, X_EXACT, N_EXTRAS };
static const tl_extra extras[] = {
    {"prepared_value", TL_EXTRA_F64, "1", "v after the point's stages, from the final blob (x0 without stages) [point]"},
    {"stage_calls", TL_EXTRA_F64, "1", "stages applied to the point's chain [point]"},
    {"exact_value", TL_EXTRA_F64, "1", "v recomputed in one go from x0 [point]"},
};

typedef struct {
    double x0, value, calls;
    int64_t stages;
} staged;

static double chain_value(double x0, int64_t stages)
{
    double v = 0;
    for (int64_t s = 0; s < stages; s++) v = cos(v) + x0 * (double)(s + 1);
    return stages ? v : x0;
}

static staged *staged_alloc(const tl_point *pt)
{
    staged *m = tl_calloc(1, sizeof *m, "staged");
    m->x0 = tl_point_real(pt, "x0");
    m->stages = tl_point_int(pt, "stages");
    m->value = m->stages ? NAN : m->x0; /* NaN until prepare_finish */
    return m;
}

static void staged_free(staged *m)
{
    free(m);
}

static void staged_simulate(const staged *m, const tl_stream_key *key, uint64_t first, size_t count,
                            double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    if (isnan(m->value)) error("staged: simulate before prepare_finish");
    for (size_t j = 0; j < count; j++) {
        philox4x32_ctr_t r = philox4x32(tl_stream_counter(key, TL_PURPOSE_DYNAMICS, first + j, 0),
                                        tl_stream_philox_key(key->seed));
        double u = tl_uniform_double(r.v[0], r.v[1]), v = tl_uniform_double(r.v[2], r.v[3]);
        out[0][j] = m->value + sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
    }
}

TL_MODEL_STATE(staged, staged_alloc, staged_free, staged_simulate)

static size_t stages(const tl_point *pt)
{
    return (size_t)tl_point_int(pt, "stages");
}

static size_t blob_size(const tl_point *pt)
{
    return 3;
}

/* One line per stage call.  The ranks append to STAGED_LOG with O_APPEND, one write() a line, so
 * no line is lost or split on its way (under mpirun, stderr goes through mpirun's forwarding). */
static void log_stage(size_t s, double x0)
{
    char line[96];
    int n = snprintf(line, sizeof line, "staged: stage %zu of x0 = %g\n", s, x0);
    const char *path = getenv("STAGED_LOG");
    int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : STDERR_FILENO;
    if (fd < 0) error("staged: cannot open STAGED_LOG %s", path);
    if (write(fd, line, (size_t)n) != n) error("staged: cannot write the stage line");
    if (path) close(fd);
}

static void stage(void *state, size_t s, double *blob)
{
    const staged *m = state;
    if (s == 0 && (blob[0] != 0 || blob[1] != 0 || blob[2] != 0)) error("staged: stage 0 on a blob not zeroed");
    if (s > 0 && blob[2] != (double)(s - 1)) error("staged: stage %zu after stage %g", s, blob[2]);
    blob[0] += 1;
    blob[1] = cos(blob[1]) + m->x0 * (double)(s + 1);
    blob[2] = (double)s;
    log_stage(s, m->x0);
}

static void finish(void *state, const double *blob)
{
    staged *m = state;
    m->calls = blob[0];
    m->value = blob[1];
}

static char *key(const tl_point *pt)
{
    char *k = tl_malloc(64, "key");
    snprintf(k, 64, "%.17g %lld", tl_point_real(pt, "x0"), (long long)tl_point_int(pt, "stages"));
    return k;
}

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const one[] = {"sample"};
    *names = one;
    return 1;
}

static int shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    return 0;
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const staged *m = state;
    out[0] = e == X_VALUE ? m->value : e == X_CALLS ? m->calls : chain_value(m->x0, m->stages);
}

const tl_model_type tl_model_staged = {
    .name = "staged", .description = "a chain of preparation stages (a model for the tests)",
    .params = staged_params, .n_params = N_PARAMS, .observables = observables, .n_observables = 1,
    .extras = extras, .n_extras = N_EXTRAS, .directions = directions, .extra_shape = shape,
    .point_alloc = point_alloc, .point_free = point_free, .simulate = simulate, .extra_fill = extra_fill,
    .unit_size = 4, .default_temperature = 1,
    .prepare_stages = stages, .prepare_size = blob_size, .prepare_stage = stage, .prepare_finish = finish,
    .prepare_key = key,
};
