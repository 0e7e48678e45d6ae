/* Progress reports on rank 0; see progress.h. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <unistd.h>

#include "thermolearn/progress.h"

void tl_progress_format_time(double seconds, char *out, size_t len)
{
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(out, len, "?");
        return;
    }
    unsigned long s = (unsigned long)(seconds + 0.5);
    if (s >= 3600) snprintf(out, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else snprintf(out, len, "%lu:%02lu", s / 60, s % 60);
}

void tl_progress_init(tl_progress *pr, uint64_t total, uint64_t base, double interval, int enabled)
{
    double now = MPI_Wtime();
    *pr = (tl_progress){total, base, base, now, now, interval > 0 ? interval : 60, enabled, isatty(2), 0};
}

/* One report: trajectories, percentage, this session's rate, time left. */
static void report(tl_progress *pr, double now)
{
    double elapsed = now - pr->t0, rate = elapsed > 0 ? (double)(pr->done - pr->base) / elapsed : 0;
    double frac = pr->total ? (double)pr->done / (double)pr->total : 1;
    char left[32];
    tl_progress_format_time(rate > 0 ? (double)(pr->total - pr->done) / rate : NAN, left, sizeof left);
    if (pr->tty) {
        char bar[31];
        int filled = (int)(frac * 30);
        for (int k = 0; k < 30; k++) bar[k] = k < filled ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %5.1f%% %llu/%llu trajectories, %.3g/s, %s left ", bar, 100 * frac,
                (unsigned long long)pr->done, (unsigned long long)pr->total, rate, left);
        pr->drawn = 1;
    } else {
        fprintf(stderr, "thermolearn: progress %llu/%llu trajectories (%.1f%%), %.3g trajectories/s, %s left\n",
                (unsigned long long)pr->done, (unsigned long long)pr->total, 100 * frac, rate, left);
    }
    fflush(stderr);
    pr->last = now;
}

void tl_progress_update(tl_progress *pr, uint64_t session)
{
    if (!pr->enabled) return;
    pr->done = pr->base + session > pr->total ? pr->total : pr->base + session;
    double now = MPI_Wtime();
    if (now - pr->last >= (pr->tty ? 0.25 : pr->interval)) report(pr, now);
}

void tl_progress_finish(tl_progress *pr)
{
    if (!pr->enabled) return;
    report(pr, MPI_Wtime());
    if (pr->drawn) fputc('\n', stderr);
    pr->drawn = 0;
}
