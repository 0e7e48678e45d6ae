/* The graded-response Hopfield network (Chen 2020, eq. 15): continuous
 * potentials u_i, rates V_i = f(u_i) = 1 / (1 + exp(-u_i)) in (0, 1), and
 *
 *   E(V; lambda) = -1/2 sum_{i != j} W_ij V_i V_j - sum_i (I_i(lambda) - U) V_i + (1/R) sum_i G(V_i),
 *   G(V) = int_0^V f^-1(v) dv = V ln V + (1 - V) ln(1 - V).
 *
 * Equilibrium is exp(-beta E(V)) on (0,1)^N; in the variables u it has the
 * density pi(u) ~ exp(-beta E(f(u))) prod_i f'(u_i) (the Jacobian keeps it
 * normalisable: without it the density would be flat as u -> -infinity).
 * The dynamics is the Langevin equation that samples pi,
 *
 *   du_i = T d ln pi / du_i dt + sqrt(2 T) dB_i = [f'(u_i)(-u_i/R + H_i) + T (1 - 2 V_i)] dt + sqrt(2 T) dB_i,
 *
 * H_i = sum_j W_ij V_j + I_i - U.  The paper's du/dt = -u/R + W V + I + eta
 * lacks the factor f'(u_i) and the Jacobian drift; without them the stationary
 * state is not exp(-beta E) and Crooks would fail.  Discretised with MALA:
 * an Euler-Maruyama proposal accepted with the Metropolis-Hastings ratio,
 * which makes every step exactly reversible with respect to pi for any dt, so
 * Crooks holds exactly for the discrete dynamics; `integrator = euler` skips
 * the acceptance (the plain Euler-Maruyama scheme), whose discretisation
 * error breaks the theorem at large dt.
 *
 * Work and heat as for the binary network: a step changes lambda at fixed u
 * (work), then `substeps` Langevin steps at fixed lambda (heat).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "hopfield.h"
#include "thermolearn/vecmath.h"
#include "thermolearn/error.h"

/* ln(1 + e^x) without overflow. */
static double softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

typedef struct {
    double *u, *v, *field, *overlap; /* [n], [n], [n], [m] */
    double *u_new, *v_new, *field_new, *overlap_new;
} graded_state;

static void set_rates(const hopfield *hf, const double *u, double *v, double *overlap)
{
    int n = hf->n, m = hf->m;
    for (int i = 0; i < n; i++) v[i] = 1.0 / (1.0 + exp(-u[i]));
    for (int nu = 0; nu < m; nu++) {
        overlap[nu] = 0;
        for (int i = 0; i < n; i++) overlap[nu] += hf->patterns[nu * n + i] * v[i];
    }
}

double hopfield_graded_energy(const hopfield *hf, const double *u, double lambda)
{
    int n = hf->n, m = hf->m;
    double v[HOPFIELD_MAX_GRADED_N], overlap[HOPFIELD_MAX_PATTERNS], a, b, e = 0;
    set_rates(hf, u, v, overlap);
    hopfield_input_weights(hf, lambda, &a, &b);
    for (int mu = 0; mu < m; mu++)
        for (int nu = 0; nu < m; nu++) e -= 0.5 * hf->coupling[mu * m + nu] * overlap[mu] * overlap[nu];
    for (int i = 0; i < n; i++) {
        double self = 0;
        for (int mu = 0; mu < m; mu++)
            for (int nu = 0; nu < m; nu++)
                self += hf->coupling[mu * m + nu] * hf->patterns[mu * n + i] * hf->patterns[nu * n + i];
        e += 0.5 * self * v[i] * v[i];
        e -= (hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold) * v[i];
        /* G(V) = V ln V + (1 - V) ln(1 - V), with ln V = -softplus(-u), ln(1 - V) = -softplus(u) */
        e -= (v[i] * softplus(-u[i]) + (1 - v[i]) * softplus(u[i])) / hf->resistance;
    }
    return e;
}

