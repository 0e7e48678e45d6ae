/* Error, warning and message output; see error.h. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "thermolearn/error.h"

int tl_rank(void)
{
    int initialized = 0, finalized = 0, rank = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

void tl_error_abort(const char *file, const char *func, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "[rank %d] %s:%s():%d: error: ", tl_rank(), file, func, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1);
}

/* Messages and warnings come from rank 0 only: every rank reaches the same
 * conclusion, and a user wants to read it once. */
void tl_message(const char *fmt, ...)
{
    if (tl_rank() != 0) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void tl_warning(const char *fmt, ...)
{
    if (tl_rank() != 0) return;
    va_list ap;
    fputs("thermolearn: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void *tl_malloc(size_t size, const char *what)
{
    void *p = malloc(size ? size : 1);
    if (!p) error("cannot allocate %zu bytes for %s", size, what);
    return p;
}

void *tl_calloc(size_t n, size_t size, const char *what)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) error("cannot allocate %zu x %zu bytes for %s", n, size, what);
    return p;
}
