/* Tests of where f' of G is evaluated (the key fprime_at), through
 * vanchurin_measure on a point built by hand:
 *
 * - per_sample without hidden layers: every sample's log-spectrum is the
 *   closed form +-2 asinh(s/2), s the singular values of that sample's f'w;
 *   the stored spectrum, mu2, mu3 (0: symmetric), sum log lambda (0) and the
 *   histogram are the means of the per-sample closed forms, to round-off;
 * - per_sample with three hidden layers: the means of spectra computed here
 *   one sample at a time; every sample has sum log lambda = 0 (det G = 1),
 *   and mu3 != 0 (a deep net is not symmetric);
 * - with every training sample the same, per_sample, mean_state and
 *   mean_derivative are one f' and give the same measurements to round-off;
 * - bulk: f' at the mean of the bulk-minimised states solved here sample by
 *   sample; sum log lambda = 0; it differs from mean_state once the bulk loss
 *   is below the boundary loss, and without hidden layers (bulk state =
 *   forward state) equals it to round-off.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_close.h"
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>

#include "../../src/models/vanchurin/vanchurin.h"

static gsl_rng *rng;

enum { ROWS = 9, BINS = 40 };

typedef struct {
    vanchurin_point vp;
    vanchurin_net *net;
    vanchurin_batch *bt;
    vanchurin_bulk *bk;
    vanchurin_record *rec;
} fixture;

/* A point of `layers` widths on the synthetic task (ROWS samples, all of them
 * bulk samples), a net with random weights and biases of the given scale. */
static fixture *fixture_alloc(size_t layers, const size_t *width, double scale, int fprime_at)
{
    fixture *fx = calloc(1, sizeof *fx);
    vanchurin_point *vp = &fx->vp;
    vp->layers = layers;
    memcpy(vp->width, width, layers * sizeof(size_t));
    fx->net = vanchurin_net_alloc(layers, width);
    for (size_t p = 0; p < fx->net->n_params; p++) fx->net->params[p] = scale * (2 * gsl_rng_uniform(rng) - 1);
    vp->neurons = fx->net->neurons;
    vp->n_params = fx->net->n_params;
    vp->n_dyn = vanchurin_n_dynamical(fx->net);
    vp->train = vanchurin_synthetic(width[0], width[layers - 1], 0.5, 11, 0, ROWS);
    vp->test = vp->train;
    vp->bulk_samples = ROWS;
    vp->fprime_at = fprime_at;
    vp->n_checkpoints = 1;
    vp->complexity_n = 3;
    vp->n_betas = 2;
    vp->beta[0] = 0.5, vp->beta[1] = 1.5;
    vp->large_factor = 1;
    vp->gap_gamma = 1.0 / 3;
    vp->bins = BINS;
    vp->log_lambda_lo = -10, vp->log_lambda_hi = 10;
    fx->bt = vanchurin_batch_alloc(fx->net, 4); /* smaller than ROWS: several batches */
    fx->bk = vanchurin_bulk_alloc(fx->net, 200, 1e-12);
    fx->rec = vanchurin_record_alloc(vp);
    return fx;
}

static void fixture_free(fixture *fx)
{
    vanchurin_record_free(fx->rec);
    vanchurin_bulk_free(fx->bk);
    vanchurin_batch_free(fx->bt);
    vanchurin_net_free(fx->net);
    vanchurin_data_free(fx->vp.train);
    free(fx);
}

/* f' = sech^2 at sample r's forward state (inputs 1). */
static void sample_fprime(const vanchurin_net *net, const vanchurin_data *d, size_t r, double *fp)
{
    vanchurin_batch *one = vanchurin_batch_alloc(net, 1);
    memcpy(one->h[0], d->x + r * d->inputs, d->inputs * sizeof(double));
    vanchurin_forward(net, one, 1);
    size_t k = 0;
    for (size_t i = 0; i < net->width[0]; i++) fp[k++] = 1.0;
    for (size_t l = 1; l < net->layers; l++)
        for (size_t i = 0; i < net->width[l]; i++) fp[k++] = 1.0 - one->h[l][i] * one->h[l][i];
    vanchurin_batch_free(one);
}

static double sum_power(const double *u, size_t n, int k)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += pow(u[i], k);
    return s;
}

