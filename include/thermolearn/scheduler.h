/* Dynamic hand-out of work units across MPI ranks.
 *
 * Rank 0 owns the queue of units 0..n_units-1.  Workers ask for work before
 * they run out (one request always in flight), and rank 0 answers with a run
 * of consecutive units whose length shrinks as the queue empties (guided
 * self-scheduling): large runs early keep messages few, small runs late keep
 * every rank busy to the end.  Rank 0 works too, one unit at a time, and
 * answers requests between its units.
 *
 * Which rank runs a unit never changes a result: units are keyed by what they
 * are, not by who runs them.
 */
#ifndef THERMOLEARN_SCHEDULER_H
#define THERMOLEARN_SCHEDULER_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*tl_unit_fn)(uint64_t unit, void *context);

typedef struct {
    uint64_t units_run;    /* by this rank */
    uint64_t messages;     /* requests served (rank 0) or sent (workers) */
} tl_scheduler_stats;

/* Run every unit exactly once somewhere; collective over comm. */
tl_scheduler_stats tl_scheduler_run(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm);

/* Length of the next run handed out, from what is left and the number of ranks. */
uint64_t tl_scheduler_chunk(uint64_t remaining, int n_ranks);

#endif
