/* Tests of the vanchurin model's network, training and bulk loss:
 *
 * - hidden-width lists: accepted and refused texts;
 * - the backward pass against central finite differences of the batch loss;
 * - the bulk loss (3.1) at the forward state equals the boundary loss (2.11)
 *   with its 1/2 (twice 2.10's value), per sample; LM never ends above it,
 *   ends at a stationary point (finite differences of H) that is a local
 *   minimum (random probes), and without hidden layers bulk = boundary;
 * - training: the synthetic task is learnt (test accuracy), a trajectory is
 *   a function of its stream alone (two runs bit-identical, another
 *   trajectory different), the synthetic rows do not depend on which rows
 *   are asked for, and the Langevin kick has variance 2 eta T (within 5 SE).
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
#include <gsl/gsl_rng.h>

#include "thermolearn/dataset.h"
#include "thermolearn/stream.h"
#include "../../src/models/vanchurin/vanchurin.h"

static gsl_rng *rng;

static vanchurin_net *random_net(size_t layers, const size_t *width, double scale)
{
    vanchurin_net *net = vanchurin_net_alloc(layers, width);
    for (size_t p = 0; p < net->n_params; p++) net->params[p] = scale * (2 * gsl_rng_uniform(rng) - 1);
    return net;
}

static void test_parse_hidden(void **state)
{
    size_t w[VANCHURIN_MAX_LAYERS];
    char why[256];
    assert_int_equal(vanchurin_parse_hidden("40-20", w, 14, why, sizeof why), 2);
    assert_int_equal(w[0], 40);
    assert_int_equal(w[1], 20);
    assert_int_equal(vanchurin_parse_hidden(" 60 ", w, 14, why, sizeof why), 1);
    assert_int_equal(w[0], 60);
    assert_int_equal(vanchurin_parse_hidden("none", w, 14, why, sizeof why), 0);
    const char *bad[] = {"", "0", "40-", "-40", "40--20", "4x", "40 20", "5000", "1-1-1-1-1-1-1-1-1-1-1-1-1-1-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = 0;
        assert_int_equal(vanchurin_parse_hidden(bad[i], w, 14, why, sizeof why), -1);
        assert_true(strlen(why) > 0);
    }
}

static void test_parse_lists(void **state)
{
    size_t c[64];
    char why[256];
    /* log:1:300:10 rounds exp(linspace(0, log 300, 10)): 1 2 4 7 13 24 45 84 159 300, and 0 */
    const size_t want[] = {0, 1, 2, 4, 7, 13, 24, 45, 84, 159, 300};
    assert_int_equal(vanchurin_parse_checkpoints("log:1:300:10", 300, c, 64, why, sizeof why), 11);
    for (int i = 0; i < 11; i++) assert_int_equal(c[i], want[i]);
    assert_int_equal(vanchurin_parse_checkpoints("log:10", 300, c, 64, why, sizeof why), 11);
    assert_int_equal(c[3], 4);
    assert_int_equal(vanchurin_parse_checkpoints("5, 2, 5", 8, c, 64, why, sizeof why), 4); /* 0 2 5 8 */
    assert_int_equal(c[1], 2);
    assert_int_equal(c[3], 8);
    assert_int_equal(vanchurin_parse_checkpoints("log:3", 0, c, 64, why, sizeof why), 1);
    const char *bad[] = {"log:0:5:3", "log:1:9:3", "log:1:5:2.5", "3, x", "3,,4", "9", "log:1:5:3:", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vanchurin_parse_checkpoints(bad[i], 8, c, 64, why, sizeof why), 0);
    double b[8];
    assert_int_equal(vanchurin_parse_reals("0.25, 0.5,1", b, 8, why, sizeof why), 3);
    assert_close(b[2], 1.0, 0);
    assert_int_equal(vanchurin_parse_reals("0.5, 0", b, 8, why, sizeof why), 0);
    assert_int_equal(vanchurin_parse_reals("0.5,", b, 8, why, sizeof why), 0);
    assert_int_equal(vanchurin_parse_reals("inf", b, 8, why, sizeof why), 0);
}

