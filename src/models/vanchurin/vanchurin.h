/* The vanchurin model (Vanchurin, "Towards a theory of machine learning",
 * ../shared/papers/vanchurin-towards-a-theory-of-machine-learning.txt):
 * internals shared by the model's files and its tests.
 *
 * A layered feedforward network of tanh neurons, widths n_0 (input), n_1 ..
 * n_{L-2} (hidden), n_{L-1} (output), N = sum n_l neurons, trained by SGD on
 * the boundary loss (2.11, with its 1/2).  At checkpoints in training time the
 * model measures what the paper's canonical ensemble over neuron states is built
 * on:
 *   - the bulk loss (3.1-3.2): the boundary clamped (inputs = image, outputs =
 *     target), the hidden states free, H = 1/2 sum_{i not input}
 *     (x_i - tanh(sum_j w_ij x_j + b_i))^2 minimised per sample by
 *     Levenberg-Marquardt (gsl_multifit_nlinear) from the forward state, where
 *     H equals the boundary loss exactly;
 *   - the spectrum of G = (I - f'w)^T (I - f'w) (5.6) with f' at the mean state
 *     (5.4), through the reduced unit-triangular matrix (only n_dyn = n_1 + N -
 *     n_0 eigenvalues differ from 1) and LAPACK's dgesdd;
 *   - functions of the spectrum: mu2, mu3 (9.5-9.6), complexities (10.5),
 *     F, U and -Delta F at the paper's beta (6.5, 6.1, 9.1), and beta from the
 *     spectral gap by eq. 9.4 and by the true stationary point of eq. 9.3.
 *
 * Linear algebra: OpenBLAS, one thread per rank (vanchurin_blas_init), so that
 * a trajectory's arithmetic is the same whatever else runs.  The binary also
 * links GSL's own CBLAS, which comes first in the link order and therefore
 * owns the cblas_* symbols; this model calls OpenBLAS through its Fortran
 * symbols (dgemm_), which only OpenBLAS defines (blas.c).
 */
#ifndef THERMOLEARN_VANCHURIN_H
#define THERMOLEARN_VANCHURIN_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "thermolearn/stream.h"

#define VANCHURIN_MAX_LAYERS 16
#define VANCHURIN_MAX_WIDTH 4096

/* ---- BLAS (blas.c) ------------------------------------------------------------------ */

/* Pin OpenBLAS to one thread (idempotent). */
void vanchurin_blas_init(void);
/* Row-major C = alpha op(A) op(B) + beta C, C m x n, op(A) m x k: OpenBLAS dgemm. */
void vanchurin_dgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, double alpha,
                     const double *a, size_t lda, const double *b, size_t ldb, double beta, double *c,
                     size_t ldc);

/* ---- the network (net.c) ------------------------------------------------------------ */

typedef struct {
    size_t layers;                      /* L >= 2 */
    size_t width[VANCHURIN_MAX_LAYERS]; /* n_0 .. n_{L-1} */
    size_t neurons;                     /* N */
    size_t n_params;
    double *params;                     /* W_1, b_1, W_2, b_2, ...: one block for SGD */
    double *w[VANCHURIN_MAX_LAYERS];    /* w[l]: n_l x n_{l-1}, row-major, l = 1 .. L-1 */
    double *b[VANCHURIN_MAX_LAYERS];    /* b[l]: n_l */
} vanchurin_net;

enum vanchurin_init { VANCHURIN_GLOROT_UNIFORM, VANCHURIN_NORMAL };

/* Parse "40-20" (hidden widths; "none" for no hidden layer) into widths[1..];
 * returns the number of hidden layers, or -1 with a message in why. */
int vanchurin_parse_hidden(const char *text, size_t *widths, size_t max, char *why, size_t len);

vanchurin_net *vanchurin_net_alloc(size_t layers, const size_t *width);
void vanchurin_net_free(vanchurin_net *net);
/* Weights from `rng` in layer order, row-major; biases 0.  Glorot uniform:
 * U(+-sqrt(6/(n_in+n_out))); normal: N(0, 1/n_in); both times scale. */
