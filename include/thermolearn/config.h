/* A run's configuration, parsed from an INI input file.
 *
 * Sections: [run], [grid], [histogram] and the model's own section.  Every
 * key is known (an unknown section or key is an error), every number is
 * checked, and every message names the file, the line and the key.
 */
#ifndef THERMOLEARN_CONFIG_H
#define THERMOLEARN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/grid.h"
#include "thermolearn/model.h"
#include "thermolearn/params.h"

typedef struct {
    size_t bins;
    int range_auto;        /* range = auto: from a pilot block of every point */
    double range_lo, range_hi;
    int store_samples;
    uint64_t sample_cap;   /* at most this many samples per point and direction */
    uint64_t n_samples;    /* stored per point and direction: min(trajectories, cap), 0 if not stored */
} tl_histogram_config;

typedef struct {
    char *input_path;  /* as given */
    char *input_text;  /* the whole file, stored in the output */
    const tl_model_type *model;
    uint64_t trajectories; /* per grid point and direction */
    uint64_t seed;
    char *output;          /* [run] output, or the input's name with .h5 */
    double checkpoint_interval; /* [run] seconds between checkpoints; 0: only on a stop */
    double time_limit;          /* [run] seconds of simulation before checkpoint and exit; 0: none */
    tl_histogram_config histogram;
    tl_grid grid;

    /* The model's parameters followed by beta and temperature. */
    size_t n_params;
    tl_param_spec *specs;
    char **scalar_text;    /* value text from the model section, NULL if unset or a grid axis */
    int *scalar_line;
    int *given;            /* set in the section or on the grid */
    char (*file_sha256)[65]; /* TL_PARAM_FILE with a name: SHA-256 of the content at parse time; else "" */
} tl_config;

/* Parse `text` (the contents of `path`).  Returns 0, or TL_ERR_INPUT after
 * writing one message to `why` ("path:line: [section] key: problem"). */
int tl_config_parse(tl_config *cfg, const char *path, const char *text, char *why, size_t why_len);

#define TL_DEFAULT_CHECKPOINT_INTERVAL 600.0

/* A duration: seconds ("90", "1.5e3") or [[D-]HH:]MM:SS ("2:00:00", "1-12:00:00"). */
int tl_parse_duration(const char *text, double *seconds);

/* Read a file whole; returns NULL (and a message in why) if it cannot be read. */
char *tl_read_file(const char *path, char *why, size_t why_len);

/* The parameters of point p; free with tl_config_point_free. */
void tl_config_point(const tl_config *cfg, size_t p, tl_point *pt);
void tl_config_point_free(tl_point *pt);

/* Validate every point (bounds, integrality, the model's own checks). */
int tl_config_validate_points(const tl_config *cfg, char *why, size_t why_len);

void tl_config_free(tl_config *cfg);

/* The parameters the engine adds to every model (beta, temperature; exactly
 * one is given), for `thermolearn describe`. */
const tl_param_spec *tl_config_thermal_specs(size_t *n);

/* The file parameters that name a file, for messages: "[model] key = name"
 * joined by ", " into buf ("" if none).  Returns buf. */
const char *tl_config_files(const tl_config *cfg, char *buf, size_t len);

#endif
