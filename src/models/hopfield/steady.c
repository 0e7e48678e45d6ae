/* The exact steady state of the Hopfield dynamics at fixed input, by
 * enumeration, and its entropy production.
 *
 * With a != 0 the single-site updates do not satisfy detailed balance with
 * respect to any energy, so the stationary distribution pi of one sweep
 * K = K_last ... K_first is not Boltzmann.  It is found by power iteration
 * over all 2^n states.  The entropy production per sweep in the steady state
 * is Schnakenberg's formula applied update by update,
 *
 *   sigma = sum_k sum_{x,y} p_{k-1}(x) K_k(x,y) ln[p_{k-1}(x) K_k(x,y) / (p_k(y) K_k(y,x))],
 *
 * p_k the distribution after the k-th update of the sweep (p_0 = pi).  The
 * terms ln p_{k-1}(x) / p_k(y) telescope to zero over a stationary sweep, so
 * sigma is the mean of the medium entropy sum_k ln K_k(x,y)/K_k(y,x) that the
 * kernel accumulates along trajectories: the two are directly comparable.
 * For a = 0, pi is Boltzmann and sigma = 0.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopfield.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

/* Cap on the work of the power iteration, in pair updates. */
#define STEADY_MAX_WORK 4e9
#define STEADY_TOL 1e-12

typedef struct {
    int n;
    uint64_t count;
    double *flip;      /* [i * count + s]: probability that an update of site i flips it in state s */
    double *log_ratio; /* [i * count + s]: ln K_i(s, s^i) / K_i(s^i, s) */
} site_tables;

/* Local field H_i(s) = sum_j W_ij V_j + I_i(0) - U with the full row of W, in
 * double, and from it the flip probability of the update rule. */
static void build_tables(const hopfield *hf, site_tables *t)
{
    int n = hf->n, m = hf->m;
    t->n = n;
    t->count = (uint64_t)1 << n;
    t->flip = tl_malloc((size_t)n * t->count * sizeof *t->flip, "steady-state tables");
    t->log_ratio = tl_malloc((size_t)n * t->count * sizeof *t->log_ratio, "steady-state tables");
    double *coeff = tl_malloc((size_t)n * m * sizeof *coeff, "couplings");
    double *self = tl_malloc((size_t)n * sizeof *self, "couplings");
    double a, b;
    hopfield_input_weights(hf, 0.0, &a, &b);
    for (int i = 0; i < n; i++) {
        self[i] = 0;
        for (int nu = 0; nu < m; nu++) {
            double c = 0;
            for (int mu = 0; mu < m; mu++) c += hf->coupling[mu * m + nu] * hf->patterns[mu * n + i];
            coeff[i * m + nu] = c;
            self[i] += c * hf->patterns[nu * n + i];
        }
    }
    double overlap[HOPFIELD_MAX_PATTERNS];
    for (uint64_t s = 0; s < t->count; s++) {
        for (int nu = 0; nu < m; nu++) {
            overlap[nu] = 0;
            for (int i = 0; i < n; i++) overlap[nu] += hf->patterns[nu * n + i] * ((s >> i) & 1 ? 1.0 : -1.0);
        }
        for (int i = 0; i < n; i++) {
            double v = (s >> i) & 1 ? 1.0 : -1.0, h = -self[i] * v - hf->threshold;
            h += hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]);
            for (int nu = 0; nu < m; nu++) h += coeff[i * m + nu] * overlap[nu];
            /* Flipping V_i: x = 2 beta H_i V_i; heat bath 1/(1 + e^x), Metropolis min(1, e^-x);
             * both have ln K(s, s^i) / K(s^i, s) = -x. */
            double x = 2.0 * hf->beta * h * v;
            t->flip[(size_t)i * t->count + s] = hf->rule == HOPFIELD_METROPOLIS ? fmin(1.0, exp(-x)) : 1.0 / (1.0 + exp(x));
            t->log_ratio[(size_t)i * t->count + s] = -x;
        }
    }
    free(coeff);
    free(self);
}

/* One update of site i applied to the distribution p; returns the mean
 * medium entropy sum_s p(s) K_i(s, s^i) ln K_i(s, s^i) / K_i(s^i, s). */
