/* `thermolearn check`: every estimate per grid point against the exact value,
 * with a verdict.  The file says what to compare: the model's declaration
 * /checks (check_declaration.c; in a file written before it, derived the old
 * way in check_legacy.c): a Crooks pair, the heat-exchange theorem, a
 * steady-state rate, or X/X_err/X_exact triples (check_exact.c), and at which
 * points detailed balance holds.  Nothing here knows a model (docs/check.md).
 *
 * Status 1 is kept for a physics check that fails.  Everything the check
 * reads is first checked against what the writer gives (every dataset
 * present, 64-bit, of the right rank and shape for the file's n_points and
 * bins; histogram counts and outliers summing to the trajectories; samples
 * within the moments' [min, max] and, when all are stored, binning to the
 * counts): a file
 * that is not so is damaged or incomplete, status 2, with a message naming
 * the dataset or attribute, before anything is printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_declaration.h"
#include "check_exact.h"
#include "h5read.h"
#include "thermolearn/crooks.h"
#include "thermolearn/inspect.h"
#include "thermolearn/xft.h"

#define SIGMAS 3.0

typedef struct {
    size_t P, bins, T;
    double *beta, *exact, *mf, *samples_f, *samples_r, *edges_f, *edges_r;
    tl_balance balance; /* where detailed balance does not hold, Crooks may fail on purpose */
    uint64_t *cf, *cr;
    size_t n_axes;
    char **axis_names;
    double **axis_values;
} work_file;

/* The grid axes: /parameters attribute `axes` (one "" when there is no axis)
 * and a dataset /parameters/<axis> of P values for each. */
static void read_axes(tl_h5_file *h, work_file *w)
{
    size_t n = 0;
    char **names = tl_h5_need_strings(h, "/parameters", "axes", &n);
    w->n_axes = 0;
    if (!names) return;
    w->axis_names = calloc(n, sizeof *w->axis_names);
    w->axis_values = calloc(n, sizeof *w->axis_values);
    for (size_t k = 0; k < n; k++) {
        if (!names[k][0]) continue;
        char path[320];
        size_t want[1] = {w->P}, dims[1];
        snprintf(path, sizeof path, "/parameters/%.256s", names[k]);
        w->axis_names[w->n_axes] = strdup(names[k]);
        w->axis_values[w->n_axes++] = tl_h5_need_f64(h, path, 1, want, dims);
    }
    tl_h5_free_strings(names, n);
}

static void print_json_number(double x)
{
    if (isfinite(x)) printf("%.10g", x);
    else printf("null");
}

static void print_point_axes(const work_file *w, size_t p, int json)
{
    for (size_t a = 0; a < w->n_axes; a++) {
        double v = w->axis_values[a] ? w->axis_values[a][p] : NAN;
        if (json) {
            printf(", \"%s\": ", w->axis_names[a]);
            print_json_number(v);
        } else {
            printf(" %10.4g", v);
        }
    }
}

static void print_header_axes(const work_file *w)
{
    printf("%-5s", "point");
    for (size_t a = 0; a < w->n_axes; a++) printf(" %10s", w->axis_names[a]);
}

static void free_axes(work_file *w)
{
    for (size_t a = 0; a < w->n_axes; a++) free(w->axis_names[a]), free(w->axis_values[a]);
    free(w->axis_names), free(w->axis_values);
}

/* A dataset of P values (required), or NULL after a message. */
static double *point_values(tl_h5_file *h, const char *path, size_t P)
{
    size_t want[1] = {P}, dims[1];
    return tl_h5_need_f64(h, path, 1, want, dims);
}

/* A histogram group (/work/forward, /heat/exchange): counts [P, B] (B found
 * here when *B is 0), edges [P, B + 1] increasing, outliers [P, 2], and
 * counts plus outliers equal to the trajectories at every point (every
 * trajectory is binned or counted as an outlier). */
