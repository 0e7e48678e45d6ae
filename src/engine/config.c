/* Parsing and checking of input files (inih for the INI syntax). */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/config.h"
#include "thermolearn/error.h"
#include "thermolearn/sha256.h"
#include "thermolearn/status.h"

/* ---- the raw INI entries, with line numbers ---------------------------- */

typedef struct {
    char *section, *key, *value;
    int line;
} entry;

typedef struct {
    const char *text; /* where the reader is */
    int line;         /* lines handed to inih so far */
    int too_long;     /* the line number of a line longer than inih's buffer */
    entry *entries;
    size_t n;
    const char *path;
    char *why;
    size_t why_len;
    int failed;
} ini_state;

/* inih's line reader over a string; counting lines here gives every key its
 * line number (Debian's inih is built without INI_HANDLER_LINENO). */
static char *read_line(char *str, int num, void *stream)
{
    ini_state *s = stream;
    if (*s->text == '\0' || s->too_long) return NULL;
    size_t len = strcspn(s->text, "\n");
    s->line++;
    if (len + 1 >= (size_t)num) {
        /* A long comment is dropped; a long setting cannot be read whole. */
        const char *c = s->text + strspn(s->text, " \t");
        if (*c != '#' && *c != ';') {
            s->too_long = s->line;
            return NULL;
        }
        len = 0;
        str[0] = '\0';
    } else {
        memcpy(str, s->text, len);
        str[len] = '\0';
    }
    s->text += strcspn(s->text, "\n");
    if (*s->text == '\n') s->text++;
    return str;
}

static int store_entry(void *user, const char *section, const char *key, const char *value)
{
    ini_state *s = user;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->entries[i].section, section) == 0 && strcmp(s->entries[i].key, key) == 0) {
            snprintf(s->why, s->why_len, "%s:%d: [%s] %s: key given twice (first on line %d)",
                     s->path, s->line, section, key, s->entries[i].line);
            s->failed = 1;
            return 0;
        }
    }
    s->entries = realloc(s->entries, (s->n + 1) * sizeof *s->entries);
    if (!s->entries) error("cannot grow the input entries");
    s->entries[s->n++] = (entry){strdup(section), strdup(key), strdup(value), s->line};
    return 1;
}

static void free_entries(ini_state *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->entries[i].section);
        free(s->entries[i].key);
        free(s->entries[i].value);
    }
    free(s->entries);
}

/* ---- messages ---------------------------------------------------------- */

typedef struct {
    const char *path;
    char *why;
    size_t len;
} reporter;

static int fail_at(const reporter *r, const entry *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(const reporter *r, const entry *e, const char *fmt, ...)
{
    int n = e ? snprintf(r->why, r->len, "%s:%d: [%s] %s: ", r->path, e->line, e->section, e->key)
              : snprintf(r->why, r->len, "%s: ", r->path);
    if (n < 0 || (size_t)n >= r->len) return TL_ERR_INPUT;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why + n, r->len - (size_t)n, fmt, ap);
    va_end(ap);
    return TL_ERR_INPUT;
}

/* ---- sections ------------------------------------------------------------ */

static const tl_param_spec thermal_specs[2] = {
    {"beta", TL_PARAM_REAL, NULL, 0, INFINITY, 1, NULL, "1/energy",
     "inverse temperature of the bath, 1/(k_B T), k_B = 1"},
    {"temperature", TL_PARAM_REAL, NULL, 0, INFINITY, 1, NULL, "energy",
     "temperature of the bath, k_B T"},
};

const tl_param_spec *tl_config_thermal_specs(size_t *n)
{
    *n = sizeof thermal_specs / sizeof thermal_specs[0];
    return thermal_specs;
}

static int is_thermal(const char *name)
{
    return strcmp(name, "beta") == 0 || strcmp(name, "temperature") == 0;
}

static const entry *lookup(const ini_state *s, const char *section, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->entries[i].section, section) == 0 && strcmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}