static double batch_loss(vanchurin_net *net, vanchurin_batch *bt, size_t rows, const double *y)
{
    vanchurin_forward(net, bt, rows);
    return vanchurin_boundary_sum(net, bt, rows, y) / (double)rows;
}

static void test_gradient(void **state)
{
    const size_t width[4] = {5, 4, 3, 2}, rows = 3;
    vanchurin_net *net = random_net(4, width, 0.8);
    vanchurin_batch *bt = vanchurin_batch_alloc(net, rows);
    double x[15], y[6];
    for (int i = 0; i < 15; i++) x[i] = gsl_rng_uniform(rng);
    for (int i = 0; i < 6; i++) y[i] = gsl_rng_uniform(rng) < 0.5 ? -1 : 1;
    memcpy(bt->h[0], x, sizeof x);
    vanchurin_forward(net, bt, rows);
    vanchurin_backward(net, bt, rows, y);
    double *grad = malloc(net->n_params * sizeof(double));
    memcpy(grad, bt->grad, net->n_params * sizeof(double));
    for (size_t p = 0; p < net->n_params; p++) {
        const double keep = net->params[p], h = 1e-6;
        net->params[p] = keep + h;
        const double up = batch_loss(net, bt, rows, y);
        net->params[p] = keep - h;
        const double dn = batch_loss(net, bt, rows, y);
        net->params[p] = keep;
        assert_close(grad[p], (up - dn) / (2 * h), 1e-8);
    }
    free(grad);
    vanchurin_batch_free(bt);
    vanchurin_net_free(net);
}

static void test_bulk_at_forward_state(void **state)
{
    const size_t width[4] = {6, 5, 4, 3};
    vanchurin_net *net = random_net(4, width, 1.0);
    vanchurin_batch *bt = vanchurin_batch_alloc(net, 1);
    vanchurin_bulk *bk = vanchurin_bulk_alloc(net, 200, 1e-10);
    for (int s = 0; s < 20; s++) {
        double x[6], y[3], hid[9];
        for (int i = 0; i < 6; i++) x[i] = gsl_rng_uniform(rng);
        for (int i = 0; i < 3; i++) y[i] = gsl_rng_uniform(rng) < 0.5 ? -1 : 1;
        memcpy(bt->h[0], x, sizeof x);
        vanchurin_forward(net, bt, 1);
        memcpy(hid, bt->h[1], 5 * sizeof(double));
        memcpy(hid + 5, bt->h[2], 4 * sizeof(double));
        const double boundary = vanchurin_boundary_sum(net, bt, 1, y);
        /* 2.11 with its 1/2; 2.10 (no 1/2) is twice it */
        double eq210 = 0;
        for (int i = 0; i < 3; i++) eq210 += (bt->h[3][i] - y[i]) * (bt->h[3][i] - y[i]);
        assert_close(2 * boundary, eq210, 1e-15 * eq210);
        assert_close(vanchurin_bulk_energy(net, x, y, hid), boundary, 1e-14 * boundary);
        vanchurin_bulk_result r = vanchurin_bulk_solve(bk, x, y);
        assert_close(r.boundary, boundary, 1e-14 * boundary);
        assert_int_equal(r.status, 0);
        assert_true(r.loss <= r.boundary);
        assert_true(r.iterations > 0);
        /* stationary: dH/dh = 0 by central differences */
        double h[9];
        memcpy(h, vanchurin_bulk_state(bk), sizeof h);
        assert_close(vanchurin_bulk_energy(net, x, y, h), r.loss, 0);
        for (int i = 0; i < 9; i++) {
            const double keep = h[i], d = 1e-6;
            h[i] = keep + d;
            const double up = vanchurin_bulk_energy(net, x, y, h);
            h[i] = keep - d;
            const double dn = vanchurin_bulk_energy(net, x, y, h);
            h[i] = keep;
            assert_close((up - dn) / (2 * d), 0.0, 1e-7);
        }
        /* a minimum: random probes of size 1e-3 do not go lower */
        for (int probe = 0; probe < 20; probe++) {
            double q[9];
            for (int i = 0; i < 9; i++) q[i] = h[i] + 1e-3 * (2 * gsl_rng_uniform(rng) - 1);
            assert_true(vanchurin_bulk_energy(net, x, y, q) >= r.loss - 1e-15);
        }
    }
    vanchurin_bulk_free(bk);
    vanchurin_batch_free(bt);
    vanchurin_net_free(net);
}

