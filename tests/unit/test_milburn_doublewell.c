/* The double-well activation switch of Milburn section 2.1 (model `doublewell`).
 *
 * Exact references: Delta F and <x> by quadrature against an independent
 * Simpson sum, and the research note's numbers; the Fokker-Planck grid
 * against the note's work cumulants (converged in h) and its own Jarzynski
 * identity.  The simulation: the initial sampler against quadrature (its law
 * exactly, also restricted to one side); W + Q = Delta E on every trajectory;
 * with MALA, Jarzynski and its reverse exact at a coarse step (3 standard
 * errors), the time-averaged <x> at fixed bias exact; <W> and P(error)
 * against the grid at a small step.  Negative control: Euler at a coarse
 * step (dt V'' about 1) must miss Jarzynski by many standard errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "assert_z.h"

#include "assert_close.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_poly.h>

#include "thermolearn/moments.h"
#include "../../src/models/milburn/milburn.h"

static const tl_stream_key key0 = {777u, 0, 0};

/* int_{lo}^{hi} x^k e^{-V/T} dx by Simpson's rule on a fine grid. */
static double simpson(double lambda, double T, int k, double lo, double hi)
{
    int n = 400000;
    double h = (hi - lo) / n, s = 0;
    for (int i = 0; i <= n; i++) {
        double x = lo + i * h, w = (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
        s += w * pow(x, k) * exp(-dw_potential(x, lambda) / T);
    }
    return s * h / 3;
}

static void test_quadrature(void **state)
{
    (void)state;
    double T = 0.1;
    assert_close(dw_delta_f(0, 0.3, T), -T * log(simpson(0.3, T, 0, -3, 3) / simpson(0, T, 0, -3, 3)), 1e-10);
    assert_close(dw_delta_f(0, 0.3, T), -0.13750, 5e-6);           /* the research note */
    assert_close(dw_delta_f(-0.3, 0.3, T), 0, 1e-12);              /* symmetric switch */
    assert_close(dw_delta_f(0, 0.1, T), -0.0206, 5e-5);
    const double lambdas[] = {0.05, 0.1, 0.2, 0.3}, means[] = {0.21130, 0.38876, 0.60512, 0.69864}; /* Fig. 3 */
    for (int i = 0; i < 4; i++) {
        assert_close(dw_mean_x(lambdas[i], T), means[i], 5e-6);
        assert_close(dw_mean_x(lambdas[i], T), simpson(lambdas[i], T, 1, -3, 3) / simpson(lambdas[i], T, 0, -3, 3), 1e-10);
    }
    assert_close(dw_curvature_at_minimum(0), 4, 1e-12); /* V'' = 12 x^2 - 2 at x^2 = 1/2 */
    /* slip: "E0 increases quadratically around lambda = 0"; E0 = V(left min) - V(right min) = sqrt 2 lambda + O(lambda^3) */
    const double small[] = {0.005, 0.08};
    for (int i = 0; i < 2; i++) {
        double r[3];
        assert_int_equal(gsl_poly_solve_cubic(0, -0.5, -0.25 * small[i], &r[0], &r[1], &r[2]), 3);
        double e0 = dw_potential(r[0], small[i]) - dw_potential(r[2], small[i]);
        assert_close(e0 / small[i], sqrt(2), 1e-3);
        assert_true(e0 / (small[i] * small[i]) > 17); /* not quadratic: E0 / lambda^2 grows as lambda -> 0 */
    }
}

/* The grid against the note's work cumulants (h -> 0) and its own Jarzynski identity. */
static void test_grid(void **state)
{
    (void)state;
    struct { double l0, l1, tr, T, mean, var, df; } cases[] = {
        {0, 0.3, 2, 0.1, -0.01458, 0.03594, -0.13750},
        {0, 0.3, 20, 0.1, -0.06632, 0.02054, -0.13750},
        {-0.3, 0.3, 20, 0.1, 0.24846, 0.03083, 0},
        {-0.3, 0.3, 5, 0.2, 0.19382, 0.06092, 0},
    };
    for (int i = 0; i < 4; i++) {
        dw_params p = {.lambda_start = cases[i].l0, .lambda_end = cases[i].l1, .ramp_time = cases[i].tr,
                       .time = cases[i].tr, .temperature = cases[i].T, .initial = DW_EQUILIBRIUM};
        dw_grid_result g;
        assert_int_equal(dw_grid_solve(&p, 0.005, 0.005, &g), 0);
        assert_close(g.mean_work, cases[i].mean, 1e-4);
        assert_close(g.var_work, cases[i].var, 1e-4);
        assert_close(-cases[i].T * log(g.jarzynski), cases[i].df, 2e-4);
    }
    /* Fig. 4 switching from the left well: P(x(50) < 0) = 0.0241 at D = 0.1 (note, h -> 0) */
    dw_params p = {.lambda_start = 0, .lambda_end = 0.3, .ramp_time = 10, .time = 50, .temperature = 0.1,
                   .initial = DW_LEFT};
    dw_grid_result g;
    assert_int_equal(dw_grid_solve(&p, 0.005, 0.005, &g), 0);
    assert_close(g.p_negative, 0.0241, 1e-3);
    /* first passage to x = 0.5 (the note: S(50) and E[min(tau, 50)], h -> 0) */
    const double D[] = {0.05, 0.1, 0.2}, S_end[] = {0.0499, 0.00052, 0}, mean[] = {20.95, 10.515, 5.507};
    for (int i = 0; i < 3; i++) {
        p.temperature = D[i], p.threshold = 0.5;
        double t = 50, s, m;
        assert_int_equal(dw_grid_first_passage(&p, 0.005, 0.005, 1, &t, &s, &m), 0);
        assert_close(s, S_end[i], 2e-3 * S_end[i] + 1e-5);
        assert_close(m, mean[i], 3e-3 * mean[i]);
    }
}

/* The initial sampler has the Boltzmann law (whole, and restricted to x < 0). */
static void test_sampler(void **state)
{
    (void)state;
    double T = 0.1, lambda = 0.3;
    dw_sampler *all = dw_sampler_alloc(lambda, T, DW_EQUILIBRIUM), *left = dw_sampler_alloc(lambda, T, DW_LEFT);
    tl_moments m = empty, m2 = empty, neg = empty, ml = empty;
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, &key0, TL_PURPOSE_INITIAL, 0);
    for (int i = 0; i < 400000; i++) {
        double x = dw_sampler_draw(all, &r), y = dw_sampler_draw(left, &r);
        add(&m, x), add(&m2, x * x), add(&neg, x < 0), add(&ml, y);
        assert_true(y < 0);
    }
    double z = simpson(lambda, T, 0, -3, 3), zl = simpson(lambda, T, 0, -3, 0);
    double tol = family_tol(4);
    assert_z(&m, simpson(lambda, T, 1, -3, 3) / z, tol, "<x>");
    assert_z(&m2, simpson(lambda, T, 2, -3, 3) / z, tol, "<x^2>");
    assert_z(&neg, zl / z, tol, "P(x < 0)");
    assert_z(&ml, simpson(lambda, T, 1, -3, 0) / zl, tol, "<x | x < 0>");
    dw_sampler_free(all), dw_sampler_free(left);
}

