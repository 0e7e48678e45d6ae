/* The two-state activation switch of Milburn section 2.2 (model `twostate`).
 *
 * Exact references: the master equation integrated to round-off is checked
 * against closed forms (eq. 12 for the linear ramp; e^{-lambda_s tau/2} for
 * "n never changes"; the sigmoid's integral; Fig. 6B's survival), and the
 * tilted equation against Jarzynski, <e^{-W/T}> = e^{-Delta F/T}, to 1e-9.
 * The sampler is then compared with these within 3 standard errors (a family
 * of K comparisons shares the false-alarm rate by the union bound), with
 * enough trajectories that an error of 1% in a probability fails; W + Q =
 * Delta E is checked on every trajectory, <n(t)> along the sigmoid swap; the paper's eq. 17 ("n does not
 * change" with probability e^{-lambda_s tau}) must fail by many standard errors.
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

#include "thermolearn/moments.h"
#include "../../src/models/milburn/milburn.h"

static ts_params base(int protocol, int energy)
{
    return (ts_params){.mu = 1, .nu = 10, .protocol = protocol, .tau = 1, .t0 = 5, .width = 0.5, .step_factor = 50,
                       .time = 1, .energy = energy, .e0 = 1, .temperature = 1, .initial = TS_STEADY,
                       .survival_times = 10};
}

/* Eq. 12 and the no-change law of the linear ramp, in closed form. */
static void test_exact_linear(void **state)
{
    (void)state;
    for (double tau = 0.05; tau < 6; tau *= 2.3) {
        ts_params p = base(TS_LINEAR, TS_KINETIC);
        p.tau = p.time = tau;
        ts_exact ex;
        double surv[10];
        assert_int_equal(ts_exact_compute(&p, &ex, surv, NULL), 0);
        double lam = 11, none = exp(-lam * tau);
        assert_close(ex.p_up_final, ts_paper_p_up(1, 10, tau), 1e-10);
        assert_close(ex.p_no_jump, exp(-lam * tau / 2), 1e-10);   /* int mu = int nu = lambda_s tau / 2 */
        assert_close(ex.p_no_event, none, 1e-10);                  /* eq. 17 as printed */
        assert_close(ex.p_s_plus, ex.p_up_final - none / 11, 1e-12);
        assert_close(ex.p_s_plus + ex.p_s_minus + ex.p_no_event, 1, 1e-12);
        assert_close(ex.mean_energy_change, ex.p_up_final - 1.0 / 11, 1e-12); /* E0 (p1(tau) - p1(0)) */
        assert_close(surv[9], ex.p_no_jump, 1e-14);
        assert_close(ex.mean_work, 0, 0);
    }
    /* the spec's numbers: p1(0.2) = 0.57840, p1(1) = 0.83471 */
    assert_close(ts_paper_p_up(1, 10, 0.2), 0.57840, 5e-6);
    assert_close(ts_paper_p_up(1, 10, 1), 0.83471, 5e-6);
}

/* The sigmoid's hazard in closed form: int_0^t f = s ln[(1 + e^{(t - t0)/s}) / (1 + e^{-t0/s})]. */
static void test_exact_sigmoid(void **state)
{
    (void)state;
    ts_params p = base(TS_SIGMOID, TS_KINETIC);
    p.time = 10, p.initial = TS_UP;
    ts_exact ex;
    double surv[10];
    assert_int_equal(ts_exact_compute(&p, &ex, surv, NULL), 0);
    for (int k = 0; k < 10; k++) {
        double t = (k + 1), F = p.width * log((1 + exp((t - p.t0) / p.width)) / (1 + exp(-p.t0 / p.width)));
        assert_close(surv[k], exp(-(p.nu * t - (p.nu - p.mu) * F)), 1e-10); /* eq. 21 from n = +1 */
    }
    /* the mean censored first-jump time: int_0^10 of the same law (Simpson on a fine grid) */
    double sum = 0;
    int n = 200000;
    for (int i = 0; i <= n; i++) {
        double t = 10.0 * i / n, F = p.width * log((1 + exp((t - p.t0) / p.width)) / (1 + exp(-p.t0 / p.width)));
        sum += (i == 0 || i == n ? 1 : i % 2 ? 4 : 2) * exp(-(p.nu * t - (p.nu - p.mu) * F));
    }
    assert_close(ex.mean_first_jump, sum * 10.0 / n / 3, 1e-10);
}