static int parse_count(const reporter *r, const entry *e, int64_t lo, int64_t hi, int64_t *out)
{
    if (tl_parse_int(e->value, out)) return fail_at(r, e, "malformed integer '%s'", e->value);
    if (*out < lo || *out > hi)
        return fail_at(r, e, "value %s out of range [%lld, %lld]", e->value, (long long)lo,
                       (long long)hi);
    return TL_OK;
}

/* checkpoint_interval and time_limit: seconds, or [[D-]HH:]MM:SS as SLURM writes them. */
static int parse_run_times(tl_config *cfg, const ini_state *s, const reporter *r)
{
    cfg->checkpoint_interval = TL_DEFAULT_CHECKPOINT_INTERVAL;
    cfg->time_limit = 0;
    const entry *e;
    if ((e = lookup(s, "run", "checkpoint_interval")) &&
        (tl_parse_duration(e->value, &cfg->checkpoint_interval) || cfg->checkpoint_interval < 0))
        return fail_at(r, e, "expected seconds >= 0 (0: no timed checkpoints) or HH:MM:SS, not '%s'", e->value);
    if ((e = lookup(s, "run", "time_limit")) &&
        (tl_parse_duration(e->value, &cfg->time_limit) || !(cfg->time_limit > 0)))
        return fail_at(r, e, "expected seconds > 0 or [D-]HH:MM:SS, not '%s'", e->value);
    return TL_OK;
}

int tl_parse_duration(const char *text, double *seconds)
{
    int days = 0, n = 0;
    unsigned h = 0, m = 0, sec = 0;
    const char *t = text;
    if (strchr(t, ':')) {
        if (sscanf(t, "%d-%n", &days, &n) == 1 && n > 0 && t[n - 1] == '-') t += n;
        else days = 0;
        int parts = 0;
        n = 0;
        if (sscanf(t, "%u:%u:%u%n", &h, &m, &sec, &n) == 3 && t[n] == '\0') parts = 3;
        else if (n = 0, sscanf(t, "%u:%u%n", &m, &sec, &n) == 2 && t[n] == '\0') parts = 2, h = 0;
        if (!parts || days < 0 || m > 59 || sec > 59 || !isdigit((unsigned char)t[0])) return TL_ERR_INPUT;
        *seconds = ((days * 24.0 + h) * 60.0 + m) * 60.0 + sec;
        return TL_OK;
    }
    if (tl_parse_real(text, seconds) || !isfinite(*seconds)) return TL_ERR_INPUT;
    return TL_OK;
}

static int parse_run(tl_config *cfg, const ini_state *s, const reporter *r)
{
    static const char *known[] = {"model", "trajectories", "seed", "output", "checkpoint_interval", "time_limit"};
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->entries[i];
        if (strcmp(e->section, "run") != 0) continue;
        int ok = 0;
        for (size_t k = 0; k < 6; k++) ok |= strcmp(e->key, known[k]) == 0;
        if (!ok)
            return fail_at(r, e,
                           "unknown key (known: model, trajectories, seed, output, checkpoint_interval, time_limit)");
    }
    const entry *e = lookup(s, "run", "model");
    if (!e) return fail_at(r, NULL, "[run] model: missing required key (one of: %s)", tl_model_names());
    cfg->model = tl_model_find(e->value);
    if (!cfg->model) return fail_at(r, e, "unknown model '%s' (known: %s)", e->value, tl_model_names());

    e = lookup(s, "run", "trajectories");
    if (!e) return fail_at(r, NULL, "[run] trajectories: missing required key");
    int64_t v;
    /* The trajectory index is 32 bits of the stream counter. */
    if (parse_count(r, e, 1, (int64_t)UINT32_MAX, &v)) return TL_ERR_INPUT;
    cfg->trajectories = (uint64_t)v;

    cfg->seed = 1;
    if ((e = lookup(s, "run", "seed"))) {
        char *end;
        errno = 0;
        cfg->seed = strtoull(e->value, &end, 10);
        if (!isdigit((unsigned char)e->value[0]) || *end != '\0' || errno == ERANGE)
            return fail_at(r, e, "malformed seed '%s' (a decimal integer from 0 to 2^64-1)", e->value);
    }
    if ((e = lookup(s, "run", "output"))) {
        if (e->value[0] == '\0') return fail_at(r, e, "empty output path");
        cfg->output = strdup(e->value);
    }
    return parse_run_times(cfg, s, r);
}

