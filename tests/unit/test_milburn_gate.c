/* Learning with sampled switches, Milburn sections 4.1 and 5 (model `gate`).
 *
 * Exact references: the binomial sampler against its pmf (chi-square); the
 * enumeration of the XOR first-epoch update against brute force over every
 * sample at M = 2 and 3; the first-epoch update of the simulation against the
 * exact expectation (NOT and XOR, 3 standard errors, union bound); the NOT
 * first epoch against the planning note's exact numbers; the updates of eqs.
 * 63 and 72 and of eq. 75 with beta^2 equal minus eta times the gradient of
 * the mean-field error (finite differences), while eq. 75 as printed is off
 * by exactly beta; the exact XOR errors at the start (the planning note).
 * Thermal bookkeeping of NOT: W + Q = Delta E on every trajectory; the
 * integral fluctuation theorem <e^{-beta(W - Delta F)}> = 1 within 3 standard
 * errors with work_state = fresh, and violated by many with last.
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

#include "assert_z.h"

#include "assert_close.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "thermolearn/moments.h"
#include "../../src/models/milburn/gate.h"

static gt_params not_params(double beta, long samples, long epochs)
{
    return (gt_params){.task = GT_NOT, .beta = beta, .samples = samples, .epochs = epochs, .eta = 1,
                       .start = {0.01, 1}, .hidden_rule = GT_CHAIN, .work_state = GT_FRESH, .record_every = 1,
                       .target = 0.1};
}

static gt_params xor_params(double beta, long samples, long epochs, int rule)
{
    return (gt_params){.task = GT_XOR, .beta = beta, .samples = samples, .epochs = epochs, .eta = 1,
                       .start = {-5, 8, -2, 3, -1, -3, -2, -3, -1}, .hidden_rule = rule, .work_state = GT_FRESH,
                       .record_every = 100, .target = 0.1};
}

/* Bin(n, p) by inversion against the pmf: chi-square over the cells, p-value > 1e-4. */
static void test_binomial(void **state)
{
    struct { long n; double p; } cases[] = {{20, 0.3}, {200, 0.9}, {7, 0.5}, {1000, 0.02}};
    tl_stream_key key = {.seed = 3};
    for (size_t c = 0; c < 4; c++) {
        long n = cases[c].n, draws = 200000;
        long *count = calloc((size_t)n + 1, sizeof *count);
        tl_stream_cursor r;
        tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, c);
        for (long i = 0; i < draws; i++) count[gt_binomial(&r, n, cases[c].p)]++;
        double chi2 = 0, tail = 0;
        int dof = 0;
        for (long k = 0; k <= n; k++) {
            double e = draws * gsl_ran_binomial_pdf((unsigned)k, cases[c].p, (unsigned)n);
            if (e < 20) { /* pool the thin cells */
                tail += e - count[k];
                continue;
            }
            chi2 += (count[k] - e) * (count[k] - e) / e, dof++;
        }
        assert_true(gsl_cdf_chisq_Q(chi2, dof - 1) > 1e-4);
        assert_true(fabs(tail) < 6 * sqrt(draws * 1e-3) + 50);
        free(count);
    }
}

/* The lanes against the scalar reference, bit for bit: gt_trajectories (tiles of 64) and
 * gt_trajectory give the same paths, records and profiles for every trajectory, also from a
 * shifted first trajectory (another batch layout: other lanes, other tiles); NOT with p
 * saturating to 0 or 1 (beta = 40, eta = 4) and both work states, XOR with both hidden rules
 * (binomials of zero trials included); a count that is not a whole tile. */
