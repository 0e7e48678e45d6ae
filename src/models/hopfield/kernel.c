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
#define FAST_MAX_N 15 /* the table test: overlaps -15..15, one 16-entry permute */

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
    float *input;   /* [n]: the input of each site in this sweep */
    float m0[B];    /* magnetisation */
    float u[4][B];  /* uniforms for the next four updates */
    float wnc[B];   /* work of the antisymmetric couplings in this sweep (track_wnc) */
    int track_wnc;
    double energy[B];
    /* The table test of the heat-bath default (decision_tables below). */
    int tables;                                /* usable for this batch */
    float tab[2][FAST_MAX_N][16];              /* exp(-2 beta c_nu(i) j), j an overlap */
    double self_factor[FAST_MAX_N][2];         /* exp(2 beta self(i) s), s = +1, -1 */
    float de[FAST_MAX_N][2];                   /* this sweep: exp(-2 beta (input(i) - self(i) s)) */
    int site_fast[FAST_MAX_N];                 /* this sweep: the tables decide site i */
    float lo, hi;                              /* this sweep: u (1 + e) < lo decides +1, > hi decides -1 */
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

/* ---- the table test of the heat-bath default ---------------------------------
 * The decision u < p = 1/(1 + e), e = exp(-2 beta H_i), needs the kernel's exp
 * polynomial (about 30 dependent vector operations) and a division.  For
 * N <= 15 and M = 2 (the bench point) the same decision is taken, bit for bit,
 * from tables: H_i = input(i) - self(i) V_i + c_1(i) m_1 + c_2(i) m_2 with
 * integer overlaps |m_nu| <= 15, so
 *   e_true = exp(-2 beta (input - self V_i)) exp(-2 beta c_1 m_1) exp(-2 beta c_2 m_2)
 * (in the float constants the kernel uses), each factor computed in double and
 * rounded to float once: two 16-entry tables per site looked up with a permute
 * (vpermps) and a factor per site and sweep for V_i = +-1.  Their product e_t
 * is within 5 roundings of e_true; the kernel's own e is within its exp's error
 * (2.55e-7 over every float in [-87, 87], measured) and the rounding of the
 * field and of -2 beta H of e_true.  So u (1 + e_t) < 1 - mu decides +1 and
 * > 1 + mu decides -1 exactly as the kernel would, for mu above the sum of
 * these errors (table_margin); a vector with any lane inside the margin (about
 * 1e-5 of the updates) takes the kernel's formula for all its lanes.  No
 * number changes: the decisions are the kernel's.  The branch on an ambiguous
 * vector is a test of a packed compare, not a select. */
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#define HAVE_TABLES 1
/* table[k] for k = (m >> 1) & 15: m >= 0 at k = 0..7, m < 0 at k = 8..15 */
static inline vf lookup(const float *restrict table, vf overlap)
{
    vi j = __builtin_convertvector(overlap, vi) >> 1;
#if VW == 16
    return (vf)_mm512_permutexvar_ps((__m512i)j, _mm512_loadu_ps(table));
#else
    __m256 lo = _mm256_permutevar8x32_ps(_mm256_loadu_ps(table), (__m256i)j);
    __m256 hi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(table + 8), (__m256i)j);
    return (vf)_mm256_blendv_ps(lo, hi, (__m256)j); /* the sign of j: m < 0 */
#endif
}

/* x in every lane, as one broadcast (x + (vf){0} would be a scalar add first) */
static inline vf splat(float x)
{
#if VW == 16
    return (vf)_mm512_set1_ps(x);
#else
    return (vf)_mm256_set1_ps(x);
#endif
}

/* whether a lane of the compare mask is clear */
static inline int not_all(vi mask)
{
#if VW == 16
    return _mm512_movepi32_mask((__m512i)mask) != 0xffff;
#else
    return !_mm256_testc_si256((__m256i)mask, _mm256_set1_epi32(-1));
#endif
}
#else
#define HAVE_TABLES 0
#endif

/* The default (heat bath, two patterns, no bookkeeping) with all of that
 * known to the compiler, and every other case.  noinline: these symbols are
 * what `make vec-check` inspects in the generated code. */
