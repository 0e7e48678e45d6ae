/* `check` of the triples a file declares: datasets X, X_err, X_exact (a
 * simulated estimate, its standard error and the exact value), compared
 * point by point.  Each is
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

/* Reads `path` as [P, K]: P rows, K the product of the axes after the first. */
static double *read_table(tl_h5_file *h, const char *path, size_t P, size_t *K)
{
    enum { MAX_RANK = 4 };
    size_t dims[MAX_RANK], want[MAX_RANK] = {P};
    int rank = -1;
    hid_t d = H5Dopen2(h->file, path, H5P_DEFAULT);
    if (d >= 0) {
        hid_t space = H5Dget_space(d);
        rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
        if (space >= 0) H5Sclose(space);
        H5Dclose(d);
    }
    if (rank < 1 || rank > MAX_RANK) {
        tl_h5_fail(h, path, rank < 0 ? "cannot be opened as a dataset" : "has %d dimensions, expected 1 to 4", rank);
        return NULL;
    }
    double *v = tl_h5_need_f64(h, path, rank, want, dims);
    *K = 1;
    for (int r = 1; v && r < rank; r++) *K *= dims[r];
    return v;
}

#define ROUNDOFF 1e-9 /* relative difference that is agreement whatever the error */

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

/* A declared triple with one part lost while the other two are there. */
static int one_part_lost(tl_h5_file *h, const tl_check_record *t)
{
    const char *part[3] = {t->a, t->b, t->exact};
    int there[3], n = 0;
    for (int j = 0; j < 3; j++) n += there[j] = H5Lexists(h->file, part[j], H5P_DEFAULT) > 0;
    for (int j = 0; j < 3 && n == 2; j++)
        if (!there[j]) tl_h5_fail(h, part[j], "missing (the other two of its triple X, X_err, X_exact are there)");
    return n == 2;
}

/* The three parts of every triple, each [P] or [P, K] alike. */
static int load_triples(tl_h5_file *h, const tl_check_record *const *t, size_t n, size_t P, double **v, size_t *K)
{
    for (size_t i = 0; i < n && !h->bad; i++) one_part_lost(h, t[i]);
    for (size_t i = 0; i < n && !h->bad; i++) {
        const char *part[3] = {t[i]->a, t[i]->b, t[i]->exact};
        for (int j = 0; j < 3 && !h->bad; j++) {
            size_t k = 0;
            v[3 * i + j] = read_table(h, part[j], P, &k);
            if (j == 0) K[i] = k;
            else if (v[3 * i + j] && k != K[i])
                tl_h5_fail(h, part[j], "%zu values per point, but %s has %zu", k, base_name(t[i]->a), K[i]);
        }
    }
    return h->bad ? 2 : 0;
}

static int check_one(const char *name, const double *x, const double *err, const double *exact, size_t P, size_t K,
                     tl_json *json, size_t *unverified)
{
    int failed = 0;
    for (size_t p = 0; p < P; p++) {
        tally t;
        int v = verdict(x + p * K, err + p * K, exact + p * K, K, &t);
        failed |= v == 0;
        *unverified += v == -1;
        const char *word = v == 1 ? "PASS" : v == 0 ? "FAIL" : "no-exact";
        if (json->on) {
            tl_json_record(json);
            printf("  {\"quantity\": \"%s\", \"point\": %zu, \"values\": %zu, \"compared\": %zu, "
                   "\"round_off\": %zu, \"no_spread\": %zu, \"nan_skipped\": %zu, \"%s\": ",
                   name, p, K, t.compared, t.agreed, t.flat, t.missing, K == 1 ? "z" : "p_value");
            if (isfinite(t.stat)) printf("%.6g", t.stat);
            else printf("null");
            printf(", \"verdict\": \"%s\"}", word);
        } else {
            print_row(name, p, K, x, exact, err, &t, word);
        }
    }
    return failed;
}

/* The group of the first triple's X, for the header ("/ou"). */
static void group_of(const char *path, char *group, size_t len)
{
    snprintf(group, len, "%.*s", (int)(base_name(path) - path - 1), path);
}

int tl_check_triples(tl_h5_file *h, const tl_check_record *const *t, size_t n, tl_json *json)
{
    uint64_t P = 0;
    if (tl_h5_need_uint(h, "/", "n_points", &P)) return 2;
    double *v[3 * TL_CHECKS_MAX] = {0};
    size_t K[TL_CHECKS_MAX] = {0};
    int status = load_triples(h, t, n, (size_t)P, v, K);
    if (!status) {
        if (!json->on) {
            char g[256];
            group_of(t[0]->a, g, sizeof g);
            printf("comparing %s/X with %s/X_exact in units of %s/X_err, for X =", g, g, g);
            for (size_t i = 0; i < n; i++) printf(" %s%s", base_name(t[i]->a), i + 1 < n ? "," : "\n");
            printf("%-32s %5s %14s %14s %12s %7s  %s\n", "quantity", "point", "simulated", "exact", "std err",
                   "|z|/p", "verdict");
        }
        int failed = 0;
        size_t unverified = 0;
        for (size_t i = 0; i < n; i++)
            failed |= check_one(base_name(t[i]->a), v[3 * i], v[3 * i + 1], v[3 * i + 2], (size_t)P, K[i], json,
                                &unverified);
        if (!json->on) {
            printf("%s: simulated values within 3 standard errors of the exact ones (for vectors the largest |z| by "
                   "the union bound, at the same false-alarm rate)", failed ? "FAILED" : "passed");
            if (unverified) printf("; %zu point(s) without exact values, not verified", unverified);
            printf("\n");
        }
        status = failed ? 1 : 0;
    }
    for (size_t i = 0; i < 3 * n; i++) free(v[i]);
    return status;
}