static void test_bulk_without_hidden_layers(void **state)
{
    const size_t width[2] = {4, 3};
    vanchurin_net *net = random_net(2, width, 1.0);
    vanchurin_bulk *bk = vanchurin_bulk_alloc(net, 100, 1e-10);
    vanchurin_batch *bt = vanchurin_batch_alloc(net, 1);
    double x[4] = {0.1, 0.5, 0.9, 0.3}, y[3] = {1, -1, -1};
    memcpy(bt->h[0], x, sizeof x);
    vanchurin_forward(net, bt, 1);
    vanchurin_bulk_result r = vanchurin_bulk_solve(bk, x, y);
    const double boundary = vanchurin_boundary_sum(net, bt, 1, y);
    assert_close(r.loss, boundary, 1e-15 * boundary);
    assert_close(r.boundary, r.loss, 0);
    vanchurin_batch_free(bt);
    vanchurin_bulk_free(bk);
    vanchurin_net_free(net);
}

/* Train net (64-16-8-10 by default) on the synthetic task as trajectory t; returns the net. */
static vanchurin_net *train(uint64_t t, size_t epochs, double temperature, double *accuracy)
{
    vanchurin_data *d = vanchurin_synthetic(64, 10, 0.35, 1, 0, 500);
    vanchurin_data *test = vanchurin_synthetic(64, 10, 0.35, 1, 500, 500);
    const size_t width[4] = {64, 16, 8, 10};
    vanchurin_net *net = vanchurin_net_alloc(4, width);
    const tl_stream_key key = {2019, 0, 0};
    gsl_rng *init = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL, t);
    gsl_rng *order = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL + 1, t);
    gsl_rng *noise = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL + 2, t);
    vanchurin_net_init(net, VANCHURIN_GLOROT_UNIFORM, 1.0, init);
    vanchurin_batch *bt = vanchurin_batch_alloc(net, 20);
    size_t *perm = malloc(d->rows * sizeof(size_t));
    vanchurin_sgd sgd = {0.05, 20, temperature};
    for (size_t e = 0; e < epochs; e++) vanchurin_epoch(net, bt, d, &sgd, perm, order, noise);
    double loss;
    vanchurin_evaluate(net, bt, test, &loss, accuracy);
    free(perm);
    vanchurin_batch_free(bt);
    gsl_rng_free(init);
    gsl_rng_free(order);
    gsl_rng_free(noise);
    vanchurin_data_free(d);
    vanchurin_data_free(test);
    return net;
}

static void test_training(void **state)
{
    double acc0, acc1, acc2;
    vanchurin_net *a = train(0, 0, 0, &acc0);
    vanchurin_net *b = train(0, 20, 0, &acc1);
    vanchurin_net *c = train(0, 20, 0, &acc2);
    print_message("accuracy %g -> %g\n", acc0, acc1);
    assert_true(acc0 < 0.5);
    assert_true(acc1 > 0.9);
    assert_memory_equal(b->params, c->params, b->n_params * sizeof(double));
    vanchurin_net *d = train(1, 20, 0, &acc2);
    assert_memory_not_equal(b->params, d->params, b->n_params * sizeof(double));
    vanchurin_net_free(a);
    vanchurin_net_free(b);
    vanchurin_net_free(c);
    vanchurin_net_free(d);
}

