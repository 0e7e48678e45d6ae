/* The linear (Ornstein-Uhlenbeck) system of Ingrosso & Panizon, appendix D
 * (model `ou`): internals shared by the model's files and its tests.
 *
 *   ds = (W s + x) dt + sigma dB,   sigma^2 = 2T,  D = T I   (eq. D1, k_B = 1, mobility 1)
 *
 * In the 2-d form of eq. D7, W = [[-decay, J_s + J_a], [J_s - J_a, -decay]]
 * (the paper has decay = 1).  With every eigenvalue of W in the left half
 * plane the steady state is Gaussian with mean m = -W^{-1} x and covariance C,
 * W C + C W^T + sigma^2 I = 0 (eq. D2).  The medium entropy production is
 * Delta S_m = (1/T) int (W s + x) o ds (Stratonovich); its steady-state rate
 * is tr(B^T D^{-1} B C), B = W + D C^{-1}, which is 2 J_a^2 / decay in 2-d
 * (eq. D11 at decay = 1).
 *
 * Trajectories are sampled on a grid of step h with the exact Gaussian
 * transition y' = e^{W h} y + eta, cov(eta) = Q(h), y = s - m.  The entropy of
 * each step is its exact conditional mean given the two sampled states,
 * E[Delta S_m | y, y'], a quadratic form in (y, y') computed once per point
 * (ou_step_kernel): the entropy production of a trajectory is therefore
 * unbiased at any h.
 */
#ifndef THERMOLEARN_OU_H
#define THERMOLEARN_OU_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/model.h"
#include "thermolearn/stream.h"

#define OU_MAX_N 32   /* dimensions (the Lyapunov equation is solved on its n^2 x n^2 Kronecker form) */

/* Each step of the window draws ceil(n/2) Philox blocks of its trajectory's
 * DYNAMICS stream (two Gaussians a block, tl_stream_gaussians); the block
 * counter is 32 bits, so a window has at most OU_MAX_BLOCKS / ceil(n/2) steps
 * (4.3e9 at n = 2, 2.7e8 at n = 32). */
#define OU_MAX_BLOCKS 4294967295.0
static inline int ou_blocks_per_step(int n)
{
    return (n + 1) / 2;
}

/* Per-trajectory observables (histogrammed), in this order. */
enum {
    OU_OBS_EP,      /* medium entropy production over the window */
    OU_OBS_EP_RATE, /* the same over the window's length */
    OU_N_OBS
};

/* Per-trajectory vector observables (engine profiles), in this order. */
enum {
    OU_PROFILE_MEAN, /* [n]: time averages of s_i */
    OU_PROFILE_COV,  /* [n(n+1)/2]: time averages of (s_i - m_i)(s_j - m_j), pairs i <= j (ou_pair) */
    OU_N_PROFILES
};

/* Index of the pair (i, j), i <= j < n, in the row-major upper triangle of an
 * n x n matrix (numpy's triu_indices(n) order); n(n+1)/2 pairs in all. */
static inline size_t ou_pair(size_t n, size_t i, size_t j)
{
    return i * n - i * (i - 1) / 2 + (j - i);
}

static inline size_t ou_n_pairs(size_t n)
{
    return n * (n + 1) / 2;
}

typedef struct {
    int n;
    double temperature;        /* D = T I; the paper's sigma_s = sqrt(2T) */
    double transient, window;  /* the window is [transient, transient + window] */
    double h;                  /* the sampling step: window / steps */
    long steps;
    int initial_steady;        /* 1: s(0) from the steady state; 0: s(0) = 0 */
    double *w, *x, *m;         /* W [n*n] row-major, x, m = -W^{-1} x */
    double *c;                 /* stationary covariance (Lyapunov solver) */
    double *c_exact;           /* what the datasets report: D8 in 2-d form, else c */
    double ep_rate_exact;      /* D11 in 2-d form, else the trace formula */
    double *e_h, *l_h;         /* e^{W h}, lower Cholesky factor of Q(h) */
    double *e_tr, *l_tr;       /* the same over the transient (NULL without one) */
    double *l_c;               /* lower Cholesky factor of C */
    double *qaa, *qab, *qbb, qc; /* E[Delta S_m | y, y'] = y.qaa y + y.qab y' + y'.qbb y' + qc */
} ou;

