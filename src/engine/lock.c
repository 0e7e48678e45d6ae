/* The lock of an output; see lock.h and docs/locking.md. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "thermolearn/error.h"
#include "thermolearn/lock.h"
#include "thermolearn/status.h"

/* Who holds (or held) a lock, as its file says. */
typedef struct {
    long pid;
    char host[256];
    char job[64];
    long long started;
    int fcntl_mode; /* the holder had an fcntl lock: the kernel's answer is the truth */
} holder;

/* How a lock was found. */
enum { LOCK_FREE, LOCK_DEAD, LOCK_RELEASED, LOCK_BROKEN };

static void this_host(char *host, size_t len)
{
    if (gethostname(host, len) != 0) snprintf(host, len, "unknown");
    host[len - 1] = '\0';
}

void tl_lock_path(const char *target, int is_checkpoint, char *path, size_t len)
{
    size_t n = strlen(target);
    if (is_checkpoint && n > 5 && strcmp(target + n - 5, ".ckpt") == 0)
        snprintf(path, len, "%.*s.lock", (int)(n - 5), target);
    else snprintf(path, len, "%s.lock", target);
}

/* ---- the record in the file ---------------------------------------------------------- */

/* 1 if the file holds a whole record. */
static int read_holder(int fd, holder *h)
{
    char text[4096];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    memset(h, 0, sizeof *h);
    if (n <= 0) return 0;
    text[n] = '\0';
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (sscanf(line, "pid=%ld", &h->pid) == 1) continue;
        if (sscanf(line, "host=%255s", h->host) == 1) continue;
        if (sscanf(line, "job=%63s", h->job) == 1) continue;
        if (sscanf(line, "started=%lld", &h->started) == 1) continue;
        if (strcmp(line, "mode=fcntl") == 0) h->fcntl_mode = 1;
    }
    return h->pid > 0 && h->host[0];
}

static int write_holder(int fd, const char *target, int fcntl_mode)
{
    char host[256], text[8192], utc[64];
    this_host(host, sizeof host);
    time_t now = time(NULL);
    struct tm tm;
    strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    const char *job = getenv("SLURM_JOB_ID");
    int n = snprintf(text, sizeof text,
                     "thermolearn lock: a run writes %s; removed when it ends (docs/locking.md)\n"
                     "pid=%ld\nhost=%s\njob=%s\nstarted=%lld\nstarted_utc=%s\nmode=%s\n",
                     target, (long)getpid(), host, job && *job ? job : "", (long long)now, utc,
                     fcntl_mode ? "fcntl" : "exclusive");
    if (n < 0 || (size_t)n >= sizeof text) return -1;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) return -1;
    return fsync(fd);
}

/* "PID 1234 on node17 (started 10:42, SLURM job 5678)" */
static void describe(const holder *h, char *out, size_t len)
{
    char when[64] = "?";
    time_t t = (time_t)h->started, now = time(NULL);
    struct tm tm, today;
    if (h->started > 0 && localtime_r(&t, &tm) && localtime_r(&now, &today)) {
        int same_day = tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday;
        strftime(when, sizeof when, same_day ? "%H:%M" : "%Y-%m-%d %H:%M", &tm);
    }
    snprintf(out, len, "PID %ld on %s (started %s%s%s)", h->pid, h->host, when, h->job[0] ? ", SLURM job " : "",
             h->job);
}

/* A zombie (killed, its parent not yet told) counts as dead: it holds no files. */
static int pid_alive(long pid)
{
    if (pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno != EPERM)) return 0;
    char path[64], stat[512] = "";
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 1; /* no /proc: kill's answer */
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *end = strrchr(stat, ')'); /* "pid (command) state ..." */
    return !(end && end[1] == ' ' && end[2] == 'Z');
}

/* ---- one lock file ------------------------------------------------------------------- */

/* 0: locked; 1: another process holds it; -1: no fcntl locks here (errno). */
static int set_fcntl_lock(int fd)
{
    if (getenv("THERMOLEARN_TEST_NO_FCNTL")) return errno = ENOLCK, -1; /* test hook: the fallback */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
#ifdef F_OFD_SETLK
    /* An open-file-description lock: not dropped when some library of this
     * process happens to close another descriptor of the same file. */
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return 0;
    if (errno == EAGAIN || errno == EACCES) return 1;
    if (errno != EINVAL) return -1; /* EINVAL: a kernel before 3.15 */
#endif
    if (fcntl(fd, F_SETLK, &fl) == 0) return 0;
    return errno == EAGAIN || errno == EACCES ? 1 : -1;
}

/* The path still names the file open on fd (a holder that ends removes it). */
static int still_there(const tl_lock_file *lf)
{
    struct stat st;
    return stat(lf->path, &st) == 0 && st.st_dev == lf->dev && st.st_ino == lf->ino;
}

