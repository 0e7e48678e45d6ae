/* The vanchurin model: parameters, the point state, and the model interface.
 * The physics is in net.c, train.c, bulk.c, spectrum.c and measure.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vanchurin.h"
#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

static const tl_param_spec params[] = {
    {"architectures", TL_PARAM_LIST, "40-20, 60", 0, 0, 0, NULL, "",
     "comma list of hidden-width lists, e.g. '40-20, 60' (deep 40-20 and shallow 60); 'none' = no hidden layer"},
    {"architecture", TL_PARAM_INT, "0", 0, 1e6, 0, NULL, "1", "index into architectures, from 0 (a grid axis)",
     "architectures"},
    {"dataset", TL_PARAM_CHOICE, "fashion_mnist", 0, 0, 0, "fashion_mnist|synthetic", "",
     "fashion_mnist: the IDX files below (Debian's dataset-fashion-mnist; MNIST is not packaged); "
     "synthetic: prototype blobs drawn from task_seed; the same data for every trajectory"},
    {"train_images", TL_PARAM_FILE, "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", 0, 0, 0, NULL, "",
     "fashion_mnist: IDX images (28 x 28, raw or gzip); the first train_samples are used"},
    {"train_labels", TL_PARAM_FILE, "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz", 0, 0, 0, NULL, "",
     "fashion_mnist: IDX labels 0..9 of train_images"},
    {"test_images", TL_PARAM_FILE, "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 0, 0, 0, NULL, "",
     "fashion_mnist: IDX test images; the first test_samples are used"},
    {"test_labels", TL_PARAM_FILE, "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", 0, 0, 0, NULL, "",
     "fashion_mnist: IDX labels of test_images"},
    {"resolution", TL_PARAM_INT, "14", 1, 28, 0, NULL, "pixels",
     "fashion_mnist: images block-averaged from 28 x 28 to resolution x resolution (a divisor of 28); n_0 = resolution^2"},
    {"synthetic_inputs", TL_PARAM_INT, "64", 1, VANCHURIN_MAX_WIDTH, 0, NULL, "1", "synthetic: input neurons n_0"},
    {"synthetic_classes", TL_PARAM_INT, "10", 2, VANCHURIN_MAX_WIDTH, 0, NULL, "1", "synthetic: classes = output neurons"},
    {"synthetic_noise", TL_PARAM_REAL, "0.5", 0, 10, 0, NULL, "1",
     "synthetic: x = clip(prototype + noise xi, 0, 1), xi standard normal"},
    {"task_seed", TL_PARAM_INT, "1", 0, 4294967295.0, 0, NULL, "1", "synthetic: seed of the prototypes and samples"},
    {"train_samples", TL_PARAM_INT, "2000", 1, 1e6, 0, NULL, "1",
     "training samples, the first of the file (one epoch is one pass over them)"},
    {"test_samples", TL_PARAM_INT, "2000", 1, 1e6, 0, NULL, "1",
     "test samples, the first of the test file (synthetic: drawn after the training samples)"},
    {"targets", TL_PARAM_CHOICE, "plus_minus", 0, 0, 0, "plus_minus|zero_one", "",
     "target of output c: 1 for the class, -1 (plus_minus) or 0 (zero_one) otherwise"},
    {"init", TL_PARAM_CHOICE, "glorot_uniform", 0, 0, 0, "glorot_uniform|normal", "",
     "initial weights: U(+-sqrt(6/(n_in+n_out))) or N(0, 1/n_in); biases 0"},
    {"weights_file", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "initial weights and biases from a text file instead of init: per layer l, n_l rows of n_{l-1} weights, "
     "then a row of n_l biases ('#' comments); with epochs = 0 it analyses a given network"},
    {"init_scale", TL_PARAM_REAL, "1", 0, 1e3, 1, NULL, "1", "factor on the initial weights"},
    {"learning_rate", TL_PARAM_REAL, "0.05", 0, 1e3, 1, NULL, "1", "SGD step eta"},
    {"batch_size", TL_PARAM_INT, "20", 1, 1e6, 0, NULL, "1", "mini-batch size (a short last batch is kept)"},
    {"epochs", TL_PARAM_INT, "300", 0, 1e8, 0, NULL, "epochs", "passes over the training samples"},
    {"checkpoints", TL_PARAM_STRING, "log:10", 0, 0, 0, NULL, "epochs",
     "epochs at which to measure: log:FIRST:LAST:COUNT, log:COUNT (1 .. epochs) or a comma list; 0 and epochs always"},
    {"bulk_samples", TL_PARAM_INT, "0", 0, 1e6, 0, NULL, "1",
     "training samples for the bulk loss and for fprime_at = per_sample or bulk (the first ones); 0 = all (the "
     "per-sample bulk loss is heavy-tailed)"},
    {"bulk_max_iterations", TL_PARAM_INT, "100", 1, 1e6, 0, NULL, "1", "Levenberg-Marquardt iterations per sample, at most"},
    {"bulk_tolerance", TL_PARAM_REAL, "1e-10", 0, 1, 1, NULL, "1",
     "xtol, gtol and ftol of gsl_multifit_nlinear_driver"},
    {"fprime_at", TL_PARAM_CHOICE, "mean_state", 0, 0, 0, "mean_state|mean_derivative|unit|per_sample|bulk", "",
     "f' of G (5.4): sech^2 at the mean forward state over the training samples, the mean of sech^2 over them, 1 "
     "(linear), sech^2 at each bulk sample's forward state with the spectral measurements averaged over those "
     "samples, or sech^2 at the mean over the bulk samples of the bulk-minimised state (3.2), the <x> of 4.2 and 5.3"},
    {"complexity_n", TL_PARAM_INT, "20", 1, 1e6, 0, NULL, "1", "n of C_n and C_{N-n} (10.5)"},
    {"betas", TL_PARAM_REAL_LIST, "0.25, 0.5, 0.73, 1, 1.5", 0, 1e300, 1, NULL, "1/loss",
     "the paper's beta (a Lagrange multiplier, not a training parameter) for F, U, -Delta F, N_>, C(beta)"},
    {"large_factor", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "1", "N_> = #{lambda > large_factor / beta} (6.6)"},
    {"gap_gamma", TL_PARAM_REAL, "0.3333333333333333", 0, 1, 1, NULL, "1",
     "gamma of eq. 9.3 used to turn the gap into beta_gap"},
    {"log_lambda_bins", TL_PARAM_INT, "64", 1, 100000, 0, NULL, "1", "bins of the log lambda histogram"},
    {"log_lambda_min", TL_PARAM_REAL, "-8", -1e3, 1e3, 0, NULL, "1", "lower edge of the log lambda histogram"},
    {"log_lambda_max", TL_PARAM_REAL, "8", -1e3, 1e3, 0, NULL, "1", "upper edge of the log lambda histogram"},
};
#define N_PARAMS (sizeof params / sizeof params[0])

/* The series components; the first VANCHURIN_N_SCALARS are also the observables. */
static const tl_observable series[VANCHURIN_N_SERIES] = {
    {"boundary_loss", "loss", "boundary loss (2.11, with its 1/2), mean over the training samples"},
    {"test_boundary_loss", "loss", "boundary loss (2.11), mean over the test samples"},
    {"train_accuracy", "1", "fraction of training samples whose largest output is the label"},
    {"test_accuracy", "1", "fraction of test samples whose largest output is the label"},
    {"bulk_loss", "loss",
     "bulk loss (3.2): LM local minimum over the hidden states from the forward state, mean over the bulk samples"},
    {"boundary_loss_bulk_subset", "loss", "boundary loss (2.11), mean over the bulk samples (bulk_loss is below it)"},
    {"bulk_loss_se", "loss", "standard error of bulk_loss over the bulk samples (within the run)"},
    {"bulk_loss_median", "loss", "median of the per-sample bulk loss"},
    {"bulk_outside", "1", "fraction of hidden states outside (-1, 1) at the bulk minimum"},
    {"bulk_iterations", "1", "mean LM iterations per sample"},
    {"bulk_unconverged", "1", "fraction of bulk samples whose LM driver stopped without convergence"},
    {"mu2", "1", "mu_2 = Tr (log G)^2 (9.5), the raw trace: sum of (log lambda)^2"},
    {"mu3", "1", "mu_3 = Tr (log G)^3 (9.6), the raw trace"},
    {"log_lambda_sum", "1", "sum of log lambda = log det G: 0 exactly (det G = 1); round-off only"},
    {"n_nonunit", "1", "eigenvalues with |log lambda| > 1e-10 (n_nonunit_expected for generic weights)"},
    {"complexity_n", "1", "C_n (10.5): -1/2 (sum of the n largest log lambda) + (N/2) log 2 pi, n = complexity_n"},
    {"complexity_rest", "1", "C_{N-n}: -1/2 (sum of all but the n smallest log lambda) + (N/2) log 2 pi"},
    {"log_lambda_min", "1", "smallest log lambda"},
    {"log_lambda_max", "1", "largest log lambda"},
    {"mu2_per_eigenvalue", "1", "mu2 / n_nonunit: the variance of log lambda over the eigenvalues that differ from 1"},
    {"mu3_per_eigenvalue", "1", "mu3 / n_nonunit: the third moment over the eigenvalues that differ from 1"},
    {"skewness", "1", "mu3_per_eigenvalue / mu2_per_eigenvalue^(3/2)"},
    {"gap_log_lambda", "1", "heuristic gap: midpoint of the widest spacing among the negative log lambda (NaN: none)"},
    {"beta_gap", "1/loss", "beta whose stationary point of eq. 9.3 (gamma = gap_gamma) is at the gap"},
    {"beta_gap_eq94", "1/loss", "beta from the gap by the paper's eq. 9.4: 1/(t^2 + t), t = exp(gap/3)"},
    {"beta_loss", "1/loss", "beta with U_model(beta) = bulk_loss, U_model = 1/2 sum lambda/(1 + beta lambda) (NaN: no root)"},
    {"bulk_excess", "loss", "max(0, bulk_loss - boundary_loss_bulk_subset): 0 exactly (LM only lowers H)"},
};

