/* The bulk loss (3.1-3.2): the boundary clamped, the hidden states free,
 *
 *   H(x) = 1/2 sum_{l=1}^{L-1} |h_l - tanh(W_l h_{l-1} + b_l)|^2,  h_0 = input, h_{L-1} = target,
 *
 * minimised per sample over the hidden layers h_1 .. h_{L-2} by
 * Levenberg-Marquardt (gsl_multifit_nlinear: trust region LM, Cholesky
 * solver, More scaling, analytic Jacobian), starting from the forward state,
 * where every hidden residual is exactly 0 and H is the boundary loss (2.11).
 * The problem is not convex: the result is the local minimum reached from the
 * forward state, and it never exceeds the boundary loss (LM accepts only
 * steps that lower H).  The domain is free (eq. 3.2 literally): hidden states
 * may leave (-1, 1), and the solver counts those that do.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include "vanchurin.h"
#include "thermolearn/error.h"

struct vanchurin_bulk {
    const vanchurin_net *net;
    size_t hidden;                      /* unknowns: sum of the hidden widths */
    size_t residuals;                   /* N - n_0 */
    size_t max_iterations;
    double tolerance;
    const double *x, *y;                /* the sample being solved */
    const double *first;                /* tanh(W_1 x + b_1): fixed while x is clamped (NULL: compute) */
    double *t;                          /* tanh(W_l h_{l-1} + b_l) of every non-input neuron */
    double *t1;                         /* the first layer's, computed once per sample */
    gsl_vector *start;
    gsl_multifit_nlinear_workspace *work;
    gsl_multifit_nlinear_fdf fdf;
    double *state;                      /* hidden states of the last solution */
};

/* The state of layer l: the input, the unknowns, or the target. */
static const double *layer(const vanchurin_bulk *bk, const double *h, size_t l)
{
    const vanchurin_net *net = bk->net;
    if (l == 0) return bk->x;
    if (l == net->layers - 1) return bk->y;
    size_t off = 0;
    for (size_t k = 1; k < l; k++) off += net->width[k];
    return h + off;
}

/* t_l = tanh(W_l h_{l-1} + b_l) for every layer, one fixed loop order.  The
 * first layer's depends on the clamped input only: taken from bk->first when
 * set (the same loop computed it). */
static void activations(const vanchurin_bulk *bk, const double *h, double *t)
{
    const vanchurin_net *net = bk->net;
    for (size_t l = 1; l < net->layers; l++) {
        const size_t nin = net->width[l - 1], n = net->width[l];
        if (l == 1 && bk->first) {
            memcpy(t, bk->first, n * sizeof(double));
            t += n;
            continue;
        }
        const double *in = layer(bk, h, l - 1), *w = net->w[l];
        for (size_t i = 0; i < n; i++) {
            double z = net->b[l][i];
            for (size_t j = 0; j < nin; j++) z += w[i * nin + j] * in[j];
            t[i] = tanh(z);
        }
        t += n;
    }
}

static int residual(const gsl_vector *hv, void *params, gsl_vector *f)
{
    vanchurin_bulk *bk = params;
    const vanchurin_net *net = bk->net;
    const double *h = hv->data;
    activations(bk, h, bk->t);
    size_t r = 0;
    for (size_t l = 1; l < net->layers; l++) {
        const double *x = layer(bk, h, l);
        for (size_t i = 0; i < net->width[l]; i++, r++) gsl_vector_set(f, r, x[i] - bk->t[r]);
    }
    return GSL_SUCCESS;
}

/* J = dr/dh: I on the layer's own unknowns, -diag(1 - t_l^2) W_l on the previous hidden layer. */
static int jacobian(const gsl_vector *hv, void *params, gsl_matrix *jac)
{
    vanchurin_bulk *bk = params;
    const vanchurin_net *net = bk->net;
    activations(bk, hv->data, bk->t);
    gsl_matrix_set_zero(jac);
    size_t row = 0, col_prev = 0, col = 0;
    for (size_t l = 1; l < net->layers; l++) {
        const size_t nin = net->width[l - 1], n = net->width[l];
        const int own = l < net->layers - 1, prev = l >= 2;
        for (size_t i = 0; i < n; i++) {
            const double d = 1.0 - bk->t[row + i] * bk->t[row + i];
            if (own) gsl_matrix_set(jac, row + i, col + i, 1.0);
            if (prev)
                for (size_t j = 0; j < nin; j++)
                    gsl_matrix_set(jac, row + i, col_prev + j, -d * net->w[l][i * nin + j]);
        }
        if (prev) col_prev += nin;
        if (own) col += n;
        row += n;
    }
    return GSL_SUCCESS;
}

