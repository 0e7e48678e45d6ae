/* Accumulating trajectories into histograms, block moments and samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/ensemble.h"
#include "thermolearn/error.h"

/* Grow dims to hold the shape (rank, shape) too. */
static void widen(int *rank, size_t dims[TL_MAX_EXTRA_RANK], int r, const size_t shape[TL_MAX_EXTRA_RANK])
{
    *rank = r;
    for (int k = 0; k < r; k++) dims[k] = shape[k] > dims[k] ? shape[k] : dims[k];
}

/* Every profile in the grid's largest shape, after the observables. */
static void profiles_init(tl_ensemble *en)
{
    const tl_model_type *m = en->model;
    en->profiles = tl_calloc(m->n_profiles + 1, sizeof *en->profiles, "profiles");
    for (size_t p = 0; p < en->n_points && m->n_profiles; p++) {
        tl_point pt;
        tl_config_point(en->cfg, p, &pt);
        for (size_t v = 0; v < m->n_profiles; v++) {
            size_t dims[TL_MAX_EXTRA_RANK];
            int r = m->profile_shape(&pt, v, dims);
            widen(&en->profiles[v].rank, en->profiles[v].dims, r, dims);
        }
        tl_config_point_free(&pt);
    }
    en->width = en->n_observables;
    for (size_t v = 0; v < m->n_profiles; v++) {
        tl_profile_layout *l = &en->profiles[v];
        l->size = 1;
        for (int r = 0; r < l->rank; r++) l->size *= l->dims[r];
        l->offset = en->width;
        en->width += l->size;
    }
    en->profile_buffer = tl_malloc(((en->width - en->n_observables) * en->unit + 1) * sizeof *en->profile_buffer,
                                   "profile values");
    en->observable_buffer = tl_malloc((en->n_observables * en->unit + 1) * sizeof *en->observable_buffer,
                                      "observable values");
    en->profile_map = tl_malloc((en->width - en->n_observables + 1) * sizeof *en->profile_map, "profile layout");
    en->scratch = tl_malloc((en->unit + 1) * sizeof *en->scratch, "profile values");
    en->profile_samples = m->n_profiles > 0 && en->cfg->histogram.n_samples > 0;
}

/* A declared summary names an observable, a direction, a parameter and a
 * filled extra that exist: a slip in a model's table stops the run before
 * anything is simulated, not after. */
static void check_summaries(const tl_ensemble *en)
{
    const tl_model_type *m = en->model;
    for (size_t e = 0; e < m->n_extras; e++) {
        const tl_extra *x = &m->extras[e];
        if (x->derived == TL_EXTRA_DERIVED && !m->summarize)
            error("model %s: extra %s is TL_EXTRA_DERIVED without a summarize", m->name, x->name);
        if (x->derived != TL_EXTRA_MEAN && x->derived != TL_EXTRA_SE) continue;
        if (x->observable >= en->n_observables || x->direction >= en->n_directions)
            error("model %s: extra %s summarises observable %zu, direction %zu: no such one", m->name, x->name,
                  x->observable, x->direction);
        int found = x->minus == NULL;
        for (size_t k = 0; !found && k < m->n_extras; k++)
            found = strcmp(m->extras[k].name, x->minus) == 0 && m->extras[k].derived == TL_EXTRA_FILLED;
        if (!found) error("model %s: extra %s: minus = %s is not a filled extra", m->name, x->name, x->minus);
        found = x->per == NULL;
        for (size_t k = 0; !found && k < en->cfg->n_params; k++)
            found = strcmp(en->cfg->specs[k].name, x->per) == 0;
        if (!found) error("model %s: extra %s: per = %s is not a parameter", m->name, x->name, x->per);
    }
}

static void extras_init(tl_ensemble *en)
{
    check_summaries(en);
    const tl_model_type *m = en->model;
    en->extras = tl_calloc(m->n_extras, sizeof *en->extras, "model datasets");
    for (size_t p = 0; p < en->n_points; p++) {
        tl_point pt;
        tl_config_point(en->cfg, p, &pt);
        for (size_t e = 0; e < m->n_extras; e++) {
            size_t dims[TL_MAX_EXTRA_RANK];
            tl_extra_buffer *x = &en->extras[e];
            widen(&x->rank, x->dims, m->extra_shape(&pt, e, dims), dims);
        }
        tl_config_point_free(&pt);
    }
    for (size_t e = 0; e < m->n_extras; e++) {
        tl_extra_buffer *x = &en->extras[e];
        x->size = 1;
        for (int r = 0; r < x->rank; r++) x->size *= x->dims[r];
        x->values = tl_malloc(en->n_points * x->size * sizeof *x->values, "model datasets");
        /* A filled dataset's values come from one rank (the one that ran the
         * point's first unit) and are summed over the ranks: the others hold
         * -0, since v + (-0) = v for every v, -0 and NaN included (+0 would
         * turn a -0 into +0, and the file would depend on the rank count). */
        for (size_t i = 0; i < en->n_points * x->size; i++) x->values[i] = -0.0;
    }
}

