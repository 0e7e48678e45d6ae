/* Datasets: inputs and labels for models, independent of any model.
 *
 * A tl_dataset is a matrix of inputs x [rows][features] (double), a label per
 * row (0 .. classes-1; none for unlabelled data), a name, and the SHA-256 of
 * its source: the file's content, or the generator's canonical parameter
 * text (tl_mnist1d_canonical), so that a checkpoint fingerprint and an output
 * file can name exactly what was used.
 *
 * Sources (docs/data.md):
 *   MNIST-1D, generated here bit for bit as the upstream procedure would
 *     (Greydanus & Kobak 2020; ../shared/specs/mnist1d.md);
 *   IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed;
 *   tables of numbers: text (one row a line, the label in a chosen column) or
 *     two HDF5 datasets (inputs [rows][features], labels [rows]).
 *
 * Readers return 0, or TL_ERR_INPUT (status 2) with a message in why naming
 * the file and the problem; on error nothing is allocated.
 */
#ifndef THERMOLEARN_DATASET_H
#define THERMOLEARN_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/sha256.h"

typedef struct {
    char name[256];
    size_t rows, features;
    double *x;                    /* [rows][features] */
    int *labels;                  /* [rows], or NULL */
    int classes;                  /* 1 + the largest label (0 without labels) */
    char sha256[TL_SHA256_HEX];   /* of the source */
} tl_dataset;

/* x and (with_labels) labels zeroed; name copied (truncated to 255 bytes). */
tl_dataset *tl_dataset_alloc(const char *name, size_t rows, size_t features, int with_labels);
void tl_dataset_free(tl_dataset *d);
/* Rows first .. first+count-1 as a new dataset (same source digest, classes
 * from the parent), or NULL when out of range. */
tl_dataset *tl_dataset_rows(const tl_dataset *d, const char *name, size_t first, size_t count);

/* ---- MNIST-1D ---------------------------------------------------------------------- */

/* The generator's parameters (upstream get_dataset_args; defaults in brackets). */
typedef struct {
    int num_samples;          /* [5000] num_samples / 10 samples per class */
    double train_split;       /* [0.8] first floor(rows * train_split) rows of the shuffled set train */
    int template_len;         /* [12] fixed: the templates have 12 points */
    int padding_min;          /* [36] zeros appended: uniform in padding_min .. padding_max */
    int padding_max;          /* [60] */
    double scale_coeff;       /* [0.4] amplitude 1 + scale_coeff (u - 1/2) */
    int max_translation;      /* [48] circular shift uniform in 0 .. max_translation-1 */
    double corr_noise_scale;  /* [0.25] white noise before the Gaussian filter (sigma 2) */
    double iid_noise_scale;   /* [0.02] white noise everywhere */
    double shear_scale;       /* [0.75] linear ramp coefficient shear_scale (u - 1/2) */
    int shuffle_seq;          /* [0] permute the final positions (one permutation for all rows) */
    int final_seq_length;     /* [40] points per row */
    uint32_t seed;            /* [42] numpy.random.seed(seed) */
} tl_mnist1d_args;

void tl_mnist1d_defaults(tl_mnist1d_args *a);
/* 0, or TL_ERR_INPUT with the offending key named in why. */
int tl_mnist1d_check(const tl_mnist1d_args *a, char *why, size_t len);
/* "key = value" lines for every parameter in a fixed order, %.17g for reals:
 * the text whose SHA-256 identifies a generated set.  Returns its length
 * (snprintf semantics). */
int tl_mnist1d_canonical(const tl_mnist1d_args *a, char *text, size_t len);
/* Set one parameter from text (the keys above); 0, or TL_ERR_INPUT with why. */
int tl_mnist1d_set(tl_mnist1d_args *a, const char *key, const char *value, char *why, size_t len);
/* The parameter keys, NULL-terminated. */
extern const char *const tl_mnist1d_keys[];

/* The generated set, shuffled and normalised like the upstream code:
 * train and test (10 classes; names "mnist1d train" and "mnist1d test"), and
 * the normalised time axis t [final_seq_length].  Returns 0 or TL_ERR_INPUT
 * (bad parameters, message in why). */
typedef struct {
    tl_dataset *train, *test;
    double *t;
    size_t length;
    uint64_t draws;           /* 32-bit MT19937 outputs consumed */
    double mean, std;         /* of all rows before normalisation (numpy's pairwise sums) */
} tl_mnist1d;
int tl_mnist1d_generate(const tl_mnist1d_args *a, tl_mnist1d *out, char *why, size_t len);
void tl_mnist1d_free(tl_mnist1d *m);

/* The 10 normalised templates [10][12] and their axis t [12] (stage 0 of the
 * procedure; exposed for tests). */
void tl_mnist1d_templates(double x[10][12], double t[12]);

/* ---- files ------------------------------------------------------------------------- */

/* An IDX file (yann.lecun.com/exdb/mnist format), raw or gzip-compressed:
 * magic 0x00 0x00 type ndim, ndim big-endian 32-bit sizes, the data.  Only
 * unsigned bytes (type 0x08) are read; the result has rows = dim 0 and
 * features = the product of the others, values as doubles (0 .. 255).
 * Truncated data, trailing bytes, a wrong magic or type, a zero dimension,
 * more than 4 dimensions or more than 2^31 values are errors. */
int tl_idx_read(const char *path, tl_dataset **out, char *why, size_t len);
/* An IDX images file and its labels file (1-D, values < 256) as one labelled
 * dataset; the counts must agree. */
int tl_idx_read_labelled(const char *images, const char *labels, tl_dataset **out, char *why, size_t len);

/* A text table: rows of numbers (blanks or commas, '#' comments), the label
 * in column label_column (0-based; negative counts from the end, -1 the last;
 * TL_TABLE_NO_LABEL for none).  Labels must be integers >= 0; every row must
 * have the same count. */
#define TL_TABLE_NO_LABEL INT32_MIN
int tl_table_read_text(const char *path, int label_column, tl_dataset **out, char *why, size_t len);
/* An HDF5 table: dataset `inputs` [rows][features] (any numeric type) and,
 * unless labels is NULL or empty, dataset `labels` [rows] (integers >= 0). */
int tl_table_read_h5(const char *path, const char *inputs, const char *labels, tl_dataset **out, char *why,
                     size_t len);

/* `thermolearn data ...` (command.c): returns the exit status. */
int tl_data_command(int argc, char **argv);

#endif
