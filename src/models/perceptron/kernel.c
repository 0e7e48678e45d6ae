/* The perceptron dynamics: exact Ornstein-Uhlenbeck pieces, disorder by BLAS,
 * predicted labels.
 *
 * Every trajectory has its own disorder, so the O(N P) work of a trajectory
 * (the Hebbian field F = Xi^T sigma_T / sqrt(N) and the stabilities
 * Delta = sigma_T Xi w / sqrt(N)) is matrix-vector work on blocks of rows of
 * Xi, generated from the counter-based stream and handed to BLAS (GSL's CBLAS
 * interface; link an optimised BLAS in its place for speed).  The weights are
 * then integrated piece by piece: O(N) per piece, loops over the weights.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "perceptron.h"
#include "thermolearn/error.h"

/* OpenBLAS (make OPENBLAS=1) would start a thread per core in every rank:
 * one thread per rank, set where it is linked (a weak reference: null with
 * GSL's CBLAS). */
extern void openblas_set_num_threads(int) __attribute__((weak));

#define ROWS 32          /* rows of Xi per BLAS call */
#define WINDOW_MEMORY 20 /* label window: 2 gamma L >= 40 memory decays */
#define WINDOW_STEPS 200

/* Purposes of the model's own streams. */
enum { PURPOSE_LABELS = TL_PURPOSE_MODEL, PURPOSE_SWITCH, PURPOSE_LABEL_NOISE };

/* ---- one exact piece ------------------------------------------------------------ */

/* Conditional variance of int_0^delta X given X(delta), in units of T: the
 * closed form cancels badly for small delta, so long double there and the
 * series below 1e-3. */
static double integral_variance(double d)
{
    if (d < 1e-3) return d * d * d / 6.0 * (1.0 - d * d / 10.0);
    long double p = -expm1l(-(long double)d), q = -expm1l(-2.0L * d);
    return (double)(2.0L * d - 4.0L * p + q - p * p * p * p / q);
}

void perceptron_step_init(perceptron_step *st, double delta, double temperature)
{
    double p = -expm1(-delta), q = -expm1(-2.0 * delta);
    st->delta = delta;
    st->decay = 1.0 - p;
    st->mean_a = p;
    st->mean_b = delta - p;
    st->sd_end = sqrt(temperature * q);
    st->int_decay = p;
    st->int_a = delta - p;
    st->int_b = 0.5 * delta * delta - delta + p;
    st->reg = q > 0 ? p * p / q : 0.0; /* Cov(X, Y) / Var(X) */
    st->sd_int = sqrt(temperature * fmax(integral_variance(delta), 0.0));
}

/* w(delta) = e^-d w0 + a p + b (d - p) + X,
 * int w = w0 p + a (d - p) + b (d^2/2 - d + p) + Y, (X, Y) jointly Gaussian. */
void perceptron_step_apply(const perceptron_step *st, double w0, double a, double b, double z1,
                           double z2, double *w1, double *integral)
{
    double x = st->sd_end * z1;
    *w1 = st->decay * w0 + a * st->mean_a + b * st->mean_b + x;
    *integral = w0 * st->int_decay + a * st->int_a + b * st->int_b + st->reg * x + st->sd_int * z2;
}

/* ---- disorder ---------------------------------------------------------------------- */

static tl_stream_key disorder_key(const perceptron *pc, uint32_t direction)
{
    tl_stream_key k = {pc->disorder_seed, pc->point, direction};
    return k;
}

/* The 128 bits of one Philox block as +1 (bit set) / -1, into out[0..count-1]. */
static void bits_to_signs(philox4x32_ctr_t r, float *out, int count)
{
    for (int j = 0; j < 4 && j * 32 < count; j++) {
        uint32_t w = r.v[j];
        int m = count - j * 32 < 32 ? count - j * 32 : 32;
        for (int k = 0; k < m; k++) out[j * 32 + k] = (float)(int)((w >> k) & 1u) * 2.0f - 1.0f;
    }
}

