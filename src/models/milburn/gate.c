/* Learning with sampled switches (Milburn sections 4.1 and 5): the epoch of
 * the NOT perceptron and of the 2-2-1 XOR network, with the thermal
 * bookkeeping of the NOT switch.  See gate.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "thermolearn/error.h"
#include "thermolearn/vecmath.h"
#if defined(__AVX__)
#include <immintrin.h>
#endif

static inline double sigmoid(double z)
{
    return 1 / (1 + exp(-z));
}

size_t gt_n_records(const gt_params *p)
{
    size_t n = (size_t)(p->epochs / p->record_every) + 1;
    return p->epochs % p->record_every ? n + 1 : n;
}

long gt_record_epoch(const gt_params *p, size_t k)
{
    long e = (long)k * p->record_every;
    return e < p->epochs ? e : p->epochs;
}

double gt_pow_int(double q, long n)
{
    double r = 1;
    for (;;) { /* r q^(2^j) for the set bits j of n, lowest first: the lanes do the same products */
        if (n & 1) r = r * q;
        n >>= 1;
        if (!n) return r;
        q = q * q;
    }
}

long gt_binomial_inverse(double u, long n, double p)
{
    /* the smaller side: p' = min(p, 1 - p), q = 1 - p', k' counted from 0, k = n - k' if flipped */
    int flip = p > 0.5;
    double pp = flip ? 1 - p : p, q = 1 - pp, ratio = pp / q;
    double pmf = gt_pow_int(q, n), cdf = pmf; /* q^n >= 2^-n: no underflow for n <= 1000 */
    long k = 0;
    while (u > cdf && k < n) {
        pmf *= (double)(n - k) / (double)(k + 1) * ratio;
        cdf += pmf;
        k++;
    }
    return flip ? n - k : k;
}

long gt_binomial(tl_stream_cursor *r, long n, double p)
{
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    return gt_binomial_inverse(tl_stream_cursor_uniform(r), n, p);
}

void gt_example(int task, int k, double xi[2], double *label)
{
    if (task == GT_NOT) { /* NOT: x = -1 -> +1, x = +1 -> -1 */
        xi[0] = k ? 1 : -1, xi[1] = 0;
        *label = -xi[0];
        return;
    }
    /* XOR in +-1: the output is +1 when the inputs differ */
    xi[0] = k & 2 ? 1 : -1, xi[1] = k & 1 ? 1 : -1;
    *label = -xi[0] * xi[1];
}

/* Energy of the two-level switch and its free energy at T = 1/beta. */
static inline double level(double n, double a)
{
    return -n * a / 2;
}
static inline double free_energy(double a, double beta)
{
    double z = fabs(beta * a / 2);
    return -(z + log1p(exp(-2 * z))) / beta; /* -T ln 2 cosh(beta a/2), without overflow */
}
static inline double shannon(double a, double beta)
{
    double p = sigmoid(beta * a), q = 1 - p;
    return (p > 0 ? -p * log(p) : 0) + (q > 0 ? -q * log(q) : 0);
}

typedef struct {
    double n, a, a_first, n_first;
    double work, heat;
} thermal;

void gt_not_update(const gt_params *p, double *wt, double x, double label, double nbar)
{
    double c = p->eta * label * p->beta * (1 - nbar * nbar) / 4; /* eq. 63, the bias on a constant input 1 */
    wt[0] += c * x, wt[1] += c;
}

void gt_xor_update(const gt_params *p, double *wt, const double xi[2], double label, const double nh[2], double no)
{
    double gain = p->eta * label * (1 - no * no);
    double hidden_beta = p->hidden_rule == GT_CHAIN ? p->beta * p->beta : p->beta;
    double wo_old[2] = {wt[GX_WO], wt[GX_WO + 1]};
    for (int j = 0; j < 2; j++) wt[GX_WO + j] += gain * p->beta * nh[j] / 4; /* eq. 72 */
    wt[GX_B3] += gain * p->beta / 4;
    for (int j = 0; j < 2; j++) { /* eq. 75, with the output weight before the update */
        double g = gain * hidden_beta * wo_old[j] * (1 - nh[j] * nh[j]) / 8;
        wt[GX_WH + j] += g * xi[0];
        wt[GX_WH + 2 + j] += g * xi[1];
        wt[GX_BH + j] += g;
    }
}

