/* The linear system of appendix D: parameters, the point state, and the model interface. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "ou.h"
#include "thermolearn/error.h"
#include "thermolearn/numbers.h"
#include "thermolearn/status.h"

/* The largest dt |W|_1 (the quadrature of the step kernel grows with it).  The
 * longest window in steps is OU_MAX_BLOCKS / ceil(n/2) (ou.h): each step draws
 * ceil(n/2) blocks of its trajectory's stream. */
#define MAX_STEP_SPAN 100.0
/* Up to this n, validation builds the whole point state (well under a millisecond), so that a
 * numerically hopeless W is an input error; beyond, it checks stability only (the Lyapunov
 * solve costs O(n^6)). */
#define VALIDATE_FULL_N 8

static const tl_param_spec ou_params[] = {
    {"js", TL_PARAM_REAL, "0", -1e6, 1e6, 0, NULL, "1/time", "J_s of eq. D7: W_12 = J_s + J_a, W_21 = J_s - J_a"},
    {"ja", TL_PARAM_REAL, "0", -1e6, 1e6, 0, NULL, "1/time", "J_a of eq. D7 (the antisymmetric coupling)"},
    {"decay", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "1/time", "W_11 = W_22 = -decay (eq. D7 has decay = 1)"},
    {"x1", TL_PARAM_REAL, "0", -1e6, 1e6, 0, NULL, "1/time", "input x_1 of eq. D1"},
    {"x2", TL_PARAM_REAL, "0", -1e6, 1e6, 0, NULL, "1/time", "input x_2 of eq. D1"},
    {"coupling_matrix", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "file of n rows of n numbers, W_ij in row i, instead of js, ja, decay"},
    {"input", TL_PARAM_STRING, "", 0, 0, 0, NULL, "",
     "with coupling_matrix: the n values of x (blanks or commas); none: x = 0"},
    {"time", TL_PARAM_REAL, "100", 0, 1e300, 1, NULL, "time", "end of every trajectory"},
    {"transient", TL_PARAM_REAL, "0", 0, 1e300, 0, NULL, "time", "time before the measurement window [transient, time]"},
    {"dt", TL_PARAM_REAL, "0.01", 0, 1e300, 1, NULL, "time",
     "sampling step of the window (exact at any dt; lowered so that whole steps fill the window)"},
    {"initial", TL_PARAM_CHOICE, "steady", 0, 0, 0, "steady|zero", "",
     "steady: s(0) drawn from the exact stationary Gaussian; zero: s(0) = 0"},
};
#define N_PARAMS (sizeof ou_params / sizeof ou_params[0])

static const tl_observable observables[] = {
    {"entropy_production", "1",
     "medium entropy (1/T) int (W s + x) o ds over the window, each step its exact mean given the sampled states (k_B = 1)"},
    {"entropy_production_rate", "1/time", "entropy_production divided by the length of the window"},
};
#define N_OBS (sizeof observables / sizeof observables[0])
_Static_assert(N_OBS == OU_N_OBS, "observable table");

/* Vectors per trajectory: the engine writes their mean and standard error over
 * the trajectories as /ou/<name>, /ou/<name>_err.  The covariance keeps the
 * n(n+1)/2 pairs i <= j, not the full matrix: each independent component
 * once, in the [point, pair] table `thermolearn check` compares. */
static const tl_profile profiles[] = {
    {"mean", "1", "time average of s_i over the window [point, i]"},
    {"covariance", "1",
     "time average over the window of (s_i - m_i)(s_j - m_j), m the exact mean [point, pair]; pairs i <= j in "
     "row-major order, numpy's triu_indices(n) (n = 2: 00, 01, 11)"},
};
_Static_assert(sizeof profiles / sizeof profiles[0] == OU_N_PROFILES, "profile table");
_Static_assert(OU_N_PROFILES <= TL_MAX_PROFILES, "raise TL_MAX_PROFILES");

