/* Checkpoint files; see checkpoint.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "thermolearn/checkpoint.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

#define MAGIC "TLCKPT02"

typedef struct {
    char magic[8];
    uint64_t seed, hash_params, hash_histogram, trajectories;
    uint64_t n_points, n_directions, n_observables, n_blocks, bins, binning, n_extra_values, record_bytes;
    uint64_t width, n_pending;
} header;

uint64_t tl_checkpoint_hash(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* ---- what identifies the input -------------------------------------------------- */

/* The model and the value of every parameter at every point (grid included).
 * A file parameter counts by its content (SHA-256 when the input was parsed),
 * not its name: the same file moved is the same run, an edited one is not. */
static uint64_t hash_params(const tl_config *cfg)
{
    uint64_t h = tl_checkpoint_hash(TL_FNV_BASIS, cfg->model->name, strlen(cfg->model->name) + 1);
    for (size_t p = 0; p < cfg->grid.n_points; p++) {
        tl_point pt;
        tl_config_point(cfg, p, &pt);
        for (size_t k = 0; k < pt.n_params; k++) {
            h = tl_checkpoint_hash(h, &pt.values[k], sizeof pt.values[k]);
            const char *s = pt.strings[k] ? pt.strings[k] : "";
            if (cfg->specs[k].kind == TL_PARAM_FILE && cfg->file_sha256) s = cfg->file_sha256[k];
            h = tl_checkpoint_hash(h, s, strlen(s) + 1);
        }
        tl_config_point_free(&pt);
    }
    return h;
}

static uint64_t hash_histogram(const tl_config *cfg)
{
    const tl_histogram_config *c = &cfg->histogram;
    double v[6] = {(double)c->bins, c->range_auto, c->range_auto ? 0 : c->range_lo, c->range_auto ? 0 : c->range_hi,
                   c->store_samples, (double)c->sample_cap};
    return tl_checkpoint_hash(TL_FNV_BASIS, v, sizeof v);
}

static header make_header(const tl_ensemble *en)
{
    header h = {.seed = en->cfg->seed,
                .hash_params = hash_params(en->cfg),
                .hash_histogram = hash_histogram(en->cfg),
                .trajectories = en->cfg->trajectories,
                .n_points = en->n_points,
                .n_directions = en->n_directions,
                .n_observables = en->n_observables,
                .n_blocks = en->n_blocks,
                .bins = en->bins,
                .binning = (uint64_t)en->binning,
                .width = en->width,
                .n_pending = en->fold ? en->fold->n_pending : 0};
    memcpy(h.magic, MAGIC, 8);
    for (size_t e = 0; e < en->model->n_extras; e++) h.n_extra_values += en->n_points * en->extras[e].size;
    return h;
}

/* ---- a growable byte buffer -------------------------------------------------------- */

typedef struct {
    unsigned char *data;
    size_t n, cap;
} buffer;

static void put(buffer *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap) b->cap = b->cap ? 2 * b->cap : 4096;
        b->data = realloc(b->data, b->cap);
        if (!b->data) error("cannot grow the checkpoint buffer");
    }
    if (n && data) memcpy(b->data + b->n, data, n);
    b->n += n;
}

/* This rank's records: {unit, count, stored, values[n_observables][count]} each,
 * then with profile samples profiles[stored][profile width]. */
static void put_records(buffer *b, const tl_ensemble *en)
{
    size_t w = en->profile_samples ? tl_ensemble_profile_width(en) : 0;
    for (size_t r = 0; r < en->n_records; r++) {
        const tl_record *rec = &en->records[r];
        uint64_t head[3] = {rec->unit, rec->count, rec->stored};
        put(b, head, sizeof head);
        put(b, rec->values, en->n_observables * rec->count * sizeof(double));
        put(b, rec->profiles, rec->stored * w * sizeof(double));
    }
}

/* Every rank's records, one after another, on rank 0: sent in pieces of at
 * most 1 GiB, since MPI counts are int. */