enum { P_SERIES, P_DENSITY, P_SORTED, P_FUNCTIONALS, P_WEIGHTS, N_PROFILES };

static const tl_profile profiles[N_PROFILES] = {
    {"series", "mixed",
     "[checkpoint, component]: the measurements of every checkpoint, components boundary_loss, test_boundary_loss, "
     "train_accuracy, test_accuracy, bulk_loss, boundary_loss_bulk_subset, bulk_loss_se, bulk_loss_median, bulk_outside, "
     "bulk_iterations, bulk_unconverged, mu2, mu3, log_lambda_sum, n_nonunit, complexity_n, complexity_rest, "
     "log_lambda_min, log_lambda_max, mu2_per_eigenvalue, mu3_per_eigenvalue, skewness, gap_log_lambda, beta_gap, beta_gap_eq94, beta_loss, bulk_excess "
     "(the observables of the same names; units as theirs)"},
    {"log_lambda_density", "1", "[checkpoint, bin]: histogram of the dynamical log lambda divided by n_dynamical"},
    {"log_lambda_sorted", "1", "[checkpoint, i]: the dynamical log lambda, descending (NaN beyond this point's n_dynamical)"},
    {"functionals", "mixed",
     "[checkpoint, beta, f]: F (6.5), U_model (6.1), -Delta F (9.1), N_> (6.6), C(beta) (6.7) at each of betas"},
    {"weights", "1", "[parameter]: the final W_1, b_1, W_2, b_2, ... (row-major W_l[i][j], i in layer l); use the samples"},
};

