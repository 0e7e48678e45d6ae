/* MNIST-1D (Greydanus & Kobak, "Scaling down deep learning with MNIST-1D",
 * ICML 2024), generated as the upstream Python code does with numpy's legacy
 * RandomState, written from the procedure's description in
 * ../shared/specs/mnist1d.md (no upstream code is copied).
 *
 * Bit-identity with the upstream code run on the same libm rests on doing
 * every floating-point operation in numpy's order: linspace as i*step + a,
 * numpy.interp's slope formula, scipy's symmetric correlation order, numpy's
 * pairwise summation for means and standard deviations, and no fused
 * multiply-add (the Makefile builds src/data with -ffp-contract=off).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mt19937.h"
#include "numpy.h"
#include "thermolearn/dataset.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

#define N_CLASSES 10
#define TEMPLATE_LEN 12
#define FILTER_RADIUS TL_NP_GAUSS_RADIUS

/* The digit templates as drawn upstream: every row starts and ends at 5. */
static const double raw_templates[N_CLASSES][TEMPLATE_LEN] = {
    {5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5},
    {5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5},
    {5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5},
    {5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5},
    {5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5},
    {5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5},
    {5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5},
    {5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5},
    {5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5},
    {5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5},
};

/* ---- the procedure ----------------------------------------------------------------- */

void tl_mnist1d_templates(double x[N_CLASSES][TEMPLATE_LEN], double t[TEMPLATE_LEN])
{
    for (int c = 0; c < N_CLASSES; c++) {
        /* centre, then divide by the std of the centred row (whose mean is a
         * round-off, not 0: it decides the last bit of some values) */
        double mu, sd;
        tl_np_mean_std(raw_templates[c], TEMPLATE_LEN, &mu, &sd);
        for (int i = 0; i < TEMPLATE_LEN; i++) x[c][i] = raw_templates[c][i] - mu;
        tl_np_mean_std(x[c], TEMPLATE_LEN, &mu, &sd);
        for (int i = 0; i < TEMPLATE_LEN; i++) x[c][i] /= sd;
        double first = x[c][0];
        for (int i = 0; i < TEMPLATE_LEN; i++) x[c][i] = (x[c][i] - first) / 6.0;
    }
    tl_np_linspace(-5, 5, TEMPLATE_LEN, t);
    for (int i = 0; i < TEMPLATE_LEN; i++) t[i] /= 6.0;
}

/* Working buffers of one sample (L = template_len + padding_max). */
typedef struct {
    size_t L, out_len;
    double *grid, *buf, *v, *noise, *smooth, *shear, *fine, *final, *ext;
    double w[FILTER_RADIUS + 1];
} workspace;

/* One sample of template tpl into row[out_len], drawing in the upstream
 * order: pad, scale, shift, L correlated normals, L white normals, shear
 * (L = 72 by default). */
static void sample(const tl_mnist1d_args *a, const double tpl[TEMPLATE_LEN], tl_mt19937 *r, workspace *ws,
                   double *row)
{
    size_t L = ws->L;
    /* 1-2: eps, then padding */
    size_t p = (size_t)a->padding_min +
               (size_t)floor(tl_mt19937_uniform(r) * (double)(a->padding_max - a->padding_min + 1));
    size_t len = TEMPLATE_LEN + p;
    for (size_t i = 0; i < len; i++) ws->buf[i] = i < TEMPLATE_LEN ? tpl[i] + 1e-8 : 0.0;
    /* 3: dilate onto L points */
    tl_np_linspace(0, 1, len, ws->grid);
    tl_np_interp(ws->fine, L, ws->grid, ws->buf, len, ws->v);
    /* 4: scale */
    double amplitude = 1 + a->scale_coeff * (tl_mt19937_uniform(r) - 0.5);
    for (size_t i = 0; i < L; i++) ws->v[i] *= amplitude;
    /* 5: circular shift right by k */
    size_t k = tl_mt19937_interval(r, (uint32_t)a->max_translation - 1);
    for (size_t i = 0; i < L; i++) ws->buf[i] = ws->v[(i + L - k) % L];
    /* 6-7: the background (points still exactly 0) takes smoothed noise */
    for (size_t i = 0; i < L; i++) ws->noise[i] = tl_mt19937_gauss(r) * a->corr_noise_scale;
    tl_np_gaussian_filter(ws->noise, L, ws->w, ws->ext, ws->smooth);
    for (size_t i = 0; i < L; i++) {
        double m = ws->buf[i] != 0.0;
        ws->v[i] = m * ws->buf[i] + (1 - m) * ws->smooth[i];
    }
    /* 8: white noise */
    for (size_t i = 0; i < L; i++) ws->v[i] = ws->v[i] + a->iid_noise_scale * tl_mt19937_gauss(r);
    /* 9: shear */
    double c = a->shear_scale * (tl_mt19937_uniform(r) - 0.5);
    for (size_t i = 0; i < L; i++) ws->v[i] = ws->v[i] - c * ws->shear[i];
    /* 10: subsample */
    tl_np_interp(ws->final, ws->out_len, ws->fine, ws->v, L, row);
}

