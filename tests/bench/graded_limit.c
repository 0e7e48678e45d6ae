/* graded_limit.c -- how fast can ONE core run the graded Hopfield network of
 * `thermolearn bench hopfield --graded` (MALA on the continuous neurons of
 * eq. 15)?  A limit kernel, not a peer: the same physics and the same
 * streams, everything arranged for speed.
 *
 * Build:  gcc -O3 -march=native -ffp-contract=off -Wno-psabi -o build/bench/graded_limit_exact graded_limit.c -lm
 *         gcc -O3 -march=native -ffp-contract=fast -DCONTRACT -Wno-psabi -o build/bench/graded_limit_fma graded_limit.c -lm
 *         (stand-alone: Philox4x32-10, Box-Muller, e^x and ln(1 + x) written
 *         out; AVX2 or AVX-512, so -march=x86-64-v3 builds the portable one)
 * Run:    graded_limit [--patterns e1e2] [--traj T] [--check K]
 *         --patterns: e1 then e2 as 30 characters + or - (the engine's
 *         patterns of pattern_seed 1, as tests/bench/bench.sh passes them).
 * Prints: neuron_steps_per_s (Langevin steps of one neuron per second of CPU
 *         time, the burn-in counted, as the engine's bench counts them) and
 *         wall_neuron_steps_per_s (the same per second of wall time, as the
 *         engine's bench measures it: bench.sh compares like with like); the
 *         checksum (the sum of the work of every trajectory, forward then
 *         reverse, in the engine bench's order and format: built without
 *         contraction it equals the engine's to the bit, and `make bench`
 *         fails otherwise); and two checks, exit status 1 if one fails:
 *         - the first K trajectories of each direction (default 16) again one
 *           at a time in plain scalar code (scalar Philox, scalar Box-Muller,
 *           the same double operations): work, heat and acceptances equal to
 *           the bit (with -DCONTRACT, where the compiler may fuse the two
 *           versions differently, within 1e-9 relative, decisions equal);
 *         - physics, at N = 2 (patterns (+,+) and (+,-), the same parameters,
 *           a burn-in of 200 x 10 steps, 4096 trajectories per direction):
 *           Jarzynski forward, -T ln <e^{-W_F/T}>, and reverse,
 *           T ln <e^{-W_R/T}>, against the exact dF by quadrature of
 *           exp(-beta E(V)) prod f'(u) over u in [-40, 40]^2 (trapezoid rule,
 *           step 0.1: exponentially accurate for this analytic integrand),
 *           and the mean energy after the burn-in against the exact <E>,
 *           each within 4 standard errors.
 *
 * Physics (the engine's bench point): N = 15, M = 2, W = gamma e1 e1^T +
 * (1 - gamma) e2 e2^T (gamma = 0.3, no asymmetry), T = 0.5, field h = 2
 * (I = h[(1 - lambda) e1 + lambda e2], lambda 0 -> 1 in 100 steps),
 * threshold U = 0.2, R = 1.5, dt = 0.05, 10 Langevin steps per protocol
 * step, burn-in 10 x 10 steps from u = 0, 256 trajectories per direction.
 * The energy, drift and ln pi are those of src/models/hopfield/graded.c,
 * operation for operation: e^x and ln(1 + x) by its polynomials
 * (vecmath.h), V = 1/(1 + e^-|u|) by a division.
 *
 * Streams, the engine's (seed 1, point 0, direction 0 or 1): Langevin step s
 * of the burn-in (purpose INITIAL = 1) or the protocol (DYNAMICS = 0) takes
 * the Gaussians of neurons 2j, 2j + 1 from block s ceil(N/2) + j (Box-Muller's
 * cosine and sine), its Metropolis uniform from words 2(s%2), 2(s%2)+1 of block
 * s/2 of purpose 17 (burn-in) or 16.
 *
 * What is arranged for speed, against the engine's general kernel (any N, any
 * M, euler or mala, tiles of 32 lanes):
 * - N = 15 and M = 2 fixed at compile time: the neuron loops unrolled, the
 *   overlaps two vectors, the coupling terms constants folded per neuron;
 * - one pass per Langevin step and vector of lanes (8 with AVX-512, 4 with
 *   AVX2): Philox -> Box-Muller -> proposal -> energy, drift, ln pi at the
 *   proposal -> ratio -> blend, the Gaussians never stored (the engine writes
 *   a step's 15 x 32 Gaussians to memory, through tl_stream_gaussians, and
 *   reads them back), Philox's first round in scalar (only the lane word
 *   differs), the acceptance block drawn once per two steps in registers;
 * - each stage across all neurons before the next (e^-|u| of all 15, then
 *   their divisions and logarithms, then the sums; Philox of all 8 pairs,
 *   then ln u1, then the rest of Box-Muller): the same operations, but the
 *   out-of-order core overlaps the neurons' chains, which one loop body per
 *   neuron serialises (1.33e8 against 0.98e8 neuron-steps/s);
 * - the lanes' state a few kB on the stack for the whole trajectory;
 * - with -DCONTRACT (the yardstick), fused multiply-adds.
 * The arithmetic is otherwise the engine's: the same divisions (the sigmoid,
 * the logarithm's (m - 1)/(m + 1), ln(1 + x)'s correction), the same
 * polynomials.  A faster sigmoid or logarithm would change the numbers.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <immintrin.h>

#ifdef __AVX512F__
#define L 8
#else
#define L 4
#endif
typedef double vd __attribute__((vector_size(L * 8)));
typedef uint64_t vq __attribute__((vector_size(L * 8)));
typedef int64_t vl __attribute__((vector_size(L * 8)));

#define NMAX 15 /* the bench's N; the physics check runs N = 2 */