/* ln pi(u) up to a constant: -beta E + sum ln f'(u_i), ln f'(u) = -softplus(u) - softplus(-u). */
static double log_target(const hopfield *hf, const double *u, double lambda)
{
    double lp = -hf->beta * hopfield_graded_energy(hf, u, lambda);
    for (int i = 0; i < hf->n; i++) lp -= softplus(u[i]) + softplus(-u[i]);
    return lp;
}

/* ---- the simulation: tiles of trajectories in vector lanes ------------------------
 *
 * A tile of up to GR_TILE trajectories is held as structure of arrays, lane
 * innermost (u[i * stride + l] is neuron i of lane l), and stepped VD lanes
 * at a time with GCC/clang vector types (vecmath.h): the sigmoid, softplus,
 * energy, drift and Metropolis-Hastings ratio of every lane at once, accept
 * and reject a blend.  gr_trajectory below is the scalar reference: the same
 * double operations in the same order for one trajectory, so that both give
 * the same numbers bit for bit (tests/unit/test_hopfield_graded.c).
 *
 * Per trajectory, a Langevin step's state is u and, cached at the current
 * lambda, its drift, energy and ln pi: a step evaluates only the proposal.
 *
 * Streams (one per trajectory, keyed by it): Langevin step s of the burn-in
 * (purpose INITIAL) or of the protocol (DYNAMICS) takes the Gaussians of
 * neurons 2j and 2j + 1 from block s * ceil(n/2) + j (tl_stream_gaussians:
 * Box-Muller's cosine and sine), its Metropolis uniform from words 2(s%2),
 * 2(s%2)+1 of block s/2 of PURPOSE_ACCEPT_INITIAL or PURPOSE_ACCEPT. */
enum { PURPOSE_ACCEPT = TL_PURPOSE_MODEL, PURPOSE_ACCEPT_INITIAL };

#define GR_TILE 32
_Static_assert(GR_TILE % 16 == 0, "a tile is a whole number of vectors (and of Philox vectors)");

/* What every lane shares: the couplings in the form the loops want. */
typedef struct {
    int n, m, euler;
    double pat[HOPFIELD_MAX_PATTERNS][HOPFIELD_MAX_GRADED_N];  /* eps^nu_i */
    double cf[HOPFIELD_MAX_GRADED_N][HOPFIELD_MAX_PATTERNS];   /* sum_mu C[mu][nu] eps^mu_i */
    double half_c[HOPFIELD_MAX_PATTERNS * HOPFIELD_MAX_PATTERNS]; /* C[mu][nu] / 2 */
    double self[HOPFIELD_MAX_GRADED_N], half_self[HOPFIELD_MAX_GRADED_N]; /* self-coupling, its half */
    double inv_r, beta, temperature, dt, sd, inv_2var;
    double h0[HOPFIELD_MAX_GRADED_N]; /* the input at the current lambda: I_i(lambda) - U */
} gr_consts;

static void gr_consts_init(const hopfield *hf, gr_consts *c)
{
    int n = hf->n, m = hf->m;
    c->n = n, c->m = m, c->euler = hf->integrator == HOPFIELD_EULER;
    for (int i = 0; i < n; i++) {
        c->self[i] = 0;
        for (int nu = 0; nu < m; nu++) {
            c->pat[nu][i] = hf->patterns[nu * n + i];
            double cc = 0;
            for (int mu = 0; mu < m; mu++) cc += hf->coupling[mu * m + nu] * hf->patterns[mu * n + i];
            c->cf[i][nu] = cc;
            c->self[i] += cc * hf->patterns[nu * n + i];
        }
    }
    for (int k = 0; k < m * m; k++) c->half_c[k] = 0.5 * hf->coupling[k];
    for (int i = 0; i < n; i++) c->half_self[i] = 0.5 * c->self[i];
    c->inv_r = 1.0 / hf->resistance, c->beta = hf->beta, c->temperature = 1.0 / hf->beta, c->dt = hf->dt;
    double var = 2.0 * hf->dt / hf->beta;
    c->sd = sqrt(var), c->inv_2var = 1.0 / (2 * var);
}

