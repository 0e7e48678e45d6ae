/* Learning with sampled switches (Milburn sections 4.1 and 5): the epoch of
 * the NOT perceptron and of the 2-2-1 XOR network, with the thermal
 * bookkeeping of the NOT switch.  See gate.h. */
#include <math.h>
#include <string.h>

#include "gate.h"

static inline double sigmoid(double z)
{
    return 1 / (1 + exp(-z));
}

size_t gt_n_records(const gt_params *p)
{
    size_t n = (size_t)(p->epochs / p->record_every) + 1;
    return p->epochs % p->record_every ? n + 1 : n;
}

long gt_record_epoch(const gt_params *p, size_t k)
{
    long e = (long)k * p->record_every;
    return e < p->epochs ? e : p->epochs;
}

long gt_binomial(tl_stream_cursor *r, long n, double p)
{
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - gt_binomial(r, n, 1 - p);
    /* inversion: the pmf recursion from k = 0; q^n >= 2^-n, no underflow for n <= 1000 */
    double u = tl_stream_cursor_uniform(r), q = 1 - p, ratio = p / q;
    double pmf = pow(q, (double)n), cdf = pmf;
    long k = 0;
    while (u > cdf && k < n) {
        pmf *= (double)(n - k) / (double)(k + 1) * ratio;
        cdf += pmf;
        k++;
    }
    return k;
}

void gt_example(int task, int k, double xi[2], double *label)
{
    if (task == GT_NOT) { /* NOT: x = -1 -> +1, x = +1 -> -1 */
        xi[0] = k ? 1 : -1, xi[1] = 0;
        *label = -xi[0];
        return;
    }
    /* XOR in +-1: the output is +1 when the inputs differ */
    xi[0] = k & 2 ? 1 : -1, xi[1] = k & 1 ? 1 : -1;
    *label = -xi[0] * xi[1];
}

/* Energy of the two-level switch and its free energy at T = 1/beta. */
static inline double level(double n, double a)
{
    return -n * a / 2;
}
static inline double free_energy(double a, double beta)
{
    double z = fabs(beta * a / 2);
    return -(z + log1p(exp(-2 * z))) / beta; /* -T ln 2 cosh(beta a/2), without overflow */
}
static inline double shannon(double a, double beta)
{
    double p = sigmoid(beta * a), q = 1 - p;
    return (p > 0 ? -p * log(p) : 0) + (q > 0 ? -q * log(q) : 0);
}

typedef struct {
    double n, a, a_first, n_first;
    double work, heat;
} thermal;

void gt_not_update(const gt_params *p, double *wt, double x, double label, double nbar)
{
    double c = p->eta * label * p->beta * (1 - nbar * nbar) / 4; /* eq. 63, the bias on a constant input 1 */
    wt[0] += c * x, wt[1] += c;
}

void gt_xor_update(const gt_params *p, double *wt, const double xi[2], double label, const double nh[2], double no)
{
    double gain = p->eta * label * (1 - no * no);
    double hidden_beta = p->hidden_rule == GT_CHAIN ? p->beta * p->beta : p->beta;
    double wo_old[2] = {wt[GX_WO], wt[GX_WO + 1]};
    for (int j = 0; j < 2; j++) wt[GX_WO + j] += gain * p->beta * nh[j] / 4; /* eq. 72 */
    wt[GX_B3] += gain * p->beta / 4;
    for (int j = 0; j < 2; j++) { /* eq. 75, with the output weight before the update */
        double g = gain * hidden_beta * wo_old[j] * (1 - nh[j] * nh[j]) / 8;
        wt[GX_WH + j] += g * xi[0];
        wt[GX_WH + 2 + j] += g * xi[1];
        wt[GX_BH + j] += g;
    }
}

/* One NOT epoch on input x; updates w = weights[0], b = weights[1].  Returns the sampled error. */
static double not_epoch(const gt_params *p, double *wt, double x, double label, long epoch, tl_stream_cursor *r, tl_stream_cursor *init,
                        thermal *th)
{
    double a = wt[0] * x + wt[1], p1 = sigmoid(p->beta * a);
    if (epoch == 1) { /* the switch starts in equilibrium at the first A */
        th->n = th->n_first = tl_stream_cursor_uniform(init) < p1 ? 1 : -1;
        th->a_first = a;
    } else {
        if (p->work_state == GT_FRESH) { /* an extra equilibration at the old A, unseen by the feedback */
            double fresh = tl_stream_cursor_uniform(r) < sigmoid(p->beta * th->a) ? 1 : -1;
            th->heat += level(fresh, th->a) - level(th->n, th->a);
            th->n = fresh;
        }
        th->work += level(th->n, a) - level(th->n, th->a); /* A changes at fixed n */
    }
    long k = gt_binomial(r, p->samples, p1);
    /* the M re-equilibrations telescope: heat = E_{n_M}(A) - E_n(A); n_M = +1 with probability K/M */
    double last = tl_stream_cursor_uniform(r) * (double)p->samples < (double)k ? 1 : -1;
    th->heat += level(last, a) - level(th->n, a);
    th->n = last, th->a = a;
    double nbar = 2 * (double)k / (double)p->samples - 1;
    gt_not_update(p, wt, x, label, nbar);
    return (1 - label * nbar) / 2;
}

