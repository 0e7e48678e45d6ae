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
    char broken[80]; /* X_exact with X or X_err but not both: the missing one */
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
    int has_base = H5Lexists(group, base, H5P_DEFAULT) > 0, has_err = H5Lexists(group, err, H5P_DEFAULT) > 0;
    if (has_base && has_err) snprintf(t->names[t->n++], 64, "%s", base);
    /* An exact value alone is a model's reference (delta_f_exact); with one
     * of the two others, the third was lost. */
    else if ((has_base || has_err) && !t->broken[0]) snprintf(t->broken, sizeof t->broken, "%s", has_base ? err : base);
    return 0;
}

/* Reads /<model>/<name> as [P, K]: rank 1 (K = 1) or rank 2, with P rows. */
static double *read_table(tl_h5_file *h, const char *model, const char *name, size_t P, size_t *K)
{
    char path[192];
    size_t dims[2], want[2] = {P, 0};
    snprintf(path, sizeof path, "/%s/%s", model, name);
    int rank = -1;
    hid_t d = H5Dopen2(h->file, path, H5P_DEFAULT);
    if (d >= 0) {
        hid_t space = H5Dget_space(d);
        rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
        if (space >= 0) H5Sclose(space);
        H5Dclose(d);
    }
    if (rank != 1 && rank != 2) {
        tl_h5_fail(h, path, rank < 0 ? "cannot be opened as a dataset" : "has %d dimensions, expected 1 or 2", rank);
        return NULL;
    }
    double *v = tl_h5_need_f64(h, path, rank, want, dims);
    *K = rank == 1 ? 1 : dims[1];
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

/* The three parts of every triple, each [P] or [P, K] alike. */
static int load_triples(tl_h5_file *h, const char *model, const triples *t, size_t P, double **v, size_t *K)
{
    for (size_t i = 0; i < t->n && !h->bad; i++) {
        const char *suffix[3] = {"", "_err", "_exact"};
        for (int j = 0; j < 3 && !h->bad; j++) {
            char name[80];
            size_t k = 0;
            snprintf(name, sizeof name, "%s%s", t->names[i], suffix[j]);
            v[3 * i + j] = read_table(h, model, name, P, &k);
            if (j == 0) K[i] = k;
            else if (v[3 * i + j] && k != K[i]) {
                char path[192];
                snprintf(path, sizeof path, "/%s/%s", model, name);
                tl_h5_fail(h, path, "%zu values per point, but %s has %zu", k, t->names[i], K[i]);
            }
        }
    }
    return h->bad ? 2 : 0;
}

static int check_one(const char *name, const double *x, const double *err, const double *exact, size_t P, size_t K,
                     int json, int *first, size_t *unverified)
{
    int failed = 0;
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
    return failed;
}

int tl_check_exact_pairs(tl_h5_file *h, const char *model, int json)
{
    triples t = {.n = 0};
    if (H5Lexists(h->file, model, H5P_DEFAULT) <= 0) return -1;
    hid_t group = H5Gopen2(h->file, model, H5P_DEFAULT);
    if (group < 0) return -1;
    H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, &t);
    H5Gclose(group);
    if (t.broken[0]) {
        char path[192];
        snprintf(path, sizeof path, "/%s/%s", model, t.broken);
        tl_h5_fail(h, path, "missing (the other two of its triple X, X_err, X_exact are there)");
        return 2;
    }
    if (t.n == 0) return -1;
    uint64_t P = 0;
    if (tl_h5_need_uint(h, "/", "n_points", &P)) return 2;
    double *v[3 * 32] = {0};
    size_t K[32] = {0};
    int status = load_triples(h, model, &t, (size_t)P, v, K);
    if (!status) {
        if (json) printf("[\n");
        else printf("%-32s %5s %14s %14s %12s %7s  %s\n", "quantity", "point", "simulated", "exact", "std err", "|z|",
                    "verdict");
        int failed = 0, first = 1;
        size_t unverified = 0;
        for (size_t i = 0; i < t.n; i++)
            failed |= check_one(t.names[i], v[3 * i], v[3 * i + 1], v[3 * i + 2], (size_t)P, K[i], json, &first,
                                &unverified);
        if (json) printf("\n]\n");
        else {
            printf("%s: simulated values within 3 standard errors of the exact ones (chi-square at the same "
                   "false-alarm rate for vectors)", failed ? "FAILED" : "passed");
            if (unverified) printf("; %zu point(s) without exact values, not verified", unverified);
            printf("\n");
        }
        status = failed ? 1 : 0;
    }
    for (size_t i = 0; i < 3 * t.n; i++) free(v[i]);
    return status;
}