/* Fig. 6B: nu(t) = 0.1 (1 + 50 theta(t - 5)) from n = +1: P*(5) = e^{-0.5}, P*(5.5) = e^{-0.5 - 0.05*51*... } */
static void test_exact_step(void **state)
{
    (void)state;
    ts_params p = base(TS_STEP, TS_KINETIC);
    p.mu = 0.1, p.nu = 0.1, p.time = 6, p.initial = TS_UP, p.survival_times = 12;
    ts_exact ex;
    double surv[12];
    assert_int_equal(ts_exact_compute(&p, &ex, surv, NULL), 0);
    for (int k = 0; k < 12; k++) {
        double t = 0.5 * (k + 1), hazard = 0.1 * t + (t > 5 ? 0.1 * 50 * (t - 5) : 0);
        assert_close(surv[k], exp(-hazard), 1e-11);
    }
    assert_close(surv[9], 0.60653, 5e-6);
    assert_close(surv[10], 0.04736, 5e-6);
    assert_close(surv[11], 0.003698, 5e-7);
    p.time = 40;
    assert_int_equal(ts_exact_compute(&p, &ex, NULL, NULL), 0);
    assert_close(ex.mean_first_jump, 4.05362, 5e-6); /* the spec's mean */
}

/* Thermal levels: the spec's <W> and Jarzynski from the tilted equation. */
static void test_exact_thermal(void **state)
{
    (void)state;
    const double taus[] = {0.1, 1, 10}, works[] = {1.31768, 0.29722, 0.03363};
    for (int i = 0; i < 3; i++) {
        ts_params p = base(TS_LINEAR, TS_THERMAL);
        p.tau = p.time = taus[i];
        ts_exact ex;
        assert_int_equal(ts_exact_compute(&p, &ex, NULL, NULL), 0);
        assert_close(ex.mean_work, works[i], 5e-6);
        assert_close(ex.delta_f, 0, 1e-14); /* the swap inverts the levels */
        assert_close(ex.jarzynski, 1, 1e-9);
        p.reverse = 1;
        assert_int_equal(ts_exact_compute(&p, &ex, NULL, NULL), 0);
        assert_close(ex.mean_work, works[i], 5e-6); /* the swap is its own reversal here */
    }
    /* protocols with Delta F != 0: the sigmoid stopped half-way, the step (levels jump at t0) */
    int protocols[] = {TS_SIGMOID, TS_STEP};
    for (int i = 0; i < 2; i++)
        for (int rev = 0; rev < 2; rev++) {
            ts_params p = base(protocols[i], TS_THERMAL);
            p.time = 6, p.step_factor = 3, p.reverse = rev, p.temperature = 0.7;
            ts_exact ex;
            assert_int_equal(ts_exact_compute(&p, &ex, NULL, NULL), 0);
            assert_true(fabs(ex.delta_f) > 0.1);
            assert_close(ex.jarzynski, exp(-ex.delta_f / p.temperature), 1e-9 * exp(-ex.delta_f / p.temperature));
            assert_true(ex.mean_work >= ex.delta_f); /* the second law in the mean */
        }
}

static const tl_stream_key key0 = {20261127u, 0, 0};

/* W + Q = Delta E on every trajectory; kinetic levels do no work. */
static void test_first_law(void **state)
{
    (void)state;
    int protocols[] = {TS_LINEAR, TS_SIGMOID, TS_STEP};
    for (int i = 0; i < 3; i++)
        for (int energy = 0; energy < 2; energy++) {
            ts_params p = base(protocols[i], energy);
            p.time = 8, p.step_factor = 3;
            double worst = 0;
            for (uint64_t t = 0; t < 20000; t++) {
                ts_path path;
                ts_trajectory(&p, &key0, t, &path, NULL);
                worst = fmax(worst, fabs(path.work + path.heat - path.energy_change));
                if (energy == TS_KINETIC) assert_true(path.work == 0);
                assert_true(path.jumps <= path.events);
            }
            assert_true(worst <= 1e-12);
        }
}

