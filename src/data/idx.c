/* IDX files (the MNIST format: LeCun, Cortes & Burges), raw or
 * gzip-compressed, read through zlib (gzread passes raw files through).
 *
 * Layout: two zero bytes, a type byte (0x08: unsigned byte), the number of
 * dimensions, then each dimension as a big-endian 32-bit count, then the data
 * in C order.  Everything the header promises must be there and nothing
 * more: a short file and trailing bytes are both errors, so a damaged or
 * mismatched download is caught here and not as a strange result later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "thermolearn/dataset.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

#define IDX_UBYTE 0x08
#define IDX_MAX_DIMS 4
#define IDX_MAX_VALUES ((uint64_t)1 << 31) /* 16 GiB as doubles */
#define CHUNK ((size_t)1 << 20)               /* first allocation for the values */

#define FAIL(...) (snprintf(why, len, __VA_ARGS__), TL_ERR_INPUT)

/* Exactly n bytes; 0, or the count read (< n) with *err set on a zlib error. */
static size_t read_bytes(gzFile f, unsigned char *buf, size_t n, const char **err)
{
    size_t got = 0;
    *err = NULL;
    while (got < n) {
        unsigned chunk = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
        int r = gzread(f, buf + got, chunk);
        if (r < 0) {
            int code;
            *err = gzerror(f, &code);
            return got;
        }
        if (r == 0) {
            int code;
            const char *e = gzerror(f, &code);
            if (code != Z_OK) *err = e;
            return got;
        }
        got += (size_t)r;
    }
    return got;
}

/* The header and data of one IDX file: dims[ndim], values (malloc'd). */
static int idx_load(const char *path, int *ndim, uint32_t dims[IDX_MAX_DIMS], unsigned char **values, size_t *count,
                    char *why, size_t len)
{
    *values = NULL;
    gzFile f = gzopen(path, "rb");
    if (!f) return FAIL("%s: cannot open the file (%s)", path, errno ? strerror(errno) : "zlib");
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    const char *err;
    int status = 0;
    size_t got = read_bytes(f, head, 4, &err);
    if (got < 4) status = FAIL("%s: %s: %zu bytes, shorter than an IDX header (4)", path, err ? err : "truncated", got);
    else if (head[0] != 0 || head[1] != 0)
        status = FAIL("%s: not an IDX file: magic number 0x%02x%02x%02x%02x does not start with two zero bytes", path,
                      head[0], head[1], head[2], head[3]);
    else if (head[2] != IDX_UBYTE)
        status = FAIL("%s: IDX data type 0x%02x is not supported (only 0x08, unsigned bytes, as in MNIST)", path,
                      head[2]);
    else if (head[3] < 1 || head[3] > IDX_MAX_DIMS)
        status = FAIL("%s: IDX header gives %d dimensions (1 .. %d supported)", path, head[3], IDX_MAX_DIMS);
    uint64_t n = 1;
    if (!status) {
        *ndim = head[3];
        size_t need = 4 * (size_t)*ndim;
        got = read_bytes(f, head + 4, need, &err);
        if (got < need) status = FAIL("%s: truncated IDX header (%s)", path, err ? err : "end of file");
        for (int k = 0; k < *ndim && !status; k++) {
            const unsigned char *b = head + 4 + 4 * k;
            dims[k] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
            if (dims[k] == 0) status = FAIL("%s: IDX dimension %d is 0", path, k + 1);
            else if ((n *= dims[k]) > IDX_MAX_VALUES)
                status = FAIL("%s: the IDX header promises more than %llu values", path,
                              (unsigned long long)IDX_MAX_VALUES);
        }
    }
    if (!status) {
        /* grown as the data arrive: a header that promises too much costs no memory */
        size_t cap = n < CHUNK ? (size_t)n : CHUNK;
        got = 0;
        *values = malloc(cap);
        while (*values && got < n) {
            if (got == cap) {
                cap = n - cap < cap ? (size_t)n : 2 * cap;
                unsigned char *v = realloc(*values, cap);
                if (!v) free(*values);
                *values = v;
                if (!v) break;
            }
            size_t r = read_bytes(f, *values + got, cap - got, &err);
            got += r;
            if (got < cap) break; /* end of the data, or damage */
        }
        if (!*values) status = FAIL("%s: %llu values do not fit in memory", path, (unsigned long long)n);
        else if (got < n)
            status = FAIL("%s: truncated: the header promises %llu values, the file has %zu%s%s", path,
                          (unsigned long long)n, got, err ? ": " : "", err ? err : "");
    }
    if (!status) {
        unsigned char extra;
        got = read_bytes(f, &extra, 1, &err);
        if (got) status = FAIL("%s: trailing bytes after the %llu values the header promises", path,
                               (unsigned long long)n);
        else if (err) status = FAIL("%s: damaged compressed data after the values: %s", path, err);
    }
    gzclose(f);
    if (status) free(*values), *values = NULL;
    *count = (size_t)n;
    return status;
}

int tl_idx_read(const char *path, tl_dataset **out, char *why, size_t len)
{
    *out = NULL;
    char digest[TL_SHA256_HEX];
    if (tl_sha256_file(path, digest)) return FAIL("%s: cannot read the file (%s)", path, strerror(errno));
    int ndim;
    uint32_t dims[IDX_MAX_DIMS];
    unsigned char *v;
    size_t n;
    int status = idx_load(path, &ndim, dims, &v, &n, why, len);
    if (status) return status;
    tl_dataset *d = tl_dataset_alloc(path, dims[0], n / dims[0], 0);
    for (size_t i = 0; i < n; i++) d->x[i] = v[i];
    free(v);
    memcpy(d->sha256, digest, sizeof digest);
    *out = d;
    return 0;
}

int tl_idx_read_labelled(const char *images, const char *labels, tl_dataset **out, char *why, size_t len)
{
    *out = NULL;
    tl_dataset *x, *y;
    int status = tl_idx_read(images, &x, why, len);
    if (status) return status;
    if ((status = tl_idx_read(labels, &y, why, len))) {
        tl_dataset_free(x);
        return status;
    }
    if (y->features != 1) status = FAIL("%s: labels must be one-dimensional, this file has %zu values a row", labels,
                                         y->features);
    else if (y->rows != x->rows)
        status = FAIL("%s: %zu labels, but %s has %zu images", labels, y->rows, images, x->rows);
    if (!status) {
        x->labels = tl_malloc(x->rows * sizeof *x->labels, "labels");
        for (size_t r = 0; r < x->rows; r++) {
            x->labels[r] = (int)y->x[r];
            if (x->labels[r] + 1 > x->classes) x->classes = x->labels[r] + 1;
        }
        /* one digest for the pair: of the two files' digests */
        tl_sha256 h;
        tl_sha256_init(&h);
        tl_sha256_update(&h, x->sha256, strlen(x->sha256));
        tl_sha256_update(&h, y->sha256, strlen(y->sha256));
        tl_sha256_final_hex(&h, x->sha256);
    }
    tl_dataset_free(y);
    if (status) {
        tl_dataset_free(x);
        return status;
    }
    *out = x;
    return 0;
}
