/* `thermolearn run`: simulate every grid point and write one HDF5 file. */
#ifndef THERMOLEARN_RUN_H
#define THERMOLEARN_RUN_H

#include "thermolearn/config.h"

/* Exit status of a run stopped by a signal, its time limit or a stop file,
 * after saving a checkpoint: job scripts resubmit on it (EX_TEMPFAIL). */
#define TL_RUN_STOPPED 75

typedef struct {
    const char *input;      /* the input path, for messages */
    const char *output;     /* -o, overrides [run] output */
    int force;              /* overwrite an existing output (and checkpoint) */
    int quiet;
    int resume;             /* continue from the checkpoint, if there is one */
    const char *checkpoint; /* --checkpoint, default OUTPUT.ckpt */
    double time_limit;      /* --time-limit seconds, overrides [run] time_limit; 0: not given */
    double checkpoint_interval; /* --checkpoint-interval; < 0: not given */
    double progress;        /* --progress seconds between batch lines; 0: default 60; < 0: off */
    int progress_bar;       /* --progress-bar: the live bar even if stderr is not a terminal */
    int break_lock;         /* --break-lock: take over the lock of a run on another host */
} tl_run_options;

/* Collective.  Returns 0, TL_ERR_INPUT, TL_ERR_IO or TL_RUN_STOPPED (the same on every rank). */
int tl_run(tl_config *cfg, const tl_run_options *opt);

#endif
