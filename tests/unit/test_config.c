/* Input parsing and grid expansion: axes, row-major numbering, parameter
 * resolution, and messages that name file, line and key. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "thermolearn/config.h"
#include "thermolearn/status.h"

static const char *base =
    "[run]\nmodel = hopfield\ntrajectories = 10\nseed = 5\n"
    "[hopfield]\nn = 6\ntemperature = 2\n";

static int parse(const char *text, tl_config *cfg, char *why)
{
    return tl_config_parse(cfg, "in.ini", text, why, 512);
}

static void test_axis_forms(void **state)
{
    (void)state;
    double *v;
    size_t n;
    char why[256];
    assert_int_equal(tl_axis_parse("0.1,0.3,0.5", &v, &n, why, sizeof why), 0);
    assert_int_equal(n, 3);
    assert_true(v[0] == 0.1 && v[1] == 0.3 && v[2] == 0.5);
    free(v);
    assert_int_equal(tl_axis_parse("0:1:5", &v, &n, why, sizeof why), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) assert_true(fabs(v[i] - 0.25 * i) < 1e-15);
    assert_true(v[4] == 1.0);
    free(v);
    assert_int_equal(tl_axis_parse("log:1:1000:4", &v, &n, why, sizeof why), 0);
    assert_int_equal(n, 4);
    double expect[] = {1, 10, 100, 1000};
    for (size_t i = 0; i < 4; i++) assert_true(fabs(v[i] / expect[i] - 1) < 1e-13);
    free(v);
    assert_int_equal(tl_axis_parse("2:2:1", &v, &n, why, sizeof why), 0);
    assert_int_equal(n, 1);
    free(v);
    const char *bad[] = {"", "0.1,,0.2", "0.1,", "1:2", "1:2:0", "1:2:x", "log:0:1:3", "1:2:1", "a,b", "1:2:3:4"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_int_equal(tl_axis_parse(bad[k], &v, &n, why, sizeof why), TL_ERR_INPUT);
}

static void test_grid_row_major(void **state)
{
    (void)state;
    char text[1024], why[512];
    snprintf(text, sizeof text, "%s[grid]\ngamma = 0.1, 0.2\nfield = 1:3:3\nsteps = 4, 8\n", base);
    tl_config cfg;
    assert_int_equal(parse(text, &cfg, why), 0);
    assert_int_equal(cfg.grid.n_points, 12);
    /* the last axis varies fastest */
    for (size_t p = 0; p < 12; p++) {
        tl_point pt;
        tl_config_point(&cfg, p, &pt);
        assert_true(tl_point_real(&pt, "gamma") == (p / 6 == 0 ? 0.1 : 0.2));
        assert_true(tl_point_real(&pt, "field") == (double)(1 + (p / 2) % 3));
        assert_int_equal(tl_point_int(&pt, "steps"), p % 2 ? 8 : 4);
        assert_int_equal(tl_point_int(&pt, "n"), 6);
        assert_true(tl_point_real(&pt, "beta") == 0.5);
        assert_true(tl_point_real(&pt, "temperature") == 2.0);
        assert_true(tl_point_given(&pt, "gamma") && !tl_point_given(&pt, "threshold"));
        assert_string_equal(tl_point_string(&pt, "protocol"), "interpolate");
        assert_int_equal(tl_point_choice(&pt, "protocol"), 0);
        tl_config_point_free(&pt);
    }
    assert_int_equal(cfg.trajectories, 10);
    assert_int_equal(cfg.seed, 5);
    assert_string_equal(cfg.output, "in.h5");
    tl_config_free(&cfg);
}

static void test_no_grid_is_one_point(void **state)
{
    (void)state;
    char why[512];
    tl_config cfg;
    assert_int_equal(parse(base, &cfg, why), 0);
    assert_int_equal(cfg.grid.n_points, 1);
    assert_int_equal(cfg.histogram.bins, 100);
    assert_true(cfg.histogram.range_auto && cfg.histogram.store_samples);
    tl_config_free(&cfg);
}

/* Each bad input: its status, and the message names the line and the key. */
static void expect_error(const char *extra, const char *where)
{
    char text[1024], why[512] = "";
    snprintf(text, sizeof text, "%s%s", base, extra);
    tl_config cfg;
    int status = parse(text, &cfg, why);
    if (status == 0) status = tl_config_validate_points(&cfg, why, sizeof why);
    if (status != TL_ERR_INPUT || !strstr(why, where)) {
        print_error("input tail '%s': status %d, message '%s', expected to contain '%s'\n", extra, status,
                    why, where);
        fail();
    }
    tl_config_free(&cfg);
}