static void close_file(tl_lock_file *lf)
{
    if (lf->fd >= 0) close(lf->fd);
    lf->fd = -1;
}

/* A lock file found taken: why the start is refused. */
static int refuse(const tl_lock_file *lf, const holder *h, int other_host, int break_lock, char *why, size_t len)
{
    char who[512];
    describe(h, who, sizeof who);
    if (other_host)
        snprintf(why, len,
                 "%s is being written by %s, says its lock %s; that is another host, so this one cannot tell whether "
                 "that run still lives: if it does not, run again with --break-lock; nothing was changed",
                 lf->target, who, lf->path);
    else
        snprintf(why, len, "%s is being written by %s; nothing was changed%s", lf->target, who,
                 break_lock ? " (--break-lock takes only the lock of a run that is gone)" : "");
    return TL_ERR_IO;
}

/* Whether a lock with holder h, which this process could take, is taken:
 * LOCK_* or TL_ERR_IO (refused). got_fcntl: the kernel gave us its fcntl lock. */
static int judge(const tl_lock_file *lf, const holder *h, int got_fcntl, int break_lock, char *why, size_t len)
{
    char host[256];
    this_host(host, sizeof host);
    if (strcmp(h->host, host) != 0) {
        /* fcntl locks may be local to a node (Lustre localflock): a free one
         * proves nothing about a holder on another host. */
        if (break_lock) return LOCK_BROKEN;
        refuse(lf, h, 1, 0, why, len);
        return -1;
    }
    if (got_fcntl && h->fcntl_mode) return LOCK_RELEASED;
    if (!pid_alive(h->pid)) return LOCK_DEAD;
    refuse(lf, h, 0, break_lock, why, len);
    return -1;
}