static void sample_row_float(const perceptron *pc, uint32_t direction, uint64_t traj, int mu, float *row)
{
    tl_stream_key key = disorder_key(pc, direction);
    philox4x32_key_t k = tl_stream_philox_key(key.seed);
    uint32_t per_row = (uint32_t)((pc->n + 127) / 128);
    for (uint32_t w = 0; w < per_row; w++) {
        philox4x32_ctr_t c = tl_stream_counter(&key, TL_PURPOSE_DISORDER, traj, (uint32_t)mu * per_row + w);
        int left = pc->n - (int)w * 128;
        bits_to_signs(philox4x32(c, k), row + w * 128, left < 128 ? left : 128);
    }
}

void perceptron_sample_row(const perceptron *pc, uint32_t direction, uint64_t traj, int mu, double *row)
{
    float *tmp = tl_malloc((size_t)pc->n * sizeof *tmp, "sample row");
    sample_row_float(pc, direction, traj, mu, tmp);
    for (int i = 0; i < pc->n; i++) row[i] = tmp[i];
    free(tmp);
}

static void sample_rows(const perceptron *pc, uint32_t direction, uint64_t traj, int mu0, int rows,
                        float *chunk)
{
    for (int r = 0; r < rows; r++) sample_row_float(pc, direction, traj, mu0 + r, chunk + (size_t)r * pc->n);
}

/* Signs are +-1, so single precision holds them and every integer sum below
 * 2^24 exactly, and halves the memory traffic of the O(N P) passes. */
void perceptron_disorder(const perceptron *pc, uint32_t direction, uint64_t traj, double *labels,
                         double *field)
{
    tl_stream_key key = disorder_key(pc, direction);
    philox4x32_key_t k = tl_stream_philox_key(key.seed);
    int n = pc->n, p = pc->p;
    float *chunk = tl_malloc((size_t)ROWS * n * sizeof *chunk, "sample rows");
    float *sums = tl_calloc((size_t)n, sizeof *sums, "field"), *signs = tl_malloc((size_t)p * sizeof *signs, "labels");
    for (int b = 0; b * 128 < p; b++) {
        philox4x32_ctr_t c = tl_stream_counter(&key, PURPOSE_LABELS, traj, (uint32_t)b);
        int left = p - b * 128;
        bits_to_signs(philox4x32(c, k), signs + b * 128, left < 128 ? left : 128);
    }
    for (int mu = 0; mu < p; mu++) labels[mu] = signs[mu];
    for (int mu = 0; mu < p; mu += ROWS) {
        int rows = p - mu < ROWS ? p - mu : ROWS;
        sample_rows(pc, direction, traj, mu, rows, chunk);
        /* sqrt(N) F += Xi_rows^T sigma_rows: integer sums (|sum| <= P < 2^24), exact in any order */
        cblas_sgemv(CblasRowMajor, CblasTrans, rows, n, 1.0f, chunk, n, signs + mu, 1, 1.0f, sums, 1);
    }
    double scale = 1.0 / sqrt((double)n);
    for (int i = 0; i < n; i++) field[i] = sums[i] * scale;
    free(chunk), free(sums), free(signs);
}

/* Stabilities Delta^mu = sigma^mu xi^mu . w / sqrt(N) and h^mu = sigma^mu xi^mu . F / sqrt(N),
 * one BLAS matrix product per block of rows: [Delta h] = Xi [w F].  F enters
 * as the integers sqrt(N) F (exact); w in single precision (relative error
 * 1e-7 per term, far below the thermal scale of Delta). */
