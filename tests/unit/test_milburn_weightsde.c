/* The feedback-cooled weight of Milburn section 4.2 (model `weightsde`).
 *
 * Exact references: quadrature of the stationary law against the research
 * note's numbers, and the paper's eqs. 86-88 as printed; the Fokker-Planck
 * equation of the SDE on a grid (built from the drift and the noise only)
 * decides eq. 87: its stationary state is exp(-2V/D) to O(h^2), far from
 * exp(-V/2D); with eta = 0 its variance is D/(2 gamma_w), not eq. 78's D/gamma_w.
 * The simulation: the free OU process is exact at any step (every proposal
 * accepted); the Metropolis-adjusted integrator keeps the stationary law exact
 * at a coarse step where Euler misses it by many standard errors (negative
 * control); at the default step both follow the grid's finite-time law
 * (mean, second moment, P(w < 0), <Q>, histogram) within 3 standard errors.
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

#include "thermolearn/moments.h"
#include "../../src/models/milburn/weightsde.h"
#include "../../src/models/milburn/observed.h"

#define BINS 12

static ws_params fig20(double beta, double dt, double time, int integrator)
{
    return (ws_params){.temperature = 0.5, .gamma_w = 1, .beta = beta, .eta = 4, .input = 1, .bias = 0,
                       .integrator = integrator, .dt = dt, .time = time, .bins = BINS, .w_min = -3, .w_max = 1.8};
}

static void ensemble(const ws_params *p, uint64_t seed, long n, tl_moments m[WS_N_OBS], tl_moments hist[BINS])
{
    ws_run run;
    ws_run_init(&run, p);
    tl_stream_key key = {seed, 1, 0};
    for (size_t o = 0; o < WS_N_OBS; o++) m[o] = empty;
    for (size_t b = 0; hist && b < BINS; b++) hist[b] = empty;
    enum { UNIT = 256 }; /* the vector kernel, in the engine's units of work */
    static double out[UNIT * WS_N_OBS], h[UNIT * BINS];
    for (long t = 0; t < n; t += UNIT) {
        size_t count = (size_t)(n - t < UNIT ? n - t : UNIT);
        memset(h, 0, sizeof h);
        ws_trajectories(&run, &key, (uint64_t)t, count, out, NULL, hist ? h : NULL);
        for (size_t i = 0; i < count; i++) {
            for (size_t o = 0; o < WS_N_OBS; o++) add(&m[o], out[i * WS_N_OBS + o]);
            for (size_t b = 0; hist && b < BINS; b++) add(&hist[b], h[i * BINS + b]);
        }
    }
}