static void test_vector_kernel(void **state)
{
    enum { COUNT = 83, SHIFT = 19 };
    gt_params cases[] = {not_params(1, 200, 60), not_params(40, 9, 30), not_params(0.3, 1, 25),
                         xor_params(1, 60, 40, GT_CHAIN), xor_params(3, 7, 30, GT_PAPER)};
    cases[1].eta = 4, cases[1].record_every = 7, cases[1].start[0] = 0.5, cases[1].start[1] = 0.45;
    cases[2].work_state = GT_LAST, cases[2].record_every = 4;
    cases[3].record_every = 9, cases[4].record_every = 1, cases[4].eta = 3;
    tl_stream_key key = {.seed = 31, .point = 2};
    long differ = 0, saturated = 0;
    for (size_t c = 0; c < 5; c++) {
        gt_params p = cases[c];
        size_t R = gt_n_records(&p), W = gt_n_weights(&p);
        gt_path vec[COUNT], shifted[COUNT - SHIFT];
        double *err = calloc(R * COUNT, sizeof *err), *samp = calloc(R * COUNT, sizeof *samp);
        double *wts = calloc(R * W * COUNT, sizeof *wts), *err2 = calloc(R * COUNT, sizeof *err2);
        gt_trajectories(&p, &key, 1000, COUNT, vec, err, samp, wts);
        gt_trajectories(&p, &key, 1000 + SHIFT, COUNT - SHIFT, shifted, err2, NULL, NULL);
        for (size_t b = 0; b < COUNT; b++) {
            gt_path r;
            double e[R], sm[R], w[R * W];
            gt_trajectory(&p, &key, 1000 + b, &r, e, sm, w);
            differ += memcmp(&r, &vec[b], sizeof r) != 0;
            for (size_t k = 0; k < R; k++) {
                differ += memcmp(&e[k], &err[k * COUNT + b], sizeof(double)) != 0;
                differ += memcmp(&sm[k], &samp[k * COUNT + b], sizeof(double)) != 0;
                if (b >= SHIFT) differ += memcmp(&e[k], &err2[k * (COUNT - SHIFT) + b - SHIFT], sizeof(double)) != 0;
            }
            for (size_t i = 0; i < R * W; i++) differ += memcmp(&w[i], &wts[i * COUNT + b], sizeof(double)) != 0;
            if (b >= SHIFT) differ += memcmp(&r, &shifted[b - SHIFT], sizeof r) != 0;
            for (int x = -1; x <= 1 && c == 1; x += 2) { /* P(n = +1) rounds to 0 or 1 at the end */
                double p1 = 1 / (1 + exp(-p.beta * (r.weights[0] * x + r.weights[1])));
                saturated += p1 == 0 || p1 == 1;
            }
        }
        free(err), free(samp), free(wts), free(err2);
    }
    print_message("vector kernel: %ld differences; %ld saturated trajectories\n", differ, saturated);
    assert_int_equal(differ, 0);
    assert_true(saturated > 0);
}

/* The multinomial enumeration against brute force over every sampled history at M = 2, 3. */
static void test_first_update_enumeration(void **state)
{
    for (long m = 2; m <= 3; m++)
        for (int rule = 0; rule < 2; rule++) {
            gt_params p = xor_params(0.7, m, 1, rule);
            for (int i = 0; i < 9; i++) p.start[i] *= 0.3; /* away from saturation */
            double ex[GT_MAX_WEIGHTS], brute[GT_MAX_WEIGHTS] = {0};
            gt_first_update_exact(&p, ex);
            for (int k = 0; k < 4; k++) {
                double xi[2], label;
                gt_example(GT_XOR, k, xi, &label);
                double ph[2];
                for (int j = 0; j < 2; j++)
                    ph[j] = 1 / (1 + exp(-p.beta * (xi[0] * p.start[j] + xi[1] * p.start[2 + j] + p.start[4 + j])));
                /* every sample: (h1, h2, o) in 8 states; every history of m samples */
                long histories = 1;
                for (long s = 0; s < m; s++) histories *= 8;
                for (long hcode = 0; hcode < histories; hcode++) {
                    double prob = 1, nh[2] = {0, 0}, no = 0;
                    long code = hcode;
                    for (long s = 0; s < m; s++, code /= 8) {
                        int st = (int)(code % 8);
                        double h1 = st & 1 ? 1 : -1, h2 = st & 2 ? 1 : -1, o = st & 4 ? 1 : -1;
                        double po = 1 / (1 + exp(-p.beta * (h1 * p.start[6] + h2 * p.start[7] + p.start[8])));
                        prob *= (h1 > 0 ? ph[0] : 1 - ph[0]) * (h2 > 0 ? ph[1] : 1 - ph[1]) * (o > 0 ? po : 1 - po);
                        nh[0] += h1 / (double)m, nh[1] += h2 / (double)m, no += o / (double)m;
                    }
                    double w[GT_MAX_WEIGHTS];
                    memcpy(w, p.start, sizeof w);
                    gt_xor_update(&p, w, xi, label, nh, no);
                    for (int i = 0; i < 9; i++) brute[i] += prob / 4 * (w[i] - p.start[i]);
                }
            }
            for (int i = 0; i < 9; i++) assert_close(ex[i], brute[i], 1e-13);
        }
}

