/* `thermolearn run`: schedule, simulate, reduce, write, estimate. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "thermolearn/checkpoint.h"
#include "thermolearn/crooks.h"
#include "thermolearn/ensemble.h"
#include "thermolearn/error.h"
#include "thermolearn/lock.h"
#include "thermolearn/output.h"
#include "thermolearn/progress.h"
#include "thermolearn/run.h"
#include "thermolearn/scheduler.h"
#include "thermolearn/version.h"
#include "thermolearn/status.h"

#define PATH_LEN 4096

/* ---- signals, stops and checkpoints --------------------------------------------------- */

enum { STOP_NONE, STOP_TIMER, STOP_SIGNAL, STOP_TIME_LIMIT, STOP_FILE };
static const char *const stop_names[] = {"", "checkpoint interval", "signal", "time limit", "stop file"};

static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
    caught_signal = sig;
}

/* SIGTERM (scancel, the end of a SLURM time limit), SIGUSR1 (sbatch --signal, and
 * mpirun forwards it), SIGINT: checkpoint and stop, instead of dying. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGTERM, SIGUSR1, SIGINT};
    for (size_t k = 0; k < 3; k++) sigaction(sigs[k], &sa, NULL);
}

typedef struct {
    tl_ensemble *en;
    /* the units of this phase, by position: runs [start, start + length) and
     * the position of each run's first unit */
    const uint64_t (*todo)[2];
    const uint64_t *todo_at;
    size_t n_todo;
    double t0, last_checkpoint, interval, limit, last_file_check;
    const char *stop_file;
    int rank, reason;
    int bar; /* a live bar even when stderr is not a terminal (under mpirun it never is) */
    tl_progress progress;
    uint64_t session_done; /* trajectories done in earlier phases of this session */
    uint64_t phase_done;   /* in this phase, as last reported */
    uint64_t units_here;   /* units of work this rank ran in this session */
    /* the preparation round in progress: its points and which this rank ran */
    const size_t *round;
    int *ran;
} run_state;

/* The unit at position k of this phase. */
static uint64_t todo_unit(const run_state *rs, uint64_t k)
{
    size_t lo = 0, hi = rs->n_todo;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (rs->todo_at[mid] <= k) lo = mid;
        else hi = mid;
    }
    return rs->todo[lo][0] + (k - rs->todo_at[lo]);
}

/* Test hook: THERMOLEARN_TEST_UNIT_STALL=s sleeps s seconds after each unit of
 * work, so that a test's run lasts long enough for a stop file or a signal to
 * find it running however fast the machine (the SLURM test). */
static double unit_stall(void)
{
    static double stall = -1;
    if (stall < 0) stall = getenv("THERMOLEARN_TEST_UNIT_STALL") ? atof(getenv("THERMOLEARN_TEST_UNIT_STALL")) : 0;
    return stall;
}

/* Test hook: THERMOLEARN_TEST_STOP_AFTER=n makes rank 0 stop the run, as a
 * stop file would, once it has run n units of work in this session: a stop
 * at a known place (one rank: after exactly n units), however fast the machine. */
static uint64_t stop_after(void)
{
    static long long n = -1;
    if (n < 0) n = getenv("THERMOLEARN_TEST_STOP_AFTER") ? atoll(getenv("THERMOLEARN_TEST_STOP_AFTER")) : 0;
    return n > 0 ? (uint64_t)n : 0;
}

