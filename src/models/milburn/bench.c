/* `thermolearn bench twostate` and `thermolearn bench doublewell`: one-rank
 * throughput of the dominant kernels, beside a calibration loop that does
 * only what every unit of work must do (the same Philox draws and
 * transcendental functions, no physics), so that the ratio kernel/calibration
 * is comparable across machines and loads.
 *
 *   twostate:   thinning candidates per second across the batch
 *               (ts_trajectories on units of TL_BATCH; 2 uniforms and a log
 *               each, the sigmoid's exp, the thermal level's log), beside the
 *               scalar draws and log of a candidate
 *   doublewell: MALA steps per second across the batch (dw_trajectories on
 *               units of TL_BATCH trajectories); the calibration makes the
 *               same vector stream calls (a Gaussian and two uniforms per
 *               lane and step), and tests/bench/doublewell_limit.c is the
 *               limit kernel beside it in `make bench`
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "thermolearn/error.h"
#include "thermolearn/model.h"

#include "milburn.h"

static int parse(int argc, char **argv, const char *name, long *traj)
{
    for (int i = 0; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--traj") == 0) *traj = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: thermolearn bench %s [--traj T]\n", name);
            return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ? 1 : 2;
        }
    }
    return *traj > 0 ? 0 : 2;
}

/* The floor of a thinning candidate across the batch: the stream calls of
 * ts_trajectories (one block of Philox words per candidate for the lanes of
 * a unit), the same number of candidates, summed, no physics. */
static double calibrate_candidates(long traj, long per_trajectory, double *wall)
{
    tl_stream_key key = {1, 0, 0};
    uint32_t *w = tl_malloc(4 * TL_BATCH * sizeof *w, "calibration");
    double sum = 0, t0 = MPI_Wtime();
    for (long first = 0; first < traj; first += TL_BATCH) {
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        for (long j = 0; j < per_trajectory; j++) {
            tl_stream_words(&key, TL_PURPOSE_DYNAMICS, (uint64_t)first, (uint32_t)j, n, w);
            sum += w[0] + w[3 * n];
        }
    }
    *wall = MPI_Wtime() - t0;
    free(w);
    return sum;
}

int milburn_twostate_bench(int argc, char **argv)
{
    long traj = 200000;
    int status = parse(argc, argv, "twostate", &traj);
    if (status) return status == 1 ? 0 : 2;
    ts_params p = {.mu = 1, .nu = 10, .protocol = TS_SIGMOID, .t0 = 5, .width = 0.5, .time = 10,
                   .energy = TS_THERMAL, .temperature = 1, .initial = TS_STEADY, .survival_times = 1};
    tl_stream_key key = {1, 0, 0};
    ts_path *paths = tl_malloc(TL_BATCH * sizeof *paths, "paths");
    double checksum = 0, t0 = MPI_Wtime();
    long events = 0;
    clock_t c0 = clock();
    for (long first = 0; first < traj; first += TL_BATCH) { /* the engine's units of work */
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        ts_trajectories(&p, &key, (uint64_t)first, n, paths, NULL);
        for (size_t b = 0; b < n; b++) checksum += paths[b].work, events += paths[b].events;
    }
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    free(paths);
    double wall = MPI_Wtime() - t0, candidates = (double)traj * ts_rate_bound(&p) * p.time, cal_wall;
    double cal = calibrate_candidates(traj, (long)ceil(ts_rate_bound(&p) * p.time), &cal_wall);
    printf("twostate: sigmoid swap mu = 1, nu = 10, time = 10, thermal levels; %ld trajectories\n", traj);
    printf("checksum %.6f events %ld wall_s %.3f trajectories_per_s %.4e\n", checksum, events, wall, traj / wall);
    printf("candidates_per_s %.4e (expected candidates %.4g)\n", candidates / wall, candidates);
    printf("cpu_candidates_per_s %.4e\n", candidates / cpu);
    printf("calibration_per_s %.4e (checksum %.3f)\nratio_to_calibration %.3f\n", candidates / cal_wall, cal,
           wall / cal_wall);
    return 0;
}

/* The floor of a MALA step across the batch: the stream calls of
 * dw_trajectories (per two steps, a block of Box-Muller Gaussians and two
 * blocks of Philox words for the lanes), summed, no physics. */
static double calibrate_steps(long traj, long steps, double *wall)
{
    tl_stream_key key = {1, 0, 0};
    double *z = tl_malloc(2 * TL_BATCH * sizeof *z, "calibration");
    uint32_t *w = tl_malloc(4 * TL_BATCH * sizeof *w, "calibration");
    double sum = 0, t0 = MPI_Wtime();
    for (long first = 0; first < traj; first += TL_BATCH) {
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        for (long k = 0; k < steps; k += 2) {
            tl_stream_gaussians(&key, TL_PURPOSE_DYNAMICS, (uint64_t)first, (uint32_t)(k / 2), n, z);
            tl_stream_words(&key, TL_PURPOSE_MODEL + 1, (uint64_t)first, (uint32_t)(k / 2), n, w);
            sum += z[0] + z[n] + w[0];
            tl_stream_words(&key, TL_PURPOSE_MODEL, (uint64_t)first, (uint32_t)(k / 2), n, w);
            sum += w[n];
        }
    }
    *wall = MPI_Wtime() - t0;
    free(z), free(w);
    return sum;
}

int milburn_doublewell_bench(int argc, char **argv)
{
    long traj = 8192;
    int status = parse(argc, argv, "doublewell", &traj);
    if (status) return status == 1 ? 0 : 2;
    dw_params p = {.lambda_start = 0, .lambda_end = 0.3, .ramp_time = 2, .time = 2, .temperature = 0.1, .dt = 0.001,
                   .integrator = DW_MALA, .initial = DW_EQUILIBRIUM, .threshold = 0.5, .bridge = 1,
                   .survival_times = 1};
    dw_run *run = dw_run_alloc(&p);
    tl_stream_key key = {1, 0, 0};
    dw_path *paths = tl_malloc(TL_BATCH * sizeof *paths, "paths");
    double survival[TL_BATCH];
    double checksum = 0, t0 = MPI_Wtime();
    clock_t c0 = clock();
    for (long first = 0; first < traj; first += TL_BATCH) { /* the engine's units of work */
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        dw_trajectories(run, &key, (uint64_t)first, n, paths, survival);
        for (size_t b = 0; b < n; b++) checksum += paths[b].work;
    }
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double wall = MPI_Wtime() - t0, steps = (double)traj * run->steps, cal_wall;
    double cal = calibrate_steps(traj, run->steps, &cal_wall);
    printf("doublewell: MALA, T = 0.1, lambda 0 -> 0.3 over 2, dt = 0.001; %ld trajectories, %d per call\n", traj,
           TL_BATCH);
    printf("checksum %.6f wall_s %.3f steps_per_s %.4e\n", checksum, wall, steps / wall);
    printf("cpu_steps_per_s %.4e\n", steps / cpu);
    printf("calibration_per_s %.4e (checksum %.3f)\nratio_to_calibration %.3f\n", steps / cal_wall, cal,
           wall / cal_wall);
    free(paths);
    dw_run_free(run);
    return 0;
}
