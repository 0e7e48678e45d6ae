/* Asymmetric spin networks: parameters, couplings, inputs and the model interface. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spins.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

static const tl_param_spec spins_params[] = {
    {"chain_length", TL_PARAM_INT, "4", 1, SPINS_MAX_N / 2, 0, NULL, "1", "spins N per chain (2N in all)"},
    {"neighbours", TL_PARAM_INT, "2", 1, 64, 0, NULL, "1", "couplings reach the k-th neighbour, within and across chains"},
    {"couplings", TL_PARAM_STRING, "", 0, 0, 0, NULL, "",
     "the 6k+2 independent chain couplings (8k-2 at k = 2), order in README"},
    {"coupling_matrix", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "file of n rows of n numbers, W_ij in row i, used instead of the chains"},
    {"inputs", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "file of inputs x, one a line: N values (repeated on both chains) or one per spin; none: x = 0"},
    {"input_index", TL_PARAM_INT, "0", 0, 1e9, 0, NULL, "1", "line of the inputs file used at this point (from 0)"},
    {"rate", TL_PARAM_REAL, "1", 1e-300, 1e300, 1, NULL, "1/time", "r0: spin i flips at rate r0 exp(-beta s_i h_i)"},
    {"time", TL_PARAM_REAL, "5000", 1e-300, 1e300, 1, NULL, "time", "T_max: end of every trajectory"},
    {"transient", TL_PARAM_REAL, "200", 0, 1e300, 0, NULL, "time", "time discarded before the measurement window"},
    {"max_jumps", TL_PARAM_INT, "0", 0, 4e9, 0, NULL, "1",
     "the window also ends at this many jumps after the transient (0: no limit)"},
    {"initial", TL_PARAM_CHOICE, "auto", 0, 0, 0, "auto|steady|random", "",
     "initial state: drawn from the exact steady state (n <= 14), or random spins; auto: steady when n <= 14"},
    {"task", TL_PARAM_CHOICE, "none", 0, 0, 0, "none|random", "",
     "random: optimise the chain couplings by SPSA on the random task (appendix B2) for L = -MSE - alpha Sigma"},
    {"patterns", TL_PARAM_INT, "100", 1, 1e6, 0, NULL, "1", "task: input patterns M"},
    {"task_seed", TL_PARAM_INT, "1", 0, 4294967295.0, 0, NULL, "1", "task: seed of the random patterns and labels"},
    {"alpha", TL_PARAM_REAL, "0", 0, 1e300, 0, NULL, "time", "task: the trade-off alpha of eq. 2"},
    {"init_seed", TL_PARAM_INT, "1", 0, 4294967295.0, 0, NULL, "1",
     "task: seed of the initial couplings and of the SPSA streams (several per alpha: a grid axis)"},
    {"init_scale", TL_PARAM_REAL, "0.1", 0, 1e3, 0, NULL, "energy", "task: initial couplings uniform in +-init_scale/2 (without couplings)"},
    {"spsa_steps", TL_PARAM_INT, "200", 0, 1e7, 0, NULL, "1", "task: SPSA steps"},
    {"spsa_a", TL_PARAM_REAL, "2", 0, 1e6, 0, NULL, "1", "task: SPSA step gain a, a_t = a / (t + 1 + steps/10)^0.602"},
    {"spsa_c", TL_PARAM_REAL, "0.2", 1e-12, 1e3, 1, NULL, "energy", "task: SPSA perturbation c, c_t = c / (t + 1)^0.101"},
    {"spsa_max_step", TL_PARAM_REAL, "0.2", 1e-12, 1e3, 1, NULL, "energy", "task: largest change of one coupling per step"},
    {"task_time", TL_PARAM_REAL, "100", 1e-300, 1e300, 1, NULL, "time", "task: T_max of the trajectory of each input"},
    {"task_transient", TL_PARAM_REAL, "10", 0, 1e300, 0, NULL, "time", "task: transient of the trajectory of each input"},
};
#define N_PARAMS (sizeof spins_params / sizeof spins_params[0])

#define M_OBS(i) {"magnetization_" #i, "1", "time average of s_" #i " over the measurement window (0 if the network has fewer spins)"}
static const tl_observable observables[] = {
    {"entropy_production", "1",
     "medium entropy production sum ln k(s->s')/k(s'->s) over the jumps of the measurement window (k_B = 1)"},
    {"entropy_production_rate", "1/time", "entropy_production divided by the length of the measurement window"},
    {"entropy_production_total", "1",
     "entropy_production + ln p_ss(s_start) - ln p_ss(s_end), with the exact steady state (0 if n > 14)"},
    {"ift_weight", "1", "exp(-entropy_production_total): its mean is 1 in the steady state (0 if n > 14)"},
    M_OBS(0), M_OBS(1), M_OBS(2), M_OBS(3), M_OBS(4), M_OBS(5), M_OBS(6), M_OBS(7), M_OBS(8), M_OBS(9),
    M_OBS(10), M_OBS(11), M_OBS(12), M_OBS(13), M_OBS(14), M_OBS(15), M_OBS(16), M_OBS(17), M_OBS(18), M_OBS(19),
};
#define N_OBS (sizeof observables / sizeof observables[0])
_Static_assert(N_OBS == SPINS_OBS_FIXED + SPINS_MAGNETIZATION_OBS, "observable table");
_Static_assert(N_OBS <= TL_MAX_OBSERVABLES, "raise TL_MAX_OBSERVABLES");

enum {
    X_M, X_M_ERR, X_EP, X_EP_ERR, X_IFT, X_IFT_ERR, X_M_EXACT, X_EP_EXACT, X_W, X_X, X_TASK_MSE, X_TASK_EP, X_TASK_THETA, N_EXTRAS
};
static const tl_extra extras[] = {
    {"magnetization", TL_EXTRA_F64, "1",
     "Gillespie <s_i>: mean over trajectories of the time-averaged spin [point, spin] (NaN beyond spin 19)", 1},
    {"magnetization_err", TL_EXTRA_F64, "1", "standard error of magnetization [point, spin]", 1},
    {"entropy_production_rate", TL_EXTRA_F64, "1/time",
     "Gillespie entropy production rate: mean of the per-trajectory rates [point]", 1},
    {"entropy_production_rate_err", TL_EXTRA_F64, "1/time", "standard error of entropy_production_rate [point]", 1},
    {"ift", TL_EXTRA_F64, "1", "<exp(-Sigma_tot)> over trajectories; 1 in the steady state (NaN if n > 14) [point]", 1},
    {"ift_err", TL_EXTRA_F64, "1", "standard error of ift [point]", 1},
    {"magnetization_exact", TL_EXTRA_F64, "1",
     "<s_i> in the exact steady state of the master equation [point, spin] (NaN if n > 14)", 0},
    {"entropy_production_rate_exact", TL_EXTRA_F64, "1/time",
     "Schnakenberg entropy production rate (eq. 1) of the exact steady state [point] (NaN if n > 14)", 0},
    {"couplings", TL_EXTRA_F64, "energy", "the coupling matrix W_ij [point, i, j]; h = W s + x", 0},
    {"input", TL_EXTRA_F64, "energy", "the input field x_i of this point [point, spin]", 0},
    {"task_mse", TL_EXTRA_F64, "1",
     "task = random: mean squared error of the least-squares readout at the SPSA optimum, on fresh streams (NaN without a task) [point]", 0},
    {"task_entropy_production_rate", TL_EXTRA_F64, "1/time",
     "task = random: entropy production rate at the optimum, mean over the patterns (NaN without a task) [point]", 0},
    {"task_couplings", TL_EXTRA_F64, "energy",
     "task = random: the optimal 6k+2 chain couplings (NaN without a task) [point, coupling]", 0},
};
_Static_assert(sizeof extras / sizeof extras[0] == N_EXTRAS, "extras table");

/* ---- numbers from text and files ---------------------------------------------------- */

