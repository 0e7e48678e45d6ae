/* The Crooks check of one grid point: every free-energy estimate from the
 * forward and reverse work, with a verdict against the exact value.
 * Shared by `run` (which stores the estimates) and `check` (which prints them). */
#ifndef THERMOLEARN_CROOKS_H
#define THERMOLEARN_CROOKS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const double *samples;   /* NULL: use the histogram's bin centres */
    size_t n_samples;
    const uint64_t *counts;  /* [bins] */
    const double *edges;     /* [bins + 1] */
    double mean, variance;
} tl_work_data;

typedef struct {
    double bar, bar_err, crossing, jarzynski_forward, jarzynski_reverse, gaussian, overlap;
    int overlapping;         /* the forward and reverse work distributions overlap */
} tl_crooks_estimates;

/* forward: P_F(W); reverse: P_R(W_R), its histogram on the mirrored edges. */
void tl_crooks_estimate(const tl_work_data *forward, const tl_work_data *reverse, size_t bins,
                        double beta, tl_crooks_estimates *est);

/* Verdict: 1 pass (BAR within `sigmas` standard errors of exact), 0 fail,
 * -1 no exact value to compare with. */
int tl_crooks_verdict(const tl_crooks_estimates *est, double exact, double sigmas);

#endif
