/* Trajectories of the linear system, sampled on the grid of the window, many
 * at once.
 *
 * y = s - m moves by the exact Gaussian transition y' = e^{W h} y + L z
 * (L L^T = Q(h), z standard normal), so the samples have the law of the
 * continuous process for any h.  Per step the medium entropy is its exact
 * conditional mean given the two samples (ou.h), and the time averages are
 * trapezoid sums over the samples, which are unbiased for a stationary
 * trajectory because every sample has the steady law.
 *
 * The trajectories of a batch advance together, OU_CHUNK at a time, held as
 * structure of arrays: component i of lane b at [i * nv + b / VW][b % VW], nv
 * vectors of VW lanes.  The arithmetic is written on GCC/clang vector types,
 * so it is packed whatever the compiler's cost model and without a run-time
 * alias check (tests/tools/vec_check.sh fails the build otherwise).  The
 * Gaussians come from tl_stream_gaussians (Philox and Box-Muller across the
 * lanes): z_{2j} and z_{2j+1} of a step are the two Gaussians of block
 * k ceil(n/2) + j of the trajectory's DYNAMICS stream (step k = 0, 1, ...);
 * the initial state (steady, L_C z) and the jump over the transient use
 * blocks 0.. and ceil(n/2).. of its INITIAL stream.  Every lane does the same
 * operations in the same order, so a trajectory's numbers do not depend on
 * the batch it is run in, nor on the rank count.
 */
#include <stdlib.h>
#include <string.h>

#include "ou.h"
#include "thermolearn/error.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* gcc in ISO C mode does not contract either: the same numbers from both */
#endif

#define VW 4        /* lanes per vector: four doubles, AVX2's width */
#define OU_CHUNK 64 /* lanes advanced together: whole Philox vectors of tl_stream_gaussians */
typedef double vd __attribute__((vector_size(VW * sizeof(double))));

/* The state of up to OU_CHUNK lanes (rows of nv vectors). */
typedef struct {
    size_t nv;
    vd *y;    /* [n][nv] current sample */
    vd *z;    /* [2 ceil(n/2)][nv] the Gaussians of one step */
    vd *sum;  /* [n][nv] trapezoid sums of y */
    vd *sum2; /* [n(n+1)/2][nv] trapezoid sums of y_i y_j, i <= j (NULL: not wanted) */
    vd *ent;  /* [nv] medium entropy */
} lanes;

static vd *vectors(size_t count)
{
    vd *p = aligned_alloc(sizeof(vd), count * sizeof(vd));
    if (!p) error("cannot allocate %zu vectors of OU lanes", count);
    return p;
}

/* Room for `count` lanes (at most OU_CHUNK), in whole vectors. */
static void lanes_alloc(lanes *s, int n, size_t count, int want_cov)
{
    size_t nv = ((count < OU_CHUNK ? count : OU_CHUNK) + VW - 1) / VW;
    s->nv = nv;
    s->y = vectors((size_t)n * nv), s->sum = vectors((size_t)n * nv), s->ent = vectors(nv);
    s->z = vectors(2 * (size_t)ou_blocks_per_step(n) * nv);
    s->sum2 = want_cov ? vectors(ou_n_pairs((size_t)n) * nv) : NULL;
}

static void lanes_free(lanes *s)
{
    free(s->y), free(s->z), free(s->sum), free(s->sum2), free(s->ent);
}

/* The Gaussians of block0, block0 + 1, ... for lanes first .. first + nv VW - 1. */
static void draw(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block0, int n, size_t nv,
                 vd *z)
{
    for (int j = 0; j < ou_blocks_per_step(n); j++)
        tl_stream_gaussians(key, purpose, first, block0 + (uint32_t)j, nv * VW, (double *)(z + 2 * (size_t)j * nv));
}