static void stabilities(const perceptron *pc, uint32_t direction, uint64_t traj, const double *labels,
                        const double *w, const double *field, double *delta, double *h)
{
    int n = pc->n;
    float *chunk = tl_malloc((size_t)ROWS * n * sizeof *chunk, "sample rows");
    float *wf = tl_malloc((size_t)2 * n * sizeof *wf, "weights and field"), out[2 * ROWS];
    double root = sqrt((double)n), scale = 1.0 / root;
    for (int i = 0; i < n; i++) wf[2 * i] = (float)w[i], wf[2 * i + 1] = (float)nearbyint(field[i] * root);
    for (int mu = 0; mu < pc->p; mu += ROWS) {
        int rows = pc->p - mu < ROWS ? pc->p - mu : ROWS;
        sample_rows(pc, direction, traj, mu, rows, chunk);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, 2, n, 1.0f, chunk, n, wf, 2, 0.0f, out, 2);
        for (int r = 0; r < rows; r++) {
            delta[mu + r] = labels[mu + r] * out[2 * r] * scale;
            h[mu + r] = labels[mu + r] * out[2 * r + 1] * scale * scale; /* xi . (sqrt(N) F) / N */
        }
    }
    free(chunk);
    free(wf);
}

/* ---- the protocol as pieces ----------------------------------------------------------- */

/* On a piece the trap centre is c_n(u) = (a + b u) v_n, with v = nu F (batch) or
 * nu (P / sqrt N) sigma^mu xi^mu (online, mu = the piece's sample). */
typedef struct {
    double delta, a, b;
    int64_t interval; /* online: which interval, for its sample */
} piece;

/* Forward pieces: the ramp and the plateau (batch), cut at the interval
 * boundaries (online).  The reverse process runs them backwards. */
static size_t forward_pieces(const perceptron *pc, piece *out)
{
    size_t n = 0;
    double t = pc->time, tau = pc->tau;
    int64_t k_max = pc->learning == PERCEPTRON_ONLINE ? pc->intervals : 1;
    for (int64_t k = 0; k < k_max; k++) {
        double s0 = t * (double)k / (double)k_max, s1 = k + 1 == k_max ? t : t * (double)(k + 1) / (double)k_max;
        double cuts[3] = {s0, s1, s1};
        int m = 2;
        if (tau > s0 && tau < s1) cuts[1] = tau, cuts[2] = s1, m = 3;
        for (int j = 0; j + 1 < m; j++) {
            double u0 = cuts[j], u1 = cuts[j + 1];
            if (!(u1 > u0)) continue;
            int ramp = u0 < tau;
            out[n++] = (piece){u1 - u0, ramp ? u0 / tau : 1.0, ramp ? 1.0 / tau : 0.0, k};
        }
    }
    return n;
}

static size_t protocol_pieces(const perceptron *pc, int reverse, piece *out)
{
    size_t n = forward_pieces(pc, out);
    if (!reverse) return n;
    for (size_t i = 0; i < n / 2; i++) {
        piece tmp = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = tmp;
    }
    for (size_t i = 0; i < n; i++) {
        out[i].a += out[i].b * out[i].delta; /* start at the forward piece's end */
        out[i].b = -out[i].b;
    }
    return n;
}

static size_t max_pieces(const perceptron *pc)
{
    return (size_t)(pc->learning == PERCEPTRON_ONLINE ? pc->intervals : 1) + 2;
}

/* ---- a tile of trajectories -------------------------------------------------------
 * The weights of up to TILE trajectories are integrated side by side: w[i][l]
 * and v[i][l] with the lane l (trajectory) innermost, so every loop over the
 * weights runs on vectors across trajectories (GCC/clang vector types, vd:
 * VD doubles), and the two Gaussians of weight i in piece j of all lanes
 * come from one call of tl_stream_gaussians (block j N + i of the dynamics
 * stream, Box-Muller across the lanes).  Each lane does exactly the double
 * operations of the scalar formulas in the same order (no contraction), so a
 * trajectory's numbers do not depend on its tile, its lane or the target. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
#if defined(__AVX512F__)
#define VD 8
#else
#define VD 4
#endif
#define TILE 32
_Static_assert(TILE % VD == 0, "a tile is a whole number of vectors");
typedef double vd __attribute__((vector_size(VD * sizeof(double))));

static inline vd vd_load(const double *p)
{
    vd v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void vd_store(double *p, vd v)
{
    memcpy(p, &v, sizeof v);
}

typedef struct {
    int lanes;          /* a multiple of VD; lanes >= active are padding */
    int active;
    uint64_t first;     /* trajectory of lane 0 */
    double *w, *v, *w0; /* [n][lanes] */
    double *z;          /* [2][lanes]: one block of Gaussians */
    double work[TILE], e[TILE], prev[TILE];
    double *labels, *field;                            /* [lanes][p], [lanes][n] */
    double *rows;                                      /* [lanes][n]: force directions */
    double *delta, *h, *window_m, *w_lane, *w0_lane;   /* one trajectory's */
    piece *pieces;
} workspace;

