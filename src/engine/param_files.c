/* File parameters in the output file; see output.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/error.h"
#include "thermolearn/output.h"

void tl_output_param_files(tl_output *out, const tl_config *cfg)
{
    size_t n_named = 0;
    char **lines = tl_calloc(cfg->n_params + 1, sizeof *lines, "file parameters");
    for (size_t k = 0; k < cfg->n_params; k++) {
        const tl_param_spec *spec = &cfg->specs[k];
        if (spec->kind != TL_PARAM_FILE) continue;
        const char *name = cfg->scalar_text[k] ? cfg->scalar_text[k] : spec->default_value;
        if (!name) name = "";
        const char *digest = cfg->file_sha256 ? cfg->file_sha256[k] : "";
        char attr[128];
        snprintf(attr, sizeof attr, "%s_sha256", spec->name);
        tl_output_attr_string(out, "/parameters", spec->name, name);
        tl_output_attr_string(out, "/parameters", attr, digest);
        if (name[0] == '\0') continue;
        size_t len = strlen(cfg->model->name) + strlen(spec->name) + strlen(name) + strlen(digest) + 32;
        lines[n_named] = tl_malloc(len, "file parameters");
        snprintf(lines[n_named++], len, "[%s] %s = %s sha256 %s", cfg->model->name, spec->name, name, digest);
    }
    if (n_named) tl_output_attr_strings(out, "/", "input_files", (const char *const *)lines, n_named);
    for (size_t i = 0; i < n_named; i++) free(lines[i]);
    free(lines);
}
