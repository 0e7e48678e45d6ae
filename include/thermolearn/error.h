/* Error reporting in the SWIFT style.
 *
 * error(): an internal failure (a bug, an allocation failure, an HDF5 call
 * that must not fail).  Prints rank, file, function and line, then aborts the
 * whole MPI job.
 * A problem with what the user gave us is not an error(): the function that
 * finds it writes "file:line: [section] key: problem" into the caller's `why`
 * buffer and returns TL_ERR_INPUT (status.h); the command prints it once with
 * tl_message() and exits with status 2.
 * tl_message(), tl_warning(): a line on stderr, from rank 0 only.
 */
#ifndef THERMOLEARN_ERROR_H
#define THERMOLEARN_ERROR_H

#include <stdarg.h>
#include <stddef.h>

void tl_error_abort(const char *file, const char *func, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));
void tl_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tl_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define error(...) tl_error_abort(__FILE__, __func__, __LINE__, __VA_ARGS__)

/* Allocation that cannot fail silently. */
void *tl_malloc(size_t size, const char *what);
void *tl_calloc(size_t n, size_t size, const char *what);

/* This process's rank in MPI_COMM_WORLD, or 0 before MPI_Init. */
int tl_rank(void);

#endif
