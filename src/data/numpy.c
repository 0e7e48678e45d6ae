/* numpy's and scipy's floating-point procedures (numpy.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numpy.h"
#include "thermolearn/error.h"

/* numpy's pairwise summation (pairwise_sum in loops_utils.h): sequential below
 * 8 values, 8 accumulators up to 128, halves (at a multiple of 8) above. */
double tl_np_pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) s += a[i];
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (int k = 0; k < 8; k++) r[k] = a[k];
        size_t i;
        for (i = 8; i < n - n % 8; i += 8)
            for (int k = 0; k < 8; k++) r[k] += a[i + k];
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += a[i];
        return s;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return tl_np_pairwise_sum(a, n2) + tl_np_pairwise_sum(a + n2, n - n2);
}

/* numpy mean and population std (ddof 0): sum / n; sqrt(sum((x - mean)^2) / n). */
void tl_np_mean_std(const double *a, size_t n, double *mean, double *std)
{
    double mu = tl_np_pairwise_sum(a, n) / (double)n;
    double *d = tl_malloc(n * sizeof *d, "deviations");
    for (size_t i = 0; i < n; i++) {
        double v = a[i] - mu;
        d[i] = v * v;
    }
    *mean = mu;
    *std = sqrt(tl_np_pairwise_sum(d, n) / (double)n);
    free(d);
}

/* numpy.tl_np_linspace(a, b, n) with the endpoint. */
void tl_np_linspace(double a, double b, size_t n, double *out)
{
    double step = (b - a) / (double)(n - 1);
    for (size_t i = 0; i < n; i++) out[i] = (double)i * step + a;
    out[n - 1] = b;
}

/* numpy.tl_np_interp(x, xp, fp) for increasing xp and x (as every call here is). */
void tl_np_interp(const double *x, size_t nx, const double *xp, const double *fp, size_t np, double *out)
{
    size_t j = 0;
    for (size_t i = 0; i < nx; i++) {
        double v = x[i];
        if (v < xp[0]) {
            out[i] = fp[0];
            continue;
        }
        if (v >= xp[np - 1]) {
            out[i] = fp[np - 1];
            continue;
        }
        while (j + 1 < np && xp[j + 1] <= v) j++;
        while (j > 0 && xp[j] > v) j--;
        if (v == xp[j]) out[i] = fp[j];
        else {
            double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
            out[i] = slope * (v - xp[j]) + fp[j];
        }
    }
}

/* scipy.ndimage.gaussian_filter weights for sigma 2 (truncate 4): w[j] for
 * offset j = 0..8, exp(-j^2/8) over numpy's pairwise sum of the 17. */
void tl_np_gaussian_weights(double w[TL_NP_GAUSS_RADIUS + 1])
{
    double phi[2 * TL_NP_GAUSS_RADIUS + 1];
    for (int j = -TL_NP_GAUSS_RADIUS; j <= TL_NP_GAUSS_RADIUS; j++) phi[j + TL_NP_GAUSS_RADIUS] = exp(-0.125 * (double)(j * j));
    double sum = tl_np_pairwise_sum(phi, 2 * TL_NP_GAUSS_RADIUS + 1);
    for (int j = 0; j <= TL_NP_GAUSS_RADIUS; j++) w[j] = phi[j + TL_NP_GAUSS_RADIUS] / sum;
}

/* scipy's correlate1d, symmetric kernel, mode 'reflect' (half-sample
 * symmetric: x[-1] = x[0], x[n] = x[n-1]); needs n > TL_NP_GAUSS_RADIUS. */
void tl_np_gaussian_filter(const double *x, size_t n, const double w[TL_NP_GAUSS_RADIUS + 1], double *ext, double *out)
{
    /* ext: n + 2 TL_NP_GAUSS_RADIUS values, x with its reflections */
    for (int i = 0; i < TL_NP_GAUSS_RADIUS; i++) {
        ext[TL_NP_GAUSS_RADIUS - 1 - i] = x[i];
        ext[TL_NP_GAUSS_RADIUS + n + (size_t)i] = x[n - 1 - (size_t)i];
    }
    memcpy(ext + TL_NP_GAUSS_RADIUS, x, n * sizeof *x);
    const double *c = ext + TL_NP_GAUSS_RADIUS;
    for (size_t l = 0; l < n; l++) {
        double s = c[l] * w[0];
        for (int j = TL_NP_GAUSS_RADIUS; j >= 1; j--) s += (c[(ptrdiff_t)l - j] + c[l + (size_t)j]) * w[j];
        out[l] = s;
    }
}