static void test_per_sample_without_hidden_layers(void **state)
{
    const size_t width[2] = {6, 4}, n0 = 6, n1 = 4;
    fixture *fx = fixture_alloc(2, width, 1.5, VANCHURIN_FP_PER_SAMPLE);
    const size_t nd = fx->vp.n_dyn;
    assert_int_equal(nd, 2 * n1);
    vanchurin_measure(&fx->vp, fx->net, fx->bt, fx->bk, fx->rec, 0);
    double mean_u[8] = {0}, mu2 = 0, hist[BINS] = {0}, fp[10];
    for (size_t r = 0; r < ROWS; r++) {
        sample_fprime(fx->net, fx->vp.train, r, fp);
        /* (f'w)^T, n0 x n1: its singular values s give log lambda = +-2 asinh(s/2) */
        gsl_matrix *a = gsl_matrix_alloc(n0, n1), *v = gsl_matrix_alloc(n1, n1);
        gsl_vector *s = gsl_vector_alloc(n1), *work = gsl_vector_alloc(n1);
        for (size_t i = 0; i < n1; i++)
            for (size_t j = 0; j < n0; j++) gsl_matrix_set(a, j, i, fp[n0 + i] * fx->net->w[1][i * n0 + j]);
        gsl_linalg_SV_decomp(a, v, s, work); /* descending */
        double u[8];
        for (size_t i = 0; i < n1; i++) {
            u[i] = 2 * asinh(gsl_vector_get(s, i) / 2);
            u[nd - 1 - i] = -u[i];
        }
        for (size_t i = 0; i < nd; i++) {
            mean_u[i] += u[i] / ROWS;
            hist[(size_t)((u[i] + 10) / 0.5)] += 1.0 / nd / ROWS;
        }
        mu2 += sum_power(u, nd, 2) / ROWS;
        gsl_matrix_free(a), gsl_matrix_free(v), gsl_vector_free(s), gsl_vector_free(work);
    }
    const double *series = fx->rec->series;
    assert_true(mu2 > 0.5);
    assert_close(series[VS_MU2], mu2, 1e-13 * mu2);
    assert_close(series[VS_MU3], 0.0, 1e-13 * mu2);     /* symmetric per sample, so on average */
    assert_close(series[VS_LOG_LAMBDA_SUM], 0.0, 1e-13); /* det G = 1 per sample */
    assert_close(series[VS_NONUNIT], (double)nd, 0);
    for (size_t i = 0; i < nd; i++) assert_close(fx->rec->sorted[i], mean_u[i], 1e-13);
    for (size_t b = 0; b < BINS; b++) assert_close(fx->rec->density[b], hist[b], 1e-14);
    fixture_free(fx);
}

static void test_per_sample_deep(void **state)
{
    const size_t width[5] = {8, 5, 4, 3, 3};
    fixture *fx = fixture_alloc(5, width, 1.2, VANCHURIN_FP_PER_SAMPLE);
    const size_t nd = fx->vp.n_dyn, neurons = fx->vp.neurons;
    vanchurin_measure(&fx->vp, fx->net, fx->bt, fx->bk, fx->rec, 0);
    double *u = malloc(nd * sizeof(double)), *fp = malloc(neurons * sizeof(double));
    double mu2 = 0, mu3 = 0, top = 0;
    for (size_t r = 0; r < ROWS; r++) {
        sample_fprime(fx->net, fx->vp.train, r, fp);
        assert_int_equal(vanchurin_log_spectrum(fx->net, fp, u), 0);
        assert_close(sum_power(u, nd, 1), 0.0, 1e-13); /* det G = 1 for this sample */
        mu2 += sum_power(u, nd, 2) / ROWS;
        mu3 += sum_power(u, nd, 3) / ROWS;
        top += u[0] / ROWS;
    }
    const double *series = fx->rec->series;
    assert_close(series[VS_MU2], mu2, 1e-13 * mu2);
    assert_close(series[VS_MU3], mu3, 1e-13 * mu2);
    assert_close(series[VS_LOG_LAMBDA_MAX], top, 1e-13);
    assert_close(fx->rec->sorted[0], top, 1e-13);
    assert_close(series[VS_LOG_LAMBDA_SUM], 0.0, 1e-13);
    assert_true(fabs(mu3) > 1e-3 * pow(mu2, 1.5)); /* deep: skewed */
    free(u), free(fp);
    fixture_free(fx);
}

