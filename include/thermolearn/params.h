/* Model parameters: what a model declares, and their values at a grid point.
 *
 * A model lists its parameters in a table of tl_param_spec.  Numeric
 * parameters (real or integer) may be set in the model's section or made a
 * grid axis in [grid]; choices, strings and file names are set in the model
 * section only.  A file name (TL_PARAM_FILE) is a string that names a file
 * the model reads: the file must be readable when the input is parsed, and
 * the run is identified by the file's content (SHA-256), not by its name,
 * in the checkpoint fingerprint and in the output.
 * Every model has an inverse temperature: `beta` or `temperature` (exactly one
 * of them) is handled by the engine, and both are available at every point.
 */
#ifndef THERMOLEARN_PARAMS_H
#define THERMOLEARN_PARAMS_H

#include <stddef.h>
#include <stdint.h>

typedef enum { TL_PARAM_REAL, TL_PARAM_INT, TL_PARAM_CHOICE, TL_PARAM_STRING, TL_PARAM_FILE } tl_param_kind;

typedef struct {
    const char *name;
    tl_param_kind kind;
    const char *default_value; /* NULL: the key is required */
    double min, max;           /* inclusive bounds for numbers */
    int positive;              /* numbers: must be > 0 (strict lower bound at min) */
    const char *choices;       /* TL_PARAM_CHOICE: "a|b|c" */
    const char *units;
    const char *description;
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

/* Helpers shared by the config parser and the accessors. */
int tl_param_choice_index(const tl_param_spec *spec, const char *value);
int tl_parse_real(const char *text, double *value);
int tl_parse_int(const char *text, int64_t *value);
int tl_parse_bool(const char *text, int *value);

#endif
