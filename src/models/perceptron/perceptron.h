/* The perceptron learning model (Goldt & Seifert, "Stochastic thermodynamics
 * of learning"): internals shared by the model's files and its tests.
 *
 * N weights, each an overdamped Ornstein-Uhlenbeck process in a harmonic trap
 * whose centre c_n(s) is the learning force:
 *
 *   dw_n = (-w_n + c_n(s)) ds + sqrt(2T) dW_n,   E(w, s) = sum_n (w_n - c_n(s))^2 / 2.
 *
 * Hebbian learning (eq. 12, 18): c_n(s) = nu g(s) F_n, g(s) = min(s/tau, 1),
 * F_n = sum_mu xi^mu_n sigma_T^mu / sqrt(N).  Online learning (eq. 15): the
 * force uses one sample mu(s) at a time, c_n(s) = nu g(s) (P / sqrt(N))
 * xi^mu_n sigma_T^mu, with mu(s) redrawn uniformly at `switch_rate`; its
 * average over mu(s) is the batch force.  The trap moves rigidly, so the free
 * energy never changes: dF = 0 exactly for any protocol.
 *
 * The force is linear in time on every piece of the protocol, and the dynamics
 * is integrated exactly over each piece: w at the end and the time integral of
 * w over the piece are drawn from their joint Gaussian law (no time step).
 * The work W = int dE/ds ds = -sum_n b_n int (w_n - c_n) ds (b_n the slope of
 * c_n) is therefore exact per trajectory, and the heat follows from the first
 * law: Q = dE - W is the heat *absorbed* from the bath (Stratonovich),
 * the engine's convention; the paper's dissipated heat is -Q.
 *
 * Disorder (samples xi, labels sigma_T) is drawn per trajectory from streams
 * keyed by (disorder_seed, grid point, direction, trajectory): trajectories are
 * independent over disorder and noise, so the error of a mean over trajectories includes
 * the disorder scatter.
 */
#ifndef THERMOLEARN_PERCEPTRON_H
#define THERMOLEARN_PERCEPTRON_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/model.h"

#define PERCEPTRON_MAX_N 100000
#define PERCEPTRON_MAX_P 1000000
/* label_rate at or above this: labels in their stationary state given w(t) */
#define PERCEPTRON_ADIABATIC_RATE 1e6

enum perceptron_learning { PERCEPTRON_BATCH, PERCEPTRON_ONLINE };

/* Per-trajectory observables, in this order. */
enum {
    PERCEPTRON_OBS_WORK,
    PERCEPTRON_OBS_HEAT,
    PERCEPTRON_OBS_P_CORRECT,  /* mean over samples of P(sigma^mu = sigma_T^mu | path) */
    PERCEPTRON_OBS_W2_INITIAL, /* mean over weights of w_n(0)^2 */
    PERCEPTRON_OBS_W2_FINAL,   /* mean over weights of w_n(t)^2 */
    PERCEPTRON_OBS_ENTROPY,    /* -(1/N) sum_n [ln p_t(w_n(t)) - ln p_0(w_n(0))] */
    PERCEPTRON_N_OBS
};

/* A tabulated log density of the disorder-averaged marginal of one weight:
 * a binomial mixture of Gaussians N(m F, T), F = (2k - P)/sqrt(N). */
typedef struct {
    double mean_factor; /* m: the component means are nu m F */
    double lo, hi, step;
    size_t size;
    double *logp;       /* ln p at lo + i step */
} perceptron_density;

typedef struct {
    /* parameters */
    int n, p;
    double nu, tau, time, temperature, label_rate, switch_rate;
    int learning;
    int directions;       /* 1: forward only, 2: forward and reverse */
    uint64_t disorder_seed;
    uint32_t point;       /* grid point: disorder differs between points */

    /* the protocol: ramp length tau' = min(t, tau) and g(t) */
    double ramp, g_end;
    /* online learning: intervals of equal length covering [0, t] */
    int64_t intervals;

    /* binomial weights of F sqrt(N) = 2k - P, for k in [k_lo, k_hi] */
    int k_lo, k_hi;
    double *binom;
    perceptron_density density[2][2]; /* [direction][start, end] */
} perceptron;

/* A point ready to simulate, density tables included (for tests and tools; the
 * engine allocates and prepares in two steps). */
perceptron *perceptron_alloc(const tl_point *pt);
void perceptron_free(perceptron *pc);

/* ---- theory (theory.c) ------------------------------------------------------ */

/* Mean response: <w_n(s)> = nu F_n perceptron_mean_factor(pc, direction, s). */
double perceptron_mean_factor(const perceptron *pc, int direction, double s);
/* Mean dissipated heat per weight at the observation time (eq. 13 at t -> inf),
 * averaged over F_n (mean F_n^2 = P/N). */
double perceptron_heat_theory(const perceptron *pc);
/* Eq. 20 at time t and temperature T: Delta ~ N(nu M, T + nu^2 M^2 (P-1)/N),
 * integrated against 1/(1 + exp(-Delta/T)) by GSL (QAGI). */
double perceptron_p_correct_theory(const perceptron *pc);
/* S70: P(Delta > 0) with nu -> nu/2. */
double perceptron_p_correct_approx(const perceptron *pc);
/* Binary mutual information ln 2 - S(p). */
double perceptron_information(double p);
/* Exact entropy change of the marginal p(w_n) from 0 to t (forward): the
 * binomial mixture, integrated by Simpson's rule on its table. */
double perceptron_entropy_exact(const perceptron *pc);
/* ln of the mixture density of direction d at its start (0) or end (1). */
double perceptron_log_density(const perceptron *pc, int direction, int end, double w);
void perceptron_density_init(perceptron *pc);
void perceptron_density_free(perceptron *pc);

/* ---- dynamics (kernel.c) ------------------------------------------------------ */

/* The exact step of one weight over a piece of length delta on which the trap
 * centre is c(u) = a + b u: returns w(delta) and the integral of w over the
 * piece, from normals z1, z2.  Constants of the piece in `step`. */
typedef struct {
    double delta, decay, mean_a, mean_b, sd_end, int_decay, int_a, int_b, reg, sd_int;
} perceptron_step;
void perceptron_step_init(perceptron_step *st, double delta, double temperature);
void perceptron_step_apply(const perceptron_step *st, double w0, double a, double b, double z1,
                           double z2, double *w1, double *integral);

/* Disorder of trajectory `traj` in direction d: labels [p] and the Hebbian
 * field F [n] (BLAS). */
void perceptron_disorder(const perceptron *pc, uint32_t direction, uint64_t traj, double *labels,
                         double *field);
/* One row xi^mu (+1/-1 as doubles) of trajectory traj. */
void perceptron_sample_row(const perceptron *pc, uint32_t direction, uint64_t traj, int mu, double *row);

/* Simulate trajectories first .. first+count-1; out[o][i] as in the enum.
 * w_initial / w_final, when not NULL, receive the weights [count][n]. */
void perceptron_simulate_batch(const perceptron *pc, const tl_stream_key *key, uint64_t first,
                               size_t count, double *const out[TL_MAX_OBSERVABLES], double *w_initial,
                               double *w_final);

/* P(sigma = sigma_T) at time t for a label with stability path Delta(s):
 * adiabatic, or the two-state master equation over a window (finite rate). */
double perceptron_label_relax(double q, double delta_mid, double rate, double temperature, double dt);

int perceptron_bench(int argc, char **argv);

#endif