void vanchurin_net_init(vanchurin_net *net, int init, double scale, gsl_rng *rng);

/* Work space for a mini-batch of up to `rows` samples. */
typedef struct {
    size_t rows;
    double *h[VANCHURIN_MAX_LAYERS];    /* activations, rows x n_l (h[0] = the inputs) */
    double *delta[VANCHURIN_MAX_LAYERS];
    double *y;                          /* targets, rows x n_{L-1} */
    double *grad;                       /* n_params, laid out as net->params */
} vanchurin_batch;

vanchurin_batch *vanchurin_batch_alloc(const vanchurin_net *net, size_t rows);
void vanchurin_batch_free(vanchurin_batch *bt);
/* Forward pass of `rows` samples already in bt->h[0]. */
void vanchurin_forward(const vanchurin_net *net, vanchurin_batch *bt, size_t rows);
/* Boundary loss (2.11) summed over the rows: sum 1/2 |h_{L-1} - y|^2, y [rows][n_out]. */
double vanchurin_boundary_sum(const vanchurin_net *net, const vanchurin_batch *bt, size_t rows,
                              const double *y);
/* Gradient of the batch mean of (2.11) into bt->grad (after vanchurin_forward). */
void vanchurin_backward(const vanchurin_net *net, vanchurin_batch *bt, size_t rows, const double *y);

/* ---- data and training (train.c) ---------------------------------------------------- */

/* Inputs and targets of one data set (the same for every trajectory of a point). */
typedef struct {
    size_t rows, inputs, outputs;
    double *x;   /* [rows][inputs] */
    double *y;   /* [rows][outputs]: targets, +-1 or 0/1 */
    int *label;  /* [rows] */
} vanchurin_data;

vanchurin_data *vanchurin_data_alloc(size_t rows, size_t inputs, size_t outputs);
void vanchurin_data_free(vanchurin_data *d);
/* Targets from labels: 1 for the class, `off` (-1 or 0) otherwise. */
void vanchurin_data_targets(vanchurin_data *d, double off);

/* The built-in synthetic task ("prototype blobs", ../shared/specs/vanchurin.md
 * 5.3): `classes` prototypes p_c ~ U(0,1)^inputs; sample k has label k mod
 * classes and x = clip(p_c + noise xi, 0, 1).  Drawn from a stream keyed by
 * task_seed alone; samples first .. first+rows-1 of that sequence (the test
 * set follows the training set). */
vanchurin_data *vanchurin_synthetic(size_t inputs, size_t classes, double noise, uint64_t task_seed,
                                    size_t first, size_t rows);

/* The first `rows` labelled images of an IDX pair (28 x 28, labels 0..9),
 * pixels / 255 block-averaged to resolution x resolution (resolution divides
 * 28), targets +-1 (data.c).  0, or -1 with a message in why. */
int vanchurin_idx_load(const char *images, const char *labels, size_t rows, size_t resolution, vanchurin_data **out,
                       char *why, size_t len);

typedef struct {
    double learning_rate;
    size_t batch_size;
    double temperature;   /* Langevin: theta -= eta grad + sqrt(2 eta T) xi; 0 = plain SGD */
} vanchurin_sgd;

/* One epoch: a permutation of the rows from `order_rng` (Fisher-Yates), then
 * mini-batches in that order (a short last batch is kept), each an SGD step;
 * Gaussian noise from `noise_rng` when T > 0.  Returns the mean boundary
 * loss of the batches before their steps. */
double vanchurin_epoch(vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                       const vanchurin_sgd *sgd, size_t *order, gsl_rng *order_rng, gsl_rng *noise_rng);

/* Mean boundary loss (2.11) and accuracy (argmax of the outputs) over d. */
void vanchurin_evaluate(const vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                        double *loss, double *accuracy);
/* Mean forward state of every neuron over d: mean[N], layers stacked input first. */
void vanchurin_mean_state(const vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                          double *mean);

/* ---- the bulk loss (bulk.c) --------------------------------------------------------- */

