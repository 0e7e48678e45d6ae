/* Engine glue of the sampled-switch gates (Milburn sections 4.1 and 5, model
 * `gate`): parameters, observables, profiles, per-point datasets, checks.
 * Physics in gate.c and gate_exact.c (gate.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "thermolearn/error.h"
#include "thermolearn/model.h"
#include "thermolearn/status.h"

/* clock_gate_bench.c */
int milburn_gate_bench(int argc, char **argv);

#define GT_MAX_RECORDS 100000
#define GT_IFT_MAX_EPOCHS 8

static const tl_param_spec gt_param_table[] = {
    {"task", TL_PARAM_CHOICE, "not", 0, 0, 0, "not|xor", "",
     "not: one stochastic perceptron learns NOT (Fig. 15, eq. 63); xor: a 2-2-1 network of switches learns XOR "
     "(Fig. 18, eqs. 72 and 75), the sampled hidden outputs feeding the output switch"},
    {"samples", TL_PARAM_INT, "200", 1, 1000, 0, NULL, "1", "M: samplings of the switch (the network) per epoch"},
    {"epochs", TL_PARAM_INT, "200", 1, 10000000, 0, NULL, "1", "epochs (trials) per trajectory"},
    {"learning_rate", TL_PARAM_REAL, "1", 0, 1e6, 0, NULL, "1", "eta of eqs. 63, 72, 75"},
    {"w0", TL_PARAM_REAL, "0.01", -1e3, 1e3, 0, NULL, "1", "not: initial weight (Fig. 15: 0.01)"},
    {"b0", TL_PARAM_REAL, "1", -1e3, 1e3, 0, NULL, "1", "not: initial bias (Fig. 15: 1)"},
    {"work_state", TL_PARAM_CHOICE, "fresh", 0, 0, 0, "fresh|last", "",
     "not: the switch state when A changes; fresh: one extra equilibration unseen by the feedback (the integral "
     "fluctuation theorem holds exactly); last: the last feedback sample (information: it need not hold)"},
    {"xor_start", TL_PARAM_CHOICE, "caption", 0, 0, 0, "caption|transposed", "",
     "xor: Fig. 18's initial values, wh = [[-5, 8], [-2, 3]] (row input i, column hidden j), bh = (-1, -3), "
     "wo = (-2, -3), b3 = -1; transposed: wh transposed (the other reading of the garbled caption)"},
    {"hidden_rule", TL_PARAM_CHOICE, "chain", 0, 0, 0, "chain|paper", "",
     "xor: eq. 75 with beta^2 (the chain rule: the gradient of the mean-field error) or with beta (as printed)"},
    {"record_every", TL_PARAM_INT, "10", 1, 10000000, 0, NULL, "1", "epochs between records of the learning curve"},
    {"target", TL_PARAM_REAL, "0.1", 0, 1, 0, NULL, "1", "exact error below which a run counts as solved"},
};
#define GT_N_PARAMS (sizeof gt_param_table / sizeof gt_param_table[0])

enum { GO_ERROR, GO_SOLVED, GO_EPOCHS, GO_WORK, GO_HEAT, GO_ENERGY, GO_DF, GO_IFT, GO_ENTROPY, GO_MEAN_ENERGY, GO_N };
static const tl_observable gt_observables[] = {
    {"final_error", "1", "exact expected error of the final weights, averaged over the inputs (the physical network)"},
    {"solved", "1", "1 if final_error < target"},
    {"epochs_to_target", "1", "first recorded epoch with exact error < target; epochs + 1 if never"},
    {"work", "energy", "not: sum over the changes of A of E_n(A_k) - E_n(A_{k-1}) at the switch state n, E_n(A) = -n A/2"},
    {"heat", "energy", "not: absorbed; the energy changes of the re-equilibrations (samplings)"},
    {"energy_change", "energy", "not: E_{n_end}(A_end) - E_{n_0}(A_1); = work + heat per trajectory"},
    {"delta_f", "energy", "not: F(A_end) - F(A_1), F(A) = -T ln 2 cosh(beta A/2): random (the weights are)"},
    {"ift", "1", "not: exp(-beta (work - delta_f)); mean 1 exactly with work_state = fresh"},
    {"entropy_change", "1", "not: Shannon entropy of the switch, S(A_end) - S(A_1) (eq. 92 summed)"},
    {"mean_energy_change", "energy", "not: <E>(A_end) - <E>(A_1), <E>(A) = -tanh(beta A/2) A/2 (eq. 89 summed)"},
};
_Static_assert(sizeof gt_observables / sizeof gt_observables[0] == GO_N, "gate observables");

