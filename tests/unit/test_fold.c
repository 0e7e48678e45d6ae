/* In-order folding of block moments (fold.h): whatever order the blocks
 * arrive in, the totals are bit-identical to merging them one after another
 * in block order (what makes results independent of the number of ranks);
 * blocks wait only while a predecessor is missing; a short last block stays
 * apart so that a run can be extended; the missing units come out as runs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "thermolearn/fold.h"
#include "thermolearn/model.h"

enum { PD = 3, WIDTH = 4 };

/* Trajectories per block: every test runs with the default unit (TL_BATCH),
 * with one trajectory per unit, and with an odd size. */
static uint64_t U = TL_BATCH;

/* Moments of block b of pair pd, component k: from its own values. */
static tl_moments block_moments(size_t pd, uint64_t b, size_t k, size_t count)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1 + (pd * 100000 + b) * WIDTH + k);
    double x[TL_BATCH]; /* count <= U <= TL_BATCH */
    for (size_t i = 0; i < count; i++) x[i] = 10 * k + gsl_ran_gamma(r, 2.0, 1.0 + (double)(b % 7));
    gsl_rng_free(r);
    return tl_moments_of(x, count);
}

static size_t block_count(uint64_t block, uint64_t trajectories)
{
    uint64_t first = block * U;
    return trajectories - first < U ? (size_t)(trajectories - first) : (size_t)U;
}

static void add_unit(tl_fold *f, uint64_t unit, uint64_t trajectories)
{
    tl_moments m[WIDTH];
    uint64_t b = unit % f->n_blocks;
    for (size_t k = 0; k < WIDTH; k++) m[k] = block_moments(unit / f->n_blocks, b, k, block_count(b, trajectories));
    tl_fold_add(f, unit, m);
}

/* The reference: blocks 0 .. n-1 merged one after another. */
static tl_moments sequential(size_t pd, size_t k, uint64_t n_blocks, uint64_t trajectories)
{
    tl_moments m = {0, 0, 0, INFINITY, -INFINITY};
    for (uint64_t b = 0; b < n_blocks; b++)
        m = tl_moments_merge(m, block_moments(pd, b, k, block_count(b, trajectories)));
    return m;
}

static int same_bits(tl_moments a, tl_moments b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void shuffle(uint64_t *u, size_t n, gsl_rng *r)
{
    gsl_ran_shuffle(r, u, n, sizeof *u);
}

static void test_any_order_same_bits(void **state)
{
    U = *(const uint64_t *)*state;
    const uint64_t T = 40 * U + U / 2 + (U > 2); /* a short last block */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int trial = 0; trial < 20; trial++) {
        tl_fold *f = tl_fold_alloc(PD, WIDTH, T, U);
        uint64_t n = PD * f->n_blocks, *order = malloc(n * sizeof *order);
        for (uint64_t u = 0; u < n; u++) order[u] = u;
        shuffle(order, n, r);
        for (uint64_t i = 0; i < n; i++) {
            assert_false(tl_fold_has(f, order[i]));
            add_unit(f, order[i], T);
            assert_true(tl_fold_has(f, order[i]));
        }
        for (size_t pd = 0; pd < PD; pd++)
            for (size_t k = 0; k < WIDTH; k++) {
                tl_moments want = sequential(pd, k, f->n_blocks, T);
                assert_true(same_bits(tl_fold_total(f, pd, k), want));
                assert_true(want.n == (double)T);
            }
        assert_int_equal(f->n_pending, T % U ? PD : 0); /* only the short last blocks stay apart */
        assert_true(tl_fold_trajectories(f, T) == PD * T);
        free(order);
        tl_fold_free(f);
    }
    gsl_rng_free(r);
}

/* Units handed out in order and completed out of order within a window (the
 * units in flight) keep at most the window pending: memory does not grow
 * with the number of blocks. */
