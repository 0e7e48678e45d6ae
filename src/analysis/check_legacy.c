/* The check declaration of a file written before the run stored it (no
 * /checks): derived the way `check` decided before, from the groups the file
 * holds and from the parameters of the models of that time.  This file is
 * the one place in src/analysis/ that knows model or parameter names, and
 * only for such old files; tests/data/old_format/ holds files of each kind,
 * and test_check_declaration.sh checks them against what check printed then. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_declaration.h"

static int has_group(hid_t file, const char *parent, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", parent, name);
    return H5Lexists(file, parent, H5P_DEFAULT) > 0 && H5Lexists(file, path, H5P_DEFAULT) > 0;
}

static char *path_of(const char *model, const char *name, const char *suffix)
{
    char path[320];
    snprintf(path, sizeof path, "/%.128s/%.128s%s", model, name, suffix);
    return strdup(path);
}

static void add(tl_checks *c, tl_check_kind kind, char *a, char *b, char *exact, const char *column)
{
    tl_check_record *r = &c->rec[c->n++];
    *r = (tl_check_record){kind, "", a, b, exact, column ? strdup(column) : NULL};
    snprintf(r->source, sizeof r->source, "the file's layout");
}

/* ---- the triples X, X_err, X_exact under /<model>/ ---------------------------------- */

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

/* 1: triples found (added to c), 0: none, 2: one part of a triple lost. */
static int find_triples(tl_h5_file *h, const char *model, tl_checks *c)
{
    triples t = {.n = 0};
    if (H5Lexists(h->file, model, H5P_DEFAULT) <= 0) return 0;
    hid_t group = H5Gopen2(h->file, model, H5P_DEFAULT);
    if (group < 0) return 0;
    H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, &t);
    H5Gclose(group);
    if (t.broken[0]) {
        char path[192];
        snprintf(path, sizeof path, "/%s/%s", model, t.broken);
        tl_h5_fail(h, path, "missing (the other two of its triple X, X_err, X_exact are there)");
        return 2;
    }
    for (size_t i = 0; i < t.n; i++)
        add(c, TL_CHECK_TRIPLE, path_of(model, t.names[i], ""), path_of(model, t.names[i], "_err"),
            path_of(model, t.names[i], "_exact"), NULL);
    return t.n > 0;
}

/* The kind of file decided the check: the heat-exchange theorem
 * (/heat/exchange), the steady-state entropy production (/entropy/steady),
 * the triples of a run without a reverse direction, nothing for a
 * forward-only perceptron (reverse = no), else the Crooks pair. */
int tl_checks_legacy(tl_h5_file *h, const char *model, tl_checks *c)
{
    c->legacy = 1;
    hid_t file = h->file;
    if (has_group(file, "/heat", "exchange")) {
        add(c, TL_CHECK_EXCHANGE, strdup("/heat/exchange"), NULL, path_of(model, "beta_initial", ""), NULL);
        return 0;
    }
    if (has_group(file, "/entropy", "steady")) {
        add(c, TL_CHECK_STEADY, path_of(model, "entropy_production_rate", ""),
            path_of(model, "entropy_production_rate_err", ""), path_of(model, "entropy_production_exact", ""),
            "asymmetry");
        return 0;
    }
    if (!has_group(file, "/work", "reverse")) {
        int found = find_triples(h, model, c);
        if (found) return found == 2 ? 2 : 0;
        char *reverse = tl_h5_need_string(h, "/parameters", "reverse", 1);
        int forward_only = reverse && strcmp(reverse, "no") == 0;
        free(reverse);
        if (h->bad) return 2;
        if (forward_only) {
            c->none = "a forward-only run (reverse = no): no Crooks pair, nothing to check";
            return 0;
        }
    }
    add(c, TL_CHECK_CROOKS, strdup("/work/forward"), strdup("/work/reverse"), path_of(model, "delta_f_exact", ""),
        NULL);
    return 0;
}

/* Detailed balance as the Hopfield parameters of the time say: asymmetry != 0
 * breaks it, and (Crooks only) Hebbian plasticity at learning_rate > 0. */
void tl_balance_legacy(tl_h5_file *h, const tl_checks *c, const tl_check_record *r, size_t P, tl_balance *b)
{
    size_t want[1] = {P}, dims[1];
    double *a = tl_h5_optional_f64(h, "/parameters/asymmetry", 1, want, dims), *rate = NULL;
    if (r->kind == TL_CHECK_CROOKS) {
        char *plasticity = tl_h5_need_string(h, "/parameters", "plasticity", 1);
        if (plasticity && strcmp(plasticity, "hebbian") == 0)
            rate = tl_h5_need_f64(h, "/parameters/learning_rate", 1, want, dims);
        free(plasticity);
    }
    b->n_reasons = 2;
    b->reasons = calloc(2, sizeof *b->reasons);
    b->reasons[0] = strdup("a!=0"), b->reasons[1] = strdup("plastic");
    b->broken_by = strdup("asymmetry != 0 or plasticity");
    b->broken = calloc(P, sizeof *b->broken);
    for (size_t p = 0; !h->bad && p < P; p++) {
        double ap = a ? a[p] : 0;
        /* a NaN asymmetry counted as plasticity before: kept */
        if (ap != 0) b->broken[p] = isnan(ap) && r->kind == TL_CHECK_CROOKS ? 2 : 1;
        else if (rate && rate[p] > 0) b->broken[p] = 2;
    }
    free(a), free(rate);
}