enum { GP_ERROR, GP_SAMPLED, GP_WEIGHTS, GP_FINAL, GP_FIRST, GP_N };
static const tl_profile gt_profiles[] = {
    {"error_exact", "1", "exact expected error of the weights at the recorded epochs [point, record]"},
    {"error_sampled", "1",
     "eq. 65: (1 - n_T nbar)/2 of the epoch that produced the recorded weights (record 0: epoch 1) [point, record]"},
    {"weights", "1", "weights at the recorded epochs; not: w, b; xor: wh11 wh12 wh21 wh22 bh1 bh2 wo1 wo2 b3 "
                     "[point, record, weight]"},
    {"final_weights", "1", "weights after the last epoch, in the order of `weights` [point, weight]"},
    {"first_update", "1", "the update of the first epoch, in the order of `weights` [point, weight]"},
};

enum { GX_FIRST_EXACT, GX_IFT, GX_IFT_ERR, GX_IFT_EXACT, GX_ERROR_INITIAL, GX_RECORDS, GX_CAPTION, GX_N };
static const tl_extra gt_extras[] = {
    {"first_update_exact", TL_EXTRA_F64, "1",
     "E[first update] exact for every M: not: E[nbar^2] = n^2 + (1 - n^2)/M; xor: enumeration of the multinomial "
     "counts of (n_hj, n_o) (NaN for samples > 400) [point, weight]", 0},
    {"ift", TL_EXTRA_F64, "1", "<exp(-beta (W - Delta F))> over the trajectories (not) [point]", 1},
    {"ift_err", TL_EXTRA_F64, "1", "standard error of ift [point]", 1},
    {"ift_exact", TL_EXTRA_F64, "1", "1 for task = not with work_state = fresh (a martingale; declared to check for epochs <= 8); NaN otherwise [point]", 0},
    {"error_initial_exact", TL_EXTRA_F64, "1", "exact expected error of the initial weights [point]", 0},
    {"record_epochs", TL_EXTRA_F64, "1", "the epochs of the records [point, record]", 0},
    {"caption_weights", TL_EXTRA_F64, "1",
     "the final weights printed in Fig. 15's caption for this beta (not: 1, 0.1, 0.05); NaN otherwise (Fig. 18's "
     "caption gives no final weights) [point, weight]", 0},
};
_Static_assert(sizeof gt_extras / sizeof gt_extras[0] == GX_N, "gate extras");

typedef struct {
    gt_params p;
    double first_exact[GT_MAX_WEIGHTS];
} gt_state;

static gt_params gt_point_params(const tl_point *pt)
{
    gt_params p = {
        .task = tl_point_choice(pt, "task"), .beta = tl_point_real(pt, "beta"),
        .samples = (long)tl_point_int(pt, "samples"), .epochs = (long)tl_point_int(pt, "epochs"),
        .eta = tl_point_real(pt, "learning_rate"), .hidden_rule = tl_point_choice(pt, "hidden_rule"),
        .work_state = tl_point_choice(pt, "work_state"), .record_every = (long)tl_point_int(pt, "record_every"),
        .target = tl_point_real(pt, "target"),
    };
    if (p.task == GT_NOT) {
        p.start[0] = tl_point_real(pt, "w0"), p.start[1] = tl_point_real(pt, "b0");
    } else {
        static const double caption[GT_MAX_WEIGHTS] = {-5, 8, -2, 3, -1, -3, -2, -3, -1};
        memcpy(p.start, caption, sizeof caption);
        if (tl_point_choice(pt, "xor_start") == GT_TRANSPOSED) p.start[GX_WH + 1] = -2, p.start[GX_WH + 2] = 8;
    }
    return p;
}

