/* The noisy limit-cycle clocks of Milburn section 6 (model `clock`).
 *
 * References: the Hopf threshold against its closed form (the growth rate
 * vanishes at chi_h), the deterministic periods against an independent
 * integration (the planning note's LSODA values), the paper's r* of eqs.
 * 99/101; the splitting integrator's first law on every step to round-off,
 * its heat against the exact conditional mean of the OU half-steps (a
 * martingale, within 3 standard errors), and its period bias at the default
 * step (stated below, measured against T0 at T -> 0).  The phase clock of
 * eq. 105 against the Wald law (mean, variance, overlapping-block variance)
 * within 3 standard errors (union bound); eq. 108 as printed (2 pi sigma/r)
 * must fail there by many standard errors, and so must eq. 107 (E[T] = 2 pi)
 * and eq. 108 for the escapement clock at Fig. 22's parameters.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "assert_z.h"

#include "assert_close.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>

#include "thermolearn/moments.h"
#include "../../src/models/milburn/clock.h"

#define PI 3.141592653589793

static ck_params fig22(double temperature)
{
    return (ck_params){.oscillator = CK_ESCAPEMENT, .gamma = 10, .kappa = 1, .chi = 40, .eps = 0,
                       .temperature = temperature, .dt = 2e-4, .transient = 5, .periods = 200, .max_time = 1e4,
                       .hysteresis = 0.5};
}

/* chi_h closed form; the growth rate changes sign there; the planning note's values. */
static void test_hopf(void **state)
{
    assert_close(ck_chi_hopf(1, 1), 3.5, 1e-15);
    assert_close(ck_chi_hopf(10, 1), 21.05, 1e-13);
    for (double g = 0.5; g <= 10; g *= 2) {
        double ch = ck_chi_hopf(g, 1);
        assert_true(ck_fixed_point_growth(g, 1, ch * (1 - 1e-6), 0) < 0);
        assert_true(ck_fixed_point_growth(g, 1, ch * (1 + 1e-6), 0) > 0);
    }
    assert_close(ck_fixed_point_growth(1, 1, 40, 0), 1.1634, 1e-4);
    assert_close(ck_fixed_point_growth(10, 1, 40, 0), 0.3830, 1e-4);
    /* the paper: "when eps = 0 the origin is stable ... as eps is increased it goes unstable" -- reversed */
    assert_close(ck_hopf_bias(1, 1, 40), 0.95797, 1e-5);
    assert_close(ck_hopf_bias(10, 1, 40), 0.61088, 1e-5);
    assert_close(ck_hopf_bias(1, 1, 20), 0.92553, 1e-5);
    assert_true(isnan(ck_hopf_bias(1, 1, 3)));
    double x = ck_fixed_point(40, 0.1);
    assert_close(x + 40 * (tanh(x) + 0.1), 0, 1e-12);
}

/* T0 against the planning note's LSODA (rtol 1e-11) values, and eq. 107's 2 pi far from all of them. */
static void test_deterministic_period(void **state)
{
    struct { double gamma, chi, eps, t0; } cases[] = {
        {10, 40, 0, 1.25555}, {1, 40, 0.1, 2.21846}, {10, 40, 0.1, 1.25925},
        {1, 5, 0, 3.3680},    {1, 20, 0, 2.5590},    {1, 40, 0, 2.2098},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ck_params p = fig22(0);
        p.gamma = cases[k].gamma, p.chi = cases[k].chi, p.eps = cases[k].eps;
        double t0 = ck_cycle_find(&p);
        assert_close(t0, cases[k].t0, 6e-5 * cases[k].t0);
        assert_true(fabs(t0 - 2 * PI) > 2.9); /* eq. 107 */
        assert_close(p.x0, p.x_fixed, 1e-9);  /* the start lies on the section */
        assert_true(p.y0 > 0);
    }
    ck_params still = fig22(0);
    still.chi = 3; /* below chi_h = 21.05: no cycle */
    assert_true(isnan(ck_cycle_find(&still)));
}

/* Eqs. 99 + 101: r* = 11.06 for Fig. 21, no solution for Fig. 22. */
static void test_paper_radius(void **state)
{
    double r = ck_paper_radius(1, 1, 40);
    assert_close(r, 11.06, 0.01);
    assert_close(r * r, 4 * 40 / PI * log(r), 1e-9);
    assert_true(isnan(ck_paper_radius(10, 1, 40)));
}

/* W + Q = Delta E on every step; heat - predicted heat has mean 0 (3 standard errors). */
static void test_first_law_and_heat(void **state)
{
    ck_params p = fig22(2.5);
    p.dt = 1e-3;
    ck_cycle_find(&p);
    tl_stream_key key = {.seed = 11};
    tl_moments noise = empty, wrong = empty;
    double worst = 0;
    for (uint64_t traj = 0; traj < 4000; traj++) {
        tl_stream_cursor r;
        tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, traj);
        ck_state s = {p.x0, p.y0, p.v0};
        double w = 0, q = 0, qp = 0, e0 = (s.x * s.x + s.y * s.y) / 2;
        for (int k = 0; k < 500; k++) ck_step(&p, &s, &r, &w, &q, &qp);
        double de = (s.x * s.x + s.y * s.y) / 2 - e0;
        worst = fmax(worst, fabs(w + q - de) / (1 + fabs(de)));
        add(&noise, q - qp);
        add(&wrong, q - 2 * qp); /* a wrong noise strength (a factor 2 in sigma) shows */
    }
    assert_true(worst < 1e-11);
    assert_true(fabs(z_of(&noise, 0)) < 3);
    assert_true(fabs(z_of(&wrong, 0)) > 10);
}

/* The splitting's bias at the default step: the period at T -> 0 against T0.
 * Measured: |E[T] - T0| = 9e-7 (asserted < 5e-6) at dt = 2e-4 (Fig. 22), well below the noise
 * effects studied (E[T] - T0 = -6e-4 at T = 0.125, +0.014 at T = 2.5). */