/* Quadrature: the note's stationary moments, eqs. 86-88 as printed, the fixed points. */
static void test_quadrature_and_paper(void **state)
{
    (void)state;
    ws_params p = fig20(2, 1e-3, 1, WS_EXACT);
    ws_moments st = ws_density_moments(&p, 0, 1 / p.temperature);           /* exp(-2V/D), D = 1 */
    assert_close(st.mean, -0.96257, 5e-6);
    assert_close(st.variance, 0.24974, 5e-6);
    assert_close(st.p_negative, 0.97421, 5e-6);
    ws_moments e87 = ws_density_moments(&p, 0, 1 / (2 * 2 * p.temperature));  /* exp(-V/2D) */
    assert_close(e87.mean, -0.8588, 1e-4);
    assert_close(e87.variance, 1.5671, 1e-4);
    ws_moments e86 = ws_density_moments(&p, 1, 1 / (2 * 2 * p.temperature));  /* exp(-V_p/2D), printed V_p */
    assert_close(e86.mean, 0, 1e-9);
    assert_close(e86.variance, 3.224, 5e-4); /* the note: 3.2240 */
    /* the printed V_p is even and double-welled: minima at +-1.266 (3.496) below V_p(0) = L beta = 4 */
    assert_close(ws_paper_potential(&p, 0), 4, 1e-12);
    assert_close(ws_paper_potential(&p, 1.266), ws_paper_potential(&p, -1.266), 1e-12);
    assert_close(ws_paper_potential(&p, 1.266), 3.496, 1e-3);
    assert_true(ws_paper_potential(&p, 1.2) > ws_paper_potential(&p, 1.266) &&
                ws_paper_potential(&p, 1.33) > ws_paper_potential(&p, 1.266));
    /* the true V has one minimum: V' changes sign once */
    int changes = 0;
    for (double w = -6; w < 6; w += 1e-3) changes += (ws_force(&p, w) > 0) != (ws_force(&p, w + 1e-3) > 0);
    assert_int_equal(changes, 1);
    /* eq. 88: a = 2 gamma_w/(beta L) gives the drift's root; the printed 2 gamma_w/(L beta^2) does not (beta = 2) */
    double L = ws_learning_scale(&p);
    assert_close(ws_fixed_point(&p), -0.93104, 5e-6);
    assert_close(ws_eq88_root(2 * p.gamma_w / (p.beta * L), p.beta), ws_fixed_point(&p), 1e-12);
    assert_close(ws_eq88_root(2 * p.gamma_w / (L * p.beta * p.beta), p.beta), -1.20664, 5e-6);
    p = fig20(1, 1e-3, 1, WS_EXACT); /* beta = 1: both readings agree */
    st = ws_density_moments(&p, 0, 1 / p.temperature);
    assert_close(st.mean, -0.80603, 5e-6);
    assert_close(st.variance, 0.40415, 5e-6);
    L = ws_learning_scale(&p);
    assert_close(ws_fixed_point(&p), -0.84183, 5e-6);
    assert_close(ws_eq88_root(2 * p.gamma_w / (L * p.beta * p.beta), p.beta), ws_fixed_point(&p), 1e-12);
    /* x drops out of eq. 85 at b = 0 */
    ws_params q = fig20(2, 1e-3, 1, WS_EXACT), r = q;
    q.input = -1;
    for (double w = -2; w < 2; w += 0.37) assert_close(ws_force(&q, w), ws_force(&r, w), 1e-14);
}

/* The Fokker-Planck grid of the SDE decides eq. 87: at long times its density is exp(-2V/D), not exp(-V/2D). */
static void test_fokker_planck_decides_eq87(void **state)
{
    (void)state;
    ws_params p = fig20(2, 1e-3, 30, WS_EXACT);
    ws_grid *g = ws_grid_solve(&p, 30, 0.005, 0.002);
    ws_moments st = ws_density_moments(&p, 0, 1 / p.temperature), e87 = ws_density_moments(&p, 0, 0.5 / 2);
    double worst_true = 0, worst_paper = 0, mass = 0;
    for (size_t i = 0; i < g->nodes; i++) {
        double w = g->lo + i * g->hx;
        double truth = exp(-(ws_potential(&p, w) - st.umin) / p.temperature - st.log_z);
        double paper = exp(-(ws_potential(&p, w) - e87.umin) / 2.0 - e87.log_z); /* V/2D, D = 1 */
        worst_true = fmax(worst_true, fabs(g->density[i] - truth));
        worst_paper = fmax(worst_paper, fabs(g->density[i] - paper));
        mass += g->density[i] * g->hx;
    }
    printf("grid at t = 30: max |p - exp(-2V/D)| = %.2e, max |p - exp(-V/2D)| = %.3f\n", worst_true, worst_paper);
    assert_close(mass, 1, 1e-10);
    assert_true(worst_true < 1e-4);
    assert_true(worst_paper > 0.3);
    assert_close(g->mean, -0.96257, 2e-5);
    assert_close(g->square - g->mean * g->mean, 0.24974, 2e-5);
    /* the relaxation's energetics (note: <Q> = -1.00793, Delta S = -0.35073, Sigma = 1.66513) */
    assert_close(g->mean_potential - g->mean_potential_initial, -1.00793, 2e-5);
    assert_close(g->entropy - g->entropy_initial, -0.35073, 2e-5);
    double sigma = g->entropy - g->entropy_initial - (g->mean_potential - g->mean_potential_initial) / p.temperature;
    assert_close(sigma, 1.66513, 5e-5);
    ws_grid_free(g);
    /* converged in the grid: hx = 0.01 against 0.005 at t = 1 (O(hx^2): the default's error is a third of this) */
    ws_grid *a = ws_grid_solve(&p, 1, 0.005, 0.002), *b = ws_grid_solve(&p, 1, 0.01, 0.004);
    assert_close(a->mean, b->mean, 5e-5);
    assert_close(a->square, b->square, 5e-5);
    assert_close(a->p_negative, b->p_negative, 5e-5);
    ws_grid_free(a), ws_grid_free(b);
    /* eta = 0 (eq. 77): the stationary variance is D/(2 gamma_w) = 0.5, not eq. 78's D/gamma_w = 1 */
    p.eta = 0;
    g = ws_grid_solve(&p, 30, 0.005, 0.002);
    assert_close(g->square, 0.5, 1e-5);
    ws_grid_free(g);
}

