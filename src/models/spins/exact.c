/* The exact master equation of a small spin network: generator, steady state
 * (GSL: dense LU, or GMRES on the sparse generator), Schnakenberg entropy
 * production, magnetisations; and the 2-spin closed form of appendix C. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_spblas.h>
#include <gsl/gsl_splinalg.h>
#include <gsl/gsl_spmatrix.h>

#include "spins.h"
#include "thermolearn/error.h"
#include "thermolearn/status.h"

static int spin_of(uint64_t b, int i)
{
    return (b >> i) & 1 ? 1 : -1;
}

double spins_flip_rate(const spins *s, uint64_t b, int i)
{
    double h = s->x[i];
    for (int j = 0; j < s->n; j++) h += s->w[i * s->n + j] * spin_of(b, j);
    return s->rate * exp(-s->beta * spin_of(b, i) * h);
}

/* Rates k[b * n + i] of every flip. */
static double *all_rates(const spins *s)
{
    size_t S = (size_t)1 << s->n;
    double *k = tl_malloc(S * s->n * sizeof *k, "rates");
    for (uint64_t b = 0; b < S; b++)
        for (int i = 0; i < s->n; i++) k[b * s->n + i] = spins_flip_rate(s, b, i);
    return k;
}

/* R p = 0 with the last equation replaced by sum_b p(b) = 1: R[b'][b] = k(b -> b'). */
static int steady_dense(const spins *s, const double *k, double *p)
{
    size_t S = (size_t)1 << s->n;
    gsl_matrix *a = gsl_matrix_calloc(S, S);
    for (size_t b = 0; b < S; b++)
        for (int i = 0; i < s->n; i++) {
            double r = k[b * s->n + i];
            gsl_matrix_set(a, b ^ ((size_t)1 << i), b, gsl_matrix_get(a, b ^ ((size_t)1 << i), b) + r);
            gsl_matrix_set(a, b, b, gsl_matrix_get(a, b, b) - r);
        }
    for (size_t b = 0; b < S; b++) gsl_matrix_set(a, S - 1, b, 1.0);
    gsl_vector *rhs = gsl_vector_calloc(S);
    gsl_vector_set(rhs, S - 1, 1.0);
    gsl_permutation *perm = gsl_permutation_alloc(S);
    gsl_vector_view x = gsl_vector_view_array(p, S);
    int sign, status = gsl_linalg_LU_decomp(a, perm, &sign) || gsl_linalg_LU_solve(a, perm, rhs, &x.vector);
    gsl_permutation_free(perm);
    gsl_vector_free(rhs);
    gsl_matrix_free(a);
    return status ? TL_ERR_NUMERIC : TL_OK;
}

/* The same system by restarted GMRES on the sparse generator (2^n x (n+1) entries,
 * plus the dense normalisation row), scaled by the largest exit rate. */
static int steady_sparse(const spins *s, const double *k, double *p)
{
    size_t S = (size_t)1 << s->n;
    double scale = 0;
    for (size_t b = 0; b < S; b++) {
        double out = 0;
        for (int i = 0; i < s->n; i++) out += k[b * s->n + i];
        scale = fmax(scale, out);
    }
    gsl_spmatrix *t = gsl_spmatrix_alloc_nzmax(S, S, S * (s->n + 2), GSL_SPMATRIX_TRIPLET);
    for (size_t b = 0; b < S; b++) {
        double out = 0;
        for (int i = 0; i < s->n; i++) {
            size_t c = b ^ ((size_t)1 << i);
            out += k[b * s->n + i];
            if (c != S - 1) gsl_spmatrix_set(t, c, b, k[b * s->n + i] / scale);
        }
        if (b != S - 1) gsl_spmatrix_set(t, b, b, -out / scale);
        gsl_spmatrix_set(t, S - 1, b, 1.0);
    }
    gsl_spmatrix *a = gsl_spmatrix_compress(t, GSL_SPMATRIX_CSC);
    gsl_vector *rhs = gsl_vector_calloc(S);
    gsl_vector_set(rhs, S - 1, 1.0);
    gsl_vector_view x = gsl_vector_view_array(p, S);
    gsl_vector_set_all(&x.vector, 1.0 / S);
    gsl_splinalg_itersolve *w = gsl_splinalg_itersolve_alloc(gsl_splinalg_itersolve_gmres, S, 200);
    int status = GSL_CONTINUE;
    for (int iter = 0; iter < 2000 && status == GSL_CONTINUE; iter++)
        status = gsl_splinalg_itersolve_iterate(a, rhs, 1e-13, &x.vector, w);
    gsl_splinalg_itersolve_free(w);
    gsl_vector_free(rhs);
    gsl_spmatrix_free(a);
    gsl_spmatrix_free(t);
    return status == GSL_SUCCESS ? TL_OK : TL_ERR_NUMERIC;
}

