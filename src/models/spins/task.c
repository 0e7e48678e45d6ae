/* Tasks on the spin network (appendix B): readouts on the magnetisations
 * (least squares for G = -MSE, multinomial logistic regression for
 * G = -cross-entropy), the random input-output task, and SPSA optimisation
 * of the couplings for L = G - alpha Sigma (eq. 2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>

#include "spins.h"
#include "thermolearn/error.h"

/* ---- readouts ---------------------------------------------------------------------- */

double spins_readout_mse(size_t M, size_t d, const double *m, const double *y, double *coef)
{
    gsl_matrix_const_view X = gsl_matrix_const_view_array(m, M, d);
    gsl_vector_const_view Y = gsl_vector_const_view_array(y, M);
    gsl_vector_view c = gsl_vector_view_array(coef, d);
    gsl_matrix *cov = gsl_matrix_alloc(d, d);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(M, d);
    double chisq;
    /* SVD-based: rank-deficient magnetisations (frozen or copied spins) are fine */
    gsl_multifit_linear(&X.matrix, &Y.vector, &c.vector, cov, &chisq, w);
    gsl_multifit_linear_free(w);
    gsl_matrix_free(cov);
    return chisq / (double)M;
}

typedef struct {
    size_t M, d, K;
    const double *m;
    const int *labels;
    double ridge;
} ce_problem;

/* Mean cross-entropy + ridge/2 |W|^2 and its gradient (when g != NULL). */
static double ce_eval(const ce_problem *p, const double *wk, double *g)
{
    size_t M = p->M, d = p->d, K = p->K;
    double *z = tl_malloc(K * sizeof *z, "logits"), total = 0;
    if (g) memset(g, 0, K * d * sizeof *g);
    for (size_t mu = 0; mu < M; mu++) {
        const double *x = p->m + mu * d;
        double zmax = -INFINITY, sum = 0;
        for (size_t k = 0; k < K; k++) {
            z[k] = 0;
            for (size_t j = 0; j < d; j++) z[k] += wk[k * d + j] * x[j];
            zmax = fmax(zmax, z[k]);
        }
        for (size_t k = 0; k < K; k++) sum += exp(z[k] - zmax);
        double lse = zmax + log(sum);
        total += lse - z[p->labels[mu]];
        if (g)
            for (size_t k = 0; k < K; k++) {
                double r = exp(z[k] - lse) - (k == (size_t)p->labels[mu]);
                for (size_t j = 0; j < d; j++) g[k * d + j] += r * x[j] / (double)M;
            }
    }
    free(z);
    double f = total / (double)M;
    for (size_t i = 0; i < K * d; i++) {
        f += 0.5 * p->ridge * wk[i] * wk[i];
        if (g) g[i] += p->ridge * wk[i];
    }
    return f;
}

static double ce_f(const gsl_vector *v, void *params)
{
    return ce_eval(params, v->data, NULL);
}

static void ce_df(const gsl_vector *v, void *params, gsl_vector *g)
{
    ce_eval(params, v->data, g->data);
}

static void ce_fdf(const gsl_vector *v, void *params, double *f, gsl_vector *g)
{
    *f = ce_eval(params, v->data, g->data);
}

double spins_readout_ce_objective(size_t M, size_t d, size_t K, const double *m, const int *labels,
                                  double ridge, const double *coef)
{
    ce_problem p = {M, d, K, m, labels, ridge};
    return ce_eval(&p, coef, NULL);
}

double spins_readout_ce(size_t M, size_t d, size_t K, const double *m, const int *labels, double ridge,
                        double *coef)
{
    ce_problem p = {M, d, K, m, labels, ridge};
    size_t n = K * d;
    gsl_multimin_function_fdf fn = {ce_f, ce_df, ce_fdf, n, &p};
    gsl_vector *x = gsl_vector_calloc(n);
    gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
    gsl_multimin_fdfminimizer_set(s, &fn, x, 0.1, 0.1);
    for (int iter = 0; iter < 2000; iter++) {
        if (gsl_multimin_fdfminimizer_iterate(s)) break;
        if (gsl_multimin_test_gradient(s->gradient, 1e-9) == GSL_SUCCESS) break;
    }
    memcpy(coef, s->x->data, n * sizeof *coef);
    gsl_multimin_fdfminimizer_free(s);
    gsl_vector_free(x);
    ce_problem plain = {M, d, K, m, labels, 0};
    return ce_eval(&plain, coef, NULL);
}