/* After every unit of work, trajectories or a preparation stage. */
static void unit_done(run_state *rs)
{
    rs->units_here++;
    double stall = unit_stall();
    if (stall > 0) {
        struct timespec ts = {(time_t)stall, (long)((stall - (double)(time_t)stall) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static void run_todo_unit(uint64_t k, void *context)
{
    run_state *rs = context;
    tl_ensemble_run_unit(rs->en, todo_unit(rs, k));
    unit_done(rs);
}

static uint64_t unit_trajectories(const tl_ensemble *en, uint64_t unit)
{
    uint64_t first = (unit % en->n_blocks) * en->unit, T = en->cfg->trajectories;
    return T - first < en->unit ? T - first : en->unit;
}

static uint64_t todo_weight(uint64_t k, void *context)
{
    run_state *rs = context;
    return unit_trajectories(rs->en, todo_unit(rs, k));
}

/* Block moments travel from the workers to rank 0 with their requests. */
static size_t take_outbox(void *context, const void **data)
{
    run_state *rs = context;
    tl_outbox *b = &rs->en->outbox;
    size_t n = b->n;
    *data = b->data;
    b->n = 0; /* the buffer stays until the next call, as the scheduler needs */
    return n;
}

static void receive_moments(const void *data, size_t bytes, void *context)
{
    run_state *rs = context;
    tl_ensemble_receive(rs->en, data, bytes);
}

/* Rank 0 decides every stop; a worker only passes on a signal it caught. */
static int want_pause(void *context)
{
    run_state *rs = context;
    if (caught_signal) return rs->reason = STOP_SIGNAL, 1;
    if (rs->rank != 0) return 0;
    if (stop_after() && rs->units_here >= stop_after()) return rs->reason = STOP_FILE, 1;
    double now = MPI_Wtime();
    if (rs->limit > 0 && now - rs->t0 >= rs->limit) return rs->reason = STOP_TIME_LIMIT, 1;
    if (now - rs->last_file_check >= 0.1) {
        rs->last_file_check = now;
        if (access(rs->stop_file, F_OK) == 0) return rs->reason = STOP_FILE, 1;
    }
    if (rs->interval > 0 && now - rs->last_checkpoint >= rs->interval) return rs->reason = STOP_TIMER, 1;
    return 0;
}

static void on_progress(uint64_t done, void *context)
{
    run_state *rs = context;
    rs->phase_done = done;
    tl_progress_update(&rs->progress, rs->session_done + done);
}

/* The units still to run, decided on rank 0 and sent to every rank: the
 * pilot blocks while the histogram ranges are open, then everything else.
 * Returns the number of units; todo and todo_at are malloc'd. */
static uint64_t units_left(run_state *rs, uint64_t (**todo)[2], uint64_t **todo_at, MPI_Comm comm)
{
    tl_ensemble *en = rs->en;
    uint64_t n_runs = rs->rank == 0 ? tl_fold_missing(en->fold, !en->binning, todo) : 0;
    MPI_Bcast(&n_runs, 1, MPI_UINT64_T, 0, comm);
    if (rs->rank != 0) *todo = tl_malloc((n_runs + 1) * sizeof **todo, "units to run");
    for (uint64_t at = 0; at < n_runs; at += 1 << 26) { /* MPI counts are int */
        uint64_t n = n_runs - at < (1 << 26) ? n_runs - at : 1 << 26;
        MPI_Bcast(*todo + at, (int)(2 * n), MPI_UINT64_T, 0, comm);
    }
    *todo_at = tl_malloc((n_runs + 1) * sizeof **todo_at, "units to run");
    uint64_t n = 0;
    for (uint64_t r = 0; r < n_runs; r++) (*todo_at)[r] = n, n += (*todo)[r][1];
    rs->todo = (const uint64_t(*)[2]) * todo;
    rs->todo_at = *todo_at;
    rs->n_todo = n_runs;
    return n;
}

/* Pause after a scheduler run that stopped early: every rank learns why, and
 * the checkpoint is written.  Returns STOP_NONE to go on (a checkpoint
 * interval), else why it stopped. */
static int pause_run(run_state *rs, const char *checkpoint, MPI_Comm comm, int *status)
{
    if (rs->rank == 0 && rs->reason == STOP_NONE) rs->reason = STOP_SIGNAL; /* a worker's */
    MPI_Bcast(&rs->reason, 1, MPI_INT, 0, comm);
    *status = tl_checkpoint_save(rs->en, checkpoint, comm);
    rs->last_checkpoint = MPI_Wtime();
    return rs->reason != STOP_TIMER || *status ? rs->reason : STOP_NONE;
}

/* ---- the preparation phase ------------------------------------------------------------ */

static void run_stage_unit(uint64_t k, void *context)
{
    run_state *rs = context;
    tl_prepare_run_stage(&rs->en->prep, rs->en->cfg, rs->round[k]);
    rs->ran[k] = 1;
    unit_done(rs);
}

static void prepare_report(const tl_prepare *pr, double t0)
{
    char took[32];
    tl_progress_format_time(MPI_Wtime() - t0, took, sizeof took);
    tl_message("thermolearn: preparation %llu/%llu stages done (%s)", (unsigned long long)tl_prepare_done(pr),
               (unsigned long long)pr->all_stages, took);
}

/* The staged preparation of the points (en->prep): rounds of one stage per
 * unfinished chain, handed out by the scheduler like trajectories, the new
 * blobs shared after each round, a stop honoured between stages.  Returns
 * STOP_NONE when every chain is done, else why it stopped (after a checkpoint). */
static int prepare_all(run_state *rs, const char *checkpoint, MPI_Comm comm, int *status)
{
    tl_prepare *pr = &rs->en->prep;
    if (tl_prepare_done(pr) == pr->all_stages) return STOP_NONE;
    int talk = rs->progress.enabled;
    if (talk)
        tl_message("thermolearn: preparing %zu point(s): %llu stages, %llu to run", pr->n_points,
                   (unsigned long long)pr->all_stages, (unsigned long long)(pr->all_stages - tl_prepare_done(pr)));
    size_t *round = tl_malloc((pr->n_points + 1) * sizeof *round, "preparation round");
    int *ran = tl_malloc((pr->n_points + 1) * sizeof *ran, "preparation round");
    tl_scheduler_control ctl = {want_pause, NULL, NULL, NULL, NULL, rs};
    int stop = STOP_NONE;
    double t0 = MPI_Wtime(), last_report = t0;
    for (size_t n; !stop && !*status && (n = tl_prepare_pending(pr, round)) > 0;) {
        memset(ran, 0, n * sizeof *ran);
        rs->round = round, rs->ran = ran, rs->reason = STOP_NONE;
        tl_scheduler_stats st = tl_scheduler_run_controlled(n, run_stage_unit, rs, comm, &ctl);
        tl_prepare_share(pr, round, ran, n, comm);
        if (talk && MPI_Wtime() - last_report >= fmin(rs->progress.interval, 60)) {
            prepare_report(pr, t0);
            last_report = MPI_Wtime();
        }
        if (st.paused) stop = pause_run(rs, checkpoint, comm, status);
    }
    if (talk && !stop && !*status) prepare_report(pr, t0);
    free(round), free(ran);
    return stop;
}

/* ---- the trajectories ------------------------------------------------------------------- */

/* Run everything not done, pausing for checkpoints.  Returns STOP_NONE when
 * all is done, or why it stopped (after a checkpoint); TL_ERR_IO in *status
 * when a checkpoint could not be written. */
static int simulate_all(run_state *rs, const char *checkpoint, MPI_Comm comm, int *status)
{
    tl_ensemble *en = rs->en;
    tl_scheduler_control ctl = {want_pause, todo_weight, on_progress, take_outbox, receive_moments, rs};
    int stop = STOP_NONE, started = 0;
    for (;;) {
        if (!started) {
            uint64_t total = (uint64_t)en->n_points * en->n_directions * en->cfg->trajectories;
            uint64_t done = rs->rank == 0 ? tl_fold_trajectories(en->fold, en->cfg->trajectories) : 0;
            tl_progress_init(&rs->progress, total, done, rs->progress.interval, rs->progress.enabled);
            if (rs->bar) rs->progress.tty = 1;
            started = 1;
        }
        uint64_t (*todo)[2] = NULL, *todo_at = NULL;
        uint64_t n = units_left(rs, &todo, &todo_at, comm);
        if (n == 0) {
            free(todo), free(todo_at);
            if (en->binning) break;
            tl_ensemble_set_ranges(en, comm); /* the pilot blocks are all in */
            continue;
        }
        rs->reason = STOP_NONE;
        tl_scheduler_stats st = tl_scheduler_run_controlled(n, run_todo_unit, rs, comm, &ctl);
        free(todo), free(todo_at);
        rs->session_done += rs->phase_done;
        rs->phase_done = 0;
        if (st.paused && (stop = pause_run(rs, checkpoint, comm, status)) != STOP_NONE) break;
    }
    return stop;
}

/* ---- writing ----------------------------------------------------------------------- */

static void write_root_attributes(tl_output *out, const tl_config *cfg, int n_ranks, MPI_Comm comm)
{
    char created[64] = "";
    if (out->rank == 0) {
        time_t now = time(NULL);
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    }
    MPI_Bcast(created, sizeof created, MPI_CHAR, 0, comm);
    tl_output_attr_string(out, "/", "program", "thermolearn");
    tl_output_attr_string(out, "/", "version", tl_version);
    tl_output_attr_string(out, "/", "git_commit", tl_git_commit);
    tl_output_attr_uint64(out, "/", "git_dirty", (unsigned long long)tl_git_dirty);
    tl_output_attr_string(out, "/", "input", cfg->input_text);
    tl_output_attr_string(out, "/", "input_file", cfg->input_path);
    tl_output_attr_uint64(out, "/", "seed", cfg->seed);
    tl_output_attr_uint64(out, "/", "n_ranks", (unsigned long long)n_ranks);
    tl_output_attr_string(out, "/", "created", created);
    tl_output_attr_string(out, "/", "model", cfg->model->name);
    tl_output_attr_string(out, "/", "model_description", cfg->model->description);
    tl_output_attr_string(out, "/", "units",
                          "k_B = 1: energies (work, heat, free energies) in the model's energy unit, "
                          "beta in 1/energy, entropies in units of k_B");
    tl_output_attr_uint64(out, "/", "n_points", cfg->grid.n_points);
    tl_output_attr_uint64(out, "/", "trajectories", cfg->trajectories);
}

/* A list parameter: a string or float64 array attribute of /parameters (an empty
 * list, only possible as a model's default, is one empty string or a 0). */
static void write_list(tl_output *out, const tl_point *pt, const char *name, tl_param_kind kind)
{
    size_t n = tl_point_list_size(pt, name);
    char **items = tl_calloc(n + 1, sizeof *items, "list");
    double *values = tl_calloc(n + 1, sizeof *values, "list");
    for (size_t i = 0; i < n; i++) {
        char buf[4096];
        items[i] = strdup(tl_point_list_item(pt, name, i, buf, sizeof buf));
        if (kind == TL_PARAM_REAL_LIST) values[i] = tl_point_list_real(pt, name, i);
    }
    if (kind == TL_PARAM_REAL_LIST) tl_output_attr_doubles(out, "/parameters", name, values, n);
    else tl_output_attr_strings(out, "/parameters", name, (const char *const *)items, n);
    for (size_t i = 0; i < n; i++) free(items[i]);
    free(items), free(values);
}

static void write_parameters(tl_output *out, const tl_config *cfg)
{
    size_t P = cfg->grid.n_points;
    double *v = tl_malloc(P * sizeof *v, "parameter values");
    hsize_t dims[1] = {P};
    for (size_t k = 0; k < cfg->n_params; k++) {
        const tl_param_spec *spec = &cfg->specs[k];
        if (spec->kind != TL_PARAM_REAL && spec->kind != TL_PARAM_INT) continue;
        for (size_t p = 0; p < P; p++) {
            tl_point pt;
            tl_config_point(cfg, p, &pt);
            v[p] = pt.values[k];
            tl_config_point_free(&pt);
        }
        char path[256];
        snprintf(path, sizeof path, "/parameters/%s", spec->name);
        tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, v, spec->description,
                        spec->units);
    }
    free(v);
    /* Choices, strings and lists are one value for the whole grid: attributes. */
    tl_point pt;
    tl_config_point(cfg, 0, &pt);
    for (size_t k = 0; k < cfg->n_params; k++) {
        tl_param_kind kind = cfg->specs[k].kind;
        if (kind == TL_PARAM_CHOICE || kind == TL_PARAM_STRING)
            tl_output_attr_string(out, "/parameters", cfg->specs[k].name, pt.strings[k] ? pt.strings[k] : "");
        else if (kind == TL_PARAM_LIST || kind == TL_PARAM_REAL_LIST)
            write_list(out, &pt, cfg->specs[k].name, kind);
    }
    tl_config_point_free(&pt);
    const char *axes[cfg->grid.n_axes + 1];
    for (size_t a = 0; a < cfg->grid.n_axes; a++) axes[a] = cfg->grid.axes[a].name;
    tl_output_attr_strings(out, "/parameters", "axes", axes, cfg->grid.n_axes);
}

/* Sum a per-rank array into rank 0 (exact: each entry has one contributor). */
static void reduce_to_root(void *data, size_t n, MPI_Datatype type, MPI_Comm comm, int rank)
{
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : data, data, (int)n, type, MPI_SUM, 0, comm);
}

static void write_histograms(tl_output *out, tl_ensemble *en, size_t d, size_t o, MPI_Comm comm)
{
    size_t P = en->n_points, bins = en->bins;
    uint64_t *counts = tl_malloc(P * bins * sizeof *counts, "counts");
    double *edges = tl_malloc(P * (bins + 1) * sizeof *edges, "edges");
    uint64_t *outliers = tl_malloc(P * 2 * sizeof *outliers, "outliers");
    double *moments = tl_malloc(P * 4 * sizeof *moments, "moments");
    for (size_t p = 0; p < P; p++) {
        size_t slot = tl_ensemble_slot(en, p, d, o);
        const gsl_histogram *h = en->hist[slot];
        for (size_t b = 0; b < bins; b++) counts[p * bins + b] = (uint64_t)h->bin[b];
        memcpy(edges + p * (bins + 1), h->range, (bins + 1) * sizeof *edges);
        memcpy(outliers + 2 * p, en->outliers + 2 * slot, 2 * sizeof *outliers);
        tl_moments m = tl_ensemble_moments(en, p, d, o);
        double row[4] = {m.mean, tl_moments_variance(&m), m.min, m.max};
        memcpy(moments + 4 * p, row, sizeof row);
    }
    int rank = out->rank;
    reduce_to_root(counts, P * bins, MPI_UINT64_T, comm, rank);
    reduce_to_root(outliers, P * 2, MPI_UINT64_T, comm, rank);

    const tl_observable *obs = &en->model->observables[o];
    const char *dir = en->directions[d];
    char path[256], what[512];
    hsize_t dc[2] = {P, bins}, de[2] = {P, bins + 1}, dm[2] = {P, 4}, dout[2] = {P, 2};
    snprintf(path, sizeof path, "/%s/%s/counts", obs->name, dir);
    snprintf(what, sizeof what, "histogram of the %s (%s process): trajectories per bin [point, bin]; %s",
             obs->name, dir, obs->description);
    tl_output_write(out, path, H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, dc, counts, what, "1");
    snprintf(path, sizeof path, "/%s/%s/edges", obs->name, dir);
    snprintf(what, sizeof what, "bin edges of %s/%s/counts [point, bins+1]%s", obs->name, dir,
             d == 1 ? "; mirrored: bin bins-1-b holds minus the values of forward bin b" : "");
    tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, de, edges, what, obs->units);
    snprintf(path, sizeof path, "/%s/%s/outliers", obs->name, dir);
    tl_output_write(out, path, H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, dout, outliers,
                    "trajectories below the first and above the last edge [point, (below, above)]", "1");
    snprintf(path, sizeof path, "/%s/%s/moments", obs->name, dir);
    snprintf(what, sizeof what, "mean, unbiased variance, minimum and maximum of the %s over all trajectories [point, 4]",
             obs->name);
    tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dm, moments, what, obs->units);
    free(counts), free(edges), free(outliers), free(moments);
}

