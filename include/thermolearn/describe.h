/* `thermolearn describe MODEL`: a model's parameters and datasets, from its
 * tables (model.h), as the markdown tables of docs/models/MODEL.md.  The docs
 * are tested against this output, so they cannot drift from the code. */
#ifndef THERMOLEARN_DESCRIBE_H
#define THERMOLEARN_DESCRIBE_H

#include <stdio.h>

#include "thermolearn/model.h"

enum { TL_DESCRIBE_PARAMETERS = 1, TL_DESCRIBE_DATASETS = 2 };

/* Print the tables `what` asks for (a mask of the flags above) to out. */
void tl_describe(const tl_model_type *m, int what, FILE *out);

#endif