/* ---- tasks ------------------------------------------------------------------------------ */

void spins_task_random(spins_task *t, size_t M, size_t classes, uint64_t seed)
{
    size_t N = (size_t)t->chain_length;
    t->M = M;
    t->classes = classes;
    t->x = tl_malloc(M * N * sizeof *t->x, "task inputs");
    t->labels = tl_malloc(M * sizeof *t->labels, "task labels");
    tl_stream_key key = {seed, 0, 0};
    gsl_rng *r = tl_stream_gsl_alloc(&key, TL_PURPOSE_DISORDER, 0);
    for (size_t i = 0; i < M * N; i++) t->x[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (size_t mu = 0; mu < M; mu++) t->labels[mu] = (int)gsl_rng_uniform_int(r, classes);
    gsl_rng_free(r);
    t->y = NULL;
    if (classes == 2) {
        t->y = tl_malloc(M * sizeof *t->y, "task targets");
        for (size_t mu = 0; mu < M; mu++) t->y[mu] = t->labels[mu] ? 1.0 : -1.0;
    }
}

void spins_task_free(spins_task *t)
{
    free(t->x);
    free(t->y);
    free(t->labels);
    free(t->x_test);
    free(t->labels_test);
    t->x = t->y = t->x_test = NULL;
    t->labels = t->labels_test = NULL;
}

/* The first M training rows and T test rows of a dataset, inputs times scale. */
static void task_from_data(spins_task *t, const tl_dataset *train, size_t M, const tl_dataset *test, size_t T,
                           size_t classes, double scale)
{
    size_t N = (size_t)t->chain_length;
    t->M = M, t->M_test = T, t->classes = classes;
    t->x = tl_malloc(M * N * sizeof *t->x, "task inputs");
    t->labels = tl_malloc(M * sizeof *t->labels, "task labels");
    for (size_t i = 0; i < M * N; i++) t->x[i] = scale * train->x[i];
    memcpy(t->labels, train->labels, M * sizeof *t->labels);
    if (T) {
        t->x_test = tl_malloc(T * N * sizeof *t->x_test, "test inputs");
        t->labels_test = tl_malloc(T * sizeof *t->labels_test, "test labels");
        for (size_t i = 0; i < T * N; i++) t->x_test[i] = scale * test->x[i];
        memcpy(t->labels_test, test->labels, T * sizeof *t->labels_test);
    }
    t->y = NULL;
    if (classes == 2) {
        t->y = tl_malloc(M * sizeof *t->y, "task targets");
        for (size_t mu = 0; mu < M; mu++) t->y[mu] = t->labels[mu] ? 1.0 : -1.0;
    }
}

/* Fraction of inputs whose sign of m coef is y (mse readout). */
static double sign_accuracy(size_t M, size_t d, const double *m, const double *y, const double *coef)
{
    size_t right = 0;
    for (size_t mu = 0; mu < M; mu++) {
        double h = 0;
        for (size_t j = 0; j < d; j++) h += coef[j] * m[mu * d + j];
        right += (h > 0) == (y[mu] > 0);
    }
    return (double)right / (double)M;
}

/* Fraction of inputs whose largest logit (W_out m)_k is the label's (ties: the first). */
static double argmax_accuracy(size_t M, size_t d, size_t K, const double *m, const int *labels,
                              const double *coef)
{
    size_t right = 0;
    for (size_t mu = 0; mu < M; mu++) {
        size_t best = 0;
        double top = -INFINITY;
        for (size_t k = 0; k < K; k++) {
            double h = 0;
            for (size_t j = 0; j < d; j++) h += coef[k * d + j] * m[mu * d + j];
            if (h > top) top = h, best = k;
        }
        right += (int)best == labels[mu];
    }
    return (double)right / (double)M;
}

/* Magnetisations m [M][d] with a constant column appended ([M][d+1]) when the readout has a bias. */
static double *features(const spins_task *t, size_t M, size_t d, const double *m, size_t *df)
{
    *df = d + (t->readout == SPINS_READOUT_CE && t->bias);
    double *f = tl_malloc(M * *df * sizeof *f, "readout features");
    for (size_t mu = 0; mu < M; mu++) {
        memcpy(f + mu * *df, m + mu * d, d * sizeof *f);
        if (*df > d) f[mu * *df + d] = 1.0;
    }
    return f;
}

/* Fit the readout on the M training magnetisations and score it; with
 * m_test [M_test][d], score the same readout on the test points too. */
static void readout_fit(const spins_task *t, size_t d, const double *m, const double *m_test,
                        spins_task_score *score)
{
    size_t K = t->readout == SPINS_READOUT_CE ? t->classes : 1, df;
    double *f = features(t, t->M, d, m, &df);
    double *coef = tl_malloc(K * df * sizeof *coef, "readout");
    score->mse = score->cross_entropy = score->test_cross_entropy = score->test_accuracy = NAN;
    if (t->readout == SPINS_READOUT_CE) {
        score->loss = score->cross_entropy = spins_readout_ce(t->M, df, K, f, t->labels, t->ridge, coef);
        score->accuracy = argmax_accuracy(t->M, df, K, f, t->labels, coef);
    } else {
        score->loss = score->mse = spins_readout_mse(t->M, df, f, t->y, coef);
        score->accuracy = sign_accuracy(t->M, df, f, t->y, coef);
    }
    if (m_test && t->M_test) {
        size_t T = t->M_test;
        double *ft = features(t, T, d, m_test, &df);
        if (t->readout == SPINS_READOUT_CE) {
            score->test_cross_entropy = spins_readout_ce_objective(T, df, K, ft, t->labels_test, 0, coef);
            score->test_accuracy = argmax_accuracy(T, df, K, ft, t->labels_test, coef);
        } else {
            double *y = tl_malloc(T * sizeof *y, "test targets");
            for (size_t mu = 0; mu < T; mu++) y[mu] = t->labels_test[mu] ? 1.0 : -1.0;
            score->test_accuracy = sign_accuracy(T, df, ft, y, coef);
            free(y);
        }
        free(ft);
    }
    free(f), free(coef);
}

void spins_task_readout(const spins_task *t, size_t d, const double *m, spins_task_score *score)
{
    readout_fit(t, d, m, NULL, score);
}

/* One trajectory of the system s on each of the inputs x [M][N] (repeated on
 * both chains), trajectory mu from the streams (seed, tag): magnetisations to
 * m [M][2N]; returns the sum of their entropy production rates. */
static double magnetisations(const spins_task *t, spins *s, const double *x, size_t M, uint64_t seed,
                             uint32_t tag, double *m)
{
    int N = t->chain_length, n = 2 * N;
    tl_stream_key key = {seed, tag, 0};
    double total = 0;
    for (size_t mu = 0; mu < M; mu++) {
        for (int i = 0; i < n; i++) s->x[i] = x[mu * N + i % N];
        total += spins_time_average(s, &key, mu, m + mu * n);
    }
    return total;
}

/* Streams of the test points at the optimum: no SPSA step reaches this tag. */
#define TEST_TAG (UINT32_MAX - 1u)

/* spins_task_evaluate, with the test points scored when with_test. */
static void evaluate(const spins_task *t, const double *theta, uint64_t seed, uint32_t tag, int with_test,
                     spins_task_score *score)
{
    int N = t->chain_length, n = 2 * N;
    double *w = tl_malloc((size_t)n * n * sizeof *w, "couplings"), *x = tl_calloc((size_t)n, sizeof *x, "input");
    double *m = tl_malloc(t->M * n * sizeof *m, "magnetisations"), *mt = NULL;
    spins_chain_matrix(N, t->neighbours, theta, w);
    spins *s = spins_alloc_system(n, w, x, t->beta, t->rate, t->time, t->transient, 0, 0);
    s->max_jumps = t->max_jumps;
    double total = magnetisations(t, s, t->x, t->M, seed, tag, m);
    if (with_test && t->M_test) {
        mt = tl_malloc(t->M_test * n * sizeof *mt, "test magnetisations");
        magnetisations(t, s, t->x_test, t->M_test, seed, TEST_TAG, mt);
    }
    readout_fit(t, (size_t)n, m, mt, score);
    score->sigma = total / (double)t->M;
    spins_free(s);
    free(w), free(x), free(m), free(mt);
}

void spins_task_evaluate(const spins_task *t, const double *theta, uint64_t seed, uint32_t tag,
                         spins_task_score *score)
{
    evaluate(t, theta, seed, tag, 0, score);
}

static int imin(int a, int b)
{
    return a < b ? a : b;
}

/* ---- SPSA -------------------------------------------------------------------------------- */

/* The perturbation of step `step`: the stream's draws after those of the
 * steps before it (p per step), so r must have just drawn steps 0 .. step-1. */
static void perturbation(const spins_task *t, const spins_spsa *opt, gsl_rng *r, int p, double *delta)
{
    for (int i = 0; i < p; i++) delta[i] = gsl_rng_uniform_int(r, 2) ? 1.0 : -1.0;
    /* symmetric: a coupling moves with its transpose partner, so W stays W^T */
    for (int i = 0; opt->symmetric && i < p; i++) delta[i] = delta[imin(i, spins_chain_partner(t->neighbours, i))];
}

void spins_spsa_steps(const spins_task *t, const spins_spsa *opt, double *theta, int from, int to)
{
    int p = spins_chain_n_couplings(t->neighbours);
    double *delta = tl_malloc((size_t)p * sizeof *delta, "perturbation");
    double *plus = tl_malloc((size_t)p * sizeof *plus, "theta+"), *minus = tl_malloc((size_t)p * sizeof *minus, "theta-");
    tl_stream_key key = {opt->seed, 0, 0};
    gsl_rng *r = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL, 0);
    /* the perturbations of the steps before: a few draws each, microseconds
     * against the seconds of a step's simulations */
    for (int step = 0; step < from; step++) perturbation(t, opt, r, p, delta);
    double big_a = opt->steps / 10.0;
    for (int step = from; step < to; step++) {
        double a = opt->a / pow(step + 1 + big_a, 0.602), c = opt->c / pow(step + 1, 0.101);
        perturbation(t, opt, r, p, delta);
        for (int i = 0; i < p; i++) {
            plus[i] = theta[i] + c * delta[i];
            minus[i] = theta[i] - c * delta[i];
        }
        /* common random numbers: both sides see the same streams */
        spins_task_score sp, sm;
        spins_task_evaluate(t, plus, opt->seed, (uint32_t)step, &sp);
        spins_task_evaluate(t, minus, opt->seed, (uint32_t)step, &sm);
        double diff = (sp.loss + opt->alpha * sp.sigma) - (sm.loss + opt->alpha * sm.sigma);
        for (int i = 0; i < p; i++) {
            double change = -a * diff / (2 * c) * delta[i];
            theta[i] += fmax(-opt->max_step, fmin(opt->max_step, change));
        }
    }
    gsl_rng_free(r);
    free(delta), free(plus), free(minus);
}

