/* `thermolearn describe`: a model's tables as markdown; see describe.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "thermolearn/config.h"
#include "thermolearn/describe.h"

/* A table cell: the text with '|' escaped, newlines as blanks; "—" if empty. */
static void cell(FILE *out, const char *text)
{
    if (!text || !text[0]) {
        fputs(" — |", out);
        return;
    }
    fputc(' ', out);
    for (const char *c = text; *c; c++) {
        if (*c == '|') fputs("\\|", out);
        else fputc(*c == '\n' ? ' ' : *c, out);
    }
    fputs(" |", out);
}

/* A bound as a reader writes it: 1e6, 0.5, -1000, ∞. */
static void number(char *buf, size_t len, double v)
{
    if (isinf(v) || fabs(v) >= 1e300) {
        snprintf(buf, len, "%s∞", v < 0 ? "−" : "");
        return;
    }
    char raw[64];
    snprintf(raw, sizeof raw, fabs(v) >= 1e7 && v == floor(v) && fabs(v) < 1e15 && fmod(v, 1e6) != 0 ? "%.0f" : "%.6g", v);
    /* 1e+06 -> 1e6, 1e-05 -> 1e-5 */
    char *e = strchr(raw, 'e');
    if (e) {
        char sign = e[1] == '-' ? '-' : 0;
        const char *digits = e + 2;
        while (*digits == '0' && digits[1]) digits++;
        *e = 0;
        snprintf(buf, len, "%se%s%s", raw, sign ? "-" : "", digits);
    } else {
        snprintf(buf, len, "%s", raw);
    }
}

static const char *kind_name(tl_param_kind kind, char *buf, size_t len)
{
    switch (kind) {
    case TL_PARAM_REAL: return "real";
    case TL_PARAM_INT: return "integer";
    case TL_PARAM_CHOICE: return "choice";
    case TL_PARAM_STRING: return "string";
    case TL_PARAM_FILE: return "file";
    case TL_PARAM_LIST: return "list";
    case TL_PARAM_REAL_LIST: return "list of reals";
    default: break;
    }
    snprintf(buf, len, "kind %d", (int)kind); /* a kind added later: printed, never dropped */
    return buf;
}

static void range(const tl_param_spec *s, char *buf, size_t len)
{
    buf[0] = 0;
    if (s->kind == TL_PARAM_REAL || s->kind == TL_PARAM_INT || s->kind == TL_PARAM_REAL_LIST) {
        char lo[80], hi[80];
        number(lo, sizeof lo, s->min);
        number(hi, sizeof hi, s->max);
        int n = snprintf(buf, len, "%s%s, %s%s", s->positive ? "(" : "[", lo, hi,
                         isinf(s->max) || s->max >= 1e300 ? ")" : "]");
        if (s->kind == TL_PARAM_REAL_LIST && n > 0 && (size_t)n < len) snprintf(buf + n, len - (size_t)n, " each");
        if (s->kind == TL_PARAM_INT && s->list && n > 0 && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, ", an index into `%s`", s->list);
    } else if (s->choices) {
        /* a|b|c -> `a`, `b`, `c` */
        size_t n = 0;
        const char *c = s->choices;
        while (*c && n + 8 < len) {
            size_t w = strcspn(c, "|");
            n += (size_t)snprintf(buf + n, len - n, "%s`%.*s`", n ? ", " : "", (int)w, c);
            c += w + (c[w] == '|');
        }
    }
}

static void parameter_row(FILE *out, const tl_param_spec *s, const char *default_text, const char *note)
{
    char kind[32], r[512], desc[1024];
    fprintf(out, "| `%s` |", s->name);
    cell(out, kind_name(s->kind, kind, sizeof kind));
    cell(out, s->units);
    cell(out, default_text);
    range(s, r, sizeof r);
    cell(out, r);
    snprintf(desc, sizeof desc, "%s%s", s->description ? s->description : "", note ? note : "");
    cell(out, desc);
    fputc('\n', out);
}

static void parameters(const tl_model_type *m, FILE *out)
{
    fprintf(out, "| key | kind | units | default | range | description |\n|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < m->n_params; k++) {
        const tl_param_spec *s = &m->params[k];
        const char *d = !s->default_value ? "required" : s->default_value[0] ? s->default_value : "none";
        char quoted[256];
        if (s->default_value && s->default_value[0]) snprintf(quoted, sizeof quoted, "`%s`", s->default_value);
        parameter_row(out, s, s->default_value && s->default_value[0] ? quoted : d, NULL);
    }
    size_t n;
    const tl_param_spec *thermal = tl_config_thermal_specs(&n);
    char d[128] = "required";
    if (m->default_temperature > 0) {
        char t[80];
        number(t, sizeof t, m->default_temperature);
        snprintf(d, sizeof d, "temperature `%s`", t);
    } else if (m->allow_zero_temperature) {
        snprintf(d, sizeof d, "temperature `0` (beta = inf)");
    }
    for (size_t k = 0; k < n; k++) {
        tl_param_spec s = thermal[k];
        /* T = 0 allowed: the temperature's lower bound is closed, beta's upper bound is inf */
        if (m->allow_zero_temperature && strcmp(s.name, "temperature") == 0) s.positive = 0;
        parameter_row(out, &s, d, m->allow_zero_temperature ? " (give beta or temperature, not both; T = 0 allowed)"
                                                            : " (give beta or temperature, not both)");
    }
}

static void datasets(const tl_model_type *m, FILE *out)
{
    fprintf(out, "| dataset | type | units | description |\n|---|---|---|---|\n");
    for (size_t o = 0; o < m->n_observables; o++) {
        fprintf(out, "| `/%s/<direction>/…` | histogram, moments, samples |", m->observables[o].name);
        cell(out, m->observables[o].units);
        cell(out, m->observables[o].description);
        fputc('\n', out);
    }
    for (size_t v = 0; v < m->n_profiles; v++) {
        const tl_profile *p = &m->profiles[v];
        char desc[1024];
        fprintf(out, "| `/%s/%s`, `/%s/%s_err` | float64 [P, …] |", m->name, p->name, m->name, p->name);
        cell(out, p->units);
        snprintf(desc, sizeof desc, "%s; mean over the trajectories, and its standard error", p->description);
        cell(out, desc);
        fputc('\n', out);
    }
    for (size_t e = 0; e < m->n_extras; e++) {
        const tl_extra *x = &m->extras[e];
        fprintf(out, "| `/%s/%s` | %s [P, …] |", m->name, x->name, x->type == TL_EXTRA_INT8 ? "int8" : "float64");
        cell(out, x->units);
        cell(out, x->description);
        fputc('\n', out);
    }
}

void tl_describe(const tl_model_type *m, int what, FILE *out)
{
    if (what & TL_DESCRIBE_PARAMETERS) parameters(m, out);
    if ((what & TL_DESCRIBE_PARAMETERS) && (what & TL_DESCRIBE_DATASETS)) fputc('\n', out);
    if (what & TL_DESCRIBE_DATASETS) datasets(m, out);
}