/* The sampler against the master equation (kinetic ramp, tau = 0.2: the spec's case). */
static void test_simulated_kinetic(void **state)
{
    (void)state;
    ts_params p = base(TS_LINEAR, TS_KINETIC);
    p.tau = p.time = 0.2;
    ts_exact ex;
    double surv[10];
    assert_int_equal(ts_exact_compute(&p, &ex, surv, NULL), 0);
    tl_moments m[6], s[10];
    for (int k = 0; k < 6; k++) m[k] = empty;
    for (int k = 0; k < 10; k++) s[k] = empty;
    for (uint64_t t = 0; t < 400000; t++) {
        ts_path path;
        ts_trajectory(&p, &key0, t, &path, NULL);
        int sv = path.events ? path.n_final : 0;
        add(&m[0], path.n_final == 1);
        add(&m[1], path.jumps == 0);
        add(&m[2], path.events == 0);
        add(&m[3], sv == 1);
        add(&m[4], path.first_jump);
        add(&m[5], path.energy_change);
        for (int k = 0; k < 10; k++) add(&s[k], path.jumps == 0 || path.first_jump > 0.02 * (k + 1));
    }
    double tol = family_tol(16);
    assert_z(&m[0], ex.p_up_final, tol, "p_up_final");
    assert_z(&m[1], ex.p_no_jump, tol, "p_no_jump");
    assert_z(&m[2], ex.p_no_event, tol, "p_no_event");
    assert_z(&m[3], ex.p_s_plus, tol, "p_s_plus");
    assert_z(&m[4], ex.mean_first_jump, tol, "mean_first_jump");
    assert_z(&m[5], ex.mean_energy_change, tol, "mean_energy_change");
    for (int k = 0; k < 10; k++) assert_z(&s[k], surv[k], tol, "survival");
    /* Slip of eq. 17: "the probability that n does not change" is not e^{-lambda_s tau} */
    assert_true(fabs(z_of(&m[1], exp(-11 * 0.2))) > 50);
    /* Slip of eq. 20: <E0 s> is not <Delta E> at finite tau */
    tl_moments w = empty;
    for (uint64_t t = 0; t < 100000; t++) {
        ts_path path;
        ts_trajectory(&p, &key0, t, &path, NULL);
        add(&w, (path.events ? path.n_final : 0) - path.energy_change);
    }
    assert_true(fabs(z_of(&w, 0)) > 50);
}

/* Thermal levels: <W> against the master equation, Jarzynski and the reverse process. */
static void test_simulated_thermal(void **state)
{
    (void)state;
    int protocols[] = {TS_LINEAR, TS_STEP};
    for (int i = 0; i < 2; i++)
        for (int rev = 0; rev < 2; rev++) {
            ts_params p = base(protocols[i], TS_THERMAL);
            p.time = protocols[i] == TS_STEP ? 6 : 1, p.step_factor = 3, p.reverse = rev;
            ts_exact ex;
            assert_int_equal(ts_exact_compute(&p, &ex, NULL, NULL), 0);
            tl_moments w = empty, e = empty;
            tl_stream_key key = key0;
            key.direction = (uint32_t)rev;
            for (uint64_t t = 0; t < 200000; t++) {
                ts_path path;
                ts_trajectory(&p, &key, t, &path, NULL);
                add(&w, path.work);
                add(&e, exp(-path.work / p.temperature));
            }
            double tol = family_tol(8);
            assert_z(&w, ex.mean_work, tol, "<W>");
            assert_z(&e, exp(-ex.delta_f / p.temperature), tol, "<e^{-W/T}>");
        }
}

/* <n(t_k)> along the sigmoid swap of Fig. 5 against the master equation. */
static void test_mean_state(void **state)
{
    (void)state;
    ts_params p = base(TS_SIGMOID, TS_KINETIC);
    p.time = 10, p.survival_times = 20;
    ts_exact ex;
    double exact[20], n_at[20];
    assert_int_equal(ts_exact_compute(&p, &ex, NULL, exact), 0);
    assert_close(exact[19], 2 * ex.p_up_final - 1, 1e-14);
    assert_close(exact[0], 2 * (1.0 / 11) - 1, 1e-3); /* still near the initial steady state at t = 0.5 */
    tl_moments m[20];
    for (int k = 0; k < 20; k++) m[k] = empty;
    for (uint64_t t = 0; t < 100000; t++) {
        ts_path path;
        ts_trajectory(&p, &key0, t, &path, n_at);
        assert_true(n_at[19] == path.n_final);
        for (int k = 0; k < 20; k++) add(&m[k], n_at[k]);
    }
    for (int k = 0; k < 20; k++) assert_z(&m[k], exact[k], family_tol(20), "<n(t_k)>");
}