/* Parse the numbers of one line (separated by blanks or commas) into v (up to cap);
 * returns the count, or -1 with `bad` pointing at the first non-number. */
static int parse_numbers(const char *line, double *v, int cap, const char **bad)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        while (*p && (isspace((unsigned char)*p) || *p == ',')) p++;
        if (!*p || *p == '#') return n;
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(x) ||
            (*end && !isspace((unsigned char)*end) && *end != ',' && *end != '#')) {
            *bad = p;
            return -1;
        }
        if (n < cap && v) v[n] = x;
        n++;
        p = end;
    }
}

/* Rows of numbers of a file (blank lines and # comments skipped).  Fills rows,
 * the count of each row into counts (up to max_rows), values into v (row r at
 * r*stride).  Returns the number of rows, or -1 with a message. */
static int read_rows(const char *key, const char *path, double *v, int stride, int *counts, int max_rows,
                     char *why, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, len, "%s: cannot open '%s'", key, path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int rows = 0, lineno = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        const char *bad = NULL;
        int n = parse_numbers(line, NULL, 0, &bad);
        if (n < 0) {
            char token[32];
            snprintf(token, sizeof token, "%.*s", (int)strcspn(bad, " \t\r\n,"), bad);
            snprintf(why, len, "%s: '%s' line %d: '%s' is not a finite number", key, path, lineno, token);
            rows = -1;
            break;
        }
        if (n == 0) continue;
        if (rows >= max_rows) {
            snprintf(why, len, "%s: '%s' line %d: more than %d rows", key, path, lineno, max_rows);
            rows = -1;
            break;
        }
        if (v) parse_numbers(line, v + (size_t)rows * stride, stride, &bad);
        if (counts) counts[rows] = n;
        rows++;
    }
    free(line);
    fclose(f);
    return rows;
}

