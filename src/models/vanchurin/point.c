/* The parts of a point's set-up that do not depend on the engine: the
 * checkpoint and beta lists, and the checks across parameters. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vanchurin.h"
#include "thermolearn/error.h"
#include "thermolearn/numbers.h"

static int by_value(const void *a, const void *b)
{
    const size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Sort, drop repeats; returns the new count. */
static size_t sort_unique(size_t *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

size_t vanchurin_parse_checkpoints(const char *text, size_t epochs, size_t *out, size_t max, char *why, size_t len)
{
    size_t n = 0;
    if (max < 2) return 0;
    out[n++] = 0;
    out[n++] = epochs;
    if (strncmp(text, "log:", 4) == 0) {
        char *end;
        errno = 0;
        double a = strtod(text + 4, &end), b = NAN, k = NAN;
        if (*end == ':') b = strtod(end + 1, &end);
        if (*end == ':') k = strtod(end + 1, &end);
        if (*end == '\0' && isnan(b)) { /* log:COUNT = log:1:epochs:COUNT */
            if (epochs == 0 && a >= 1) return sort_unique(out, n);
            k = a;
            a = 1;
            b = (double)(epochs > 0 ? epochs : 1);
        }
        if (errno || *end != '\0' || !(a >= 1) || !(b >= a) || !(k >= 1) || k != floor(k)) {
            snprintf(why, len, "'%s': log:FIRST:LAST:COUNT (or log:COUNT from 1 to epochs) with 1 <= FIRST <= LAST and COUNT a whole number >= 1", text);
            return 0;
        }
        if (b > (double)epochs) {
            snprintf(why, len, "'%s': the last checkpoint %g is after the last epoch %zu", text, b, epochs);
            return 0;
        }
        for (size_t i = 0; i < (size_t)k; i++) {
            if (n >= max) {
                snprintf(why, len, "'%s': more than %zu checkpoints", text, max - 2);
                return 0;
            }
            const double f = k > 1 ? (double)i / (k - 1) : 1.0;
            out[n++] = (size_t)llround(exp(log(a) + f * (log(b) - log(a))));
        }
        return sort_unique(out, n);
    }
    const char *p = text;
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        char *end;
        errno = 0;
        if (!isdigit((unsigned char)*p)) {
            snprintf(why, len, "'%s': a comma list of epochs, or log:FIRST:LAST:COUNT", text);
            return 0;
        }
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || v > epochs) {
            snprintf(why, len, "'%s': checkpoint %.*s is after the last epoch %zu", text, (int)(end - p), p, epochs);
            return 0;
        }
        if (n >= max) {
            snprintf(why, len, "'%s': more than %zu checkpoints", text, max - 2);
            return 0;
        }
        out[n++] = (size_t)v;
        p = end;
        while (isspace((unsigned char)*p)) p++;
        if (*p == '\0') break;
        if (*p != ',') {
            snprintf(why, len, "'%s': a comma list of epochs, or log:FIRST:LAST:COUNT", text);
            return 0;
        }
        p++;
    }
    return sort_unique(out, n);
}

size_t vanchurin_parse_reals(const char *text, double *out, size_t max, char *why, size_t len)
{
    size_t n = 0;
    const char *p = text;
    for (;;) {
        char *end;
        errno = 0;
        const double v = strtod(p, &end);
        if (end == p || errno || !(v > 0) || !isfinite(v)) {
            snprintf(why, len, "'%s': a comma list of positive numbers", text);
            return 0;
        }
        if (n >= max) {
            snprintf(why, len, "'%s': more than %zu values", text, max);
            return 0;
        }
        out[n++] = v;
        p = end;
        while (isspace((unsigned char)*p)) p++;
        if (*p == '\0') return n;
        if (*p != ',') {
            snprintf(why, len, "'%s': a comma list of positive numbers", text);
            return 0;
        }
        p++;
    }
}

int vanchurin_point_check(const vanchurin_point *vp, char *why, size_t len)
{
    if (vp->weights_file[0] && vanchurin_weights_read(vp->weights_file, vp->layers, vp->width, NULL, why, len)) return -1;
    if (vp->sgd.batch_size > vp->train_rows) {
        snprintf(why, len, "batch_size = %zu is larger than the training set (%zu samples)", vp->sgd.batch_size,
                 vp->train_rows);
        return -1;
    }
    if (vp->bulk_samples > vp->train_rows) {
        snprintf(why, len, "bulk_samples = %zu is larger than the training set (%zu samples)", vp->bulk_samples,
                 vp->train_rows);
        return -1;
    }
    if (vp->complexity_n > vp->neurons) {
        snprintf(why, len, "complexity_n = %zu: the network has only N = %zu neurons", vp->complexity_n, vp->neurons);
        return -1;
    }
    if (!(vp->log_lambda_hi > vp->log_lambda_lo)) {
        snprintf(why, len, "log_lambda_max = %g must be above log_lambda_min = %g", vp->log_lambda_hi, vp->log_lambda_lo);
        return -1;
    }
    /* the noise stream holds 2^34 words: at most ~1.6e10 Gaussian draws */
    const double steps = (double)vp->epochs * ceil((double)vp->train_rows / (double)vp->sgd.batch_size);
    if (vp->sgd.temperature > 0 && steps * (double)vp->n_params > 1.6e10) {
        snprintf(why, len, "temperature > 0 with %g SGD steps x %zu parameters: more noise than one stream holds (1.6e10)",
                 steps, vp->n_params);
        return -1;
    }
    return 0;
}

int vanchurin_weights_read(const char *path, size_t layers, const size_t *width, double *params, char *why, size_t len)
{
    size_t rows = 0, widest = 0;
    for (size_t l = 1; l < layers; l++) {
        rows += width[l] + 1;
        if (width[l - 1] > widest) widest = width[l - 1];
        if (width[l] > widest) widest = width[l];
    }
    int *counts = tl_calloc(rows + 1, sizeof(int), "row counts");
    const int found = tl_numbers_read_rows("weights_file", path, NULL, 0, counts, (int)rows + 1, why, len);
    int rc = found < 0 ? -1 : 0;
    if (rc == 0 && (size_t)found != rows) {
        snprintf(why, len, "weights_file: '%s' has %d rows of numbers, the widths need %zu (n_l rows of weights and a row of biases per layer)",
                 path, found, rows);
        rc = -1;
    }
    size_t r = 0;
    for (size_t l = 1; l < layers && rc == 0; l++)
        for (size_t i = 0; i <= width[l] && rc == 0; i++, r++) {
            const size_t expect = i < width[l] ? width[l - 1] : width[l];
            if ((size_t)counts[r] != expect) {
                snprintf(why, len, "weights_file: '%s': row %zu of layer %zu has %d values, expected %zu (%s)", path,
                         i + 1, l, counts[r], expect, i < width[l] ? "weights from the layer below" : "biases");
                rc = -1;
            }
        }
    if (rc == 0 && params) {
        double *v = tl_malloc(rows * widest * sizeof(double), "weights");
        if (tl_numbers_read_rows("weights_file", path, v, (int)widest, NULL, (int)rows, why, len) != (int)rows) rc = -1;
        double *p = params;
        r = 0;
        for (size_t l = 1; l < layers && rc == 0; l++)
            for (size_t i = 0; i <= width[l]; i++, r++) {
                const size_t n = i < width[l] ? width[l - 1] : width[l];
                memcpy(p, v + r * widest, n * sizeof(double));
                p += n;
            }
        free(v);
    }
    free(counts);
    return rc;
}