static int parse_histogram(tl_config *cfg, const ini_state *s, const reporter *r)
{
    tl_histogram_config *h = &cfg->histogram;
    *h = (tl_histogram_config){.bins = 100, .range_auto = 1, .store_samples = 1, .sample_cap = 1000000};
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->entries[i];
        if (strcmp(e->section, "histogram") != 0) continue;
        if (strcmp(e->key, "bins") == 0) {
            int64_t v;
            if (parse_count(r, e, 1, 1000000, &v)) return TL_ERR_INPUT;
            h->bins = (size_t)v;
        } else if (strcmp(e->key, "range") == 0) {
            if (strcmp(e->value, "auto") == 0) continue;
            char lo[64], hi[64];
            const char *colon = strchr(e->value, ':');
            if (!colon || strchr(colon + 1, ':') || (size_t)(colon - e->value) >= sizeof lo ||
                strlen(colon + 1) >= sizeof hi)
                return fail_at(r, e, "range is 'auto' or 'lo:hi', not '%s'", e->value);
            snprintf(lo, sizeof lo, "%.*s", (int)(colon - e->value), e->value);
            snprintf(hi, sizeof hi, "%s", colon + 1);
            if (tl_parse_real(lo, &h->range_lo) || tl_parse_real(hi, &h->range_hi))
                return fail_at(r, e, "malformed number in range '%s'", e->value);
            if (!(h->range_lo < h->range_hi))
                return fail_at(r, e, "empty range '%s': lo must be below hi", e->value);
            h->range_auto = 0;
        } else if (strcmp(e->key, "store_samples") == 0) {
            if (tl_parse_bool(e->value, &h->store_samples))
                return fail_at(r, e, "expected true or false, not '%s'", e->value);
        } else if (strcmp(e->key, "sample_cap") == 0) {
            int64_t v;
            if (parse_count(r, e, 1, (int64_t)UINT32_MAX, &v)) return TL_ERR_INPUT;
            h->sample_cap = (uint64_t)v;
        } else {
            return fail_at(r, e, "unknown key (known: bins, range, store_samples, sample_cap)");
        }
    }
    /* Memory and file size are bounded by the cap, not by the number of trajectories. */
    h->n_samples = !h->store_samples ? 0 : cfg->trajectories < h->sample_cap ? cfg->trajectories : h->sample_cap;
    return TL_OK;
}

/* Check one numeric value against its spec. */
static int check_number(const tl_param_spec *spec, double v, char *why, size_t len)
{
    if (spec->kind == TL_PARAM_INT && v != floor(v)) {
        snprintf(why, len, "%.17g is not an integer", v);
        return TL_ERR_INPUT;
    }
    if (v < spec->min || v > spec->max || (spec->positive && v <= spec->min)) {
        snprintf(why, len, "value %.17g out of range: must be %s %g and <= %g", v,
                 spec->positive ? ">" : ">=", spec->min, spec->max);
        return TL_ERR_INPUT;
    }
    return TL_OK;
}

static ssize_t spec_index(const tl_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_params; i++)
        if (strcmp(cfg->specs[i].name, name) == 0) return (ssize_t)i;
    return -1;
}

