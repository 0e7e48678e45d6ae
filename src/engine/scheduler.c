/* Dynamic hand-out of work units; see scheduler.h. */
#include "thermolearn/error.h"
#include "thermolearn/scheduler.h"

enum { TAG_REQUEST = 101, TAG_ASSIGN = 102 };

uint64_t tl_scheduler_chunk(uint64_t remaining, int n_ranks)
{
    uint64_t chunk = remaining / (2 * (uint64_t)n_ranks);
    return chunk < 1 ? (remaining ? 1 : 0) : chunk;
}

typedef struct {
    uint64_t next, n_units;
    int n_ranks, active_workers;
    tl_scheduler_stats stats;
} queue;

static void assign(queue *q, int worker, MPI_Comm comm)
{
    uint64_t run[2] = {q->next, tl_scheduler_chunk(q->n_units - q->next, q->n_ranks)};
    q->next += run[1];
    if (run[1] == 0) q->active_workers--; /* an empty run tells the worker to stop */
    MPI_Send(run, 2, MPI_UINT64_T, worker, TAG_ASSIGN, comm);
    q->stats.messages++;
}

/* Answer every request already waiting. */
static void serve_pending(queue *q, MPI_Comm comm)
{
    for (;;) {
        int waiting;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, comm, &waiting, &st);
        if (!waiting) return;
        MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, TAG_REQUEST, comm, MPI_STATUS_IGNORE);
        assign(q, st.MPI_SOURCE, comm);
    }
}

static tl_scheduler_stats run_root(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm,
                                   int n_ranks)
{
    queue q = {0, n_units, n_ranks, n_ranks - 1, {0, 0}};
    while (q.next < q.n_units) {
        serve_pending(&q, comm);
        if (q.next < q.n_units) {
            run_unit(q.next++, context);
            q.stats.units_run++;
        }
    }
    while (q.active_workers > 0) {
        MPI_Status st;
        MPI_Recv(NULL, 0, MPI_BYTE, MPI_ANY_SOURCE, TAG_REQUEST, comm, &st);
        assign(&q, st.MPI_SOURCE, comm);
    }
    return q.stats;
}

static tl_scheduler_stats run_worker(tl_unit_fn run_unit, void *context, MPI_Comm comm)
{
    tl_scheduler_stats stats = {0, 0};
    uint64_t current[2], next[2];
    MPI_Request request;
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQUEST, comm);
    MPI_Recv(current, 2, MPI_UINT64_T, 0, TAG_ASSIGN, comm, MPI_STATUS_IGNORE);
    stats.messages++;
    while (current[1] > 0) {
        /* Ask for the next run before starting this one, so that the answer
         * is there when this one is done. */
        MPI_Irecv(next, 2, MPI_UINT64_T, 0, TAG_ASSIGN, comm, &request);
        MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQUEST, comm);
        stats.messages++;
        for (uint64_t u = current[0]; u < current[0] + current[1]; u++) {
            run_unit(u, context);
            stats.units_run++;
        }
        MPI_Wait(&request, MPI_STATUS_IGNORE);
        current[0] = next[0];
        current[1] = next[1];
    }
    return stats;
}

tl_scheduler_stats tl_scheduler_run(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm)
{
    int rank, n_ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n_ranks);
    tl_scheduler_stats stats = rank == 0 ? run_root(n_units, run_unit, context, comm, n_ranks)
                                         : run_worker(run_unit, context, comm);
    MPI_Barrier(comm);
    return stats;
}
