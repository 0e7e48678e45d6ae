/* The partially observed switch (Milburn section 2.3): one trajectory of the
 * hidden chain, its record, the conditional mean n_c and the observed
 * current (the scheme is described in observed.h).
 *
 * Stream use per trajectory: INITIAL draws n(0); block k of DYNAMICS holds
 * step k's two Gaussians (the record's dW and the current's correlated part:
 * Box-Muller's cosine and sine, tl_stream_gaussians), block j of
 * PURPOSE_CHAIN the uniforms of the chain's transitions at steps 2j and
 * 2j + 1 (words 0-1 and 2-3).  The record and the chain do not depend on the
 * filter chosen: the filters can be compared on the same records.
 *
 * ob_trajectories runs lanes of trajectories side by side (vectors across
 * the batch); ob_trajectory is its scalar reference (and draws the path).
 * Both do the same double operations in the same order, with vecmath.h's
 * e^x and ln x, so they agree bit for bit.
 */
#include <math.h>
#include <string.h>

#include "observed.h"
#include "thermolearn/vecmath.h"

enum { PURPOSE_CHAIN = TL_PURPOSE_MODEL };

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

/* The constants of a step. */
typedef struct {
    double h, inv_h, sqrt_h, kappa_h, kappa, sqrt_gamma, inv_sqrt_gamma, two_kappa_over_gamma;
    double pinf, rho, mu, nu, drift, noise;     /* the filters */
    double beta, sperp, decay, drive, current_gain; /* the current */
    double p_up, p_down;
    int bayes;
} ob_step;

static ob_step step_constants(const ob_run *run)
{
    const ob_params *p = &run->p;
    const double gamma = ob_gamma(p), lambda = p->mu + p->nu;
    ob_step c = {.h = run->h, .inv_h = 1 / run->h, .sqrt_h = sqrt(run->h), .kappa_h = p->kappa * run->h,
                 .kappa = p->kappa, .sqrt_gamma = sqrt(gamma), .inv_sqrt_gamma = 1 / sqrt(gamma),
                 .two_kappa_over_gamma = 2 * p->kappa / gamma, .pinf = p->mu / lambda, .rho = run->rho, .mu = p->mu,
                 .nu = p->nu, .drift = p->filter == OB_SDE ? 1.0 : 0.5,
                 .noise = (p->filter == OB_PAPER ? -1.0 : 1.0) * sqrt(p->gamma_rate / 2), .p_up = run->p_up,
                 .p_down = run->p_down, .bayes = p->filter == OB_BAYES};
    /* J = int e^{-a(h - s)} dW(s) = (Cov/h) dW + an independent Gaussian of the remaining variance */
    c.beta = run->cov_wj / run->h;
    c.sperp = sqrt(fmax(0.0, run->var_j - run->cov_wj * run->cov_wj / run->h));
    c.decay = run->decay, c.drive = run->gain * p->kappa * run->cov_wj, c.current_gain = run->gain * sqrt(gamma);
    return c;
}

#define OB_TILE 64
_Static_assert(OB_TILE % 16 == 0, "a tile is a whole number of vectors (and of Philox vectors)");
typedef struct {
    double n[OB_TILE], nc[OB_TILE], io[OB_TILE], estimate[OB_TILE], jumps[OB_TILE];
    double sum[OB_N_OBS - 1][OB_TILE]; /* the time sums of OB_OBS_MSE .. OB_OBS_RECORD_POWER */
} ob_lanes;
_Static_assert(OB_OBS_JUMPS == OB_N_OBS - 1, "the jumps come last");

/* One step of every lane: the record, the filter's update (Bayes: the exact
 * posterior, logistic in its log-odds, then the prediction; otherwise an
 * Euler step of the filter SDE in the innovation, clamped to [-1, 1]), the
 * current, the time sums (counted steps), and the chain's transition, all
 * branch-free.  z: the step's Gaussians (g1 at [0], g2 at [n]); uc: the words
 * of its transition uniforms (hi at [0], lo at [n]).  A function of its own
 * for tests/tools/vec_check.sh. */