/* Opens and locks lf, without writing: *how is LOCK_*, *old the former holder. */
static int lock_one(tl_lock_file *lf, int break_lock, holder *old, int *how, char *why, size_t len)
{
    memset(old, 0, sizeof *old);
    /* Retries: a holder that ends removes its file between our open and our
     * lock; a starting holder has locked but not yet written its record. */
    int no_fcntl = 0;
    for (int attempt = 0; attempt < 60; attempt++) {
        if (attempt > 0) nanosleep(&(struct timespec){0, 50000000}, NULL);
        lf->created = 0;
        lf->fd = open(lf->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (lf->fd >= 0) lf->created = 1;
        else if (errno == EEXIST) {
            lf->fd = open(lf->path, O_RDWR | O_CLOEXEC);
            if (lf->fd < 0 && errno == ENOENT) continue; /* removed by its holder in between */
        }
        struct stat st;
        if (lf->fd < 0 || fstat(lf->fd, &st) != 0) { /* a missing or read-only directory, as a rule */
            snprintf(why, len, "cannot %s %s (does the directory exist and is it writable?): its lock file %s: %s",
                     lf->checkpoint ? "write the checkpoint" : "create output", lf->target, lf->path,
                     strerror(errno));
            close_file(lf);
            return TL_ERR_IO;
        }
        lf->dev = st.st_dev, lf->ino = st.st_ino;
        int r = set_fcntl_lock(lf->fd);
        lf->fcntl_mode = r == 0;
        no_fcntl = r < 0;
        if (r < 0 && errno != ENOLCK && errno != EOPNOTSUPP && errno != ENOTSUP && errno != ENOSYS &&
            errno != EINVAL) {
            snprintf(why, len, "cannot lock %s: %s; nothing was changed", lf->path, strerror(errno));
            close_file(lf);
            return TL_ERR_IO;
        }
        if (!still_there(lf)) { /* its holder ended and removed it: start again */
            close_file(lf);
            continue;
        }
        int whole = read_holder(lf->fd, old);
        if (r == 0 && !whole) return *how = LOCK_FREE, TL_OK; /* new, or its maker died at once */
        if (r < 0 && lf->created) return *how = LOCK_FREE, TL_OK; /* O_EXCL made it ours */
        if (!whole) { /* a holder is just starting: wait for its record */
            close_file(lf);
            continue;
        }
        if (r == 1) *how = -1, refuse(lf, old, 0, break_lock, why, len); /* alive: the kernel says so */
        else *how = judge(lf, old, r == 0, break_lock, why, len);
        if (*how >= 0) return TL_OK;
        close_file(lf); /* refused: the file stays as it was */
        return TL_ERR_IO;
    }
    snprintf(why, len,
             "%s is locked by %s, which names no holder (a run still starting, or one killed while it started "
             "where fcntl locks do not work: then run again with --break-lock); nothing was changed",
             lf->target, lf->path);
    if (break_lock && no_fcntl) {
        /* --break-lock on an O_EXCL lock file without a record (with fcntl
         * locks, one is held: its holder lives): remove it, start over once */
        struct stat st;
        if (stat(lf->path, &st) == 0 && unlink(lf->path) == 0) return lock_one(lf, 0, old, how, why, len);
    }
    return TL_ERR_IO;
}

/* Writes our record into a locked file (replacing a dead holder's file where
 * there are no fcntl locks: removed, created anew with O_EXCL). */
static int commit_one(tl_lock_file *lf, int how, char *why, size_t len)
{
    if (!lf->fcntl_mode && how != LOCK_FREE) {
        if (!still_there(lf) || unlink(lf->path) != 0) {
            snprintf(why, len, "%s: another run took over the lock %s at the same moment; nothing was changed",
                     lf->target, lf->path);
            close_file(lf);
            return TL_ERR_IO;
        }
        close_file(lf);
        lf->fd = open(lf->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        struct stat st;
        if (lf->fd < 0 || fstat(lf->fd, &st) != 0) {
            snprintf(why, len, "%s: another run took over the lock %s at the same moment", lf->target, lf->path);
            close_file(lf);
            return TL_ERR_IO;
        }
        lf->created = 1, lf->dev = st.st_dev, lf->ino = st.st_ino;
    }
    if (write_holder(lf->fd, lf->target, lf->fcntl_mode) != 0) {
        snprintf(why, len, "cannot write the lock file %s: %s", lf->path, strerror(errno));
        return TL_ERR_IO;
    }
    return TL_OK;
}

/* Gives up a lock taken by lock_one but not committed: a file this process
 * made goes, any other stays as it was. */
static void abandon_one(tl_lock_file *lf)
{
    if (lf->fd >= 0 && lf->created && still_there(lf)) unlink(lf->path);
    close_file(lf);
}

static void takeover_message(const tl_lock_file *lf, const holder *h, int how)
{
    char who[512];
    describe(h, who, sizeof who);
    const char *reason = how == LOCK_DEAD ? "that process no longer exists"
                         : how == LOCK_RELEASED ? "that process no longer holds it"
                                                : "--break-lock";
    tl_message("thermolearn: taking over the lock %s of %s: %s", lf->path, who, reason);
}

int tl_lock_acquire(tl_lock *lk, const char *output, const char *checkpoint, int break_lock, char *why,
                    size_t len)
{
    memset(lk, 0, sizeof *lk);
    const char *targets[2] = {output, checkpoint};
    for (size_t k = 0; k < 2; k++) {
        tl_lock_file *lf = &lk->file[lk->n];
        tl_lock_path(targets[k], k == 1, lf->path, sizeof lf->path);
        lf->target = targets[k];
        lf->checkpoint = k == 1;
        lf->fd = -1;
        if (k == 0 || strcmp(lf->path, lk->file[0].path) != 0) lk->n++;
    }
    holder old[2];
    int how[2], status = TL_OK;
    for (size_t k = 0; k < lk->n && !status; k++) {
        struct stat st;
        /* the checkpoint's lock by another name, the output's file: taken already */
        if (k == 1 && stat(lk->file[1].path, &st) == 0 && st.st_dev == lk->file[0].dev &&
            st.st_ino == lk->file[0].ino) {
            lk->n = 1;
            break;
        }
        status = lock_one(&lk->file[k], break_lock, &old[k], &how[k], why, len);
    }
    for (size_t k = 0; k < lk->n && !status; k++) status = commit_one(&lk->file[k], how[k], why, len);
    if (status) {
        for (size_t k = 0; k < lk->n; k++) abandon_one(&lk->file[k]);
        lk->n = 0;
        return status;
    }
    for (size_t k = 0; k < lk->n; k++)
        if (how[k] != LOCK_FREE) takeover_message(&lk->file[k], &old[k], how[k]);
    return TL_OK;
}

int tl_lock_exists(const char *output, const char *checkpoint)
{
    char path[TL_LOCK_PATH_LEN];
    tl_lock_path(output, 0, path, sizeof path);
    if (access(path, F_OK) == 0) return 1;
    tl_lock_path(checkpoint, 1, path, sizeof path);
    return access(path, F_OK) == 0;
}

void tl_lock_release(tl_lock *lk)
{
    /* Removed while still locked, so a run waiting on it sees it go (and
     * starts over) instead of locking a file no longer in the directory. */
    for (size_t k = 0; k < lk->n; k++) {
        tl_lock_file *lf = &lk->file[k];
        if (lf->fd >= 0 && still_there(lf)) unlink(lf->path);
        close_file(lf);
    }
    lk->n = 0;
}