/* ---- NOT: the scalar reference and the lanes ----
 *
 * Stream (one per trajectory, keyed by it): the uniforms of DYNAMICS in order,
 * uniform i from words 2(i % 2), 2(i % 2) + 1 of block i / 2.  Epoch 1 takes
 * three (the input, the binomial count, the last sample's state), every later
 * epoch four with work_state = fresh (the input, the extra equilibration, the
 * count, the last sample) and three with last; INITIAL's first uniform is the
 * switch's state at the first A.  The count is fixed per epoch, the same for
 * every trajectory, so the lanes of a tile stay in step on the same blocks and
 * a trajectory's numbers do not depend on its batch, lane or vector width.
 * P(n = +1) uses vecmath.h's e^x and q^M gt_pow_int's products, in the lanes
 * and in not_epoch alike: the two agree bit for bit. */

/* P(n = +1) = 1/(1 + e^{-beta A}) (eq. 61), e^x of vecmath.h */
static inline double not_p1(double beta, double a)
{
    return 1 / (1 + vd_exp1(-(beta * a)));
}

/* The uniforms of one NOT epoch. */
typedef struct {
    double input, fresh, count, last;
} not_draws;

static not_draws not_draw(const gt_params *p, long epoch, tl_stream_cursor *r)
{
    not_draws d = {.input = tl_stream_cursor_uniform(r)};
    if (epoch > 1 && p->work_state == GT_FRESH) d.fresh = tl_stream_cursor_uniform(r);
    d.count = tl_stream_cursor_uniform(r);
    d.last = tl_stream_cursor_uniform(r);
    return d;
}

/* One NOT epoch (the scalar reference of not_lanes_epoch, operation for operation); updates w =
 * weights[0], b = weights[1].  u_init: INITIAL's uniform (epoch 1).  Returns the sampled error. */
static double not_epoch(const gt_params *p, double *wt, long epoch, const not_draws *d, double u_init, thermal *th)
{
    double x = d->input * 2 >= 1 ? 1 : -1, label = -x; /* gt_example(GT_NOT, (int)(2 u)) */
    double a = wt[0] * x + wt[1], p1 = not_p1(p->beta, a);
    if (epoch == 1) { /* the switch starts in equilibrium at the first A */
        th->n = th->n_first = u_init < p1 ? 1 : -1;
        th->a_first = a;
    } else {
        if (p->work_state == GT_FRESH) { /* an extra equilibration at the old A, unseen by the feedback */
            double fresh = d->fresh < not_p1(p->beta, th->a) ? 1 : -1;
            th->heat = th->heat + (level(fresh, th->a) - level(th->n, th->a));
            th->n = fresh;
        }
        th->work = th->work + (level(th->n, a) - level(th->n, th->a)); /* A changes at fixed n */
    }
    long k = gt_binomial_inverse(d->count, p->samples, p1);
    /* the M re-equilibrations telescope: heat = E_{n_M}(A) - E_n(A); n_M = +1 with probability K/M */
    double last = d->last * (double)p->samples < (double)k ? 1 : -1;
    th->heat = th->heat + (level(last, a) - level(th->n, a));
    th->n = last, th->a = a;
    double nbar = 2 * (double)k / (double)p->samples - 1;
    gt_not_update(p, wt, x, label, nbar);
    return (1 - label * nbar) / 2;
}

#define GT_TILE 64
_Static_assert(GT_TILE % 16 == 0, "a tile is a whole number of vectors (and of Philox vectors)");

