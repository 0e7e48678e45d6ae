/* libFuzzer target: `thermolearn check` and `info` on arbitrary files
 * (truncated, damaged, foreign HDF5, not HDF5 at all).  No file may crash
 * them; each must end with an exit status of 0, 1 or 2. */
#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "thermolearn/inspect.h"

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    snprintf(path, sizeof path, "/tmp/tl_fuzz_h5_%d.h5", (int)getpid());
    /* The tables go to stdout: not wanted thousands of times. */
    if (!freopen("/dev/null", "w", stdout)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size) fwrite(data, 1, size, f);
    fclose(f);
    int check = tl_check(path, 0), json = tl_check(path, 1), info = tl_info(path);
    unlink(path);
    /* One file per process in the real binary; here libhdf5's free lists would
     * carry the blocks of every input into the next (a later input's allocation
     * then passes the 2 GB limit, a crash that its input alone does not repeat). */
    H5garbage_collect();
    if (check < 0 || check > 2 || json < 0 || json > 2 || info < 0 || info > 2) {
        fprintf(stderr, "exit statuses check %d, check --json %d, info %d: expected 0, 1 or 2\n", check, json, info);
        abort();
    }
    return 0;
}