/* NOT: the planning note's exact first-epoch means (w0 = 0.01, b0 = 1, M = 200). */
static void test_not_first_epoch(void **state)
{
    double betas[] = {1, 0.1, 0.05}, w1[] = {-0.1856271, -0.0148129, -0.0024297}, b1[] = {1.0009040, 1.0000012, 1.0000002};
    for (int k = 0; k < 3; k++) {
        gt_params p = not_params(betas[k], 200, 1);
        double ex[GT_MAX_WEIGHTS];
        gt_first_update_exact(&p, ex);
        assert_close(p.start[0] + ex[0], w1[k], 2e-7);
        assert_close(p.start[1] + ex[1], b1[k], 2e-7);
    }
}

/* The simulated first update against the exact expectation (every weight, union bound). */
static void test_first_update_simulated(void **state)
{
    gt_params cases[] = {not_params(1, 200, 1), not_params(0.3, 5, 1), xor_params(1, 200, 1, GT_CHAIN),
                         xor_params(2, 30, 1, GT_PAPER)};
    tl_stream_key key = {.seed = 8};
    for (size_t c = 0; c < 4; c++) {
        gt_params p = cases[c];
        p.record_every = 1;
        size_t nw = gt_n_weights(&p);
        double ex[GT_MAX_WEIGHTS];
        gt_first_update_exact(&p, ex);
        tl_moments m[GT_MAX_WEIGHTS];
        for (size_t i = 0; i < nw; i++) m[i] = empty;
        for (uint64_t t = 0; t < 40000; t++) {
            gt_path g;
            gt_trajectory(&p, &key, t, &g, NULL, NULL, NULL);
            for (size_t i = 0; i < nw; i++) add(&m[i], g.first_update[i]);
        }
        double tol = family_tol((int)nw);
        for (size_t i = 0; i < nw; i++) {
            double z = z_of(&m[i], ex[i]);
            if (!(fabs(z) <= tol)) print_error("case %zu weight %zu: %g against %g, z = %.2f\n", c, i, m[i].mean, ex[i], z);
            assert_true(fabs(z) <= tol);
        }
    }
}

/* Eqs. 63, 72 and 75 (beta^2) are -eta times the mean-field gradient; eq. 75 as printed is off by beta. */
static void test_gradient_identity(void **state)
{
    for (int rule = 0; rule < 2; rule++) {
        gt_params p = xor_params(2, 200, 1, rule);
        double w[GT_MAX_WEIGHTS];
        for (int i = 0; i < 9; i++) w[i] = 0.1 * p.start[i];
        double xi[2] = {1, -1}, label = 1, nh[2];
        for (int j = 0; j < 2; j++) nh[j] = tanh(p.beta * (xi[0] * w[j] + xi[1] * w[2 + j] + w[4 + j]) / 2);
        double no = tanh(p.beta * (nh[0] * w[6] + nh[1] * w[7] + w[8]) / 2);
        double up[GT_MAX_WEIGHTS];
        memcpy(up, w, sizeof up);
        gt_xor_update(&p, up, xi, label, nh, no);
        for (int i = 0; i < 9; i++) {
            double h = 1e-6, a[GT_MAX_WEIGHTS], b[GT_MAX_WEIGHTS];
            memcpy(a, w, sizeof a), memcpy(b, w, sizeof b);
            a[i] += h, b[i] -= h;
            double grad = (gt_error_mean_field(&p, a, xi, label) - gt_error_mean_field(&p, b, xi, label)) / (2 * h);
            double ratio = -grad / (up[i] - w[i]);
            double want = rule == GT_PAPER && i < GX_WO ? p.beta : 1; /* the hidden layer as printed: off by beta */
            assert_close(ratio, want, 1e-6);
        }
    }
    /* NOT, eq. 63 */
    gt_params p = not_params(1.3, 200, 1);
    double w[2] = {0.3, 0.2};
    for (int k = 0; k < 2; k++) {
        double xi[2], label;
        gt_example(GT_NOT, k, xi, &label);
        double nbar = tanh(p.beta * (w[0] * xi[0] + w[1]) / 2), up[2] = {w[0], w[1]};
        gt_not_update(&p, up, xi[0], label, nbar);
        for (int i = 0; i < 2; i++) {
            double h = 1e-6, a = w[i];
            double e[2];
            for (int s = 0; s < 2; s++) {
                double v[2] = {w[0], w[1]};
                v[i] = a + (s ? -h : h);
                e[s] = (1 - label * tanh(p.beta * (v[0] * xi[0] + v[1]) / 2)) / 2;
            }
            assert_close(-(e[0] - e[1]) / (2 * h) / (up[i] - w[i]), 1, 1e-6);
        }
    }
}

