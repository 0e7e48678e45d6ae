/* In-order folding of block moments.
 *
 * The moments of every (point, direction) over all its trajectories are
 * merged block by block in block order, whatever order the blocks arrive in
 * and whichever rank computed them: floating-point merging is not
 * associative, and this order is what makes results identical for any number
 * of ranks.  A block that arrives before its predecessors waits in a pending
 * list until they are in; the scheduler hands units out in order, so that
 * list holds at most the units in flight.  Memory is one moment vector per
 * (point, direction) plus the pending blocks, whatever the trajectory count.
 *
 * A block is `unit` trajectories (the model's unit of work).  A short last
 * block (trajectories not a multiple of the unit) is never folded: extending
 * the run replaces it by a full block.
 */
#ifndef THERMOLEARN_FOLD_H
#define THERMOLEARN_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/moments.h"

typedef struct {
    uint64_t unit;
    tl_moments *m; /* [width] */
} tl_fold_entry;

typedef struct {
    size_t n_pd;          /* (point, direction) pairs */
    size_t width;         /* moments per unit */
    uint64_t n_blocks;    /* blocks per pair: unit = pd * n_blocks + block */
    uint64_t full_blocks; /* blocks holding `unit` trajectories */
    tl_moments *prefix;   /* [pd][width]: blocks 0 .. next[pd]-1 merged in order */
    uint64_t *next;       /* [pd] */
    tl_fold_entry *pending; /* sorted by unit */
    size_t n_pending, cap_pending;
    uint64_t unit;        /* trajectories per block */
} tl_fold;

tl_fold *tl_fold_alloc(size_t n_pd, size_t width, uint64_t trajectories, uint64_t unit);
void tl_fold_free(tl_fold *f);

/* Add the moments m[width] of unit u (each unit once). */
void tl_fold_add(tl_fold *f, uint64_t unit, const tl_moments *m);

/* Whether unit u has been added. */
int tl_fold_has(const tl_fold *f, uint64_t unit);

/* Moments k of pair pd over every block added, merged in block order (valid
 * once blocks 0 .. n-1 are all in). */
tl_moments tl_fold_total(const tl_fold *f, size_t pd, size_t k);

/* Remove a pending unit (the short last block, before extending). */
void tl_fold_forget(tl_fold *f, uint64_t unit);

/* Units not added, as runs [start, start + length) in increasing order: with
 * pilot_only, only block 0 of each pair.  Returns the number of runs; *runs
 * is malloc'd ({start, length} pairs). */
size_t tl_fold_missing(const tl_fold *f, int pilot_only, uint64_t (**runs)[2]);

/* Trajectories of the units added, given `trajectories` per pair. */
uint64_t tl_fold_trajectories(const tl_fold *f, uint64_t trajectories);

/* The same state with more trajectories per pair (more blocks): pending
 * short last blocks are dropped (their trajectories are run again in full
 * blocks) and units renumbered. */
void tl_fold_extend(tl_fold *f, uint64_t trajectories);

#endif