/* Lane state of up to GT_TILE NOT trajectories, lane innermost, and this epoch's uniforms. */
typedef struct {
    double w[GT_TILE], b[GT_TILE], n[GT_TILE], a[GT_TILE], work[GT_TILE], heat[GT_TILE], sampled[GT_TILE];
    double n_first[GT_TILE], a_first[GT_TILE];
    double u_init[GT_TILE], u_input[GT_TILE], u_fresh[GT_TILE], u_count[GT_TILE], u_last[GT_TILE];
} not_lanes;

/* The constants of a run; fac[k] = (M - k)/(k + 1), the pmf's ratio without p/q. */
typedef struct {
    double beta, eta, m;
    long samples;
    int fresh;
    const double *fac;
} not_consts;

/* q^n of every lane, n the same for all: gt_pow_int's products. */
static inline vd lanes_pow(vd q, long n)
{
    vd r = vd_splat(1.0);
    for (;;) {
        if (n & 1) r = r * q;
        n >>= 1;
        if (!n) return r;
        q = q * q;
    }
}

/* Whether some lane of the mask is set (one instruction where the target has it). */
static inline int any_lane(vl mask)
{
#if defined(__AVX512F__)
    return _mm512_test_epi64_mask((__m512i)mask, (__m512i)mask) != 0;
#elif defined(__AVX__)
    return !_mm256_testz_si256((__m256i)mask, (__m256i)mask);
#else
    int any = 0;
    for (int i = 0; i < VD; i++) any |= mask[i] != 0;
    return any;
#endif
}

/* Bin(M, p1) of every lane by inversion of u: gt_binomial_inverse, the walk from k = 0 of the
 * smaller side masked lane by lane until every lane has found its count.  The live lanes all
 * stand at the same k, so the ratio (M - k)/(k + 1) is one table entry for the vector. */
static inline vd lanes_binomial(const not_consts *c, vd u, vd p1)
{
    const vd m = vd_splat(c->m);
    vl flip = p1 > 0.5;
    vd pp = vd_blend(flip, 1.0 - p1, p1), q = 1.0 - pp, ratio = pp / q;
    vd pmf = lanes_pow(q, c->samples), cdf = pmf, k = {0};
    vl live = (u > cdf) & (k < m);
    for (long j = 0; any_lane(live); j++) {
        vd next = pmf * (c->fac[j] * ratio);
        pmf = vd_blend(live, next, pmf);
        cdf = vd_blend(live, cdf + next, cdf);
        k = vd_blend(live, k + 1.0, k);
        live = (u > cdf) & (k < m);
    }
    return vd_blend(flip, m - k, k);
}

static inline vd lanes_level(vd n, vd a)
{
    return -n * a / 2;
}

/* One epoch of every lane: not_epoch across the tile (epoch 1 or a later one).  A function of
 * its own, so that tests/tools/vec_check.sh can find it and see that it is packed. */
static __attribute__((noinline)) void not_lanes_epoch(const not_consts *c, not_lanes *restrict s, int lanes,
                                                       int first_epoch)
{
    const double beta = c->beta, eta = c->eta;
    const vd one = vd_splat(1.0), m = vd_splat(c->m);
    for (int l = 0; l < lanes; l += VD) {
        vd x = vd_blend(vd_load(s->u_input + l) * 2.0 >= 1.0, one, -one), label = -x;
        vd w = vd_load(s->w + l), b = vd_load(s->b + l);
        vd a = w * x + b, p1 = 1.0 / (1.0 + vd_exp(-(beta * a)));
        vd n, a_old = vd_load(s->a + l), heat = vd_load(s->heat + l);
        if (first_epoch) {
            n = vd_blend(vd_load(s->u_init + l) < p1, one, -one);
            vd_store(s->n_first + l, n), vd_store(s->a_first + l, a);
        } else {
            n = vd_load(s->n + l);
            if (c->fresh) {
                vd p_old = 1.0 / (1.0 + vd_exp(-(beta * a_old)));
                vd fresh = vd_blend(vd_load(s->u_fresh + l) < p_old, one, -one);
                heat = heat + (lanes_level(fresh, a_old) - lanes_level(n, a_old));
                n = fresh;
            }
            vd_store(s->work + l, vd_load(s->work + l) + (lanes_level(n, a) - lanes_level(n, a_old)));
        }
        vd k = lanes_binomial(c, vd_load(s->u_count + l), p1);
        vd last = vd_blend(vd_load(s->u_last + l) * m < k, one, -one);
        heat = heat + (lanes_level(last, a) - lanes_level(n, a));
        vd nbar = 2.0 * k / m - 1.0;
        vd gain = eta * label * beta * (1.0 - nbar * nbar) / 4.0; /* gt_not_update */
        vd_store(s->w + l, w + gain * x), vd_store(s->b + l, b + gain);
        vd_store(s->heat + l, heat), vd_store(s->n + l, last), vd_store(s->a + l, a);
        vd_store(s->sampled + l, (1.0 - label * nbar) / 2.0);
    }
}

