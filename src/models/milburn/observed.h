/* The partially observed activation switch of Milburn section 2.3 (eqs. 22-38,
 * Fig. 7), model `observed`: internals shared by observed.c, observed_exact.c,
 * observed_model.c and their unit tests.
 *
 * The process simulated is the hidden Markov chain of the discretised record
 * (time step h):
 *   n_k in {-1, +1}, constant on [t_k, t_k + h), its transitions over h exact
 *     (P(-1 -> +1) = mu (1 - rho)/lambda, P(+1 -> -1) = nu (1 - rho)/lambda,
 *     rho = e^{-lambda h}, lambda = mu + nu);
 *   the record increment dy_k = kappa n_k h + sqrt(gamma) dW_k (eq. 30 with n,
 *     not n-bar, in the drift), Gamma = 2 kappa^2 / gamma (eq. 36);
 *   the conditional mean n_c = E[n | record] (eq. 37 corrected), updated by
 *     Bayes' rule (eqs. 33-35: likelihood ratio e^{2 kappa dy / gamma}) and
 *     the exact prediction over h: exact for this chain at any h;
 *   the observed current dIo = -a Io dt + r dy (eq. 31: a = r; the printed
 *     eqs. 32/38: a = r^2), integrated exactly over each step (the pair
 *     (dW, int e^{-a(h - s)} dW(s)) is a bivariate Gaussian).
 * The continuum model of the paper is the limit h -> 0.
 */
#ifndef THERMOLEARN_MILBURN_OBSERVED_H
#define THERMOLEARN_MILBURN_OBSERVED_H

#include <stddef.h>
#include <stdint.h>

#include "milburn.h"

/* The filter for n_c: the exact Bayes update; the corrected SDE of eq. 37
 * (Euler in the innovation); eq. 37's halved drift with the correct noise sign;
 * eq. 37 as printed (halved drift, and the noise sign opposite to eq. 38's). */
enum { OB_BAYES, OB_SDE, OB_HALF_DRIFT, OB_PAPER };
/* The current's filter: eq. 31 (dIo = -r Io dt + r dy) or eqs. 32/38 as printed (-r^2 Io). */
enum { OB_CURRENT_EQ31, OB_CURRENT_PAPER };

typedef struct {
    double mu, nu;          /* rate_up (-1 -> +1), rate_down (+1 -> -1) */
    double kappa;           /* record signal per unit time */
    double gamma_rate;      /* Gamma = 2 kappa^2 / gamma (eq. 36) */
    double response;        /* r of eq. 31 */
    int filter;             /* OB_* */
    int current_filter;     /* OB_CURRENT_* */
    double dt, time, transient;
    size_t bins;            /* bins of n_c on [-1, 1] */
} ob_params;

/* Per-trajectory observables: time averages over the steps in [transient, time). */
enum {
    OB_OBS_MSE,             /* (n - n_c)^2 */
    OB_OBS_ONE_MINUS_NC2,   /* 1 - n_c^2 */
    OB_OBS_CALIBRATION,     /* (n - n_c) n_c */
    OB_OBS_ESTIMATE_MEAN,   /* n_c */
    OB_OBS_STATE_MEAN,      /* n */
    OB_OBS_CURRENT_MEAN,    /* Io */
    OB_OBS_CURRENT_SQUARE,  /* Io^2 */
    OB_OBS_RECORD_MEAN,     /* dy / h */
    OB_OBS_RECORD_POWER,    /* dy^2 / h */
    OB_OBS_JUMPS,           /* changes of n over the whole trajectory */
    OB_N_OBS
};

/* What a run needs, derived once from the parameters. */
typedef struct {
    ob_params p;
    long steps, first_counted;  /* steps of h; averages over steps first_counted .. steps - 1 */
    double h;                   /* time / steps */
    double rho, p_up, p_down;   /* e^{-lambda h}; the chain's jump probabilities over h */
    double decay, gain;         /* the current: e^{-a h}; r */
    double var_j, cov_wj;       /* Var int_0^h e^{-a(h-s)} dW, Cov(dW, that) */
} ob_run;

void ob_run_init(ob_run *run, const ob_params *p);

/* The record's noise gamma = 2 kappa^2 / Gamma. */
static inline double ob_gamma(const ob_params *p)
{
    return 2 * p->kappa * p->kappa / p->gamma_rate;
}

/* Trajectories first .. first + count - 1, vectorised across them (lanes of
 * up to 64 side by side): out[b * OB_N_OBS + o] and occupation[b * bins + k]
 * (may be NULL) of trajectory first + b, as ob_trajectory gives them, bit for
 * bit, for any count and first. */
void ob_trajectories(const ob_run *run, const tl_stream_key *key, uint64_t first, size_t count, double *out,
                     double *occupation);
/* One trajectory, the scalar reference of ob_trajectories: out[OB_N_OBS] (time
 * averages), occupation[bins] (fraction of the counted steps with n_c in each
 * bin; may be NULL).  With `path` not NULL, path[3 * k + {0, 1, 2}] = n, n_c,
 * Io at the end of step (k + 1) * stride, k < path_points.  Draws from the
 * (key, trajectory) streams. */
void ob_trajectory(const ob_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                   double *occupation, size_t path_points, long stride, double *path);

/* ---- exact references (observed_exact.c) ---------------------------------------------------- */

/* The stationary (Wonham) density of n_c of the continuum filter, in pi = (1 + n_c)/2:
 * p(pi) ~ pi^{-2 + 2(mu - nu)/k2} (1 - pi)^{-2 - 2(mu - nu)/k2} e^{-(2/k2)(mu/pi + nu/(1 - pi))}, k2 = 2 Gamma. */
typedef struct {
    double mu, nu, k2, log_norm;
} ob_wonham;

int ob_wonham_init(ob_wonham *w, double mu, double nu, double gamma_rate);
/* The density of n_c at n_c (not of pi). */
double ob_wonham_density(const ob_wonham *w, double nc);
/* E[1 - n_c^2] = the stationary minimum mean-square error E[(n - n_c)^2]. */
double ob_wonham_mmse(const ob_wonham *w);
/* E[n_c]. */
double ob_wonham_mean(const ob_wonham *w);
/* P(a <= n_c < b). */
double ob_wonham_mass(const ob_wonham *w, double a, double b);

/* Stationary moments of the observed current of the discretised chain (exact
 * at step h; their h -> 0 limits are the continuum closed forms):
 * E[Io] = r kappa m / a and E[Io^2], m = (mu - nu)/lambda. */
void ob_current_moments(const ob_params *p, double h, double *mean, double *square);

#endif