static int parse_grid(tl_config *cfg, const ini_state *s, const reporter *r)
{
    char why[256];
    cfg->grid.n_points = 1;
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->entries[i];
        if (strcmp(e->section, "grid") != 0) continue;
        ssize_t k = spec_index(cfg, e->key);
        if (k < 0) return fail_at(r, e, "not a parameter of model %s", cfg->model->name);
        const tl_param_spec *spec = &cfg->specs[k];
        if (spec->kind != TL_PARAM_REAL && spec->kind != TL_PARAM_INT)
            return fail_at(r, e, "only numeric parameters can be grid axes");
        double *values;
        size_t n;
        if (tl_axis_parse(e->value, &values, &n, why, sizeof why)) return fail_at(r, e, "%s", why);
        for (size_t j = 0; j < n; j++) {
            if (check_number(spec, values[j], why, sizeof why)) {
                free(values);
                return fail_at(r, e, "%s", why);
            }
        }
        if (tl_grid_add_axis(&cfg->grid, e->key, values, n, e->line)) {
            free(values);
            return fail_at(r, e, "the grid has too many points (at most %d)", TL_MAX_GRID_POINTS);
        }
        cfg->given[k] = 1;
    }
    return TL_OK;
}

/* A list's items: at least one, none empty, numbers within the spec's range. */
static int check_list(const tl_param_spec *spec, const char *text, char *why, size_t len)
{
    size_t n = tl_list_count(text);
    if (n == 0) {
        snprintf(why, len, "empty list: give one or more items separated by commas");
        return TL_ERR_INPUT;
    }
    for (size_t i = 0; i < n; i++) {
        const char *start;
        size_t k;
        tl_list_item(text, i, &start, &k);
        char item[128], reason[200];
        double v;
        if (k == 0) {
            snprintf(why, len, "item %zu of %zu is empty", i + 1, n);
            return TL_ERR_INPUT;
        }
        if (spec->kind != TL_PARAM_REAL_LIST) continue;
        snprintf(item, sizeof item, "%.*s", (int)k, start);
        if (k >= sizeof item || tl_parse_real(item, &v)) {
            snprintf(why, len, "item %zu '%.40s' is not a finite number", i + 1, item);
            return TL_ERR_INPUT;
        }
        if (check_number(spec, v, reason, sizeof reason)) {
            snprintf(why, len, "item %zu: %s", i + 1, reason);
            return TL_ERR_INPUT;
        }
    }
    return TL_OK;
}

static int parse_model_section(tl_config *cfg, const ini_state *s, const reporter *r)
{
    char why[256];
    const char *section = cfg->model->name;
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->entries[i];
        if (strcmp(e->section, section) != 0) continue;
        ssize_t k = spec_index(cfg, e->key);
        if (k < 0) return fail_at(r, e, "unknown key for model %s", section);
        const tl_param_spec *spec = &cfg->specs[k];
        const tl_axis *axis = tl_grid_axis(&cfg->grid, e->key);
        if (axis)
            return fail_at(r, e, "set both here and in [grid] (line %d): choose one", axis->line);
        double v;
        if (spec->kind == TL_PARAM_REAL || spec->kind == TL_PARAM_INT) {
            if (tl_parse_real(e->value, &v)) return fail_at(r, e, "malformed number '%s'", e->value);
            if (check_number(spec, v, why, sizeof why)) return fail_at(r, e, "%s", why);
        } else if (spec->kind == TL_PARAM_CHOICE && tl_param_choice_index(spec, e->value) < 0) {
            return fail_at(r, e, "'%s' is not one of %s", e->value, spec->choices);
        } else if ((spec->kind == TL_PARAM_LIST || spec->kind == TL_PARAM_REAL_LIST) &&
                   check_list(spec, e->value, why, sizeof why)) {
            return fail_at(r, e, "%s", why);
        }
        cfg->scalar_text[k] = strdup(e->value);
        cfg->scalar_line[k] = e->line;
        cfg->given[k] = 1;
    }
    return TL_OK;
}

