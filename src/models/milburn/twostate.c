/* The two-state activation switch with driven rates (Milburn section 2.2):
 * the protocol, the energy levels and the exact trajectory sampler.
 *
 * n in {-1, +1}; mu(t) is the rate -1 -> +1 and nu(t) the rate +1 -> -1
 * (eq. 5).  Eq. 9 swaps the rates by f(t):
 *   mu(t) = mu + f (nu - mu),  nu(t) = nu - f (nu - mu),
 * with f = min(t / tau, 1) (eq. 10; the paper's "0 otherwise" after tau would
 * swap the rates back), f = 1 / (1 + e^{-(t - t0)/width}) (Fig. 5) or f = 0;
 * Fig. 6B instead steps nu alone: nu(t) = nu (1 + a theta(t - t0)).
 *
 * Sampling (eq. 14): dn = (1 - n)/2 dN+ - (1 + n)/2 dN-, N+- Poisson with
 * rates mu(t), nu(t) whatever n is.  Candidate events come at the constant
 * rate Lambda >= mu(t) + nu(t); a candidate at t is an N+ event with
 * probability mu(t)/Lambda, an N- event with nu(t)/Lambda, else nothing
 * (thinning, Lewis & Shedler).  This is exact in law for any bounded rates,
 * with no time step: for eq. 9, mu(t) + nu(t) is constant and no candidate is
 * wasted.  "Events" counts N+- firings (null ones included: N+ in state +1),
 * "jumps" counts real changes of n.
 *
 * Energetics.  Kinetic levels (the paper): E_n = n E0 / 2, fixed, so W = 0
 * and Q = Delta E is exchanged in the jumps with a driver that is not a
 * thermal bath.  Thermal levels: E_n(t) = n eps(t) / 2, eps = T ln(nu/mu), so
 * that mu/nu = e^{-eps/T} (detailed balance at every instant).  Work is the
 * change of the occupied level while n is fixed, heat the energy of each jump:
 *   W = sum over the constant pieces [a, b] of n (eps(b) - eps(a)) / 2,
 *   Q = sum over the jumps at t of (n_after - n_before) eps(t) / 2,
 * which telescope to W + Q = E_{n(time)}(time) - E_{n(0)}(0) on every path.
 */
#include <math.h>

#include "milburn.h"

static double drive(const ts_params *p, double t)
{
    switch (p->protocol) {
    case TS_LINEAR: return t >= p->tau ? 1.0 : t <= 0 ? 0.0 : t / p->tau;
    case TS_SIGMOID: return 1.0 / (1.0 + exp(-(t - p->t0) / p->width));
    default: return 0.0;
    }
}

void ts_rates(const ts_params *p, double t, double *mu, double *nu)
{
    if (p->reverse) t = p->time - t;
    if (p->protocol == TS_STEP) {
        *mu = p->mu;
        *nu = t >= p->t0 ? p->nu * (1 + p->step_factor) : p->nu;
        return;
    }
    double f = drive(p, t);
    *mu = p->mu + f * (p->nu - p->mu);
    *nu = p->nu - f * (p->nu - p->mu);
}

double ts_rate_bound(const ts_params *p)
{
    if (p->protocol == TS_STEP) return p->mu + p->nu * (1 + p->step_factor);
    return p->mu + p->nu; /* the same at every t under eq. 9 */
}

double ts_energy(const ts_params *p, int n, double t)
{
    if (p->energy == TS_KINETIC) return 0.5 * n * p->e0;
    double mu, nu;
    ts_rates(p, t, &mu, &nu);
    return 0.5 * n * p->temperature * log(nu / mu);
}

double ts_p_up_initial(const ts_params *p)
{
    if (p->initial == TS_UP) return 1.0;
    if (p->initial == TS_DOWN) return 0.0;
    double mu, nu;
    ts_rates(p, 0.0, &mu, &nu);
    return mu / (mu + nu); /* eqs. 6-7 at the starting rates */
}

void ts_trajectory(const ts_params *p, const tl_stream_key *key, uint64_t trajectory, ts_path *out, double *state)
{
    const size_t K = p->survival_times;
    size_t next = 0; /* the next checkpoint to record */
    tl_stream_cursor init, dyn;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    tl_stream_cursor_init(&dyn, key, TL_PURPOSE_DYNAMICS, trajectory);
    int n = tl_stream_cursor_uniform(&init) < ts_p_up_initial(p) ? 1 : -1;
    const double bound = ts_rate_bound(p);
    *out = (ts_path){.n0 = n, .first_jump = p->time};
    double t = 0, level_last = ts_energy(p, 1, 0.0); /* E_{+1} at the start of the piece */
    for (;;) {
        t -= log(tl_stream_cursor_uniform(&dyn)) / bound;
        if (t >= p->time) break;
        while (state && next < K && p->time * (double)(next + 1) / (double)K < t) state[next++] = n;
        double mu, nu, u = tl_stream_cursor_uniform(&dyn) * bound;
        ts_rates(p, t, &mu, &nu);
        int to;
        if (u < mu) to = 1;
        else if (u < mu + nu) to = -1;
        else continue; /* a thinned candidate */
        out->events++;
        if (to == n) continue; /* N+ in +1 or N- in -1: an event, no change */
        double level = ts_energy(p, 1, t);
        out->work += n * (level - level_last);  /* E_n = n E_{+1} */
        out->heat += (to - n) * level;
        if (out->jumps++ == 0) out->first_jump = t;
        n = to, level_last = level;
    }
    double level_end = ts_energy(p, 1, p->time);
    out->work += n * (level_end - level_last);
    out->n_final = n;
    while (state && next < K) state[next++] = n;
    out->energy_change = ts_energy(p, n, p->time) - ts_energy(p, out->n0, 0.0);
}
