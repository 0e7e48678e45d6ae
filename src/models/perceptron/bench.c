/* `thermolearn bench perceptron`: one-rank throughput of the perceptron kernel.
 *
 * Two numbers: weight-steps per second of the exact Ornstein-Uhlenbeck
 * update (online learning, one piece per switching interval, so the O(N)
 * loop dominates), and the batch trajectory rate, whose cost is the O(N P)
 * disorder work done by BLAS.  A STREAM-like triad measured beside them gives
 * the machine's memory bandwidth for comparison.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perceptron.h"
#include "thermolearn/config.h"
#include "thermolearn/error.h"

static int usage(void)
{
    fprintf(stderr, "usage: thermolearn bench perceptron [--n N] [--alpha A] [--traj T] [--intervals K]\n"
                    "  defaults: N = 10000, alpha = 1, T = 8 (batch), K = 200 (online, per trajectory)\n");
    return 2;
}

/* Bytes per second of a[i] = b[i] + s c[i] over arrays far larger than the caches. */
static double triad_bandwidth(void)
{
    size_t n = (size_t)1 << 23;
    double *a = tl_malloc(n * sizeof *a, "triad"), *b = tl_malloc(n * sizeof *b, "triad"),
           *c = tl_malloc(n * sizeof *c, "triad");
    for (size_t i = 0; i < n; i++) a[i] = 0, b[i] = 1, c[i] = 2;
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = MPI_Wtime();
        for (size_t i = 0; i < n; i++) a[i] = b[i] + 0.5 * c[i];
        double dt = MPI_Wtime() - t0, rate = 3.0 * n * sizeof(double) / dt;
        if (rate > best && a[n / 2] == 2.0) best = rate;
    }
    free(a), free(b), free(c);
    return best;
}

/* Run `traj` trajectories of the point described by `section`; returns seconds. */
static double time_point(const char *section, long traj, perceptron **keep)
{
    char text[1024], why[512];
    snprintf(text, sizeof text, "[run]\nmodel = perceptron\ntrajectories = %ld\n[perceptron]\n%s", traj, section);
    tl_config cfg;
    if (tl_config_parse(&cfg, "bench", text, why, sizeof why) || tl_config_validate_points(&cfg, why, sizeof why))
        error("bench input: %s", why);
    tl_point pt;
    tl_config_point(&cfg, 0, &pt);
    perceptron *pc = perceptron_alloc(&pt);
    double buf[TL_MAX_OBSERVABLES][TL_BATCH], *out[TL_MAX_OBSERVABLES];
    for (int o = 0; o < TL_MAX_OBSERVABLES; o++) out[o] = buf[o];
    tl_stream_key key = {1, 0, 0};
    /* CPU time, not wall time: the figure of one rank on a shared machine */
    clock_t t0 = clock();
    for (long k = 0; k < traj; k += TL_BATCH)
        perceptron_simulate_batch(pc, &key, (uint64_t)k, (size_t)(traj - k < TL_BATCH ? traj - k : TL_BATCH), out,
                                  NULL, NULL);
    double wall = (double)(clock() - t0) / CLOCKS_PER_SEC;
    *keep = pc;
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    return wall;
}

int perceptron_bench(int argc, char **argv)
{
    long n = 10000, traj = 8, intervals = 200;
    double alpha = 1;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return usage(), 0;
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--n") == 0) n = atol(argv[++i]);
        else if (strcmp(argv[i], "--alpha") == 0) alpha = atof(argv[++i]);
        else if (strcmp(argv[i], "--traj") == 0) traj = atol(argv[++i]);
        else if (strcmp(argv[i], "--intervals") == 0) intervals = atol(argv[++i]);
        else return usage();
    }
    char section[512];
    perceptron *pc;
    /* online, P = 1 sample: the weight loop, not the disorder, sets the pace */
    snprintf(section, sizeof section,
             "n = %ld\nalpha = %.17g\nnu = 1\ntau = 1\ntime = 1\nlearning = online\nswitch_rate = %ld\n"
             "temperature = 1\n", n, 1.0 / (double)n, intervals);
    double wall = time_point(section, traj, &pc);
    double steps = (double)traj * (double)n * (double)(pc->intervals + 1);
    perceptron_free(pc);
    printf("online: %ld trajectories x %ld weights x %ld intervals in %.3f CPU s\n", traj, n, intervals, wall);
    double ws = steps / wall;

    snprintf(section, sizeof section, "n = %ld\nalpha = %.17g\nnu = 1\ntau = 1\ntime = 10\ntemperature = 1\n", n, alpha);
    wall = time_point(section, traj, &pc);
    double entries = 2.0 * (double)traj * (double)pc->n * (double)pc->p;
    printf("batch: %ld trajectories, N = %d, P = %d in %.3f CPU s: trajectories_per_s %.4e, "
           "disorder entries_per_s %.4e (two passes over Xi)\n", traj, pc->n, pc->p, wall, traj / wall, entries / wall);
    perceptron_free(pc);
    double bw = triad_bandwidth();
    /* a weight-step reads w and the force direction and writes w: 24 bytes */
    printf("memory_bandwidth_bytes_per_s %.4e (triad); weight-step traffic at that rate: %.4e per s\n", bw, bw / 24.0);
    printf("weight_steps_per_s %.4e\n", ws);
    return 0;
}
