/* Engine glue of the noisy limit-cycle clock (Milburn section 6, model
 * `clock`): parameters, observables, per-point datasets, checks.  Physics in
 * clock.c and clock_exact.c (clock.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

/* clock_gate_bench.c */
int milburn_clock_bench(int argc, char **argv);

#define PI 3.141592653589793
/* Largest accepted steps: dt gamma for the escapement (the splitting's error
 * grows with the switching rate; the period's bias at the default 2e-4 is
 * measured in test_milburn_clock), dt omega for the phase clock (O(dt) from
 * placing a passage inside its step). */
#define CK_MAX_GAMMA_DT 0.05
#define CK_MAX_OMEGA_DT 0.01
#define CK_MAX_STEPS 2e9

static const tl_param_spec ck_param_table[] = {
    {"oscillator", TL_PARAM_CHOICE, "escapement", 0, 0, 0, "escapement|phase", "",
     "escapement: the clock of eqs. 102-104 (v the escapement switch, x, y the damped oscillator); phase: the "
     "reduced phase SDE of eq. 105, dpsi = omega dt + sqrt(sigma)/radius dW (its periods are exactly Wald)"},
    {"gamma", TL_PARAM_REAL, "10", 0, 1e6, 1, NULL, "1/time", "escapement rate gamma: mu = gamma e^{-x}, nu = gamma e^{x} (eq. 93)"},
    {"kappa", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "1/time", "damping kappa of the oscillator (eq. 104)"},
    {"chi", TL_PARAM_REAL, "40", 0, 1e6, 0, NULL, "energy/length", "escapement coupling chi (eq. 104)"},
    {"bias", TL_PARAM_REAL, "0", -10, 10, 0, NULL, "1", "epsilon of eq. 104"},
    {"omega", TL_PARAM_REAL, "1", 0, 1e6, 1, NULL, "1/time", "phase clock: angular velocity omega (eq. 105 with psi -> -psi)"},
    {"radius", TL_PARAM_REAL, "5", 0, 1e6, 1, NULL, "length", "phase clock: the cycle radius r* of eq. 105"},
    {"dt", TL_PARAM_REAL, "2e-4", 0, 1, 1, NULL, "time",
     "time step; at most 0.05/gamma (escapement) or 0.01/omega (phase)"},
    {"transient", TL_PARAM_REAL, "20", 0, 1e9, 0, NULL, "time", "passages before this time are not recorded"},
    {"periods", TL_PARAM_INT, "500", 50, 100000000, 0, NULL, "1",
     "periods recorded per trajectory after the transient (a fixed count: the intervals are then an unbiased sample)"},
    {"hysteresis", TL_PARAM_REAL, "0.5", 0, 1e6, 1, NULL, "length",
     "escapement: a passage upwards through x = x* counts only after x went below x* - hysteresis"},
    {"drive", TL_PARAM_CHOICE, "constant", 0, 0, 0, "constant|lif|square|network", "",
     "constant: chi (omega) fixed, periods recorded; lif (escapement): chi(t) = chi/(1 + e^{-lif_beta (J - "
     "lif_threshold)}) switched by the LIF synapse J of eqs. 109-111 (section 6.1), run over [0, lif_tau], passages "
     "counted; square: the rate code of eq. 114, chi(t) = chi (1 + square_theta M(t)) (phase clock: omega(t)), M a "
     "+-1 square wave, run over square_cycles periods, passages counted per level; network (escapement): eq. 115, two "
     "rate-coded input clocks feed the synapse J that switches this clock through eq. 113, run over [0, lif_tau]"},
    {"lif_k", TL_PARAM_REAL, "0.1", 0, 1e3, 1, NULL, "1/sqrt(time)", "lif, network: k of eq. 111 (the leak rate is k^2)"},
    {"lif_weight", TL_PARAM_REAL, "1", -1e6, 1e6, 0, NULL, "1", "lif: synaptic weight w of eq. 111"},
    {"lif_noise", TL_PARAM_REAL, "0.01", 0, 1e6, 0, NULL, "1", "lif, network: sigma_J of eq. 111 (not given in the paper)"},
    {"lif_alpha", TL_PARAM_REAL, "2", 0, 1e6, 0, NULL, "1/time", "lif, network: steepness alpha of the window h(t) = 1/(1 + e^{alpha (t - tau)}) (eq. 110)"},
    {"lif_tau", TL_PARAM_REAL, "20", 0, 1e6, 1, NULL, "time", "lif, network: tau of eqs. 110 and 112: the window's end and the firing count's"},
    {"lif_beta", TL_PARAM_REAL, "10", 0, 1e6, 0, NULL, "1", "lif, network: beta_J of eq. 113"},
    {"lif_threshold", TL_PARAM_REAL, "1", -1e6, 1e6, 0, NULL, "1", "lif, network: J0 of eq. 113"},
    {"pre_amplitude", TL_PARAM_REAL, "10", 0, 1e6, 0, NULL, "1", "lif: lambda of the presynaptic m(t) = tanh(lambda sin(2 pi t/P)) (Fig. 25)"},
    {"pre_period", TL_PARAM_REAL, "5", 0, 1e6, 1, NULL, "time", "lif: P of the presynaptic m(t) (Fig. 25: 5)"},
    {"fire_beta", TL_PARAM_REAL, "1", 0, 1e6, 0, NULL, "1", "lif, network: beta of eq. 112"},
    {"fire_threshold", TL_PARAM_REAL, "3", -1e6, 1e6, 0, NULL, "1", "lif, network: N_th of eq. 112"},
    {"square_theta", TL_PARAM_REAL, "0.5", 0, 1, 0, NULL, "1", "square: theta of eq. 114 (Fig. 26: 0.5)"},
    {"square_period", TL_PARAM_REAL, "20", 0, 1e6, 1, NULL, "time", "square: period of the square wave M(t) (Fig. 26: 20)"},
    {"square_duty", TL_PARAM_REAL, "0.5", 0, 1, 1, NULL, "1",
     "square: fraction of each period with M = +1, at its start (Fig. 26: 0.5); must be below 1"},
    {"square_cycles", TL_PARAM_INT, "4", 1, 1000000000, 0, NULL, "1", "square: periods of M per trajectory, from t = 0"},
    {"net_synapse", TL_PARAM_CHOICE, "level", 0, 0, 0, "level|spike", "",
     "network: level: eq. 115 as printed, the synapse integrates 1 + v_l; spike: a unit pulse per upward passage of x_l"},
    {"net_chi", TL_PARAM_REAL, "20", 0, 1e6, 0, NULL, "energy/length", "network: the input clocks' chi of eq. 114"},
    {"net_theta", TL_PARAM_REAL, "0.5", 0, 1, 0, NULL, "1", "network: theta of eq. 114 for the inputs: chi_l = net_chi (1 + net_theta x_l)"},
    {"net_x1", TL_PARAM_INT, "1", -1, 1, 0, NULL, "1", "network: input bit x_1 = +1 or -1 (the rate code of eq. 114)"},
    {"net_x2", TL_PARAM_INT, "1", -1, 1, 0, NULL, "1", "network: input bit x_2 = +1 or -1"},
    {"net_w1", TL_PARAM_REAL, "1", -1e6, 1e6, 0, NULL, "1", "network: weight w_1 of eq. 115"},
    {"net_w2", TL_PARAM_REAL, "1", -1e6, 1e6, 0, NULL, "1", "network: weight w_2 of eq. 115"},
    {"path_samples", TL_PARAM_INT, "0", 0, 1000000, 0, NULL, "1",
     "escapement, drive = constant, lif or square: S states (x, y, v, and J for lif or the square wave's M for "
     "square) of the sample path profile `path`, after the whole steps round(N j/S), N the steps of [0, transient + "
     "periods T0] (constant; T0 the deterministic period), of [0, lif_tau] (lif) or of the square_cycles periods "
     "(square); phase clock, drive = square: (psi, M); Figs. 21, 22, 25, 26 with [histogram] store_samples; 0: "
     "none"},
};
#define CK_N_PARAMS (sizeof ck_param_table / sizeof ck_param_table[0])

