#!/usr/bin/env bash
# Fuzzing (libFuzzer, with ASan and UBSan): a short run of each target in
# tests/fuzz/ on seed corpora, then the real binary on the kinds of bad input
# the fuzzers produce.  fuzz_idx: the IDX and text-table readers; no crash,
# every rejection names the file.  fuzz_config: the input-file parser and the models'
# point checks; no crash, and every rejection names the file.  fuzz_h5:
# `check` and `info` on good, truncated, foreign and random files; no crash,
# statuses 0, 1 or 2.  Inputs on which the HDF5 library loops for ever
# (libFuzzer timeouts) must end, in the real binary, with the --timeout
# watchdog's message and status 2.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"
SECONDS_EACH=${FUZZ_SECONDS:-15}
# allocator_may_return_null: a damaged size makes HDF5 ask for a terabyte; in the
# real binary malloc returns NULL and HDF5 fails cleanly, which is what to test.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ ! -x "$ROOT/build/fuzz/fuzz_config" ] || [ ! -x "$ROOT/build/fuzz/fuzz_h5" ] || [ ! -x "$ROOT/build/fuzz/fuzz_idx" ]; then
    command -v clang >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null 2>&1
    command -v clang >/dev/null || { echo "SKIP: clang is not installed and cannot be installed here"; echo "0 passed, 0 failed"; exit 0; }
    make -C "$ROOT" -s fuzz >/dev/null || { fail "make fuzz"; finish; exit 1; }
fi
cp "$BIN" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cp "$ROOT"/build/fuzz/fuzz_config "$ROOT"/build/fuzz/fuzz_h5 "$ROOT"/build/fuzz/fuzz_idx "$TMP/"
cd "$TMP"

# fuzz NAME CORPUS: a short libFuzzer run that goes on after timeouts and crashes; then
# every crash is replayed alone for its stack.  A crash in our code fails.  A crash
# (or an allocation over 2 GB) inside the HDF5 library itself (libhdf5 1.10 has
# such bugs on damaged files) is kept, like a timeout, for the replay through
# the real binary below.  A crash that does not happen again when its input is
# replayed alone (twice) came from state the fuzzing process built up over many
# inputs: in fuzz_h5 that is libhdf5's (its free lists keep freed blocks, so a
# later input's allocation can pass the 2 GB limit); such an input is kept for
# the same replay through the real binary, which reads one file per process.
# In the other targets all state is ours, and such a crash fails.
fuzz() {
    local name=$1 corpus=$2 rc runs c ours=0 lib=0 alone=0 try
    ./"$name" -fork=1 -ignore_timeouts=1 -ignore_crashes=1 -max_total_time="$SECONDS_EACH" -timeout=5 \
        -rss_limit_mb=2048 -close_fd_mask=2 -artifact_prefix="$TMP/art_${name}_" "$corpus" > "$name.log" 2>&1
    rc=$?
    runs=$(grep -o "#[0-9]*:" "$name.log" | tail -1 | tr -d '#:')
    for c in "$TMP"/art_"${name}"_{crash,leak,oom}*; do
        [ -f "$c" ] || continue
        for try in 1 2; do
            timeout 120 ./"$name" -rss_limit_mb=2048 "$c" > "$c.trace" 2>&1
            grep -q "ERROR\|runtime error" "$c.trace" && break
        done
        if ! grep -q "ERROR\|runtime error" "$c.trace" && [ "$name" = fuzz_h5 ]; then
            alone=$((alone + 1)); cp "$c" "$TMP/art_${name}_alone_$alone"
            echo "($name: $(basename "$c") did not crash when replayed alone; its replay printed:)"
            tail -3 "$c.trace" | sed 's/^/    /'
        # a crash: the first frame in either libhdf5 or our code (by source path, or by
        # the binary where the symbolizer is missing) decides; libc's memcpy, the
        # sanitizers, libFuzzer and the allocator come before both or between (so for
        # a single allocation over the limit, "out-of-memory (malloc(N))").  An RSS
        # limit's report, "out-of-memory (used: ...)", lists the largest live
        # allocations instead (libFuzzer's own and MPI's among them): it is ours only
        # if one of them comes from our sources.
        elif if grep -q "ERROR: libFuzzer: out-of-memory (used:" "$c.trace"; then
                 ! grep -E "^ +#[0-9]+ " "$c.trace" | grep -q "/src/"
             else
                 grep -E "^ +#[0-9]+ " "$c.trace" |
                     grep -v "fuzzer::\|__interceptor_\|__sanitizer\|__asan\|__ubsan\| in malloc \| in calloc \| in realloc \| in free \| in main \|libstdc++" |
                     grep -m1 "libhdf5\|/src/\|/tests/fuzz/\|/$name+0x" | grep -q "libhdf5"
             fi; then
            lib=$((lib + 1)); cp "$c" "$TMP/art_${name}_libcrash_$lib"
        else
            ours=$((ours + 1))
            fail "$name: a crash in thermolearn: $(grep -m1 "ERROR\|runtime error" "$c.trace" || echo "not repeated alone; the replay printed: $(tail -2 "$c.trace")")"
            grep -E "^ +#[0-9]+ " "$c.trace" | head -8
            mkdir -p "$ROOT/build/fuzz/artifacts" && cp "$c" "$ROOT/build/fuzz/artifacts/" && echo "  kept in build/fuzz/artifacts/"
            echo "  the input, base64 (first 4000 characters): $(base64 -w0 "$c" | head -c 4000)"
        fi
    done
    [ $ours = 0 ] && pass "$name: ${runs:-?} inputs in ${SECONDS_EACH} s, no crash in thermolearn ($lib crash(es) inside libhdf5, $alone not repeated alone and $(ls "$TMP"/art_"${name}"_timeout* 2>/dev/null | wc -l) timeout(s) kept for the replay; libFuzzer exit $rc)"
}