static void test_step_bias(void **state)
{
    ck_params p = fig22(1e-12);
    double t0 = ck_cycle_find(&p);
    ck_path out;
    tl_stream_key key = {.seed = 1};
    ck_trajectory(&p, &key, 0, &out);
    assert_int_equal(out.intervals, p.periods);
    print_message("period at dt = 2e-4: %.8f, T0 %.8f, bias %.2e\n", out.period_mean, t0, out.period_mean - t0);
    assert_true(fabs(out.period_mean - t0) < 5e-6);
    p.dt = 2e-3; /* ten times the step: larger bias, still bounded by the splitting's order */
    ck_trajectory(&p, &key, 0, &out);
    assert_true(fabs(out.period_mean - t0) < 2e-3);
}

/* The vector kernel (ck_trajectories, tiles of 64 across the batch) against its scalar reference
 * (ck_trajectory_path) bit for bit: every observable and the sample path, on 77 trajectories (a
 * partial tile), from two batch offsets; the lanes stop at different steps (some by their periods,
 * some by the time cap), so the per-lane stop, the window and the passage counters all show. */
static void test_vector_kernel(void **state)
{
    enum { COUNT = 77, SHIFT = 5, S = 6 };
    ck_params p = fig22(2.5);
    p.dt = 2e-3, p.transient = 1, p.periods = 8, p.max_time = 1 + 8.3 * 1.2555;
    ck_cycle_find(&p);
    p.path_samples = S, p.path_steps = lround(p.max_time / p.dt);
    tl_stream_key key = {.seed = 21};
    static ck_path vec[COUNT], shifted[COUNT - SHIFT];
    static double path[3 * S * COUNT], path_shifted[3 * S * (COUNT - SHIFT)];
    ck_trajectories(&p, &key, 300, COUNT, vec, path, COUNT);
    ck_trajectories(&p, &key, 300 + SHIFT, COUNT - SHIFT, shifted, path_shifted, COUNT - SHIFT);
    long differ = 0, full = 0, capped = 0, stopped_early = 0;
    for (size_t b = 0; b < COUNT; b++) {
        ck_path r;
        double ref[3 * S];
        ck_trajectory_path(&p, &key, 300 + b, &r, ref);
        differ += memcmp(&r, &vec[b], sizeof r) != 0;
        for (size_t i = 0; i < 3 * S; i++) differ += memcmp(&ref[i], &path[i * COUNT + b], sizeof(double)) != 0;
        if (b >= SHIFT) {
            differ += memcmp(&r, &shifted[b - SHIFT], sizeof r) != 0;
            for (size_t i = 0; i < 3 * S; i++)
                differ += memcmp(&ref[i], &path_shifted[i * (COUNT - SHIFT) + b - SHIFT], sizeof(double)) != 0;
        }
        full += r.intervals == p.periods, capped += r.intervals < p.periods;
        stopped_early += isnan(ref[3 * S - 1]);
    }
    print_message("vector kernel: %ld differences; %ld trajectories recorded all periods, %ld stopped by the cap, "
                  "%ld stopped before the last path sample\n", differ, full, capped, stopped_early);
    assert_int_equal(differ, 0);
    assert_true(full > 0 && capped > 0 && stopped_early > 0 && stopped_early < COUNT);
}

/* The phase clock's vector kernel (ck_trajectories, oscillator = phase) against its scalar reference
 * (ck_trajectory, run_phase) bit for bit: every observable of 77 trajectories (a partial tile) from two
 * batch offsets, at two noise levels: r = 2 (lanes stopping by their periods and by the time cap), and
 * r = 0.015, where a step often passes several levels at once (sd = 4.7 per step against 2 pi): those
 * passages share a time (a first interval of exactly 0 shows some). */
static void test_phase_vector_kernel(void **state)
{
    enum { COUNT = 77, SHIFT = 5 };
    long differ = 0, full = 0, capped = 0, multiple = 0;
    for (int wild = 0; wild < 2; wild++) {
        ck_params p = {.oscillator = CK_PHASE, .omega = 1.5, .radius = wild ? 0.015 : 2, .temperature = 0.5,
                       .dt = 0.005, .transient = 1, .periods = 8, .max_time = 1 + 8.6 * 4.18879};
        tl_stream_key key = {.seed = 22};
        static ck_path vec[COUNT], shifted[COUNT - SHIFT];
        ck_trajectories(&p, &key, 300, COUNT, vec, NULL, COUNT);
        ck_trajectories(&p, &key, 300 + SHIFT, COUNT - SHIFT, shifted, NULL, COUNT - SHIFT);
        for (size_t b = 0; b < COUNT; b++) {
            ck_path r;
            ck_trajectory(&p, &key, 300 + b, &r);
            differ += memcmp(&r, &vec[b], sizeof r) != 0;
            if (b >= SHIFT) differ += memcmp(&r, &shifted[b - SHIFT], sizeof r) != 0;
            if (!wild) full += r.intervals == p.periods, capped += r.intervals < p.periods;
            /* several levels in one step: passages at the same time, a first interval of exactly 0 */
            if (wild) multiple += r.intervals >= 1 && r.first_period == 0;
        }
    }
    print_message("phase vector kernel: %ld differences; %ld recorded all periods, %ld stopped by the cap, %ld "
                  "with several passages in one step\n", differ, full, capped, multiple);
    assert_int_equal(differ, 0);
    assert_true(full > 0 && capped > 0 && multiple > 0);
}

/* ---- the passage times' running statistics (ck_intervals) ---- */

/* The two-pass formulas over the recorded list t[0..n] (n intervals): the reference. */
static void two_pass(const double *t, long n, ck_path *out)
{
    out->intervals = n;
    out->period_mean = out->interval_var = out->lag1 = out->first_period = NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) out->block_var[b] = NAN;
    if (n < 1) return;
    out->first_period = t[1] - t[0];
    out->period_mean = (t[n] - t[0]) / (double)n;
    if (n < 2) return;
    double m = out->period_mean, ss = 0, cross = 0;
    for (long k = 0; k < n; k++) {
        double d = t[k + 1] - t[k] - m;
        ss += d * d;
        if (k + 1 < n) cross += d * (t[k + 2] - t[k + 1] - m);
    }
    out->interval_var = ss / (double)(n - 1);
    out->lag1 = ss > 0 ? cross / ss : NAN;
    for (int b = 0; b < CK_N_BLOCKS; b++) {
        long len = ck_blocks[b], count = n - len + 1;
        if (count < 2 || len >= n) continue;
        double mean = (t[n] - t[0]) / (double)n * (double)len, s2 = 0;
        for (long k = 0; k < count; k++) {
            double d = t[k + len] - t[k] - mean;
            s2 += d * d;
        }
        out->block_var[b] = s2 / (double)count / ((double)len * (1 - (double)len / (double)n));
    }
}