/* eta = 0: the exact OU step at a coarse step, every proposal accepted; eq. 78's variance is refuted. */
static void test_free_ou_exact(void **state)
{
    (void)state;
    ws_params p = fig20(2, 0.5, 5, WS_EXACT);
    p.eta = 0;
    tl_moments m[WS_N_OBS];
    ensemble(&p, 3, 40000, m, NULL);
    assert_close(m[WS_OBS_ACCEPTANCE].min, 1, 0);
    double tol = family_tol(2);
    assert_z(&m[WS_OBS_W_SQUARE], 0.5, tol, "<w^2>, eta = 0 (D/(2 gamma_w))");
    assert_z(&m[WS_OBS_W_FINAL], 0, tol, "<w>, eta = 0");
    assert_true(z_of(&m[WS_OBS_W_SQUARE], 1.0) < -50); /* eq. 78: D/gamma_w */
}

/* The stationary law at a coarse step (dt c = 0.38, beyond the model's dynamics tolerance): exact for
 * the Metropolis-adjusted integrator, missed by Euler (negative control). */
static void test_coarse_step(void **state)
{
    (void)state;
    ws_params p = fig20(2, 0.15, 15, WS_EXACT);
    ws_moments st = ws_density_moments(&p, 0, 1 / p.temperature);
    tl_moments m[WS_N_OBS], e[WS_N_OBS];
    ensemble(&p, 4, 20000, m, NULL);
    p.integrator = WS_EULER;
    ensemble(&p, 4, 20000, e, NULL);
    double tol = family_tol(3), square = st.variance + st.mean * st.mean;
    assert_z(&m[WS_OBS_W_FINAL], st.mean, tol, "<w>, exact integrator, dt = 0.15");
    assert_z(&m[WS_OBS_W_SQUARE], square, tol, "<w^2>, exact integrator, dt = 0.15");
    assert_z(&m[WS_OBS_NEGATIVE], st.p_negative, tol, "P(w < 0), exact integrator, dt = 0.15");
    printf("dt = 0.15: <w^2> exact integrator %.4f, Euler %.4f +- %.4f, stationary %.4f (acceptance %.3f)\n",
           m[WS_OBS_W_SQUARE].mean, e[WS_OBS_W_SQUARE].mean, se_of(&e[WS_OBS_W_SQUARE]), square,
           m[WS_OBS_ACCEPTANCE].mean);
    assert_true(fabs(z_of(&e[WS_OBS_W_SQUARE], square)) > 6);
}