static buffer gather_records(const tl_ensemble *en, MPI_Comm comm, int rank, int n_ranks)
{
    enum { TAG_SIZE = 201, TAG_PIECE = 202 };
    /* The tests make pieces small to run this loop without gigabytes of samples. */
    const char *test_piece = getenv("THERMOLEARN_TEST_GATHER_PIECE");
    const size_t piece = test_piece && atol(test_piece) > 0 ? (size_t)atol(test_piece) : (size_t)1 << 30;
    buffer mine = {0}, all = {0};
    put_records(&mine, en);
    if (rank != 0) {
        uint64_t n = mine.n;
        MPI_Send(&n, 1, MPI_UINT64_T, 0, TAG_SIZE, comm);
        for (size_t at = 0; at < mine.n; at += piece)
            MPI_Send(mine.data + at, (int)(mine.n - at < piece ? mine.n - at : piece), MPI_BYTE, 0, TAG_PIECE, comm);
        free(mine.data);
        return all;
    }
    all = mine;
    for (int k = 1; k < n_ranks; k++) {
        uint64_t n;
        MPI_Recv(&n, 1, MPI_UINT64_T, k, TAG_SIZE, comm, MPI_STATUS_IGNORE);
        put(&all, NULL, (size_t)n); /* room */
        unsigned char *to = all.data + all.n - n;
        for (size_t at = 0; at < n; at += piece)
            MPI_Recv(to + at, (int)(n - at < piece ? n - at : piece), MPI_BYTE, k, TAG_PIECE, comm, MPI_STATUS_IGNORE);
    }
    return all;
}

/* Sum an array over ranks into a fresh array on rank 0 (the ensemble is left as it is). */
static void *reduced(const void *data, size_t n, size_t size, MPI_Datatype type, MPI_Op op, MPI_Comm comm)
{
    void *out = tl_malloc(n * size + 1, "checkpoint");
    MPI_Reduce(data, out, (int)n, type, op, 0, comm);
    return out;
}

static void put_histograms(buffer *b, const tl_ensemble *en, MPI_Comm comm)
{
    size_t slots = en->n_points * en->n_directions * en->n_observables, bins = en->bins;
    double *counts = tl_malloc(slots * bins * sizeof *counts + 1, "checkpoint");
    for (size_t s = 0; s < slots; s++) memcpy(counts + s * bins, en->hist[s]->bin, bins * sizeof *counts);
    double *sum = reduced(counts, slots * bins, sizeof *counts, MPI_DOUBLE, MPI_SUM, comm);
    uint64_t *outliers = reduced(en->outliers, 2 * slots, sizeof *outliers, MPI_UINT64_T, MPI_SUM, comm);
    for (size_t s = 0; s < slots; s++) {
        put(b, en->hist[s]->range, (bins + 1) * sizeof(double));
        put(b, sum + s * bins, bins * sizeof(double));
        put(b, outliers + 2 * s, 2 * sizeof(uint64_t));
    }
    free(counts), free(sum), free(outliers);
}

/* Rank 0's fold of block moments: where each (point, direction) is, its
 * prefix, and the blocks that came early. */
static void put_fold(buffer *b, const tl_fold *f)
{
    put(b, f->next, f->n_pd * sizeof *f->next);
    put(b, f->prefix, f->n_pd * f->width * sizeof *f->prefix);
    for (size_t i = 0; i < f->n_pending; i++) {
        put(b, &f->pending[i].unit, sizeof f->pending[i].unit);
        put(b, f->pending[i].m, f->width * sizeof *f->pending[i].m);
    }
}

/* Everything but the records, reduced onto rank 0 (collective). */
static void put_state(buffer *b, const tl_ensemble *en, const header *h, MPI_Comm comm)
{
    put(b, h, sizeof *h);
    if (en->fold) put_fold(b, en->fold);
    if (en->binning) put_histograms(b, en, comm);
    for (size_t e = 0; e < en->model->n_extras; e++) {
        size_t n = en->n_points * en->extras[e].size;
        double *x = reduced(en->extras[e].values, n, sizeof(double), MPI_DOUBLE, MPI_SUM, comm);
        put(b, x, n * sizeof(double));
        free(x);
    }
}

/* The staged preparation (prepare.h), after the records, only for a model
 * that stages: PREP_MAGIC, the point count, the doubles of all blobs, then
 * the stages done per point and the blobs.  Checkpoints of other models, and
 * those written before staging existed, end at the records. */
#define PREP_MAGIC "TLPREP01"

static void put_prepare(buffer *b, const tl_prepare *pr)
{
    if (!pr->stages) return;
    uint64_t head[2] = {pr->n_points, pr->total};
    put(b, PREP_MAGIC, 8);
    put(b, head, sizeof head);
    put(b, pr->done, pr->n_points * sizeof *pr->done);
    put(b, pr->blob, pr->total * sizeof *pr->blob);
}

