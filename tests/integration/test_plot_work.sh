#!/usr/bin/env bash
# Integration test of analysis/plot_work.py.
#
# Usage: tests/integration/test_plot_work.sh [path/to/thermolearn]
#
# The engine is not required: the test writes a synthetic thermolearn HDF5 file
# (Gaussian work distributions obeying Crooks, 2 grid points, axis `gamma`) with
# tests/tools/make_synthetic_h5.py and plots it.  If the thermolearn binary is
# given AND $PLOT_WORK_INPUT names an input file, the engine's own output for
# that input is plotted as well.
# Prints PASS:/FAIL:/SKIP: lines; exits non-zero if anything failed.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${PY:-/usr/bin/python3}"
BIN="${1:-}"
PLOT="$ROOT/analysis/plot_work.py"
GEN="$ROOT/tests/tools/make_synthetic_h5.py"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/test_plot_work.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# check_png FILE MIN_WIDTH MIN_HEIGHT: exists, PNG magic, plausible size and dims
check_png() {
    local f="$1" minw="$2" minh="$3" magic size dims w h
    if [ ! -s "$f" ]; then fail "$f was not written"; return 1; fi
    magic="$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')"
    if [ "$magic" != "89504e470d0a1a0a" ]; then
        fail "$(basename "$f") is not a PNG (magic bytes $magic)"; return 1
    fi
    size=$(wc -c < "$f")
    if [ "$size" -lt 10000 ] || [ "$size" -gt 20000000 ]; then
        fail "$(basename "$f") has an implausible size ($size bytes)"; return 1
    fi
    # IHDR: width and height are big-endian uint32 at bytes 16..23
    dims="$(head -c 24 "$f" | tail -c 8 | od -An -tu1 | tr -s ' ' | sed 's/^ //')"
    read -r a b c d e f2 g h2 <<< "$dims"
    w=$(( (a << 24) | (b << 16) | (c << 8) | d ))
    h=$(( (e << 24) | (f2 << 16) | (g << 8) | h2 ))
    if [ "$w" -lt "$minw" ] || [ "$h" -lt "$minh" ] || [ "$w" -gt 20000 ] || [ "$h" -gt 20000 ]; then
        fail "$(basename "$f") has implausible dimensions ${w}x${h}"; return 1
    fi
    pass "$(basename "$f") is a valid PNG (${size} bytes, ${w}x${h})"
}

# expect_status WANT DESCRIPTION -- command...: exit status and an error message
expect_status() {
    local want="$1" what="$2" rc
    shift 3
    "$@" > "$TMP/out.txt" 2> "$TMP/err.txt"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$what: exit status $rc, expected $want ($(head -c 300 "$TMP/err.txt"))"
        return 1
    fi
    if [ "$want" -ne 0 ] && ! grep -qi "error" "$TMP/err.txt"; then
        fail "$what: exit status $want but no error message on stderr"
        return 1
    fi
    pass "$what (exit $rc)"
}

if [ ! -x "$PY" ] && ! command -v "$PY" > /dev/null; then
    fail "python interpreter $PY not found"; exit 1
fi

# --- synthetic input files -------------------------------------------------------
if "$PY" "$GEN" "$TMP/synth.h5" --points 2 --bins 40 --trajectories 4000 > "$TMP/gen.txt" 2>&1; then
    pass "synthetic thermolearn file written ($(tr '\n' ';' < "$TMP/gen.txt"))"
else
    fail "make_synthetic_h5.py failed: $(cat "$TMP/gen.txt")"; exit 1
fi
"$PY" "$GEN" "$TMP/grid5.h5" --points 5 --no-samples --no-axes --nan-exact 1,2 > /dev/null 2>&1 \
    || fail "make_synthetic_h5.py (5 points, variants) failed"
"$PY" "$GEN" "$TMP/other.h5" --program notthermolearn > /dev/null 2>&1 \
    || fail "make_synthetic_h5.py (--program) failed"

# the synthetic file obeys the contract: mirrored reverse edges, Crooks estimates
if "$PY" - "$TMP/synth.h5" > "$TMP/layout.txt" 2>&1 <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["program"] == "thermolearn"
P = int(f.attrs["n_points"]); B = f["work/forward/counts"].shape[1]
assert P == 2 and list(f["parameters"].attrs["axes"]) == ["gamma"]
ef, er = f["work/forward/edges"][()], f["work/reverse/edges"][()]
assert ef.shape == (P, B + 1) and np.allclose(er, -ef[:, ::-1])
assert f["work/forward/counts"].dtype == np.uint64 and f["work/forward/outliers"].shape == (P, 2)
for name in ("delta_f_crossing", "delta_f_bar", "delta_f_bar_err"):
    assert f["estimates/" + name].shape == (P,)