/* ---- Philox4x32-10 across lanes (64-bit lanes, 32 x 32 -> 64 multiplies) ---------------------- */
static inline vq mul32(vq a, vq b)
{
#ifdef __AVX512F__
    return (vq)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#else
    return (vq)_mm256_mul_epu32((__m256i)a, (__m256i)b);
#endif
}

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u
static const uint32_t SEED = 1;

/* Philox of counters (c0, lane, 0, c3), key (SEED, 0): round 1 in scalar, since
 * x2 = 0 and only the lane word differs between lanes. */
static inline void philox(uint32_t c0, vq lane, uint32_t c3, vq x[4])
{
    const vq m0 = (vq){0} + M0, m1 = (vq){0} + M1, lo = (vq){0} + 0xffffffffu;
    uint64_t p = (uint64_t)M0 * c0;
    vq x0 = lane ^ SEED, x1 = (vq){0}, x2 = (vq){0} + ((uint32_t)(p >> 32) ^ c3), x3 = (vq){0} + (uint32_t)p;
    for (int r = 1; r < 10; r++) {
        vq p0 = mul32(x0, m0), p1 = mul32(x2, m1);
        x0 = (p1 >> 32) ^ x1 ^ (uint32_t)(SEED + r * W0);
        x1 = p1 & lo;
        x2 = (p0 >> 32) ^ x3 ^ (uint32_t)(r * W1);
        x3 = p0 & lo;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
}

static inline vd as_vd(vl x)
{
    vd d;
    memcpy(&d, &x, sizeof d);
    return d;
}

static inline vl as_vl(vd x)
{
    vl l;
    memcpy(&l, &x, sizeof l);
    return l;
}

static inline vd blend(vl mask, vd a, vd b)
{
    return as_vd((as_vl(a) & mask) | (as_vl(b) & ~mask));
}

static inline vd u53(vq hi, vq lo) /* tl_uniform_double: ((hi 2^21 + lo >> 11) + 0.5) 2^-53 */
{
    vd h = as_vd((vl)hi | 0x4330000000000000LL) - 0x1p52, l = as_vd((vl)(lo >> 11) | 0x4330000000000000LL) - 0x1p52;
    return ((h * 0x1p21 + l) + 0.5) * 0x1p-53;
}

static inline vd vsqrt(vd x)
{
#ifdef __AVX512F__
    return (vd)_mm512_sqrt_pd((__m512d)x);
#else
    return (vd)_mm256_sqrt_pd((__m256d)x);
#endif
}

/* fdlibm's coefficients (e_log.c, k_sin.c, k_cos.c, e_exp.c), as the engine's stream.c and vecmath.h */
#define LG1 6.666666666666735130e-01
#define LG2 3.999999999940941908e-01
#define LG3 2.857142874366239149e-01
#define LG4 2.222219843214978396e-01
#define LG5 1.818357216161805012e-01
#define LG6 1.531383769920937332e-01
#define LG7 1.479819860511658591e-01
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define S1 -1.66666666666666324348e-01
#define S2 8.33333333332248946124e-03
#define S3 -1.98412698298579493134e-04
#define S4 2.75573137070700676789e-06
#define S5 -2.50507602534068634195e-08
#define S6 1.58969099521155010221e-10
#define C1 4.16666666666666019037e-02
#define C2 -1.38888888888741095749e-03
#define C3 2.48015872894767294178e-05
#define C4 -2.75573143513906633035e-07
#define C5 2.08757232129817482790e-09
#define C6 -1.13596475577881948265e-11
#define PIO2 1.57079632679489655800e+00
#define P1 1.66666666666666019037e-01
#define P2 -2.77777777770155933842e-03
#define P3 6.61375632143793436117e-05
#define P4 -1.65339022054652515390e-06
#define P5 4.13813679705723846039e-08
#define LOG2E 1.44269504088896338700e+00

static inline vd vlog(vd x) /* vecmath.h's vd_log */
{
    vl bits = as_vl(x), e = ((bits >> 52) & 0x7ff) - 1023;
    vl mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL, big = mb > 0x3ff6a09e667f3bcdLL;
    mb -= big & (1LL << 52), e -= big;
    vd m = as_vd(mb), ed = as_vd(e + 0x4338000000000000LL) - 0x1.8p52;
    vd s = (m - 1.0) / (m + 1.0), z = s * s;
    vd r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
    return ed * LN2_HI + (ed * LN2_LO + (2.0 * s + s * r));
}

static inline vd vexp(vd x) /* vecmath.h's vd_exp */
{
    const vd lo_clamp = (vd){0} - 700.0, hi_clamp = (vd){0} + 700.0;
    x = blend(x < lo_clamp, lo_clamp, x);
    x = blend(x > hi_clamp, hi_clamp, x);
    vd kq = x * LOG2E + 0x1.8p52, k = kq - 0x1.8p52;
    vd hi = x - k * LN2_HI, lo = k * LN2_LO, r = hi - lo, t = r * r;
    vd c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    vd y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    vq ki = (vq)(as_vl(kq) - 0x4338000000000000LL);
    return as_vd(as_vl(y) + (vl)(ki << 52));
}

/* Box-Muller of a block's four words: (cos, sin) Gaussians, given ln u1. */
static inline void gauss_finish(vd lnu, vq w2, vq w3, vd *z0, vd *z1)
{
    vd u2 = u53(w2, w3);
    vd q = 4.0 * u2, kq = q + 0x1.8p52, t = q - (kq - 0x1.8p52);
    vl k = as_vl(kq) & 3;
    vd x = t * PIO2, x2 = x * x;
    vd sn = x + x * x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * (S5 + x2 * S6)))));
    vd cs = 1.0 - (0.5 * x2 - x2 * x2 * (C1 + x2 * (C2 + x2 * (C3 + x2 * (C4 + x2 * (C5 + x2 * C6))))));
    vl odd = -(k & 1), sb = as_vl(sn), cb = as_vl(cs);
    vl cosb = ((cb & ~odd) | (sb & odd)) ^ (((k + 1) & 2) << 62), sinb = ((sb & ~odd) | (cb & odd)) ^ ((k & 2) << 62);
    vd rad = vsqrt(-2.0 * lnu);
    *z0 = rad * as_vd(cosb), *z1 = rad * as_vd(sinb);
}