static int by_unit(const void *a, const void *b)
{
    uint64_t x = ((const tl_record *)a)->unit, y = ((const tl_record *)b)->unit;
    return (x > y) - (x < y);
}

/* The samples of direction d this rank holds, as pieces of a [point,
 * trajectory, ...] dataset: piece k is the stored trajectories of record
 * rec[k] (records sorted by unit).  Returns the number of pieces; *total:
 * the trajectories in them.  Both arrays are malloc'd. */
static size_t sample_pieces(const tl_ensemble *en, size_t d, hsize_t (**pieces)[3], size_t **rec, size_t *total)
{
    size_t n = 0;
    *pieces = tl_malloc((en->n_records + 1) * sizeof **pieces, "sample pieces");
    *rec = tl_malloc((en->n_records + 1) * sizeof **rec, "sample pieces");
    *total = 0;
    for (size_t r = 0; r < en->n_records; r++) {
        const tl_record *x = &en->records[r];
        size_t pd = x->unit / en->n_blocks, block = x->unit % en->n_blocks;
        if (pd % en->n_directions != d || x->stored == 0) continue;
        (*pieces)[n][0] = pd / en->n_directions;
        (*pieces)[n][1] = block * en->unit;
        (*pieces)[n][2] = x->stored;
        (*rec)[n++] = r;
        *total += x->stored;
    }
    return n;
}

