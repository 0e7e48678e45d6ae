/* Parallel HDF5 output: one file, opened by every rank, written collectively.
 * Every dataset gets `description` and `units` attributes. */
#ifndef THERMOLEARN_OUTPUT_H
#define THERMOLEARN_OUTPUT_H

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>

#include "thermolearn/config.h"

typedef struct {
    hid_t file;
    int rank;
} tl_output;

/* Create (truncate) `path` collectively.  Returns 0 or TL_ERR_IO. */
int tl_output_create(tl_output *out, const char *path, MPI_Comm comm);
void tl_output_close(tl_output *out);

/* Attributes on the object at `object_path` (a group or dataset; "/" for the root). */
void tl_output_attr_string(tl_output *out, const char *object_path, const char *name, const char *value);
void tl_output_attr_double(tl_output *out, const char *object_path, const char *name, double value);
void tl_output_attr_uint64(tl_output *out, const char *object_path, const char *name, unsigned long long value);
void tl_output_attr_strings(tl_output *out, const char *object_path, const char *name,
                            const char *const *values, size_t n);
void tl_output_attr_doubles(tl_output *out, const char *object_path, const char *name, const double *values,
                            size_t n);

/* Create the group `path` (its parent must exist) with a `description` attribute. */
void tl_output_group(tl_output *out, const char *path, const char *description);

/* Create a dataset (and its groups) and write it whole from rank 0: `data` is
 * read on rank 0 only.  mem_type is the type of `data`; file_type the stored one. */
void tl_output_write(tl_output *out, const char *path, hid_t file_type, hid_t mem_type, int rank,
                     const hsize_t *dims, const void *data, const char *description, const char *units);

/* Create a 2-d float64 dataset [rows, columns] and write it collectively, each
 * rank its own pieces: piece k is row pieces[k][0], columns pieces[k][1] ..
 * pieces[k][1] + pieces[k][2] - 1.  Pieces must be sorted by (row, column);
 * `data` holds them one after another. */
void tl_output_write_pieces(tl_output *out, const char *path, const hsize_t dims[2], size_t n_pieces,
                            const hsize_t (*pieces)[3], const double *data, const char *description,
                            const char *units);
/* The same for a float64 dataset [rows, columns, inner...] of `rank` >= 2
 * dimensions: a piece is whole in the inner dimensions, and `data` holds
 * each piece row-major, [column][inner...]. */
void tl_output_write_pieces_nd(tl_output *out, const char *path, int rank, const hsize_t *dims, size_t n_pieces,
                               const hsize_t (*pieces)[3], const double *data, const char *description,
                               const char *units);

/* The files named by file parameters (TL_PARAM_FILE), collectively, once
 * /parameters exists.  For every file parameter of the model, /parameters
 * gets two string attributes: NAME, the file name as given ("" if none), and
 * NAME_sha256, the SHA-256 of its content when the input was parsed ("" if
 * none).  Next to the input text (root attribute `input`), the root attribute
 * `input_files` lists the named files, "[model] NAME = FILE sha256 DIGEST"
 * each, so that the input and every file it names are on record (compare
 * with `sha256sum FILE`).  (src/engine/param_files.c) */
void tl_output_param_files(tl_output *out, const tl_config *cfg);

/* The model's check declaration as /checks: what `thermolearn check`
 * compares, with the run's direction names (src/engine/checks.c, docs/check.md). */
void tl_output_checks(tl_output *out, const tl_config *cfg, const char *const *directions, size_t n_directions);

#endif
