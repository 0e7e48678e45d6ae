/* `check` for files without Crooks or XFT data: every triple of model
 * datasets X, X_err, X_exact under /<model>/ (a simulated estimate, its
 * standard error and the exact value) is compared point by point.
 *
 * A point passes when the estimate agrees with the exact value: |z| <= 3 for
 * a scalar; for K values per point (a magnetisation per spin) the sum of z^2
 * against the chi-square law with K degrees of freedom, at the false-alarm
 * rate of 3 standard errors (p > 0.0027), so that more values do not mean more
 * false failures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "check_exact.h"
#include "h5read.h"

#define FALSE_ALARM 0.0027 /* two-sided tail beyond 3 standard errors */

typedef struct {
    char names[32][64];
    size_t n;
} triples;

static herr_t collect(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    triples *t = data;
    size_t len = strlen(name);
    if (len <= 6 || len >= 64 || strcmp(name + len - 6, "_exact") != 0 || t->n == 32) return 0;
    char base[64], err[72];
    snprintf(base, sizeof base, "%.*s", (int)(len - 6), name);
    snprintf(err, sizeof err, "%s_err", base);
    if (H5Lexists(group, base, H5P_DEFAULT) > 0 && H5Lexists(group, err, H5P_DEFAULT) > 0)
        snprintf(t->names[t->n++], 64, "%s", base);
    return 0;
}

/* Reads /<model>/<name> as [P, K] (a rank-1 dataset is K = 1). */
static double *read_table(hid_t file, const char *model, const char *name, size_t *P, size_t *K)
{
    char path[192];
    size_t dims[2];
    snprintf(path, sizeof path, "/%s/%s", model, name);
    double *v = tl_h5_read_f64(file, path, 1, dims);
    if (v) {
        *P = dims[0], *K = 1;
        return v;
    }
    v = tl_h5_read_f64(file, path, 2, dims);
    if (v) *P = dims[0], *K = dims[1];
    return v;
}

/* Verdict of one point: 1 pass, 0 fail, -1 nothing exact to compare with.
 * *stat is |z| (K = 1) or the chi-square p-value (K > 1). */
static int verdict(const double *x, const double *err, const double *exact, size_t K, double *stat)
{
    double chi2 = 0;
    size_t k_used = 0;
    for (size_t k = 0; k < K; k++) {
        if (!isfinite(exact[k]) || !isfinite(x[k])) continue;
        if (err[k] == 0 && x[k] == exact[k]) continue; /* exact agreement, e.g. no fluctuations */
        double z = (x[k] - exact[k]) / err[k];
        chi2 += z * z;
        k_used++;
    }
    if (k_used == 0) {
        *stat = NAN;
        for (size_t k = 0; k < K; k++)
            if (isfinite(exact[k])) return 1; /* every finite value agreed exactly */
        return -1;
    }
    if (K == 1) {
        *stat = sqrt(chi2);
        return *stat <= 3.0;
    }
    *stat = gsl_cdf_chisq_Q(chi2, (double)k_used);
    return *stat > FALSE_ALARM;
}

static int check_one(hid_t file, const char *model, const char *name, int json, int *first, size_t *unverified)
{
    char err_name[72], exact_name[72];
    snprintf(err_name, sizeof err_name, "%s_err", name);
    snprintf(exact_name, sizeof exact_name, "%s_exact", name);
    size_t P = 0, K = 0, P1 = 0, K1 = 0, P2 = 0, K2 = 0;
    double *x = read_table(file, model, name, &P, &K);
    double *err = read_table(file, model, err_name, &P1, &K1);
    double *exact = read_table(file, model, exact_name, &P2, &K2);
    int failed = 0;
    if (!x || !err || !exact || P1 != P || P2 != P || K1 != K || K2 != K) {
        fprintf(stderr, "thermolearn: /%s/%s, _err and _exact differ in shape; skipped\n", model, name);
        free(x), free(err), free(exact);
        return 0;
    }
    for (size_t p = 0; p < P; p++) {
        double stat;
        int v = verdict(x + p * K, err + p * K, exact + p * K, K, &stat);
        failed |= v == 0;
        *unverified += v == -1;
        const char *word = v == 1 ? "PASS" : v == 0 ? "FAIL" : "no-exact";
        if (json) {
            printf("%s  {\"quantity\": \"%s\", \"point\": %zu, \"values\": %zu, \"%s\": ", *first ? "" : ",\n",
                   name, p, K, K == 1 ? "z" : "p_value");
            if (isfinite(stat)) printf("%.6g", stat);
            else printf("null");
            printf(", \"verdict\": \"%s\"}", word);
            *first = 0;
        } else if (K == 1) {
            printf("%-32s %5zu %14.6g %14.6g %12.4g %7.2f  %s\n", name, p, x[p], exact[p], err[p], stat, word);
        } else {
            printf("%-32s %5zu %14s %14s %12s %7.4f  %s (chi-square p over %zu values)\n", name, p, "", "", "",
                   stat, word, K);
        }
    }
    free(x), free(err), free(exact);
    return failed;
}

int tl_check_exact_pairs(hid_t file, const char *model, int json)
{
    triples t = {.n = 0};
    if (H5Lexists(file, model, H5P_DEFAULT) <= 0) return -1;
    hid_t group = H5Gopen2(file, model, H5P_DEFAULT);
    if (group < 0) return -1;
    H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, &t);
    H5Gclose(group);
    if (t.n == 0) return -1;
    if (json) printf("[\n");
    else printf("%-32s %5s %14s %14s %12s %7s  %s\n", "quantity", "point", "simulated", "exact", "std err", "|z|",
                "verdict");
    int failed = 0, first = 1;
    size_t unverified = 0;
    for (size_t i = 0; i < t.n; i++) failed |= check_one(file, model, t.names[i], json, &first, &unverified);
    if (json) printf("\n]\n");
    else {
        printf("%s: simulated values within 3 standard errors of the exact ones (chi-square at the same "
               "false-alarm rate for vectors)", failed ? "FAILED" : "passed");
        if (unverified) printf("; %zu point(s) without exact values, not verified", unverified);
        printf("\n");
    }
    return failed ? 1 : 0;
}
