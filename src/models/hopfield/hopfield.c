/* The driven Hopfield network: parameters, couplings, and the model interface. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "hopfield.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

static const tl_param_spec hopfield_params[] = {
    {"n", TL_PARAM_INT, "15", 2, HOPFIELD_MAX_N, 0, NULL, "1", "number of spins N"},
    {"patterns", TL_PARAM_INT, "2", 2, HOPFIELD_MAX_PATTERNS, 0, NULL, "1",
     "number of stored patterns M (2 for weights = two_pattern)"},
    {"weights", TL_PARAM_CHOICE, "two_pattern", 0, 0, 0, "two_pattern|hebbian", "",
     "coupling rule: eq. 13 (gamma, asymmetry) or the Hebbian rule of eq. 9, (1/M) sum eps eps^T"},
    {"gamma", TL_PARAM_REAL, "0.5", 0, 1, 0, NULL, "energy",
     "weight of pattern 1 in eq. 13 (pattern 2 gets 1 - gamma)"},
    {"asymmetry", TL_PARAM_REAL, "0", -1000, 1000, 0, NULL, "energy",
     "cross term a eps^1 eps^2^T of eq. 13 (the paper's alpha); non-zero breaks detailed balance"},
    {"threshold", TL_PARAM_REAL, "0", -1e6, 1e6, 0, NULL, "energy", "activation threshold U of eq. 4"},
    {"field", TL_PARAM_REAL, "5", -1e6, 1e6, 0, NULL, "energy",
     "input amplitude h: I = h[(1-lambda) eps^1 + lambda eps^2] (interpolate), h lambda eps^2 (ramp)"},
    {"protocol", TL_PARAM_CHOICE, "interpolate", 0, 0, 0, "interpolate|ramp|exchange|steady", "",
     "how the input depends on lambda, which goes 0 -> 1 linearly in `steps` steps; exchange: "
     "equilibrium at beta_initial, then `steps` sweeps at beta (heat-exchange FT); steady: the exact "
     "steady state, then `steps` sweeps (entropy production); both hold I = h eps^1"},
    {"steps", TL_PARAM_INT, "1000", 1, 1e9, 0, NULL, "1", "protocol steps (one sweep of updates each)"},
    {"update", TL_PARAM_CHOICE, "sequential", 0, 0, 0, "sequential|palindromic", "",
     "relaxation kernel: sequential heat-bath sweep 1..N (reverse process N..1), or 1..N..1"},
    {"rule", TL_PARAM_CHOICE, "heat_bath", 0, 0, 0, "heat_bath|metropolis", "",
     "single-site update: heat bath 1/(1 + exp(-2 beta H_i V_i')), or Metropolis min(1, exp(-2 beta H_i V_i))"},
    {"neurons", TL_PARAM_CHOICE, "binary", 0, 0, 0, "binary|graded", "",
     "binary spins +-1, or graded responses V = 1/(1 + exp(-u)) with Langevin dynamics of u (eq. 15)"},
    {"resistance", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "1", "graded: R of eq. 15"},
    {"dt", TL_PARAM_REAL, "0.05", 0, 100, 1, NULL, "time", "graded: Langevin time step"},
    {"substeps", TL_PARAM_INT, "10", 1, 1e6, 0, NULL, "1", "graded: Langevin steps per protocol step"},
    {"integrator", TL_PARAM_CHOICE, "mala", 0, 0, 0, "mala|euler", "",
     "graded: Metropolis-adjusted Langevin (exactly reversible at any dt) or plain Euler-Maruyama"},
    {"plasticity", TL_PARAM_CHOICE, "off", 0, 0, 0, "off|hebbian", "",
     "Hebbian plasticity during the protocol, eq. 16: dW/dt = -W/tau_s + eta V V^T (one step = one time unit)"},
    {"learning_rate", TL_PARAM_REAL, "0.001", 0, 1e6, 0, NULL, "energy", "plasticity: eta of eq. 16"},
    {"synaptic_time", TL_PARAM_REAL, "1000", 0, 1e300, 1, NULL, "steps", "plasticity: tau_s of eq. 16"},
    {"beta_initial", TL_PARAM_REAL, "0", 0, INFINITY, 0, NULL, "1/energy",
     "exchange: inverse temperature of the initial equilibrium (1/temperature_initial when that is given; 0: unused)"},
    {"temperature_initial", TL_PARAM_REAL, "0", 0, INFINITY, 0, NULL, "energy",
     "exchange: temperature of the initial equilibrium (1/beta_initial when that is given; 0: unused)"},
    {"pattern_seed", TL_PARAM_INT, "1", 0, 4294967295.0, 0, NULL, "1", "seed of the random patterns"},
    {"pattern_file", TL_PARAM_FILE, "", 0, 0, 0, NULL, "",
     "file of M rows of N values +1/-1 to use instead of random patterns"},
    {"initial", TL_PARAM_CHOICE, "auto", 0, 0, 0, "auto|exact|burn_in", "",
     "initial states: exact Boltzmann sampling by enumeration (N <= 24), or burn-in sweeps"},
    {"burn_in", TL_PARAM_INT, "1000", 0, 1e9, 0, NULL, "1", "sweeps at the start value of lambda (initial = burn_in)"},
};
#define N_PARAMS (sizeof hopfield_params / sizeof hopfield_params[0])

static size_t directions(const tl_point *pt, const char *const **names)
{
    static const char *const forward_reverse[] = {"forward", "reverse"}, *const exchange[] = {"exchange"},
                             *const steady[] = {"steady"};
    int protocol = tl_point_choice(pt, "protocol");
    *names = protocol == HOPFIELD_EXCHANGE ? exchange : protocol == HOPFIELD_STEADY ? steady : forward_reverse;
    return protocol >= HOPFIELD_EXCHANGE ? 1 : 2;
}

enum { OBS_WORK, OBS_HEAT, OBS_ENTROPY };
static const tl_observable observables[] = {
    {"work", "energy", "work done on the network by the input, eq. 10: sum_t E(V_t, I_t+1) - E(V_t, I_t)"},
    {"heat", "energy", "heat absorbed from the bath in the relaxation sweeps, eq. 11"},
    {"entropy", "1", "medium entropy production: sum over single-site updates of ln P(V -> V')/P(V' -> V), "
     "= beta (W_nc - Q) with W_nc the work of the antisymmetric couplings (= -beta Q at a = 0)"},
};

static const tl_extra extras[] = {
    {"patterns", TL_EXTRA_INT8, "1", "stored patterns eps^mu_i (+1/-1) [point, mu, i]; 0 pads points with smaller M or N", 0},
    {"delta_f_exact", TL_EXTRA_F64, "energy",
     "exact F(lambda=1) - F(lambda=0) by enumeration of all 2^N states (NaN for N > 24, exchange and steady)", 0},
    {"beta_initial", TL_EXTRA_F64, "1/energy",
     "protocol = exchange: inverse temperature of the initial equilibrium (the bath is /parameters/beta); NaN otherwise", 0},
    {"entropy_production_exact", TL_EXTRA_F64, "1",
     "protocol = steady: exact entropy production per sweep in the steady state (Schnakenberg, enumeration "
     "of 2^N states, N <= 16); NaN otherwise", 0},
    {"steady_sweeps", TL_EXTRA_F64, "1",
     "protocol = steady: power-iteration sweeps until the exact steady state changed by < 1e-12 (L1); -1: "
     "not converged; NaN otherwise", 0},
    {"housekeeping_exact", TL_EXTRA_F64, "1",
     "protocol = steady: eq. 17, ln[pi(eps1) M(eps2|eps1) / (pi(eps2) M~(eps1|eps2))], pi the exact steady state, "
     "M the one-sweep transition probability, M~ that of the adjoint sweep; 0 at a = 0; NaN otherwise", 0},
    {"entropy_production_rate", TL_EXTRA_F64, "1",
     "mean medium entropy per sweep, <entropy> / steps, over the first direction's trajectories", TL_EXTRA_MEAN,
     OBS_ENTROPY, 0, "steps"},
    {"entropy_production_rate_err", TL_EXTRA_F64, "1", "its standard error, sqrt(var / T) / steps", TL_EXTRA_SE,
     OBS_ENTROPY, 0, "steps"},
    {"dissipated_work", TL_EXTRA_F64, "energy",
     "forward protocols: <W>_F - dF_exact (dF of the symmetric part of W, as in the paper); NaN otherwise",
     TL_EXTRA_MEAN, OBS_WORK, 0, NULL, "delta_f_exact"},
};

/* ---- patterns -------------------------------------------------------------- */