int spins_chain_n_couplings(int k)
{
    return 6 * k + 2;
}

/* ---- couplings ------------------------------------------------------------------------- */

/* The value of W_ij for spins i = (mi, ci), j = (mj, cj), |mi - mj| <= k: see README. */
static double chain_coupling(int k, const double *c, int mi, int ci, int mj, int cj)
{
    int d = mi - mj;
    if (ci == cj) return c[d < 0 ? d + k : d + k - 1];
    if (ci == 1) return c[2 * k + d + k];
    return c[4 * k + 1 + d + k];
}

void spins_chain_matrix(int chain_length, int k, const double *c, double *w)
{
    int N = chain_length, n = 2 * N;
    memset(w, 0, (size_t)n * n * sizeof *w);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int mi = i % N, ci = i / N, mj = j % N, cj = j / N;
            if (i == j || abs(mi - mj) > k) continue;
            w[i * n + j] = chain_coupling(k, c, mi, ci, mj, cj);
        }
}

/* Spins of a point: 2N, or the rows of the coupling-matrix file. */
static int point_spins(const tl_point *pt)
{
    const char *file = tl_point_string(pt, "coupling_matrix");
    if (file[0] == '\0') return 2 * (int)tl_point_int(pt, "chain_length");
    char why[512];
    int rows = read_rows("coupling_matrix", file, NULL, 0, NULL, SPINS_MAX_N, why, sizeof why);
    return rows > 0 ? rows : 1;
}

static int check_matrix(const char *file, int *n_out, char *why, size_t len)
{
    int *counts = tl_malloc(SPINS_MAX_N * sizeof *counts, "row counts");
    int rows = read_rows("coupling_matrix", file, NULL, 0, counts, SPINS_MAX_N, why, len), status = TL_OK;
    if (rows == 0) snprintf(why, len, "coupling_matrix: '%s' has no rows of numbers", file);
    if (rows <= 0) status = TL_ERR_INPUT;
    for (int r = 0; status == TL_OK && r < rows; r++)
        if (counts[r] != rows) {
            snprintf(why, len, "coupling_matrix: '%s': row %d has %d values, expected %d (one row per spin)",
                     file, r + 1, counts[r], rows);
            status = TL_ERR_INPUT;
        }
    free(counts);
    *n_out = rows;
    return status;
}

