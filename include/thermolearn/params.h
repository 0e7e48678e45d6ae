/* Model parameters: what a model declares, and their values at a grid point.
 *
 * A model lists its parameters in a table of tl_param_spec.  Numeric
 * parameters (real or integer) may be set in the model's section or made a
 * grid axis in [grid]; choices, strings and file names are set in the model
 * section only.  A file name (TL_PARAM_FILE) is a string that names a file
 * the model reads: the file must be readable when the input is parsed, and
 * the run is identified by the file's content (SHA-256), not by its name,
 * in the checkpoint fingerprint and in the output.
 *
 * A list (TL_PARAM_LIST: texts, TL_PARAM_REAL_LIST: numbers, each within
 * min..max) is one value of comma-separated items, blanks around an item
 * ignored ("architectures = 40-20, 60", "betas = 0.25, 0.5, 1"); an empty
 * item is an error.  It is set in the model section only, like a string, and
 * stored in the output as an attribute of /parameters (strings, or float64).
 * An integer parameter whose spec names a list (`list`) is an index into it,
 * 0 .. items-1, checked when the input is parsed; it may be a grid axis.
 *
 * Every model has an inverse temperature: `beta` or `temperature` (exactly one
 * of them) is handled by the engine, and both are available at every point.
 */
#ifndef THERMOLEARN_PARAMS_H
#define THERMOLEARN_PARAMS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    TL_PARAM_REAL, TL_PARAM_INT, TL_PARAM_CHOICE, TL_PARAM_STRING, TL_PARAM_FILE, TL_PARAM_LIST, TL_PARAM_REAL_LIST
} tl_param_kind;

typedef struct {
    const char *name;
    tl_param_kind kind;
    const char *default_value; /* NULL: the key is required */
    double min, max;           /* inclusive bounds for numbers */
    int positive;              /* numbers: must be > 0 (strict lower bound at min) */
    const char *choices;       /* TL_PARAM_CHOICE: "a|b|c" */
    const char *units;
    const char *description;
    const char *list;          /* TL_PARAM_INT: the name of the list this is an index into, or NULL */
} tl_param_spec;

/* The value of every parameter at one grid point. */
typedef struct {
    size_t index;                 /* row-major point number */
    size_t n_params;
    const tl_param_spec *specs;   /* the model's table, then beta and temperature */
    const double *values;         /* numeric values, [n_params] */
    const char *const *strings;   /* the text of every value, NULL if unset, [n_params] */
    const int *given;             /* set by the user (model section or grid), [n_params] */
} tl_point;

/* Accessors: abort (error()) on an unknown name, which is a bug in a model. */
double tl_point_real(const tl_point *pt, const char *name);
int64_t tl_point_int(const tl_point *pt, const char *name);
const char *tl_point_string(const tl_point *pt, const char *name);
/* Position of the value in the spec's choices ("a|b|c": 0, 1, 2). */
int tl_point_choice(const tl_point *pt, const char *name);
/* Whether the user gave the key (in the model section or the grid). */
int tl_point_given(const tl_point *pt, const char *name);
/* Lists (TL_PARAM_LIST, TL_PARAM_REAL_LIST): the number of items, item i as
 * a number, or item i's text copied into buf (at most len - 1 characters). */
size_t tl_point_list_size(const tl_point *pt, const char *name);
double tl_point_list_real(const tl_point *pt, const char *name, size_t i);
const char *tl_point_list_item(const tl_point *pt, const char *name, size_t i, char *buf, size_t len);

/* Helpers shared by the config parser and the accessors. */
int tl_param_choice_index(const tl_param_spec *spec, const char *value);
int tl_parse_real(const char *text, double *value);
int tl_parse_int(const char *text, int64_t *value);
int tl_parse_bool(const char *text, int *value);
/* Items of a comma-separated list: the number of items ("" has none, "a," has
 * two, the second empty); item i's text, blanks trimmed, in *start and *len. */
size_t tl_list_count(const char *text);
void tl_list_item(const char *text, size_t i, const char **start, size_t *len);

#endif
