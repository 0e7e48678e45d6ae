/* `thermolearn run`: schedule, simulate, reduce, write, estimate. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "thermolearn/crooks.h"
#include "thermolearn/ensemble.h"
#include "thermolearn/error.h"
#include "thermolearn/output.h"
#include "thermolearn/run.h"
#include "thermolearn/scheduler.h"
#include "thermolearn/status.h"

#define PATH_LEN 4096

/* ---- phases of units ------------------------------------------------------------ */

typedef struct {
    tl_ensemble *en;
    int pilot;      /* units are the first block of every (point, direction) */
    int skip_first; /* units are every block but the first */
} phase;

static void run_phase_unit(uint64_t k, void *context)
{
    phase *ph = context;
    uint64_t nb = ph->en->n_blocks, unit = k;
    if (ph->pilot) unit = k * nb;
    else if (ph->skip_first) unit = (k / (nb - 1)) * nb + 1 + k % (nb - 1);
    tl_ensemble_run_unit(ph->en, unit);
}

static void simulate_all(tl_ensemble *en, MPI_Comm comm)
{
    uint64_t pds = (uint64_t)en->n_points * en->n_directions;
    if (en->cfg->histogram.range_auto) {
        phase pilot = {en, 1, 0};
        tl_scheduler_run(pds, run_phase_unit, &pilot, comm);
        tl_ensemble_set_ranges(en, comm);
        phase rest = {en, 0, 1};
        if (en->n_blocks > 1) tl_scheduler_run(pds * (en->n_blocks - 1), run_phase_unit, &rest, comm);
    } else {
        phase all = {en, 0, 0};
        tl_scheduler_run(pds * en->n_blocks, run_phase_unit, &all, comm);
    }
}

/* ---- writing ----------------------------------------------------------------------- */

static void write_root_attributes(tl_output *out, const tl_config *cfg, int n_ranks, MPI_Comm comm)
{
    char created[64] = "";
    if (out->rank == 0) {
        time_t now = time(NULL);
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    }
    MPI_Bcast(created, sizeof created, MPI_CHAR, 0, comm);
    tl_output_attr_string(out, "/", "program", "thermolearn");
    tl_output_attr_string(out, "/", "version", TL_VERSION);
    tl_output_attr_string(out, "/", "git_commit", TL_GIT_COMMIT);
    tl_output_attr_string(out, "/", "input", cfg->input_text);
    tl_output_attr_string(out, "/", "input_file", cfg->input_path);
    tl_output_attr_uint64(out, "/", "seed", cfg->seed);
    tl_output_attr_uint64(out, "/", "n_ranks", (unsigned long long)n_ranks);
    tl_output_attr_string(out, "/", "created", created);
    tl_output_attr_string(out, "/", "model", cfg->model->name);
    tl_output_attr_string(out, "/", "model_description", cfg->model->description);
    tl_output_attr_string(out, "/", "units",
                          "k_B = 1: energies (work, heat, free energies) in the model's energy unit, "
                          "beta in 1/energy, entropies in units of k_B");
    tl_output_attr_uint64(out, "/", "n_points", cfg->grid.n_points);
    tl_output_attr_uint64(out, "/", "trajectories", cfg->trajectories);
}

