/* One writer per output: the lock file OUT.h5.lock.
 *
 * `thermolearn run` takes the lock of its output (and of its checkpoint, when
 * --checkpoint names another one) before it reads or writes anything, and
 * holds it for the life of the process.  The lock is an fcntl record lock on
 * the lock file (an open-file-description lock where the kernel has them), so
 * the kernel releases it when the holder dies, however it dies; the file also
 * holds a record of the holder (host, PID, SLURM job, start time) for the
 * message a refused run prints.  Where the file system has no fcntl locks
 * (ENOLCK, EOPNOTSUPP, ENOSYS: NFS without lockd, Lustre mounted without
 * flock/localflock), the lock file is created with O_EXCL instead and the
 * record alone tells whether the holder lives.  docs/locking.md says what this
 * guarantees where.
 *
 * Rank 0 alone calls these functions. */
#ifndef THERMOLEARN_LOCK_H
#define THERMOLEARN_LOCK_H

#include <stddef.h>
#include <sys/types.h>

#define TL_LOCK_PATH_LEN 4200

typedef struct {
    char path[TL_LOCK_PATH_LEN]; /* OUT.h5.lock */
    const char *target;          /* what it protects, for messages */
    int checkpoint;              /* the target is a checkpoint (for messages) */
    int fd;                      /* -1: not held */
    int fcntl_mode;              /* 1: an fcntl lock is held on fd; 0: O_EXCL */
    int created;                 /* this process created the file */
    dev_t dev;                   /* the locked file, to release only our own */
    ino_t ino;
} tl_lock_file;

typedef struct {
    size_t n;
    tl_lock_file file[2]; /* the output's, and the checkpoint's if another */
} tl_lock;

/* The lock file of an output OUT: OUT.lock.  Of a checkpoint C: the lock of
 * the output it is the default checkpoint of (C less ".ckpt", then ".lock"),
 * so that `-o X` and `--checkpoint X.ckpt` of another run meet in X.lock. */
void tl_lock_path(const char *target, int is_checkpoint, char *path, size_t len);

/* Takes the locks of `output` and `checkpoint` (which may share one), or none.
 * A lock whose holder is gone (this host and its PID dead, or its fcntl lock
 * released) is taken over with a message; a lock of another host only with
 * break_lock.  Returns TL_OK, or TL_ERR_IO with the reason in `why`; a refused
 * call changes no file. */
int tl_lock_acquire(tl_lock *lk, const char *output, const char *checkpoint, int break_lock, char *why,
                    size_t len);

/* Whether a lock file of output or checkpoint exists (someone may hold it). */
int tl_lock_exists(const char *output, const char *checkpoint);

/* Removes the lock files this process holds and releases them.  Safe on a
 * lock not taken. */
void tl_lock_release(tl_lock *lk);

#endif
