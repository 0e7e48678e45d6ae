/* Exact stochastic simulation (Gillespie's direct method) of the spin network.
 *
 * One trajectory at a time: the jumps of different trajectories do not line
 * up in time, so a structure-of-arrays batch would spend most lanes idle.
 * Jump n of trajectory t under input mu draws Philox block n of the (key, t)
 * dynamics stream of that input (spins_purpose): words 0-1 the waiting time,
 * words 2-3 the spin.  Local fields are updated
 * along the sparse columns of W; the rates of the neighbours change by the
 * precomputed factors exp(-+2 beta W_ij), and the flipped spin's by one
 * division, so a jump costs no exponential and O(neighbours) products.
 *
 * The spin is picked in O(log n): the rates are grouped in buckets of 16
 * consecutive spins; a binary tree holds the bucket sums as leaves, each
 * inner node the sum of its two children, the root the total.  A pick
 * descends log2(n/16) levels and scans one bucket.  After a flip only the
 * buckets of the changed rates and their ancestors are recomputed, each
 * once, children before parents, from a list made per spin when the walk
 * starts (plan_build).  Sums are recomputed from their parts, never updated
 * by differences, so the total carries no drift: the pick is the exact law
 * k_i / sum k up to the rounding of one sum, as the linear scan's was.  The
 * tree adds the rates in another order than a scan did, so the total and the
 * waiting times differ from the scan's in the last bits, and at a rounding
 * tie the same uniform can pick another spin: trajectories agree with the
 * scan's in law, not always bit for bit.
 * Every max(RESUM_EVERY, 8n) jumps all rates are recomputed from the fields,
 * which bounds the round-off of the products (a rate takes some hundred
 * products between two recomputations: relative error about 1e-15).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spins.h"
#include "thermolearn/error.h"

/* One trajectory's weight in the integral fluctuation theorem, bounded with
 * the detailed one.  In the steady state P(Sigma < 0) = <exp(-Sigma); Sigma > 0>
 * (P(-S) = P(S) e^-S), so the rare, unbounded exp(-Sigma) of the trajectories
 * with Sigma < 0 can be replaced by 1 on those with Sigma > 0: the weight
 * 1{Sigma >= 0} exp(-Sigma) + 1{Sigma > 0}, in [0, 2], has mean
 * <exp(-Sigma_tot)> = 1, and its sample error is honest with a few hundred
 * trajectories (the sample mean of exp(-Sigma) itself falls short of 1 far
 * from equilibrium: 7 of 60 runs of 200 trajectories failed at 3 SE).
 * |Sigma| below round-off counts as 0 (symmetric W: every Sigma_tot is 0). */
double spins_ift_bounded(double sigma_tot)
{
    if (isnan(sigma_tot)) return NAN;
    if (fabs(sigma_tot) <= 1e-9) return 1.0;
    return sigma_tot > 0 ? 1.0 + exp(-sigma_tot) : 0.0;
}

/* A full recomputation of the rates from the fields every so often (at least
 * every RESUM_EVERY jumps) bounds the round-off of their products. */
#define RESUM_EVERY 64

/* Rates per leaf of the tree: a leaf holds the sum of BUCKET consecutive
 * rates, which the pick scans (short, and it saves the tree's 4 lowest
 * levels: measured, 16 beat 8 at 2N = 20, 80 and 320).  Tests choose smaller
 * buckets (spins_walker_alloc_bucket) to run the tree's descent on systems
 * small enough for the exact master equation. */
#define BUCKET 16