static __attribute__((noinline)) void ob_lanes_step(const ob_step *c, ob_lanes *restrict s, int lanes, int counted,
                                                     const double *restrict z, const uint32_t *restrict uc, size_t n)
{
    const vd zero = {0}, one = zero + 1.0, tiny = zero + 1e-300, huge = zero + 1e300;
    for (int l = 0; l < lanes; l += VD) {
        vd state = vd_load(s->n + l), nc = vd_load(s->nc + l), io = vd_load(s->io + l);
        vd dw = c->sqrt_h * vd_load(z + l), j = c->beta * dw + c->sperp * vd_load(z + n + l);
        vd dy = c->kappa_h * state + c->sqrt_gamma * dw, estimate, next;
        if (c->bayes) {
            vd ratio = (1.0 + nc) / (1.0 - nc); /* posterior odds = prior odds x e^{2 kappa dy / gamma} */
            ratio = vd_blend(ratio < tiny, tiny, vd_blend(ratio > huge, huge, ratio));
            vd logit = vd_log(ratio) + c->two_kappa_over_gamma * dy;
            vd e = vd_exp(vd_blend(logit < zero, logit, -logit)), d = 1.0 + e;
            vd post = vd_blend(logit >= zero, 1.0 / d, e / d);
            estimate = 2.0 * post - 1.0;
            next = 2.0 * (c->pinf + (post - c->pinf) * c->rho) - 1.0;
        } else {
            vd innovation = (dy - c->kappa * nc * c->h) * c->inv_sqrt_gamma;
            vd x = nc + c->drift * (c->mu * (1.0 - nc) - c->nu * (1.0 + nc)) * c->h +
                   c->noise * (1.0 - nc * nc) * innovation;
            x = vd_blend(x > one, one, vd_blend(x < -one, -one, x)); /* Euler can overshoot at large steps */
            estimate = next = x;
        }
        /* exact: Io(t + h) = e^{-a h} Io + r [kappa n (1 - e^{-a h})/a + sqrt(gamma) J] */
        io = c->decay * io + c->drive * state + c->current_gain * j;
        if (counted) {
            vd e = state - estimate;
            const vd add[OB_N_OBS - 1] = {
                [OB_OBS_MSE] = e * e, [OB_OBS_ONE_MINUS_NC2] = 1.0 - estimate * estimate,
                [OB_OBS_CALIBRATION] = e * estimate, [OB_OBS_ESTIMATE_MEAN] = estimate, [OB_OBS_STATE_MEAN] = state,
                [OB_OBS_CURRENT_MEAN] = io, [OB_OBS_CURRENT_SQUARE] = io * io, [OB_OBS_RECORD_MEAN] = dy * c->inv_h,
                [OB_OBS_RECORD_POWER] = dy * dy * c->inv_h,
            };
            for (int o = 0; o < OB_N_OBS - 1; o++) vd_store(s->sum[o] + l, vd_load(s->sum[o] + l) + add[o]);
        }
        vl flip = vd_uniform(uc + l, uc + n + l) < vd_blend(state > zero, vd_splat(c->p_down), vd_splat(c->p_up));
        vd_store(s->n + l, vd_blend(flip, -state, state));
        vd_store(s->jumps + l, vd_load(s->jumps + l) + vd_count(flip));
        vd_store(s->nc + l, next);
        vd_store(s->io + l, io);
        vd_store(s->estimate + l, estimate);
    }
}

/* The bin of n_c on [-1, 1]. */
static size_t occupation_bin(const ob_params *p, double estimate)
{
    size_t b = (size_t)((estimate + 1) * 0.5 * (double)p->bins);
    return b < p->bins ? b : p->bins - 1;
}

static int initial_state(const ob_params *p, const tl_stream_key *key, uint64_t trajectory)
{
    tl_stream_cursor init;
    tl_stream_cursor_init(&init, key, TL_PURPOSE_INITIAL, trajectory);
    return tl_stream_cursor_uniform(&init) < p->mu / (p->mu + p->nu) ? 1 : -1; /* the stationary chain */
}

void ob_trajectories(const ob_run *run, const tl_stream_key *key, uint64_t first, size_t count, double *out,
                     double *occupation)
{
    const ob_params *p = &run->p;
    const ob_step c = step_constants(run);
    const double counted = (double)(run->steps - run->first_counted);
    ob_lanes s;
    double z[2 * OB_TILE];
    uint32_t uc[4 * OB_TILE];
    if (occupation) memset(occupation, 0, count * p->bins * sizeof *occupation);
    for (size_t t0 = 0; t0 < count; t0 += OB_TILE) {
        size_t n = count - t0 < OB_TILE ? count - t0 : OB_TILE, lanes = (n + 15) / 16 * 16;
        double *occ = occupation ? occupation + t0 * p->bins : NULL;
        memset(&s, 0, sizeof s);
        for (size_t l = 0; l < lanes; l++) /* the prior; the current starts empty; padding lanes too */
            s.n[l] = l < n ? initial_state(p, key, first + t0 + l) : 1, s.nc[l] = (p->mu - p->nu) / (p->mu + p->nu);
        for (long k = 0; k < run->steps; k++) {
            size_t half = (size_t)(k & 1);
            tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, first + t0, (uint32_t)k, lanes, z);
            if (!half) tl_stream_words(key, PURPOSE_CHAIN, first + t0, (uint32_t)(k / 2), lanes, uc);
            int count_step = k >= run->first_counted;
            ob_lanes_step(&c, &s, (int)lanes, count_step, z, uc + 2 * half * lanes, lanes);
            if (occ && count_step)
                for (size_t l = 0; l < n; l++) occ[l * p->bins + occupation_bin(p, s.estimate[l])] += 1;
        }
        for (size_t l = 0; l < n; l++) {
            double *o = out + (t0 + l) * OB_N_OBS;
            for (size_t k = 0; k < OB_N_OBS - 1; k++) o[k] = s.sum[k][l] / counted;
            o[OB_OBS_JUMPS] = s.jumps[l];
            if (occ)
                for (size_t b = 0; b < p->bins; b++) occ[l * p->bins + b] /= counted;
        }
    }
}

