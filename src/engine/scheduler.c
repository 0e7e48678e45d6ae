/* Dynamic hand-out of work units; see scheduler.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "thermolearn/error.h"
#include "thermolearn/scheduler.h"

/* REQUEST: bytes {weight completed since the last request, pause wanted}
 * (uint64 each), then the outbox.
 * ASSIGN: {first, count}; count 0 means no more work.
 * STOP: {abort}: sent once to every worker at the end of every run; abort = 1
 * drops the rest of the current run, abort = 0 lets the worker finish it.
 * DONE: bytes {weight}, then the outbox: the worker will send nothing more. */
enum { TAG_REQUEST = 101, TAG_ASSIGN = 102, TAG_STOP = 103, TAG_DONE = 104, TAG_PAUSE = 105 };
/* PAUSE: a worker caught a signal in the middle of a run: sent at once, not
 * waiting for its next request; no answer. */

uint64_t tl_scheduler_chunk(uint64_t remaining, int n_ranks)
{
    uint64_t chunk = remaining / (2 * (uint64_t)n_ranks);
    return chunk < 1 ? (remaining ? 1 : 0) : chunk;
}

typedef struct {
    uint64_t next, n_units, done_weight;
    int n_ranks, stopping;
    const tl_scheduler_control *ctl;
    tl_scheduler_stats stats;
} queue;

static uint64_t weight_of(const tl_scheduler_control *ctl, uint64_t unit)
{
    return ctl && ctl->weight ? ctl->weight(unit, ctl->context) : 1;
}

static int pause_wanted(const tl_scheduler_control *ctl)
{
    return ctl && ctl->pause && ctl->pause(ctl->context);
}

/* Receive a worker's REQUEST or DONE: its `head` numbers, then the outbox for `inbox`. */
static void receive(queue *q, const MPI_Status *st, int tag, uint64_t *head, size_t n_head, MPI_Comm comm)
{
    int bytes;
    MPI_Get_count(st, MPI_BYTE, &bytes);
    if ((size_t)bytes < n_head * sizeof *head) error("a message from rank %d is too short", st->MPI_SOURCE);
    unsigned char *msg = tl_malloc((size_t)bytes, "message");
    MPI_Recv(msg, bytes, MPI_BYTE, st->MPI_SOURCE, tag, comm, MPI_STATUS_IGNORE);
    memcpy(head, msg, n_head * sizeof *head);
    size_t rest = (size_t)bytes - n_head * sizeof *head;
    if (rest && q->ctl && q->ctl->inbox) q->ctl->inbox(msg + n_head * sizeof *head, rest, q->ctl->context);
    free(msg);
}

static void answer(queue *q, const MPI_Status *st, MPI_Comm comm)
{
    uint64_t req[2];
    receive(q, st, TAG_REQUEST, req, 2, comm);
    q->done_weight += req[0];
    if (req[1]) q->stopping = 1;
    uint64_t len = tl_scheduler_chunk(q->n_units - q->next, q->n_ranks);
    uint64_t run[2] = {q->next, q->stopping ? 0 : len < TL_SCHEDULER_MAX_RUN ? len : TL_SCHEDULER_MAX_RUN};
    q->next += run[1];
    MPI_Send(run, 2, MPI_UINT64_T, st->MPI_SOURCE, TAG_ASSIGN, comm);
    q->stats.messages++;
}

static void take_pause(queue *q, const MPI_Status *st, MPI_Comm comm)
{
    MPI_Recv(NULL, 0, MPI_BYTE, st->MPI_SOURCE, TAG_PAUSE, comm, MPI_STATUS_IGNORE);
    q->stopping = 1;
}

/* Answer every request already waiting. */
static void serve_pending(queue *q, MPI_Comm comm)
{
    for (;;) {
        int waiting;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_PAUSE, comm, &waiting, &st);
        if (waiting) take_pause(q, &st, comm);
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, comm, &waiting, &st);
        if (!waiting) return;
        answer(q, &st, comm);
    }
}

static void report(queue *q)
{
    if (q->ctl && q->ctl->progress) q->ctl->progress(q->done_weight, q->ctl->context);
}

/* Tell every worker the run is over, then answer requests until each says DONE. */
static void drain(queue *q, MPI_Comm comm)
{
    int workers = q->n_ranks - 1, done = 0, abort_run = q->stopping;
    MPI_Request *sends = tl_malloc((size_t)(workers + 1) * sizeof *sends, "stop messages");
    for (int w = 1; w <= workers; w++) MPI_Isend(&abort_run, 1, MPI_INT, w, TAG_STOP, comm, &sends[w - 1]);
    while (done < workers) {
        MPI_Status st;
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, &st);
        if (st.MPI_TAG == TAG_REQUEST) {
            answer(q, &st, comm);
            report(q);
        } else if (st.MPI_TAG == TAG_PAUSE) {
            take_pause(q, &st, comm);
        } else {
            uint64_t w;
            receive(q, &st, TAG_DONE, &w, 1, comm);
            q->done_weight += w;
            done++;
        }
    }
    MPI_Waitall(workers, sends, MPI_STATUSES_IGNORE);
    free(sends);
}