enum {
    CO_PERIOD, CO_VAR, CO_LAG1, CO_FIRST, CO_INTERVALS, CO_DIFFUSION, CO_WORK_RATE, CO_DISSIPATION, CO_WORK,
    CO_HEAT, CO_ENERGY, CO_HEAT_NOISE, CO_Y2, CO_R2, CO_LIF_J, CO_LIF_DEV, CO_LIF_COUNT, CO_FIRE, CO_COUNT,
    CO_COUNT_DEV, CO_RATE_HIGH, CO_RATE_LOW, CO_PHASE_RATE, CO_PHASE_DEV, CO_N
};
static const tl_observable ck_observables[] = {
    {"period_mean", "time", "mean of the recorded intervals between upward passages (section x = x*; phase: psi = 2 pi k)"},
    {"interval_var", "time^2", "sample variance (n - 1) of the recorded intervals"},
    {"interval_lag1", "1", "lag-1 correlation of successive intervals (0 for independent Wald periods)"},
    {"first_period", "time", "the first recorded interval (its histogram is the period law, Fig. 23)"},
    {"intervals", "1", "periods recorded (fewer than `periods` only if the clock stopped)"},
    {"phase_diffusion", "time", "Var(t_{k+40} - t_k)/40 within the trajectory: the per-period phase diffusion"},
    {"work_rate", "energy/time", "escapement: work / window"},
    {"dissipation", "energy/time", "escapement: -heat / window, the power given to the bath"},
    {"work", "energy", "escapement: work of chi (v - eps) over the window (the energy change of the kicks)"},
    {"heat", "energy", "escapement: heat absorbed from the bath over the window (the energy change of the O steps)"},
    {"energy_change", "energy", "escapement: E(end) - E(start of window), E = (x^2 + y^2)/2; = work + heat per trajectory"},
    {"heat_noise", "energy",
     "escapement: heat - sum over the O half-steps of (1 - a^2)(T - y^2)/2, a = e^{-kappa dt/2}: a martingale, mean 0 "
     "exactly at any dt"},
    {"y2_mean", "energy", "escapement: time average of y^2 over the window"},
    {"r2_mean", "length^2", "escapement: time average of (x - x*)^2 + y^2 over the window"},
    {"lif_j", "1", "lif, network: the synapse J at the end (the whole step nearest lif_tau)"},
    {"lif_j_sq_dev", "1",
     "lif: (J - E[J])^2 at the end, E[J] exact; network: (J - J_det)^2, J_det the same synapse without its noise: its "
     "mean is Var J exactly"},
    {"lif_count", "1", "lif, network: N(tau), upward passages of the postsynaptic x through 0 in [0, tau]"},
    {"fire_probability", "1", "lif, network: eq. 112, 1/(1 + e^{-fire_beta (N(tau) - fire_threshold)})"},
    {"count", "1", "square: N, upward passages (x through 0; phase: psi through 2 pi k) over the run; network: the inputs' passages"},
    {"count_sq_dev", "1", "square: (N - E[N])^2 with E[N] exact (phase clock at square_theta = 0; else 0)"},
    {"rate_high", "1/time", "square: passages while M = +1 / the time spent there; network: input 1's passages / tau"},
    {"rate_low", "1/time", "square: passages while M = -1 / the time spent there; network: input 2's passages / tau"},
    {"phase_rate", "1/time", "square, phase clock: (psi(end) - psi(0))/(2 pi run): the unwrapped phase's rate"},
    {"phase_rate_sq_dev", "1/time^2", "square, phase clock: (phase_rate - E[phase_rate])^2, E exact"},
};
_Static_assert(sizeof ck_observables / sizeof ck_observables[0] == CO_N, "clock observables");

static const tl_profile ck_profiles[] = {
    {"block_variance", "time", "Var(t_{k+n} - t_k)/n within each trajectory, n = 1, 2, 5, 10, 20, 40 [point, block]"},
    {"path", "length, length/time, 1, 1 (phase clock: 1, 1)",
     "the sample path after step round(N j/S), S = path_samples: (x, y, v) and, for drive = lif, J, for drive = "
     "square, M = +-1 of eq. 114 at the sample's time; the phase clock (drive = square): (psi, M), psi unwrapped "
     "from 0 [point, j, component]; NaN after a trajectory stopped (constant: its periods recorded); the last of "
     "lif is at lif_tau: J = lif_j, of square at the run's end (phase: psi = 2 pi phase_rate run); every stored "
     "trajectory's in path_samples (store_samples); absent when path_samples = 0"},
};