/* a and b agree: both NaN, or within rel * |b| (abs for a correlation) */
static long disagree(double a, double b, double rel)
{
    if (isnan(a) || isnan(b)) return isnan(a) != isnan(b);
    return !(fabs(a - b) <= rel * fabs(b));
}

/* Passage times t_0 = start, intervals mean + spread (g_k + 0.6 g_{k-1}) (lag-1 correlation 0.44). */
static void record_times(double *t, long count, double start, double mean, double spread, uint64_t stream)
{
    tl_stream_key key = {.seed = 31};
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, stream);
    double g_prev = tl_stream_cursor_gaussian(&r);
    t[0] = start;
    for (long k = 1; k < count; k++) {
        double g = tl_stream_cursor_gaussian(&r);
        t[k] = t[k - 1] + mean + spread * (g + 0.6 * g_prev);
        g_prev = g;
    }
}

/* ck_intervals (the running statistics the kernels fold passages into) against the two-pass formulas
 * on the same recorded times: every count from 0 times up to past the longest block (too few times for
 * a variance, fewer intervals than a block length: the same NaN), then 10^5 intervals of mean 10^3 and
 * spread 10^-3 starting at t = 10^6 (a mean 10^6 times the spread): the same to 10^-12 relative
 * (absolute for the lag-1 correlation).  Raw sums of d and d^2 lose the variance there (asserted). */
static void test_running_intervals(void **state)
{
    assert_int_equal(ck_blocks[CK_N_BLOCKS - 1], CK_BLOCK_MAX); /* the ring holds the longest block */
    for (int b = 1; b < CK_N_BLOCKS; b++) assert_true(ck_blocks[b] > ck_blocks[b - 1]);
    enum { BIG = 100001 };
    double *t = malloc(BIG * sizeof *t);
    long differ = 0, compared = 0;
    for (long count = 0; count <= 130; count++) {
        record_times(t, count, 20, 1.2555, 0.02, (uint64_t)count);
        ck_intervals a;
        ck_intervals_init(&a);
        for (long k = 0; k < count; k++) ck_intervals_add(&a, t[k]);
        ck_path run = {0}, ref = {0};
        ck_intervals_finish(&a, &run);
        two_pass(t, count - 1, &ref);
        assert_int_equal(run.intervals, ref.intervals);
        double pairs[][2] = {{run.period_mean, ref.period_mean}, {run.first_period, ref.first_period},
                             {run.interval_var, ref.interval_var}};
        for (size_t i = 0; i < 3; i++) differ += disagree(pairs[i][0], pairs[i][1], 1e-12);
        differ += isnan(run.lag1) != isnan(ref.lag1) || fabs(run.lag1 - ref.lag1) > 1e-12;
        for (int b = 0; b < CK_N_BLOCKS; b++) differ += disagree(run.block_var[b], ref.block_var[b], 1e-12);
        compared += !isnan(ref.block_var[CK_N_BLOCKS - 1]);
    }
    assert_int_equal(differ, 0);
    assert_true(compared > 50);
    /* the cancellation case */
    record_times(t, BIG, 1e6, 1e3, 1e-3, 1000);
    ck_intervals a;
    ck_intervals_init(&a);
    double raw1 = 0, raw2 = 0;
    for (long k = 0; k < BIG; k++) {
        ck_intervals_add(&a, t[k]);
        if (k) raw1 += t[k] - t[k - 1], raw2 += (t[k] - t[k - 1]) * (t[k] - t[k - 1]);
    }
    ck_path run = {0}, ref = {0};
    ck_intervals_finish(&a, &run);
    two_pass(t, BIG - 1, &ref);
    double n = BIG - 1, raw_var = (raw2 - raw1 * raw1 / n) / (n - 1);
    print_message("10^5 intervals of 1e3 +- 1e-3: variance %.15g (two-pass %.15g, raw sums %.6g), lag-1 %.15f "
                  "(%.15f), block 40 %.15g (%.15g)\n", run.interval_var, ref.interval_var, raw_var, run.lag1, ref.lag1,
                  run.block_var[CK_N_BLOCKS - 1], ref.block_var[CK_N_BLOCKS - 1]);
    assert_int_equal(run.intervals, BIG - 1);
    assert_true(!disagree(run.period_mean, ref.period_mean, 1e-15));
    assert_true(!disagree(run.interval_var, ref.interval_var, 1e-12));
    assert_true(fabs(run.lag1 - ref.lag1) < 1e-12 && ref.lag1 > 0.3);
    for (int b = 0; b < CK_N_BLOCKS; b++) assert_true(!disagree(run.block_var[b], ref.block_var[b], 1e-12));
    assert_true(disagree(raw_var, ref.interval_var, 1e-6)); /* the check can see a cancellation */
    free(t);
}

/* The memory of a trajectory does not grow with `periods`: with 10^9 periods asked for (a time cap
 * that ends the run after about 16 of them) the batch kernel (64 lanes, 4.1 TB of passage times before)
 * and both scalar paths run under an address-space limit of 1 GiB above what the test already maps.
 * (Not under AddressSanitizer, whose shadow memory an address-space limit would break: there only that
 * the runs finish.) */
#if defined(__SANITIZE_ADDRESS__)
#define CK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CK_ASAN 1
#endif
#endif
static void test_memory_bounded(void **state)
{
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
#ifndef CK_ASAN
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1) pages = 0;
        fclose(f);
    }
    if (pages > 0) {
        struct rlimit lim = old;
        lim.rlim_cur = (rlim_t)pages * 4096 + ((rlim_t)1 << 30);
        if (old.rlim_cur == RLIM_INFINITY || lim.rlim_cur < old.rlim_cur) assert_int_equal(setrlimit(RLIMIT_AS, &lim), 0);
    }
