/* spins_limit.c -- how fast can ONE core run the Gillespie jump loop of
 * `thermolearn bench spins --n 40` (2N = 80: two chains of 40, couplings to
 * second neighbours within and across the chains, the MNIST-1D scale)?  A
 * limit kernel, not a peer: the same physics, everything arranged for speed.
 *
 * Build:  gcc -O3 -march=native -Wno-psabi -o build/bench/spins_limit spins_limit.c -lm
 *         (stand-alone: Philox4x32-10 written out; AVX2 or AVX-512)
 * Run:    spins_limit [--traj 64] [--time 5000] [--mode fast|ahead|divide|plain]
 * Prints: jumps_per_s (per second of CPU time), the total of jumps and of the
 *         medium entropy (`make bench` compares them with the engine's: the
 *         same streams give the same trajectories), and two checks (exit 1 if
 *         either fails):
 *         - the kernel against a scalar reference (every rate from its field
 *           by exp at every jump, a linear scan for the pick, libm's log):
 *           the same spin at each of the first 20000 jumps of 4 trajectories,
 *           and the same times to 1e-9;
 *         - without couplings (independent spins, exact): the jump rate
 *           sum_i r0 / cosh(beta x_i) and the time-averaged magnetisations
 *           tanh(beta x_i) (per value of x), within 4 standard errors.
 *
 * Physics (the engine's bench point): s_i = +-1, h_i = x_i + sum_j W_ij s_j,
 * rates k_i = r0 exp(-beta s_i h_i), r0 = 1, beta = 1, x_i = ((7i mod 5) - 2)/2,
 * W from the 14 couplings of bench.c (spins_chain_matrix, k = 2); initial
 * spins from the bits of block 0 of the INITIAL stream, jump n from block n
 * of the DYNAMICS stream (words 0-1: the waiting time, 2-3: the spin), seed 1.
 * Per jump in the window: the area of s_i (magnetisation), and the medium
 * entropy -2 beta s_i h_i of the flip.
 *
 * What is arranged for speed (--mode fast), against the engine's general
 * walker (any n, any W, any bucket):
 * - Philox and -ln u for 8 jumps at once (vectors across blocks), not one
 *   scalar block and one libm log per jump;
 * - the flipped spin's new rate by one division, k_j' = r0^2 / k_j (W_jj = 0),
 *   not an exp (the engine: an exp per jump);
 * - n, the neighbour lists (padded to 10 with a dummy spin) and the buckets a
 *   flip touches (a mask per spin) fixed at compile time: no plan lists.
 * The tree is the engine's (5 buckets of 16 rates, 8 leaves, the same sums in
 * the same order, the same branch-free descent and bucket scan).  --mode
 * plain switches the first two off (the engine's arithmetic), --mode ahead
 * and --mode divide keep one of them, to say what each is worth.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <immintrin.h>

#define CH 40          /* spins per chain */
#define K 2            /* coupling range */
#define N (2 * CH)     /* spins */
#define NB 10          /* neighbour slots per spin (at most 9 used) */
#define BUCKET 16
#define BUCKETS (N / BUCKET)
#define LEAVES 8
#define AHEAD 8        /* jumps drawn at once */
#define RESUM (8 * N)  /* every rate from its field every 8n jumps, as the engine */

typedef uint64_t vq __attribute__((vector_size(64)));
typedef int64_t vl __attribute__((vector_size(64)));
typedef double vd __attribute__((vector_size(64)));

static inline vq mul32(vq a, vq b) /* 32 x 32 -> 64 of the low halves: vpmuludq */
{
#ifdef __AVX512F__
    return (vq)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#else
    __m256i a0, a1, b0, b1;
    memcpy(&a0, &a, 32), memcpy(&a1, (char *)&a + 32, 32), memcpy(&b0, &b, 32), memcpy(&b1, (char *)&b + 32, 32);
    a0 = _mm256_mul_epu32(a0, b0), a1 = _mm256_mul_epu32(a1, b1);
    vq r;
    memcpy(&r, &a0, 32), memcpy((char *)&r + 32, &a1, 32);
    return r;
#endif
}

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u