static void test_synthetic_rows(void **state)
{
    vanchurin_data *all = vanchurin_synthetic(16, 4, 0.5, 7, 0, 10), *tail = vanchurin_synthetic(16, 4, 0.5, 7, 5, 5);
    assert_memory_equal(all->x + 5 * 16, tail->x, 5 * 16 * sizeof(double));
    assert_memory_equal(all->y + 5 * 4, tail->y, 5 * 4 * sizeof(double));
    for (int r = 0; r < 10; r++) assert_int_equal(all->label[r], r % 4);
    for (int i = 0; i < 160; i++) assert_true(all->x[i] >= 0 && all->x[i] <= 1);
    vanchurin_data_free(all);
    vanchurin_data_free(tail);
}

/* One SGD step (batch = the whole set) with and without noise from the same
 * start: the difference is sqrt(2 eta T) xi, xi standard normal. */
static void test_langevin_kick(void **state)
{
    vanchurin_data *d = vanchurin_synthetic(64, 10, 0.5, 1, 0, 40);
    const size_t width[3] = {64, 30, 10};
    const double eta = 0.05, temp = 0.02;
    double *theta[2];
    for (int k = 0; k < 2; k++) {
        vanchurin_net *net = vanchurin_net_alloc(3, width);
        const tl_stream_key key = {5, 0, 0};
        gsl_rng *init = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL, 0);
        gsl_rng *order = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL + 1, 0);
        gsl_rng *noise = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL + 2, 0);
        vanchurin_net_init(net, VANCHURIN_GLOROT_UNIFORM, 1.0, init);
        vanchurin_batch *bt = vanchurin_batch_alloc(net, 40);
        size_t perm[40];
        vanchurin_sgd sgd = {eta, 40, k ? temp : 0};
        vanchurin_epoch(net, bt, d, &sgd, perm, order, noise);
        theta[k] = malloc(net->n_params * sizeof(double));
        memcpy(theta[k], net->params, net->n_params * sizeof(double));
        vanchurin_batch_free(bt);
        gsl_rng_free(init);
        gsl_rng_free(order);
        gsl_rng_free(noise);
        vanchurin_net_free(net);
    }
    const size_t n = 64 * 30 + 30 + 30 * 10 + 10;
    double s1 = 0, s2 = 0;
    for (size_t p = 0; p < n; p++) {
        const double xi = (theta[1][p] - theta[0][p]) / sqrt(2 * eta * temp);
        s1 += xi;
        s2 += xi * xi;
    }
    /* mean 0 (SE 1/sqrt n), variance 1 (SE sqrt(2/n)): within 5 SE */
    assert_close(s1 / n, 0.0, 5 / sqrt((double)n));
    assert_close(s2 / n, 1.0, 5 * sqrt(2.0 / n));
    free(theta[0]);
    free(theta[1]);
    vanchurin_data_free(d);
}

