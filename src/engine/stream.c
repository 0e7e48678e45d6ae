/* The GSL face of a Philox stream: a gsl_rng_type whose state is the
 * stream's counter and key.  Random123's own GSL_MICRORNG adaptor is not used
 * because it ORs its sub-counter into the last counter word, where our
 * streams keep the direction and purpose. */
#include <math.h>

#include "thermolearn/error.h"
#include "thermolearn/stream.h"

/* The generator's state is a stream cursor (stream.h): the same words in
 * the same order, whether a model reads them through GSL or directly. */
static unsigned long tl_philox_get(void *vstate)
{
    return tl_stream_cursor_word(vstate);
}

static double tl_philox_get_double(void *vstate)
{
    return tl_stream_cursor_uniform(vstate);
}

static void tl_philox_set(void *vstate, unsigned long seed)
{
    (void)seed; /* the key and counter are set by tl_stream_gsl_alloc */
    ((tl_stream_cursor *)vstate)->left = 0;
}

static const gsl_rng_type tl_philox_type = {
    "thermolearn-philox4x32", 0xffffffffUL, 0, sizeof(tl_stream_cursor),
    &tl_philox_set, &tl_philox_get, &tl_philox_get_double};

gsl_rng *tl_stream_gsl_alloc(const tl_stream_key *key, uint32_t purpose, uint64_t trajectory)
{
    gsl_rng *r = gsl_rng_alloc(&tl_philox_type);
    if (!r) error("cannot allocate a GSL generator");
    tl_stream_cursor_init(r->state, key, purpose, trajectory);
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

/* ---- Gaussians across trajectories --------------------------------------------
 * Box-Muller on each lane's block: u1 = tl_uniform_double(w0, w1), u2 =
 * tl_uniform_double(w2, w3), r = sqrt(-2 ln u1), z0 = r cos(2 pi u2), z1 = r
 * sin(2 pi u2).  ln and sin/cos are evaluated here, branch-free on GCC/clang
 * vector types, with fdlibm's polynomials (a few ulp), not by libm: every lane
 * does the same double operations in the same order as the scalar reference
 * in tests/unit/test_streams.c, so the numbers are the same for any vector
 * width, compiler and target.  The angle is reduced exactly: 4 u2 = k + t
 * with k the nearest integer, |t| <= 1/2, so 2 pi u2 = k pi/2 + t pi/2 and the
 * quadrant k only swaps and negates sin and cos of theta = t pi/2. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
#if defined(__AVX512F__)
#define GW 8
#else
#define GW 4
#endif
typedef double vd __attribute__((vector_size(GW * sizeof(double))));
typedef int64_t vl __attribute__((vector_size(GW * sizeof(int64_t))));
typedef uint32_t vu __attribute__((vector_size(GW * sizeof(uint32_t))));

#if defined(__AVX__)
#include <immintrin.h>
#endif
#include <string.h>

#define GAUSS_CHUNK 64 /* lanes per call of tl_stream_words */
_Static_assert(GAUSS_CHUNK % GW == 0 && GAUSS_CHUNK % 16 == 0, "a chunk is a whole number of vectors");

static inline vd as_vd(vl x)
{
    vd d;
    memcpy(&d, &x, sizeof d);
    return d;
}

static inline vl as_vl(vd x)
{
    vl l;
    memcpy(&l, &x, sizeof l);
    return l;
}

/* Exactly (double)x for 0 <= x < 2^52: the bits of 2^52 + x, less 2^52. */
static inline vd small_to_double(vl x)
{
    return as_vd(x | 0x4330000000000000LL) - 0x1p52;
}

/* tl_uniform_double(hi, lo): hi 2^21 + (lo >> 11) is exact, then + 0.5 rounds once. */
static inline vd uniform_double(vu hi, vu lo)
{
    vd h = small_to_double(__builtin_convertvector(hi, vl)), l = small_to_double(__builtin_convertvector(lo >> 11, vl));
    return ((h * 0x1p21 + l) + 0.5) * 0x1p-53;
}

/* fdlibm's coefficients (e_log.c, k_sin.c, k_cos.c). */
#define LG1 6.666666666666735130e-01
#define LG2 3.999999999940941908e-01
#define LG3 2.857142874366239149e-01
#define LG4 2.222219843214978396e-01
#define LG5 1.818357216161805012e-01
#define LG6 1.531383769920937332e-01
#define LG7 1.479819860511658591e-01
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define S1 -1.66666666666666324348e-01
#define S2 8.33333333332248946124e-03
#define S3 -1.98412698298579493134e-04
#define S4 2.75573137070700676789e-06
#define S5 -2.50507602534068634195e-08
#define S6 1.58969099521155010221e-10
#define C1 4.16666666666666019037e-02
#define C2 -1.38888888888741095749e-03
#define C3 2.48015872894767294178e-05
#define C4 -2.75573143513906633035e-07
#define C5 2.08757232129817482790e-09
#define C6 -1.13596475577881948265e-11
#define PIO2 1.57079632679489655800e+00

/* ln u for normal positive u: u = 2^e m, m in [sqrt(1/2), sqrt(2)), ln m = 2 s + s R(s^2), s = (m-1)/(m+1). */
static inline vd vlog(vd u)
{
    vl bits = as_vl(u);
    vl e = ((bits >> 52) & 0x7ff) - 1023;
    vl mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL; /* m in [1, 2) */
    vl big = mb > 0x3ff6a09e667f3bcdLL; /* m > sqrt(2): positive doubles order as their bit patterns */
    mb -= big & (1LL << 52);                                     /* m / 2, exactly */
    e -= big;                                                    /* e + 1 */
    vd m = as_vd(mb), ed = as_vd(e + 0x4338000000000000LL) - 0x1.8p52;
    vd s = (m - 1.0) / (m + 1.0), z = s * s;
    vd r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
    return ed * LN2_HI + (ed * LN2_LO + (2.0 * s + s * r));
}

/* The correctly rounded square root (IEEE), packed. */
static inline vd vsqrt(vd x)
{
#if defined(__AVX512F__)
    return (vd)_mm512_sqrt_pd((__m512d)x);
#elif defined(__AVX__)
    return (vd)_mm256_sqrt_pd((__m256d)x);
#else
    for (int i = 0; i < GW; i++) x[i] = __builtin_sqrt(x[i]);
    return x;
#endif
}

static inline vu load_vu(const uint32_t *p)
{
    vu v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Box-Muller in two stages, each a short loop over the vectors of a chunk
 * whose iterations are independent: the out-of-order core overlaps their
 * Horner chains, where one long body per vector (division, logarithm, sine,
 * cosine, square root in one dependency chain) waited on each step's latency.
 * Stage 1: ln u1, u1 = uniform(w0, w1). */
static inline vd box_muller_log(vu w0, vu w1)
{
    return vlog(uniform_double(w0, w1));
}

/* Stage 2: (z0, z1) = sqrt(-2 ln u1) (cos, sin)(2 pi u2), u2 = uniform(w2, w3). */
static inline void box_muller_finish(vd lg, vu w2, vu w3, vd *z0, vd *z1)
{
    vd u2 = uniform_double(w2, w3);
    vd q = 4.0 * u2, kq = q + 0x1.8p52; /* rounds to the nearest integer (ties to even) */
    vd t = q - (kq - 0x1.8p52);         /* exact, |t| <= 1/2 */
    vl k = as_vl(kq) & 3;
    vd x = t * PIO2, x2 = x * x;
    vd s = x + x * x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * (S5 + x2 * S6)))));
    vd c = 1.0 - (0.5 * x2 - x2 * x2 * (C1 + x2 * (C2 + x2 * (C3 + x2 * (C4 + x2 * (C5 + x2 * C6))))));
    /* quadrant k: (cos, sin) = (c, s), (-s, c), (-c, -s), (s, -c) */
    vl odd = -(k & 1), sb = as_vl(s), cb = as_vl(c);
    vl cosb = (cb & ~odd) | (sb & odd), sinb = (sb & ~odd) | (cb & odd);
    cosb ^= ((k + 1) & 2) << 62;
    sinb ^= (k & 2) << 62;
    vd rad = vsqrt(-2.0 * lg);
    *z0 = rad * as_vd(cosb);
    *z1 = rad * as_vd(sinb);
}