/* Write whole to path.tmp, flush to disk, rename over path, flush the directory. */
static int write_atomically(const char *path, const buffer *b)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    size_t at = 0, half = b->n / 2;
    double stall = getenv("THERMOLEARN_TEST_CHECKPOINT_STALL") ? atof(getenv("THERMOLEARN_TEST_CHECKPOINT_STALL")) : 0;
    while (at < b->n) {
        /* Fault injection for the tests: stop halfway through the file for a
         * while, so that a kill -9 at a random moment often lands mid-write. */
        if (stall > 0 && at >= half) {
            struct timespec ts = {(time_t)stall, (long)((stall - (double)(time_t)stall) * 1e9)};
            nanosleep(&ts, NULL);
            stall = 0;
        }
        ssize_t w = write(fd, b->data + at, (at < half ? half : b->n) - at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        at += (size_t)w;
    }
    int bad = at < b->n || fsync(fd) != 0;
    bad |= close(fd) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    int dfd = open(dir, O_RDONLY);
    if (dfd >= 0) fsync(dfd), close(dfd);
    return 0;
}

int tl_checkpoint_save(const tl_ensemble *en, const char *path, MPI_Comm comm)
{
    int rank, n_ranks, status = TL_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n_ranks);
    header h = make_header(en);
    buffer b = {0};
    put_state(&b, en, &h, comm);
    buffer records = gather_records(en, comm, rank, n_ranks);
    if (rank == 0) {
        /* The record bytes go in the header, patched in place. */
        ((header *)b.data)->record_bytes = records.n;
        put(&b, records.data, records.n);
        put_prepare(&b, &en->prep);
        uint64_t sum = tl_checkpoint_hash(TL_FNV_BASIS, b.data, b.n);
        put(&b, &sum, sizeof sum);
        if (write_atomically(path, &b)) {
            tl_message("thermolearn: cannot write the checkpoint %s: %s", path, strerror(errno));
            status = TL_ERR_IO;
        }
    }
    free(b.data);
    free(records.data);
    MPI_Bcast(&status, 1, MPI_INT, 0, comm);
    return status;
}

/* ---- loading ---------------------------------------------------------------------------- */

typedef struct {
    const unsigned char *data;
    size_t n, at;
    int bad;
} reader;

static const void *take(reader *r, size_t n)
{
    if (r->bad || n > r->n - r->at) {
        r->bad = 1;
        return NULL;
    }
    const void *p = r->data + r->at;
    r->at += n;
    return p;
}

static int read_whole(const char *path, reader *r)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *data = tl_malloc(cap, "checkpoint");
    while ((got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap && !(data = realloc(data, cap *= 2))) error("cannot grow the checkpoint buffer");
    }
    int bad = ferror(f);
    fclose(f);
    *r = (reader){data, n, 0, bad};
    return bad ? -1 : 0;
}

static int refuse(char *why, size_t len, const char *path, const char *what)
{
    snprintf(why, len, "checkpoint %s %s", path, what);
    return TL_ERR_INPUT;
}

/* The header against this input: the same run, possibly with more trajectories. */
static int check_header(const header *h, const tl_ensemble *en, const char *path, char *why, size_t len)
{
    header mine = make_header(en);
    char what[256];
    if (memcmp(h->magic, MAGIC, 8) != 0) return refuse(why, len, path, "is not a thermolearn checkpoint");
    if (h->seed != mine.seed) {
        snprintf(what, sizeof what, "was made from a different input: [run] seed is %llu there, %llu here",
                 (unsigned long long)h->seed, (unsigned long long)mine.seed);
        return refuse(why, len, path, what);
    }
    if (h->hash_params != mine.hash_params || h->n_points != mine.n_points ||
        h->n_directions != mine.n_directions || h->n_observables != mine.n_observables ||
        h->width != mine.width) {
        char files[128];
        snprintf(what, sizeof what, "was made from a different input: the model, the [grid] or the model's parameters "
                 "differ%s%.100s", *tl_config_files(en->cfg, files, sizeof files) ? ", or the content of " : "", files);
        return refuse(why, len, path, what);
    }
    if (h->hash_histogram != mine.hash_histogram || h->bins != mine.bins ||
        h->n_extra_values != mine.n_extra_values)
        return refuse(why, len, path, "was made from a different input: the [histogram] settings differ");
    if (h->trajectories > mine.trajectories) {
        snprintf(what, sizeof what,
                 "holds %llu trajectories per point and direction, more than [run] trajectories = %llu: "
                 "a run can be extended, not shortened",
                 (unsigned long long)h->trajectories, (unsigned long long)mine.trajectories);
        return refuse(why, len, path, what);
    }
    if (h->n_blocks != (h->trajectories + en->unit - 1) / en->unit) return refuse(why, len, path, "is damaged");
    return TL_OK;
}

