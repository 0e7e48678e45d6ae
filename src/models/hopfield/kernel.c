/* The Hopfield dynamics, TL_BATCH trajectories side by side.
 *
 * Structure of arrays: spin[i][b], overlap[nu][b], one lane per trajectory,
 * so every inner loop runs over the batch and vectorises.  Heat-bath
 * (Glauber) updates one site at a time, P(V_i = +1) = 1/(1 + exp(-2 beta H_i)),
 * which leaves exp(-beta E) invariant.  Local fields come from the integer
 * overlaps in O(M) per update instead of O(N).  Work and heat are accumulated
 * in double from the overlaps, once per protocol step.
 *
 * Forward step t = 1..S: the input changes lambda_{t-1} -> lambda_t (work),
 * then one sweep at lambda_t (heat).  The reverse process is the exact time
 * reversal: a sweep at lambda_{S-k+1} with the adjoint kernel (sites in the
 * opposite order), then the input changes to lambda_{S-k}.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopfield.h"
#include "thermolearn/error.h"

#define B TL_BATCH

typedef struct {
    float *spin;    /* [n][B] */
    float *overlap; /* [m][B] */
    float m0[B];    /* magnetisation */
    float u[4][B];  /* uniforms for the next four updates */
    float field[B], dv[B];
    float wnc[B];   /* work of the antisymmetric couplings in this sweep (track_wnc) */
    int track_wnc;
    double energy[B];
} batch;

/* exp(x) for the acceptance probability, branch-free so that the batch loop
 * vectorises (glibc's expf does not without -ffast-math).  Cody-Waite range
 * reduction and a degree-6 polynomial: relative error below 2e-7. */
static inline float kernel_exp(float x)
{
    /* Clamp and round without fminf/floorf, whose IEEE corner cases stop the
     * vectoriser; adding 1.5 * 2^23 rounds to the nearest integer. */
    x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
    float k = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = x - k * 0.693145752f - k * 1.42860677e-6f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f +
              r * (0.00833333377f + r * 0.00138888892f)))));
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* Uniforms for updates 4*block .. 4*block+3 of every lane. */
static void draw_uniforms(batch *bt, const tl_stream_key *key, uint32_t purpose, uint64_t first,
                          uint32_t block)
{
    philox4x32_key_t k = tl_stream_philox_key(key->seed);
    philox4x32_ctr_t c0 = tl_stream_counter(key, purpose, first, block);
    for (int b = 0; b < B; b++) {
        philox4x32_ctr_t c = c0;
        c.v[1] += (uint32_t)b;
        philox4x32_ctr_t r = philox4x32(c, k);
        bt->u[0][b] = tl_uniform_float(r.v[0]);
        bt->u[1][b] = tl_uniform_float(r.v[1]);
        bt->u[2][b] = tl_uniform_float(r.v[2]);
        bt->u[3][b] = tl_uniform_float(r.v[3]);
    }
}

/* One heat-bath update of site i in every lane.  Every array is reached
 * through its own restrict pointer: the loops must vectorise without a
 * run-time aliasing check. */
static void update_site(const hopfield *hf, batch *bt, int i, float input, const float *restrict u)
{
    const int m = hf->m;
    float *restrict spin = bt->spin + (size_t)i * B;
    float *restrict field = bt->field, *restrict dv = bt->dv, *restrict m0 = bt->m0;
    const float self = hf->self[i], two_beta = (float)(2.0 * hf->beta);
    for (int b = 0; b < B; b++) field[b] = input - self * spin[b];
    for (int nu = 0; nu < m; nu++) {
        const float c = hf->field_coeff[i * m + nu];
        const float *restrict ov = bt->overlap + (size_t)nu * B;
        for (int b = 0; b < B; b++) field[b] += c * ov[b];
    }
    for (int b = 0; b < B; b++) {
        float p = 1.0f / (1.0f + kernel_exp(-two_beta * field[b]));
        float v = u[b] < p ? 1.0f : -1.0f;
        dv[b] = v - spin[b];
        spin[b] = v;
        m0[b] += dv[b];
    }
    for (int nu = 0; nu < m; nu++) {
        const float e = hf->patterns[nu * hf->n + i];
        float *restrict ov = bt->overlap + (size_t)nu * B;
        for (int b = 0; b < B; b++) ov[b] += e * dv[b];
    }
}

