/* Fashion-MNIST (or any 28 x 28 IDX image set with labels 0..9) for the
 * vanchurin model, through the datasets module's IDX reader: the first rows
 * of a file, pixels / 255, block-averaged from 28 x 28 to resolution x
 * resolution.  Loaded subsets are kept for the life of the process, so that
 * validating every point and allocating it on every rank reads each file once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vanchurin.h"
#include "thermolearn/dataset.h"
#include "thermolearn/error.h"

#define CACHE 8

typedef struct {
    char images[4096], labels[4096];
    size_t rows, resolution;
    vanchurin_data *data;
} cached;

static cached cache[CACHE];
static size_t cache_next;

static vanchurin_data *copy(const vanchurin_data *d)
{
    vanchurin_data *c = vanchurin_data_alloc(d->rows, d->inputs, d->outputs);
    memcpy(c->x, d->x, d->rows * d->inputs * sizeof(double));
    memcpy(c->y, d->y, d->rows * d->outputs * sizeof(double));
    memcpy(c->label, d->label, d->rows * sizeof(int));
    return c;
}

/* Rows 0 .. rows-1 of the file pair, downsampled; 0 or -1 with why. */
static int load(const char *images, const char *labels, size_t rows, size_t resolution, vanchurin_data **out,
                char *why, size_t len)
{
    tl_dataset *ds;
    if (tl_idx_read_labelled(images, labels, &ds, why, len)) return -1;
    int rc = 0;
    if (ds->features != 28 * 28) {
        snprintf(why, len, "'%s': images of %zu pixels, expected 28 x 28", images, ds->features);
        rc = -1;
    } else if (rows > ds->rows) {
        snprintf(why, len, "'%s' holds %zu images, %zu asked for", images, ds->rows, rows);
        rc = -1;
    } else if (ds->classes > 10) {
        snprintf(why, len, "'%s': labels up to %d, expected 0 .. 9", labels, ds->classes - 1);
        rc = -1;
    }
    if (rc == 0) {
        const size_t f = 28 / resolution, n = resolution * resolution;
        vanchurin_data *d = vanchurin_data_alloc(rows, n, 10);
        for (size_t r = 0; r < rows; r++) {
            const double *px = ds->x + r * 784;
            d->label[r] = ds->labels[r];
            for (size_t i = 0; i < resolution; i++)
                for (size_t j = 0; j < resolution; j++) {
                    double sum = 0;
                    for (size_t a = 0; a < f; a++)
                        for (size_t b = 0; b < f; b++) sum += px[(i * f + a) * 28 + j * f + b];
                    d->x[r * n + i * resolution + j] = sum / (255.0 * (double)(f * f));
                }
        }
        vanchurin_data_targets(d, -1.0);
        *out = d;
    }
    tl_dataset_free(ds);
    return rc;
}

int vanchurin_idx_load(const char *images, const char *labels, size_t rows, size_t resolution, vanchurin_data **out,
                       char *why, size_t len)
{
    *out = NULL;
    if (resolution < 1 || 28 % resolution) {
        snprintf(why, len, "resolution = %zu must divide 28 (28, 14, 7, 4, 2, 1)", resolution);
        return -1;
    }
    for (size_t k = 0; k < CACHE; k++) {
        const cached *c = &cache[k];
        if (c->data && c->rows == rows && c->resolution == resolution && strcmp(c->images, images) == 0 &&
            strcmp(c->labels, labels) == 0) {
            *out = copy(c->data);
            return 0;
        }
    }
    vanchurin_data *d;
    if (load(images, labels, rows, resolution, &d, why, len)) return -1;
    cached *c = &cache[cache_next++ % CACHE];
    vanchurin_data_free(c->data);
    snprintf(c->images, sizeof c->images, "%s", images);
    snprintf(c->labels, sizeof c->labels, "%s", labels);
    c->rows = rows;
    c->resolution = resolution;
    c->data = d;
    *out = copy(d);
    return 0;
}