static void gr_consts_level(const hopfield *hf, gr_consts *c, double lambda)
{
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    for (int i = 0; i < hf->n; i++)
        c->h0[i] = hf->field * (a * hf->patterns[i] + b * hf->patterns[hf->n + i]) - hf->threshold;
}

/* E, ln pi and (if d) the drift of VD lanes at u (stride apart by neuron). */
static inline __attribute__((always_inline)) void gr_eval(const gr_consts *restrict c, const double *restrict u,
                                                         size_t stride, vd *restrict d, vd *energy, vd *log_pi)
{
    const int n = c->n, m = c->m;
    if (n < 1) __builtin_unreachable(); /* no special case for n = 0 (scalar code on a constant) */
    const vd zero = {0}, one = zero + 1.0;
    vd v[HOPFIELD_MAX_GRADED_N], ov[HOPFIELD_MAX_PATTERNS];
    vd e = zero, jac = zero;
    for (int nu = 0; nu < m; nu++) ov[nu] = zero;
    for (int i = 0; i < n; i++) {
        vd x = vd_load(u + i * stride);
        vl pos = x > zero;
        vd ax = vd_blend(pos, x, -x), t = vd_exp(-ax), w = t + 1.0, r = one / w;
        vd l1p = vd_log1p(t);                                  /* ln(1 + e^-|x|) */
        vd sp = vd_blend(pos, x, zero) + l1p, sm = vd_blend(pos, zero, -x) + l1p; /* softplus(x), softplus(-x) */
        vd vi = vd_blend(pos, r, t * r);                       /* 1 / (1 + e^-x) */
        v[i] = vi;
        for (int nu = 0; nu < m; nu++) ov[nu] = ov[nu] + c->pat[nu][i] * vi;
        e = e + (c->half_self[i] * vi * vi - c->h0[i] * vi - (vi * sm + (1.0 - vi) * sp) * c->inv_r);
        jac = jac + (sp + sm);
    }
    for (int mu = 0; mu < m; mu++)
        for (int nu = 0; nu < m; nu++) e = e - c->half_c[mu * m + nu] * ov[mu] * ov[nu];
    *energy = e;
    *log_pi = -c->beta * e - jac;
    if (!d) return;
    for (int i = 0; i < n; i++) {
        vd h = vd_splat(c->h0[i]);
        for (int nu = 0; nu < m; nu++) h = h + c->cf[i][nu] * ov[nu];
        h = h - c->self[i] * v[i];
        vd x = vd_load(u + i * stride);
        d[i] = v[i] * (1.0 - v[i]) * (h - x * c->inv_r) + c->temperature * (1.0 - 2.0 * v[i]);
    }
}

/* The per-lane state of a tile. */
typedef struct {
    double u[HOPFIELD_MAX_GRADED_N * GR_TILE], d[HOPFIELD_MAX_GRADED_N * GR_TILE];
    double energy[GR_TILE], log_pi[GR_TILE], work[GR_TILE], heat[GR_TILE], moved[GR_TILE];
} gr_lanes;

/* Drift, energy and ln pi of every lane at the current lambda (after a change of lambda). */
static __attribute__((noinline)) void gr_lanes_eval(const gr_consts *restrict c, gr_lanes *restrict s, int lanes)
{
    for (int l = 0; l < lanes; l += VD) {
        vd d[HOPFIELD_MAX_GRADED_N], e, lp;
        gr_eval(c, s->u + l, GR_TILE, d, &e, &lp);
        for (int i = 0; i < c->n; i++) vd_store(s->d + i * GR_TILE + l, d[i]);
        vd_store(s->energy + l, e), vd_store(s->log_pi + l, lp);
    }
}