/* The same with the Metropolis rule and/or the bookkeeping of the
 * antisymmetric couplings' work: kept apart so that the default path above
 * stays exactly as fast as it was. */
static void update_site_general(const hopfield *hf, batch *bt, int i, float input, const float *restrict u)
{
    const int m = hf->m;
    float *restrict spin = bt->spin + (size_t)i * B;
    float *restrict field = bt->field, *restrict dv = bt->dv, *restrict m0 = bt->m0;
    const float self = hf->self[i], two_beta = (float)(2.0 * hf->beta);
    for (int b = 0; b < B; b++) field[b] = input - self * spin[b];
    for (int nu = 0; nu < m; nu++) {
        const float c = hf->field_coeff[i * m + nu];
        const float *restrict ov = bt->overlap + (size_t)nu * B;
        for (int b = 0; b < B; b++) field[b] += c * ov[b];
    }
    if (hf->rule == HOPFIELD_METROPOLIS) {
        /* Flipping V_i costs 2 H_i V_i: accept with min(1, exp(-2 beta H_i V_i)). */
        for (int b = 0; b < B; b++) {
            float v = u[b] < kernel_exp(-two_beta * field[b] * spin[b]) ? -spin[b] : spin[b];
            dv[b] = v - spin[b];
            spin[b] = v;
            m0[b] += dv[b];
        }
    } else {
        for (int b = 0; b < B; b++) {
            float p = 1.0f / (1.0f + kernel_exp(-two_beta * field[b]));
            float v = u[b] < p ? 1.0f : -1.0f;
            dv[b] = v - spin[b];
            spin[b] = v;
            m0[b] += dv[b];
        }
    }
    if (bt->track_wnc) {
        /* sum_j A_ij V_j dV_i with A = (a/2)(eps1 eps2^T - eps2 eps1^T), from
         * the overlaps before the flip (A_ii = 0). */
        const float e1 = hf->patterns[i], e2 = hf->patterns[hf->n + i], half_a = (float)(0.5 * hf->asymmetry);
        const float *restrict o1 = bt->overlap, *restrict o2 = bt->overlap + B;
        float *restrict wnc = bt->wnc;
        for (int b = 0; b < B; b++) wnc[b] += half_a * (e1 * o2[b] - e2 * o1[b]) * dv[b];
    }
    for (int nu = 0; nu < m; nu++) {
        const float e = hf->patterns[nu * hf->n + i];
        float *restrict ov = bt->overlap + (size_t)nu * B;
        for (int b = 0; b < B; b++) ov[b] += e * dv[b];
    }
}

static int updates_per_sweep(const hopfield *hf)
{
    return hf->update == HOPFIELD_PALINDROMIC ? 2 * hf->n : hf->n;
}

/* The site of update s of a sweep; `adjoint` reverses the order. */
static int sweep_site(const hopfield *hf, int s, int adjoint)
{
    int n = hf->n;
    if (hf->update == HOPFIELD_PALINDROMIC) return s < n ? s : 2 * n - 1 - s;
    return adjoint ? n - 1 - s : s;
}

/* One sweep at lambda, drawing random blocks from `block0` on. */
static void sweep(const hopfield *hf, batch *bt, double lambda, int adjoint, const tl_stream_key *key,
                  uint32_t purpose, uint64_t first, uint32_t block0)
{
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    int n = hf->n, updates = updates_per_sweep(hf);
    const int plain = hf->rule == HOPFIELD_HEAT_BATH && !bt->track_wnc;
    for (int s = 0; s < updates; s++) {
        if (s % 4 == 0) draw_uniforms(bt, key, purpose, first, block0 + (uint32_t)(s / 4));
        int i = sweep_site(hf, s, adjoint);
        float input = (float)(hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold);
        if (plain) update_site(hf, bt, i, input, bt->u[s % 4]);
        else update_site_general(hf, bt, i, input, bt->u[s % 4]);
    }
}

