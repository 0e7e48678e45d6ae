/* What `check` compares in a file: the model's declaration, as the run wrote
 * it into /checks (src/engine/checks.c), or, in a file written before that,
 * derived the old way (check_legacy.c).  Everything `check` knows about the
 * file's model comes from here: no model or parameter names elsewhere. */
#ifndef THERMOLEARN_CHECK_DECLARATION_H
#define THERMOLEARN_CHECK_DECLARATION_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "h5read.h"
#include "thermolearn/model.h"

#define TL_CHECKS_MAX 64

/* One check, with full HDF5 paths. */
typedef struct {
    tl_check_kind kind;
    char source[32]; /* where it was declared, for messages ("/checks/0") */
    char *a;         /* CROOKS: forward histogram group; EXCHANGE: the histogram group; STEADY, TRIPLE: X */
    char *b;         /* CROOKS: reverse histogram group; STEADY, TRIPLE: X's standard error */
    char *exact;     /* CROOKS: exact dF; EXCHANGE: beta_initial; STEADY, TRIPLE: the exact X */
    char *column;    /* STEADY: a parameter printed beside ("" none) */
} tl_check_record;

typedef struct {
    size_t n;
    tl_check_record rec[TL_CHECKS_MAX];
    const char *none; /* n = 0: why there is nothing to check (with the object named) */
    int legacy;       /* derived from an old file, not read from /checks */
} tl_checks;

/* Per point, whether detailed balance holds: broken[p] = 0 if it does,
 * k > 0 if not, for reason k (reasons[k - 1], e.g. "a!=0"); broken_by says
 * what breaks it, for the summary line. */
typedef struct {
    int *broken;
    char **reasons;
    size_t n_reasons;
    char *broken_by;
} tl_balance;

/* --json: the records of every check in one array ("[" before the first). */
typedef struct {
    int on;
    size_t records;
} tl_json;

static inline void tl_json_record(tl_json *j)
{
    fputs(j->records++ ? ",\n" : "[\n", stdout);
}

/* The last component of a path ("/ou/mean" -> "mean"). */
static inline const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The declaration of h: /checks, or the old way when the file has none.
 * 0, or 2 after a message naming the damaged object. */
int tl_checks_read(tl_h5_file *h, const char *model, tl_checks *c);
void tl_checks_free(tl_checks *c);

/* Detailed balance at the P points, for check `r` (CROOKS or EXCHANGE); on
 * damage h->bad is set and a message printed. */
void tl_balance_read(tl_h5_file *h, const tl_checks *c, const tl_check_record *r, size_t P, tl_balance *b);
void tl_balance_free(tl_balance *b);

/* The old way (check_legacy.c): the kind from the groups the file holds
 * (/heat/exchange, /entropy/steady, the triples X, X_err, X_exact under
 * /<model>/, a forward-only run, else a Crooks pair), detailed balance from
 * the parameters asymmetry, plasticity and learning_rate. */
int tl_checks_legacy(tl_h5_file *h, const char *model, tl_checks *c);
void tl_balance_legacy(tl_h5_file *h, const tl_checks *c, const tl_check_record *r, size_t P, tl_balance *b);

#endif
