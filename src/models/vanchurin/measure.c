/* One trajectory of the vanchurin model: a training run from the
 * trajectory's own streams, measured at every checkpoint. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vanchurin.h"
#include "thermolearn/error.h"

/* The trajectory's streams: initial weights, the order of every epoch, the Langevin noise. */
enum { STREAM_INITIAL = TL_PURPOSE_MODEL, STREAM_ORDER = TL_PURPOSE_MODEL + 1, STREAM_NOISE = TL_PURPOSE_MODEL + 2 };

vanchurin_record *vanchurin_record_alloc(const vanchurin_point *vp)
{
    const size_t c = vp->n_checkpoints;
    vanchurin_record *rec = tl_calloc(1, sizeof *rec, "record");
    rec->series = tl_calloc(c * VANCHURIN_N_SERIES, sizeof(double), "series");
    rec->density = tl_calloc(c * vp->bins, sizeof(double), "density");
    rec->sorted = tl_calloc(c * vp->n_dyn, sizeof(double), "spectra");
    rec->functionals = tl_calloc(c * vp->n_betas * VANCHURIN_N_FUNCTIONALS, sizeof(double), "functionals");
    rec->weights = tl_calloc(vp->n_params, sizeof(double), "weights");
    return rec;
}

void vanchurin_record_free(vanchurin_record *rec)
{
    if (!rec) return;
    free(rec->series);
    free(rec->density);
    free(rec->sorted);
    free(rec->functionals);
    free(rec->weights);
    free(rec);
}

void vanchurin_mean_derivative(const vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                               double *fprime)
{
    memset(fprime, 0, net->neurons * sizeof(double));
    for (size_t first = 0; first < d->rows; first += bt->rows) {
        const size_t rows = first + bt->rows <= d->rows ? bt->rows : d->rows - first;
        memcpy(bt->h[0], d->x + first * d->inputs, rows * d->inputs * sizeof(double));
        vanchurin_forward(net, bt, rows);
        double *f = fprime + net->width[0];
        for (size_t l = 1; l < net->layers; l++) {
            const size_t n = net->width[l];
            for (size_t r = 0; r < rows; r++)
                for (size_t i = 0; i < n; i++) f[i] += 1.0 - bt->h[l][r * n + i] * bt->h[l][r * n + i];
            f += n;
        }
    }
    for (size_t i = 0; i < net->width[0]; i++) fprime[i] = 1.0;
    for (size_t i = net->width[0]; i < net->neurons; i++) fprime[i] /= (double)d->rows;
}

/* Adds sample k's state (inputs, hidden states h, targets) to sum [N]. */
static void add_state(const vanchurin_point *vp, const double *h, size_t hidden, size_t k, double *sum)
{
    const size_t nin = vp->train->inputs, nout = vp->train->outputs;
    for (size_t i = 0; i < nin; i++) sum[i] += vp->train->x[k * nin + i];
    for (size_t i = 0; i < hidden; i++) sum[nin + i] += h[i];
    for (size_t i = 0; i < nout; i++) sum[nin + hidden + i] += vp->train->y[k * nout + i];
}

