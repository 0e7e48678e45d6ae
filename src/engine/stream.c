/* The GSL face of a Philox stream: a gsl_rng_type whose state is the
 * stream's counter and key.  Random123's own GSL_MICRORNG adaptor is not used
 * because it ORs its sub-counter into the last counter word, where our
 * streams keep the direction and purpose. */
#include "thermolearn/error.h"
#include "thermolearn/stream.h"

typedef struct {
    philox4x32_ctr_t counter; /* v[0] is the draw block, advanced here */
    philox4x32_key_t key;
    philox4x32_ctr_t words;
    int left; /* unused words in `words` */
} tl_philox_state;

static unsigned long tl_philox_get(void *vstate)
{
    tl_philox_state *s = vstate;
    if (s->left == 0) {
        s->words = philox4x32(s->counter, s->key);
        s->counter.v[0]++;
        s->left = 4;
    }
    return s->words.v[4 - s->left--];
}

static double tl_philox_get_double(void *vstate)
{
    uint32_t hi = (uint32_t)tl_philox_get(vstate);
    uint32_t lo = (uint32_t)tl_philox_get(vstate);
    return tl_uniform_double(hi, lo);
}

static void tl_philox_set(void *vstate, unsigned long seed)
{
    (void)seed; /* the key and counter are set by tl_stream_gsl_alloc */
    ((tl_philox_state *)vstate)->left = 0;
}

static const gsl_rng_type tl_philox_type = {
    "thermolearn-philox4x32", 0xffffffffUL, 0, sizeof(tl_philox_state),
    &tl_philox_set, &tl_philox_get, &tl_philox_get_double};

gsl_rng *tl_stream_gsl_alloc(const tl_stream_key *key, uint32_t purpose, uint64_t trajectory)
{
    gsl_rng *r = gsl_rng_alloc(&tl_philox_type);
    if (!r) error("cannot allocate a GSL generator");
    tl_philox_state *s = r->state;
    s->counter = tl_stream_counter(key, purpose, trajectory, 0);
    s->key = tl_stream_philox_key(key->seed);
    s->left = 0;
    return r;
}

/* ---- Philox across trajectories ---------------------------------------------
 * Round r of Philox4x32 maps (x0, x1, x2, x3) to
 *   (hi(M1 x2) ^ x1 ^ k0_r, lo(M1 x2), hi(M0 x0) ^ x3 ^ k1_r, lo(M0 x0)).
 * In the first round only x1 (the trajectory) differs between lanes and it is
 * not multiplied, so round 1 runs once in scalar; rounds 2-10 run on vectors.
 * A vector holds lanes in the low halves of its 64-bit slots (vpmuludq reads
 * only those and gives the whole product; the high halves carry garbage that
 * is never read), so one vector of 2k slots does k lanes: the even lanes in
 * one, the odd lanes in another, merged with one blend at the end. */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

#if defined(__AVX512F__) || defined(__AVX2__)
typedef struct {
    uint32_t x0_xor, x1, x2, x3; /* after round 1: x0 = trajectory ^ x0_xor */
    uint32_t k0[10], k1[10];     /* round keys */
} philox_first_round;

static philox_first_round philox_round1(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block)
{
    philox4x32_key_t k = tl_stream_philox_key(key->seed);
    philox4x32_ctr_t c = tl_stream_counter(key, purpose, first, block);
    philox_first_round f;
    for (int r = 0; r < 10; r++) f.k0[r] = k.v[0] + (uint32_t)r * PHILOX_W0, f.k1[r] = k.v[1] + (uint32_t)r * PHILOX_W1;
    uint64_t p0 = (uint64_t)PHILOX_M0 * c.v[0], p1 = (uint64_t)PHILOX_M1 * c.v[2];
    f.x0_xor = (uint32_t)(p1 >> 32) ^ f.k0[0]; /* ^ c.v[1], the lane's */
    f.x1 = (uint32_t)p1;
    f.x2 = (uint32_t)(p0 >> 32) ^ c.v[3] ^ f.k1[0];
    f.x3 = (uint32_t)p0;
    return f;
}
#endif