static int check_couplings(const tl_point *pt, int *n, char *why, size_t len)
{
    const char *text = tl_point_string(pt, "couplings"), *file = tl_point_string(pt, "coupling_matrix");
    int task = tl_point_choice(pt, "task") != 0;
    if (task && file[0] != '\0') {
        snprintf(why, len, "coupling_matrix: task = random optimises chain couplings; give chain_length (and couplings to start from)");
        return TL_ERR_INPUT;
    }
    if (task && text[0] == '\0') {
        *n = 2 * (int)tl_point_int(pt, "chain_length");
        return TL_OK;
    }
    if ((text[0] != '\0') == (file[0] != '\0')) {
        snprintf(why, len, "couplings / coupling_matrix: give exactly one of them");
        return TL_ERR_INPUT;
    }
    if (file[0] != '\0') {
        if (tl_point_given(pt, "chain_length") || tl_point_given(pt, "neighbours")) {
            snprintf(why, len, "chain_length and neighbours belong to couplings, not to coupling_matrix");
            return TL_ERR_INPUT;
        }
        return check_matrix(file, n, why, len);
    }
    int k = (int)tl_point_int(pt, "neighbours"), want = spins_chain_n_couplings(k);
    const char *bad = NULL;
    int count = parse_numbers(text, NULL, 0, &bad);
    if (count < 0) {
        snprintf(why, len, "couplings: '%.*s' is not a finite number", (int)strcspn(bad, " \t,"), bad);
        return TL_ERR_INPUT;
    }
    if (count != want) {
        snprintf(why, len, "couplings: %d values given, neighbours = %d needs 6k+2 = %d", count, k, want);
        return TL_ERR_INPUT;
    }
    *n = 2 * (int)tl_point_int(pt, "chain_length");
    return TL_OK;
}

/* Check the inputs file; with x, fill the input of `index` (n values). */
static int load_input(const tl_point *pt, int n, double *x, char *why, size_t len)
{
    const char *file = tl_point_string(pt, "inputs");
    int64_t index = tl_point_int(pt, "input_index");
    if (file[0] == '\0') {
        if (index != 0 && tl_point_choice(pt, "task") == 0) {
            snprintf(why, len, "input_index = %lld needs an inputs file", (long long)index);
            return TL_ERR_INPUT;
        }
        if (x) memset(x, 0, (size_t)n * sizeof *x);
        return TL_OK;
    }
    int chains = tl_point_string(pt, "coupling_matrix")[0] == '\0';
    int max_rows = 1000000;
    int *counts = tl_malloc((size_t)max_rows * sizeof *counts, "input counts");
    double *v = x ? tl_malloc((size_t)max_rows * n * sizeof *v, "inputs") : NULL;
    int rows = read_rows("inputs", file, v, n, counts, max_rows, why, len), status = TL_OK;
    if (rows == 0) snprintf(why, len, "inputs: '%s' has no rows of numbers", file);
    if (rows <= 0) status = TL_ERR_INPUT;
    for (int r = 0; status == TL_OK && r < rows; r++)
        if (counts[r] != n && !(chains && counts[r] == n / 2)) {
            snprintf(why, len, "inputs: '%s': input %d has %d values, expected %d%s", file, r + 1, counts[r], n,
                     chains ? " or N (repeated on both chains)" : "");
            status = TL_ERR_INPUT;
        }
    if (status == TL_OK && index >= rows) {
        snprintf(why, len, "input_index = %lld: '%s' has %d inputs (0 .. %d)", (long long)index, file, rows,
                 rows - 1);
        status = TL_ERR_INPUT;
    }
    if (status == TL_OK && x) {
        const double *row = v + (size_t)index * n;
        for (int i = 0; i < n; i++) x[i] = counts[index] == n ? row[i] : row[i % (n / 2)];
    }
    free(counts);
    free(v);
    return status;
}