#endif
    enum { COUNT = 64 };
    ck_params p = fig22(0.125);
    p.dt = 1e-3, p.transient = 1, p.periods = 1000000000L, p.max_time = 21;
    ck_cycle_find(&p);
    tl_stream_key key = {.seed = 2};
    static ck_path out[COUNT];
    ck_trajectories(&p, &key, 0, COUNT, out, NULL, COUNT);
    ck_path one;
    ck_trajectory(&p, &key, 3, &one);
    ck_params phase = {.oscillator = CK_PHASE, .omega = 1.5, .radius = 2, .temperature = 0.5, .dt = 0.005,
                       .transient = 1, .periods = 1000000000L, .max_time = 50};
    ck_path ph;
    ck_trajectory(&phase, &key, 0, &ph);
    assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
    print_message("10^9 periods asked, a cap of 20 time units: %ld and %ld intervals recorded\n", out[3].intervals,
                  ph.intervals);
    assert_true(memcmp(&one, &out[3], sizeof one) == 0);
    assert_true(out[3].intervals > 10 && out[3].intervals < 20 && ph.intervals > 5);
    assert_true(isfinite(out[3].block_var[3]) && isfinite(ph.interval_var));
}

struct wald_moment {
    int k;
    double mean, var;
};
static double wald_moment_integrand(double t, void *q)
{
    const struct wald_moment *c = q;
    return pow(t, c->k) * ck_wald_density(t, c->mean, c->var);
}

/* The phase clock against the Wald law: E[T] = 2 pi/omega, V[T] = 2 pi sigma/(r^2 omega^3),
 * and the overlapping-block variance; eq. 108 as printed (2 pi sigma/r) must fail. */
static void test_wald(void **state)
{
    ck_params p = {.oscillator = CK_PHASE, .omega = 1.5, .radius = 2, .temperature = 0.5, .dt = 0.005,
                   .transient = 1, .periods = 60, .max_time = 1e5};
    double sigma = ck_sigma(&p), mean = ck_wald_mean(p.omega), var = ck_wald_var(p.omega, sigma, p.radius);
    tl_stream_key key = {.seed = 5};
    tl_moments m = empty, v = empty, b[CK_N_BLOCKS], first = empty, lag = empty;
    for (int k = 0; k < CK_N_BLOCKS; k++) b[k] = empty;
    for (uint64_t traj = 0; traj < 1500; traj++) {
        ck_path out;
        ck_trajectory(&p, &key, traj, &out);
        add(&m, out.period_mean), add(&v, out.interval_var), add(&first, out.first_period), add(&lag, out.lag1);
        for (int k = 0; k < CK_N_BLOCKS; k++) add(&b[k], out.block_var[k]);
    }
    double tol = family_tol(3 + CK_N_BLOCKS);
    print_message("Wald: mean %.5f (exact %.5f), var %.5f (exact %.5f, eq. 108 %.5f)\n", m.mean, mean, v.mean, var,
                  2 * PI * sigma / p.radius);
    assert_true(fabs(z_of(&m, mean)) < tol);
    assert_true(fabs(z_of(&first, mean)) < tol);
    assert_true(fabs(z_of(&v, var)) < tol);
    for (int k = 0; k < CK_N_BLOCKS; k++) assert_true(fabs(z_of(&b[k], var)) < tol);
    assert_true(fabs(z_of(&v, 2 * PI * sigma / p.radius)) > 10); /* eq. 108 */
    assert_true(fabs(lag.mean) < 0.05);
    /* the density: normalised, with the stated mean and variance */
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    double mom[3];
    for (int k = 0; k < 3; k++) {
        struct wald_moment a = {k, mean, var};
        gsl_function F = {wald_moment_integrand, &a};
        double err;
        gsl_integration_qagiu(&F, 0, 1e-13, 1e-11, 1000, w, &mom[k], &err);
    }
    gsl_integration_workspace_free(w);
    assert_close(mom[0], 1, 1e-9);
    assert_close(mom[1], mean, 1e-8);
    assert_close(mom[2] - mean * mean, var, 1e-7);
}

/* The escapement clock at Fig. 22 (sigma = 0.25): eq. 108 with r* the measured radius is
 * hundreds of times the measured interval variance; the intervals are correlated (not Wald). */
static void test_escapement_against_paper(void **state)
{
    ck_params p = fig22(0.125);
    ck_cycle_find(&p);
    tl_stream_key key = {.seed = 9};
    tl_moments v = empty, r2 = empty, lag = empty, diss = empty, ident = empty;
    for (uint64_t traj = 0; traj < 6; traj++) {
        ck_path out;
        ck_trajectory(&p, &key, traj, &out);
        add(&v, out.interval_var), add(&r2, out.r2_mean), add(&lag, out.lag1);
        add(&diss, -out.heat / out.window), add(&ident, p.kappa * out.y2_mean - ck_sigma(&p) / 2);
    }
    double paper = 2 * PI * ck_sigma(&p) / sqrt(r2.mean);
    print_message("escapement: V[T] %.3g, eq. 108 %.3g, lag-1 %.2f, power %.3f, kappa<y^2> - sigma/2 %.3f\n", v.mean,
                  paper, lag.mean, diss.mean, ident.mean);
    assert_true(paper / v.mean > 100);
    assert_true(lag.mean > 0.25);
    /* the steady-state balance <W-dot> = kappa <y^2> - sigma/2 (to the window's Delta E / length) */
    assert_true(fabs(diss.mean - ident.mean) < 0.01 * ident.mean);
}

static ck_params lif_params(double threshold)
{
    ck_params p = fig22(0.01);
    p.gamma = 1, p.chi = 20, p.dt = 2e-3, p.drive = CK_LIF;
    p.lif = (ck_lif){.k = 0.5, .weight = 1, .noise = 0.2, .alpha = 2, .tau = 20, .beta_j = 10,
                     .threshold = threshold, .pre_amplitude = 10, .pre_period = 5, .fire_beta = 1,
                     .fire_threshold = 3};
    return p;
}

/* Eqs. 109-111: E[J] by quadrature against the planning note (lif.py); the simulated J against it
 * (3 standard errors); the Hopf switch of eq. 113: the clock runs when J passes J0, and stays quiet
 * when it does not; section 6.1's "small k: almost instantaneous response" is reversed (rate k^2). */