/* Philox4x32-10 of the counters (block0 + lane, c1, c2, c3), key (k0, k1), 8 lanes. */
static inline void philox8(vq c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, vq x[4])
{
    const vq m0 = (vq){0} + M0, m1 = (vq){0} + M1, lo = (vq){0} + 0xffffffffu;
    vq x0 = c0, x1 = (vq){0} + c1, x2 = (vq){0} + c2, x3 = (vq){0} + c3;
    for (int r = 0; r < 10; r++) {
        vq p0 = mul32(x0, m0), p1 = mul32(x2, m1);
        x0 = (p1 >> 32) ^ x1 ^ (uint32_t)(k0 + r * W0);
        x1 = p1 & lo;
        x2 = (p0 >> 32) ^ x3 ^ (uint32_t)(k1 + r * W1);
        x3 = p0 & lo;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
}

static void philox_scalar(const uint32_t c[4], uint32_t k0, uint32_t k1, uint32_t x[4])
{
    uint32_t x0 = c[0], x1 = c[1], x2 = c[2], x3 = c[3];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)M0 * x0, p1 = (uint64_t)M1 * x2;
        x0 = (uint32_t)(p1 >> 32) ^ x1 ^ (k0 + r * W0);
        x1 = (uint32_t)p1;
        x2 = (uint32_t)(p0 >> 32) ^ x3 ^ (k1 + r * W1);
        x3 = (uint32_t)p0;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
}

