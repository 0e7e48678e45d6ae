/* `thermolearn bench observed` and `thermolearn bench weightsde`: one-rank
 * throughput of the dominant kernels (SDE steps across the batch), beside a
 * calibration loop that makes the same vector stream calls without the
 * physics, so that the ratio kernel/calibration is comparable across
 * machines and loads.
 *
 *   observed:  record steps per second across the batch (ob_trajectories on
 *              units of TL_BATCH; 2 normals, 1 uniform, Bayes: a log and an
 *              exp per lane and step), beside the same vector stream calls
 *   weightsde: Metropolis-adjusted exact-OU steps per second across the batch
 *              (ws_trajectories on units of TL_BATCH trajectories); its
 *              calibration makes the same vector stream calls (a Gaussian and
 *              a uniform per lane and step), and tests/bench/milburn_limit.c
 *              --model weightsde is the limit kernel beside it in `make bench`
 *   weightsde --filtered: steps per second of the full loop of eq. 84
 *              (feedback = filtered: the switch, its record, the Bayes filter
 *              and the weight; ws_trajectories on units of TL_BATCH), beside
 *              the calibration of observed (the same stream calls: two
 *              Gaussians per lane and step, a uniform per lane and step);
 *              --scalar runs the scalar reference ws_filtered_trajectory one
 *              trajectory at a time instead (the same numbers, bit for bit)
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "thermolearn/error.h"
#include "thermolearn/model.h"

#include "observed.h"
#include "weightsde.h"

/* flags (may be NULL): the options --filtered and --scalar of `bench weightsde` */
static int parse(int argc, char **argv, const char *name, long *traj, int *filtered, int *scalar)
{
    for (int i = 0; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--traj") == 0) *traj = atol(argv[++i]);
        else if (filtered && strcmp(argv[i], "--filtered") == 0) *filtered = 1;
        else if (scalar && strcmp(argv[i], "--scalar") == 0) *scalar = 1;
        else {
            fprintf(stderr, "usage: thermolearn bench %s [--traj T]%s\n", name,
                    filtered ? " [--filtered [--scalar]]" : "");
            return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ? 1 : 2;
        }
    }
    return *traj > 0 ? 0 : 2;
}

static void report(const char *what, long traj, double steps, double wall, double cal_wall, double checksum,
                   double cal)
{
    printf("%s; %ld trajectories\n", what, traj);
    printf("checksum %.6f wall_s %.3f steps_per_s %.4e\n", checksum, wall, steps / wall);
    printf("calibration_per_s %.4e (checksum %.3f)\nratio_to_calibration %.3f\n", steps / cal_wall, cal,
           wall / cal_wall);
}

/* The floor of an observed step across the batch: the stream calls of
 * ob_trajectories (per step a block of two Box-Muller Gaussians, per two
 * steps a block of Philox words for the chain), summed, no physics.  The
 * filtered weightsde loop makes the same calls.  *cpu (may be NULL): its
 * CPU time. */
static double calibrate_observed(long traj, long steps, double *wall, double *cpu)
{
    clock_t c0 = clock();
    tl_stream_key key = {1, 0, 0};
    double *z = tl_malloc(2 * TL_BATCH * sizeof *z, "calibration");
    uint32_t *w = tl_malloc(4 * TL_BATCH * sizeof *w, "calibration");
    double sum = 0, t0 = MPI_Wtime();
    for (long first = 0; first < traj; first += TL_BATCH) {
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        for (long k = 0; k < steps; k++) {
            tl_stream_gaussians(&key, TL_PURPOSE_DYNAMICS, (uint64_t)first, (uint32_t)k, n, z);
            if (k % 2 == 0) tl_stream_words(&key, TL_PURPOSE_MODEL, (uint64_t)first, (uint32_t)(k / 2), n, w);
            sum += z[0] + z[n] + w[0];
        }
    }
    *wall = MPI_Wtime() - t0;
    if (cpu) *cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    free(z), free(w);
    return sum;
}

int milburn_observed_bench(int argc, char **argv)
{
    long traj = 512;
    int status = parse(argc, argv, "observed", &traj, NULL, NULL);
    if (status) return status == 1 ? 0 : 2;
    ob_params p = {.mu = 0.5, .nu = 0.5, .kappa = 40, .gamma_rate = 10, .response = 20, .filter = OB_BAYES,
                   .current_filter = OB_CURRENT_EQ31, .dt = 1e-4, .time = 5, .transient = 1, .bins = 50};
    ob_run run;
    ob_run_init(&run, &p);
    tl_stream_key key = {1, 0, 0};
    double *out = tl_malloc(TL_BATCH * OB_N_OBS * sizeof *out, "observables");
    double *occ = tl_malloc(TL_BATCH * p.bins * sizeof *occ, "occupation");
    double checksum = 0, t0 = MPI_Wtime();
    clock_t c0 = clock();
    for (long first = 0; first < traj; first += TL_BATCH) { /* the engine's units of work, occupation included */
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        ob_trajectories(&run, &key, (uint64_t)first, n, out, occ);
        for (size_t b = 0; b < n; b++) checksum += out[b * OB_N_OBS + OB_OBS_MSE];
    }
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double wall = MPI_Wtime() - t0, steps = (double)traj * (double)run.steps, cal_wall;
    double cal = calibrate_observed(traj, run.steps, &cal_wall, NULL);
    report("observed: Fig. 7, Gamma = 10, dt = 1e-4, time = 5, Bayes filter, across the batch", traj, steps, wall,
           cal_wall, checksum, cal);
    printf("cpu_steps_per_s %.4e\n", steps / cpu);
    free(out), free(occ);
    return 0;
}

