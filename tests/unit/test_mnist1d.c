/* The MNIST-1D generator (src/data/mnist1d.c) against the facts of
 * ../shared/specs/mnist1d.md and the upstream frozen file.
 *
 * Everywhere: MT19937 against GSL's (which uses the same init_genrand for
 * every seed but 0), the stage test vectors of sample 0 (uniforms, padding,
 * amplitude, shift, normals, shear), scipy's Gaussian weights in hex, the
 * templates' SHA-256, and for seed 42 the SHA-256 of y_train, y_test and t as
 * raw little-endian bytes, the pre-normalisation mean and std to the bit, the
 * number of 32-bit draws and the class counts.  Where ../shared/data/mnist1d/
 * exists: identical labels and order and every x within 1e-15 of the frozen
 * file.  Across seeds: a two-sample Kolmogorov-Smirnov test on five per-row
 * statistics (Bonferroni 0.01/5) accepts seed 7 against seed 42 and rejects
 * each changed default.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "assert_close.h"
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <hdf5.h>

#include "thermolearn/dataset.h"
#include "../../src/data/mt19937.h"
#include "../../src/data/numpy.h"

#define REFERENCE "../shared/data/mnist1d/mnist1d_data.h5"

/* ---- the random numbers ------------------------------------------------------------- */

static void test_mt19937_first_outputs(void **state)
{
    (void)state;
    tl_mt19937 r;
    tl_mt19937_seed(&r, 42);
    assert_int_equal(tl_mt19937_u32(&r), 1608637542u);
    assert_int_equal(tl_mt19937_u32(&r), 3421126067u);
    assert_int_equal(tl_mt19937_u32(&r), 4083286876u);
    tl_mt19937_seed(&r, 42);
    assert_true(tl_mt19937_uniform(&r) == 0.3745401188473625);
    assert_int_equal(r.draws, 2);
}

/* GSL's mt19937 seeds with init_genrand too, except that it maps seed 0 to
 * 4357: the reason thermolearn has its own (numpy seeds 0 as 0). */
static void test_mt19937_matches_gsl(void **state)
{
    (void)state;
    const uint32_t seeds[] = {1, 7, 42, 4357, 123456789u, UINT32_MAX};
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    tl_mt19937 r;
    for (size_t k = 0; k < sizeof seeds / sizeof *seeds; k++) {
        gsl_rng_set(g, seeds[k]);
        tl_mt19937_seed(&r, seeds[k]);
        for (int i = 0; i < 5000; i++) assert_int_equal(tl_mt19937_u32(&r), (uint32_t)gsl_rng_get(g));
    }
    gsl_rng_set(g, 0);
    tl_mt19937_seed(&r, 4357);
    for (int i = 0; i < 100; i++) assert_int_equal(tl_mt19937_u32(&r), (uint32_t)gsl_rng_get(g));
    gsl_rng_set(g, 0);
    tl_mt19937_seed(&r, 0);
    int same = 0;
    for (int i = 0; i < 100; i++) same += tl_mt19937_u32(&r) == (uint32_t)gsl_rng_get(g);
    assert_true(same < 5);
    gsl_rng_free(g);
}

/* The draws of sample 0 (class 0) for seed 42, in the generator's order. */
static void test_sample0_stage_vectors(void **state)
{
    (void)state;
    tl_mt19937 r;
    tl_mt19937_seed(&r, 42);
    double u1 = tl_mt19937_uniform(&r);
    assert_true(u1 == 0.3745401188473625);
    assert_int_equal(36 + (int)floor(u1 * 25), 45);
    double u2 = tl_mt19937_uniform(&r);
    assert_true(u2 == 0.9507143064099162);
    assert_true(1 + 0.4 * (u2 - 0.5) == 1.1802857225639665);
    assert_int_equal(tl_mt19937_interval(&r, 47), 42);
    double n[72];
    for (int i = 0; i < 72; i++) n[i] = tl_mt19937_gauss(&r);
    assert_close(n[0], 0.473860833744823, 1e-15);
    assert_close(n[1], 1.368450123265755, 1e-15);
    assert_false(r.has_gauss); /* 72 is even: nothing carries over */
    double m = tl_mt19937_gauss(&r);
    assert_close(m, -0.93376284091205, 1e-14);
    for (int i = 1; i < 72; i++) tl_mt19937_gauss(&r);
    double u3 = tl_mt19937_uniform(&r);
    assert_true(u3 == 0.2202410475655483);
    assert_true(0.75 * (u3 - 0.5) == -0.20981921432583878);
}