#define TRIPLE(name, units, what, exact)                                                                        \
    {name, TL_EXTRA_F64, units, what "; simulated: mean over the trajectories [point]", 1},                        \
    {name "_err", TL_EXTRA_F64, units, what "; standard error of the simulated value [point]", 1},                 \
    {name "_exact", TL_EXTRA_F64, units, what "; exact: " exact " [point]", 0}
enum {
    CX_PERIOD, CX_PERIOD_ERR, CX_PERIOD_EXACT, CX_VAR, CX_VAR_ERR, CX_VAR_EXACT, CX_NOISE, CX_NOISE_ERR,
    CX_NOISE_EXACT, CX_T0, CX_PERIOD_PAPER, CX_VAR_PAPER, CX_VAR_AVERAGED, CX_DIFF, CX_DIFF_ERR, CX_DISS,
    CX_DISS_ERR, CX_DISS_IDENTITY, CX_DISS_PAPER, CX_RADIUS, CX_RADIUS_PAPER, CX_GROWTH, CX_HOPF_BIAS, CX_CHI_HOPF,
    CX_X_FIXED, CX_BLOCK_EXACT, CX_LIF_MEAN, CX_LIF_MEAN_ERR, CX_LIF_MEAN_EXACT, CX_LIF_VAR, CX_LIF_VAR_ERR,
    CX_LIF_VAR_EXACT, CX_COUNT, CX_COUNT_ERR, CX_COUNT_EXACT, CX_COUNT_VAR, CX_COUNT_VAR_ERR, CX_COUNT_VAR_EXACT,
    CX_PRATE, CX_PRATE_ERR, CX_PRATE_EXACT, CX_PVAR, CX_PVAR_ERR, CX_PVAR_EXACT, CX_RATE_HIGH, CX_RATE_HIGH_ERR,
    CX_RATE_LOW, CX_RATE_LOW_ERR, CX_RATE_OUT, CX_RATE_OUT_ERR, CX_RATE_HIGH_AD, CX_RATE_LOW_AD, CX_RATE_AD, CX_FANO,
    CX_NET_J, CX_NET_COUNT, CX_NET_COUNT_ERR, CX_N
};
static const tl_extra ck_extras[] = {
    TRIPLE("period_mean", "time", "E[T]", "Wald mean 2 pi/omega (phase clock; NaN for the escapement)"),
    TRIPLE("interval_var", "time^2", "V[T]",
           "Wald variance 2 pi sigma/(radius^2 omega^3) (phase clock; NaN for the escapement)"),
    TRIPLE("heat_noise", "energy", "E[heat - predicted heat]", "0 at any dt (escapement; NaN for the phase clock)"),
    {"period_deterministic", TL_EXTRA_F64, "time",
     "T0 of the deterministic cycle (GSL rk8pd, tolerance 1e-13; 2 pi/omega for the phase clock): the weak-noise "
     "limit of E[T] [point]", 0},
    {"period_paper", TL_EXTRA_F64, "time", "eq. 107: E[T] = 2 pi [point]", 0},
    {"interval_var_paper", TL_EXTRA_F64, "time^2",
     "eq. 108: V[T] = 2 pi sigma/r*, r* = radius (phase) or the rms of (x - x*, y) measured (escapement) [point]", 1},
    {"interval_var_averaged", TL_EXTRA_F64, "time^2",
     "eq. 105 taken literally: 2 pi sigma/r*^2 (phase), and pi sigma/r*^2 for the escapement (the noise in y "
     "projected on the phase and averaged over the angle) [point]", 1},
    {"phase_diffusion", TL_EXTRA_F64, "time", "mean over trajectories of Var(t_{k+40} - t_k)/40 [point]", 1},
    {"phase_diffusion_err", TL_EXTRA_F64, "time", "standard error of phase_diffusion [point]", 1},
    {"dissipation_rate", TL_EXTRA_F64, "energy/time", "mean power into the bath, -<heat>/window [point]", 1},
    {"dissipation_rate_err", TL_EXTRA_F64, "energy/time", "standard error of dissipation_rate [point]", 1},
    {"dissipation_identity", TL_EXTRA_F64, "energy/time",
     "kappa <y^2> - sigma/2 from the same run: equals the mean work rate (and the dissipation) in the steady state "
     "[point]", 1},
    {"dissipation_paper", TL_EXTRA_F64, "energy/time",
     "kappa r*^2/2, r* the measured rms radius: the paper's E-dot = -kappa E on a circular cycle [point]", 1},
    {"radius_rms", TL_EXTRA_F64, "length", "sqrt(<(x - x*)^2 + y^2>) measured (escapement; radius for phase) [point]", 1},
    {"radius_paper", TL_EXTRA_F64, "length",
     "r* of eq. 99 with cos psi0 of eq. 101: the largest root of r^2 = (4 chi/(pi kappa)) ln(r/gamma); NaN: none [point]",
     0},
    {"fixed_point_growth", TL_EXTRA_F64, "1/time", "largest real part of the eigenvalues at the fixed point [point]", 0},
    {"hopf_bias", TL_EXTRA_F64, "1",
     "the epsilon above which the fixed point is stable (NaN: stable at epsilon = 0) [point]", 0},
    {"chi_hopf", TL_EXTRA_F64, "energy/length",
     "chi_h = (kappa + 2 gamma)(2 gamma kappa + 1)/(2 gamma) - 1: the fixed point is unstable at epsilon = 0 for "
     "chi > chi_h [point]", 0},
    {"x_fixed", TL_EXTRA_F64, "length", "x* = -chi (tanh x* + epsilon): the section of the period measurement [point]", 0},
    {"block_variance_exact", TL_EXTRA_F64, "time",
     "Var(t_{k+n} - t_k)/n of independent Wald periods: 2 pi sigma/(radius^2 omega^3) for every n (phase clock; NaN "
     "for the escapement, whose intervals are correlated) [point, block]", 0},
    TRIPLE("lif_j_mean", "1", "E[J(tau)] of the LIF synapse (drive = lif)",
           "quadrature of int_0^tau e^{-k^2 (tau - s)} k w h(s)(1 + m(s)) ds (GSL QAG; NaN without lif)"),
    TRIPLE("lif_j_var", "1", "Var J(tau) of the LIF synapse (drive = lif), as the mean of lif_j_sq_dev",
           "sigma_J (1 - e^{-2 k^2 tau})/2 (NaN without lif)"),
    TRIPLE("count_mean", "1", "E[N], passages over the run (drive = square)",
           "Wald renewal sum_k F_k(t), F_k the inverse Gaussian law of the k-th passage (phase clock at square_theta "
           "= 0; else NaN)"),
    TRIPLE("count_var", "1", "Var N (drive = square), as the mean of count_sq_dev",
           "sum_k (2k - 1) F_k(t) - E[N]^2 (phase clock at square_theta = 0; else NaN)"),
    TRIPLE("phase_rate", "1/time", "the phase clock's unwrapped phase rate (drive = square)",
           "omega (t + theta S(t))/(2 pi t), S the integral of M: the duty-weighted mean of omega(t)/(2 pi) (NaN "
           "for the escapement)"),
    TRIPLE("phase_rate_var", "1/time^2", "Var phase_rate (drive = square), as the mean of phase_rate_sq_dev",
           "sigma/(radius^2 4 pi^2 t) (NaN for the escapement)"),
    {"rate_high", TL_EXTRA_F64, "1/time", "mean of rate_high: the output rate while M = +1 [point]", 1},
    {"rate_high_err", TL_EXTRA_F64, "1/time", "standard error of rate_high [point]", 1},
    {"rate_low", TL_EXTRA_F64, "1/time", "mean of rate_low: the output rate while M = -1 [point]", 1},
    {"rate_low_err", TL_EXTRA_F64, "1/time", "standard error of rate_low [point]", 1},
    {"rate_out", TL_EXTRA_F64, "1/time", "E[count]/run: the output rate over the run [point]", 1},
    {"rate_out_err", TL_EXTRA_F64, "1/time", "standard error of rate_out [point]", 1},
    {"rate_high_adiabatic", TL_EXTRA_F64, "1/time",
     "the adiabatic rate at chi (1 + theta): 1/T0 of the deterministic cycle (0: no cycle; phase clock: "
     "omega (1 + theta)/(2 pi), the Wald rate 1/E[T]) [point]", 0},
    {"rate_low_adiabatic", TL_EXTRA_F64, "1/time", "the same at chi (1 - theta) [point]", 0},
    {"rate_adiabatic", TL_EXTRA_F64, "1/time",
     "the duty-weighted adiabatic rate: (time high rate_high_adiabatic + time low rate_low_adiabatic)/run [point]", 0},
    {"count_fano", TL_EXTRA_F64, "1",
     "Var N/E[N] across the trajectories (Poisson: 1; Wald renewal: about sigma/(radius^2 omega 2 pi)) [point]", 1},
    {"network_j_approx", TL_EXTRA_F64, "1",
     "network: E[J(tau)] in the rate approximation, sum_l k w_l r_l int_0^tau e^{-k^2 (tau - s)} h(s) ds, r_l = "
     "1/T0(chi_l) (spike) or 1 (level: v averages to 0 over a cycle) [point]", 0},
    {"network_output", TL_EXTRA_F64, "1", "network: E[N(tau)], the output clock's passages [point]", 1},
    {"network_output_err", TL_EXTRA_F64, "1", "network: standard error of network_output [point]", 1},
};
_Static_assert(sizeof ck_extras / sizeof ck_extras[0] == CX_N, "clock extras");

