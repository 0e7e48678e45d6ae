/* The baselines of Fig. 2A on the generated MNIST-1D (seed 42), with the
 * engine's multinomial readout (spins_readout_ce, GSL BFGS) against the
 * numbers in ../shared/specs/mnist1d.md §3 (scipy L-BFGS on the frozen file):
 * a softmax readout on the raw 40 inputs with a bias (train CE 1.583, train
 * accuracy 37.2 %, test accuracy 32.4 %), without one (1.779, 29.8 %,
 * 24.8 %), and uncoupled spins m = tanh(beta x) with a bias (beta = 0.5:
 * CE 1.744, 32.1 %, 26.1 %; beta = 1: 1.893, 26.6 %, 22.5 %).  The loss is
 * convex, so both optimisers reach the same minimum: CE within 1e-3, the
 * accuracies within 0.2 % (a few rows at the decision boundaries).  This ties
 * the datasets module to the readout the MNIST-1D front will use.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "assert_close.h"
#include "thermolearn/dataset.h"
#include "../../src/models/spins/spins.h"

#define K 10

/* Features of a dataset: f(x) per input, and a column of 1 (bias) if asked. */
static double *features(const tl_dataset *d, double beta, int bias, size_t *dim)
{
    size_t F = d->features, D = F + (bias != 0);
    double *m = malloc(d->rows * D * sizeof *m);
    for (size_t r = 0; r < d->rows; r++) {
        for (size_t k = 0; k < F; k++) {
            double x = d->x[r * F + k];
            m[r * D + k] = beta > 0 ? tanh(beta * x) : x;
        }
        if (bias) m[r * D + F] = 1.0;
    }
    *dim = D;
    return m;
}

static double accuracy(const double *m, size_t rows, size_t D, const int *labels, const double *coef)
{
    size_t right = 0;
    for (size_t r = 0; r < rows; r++) {
        int best = 0;
        double top = -INFINITY;
        for (int c = 0; c < K; c++) {
            double z = 0;
            for (size_t j = 0; j < D; j++) z += coef[c * D + j] * m[r * D + j];
            if (z > top) top = z, best = c;
        }
        right += best == labels[r];
    }
    return (double)right / (double)rows;
}

static tl_mnist1d data;

static int setup(void **state)
{
    (void)state;
    tl_mnist1d_args a;
    char why[256];
    tl_mnist1d_defaults(&a);
    return tl_mnist1d_generate(&a, &data, why, sizeof why);
}

static int teardown(void **state)
{
    (void)state;
    tl_mnist1d_free(&data);
    return 0;
}

static void check(double beta, int bias, double ce, double train_acc, double test_acc)
{
    size_t D;
    double *m = features(data.train, beta, bias, &D), *mt = features(data.test, beta, bias, &D);
    double *coef = malloc(K * D * sizeof *coef);
    double got = spins_readout_ce(data.train->rows, D, K, m, data.train->labels, 0.0, coef);
    double a_train = accuracy(m, data.train->rows, D, data.train->labels, coef);
    double a_test = accuracy(mt, data.test->rows, D, data.test->labels, coef);
    print_message("    %s, %s: train CE %.4f (spec %.3f), train acc %.2f %% (%.1f), test acc %.2f %% (%.1f)\n",
                  beta > 0 ? "tanh(beta x)" : "raw x", bias ? "bias" : "no bias", got, ce, 100 * a_train,
                  100 * train_acc, 100 * a_test, 100 * test_acc);
    assert_close(got, ce, 1e-3); /* the spec rounds to 1e-3 */
    assert_close(a_train, train_acc, 2e-3 + 5e-4); /* the spec rounds to 0.1 % */
    assert_close(a_test, test_acc, 2e-3 + 5e-4);
    free(m), free(mt), free(coef);
}

static void test_softmax_raw_bias(void **state)
{
    (void)state;
    check(0, 1, 1.583, 0.372, 0.324);
}

static void test_softmax_raw_no_bias(void **state)
{
    (void)state;
    check(0, 0, 1.779, 0.298, 0.248);
}

static void test_uncoupled_spins(void **state)
{
    (void)state;
    check(0.5, 1, 1.744, 0.321, 0.261);
    check(1.0, 1, 1.893, 0.266, 0.225);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_softmax_raw_bias),
        cmocka_unit_test(test_softmax_raw_no_bias),
        cmocka_unit_test(test_uncoupled_spins),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