static dw_params ramp(double dt, int integrator)
{
    return (dw_params){.lambda_start = 0, .lambda_end = 0.3, .ramp_time = 2, .time = 2, .temperature = 0.1,
                       .dt = dt, .integrator = integrator, .initial = DW_EQUILIBRIUM, .threshold = 0.5, .bridge = 1,
                       .survival_times = 4};
}

/* The vector kernel against its scalar reference, bit for bit: every observable and the
 * survival profile of each trajectory, across tiles of lanes (150 = 2 x 64 + 22: a part
 * tile with padding lanes), both integrators, with and without the bridge, both
 * directions, and a different start of the batch (the numbers of a trajectory must
 * not depend on its lane).  Fails on any difference in the last bit. */
static void test_vector_kernel(void **state)
{
    (void)state;
    enum { COUNT = 150, K = 4 };
    for (int c = 0; c < 4; c++) {
        dw_params p = ramp(0.01, c & 1 ? DW_EULER : DW_MALA);
        p.bridge = c < 2, p.reverse = c == 3, p.dt = c & 1 ? 0.002 : 0.01;
        dw_run *run = dw_run_alloc(&p);
        tl_stream_key key = key0;
        key.direction = (uint32_t)p.reverse;
        dw_path paths[COUNT], shifted[COUNT - 7];
        double surv[K * COUNT], surv_shifted[K * (COUNT - 7)];
        dw_trajectories(run, &key, 1000, COUNT, paths, surv);
        dw_trajectories(run, &key, 1007, COUNT - 7, shifted, surv_shifted);
        long differ = 0, passed = 0, rejected = 0;
        for (size_t b = 0; b < COUNT; b++) {
            dw_path r;
            double sv[K];
            dw_trajectory(run, &key, 1000 + b, &r, sv);
            const dw_path *v = &paths[b];
            differ += r.work != v->work || r.heat != v->heat || r.energy_change != v->energy_change ||
                      r.fpt != v->fpt || r.passed != v->passed || r.final_sign != v->final_sign ||
                      r.x_mean != v->x_mean || r.acceptance != v->acceptance;
            for (int k = 0; k < K; k++) differ += sv[k] != surv[k * COUNT + b];
            if (b >= 7) {
                const dw_path *w = &shifted[b - 7];
                differ += r.work != w->work || r.heat != w->heat || r.fpt != w->fpt || r.x_mean != w->x_mean;
                for (int k = 0; k < K; k++) differ += sv[k] != surv_shifted[k * (COUNT - 7) + b - 7];
            }
            passed += r.passed, rejected += r.acceptance < 1;
        }
        if (differ) print_error("case %d: %ld differences between dw_trajectories and dw_trajectory\n", c, differ);
        assert_int_equal(differ, 0);
        assert_true(passed > 0 && passed < COUNT);             /* both branches of the first passage ran */
        if (p.integrator == DW_MALA) assert_true(rejected > 0); /* and rejections happened */
        dw_run_free(run);
    }
}

