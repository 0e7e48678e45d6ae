/* Small readers for thermolearn files, shared by check and info. */
#ifndef THERMOLEARN_H5READ_H
#define THERMOLEARN_H5READ_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

/* Open read-only with HDF5's own error printing off; -1 (and a message) if
 * the file is missing, not HDF5, truncated or not written by thermolearn. */
hid_t tl_h5_open(const char *path);

/* A string attribute of the root ("" if absent); the caller frees it. */
char *tl_h5_root_string(hid_t file, const char *name);

/* The rank of a dataset; -1 if absent. */
int tl_h5_rank(hid_t file, const char *path);
/* A whole dataset of the given rank as doubles (or uint64), with its shape
 * (dims holds `rank` values); NULL if absent or of another rank. */
double *tl_h5_read_f64(hid_t file, const char *path, int rank, size_t *dims);
uint64_t *tl_h5_read_u64(hid_t file, const char *path, int rank, size_t *dims);

/* ---- reading a file that must be whole --------------------------------------
 *
 * `check` tells a damaged or incomplete file (status 2) from a physics check
 * that fails (status 1).  The readers below find the structural problems: a
 * missing dataset or attribute, another rank, shape or type than the writer
 * gives, sizes that disagree.  The first problem is printed, naming the file
 * and the object ("thermolearn: FILE: /work/forward/counts: missing"), and
 * sets `bad`; later calls then return NULL quietly, so that a caller may read
 * everything and test `bad` once. */
typedef struct {
    hid_t file;
    const char *path; /* the file's name, for messages */
    int bad;
} tl_h5_file;

/* Report a structural problem of `object` (printf-style), once. */
void tl_h5_fail(tl_h5_file *h, const char *object, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A dataset of rank `rank` whose extents are all nonzero and equal want[r]
 * where want[r] != 0 (want may be NULL); `dims` gets the extents.  _f64: a
 * 64-bit floating-point type; _u64: a 64-bit integer type.  NULL and a
 * message if the dataset is missing or not so. */
double *tl_h5_need_f64(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims);
uint64_t *tl_h5_need_u64(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims);
/* An 8-bit integer dataset, checked the same way. */
int8_t *tl_h5_need_i8(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims);
/* The same for a dataset that may be absent (NULL, no message); present, it must be right. */
double *tl_h5_optional_f64(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims);

/* A variable-length string attribute of `object` (a scalar); NULL and a
 * message if missing or not a string, or NULL quietly if `optional` and absent. */
char *tl_h5_need_string(tl_h5_file *h, const char *object, const char *name, int optional);

/* A scalar 64-bit unsigned integer attribute of `object`; -1 and a message if missing or not one. */
int tl_h5_need_uint(tl_h5_file *h, const char *object, const char *name, uint64_t *value);

/* A 1-d string attribute of `object` as an array of n strings (free with
 * tl_h5_free_strings); NULL and a message if missing or not strings. */
char **tl_h5_need_strings(tl_h5_file *h, const char *object, const char *name, size_t *n);
void tl_h5_free_strings(char **s, size_t n);

#endif
