/* Asymmetric spin networks: parameters, couplings, inputs and the model interface. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spins.h"
#include "thermolearn/error.h"
#include "thermolearn/numbers.h"
#include "thermolearn/status.h"

static const tl_param_spec spins_params[] = {
    {"chain_length", TL_PARAM_INT, "4", 1, SPINS_MAX_N / 2, 0, NULL, "1", "spins N per chain (2N in all)"},
    {"neighbours", TL_PARAM_INT, "2", 1, 64, 0, NULL, "1", "couplings reach the k-th neighbour, within and across chains"},
    {"couplings", TL_PARAM_STRING, "", 0, 0, 0, NULL, "",
     "the 6k+2 independent chain couplings (8k-2 at k = 2), order in docs/models/spins.md"},
    {"coupling_matrix", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "file of n rows of n numbers, W_ij in row i, used instead of the chains"},
    {"inputs", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "file of inputs x, one a line: N values (repeated on both chains) or one per spin; every trajectory runs each once; none: x = 0"},
    {"rate", TL_PARAM_REAL, "1", 1e-300, 1e300, 1, NULL, "1/time", "r0: spin i flips at rate r0 exp(-beta s_i h_i)"},
    {"time", TL_PARAM_REAL, "5000", 1e-300, 1e300, 1, NULL, "time", "T_max: end of every trajectory"},
    {"transient", TL_PARAM_REAL, "200", 0, 1e300, 0, NULL, "time", "time discarded before the measurement window"},
    {"max_jumps", TL_PARAM_INT, "0", 0, 4e9, 0, NULL, "1",
     "the window also ends at this many jumps after the transient (0: no limit)"},
    {"ift_time", TL_PARAM_REAL, "0", 0, 1e300, 0, NULL, "time",
     "length of the window start over which the ift profile takes Sigma_tot; 0: one over the exact entropy production rate, per input, at most the window (docs/models/spins.md)"},
    {"initial", TL_PARAM_CHOICE, "auto", 0, 0, 0, "auto|steady|random", "",
     "initial state: drawn from the exact steady state (n <= 14), or random spins; auto: steady when n <= 14"},
    {"task", TL_PARAM_CHOICE, "none", 0, 0, 0, "none|random", "",
     "random: optimise the chain couplings by SPSA on the random task (appendix B2) for L = G - alpha Sigma"},
    {"dataset", TL_PARAM_CHOICE, "none", 0, 0, 0, "none|mnist1d|file", "",
     "optimise the chain couplings by SPSA for L = G - alpha Sigma on a dataset's first `samples` rows: "
     "MNIST-1D generated in the engine (seed 42: the upstream file), or data_file (docs/models/spins.md)"},
    {"data_file", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "dataset = file: .h5 (x_train, y_train, and x_test, y_test if present), an IDX images file (with data_labels), "
     "or a text table (label in the last column)"},
    {"data_labels", TL_PARAM_FILE, "", 0, 0, 0, NULL, "", "dataset = file: the IDX labels file of data_file"},
    {"samples", TL_PARAM_INT, "0", 0, 1e6, 0, NULL, "1", "dataset: training points M, the first rows (0: all)"},
    {"test_samples", TL_PARAM_INT, "0", 0, 1e6, 0, NULL, "1", "dataset: test points, the first test rows (0: all)"},
    {"input_scale", TL_PARAM_REAL, "1", 0, 1e6, 0, NULL, "energy", "dataset: the field on spin (m, c) is input_scale x_m"},
    {"bias", TL_PARAM_INT, "0", 0, 1, 0, NULL, "1",
     "task, readout = cross_entropy: 1 gives the readout a bias per class (logits W_out m + b)"},
    {"symmetric", TL_PARAM_INT, "0", 0, 1, 0, NULL, "1",
     "task: 1 keeps the couplings symmetric (W = W^T, equilibrium) through SPSA: the alpha -> infinity end"},
    {"task_max_jumps", TL_PARAM_INT, "0", 0, 4e9, 0, NULL, "1",
     "task: each input's trajectory also ends this many jumps after task_transient (0: no limit)"},
    {"readout", TL_PARAM_CHOICE, "mse", 0, 0, 0, "mse|cross_entropy", "",
     "task: G = -MSE of a least-squares readout (targets +-1), or G = -cross-entropy of a multinomial logistic readout"},
    {"patterns", TL_PARAM_INT, "100", 1, 1e6, 0, NULL, "1", "task: input patterns M"},
    {"classes", TL_PARAM_INT, "2", 2, 1e4, 0, NULL, "1",
     "task: labels K, uniform in 0..K-1 (readout = mse: 2, targets -1 and +1)"},
    {"ridge", TL_PARAM_REAL, "1e-3", 0, 1e6, 0, NULL, "1",
     "task, readout = cross_entropy: the readout minimises the mean cross-entropy + ridge/2 |W_out|^2"},
    {"task_seed", TL_PARAM_INT, "1", 0, 4294967295.0, 0, NULL, "1", "task: seed of the random patterns and labels"},
    {"alpha", TL_PARAM_REAL, "0", 0, 1e300, 0, NULL, "time", "task: the trade-off alpha of eq. 2"},
    {"init_seed", TL_PARAM_INT, "1", 0, 4294967295.0, 0, NULL, "1",
     "task: seed of the initial couplings and of the SPSA streams (several per alpha: a grid axis)"},
    {"init_scale", TL_PARAM_REAL, "0.1", 0, 1e3, 0, NULL, "energy", "task: initial couplings uniform in +-init_scale/2 (without couplings)"},
    {"spsa_steps", TL_PARAM_INT, "200", 0, 1e7, 0, NULL, "1", "task: SPSA steps"},
    {"spsa_steps_per_unit", TL_PARAM_INT, "5", 1, 1e7, 0, NULL, "1",
     "task: SPSA steps in one unit of work of the optimisation (a checkpoint and a stop can come between units); "
     "results do not depend on it"},
    {"spsa_a", TL_PARAM_REAL, "2", 0, 1e6, 0, NULL, "1", "task: SPSA step gain a, a_t = a / (t + 1 + steps/10)^0.602"},
    {"spsa_c", TL_PARAM_REAL, "0.2", 1e-12, 1e3, 1, NULL, "energy", "task: SPSA perturbation c, c_t = c / (t + 1)^0.101"},
    {"spsa_max_step", TL_PARAM_REAL, "0.2", 1e-12, 1e3, 1, NULL, "energy", "task: largest change of one coupling per step"},
    {"task_time", TL_PARAM_REAL, "100", 1e-300, 1e300, 1, NULL, "time", "task: T_max of the trajectory of each input"},
    {"task_transient", TL_PARAM_REAL, "10", 0, 1e300, 0, NULL, "time", "task: transient of the trajectory of each input"},
};
#define N_PARAMS (sizeof spins_params / sizeof spins_params[0])

static const tl_observable observables[] = {
    {"entropy_production", "1",
     "medium entropy production sum ln k(s->s')/k(s'->s) over the jumps of the measurement window, summed over the inputs (k_B = 1)"},
    {"entropy_production_rate", "1/time",
     "mean over the inputs of the entropy production over the window divided by its length (Sigma of eq. 2)"},
    {"entropy_production_total", "1",
     "sum over the inputs of entropy_production + ln p_ss(s_start) - ln p_ss(s_end), with each input's exact steady state (0 if n > 14)"},
    {"ift_weight", "1", "exp(-entropy_production_total): its mean is 1 in the steady state (0 if n > 14)"},
};
#define N_OBS (sizeof observables / sizeof observables[0])
_Static_assert(N_OBS == SPINS_N_OBS, "observable table");

static const tl_profile profiles[] = {
    {"magnetization", "1", "time average of s_i over the measurement window [point, input, spin]"},
    {"entropy_production_rate", "1/time",
     "entropy production rate over the measurement window, per input [point, input]"},
    {"ift", "1",
     "the integral fluctuation theorem's weight exp(-Sigma_tot), bounded with the detailed theorem: "
     "1{S >= 0} exp(-S) + 1{S > 0} (same mean, values in [0, 2]), Sigma_tot over the first ift_window of the "
     "measurement window, per input; its mean is 1 in the steady state (NaN if n > 14) [point, input]"},
};
_Static_assert(sizeof profiles / sizeof profiles[0] == SPINS_N_PROFILES, "profile table");
_Static_assert(SPINS_N_PROFILES <= TL_MAX_PROFILES, "raise TL_MAX_PROFILES");

enum {
    X_M_EXACT, X_EP_EXACT, X_IFT_EXACT, X_IFT_MAX_WEIGHT, X_IFT_WINDOW, X_W, X_X, X_TASK_MSE, X_TASK_EP, X_TASK_THETA,
    X_TASK_CE, X_TASK_ACCURACY, X_TASK_TEST_CE, X_TASK_TEST_ACCURACY, N_EXTRAS
};
static const tl_extra extras[] = {
    {"magnetization_exact", TL_EXTRA_F64, "1",
     "<s_i> in the exact steady state of the master equation [point, input, spin] (NaN if n > 14)", 0},
    {"entropy_production_rate_exact", TL_EXTRA_F64, "1/time",
     "Schnakenberg entropy production rate (eq. 1) of the exact steady state [point, input] (NaN if n > 14)", 0},
    {"ift_exact", TL_EXTRA_F64, "1",
     "<exp(-Sigma_tot)> from a steady start: 1 by the integral fluctuation theorem [point, input]; NaN if n > 14", 0},
    {"ift_max_weight", TL_EXTRA_F64, "1",
     "the largest exp(-Sigma_tot) of one jump, J(b'->b)/J(b->b') over the steady fluxes [point, input] (NaN if n > 14)", 0},
    {"ift_window", TL_EXTRA_F64, "time",
     "the window start [transient, transient + ift_window] of the ift profile (shorter if max_jumps ends the "
     "window first) [point, input] (NaN if n > 14)", 0},
    {"couplings", TL_EXTRA_F64, "energy", "the coupling matrix W_ij [point, i, j]; h = W s + x", 0},
    {"input", TL_EXTRA_F64, "energy", "the input fields x_i [point, input, spin]", 0},
    {"task_mse", TL_EXTRA_F64, "1",
     "task = random, readout = mse: mean squared error of the least-squares readout at the SPSA optimum, on fresh streams (NaN otherwise) [point]", 0},
    {"task_entropy_production_rate", TL_EXTRA_F64, "1/time",
     "task = random: entropy production rate at the optimum, mean over the patterns (NaN without a task) [point]", 0},
    {"task_couplings", TL_EXTRA_F64, "energy",
     "task = random: the optimal 6k+2 chain couplings (NaN without a task) [point, coupling]", 0},
    {"task_cross_entropy", TL_EXTRA_F64, "1",
     "task = random, readout = cross_entropy: mean cross-entropy (nats) of the logistic readout at the SPSA optimum, on fresh streams (NaN otherwise) [point]", 0},
    {"task_accuracy", TL_EXTRA_F64, "1",
     "task = random: fraction of patterns whose predicted class is the label at the optimum (mse: sign of the readout; cross_entropy: most probable class) (NaN without a task) [point]", 0},
    {"task_test_cross_entropy", TL_EXTRA_F64, "1",
     "dataset with test rows, readout = cross_entropy: mean cross-entropy (nats) on the test points of the readout fitted on the training points, at the optimum, on fresh streams (NaN otherwise) [point]", 0},
    {"task_test_accuracy", TL_EXTRA_F64, "1",
     "dataset with test rows: fraction of test points whose predicted class is the label, readout fitted on the training points, at the optimum (NaN otherwise) [point]", 0},
};
_Static_assert(sizeof extras / sizeof extras[0] == N_EXTRAS, "extras table");

int spins_chain_n_couplings(int k)
{
    return 6 * k + 2;
}

/* ---- couplings ------------------------------------------------------------------------- */

