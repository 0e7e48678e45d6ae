/* Reading the check declaration /checks (written by src/engine/checks.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_declaration.h"

/* A string attribute of a check that must be a full path ("/..."). */
static char *need_path(tl_h5_file *h, const char *group, const char *name)
{
    char *s = tl_h5_need_string(h, group, name, 0);
    if (s && (s[0] != '/' || strlen(s) > 255)) {
        char what[96];
        snprintf(what, sizeof what, "%s attribute %s", group, name);
        tl_h5_fail(h, what, "'%.64s' is not the path of an object in the file", s);
        free(s);
        return NULL;
    }
    return s;
}

static void read_record(tl_h5_file *h, size_t k, tl_check_record *r)
{
    snprintf(r->source, sizeof r->source, "/checks/%zu", k);
    char *kind = tl_h5_need_string(h, r->source, "kind", 0);
    if (!kind) return;
    size_t i = 0;
    while (i < TL_CHECK_KINDS && strcmp(kind, tl_check_kind_names[i]) != 0) i++;
    if (i == TL_CHECK_KINDS) {
        char what[64];
        snprintf(what, sizeof what, "%s attribute kind", r->source);
        tl_h5_fail(h, what, "'%.64s' is not a kind of check (crooks, exchange, steady, triple)", kind);
    }
    free(kind);
    r->kind = (tl_check_kind)i;
    switch (r->kind) {
    case TL_CHECK_CROOKS:
        r->a = need_path(h, r->source, "forward");
        r->b = need_path(h, r->source, "reverse");
        r->exact = need_path(h, r->source, "exact");
        break;
    case TL_CHECK_EXCHANGE:
        r->a = need_path(h, r->source, "histogram");
        r->exact = need_path(h, r->source, "beta_initial");
        break;
    case TL_CHECK_STEADY:
    case TL_CHECK_TRIPLE:
        r->a = need_path(h, r->source, "estimate");
        r->b = need_path(h, r->source, "error");
        r->exact = need_path(h, r->source, "exact");
        if (r->kind == TL_CHECK_STEADY) r->column = tl_h5_need_string(h, r->source, "column", 0);
        break;
    default: break;
    }
}

int tl_checks_read(tl_h5_file *h, const char *model, tl_checks *c)
{
    *c = (tl_checks){0};
    if (H5Lexists(h->file, "/checks", H5P_DEFAULT) <= 0) return tl_checks_legacy(h, model, c);
    uint64_t n = 0;
    if (tl_h5_need_uint(h, "/checks", "n_checks", &n) == 0 && n > TL_CHECKS_MAX)
        tl_h5_fail(h, "/checks attribute n_checks", "%llu checks (at most %d)", (unsigned long long)n, TL_CHECKS_MAX);
    for (size_t k = 0; k < n && !h->bad; k++, c->n++) read_record(h, k, &c->rec[k]);
    c->none = "/checks: the model declares no check for this run: nothing to check";
    return h->bad ? 2 : 0;
}

void tl_checks_free(tl_checks *c)
{
    for (size_t k = 0; k < c->n; k++) free(c->rec[k].a), free(c->rec[k].b), free(c->rec[k].exact), free(c->rec[k].column);
    *c = (tl_checks){0};
}

void tl_balance_read(tl_h5_file *h, const tl_checks *c, const tl_check_record *r, size_t P, tl_balance *b)
{
    *b = (tl_balance){0};
    if (c->legacy) {
        tl_balance_legacy(h, c, r, P, b);
        return;
    }
    const char *path = "/checks/detailed_balance_broken";
    size_t want[1] = {P}, dims[1];
    int8_t *k = tl_h5_need_i8(h, path, 1, want, dims);
    b->reasons = k ? tl_h5_need_strings(h, path, "reasons", &b->n_reasons) : NULL;
    if (b->n_reasons == 1 && !b->reasons[0][0]) b->n_reasons = 0; /* the empty list is stored as one "" */
    b->broken_by = b->reasons ? tl_h5_need_string(h, path, "broken_by", 0) : NULL;
    if (h->bad) {
        free(k);
        return;
    }
    b->broken = calloc(P, sizeof *b->broken);
    for (size_t p = 0; p < P && !h->bad; p++) {
        if (k[p] < 0 || (size_t)k[p] > b->n_reasons)
            tl_h5_fail(h, path, "point %zu: %d is not 0 or the number of one of its %zu reasons", p, k[p], b->n_reasons);
        b->broken[p] = k[p];
    }
    free(k);
}

void tl_balance_free(tl_balance *b)
{
    free(b->broken);
    tl_h5_free_strings(b->reasons, b->n_reasons ? b->n_reasons : (b->reasons ? 1 : 0));
    free(b->broken_by);
    *b = (tl_balance){0};
}