static void test_lif(void **state)
{
    ck_params p = lif_params(1);
    ck_lif l = p.lif;
    assert_close(ck_lif_mean(&l, 10), 1.3054, 1e-4);
    assert_close(ck_lif_mean(&l, 20), 1.3979, 1e-4);
    assert_close(ck_lif_mean(&l, 40), 0.0120, 1e-4);
    assert_close(ck_lif_var(&l, 10), 0.0993, 1e-4);
    assert_close(ck_lif_var(&l, 20), 0.1000, 1e-4);
    tl_stream_key key = {.seed = 4};
    double end = ck_lif_end(&p), mean = ck_lif_mean(&l, end), var = ck_lif_var(&l, end);
    tl_moments j = empty, dev = empty, on = empty, off = empty;
    ck_params quiet = lif_params(3); /* J stays near 1.4 < 3: chi(t) ~ 20 e^{-16}, far below chi_h = 3.5 */
    for (uint64_t t = 0; t < 1500; t++) {
        ck_path out;
        ck_lif_trajectory(&p, &key, t, &out);
        add(&j, out.lif_j), add(&dev, (out.lif_j - mean) * (out.lif_j - mean)), add(&on, out.lif_count);
        if (t < 100) {
            ck_lif_trajectory(&quiet, &key, t, &out);
            add(&off, out.lif_count);
        }
    }
    double tol = family_tol(2);
    assert_true(fabs(z_of(&j, mean)) < tol);
    assert_true(fabs(z_of(&dev, var)) < tol);
    print_message("LIF: N(tau) = %.2f with J0 = 1, %.2f with J0 = 3\n", on.mean, off.mean);
    assert_true(on.mean > 1.5 && off.max == 0);
    /* the leak: after the window closes J decays at rate k^2; k = 0.1 keeps most of it 20 time units later */
    ck_lif slow = l, fast = l;
    slow.k = 0.1, fast.k = 1;
    assert_true(ck_lif_mean(&slow, 40) / ck_lif_mean(&slow, 20) > 0.6);
    assert_true(ck_lif_mean(&fast, 40) / ck_lif_mean(&fast, 20) < 1e-3);
}


/* drive = lif across the batch (ck_lif_trajectories, tiles of 64) against its scalar reference
 * (ck_lif_trajectory_path) bit for bit: every observable and the sample path (x, y, v, J), on 77
 * trajectories (a partial tile) from two batch offsets.  J0 = 1 switches the clock on partway, so
 * the lanes' chi, passages and counts differ (several distinct counts show the per-lane switch). */
static void test_lif_vector_kernel(void **state)
{
    enum { COUNT = 77, SHIFT = 5, S = 7 };
    ck_params p = lif_params(1);
    p.lif.tau = 12;
    p.path_samples = S, p.path_steps = lround(p.lif.tau / p.dt);
    tl_stream_key key = {.seed = 23};
    static ck_path vec[COUNT], shifted[COUNT - SHIFT];
    static double path[4 * S * COUNT], path_shifted[4 * S * (COUNT - SHIFT)];
    ck_lif_trajectories(&p, &key, 300, COUNT, vec, path, COUNT);
    ck_lif_trajectories(&p, &key, 300 + SHIFT, COUNT - SHIFT, shifted, path_shifted, COUNT - SHIFT);
    long differ = 0, counts[64] = {0}, distinct = 0, nan = 0;
    for (size_t b = 0; b < COUNT; b++) {
        ck_path r;
        double ref[4 * S];
        ck_lif_trajectory_path(&p, &key, 300 + b, &r, ref);
        differ += memcmp(&r, &vec[b], sizeof r) != 0;
        for (size_t i = 0; i < 4 * S; i++) {
            differ += memcmp(&ref[i], &path[i * COUNT + b], sizeof(double)) != 0;
            nan += isnan(ref[i]);
        }
        if (b >= SHIFT) {
            differ += memcmp(&r, &shifted[b - SHIFT], sizeof r) != 0;
            for (size_t i = 0; i < 4 * S; i++)
                differ += memcmp(&ref[i], &path_shifted[i * (COUNT - SHIFT) + b - SHIFT], sizeof(double)) != 0;
        }
        /* the last sample is the end */
        differ += ref[4 * (S - 1) + 3] != r.lif_j;
        counts[(size_t)fmin(fmax(r.lif_count, 0), 63)]++;
    }
    for (int c = 0; c < 64; c++) distinct += counts[c] > 0;
    print_message("LIF vector kernel: %ld differences; %ld distinct passage counts, %ld NaN samples\n", differ,
                  distinct, nan);
    assert_int_equal(differ, 0);
    assert_int_equal(nan, 0);
    assert_true(distinct >= 3);
}

/* ---- the rate code of eq. 114 (drive = CK_SQUARE) ---- */

/* S(t) = int_0^t M against a midpoint sum of M on a fine grid (exact for a step function up to the
 * cells the edges fall in); the time high. */
static void test_square_wave(void **state)
{
    ck_square q = {.theta = 0.5, .period = 7, .duty = 0.3, .cycles = 3};
    double h = 1e-4, sum = 0;
    for (long n = 0; n < 230000; n++) {
        double t = ((double)n + 0.5) * h;
        sum += ck_square_level(&q, t) * h;
        if ((n + 1) % 10000 == 0) assert_true(fabs(sum - ck_square_integral(&q, (double)(n + 1) * h)) < 2 * h);
    }
    assert_close(ck_square_integral(&q, 21), 3 * 7 * (2 * 0.3 - 1), 1e-12);
    assert_close(ck_square_integral(&q, 2.1), 2.1, 1e-12);
}

/* One Wald (inverse Gaussian) draw, Michael-Schucany-Haas. */
static double wald_draw(tl_stream_cursor *r, double mu, double lambda)
{
    double n = tl_stream_cursor_gaussian(r), y = n * n;
    double x = mu + mu * mu * y / (2 * lambda) - mu / (2 * lambda) * sqrt(4 * mu * lambda * y + mu * mu * y * y);
    return tl_stream_cursor_uniform(r) <= mu / (mu + x) ? x : mu * mu / x;
}

