/* `thermolearn run`: simulate every grid point and write one HDF5 file. */
#ifndef THERMOLEARN_RUN_H
#define THERMOLEARN_RUN_H

#include "thermolearn/config.h"

typedef struct {
    const char *output; /* -o, overrides [run] output */
    int force;          /* overwrite an existing output */
    int quiet;
} tl_run_options;

/* Collective.  Returns 0, TL_ERR_INPUT or TL_ERR_IO (the same on every rank). */
int tl_run(tl_config *cfg, const tl_run_options *opt);

#endif