/* At the default step both integrators follow the Fokker-Planck grid mid-relaxation (t = 1). */
static void test_default_step_dynamics(void **state)
{
    (void)state;
    for (int integrator = 0; integrator < 2; integrator++) {
        ws_params p = fig20(2, 1e-3, 1, integrator);
        ws_grid *g = ws_grid_solve(&p, 1, 0.005, 0.002);
        tl_moments m[WS_N_OBS], hist[BINS];
        ensemble(&p, 5, 20000, m, hist);
        double tol = family_tol(4 + BINS);
        assert_z(&m[WS_OBS_W_FINAL], g->mean, tol, "<w(1)>");
        assert_z(&m[WS_OBS_W_SQUARE], g->square, tol, "<w(1)^2>");
        assert_z(&m[WS_OBS_NEGATIVE], g->p_negative, tol, "P(w(1) < 0)");
        assert_z(&m[WS_OBS_HEAT], g->mean_potential - g->mean_potential_initial, tol, "<Q>");
        for (size_t b = 0; b < BINS; b++) {
            double lo = p.w_min + (p.w_max - p.w_min) * b / BINS, hi = p.w_min + (p.w_max - p.w_min) * (b + 1) / BINS;
            /* a bin count is binomial: its standard error from the exact mass, not from the
             * sample (a tail bin with a handful of counts has a sample SE far too small) */
            double exact = ws_grid_mass(g, lo, hi), n = (double)hist[b].n;
            double z = (hist[b].mean - exact) / sqrt(exact * (1 - exact) / n);
            if (exact * n >= 1) {
                if (!(fabs(z) <= tol)) print_error("histogram bin %zu: %g, exact %g: %.2f standard errors\n", b, hist[b].mean, exact, z);
                assert_true(fabs(z) <= tol);
            } else assert_true(hist[b].mean * n <= 5); /* below one expected count: at most a few */
        }
        ws_grid_free(g);
    }
}

static void test_streams(void **state)
{
    (void)state;
    ws_params p = fig20(2, 1e-2, 2, WS_EXACT);
    ws_run run;
    ws_run_init(&run, &p);
    tl_stream_key key = {9, 3, 0};
    double a[WS_N_OBS], b[WS_N_OBS], c[WS_N_OBS];
    ws_trajectory(&run, &key, 41, a, NULL, NULL);
    ws_trajectory(&run, &key, 41, b, NULL, NULL);
    ws_trajectory(&run, &key, 42, c, NULL, NULL);
    assert_memory_equal(a, b, sizeof a);
    assert_true(a[WS_OBS_W_FINAL] != c[WS_OBS_W_FINAL]);
    assert_close(a[WS_OBS_HEAT], ws_potential(&p, a[WS_OBS_W_FINAL]) - ws_potential(&p, a[WS_OBS_W_INITIAL]), 0);
}

/* The vector kernel against its scalar reference, bit for bit: 150 trajectories
 * (two whole tiles of 64 lanes and a part one with padding), both integrators,
 * with and without learning, and a batch that starts elsewhere (a trajectory's
 * numbers must not depend on its lane).  Fails on any difference in the last bit. */
