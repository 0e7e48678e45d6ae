/* `check` for files without Crooks or XFT data: every triple of model
 * datasets X, X_err, X_exact under /<model>/ (a simulated estimate, its
 * standard error and the exact value) is compared point by point.  Each is
 * [P, ...]: the values of a point are everything after the point axis (a
 * magnetisation per input and spin is [P, inputs, spins]).
 *
 * A point passes when the estimate agrees with the exact value: |z| <= 3 for
 * a scalar; for K values per point the largest |z| by the union bound
 * (Bonferroni: p = K x its two-sided normal tail > 0.0027, the false-alarm
 * rate of 3 standard errors), so that more values do not mean more false
 * failures.  The values of a point are often correlated (the time-averaged
 * magnetisations of coupled spins move together), which the union bound
 * allows and a chi-square over independent values would not.
 * Components without an exact value, an estimate or an error (NaN: beyond a
 * point's own shape, or no exact solution) are skipped and counted; values
 * equal to round-off (an identity that holds on every trajectory) agree
 * without an error bar; a value whose trajectories did not spread at all
 * (error 0, e.g. a spin that never flipped) has no error to judge it by and
 * is counted as not compared. */
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

#define ROUNDOFF 1e-9 /* relative difference that is agreement whatever the error */

/* Reads /<model>/<name> as [P, K]: K is the product of the axes after the first. */
static double *read_table(hid_t file, const char *model, const char *name, size_t *P, size_t *K)
{
    char path[192];
    size_t dims[H5S_MAX_RANK];
    snprintf(path, sizeof path, "/%s/%s", model, name);
    int rank = tl_h5_rank(file, path);
    double *v = rank >= 1 ? tl_h5_read_f64(file, path, rank, dims) : NULL;
    if (!v) return NULL;
    *P = dims[0], *K = 1;
    for (int r = 1; r < rank; r++) *K *= dims[r];
    return v;
}

typedef struct {
    double stat;     /* |z| (K = 1) or the Bonferroni p-value of the largest |z| */
    double z;        /* the z of largest size */
    size_t compared; /* components with a z */
    size_t agreed;   /* equal to round-off */
    size_t missing;  /* no exact value, estimate or error (NaN) */
    size_t flat;     /* error 0 and not equal: no spread in the sample */
} tally;

/* Verdict of one point: 1 pass, 0 fail, -1 nothing exact to compare with. */
static int verdict(const double *x, const double *err, const double *exact, size_t K, tally *t)
{
    *t = (tally){NAN, 0, 0, 0, 0, 0};
    for (size_t k = 0; k < K; k++) {
        if (!isfinite(exact[k]) || !isfinite(x[k]) || isnan(err[k])) {
            t->missing++;
            continue;
        }
        if (fabs(x[k] - exact[k]) <= ROUNDOFF * fmax(1.0, fabs(exact[k]))) {
            t->agreed++;
            continue;
        }
        if (err[k] == 0) {
            t->flat++;
            continue;
        }
        double z = (x[k] - exact[k]) / err[k];
        if (t->compared++ == 0 || fabs(z) > fabs(t->z)) t->z = z;
    }
    if (t->compared == 0) return t->agreed ? 1 : -1;
    if (K == 1) {
        t->stat = fabs(t->z);
        return t->stat <= 3.0;
    }
    t->stat = fmin(1.0, (double)t->compared * 2 * gsl_cdf_ugaussian_Q(fabs(t->z)));
    return t->stat > FALSE_ALARM;
}

static void print_row(const char *name, size_t p, size_t K, const double *x, const double *exact, const double *err,
                      const tally *t, const char *word)
{
    if (K == 1) {
        printf("%-32s %5zu %14.6g %14.6g %12.4g %7.2f  %s\n", name, p, x[p], exact[p], err[p], t->stat, word);
        return;
    }
    printf("%-32s %5zu %14s %14s %12s ", name, p, "", "", "");
    if (t->compared) printf("%7.4f  %s (largest |z| %.2f of %zu values, union bound", t->stat, word, fabs(t->z), t->compared);
    else printf("%7s  %s (nothing to compare", "-", word);
    if (t->agreed) printf("; %zu equal to round-off", t->agreed);
    if (t->flat) printf("; %zu without spread (error 0), not compared", t->flat);
    if (t->missing) printf("; %zu of %zu NaN, skipped", t->missing, K);
    printf(")\n");
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
        tally t;
        int v = verdict(x + p * K, err + p * K, exact + p * K, K, &t);
        failed |= v == 0;
        *unverified += v == -1;
        const char *word = v == 1 ? "PASS" : v == 0 ? "FAIL" : "no-exact";
        if (json) {
            printf("%s  {\"quantity\": \"%s\", \"point\": %zu, \"values\": %zu, \"compared\": %zu, "
                   "\"round_off\": %zu, \"no_spread\": %zu, \"nan_skipped\": %zu, \"%s\": ",
                   *first ? "" : ",\n", name, p, K, t.compared, t.agreed, t.flat, t.missing, K == 1 ? "z" : "p_value");
            if (isfinite(t.stat)) printf("%.6g", t.stat);
            else printf("null");
            printf(", \"verdict\": \"%s\"}", word);
            *first = 0;
        } else {
            print_row(name, p, K, x, exact, err, &t, word);
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
    else {
        printf("comparing /%s/X with /%s/X_exact in units of /%s/X_err, for X =", model, model, model);
        for (size_t i = 0; i < t.n; i++) printf(" %s%s", t.names[i], i + 1 < t.n ? "," : "\n");
        printf("%-32s %5s %14s %14s %12s %7s  %s\n", "quantity", "point", "simulated", "exact", "std err", "|z|/p",
               "verdict");
    }
    int failed = 0, first = 1;
    size_t unverified = 0;
    for (size_t i = 0; i < t.n; i++) failed |= check_one(file, model, t.names[i], json, &first, &unverified);
    if (json) printf("\n]\n");
    else {
        printf("%s: simulated values within 3 standard errors of the exact ones (for vectors the largest |z| by the "
               "union bound, at the same false-alarm rate)", failed ? "FAILED" : "passed");
        if (unverified) printf("; %zu point(s) without exact values, not verified", unverified);
        printf("\n");
    }
    return failed ? 1 : 0;
}
