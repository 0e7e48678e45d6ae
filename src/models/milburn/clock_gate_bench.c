/* `thermolearn bench clock` and `thermolearn bench gate`: one-rank throughput
 * of the dominant kernels beside a calibration loop that does only what every
 * unit of work must do (the same Philox draws and transcendental functions,
 * no physics), so that the ratio kernel/calibration is comparable across
 * machines and loads (the pattern of bench.c).
 *
 *   clock: escapement steps per second across a batch of 128 trajectories (the vector kernel; per
 *          step and lane 2 Box-Muller normals and 4 e^x of vecmath.h), and the scalar reference's
 *   gate:  NOT epochs per second at M = 200 across the batch (tiles of 64 trajectories; per epoch and
 *          lane four uniforms, two e^x, q^M by 8 products and the binomial's walk of ~M p' steps,
 *          masked until the last lane of the vector stops), and the scalar reference's
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "gate.h"
#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/vecmath.h"

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

/* The floor of an escapement step across the batch: the step's two Box-Muller normals per lane
 * (tl_stream_gaussians over the tile) and its four e^x (vecmath.h), no physics. */
static double calibrate_clock(long steps, size_t lanes, double *wall)
{
    tl_stream_key key = {1, 0, 0};
    double *z = tl_malloc(2 * lanes * sizeof *z, "calibration"), t0 = MPI_Wtime();
    vd sum = {0};
    for (long k = 0; k < steps; k++) {
        tl_stream_gaussians(&key, TL_PURPOSE_DYNAMICS, 0, (uint32_t)k, lanes, z);
        for (size_t l = 0; l < lanes; l += VD) {
            vd a = vd_load(z + l) * 0.1, b = vd_load(z + lanes + l) * 0.1;
            sum += vd_exp(a) * vd_exp(-a) + vd_exp(b) * vd_exp(-b);
        }
    }
    *wall = MPI_Wtime() - t0;
    free(z);
    double s = 0;
    for (int i = 0; i < VD; i++) s += sum[i];
    return s;
}

/* Escapement steps of TRAJ trajectories run together, each `per` steps (the cap stops them, not the
 * periods), by the vector kernel; and of a few by the scalar reference (`mismatch` counts where the
 * two differ: 0). */
int milburn_clock_bench(int argc, char **argv)
{
    long steps = 5000000;
    int status = parse(argc, argv, "clock", &steps, "--steps");
    if (status) return status == 1 ? 0 : 2;
    enum { TRAJ = 128, SCALAR = 4 };
    long per = steps / TRAJ > 0 ? steps / TRAJ : 1;
    ck_params p = {.oscillator = CK_ESCAPEMENT, .gamma = 10, .kappa = 1, .chi = 40, .eps = 0, .temperature = 0.125,
                   .dt = 2e-4, .hysteresis = 0.5, .periods = 1, .drive = CK_CONSTANT};
    double t0_cycle = ck_cycle_find(&p);
    p.max_time = ((double)per - 0.5) * p.dt; /* per steps: t < cap stops the lanes, not the periods */
    p.periods = (long)(2 * p.max_time / t0_cycle) + 10;
    tl_stream_key key = {1, 0, 0};
    ck_path out[TRAJ];
    double t0 = MPI_Wtime();
    clock_t c0 = clock();
    ck_trajectories(&p, &key, 0, TRAJ, out, NULL, 0);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double wall = MPI_Wtime() - t0, t1 = MPI_Wtime(), checksum = 0;
    int mismatch = 0;
    for (int b = 0; b < SCALAR; b++) {
        ck_path r;
        ck_trajectory(&p, &key, (uint64_t)b, &r);
        mismatch += r.heat != out[b].heat || r.work != out[b].work || r.intervals != out[b].intervals;
    }
    double scalar_wall = MPI_Wtime() - t1, total = (double)per * TRAJ, cal_wall;
    double cal = calibrate_clock(per, TRAJ, &cal_wall);
    for (int b = 0; b < TRAJ; b++) checksum += out[b].work + out[b].heat;
    printf("clock: escapement, Fig. 22 (gamma = 10, chi = 40, kappa = 1, sigma = 0.25), dt = 2e-4; "
           "%d trajectories x %ld steps, vectors of %d across the batch\n", TRAJ, per, VD);
    printf("checksum %.6f wall_s %.3f steps_per_s %.4e ns_per_step %.1f\n", checksum, wall, total / wall,
           1e9 * wall / total);
    printf("cpu_steps_per_s %.4e cpu_ns_per_step %.1f\n", total / cpu, 1e9 * cpu / total);
    printf("scalar_reference ns_per_step %.1f (%d trajectories, mismatch %d)\n",
           1e9 * scalar_wall / ((double)per * SCALAR), SCALAR, mismatch);
    printf("calibration_per_s %.4e (checksum %.3f)\nratio_to_calibration %.3f\n", total / cal_wall, cal,
           wall / cal_wall);
    return 0;
}

/* The floor of a NOT epoch across the batch: the stream calls of gt_trajectories (per epoch and
 * tile two blocks of Philox words, four uniforms per lane) and its two e^x per lane (P(n = +1) at
 * the new and the old A), summed, no physics. */
