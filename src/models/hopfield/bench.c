/* `thermolearn bench hopfield`: one-rank throughput of the Hopfield kernel in
 * spin updates per second, counted as the calibration kernel counts them
 * (2 directions x steps x trajectories rounded up to the batch x N). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopfield.h"
#include "thermolearn/config.h"
#include "thermolearn/error.h"

static int usage(void)
{
    fprintf(stderr, "usage: thermolearn bench hopfield [--n N] [--steps S] [--traj T] [--gamma G]\n"
                    "  defaults: N = 15, S = 1000, T = 5000, gamma = 0.2, T/k_B = 15, h = 5\n"
                    "       thermolearn bench hopfield --graded [--n N] [--steps S] [--traj T] [--substeps K] [--dt DT]\n"
                    "  the graded network (MALA): defaults N = 15, S = 100, T = 256, K = 10, DT = 0.05,\n"
                    "  gamma = 0.3, T/k_B = 0.5, h = 2, R = 1.5\n");
    return 2;
}

/* The graded network: Langevin steps of every neuron per second. */
static int bench_graded(long n, long steps, long traj, long substeps, double dt)
{
    char text[512], why[512];
    snprintf(text, sizeof text,
             "[run]\nmodel = hopfield\ntrajectories = %ld\nseed = 1\n[hopfield]\nneurons = graded\nn = %ld\n"
             "steps = %ld\nsubsteps = %ld\ndt = %.17g\ngamma = 0.3\ntemperature = 0.5\nfield = 2\n"
             "threshold = 0.2\nresistance = 1.5\nburn_in = 10\n", traj, n, steps, substeps, dt);
    tl_config cfg;
    if (tl_config_parse(&cfg, "bench", text, why, sizeof why) || tl_config_validate_points(&cfg, why, sizeof why)) {
        fprintf(stderr, "thermolearn bench: %s\n", why);
        return 2;
    }
    tl_point pt;
    tl_config_point(&cfg, 0, &pt);
    hopfield *hf = hopfield_alloc(&pt);
    double *work = tl_malloc(TL_BATCH * sizeof *work, "bench"), *heat = tl_malloc(TL_BATCH * sizeof *heat, "bench");
    double *acc = tl_malloc(TL_BATCH * sizeof *acc, "bench");
    double checksum = 0, accepted = 0, t1 = MPI_Wtime();
    long batches = (traj + TL_BATCH - 1) / TL_BATCH;
    for (uint32_t d = 0; d < 2; d++)
        for (long k = 0; k < batches; k++) {
            tl_stream_key key = {1, 0, d};
            size_t count = (size_t)(traj - k * TL_BATCH < TL_BATCH ? traj - k * TL_BATCH : TL_BATCH);
            hopfield_graded_simulate(hf, &key, (uint64_t)k * TL_BATCH, count, work, heat, NULL, acc);
            for (size_t b = 0; b < count; b++) checksum += work[b], accepted += acc[b];
        }
    double wall = MPI_Wtime() - t1;
    /* the burn-in (burn_in x substeps Langevin steps per trajectory) counts too */
    double langevin = 2.0 * (double)traj * (double)(steps + 10) * (double)substeps;
    printf("checksum %.6f wall_s %.3f trajectories_per_s %.4e acceptance %.4f\n", checksum, wall, 2.0 * traj / wall,
           accepted / (2.0 * traj));
    printf("langevin_steps_per_s %.4e neuron_steps_per_s %.4e\n", langevin / wall, langevin * (double)n / wall);
    free(work), free(heat), free(acc);
    hopfield_free(hf);
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    return 0;
}

int hopfield_bench(int argc, char **argv)
{
    long n = 15, steps = 1000, traj = 5000, substeps = 10;
    double gamma = 0.2, dt = 0.05;
    int graded = 0, steps_set = 0, traj_set = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return usage(), 0;
        if (strcmp(argv[i], "--graded") == 0) {
            graded = 1;
            continue;
        }
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--n") == 0) n = atol(argv[++i]);
        else if (strcmp(argv[i], "--steps") == 0) steps = atol(argv[++i]), steps_set = 1;
        else if (strcmp(argv[i], "--traj") == 0) traj = atol(argv[++i]), traj_set = 1;
        else if (strcmp(argv[i], "--gamma") == 0) gamma = atof(argv[++i]);
        else if (strcmp(argv[i], "--substeps") == 0) substeps = atol(argv[++i]);
        else if (strcmp(argv[i], "--dt") == 0) dt = atof(argv[++i]);
        else return usage();
    }
    if (graded) return bench_graded(n, steps_set ? steps : 100, traj_set ? traj : 256, substeps, dt);
    char text[512], why[512];
    snprintf(text, sizeof text,
             "[run]\nmodel = hopfield\ntrajectories = %ld\nseed = 1\n[hopfield]\nn = %ld\nsteps = %ld\n"
             "gamma = %.17g\ntemperature = 15\nfield = 5\n", traj, n, steps, gamma);
    tl_config cfg;
    if (tl_config_parse(&cfg, "bench", text, why, sizeof why) || tl_config_validate_points(&cfg, why, sizeof why)) {
        fprintf(stderr, "thermolearn bench: %s\n", why);
        return 2;
    }
    tl_point pt;
    tl_config_point(&cfg, 0, &pt);
    double t0 = MPI_Wtime();
    hopfield *hf = hopfield_alloc(&pt);
    double t_setup = MPI_Wtime() - t0;
    double *work = tl_malloc(TL_BATCH * sizeof *work, "bench"), *heat = tl_malloc(TL_BATCH * sizeof *heat, "bench");
    double checksum = 0, t1 = MPI_Wtime();
    long batches = (traj + TL_BATCH - 1) / TL_BATCH;
    for (uint32_t d = 0; d < 2; d++)
        for (long k = 0; k < batches; k++) {
            tl_stream_key key = {1, 0, d};
            size_t count = (size_t)(traj - k * TL_BATCH < TL_BATCH ? traj - k * TL_BATCH : TL_BATCH);
            hopfield_simulate_batch(hf, &key, (uint64_t)k * TL_BATCH, count, work, heat, NULL, NULL);
            for (size_t b = 0; b < count; b++) checksum += work[b];
        }
    double wall = MPI_Wtime() - t1;
    double updates = 2.0 * (double)steps * (double)(batches * TL_BATCH) * (double)n *
                     (hf->update == HOPFIELD_PALINDROMIC ? 2 : 1);
    printf("setup_s %.4f (enumeration of 2^%ld states)\n", t_setup, n);
    printf("checksum %.6f wall_s %.3f trajectories_per_s %.4e\n", checksum, wall, 2.0 * traj / wall);
    printf("updates_per_s %.4e\n", updates / wall);
    free(work), free(heat);
    hopfield_free(hf);
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    return 0;
}