typedef struct {
    ck_params p;
    double t0;
    double lif_mean, lif_var; /* exact, drive = lif */
    double count_mean, count_var; /* exact, drive = square on the phase clock at theta = 0 */
    double rate_high, rate_low;   /* adiabatic rates at the two levels, drive = square; the inputs', network */
    double j_approx;              /* network: E[J(tau)] in the rate approximation */
} ck_state_point;

static ck_params ck_point_params(const tl_point *pt)
{
    return (ck_params){
        .oscillator = tl_point_choice(pt, "oscillator"), .gamma = tl_point_real(pt, "gamma"),
        .kappa = tl_point_real(pt, "kappa"), .chi = tl_point_real(pt, "chi"), .eps = tl_point_real(pt, "bias"),
        .temperature = tl_point_real(pt, "temperature"), .omega = tl_point_real(pt, "omega"),
        .radius = tl_point_real(pt, "radius"), .dt = tl_point_real(pt, "dt"),
        .transient = tl_point_real(pt, "transient"), .periods = (long)tl_point_int(pt, "periods"),
        .hysteresis = tl_point_real(pt, "hysteresis"), .drive = tl_point_choice(pt, "drive"),
        .lif = {.k = tl_point_real(pt, "lif_k"), .weight = tl_point_real(pt, "lif_weight"),
                .noise = tl_point_real(pt, "lif_noise"), .alpha = tl_point_real(pt, "lif_alpha"),
                .tau = tl_point_real(pt, "lif_tau"), .beta_j = tl_point_real(pt, "lif_beta"),
                .threshold = tl_point_real(pt, "lif_threshold"), .pre_amplitude = tl_point_real(pt, "pre_amplitude"),
                .pre_period = tl_point_real(pt, "pre_period"), .fire_beta = tl_point_real(pt, "fire_beta"),
                .fire_threshold = tl_point_real(pt, "fire_threshold")},
        .square = {.theta = tl_point_real(pt, "square_theta"), .period = tl_point_real(pt, "square_period"),
                   .duty = tl_point_real(pt, "square_duty"), .cycles = (long)tl_point_int(pt, "square_cycles")},
        .net = {.synapse = tl_point_choice(pt, "net_synapse"), .chi = tl_point_real(pt, "net_chi"),
                .theta = tl_point_real(pt, "net_theta"),
                .x = {(double)tl_point_int(pt, "net_x1"), (double)tl_point_int(pt, "net_x2")},
                .w = {tl_point_real(pt, "net_w1"), tl_point_real(pt, "net_w2")}},
        .path_samples = (size_t)tl_point_int(pt, "path_samples"),
    };
}

