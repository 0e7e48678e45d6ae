/* libFuzzer target: the input-file parser (tl_config_parse) and the model's
 * checks of every point.  No input may crash it, and every rejected input
 * must come with a message that names the file (file:line: [section] key). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thermolearn/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    /* tl_read_file refuses text with NUL bytes before the parser sees it. */
    if (strlen(text) != size) {
        free(text);
        return 0;
    }
    tl_config cfg;
    char why[1024] = "";
    int status = tl_config_parse(&cfg, "fuzz.ini", text, why, sizeof why);
    /* Validating a huge grid point by point is slow, not wrong: keep runs fast. */
    if (!status && cfg.grid.n_points <= 4096) status = tl_config_validate_points(&cfg, why, sizeof why);
    if (status && strncmp(why, "fuzz.ini", 8) != 0) {
        fprintf(stderr, "rejected without a message naming the file: '%s'\n", why);
        abort();
    }
    tl_config_free(&cfg);
    free(text);
    return 0;
}