void tl_ensemble_init(tl_ensemble *en, const tl_config *cfg, MPI_Comm comm)
{
    *en = (tl_ensemble){0};
    MPI_Comm_rank(comm, &en->rank);
    en->cfg = cfg;
    en->model = cfg->model;
    en->n_points = cfg->grid.n_points;
    tl_point pt;
    tl_config_point(cfg, 0, &pt);
    en->n_directions = cfg->model->directions(&pt, &en->directions);
    tl_config_point_free(&pt);
    en->n_observables = cfg->model->n_observables;
    en->unit = tl_model_unit_size(cfg->model);
    en->n_blocks = (cfg->trajectories + en->unit - 1) / en->unit;
    en->bins = cfg->histogram.bins;
    size_t slots = en->n_points * en->n_directions * en->n_observables;
    en->hist = tl_calloc(slots, sizeof *en->hist, "histograms");
    for (size_t s = 0; s < slots; s++) en->hist[s] = gsl_histogram_alloc(en->bins);
    en->outliers = tl_calloc(2 * slots, sizeof *en->outliers, "outlier counts");
    en->n_units = en->n_points * en->n_directions * en->n_blocks;
    for (size_t c = 0; c < 2; c++) en->cache[c].point = SIZE_MAX;
    profiles_init(en);
    if (en->rank == 0) en->fold = tl_fold_alloc(en->n_points * en->n_directions, en->width, cfg->trajectories, en->unit);
    extras_init(en);
    if (!cfg->histogram.range_auto) tl_ensemble_set_ranges(en, MPI_COMM_NULL);
    tl_prepare_init(&en->prep, cfg);
}

void tl_ensemble_free(tl_ensemble *en)
{
    size_t slots = en->n_points * en->n_directions * en->n_observables;
    for (size_t s = 0; s < slots; s++) gsl_histogram_free(en->hist[s]);
    for (size_t r = 0; r < en->n_records; r++) free(en->records[r].values), free(en->records[r].profiles);
    for (size_t e = 0; e < en->model->n_extras; e++) free(en->extras[e].values);
    for (size_t c = 0; c < 2; c++)
        if (en->cache[c].state) en->model->point_free(en->cache[c].state);
    free(en->extras);
    free(en->records);
    free(en->hist);
    free(en->outliers);
    free(en->profiles);
    free(en->profile_buffer);
    free(en->observable_buffer);
    free(en->profile_map);
    free(en->scratch);
    free(en->outbox.data);
    tl_fold_free(en->fold);
    tl_prepare_free(&en->prep);
    *en = (tl_ensemble){0};
}

/* The cache entry of point p; the two most recently used points are kept,
 * since a rank's units come in runs of the same point. */
static size_t cached_point(tl_ensemble *en, size_t p)
{
    size_t victim = 0;
    for (size_t c = 0; c < 2; c++) {
        if (en->cache[c].point == p) {
            en->cache[c].used = ++en->clock;
            return c;
        }
        if (en->cache[c].used < en->cache[victim].used) victim = c;
    }
    if (en->cache[victim].state) en->model->point_free(en->cache[victim].state);
    tl_point pt;
    tl_config_point(en->cfg, p, &pt);
    en->cache[victim].state = en->model->point_alloc(&pt);
    if (tl_prepare_staged(&en->prep, p)) {
        size_t chain = en->prep.leader[p];
        if (en->prep.done[chain] < en->prep.stages[chain])
            error("model %s: point %zu simulated before its preparation is done", en->model->name, p);
        en->model->prepare_finish(en->cache[victim].state, tl_prepare_blob(&en->prep, p));
    } else if (en->model->point_prepare) {
        en->model->point_prepare(en->cache[victim].state);
    }
    for (size_t v = 0; v < en->model->n_profiles; v++) {
        size_t *own = en->cache[victim].shape[v];
        for (int r = 0; r < TL_MAX_EXTRA_RANK; r++) own[r] = 1;
        en->model->profile_shape(&pt, v, own);
    }
    tl_config_point_free(&pt);
    en->cache[victim].point = p;
    en->cache[victim].used = ++en->clock;
    return victim;
}