enum { X_EP, X_EP_ERR, X_EP_EXACT, X_MEAN_EXACT, X_COV_EXACT, X_W, X_X, X_SIGMA, X_STEP, N_EXTRAS };
static const tl_extra extras[] = {
    {"entropy_production_rate", TL_EXTRA_F64, "1/time", "mean of the per-trajectory entropy production rates [point]",
     TL_EXTRA_MEAN, OU_OBS_EP_RATE, 0, NULL},
    {"entropy_production_rate_err", TL_EXTRA_F64, "1/time", "standard error of entropy_production_rate [point]",
     TL_EXTRA_SE, OU_OBS_EP_RATE, 0, NULL},
    {"entropy_production_rate_exact", TL_EXTRA_F64, "1/time",
     "steady-state rate: 2 J_a^2 / decay (eq. D11) in the 2-d form, tr(B^T D^-1 B C) for a coupling_matrix [point]", 0},
    {"mean_exact", TL_EXTRA_F64, "1", "steady-state mean m = -W^-1 x [point, i]", 0},
    {"covariance_exact", TL_EXTRA_F64, "1",
     "stationary covariance C [point, pair], pairs i <= j as in covariance: eq. D8 in the 2-d form, the Lyapunov "
     "equation D2 for a coupling_matrix", 0},
    {"couplings", TL_EXTRA_F64, "1/time", "the matrix W [point, i, j]; ds = (W s + x) dt + sigma dB", 0},
    {"input", TL_EXTRA_F64, "1/time", "the input x [point, i]", 0},
    {"sigma", TL_EXTRA_F64, "1", "the paper's noise amplitude sigma_s = sqrt(2 T) [point]", 0},
    {"time_step", TL_EXTRA_F64, "time", "the sampling step used: (time - transient) / steps, at most dt [point]", 0},
};
_Static_assert(sizeof extras / sizeof extras[0] == N_EXTRAS, "extras table");

/* ---- W and x of a point ------------------------------------------------------------------- */

static int from_file(const tl_point *pt)
{
    return tl_point_string(pt, "coupling_matrix")[0] != '\0';
}

/* The rows of the coupling-matrix file, square; n = 0 with a message on a problem. */
static int matrix_rows(const char *file, char *why, size_t len)
{
    int counts[OU_MAX_N];
    int rows = tl_numbers_read_rows("coupling_matrix", file, NULL, 0, counts, OU_MAX_N, why, len);
    if (rows == 0) snprintf(why, len, "coupling_matrix: '%s' has no rows of numbers", file);
    for (int r = 0; r < rows; r++)
        if (counts[r] != rows) {
            snprintf(why, len, "coupling_matrix: '%s': row %d has %d values, expected %d (a square matrix)", file,
                     r + 1, counts[r], rows);
            return 0;
        }
    return rows > 0 ? rows : 0;
}

static int point_n(const tl_point *pt)
{
    char why[512];
    if (!from_file(pt)) return 2;
    int n = matrix_rows(tl_point_string(pt, "coupling_matrix"), why, sizeof why);
    return n > 0 ? n : 1;
}

/* W and x of a valid point (n from point_n). */
static void point_system(const tl_point *pt, int n, double *w, double *x)
{
    char why[512];
    if (!from_file(pt)) {
        ou_two_matrix(tl_point_real(pt, "js"), tl_point_real(pt, "ja"), tl_point_real(pt, "decay"), w);
        x[0] = tl_point_real(pt, "x1"), x[1] = tl_point_real(pt, "x2");
        return;
    }
    if (tl_numbers_read_rows("coupling_matrix", tl_point_string(pt, "coupling_matrix"), w, n, NULL, n, why,
                             sizeof why) != n)
        error("%s (it was valid when the input was checked)", why);
    const char *bad;
    memset(x, 0, (size_t)n * sizeof *x);
    tl_numbers_parse(tl_point_string(pt, "input"), x, n, &bad);
}

/* ---- validation ---------------------------------------------------------------------------- */

