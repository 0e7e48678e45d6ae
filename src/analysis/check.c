/* `thermolearn check`: every free-energy estimate per grid point against the
 * exact value, with a verdict.  The kind of file decides the check: Crooks
 * (forward and reverse work), the heat-exchange theorem (/heat/exchange), or
 * the steady-state entropy production (/entropy/steady). */
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

static void read_axes(hid_t file, work_file *w)
{
    w->n_axes = 0;
    if (H5Aexists_by_name(file, "/parameters", "axes", H5P_DEFAULT) <= 0) return;
    hid_t a = H5Aopen_by_name(file, "/parameters", "axes", H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Aget_space(a);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5T_CSET_UTF8);
    char **names = calloc((size_t)n, sizeof *names);
    if (n > 0 && H5Aread(a, mt, names) >= 0) {
        w->axis_names = calloc((size_t)n, sizeof *w->axis_names);
        w->axis_values = calloc((size_t)n, sizeof *w->axis_values);
        for (hssize_t k = 0; k < n; k++) {
            if (!names[k] || !names[k][0]) continue;
            char path[256];
            size_t dims[1];
            snprintf(path, sizeof path, "/parameters/%s", names[k]);
            w->axis_names[w->n_axes] = strdup(names[k]);
            w->axis_values[w->n_axes++] = tl_h5_read_f64(file, path, 1, dims);
        }
        H5Dvlen_reclaim(mt, space, H5P_DEFAULT, names);
    }
    free(names);
    H5Tclose(mt);
    H5Sclose(space);
    H5Aclose(a);
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

/* A model dataset /<model>/<name> of P values, or NULL. */
static double *model_values(hid_t file, const char *name, size_t P)
{
    char *model = tl_h5_root_string(file, "model"), path[256];
    snprintf(path, sizeof path, "/%s/%s", model, name);
    free(model);
    size_t d[1];
    double *v = tl_h5_read_f64(file, path, 1, d);
    if (v && d[0] != P) free(v), v = NULL;
    return v;
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

static int check_exchange(hid_t file, const char *path, int json)
{
    work_file w = {0};
    size_t d1[1], dc[2], de[2], ds[2] = {0, 0};
    w.beta = tl_h5_read_f64(file, "/parameters/beta", 1, d1);
    w.cf = tl_h5_read_u64(file, "/heat/exchange/counts", 2, dc);
    w.edges_f = tl_h5_read_f64(file, "/heat/exchange/edges", 2, de);
    double *beta1 = w.beta && w.cf ? model_values(file, "beta_initial", dc[0]) : NULL;
    if (!w.beta || !w.cf || !w.edges_f || !beta1 || d1[0] != dc[0] || de[0] != dc[0] || de[1] != dc[1] + 1) {
        fprintf(stderr, "thermolearn: %s: an exchange run without /parameters/beta, beta_initial or "
                        "/heat/exchange counts and edges (is it complete?)\n", path);
        H5Fclose(file);
        free(beta1), free(w.beta), free(w.cf), free(w.edges_f);
        return 2;
    }
    w.P = dc[0], w.bins = dc[1];
    w.samples_f = tl_h5_read_f64(file, "/heat/exchange/samples", 2, ds);
    size_t T = w.samples_f && ds[0] == w.P ? ds[1] : 0;
    size_t da[1];
    double *a = tl_h5_read_f64(file, "/parameters/asymmetry", 1, da);
    if (a && da[0] != w.P) free(a), a = NULL;
    read_axes(file, &w);
    H5Fclose(file);
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

static int check_steady(hid_t file, const char *path, int json)
{
    work_file w = {0};
    size_t d1[1];
    w.beta = tl_h5_read_f64(file, "/parameters/beta", 1, d1);
    size_t P = w.beta ? d1[0] : 0;
    double *exact = model_values(file, "entropy_production_exact", P);
    double *rate = model_values(file, "entropy_production_rate", P);
    double *err = model_values(file, "entropy_production_rate_err", P);
    double *a = tl_h5_read_f64(file, "/parameters/asymmetry", 1, d1);
    if (!w.beta || !exact || !rate || !err) {
        fprintf(stderr, "thermolearn: %s: a steady run without the entropy production datasets (is it complete?)\n", path);
        H5Fclose(file);
        free(w.beta), free(exact), free(rate), free(err), free(a);
        return 2;
    }
    w.P = P;
    read_axes(file, &w);
    H5Fclose(file);
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

/* A string attribute of /parameters (a choice), or NULL; the caller frees it. */
static char *parameter_choice(hid_t file, const char *name)
{
    if (H5Aexists_by_name(file, "/parameters", name, H5P_DEFAULT) <= 0) return NULL;
    hid_t a = H5Aopen_by_name(file, "/parameters", name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    char *value = NULL, *copy = NULL;
    if (H5Aread(a, mt, &value) >= 0 && value) {
        copy = strdup(value);
        H5free_memory(value);
    }
    H5Tclose(mt);
    H5Aclose(a);
    return copy;
}

static int load(hid_t file, const char *path, work_file *w)
{
    size_t d1[1], d2[2], dc[2], de[2], dm[2], dx[1], ds[2];
    char *model = tl_h5_root_string(file, "model"), exact_path[256];
    snprintf(exact_path, sizeof exact_path, "/%s/delta_f_exact", model);
    free(model);
    w->beta = tl_h5_read_f64(file, "/parameters/beta", 1, d1);
    w->cf = tl_h5_read_u64(file, "/work/forward/counts", 2, dc);
    w->cr = tl_h5_read_u64(file, "/work/reverse/counts", 2, d2);
    w->edges_f = tl_h5_read_f64(file, "/work/forward/edges", 2, de);
    w->edges_r = tl_h5_read_f64(file, "/work/reverse/edges", 2, de);
    w->mf = tl_h5_read_f64(file, "/work/forward/moments", 2, dm);
    if (!w->beta || !w->cf || !w->cr || !w->edges_f || !w->edges_r || !w->mf || d1[0] != dc[0] ||
        d2[0] != dc[0] || d2[1] != dc[1] || de[1] != dc[1] + 1 || dm[1] != 4) {
        fprintf(stderr, "thermolearn: %s: no forward and reverse work (is it a Crooks run, complete?)\n", path);
        return 2;
    }
    w->P = dc[0];
    w->bins = dc[1];
    w->exact = tl_h5_read_f64(file, exact_path, 1, dx);
    if (w->exact && dx[0] != w->P) free(w->exact), w->exact = NULL;
    w->samples_f = tl_h5_read_f64(file, "/work/forward/samples", 2, ds);
    w->samples_r = tl_h5_read_f64(file, "/work/reverse/samples", 2, d2);
    w->T = ds[0] == w->P && w->samples_f && w->samples_r && d2[1] == ds[1] ? ds[1] : 0;
    w->asymmetry = tl_h5_read_f64(file, "/parameters/asymmetry", 1, dx);
    if (w->asymmetry && dx[0] != w->P) free(w->asymmetry), w->asymmetry = NULL;
    /* Hebbian plasticity feeds the state back into the energy: like a != 0, a
     * measured violation, not a failure (points with learning_rate > 0). */
    char *plasticity = parameter_choice(file, "plasticity");
    double *rate = plasticity && strcmp(plasticity, "hebbian") == 0
                       ? tl_h5_read_f64(file, "/parameters/learning_rate", 1, dx) : NULL;
    if (rate && dx[0] == w->P) {
        if (!w->asymmetry) w->asymmetry = calloc(w->P, sizeof *w->asymmetry);
        for (size_t p = 0; p < w->P; p++)
            if (rate[p] > 0 && w->asymmetry[p] == 0) w->asymmetry[p] = NAN; /* NaN != 0: flagged */
    }
    free(rate);
    free(plasticity);
    read_axes(file, w);
    return 0;
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
    if (has_group(file, "/heat", "exchange")) return check_exchange(file, path, json);
    if (has_group(file, "/entropy", "steady")) return check_steady(file, path, json);
    if (!has_group(file, "/work", "reverse")) {
        /* No Crooks pair: compare the model's simulated values with its exact ones. */
        char *model = tl_h5_root_string(file, "model");
        int status = tl_check_exact_pairs(file, model, json);
        free(model);
        if (status >= 0) {
            H5Fclose(file);
            return status;
        }
    }
    work_file w = {0};
    int status = load(file, path, &w);
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
