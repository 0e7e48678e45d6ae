/* The heat-exchange fluctuation theorem (XFT): a system in equilibrium at
 * beta_1, put in contact with a bath at beta_2, absorbs heat Q with
 *
 *   P(Q) / P(-Q) = exp((beta_1 - beta_2) Q)
 *
 * whenever the relaxation kernel is self-adjoint with respect to
 * exp(-beta_2 E).  Given |Q|, the sign of Q is then a Bernoulli variable with
 * log-odds s |Q|, s = beta_1 - beta_2: the slope s is estimated by maximum
 * likelihood from the signs, with the asymptotic (Fisher) standard error.
 * This is to the XFT what BAR is to Crooks; unlike a fit of the binned log
 * ratio it has no binning bias.
 */
#ifndef THERMOLEARN_XFT_H
#define THERMOLEARN_XFT_H

#include <stddef.h>

typedef struct {
    double slope;  /* maximum-likelihood s; NaN when it does not exist */
    double err;    /* 1 / sqrt(Fisher information) at the estimate */
    double n_pos, n_neg; /* (weighted) samples with Q > 0 and Q < 0; Q = 0 carries no information */
} tl_xft_fit;

/* The ML slope from heat values q[0..n-1], each with weight w[k] (w NULL:
 * weight 1; weights let histogram bin centres stand in for samples).
 * Returns 0, or -1 when no finite estimate exists (all Q of one sign, or none
 * non-zero): slope and err are then NaN. */
int tl_xft_slope(const double *q, const double *w, size_t n, tl_xft_fit *fit);

/* The log-likelihood sum_k w_k ln sigma(s q_k) and its derivative, for tests. */
double tl_xft_log_likelihood(const double *q, const double *w, size_t n, double s, double *score);

#endif