static int read_pattern_file(const char *path, int m, int n, int8_t *out, char *why, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, len, "pattern_file: cannot open '%s'", path);
        return TL_ERR_INPUT;
    }
    int count = 0, value, status = TL_OK;
    char sep;
    while (status == TL_OK && fscanf(f, "%d", &value) == 1) {
        if ((value != 1 && value != -1) || count >= m * n) {
            snprintf(why, len, "pattern_file '%s': %s", path,
                     count >= m * n ? "more than M*N values" : "values must be +1 or -1");
            status = TL_ERR_INPUT;
        } else if (out) {
            out[count] = (int8_t)value;
        }
        count++;
        (void)(fscanf(f, " %c", &sep) == 1 && sep != ',' && ungetc(sep, f));
    }
    char token[32];
    if (status == TL_OK && !feof(f) && fscanf(f, "%31s", token) == 1) {
        snprintf(why, len, "pattern_file '%s': '%s' after %d values is not +1 or -1", path, token, count);
        status = TL_ERR_INPUT;
    }
    if (status == TL_OK && count != m * n) {
        snprintf(why, len, "pattern_file '%s': expected %d rows of %d values +1/-1, read %d values",
                 path, m, n, count);
        status = TL_ERR_INPUT;
    }
    fclose(f);
    return status;
}

