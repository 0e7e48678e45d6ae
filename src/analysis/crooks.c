/* All free-energy estimates of one grid point; see crooks.h. */
#include <math.h>
#include <stdlib.h>

#include "thermolearn/crooks.h"
#include "thermolearn/error.h"
#include "thermolearn/estimators.h"

/* Samples, or bin centres weighted by their counts when no samples were kept. */
static tl_samples samples_of(const tl_work_data *w, size_t bins, double **centres, double **weights)
{
    *centres = *weights = NULL;
    if (w->samples) return (tl_samples){w->samples, NULL, w->n_samples};
    *centres = tl_malloc(bins * sizeof **centres, "bin centres");
    *weights = tl_malloc(bins * sizeof **weights, "bin weights");
    for (size_t b = 0; b < bins; b++) {
        (*centres)[b] = 0.5 * (w->edges[b] + w->edges[b + 1]);
        (*weights)[b] = (double)w->counts[b];
    }
    return (tl_samples){*centres, *weights, bins};
}

void tl_crooks_estimate(const tl_work_data *forward, const tl_work_data *reverse, size_t bins,
                        double beta, tl_crooks_estimates *est)
{
    double *cf, *wf, *cr, *wr;
    tl_samples f = samples_of(forward, bins, &cf, &wf);
    tl_samples r = samples_of(reverse, bins, &cr, &wr);
    /* The reverse histogram is binned on mirrored edges: bin b of P_R(-W)
     * is reverse bin bins-1-b. */
    uint64_t *mirrored = tl_malloc(bins * sizeof *mirrored, "mirrored counts");
    for (size_t b = 0; b < bins; b++) mirrored[b] = reverse->counts[bins - 1 - b];

    est->overlapping = tl_estimate_bar(f, r, beta, &est->bar, &est->bar_err) == 0;
    if (!est->overlapping) est->bar = est->bar_err = NAN;
    if (tl_estimate_crossing(forward->counts, mirrored, forward->edges, bins, beta, &est->crossing))
        est->crossing = NAN;
    est->jarzynski_forward = tl_estimate_jarzynski_forward(f, beta);
    est->jarzynski_reverse = tl_estimate_jarzynski_reverse(r, beta);
    est->gaussian = tl_estimate_gaussian(forward->mean, forward->variance, beta);
    est->overlap = tl_overlap_coefficient(forward->counts, mirrored, bins);
    /* Overlap means shared bins too, not only intersecting sample ranges. */
    est->overlapping = est->overlapping && isfinite(est->crossing);
    if (!est->overlapping) est->bar = est->bar_err = NAN;
    free(mirrored);
    free(cf), free(wf), free(cr), free(wr);
}

int tl_crooks_verdict(const tl_crooks_estimates *est, double exact, double sigmas)
{
    if (!isfinite(exact)) return -1;
    if (!est->overlapping || !isfinite(est->bar)) return 0;
    return fabs(est->bar - exact) <= sigmas * est->bar_err;
}