int spins_chain_partner(int k, int i)
{
    if (i < 2 * k) return 2 * k - 1 - i;  /* same chain: d <-> -d */
    return 8 * k + 1 - i;                 /* chain 1 <- 0 at d <-> chain 0 <- 1 at -d */
}

void spins_chain_symmetrise(int k, double *c)
{
    for (int i = 0; i < spins_chain_n_couplings(k); i++) {
        int j = spins_chain_partner(k, i);
        if (j > i) c[i] = c[j] = 0.5 * (c[i] + c[j]);
    }
}

/* The value of W_ij for spins i = (mi, ci), j = (mj, cj), |mi - mj| <= k: see docs/models/spins.md. */
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
/* Rows of a file, remembered: shapes are asked for at every unit of work. */
static int file_rows(const char *key, const char *file, int max_rows)
{
    static struct {
        char key[32], file[4096];
        int rows;
    } cache[2];
    int c = strcmp(key, "inputs") == 0;
    if (strcmp(cache[c].file, file) != 0 || strcmp(cache[c].key, key) != 0) {
        char why[512];
        cache[c].rows = tl_numbers_read_rows(key, file, NULL, 0, NULL, max_rows, why, sizeof why);
        snprintf(cache[c].key, sizeof cache[c].key, "%s", key);
        snprintf(cache[c].file, sizeof cache[c].file, "%s", file);
    }
    return cache[c].rows > 0 ? cache[c].rows : 1;
}

