/* Checkpoints: everything a run has accumulated, in one file, so that a
 * killed or stopped run continues where it was.
 *
 * A checkpoint holds, reduced over all ranks: rank 0's fold of the block
 * moments (which also says which units are done), the histogram ranges and
 * counts, the model's per-point datasets and the records (samples, profile
 * samples, and the whole values of short last blocks and of pilot blocks not
 * yet binned), and, for a model that stages its preparation (prepare.h),
 * every chain's stage count and blob.  Everything in it is an integer
 * count or a per-unit quantity, so a run resumed on any number of ranks ends
 * with the same datasets as one that never stopped.
 *
 * It is written by rank 0 to PATH.tmp, flushed to disk and renamed over PATH:
 * a crash at any moment leaves the previous checkpoint or the new one.  A
 * trailing checksum catches a file damaged otherwise.  The layout is the
 * machine's own byte order (little-endian on every cluster we know).
 */
#ifndef THERMOLEARN_CHECKPOINT_H
#define THERMOLEARN_CHECKPOINT_H

#include <mpi.h>
#include <stddef.h>

#include "thermolearn/ensemble.h"

/* Collective.  Returns TL_OK or TL_ERR_IO (with a message printed), the same on every rank. */
int tl_checkpoint_save(const tl_ensemble *en, const char *path, MPI_Comm comm);

/* Collective: rank 0 reads `path` into its ensemble; every rank gets the done
 * units and the histogram ranges.  A checkpoint from a different input (model,
 * grid, parameters, seed, histogram settings) or with more trajectories than
 * the input is refused: TL_ERR_INPUT and a message in `why` (rank 0).  More
 * trajectories in the input extend the run.  TL_ERR_IO: cannot be read. */
int tl_checkpoint_load(tl_ensemble *en, const char *path, MPI_Comm comm, char *why, size_t why_len);

/* 64-bit FNV-1a of a byte string, continuing from `h` (start: TL_FNV_BASIS). */
#define TL_FNV_BASIS 1469598103934665603ULL
uint64_t tl_checkpoint_hash(uint64_t h, const void *data, size_t n);

#endif