int spins_validate_point(const tl_point *pt, char *why, size_t len)
{
    int n = 0;
    if (check_couplings(pt, &n, why, len) || load_input(pt, n, NULL, why, len)) return TL_ERR_INPUT;
    if (n < 1 || n > SPINS_MAX_N) {
        snprintf(why, len, "%d spins: at most %d", n, SPINS_MAX_N);
        return TL_ERR_INPUT;
    }
    if (tl_point_choice(pt, "task") != 0) {
        if (tl_point_string(pt, "inputs")[0] != '\0') {
            snprintf(why, len, "inputs: task = random makes its own inputs (patterns, task_seed)");
            return TL_ERR_INPUT;
        }
        if (tl_point_int(pt, "input_index") >= tl_point_int(pt, "patterns")) {
            snprintf(why, len, "input_index = %lld: the task has patterns = %lld (0 .. %lld)",
                     (long long)tl_point_int(pt, "input_index"), (long long)tl_point_int(pt, "patterns"),
                     (long long)tl_point_int(pt, "patterns") - 1);
            return TL_ERR_INPUT;
        }
        if (tl_point_real(pt, "task_transient") >= tl_point_real(pt, "task_time")) {
            snprintf(why, len, "task_transient = %g must be shorter than task_time = %g",
                     tl_point_real(pt, "task_transient"), tl_point_real(pt, "task_time"));
            return TL_ERR_INPUT;
        }
    } else {
        static const char *const task_keys[] = {"patterns", "task_seed", "alpha", "init_seed", "init_scale", "spsa_steps",
                                                "spsa_a", "spsa_c", "spsa_max_step", "task_time", "task_transient"};
        for (size_t k = 0; k < sizeof task_keys / sizeof task_keys[0]; k++)
            if (tl_point_given(pt, task_keys[k])) {
                snprintf(why, len, "%s belongs to task = random", task_keys[k]);
                return TL_ERR_INPUT;
            }
    }
    if (tl_point_real(pt, "transient") >= tl_point_real(pt, "time")) {
        snprintf(why, len, "transient = %g must be shorter than time = %g", tl_point_real(pt, "transient"),
                 tl_point_real(pt, "time"));
        return TL_ERR_INPUT;
    }
    if (tl_point_choice(pt, "initial") == 1 && n > SPINS_MAX_EXACT) {
        snprintf(why, len, "initial = steady needs the exact steady state: n = %d spins, at most %d", n,
                 SPINS_MAX_EXACT);
        return TL_ERR_INPUT;
    }
    static int warned;
    if (!warned && n > SPINS_MAGNETIZATION_OBS) {
        warned = 1;
        tl_warning("spins: %d spins; per-spin magnetisations are kept for spins 0..%d only", n,
                   SPINS_MAGNETIZATION_OBS - 1);
    }
    return TL_OK;
}

/* ---- allocation --------------------------------------------------------------------------- */

static void build_columns(spins *s)
{
    int n = s->n, nnz = 0;
    s->col_start = tl_malloc((size_t)(n + 1) * sizeof *s->col_start, "columns");
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) nnz += s->w[i * n + j] != 0;
    s->col = tl_malloc((size_t)(nnz + 1) * sizeof *s->col, "columns");
    s->col_w = tl_malloc((size_t)(nnz + 1) * sizeof *s->col_w, "columns");
    s->col_up = tl_malloc((size_t)(nnz + 1) * sizeof *s->col_up, "columns");
    s->col_down = tl_malloc((size_t)(nnz + 1) * sizeof *s->col_down, "columns");
    nnz = 0;
    for (int j = 0; j < n; j++) {
        s->col_start[j] = nnz;
        for (int i = 0; i < n; i++)
            if (s->w[i * n + j] != 0) {
                double wij = s->w[i * n + j];
                s->col[nnz] = i, s->col_w[nnz] = wij;
                s->col_up[nnz] = exp(-2 * s->beta * wij), s->col_down[nnz++] = exp(2 * s->beta * wij);
            }
    }
    s->col_start[n] = nnz;
}

spins *spins_alloc_direct(int n, const double *w, const double *x, double beta, double rate, double time,
                          double transient, int initial_steady)
{
    return spins_alloc_system(n, w, x, beta, rate, time, transient, n <= SPINS_MAX_EXACT, initial_steady);
}

