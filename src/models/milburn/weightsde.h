/* Feedback cooling of the weights, Milburn section 4.2 (eqs. 77-88, Fig. 20),
 * model `weightsde`: internals shared by weightsde.c, weightsde_exact.c,
 * weightsde_model.c and their unit tests.
 *
 * The weight of the NOT perceptron under learning feedback, in the reduced
 * (adiabatic) form of eq. 85 with the switch's mean n-bar = tanh(beta A/2),
 * A = w x + b, and x n_T = -1:
 *   dw = -L sech^2(beta (w x + b)/2) dt - gamma_w w dt + sqrt(D) dW,   L = eta beta / 4,
 * a gradient flow dw = -V'(w) dt + sqrt(D) dW in
 *   V(w) = gamma_w w^2 / 2 + (2L/(beta x)) tanh(beta (w x + b)/2),
 * so its stationary law is exp(-2V/D) = exp(-V/T_w) with the weights'
 * temperature T_w = D/2 (unit mobility); the paper's eq. 87 prints exp(-V/2D).
 * Without learning (eta = 0) it is the free Ornstein-Uhlenbeck process of
 * eq. 77, stationary N(0, D/(2 gamma_w)) (eq. 78 prints variance D/gamma_w);
 * the run starts from that law.
 */
#ifndef THERMOLEARN_MILBURN_WEIGHTSDE_H
#define THERMOLEARN_MILBURN_WEIGHTSDE_H

#include <stddef.h>
#include <stdint.h>

#include "milburn.h"

/* exact: the Ornstein-Uhlenbeck step solved exactly with the learning force
 * frozen over the step, as a proposal accepted by Metropolis-Hastings towards
 * exp(-V/T_w): the stationary law is exact at any step, and with eta = 0 every
 * proposal is accepted (the exact OU solution).  euler: Euler-Maruyama. */
enum { WS_EXACT, WS_EULER };
/* adiabatic: eq. 85, the switch's mean tanh(beta A/2) in the drift.  filtered:
 * the full loop of eq. 84 (weightsde.c: lanes across the batch, ws_filtered_trajectory the
 * scalar reference): the switch n = +-1 is
 * simulated with rates mu = gamma_s sigma(beta A), nu = gamma_s sigma(-beta A),
 * its record dy = kappa n dt + sqrt(gamma) dW filtered by the exact Bayes
 * filter of model `observed` (Gamma = 2 kappa^2/gamma; kappa drops out), and
 *   dw = -L (1 - n_c^2) dt - gamma_w w dt + sqrt(D) dW_w.
 * With `exact` the weight's step is the OU step with the learning force
 * frozen (no Metropolis test: the loop has no potential); `euler` as before. */
enum { WS_ADIABATIC, WS_FILTERED };

typedef struct {
    double temperature;     /* T_w = D / 2 */
    double gamma_w;         /* decay rate of the free weights */
    double beta;            /* switch_beta: steepness of the switch (eqs. 81-86), not 1/T_w */
    double eta;             /* learning rate; L = eta beta / 4 */
    double input;           /* x = +1 or -1 (constant training signal; label n_T = -x) */
    double bias;            /* b */
    int integrator;         /* WS_* */
    double dt, time;
    size_t bins;            /* histogram of w on [w_min, w_max] */
    double w_min, w_max;
    int feedback;           /* WS_ADIABATIC or WS_FILTERED */
    double switch_rate;     /* gamma_s = mu + nu (filtered) */
    double measurement_rate; /* Gamma (filtered) */
    double transient;       /* the time average of 1 - n_c^2 runs over [transient, time) */
} ws_params;

static inline double ws_learning_scale(const ws_params *p)
{
    return p->eta * p->beta / 4;
}
/* V(w), the potential of eq. 85's drift (learning part included). */
double ws_potential(const ws_params *p, double w);
/* -V'(w) = -gamma_w w - L sech^2(beta (w x + b)/2). */
double ws_force(const ws_params *p, double w);
/* The potential printed in eq. 86: gamma_w w^2/2 + (2L/(w x)) tanh(beta w x/2) (b = 0). */
double ws_paper_potential(const ws_params *p, double w);