static void write_samples(tl_output *out, tl_ensemble *en, size_t d, size_t o)
{
    hsize_t (*pieces)[3];
    size_t *rec, total, at = 0, n = sample_pieces(en, d, &pieces, &rec, &total);
    double *data = tl_malloc((total + 1) * sizeof *data, "samples");
    for (size_t k = 0; k < n; k++) {
        const tl_record *x = &en->records[rec[k]];
        memcpy(data + at, x->values + o * x->count, x->stored * sizeof *data);
        at += x->stored;
    }
    const tl_observable *obs = &en->model->observables[o];
    char path[256], what[512];
    snprintf(path, sizeof path, "/%s/%s/samples", obs->name, en->directions[d]);
    snprintf(what, sizeof what, "%s of every trajectory (%s process) [point, trajectory]; %s", obs->name,
             en->directions[d], obs->description);
    hsize_t dims[2] = {en->n_points, en->cfg->histogram.n_samples};
    tl_output_write_pieces(out, path, dims, n, (const hsize_t(*)[3])pieces, data, what, obs->units);
    free(pieces);
    free(rec);
    free(data);
}

/* The filled scalar extra `name` of point p (rank 0, after the reduction). */
static double extra_value(const tl_ensemble *en, const char *name, size_t p)
{
    for (size_t e = 0; e < en->model->n_extras; e++)
        if (strcmp(en->model->extras[e].name, name) == 0 && en->model->extras[e].derived == TL_EXTRA_FILLED)
            return en->extras[e].values[p * en->extras[e].size];
    error("extra '%s': no filled extra of model %s has that name (a bug in the model)", name, en->model->name);
}

/* A declared summary (TL_EXTRA_MEAN, TL_EXTRA_SE) of point p: no state needed. */
static double declared_summary(const tl_ensemble *en, const tl_extra *x, const tl_moments *m, const tl_point *pt,
                               size_t p)
{
    double v = x->derived == TL_EXTRA_MEAN ? (m->n > 0 ? m->mean : NAN)
                                           : (m->n > 1 ? sqrt(tl_moments_variance(m) / m->n) : NAN);
    if (x->minus) v -= extra_value(en, x->minus, p);
    return x->per ? v / tl_point_real(pt, x->per) : v;
}

/* Every summarised extra, on rank 0, from the merged moments of every
 * observable, point by point: declared ones need no state; a model's
 * summarize gets one from point_alloc (not prepared), once per point. */
static void summarize_points(tl_ensemble *en)
{
    const tl_model_type *model = en->model;
    size_t n = en->n_directions * en->n_observables, derived = 0;
    for (size_t e = 0; e < model->n_extras; e++) derived += model->extras[e].derived == TL_EXTRA_DERIVED;
    tl_moments *m = tl_malloc((n + 1) * sizeof *m, "moments");
    for (size_t p = 0; p < en->n_points; p++) {
        for (size_t k = 0; k < n; k++) m[k] = tl_ensemble_moments(en, p, k / en->n_observables, k % en->n_observables);
        tl_point pt;
        tl_config_point(en->cfg, p, &pt);
        void *state = derived ? model->point_alloc(&pt) : NULL;
        for (size_t e = 0; e < model->n_extras; e++) {
            const tl_extra *x = &model->extras[e];
            tl_extra_buffer *buf = &en->extras[e];
            double *out = buf->values + p * buf->size;
            if (x->derived == TL_EXTRA_DERIVED) model->summarize(state, m, e, buf->dims, out);
            else if (x->derived != TL_EXTRA_FILLED)
                out[0] = declared_summary(en, x, &m[x->direction * en->n_observables + x->observable], &pt, p);
        }
        if (state) model->point_free(state);
        tl_config_point_free(&pt);
    }
    free(m);
}