/* e[l] = E(w, v; a) of every lane: sum_i (w - a v)^2 / 2, in i order.  One
 * pass over the rows with every lane's sum in registers: a pass per vector of
 * lanes would read each row's cache lines TILE / VD times (twice as often
 * with AVX2 as with AVX-512). */
static __attribute__((noinline)) void tile_energy(const workspace *ws, int n, double a, double *e)
{
    const int L = ws->lanes;
    vd acc[TILE / VD];
    memset(acc, 0, sizeof acc);
    for (int i = 0; i < n; i++) {
        const double *w = ws->w + (size_t)i * L, *v = ws->v + (size_t)i * L;
        for (int k = 0; k < L / VD; k++) {
            vd x = vd_load(w + k * VD) - a * vd_load(v + k * VD);
            acc[k] += x * x;
        }
    }
    for (int k = 0; k < L / VD; k++) vd_store(e + k * VD, 0.5 * acc[k]);
}

/* One exact piece (number `index` of the run) for every weight of every lane;
 * the piece's work is added to work[].  Not inlined, so that `make vec-check`
 * can find it (and tile_energy) in the object and see that it is packed. */
static __attribute__((noinline)) void tile_piece(const perceptron_step *step, const tl_stream_key *key,
                                                  const piece *pp, uint32_t index, int n, workspace *ws)
{
    const int L = ws->lanes;
    const perceptron_step st = *step;
    const double d = pp->delta;
    vd pw[TILE / VD];
    memset(pw, 0, sizeof pw);
    for (int i = 0; i < n; i++) {
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, ws->first, index * (uint32_t)n + (uint32_t)i, (size_t)L, ws->z);
        double *w = ws->w + (size_t)i * L;
        const double *v = ws->v + (size_t)i * L;
        for (int k = 0; k < L / VD; k++) {
            vd vv = vd_load(v + k * VD), w0 = vd_load(w + k * VD);
            vd z1 = vd_load(ws->z + k * VD), z2 = vd_load(ws->z + L + k * VD);
            vd a = pp->a * vv, b = pp->b * vv;
            /* perceptron_step_apply, term by term */
            vd x = st.sd_end * z1;
            vd w1 = st.decay * w0 + a * st.mean_a + b * st.mean_b + x;
            vd integral = w0 * st.int_decay + a * st.int_a + b * st.int_b + st.reg * x + st.sd_int * z2;
            /* dW = -b_n int (w_n - c_n) du */
            pw[k] -= b * (integral - (a * d + 0.5 * b * d * d));
            vd_store(w + k * VD, w1);
        }
    }
    for (int k = 0; k < L / VD; k++) vd_store(ws->work + k * VD, vd_load(ws->work + k * VD) + pw[k]);
}

/* The force direction of lane l for piece pp (nu F, or the piece's sample
 * when online) into vec[0..n-1]. */