/* The energy of every lane at the current lambda, into out. */
static __attribute__((noinline)) void gr_lanes_energy(const gr_consts *restrict c, const gr_lanes *restrict s,
                                                      int lanes, double *restrict out)
{
    for (int l = 0; l < lanes; l += VD) {
        vd e, lp;
        gr_eval(c, s->u + l, GR_TILE, NULL, &e, &lp);
        vd_store(out + l, e);
    }
}

/* One MALA (or Euler) step of every lane, branch-free.  z: the step's
 * Gaussians (neuron i of lane l at z[i * GR_TILE + l]); hi, lo: the words of
 * its uniforms.  A function of its own, so that tests/tools/vec_check.sh can
 * find it and see that it is packed. */
static __attribute__((noinline)) void gr_lanes_step(const gr_consts *restrict c, gr_lanes *restrict s, int lanes,
                                                    const double *restrict z, const uint32_t *restrict hi,
                                                    const uint32_t *restrict lo)
{
    const int n = c->n;
    const vd zero = {0};
    const vl euler = (vl){0} - c->euler;
    for (int l = 0; l < lanes; l += VD) {
        double y[HOPFIELD_MAX_GRADED_N * VD];
        vd dy[HOPFIELD_MAX_GRADED_N], ey, lpy, fwd = zero, back = zero;
        for (int i = 0; i < n; i++) {
            vd x = vd_load(s->u + i * GR_TILE + l), dx = vd_load(s->d + i * GR_TILE + l);
            vd yi = x + c->dt * dx + c->sd * vd_load(z + i * GR_TILE + l);
            vd f = yi - x - c->dt * dx;
            fwd = fwd + f * f;
            vd_store(y + i * VD, yi);
        }
        gr_eval(c, y, VD, dy, &ey, &lpy);
        for (int i = 0; i < n; i++) {
            vd b = vd_load(s->u + i * GR_TILE + l) - vd_load(y + i * VD) - c->dt * dy[i];
            back = back + b * b;
        }
        vd log_ratio = lpy - vd_load(s->log_pi + l) + (fwd - back) * c->inv_2var;
        vl accept = (vd_uniform(hi + l, lo + l) < vd_exp(vd_blend(log_ratio < zero, log_ratio, zero))) | euler;
        for (int i = 0; i < n; i++) {
            double *ui = s->u + i * GR_TILE + l, *di = s->d + i * GR_TILE + l;
            vd_store(ui, vd_blend(accept, vd_load(y + i * VD), vd_load(ui)));
            vd_store(di, vd_blend(accept, dy[i], vd_load(di)));
        }
        vd_store(s->energy + l, vd_blend(accept, ey, vd_load(s->energy + l)));
        vd_store(s->log_pi + l, vd_blend(accept, lpy, vd_load(s->log_pi + l)));
        vd_store(s->moved + l, vd_load(s->moved + l) + vd_count(accept));
    }
}

/* Buffers of a tile's random numbers. */
typedef struct {
    double z[HOPFIELD_MAX_GRADED_N * GR_TILE];
    uint32_t words[4 * GR_TILE];
} gr_draws;

/* Langevin steps first_step .. first_step + count - 1 of the tile's lanes at the current lambda. */
static void gr_tile_relax(const gr_consts *c, gr_lanes *s, gr_draws *r, const tl_stream_key *key, int initial,
                          uint64_t first, int lanes, int64_t first_step, int64_t count)
{
    const uint32_t gauss = initial ? TL_PURPOSE_INITIAL : TL_PURPOSE_DYNAMICS;
    const uint32_t accept = initial ? PURPOSE_ACCEPT_INITIAL : PURPOSE_ACCEPT;
    const int pairs = (c->n + 1) / 2;
    for (int64_t k = first_step; k < first_step + count; k++) {
        for (int j = 0; j < pairs; j++)
            tl_stream_gaussians(key, gauss, first, (uint32_t)(k * pairs + j), (size_t)GR_TILE, r->z + 2 * j * GR_TILE);
        int half = (int)(k & 1);
        if (!half || k == first_step) tl_stream_words(key, accept, first, (uint32_t)(k / 2), GR_TILE, r->words);
        gr_lanes_step(c, s, lanes, r->z, r->words + 2 * half * GR_TILE, r->words + (2 * half + 1) * GR_TILE);
    }
}

