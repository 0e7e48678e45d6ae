#!/usr/bin/env bash
# Build and provenance, in a temporary clone of the repository (the working
# tree is never touched):
#  - after a commit, the rebuilt binary's --version and a new output file's
#    git_commit name the new commit, and git_dirty is 0; after an uncommitted
#    edit they say "-dirty" and git_dirty is 1 (the stamp was once stale);
#  - a commit that touches one source file recompiles that file and the stamp only;
#  - editing src/analysis/h5read.h recompiles exactly its users, editing a public
#    header (sha256.h) exactly its users (once: nothing, and then: everything);
#  - PORTABLE=1 compiles with -march=x86-64-v3, and a later plain build
#    recompiles with -march=native (objects follow the flags).
# Fails when the stamp is stale, dependencies are missed or overdone, or the
# flags do not reach the objects.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
R=$TMP/repo
git clone -q "$ROOT" "$R" || { fail "git clone"; finish; exit; }
cd "$R"
git config user.email test@example.org; git config user.name test
# Reuse the objects of the working tree (when built), made newer than the clone's sources.
if [ -d "$ROOT/build" ]; then
    mkdir -p build && cp -a "$ROOT/build/." build/ && rm -rf build/fuzz
    find build -type f -exec touch {} +
fi
make -j2 all >/dev/null 2>&1 || { fail "make all in the clone"; finish; exit; }

compiled() { grep -o -- ' -c [^ ]*' "$1" | awk '{print $2}' | sort | tr '\n' ' '; }
version() { bin/thermolearn --version; }

# A commit touching one source file.
echo "/* a comment committed by test_build.sh */" >> src/engine/numbers.c
git commit -qam "test: touch numbers.c"
want=$(git describe --always --dirty)
make all > "$TMP/make1.log" 2>&1
got=$(version)
[ "$got" = "thermolearn 0.1.0 ($want)" ] && [[ $want != *dirty* ]] \
    && pass "--version after a commit: $got" || fail "--version after a commit: '$got', expected commit $want"
c=$(compiled "$TMP/make1.log")
[ "$c" = "build/version.c src/engine/numbers.c " ] && pass "a one-file commit recompiles that file and the stamp: $c" \
    || fail "a one-file commit recompiled: $c"

run_tiny() {  # a 1-rank run of a tiny input; prints git_commit and git_dirty
    cat > "$TMP/tiny.ini" <<'INI'
[run]
model = ou
trajectories = 8
[ou]
ja = 0.5
time = 1
INI
    bin/thermolearn run "$TMP/tiny.ini" -o "$TMP/$1.h5" --force --quiet >/dev/null 2>&1 || { echo "run failed"; return; }
    "$PY" -c 'import h5py, sys; f = h5py.File(sys.argv[1], "r"); print(f.attrs["git_commit"], int(f.attrs["git_dirty"]))' "$TMP/$1.h5"
}
got=$(run_tiny clean)
[ "$got" = "$want 0" ] && pass "a file written after the commit: git_commit $want, git_dirty 0" || fail "file after commit: $got, expected '$want 0'"

# users_of HEADER: the sources of the library and the program that include
# HEADER directly or through other headers, as the preprocessor sees them
# (the oracle is cpp's own list, not the dependency files under test).
users_of() {
    local f
    for f in $(find src -name '*.c' | sort); do
        mpicc -MM -Iinclude -Isrc $(pkg-config --cflags hdf5-openmpi gsl inih 2>/dev/null) "$f" 2>/dev/null |
            tr ' \\' '\n\n' | grep -qx "$1" && printf '%s ' "$f"
    done
}

# An uncommitted edit of a private header: its users, and the stamp (now -dirty).
echo "/* an uncommitted comment */" >> src/analysis/h5read.h
make all > "$TMP/make2.log" 2>&1
users=$(users_of src/analysis/h5read.h)
c=$(compiled "$TMP/make2.log")
[ "$c" = "build/version.c $users" ] && pass "editing h5read.h recompiles its users and the stamp: $c" \
    || fail "editing h5read.h recompiled: '$c', its users are: $users"
want=$(git describe --always --dirty)
got=$(version)
[ "$got" = "thermolearn 0.1.0 ($want)" ] && [[ $want == *-dirty ]] && pass "--version with uncommitted changes: $got" \
    || fail "--version with uncommitted changes: '$got', expected $want"
got=$(run_tiny dirty)
[ "$got" = "$want 1" ] && pass "a file written from a dirty tree: git_commit $want, git_dirty 1" || fail "dirty file: $got"

# A public header: exactly its users (the sources that include it, directly or not).
echo "/* another uncommitted comment */" >> include/thermolearn/sha256.h
make all > "$TMP/make3.log" 2>&1
users=$(users_of include/thermolearn/sha256.h)
c=$(compiled "$TMP/make3.log")
[ "$c" = "$users" ] && pass "editing sha256.h recompiles its users: $c" || fail "editing sha256.h recompiled: '$c', users: $users"
make all > "$TMP/make4.log" 2>&1
c=$(compiled "$TMP/make4.log")
[ -z "$c" ] && pass "a second make recompiles nothing" || fail "a second make recompiled: $c"

# The flags reach the objects.
make PORTABLE=1 build/src/engine/grid.o > "$TMP/make5.log" 2>&1
grep -q -- '-march=x86-64-v3 .* -c src/engine/grid.c' "$TMP/make5.log" && pass "PORTABLE=1 compiles with -march=x86-64-v3" \
    || fail "PORTABLE=1: $(cat "$TMP/make5.log")"
make build/src/engine/grid.o > "$TMP/make6.log" 2>&1
grep -q -- '-march=native .* -c src/engine/grid.c' "$TMP/make6.log" && pass "a plain make after PORTABLE=1 recompiles with -march=native" \
    || fail "plain make after PORTABLE=1: $(cat "$TMP/make6.log")"
finish