/* The uniforms of every lane in stream order: block after block of DYNAMICS, two per block. */
typedef struct {
    const tl_stream_key *key;
    uint64_t first;
    size_t lanes;
    uint32_t block;
    int left;
    uint32_t words[4 * GT_TILE];
} lane_stream;

static void lane_uniforms(lane_stream *st, double *u)
{
    if (st->left == 0) {
        tl_stream_words(st->key, TL_PURPOSE_DYNAMICS, st->first, st->block++, st->lanes, st->words);
        st->left = 2;
    }
    const uint32_t *hi = st->words + 2 * (2 - st->left) * st->lanes, *lo = hi + st->lanes;
    for (size_t l = 0; l < st->lanes; l += VD) vd_store(u + l, vd_uniform(hi + l, lo + l));
    st->left--;
}

/* ---- XOR: the scalar reference and the lanes ----
 *
 * Stream: eight uniforms of DYNAMICS per epoch, in order (blocks 4(e - 1) .. 4(e - 1) + 3 for
 * epoch e): the input, then the counts k1 ~ Bin(M, p_h1), k11 ~ Bin(k1, p_h2), k01 ~ Bin(M - k1,
 * p_h2) and the output's count for each hidden pair (+,+), (+,-), (-,+), (-,-), each binomial
 * by inversion of its uniform even when it has no trials (k = 0): the lanes of a tile stay in
 * step.  P(n = +1) uses vecmath.h's e^x, as NOT's. */

#define GT_XOR_DRAWS 8

/* One XOR epoch (eqs. 69-75) with its eight uniforms u (the scalar reference of
 * xor_lanes_epoch): sampled hidden pairs feed the output; counts drawn as binomials. */
static double xor_epoch(const gt_params *p, double *wt, const double *u)
{
    const long m = p->samples;
    double xi0 = u[0] * 4 >= 2 ? 1 : -1, q4 = u[0] * 4; /* gt_example(GT_XOR, (int)(4 u)) */
    double xi1 = (q4 >= 1 && q4 < 2) || q4 >= 3 ? 1 : -1, label = -xi0 * xi1;
    double ph[2];
    for (int j = 0; j < 2; j++) ph[j] = not_p1(p->beta, xi0 * wt[GX_WH + j] + xi1 * wt[GX_WH + 2 + j] + wt[GX_BH + j]);
    long k1 = gt_binomial_inverse(u[1], m, ph[0]);
    long k11 = gt_binomial_inverse(u[2], k1, ph[1]), k01 = gt_binomial_inverse(u[3], m - k1, ph[1]);
    long count[4] = {k11, k1 - k11, k01, m - k1 - k01}; /* (h1, h2) = (+,+), (+,-), (-,+), (-,-) */
    long ko = 0;
    for (int h = 0; h < 4; h++) {
        double h1 = h < 2 ? 1 : -1, h2 = h % 2 ? -1 : 1;
        ko += gt_binomial_inverse(u[4 + h], count[h], not_p1(p->beta, h1 * wt[GX_WO] + h2 * wt[GX_WO + 1] + wt[GX_B3]));
    }
    double nh[2] = {2 * (double)k1 / (double)m - 1, 2 * (double)(k11 + k01) / (double)m - 1};
    double no = 2 * (double)ko / (double)m - 1, xi[2] = {xi0, xi1};
    gt_xor_update(p, wt, xi, label, nh, no);
    return (1 - label * no) / 2;
}

