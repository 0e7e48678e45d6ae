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
 *
 * Pausing (for a checkpoint or a stop): rank 0 asks `pause` between its units;
 * a worker passes its own `pause` wish (a signal it caught) to rank 0 inside
 * its next request.  Once pausing, rank 0 hands out nothing more and tells
 * every worker to drop the rest of its run after the unit it is in.  Which
 * units were completed is then known only to the ranks that ran them: the
 * caller records that in run_unit.
 *
 * Progress: each request carries the weight (trajectories) the worker has
 * completed since its last request, so rank 0 knows the totals without any
 * collective; `progress` is called on rank 0 between units.  Nothing ever
 * waits for all ranks except the final drain.
 *
 * Results: each request (and the final DONE) also carries what the worker's
 * `outbox` hands over (the block moments of the units it ran since its last
 * request), given to `inbox` on rank 0; a worker holds at most one run's worth.
 */
#ifndef THERMOLEARN_SCHEDULER_H
#define THERMOLEARN_SCHEDULER_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* Up to this many ranks rank 0 simulates too; beyond, it only hands out work:
 * a thousand workers cannot wait for rank 0 to finish a unit of its own
 * (tests/tools/handout_sim.c measures both). */
#define TL_SCHEDULER_ROOT_WORKS_MAX 32

/* The longest run handed out at once.  Guided runs alone are sized in units,
 * not in cost: on a grid whose points differ tenfold in cost, one early long
 * run of expensive units ends long after the rest (parallel efficiency 0.92 at
 * 2 ranks and 0.78 at 1024 in tests/tools/handout_sim.c; 0.999 and 0.95 with
 * this cap).  It also bounds how long a worker takes to hear of a stop. */
#define TL_SCHEDULER_MAX_RUN 16

typedef void (*tl_unit_fn)(uint64_t unit, void *context);

typedef struct {
    uint64_t units_run;    /* by this rank */
    uint64_t messages;     /* requests served (rank 0) or sent (workers) */
    int paused;            /* the run stopped early (the same on every rank) */
} tl_scheduler_stats;

typedef struct {
    /* Nonzero: stop handing out work (rank 0: any reason; workers: a signal). */
    int (*pause)(void *context);
    /* Weight of unit k (its trajectories), for progress; NULL counts 1 per unit. */
    uint64_t (*weight)(uint64_t unit, void *context);
    /* Rank 0: `done` weight completed so far on all ranks (as last reported). */
    void (*progress)(uint64_t done, void *context);
    /* Workers: the bytes the next message to rank 0 carries; they are taken
     * (the next call returns only what came after) and must stay valid until
     * the next call.  NULL: nothing. */
    size_t (*outbox)(void *context, const void **data);
    /* Rank 0: the bytes a worker's message carried. */
    void (*inbox)(const void *data, size_t bytes, void *context);
    void *context;
} tl_scheduler_control;

/* Run every unit exactly once somewhere; collective over comm. */
tl_scheduler_stats tl_scheduler_run(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm);

/* The same with pause and progress hooks (ctl may be NULL). */
tl_scheduler_stats tl_scheduler_run_controlled(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm,
                                               const tl_scheduler_control *ctl);

/* Length of the next run handed out, from what is left and the number of ranks. */
uint64_t tl_scheduler_chunk(uint64_t remaining, int n_ranks);

#endif