/* ---- the point ---------------------------------------------------------------------------------- */
typedef struct {
    int n, steps, substeps, burn_in;
    double eps[2][NMAX];              /* the patterns */
    double coupling[4];               /* C[mu][nu] */
    double cf[NMAX][2], self[NMAX], half_self[NMAX], half_c[4];
    double field, threshold, beta, temperature, inv_r, dt, sd, inv_2var;
} point;

static void point_init(point *p, int n, const char *patterns, int burn_in)
{
    p->n = n, p->steps = 100, p->substeps = 10, p->burn_in = burn_in;
    for (int mu = 0; mu < 2; mu++)
        for (int i = 0; i < n; i++) p->eps[mu][i] = patterns[mu * n + i] == '+' ? 1.0 : -1.0;
    const double g = 0.3;
    p->coupling[0] = g, p->coupling[1] = 0, p->coupling[2] = 0, p->coupling[3] = 1 - g;
    for (int i = 0; i < n; i++) { /* gr_consts_init's operations */
        p->self[i] = 0;
        for (int nu = 0; nu < 2; nu++) {
            double cc = 0;
            for (int mu = 0; mu < 2; mu++) cc += p->coupling[mu * 2 + nu] * p->eps[mu][i];
            p->cf[i][nu] = cc;
            p->self[i] += cc * p->eps[nu][i];
        }
        p->half_self[i] = 0.5 * p->self[i];
    }
    for (int k = 0; k < 4; k++) p->half_c[k] = 0.5 * p->coupling[k];
    p->field = 2, p->threshold = 0.2, p->temperature = 0.5, p->beta = 1.0 / 0.5, p->temperature = 1.0 / p->beta;
    p->inv_r = 1.0 / 1.5, p->dt = 0.05;
    double var = 2.0 * p->dt / p->beta;
    p->sd = sqrt(var), p->inv_2var = 1.0 / (2 * var);
}

/* I_i(lambda) - U, as gr_consts_level. */
static void point_level(const point *p, double lambda, double h0[NMAX])
{
    double a = 1.0 - lambda, b = lambda;
    for (int i = 0; i < p->n; i++) h0[i] = p->field * (a * p->eps[0][i] + b * p->eps[1][i]) - p->threshold;
}

