/* Numbers from text and files, for model keys that hold lists or matrices
 * (couplings = 0.1, -0.2; coupling_matrix = FILE). */
#ifndef THERMOLEARN_NUMBERS_H
#define THERMOLEARN_NUMBERS_H

#include <stddef.h>

/* Parse the numbers of one line (separated by blanks or commas, a '#' ends
 * the line) into v (up to cap; v may be NULL); returns the count, or -1 with
 * `bad` pointing at the first text that is not a finite number. */
int tl_numbers_parse(const char *line, double *v, int cap, const char **bad);

/* Rows of numbers of a file (blank lines and # comments skipped).  Stores the
 * count of each row into counts (up to max_rows, may be NULL) and the values
 * into v (row r at r*stride, may be NULL).  Returns the number of rows, or -1
 * with a message naming `key` in why. */
int tl_numbers_read_rows(const char *key, const char *path, double *v, int stride, int *counts, int max_rows,
                         char *why, size_t len);

#endif
