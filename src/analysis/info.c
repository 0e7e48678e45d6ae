/* `thermolearn info`: what a file holds, in a few lines. */
#include <stdio.h>
#include <stdlib.h>

#include "h5read.h"
#include "thermolearn/inspect.h"

static herr_t list_dataset(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    (void)data;
    if (info->type != H5O_TYPE_DATASET) return 0;
    hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t space = H5Dget_space(d);
    hsize_t dims[8];
    int rank = H5Sget_simple_extent_dims(space, dims, NULL);
    printf("  /%-36s [", name);
    for (int r = 0; r < rank; r++) printf("%s%llu", r ? ", " : "", (unsigned long long)dims[r]);
    printf("]");
    if (H5Aexists(d, "units") > 0) {
        hid_t a = H5Aopen(d, "units", H5P_DEFAULT);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5T_CSET_UTF8);
        char *s = NULL;
        if (H5Aread(a, mt, &s) >= 0 && s) printf("  (%s)", s[0] ? s : "-"), H5free_memory(s);
        H5Tclose(mt);
        H5Aclose(a);
    }
    printf("\n");
    H5Sclose(space);
    H5Dclose(d);
    return 0;
}

int tl_info(const char *path)
{
    hid_t file = tl_h5_open(path);
    if (file < 0) return 2;
    const char *keys[] = {"version", "git_commit", "created", "model", "input_file"};
    printf("%s: thermolearn output\n", path);
    for (size_t k = 0; k < 5; k++) {
        char *s = tl_h5_root_string(file, keys[k]);
        printf("  %-11s %s\n", keys[k], s);
        free(s);
    }
    unsigned long long v;
    const char *nums[] = {"git_dirty", "n_points", "trajectories", "seed", "n_ranks"};
    for (size_t k = 0; k < 5; k++) {
        if (H5Aexists(file, nums[k]) <= 0) continue;
        hid_t a = H5Aopen(file, nums[k], H5P_DEFAULT);
        if (H5Aread(a, H5T_NATIVE_ULLONG, &v) >= 0) printf("  %-11s %llu\n", nums[k], v);
        H5Aclose(a);
    }
    printf("datasets:\n");
    H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, list_dataset, NULL);
    H5Fclose(file);
    return 0;
}
