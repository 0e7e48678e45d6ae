/* The activation switches of Milburn, "Thermodynamics of learning machines"
 * (sections 2.1 and 2.2): internals shared by the files of src/models/milburn/
 * and their unit tests.  Two models live here, `twostate` and `doublewell`
 * (model.c holds their engine glue); the physics is in twostate.c,
 * twostate_exact.c, doublewell.c and doublewell_exact.c.
 *
 * Conventions (k_B = 1): Q is the heat absorbed by the system, so
 * W + Q = Delta E on every trajectory, to round-off.
 */
#ifndef THERMOLEARN_MILBURN_H
#define THERMOLEARN_MILBURN_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/stream.h"

/* ---- the two-state switch (section 2.2, eqs. 5-21) ---------------------------------------- */

/* How f(t) of eq. 9 (or the step of Fig. 6B) drives the rates. */
enum { TS_LINEAR, TS_SIGMOID, TS_STEP, TS_CONSTANT };
/* Energy levels: fixed +-E0/2 (the paper's reading) or thermal levels with
 * local detailed balance mu(t)/nu(t) = exp(-eps(t)/T). */
enum { TS_KINETIC, TS_THERMAL };
enum { TS_STEADY, TS_UP, TS_DOWN };

typedef struct {
    double mu, nu;          /* rate_up (-1 -> +1), rate_down (+1 -> -1) before modulation */
    int protocol;           /* TS_* */
    double tau;             /* linear ramp length */
    double t0, width;       /* sigmoid centre and width; t0 is also the step time */
    double step_factor;     /* a of nu(t) = nu (1 + a theta(t - t0)) */
    double time;            /* end of every trajectory */
    int energy;             /* TS_KINETIC or TS_THERMAL */
    double e0;              /* kinetic level splitting: E_n = n e0 / 2 */
    double temperature;     /* thermal: eps(t) = T ln(nu(t) / mu(t)) */
    int initial;            /* TS_STEADY (steady state of the starting rates), TS_UP, TS_DOWN */
    int reverse;            /* 1: the time-reversed protocol, t -> time - t */
    size_t survival_times;  /* checkpoints t_k = time k / K, k = 1..K */
} ts_params;

/* Per-trajectory observables, in the order of the model's table. */
enum {
    TS_OBS_WORK,
    TS_OBS_HEAT,
    TS_OBS_ENERGY_CHANGE,
    TS_OBS_JUMPS,
    TS_OBS_EVENTS,
    TS_OBS_FINAL_STATE,
    TS_OBS_FIRST_JUMP,
    TS_OBS_NO_JUMP,
    TS_OBS_NO_EVENT,
    TS_OBS_PAPER_S,
    TS_OBS_S_PLUS,
    TS_OBS_S_MINUS,
    TS_N_OBS
};

/* The rates at time t of the (forward or reversed) protocol. */
void ts_rates(const ts_params *p, double t, double *mu, double *nu);
/* The largest mu(t) + nu(t) over the run: the thinning bound. */
double ts_rate_bound(const ts_params *p);
/* Energy of state n (+1 or -1) at time t. */
double ts_energy(const ts_params *p, int n, double t);
/* Probability of n = +1 at t = 0. */
double ts_p_up_initial(const ts_params *p);

typedef struct {
    double work, heat, energy_change;
    long jumps, events;         /* real changes of n; firings of N+ or N- (eq. 14), null ones included */
    int n0, n_final;
    double first_jump;          /* time of the first real jump, `time` if none */
} ts_path;

/* Trajectories first .. first + count - 1, vectorised across them (lanes of up
 * to 32 side by side, each on its own candidates): out[b] of trajectory
 * first + b and state[k * count + b] = its n(t_k) (state may be NULL), as
 * ts_trajectory gives them, bit for bit, for any count and first. */
void ts_trajectories(const ts_params *p, const tl_stream_key *key, uint64_t first, size_t count, ts_path *out,
                     double *state);
/* One trajectory, exact: thinning of the two Poisson processes of eq. 14 at the
 * constant bound; draws from the (key, trajectory) stream of purpose DYNAMICS
 * (n(0) from INITIAL).  state[k] = n(t_k) at the checkpoints t_k = time (k+1)/K,
 * K = survival_times (state may be NULL).  The scalar reference of
 * ts_trajectories. */