/* The renewal count's exact moments (sums of inverse Gaussian CDFs) against a renewal process of
 * independently drawn Wald periods (4e5 runs), and against the simulated phase clock; a Poisson count
 * (Var N = E[N]) is far off. */
static void test_wald_count(void **state)
{
    double omega = 2, sigma = 1, radius = 1.5, t = 21, mean, var;
    ck_wald_count_moments(omega, sigma, radius, t, &mean, &var);
    double mu = 2 * PI / omega, lambda = 2 * PI * 2 * PI * radius * radius / sigma;
    tl_stream_key key = {.seed = 17};
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, 0);
    tl_moments n = empty, dev = empty;
    for (int k = 0; k < 200000; k++) {
        double clock = wald_draw(&r, mu, lambda);
        int count = 0;
        while (clock <= t) count++, clock += wald_draw(&r, mu, lambda);
        add(&n, count), add(&dev, (count - mean) * (count - mean));
    }
    print_message("Wald count: E[N] = %.5f (renewal draws %.5f), Var N = %.5f (%.5f)\n", mean, n.mean, var, dev.mean);
    double tol = family_tol(4);
    assert_true(fabs(z_of(&n, mean)) < tol);
    assert_true(fabs(z_of(&dev, var)) < tol);
    /* the simulated phase clock, constant drift (theta = 0) */
    ck_params p = {.oscillator = CK_PHASE, .omega = omega, .radius = radius, .temperature = sigma / 2, .dt = 0.004,
                   .drive = CK_SQUARE, .square = {.theta = 0, .period = 7, .duty = 0.3, .cycles = 3}};
    assert_close(ck_square_end(&p), t, 1e-12);
    tl_moments sn = empty, sdev = empty;
    for (uint64_t k = 0; k < 4000; k++) {
        ck_path out;
        ck_square_trajectory(&p, &key, k, &out);
        double c = out.count_high + out.count_low;
        add(&sn, c), add(&sdev, (c - mean) * (c - mean));
    }
    assert_true(fabs(z_of(&sn, mean)) < tol);
    assert_true(fabs(z_of(&sdev, var)) < tol);
    assert_true(fabs(z_of(&sdev, mean)) > 100); /* not Poisson: the Wald periods are regular */
}

/* The phase clock under the square wave: its unwrapped phase rate and variance against the exact
 * duty-weighted drift and sigma t/(r^2 4 pi^2); a duty cycle of 1/2 in the reference (the square wave's
 * mean taken as 0) fails by many standard errors. */
static void test_square_phase(void **state)
{
    ck_params p = {.oscillator = CK_PHASE, .omega = 2, .radius = 1.5, .temperature = 0.5, .dt = 0.004,
                   .drive = CK_SQUARE, .square = {.theta = 0.5, .period = 7, .duty = 0.3, .cycles = 3}};
    double t = ck_square_end(&p), s = ck_square_integral(&p.square, t);
    double rate = p.omega * (t + p.square.theta * s) / (2 * PI * t);
    double var = 2 * p.temperature / (p.radius * p.radius * 4 * PI * PI * t);
    tl_stream_key key = {.seed = 23};
    tl_moments m = empty, dev = empty;
    for (uint64_t k = 0; k < 4000; k++) {
        ck_path out;
        ck_square_trajectory(&p, &key, k, &out);
        double x = out.phase_advance / (2 * PI * out.window);
        add(&m, x), add(&dev, (x - rate) * (x - rate));
        assert_close(out.time_high, 3 * 0.3 * 7, 1e-9);
    }
    double tol = family_tol(2);
    assert_true(fabs(z_of(&m, rate)) < tol);
    assert_true(fabs(z_of(&dev, var)) < tol);
    assert_true(fabs(z_of(&m, p.omega / (2 * PI))) > 10);
}

/* The escapement under eq. 114 at gamma = kappa = 1, chi = 20, eps = 0 (Fig. 26's levels 30 and 10 at
 * theta = 0.5): the adiabatic rates 1/T0 against the planning note's LSODA periods T0(30) = 2.3522,
 * T0(10) = 2.9334; with 100 time units per level the measured rates are within 1.5 passages/100 of
 * them; at theta = 0.9 the low level chi = 2 is below chi_h = 3.5 and the clock stops (a binary code). */
static void test_square_escapement(void **state)
{
    ck_params p = {.oscillator = CK_ESCAPEMENT, .gamma = 1, .kappa = 1, .chi = 30, .eps = 0,
                   .temperature = 1e-3, .dt = 1e-3, .hysteresis = 0.5, .drive = CK_SQUARE,
                   .square = {.theta = 0.5, .period = 200, .duty = 0.5, .cycles = 1}};
    double t_high = ck_cycle_find(&p);
    p.chi = 10;
    double t_low = ck_cycle_find(&p);
    assert_close(t_high, 2.3522, 1e-4);
    assert_close(t_low, 2.9334, 1e-4);
    p.chi = 20;
    ck_params start = p;
    start.chi = 30;
    ck_cycle_find(&start);
    p.x0 = start.x0, p.y0 = start.y0, p.v0 = start.v0;
    tl_stream_key key = {.seed = 26};
    for (uint64_t k = 0; k < 3; k++) {
        ck_path out;
        ck_square_trajectory(&p, &key, k, &out);
        double high = out.count_high / out.time_high, low = out.count_low / out.time_low;
        print_message("square: rates %.4f %.4f against 1/T0 = %.4f %.4f\n", high, low, 1 / t_high, 1 / t_low);
        assert_true(fabs(high - 1 / t_high) < 1.5 / 100 && fabs(low - 1 / t_low) < 1.5 / 100);
        assert_true(fabs(out.work + out.heat - out.energy_change) < 1e-8 * (1 + fabs(out.work)));
    }
    p.square.theta = 0.9; /* levels 38 and 2 */
    ck_path out;
    ck_square_trajectory(&p, &key, 0, &out);
    print_message("square, theta = 0.9: %g passages in 100 time units below the Hopf point\n", out.count_low);
    assert_true(out.count_low < 5 && out.count_high > 35);
}

