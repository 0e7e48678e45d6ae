/* Parallel HDF5 writer; see output.h. */
#include <string.h>

#include "thermolearn/error.h"
#include "thermolearn/output.h"
#include "thermolearn/status.h"

#define CHECK(call)                                                   \
    do {                                                              \
        if ((call) < 0) error("HDF5 call failed: %s", #call);         \
    } while (0)

int tl_output_create(tl_output *out, const char *path, MPI_Comm comm)
{
    MPI_Comm_rank(comm, &out->rank);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    CHECK(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL));
    CHECK(H5Pset_all_coll_metadata_ops(fapl, 1));
    CHECK(H5Pset_coll_metadata_write(fapl, 1));
    H5E_BEGIN_TRY { out->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl); }
    H5E_END_TRY;
    H5Pclose(fapl);
    return out->file < 0 ? TL_ERR_IO : TL_OK;
}

void tl_output_close(tl_output *out)
{
    CHECK(H5Fclose(out->file));
    out->file = -1;
}

static hid_t string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    CHECK(H5Tset_size(t, H5T_VARIABLE));
    CHECK(H5Tset_cset(t, H5T_CSET_UTF8));
    return t;
}

static void write_attr(tl_output *out, const char *object_path, const char *name, hid_t type,
                       hsize_t n, int scalar, const void *value)
{
    hid_t space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate_by_name(out->file, object_path, name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT);
    if (a < 0) error("cannot create attribute %s of %s", name, object_path);
    CHECK(H5Awrite(a, type, value));
    H5Aclose(a);
    H5Sclose(space);
}

void tl_output_attr_string(tl_output *out, const char *object_path, const char *name, const char *value)
{
    hid_t t = string_type();
    write_attr(out, object_path, name, t, 1, 1, &value);
    H5Tclose(t);
}

void tl_output_attr_strings(tl_output *out, const char *object_path, const char *name,
                            const char *const *values, size_t n)
{
    hid_t t = string_type();
    static const char *none = "";
    write_attr(out, object_path, name, t, n ? n : 1, 0, n ? (const void *)values : (const void *)&none);
    H5Tclose(t);
}

void tl_output_attr_doubles(tl_output *out, const char *object_path, const char *name, const double *values,
                            size_t n)
{
    static const double none = 0;
    write_attr(out, object_path, name, H5T_NATIVE_DOUBLE, n ? n : 1, 0, n ? (const void *)values : &none);
}

void tl_output_attr_double(tl_output *out, const char *object_path, const char *name, double value)
{
    write_attr(out, object_path, name, H5T_NATIVE_DOUBLE, 1, 1, &value);
}

void tl_output_attr_uint64(tl_output *out, const char *object_path, const char *name, unsigned long long value)
{
    write_attr(out, object_path, name, H5T_NATIVE_ULLONG, 1, 1, &value);
}

void tl_output_group(tl_output *out, const char *path, const char *description)
{
    hid_t g = H5Gcreate2(out->file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) error("cannot create group %s", path);
    H5Gclose(g);
    tl_output_attr_string(out, path, "description", description);
}

static hid_t create_dataset(tl_output *out, const char *path, hid_t file_type, int rank, const hsize_t *dims)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    CHECK(H5Pset_create_intermediate_group(lcpl, 1));
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(out->file, path, file_type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0) error("cannot create dataset %s", path);
    H5Sclose(space);
    H5Pclose(lcpl);
    return d;
}

static void describe(tl_output *out, const char *path, const char *description, const char *units)
{
    tl_output_attr_string(out, path, "description", description);
    tl_output_attr_string(out, path, "units", units);
}

static hid_t collective(void)
{
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    CHECK(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE));
    return dxpl;
}

void tl_output_write(tl_output *out, const char *path, hid_t file_type, hid_t mem_type, int rank,
                     const hsize_t *dims, const void *data, const char *description, const char *units)
{
    hid_t d = create_dataset(out, path, file_type, rank, dims);
    hid_t file_space = H5Dget_space(d);
    hid_t mem_space = H5Screate_simple(rank, dims, NULL);
    if (out->rank != 0) {
        H5Sselect_none(file_space);
        H5Sselect_none(mem_space);
    }
    hid_t dxpl = collective();
    CHECK(H5Dwrite(d, mem_type, mem_space, file_space, dxpl, data));
    H5Pclose(dxpl);
    H5Sclose(mem_space);
    H5Sclose(file_space);
    H5Dclose(d);
    describe(out, path, description, units);
}

void tl_output_write_pieces(tl_output *out, const char *path, const hsize_t dims[2], size_t n_pieces,
                            const hsize_t (*pieces)[3], const double *data, const char *description,
                            const char *units)
{
    tl_output_write_pieces_nd(out, path, 2, dims, n_pieces, pieces, data, description, units);
}

void tl_output_write_pieces_nd(tl_output *out, const char *path, int rank, const hsize_t *dims, size_t n_pieces,
                               const hsize_t (*pieces)[3], const double *data, const char *description,
                               const char *units)
{
    hid_t d = create_dataset(out, path, H5T_IEEE_F64LE, rank, dims);
    hid_t file_space = H5Dget_space(d);
    hsize_t total = 0, inner = 1, start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK];
    for (int r = 2; r < rank; r++) inner *= dims[r], count[r] = dims[r];
    H5Sselect_none(file_space);
    for (size_t k = 0; k < n_pieces; k++) {
        start[0] = pieces[k][0], start[1] = pieces[k][1], count[0] = 1, count[1] = pieces[k][2];
        CHECK(H5Sselect_hyperslab(file_space, H5S_SELECT_OR, start, NULL, count, NULL));
        total += pieces[k][2] * inner;
    }
    hid_t mem_space = H5Screate_simple(1, &total, NULL);
    if (total == 0) H5Sselect_none(mem_space);
    hid_t dxpl = collective();
    CHECK(H5Dwrite(d, H5T_NATIVE_DOUBLE, mem_space, file_space, dxpl, data));
    H5Pclose(dxpl);
    H5Sclose(mem_space);
    H5Sclose(file_space);
    H5Dclose(d);
    describe(out, path, description, units);
}
