/* The models the engine knows.  A new model adds one line here (and its
 * extern).  The models of tests/models/ exist only in the test build
 * (TL_TEST_MODELS: build/libthermolearn_test.a, build/tests/thermolearn). */
#include <stdio.h>
#include <string.h>

#include "thermolearn/model.h"

extern const tl_model_type tl_model_clock;
extern const tl_model_type tl_model_doublewell;
extern const tl_model_type tl_model_gate;
extern const tl_model_type tl_model_hopfield;
extern const tl_model_type tl_model_observed;
extern const tl_model_type tl_model_ou;
extern const tl_model_type tl_model_perceptron;
extern const tl_model_type tl_model_spins;
extern const tl_model_type tl_model_twostate;
extern const tl_model_type tl_model_vanchurin;
extern const tl_model_type tl_model_weightsde;
#ifdef TL_TEST_MODELS
extern const tl_model_type tl_model_toy, tl_model_toy7, tl_model_staged;
#endif

static const tl_model_type *const registry[] = {
    &tl_model_clock,
    &tl_model_doublewell,
    &tl_model_gate,
    &tl_model_hopfield,
    &tl_model_observed,
    &tl_model_ou,
    &tl_model_perceptron,
    &tl_model_spins,
    &tl_model_twostate,
    &tl_model_vanchurin,
    &tl_model_weightsde,
#ifdef TL_TEST_MODELS
    &tl_model_toy, &tl_model_toy7, &tl_model_staged,
#endif
};

const tl_model_type *tl_model_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const char *tl_model_names(void)
{
    static char names[256];
    if (names[0]) return names;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", registry[i]->name);
    return names;
}