spins *spins_alloc_system(int n, const double *w, const double *x, double beta, double rate, double time,
                          double transient, int exact, int initial_steady)
{
    spins *s = tl_calloc(1, sizeof *s, "spins");
    s->n = n;
    s->beta = beta, s->rate = rate, s->time = time, s->transient = transient;
    s->w = tl_malloc((size_t)n * n * sizeof *s->w, "couplings");
    s->x = tl_malloc((size_t)n * sizeof *s->x, "inputs");
    memcpy(s->w, w, (size_t)n * n * sizeof *s->w);
    memcpy(s->x, x, (size_t)n * sizeof *s->x);
    build_columns(s);
    s->ep_rate_exact = NAN;
    s->task_mse = s->task_sigma = NAN;
    if (exact && n <= SPINS_MAX_EXACT) spins_exact(s);
    s->initial_steady = initial_steady && s->p;
    return s;
}

spins *spins_alloc(const tl_point *pt)
{
    char why[1024];
    int n = 0;
    if (check_couplings(pt, &n, why, sizeof why)) error("%s (it was valid when the input was checked)", why);
    double *w = tl_malloc((size_t)n * n * sizeof *w, "couplings"), *x = tl_malloc((size_t)n * sizeof *x, "input");
    const char *file = tl_point_string(pt, "coupling_matrix");
    if (file[0] != '\0') {
        if (read_rows("coupling_matrix", file, w, n, NULL, n, why, sizeof why) != n) error("%s", why);
    } else {
        int k = (int)tl_point_int(pt, "neighbours");
        double c[6 * 64 + 2];
        const char *bad;
        parse_numbers(tl_point_string(pt, "couplings"), c, spins_chain_n_couplings(k), &bad);
        spins_chain_matrix(n / 2, k, c, w);
    }
    if (load_input(pt, n, x, why, sizeof why)) error("%s", why);
    int initial = tl_point_choice(pt, "initial");
    if (tl_point_choice(pt, "task") != 0) {
        /* The optimisation waits for the first simulation (spins_ready). */
        spins *s = tl_calloc(1, sizeof *s, "spins");
        s->n = n;
        s->beta = tl_point_real(pt, "beta"), s->rate = tl_point_real(pt, "rate");
        s->time = tl_point_real(pt, "time"), s->transient = tl_point_real(pt, "transient");
        s->max_jumps = tl_point_int(pt, "max_jumps");
        s->chain_length = n / 2, s->neighbours = (int)tl_point_int(pt, "neighbours");
        s->pending = spins_task_prepare(pt, x);
        s->pending_x = x;
        s->pending_initial = initial == 0 || initial == 1;
        s->ep_rate_exact = s->task_mse = s->task_sigma = NAN;
        free(w);
        return s;
    }
    double task_mse = NAN, task_sigma = NAN, *theta = NULL;
    spins *s = spins_alloc_direct(n, w, x, tl_point_real(pt, "beta"), tl_point_real(pt, "rate"),
                                  tl_point_real(pt, "time"), tl_point_real(pt, "transient"),
                                  initial == 0 || initial == 1);
    if (file[0] == '\0') s->chain_length = n / 2, s->neighbours = (int)tl_point_int(pt, "neighbours");
    s->max_jumps = tl_point_int(pt, "max_jumps");
    s->task_mse = task_mse, s->task_sigma = task_sigma, s->task_theta = theta;
    free(w);
    free(x);
    return s;
}

void spins_ready(void *state)
{
    spins *s = state;
    if (!s->pending) return;
    double mse, sigma, *theta = spins_task_solve(s->pending, &mse, &sigma);
    int n = s->n;
    double *w = tl_malloc((size_t)n * n * sizeof *w, "couplings");
    spins_chain_matrix(s->chain_length, s->neighbours, theta, w);
    spins *full = spins_alloc_direct(n, w, s->pending_x, s->beta, s->rate, s->time, s->transient, s->pending_initial);
    full->chain_length = s->chain_length, full->neighbours = s->neighbours, full->max_jumps = s->max_jumps;
    full->task_mse = mse, full->task_sigma = sigma, full->task_theta = theta;
    spins_task_setup_free(s->pending);
    free(s->pending_x);
    *s = *full;
    free(full);
    free(w);
}

void spins_free(spins *s)
{
    if (!s) return;
    spins_task_setup_free(s->pending);
    free(s->pending_x);
    free(s->w), free(s->x), free(s->col_start), free(s->col), free(s->col_w), free(s->col_up), free(s->col_down);
    free(s->p), free(s->cdf), free(s->m_exact), free(s->task_theta);
    free(s);
}