static void lane_vector(const perceptron *pc, const tl_stream_key *key, const piece *pp, int l, workspace *ws,
                        double *vec)
{
    const int n = pc->n;
    uint64_t traj = ws->first + (uint64_t)l;
    if (pc->learning == PERCEPTRON_BATCH) {
        for (int i = 0; i < n; i++) vec[i] = pc->nu * ws->field[(size_t)l * n + i];
    } else {
        philox4x32_ctr_t c = tl_stream_counter(key, PURPOSE_SWITCH, traj, (uint32_t)pp->interval);
        philox4x32_ctr_t r = philox4x32(c, tl_stream_philox_key(key->seed));
        int mu = (int)(tl_uniform_double(r.v[0], r.v[1]) * pc->p);
        if (mu >= pc->p) mu = pc->p - 1;
        perceptron_sample_row(pc, key->direction, traj, mu, vec);
        double s = pc->nu * pc->p / sqrt((double)n) * ws->labels[(size_t)l * pc->p + mu];
        for (int i = 0; i < n; i++) vec[i] *= s;
    }
}

/* The force directions of every active lane into v: built lane by lane into
 * rows[l][i], then transposed in one pass over v, a cache line of rows (8
 * weights) of every lane at a time (a column written straight into v would
 * touch a cache line of every row of v per lane). */
static void tile_vectors(const perceptron *pc, const tl_stream_key *key, const piece *pp, workspace *ws)
{
    const int n = pc->n, L = ws->lanes, active = ws->active;
    for (int l = 0; l < active; l++) lane_vector(pc, key, pp, l, ws, ws->rows + (size_t)l * n);
    for (int i0 = 0; i0 < n; i0 += 8) {
        const int m = n - i0 < 8 ? n - i0 : 8;
        double *v = ws->v + (size_t)i0 * L;
        for (int l = 0; l < active; l++) {
            const double *r = ws->rows + (size_t)l * n + i0;
            for (int k = 0; k < m; k++) v[(size_t)k * L + l] = r[k];
        }
    }
}

/* Integrate the weights of the tile through every piece; work[] gets each lane's work. */
static void tile_run_pieces(const perceptron *pc, const tl_stream_key *key, size_t n_pieces, workspace *ws)
{
    const int n = pc->n;
    double prev_a = 0;
    int have_prev = 0;
    memset(ws->work, 0, sizeof ws->work);
    for (size_t j = 0; j < n_pieces; j++) {
        const piece *pp = &ws->pieces[j];
        int new_vector = pc->learning == PERCEPTRON_ONLINE && (j == 0 || pp->interval != ws->pieces[j - 1].interval);
        if (new_vector || j == 0) {
            /* a sudden change of the trap centre is work: E(after) - E(before) */
            if (have_prev) tile_energy(ws, n, prev_a, ws->prev);
            tile_vectors(pc, key, pp, ws);
            if (have_prev) {
                tile_energy(ws, n, pp->a, ws->e);
                for (int l = 0; l < ws->active; l++) ws->work[l] += ws->e[l] - ws->prev[l];
            }
        }
        perceptron_step st;
        perceptron_step_init(&st, pp->delta, pc->temperature);
        tile_piece(&st, key, pp, (uint32_t)j, n, ws);
        prev_a = pp->a + pp->b * pp->delta;
        have_prev = 1;
    }
}

double perceptron_label_relax(double q, double delta_mid, double rate, double temperature, double dt)
{
    double x = fmin(fmax(delta_mid / temperature, -600.0), 600.0);
    double q_eq = 1.0 / (1.0 + exp(-x));
    double kappa = rate * 2.0 * cosh(0.5 * x);
    return q_eq + (q - q_eq) * exp(-kappa * dt);
}

/* P(sigma^mu = sigma_T^mu | path), averaged over mu.  Adiabatic: the
 * stationary value at Delta(t).  Finite rate (batch): Delta^mu(s) = nu h^mu M(s)
 * + Y(s) with Y a stationary, reversible OU of variance T, so the window
 * before t is drawn backwards from Y(t) exactly and the two-state master
 * equation integrated forwards over it. */
