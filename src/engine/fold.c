/* In-order folding of block moments; see fold.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/error.h"
#include "thermolearn/fold.h"

static const tl_moments empty = {0, 0, 0, INFINITY, -INFINITY};

static void set_blocks(tl_fold *f, uint64_t trajectories)
{
    f->n_blocks = (trajectories + f->unit - 1) / f->unit;
    f->full_blocks = trajectories / f->unit;
}

tl_fold *tl_fold_alloc(size_t n_pd, size_t width, uint64_t trajectories, uint64_t unit)
{
    tl_fold *f = tl_calloc(1, sizeof *f, "moment fold");
    f->n_pd = n_pd, f->width = width, f->unit = unit;
    set_blocks(f, trajectories);
    f->prefix = tl_malloc((n_pd * width + 1) * sizeof *f->prefix, "moment fold");
    for (size_t k = 0; k < n_pd * width; k++) f->prefix[k] = empty;
    f->next = tl_calloc(n_pd + 1, sizeof *f->next, "moment fold");
    return f;
}

void tl_fold_free(tl_fold *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n_pending; i++) free(f->pending[i].m);
    free(f->pending), free(f->prefix), free(f->next), free(f);
}

/* Position of the first pending entry with unit >= u. */
static size_t lower_bound(const tl_fold *f, uint64_t u)
{
    size_t lo = 0, hi = f->n_pending;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->pending[mid].unit < u) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void merge_into_prefix(tl_fold *f, size_t pd, const tl_moments *m)
{
    tl_moments *pre = f->prefix + pd * f->width;
    for (size_t k = 0; k < f->width; k++) pre[k] = tl_moments_merge(pre[k], m[k]);
    f->next[pd]++;
}

static void remove_pending(tl_fold *f, size_t i)
{
    free(f->pending[i].m);
    memmove(f->pending + i, f->pending + i + 1, (f->n_pending - i - 1) * sizeof *f->pending);
    f->n_pending--;
}

/* Fold the pending blocks of pd that now follow its prefix. */
static void absorb(tl_fold *f, size_t pd)
{
    for (;;) {
        uint64_t u = pd * f->n_blocks + f->next[pd];
        if (f->next[pd] >= f->full_blocks) return;
        size_t i = lower_bound(f, u);
        if (i == f->n_pending || f->pending[i].unit != u) return;
        merge_into_prefix(f, pd, f->pending[i].m);
        remove_pending(f, i);
    }
}

static void insert_pending(tl_fold *f, uint64_t unit, const tl_moments *m)
{
    size_t i = lower_bound(f, unit);
    if (i < f->n_pending && f->pending[i].unit == unit) error("block moments of unit %llu added twice", (unsigned long long)unit);
    if (f->n_pending == f->cap_pending) {
        f->cap_pending = f->cap_pending ? 2 * f->cap_pending : 64;
        f->pending = realloc(f->pending, f->cap_pending * sizeof *f->pending);
        if (!f->pending) error("cannot grow the pending block moments");
    }
    memmove(f->pending + i + 1, f->pending + i, (f->n_pending - i) * sizeof *f->pending);
    f->pending[i].unit = unit;
    f->pending[i].m = tl_malloc(f->width * sizeof *m, "pending block moments");
    memcpy(f->pending[i].m, m, f->width * sizeof *m);
    f->n_pending++;
}

void tl_fold_add(tl_fold *f, uint64_t unit, const tl_moments *m)
{
    size_t pd = unit / f->n_blocks;
    uint64_t block = unit % f->n_blocks;
    if (pd >= f->n_pd || block < f->next[pd]) error("block moments of unit %llu added twice", (unsigned long long)unit);
    if (block == f->next[pd] && block < f->full_blocks) {
        merge_into_prefix(f, pd, m);
        absorb(f, pd);
    } else {
        insert_pending(f, unit, m);
    }
}

int tl_fold_has(const tl_fold *f, uint64_t unit)
{
    size_t pd = unit / f->n_blocks;
    if (unit % f->n_blocks < f->next[pd]) return 1;
    size_t i = lower_bound(f, unit);
    return i < f->n_pending && f->pending[i].unit == unit;
}

tl_moments tl_fold_total(const tl_fold *f, size_t pd, size_t k)
{
    tl_moments m = f->prefix[pd * f->width + k];
    if (f->full_blocks < f->n_blocks) {
        size_t i = lower_bound(f, pd * f->n_blocks + f->full_blocks);
        if (i < f->n_pending && f->pending[i].unit == pd * f->n_blocks + f->full_blocks)
            m = tl_moments_merge(m, f->pending[i].m[k]);
    }
    return m;
}

void tl_fold_forget(tl_fold *f, uint64_t unit)
{
    size_t i = lower_bound(f, unit);
    if (i < f->n_pending && f->pending[i].unit == unit) remove_pending(f, i);
}

static void add_run(uint64_t (**runs)[2], size_t *n, size_t *cap, uint64_t start, uint64_t length)
{
    if (length == 0) return;
    if (*n > 0 && (*runs)[*n - 1][0] + (*runs)[*n - 1][1] == start) {
        (*runs)[*n - 1][1] += length;
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *runs = realloc(*runs, *cap * sizeof **runs);
        if (!*runs) error("cannot grow the list of units to run");
    }
    (*runs)[*n][0] = start, (*runs)[*n][1] = length;
    (*n)++;
}

size_t tl_fold_missing(const tl_fold *f, int pilot_only, uint64_t (**runs)[2])
{
    size_t n = 0, cap = 0, i = 0;
    *runs = NULL;
    for (size_t pd = 0; pd < f->n_pd; pd++) {
        uint64_t base = pd * f->n_blocks, end = pilot_only ? 1 : f->n_blocks, b = f->next[pd];
        /* the pending units of pd split [next, end) into runs */
        for (i = lower_bound(f, base + b); i < f->n_pending && f->pending[i].unit < base + end; i++) {
            uint64_t p = f->pending[i].unit - base;
            add_run(runs, &n, &cap, base + b, p - b);
            b = p + 1;
        }
        if (b < end) add_run(runs, &n, &cap, base + b, end - b);
    }
    return n;
}

uint64_t tl_fold_trajectories(const tl_fold *f, uint64_t trajectories)
{
    uint64_t n = 0;
    for (size_t pd = 0; pd < f->n_pd; pd++) n += f->next[pd] * f->unit;
    for (size_t i = 0; i < f->n_pending; i++) {
        uint64_t first = f->pending[i].unit % f->n_blocks * f->unit;
        n += trajectories - first < f->unit ? trajectories - first : f->unit;
    }
    return n;
}

void tl_fold_extend(tl_fold *f, uint64_t trajectories)
{
    uint64_t old_blocks = f->n_blocks, old_full = f->full_blocks;
    size_t kept = 0;
    for (size_t i = 0; i < f->n_pending; i++) {
        tl_fold_entry e = f->pending[i];
        if (e.unit % old_blocks >= old_full) {
            free(e.m);
            continue;
        }
        e.unit = e.unit / old_blocks * ((trajectories + f->unit - 1) / f->unit) + e.unit % old_blocks;
        f->pending[kept++] = e;
    }
    f->n_pending = kept;
    set_blocks(f, trajectories);
    for (size_t pd = 0; pd < f->n_pd; pd++) absorb(f, pd);
}
