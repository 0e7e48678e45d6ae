/* Shared by the Hopfield unit tests (include after cmocka.h): a model
 * instance from the body of a [hopfield] section, checked as the engine
 * checks an input. */
#ifndef THERMOLEARN_TEST_HOPFIELD_FIXTURE_H
#define THERMOLEARN_TEST_HOPFIELD_FIXTURE_H

#include <stdio.h>

#include "thermolearn/config.h"
#include "../../src/models/hopfield/hopfield.h"

static hopfield *make_hopfield(const char *section)
{
    char text[2048], why[512];
    snprintf(text, sizeof text, "[run]\nmodel = hopfield\ntrajectories = 1000\n\n[hopfield]\n%s", section);
    tl_config cfg;
    int rc = tl_config_parse(&cfg, "test", text, why, sizeof why);
    if (!rc) rc = tl_config_validate_points(&cfg, why, sizeof why);
    if (rc) print_error("config: %s\n", why);
    assert_int_equal(rc, 0);
    tl_point pt;
    tl_config_point(&cfg, 0, &pt);
    hopfield *hf = hopfield_alloc(&pt);
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    return hf;
}

#endif
