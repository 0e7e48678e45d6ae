/* Mergeable moments; see moments.h. */
#include <math.h>

#include "thermolearn/moments.h"

tl_moments tl_moments_of(const double *x, size_t n)
{
    tl_moments m = {0, 0, 0, INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        m.n += 1;
        double d = x[i] - m.mean;
        m.mean += d / m.n;
        m.m2 += d * (x[i] - m.mean);
        m.min = fmin(m.min, x[i]);
        m.max = fmax(m.max, x[i]);
    }
    return m;
}

tl_moments tl_moments_merge(tl_moments a, tl_moments b)
{
    if (a.n == 0) return b;
    if (b.n == 0) return a;
    tl_moments m;
    m.n = a.n + b.n;
    double d = b.mean - a.mean;
    m.mean = a.mean + d * (b.n / m.n);
    m.m2 = a.m2 + b.m2 + d * d * (a.n * b.n / m.n);
    m.min = fmin(a.min, b.min);
    m.max = fmax(a.max, b.max);
    return m;
}

double tl_moments_variance(const tl_moments *m)
{
    return m->n > 1 ? m->m2 / (m->n - 1) : NAN;
}
