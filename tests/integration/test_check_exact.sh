#!/usr/bin/env bash
# `check` on files without a Crooks pair compares every /<model>/X with X_exact
# within X_err: passes on a spins run at 2N = 8 with two inputs (magnetisations
# [P, inputs, spins], rates and the IFT [P, inputs]), says what it compared,
# and fails (exit 1) when an exact value (a rate, one spin under one input, or
# the IFT's 1) is moved by 6 standard errors.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"
sed -e 's/^trajectories = .*/trajectories = 1000/' -e 's/^time = .*/time = 20/' -e 's/^transient = .*/transient = 2/' \
    -e "s|inputs/spins_inputs8.txt|$ROOT/inputs/spins_inputs8.txt|" "$ROOT/inputs/spins_exact8.ini" > "$TMP/spins.ini"
$MPIRUN -n 2 "$BIN" run "$TMP/spins.ini" -o "$TMP/spins.h5" --quiet || fail "run exited $?"
"$BIN" check "$TMP/spins.h5" > "$TMP/check.txt"
status=$?
cat "$TMP/check.txt"
[ $status = 0 ] && pass "check passes on a spins run (exit 0)" || fail "check exit $status"
grep -q "for X = entropy_production_rate, ift, magnetization" "$TMP/check.txt" && grep -q "largest |z| .* of 16 values" "$TMP/check.txt" \
    && pass "the report names the quantities and the values compared" || fail "report text"
"$BIN" check "$TMP/spins.h5" --json > "$TMP/check.json"
"$PY" - "$TMP/check.json" <<'PY' && pass "JSON lists every quantity and point; the IFT is checked at every point" || fail "JSON output"
import json, sys
r = {(x["quantity"], x["point"]): x for x in json.load(open(sys.argv[1]))}
assert len(r) == 6, r
assert all(r[q, p]["verdict"] == "PASS" for q in ("magnetization", "entropy_production_rate") for p in (0, 1)), r
assert r["magnetization", 0]["compared"] == 16 and r["entropy_production_rate", 1]["compared"] == 2, r
assert all(r["ift", p]["verdict"] == "PASS" and r["ift", p]["compared"] == 2 for p in (0, 1)), r
PY
for target in "entropy_production_rate 1 1" "magnetization 0 1,3" "ift 0 1"; do
    set -- $target
    cp "$TMP/spins.h5" "$TMP/moved.h5"
    "$PY" - "$TMP/moved.h5" "$1" "$2" "$3" <<'PY'
import sys, h5py
name, p, k = sys.argv[2], int(sys.argv[3]), tuple(int(i) for i in sys.argv[4].split(","))
with h5py.File(sys.argv[1], "r+") as f:
    ex, err = f[f"/spins/{name}_exact"], f[f"/spins/{name}_err"]
    v = ex[p]
    v[k] += 6 * err[p][k]
    ex[p] = v
PY
    "$BIN" check "$TMP/moved.h5" > /dev/null
    status=$?
    [ $status = 1 ] && pass "check fails (exit 1) when $1 exact [$2, $3] moves 6 sigma" || fail "check exit $status for moved $1"
done
finish