# ---- the input parser ----------------------------------------------------------------------
mkdir -p cfg
cp "$ROOT"/inputs/*.ini cfg/
printf '[run]\nmodel = hopfield\ntrajectories = 10\n[grid]\ngamma = 0:1:3\n[hopfield]\nbeta = 1\n' > cfg/grid.ini
fuzz fuzz_config cfg

# ---- the IDX and text-table readers (src/data) -----------------------------------------------
mkdir -p idx
"$PY" - <<'PYEOF'
import gzip, struct
def idx(dims):
    n = 1
    for d in dims: n *= d
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(i % 251 for i in range(n))
for k, d in enumerate([[3, 4, 5], [10], [2, 2, 2, 2]]):
    open(f"idx/raw{k}", "wb").write(idx(d))
    open(f"idx/gz{k}", "wb").write(gzip.compress(idx(d), mtime=0))
open("idx/table.txt", "w").write("1 2 0\n3, 4, 1  # c\n")
PYEOF
fuzz fuzz_idx idx

# ---- check and info ------------------------------------------------------------------------
printf '[run]\nmodel = hopfield\ntrajectories = 20\n[hopfield]\nn = 4\nsteps = 3\ntemperature = 2\n[histogram]\nbins = 4\n' > tiny.ini
"$BIN" run tiny.ini -o tiny.h5 --quiet || fail "tiny run exited $?"
mkdir -p h5
cp tiny.h5 h5/
head -c 3000 tiny.h5 > h5/truncated.h5
"$PY" -c "import h5py; f = h5py.File('h5/foreign.h5', 'w'); f['x'] = [1, 2, 3]; f.attrs['program'] = 'other'"
head -c 700 /dev/urandom > h5/random.bin
fuzz fuzz_h5 h5

# ---- the real binary on the same kinds of file: status 2 and a message naming the file -----------
bad_file() { # name file
    local rc
    for cmd in check info; do
        timeout 60 "$BIN" "$cmd" "$2" --timeout 5 > /dev/null 2> "$1.err"
        rc=$?
        if [ $rc = 2 ] && grep -qF "$2" "$1.err"; then pass "$cmd on $1: status 2, '$(head -1 "$1.err")'"
        else fail "$cmd on $1: status $rc, stderr: $(head -c 200 "$1.err")"; fi
    done
}
for cut in 0 100 2000 20000; do head -c $cut tiny.h5 > cut$cut.h5; bad_file "truncated to $cut bytes" "cut$cut.h5"; done
bad_file "a foreign HDF5 file" h5/foreign.h5
bad_file "random bytes" h5/random.bin
bad_file "a directory" h5
# A file found by the fuzzer on which libhdf5 1.10 loops for ever in `info`
# (H5Aread of a string attribute, H5HG_read): the watchdog ends it.
t="$ROOT/tests/fuzz/h5_regressions/libhdf5_loops_in_info.h5"
timeout 60 "$BIN" info "$t" --timeout 3 > /dev/null 2> loop.err
rc=$?
[ $rc = 2 ] && grep -q "did not finish in time" loop.err && pass "info on a file libhdf5 loops on: watchdog, status 2" ||
    fail "info on a file libhdf5 loops on: status $rc, $(head -c 200 loop.err)"

# Files on which libhdf5 loops or crashes (in check, in info, or in only one
# of them): each command ends in time with status 0, 1 or 2, never a signal,
# and a status 2 comes with a message naming the file (the watchdog's or the
# crash handler's).
ends_cleanly() { # name file
    local rc cmd
    for cmd in check info; do
        timeout 60 "$BIN" "$cmd" "$2" --timeout 5 > /dev/null 2> "$1.err"
        rc=$?
        if [ $rc -le 1 ] || { [ $rc = 2 ] && grep -qF "$2" "$1.err"; }; then
            pass "$cmd on $1: status $rc $(head -c 150 "$1.err" | head -1)"
        else
            fail "$cmd on $1: status $rc, stderr: $(head -c 200 "$1.err")"
        fi
    done
}
# A file found by the fuzzer on which libhdf5 1.10 crashes in `info` (a memcpy
# inside H5Aexists): the crash handler ends it.
ends_cleanly "a file libhdf5 crashes on in H5Aexists" "$ROOT/tests/fuzz/h5_regressions/libhdf5_segv_in_attr_exists.h5"
n=0
for t in "$TMP"/art_fuzz_h5_alone_* "$TMP"/art_fuzz_h5_timeout* "$TMP"/art_fuzz_h5_libcrash_*; do
    [ -f "$t" ] || continue
    n=$((n + 1)); [ $n -gt 4 ] && break
    ends_cleanly "a file libhdf5 loops on or crashes on ($(basename "$t" | cut -c13-30))" "$t"
done
[ $n = 0 ] && echo "(no input made the HDF5 library loop or crash in this short run)"
finish