/* Lane state of up to GT_TILE XOR trajectories: the nine weights, the sampled error, the
 * epoch's uniforms. */
typedef struct {
    double wt[GT_MAX_WEIGHTS][GT_TILE], sampled[GT_TILE], u[GT_XOR_DRAWS][GT_TILE];
} xor_lanes;

/* q^n of every lane, n < 1024 per lane (an integer vector): gt_pow_int's products, lane by lane. */
static inline vd lanes_pow_n(vd q, vl n)
{
    vd r = vd_splat(1.0);
    for (int b = 0; b < 10; b++) {
        r = vd_blend((n >> b & 1) != 0, r * q, r);
        q = q * q;
    }
    return r;
}

/* n as an integer vector, for 0 <= n < 1024 exact in doubles: the low bits of 2^52 + n. */
static inline vl lanes_int(vd n)
{
    return as_vl(n + 0x1p52) & 1023;
}

/* Bin(n, p1) of every lane by inversion of u, n per lane (ni: n as integers): gt_binomial_inverse
 * masked. */
static inline vd lanes_binomial_n(vd u, vd n, vl ni, vd p1)
{
    vl flip = p1 > 0.5;
    vd pp = vd_blend(flip, 1.0 - p1, p1), q = 1.0 - pp, ratio = pp / q;
    vd pmf = lanes_pow_n(q, ni), cdf = pmf, k = {0};
    vl live = (u > cdf) & (k < n);
    while (any_lane(live)) {
        vd next = pmf * ((n - k) / (k + 1.0) * ratio);
        pmf = vd_blend(live, next, pmf);
        cdf = vd_blend(live, cdf + next, cdf);
        k = vd_blend(live, k + 1.0, k);
        live = (u > cdf) & (k < n);
    }
    return vd_blend(flip, n - k, k);
}

static inline vd lanes_p1(double beta, vd a)
{
    return 1.0 / (1.0 + vd_exp(-(beta * a)));
}

/* The constants of a run (beta^2 or beta in eq. 75 computed once, as gt_xor_update does). */
typedef struct {
    double beta, eta, hidden_beta, m;
    long samples;
} xor_consts;

/* One epoch of every lane: xor_epoch across the tile.  A function of its own, so that
 * tests/tools/vec_check.sh can find it and see that it is packed. */