static __attribute__((noinline)) void update_heat_bath_m2(const hopfield *hf, const batch *bt, int i, float input,
                                                          const float *restrict u, float *restrict spin,
                                                          float *restrict overlap, float *restrict m0)
{
#if HAVE_TABLES
    if (bt->site_fast[i]) {
        const float *restrict t1 = bt->tab[0][i], *restrict t2 = bt->tab[1][i];
        const vi de_plus = (vi)splat(bt->de[i][0]), de_minus = (vi)splat(bt->de[i][1]);
        const vf lo = splat(bt->lo), hi = splat(bt->hi);
        const float e1 = hf->patterns[i], e2 = hf->patterns[hf->n + i];
        for (int b = 0; b < B; b += VW) {
            const vf s = vload(spin + b), o1 = vload(overlap + b), o2 = vload(overlap + B + b), ub = vload(u + b);
            const vi minus = (vi)s >> 31; /* V_i = -1 */
            const vf de = (vf)((de_plus & ~minus) | (de_minus & minus));
            const vf t = ub * (1.0f + (lookup(t1, o1) * lookup(t2, o2)) * de);
            const vi up = t < lo, down = t > hi;
            vf v;
            if (__builtin_expect(not_all(up | down), 0)) {
                /* inside the margin: the kernel's formula, as update_lanes */
                const float *restrict coeff = hf->field_coeff + (size_t)i * 2;
                const float two_beta = (float)(2.0 * hf->beta);
                vf field = input - hf->self[i] * s;
                field += coeff[0] * o1;
                field += coeff[1] * o2;
                v = plus_minus_one(ub < 1.0f / (1.0f + kernel_exp(-two_beta * field)));
            } else {
                v = plus_minus_one(up);
            }
            const vf dv = v - s;
            vstore(spin + b, v);
            vstore(m0 + b, vload(m0 + b) + dv);
            vstore(overlap + b, o1 + e1 * dv);
            vstore(overlap + B + b, o2 + e2 * dv);
        }
        return;
    }
#endif
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
        update_heat_bath_m2(hf, bt, i, input, u, spin, bt->overlap, bt->m0);
    else
        update_general(hf, i, input, hf->rule == HOPFIELD_METROPOLIS, u, spin, bt->overlap, bt->m0,
                       bt->track_wnc ? bt->wnc : NULL);
}

/* A factor of e_t: in [2^-30, 2^30], so that a product of three is a normal float. */
static int factor_ok(double x)
{
    return x >= 0x1p-30 && x <= 0x1p30;
}

/* The tables of this batch: exp(-2 beta c_nu(i) m), m = 2k + parity(N) (k = 0..7)
 * or 2(k - 16) + parity(N) (k = 8..15), and exp(2 beta self(i) s). */
static void tables_init(const hopfield *hf, batch *bt)
{
    bt->tables = HAVE_TABLES && hf->m == 2 && hf->rule == HOPFIELD_HEAT_BATH && !bt->track_wnc && hf->n <= FAST_MAX_N;
    if (!bt->tables) return;
    const double two_beta = (float)(2.0 * hf->beta);
    for (int i = 0; i < hf->n; i++) {
        for (int nu = 0; nu < 2; nu++)
            for (int k = 0; k < 16; k++) {
                int m = 2 * (k < 8 ? k : k - 16) + (hf->n & 1);
                double x = exp(-two_beta * (double)hf->field_coeff[i * 2 + nu] * m);
                if (abs(m) <= hf->n) bt->tables &= factor_ok(x); /* else never looked up */
                bt->tab[nu][i][k] = (float)x;
            }
        for (int s = 0; s < 2; s++) bt->self_factor[i][s] = exp(two_beta * (double)hf->self[i] * (s ? -1 : 1));
    }
}

/* The sweep's factors exp(-2 beta (input(i) - self(i) s)) and margin.  The
 * kernel's e differs from e_true by its exp's error (2.55e-7, take 4e-7) and
 * that of its argument: -2 beta H rounded once (|x| <= 87 below the clamp, and
 * beyond it both decide alike) and H by 5 roundings of terms below
 * |input| + |self| + (|c_1| + |c_2|) N.  e_t is 5 roundings from e_true, and
 * u (1 + e_t) two more; mu is twice the sum, plus 2^-20. */