/* Random patterns from the Philox stream of pattern_seed, through GSL's sampler. */
static void random_patterns(uint64_t seed, int m, int n, int8_t *out)
{
    tl_stream_key key = {seed, 0, 0};
    gsl_rng *r = tl_stream_gsl_alloc(&key, TL_PURPOSE_DISORDER, 0);
    for (int k = 0; k < m * n; k++) out[k] = gsl_rng_uniform_int(r, 2) ? 1 : -1;
    gsl_rng_free(r);
}

/* ---- couplings --------------------------------------------------------------- */

static void build_couplings(hopfield *hf, const tl_point *pt)
{
    int m = hf->m, n = hf->n;
    hf->coupling = tl_calloc((size_t)m * m, sizeof *hf->coupling, "couplings");
    if (tl_point_choice(pt, "weights") == 0) {
        double g = tl_point_real(pt, "gamma");
        hf->coupling[0] = g;
        hf->coupling[1] = tl_point_real(pt, "asymmetry");
        hf->coupling[3] = 1 - g;
    } else {
        for (int mu = 0; mu < m; mu++) hf->coupling[mu * m + mu] = 1.0 / m;
    }
    hf->field_coeff = tl_malloc((size_t)n * m * sizeof(float), "field coefficients");
    hf->self = tl_malloc((size_t)n * sizeof(float), "self couplings");
    hf->diagonal = 0;
    for (int i = 0; i < n; i++) {
        double self = 0;
        for (int nu = 0; nu < m; nu++) {
            double a = 0;
            for (int mu = 0; mu < m; mu++) a += hf->coupling[mu * m + nu] * hf->patterns[mu * n + i];
            hf->field_coeff[i * m + nu] = (float)a;
            self += a * hf->patterns[nu * n + i];
        }
        hf->self[i] = (float)self;
        hf->diagonal += self;
    }
}

