/* The output lock (lock.h): lock-file names, a second acquisition refused with
 * the holder named and the file unchanged, release removing only the file this
 * process locked, a checkpoint sharing the output's lock, and the O_EXCL
 * fallback.  Open-file-description locks conflict within one process too, so
 * one process can play both runs.  The cross-process cases (dead holders,
 * orphans, other hosts, kill -9) are in tests/integration/test_lock.sh. */
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

#include "thermolearn/lock.h"
#include "thermolearn/status.h"

static char dir[] = "/tmp/thermolearn_lock_XXXXXX";

static void in_dir(const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
}

static char *slurp(const char *path)
{
    static char text[8192];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void test_paths(void **state)
{
    (void)state;
    char p[256];
    tl_lock_path("run.h5", 0, p, sizeof p);
    assert_string_equal(p, "run.h5.lock");
    tl_lock_path("run.h5.ckpt", 1, p, sizeof p); /* the default checkpoint: the output's lock */
    assert_string_equal(p, "run.h5.lock");
    tl_lock_path("state.bin", 1, p, sizeof p);
    assert_string_equal(p, "state.bin.lock");
    tl_lock_path(".ckpt", 1, p, sizeof p); /* nothing left to strip */
    assert_string_equal(p, ".ckpt.lock");
}

static void test_second_refused(void **state)
{
    (void)state;
    char out[512], ckpt[512], lock[600], why[2048];
    in_dir("a.h5", out, sizeof out);
    in_dir("a.h5.ckpt", ckpt, sizeof ckpt);
    snprintf(lock, sizeof lock, "%s.lock", out);
    tl_lock first, second;
    assert_int_equal(tl_lock_acquire(&first, out, ckpt, 0, why, sizeof why), TL_OK);
    assert_int_equal(first.n, 1); /* the default checkpoint shares the output's lock */
    char *text = slurp(lock);
    assert_non_null(text);
    char want[64];
    snprintf(want, sizeof want, "pid=%ld\n", (long)getpid());
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "mode=fcntl\n"));
    char before[8192];
    snprintf(before, sizeof before, "%s", text);

    for (int brk = 0; brk < 2; brk++) { /* --break-lock does not take a held lock */
        assert_int_equal(tl_lock_acquire(&second, out, ckpt, brk, why, sizeof why), TL_ERR_IO);
        char msg[128];
        snprintf(msg, sizeof msg, "is being written by PID %ld on ", (long)getpid());
        assert_non_null(strstr(why, msg));
        assert_non_null(strstr(why, "nothing was changed"));
        assert_string_equal(slurp(lock), before);
    }
    /* another output, the same checkpoint: refused, its own lock file not left */
    char other[512], other_lock[600];
    in_dir("b.h5", other, sizeof other);
    snprintf(other_lock, sizeof other_lock, "%s.lock", other);
    assert_int_equal(tl_lock_acquire(&second, other, ckpt, 0, why, sizeof why), TL_ERR_IO);
    assert_non_null(strstr(why, "a.h5.ckpt is being written by PID"));
    assert_int_not_equal(access(other_lock, F_OK), 0);

    tl_lock_release(&first);
    assert_int_not_equal(access(lock, F_OK), 0);
    assert_int_equal(tl_lock_acquire(&second, out, ckpt, 0, why, sizeof why), TL_OK);
    tl_lock_release(&second);
}

/* A holder whose lock was broken (its file replaced) removes nothing at its end. */
static void test_release_only_own(void **state)
{
    (void)state;
    char out[512], lock[600], tmp[700], why[2048], other[512], other_lock[600];
    in_dir("c.h5", out, sizeof out);
    in_dir("elsewhere.bin", other, sizeof other);
    snprintf(other_lock, sizeof other_lock, "%s.lock", other);
    snprintf(lock, sizeof lock, "%s.lock", out);
    snprintf(tmp, sizeof tmp, "%s.new", lock);
    tl_lock lk;
    assert_int_equal(tl_lock_acquire(&lk, out, other, 0, why, sizeof why), TL_OK);
    assert_int_equal(lk.n, 2);
    tl_lock_release(&lk); /* both files go */
    assert_int_not_equal(access(lock, F_OK), 0);
    assert_int_not_equal(access(other_lock, F_OK), 0);

    assert_int_equal(tl_lock_acquire(&lk, out, other, 0, why, sizeof why), TL_OK);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs("pid=1\nhost=another\n", f);
    fclose(f);
    assert_int_equal(rename(tmp, lock), 0);
    tl_lock_release(&lk);
    assert_int_equal(access(lock, F_OK), 0); /* not ours: kept */
    unlink(lock);
}

static void test_fallback(void **state)
{
    (void)state;
    char out[512], ckpt[512], lock[600], why[2048];
    in_dir("d.h5", out, sizeof out);
    in_dir("d.h5.ckpt", ckpt, sizeof ckpt);
    snprintf(lock, sizeof lock, "%s.lock", out);
    setenv("THERMOLEARN_TEST_NO_FCNTL", "1", 1);
    tl_lock first, second;
    assert_int_equal(tl_lock_acquire(&first, out, ckpt, 0, why, sizeof why), TL_OK);
    assert_non_null(strstr(slurp(lock), "mode=exclusive\n"));
    /* the record names this process, which lives; our own PID counts as gone
     * (a reused one), so pretend to be another process of this host: PID 1 */
    char text[8192];
    snprintf(text, sizeof text, "%s", slurp(lock));
    char *pid = strstr(text, "pid=");
    assert_non_null(pid);
    FILE *f = fopen(lock, "w");
    assert_non_null(f);
    fprintf(f, "%.*spid=1\n%s", (int)(pid - text), text, strchr(pid, '\n') + 1);
    fclose(f);
    snprintf(text, sizeof text, "%s", slurp(lock));
    assert_int_equal(tl_lock_acquire(&second, out, ckpt, 1, why, sizeof why), TL_ERR_IO);
    assert_non_null(strstr(why, "is being written by PID 1 on "));
    assert_string_equal(slurp(lock), text);
    unsetenv("THERMOLEARN_TEST_NO_FCNTL");
    tl_lock_release(&first);
    assert_int_not_equal(access(lock, F_OK), 0);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_second_refused),
        cmocka_unit_test(test_release_only_own),
        cmocka_unit_test(test_fallback),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return failed;
}