void spins_spsa_score(const spins_task *t, const spins_spsa *opt, const double *theta, spins_task_score *score)
{
    /* the optimum on streams the optimisation never saw */
    evaluate(t, theta, opt->seed, UINT32_MAX, 1, score);
}

void spins_spsa_run(const spins_task *t, const spins_spsa *opt, double *theta, spins_task_score *score)
{
    if (opt->symmetric) spins_chain_symmetrise(t->neighbours, theta);
    spins_spsa_steps(t, opt, theta, 0, opt->steps);
    spins_spsa_score(t, opt, theta, score);
}

/* ---- the task of a grid point ------------------------------------------------------------ */

/* The text of every parameter the optimum depends on (malloc'd). */
char *spins_task_key(const tl_point *pt)
{
    static const char *const texts[] = {"couplings", "readout", "dataset", "data_file", "data_labels"};
    static const char *const numbers[] = {"chain_length", "neighbours", "beta", "rate", "patterns", "task_seed",
                                          "classes", "ridge", "alpha", "init_seed", "init_scale", "spsa_steps",
                                          "spsa_a", "spsa_c", "spsa_max_step", "task_time", "task_transient",
                                          "samples", "test_samples", "input_scale", "bias", "symmetric",
                                          "task_max_jumps"};
    size_t len = 64 * (sizeof numbers / sizeof numbers[0]) + 64, at = 0;
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) len += strlen(tl_point_string(pt, texts[k])) + 16;
    char *key = tl_malloc(len, "task key");
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
        at += (size_t)snprintf(key + at, len - at, "%s=%s;", texts[k], tl_point_string(pt, texts[k]));
    for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
        at += (size_t)snprintf(key + at, len - at, "%s=%.17g;", numbers[k], tl_point_real(pt, numbers[k]));
    return key;
}

