/* The accumulators of a run: per grid point, direction and observable a
 * histogram (GSL), the moments of every observable and profile component
 * (folded in block order on rank 0, fold.h), the samples this rank
 * simulated, and the model's per-point datasets.
 *
 * Work units are blocks of `unit` trajectories of one (point, direction),
 * the model's unit size (TL_BATCH unless it declares another):
 * unit u = (point * n_directions + direction) * n_blocks + block.
 * Everything a rank accumulates is an integer count (summed), a per-block
 * quantity that exactly one rank computed (summed against zeros), or block
 * moments merged in block order, so the results are bit-identical for any
 * number of ranks.  A worker keeps the block moments of its units only
 * until its next request to rank 0 carries them there (the outbox): memory
 * does not grow with the number of trajectories.
 */
#ifndef THERMOLEARN_ENSEMBLE_H
#define THERMOLEARN_ENSEMBLE_H

#include <gsl/gsl_histogram.h>
#include <mpi.h>
#include <stdint.h>

#include "thermolearn/config.h"
#include "thermolearn/fold.h"
#include "thermolearn/moments.h"
#include "thermolearn/prepare.h"

typedef struct {
    uint64_t unit;
    size_t count;   /* trajectories in the unit */
    size_t stored;  /* of which the first `stored` are kept as samples (the sample cap) */
    double *values; /* [n_observables][count] */
    double *profiles; /* with profile samples: [stored][every profile component, padded], else NULL */
} tl_record;

typedef struct {
    size_t size;                        /* values per point */
    int rank;
    size_t dims[TL_MAX_EXTRA_RANK];     /* the largest over the grid */
    double *values;                     /* [n_points][size] */
} tl_extra_buffer;

/* A profile: its components in the grid's largest shape, at `offset` among
 * the moments of a unit (after the observables). */
typedef struct {
    size_t size, offset;
    int rank;
    size_t dims[TL_MAX_EXTRA_RANK];
} tl_profile_layout;

typedef struct {
    unsigned char *data;
    size_t n, cap;
} tl_outbox;

typedef struct {
    const tl_config *cfg;
    const tl_model_type *model;
    int rank;
    size_t n_points, n_directions, n_observables, n_blocks, bins;
    size_t width;               /* moments per unit: observables, then every profile component */
    tl_profile_layout *profiles;
    double *profile_buffer;     /* [sum of profile sizes][unit] */
    const char *const *directions; /* their names */
    int binning;                /* histogram ranges are known */
    gsl_histogram **hist;       /* [point][direction][observable] */
    uint64_t *outliers;         /* [point][direction][observable][below, above] */
    tl_fold *fold;              /* rank 0: the block moments, merged in order */
    tl_outbox outbox;           /* workers: {unit, moments[width]} of units not yet sent to rank 0 */
    tl_record *records;
    size_t n_records, cap_records;
    tl_extra_buffer *extras;
    uint64_t n_units;           /* n_points * n_directions * n_blocks */
    struct {
        size_t point;
        void *state;
        uint64_t used;
        size_t shape[TL_MAX_PROFILES][TL_MAX_EXTRA_RANK]; /* the point's own profile shapes */
    } cache[2];
    uint64_t clock;
    uint64_t unit;              /* trajectories per unit of work (the model's unit size) */
    double *observable_buffer;  /* [n_observables][unit] */
    int profile_samples;        /* profiles are stored per trajectory too (store_samples, with profiles) */
    size_t *profile_map;        /* [width - n_observables]: padded component -> the point's own, SIZE_MAX: none */
    double *scratch;            /* [unit] */
    tl_prepare prep;            /* staged preparation: every chain's stage count and blob, on every rank */
} tl_ensemble;

/* Padded profile components per trajectory: every profile's, one after another. */
static inline size_t tl_ensemble_profile_width(const tl_ensemble *en)
{
    return en->width - en->n_observables;
}

void tl_ensemble_init(tl_ensemble *en, const tl_config *cfg, MPI_Comm comm);
void tl_ensemble_free(tl_ensemble *en);

/* The model's state of point p, allocated and prepared on first use (two are
 * cached); a staged point's chain must be done (en->prep). */
void *tl_ensemble_point_state(tl_ensemble *en, size_t p);

/* Simulate unit u and accumulate it. */
void tl_ensemble_run_unit(tl_ensemble *en, uint64_t unit);

/* Histogram ranges for every point: fixed from the input, or from the
 * extremes of the units run so far (a pilot block), reduced over comm. */
void tl_ensemble_set_ranges(tl_ensemble *en, MPI_Comm comm);

/* Remove unit u's histogram counts, record and point datasets; its record
 * must be held here (the block moments: tl_fold_extend). */
void tl_ensemble_forget_unit(tl_ensemble *en, uint64_t unit);

/* Rank 0: fold block moments a worker sent ({unit, moments[width]} each). */
void tl_ensemble_receive(tl_ensemble *en, const void *data, size_t bytes);

/* The moments k (observable, or width index) of (p, d) over all
 * trajectories: on rank 0 (NaN on the others).  A profile component's skip
 * the trajectories where it is NaN (n counts those used); n = 0 where the
 * point has no such component. */
tl_moments tl_ensemble_moments(const tl_ensemble *en, size_t p, size_t d, size_t k);

/* Index helpers. */
static inline size_t tl_ensemble_slot(const tl_ensemble *en, size_t p, size_t d, size_t o)
{
    return (p * en->n_directions + d) * en->n_observables + o;
}

#endif