enum { X_WIDTHS, X_NEURONS, X_DYNAMICAL, X_NONUNIT, X_CHECKPOINTS, X_EDGES, X_BETAS, X_SERIES_EXACT, N_EXTRAS };

static const tl_extra extras[N_EXTRAS] = {
    {"widths", TL_EXTRA_F64, "1", "n_0 .. n_{L-1} (0 beyond L)", 0},
    {"n_neurons", TL_EXTRA_F64, "1", "N, all neurons", 0},
    {"n_dynamical", TL_EXTRA_F64, "1", "eigenvalues of G that may differ from 1: min(n_0, n_1) + N - n_0", 0},
    {"n_nonunit_expected", TL_EXTRA_F64, "1",
     "eigenvalues of G not 1 for generic weights: n_dynamical - sum_l max(0, n_l - n_{l-1} - n_{l+1})", 0},
    {"checkpoint_epochs", TL_EXTRA_F64, "epochs", "the epoch of every checkpoint (NaN beyond this point's)", 0},
    {"log_lambda_edges", TL_EXTRA_F64, "1", "bin edges of log_lambda_density", 0},
    {"betas", TL_EXTRA_F64, "1/loss", "the paper's beta of the functionals", 0},
    {"series_exact", TL_EXTRA_F64, "mixed",
     "[checkpoint, component]: exact values of series where an identity gives one (log_lambda_sum 0, n_nonunit, "
     "bulk_excess 0), NaN elsewhere; thermolearn check compares series against it", 0},
};