/* Trajectories first .. first + count - 1, count <= GR_TILE. */
static void gr_tile(const hopfield *hf, gr_consts *c, const tl_stream_key *key, uint64_t first, size_t count,
                    double *work, double *heat, double *entropy, double *acceptance)
{
    const int reverse = key->direction == 1;
    const int lanes = (int)((count + VD - 1) / VD * VD); /* lanes >= count are padding */
    const double steps = (double)hf->steps;
    gr_lanes *s = tl_calloc(1, sizeof *s, "graded lanes");
    gr_draws *r = tl_malloc(sizeof *r, "graded draws");
    double other[GR_TILE];
    gr_consts_level(hf, c, reverse ? 1.0 : 0.0);
    gr_lanes_eval(c, s, lanes);
    gr_tile_relax(c, s, r, key, 1, first, lanes, 0, hf->burn_in * hf->substeps);
    memset(s->moved, 0, sizeof s->moved);
    for (int64_t t = 1; t <= hf->steps; t++) {
        double from = reverse ? (double)(hf->steps - t + 1) / steps : (double)(t - 1) / steps;
        double to = reverse ? (double)(hf->steps - t) / steps : (double)t / steps;
        if (!reverse) { /* work at fixed u, then relax at `to` */
            gr_consts_level(hf, c, from);
            gr_lanes_energy(c, s, lanes, other);
            gr_consts_level(hf, c, to);
            gr_lanes_eval(c, s, lanes);
            for (int l = 0; l < lanes; l++) s->work[l] += s->energy[l] - other[l];
        } else { /* relax at `from`, then work at fixed u */
            gr_consts_level(hf, c, from);
            gr_lanes_eval(c, s, lanes);
        }
        memcpy(other, s->energy, sizeof other);
        gr_tile_relax(c, s, r, key, 0, first, lanes, (t - 1) * hf->substeps, hf->substeps);
        for (int l = 0; l < lanes; l++) s->heat[l] += s->energy[l] - other[l];
        if (reverse) {
            gr_consts_level(hf, c, to);
            gr_lanes_energy(c, s, lanes, other);
            for (int l = 0; l < lanes; l++) s->work[l] += other[l] - s->energy[l];
        }
    }
    for (size_t l = 0; l < count; l++) {
        work[l] = s->work[l], heat[l] = s->heat[l];
        if (entropy) entropy[l] = -hf->beta * s->heat[l];
        if (acceptance) acceptance[l] = s->moved[l] / (steps * (double)hf->substeps);
    }
    free(s), free(r);
}

void hopfield_graded_simulate(const hopfield *hf, const tl_stream_key *key, uint64_t first, size_t count,
                              double *work, double *heat, double *entropy, double *acceptance)
{
    gr_consts *c = tl_malloc(sizeof *c, "graded constants");
    gr_consts_init(hf, c);
    for (size_t b = 0; b < count; b += GR_TILE) {
        size_t k = count - b < GR_TILE ? count - b : GR_TILE;
        gr_tile(hf, c, key, first + b, k, work + b, heat + b, entropy ? entropy + b : NULL,
                acceptance ? acceptance + b : NULL);
    }
    free(c);
}

/* ---- the scalar reference: one trajectory, gr_eval and gr_lanes_step written for doubles */