static size_t ck_directions(const tl_point *pt, const char *const **names)
{
    static const char *const one[] = {"forward"};
    *names = one;
    return 1;
}

static const char *const escapement_keys[] = {"gamma", "kappa", "chi", "bias", "hysteresis", NULL};
static const char *const phase_keys[] = {"omega", "radius", NULL};
static const char *const lif_keys[] = {"lif_k", "lif_noise", "lif_alpha", "lif_tau", "lif_beta", "lif_threshold",
                                       "fire_beta", "fire_threshold", NULL};
static const char *const pre_keys[] = {"lif_weight", "pre_amplitude", "pre_period", NULL};
static const char *const net_keys[] = {"net_synapse", "net_chi", "net_theta", "net_x1", "net_x2", "net_w1", "net_w2",
                                       NULL};
static const char *const square_keys[] = {"square_theta", "square_period", "square_duty", "square_cycles", NULL};
static const char *const period_keys[] = {"periods", "transient", NULL};
static const char *const drive_names[] = {"constant", "lif", "square", "network"};

/* The first key of list given at this point, or NULL. */
static const char *given_key(const tl_point *pt, const char *const *list)
{
    for (; *list; list++)
        if (tl_point_given(pt, *list)) return *list;
    return NULL;
}

static int ck_validate(const tl_point *pt, char *why, size_t len)
{
    ck_params p = ck_point_params(pt);
    int phase = p.oscillator == CK_PHASE;
    for (const char *const *key = phase ? escapement_keys : phase_keys; *key; key++)
        if (tl_point_given(pt, *key)) {
            snprintf(why, len, "%s belongs to oscillator = %s", *key, phase ? "escapement" : "phase");
            return TL_ERR_INPUT;
        }
    int lif = p.drive == CK_LIF, square = p.drive == CK_SQUARE, net = p.drive == CK_NETWORK;
    if (phase && (lif || net)) {
        snprintf(why, len, "drive = %s belongs to oscillator = escapement", drive_names[p.drive]);
        return TL_ERR_INPUT;
    }
    /* each group of keys and the drives it belongs to (bit d: drive d) */
    static const struct {
        const char *const *keys;
        unsigned drives;
        const char *owner;
    } owned[] = {{period_keys, 1u << CK_CONSTANT, "constant"},
                 {lif_keys, 1u << CK_LIF | 1u << CK_NETWORK, "lif or network"},
                 {pre_keys, 1u << CK_LIF, "lif"},
                 {square_keys, 1u << CK_SQUARE, "square"},
                 {net_keys, 1u << CK_NETWORK, "network"}};
    for (size_t g = 0; g < sizeof owned / sizeof owned[0]; g++) {
        const char *key = owned[g].drives >> p.drive & 1 ? NULL : given_key(pt, owned[g].keys);
        if (key) {
            snprintf(why, len, "%s belongs to drive = %s", key, owned[g].owner);
            return TL_ERR_INPUT;
        }
    }
    for (int i = 0; i < 2 && net; i++)
        if (p.net.x[i] == 0) {
            snprintf(why, len, "net_x%d = 0: an input bit is +1 or -1", i + 1);
            return TL_ERR_INPUT;
        }
    if ((lif || square || net) && !phase && p.eps != 0) {
        snprintf(why, len, "bias = %g with drive = %s: the passages are counted at x = 0, the fixed point for "
                 "every chi only at bias = 0", p.eps, drive_names[p.drive]);
        return TL_ERR_INPUT;
    }
    if (square && !(p.square.duty < 1)) {
        snprintf(why, len, "square_duty = %g: M = +1 throughout; must be below 1", p.square.duty);
        return TL_ERR_INPUT;
    }
    if (square && (double)p.square.cycles * p.square.period / p.dt > CK_MAX_STEPS) {
        snprintf(why, len, "square_cycles = %ld: %.3g steps per trajectory, at most %.0e", p.square.cycles,
                 (double)p.square.cycles * p.square.period / p.dt, CK_MAX_STEPS);
        return TL_ERR_INPUT;
    }
    double rate = phase ? p.omega : p.gamma, limit = (phase ? CK_MAX_OMEGA_DT : CK_MAX_GAMMA_DT) / rate;
    if (p.dt > limit) {
        snprintf(why, len, "dt = %g is too large: dt %s = %g exceeds %g (dt <= %.3g)", p.dt, phase ? "omega" : "gamma",
                 p.dt * rate, phase ? CK_MAX_OMEGA_DT : CK_MAX_GAMMA_DT, limit);
        return TL_ERR_INPUT;
    }
    double period = phase ? 2 * PI / p.omega : 2 * PI; /* T0 < 2 pi / sqrt(1) for the escapement here */
    if (!square && !net && (p.transient + 20.0 * (double)p.periods * period) / p.dt > CK_MAX_STEPS) {
        snprintf(why, len, "dt = %g: up to %.3g steps per trajectory, at most %.0e", p.dt,
                 (p.transient + 20.0 * (double)p.periods * period) / p.dt, CK_MAX_STEPS);
        return TL_ERR_INPUT;
    }
    double t0 = !phase && !lif && !square && !net ? ck_cycle_find(&p) : 0;
    if (isnan(t0)) {
        snprintf(why, len, "chi = %g, bias = %g: no limit cycle (the orbit settles on the fixed point x* = %g; "
                 "chi_h = %g at bias 0)", p.chi, p.eps, p.x_fixed, ck_chi_hopf(p.gamma, p.kappa));
        return TL_ERR_INPUT;
    }
    if (p.path_samples > 0 && (phase ? !square : net)) {
        snprintf(why, len, "path_samples = %zu: sample paths belong to drive = constant, lif or square "
                 "(escapement) and drive = square (phase)", p.path_samples);
        return TL_ERR_INPUT;
    }
    long path_steps = lif      ? lround(p.lif.tau / p.dt)
                      : square ? lround(ck_square_end(&p) / p.dt)
                               : llround((p.transient + (double)p.periods * t0) / p.dt);
    if (p.path_samples > 0 && (double)p.path_samples > (double)path_steps) {
        snprintf(why, len, "path_samples = %zu is more than the %ld steps of the sampled span", p.path_samples,
                 path_steps);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int ck_extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (e != CX_BLOCK_EXACT) return 0;
    dims[0] = CK_N_BLOCKS;
    return 1;
}

static int ck_profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    if (v == 1) {
        dims[0] = (size_t)tl_point_int(pt, "path_samples");
        ck_params p = {.oscillator = tl_point_choice(pt, "oscillator"), .drive = tl_point_choice(pt, "drive")};
        dims[1] = ck_path_components(&p);
        return 2;
    }
    dims[0] = CK_N_BLOCKS;
    return 1;
}

