/* Data sets, the synthetic task, SGD/Langevin training and evaluation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "vanchurin.h"
#include "thermolearn/error.h"
#include "thermolearn/stream.h"

vanchurin_data *vanchurin_data_alloc(size_t rows, size_t inputs, size_t outputs)
{
    vanchurin_data *d = tl_calloc(1, sizeof *d, "data set");
    d->rows = rows;
    d->inputs = inputs;
    d->outputs = outputs;
    d->x = tl_calloc(rows * inputs, sizeof(double), "inputs");
    d->y = tl_calloc(rows * outputs, sizeof(double), "targets");
    d->label = tl_calloc(rows, sizeof(int), "labels");
    return d;
}

void vanchurin_data_free(vanchurin_data *d)
{
    if (!d) return;
    free(d->x);
    free(d->y);
    free(d->label);
    free(d);
}

void vanchurin_data_targets(vanchurin_data *d, double off)
{
    for (size_t r = 0; r < d->rows; r++)
        for (size_t c = 0; c < d->outputs; c++) d->y[r * d->outputs + c] = (int)c == d->label[r] ? 1.0 : off;
}

/* Purposes of the task streams (keyed by task_seed, never by trajectory). */
enum { SYNTH_PROTOTYPES = TL_PURPOSE_MODEL + 8, SYNTH_SAMPLE = TL_PURPOSE_MODEL + 9 };

vanchurin_data *vanchurin_synthetic(size_t inputs, size_t classes, double noise, uint64_t task_seed,
                                    size_t first, size_t rows)
{
    vanchurin_data *d = vanchurin_data_alloc(rows, inputs, classes);
    const tl_stream_key key = {task_seed, 0, 0};
    double *proto = tl_malloc(classes * inputs * sizeof(double), "prototypes");
    gsl_rng *rng = tl_stream_gsl_alloc(&key, SYNTH_PROTOTYPES, 0);
    for (size_t i = 0; i < classes * inputs; i++) proto[i] = gsl_rng_uniform(rng);
    gsl_rng_free(rng);
    for (size_t r = 0; r < rows; r++) {
        /* one stream per sample: sample k is the same whichever rows are asked for */
        const size_t k = first + r, c = k % classes;
        rng = tl_stream_gsl_alloc(&key, SYNTH_SAMPLE, k);
        d->label[r] = (int)c;
        for (size_t i = 0; i < inputs; i++) {
            const double v = proto[c * inputs + i] + gsl_ran_gaussian_ziggurat(rng, noise);
            d->x[r * inputs + i] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
        gsl_rng_free(rng);
    }
    free(proto);
    vanchurin_data_targets(d, -1.0);
    return d;
}

/* Rows order[first .. first+rows-1] of d into the batch. */
static void load(vanchurin_batch *bt, const vanchurin_data *d, const size_t *order, size_t first, size_t rows)
{
    for (size_t r = 0; r < rows; r++) {
        const size_t k = order ? order[first + r] : first + r;
        memcpy(bt->h[0] + r * d->inputs, d->x + k * d->inputs, d->inputs * sizeof(double));
        memcpy(bt->y + r * d->outputs, d->y + k * d->outputs, d->outputs * sizeof(double));
    }
}

double vanchurin_epoch(vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                       const vanchurin_sgd *sgd, size_t *order, gsl_rng *order_rng, gsl_rng *noise_rng)
{
    const size_t n = d->rows;
    for (size_t i = 0; i < n; i++) order[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        const size_t j = gsl_rng_uniform_int(order_rng, i + 1);
        const size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    const double eta = sgd->learning_rate, kick = sqrt(2.0 * eta * sgd->temperature);
    double loss = 0;
    for (size_t first = 0; first < n; first += sgd->batch_size) {
        const size_t rows = first + sgd->batch_size <= n ? sgd->batch_size : n - first;
        load(bt, d, order, first, rows);
        vanchurin_forward(net, bt, rows);
        loss += vanchurin_boundary_sum(net, bt, rows, bt->y);
        vanchurin_backward(net, bt, rows, bt->y);
        if (sgd->temperature > 0)
            for (size_t p = 0; p < net->n_params; p++)
                net->params[p] += -eta * bt->grad[p] + gsl_ran_gaussian_ziggurat(noise_rng, kick);
        else
            for (size_t p = 0; p < net->n_params; p++) net->params[p] -= eta * bt->grad[p];
    }
    return loss / (double)n;
}

void vanchurin_evaluate(const vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                        double *loss, double *accuracy)
{
    const size_t nout = d->outputs;
    double sum = 0;
    size_t right = 0;
    for (size_t first = 0; first < d->rows; first += bt->rows) {
        const size_t rows = first + bt->rows <= d->rows ? bt->rows : d->rows - first;
        load(bt, d, NULL, first, rows);
        vanchurin_forward(net, bt, rows);
        sum += vanchurin_boundary_sum(net, bt, rows, bt->y);
        const double *h = bt->h[net->layers - 1];
        for (size_t r = 0; r < rows; r++) {
            size_t best = 0;
            for (size_t c = 1; c < nout; c++)
                if (h[r * nout + c] > h[r * nout + best]) best = c;
            right += (int)best == d->label[first + r];
        }
    }
    *loss = d->rows ? sum / (double)d->rows : NAN;
    *accuracy = d->rows ? (double)right / (double)d->rows : NAN;
}

void vanchurin_mean_state(const vanchurin_net *net, vanchurin_batch *bt, const vanchurin_data *d,
                          double *mean)
{
    memset(mean, 0, net->neurons * sizeof(double));
    for (size_t first = 0; first < d->rows; first += bt->rows) {
        const size_t rows = first + bt->rows <= d->rows ? bt->rows : d->rows - first;
        load(bt, d, NULL, first, rows);
        vanchurin_forward(net, bt, rows);
        double *m = mean;
        for (size_t l = 0; l < net->layers; l++) {
            const size_t n = net->width[l];
            for (size_t r = 0; r < rows; r++)
                for (size_t i = 0; i < n; i++) m[i] += bt->h[l][r * n + i];
            m += n;
        }
    }
    for (size_t i = 0; i < net->neurons; i++) mean[i] /= (double)d->rows;
}
