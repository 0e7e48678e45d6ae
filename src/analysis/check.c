/* `thermolearn check`: every free-energy estimate per grid point against the
 * exact value, with a verdict. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5read.h"
#include "thermolearn/crooks.h"
#include "thermolearn/inspect.h"

#define SIGMAS 3.0

typedef struct {
    size_t P, bins, T;
    double *beta, *exact, *mf, *samples_f, *samples_r, *edges_f, *edges_r;
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
    read_axes(file, w);
    return 0;
}

static void unload(work_file *w)
{
    free(w->beta), free(w->exact), free(w->mf), free(w->samples_f), free(w->samples_r);
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

static const char *verdict_word(int v, const tl_crooks_estimates *e)
{
    if (!e->overlapping) return "NO-OVERLAP";
    return v == 1 ? "PASS" : v == 0 ? "FAIL" : "no-exact";
}

static void print_json_number(double x)
{
    if (isfinite(x)) printf("%.10g", x);
    else printf("null");
}

int tl_check(const char *path, int json)
{
    hid_t file = tl_h5_open(path);
    if (file < 0) return 2;
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
    size_t without_exact = 0;
    for (size_t p = 0; p < w.P; p++) {
        tl_crooks_estimates e;
        estimate(&w, p, &e);
        double exact = w.exact ? w.exact[p] : NAN;
        int v = tl_crooks_verdict(&e, exact, SIGMAS);
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
            printf(", \"verdict\": \"%s\"}%s\n", verdict_word(v, &e), p + 1 < w.P ? "," : "");
            continue;
        }
        char bar[32];
        if (e.overlapping) snprintf(bar, sizeof bar, "%.4f +- %.4f", e.bar, e.bar_err);
        else snprintf(bar, sizeof bar, "(no overlap)");
        printf("%-5zu", p);
        for (size_t a = 0; a < w.n_axes; a++) printf(" %10.4g", w.axis_values[a] ? w.axis_values[a][p] : NAN);
        printf(" %10.4f %10.4f %20s %10.4f %10.4f %10.4f %7.3f  %s\n", exact, e.crossing, bar,
               e.jarzynski_forward, e.jarzynski_reverse, e.gaussian, e.overlap, verdict_word(v, &e));
    }
    if (json) printf("]\n");
    else {
        printf("%s: BAR within %.0f standard errors of the exact dF", failed ? "FAILED" : "passed", SIGMAS);
        if (without_exact) printf("; %zu point(s) without an exact dF, not verified", without_exact);
        printf("%s\n", w.samples_f ? "" : " (estimates from histogram bin centres: no samples stored)");
    }
    unload(&w);
    return failed ? 1 : 0;
}
