/* `check` of model datasets X against X_exact within X_err (check_exact.c). */
#ifndef THERMOLEARN_CHECK_EXACT_H
#define THERMOLEARN_CHECK_EXACT_H

#include <hdf5.h>

/* 0 all pass, 1 a point fails, -1 the file has no such triple. */
int tl_check_exact_pairs(hid_t file, const char *model, int json);

#endif