/* Masked rejection and Fisher-Yates: draws in range, every value reached,
 * and the permutation a bijection. */
static void test_interval_and_permutation(void **state)
{
    (void)state;
    tl_mt19937 r;
    tl_mt19937_seed(&r, 5);
    int seen[48] = {0};
    for (int i = 0; i < 20000; i++) {
        uint32_t v = tl_mt19937_interval(&r, 47);
        assert_true(v <= 47);
        seen[v]++;
    }
    for (int k = 0; k < 48; k++) assert_true(seen[k] > 300); /* expected 417, sd 20 */
    uint32_t p[1000];
    int hit[1000] = {0};
    tl_mt19937_permutation(&r, 1000, p);
    for (int i = 0; i < 1000; i++) hit[p[i]]++;
    for (int i = 0; i < 1000; i++) assert_int_equal(hit[i], 1);
}

/* ---- numpy's and scipy's arithmetic --------------------------------------------------- */

static void test_gaussian_weights_hex(void **state)
{
    (void)state;
    const double expect[9] = {0x1.98862a07ae7b4p-3, 0x1.68856f9ab1983p-3, 0x1.ef9093fc46e5ap-4,
                              0x1.0941b71ceef37p-4, 0x1.ba4d4125ffd2ap-6, 0x1.1f30504e20207p-7,
                              0x1.227362b5fc92dp-9, 0x1.c98b8c5d0dda5p-12, 0x1.18aad19e4159bp-14};
    double w[9];
    tl_np_gaussian_weights(w);
    for (int j = 0; j < 9; j++) assert_true(w[j] == expect[j]);
}

/* The filter reproduces a constant (weights sum to 1 within round-off), and
 * reflect mode: a unit impulse at 0 gives w_0 + w_1 at 0 (x[-1] = x[0]). */
static void test_gaussian_filter_reflect(void **state)
{
    (void)state;
    double x[20] = {0}, out[20], ext[36], w[9];
    tl_np_gaussian_weights(w);
    x[0] = 1;
    tl_np_gaussian_filter(x, 20, w, ext, out);
    assert_close(out[0], w[0] + w[1], 1e-17);
    assert_close(out[1], w[1] + w[2], 1e-17);
    assert_close(out[8], w[8], 1e-18);
    assert_true(out[9] == 0.0);
}

/* numpy.interp: nodes exactly, midpoints by the slope formula, the end value past the end. */
static void test_interp_linspace(void **state)
{
    (void)state;
    double xp[5], fp[5] = {0, 1, 4, 9, 16}, x[9], out[9];
    tl_np_linspace(0, 1, 5, xp);
    assert_true(xp[4] == 1.0 && xp[1] == 0.25);
    tl_np_linspace(0, 1, 9, x);
    tl_np_interp(x, 9, xp, fp, 5, out);
    for (int i = 0; i < 9; i += 2) assert_true(out[i] == fp[i / 2]);
    assert_true(out[1] == 0.5 && out[3] == 2.5 && out[7] == 12.5);
}

/* Pairwise summation: the 8-accumulator grouping differs from a running sum. */
static void test_pairwise_sum(void **state)
{
    (void)state;
    double a[9] = {1e16, 1, 1, 1, 1, 1, 1, 1, 1};
    /* 8 accumulators start at a0..a7 and combine in pairs; a8 is added last */
    double s = tl_np_pairwise_sum(a, 9);
    double r = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    assert_true(s == r + a[8]);
    double seq = 0;
    for (int i = 0; i < 9; i++) seq += a[i];
    assert_true(seq == 1e16 && s == 1e16 + 8); /* the running sum loses every 1 */
    double big[1000];
    for (int i = 0; i < 1000; i++) big[i] = 1.0 / (i + 1);
    assert_true(tl_np_pairwise_sum(big, 1000) == tl_np_pairwise_sum(big, 496) + tl_np_pairwise_sum(big + 496, 504));
}

/* ---- the generated set ---------------------------------------------------------------- */

static void sha_of(const void *bytes, size_t n, char hex[TL_SHA256_HEX])
{
    tl_sha256 h;
    tl_sha256_init(&h);
    tl_sha256_update(&h, bytes, n);
    tl_sha256_final_hex(&h, hex);
}

/* SHA-256 of labels as little-endian int64 (numpy's y arrays; this host is little-endian). */
static void sha_labels(const tl_dataset *d, char hex[TL_SHA256_HEX])
{
    int64_t *v = malloc(d->rows * sizeof *v);
    for (size_t i = 0; i < d->rows; i++) v[i] = d->labels[i];
    sha_of(v, d->rows * sizeof *v, hex);
    free(v);
}

