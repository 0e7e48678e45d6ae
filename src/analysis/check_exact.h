/* `check` of model datasets X against X_exact within X_err (check_exact.c). */
#ifndef THERMOLEARN_CHECK_EXACT_H
#define THERMOLEARN_CHECK_EXACT_H

#include "h5read.h"

/* 0 all pass, 1 a point fails, 2 a damaged triple (a message printed: a part
 * missing or of another shape, or not one row per grid point), -1 the file
 * has no such triple. */
int tl_check_exact_pairs(tl_h5_file *h, const char *model, int json);

#endif
