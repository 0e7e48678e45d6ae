/* bar_cli: BAR free energy from two sample files, for cross-checks.
 *
 *   bar_cli FORWARD_FILE REVERSE_FILE BETA
 *
 * Each file holds one sample per line: the work, optionally followed by a
 * weight (default 1).  Blank lines and lines starting with '#' are skipped.
 * Prints "dF err" with %.17g; exit 0, 1 on an estimator error, 2 on bad input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "thermolearn/estimators.h"
#include "thermolearn/status.h"

struct buffer {
    double *x, *w;
    size_t n, cap;
};

static int push(struct buffer *b, double x, double w)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        double *nx = realloc(b->x, cap * sizeof *nx);
        if (nx) b->x = nx;
        double *nw = realloc(b->w, cap * sizeof *nw);
        if (nw) b->w = nw;
        if (!nx || !nw) return -1;
        b->cap = cap;
    }
    b->x[b->n] = x;
    b->w[b->n] = w;
    b->n++;
    return 0;
}

/* Read "x [w]" lines; 0 on success. */
static int read_samples(const char *path, struct buffer *b)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[512];
    int status = 0;
    for (long lineno = 1; status == 0 && fgets(line, sizeof line, f); lineno++) {
        char *p = line, *end;
        double x = strtod(p, &end);
        if (end == p) { /* blank or comment */
            while (*p == ' ' || *p == '\t') p++;
            if (*p == '\0' || *p == '\n' || *p == '#') continue;
            fprintf(stderr, "%s:%ld: not a number\n", path, lineno);
            status = -1;
            break;
        }
        p = end;
        double w = strtod(p, &end);
        if (end == p) w = 1.0;
        status = push(b, x, w);
    }
    fclose(f);
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s FORWARD_FILE REVERSE_FILE BETA\n", argv[0]);
        return 2;
    }
    char *end;
    double beta = strtod(argv[3], &end);
    struct buffer fw = {0}, rv = {0};
    if (*end != '\0' || read_samples(argv[1], &fw) || read_samples(argv[2], &rv)) return 2;

    tl_samples f = {fw.x, fw.w, fw.n}, r = {rv.x, rv.w, rv.n};
    double df, err;
    int status = tl_estimate_bar(f, r, beta, &df, &err);
    free(fw.x), free(fw.w), free(rv.x), free(rv.w);
    if (status != TL_OK) {
        fprintf(stderr, "bar_cli: tl_estimate_bar failed with status %d\n", status);
        return status == TL_ERR_INPUT ? 2 : 1;
    }
    printf("%.17g %.17g\n", df, err);
    return 0;
}