static int check_form(const tl_point *pt, int *n, char *why, size_t len)
{
    static const char *const two_d[] = {"js", "ja", "decay", "x1", "x2"};
    if (!from_file(pt)) {
        if (tl_point_given(pt, "input")) {
            snprintf(why, len, "input belongs to coupling_matrix; the 2-d form takes x1 and x2");
            return TL_ERR_INPUT;
        }
        *n = 2;
        return TL_OK;
    }
    for (size_t k = 0; k < sizeof two_d / sizeof two_d[0]; k++)
        if (tl_point_given(pt, two_d[k])) {
            snprintf(why, len, "%s belongs to the 2-d form of eq. D7, not to coupling_matrix%s", two_d[k],
                     k >= 3 ? " (give input)" : "");
            return TL_ERR_INPUT;
        }
    char file_why[400];
    *n = matrix_rows(tl_point_string(pt, "coupling_matrix"), file_why, sizeof file_why);
    if (*n == 0) {
        snprintf(why, len, "%s", file_why);
        return TL_ERR_INPUT;
    }
    const char *text = tl_point_string(pt, "input"), *bad = NULL;
    int count = tl_numbers_parse(text, NULL, 0, &bad);
    if (count < 0) {
        snprintf(why, len, "input: '%.*s' is not a finite number", (int)strcspn(bad, " \t,"), bad);
        return TL_ERR_INPUT;
    }
    if (count != 0 && count != *n) {
        snprintf(why, len, "input: %d values given, the coupling_matrix has n = %d", count, *n);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int check_window(const tl_point *pt, int n, double norm, char *why, size_t len)
{
    double time = tl_point_real(pt, "time"), transient = tl_point_real(pt, "transient"), dt = tl_point_real(pt, "dt");
    if (transient >= time) {
        snprintf(why, len, "transient = %g must be shorter than time = %g", transient, time);
        return TL_ERR_INPUT;
    }
    if (dt > time - transient) {
        snprintf(why, len, "dt = %g is longer than the window time - transient = %g", dt, time - transient);
        return TL_ERR_INPUT;
    }
    double max_steps = OU_MAX_BLOCKS / ou_blocks_per_step(n);
    if ((time - transient) / dt > max_steps) {
        snprintf(why, len, "dt = %g: the window has %.3g steps, at most %.4g at n = %d", dt, (time - transient) / dt,
                 max_steps, n);
        return TL_ERR_INPUT;
    }
    if (dt * norm > MAX_STEP_SPAN) {
        snprintf(why, len, "dt = %g is %.3g times the fastest time scale 1/|W|_1 = %g; at most %g (sample more often)",
                 dt, dt * norm, 1 / norm, MAX_STEP_SPAN);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

/* Every eigenvalue of W in the left half plane, with a margin for round-off. */
static int check_stable(const tl_point *pt, int n, const double *w, double norm, char *why, size_t len)
{
    double top = ou_abscissa(n, w), margin = -1e-12 * norm;
    if (top < margin) return TL_OK;
    if (from_file(pt))
        snprintf(why, len,
                 "coupling_matrix: W in '%s' has no steady state: an eigenvalue has real part %.6g, not below "
                 "-1e-12 |W|_1 = %.3g (every eigenvalue of W needs a negative real part)",
                 tl_point_string(pt, "coupling_matrix"), top, margin);
    else
        snprintf(why, len,
                 "js = %.10g, ja = %.10g, decay = %.10g: W of eq. D7 has no steady state (an eigenvalue has real "
                 "part %.6g, not below -1e-12 |W|_1 = %.3g); it is stable when decay^2 + ja^2 - js^2 > 0 (the "
                 "paper's Delta > 0 at decay = 1)",
                 tl_point_real(pt, "js"), tl_point_real(pt, "ja"), tl_point_real(pt, "decay"), top, margin);
    return TL_ERR_INPUT;
}

static int validate(const tl_point *pt, char *why, size_t len)
{
    int n = 0;
    if (check_form(pt, &n, why, len)) return TL_ERR_INPUT;
    double *w = tl_malloc((size_t)n * n * sizeof *w, "couplings"), *x = tl_malloc((size_t)n * sizeof *x, "input");
    point_system(pt, n, w, x);
    double norm = fmax(ou_norm1(n, w), 1e-300);
    int status = check_stable(pt, n, w, norm, why, len);
    if (!status) status = check_window(pt, n, norm, why, len);
    if (!status && n <= VALIDATE_FULL_N) {
        char detail[256];
        ou *o = ou_alloc(n, w, x, tl_point_real(pt, "temperature"), tl_point_real(pt, "time"),
                         tl_point_real(pt, "transient"), tl_point_real(pt, "dt"), 1, detail, sizeof detail);
        if (!o) {
            snprintf(why, len, "%s: %s", from_file(pt) ? "coupling_matrix" : "js, ja, decay", detail);
            status = TL_ERR_INPUT;
        }
        ou_free(o);
    }
    free(w), free(x);
    return status;
}

/* ---- the point state ----------------------------------------------------------------------- */

/* Lower Cholesky factor of the n x n matrix a into l (upper part zero). */
static int cholesky(int n, const double *a, double *l)
{
    memcpy(l, a, (size_t)n * n * sizeof *l);
    gsl_matrix_view lv = gsl_matrix_view_array(l, n, n);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_linalg_cholesky_decomp1(&lv.matrix);
    gsl_set_error_handler(old);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) l[i * n + j] = 0;
    return status;
}

static int all_finite(size_t n, const double *v)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* m = -W^-1 x */
static int steady_mean(int n, const double *w, const double *x, double *m)
{
    gsl_matrix *lu = gsl_matrix_alloc(n, n);
    memcpy(lu->data, w, (size_t)n * n * sizeof *w);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    gsl_vector_const_view xv = gsl_vector_const_view_array(x, n);
    gsl_vector_view mv = gsl_vector_view_array(m, n);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int sign, status = gsl_linalg_LU_decomp(lu, perm, &sign) || gsl_linalg_LU_solve(lu, perm, &xv.vector, &mv.vector);
    gsl_set_error_handler(old);
    for (int i = 0; i < n; i++) m[i] = -m[i];
    gsl_permutation_free(perm);
    gsl_matrix_free(lu);
    return status;
}

ou *ou_alloc(int n, const double *w, const double *x, double temperature, double time, double transient,
             double dt, int initial_steady, char *why, size_t why_len)
{
    size_t nn = (size_t)n * n;
    ou *o = tl_calloc(1, sizeof *o, "ou");
    o->n = n, o->temperature = temperature, o->transient = transient, o->initial_steady = initial_steady;
    o->window = time - transient;
    o->steps = (long)fmax(1.0, ceil(o->window / dt * (1 - 1e-12)));
    o->h = o->window / o->steps;
    double sigma = sqrt(2 * temperature);
    double **mats[] = {&o->w, &o->c, &o->c_exact, &o->e_h, &o->l_h, &o->l_c, &o->qaa, &o->qab, &o->qbb};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++) *mats[i] = tl_calloc(nn, sizeof(double), "ou matrices");
    o->x = tl_calloc(n, sizeof *o->x, "input"), o->m = tl_calloc(n, sizeof *o->m, "mean");
    memcpy(o->w, w, nn * sizeof *w), memcpy(o->x, x, (size_t)n * sizeof *x);
    double *q = tl_malloc(nn * sizeof *q, "transition");
    const char *failed = NULL;
    if (steady_mean(n, w, x, o->m) || !all_finite(n, o->m)) failed = "W is singular";
    else if (ou_lyapunov(n, w, sigma, o->c) || !all_finite(nn, o->c) || cholesky(n, o->c, o->l_c) ||
             !all_finite(nn, o->l_c))
        failed = "no positive definite stationary covariance";
    else if (ou_transition(n, w, o->c, sigma, o->h, o->e_h, q) || !all_finite(nn, o->e_h) || cholesky(n, q, o->l_h) ||
             !all_finite(nn, o->l_h))
        failed = "no positive definite transition covariance over dt";
    else if (ou_step_kernel(n, w, o->c, temperature, o->h, o->qaa, o->qab, o->qbb, &o->qc) ||
             !all_finite(nn, o->qaa) || !all_finite(nn, o->qab) || !all_finite(nn, o->qbb) || !isfinite(o->qc))
        failed = "the entropy of a step of dt is not finite";
    if (!failed && transient > 0) {
        o->e_tr = tl_malloc(nn * sizeof *o->e_tr, "transient"), o->l_tr = tl_malloc(nn * sizeof *o->l_tr, "transient");
        if (ou_transition(n, w, o->c, sigma, transient, o->e_tr, q) || !all_finite(nn, o->e_tr) ||
            cholesky(n, q, o->l_tr) || !all_finite(nn, o->l_tr))
            failed = "no positive definite transition covariance over the transient";
    }
    free(q);
    if (failed) {
        snprintf(why, why_len, "%s (numerically: W is too close to unstable, or the time scales too far apart)", failed);
        ou_free(o);
        return NULL;
    }
    memcpy(o->c_exact, o->c, nn * sizeof *o->c);
    o->ep_rate_exact = ou_entropy_rate(n, w, sigma);
    return o;
}

void ou_free(ou *o)
{
    if (!o) return;
    free(o->w), free(o->x), free(o->m), free(o->c), free(o->c_exact), free(o->e_h), free(o->l_h);
    free(o->e_tr), free(o->l_tr), free(o->l_c), free(o->qaa), free(o->qab), free(o->qbb);
    free(o);
}

static ou *ou_point_alloc(const tl_point *pt)
{
    int n = point_n(pt);
    double *w = tl_malloc((size_t)n * n * sizeof *w, "couplings"), *x = tl_malloc((size_t)n * sizeof *x, "input");
    point_system(pt, n, w, x);
    char why[512];
    ou *o = ou_alloc(n, w, x, tl_point_real(pt, "temperature"), tl_point_real(pt, "time"),
                     tl_point_real(pt, "transient"), tl_point_real(pt, "dt"), tl_point_choice(pt, "initial") == 0, why,
                     sizeof why);
    if (!o) error("%s (it was valid when the input was checked)", why);
    if (!from_file(pt)) /* the paper's closed forms, D8 and D11 */
        ou_two_closed_form(tl_point_real(pt, "js"), tl_point_real(pt, "ja"), tl_point_real(pt, "decay"),
                           sqrt(2 * o->temperature), o->c_exact, &o->ep_rate_exact);
    free(w), free(x);
    return o;
}

/* ---- the model interface ------------------------------------------------------------------- */

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const steady[] = {"steady"};
    *names = steady;
    return 1;
}

static int extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    size_t n = (size_t)point_n(pt);
    switch (e) {
    case X_MEAN_EXACT: case X_X: dims[0] = n; return 1;
    case X_COV_EXACT: dims[0] = ou_n_pairs(n); return 1;
    case X_W: dims[0] = dims[1] = n; return 2;
    default: return 0;
    }
}

