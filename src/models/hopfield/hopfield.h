/* The driven Hopfield network (Chen 2020, section II): internals shared by
 * the model's files and its tests.
 *
 * Couplings are low rank, W_ij = sum_{mu,nu} C[mu][nu] eps^mu_i eps^nu_j for
 * i != j and W_ii = 0: eq. 13 is C = [[gamma, a], [0, 1 - gamma]], the Hebbian
 * rule of eq. 9 is C = identity / M.  So the energy (eq. 4) depends on a
 * configuration only through the integer overlaps m_nu = sum_i eps^nu_i V_i and
 * the magnetisation m_0 = sum_i V_i:
 *
 *   E(V; lambda) = -1/2 (m^T C m - d) - h (a(lambda) m_1 + b(lambda) m_2) + U m_0,
 *
 * with d = sum_i sum_{mu,nu} C[mu][nu] eps^mu_i eps^nu_i the removed diagonal
 * and I(lambda) = h (a eps^1 + b eps^2) the input: (a, b) = (1 - lambda, lambda)
 * for `interpolate`, (0, lambda) for `ramp`.  Only the symmetric part of W
 * enters E; the dynamics uses the full row of W in the local field (eq. 5).
 */
#ifndef THERMOLEARN_HOPFIELD_H
#define THERMOLEARN_HOPFIELD_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/model.h"

#define HOPFIELD_MAX_N 4096
#define HOPFIELD_MAX_PATTERNS 64
#define HOPFIELD_MAX_EXACT_N 24

#define HOPFIELD_MAX_STEADY_N 16
#define HOPFIELD_MAX_GRADED_N 64
#define HOPFIELD_MAX_GRADED_EXACT_N 2 /* exact dF of the graded network by quadrature */

/* Binary spins V = +-1, or graded responses V = f(u) in (0, 1) (eq. 15, graded.c). */
enum hopfield_neurons { HOPFIELD_BINARY, HOPFIELD_GRADED };
enum hopfield_integrator { HOPFIELD_MALA, HOPFIELD_EULER };

/* exchange: equilibrium at beta_initial, then relaxation at beta (XFT);
 * steady: the exact steady state at fixed input, then relaxation (entropy
 * production).  Both hold the input at lambda = 0, I = h eps^1. */
enum hopfield_protocol { HOPFIELD_INTERPOLATE, HOPFIELD_RAMP, HOPFIELD_EXCHANGE, HOPFIELD_STEADY };
enum hopfield_update { HOPFIELD_SEQUENTIAL, HOPFIELD_PALINDROMIC };
/* Acceptance rule of a single-site update: both leave exp(-beta E) invariant
 * for symmetric W, and both are self-adjoint site by site. */
enum hopfield_rule { HOPFIELD_HEAT_BATH, HOPFIELD_METROPOLIS };

typedef struct {
    /* parameters */
    int n, m;              /* spins, patterns */
    double beta, threshold, field;
    int protocol, update, rule;
    double beta_initial;   /* exchange: the initial equilibrium; NaN otherwise */
    double asymmetry;      /* a: the antisymmetric part of W is (a/2)(eps1 eps2^T - eps2 eps1^T) */
    int neurons, integrator;
    double resistance, dt; /* graded: R of eq. 15 and the Langevin time step */
    int64_t substeps;      /* graded: Langevin steps per protocol step */
    int plasticity;        /* Hebbian plasticity during the protocol (eq. 16, plastic.c) */
    double learning_rate, synaptic_time;
    int64_t steps, burn_in;
    int exact_initial;     /* draw initial states from the enumerated Boltzmann weights */

    int8_t *patterns;      /* eps^mu_i at [mu * n + i] */
    double *coupling;      /* C[mu][nu] at [mu * m + nu] */
    double diagonal;       /* d */

    /* kernel tables, float: the local field of site i is
     * sum_nu field_coeff[i*m + nu] m_nu - self[i] V_i + input[i](lambda) - U */
    float *field_coeff;
    float *self;

    /* exact enumeration (exact_initial): cumulative Boltzmann weights of the
     * 2^n states at lambda = 0 and lambda = 1, and the free energies. */
    double *cdf[2];
    double free_energy[2]; /* F(lambda = 0), F(lambda = 1); NaN if not enumerated */

    /* steady: the exact stationary distribution of one sweep at lambda = 0
     * (cdf[0] holds its cumulative weights) and its entropy production per
     * sweep, by enumeration (N <= 16); NaN otherwise. */
    double entropy_production;
    double housekeeping;   /* eq. 17 between the pattern states, exact; NaN otherwise */
    int64_t steady_sweeps; /* power-iteration sweeps it took; -1 if it did not converge */
} hopfield;

