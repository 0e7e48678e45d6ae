/* `thermolearn bench ou`: one-rank throughput of the OU kernel, in
 * trajectory-steps (one exact transition, its entropy and the trapezoid sums
 * of one trajectory) per second of CPU time.
 *
 * The default point is the 2-d system of eq. D7 (J_s = 0.5, J_a = 0.6,
 * decay 1, T = 0.5, dt = 0.05, 1000 steps, steady starts, covariance sums
 * on), the point of the limit kernel tests/bench/ou_limit.c.  With --n > 2
 * the couplings are W_ii = -2, W_ij = 0.25 sin(1 + 3i + 7j) (stable by
 * Gershgorin).  --coefficients prints the n = 2 point's matrices as hex
 * floats in the order ou_limit reads them, and the mean entropy production
 * over all lanes and the checksum of the outputs, which ou_limit must equal
 * to the bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ou.h"
#include "thermolearn/error.h"

static int usage(void)
{
    fprintf(stderr, "usage: thermolearn bench ou [--n N] [--steps S] [--traj T] [--dt H] [--coefficients]\n"
                    "  defaults: N = 2, S = 1000, T = 4096, H = 0.05\n");
    return 2;
}

static void print_coefficients(const ou *o)
{
    const double *mats[] = {o->e_h, o->l_h, o->l_c, o->qaa, o->qab, o->qbb};
    printf("coefficients");
    for (int k = 0; k < 6; k++)
        for (int i = 0; i < 4; i++) printf(" %a", mats[k][i]);
    printf(" %a\n", o->qc);
}

int ou_bench(int argc, char **argv)
{
    int n = 2, coefficients = 0;
    long steps = 1000, traj = 4096;
    double dt = 0.05;
    for (int a = 0; a < argc; a++) {
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) return usage(), 0;
        if (!strcmp(argv[a], "--coefficients")) { coefficients = 1; continue; }
        if (a + 1 >= argc) return usage();
        if (!strcmp(argv[a], "--n")) n = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--steps")) steps = atol(argv[++a]);
        else if (!strcmp(argv[a], "--traj")) traj = atol(argv[++a]);
        else if (!strcmp(argv[a], "--dt")) dt = atof(argv[++a]);
        else return usage();
    }
    if (n < 1 || n > OU_MAX_N || steps < 1 || traj < 1 || !(dt > 0)) return usage();
    double w[OU_MAX_N * OU_MAX_N], x[OU_MAX_N] = {0};
    if (n == 2) ou_two_matrix(0.5, 0.6, 1.0, w);
    else
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) w[i * n + j] = i == j ? -2.0 : 0.25 * sin(1.0 + 3 * i + 7 * j);
    char why[256];
    ou *o = ou_alloc(n, w, x, 0.5, steps * dt, 0, dt, 1, why, sizeof why);
    if (!o) error("bench ou: %s", why);
    size_t pairs = ou_n_pairs((size_t)n);
    double *obs = tl_malloc(2 * TL_BATCH * sizeof *obs, "bench"), *mean = tl_malloc(n * TL_BATCH * sizeof *mean, "bench"),
           *cov = tl_malloc(pairs * TL_BATCH * sizeof *cov, "bench");
    double *out[TL_MAX_OBSERVABLES] = {obs, obs + TL_BATCH}, *prof[TL_MAX_PROFILES] = {mean, cov};
    tl_stream_key key = {1, 0, 0};
    double ep = 0, check = 0;
    clock_t t0 = clock();
    for (long first = 0; first < traj; first += TL_BATCH) {
        size_t count = (size_t)(traj - first < TL_BATCH ? traj - first : TL_BATCH);
        ou_simulate_batch(o, &key, (uint64_t)first, count, out, prof);
        for (size_t b = 0; b < count; b++) {
            ep += obs[b];
            for (size_t p = 0; p < pairs; p++) check += cov[p * count + b];
        }
    }
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("ou: n = %d, %ld steps of %g, %ld trajectories (steady starts, covariance sums)\n", n, o->steps, o->h, traj);
    printf("entropy_production_rate %.6f (exact %.6f)\n", ep / traj / o->window, o->ep_rate_exact);
    printf("checksum %a %a\n", ep, check);
    if (coefficients && n == 2) print_coefficients(o);
    printf("steps_per_s %.4e\n", (double)traj * o->steps / cpu);
    free(obs), free(mean), free(cov);
    ou_free(o);
    return 0;
}