static void *ck_point_alloc(const tl_point *pt)
{
    ck_state_point *s = tl_calloc(1, sizeof *s, "clock");
    s->p = ck_point_params(pt);
    const ck_params *p = &s->p;
    s->count_mean = s->count_var = NAN;
    if (p->oscillator == CK_PHASE) {
        s->t0 = 2 * PI / p->omega;
        if (p->drive == CK_SQUARE) {
            s->rate_high = p->omega * (1 + p->square.theta) / (2 * PI);
            s->rate_low = p->omega * (1 - p->square.theta) / (2 * PI);
            if (p->square.theta == 0)
                ck_wald_count_moments(p->omega, ck_sigma(p), p->radius, ck_square_end(p), &s->count_mean,
                                      &s->count_var);
        }
    } else if (p->drive == CK_SQUARE) {
        /* the adiabatic rates 1/T0 at the two levels; start on the cycle of the first (high) level */
        double chi = p->chi;
        s->p.chi = chi * (1 - p->square.theta);
        double t_low = ck_cycle_find(&s->p);
        s->p.chi = chi * (1 + p->square.theta);
        s->t0 = ck_cycle_find(&s->p);
        s->p.chi = chi;
        if (isnan(s->t0)) s->p.x0 = s->p.y0 = s->p.v0 = 0; /* no cycle: at rest at the fixed point */
        s->rate_high = isnan(s->t0) ? 0 : 1 / s->t0;
        s->rate_low = isnan(t_low) ? 0 : 1 / t_low;
    } else if (p->drive == CK_NETWORK) {
        /* each input on its deterministic cycle (at rest where it has none); their rates 1/T0 */
        double rate[2];
        for (int i = 0; i < 2; i++) {
            ck_params in = *p;
            in.chi = p->net.chi * (1 + p->net.theta * p->net.x[i]);
            double t0 = ck_cycle_find(&in);
            s->p.net.start[i] = isnan(t0) ? (ck_state){0, 0, 0} : (ck_state){in.x0, in.y0, in.v0};
            rate[i] = isnan(t0) ? 0 : 1 / t0;
        }
        s->rate_high = rate[0], s->rate_low = rate[1];
        s->t0 = ck_cycle_find(&s->p); /* the output's at full coupling, for the record */
        s->lif_mean = NAN;
        s->lif_var = ck_lif_var(&p->lif, ck_lif_end(p));
        s->j_approx = ck_network_j_approx(p, rate);
    } else if (p->drive == CK_LIF) {
        s->t0 = ck_cycle_find(&s->p); /* of the full coupling chi, for the record (NaN: none) */
        s->lif_mean = ck_lif_mean(&p->lif, ck_lif_end(p));
        s->lif_var = ck_lif_var(&p->lif, ck_lif_end(p));
    } else {
        s->t0 = ck_cycle_find(&s->p);
        if (isnan(s->t0)) error("clock: no limit cycle at point %zu", pt->index);
    }
    s->p.max_time = p->transient + 20.0 * (double)p->periods * s->t0;
    s->p.path_steps = p->drive == CK_LIF      ? lround(p->lif.tau / p->dt)
                      : p->drive == CK_SQUARE ? lround(ck_square_end(p) / p->dt)
                                              : llround((p->transient + (double)p->periods * s->t0) / p->dt);
    return s;
}

static void ck_point_free(void *state)
{
    free(state);
}

/* E[phase_rate] of the phase clock under the square drive: omega (t + theta S(t))/(2 pi t), exactly
 * (the drift of every step is integrated exactly); NaN otherwise. */
static double phase_rate_exact(const ck_params *p)
{
    if (p->oscillator != CK_PHASE || p->drive != CK_SQUARE) return NAN;
    double t = ck_square_end(p);
    return p->omega * (t + p->square.theta * ck_square_integral(&p->square, t)) / (2 * PI * t);
}

static double phase_rate_var_exact(const ck_params *p)
{
    if (p->oscillator != CK_PHASE || p->drive != CK_SQUARE) return NAN;
    return ck_sigma(p) / (p->radius * p->radius * 4 * PI * PI * ck_square_end(p));
}

static double finite_or_zero(double x)
{
    return isfinite(x) ? x : 0;
}