static void test_errors_name_line_and_key(void **state)
{
    (void)state;
    expect_error("gamma = abc\n", "in.ini:8: [hopfield] gamma: malformed number");
    expect_error("bogus = 1\n", "in.ini:8: [hopfield] bogus: unknown key");
    expect_error("[other]\nx = 1\n", "in.ini:9: [other] x: unknown section");
    expect_error("[grid]\ngamma = 0.1:0.9:0\n", "in.ini:9: [grid] gamma: empty range");
    expect_error("[grid]\nn = 5\n", "in.ini:6: [hopfield] n: set both here and in [grid] (line 9)");
    expect_error("[grid]\nprotocol = 1,2\n", "[grid] protocol: only numeric parameters");
    expect_error("[grid]\nwidth = 1,2\n", "[grid] width: not a parameter");
    expect_error("gamma = 1.5\n", "[hopfield] gamma: value 1.5 out of range");
    expect_error("beta = 1\n", "beta and temperature both given");
    expect_error("protocol = zigzag\n", "'zigzag' is not one of interpolate|ramp");
    expect_error("steps = 2.5\n", "2.5 is not an integer");
    expect_error("n = 7\n", "in.ini:8: [hopfield] n: key given twice (first on line 6)");
}

static void test_model_validation(void **state)
{
    (void)state;
    char why[512];
    tl_config cfg;
    const char *text = "[run]\nmodel = hopfield\ntrajectories = 1\n[hopfield]\nn = 30\ninitial = exact\ntemperature = 1\n";
    assert_int_equal(parse(text, &cfg, why), 0);
    assert_int_equal(tl_config_validate_points(&cfg, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "n = 30 too large for initial = exact"));
    tl_config_free(&cfg);
}

/* A model's default temperature, and reciprocal pairs resolved at every point. */
static void test_thermal_defaults_and_reciprocals(void **state)
{
    (void)state;
    char why[512];
    tl_config cfg;
    tl_point pt;
    assert_int_equal(parse("[run]\nmodel = perceptron\ntrajectories = 1\n[perceptron]\nn = 4\nalpha = 1\nnu = 1\ntau = 1\ntime = 1\n",
                           &cfg, why), 0);
    tl_config_point(&cfg, 0, &pt);
    assert_true(tl_point_real(&pt, "temperature") == 1.0 && tl_point_real(&pt, "beta") == 1.0);
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    char text[512];
    snprintf(text, sizeof text, "%s[grid]\ntemperature_initial = 4, 8\n", base);
    assert_int_equal(parse(text, &cfg, why), 0);
    for (size_t p = 0; p < 2; p++) {
        tl_config_point(&cfg, p, &pt);
        assert_true(tl_point_real(&pt, "beta_initial") == 1.0 / (4.0 * (double)(p + 1)));
        tl_config_point_free(&pt);
    }
    tl_config_free(&cfg);
    /* hopfield has no default temperature */
    assert_int_equal(parse("[run]\nmodel = hopfield\ntrajectories = 1\n", &cfg, why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "beta or temperature: missing"));
    tl_config_free(&cfg);
}

/* The toy model of the tests (tests/models/toy): lists, an index into one, T = 0. */
static const char *toy =
    "[run]\nmodel = toy\ntrajectories = 1\n"
    "[toy]\nstiffnesses = 0.5, 1 ,2.5\nlabels = soft, 40-20, hard\n";

static void expect_toy_error(const char *extra, const char *where)
{
    char text[1024], why[512];
    snprintf(text, sizeof text, "%s%s", toy, extra);
    tl_config cfg;
    int status = parse(text, &cfg, why);
    if (status != TL_ERR_INPUT || !strstr(why, where)) {
        print_error("toy input tail '%s': status %d, message '%s', expected to contain '%s'\n", extra, status, why,
                    where);
        fail();
    }
    tl_config_free(&cfg);
}

/* Lists: items trimmed, numbers read, an index into a list as a grid axis. */
static void test_lists(void **state)
{
    (void)state;
    char text[1024], why[512], buf[64];
    tl_config cfg;
    tl_point pt;
    snprintf(text, sizeof text, "%s[grid]\ntrap = 0, 2\n", toy);
    assert_int_equal(parse(text, &cfg, why), 0);
    assert_int_equal(cfg.grid.n_points, 2);
    tl_config_point(&cfg, 1, &pt);
    assert_int_equal(tl_point_list_size(&pt, "stiffnesses"), 3);
    assert_true(tl_point_list_real(&pt, "stiffnesses", 1) == 1.0);
    assert_true(tl_point_list_real(&pt, "stiffnesses", 2) == 2.5);
    assert_int_equal(tl_point_int(&pt, "trap"), 2);
    assert_int_equal(tl_point_list_size(&pt, "labels"), 3);
    assert_string_equal(tl_point_list_item(&pt, "labels", 1, buf, sizeof buf), "40-20");
    assert_string_equal(tl_point_list_item(&pt, "labels", 2, buf, sizeof buf), "hard");
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    assert_int_equal(tl_list_count(""), 0);
    assert_int_equal(tl_list_count(" a "), 1);
    assert_int_equal(tl_list_count("a,"), 2);
}