static double calibrate_gate(long traj, long epochs, double *wall, double *cpu)
{
    enum { TILE = 64 };
    tl_stream_key key = {1, 0, 0};
    uint32_t words[4 * TILE];
    vd sum = {0};
    double t0 = MPI_Wtime();
    clock_t c0 = clock();
    for (long first = 0; first < traj; first += TILE)
        for (long e = 0; e < epochs; e++) {
            vd u[4][TILE / VD];
            for (int blk = 0; blk < 2; blk++) {
                tl_stream_words(&key, TL_PURPOSE_DYNAMICS, (uint64_t)first, (uint32_t)(2 * e + blk), TILE, words);
                for (int l = 0; l < TILE; l += VD) {
                    u[2 * blk][l / VD] = vd_uniform(words + l, words + TILE + l);
                    u[2 * blk + 1][l / VD] = vd_uniform(words + 2 * TILE + l, words + 3 * TILE + l);
                }
            }
            for (int l = 0; l < TILE / VD; l++)
                sum += 1.0 / (1.0 + vd_exp(u[0][l] - u[1][l])) + 1.0 / (1.0 + vd_exp(u[2][l] - u[3][l]));
        }
    *wall = MPI_Wtime() - t0, *cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double s = 0;
    for (int i = 0; i < VD; i++) s += sum[i];
    return s;
}

/* NOT epochs at Fig. 15's point (beta = 1, M = 200, 250 epochs): `traj` trajectories by
 * gt_trajectories in the engine's units of TL_BATCH (tiles of 64 side by side), then the first
 * `scalar` of them again one at a time by the scalar reference gt_trajectory (the scalar kernel
 * of earlier versions, with the same numbers); `mismatch` counts trajectories where the two
 * differ (0). */
int milburn_gate_bench(int argc, char **argv)
{
    long traj = 20000;
    int status = parse(argc, argv, "gate", &traj, "--traj");
    if (status) return status == 1 ? 0 : 2;
    gt_params p = {.task = GT_NOT, .beta = 1, .samples = 200, .epochs = 250, .eta = 1, .start = {0.01, 1},
                   .hidden_rule = GT_CHAIN, .work_state = GT_FRESH, .record_every = 250, .target = 0.1};
    tl_stream_key key = {1, 0, 0};
    gt_path *out = tl_malloc((size_t)traj * sizeof *out, "gate paths");
    double checksum = 0, t0 = MPI_Wtime();
    clock_t c0 = clock();
    for (long first = 0; first < traj; first += TL_BATCH) { /* the engine's units of work */
        size_t n = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        gt_trajectories(&p, &key, (uint64_t)first, n, out + first, NULL, NULL, NULL);
    }
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC, wall = MPI_Wtime() - t0;
    for (long t = 0; t < traj; t++) checksum += out[t].weights[0] + out[t].work;
    long scalar = traj < 2048 ? traj : 2048, mismatch = 0;
    t0 = MPI_Wtime(), c0 = clock();
    for (long t = 0; t < scalar; t++) {
        gt_path g;
        gt_trajectory(&p, &key, (uint64_t)t, &g, NULL, NULL, NULL);
        mismatch += memcmp(&g, &out[t], sizeof g) != 0;
    }
    double scalar_cpu = (double)(clock() - c0) / CLOCKS_PER_SEC, scalar_wall = MPI_Wtime() - t0;
    double epochs = (double)traj * (double)p.epochs, scalar_epochs = (double)scalar * (double)p.epochs, cal_wall, cal_cpu;
    double cal = calibrate_gate(traj, p.epochs, &cal_wall, &cal_cpu);
    printf("gate: NOT, beta = 1, M = 200, 250 epochs (Fig. 15); %ld trajectories, tiles of 64, vectors of %d across "
           "the batch\n", traj, VD);
    printf("checksum %.6f wall_s %.3f epochs_per_s %.4e ns_per_epoch %.1f\n", checksum, wall, epochs / wall,
           1e9 * wall / epochs);
    printf("cpu_epochs_per_s %.4e cpu_ns_per_epoch %.1f\n", epochs / cpu, 1e9 * cpu / epochs);
    printf("scalar_reference ns_per_epoch %.1f cpu_ns_per_epoch %.1f (%ld trajectories, mismatch %ld)\n",
           1e9 * scalar_wall / scalar_epochs, 1e9 * scalar_cpu / scalar_epochs, scalar, mismatch);
    printf("calibration_per_s %.4e cpu_calibration_per_s %.4e (checksum %.3f)\n", epochs / cal_wall, epochs / cal_cpu,
           cal);
    printf("ratio_to_calibration %.3f (cpu %.3f)\n", wall / cal_wall, cpu / cal_cpu);
    printf("scalar_ratio_to_calibration %.3f (cpu %.3f)\n", scalar_wall / scalar_epochs / (cal_wall / epochs),
           scalar_cpu / scalar_epochs / (cal_cpu / epochs));
    free(out);
    return mismatch != 0;
}
