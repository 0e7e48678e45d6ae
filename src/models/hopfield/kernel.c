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

/* No fused multiply-adds: every lane must round as the scalar formulas do, so
 * that the numbers are the same for any compiler and target (gcc contracts
 * only with -ffp-contract=fast, which -std=c17 turns off; clang contracts
 * within an expression unless told). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

typedef struct {
    float *spin;    /* [n][B] */
    float *overlap; /* [m][B] */
    float m0[B];    /* magnetisation */
    float u[4][B];  /* uniforms for the next four updates */
    float wnc[B];   /* work of the antisymmetric couplings in this sweep (track_wnc) */
    int track_wnc;
    double energy[B];
} batch;

/* ---- the update, on explicit vectors ----------------------------------------
 * The batch loops are written on GCC/clang vector types (vf: VW floats, one
 * per lane), not left to the auto-vectoriser: they are packed code with any
 * compiler and any target, with no run-time aliasing check that could send
 * them down a scalar copy, and the spin select is a blend of bit patterns,
 * not a branch (`make vec-check` verifies both in the generated code).  Every
 * lane does exactly the scalar float operations, in the same order, so the
 * results are bit for bit those of the scalar loops they replace.  VW is the
 * widest vector the target has (16 with AVX-512, 8 otherwise: two SSE
 * registers on a target without AVX). */
#if defined(__AVX512F__)
#define VW 16
#else
#define VW 8
#endif
_Static_assert(B % VW == 0, "the batch is a whole number of vectors");
typedef float vf __attribute__((vector_size(VW * sizeof(float))));
typedef int32_t vi __attribute__((vector_size(VW * sizeof(int32_t))));

static inline vf vload(const float *p)
{
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void vstore(float *p, vf v)
{
    memcpy(p, &v, sizeof v);
}

/* exp(x) for the acceptance probability.  Cody-Waite range reduction and a
 * degree-6 polynomial: relative error below 2e-7.  |x| is clamped to 87 by an
 * integer minimum on its bit pattern (for floats of one sign the integer order
 * is the float order): a compare-and-select on floats gives gcc a branch to
 * split off and, under -ftrapping-math, a reason not to if-convert; rounding
 * to an integer adds 1.5 * 2^23. */
static inline vf kernel_exp(vf x)
{
    const vi sign = (vi)x & INT32_MIN, lim = (vi){0} + 0x42ae0000; /* 87.0f */
    vi mag = (vi)x & INT32_MAX;
    vi over = mag > lim; /* all ones where |x| > 87 */
    x = (vf)(sign | (mag & ~over) | (lim & over));
    vf k = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    vf r = x - k * 0.693145752f - k * 1.42860677e-6f;
    vf p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f +
           r * (0.00833333377f + r * 0.00138888892f)))));
    vi bits = (__builtin_convertvector(k, vi) + 127) << 23;
    return p * (vf)bits;
}

/* +1 where the mask is set, -1 elsewhere: the sign bit from the mask. */
static inline vf plus_minus_one(vi mask)
{
    return (vf)(((vi){0} + 0x3f800000) | (~mask & INT32_MIN));
}

/* Uniforms for updates 4*block .. 4*block+3 of every lane: Philox across the
 * lanes (tl_stream_uniforms), the words the scalar loop drew. */
static void draw_uniforms(batch *bt, const tl_stream_key *key, uint32_t purpose, uint64_t first,
                          uint32_t block)
{
    tl_stream_uniforms(key, purpose, first, block, B, &bt->u[0][0]);
}

/* One update of site i in every lane: the local field from the overlaps, the
 * heat-bath (or Metropolis) decision, the overlaps and magnetisation updated,
 * and, with `wnc`, the work of the antisymmetric couplings.  One pass over the
 * batch, VW lanes at a time, everything in registers. */
