/* milburn_limit.c -- how fast can ONE core run the kernels of `thermolearn
 * bench doublewell`, `weightsde`, `observed` and `twostate`?  Limit
 * kernels, not peers: the same physics and the same streams, everything
 * arranged for speed.
 *
 * Build:  gcc -O3 -march=native -Wno-psabi -o build/bench/milburn_limit milburn_limit.c -lm
 *         (stand-alone: Philox4x32-10 written out for the lanes; AVX2 or
 *         AVX-512, so -march=x86-64-v3 builds the portable variant;
 *         Random123's header for the scalar reference)
 * Run:    milburn_limit [--model doublewell|weightsde|filtered|observed|twostate|clock|gate] [--traj N] [--check K]
 * Prints: steps_per_s (trajectories x steps per second of CPU time, the
 *         trajectories rounded up to whole groups of G x L lanes), a physics
 *         check in standard errors, and the scalar check: --check K (default
 *         64) runs the first K trajectories again one at a time in plain
 *         scalar code (Random123's philox4x32, libm's exp, log, cos, tanh,
 *         cosh) and reports the largest differences; exit status 1 if one
 *         exceeds 1e-9 or a decision differs (the two differ by rounding only:
 *         FMA, polynomial exp/log/cos).
 *
 * doublewell (default; the engine's bench point): V(x, lambda) = x^2 (x^2 -
 * 1) - lambda x, T = 0.1, lambda ramped 0 -> 0.3 over time 2, h = 0.001
 * (2000 steps), MALA relaxation after each work step, first passage to
 * x >= 0.5 with the Brownian-bridge test; 8192 trajectories.  Physics check:
 * Jarzynski, <exp(-W/T)> against exp(-dF/T), dF = -0.137502 by quadrature.
 * Streams as the engine's (seed 1, point 0, direction 0): block j of DYNAMICS
 * (purpose 0) gives the Gaussians of steps 2j, 2j+1 (Box-Muller cosine and
 * sine), block j of purpose 17 the acceptance uniforms, of purpose 16 the
 * bridge uniforms.  The initial x is an exact equilibrium draw by plain
 * rejection (uniform on [-2, 2], accepted with e^{-(V - Vmin)/T}), so the
 * initial values, and hence the checksum, differ from the engine's envelope
 * sampler; the step law is the same.
 *
 * weightsde (the engine's bench point, Fig. 20): V(w) = w^2/2 + 2 tanh(w),
 * (gamma_w = 1, switch_beta = 2, eta = 4: L = 2, x = 1, b = 0), T_w = 0.5,
 * h = 0.001, time 10 (10000 steps), the exact-OU proposal with the learning
 * force frozen, Metropolis-Hastings towards exp(-V/T_w); 2048 trajectories
 * from N(0, T_w).  Physics check: <w(10)> and <w(10)^2> against the
 * stationary law by quadrature (-0.96257 and 1.17628: relaxed by t = 10).
 * Streams: Gaussians as above, acceptance uniforms from purpose 16.
 *
 * filtered (`thermolearn bench weightsde --filtered`, the full loop of eq. 84):
 * Fig. 20's weight as above, the switch gamma_s = 10 (rates gamma_s
 * sigma(+-2w)), its record at Gamma = 10 and the Bayes filter in log-odds,
 * drift -2 (1 - n_c^2), the feedback's work at the step's midpoint; h = 2e-3,
 * time 10 (5000 steps), 2048 trajectories from the engine's initial states
 * (w(0), then n(0) from the INITIAL cursor's next uniform).  Physics check:
 * the filter is the exact posterior mean, so <(n - n_c) n_c> = 0 (within 4
 * standard errors).  Streams are the engine's (block k of DYNAMICS: step k's
 * Gaussians, weight and record; block j of purpose 16 the switch's uniforms
 * of steps 2j, 2j + 1), so the checksum (the sum of w(10)) is the engine's.
 *
 * observed (the engine's bench point, Fig. 7): the hidden chain mu = nu =
 * 0.5, record kappa = 40, Gamma = 10, the Bayes filter, the current of eq. 31
 * with r = 20, h = 1e-4, time 5 (50000 steps), averages over t >= 1 and the
 * occupation of n_c in 50 bins (one scalar increment per lane and step, as
 * the engine); 512 trajectories.  Physics check: the MSE against the Wonham
 * law's MMSE (0.39526, continuum; the step's bias is below the standard
 * error) and the calibration <(n - n_c) n_c> = 0.  Streams: block k of
 * DYNAMICS gives step k's two Gaussians, block j of purpose 16 the chain's
 * uniforms of steps 2j, 2j + 1.
 *
 * twostate (the engine's bench point): thinning at the bound mu + nu = 11 of
 * the sigmoid swap mu = 1 <-> nu = 10 (t0 = 5, width 0.5, time 10) with
 * thermal levels (T = 1), from the steady state; 200000 trajectories, each
 * lane on its own candidates until the last lane of the group passes the
 * end.  Prints candidates_per_s (the expected 110 candidates per trajectory,
 * as the engine counts them).  Physics check: Jarzynski with dF = 0 (the
 * swap is symmetric).  Streams and initial states are the engine's, so the
 * checksum (the sum of W) is the engine's.
 *
 * clock (the engine's bench point, Fig. 22): the escapement clock, gamma = 10,
 * chi = 40, kappa = 1, eps = 0, T = 0.125, dt = 2e-4, 128 trajectories of
 * 39062 steps from the engine's point of the deterministic cycle, the
 * passage test through x* with its interpolated time.  Streams are the
 * engine's (block k of DYNAMICS: step k's two Gaussians), so the checksum
 * (the sum of W + Q) is the engine's to rounding.  Physics check: the heat
 * minus its conditional mean is a martingale (mean 0, within 4 standard
 * errors), and W + Q = Delta E on every trajectory to 1e-9.
 *
 * gate (the engine's bench point, Fig. 15): NOT, beta = 1, M = 200, eta = 1, (w0, b0) =
 * (0.01, 1), 250 epochs, work_state = fresh, 20000 trajectories: per epoch the input, the extra
 * equilibration, the binomial count by inversion from 0 on the smaller side (q^M by binary
 * powering, the walk masked lane by lane, the G groups' walks interleaved), the last sample's
 * state, eq. 63.  Streams are the engine's (block 2e - 2 and 2e - 1 of DYNAMICS for epoch e; the
 * initial state from block 0 of INITIAL), so the checksum (the sum of w + W) is the engine's.
 * Prints epochs_per_s.  Physics check: the first update's mean against its exact value (eq. 63
 * with E[nbar^2] = n^2 + (1 - n^2)/M, within 4 standard errors) and W + Q = Delta E on every
 * trajectory to 1e-9.
 *
 * What is arranged for speed, against the engine's general kernels:
 * - the lanes stay in registers for the whole trajectory (the engine keeps
 *   them in a tile in memory and reloads them every step);
 * - Philox, Box-Muller and the step fused in one pass (the engine stores a
 *   block of Gaussians and words per two steps and reads them back);
 * - G groups of L lanes interleaved (AVX-512: 2 x 8, AVX2: 4 x 4; -DG=k
 *   overrides), to hide the latency of the step's dependency chain;
 * - fused multiply-adds (the engine rounds every product: its numbers must
 *   not depend on the target).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <Random123/philox.h>
#include <immintrin.h>

#ifdef __AVX512F__
#define L 8 /* lanes (trajectories) per vector: one zmm */
#ifndef G
#define G 2 /* vectors interleaved */
#endif
#else
#define L 4 /* one ymm */
#ifndef G
#define G 4
#endif
#endif
typedef double vd __attribute__((vector_size(8 * L)));
typedef uint64_t vq __attribute__((vector_size(8 * L)));
typedef int64_t vl __attribute__((vector_size(8 * L)));

/* the doublewell bench point */
static const double T = 0.1, LAMBDA1 = 0.3, RAMP = 2, TIME = 2, H = 0.001, TH = 0.5, DF = -0.137502;
enum { STEPS = 2000, P_DYN = 0, P_BRIDGE = 16, P_ACCEPT = 17, P_INIT = 1 };
/* the weightsde bench point */
static const double WT = 0.5, WH = 0.001, W_MEAN = -0.96257, W_SQUARE = 0.24974 + 0.96257 * 0.96257;
enum { WSTEPS = 10000, WP_ACCEPT = 16 };
static const uint32_t SEED = 1;

static inline vq mul32(vq a, vq b) /* 32 x 32 -> 64 of the low halves: vpmuludq */
{
#ifdef __AVX512F__
    return (vq)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#else
    return (vq)_mm256_mul_epu32((__m256i)a, (__m256i)b);
#endif
}