static void ck_simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                        double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    const ck_state_point *s = state;
    size_t S = profile[1] ? s->p.path_samples : 0;
    /* every drive: the whole batch at once, vectors across it; the sample paths straight into the profile */
    ck_path *all = tl_malloc(count * sizeof *all, "clock paths");
    if (s->p.drive == CK_CONSTANT) ck_trajectories(&s->p, key, first, count, all, S ? profile[1] : NULL, count);
    if (s->p.drive == CK_LIF) ck_lif_trajectories(&s->p, key, first, count, all, S ? profile[1] : NULL, count);
    if (s->p.drive == CK_SQUARE) ck_square_trajectories(&s->p, key, first, count, all, S ? profile[1] : NULL, count);
    if (s->p.drive == CK_NETWORK) ck_network_trajectories(&s->p, key, first, count, all);
    for (size_t b = 0; b < count; b++) {
        ck_path c = all[b];
        double dev = c.lif_j - s->lif_mean;
        double w = c.window > 0 ? c.window : 1;
        int square = s->p.drive == CK_SQUARE, net = s->p.drive == CK_NETWORK;
        if (net) dev = c.phase_advance, c.phase_advance = NAN; /* J - J_det: the synapse's own noise */
        double passages = c.count_high + c.count_low, count_dev = passages - s->count_mean;
        double phase_rate = c.phase_advance / (2 * PI * w), phase_dev = phase_rate - phase_rate_exact(&s->p);
        double values[CO_N] = {
            [CO_PERIOD] = c.period_mean, [CO_VAR] = c.interval_var, [CO_LAG1] = c.lag1,
            [CO_FIRST] = c.first_period, [CO_INTERVALS] = (double)c.intervals,
            [CO_DIFFUSION] = c.block_var[CK_N_BLOCKS - 1], [CO_WORK_RATE] = c.work / w,
            [CO_DISSIPATION] = -c.heat / w, [CO_WORK] = c.work, [CO_HEAT] = c.heat,
            [CO_ENERGY] = c.energy_change, [CO_HEAT_NOISE] = c.heat - c.heat_predicted, [CO_Y2] = c.y2_mean,
            [CO_R2] = c.r2_mean, [CO_LIF_J] = c.lif_j, [CO_LIF_DEV] = s->p.drive == CK_LIF || net ? dev * dev : 0,
            [CO_LIF_COUNT] = c.lif_count, [CO_FIRE] = s->p.drive == CK_LIF || net ? c.fire_probability : 0,
            [CO_COUNT] = passages, [CO_COUNT_DEV] = count_dev * count_dev,
            [CO_RATE_HIGH] = square ? c.count_high / c.time_high : net ? c.count_high / w : 0,
            [CO_RATE_LOW] = square ? c.count_low / c.time_low : net ? c.count_low / w : 0,
            [CO_PHASE_RATE] = phase_rate, [CO_PHASE_DEV] = phase_dev * phase_dev,
        };
        /* a clock stopped by the noise before two passages has no period: 0, and `intervals` says so */
        for (size_t o = 0; o < CO_N; o++) out[o][b] = finite_or_zero(values[o]);
        if (profile[0])
            for (size_t k = 0; k < CK_N_BLOCKS; k++) profile[0][k * count + b] = finite_or_zero(c.block_var[k]);
    }
    free(all);
}

static void ck_extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const ck_state_point *s = state;
    const ck_params *p = &s->p;
    int phase = p->oscillator == CK_PHASE;
    double sigma = ck_sigma(p);
    switch (e) {
    case CX_PERIOD_EXACT: out[0] = phase ? ck_wald_mean(p->omega) : NAN; break;
    case CX_VAR_EXACT: out[0] = phase ? ck_wald_var(p->omega, sigma, p->radius) : NAN; break;
    case CX_NOISE_EXACT: out[0] = phase ? NAN : 0; break;
    case CX_T0: out[0] = s->t0; break;
    case CX_PERIOD_PAPER: out[0] = 2 * PI; break;
    case CX_RADIUS_PAPER: out[0] = phase ? NAN : ck_paper_radius(p->gamma, p->kappa, p->chi); break;
    case CX_GROWTH: out[0] = phase ? NAN : ck_fixed_point_growth(p->gamma, p->kappa, p->chi, p->eps); break;
    case CX_HOPF_BIAS: out[0] = phase ? NAN : ck_hopf_bias(p->gamma, p->kappa, p->chi); break;
    case CX_CHI_HOPF: out[0] = phase ? NAN : ck_chi_hopf(p->gamma, p->kappa); break;
    case CX_X_FIXED: out[0] = phase ? NAN : p->x_fixed; break;
    case CX_LIF_MEAN_EXACT: out[0] = !phase && p->drive == CK_LIF ? s->lif_mean : NAN; break;
    case CX_LIF_VAR_EXACT: out[0] = !phase && (p->drive == CK_LIF || p->drive == CK_NETWORK) ? s->lif_var : NAN; break;
    case CX_NET_J: out[0] = p->drive == CK_NETWORK ? s->j_approx : NAN; break;
    case CX_COUNT_EXACT: out[0] = s->count_mean; break;
    case CX_COUNT_VAR_EXACT: out[0] = s->count_var; break;
    case CX_PRATE_EXACT: out[0] = phase_rate_exact(p); break;
    case CX_PVAR_EXACT: out[0] = phase_rate_var_exact(p); break;
    case CX_RATE_HIGH_AD: out[0] = p->drive == CK_SQUARE ? s->rate_high : NAN; break;
    case CX_RATE_LOW_AD: out[0] = p->drive == CK_SQUARE ? s->rate_low : NAN; break;
    case CX_RATE_AD: {
        if (p->drive != CK_SQUARE) {
            out[0] = NAN;
            break;
        }
        double t = ck_square_end(p), high = (t + ck_square_integral(&p->square, t)) / 2;
        out[0] = (high * s->rate_high + (t - high) * s->rate_low) / t;
        break;
    }
    case CX_BLOCK_EXACT:
        for (size_t k = 0; k < CK_N_BLOCKS; k++) out[k] = phase ? ck_wald_var(p->omega, sigma, p->radius) : NAN;
        return;
    }
    out[0] += 0.0; /* -0 -> +0: the engine sums per-point datasets over ranks */
}