struct spins_walker {
    int n;
    int8_t *s;
    double *h;             /* local fields */
    double *k;             /* flip rates [buckets * bucket], 0 past n */
    int bucket;            /* rates per leaf: a power of two <= BUCKET */
    int buckets;           /* ceil(n / bucket) */
    int leaves;            /* a power of two >= buckets */
    double *tree;          /* [2 leaves]: leaf b (tree[leaves + b]) the sum of bucket b, tree[1] the total;
                              node v has children 2v and 2v+1 */
    /* The update plan of a flip of j: the buckets plan[plan_start[j] ..
     * plan_mid[j]-1], then the inner nodes plan[plan_mid[j] ..
     * plan_start[j+1]-1] in that order (children before parents); or all of
     * them where plan_full[j].  Valid for the columns of W it was made from,
     * kept in plan_cols (col_start, then col). */
    int *plan_start, *plan_mid, *plan, *plan_cols, plan_nnz;
    char *plan_full;
    double *self;          /* r0^2 exp(-2 beta W_jj): a flip of j makes k_j self_j / k_j */
    uint64_t b;            /* the state as bits (n <= 64) */
    double *area, *last;   /* integral of s_i over the window so far, time of its last change */
};
typedef struct spins_walker walker;

/* Longest plan of one spin; beyond it (dense rows of W) recomputing every
 * sum costs no more than the O(n) field updates of the flip. */
#define PLAN_CAP 128

/* The buckets of the sorted spins leaf[0..count-1] and every inner node
 * above them, level by level, into nodes (children before parents); *mid
 * receives the number of buckets.  Returns the count, or -1 beyond cap. */
static int ancestors(int leaves, int bucket_size, const int *leaf, int count, int *nodes, int cap, int *scratch,
                     int *mid)
{
    int m = 0, total = 0, *cur = scratch;
    for (int c = 0; c < count; c++) {
        int bucket = leaf[c] / bucket_size;
        if (m == 0 || nodes[m - 1] != bucket) nodes[m++] = bucket;
    }
    total = *mid = m;
    for (int c = 0, mm = 0; c < *mid; c++) {
        int v = (leaves + nodes[c]) >> 1;
        if (v >= 1 && (mm == 0 || cur[mm - 1] != v)) cur[mm++] = v;
        m = mm;
    }
    while (m > 0) {
        if (total + m > cap) return -1;
        memcpy(nodes + total, cur, (size_t)m * sizeof *cur);
        total += m;
        int mm = 0;
        for (int c = 0; c < m; c++)
            if (cur[c] > 1 && (mm == 0 || cur[mm - 1] != cur[c] >> 1)) cur[mm++] = cur[c] >> 1;
        m = mm;
    }
    return total;
}

/* The plans of every spin for the columns of s (the rates a flip of j
 * changes: j's and those of the i with W_ij != 0). */
static void plan_build(const spins *s, walker *w)
{
    int n = s->n, nnz = s->col_start[n];
    free(w->plan_cols);
    w->plan_cols = tl_malloc((size_t)(n + 1 + nnz) * sizeof *w->plan_cols, "rate tree plan");
    memcpy(w->plan_cols, s->col_start, (size_t)(n + 1) * sizeof *w->plan_cols);
    memcpy(w->plan_cols + n + 1, s->col, (size_t)nnz * sizeof *w->plan_cols);
    w->plan_nnz = nnz;
    int *leaf = tl_malloc((size_t)(n + 1) * sizeof *leaf, "rate tree plan");
    int *scratch = tl_malloc((size_t)(n + 1) * sizeof *scratch, "rate tree plan");
    int *nodes = tl_malloc((size_t)(n + 1 + PLAN_CAP) * sizeof *nodes, "rate tree plan");
    size_t cap = 1024, used = 0;
    free(w->plan);
    w->plan = tl_malloc(cap * sizeof *w->plan, "rate tree plan");
    for (int j = 0; j < n; j++) {
        int m = 0, j_in = 0, mid;
        for (int c = s->col_start[j]; c < s->col_start[j + 1]; c++) {
            int i = s->col[c]; /* increasing */
            if (!j_in && i >= j) leaf[m++] = j, j_in = 1;
            if (i != j) leaf[m++] = s->col[c];
        }
        if (!j_in) leaf[m++] = j;
        int count = ancestors(w->leaves, w->bucket, leaf, m, nodes, PLAN_CAP, scratch, &mid);
        w->plan_full[j] = count < 0;
        if (count < 0) count = mid = 0;
        if (used + (size_t)count > cap) {
            while (used + (size_t)count > cap) cap *= 2;
            w->plan = realloc(w->plan, cap * sizeof *w->plan);
            if (!w->plan) error("out of memory for the rate tree plan");
        }
        w->plan_start[j] = (int)used;
        w->plan_mid[j] = (int)used + mid;
        memcpy(w->plan + used, nodes, (size_t)count * sizeof *nodes);
        used += (size_t)count;
    }
    w->plan_start[n] = (int)used;
    free(leaf), free(scratch), free(nodes);
}

