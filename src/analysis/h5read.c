/* Readers for thermolearn files; see h5read.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5read.h"
#include "thermolearn/error.h"

hid_t tl_h5_open(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "thermolearn: %s: cannot open the file\n", path);
        return -1;
    }
    fclose(f);
    if (H5Fis_hdf5(path) <= 0) {
        fprintf(stderr, "thermolearn: %s: not an HDF5 file (or a truncated one)\n", path);
        return -1;
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        fprintf(stderr, "thermolearn: %s: cannot be opened as HDF5 (truncated or damaged?)\n", path);
        return -1;
    }
    char *program = tl_h5_root_string(file, "program");
    int ours = strcmp(program, "thermolearn") == 0;
    free(program);
    if (!ours) {
        fprintf(stderr, "thermolearn: %s: an HDF5 file, but not one written by thermolearn\n", path);
        H5Fclose(file);
        return -1;
    }
    return file;
}

char *tl_h5_root_string(hid_t file, const char *name)
{
    char *value = NULL;
    if (H5Aexists(file, name) > 0) {
        hid_t a = H5Aopen(file, name, H5P_DEFAULT);
        hid_t t = H5Aget_type(a);
        if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5T_CSET_UTF8);
            char *s = NULL;
            if (H5Aread(a, mt, &s) >= 0 && s) value = strdup(s);
            if (s) H5free_memory(s);
            H5Tclose(mt);
        }
        H5Tclose(t);
        H5Aclose(a);
    }
    return value ? value : strdup("");
}

static void *read_any(hid_t file, const char *path, int rank, size_t *dims, hid_t mem_type, size_t size)
{
    if (H5Lexists(file, path, H5P_DEFAULT) <= 0) return NULL;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return NULL;
    hid_t space = H5Dget_space(d);
    hsize_t h[H5S_MAX_RANK];
    void *data = NULL;
    if (rank >= 1 && rank <= H5S_MAX_RANK && H5Sget_simple_extent_ndims(space) == rank &&
        H5Sget_simple_extent_dims(space, h, NULL) == rank) {
        size_t n = 1;
        for (int r = 0; r < rank; r++) n *= (size_t)(dims[r] = h[r]);
        data = tl_malloc(n * size, path);
        if (H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
            free(data);
            data = NULL;
        }
    }
    H5Sclose(space);
    H5Dclose(d);
    return data;
}

int tl_h5_rank(hid_t file, const char *path)
{
    if (H5Lexists(file, path, H5P_DEFAULT) <= 0) return -1;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t space = H5Dget_space(d);
    int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return rank;
}

double *tl_h5_read_f64(hid_t file, const char *path, int rank, size_t *dims)
{
    return read_any(file, path, rank, dims, H5T_NATIVE_DOUBLE, sizeof(double));
}

uint64_t *tl_h5_read_u64(hid_t file, const char *path, int rank, size_t *dims)
{
    return read_any(file, path, rank, dims, H5T_NATIVE_UINT64, sizeof(uint64_t));
}