/* An index into a list (spec->list) names one of its items, at every grid value. */
static int check_list_indices(const tl_config *cfg, const ini_state *s, const reporter *r)
{
    for (size_t k = 0; k < cfg->n_params; k++) {
        const tl_param_spec *spec = &cfg->specs[k];
        if (!spec->list) continue;
        ssize_t l = spec_index(cfg, spec->list);
        if (l < 0) error("parameter %s indexes '%s', which is not a parameter (a bug in the model)", spec->name, spec->list);
        const char *text = cfg->scalar_text[l] ? cfg->scalar_text[l] : cfg->specs[l].default_value;
        size_t n = text ? tl_list_count(text) : 0;
        const tl_axis *axis = tl_grid_axis(&cfg->grid, spec->name);
        const char *own = cfg->scalar_text[k] ? cfg->scalar_text[k] : spec->default_value;
        double v = NAN;
        size_t m = axis ? axis->n : own != NULL;
        for (size_t j = 0; j < m; j++) {
            if (axis) v = axis->values[j];
            else tl_parse_real(own, &v);
            if (v >= 0 && v < (double)n) continue;
            const entry *e = axis ? lookup(s, "grid", spec->name) : lookup(s, cfg->model->name, spec->name);
            char what[256];
            snprintf(what, sizeof what, "index %.17g into %s, which has %zu item(s): at most %.0f", v, spec->list, n,
                     (double)n - 1);
            if (e) return fail_at(r, e, "%s", what);
            return fail_at(r, NULL, "[%s] %s: the default %s", cfg->model->name, spec->name, what);
        }
    }
    return TL_OK;
}

static int check_required(const tl_config *cfg, const reporter *r)
{
    const char *section = cfg->model->name;
    for (size_t k = 0; k < cfg->n_params; k++) {
        const tl_param_spec *spec = &cfg->specs[k];
        if (!cfg->given[k] && !spec->default_value && !is_thermal(spec->name))
            return fail_at(r, NULL, "[%s] %s: missing required key (%s)", section, spec->name,
                           spec->description);
    }
    int beta = cfg->given[spec_index(cfg, "beta")];
    int temperature = cfg->given[spec_index(cfg, "temperature")];
    if (beta && temperature)
        return fail_at(r, NULL, "[%s] beta and temperature both given: give exactly one", section);
    if (!beta && !temperature && !(cfg->model->default_temperature > 0) && !cfg->model->allow_zero_temperature)
        return fail_at(r, NULL, "[%s] beta or temperature: missing required key (give exactly one)",
                       section);
    return TL_OK;
}

static int check_sections(const tl_config *cfg, const ini_state *s, const reporter *r)
{
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->entries[i];
        const char *sec = e->section;
        if (strcmp(sec, "run") && strcmp(sec, "grid") && strcmp(sec, "histogram") &&
            (!cfg->model || strcmp(sec, cfg->model->name)))
            return fail_at(r, e, "unknown section [%s] (known: run, grid, histogram, %s)", sec,
                           cfg->model ? cfg->model->name : "the model's");
    }
    return TL_OK;
}

/* Every file a file parameter names must be readable now, not when a worker
 * reaches its first point; its content's digest identifies the run (the
 * checkpoint fingerprint, the output).  Names are relative to the directory
 * the run starts in, as the models open them. */
static int hash_files(tl_config *cfg, const ini_state *s, const reporter *r)
{
    for (size_t k = 0; k < cfg->n_params; k++) {
        const tl_param_spec *spec = &cfg->specs[k];
        const char *name = cfg->scalar_text[k] ? cfg->scalar_text[k] : spec->default_value;
        if (spec->kind != TL_PARAM_FILE || !name || name[0] == '\0') continue;
        if (tl_sha256_file(name, cfg->file_sha256[k]) == 0) continue;
        const char *problem = strerror(errno);
        const entry *e = lookup(s, cfg->model->name, spec->name);
        if (e) return fail_at(r, e, "cannot open or read the file '%s': %s", name, problem);
        return fail_at(r, NULL, "[%s] %s: cannot open or read the default file '%s': %s", cfg->model->name,
                       spec->name, name, problem);
    }
    return TL_OK;
}