static void test_list_errors_name_line_and_key(void **state)
{
    (void)state;
    expect_toy_error("x0 = 1\n[grid]\ntrap = 0, 3\n", "in.ini:9: [grid] trap: index 3 into stiffnesses, which has 3 item(s)");
    expect_toy_error("trap = 5\n", "in.ini:7: [toy] trap: index 5 into stiffnesses, which has 3 item(s)");
    expect_toy_error("trap = -1\n", "[toy] trap: value -1 out of range");
    const char *bad_lists[][2] = {
        {"stiffnesses = 1, , 2", "in.ini:5: [toy] stiffnesses: item 2 of 3 is empty"},
        {"stiffnesses = 1, 2,", "in.ini:5: [toy] stiffnesses: item 3 of 3 is empty"},
        {"stiffnesses =", "in.ini:5: [toy] stiffnesses: empty list"},
        {"stiffnesses = 1, abc", "in.ini:5: [toy] stiffnesses: item 2 'abc' is not a finite number"},
        {"stiffnesses = 1, -2", "in.ini:5: [toy] stiffnesses: item 2: value -2 out of range"},
        {"stiffnesses = 1, inf", "item 2 'inf' is not a finite number"},
        {"labels = a,,b", "in.ini:6: [toy] labels: item 2 of 3 is empty"},
    };
    for (size_t k = 0; k < sizeof bad_lists / sizeof bad_lists[0]; k++) {
        char text[512], why[512];
        snprintf(text, sizeof text, "[run]\nmodel = toy\ntrajectories = 1\n[toy]\n%s\nlabels = x\n", bad_lists[k][0]);
        if (strncmp(bad_lists[k][0], "labels", 6) == 0)
            snprintf(text, sizeof text, "[run]\nmodel = toy\ntrajectories = 1\n[toy]\nstiffnesses = 1\n%s\n", bad_lists[k][0]);
        tl_config cfg;
        int status = parse(text, &cfg, why);
        if (status != TL_ERR_INPUT || !strstr(why, bad_lists[k][1])) {
            print_error("'%s': status %d, message '%s', expected '%s'\n", bad_lists[k][0], status, why, bad_lists[k][1]);
            fail();
        }
        tl_config_free(&cfg);
    }
    expect_toy_error("[grid]\nstiffnesses = 1, 2\n", "[grid] stiffnesses: only numeric parameters");
}

/* T = 0: the default of a model that allows it (beta = inf), given as temperature = 0
 * (also on a grid axis); a model that does not allow it says so. */
static void test_zero_temperature(void **state)
{
    (void)state;
    char text[1024], why[512];
    tl_config cfg;
    tl_point pt;
    assert_int_equal(parse(toy, &cfg, why), 0);
    tl_config_point(&cfg, 0, &pt);
    assert_true(tl_point_real(&pt, "temperature") == 0.0);
    assert_true(isinf(tl_point_real(&pt, "beta")) && tl_point_real(&pt, "beta") > 0);
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    snprintf(text, sizeof text, "%s[grid]\ntemperature = 0, 0.5\n", toy);
    assert_int_equal(parse(text, &cfg, why), 0);
    tl_config_point(&cfg, 1, &pt);
    assert_true(tl_point_real(&pt, "beta") == 2.0);
    tl_config_point_free(&pt);
    tl_config_free(&cfg);
    expect_toy_error("temperature = -1\n", "[toy] temperature: value -1 out of range: must be >= 0");
    expect_toy_error("beta = 0\n", "[toy] beta: value 0 out of range: must be > 0");
    snprintf(text, sizeof text, "[run]\nmodel = hopfield\ntrajectories = 1\n[hopfield]\ntemperature = 0\n");
    assert_int_equal(parse(text, &cfg, why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "in.ini:5: [hopfield] temperature: value 0 out of range: must be > 0"));
    tl_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_list_errors_name_line_and_key),
        cmocka_unit_test(test_zero_temperature),
        cmocka_unit_test(test_axis_forms),
        cmocka_unit_test(test_grid_row_major),
        cmocka_unit_test(test_no_grid_is_one_point),
        cmocka_unit_test(test_errors_name_line_and_key),
        cmocka_unit_test(test_model_validation),
        cmocka_unit_test(test_thermal_defaults_and_reciprocals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
