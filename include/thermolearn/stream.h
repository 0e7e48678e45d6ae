/* Counter-based random streams (Random123 Philox4x32-10).
 *
 * A stream is keyed by what a trajectory is, never by who runs it:
 * (seed, grid point, direction, purpose) in the key and counter words, and the
 * trajectory index in the counter.  Draw k of trajectory t is word k%4 of
 * Philox(counter = {k/4, t, point, direction | purpose << 8}, key = seed).
 * So results are identical for any number of ranks or any batch layout.
 */
#ifndef THERMOLEARN_STREAM_H
#define THERMOLEARN_STREAM_H

#include <stdint.h>
#include <Random123/philox.h>
#include <gsl/gsl_rng.h>

/* What a stream is used for; a model may define more from TL_PURPOSE_MODEL. */
enum {
    TL_PURPOSE_DYNAMICS = 0,
    TL_PURPOSE_INITIAL = 1,
    TL_PURPOSE_DISORDER = 2,
    TL_PURPOSE_MODEL = 16,
};

typedef struct {
    uint64_t seed;
    uint32_t point;
    uint32_t direction;
} tl_stream_key;

static inline philox4x32_key_t tl_stream_philox_key(uint64_t seed)
{
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    return k;
}

static inline philox4x32_ctr_t tl_stream_counter(const tl_stream_key *key, uint32_t purpose,
                                                 uint64_t trajectory, uint32_t block)
{
    philox4x32_ctr_t c = {{block, (uint32_t)trajectory, key->point,
                           key->direction | (purpose << 8) | ((uint32_t)(trajectory >> 32) << 16)}};
    return c;
}

/* A uniform float in (0, 1) from 24 random bits: never 0, never 1. */
static inline float tl_uniform_float(uint32_t r)
{
    return ((float)(r >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

/* A uniform double in (0, 1) from two words (53 bits). */
static inline double tl_uniform_double(uint32_t hi, uint32_t lo)
{
    uint64_t bits = ((uint64_t)hi << 21) ^ (lo >> 11);
    return ((double)bits + 0.5) * (1.0 / 9007199254740992.0);
}

/* Draw block `block` of trajectories first .. first+n-1 of one stream at
 * once: words[j * n + l] = word j of Philox(tl_stream_counter(key, purpose,
 * first + l, block)), bit for bit what philox4x32 gives lane by lane.  The
 * lanes share every counter word but the trajectory's, so rounds 2-10 run
 * across lanes with 32x32->64 multiplies: 8 lanes per AVX2 vector, 16 per
 * AVX-512 vector, scalar Random123 elsewhere (TL_STREAM_LANES says which).
 * As in the scalar code, the trajectory word wraps modulo 2^32 within the
 * block: `first`'s high half is the same for every lane. */
void tl_stream_words(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block, size_t n,
                     uint32_t *restrict words);
/* The same, as tl_uniform_float of every word: u[j * n + l] in (0, 1). */
void tl_stream_uniforms(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block, size_t n,
                        float *restrict u);
/* Two standard Gaussians per lane from block `block` (Box-Muller on its four
 * words): z[l] and z[n + l] for trajectory first + l, the same numbers for any
 * n, vector width, compiler and target (docs/performance.md says how). */
void tl_stream_gaussians(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block, size_t n,
                         double *restrict z);
/* Lanes per vector of the path compiled in: 16 (AVX-512), 8 (AVX2) or 1. */
extern const int TL_STREAM_LANES;

/* One trajectory's stream read in order, word after word, without the
 * allocation of a gsl_rng: draw k is word k % 4 of block k / 4, the
 * definition above.  For models that simulate one trajectory at a time. */
typedef struct {
    philox4x32_ctr_t counter;
    philox4x32_key_t key;
    philox4x32_ctr_t words;
    int left;
} tl_stream_cursor;

static inline void tl_stream_cursor_init(tl_stream_cursor *r, const tl_stream_key *key, uint32_t purpose,
                                         uint64_t trajectory)
{
    r->counter = tl_stream_counter(key, purpose, trajectory, 0);
    r->key = tl_stream_philox_key(key->seed);
    r->left = 0;
}

static inline uint32_t tl_stream_cursor_word(tl_stream_cursor *r)
{
    if (r->left == 0) {
        r->words = philox4x32(r->counter, r->key);
        r->counter.v[0]++;
        r->left = 4;
    }
    return r->words.v[4 - r->left--];
}

/* Uniform in (0, 1), 53 bits (two words). */
static inline double tl_stream_cursor_uniform(tl_stream_cursor *r)
{
    uint32_t hi = tl_stream_cursor_word(r);
    return tl_uniform_double(hi, tl_stream_cursor_word(r));
}

/* Standard normal: Box-Muller, the cosine branch only, so every draw takes
 * two uniforms and the position of later draws never depends on a cache. */
double tl_stream_cursor_gaussian(tl_stream_cursor *r);

/* A GSL generator drawing from one Philox stream, for GSL's samplers
 * (gsl_ran_*): one generator family, not two.  Free with gsl_rng_free. */
gsl_rng *tl_stream_gsl_alloc(const tl_stream_key *key, uint32_t purpose, uint64_t trajectory);

#endif
