/* assert_close(a, b, tol): a cmocka assertion that |a - b| <= tol, printing
 * both values to full precision when it fails (cmocka 1.1's assert_float_equal
 * rounds to float); NaN fails.  Include after <cmocka.h>. */
#ifndef THERMOLEARN_TEST_ASSERT_CLOSE_H
#define THERMOLEARN_TEST_ASSERT_CLOSE_H

#include <math.h>

#define assert_close(a, b, tol) close_or_fail((a), (b), (tol), #a, __FILE__, __LINE__)

static inline void close_or_fail(double a, double b, double tol, const char *expr, const char *file, int line)
{
    if (fabs(a - b) <= tol) return;
    print_error("%s = %.17g, expected %.17g within %.3g\n", expr, a, b, tol);
    _fail(file, line);
}

#endif