const char *tl_config_files(const tl_config *cfg, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < cfg->n_params && at < len; k++) {
        const char *name = cfg->scalar_text[k] ? cfg->scalar_text[k] : cfg->specs[k].default_value;
        if (cfg->specs[k].kind != TL_PARAM_FILE || !name || name[0] == '\0') continue;
        int n = snprintf(buf + at, len - at, "%s[%s] %s = %s", at ? ", " : "", cfg->model->name,
                         cfg->specs[k].name, name);
        if (n < 0) break;
        at += (size_t)n;
    }
    return buf;
}

static void alloc_specs(tl_config *cfg)
{
    const tl_model_type *m = cfg->model;
    cfg->n_params = m->n_params + 2;
    cfg->specs = tl_malloc(cfg->n_params * sizeof *cfg->specs, "parameter table");
    memcpy(cfg->specs, m->params, m->n_params * sizeof *cfg->specs);
    memcpy(cfg->specs + m->n_params, thermal_specs, sizeof thermal_specs);
    /* T = 0 where the model allows it: temperature >= 0, beta = 1/T = inf. */
    if (m->allow_zero_temperature) cfg->specs[cfg->n_params - 1].positive = 0;
    cfg->scalar_text = tl_calloc(cfg->n_params, sizeof *cfg->scalar_text, "parameters");
    cfg->scalar_line = tl_calloc(cfg->n_params, sizeof *cfg->scalar_line, "parameters");
    cfg->given = tl_calloc(cfg->n_params, sizeof *cfg->given, "parameters");
    cfg->file_sha256 = tl_calloc(cfg->n_params, sizeof *cfg->file_sha256, "parameters");
}

static char *default_output(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot ? (size_t)(dot - base) : strlen(base);
    char *out = tl_malloc(n + 4, "output path");
    snprintf(out, n + 4, "%.*s.h5", (int)n, base);
    return out;
}

int tl_config_parse(tl_config *cfg, const char *path, const char *text, char *why, size_t why_len)
{
    *cfg = (tl_config){0};
    cfg->input_path = strdup(path);
    cfg->input_text = strdup(text);
    ini_state s = {.text = text, .path = path, .why = why, .why_len = why_len};
    reporter r = {path, why, why_len};
    int line = ini_parse_stream(read_line, &s, store_entry, &s);
    int status = TL_OK;
    if (s.failed)
        status = TL_ERR_INPUT;
    else if (s.too_long)
        status = fail_at(&r, NULL, "line %d: longer than %d characters (only comments may be)", s.too_long,
                         INI_MAX_LINE - 2);
    else if (line > 0)
        status = fail_at(&r, NULL, "line %d: syntax error (expected [section], key = value or a comment)",
                         line);
    if (!status) status = parse_run(cfg, &s, &r);
    if (!status) status = check_sections(cfg, &s, &r);
    if (!status) status = parse_histogram(cfg, &s, &r);
    if (!status) {
        alloc_specs(cfg);
        status = parse_grid(cfg, &s, &r);
    }
    if (!status) status = parse_model_section(cfg, &s, &r);
    if (!status) status = check_list_indices(cfg, &s, &r);
    if (!status) status = check_required(cfg, &r);
    if (!status) status = hash_files(cfg, &s, &r);
    if (!status && !cfg->output) cfg->output = default_output(path);
    free_entries(&s);
    return status;
}

/* ---- points ---------------------------------------------------------------- */