static void write_parameters(tl_output *out, const tl_config *cfg)
{
    size_t P = cfg->grid.n_points;
    double *v = tl_malloc(P * sizeof *v, "parameter values");
    hsize_t dims[1] = {P};
    for (size_t k = 0; k < cfg->n_params; k++) {
        const tl_param_spec *spec = &cfg->specs[k];
        if (spec->kind != TL_PARAM_REAL && spec->kind != TL_PARAM_INT) continue;
        for (size_t p = 0; p < P; p++) {
            tl_point pt;
            tl_config_point(cfg, p, &pt);
            v[p] = pt.values[k];
            tl_config_point_free(&pt);
        }
        char path[256];
        snprintf(path, sizeof path, "/parameters/%s", spec->name);
        tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, v, spec->description,
                        spec->units);
    }
    free(v);
    /* Choices and strings are one value for the whole grid: attributes. */
    tl_point pt;
    tl_config_point(cfg, 0, &pt);
    for (size_t k = 0; k < cfg->n_params; k++)
        if (cfg->specs[k].kind == TL_PARAM_CHOICE || cfg->specs[k].kind == TL_PARAM_STRING)
            tl_output_attr_string(out, "/parameters", cfg->specs[k].name, pt.strings[k] ? pt.strings[k] : "");
    tl_config_point_free(&pt);
    const char *axes[cfg->grid.n_axes + 1];
    for (size_t a = 0; a < cfg->grid.n_axes; a++) axes[a] = cfg->grid.axes[a].name;
    tl_output_attr_strings(out, "/parameters", "axes", axes, cfg->grid.n_axes);
}

/* Moments of observable o over all trajectories of (p, d), merged in block
 * order: the same sums for any number of ranks (valid on rank 0 after the
 * block moments are reduced). */
static tl_moments merged_moments(const tl_ensemble *en, size_t p, size_t d, size_t o)
{
    size_t slot = tl_ensemble_slot(en, p, d, o);
    tl_moments m = {0, 0, 0, INFINITY, -INFINITY};
    for (size_t k = 0; k < en->n_blocks; k++) m = tl_moments_merge(m, en->blocks[slot * en->n_blocks + k]);
    return m;
}

/* Sum a per-rank array into rank 0 (exact: each entry has one contributor). */
static void reduce_to_root(void *data, size_t n, MPI_Datatype type, MPI_Comm comm, int rank)
{
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : data, data, (int)n, type, MPI_SUM, 0, comm);
}

static void write_histograms(tl_output *out, tl_ensemble *en, size_t d, size_t o, MPI_Comm comm)
{
    size_t P = en->n_points, bins = en->bins;
    uint64_t *counts = tl_malloc(P * bins * sizeof *counts, "counts");
    double *edges = tl_malloc(P * (bins + 1) * sizeof *edges, "edges");
    uint64_t *outliers = tl_malloc(P * 2 * sizeof *outliers, "outliers");
    double *moments = tl_malloc(P * 4 * sizeof *moments, "moments");
    for (size_t p = 0; p < P; p++) {
        size_t slot = tl_ensemble_slot(en, p, d, o);
        const gsl_histogram *h = en->hist[slot];
        for (size_t b = 0; b < bins; b++) counts[p * bins + b] = (uint64_t)h->bin[b];
        memcpy(edges + p * (bins + 1), h->range, (bins + 1) * sizeof *edges);
        memcpy(outliers + 2 * p, en->outliers + 2 * slot, 2 * sizeof *outliers);
        tl_moments m = merged_moments(en, p, d, o);
        double row[4] = {m.mean, tl_moments_variance(&m), m.min, m.max};
        memcpy(moments + 4 * p, row, sizeof row);
    }
    int rank = out->rank;
    reduce_to_root(counts, P * bins, MPI_UINT64_T, comm, rank);
    reduce_to_root(outliers, P * 2, MPI_UINT64_T, comm, rank);

    const tl_observable *obs = &en->model->observables[o];
    const char *dir = en->directions[d];
    char path[256], what[512];
    hsize_t dc[2] = {P, bins}, de[2] = {P, bins + 1}, dm[2] = {P, 4}, dout[2] = {P, 2};
    snprintf(path, sizeof path, "/%s/%s/counts", obs->name, dir);
    snprintf(what, sizeof what, "histogram of the %s (%s process): trajectories per bin [point, bin]; %s",
             obs->name, dir, obs->description);
    tl_output_write(out, path, H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, dc, counts, what, "1");
    snprintf(path, sizeof path, "/%s/%s/edges", obs->name, dir);
    snprintf(what, sizeof what, "bin edges of %s/%s/counts [point, bins+1]%s", obs->name, dir,
             d == 1 ? "; mirrored: bin bins-1-b holds minus the values of forward bin b" : "");
    tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, de, edges, what, obs->units);
    snprintf(path, sizeof path, "/%s/%s/outliers", obs->name, dir);
    tl_output_write(out, path, H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, dout, outliers,
                    "trajectories below the first and above the last edge [point, (below, above)]", "1");
    snprintf(path, sizeof path, "/%s/%s/moments", obs->name, dir);
    snprintf(what, sizeof what, "mean, unbiased variance, minimum and maximum of the %s over all trajectories [point, 4]",
             obs->name);
    tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dm, moments, what, obs->units);
    free(counts), free(edges), free(outliers), free(moments);
}