static void load_histograms(tl_ensemble *en, reader *r)
{
    size_t slots = en->n_points * en->n_directions * en->n_observables, bins = en->bins;
    for (size_t s = 0; s < slots && !r->bad; s++) {
        const double *range = take(r, (bins + 1) * sizeof *range);
        const double *counts = take(r, bins * sizeof *counts);
        const uint64_t *out = take(r, 2 * sizeof *out);
        if (r->bad) return;
        gsl_histogram_set_ranges(en->hist[s], range, bins + 1);
        memcpy(en->hist[s]->bin, counts, bins * sizeof *counts);
        memcpy(en->outliers + 2 * s, out, 2 * sizeof *out);
    }
    en->binning = 1;
}

/* Unit u of the checkpoint (old block count) as a unit of this run. */
static uint64_t remap(const tl_ensemble *en, uint64_t unit, uint64_t old_blocks)
{
    return unit / old_blocks * en->n_blocks + unit % old_blocks;
}

static void load_records(tl_ensemble *en, reader *r, uint64_t old_blocks, size_t bytes)
{
    size_t end = r->at + bytes;
    if (bytes > r->n - r->at) {
        r->bad = 1;
        return;
    }
    while (r->at < end && !r->bad) {
        const uint64_t *head = take(r, 3 * sizeof *head);
        if (!head || head[1] == 0 || head[1] > en->unit || head[2] > head[1] || head[0] >= old_blocks * en->n_points * en->n_directions) {
            r->bad = 1;
            return;
        }
        size_t n = en->n_observables * head[1], w = en->profile_samples ? tl_ensemble_profile_width(en) : 0;
        const double *values = take(r, n * sizeof *values);
        const double *profiles = take(r, head[2] * w * sizeof *profiles);
        if (r->bad) return;
        if (en->n_records == en->cap_records) {
            en->cap_records = en->cap_records ? 2 * en->cap_records : 64;
            en->records = realloc(en->records, en->cap_records * sizeof *en->records);
            if (!en->records) error("cannot grow the sample records");
        }
        double *copy = tl_malloc(n * sizeof *copy, "samples"), *pcopy = NULL;
        memcpy(copy, values, n * sizeof *copy);
        if (head[2] * w > 0) {
            pcopy = tl_malloc(head[2] * w * sizeof *pcopy, "profile samples");
            memcpy(pcopy, profiles, head[2] * w * sizeof *pcopy);
        }
        en->records[en->n_records++] = (tl_record){remap(en, head[0], old_blocks), head[1], head[2], copy, pcopy};
    }
}

/* The fold as saved (the checkpoint's block count; see tl_fold_extend). */
static void load_fold(tl_fold *f, reader *r, const header *h)
{
    const uint64_t *next = take(r, f->n_pd * sizeof *next);
    const tl_moments *prefix = take(r, f->n_pd * f->width * sizeof *prefix);
    if (r->bad) return;
    tl_fold_extend(f, h->trajectories); /* the checkpoint's numbering, until extended below */
    memcpy(f->prefix, prefix, f->n_pd * f->width * sizeof *prefix);
    for (size_t pd = 0; pd < f->n_pd; pd++)
        if ((f->next[pd] = next[pd]) > f->full_blocks) r->bad = 1;
    tl_moments *m = tl_malloc(f->width * sizeof *m + 1, "block moments");
    for (uint64_t i = 0; i < h->n_pending && !r->bad; i++) {
        const uint64_t *unit = take(r, sizeof *unit);
        const tl_moments *mi = take(r, f->width * sizeof *mi);
        if (r->bad) break;
        if (*unit >= f->n_pd * f->n_blocks || tl_fold_has(f, *unit)) {
            r->bad = 1;
            break;
        }
        memcpy(m, mi, f->width * sizeof *m);
        tl_fold_add(f, *unit, m);
    }
    free(m);
}

/* The preparation section, if the checkpoint has one: without it (a checkpoint
 * from before staged preparation) every chain starts again, which gives the
 * same result.  Returns nonzero if it does not fit this input. */
