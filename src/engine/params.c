/* Parameter values at a grid point, and the number parsers every input uses. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "thermolearn/error.h"
#include "thermolearn/params.h"

int tl_parse_real(const char *text, double *value)
{
    char *end;
    while (*text == ' ' || *text == '\t') text++;
    if (*text == '\0') return -1;
    errno = 0;
    double v = strtod(text, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (*end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *value = v;
    return 0;
}

int tl_parse_int(const char *text, int64_t *value)
{
    char *end;
    while (*text == ' ' || *text == '\t') text++;
    if (*text == '\0') return -1;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    if (*end != '\0' || errno == ERANGE) return -1;
    *value = v;
    return 0;
}

int tl_parse_bool(const char *text, int *value)
{
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) { *value = 1; return 0; }
        if (strcasecmp(text, no[i]) == 0) { *value = 0; return 0; }
    }
    return -1;
}

int tl_param_choice_index(const tl_param_spec *spec, const char *value)
{
    size_t len = strlen(value);
    int index = 0;
    for (const char *c = spec->choices; c && *c; index++) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if (n == len && strncmp(c, value, n) == 0) return index;
        c = bar ? bar + 1 : c + n;
    }
    return -1;
}

static size_t find(const tl_point *pt, const char *name)
{
    for (size_t i = 0; i < pt->n_params; i++)
        if (strcmp(pt->specs[i].name, name) == 0) return i;
    error("no parameter named '%s' (a bug in the model's parameter table)", name);
}

double tl_point_real(const tl_point *pt, const char *name)
{
    return pt->values[find(pt, name)];
}

int64_t tl_point_int(const tl_point *pt, const char *name)
{
    return (int64_t)llround(pt->values[find(pt, name)]);
}

const char *tl_point_string(const tl_point *pt, const char *name)
{
    return pt->strings[find(pt, name)];
}

int tl_point_choice(const tl_point *pt, const char *name)
{
    size_t i = find(pt, name);
    return tl_param_choice_index(&pt->specs[i], pt->strings[i]);
}

int tl_point_given(const tl_point *pt, const char *name)
{
    return pt->given[find(pt, name)];
}

size_t tl_list_count(const char *text)
{
    if (text[strspn(text, " \t")] == '\0') return 0;
    size_t n = 1;
    for (const char *c = text; *c; c++) n += *c == ',';
    return n;
}

void tl_list_item(const char *text, size_t i, const char **start, size_t *len)
{
    for (; i > 0 && *text; text++) i -= *text == ',';
    text += strspn(text, " \t");
    size_t n = strcspn(text, ",");
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t')) n--;
    *start = text, *len = n;
}

static const char *list_text(const tl_point *pt, const char *name)
{
    size_t k = find(pt, name);
    if (pt->specs[k].kind != TL_PARAM_LIST && pt->specs[k].kind != TL_PARAM_REAL_LIST)
        error("parameter '%s' is not a list (a bug in the model)", name);
    return pt->strings[k] ? pt->strings[k] : "";
}

size_t tl_point_list_size(const tl_point *pt, const char *name)
{
    return tl_list_count(list_text(pt, name));
}

const char *tl_point_list_item(const tl_point *pt, const char *name, size_t i, char *buf, size_t len)
{
    const char *text = list_text(pt, name), *start;
    size_t n;
    if (i >= tl_list_count(text)) error("item %zu of list '%s': it has %zu (a bug in the model)", i, name, tl_list_count(text));
    tl_list_item(text, i, &start, &n);
    snprintf(buf, len, "%.*s", (int)n, start);
    return buf;
}

double tl_point_list_real(const tl_point *pt, const char *name, size_t i)
{
    char buf[128];
    double v;
    if (tl_parse_real(tl_point_list_item(pt, name, i, buf, sizeof buf), &v))
        error("item %zu of list '%s' is not a number (checked when parsed: a bug)", i, name);
    return v;
}