static tl_scheduler_stats run_root(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm,
                                   int n_ranks, const tl_scheduler_control *ctl)
{
    queue q = {0, n_units, 0, n_ranks, 0, ctl, {0, 0, 0}};
    int works = n_ranks <= TL_SCHEDULER_ROOT_WORKS_MAX;
    while (q.next < q.n_units && !q.stopping) {
        serve_pending(&q, comm);
        if (pause_wanted(ctl)) q.stopping = 1;
        if (!works) {
            /* A dedicated rank 0 waits for requests without spinning hard. */
            struct timespec nap = {0, 100000};
            nanosleep(&nap, NULL);
        } else if (q.next < q.n_units && !q.stopping) {
            uint64_t u = q.next++;
            run_unit(u, context);
            q.done_weight += weight_of(ctl, u);
            q.stats.units_run++;
        }
        report(&q);
    }
    drain(&q, comm);
    report(&q);
    q.stats.paused = q.stopping;
    return q.stats;
}

typedef struct {
    MPI_Request stop, sent;
    int abort_run, stopped, pause_sent;
    uint64_t weight; /* completed since the last request */
    unsigned char *msg;
    size_t cap;
} worker;

/* Send {head..., outbox} to rank 0 without waiting for it to be received:
 * rank 0 may be in the middle of a unit of its own. */
static void send_with_outbox(worker *w, const uint64_t *head, size_t n_head, int tag,
                             const tl_scheduler_control *ctl, MPI_Comm comm)
{
    MPI_Wait(&w->sent, MPI_STATUS_IGNORE); /* the previous message's buffer is free again */
    const void *data = NULL;
    size_t bytes = ctl && ctl->outbox ? ctl->outbox(ctl->context, &data) : 0, n = n_head * sizeof *head + bytes;
    if (n > (size_t)INT32_MAX) error("a message to rank 0 of %zu bytes: too many results in one run", n);
    if (n > w->cap) {
        free(w->msg);
        w->cap = 2 * n;
        w->msg = tl_malloc(w->cap, "message");
    }
    memcpy(w->msg, head, n_head * sizeof *head);
    if (bytes) memcpy(w->msg + n_head * sizeof *head, data, bytes);
    MPI_Isend(w->msg, (int)n, MPI_BYTE, 0, tag, comm, &w->sent);
}

static void request(worker *w, uint64_t run[2], MPI_Request *reply, const tl_scheduler_control *ctl,
                    tl_scheduler_stats *stats, MPI_Comm comm)
{
    uint64_t req[2] = {w->weight, (uint64_t)pause_wanted(ctl)};
    w->weight = 0;
    MPI_Irecv(run, 2, MPI_UINT64_T, 0, TAG_ASSIGN, comm, reply);
    send_with_outbox(w, req, 2, TAG_REQUEST, ctl, comm);
    stats->messages++;
}

/* Whether rank 0 said to drop the rest of the run; a signal caught here is
 * passed on to rank 0 at once. */
static int told_to_abort(worker *w, const tl_scheduler_control *ctl, MPI_Comm comm)
{
    if (!w->pause_sent && !w->stopped && pause_wanted(ctl)) {
        MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_PAUSE, comm);
        w->pause_sent = 1;
    }
    if (!w->stopped) MPI_Test(&w->stop, &w->stopped, MPI_STATUS_IGNORE);
    return w->stopped && w->abort_run;
}

static tl_scheduler_stats run_worker(tl_unit_fn run_unit, void *context, MPI_Comm comm,
                                     const tl_scheduler_control *ctl)
{
    tl_scheduler_stats stats = {0, 0, 0};
    worker w = {MPI_REQUEST_NULL, MPI_REQUEST_NULL, 0, 0, 0, 0, NULL, 0};
    MPI_Irecv(&w.abort_run, 1, MPI_INT, 0, TAG_STOP, comm, &w.stop);
    uint64_t current[2], next[2];
    MPI_Request reply;
    request(&w, current, &reply, ctl, &stats, comm);
    MPI_Wait(&reply, MPI_STATUS_IGNORE);
    while (current[1] > 0 && !told_to_abort(&w, ctl, comm)) {
        /* Ask for the next run before starting this one, so that the answer
         * is there when this one is done. */
        request(&w, next, &reply, ctl, &stats, comm);
        for (uint64_t u = current[0]; u < current[0] + current[1] && !told_to_abort(&w, ctl, comm); u++) {
            run_unit(u, context);
            w.weight += weight_of(ctl, u);
            stats.units_run++;
        }
        MPI_Wait(&reply, MPI_STATUS_IGNORE);
        current[0] = next[0];
        current[1] = next[1];
    }
    if (!w.stopped) MPI_Wait(&w.stop, MPI_STATUS_IGNORE);
    send_with_outbox(&w, &w.weight, 1, TAG_DONE, ctl, comm);
    MPI_Wait(&w.sent, MPI_STATUS_IGNORE);
    free(w.msg);
    return stats;
}

tl_scheduler_stats tl_scheduler_run_controlled(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm,
                                               const tl_scheduler_control *ctl)
{
    int rank, n_ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n_ranks);
    tl_scheduler_stats stats = rank == 0 ? run_root(n_units, run_unit, context, comm, n_ranks, ctl)
                                         : run_worker(run_unit, context, comm, ctl);
    MPI_Bcast(&stats.paused, 1, MPI_INT, 0, comm);
    return stats;
}

tl_scheduler_stats tl_scheduler_run(uint64_t n_units, tl_unit_fn run_unit, void *context, MPI_Comm comm)
{
    return tl_scheduler_run_controlled(n_units, run_unit, context, comm, NULL);
}