static int point_spins(const tl_point *pt)
{
    const char *file = tl_point_string(pt, "coupling_matrix");
    if (file[0] == '\0') return 2 * (int)tl_point_int(pt, "chain_length");
    return file_rows("coupling_matrix", file, SPINS_MAX_N);
}

/* Inputs of a point: the task's patterns, the rows of the inputs file, or one x = 0. */
static int point_inputs(const tl_point *pt)
{
    if (spins_point_task(pt) == 1) return (int)tl_point_int(pt, "patterns");
    if (spins_point_task(pt) == 2) {
        const spins_data *d;
        char why[512];
        return spins_data_get(pt, &d, why, sizeof why) ? 1 : (int)spins_data_train_rows(pt, d);
    }
    const char *file = tl_point_string(pt, "inputs");
    return file[0] == '\0' ? 1 : file_rows("inputs", file, SPINS_MAX_INPUTS);
}

static int check_matrix(const char *file, int *n_out, char *why, size_t len)
{
    int *counts = tl_malloc(SPINS_MAX_N * sizeof *counts, "row counts");
    int rows = tl_numbers_read_rows("coupling_matrix", file, NULL, 0, counts, SPINS_MAX_N, why, len), status = TL_OK;
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
    int task = spins_point_task(pt) != 0;
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
    int count = tl_numbers_parse(text, NULL, 0, &bad);
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

/* Check the inputs file; with x, fill every input [rows][n] (a row of N
 * values repeated on both chains), which must be `cap` rows.  Without a
 * file, one input x = 0. */
static int load_inputs(const tl_point *pt, int n, double *x, int cap, char *why, size_t len)
{
    const char *file = tl_point_string(pt, "inputs");
    if (file[0] == '\0') {
        if (x) memset(x, 0, (size_t)n * sizeof *x);
        return TL_OK;
    }
    int chains = tl_point_string(pt, "coupling_matrix")[0] == '\0';
    int rows = tl_numbers_read_rows("inputs", file, NULL, 0, NULL, SPINS_MAX_INPUTS, why, len);
    if (rows == 0) snprintf(why, len, "inputs: '%s' has no rows of numbers", file);
    if (rows <= 0) return TL_ERR_INPUT;
    if (x && rows != cap) {
        snprintf(why, len, "inputs: '%s' changed while it was read (%d rows, then %d)", file, cap, rows);
        return TL_ERR_INPUT;
    }
    int *counts = tl_malloc((size_t)rows * sizeof *counts, "input counts"), status = TL_OK;
    if (tl_numbers_read_rows("inputs", file, x, n, counts, rows, why, len) != rows) {
        snprintf(why, len, "inputs: '%s' changed while it was read", file);
        status = TL_ERR_INPUT;
    }
    for (int r = 0; status == TL_OK && r < rows; r++) {
        if (counts[r] != n && !(chains && counts[r] == n / 2)) {
            snprintf(why, len, "inputs: '%s': input %d has %d values, expected %d%s", file, r + 1, counts[r], n,
                     chains ? " or N (repeated on both chains)" : "");
            status = TL_ERR_INPUT;
        } else if (x && counts[r] != n) {
            for (int i = n / 2; i < n; i++) x[(size_t)r * n + i] = x[(size_t)r * n + i - n / 2];
        }
    }
    free(counts);
    return status;
}

/* Keys that belong to a task, to the random task, or to a dataset, given without it. */
static int check_task_keys(const tl_point *pt, char *why, size_t len)
{
    static const char *const task_keys[] = {"readout", "classes", "ridge", "alpha", "init_seed", "init_scale",
                                            "spsa_steps", "spsa_a", "spsa_c", "spsa_max_step", "task_time",
                                            "task_transient", "bias", "symmetric", "task_max_jumps",
                                            "spsa_steps_per_unit"};
    static const char *const random_keys[] = {"patterns", "task_seed"};
    static const char *const data_keys[] = {"data_file", "data_labels", "samples", "test_samples", "input_scale"};
    int task = spins_point_task(pt);
    for (size_t k = 0; task == 0 && k < sizeof task_keys / sizeof task_keys[0]; k++)
        if (tl_point_given(pt, task_keys[k])) {
            snprintf(why, len, "%s belongs to task = random or a dataset", task_keys[k]);
            return TL_ERR_INPUT;
        }
    for (size_t k = 0; task != 1 && k < sizeof random_keys / sizeof random_keys[0]; k++)
        if (tl_point_given(pt, random_keys[k])) {
            snprintf(why, len, "%s belongs to task = random", random_keys[k]);
            return TL_ERR_INPUT;
        }
    for (size_t k = 0; task != 2 && k < sizeof data_keys / sizeof data_keys[0]; k++)
        if (tl_point_given(pt, data_keys[k])) {
            snprintf(why, len, "%s belongs to dataset = mnist1d or file", data_keys[k]);
            return TL_ERR_INPUT;
        }
    if (tl_point_choice(pt, "dataset") == 1 && (tl_point_given(pt, "data_file") || tl_point_given(pt, "data_labels"))) {
        snprintf(why, len, "data_file belongs to dataset = file (dataset = mnist1d is generated)");
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

int spins_validate_point(const tl_point *pt, char *why, size_t len)
{
    int n = 0;
    if (check_couplings(pt, &n, why, len)) return TL_ERR_INPUT;
    if (tl_point_choice(pt, "task") != 0 && tl_point_choice(pt, "dataset") != 0) {
        snprintf(why, len, "dataset: task = random draws its own data; leave task out with a dataset");
        return TL_ERR_INPUT;
    }
    if (spins_point_task(pt) != 0 && tl_point_string(pt, "inputs")[0] != '\0') {
        snprintf(why, len, spins_point_task(pt) == 1 ? "inputs: task = random makes its own inputs (patterns, task_seed)"
                                                     : "inputs: the dataset gives the inputs (dataset, samples)");
        return TL_ERR_INPUT;
    }
    if (check_task_keys(pt, why, len)) return TL_ERR_INPUT;
    if (spins_point_task(pt) == 2 && spins_data_validate(pt, why, len)) return TL_ERR_INPUT;
    if (load_inputs(pt, n, NULL, 0, why, len)) return TL_ERR_INPUT;
    if (n < 1 || n > SPINS_MAX_N) {
        snprintf(why, len, "%d spins: at most %d", n, SPINS_MAX_N);
        return TL_ERR_INPUT;
    }
    if (spins_point_task(pt) != 0) {
        if (spins_point_task(pt) == 1 && tl_point_choice(pt, "readout") == 0 && tl_point_int(pt, "classes") != 2) {
            snprintf(why, len, "classes = %lld: readout = mse fits targets -1, +1 (2 classes); use readout = cross_entropy",
                     (long long)tl_point_int(pt, "classes"));
            return TL_ERR_INPUT;
        }
        if (tl_point_choice(pt, "readout") == 0 && tl_point_given(pt, "ridge")) {
            snprintf(why, len, "ridge belongs to readout = cross_entropy");
            return TL_ERR_INPUT;
        }
        if (tl_point_choice(pt, "readout") == 0 && tl_point_given(pt, "bias")) {
            snprintf(why, len, "bias belongs to readout = cross_entropy");
            return TL_ERR_INPUT;
        }
        if (spins_point_task(pt) == 1 && tl_point_choice(pt, "readout") == 0 && tl_point_int(pt, "patterns") < n) {
            /* fewer equations than readout weights: any labels are fitted exactly */
            snprintf(why, len, "patterns = %lld: the least-squares readout of %d spins needs at least %d patterns",
                     (long long)tl_point_int(pt, "patterns"), n, n);
            return TL_ERR_INPUT;
        }
        if (tl_point_real(pt, "task_transient") >= tl_point_real(pt, "task_time")) {
            snprintf(why, len, "task_transient = %g must be shorter than task_time = %g",
                     tl_point_real(pt, "task_transient"), tl_point_real(pt, "task_time"));
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
    s->col_factor = tl_malloc((size_t)(2 * nnz + 2) * sizeof *s->col_factor, "columns");
    nnz = 0;
    for (int j = 0; j < n; j++) {
        s->col_start[j] = nnz;
        for (int i = 0; i < n; i++)
            if (s->w[i * n + j] != 0) {
                double wij = s->w[i * n + j];
                s->col[nnz] = i, s->col_w[nnz] = wij;
                s->col_factor[2 * nnz] = exp(-2 * s->beta * wij), s->col_factor[2 * nnz + 1] = exp(2 * s->beta * wij);
                nnz++;
            }
    }
    s->col_start[n] = nnz;
}

/* A system's parameters, without couplings or input. */
static spins *system_new(int n, double beta, double rate, double time, double transient)
{
    spins *s = tl_calloc(1, sizeof *s, "spins");
    s->n = n;
    s->beta = beta, s->rate = rate, s->time = time, s->transient = transient;
    s->n_inputs = 1;
    s->ep_rate_exact = s->ift_growth = s->ift_max_weight = s->task_mse = s->task_sigma = NAN;
    s->task_cross_entropy = s->task_accuracy = s->task_test_cross_entropy = s->task_test_accuracy = NAN;
    return s;
}

/* The input field of a system, and its exact steady state. */
static void system_input(spins *s, const double *x, int exact, int initial_steady)
{
    s->x = tl_malloc((size_t)s->n * sizeof *s->x, "inputs");
    memcpy(s->x, x, (size_t)s->n * sizeof *s->x);
    if (exact && s->n <= SPINS_MAX_EXACT) spins_exact(s);
    s->initial_steady = initial_steady && s->p;
}

spins *spins_alloc_direct(int n, const double *w, const double *x, double beta, double rate, double time,
                          double transient, int initial_steady)
{
    return spins_alloc_system(n, w, x, beta, rate, time, transient, n <= SPINS_MAX_EXACT, initial_steady);
}

spins *spins_alloc_system(int n, const double *w, const double *x, double beta, double rate, double time,
                          double transient, int exact, int initial_steady)
{
    return spins_alloc_inputs(n, w, 1, x, beta, rate, time, transient, exact, initial_steady);
}

spins *spins_alloc_inputs(int n, const double *w, int n_inputs, const double *x, double beta, double rate,
                          double time, double transient, int exact, int initial_steady)
{
    spins *s = system_new(n, beta, rate, time, transient);
    s->w = tl_malloc((size_t)n * n * sizeof *s->w, "couplings");
    memcpy(s->w, w, (size_t)n * n * sizeof *s->w);
    build_columns(s);
    system_input(s, x, exact, initial_steady);
    s->n_inputs = n_inputs;
    s->others = tl_calloc((size_t)n_inputs, sizeof *s->others, "inputs");
    for (int mu = 1; mu < n_inputs; mu++) {
        spins *o = s->others[mu - 1] = system_new(n, beta, rate, time, transient);
        o->shared = 1, o->input = mu;
        o->w = s->w, o->col_start = s->col_start, o->col = s->col, o->col_w = s->col_w;
        o->col_factor = s->col_factor;
        system_input(o, x + (size_t)mu * n, exact, initial_steady);
    }
    return s;
}

spins *spins_input(const spins *s, int mu)
{
    return mu == 0 ? (spins *)s : s->others[mu - 1];
}

void spins_set_window(spins *s, int64_t max_jumps, double ift_time)
{
    for (int mu = 0; mu < s->n_inputs; mu++) {
        spins *x = spins_input(s, mu);
        x->max_jumps = max_jumps, x->ift_time = ift_time;
    }
}

double spins_ift_window(const spins *s)
{
    if (!s->p) return NAN;
    double window = s->time - s->transient;
    /* one unit of entropy on average: Sigma_tot of either sign is common (power
     * against a wrong Sigma_tot) and every trajectory has jumps to count */
    double t = s->ift_time > 0 ? s->ift_time : s->ep_rate_exact > 0 ? 1.0 / s->ep_rate_exact : window;
    return fmin(t, window);
}

spins *spins_alloc(const tl_point *pt)
{
    char why[1024];
    int n = 0, M = point_inputs(pt);
    if (check_couplings(pt, &n, why, sizeof why)) error("%s (it was valid when the input was checked)", why);
    double *w = tl_malloc((size_t)n * n * sizeof *w, "couplings");
    double *x = tl_malloc((size_t)M * n * sizeof *x, "inputs");
    const char *file = tl_point_string(pt, "coupling_matrix");
    if (file[0] != '\0') {
        if (tl_numbers_read_rows("coupling_matrix", file, w, n, NULL, n, why, sizeof why) != n) error("%s", why);
    } else {
        int k = (int)tl_point_int(pt, "neighbours");
        double c[6 * 64 + 2];
        const char *bad;
        tl_numbers_parse(tl_point_string(pt, "couplings"), c, spins_chain_n_couplings(k), &bad);
        spins_chain_matrix(n / 2, k, c, w);
    }
    int initial = tl_point_choice(pt, "initial"), steady = initial == 0 || initial == 1;
    double beta = tl_point_real(pt, "beta"), rate = tl_point_real(pt, "rate");
    double time = tl_point_real(pt, "time"), transient = tl_point_real(pt, "transient");
    int64_t max_jumps = tl_point_int(pt, "max_jumps");
    double ift_time = tl_point_real(pt, "ift_time");
    spins *s;
    if (spins_point_task(pt) != 0) {
        /* The optimisation is the point's preparation (spins_prepare, the
         * engine's point_prepare); the task's patterns are the inputs. */
        s = system_new(n, beta, rate, time, transient);
        s->n_inputs = M;
        s->pending = spins_task_prepare(pt, x);
        s->pending_x = x;
        s->pending_initial = steady;
        s->max_jumps = max_jumps, s->ift_time = ift_time;
    } else {
        if (load_inputs(pt, n, x, M, why, sizeof why)) error("%s", why);
        s = spins_alloc_inputs(n, w, M, x, beta, rate, time, transient, 1, steady);
        spins_set_window(s, max_jumps, ift_time);
        free(x);
    }
    if (file[0] == '\0') s->chain_length = n / 2, s->neighbours = (int)tl_point_int(pt, "neighbours");
    free(w);
    return s;
}

/* A state from spins_alloc with a task becomes the system at the optimum theta (taken) with its score. */
static void at_optimum(spins *s, double *theta, const spins_task_score score)
{
    int n = s->n;
    double *w = tl_malloc((size_t)n * n * sizeof *w, "couplings");
    spins_chain_matrix(s->chain_length, s->neighbours, theta, w);
    spins *full = spins_alloc_inputs(n, w, s->n_inputs, s->pending_x, s->beta, s->rate, s->time, s->transient, 1,
                                     s->pending_initial);
    spins_set_window(full, s->max_jumps, s->ift_time);
    full->chain_length = s->chain_length, full->neighbours = s->neighbours;
    full->task_mse = score.mse, full->task_sigma = score.sigma, full->task_theta = theta;
    full->task_cross_entropy = score.cross_entropy, full->task_accuracy = score.accuracy;
    full->task_test_cross_entropy = score.test_cross_entropy, full->task_test_accuracy = score.test_accuracy;
    spins_task_setup_free(s->pending);
    free(s->pending_x);
    *s = *full;
    free(full);
    free(w);
}

void spins_prepare(void *state)
{
    spins *s = state;
    if (!s->pending) return;
    spins_task_score score;
    double *theta = spins_task_solve(s->pending, &score);
    at_optimum(s, theta, score);
}

void spins_prepare_stage(void *state, size_t stage, double *blob)
{
    const spins *s = state;
    if (!s->pending) error("spins: a preparation stage on a point without a task");
    spins_task_stage(s->pending, stage, blob);
}

void spins_prepare_finish(void *state, const double *blob)
{
    spins *s = state;
    if (!s->pending) error("spins: prepare_finish on a point without a task");
    spins_task_score score;
    double *theta = spins_task_result(s->neighbours, blob, &score);
    at_optimum(s, theta, score);
}

void spins_free(spins *s)
{
    if (!s) return;
    for (int mu = 1; s->others && mu < s->n_inputs; mu++) spins_free(s->others[mu - 1]);
    free(s->others);
    spins_task_setup_free(s->pending);
    free(s->pending_x);
    if (!s->shared)
        free(s->w), free(s->col_start), free(s->col), free(s->col_w), free(s->col_factor);
    free(s->x), free(s->p), free(s->cdf), free(s->m_exact), free(s->task_theta);
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
    size_t n = (size_t)point_spins(pt), M = (size_t)point_inputs(pt);
    switch (e) {
    case X_M_EXACT: case X_X: dims[0] = M, dims[1] = n; return 2;
    case X_EP_EXACT: case X_IFT_EXACT: case X_IFT_MAX_WEIGHT: case X_IFT_WINDOW: dims[0] = M; return 1;
    case X_W: dims[0] = dims[1] = n; return 2;
    case X_TASK_THETA:
        dims[0] = spins_point_task(pt) != 0 ? (size_t)spins_chain_n_couplings((int)tl_point_int(pt, "neighbours")) : 1;
        return 1;
    default: return 0;
    }
}

static int profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    dims[0] = (size_t)point_inputs(pt);
    if (v != SPINS_PROFILE_M) return 1;
    dims[1] = (size_t)point_spins(pt);
    return 2;
}

/* The observables and profiles, without the jump counts. */
static void spins_simulate(const spins *s, const tl_stream_key *key, uint64_t first, size_t count,
                           double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    spins_simulate_batch(s, key, first, count, out, profile, NULL);
}

TL_MODEL_STATE(spins, spins_alloc, spins_free, spins_simulate)

/* A value of input mu of this point, NaN beyond its inputs (padding to the grid's largest shape). */
static double per_input(const spins *s, size_t mu, size_t e)
{
    if ((int)mu >= s->n_inputs) return NAN;
    const spins *x = spins_input(s, (int)mu);
    switch (e) {
    case X_EP_EXACT: return x->ep_rate_exact;
    case X_IFT_EXACT: return x->p ? 1.0 : NAN;
    case X_IFT_MAX_WEIGHT: return x->ift_max_weight;
    default: return spins_ift_window(x);
    }
}

/* A value of spin i under input mu, NaN beyond this point's shape. */
static double per_spin(const spins *s, size_t mu, size_t i, size_t e)
{
    if ((int)mu >= s->n_inputs || (int)i >= s->n) return NAN;
    const spins *x = spins_input(s, (int)mu);
    if (e == X_X) return x->x[i];
    return x->m_exact ? x->m_exact[i] : NAN;
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const spins *s = state;
    int n = s->n;
    switch (e) {
    case X_M_EXACT: case X_X:
        for (size_t mu = 0; mu < dims[0]; mu++)
            for (size_t i = 0; i < dims[1]; i++) out[mu * dims[1] + i] = per_spin(s, mu, i, e);
        break;
    case X_EP_EXACT: case X_IFT_EXACT: case X_IFT_MAX_WEIGHT: case X_IFT_WINDOW:
        for (size_t mu = 0; mu < dims[0]; mu++) out[mu] = per_input(s, mu, e);
        break;
    case X_W:
        for (size_t i = 0; i < dims[0] * dims[1]; i++) out[i] = NAN;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) out[i * dims[1] + j] = s->w[i * n + j];
        break;
    case X_TASK_MSE: out[0] = s->task_mse; break;
    case X_TASK_EP: out[0] = s->task_sigma; break;
    case X_TASK_CE: out[0] = s->task_cross_entropy; break;
    case X_TASK_ACCURACY: out[0] = s->task_accuracy; break;
    case X_TASK_TEST_CE: out[0] = s->task_test_cross_entropy; break;
    case X_TASK_TEST_ACCURACY: out[0] = s->task_test_accuracy; break;
    case X_TASK_THETA:
        for (size_t i = 0; i < dims[0]; i++)
            out[i] = s->task_theta && (int)i < spins_chain_n_couplings(s->neighbours) ? s->task_theta[i] : NAN;
        break;
    }
}

/* Simulated steady-state averages against the exact master equation (NaN,
 * not verified, beyond n = 14). */
static size_t check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec triples[] = {
        {TL_CHECK_TRIPLE, .estimate = "entropy_production_rate"},
        {TL_CHECK_TRIPLE, .estimate = "ift"},
        {TL_CHECK_TRIPLE, .estimate = "magnetization"},
    };
    *checks = triples;
    return sizeof triples / sizeof triples[0];
}

static const tl_model_checks checks = {check_list, NULL, NULL};

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
    .profiles = profiles,
    .n_profiles = SPINS_N_PROFILES,
    .validate = spins_validate_point,
    .extra_shape = extra_shape,
    .profile_shape = profile_shape,
    .point_alloc = point_alloc,
    .point_free = point_free,
    .simulate = simulate,
    .extra_fill = extra_fill,
    .bench = spins_bench,
    .checks = &checks,
    .point_prepare = spins_prepare,
    .prepare_stages = spins_task_stages,
    .prepare_size = spins_task_blob_size,
    .prepare_stage = spins_prepare_stage,
    .prepare_finish = spins_prepare_finish,
    .prepare_key = spins_task_key,
};