static int by_unit(const void *a, const void *b)
{
    uint64_t x = ((const tl_record *)a)->unit, y = ((const tl_record *)b)->unit;
    return (x > y) - (x < y);
}

static void write_samples(tl_output *out, tl_ensemble *en, size_t d, size_t o)
{
    size_t n = 0, total = 0;
    for (size_t r = 0; r < en->n_records; r++) total += en->records[r].stored;
    hsize_t (*pieces)[3] = tl_malloc((en->n_records + 1) * sizeof *pieces, "sample pieces");
    double *data = tl_malloc((total + 1) * sizeof *data, "samples");
    size_t at = 0;
    for (size_t r = 0; r < en->n_records; r++) {
        const tl_record *rec = &en->records[r];
        size_t pd = rec->unit / en->n_blocks, block = rec->unit % en->n_blocks;
        if (pd % en->n_directions != d) continue;
        pieces[n][0] = pd / en->n_directions;
        pieces[n][1] = block * TL_BATCH;
        pieces[n][2] = rec->stored;
        memcpy(data + at, rec->values + o * rec->count, rec->stored * sizeof *data);
        at += rec->stored;
        n++;
    }
    const tl_observable *obs = &en->model->observables[o];
    char path[256], what[512];
    snprintf(path, sizeof path, "/%s/%s/samples", obs->name, en->directions[d]);
    snprintf(what, sizeof what, "%s of every trajectory (%s process) [point, trajectory]; %s", obs->name,
             en->directions[d], obs->description);
    hsize_t dims[2] = {en->n_points, en->cfg->histogram.n_samples};
    tl_output_write_pieces(out, path, dims, n, (const hsize_t(*)[3])pieces, data, what, obs->units);
    free(pieces);
    free(data);
}

/* Derived extras, on rank 0, from the merged moments of every observable. */
static void summarize(tl_ensemble *en, size_t e, int rank)
{
    if (rank != 0) return;
    size_t n = en->n_directions * en->n_observables;
    tl_moments *m = tl_malloc(n * sizeof *m, "moments");
    tl_extra_buffer *buf = &en->extras[e];
    for (size_t p = 0; p < en->n_points; p++) {
        for (size_t k = 0; k < n; k++) m[k] = merged_moments(en, p, k / en->n_observables, k % en->n_observables);
        en->model->summarize(tl_ensemble_point_state(en, p), m, e, buf->dims, buf->values + p * buf->size);
    }
    free(m);
}

static void write_extras(tl_output *out, tl_ensemble *en, MPI_Comm comm)
{
    for (size_t e = 0; e < en->model->n_extras; e++) {
        const tl_extra *x = &en->model->extras[e];
        tl_extra_buffer *buf = &en->extras[e];
        if (x->derived) summarize(en, e, out->rank);
        else reduce_to_root(buf->values, en->n_points * buf->size, MPI_DOUBLE, comm, out->rank);
        hsize_t dims[TL_MAX_EXTRA_RANK + 1] = {en->n_points};
        for (int r = 0; r < buf->rank; r++) dims[r + 1] = buf->dims[r];
        char path[256];
        snprintf(path, sizeof path, "/%s/%s", en->model->name, x->name);
        hid_t type = x->type == TL_EXTRA_INT8 ? H5T_STD_I8LE : H5T_IEEE_F64LE;
        tl_output_write(out, path, type, H5T_NATIVE_DOUBLE, buf->rank + 1, dims, buf->values,
                        x->description, x->units);
    }
}

