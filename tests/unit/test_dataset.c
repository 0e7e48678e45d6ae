/* Dataset readers (src/data): IDX files, raw and gzip-compressed, with every
 * defect of the header and the data; text and HDF5 tables.  The files are
 * made here, in a temporary folder; Fashion-MNIST is read where Debian's
 * dataset-fashion-mnist is installed (and the test says when it is not).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <hdf5.h>
#include <zlib.h>

#include "thermolearn/dataset.h"
#include "thermolearn/status.h"

#define FASHION "/usr/share/datasets/fashion-mnist/"

static char dir[] = "/tmp/tl_dataset_XXXXXX";
static char why[1024];

static const char *path(const char *name)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static void write_raw(const char *name, const void *bytes, size_t n)
{
    FILE *f = fopen(path(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static void write_gz(const char *name, const void *bytes, size_t n)
{
    gzFile f = gzopen(path(name), "wb");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, bytes, (unsigned)n), (int)n);
    gzclose(f);
}

/* An IDX header and data: type 8, dims, values i % 251. Returns the size. */
static size_t idx_bytes(unsigned char *buf, int ndim, const uint32_t *dims)
{
    size_t n = 1, at = 4;
    buf[0] = 0, buf[1] = 0, buf[2] = 0x08, buf[3] = (unsigned char)ndim;
    for (int k = 0; k < ndim; k++) {
        buf[at++] = dims[k] >> 24, buf[at++] = dims[k] >> 16, buf[at++] = dims[k] >> 8, buf[at++] = dims[k];
        n *= dims[k];
    }
    for (size_t i = 0; i < n; i++) buf[at + i] = (unsigned char)(i % 251);
    return at + n;
}

static unsigned char buf[8192];

/* A 3 x 4 x 5 image file, raw and compressed: the same dataset. */
static void test_idx_good(void **state)
{
    (void)state;
    uint32_t dims[3] = {3, 4, 5};
    size_t n = idx_bytes(buf, 3, dims);
    write_raw("good.idx", buf, n);
    write_gz("good.idx.gz", buf, n);
    const char *names[2] = {"good.idx", "good.idx.gz"};
    for (int k = 0; k < 2; k++) {
        tl_dataset *d;
        assert_int_equal(tl_idx_read(path(names[k]), &d, why, sizeof why), 0);
        assert_int_equal(d->rows, 3);
        assert_int_equal(d->features, 20);
        for (size_t i = 0; i < 60; i++) assert_true(d->x[i] == (double)(i % 251));
        assert_null(d->labels);
        tl_dataset_free(d);
    }
}

/* Every defect is status 2 with a message naming the file and the problem. */
static void expect_idx_error(const char *name, const char *words)
{
    tl_dataset *d = (tl_dataset *)1;
    why[0] = '\0';
    assert_int_equal(tl_idx_read(path(name), &d, why, sizeof why), TL_ERR_INPUT);
    assert_null(d);
    if (!strstr(why, name) || !strstr(why, words)) {
        print_error("message '%s' should name %s and say '%s'\n", why, name, words);
        fail();
    }
}

