/* The noisy limit-cycle clock of Milburn, "Thermodynamics of learning
 * machines", section 6 (eqs. 93-108): model `clock`.  Physics in clock.c
 * (the integrator and the period measurement) and clock_exact.c (the
 * deterministic cycle, the Hopf threshold, the paper's r* of eqs. 99/101,
 * the Wald law); engine glue in clock_model.c.
 *
 * Escapement clock (eqs. 102-104, the dt put where they belong):
 *     dv = [mu(x)(1 - v) - nu(x)(1 + v)] dt,  mu = gamma e^{-x},  nu = gamma e^{x}
 *     dx = y dt
 *     dy = [-x - kappa y + chi (v - eps)] dt + sqrt(sigma) dW,   sigma = 2 kappa T
 * Phase clock (eq. 105 reduced, with its noise as printed):
 *     dpsi = omega dt + sqrt(sigma)/r dW
 * whose periods (passages of psi through 2 pi k) are exactly inverse Gaussian
 * (Wald): E[T] = 2 pi/omega, V[T] = 2 pi sigma/(r^2 omega^3).
 *
 * Conventions (k_B = 1): E = (x^2 + y^2)/2; Q is the heat absorbed from the
 * bath at T = sigma/(2 kappa), W the work of the escapement force
 * chi (v - eps), and W + Q = Delta E on every step to round-off.
 */
#ifndef THERMOLEARN_MILBURN_CLOCK_H
#define THERMOLEARN_MILBURN_CLOCK_H

#include <stddef.h>

#include "milburn.h"

enum { CK_ESCAPEMENT, CK_PHASE };
/* The coupling chi: constant; switched by a LIF synapse (eqs. 109-113); or rate-coded by a square wave (eq. 114). */
enum { CK_CONSTANT, CK_LIF, CK_SQUARE, CK_NETWORK };
enum { CK_SYNAPSE_LEVEL, CK_SYNAPSE_SPIKE };

/* The rate code of eq. 114: chi(t) = chi (1 + theta M(t)) (phase clock: omega(t) = omega (1 + theta M(t))),
 * M = +1 for the first duty * period of every period and -1 for the rest; the run covers cycles periods
 * from t = 0, with no transient, and every passage is classed by M at its time. */
typedef struct {
    double theta, period, duty;
    long cycles;
} ck_square;
/* S(t) = int_0^t M(s) ds, exactly; the time spent high in [0, t] is (t + S(t))/2. */
double ck_square_integral(const ck_square *q, double t);
/* M(t) = +1 or -1. */
int ck_square_level(const ck_square *q, double t);

/* The leaky integrate-and-fire synapse of section 6.1 (eqs. 109-113):
 *     dJ = -k^2 J dt + k w h(t) (1 + m(t)) dt + k sqrt(sigma_J) dW,  J(0) = 0
 *     h(t) = 1/(1 + e^{alpha (t - tau)}),  m(t) = tanh(lambda sin(2 pi t/P))  (the presynaptic clock's v)
 *     chi(t) = chi/(1 + e^{-beta_J (J - J0)})                        (eq. 113: the Hopf switch)
 *     p_fire = 1/(1 + e^{-beta_f (N(tau) - N_th)})                    (eq. 112)
 * N(tau): the postsynaptic clock's upward passages through x = 0 in [0, tau]. */
typedef struct {
    double k, weight, noise, alpha, tau;
    double beta_j, threshold;     /* beta_J, J0 of eq. 113 */
    double pre_amplitude, pre_period;
    double fire_beta, fire_threshold;
} ck_lif;

/* The escapement clock's state: the oscillator (x, y) and the escapement switch's mean v. */
typedef struct {
    double x, y, v;
} ck_state;

#define CK_N_BLOCKS 6
/* Block lengths n of Var(t_{k+n} - t_k)/n: the per-period phase diffusion; the longest is CK_BLOCK_MAX. */
extern const int ck_blocks[CK_N_BLOCKS];
#define CK_BLOCK_MAX 40