void tl_stream_gaussians(const tl_stream_key *key, uint32_t purpose, uint64_t first, uint32_t block, size_t n,
                         double *restrict z)
{
    uint32_t w[4 * GAUSS_CHUNK];
    for (size_t l0 = 0; l0 < n; l0 += GAUSS_CHUNK) {
        /* whole Philox vectors (their padding lanes are computed and not used) */
        size_t m = n - l0 < GAUSS_CHUNK ? n - l0 : GAUSS_CHUNK, step = TL_STREAM_LANES > GW ? TL_STREAM_LANES : GW;
        size_t mv = (m + step - 1) / step * step;
        /* lanes l0.. of the block: the trajectory word wraps as in tl_stream_words */
        uint64_t f = (first & ~(uint64_t)0xffffffffu) | (uint32_t)(first + l0);
        tl_stream_words(key, purpose, f, block, mv, w);
        vd lg[GAUSS_CHUNK / GW];
        for (size_t v = 0; v * GW < m; v++) lg[v] = box_muller_log(load_vu(w + v * GW), load_vu(w + mv + v * GW));
        for (size_t v = 0; v * GW < m; v++) {
            size_t l = v * GW;
            vd z0, z1;
            box_muller_finish(lg[v], load_vu(w + 2 * mv + l), load_vu(w + 3 * mv + l), &z0, &z1);
            if (m - l >= GW) { /* whole vectors: a copy of variable length would be scalar moves */
                memcpy(z + l0 + l, &z0, sizeof z0), memcpy(z + n + l0 + l, &z1, sizeof z1);
            } else { /* the last vector is part padding */
                for (size_t i = 0; i < m - l; i++) z[l0 + l + i] = z0[i], z[n + l0 + l + i] = z1[i];
            }
        }
    }
}

double tl_stream_cursor_gaussian(tl_stream_cursor *r)
{
    double u1 = tl_stream_cursor_uniform(r), u2 = tl_stream_cursor_uniform(r);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}
