/* Exact equilibrium of the Hopfield network by enumerating all 2^N states:
 * free energies F(lambda) = -T ln Z(lambda) at both ends of the protocol, and
 * the cumulative Boltzmann weights from which initial states are drawn. */
#include <math.h>
#include <stdlib.h>

#include "hopfield.h"
#include "thermolearn/error.h"

/* State s has spin i = +1 where bit i of s is set.  A Gray-code walk changes
 * one spin per state, so the overlaps are updated in O(M). */
static void log_weights(const hopfield *hf, double *lw0, double *lw1)
{
    int n = hf->n, m = hf->m;
    uint64_t count = (uint64_t)1 << n;
    double overlap[HOPFIELD_MAX_PATTERNS], m0 = -n;
    for (int nu = 0; nu < m; nu++) {
        overlap[nu] = 0;
        for (int i = 0; i < n; i++) overlap[nu] -= hf->patterns[nu * n + i];
    }
    uint64_t state = 0;
    for (uint64_t k = 0;; k++) {
        lw0[state] = -hf->beta * hopfield_energy_overlaps(hf, overlap, m0, 0.0);
        lw1[state] = -hf->beta * hopfield_energy_overlaps(hf, overlap, m0, 1.0);
        if (k + 1 == count) break;
        int j = __builtin_ctzll(k + 1);
        state ^= (uint64_t)1 << j;
        double dv = (state >> j) & 1 ? 2.0 : -2.0;
        m0 += dv;
        for (int nu = 0; nu < m; nu++) overlap[nu] += dv * hf->patterns[nu * n + j];
    }
}

/* Turns log weights into cumulative weights (shifted by their maximum) and
 * returns ln Z. */
static double cumulate(double *lw, uint64_t count)
{
    double top = -INFINITY, sum = 0;
    for (uint64_t s = 0; s < count; s++) top = fmax(top, lw[s]);
    for (uint64_t s = 0; s < count; s++) {
        sum += exp(lw[s] - top);
        lw[s] = sum;
    }
    return top + log(sum);
}

void hopfield_enumerate(hopfield *hf)
{
    uint64_t count = (uint64_t)1 << hf->n;
    double *lw0 = tl_malloc(count * sizeof *lw0, "Boltzmann weights at lambda = 0");
    double *lw1 = tl_malloc(count * sizeof *lw1, "Boltzmann weights at lambda = 1");
    log_weights(hf, lw0, lw1);
    if (hf->protocol == HOPFIELD_EXCHANGE) {
        /* The initial equilibrium is at beta_initial: -beta_1 E = (beta_1 / beta) (-beta E). */
        for (uint64_t s = 0; s < count; s++) lw0[s] *= hf->beta_initial / hf->beta;
    }
    hf->free_energy[0] = -cumulate(lw0, count) / hf->beta;
    hf->free_energy[1] = -cumulate(lw1, count) / hf->beta;
    if (hf->protocol == HOPFIELD_EXCHANGE || hf->protocol == HOPFIELD_STEADY)
        hf->free_energy[0] = hf->free_energy[1] = NAN; /* no driving: no dF to compare with */
    if (hf->exact_initial) {
        hf->cdf[0] = lw0;
        hf->cdf[1] = lw1;
    } else {
        free(lw0);
        free(lw1);
    }
}

uint64_t hopfield_sample_state(const hopfield *hf, int lambda_end, double u)
{
    const double *cdf = hf->cdf[lambda_end];
    uint64_t lo = 0, hi = ((uint64_t)1 << hf->n) - 1;
    double target = u * cdf[hi];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > target) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}