static void test_idx_defects(void **state)
{
    (void)state;
    uint32_t dims[2] = {6, 7};
    size_t n = idx_bytes(buf, 2, dims);
    unsigned char bad[8192];
    /* magic: nonzero first bytes */
    memcpy(bad, buf, n), bad[0] = 0x1f, bad[1] = 0x9c;
    write_raw("magic.idx", bad, n);
    expect_idx_error("magic.idx", "magic number");
    /* unsupported type (0x0D: float) */
    memcpy(bad, buf, n), bad[2] = 0x0D;
    write_gz("type.idx.gz", bad, n);
    expect_idx_error("type.idx.gz", "data type 0x0d");
    /* zero and too many dimensions */
    memcpy(bad, buf, n), bad[3] = 0;
    write_raw("ndim0.idx", bad, n);
    expect_idx_error("ndim0.idx", "dimensions");
    memcpy(bad, buf, n), bad[3] = 9;
    write_raw("ndim9.idx", bad, n);
    expect_idx_error("ndim9.idx", "dimensions");
    memcpy(bad, buf, n), bad[4] = bad[5] = bad[6] = bad[7] = 0;
    write_raw("dim0.idx", bad, n);
    expect_idx_error("dim0.idx", "dimension 1 is 0");
    /* a header that promises more than can be */
    memcpy(bad, buf, n), bad[4] = 0xff, bad[8] = 0xff;
    write_raw("huge.idx", bad, n);
    expect_idx_error("huge.idx", "more than");
    /* a header that promises 2^30 values over 42 bytes: truncated, read in
     * growing chunks (no gigabyte allocated for it) */
    memcpy(bad, buf, n), bad[4] = 0, bad[5] = 0, bad[6] = 0x80, bad[7] = 0, bad[8] = 0, bad[9] = 0, bad[10] = 0x80,
                          bad[11] = 0;
    write_gz("liar.idx.gz", bad, n);
    expect_idx_error("liar.idx.gz", "promises 1073741824 values, the file has 42");
    /* truncation: in the header, in the data (raw and compressed) */
    write_raw("short_head.idx", buf, 6);
    expect_idx_error("short_head.idx", "truncated IDX header");
    write_raw("tiny.idx", buf, 3);
    expect_idx_error("tiny.idx", "shorter than an IDX header");
    write_raw("short.idx", buf, n - 1);
    expect_idx_error("short.idx", "promises 42 values, the file has 41");
    write_gz("short.idx.gz", buf, n - 5);
    expect_idx_error("short.idx.gz", "promises 42 values, the file has 37");
    /* a gzip stream cut short: zlib reports the damage */
    write_gz("cut.idx.gz", buf, n);
    FILE *f = fopen(path("cut.idx.gz"), "rb");
    unsigned char gz[8192];
    size_t gn = fread(gz, 1, sizeof gz, f);
    fclose(f);
    write_raw("cut.idx.gz", gz, gn - 10);
    expect_idx_error("cut.idx.gz", "truncated");
    /* trailing bytes */
    memcpy(bad, buf, n), bad[n] = 7;
    write_raw("long.idx", bad, n + 1);
    expect_idx_error("long.idx", "trailing bytes");
    write_gz("long.idx.gz", bad, n + 1);
    expect_idx_error("long.idx.gz", "trailing bytes");
    /* an empty file and a missing one */
    write_raw("empty.idx", buf, 0);
    expect_idx_error("empty.idx", "shorter than an IDX header");
    expect_idx_error("missing.idx", "cannot read");
}

/* A range of rows: values, labels, classes and digest carried over; out of range: NULL. */
static void test_dataset_rows(void **state)
{
    (void)state;
    tl_dataset *d = tl_dataset_alloc("d", 5, 2, 1);
    for (int i = 0; i < 10; i++) d->x[i] = i;
    for (int r = 0; r < 5; r++) d->labels[r] = 4 - r;
    d->classes = 5;
    snprintf(d->sha256, sizeof d->sha256, "%064d", 7);
    tl_dataset *r = tl_dataset_rows(d, "part", 3, 2);
    assert_int_equal(r->rows, 2);
    assert_true(r->x[0] == 6 && r->x[3] == 9);
    assert_int_equal(r->labels[0], 1);
    assert_int_equal(r->classes, 5);
    assert_string_equal(r->sha256, d->sha256);
    assert_string_equal(r->name, "part");
    tl_dataset_free(r);
    assert_null(tl_dataset_rows(d, "x", 4, 2));
    assert_null(tl_dataset_rows(d, "x", 6, 0));
    r = tl_dataset_rows(d, "empty", 5, 0);
    assert_int_equal(r->rows, 0);
    tl_dataset_free(r);
    tl_dataset_free(d);
}