void tl_mnist1d_defaults(tl_mnist1d_args *a)
{
    *a = (tl_mnist1d_args){.num_samples = 5000, .train_split = 0.8, .template_len = 12, .padding_min = 36,
                           .padding_max = 60, .scale_coeff = 0.4, .max_translation = 48,
                           .corr_noise_scale = 0.25, .iid_noise_scale = 0.02, .shear_scale = 0.75,
                           .shuffle_seq = 0, .final_seq_length = 40, .seed = 42};
}

const char *const tl_mnist1d_keys[] = {
    "num_samples", "train_split", "template_len", "padding_min", "padding_max", "scale_coeff",
    "max_translation", "corr_noise_scale", "iid_noise_scale", "shear_scale", "shuffle_seq",
    "final_seq_length", "seed", NULL};

int tl_mnist1d_check(const tl_mnist1d_args *a, char *why, size_t len)
{
#define BAD(...) return snprintf(why, len, __VA_ARGS__), TL_ERR_INPUT
    if (a->num_samples < 10 || a->num_samples > 10000000)
        BAD("num_samples: %d: must be 10 .. 10000000 (num_samples / 10 per class)", a->num_samples);
    if (!(a->train_split >= 0 && a->train_split <= 1)) BAD("train_split: %g: must be in [0, 1]", a->train_split);
    if (a->template_len != TEMPLATE_LEN) BAD("template_len: %d: the templates have 12 points", a->template_len);
    if (a->padding_min < 0 || a->padding_max < a->padding_min || a->padding_max > 4000)
        BAD("padding_min, padding_max: %d, %d: need 0 <= padding_min <= padding_max <= 4000", a->padding_min,
            a->padding_max);
    if (a->max_translation < 1 || a->max_translation > TEMPLATE_LEN + a->padding_max)
        BAD("max_translation: %d: must be 1 .. 12 + padding_max", a->max_translation);
    if (a->final_seq_length < 2 || a->final_seq_length > 100000)
        BAD("final_seq_length: %d: must be 2 .. 100000", a->final_seq_length);
    if (a->shuffle_seq != 0 && a->shuffle_seq != 1) BAD("shuffle_seq: %d: must be 0 or 1", a->shuffle_seq);
    double reals[4] = {a->scale_coeff, a->corr_noise_scale, a->iid_noise_scale, a->shear_scale};
    const char *names[4] = {"scale_coeff", "corr_noise_scale", "iid_noise_scale", "shear_scale"};
    for (int i = 0; i < 4; i++)
        if (!isfinite(reals[i]) || reals[i] < 0 || reals[i] > 1e6) BAD("%s: %g: must be finite and >= 0", names[i], reals[i]);
    return 0;
#undef BAD
}