/* Eq. 64 omits |xi|^2: one small step of eq. 63 lowers the mean-field error by eta |grad|^2 with
 * |xi|^2 = 2 (input and bias), twice the printed -eta beta^2 (1 - n^2)^2/16 (planning note: -1.10454e-5). */
static void test_eq64(void **state)
{
    gt_params p = not_params(1, 200, 1);
    p.eta = 1e-4;
    double w[2] = {0.3, 0.2}, xi[2], label;
    gt_example(GT_NOT, 1, xi, &label);
    double n = tanh((w[0] * xi[0] + w[1]) / 2), e0 = (1 - label * n) / 2;
    gt_not_update(&p, w, xi[0], label, n);
    double e1 = (1 - label * tanh((w[0] * xi[0] + w[1]) / 2)) / 2;
    double printed = -p.eta * (1 - n * n) * (1 - n * n) / 16;
    assert_close(e1 - e0, -1.10454e-5, 1e-9);
    assert_close((e1 - e0) / printed, 2, 1e-3);
}

/* The exact XOR error at the caption's start (planning note) and the transposed reading. */
static void test_xor_error(void **state)
{
    double betas[] = {0.5, 1, 2}, want[] = {0.449517, 0.461050, 0.493342};
    for (int k = 0; k < 3; k++) {
        gt_params p = xor_params(betas[k], 200, 1, GT_CHAIN);
        assert_close(gt_error_exact(&p, p.start), want[k], 1e-6);
    }
    gt_params p = not_params(1, 200, 1);
    double w[2] = {-3, 0.5};
    assert_close(gt_error_exact(&p, w), (1 / (1 + exp(2.5)) + 1 - 1 / (1 + exp(-3.5))) / 2, 1e-15);
}

/* Thermal bookkeeping: the first law per trajectory; the IFT holds with fresh, fails with last. */
static void test_thermal(void **state)
{
    tl_stream_key key = {.seed = 12};
    for (int mode = 0; mode < 2; mode++) {
        gt_params p = not_params(1, 2, 3);
        p.work_state = mode ? GT_LAST : GT_FRESH;
        p.start[0] = 0.3, p.start[1] = -0.4;
        p.eta = 4; /* large steps: the feedback moves A a lot */
        tl_moments ift = empty;
        double worst = 0;
        for (uint64_t t = 0; t < 1000000; t++) {
            gt_path g;
            gt_trajectory(&p, &key, t, &g, NULL, NULL, NULL);
            worst = fmax(worst, fabs(g.work + g.heat - g.energy_change));
            add(&ift, exp(-p.beta * (g.work - g.delta_f)));
        }
        double z = z_of(&ift, 1);
        print_message("%s: <exp(-beta(W - dF))> = %.5f, z = %.1f\n", mode ? "last" : "fresh", ift.mean, z);
        assert_true(worst < 1e-12);
        if (mode == 0) assert_true(fabs(z) < 3);
        else assert_true(fabs(z) > 8);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binomial),
        cmocka_unit_test(test_vector_kernel),
        cmocka_unit_test(test_first_update_enumeration),
        cmocka_unit_test(test_not_first_epoch),
        cmocka_unit_test(test_first_update_simulated),
        cmocka_unit_test(test_gradient_identity),
        cmocka_unit_test(test_eq64),
        cmocka_unit_test(test_xor_error),
        cmocka_unit_test(test_thermal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