/* ---- estimates ------------------------------------------------------------------------ */

/* Samples of observable o at point p in direction d, summed into rank 0. */
static void gather_samples(const tl_ensemble *en, size_t p, size_t d, size_t o, double *x, MPI_Comm comm,
                           int rank)
{
    size_t n = en->cfg->histogram.n_samples;
    memset(x, 0, n * sizeof *x);
    for (size_t r = 0; r < en->n_records; r++) {
        const tl_record *rec = &en->records[r];
        size_t pd = rec->unit / en->n_blocks;
        if (pd != p * en->n_directions + d) continue;
        memcpy(x + (rec->unit % en->n_blocks) * TL_BATCH, rec->values + o * rec->count, rec->stored * sizeof *x);
    }
    reduce_to_root(x, n, MPI_DOUBLE, comm, rank);
}

static void work_data(const tl_ensemble *en, size_t p, size_t d, size_t o, const double *samples,
                      uint64_t *counts, tl_work_data *w)
{
    const gsl_histogram *h = en->hist[tl_ensemble_slot(en, p, d, o)];
    for (size_t b = 0; b < en->bins; b++) counts[b] = (uint64_t)h->bin[b];
    tl_moments m = merged_moments(en, p, d, o);
    *w = (tl_work_data){samples, en->cfg->histogram.n_samples, counts, h->range, m.mean, tl_moments_variance(&m)};
}

static const char *const estimate_names[7][2] = {
    {"delta_f_bar", "Bennett acceptance ratio estimate of dF = F(lambda=1) - F(lambda=0)"},
    {"delta_f_bar_err", "asymptotic standard error of delta_f_bar (NaN: the work distributions do not overlap)"},
    {"delta_f_crossing", "W at which P_F(W) = P_R(-W): fixed-slope fit of ln P_F/P_R = beta (W - dF) over shared bins"},
    {"delta_f_jarzynski_forward", "-T ln <exp(-beta W)>_F"},
    {"delta_f_jarzynski_reverse", "T ln <exp(-beta W_R)>_R"},
    {"delta_f_gaussian", "second-cumulant estimate <W>_F - beta var(W)_F / 2"},
    {"overlap", "overlap coefficient sum_b min(p_F, p_R(-W)) of the work histograms, 0 to 1"},
};

/* Crooks estimates of every point from the work (observable 0) on rank 0:
 * samples and histogram counts are summed into rank 0 point by point. */
static void write_estimates(tl_output *out, tl_ensemble *en, size_t o, MPI_Comm comm)
{
    size_t P = en->n_points, T = en->cfg->histogram.n_samples + 1, bins = en->bins;
    double *est = tl_malloc(7 * P * sizeof *est, "estimates");
    double *wf = tl_malloc(T * sizeof *wf, "work"), *wr = tl_malloc(T * sizeof *wr, "work");
    uint64_t *cf = tl_malloc(bins * sizeof *cf, "counts"), *cr = tl_malloc(bins * sizeof *cr, "counts");
    int store = en->cfg->histogram.n_samples > 0;
    for (size_t p = 0; p < P; p++) {
        if (store) {
            gather_samples(en, p, 0, o, wf, comm, out->rank);
            gather_samples(en, p, 1, o, wr, comm, out->rank);
        }
        tl_work_data f, r;
        work_data(en, p, 0, o, store ? wf : NULL, cf, &f);
        work_data(en, p, 1, o, store ? wr : NULL, cr, &r);
        reduce_to_root(cf, bins, MPI_UINT64_T, comm, out->rank);
        reduce_to_root(cr, bins, MPI_UINT64_T, comm, out->rank);
        if (out->rank != 0) continue;
        tl_point pt;
        tl_config_point(en->cfg, p, &pt);
        double beta = tl_point_real(&pt, "beta");
        tl_config_point_free(&pt);
        tl_crooks_estimates e;
        tl_crooks_estimate(&f, &r, bins, beta, &e);
        double row[7] = {e.bar, e.bar_err, e.crossing, e.jarzynski_forward, e.jarzynski_reverse, e.gaussian, e.overlap};
        for (size_t k = 0; k < 7; k++) est[k * P + p] = row[k];
    }
    hsize_t dims[1] = {P};
    for (size_t k = 0; k < 7; k++) {
        char path[128];
        snprintf(path, sizeof path, "/estimates/%s", estimate_names[k][0]);
        tl_output_write(out, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, est + k * P,
                        estimate_names[k][1], k == 6 ? "1" : "energy");
    }
    free(est), free(wf), free(wr), free(cf), free(cr);
}

