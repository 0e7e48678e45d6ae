/* `check` of model datasets X against X_exact within X_err (check_exact.c). */
#ifndef THERMOLEARN_CHECK_EXACT_H
#define THERMOLEARN_CHECK_EXACT_H

#include "check_declaration.h"

/* The n triples t (kind TL_CHECK_TRIPLE) in one table: 0 all pass, 1 a point
 * fails, 2 a damaged triple (a message printed: a part missing or of another
 * shape, or not one row per grid point). */
int tl_check_triples(tl_h5_file *h, const tl_check_record *const *t, size_t n, tl_json *json);

#endif