enum { PURPOSE_DYNAMICS = 0, PURPOSE_INITIAL = 1, PURPOSE_ACCEPT = 16, PURPOSE_ACCEPT_INITIAL = 17 };

/* ---- the limit kernel: L lanes at once ---------------------------------------------------------- */

/* E, ln pi and (if d) the drift at u: gr_eval for M = 2. */
static inline __attribute__((always_inline)) void eval(const point *restrict p, const int n, const double *h0,
                                                       const vd *u, vd *d, vd *energy, vd *log_pi)
{
    const vd zero = {0}, one = zero + 1.0;
    vd v[NMAX], o0 = zero, o1 = zero, e = zero, jac = zero, t[NMAX], r[NMAX], l1p[NMAX];
    /* in stages across the neurons, so that the out-of-order core overlaps
     * their chains (exp, then a division and ln): the same operations */
#pragma GCC unroll 16
    for (int i = 0; i < n; i++) {
        vl pos = u[i] > zero;
        t[i] = vexp(-blend(pos, u[i], -u[i]));
    }
#pragma GCC unroll 16
    for (int i = 0; i < n; i++) {
        vd w = t[i] + 1.0;
        r[i] = one / w;
        l1p[i] = vlog(w) - ((w - 1.0) - t[i]) / w; /* ln(1 + t), vd_log1p */
    }
#pragma GCC unroll 16
    for (int i = 0; i < n; i++) {
        vd x = u[i];
        vl pos = x > zero;
        vd sp = blend(pos, x, zero) + l1p[i], sm = blend(pos, zero, -x) + l1p[i];
        vd vi = blend(pos, r[i], t[i] * r[i]);
        v[i] = vi;
        o0 = o0 + p->eps[0][i] * vi, o1 = o1 + p->eps[1][i] * vi;
        e = e + (p->half_self[i] * vi * vi - h0[i] * vi - (vi * sm + (1.0 - vi) * sp) * p->inv_r);
        jac = jac + (sp + sm);
    }
    e = e - p->half_c[0] * o0 * o0, e = e - p->half_c[1] * o0 * o1;
    e = e - p->half_c[2] * o1 * o0, e = e - p->half_c[3] * o1 * o1;
    *energy = e;
    *log_pi = -p->beta * e - jac;
    if (!d) return;
    for (int i = 0; i < n; i++) {
        vd h = (zero + h0[i]) + p->cf[i][0] * o0;
        h = h + p->cf[i][1] * o1;
        h = h - p->self[i] * v[i];
        d[i] = v[i] * (1.0 - v[i]) * (h - u[i] * p->inv_r) + p->temperature * (1.0 - 2.0 * v[i]);
    }
}

typedef struct {
    vd u[NMAX], d[NMAX], energy, log_pi, moved;
} lanes;

/* Langevin steps first .. first + count - 1 at h0: Philox, Box-Muller, proposal, evaluation, accept. */
static inline __attribute__((always_inline)) void relax(const point *restrict p, const int n, const double *h0,
                                                        lanes *restrict s, vq lane, uint32_t c3_hi, uint32_t dir,
                                                        int initial, int64_t first, int64_t count)
{
    const int pairs = (n + 1) / 2;
    const uint32_t cg = dir | (uint32_t)(initial ? PURPOSE_INITIAL : PURPOSE_DYNAMICS) << 8 | c3_hi;
    const uint32_t ca = dir | (uint32_t)(initial ? PURPOSE_ACCEPT_INITIAL : PURPOSE_ACCEPT) << 8 | c3_hi;
    const vd zero = {0};
    vq wa[4] = {{0}};
    for (int64_t k = first; k < first + count; k++) {
        vd y[NMAX], dy[NMAX], ey, lpy, fwd = zero, back = zero;
        vd z[2 * ((NMAX + 1) / 2)];
        vq w[(NMAX + 1) / 2][4];
        vd lnu[(NMAX + 1) / 2];
        /* Philox of every pair, ln u1 of every pair, then Box-Muller's rest and the proposals */
#pragma GCC unroll 8
        for (int j = 0; j < pairs; j++) philox((uint32_t)(k * pairs + j), lane, cg, w[j]);
#pragma GCC unroll 8
        for (int j = 0; j < pairs; j++) lnu[j] = vlog(u53(w[j][0], w[j][1]));
#pragma GCC unroll 8
        for (int j = 0; j < pairs; j++) gauss_finish(lnu[j], w[j][2], w[j][3], &z[2 * j], &z[2 * j + 1]);
#pragma GCC unroll 16
        for (int i = 0; i < n; i++) {
            vd x = s->u[i], dx = s->d[i];
            vd yi = x + p->dt * dx + p->sd * z[i];
            vd f = yi - x - p->dt * dx;
            fwd = fwd + f * f;
            y[i] = yi;
        }
        eval(p, n, h0, y, dy, &ey, &lpy);
        for (int i = 0; i < n; i++) {
            vd b = s->u[i] - y[i] - p->dt * dy[i];
            back = back + b * b;
        }
        vd log_ratio = lpy - s->log_pi + (fwd - back) * p->inv_2var;
        int half = (int)(k & 1);
        if (!half || k == first) philox((uint32_t)(k / 2), lane, ca, wa);
        vd uni = half ? u53(wa[2], wa[3]) : u53(wa[0], wa[1]);
        vl accept = uni < vexp(blend(log_ratio < zero, log_ratio, zero));
        for (int i = 0; i < n; i++) s->u[i] = blend(accept, y[i], s->u[i]), s->d[i] = blend(accept, dy[i], s->d[i]);
        s->energy = blend(accept, ey, s->energy), s->log_pi = blend(accept, lpy, s->log_pi);
        s->moved = s->moved + as_vd(accept & as_vl(zero + 1.0));
    }
}