#if defined(__AVX512F__)
#include <immintrin.h>
const int TL_STREAM_LANES = 16;
typedef __m512i vec;
#define V_SET1_32(x) _mm512_set1_epi32((int)(x))
#define V_SET1_64(x) _mm512_set1_epi64((long long)(x))
#define V_MUL _mm512_mul_epu32
#define V_XOR _mm512_xor_si512
#define V_SRL64(x) _mm512_srli_epi64(x, 32)
#define V_SLL64(x) _mm512_slli_epi64(x, 32)
#define V_ADD64 _mm512_add_epi64
#define V_EVENS _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14)
#define V_MERGE(e, o) _mm512_mask_blend_epi32(0xAAAA, e, V_SLL64(o))
#define V_STORE(p, x) _mm512_storeu_si512((void *)(p), x)
typedef __m512 vecf;
#define V_SET1_PS _mm512_set1_ps
#define V_ADD_PS _mm512_add_ps
#define V_MUL_PS _mm512_mul_ps
#define V_CVT_PS _mm512_cvtepi32_ps
#define V_SRL32_8(x) _mm512_srli_epi32(x, 8)
#define V_STORE_PS _mm512_storeu_ps
#elif defined(__AVX2__)
#include <immintrin.h>
const int TL_STREAM_LANES = 8;
typedef __m256i vec;
#define V_SET1_32(x) _mm256_set1_epi32((int)(x))
#define V_SET1_64(x) _mm256_set1_epi64x((long long)(x))
#define V_MUL _mm256_mul_epu32
#define V_XOR _mm256_xor_si256
#define V_SRL64(x) _mm256_srli_epi64(x, 32)
#define V_SLL64(x) _mm256_slli_epi64(x, 32)
#define V_ADD64 _mm256_add_epi64
#define V_EVENS _mm256_setr_epi64x(0, 2, 4, 6)
#define V_MERGE(e, o) _mm256_blend_epi32(e, V_SLL64(o), 0xAA)
#define V_STORE(p, x) _mm256_storeu_si256((void *)(p), x)
typedef __m256 vecf;
#define V_SET1_PS _mm256_set1_ps
#define V_ADD_PS _mm256_add_ps
#define V_MUL_PS _mm256_mul_ps
#define V_CVT_PS _mm256_cvtepi32_ps
#define V_SRL32_8(x) _mm256_srli_epi32(x, 8)
#define V_STORE_PS _mm256_storeu_ps
#else
const int TL_STREAM_LANES = 1;
#endif

#ifdef V_MUL
/* Rounds 2-10 for the lanes whose trajectory word is in the low halves of t. */
static inline __attribute__((always_inline)) void philox_rounds(const philox_first_round *f, vec t, vec x[4])
{
    const vec m0 = V_SET1_64(PHILOX_M0), m1 = V_SET1_64(PHILOX_M1);
    vec x0 = V_XOR(t, V_SET1_32(f->x0_xor)), x1 = V_SET1_32(f->x1), x2 = V_SET1_32(f->x2), x3 = V_SET1_32(f->x3);
    for (int r = 1; r < 10; r++) {
        vec p0 = V_MUL(x0, m0), p1 = V_MUL(x2, m1);
        x0 = V_XOR(V_XOR(V_SRL64(p1), x1), V_SET1_32(f->k0[r]));
        x1 = p1;
        x2 = V_XOR(V_XOR(V_SRL64(p0), x3), V_SET1_32(f->k1[r]));
        x3 = p0;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
}

/* Words of the lanes tr, tr + 1, ..., one vector's worth. */
static inline __attribute__((always_inline)) void philox_vector(const philox_first_round *f, uint32_t tr, vec w[4])
{
    vec even[4], odd[4], base = V_ADD64(V_SET1_64(tr), V_EVENS);
    philox_rounds(f, base, even);
    philox_rounds(f, V_ADD64(base, V_SET1_64(1)), odd);
    for (int j = 0; j < 4; j++) w[j] = V_MERGE(even[j], odd[j]);
}
#endif

/* Words of lane l (trajectory first + l), with Random123's own philox4x32. */
static philox4x32_ctr_t scalar_lane(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block,
                                    size_t l)
{
    philox4x32_ctr_t c = tl_stream_counter(key, purpose, first, block);
    c.v[1] += (uint32_t)l;
    return philox4x32(c, tl_stream_philox_key(key->seed));
}

void tl_stream_words(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block, size_t n,
                     uint32_t *restrict words)
{
    size_t l = 0;
#ifdef V_MUL
    philox_first_round f = philox_round1(key, purpose, first, block);
    for (; l + TL_STREAM_LANES <= n; l += TL_STREAM_LANES) {
        vec w[4];
        philox_vector(&f, (uint32_t)first + (uint32_t)l, w);
        for (int j = 0; j < 4; j++) V_STORE(words + j * n + l, w[j]);
    }
#endif
    for (; l < n; l++) {
        philox4x32_ctr_t r = scalar_lane(key, purpose, first, block, l);
        for (int j = 0; j < 4; j++) words[j * n + l] = r.v[j];
    }
}

void tl_stream_uniforms(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block, size_t n,
                        float *restrict u)
{
    size_t l = 0;
#ifdef V_MUL
    philox_first_round f = philox_round1(key, purpose, first, block);
    const vecf half = V_SET1_PS(0.5f), scale = V_SET1_PS(1.0f / 16777216.0f);
    for (; l + TL_STREAM_LANES <= n; l += TL_STREAM_LANES) {
        vec w[4];
        philox_vector(&f, (uint32_t)first + (uint32_t)l, w);
        /* tl_uniform_float: ((float)(r >> 8) + 0.5f) * 2^-24, the same two roundings */
        for (int j = 0; j < 4; j++) V_STORE_PS(u + j * n + l, V_MUL_PS(V_ADD_PS(V_CVT_PS(V_SRL32_8(w[j])), half), scale));
    }
#endif
    for (; l < n; l++) {
        philox4x32_ctr_t r = scalar_lane(key, purpose, first, block, l);
        for (int j = 0; j < 4; j++) u[j * n + l] = tl_uniform_float(r.v[j]);
    }
}