/* The width list of the architecture chosen at this point; 0 or -1 with why. */
static int widths_of(const tl_point *pt, size_t *width, size_t *layers, char *why, size_t len)
{
    char item[256];
    tl_point_list_item(pt, "architectures", (size_t)tl_point_int(pt, "architecture"), item, sizeof item);
    char reason[200];
    const int hidden = vanchurin_parse_hidden(item, width + 1, VANCHURIN_MAX_LAYERS - 2, reason, sizeof reason);
    if (hidden < 0) {
        snprintf(why, len, "architectures: %s", reason);
        return -1;
    }
    if (tl_point_choice(pt, "dataset") == VANCHURIN_SYNTHETIC) {
        width[0] = (size_t)tl_point_int(pt, "synthetic_inputs");
        width[hidden + 1] = (size_t)tl_point_int(pt, "synthetic_classes");
    } else {
        const size_t r = (size_t)tl_point_int(pt, "resolution");
        width[0] = r * r;
        width[hidden + 1] = 10;
    }
    *layers = (size_t)hidden + 2;
    return 0;
}

/* Everything but the data; 0 or -1 with why. */
static int point_setup(const tl_point *pt, vanchurin_point *vp, char *why, size_t len)
{
    memset(vp, 0, sizeof *vp);
    if (widths_of(pt, vp->width, &vp->layers, why, len)) return -1;
    for (size_t l = 0; l < vp->layers; l++) {
        vp->neurons += vp->width[l];
        if (l > 0) vp->n_params += vp->width[l] * (vp->width[l - 1] + 1);
    }
    const size_t k = vp->width[0] < vp->width[1] ? vp->width[0] : vp->width[1];
    vp->n_dyn = k + vp->neurons - vp->width[0];
    vp->dataset = tl_point_choice(pt, "dataset");
    vp->targets = tl_point_choice(pt, "targets");
    vp->train_rows = (size_t)tl_point_int(pt, "train_samples");
    vp->test_rows = (size_t)tl_point_int(pt, "test_samples");
    vp->resolution = (size_t)tl_point_int(pt, "resolution");
    snprintf(vp->train_images, sizeof vp->train_images, "%s", tl_point_string(pt, "train_images"));
    snprintf(vp->train_labels, sizeof vp->train_labels, "%s", tl_point_string(pt, "train_labels"));
    snprintf(vp->test_images, sizeof vp->test_images, "%s", tl_point_string(pt, "test_images"));
    snprintf(vp->test_labels, sizeof vp->test_labels, "%s", tl_point_string(pt, "test_labels"));
    vp->synthetic_noise = tl_point_real(pt, "synthetic_noise");
    vp->task_seed = (uint64_t)tl_point_int(pt, "task_seed");
    if (vp->dataset == VANCHURIN_FASHION_MNIST && 28 % vp->resolution) {
        snprintf(why, len, "resolution = %zu must divide 28 (28, 14, 7, 4, 2, 1)", vp->resolution);
        return -1;
    }
    vp->bulk_samples = (size_t)tl_point_int(pt, "bulk_samples");
    if (vp->bulk_samples == 0) vp->bulk_samples = vp->train_rows;
    vp->init = tl_point_choice(pt, "init");
    vp->init_scale = tl_point_real(pt, "init_scale");
    snprintf(vp->weights_file, sizeof vp->weights_file, "%s", tl_point_string(pt, "weights_file"));
    vp->sgd.learning_rate = tl_point_real(pt, "learning_rate");
    vp->sgd.batch_size = (size_t)tl_point_int(pt, "batch_size");
    vp->sgd.temperature = tl_point_real(pt, "temperature");
    vp->epochs = (size_t)tl_point_int(pt, "epochs");
    char reason[200];
    vp->n_checkpoints = vanchurin_parse_checkpoints(tl_point_string(pt, "checkpoints"), vp->epochs, vp->checkpoint,
                                                    VANCHURIN_MAX_CHECKPOINTS, reason, sizeof reason);
    if (!vp->n_checkpoints) {
        snprintf(why, len, "checkpoints: %s", reason);
        return -1;
    }
    vp->fprime_at = tl_point_choice(pt, "fprime_at");
    vp->bulk_max_iterations = (size_t)tl_point_int(pt, "bulk_max_iterations");
    vp->bulk_tolerance = tl_point_real(pt, "bulk_tolerance");
    vp->complexity_n = (size_t)tl_point_int(pt, "complexity_n");
    vp->n_betas = tl_point_list_size(pt, "betas");
    if (vp->n_betas > VANCHURIN_MAX_BETAS) {
        snprintf(why, len, "betas: %zu values, at most %d", vp->n_betas, VANCHURIN_MAX_BETAS);
        return -1;
    }
    for (size_t b = 0; b < vp->n_betas; b++) vp->beta[b] = tl_point_list_real(pt, "betas", b);
    vp->large_factor = tl_point_real(pt, "large_factor");
    vp->gap_gamma = tl_point_real(pt, "gap_gamma");
    vp->bins = (size_t)tl_point_int(pt, "log_lambda_bins");
    vp->log_lambda_lo = tl_point_real(pt, "log_lambda_min");
    vp->log_lambda_hi = tl_point_real(pt, "log_lambda_max");
    if (vp->gap_gamma >= 1) {
        snprintf(why, len, "gap_gamma = %g must be below 1", vp->gap_gamma);
        return -1;
    }
    if (vp->bulk_samples < 2) {
        snprintf(why, len, "bulk_samples = %zu: at least 2 (for the standard error)", vp->bulk_samples);
        return -1;
    }
    return vanchurin_point_check(vp, why, len);
}