typedef struct {
    double work, heat, moved, e0; /* e0: the energy after the burn-in */
} result;

/* L trajectories t0 .. t0 + L - 1 of direction dir (0 forward, 1 reverse), as gr_tile. */
static inline __attribute__((always_inline)) void run_lanes(const point *restrict p, const int n, uint32_t dir,
                                                            uint64_t t0, result out[L])
{
    vq lane;
    for (int l = 0; l < L; l++) lane[l] = (uint32_t)(t0 + (uint64_t)l);
    const uint32_t c3_hi = (uint32_t)(t0 >> 32) << 16;
    const double steps = p->steps;
    const vd zero = {0};
    lanes s;
    double h0[NMAX];
    vd work = zero, heat = zero, other, lp;
    for (int i = 0; i < n; i++) s.u[i] = zero;
    s.moved = zero;
    point_level(p, dir ? 1.0 : 0.0, h0);
    eval(p, n, h0, s.u, s.d, &s.energy, &s.log_pi);
    relax(p, n, h0, &s, lane, c3_hi, dir, 1, 0, (int64_t)p->burn_in * p->substeps);
    vd e0 = s.energy;
    s.moved = zero;
    for (int64_t t = 1; t <= p->steps; t++) {
        double from = dir ? (double)(p->steps - t + 1) / steps : (double)(t - 1) / steps;
        double to = dir ? (double)(p->steps - t) / steps : (double)t / steps;
        if (!dir) {
            point_level(p, from, h0);
            eval(p, n, h0, s.u, NULL, &other, &lp);
            point_level(p, to, h0);
            eval(p, n, h0, s.u, s.d, &s.energy, &s.log_pi);
            work = work + (s.energy - other);
        } else {
            point_level(p, from, h0);
            eval(p, n, h0, s.u, s.d, &s.energy, &s.log_pi);
        }
        other = s.energy;
        relax(p, n, h0, &s, lane, c3_hi, dir, 0, (t - 1) * p->substeps, p->substeps);
        heat = heat + (s.energy - other);
        if (dir) {
            point_level(p, to, h0);
            eval(p, n, h0, s.u, NULL, &other, &lp);
            work = work + (other - s.energy);
        }
    }
    for (int l = 0; l < L; l++) out[l] = (result){work[l], heat[l], s.moved[l], e0[l]};
}

static __attribute__((noinline)) void run15(const point *p, uint32_t dir, uint64_t t0, result out[L])
{
    run_lanes(p, 15, dir, t0, out);
}

static __attribute__((noinline)) void run2(const point *p, uint32_t dir, uint64_t t0, result out[L])
{
    run_lanes(p, 2, dir, t0, out);
}

/* ---- the scalar reference: one trajectory, plain doubles ---------------------------------------- */
static void philox_scalar(const uint32_t c[4], uint32_t x[4])
{
    uint32_t x0 = c[0], x1 = c[1], x2 = c[2], x3 = c[3];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)M0 * x0, p1 = (uint64_t)M1 * x2;
        x0 = (uint32_t)(p1 >> 32) ^ x1 ^ (SEED + r * W0);
        x1 = (uint32_t)p1;
        x2 = (uint32_t)(p0 >> 32) ^ x3 ^ (0 + r * W1);
        x3 = (uint32_t)p0;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
}