/* Every training sample the same: one f' for every choice but unit and bulk. */
static void test_identical_samples(void **state)
{
    const size_t width[4] = {7, 5, 4, 3};
    const int choices[3] = {VANCHURIN_FP_MEAN_STATE, VANCHURIN_FP_MEAN_DERIVATIVE, VANCHURIN_FP_PER_SAMPLE};
    double series[3][VANCHURIN_N_SERIES], sorted[3][32], density[3][BINS], functionals[3][2 * VANCHURIN_N_FUNCTIONALS];
    for (int c = 0; c < 3; c++) {
        gsl_rng_set(rng, 5);
        fixture *fx = fixture_alloc(4, width, 1.0, choices[c]);
        vanchurin_data *d = fx->vp.train;
        for (size_t r = 1; r < ROWS; r++) {
            memcpy(d->x + r * d->inputs, d->x, d->inputs * sizeof(double));
            memcpy(d->y + r * d->outputs, d->y, d->outputs * sizeof(double));
        }
        vanchurin_measure(&fx->vp, fx->net, fx->bt, fx->bk, fx->rec, 0);
        assert_true(fx->vp.n_dyn <= 32);
        memcpy(series[c], fx->rec->series, sizeof series[c]);
        memcpy(sorted[c], fx->rec->sorted, fx->vp.n_dyn * sizeof(double));
        memcpy(density[c], fx->rec->density, sizeof density[c]);
        memcpy(functionals[c], fx->rec->functionals, sizeof functionals[c]);
        const size_t nd = fx->vp.n_dyn;
        fixture_free(fx);
        if (c == 0) continue;
        for (int k = VS_MU2; k < VANCHURIN_N_SCALARS; k++)
            assert_close(series[c][k], series[0][k], 1e-12 * (1 + fabs(series[0][k])));
        assert_true(series[0][VS_MU2] > 0.1);
        for (size_t i = 0; i < nd; i++) assert_close(sorted[c][i], sorted[0][i], 1e-13);
        for (size_t b = 0; b < BINS; b++) assert_close(density[c][b], density[0][b], 1e-14);
        for (size_t i = 0; i < 2 * VANCHURIN_N_FUNCTIONALS; i++)
            assert_close(functionals[c][i], functionals[0][i], 1e-12 * (1 + fabs(functionals[0][i])));
    }
}

/* bulk against the mean bulk-minimised state solved here, and against mean_state. */
static void run_bulk(size_t layers, const size_t *width, double *mu2_bulk, double *mu2_mean, double *bulk_gap)
{
    gsl_rng_set(rng, 21);
    fixture *fx = fixture_alloc(layers, width, 1.5, VANCHURIN_FP_BULK);
    vanchurin_measure(&fx->vp, fx->net, fx->bt, fx->bk, fx->rec, 0);
    const vanchurin_point *vp = &fx->vp;
    const vanchurin_data *d = vp->train;
    size_t hidden = 0;
    for (size_t l = 1; l + 1 < layers; l++) hidden += width[l];
    double *mean = calloc(vp->neurons, sizeof(double)), *fp = malloc(vp->neurons * sizeof(double));
    double *u = malloc(vp->n_dyn * sizeof(double));
    for (size_t r = 0; r < ROWS; r++) {
        vanchurin_bulk_solve(fx->bk, d->x + r * d->inputs, d->y + r * d->outputs);
        const double *h = vanchurin_bulk_state(fx->bk);
        for (size_t i = 0; i < d->inputs; i++) mean[i] += d->x[r * d->inputs + i] / ROWS;
        for (size_t i = 0; i < hidden; i++) mean[d->inputs + i] += h[i] / ROWS;
    }
    vanchurin_fprime_mean_state(fx->net, mean, fp);
    assert_int_equal(vanchurin_log_spectrum(fx->net, fp, u), 0);
    *mu2_bulk = sum_power(u, vp->n_dyn, 2);
    assert_close(fx->rec->series[VS_MU2], *mu2_bulk, 1e-12 * *mu2_bulk);
    assert_close(fx->rec->series[VS_MU3], sum_power(u, vp->n_dyn, 3), 1e-12 * *mu2_bulk);
    assert_close(fx->rec->series[VS_LOG_LAMBDA_SUM], 0.0, 1e-13);
    *bulk_gap = fx->rec->series[VS_BOUNDARY_BULK_SUBSET] - fx->rec->series[VS_BULK];
    /* the same net with f' at the mean forward state */
    fx->vp.fprime_at = VANCHURIN_FP_MEAN_STATE;
    vanchurin_measure(&fx->vp, fx->net, fx->bt, fx->bk, fx->rec, 0);
    *mu2_mean = fx->rec->series[VS_MU2];
    free(mean), free(fp), free(u);
    fixture_free(fx);
}

static void test_bulk(void **state)
{
    const size_t deep[4] = {7, 5, 4, 3}, flat[2] = {7, 3};
    double bulk, mean, gap;
    run_bulk(4, deep, &bulk, &mean, &gap);
    assert_true(gap > 1e-6); /* the minimiser lowered H, so it moved the hidden states */
    assert_true(fabs(bulk - mean) > 1e-6 * mean);     /* and so f' */
    run_bulk(2, flat, &bulk, &mean, &gap);
    assert_close(gap, 0.0, 0);                         /* no hidden states: bulk = boundary */
    assert_close(bulk, mean, 1e-13 * mean);            /* and bulk = mean_state */
}

int main(void)
{
    vanchurin_blas_init();
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 14);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_sample_without_hidden_layers),
        cmocka_unit_test(test_per_sample_deep),
        cmocka_unit_test(test_identical_samples),
        cmocka_unit_test(test_bulk),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gsl_rng_free(rng);
    return rc;
}