hopfield *hopfield_alloc(const tl_point *pt);
void hopfield_free(hopfield *hf);

/* (a, b) of the input I(lambda) = h (a eps^1 + b eps^2). */
void hopfield_input_weights(const hopfield *hf, double lambda, double *a, double *b);

/* E(V; lambda) from the overlaps m[0..m-1] and magnetisation m0. */
double hopfield_energy_overlaps(const hopfield *hf, const double *overlap, double m0, double lambda);

/* E(V; lambda) by the explicit double sum of eq. 4, for tests: O(n^2). */
double hopfield_energy_explicit(const hopfield *hf, const int8_t *spins, double lambda);

/* Exact enumeration: free energies and the cdf tables (exact.c). */
void hopfield_enumerate(hopfield *hf);
/* Index of the state whose cumulative weight first exceeds u in (0,1). */
uint64_t hopfield_sample_state(const hopfield *hf, int lambda_end, double u);

/* The exact steady state of the sweep kernel at lambda = 0 by power
 * iteration over all 2^n states, and its entropy production per sweep
 * (steady.c); fills hf->cdf[0], entropy_production, steady_sweeps. */
void hopfield_steady_state(hopfield *hf);

/* Simulate a batch (kernel.c).  spins_initial / spins_final, when not NULL,
 * receive the configurations, [count][n]. */
void hopfield_simulate_batch(const hopfield *hf, const tl_stream_key *key, uint64_t first,
                             size_t count, double *work, double *heat, int8_t *spins_initial,
                             int8_t *spins_final);
/* The same, with the medium entropy production of every trajectory when
 * `entropy` is not NULL: the sum over single-site updates of
 * ln P(V -> V') / P(V' -> V), in units of k_B.  It equals
 * beta (W_nc - Q), W_nc the work of the antisymmetric part of W (zero at a = 0). */
/* The table test of the heat-bath kernel (kernel.c) against the kernel's own
 * formula, at lambda, on every site, overlap pair and spin, with uniforms at
 * and around each p: the number of wrong decisions (0).  For the tests. */
size_t hopfield_kernel_check_tables(const hopfield *hf, double lambda, double margin_scale, size_t *cases,
                                    size_t *decided);

void hopfield_simulate_batch_entropy(const hopfield *hf, const tl_stream_key *key, uint64_t first,
                                     size_t count, double *work, double *heat, double *entropy,
                                     int8_t *spins_initial, int8_t *spins_final);

/* The graded-response network (graded.c): E(V(u); lambda) of eq. 15, a batch
 * of trajectories (acceptance, when not NULL: the fraction of accepted
 * Langevin steps of each), and the exact free energies for n <= 2. */
double hopfield_graded_energy(const hopfield *hf, const double *u, double lambda);
void hopfield_graded_simulate(const hopfield *hf, const tl_stream_key *key, uint64_t first, size_t count,
                              double *work, double *heat, double *entropy, double *acceptance);
/* The scalar reference of hopfield_graded_simulate: one trajectory, the same
 * numbers bit for bit (its unit test compares them). */
void hopfield_graded_trajectory(const hopfield *hf, const tl_stream_key *key, uint64_t trajectory, double *work,
                                double *heat, double *acceptance);
void hopfield_graded_free_energies(hopfield *hf);

/* Hebbian plasticity (plastic.c): W(0) as an n x n matrix, one step of
 * eq. 16, E with a full matrix, and one trajectory (final spins and W out). */
void hopfield_plastic_initial(const hopfield *hf, double *w);
void hopfield_plastic_update(const hopfield *hf, double *w, const int8_t *spins);
double hopfield_plastic_energy(const hopfield *hf, const double *w, const int8_t *spins, double lambda);
void hopfield_plastic_trajectory(const hopfield *hf, const tl_stream_key *key, uint64_t trajectory, double *work,
                                 double *heat, int8_t *spins, double *w);
void hopfield_plastic_simulate(const hopfield *hf, const tl_stream_key *key, uint64_t first, size_t count,
                               double *work, double *heat, double *entropy);

/* `thermolearn bench hopfield` (bench.c). */
int hopfield_bench(int argc, char **argv);

#endif