hopfield *hopfield_alloc(const tl_point *pt)
{
    hopfield *hf = tl_calloc(1, sizeof *hf, "hopfield");
    hf->n = (int)tl_point_int(pt, "n");
    hf->m = (int)tl_point_int(pt, "patterns");
    hf->beta = tl_point_real(pt, "beta");
    hf->threshold = tl_point_real(pt, "threshold");
    hf->field = tl_point_real(pt, "field");
    hf->protocol = tl_point_choice(pt, "protocol");
    hf->update = tl_point_choice(pt, "update");
    hf->rule = tl_point_choice(pt, "rule");
    hf->asymmetry = tl_point_choice(pt, "weights") == 0 ? tl_point_real(pt, "asymmetry") : 0.0;
    hf->beta_initial = NAN;
    if (hf->protocol == HOPFIELD_EXCHANGE)
        hf->beta_initial = tl_point_given(pt, "beta_initial") ? tl_point_real(pt, "beta_initial")
                                                              : 1.0 / tl_point_real(pt, "temperature_initial");
    hf->entropy_production = hf->housekeeping = NAN;
    hf->neurons = tl_point_choice(pt, "neurons");
    hf->integrator = tl_point_choice(pt, "integrator");
    hf->resistance = tl_point_real(pt, "resistance");
    hf->dt = tl_point_real(pt, "dt");
    hf->substeps = tl_point_int(pt, "substeps");
    hf->plasticity = tl_point_choice(pt, "plasticity");
    hf->learning_rate = tl_point_real(pt, "learning_rate");
    hf->synaptic_time = tl_point_real(pt, "synaptic_time");
    hf->steady_sweeps = 0;
    hf->steps = tl_point_int(pt, "steps");
    hf->burn_in = tl_point_int(pt, "burn_in");
    int initial = tl_point_choice(pt, "initial");
    hf->exact_initial = initial == 1 || (initial == 0 && hf->n <= HOPFIELD_MAX_EXACT_N);

    hf->patterns = tl_malloc((size_t)hf->m * hf->n, "patterns");
    const char *file = tl_point_string(pt, "pattern_file");
    char why[512];
    if (file[0] != '\0') {
        if (read_pattern_file(file, hf->m, hf->n, hf->patterns, why, sizeof why))
            error("%s (it was readable when the input was checked)", why);
    } else {
        random_patterns((uint64_t)tl_point_int(pt, "pattern_seed"), hf->m, hf->n, hf->patterns);
    }
    build_couplings(hf, pt);
    hf->free_energy[0] = hf->free_energy[1] = NAN;
    if (hf->neurons == HOPFIELD_GRADED) hopfield_graded_free_energies(hf);
    else if (hf->n <= HOPFIELD_MAX_EXACT_N) hopfield_enumerate(hf);
    if (hf->protocol == HOPFIELD_STEADY) hopfield_steady_state(hf);
    return hf;
}

void hopfield_free(hopfield *hf)
{
    if (!hf) return;
    free(hf->patterns);
    free(hf->coupling);
    free(hf->field_coeff);
    free(hf->self);
    free(hf->cdf[0]);
    free(hf->cdf[1]);
    free(hf);
}

void hopfield_input_weights(const hopfield *hf, double lambda, double *a, double *b)
{
    *a = hf->protocol == HOPFIELD_RAMP ? 0.0 : 1.0 - lambda;
    *b = lambda;
}

double hopfield_energy_overlaps(const hopfield *hf, const double *overlap, double m0, double lambda)
{
    double quadratic = 0, a, b;
    for (int mu = 0; mu < hf->m; mu++)
        for (int nu = 0; nu < hf->m; nu++) quadratic += hf->coupling[mu * hf->m + nu] * overlap[mu] * overlap[nu];
    hopfield_input_weights(hf, lambda, &a, &b);
    return -0.5 * (quadratic - hf->diagonal) - hf->field * (a * overlap[0] + b * overlap[1]) +
           hf->threshold * m0;
}