static void test_pending_bounded_by_window(void **state)
{
    U = *(const uint64_t *)*state;
    const uint64_t T = 4000 * U;
    const size_t window = 32;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    tl_fold *f = tl_fold_alloc(1, WIDTH, T, U);
    size_t most = 0;
    for (uint64_t start = 0; start < f->n_blocks; start += window) {
        uint64_t w[window];
        size_t n = 0;
        for (uint64_t u = start; u < start + window && u < f->n_blocks; u++) w[n++] = u;
        shuffle(w, n, r);
        for (size_t i = 0; i < n; i++) {
            add_unit(f, w[i], T);
            most = f->n_pending > most ? f->n_pending : most;
        }
        assert_int_equal(f->n_pending, 0);
    }
    assert_true(most < window);
    for (size_t k = 0; k < WIDTH; k++) assert_true(same_bits(tl_fold_total(f, 0, k), sequential(0, k, f->n_blocks, T)));
    tl_fold_free(f);
    gsl_rng_free(r);
}

static void test_missing_runs(void **state)
{
    U = *(const uint64_t *)*state;
    const uint64_t T = 10 * U;
    tl_fold *f = tl_fold_alloc(2, WIDTH, T, U);
    uint64_t done[] = {0, 1, 4, 5, 9, 10, 13};
    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++) add_unit(f, done[i], T);
    uint64_t (*runs)[2];
    size_t n = tl_fold_missing(f, 0, &runs);
    uint64_t want[][2] = {{2, 2}, {6, 3}, {11, 2}, {14, 6}};
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) assert_true(runs[i][0] == want[i][0] && runs[i][1] == want[i][1]);
    free(runs);
    /* the pilot: block 0 of each pair; pair 0 has it, pair 1 (unit 10) too */
    assert_int_equal(tl_fold_missing(f, 1, &runs), 0);
    free(runs);
    assert_true(tl_fold_trajectories(f, T) == 7 * U);
    tl_fold_free(f);
}

/* Extending: a short last block is dropped, the numbering follows the new
 * block count, and the result equals a fold of the larger run from the start. */
static void test_extend(void **state)
{
    U = *(const uint64_t *)*state;
    const uint64_t T0 = 5 * U + (U + 1) / 2, T1 = 12 * U;
    tl_fold *f = tl_fold_alloc(PD, WIDTH, T0, U);
    for (uint64_t u = 0; u < PD * f->n_blocks; u++) add_unit(f, u, T0);
    uint64_t old_blocks = f->n_blocks, redo = T0 % U ? 1 : 0; /* the short last block, if any */
    tl_fold_extend(f, T1);
    assert_int_equal(f->n_pending, 0);
    uint64_t (*runs)[2];
    size_t n = tl_fold_missing(f, 0, &runs);
    assert_int_equal(n, PD);
    for (size_t pd = 0; pd < PD; pd++) {
        assert_true(runs[pd][0] == pd * f->n_blocks + old_blocks - redo);
        assert_true(runs[pd][1] == f->n_blocks - old_blocks + redo);
        for (uint64_t b = 0; b < runs[pd][1]; b++) add_unit(f, runs[pd][0] + b, T1);
    }
    free(runs);
    for (size_t pd = 0; pd < PD; pd++)
        for (size_t k = 0; k < WIDTH; k++) assert_true(same_bits(tl_fold_total(f, pd, k), sequential(pd, k, f->n_blocks, T1)));
    tl_fold_free(f);
}

static uint64_t units[] = {TL_BATCH, 1, 7};
#define EACH_UNIT(f) \
    cmocka_unit_test_prestate(f, &units[0]), cmocka_unit_test_prestate(f, &units[1]), \
        cmocka_unit_test_prestate(f, &units[2])

int main(void)
{
    const struct CMUnitTest tests[] = {
        EACH_UNIT(test_any_order_same_bits),
        EACH_UNIT(test_pending_bounded_by_window),
        EACH_UNIT(test_missing_runs),
        EACH_UNIT(test_extend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
