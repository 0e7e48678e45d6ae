/* Error reporting in the SWIFT style.
 *
 * error(): an internal failure (a bug, an allocation failure, an HDF5 call
 * that must not fail).  Prints rank, file, function and line, then aborts the
 * whole MPI job.
 * tl_input_error(): a problem with what the user gave us (file, line, key);
 * printed once and the caller returns TL_ERR_INPUT, which becomes exit status 2.
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