/* The data of a point: Fashion-MNIST through the cache of data.c, or the synthetic task. */
static int load_data(vanchurin_point *vp, char *why, size_t len)
{
    const double off = vp->targets == VANCHURIN_ZERO_ONE ? 0.0 : -1.0;
    if (vp->dataset == VANCHURIN_SYNTHETIC) {
        const size_t inputs = vp->width[0], classes = vp->width[vp->layers - 1];
        vp->train = vanchurin_synthetic(inputs, classes, vp->synthetic_noise, vp->task_seed, 0, vp->train_rows);
        vp->test = vanchurin_synthetic(inputs, classes, vp->synthetic_noise, vp->task_seed, vp->train_rows, vp->test_rows);
    } else {
        char reason[200];
        if (vanchurin_idx_load(vp->train_images, vp->train_labels, vp->train_rows, vp->resolution, &vp->train, reason,
                               sizeof reason)) {
            snprintf(why, len, "train_images, train_labels, train_samples: %s", reason);
            return -1;
        }
        if (vanchurin_idx_load(vp->test_images, vp->test_labels, vp->test_rows, vp->resolution, &vp->test, reason,
                               sizeof reason)) {
            snprintf(why, len, "test_images, test_labels, test_samples: %s", reason);
            vanchurin_data_free(vp->train);
            vp->train = NULL;
            return -1;
        }
    }
    vanchurin_data_targets(vp->train, off);
    vanchurin_data_targets(vp->test, off);
    return 0;
}