static void gr_eval1(const gr_consts *c, const double *u, double *d, double *energy, double *log_pi)
{
    const int n = c->n, m = c->m;
    double v[HOPFIELD_MAX_GRADED_N], ov[HOPFIELD_MAX_PATTERNS], e = 0, jac = 0;
    for (int nu = 0; nu < m; nu++) ov[nu] = 0;
    for (int i = 0; i < n; i++) {
        double x = u[i];
        int pos = x > 0;
        double ax = pos ? x : -x, t = vd_exp1(-ax), w = t + 1.0, r = 1.0 / w;
        double l1p = vd_log1p1(t);
        double sp = (pos ? x : 0.0) + l1p, sm = (pos ? 0.0 : -x) + l1p;
        double vi = pos ? r : t * r;
        v[i] = vi;
        for (int nu = 0; nu < m; nu++) ov[nu] = ov[nu] + c->pat[nu][i] * vi;
        e = e + (c->half_self[i] * vi * vi - c->h0[i] * vi - (vi * sm + (1.0 - vi) * sp) * c->inv_r);
        jac = jac + (sp + sm);
    }
    for (int mu = 0; mu < m; mu++)
        for (int nu = 0; nu < m; nu++) e = e - c->half_c[mu * m + nu] * ov[mu] * ov[nu];
    *energy = e;
    *log_pi = -c->beta * e - jac;
    if (!d) return;
    for (int i = 0; i < n; i++) {
        double h = c->h0[i];
        for (int nu = 0; nu < m; nu++) h = h + c->cf[i][nu] * ov[nu];
        h = h - c->self[i] * v[i];
        d[i] = v[i] * (1.0 - v[i]) * (h - u[i] * c->inv_r) + c->temperature * (1.0 - 2.0 * v[i]);
    }
}

/* Langevin steps first_step .. first_step + count - 1 of one trajectory. */
static void gr_relax1(const gr_consts *c, double *u, double *d, double *energy, double *log_pi, double *moved,
                      const tl_stream_key *key, int initial, uint64_t trajectory, int64_t first_step, int64_t count)
{
    const uint32_t gauss = initial ? TL_PURPOSE_INITIAL : TL_PURPOSE_DYNAMICS;
    const uint32_t accept_purpose = initial ? PURPOSE_ACCEPT_INITIAL : PURPOSE_ACCEPT;
    const int n = c->n, pairs = (n + 1) / 2;
    double z[2], y[HOPFIELD_MAX_GRADED_N], dy[HOPFIELD_MAX_GRADED_N], ey, lpy;
    uint32_t words[4];
    for (int64_t k = first_step; k < first_step + count; k++) {
        double fwd = 0, back = 0;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) tl_stream_gaussians(key, gauss, trajectory, (uint32_t)(k * pairs + i / 2), 1, z);
            y[i] = u[i] + c->dt * d[i] + c->sd * z[i % 2];
            double f = y[i] - u[i] - c->dt * d[i];
            fwd = fwd + f * f;
        }
        gr_eval1(c, y, dy, &ey, &lpy);
        for (int i = 0; i < n; i++) {
            double b = u[i] - y[i] - c->dt * dy[i];
            back = back + b * b;
        }
        double log_ratio = lpy - *log_pi + (fwd - back) * c->inv_2var;
        int half = (int)(k & 1);
        tl_stream_words(key, accept_purpose, trajectory, (uint32_t)(k / 2), 1, words);
        int accept = tl_uniform_double(words[2 * half], words[2 * half + 1]) < vd_exp1(log_ratio < 0 ? log_ratio : 0);
        if (accept || c->euler) {
            memcpy(u, y, (size_t)n * sizeof *u), memcpy(d, dy, (size_t)n * sizeof *d);
            *energy = ey, *log_pi = lpy, *moved += 1.0;
        }
    }
}

