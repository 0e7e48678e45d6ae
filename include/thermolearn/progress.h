/* Progress of a run, reported by rank 0 on stderr: a live bar on a terminal,
 * a plain line every `interval` seconds otherwise (batch logs).  Fed from the
 * scheduler's piggy-backed counts: it never waits for another rank. */
#ifndef THERMOLEARN_PROGRESS_H
#define THERMOLEARN_PROGRESS_H

#include <stdint.h>

typedef struct {
    uint64_t total;    /* trajectories of the whole run */
    uint64_t base;     /* done before this session (a checkpoint) */
    uint64_t done;     /* done now, base included */
    double t0, last, interval;
    int enabled, tty, drawn;
} tl_progress;

/* interval: seconds between plain lines (a terminal is redrawn 4 times a second). */
void tl_progress_init(tl_progress *pr, uint64_t total, uint64_t base, double interval, int enabled);
/* `session` trajectories done since tl_progress_init (rank 0). */
void tl_progress_update(tl_progress *pr, uint64_t session);
/* The closing report; ends the bar's line. */
void tl_progress_finish(tl_progress *pr);

/* "1:02:03" or "4:05" from seconds. */
void tl_progress_format_time(double seconds, char *out, size_t len);

#endif