typedef struct vanchurin_bulk vanchurin_bulk;

typedef struct {
    double loss;       /* min over hidden states of H (3.1): the local minimum reached */
    double boundary;   /* H at the forward state: the boundary loss (2.11) */
    size_t iterations;
    size_t outside;    /* hidden states at the minimum outside (-1, 1) */
    int status;        /* GSL status of the driver (0: converged) */
} vanchurin_bulk_result;

vanchurin_bulk *vanchurin_bulk_alloc(const vanchurin_net *net, size_t max_iterations, double tolerance);
void vanchurin_bulk_free(vanchurin_bulk *bk);
/* Minimise (3.1) for one sample x [n_0], y [n_{L-1}], from the forward state. */
vanchurin_bulk_result vanchurin_bulk_solve(vanchurin_bulk *bk, const double *x, const double *y);
/* H (3.1) at hidden states h (the hidden layers stacked, sum of hidden widths). */
double vanchurin_bulk_energy(const vanchurin_net *net, const double *x, const double *y, const double *h);
/* The hidden states at the last solution. */
const double *vanchurin_bulk_state(const vanchurin_bulk *bk);

/* ---- the spectrum of G (spectrum.c) ------------------------------------------------- */

/* Where f' of G is evaluated (the key fprime_at, in its order). */
enum vanchurin_fprime {
    VANCHURIN_FP_MEAN_STATE,      /* sech^2 at the mean forward state over the training samples (default) */
    VANCHURIN_FP_MEAN_DERIVATIVE, /* the mean over the training samples of sech^2 at the forward state */
    VANCHURIN_FP_UNIT,            /* 1: the linear net (closed forms) */
    VANCHURIN_FP_PER_SAMPLE,      /* a spectrum per bulk sample at its forward state; measurements averaged */
    VANCHURIN_FP_BULK             /* sech^2 at the mean over the bulk samples of the bulk-minimised state */
};

/* f'_i of every neuron (N, input neurons 1, unused): sech^2(w <x> + b) at the
 * mean state `mean` [N]. */
void vanchurin_fprime_mean_state(const vanchurin_net *net, const double *mean, double *fprime);

/* Number of eigenvalues of G that may differ from 1: min(n_0, n_1) + N - n_0. */
size_t vanchurin_n_dynamical(const vanchurin_net *net);
/* Eigenvalues of G that differ from 1 for generic weights and f' (a layer
 * wider than its two neighbours together leaves the excess at 1):
 * n_dyn - sum_{l >= 1} max(0, n_l - n_{l-1} - n_{l+1}), n_L = 0.  Decided
 * numerically (test_vanchurin_spectrum), not proven. */
size_t vanchurin_n_nonunit(size_t layers, const size_t *width);
/* The reduced matrix M_red (n_dyn x n_dyn, row-major, unit lower triangular)
 * whose squared singular values are the eigenvalues of G other than the
 * n_0 - min(n_0, n_1) exact ones.  Returns 0, or -1 if LAPACK failed. */
int vanchurin_reduced_matrix(const vanchurin_net *net, const double *fprime, double *m_red);
/* The full M = I - f'w (N x N, row-major), for tests. */
void vanchurin_full_matrix(const vanchurin_net *net, const double *fprime, double *m);
/* log lambda of the dynamical eigenvalues, sorted descending (n_dyn values):
 * 2 log of the singular values of M_red (dgesdd).  0 or -1. */
int vanchurin_log_spectrum(const vanchurin_net *net, const double *fprime, double *log_lambda);
/* Singular values of a row-major n x n matrix (dgesdd, descending); 0 or -1. */
int vanchurin_singular_values(const double *a, size_t n, double *s);

/* Functions of the spectrum: u [n_dyn] the dynamical log lambda (sorted
 * descending); the other N - n_dyn eigenvalues are exactly 1 (u = 0). */
typedef struct {
    size_t neurons, n_dyn;
    const double *u;
} vanchurin_spectrum;