static double p_correct(const perceptron *pc, const tl_stream_key *key, uint64_t traj, workspace *ws)
{
    double sum = 0, T = pc->temperature;
    int window = pc->label_rate < PERCEPTRON_ADIABATIC_RATE && pc->learning == PERCEPTRON_BATCH;
    if (!window) {
        for (int mu = 0; mu < pc->p; mu++) sum += 1.0 / (1.0 + exp(-ws->delta[mu] / T));
        return sum / pc->p;
    }
    double length = fmin(pc->time, WINDOW_MEMORY / pc->label_rate), dt = length / WINDOW_STEPS;
    int from_start = length >= pc->time;
    for (int k = 0; k <= WINDOW_STEPS; k++)
        ws->window_m[k] = pc->nu * perceptron_mean_factor(pc, (int)key->direction, pc->time - k * dt);
    double decay = exp(-dt), sd = sqrt(T * -expm1(-2.0 * dt));
    gsl_rng *r = tl_stream_gsl_alloc(key, PURPOSE_LABEL_NOISE, traj);
    double *path = ws->window_m + WINDOW_STEPS + 1;
    for (int mu = 0; mu < pc->p; mu++) {
        double y = ws->delta[mu] - ws->h[mu] * ws->window_m[0];
        path[0] = ws->delta[mu];
        for (int k = 1; k <= WINDOW_STEPS; k++) {
            y = decay * y + sd * gsl_ran_gaussian_ziggurat(r, 1.0);
            path[k] = y + ws->h[mu] * ws->window_m[k];
        }
        double q = from_start ? 0.5 : 1.0 / (1.0 + exp(-path[WINDOW_STEPS] / T));
        for (int k = WINDOW_STEPS - 1; k >= 0; k--)
            q = perceptron_label_relax(q, 0.5 * (path[k] + path[k + 1]), pc->label_rate, T, dt);
        sum += q;
    }
    gsl_rng_free(r);
    return sum / pc->p;
}

/* The trajectories first .. first + active - 1 as one tile; their
 * observables into out[o][offset + l]. */
static void tile_run(const perceptron *pc, const tl_stream_key *key, size_t n_pieces, workspace *ws,
                     double *const out[TL_MAX_OBSERVABLES], size_t offset, double *w_initial, double *w_final)
{
    const int n = pc->n, p = pc->p, L = ws->lanes, reverse = key->direction == 1;
    const size_t N = (size_t)n;
    memset(ws->v, 0, N * L * sizeof(double));
    for (int l = 0; l < ws->active; l++)
        perceptron_disorder(pc, key->direction, ws->first + l, ws->labels + (size_t)l * p, ws->field + N * l);
    /* initial equilibrium in the trap at the protocol's start: weight i from
     * member i % 2 of block i / 2 of the initial stream */
    double a0 = ws->pieces[0].a, sd = sqrt(pc->temperature);
    tile_vectors(pc, key, &ws->pieces[0], ws);
    for (int i = 0; i < n; i += 2) {
        tl_stream_gaussians(key, TL_PURPOSE_INITIAL, ws->first, (uint32_t)(i / 2), (size_t)L, ws->z);
        for (int m = 0; m < 2 && i + m < n; m++)
            for (int l = 0; l < L; l++) {
                size_t at = (size_t)(i + m) * L + l;
                ws->w[at] = a0 * ws->v[at] + sd * ws->z[m * L + l];
            }
    }
    memcpy(ws->w0, ws->w, N * L * sizeof(double));
    double e0[TILE], e1[TILE];
    tile_energy(ws, n, a0, e0);

    tile_run_pieces(pc, key, n_pieces, ws);
    const piece *last = &ws->pieces[n_pieces - 1];
    tile_energy(ws, n, last->a + last->b * last->delta, e1);

    for (int l = 0; l < ws->active; l++) {
        double *w = ws->w_lane, *w0 = ws->w0_lane, obs[PERCEPTRON_N_OBS];
        for (int i = 0; i < n; i++) w[i] = ws->w[(size_t)i * L + l], w0[i] = ws->w0[(size_t)i * L + l];
        double s0 = 0, s1 = 0, ent = 0;
        for (int i = 0; i < n; i++) {
            s0 += w0[i] * w0[i];
            s1 += w[i] * w[i];
            ent -= perceptron_log_density(pc, reverse, 1, w[i]) - perceptron_log_density(pc, reverse, 0, w0[i]);
        }
        uint64_t traj = ws->first + (uint64_t)l;
        stabilities(pc, key->direction, traj, ws->labels + (size_t)l * p, w, ws->field + N * l, ws->delta, ws->h);
        obs[PERCEPTRON_OBS_WORK] = ws->work[l];
        obs[PERCEPTRON_OBS_HEAT] = e1[l] - e0[l] - ws->work[l];
        obs[PERCEPTRON_OBS_P_CORRECT] = p_correct(pc, key, traj, ws);
        obs[PERCEPTRON_OBS_W2_INITIAL] = s0 / n;
        obs[PERCEPTRON_OBS_W2_FINAL] = s1 / n;
        obs[PERCEPTRON_OBS_ENTROPY] = ent / n;
        for (int o = 0; o < PERCEPTRON_N_OBS; o++) out[o][offset + l] = obs[o];
        if (w_initial) memcpy(w_initial + (offset + l) * N, w0, N * sizeof(double));
        if (w_final) memcpy(w_final + (offset + l) * N, w, N * sizeof(double));
    }
}