void ob_trajectory(const ob_run *run, const tl_stream_key *key, uint64_t trajectory, double *out,
                   double *occupation, size_t path_points, long stride, double *path)
{
    const ob_params *p = &run->p;
    const ob_step c = step_constants(run);
    double n = initial_state(p, key, trajectory), nc = (p->mu - p->nu) / (p->mu + p->nu), io = 0, jumps = 0, z[2];
    double sum[OB_N_OBS - 1] = {0};
    uint32_t uc[4];
    long counted = 0;
    size_t next_path = 0;
    if (occupation) memset(occupation, 0, p->bins * sizeof *occupation);
    for (long k = 0; k < run->steps; k++) {
        int half = (int)(k & 1);
        tl_stream_gaussians(key, TL_PURPOSE_DYNAMICS, trajectory, (uint32_t)k, 1, z);
        if (!half) tl_stream_words(key, PURPOSE_CHAIN, trajectory, (uint32_t)(k / 2), 1, uc);
        double dw = c.sqrt_h * z[0], j = c.beta * dw + c.sperp * z[1];
        double dy = c.kappa_h * n + c.sqrt_gamma * dw, estimate, next;
        if (c.bayes) {
            double ratio = (1.0 + nc) / (1.0 - nc);
            ratio = ratio < 1e-300 ? 1e-300 : ratio > 1e300 ? 1e300 : ratio;
            double logit = vd_log1(ratio) + c.two_kappa_over_gamma * dy;
            double e = vd_exp1(logit < 0 ? logit : -logit), d = 1.0 + e;
            double post = logit >= 0 ? 1.0 / d : e / d;
            estimate = 2.0 * post - 1.0;
            next = 2.0 * (c.pinf + (post - c.pinf) * c.rho) - 1.0;
        } else {
            double innovation = (dy - c.kappa * nc * c.h) * c.inv_sqrt_gamma;
            double x = nc + c.drift * (c.mu * (1.0 - nc) - c.nu * (1.0 + nc)) * c.h + c.noise * (1.0 - nc * nc) * innovation;
            estimate = next = x > 1 ? 1.0 : x < -1 ? -1.0 : x;
        }
        io = c.decay * io + c.drive * n + c.current_gain * j;
        if (k >= run->first_counted) {
            double e = n - estimate;
            sum[OB_OBS_MSE] += e * e;
            sum[OB_OBS_ONE_MINUS_NC2] += 1.0 - estimate * estimate;
            sum[OB_OBS_CALIBRATION] += e * estimate;
            sum[OB_OBS_ESTIMATE_MEAN] += estimate;
            sum[OB_OBS_STATE_MEAN] += n;
            sum[OB_OBS_CURRENT_MEAN] += io;
            sum[OB_OBS_CURRENT_SQUARE] += io * io;
            sum[OB_OBS_RECORD_MEAN] += dy * c.inv_h;
            sum[OB_OBS_RECORD_POWER] += dy * dy * c.inv_h;
            if (occupation) occupation[occupation_bin(p, estimate)] += 1;
            counted++;
        }
        if (path && next_path < path_points && (k + 1) % stride == 0) {
            path[3 * next_path] = n, path[3 * next_path + 1] = estimate, path[3 * next_path + 2] = io;
            next_path++;
        }
        nc = next;
        if (tl_uniform_double(uc[2 * half], uc[2 * half + 1]) < (n > 0 ? c.p_down : c.p_up)) n = -n, jumps += 1;
    }
    for (size_t o = 0; o < OB_N_OBS - 1; o++) out[o] = sum[o] / (double)counted;
    out[OB_OBS_JUMPS] = jumps;
    if (occupation)
        for (size_t b = 0; b < p->bins; b++) occupation[b] /= (double)counted;
}