vanchurin_bulk *vanchurin_bulk_alloc(const vanchurin_net *net, size_t max_iterations, double tolerance)
{
    vanchurin_bulk *bk = tl_calloc(1, sizeof *bk, "bulk solver");
    bk->net = net;
    bk->residuals = net->neurons - net->width[0];
    for (size_t l = 1; l + 1 < net->layers; l++) bk->hidden += net->width[l];
    bk->max_iterations = max_iterations;
    bk->tolerance = tolerance;
    bk->t = tl_calloc(bk->residuals, sizeof(double), "bulk activations");
    bk->t1 = tl_calloc(net->width[1], sizeof(double), "first-layer activations");
    bk->state = tl_calloc(bk->hidden + 1, sizeof(double), "bulk state");
    if (bk->hidden > 0) {
        gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
        par.trs = gsl_multifit_nlinear_trs_lm;
        par.scale = gsl_multifit_nlinear_scale_more;
        par.solver = gsl_multifit_nlinear_solver_cholesky;
        bk->work = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, bk->residuals, bk->hidden);
        if (!bk->work) error("cannot allocate the bulk-loss solver (%zu x %zu)", bk->residuals, bk->hidden);
        bk->start = gsl_vector_alloc(bk->hidden);
        bk->fdf.f = residual;
        bk->fdf.df = jacobian;
        bk->fdf.fvv = NULL;
        bk->fdf.n = bk->residuals;
        bk->fdf.p = bk->hidden;
        bk->fdf.params = bk;
    }
    return bk;
}

void vanchurin_bulk_free(vanchurin_bulk *bk)
{
    if (!bk) return;
    if (bk->work) gsl_multifit_nlinear_free(bk->work);
    if (bk->start) gsl_vector_free(bk->start);
    free(bk->t);
    free(bk->t1);
    free(bk->state);
    free(bk);
}

double vanchurin_bulk_energy(const vanchurin_net *net, const double *x, const double *y, const double *h)
{
    vanchurin_bulk bk = {.net = net, .x = x, .y = y};
    double *t = tl_malloc((net->neurons - net->width[0]) * sizeof(double), "bulk activations");
    activations(&bk, h, t);
    double sum = 0;
    size_t r = 0;
    for (size_t l = 1; l < net->layers; l++) {
        const double *s = layer(&bk, h, l);
        for (size_t i = 0; i < net->width[l]; i++, r++) sum += (s[i] - t[r]) * (s[i] - t[r]);
    }
    free(t);
    return 0.5 * sum;
}

const double *vanchurin_bulk_state(const vanchurin_bulk *bk) { return bk->state; }

vanchurin_bulk_result vanchurin_bulk_solve(vanchurin_bulk *bk, const double *x, const double *y)
{
    const vanchurin_net *net = bk->net;
    vanchurin_bulk_result res = {0};
    bk->x = x;
    bk->y = y;
    bk->first = NULL;
    activations(bk, bk->state, bk->t); /* the first layer's entries do not depend on the state */
    memcpy(bk->t1, bk->t, net->width[1] * sizeof(double));
    bk->first = bk->t1;
    /* the forward state, with the same arithmetic as the residuals: every
     * hidden residual is exactly zero there */
    double *h = bk->state;
    size_t off = 0;
    for (size_t l = 1; l + 1 < net->layers; l++) {
        activations(bk, h, bk->t); /* layers up to l are final by now */
        memcpy(h + off, bk->t + off, net->width[l] * sizeof(double));
        off += net->width[l];
    }
    res.boundary = vanchurin_bulk_energy(net, x, y, h);
    if (bk->hidden == 0) {
        res.loss = res.boundary;
        return res;
    }
    memcpy(bk->start->data, h, bk->hidden * sizeof(double));
    gsl_multifit_nlinear_init(bk->start, &bk->fdf, bk->work);
    int info;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    res.status = gsl_multifit_nlinear_driver(bk->max_iterations, bk->tolerance, bk->tolerance,
                                             bk->tolerance, NULL, NULL, &info, bk->work);
    gsl_set_error_handler(old);
    /* GSL_ENOPROG: no step lowers H any more, i.e. converged to round-off */
    if (res.status == GSL_ENOPROG) res.status = GSL_SUCCESS;
    const gsl_vector *sol = gsl_multifit_nlinear_position(bk->work);
    memcpy(h, sol->data, bk->hidden * sizeof(double));
    res.iterations = gsl_multifit_nlinear_niter(bk->work);
    res.loss = vanchurin_bulk_energy(net, x, y, h);
    for (size_t i = 0; i < bk->hidden; i++) res.outside += fabs(h[i]) >= 1.0;
    return res;
}
