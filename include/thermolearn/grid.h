/* The parameter grid: the Cartesian product of axes, points numbered in
 * row-major order of the axes as written (the last axis varies fastest). */
#ifndef THERMOLEARN_GRID_H
#define THERMOLEARN_GRID_H

#include <stddef.h>

/* The largest grid: every rank holds a few numbers per point. */
#define TL_MAX_GRID_POINTS 1000000

typedef struct {
    char *name;
    double *values;
    size_t n;
    int line; /* where it was written, for messages */
} tl_axis;

typedef struct {
    tl_axis *axes;
    size_t n_axes;
    size_t n_points; /* product of the axis lengths; 1 for no axes */
} tl_grid;

/* Parse an axis specification: "0.1,0.3,0.5", "start:stop:count" or
 * "log:start:stop:count".  On failure returns TL_ERR_INPUT and writes the reason. */
int tl_axis_parse(const char *text, double **values, size_t *n, char *why, size_t why_len);

int tl_grid_add_axis(tl_grid *grid, const char *name, double *values, size_t n, int line);
/* Index along each axis of point p: idx[a] for a < n_axes. */
void tl_grid_point_indices(const tl_grid *grid, size_t p, size_t *idx);
/* The axis named `name`, or NULL. */
const tl_axis *tl_grid_axis(const tl_grid *grid, const char *name);
void tl_grid_free(tl_grid *grid);

#endif