static void ck_summarize(void *state, const tl_moments *m, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const ck_state_point *s = state;
    const ck_params *p = &s->p;
    int phase = p->oscillator == CK_PHASE;
    double sigma = ck_sigma(p);
    double r2 = phase ? p->radius * p->radius : m[CO_R2].mean;
#define MEAN(o) (m[o].mean)
#define SE(o) (sqrt(tl_moments_variance(&m[o]) / m[o].n))
    switch (e) {
    case CX_PERIOD: out[0] = MEAN(CO_PERIOD); break;
    case CX_PERIOD_ERR: out[0] = SE(CO_PERIOD); break;
    case CX_VAR: out[0] = MEAN(CO_VAR); break;
    case CX_VAR_ERR: out[0] = SE(CO_VAR); break;
    case CX_NOISE: out[0] = MEAN(CO_HEAT_NOISE); break;
    case CX_NOISE_ERR: out[0] = SE(CO_HEAT_NOISE); break;
    case CX_VAR_PAPER: out[0] = 2 * PI * sigma / sqrt(r2); break;
    case CX_VAR_AVERAGED: out[0] = (phase ? 2 : 1) * PI * sigma / r2; break;
    case CX_DIFF: out[0] = MEAN(CO_DIFFUSION); break;
    case CX_DIFF_ERR: out[0] = SE(CO_DIFFUSION); break;
    case CX_DISS: out[0] = phase ? NAN : MEAN(CO_DISSIPATION); break;
    case CX_DISS_ERR: out[0] = phase ? NAN : SE(CO_DISSIPATION); break;
    case CX_DISS_IDENTITY: out[0] = phase ? NAN : p->kappa * MEAN(CO_Y2) - sigma / 2; break;
    case CX_DISS_PAPER: out[0] = phase ? NAN : p->kappa * r2 / 2; break;
    case CX_RADIUS: out[0] = sqrt(r2); break;
    case CX_LIF_MEAN: out[0] = MEAN(CO_LIF_J); break;
    case CX_LIF_MEAN_ERR: out[0] = SE(CO_LIF_J); break;
    case CX_LIF_VAR: out[0] = MEAN(CO_LIF_DEV); break;
    case CX_LIF_VAR_ERR: out[0] = SE(CO_LIF_DEV); break;
    case CX_COUNT: out[0] = MEAN(CO_COUNT); break;
    case CX_COUNT_ERR: out[0] = SE(CO_COUNT); break;
    case CX_COUNT_VAR: out[0] = MEAN(CO_COUNT_DEV); break;
    case CX_COUNT_VAR_ERR: out[0] = SE(CO_COUNT_DEV); break;
    case CX_PRATE: out[0] = MEAN(CO_PHASE_RATE); break;
    case CX_PRATE_ERR: out[0] = SE(CO_PHASE_RATE); break;
    case CX_PVAR: out[0] = MEAN(CO_PHASE_DEV); break;
    case CX_PVAR_ERR: out[0] = SE(CO_PHASE_DEV); break;
    case CX_RATE_HIGH: out[0] = MEAN(CO_RATE_HIGH); break;
    case CX_RATE_HIGH_ERR: out[0] = SE(CO_RATE_HIGH); break;
    case CX_RATE_LOW: out[0] = MEAN(CO_RATE_LOW); break;
    case CX_RATE_LOW_ERR: out[0] = SE(CO_RATE_LOW); break;
    case CX_RATE_OUT: out[0] = p->drive == CK_SQUARE ? MEAN(CO_COUNT) / ck_square_end(p) : NAN; break;
    case CX_RATE_OUT_ERR: out[0] = p->drive == CK_SQUARE ? SE(CO_COUNT) / ck_square_end(p) : NAN; break;
    case CX_FANO: out[0] = tl_moments_variance(&m[CO_COUNT]) / MEAN(CO_COUNT); break;
    case CX_NET_COUNT: out[0] = p->drive == CK_NETWORK ? MEAN(CO_LIF_COUNT) : NAN; break;
    case CX_NET_COUNT_ERR: out[0] = p->drive == CK_NETWORK ? SE(CO_LIF_COUNT) : NAN; break;
    }
#undef MEAN
#undef SE
}

static size_t ck_check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec phase[] = {{TL_CHECK_TRIPLE, .estimate = "period_mean"},
                                          {TL_CHECK_TRIPLE, .estimate = "interval_var"},
                                          {TL_CHECK_TRIPLE, .estimate = "block_variance"}};
    static const tl_check_spec escapement[] = {{TL_CHECK_TRIPLE, .estimate = "heat_noise"},
                                               {TL_CHECK_TRIPLE, .estimate = "lif_j_mean"},
                                               {TL_CHECK_TRIPLE, .estimate = "lif_j_var"}};
    /* the rate code: the phase clock's phase rate, its variance and the count's moments (exact at
     * theta = 0, skipped as NaN elsewhere); the escapement's heat martingale */
    static const tl_check_spec phase_square[] = {{TL_CHECK_TRIPLE, .estimate = "phase_rate"},
                                                 {TL_CHECK_TRIPLE, .estimate = "phase_rate_var"},
                                                 {TL_CHECK_TRIPLE, .estimate = "count_mean"},
                                                 {TL_CHECK_TRIPLE, .estimate = "count_var"}};
    int is_phase = tl_point_choice(pt, "oscillator") == CK_PHASE, drive = tl_point_choice(pt, "drive");
    if (is_phase && drive == CK_SQUARE) {
        *checks = phase_square;
        return 4;
    }
    /* the network: the heat martingale of the output clock and the synapse's own noise, exact */
    static const tl_check_spec network[] = {{TL_CHECK_TRIPLE, .estimate = "heat_noise"},
                                            {TL_CHECK_TRIPLE, .estimate = "lif_j_var"}};
    if (drive == CK_NETWORK) {
        *checks = network;
        return 2;
    }
    *checks = is_phase ? phase : escapement;
    return is_phase ? 3 : drive == CK_LIF ? 3 : 1;
}
static const tl_model_checks ck_checks = {ck_check_list, NULL, NULL};

const tl_model_type tl_model_clock = {
    .name = "clock",
    .description = "noisy limit-cycle clock: escapement SDE (eqs. 102-104) or its phase reduction, periods against "
                   "the Wald law, dissipated power (Milburn section 6)",
    .params = ck_param_table,
    .n_params = CK_N_PARAMS,
    .observables = ck_observables,
    .n_observables = CO_N,
    .extras = ck_extras,
    .n_extras = CX_N,
    .profiles = ck_profiles,
    .n_profiles = 2,
    .default_temperature = 0, /* required: T = sigma/(2 kappa) sets the phase noise */
    .directions = ck_directions,
    .validate = ck_validate,
    .extra_shape = ck_extra_shape,
    .profile_shape = ck_profile_shape,
    .point_alloc = ck_point_alloc,
    .point_free = ck_point_free,
    .simulate = ck_simulate,
    .extra_fill = ck_extra_fill,
    .summarize = ck_summarize,
    .bench = milburn_clock_bench,
    .checks = &ck_checks,
};