void perceptron_simulate_batch(const perceptron *pc, const tl_stream_key *key, uint64_t first,
                               size_t count, double *const out[TL_MAX_OBSERVABLES], double *w_initial,
                               double *w_final)
{
    size_t n = (size_t)pc->n, p = (size_t)pc->p;
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    workspace ws;
    ws.pieces = tl_malloc(max_pieces(pc) * 2 * sizeof(piece), "pieces");
    size_t n_pieces = protocol_pieces(pc, key->direction == 1, ws.pieces);
    /* the dynamics stream's blocks j N + i must fit its 32-bit block word */
    if ((double)n_pieces * (double)n > 4294967295.0)
        error("perceptron: %zu pieces x N = %zu weights exceed the 2^32 blocks of a stream", n_pieces, n);
    size_t lanes = count < TILE ? (count + VD - 1) / VD * VD : TILE;
    ws.lanes = (int)lanes;
    ws.w = tl_malloc(n * lanes * sizeof(double), "weights");
    ws.w0 = tl_malloc(n * lanes * sizeof(double), "weights");
    ws.v = tl_malloc(n * lanes * sizeof(double), "force");
    ws.z = tl_malloc(2 * lanes * sizeof(double), "noise");
    ws.labels = tl_malloc(p * lanes * sizeof(double), "labels");
    ws.field = tl_malloc(n * lanes * sizeof(double), "field");
    ws.rows = tl_malloc(n * lanes * sizeof(double), "force");
    ws.w_lane = tl_malloc(n * sizeof(double), "weights");
    ws.w0_lane = tl_malloc(n * sizeof(double), "weights");
    ws.delta = tl_malloc(p * sizeof(double), "stabilities");
    ws.h = tl_malloc(p * sizeof(double), "stabilities");
    ws.window_m = tl_malloc(2 * (WINDOW_STEPS + 1) * sizeof(double), "label window");
    for (size_t t0 = 0; t0 < count; t0 += lanes) {
        ws.first = first + t0;
        ws.active = (int)(count - t0 < lanes ? count - t0 : lanes);
        tile_run(pc, key, n_pieces, &ws, out, t0, w_initial, w_final);
    }
    free(ws.w), free(ws.w0), free(ws.v), free(ws.z), free(ws.labels), free(ws.field), free(ws.rows);
    free(ws.w_lane), free(ws.w0_lane), free(ws.delta), free(ws.h), free(ws.window_m), free(ws.pieces);
}
