/* Datasets: allocation, row ranges, and tables of numbers (dataset.h). */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/dataset.h"
#include "thermolearn/error.h"
#include "thermolearn/numbers.h"
#include "thermolearn/status.h"

tl_dataset *tl_dataset_alloc(const char *name, size_t rows, size_t features, int with_labels)
{
    tl_dataset *d = tl_calloc(1, sizeof *d, "dataset");
    snprintf(d->name, sizeof d->name, "%s", name ? name : "");
    d->rows = rows, d->features = features;
    d->x = tl_calloc(rows * features > 0 ? rows * features : 1, sizeof *d->x, "dataset inputs");
    if (with_labels) d->labels = tl_calloc(rows ? rows : 1, sizeof *d->labels, "dataset labels");
    return d;
}

void tl_dataset_free(tl_dataset *d)
{
    if (!d) return;
    free(d->x), free(d->labels), free(d);
}

tl_dataset *tl_dataset_rows(const tl_dataset *d, const char *name, size_t first, size_t count)
{
    if (first > d->rows || count > d->rows - first) return NULL;
    tl_dataset *r = tl_dataset_alloc(name, count, d->features, d->labels != NULL);
    if (count) memcpy(r->x, d->x + first * d->features, count * d->features * sizeof *d->x);
    if (d->labels && count) memcpy(r->labels, d->labels + first, count * sizeof *d->labels);
    r->classes = d->classes;
    memcpy(r->sha256, d->sha256, sizeof r->sha256);
    return r;
}

/* Labels: integers >= 0 below 2^31; classes = 1 + the largest. */
static int check_label(double v, int *label)
{
    if (!(v >= 0 && v < 2147483647.0) || v != floor(v)) return -1;
    *label = (int)v;
    return 0;
}

#define FAIL(...) (snprintf(why, len, __VA_ARGS__), TL_ERR_INPUT)

int tl_table_read_text(const char *path, int label_column, tl_dataset **out, char *why, size_t len)
{
    *out = NULL;
    char digest[TL_SHA256_HEX];
    if (tl_sha256_file(path, digest)) return FAIL("%s: cannot read the file", path);
    FILE *f = fopen(path, "r");
    if (!f) return FAIL("%s: cannot open the file", path);
    char *line = NULL;
    size_t cap = 0, rows = 0, row_cap = 0;
    int columns = -1, lineno = 0, status = 0;
    double *cells = NULL;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        const char *bad = NULL;
        int n = tl_numbers_parse(line, NULL, 0, &bad);
        if (n < 0) {
            status = FAIL("%s:%d: '%.*s' is not a finite number", path, lineno, (int)strcspn(bad, " \t\r\n,"), bad);
            break;
        }
        if (n == 0) continue;
        if (columns < 0) {
            columns = n;
            int col = label_column < 0 && label_column != TL_TABLE_NO_LABEL ? columns + label_column : label_column;
            if (label_column != TL_TABLE_NO_LABEL && (col < 0 || col >= columns || columns < 2)) {
                status = FAIL("%s:%d: label column %d, but the rows have %d values", path, lineno, label_column,
                              columns);
                break;
            }
        } else if (n != columns) {
            status = FAIL("%s:%d: %d values, but the first row has %d", path, lineno, n, columns);
            break;
        }
        if (rows == row_cap) {
            row_cap = row_cap ? 2 * row_cap : 64;
            cells = realloc(cells, row_cap * (size_t)columns * sizeof *cells);
            if (!cells) error("out of memory reading %s", path);
        }
        tl_numbers_parse(line, cells + rows * (size_t)columns, columns, &bad);
        rows++;
    }
    free(line);
    fclose(f);
    if (!status && rows == 0) status = FAIL("%s: no rows of numbers", path);
    if (status) {
        free(cells);
        return status;
    }
    int labelled = label_column != TL_TABLE_NO_LABEL;
    int col = labelled && label_column < 0 ? columns + label_column : label_column;
    tl_dataset *d = tl_dataset_alloc(path, rows, (size_t)(columns - labelled), labelled);
    for (size_t r = 0; r < rows; r++) {
        const double *c = cells + r * (size_t)columns;
        double *x = d->x + r * d->features;
        for (int k = 0; k < columns; k++) {
            if (labelled && k == col) {
                if (check_label(c[k], &d->labels[r])) {
                    status = FAIL("%s: row %zu: label %.17g is not an integer >= 0", path, r + 1, c[k]);
                    break;
                }
                if (d->labels[r] + 1 > d->classes) d->classes = d->labels[r] + 1;
            } else *x++ = c[k];
        }
        if (status) break;
    }
    free(cells);
    if (status) {
        tl_dataset_free(d);
        return status;
    }
    memcpy(d->sha256, digest, sizeof digest);
    *out = d;
    return 0;
}

