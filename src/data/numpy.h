/* numpy's and scipy's floating-point procedures, operation for operation,
 * for the MNIST-1D generator (mnist1d.c): their order of rounding decides the
 * last bit of the data.  Built with -ffp-contract=off (Makefile).
 */
#ifndef THERMOLEARN_DATA_NUMPY_H
#define THERMOLEARN_DATA_NUMPY_H

#include <stddef.h>

#define TL_NP_GAUSS_RADIUS 8 /* scipy: int(truncate 4.0 * sigma 2 + 0.5) */

/* numpy's pairwise summation (pairwise_sum in loops_utils.h): sequential below
 * 8 values, 8 accumulators up to 128, halves (at a multiple of 8) above. */
double tl_np_pairwise_sum(const double *a, size_t n);
/* a.mean() and a.std() (ddof 0): sum / n; sqrt(sum((a - mean)^2) / n). */
void tl_np_mean_std(const double *a, size_t n, double *mean, double *std);
/* numpy.linspace(a, b, n) with the endpoint: i * ((b - a) / (n - 1)) + a, the last exactly b. */
void tl_np_linspace(double a, double b, size_t n, double *out);
/* numpy.interp(x, xp, fp) for increasing xp and increasing x. */
void tl_np_interp(const double *x, size_t nx, const double *xp, const double *fp, size_t np, double *out);
/* scipy.ndimage.gaussian_filter weights for sigma 2 (truncate 4): w[j], offset j = 0..8. */
void tl_np_gaussian_weights(double w[TL_NP_GAUSS_RADIUS + 1]);
/* scipy's correlate1d with that symmetric kernel, mode 'reflect'; ext holds
 * n + 2 * radius values; needs n >= radius. */
void tl_np_gaussian_filter(const double *x, size_t n, const double w[TL_NP_GAUSS_RADIUS + 1], double *ext,
                           double *out);

#endif