static int validate(const tl_point *pt, char *why, size_t len)
{
    vanchurin_point vp;
    if (point_setup(pt, &vp, why, len) || load_data(&vp, why, len)) return TL_ERR_INPUT;
    vanchurin_data_free(vp.train);
    vanchurin_data_free(vp.test);
    return TL_OK;
}

static vanchurin_point *point_alloc_typed(const tl_point *pt)
{
    vanchurin_blas_init();
    vanchurin_point *vp = tl_malloc(sizeof *vp, "vanchurin point");
    char why[256];
    if (point_setup(pt, vp, why, sizeof why)) error("a point that passed validate: %s", why);
    return vp;
}

/* The data: a Fashion-MNIST file is read once per process (data.c's cache). */
static void point_prepare(void *state)
{
    vanchurin_point *vp = state;
    char why[256];
    if (load_data(vp, why, sizeof why)) error("data that passed validate: %s", why);
}

static void point_free_typed(vanchurin_point *vp)
{
    if (!vp) return;
    vanchurin_data_free(vp->train);
    vanchurin_data_free(vp->test);
    free(vp);
}

static void simulate_typed(const vanchurin_point *vp, const tl_stream_key *key, uint64_t first, size_t count,
                           double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    vanchurin_record *rec = vanchurin_record_alloc(vp);
    const size_t c = vp->n_checkpoints, last = (c - 1) * VANCHURIN_N_SERIES;
    for (size_t i = 0; i < count; i++) {
        vanchurin_trajectory(vp, key, first + i, rec);
        for (size_t o = 0; o < VANCHURIN_N_SCALARS; o++) out[o][i] = rec->series[last + o];
        const double *from[N_PROFILES] = {rec->series, rec->density, rec->sorted, rec->functionals, rec->weights};
        const size_t size[N_PROFILES] = {c * VANCHURIN_N_SERIES, c * vp->bins, c * vp->n_dyn,
                                         c * vp->n_betas * VANCHURIN_N_FUNCTIONALS, vp->n_params};
        for (size_t v = 0; v < N_PROFILES; v++)
            for (size_t k = 0; k < size[v]; k++) profile[v][k * count + i] = from[v][k];
    }
    vanchurin_record_free(rec);
}

TL_MODEL_STATE(vanchurin_point, point_alloc_typed, point_free_typed, simulate_typed)

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const training[] = {"training"};
    *names = training;
    return 1;
}

static int extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    vanchurin_point vp;
    char why[256];
    if (point_setup(pt, &vp, why, sizeof why)) error("a point that passed validate: %s", why);
    switch (e) {
    case X_WIDTHS: dims[0] = vp.layers; return 1;
    case X_CHECKPOINTS: dims[0] = vp.n_checkpoints; return 1;
    case X_EDGES: dims[0] = vp.bins + 1; return 1;
    case X_BETAS: dims[0] = vp.n_betas; return 1;
    case X_SERIES_EXACT: dims[0] = vp.n_checkpoints, dims[1] = VANCHURIN_N_SERIES; return 2;
    default: return 0;
    }
}