static void initial_couplings(const tl_point *pt, int p, double *theta)
{
    const char *text = tl_point_string(pt, "couplings");
    if (text[0] != '\0') {
        char *end;
        for (int i = 0; i < p; i++, text = end) {
            while (*text == ',' || *text == ' ' || *text == '\t') text++;
            theta[i] = strtod(text, &end);
        }
        return;
    }
    tl_stream_key key = {(uint64_t)tl_point_int(pt, "init_seed"), 0, 0};
    gsl_rng *r = tl_stream_gsl_alloc(&key, TL_PURPOSE_INITIAL, 0);
    double scale = tl_point_real(pt, "init_scale");
    for (int i = 0; i < p; i++) theta[i] = scale * (gsl_rng_uniform(r) - 0.5);
    gsl_rng_free(r);
}

struct spins_task_setup {
    spins_task task;
    spins_spsa opt;
    int steps_per_stage;
    double *theta0;
};

/* The task's data from the point's keys: one constructor per kind of task. */
static void task_build(const tl_point *pt, spins_task *t)
{
    const spins_data *d;
    char why[512];
    switch (spins_point_task(pt)) {
    case 1: /* random */
        spins_task_random(t, (size_t)tl_point_int(pt, "patterns"), (size_t)tl_point_int(pt, "classes"),
                          (uint64_t)tl_point_int(pt, "task_seed"));
        break;
    case 2: /* a dataset, checked when the input was */
        if (spins_data_get(pt, &d, why, sizeof why)) error("%s (it was valid when the input was checked)", why);
        task_from_data(t, d->train, spins_data_train_rows(pt, d), d->test, spins_data_test_rows(pt, d),
                       tl_point_given(pt, "classes") ? (size_t)tl_point_int(pt, "classes") : (size_t)d->train->classes,
                       tl_point_real(pt, "input_scale"));
        break;
    default: error("spins: task_build on a point without a task");
    }
}