static inline __attribute__((always_inline)) void
update_lanes(const hopfield *hf, int i, float input, int m, int metropolis, const float *restrict u,
             float *restrict spin, float *restrict overlap, float *restrict m0, float *restrict wnc)
{
    const int n = hf->n;
    const float *restrict coeff = hf->field_coeff + (size_t)i * m;
    const float self = hf->self[i], two_beta = (float)(2.0 * hf->beta);
    const float e1 = hf->patterns[i], e2 = m > 1 ? hf->patterns[n + i] : 0.0f, half_a = (float)(0.5 * hf->asymmetry);
    for (int b = 0; b < B; b += VW) {
        const vf s = vload(spin + b);
        vf field = input - self * s;
        for (int nu = 0; nu < m; nu++) field += coeff[nu] * vload(overlap + (size_t)nu * B + b);
        vf v;
        if (metropolis) {
            /* Flipping V_i costs 2 H_i V_i: accept with min(1, exp(-2 beta H_i V_i)). */
            vi flip = vload(u + b) < kernel_exp(-two_beta * field * s);
            v = (vf)((vi)s ^ (flip & INT32_MIN));
        } else {
            vf p = 1.0f / (1.0f + kernel_exp(-two_beta * field));
            v = plus_minus_one(vload(u + b) < p);
        }
        const vf dv = v - s;
        vstore(spin + b, v);
        vstore(m0 + b, vload(m0 + b) + dv);
        if (wnc) {
            /* sum_j A_ij V_j dV_i with A = (a/2)(eps1 eps2^T - eps2 eps1^T), from
             * the overlaps before the flip (A_ii = 0). */
            const vf o1 = vload(overlap + b), o2 = vload(overlap + B + b);
            vstore(wnc + b, vload(wnc + b) + half_a * (e1 * o2 - e2 * o1) * dv);
        }
        for (int nu = 0; nu < m; nu++) {
            const float e = hf->patterns[nu * n + i];
            vstore(overlap + (size_t)nu * B + b, vload(overlap + (size_t)nu * B + b) + e * dv);
        }
    }
}

/* The default (heat bath, two patterns, no bookkeeping) with all of that
 * known to the compiler, and every other case.  noinline: these symbols are
 * what `make vec-check` inspects in the generated code. */
static __attribute__((noinline)) void update_heat_bath_m2(const hopfield *hf, int i, float input,
                                                          const float *restrict u, float *restrict spin,
                                                          float *restrict overlap, float *restrict m0)
{
    update_lanes(hf, i, input, 2, 0, u, spin, overlap, m0, NULL);
}

static __attribute__((noinline)) void update_general(const hopfield *hf, int i, float input, int metropolis,
                                                     const float *restrict u, float *restrict spin,
                                                     float *restrict overlap, float *restrict m0,
                                                     float *restrict wnc)
{
    update_lanes(hf, i, input, hf->m, metropolis, u, spin, overlap, m0, wnc);
}

static void update_site(const hopfield *hf, batch *bt, int i, float input, const float *u)
{
    float *spin = bt->spin + (size_t)i * B;
    if (hf->m == 2 && hf->rule == HOPFIELD_HEAT_BATH && !bt->track_wnc)
        update_heat_bath_m2(hf, i, input, u, spin, bt->overlap, bt->m0);
    else
        update_general(hf, i, input, hf->rule == HOPFIELD_METROPOLIS, u, spin, bt->overlap, bt->m0,
                       bt->track_wnc ? bt->wnc : NULL);
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
    for (int s = 0; s < updates; s++) {
        if (s % 4 == 0) draw_uniforms(bt, key, purpose, first, block0 + (uint32_t)(s / 4));
        int i = sweep_site(hf, s, adjoint);
        float input = (float)(hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold);
        update_site(hf, bt, i, input, bt->u[s % 4]);
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

/* The driven protocols: forward, or its exact time reversal.  The energy at
 * the process's current lambda is carried from one step to the next (E at the
 * end of step t is E at the start of step t + 1, the same lambda bit for bit),
 * so each step computes two energies, not four. */
static void run_driven(const hopfield *hf, batch *bt, const tl_stream_key *key, uint64_t first,
                       double *w, double *q, double *wnc)
{
    const int reverse = key->direction == 1;
    const double steps = (double)hf->steps;
    double now[B]; /* E(V; lambda) of the current state at the current lambda */
    uint32_t per_sweep = (uint32_t)((updates_per_sweep(hf) + 3) / 4);
    batch_energy(hf, bt, reverse ? 1.0 : 0.0);
    memcpy(now, bt->energy, sizeof now);
    for (int64_t t = 1; t <= hf->steps; t++) {
        /* lambda after this step's change of input, in the process's own time */
        double to = reverse ? (double)(hf->steps - t) / steps : (double)t / steps;
        if (!reverse) { /* the input changes, then a sweep at the new lambda */
            batch_energy(hf, bt, to);
            for (int b = 0; b < B; b++) w[b] += bt->energy[b] - now[b];
            memcpy(now, bt->energy, sizeof now);
        }
        double relax_at = reverse ? (double)(hf->steps - t + 1) / steps : to;
        sweep(hf, bt, relax_at, reverse, key, TL_PURPOSE_DYNAMICS, first, (uint32_t)(t - 1) * per_sweep);
        flush_wnc(bt, wnc);
        batch_energy(hf, bt, relax_at);
        for (int b = 0; b < B; b++) q[b] += bt->energy[b] - now[b];
        memcpy(now, bt->energy, sizeof now);
        if (reverse) { /* the sweep came first, now the input changes */
            batch_energy(hf, bt, to);
            for (int b = 0; b < B; b++) w[b] += bt->energy[b] - now[b];
            memcpy(now, bt->energy, sizeof now);
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