double hopfield_energy_explicit(const hopfield *hf, const int8_t *spins, double lambda)
{
    int n = hf->n, m = hf->m;
    double a, b, e = 0;
    hopfield_input_weights(hf, lambda, &a, &b);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i == j) continue;
            double w = 0;
            for (int mu = 0; mu < m; mu++)
                for (int nu = 0; nu < m; nu++)
                    w += hf->coupling[mu * m + nu] * hf->patterns[mu * n + i] * hf->patterns[nu * n + j];
            e -= 0.5 * w * spins[i] * spins[j];
        }
        double input = hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]);
        e += (-input + hf->threshold) * spins[i];
    }
    return e;
}

/* ---- the model interface ------------------------------------------------------ */

/* exchange and steady start from an exact distribution by enumeration; the
 * initial temperature belongs to exchange alone. */
static int validate_protocol(const tl_point *pt, char *why, size_t len)
{
    int protocol = tl_point_choice(pt, "protocol"), n = (int)tl_point_int(pt, "n");
    int b1 = tl_point_given(pt, "beta_initial"), t1 = tl_point_given(pt, "temperature_initial");
    if (protocol != HOPFIELD_EXCHANGE) {
        if (b1 || t1) {
            snprintf(why, len, "%s: only protocol = exchange has an initial temperature",
                     b1 ? "beta_initial" : "temperature_initial");
            return TL_ERR_INPUT;
        }
        if (protocol != HOPFIELD_STEADY) return TL_OK;
    }
    if (protocol == HOPFIELD_EXCHANGE && b1 == t1) {
        snprintf(why, len, "protocol = exchange: %s", b1 ? "beta_initial and temperature_initial both given: give exactly one"
                                                         : "beta_initial or temperature_initial: missing (give exactly one)");
        return TL_ERR_INPUT;
    }
    const char *key = b1 ? "beta_initial" : "temperature_initial";
    if (protocol == HOPFIELD_EXCHANGE && !(tl_point_real(pt, key) > 0)) {
        snprintf(why, len, "%s must be > 0", key);
        return TL_ERR_INPUT;
    }
    /* P(Q)/P(-Q) = exp(dbeta Q) needs a kernel that is self-adjoint with
     * respect to exp(-beta E); a sequential sweep 1..N is not (its adjoint is N..1). */
    if (protocol == HOPFIELD_EXCHANGE && tl_point_choice(pt, "update") != HOPFIELD_PALINDROMIC) {
        snprintf(why, len, "protocol = exchange needs update = palindromic: the sequential sweep is not "
                           "self-adjoint, and the heat-exchange theorem does not hold for it");
        return TL_ERR_INPUT;
    }
    int limit = protocol == HOPFIELD_EXCHANGE ? HOPFIELD_MAX_EXACT_N : HOPFIELD_MAX_STEADY_N;
    if (n > limit || tl_point_choice(pt, "initial") == 2) {
        snprintf(why, len, "protocol = %s starts from an exact distribution by enumeration: needs n <= %d "
                           "and initial = auto or exact (n = %d)", protocol == HOPFIELD_EXCHANGE ? "exchange" : "steady", limit, n);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

/* The graded network: its keys only with neurons = graded, and the protocols
 * and couplings its Langevin dynamics supports. */
static int validate_graded(const tl_point *pt, char *why, size_t len)
{
    static const char *const keys[] = {"resistance", "dt", "substeps", "integrator"};
    int graded = tl_point_choice(pt, "neurons") == HOPFIELD_GRADED;
    if (!graded) {
        for (size_t k = 0; k < 4; k++)
            if (tl_point_given(pt, keys[k])) {
                snprintf(why, len, "%s belongs to neurons = graded", keys[k]);
                return TL_ERR_INPUT;
            }
        return TL_OK;
    }
    int n = (int)tl_point_int(pt, "n");
    const char *problem = n > HOPFIELD_MAX_GRADED_N ? "n: at most 64 graded neurons"
                          : tl_point_choice(pt, "protocol") > HOPFIELD_RAMP ? "protocol: interpolate or ramp only"
                          : tl_point_choice(pt, "initial") == 1 ? "initial: no exact sampling (burn-in Langevin steps)"
                          : tl_point_choice(pt, "weights") == 0 && tl_point_real(pt, "asymmetry") != 0
                              ? "asymmetry: the Langevin dynamics samples exp(-beta E); it needs symmetric W"
                          /* the Gaussians of a Langevin step are ceil(n/2) Philox blocks of a 32-bit block counter */
                          : (double)(n + 1) / 2 * (double)tl_point_int(pt, "substeps") *
                                    fmax((double)tl_point_int(pt, "steps"), (double)tl_point_int(pt, "burn_in")) >
                                4294967296.0
                              ? "steps (or burn_in) x substeps x ceil(n/2) exceeds 2^32 (the random stream's block counter)"
                              : NULL;
    if (problem) {
        snprintf(why, len, "neurons = graded: %s", problem);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int validate_plastic(const tl_point *pt, char *why, size_t len)
{
    int on = tl_point_choice(pt, "plasticity") == 1;
    if (!on) {
        const char *key = tl_point_given(pt, "learning_rate") ? "learning_rate"
                          : tl_point_given(pt, "synaptic_time") ? "synaptic_time" : NULL;
        if (key) snprintf(why, len, "%s belongs to plasticity = hebbian", key);
        return key ? TL_ERR_INPUT : TL_OK;
    }
    const char *problem = tl_point_choice(pt, "neurons") == HOPFIELD_GRADED ? "neurons: binary only"
                          : tl_point_choice(pt, "protocol") > HOPFIELD_RAMP ? "protocol: interpolate or ramp only"
                          : tl_point_int(pt, "n") > 256 ? "n: at most 256 (an n x n matrix per trajectory)"
                          : tl_point_choice(pt, "weights") == 0 && tl_point_real(pt, "asymmetry") != 0
                              ? "asymmetry: eq. 16 is symmetric; give a = 0" : NULL;
    if (problem) snprintf(why, len, "plasticity = hebbian: %s", problem);
    return problem ? TL_ERR_INPUT : TL_OK;
}

static int hopfield_validate(const tl_point *pt, char *why, size_t len)
{
    int n = (int)tl_point_int(pt, "n"), m = (int)tl_point_int(pt, "patterns");
    int two_pattern = tl_point_choice(pt, "weights") == 0;
    if (two_pattern && m != 2) {
        snprintf(why, len, "patterns = %d: weights = two_pattern (eq. 13) stores exactly 2", m);
        return TL_ERR_INPUT;
    }
    if (!two_pattern && (tl_point_given(pt, "gamma") || tl_point_given(pt, "asymmetry"))) {
        snprintf(why, len, "gamma and asymmetry belong to weights = two_pattern, not hebbian");
        return TL_ERR_INPUT;
    }
    if (tl_point_choice(pt, "initial") == 1 && n > HOPFIELD_MAX_EXACT_N) {
        snprintf(why, len, "n = %d too large for initial = exact (enumeration of 2^n states, n <= %d)",
                 n, HOPFIELD_MAX_EXACT_N);
        return TL_ERR_INPUT;
    }
    int updates = tl_point_choice(pt, "update") == HOPFIELD_PALINDROMIC ? 2 * n : n;
    double blocks = (double)tl_point_int(pt, "steps") * ((updates + 3) / 4);
    if (blocks >= 4294967296.0) {
        snprintf(why, len, "steps x n too large: at most 2^32 random blocks per trajectory");
        return TL_ERR_INPUT;
    }
    if (validate_protocol(pt, why, len) || validate_graded(pt, why, len) || validate_plastic(pt, why, len))
        return TL_ERR_INPUT;
    const char *file = tl_point_string(pt, "pattern_file");
    if (file[0] != '\0' && read_pattern_file(file, m, n, NULL, why, len)) return TL_ERR_INPUT;
    static int warned;
    int initial = tl_point_choice(pt, "initial");
    if (!warned && (initial == 2 || (initial == 0 && n > HOPFIELD_MAX_EXACT_N))) {
        warned = 1;
        tl_warning("hopfield: initial states from %lld burn-in sweeps, not exact Boltzmann draws%s",
                   (long long)tl_point_int(pt, "burn_in"),
                   n > HOPFIELD_MAX_EXACT_N ? "; no exact dF (N > 24): check reports no-exact" : "");
    }
    return TL_OK;
}

static int hopfield_extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (e != 0) return 0;
    dims[0] = (size_t)tl_point_int(pt, "patterns");
    dims[1] = (size_t)tl_point_int(pt, "n");
    return 2;
}

/* The kernel of this point's neurons and plasticity. */
static void hopfield_simulate(const hopfield *hf, const tl_stream_key *key, uint64_t first, size_t count,
                              double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    if (hf->neurons == HOPFIELD_GRADED) hopfield_graded_simulate(hf, key, first, count, out[0], out[1], out[2], NULL);
    else if (hf->plasticity) hopfield_plastic_simulate(hf, key, first, count, out[0], out[1], out[2]);
    else hopfield_simulate_batch_entropy(hf, key, first, count, out[0], out[1], out[2], NULL, NULL);
}

static void extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const hopfield *hf = state;
    int steady = hf->protocol == HOPFIELD_STEADY;
    switch (e) {
    case 1: out[0] = hf->free_energy[1] - hf->free_energy[0]; return;
    case 2: out[0] = hf->beta_initial; return;
    case 3: out[0] = steady ? hf->entropy_production : NAN; return;
    case 4: out[0] = steady ? (double)hf->steady_sweeps : NAN; return;
    case 5: out[0] = steady ? hf->housekeeping : NAN; return;
    default: break;
    }
    for (int mu = 0; mu < hf->m; mu++)
        for (int i = 0; i < hf->n; i++) out[mu * dims[1] + i] = hf->patterns[mu * hf->n + i];
}

TL_MODEL_STATE(hopfield, hopfield_alloc, hopfield_free, hopfield_simulate)


/* ---- what check compares ------------------------------------------------------- */

/* The driven protocols give a Crooks pair against the enumerated dF; exchange
 * the heat-exchange theorem between beta_initial and the bath; steady the
 * entropy production against the exact steady state (at any asymmetry). */
static size_t check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec crooks = {TL_CHECK_CROOKS, .observable = "work", .exact = "delta_f_exact"},
                          exchange = {TL_CHECK_EXCHANGE, .observable = "heat", .exact = "beta_initial"},
                          steady = {TL_CHECK_STEADY, .estimate = "entropy_production_rate",
                                    .error = "entropy_production_rate_err", .exact = "entropy_production_exact",
                                    .column = "asymmetry"};
    int protocol = tl_point_choice(pt, "protocol");
    *checks = protocol == HOPFIELD_EXCHANGE ? &exchange : protocol == HOPFIELD_STEADY ? &steady : &crooks;
    return 1;
}

/* Asymmetric couplings (a != 0) and Hebbian plasticity (learning_rate > 0,
 * the state fed back into the energy) break detailed balance. */
static const char *check_broken(const tl_point *pt)
{
    if (tl_point_real(pt, "asymmetry") != 0) return "a!=0";
    if (tl_point_choice(pt, "plasticity") == 1 && tl_point_real(pt, "learning_rate") > 0) return "plastic";
    return NULL;
}

static const tl_model_checks checks = {check_list, check_broken, "asymmetry != 0 or plasticity"};

const tl_model_type tl_model_hopfield = {
    .name = "hopfield",
    .description = "Hopfield network driven between two stored patterns (Chen 2020)",
    .params = hopfield_params,
    .n_params = N_PARAMS,
    .reciprocals = (const char *const[][2]){{"beta_initial", "temperature_initial"}},
    .n_reciprocals = 1,
    .directions = directions,
    .observables = observables,
    .n_observables = 3,
    .extras = extras,
    .n_extras = sizeof extras / sizeof extras[0],
    .validate = hopfield_validate,
    .extra_shape = hopfield_extra_shape,
    .point_alloc = point_alloc,
    .point_free = point_free,
    .simulate = simulate,
    .extra_fill = extra_fill,
    .bench = hopfield_bench,
    .checks = &checks,
};