typedef struct {
    int oscillator;          /* CK_ESCAPEMENT or CK_PHASE */
    double gamma, kappa, chi, eps;
    double temperature;      /* T = sigma/(2 kappa) */
    double omega, radius;    /* phase clock: drift and the r* of eq. 105 */
    double dt;               /* step */
    double transient;        /* crossings before this time are not counted */
    long periods;            /* intervals recorded per trajectory (after the transient) */
    double max_time;         /* a trajectory stops here even with fewer periods */
    double hysteresis;       /* re-arming distance below the section */
    int drive;               /* CK_CONSTANT or CK_LIF */
    ck_lif lif;
    ck_square square;
    /* drive = CK_NETWORK (eq. 115): two presynaptic escapement clocks, rate-coded by the input bits
     * x_l = +-1 through eq. 114, chi_l = net_chi (1 + net_theta x_l), feed the output's synapse
     *   level (eq. 115):  dJ = -k^2 J dt + k sum_l w_l h(t)(1 + v_l) dt + k sqrt(sigma_J) dW
     *   spike:            the same with (1 + v_l) dt replaced by a unit pulse at each upward passage of x_l
     * and J switches the output clock through eq. 113 (the lif block: k, sigma_J, alpha, tau, beta_J, J0). */
    struct {
        int synapse;
        double chi, theta, x[2], w[2];
        ck_state start[2]; /* each input on its deterministic cycle, at rest where it has none */
    } net;
    /* from the deterministic cycle (escapement; set by ck_cycle_find) */
    double x_fixed;          /* x* = -chi (tanh x* + eps): the section x = x* */
    double x0, y0, v0;       /* a point of the deterministic cycle, on the section */
    /* the sample path (escapement, drive = constant, lif or square; phase clock, drive = square): path_samples
     * states after the whole steps round(path_steps j/path_samples), j = 1..path_samples (0: none) */
    size_t path_samples;
    long path_steps;
} ck_params;

/* Components of a sample path: x, y, v, and J (drive = lif) or M (drive = square); the phase clock's
 * (drive = square): psi, M. */
static inline size_t ck_path_components(const ck_params *p)
{
    if (p->oscillator == CK_PHASE) return 2;
    return p->drive == CK_LIF || p->drive == CK_SQUARE ? 4 : 3;
}

static inline double ck_sigma(const ck_params *p)
{
    return p->oscillator == CK_PHASE ? 2 * p->temperature : 2 * p->kappa * p->temperature;
}

/* Per-trajectory results, over the window after the transient. */
typedef struct {
    long intervals;          /* periods recorded */
    double period_mean, interval_var, lag1;   /* lag-1 correlation of successive intervals */
    double first_period;     /* the first recorded interval */
    double block_var[CK_N_BLOCKS];            /* Var(t_{k+n} - t_k)/n within the trajectory (overlapping blocks) */
    double window;           /* length of the window */
    double work, heat, energy_change;         /* over the window */
    double heat_predicted;   /* sum over the O half-steps of E[heat | y] = (1 - a^2)(T - y^2)/2 */
    double y2_mean, r2_mean; /* time averages of y^2 and (x - x*)^2 + y^2 over the window */
    /* drive = CK_LIF: the synapse at tau, the postsynaptic passages in [0, tau], eq. 112 */
    double lif_j, lif_count, fire_probability;
    /* drive = CK_SQUARE: passages while M = +1 and -1, the time spent at each level, and the phase
     * clock's unwrapped phase advance psi(end) - psi(0) (NaN for the escapement) */
    double count_high, count_low, time_high, time_low, phase_advance;
} ck_path;

/* The statistics of a trajectory's passage times t_0, t_1, ..., folded in one at a time, so that a
 * trajectory needs O(CK_BLOCK_MAX) memory whatever its number of periods: the last CK_BLOCK_MAX + 1
 * times in a ring and running sums, each of a sequence shifted by its own first value (the intervals
 * I_k = t_{k+1} - t_k by I_0, each block length n's differences t_{k+n} - t_k by t_n - t_0).  The shift
 * is a value of the sequence, so the shifted values are of the size of the spread: subtracting it is
 * exact for values within a factor 2 of it, and the sums of their squares lose nothing however large
 * the mean is against the spread; the sums are compensated, so that 10^8 terms add no more rounding
 * than a few.  ck_intervals_finish expands the two-pass sums about the period mean
 * (t_N - t_0)/N (times n) in them: the same statistics to rounding. */
typedef struct {
    double s, c;
} ck_sum;
typedef struct {
    long n;                          /* passage times seen */
    double first, last;              /* t_0 and the latest */
    double ring[CK_BLOCK_MAX + 1];   /* t_k at ring[k % (CK_BLOCK_MAX + 1)] */
    double shift;                    /* I_0 */
    /* compensated sums (value + its rounding error, Neumaier) of u_k = I_k - I_0: u_k, u_k^2, u_k u_{k+1} */
    ck_sum sum, sum_sq, sum_pair;
    double block_shift[CK_N_BLOCKS];
    ck_sum block_sum[CK_N_BLOCKS], block_sq[CK_N_BLOCKS];
} ck_intervals;

