#!/usr/bin/env bash
# `check` on files without a Crooks pair compares every /<model>/X with X_exact
# within X_err: passes on a spins run at 2N = 8, and fails when an exact value
# (a scalar, or one spin of a vector) is moved by 6 standard errors.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"
sed -e 's/^trajectories = .*/trajectories = 400/' -e "s|inputs/spins_inputs8.txt|$ROOT/inputs/spins_inputs8.txt|" \
    "$ROOT/inputs/spins_exact8.ini" > "$TMP/spins.ini"
$MPIRUN -n 2 "$BIN" run "$TMP/spins.ini" -o "$TMP/spins.h5" --quiet || fail "run exited $?"
"$BIN" check "$TMP/spins.h5"
status=$?
[ $status = 0 ] && pass "check passes on a spins run (exit 0)" || fail "check exit $status"
"$BIN" check "$TMP/spins.h5" --json > "$TMP/check.json"
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r) >= 8 and all(x["verdict"]=="PASS" for x in r), r' \
    "$TMP/check.json" && pass "JSON lists every quantity and point" || fail "JSON output"
for target in "entropy_production_rate 2 -" "magnetization 1 3"; do
    set -- $target
    cp "$TMP/spins.h5" "$TMP/moved.h5"
    "$PY" - "$TMP/moved.h5" "$1" "$2" "$3" <<'PY'
import sys, h5py
name, p, k = sys.argv[2], int(sys.argv[3]), sys.argv[4]
with h5py.File(sys.argv[1], "r+") as f:
    ex, err = f[f"/spins/{name}_exact"], f[f"/spins/{name}_err"]
    if k == "-": ex[p] += 6 * err[p]
    else: ex[p, int(k)] += 6 * err[p, int(k)]
PY
    "$BIN" check "$TMP/moved.h5" > /dev/null
    status=$?
    [ $status = 1 ] && pass "check fails (exit 1) when $1 exact at point $2 moves 6 sigma" || fail "check exit $status for moved $1"
done
finish