void *tl_ensemble_point_state(tl_ensemble *en, size_t p)
{
    return en->cache[cached_point(en, p)].state;
}

static void bin_values(tl_ensemble *en, size_t slot, const double *x, size_t n)
{
    gsl_histogram *h = en->hist[slot];
    for (size_t i = 0; i < n; i++) {
        /* GSL returns GSL_EDOM without calling the error handler outside the range. */
        if (gsl_histogram_increment(h, x[i]) != 0) en->outliers[2 * slot + (x[i] >= h->range[h->n])]++;
    }
}

/* Where every padded profile component of point p is in the simulated
 * values: its index in the point's own shape, SIZE_MAX where the point has
 * no such component (profile_values). */
static void map_profiles(tl_ensemble *en, size_t p)
{
    size_t c_point = cached_point(en, p);
    for (size_t v = 0; v < en->model->n_profiles; v++) {
        const tl_profile_layout *l = &en->profiles[v];
        const size_t *own = en->cache[c_point].shape[v];
        for (size_t c = 0; c < l->size; c++) {
            /* c in the padded shape -> its index in the point's own shape, if it has it */
            size_t rest = c, oc = 0, stride = 1, inside = 1;
            for (int k = l->rank - 1; k >= 0; k--) {
                size_t i = rest % l->dims[k];
                rest /= l->dims[k];
                inside &= i < own[k];
                oc += i * stride;
                stride *= own[k];
            }
            en->profile_map[l->offset - en->n_observables + c] = inside ? oc : SIZE_MAX;
        }
    }
}

/* The `count` simulated values of padded component c of profile v, or NULL. */
static const double *profile_values(const tl_ensemble *en, size_t v, size_t c, size_t count)
{
    size_t base = en->profiles[v].offset - en->n_observables, own = en->profile_map[base + c];
    return own == SIZE_MAX ? NULL : en->profile_buffer + base * en->unit + own * count;
}

/* The stored trajectories' profiles, padded to the grid's largest shape
 * (NaN where the point has no such component): [stored][profile width]. */
static double *profile_samples(const tl_ensemble *en, size_t count, size_t stored)
{
    size_t w = tl_ensemble_profile_width(en);
    if (!en->profile_samples || stored == 0) return NULL;
    double *s = tl_malloc(stored * w * sizeof *s, "profile samples");
    for (size_t v = 0; v < en->model->n_profiles; v++) {
        const tl_profile_layout *l = &en->profiles[v];
        for (size_t c = 0; c < l->size; c++) {
            const double *x = profile_values(en, v, c, count);
            size_t at = l->offset - en->n_observables + c;
            for (size_t i = 0; i < stored; i++) s[i * w + at] = x ? x[i] : NAN;
        }
    }
    return s;
}

static void keep_record(tl_ensemble *en, uint64_t unit, size_t count, double *const vals[])
{
    if (en->n_records == en->cap_records) {
        en->cap_records = en->cap_records ? 2 * en->cap_records : 64;
        en->records = realloc(en->records, en->cap_records * sizeof *en->records);
        if (!en->records) error("cannot grow the sample records");
    }
    double *copy = tl_malloc(en->n_observables * count * sizeof *copy, "samples");
    for (size_t o = 0; o < en->n_observables; o++) memcpy(copy + o * count, vals[o], count * sizeof *copy);
    uint64_t first = (unit % en->n_blocks) * en->unit, cap = en->cfg->histogram.n_samples;
    size_t stored = first >= cap ? 0 : cap - first < count ? (size_t)(cap - first) : count;
    en->records[en->n_records++] = (tl_record){unit, count, stored, copy, profile_samples(en, count, stored)};
}

static void outbox_put(tl_outbox *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap) b->cap = b->cap ? 2 * b->cap : 4096;
        b->data = realloc(b->data, b->cap);
        if (!b->data) error("cannot grow the outbox of block moments");
    }
    memcpy(b->data + b->n, data, n);
    b->n += n;
}

/* Rank 0 folds its own units at once; a worker keeps them for its next request. */
static void deliver(tl_ensemble *en, uint64_t unit, const tl_moments *m)
{
    if (en->fold) {
        tl_fold_add(en->fold, unit, m);
        return;
    }
    outbox_put(&en->outbox, &unit, sizeof unit);
    outbox_put(&en->outbox, m, en->width * sizeof *m);
}

