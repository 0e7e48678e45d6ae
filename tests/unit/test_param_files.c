/* File parameters: SHA-256 against the FIPS 180-4 examples and an
 * independent implementation (Python's hashlib), the parse-time readability
 * check with file:line:key messages, and the digest that identifies a run. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "thermolearn/config.h"
#include "thermolearn/sha256.h"
#include "thermolearn/status.h"

static void digest_of(const void *data, size_t n, char hex[TL_SHA256_HEX])
{
    tl_sha256 s;
    tl_sha256_init(&s);
    tl_sha256_update(&s, data, n);
    tl_sha256_final_hex(&s, hex);
}

static void test_fips_examples(void **state)
{
    (void)state;
    char hex[TL_SHA256_HEX];
    digest_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    digest_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_of(two_blocks, strlen(two_blocks), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* A million 'a', fed in pieces of 997 bytes (not a multiple of the block). */
    char piece[997];
    memset(piece, 'a', sizeof piece);
    tl_sha256 s;
    tl_sha256_init(&s);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof piece ? left : sizeof piece;
        tl_sha256_update(&s, piece, n);
        left -= n;
    }
    tl_sha256_final_hex(&s, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths at the padding boundaries (55/56: the length fits or spills over). */
static void test_padding_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    char a[120], hex[TL_SHA256_HEX];
    memset(a, 'a', sizeof a);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        digest_of(a, cases[k].n, hex);
        assert_string_equal(hex, cases[k].hex);
    }
}

static char dir[64];
static const char *patterns = "1 -1 1 -1\n-1 1 1 -1\n";
#define PATTERNS_SHA256 "a694fd350de5138c282ffcfceee0b1c44caea2df8e6aa124efd2cb0d4d0fa67a"

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tl_param_files_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/p.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(patterns, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/sub", dir);
    return mkdir(path, 0755);
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Parse a Hopfield input whose line 6 is `pattern_file = NAME`. */
static int parse_with_file(const char *name, tl_config *cfg, char *why, size_t len)
{
    char text[512];
    snprintf(text, sizeof text,
             "[run]\nmodel = hopfield\ntrajectories = 10\n[hopfield]\nn = 4\npattern_file = %s\ntemperature = 1\n",
             name);
    return tl_config_parse(cfg, "in.ini", text, why, len);
}

static void test_file_digest_at_parse(void **state)
{
    (void)state;
    char path[128], why[512], hex[TL_SHA256_HEX], files[256];
    snprintf(path, sizeof path, "%s/p.txt", dir);
    assert_int_equal(tl_sha256_file(path, hex), 0);
    assert_string_equal(hex, PATTERNS_SHA256);
    tl_config cfg;
    assert_int_equal(parse_with_file(path, &cfg, why, sizeof why), 0);
    size_t k = 0;
    while (strcmp(cfg.specs[k].name, "pattern_file") != 0) k++;
    assert_int_equal(cfg.specs[k].kind, TL_PARAM_FILE);
    assert_string_equal(cfg.file_sha256[k], PATTERNS_SHA256);
    for (size_t j = 0; j < cfg.n_params; j++)
        if (j != k) assert_string_equal(cfg.file_sha256[j], ""); /* no file, no digest */
    char expect[256];
    snprintf(expect, sizeof expect, "[hopfield] pattern_file = %s", path);
    assert_string_equal(tl_config_files(&cfg, files, sizeof files), expect);
    tl_config_free(&cfg);

    /* Without the key: no file, nothing listed. */
    const char *none = "[run]\nmodel = hopfield\ntrajectories = 10\n[hopfield]\nn = 4\ntemperature = 1\n";
    assert_int_equal(tl_config_parse(&cfg, "in.ini", none, why, sizeof why), 0);
    assert_string_equal(tl_config_files(&cfg, files, sizeof files), "");
    tl_config_free(&cfg);
}

static void test_unreadable_files_name_line_and_key(void **state)
{
    (void)state;
    char path[128], why[512], expect[256];
    tl_config cfg;
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    assert_int_equal(parse_with_file(path, &cfg, why, sizeof why), TL_ERR_INPUT);
    snprintf(expect, sizeof expect, "in.ini:6: [hopfield] pattern_file: cannot open or read the file '%s': %s", path,
             strerror(ENOENT));
    assert_string_equal(why, expect);
    tl_config_free(&cfg);

    snprintf(path, sizeof path, "%s/sub", dir); /* a directory opens, but cannot be read */
    assert_int_equal(parse_with_file(path, &cfg, why, sizeof why), TL_ERR_INPUT);
    snprintf(expect, sizeof expect, "in.ini:6: [hopfield] pattern_file: cannot open or read the file '%s': %s", path,
             strerror(EISDIR));
    assert_string_equal(why, expect);
    tl_config_free(&cfg);

    /* File names are not grid axes. */
    const char *grid = "[run]\nmodel = spins\ntrajectories = 10\n[grid]\ninputs = 1, 2\n[spins]\nbeta = 1\n";
    assert_int_equal(tl_config_parse(&cfg, "in.ini", grid, why, sizeof why), TL_ERR_INPUT);
    assert_non_null(strstr(why, "in.ini:5: [grid] inputs: only numeric parameters"));
    tl_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_examples),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_file_digest_at_parse),
        cmocka_unit_test(test_unreadable_files_name_line_and_key),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