static double bits_d(int64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static int64_t d_bits(double d)
{
    int64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static double uniform1(uint32_t hi, uint32_t lo)
{
    return (((double)hi * 0x1p21 + (double)(lo >> 11)) + 0.5) * 0x1p-53;
}

static double log_scalar(double x)
{
    int64_t bits = d_bits(x), e = ((bits >> 52) & 0x7ff) - 1023;
    int64_t mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;
    if (mb > 0x3ff6a09e667f3bcdLL) mb -= 1LL << 52, e += 1;
    double m = bits_d(mb), ed = (double)e;
    double s = (m - 1.0) / (m + 1.0), z = s * s;
    double r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
    return ed * LN2_HI + (ed * LN2_LO + (2.0 * s + s * r));
}

static double exp_scalar(double x)
{
    x = x < -700.0 ? -700.0 : x > 700.0 ? 700.0 : x;
    double k = nearbyint(x * LOG2E);
    double hi = x - k * LN2_HI, lo = k * LN2_LO, r = hi - lo, t = r * r;
    double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    return bits_d((int64_t)((uint64_t)d_bits(y) + ((uint64_t)(int64_t)k << 52)));
}

static void gauss_scalar(const uint32_t w[4], double z[2])
{
    double lnu = log_scalar(uniform1(w[0], w[1])), u2 = uniform1(w[2], w[3]);
    double q = 4.0 * u2, kq = nearbyint(q), t = q - kq;
    int k = (int)kq & 3;
    double x = t * PIO2, x2 = x * x;
    double sn = x + x * x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * (S5 + x2 * S6)))));
    double cs = 1.0 - (0.5 * x2 - x2 * x2 * (C1 + x2 * (C2 + x2 * (C3 + x2 * (C4 + x2 * (C5 + x2 * C6))))));
    double c[4] = {cs, -sn, -cs, sn}, sv[4] = {sn, cs, -sn, -cs};
    double rad = sqrt(-2.0 * lnu);
    z[0] = rad * c[k], z[1] = rad * sv[k];
}

static void eval_scalar(const point *p, const double *h0, const double *u, double *d, double *energy, double *log_pi)
{
    const int n = p->n;
    double v[NMAX], ov[2] = {0, 0}, e = 0, jac = 0;
    for (int i = 0; i < n; i++) {
        double x = u[i];
        int pos = x > 0;
        double ax = pos ? x : -x, t = exp_scalar(-ax), r = 1.0 / (t + 1.0);
        double w = t + 1.0, l1p = log_scalar(w) - ((w - 1.0) - t) / w;
        double sp = (pos ? x : 0.0) + l1p, sm = (pos ? 0.0 : -x) + l1p;
        double vi = pos ? r : t * r;
        v[i] = vi;
        for (int nu = 0; nu < 2; nu++) ov[nu] = ov[nu] + p->eps[nu][i] * vi;
        e = e + (p->half_self[i] * vi * vi - h0[i] * vi - (vi * sm + (1.0 - vi) * sp) * p->inv_r);
        jac = jac + (sp + sm);
    }
    for (int mu = 0; mu < 2; mu++)
        for (int nu = 0; nu < 2; nu++) e = e - p->half_c[mu * 2 + nu] * ov[mu] * ov[nu];
    *energy = e, *log_pi = -p->beta * e - jac;
    if (!d) return;
    for (int i = 0; i < n; i++) {
        double h = h0[i];
        for (int nu = 0; nu < 2; nu++) h = h + p->cf[i][nu] * ov[nu];
        h = h - p->self[i] * v[i];
        d[i] = v[i] * (1.0 - v[i]) * (h - u[i] * p->inv_r) + p->temperature * (1.0 - 2.0 * v[i]);
    }
}

static void relax_scalar(const point *p, const double *h0, double *u, double *d, double *e, double *lp, double *moved,
                         uint64_t traj, uint32_t dir, int initial, int64_t first, int64_t count)
{
    const int n = p->n, pairs = (n + 1) / 2;
    const uint32_t hi = (uint32_t)(traj >> 32) << 16;
    uint32_t cg[4] = {0, (uint32_t)traj, 0, dir | (uint32_t)(initial ? PURPOSE_INITIAL : PURPOSE_DYNAMICS) << 8 | hi};
    uint32_t ca[4] = {0, (uint32_t)traj, 0, dir | (uint32_t)(initial ? PURPOSE_ACCEPT_INITIAL : PURPOSE_ACCEPT) << 8 | hi};
    for (int64_t k = first; k < first + count; k++) {
        double y[NMAX], dy[NMAX], ey, lpy, fwd = 0, back = 0, z[2];
        uint32_t w[4];
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) cg[0] = (uint32_t)(k * pairs + i / 2), philox_scalar(cg, w), gauss_scalar(w, z);
            y[i] = u[i] + p->dt * d[i] + p->sd * z[i % 2];
            double f = y[i] - u[i] - p->dt * d[i];
            fwd = fwd + f * f;
        }
        eval_scalar(p, h0, y, dy, &ey, &lpy);
        for (int i = 0; i < n; i++) {
            double b = u[i] - y[i] - p->dt * dy[i];
            back = back + b * b;
        }
        double log_ratio = lpy - *lp + (fwd - back) * p->inv_2var;
        int half = (int)(k & 1);
        ca[0] = (uint32_t)(k / 2), philox_scalar(ca, w);
        if (uniform1(w[2 * half], w[2 * half + 1]) < exp_scalar(log_ratio < 0 ? log_ratio : 0)) {
            memcpy(u, y, (size_t)n * sizeof *u), memcpy(d, dy, (size_t)n * sizeof *d);
            *e = ey, *lp = lpy, *moved += 1.0;
        }
    }
}

