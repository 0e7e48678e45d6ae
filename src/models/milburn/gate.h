/* Learning with sampled switches, Milburn "Thermodynamics of learning
 * machines" sections 4.1 and 5 (eqs. 51-75, 89-92, Figs. 14-18): model
 * `gate`.  Physics in gate.c (sampling, the updates, the thermal bookkeeping)
 * and gate_exact.c (the exact expected error and first-epoch update by
 * enumeration); engine glue in gate_model.c.
 *
 * A neuron is a switch n = +-1 with P(n = +1) = 1/(1 + e^{-beta A}) (eq. 61),
 * A = xi.w + b (eq. 51).  An epoch ("trial"): one labelled input drawn
 * uniformly, M samplings of the switch (of the network, feed-forward, for
 * XOR), the sample means nbar, the update of eq. 63 (NOT) or eqs. 72 and 75
 * (XOR; eq. 75 with beta^2, the chain rule, or beta as printed).
 *
 * Thermal reading (NOT, section 5): the switch is a two-level system at
 * T = 1/beta with E_n(A) = -n A/2; a change of A at fixed n is work, each
 * sampling a re-equilibration whose energy change is heat, so W + Q = Delta E
 * per trajectory (k_B = 1, Q absorbed).
 */
#ifndef THERMOLEARN_MILBURN_GATE_H
#define THERMOLEARN_MILBURN_GATE_H

#include <stddef.h>

#include "milburn.h"

enum { GT_NOT, GT_XOR };
enum { GT_CHAIN, GT_PAPER };        /* eq. 75 with beta^2 (chain rule) or beta (as printed) */
enum { GT_FRESH, GT_LAST };         /* the switch state at each parameter change */
enum { GT_CAPTION, GT_TRANSPOSED }; /* XOR start: Fig. 18's wh as read, or its transpose */

#define GT_MAX_WEIGHTS 9
/* Weight order.  NOT: w, b.  XOR: wh11 wh12 wh21 wh22 (input i, hidden j), bh1 bh2, wo1 wo2, b3. */
enum { GX_WH = 0, GX_BH = 4, GX_WO = 6, GX_B3 = 8 };

typedef struct {
    int task;           /* GT_NOT or GT_XOR */
    double beta;        /* switch steepness (eq. 61) = 1/T */
    long samples;       /* M per epoch */
    long epochs;
    double eta;         /* learning rate */
    double start[GT_MAX_WEIGHTS];
    int hidden_rule;    /* GT_CHAIN or GT_PAPER */
    int work_state;     /* GT_FRESH or GT_LAST */
    long record_every;  /* epochs 0, r, 2r, ..., and the last */
    double target;      /* error below which a run counts as solved */
} gt_params;

static inline size_t gt_n_weights(const gt_params *p)
{
    return p->task == GT_NOT ? 2 : 9;
}
/* Records: epochs 0, r, 2r, ... and `epochs` itself. */
size_t gt_n_records(const gt_params *p);
long gt_record_epoch(const gt_params *p, size_t k);

/* The updates given the sample means: eq. 63 (NOT, nbar of the output) and eqs. 72 and 75
 * (XOR, nh of the hidden switches, no of the output; hidden_rule picks beta^2 or beta). */
void gt_not_update(const gt_params *p, double *wt, double x, double label, double nbar);
void gt_xor_update(const gt_params *p, double *wt, const double xi[2], double label, const double nh[2], double no);

/* Bin(n, p) by inversion of the uniform u in (0, 1): the smallest k with u <= F(k), the pmf
 * walked from 0 on the smaller side (p' = min(p, 1 - p), k = n - k' if flipped; about n p'
 * terms), q^n by gt_pow_int; exact in law to round-off, n <= 1000. */
long gt_binomial_inverse(double u, long n, double p);
/* q^n, n >= 1, by binary powering (the same products in the lanes and the scalar reference). */
double gt_pow_int(double q, long n);
/* Bin(n, p) from a stream: 0 without a draw for n <= 0 or p <= 0, n for p >= 1, else
 * gt_binomial_inverse of one uniform.  (The trajectories draw every count's uniform and call
 * gt_binomial_inverse, so that their streams stay in step across a tile.) */
long gt_binomial(tl_stream_cursor *r, long n, double p);

typedef struct {
    double weights[GT_MAX_WEIGHTS];   /* final */
    double first_update[GT_MAX_WEIGHTS];
    double error_final;               /* exact expected error of the final weights */
    long epochs_to_target;            /* first recorded epoch with exact error < target; `epochs` + 1 if none */
    /* thermal bookkeeping (NOT; zero for XOR) */
    double work, heat, energy_change, delta_f, entropy_change, mean_energy_change;
} gt_path;

/* One trajectory; error_exact[k], error_sampled[k] and weights[k * n_w + i] at
 * the records (any may be NULL).  error_sampled at record 0 is that of the
 * first epoch's samples (eq. 65), at record k that of the epoch just before. */
void gt_trajectory(const gt_params *p, const tl_stream_key *key, uint64_t trajectory, gt_path *out,
                   double *error_exact, double *error_sampled, double *weights);
/* Trajectories first .. first + count - 1 into out[b]; profiles (any may be NULL) as the engine
 * lays them out: error_exact[k count + b], error_sampled[k count + b], weights[(k n_w + i) count + b].
 * Tiles of 64 trajectories run side by side (vectors across the tile, vecmath.h), bit for bit
 * gt_trajectory's numbers, which is their scalar reference. */
void gt_trajectories(const gt_params *p, const tl_stream_key *key, uint64_t first, size_t count, gt_path *out,
                     double *error_exact, double *error_sampled, double *weights);

/* ---- exact (gate_exact.c) ---- */
/* The expected error of the physical (sampled) network, averaged over the inputs:
 * NOT: [p1(w + b) + 1 - p1(b - w)]/2; XOR: enumeration over the hidden states. */
double gt_error_exact(const gt_params *p, const double *weights);
/* The expected first-epoch update E[Delta weight_i] for every weight, exact for
 * every M: NOT in closed form (E[nbar^2] = n^2 + (1 - n^2)/M), XOR by
 * enumeration of the multinomial counts of (n_hj, n_o) (M <= GT_EXACT_MAX_M,
 * else NaN).  Returns 0. */
#define GT_EXACT_MAX_M 400
int gt_first_update_exact(const gt_params *p, double *expected);
/* The mean-field error of eqs. 72-75 (output driven by tanh of the hidden A's)
 * on one input, whose gradient eqs. 72 and 75 follow. */
double gt_error_mean_field(const gt_params *p, const double *weights, const double xi[2], double target);
/* The training set: input k of the task (k < 2 for NOT, < 4 for XOR) and its label. */
void gt_example(int task, int k, double xi[2], double *label);

#endif