/* ---- the model interface --------------------------------------------------------------------- */

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const steady[] = {"steady"};
    *names = steady;
    return 1;
}

static int extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    size_t n = (size_t)point_spins(pt);
    switch (e) {
    case X_M: case X_M_ERR: case X_M_EXACT: case X_X: dims[0] = n; return 1;
    case X_W: dims[0] = dims[1] = n; return 2;
    case X_TASK_THETA:
        dims[0] = tl_point_choice(pt, "task") != 0 ? (size_t)spins_chain_n_couplings((int)tl_point_int(pt, "neighbours")) : 1;
        return 1;
    default: return 0;
    }
}

static void *point_alloc(const tl_point *pt)
{
    return spins_alloc(pt);
}

static void point_free(void *state)
{
    spins_free(state);
}

static void simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                     double *const out[TL_MAX_OBSERVABLES])
{
    spins_ready(state);
    spins_simulate_batch(state, key, first, count, out, NULL);
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    spins_ready(state);
    const spins *s = state;
    int n = s->n;
    switch (e) {
    case X_M_EXACT:
        for (size_t i = 0; i < dims[0]; i++) out[i] = s->m_exact && (int)i < n ? s->m_exact[i] : NAN;
        break;
    case X_EP_EXACT: out[0] = s->ep_rate_exact; break;
    case X_W:
        for (size_t i = 0; i < dims[0] * dims[1]; i++) out[i] = NAN;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) out[i * dims[1] + j] = s->w[i * n + j];
        break;
    case X_X:
        for (size_t i = 0; i < dims[0]; i++) out[i] = (int)i < n ? s->x[i] : NAN;
        break;
    case X_TASK_MSE: out[0] = s->task_mse; break;
    case X_TASK_EP: out[0] = s->task_sigma; break;
    case X_TASK_THETA:
        for (size_t i = 0; i < dims[0]; i++)
            out[i] = s->task_theta && (int)i < spins_chain_n_couplings(s->neighbours) ? s->task_theta[i] : NAN;
        break;
    }
}

static double standard_error(const tl_moments *m)
{
    return sqrt(tl_moments_variance(m) / m->n);
}

/* Derived datasets from the moments of the one direction ("steady"). */
static void summarize(void *state, const tl_moments *m, size_t e, const size_t dims[TL_MAX_EXTRA_RANK],
                      double *out)
{
    const spins *s = state;
    /* a pending task state is not finished here: the exact state exists for n <= SPINS_MAX_EXACT */
    int exact = s->pending ? s->n <= SPINS_MAX_EXACT : s->p != NULL;
    switch (e) {
    case X_M: case X_M_ERR:
        for (size_t i = 0; i < dims[0]; i++) {
            const tl_moments *mi = &m[SPINS_OBS_FIXED + i];
            int ok = (int)i < s->n && i < SPINS_MAGNETIZATION_OBS;
            out[i] = !ok ? NAN : e == X_M ? mi->mean : standard_error(mi);
        }
        break;
    case X_EP: out[0] = m[1].mean; break;
    case X_EP_ERR: out[0] = standard_error(&m[1]); break;
    case X_IFT: out[0] = exact ? m[3].mean : NAN; break;
    case X_IFT_ERR: out[0] = exact ? standard_error(&m[3]) : NAN; break;
    }
}

const tl_model_type tl_model_spins = {
    .name = "spins",
    .description = "two chains of asymmetrically coupled spins in continuous time, Gillespie (Ingrosso & Panizon)",
    .params = spins_params,
    .n_params = N_PARAMS,
    .directions = directions,
    .observables = observables,
    .n_observables = N_OBS,
    .extras = extras,
    .n_extras = N_EXTRAS,
    .validate = spins_validate_point,
    .extra_shape = extra_shape,
    .point_alloc = point_alloc,
    .point_free = point_free,
    .simulate = simulate,
    .extra_fill = extra_fill,
    .summarize = summarize,
    .bench = spins_bench,
};