void tl_ensemble_receive(tl_ensemble *en, const void *data, size_t bytes)
{
    size_t entry = sizeof(uint64_t) + en->width * sizeof(tl_moments);
    if (bytes % entry) error("block moments from a worker: %zu bytes is not a whole number of units", bytes);
    tl_moments *m = tl_malloc(en->width * sizeof *m + 1, "block moments");
    for (const unsigned char *at = data; at < (const unsigned char *)data + bytes; at += entry) {
        uint64_t unit;
        memcpy(&unit, at, sizeof unit);
        memcpy(m, at + sizeof unit, en->width * sizeof *m);
        tl_fold_add(en->fold, unit, m);
    }
    free(m);
}

tl_moments tl_ensemble_moments(const tl_ensemble *en, size_t p, size_t d, size_t k)
{
    if (!en->fold) return (tl_moments){NAN, NAN, NAN, NAN, NAN}; /* a worker: rank 0 holds them */
    return tl_fold_total(en->fold, p * en->n_directions + d, k);
}

/* Moments of the numbers among x[0 .. n-1]: a trajectory whose component is
 * NaN (a training run that diverged) does not count. */
static tl_moments moments_skipping_nan(const double *x, size_t n, double *scratch)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) scratch[k++] = x[i];
    return tl_moments_of(k == n ? x : scratch, k);
}

/* Moments of every profile component of the unit just simulated, in the
 * grid's largest shape (none, n = 0, where the point has no such component). */
static void profile_moments(tl_ensemble *en, size_t count, tl_moments *m)
{
    for (size_t v = 0; v < en->model->n_profiles; v++) {
        const tl_profile_layout *l = &en->profiles[v];
        for (size_t c = 0; c < l->size; c++) {
            const double *x = profile_values(en, v, c, count);
            m[l->offset + c] = x ? moments_skipping_nan(x, count, en->scratch) : tl_moments_of(NULL, 0);
        }
    }
}

void tl_ensemble_run_unit(tl_ensemble *en, uint64_t unit)
{
    size_t block = unit % en->n_blocks, pd = unit / en->n_blocks;
    size_t p = pd / en->n_directions, d = pd % en->n_directions;
    uint64_t first = (uint64_t)block * en->unit;
    size_t count = en->cfg->trajectories - first < en->unit ? en->cfg->trajectories - first : en->unit;
    void *state = tl_ensemble_point_state(en, p);

    double *vals[TL_MAX_OBSERVABLES] = {0}, *prof[TL_MAX_PROFILES] = {0};
    for (size_t o = 0; o < en->n_observables; o++) vals[o] = en->observable_buffer + o * en->unit;
    for (size_t v = 0; v < en->model->n_profiles; v++)
        prof[v] = en->profile_buffer + (en->profiles[v].offset - en->n_observables) * en->unit;
    tl_stream_key key = {en->cfg->seed, (uint32_t)p, (uint32_t)d};
    en->model->simulate(state, &key, first, count, vals, prof);

    tl_moments *m = tl_malloc(en->width * sizeof *m, "block moments");
    for (size_t o = 0; o < en->n_observables; o++) {
        size_t slot = tl_ensemble_slot(en, p, d, o);
        m[o] = tl_moments_of(vals[o], count);
        if (en->binning) bin_values(en, slot, vals[o], count);
    }
    map_profiles(en, p);
    profile_moments(en, count, m);
    deliver(en, unit, m);
    free(m);
    /* A short last block is kept whole: extending the run re-runs it (tl_ensemble_forget_unit). */
    if (first < en->cfg->histogram.n_samples || !en->binning || count < en->unit) keep_record(en, unit, count, vals);
    if (d == 0 && block == 0) {
        for (size_t e = 0; e < en->model->n_extras; e++) {
            tl_extra_buffer *x = &en->extras[e];
            if (en->model->extras[e].derived) continue;
            double *v = x->values + p * x->size;
            memset(v, 0, x->size * sizeof *v); /* zero-padded, as model.h promises */
            en->model->extra_fill(state, e, x->dims, v);
        }
    }
}

/* Extremes of observable o at point p over directions, reverse values
 * mirrored (-x), from this rank's records. */
static void local_extremes(const tl_ensemble *en, double *lo, double *hi)
{
    size_t n = en->n_points * en->n_observables;
    for (size_t k = 0; k < n; k++) lo[k] = INFINITY, hi[k] = -INFINITY;
    for (size_t r = 0; r < en->n_records; r++) {
        const tl_record *rec = &en->records[r];
        size_t pd = rec->unit / en->n_blocks, p = pd / en->n_directions, d = pd % en->n_directions;
        double sign = d == 1 ? -1.0 : 1.0;
        for (size_t o = 0; o < en->n_observables; o++)
            for (size_t i = 0; i < rec->count; i++) {
                double x = sign * rec->values[o * rec->count + i];
                lo[p * en->n_observables + o] = fmin(lo[p * en->n_observables + o], x);
                hi[p * en->n_observables + o] = fmax(hi[p * en->n_observables + o], x);
            }
    }
}

