/* The model's check declaration, written into the output as /checks: what
 * `thermolearn check` compares, so that check reads the file alone and knows
 * no model (docs/check.md).
 *
 *   /checks                         group; attribute n_checks
 *   /checks/<k>, k = 0 .. n-1       group per check: string attributes kind
 *                                   (crooks|exchange|steady|triple), description
 *                                   and the full paths of what it compares
 *   /checks/detailed_balance_broken int8 [P]: 0 where detailed balance holds,
 *                                   k > 0 where it does not, for reason k of its
 *                                   attribute `reasons` (1-based) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/error.h"
#include "thermolearn/output.h"

const char *const tl_check_kind_names[TL_CHECK_KINDS] = {"crooks", "exchange", "steady", "triple"};

#define MAX_REASONS 16

static const char *const kind_descriptions[TL_CHECK_KINDS] = {
    "Crooks pair: BAR from the forward and reverse histograms (and samples) against the exact dF",
    "heat-exchange theorem: ML slope of ln P(Q)/P(-Q) against beta_initial - beta",
    "steady-state rate along trajectories against its exact value, within 3 standard errors",
    "X against X_exact in units of X_err, every component (union bound over the components of a point)",
};

/* One check's attributes: the kind, and each of its objects as a full path. */
static void write_check(tl_output *out, const tl_config *cfg, const char *const *directions, size_t n_directions,
                        const tl_check_spec *c, size_t k)
{
    const char *model = cfg->model->name;
    char group[64], a[256], b[256], x[256];
    snprintf(group, sizeof group, "/checks/%zu", k);
    tl_output_group(out, group, kind_descriptions[c->kind]);
    tl_output_attr_string(out, group, "kind", tl_check_kind_names[c->kind]);
    switch (c->kind) {
    case TL_CHECK_CROOKS:
        if (n_directions != 2) error("model %s: a Crooks check needs two directions, it has %zu", model, n_directions);
        snprintf(a, sizeof a, "/%s/%s", c->observable, directions[0]);
        snprintf(b, sizeof b, "/%s/%s", c->observable, directions[1]);
        snprintf(x, sizeof x, "/%s/%s", model, c->exact);
        tl_output_attr_string(out, group, "forward", a);
        tl_output_attr_string(out, group, "reverse", b);
        tl_output_attr_string(out, group, "exact", x);
        break;
    case TL_CHECK_EXCHANGE:
        if (n_directions != 1) error("model %s: a heat-exchange check needs one direction, it has %zu", model, n_directions);
        snprintf(a, sizeof a, "/%s/%s", c->observable, directions[0]);
        snprintf(x, sizeof x, "/%s/%s", model, c->exact);
        tl_output_attr_string(out, group, "histogram", a);
        tl_output_attr_string(out, group, "beta_initial", x);
        break;
    case TL_CHECK_STEADY:
    case TL_CHECK_TRIPLE:
        snprintf(a, sizeof a, "/%s/%s", model, c->estimate);
        if (c->error) snprintf(b, sizeof b, "/%s/%s", model, c->error);
        else snprintf(b, sizeof b, "/%s/%s_err", model, c->estimate);
        if (c->exact) snprintf(x, sizeof x, "/%s/%s", model, c->exact);
        else snprintf(x, sizeof x, "/%s/%s_exact", model, c->estimate);
        tl_output_attr_string(out, group, "estimate", a);
        tl_output_attr_string(out, group, "error", b);
        tl_output_attr_string(out, group, "exact", x);
        if (c->kind == TL_CHECK_STEADY) tl_output_attr_string(out, group, "column", c->column ? c->column : "");
        break;
    default: error("model %s: check %zu of unknown kind %d", model, k, (int)c->kind);
    }
}

/* Per point: 0 where detailed balance holds, else 1 + the index of its reason. */
static void write_balance(tl_output *out, const tl_config *cfg)
{
    const tl_model_checks *mc = cfg->model->checks;
    size_t P = cfg->grid.n_points, n = 0;
    const char *reasons[MAX_REASONS];
    double *broken = tl_malloc(P * sizeof *broken, "detailed balance");
    for (size_t p = 0; p < P; p++) {
        tl_point pt;
        tl_config_point(cfg, p, &pt);
        const char *why = mc && mc->broken ? mc->broken(&pt) : NULL;
        tl_config_point_free(&pt);
        size_t r = 0;
        while (why && r < n && strcmp(reasons[r], why) != 0) r++;
        if (why && r == n) {
            if (n == MAX_REASONS) error("model %s: more than %d reasons for no detailed balance", cfg->model->name, MAX_REASONS);
            reasons[n++] = why;
        }
        broken[p] = why ? (double)(r + 1) : 0;
    }
    hsize_t dims[1] = {P};
    const char *path = "/checks/detailed_balance_broken";
    tl_output_write(out, path, H5T_STD_I8LE, H5T_NATIVE_DOUBLE, 1, dims, broken,
                    "0: detailed balance holds at the point, a Crooks or heat-exchange failure is a FAIL; k > 0: it "
                    "does not (reason k of the attribute reasons, 1-based), the theorem need not hold and its "
                    "violation is measured, not failed", "1");
    tl_output_attr_strings(out, path, "reasons", reasons, n);
    tl_output_attr_string(out, path, "broken_by", mc && mc->broken_by ? mc->broken_by : "");
    free(broken);
}

void tl_output_checks(tl_output *out, const tl_config *cfg, const char *const *directions, size_t n_directions)
{
    const tl_model_checks *mc = cfg->model->checks;
    const tl_check_spec *list = NULL;
    size_t n = 0;
    if (mc && mc->list) {
        tl_point pt;
        tl_config_point(cfg, 0, &pt);
        n = mc->list(&pt, &list);
        tl_config_point_free(&pt);
    }
    tl_output_group(out, "/checks", "what `thermolearn check` compares in this file, as the model declares it "
                                    "(docs/check.md): one group per check, in order");
    tl_output_attr_uint64(out, "/checks", "n_checks", n);
    for (size_t k = 0; k < n; k++) write_check(out, cfg, directions, n_directions, &list[k], k);
    write_balance(out, cfg);
}