/* The floor of a weightsde step across the batch: the stream calls of
 * ws_trajectories (per two steps, a block of Box-Muller Gaussians and a
 * block of Philox words for the lanes), summed, no physics. */
static double calibrate_lanes(long traj, long steps, double *wall)
{
    tl_stream_key key = {1, 0, 0};
    double *z = tl_malloc(2 * TL_BATCH * sizeof *z, "calibration");
    uint32_t *w = tl_malloc(4 * TL_BATCH * sizeof *w, "calibration");
    double sum = 0, t0 = MPI_Wtime();
    for (long first = 0; first < traj; first += TL_BATCH) {
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        for (long k = 0; k < steps; k += 2) {
            tl_stream_gaussians(&key, TL_PURPOSE_DYNAMICS, (uint64_t)first, (uint32_t)(k / 2), n, z);
            tl_stream_words(&key, TL_PURPOSE_MODEL, (uint64_t)first, (uint32_t)(k / 2), n, w);
            sum += z[0] + z[n] + w[0];
        }
    }
    *wall = MPI_Wtime() - t0;
    free(z), free(w);
    return sum;
}

/* Trajectories 0 .. traj - 1 of seed 1 in the engine's units of work, across the batch or (scalar, the
 * filtered loop only) one at a time: the sum of their final weights. */
static double sum_final_weights(const ws_run *run, long traj, int scalar)
{
    tl_stream_key key = {1, 0, 0};
    double *out = tl_malloc(TL_BATCH * WS_N_OBS * sizeof *out, "observables"), checksum = 0;
    for (long first = 0; first < traj; first += TL_BATCH) {
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        if (scalar)
            for (size_t b = 0; b < n; b++)
                ws_filtered_trajectory(run, &key, (uint64_t)first + b, out + b * WS_N_OBS, NULL, NULL);
        else ws_trajectories(run, &key, (uint64_t)first, n, out, NULL, NULL);
        for (size_t b = 0; b < n; b++) checksum += out[b * WS_N_OBS + WS_OBS_W_FINAL];
    }
    free(out);
    return checksum;
}

/* The full loop of eq. 84 at the docs' point gamma_s = Gamma = 10 (Fig. 20's weight, dt = 2e-3,
 * time = 10), across the batch or (scalar) one trajectory at a time. */
static int filtered_bench(long traj, int scalar)
{
    ws_params p = {.temperature = 0.5, .gamma_w = 1, .beta = 2, .eta = 4, .input = 1, .bias = 0,
                   .integrator = WS_EXACT, .dt = 2e-3, .time = 10, .bins = 1, .w_min = -4, .w_max = 3,
                   .feedback = WS_FILTERED, .switch_rate = 10, .measurement_rate = 10, .transient = 0};
    ws_run run;
    ws_run_init(&run, &p);
    double t0 = MPI_Wtime();
    clock_t c0 = clock();
    double checksum = sum_final_weights(&run, traj, scalar);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double wall = MPI_Wtime() - t0, steps = (double)traj * (double)run.steps, cal_wall, cal_cpu;
    double cal = calibrate_observed(traj, run.steps, &cal_wall, &cal_cpu);
    report(scalar ? "weightsde --filtered --scalar: the full loop of eq. 84, gamma_s = Gamma = 10, dt = 2e-3, time = 10, "
                    "one trajectory at a time (the scalar reference)"
                  : "weightsde --filtered: the full loop of eq. 84, gamma_s = Gamma = 10, dt = 2e-3, time = 10, "
                    "across the batch",
           traj, steps, wall, cal_wall, checksum, cal);
    printf("cpu_steps_per_s %.4e\ncpu_calibration_per_s %.4e\ncpu_ratio_to_calibration %.3f\n", steps / cpu,
           steps / cal_cpu, cpu / cal_cpu);
    return 0;
}

int milburn_weightsde_bench(int argc, char **argv)
{
    long traj = 2048;
    int filtered = 0, scalar = 0;
    int status = parse(argc, argv, "weightsde", &traj, &filtered, &scalar);
    if (status) return status == 1 ? 0 : 2;
    if (scalar && !filtered) {
        fprintf(stderr, "thermolearn bench weightsde: --scalar needs --filtered\n");
        return 2;
    }
    if (filtered) return filtered_bench(traj, scalar);
    ws_params p = {.temperature = 0.5, .gamma_w = 1, .beta = 2, .eta = 4, .input = 1, .bias = 0,
                   .integrator = WS_EXACT, .dt = 1e-3, .time = 10, .bins = 1, .w_min = -4, .w_max = 3};
    ws_run run;
    ws_run_init(&run, &p);
    double t0 = MPI_Wtime();
    clock_t c0 = clock();
    double checksum = sum_final_weights(&run, traj, 0);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double wall = MPI_Wtime() - t0, steps = (double)traj * (double)run.steps, cal_wall;
    double cal = calibrate_lanes(traj, run.steps, &cal_wall);
    report("weightsde: Fig. 20, switch_beta = 2, dt = 1e-3, time = 10, exact integrator, across the batch", traj, steps,
           wall, cal_wall, checksum, cal);
    printf("cpu_steps_per_s %.4e\n", steps / cpu);
    return 0;
}