void hopfield_graded_trajectory(const hopfield *hf, const tl_stream_key *key, uint64_t trajectory, double *work,
                                double *heat, double *acceptance)
{
    const int reverse = key->direction == 1;
    const double steps = (double)hf->steps;
    gr_consts *c = tl_malloc(sizeof *c, "graded constants");
    gr_consts_init(hf, c);
    double u[HOPFIELD_MAX_GRADED_N] = {0}, d[HOPFIELD_MAX_GRADED_N], e, lp, moved = 0, w = 0, q = 0, other;
    gr_consts_level(hf, c, reverse ? 1.0 : 0.0);
    gr_eval1(c, u, d, &e, &lp);
    gr_relax1(c, u, d, &e, &lp, &moved, key, 1, trajectory, 0, hf->burn_in * hf->substeps);
    moved = 0;
    for (int64_t t = 1; t <= hf->steps; t++) {
        double from = reverse ? (double)(hf->steps - t + 1) / steps : (double)(t - 1) / steps;
        double to = reverse ? (double)(hf->steps - t) / steps : (double)t / steps;
        if (!reverse) {
            gr_consts_level(hf, c, from);
            gr_eval1(c, u, NULL, &other, &lp);
            gr_consts_level(hf, c, to);
            gr_eval1(c, u, d, &e, &lp);
            w += e - other;
        } else {
            gr_consts_level(hf, c, from);
            gr_eval1(c, u, d, &e, &lp);
        }
        other = e;
        gr_relax1(c, u, d, &e, &lp, &moved, key, 0, trajectory, (t - 1) * hf->substeps, hf->substeps);
        q += e - other;
        if (reverse) {
            double lp_to;
            gr_consts_level(hf, c, to);
            gr_eval1(c, u, NULL, &other, &lp_to);
            w += other - e;
        }
    }
    *work = w, *heat = q, *acceptance = moved / (steps * (double)hf->substeps);
    free(c);
}

/* ---- exact free energies for n <= 2 ---------------------------------------------- */

#define GRADED_QUAD_POINTS 400
#define GRADED_QUAD_RANGE 60.0

/* ln Z(lambda) = ln int du exp(ln pi(u)) by the product Gauss-Legendre rule on
 * [-L, L]^n: the integrand is smooth and decays like exp(-|u|) (the Jacobian). */
static double graded_log_z(const hopfield *hf, double lambda, gsl_integration_glfixed_table *table)
{
    size_t k = table->n, total = 1;
    for (int i = 0; i < hf->n; i++) total *= k;
    double *lp = tl_malloc(total * sizeof *lp, "quadrature"), *w = tl_malloc(total * sizeof *w, "quadrature");
    double top = -INFINITY, u[HOPFIELD_MAX_GRADED_N];
    for (size_t idx = 0; idx < total; idx++) {
        size_t rest = idx;
        w[idx] = 1;
        for (int i = 0; i < hf->n; i++) {
            double x, wi;
            gsl_integration_glfixed_point(-GRADED_QUAD_RANGE, GRADED_QUAD_RANGE, rest % k, &x, &wi, table);
            u[i] = x;
            w[idx] *= wi;
            rest /= k;
        }
        lp[idx] = log_target(hf, u, lambda);
        top = fmax(top, lp[idx]);
    }
    double sum = 0;
    for (size_t idx = 0; idx < total; idx++) sum += w[idx] * exp(lp[idx] - top);
    free(lp);
    free(w);
    return top + log(sum);
}

void hopfield_graded_free_energies(hopfield *hf)
{
    hf->free_energy[0] = hf->free_energy[1] = NAN;
    if (hf->n > HOPFIELD_MAX_GRADED_EXACT_N) return;
    gsl_integration_glfixed_table *table = gsl_integration_glfixed_table_alloc(GRADED_QUAD_POINTS);
    hf->free_energy[0] = -graded_log_z(hf, 0.0, table) / hf->beta;
    hf->free_energy[1] = -graded_log_z(hf, 1.0, table) / hf->beta;
    gsl_integration_glfixed_table_free(table);
}