static void tables_sweep(const hopfield *hf, batch *bt, const float *input, double margin_scale)
{
    if (!bt->tables) return;
    const double two_beta = (float)(2.0 * hf->beta), ulp = 0x1p-24;
    double field_max = 0, e_input[4];
    int have[4] = {0};
    for (int i = 0; i < hf->n; i++) {
        double c = fabs(hf->field_coeff[2 * i]) + fabs(hf->field_coeff[2 * i + 1]);
        field_max = fmax(field_max, fabs(input[i]) + fabs(hf->self[i]) + c * hf->n);
        /* input(i) depends on (eps1_i, eps2_i) only: four exps per sweep */
        int kind = (hf->patterns[i] > 0) + 2 * (hf->patterns[hf->n + i] > 0);
        if (!have[kind]) e_input[kind] = exp(-two_beta * (double)input[i]), have[kind] = 1;
        bt->site_fast[i] = 1;
        for (int s = 0; s < 2; s++) {
            double x = e_input[kind] * bt->self_factor[i][s];
            bt->site_fast[i] &= factor_ok(x);
            bt->de[i][s] = (float)x;
        }
    }
    double err_kernel = 4e-7 + 87 * ulp + two_beta * 5 * ulp * field_max * 1.01;
    double mu = margin_scale * (2 * (err_kernel + 8 * ulp) + 0x1p-20);
    bt->lo = nextafterf((float)(1 - mu), 0.0f);
    bt->hi = nextafterf((float)(1 + mu), 2.0f);
    if (mu > 0x1p-8)
        for (int i = 0; i < hf->n; i++) bt->site_fast[i] = 0;
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
    float *input = bt->input;
    for (int i = 0; i < n; i++)
        input[i] = (float)(hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold);
    tables_sweep(hf, bt, input, 1.0);
    for (int s = 0; s < updates; s++) {
        if (s % 4 == 0) draw_uniforms(bt, key, purpose, first, block0 + (uint32_t)(s / 4));
        int i = sweep_site(hf, s, adjoint);
        update_site(hf, bt, i, input[i], bt->u[s % 4]);
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
    bt->input = tl_malloc((size_t)hf->n * sizeof(float), "batch inputs");
    /* Only a != 0 needs the per-update bookkeeping: the default protocol pays nothing. */
    bt->track_wnc = entropy != NULL && hf->asymmetry != 0;
    tables_init(hf, bt);
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
    free(bt->input);
    free(bt);
}

void hopfield_simulate_batch(const hopfield *hf, const tl_stream_key *key, uint64_t first,
                             size_t count, double *work, double *heat, int8_t *spins_initial,
                             int8_t *spins_final)
{
    hopfield_simulate_batch_entropy(hf, key, first, count, work, heat, NULL, spins_initial, spins_final);
}

/* ---- the tables' self-check ------------------------------------------------------
 * Every site i, every overlap pair (m1, m2) with N's parity, V_i = +-1, at
 * lambda: the kernel's p from its formula (update_lanes, one lane per case),
 * then uniforms placed where a wrong decision would show, p itself and the
 * floats around it (2 ulp either side) and p (1 +- 1e-6, 1e-5, 1e-4): the
 * table test (update_heat_bath_m2) must give u < p in every lane.  Returns the
 * number of lanes where it does not; *cases the number of lanes, *decided the
 * number the tables decided (not the kernel's formula); no cases where the
 * tables do not apply (network or target without AVX2).  `margin_scale`
 * multiplies the margin mu (1 for the kernel's own; 0 shows that the check can
 * fail). */
enum { CHECK_PER_CASE = 11 };

size_t hopfield_kernel_check_tables(const hopfield *hf, double lambda, double margin_scale, size_t *cases,
                                    size_t *decided)
{
    *cases = *decided = 0;
    batch *bt = tl_malloc(sizeof *bt, "batch");
    memset(bt, 0, sizeof *bt);
    bt->spin = tl_malloc((size_t)hf->n * B * sizeof(float), "batch spins");
    bt->overlap = tl_malloc((size_t)hf->m * B * sizeof(float), "batch overlaps");
    bt->input = tl_malloc((size_t)hf->n * sizeof(float), "batch inputs");
    tables_init(hf, bt);
    if (!bt->tables) { /* not for this network or target: no cases */
        free(bt->spin), free(bt->overlap), free(bt->input), free(bt);
        return 0;
    }
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    for (int i = 0; i < hf->n; i++)
        bt->input[i] = (float)(hf->field * (a * hf->patterns[i] + b * hf->patterns[hf->n + i]) - hf->threshold);
    tables_sweep(hf, bt, bt->input, margin_scale);
    size_t wrong = 0;
    const int n = hf->n, per_vector = B / CHECK_PER_CASE;
    float spin0[B], u[B], p[B], spin_table[B], o1[B], o2[B], m0[B];
    for (int i = 0; i < n; i++) {
        if (!bt->site_fast[i]) continue;
        /* cases: k = (m1 index, m2 index, s), per_vector of them per pass */
        const int total = (n + 1) * (n + 1) * 2;
        for (int c0 = 0; c0 < total; c0 += per_vector) {
            int lanes = 0;
            for (int c = c0; c < total && c < c0 + per_vector; c++)
                for (int r = 0; r < CHECK_PER_CASE; r++, lanes++) {
                    o1[lanes] = (float)(2 * (c % (n + 1)) - n);
                    o2[lanes] = (float)(2 * (c / (n + 1) % (n + 1)) - n);
                    spin0[lanes] = c / ((n + 1) * (n + 1)) ? -1.0f : 1.0f;
                }
            for (int l = lanes; l < B; l++) o1[l] = o2[l] = (float)n, spin0[l] = 1.0f;
            /* p of every lane from the kernel's formula: u = 0.5 gives V = sign(p - 0.5); use p directly */
            for (int l = 0; l < B; l++) {
                float field = bt->input[i] - hf->self[i] * spin0[l];
                field += hf->field_coeff[2 * i] * o1[l];
                field += hf->field_coeff[2 * i + 1] * o2[l];
                vf x = (float)(-2.0 * hf->beta) * field + (vf){0};
                p[l] = (1.0f / (1.0f + kernel_exp(x)))[0];
            }
            for (int l = 0; l < lanes; l++) {
                const float q = p[l];
                const float offsets[CHECK_PER_CASE] = {
                    q, nextafterf(q, 0), nextafterf(nextafterf(q, 0), 0), nextafterf(q, 2), nextafterf(nextafterf(q, 2), 2),
                    q * (1 - 1e-6f), q * (1 + 1e-6f), q * (1 - 1e-5f), q * (1 + 1e-5f), q * (1 - 1e-4f), q * (1 + 1e-4f)};
                u[l] = fminf(fmaxf(offsets[l % CHECK_PER_CASE], 0x1p-25f), 1.0f);
            }
            for (int l = lanes; l < B; l++) u[l] = 0.5f;
            float *spin = bt->spin + (size_t)i * B;
            memcpy(spin, spin0, sizeof spin0);
            memcpy(bt->overlap, o1, sizeof o1), memcpy(bt->overlap + B, o2, sizeof o2);
            memset(m0, 0, sizeof m0);
            update_heat_bath_m2(hf, bt, i, bt->input[i], u, spin, bt->overlap, m0);
            memcpy(spin_table, spin, sizeof spin_table);
            for (int l = 0; l < lanes; l++) {
                float want = u[l] < p[l] ? 1.0f : -1.0f;
                wrong += spin_table[l] != want;
                /* decided by the tables: u (1 + e_t) outside the margin */
                const float *t1 = bt->tab[0][i], *t2 = bt->tab[1][i];
                int j1 = ((int)o1[l] >> 1) & 15, j2 = ((int)o2[l] >> 1) & 15;
                float t = u[l] * (1.0f + (t1[j1] * t2[j2]) * bt->de[i][spin0[l] < 0]);
                *decided += t < bt->lo || t > bt->hi;
            }
            *cases += (size_t)lanes;
        }
    }
    free(bt->spin), free(bt->overlap), free(bt->input), free(bt);
    return wrong;
}