static inline double u53(uint32_t hi, uint32_t lo) /* tl_uniform_double */
{
    return ((double)(((uint64_t)hi << 21) ^ (lo >> 11)) + 0.5) * (1.0 / 9007199254740992.0);
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

static inline vd vu53(vq hi, vq lo)
{
    vd h = as_vd((vl)hi | 0x4330000000000000LL) - 0x1p52, l = as_vd((vl)(lo >> 11) | 0x4330000000000000LL) - 0x1p52;
    return ((h * 0x1p21 + l) + 0.5) * 0x1p-53;
}

/* ln u, fdlibm's polynomial (as the engine's Box-Muller), 8 lanes. */
static inline vd vlog(vd u)
{
    vl bits = as_vl(u), e = ((bits >> 52) & 0x7ff) - 1023;
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

/* ---- the system -------------------------------------------------------------------------------- */
static double W[N][N], X[N];
static int nb[N][NB];               /* neighbours i of j (W_ij != 0), padded with the dummy N */
static double nbw[N][NB], nbf[N][NB][2]; /* W_ij, exp(-+2 beta W_ij) (1 for padding) */
static unsigned touch[N];           /* buckets a flip of j changes */
static const double BETA = 1.0, R0 = 1.0;

static void system_init(int coupled)
{
    const double c[14] = {0.3, -0.5, 0.6, 0.1, 0.2, -0.4, 0.5, 0.7, -0.3, 0.1, -0.2, 0.4, 0.6, -0.1};
    memset(W, 0, sizeof W);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int mi = i % CH, ci = i / CH, mj = j % CH, cj = j / CH, d = mi - mj;
            if (i == j || abs(d) > K || !coupled) continue;
            W[i][j] = ci == cj ? c[d < 0 ? d + K : d + K - 1] : ci == 1 ? c[2 * K + d + K] : c[4 * K + 1 + d + K];
        }
    for (int i = 0; i < N; i++) X[i] = ((i * 7) % 5 - 2) * 0.5;
    for (int j = 0; j < N; j++) {
        int m = 0;
        touch[j] = 1u << (j / BUCKET);
        for (int i = 0; i < N; i++)
            if (W[i][j] != 0) {
                nb[j][m] = i, nbw[j][m] = W[i][j];
                nbf[j][m][0] = exp(-2 * BETA * W[i][j]), nbf[j][m][1] = exp(2 * BETA * W[i][j]);
                touch[j] |= 1u << (i / BUCKET);
                m++;
            }
        for (; m < NB; m++) nb[j][m] = N, nbw[j][m] = 0, nbf[j][m][0] = nbf[j][m][1] = 1;
    }
}

/* ---- one trajectory ---------------------------------------------------------------------------- */
typedef struct {
    uint64_t jumps;
    double sigma, area[N];
} result;

enum { PURPOSE_DYNAMICS = 0, PURPOSE_INITIAL = 1 };
#define SEED 1u

static void initial(uint64_t t, int8_t *s)
{
    uint32_t c[4] = {0, (uint32_t)t, 0, (PURPOSE_INITIAL << 8) | ((uint32_t)(t >> 32) << 16)}, r[4];
    philox_scalar(c, SEED, 0, r);
    for (int i = 0; i < N; i++) s[i] = (r[(i / 32) % 4] >> (i % 32)) & 1 ? 1 : -1;
}

static inline double bucket_sum(const double *k)
{
    return (((k[0] + k[1]) + (k[2] + k[3])) + ((k[4] + k[5]) + (k[6] + k[7]))) +
           (((k[8] + k[9]) + (k[10] + k[11])) + ((k[12] + k[13]) + (k[14] + k[15])));
}

static inline void inner_sums(double *t)
{
    for (int v = LEAVES - 1; v >= 1; v--) t[v] = t[2 * v] + t[2 * v + 1];
}

/* The engine's pick (gillespie.c). */
static inline int pick(const double *t, const double *k, double u)
{
    double target = u * t[1];
    int v = 1;
    while (v < LEAVES) {
        double left = t[2 * v];
        int right = ((target >= left) & (t[2 * v + 1] > 0)) | (left <= 0);
        target -= right ? left : 0.0;
        v = 2 * v + right;
    }
    int first = (v - LEAVES) * BUCKET, last = first;
    double c = 0;
    for (int r = 0; r < BUCKET; r++) {
        if (k[first + r] > 0) last = first + r;
        c += k[first + r];
        if (c > target) return first + r;
    }
    return last;
}

typedef struct {
    int8_t s[N + 1];
    double h[N + 1], k[LEAVES * BUCKET], tree[2 * LEAVES], last[N];
    double e_ahead[AHEAD], u_ahead[AHEAD], now, t_end;
    uint32_t block, until_resum, c1, c3;
    result res;
} walker;

static void walker_start(walker *w, uint64_t t, double t_end)
{
    memset(w, 0, sizeof *w);
    initial(t, w->s);
    w->s[N] = 1;
    for (int i = 0; i < N; i++) {
        double f = X[i];
        for (int j = 0; j < N; j++) f += W[i][j] * w->s[j];
        w->h[i] = f;
    }
    w->t_end = t_end;
    w->c1 = (uint32_t)t, w->c3 = (PURPOSE_DYNAMICS << 8) | ((uint32_t)(t >> 32) << 16);
    w->until_resum = 1;
}

/* One jump; 0 when the window ends first (the trajectory is done). */
static inline int jump(walker *restrict w, int fast, int *log_pick, double *log_time, int max_log)
{
    int8_t *s = w->s;
    double *h = w->h, *k = w->k, *tree = w->tree;
    uint32_t block = w->block++;
    if (--w->until_resum == 0) {
        for (int i = 0; i < N; i++) k[i] = R0 * exp(-BETA * s[i] * h[i]);
        for (int b = 0; b < BUCKETS; b++) tree[LEAVES + b] = bucket_sum(k + b * BUCKET);
        inner_sums(tree);
        w->until_resum = RESUM;
    }
    double e, u;
    if (fast & 1) {
        if (block % AHEAD == 0) {
            vq x[4];
            philox8((vq){0, 1, 2, 3, 4, 5, 6, 7} + block, w->c1, 0, w->c3, SEED, 0, x);
            vd ev = -vlog(vu53(x[0], x[1])), uv = vu53(x[2], x[3]);
            memcpy(w->e_ahead, &ev, sizeof ev), memcpy(w->u_ahead, &uv, sizeof uv);
        }
        e = w->e_ahead[block % AHEAD], u = w->u_ahead[block % AHEAD];
    } else {
        uint32_t c[4] = {block, w->c1, 0, w->c3}, r[4];
        philox_scalar(c, SEED, 0, r);
        e = -log(u53(r[0], r[1])), u = u53(r[2], r[3]);
    }
    double tau = e / tree[1];
    if (w->now + tau >= w->t_end) return 0;
    w->now += tau;
    int i = pick(tree, k, u);
    if (log_pick) {
        if (w->res.jumps == (uint64_t)max_log) return 0;
        log_pick[w->res.jumps] = i, log_time[w->res.jumps] = w->now;
    }
    w->res.jumps++;
    w->res.area[i] += s[i] * (w->now - w->last[i]);
    w->last[i] = w->now;
    w->res.sigma += -2.0 * BETA * s[i] * h[i];
    /* flip i */
    s[i] = (int8_t)-s[i];
    double change = 2.0 * s[i];
    for (int c = 0; c < NB; c++) {
        int m = nb[i][c];
        h[m] += nbw[i][c] * change;
        k[m] *= nbf[i][c][s[m] != s[i]];
    }
    k[i] = fast & 2 ? R0 * R0 / k[i] : R0 * exp(-BETA * s[i] * h[i]);
    k[N] = 0; /* the dummy spin: its products are of 1s and its rate stays 0 (it lies in bucket 5, never summed) */
    for (unsigned m = touch[i]; m; m &= m - 1) {
        int b = __builtin_ctz(m);
        tree[LEAVES + b] = bucket_sum(k + b * BUCKET);
    }
    inner_sums(tree);
    return 1;
}

static void walker_end(walker *w)
{
    for (int i = 0; i < N; i++) w->res.area[i] += w->s[i] * (w->t_end - w->last[i]);
}

/* log_pick: the spins of the first max_log jumps and their times, then stop (NULL: to t_end). */
static result walk(uint64_t t, double t_end, int fast, int *log_pick, double *log_time, int max_log)
{
    static walker w;
    walker_start(&w, t, t_end);
    while (jump(&w, fast, log_pick, log_time, max_log)) continue;
    walker_end(&w);
    return w.res;
}

/* Trajectories 0 .. traj-1, `lanes` of them interleaved (each jump of one is
 * followed by a jump of the next: independent chains for the out-of-order
 * core); a lane that finishes takes the next trajectory. */
static void walk_interleaved(long traj, double t_end, int fast, int lanes, result *out)
{
    walker *w = aligned_alloc(64, (sizeof(walker) + 63) / 64 * 64 * (size_t)lanes);
    long id[16], next = 0;
    int active = 0;
    for (int l = 0; l < lanes; l++) {
        id[l] = next < traj ? next++ : -1;
        if (id[l] >= 0) walker_start(&w[l], (uint64_t)id[l], t_end), active++;
    }
    while (active) {
        for (int l = 0; l < lanes; l++) {
            if (id[l] < 0 || jump(&w[l], fast, NULL, NULL, 0)) continue;
            walker_end(&w[l]);
            out[id[l]] = w[l].res;
            id[l] = next < traj ? next++ : -1;
            if (id[l] >= 0) walker_start(&w[l], (uint64_t)id[l], t_end);
            else active--;
        }
    }
    free(w);
}

/* The scalar reference: every rate by exp at every jump, a linear scan, libm's log. */
static void reference(uint64_t t, double t_end, int *log_pick, double *log_time, int max_log)
{
    int8_t s[N];
    double h[N], k[N], now = 0;
    initial(t, s);
    for (int i = 0; i < N; i++) {
        double f = X[i];
        for (int j = 0; j < N; j++) f += W[i][j] * s[j];
        h[i] = f;
    }
    for (uint32_t block = 0; block < (uint32_t)max_log; block++) {
        double total = 0;
        for (int i = 0; i < N; i++) k[i] = R0 * exp(-BETA * s[i] * h[i]), total += k[i];
        uint32_t c[4] = {block, (uint32_t)t, 0, (PURPOSE_DYNAMICS << 8) | ((uint32_t)(t >> 32) << 16)}, r[4];
        philox_scalar(c, SEED, 0, r);
        double tau = -log(u53(r[0], r[1])) / total;
        if (now + tau >= t_end) break;
        now += tau;
        double target = u53(r[2], r[3]) * total, cum = 0;
        int i = N - 1;
        for (int m = 0; m < N; m++)
            if ((cum += k[m]) > target) { i = m; break; }
        log_pick[block] = i, log_time[block] = now;
        s[i] = (int8_t)-s[i];
        for (int m = 0; m < N; m++) h[m] += W[m][i] * 2.0 * s[i];
    }
}

static double cpu_s(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

int main(int argc, char **argv)
{
    long traj = 64;
    double time_ = 5000;
    int lanes = 2; /* measured: 2 interleaved beat 1 by 5%, 4 and 8 no better than 2 */
    int fast = 3; /* bit 0: Philox and ln ahead; bit 1: the flipped rate by a division */
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--traj")) traj = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--time")) time_ = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--lanes")) lanes = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--mode"))
            fast = !strcmp(argv[i + 1], "plain") ? 0 : !strcmp(argv[i + 1], "ahead") ? 1 : !strcmp(argv[i + 1], "divide") ? 2 : 3;
        else return fprintf(stderr, "unknown option %s\n", argv[i]), 2;
    }
    if (lanes < 1 || lanes > 16 || traj < 1) return fprintf(stderr, "--lanes 1..16, --traj >= 1\n"), 2;
    int bad = 0;
    /* check 1: the scalar reference */
    enum { LOG = 20000, LOG_TRAJ = 4 };
    static int pa[LOG], pb[LOG];
    static double ta[LOG], tb[LOG];
    system_init(1);
    int same = 0;
    double worst = 0;
    for (int t = 0; t < LOG_TRAJ; t++) {
        memset(pa, -1, sizeof pa), memset(pb, -1, sizeof pb);
        walk((uint64_t)t, 1e300, fast, pa, ta, LOG);
        reference((uint64_t)t, 1e300, pb, tb, LOG);
        int ok = 1;
        for (int j = 0; j < LOG; j++) ok &= pa[j] == pb[j], worst = fmax(worst, fabs(ta[j] - tb[j]) / tb[j]);
        same += ok;
    }
    printf("scalar reference: the same spins in %d of %d trajectories (%d jumps each); times to %.1e\n", same, LOG_TRAJ,
           LOG, worst);
    if (same != LOG_TRAJ || !(worst < 1e-9)) bad = 1;
    /* check 2: independent spins */
    system_init(0);
    {
        enum { T2 = 32 };
        const double t2 = 400;
        double rate[2] = {0}, mag[5][2] = {{0}}, exact_rate = 0;
        for (int i = 0; i < N; i++) exact_rate += R0 / cosh(BETA * X[i]);
        for (int t = 0; t < T2; t++) {
            result r = walk(1000 + (uint64_t)t, t2, fast, NULL, NULL, 0);
            double v = r.jumps / t2, m[5] = {0};
            rate[0] += v, rate[1] += v * v;
            for (int i = 0; i < N; i++) m[(i * 7) % 5] += r.area[i] / t2 / (N / 5);
            for (int c = 0; c < 5; c++) mag[c][0] += m[c], mag[c][1] += m[c] * m[c];
        }
        double mean = rate[0] / T2, se = sqrt((rate[1] / T2 - mean * mean) / (T2 - 1)), z = (mean - exact_rate) / se;
        printf("independent spins: jump rate %.3f +- %.3f (exact %.3f, z = %+.2f)", mean, se, exact_rate, z);
        if (!(fabs(z) < 4)) bad = 1;
        for (int c = 0; c < 5; c++) {
            double mm = mag[c][0] / T2, ms = sqrt((mag[c][1] / T2 - mm * mm) / (T2 - 1)),
                   ex = tanh(BETA * (c - 2) * 0.5), zc = (mm - ex) / ms;
            printf("; m(x=%+.1f) %.4f (exact %.4f, z = %+.2f)", (c - 2) * 0.5, mm, ex, zc);
            if (!(fabs(zc) < 4)) bad = 1;
        }
        printf("%s\n", bad ? "  FAIL" : "");
    }
    /* the bench point */
    system_init(1);
    uint64_t jumps = 0;
    double sigma = 0, t0 = cpu_s();
    result *res = malloc((size_t)traj * sizeof *res);
    walk_interleaved(traj, time_, fast, lanes, res);
    double cpu = cpu_s() - t0;
    for (long t = 0; t < traj; t++) jumps += res[t].jumps, sigma += res[t].sigma;
    free(res);
    printf("spins_limit (%s, %d interleaved): 2N = %d, time = %g, %ld trajectories\n",
           (const char *[]){"plain", "ahead", "divide", "fast"}[fast], lanes, N, time_, traj);
    printf("jumps %llu sigma %.10e\n", (unsigned long long)jumps, sigma);
    printf("ns_per_jump %.1f\n", 1e9 * cpu / (double)jumps);
    printf("jumps_per_s %.4e\n", (double)jumps / cpu);
    return bad;
}
