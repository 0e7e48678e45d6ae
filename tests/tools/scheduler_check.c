/* Under mpirun -n K: the scheduler runs every unit exactly once, whatever K,
 * also when units differ tenfold in cost.  Prints "N passed, M failed" on rank 0. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "thermolearn/scheduler.h"

typedef struct {
    int *runs;
} tally;

static void unit(uint64_t u, void *context)
{
    tally *t = context;
    t->runs[u]++;
    /* units of two costs, 1 and 10 (microseconds x 50) */
    struct timespec ts = {0, (u % 7 == 0 ? 10 : 1) * 50000L};
    nanosleep(&ts, NULL);
}

static int check(uint64_t n_units, int rank, int *passed, int *failed)
{
    tally t = {calloc(n_units + 1, sizeof(int))};
    tl_scheduler_stats s = tl_scheduler_run(n_units, unit, &t, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, t.runs, (int)n_units, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    unsigned long long ran = s.units_run;
    MPI_Allreduce(MPI_IN_PLACE, &ran, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    int ok = ran == n_units;
    for (uint64_t u = 0; u < n_units; u++) ok &= t.runs[u] == 1;
    if (rank == 0) {
        printf("%s: %llu units, each run exactly once (rank 0 ran %llu, served %llu messages)\n",
               ok ? "PASS" : "FAIL", (unsigned long long)n_units, (unsigned long long)s.units_run,
               (unsigned long long)s.messages);
        *passed += ok;
        *failed += !ok;
    }
    free(t.runs);
    return ok;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, passed = 0, failed = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    uint64_t sizes[] = {0, 1, 2, 5, 97, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) check(sizes[k], rank, &passed, &failed);
    /* chunks shrink to 1 and never exceed what is left */
    int ok = tl_scheduler_chunk(0, 4) == 0 && tl_scheduler_chunk(1, 4) == 1 && tl_scheduler_chunk(7, 4) == 1 &&
             tl_scheduler_chunk(800, 4) == 100;
    if (rank == 0) {
        printf("%s: guided chunk sizes\n", ok ? "PASS" : "FAIL");
        passed += ok, failed += !ok;
        printf("%d passed, %d failed\n", passed, failed);
    }
    MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return failed ? 1 : 0;
}