static __attribute__((noinline)) void xor_lanes_epoch(const xor_consts *c, xor_lanes *restrict s, int lanes)
{
    const double beta = c->beta, eta = c->eta, hidden_beta = c->hidden_beta;
    const vd one = vd_splat(1.0), m = vd_splat(c->m);
    const vl m_int = (vl){0} + c->samples; /* an integer broadcast: no double operation to hoist */
    for (int l = 0; l < lanes; l += VD) {
        vd q4 = vd_load(s->u[0] + l) * 4.0;
        vd xi0 = vd_blend(q4 >= 2.0, one, -one), xi1 = vd_blend(((q4 >= 1.0) & (q4 < 2.0)) | (q4 >= 3.0), one, -one);
        vd label = -xi0 * xi1;
        vd wt[GT_MAX_WEIGHTS];
        for (int i = 0; i < GT_MAX_WEIGHTS; i++) wt[i] = vd_load(s->wt[i] + l);
        vd ph0 = lanes_p1(beta, xi0 * wt[GX_WH] + xi1 * wt[GX_WH + 2] + wt[GX_BH]);
        vd ph1 = lanes_p1(beta, xi0 * wt[GX_WH + 1] + xi1 * wt[GX_WH + 3] + wt[GX_BH + 1]);
        vd k1 = lanes_binomial_n(vd_load(s->u[1] + l), m, m_int, ph0);
        vd k11 = lanes_binomial_n(vd_load(s->u[2] + l), k1, lanes_int(k1), ph1);
        vd k01 = lanes_binomial_n(vd_load(s->u[3] + l), m - k1, lanes_int(m - k1), ph1);
        vd count[4] = {k11, k1 - k11, k01, m - k1 - k01};
        vd ko = {0};
        for (int h = 0; h < 4; h++) {
            double h1 = h < 2 ? 1 : -1, h2 = h % 2 ? -1 : 1;
            vd po = lanes_p1(beta, h1 * wt[GX_WO] + h2 * wt[GX_WO + 1] + wt[GX_B3]);
            ko = ko + lanes_binomial_n(vd_load(s->u[4 + h] + l), count[h], lanes_int(count[h]), po);
        }
        vd nh[2] = {2.0 * k1 / m - 1.0, 2.0 * (k11 + k01) / m - 1.0};
        vd no = 2.0 * ko / m - 1.0;
        vd gain = eta * label * (1.0 - no * no); /* gt_xor_update */
        vd wo_old[2] = {wt[GX_WO], wt[GX_WO + 1]};
        for (int j = 0; j < 2; j++) wt[GX_WO + j] = wt[GX_WO + j] + gain * beta * nh[j] / 4.0;
        wt[GX_B3] = wt[GX_B3] + gain * beta / 4.0;
        for (int j = 0; j < 2; j++) {
            vd g = gain * hidden_beta * wo_old[j] * (1.0 - nh[j] * nh[j]) / 8.0;
            wt[GX_WH + j] = wt[GX_WH + j] + g * xi0;
            wt[GX_WH + 2 + j] = wt[GX_WH + 2 + j] + g * xi1;
            wt[GX_BH + j] = wt[GX_BH + j] + g;
        }
        for (int i = 0; i < GT_MAX_WEIGHTS; i++) vd_store(s->wt[i] + l, wt[i]);
        vd_store(s->sampled + l, (1.0 - label * no) / 2.0);
    }
}

/* The records of a trajectory, its first update and epochs_to_target after epoch e, at stride
 * `stride` in the profiles (any may be NULL); *rec: the next record. */
static void record(const gt_params *p, long e, const double *wt, double sampled, size_t *rec, gt_path *out,
                   double *error_exact, double *error_sampled, double *weights, size_t stride)
{
    size_t nw = gt_n_weights(p);
    if (e == 1) {
        for (size_t i = 0; i < nw; i++) out->first_update[i] = wt[i] - p->start[i];
        if (error_sampled) error_sampled[0] = sampled; /* epoch 1 samples the starting weights */
    }
    if (*rec < gt_n_records(p) && gt_record_epoch(p, *rec) == e) {
        double err = gt_error_exact(p, wt);
        if (err < p->target && out->epochs_to_target > p->epochs) out->epochs_to_target = e;
        if (error_exact) error_exact[*rec * stride] = err;
        if (error_sampled && e > 0) error_sampled[*rec * stride] = sampled;
        if (weights)
            for (size_t i = 0; i < nw; i++) weights[(*rec * nw + i) * stride] = wt[i];
        ++*rec;
    }
}

/* The observables of a finished trajectory. */
static void finish(const gt_params *p, const double *wt, const thermal *th, gt_path *out)
{
    memcpy(out->weights, wt, gt_n_weights(p) * sizeof *wt);
    out->error_final = gt_error_exact(p, wt);
    if (p->task == GT_NOT && p->epochs > 0) {
        out->work = th->work, out->heat = th->heat;
        out->energy_change = level(th->n, th->a) - level(th->n_first, th->a_first);
        out->delta_f = free_energy(th->a, p->beta) - free_energy(th->a_first, p->beta);
        out->entropy_change = shannon(th->a, p->beta) - shannon(th->a_first, p->beta);
        double mean_e1 = -tanh(p->beta * th->a / 2) * th->a / 2,
               mean_e0 = -tanh(p->beta * th->a_first / 2) * th->a_first / 2;
        out->mean_energy_change = mean_e1 - mean_e0;
    }
}

