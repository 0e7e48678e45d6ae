/* The Hopfield kernel's vector code against a scalar reference, bit for bit.
 *
 * kernel.c runs 256 trajectories in vector lanes, Philox across lanes; here
 * each trajectory runs alone with the scalar formulas the kernel had before it
 * was vectorised (Random123's philox4x32 per trajectory, the scalar exp, the
 * select written as a branch, four energies per protocol step), and its final
 * spins, work, heat and entropy must equal the kernel's exactly, in every lane.
 * A change of the random words a lane reads, of the dynamics or of the energy
 * bookkeeping fails it (checked: reading the next update's uniform, or adding
 * 1e-12 to one lane's heat, fails three of the four tests).  A change of
 * rounding in p alone (a fused multiply-add in the exp) fails it only where it
 * flips a decision, about once in 1e7 updates: that is what the
 * `#pragma STDC FP_CONTRACT OFF` and gcc's ISO mode are for. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hopfield_fixture.h"
#include "thermolearn/stream.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* The scalar exp of the kernel before issue 16 (clamp by compares). */
static float ref_exp(float x)
{
    x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
    float k = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = x - k * 0.693145752f - k * 1.42860677e-6f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f +
              r * (0.00833333377f + r * 0.00138888892f)))));
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

typedef struct {
    float spin[HOPFIELD_MAX_EXACT_N], ov[HOPFIELD_MAX_PATTERNS], m0;
    double wnc;
} lane;

static double ref_energy(const hopfield *hf, const lane *s, double lambda)
{
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    double e = 0.5 * hf->diagonal - hf->field * (a * s->ov[0] + b * s->ov[1]) + hf->threshold * s->m0;
    for (int mu = 0; mu < hf->m; mu++)
        for (int nu = 0; nu < hf->m; nu++) {
            const double c = -0.5 * hf->coupling[mu * hf->m + nu];
            if (c == 0) continue;
            e += c * ((double)s->ov[mu] * s->ov[nu]);
        }
    return e;
}

static void ref_sweep(const hopfield *hf, lane *s, double lambda, int adjoint, const tl_stream_key *key,
                      uint64_t traj, uint32_t block0)
{
    const int n = hf->n, m = hf->m, updates = hf->update == HOPFIELD_PALINDROMIC ? 2 * n : n;
    const float two_beta = (float)(2.0 * hf->beta);
    double a, b;
    hopfield_input_weights(hf, lambda, &a, &b);
    philox4x32_ctr_t r = {{0}};
    for (int k = 0; k < updates; k++) {
        if (k % 4 == 0)
            r = philox4x32(tl_stream_counter(key, TL_PURPOSE_DYNAMICS, traj, block0 + (uint32_t)(k / 4)),
                           tl_stream_philox_key(key->seed));
        float u = tl_uniform_float(r.v[k % 4]);
        int i = hf->update == HOPFIELD_PALINDROMIC ? (k < n ? k : 2 * n - 1 - k) : adjoint ? n - 1 - k : k;
        float input = (float)(hf->field * (a * hf->patterns[i] + b * hf->patterns[n + i]) - hf->threshold);
        float field = input - hf->self[i] * s->spin[i];
        for (int nu = 0; nu < m; nu++) field += hf->field_coeff[i * m + nu] * s->ov[nu];
        float v;
        if (hf->rule == HOPFIELD_METROPOLIS)
            v = u < ref_exp(-two_beta * field * s->spin[i]) ? -s->spin[i] : s->spin[i];
        else
            v = u < 1.0f / (1.0f + ref_exp(-two_beta * field)) ? 1.0f : -1.0f;
        float dv = v - s->spin[i];
        s->spin[i] = v;
        s->m0 += dv;
        if (hf->asymmetry != 0) {
            const float e1 = hf->patterns[i], e2 = hf->patterns[n + i], half_a = (float)(0.5 * hf->asymmetry);
            s->wnc += half_a * (e1 * s->ov[1] - e2 * s->ov[0]) * dv;
        }
        for (int nu = 0; nu < m; nu++) s->ov[nu] += (float)hf->patterns[nu * n + i] * dv;
    }
}