static size_t gt_directions(const tl_point *pt, const char *const **names)
{
    static const char *const one[] = {"forward"};
    *names = one;
    return 1;
}

static int gt_validate(const tl_point *pt, char *why, size_t len)
{
    gt_params p = gt_point_params(pt);
    static const char *const not_keys[] = {"w0", "b0", "work_state", NULL};
    static const char *const xor_keys[] = {"xor_start", "hidden_rule", NULL};
    for (const char *const *key = p.task == GT_NOT ? xor_keys : not_keys; *key; key++)
        if (tl_point_given(pt, *key)) {
            snprintf(why, len, "%s belongs to task = %s", *key, p.task == GT_NOT ? "xor" : "not");
            return TL_ERR_INPUT;
        }
    if (gt_n_records(&p) > GT_MAX_RECORDS) {
        snprintf(why, len, "record_every = %ld: %zu records of the learning curve, at most %d", p.record_every,
                 gt_n_records(&p), GT_MAX_RECORDS);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static int gt_profile_shape(const tl_point *pt, size_t v, size_t dims[TL_MAX_EXTRA_RANK])
{
    gt_params p = gt_point_params(pt);
    switch (v) {
    case GP_ERROR:
    case GP_SAMPLED: dims[0] = gt_n_records(&p); return 1;
    case GP_WEIGHTS: dims[0] = gt_n_records(&p), dims[1] = gt_n_weights(&p); return 2;
    default: dims[0] = gt_n_weights(&p); return 1;
    }
}

static int gt_extra_shape(const tl_point *pt, size_t e, size_t dims[TL_MAX_EXTRA_RANK])
{
    gt_params p = gt_point_params(pt);
    switch (e) {
    case GX_FIRST_EXACT:
    case GX_CAPTION: dims[0] = gt_n_weights(&p); return 1;
    case GX_RECORDS: dims[0] = gt_n_records(&p); return 1;
    default: return 0;
    }
}

static void *gt_point_alloc(const tl_point *pt)
{
    gt_state *s = tl_calloc(1, sizeof *s, "gate");
    s->p = gt_point_params(pt);
    gt_first_update_exact(&s->p, s->first_exact);
    return s;
}

static void gt_point_free(void *state)
{
    free(state);
}

static void gt_simulate(void *state, const tl_stream_key *key, uint64_t first, size_t count,
                        double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES])
{
    const gt_state *s = state;
    const gt_params *p = &s->p;
    gt_path *paths = tl_malloc(count * sizeof *paths, "gate paths");
    gt_trajectories(p, key, first, count, paths, profile[GP_ERROR], profile[GP_SAMPLED], profile[GP_WEIGHTS]);
    for (size_t b = 0; b < count; b++) {
        const gt_path g = paths[b];
        double values[GO_N] = {
            [GO_ERROR] = g.error_final, [GO_SOLVED] = g.error_final < p->target,
            [GO_EPOCHS] = (double)g.epochs_to_target, [GO_WORK] = g.work, [GO_HEAT] = g.heat,
            [GO_ENERGY] = g.energy_change, [GO_DF] = g.delta_f,
            [GO_IFT] = p->task == GT_NOT ? exp(-p->beta * (g.work - g.delta_f)) : 0,
            [GO_ENTROPY] = g.entropy_change, [GO_MEAN_ENERGY] = g.mean_energy_change,
        };
        for (size_t o = 0; o < GO_N; o++) out[o][b] = values[o];
        for (size_t i = 0; i < gt_n_weights(p); i++) {
            if (profile[GP_FINAL]) profile[GP_FINAL][i * count + b] = g.weights[i];
            if (profile[GP_FIRST]) profile[GP_FIRST][i * count + b] = g.first_update[i];
        }
    }
    free(paths);
}

/* Fig. 15's caption: final (w, b) for beta = 1, 0.1, 0.05. */
static void caption_weights(const gt_params *p, double *out)
{
    static const struct { double beta, w, b; } caption[] = {{1, -4.43, 0.01}, {0.1, -2.99, 0.01}, {0.05, -2.54, 0.04}};
    out[0] = out[1] = NAN;
    if (p->task != GT_NOT) {
        for (size_t i = 0; i < gt_n_weights(p); i++) out[i] = NAN;
        return;
    }
    for (size_t k = 0; k < 3; k++)
        if (fabs(p->beta - caption[k].beta) < 1e-12) out[0] = caption[k].w, out[1] = caption[k].b;
}

static void gt_extra_fill(void *state, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const gt_state *s = state;
    const gt_params *p = &s->p;
    size_t n = 1;
    switch (e) {
    case GX_FIRST_EXACT:
        n = gt_n_weights(p);
        memcpy(out, s->first_exact, n * sizeof *out);
        break;
    case GX_IFT_EXACT: out[0] = p->task == GT_NOT && p->work_state == GT_FRESH ? 1 : NAN; break;
    case GX_ERROR_INITIAL: out[0] = gt_error_exact(p, p->start); break;
    case GX_RECORDS:
        n = gt_n_records(p);
        for (size_t k = 0; k < n; k++) out[k] = (double)gt_record_epoch(p, k);
        break;
    case GX_CAPTION:
        n = gt_n_weights(p);
        caption_weights(p, out);
        break;
    }
    for (size_t i = 0; i < n; i++) out[i] += 0.0; /* -0 -> +0: per-point datasets are summed over ranks */
}

static void gt_summarize(void *state, const tl_moments *m, size_t e, const size_t dims[TL_MAX_EXTRA_RANK], double *out)
{
    const gt_state *s = state;
    int on = s->p.task == GT_NOT;
    if (e == GX_IFT) out[0] = on ? m[GO_IFT].mean : NAN;
    if (e == GX_IFT_ERR) out[0] = on ? sqrt(tl_moments_variance(&m[GO_IFT]) / m[GO_IFT].n) : NAN;
}

static size_t gt_check_list(const tl_point *pt, const tl_check_spec **checks)
{
    static const tl_check_spec fresh[] = {{TL_CHECK_TRIPLE, .estimate = "first_update"},
                                          {TL_CHECK_TRIPLE, .estimate = "ift"}};
    /* <e^{-beta(W - Delta F)}> = 1 holds for any length, but beyond a few epochs the average is carried by
     * trajectories too rare to sample (W grows like the epochs), and its standard error means nothing */
    int with_ift = tl_point_choice(pt, "task") == GT_NOT && tl_point_choice(pt, "work_state") == GT_FRESH &&
                   tl_point_int(pt, "epochs") <= GT_IFT_MAX_EPOCHS;
    *checks = fresh;
    return with_ift ? 2 : 1;
}
static const tl_model_checks gt_checks = {gt_check_list, NULL, NULL};

const tl_model_type tl_model_gate = {
    .name = "gate",
    .description = "NOT and XOR learned by stochastic switches sampled M times per epoch, with the thermal "
                   "bookkeeping of the NOT switch (Milburn sections 4.1 and 5)",
    .params = gt_param_table,
    .n_params = GT_N_PARAMS,
    .observables = gt_observables,
    .n_observables = GO_N,
    .extras = gt_extras,
    .n_extras = GX_N,
    .profiles = gt_profiles,
    .n_profiles = GP_N,
    .default_temperature = 0, /* required: beta is the switch's steepness (eq. 61) */
    .directions = gt_directions,
    .validate = gt_validate,
    .extra_shape = gt_extra_shape,
    .profile_shape = gt_profile_shape,
    .point_alloc = gt_point_alloc,
    .point_free = gt_point_free,
    .simulate = gt_simulate,
    .extra_fill = gt_extra_fill,
    .summarize = gt_summarize,
    .bench = milburn_gate_bench,
    .checks = &gt_checks,
};