void ck_intervals_init(ck_intervals *a);
/* Fold in the next passage time (not before the previous one). */
void ck_intervals_add(ck_intervals *a, double t);
/* out->intervals (the number of times seen - 1), period_mean, interval_var, lag1, first_period and
 * block_var; NaN where too few times were seen. */
void ck_intervals_finish(const ck_intervals *a, ck_path *out);

/* One trajectory of the escapement or the phase clock at constant drive, from the streams of
 * (key, trajectory). */
void ck_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out);
/* The same (escapement, drive = constant), and its sample path: path[C j + c] = x, y, v (C = 3) after
 * step round(path_steps (j+1)/path_samples); NaN after the trajectory stopped (its periods recorded).
 * At constant drive this is the scalar reference of ck_trajectories (both oscillators; the phase clock
 * has no sample path): the escapement's Gaussians of step k are block k of the trajectory's DYNAMICS
 * stream (tl_stream_gaussians); the phase clock's streams are as ck_trajectories says. */
void ck_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                        double *path);

/* The same (escapement or phase clock, drive = constant) for trajectories first .. first + count - 1
 * at once: tiles of 64 trajectories advanced together, vectors across the batch, bit for bit what
 * ck_trajectory_path gives each (its scalar reference); path (escapement; may be NULL):
 * path[(3 j + c) stride + b] for trajectory first + b.  The phase clock's steps 2j and 2j + 1 take the
 * Gaussians of block j of the trajectory's DYNAMICS stream and the uniforms (words 0-1, 2-3) of block j
 * of its TL_PURPOSE_MODEL stream. */
void ck_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count, ck_path *out,
                     double *path, size_t stride);

/* The integrator: one step h of the escapement clock (Strang splitting
 *   v(h/2) O(h/2) B(h/2) A(h) B(h/2) O(h/2) v(h/2)
 * v: exact relaxation at frozen x; O: exact Ornstein-Uhlenbeck step of y
 * (damping and noise: heat); B: kick by chi (v - eps) (work); A: exact
 * rotation of the free oscillator (conserves E).  Returns nothing; adds to
 * *work, *heat and *heat_predicted. */
void ck_step(const ck_params *p, ck_state *s, tl_stream_cursor *r, double *work, double *heat, double *heat_predicted);

/* The LIF drive k w h(t)(1 + m(t)) of dJ at time t. */
double ck_lif_drive(const ck_lif *l, double t);
/* One trajectory of the LIF-switched clock over [0, tau] (drive = CK_LIF, eps = 0): J by its exact
 * OU step (the drive at the step's midpoint), the clock by ck_step at chi(J). */
void ck_lif_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out);
/* The same, and its sample path: path[4 j + c] = x, y, v, J after step round(steps (j+1)/path_samples)
 * (path_steps = steps, the run's); the last is the end: J = lif_j, (x^2 + y^2)/2 = energy_change.
 * The scalar reference of ck_lif_trajectories: step n takes the clock's two Gaussians from block n of
 * the trajectory's DYNAMICS stream and J's from block n/2 of its TL_PURPOSE_MODEL stream (the cosine
 * for even n, the sine for odd; tl_stream_gaussians). */
void ck_lif_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                            double *path);
/* drive = lif for trajectories first .. first + count - 1 across the batch (tiles of 64 lanes), each
 * equal bit for bit to ck_lif_trajectory_path; path (may be NULL): path[(4 j + c) stride + b] for
 * trajectory first + b. */
void ck_lif_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count, ck_path *out,
                         double *path, size_t stride);
/* E[J(t_end)] by quadrature (GSL QAG) and Var J(t_end) = sigma_J (1 - e^{-2 k^2 t_end})/2. */
double ck_lif_mean(const ck_lif *l, double t_end);
double ck_lif_var(const ck_lif *l, double t_end);
/* The end of the LIF run: whole steps dt nearest to tau. */
double ck_lif_end(const ck_params *p);

/* One trajectory under the rate code of eq. 114 (drive = CK_SQUARE, both oscillators; eps = 0 for the
 * escapement, which starts on the deterministic cycle of chi (1 + theta), p->x0, y0, v0, or at rest at 0
 * where that level has no cycle).  The phase clock's drift over a step is the exact integral of
 * omega(t), so its phase at the grid times is exactly Gaussian; the escapement's chi is the step's
 * average.  Passages upward through x = 0 (psi = 2 pi k). */
void ck_square_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out);
/* The same, and its sample path after step round(steps (j+1)/path_samples) (path_steps = steps, the
 * run's): escapement path[4 j + c] = x, y, v, M; phase clock path[2 j + c] = psi (unwrapped, from 0), M;
 * M = ck_square_level at that step's end.  The last is the end: psi = phase_advance. */
