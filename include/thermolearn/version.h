/* Provenance of the binary: the release and the exact commit it was built from.
 *
 * The Makefile generates build/version.c on every build and rewrites it only
 * when `git describe --always --dirty` changes, so the stamp is never stale:
 * a commit or an edit recompiles this one file and relinks.
 */
#ifndef THERMOLEARN_VERSION_H
#define THERMOLEARN_VERSION_H

extern const char tl_version[];    /* "0.1.0" */
extern const char tl_git_commit[]; /* `git describe --always --dirty`; "unknown" outside git */
/* 1 when tracked files differed from the commit (or git was unavailable):
 * the commit alone does not reproduce the binary. */
extern const int tl_git_dirty;

#endif