static void write_all(tl_output *out, tl_ensemble *en, int n_ranks, MPI_Comm comm)
{
    write_root_attributes(out, en->cfg, n_ranks, comm);
    write_parameters(out, en->cfg);
    qsort(en->records, en->n_records, sizeof *en->records, by_unit);
    reduce_to_root(en->blocks, 5 * en->n_points * en->n_directions * en->n_observables * en->n_blocks,
                   MPI_DOUBLE, comm, out->rank);
    for (size_t o = 0; o < en->n_observables; o++)
        for (size_t d = 0; d < en->n_directions; d++) {
            if (en->cfg->histogram.n_samples > 0) write_samples(out, en, d, o);
            write_histograms(out, en, d, o, comm);
        }
    write_extras(out, en, comm);
    for (size_t o = 0; o < en->n_observables; o++)
        if (en->n_directions == 2 && strcmp(en->model->observables[o].name, "work") == 0)
            write_estimates(out, en, o, comm);
}

/* ---- the output file: checked before any simulation, renamed at the end ------------ */

static int check_output(const char *path, int force, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(why, len, "output %s is a directory", path);
            return TL_ERR_INPUT;
        }
        if (!force) {
            snprintf(why, len, "output %s exists: give --force to overwrite it", path);
            return TL_ERR_INPUT;
        }
    }
    return TL_OK;
}

int tl_run(tl_config *cfg, const tl_run_options *opt)
{
    MPI_Comm comm = MPI_COMM_WORLD;
    int rank, n_ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n_ranks);
    const char *final = opt->output ? opt->output : cfg->output;
    char why[PATH_LEN + 256] = "", partial[PATH_LEN + 64];
    int status = TL_OK;
    if (rank == 0) status = check_output(final, opt->force, why, sizeof why);
    snprintf(partial, sizeof partial, "%s.partial", final);
    MPI_Bcast(&status, 1, MPI_INT, 0, comm);
    if (status) {
        tl_message("thermolearn: %s", why);
        return status;
    }
    tl_output out;
    if (tl_output_create(&out, partial, comm)) {
        tl_message("thermolearn: cannot create output %s (does the directory exist and is it writable?)", final);
        return TL_ERR_IO;
    }
    double t0 = MPI_Wtime();
    tl_ensemble en;
    tl_ensemble_init(&en, cfg);
    if (!opt->quiet)
        tl_message("thermolearn: model %s, %zu grid point(s) x %llu trajectories x %zu direction(s) on %d rank(s)",
                   cfg->model->name, cfg->grid.n_points, (unsigned long long)cfg->trajectories,
                   en.n_directions, n_ranks);
    simulate_all(&en, comm);
    write_all(&out, &en, n_ranks, comm);
    tl_ensemble_free(&en);
    tl_output_close(&out);
    if (rank == 0 && rename(partial, final) != 0) {
        tl_message("thermolearn: cannot rename %s to %s: %s", partial, final, strerror(errno));
        status = TL_ERR_IO;
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, comm);
    if (!status && !opt->quiet) tl_message("thermolearn: wrote %s in %.2f s", final, MPI_Wtime() - t0);
    return status;
}
