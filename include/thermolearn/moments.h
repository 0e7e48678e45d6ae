/* Running moments (count, mean, variance, extremes) that merge exactly the
 * same way whatever the order the blocks were computed in: merged in block order. */
#ifndef THERMOLEARN_MOMENTS_H
#define THERMOLEARN_MOMENTS_H

#include <stddef.h>

typedef struct {
    double n, mean, m2, min, max; /* m2: sum of squared deviations from the mean */
} tl_moments;

/* Moments of x[0..n-1] (Welford). */
tl_moments tl_moments_of(const double *x, size_t n);
/* Combine two disjoint sets (Chan et al.); `a` first. */
tl_moments tl_moments_merge(tl_moments a, tl_moments b);
/* Unbiased variance; NaN for fewer than two values. */
double tl_moments_variance(const tl_moments *m);

#endif