exact = f["hopfield/delta_f_exact"][()]
for est in ("delta_f_crossing", "delta_f_bar"):
    d = np.abs(f["estimates/" + est][()] - exact)
    assert np.all(d < 0.2), (est, d)
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        assert "description" in obj.attrs and "units" in obj.attrs, name
f.visititems(visit)
print("ok")
EOF
then pass "synthetic file follows the layout (mirrored edges, estimates near exact dF)"
else fail "synthetic file layout: $(tail -3 "$TMP/layout.txt")"
fi

# --- plotting ----------------------------------------------------------------------
if "$PY" "$PLOT" "$TMP/synth.h5" > "$TMP/out.txt" 2> "$TMP/err.txt"; then
    pass "plot_work.py synth.h5 (default output name)"
    check_png "$TMP/synth.png" 600 300
else
    fail "plot_work.py synth.h5 exited $?: $(head -c 500 "$TMP/err.txt")"
fi

if "$PY" "$PLOT" "$TMP/synth.h5" -o "$TMP/synth_log.png" --log > "$TMP/out.txt" 2> "$TMP/err.txt"; then
    pass "plot_work.py --log -o"
    check_png "$TMP/synth_log.png" 600 300
else
    fail "plot_work.py --log exited $?: $(head -c 500 "$TMP/err.txt")"
fi

if "$PY" "$PLOT" "$TMP/synth.h5" -o "$TMP/synth_p1.png" --points 1 > "$TMP/out.txt" 2> "$TMP/err.txt"; then
    pass "plot_work.py --points 1"
    check_png "$TMP/synth_p1.png" 300 300
else
    fail "plot_work.py --points 1 exited $?: $(head -c 500 "$TMP/err.txt")"
fi

if "$PY" "$PLOT" "$TMP/grid5.h5" -o "$TMP/grid5.png" --points 0,3 > "$TMP/out.txt" 2> "$TMP/err.txt" \
   && "$PY" "$PLOT" "$TMP/grid5.h5" -o "$TMP/grid5_all.png" > "$TMP/out.txt" 2> "$TMP/err.txt"; then
    pass "plot_work.py on 5 points without samples/axes, NaN exact dF"
    check_png "$TMP/grid5.png" 600 300
    check_png "$TMP/grid5_all.png" 900 600
else
    fail "plot_work.py on grid5.h5 exited $?: $(head -c 500 "$TMP/err.txt")"
fi

# --- bad input: exit status 2 with a message -----------------------------------------
printf 'this is not an HDF5 file\n' > "$TMP/text.h5"
expect_status 2 "non-HDF5 file rejected" -- "$PY" "$PLOT" "$TMP/text.h5" -o "$TMP/x1.png"
expect_status 2 "missing file rejected" -- "$PY" "$PLOT" "$TMP/does_not_exist.h5" -o "$TMP/x2.png"
expect_status 2 "HDF5 file with program != thermolearn rejected" -- "$PY" "$PLOT" "$TMP/other.h5" -o "$TMP/x3.png"
expect_status 2 "out-of-range --points rejected" -- "$PY" "$PLOT" "$TMP/synth.h5" --points 0,7 -o "$TMP/x4.png"
for f in x1 x2 x3 x4; do
    [ -e "$TMP/$f.png" ] && fail "an output $f.png was written for bad input"
done

# --- optional: the engine's own output ------------------------------------------------
if [ -n "$BIN" ] && [ -x "$BIN" ] && [ -n "${PLOT_WORK_INPUT:-}" ] && [ -f "${PLOT_WORK_INPUT}" ]; then
    if ${MPIRUN:-} "$BIN" run "$PLOT_WORK_INPUT" -o "$TMP/engine.h5" --force > "$TMP/engine.txt" 2>&1; then
        if "$PY" "$PLOT" "$TMP/engine.h5" -o "$TMP/engine.png" > "$TMP/out.txt" 2> "$TMP/err.txt"; then
            pass "plot_work.py on engine output of $PLOT_WORK_INPUT"
            check_png "$TMP/engine.png" 300 300
        else
            fail "plot_work.py on engine output: $(head -c 500 "$TMP/err.txt")"
        fi
    else
        fail "engine run on $PLOT_WORK_INPUT failed: $(tail -5 "$TMP/engine.txt")"
    fi
else
    echo "SKIP: engine output (pass the thermolearn binary as \$1 and set PLOT_WORK_INPUT to plot a real run)"
fi

if [ "$fails" -ne 0 ]; then
    echo "FAIL: test_plot_work.sh ($fails check(s) failed)"
    exit 1
fi
echo "PASS: test_plot_work.sh"
exit 0
