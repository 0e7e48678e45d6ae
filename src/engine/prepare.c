/* Staged preparation of grid points; see prepare.h. */
#include <stdlib.h>
#include <string.h>

#include "thermolearn/error.h"
#include "thermolearn/prepare.h"

/* Leaders by prepare_key: a point whose key an earlier point has shares that
 * point's chain (quadratic in the points with stages: a few thousand at most). */
static void find_leaders(tl_prepare *pr, const tl_config *cfg)
{
    size_t P = pr->n_points;
    char **keys = tl_calloc(P + 1, sizeof *keys, "preparation keys");
    for (size_t p = 0; p < P; p++) {
        pr->leader[p] = p;
        if (!pr->model->prepare_key || !pr->stages[p]) continue;
        tl_point pt;
        tl_config_point(cfg, p, &pt);
        keys[p] = pr->model->prepare_key(&pt);
        tl_config_point_free(&pt);
        for (size_t q = 0; q < p; q++)
            if (keys[q] && strcmp(keys[q], keys[p]) == 0) {
                pr->leader[p] = q;
                pr->stages[p] = 0; /* q's chain does the work */
                break;
            }
    }
    for (size_t p = 0; p < P; p++) free(keys[p]);
    free(keys);
}

void tl_prepare_init(tl_prepare *pr, const tl_config *cfg)
{
    *pr = (tl_prepare){.model = cfg->model, .n_points = cfg->grid.n_points};
    const tl_model_type *m = cfg->model;
    if (!m->prepare_stages) return;
    if (!m->prepare_size || !m->prepare_stage || !m->prepare_finish)
        error("model %s: prepare_stages without prepare_size, prepare_stage and prepare_finish", m->name);
    size_t P = pr->n_points;
    pr->stages = tl_calloc(P + 1, sizeof *pr->stages, "preparation stages");
    pr->done = tl_calloc(P + 1, sizeof *pr->done, "preparation stages");
    pr->leader = tl_calloc(P + 1, sizeof *pr->leader, "preparation chains");
    pr->offset = tl_calloc(P + 1, sizeof *pr->offset, "preparation blobs");
    pr->size = tl_calloc(P + 1, sizeof *pr->size, "preparation blobs");
    for (size_t p = 0; p < P; p++) {
        tl_point pt;
        tl_config_point(cfg, p, &pt);
        pr->stages[p] = cfg->model->prepare_stages(&pt);
        if (pr->stages[p]) pr->size[p] = cfg->model->prepare_size(&pt);
        tl_config_point_free(&pt);
    }
    find_leaders(pr, cfg);
    for (size_t p = 0; p < P; p++) {
        if (!pr->stages[p]) pr->size[p] = 0;
        pr->offset[p] = pr->total;
        pr->total += pr->size[p];
        pr->all_stages += pr->stages[p];
    }
    pr->blob = tl_calloc(pr->total + 1, sizeof *pr->blob, "preparation blobs");
}

void tl_prepare_free(tl_prepare *pr)
{
    free(pr->stages), free(pr->done), free(pr->leader), free(pr->offset), free(pr->size), free(pr->blob);
    *pr = (tl_prepare){0};
}

uint64_t tl_prepare_done(const tl_prepare *pr)
{
    uint64_t done = 0;
    for (size_t p = 0; pr->done && p < pr->n_points; p++) done += pr->done[p];
    return done;
}

size_t tl_prepare_pending(const tl_prepare *pr, size_t *points)
{
    size_t n = 0;
    for (size_t p = 0; pr->stages && p < pr->n_points; p++)
        if (pr->done[p] < pr->stages[p]) points[n++] = p;
    return n;
}

void tl_prepare_run_stage(tl_prepare *pr, const tl_config *cfg, size_t p)
{
    tl_point pt;
    tl_config_point(cfg, p, &pt);
    void *state = pr->model->point_alloc(&pt);
    tl_config_point_free(&pt);
    pr->model->prepare_stage(state, (size_t)pr->done[p], pr->blob + pr->offset[p]);
    pr->model->point_free(state);
}

void tl_prepare_share(tl_prepare *pr, const size_t *points, const int *ran, size_t n, MPI_Comm comm)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int *owner = tl_malloc((n + 1) * sizeof *owner, "preparation owners");
    for (size_t k = 0; k < n; k++) owner[k] = ran[k] ? rank : -1;
    MPI_Allreduce(MPI_IN_PLACE, owner, (int)n, MPI_INT, MPI_MAX, comm);
    for (size_t k = 0; k < n; k++) {
        if (owner[k] < 0) continue; /* a stop came first: the stage runs in the next round */
        size_t p = points[k];
        MPI_Bcast(pr->blob + pr->offset[p], (int)pr->size[p], MPI_DOUBLE, owner[k], comm);
        pr->done[p]++;
    }
    free(owner);
}

void tl_prepare_bcast(tl_prepare *pr, MPI_Comm comm)
{
    if (!pr->stages) return;
    MPI_Bcast(pr->done, (int)pr->n_points, MPI_UINT64_T, 0, comm);
    for (size_t at = 0; at < pr->total; at += 1 << 26) {
        size_t n = pr->total - at < (1 << 26) ? pr->total - at : 1 << 26;
        MPI_Bcast(pr->blob + at, (int)n, MPI_DOUBLE, 0, comm);
    }
}