/* One driven trajectory, as kernel.c ran it before issue 16. */
static void ref_trajectory(const hopfield *hf, const tl_stream_key *key, uint64_t traj, int8_t *spins,
                           double *work, double *heat, double *entropy)
{
    const int n = hf->n, reverse = key->direction == 1;
    lane s = {{0}, {0}, 0, 0};
    philox4x32_ctr_t r = philox4x32(tl_stream_counter(key, TL_PURPOSE_INITIAL, traj, 0), tl_stream_philox_key(key->seed));
    uint64_t state = hopfield_sample_state(hf, reverse, tl_uniform_double(r.v[0], r.v[1]));
    for (int i = 0; i < n; i++) s.spin[i] = (state >> i) & 1 ? 1.0f : -1.0f;
    for (int i = 0; i < n; i++) {
        s.m0 += s.spin[i];
        for (int nu = 0; nu < hf->m; nu++) s.ov[nu] += hf->patterns[nu * n + i] * s.spin[i];
    }
    const double steps = (double)hf->steps;
    const uint32_t per_sweep = (uint32_t)(((hf->update == HOPFIELD_PALINDROMIC ? 2 * n : n) + 3) / 4);
    double w = 0, q = 0, wnc = 0;
    for (int64_t t = 1; t <= hf->steps; t++) {
        double from = reverse ? (double)(hf->steps - t + 1) / steps : (double)(t - 1) / steps;
        double to = reverse ? (double)(hf->steps - t) / steps : (double)t / steps;
        double relax_at = reverse ? from : to;
        if (!reverse) w += ref_energy(hf, &s, to) - ref_energy(hf, &s, from);
        double before = ref_energy(hf, &s, relax_at);
        s.wnc = 0;
        ref_sweep(hf, &s, relax_at, reverse, key, traj, (uint32_t)(t - 1) * per_sweep);
        wnc += s.wnc; /* flushed to double once per sweep, as the kernel does */
        double after = ref_energy(hf, &s, relax_at);
        q += after - before;
        if (reverse) w += ref_energy(hf, &s, to) - after;
    }
    for (int i = 0; i < n; i++) spins[i] = (int8_t)s.spin[i];
    *work = w, *heat = q, *entropy = hf->beta * (wnc - q);
}

static void compare(const char *section, uint64_t first, size_t count)
{
    hopfield *hf = make_hopfield(section);
    assert_true(hf->exact_initial && hf->m >= 2 && hf->n <= HOPFIELD_MAX_EXACT_N);
    static double work[TL_BATCH], heat[TL_BATCH], entropy[TL_BATCH];
    static int8_t spins[TL_BATCH * HOPFIELD_MAX_EXACT_N];
    int8_t ref_spins[HOPFIELD_MAX_EXACT_N];
    long lanes = 0;
    for (uint32_t d = 0; d < 2; d++) {
        tl_stream_key key = {20201224, 3, d};
        hopfield_simulate_batch_entropy(hf, &key, first, count, work, heat, entropy, NULL, spins);
        for (size_t b = 0; b < count; b++) {
            double w, q, s;
            ref_trajectory(hf, &key, first + b, ref_spins, &w, &q, &s);
            if (memcmp(ref_spins, spins + b * hf->n, (size_t)hf->n) || memcmp(&w, &work[b], sizeof w) ||
                memcmp(&q, &heat[b], sizeof q) || memcmp(&s, &entropy[b], sizeof s))
                fail_msg("%s\ndirection %u, trajectory %zu: kernel W %.17g Q %.17g S %.17g, scalar W %.17g Q %.17g "
                         "S %.17g", section, d, (size_t)(first + b), work[b], heat[b], entropy[b], w, q, s);
            lanes++;
        }
    }
    print_message("%ld trajectories bit-identical to the scalar reference\n", lanes);
    hopfield_free(hf);
}