static int profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    vanchurin_point vp;
    char why[256];
    if (point_setup(pt, &vp, why, sizeof why)) error("a point that passed validate: %s", why);
    dims[0] = vp.n_checkpoints;
    switch (v) {
    case P_SERIES: dims[1] = VANCHURIN_N_SERIES; return 2;
    case P_DENSITY: dims[1] = vp.bins; return 2;
    case P_SORTED: dims[1] = vp.n_dyn; return 2;
    case P_FUNCTIONALS: dims[1] = vp.n_betas, dims[2] = VANCHURIN_N_FUNCTIONALS; return 3;
    default: dims[0] = vp.n_params; return 1;
    }
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const vanchurin_point *vp = state;
    switch (e) {
    case X_WIDTHS:
        for (size_t l = 0; l < dims[0]; l++) out[l] = l < vp->layers ? (double)vp->width[l] : 0;
        break;
    case X_NEURONS: *out = (double)vp->neurons; break;
    case X_DYNAMICAL: *out = (double)vp->n_dyn; break;
    case X_NONUNIT: *out = (double)vanchurin_n_nonunit(vp->layers, vp->width); break;
    case X_CHECKPOINTS:
        for (size_t c = 0; c < dims[0]; c++) out[c] = c < vp->n_checkpoints ? (double)vp->checkpoint[c] : NAN;
        break;
    case X_EDGES:
        for (size_t b = 0; b < dims[0]; b++)
            out[b] = b <= vp->bins ? vp->log_lambda_lo + (vp->log_lambda_hi - vp->log_lambda_lo) * (double)b / (double)vp->bins
                                   : NAN;
        break;
    case X_BETAS:
        for (size_t b = 0; b < dims[0]; b++) out[b] = b < vp->n_betas ? vp->beta[b] : NAN;
        break;
    case X_SERIES_EXACT:
        for (size_t c = 0; c < dims[0]; c++)
            for (size_t k = 0; k < dims[1]; k++) {
                double v = NAN;
                if (c < vp->n_checkpoints && k == VS_LOG_LAMBDA_SUM) v = 0;
                if (c < vp->n_checkpoints && k == VS_BULK_EXCESS) v = 0;
                if (c < vp->n_checkpoints && k == VS_NONUNIT) v = (double)vanchurin_n_nonunit(vp->layers, vp->width);
                out[c * dims[1] + k] = v;
            }
        break;
    }
}

/* The identities of every checkpoint (series against series_exact): sum log
 * lambda = 0, the count of non-unit eigenvalues, bulk <= boundary. */
static size_t check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec triples[] = {{TL_CHECK_TRIPLE, .estimate = "series"}};
    *checks = triples;
    return 1;
}

static const tl_model_checks checks = {check_list, NULL, NULL};

const tl_model_type tl_model_vanchurin = {
    .name = "vanchurin",
    .description = "trained tanh feedforward networks: bulk loss, spectrum of G, complexity (Vanchurin)",
    .params = params,
    .n_params = N_PARAMS,
    .observables = series,
    .n_observables = VANCHURIN_N_SCALARS,
    .extras = extras,
    .n_extras = N_EXTRAS,
    .profiles = profiles,
    .n_profiles = N_PROFILES,
    .default_temperature = 0, /* with allow_zero_temperature: T = 0, plain SGD, by default */
    .allow_zero_temperature = 1,
    .unit_size = 1,           /* a trajectory is a training run: seconds to hours */
    .point_prepare = point_prepare,
    .directions = directions,
    .validate = validate,
    .extra_shape = extra_shape,
    .profile_shape = profile_shape,
    .point_alloc = point_alloc,
    .point_free = point_free,
    .simulate = simulate,
    .extra_fill = extra_fill,
    .bench = vanchurin_bench,
    .checks = &checks,
};
