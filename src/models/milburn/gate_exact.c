/* Exact references of the sampled-switch gates (Milburn section 4.1): the
 * expected error of the physical network and the expected first-epoch
 * update, by enumeration.  See gate.h. */
#include <math.h>
#include <stdlib.h>

#include "gate.h"
#include "thermolearn/error.h"

static inline double sigmoid(double z)
{
    return 1 / (1 + exp(-z));
}

/* P(h_j = +1) of the two hidden switches on input xi. */
static void hidden_p(const gt_params *p, const double *w, const double xi[2], double ph[2])
{
    for (int j = 0; j < 2; j++) ph[j] = sigmoid(p->beta * (xi[0] * w[GX_WH + j] + xi[1] * w[GX_WH + 2 + j] + w[GX_BH + j]));
}

/* Hidden pair h = 0..3: (h1, h2) = (+,+), (+,-), (-,+), (-,-); its probability and P(output = +1 | h). */
static void pair(const gt_params *p, const double *w, const double ph[2], int h, double *prob, double *po, double hv[2])
{
    hv[0] = h < 2 ? 1 : -1, hv[1] = h % 2 ? -1 : 1;
    *prob = (hv[0] > 0 ? ph[0] : 1 - ph[0]) * (hv[1] > 0 ? ph[1] : 1 - ph[1]);
    *po = sigmoid(p->beta * (hv[0] * w[GX_WO] + hv[1] * w[GX_WO + 1] + w[GX_B3]));
}

double gt_error_exact(const gt_params *p, const double *w)
{
    if (p->task == GT_NOT)
        return (sigmoid(p->beta * (w[0] + w[1])) + 1 - sigmoid(p->beta * (w[1] - w[0]))) / 2;
    double err = 0;
    for (int k = 0; k < 4; k++) {
        double xi[2], label, ph[2];
        gt_example(GT_XOR, k, xi, &label);
        hidden_p(p, w, xi, ph);
        for (int h = 0; h < 4; h++) {
            double prob, po, hv[2];
            pair(p, w, ph, h, &prob, &po, hv);
            err += prob * (label < 0 ? po : 1 - po) / 4;
        }
    }
    return err;
}

double gt_error_mean_field(const gt_params *p, const double *w, const double xi[2], double label)
{
    double nh[2];
    for (int j = 0; j < 2; j++) nh[j] = tanh(p->beta * (xi[0] * w[GX_WH + j] + xi[1] * w[GX_WH + 2 + j] + w[GX_BH + j]) / 2);
    return (1 - label * tanh(p->beta * (nh[0] * w[GX_WO] + nh[1] * w[GX_WO + 1] + w[GX_B3]) / 2)) / 2;
}

/* E[f] over the multinomial counts (k_{++}, k_{+-}, k_{-+}, k_{--}) of M i.i.d. samples of (a, c) with cell
 * probabilities q[2a' + c'] (a' = 0 for a = +1): E[(1 - cbar^2) abar], E[(1 - cbar^2)(1 - abar^2)]. */
static void multinomial_moments(long m, const double q[4], const double *lfact, double *e1, double *e2)
{
    double lq[4];
    for (int i = 0; i < 4; i++) lq[i] = q[i] > 0 ? log(q[i]) : -INFINITY;
    *e1 = *e2 = 0;
    for (long k0 = 0; k0 <= m; k0++)
        for (long k1 = 0; k0 + k1 <= m; k1++)
            for (long k2 = 0; k0 + k1 + k2 <= m; k2++) {
                long k3 = m - k0 - k1 - k2, k[4] = {k0, k1, k2, k3};
                double lp = lfact[m];
                for (int i = 0; i < 4; i++) lp += k[i] ? (double)k[i] * lq[i] - lfact[k[i]] : 0;
                if (!(lp > -745)) continue;
                double pr = exp(lp);
                double abar = 2 * (double)(k0 + k1) / (double)m - 1, cbar = 2 * (double)(k0 + k2) / (double)m - 1;
                *e1 += pr * (1 - cbar * cbar) * abar;
                *e2 += pr * (1 - cbar * cbar) * (1 - abar * abar);
            }
}

int gt_first_update_exact(const gt_params *p, double *ex)
{
    const double *w = p->start, m = (double)p->samples;
    for (size_t i = 0; i < GT_MAX_WEIGHTS; i++) ex[i] = 0;
    if (p->task == GT_NOT) {
        for (int k = 0; k < 2; k++) {
            double xi[2], label;
            gt_example(GT_NOT, k, xi, &label);
            double n = tanh(p->beta * (w[0] * xi[0] + w[1]) / 2);
            double c = p->eta * label * p->beta * (1 - n * n) * (1 - 1 / m) / 4; /* E[1 - nbar^2] exactly */
            ex[0] += c * xi[0] / 2, ex[1] += c / 2;
        }
        return 0;
    }
    if (p->samples > GT_EXACT_MAX_M) {
        for (size_t i = 0; i < GT_MAX_WEIGHTS; i++) ex[i] = NAN;
        return 0;
    }
    double *lfact = tl_malloc((size_t)(p->samples + 1) * sizeof *lfact, "log factorials");
    for (long k = 0; k <= p->samples; k++) lfact[k] = lgamma((double)k + 1);
    double hidden_beta = p->hidden_rule == GT_CHAIN ? p->beta * p->beta : p->beta;
    for (int k = 0; k < 4; k++) {
        double xi[2], label, ph[2];
        gt_example(GT_XOR, k, xi, &label);
        hidden_p(p, w, xi, ph);
        double gain = p->eta * label / 4; /* the input's probability 1/4 */
        for (int j = 0; j < 2; j++) {
            double q[4] = {0}; /* cells (a = h_j, c = output): (+,+), (+,-), (-,+), (-,-) */
            for (int h = 0; h < 4; h++) {
                double prob, po, hv[2];
                pair(p, w, ph, h, &prob, &po, hv);
                int a = hv[j] > 0 ? 0 : 2;
                q[a] += prob * po, q[a + 1] += prob * (1 - po);
            }
            double e1, e2;
            multinomial_moments(p->samples, q, lfact, &e1, &e2);
            double c_mean = q[0] + q[2] - q[1] - q[3], e0 = 1 - (c_mean * c_mean + (1 - c_mean * c_mean) / m);
            ex[GX_WO + j] += gain * p->beta * e1 / 4;
            if (j == 0) ex[GX_B3] += gain * p->beta * e0 / 4;
            double g = gain * hidden_beta * w[GX_WO + j] * e2 / 8;
            ex[GX_WH + j] += g * xi[0], ex[GX_WH + 2 + j] += g * xi[1], ex[GX_BH + j] += g;
        }
    }
    free(lfact);
    return 0;
}
