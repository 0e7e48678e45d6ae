/* Hebbian plasticity during the protocol (Chen 2020, eq. 16):
 *
 *   dW_ij/dt = -W_ij / tau_s + eta V_i V_j   (i != j),
 *
 * integrated exactly over one protocol step (time unit: one step) with V held
 * at its value after the step's sweep:
 *
 *   W <- exp(-1/tau_s) W + eta tau_s (1 - exp(-1/tau_s)) V V^T   (zero diagonal).
 *
 * The couplings are then full rank, so this path keeps an N x N matrix per
 * trajectory and runs one trajectory at a time (the low-rank batch kernel
 * stays untouched).  A step is: change of input (work), sweep (heat), change
 * of W at fixed spins (work as well: the energy changes at fixed state), so
 * W + Q = Delta E holds per trajectory.  Plasticity is a feedback of the state
 * on the energy: Crooks has no reason to hold, and `check` shows by how much
 * it fails; for eta -> 0 the plain network is recovered.
 * Only the symmetric part of W enters E; W stays symmetric if W(0) is (a = 0).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "hopfield.h"
#include "thermolearn/error.h"

void hopfield_plastic_initial(const hopfield *hf, double *w)
{
    int n = hf->n, m = hf->m;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double x = 0;
            if (i != j)
                for (int mu = 0; mu < m; mu++)
                    for (int nu = 0; nu < m; nu++)
                        x += hf->coupling[mu * m + nu] * hf->patterns[mu * n + i] * hf->patterns[nu * n + j];
            w[i * n + j] = x;
        }
}

void hopfield_plastic_update(const hopfield *hf, double *w, const int8_t *spins)
{
    int n = hf->n;
    double decay = exp(-1.0 / hf->synaptic_time);
    double gain = hf->learning_rate * hf->synaptic_time * -expm1(-1.0 / hf->synaptic_time);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j) w[i * n + j] = decay * w[i * n + j] + gain * spins[i] * spins[j];
}

double hopfield_plastic_energy(const hopfield *hf, const double *w, const int8_t *spins, double lambda)
{
    int n = hf->n;
    double a, b, e = 0;
    hopfield_input_weights(hf, lambda, &a, &b);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) e -= 0.25 * (w[i * n + j] + w[j * n + i]) * spins[i] * spins[j] * (i != j);
        e -= (hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold) * spins[i];
    }
    return e;
}

/* One sweep at lambda with the full row of w in the local field. */
static void plastic_sweep(const hopfield *hf, const double *w, int8_t *spins, double lambda, int adjoint, gsl_rng *r)
{
    int n = hf->n, updates = hf->update == HOPFIELD_PALINDROMIC ? 2 * n : n;
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    for (int s = 0; s < updates; s++) {
        int i = hf->update == HOPFIELD_PALINDROMIC ? (s < n ? s : 2 * n - 1 - s) : (adjoint ? n - 1 - s : s);
        double h = hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold;
        for (int j = 0; j < n; j++) h += j == i ? 0 : w[i * n + j] * spins[j];
        double u = gsl_rng_uniform_pos(r), x = 2 * hf->beta * h * spins[i];
        double flip = hf->rule == HOPFIELD_METROPOLIS ? fmin(1.0, exp(-x)) : 1.0 / (1.0 + exp(x));
        if (u < flip) spins[i] = (int8_t)-spins[i];
    }
}

void hopfield_plastic_trajectory(const hopfield *hf, const tl_stream_key *key, uint64_t trajectory, double *work,
                                 double *heat, int8_t *spins, double *w)
{
    const int reverse = key->direction == 1, n = hf->n;
    const double steps = (double)hf->steps;
    /* the initial state as the batch kernel draws it: exact, or random spins and burn-in */
    philox4x32_ctr_t c = philox4x32(tl_stream_counter(key, TL_PURPOSE_INITIAL, trajectory, 0),
                                    tl_stream_philox_key(key->seed));
    hopfield_plastic_initial(hf, w);
    gsl_rng *r = tl_stream_gsl_alloc(key, TL_PURPOSE_DYNAMICS, trajectory);
    if (hf->exact_initial) {
        uint64_t state = hopfield_sample_state(hf, reverse, tl_uniform_double(c.v[0], c.v[1]));
        for (int i = 0; i < n; i++) spins[i] = (state >> i) & 1 ? 1 : -1;
    } else {
        gsl_rng *g = tl_stream_gsl_alloc(key, TL_PURPOSE_INITIAL, trajectory);
        for (int i = 0; i < n; i++) spins[i] = gsl_rng_uniform_int(g, 2) ? 1 : -1;
        for (int64_t s = 0; s < hf->burn_in; s++) plastic_sweep(hf, w, spins, reverse ? 1.0 : 0.0, 0, g);
        gsl_rng_free(g);
    }
    double wk = 0, q = 0;
    for (int64_t t = 1; t <= hf->steps; t++) {
        double from = reverse ? (double)(hf->steps - t + 1) / steps : (double)(t - 1) / steps;
        double to = reverse ? (double)(hf->steps - t) / steps : (double)t / steps;
        double relax_at = reverse ? from : to;
        if (!reverse) wk += hopfield_plastic_energy(hf, w, spins, to) - hopfield_plastic_energy(hf, w, spins, from);
        double before = hopfield_plastic_energy(hf, w, spins, relax_at);
        plastic_sweep(hf, w, spins, relax_at, reverse, r);
        double after = hopfield_plastic_energy(hf, w, spins, relax_at);
        q += after - before;
        hopfield_plastic_update(hf, w, spins);
        wk += hopfield_plastic_energy(hf, w, spins, relax_at) - after;
        if (reverse) wk += hopfield_plastic_energy(hf, w, spins, to) - hopfield_plastic_energy(hf, w, spins, from);
    }
    gsl_rng_free(r);
    *work = wk;
    *heat = q;
}

void hopfield_plastic_simulate(const hopfield *hf, const tl_stream_key *key, uint64_t first, size_t count,
                               double *work, double *heat, double *entropy)
{
    int8_t *spins = tl_malloc((size_t)hf->n, "spins");
    double *w = tl_malloc((size_t)hf->n * hf->n * sizeof *w, "plastic couplings");
    for (size_t b = 0; b < count; b++) {
        hopfield_plastic_trajectory(hf, key, first + b, &work[b], &heat[b], spins, w);
        if (entropy) entropy[b] = -hf->beta * heat[b];
    }
    free(spins);
    free(w);
}