/* Trajectories 0 .. n - 1 by the vector kernel (the engine's); the array is
 * reused by the next call.  survival (may be NULL): [K][n]. */
static const dw_path *simulate(const dw_run *run, const tl_stream_key *key, size_t n, double *survival)
{
    static dw_path paths[40000];
    assert_true(n <= 40000);
    dw_trajectories(run, key, 0, n, paths, survival);
    return paths;
}

static void test_first_law(void **state)
{
    (void)state;
    for (int integrator = 0; integrator < 2; integrator++) {
        dw_params p = ramp(0.01, integrator);
        dw_run *run = dw_run_alloc(&p);
        for (uint64_t t = 0; t < 2000; t++) {
            dw_path path;
            dw_trajectory(run, &key0, t, &path, NULL);
            assert_true(fabs(path.work + path.heat - path.energy_change) <= 1e-12);
        }
        dw_run_free(run);
    }
}

/* MALA: Jarzynski in both directions at coarse steps; e^{-W/T} averages exactly e^{-+Delta F/T}. */
static void test_jarzynski_mala(void **state)
{
    (void)state;
    const double steps[] = {0.01, 0.05};
    for (int i = 0; i < 2; i++)
        for (int rev = 0; rev < 2; rev++) {
            dw_params p = ramp(steps[i], DW_MALA);
            p.reverse = rev;
            dw_run *run = dw_run_alloc(&p);
            tl_moments e = empty, acc = empty;
            tl_stream_key key = key0;
            key.direction = (uint32_t)rev;
            const dw_path *paths = simulate(run, &key, 40000, NULL);
            for (uint64_t t = 0; t < 40000; t++) {
                dw_path path = paths[t];
                add(&e, exp(-path.work / p.temperature)), add(&acc, path.acceptance);
            }
            double df = dw_delta_f(0, 0.3, 0.1) * (rev ? -1 : 1);
            assert_z(&e, exp(-df / p.temperature), family_tol(4), "<e^{-W/T}>");
            assert_true(acc.mean > 0.9 && acc.mean < 1);
            dw_run_free(run);
        }
}

/* At fixed bias from equilibrium, MALA keeps the law at every step: <x_mean> is the quadrature
 * at any dt. */
static void test_stationary_mean(void **state)
{
    (void)state;
    dw_params p = {.lambda_start = 0.2, .lambda_end = 0.2, .ramp_time = 0, .time = 2, .temperature = 0.3,
                   .dt = 0.04, .integrator = DW_MALA, .initial = DW_EQUILIBRIUM, .threshold = 0.5, .survival_times = 1};
    dw_run *run = dw_run_alloc(&p);
    tl_moments m = empty;
    const dw_path *paths = simulate(run, &key0, 40000, NULL);
    for (uint64_t t = 0; t < 40000; t++) {
        dw_path path = paths[t];
        add(&m, path.x_mean);
    }
    assert_z(&m, dw_mean_x(0.2, 0.3), Z_TOL, "<x> (mala)");
    dw_run_free(run);
}