/* A trajectory depends on its own index only. */
static void test_streams(void **state)
{
    (void)state;
    ts_params p = base(TS_SIGMOID, TS_THERMAL);
    p.time = 10;
    ts_path a, b;
    ts_trajectory(&p, &key0, 12345, &a, NULL);
    for (uint64_t t = 0; t < 100; t++) ts_trajectory(&p, &key0, t, &b, NULL);
    ts_trajectory(&p, &key0, 12345, &b, NULL);
    assert_true(a.work == b.work && a.heat == b.heat && a.jumps == b.jumps && a.first_jump == b.first_jump);
    tl_stream_key other = key0;
    other.direction = 1;
    ts_trajectory(&p, &other, 12345, &b, NULL);
    assert_true(a.first_jump != b.first_jump || a.jumps != b.jumps);
}

/* The vector kernel against its scalar reference, bit for bit: every field and the state at
 * the checkpoints of 150 trajectories (four whole tiles of 32 lanes and a part one with
 * padding), each protocol, both energy modes, the reversed protocol, and a batch that starts
 * elsewhere (a trajectory's numbers must not depend on its lane).  Fails on any difference. */
static void test_vector_kernel(void **state)
{
    (void)state;
    enum { COUNT = 150, K = 5 };
    const int protocols[] = {TS_LINEAR, TS_SIGMOID, TS_STEP, TS_CONSTANT};
    for (int c = 0; c < 8; c++) {
        ts_params p = {.mu = 1, .nu = 10, .protocol = protocols[c % 4], .tau = 4, .t0 = 2, .width = 0.5,
                       .step_factor = 3, .time = 5, .energy = c < 4 ? TS_THERMAL : TS_KINETIC, .e0 = 1,
                       .temperature = 1.5, .initial = TS_STEADY, .reverse = c == 1 || c == 6, .survival_times = K};
        ts_path paths[COUNT], shifted[COUNT - 5];
        static double st[K * COUNT], st_shifted[K * (COUNT - 5)];
        ts_trajectories(&p, &key0, 700, COUNT, paths, st);
        ts_trajectories(&p, &key0, 705, COUNT - 5, shifted, st_shifted);
        long differ = 0, jumped = 0;
        for (size_t b = 0; b < COUNT; b++) {
            ts_path r;
            double sv[K];
            ts_trajectory(&p, &key0, 700 + b, &r, sv);
            const ts_path *v = &paths[b];
            differ += r.work != v->work || r.heat != v->heat || r.energy_change != v->energy_change ||
                      r.jumps != v->jumps || r.events != v->events || r.n0 != v->n0 || r.n_final != v->n_final ||
                      r.first_jump != v->first_jump;
            for (int k = 0; k < K; k++) differ += sv[k] != st[k * COUNT + b];
            if (b >= 5) {
                const ts_path *w = &shifted[b - 5];
                differ += r.work != w->work || r.heat != w->heat || r.jumps != w->jumps || r.first_jump != w->first_jump;
                for (int k = 0; k < K; k++) differ += sv[k] != st_shifted[k * (COUNT - 5) + b - 5];
            }
            jumped += r.jumps > 0;
        }
        if (differ) print_error("case %d: %ld differences between ts_trajectories and ts_trajectory\n", c, differ);
        assert_int_equal(differ, 0);
        assert_true(jumped > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_kernel),
        cmocka_unit_test(test_exact_linear),   cmocka_unit_test(test_exact_sigmoid),
        cmocka_unit_test(test_exact_step),     cmocka_unit_test(test_exact_thermal),
        cmocka_unit_test(test_first_law),      cmocka_unit_test(test_simulated_kinetic),
        cmocka_unit_test(test_simulated_thermal), cmocka_unit_test(test_mean_state),
        cmocka_unit_test(test_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