static void write_extras(tl_output *out, tl_ensemble *en, MPI_Comm comm)
{
    for (size_t e = 0; e < en->model->n_extras; e++) {
        tl_extra_buffer *buf = &en->extras[e];
        if (en->model->extras[e].derived == TL_EXTRA_FILLED)
            reduce_to_root(buf->values, en->n_points * buf->size, MPI_DOUBLE, comm, out->rank);
    }
    if (out->rank == 0) summarize_points(en);
    for (size_t e = 0; e < en->model->n_extras; e++) {
        const tl_extra *x = &en->model->extras[e];
        tl_extra_buffer *buf = &en->extras[e];
        hsize_t dims[TL_MAX_EXTRA_RANK + 1] = {en->n_points};
        for (int r = 0; r < buf->rank; r++) dims[r + 1] = buf->dims[r];
        char path[256];
        snprintf(path, sizeof path, "/%s/%s", en->model->name, x->name);
        hid_t type = x->type == TL_EXTRA_INT8 ? H5T_STD_I8LE : H5T_IEEE_F64LE;
        tl_output_write(out, path, type, H5T_NATIVE_DOUBLE, buf->rank + 1, dims, buf->values,
                        x->description, x->units);
    }
}

/* Mean and standard error of every profile component: rank 0's fold. */
/* /<model>/<profile><suffix>, or /<model>/<direction>/<profile><suffix> with two directions. */
static void profile_path(const tl_ensemble *en, size_t v, size_t d, const char *suffix, char *path, size_t len)
{
    const tl_model_type *m = en->model;
    if (en->n_directions == 1) snprintf(path, len, "/%s/%s%s", m->name, m->profiles[v].name, suffix);
    else snprintf(path, len, "/%s/%s/%s%s", m->name, en->directions[d], m->profiles[v].name, suffix);
}

/* Mean, standard error and count of every component of profile v in
 * direction d: rank 0's fold, NaN values skipped. */
static void write_profile_moments(tl_output *out, tl_ensemble *en, size_t v, size_t d)
{
    const tl_profile *prof = &en->model->profiles[v];
    const tl_profile_layout *l = &en->profiles[v];
    size_t P = en->n_points;
    double *mean = tl_malloc((P * l->size + 1) * sizeof *mean, "profile"),
           *err = tl_malloc((P * l->size + 1) * sizeof *err, "profile");
    uint64_t *count = tl_malloc((P * l->size + 1) * sizeof *count, "profile");
    for (size_t p = 0; out->rank == 0 && p < P; p++)
        for (size_t c = 0; c < l->size; c++) {
            tl_moments mo = tl_ensemble_moments(en, p, d, l->offset + c);
            mean[p * l->size + c] = mo.n > 0 ? mo.mean : NAN;
            err[p * l->size + c] = mo.n > 0 ? sqrt(tl_moments_variance(&mo) / mo.n) : NAN;
            count[p * l->size + c] = (uint64_t)mo.n;
        }
    hsize_t dims[TL_MAX_EXTRA_RANK + 1] = {P};
    for (int r = 0; r < l->rank; r++) dims[r + 1] = l->dims[r];
    char path[256], what[1024];
    profile_path(en, v, d, "", path, sizeof path);
    snprintf(what, sizeof what, "%s: mean over the trajectories (NaN where this point has no such component)",
             prof->description);
    tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, l->rank + 1, dims, mean, what, prof->units);
    profile_path(en, v, d, "_err", path, sizeof path);
    snprintf(what, sizeof what, "standard error of %s (sample standard deviation / sqrt(trajectories))", prof->name);
    tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, l->rank + 1, dims, err, what, prof->units);
    profile_path(en, v, d, "_count", path, sizeof path);
    snprintf(what, sizeof what,
             "trajectories in %s and %s_err: those whose value of the component is a number (NaN skipped); 0 where "
             "this point has no such component",
             prof->name, prof->name);
    tl_output_write(out, path, H5T_STD_U64LE, H5T_NATIVE_UINT64, l->rank + 1, dims, count, what, "1");
    free(mean), free(err), free(count);
}

/* Profile v of every stored trajectory in direction d, [point, trajectory,
 * dims...], each rank its own records' pieces. */
static void write_profile_samples(tl_output *out, tl_ensemble *en, size_t v, size_t d)
{
    const tl_profile *prof = &en->model->profiles[v];
    const tl_profile_layout *l = &en->profiles[v];
    hsize_t (*pieces)[3];
    size_t *rec, total, at = 0, n = sample_pieces(en, d, &pieces, &rec, &total), w = tl_ensemble_profile_width(en);
    double *data = tl_malloc((total * l->size + 1) * sizeof *data, "profile samples");
    for (size_t k = 0; k < n; k++) {
        const tl_record *x = &en->records[rec[k]];
        for (size_t i = 0; i < x->stored; i++, at += l->size)
            memcpy(data + at, x->profiles + i * w + (l->offset - en->n_observables), l->size * sizeof *data);
    }
    hsize_t dims[TL_MAX_EXTRA_RANK + 2] = {en->n_points, en->cfg->histogram.n_samples};
    for (int r = 0; r < l->rank; r++) dims[r + 2] = l->dims[r];
    char path[256], what[1024];
    profile_path(en, v, d, "_samples", path, sizeof path);
    snprintf(what, sizeof what,
             "%s of every trajectory [point, trajectory, ...] (the first sample_cap trajectories; NaN where this "
             "point has no such component); %s",
             prof->name, prof->description);
    tl_output_write_pieces_nd(out, path, l->rank + 2, dims, n, (const hsize_t(*)[3])pieces, data, what, prof->units);
    free(pieces), free(rec), free(data);
}

static void write_profiles(tl_output *out, tl_ensemble *en)
{
    for (size_t v = 0; v < en->model->n_profiles; v++)
        for (size_t d = 0; d < en->n_directions && en->profiles[v].size > 0; d++) { /* size 0: an optional profile off */
            write_profile_moments(out, en, v, d);
            if (en->profile_samples) write_profile_samples(out, en, v, d);
        }
}

/* ---- estimates ------------------------------------------------------------------------ */