static void test_vector_kernel(void **state)
{
    (void)state;
    enum { COUNT = 150 };
    static double out[COUNT * WS_N_OBS], shifted[COUNT * WS_N_OBS], hi[COUNT * BINS], hf[COUNT * BINS];
    for (int c = 0; c < 3; c++) {
        ws_params p = fig20(2, 0.05, 1, c == 1 ? WS_EULER : WS_EXACT);
        if (c == 2) p.eta = 0;
        ws_run run;
        ws_run_init(&run, &p);
        tl_stream_key key = {9, 3, 1};
        memset(hi, 0, sizeof hi), memset(hf, 0, sizeof hf);
        ws_trajectories(&run, &key, 500, COUNT, out, hi, hf);
        ws_trajectories(&run, &key, 509, COUNT - 9, shifted, NULL, NULL);
        long differ = 0, rejected = 0;
        for (size_t b = 0; b < COUNT; b++) {
            double r[WS_N_OBS], ri[BINS] = {0}, rf[BINS] = {0};
            ws_trajectory(&run, &key, 500 + b, r, ri, rf);
            for (size_t o = 0; o < WS_N_OBS; o++) {
                differ += r[o] != out[b * WS_N_OBS + o];
                if (b >= 9) differ += r[o] != shifted[(b - 9) * WS_N_OBS + o];
            }
            for (size_t k = 0; k < BINS; k++) differ += ri[k] != hi[b * BINS + k] || rf[k] != hf[b * BINS + k];
            rejected += r[WS_OBS_ACCEPTANCE] < 1;
        }
        if (differ) print_error("case %d: %ld differences between ws_trajectories and ws_trajectory\n", c, differ);
        assert_int_equal(differ, 0);
        if (c == 0) assert_true(rejected > 0); /* the Metropolis test rejected somewhere */
        else assert_int_equal(rejected, 0);   /* euler, and the exact OU step without learning, take every step */
    }
}

/* The full loop of eq. 84 (feedback = filtered) with Fig. 20's weight and a switch of total rate gamma_s
 * measured at strength Gamma. */
static ws_params filtered(double gamma_s, double gamma, double dt, double time)
{
    ws_params p = fig20(2, dt, time, WS_EXACT);
    p.feedback = WS_FILTERED, p.switch_rate = gamma_s, p.measurement_rate = gamma, p.transient = 0;
    return p;
}

/* The weight held at 0 (eta = 0, T_w = 1e-14): the switch is observed's stationary chain and
 * E[1 - n_c^2] is the filter's stationary MMSE from the Wonham density (the note's 0.39526 at
 * gamma_s = 1, Gamma = 10), at b = 0 and at b = 0.5 (asymmetric rates).  The adiabatic factor
 * 1 - tanh^2(beta b/2) (no measurement) is far off: a negative control. */
static void test_filtered_held_mmse(void **state)
{
    (void)state;
    for (int c = 0; c < 2; c++) {
        ws_params p = filtered(1, 10, 1e-3, 30);
        p.eta = 0, p.temperature = 1e-14, p.transient = 3, p.bias = c ? 0.5 : 0;
        double up = 1 / (1 + exp(-p.beta * p.bias));
        ob_wonham wh;
        assert_int_equal(ob_wonham_init(&wh, up, 1 - up, p.measurement_rate), 0);
        double mmse = ob_wonham_mmse(&wh);
        if (c == 0) assert_close(mmse, 0.39526, 5e-6);
        tl_moments m[WS_N_OBS];
        ensemble(&p, 11 + c, 300, m, NULL);
        printf("held weight, b = %g: <1 - n_c^2> = %.5f +- %.5f, Wonham MMSE %.5f, adiabatic %.5f; jumps %.1f\n",
               p.bias, m[WS_OBS_ONE_MINUS_NC2].mean, se_of(&m[WS_OBS_ONE_MINUS_NC2]), mmse,
               1 - pow(tanh(0.5 * p.beta * p.bias), 2), m[WS_OBS_JUMPS].mean);
        assert_z(&m[WS_OBS_ONE_MINUS_NC2], mmse, family_tol(2), "<1 - n_c^2>, weight held, against the MMSE");
        assert_true(fabs(z_of(&m[WS_OBS_ONE_MINUS_NC2], 1 - pow(tanh(0.5 * p.beta * p.bias), 2))) > 50);
        assert_true(fabs(m[WS_OBS_W_FINAL].mean) < 1e-5);
    }
}

