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

#endif