static result reference(const point *p, uint32_t dir, uint64_t traj)
{
    const double steps = p->steps;
    double u[NMAX] = {0}, d[NMAX], h0[NMAX], e, lp, moved = 0, w = 0, q = 0, other, e0;
    point_level(p, dir ? 1.0 : 0.0, h0);
    eval_scalar(p, h0, u, d, &e, &lp);
    relax_scalar(p, h0, u, d, &e, &lp, &moved, traj, dir, 1, 0, (int64_t)p->burn_in * p->substeps);
    e0 = e, moved = 0;
    for (int64_t t = 1; t <= p->steps; t++) {
        double from = dir ? (double)(p->steps - t + 1) / steps : (double)(t - 1) / steps;
        double to = dir ? (double)(p->steps - t) / steps : (double)t / steps;
        double lp2;
        if (!dir) {
            point_level(p, from, h0);
            eval_scalar(p, h0, u, NULL, &other, &lp2);
            point_level(p, to, h0);
            eval_scalar(p, h0, u, d, &e, &lp);
            w = w + (e - other);
        } else {
            point_level(p, from, h0);
            eval_scalar(p, h0, u, d, &e, &lp);
        }
        other = e;
        relax_scalar(p, h0, u, d, &e, &lp, &moved, traj, dir, 0, (t - 1) * p->substeps, p->substeps);
        q = q + (e - other);
        if (dir) {
            point_level(p, to, h0);
            eval_scalar(p, h0, u, NULL, &other, &lp2);
            w = w + (other - e);
        }
    }
    return (result){w, q, moved, e0};
}

/* ---- exact values at N = 2 by quadrature (libm) ------------------------------------------------- */
static double softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* hopfield_graded_energy, written out for M = 2 */
static double energy_exact(const point *p, const double *u, double lambda)
{
    double h0[NMAX], v[NMAX], ov[2] = {0, 0}, e = 0;
    point_level(p, lambda, h0);
    for (int i = 0; i < p->n; i++) {
        v[i] = 1.0 / (1.0 + exp(-u[i]));
        for (int nu = 0; nu < 2; nu++) ov[nu] += p->eps[nu][i] * v[i];
    }
    for (int mu = 0; mu < 2; mu++)
        for (int nu = 0; nu < 2; nu++) e -= 0.5 * p->coupling[mu * 2 + nu] * ov[mu] * ov[nu];
    for (int i = 0; i < p->n; i++)
        e += 0.5 * p->self[i] * v[i] * v[i] - h0[i] * v[i] - (v[i] * softplus(-u[i]) + (1 - v[i]) * softplus(u[i])) * p->inv_r;
    return e;
}

/* ln Z(lambda) and <E>(lambda) over u in [-40, 40]^2, trapezoid rule (ln pi is
 * below about 10 everywhere, so no shift is needed). */
static void quadrature(const point *p, double lambda, double *log_z, double *mean_e)
{
    const double range = 40, h = 0.1;
    const int k = (int)(2 * range / h + 0.5);
    double z = 0, ze = 0;
    for (int a = 0; a <= k; a++)
        for (int b = 0; b <= k; b++) {
            double u[2] = {-range + a * h, -range + b * h};
            double e = energy_exact(p, u, lambda);
            double w = exp(-p->beta * e - softplus(u[0]) - softplus(-u[0]) - softplus(u[1]) - softplus(-u[1]));
            z += w, ze += e * w;
        }
    *log_z = log(z * h * h), *mean_e = ze / z;
}

/* -T ln <e^{-x/T}> and its standard error (delta method). */
static void jarzynski(const double *x, long count, double temperature, double *est, double *se)
{
    double shift = INFINITY, s = 0, s2 = 0;
    for (long t = 0; t < count; t++) shift = fmin(shift, x[t]);
    for (long t = 0; t < count; t++) {
        double w = exp(-(x[t] - shift) / temperature);
        s += w, s2 += w * w;
    }
    double mean = s / count, var = s2 / count - mean * mean;
    *est = shift - temperature * log(mean);
    *se = temperature * sqrt(var / (count - 1)) / mean;
}