void ts_trajectory(const ts_params *p, const tl_stream_key *key, uint64_t trajectory, ts_path *out, double *state);
/* One trajectory (the same numbers as ts_trajectory) and its sample path at
 * `samples` times t_j = time (j+1)/samples: path[3 j + c] = n(t_j), E_{n(t_j)}(t_j),
 * W(0, t_j) for c = 0, 1, 2.  The last sample is at `time` exactly: n_final, the
 * final energy and the work of *out, to the bit. */
void ts_trajectory_path(const ts_params *p, const tl_stream_key *key, uint64_t trajectory, size_t samples,
                        double *path, ts_path *out);

/* Exact references, from the master equation integrated by GSL (rk8pd,
 * tolerances 1e-12) piecewise between the protocol's kinks. */
typedef struct {
    double p_up_final;           /* p_{+1}(time) */
    double p_no_jump;            /* p1(0) e^{-int nu} + p-1(0) e^{-int mu}: n never changes */
    double p_no_event;           /* e^{-int (mu + nu)}: eq. 17 as printed */
    double p_s_plus, p_s_minus;  /* eqs. 18-19: p_{+-}(time) - p_{+-}(0) e^{-int (mu + nu)} */
    double mean_energy_change;
    double mean_work;            /* int dt sum_n p_n dE_n/dt (0 for kinetic levels) */
    double mean_first_jump;      /* E[min(first jump, time)] = int_0^time P(no jump by t) dt */
    double jarzynski;            /* <e^{-W/T}> from the tilted master equation (thermal; NaN for kinetic) */
    double delta_f;              /* F(time) - F(0), F = -T ln sum_n e^{-E_n/T} (thermal; NaN for kinetic) */
} ts_exact;

/* Fills *ex, survival[k] = P(no real jump by t_k) and mean_state[k] = <n(t_k)>
 * = 2 p1(t_k) - 1 at the checkpoints t_k = time (k+1)/K, K = survival_times
 * (either array may be NULL).  Returns 0, or -1 if the integrator failed. */
int ts_exact_compute(const ts_params *p, ts_exact *ex, double *survival, double *mean_state);
/* Eqs. 11-12: p_{+1}(tau) of the linear ramp from the steady state, in closed form. */
double ts_paper_p_up(double mu, double nu, double tau);

/* ---- the double-well switch (section 2.1) ---------------------------------------------------- */

/* V(x, lambda) = x^2 (x^2 - 1) - lambda x, and its derivatives in x. */
static inline double dw_potential(double x, double lambda)
{
    return x * x * (x * x - 1) - lambda * x;
}
static inline double dw_force(double x, double lambda) /* -dV/dx */
{
    return -(4 * x * x * x - 2 * x - lambda);
}

enum { DW_MALA, DW_EULER };
enum { DW_EQUILIBRIUM, DW_LEFT, DW_RIGHT };

typedef struct {
    double lambda_start, lambda_end, ramp_time, time;
    double temperature;   /* D = T (mobility 1) */
    double dt;            /* requested step; the step used is time / steps */
    int integrator;       /* DW_MALA or DW_EULER */
    int initial;          /* DW_EQUILIBRIUM, DW_LEFT, DW_RIGHT */
    double threshold;     /* x_th of the first passage */
    int bridge;           /* Brownian-bridge crossing test between steps */
    int reverse;          /* 1: the time-reversed lambda sequence */
    size_t survival_times;
    size_t path_samples;  /* S sample-path times, at whole steps ~ steps j/S, j = 1..S (0: none) */
} dw_params;

enum {
    DW_OBS_WORK,
    DW_OBS_HEAT,
    DW_OBS_ENERGY_CHANGE,
    DW_OBS_FPT,
    DW_OBS_PASSED,
    DW_OBS_FINAL_SIGN,
    DW_OBS_ERROR,
    DW_OBS_X_MEAN,
    DW_OBS_ACCEPTANCE,
    DW_N_OBS
};

/* Exact sampler of the Boltzmann law exp(-V(x, lambda)/T), optionally restricted to
 * one side of 0: rejection under a piecewise-constant envelope (the maximum of
 * the density on each of `cells` cells of [-L, L], exact from the critical
 * points of V), so the draws have the law itself, not a gridded version. */
typedef struct {
    size_t cells;
    double lo, width;        /* cell c is [lo + c width, lo + (c + 1) width] */
    double *cdf;             /* cumulative envelope mass, [cells] */
    double *top;             /* the density's maximum on each cell (relative to the global one) */
    double lambda, temperature, vmin;
} dw_sampler;