enum {
    WS_OBS_W_INITIAL,
    WS_OBS_W_FINAL,
    WS_OBS_W_SQUARE,        /* w_final^2 */
    WS_OBS_NEGATIVE,        /* 1 if w_final < 0 */
    WS_OBS_HEAT,            /* absorbed: V(w_final) - V(w_initial) (the potential does not change: W = 0) */
    WS_OBS_ACCEPTANCE,
    WS_OBS_ONE_MINUS_NC2,   /* filtered: time average of 1 - n_c^2 over [transient, time); adiabatic: 0 */
    WS_OBS_JUMPS,           /* filtered: jumps of the switch; adiabatic: 0 */
    WS_OBS_WORK,            /* filtered: work of the feedback force L (n_c^2 - tanh^2(beta A/2)); adiabatic: 0 */
    WS_N_OBS
};

typedef struct {
    ws_params p;
    long steps;
    double h;
    double decay, spread;   /* e^{-gamma h}, sqrt(T (1 - e^{-2 gamma h}) / gamma) */
    double drift_gain;      /* (1 - e^{-gamma h}) / gamma */
    double rho;             /* filtered: e^{-gamma_s h} */
    long first_counted;     /* filtered: first step of the 1 - n_c^2 average */
} ws_run;

void ws_run_init(ws_run *run, const ws_params *p);

/* Trajectories first .. first + count - 1, vectorised across them (lanes of
 * up to 64 side by side): out[b * WS_N_OBS + o] of trajectory first + b; the
 * histograms (may be NULL) are [count][bins], trajectory b's row getting 1 in
 * the bin of w_initial / w_final (rows must be zero on entry).  Each
 * trajectory's numbers are those of ws_trajectory, for any count and first. */
void ws_trajectories(const ws_run *run, const tl_stream_key *key, uint64_t first, size_t count, double *out,
                     double *initial_hist, double *final_hist);
/* One trajectory from the free stationary law N(0, T_w/gamma_w), the scalar
 * reference of ws_trajectories: out[WS_N_OBS]; histograms (may be NULL) get 1
 * in the bin of w_initial / w_final (0 outside). */
void ws_trajectory(const ws_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                   double *initial_hist, double *final_hist);

/* The full loop of eq. 84 (feedback = filtered), one trajectory: the scalar
 * reference of ws_trajectories' filtered lanes (bit for bit; ws_trajectory
 * calls it): out[WS_N_OBS], histograms as ws_trajectory's. */
void ws_filtered_trajectory(const ws_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                            double *initial_hist, double *final_hist);

/* ---- exact references (weightsde_exact.c) ------------------------------------------------------ */

/* Moments of the density ~ exp(-scale U(w)) by Simpson's rule on [-L, L]
 * (U = V or the printed V_p): mean, variance, P(w < 0). */
typedef struct {
    double mean, variance, p_negative;
    double umin, log_z;     /* the density is exp(-scale (U - umin) - log_z) */
} ws_moments;
ws_moments ws_density_moments(const ws_params *p, int paper_potential, double scale);

/* The root of the drift -V'(w) (unique: V is convex plus a bounded bump; found by bisection). */
double ws_fixed_point(const ws_params *p);
/* Eq. 88, sech^2(v) + a v = 0, v = beta w / 2, solved for w with a given. */
double ws_eq88_root(double a, double beta);

/* The Fokker-Planck equation of the SDE, dp/dt = -d/dw [(-V') p] + (D/2) d^2p/dw^2,
 * discretised by finite volumes with the drift and the noise only (central
 * fluxes, zero flux at +-L; Crank-Nicolson in time after two implicit Euler
 * half steps), from N(0, T_w/gamma_w).  Its stationary state is not built in:
 * it approaches exp(-2V/D) as hx -> 0, which is what decides eq. 87. */
typedef struct {
    size_t nodes;
    double lo, hx;
    double *density;            /* at `time`, [nodes] */
    double mean, square, p_negative, mean_potential, mean_potential_initial;
    double entropy, entropy_initial;   /* -int p ln p */
    /* int_0^time E[g(w_t)] dt, g = -(L D/2) d tanh^2(beta A/2)/dw (trapezoid over the time steps): the
     * limit of the filtered loop's E[work] as switch_rate -> infinity (the Ito correction of the
     * feedback force's tanh^2 term, which n_c does not follow within a step) */
    double feedback_work;
} ws_grid;

ws_grid *ws_grid_solve(const ws_params *p, double time, double hx, double ht);
void ws_grid_free(ws_grid *g);
/* The grid density's mass in [a, b). */
double ws_grid_mass(const ws_grid *g, double a, double b);

#endif