spins_task_setup *spins_task_prepare(const tl_point *pt, double *x)
{
    spins_task_setup *su = tl_calloc(1, sizeof *su, "task set-up");
    spins_task *t = &su->task;
    *t = (spins_task){.chain_length = (int)tl_point_int(pt, "chain_length"),
                      .neighbours = (int)tl_point_int(pt, "neighbours"),
                      .beta = tl_point_real(pt, "beta"),
                      .rate = tl_point_real(pt, "rate"),
                      .time = tl_point_real(pt, "task_time"),
                      .transient = tl_point_real(pt, "task_transient"),
                      .readout = tl_point_choice(pt, "readout") == 1 ? SPINS_READOUT_CE : SPINS_READOUT_MSE,
                      .ridge = tl_point_real(pt, "ridge"),
                      .bias = (int)tl_point_int(pt, "bias"),
                      .max_jumps = tl_point_int(pt, "task_max_jumps")};
    task_build(pt, t);
    int N = t->chain_length, p = spins_chain_n_couplings(t->neighbours);
    for (size_t mu = 0; mu < t->M; mu++)
        for (int i = 0; i < 2 * N; i++) x[mu * 2 * N + i] = t->x[mu * N + i % N];
    su->theta0 = tl_malloc((size_t)p * sizeof *su->theta0, "couplings");
    initial_couplings(pt, p, su->theta0);
    su->opt = (spins_spsa){(int)tl_point_int(pt, "spsa_steps"), tl_point_real(pt, "spsa_a"),
                           tl_point_real(pt, "spsa_c"), tl_point_real(pt, "alpha"),
                           tl_point_real(pt, "spsa_max_step"), (uint64_t)tl_point_int(pt, "init_seed"),
                           (int)tl_point_int(pt, "symmetric")};
    su->steps_per_stage = (int)tl_point_int(pt, "spsa_steps_per_unit");
    return su;
}