/* The rate code across the batch (ck_square_trajectories) against its scalar reference
 * (ck_square_trajectory_path), bit for bit, for both oscillators: 77 trajectories (a tile and a partial
 * one) from two batch offsets, every observable and the sample path (x, y, v, M) or (psi, M); the lanes
 * differ (no two ends alike, more than one passage count).  Any change to one of the two (an operation reordered, a lane's
 * passage sorted by the wrong time, a stream block shifted) fails it. */
static void test_square_vector_kernel(void **state)
{
    enum { COUNT = 77, SHIFT = 5, S = 7 };
    for (int o = 0; o < 2; o++) {
        ck_params p = o == 0 ? (ck_params){.oscillator = CK_PHASE, .omega = 2, .radius = 1.5, .temperature = 0.5,
                                           .dt = 0.004, .drive = CK_SQUARE,
                                           .square = {.theta = 0.5, .period = 2, .duty = 0.3, .cycles = 3}}
                             : (ck_params){.oscillator = CK_ESCAPEMENT, .gamma = 1, .kappa = 1, .chi = 20, .eps = 0,
                                           .temperature = 1, .dt = 1e-3, .hysteresis = 0.5, .drive = CK_SQUARE,
                                           .x0 = 1.5, .y0 = 0, .v0 = 0,
                                           .square = {.theta = 0.5, .period = 4, .duty = 0.5, .cycles = 3}};
        long steps = lround(ck_square_end(&p) / p.dt);
        p.path_samples = S, p.path_steps = steps;
        size_t C = ck_path_components(&p);
        tl_stream_key key = {.seed = 29};
        static ck_path vec[COUNT], shifted[COUNT - SHIFT];
        static double path[4 * S * COUNT], path_shifted[4 * S * (COUNT - SHIFT)];
        ck_square_trajectories(&p, &key, 300, COUNT, vec, path, COUNT);
        ck_square_trajectories(&p, &key, 300 + SHIFT, COUNT - SHIFT, shifted, path_shifted, COUNT - SHIFT);
        long differ = 0, counts[64] = {0}, distinct = 0, nan = 0, same = 0;
        for (size_t b = 0; b < COUNT; b++) {
            ck_path r;
            double ref[4 * S];
            ck_square_trajectory_path(&p, &key, 300 + b, &r, ref);
            differ += memcmp(&r, &vec[b], sizeof r) != 0;
            for (size_t i = 0; i < C * S; i++) {
                differ += memcmp(&ref[i], &path[i * COUNT + b], sizeof(double)) != 0;
                nan += isnan(ref[i]);
            }
            if (b >= SHIFT) {
                differ += memcmp(&r, &shifted[b - SHIFT], sizeof r) != 0;
                for (size_t i = 0; i < C * S; i++)
                    differ += memcmp(&ref[i], &path_shifted[i * (COUNT - SHIFT) + b - SHIFT], sizeof(double)) != 0;
            }
            if (o == 0) differ += ref[C * (S - 1)] != r.phase_advance; /* the last sample is the end */
            counts[(size_t)fmin(fmax(r.count_high + 8 * r.count_low, 0), 63)]++;
            for (size_t a = 0; a < b; a++) /* every lane its own path: no two ends alike */
                same += o == 0 ? vec[a].phase_advance == r.phase_advance : vec[a].heat == r.heat;
        }
        for (int c = 0; c < 64; c++) distinct += counts[c] > 0;
        print_message("square vector kernel (%s): %ld differences; %ld distinct passage counts, %ld equal ends, "
                      "%ld NaN samples\n", o == 0 ? "phase" : "escapement", differ, distinct, same, nan);
        assert_int_equal(differ, 0);
        assert_int_equal(nan, 0);
        assert_int_equal(same, 0);
        assert_true(distinct >= 2);
    }
}

/* Eq. 115's synapse integrates 1 + v_l.  At eps = 0 the cycle is symmetric under (x, y, v) -> -(x, y, v),
 * so v averages to 0 over a period at every chi: the drive k w (1 + <v>) is the same at both levels of
 * the rate code while the rates differ by 25 % -- the synapse cannot read eq. 114's code. */
static void test_rate_blind_synapse(void **state)
{
    double chis[2] = {10, 30}, rates[2];
    for (int c = 0; c < 2; c++) {
        ck_params p = {.oscillator = CK_ESCAPEMENT, .gamma = 1, .kappa = 1, .chi = chis[c], .eps = 0,
                       .temperature = 1e-12, .dt = 1e-3, .hysteresis = 0.5};
        rates[c] = 1 / ck_cycle_find(&p);
        tl_stream_key key = {.seed = 1};
        tl_stream_cursor r;
        tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, 0);
        ck_state s = {p.x0, p.y0, p.v0};
        double w = 0, q = 0, qp = 0, vsum = 0, t = 0;
        int passages = 0, armed = 0;
        while (passages < 20) { /* whole cycles: from the section back to it 20 times */
            double x = s.x, v = s.v;
            ck_step(&p, &s, &r, &w, &q, &qp);
            vsum += (v + s.v) / 2 * p.dt, t += p.dt;
            if (s.x < -p.hysteresis) armed = 1;
            if (armed && x < 0 && s.x >= 0) passages++, armed = 0;
        }
        print_message("chi = %g: rate %.4f, <v> over 20 cycles = %.2e\n", chis[c], rates[c], vsum / t);
        assert_true(fabs(vsum / t) < 2e-3);
    }
    assert_true(rates[0] / rates[1] < 0.85);
}

/* Eq. 115 as a two-input spiking perceptron (drive = CK_NETWORK): input bits rate-coded by eq. 114
 * (chi_l = 20 (1 + 0.9 x_l): 38 spikes at 1/T0 = 0.45, 2 is below chi_h and stays quiet).  With the
 * synapse as printed (1 + v_l) the output does not depend on the inputs (slip 11 at the network
 * level: E[J] within 5 % for all four inputs, the quiet input included); with a pulse per passage it
 * is an AND gate at J0 = 1.  The synapse's own noise J - J_det has its exact variance (3 standard
 * errors). */