static double apply_site(const site_tables *t, int i, double *p)
{
    const double *f = t->flip + (size_t)i * t->count, *lr = t->log_ratio + (size_t)i * t->count;
    uint64_t bit = (uint64_t)1 << i;
    double entropy = 0;
    for (uint64_t s = 0; s < t->count; s++) {
        if (s & bit) continue;
        uint64_t r = s | bit;
        double out = p[s] * f[s], in = p[r] * f[r];
        entropy += out * lr[s] + in * lr[r];
        p[s] += in - out;
        p[r] += out - in;
    }
    return entropy;
}

static int sweep_order(const hopfield *hf, int k)
{
    int n = hf->n;
    return hf->update == HOPFIELD_PALINDROMIC && k >= n ? 2 * n - 1 - k : k;
}

/* One sweep, or its adjoint (the sites in the opposite order). */
static double apply_sweep_order(const hopfield *hf, const site_tables *t, double *p, int adjoint)
{
    int updates = hf->update == HOPFIELD_PALINDROMIC ? 2 * hf->n : hf->n;
    double entropy = 0;
    for (int k = 0; k < updates; k++) entropy += apply_site(t, sweep_order(hf, adjoint ? updates - 1 - k : k), p);
    return entropy;
}

static double apply_sweep(const hopfield *hf, const site_tables *t, double *p)
{
    return apply_sweep_order(hf, t, p, 0);
}

static uint64_t pattern_state(const hopfield *hf, int mu)
{
    uint64_t s = 0;
    for (int i = 0; i < hf->n; i++)
        if (hf->patterns[mu * hf->n + i] > 0) s |= (uint64_t)1 << i;
    return s;
}

/* Eq. 17: ln [pi(eps1) M(eps2|eps1) / (pi(eps2) M~(eps1|eps2))], M the one-sweep
 * transition probability and M~ that of the adjoint sweep (the time reversal
 * of a sweep is its adjoint: with it the value is 0 for a = 0 and every kernel). */
static double housekeeping(const hopfield *hf, const site_tables *t, const double *pi, double *work)
{
    uint64_t e1 = pattern_state(hf, 0), e2 = pattern_state(hf, 1);
    memset(work, 0, t->count * sizeof *work);
    work[e1] = 1;
    apply_sweep_order(hf, t, work, 0);
    double forward = pi[e1] * work[e2];
    memset(work, 0, t->count * sizeof *work);
    work[e2] = 1;
    apply_sweep_order(hf, t, work, 1);
    return log(forward / (pi[e2] * work[e1]));
}

void hopfield_steady_state(hopfield *hf)
{
    site_tables t;
    build_tables(hf, &t);
    double *p = tl_malloc(t.count * sizeof *p, "steady state"), *prev = tl_malloc(t.count * sizeof *prev, "steady state");
    for (uint64_t s = 0; s < t.count; s++) p[s] = 1.0 / (double)t.count;
    int64_t max_sweeps = (int64_t)(STEADY_MAX_WORK / ((double)t.n * (double)t.count)) + 100;
    hf->steady_sweeps = -1;
    for (int64_t k = 1; k <= max_sweeps; k++) {
        memcpy(prev, p, t.count * sizeof *p);
        apply_sweep(hf, &t, p);
        double change = 0, norm = 0;
        for (uint64_t s = 0; s < t.count; s++) change += fabs(p[s] - prev[s]), norm += p[s];
        /* renormalise against the drift of round-off */
        for (uint64_t s = 0; s < t.count; s++) p[s] /= norm;
        if (change < STEADY_TOL) {
            hf->steady_sweeps = k;
            break;
        }
    }
    if (hf->steady_sweeps < 0)
        tl_warning("hopfield: the steady state did not converge in %lld sweeps; entropy_production_exact is NaN",
                   (long long)max_sweeps);
    memcpy(prev, p, t.count * sizeof *p);
    hf->entropy_production = hf->steady_sweeps < 0 ? NAN : apply_sweep(hf, &t, prev);
    hf->housekeeping = hf->steady_sweeps < 0 ? NAN : housekeeping(hf, &t, p, prev);
    /* Initial states are drawn from pi: its cumulative weights replace the Boltzmann ones. */
    double sum = 0;
    for (uint64_t s = 0; s < t.count; s++) p[s] = (sum += p[s]);
    free(hf->cdf[0]);
    hf->cdf[0] = p;
    free(prev);
    free(t.flip);
    free(t.log_ratio);
}