void tl_config_point(const tl_config *cfg, size_t p, tl_point *pt)
{
    size_t n = cfg->n_params;
    double *values = tl_malloc(n * sizeof *values, "point");
    char **strings = tl_calloc(n, sizeof *strings, "point");
    size_t idx[cfg->grid.n_axes + 1];
    tl_grid_point_indices(&cfg->grid, p, idx);
    for (size_t k = 0; k < n; k++) {
        const tl_param_spec *spec = &cfg->specs[k];
        const tl_axis *axis = tl_grid_axis(&cfg->grid, spec->name);
        const char *text = cfg->scalar_text[k] ? cfg->scalar_text[k] : spec->default_value;
        values[k] = NAN;
        if (axis) {
            values[k] = axis->values[idx[axis - cfg->grid.axes]];
            char buf[32];
            snprintf(buf, sizeof buf, "%.17g", values[k]);
            strings[k] = strdup(buf);
        } else if (text) {
            strings[k] = strdup(text);
            if (spec->kind == TL_PARAM_REAL || spec->kind == TL_PARAM_INT) tl_parse_real(text, &values[k]);
        }
    }
    /* The engine's thermal pair: whichever is unset follows from the other,
     * and both from the model's default temperature when neither is given. */
    size_t kb = cfg->n_params - 2, kt = cfg->n_params - 1;
    if (isnan(values[kb]) && isnan(values[kt])) values[kt] = cfg->model->default_temperature;
    if (isnan(values[kb])) values[kb] = 1.0 / values[kt];
    if (isnan(values[kt])) values[kt] = 1.0 / values[kb];
    for (size_t q = 0; q < cfg->model->n_reciprocals; q++) {
        ssize_t a = spec_index(cfg, cfg->model->reciprocals[q][0]), b = spec_index(cfg, cfg->model->reciprocals[q][1]);
        if (a < 0 || b < 0) continue;
        if (cfg->given[a] && !cfg->given[b]) values[b] = 1.0 / values[a];
        if (cfg->given[b] && !cfg->given[a]) values[a] = 1.0 / values[b];
    }
    *pt = (tl_point){p, n, cfg->specs, values, (const char *const *)strings, cfg->given};
}

void tl_config_point_free(tl_point *pt)
{
    for (size_t k = 0; k < pt->n_params; k++) free((char *)pt->strings[k]);
    free((void *)pt->strings);
    free((void *)pt->values);
    *pt = (tl_point){0};
}

int tl_config_validate_points(const tl_config *cfg, char *why, size_t why_len)
{
    if (!cfg->model->validate) return TL_OK;
    char reason[256];
    for (size_t p = 0; p < cfg->grid.n_points; p++) {
        tl_point pt;
        tl_config_point(cfg, p, &pt);
        int status = cfg->model->validate(&pt, reason, sizeof reason);
        tl_config_point_free(&pt);
        if (status) {
            if (cfg->grid.n_points > 1)
                snprintf(why, why_len, "%s: [%s] at grid point %zu: %s", cfg->input_path,
                         cfg->model->name, p, reason);
            else
                snprintf(why, why_len, "%s: [%s] %s", cfg->input_path, cfg->model->name, reason);
            return TL_ERR_INPUT;
        }
    }
    return TL_OK;
}

char *tl_read_file(const char *path, char *why, size_t why_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "%s: cannot open the input file", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *text = tl_malloc(cap, "input text");
    size_t got;
    while ((got = fread(text + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap && !(text = realloc(text, cap *= 2))) error("cannot grow the input text");
    }
    int bad = ferror(f) || memchr(text, '\0', n) != NULL;
    fclose(f);
    text[n] = '\0';
    if (bad) {
        snprintf(why, why_len, "%s: cannot read the input file (or it is not text)", path);
        free(text);
        return NULL;
    }
    return text;
}

void tl_config_free(tl_config *cfg)
{
    for (size_t k = 0; k < cfg->n_params; k++) free(cfg->scalar_text[k]);
    free(cfg->scalar_text);
    free(cfg->scalar_line);
    free(cfg->given);
    free(cfg->file_sha256);
    free(cfg->specs);
    free(cfg->input_path);
    free(cfg->input_text);
    free(cfg->output);
    tl_grid_free(&cfg->grid);
    *cfg = (tl_config){0};
}
