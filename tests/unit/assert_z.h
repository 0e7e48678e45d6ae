/* Statistical assertions for the unit tests: a sample mean against an exact
 * value, in standard errors.  Include after <cmocka.h>.
 *
 *   tl_moments m = empty;  add(&m, x) for every sample;
 *   assert_z(&m, exact, Z_TOL, "what");           one test at 3 standard errors
 *   assert_z(&m, exact, family_tol(k), "what");   one of k tests (union bound)
 */
#ifndef THERMOLEARN_TEST_ASSERT_Z_H
#define THERMOLEARN_TEST_ASSERT_Z_H

#include <math.h>
#include <gsl/gsl_cdf.h>

#include "thermolearn/moments.h"

#define Z_TOL 3.0

/* The |z| bound for each of k tests whose union has the false-alarm rate of
 * one two-sided 3-sigma test (Bonferroni). */
static inline double family_tol(int k)
{
    return gsl_cdf_ugaussian_Qinv(2 * gsl_cdf_ugaussian_Q(Z_TOL) / (2 * k));
}

static const tl_moments empty = {0, 0, 0, INFINITY, -INFINITY};

static inline void add(tl_moments *m, double x)
{
    *m = tl_moments_merge(*m, tl_moments_of(&x, 1));
}

/* The standard error of the mean. */
static inline double se_of(const tl_moments *m)
{
    return sqrt(tl_moments_variance(m) / m->n);
}

/* The distance of the mean from `exact` in standard errors; a sample with no
 * spread is 0 away if it equals the exact value, infinitely far if not. */
static inline double z_of(const tl_moments *m, double exact)
{
    double se = se_of(m);
    return se > 0 ? (m->mean - exact) / se : (m->mean == exact ? 0 : INFINITY);
}

#define assert_z(m, exact, tol, what)                                                                          \
    do {                                                                                                       \
        double z_ = z_of((m), (exact));                                                                        \
        if (!(fabs(z_) <= (tol))) {                                                                            \
            print_error("%s = %.6g, exact %.6g: %.2f standard errors\n", (what), (m)->mean, (double)(exact), z_); \
            fail();                                                                                            \
        }                                                                                                      \
    } while (0)

#endif
