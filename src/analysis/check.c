/* `thermolearn check`: every free-energy estimate per grid point against the
 * exact value, with a verdict.  The kind of file decides the check: Crooks
 * (forward and reverse work), the heat-exchange theorem (/heat/exchange), or
 * the steady-state entropy production (/entropy/steady).
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

#include "check_exact.h"
#include "h5read.h"
#include "thermolearn/crooks.h"
#include "thermolearn/inspect.h"
#include "thermolearn/xft.h"

#define SIGMAS 3.0

typedef struct {
    size_t P, bins, T;
    double *beta, *exact, *mf, *samples_f, *samples_r, *edges_f, *edges_r;
    double *asymmetry; /* /parameters/asymmetry when the model has it: a != 0 breaks Crooks on purpose */
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

static int has_group(hid_t file, const char *parent, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", parent, name);
    return H5Lexists(file, parent, H5P_DEFAULT) > 0 && H5Lexists(file, path, H5P_DEFAULT) > 0;
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

/* A model dataset /<model>/<name> of P values (required), or NULL after a message. */
static double *model_values(tl_h5_file *h, const char *model, const char *name, size_t P)
{
    char path[320];
    size_t want[1] = {P}, dims[1];
    snprintf(path, sizeof path, "/%.128s/%s", model, name);
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

static int check_exchange(tl_h5_file *h, const char *model, int json)
{
    work_file w = {0};
    uint64_t trajectories = 0;
    load_common(h, &w, &trajectories);
    read_histogram(h, "/heat/exchange", w.P, trajectories, &w.bins, &w.cf, &w.edges_f);
    double *beta1 = model_values(h, model, "beta_initial", w.P);
    size_t want[2] = {w.P, 0}, ds[2] = {0, 0}, da[1];
    w.samples_f = tl_h5_optional_f64(h, "/heat/exchange/samples", 2, want, ds);
    size_t T = w.samples_f ? ds[1] : 0;
    if (T) verify_samples(h, "/heat/exchange", w.P, w.bins, trajectories, w.cf, w.edges_f, w.samples_f, T);
    double *a = tl_h5_optional_f64(h, "/parameters/asymmetry", 1, want, da);
    H5Fclose(h->file);
    if (h->bad) {
        free(beta1), free(a), free(w.beta), free(w.cf), free(w.edges_f), free(w.samples_f);
        free_axes(&w);
        return 2;
    }
    if (json) printf("[\n");
    else {
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
        /* a != 0: no detailed balance, the theorem need not hold; measured, not failed */
        int asymmetric = a && a[p] != 0 && isfinite(fit.slope);
        failed |= !pass && !asymmetric;
        const char *verdict = asymmetric ? (pass ? "holds(a!=0)" : "VIOLATED(a!=0)")
                              : isfinite(fit.slope) ? (pass ? "PASS" : "FAIL") : "NO-FIT";
        if (json) {
            printf("  {\"point\": %zu", p);
            print_point_axes(&w, p, 1);
            const char *keys[] = {"beta_initial", "beta", "slope_predicted", "slope", "slope_err", "z"};
            double vals[] = {beta1[p], w.beta[p], predicted, fit.slope, fit.err, z};
            for (size_t k = 0; k < 6; k++) {
                printf(", \"%s\": ", keys[k]);
                print_json_number(vals[k]);
            }
            printf(", \"n_positive\": %.0f, \"n_negative\": %.0f, \"verdict\": \"%s\"}%s\n", fit.n_pos,
                   fit.n_neg, verdict, p + 1 < w.P ? "," : "");
            continue;
        }
        char slope[48];
        snprintf(slope, sizeof slope, "%.5f +- %.5f", fit.slope, fit.err);
        printf("%-5zu", p);
        print_point_axes(&w, p, 0);
        printf(" %8.4g %8.4g %11.5f %22s %7.2f %10.0f  %s\n", 1 / beta1[p], 1 / w.beta[p], predicted, slope, z,
               fit.n_pos + fit.n_neg, verdict);
    }
    if (json) printf("]\n");
    else
        printf("%s: heat-exchange FT, ML slope of ln P(Q)/P(-Q) within %.0f standard errors of 1/T1 - 1/T2%s\n",
               failed ? "FAILED" : "passed", SIGMAS, T ? "" : " (from histogram bin centres: no samples stored)");
    free(beta1), free(a);
    free(w.beta), free(w.cf), free(w.edges_f), free(w.samples_f);
    free_axes(&w);
    return failed ? 1 : 0;
}

/* ---- steady state: entropy production along trajectories against enumeration ------- */

static int check_steady(tl_h5_file *h, const char *model, int json)
{
    work_file w = {0};
    uint64_t trajectories = 0;
    load_common(h, &w, &trajectories);
    size_t P = w.P, want[1] = {P}, d1[1];
    double *exact = model_values(h, model, "entropy_production_exact", P);
    double *rate = model_values(h, model, "entropy_production_rate", P);
    double *err = model_values(h, model, "entropy_production_rate_err", P);
    double *a = tl_h5_optional_f64(h, "/parameters/asymmetry", 1, want, d1);
    H5Fclose(h->file);
    if (h->bad) {
        free(w.beta), free(exact), free(rate), free(err), free(a);
        free_axes(&w);
        return 2;
    }
    for (size_t k = 0; k < w.n_axes; k++)
        if (a && strcmp(w.axis_names[k], "asymmetry") == 0) free(a), a = NULL; /* already an axis column */
    if (json) printf("[\n");
    else {
        print_header_axes(&w);
        if (a) printf(" %10s", "asymmetry");
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
        if (json) {
            printf("  {\"point\": %zu", p);
            print_point_axes(&w, p, 1);
            const char *keys[] = {"asymmetry", "entropy_production_exact", "entropy_production_rate",
                                  "entropy_production_rate_err", "z"};
            double vals[] = {a ? a[p] : NAN, exact[p], rate[p], err[p], z};
            for (size_t k = 0; k < 5; k++) {
                printf(", \"%s\": ", keys[k]);
                print_json_number(vals[k]);
            }
            printf(", \"verdict\": \"%s\"}%s\n", verdict, p + 1 < P ? "," : "");
            continue;
        }
        char est[48];
        snprintf(est, sizeof est, "%.6f +- %.6f", rate[p], err[p]);
        printf("%-5zu", p);
        print_point_axes(&w, p, 0);
        if (a) printf(" %10.4g", a[p]);
        printf(" %14.6f %24s %7.2f  %s\n", exact[p], est, z, verdict);
    }
    if (json) printf("]\n");
    else {
        printf("%s: entropy production per sweep along trajectories within %.0f standard errors of the exact "
               "steady-state value", failed ? "FAILED" : "passed", SIGMAS);
        if (without) printf("; %zu point(s) without an exact value, not verified", without);
        printf("\n");
    }
    free(w.beta), free(exact), free(rate), free(err), free(a);
    free_axes(&w);
    return failed ? 1 : 0;
}

/* A Crooks file: forward and reverse work histograms with the same bins, the
 * forward moments, the exact dF (NaN where unknown), and optional samples
 * (both directions, the same count). */
static int load(tl_h5_file *h, const char *model, work_file *w)
{
    uint64_t trajectories = 0;
    load_common(h, w, &trajectories);
    read_histogram(h, "/work/forward", w->P, trajectories, &w->bins, &w->cf, &w->edges_f);
    read_histogram(h, "/work/reverse", w->P, trajectories, &w->bins, &w->cr, &w->edges_r);
    size_t want[2] = {w->P, 4}, dims[2], ds[2] = {0, 0};
    w->mf = tl_h5_need_f64(h, "/work/forward/moments", 2, want, dims);
    w->exact = model_values(h, model, "delta_f_exact", w->P);
    want[1] = 0;
    w->samples_f = tl_h5_optional_f64(h, "/work/forward/samples", 2, want, ds);
    if (w->samples_f) want[1] = ds[1];
    w->samples_r = (w->samples_f ? tl_h5_need_f64 : tl_h5_optional_f64)(h, "/work/reverse/samples", 2, want, dims);
    if (w->samples_r && !w->samples_f) tl_h5_fail(h, "/work/forward/samples", "missing (the reverse samples are there)");
    w->T = w->samples_f && w->samples_r ? ds[1] : 0;
    if (w->T) {
        verify_samples(h, "/work/forward", w->P, w->bins, trajectories, w->cf, w->edges_f, w->samples_f, w->T);
        verify_samples(h, "/work/reverse", w->P, w->bins, trajectories, w->cr, w->edges_r, w->samples_r, w->T);
    }
    w->asymmetry = tl_h5_optional_f64(h, "/parameters/asymmetry", 1, want, dims);
    /* Hebbian plasticity feeds the state back into the energy: like a != 0, a
     * measured violation, not a failure (points with learning_rate > 0). */
    char *plasticity = tl_h5_need_string(h, "/parameters", "plasticity", 1);
    double *rate = plasticity && strcmp(plasticity, "hebbian") == 0
                       ? tl_h5_need_f64(h, "/parameters/learning_rate", 1, want, dims) : NULL;
    if (rate) {
        if (!w->asymmetry) w->asymmetry = calloc(w->P, sizeof *w->asymmetry);
        for (size_t p = 0; p < w->P; p++)
            if (rate[p] > 0 && w->asymmetry[p] == 0) w->asymmetry[p] = NAN; /* NaN != 0: flagged */
    }
    free(rate);
    free(plasticity);
    return h->bad ? 2 : 0;
}

static void unload(work_file *w)
{
    free(w->beta), free(w->exact), free(w->asymmetry), free(w->mf), free(w->samples_f), free(w->samples_r);
    free(w->edges_f), free(w->edges_r), free(w->cf), free(w->cr);
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

/* v: 1 pass, 0 fail, -1 no exact value, 2 / 3: a != 0, Crooks holds / is violated
 * (a measurement, not a failure: the dynamics has no detailed balance). */
static const char *verdict_word(int v, const tl_crooks_estimates *e)
{
    if (v >= 4) return v == 5 ? "VIOLATED(plastic)" : "holds(plastic)";
    if (v >= 2) return v == 3 ? "VIOLATED(a!=0)" : "holds(a!=0)";
    if (!e->overlapping) return "NO-OVERLAP";
    return v == 1 ? "PASS" : v == 0 ? "FAIL" : "no-exact";
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
    int status;
    if (has_group(file, "/heat", "exchange")) status = check_exchange(&h, model, json);
    else if (has_group(file, "/entropy", "steady")) status = check_steady(&h, model, json);
    else if (!has_group(file, "/work", "reverse") &&
             (status = tl_check_exact_pairs(&h, model, json)) >= 0) {
        /* No Crooks pair: the model's simulated values against its exact ones. */
        H5Fclose(file);
    } else status = -1;
    if (status >= 0) {
        free(model);
        return status;
    }
    /* A forward-only run (perceptron reverse = no) is whole, but holds nothing to check. */
    char *reverse = has_group(file, "/work", "reverse") ? NULL : tl_h5_need_string(&h, "/parameters", "reverse", 1);
    if (reverse && strcmp(reverse, "no") == 0) {
        fprintf(stderr, "thermolearn: %s: a forward-only run (reverse = no): no Crooks pair, nothing to check\n", path);
        free(reverse), free(model);
        H5Fclose(file);
        return 2;
    }
    free(reverse);
    work_file w = {0};
    status = load(&h, model, &w);
    free(model);
    H5Fclose(file);
    if (status) {
        unload(&w);
        return status;
    }
    if (json) printf("[\n");
    else {
        printf("%-5s", "point");
        for (size_t a = 0; a < w.n_axes; a++) printf(" %10s", w.axis_names[a]);
        printf(" %10s %10s %20s %10s %10s %10s %7s  %s\n", "dF_exact", "crossing", "BAR +- err",
               "Jarz_F", "Jarz_R", "Gauss", "overlap", "verdict");
    }
    int failed = 0;
    size_t without_exact = 0, asymmetric = 0;
    for (size_t p = 0; p < w.P; p++) {
        tl_crooks_estimates e;
        estimate(&w, p, &e);
        double exact = w.exact ? w.exact[p] : NAN;
        int v = tl_crooks_verdict(&e, exact, SIGMAS);
        if (w.asymmetry && w.asymmetry[p] != 0 && v != -1)
            v = (v == 1 ? 2 : 3) + (isnan(w.asymmetry[p]) ? 2 : 0), asymmetric++;
        failed |= v == 0;
        without_exact += v == -1 && e.overlapping;
        if (json) {
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
            printf(", \"verdict\": \"%s\"}%s\n", verdict_word(v, &e), p + 1 < w.P ? "," : "");
            continue;
        }
        char bar[32];
        if (e.overlapping) snprintf(bar, sizeof bar, "%.4f +- %.4f", e.bar, e.bar_err);
        else snprintf(bar, sizeof bar, "(no overlap)");
        printf("%-5zu", p);
        for (size_t a = 0; a < w.n_axes; a++) printf(" %10.4g", w.axis_values[a] ? w.axis_values[a][p] : NAN);
        printf(" %10.4f %10.4f %20s %10.4f %10.4f %10.4f %7.3f  %s", exact, e.crossing, bar,
               e.jarzynski_forward, e.jarzynski_reverse, e.gaussian, e.overlap, verdict_word(v, &e));
        if (v >= 2) printf(" |BAR - dF| = %.1f err", fabs(e.bar - exact) / e.bar_err);
        printf("\n");
    }
    if (json) printf("]\n");
    else {
        printf("%s: BAR within %.0f standard errors of the exact dF", failed ? "FAILED" : "passed", SIGMAS);
        if (without_exact) printf("; %zu point(s) without an exact dF, not verified", without_exact);
        if (asymmetric)
            printf("; %zu point(s) with asymmetry != 0 or plasticity (no detailed balance): violation measured, not a failure",
                   asymmetric);
        printf("%s\n", w.samples_f ? "" : " (estimates from histogram bin centres: no samples stored)");
    }
    unload(&w);
    return failed ? 1 : 0;
}