static void test_templates(void **state)
{
    (void)state;
    double x[10][12], t[12];
    char hex[TL_SHA256_HEX];
    tl_mnist1d_templates(x, t);
    for (int c = 0; c < 10; c++) assert_true(x[c][0] == 0.0 && x[c][11] == 0.0);
    sha_of(x, sizeof x, hex);
    assert_string_equal(hex, "9a9af77384d2dd8a49699d4b38acd88ca1ebe36d21c0544a046e236f7e5c6872");
    sha_of(t, sizeof t, hex);
    assert_string_equal(hex, "6d4deb0533705109beb1111e23f335af5e3bfb23a087410ae48479b36dde9f29");
}

static tl_mnist1d seed42;

static int generate42(void **state)
{
    (void)state;
    tl_mnist1d_args a;
    tl_mnist1d_defaults(&a);
    char why[256];
    return tl_mnist1d_generate(&a, &seed42, why, sizeof why);
}

static int free42(void **state)
{
    (void)state;
    tl_mnist1d_free(&seed42);
    return 0;
}

static void test_seed42_exact_facts(void **state)
{
    (void)state;
    const tl_mnist1d *m = &seed42;
    assert_int_equal(m->train->rows, 4000);
    assert_int_equal(m->test->rows, 1000);
    assert_int_equal(m->length, 40);
    assert_int_equal(m->draws, 1875872);
    assert_true(m->mean == -0.0055075064312771795);
    assert_true(m->std == 0.15467803420593054);
    const int first[10] = {2, 6, 4, 5, 6, 6, 6, 0, 3, 1};
    for (int i = 0; i < 10; i++) assert_int_equal(m->train->labels[i], first[i]);
    const int train_counts[10] = {398, 396, 411, 394, 394, 402, 401, 404, 402, 398};
    int counts[10] = {0};
    for (size_t i = 0; i < 4000; i++) counts[m->train->labels[i]]++;
    for (int c = 0; c < 10; c++) assert_int_equal(counts[c], train_counts[c]);
    char hex[TL_SHA256_HEX];
    sha_labels(m->train, hex);
    assert_string_equal(hex, "d97dc7aecec8ad6b5d8f143ba3e9c4bd7e25c420d7dfc2eb990591cfc0ed3e15");
    sha_labels(m->test, hex);
    assert_string_equal(hex, "8de99be3ff9dab15ae0dc072c3d6ced7cf6b33d365888ce4a386fc944489452c");
    sha_of(m->t, 40 * sizeof *m->t, hex);
    assert_string_equal(hex, "84b830bf54825bb3e0bc2f4152a3ec900578a3494e3ff53f1b3c7adacb69620b");
    assert_close(m->train->x[0], -0.3320056673693902, 1e-15);
    assert_close(m->train->x[1], -0.4719103656557236, 1e-15);
    assert_close(m->train->x[2], -0.778697076293495, 1e-15);
    assert_int_equal(m->train->classes, 10);
    assert_int_equal(strlen(m->train->sha256), 64);
}

/* Read a dataset of the reference file as doubles (labels converted). */
static double *read_ref(hid_t f, const char *name, size_t n)
{
    double *v = malloc(n * sizeof *v);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t sp = H5Dget_space(ds);
    assert_int_equal((size_t)H5Sget_simple_extent_npoints(sp), n);
    assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(sp), H5Dclose(ds);
    return v;
}

static void test_seed42_against_reference_file(void **state)
{
    (void)state;
    if (access(REFERENCE, R_OK) != 0) {
        printf("SKIPPED: %s not found (runs where ../shared/data/mnist1d/ exists, as in CI)\n", REFERENCE);
        skip();
    }
    hid_t f = H5Fopen(REFERENCE, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    const tl_dataset *sets[2] = {seed42.train, seed42.test};
    const char *xs[2] = {"x_train", "x_test"}, *ys[2] = {"y_train", "y_test"};
    size_t differ = 0;
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        size_t n = sets[k]->rows;
        double *x = read_ref(f, xs[k], n * 40), *y = read_ref(f, ys[k], n);
        for (size_t i = 0; i < n; i++) assert_int_equal(sets[k]->labels[i], (int)y[i]);
        for (size_t i = 0; i < n * 40; i++) {
            double d = fabs(sets[k]->x[i] - x[i]);
            differ += d > 0;
            if (d > worst) worst = d;
        }
        free(x), free(y);
    }
    double *t = read_ref(f, "t", 40), *tx = read_ref(f, "templates_x", 120);
    for (int i = 0; i < 40; i++) assert_true(seed42.t[i] == t[i]);
    double mx[10][12], mt[12];
    tl_mnist1d_templates(mx, mt);
    for (int i = 0; i < 120; i++) assert_true(mx[i / 12][i % 12] == tx[i]);
    free(t), free(tx);
    H5Fclose(f);
    printf("reference file: labels and order identical; %zu of 200000 x values differ, by at most %.3g\n", differ,
           worst);
    assert_true(worst <= 1e-15);
}