/* Plans made for other columns (another system, or none yet) are rebuilt. */
static void plan_check(const spins *s, walker *w)
{
    int n = s->n, nnz = s->col_start[n];
    if (w->plan_cols && w->plan_nnz == nnz &&
        memcmp(w->plan_cols, s->col_start, (size_t)(n + 1) * sizeof *s->col_start) == 0 &&
        memcmp(w->plan_cols + n + 1, s->col, (size_t)nnz * sizeof *s->col) == 0)
        return;
    plan_build(s, w);
}

/* A bucket's sum, pairwise (a short dependency chain: it lies between one
 * jump and the next).  The scan of pick adds in order, so at the last bit it
 * may end past the bucket: it then takes the bucket's last spin that can
 * flip, a round-off of relative size 1e-16, as a linear scan's. */
static inline double bucket_sum(const double *k, int size)
{
    if (size == BUCKET)
        return (((k[0] + k[1]) + (k[2] + k[3])) + ((k[4] + k[5]) + (k[6] + k[7]))) +
               (((k[8] + k[9]) + (k[10] + k[11])) + ((k[12] + k[13]) + (k[14] + k[15])));
    double v[BUCKET]; /* the same pairs, for the smaller buckets of tests */
    memcpy(v, k, (size_t)size * sizeof *v);
    for (int width = size; width > 1; width /= 2)
        for (int i = 0; i < width / 2; i++) v[i] = v[2 * i] + v[2 * i + 1];
    return v[0];
}

static void tree_sum_all(walker *w)
{
    double *t = w->tree;
    for (int b = 0; b < w->buckets; b++) t[w->leaves + b] = bucket_sum(w->k + b * w->bucket, w->bucket);
    for (int v = w->leaves - 1; v >= 1; v--) t[v] = t[2 * v] + t[2 * v + 1];
}

/* Every rate from the fields, and every sum of the tree. */
static void walker_rates(const spins *s, walker *w)
{
    for (int i = 0; i < s->n; i++) w->k[i] = s->rate * exp(-s->beta * w->s[i] * w->h[i]);
    tree_sum_all(w);
}

static double walker_total(const walker *w)
{
    return w->tree[1];
}