/* The default path (heat bath, two patterns): the bench point, fewer steps. */
static void test_heat_bath_default(void **state)
{
    (void)state;
    compare("n = 15\ntemperature = 15\ngamma = 0.2\nfield = 5\nsteps = 40\n", 0, TL_BATCH);
}

/* Low temperature: exponents beyond the clamp at |x| = 87; a short batch. */
static void test_heat_bath_cold(void **state)
{
    (void)state;
    compare("n = 12\ntemperature = 0.05\ngamma = 0.3\nfield = 2\nthreshold = 0.5\nsteps = 20\n", 512, 100);
}

/* The general path: Metropolis, palindromic order, three Hebbian patterns. */
static void test_metropolis_hebbian(void **state)
{
    (void)state;
    compare("n = 10\ntemperature = 1.5\nweights = hebbian\npatterns = 3\nfield = 1\nrule = metropolis\n"
            "update = palindromic\nsteps = 25\n", 256, TL_BATCH);
}

/* Antisymmetric couplings: the work of the non-conservative force per lane. */
static void test_asymmetry(void **state)
{
    (void)state;
    compare("n = 10\ntemperature = 4\ngamma = 0.2\nasymmetry = 0.5\nfield = 3\nsteps = 30\n", 0, TL_BATCH);
}

/* The table test of the default path (N <= 15, M = 2, heat bath) against the
 * kernel's formula on every site, overlap pair and spin, with uniforms at p
 * and within 2 ulp, 1e-6, 1e-5 and 1e-4 (relative) of it, where a margin too narrow for the tables'
 * rounding errors would decide otherwise: no wrong decision, at lambda = 0,
 * 1/2, 1, for the bench point, an even N with a threshold, and a cold point
 * whose exponents pass the clamp.  With the margin set to 0 the same cases
 * must give wrong decisions (the check can fail); the test above (a whole
 * trajectory bit for bit) would meet a wrong decision only about once in 10^6
 * updates. */
static void test_tables_margin(void **state)
{
    (void)state;
    const char *sections[] = {"n = 15\ntemperature = 15\ngamma = 0.2\nfield = 5\nsteps = 10\n",
                              "n = 14\ntemperature = 2\ngamma = 0.6\nfield = 1.5\nthreshold = 0.3\nsteps = 10\n",
                              "n = 12\ntemperature = 1\ngamma = 0.3\nfield = 2\nthreshold = 0.5\nsteps = 10\n"};
    for (int k = 0; k < 3; k++) {
        hopfield *hf = make_hopfield(sections[k]);
        for (int j = 0; j <= 2; j++) {
            size_t cases, decided, wrong = hopfield_kernel_check_tables(hf, j / 2.0, 1.0, &cases, &decided);
#if !defined(__AVX2__)
            if (cases == 0) { /* a target without AVX2 has no table test: the formula decides everything */
                print_message("no AVX2: no table test to check\n");
                hopfield_free(hf);
                return;
            }
#endif
            print_message("N = %d, lambda = %.1f: %zu cases, %zu decided by the tables, %zu wrong\n", hf->n, j / 2.0,
                          cases, decided, wrong);
            assert_int_equal(wrong, 0);
            assert_true(decided > cases / 20 && cases == (size_t)(hf->n * (hf->n + 1) * (hf->n + 1) * 2 * 11));
            size_t c0, d0, wrong0 = hopfield_kernel_check_tables(hf, j / 2.0, 0.0, &c0, &d0);
            assert_true(wrong0 > 0);
        }
        hopfield_free(hf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heat_bath_default),
        cmocka_unit_test(test_heat_bath_cold),
        cmocka_unit_test(test_metropolis_hebbian),
        cmocka_unit_test(test_asymmetry),
        cmocka_unit_test(test_tables_margin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