double vanchurin_trace_power(const vanchurin_spectrum *sp, int k);     /* sum u^k: mu_k (9.5, 9.6) */
double vanchurin_complexity_top(const vanchurin_spectrum *sp, size_t n);  /* C_n (10.5) */
double vanchurin_complexity_rest(const vanchurin_spectrum *sp, size_t n); /* C_{N-n}: all but the n smallest */
double vanchurin_free_energy(const vanchurin_spectrum *sp, double beta);   /* F (6.5) */
double vanchurin_model_loss(const vanchurin_spectrum *sp, double beta);    /* U = -d log Z/d beta (6.1, 5.14) */
double vanchurin_laplacian(const vanchurin_spectrum *sp, double beta);     /* -Delta F (9.1) */
double vanchurin_log_z(const vanchurin_spectrum *sp, double beta);         /* log Z (5.14), m = 0 */
size_t vanchurin_n_large(const vanchurin_spectrum *sp, double beta, double factor); /* N_> (6.6) */
double vanchurin_complexity_beta(const vanchurin_spectrum *sp, double beta, double factor); /* C (6.7) */
/* The gap: midpoint of the widest spacing among the negative u; NaN if fewer than two. */
double vanchurin_gap(const vanchurin_spectrum *sp);
/* beta whose stationary point of eq. 9.3 (fraction gamma at log lambda = u)
 * is at u: (e^{(1+k)u/3} - 1) / (e^u - e^{(1-2k)u/3}), k = gamma/(1-gamma). */
double vanchurin_beta_stationary(double u, double gamma);
/* beta from the paper's eq. 9.4, inverted: 1/(t^2 + t), t = e^{u/3}. */
double vanchurin_beta_eq94(double u);
/* Stationary points u != 0 of eq. 9.3's bracket at (beta, gamma) found by
 * bracketing its derivative on [lo, hi]; returns how many (at most max). */
size_t vanchurin_eq93_stationary(double beta, double gamma, double lo, double hi, double *u, size_t max);
/* -Delta F of eq. 9.3 at log lambda = u. */
double vanchurin_eq93(double u, double beta, double gamma, double neurons);
/* beta with U_model(beta) = loss (Brent on log beta); NaN without a root. */
double vanchurin_beta_loss(const vanchurin_spectrum *sp, double loss);

/* `thermolearn bench vanchurin [options]` (bench.c); returns the exit status. */
int vanchurin_bench(int argc, char **argv);

/* ---- a point and its trajectories (point.c, measure.c) ------------------------------- */

#define VANCHURIN_MAX_CHECKPOINTS 256
#define VANCHURIN_MAX_BETAS 64

/* Components of the per-checkpoint series; the first VANCHURIN_N_SCALARS are
 * also the per-trajectory observables (their values at the last checkpoint). */
enum {
    VS_BOUNDARY, VS_TEST_BOUNDARY, VS_TRAIN_ACCURACY, VS_TEST_ACCURACY,
    VS_BULK, VS_BOUNDARY_BULK_SUBSET, VS_BULK_SE, VS_BULK_MEDIAN, VS_BULK_OUTSIDE, VS_BULK_ITERATIONS,
    VS_BULK_UNCONVERGED,
    VS_MU2, VS_MU3, VS_LOG_LAMBDA_SUM, VS_NONUNIT, VS_COMPLEXITY_N, VS_COMPLEXITY_REST,
    VS_LOG_LAMBDA_MIN, VS_LOG_LAMBDA_MAX, VS_MU2_PER, VS_MU3_PER, VS_SKEW,
    VANCHURIN_N_SCALARS,
    VS_GAP = VANCHURIN_N_SCALARS, VS_BETA_GAP, VS_BETA_GAP_EQ94, VS_BETA_LOSS,
    VS_BULK_EXCESS, /* max(0, bulk - boundary on the bulk subset): 0 exactly */
    VANCHURIN_N_SERIES
};