/* ---- other seeds: statistically the same set ----------------------------------------- */

/* Five statistics of a row: mean squared first difference, least-squares
 * slope against the position, position of max |x|, std, lag-1 autocorrelation. */
enum { N_STATS = 5 };
static void row_stats(const double *x, int n, double s[N_STATS])
{
    double mean = 0, d2 = 0, sxy = 0, sxx = 0, var = 0, lag = 0, top = -1;
    int at = 0;
    for (int i = 0; i < n; i++) mean += x[i] / n;
    for (int i = 0; i < n; i++) {
        double c = i - (n - 1) / 2.0;
        sxy += c * x[i], sxx += c * c, var += (x[i] - mean) * (x[i] - mean);
        if (i > 0) d2 += (x[i] - x[i - 1]) * (x[i] - x[i - 1]), lag += (x[i] - mean) * (x[i - 1] - mean);
        if (fabs(x[i]) > top) top = fabs(x[i]), at = i;
    }
    s[0] = d2 / (n - 1), s[1] = sxy / sxx, s[2] = at, s[3] = sqrt(var / n), s[4] = lag / var;
}

/* Kolmogorov's asymptotic tail Q(lambda) with Stephens' small-sample correction. */
static double ks_pvalue(double d, double n1, double n2)
{
    double ne = n1 * n2 / (n1 + n2), sq = sqrt(ne), lambda = (sq + 0.12 + 0.11 / sq) * d, q = 0;
    if (lambda < 0.2) return 1.0;
    for (int k = 1; k <= 100; k++) q += 2 * (k % 2 ? 1 : -1) * exp(-2.0 * k * k * lambda * lambda);
    return q < 0 ? 0 : q > 1 ? 1 : q;
}

/* Largest distance between the empirical distributions of a and b (sorted in place). */
static double ks_distance(double *a, size_t na, double *b, size_t nb)
{
    gsl_sort(a, 1, na), gsl_sort(b, 1, nb);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double v = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= v) i++;
        while (j < nb && b[j] <= v) j++;
        double gap = fabs((double)i / na - (double)j / nb);
        if (gap > d) d = gap;
    }
    return d;
}

/* All rows (train and test) of a generated set, per statistic. */
static double *set_stats(const tl_mnist1d_args *a, size_t *rows)
{
    tl_mnist1d m;
    char why[256];
    assert_int_equal(tl_mnist1d_generate(a, &m, why, sizeof why), 0);
    size_t n = m.train->rows + m.test->rows, F = m.length;
    double *s = malloc(N_STATS * n * sizeof *s), v[N_STATS];
    for (size_t r = 0; r < n; r++) {
        const double *x = r < m.train->rows ? m.train->x + r * F : m.test->x + (r - m.train->rows) * F;
        row_stats(x, (int)F, v);
        for (int k = 0; k < N_STATS; k++) s[k * n + r] = v[k];
    }
    tl_mnist1d_free(&m);
    *rows = n;
    return s;
}

/* The smallest of the five KS p-values between a set and seed 42's. */
static double min_pvalue(const tl_mnist1d_args *a)
{
    tl_mnist1d_args ref;
    tl_mnist1d_defaults(&ref);
    size_t n1, n2;
    double *s1 = set_stats(&ref, &n1), *s2 = set_stats(a, &n2), p = 1;
    for (int k = 0; k < N_STATS; k++) {
        double q = ks_pvalue(ks_distance(s1 + k * n1, n1, s2 + k * n2, n2), (double)n1, (double)n2);
        if (q < p) p = q;
    }
    free(s1), free(s2);
    return p;
}

#define BONFERRONI (0.01 / N_STATS)
#define GENERATED 20000 /* rows of the compared set (the reference: seed 42's 5000) */