static void path_start(const gt_params *p, double *wt, gt_path *out)
{
    memcpy(wt, p->start, GT_MAX_WEIGHTS * sizeof *wt);
    *out = (gt_path){0};
    out->epochs_to_target = p->epochs + 1;
}

void gt_trajectory(const gt_params *p, const tl_stream_key *key, uint64_t trajectory, gt_path *out,
                   double *error_exact, double *error_sampled, double *weights)
{
    tl_stream_cursor r, init;
    tl_stream_cursor_init(&r, key, TL_PURPOSE_DYNAMICS, trajectory);
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    size_t rec = 0;
    double wt[GT_MAX_WEIGHTS], sampled = NAN;
    thermal th = {0};
    path_start(p, wt, out);
    for (long e = 0; e <= p->epochs; e++) {
        if (e > 0 && p->task == GT_NOT) {
            not_draws d = not_draw(p, e, &r);
            sampled = not_epoch(p, wt, e, &d, e == 1 ? tl_stream_cursor_uniform(&init) : 0, &th);
        } else if (e > 0) {
            double u[GT_XOR_DRAWS];
            for (int i = 0; i < GT_XOR_DRAWS; i++) u[i] = tl_stream_cursor_uniform(&r);
            sampled = xor_epoch(p, wt, u);
        }
        record(p, e, wt, sampled, &rec, out, error_exact, error_sampled, weights, 1);
    }
    finish(p, wt, &th, out);
}

/* NOT trajectories first .. first + n - 1, n <= GT_TILE, side by side; profiles at stride `stride`. */
static void not_tile(const gt_params *p, const double *fac, const tl_stream_key *key, uint64_t first, size_t n,
                     gt_path *out, double *error_exact, double *error_sampled, double *weights, size_t stride)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding */
    not_lanes *s = tl_calloc(1, sizeof *s, "gate lanes");
    lane_stream st = {.key = key, .first = first, .lanes = lanes};
    not_consts c = {.beta = p->beta, .eta = p->eta, .m = (double)p->samples, .samples = p->samples,
                    .fresh = p->work_state == GT_FRESH, .fac = fac};
    size_t rec[GT_TILE] = {0};
    {
        uint32_t words[4 * GT_TILE];
        tl_stream_words(key, TL_PURPOSE_INITIAL, first, 0, lanes, words);
        for (size_t l = 0; l < lanes; l += VD) vd_store(s->u_init + l, vd_uniform(words + l, words + lanes + l));
    }
    for (size_t l = 0; l < n; l++) {
        double wt[GT_MAX_WEIGHTS];
        path_start(p, wt, &out[l]);
        s->w[l] = wt[0], s->b[l] = wt[1];
        record(p, 0, wt, NAN, &rec[l], &out[l], error_exact ? error_exact + l : NULL,
               error_sampled ? error_sampled + l : NULL, weights ? weights + l : NULL, stride);
    }
    for (size_t l = n; l < lanes; l++) s->w[l] = p->start[0], s->b[l] = p->start[1];
    for (long e = 1; e <= p->epochs; e++) {
        lane_uniforms(&st, s->u_input);
        if (e > 1 && c.fresh) lane_uniforms(&st, s->u_fresh);
        lane_uniforms(&st, s->u_count);
        lane_uniforms(&st, s->u_last);
        not_lanes_epoch(&c, s, (int)lanes, e == 1);
        if (e == 1 || gt_record_epoch(p, rec[0]) == e)
            for (size_t l = 0; l < n; l++) {
                double wt[2] = {s->w[l], s->b[l]};
                record(p, e, wt, s->sampled[l], &rec[l], &out[l], error_exact ? error_exact + l : NULL,
                       error_sampled ? error_sampled + l : NULL, weights ? weights + l : NULL, stride);
            }
    }
    for (size_t l = 0; l < n; l++) {
        double wt[GT_MAX_WEIGHTS] = {s->w[l], s->b[l]};
        thermal th = {.n = s->n[l], .a = s->a[l], .a_first = s->a_first[l], .n_first = s->n_first[l],
                      .work = s->work[l], .heat = s->heat[l]};
        finish(p, wt, &th, &out[l]);
    }
    free(s);
}