int tl_mnist1d_canonical(const tl_mnist1d_args *a, char *text, size_t len)
{
    return snprintf(text, len,
                    "generator = mnist1d\nnum_samples = %d\ntrain_split = %.17g\ntemplate_len = %d\n"
                    "padding_min = %d\npadding_max = %d\nscale_coeff = %.17g\nmax_translation = %d\n"
                    "corr_noise_scale = %.17g\niid_noise_scale = %.17g\nshear_scale = %.17g\n"
                    "shuffle_seq = %d\nfinal_seq_length = %d\nseed = %u\n",
                    a->num_samples, a->train_split, a->template_len, a->padding_min, a->padding_max,
                    a->scale_coeff, a->max_translation, a->corr_noise_scale, a->iid_noise_scale, a->shear_scale,
                    a->shuffle_seq, a->final_seq_length, (unsigned)a->seed);
}

int tl_mnist1d_set(tl_mnist1d_args *a, const char *key, const char *value, char *why, size_t len)
{
    char *end;
    int *ints[] = {&a->num_samples, &a->template_len, &a->padding_min, &a->padding_max, &a->max_translation,
                   &a->shuffle_seq, &a->final_seq_length};
    const char *int_keys[] = {"num_samples", "template_len", "padding_min", "padding_max", "max_translation",
                              "shuffle_seq", "final_seq_length"};
    double *reals[] = {&a->train_split, &a->scale_coeff, &a->corr_noise_scale, &a->iid_noise_scale,
                       &a->shear_scale};
    const char *real_keys[] = {"train_split", "scale_coeff", "corr_noise_scale", "iid_noise_scale", "shear_scale"};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        if (strcmp(key, int_keys[i]) == 0) {
            long v = strtol(value, &end, 10);
            if (end == value || *end || v < -1000000000L || v > 1000000000L)
                return snprintf(why, len, "%s: '%s' is not an integer", key, value), TL_ERR_INPUT;
            *ints[i] = (int)v;
            return 0;
        }
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++)
        if (strcmp(key, real_keys[i]) == 0) {
            double v = strtod(value, &end);
            if (end == value || *end || !isfinite(v))
                return snprintf(why, len, "%s: '%s' is not a finite number", key, value), TL_ERR_INPUT;
            *reals[i] = v;
            return 0;
        }
    if (strcmp(key, "seed") == 0) {
        unsigned long long v = strtoull(value, &end, 10);
        if (end == value || *end || value[0] == '-' || v > UINT32_MAX)
            return snprintf(why, len, "seed: '%s': must be an integer 0 .. 4294967295 (numpy's range)", value),
                   TL_ERR_INPUT;
        a->seed = (uint32_t)v;
        return 0;
    }
    return snprintf(why, len, "%s: not a parameter of mnist1d", key), TL_ERR_INPUT;
}