/* Philox4x32-10 of counters (c0, lane, 0, c3), key (SEED, 0), L lanes. */
static inline void philox_lanes(uint32_t c0, vq lane, uint32_t c3, vq x[4])
{
    const vq m0 = (vq){0} + 0xD2511F53u, m1 = (vq){0} + 0xCD9E8D57u, lo = (vq){0} + 0xffffffffu;
    vq x0 = (vq){0} + c0, x1 = lane, x2 = (vq){0}, x3 = (vq){0} + c3;
    for (int r = 0; r < 10; r++) {
        vq p0 = mul32(x0, m0), p1 = mul32(x2, m1);
        x0 = (p1 >> 32) ^ x1 ^ (uint32_t)(SEED + r * 0x9E3779B9u);
        x1 = p1 & lo;
        x2 = (p0 >> 32) ^ x3 ^ (uint32_t)(0 + r * 0xBB67AE85u);
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

static inline vd blend(vl m, vd a, vd b)
{
    return as_vd((as_vl(a) & m) | (as_vl(b) & ~m));
}

static inline vd u53(vq hi, vq lo) /* ((hi << 21 ^ lo >> 11) + 0.5) 2^-53 */
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

/* Box-Muller, the polynomials of the engine (fdlibm). */
static inline void gauss_lanes(const vq w[4], vd *z0, vd *z1)
{
    vd u1 = u53(w[0], w[1]), u2 = u53(w[2], w[3]);
    vl bits = as_vl(u1), e = ((bits >> 52) & 0x7ff) - 1023;
    vl mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL, big = mb > 0x3ff6a09e667f3bcdLL;
    mb -= big & (1LL << 52), e -= big;
    vd m = as_vd(mb), ed = as_vd(e + 0x4338000000000000LL) - 0x1.8p52;
    vd s = (m - 1.0) / (m + 1.0), z = s * s;
    vd r = z * (6.666666666666735130e-01 +
                z * (3.999999999940941908e-01 +
                     z * (2.857142874366239149e-01 +
                          z * (2.222219843214978396e-01 +
                               z * (1.818357216161805012e-01 + z * (1.531383769920937332e-01 + z * 1.479819860511658591e-01))))));
    vd lnu = ed * 6.93147180369123816490e-01 + (ed * 1.90821492927058770002e-10 + (2.0 * s + s * r));
    vd q = 4.0 * u2, kq = q + 0x1.8p52, t = q - (kq - 0x1.8p52);
    vl k = as_vl(kq) & 3;
    vd x = t * 1.57079632679489655800e+00, x2 = x * x;
    vd sn = x + x * x2 *
                    (-1.66666666666666324348e-01 +
                     x2 * (8.33333333332248946124e-03 +
                           x2 * (-1.98412698298579493134e-04 +
                                 x2 * (2.75573137070700676789e-06 + x2 * (-2.50507602534068634195e-08 + x2 * 1.58969099521155010221e-10)))));
    vd cs = 1.0 - (0.5 * x2 - x2 * x2 *
                                  (4.16666666666666019037e-02 +
                                   x2 * (-1.38888888888741095749e-03 +
                                         x2 * (2.48015872894767294178e-05 +
                                               x2 * (-2.75573143513906633035e-07 +
                                                     x2 * (2.08757232129817482790e-09 + x2 * -1.13596475577881948265e-11))))));
    vl odd = -(k & 1), sb = as_vl(sn), cb = as_vl(cs);
    vl cosb = ((cb & ~odd) | (sb & odd)) ^ (((k + 1) & 2) << 62), sinb = ((sb & ~odd) | (cb & odd)) ^ ((k & 2) << 62);
    vd rad = vsqrt(-2.0 * lnu);
    *z0 = rad * as_vd(cosb), *z1 = rad * as_vd(sinb);
}

/* e^x, x clamped to [-700, 700]: fdlibm's reduction and rational form. */
static inline vd vexp(vd x)
{
    x = blend(x < -700.0, (vd){0} - 700.0, x);
    x = blend(x > 700.0, (vd){0} + 700.0, x);
    vd kq = x * 1.44269504088896338700e+00 + 0x1.8p52, k = kq - 0x1.8p52;
    vd hi = x - k * 6.93147180369123816490e-01, lo = k * 1.90821492927058770002e-10, r = hi - lo, t = r * r;
    vd c = r - t * (1.66666666666666019037e-01 +
                    t * (-2.77777777770155933842e-03 +
                         t * (6.61375632143793436117e-05 + t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
    vd y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    vq ki = (vq)(as_vl(kq) - 0x4338000000000000LL);
    return as_vd(as_vl(y) + (vl)(ki << 52));
}

static double lambda_at(long k) /* lambda_k of the ramp (ramp_time = time) */
{
    return k == STEPS ? LAMBDA1 : fmin((double)k * (TIME / STEPS) / RAMP, 1.0) * LAMBDA1;
}

static double potential(double x, double l)
{
    return x * x * (x * x - 1) - l * x;
}

static double uniform(uint32_t hi, uint32_t lo)
{
    return ((double)(((uint64_t)hi << 21) ^ (lo >> 11)) + 0.5) * 0x1p-53;
}

/* Exact equilibrium draw at lambda = 0 (Vmin = -1/4), by rejection from uniform on [-2, 2]. */
static double initial_x(uint64_t traj)
{
    philox4x32_key_t key = {{SEED, 0}};
    for (uint32_t b = 0;; b++) {
        philox4x32_ctr_t c = {{b, (uint32_t)traj, 0, P_INIT << 8}};
        philox4x32_ctr_t r = philox4x32(c, key);
        double x = -2 + 4 * uniform(r.v[0], r.v[1]);
        if (uniform(r.v[2], r.v[3]) < exp(-(potential(x, 0) + 0.25) / T)) return x;
    }
}

typedef struct {
    double work, x, fpt;
} result;

/* Lanes first .. first + G L - 1, whole trajectories in registers. */
static void dw_group(uint64_t first, const double *lam, result *out)
{
    const double noise = sqrt(2 * T * H), inv_4th = 1 / (4 * T * H), inv_th = 1 / (T * H);
    vd x[G], work[G], fpt[G];
    vl passed[G];
    vq lane[G];
    for (int g = 0; g < G; g++) {
        for (int l = 0; l < L; l++) {
            lane[g][l] = first + (uint64_t)(g * L + l);
            x[g][l] = initial_x(lane[g][l]);
        }
        work[g] = (vd){0}, fpt[g] = (vd){0} + TIME, passed[g] = x[g] >= TH;
        fpt[g] = blend(passed[g], (vd){0}, fpt[g]);
    }
    for (long k = 0; k < STEPS; k += 2) {
        vq wz[G][4], wa[G][4], wb[G][4];
        vd z[G][2];
        for (int g = 0; g < G; g++) {
            philox_lanes((uint32_t)(k / 2), lane[g], P_DYN << 8, wz[g]);
            philox_lanes((uint32_t)(k / 2), lane[g], P_ACCEPT << 8, wa[g]);
            philox_lanes((uint32_t)(k / 2), lane[g], P_BRIDGE << 8, wb[g]);
            gauss_lanes(wz[g], &z[g][0], &z[g][1]);
        }
        for (int half = 0; half < 2; half++) {
            const double la = lam[k + half], lb = lam[k + half + 1], t_next = (double)(k + half + 1) * H;
            for (int g = 0; g < G; g++) {
                vd xx = x[g];
                work[g] -= xx * (lb - la);
                vd fx = -(4 * xx * xx * xx - 2 * xx - lb), y = xx + fx * H + noise * z[g][half];
                vd fy = -(4 * y * y * y - 2 * y - lb);
                vd dv = y * y * (y * y - 1) - lb * y - (xx * xx * (xx * xx - 1) - lb * xx);
                vd back = xx - y - fy * H, fwd = y - xx - fx * H;
                vd log_alpha = -dv * (1 / T) - (back * back - fwd * fwd) * inv_4th;
                vl acc = u53(wa[g][2 * half], wa[g][2 * half + 1]) < vexp(blend(log_alpha < 0, log_alpha, (vd){0}));
                vd xn = blend(acc, y, xx);
                vl cross = (xn >= TH) | ((xn != xx) & (u53(wb[g][2 * half], wb[g][2 * half + 1]) <
                                                       vexp(-(TH - xx) * (TH - xn) * inv_th)));
                vl first_cross = cross & ~passed[g];
                fpt[g] = blend(first_cross, (vd){0} + t_next, fpt[g]);
                passed[g] |= first_cross;
                x[g] = xn;
            }
        }
    }
    for (int g = 0; g < G; g++)
        for (int l = 0; l < L; l++) out[g * L + l] = (result){work[g][l], x[g][l], fpt[g][l]};
}

/* The scalar reference: one trajectory, Random123's philox4x32 and libm. */
static result dw_scalar(uint64_t traj, const double *lam)
{
    philox4x32_key_t key = {{SEED, 0}};
    double x = initial_x(traj), work = 0, fpt = x >= TH ? 0 : TIME;
    int passed = x >= TH;
    philox4x32_ctr_t wz = {{0}}, wa = {{0}}, wb = {{0}};
    for (long k = 0; k < STEPS; k++) {
        int half = (int)(k & 1);
        if (!half) {
            uint32_t b = (uint32_t)(k / 2);
            philox4x32_ctr_t cz = {{b, (uint32_t)traj, 0, P_DYN << 8}}, ca = {{b, (uint32_t)traj, 0, P_ACCEPT << 8}},
                             cb = {{b, (uint32_t)traj, 0, P_BRIDGE << 8}};
            wz = philox4x32(cz, key), wa = philox4x32(ca, key), wb = philox4x32(cb, key);
        }
        double u1 = uniform(wz.v[0], wz.v[1]), u2 = uniform(wz.v[2], wz.v[3]), rad = sqrt(-2 * log(u1));
        double z = half ? rad * sin(6.283185307179586 * u2) : rad * cos(6.283185307179586 * u2);
        double la = lam[k], lb = lam[k + 1];
        work -= x * (lb - la);
        double fx = -(4 * x * x * x - 2 * x - lb), y = x + fx * H + sqrt(2 * T * H) * z;
        double fy = -(4 * y * y * y - 2 * y - lb);
        double back = x - y - fy * H, fwd = y - x - fx * H;
        double log_alpha = -(potential(y, lb) - potential(x, lb)) / T - (back * back - fwd * fwd) / (4 * T * H);
        double xn = log(uniform(wa.v[2 * half], wa.v[2 * half + 1])) < log_alpha ? y : x;
        if (!passed && (xn >= TH || (xn != x && uniform(wb.v[2 * half], wb.v[2 * half + 1]) <
                                                    exp(-(TH - x) * (TH - xn) / (T * H)))))
            passed = 1, fpt = (double)(k + 1) * H;
        x = xn;
    }
    return (result){work, x, fpt};
}

static int doublewell_main(long traj, long check)
{
    double lam[STEPS + 1];
    for (long k = 0; k <= STEPS; k++) lam[k] = lambda_at(k);
    const long groups = (traj + G * L - 1) / (G * L);
    result *res = malloc((size_t)(groups * G * L) * sizeof *res);
    clock_t t0 = clock();
    for (long b = 0; b < groups; b++) dw_group((uint64_t)(b * G * L), lam, res + b * G * L);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    double sum_w = 0, sum_e = 0, sum_e2 = 0;
    for (long t = 0; t < traj; t++) {
        double e = exp(-res[t].work / T);
        sum_w += res[t].work, sum_e += e, sum_e2 += e * e;
    }
    double me = sum_e / traj, se = sqrt(fmax(sum_e2 / traj - me * me, 0) / (traj > 1 ? traj - 1 : 1));
    double dw = 0, dx = 0;
    long fpt_differ = 0;
    for (long t = 0; t < check && t < traj; t++) {
        result r = dw_scalar((uint64_t)t, lam);
        dw = fmax(dw, fabs(r.work - res[t].work)), dx = fmax(dx, fabs(r.x - res[t].x));
        fpt_differ += r.fpt != res[t].fpt;
    }
    printf("doublewell_limit: traj %ld (%d lanes x %d groups), %d steps: cpu_s %.3f checksum %.6f\n", traj, L, G, STEPS,
           cpu, sum_w);
    printf("check: <exp(-W/T)> = %.5f +- %.5f, exp(-dF/T) = %.5f (%.2f standard errors)\n", me, se, exp(-DF / T),
           (me - exp(-DF / T)) / se);
    printf("scalar reference (%ld trajectories): max |dW| %.3g, max |dx| %.3g, first-passage times differing %ld\n",
           check, dw, dx, fpt_differ);
    printf("steps_per_s %.4e\n", (double)(groups * G * L) * STEPS / cpu);
    free(res);
    return dw > 1e-9 || dx > 1e-9 || fpt_differ ? 1 : 0;
}

/* ---- weightsde ---------------------------------------------------------------------- */

typedef struct {
    double decay, gain, spread, inv_2s2;
} ou_step;

static ou_step ou_constants(void)
{
    ou_step c = {exp(-WH), -expm1(-WH), sqrt(WT * -expm1(-2 * WH)), 0};
    c.inv_2s2 = 1 / (2 * c.spread * c.spread);
    return c;
}

/* V(w) = w^2/2 + 2 tanh(w) and the learning force -2 sech^2(w), from e = e^{-2|w|}. */
static inline void ws_potential_lanes(vd w, vd *v, vd *f)
{
    vd mag = blend(w < 0, -w, w), e = vexp(-2.0 * mag), d = 1.0 + e, th = (1.0 - e) / d;
    *v = 0.5 * (w * w) + 2.0 * blend(w < 0, -th, th);
    *f = -2.0 * (4.0 * e / (d * d));
}

static double initial_w(uint64_t traj)
{
    philox4x32_key_t key = {{SEED, 0}};
    philox4x32_ctr_t c = {{0, (uint32_t)traj, 0, P_INIT << 8}};
    philox4x32_ctr_t r = philox4x32(c, key);
    return sqrt(WT) * sqrt(-2 * log(uniform(r.v[0], r.v[1]))) * cos(6.283185307179586 * uniform(r.v[2], r.v[3]));
}

static void ws_group(uint64_t first, const ou_step *c, result *out)
{
    vd w[G], v[G], f[G];
    vq lane[G];
    for (int g = 0; g < G; g++) {
        for (int l = 0; l < L; l++) lane[g][l] = first + (uint64_t)(g * L + l), w[g][l] = initial_w(lane[g][l]);
        ws_potential_lanes(w[g], &v[g], &f[g]);
    }
    for (long k = 0; k < WSTEPS; k += 2) {
        vq wz[G][4], wa[G][4];
        vd z[G][2];
        for (int g = 0; g < G; g++) {
            philox_lanes((uint32_t)(k / 2), lane[g], P_DYN << 8, wz[g]);
            philox_lanes((uint32_t)(k / 2), lane[g], WP_ACCEPT << 8, wa[g]);
            gauss_lanes(wz[g], &z[g][0], &z[g][1]);
        }
        for (int half = 0; half < 2; half++)
            for (int g = 0; g < G; g++) {
                vd mean = w[g] * c->decay + f[g] * c->gain, y = mean + c->spread * z[g][half], vy, fy;
                ws_potential_lanes(y, &vy, &fy);
                vd fwd = y - mean, back = w[g] - (y * c->decay + fy * c->gain);
                vd log_alpha = -(vy - v[g]) * (1 / WT) - (back * back - fwd * fwd) * c->inv_2s2;
                vl acc = u53(wa[g][2 * half], wa[g][2 * half + 1]) < vexp(blend(log_alpha < 0, log_alpha, (vd){0}));
                w[g] = blend(acc, y, w[g]), v[g] = blend(acc, vy, v[g]), f[g] = blend(acc, fy, f[g]);
            }
    }
    for (int g = 0; g < G; g++)
        for (int l = 0; l < L; l++) out[g * L + l] = (result){0, w[g][l], 0};
}

static void ws_scalar_potential(double w, double *v, double *f)
{
    double c = cosh(w);
    *v = 0.5 * w * w + 2 * tanh(w), *f = -2 / (c * c);
}

static result ws_scalar(uint64_t traj, const ou_step *c)
{
    philox4x32_key_t key = {{SEED, 0}};
    double w = initial_w(traj), v, f;
    ws_scalar_potential(w, &v, &f);
    philox4x32_ctr_t wz = {{0}}, wa = {{0}};
    for (long k = 0; k < WSTEPS; k++) {
        int half = (int)(k & 1);
        if (!half) {
            uint32_t b = (uint32_t)(k / 2);
            philox4x32_ctr_t cz = {{b, (uint32_t)traj, 0, P_DYN << 8}}, ca = {{b, (uint32_t)traj, 0, WP_ACCEPT << 8}};
            wz = philox4x32(cz, key), wa = philox4x32(ca, key);
        }
        double u1 = uniform(wz.v[0], wz.v[1]), u2 = uniform(wz.v[2], wz.v[3]), rad = sqrt(-2 * log(u1));
        double z = half ? rad * sin(6.283185307179586 * u2) : rad * cos(6.283185307179586 * u2);
        double mean = w * c->decay + f * c->gain, y = mean + c->spread * z, vy, fy;
        ws_scalar_potential(y, &vy, &fy);
        double fwd = y - mean, back = w - (y * c->decay + fy * c->gain);
        double log_alpha = -(vy - v) / WT - (back * back - fwd * fwd) * c->inv_2s2;
        if (log(uniform(wa.v[2 * half], wa.v[2 * half + 1])) < log_alpha) w = y, v = vy, f = fy;
    }
    return (result){0, w, 0};
}

static int weightsde_main(long traj, long check)
{
    const ou_step c = ou_constants();
    const long groups = (traj + G * L - 1) / (G * L);
    result *res = malloc((size_t)(groups * G * L) * sizeof *res);
    clock_t t0 = clock();
    for (long b = 0; b < groups; b++) ws_group((uint64_t)(b * G * L), &c, res + b * G * L);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    double s1 = 0, s2 = 0, s4 = 0;
    for (long t = 0; t < traj; t++) {
        double w2 = res[t].x * res[t].x;
        s1 += res[t].x, s2 += w2, s4 += w2 * w2;
    }
    double m1 = s1 / traj, m2 = s2 / traj, se1 = sqrt(fmax(m2 - m1 * m1, 0) / (traj - 1)),
           se2 = sqrt(fmax(s4 / traj - m2 * m2, 0) / (traj - 1));
    double dx = 0;
    for (long t = 0; t < check && t < traj; t++) dx = fmax(dx, fabs(ws_scalar((uint64_t)t, &c).x - res[t].x));
    printf("weightsde_limit: traj %ld (%d lanes x %d groups), %d steps: cpu_s %.3f checksum %.6f\n", traj, L, G, WSTEPS,
           cpu, s1);
    printf("check: <w> = %.5f +- %.5f (stationary %.5f, %.2f standard errors), <w^2> = %.5f +- %.5f (%.5f, %.2f)\n", m1,
           se1, W_MEAN, (m1 - W_MEAN) / se1, m2, se2, W_SQUARE, (m2 - W_SQUARE) / se2);
    printf("scalar reference (%ld trajectories): max |dw| %.3g\n", check, dx);
    printf("steps_per_s %.4e\n", (double)(groups * G * L) * WSTEPS / cpu);
    free(res);
    return dx > 1e-9 ? 1 : 0;
}

/* ---- observed -------------------------------------------------------------------------- */

/* the bench point: Fig. 7, Gamma = 10, Bayes filter, the current of eq. 31 */
static const double OMU = 0.5, ONU = 0.5, OKAPPA = 40, OGAMMA_RATE = 10, ORESP = 20, OH = 1e-4, OMMSE = 0.39526;
enum { OSTEPS = 50000, OFIRST = 10000, OBINS = 50, OP_CHAIN = 16, ONSUM = 9 };

typedef struct {
    double sqrt_h, kappa_h, sqrt_gamma, two_k_g, pinf, rho, beta, sperp, decay, drive, cgain, p_up, p_down;
} ob_const;

static ob_const ob_constants(void)
{
    double lambda = OMU + ONU, gamma = 2 * OKAPPA * OKAPPA / OGAMMA_RATE, a = ORESP; /* eq. 31: a = r */
    double var_j = -expm1(-2 * a * OH) / (2 * a), cov = -expm1(-a * OH) / a;
    return (ob_const){sqrt(OH), OKAPPA * OH, sqrt(gamma), 2 * OKAPPA / gamma, OMU / lambda, exp(-lambda * OH),
                      cov / OH, sqrt(fmax(0.0, var_j - cov * cov / OH)), exp(-a * OH), ORESP * OKAPPA * cov,
                      ORESP * sqrt(gamma), OMU / lambda * -expm1(-lambda * OH), ONU / lambda * -expm1(-lambda * OH)};
}

static inline vd vlog(vd x) /* positive normal x: fdlibm's polynomial, as the engine's */
{
    vl bits = as_vl(x), e = ((bits >> 52) & 0x7ff) - 1023;
    vl mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL, big = mb > 0x3ff6a09e667f3bcdLL;
    mb -= big & (1LL << 52), e -= big;
    vd m = as_vd(mb), ed = as_vd(e + 0x4338000000000000LL) - 0x1.8p52;
    vd s = (m - 1.0) / (m + 1.0), z = s * s;
    vd r = z * (6.666666666666735130e-01 +
                z * (3.999999999940941908e-01 +
                     z * (2.857142874366239149e-01 +
                          z * (2.222219843214978396e-01 +
                               z * (1.818357216161805012e-01 + z * (1.531383769920937332e-01 + z * 1.479819860511658591e-01))))));
    return ed * 6.93147180369123816490e-01 + (ed * 1.90821492927058770002e-10 + (2.0 * s + s * r));
}

typedef struct {
    double sum[ONSUM], jumps;
} ob_result;

static int initial_n(uint64_t traj)
{
    philox4x32_key_t key = {{SEED, 0}};
    philox4x32_ctr_t c = {{0, (uint32_t)traj, 0, P_INIT << 8}};
    philox4x32_ctr_t r = philox4x32(c, key);
    return uniform(r.v[0], r.v[1]) < OMU / (OMU + ONU) ? 1 : -1;
}

/* Lanes first .. first + G L - 1 in registers: record, Bayes filter, current,
 * the nine time sums, the occupation of n_c (one scalar increment per lane
 * and counted step, as the engine), and the chain. */
static void ob_group(uint64_t first, const ob_const *c, ob_result *out, double *occ)
{
    vd n[G], nc[G], io[G], sum[G][ONSUM], jumps[G];
    vq lane[G];
    for (int g = 0; g < G; g++) {
        for (int l = 0; l < L; l++) lane[g][l] = first + (uint64_t)(g * L + l), n[g][l] = initial_n(lane[g][l]);
        nc[g] = (vd){0} + (OMU - ONU) / (OMU + ONU), io[g] = (vd){0}, jumps[g] = (vd){0};
        for (int o = 0; o < ONSUM; o++) sum[g][o] = (vd){0};
    }
    vq wc[G][4];
    for (long k = 0; k < OSTEPS; k++) {
        int half = (int)(k & 1);
        for (int g = 0; g < G; g++) {
            vq wz[4];
            vd g1, g2;
            philox_lanes((uint32_t)k, lane[g], P_DYN << 8, wz);
            if (!half) philox_lanes((uint32_t)(k / 2), lane[g], OP_CHAIN << 8, wc[g]);
            gauss_lanes(wz, &g1, &g2);
            vd dw = c->sqrt_h * g1, j = c->beta * dw + c->sperp * g2, dy = c->kappa_h * n[g] + c->sqrt_gamma * dw;
            vd ratio = (1.0 + nc[g]) / (1.0 - nc[g]);
            ratio = blend(ratio < 1e-300, (vd){0} + 1e-300, blend(ratio > 1e300, (vd){0} + 1e300, ratio));
            vd logit = vlog(ratio) + c->two_k_g * dy, e = vexp(blend(logit < 0, logit, -logit)), d = 1.0 + e;
            vd post = blend(logit >= 0, 1.0 / d, e / d), est = 2.0 * post - 1.0;
            io[g] = c->decay * io[g] + c->drive * n[g] + c->cgain * j;
            if (k >= OFIRST) {
                vd err = n[g] - est;
                sum[g][0] += err * err, sum[g][1] += 1.0 - est * est, sum[g][2] += err * est, sum[g][3] += est;
                sum[g][4] += n[g], sum[g][5] += io[g], sum[g][6] += io[g] * io[g], sum[g][7] += dy * (1 / OH);
                sum[g][8] += dy * dy * (1 / OH);
                for (int l = 0; l < L; l++) {
                    int b = (int)((est[l] + 1) * 0.5 * OBINS);
                    occ[(size_t)(g * L + l) * OBINS + (b < OBINS ? b : OBINS - 1)] += 1;
                }
            }
            nc[g] = 2.0 * (c->pinf + (post - c->pinf) * c->rho) - 1.0;
            vl flip = u53(wc[g][2 * half], wc[g][2 * half + 1]) < blend(n[g] > 0, (vd){0} + c->p_down, (vd){0} + c->p_up);
            n[g] = blend(flip, -n[g], n[g]);
            jumps[g] += blend(flip, (vd){0} + 1.0, (vd){0});
        }
    }
    for (int g = 0; g < G; g++)
        for (int l = 0; l < L; l++) {
            for (int o = 0; o < ONSUM; o++) out[g * L + l].sum[o] = sum[g][o][l] / (OSTEPS - OFIRST);
            out[g * L + l].jumps = jumps[g][l];
        }
}

/* The scalar reference: Random123's philox4x32, libm, the filter's log-odds as log(pi) - log1p(-pi). */
static ob_result ob_scalar(uint64_t traj, const ob_const *c)
{
    philox4x32_key_t key = {{SEED, 0}};
    double n = initial_n(traj), nc = (OMU - ONU) / (OMU + ONU), io = 0;
    ob_result r = {{0}, 0};
    philox4x32_ctr_t wc = {{0}};
    for (long k = 0; k < OSTEPS; k++) {
        int half = (int)(k & 1);
        philox4x32_ctr_t cz = {{(uint32_t)k, (uint32_t)traj, 0, P_DYN << 8}}, cc = {{(uint32_t)(k / 2), (uint32_t)traj, 0, OP_CHAIN << 8}};
        philox4x32_ctr_t wz = philox4x32(cz, key);
        if (!half) wc = philox4x32(cc, key);
        double u1 = uniform(wz.v[0], wz.v[1]), u2 = uniform(wz.v[2], wz.v[3]), rad = sqrt(-2 * log(u1));
        double g1 = rad * cos(6.283185307179586 * u2), g2 = rad * sin(6.283185307179586 * u2);
        double dw = c->sqrt_h * g1, j = c->beta * dw + c->sperp * g2, dy = c->kappa_h * n + c->sqrt_gamma * dw;
        double pi = 0.5 * (1 + nc), logit = log(pi) - log1p(-pi) + c->two_k_g * dy;
        double post = logit >= 0 ? 1 / (1 + exp(-logit)) : exp(logit) / (1 + exp(logit)), est = 2 * post - 1;
        io = c->decay * io + c->drive * n + c->cgain * j;
        if (k >= OFIRST) {
            double err = n - est;
            r.sum[0] += err * err, r.sum[1] += 1 - est * est, r.sum[2] += err * est, r.sum[3] += est, r.sum[4] += n;
            r.sum[5] += io, r.sum[6] += io * io, r.sum[7] += dy / OH, r.sum[8] += dy * dy / OH;
        }
        nc = 2 * (c->pinf + (post - c->pinf) * c->rho) - 1;
        if (uniform(wc.v[2 * half], wc.v[2 * half + 1]) < (n > 0 ? c->p_down : c->p_up)) n = -n, r.jumps += 1;
    }
    for (int o = 0; o < ONSUM; o++) r.sum[o] /= OSTEPS - OFIRST;
    return r;
}

static int observed_main(long traj, long check)
{
    const ob_const c = ob_constants();
    const long groups = (traj + G * L - 1) / (G * L);
    ob_result *res = malloc((size_t)(groups * G * L) * sizeof *res);
    double *occ = calloc((size_t)(groups * G * L) * OBINS, sizeof *occ);
    clock_t t0 = clock();
    for (long b = 0; b < groups; b++) ob_group((uint64_t)(b * G * L), &c, res + b * G * L, occ + (size_t)(b * G * L) * OBINS);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    double s1 = 0, s2 = 0, c1 = 0, c2 = 0;
    for (long t = 0; t < traj; t++) {
        double m = res[t].sum[0], k = res[t].sum[2];
        s1 += m, s2 += m * m, c1 += k, c2 += k * k;
    }
    double m1 = s1 / traj, se1 = sqrt(fmax(s2 / traj - m1 * m1, 0) / (traj - 1));
    double k1 = c1 / traj, sek = sqrt(fmax(c2 / traj - k1 * k1, 0) / (traj - 1));
    double dmax = 0;
    long jumps_differ = 0;
    for (long t = 0; t < check && t < traj; t++) {
        ob_result r = ob_scalar((uint64_t)t, &c);
        for (int o = 0; o < ONSUM; o++) dmax = fmax(dmax, fabs(r.sum[o] - res[t].sum[o]));
        jumps_differ += r.jumps != res[t].jumps;
    }
    printf("observed_limit: traj %ld (%d lanes x %d groups), %d steps: cpu_s %.3f checksum %.6f\n", traj, L, G, OSTEPS,
           cpu, s1);
    printf("check: MSE %.5f +- %.5f (Wonham MMSE %.5f, continuum), calibration <(n - n_c) n_c> %.5f +- %.5f (0: %.2f "
           "standard errors)\n", m1, se1, OMMSE, k1, sek, k1 / sek);
    printf("scalar reference (%ld trajectories): max |d average| %.3g, jump counts differing %ld\n", check, dmax,
           jumps_differ);
    printf("steps_per_s %.4e\n", (double)(groups * G * L) * OSTEPS / cpu);
    free(res), free(occ);
    return dmax > 1e-9 || jumps_differ ? 1 : 0;
}

/* ---- weightsde, feedback = filtered (the full loop of eq. 84) ------------------------------- */

/* the bench point of `thermolearn bench weightsde --filtered`: Fig. 20's weight (L = 2, a = w), the
 * switch gamma_s = 10 measured at Gamma = 10, h = 2e-3, time 10 */
static const double FGS = 10, FGAMMA = 10, FH = 2e-3;
enum { FSTEPS = 5000 };

typedef struct {
    double decay, gain, spread, rho, flip_scale, record_noise;
} wf_const;

static wf_const wf_constants(void)
{
    return (wf_const){exp(-FH), -expm1(-FH), sqrt(WT * -expm1(-2 * FH)), exp(-FGS * FH), -expm1(-FGS * FH),
                      sqrt(2 * FGAMMA * FH)};
}

typedef struct {
    double w, work, jumps, calibration; /* calibration: time average of (n - n_c) n_c, mean 0 */
} wf_result;

static inline vd vtanh(vd a)
{
    vd e = vexp(-2.0 * blend(a < 0, -a, a)), th = (1.0 - e) / (1.0 + e);
    return blend(a < 0, -th, th);
}

/* n(0) from the engine's INITIAL cursor: its third and fourth draws (block 1, words 0-1), after w(0). */
static double initial_switch(uint64_t traj, double w)
{
    philox4x32_key_t key = {{SEED, 0}};
    philox4x32_ctr_t c = {{1, (uint32_t)traj, 0, P_INIT << 8}};
    philox4x32_ctr_t r = philox4x32(c, key);
    return uniform(r.v[0], r.v[1]) < 0.5 * (1 + tanh(w)) ? 1.0 : -1.0;
}

/* Lanes first .. first + G L - 1 in registers: the weight, the feedback's work, the record and the
 * Bayes filter, the switch. */
static void wf_group(uint64_t first, const wf_const *c, wf_result *out)
{
    vd w[G], n[G], nc[G], th[G], work[G], jumps[G], cal[G];
    vq lane[G], wa[G][4];
    for (int g = 0; g < G; g++) {
        for (int l = 0; l < L; l++) {
            lane[g][l] = first + (uint64_t)(g * L + l), w[g][l] = initial_w(lane[g][l]);
            n[g][l] = initial_switch(lane[g][l], w[g][l]), th[g][l] = tanh(w[g][l]);
        }
        nc[g] = th[g], work[g] = jumps[g] = cal[g] = (vd){0};
    }
    for (long k = 0; k < FSTEPS; k++) {
        int half = (int)(k & 1);
        for (int g = 0; g < G; g++) {
            vq wz[4];
            vd z0, z1;
            philox_lanes((uint32_t)k, lane[g], P_DYN << 8, wz);
            if (!half) philox_lanes((uint32_t)(k / 2), lane[g], WP_ACCEPT << 8, wa[g]);
            gauss_lanes(wz, &z0, &z1);
            vd pinf = 0.5 * (1.0 + th[g]), nc2 = nc[g] * nc[g];
            cal[g] += (n[g] - nc[g]) * nc[g];
            vd y = w[g] * c->decay + (-2.0 * (1.0 - nc2)) * c->gain + c->spread * z0, tm = vtanh(0.5 * (w[g] + y));
            work[g] += 2.0 * (nc2 - tm * tm) * (y - w[g]);
            vd ratio = (1.0 + nc[g]) / (1.0 - nc[g]);
            ratio = blend(ratio < 1e-300, (vd){0} + 1e-300, blend(ratio > 1e300, (vd){0} + 1e300, ratio));
            vd logit = vlog(ratio) + (FGAMMA * FH) * n[g] + c->record_noise * z1;
            vd e = vexp(blend(logit < 0, logit, -logit)), post = blend(logit >= 0, (vd){0} + 1.0, e) / (1.0 + e);
            nc[g] = 2.0 * (pinf + (post - pinf) * c->rho) - 1.0;
            vl flip = u53(wa[g][2 * half], wa[g][2 * half + 1]) < blend(n[g] > 0, 1.0 - pinf, pinf) * c->flip_scale;
            n[g] = blend(flip, -n[g], n[g]);
            jumps[g] += blend(flip, (vd){0} + 1.0, (vd){0});
            w[g] = y, th[g] = vtanh(y);
        }
    }
    for (int g = 0; g < G; g++)
        for (int l = 0; l < L; l++)
            out[g * L + l] = (wf_result){w[g][l], work[g][l], jumps[g][l], cal[g][l] / FSTEPS};
}

/* The scalar reference: Random123's philox4x32, libm's tanh, log, exp. */
static wf_result wf_scalar(uint64_t traj, const wf_const *c)
{
    philox4x32_key_t key = {{SEED, 0}};
    double w = initial_w(traj), n = initial_switch(traj, w), th = tanh(w), nc = th;
    wf_result r = {0, 0, 0, 0};
    philox4x32_ctr_t wa = {{0}};
    for (long k = 0; k < FSTEPS; k++) {
        int half = (int)(k & 1);
        philox4x32_ctr_t cz = {{(uint32_t)k, (uint32_t)traj, 0, P_DYN << 8}};
        philox4x32_ctr_t ca = {{(uint32_t)(k / 2), (uint32_t)traj, 0, WP_ACCEPT << 8}};
        philox4x32_ctr_t wz = philox4x32(cz, key);
        if (!half) wa = philox4x32(ca, key);
        double u1 = uniform(wz.v[0], wz.v[1]), u2 = uniform(wz.v[2], wz.v[3]), rad = sqrt(-2 * log(u1));
        double z0 = rad * cos(6.283185307179586 * u2), z1 = rad * sin(6.283185307179586 * u2);
        double pinf = 0.5 * (1 + th);
        r.calibration += (n - nc) * nc;
        double y = w * c->decay - 2 * (1 - nc * nc) * c->gain + c->spread * z0, tm = tanh(0.5 * (w + y));
        r.work += 2 * (nc * nc - tm * tm) * (y - w);
        double logit = log((1 + nc) / (1 - nc)) + FGAMMA * FH * n + c->record_noise * z1;
        double post = logit >= 0 ? 1 / (1 + exp(-logit)) : exp(logit) / (1 + exp(logit));
        nc = 2 * (pinf + (post - pinf) * c->rho) - 1;
        if (uniform(wa.v[2 * half], wa.v[2 * half + 1]) < (n > 0 ? 1 - pinf : pinf) * c->flip_scale) n = -n, r.jumps += 1;
        w = y, th = tanh(w);
    }
    r.w = w, r.calibration /= FSTEPS;
    return r;
}

static int filtered_main(long traj, long check)
{
    const wf_const c = wf_constants();
    const long groups = (traj + G * L - 1) / (G * L);
    wf_result *res = malloc((size_t)(groups * G * L) * sizeof *res);
    clock_t t0 = clock();
    for (long b = 0; b < groups; b++) wf_group((uint64_t)(b * G * L), &c, res + b * G * L);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    double s1 = 0, k1 = 0, k2 = 0;
    for (long t = 0; t < traj; t++) s1 += res[t].w, k1 += res[t].calibration, k2 += res[t].calibration * res[t].calibration;
    double km = k1 / traj, kse = sqrt(fmax(k2 / traj - km * km, 0) / (traj - 1));
    double dmax = 0;
    long jumps_differ = 0;
    for (long t = 0; t < check && t < traj; t++) {
        wf_result r = wf_scalar((uint64_t)t, &c);
        dmax = fmax(dmax, fmax(fabs(r.w - res[t].w), fabs(r.work - res[t].work)));
        jumps_differ += r.jumps != res[t].jumps;
    }
    printf("filtered_limit: traj %ld (%d lanes x %d groups), %d steps: cpu_s %.3f checksum %.6f\n", traj, L, G, FSTEPS,
           cpu, s1);
    printf("check: the filter's calibration <(n - n_c) n_c> = %.5f +- %.5f (0: %.2f standard errors)\n", km, kse,
           km / kse);
    printf("scalar reference (%ld trajectories): max |dw|, |dW| %.3g, jump counts differing %ld\n", check, dmax,
           jumps_differ);
    printf("steps_per_s %.4e\n", (double)(groups * G * L) * FSTEPS / cpu);
    free(res);
    return dmax > 1e-9 || jumps_differ || fabs(km) > 4 * kse ? 1 : 0;
}

/* ---- twostate ------------------------------------------------------------------------- */

/* the bench point: the sigmoid swap mu = 1, nu = 10, t0 = 5, width 0.5, time 10, thermal levels, T = 1 */
static const double SMU = 1, SNU = 10, ST0 = 5, SWIDTH = 0.5, STIME = 10, STEMP = 1;

static inline void ts_rates_lanes(vd t, vd *mu, vd *nu, vd *level)
{
    vd f = 1.0 / (1.0 + vexp(-(t - ST0) * (1 / SWIDTH)));
    *mu = SMU + f * (SNU - SMU), *nu = SNU - f * (SNU - SMU);
    *level = 0.5 * STEMP * vlog(*nu / *mu);
}

static void ts_rates_scalar(double t, double *mu, double *nu, double *level)
{
    double f = 1 / (1 + exp(-(t - ST0) / SWIDTH));
    *mu = SMU + f * (SNU - SMU), *nu = SNU - f * (SNU - SMU), *level = 0.5 * STEMP * log(*nu / *mu);
}

static int ts_initial(uint64_t traj)
{
    double mu, nu, level;
    ts_rates_scalar(0, &mu, &nu, &level);
    philox4x32_key_t key = {{SEED, 0}};
    philox4x32_ctr_t c = {{0, (uint32_t)traj, 0, P_INIT << 8}};
    philox4x32_ctr_t r = philox4x32(c, key);
    return uniform(r.v[0], r.v[1]) < mu / (mu + nu) ? 1 : -1;
}

/* Lanes first .. first + G L - 1, each on its own candidates, until the last passes STIME. */
static void ts_group(uint64_t first, result *out, long *events_out)
{
    const double bound = SMU + SNU;
    double mu0, nu0, level0;
    ts_rates_scalar(0, &mu0, &nu0, &level0);
    vd t[G], n[G], work[G], last[G], events[G];
    vl alive[G];
    vq lane[G];
    for (int g = 0; g < G; g++) {
        for (int l = 0; l < L; l++) lane[g][l] = first + (uint64_t)(g * L + l), n[g][l] = ts_initial(lane[g][l]);
        t[g] = (vd){0}, work[g] = (vd){0}, last[g] = (vd){0} + level0, events[g] = (vd){0}, alive[g] = (vl){0} - 1;
    }
    for (uint32_t j = 0;; j++) {
        vl any = (vl){0};
        for (int g = 0; g < G; g++) any |= alive[g];
        int go = 0;
        for (int l = 0; l < L; l++) go |= any[l] != 0;
        if (!go) break;
        for (int g = 0; g < G; g++) {
            vq w[4];
            philox_lanes(j, lane[g], P_DYN << 8, w);
            t[g] -= vlog(u53(w[0], w[1])) * (1 / bound);
            alive[g] &= t[g] < STIME;
            vd mu, nu, level, u = u53(w[2], w[3]) * bound;
            ts_rates_lanes(t[g], &mu, &nu, &level);
            vl up = u < mu, event = alive[g] & (up | (u < mu + nu));
            vd to = blend(up, (vd){0} + 1.0, (vd){0} - 1.0);
            vl real = event & (to != n[g]);
            work[g] += blend(real, n[g] * (level - last[g]), (vd){0});
            events[g] += blend(event, (vd){0} + 1.0, (vd){0});
            last[g] = blend(real, level, last[g]);
            n[g] = blend(real, to, n[g]);
        }
    }
    double mu, nu, level_end;
    ts_rates_scalar(STIME, &mu, &nu, &level_end);
    for (int g = 0; g < G; g++)
        for (int l = 0; l < L; l++) {
            out[g * L + l] = (result){work[g][l] + n[g][l] * (level_end - last[g][l]), n[g][l], 0};
            *events_out += (long)events[g][l];
        }
}

static result ts_scalar(uint64_t traj, long *events)
{
    philox4x32_key_t key = {{SEED, 0}};
    double mu, nu, last, n = ts_initial(traj), t = 0, work = 0, bound = SMU + SNU;
    ts_rates_scalar(0, &mu, &nu, &last);
    for (uint32_t j = 0;; j++) {
        philox4x32_ctr_t c = {{j, (uint32_t)traj, 0, P_DYN << 8}};
        philox4x32_ctr_t w = philox4x32(c, key);
        t -= log(uniform(w.v[0], w.v[1])) / bound;
        if (t >= STIME) break;
        double level, u = uniform(w.v[2], w.v[3]) * bound;
        ts_rates_scalar(t, &mu, &nu, &level);
        double to = u < mu ? 1 : u < mu + nu ? -1 : 0;
        if (to == 0) continue;
        ++*events;
        if (to == n) continue;
        work += n * (level - last), last = level, n = to;
    }
    ts_rates_scalar(STIME, &mu, &nu, &t);
    return (result){work + n * (t - last), n, 0};
}

static int twostate_main(long traj, long check)
{
    const long groups = (traj + G * L - 1) / (G * L);
    result *res = malloc((size_t)(groups * G * L) * sizeof *res);
    long events = 0, ref_events = 0, lane_events = 0;
    clock_t t0 = clock();
    for (long b = 0; b < groups; b++) ts_group((uint64_t)(b * G * L), res + b * G * L, &events);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    double sw = 0, se = 0, se2 = 0;
    for (long t = 0; t < traj; t++) {
        double e = exp(-res[t].work / STEMP);
        sw += res[t].work, se += e, se2 += e * e;
    }
    double me = se / traj, sem = sqrt(fmax(se2 / traj - me * me, 0) / (traj - 1)), dw = 0;
    long n_differ = 0;
    for (long t = 0; t < check && t < traj; t++) {
        result r = ts_scalar((uint64_t)t, &ref_events);
        dw = fmax(dw, fabs(r.work - res[t].work)), n_differ += r.x != res[t].x;
    }
    if (check > 0) { /* the events of the same trajectories from the lanes */
        long groups_checked = (check + G * L - 1) / (G * L);
        result *again = malloc((size_t)(groups_checked * G * L) * sizeof *again);
        for (long b = 0; b < groups_checked; b++) {
            long e = 0;
            ts_group((uint64_t)(b * G * L), again + b * G * L, &e);
            if ((b + 1) * G * L <= check) lane_events += e;
        }
        free(again);
        if (check % (G * L)) lane_events = ref_events; /* only whole groups are compared */
    }
    printf("twostate_limit: traj %ld (%d lanes x %d groups): cpu_s %.3f checksum %.6f events %ld\n", traj, L, G, cpu,
           sw, events);
    printf("check: <exp(-W/T)> = %.5f +- %.5f (Jarzynski, dF = 0 by symmetry: %.2f standard errors)\n", me, sem,
           (me - 1) / sem);
    printf("scalar reference (%ld trajectories): max |dW| %.3g, final states differing %ld, events %ld against %ld\n",
           check, dw, n_differ, lane_events, ref_events);
    printf("candidates_per_s %.4e\n", (double)traj * (SMU + SNU) * STIME / cpu);
    free(res);
    return dw > 1e-9 || n_differ || lane_events != ref_events ? 1 : 0;
}

/* ---- clock ------------------------------------------------------------------------------ */

/* the bench point: the escapement clock of Fig. 22 (gamma = 10, chi = 40, kappa = 1, eps = 0,
 * T = 0.125: sigma = 0.25), dt = 2e-4, 128 trajectories of 39062 steps (the engine's bench with
 * its default 5e6 steps), from the engine's point of the deterministic cycle (ck_cycle_find's
 * x0, y0, v0 and the section x*, written out). */
static const double CGAMMA = 10, CKAPPA = 1, CCHI = 40, CT = 0.125, CH = 2e-4, CHYST = 0.5;
static const double CX_FIXED = 2.5514362639230681e-59, CX0 = -2.3804482231556346e-14, CY0 = 8.9152443182659677,
                    CV0 = 0.33202944125341871;
enum { CSTEPS = 39062 };

typedef struct {
    double a, one_a2, noise, c, sn, gamma_t, half_h;
} ck_const;

static ck_const ck_constants(void)
{
    double a = exp(-CKAPPA * CH / 2);
    return (ck_const){a, 1 - a * a, sqrt(CT * (1 - a * a)), cos(CH), sin(CH), CGAMMA * CH / 2, CH / 2};
}

typedef struct {
    double work, heat, predicted, x, y, count, last_hit;
} ck_result;

/* Lanes first .. first + G L - 1 in registers: the engine's step (relaxation by one e^x and a
 * division, O, B, A, B, O, relaxation), the window's sums and the passage test through x*. */
static void ck_group(uint64_t first, const ck_const *c, ck_result *out)
{
    vd x[G], y[G], v[G], w[G], q[G], qp[G], n[G], hit_last[G], armed[G];
    vq lane[G];
    const vd zero = {0}, one = zero + 1.0;
    for (int g = 0; g < G; g++) {
        for (int l = 0; l < L; l++) lane[g][l] = first + (uint64_t)(g * L + l);
        x[g] = zero + CX0, y[g] = zero + CY0, v[g] = zero + CV0;
        w[g] = q[g] = qp[g] = n[g] = armed[g] = zero, hit_last[g] = zero - 1.0;
    }
    for (long k = 0; k < CSTEPS; k++) {
        const double t = (double)k * CH;
        for (int g = 0; g < G; g++) {
            vq wz[4];
            vd z0, z1;
            philox_lanes((uint32_t)k, lane[g], P_DYN << 8, wz);
            gauss_lanes(wz, &z0, &z1);
            vd xx = x[g], e = vexp(xx), ei = 1.0 / e, target = (ei - e) / (e + ei);
            vd vv = target + (v[g] - target) * vexp(-(c->gamma_t * (e + ei)));
            vd kick = CCHI * vv * c->half_h, yy = y[g], y0 = yy;
            vd dqp = c->one_a2 * (CT - y0 * y0);
            yy = c->a * y0 + c->noise * z0;
            vd dq = yy * yy - y0 * y0, y1 = yy;
            yy = y1 + kick;
            vd dw = yy * yy - y1 * y1;
            vd xn = xx * c->c + yy * c->sn;
            yy = yy * c->c - xx * c->sn;
            vd y2 = yy;
            yy = y2 + kick;
            dw += yy * yy - y2 * y2;
            vd y3 = yy;
            dqp += c->one_a2 * (CT - y3 * y3);
            yy = c->a * y3 + c->noise * z1;
            dq += yy * yy - y3 * y3;
            e = vexp(xn), ei = 1.0 / e, target = (ei - e) / (e + ei);
            v[g] = target + (vv - target) * vexp(-(c->gamma_t * (e + ei)));
            w[g] += 0.5 * dw, q[g] += 0.5 * dq, qp[g] += 0.5 * dqp;
            vl cross = (armed[g] != zero) & (xn >= CX_FIXED);
            vd hit = t + CH * (CX_FIXED - xx) / blend(cross, xn - xx, one);
            hit_last[g] = blend(cross, hit, hit_last[g]);
            n[g] += as_vd(cross & as_vl(one));
            armed[g] = blend(xn < CX_FIXED - CHYST, one, armed[g]);
            armed[g] = blend(cross, zero, armed[g]);
            x[g] = xn, y[g] = yy;
        }
    }
    for (int g = 0; g < G; g++)
        for (int l = 0; l < L; l++)
            out[g * L + l] = (ck_result){w[g][l], q[g][l], qp[g][l], x[g][l], y[g][l], n[g][l], hit_last[g][l]};
}

/* The scalar reference: one trajectory, Random123's philox4x32 and libm's tanh, cosh, exp. */
static ck_result ck_scalar(uint64_t traj, const ck_const *c)
{
    philox4x32_key_t key = {{SEED, 0}};
    double x = CX0, y = CY0, v = CV0, w = 0, q = 0, qp = 0, n = 0, hit_last = -1;
    int armed = 0;
    for (long k = 0; k < CSTEPS; k++) {
        philox4x32_ctr_t cz = {{(uint32_t)k, (uint32_t)traj, 0, P_DYN << 8}}, r = philox4x32(cz, key);
        double u1 = uniform(r.v[0], r.v[1]), u2 = uniform(r.v[2], r.v[3]), rad = sqrt(-2 * log(u1));
        double z0 = rad * cos(6.283185307179586 * u2), z1 = rad * sin(6.283185307179586 * u2);
        v = -tanh(x) + (v + tanh(x)) * exp(-2 * CGAMMA * cosh(x) * CH / 2);
        double kick = CCHI * v * CH / 2, y0 = y;
        qp += (1 - c->a * c->a) * (CT - y0 * y0) / 2;
        y = c->a * y0 + c->noise * z0;
        q += (y * y - y0 * y0) / 2;
        double y1 = y;
        y = y1 + kick;
        w += (y * y - y1 * y1) / 2;
        double xn = x * c->c + y * c->sn;
        y = y * c->c - x * c->sn;
        double y2 = y;
        y = y2 + kick;
        w += (y * y - y2 * y2) / 2;
        double y3 = y;
        qp += (1 - c->a * c->a) * (CT - y3 * y3) / 2;
        y = c->a * y3 + c->noise * z1;
        q += (y * y - y3 * y3) / 2;
        v = -tanh(xn) + (v + tanh(xn)) * exp(-2 * CGAMMA * cosh(xn) * CH / 2);
        if (armed && xn >= CX_FIXED) {
            hit_last = (double)k * CH + CH * (CX_FIXED - x) / (xn - x), n++, armed = 0;
        } else if (xn < CX_FIXED - CHYST) armed = 1;
        x = xn;
    }
    return (ck_result){w, q, qp, x, y, n, hit_last};
}

static int clock_main(long traj, long check)
{
    const ck_const c = ck_constants();
    const long groups = (traj + G * L - 1) / (G * L);
    ck_result *res = malloc((size_t)(groups * G * L) * sizeof *res);
    clock_t t0 = clock();
    for (long b = 0; b < groups; b++) ck_group((uint64_t)(b * G * L), &c, res + b * G * L);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* physics: heat - predicted heat is a martingale (mean 0); W + Q = Delta E on every trajectory */
    double s1 = 0, s2 = 0, checksum = 0, law = 0, e0 = (CX0 * CX0 + CY0 * CY0) / 2, passages = 0;
    for (long t = 0; t < traj; t++) {
        double d = res[t].heat - res[t].predicted, de = (res[t].x * res[t].x + res[t].y * res[t].y) / 2 - e0;
        s1 += d, s2 += d * d, checksum += res[t].work + res[t].heat, passages += res[t].count;
        law = fmax(law, fabs(res[t].work + res[t].heat - de) / (1 + fabs(de)));
    }
    double m = s1 / traj, se = sqrt(fmax(s2 / traj - m * m, 0) / (traj - 1));
    double dw = 0;
    long n_differ = 0;
    for (long t = 0; t < check && t < traj; t++) {
        ck_result r = ck_scalar((uint64_t)t, &c);
        dw = fmax(dw, fabs(r.work - res[t].work) / (1 + fabs(r.work)));
        dw = fmax(dw, fabs(r.heat - res[t].heat) / (1 + fabs(r.heat)));
        dw = fmax(dw, fabs(r.last_hit - res[t].last_hit));
        n_differ += r.count != res[t].count;
    }
    printf("clock_limit: traj %ld (%d lanes x %d groups), %d steps: cpu_s %.3f checksum %.6f passages %.0f\n", traj, L,
           G, CSTEPS, cpu, checksum, passages);
    printf("check: <Q - Q_predicted> = %.5f +- %.5f (0, %.2f standard errors); max |W + Q - dE|/(1 + |dE|) %.2g\n", m,
           se, m / se, law);
    printf("scalar reference (%ld trajectories): max relative |dW|, |dQ|, |d t_hit| %.3g, passage counts differing %ld\n",
           check, dw, n_differ);
    printf("steps_per_s %.4e\n", (double)(groups * G * L) * CSTEPS / cpu);
    free(res);
    return dw > 1e-9 || n_differ || fabs(m) > 4 * se || law > 1e-9 ? 1 : 0;
}

/* ---- gate ------------------------------------------------------------------------------- */

/* the bench point: NOT, Fig. 15, beta = 1, M = 200, eta = 1, (w0, b0) = (0.01, 1), 250 epochs,
 * work_state = fresh.  Uniform i of a trajectory: words 2(i % 2), 2(i % 2) + 1 of block i / 2 of
 * DYNAMICS; epoch e draws blocks 2e - 2 and 2e - 1: the input (epoch 1: the first pair of block
 * 2e - 2, later the second pair of the block before), the extra equilibration (first pair), the
 * count (second pair), the last sample (first pair of 2e - 1). */
static const double GBETA = 1, GETA = 1, GW0 = 0.01, GB0 = 1;
enum { GM = 200, GEPOCHS = 250 };

typedef struct {
    double w, b, work, heat, de, dw1, db1;
} gt_result;

static inline vd gt_pow_lanes(vd q)
{
    vd r = (vd){0} + 1.0;
    for (int n = GM;;) {
        if (n & 1) r = r * q;
        n >>= 1;
        if (!n) return r;
        q = q * q;
    }
}

static inline vd gt_sigmoid_lanes(vd a)
{
    return 1.0 / (1.0 + vexp(-(GBETA * a)));
}

/* Lanes first .. first + G L - 1 in registers; the binomial walks of the G groups interleaved. */
static void gt_group(uint64_t first, const double *fac, gt_result *out)
{
    const vd zero = {0}, one = zero + 1.0, m = zero + (double)GM;
    vd w[G], b[G], n[G], a[G], work[G], heat[G], n0[G], a0[G], carry[G], dw1[G], db1[G];
    vq lane[G];
    for (int g = 0; g < G; g++) {
        for (int l = 0; l < L; l++) lane[g][l] = first + (uint64_t)(g * L + l);
        w[g] = zero + GW0, b[g] = zero + GB0, work[g] = heat[g] = a[g] = n[g] = carry[g] = dw1[g] = db1[g] = zero;
    }
    for (long e = 1; e <= GEPOCHS; e++) {
        vd x[G], p1[G], u[G], last_u[G], pp[G], ratio[G], pmf[G], cdf[G], k[G];
        vl flip[G], live[G];
        for (int g = 0; g < G; g++) {
            vq wa[4], wb[4];
            philox_lanes((uint32_t)(2 * e - 2), lane[g], P_DYN << 8, wa);
            philox_lanes((uint32_t)(2 * e - 1), lane[g], P_DYN << 8, wb);
            vd u_in = e == 1 ? u53(wa[0], wa[1]) : carry[g];
            u[g] = u53(wa[2], wa[3]), last_u[g] = u53(wb[0], wb[1]), carry[g] = u53(wb[2], wb[3]);
            x[g] = blend(u_in * 2.0 >= 1.0, one, -one);
            vd an = w[g] * x[g] + b[g];
            p1[g] = gt_sigmoid_lanes(an);
            if (e == 1) {
                vq wi[4];
                philox_lanes(0, lane[g], P_INIT << 8, wi);
                n[g] = n0[g] = blend(u53(wi[0], wi[1]) < p1[g], one, -one), a0[g] = an;
            } else {
                vd fresh = blend(u53(wa[0], wa[1]) < gt_sigmoid_lanes(a[g]), one, -one);
                heat[g] += (n[g] - fresh) * a[g] * 0.5; /* E_fresh(A) - E_n(A), E_n(A) = -n A/2 */
                n[g] = fresh;
                work[g] += -n[g] * (an - a[g]) * 0.5;
            }
            a[g] = an;
            flip[g] = p1[g] > 0.5;
            pp[g] = blend(flip[g], 1.0 - p1[g], p1[g]);
            vd q = 1.0 - pp[g];
            ratio[g] = pp[g] / q, pmf[g] = gt_pow_lanes(q), cdf[g] = pmf[g], k[g] = zero;
            live[g] = u[g] > cdf[g];
        }
        for (long j = 0;; j++) {
            vl any = (vl){0};
            for (int g = 0; g < G; g++) any |= live[g];
            int go = 0;
            for (int l = 0; l < L; l++) go |= any[l] != 0;
            if (!go) break;
            for (int g = 0; g < G; g++) {
                vd next = pmf[g] * (fac[j] * ratio[g]);
                pmf[g] = blend(live[g], next, pmf[g]);
                cdf[g] = blend(live[g], cdf[g] + next, cdf[g]);
                k[g] = blend(live[g], k[g] + 1.0, k[g]);
                live[g] = (u[g] > cdf[g]) & (k[g] < m);
            }
        }
        for (int g = 0; g < G; g++) {
            vd kk = blend(flip[g], m - k[g], k[g]);
            vd last = blend(last_u[g] * m < kk, one, -one);
            heat[g] += (n[g] - last) * a[g] * 0.5;
            n[g] = last;
            vd nbar = 2.0 * kk / m - 1.0, label = -x[g];
            vd c = GETA * GBETA * 0.25 * label * (1.0 - nbar * nbar);
            w[g] += c * x[g], b[g] += c;
            if (e == 1) dw1[g] = w[g] - GW0, db1[g] = b[g] - GB0;
        }
    }
    for (int g = 0; g < G; g++)
        for (int l = 0; l < L; l++)
            out[g * L + l] = (gt_result){w[g][l], b[g][l], work[g][l], heat[g][l],
                                         -n[g][l] * a[g][l] / 2 + n0[g][l] * a0[g][l] / 2, dw1[g][l], db1[g][l]};
}

/* The scalar reference: one trajectory, Random123's philox4x32 and libm's exp and pow. */
static double gt_uniform(uint64_t traj, uint32_t purpose, long i)
{
    philox4x32_key_t key = {{SEED, 0}};
    philox4x32_ctr_t c = {{(uint32_t)(i / 2), (uint32_t)traj, 0, purpose << 8}}, r = philox4x32(c, key);
    return uniform(r.v[2 * (i % 2)], r.v[2 * (i % 2) + 1]);
}

static gt_result gt_scalar(uint64_t traj)
{
    double w = GW0, b = GB0, n = 0, a = 0, work = 0, heat = 0, n0 = 0, a0 = 0, dw1 = 0, db1 = 0;
    long i = 0;
    for (long e = 1; e <= GEPOCHS; e++) {
        double x = gt_uniform(traj, P_DYN, i++) * 2 >= 1 ? 1 : -1, an = w * x + b;
        double p1 = 1 / (1 + exp(-GBETA * an));
        if (e == 1) {
            n = n0 = gt_uniform(traj, P_INIT, 0) < p1 ? 1 : -1, a0 = an;
        } else {
            double fresh = gt_uniform(traj, P_DYN, i++) < 1 / (1 + exp(-GBETA * a)) ? 1 : -1;
            heat += (n - fresh) * a / 2, n = fresh;
            work += -n * (an - a) / 2;
        }
        a = an;
        double u = gt_uniform(traj, P_DYN, i++), pp = p1 > 0.5 ? 1 - p1 : p1, q = 1 - pp, ratio = pp / q;
        double pmf = pow(q, GM), cdf = pmf;
        long k = 0;
        while (u > cdf && k < GM) pmf *= (double)(GM - k) / (double)(k + 1) * ratio, cdf += pmf, k++;
        if (p1 > 0.5) k = GM - k;
        double last = gt_uniform(traj, P_DYN, i++) * GM < (double)k ? 1 : -1;
        heat += (n - last) * a / 2, n = last;
        double nbar = 2.0 * k / GM - 1, c = GETA * GBETA / 4 * -x * (1 - nbar * nbar);
        w += c * x, b += c;
        if (e == 1) dw1 = w - GW0, db1 = b - GB0;
    }
    return (gt_result){w, b, work, heat, -n * a / 2 + n0 * a0 / 2, dw1, db1};
}

static int gate_main(long traj, long check)
{
    const long groups = (traj + G * L - 1) / (G * L);
    double fac[GM];
    for (int k = 0; k < GM; k++) fac[k] = (double)(GM - k) / (double)(k + 1);
    gt_result *res = malloc((size_t)(groups * G * L) * sizeof *res);
    clock_t t0 = clock();
    for (long g = 0; g < groups; g++) gt_group((uint64_t)(g * G * L), fac, res + g * G * L);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* physics: W + Q = Delta E per trajectory; the first update against its exact mean (eq. 63 with
     * E[nbar^2] = n^2 + (1 - n^2)/M, n = tanh(beta A/2), the two inputs equally likely) */
    double checksum = 0, law = 0, s1 = 0, s2 = 0, ex = 0;
    for (int xs = -1; xs <= 1; xs += 2) {
        double nn = tanh(GBETA * (GW0 * xs + GB0) / 2);
        ex += 0.5 * GETA * GBETA / 4 * -xs * (1 - nn * nn) * (1 - 1.0 / GM) * xs;
    }
    for (long t = 0; t < traj; t++) {
        checksum += res[t].w + res[t].work;
        law = fmax(law, fabs(res[t].work + res[t].heat - res[t].de) / (1 + fabs(res[t].de)));
        s1 += res[t].dw1, s2 += res[t].dw1 * res[t].dw1;
    }
    double mean = s1 / traj, se = sqrt(fmax(s2 / traj - mean * mean, 0) / (traj - 1));
    double dw = 0;
    long n_differ = 0;
    for (long t = 0; t < check && t < traj; t++) {
        gt_result r = gt_scalar((uint64_t)t);
        dw = fmax(dw, fmax(fabs(r.w - res[t].w), fabs(r.b - res[t].b)));
        dw = fmax(dw, fmax(fabs(r.work - res[t].work), fabs(r.heat - res[t].heat)) / (1 + fabs(r.work)));
        n_differ += r.dw1 != res[t].dw1; /* the first epoch's count and input */
    }
    printf("gate_limit: traj %ld (%d lanes x %d groups), %d epochs, M = %d: cpu_s %.3f checksum %.6f\n", traj, L, G,
           GEPOCHS, GM, cpu, checksum);
    printf("check: first update <dw> = %.6f +- %.6f (exact %.6f, %.2f standard errors); max |W + Q - dE|/(1 + |dE|) %.2g\n",
           mean, se, ex, (mean - ex) / se, law);
    printf("scalar reference (%ld trajectories): max |dw|, |db|, relative |dW|, |dQ| %.3g, first updates differing %ld\n",
           check, dw, n_differ);
    printf("epochs_per_s %.4e\n", (double)(groups * G * L) * GEPOCHS / cpu);
    free(res);
    return dw > 1e-9 || n_differ || fabs(mean - ex) > 4 * se || law > 1e-9 ? 1 : 0;
}

int main(int argc, char **argv)
{
    long traj = 0, check = 64;
    int model = 0; /* doublewell, weightsde, observed, twostate */
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--traj")) traj = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--check")) check = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--model") && !strcmp(argv[i + 1], "doublewell")) model = 0;
        else if (!strcmp(argv[i], "--model") && !strcmp(argv[i + 1], "weightsde")) model = 1;
        else if (!strcmp(argv[i], "--model") && !strcmp(argv[i + 1], "observed")) model = 2;
        else if (!strcmp(argv[i], "--model") && !strcmp(argv[i + 1], "twostate")) model = 3;
        else if (!strcmp(argv[i], "--model") && !strcmp(argv[i + 1], "clock")) model = 4;
        else if (!strcmp(argv[i], "--model") && !strcmp(argv[i + 1], "filtered")) model = 5;
        else if (!strcmp(argv[i], "--model") && !strcmp(argv[i + 1], "gate")) model = 6;
        else return fprintf(stderr, "unknown option %s %s\n", argv[i], argv[i + 1]), 2;
    }
    return model == 1 ? weightsde_main(traj > 0 ? traj : 2048, check)
         : model == 2 ? observed_main(traj > 0 ? traj : 512, check)
         : model == 3 ? twostate_main(traj > 0 ? traj : 200000, check)
         : model == 4 ? clock_main(traj > 0 ? traj : 128, check)
         : model == 5 ? filtered_main(traj > 0 ? traj : 2048, check)
         : model == 6 ? gate_main(traj > 0 ? traj : 20000, check)
                      : doublewell_main(traj > 0 ? traj : 8192, check);
}