/* One XOR epoch (eqs. 69-75): sampled hidden pairs feed the output; counts drawn as binomials. */
static double xor_epoch(const gt_params *p, double *wt, const double xi[2], double label, tl_stream_cursor *r)
{
    const long m = p->samples;
    double ph[2];
    for (int j = 0; j < 2; j++)
        ph[j] = sigmoid(p->beta * (xi[0] * wt[GX_WH + j] + xi[1] * wt[GX_WH + 2 + j] + wt[GX_BH + j]));
    long k1 = gt_binomial(r, m, ph[0]);
    long k11 = gt_binomial(r, k1, ph[1]), k01 = gt_binomial(r, m - k1, ph[1]);
    long count[4] = {k11, k1 - k11, k01, m - k1 - k01}; /* (h1, h2) = (+,+), (+,-), (-,+), (-,-) */
    long ko = 0;
    for (int h = 0; h < 4; h++) {
        double h1 = h < 2 ? 1 : -1, h2 = h % 2 ? -1 : 1;
        ko += gt_binomial(r, count[h], sigmoid(p->beta * (h1 * wt[GX_WO] + h2 * wt[GX_WO + 1] + wt[GX_B3])));
    }
    double nh[2] = {2 * (double)k1 / (double)m - 1, 2 * (double)(k11 + k01) / (double)m - 1};
    double no = 2 * (double)ko / (double)m - 1;
    gt_xor_update(p, wt, xi, label, nh, no);
    return (1 - label * no) / 2;
}

void gt_trajectory(const gt_params *p, const tl_stream_key *key, uint64_t trajectory, gt_path *out,
                   double *error_exact, double *error_sampled, double *weights)
{
    tl_stream_cursor r, init;
    tl_stream_cursor_init(&r, key, TL_PURPOSE_DYNAMICS, trajectory);
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    size_t nw = gt_n_weights(p), rec = 0, n_rec = gt_n_records(p);
    double wt[GT_MAX_WEIGHTS];
    memcpy(wt, p->start, sizeof wt);
    thermal th = {0};
    *out = (gt_path){0};
    out->epochs_to_target = p->epochs + 1;
    double sampled = NAN;
    for (long e = 0; e <= p->epochs; e++) {
        if (e > 0) {
            int n_inputs = p->task == GT_NOT ? 2 : 4;
            int k = (int)(tl_stream_cursor_uniform(&r) * n_inputs);
            double xi[2], label;
            gt_example(p->task, k, xi, &label);
            sampled = p->task == GT_NOT ? not_epoch(p, wt, xi[0], label, e, &r, &init, &th)
                                        : xor_epoch(p, wt, xi, label, &r);
            if (e == 1) {
                for (size_t i = 0; i < nw; i++) out->first_update[i] = wt[i] - p->start[i];
                if (error_sampled) error_sampled[0] = sampled; /* epoch 1 samples the starting weights */
            }
        }
        if (rec < n_rec && gt_record_epoch(p, rec) == e) {
            double err = gt_error_exact(p, wt);
            if (err < p->target && out->epochs_to_target > p->epochs) out->epochs_to_target = e;
            if (error_exact) error_exact[rec] = err;
            if (error_sampled && e > 0) error_sampled[rec] = sampled;
            if (weights) memcpy(weights + rec * nw, wt, nw * sizeof *wt);
            rec++;
        }
    }
    memcpy(out->weights, wt, sizeof wt);
    out->error_final = gt_error_exact(p, wt);
    if (p->task == GT_NOT && p->epochs > 0) {
        out->work = th.work, out->heat = th.heat;
        out->energy_change = level(th.n, th.a) - level(th.n_first, th.a_first);
        out->delta_f = free_energy(th.a, p->beta) - free_energy(th.a_first, p->beta);
        out->entropy_change = shannon(th.a, p->beta) - shannon(th.a_first, p->beta);
        double mean_e1 = -tanh(p->beta * th.a / 2) * th.a / 2, mean_e0 = -tanh(p->beta * th.a_first / 2) * th.a_first / 2;
        out->mean_energy_change = mean_e1 - mean_e0;
    }
}
