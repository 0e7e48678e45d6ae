/* The partially observed switch (Milburn section 2.3): one trajectory of the
 * hidden chain, its record, the conditional mean n_c and the observed
 * current (the scheme is described in observed.h).
 *
 * Stream use per trajectory: INITIAL draws n(0); DYNAMICS draws, per step,
 * two Gaussians (the record's dW and the current's correlated part) and one
 * uniform (the chain's transition), always in this order, so the record and
 * the chain do not depend on the filter chosen: the filters can be compared
 * on the same records.
 */
#include <math.h>
#include <string.h>

#include "observed.h"

void ob_run_init(ob_run *run, const ob_params *p)
{
    memset(run, 0, sizeof *run);
    run->p = *p;
    run->steps = (long)fmax(1.0, ceil(p->time / p->dt * (1 - 1e-12)));
    run->h = p->time / run->steps;
    run->first_counted = (long)ceil(p->transient / run->h * (1 - 1e-12));
    if (run->first_counted >= run->steps) run->first_counted = run->steps - 1;
    double lambda = p->mu + p->nu, h = run->h;
    run->rho = exp(-lambda * h);
    run->p_up = p->mu / lambda * -expm1(-lambda * h);
    run->p_down = p->nu / lambda * -expm1(-lambda * h);
    double a = p->current_filter == OB_CURRENT_EQ31 ? p->response : p->response * p->response;
    run->decay = exp(-a * h);
    run->gain = p->response;
    run->var_j = -expm1(-2 * a * h) / (2 * a);
    run->cov_wj = -expm1(-a * h) / a;
}

/* The filters' one-step updates of n_c given the record increment dy; the Bayes
 * update includes the prediction to the next step, the others are Euler steps
 * of their SDE in the innovation dI = (dy - kappa n_c h)/sqrt(gamma). */
static double bayes_update(const ob_run *run, double nc, double dy, double *posterior)
{
    const ob_params *p = &run->p;
    double pi = 0.5 * (1 + nc);
    /* posterior odds = prior odds x e^{2 kappa dy / gamma}, in logistic form for range */
    double logit = log(pi) - log1p(-pi) + 2 * p->kappa * dy / ob_gamma(p);
    double post = logit >= 0 ? 1 / (1 + exp(-logit)) : exp(logit) / (1 + exp(logit));
    *posterior = 2 * post - 1;
    double lambda = p->mu + p->nu, pinf = p->mu / lambda;
    return 2 * (pinf + (post - pinf) * run->rho) - 1;
}

static double sde_update(const ob_run *run, double nc, double dy, double drift_factor, double noise_sign)
{
    const ob_params *p = &run->p;
    double gamma = ob_gamma(p);
    double innovation = (dy - p->kappa * nc * run->h) / sqrt(gamma);
    nc += drift_factor * (p->mu * (1 - nc) - p->nu * (1 + nc)) * run->h +
          noise_sign * sqrt(p->gamma_rate / 2) * (1 - nc * nc) * innovation;
    return fmax(-1.0, fmin(1.0, nc)); /* Euler can overshoot the interval at large steps */
}

void ob_trajectory(const ob_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                   double *occupation, size_t path_points, long stride, double *path)
{
    const ob_params *p = &run->p;
    tl_stream_cursor init, dyn;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    tl_stream_cursor_init(&dyn, key, TL_PURPOSE_DYNAMICS, trajectory);
    double lambda = p->mu + p->nu, m = (p->mu - p->nu) / lambda;
    int n = tl_stream_cursor_uniform(&init) < p->mu / lambda ? 1 : -1; /* the stationary chain */
    double nc = m, io = 0;                                        /* the prior; the current starts empty */
    double sum[OB_N_OBS] = {0};
    long jumps = 0, counted = 0;
    size_t next_path = 0;
    /* J = int e^{-a(h - s)} dW(s) = (Cov/h) dW + an independent Gaussian of the remaining variance */
    const double beta = run->cov_wj / run->h;
    const double sperp = sqrt(fmax(0.0, run->var_j - run->cov_wj * run->cov_wj / run->h));
    const double sqrt_gamma = sqrt(ob_gamma(p)), drive = run->gain * p->kappa * run->cov_wj;
    if (occupation) memset(occupation, 0, p->bins * sizeof *occupation);
    for (long k = 0; k < run->steps; k++) {
        /* the record over the step, and the current's own integral of the same noise */
        double g1 = tl_stream_cursor_gaussian(&dyn), g2 = tl_stream_cursor_gaussian(&dyn), u = tl_stream_cursor_uniform(&dyn);
        double dw = sqrt(run->h) * g1, j = beta * dw + sperp * g2;
        double dy = p->kappa * n * run->h + sqrt_gamma * dw;
        double estimate, next;
        switch (p->filter) {
        case OB_BAYES: next = bayes_update(run, nc, dy, &estimate); break;
        case OB_SDE: next = estimate = sde_update(run, nc, dy, 1.0, 1.0); break;
        case OB_HALF_DRIFT: next = estimate = sde_update(run, nc, dy, 0.5, 1.0); break;
        default: next = estimate = sde_update(run, nc, dy, 0.5, -1.0); break;
        }
        /* exact: Io(t + h) = e^{-a h} Io + r [kappa n (1 - e^{-a h})/a + sqrt(gamma) J] */
        io = run->decay * io + drive * n + run->gain * sqrt_gamma * j;
        if (k >= run->first_counted) {
            double e = n - estimate;
            sum[OB_OBS_MSE] += e * e;
            sum[OB_OBS_ONE_MINUS_NC2] += 1 - estimate * estimate;
            sum[OB_OBS_CALIBRATION] += e * estimate;
            sum[OB_OBS_ESTIMATE_MEAN] += estimate;
            sum[OB_OBS_STATE_MEAN] += n;
            sum[OB_OBS_CURRENT_MEAN] += io;
            sum[OB_OBS_CURRENT_SQUARE] += io * io;
            sum[OB_OBS_RECORD_MEAN] += dy / run->h;
            sum[OB_OBS_RECORD_POWER] += dy * dy / run->h;
            if (occupation) {
                size_t b = (size_t)((estimate + 1) * 0.5 * (double)p->bins);
                occupation[b < p->bins ? b : p->bins - 1] += 1;
            }
            counted++;
        }
        if (path && next_path < path_points && (k + 1) % stride == 0) {
            path[3 * next_path] = n, path[3 * next_path + 1] = estimate, path[3 * next_path + 2] = io;
            next_path++;
        }
        nc = next;
        if (u < (n > 0 ? run->p_down : run->p_up)) n = -n, jumps++;
    }
    for (size_t o = 0; o < OB_N_OBS; o++) out[o] = sum[o] / (double)counted;
    out[OB_OBS_JUMPS] = (double)jumps;
    if (occupation)
        for (size_t b = 0; b < p->bins; b++) occupation[b] /= (double)counted;
}
