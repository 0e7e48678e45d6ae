/* Staged preparation of grid points: a model's expensive set-up (an
 * optimisation) as chains of stages that the engine runs as units of work.
 *
 * Every point whose model declares stages (tl_model_type.prepare_stages) has
 * a chain: a count of stages done and a blob of doubles that each stage
 * advances.  Points with the same prepare_key share the chain of the first of
 * them (their leader).  Every rank holds every blob: after each round of
 * stages the ranks that ran them broadcast the new blobs
 * (tl_prepare_share), so any rank can later build any point's prepared state
 * from its final blob, and rank 0 can checkpoint them.  The blobs are copied,
 * never summed: the values are bit for bit those the stage wrote, whatever
 * the number of ranks.
 */
#ifndef THERMOLEARN_PREPARE_H
#define THERMOLEARN_PREPARE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "thermolearn/config.h"

typedef struct {
    const tl_model_type *model;
    size_t n_points;
    uint64_t *stages;   /* [point] stages of its chain (0: none, or it shares its leader's) */
    uint64_t *done;     /* [point] stages done */
    size_t *leader;     /* [point] the point whose chain it uses (itself for a leader) */
    size_t *offset;     /* [point] where its own blob starts in blob */
    size_t *size;       /* [point] doubles in it */
    double *blob;       /* every chain's blob, one after another [total] */
    size_t total;       /* doubles */
    uint64_t all_stages; /* stages of every chain together */
} tl_prepare;

/* The chains of every point of cfg (nothing when the model does not stage). */
void tl_prepare_init(tl_prepare *pr, const tl_config *cfg);
void tl_prepare_free(tl_prepare *pr);

/* Stages done over every chain. */
uint64_t tl_prepare_done(const tl_prepare *pr);

/* The leaders with stages left, in grid order, into points[] (room for
 * n_points); returns how many. */
size_t tl_prepare_pending(const tl_prepare *pr, size_t *points);

/* Run the next stage of leader p's chain on this rank, on a state fresh from
 * point_alloc (the blob here moves; the count moves in tl_prepare_share). */
void tl_prepare_run_stage(tl_prepare *pr, const tl_config *cfg, size_t p);

/* After a round over points[0 .. n-1] (collective): ran[k] says whether this
 * rank ran the stage of points[k]; each one run somewhere is counted and its
 * blob copied from that rank to every rank. */
void tl_prepare_share(tl_prepare *pr, const size_t *points, const int *ran, size_t n, MPI_Comm comm);

/* Whether point p needs its final blob (prepare_finish), and the blob. */
static inline int tl_prepare_staged(const tl_prepare *pr, size_t p)
{
    return pr->stages && pr->stages[pr->leader[p]] > 0;
}
static inline const double *tl_prepare_blob(const tl_prepare *pr, size_t p)
{
    return pr->blob + pr->offset[pr->leader[p]];
}

/* Every rank takes rank 0's counts and blobs (after a checkpoint was loaded there). */
void tl_prepare_bcast(tl_prepare *pr, MPI_Comm comm);

#endif
