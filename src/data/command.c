/* `thermolearn data`: datasets written to HDF5 files.
 *
 *   thermolearn data mnist1d [--KEY VALUE ...] [--samples N] -o OUT.h5 [--force]
 *
 * writes the generated MNIST-1D set with the names, shapes and order of the
 * upstream frozen file (x_train, y_train, x_test, y_test, t, templates_*),
 * each with a description and units, and the generator's parameters as root
 * attributes.  Like `run`, it keeps an existing file unless --force, and
 * writes OUT.h5.partial first and renames it when complete.
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "thermolearn/dataset.h"
#include "thermolearn/version.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

static const char *usage_data =
    "usage: thermolearn data mnist1d [--seed S] [--samples N] [--KEY VALUE ...] -o OUT.h5 [--force]\n"
    "  Generates MNIST-1D (Greydanus & Kobak) exactly as the upstream code with numpy's\n"
    "  RandomState(seed) does, and writes x_train, y_train, x_test, y_test, t, templates_x,\n"
    "  templates_t, templates_y (the names and shapes of the upstream mnist1d_data file).\n"
    "  Keys (defaults): num_samples (5000; --samples N is the same), train_split (0.8),\n"
    "  padding_min (36), padding_max (60), scale_coeff (0.4), max_translation (48),\n"
    "  corr_noise_scale (0.25), iid_noise_scale (0.02), shear_scale (0.75), shuffle_seq (0),\n"
    "  final_seq_length (40), seed (42; 0 .. 2^32-1).  An existing OUT.h5 is kept unless\n"
    "  --force; the file is written as OUT.h5.partial and renamed when complete.\n"
    "  Exit status: 0 written, 2 bad arguments or OUT.h5 exists, 3 OUT.h5 not writable.\n";

static int bad(const char *what)
{
    fprintf(stderr, "thermolearn data: %s\n%s", what, usage_data);
    return TL_ERR_INPUT;
}

static herr_t attr_string(hid_t obj, const char *name, const char *value)
{
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, H5T_VARIABLE);
    H5Tset_cset(ty, H5T_CSET_UTF8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, ty, &value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp), H5Tclose(ty);
    return st;
}

static herr_t attr_double(hid_t obj, const char *name, double value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return st;
}

static herr_t attr_long(hid_t obj, const char *name, long long value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_LLONG, &value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return st;
}

/* A dataset of doubles (int64 when labels) with its description and units. */
static herr_t write_set(hid_t file, const char *name, int rank, size_t d0, size_t d1, const double *x,
                        const int *labels, const char *description, const char *units)
{
    hsize_t dims[2] = {d0, d1};
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ty = labels ? H5T_STD_I64LE : H5T_IEEE_F64LE;
    hid_t ds = H5Dcreate2(file, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : 0;
    if (!st && labels) {
        long long *v = tl_malloc((d0 ? d0 : 1) * sizeof *v, "labels");
        for (size_t i = 0; i < d0; i++) v[i] = labels[i];
        st = H5Dwrite(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
        free(v);
    } else if (!st)
        st = H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
    if (!st) st = attr_string(ds, "description", description);
    if (!st) st = attr_string(ds, "units", units);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    return st;
}

static int write_mnist1d(const char *path, const tl_mnist1d_args *a, const tl_mnist1d *m)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_sec2(fapl);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (file < 0) return -1;
    size_t F = m->length;
    double tx[10][12], tt[12];
    int ty[10];
    tl_mnist1d_templates(tx, tt);
    for (int c = 0; c < 10; c++) ty[c] = c;
    char canon[1024], desc[512];
    tl_mnist1d_canonical(a, canon, sizeof canon);
    herr_t st = 0;
    st |= write_set(file, "x_train", 2, m->train->rows, F, m->train->x, NULL,
                    "training inputs, one row per sample: the generated signal at the final_seq_length positions, "
                    "normalised by the mean and std of all rows (train and test) before the split",
                    "dimensionless");
    st |= write_set(file, "y_train", 1, m->train->rows, 0, NULL, m->train->labels,
                    "class (digit template 0..9) of each training row", "dimensionless");
    st |= write_set(file, "x_test", 2, m->test->rows, F, m->test->x, NULL,
                    "test inputs (the rows after the training rows of the shuffled set), normalised as x_train",
                    "dimensionless");
    st |= write_set(file, "y_test", 1, m->test->rows, 0, NULL, m->test->labels, "class of each test row",
                    "dimensionless");
    snprintf(desc, sizeof desc,
             "plotting coordinate of the positions: linspace(-5/6,5/6) resampled 12->%d->%zu and divided by the "
             "pre-normalisation global std %.17g",
             12 + a->padding_max, F, m->std);
    st |= write_set(file, "t", 1, F, 0, m->t, NULL, desc, "dimensionless");
    st |= write_set(file, "templates_x", 2, 10, 12, &tx[0][0], NULL,
                    "the 10 digit templates (12 points each) after per-row standardisation, shift to start at 0, "
                    "and division by 6",
                    "dimensionless");
    st |= write_set(file, "templates_t", 1, 12, 0, tt, NULL, "template coordinate linspace(-5,5,12)/6",
                    "dimensionless");
    st |= write_set(file, "templates_y", 1, 10, 0, NULL, ty, "class of each template", "dimensionless");
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    st |= attr_string(root, "title", "MNIST-1D generated by thermolearn (the upstream procedure with numpy's "
                                     "legacy RandomState, reimplemented in C)");
    st |= attr_string(root, "source_repository", "https://github.com/greydanus/mnist1d");
    st |= attr_string(root, "license", "data procedure Apache-2.0; cite Greydanus & Kobak, ICML 2024 "
                                       "(arXiv:2011.14439)");
    st |= attr_string(root, "generator_parameters", canon);
    st |= attr_string(root, "generator_sha256", m->train->sha256);
    char version[256];
    snprintf(version, sizeof version, "%s (%s)", tl_version, tl_git_commit);
    st |= attr_string(root, "thermolearn_version", version);
    long long ints[] = {a->num_samples, a->template_len, a->padding_min, a->padding_max, a->max_translation,
                        a->shuffle_seq, a->final_seq_length, a->seed};
    const char *int_names[] = {"num_samples", "template_len", "padding_min", "padding_max", "max_translation",
                               "shuffle_seq", "final_seq_length", "seed"};
    for (int k = 0; k < 8; k++) st |= attr_long(root, int_names[k], ints[k]);
    double reals[] = {a->train_split, a->scale_coeff, a->corr_noise_scale, a->iid_noise_scale, a->shear_scale,
                      m->mean, m->std};
    const char *real_names[] = {"train_split", "scale_coeff", "corr_noise_scale", "iid_noise_scale", "shear_scale",
                                "raw_mean", "raw_std"};
    for (int k = 0; k < 7; k++) st |= attr_double(root, real_names[k], reals[k]);
    H5Gclose(root);
    if (H5Fclose(file) < 0) st = -1;
    return st < 0 ? -1 : 0;
}

static int command_mnist1d(int argc, char **argv)
{
    tl_mnist1d_args a;
    tl_mnist1d_defaults(&a);
    const char *out = NULL;
    int force = 0;
    char why[512];
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--force") == 0) force = 1;
        else if (strncmp(argv[i], "--", 2) == 0 && i + 1 < argc) {
            const char *key = strcmp(argv[i] + 2, "samples") == 0 ? "num_samples" : argv[i] + 2;
            if (tl_mnist1d_set(&a, key, argv[++i], why, sizeof why)) return bad(why);
        } else {
            snprintf(why, sizeof why, "unexpected argument '%s'", argv[i]);
            return bad(why);
        }
    }
    if (!out) return bad("no output file (-o OUT.h5)");
    if (tl_mnist1d_check(&a, why, sizeof why)) return bad(why);
    struct stat sb;
    if (!force && stat(out, &sb) == 0) {
        fprintf(stderr, "thermolearn data: %s exists; --force replaces it\n", out);
        return TL_ERR_INPUT;
    }
    tl_mnist1d m;
    if (tl_mnist1d_generate(&a, &m, why, sizeof why)) return bad(why);
    size_t n = strlen(out) + 16;
    char *tmp = tl_malloc(n, "file name");
    snprintf(tmp, n, "%s.partial", out);
    H5E_auto2_t func;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int status = write_mnist1d(tmp, &a, &m);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    if (status || rename(tmp, out)) {
        fprintf(stderr, "thermolearn data: cannot write %s\n", status ? tmp : out);
        remove(tmp);
        status = TL_ERR_IO;
    } else
        printf("thermolearn data: wrote %s: %zu train and %zu test rows of %zu values, seed %u\n", out,
               m.train->rows, m.test->rows, m.length, (unsigned)a.seed);
    free(tmp);
    tl_mnist1d_free(&m);
    return status;
}

int tl_data_command(int argc, char **argv)
{
    if (argc < 1) return bad("no dataset given");
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return printf("%s", usage_data), 0;
    if (strcmp(argv[0], "mnist1d") == 0) return command_mnist1d(argc - 1, argv + 1);
    return bad("unknown dataset (known: mnist1d)");
}
