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