static void test_idx_labelled(void **state)
{
    (void)state;
    uint32_t dims[3] = {4, 2, 2}, ldims[1] = {4};
    write_raw("img.idx", buf, idx_bytes(buf, 3, dims));
    write_gz("lab.idx.gz", buf, idx_bytes(buf, 1, ldims));
    tl_dataset *d;
    assert_int_equal(tl_idx_read_labelled(path("img.idx"), path("lab.idx.gz"), &d, why, sizeof why), 0);
    assert_int_equal(d->rows, 4);
    assert_int_equal(d->features, 4);
    for (int i = 0; i < 4; i++) assert_int_equal(d->labels[i], i);
    assert_int_equal(d->classes, 4);
    tl_dataset_free(d);
    uint32_t l5[1] = {5}, l2[2] = {4, 2};
    write_raw("lab5.idx", buf, idx_bytes(buf, 1, l5));
    assert_int_equal(tl_idx_read_labelled(path("img.idx"), path("lab5.idx"), &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "5 labels, but"));
    write_raw("lab2d.idx", buf, idx_bytes(buf, 2, l2));
    assert_int_equal(tl_idx_read_labelled(path("img.idx"), path("lab2d.idx"), &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "one-dimensional"));
}

static void test_fashion_mnist(void **state)
{
    (void)state;
    if (access(FASHION "train-images-idx3-ubyte.gz", R_OK) != 0) {
        printf("SKIPPED: %s not installed (Debian package dataset-fashion-mnist)\n", FASHION);
        skip();
    }
    const char *img[2] = {FASHION "train-images-idx3-ubyte.gz", FASHION "t10k-images-idx3-ubyte.gz"};
    const char *lab[2] = {FASHION "train-labels-idx1-ubyte.gz", FASHION "t10k-labels-idx1-ubyte.gz"};
    const size_t rows[2] = {60000, 10000};
    const char *sha[2] = {"b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                          "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"};
    for (int k = 0; k < 2; k++) {
        tl_dataset *d;
        assert_int_equal(tl_idx_read_labelled(img[k], lab[k], &d, why, sizeof why), 0);
        assert_int_equal(d->rows, rows[k]);
        assert_int_equal(d->features, 784);
        assert_int_equal(d->classes, 10);
        size_t count[10] = {0};
        for (size_t r = 0; r < d->rows; r++) count[d->labels[r]]++;
        for (int c = 0; c < 10; c++) assert_int_equal(count[c], rows[k] / 10);
        double lo = 1e9, hi = -1e9;
        for (size_t i = 0; i < d->rows * 784; i++) lo = fmin(lo, d->x[i]), hi = fmax(hi, d->x[i]);
        assert_true(lo == 0 && hi == 255);
        tl_dataset_free(d);
        assert_int_equal(tl_idx_read(img[k], &d, why, sizeof why), 0);
        assert_string_equal(d->sha256, sha[k]);
        tl_dataset_free(d);
    }
}

/* ---- tables -------------------------------------------------------------------------- */

static void write_text(const char *name, const char *text)
{
    write_raw(name, text, strlen(text));
}

static void test_text_table(void **state)
{
    (void)state;
    write_text("t.txt", "# x1 x2 label\n0.5, -1, 2\n\n1e-3 4 0   # comment\n7 8 1\n");
    tl_dataset *d;
    assert_int_equal(tl_table_read_text(path("t.txt"), -1, &d, why, sizeof why), 0);
    assert_int_equal(d->rows, 3);
    assert_int_equal(d->features, 2);
    assert_true(d->x[0] == 0.5 && d->x[1] == -1 && d->x[2] == 1e-3 && d->x[5] == 8);
    assert_int_equal(d->labels[0], 2);
    assert_int_equal(d->labels[1], 0);
    assert_int_equal(d->classes, 3);
    tl_dataset_free(d);
    /* label first; no label */
    assert_int_equal(tl_table_read_text(path("t.txt"), 0, &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "row 1: label 0.5 is not an integer"));
    assert_non_null(strstr(why, "t.txt"));
    assert_int_equal(tl_table_read_text(path("t.txt"), TL_TABLE_NO_LABEL, &d, why, sizeof why), 0);
    assert_int_equal(d->features, 3);
    assert_null(d->labels);
    tl_dataset_free(d);

    write_text("ragged.txt", "1 2 0\n3 4 1\n5 6\n");
    assert_int_equal(tl_table_read_text(path("ragged.txt"), -1, &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "ragged.txt:3: 2 values, but the first row has 3"));
    write_text("nan.txt", "1 2 0\n3 nan 1\n");
    assert_int_equal(tl_table_read_text(path("nan.txt"), -1, &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "nan.txt:2: 'nan' is not a finite number"));
    write_text("frac.txt", "1 2 0\n3 4 1.5\n");
    assert_int_equal(tl_table_read_text(path("frac.txt"), -1, &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "row 2: label 1.5"));
    write_text("neg.txt", "1 2 -1\n");
    assert_int_equal(tl_table_read_text(path("neg.txt"), 2, &d, why, sizeof why), TL_ERR_INPUT);
    write_text("blank.txt", "# nothing\n\n");
    assert_int_equal(tl_table_read_text(path("blank.txt"), -1, &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "no rows"));
    assert_int_equal(tl_table_read_text(path("none.txt"), -1, &d, why, sizeof why), TL_ERR_INPUT);
    assert_null(d);
}

static void h5_write(hid_t f, const char *name, hid_t type, int rank, hsize_t d0, hsize_t d1, const void *v)
{
    hsize_t dims[2] = {d0, d1};
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, type == H5T_STD_I32LE ? H5T_NATIVE_INT : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(ds), H5Sclose(sp);
}

static void test_h5_table(void **state)
{
    (void)state;
    hid_t f = H5Fcreate(path("t.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    double x[6] = {1, 2, 3, 4, 5, 6}, xn[6] = {1, 2, NAN, 4, 5, 6};
    int y[3] = {0, 3, 1}, yb[2] = {0, 1}, yneg[3] = {0, -2, 1};
    h5_write(f, "inputs", H5T_IEEE_F64LE, 2, 3, 2, x);
    h5_write(f, "labels", H5T_STD_I32LE, 1, 3, 0, y);
    h5_write(f, "short", H5T_STD_I32LE, 1, 2, 0, yb);
    h5_write(f, "negative", H5T_STD_I32LE, 1, 3, 0, yneg);
    h5_write(f, "nan", H5T_IEEE_F64LE, 2, 3, 2, xn);
    H5Fclose(f);
    tl_dataset *d;
    assert_int_equal(tl_table_read_h5(path("t.h5"), "inputs", "labels", &d, why, sizeof why), 0);
    assert_int_equal(d->rows, 3);
    assert_int_equal(d->features, 2);
    assert_true(d->x[5] == 6);
    assert_int_equal(d->labels[1], 3);
    assert_int_equal(d->classes, 4);
    tl_dataset_free(d);
    const char *cases[][3] = {{"inputs", "short", "has 2 rows but 'inputs' has 3"},
                              {"inputs", "negative", "row 2: label -2"},
                              {"nan", "labels", "row 2 column 1 is not finite"},
                              {"inputs", "absent", "no dataset 'absent'"},
                              {"labels", "", "has 1 dimensions, expected 2"}};
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(tl_table_read_h5(path("t.h5"), cases[k][0], cases[k][1], &d, why, sizeof why),
                         TL_ERR_INPUT);
        assert_null(d);
        if (!strstr(why, cases[k][2]) || !strstr(why, "t.h5")) {
            print_error("message '%s' should say '%s'\n", why, cases[k][2]);
            fail();
        }
    }
    write_text("not.h5", "1 2 3\n");
    assert_int_equal(tl_table_read_h5(path("not.h5"), "inputs", "labels", &d, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "not an HDF5 file"));
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_good),   cmocka_unit_test(test_idx_defects), cmocka_unit_test(test_idx_labelled),
        cmocka_unit_test(test_dataset_rows),
        cmocka_unit_test(test_fashion_mnist), cmocka_unit_test(test_text_table), cmocka_unit_test(test_h5_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