/* Forward histograms cover [lo, hi]; the reverse ones [-hi, -lo], so that
 * reverse bin bins-1-b holds -W_R in forward bin b (P_R(-W) beside P_F(W)). */
static void set_range(tl_ensemble *en, size_t p, size_t o, double lo, double hi)
{
    for (size_t d = 0; d < en->n_directions; d++) {
        gsl_histogram *h = en->hist[tl_ensemble_slot(en, p, d, o)];
        if (d == 1) gsl_histogram_set_ranges_uniform(h, -hi, -lo);
        else gsl_histogram_set_ranges_uniform(h, lo, hi);
    }
}

void tl_ensemble_set_ranges(tl_ensemble *en, MPI_Comm comm)
{
    const tl_histogram_config *hc = &en->cfg->histogram;
    if (!hc->range_auto) {
        for (size_t p = 0; p < en->n_points; p++)
            for (size_t o = 0; o < en->n_observables; o++) set_range(en, p, o, hc->range_lo, hc->range_hi);
        en->binning = 1;
        return;
    }
    size_t n = en->n_points * en->n_observables;
    double *lo = tl_malloc(n * sizeof *lo, "ranges"), *hi = tl_malloc(n * sizeof *hi, "ranges");
    local_extremes(en, lo, hi);
    MPI_Allreduce(MPI_IN_PLACE, lo, (int)n, MPI_DOUBLE, MPI_MIN, comm);
    MPI_Allreduce(MPI_IN_PLACE, hi, (int)n, MPI_DOUBLE, MPI_MAX, comm);
    for (size_t k = 0; k < n; k++) {
        /* The pilot block sees the bulk; widen by half its span each side for the tails. */
        double span = hi[k] - lo[k];
        if (!(span > 0)) span = fmax(fabs(lo[k]), 1.0);
        set_range(en, k / en->n_observables, k % en->n_observables, lo[k] - 0.5 * span, hi[k] + 0.5 * span);
    }
    free(lo);
    free(hi);
    en->binning = 1;
    /* Bin what the pilot produced; drop it if samples are not stored. */
    size_t kept = 0;
    for (size_t r = 0; r < en->n_records; r++) {
        tl_record *rec = &en->records[r];
        size_t pd = rec->unit / en->n_blocks;
        for (size_t o = 0; o < en->n_observables; o++)
            bin_values(en, pd * en->n_observables + o, rec->values + o * rec->count, rec->count);
        if (rec->stored > 0 || rec->count < en->unit) en->records[kept++] = *rec;
        else free(rec->values), free(rec->profiles);
    }
    en->n_records = kept;
}

/* Undo unit u: its histogram counts, record and point datasets.  Only the
 * rank that holds its record can (rank 0 after loading a checkpoint). */
void tl_ensemble_forget_unit(tl_ensemble *en, uint64_t unit)
{
    size_t pd = unit / en->n_blocks, block = unit % en->n_blocks;
    size_t kept = 0;
    for (size_t r = 0; r < en->n_records; r++) {
        tl_record *rec = &en->records[r];
        if (rec->unit != unit) {
            en->records[kept++] = *rec;
            continue;
        }
        for (size_t o = 0; en->binning && o < en->n_observables; o++) {
            size_t slot = pd * en->n_observables + o;
            gsl_histogram *h = en->hist[slot];
            for (size_t i = 0; i < rec->count; i++) {
                double x = rec->values[o * rec->count + i];
                if (gsl_histogram_accumulate(h, x, -1.0) != 0) en->outliers[2 * slot + (x >= h->range[h->n])]--;
            }
        }
        free(rec->values), free(rec->profiles);
    }
    en->n_records = kept;
    /* The point's own datasets are filled by its first forward unit: run again, filled again. */
    if (block == 0 && pd % en->n_directions == 0)
        for (size_t e = 0; e < en->model->n_extras; e++) {
            tl_extra_buffer *x = &en->extras[e];
            double *v = x->values + pd / en->n_directions * x->size;
            for (size_t i = 0; i < x->size; i++) v[i] = -0.0; /* as tl_ensemble_init leaves them */
        }
}
