#!/usr/bin/env bash
# BAR agrees with the exact dF within 3 standard errors for gamma in
# {0.1, 0.5, 0.9} (the paper's N = 15, k_B T = 15, 1000 steps, 5000
# trajectories per direction), `check` says so, and `check` fails when the
# exact value is moved by 5 standard errors: the verdict can fail.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

sed -e 's/^gamma = .*/gamma = 0.1, 0.5, 0.9/' -e 's/^seed = .*/seed = 31337/' \
    "$ROOT/inputs/hopfield_gamma_sweep.ini" > "$TMP/gamma.ini"
$MPIRUN -n 2 "$BIN" run "$TMP/gamma.ini" -o "$TMP/gamma.h5" --quiet || fail "run exited $?"

"$BIN" check "$TMP/gamma.h5" > "$TMP/check.txt"
status=$?
cat "$TMP/check.txt"
[ $status = 0 ] && pass "check passes (exit 0)" || fail "check exit $status"

"$BIN" check "$TMP/gamma.h5" --json > "$TMP/check.json" || true
"$PY" - "$TMP/check.json" "$TMP/gamma.h5" <<'PY' && pass "BAR within 3 sigma of exact dF at every gamma; stored estimates equal check's" || fail "BAR against exact"
import json, sys, math, h5py
rows = json.load(open(sys.argv[1]))
assert [round(r["gamma"], 6) for r in rows] == [0.1, 0.5, 0.9], rows
f = h5py.File(sys.argv[2], "r")
for p, r in enumerate(rows):
    z = abs(r["delta_f_bar"] - r["delta_f_exact"]) / r["delta_f_bar_err"]
    print(f"gamma {r['gamma']:.1f}: exact {r['delta_f_exact']:.4f} BAR {r['delta_f_bar']:.4f} +- {r['delta_f_bar_err']:.4f} ({z:.2f} sigma)")
    assert z < 3, z
    assert 0 < r["delta_f_bar_err"] < 0.1
    assert r["verdict"] == "PASS"
    assert f["/estimates/delta_f_bar"][p] == r["delta_f_bar"] or math.isclose(f["/estimates/delta_f_bar"][p], r["delta_f_bar"], rel_tol=1e-9)
    assert math.isclose(f["/hopfield/delta_f_exact"][p], r["delta_f_exact"], rel_tol=1e-9)
PY

# Move the exact value of point 1 by 5 standard errors: check must fail.
cp "$TMP/gamma.h5" "$TMP/moved.h5"
"$PY" - "$TMP/moved.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["/hopfield/delta_f_exact"][1] += 5 * f["/estimates/delta_f_bar_err"][1]
PY
"$BIN" check "$TMP/moved.h5" > /dev/null
status=$?
[ $status = 1 ] && pass "check fails (exit 1) when exact dF is 5 sigma away" || fail "check exit $status on a moved dF"
finish