/* Samples of observable o at point p in direction d, summed into rank 0. */
static void gather_samples(const tl_ensemble *en, size_t p, size_t d, size_t o, double *x, MPI_Comm comm,
                           int rank)
{
    size_t n = en->cfg->histogram.n_samples;
    memset(x, 0, n * sizeof *x);
    for (size_t r = 0; r < en->n_records; r++) {
        const tl_record *rec = &en->records[r];
        size_t pd = rec->unit / en->n_blocks;
        if (pd != p * en->n_directions + d || rec->stored == 0) continue;
        memcpy(x + (rec->unit % en->n_blocks) * en->unit, rec->values + o * rec->count, rec->stored * sizeof *x);
    }
    reduce_to_root(x, n, MPI_DOUBLE, comm, rank);
}

static void work_data(const tl_ensemble *en, size_t p, size_t d, size_t o, const double *samples,
                      uint64_t *counts, tl_work_data *w)
{
    const gsl_histogram *h = en->hist[tl_ensemble_slot(en, p, d, o)];
    for (size_t b = 0; b < en->bins; b++) counts[b] = (uint64_t)h->bin[b];
    tl_moments m = tl_ensemble_moments(en, p, d, o);
    *w = (tl_work_data){samples, en->cfg->histogram.n_samples, counts, h->range, m.mean, tl_moments_variance(&m)};
}

static const char *const estimate_names[7][2] = {
    {"delta_f_bar", "Bennett acceptance ratio estimate of dF = F(lambda=1) - F(lambda=0)"},
    {"delta_f_bar_err", "asymptotic standard error of delta_f_bar (NaN: the work distributions do not overlap)"},
    {"delta_f_crossing", "W at which P_F(W) = P_R(-W): fixed-slope fit of ln P_F/P_R = beta (W - dF) over shared bins"},
    {"delta_f_jarzynski_forward", "-T ln <exp(-beta W)>_F"},
    {"delta_f_jarzynski_reverse", "T ln <exp(-beta W_R)>_R"},
    {"delta_f_gaussian", "second-cumulant estimate <W>_F - beta var(W)_F / 2"},
    {"overlap", "overlap coefficient sum_b min(p_F, p_R(-W)) of the work histograms, 0 to 1"},
};

/* Crooks estimates of every point from the work (observable 0) on rank 0:
 * samples and histogram counts are summed into rank 0 point by point. */
static void write_estimates(tl_output *out, tl_ensemble *en, size_t o, MPI_Comm comm)
{
    size_t P = en->n_points, T = en->cfg->histogram.n_samples + 1, bins = en->bins;
    double *est = tl_malloc(7 * P * sizeof *est, "estimates");
    double *wf = tl_malloc(T * sizeof *wf, "work"), *wr = tl_malloc(T * sizeof *wr, "work");
    uint64_t *cf = tl_malloc(bins * sizeof *cf, "counts"), *cr = tl_malloc(bins * sizeof *cr, "counts");
    int store = en->cfg->histogram.n_samples > 0;
    for (size_t p = 0; p < P; p++) {
        if (store) {
            gather_samples(en, p, 0, o, wf, comm, out->rank);
            gather_samples(en, p, 1, o, wr, comm, out->rank);
        }
        tl_work_data f, r;
        work_data(en, p, 0, o, store ? wf : NULL, cf, &f);
        work_data(en, p, 1, o, store ? wr : NULL, cr, &r);
        reduce_to_root(cf, bins, MPI_UINT64_T, comm, out->rank);
        reduce_to_root(cr, bins, MPI_UINT64_T, comm, out->rank);
        if (out->rank != 0) continue;
        tl_point pt;
        tl_config_point(en->cfg, p, &pt);
        double beta = tl_point_real(&pt, "beta");
        tl_config_point_free(&pt);
        tl_crooks_estimates e;
        tl_crooks_estimate(&f, &r, bins, beta, &e);
        double row[7] = {e.bar, e.bar_err, e.crossing, e.jarzynski_forward, e.jarzynski_reverse, e.gaussian, e.overlap};
        /* At T = 0 (beta = inf) the fluctuation theorems say nothing: no estimates. */
        if (isinf(beta))
            for (size_t k = 0; k < 6; k++) row[k] = NAN;
        for (size_t k = 0; k < 7; k++) est[k * P + p] = row[k];
    }
    hsize_t dims[1] = {P};
    for (size_t k = 0; k < 7; k++) {
        char path[128];
        snprintf(path, sizeof path, "/estimates/%s", estimate_names[k][0]);
        tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, est + k * P,
                        estimate_names[k][1], k == 6 ? "1" : "energy");
    /* NaN at T = 0 (beta = inf): noted with the estimates, not guessed. */
    }
    free(est), free(wf), free(wr), free(cf), free(cr);
}

static void write_all(tl_output *out, tl_ensemble *en, int n_ranks, MPI_Comm comm)
{
    write_root_attributes(out, en->cfg, n_ranks, comm);
    write_parameters(out, en->cfg);
    tl_output_param_files(out, en->cfg);
    if (en->n_records) qsort(en->records, en->n_records, sizeof *en->records, by_unit); /* NULL when none */
    for (size_t o = 0; o < en->n_observables; o++)
        for (size_t d = 0; d < en->n_directions; d++) {
            if (en->cfg->histogram.n_samples > 0) write_samples(out, en, d, o);
            write_histograms(out, en, d, o, comm);
        }
    write_extras(out, en, comm);
    write_profiles(out, en);
    tl_output_checks(out, en->cfg, en->directions, en->n_directions);
    for (size_t o = 0; o < en->n_observables; o++)
        if (en->n_directions == 2 && strcmp(en->model->observables[o].name, "work") == 0)
            write_estimates(out, en, o, comm);
}

/* ---- the output file: checked before any simulation, renamed at the end ------------ */

static int check_output(const char *path, int force, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(why, len, "output %s is a directory", path);
            return TL_ERR_INPUT;
        }
        if (!force) {
            snprintf(why, len, "output %s exists: give --force to overwrite it", path);
            return TL_ERR_INPUT;
        }
    }
    return TL_OK;
}