/* y = e y + l z on every lane (e = NULL: y = l z); l lower triangular. */
static void transition(int n, size_t nv, const double *e, const double *l, vd *restrict y, const vd *restrict z)
{
    for (size_t v = 0; v < nv; v++) {
        vd a[OU_MAX_N];
        for (int i = 0; i < n; i++) a[i] = y[i * nv + v];
        for (int i = 0; i < n; i++) {
            vd s = l[i * n] * z[v];
            for (int j = 1; j <= i; j++) s += l[i * n + j] * z[j * nv + v];
            if (e) {
                vd f = e[i * n] * a[0];
                for (int j = 1; j < n; j++) f += e[i * n + j] * a[j];
                s = f + s;
            }
            y[i * nv + v] = s;
        }
    }
}

/* Trapezoid sums of the sample y with weight w. */
static void add_sample(int n, size_t nv, double w, const vd *restrict y, vd *restrict sum, vd *restrict sum2)
{
    for (size_t v = 0; v < nv; v++)
        for (int i = 0; i < n; i++) {
            sum[i * nv + v] += w * y[i * nv + v];
            if (sum2)
                for (int j = i; j < n; j++) sum2[ou_pair((size_t)n, (size_t)i, (size_t)j) * nv + v] += w * y[i * nv + v] * y[j * nv + v];
        }
}

/* One step of every lane: b = E a + L z from the sample a, the entropy of the
 * step a.qaa a + a.qab b + b.qbb b + qc added, the trapezoid sums of b added
 * with weight w, and a replaced by b.  Inlined with n (and cov) constant for
 * the small systems, where the compiler keeps a lane's state in registers. */
static inline __attribute__((always_inline)) void step_body(int n, int cov, size_t nv, const ou *restrict o,
                                                            double w, vd *restrict y, const vd *restrict z,
                                                            vd *restrict sum, vd *restrict sum2, vd *restrict ent)
{
    const double *e = o->e_h, *l = o->l_h, *qaa = o->qaa, *qab = o->qab, *qbb = o->qbb;
    for (size_t v = 0; v < nv; v++) {
        vd a[OU_MAX_N], b[OU_MAX_N];
        for (int i = 0; i < n; i++) a[i] = y[i * nv + v];
        for (int i = 0; i < n; i++) {
            vd s = e[i * n] * a[0];
            for (int j = 1; j < n; j++) s += e[i * n + j] * a[j];
            for (int j = 0; j <= i; j++) s += l[i * n + j] * z[j * nv + v];
            b[i] = s;
        }
        vd q = ent[v];
        for (int i = 0; i < n; i++) {
            vd ra = qaa[i * n] * a[0] + qab[i * n] * b[0], rb = qbb[i * n] * b[0];
            for (int j = 1; j < n; j++) ra += qaa[i * n + j] * a[j] + qab[i * n + j] * b[j], rb += qbb[i * n + j] * b[j];
            q += a[i] * ra + b[i] * rb;
        }
        ent[v] = q + o->qc;
        for (int i = 0; i < n; i++) {
            y[i * nv + v] = b[i];
            sum[i * nv + v] += w * b[i];
            if (cov)
                for (int j = i; j < n; j++) sum2[ou_pair((size_t)n, (size_t)i, (size_t)j) * nv + v] += w * b[i] * b[j];
        }
    }
}

/* The hot loop (checked packed by tests/tools/vec_check.sh). */
__attribute__((noinline)) void ou_lanes_step(const ou *restrict o, double w, size_t nv, vd *restrict y,
                                             const vd *restrict z, vd *restrict sum, vd *restrict sum2,
                                             vd *restrict ent)
{
#define OU_CASE(N)                                                                                           \
    case N:                                                                                                  \
        if (sum2) step_body(N, 1, nv, o, w, y, z, sum, sum2, ent);                                           \
        else step_body(N, 0, nv, o, w, y, z, sum, sum2, ent);                                                \
        return;
    switch (o->n) {
        OU_CASE(1)
        OU_CASE(2)
        OU_CASE(3)
        OU_CASE(4)
    default:
        if (sum2) step_body(o->n, 1, nv, o, w, y, z, sum, sum2, ent);
        else step_body(o->n, 0, nv, o, w, y, z, sum, sum2, ent);
    }
#undef OU_CASE
}