static int check(const char *what, double value, double se, double exact)
{
    double z = (value - exact) / se;
    int ok = fabs(z) < 4;
    printf("%-34s %.5f +- %.5f (exact %.5f, z = %+.2f)%s\n", what, value, se, exact, z, ok ? "" : "  FAIL");
    return !ok;
}

/* ---- driver ------------------------------------------------------------------------------------- */
int main(int argc, char **argv)
{
    long traj = 256, n_check = 16;
    const char *patterns = "---+-++-++++------+--++-++-+++"; /* e1 e2 of pattern_seed 1 (the engine's) */
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--patterns") && strlen(argv[i + 1]) == 30) patterns = argv[i + 1];
        else if (!strcmp(argv[i], "--traj")) traj = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--check")) n_check = atol(argv[i + 1]);
        else return fprintf(stderr, "usage: graded_limit [--patterns e1e2 (30 of + or -)] [--traj T (a multiple of %d)] [--check K]\n", L), 2;
    }
    if (traj < L || traj % L || n_check < 0) return fprintf(stderr, "graded_limit: --traj a multiple of %d, --check >= 0\n", L), 2;
    point p;
    point_init(&p, 15, patterns, 10);

    /* the bench: both directions, as `thermolearn bench hopfield --graded` */
    result *res = malloc(2 * (size_t)traj * sizeof *res);
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    clock_t c0 = clock();
    for (uint32_t dir = 0; dir < 2; dir++)
        for (long t = 0; t < traj; t += L) run15(&p, dir, (uint64_t)t, res + dir * traj + t);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall = (double)(w1.tv_sec - w0.tv_sec) + 1e-9 * (double)(w1.tv_nsec - w0.tv_nsec);
    double checksum = 0, accepted = 0;
    for (long t = 0; t < 2 * traj; t++) checksum += res[t].work, accepted += res[t].moved / (p.steps * (double)p.substeps);
    double langevin = 2.0 * traj * (p.steps + p.burn_in) * (double)p.substeps;

    /* the scalar reference */
    int bad = 0;
    long same = 0, total = 0;
    double worst = 0;
#ifdef CONTRACT
    const double tol = 1e-9;
#else
    const double tol = 0;
#endif
    for (uint32_t dir = 0; dir < 2; dir++)
        for (long t = 0; t < n_check && t < traj; t++) {
            result r = reference(&p, dir, (uint64_t)t), v = res[dir * traj + t];
            double dw = fabs(r.work - v.work) / (1 + fabs(r.work)), dq = fabs(r.heat - v.heat) / (1 + fabs(r.heat));
            worst = fmax(worst, fmax(dw, dq));
            same += r.work == v.work && r.heat == v.heat && r.moved == v.moved && r.e0 == v.e0;
            total++;
            if (r.moved != v.moved || !(dw <= tol && dq <= tol)) bad = 1;
        }
    printf("scalar reference: %ld of %ld trajectories equal to the bit (largest relative difference %.1e, "
           "tolerance %.0e)%s\n", same, total, worst, tol, bad ? "  FAIL" : "");

    /* physics at N = 2, against quadrature */
    point q;
    point_init(&q, 2, "+++-", 200);
    const long tq = 4096;
    result *rq = malloc(2 * tq * sizeof *rq);
    for (uint32_t dir = 0; dir < 2; dir++)
        for (long t = 0; t < tq; t += L) run2(&q, dir, (uint64_t)t, rq + dir * tq + t);
    double lz0, lz1, me0, me1;
    quadrature(&q, 0.0, &lz0, &me0);
    quadrature(&q, 1.0, &lz1, &me1);
    double df = -(lz1 - lz0) / q.beta, *x = malloc(tq * sizeof *x), est, se, m = 0, m2 = 0;
    for (long t = 0; t < tq; t++) x[t] = rq[t].work;
    jarzynski(x, tq, q.temperature, &est, &se);
    bad |= check("N = 2: Jarzynski forward, dF", est, se, df);
    for (long t = 0; t < tq; t++) x[t] = rq[tq + t].work;
    jarzynski(x, tq, q.temperature, &est, &se);
    bad |= check("N = 2: Jarzynski reverse, -dF", est, se, -df);
    for (long t = 0; t < tq; t++) m += rq[t].e0, m2 += rq[t].e0 * rq[t].e0;
    m /= tq;
    bad |= check("N = 2: <E> at lambda = 0", m, sqrt((m2 / tq - m * m) / (tq - 1)), me0);

    printf("checksum %.6f acceptance %.4f\n", checksum, accepted / (2.0 * traj));
    printf("neuron_steps_per_s %.4e wall_neuron_steps_per_s %.4e\n", langevin * p.n / cpu, langevin * p.n / wall);
    free(res), free(rq), free(x);
    return bad;
}