static void read_histogram(tl_h5_file *h, const char *group, size_t P, uint64_t T, size_t *B, uint64_t **counts,
                           double **edges)
{
    char path[128];
    size_t dims[2], want[2] = {P, *B};
    snprintf(path, sizeof path, "%s/counts", group);
    *counts = tl_h5_need_u64(h, path, 2, want, dims);
    if (*counts) *B = dims[1];
    want[1] = 0;
    snprintf(path, sizeof path, "%s/edges", group);
    *edges = *counts ? tl_h5_need_f64(h, path, 2, want, dims) : NULL;
    if (*edges && dims[1] != *B + 1)
        tl_h5_fail(h, path, "%zu edges for the %zu bins of %s/counts (expected %zu)", dims[1], *B, group, *B + 1);
    want[1] = 2;
    snprintf(path, sizeof path, "%s/outliers", group);
    uint64_t *out = *edges ? tl_h5_need_u64(h, path, 2, want, dims) : NULL;
    for (size_t p = 0; out && p < P && !h->bad; p++) {
        uint64_t n = out[2 * p] + out[2 * p + 1];
        for (size_t b = 0; b < *B; b++) n += (*counts)[p * *B + b];
        const double *e = *edges + p * (*B + 1);
        int increasing = 1;
        for (size_t b = 0; b < *B; b++) increasing &= e[b] < e[b + 1];
        snprintf(path, sizeof path, "%s/%s", group, increasing ? "counts" : "edges");
        if (!increasing) tl_h5_fail(h, path, "point %zu: the bin edges do not increase", p);
        else if (n != T)
            tl_h5_fail(h, path, "point %zu: %llu trajectories in the bins and outliers, but trajectories = %llu", p,
                       (unsigned long long)n, (unsigned long long)T);
    }
    free(out);
}

/* ---- heat exchange: the ML slope of ln P(Q)/P(-Q) against beta_1 - beta_2 ---------- */

static void xft_fit_point(const double *samples, size_t T, const uint64_t *counts, const double *edges,
                          size_t bins, tl_xft_fit *fit)
{
    if (samples) {
        tl_xft_slope(samples, NULL, T, fit);
        return;
    }
    double *c = malloc(bins * sizeof *c), *wt = malloc(bins * sizeof *wt);
    for (size_t b = 0; b < bins; b++) c[b] = 0.5 * (edges[b] + edges[b + 1]), wt[b] = (double)counts[b];
    tl_xft_slope(c, wt, bins, fit);
    free(c), free(wt);
}

/* The bin of x as gsl_histogram_increment finds it (range[b] <= x < range[b+1]),
 * or B for an outlier below, B + 1 above. */
