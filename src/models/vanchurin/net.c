/* The tanh feedforward network: layout, initialisation, forward and backward
 * passes over a mini-batch (OpenBLAS dgemm, fixed operation order). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "vanchurin.h"
#include "thermolearn/error.h"

int vanchurin_parse_hidden(const char *text, size_t *widths, size_t max, char *why, size_t len)
{
    while (isspace((unsigned char)*text)) text++;
    size_t end = strlen(text);
    while (end > 0 && isspace((unsigned char)text[end - 1])) end--;
    if (end == 4 && strncmp(text, "none", 4) == 0) return 0;
    if (end == 0) {
        snprintf(why, len, "empty list of hidden widths (use 'none' for no hidden layer)");
        return -1;
    }
    int count = 0;
    const char *p = text;
    for (;;) {
        if (!isdigit((unsigned char)*p)) {
            snprintf(why, len, "'%.*s': hidden widths are whole numbers separated by '-'", (int)end, text);
            return -1;
        }
        errno = 0;
        char *stop;
        unsigned long v = strtoul(p, &stop, 10);
        if (errno || v < 1 || v > VANCHURIN_MAX_WIDTH) {
            snprintf(why, len, "'%.*s': a hidden width must be 1 .. %d", (int)end, text, VANCHURIN_MAX_WIDTH);
            return -1;
        }
        if ((size_t)count >= max) {
            snprintf(why, len, "'%.*s': more than %zu hidden layers", (int)end, text, max);
            return -1;
        }
        widths[count++] = v;
        p = stop;
        if ((size_t)(p - text) == end) return count;
        if (*p != '-') {
            snprintf(why, len, "'%.*s': hidden widths are whole numbers separated by '-'", (int)end, text);
            return -1;
        }
        p++;
    }
}

vanchurin_net *vanchurin_net_alloc(size_t layers, const size_t *width)
{
    if (layers < 2 || layers > VANCHURIN_MAX_LAYERS) error("%zu layers", layers);
    vanchurin_net *net = tl_calloc(1, sizeof *net, "network");
    net->layers = layers;
    for (size_t l = 0; l < layers; l++) {
        net->width[l] = width[l];
        net->neurons += width[l];
        if (l > 0) net->n_params += width[l] * (width[l - 1] + 1);
    }
    net->params = tl_calloc(net->n_params, sizeof(double), "network parameters");
    double *p = net->params;
    for (size_t l = 1; l < layers; l++) {
        net->w[l] = p;
        p += width[l] * width[l - 1];
        net->b[l] = p;
        p += width[l];
    }
    return net;
}

void vanchurin_net_free(vanchurin_net *net)
{
    if (!net) return;
    free(net->params);
    free(net);
}

void vanchurin_net_init(vanchurin_net *net, int init, double scale, gsl_rng *rng)
{
    for (size_t l = 1; l < net->layers; l++) {
        const size_t nin = net->width[l - 1], nout = net->width[l];
        const double a = sqrt(6.0 / (double)(nin + nout)), sd = 1.0 / sqrt((double)nin);
        for (size_t i = 0; i < nout * nin; i++)
            net->w[l][i] = scale * (init == VANCHURIN_NORMAL ? gsl_ran_gaussian_ziggurat(rng, sd)
                                                             : a * (2.0 * gsl_rng_uniform(rng) - 1.0));
        memset(net->b[l], 0, nout * sizeof(double));
    }
}

vanchurin_batch *vanchurin_batch_alloc(const vanchurin_net *net, size_t rows)
{
    vanchurin_batch *bt = tl_calloc(1, sizeof *bt, "batch");
    bt->rows = rows;
    for (size_t l = 0; l < net->layers; l++) {
        bt->h[l] = tl_calloc(rows * net->width[l], sizeof(double), "activations");
        bt->delta[l] = tl_calloc(rows * net->width[l], sizeof(double), "deltas");
    }
    bt->y = tl_calloc(rows * net->width[net->layers - 1], sizeof(double), "targets");
    bt->grad = tl_calloc(net->n_params, sizeof(double), "gradient");
    return bt;
}

void vanchurin_batch_free(vanchurin_batch *bt)
{
    if (!bt) return;
    for (size_t l = 0; l < VANCHURIN_MAX_LAYERS; l++) {
        free(bt->h[l]);
        free(bt->delta[l]);
    }
    free(bt->y);
    free(bt->grad);
    free(bt);
}

void vanchurin_forward(const vanchurin_net *net, vanchurin_batch *bt, size_t rows)
{
    for (size_t l = 1; l < net->layers; l++) {
        const size_t nin = net->width[l - 1], nout = net->width[l];
        double *h = bt->h[l];
        for (size_t r = 0; r < rows; r++) memcpy(h + r * nout, net->b[l], nout * sizeof(double));
        /* h_l = h_{l-1} W_l^T + b_l, then tanh */
        vanchurin_dgemm(0, 1, rows, nout, nin, 1.0, bt->h[l - 1], nin, net->w[l], nin, 1.0, h, nout);
        for (size_t i = 0; i < rows * nout; i++) h[i] = tanh(h[i]);
    }
}

double vanchurin_boundary_sum(const vanchurin_net *net, const vanchurin_batch *bt, size_t rows,
                              const double *y)
{
    const size_t nout = net->width[net->layers - 1];
    const double *h = bt->h[net->layers - 1];
    double sum = 0;
    for (size_t i = 0; i < rows * nout; i++) sum += 0.5 * (h[i] - y[i]) * (h[i] - y[i]);
    return sum;
}

void vanchurin_backward(const vanchurin_net *net, vanchurin_batch *bt, size_t rows, const double *y)
{
    const size_t last = net->layers - 1, nout = net->width[last];
    const double inv = 1.0 / (double)rows;
    /* delta_L = dH/dz_L of the batch mean of 1/2 |h - y|^2, with f' = 1 - tanh^2 */
    for (size_t i = 0; i < rows * nout; i++) {
        const double h = bt->h[last][i];
        bt->delta[last][i] = inv * (h - y[i]) * (1.0 - h * h);
    }
    for (size_t l = last; l >= 1; l--) {
        const size_t nin = net->width[l - 1], n = net->width[l];
        double *gw = bt->grad + (size_t)(net->w[l] - net->params);
        double *gb = bt->grad + (size_t)(net->b[l] - net->params);
        /* dW_l = delta_l^T h_{l-1} */
        vanchurin_dgemm(1, 0, n, nin, rows, 1.0, bt->delta[l], n, bt->h[l - 1], nin, 0.0, gw, nin);
        for (size_t i = 0; i < n; i++) gb[i] = 0;
        for (size_t r = 0; r < rows; r++)
            for (size_t i = 0; i < n; i++) gb[i] += bt->delta[l][r * n + i];
        if (l == 1) break;
        /* delta_{l-1} = (delta_l W_l) * (1 - h_{l-1}^2) */
        double *d = bt->delta[l - 1];
        vanchurin_dgemm(0, 0, rows, nin, n, 1.0, bt->delta[l], n, net->w[l], nin, 0.0, d, nin);
        for (size_t i = 0; i < rows * nin; i++) {
            const double h = bt->h[l - 1][i];
            d[i] *= 1.0 - h * h;
        }
    }
}