void ck_square_trajectory_path(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out,
                               double *path);
/* Trajectories first .. first + count - 1 under the rate code, across the batch (tiles of 64 lanes),
 * equal bit for bit to ck_square_trajectory_path, its scalar reference.  Streams per trajectory: the
 * escapement's step n takes the two Gaussians of block n of DYNAMICS; the phase clock's steps 2j, 2j + 1
 * the Gaussians of block j of DYNAMICS and the uniforms of block j of TL_PURPOSE_MODEL.  path (may be
 * NULL): path[(C j + c) stride + b] for trajectory first + b, C = ck_path_components. */
void ck_square_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count,
                            ck_path *out, double *path, size_t stride);
/* The end of the rate-code run: whole steps dt nearest cycles * period. */
double ck_square_end(const ck_params *p);

/* One trajectory of the two-input spiking perceptron over [0, tau] (drive = CK_NETWORK, eps = 0).
 * out->lif_j: J(tau); out->lif_count: the output's passages; out->fire_probability: eq. 112;
 * out->count_high, count_low: the passages of input 1 and 2; out->phase_advance: J(tau) - J_det(tau),
 * J_det the same synapse driven by the same inputs without its own noise (exactly Gaussian, mean 0,
 * variance sigma_J (1 - e^{-2 k^2 t})/2). */
void ck_network_trajectory(const ck_params *p, const tl_stream_key *key, uint64_t trajectory, ck_path *out);
/* drive = network for trajectories first .. first + count - 1 across the batch (tiles of 64 lanes), each
 * equal bit for bit to ck_network_trajectory, its scalar reference.  Step n takes the output clock's two
 * Gaussians from block n of the trajectory's DYNAMICS stream, input i's from block n of its
 * TL_PURPOSE_MODEL + 1 + i stream, and J's from block n/2 of its TL_PURPOSE_MODEL stream (the cosine
 * for even n, the sine for odd; tl_stream_gaussians). */
void ck_network_trajectories(const ck_params *p, const tl_stream_key *key, uint64_t first, size_t count,
                             ck_path *out);
/* The synapse's drive in the rate approximation: sum_l k w_l r_l int_0^tau e^{-k^2 (tau - s)} h(s) ds,
 * r_l = 1/T0(chi_l) for spikes (0 with no cycle) and 1 for levels (v averages to 0 over a cycle). */
double ck_network_j_approx(const ck_params *p, const double rate[2]);

/* ---- references (clock_exact.c) ---- */
/* x* and its stability: the fixed point of eqs. 93-97 (v = -tanh x, y = 0). */
double ck_fixed_point(double chi, double eps);
/* Largest real part of the eigenvalues at the fixed point (cubic, GSL). */
double ck_fixed_point_growth(double gamma, double kappa, double chi, double eps);
/* chi_h at eps = 0: (kappa + 2 gamma)(2 gamma kappa + 1)/(2 gamma) - 1. */
double ck_chi_hopf(double gamma, double kappa);
/* The eps >= 0 above which the fixed point is stable (NaN if it is stable at eps = 0
 * or stays unstable up to eps = 10). */
double ck_hopf_bias(double gamma, double kappa, double chi);
/* The deterministic cycle (GSL rk8pd, tolerance 1e-12): its period T0 and a point
 * on the section, written into p->x_fixed, x0, y0, v0.  Returns T0, NaN if no
 * cycle is found (the orbit settles on the fixed point). */
double ck_cycle_find(ck_params *p);
/* The paper's r*: eq. 99 with cos psi0 from eq. 101, r^2 = (4 chi/(pi kappa)) ln(r/gamma):
 * the largest root, NaN where there is none. */
double ck_paper_radius(double gamma, double kappa, double chi);
/* The Wald (inverse Gaussian) law of the phase clock: mean, variance, density. */
double ck_wald_mean(double omega);
double ck_wald_var(double omega, double sigma, double radius);
double ck_wald_density(double t, double mean, double var);
/* The passage count N(t) of the phase clock at constant drift, a renewal process of Wald periods
 * from psi(0) = 0: N(t) >= k iff the first passage of 2 pi k, inverse Gaussian with mean
 * 2 pi k/omega and shape (2 pi k)^2 r^2/sigma, is <= t.  E[N] = sum_k F_k(t),
 * E[N^2] = sum_k (2k - 1) F_k(t), summed until F_k < 1e-17. */
void ck_wald_count_moments(double omega, double sigma, double radius, double t, double *mean, double *var);

#endif