static size_t bin_of(double x, const double *e, size_t B)
{
    if (!(x >= e[0])) return B;
    if (x >= e[B]) return B + 1;
    size_t lo = 0, hi = B;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (x >= e[mid]) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* The samples of a histogram group against the rest of it: every sample
 * within the [min, max] of the group's moments (over all trajectories), the
 * mean within them too, and, when every trajectory is stored, the samples
 * binned on the edges give the counts and outliers exactly.  A damaged value
 * would otherwise pass for a physics failure. */
static void verify_samples(tl_h5_file *h, const char *group, size_t P, size_t B, uint64_t trajectories,
                           const uint64_t *counts, const double *edges, const double *samples, size_t T)
{
    char path[128];
    size_t dims[2], want[2] = {P, 4};
    snprintf(path, sizeof path, "%s/moments", group);
    double *m = h->bad ? NULL : tl_h5_need_f64(h, path, 2, want, dims);
    want[1] = 2;
    snprintf(path, sizeof path, "%s/outliers", group);
    uint64_t *out = m ? tl_h5_need_u64(h, path, 2, want, dims) : NULL;
    uint64_t *binned = out ? calloc(B + 2, sizeof *binned) : NULL;
    for (size_t p = 0; binned && p < P && !h->bad; p++) {
        const double *x = samples + p * T, *mp = m + 4 * p;
        if (!(mp[2] <= mp[0] && mp[0] <= mp[3]) && isfinite(mp[0]))
            tl_h5_fail(h, group, "point %zu: the mean %g is outside [min, max] = [%g, %g] of %s/moments", p, mp[0],
                       mp[2], mp[3], group);
        int whole = T == trajectories;
        memset(binned, 0, (B + 2) * sizeof *binned);
        for (size_t t = 0; t < T && !h->bad; t++) {
            if (isnan(x[t])) {
                whole = 0; /* gsl bins NaN somewhere: nothing exact to compare */
                continue;
            }
            if (x[t] < mp[2] || x[t] > mp[3])
                tl_h5_fail(h, group, "point %zu: sample %zu = %g is outside [min, max] = [%g, %g] of %s/moments", p,
                           t, x[t], mp[2], mp[3], group);
            binned[bin_of(x[t], edges + p * (B + 1), B)]++;
        }
        int same = binned[B] == out[2 * p] && binned[B + 1] == out[2 * p + 1];
        for (size_t b = 0; b < B; b++) same &= binned[b] == counts[p * B + b];
        if (whole && !same && !h->bad)
            tl_h5_fail(h, group, "point %zu: the samples, binned on the edges, do not give the counts and outliers", p);
    }
    free(binned), free(out), free(m);
}

/* Every file: P from the root attribute n_points, /parameters/beta and the axes. */
static void load_common(tl_h5_file *h, work_file *w, uint64_t *trajectories)
{
    uint64_t P = 0;
    if (tl_h5_need_uint(h, "/", "n_points", &P) == 0 && (P == 0 || P > (1u << 30)))
        tl_h5_fail(h, "/ attribute n_points", "%llu grid points", (unsigned long long)P);
    tl_h5_need_uint(h, "/", "trajectories", trajectories);
    w->P = (size_t)P;
    size_t want[1] = {w->P}, dims[1];
    w->beta = tl_h5_need_f64(h, "/parameters/beta", 1, want, dims);
    read_axes(h, w);
}

static int check_exchange(tl_h5_file *h, const tl_checks *c, const tl_check_record *r, tl_json *json)
{
    work_file w = {0};
    uint64_t trajectories = 0;
    load_common(h, &w, &trajectories);
    const char *group = r->a;
    read_histogram(h, group, w.P, trajectories, &w.bins, &w.cf, &w.edges_f);
    double *beta1 = point_values(h, r->exact, w.P);
    size_t want[2] = {w.P, 0}, ds[2] = {0, 0};
    char path[320];
    snprintf(path, sizeof path, "%s/samples", group);
    w.samples_f = tl_h5_optional_f64(h, path, 2, want, ds);
    size_t T = w.samples_f ? ds[1] : 0;
    if (T) verify_samples(h, group, w.P, w.bins, trajectories, w.cf, w.edges_f, w.samples_f, T);
    tl_balance_read(h, c, r, w.P, &w.balance);
    if (h->bad) {
        free(beta1), free(w.beta), free(w.cf), free(w.edges_f), free(w.samples_f);
        tl_balance_free(&w.balance);
        free_axes(&w);
        return 2;
    }
    if (!json->on) {
        print_header_axes(&w);
        printf(" %8s %8s %11s %22s %7s %10s  %s\n", "T1", "T2", "1/T1-1/T2", "ML slope +- err", "z", "samples",
               "verdict");
    }
    int failed = 0;
    for (size_t p = 0; p < w.P; p++) {
        tl_xft_fit fit;
        xft_fit_point(T ? w.samples_f + p * T : NULL, T, w.cf + p * w.bins, w.edges_f + p * (w.bins + 1), w.bins, &fit);
        double predicted = beta1[p] - w.beta[p], z = (fit.slope - predicted) / fit.err;
        int pass = isfinite(z) && fabs(z) <= SIGMAS;
        /* no detailed balance: the theorem need not hold; measured, not failed */
        int broken = w.balance.broken[p] && isfinite(fit.slope);
        failed |= !pass && !broken;
        char verdict[48];
        if (broken)
            snprintf(verdict, sizeof verdict, "%s(%s)", pass ? "holds" : "VIOLATED", w.balance.reasons[w.balance.broken[p] - 1]);
        else snprintf(verdict, sizeof verdict, "%s", isfinite(fit.slope) ? (pass ? "PASS" : "FAIL") : "NO-FIT");
        if (json->on) {
            tl_json_record(json);
            printf("  {\"point\": %zu", p);
            print_point_axes(&w, p, 1);
            const char *keys[] = {"beta_initial", "beta", "slope_predicted", "slope", "slope_err", "z"};
            double vals[] = {beta1[p], w.beta[p], predicted, fit.slope, fit.err, z};
            for (size_t k = 0; k < 6; k++) {
                printf(", \"%s\": ", keys[k]);
                print_json_number(vals[k]);
            }
            printf(", \"n_positive\": %.0f, \"n_negative\": %.0f, \"verdict\": \"%s\"}", fit.n_pos, fit.n_neg,
                   verdict);
            continue;
        }
        char slope[48];
        snprintf(slope, sizeof slope, "%.5f +- %.5f", fit.slope, fit.err);
        printf("%-5zu", p);
        print_point_axes(&w, p, 0);
        printf(" %8.4g %8.4g %11.5f %22s %7.2f %10.0f  %s\n", 1 / beta1[p], 1 / w.beta[p], predicted, slope, z,
               fit.n_pos + fit.n_neg, verdict);
    }
    if (!json->on)
        printf("%s: heat-exchange FT, ML slope of ln P(Q)/P(-Q) within %.0f standard errors of 1/T1 - 1/T2%s\n",
               failed ? "FAILED" : "passed", SIGMAS, T ? "" : " (from histogram bin centres: no samples stored)");
    free(beta1);
    free(w.beta), free(w.cf), free(w.edges_f), free(w.samples_f);
    tl_balance_free(&w.balance);
    free_axes(&w);
    return failed ? 1 : 0;
}

/* ---- steady state: entropy production along trajectories against enumeration ------- */

static int check_steady(tl_h5_file *h, const tl_check_record *r, tl_json *json)
{
    work_file w = {0};
    uint64_t trajectories = 0;
    load_common(h, &w, &trajectories);
    size_t P = w.P, want[1] = {P}, d1[1];
    double *exact = point_values(h, r->exact, P);
    double *rate = point_values(h, r->a, P);
    double *err = point_values(h, r->b, P);
    /* a parameter the model shows beside (say, what breaks detailed balance) */
    const char *column = r->column && r->column[0] ? r->column : NULL;
    char path[320];
    snprintf(path, sizeof path, "/parameters/%.256s", column ? column : "");
    double *a = column ? tl_h5_optional_f64(h, path, 1, want, d1) : NULL;
    if (h->bad) {
        free(w.beta), free(exact), free(rate), free(err), free(a);
        free_axes(&w);
        return 2;
    }
    for (size_t k = 0; k < w.n_axes; k++)
        if (a && strcmp(w.axis_names[k], column) == 0) free(a), a = NULL; /* already an axis column */
    if (!json->on) {
        print_header_axes(&w);
        if (a) printf(" %10s", column);
        printf(" %14s %24s %7s  %s\n", "EP exact", "EP trajectories +- err", "z", "verdict");
    }
    int failed = 0;
    size_t without = 0;
    for (size_t p = 0; p < P; p++) {
        double z = (rate[p] - exact[p]) / err[p];
        /* a = 0: the exact rate is 0 and the estimate is exactly zero too only if no spin moves */
        int has = isfinite(exact[p]), pass = has && (fabs(z) <= SIGMAS || (err[p] == 0 && rate[p] == exact[p]));
        failed |= has && !pass;
        without += !has;
        const char *verdict = !has ? "no-exact" : pass ? "PASS" : "FAIL";
        if (json->on) {
            tl_json_record(json);
            printf("  {\"point\": %zu", p);
            print_point_axes(&w, p, 1);
            /* the column (null when it is a grid axis), then the three datasets by their names */
            const char *keys[] = {column, base_name(r->exact), base_name(r->a), base_name(r->b), "z"};
            double vals[] = {a ? a[p] : NAN, exact[p], rate[p], err[p], z};
            for (size_t k = column ? 0 : 1; k < 5; k++) {
                printf(", \"%s\": ", keys[k]);
                print_json_number(vals[k]);
            }
            printf(", \"verdict\": \"%s\"}", verdict);
            continue;
        }
        char est[48];
        snprintf(est, sizeof est, "%.6f +- %.6f", rate[p], err[p]);
        printf("%-5zu", p);
        print_point_axes(&w, p, 0);
        if (a) printf(" %10.4g", a[p]);
        printf(" %14.6f %24s %7.2f  %s\n", exact[p], est, z, verdict);
    }
    if (!json->on) {
        printf("%s: entropy production per sweep along trajectories within %.0f standard errors of the exact "
               "steady-state value", failed ? "FAILED" : "passed", SIGMAS);
        if (without) printf("; %zu point(s) without an exact value, not verified", without);
        printf("\n");
    }
    free(w.beta), free(exact), free(rate), free(err), free(a);
    free_axes(&w);
    return failed ? 1 : 0;
}

/* A Crooks pair: forward and reverse histograms with the same bins, the
 * forward moments, the exact dF (NaN where unknown), optional samples (both
 * directions, the same count), and where detailed balance holds. */
static int load(tl_h5_file *h, const tl_checks *c, const tl_check_record *r, work_file *w)
{
    uint64_t trajectories = 0;
    char path[320];
    load_common(h, w, &trajectories);
    read_histogram(h, r->a, w->P, trajectories, &w->bins, &w->cf, &w->edges_f);
    read_histogram(h, r->b, w->P, trajectories, &w->bins, &w->cr, &w->edges_r);
    size_t want[2] = {w->P, 4}, dims[2], ds[2] = {0, 0};
    snprintf(path, sizeof path, "%s/moments", r->a);
    w->mf = tl_h5_need_f64(h, path, 2, want, dims);
    w->exact = point_values(h, r->exact, w->P);
    want[1] = 0;
    snprintf(path, sizeof path, "%s/samples", r->a);
    w->samples_f = tl_h5_optional_f64(h, path, 2, want, ds);
    if (w->samples_f) want[1] = ds[1];
    snprintf(path, sizeof path, "%s/samples", r->b);
    w->samples_r = (w->samples_f ? tl_h5_need_f64 : tl_h5_optional_f64)(h, path, 2, want, dims);
    snprintf(path, sizeof path, "%s/samples", r->a);
    if (w->samples_r && !w->samples_f) tl_h5_fail(h, path, "missing (the reverse samples are there)");
    w->T = w->samples_f && w->samples_r ? ds[1] : 0;
    if (w->T) {
        verify_samples(h, r->a, w->P, w->bins, trajectories, w->cf, w->edges_f, w->samples_f, w->T);
        verify_samples(h, r->b, w->P, w->bins, trajectories, w->cr, w->edges_r, w->samples_r, w->T);
    }
    tl_balance_read(h, c, r, w->P, &w->balance);
    return h->bad ? 2 : 0;
}

static void unload(work_file *w)
{
    free(w->beta), free(w->exact), free(w->mf), free(w->samples_f), free(w->samples_r);
    free(w->edges_f), free(w->edges_r), free(w->cf), free(w->cr);
    tl_balance_free(&w->balance);
    for (size_t a = 0; a < w->n_axes; a++) free(w->axis_names[a]), free(w->axis_values[a]);
    free(w->axis_names), free(w->axis_values);
}

static void estimate(const work_file *w, size_t p, tl_crooks_estimates *e)
{
    size_t B = w->bins;
    tl_work_data f = {w->T ? w->samples_f + p * w->T : NULL, w->T, w->cf + p * B, w->edges_f + p * (B + 1),
                      w->mf[4 * p], w->mf[4 * p + 1]};
    tl_work_data r = {w->T ? w->samples_r + p * w->T : NULL, w->T, w->cr + p * B, w->edges_r + p * (B + 1),
                      NAN, NAN};
    tl_crooks_estimate(&f, &r, B, w->beta[p], e);
}

/* v: 1 pass, 0 fail, -1 no exact value, 2 / 3: no detailed balance (reason
 * `why`), Crooks holds / is violated (a measurement, not a failure). */
static void verdict_word(int v, const tl_crooks_estimates *e, const char *why, char *word, size_t len)
{
    if (v >= 2) snprintf(word, len, "%s(%s)", v == 3 ? "VIOLATED" : "holds", why);
    else if (!e->overlapping) snprintf(word, len, "NO-OVERLAP");
    else snprintf(word, len, "%s", v == 1 ? "PASS" : v == 0 ? "FAIL" : "no-exact");
}

static int check_crooks(tl_h5_file *h, const tl_checks *c, const tl_check_record *r, tl_json *json)
{
    work_file w = {0};
    if (load(h, c, r, &w)) {
        unload(&w);
        return 2;
    }
    if (!json->on) {
        printf("%-5s", "point");
        for (size_t a = 0; a < w.n_axes; a++) printf(" %10s", w.axis_names[a]);
        printf(" %10s %10s %20s %10s %10s %10s %7s  %s\n", "dF_exact", "crossing", "BAR +- err",
               "Jarz_F", "Jarz_R", "Gauss", "overlap", "verdict");
    }
    int failed = 0;
    size_t without_exact = 0, unbalanced = 0;
    for (size_t p = 0; p < w.P; p++) {
        tl_crooks_estimates e;
        estimate(&w, p, &e);
        double exact = w.exact ? w.exact[p] : NAN;
        int v = tl_crooks_verdict(&e, exact, SIGMAS), broken = w.balance.broken[p];
        if (broken && v != -1) v = v == 1 ? 2 : 3, unbalanced++;
        failed |= v == 0;
        without_exact += v == -1 && e.overlapping;
        char word[64];
        verdict_word(v, &e, broken ? w.balance.reasons[broken - 1] : "", word, sizeof word);
        if (json->on) {
            tl_json_record(json);
            printf("  {\"point\": %zu", p);
            for (size_t a = 0; a < w.n_axes; a++) {
                printf(", \"%s\": ", w.axis_names[a]);
                print_json_number(w.axis_values[a] ? w.axis_values[a][p] : NAN);
            }
            const char *keys[] = {"delta_f_exact", "delta_f_crossing", "delta_f_bar", "delta_f_bar_err",
                                  "delta_f_jarzynski_forward", "delta_f_jarzynski_reverse", "delta_f_gaussian", "overlap"};
            double vals[] = {exact, e.crossing, e.bar, e.bar_err, e.jarzynski_forward, e.jarzynski_reverse,
                             e.gaussian, e.overlap};
            for (size_t k = 0; k < 8; k++) {
                printf(", \"%s\": ", keys[k]);
                print_json_number(vals[k]);
            }
            printf(", \"violation_sigmas\": ");
            print_json_number(fabs(e.bar - exact) / e.bar_err);
            printf(", \"verdict\": \"%s\"}", word);
            continue;
        }
        char bar[32];
        if (e.overlapping) snprintf(bar, sizeof bar, "%.4f +- %.4f", e.bar, e.bar_err);
        else snprintf(bar, sizeof bar, "(no overlap)");
        printf("%-5zu", p);
        for (size_t a = 0; a < w.n_axes; a++) printf(" %10.4g", w.axis_values[a] ? w.axis_values[a][p] : NAN);
        printf(" %10.4f %10.4f %20s %10.4f %10.4f %10.4f %7.3f  %s", exact, e.crossing, bar,
               e.jarzynski_forward, e.jarzynski_reverse, e.gaussian, e.overlap, word);
        if (v >= 2) printf(" |BAR - dF| = %.1f err", fabs(e.bar - exact) / e.bar_err);
        printf("\n");
    }
    if (!json->on) {
        printf("%s: BAR within %.0f standard errors of the exact dF", failed ? "FAILED" : "passed", SIGMAS);
        if (without_exact) printf("; %zu point(s) without an exact dF, not verified", without_exact);
        if (unbalanced)
            printf("; %zu point(s) with %s (no detailed balance): violation measured, not a failure", unbalanced,
                   w.balance.broken_by && w.balance.broken_by[0] ? w.balance.broken_by : "no detailed balance");
        printf("%s\n", w.samples_f ? "" : " (estimates from histogram bin centres: no samples stored)");
    }
    unload(&w);
    return failed ? 1 : 0;
}

/* The declared checks in order (the triples together, in one table, where
 * the first is); the worst status: 2 damaged, 1 a check failed, 0 all passed. */
static int run_checks(tl_h5_file *h, const tl_checks *c, tl_json *json)
{
    int status = 0, triples_done = 0;
    for (size_t k = 0; k < c->n && status < 2; k++) {
        const tl_check_record *r = &c->rec[k];
        int s = 0;
        switch (r->kind) {
        case TL_CHECK_CROOKS: s = check_crooks(h, c, r, json); break;
        case TL_CHECK_EXCHANGE: s = check_exchange(h, c, r, json); break;
        case TL_CHECK_STEADY: s = check_steady(h, r, json); break;
        case TL_CHECK_TRIPLE: {
            if (triples_done++) continue;
            const tl_check_record *t[TL_CHECKS_MAX];
            size_t n = 0;
            for (size_t i = k; i < c->n; i++)
                if (c->rec[i].kind == TL_CHECK_TRIPLE) t[n++] = &c->rec[i];
            s = tl_check_triples(h, t, n, json);
            break;
        }
        default: break;
        }
        if (s > status) status = s;
    }
    return status;
}

int tl_check(const char *path, int json)
{
    hid_t file = tl_h5_open(path);
    if (file < 0) return 2;
    tl_h5_file h = {file, path, 0};
    char *model = tl_h5_need_string(&h, "/", "model", 0);
    if (!model || !model[0] || strchr(model, '/')) {
        if (model) tl_h5_fail(&h, "/ attribute model", "'%s' is not a model name", model);
        free(model);
        H5Fclose(file);
        return 2;
    }
    tl_checks c;
    int status = tl_checks_read(&h, model, &c);
    free(model);
    if (!status && c.n == 0) {
        fprintf(stderr, "thermolearn: %s: %s\n", path, c.none);
        status = 2;
    }
    tl_json out = {json, 0};
    if (!status) status = run_checks(&h, &c, &out);
    if (json && out.records) printf("\n]\n");
    tl_checks_free(&c);
    H5Fclose(file);
    return status;
}