/* A checkpoint of another run is not replaced by accident. */
static int check_checkpoint(const char *path, int resume, int force, char *why, size_t len)
{
    struct stat st;
    if (!resume && !force && stat(path, &st) == 0) {
        snprintf(why, len, "checkpoint %s exists: give --resume to continue that run or --force to start afresh",
                 path);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

/* The checkpoint must be writable too: find out before simulating.  A .tmp
 * left by a killed run is opened, not truncated, and stays: only a file this
 * call made is removed. */
static int check_checkpoint_writable(const char *path, char *why, size_t len)
{
    char tmp[PATH_LEN + 80];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int made = 1, fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 && errno == EEXIST) made = 0, fd = open(tmp, O_WRONLY);
    if (fd < 0) {
        snprintf(why, len, "cannot write the checkpoint %s: %s", tmp, strerror(errno));
        return TL_ERR_IO;
    }
    close(fd);
    if (made) unlink(tmp);
    return TL_OK;
}

static int bcast_status(int status, const char *why, MPI_Comm comm)
{
    MPI_Bcast(&status, 1, MPI_INT, 0, comm);
    if (status) tl_message("thermolearn: %s", why);
    return status;
}

/* The directory of `path` ("." if none), in `dir`. */
static void directory_of(const char *path, char *dir, size_t len)
{
    snprintf(dir, len, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, len, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
}

/* Free bytes on the file system of path's directory; -1 if unknown. */
static double free_bytes(const char *path, dev_t *dev)
{
    char dir[PATH_LEN + 64];
    directory_of(path, dir, sizeof dir);
    struct statvfs fs;
    struct stat st;
    if (statvfs(dir, &fs) != 0 || stat(dir, &st) != 0) return -1;
    *dev = st.st_dev;
    return (double)fs.f_bavail * (double)fs.f_frsize;
}

/* A full disk is known before simulating: the output and the checkpoint hold
 * about the samples, histograms and block moments of every point. */
static int check_space(const tl_config *cfg, const char *final, const char *checkpoint, char *why, size_t len)
{
    tl_point pt;
    tl_config_point(cfg, 0, &pt);
    const char *const *names;
    double D = (double)cfg->model->directions(&pt, &names), components = 0;
    for (size_t v = 0; v < cfg->model->n_profiles; v++) {
        size_t dims[TL_MAX_EXTRA_RANK] = {1, 1, 1};
        int r = cfg->model->profile_shape(&pt, v, dims);
        double c = 1;
        for (int k = 0; k < r; k++) c *= (double)dims[k];
        components += c;
    }
    tl_config_point_free(&pt);
    double per_slot = 8.0 * (double)cfg->histogram.n_samples + 16.0 * (double)cfg->histogram.bins + 256 + 40.0;
    double need = (double)cfg->grid.n_points * D * (double)cfg->model->n_observables * per_slot;
    /* profile samples: every component of every stored trajectory (point 0's shapes) */
    need += (double)cfg->grid.n_points * D * components * 8.0 * (double)cfg->histogram.n_samples;
    dev_t d_out = 0, d_ckpt = 0;
    double f_out = free_bytes(final, &d_out), f_ckpt = free_bytes(checkpoint, &d_ckpt);
    /* Both files on one file system need room side by side (the checkpoint's
     * new copy is written before the old one goes). */
    int same = f_out >= 0 && f_ckpt >= 0 && d_out == d_ckpt;
    double need_out = same ? 3 * need : need, need_ckpt = 2 * need;
    const char *path = NULL;
    double want = 0, have = 0;
    if (f_out >= 0 && f_out < need_out) path = final, want = need_out, have = f_out;
    else if (!same && f_ckpt >= 0 && f_ckpt < need_ckpt) path = checkpoint, want = need_ckpt, have = f_ckpt;
    if (!path) return TL_OK;
    snprintf(why, len, "not enough disk space for %s (output and checkpoint): about %.1f MB needed, %.1f MB free", path,
             want / 1e6, have / 1e6);
    return TL_ERR_IO;
}

/* Checks on rank 0, before anything is simulated. */
static int check_paths(const char *final, const char *checkpoint, const tl_run_options *opt, MPI_Comm comm,
                       int rank)
{
    char why[2 * PATH_LEN + 256] = "";
    int status = TL_OK;
    if (rank == 0) status = check_output(final, opt->force || opt->resume, why, sizeof why);
    if (rank == 0 && !status) status = check_checkpoint(checkpoint, opt->resume, opt->force, why, sizeof why);
    return bcast_status(status, why, comm);
}

static int check_disk(const tl_config *cfg, const char *final, const char *checkpoint, MPI_Comm comm, int rank)
{
    char why[2 * PATH_LEN + 256] = "";
    int status = rank == 0 ? check_space(cfg, final, checkpoint, why, sizeof why) : TL_OK;
    return bcast_status(status, why, comm);
}

/* One writer per output: rank 0 takes the lock before anything is read or
 * written, and every rank learns the answer before any simulation.  Where
 * there is no lock file no run writes, so the paths are checked first: a
 * refusal then creates no lock file.  They are checked again under the lock
 * (a run may have ended in between). */
static int lock_output(tl_lock *lock, const char *final, const char *checkpoint, const tl_run_options *opt,
                       MPI_Comm comm, int rank)
{
    int status, unlocked = rank == 0 && !tl_lock_exists(final, checkpoint);
    MPI_Bcast(&unlocked, 1, MPI_INT, 0, comm);
    if (unlocked && (status = check_paths(final, checkpoint, opt, comm, rank))) return status;
    char why[2 * PATH_LEN + 1024] = "";
    status = rank == 0 ? tl_lock_acquire(lock, final, checkpoint, opt->break_lock, why, sizeof why) : TL_OK;
    return bcast_status(status, why, comm);
}

/* --resume: load the checkpoint if there is one. */
static int resume(tl_ensemble *en, const char *checkpoint, MPI_Comm comm, int rank, int quiet)
{
    int exists = rank == 0 && access(checkpoint, F_OK) == 0;
    MPI_Bcast(&exists, 1, MPI_INT, 0, comm);
    if (!exists) {
        tl_message("thermolearn: no checkpoint %s: starting from the beginning", checkpoint);
        return TL_OK;
    }
    char why[PATH_LEN + 512] = "";
    int status = tl_checkpoint_load(en, checkpoint, comm, why, sizeof why);
    if (status) {
        tl_message("thermolearn: %s", why);
        return status;
    }
    if (!quiet) tl_message("thermolearn: resuming from %s", checkpoint);
    return TL_OK;
}

/* The largest resident memory of any rank, for sizing cluster jobs (and the
 * test that memory does not grow with the trajectory count). */
static void report_memory(MPI_Comm comm, int quiet)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long kib = ru.ru_maxrss, most = 0;
    MPI_Reduce(&kib, &most, 1, MPI_LONG, MPI_MAX, 0, comm);
    if (!quiet) tl_message("thermolearn: peak memory of one rank: %.1f MiB", most / 1024.0);
}

static void stop_message(int reason, const char *checkpoint, const tl_run_options *opt, const char *prepared)
{
    tl_message("thermolearn: stopped (%s)%s; progress saved in %s. Continue with: thermolearn run %s%s%s --resume%s%s "
               "(exit status %d)",
               stop_names[reason], prepared, checkpoint, opt->input ? opt->input : "CONFIG", opt->output ? " -o " : "",
               opt->output ? opt->output : "", opt->checkpoint ? " --checkpoint " : "",
               opt->checkpoint ? opt->checkpoint : "", TL_RUN_STOPPED);
}

static int simulate_and_write(tl_config *cfg, const tl_run_options *opt, const char *final, const char *partial,
                              const char *checkpoint, MPI_Comm comm)
{
    int rank, n_ranks, status = TL_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n_ranks);
    tl_output out;
    if (tl_output_create(&out, partial, comm)) {
        tl_message("thermolearn: cannot create output %s (does the directory exist and is it writable?)", final);
        return TL_ERR_IO;
    }
    char why[2 * PATH_LEN + 256] = "";
    if (rank == 0) status = check_checkpoint_writable(checkpoint, why, sizeof why);
    if ((status = bcast_status(status, why, comm))) {
        tl_output_close(&out);
        if (rank == 0) unlink(partial);
        return status;
    }
    /* Every rank catches the stop signals before any rank reports progress:
     * a SIGUSR1 that mpirun forwards at the first progress line must not
     * kill a rank still loading (seen under load).  One caught while loading
     * stops the run at its first pause, with a checkpoint. */
    catch_signals();
    MPI_Barrier(comm);
    double t0 = MPI_Wtime();
    tl_ensemble en;
    tl_ensemble_init(&en, cfg, comm);
    if (opt->resume) status = resume(&en, checkpoint, comm, rank, opt->quiet);
    if (!status && !opt->quiet)
        tl_message("thermolearn: model %s, %zu grid point(s) x %llu trajectories x %zu direction(s) on %d rank(s)",
                   cfg->model->name, cfg->grid.n_points, (unsigned long long)cfg->trajectories,
                   en.n_directions, n_ranks);
    run_state rs = {.en = &en, .t0 = t0, .last_checkpoint = t0, .rank = rank,
                    .interval = opt->checkpoint_interval >= 0 ? opt->checkpoint_interval : cfg->checkpoint_interval,
                    .limit = opt->time_limit > 0 ? opt->time_limit : cfg->time_limit};
    char stop_file[PATH_LEN + 16];
    snprintf(stop_file, sizeof stop_file, "%s.stop", final);
    rs.stop_file = stop_file;
    rs.progress.enabled = rank == 0 && !opt->quiet && opt->progress >= 0;
    rs.progress.interval = opt->progress > 0 ? opt->progress : 60;
    rs.bar = opt->progress_bar;
    int stop = STOP_NONE;
    if (!status) stop = prepare_all(&rs, checkpoint, comm, &status);
    if (!status && !stop) {
        stop = simulate_all(&rs, checkpoint, comm, &status);
        tl_progress_finish(&rs.progress);
    }
    if (!status && !stop) status = tl_checkpoint_save(&en, checkpoint, comm); /* kept to extend the run */
    if (!status && !stop) write_all(&out, &en, n_ranks, comm);
    char prepared[96] = ""; /* a stop in the preparation says how far it went */
    if (tl_prepare_done(&en.prep) < en.prep.all_stages)
        snprintf(prepared, sizeof prepared, " in the preparation, %llu/%llu stages done",
                 (unsigned long long)tl_prepare_done(&en.prep), (unsigned long long)en.prep.all_stages);
    tl_ensemble_free(&en);
    tl_output_close(&out);
    if (status || stop) {
        /* ours: made by tl_output_create above, under the lock */
        if (rank == 0) unlink(partial);
        if (rank == 0 && stop == STOP_FILE) unlink(stop_file); /* honoured: the resumed run must not stop at once */
        if (!status) stop_message(stop, checkpoint, opt, prepared);
        return status ? status : TL_RUN_STOPPED;
    }
    if (rank == 0 && rename(partial, final) != 0) {
        tl_message("thermolearn: cannot rename %s to %s: %s", partial, final, strerror(errno));
        status = TL_ERR_IO;
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, comm);
    if (!status && !opt->quiet) tl_message("thermolearn: wrote %s in %.2f s", final, MPI_Wtime() - t0);
    report_memory(comm, opt->quiet);
    return status;
}

int tl_run(tl_config *cfg, const tl_run_options *opt)
{
    MPI_Comm comm = MPI_COMM_WORLD;
    int rank;
    MPI_Comm_rank(comm, &rank);
    const char *final = opt->output ? opt->output : cfg->output;
    char partial[PATH_LEN + 64], checkpoint[PATH_LEN + 64];
    snprintf(partial, sizeof partial, "%s.partial", final);
    snprintf(checkpoint, sizeof checkpoint, "%s", opt->checkpoint ? opt->checkpoint : final);
    if (!opt->checkpoint) snprintf(checkpoint, sizeof checkpoint, "%s.ckpt", final);
    tl_lock lock = {0};
    int status = lock_output(&lock, final, checkpoint, opt, comm, rank);
    if (!status) status = check_paths(final, checkpoint, opt, comm, rank);
    if (!status) status = check_disk(cfg, final, checkpoint, comm, rank);
    if (!status) status = simulate_and_write(cfg, opt, final, partial, checkpoint, comm);
    if (rank == 0) tl_lock_release(&lock);
    return status;
}