/* E(V; lambda) of every lane, in double from the exact integer overlaps. */
static void batch_energy(const hopfield *hf, batch *bt, double lambda)
{
    const int m = hf->m;
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    const float *o1 = bt->overlap, *o2 = bt->overlap + B;
    for (int l = 0; l < B; l++)
        bt->energy[l] = 0.5 * hf->diagonal - hf->field * (a * o1[l] + b * o2[l]) + hf->threshold * bt->m0[l];
    for (int mu = 0; mu < m; mu++)
        for (int nu = 0; nu < m; nu++) {
            const double c = -0.5 * hf->coupling[mu * m + nu];
            if (c == 0) continue;
            const float *om = bt->overlap + (size_t)mu * B, *on = bt->overlap + (size_t)nu * B;
            for (int l = 0; l < B; l++) bt->energy[l] += c * ((double)om[l] * on[l]);
        }
}

static void set_overlaps(const hopfield *hf, batch *bt)
{
    memset(bt->overlap, 0, (size_t)hf->m * B * sizeof(float));
    memset(bt->m0, 0, sizeof bt->m0);
    for (int i = 0; i < hf->n; i++) {
        const float *spin = bt->spin + (size_t)i * B;
        for (int b = 0; b < B; b++) bt->m0[b] += spin[b];
        for (int nu = 0; nu < hf->m; nu++) {
            float e = hf->patterns[nu * hf->n + i], *ov = bt->overlap + (size_t)nu * B;
            for (int b = 0; b < B; b++) ov[b] += e * spin[b];
        }
    }
}

/* Initial states in equilibrium at the protocol's start: exact draws from the
 * enumerated Boltzmann weights, or uniform spins followed by burn-in sweeps. */
static void initial_states(const hopfield *hf, batch *bt, const tl_stream_key *key, uint64_t first,
                           int lambda_end)
{
    philox4x32_key_t k = tl_stream_philox_key(key->seed);
    for (int b = 0; b < B; b++) {
        philox4x32_ctr_t r = philox4x32(tl_stream_counter(key, TL_PURPOSE_INITIAL, first + b, 0), k);
        if (hf->exact_initial) {
            uint64_t state = hopfield_sample_state(hf, lambda_end, tl_uniform_double(r.v[0], r.v[1]));
            for (int i = 0; i < hf->n; i++) bt->spin[(size_t)i * B + b] = (state >> i) & 1 ? 1.0f : -1.0f;
        } else {
            gsl_rng *g = tl_stream_gsl_alloc(key, TL_PURPOSE_INITIAL, first + b);
            for (int i = 0; i < hf->n; i++) bt->spin[(size_t)i * B + b] = gsl_rng_uniform_int(g, 2) ? 1.0f : -1.0f;
            gsl_rng_free(g);
        }
    }
    set_overlaps(hf, bt);
    if (hf->exact_initial) return;
    /* Burn-in draws come after the initial spins' stream: blocks from 2^31 on. */
    uint32_t per_sweep = (uint32_t)((updates_per_sweep(hf) + 3) / 4);
    for (int64_t s = 0; s < hf->burn_in; s++)
        sweep(hf, bt, lambda_end, 0, key, TL_PURPOSE_INITIAL, first, 0x80000000u + (uint32_t)s * per_sweep);
}

static void copy_spins(const hopfield *hf, const batch *bt, size_t count, int8_t *out)
{
    for (size_t b = 0; b < count; b++)
        for (int i = 0; i < hf->n; i++) out[b * hf->n + i] = (int8_t)bt->spin[(size_t)i * B + b];
}

/* The work of the antisymmetric couplings in the sweep just run, into double. */
static void flush_wnc(batch *bt, double *total)
{
    if (!bt->track_wnc) return;
    for (int b = 0; b < B; b++) total[b] += bt->wnc[b];
    memset(bt->wnc, 0, sizeof bt->wnc);
}

