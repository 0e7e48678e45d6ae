/* libFuzzer target: the IDX reader (tl_idx_read) and the text-table reader
 * (tl_table_read_text) on arbitrary bytes.  No input may crash them; each
 * either reads a dataset of finite values whose shape matches its storage, or returns status 2
 * with a message that names the file.  Seeds: small IDX files, raw and
 * gzip-compressed (the fuzzer then mutates compressed streams too). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "thermolearn/dataset.h"
#include "thermolearn/status.h"

static void check(int status, tl_dataset *d, const char *path, const char *why)
{
    if (status == 0) {
        if (!d || !d->x || d->rows == 0) abort();
        for (size_t i = 0; i < d->rows * d->features; i++)
            if (!isfinite(d->x[i])) abort(); /* every value read is finite, and all are addressable */
        tl_dataset_free(d);
    } else if (status != TL_ERR_INPUT || d || strstr(why, path) == NULL) {
        fprintf(stderr, "status %d without a dataset or a message naming %s: '%s'\n", status, path, why);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_idx_%d.bin", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    char why[1024] = "";
    tl_dataset *d = NULL;
    check(tl_idx_read(path, &d, why, sizeof why), d, path, why);
    d = NULL;
    check(tl_table_read_text(path, -1, &d, why, sizeof why), d, path, why);
    remove(path);
    return 0;
}
