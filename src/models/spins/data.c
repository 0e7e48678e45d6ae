/* The dataset of a spins point (dataset = mnist1d | file): its training and
 * test rows through src/data, read or generated once per process, and the
 * checks that a point's keys fit them. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spins.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

/* Sets read by this process, by source: validation, every unit of work and
 * the optimisation ask for them, and MNIST-1D takes a moment to generate. */
typedef struct cached {
    char *key;
    spins_data data;
    struct cached *next;
} cached;
static cached *cache;

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Whether the HDF5 file has a link `name` (errors: no). */
static int h5_has(const char *path, const char *name)
{
    H5E_auto2_t func;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int has = file >= 0 && H5Lexists(file, name, H5P_DEFAULT) > 0;
    if (file >= 0) H5Fclose(file);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    return has;
}

/* data_file and data_labels: an .h5 table (with its test split when present), IDX, or text. */
static int read_file(const char *file, const char *labels, spins_data *d, char *why, size_t len)
{
    char inner[768];
    int status;
    if (labels[0] != '\0') {
        status = tl_idx_read_labelled(file, labels, &d->train, inner, sizeof inner);
    } else if (ends_with(file, ".h5") || ends_with(file, ".hdf5")) {
        status = tl_table_read_h5(file, "x_train", "y_train", &d->train, inner, sizeof inner);
        if (status == TL_OK && h5_has(file, "x_test"))
            status = tl_table_read_h5(file, "x_test", "y_test", &d->test, inner, sizeof inner);
    } else {
        status = tl_table_read_text(file, -1, &d->train, inner, sizeof inner);
    }
    if (status != TL_OK) {
        snprintf(why, len, "data_file: %s", inner);
        tl_dataset_free(d->train), tl_dataset_free(d->test);
        d->train = d->test = NULL;
    }
    return status;
}

int spins_data_get(const tl_point *pt, const spins_data **out, char *why, size_t len)
{
    int kind = tl_point_choice(pt, "dataset");
    const char *file = tl_point_string(pt, "data_file"), *labels = tl_point_string(pt, "data_labels");
    size_t klen = strlen(file) + strlen(labels) + 32;
    char *key = tl_malloc(klen, "dataset key");
    snprintf(key, klen, "%d|%s|%s", kind, file, labels);
    cached *c = cache;
    while (c && strcmp(c->key, key) != 0) c = c->next;
    if (c) {
        free(key);
        *out = &c->data;
        return TL_OK;
    }
    spins_data d = {0};
    int status = TL_OK;
    if (kind == 1) {
        tl_mnist1d_args a;
        tl_mnist1d m;
        tl_mnist1d_defaults(&a);
        status = tl_mnist1d_generate(&a, &m, why, len);
        if (status == TL_OK) d.train = m.train, d.test = m.test, free(m.t);
    } else if (file[0] == '\0') {
        snprintf(why, len, "data_file: dataset = file needs a data_file");
        status = TL_ERR_INPUT;
    } else {
        status = read_file(file, labels, &d, why, len);
    }
    if (status == TL_OK && !d.train->labels) {
        snprintf(why, len, "data_file: '%s' has no labels", file);
        tl_dataset_free(d.train), tl_dataset_free(d.test);
        status = TL_ERR_INPUT;
    }
    if (status != TL_OK) {
        free(key);
        return status;
    }
    c = tl_calloc(1, sizeof *c, "dataset cache");
    c->key = key, c->data = d, c->next = cache;
    cache = c;
    *out = &c->data;
    return TL_OK;
}

size_t spins_data_train_rows(const tl_point *pt, const spins_data *d)
{
    size_t want = (size_t)tl_point_int(pt, "samples");
    return want ? want : d->train->rows;
}

size_t spins_data_test_rows(const tl_point *pt, const spins_data *d)
{
    if (!d->test) return 0;
    size_t want = (size_t)tl_point_int(pt, "test_samples");
    return want ? want : d->test->rows;
}

/* Labels of rows 0..rows-1 below classes. */
static int check_labels(const tl_dataset *set, size_t rows, int classes, const char *what, char *why, size_t len)
{
    for (size_t r = 0; r < rows; r++)
        if (set->labels[r] < 0 || set->labels[r] >= classes) {
            snprintf(why, len, "%s: %s row %zu has label %d, outside 0..%d", what, set->name, r + 1, set->labels[r],
                     classes - 1);
            return TL_ERR_INPUT;
        }
    return TL_OK;
}

int spins_data_validate(const tl_point *pt, char *why, size_t len)
{
    const spins_data *d;
    if (spins_data_get(pt, &d, why, len)) return TL_ERR_INPUT;
    size_t N = (size_t)tl_point_int(pt, "chain_length"), M = spins_data_train_rows(pt, d);
    const char *src = tl_point_choice(pt, "dataset") == 1 ? "dataset" : "data_file";
    if (M > d->train->rows) {
        snprintf(why, len, "samples = %zu: %s has %zu training rows", M, d->train->name, d->train->rows);
        return TL_ERR_INPUT;
    }
    if (d->train->features != N) {
        snprintf(why, len, "%s: %s has %zu features a row; chain_length = %zu needs one per spin of a chain", src,
                 d->train->name, d->train->features, N);
        return TL_ERR_INPUT;
    }
    int classes = tl_point_given(pt, "classes") ? (int)tl_point_int(pt, "classes") : d->train->classes;
    if (classes < 2) {
        snprintf(why, len, "%s: %s has a single class", src, d->train->name);
        return TL_ERR_INPUT;
    }
    if (check_labels(d->train, M, classes, tl_point_given(pt, "classes") ? "classes" : src, why, len))
        return TL_ERR_INPUT;
    if (d->test) {
        size_t T = spins_data_test_rows(pt, d);
        if (T > d->test->rows) {
            snprintf(why, len, "test_samples = %zu: %s has %zu rows", T, d->test->name, d->test->rows);
            return TL_ERR_INPUT;
        }
        if (d->test->features != N) {
            snprintf(why, len, "%s: %s has %zu features a row, the training rows %zu", src, d->test->name,
                     d->test->features, N);
            return TL_ERR_INPUT;
        }
        if (check_labels(d->test, T, classes, src, why, len)) return TL_ERR_INPUT;
    } else if (tl_point_given(pt, "test_samples")) {
        snprintf(why, len, "test_samples: %s has no test rows (x_test, y_test)", d->train->name);
        return TL_ERR_INPUT;
    }
    if (tl_point_choice(pt, "readout") == 0 && classes != 2) {
        snprintf(why, len, "readout = mse fits 2 classes, %s has %d: use readout = cross_entropy", d->train->name,
                 classes);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}