/* The same shapes as mean_exact and covariance_exact, which `check` compares them with. */
static int profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    size_t n = (size_t)point_n(pt);
    dims[0] = v == OU_PROFILE_MEAN ? n : ou_n_pairs(n);
    return 1;
}

TL_MODEL_STATE(ou, ou_point_alloc, ou_free, ou_simulate_batch)

/* n is the same at every point (coupling_matrix is a string, not a grid axis),
 * so the point's own layout is the dataset's. */
static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const ou *o = state;
    size_t n = (size_t)o->n;
    switch (e) {
    case X_EP_EXACT: out[0] = o->ep_rate_exact; break;
    case X_MEAN_EXACT: for (size_t i = 0; i < n; i++) out[i] = o->m[i]; break;
    case X_COV_EXACT:
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) out[ou_pair(n, i, j)] = o->c_exact[i * n + j];
        break;
    case X_W: for (size_t i = 0; i < n * n; i++) out[i] = o->w[i]; break;
    case X_X: for (size_t i = 0; i < n; i++) out[i] = o->x[i]; break;
    case X_SIGMA: out[0] = sqrt(2 * o->temperature); break;
    case X_STEP: out[0] = o->h; break;
    }
}

/* Time averages and the entropy production rate against the exact stationary
 * Gaussian. */
static size_t check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec triples[] = {
        {TL_CHECK_TRIPLE, .estimate = "covariance"},
        {TL_CHECK_TRIPLE, .estimate = "entropy_production_rate"},
        {TL_CHECK_TRIPLE, .estimate = "mean"},
    };
    *checks = triples;
    return sizeof triples / sizeof triples[0];
}

static const tl_model_checks checks = {check_list, NULL, NULL};

const tl_model_type tl_model_ou = {
    .name = "ou",
    .description = "the linear (Ornstein-Uhlenbeck) system of appendix D, exact Gaussian transitions (Ingrosso & Panizon)",
    .params = ou_params,
    .n_params = N_PARAMS,
    .observables = observables,
    .n_observables = N_OBS,
    .extras = extras,
    .n_extras = N_EXTRAS,
    .profiles = profiles,
    .n_profiles = OU_N_PROFILES,
    .default_temperature = 0.5, /* sigma_s = 1 */
    .directions = directions,
    .validate = validate,
    .extra_shape = extra_shape,
    .profile_shape = profile_shape,
    .point_alloc = point_alloc,
    .point_free = point_free,
    .simulate = simulate,
    .extra_fill = extra_fill,
    .checks = &checks,
    .bench = ou_bench,
};