static void test_network(void **state)
{
    ck_params p = lif_params(1);
    p.drive = CK_NETWORK, p.lif.noise = 0.01;
    p.net.chi = 20, p.net.theta = 0.9, p.net.w[0] = p.net.w[1] = 1;
    tl_stream_key key = {.seed = 115};
    double var = ck_lif_var(&p.lif, ck_lif_end(&p)), j[2][4], n[2][4];
    tl_moments noise = empty;
    for (int syn = 0; syn < 2; syn++)
        for (int bits = 0; bits < 4; bits++) {
            ck_params q = p;
            q.net.synapse = syn ? CK_SYNAPSE_SPIKE : CK_SYNAPSE_LEVEL;
            q.net.x[0] = bits & 1 ? 1 : -1, q.net.x[1] = bits & 2 ? 1 : -1;
            for (int i = 0; i < 2; i++) {
                ck_params in = q;
                in.chi = q.net.chi * (1 + q.net.theta * q.net.x[i]);
                double t0 = ck_cycle_find(&in);
                q.net.start[i] = isnan(t0) ? (ck_state){0, 0, 0} : (ck_state){in.x0, in.y0, in.v0};
            }
            tl_moments mj = empty, mn = empty;
            for (uint64_t t = 0; t < 25; t++) {
                ck_path out;
                ck_network_trajectory(&q, &key, 100 * (uint64_t)bits + t, &out);
                add(&mj, out.lif_j), add(&mn, out.lif_count), add(&noise, out.phase_advance * out.phase_advance);
                assert_true(out.count_high == 0 || q.net.x[0] > 0);
            }
            j[syn][bits] = mj.mean, n[syn][bits] = mn.mean;
            print_message("network %s, x = (%+.0f, %+.0f): E[J] = %.3f, N(tau) = %.2f\n", syn ? "spike" : "level",
                          q.net.x[0], q.net.x[1], mj.mean, mn.mean);
        }
    for (int bits = 1; bits < 4; bits++) assert_true(fabs(j[0][bits] / j[0][0] - 1) < 0.05);
    assert_true(n[1][3] > 4 && n[1][1] < 2 && n[1][2] < 2 && n[1][0] == 0);
    assert_true(j[1][3] > 1.5 * j[1][1] && j[1][1] > 0.5 && fabs(j[1][0]) < 0.1);
    assert_true(fabs(z_of(&noise, var)) < 3);
}

/* drive = network across the batch (ck_network_trajectories, tiles of 64) against its scalar reference
 * (ck_network_trajectory) bit for bit: every observable of 77 trajectories (a partial tile) from two
 * batch offsets, for both synapses (level and spike), inputs x = (+1, -1): the output's passages and
 * the inputs' spikes differ among the lanes. */
static void test_network_vector_kernel(void **state)
{
    enum { COUNT = 77, SHIFT = 5 };
    long differ = 0, distinct_out[2] = {0, 0}, distinct_in[2] = {0, 0};
    for (int syn = 0; syn < 2; syn++) {
        ck_params p = lif_params(1);
        p.drive = CK_NETWORK, p.lif.noise = 0.05, p.lif.tau = 8;
        p.net.chi = 20, p.net.theta = 0.9, p.net.w[0] = p.net.w[1] = 1;
        p.net.synapse = syn ? CK_SYNAPSE_SPIKE : CK_SYNAPSE_LEVEL;
        p.net.x[0] = 1, p.net.x[1] = -1;
        for (int i = 0; i < 2; i++) {
            ck_params in = p;
            in.chi = p.net.chi * (1 + p.net.theta * p.net.x[i]);
            double t0 = ck_cycle_find(&in);
            p.net.start[i] = isnan(t0) ? (ck_state){0, 0, 0} : (ck_state){in.x0, in.y0, in.v0};
        }
        p.temperature = 4; /* noisy inputs: their spike counts differ among the lanes */
        tl_stream_key key = {.seed = 24};
        static ck_path vec[COUNT], shifted[COUNT - SHIFT];
        ck_network_trajectories(&p, &key, 300, COUNT, vec);
        ck_network_trajectories(&p, &key, 300 + SHIFT, COUNT - SHIFT, shifted);
        double seen_out[64] = {0}, seen_in[64] = {0};
        for (size_t b = 0; b < COUNT; b++) {
            ck_path r;
            ck_network_trajectory(&p, &key, 300 + b, &r);
            differ += memcmp(&r, &vec[b], sizeof r) != 0;
            if (b >= SHIFT) differ += memcmp(&r, &shifted[b - SHIFT], sizeof r) != 0;
            seen_out[(size_t)fmin(fmax(r.lif_count, 0), 63)] = 1, seen_in[(size_t)fmin(fmax(r.count_high + 8 * r.count_low, 0), 63)] = 1;
        }
        for (int c = 0; c < 64; c++) distinct_out[syn] += seen_out[c] != 0, distinct_in[syn] += seen_in[c] != 0;
    }
    print_message("network vector kernel: %ld differences; distinct output counts %ld (level) %ld (spike), input "
                  "spike counts %ld %ld\n", differ, distinct_out[0], distinct_out[1], distinct_in[0], distinct_in[1]);
    assert_int_equal(differ, 0);
    for (int syn = 0; syn < 2; syn++) assert_true(distinct_out[syn] >= 2 && distinct_in[syn] >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hopf),
        cmocka_unit_test(test_deterministic_period),
        cmocka_unit_test(test_paper_radius),
        cmocka_unit_test(test_first_law_and_heat),
        cmocka_unit_test(test_step_bias),
        cmocka_unit_test(test_vector_kernel),
        cmocka_unit_test(test_phase_vector_kernel),
        cmocka_unit_test(test_running_intervals),
        cmocka_unit_test(test_memory_bounded),
        cmocka_unit_test(test_wald),
        cmocka_unit_test(test_escapement_against_paper),
        cmocka_unit_test(test_lif),
        cmocka_unit_test(test_lif_vector_kernel),
        cmocka_unit_test(test_square_wave),
        cmocka_unit_test(test_wald_count),
        cmocka_unit_test(test_square_phase),
        cmocka_unit_test(test_square_escapement),
        cmocka_unit_test(test_square_vector_kernel),
        cmocka_unit_test(test_rate_blind_synapse),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_network_vector_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