int spins_steady_state(const spins *s, double *p)
{
    double *k = all_rates(s);
    int status = s->n <= SPINS_MAX_DENSE ? steady_dense(s, k, p) : steady_sparse(s, k, p);
    free(k);
    return status;
}

double spins_schnakenberg(const spins *s, const double *p)
{
    size_t S = (size_t)1 << s->n;
    double sigma = 0;
    for (size_t b = 0; b < S; b++)
        for (int i = 0; i < s->n; i++) {
            size_t c = b ^ ((size_t)1 << i);
            double forward = spins_flip_rate(s, b, i) * p[b], backward = spins_flip_rate(s, c, i) * p[c];
            if (forward > 0 && backward > 0) sigma += 0.5 * (forward - backward) * log(forward / backward);
        }
    return sigma;
}

double spins_medium_rate(const spins *s, const double *p)
{
    size_t S = (size_t)1 << s->n;
    double sigma = 0;
    for (size_t b = 0; b < S; b++)
        for (int i = 0; i < s->n; i++) {
            double kf = spins_flip_rate(s, b, i), kb = spins_flip_rate(s, b ^ ((size_t)1 << i), i);
            sigma += p[b] * kf * log(kf / kb);
        }
    return sigma;
}

void spins_ift_tail(const spins *s, const double *p, double *growth, double *max_weight)
{
    size_t S = (size_t)1 << s->n;
    *growth = 0, *max_weight = 1;
    for (size_t b = 0; b < S; b++)
        for (int i = 0; i < s->n; i++) {
            size_t c = b ^ ((size_t)1 << i);
            double forward = spins_flip_rate(s, b, i) * p[b], backward = spins_flip_rate(s, c, i) * p[c];
            if (!(forward > 0)) continue;
            *growth += backward * backward / forward - forward;
            *max_weight = fmax(*max_weight, backward / forward);
        }
}

void spins_exact(spins *s)
{
    size_t S = (size_t)1 << s->n;
    s->n_states = S;
    s->p = tl_malloc(S * sizeof *s->p, "steady state");
    if (spins_steady_state(s, s->p) != TL_OK) {
        tl_warning("spins: the steady state of %zu states did not converge; no exact values", S);
        free(s->p);
        s->p = NULL;
        return;
    }
    /* Round-off can leave -1e-17 where p is 0. */
    double total = 0;
    for (size_t b = 0; b < S; b++) total += s->p[b] = fmax(s->p[b], 0.0);
    s->cdf = tl_malloc(S * sizeof *s->cdf, "steady cdf");
    s->m_exact = tl_calloc((size_t)s->n, sizeof *s->m_exact, "magnetisation");
    double c = 0;
    for (size_t b = 0; b < S; b++) {
        s->p[b] /= total;
        s->cdf[b] = c += s->p[b];
        for (int i = 0; i < s->n; i++) s->m_exact[i] += s->p[b] * spin_of(b, i);
    }
    s->ep_rate_exact = spins_schnakenberg(s, s->p);
    spins_ift_tail(s, s->p, &s->ift_growth, &s->ift_max_weight);
}

/* p(s) = exp(-beta (F + dF)) / Z with F = -(x1 s1 + x2 s2 + js s1 s2) and
 * exp(-beta dF) = e^{beta ja s1 s2} cosh(beta (x1 - 2 ja s2)) + e^{-beta ja s1 s2} cosh(beta (x2 + 2 ja s1)),
 * up to the constant 1/(cosh beta x1 + cosh beta x2).  The paper's C2 has the
 * opposite sign of F and C3 has x2 - 2 ja s1: see docs/models/spins.md. */
void spins_two_spin_closed_form(double beta, double js, double ja, double x1, double x2, double p[4])
{
    double z = 0;
    for (int b = 0; b < 4; b++) {
        int s1 = spin_of((uint64_t)b, 0), s2 = spin_of((uint64_t)b, 1);
        double f = -(x1 * s1 + x2 * s2 + js * s1 * s2);
        double g = exp(beta * ja * s1 * s2) * cosh(beta * (x1 - 2 * ja * s2)) +
                   exp(-beta * ja * s1 * s2) * cosh(beta * (x2 + 2 * ja * s1));
        z += p[b] = exp(-beta * f) * g;
    }
    for (int b = 0; b < 4; b++) p[b] /= z;
}