dw_sampler *dw_sampler_alloc(double lambda, double temperature, int side);
void dw_sampler_free(dw_sampler *s);
double dw_sampler_draw(const dw_sampler *s, tl_stream_cursor *r);

typedef struct {
    dw_params p;
    long steps;
    double h;                 /* step used: time / steps */
    double *lambda;           /* lambda_k, k = 0..steps, in the simulated direction */
    dw_sampler *initial;
    long *checkpoint;         /* survival checkpoints as step numbers, [survival_times] */
    long *path_step;          /* sample-path times as step numbers, [path_samples]; the last is `steps` */
} dw_run;

/* The protocol of one direction (lambda_k at the steps) and the exact initial sampler, for a valid p. */
dw_run *dw_run_alloc(const dw_params *p);
void dw_run_free(dw_run *r);

typedef struct {
    double work, heat, energy_change;
    double fpt;               /* first time x >= threshold, `time` if never */
    int passed, final_sign;
    double x_mean;            /* trapezoid time average of x over [0, time] */
    double acceptance;        /* fraction of accepted MALA proposals (1 for Euler) */
} dw_path;

/* Trajectories first .. first + count - 1, vectorised across them (lanes of
 * up to 64 trajectories side by side): out[b] of trajectory first + b, and
 * survival[k * count + b] = 1 if it had not reached the threshold by
 * checkpoint k (survival may be NULL).  The same numbers for any count and
 * any first: each trajectory's are those of dw_trajectory. */
void dw_trajectories(const dw_run *run, const tl_stream_key *key, uint64_t first, size_t count, dw_path *out,
                     double *survival);
/* The same, and the sample paths: path[(3 j + c) count + b] = x, W(0, t_j), Q(0, t_j) (c = 0, 1, 2) of
 * trajectory first + b after step path_step[j] (path may be NULL).  The last sample is after the last
 * step: the trajectory's final x, work and heat, to the bit. */
void dw_trajectories_path(const dw_run *run, const tl_stream_key *key, uint64_t first, size_t count, dw_path *out,
                          double *survival, double *path);
/* One trajectory, the scalar reference of dw_trajectories; survival[k] as above (may be NULL). */
void dw_trajectory(const dw_run *run, const tl_stream_key *key, uint64_t trajectory, dw_path *out,
                   double *survival);

/* Z(lambda) = int e^{-V/T} dx relative to e^{-vmin/T} (GSL QAGI), with the shift vmin returned. */
double dw_log_partition(double lambda, double temperature);
/* Delta F = -T ln Z(lambda_1)/Z(lambda_0), by quadrature. */
double dw_delta_f(double lambda0, double lambda1, double temperature);
/* <x> in equilibrium at lambda, by quadrature. */
double dw_mean_x(double lambda, double temperature);
/* Global minimum x* of V(., lambda) and V''(x*). */
double dw_curvature_at_minimum(double lambda);
/* Half-width L of the support [-L, L]: V(+-L) exceeds the minimum by 60 T. */
double dw_support(double lambda, double temperature);

/* Exact references of the continuum process from the Fokker-Planck equation on
 * a grid (a master equation with detailed balance on the grid; Crank-Nicolson
 * in time): <W>, Var W, P(x(time) < 0) and E[x(time)], from the initial law of
 * p.  Grid spacing hx on [-L, L], time step ht.  Returns 0 or -1. */
typedef struct {
    double mean_work, var_work, p_negative, jarzynski;
} dw_grid_result;
int dw_grid_solve(const dw_params *p, double hx, double ht, dw_grid_result *out);
/* First passage to x >= threshold of the forward process, on the same grid
 * (spacing lowered so that the threshold is a node; it and the nodes beyond
 * absorb): survival[k] = P(no passage by times[k]) (times ascending, linear
 * interpolation between time steps) and E[min(tau, time)] = int_0^time S.
 * Returns 0 or -1. */
int dw_grid_first_passage(const dw_params *p, double hx, double ht, size_t n_times, const double *times,
                          double *survival, double *mean_min_fpt);

/* `thermolearn bench twostate|doublewell` (bench.c). */
int milburn_twostate_bench(int argc, char **argv);
int milburn_doublewell_bench(int argc, char **argv);

#endif