/* ---- the optimisation in stages -------------------------------------------------------- */

/* Blob: the couplings theta [p], then the score at the optimum (BLOB_SCORE doubles). */
enum { SCORE_LOSS, SCORE_MSE, SCORE_CE, SCORE_ACCURACY, SCORE_SIGMA, SCORE_TEST_CE, SCORE_TEST_ACCURACY, BLOB_SCORE };

static int spsa_stages(int steps, int per)
{
    return (steps + per - 1) / per;
}

size_t spins_task_stages(const tl_point *pt)
{
    if (spins_point_task(pt) == 0) return 0;
    return (size_t)spsa_stages((int)tl_point_int(pt, "spsa_steps"), (int)tl_point_int(pt, "spsa_steps_per_unit")) + 1;
}

size_t spins_task_blob_size(const tl_point *pt)
{
    return (size_t)spins_chain_n_couplings((int)tl_point_int(pt, "neighbours")) + BLOB_SCORE;
}

void spins_task_stage(const spins_task_setup *su, size_t stage, double *blob)
{
    const spins_spsa *opt = &su->opt;
    int p = spins_chain_n_couplings(su->task.neighbours), per = su->steps_per_stage;
    int n_spsa = spsa_stages(opt->steps, per);
    if (stage == 0) { /* the start, as spins_spsa_run */
        memcpy(blob, su->theta0, (size_t)p * sizeof *blob);
        if (opt->symmetric) spins_chain_symmetrise(su->task.neighbours, blob);
    }
    if ((int)stage < n_spsa) {
        int from = (int)stage * per, to = from + per < opt->steps ? from + per : opt->steps;
        spins_spsa_steps(&su->task, opt, blob, from, to);
        return;
    }
    spins_task_score sc;
    spins_spsa_score(&su->task, opt, blob, &sc);
    double *out = blob + p;
    out[SCORE_LOSS] = sc.loss, out[SCORE_MSE] = sc.mse, out[SCORE_CE] = sc.cross_entropy;
    out[SCORE_ACCURACY] = sc.accuracy, out[SCORE_SIGMA] = sc.sigma;
    out[SCORE_TEST_CE] = sc.test_cross_entropy, out[SCORE_TEST_ACCURACY] = sc.test_accuracy;
}

double *spins_task_result(int neighbours, const double *blob, spins_task_score *score)
{
    int p = spins_chain_n_couplings(neighbours);
    double *theta = tl_malloc((size_t)p * sizeof *theta, "couplings");
    memcpy(theta, blob, (size_t)p * sizeof *theta);
    const double *in = blob + p;
    *score = (spins_task_score){.loss = in[SCORE_LOSS], .mse = in[SCORE_MSE], .cross_entropy = in[SCORE_CE],
                                .accuracy = in[SCORE_ACCURACY], .sigma = in[SCORE_SIGMA],
                                .test_cross_entropy = in[SCORE_TEST_CE], .test_accuracy = in[SCORE_TEST_ACCURACY]};
    return theta;
}

double *spins_task_solve(const spins_task_setup *su, spins_task_score *score)
{
    int p = spins_chain_n_couplings(su->task.neighbours);
    size_t stages = (size_t)spsa_stages(su->opt.steps, su->steps_per_stage) + 1;
    double *blob = tl_calloc((size_t)p + BLOB_SCORE, sizeof *blob, "optimisation");
    for (size_t k = 0; k < stages; k++) spins_task_stage(su, k, blob);
    double *theta = spins_task_result(su->task.neighbours, blob, score);
    free(blob);
    return theta;
}

void spins_task_setup_free(spins_task_setup *su)
{
    if (!su) return;
    spins_task_free(&su->task);
    free(su->theta0);
    free(su);
}