static int load_prepare(tl_prepare *pr, reader *r)
{
    if (r->at == r->n) return 0;
    const char *magic = take(r, 8);
    const uint64_t *head = take(r, 2 * sizeof *head);
    if (!head || memcmp(magic, PREP_MAGIC, 8) != 0 || !pr->stages || head[0] != pr->n_points || head[1] != pr->total)
        return 1;
    const uint64_t *done = take(r, pr->n_points * sizeof *done);
    const double *blob = take(r, pr->total * sizeof *blob);
    if (r->bad) return 1;
    for (size_t p = 0; p < pr->n_points; p++)
        if (done[p] > pr->stages[p]) return 1;
    memcpy(pr->done, done, pr->n_points * sizeof *done);
    memcpy(pr->blob, blob, pr->total * sizeof *blob);
    return 0;
}

/* Parse the checkpoint into rank 0's ensemble. */
static int load_root(tl_ensemble *en, const char *path, char *why, size_t len)
{
    reader r = {0};
    if (read_whole(path, &r)) {
        free((void *)r.data);
        snprintf(why, len, "cannot read the checkpoint %s", path);
        return TL_ERR_IO;
    }
    uint64_t sum;
    int status = TL_OK;
    if (r.n < sizeof(header) + sizeof sum) status = refuse(why, len, path, "is truncated or not a checkpoint");
    else {
        memcpy(&sum, r.data + r.n - sizeof sum, sizeof sum);
        r.n -= sizeof sum;
        if (sum != tl_checkpoint_hash(TL_FNV_BASIS, r.data, r.n))
            status = refuse(why, len, path, "is damaged (checksum) or not a checkpoint");
    }
    header h;
    if (!status) {
        memcpy(&h, take(&r, sizeof h), sizeof h);
        status = check_header(&h, en, path, why, len);
    }
    if (!status) {
        uint64_t old = h.n_blocks, pds = en->n_points * en->n_directions;
        load_fold(en->fold, &r, &h);
        if (h.binning) load_histograms(en, &r);
        for (size_t e = 0; e < en->model->n_extras && !r.bad; e++) {
            size_t n = en->n_points * en->extras[e].size;
            const double *x = take(&r, n * sizeof *x);
            if (x) memcpy(en->extras[e].values, x, n * sizeof *x);
        }
        load_records(en, &r, old, h.record_bytes);
        if (!r.bad && load_prepare(&en->prep, &r)) r.bad = 1;
        if (r.bad || r.at != r.n) status = refuse(why, len, path, "is damaged (inconsistent sizes)");
        else if (h.trajectories < en->cfg->trajectories) {
            /* Extending: the short last blocks become full ones, run again. */
            tl_fold_extend(en->fold, en->cfg->trajectories);
            if (h.trajectories % en->unit) {
                for (uint64_t pd = 0; pd < pds; pd++) tl_ensemble_forget_unit(en, pd * en->n_blocks + old - 1);
                if (old == 1 && en->cfg->histogram.range_auto) en->binning = 0; /* the pilot itself is redone */
            }
        }
    }
    free((void *)r.data);
    return status;
}

int tl_checkpoint_load(tl_ensemble *en, const char *path, MPI_Comm comm, char *why, size_t why_len)
{
    int rank, status = TL_OK;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) status = load_root(en, path, why, why_len);
    MPI_Bcast(&status, 1, MPI_INT, 0, comm);
    if (status) return status;
    /* Every rank needs the histogram ranges to bin; the done units stay with
     * rank 0, which owns everything loaded (the caller reduces them). */
    tl_prepare_bcast(&en->prep, comm);
    MPI_Bcast(&en->binning, 1, MPI_INT, 0, comm);
    if (en->binning) {
        size_t slots = en->n_points * en->n_directions * en->n_observables;
        double *range = tl_malloc((en->bins + 1) * sizeof *range, "histogram ranges");
        for (size_t s = 0; s < slots; s++) {
            if (rank == 0) memcpy(range, en->hist[s]->range, (en->bins + 1) * sizeof *range);
            MPI_Bcast(range, (int)en->bins + 1, MPI_DOUBLE, 0, comm);
            /* gsl_histogram_alloc leaves the bins uninitialised; set_ranges zeroes them. */
            if (rank != 0) gsl_histogram_set_ranges(en->hist[s], range, en->bins + 1);
        }
        free(range);
    }
    return TL_OK;
}
