/* The accumulators of a run: per grid point, direction and observable a
 * histogram (GSL), moments per block of TL_BATCH trajectories, the samples
 * this rank simulated, and the model's per-point datasets.
 *
 * Work units are blocks of TL_BATCH trajectories of one (point, direction):
 * unit u = (point * n_directions + direction) * n_blocks + block.
 * Everything a rank accumulates is either an integer count (summed) or a
 * per-block quantity that exactly one rank computed (summed against zeros),
 * so the reduced results are bit-identical for any number of ranks.
 */
#ifndef THERMOLEARN_ENSEMBLE_H
#define THERMOLEARN_ENSEMBLE_H

#include <gsl/gsl_histogram.h>
#include <mpi.h>
#include <stdint.h>

#include "thermolearn/config.h"
#include "thermolearn/moments.h"

typedef struct {
    uint64_t unit;
    size_t count;   /* trajectories in the unit */
    size_t stored;  /* of which the first `stored` are kept as samples (the sample cap) */
    double *values; /* [n_observables][count] */
} tl_record;

typedef struct {
    size_t size;                        /* values per point */
    int rank;
    size_t dims[TL_MAX_EXTRA_RANK];     /* the largest over the grid */
    double *values;                     /* [n_points][size] */
} tl_extra_buffer;

typedef struct {
    const tl_config *cfg;
    const tl_model_type *model;
    size_t n_points, n_directions, n_observables, n_blocks, bins;
    const char *const *directions; /* their names */
    int binning;                /* histogram ranges are known */
    gsl_histogram **hist;       /* [point][direction][observable] */
    uint64_t *outliers;         /* [point][direction][observable][below, above] */
    tl_moments *blocks;         /* [point][direction][observable][block] */
    tl_record *records;
    size_t n_records, cap_records;
    tl_extra_buffer *extras;
    uint64_t n_units;           /* n_points * n_directions * n_blocks */
    uint8_t *done;              /* [unit]: completed on this rank (or loaded from a checkpoint) */
    struct { size_t point; void *state; uint64_t used; } cache[2];
    uint64_t clock;
} tl_ensemble;

void tl_ensemble_init(tl_ensemble *en, const tl_config *cfg);
void tl_ensemble_free(tl_ensemble *en);

/* The model's state of point p (allocated on first use; two are cached). */
void *tl_ensemble_point_state(tl_ensemble *en, size_t p);

/* Simulate unit u and accumulate it. */
void tl_ensemble_run_unit(tl_ensemble *en, uint64_t unit);

/* Histogram ranges for every point: fixed from the input, or from the
 * extremes of the units run so far (a pilot block), reduced over comm. */
void tl_ensemble_set_ranges(tl_ensemble *en, MPI_Comm comm);

/* Remove unit u's contributions (histograms, block moments, record) and
 * mark it not done; its record must be held here. */
void tl_ensemble_forget_unit(tl_ensemble *en, uint64_t unit);

/* Index helpers. */
static inline size_t tl_ensemble_slot(const tl_ensemble *en, size_t p, size_t d, size_t o)
{
    return (p * en->n_directions + d) * en->n_observables + o;
}

#endif
