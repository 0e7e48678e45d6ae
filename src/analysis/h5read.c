/* Readers for thermolearn files; see h5read.h. */
#include <stdarg.h>
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

/* ---- reading a file that must be whole ---------------------------------------------------- */

void tl_h5_fail(tl_h5_file *h, const char *object, const char *fmt, ...)
{
    if (h->bad) return;
    h->bad = 1;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "thermolearn: %s: %s: ", h->path, object);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (a damaged or incomplete file)\n");
    va_end(ap);
}

static const char *class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "floating point";
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ARRAY: return "array";
    case H5T_ENUM: return "enum";
    case H5T_VLEN: return "variable-length";
    default: return "another class";
    }
}

/* The checks of tl_h5_need_*, then the data converted to mem_type (of `bytes` bytes, as stored). */
static void *read_sized(tl_h5_file *h, const char *path, int rank, const size_t *want, size_t *dims,
                        H5T_class_t cls, size_t bytes, hid_t mem_type, int optional)
{
    if (h->bad) return NULL;
    htri_t exists = H5Lexists(h->file, path, H5P_DEFAULT);
    if (exists <= 0) {
        /* H5Lexists fails (< 0) when a group on the way is missing or not a group. */
        if (!optional) tl_h5_fail(h, path, "missing");
        return NULL;
    }
    H5O_info_t info;
    if (H5Oget_info_by_name(h->file, path, &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET) {
        tl_h5_fail(h, path, "not a dataset");
        return NULL;
    }
    hid_t d = H5Dopen2(h->file, path, H5P_DEFAULT);
    if (d < 0) {
        tl_h5_fail(h, path, "cannot be opened");
        return NULL;
    }
    hid_t type = H5Dget_type(d), space = H5Dget_space(d);
    H5T_class_t c = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    size_t size = type >= 0 ? H5Tget_size(type) : 0;
    int ndims = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t ext[8] = {0};
    void *data = NULL;
    if (c != cls || size != bytes) {
        tl_h5_fail(h, path, "stored as %zu-byte %s, expected %zu-bit %s", size, class_name(c), 8 * bytes,
                   class_name(cls));
    } else if (ndims != rank || H5Sget_simple_extent_dims(space, ext, NULL) != rank) {
        tl_h5_fail(h, path, "has %d dimension(s), expected %d", ndims, rank);
    } else {
        size_t n = 1;
        char shape[96] = "", expect[96] = "";
        int wrong = 0;
        for (int r = 0; r < rank; r++) {
            dims[r] = (size_t)ext[r];
            n *= dims[r];
            wrong |= ext[r] == 0 || (want && want[r] && want[r] != ext[r]);
            size_t at = strlen(shape), at2 = strlen(expect);
            snprintf(shape + at, sizeof shape - at, "%s%llu", r ? ", " : "", (unsigned long long)ext[r]);
            if (want && want[r]) snprintf(expect + at2, sizeof expect - at2, "%s%zu", r ? ", " : "", want[r]);
            else snprintf(expect + at2, sizeof expect - at2, "%s>0", r ? ", " : "");
        }
        if (wrong) {
            tl_h5_fail(h, path, "shape [%s], expected [%s]", shape, expect);
        } else {
            data = malloc(n * bytes);
            if (!data) tl_h5_fail(h, path, "too large to read (%zu values)", n);
            else if (H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
                free(data), data = NULL;
                tl_h5_fail(h, path, "cannot be read");
            }
        }
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return data;
}

static void *read_checked(tl_h5_file *h, const char *path, int rank, const size_t *want, size_t *dims,
                          H5T_class_t cls, hid_t mem_type, int optional)
{
    return read_sized(h, path, rank, want, dims, cls, 8, mem_type, optional);
}

double *tl_h5_need_f64(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims)
{
    return read_checked(h, dset, rank, want, dims, H5T_FLOAT, H5T_NATIVE_DOUBLE, 0);
}

uint64_t *tl_h5_need_u64(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims)
{
    return read_checked(h, dset, rank, want, dims, H5T_INTEGER, H5T_NATIVE_UINT64, 0);
}

double *tl_h5_optional_f64(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims)
{
    return read_checked(h, dset, rank, want, dims, H5T_FLOAT, H5T_NATIVE_DOUBLE, 1);
}

int8_t *tl_h5_need_i8(tl_h5_file *h, const char *dset, int rank, const size_t *want, size_t *dims)
{
    return read_sized(h, dset, rank, want, dims, H5T_INTEGER, 1, H5T_NATIVE_INT8, 0);
}

/* The attribute `name` of `object`, open, or -1 (and a message unless optional and absent). */
static hid_t open_attr(tl_h5_file *h, const char *object, const char *name, int optional)
{
    if (h->bad) return -1;
    char what[512];
    snprintf(what, sizeof what, "%s attribute %s", object, name);
    if (H5Lexists(h->file, object, H5P_DEFAULT) <= 0 && strcmp(object, "/") != 0) {
        tl_h5_fail(h, object, "missing");
        return -1;
    }
    htri_t exists = H5Aexists_by_name(h->file, object, name, H5P_DEFAULT);
    if (exists <= 0) {
        if (!optional || exists < 0) tl_h5_fail(h, what, "missing");
        return -1;
    }
    hid_t a = H5Aopen_by_name(h->file, object, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) tl_h5_fail(h, what, "cannot be opened");
    return a;
}

static hid_t utf8_string(void)
{
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    return mt;
}

/* Read n variable-length strings of attribute a into copies; NULL and a message on failure. */
static char **read_strings(tl_h5_file *h, hid_t a, const char *what, int scalar, size_t *n_out)
{
    hid_t t = H5Aget_type(a), space = H5Aget_space(a);
    int is_vstring = t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0;
    H5S_class_t sc = space >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
    int ndims = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    char **copy = NULL;
    if (!is_vstring) tl_h5_fail(h, what, "not a variable-length string");
    else if (scalar ? sc != H5S_SCALAR : ndims != 1 || n < 1 || n > 1 << 20)
        tl_h5_fail(h, what, "expected %s", scalar ? "one string" : "a list of strings");
    else {
        char **raw = calloc((size_t)n, sizeof *raw);
        hid_t mt = utf8_string();
        if (!raw || H5Aread(a, mt, raw) < 0) tl_h5_fail(h, what, "cannot be read");
        else {
            copy = calloc((size_t)n, sizeof *copy);
            for (hssize_t k = 0; copy && k < n; k++) copy[k] = strdup(raw[k] ? raw[k] : "");
            for (hssize_t k = 0; k < n; k++) if (raw[k]) H5free_memory(raw[k]);
            *n_out = (size_t)n;
        }
        free(raw);
        H5Tclose(mt);
    }
    if (t >= 0) H5Tclose(t);
    if (space >= 0) H5Sclose(space);
    return copy;
}

char *tl_h5_need_string(tl_h5_file *h, const char *object, const char *name, int optional)
{
    hid_t a = open_attr(h, object, name, optional);
    if (a < 0) return NULL;
    char what[512];
    snprintf(what, sizeof what, "%s attribute %s", object, name);
    size_t n = 0;
    char **s = read_strings(h, a, what, 1, &n);
    H5Aclose(a);
    char *value = s ? s[0] : NULL;
    free(s);
    return value;
}

int tl_h5_need_uint(tl_h5_file *h, const char *object, const char *name, uint64_t *value)
{
    hid_t a = open_attr(h, object, name, 0);
    if (a < 0) return -1;
    char what[512];
    snprintf(what, sizeof what, "%s attribute %s", object, name);
    hid_t t = H5Aget_type(a), space = H5Aget_space(a);
    int ok = t >= 0 && H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) == 8 && space >= 0 &&
             H5Sget_simple_extent_type(space) == H5S_SCALAR;
    if (!ok) tl_h5_fail(h, what, "expected one 64-bit integer");
    else if (H5Aread(a, H5T_NATIVE_UINT64, value) < 0) ok = 0, tl_h5_fail(h, what, "cannot be read");
    if (t >= 0) H5Tclose(t);
    if (space >= 0) H5Sclose(space);
    H5Aclose(a);
    return ok ? 0 : -1;
}

char **tl_h5_need_strings(tl_h5_file *h, const char *object, const char *name, size_t *n)
{
    hid_t a = open_attr(h, object, name, 0);
    if (a < 0) return NULL;
    char what[512];
    snprintf(what, sizeof what, "%s attribute %s", object, name);
    char **s = read_strings(h, a, what, 0, n);
    H5Aclose(a);
    return s;
}

void tl_h5_free_strings(char **s, size_t n)
{
    for (size_t k = 0; s && k < n; k++) free(s[k]);
    free(s);
}