/* The driven protocols: forward, or its exact time reversal. */
static void run_driven(const hopfield *hf, batch *bt, const tl_stream_key *key, uint64_t first,
                       double *w, double *q, double *wnc)
{
    const int reverse = key->direction == 1;
    const double steps = (double)hf->steps;
    double before[B];
    uint32_t per_sweep = (uint32_t)((updates_per_sweep(hf) + 3) / 4);
    for (int64_t t = 1; t <= hf->steps; t++) {
        /* lambda before and after this step's change of input, in the process's own time */
        double from = reverse ? (double)(hf->steps - t + 1) / steps : (double)(t - 1) / steps;
        double to = reverse ? (double)(hf->steps - t) / steps : (double)t / steps;
        double relax_at = reverse ? from : to;
        if (!reverse) {
            batch_energy(hf, bt, from);
            memcpy(before, bt->energy, sizeof before);
            batch_energy(hf, bt, to);
            for (int b = 0; b < B; b++) w[b] += bt->energy[b] - before[b];
        }
        batch_energy(hf, bt, relax_at);
        memcpy(before, bt->energy, sizeof before);
        sweep(hf, bt, relax_at, reverse, key, TL_PURPOSE_DYNAMICS, first, (uint32_t)(t - 1) * per_sweep);
        flush_wnc(bt, wnc);
        batch_energy(hf, bt, relax_at);
        for (int b = 0; b < B; b++) q[b] += bt->energy[b] - before[b];
        if (reverse) {
            memcpy(before, bt->energy, sizeof before);
            batch_energy(hf, bt, to);
            for (int b = 0; b < B; b++) w[b] += bt->energy[b] - before[b];
        }
    }
}

/* exchange and steady: `steps` sweeps at lambda = 0 and no work; the heat
 * absorbed is the change of energy. */
static void run_relaxation(const hopfield *hf, batch *bt, const tl_stream_key *key, uint64_t first,
                           double *q, double *wnc)
{
    double before[B];
    uint32_t per_sweep = (uint32_t)((updates_per_sweep(hf) + 3) / 4);
    batch_energy(hf, bt, 0.0);
    memcpy(before, bt->energy, sizeof before);
    for (int64_t t = 1; t <= hf->steps; t++) {
        sweep(hf, bt, 0.0, 0, key, TL_PURPOSE_DYNAMICS, first, (uint32_t)(t - 1) * per_sweep);
        flush_wnc(bt, wnc);
    }
    batch_energy(hf, bt, 0.0);
    for (int b = 0; b < B; b++) q[b] = bt->energy[b] - before[b];
}

void hopfield_simulate_batch_entropy(const hopfield *hf, const tl_stream_key *key, uint64_t first,
                                     size_t count, double *work, double *heat, double *entropy,
                                     int8_t *spins_initial, int8_t *spins_final)
{
    batch *bt = tl_malloc(sizeof *bt, "batch");
    bt->spin = tl_malloc((size_t)hf->n * B * sizeof(float), "batch spins");
    bt->overlap = tl_malloc((size_t)hf->m * B * sizeof(float), "batch overlaps");
    /* Only a != 0 needs the per-update bookkeeping: the default protocol pays nothing. */
    bt->track_wnc = entropy != NULL && hf->asymmetry != 0;
    double w[B] = {0}, q[B] = {0}, wnc[B] = {0};
    initial_states(hf, bt, key, first, key->direction == 1);
    memset(bt->wnc, 0, sizeof bt->wnc); /* burn-in is not part of the trajectory */
    if (spins_initial) copy_spins(hf, bt, count, spins_initial);
    if (hf->protocol == HOPFIELD_EXCHANGE || hf->protocol == HOPFIELD_STEADY) run_relaxation(hf, bt, key, first, q, wnc);
    else run_driven(hf, bt, key, first, w, q, wnc);
    for (size_t b = 0; b < count; b++) {
        work[b] = w[b];
        heat[b] = q[b];
        if (entropy) entropy[b] = hf->beta * (wnc[b] - q[b]);
    }
    if (spins_final) copy_spins(hf, bt, count, spins_final);
    free(bt->spin);
    free(bt->overlap);
    free(bt);
}

void hopfield_simulate_batch(const hopfield *hf, const tl_stream_key *key, uint64_t first,
                             size_t count, double *work, double *heat, int8_t *spins_initial,
                             int8_t *spins_final)
{
    hopfield_simulate_batch_entropy(hf, key, first, count, work, heat, NULL, spins_initial, spins_final);
}