static void test_other_seeds_equivalent(void **state)
{
    (void)state;
    const uint32_t seeds[] = {7, 8, 0};
    for (size_t k = 0; k < 3; k++) {
        tl_mnist1d_args a;
        tl_mnist1d_defaults(&a);
        a.seed = seeds[k];
        a.num_samples = GENERATED;
        double p = min_pvalue(&a);
        printf("seed %u against seed 42: smallest KS p-value %.3g (reject below %.3g)\n", (unsigned)seeds[k], p,
               BONFERRONI);
        assert_true(p >= BONFERRONI);
    }
}

/* The same test has power: each changed default (with seed 7) is rejected.
 * (With 5000 rows scale_coeff 0.6 gives p = 0.0026, just above the bound:
 * hence 20000.) */
static void test_changed_defaults_rejected(void **state)
{
    (void)state;
    const char *keys[] = {"corr_noise_scale", "iid_noise_scale", "max_translation", "shear_scale", "scale_coeff"};
    const char *values[] = {"0.30", "0.03", "40", "1.0", "0.6"};
    for (int k = 0; k < 5; k++) {
        tl_mnist1d_args a;
        tl_mnist1d_defaults(&a);
        a.seed = 7;
        a.num_samples = GENERATED;
        char why[256];
        assert_int_equal(tl_mnist1d_set(&a, keys[k], values[k], why, sizeof why), 0);
        double p = min_pvalue(&a);
        printf("%s = %s: smallest KS p-value %.3g\n", keys[k], values[k], p);
        assert_true(p < BONFERRONI);
    }
}

/* ---- parameters ------------------------------------------------------------------------- */

static void test_parameters(void **state)
{
    (void)state;
    tl_mnist1d_args a;
    char why[256];
    tl_mnist1d_defaults(&a);
    assert_int_equal(tl_mnist1d_check(&a, why, sizeof why), 0);
    assert_int_equal(tl_mnist1d_set(&a, "seed", "-1", why, sizeof why), 2);
    assert_int_equal(tl_mnist1d_set(&a, "seed", "4294967296", why, sizeof why), 2);
    assert_int_equal(tl_mnist1d_set(&a, "seed", "4294967295", why, sizeof why), 0);
    assert_int_equal(tl_mnist1d_set(&a, "noise", "1", why, sizeof why), 2);
    assert_non_null(strstr(why, "noise"));
    assert_int_equal(tl_mnist1d_set(&a, "shear_scale", "abc", why, sizeof why), 2);
    assert_int_equal(tl_mnist1d_set(&a, "shear_scale", "-1", why, sizeof why), 0);
    assert_int_equal(tl_mnist1d_check(&a, why, sizeof why), 2);
    assert_non_null(strstr(why, "shear_scale"));
    const char *bad[][2] = {{"num_samples", "9"}, {"train_split", "1.5"}, {"template_len", "10"},
                            {"padding_max", "30"}, {"max_translation", "0"}, {"final_seq_length", "1"},
                            {"shuffle_seq", "2"}};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        tl_mnist1d_defaults(&a);
        assert_int_equal(tl_mnist1d_set(&a, bad[k][0], bad[k][1], why, sizeof why), 0);
        assert_int_equal(tl_mnist1d_check(&a, why, sizeof why), 2);
        assert_non_null(strstr(why, bad[k][0]));
        tl_mnist1d m;
        assert_int_equal(tl_mnist1d_generate(&a, &m, why, sizeof why), 2);
        assert_null(m.train);
    }
    /* num_samples / 10 per class; the digest follows the parameters */
    tl_mnist1d_defaults(&a);
    a.num_samples = 105;
    tl_mnist1d m;
    assert_int_equal(tl_mnist1d_generate(&a, &m, why, sizeof why), 0);
    assert_int_equal(m.train->rows + m.test->rows, 100);
    assert_int_equal(m.train->rows, 80);
    assert_string_not_equal(m.train->sha256, seed42.train->sha256);
    tl_mnist1d_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mt19937_first_outputs),
        cmocka_unit_test(test_mt19937_matches_gsl),
        cmocka_unit_test(test_sample0_stage_vectors),
        cmocka_unit_test(test_interval_and_permutation),
        cmocka_unit_test(test_gaussian_weights_hex),
        cmocka_unit_test(test_gaussian_filter_reflect),
        cmocka_unit_test(test_interp_linspace),
        cmocka_unit_test(test_pairwise_sum),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_seed42_exact_facts),
        cmocka_unit_test(test_seed42_against_reference_file),
        cmocka_unit_test(test_other_seeds_equivalent),
        cmocka_unit_test(test_changed_defaults_rejected),
        cmocka_unit_test(test_parameters),
    };
    return cmocka_run_group_tests(tests, generate42, free42);
}
