/* The weight SDE with learning feedback (Milburn section 4.2, eq. 85): the
 * potential, and one trajectory (the scheme is described in weightsde.h).
 *
 * integrator = exact.  Over a step h the proposal solves the Ornstein-Uhlenbeck
 * part exactly with the learning force F = -L sech^2(.) frozen at w:
 *   y = w e^{-gamma h} + F(w) (1 - e^{-gamma h})/gamma + sqrt(T (1 - e^{-2 gamma h})/gamma) xi,
 * accepted with min{1, e^{-(V(y) - V(w))/T} q(w|y)/q(y|w)}.  Each step then
 * satisfies detailed balance with respect to exp(-V/T) = exp(-2V/D): the
 * stationary law is exact at any h, and the dynamics is O(h) (the frozen
 * force).  With eta = 0 the acceptance is 1 identically: the exact OU step.
 *
 * Energetics (k_B = 1, Q absorbed): U = V, which does not depend on time for a
 * constant training signal, so W = 0 and Q = V(w_final) - V(w_initial) on every
 * trajectory (Sekimoto; summed per step it telescopes).
 *
 * Streams: INITIAL draws w(0); DYNAMICS one Gaussian and one uniform per step
 * (the uniform also for euler, so both integrators see the same noise).
 */
#include <math.h>

#include "weightsde.h"

double ws_potential(const ws_params *p, double w)
{
    double L = ws_learning_scale(p);
    return 0.5 * p->gamma_w * w * w + 2 * L / (p->beta * p->input) * tanh(0.5 * p->beta * (w * p->input + p->bias));
}

double ws_force(const ws_params *p, double w)
{
    double c = cosh(0.5 * p->beta * (w * p->input + p->bias));
    return -p->gamma_w * w - ws_learning_scale(p) / (c * c);
}

double ws_paper_potential(const ws_params *p, double w)
{
    double L = ws_learning_scale(p), wx = w * p->input;
    /* (2L/(wx)) tanh(beta wx/2) -> L beta at w = 0 */
    double bump = fabs(wx) < 1e-8 ? L * p->beta : 2 * L / wx * tanh(0.5 * p->beta * wx);
    return 0.5 * p->gamma_w * w * w + bump;
}

void ws_run_init(ws_run *run, const ws_params *p)
{
    run->p = *p;
    run->steps = (long)fmax(1.0, ceil(p->time / p->dt * (1 - 1e-12)));
    run->h = p->time / run->steps;
    run->decay = exp(-p->gamma_w * run->h);
    run->drift_gain = -expm1(-p->gamma_w * run->h) / p->gamma_w;
    run->spread = sqrt(p->temperature * -expm1(-2 * p->gamma_w * run->h) / p->gamma_w);
}

static void bin(const ws_params *p, double *hist, double w)
{
    if (!hist || !(w >= p->w_min && w < p->w_max)) return;
    size_t b = (size_t)((w - p->w_min) / (p->w_max - p->w_min) * (double)p->bins);
    hist[b < p->bins ? b : p->bins - 1] += 1;
}

void ws_trajectory(const ws_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                   double *initial_hist, double *final_hist)
{
    const ws_params *p = &run->p;
    tl_stream_cursor init, dyn;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    tl_stream_cursor_init(&dyn, key, TL_PURPOSE_DYNAMICS, trajectory);
    const double T = p->temperature, gamma = p->gamma_w, learning = ws_learning_scale(p);
    double w = sqrt(T / gamma) * tl_stream_cursor_gaussian(&init), w0 = w;
    double v = ws_potential(p, w), f_learn = ws_force(p, w) + gamma * w;
    long accepted = 0;
    for (long k = 0; k < run->steps; k++) {
        double xi = tl_stream_cursor_gaussian(&dyn), u = tl_stream_cursor_uniform(&dyn);
        if (p->integrator == WS_EULER) {
            w += ws_force(p, w) * run->h + sqrt(2 * T * run->h) * xi;
            accepted++;
            continue;
        }
        double y = w * run->decay + f_learn * run->drift_gain + run->spread * xi;
        if (learning == 0) { /* the exact OU step: reversible, always accepted */
            w = y, accepted++;
            continue;
        }
        double vy = ws_potential(p, y), fy = ws_force(p, y) + gamma * y;
        double fwd = y - (w * run->decay + f_learn * run->drift_gain);
        double back = w - (y * run->decay + fy * run->drift_gain);
        double log_alpha = -(vy - v) / T - (back * back - fwd * fwd) / (2 * run->spread * run->spread);
        if (log(u) < log_alpha) w = y, v = vy, f_learn = fy, accepted++;
    }
    out[WS_OBS_W_INITIAL] = w0;
    out[WS_OBS_W_FINAL] = w;
    out[WS_OBS_W_SQUARE] = w * w;
    out[WS_OBS_NEGATIVE] = w < 0;
    out[WS_OBS_HEAT] = ws_potential(p, w) - ws_potential(p, w0);
    out[WS_OBS_ACCEPTANCE] = (double)accepted / (double)run->steps;
    bin(p, initial_hist, w0);
    bin(p, final_hist, w);
}