/* The mean state and the mean derivative against sample-by-sample forward passes. */
static void test_mean_state(void **state)
{
    vanchurin_data *d = vanchurin_synthetic(8, 3, 0.5, 3, 0, 7);
    const size_t width[3] = {8, 5, 3};
    vanchurin_net *net = random_net(3, width, 1.0);
    vanchurin_batch *bt = vanchurin_batch_alloc(net, 3), *one = vanchurin_batch_alloc(net, 1);
    double mean[16], sum[16] = {0};
    vanchurin_mean_state(net, bt, d, mean);
    for (size_t r = 0; r < 7; r++) {
        memcpy(one->h[0], d->x + r * 8, 8 * sizeof(double));
        vanchurin_forward(net, one, 1);
        for (int i = 0; i < 8; i++) sum[i] += one->h[0][i];
        for (int i = 0; i < 5; i++) sum[8 + i] += one->h[1][i];
        for (int i = 0; i < 3; i++) sum[13 + i] += one->h[2][i];
    }
    for (int i = 0; i < 16; i++) assert_close(mean[i], sum[i] / 7, 1e-15);
    /* fprime_at = mean_derivative: the mean of sech^2 = 1 - tanh^2 over the samples */
    double fp[16], want[16] = {0};
    vanchurin_mean_derivative(net, bt, d, fp);
    for (size_t r = 0; r < 7; r++) {
        memcpy(one->h[0], d->x + r * 8, 8 * sizeof(double));
        vanchurin_forward(net, one, 1);
        for (int i = 0; i < 5; i++) want[8 + i] += (1 - one->h[1][i] * one->h[1][i]) / 7;
        for (int i = 0; i < 3; i++) want[13 + i] += (1 - one->h[2][i] * one->h[2][i]) / 7;
    }
    for (int i = 0; i < 8; i++) assert_close(fp[i], 1.0, 0);
    for (int i = 8; i < 16; i++) assert_close(fp[i], want[i], 1e-15);
    vanchurin_batch_free(bt);
    vanchurin_batch_free(one);
    vanchurin_net_free(net);
    vanchurin_data_free(d);
}

/* Fashion-MNIST at 7 x 7: block means of the raw pixels / 255, labels and +-1
 * targets as in the file; skipped without Debian's dataset-fashion-mnist. */
static void test_fashion_downsampling(void **state)
{
    const char *images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
               *labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
    FILE *f = fopen(images, "rb");
    if (!f) skip();
    fclose(f);
    char why[256];
    vanchurin_data *d;
    tl_dataset *raw;
    assert_int_equal(vanchurin_idx_load(images, labels, 3, 7, &d, why, sizeof why), 0);
    assert_int_equal(tl_idx_read_labelled(images, labels, &raw, why, sizeof why), 0);
    assert_int_equal(d->inputs, 49);
    for (size_t r = 0; r < 3; r++) {
        assert_int_equal(d->label[r], raw->labels[r]);
        for (size_t c = 0; c < 10; c++) assert_close(d->y[r * 10 + c], (int)c == raw->labels[r] ? 1 : -1, 0);
        for (size_t i = 0; i < 7; i++)
            for (size_t j = 0; j < 7; j++) {
                double sum = 0;
                for (size_t a = 0; a < 4; a++)
                    for (size_t b = 0; b < 4; b++) sum += raw->x[r * 784 + (4 * i + a) * 28 + 4 * j + b];
                assert_close(d->x[r * 49 + i * 7 + j], sum / 16 / 255, 1e-15);
            }
    }
    /* the first test labels of Fashion-MNIST: 9 (ankle boot), 2 (pullover), 1 (trouser) */
    assert_int_equal(d->label[0], 9);
    assert_int_equal(d->label[1], 2);
    assert_int_equal(d->label[2], 1);
    vanchurin_data_free(d);
    assert_int_equal(vanchurin_idx_load(images, labels, 3, 5, &d, why, sizeof why), -1);
    assert_int_equal(vanchurin_idx_load(images, labels, 10001, 7, &d, why, sizeof why), -1);
    tl_dataset_free(raw);
}

int main(void)
{
    vanchurin_blas_init();
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 14);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_hidden),       cmocka_unit_test(test_parse_lists),
        cmocka_unit_test(test_gradient),
        cmocka_unit_test(test_bulk_at_forward_state), cmocka_unit_test(test_bulk_without_hidden_layers),
        cmocka_unit_test(test_training),           cmocka_unit_test(test_synthetic_rows),
        cmocka_unit_test(test_langevin_kick),      cmocka_unit_test(test_mean_state),
        cmocka_unit_test(test_fashion_downsampling),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gsl_rng_free(rng);
    return rc;
}