/* Read a whole numeric HDF5 dataset of rank `rank` as doubles. */
static int h5_read_doubles(hid_t file, const char *path, const char *name, int rank, hsize_t dims[2], double **v,
                           char *why, size_t len)
{
    *v = NULL;
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return FAIL("%s: no dataset '%s'", path, name);
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    if (ds < 0) return FAIL("%s: '%s' is not a dataset", path, name);
    hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
    int status = 0;
    H5T_class_t cls = H5Tget_class(ty);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) status = FAIL("%s: '%s' is not numeric", path, name);
    else if (H5Sget_simple_extent_ndims(sp) != rank)
        status = FAIL("%s: '%s' has %d dimensions, expected %d", path, name, H5Sget_simple_extent_ndims(sp), rank);
    else {
        H5Sget_simple_extent_dims(sp, dims, NULL);
        hsize_t n = dims[0] * (rank > 1 ? dims[1] : 1);
        if (n == 0) status = FAIL("%s: '%s' is empty", path, name);
        else {
            *v = tl_malloc((size_t)n * sizeof **v, "table");
            if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *v) < 0) {
                free(*v), *v = NULL;
                status = FAIL("%s: '%s' cannot be read", path, name);
            }
        }
    }
    H5Tclose(ty), H5Sclose(sp), H5Dclose(ds);
    return status;
}

int tl_table_read_h5(const char *path, const char *inputs, const char *labels, tl_dataset **out, char *why,
                     size_t len)
{
    *out = NULL;
    char digest[TL_SHA256_HEX];
    if (tl_sha256_file(path, digest)) return FAIL("%s: cannot read the file", path);
    H5E_auto2_t func;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int status = 0;
    hid_t file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    double *x = NULL, *y = NULL;
    hsize_t dx[2] = {0, 0}, dy[2] = {0, 0};
    if (file < 0) status = FAIL("%s: not an HDF5 file", path);
    if (!status) status = h5_read_doubles(file, path, inputs, 2, dx, &x, why, len);
    int labelled = labels && labels[0];
    if (!status && labelled) {
        status = h5_read_doubles(file, path, labels, 1, dy, &y, why, len);
        if (!status && dy[0] != dx[0])
            status = FAIL("%s: '%s' has %llu rows but '%s' has %llu", path, labels, (unsigned long long)dy[0], inputs,
                          (unsigned long long)dx[0]);
    }
    if (file >= 0) H5Fclose(file);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    tl_dataset *d = NULL;
    if (!status) {
        d = tl_dataset_alloc(path, (size_t)dx[0], (size_t)dx[1], labelled);
        for (size_t i = 0; i < d->rows * d->features && !status; i++)
            if (!isfinite(x[i]))
                status = FAIL("%s: '%s' row %zu column %zu is not finite", path, inputs, i / d->features + 1,
                              i % d->features + 1);
        if (!status) memcpy(d->x, x, d->rows * d->features * sizeof *x);
        for (size_t r = 0; labelled && r < d->rows && !status; r++) {
            if (check_label(y[r], &d->labels[r]))
                status = FAIL("%s: '%s' row %zu: label %.17g is not an integer >= 0", path, labels, r + 1, y[r]);
            else if (d->labels[r] + 1 > d->classes) d->classes = d->labels[r] + 1;
        }
    }
    free(x), free(y);
    if (status) {
        tl_dataset_free(d);
        return status;
    }
    memcpy(d->sha256, digest, sizeof digest);
    *out = d;
    return 0;
}