/* Fast switching: as gamma_s grows at fixed Gamma the filter learns nothing between jumps, n_c ->
 * tanh(beta A/2), and the loop becomes eq. 85: the stationary mean of w converges to exp(-2V/D)'s.
 * At gamma_s = 1 the factor E[1 - n_c^2] < 1 weakens the learning and the mean is many standard
 * errors off (the test can fail both ways); at gamma_s = 300 it is within 3 standard errors.  The
 * feedback force's work does not vanish there: n_c lags w, and E[W] is the Ito correction of the
 * tanh^2 term, -(L D/2) int E[(tanh^2 a)'] dt along eq. 85's relaxation (the Fokker-Planck grid). */
static void test_filtered_fast_switching(void **state)
{
    (void)state;
    const double rates[] = {1, 10, 300};
    ws_params a = fig20(2, 1e-3, 1, WS_EXACT);
    ws_moments st = ws_density_moments(&a, 0, 1 / a.temperature);
    double z[3];
    tl_moments work = empty;
    for (int r = 0; r < 3; r++) {
        ws_params p = filtered(rates[r], 10, 2e-3, 8);
        tl_moments m[WS_N_OBS];
        ensemble(&p, 21, 3000, m, NULL);
        z[r] = z_of(&m[WS_OBS_W_FINAL], st.mean);
        work = m[WS_OBS_WORK];
        printf("gamma_s = %g, Gamma = 10: <w> = %.4f +- %.4f (adiabatic %.5f, %.1f standard errors), "
               "<1 - n_c^2> = %.4f, <W> = %.4f\n", rates[r], m[WS_OBS_W_FINAL].mean, se_of(&m[WS_OBS_W_FINAL]),
               st.mean, z[r], m[WS_OBS_ONE_MINUS_NC2].mean, m[WS_OBS_WORK].mean);
    }
    /* the work's limit: the grid's int E[g] dt along eq. 85's relaxation (the last rate's ensemble) */
    ws_params p = filtered(rates[2], 10, 2e-3, 8);
    ws_grid *g = ws_grid_solve(&p, 8, 0.005, 0.002);
    printf("gamma_s = %g: <W> = %.4f +- %.4f, limit %.4f (%.1f standard errors)\n", rates[2], work.mean, se_of(&work),
           g->feedback_work, z_of(&work, g->feedback_work));
    assert_z(&work, g->feedback_work, family_tol(2), "<W>, fast switching, against the grid's delayed-feedback heat");
    assert_true(z_of(&work, 0) > 50); /* the naive limit W -> 0 (n_c -> tanh a) is refuted */
    ws_grid_free(g);
    assert_true(z[0] > 8);                            /* slow switch: less learning, w closer to 0 */
    assert_true(fabs(z[2]) <= family_tol(2));         /* fast switch: eq. 85 */
    assert_true(z[0] > z[1] && z[1] > fabs(z[2]));    /* converging */
}

/* The filtered loop: determinism, the vector entry point equal to the scalar one, the first law
 * Q = Delta V - W per trajectory, and a switch that jumps. */
static void test_filtered_streams(void **state)
{
    (void)state;
    enum { COUNT = 70 };
    static double out[COUNT * WS_N_OBS], hf[COUNT * BINS];
    ws_params p = filtered(1, 10, 1e-2, 4);
    ws_run run;
    ws_run_init(&run, &p);
    tl_stream_key key = {9, 3, 2};
    memset(hf, 0, sizeof hf);
    ws_trajectories(&run, &key, 100, COUNT, out, NULL, hf);
    long differ = 0, jumps = 0;
    for (size_t b = 0; b < COUNT; b++) {
        double r[WS_N_OBS], rf[BINS] = {0};
        ws_trajectory(&run, &key, 100 + b, r, NULL, rf);
        for (size_t o = 0; o < WS_N_OBS; o++) differ += r[o] != out[b * WS_N_OBS + o];
        for (size_t k = 0; k < BINS; k++) differ += rf[k] != hf[b * BINS + k];
        double dv = ws_potential(&p, r[WS_OBS_W_FINAL]) - ws_potential(&p, r[WS_OBS_W_INITIAL]);
        assert_close(r[WS_OBS_HEAT], dv - r[WS_OBS_WORK], 1e-12);
        assert_true(r[WS_OBS_ONE_MINUS_NC2] > 0 && r[WS_OBS_ONE_MINUS_NC2] <= 1);
        jumps += r[WS_OBS_JUMPS] > 0;
    }
    assert_int_equal(differ, 0);
    assert_true(jumps > COUNT / 2);
    double a[WS_N_OBS], b[WS_N_OBS];
    ws_trajectory(&run, &key, 7, a, NULL, NULL);
    ws_trajectory(&run, &key, 7, b, NULL, NULL);
    assert_memory_equal(a, b, sizeof a);
}