/* Lanes first .. first + nv VW - 1 through the window. */
static void run_lanes(const ou *o, const tl_stream_key *key, uint64_t first, lanes *s)
{
    int n = o->n;
    size_t nv = s->nv;
    uint32_t nb = (uint32_t)ou_blocks_per_step(n);
    if (o->initial_steady) {
        draw(key, TL_PURPOSE_INITIAL, first, 0, n, nv, s->z);
        transition(n, nv, NULL, o->l_c, s->y, s->z); /* y0 = L_C z */
    } else {
        for (int i = 0; i < n; i++)
            for (size_t v = 0; v < nv; v++) s->y[i * nv + v] = (vd){0} - o->m[i]; /* s = 0 */
    }
    if (o->e_tr) {
        draw(key, TL_PURPOSE_INITIAL, first, nb, n, nv, s->z);
        transition(n, nv, o->e_tr, o->l_tr, s->y, s->z);
    }
    memset(s->sum, 0, (size_t)n * nv * sizeof(vd));
    if (s->sum2) memset(s->sum2, 0, ou_n_pairs((size_t)n) * nv * sizeof(vd));
    memset(s->ent, 0, nv * sizeof(vd));
    add_sample(n, nv, 0.5, s->y, s->sum, s->sum2);
    for (long k = 0; k < o->steps; k++) {
        draw(key, TL_PURPOSE_DYNAMICS, first, (uint32_t)k * nb, n, nv, s->z);
        ou_lanes_step(o, k + 1 == o->steps ? 0.5 : 1.0, nv, s->y, s->z, s->sum, s->sum2, s->ent);
    }
}

/* Lane b of a row of vectors. */
static double lane(const vd *row, size_t b)
{
    return row[b / VW][b % VW];
}

double ou_trajectory(const ou *o, const tl_stream_key *key, uint64_t t, double *mean, double *cov)
{
    int n = o->n;
    lanes s;
    lanes_alloc(&s, n, 1, cov != NULL);
    run_lanes(o, key, t, &s);
    size_t nv = s.nv;
    if (mean)
        for (int i = 0; i < n; i++) mean[i] = o->m[i] + lane(s.sum + i * nv, 0) / o->steps;
    if (cov)
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                cov[i * n + j] = cov[j * n + i] = lane(s.sum2 + ou_pair((size_t)n, (size_t)i, (size_t)j) * nv, 0) / o->steps;
    double entropy = lane(s.ent, 0);
    lanes_free(&s);
    return entropy;
}

void ou_simulate_batch(const ou *o, const tl_stream_key *key, uint64_t first, size_t count,
                       double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    size_t n = (size_t)o->n, pairs = ou_n_pairs(n);
    double *pm = profile[OU_PROFILE_MEAN], *pc = profile[OU_PROFILE_COV];
    lanes s;
    lanes_alloc(&s, o->n, count, pc != NULL);
    size_t nv = s.nv;
    for (size_t b0 = 0; b0 < count; b0 += nv * VW) {
        run_lanes(o, key, first + b0, &s); /* lanes past count (at most VW - 1) are computed and dropped */
        size_t m = count - b0 < nv * VW ? count - b0 : nv * VW;
        for (size_t b = 0; b < m; b++) {
            double ep = lane(s.ent, b);
            out[OU_OBS_EP][b0 + b] = ep;
            out[OU_OBS_EP_RATE][b0 + b] = ep / o->window;
            if (pm)
                for (size_t i = 0; i < n; i++) pm[i * count + b0 + b] = o->m[i] + lane(s.sum + i * nv, b) / o->steps;
            if (pc)
                for (size_t p = 0; p < pairs; p++) pc[p * count + b0 + b] = lane(s.sum2 + p * nv, b) / o->steps;
        }
    }
    lanes_free(&s);
}