/* XOR trajectories first .. first + n - 1, n <= GT_TILE, side by side; profiles at stride `stride`. */
static void xor_tile(const gt_params *p, const tl_stream_key *key, uint64_t first, size_t n, gt_path *out,
                     double *error_exact, double *error_sampled, double *weights, size_t stride)
{
    const size_t lanes = (n + 15) / 16 * 16; /* whole Philox vectors; lanes >= n are padding */
    xor_lanes *s = tl_calloc(1, sizeof *s, "gate lanes");
    lane_stream st = {.key = key, .first = first, .lanes = lanes};
    const xor_consts c = {.beta = p->beta, .eta = p->eta, .m = (double)p->samples, .samples = p->samples,
                          .hidden_beta = p->hidden_rule == GT_CHAIN ? p->beta * p->beta : p->beta};
    size_t rec[GT_TILE] = {0};
    for (size_t l = 0; l < lanes; l++) {
        double wt[GT_MAX_WEIGHTS];
        path_start(p, wt, l < n ? &out[l] : &(gt_path){0});
        for (int i = 0; i < GT_MAX_WEIGHTS; i++) s->wt[i][l] = wt[i];
        if (l < n)
            record(p, 0, wt, NAN, &rec[l], &out[l], error_exact ? error_exact + l : NULL,
                   error_sampled ? error_sampled + l : NULL, weights ? weights + l : NULL, stride);
    }
    for (long e = 1; e <= p->epochs; e++) {
        for (int i = 0; i < GT_XOR_DRAWS; i++) lane_uniforms(&st, s->u[i]);
        xor_lanes_epoch(&c, s, (int)lanes);
        if (e == 1 || gt_record_epoch(p, rec[0]) == e)
            for (size_t l = 0; l < n; l++) {
                double wt[GT_MAX_WEIGHTS];
                for (int i = 0; i < GT_MAX_WEIGHTS; i++) wt[i] = s->wt[i][l];
                record(p, e, wt, s->sampled[l], &rec[l], &out[l], error_exact ? error_exact + l : NULL,
                       error_sampled ? error_sampled + l : NULL, weights ? weights + l : NULL, stride);
            }
    }
    for (size_t l = 0; l < n; l++) {
        double wt[GT_MAX_WEIGHTS];
        for (int i = 0; i < GT_MAX_WEIGHTS; i++) wt[i] = s->wt[i][l];
        thermal th = {0};
        finish(p, wt, &th, &out[l]);
    }
    free(s);
}

void gt_trajectories(const gt_params *p, const tl_stream_key *key, uint64_t first, size_t count, gt_path *out,
                     double *error_exact, double *error_sampled, double *weights)
{
    double *fac = NULL;
    if (p->task == GT_NOT) {
        fac = tl_malloc((size_t)p->samples * sizeof *fac, "binomial ratios");
        for (long k = 0; k < p->samples; k++) fac[k] = (double)(p->samples - k) / (double)(k + 1);
    }
    for (size_t b = 0; b < count; b += GT_TILE) {
        size_t n = count - b < GT_TILE ? count - b : GT_TILE;
        double *ee = error_exact ? error_exact + b : NULL, *es = error_sampled ? error_sampled + b : NULL;
        double *ww = weights ? weights + b : NULL;
        if (p->task == GT_NOT) not_tile(p, fac, key, first + b, n, out + b, ee, es, ww, count);
        else xor_tile(p, key, first + b, n, out + b, ee, es, ww, count);
    }
    free(fac);
}
