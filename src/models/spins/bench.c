/* `thermolearn bench spins`: Gillespie jumps per second of CPU time of one
 * rank (CPU time: the figure of one rank on a shared machine).  Also prints
 * the total of the medium entropy over the trajectories, which the limit
 * kernel tests/bench/spins_limit.c reproduces at --n 40 (the same streams
 * give the same trajectories). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spins.h"
#include "thermolearn/error.h"

static double cpu_s(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

int spins_bench(int argc, char **argv)
{
    int chain = 10, traj = 256, k = 2;
    double time = 5000, beta = 1.0;
    for (int a = 0; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--help")) {
            printf("thermolearn bench spins [--n N (per chain)] [--time T] [--traj T] [--beta B]\n");
            return 0;
        }
        if (!v) continue;
        if (!strcmp(argv[a], "--n")) chain = atoi(v), a++;
        else if (!strcmp(argv[a], "--time")) time = atof(v), a++;
        else if (!strcmp(argv[a], "--traj")) traj = atoi(v), a++;
        else if (!strcmp(argv[a], "--beta")) beta = atof(v), a++;
    }
    if (chain < 1 || chain > SPINS_MAX_N / 2 || traj < 1 || !(time > 0)) {
        fprintf(stderr, "bench spins: bad option\n");
        return 2;
    }
    int n = 2 * chain;
    /* Asymmetric k = 2 couplings of order 1/2 and inputs of order 1. */
    double c[14] = {0.3, -0.5, 0.6, 0.1, 0.2, -0.4, 0.5, 0.7, -0.3, 0.1, -0.2, 0.4, 0.6, -0.1};
    double *w = tl_malloc((size_t)n * n * sizeof *w, "w"), *x = tl_malloc((size_t)n * sizeof *x, "x");
    spins_chain_matrix(chain, k, c, w);
    for (int i = 0; i < n; i++) x[i] = ((i * 7) % 5 - 2) * 0.5;
    spins *s = spins_alloc_direct(n, w, x, beta, 1.0, time, 0.0, 0);
    tl_stream_key key = {1, 0, 0};
    spins_walker *walker = spins_walker_alloc(n);
    uint64_t total = 0;
    double sigma = 0, t0 = cpu_s();
    for (int t = 0; t < traj; t++) {
        spins_result r;
        spins_walk(s, &key, (uint64_t)t, walker, NULL, &r);
        total += r.jumps, sigma += r.sigma;
    }
    double dt = cpu_s() - t0;
    printf("spins: 2N = %d spins, k = %d, beta = %g, time = %g, %d trajectories\n", n, k, beta, time, traj);
    printf("jumps %llu in %.3f s of CPU time\n", (unsigned long long)total, dt);
    printf("jumps %llu sigma %.10e\n", (unsigned long long)total, sigma);
    printf("ns_per_jump %.1f\n", 1e9 * dt / (double)total);
    printf("jumps_per_s %.4g\n", (double)total / dt);
    spins_free(s);
    spins_walker_free(walker);
    free(w), free(x);
    return 0;
}
