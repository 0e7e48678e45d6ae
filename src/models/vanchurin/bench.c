/* `thermolearn bench vanchurin`: one-rank throughput of the model's kernels.
 *
 * - training: forward + backward + SGD step over mini-batches, in GFLOP/s
 *   (2 flops per weight per sample forward, 2 for the weight gradient, 2 for
 *   the deltas below the first hidden layer), beside OpenBLAS's own dgemm
 *   rate on exactly the same sequence of shapes with nothing else around it,
 *   and beside a large square dgemm (the core's peak on one thread);
 * - the bulk loss: LM solves per second (gsl_multifit_nlinear) on a briefly
 *   trained net, with the mean iteration count;
 * - the spectrum: SVD of the reduced matrix by LAPACK dgesdd against GSL's
 *   Golub-Kahan SVD of the same matrix, and dgesdd of the full N x N matrix.
 * Times are CPU seconds of this process (a shared machine), best of 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_linalg.h>

#include "vanchurin.h"
#include "thermolearn/error.h"

static int usage(void)
{
    fprintf(stderr, "usage: thermolearn bench vanchurin [--inputs N0] [--hidden 40-20] [--outputs K] [--batch B]\n"
                    "                                 [--samples S] [--bulk M]\n"
                    "  defaults: 784 inputs, hidden 40-20, 10 outputs, batch 20, 6000 samples an epoch, 200 bulk solves\n");
    return 2;
}

static double cpu(void) { return (double)clock() / CLOCKS_PER_SEC; }

/* The dgemm calls of one training step, without anything else. */
static void gemms(const vanchurin_net *net, vanchurin_batch *bt, size_t rows)
{
    for (size_t l = 1; l < net->layers; l++)
        vanchurin_dgemm(0, 1, rows, net->width[l], net->width[l - 1], 1.0, bt->h[l - 1], net->width[l - 1], net->w[l],
                        net->width[l - 1], 0.0, bt->h[l], net->width[l]);
    for (size_t l = net->layers - 1; l >= 1; l--) {
        vanchurin_dgemm(1, 0, net->width[l], net->width[l - 1], rows, 1.0, bt->delta[l], net->width[l], bt->h[l - 1],
                        net->width[l - 1], 0.0, bt->grad, net->width[l - 1]);
        if (l > 1)
            vanchurin_dgemm(0, 0, rows, net->width[l - 1], net->width[l], 1.0, bt->delta[l], net->width[l], net->w[l],
                            net->width[l - 1], 0.0, bt->delta[l - 1], net->width[l - 1]);
    }
}

