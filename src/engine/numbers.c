/* Numbers from text and files (numbers.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/numbers.h"

int tl_numbers_parse(const char *line, double *v, int cap, const char **bad)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        while (*p && (isspace((unsigned char)*p) || *p == ',')) p++;
        if (!*p || *p == '#') return n;
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(x) ||
            (*end && !isspace((unsigned char)*end) && *end != ',' && *end != '#')) {
            *bad = p;
            return -1;
        }
        if (n < cap && v) v[n] = x;
        n++;
        p = end;
    }
}

int tl_numbers_read_rows(const char *key, const char *path, double *v, int stride, int *counts, int max_rows,
                         char *why, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, len, "%s: cannot open '%s'", key, path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int rows = 0, lineno = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        const char *bad = NULL;
        int n = tl_numbers_parse(line, NULL, 0, &bad);
        if (n < 0) {
            char token[32];
            snprintf(token, sizeof token, "%.*s", (int)strcspn(bad, " \t\r\n,"), bad);
            snprintf(why, len, "%s: '%s' line %d: '%s' is not a finite number", key, path, lineno, token);
            rows = -1;
            break;
        }
        if (n == 0) continue;
        if (rows >= max_rows) {
            snprintf(why, len, "%s: '%s' line %d: more than %d rows", key, path, lineno, max_rows);
            rows = -1;
            break;
        }
        if (v) tl_numbers_parse(line, v + (size_t)rows * stride, stride, &bad);
        if (counts) counts[rows] = n;
        rows++;
    }
    free(line);
    fclose(f);
    return rows;
}
