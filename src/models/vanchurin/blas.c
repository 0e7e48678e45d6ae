/* OpenBLAS for the vanchurin model, one thread per rank.
 *
 * GSL's CBLAS (-lgslcblas) precedes OpenBLAS on the link line, so cblas_dgemm
 * in this binary is GSL's reference loop.  OpenBLAS's Fortran entry points
 * (dgemm_) exist in no other library we link, so they reach OpenBLAS's
 * kernels whatever the link order; a row-major product is the column-major
 * product of the transposes.
 */
#include <stddef.h>

#include "vanchurin.h"

void dgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b, const int *ldb,
            const double *beta, double *c, const int *ldc);
void openblas_set_num_threads(int threads);

void vanchurin_blas_init(void)
{
    /* One thread: a trajectory's arithmetic (and so its output) must not
     * depend on how many cores OpenBLAS finds or shares with other ranks. */
    openblas_set_num_threads(1);
}

void vanchurin_dgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, double alpha,
                     const double *a, size_t lda, const double *b, size_t ldb, double beta, double *c,
                     size_t ldc)
{
    if (m == 0 || n == 0) return;
    /* C^T (n x m, column-major = C row-major) = op(B)^T op(A)^T */
    const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
    const int im = (int)m, in = (int)n, ik = (int)k, ia = (int)lda, ib = (int)ldb, ic = (int)ldc;
    dgemm_(&tb, &ta, &in, &im, &ik, &alpha, b, &ib, a, &ia, &beta, c, &ic);
}