static void walker_start(const spins *s, const tl_stream_key *key, uint64_t t, walker *w)
{
    int n = s->n;
    uint32_t purpose = spins_purpose(s->input, TL_PURPOSE_INITIAL);
    w->b = 0;
    plan_check(s, w);
    if (s->initial_steady) {
        philox4x32_ctr_t r = philox4x32(tl_stream_counter(key, purpose, t, 0), tl_stream_philox_key(key->seed));
        double u = tl_uniform_double(r.v[0], r.v[1]);
        /* first state whose cumulative weight exceeds u */
        size_t lo = 0, hi = s->n_states - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->cdf[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        for (int i = 0; i < n; i++) w->s[i] = (lo >> i) & 1 ? 1 : -1;
    } else {
        philox4x32_ctr_t r = {{0}};
        for (int i = 0; i < n; i++) {
            if (i % 128 == 0)
                r = philox4x32(tl_stream_counter(key, purpose, t, (uint32_t)(i / 128)),
                               tl_stream_philox_key(key->seed));
            w->s[i] = (r.v[(i / 32) % 4] >> (i % 32)) & 1 ? 1 : -1;
        }
    }
    for (int i = 0; i < n && i < 64; i++)
        if (w->s[i] > 0) w->b |= (uint64_t)1 << i;
    for (int i = 0; i < n; i++) {
        double h = s->x[i];
        for (int j = 0; j < n; j++) h += s->w[i * n + j] * w->s[j];
        w->h[i] = h;
        w->self[i] = s->rate * s->rate * exp(-2 * s->beta * s->w[i * n + i]);
    }
    walker_rates(s, w);
}

/* The spin i with probability k_i / total: descend from the root to a
 * bucket, going right with what the left subtree does not cover, then scan
 * the bucket.  A subtree of total 0 (padding, or rates that underflowed) is
 * never entered, so round-off in the target cannot pick a spin that cannot
 * flip. */
static int pick(const walker *w, double u)
{
    const double *t = w->tree;
    double target = u * t[1];
    int v = 1;
    while (v < w->leaves) {
        /* without branches: which way is a coin flip the predictor cannot learn */
        double left = t[2 * v];
        int right = ((target >= left) & (t[2 * v + 1] > 0)) | (left <= 0);
        target -= right ? left : 0.0;
        v = 2 * v + right;
    }
    int first = (v - w->leaves) * w->bucket, last = first;
    const double *k = w->k + first;
    double c = 0;
    for (int r = 0; r < w->bucket; r++) {
        if (k[r] > 0) last = first + r;
        c += k[r];
        if (c > target) return first + r;
    }
    return last; /* round-off in the descent's subtractions */
}

static void flip(const spins *s, walker *w, int j)
{
    w->s[j] = (int8_t)-w->s[j];
    if (j < 64) w->b ^= (uint64_t)1 << j;
    /* locals: through w the compiler would reload every pointer after each store */
    const int8_t *spin = w->s;
    double *h = w->h, *rate = w->k, change = 2.0 * spin[j];
    const int *col = s->col;
    const double *cw = s->col_w, *factor = s->col_factor;
    for (int c = s->col_start[j], end = s->col_start[j + 1]; c < end; c++) {
        int i = col[c];
        h[i] += cw[c] * change;
        if (i == j) continue;
        /* k_i = r0 exp(-beta s_i h_i) changes by exp(-2 beta s_i s_j W_ij): a product, not an exp */
        rate[i] *= factor[2 * c + (spin[i] != spin[j])];
    }
    /* k_j' = r0 exp(-beta s_j' h_j') with s_j' = -s_j, h_j' = h_j + 2 W_jj s_j':
     * r0^2 exp(-2 beta W_jj) / k_j, a division, not an exp (measured 4% of a
     * jump at 2N = 80); by the exp where k_j underflowed or the quotient overflows */
    double kj = w->self[j] / rate[j];
    rate[j] = isfinite(kj) && rate[j] > 0 ? kj : s->rate * exp(-s->beta * spin[j] * h[j]);
    if (w->plan_full[j]) {
        tree_sum_all(w);
        return;
    }
    double *t = w->tree, *leaf = t + w->leaves;
    const int *p = w->plan + w->plan_start[j], *mid = w->plan + w->plan_mid[j], *end = w->plan + w->plan_start[j + 1];
    for (int size = w->bucket; p < mid; p++) leaf[*p] = bucket_sum(rate + *p * size, size);
    for (; p < end; p++) t[*p] = t[2 * *p] + t[2 * *p + 1];
}

/* ln p_ss(start) - ln p_ss(end): the change of the system's entropy, to add to the medium's. */
static double system_entropy(const spins *s, uint64_t start, uint64_t end)
{
    return s->p ? log(s->p[start]) - log(s->p[end]) : NAN;
}

void spins_walk(const spins *s, const tl_stream_key *key, uint64_t t, walker *w, double *mag, spins_result *res)
{
    int n = s->n;
    if (s->input > 0 && t >> 32) error("spins: trajectory %llu: inputs beyond the first need indices below 2^32",
                                       (unsigned long long)t);
    walker_start(s, key, t, w);
    philox4x32_key_t pk = tl_stream_philox_key(key->seed);
    uint32_t purpose = spins_purpose(s->input, TL_PURPOSE_DYNAMICS);
    double now = 0, t0 = s->transient, t_end = s->time, sigma = 0, ift_sigma = 0;
    /* the IFT window [t0, t0 + ift_window]: its Sigma_tot is taken at its end */
    double ift_end = s->p ? t0 + spins_ift_window(s) : INFINITY;
    uint64_t b_start = 0, b_ift = 0;
    int in_window = 0, ift_done = !s->p;
    uint64_t jumps = 0, window_jumps = 0;
    /* the rates were just computed (walker_start); again every resum blocks:
     * n exponentials every 8n jumps, 1/8 of one a jump */
    uint32_t resum = (uint32_t)(8 * n > RESUM_EVERY ? 8 * n : RESUM_EVERY), until_resum = resum + 1;
    for (uint32_t block = 0;; block++) {
        if (block == UINT32_MAX) error("spins: more than 2^32 jumps in one trajectory; shorten time");
        if (!in_window && now >= t0) {
            in_window = 1;
            now = t0;
            for (int i = 0; i < n; i++) w->area[i] = 0, w->last[i] = t0;
            b_start = w->b;
        }
        if (--until_resum == 0) walker_rates(s, w), until_resum = resum;
        philox4x32_ctr_t r = philox4x32(tl_stream_counter(key, purpose, t, block), pk);
        double tau = -log(tl_uniform_double(r.v[0], r.v[1])) / walker_total(w);
        if (!in_window && now + tau >= t0) {
            /* Memoryless: the window starts at t0 in the current state, and the
             * next waiting time is drawn afresh. */
            now = t0;
            continue;
        }
        if (in_window && !ift_done && now + tau >= ift_end) {
            ift_sigma = sigma, b_ift = w->b;
            ift_done = 1;
        }
        if (in_window && now + tau >= t_end) break;
        now += tau;
        int i = pick(w, tl_uniform_double(r.v[2], r.v[3]));
        jumps++;
        if (in_window) {
            w->area[i] += w->s[i] * (now - w->last[i]);
            w->last[i] = now;
            /* ln k(s->s')/k(s'->s) = -beta s_i (h_i(s) + h_i(s')) */
            sigma += -2.0 * s->beta * w->s[i] * (w->h[i] - s->w[i * n + i] * w->s[i]);
        }
        flip(s, w, i);
        if (in_window && s->max_jumps > 0 && (int64_t)++window_jumps == s->max_jumps) {
            t_end = now;
            break;
        }
    }
    if (!ift_done) ift_sigma = sigma, b_ift = w->b; /* the window ended first */
    double length = t_end - t0;
    if (mag)
        for (int i = 0; i < n; i++) mag[i] = (w->area[i] + w->s[i] * (t_end - w->last[i])) / length;
    res->sigma = sigma;
    res->rate = sigma / length;
    res->total = sigma + system_entropy(s, b_start, w->b);
    res->ift_total = ift_sigma + system_entropy(s, b_start, b_ift);
    res->jumps = jumps;
}

spins_walker *spins_walker_alloc(int n)
{
    return spins_walker_alloc_bucket(n, BUCKET);
}

spins_walker *spins_walker_alloc_bucket(int n, int bucket)
{
    if (bucket < 1 || bucket > BUCKET || (bucket & (bucket - 1)))
        error("spins: rate bucket %d: must be a power of two up to %d", bucket, BUCKET);
    walker *w = tl_malloc(sizeof *w, "walker");
    w->n = n;
    w->s = tl_malloc((size_t)n, "spins");
    w->h = tl_malloc((size_t)n * sizeof *w->h, "fields");
    w->self = tl_malloc((size_t)n * sizeof *w->self, "fields");
    w->bucket = bucket;
    w->buckets = (n + bucket - 1) / bucket;
    for (w->leaves = 1; w->leaves < w->buckets; w->leaves *= 2) continue;
    w->k = tl_calloc((size_t)w->buckets * bucket, sizeof *w->k, "rates");
    w->tree = tl_calloc(2 * (size_t)w->leaves, sizeof *w->tree, "rate tree");
    w->plan_start = tl_malloc((size_t)(n + 1) * sizeof *w->plan_start, "rate tree plan");
    w->plan_mid = tl_malloc((size_t)n * sizeof *w->plan_mid, "rate tree plan");
    w->plan_full = tl_malloc((size_t)n, "rate tree plan");
    w->plan = w->plan_cols = NULL;
    w->plan_nnz = -1;
    w->area = tl_malloc((size_t)n * sizeof *w->area, "areas");
    w->last = tl_malloc((size_t)n * sizeof *w->last, "times");
    return w;
}

void spins_walker_free(spins_walker *w)
{
    if (!w) return;
    free(w->s), free(w->h), free(w->self), free(w->k), free(w->tree), free(w->area), free(w->last);
    free(w->plan_start), free(w->plan_mid), free(w->plan), free(w->plan_cols), free(w->plan_full);
    free(w);
}

double spins_time_average(const spins *s, const tl_stream_key *key, uint64_t t, double *mag)
{
    walker *w = spins_walker_alloc(s->n);
    spins_result r;
    spins_walk(s, key, t, w, mag, &r);
    spins_walker_free(w);
    return r.rate;
}

static void put(double *const dst[], size_t v, size_t at, double value)
{
    if (dst[v]) dst[v][at] = value;
}

void spins_simulate_batch(const spins *s, const tl_stream_key *key, uint64_t first, size_t count,
                          double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES],
                          uint64_t *jumps)
{
    int n = s->n, M = s->n_inputs;
    walker *w = spins_walker_alloc(n);
    double *mag = tl_malloc((size_t)n * sizeof *mag, "magnetisations");
    for (size_t k = 0; k < count; k++) {
        /* the device runs every input once; entropies of independent runs add */
        double sigma = 0, rate = 0, total = 0;
        uint64_t j = 0;
        for (int mu = 0; mu < M; mu++) {
            const spins *x = spins_input(s, mu);
            spins_result r;
            spins_walk(x, key, first + k, w, profile[SPINS_PROFILE_M] ? mag : NULL, &r);
            sigma += r.sigma, rate += r.rate, total += r.total, j += r.jumps;
            if (profile[SPINS_PROFILE_M])
                for (int i = 0; i < n; i++) profile[SPINS_PROFILE_M][((size_t)mu * n + i) * count + k] = mag[i];
            put(profile, SPINS_PROFILE_EP_RATE, (size_t)mu * count + k, r.rate);
            put(profile, SPINS_PROFILE_IFT, (size_t)mu * count + k, spins_ift_bounded(r.ift_total));
        }
        /* without the exact steady state (n > 14) the totals are NaN: 0 in the histograms */
        put(out, SPINS_OBS_EP, k, sigma);
        put(out, SPINS_OBS_EP_RATE, k, rate / M);
        put(out, SPINS_OBS_EP_TOTAL, k, isnan(total) ? 0.0 : total);
        put(out, SPINS_OBS_IFT_WEIGHT, k, isnan(total) ? 0.0 : exp(-total));
        if (jumps) jumps[k] = j;
    }
    free(mag);
    spins_walker_free(w);
}
