/* `thermolearn bench clock` and `thermolearn bench gate`: one-rank throughput
 * of the dominant kernels beside a calibration loop that does only what every
 * unit of work must do (the same Philox draws and transcendental functions,
 * no physics), so that the ratio kernel/calibration is comparable across
 * machines and loads (the pattern of bench.c).
 *
 *   clock: escapement steps per second (2 Box-Muller normals, 2 exp + 2 cosh + 2 tanh, cos/sin once per run)
 *   gate:  NOT epochs per second at M = 200 (a binomial by inversion: 1 uniform, a pow and ~M p products)
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gate.h"

static int parse(int argc, char **argv, const char *name, long *count, const char *what)
{
    for (int i = 0; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], what) == 0) *count = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: thermolearn bench %s [%s N]\n", name, what);
            return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ? 1 : 2;
        }
    }
    return *count > 0 ? 0 : 2;
}

/* The floor of an escapement step: two normals, the v relaxation's transcendentals twice. */
static double calibrate_clock(long n, double *wall)
{
    tl_stream_key key = {1, 0, 0};
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, 0);
    double sum = 0, x = 0.3, t0 = MPI_Wtime();
    for (long k = 0; k < n; k++) {
        double g = tl_stream_cursor_gaussian(&r) + tl_stream_cursor_gaussian(&r);
        sum += tanh(x) * exp(-cosh(x)) + tanh(g) * exp(-cosh(g));
        x = 0.5 * g;
    }
    *wall = MPI_Wtime() - t0;
    return sum;
}

int milburn_clock_bench(int argc, char **argv)
{
    long steps = 5000000;
    int status = parse(argc, argv, "clock", &steps, "--steps");
    if (status) return status == 1 ? 0 : 2;
    ck_params p = {.oscillator = CK_ESCAPEMENT, .gamma = 10, .kappa = 1, .chi = 40, .eps = 0, .temperature = 0.125,
                   .dt = 2e-4, .hysteresis = 0.5};
    ck_cycle_find(&p);
    tl_stream_key key = {1, 0, 0};
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, 0);
    ck_state s = {p.x0, p.y0, p.v0};
    double w = 0, q = 0, qp = 0, t0 = MPI_Wtime();
    for (long k = 0; k < steps; k++) ck_step(&p, &s, &r, &w, &q, &qp);
    double wall = MPI_Wtime() - t0, cal_wall, cal = calibrate_clock(steps, &cal_wall);
    printf("clock: escapement, Fig. 22 (gamma = 10, chi = 40, kappa = 1, sigma = 0.25), dt = 2e-4; %ld steps\n", steps);
    printf("checksum %.6f wall_s %.3f steps_per_s %.4e ns_per_step %.1f\n", w + q, wall, steps / wall, 1e9 * wall / steps);
    printf("calibration_per_s %.4e (checksum %.3f)\nratio_to_calibration %.3f\n", steps / cal_wall, cal, wall / cal_wall);
    return 0;
}

/* The floor of a NOT epoch: an input uniform, a sigmoid, a binomial's uniform and pow, two more uniforms. */
static double calibrate_gate(long n, double *wall)
{
    tl_stream_key key = {1, 0, 0};
    tl_stream_cursor r;
    tl_stream_cursor_init(&r, &key, TL_PURPOSE_DYNAMICS, 0);
    double sum = 0, t0 = MPI_Wtime();
    for (long k = 0; k < n; k++) {
        double u = tl_stream_cursor_uniform(&r), a = 1 / (1 + exp(-u));
        sum += pow(a, 200.0) + tl_stream_cursor_uniform(&r) + tl_stream_cursor_uniform(&r) + tl_stream_cursor_uniform(&r);
    }
    *wall = MPI_Wtime() - t0;
    return sum;
}

int milburn_gate_bench(int argc, char **argv)
{
    long traj = 20000;
    int status = parse(argc, argv, "gate", &traj, "--traj");
    if (status) return status == 1 ? 0 : 2;
    gt_params p = {.task = GT_NOT, .beta = 1, .samples = 200, .epochs = 250, .eta = 1, .start = {0.01, 1},
                   .hidden_rule = GT_CHAIN, .work_state = GT_FRESH, .record_every = 250, .target = 0.1};
    tl_stream_key key = {1, 0, 0};
    double checksum = 0, t0 = MPI_Wtime();
    for (long t = 0; t < traj; t++) {
        gt_path g;
        gt_trajectory(&p, &key, (uint64_t)t, &g, NULL, NULL, NULL);
        checksum += g.weights[0] + g.work;
    }
    double wall = MPI_Wtime() - t0, epochs = (double)traj * (double)p.epochs, cal_wall;
    double cal = calibrate_gate((long)epochs, &cal_wall);
    printf("gate: NOT, beta = 1, M = 200, 250 epochs (Fig. 15); %ld trajectories\n", traj);
    printf("checksum %.6f wall_s %.3f epochs_per_s %.4e ns_per_epoch %.1f\n", checksum, wall, epochs / wall,
           1e9 * wall / epochs);
    printf("calibration_per_s %.4e (checksum %.3f)\nratio_to_calibration %.3f\n", epochs / cal_wall, cal, wall / cal_wall);
    return 0;
}