/* dt V''(x*) about 1: MALA still satisfies Jarzynski exactly; Euler misses it by many standard
 * errors (negative control: the test can fail).  At dt V'' <= 0.25 Euler's bias is below 2.5
 * standard errors of 40000 trajectories (measured), so the negative control needs the large step. */
static void test_large_step(void **state)
{
    (void)state;
    for (int integrator = 0; integrator < 2; integrator++) {
        dw_params p = ramp(0.2, integrator);
        dw_run *run = dw_run_alloc(&p);
        tl_moments e = empty;
        const dw_path *paths = simulate(run, &key0, 40000, NULL);
        for (uint64_t t = 0; t < 40000; t++) {
            dw_path path = paths[t];
            add(&e, exp(-path.work / p.temperature));
        }
        double exact = exp(-dw_delta_f(0, 0.3, 0.1) / 0.1), z = z_of(&e, exact);
        if (integrator == DW_MALA) assert_z(&e, exact, family_tol(2), "<e^{-W/T}> (mala, dt = 0.2)");
        else if (!(fabs(z) > 6)) {
            print_error("euler at dt = 0.2: <e^{-W/T}> = %.6g, exact %.6g, only %.2f standard errors\n", e.mean, exact, z);
            fail();
        }
        dw_run_free(run);
    }
}

/* Dynamics: <W> and P(error) against the grid at a small step. */
static void test_dynamics(void **state)
{
    (void)state;
    dw_params p = ramp(0.001, DW_MALA);
    dw_grid_result g;
    assert_int_equal(dw_grid_solve(&p, 0.005, 0.005, &g), 0);
    dw_run *run = dw_run_alloc(&p);
    tl_moments w = empty, w2 = empty;
    const dw_path *paths = simulate(run, &key0, 20000, NULL);
    for (uint64_t t = 0; t < 20000; t++) {
        dw_path path = paths[t];
        add(&w, path.work);
        add(&w2, (path.work - g.mean_work) * (path.work - g.mean_work));
    }
    assert_z(&w, g.mean_work, family_tol(4), "<W>");
    assert_z(&w2, g.var_work, family_tol(4), "Var W");
    dw_run_free(run);

    dw_params q = {.lambda_start = 0, .lambda_end = 0.3, .ramp_time = 5, .time = 10, .temperature = 0.2,
                   .dt = 0.002, .integrator = DW_MALA, .initial = DW_LEFT, .threshold = 0.5, .bridge = 1,
                   .survival_times = 2};
    assert_int_equal(dw_grid_solve(&q, 0.005, 0.005, &g), 0);
    run = dw_run_alloc(&q);
    tl_moments neg = empty;
    paths = simulate(run, &key0, 8000, NULL);
    for (uint64_t t = 0; t < 8000; t++) {
        dw_path path = paths[t];
        add(&neg, path.final_sign < 0);
    }
    assert_z(&neg, g.p_negative, family_tol(4), "P(x(time) < 0)");
    dw_run_free(run);

    /* first passage with the bridge correction, against the absorbing grid */
    double times[2] = {5, 10}, surv[2], mean_fpt;
    assert_int_equal(dw_grid_first_passage(&q, 0.005, 0.005, 2, times, surv, &mean_fpt), 0);
    run = dw_run_alloc(&q);
    tl_moments fpt = empty, s5 = empty;
    static double sv[2 * 8000];
    paths = simulate(run, &key0, 8000, sv);
    for (uint64_t t = 0; t < 8000; t++) add(&fpt, paths[t].fpt), add(&s5, sv[t]); /* sv[0 * 8000 + t]: checkpoint 0 */
    assert_z(&fpt, mean_fpt, family_tol(2), "E[min(tau, time)]");
    assert_z(&s5, surv[0], family_tol(2), "S(5)");
    dw_run_free(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quadrature),     cmocka_unit_test(test_grid),
        cmocka_unit_test(test_sampler),        cmocka_unit_test(test_first_law),
        cmocka_unit_test(test_jarzynski_mala), cmocka_unit_test(test_stationary_mean),
        cmocka_unit_test(test_large_step),     cmocka_unit_test(test_vector_kernel),
        cmocka_unit_test(test_dynamics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
