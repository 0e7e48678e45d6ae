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
#include <gsl/gsl_randist.h>

#include "hopfield.h"
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

/* H_i = sum_{j != i} W_ij V_j + I_i(lambda) - U, from the overlaps: O(M) per site. */
static void local_fields(const hopfield *hf, const double *v, const double *overlap, double lambda, double *field)
{
    int n = hf->n, m = hf->m;
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    for (int i = 0; i < n; i++) {
        double h = hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold;
        double self = 0;
        for (int nu = 0; nu < m; nu++) {
            double c = 0;
            for (int mu = 0; mu < m; mu++) c += hf->coupling[mu * m + nu] * hf->patterns[mu * n + i];
            h += c * overlap[nu];
            self += c * hf->patterns[nu * n + i];
        }
        field[i] = h - self * v[i];
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

/* The Langevin drift T d ln pi / du_i. */
static void drift(const hopfield *hf, const double *u, double lambda, double *out)
{
    double v[HOPFIELD_MAX_GRADED_N], overlap[HOPFIELD_MAX_PATTERNS], field[HOPFIELD_MAX_GRADED_N];
    set_rates(hf, u, v, overlap);
    local_fields(hf, v, overlap, lambda, field);
    double temperature = 1.0 / hf->beta;
    for (int i = 0; i < hf->n; i++)
        out[i] = v[i] * (1 - v[i]) * (field[i] - u[i] / hf->resistance) + temperature * (1 - 2 * v[i]);
}

/* ln q(to | from) up to a constant: Gaussian of mean from + dt drift(from), variance 2 T dt. */
static double log_proposal(const double *to, const double *from, const double *drift_from, double dt, double var, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) {
        double d = to[i] - from[i] - dt * drift_from[i];
        s += d * d;
    }
    return -s / (2 * var);
}

/* One Langevin step at lambda; returns whether it moved. */
static int langevin_step(const hopfield *hf, double *u, double lambda, gsl_rng *r)
{
    int n = hf->n;
    double dt = hf->dt, var = 2.0 * dt / hf->beta, sd = sqrt(var);
    double d0[HOPFIELD_MAX_GRADED_N] = {0}, d1[HOPFIELD_MAX_GRADED_N] = {0}, prop[HOPFIELD_MAX_GRADED_N] = {0};
    drift(hf, u, lambda, d0);
    for (int i = 0; i < n; i++) prop[i] = u[i] + dt * d0[i] + sd * gsl_ran_gaussian_ziggurat(r, 1.0);
    double uniform = gsl_rng_uniform_pos(r); /* drawn every step: the stream does not depend on the rule */
    if (hf->integrator == HOPFIELD_EULER) {
        memcpy(u, prop, (size_t)n * sizeof *u);
        return 1;
    }
    drift(hf, prop, lambda, d1);
    double log_ratio = log_target(hf, prop, lambda) - log_target(hf, u, lambda) +
                       log_proposal(u, prop, d1, dt, var, n) - log_proposal(prop, u, d0, dt, var, n);
    if (log(uniform) < log_ratio) {
        memcpy(u, prop, (size_t)n * sizeof *u);
        return 1;
    }
    return 0;
}

/* Initial states: u = 0, then burn_in x substeps Langevin steps at the start
 * value of lambda, from the trajectory's own initial stream. */
static void initial_state(const hopfield *hf, const tl_stream_key *key, uint64_t trajectory, double lambda, double *u)
{
    gsl_rng *r = tl_stream_gsl_alloc(key, TL_PURPOSE_INITIAL, trajectory);
    memset(u, 0, (size_t)hf->n * sizeof *u);
    for (int64_t s = 0; s < hf->burn_in * hf->substeps; s++) langevin_step(hf, u, lambda, r);
    gsl_rng_free(r);
}

void hopfield_graded_simulate(const hopfield *hf, const tl_stream_key *key, uint64_t first, size_t count,
                              double *work, double *heat, double *entropy, double *acceptance)
{
    const int reverse = key->direction == 1;
    const double steps = (double)hf->steps;
    double u[HOPFIELD_MAX_GRADED_N];
    for (size_t b = 0; b < count; b++) {
        initial_state(hf, key, first + b, reverse ? 1.0 : 0.0, u);
        gsl_rng *r = tl_stream_gsl_alloc(key, TL_PURPOSE_DYNAMICS, first + b);
        double w = 0, q = 0, moved = 0;
        for (int64_t t = 1; t <= hf->steps; t++) {
            double from = reverse ? (double)(hf->steps - t + 1) / steps : (double)(t - 1) / steps;
            double to = reverse ? (double)(hf->steps - t) / steps : (double)t / steps;
            double relax_at = reverse ? from : to;
            if (!reverse) w += hopfield_graded_energy(hf, u, to) - hopfield_graded_energy(hf, u, from);
            double before = hopfield_graded_energy(hf, u, relax_at);
            for (int64_t k = 0; k < hf->substeps; k++) moved += langevin_step(hf, u, relax_at, r);
            q += hopfield_graded_energy(hf, u, relax_at) - before;
            if (reverse) w += hopfield_graded_energy(hf, u, to) - hopfield_graded_energy(hf, u, from);
        }
        gsl_rng_free(r);
        work[b] = w;
        heat[b] = q;
        if (entropy) entropy[b] = -hf->beta * q;
        if (acceptance) acceptance[b] = moved / (steps * (double)hf->substeps);
    }
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