int tl_mnist1d_generate(const tl_mnist1d_args *a, tl_mnist1d *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    if (tl_mnist1d_check(a, why, len)) return TL_ERR_INPUT;
    size_t per_class = (size_t)a->num_samples / N_CLASSES, rows = per_class * N_CLASSES;
    size_t L = TEMPLATE_LEN + (size_t)a->padding_max, F = (size_t)a->final_seq_length;

    double tpl[N_CLASSES][TEMPLATE_LEN], t0[TEMPLATE_LEN];
    tl_mnist1d_templates(tpl, t0);
    workspace ws = {.L = L, .out_len = F};
    double *mem = tl_malloc((8 * L + F + 2 * FILTER_RADIUS) * sizeof *mem, "mnist1d workspace");
    ws.grid = mem, ws.buf = mem + L, ws.v = mem + 2 * L, ws.noise = mem + 3 * L, ws.smooth = mem + 4 * L;
    ws.shear = mem + 5 * L, ws.fine = mem + 6 * L, ws.final = mem + 7 * L;
    ws.ext = mem + 7 * L + F; /* L + 2 FILTER_RADIUS */
    tl_np_linspace(0, 1, L, ws.fine);
    tl_np_linspace(0, 1, F, ws.final);
    tl_np_linspace(-0.5, 0.5, L, ws.shear);
    tl_np_gaussian_weights(ws.w);

    tl_mt19937 r;
    tl_mt19937_seed(&r, a->seed);
    double *x = tl_malloc(rows * F * sizeof *x, "mnist1d rows");
    int *y = tl_malloc(rows * sizeof *y, "mnist1d labels");
    for (size_t c = 0, row = 0; c < N_CLASSES; c++)
        for (size_t s = 0; s < per_class; s++, row++) {
            sample(a, tpl[c], &r, &ws, x + row * F);
            y[row] = (int)c;
        }

    /* the time axis: t0 dilated onto L points, then subsampled like a row */
    double *tgrid = tl_malloc(TEMPLATE_LEN * sizeof *tgrid, "grid");
    tl_np_linspace(0, 1, TEMPLATE_LEN, tgrid);
    tl_np_interp(ws.fine, L, tgrid, t0, TEMPLATE_LEN, ws.v);
    double *t = tl_malloc(F * sizeof *t, "mnist1d t");
    tl_np_interp(ws.final, F, ws.fine, ws.v, L, t);
    free(tgrid);

    /* 11: shuffle the rows; 12: optionally the positions */
    uint32_t *perm = tl_malloc(rows * sizeof *perm, "permutation");
    tl_mt19937_permutation(&r, (uint32_t)rows, perm);
    double *xs = tl_malloc(rows * F * sizeof *xs, "mnist1d rows");
    int *ys = tl_malloc(rows * sizeof *ys, "mnist1d labels");
    for (size_t i = 0; i < rows; i++) {
        memcpy(xs + i * F, x + (size_t)perm[i] * F, F * sizeof *x);
        ys[i] = y[perm[i]];
    }
    if (a->shuffle_seq) {
        uint32_t *cols = tl_malloc(F * sizeof *cols, "permutation");
        tl_mt19937_permutation(&r, (uint32_t)F, cols);
        for (size_t i = 0; i < rows; i++) {
            for (size_t k = 0; k < F; k++) x[i * F + k] = xs[i * F + cols[k]];
            memcpy(xs + i * F, x + i * F, F * sizeof *x);
        }
        free(cols);
    }
    free(perm), free(x), free(y);

    /* 13: normalise by the global mean and std (t by the std only) */
    double mu, sd;
    tl_np_mean_std(xs, rows * F, &mu, &sd);
    for (size_t i = 0; i < rows * F; i++) xs[i] = (xs[i] - mu) / sd;
    for (size_t k = 0; k < F; k++) t[k] /= sd;

    /* 14: split */
    size_t n_train = (size_t)((double)rows * a->train_split);
    char canon[1024];
    tl_mnist1d_canonical(a, canon, sizeof canon);
    char digest[TL_SHA256_HEX];
    tl_sha256 h;
    tl_sha256_init(&h);
    tl_sha256_update(&h, canon, strlen(canon));
    tl_sha256_final_hex(&h, digest);
    tl_dataset *sets[2] = {tl_dataset_alloc("mnist1d train", n_train, F, 1),
                           tl_dataset_alloc("mnist1d test", rows - n_train, F, 1)};
    for (int k = 0; k < 2; k++) {
        size_t first = k ? n_train : 0, count = sets[k]->rows;
        if (count) {
            memcpy(sets[k]->x, xs + first * F, count * F * sizeof *xs);
            memcpy(sets[k]->labels, ys + first, count * sizeof *ys);
        }
        sets[k]->classes = N_CLASSES;
        memcpy(sets[k]->sha256, digest, TL_SHA256_HEX);
    }
    free(xs), free(ys), free(mem);
    out->train = sets[0], out->test = sets[1];
    out->t = t, out->length = F;
    out->draws = r.draws;
    out->mean = mu, out->std = sd;
    return 0;
}

void tl_mnist1d_free(tl_mnist1d *m)
{
    if (!m) return;
    tl_dataset_free(m->train), tl_dataset_free(m->test);
    free(m->t);
    memset(m, 0, sizeof *m);
}