/* The functionals at each beta (profile "functionals", last axis). */
enum { VF_FREE_ENERGY, VF_MODEL_LOSS, VF_LAPLACIAN, VF_N_LARGE, VF_COMPLEXITY_BETA, VANCHURIN_N_FUNCTIONALS };

enum vanchurin_dataset { VANCHURIN_FASHION_MNIST, VANCHURIN_SYNTHETIC };
enum vanchurin_targets { VANCHURIN_PLUS_MINUS, VANCHURIN_ZERO_ONE };

typedef struct {
    /* the network */
    size_t layers, width[VANCHURIN_MAX_LAYERS];
    size_t neurons, n_dyn, n_params;
    int init;
    double init_scale;
    char weights_file[4096]; /* initial weights and biases from this file; "" for init */
    /* the data, shared by every trajectory (NULL in a point built only to be checked) */
    int dataset, targets;
    size_t train_rows, test_rows, resolution;
    char train_images[4096], train_labels[4096], test_images[4096], test_labels[4096];
    double synthetic_noise;
    uint64_t task_seed;
    vanchurin_data *train, *test;
    size_t bulk_samples;
    /* training */
    vanchurin_sgd sgd;
    size_t epochs;
    size_t n_checkpoints, checkpoint[VANCHURIN_MAX_CHECKPOINTS]; /* epochs, ascending, 0 and epochs included */
    /* measurements */
    int fprime_at;
    size_t bulk_max_iterations;
    double bulk_tolerance;
    size_t complexity_n;
    size_t n_betas;
    double beta[VANCHURIN_MAX_BETAS];
    double large_factor, gap_gamma;
    size_t bins;
    double log_lambda_lo, log_lambda_hi;
} vanchurin_point;

/* What one trajectory measures at every checkpoint c (row-major, c first). */
typedef struct {
    double *series;      /* [C][VANCHURIN_N_SERIES] */
    double *density;     /* [C][bins]: histogram of the dynamical log lambda / n_dyn */
    double *sorted;      /* [C][n_dyn]: the dynamical log lambda, descending */
    double *functionals; /* [C][n_betas][VANCHURIN_N_FUNCTIONALS] */
    double *weights;     /* [n_params]: the final parameters */
} vanchurin_record;

/* Check a point's parameters beyond their ranges: 0, or -1 with a message naming the key. */
int vanchurin_point_check(const vanchurin_point *vp, char *why, size_t len);
vanchurin_record *vanchurin_record_alloc(const vanchurin_point *vp);
void vanchurin_record_free(vanchurin_record *rec);
/* One training run: trajectory t of stream key `key`. */
void vanchurin_trajectory(const vanchurin_point *vp, const tl_stream_key *key, uint64_t t, vanchurin_record *rec);
/* The measurements of one checkpoint of net into row c of rec. */
void vanchurin_measure(const vanchurin_point *vp, const vanchurin_net *net, vanchurin_batch *bt,
                       vanchurin_bulk *bk, vanchurin_record *rec, size_t c);
/* Mean over d of f' = 1 - tanh^2 of every neuron's forward state (inputs: 1). */
void vanchurin_mean_derivative(const vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                               double *fprime);
/* "log:A:B:K" (K log-spaced epochs from A to B, rounded, repeats dropped) or
 * a comma list of epochs; 0 and `epochs` added; ascending.  Returns the count,
 * or 0 with a message in why. */
size_t vanchurin_parse_checkpoints(const char *text, size_t epochs, size_t *out, size_t max, char *why, size_t len);
/* A weights file for the widths: for l = 1 .. L-1, n_l rows of n_{l-1}
 * weights (row i: the weights into neuron i of layer l), then one row of the
 * n_l biases; '#' comments and blank lines skipped.  Into params (laid out as
 * vanchurin_net's, may be NULL to check the shape only).  0, or -1 with a
 * message naming weights_file. */
int vanchurin_weights_read(const char *path, size_t layers, const size_t *width, double *params, char *why, size_t len);
/* A comma list of positive reals; returns the count, or 0 with why. */
size_t vanchurin_parse_reals(const char *text, double *out, size_t max, char *why, size_t len);

#endif