static int ascending(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The bulk loss over the first bulk_samples training samples: mean, boundary
 * mean on the same samples, standard error, median, outside fraction, mean
 * iterations, unconverged fraction.  With `mean` [N] not NULL, also the mean
 * over the same samples of the bulk-minimised state (inputs, hidden states at
 * the minimum, targets): the <x> of fprime_at = bulk. */
static void measure_bulk(const vanchurin_point *vp, vanchurin_bulk *bk, double *s, double *mean)
{
    const size_t n = vp->bulk_samples, nin = vp->train->inputs, nout = vp->train->outputs;
    size_t hidden = 0;
    for (size_t l = 1; l + 1 < vp->layers; l++) hidden += vp->width[l];
    double *loss = tl_malloc(n * sizeof(double), "bulk losses");
    double sum = 0, boundary = 0, iterations = 0;
    size_t outside = 0, failed = 0;
    for (size_t k = 0; k < n; k++) {
        vanchurin_bulk_result r = vanchurin_bulk_solve(bk, vp->train->x + k * nin, vp->train->y + k * nout);
        loss[k] = r.loss;
        sum += r.loss;
        boundary += r.boundary;
        iterations += (double)r.iterations;
        outside += r.outside;
        failed += r.status != 0;
        if (mean) add_state(vp, vanchurin_bulk_state(bk), hidden, k, mean);
    }
    if (mean)
        for (size_t i = 0; i < vp->neurons; i++) mean[i] /= (double)n;
    const double mean_loss = sum / (double)n;
    s[VS_BULK] = mean_loss;
    s[VS_BOUNDARY_BULK_SUBSET] = boundary / (double)n;
    double ss = 0;
    for (size_t k = 0; k < n; k++) ss += (loss[k] - mean_loss) * (loss[k] - mean_loss);
    s[VS_BULK_SE] = sqrt(ss / (double)(n - 1) / (double)n); /* within the run, over the samples */
    qsort(loss, n, sizeof(double), ascending);
    s[VS_BULK_MEDIAN] = n % 2 ? loss[n / 2] : 0.5 * (loss[n / 2 - 1] + loss[n / 2]);
    s[VS_BULK_OUTSIDE] = hidden ? (double)outside / (double)(hidden * n) : 0;
    s[VS_BULK_ITERATIONS] = iterations / (double)n;
    s[VS_BULK_UNCONVERGED] = (double)failed / (double)n;
    s[VS_BULK_EXCESS] = fmax(0.0, s[VS_BULK] - s[VS_BOUNDARY_BULK_SUBSET]);
    free(loss);
}

/* Everything computed from the spectrum of G at one f' [N]: the dynamical log
 * lambda, descending, into u [n_dyn]; the spectral series into s (the
 * components VS_MU2 .. VS_SKEW and VS_GAP .. VS_BETA_LOSS; s[VS_BULK] is read
 * for beta_loss); the functionals into f [n_betas][F]; the histogram into h [bins]. */
static void spectral_measures(const vanchurin_point *vp, const vanchurin_net *net, const double *fprime,
                              double *u, double *s, double *f, double *h)
{
    if (vanchurin_log_spectrum(net, fprime, u)) error("LAPACK failed on the spectrum of G");
    const vanchurin_spectrum sp = {vp->neurons, vp->n_dyn, u};
    s[VS_MU2] = vanchurin_trace_power(&sp, 2);
    s[VS_MU3] = vanchurin_trace_power(&sp, 3);
    s[VS_LOG_LAMBDA_SUM] = vanchurin_trace_power(&sp, 1);
    size_t nonunit = 0;
    for (size_t i = 0; i < vp->n_dyn; i++) nonunit += fabs(u[i]) > 1e-10;
    s[VS_NONUNIT] = (double)nonunit;
    /* the paper's sizes: moments per eigenvalue that differs from 1 (the mean is 0: det G = 1) */
    s[VS_MU2_PER] = nonunit ? s[VS_MU2] / (double)nonunit : 0;
    s[VS_MU3_PER] = nonunit ? s[VS_MU3] / (double)nonunit : 0;
    s[VS_SKEW] = s[VS_MU2_PER] > 0 ? s[VS_MU3_PER] / pow(s[VS_MU2_PER], 1.5) : 0;
    s[VS_COMPLEXITY_N] = vanchurin_complexity_top(&sp, vp->complexity_n);
    s[VS_COMPLEXITY_REST] = vanchurin_complexity_rest(&sp, vp->complexity_n);
    s[VS_LOG_LAMBDA_MAX] = u[0];
    s[VS_LOG_LAMBDA_MIN] = u[vp->n_dyn - 1];
    s[VS_GAP] = vanchurin_gap(&sp);
    s[VS_BETA_GAP] = isnan(s[VS_GAP]) ? NAN : vanchurin_beta_stationary(s[VS_GAP], vp->gap_gamma);
    s[VS_BETA_GAP_EQ94] = isnan(s[VS_GAP]) ? NAN : vanchurin_beta_eq94(s[VS_GAP]);
    s[VS_BETA_LOSS] = vanchurin_beta_loss(&sp, s[VS_BULK]);

    for (size_t b = 0; b < vp->n_betas; b++, f += VANCHURIN_N_FUNCTIONALS) {
        const double beta = vp->beta[b];
        f[VF_FREE_ENERGY] = vanchurin_free_energy(&sp, beta);
        f[VF_MODEL_LOSS] = vanchurin_model_loss(&sp, beta);
        f[VF_LAPLACIAN] = vanchurin_laplacian(&sp, beta);
        f[VF_N_LARGE] = (double)vanchurin_n_large(&sp, beta, vp->large_factor);
        f[VF_COMPLEXITY_BETA] = vanchurin_complexity_beta(&sp, beta, vp->large_factor);
    }
    /* histogram of the dynamical log lambda, as a fraction of n_dyn (values outside the range are not counted) */
    memset(h, 0, vp->bins * sizeof(double));
    const double width = (vp->log_lambda_hi - vp->log_lambda_lo) / (double)vp->bins;
    for (size_t i = 0; i < vp->n_dyn; i++) {
        const double x = (u[i] - vp->log_lambda_lo) / width;
        if (x >= 0 && x < (double)vp->bins) h[(size_t)x] += 1.0 / (double)vp->n_dyn;
    }
}

/* The spectral series components, those that fprime_at = per_sample averages. */
static const int spectral_series[] = {VS_MU2,          VS_MU3,           VS_LOG_LAMBDA_SUM, VS_NONUNIT,
                                      VS_COMPLEXITY_N, VS_COMPLEXITY_REST, VS_LOG_LAMBDA_MIN, VS_LOG_LAMBDA_MAX,
                                      VS_MU2_PER,      VS_MU3_PER,       VS_SKEW,           VS_GAP,
                                      VS_BETA_GAP,     VS_BETA_GAP_EQ94, VS_BETA_LOSS};
#define N_SPECTRAL_SERIES (sizeof spectral_series / sizeof spectral_series[0])

/* fprime_at = per_sample: f' = sech^2 at each of the first bulk_samples
 * training samples' own forward state, a spectrum per sample, and every
 * spectral measurement (series, sorted spectrum, functionals, histogram) the
 * mean over the samples of its per-sample value.  Each sample's G has det 1,
 * so the mean of sum log lambda is 0 to round-off as well. */
static void per_sample_measures(const vanchurin_point *vp, const vanchurin_net *net, vanchurin_batch *bt, double *u,
                                double *s, double *f, double *h)
{
    const size_t n = vp->bulk_samples, nf = vp->n_betas * VANCHURIN_N_FUNCTIONALS, nin = vp->train->inputs;
    double *fprime = tl_malloc(net->neurons * sizeof(double), "f'");
    double *u1 = tl_malloc(vp->n_dyn * sizeof(double), "spectrum"), *f1 = tl_malloc(nf * sizeof(double), "functionals");
    double *h1 = tl_malloc(vp->bins * sizeof(double), "histogram"), s1[VANCHURIN_N_SERIES];
    memset(u, 0, vp->n_dyn * sizeof(double));
    memset(f, 0, nf * sizeof(double));
    memset(h, 0, vp->bins * sizeof(double));
    for (size_t i = 0; i < N_SPECTRAL_SERIES; i++) s[spectral_series[i]] = 0;
    s1[VS_BULK] = s[VS_BULK];
    for (size_t i = 0; i < net->width[0]; i++) fprime[i] = 1.0;
    for (size_t first = 0; first < n; first += bt->rows) {
        const size_t rows = first + bt->rows <= n ? bt->rows : n - first;
        memcpy(bt->h[0], vp->train->x + first * nin, rows * nin * sizeof(double));
        vanchurin_forward(net, bt, rows);
        for (size_t r = 0; r < rows; r++) {
            double *fp = fprime + net->width[0];
            for (size_t l = 1; l < net->layers; l++) {
                const size_t w = net->width[l];
                for (size_t i = 0; i < w; i++) fp[i] = 1.0 - bt->h[l][r * w + i] * bt->h[l][r * w + i];
                fp += w;
            }
            spectral_measures(vp, net, fprime, u1, s1, f1, h1);
            for (size_t i = 0; i < vp->n_dyn; i++) u[i] += u1[i];
            for (size_t i = 0; i < N_SPECTRAL_SERIES; i++) s[spectral_series[i]] += s1[spectral_series[i]];
            for (size_t i = 0; i < nf; i++) f[i] += f1[i];
            for (size_t i = 0; i < vp->bins; i++) h[i] += h1[i];
        }
    }
    for (size_t i = 0; i < vp->n_dyn; i++) u[i] /= (double)n;
    for (size_t i = 0; i < N_SPECTRAL_SERIES; i++) s[spectral_series[i]] /= (double)n;
    for (size_t i = 0; i < nf; i++) f[i] /= (double)n;
    for (size_t i = 0; i < vp->bins; i++) h[i] /= (double)n;
    free(fprime), free(u1), free(f1), free(h1);
}

void vanchurin_measure(const vanchurin_point *vp, const vanchurin_net *net, vanchurin_batch *bt,
                       vanchurin_bulk *bk, vanchurin_record *rec, size_t c)
{
    double *s = rec->series + c * VANCHURIN_N_SERIES;
    vanchurin_evaluate(net, bt, vp->train, &s[VS_BOUNDARY], &s[VS_TRAIN_ACCURACY]);
    vanchurin_evaluate(net, bt, vp->test, &s[VS_TEST_BOUNDARY], &s[VS_TEST_ACCURACY]);
    double *mean = tl_calloc(net->neurons, sizeof(double), "mean state");
    measure_bulk(vp, bk, s, vp->fprime_at == VANCHURIN_FP_BULK ? mean : NULL);

    /* f' (5.4) and the spectrum */
    double *u = rec->sorted + c * vp->n_dyn, *f = rec->functionals + c * vp->n_betas * VANCHURIN_N_FUNCTIONALS;
    double *h = rec->density + c * vp->bins;
    if (vp->fprime_at == VANCHURIN_FP_PER_SAMPLE) {
        per_sample_measures(vp, net, bt, u, s, f, h);
    } else {
        double *fprime = tl_malloc(net->neurons * sizeof(double), "f'");
        if (vp->fprime_at == VANCHURIN_FP_MEAN_STATE) {
            vanchurin_mean_state(net, bt, vp->train, mean);
            vanchurin_fprime_mean_state(net, mean, fprime);
        } else if (vp->fprime_at == VANCHURIN_FP_BULK) {
            vanchurin_fprime_mean_state(net, mean, fprime); /* <x>: the mean bulk-minimised state */
        } else if (vp->fprime_at == VANCHURIN_FP_MEAN_DERIVATIVE) {
            vanchurin_mean_derivative(net, bt, vp->train, fprime);
        } else {
            for (size_t i = 0; i < net->neurons; i++) fprime[i] = 1.0;
        }
        spectral_measures(vp, net, fprime, u, s, f, h);
        free(fprime);
    }
    free(mean);
}

void vanchurin_trajectory(const vanchurin_point *vp, const tl_stream_key *key, uint64_t t, vanchurin_record *rec)
{
    vanchurin_net *net = vanchurin_net_alloc(vp->layers, vp->width);
    gsl_rng *init = tl_stream_gsl_alloc(key, STREAM_INITIAL, t);
    gsl_rng *order_rng = tl_stream_gsl_alloc(key, STREAM_ORDER, t);
    gsl_rng *noise = tl_stream_gsl_alloc(key, STREAM_NOISE, t);
    if (vp->weights_file[0]) {
        char why[256];
        if (vanchurin_weights_read(vp->weights_file, vp->layers, vp->width, net->params, why, sizeof why))
            error("a weights file that passed validate: %s", why);
    } else {
        vanchurin_net_init(net, vp->init, vp->init_scale, init);
    }
    /* evaluation batches are larger than training batches: same results, fewer calls */
    const size_t rows = vp->sgd.batch_size > 256 ? vp->sgd.batch_size : 256;
    vanchurin_batch *bt = vanchurin_batch_alloc(net, rows);
    vanchurin_bulk *bk = vanchurin_bulk_alloc(net, vp->bulk_max_iterations, vp->bulk_tolerance);
    size_t *order = tl_malloc(vp->train->rows * sizeof(size_t), "epoch order");
    size_t epoch = 0;
    for (size_t c = 0; c < vp->n_checkpoints; c++) {
        for (; epoch < vp->checkpoint[c]; epoch++) vanchurin_epoch(net, bt, vp->train, &vp->sgd, order, order_rng, noise);
        vanchurin_measure(vp, net, bt, bk, rec, c);
    }
    memcpy(rec->weights, net->params, vp->n_params * sizeof(double));
    free(order);
    vanchurin_bulk_free(bk);
    vanchurin_batch_free(bt);
    gsl_rng_free(init);
    gsl_rng_free(order_rng);
    gsl_rng_free(noise);
    vanchurin_net_free(net);
}
