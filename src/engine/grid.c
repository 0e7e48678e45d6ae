/* Grid axes and the row-major numbering of grid points. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/error.h"
#include "thermolearn/grid.h"
#include "thermolearn/params.h"
#include "thermolearn/status.h"

#define TL_MAX_AXIS_POINTS 1000000

static int parse_list(const char *text, double **values, size_t *n, char *why, size_t len)
{
    char *copy = strdup(text);
    size_t cap = 8, count = 0;
    double *v = tl_malloc(cap * sizeof *v, "grid axis");
    int status = TL_OK;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (count == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        if (!v) error("cannot grow a grid axis");
        if (tl_parse_real(tok, &v[count])) {
            snprintf(why, len, "malformed number '%s' in list", tok);
            status = TL_ERR_INPUT;
            break;
        }
        count++;
    }
    /* strtok skips empty fields, so "0.1,,0.2" or "0.1," must be caught by hand. */
    size_t text_len = strlen(text);
    if (status == TL_OK && text_len > 0 && (strstr(text, ",,") || text[0] == ',' || text[text_len - 1] == ',')) {
        snprintf(why, len, "empty element in list '%s'", text);
        status = TL_ERR_INPUT;
    }
    if (status == TL_OK && count == 0) {
        snprintf(why, len, "empty list");
        status = TL_ERR_INPUT;
    }
    free(copy);
    if (status != TL_OK) { free(v); return status; }
    *values = v;
    *n = count;
    return TL_OK;
}

/* "start:stop:count" (linear) or, with logarithmic set, geometric spacing. */
static int parse_range(const char *text, int logarithmic, double **values, size_t *n,
                       char *why, size_t len)
{
    char *copy = strdup(text);
    char *parts[4] = {0};
    size_t np = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok && np < 4; tok = strtok_r(NULL, ":", &save))
        parts[np++] = tok;
    double start, stop;
    int64_t count;
    int status = TL_ERR_INPUT;
    size_t text_len = strlen(text);
    if (np != 3 || strstr(text, "::") || text_len == 0 || text[0] == ':' || text[text_len - 1] == ':')
        snprintf(why, len, "a range is start:stop:count or log:start:stop:count, not '%s'", text);
    else if (tl_parse_real(parts[0], &start) || tl_parse_real(parts[1], &stop))
        snprintf(why, len, "malformed number in range '%s'", text);
    else if (tl_parse_int(parts[2], &count))
        snprintf(why, len, "malformed count '%s' in range", parts[2]);
    else if (count < 1)
        snprintf(why, len, "empty range '%s': the count must be at least 1", text);
    else if (count > TL_MAX_AXIS_POINTS)
        snprintf(why, len, "range '%s' has more than %d points", text, TL_MAX_AXIS_POINTS);
    else if (count == 1 && start != stop)
        snprintf(why, len, "range '%s' has one point but start != stop", text);
    else if (logarithmic && (start <= 0 || stop <= 0))
        snprintf(why, len, "a log range needs positive start and stop, not '%s'", text);
    else
        status = TL_OK;
    free(copy);
    if (status != TL_OK) return status;
    double *v = tl_malloc((size_t)count * sizeof *v, "grid axis");
    for (int64_t i = 0; i < count; i++) {
        double f = count == 1 ? 0.0 : (double)i / (double)(count - 1);
        v[i] = logarithmic ? exp(log(start) + f * (log(stop) - log(start)))
                           : start + f * (stop - start);
    }
    /* The ends are exactly what the user wrote. */
    v[0] = start;
    v[count - 1] = stop;
    *values = v;
    *n = (size_t)count;
    return TL_OK;
}

int tl_axis_parse(const char *text, double **values, size_t *n, char *why, size_t len)
{
    if (strncmp(text, "log:", 4) == 0) return parse_range(text + 4, 1, values, n, why, len);
    if (strchr(text, ':')) return parse_range(text, 0, values, n, why, len);
    return parse_list(text, values, n, why, len);
}

int tl_grid_add_axis(tl_grid *grid, const char *name, double *values, size_t n, int line)
{
    size_t before = grid->n_axes == 0 ? 1 : grid->n_points;
    if (n > TL_MAX_GRID_POINTS / before) return TL_ERR_INPUT;
    grid->axes = realloc(grid->axes, (grid->n_axes + 1) * sizeof *grid->axes);
    if (!grid->axes) error("cannot grow the grid");
    grid->axes[grid->n_axes++] = (tl_axis){strdup(name), values, n, line};
    grid->n_points = (grid->n_axes == 1 ? 1 : grid->n_points) * n; /* an empty grid is one point */
    return TL_OK;
}

void tl_grid_point_indices(const tl_grid *grid, size_t p, size_t *idx)
{
    for (size_t a = grid->n_axes; a-- > 0;) {
        idx[a] = p % grid->axes[a].n;
        p /= grid->axes[a].n;
    }
}

const tl_axis *tl_grid_axis(const tl_grid *grid, const char *name)
{
    for (size_t a = 0; a < grid->n_axes; a++)
        if (strcmp(grid->axes[a].name, name) == 0) return &grid->axes[a];
    return NULL;
}

void tl_grid_free(tl_grid *grid)
{
    for (size_t a = 0; a < grid->n_axes; a++) {
        free(grid->axes[a].name);
        free(grid->axes[a].values);
    }
    free(grid->axes);
    *grid = (tl_grid){0};
}