/* The filtered loop's vector kernel against its scalar reference, bit for bit: 150 trajectories (two
 * whole tiles and a part one with padding lanes), a batch that starts elsewhere, and four cases: the
 * exact weight step with a transient (the time sum starts mid-run), Euler, a bias with x = -1, and a
 * fast switch under strong measurement (the filter's clamp and both branches of its logistic).  Every
 * observable, the histograms included; fails on any difference in the last bit.  The lanes diverge:
 * the jump counts differ between trajectories. */
static void test_filtered_vector_kernel(void **state)
{
    (void)state;
    enum { COUNT = 150 };
    static double out[COUNT * WS_N_OBS], shifted[COUNT * WS_N_OBS], hi[COUNT * BINS], hf[COUNT * BINS];
    for (int c = 0; c < 4; c++) {
        ws_params p = filtered(c == 3 ? 200 : 2, c == 3 ? 1000 : 10, 0.02, 2);
        p.transient = c == 0 ? 0.7 : 0;
        if (c == 1) p.integrator = WS_EULER, p.dt = 4e-3;
        if (c == 2) p.bias = 0.4, p.input = -1;
        ws_run run;
        ws_run_init(&run, &p);
        tl_stream_key key = {9, 3, 3};
        memset(hi, 0, sizeof hi), memset(hf, 0, sizeof hf);
        ws_trajectories(&run, &key, 300, COUNT, out, hi, hf);
        ws_trajectories(&run, &key, 309, COUNT - 9, shifted, NULL, NULL);
        long differ = 0, min_jumps = 1L << 40, max_jumps = 0;
        for (size_t b = 0; b < COUNT; b++) {
            double r[WS_N_OBS], ri[BINS] = {0}, rf[BINS] = {0};
            ws_filtered_trajectory(&run, &key, 300 + b, r, ri, rf);
            for (size_t o = 0; o < WS_N_OBS; o++) {
                differ += memcmp(&r[o], &out[b * WS_N_OBS + o], sizeof r[o]) != 0;
                if (b >= 9) differ += memcmp(&r[o], &shifted[(b - 9) * WS_N_OBS + o], sizeof r[o]) != 0;
            }
            for (size_t k = 0; k < BINS; k++) differ += ri[k] != hi[b * BINS + k] || rf[k] != hf[b * BINS + k];
            long j = (long)r[WS_OBS_JUMPS];
            min_jumps = j < min_jumps ? j : min_jumps, max_jumps = j > max_jumps ? j : max_jumps;
        }
        if (differ) print_error("case %d: %ld differences between the lanes and ws_filtered_trajectory\n", c, differ);
        assert_int_equal(differ, 0);
        assert_true(max_jumps > min_jumps); /* the trajectories diverged */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quadrature_and_paper),
        cmocka_unit_test(test_fokker_planck_decides_eq87),
        cmocka_unit_test(test_free_ou_exact),
        cmocka_unit_test(test_coarse_step),
        cmocka_unit_test(test_default_step_dynamics),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_vector_kernel),
        cmocka_unit_test(test_filtered_held_mmse),
        cmocka_unit_test(test_filtered_fast_switching),
        cmocka_unit_test(test_filtered_streams),
        cmocka_unit_test(test_filtered_vector_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