/* ---- exact results (exact.c) ---------------------------------------------------------------- */

/* W of eq. D7 with the diagonal -decay. */
void ou_two_matrix(double js, double ja, double decay, double w[4]);
/* Closed forms of the 2-d system: C of eq. D8 and Sigma of eq. D11, both
 * generalised to W_ii = -decay: C = sigma^2 / (2 decay (decay^2 + J_a^2 - J_s^2))
 * [[decay^2 + J_s J_a + J_a^2, decay J_s], [decay J_s, decay^2 - J_s J_a + J_a^2]],
 * Sigma = 2 J_a^2 / decay.  Either output may be NULL. */
void ou_two_closed_form(double js, double ja, double decay, double sigma, double c[4], double *rate);
/* |W|_1, the largest column sum of |W_ij|: the fastest rate, for step sizes. */
double ou_norm1(int n, const double *w);
/* Largest real part of the eigenvalues of W (GSL's nonsymmetric eigensolver). */
double ou_abscissa(int n, const double *w);
/* Stationary covariance: W C + C W^T + sigma^2 I = 0 by GSL LU on the Kronecker
 * form; returns TL_OK or TL_ERR_NUMERIC. */
int ou_lyapunov(int n, const double *w, double sigma, double *c);
/* Steady-state entropy production rate tr(B^T D^-1 B C), B = W + D C^-1, D = sigma^2/2 I;
 * NaN if the Lyapunov equation has no solution. */
double ou_entropy_rate(int n, const double *w, double sigma);
/* The exact transition over h: e = e^{W h} and q = int_0^h e^{W u} sigma^2 e^{W^T u} du
 * (q may be NULL): Van Loan's block exponential for h |W|_1 <= 1 or without c,
 * else C - e C e^T with the stationary covariance c.  Returns TL_OK or TL_ERR_NUMERIC. */
int ou_transition(int n, const double *w, const double *c, double sigma, double h, double *e, double *q);
/* The medium entropy of one step of h, E[(1/T) int (W y) o dy | y(0) = a, y(h) = b]
 * = a.qaa a + a.qab b + b.qbb b + qc, from the Gaussian bridge between a and b
 * (Gauss-Legendre quadrature over the step; c the stationary covariance).  Returns TL_OK or TL_ERR_NUMERIC. */
int ou_step_kernel(int n, const double *w, const double *c, double temperature, double h, double *qaa,
                   double *qab, double *qbb, double *qc);
/* a.q b for an n x n matrix q. */
double ou_quadratic(int n, const double *q, const double *a, const double *b);

/* ---- the point state and trajectories (ou.c, simulate.c) ----------------------------------- */

/* A point: W, x, the bath, the window [transient, time] sampled every dt (lowered
 * so that whole steps fill the window); NULL with a message in why on failure. */
ou *ou_alloc(int n, const double *w, const double *x, double temperature, double time, double transient,
             double dt, int initial_steady, char *why, size_t why_len);
void ou_free(ou *o);

/* One trajectory: returns its medium entropy production over the window, and
 * the time averages (trapezoid over the samples) of s_i into mean[n] and of
 * (s_i - m_i)(s_j - m_j) into cov[n*n] (either may be NULL). */
double ou_trajectory(const ou *o, const tl_stream_key *key, uint64_t t, double *mean, double *cov);
/* The observables and profiles of trajectories first .. first+count-1, in the
 * layout of the model interface: out[o][i], and component c of profile v at
 * profile[v][c * count + i] (a NULL profile[v] is skipped). */
void ou_simulate_batch(const ou *o, const tl_stream_key *key, uint64_t first, size_t count,
                       double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES]);

/* `thermolearn bench ou` (bench.c). */
int ou_bench(int argc, char **argv);

#endif
