/* Free-energy estimators from forward and reverse work samples (Crooks pairs).
 *
 * Conventions: energies in model units with k_B = 1; beta is the inverse
 * temperature of the bath.  Forward work w_f[i] is sampled from P_F(W); reverse
 * work w_r[j] is the work done in the reverse (time-reversed) process, sampled
 * from P_R(W_R).  Crooks: P_F(W) / P_R(-W) = exp(beta (W - dF)).
 *
 * Every estimator accepts optional weights (NULL means all weights 1), so the
 * same code serves stored samples and histogram bin centres.  All functions
 * return 0 on success and a non-zero tl_status otherwise; results that cannot
 * be computed are NaN.
 */
#ifndef THERMOLEARN_ESTIMATORS_H
#define THERMOLEARN_ESTIMATORS_H

#include <stddef.h>
#include <stdint.h>

/* A weighted sample set.  Weights must be finite and >= 0 with a positive
 * sum; a sample of weight 0 is ignored entirely (also for the overlap test).
 * N = sum of weights plays the role of the sample count. */
typedef struct {
    const double *x;      /* values */
    const double *weight; /* NULL: unit weights */
    size_t n;
} tl_samples;

/* Bennett's acceptance ratio: solves
 *   sum_i f(M + beta (w_f,i - dF)) = sum_j f(-M + beta (w_r,j + dF)),
 *   f(x) = 1/(1+e^x), M = ln(n_f/n_r),
 * with a bracketing root finder (GSL Brent) on overflow-safe sums.  The
 * standard error is the asymptotic one of Shirts et al. (2003), as pymbar's
 * uncertainty_method="BAR":
 *   var = (<f_F^2>/<f_F>^2 - 1)/N_F + (<f_R^2>/<f_R>^2 - 1)/N_R   (kT^2),
 * std_err = sqrt(var)/beta; std_err may be NULL.
 * The equation always has exactly one root, so "no overlap" is decided on the
 * samples: TL_ERR_NO_OVERLAP (and NaN) when the range of the forward work and
 * that of the mirrored reverse work -W_R are disjoint (for a wide gap BAR
 * tends to the mean of the two Jarzynski estimates, not a measurement), or
 * if the root cannot be bracketed.  TL_ERR_INPUT for empty sets, non-finite values, bad weights,
 * beta <= 0 or delta_f NULL. */
int tl_estimate_bar(tl_samples forward, tl_samples reverse, double beta,
                    double *delta_f, double *std_err);

/* Jarzynski: forward dF = -T ln <exp(-beta W)>_F;
 * reverse dF = +T ln <exp(-beta W_R)>_R.  Log-sum-exp, no overflow.
 * NaN for bad input (the conditions of BAR's TL_ERR_INPUT). */
double tl_estimate_jarzynski_forward(tl_samples forward, double beta);
double tl_estimate_jarzynski_reverse(tl_samples reverse, double beta);

/* Second-cumulant (Gaussian) estimate from the forward work: <W> - beta var/2.
 * NaN if variance < 0 or beta <= 0. */
double tl_estimate_gaussian(double mean, double variance, double beta);

/* Crossing of P_F(W) and P_R(-W) from histograms on mirrored edges:
 * counts_f[b] counts forward work in [edges[b], edges[b+1]); counts_r_mirrored[b]
 * counts reverse work in [-edges[b+1], -edges[b]).  Over the bins where both are
 * non-empty, ln(p_F/p_R) = beta (W_b - dF) is fitted with its slope fixed at beta,
 * weighted by the inverse Poisson variance of the log ratio; the result is the
 * W at which the two densities cross.  Explicitly, over those bins b,
 *   W_b = bin centre, p = count/(N width), y_b = W_b - ln(p_F,b/p_R,b)/beta,
 *   var ln(p_F,b/p_R,b) = 1/nF_b + 1/nR_b,
 * and the result is the inverse-variance-weighted mean of y_b.  edges has
 * nbins+1 strictly increasing entries.  NaN and TL_ERR_NO_OVERLAP if no bin has
 * both; TL_ERR_INPUT for bad edges, beta <= 0 or NULL pointers. */
int tl_estimate_crossing(const uint64_t *counts_f, const uint64_t *counts_r_mirrored,
                         const double *edges, size_t nbins, double beta, double *delta_f);

/* Overlap coefficient of the normalised densities P_F(W) and P_R(-W) on the
 * same mirrored bins: sum_b min(p_F,b, p_R,b), from 0 (disjoint) to 1 (equal).
 * NaN if either histogram is empty. */
double tl_overlap_coefficient(const uint64_t *counts_f, const uint64_t *counts_r_mirrored,
                              size_t nbins);

#endif