int vanchurin_bench(int argc, char **argv)
{
    size_t width[VANCHURIN_MAX_LAYERS], n0 = 784, nout = 10, batch = 20, samples = 6000, bulk_n = 200;
    const char *hidden = "40-20";
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return usage(), 0;
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--inputs") == 0) n0 = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--hidden") == 0) hidden = argv[++i];
        else if (strcmp(argv[i], "--outputs") == 0) nout = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--batch") == 0) batch = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--samples") == 0) samples = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--bulk") == 0) bulk_n = (size_t)atol(argv[++i]);
        else return usage();
    }
    char why[256];
    const int nh = vanchurin_parse_hidden(hidden, width + 1, VANCHURIN_MAX_LAYERS - 2, why, sizeof why);
    if (nh < 0 || n0 < 1 || nout < 2 || batch < 1 || samples < batch || bulk_n < 1 || bulk_n > samples) {
        fprintf(stderr, "thermolearn bench vanchurin: %s\n", nh < 0 ? why : "bad sizes");
        return usage();
    }
    width[0] = n0;
    width[nh + 1] = nout;
    const size_t layers = (size_t)nh + 2;
    vanchurin_blas_init();

    vanchurin_data *d = vanchurin_synthetic(n0, nout, 0.5, 1, 0, samples);
    vanchurin_net *net = vanchurin_net_alloc(layers, width);
    const tl_stream_key key = {1, 0, 0};
    gsl_rng *init = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL, 0), *order_rng = tl_stream_gsl_alloc(&key, TL_PURPOSE_MODEL + 1, 0);
    vanchurin_net_init(net, VANCHURIN_GLOROT_UNIFORM, 1.0, init);
    vanchurin_batch *bt = vanchurin_batch_alloc(net, batch);
    size_t *order = tl_malloc(samples * sizeof(size_t), "order");
    const vanchurin_sgd sgd = {0.05, batch, 0};

    double flops = 0; /* per sample */
    for (size_t l = 1; l < layers; l++) flops += (l > 1 ? 6.0 : 4.0) * (double)(width[l] * width[l - 1]);
    printf("net");
    for (size_t l = 0; l < layers; l++) printf("%s%zu", l ? "-" : " ", width[l]);
    printf(" (N = %zu, %zu parameters), batch %zu, %zu samples an epoch, %.3g flops a sample\n", net->neurons,
           net->n_params, batch, samples, flops);

    double best_epoch = 1e300, best_gemm = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = cpu();
        vanchurin_epoch(net, bt, d, &sgd, order, order_rng, NULL);
        double t1 = cpu();
        for (size_t first = 0; first + batch <= samples; first += batch) gemms(net, bt, batch);
        double t2 = cpu();
        if (t1 - t0 < best_epoch) best_epoch = t1 - t0;
        if (t2 - t1 < best_gemm) best_gemm = t2 - t1;
    }
    const double work = flops * (double)samples;
    printf("training:      %.3f s an epoch, %.2f GFLOP/s (forward + backward + step)\n", best_epoch, work / best_epoch * 1e-9);
    printf("dgemm alone:   %.3f s, %.2f GFLOP/s on the same shapes (OpenBLAS, 1 thread)\n", best_gemm,
           work / best_gemm * 1e-9);
    {
        const size_t n = 512;
        double *a = tl_calloc(n * n, sizeof(double), "a"), *b = tl_calloc(n * n, sizeof(double), "b"),
               *c = tl_calloc(n * n, sizeof(double), "c"), best = 1e300;
        for (size_t i = 0; i < n * n; i++) a[i] = 1.0 / (double)(i + 1), b[i] = 1.0 / (double)(i + 2);
        for (int rep = 0; rep < 3; rep++) {
            double t0 = cpu();
            vanchurin_dgemm(0, 0, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
            if (cpu() - t0 < best) best = cpu() - t0;
        }
        printf("dgemm 512^3:   %.2f GFLOP/s (the core's rate on large square matrices)\n", 2.0 * n * n * n / best * 1e-9);
        free(a), free(b), free(c);
    }

    /* bulk solves on the net after these epochs of training */
    vanchurin_bulk *bk = vanchurin_bulk_alloc(net, 100, 1e-10);
    double t0 = cpu(), iterations = 0;
    for (size_t k = 0; k < bulk_n; k++)
        iterations += (double)vanchurin_bulk_solve(bk, d->x + k * n0, d->y + k * nout).iterations;
    const double tb = cpu() - t0;
    printf("bulk loss:     %.1f solves/s (gsl_multifit_nlinear LM, %.1f iterations a solve on average, %zu samples)\n",
           (double)bulk_n / tb, iterations / (double)bulk_n, bulk_n);
    vanchurin_bulk_free(bk);

    /* the spectrum */
    double *fprime = tl_malloc(net->neurons * sizeof(double), "f'"), *mean = tl_malloc(net->neurons * sizeof(double), "mean");
    vanchurin_mean_state(net, bt, d, mean);
    vanchurin_fprime_mean_state(net, mean, fprime);
    const size_t nd = vanchurin_n_dynamical(net), nn = net->neurons;
    double *red = tl_malloc(nd * nd * sizeof(double), "M_red"), *s = tl_malloc(nn * sizeof(double), "s");
    double best_red = 1e300, best_gsl = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        double a = cpu();
        vanchurin_reduced_matrix(net, fprime, red);
        vanchurin_singular_values(red, nd, s);
        double b = cpu();
        gsl_matrix_view m = gsl_matrix_view_array(red, nd, nd);
        gsl_matrix *v = gsl_matrix_alloc(nd, nd);
        gsl_vector *sv = gsl_vector_alloc(nd), *w = gsl_vector_alloc(nd);
        gsl_linalg_SV_decomp(&m.matrix, v, sv, w);
        double c = cpu();
        gsl_matrix_free(v), gsl_vector_free(sv), gsl_vector_free(w);
        if (b - a < best_red) best_red = b - a;
        if (c - b < best_gsl) best_gsl = c - b;
    }
    double *full = tl_malloc(nn * nn * sizeof(double), "M");
    vanchurin_full_matrix(net, fprime, full);
    t0 = cpu();
    vanchurin_singular_values(full, nn, s);
    const double tf = cpu() - t0;
    printf("spectrum:      reduced %zu x %zu: QR + dgesdd %.2f ms, GSL SV_decomp %.2f ms; full %zu x %zu dgesdd %.0f ms\n",
           nd, nd, 1e3 * best_red, 1e3 * best_gsl, nn, nn, 1e3 * tf);
    free(full), free(red), free(s), free(fprime), free(mean), free(order);
    vanchurin_batch_free(bt);
    vanchurin_net_free(net);
    vanchurin_data_free(d);
    gsl_rng_free(init), gsl_rng_free(order_rng);
    return 0;
}
