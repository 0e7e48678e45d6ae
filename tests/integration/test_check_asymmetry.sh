#!/usr/bin/env bash
# Asymmetric couplings end to end.
# Crooks at a != 0: `check` does not call the violation a failure; it reports
# it (VIOLATED, |BAR - dF| in standard errors), and still fails a = 0 points
# whose exact dF is moved.  Steady runs: `check` compares the entropy
# production along trajectories with the exact (enumerated) rate, passes at
# a = 0 and a != 0, and fails when the exact rate is moved.  The Fig. 6 and
# Fig. 4e scripts write their PNGs from these files.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

cat > "$TMP/crooks.ini" <<'INI'
[run]
model = hopfield
trajectories = 2000
seed = 5
[grid]
asymmetry = 0, 0.6
[hopfield]
n = 8
temperature = 3
gamma = 0.3
field = 2
protocol = interpolate
steps = 50
pattern_seed = 2
INI
$MPIRUN -n 2 "$BIN" run "$TMP/crooks.ini" -o "$TMP/crooks.h5" --quiet || fail "crooks run exited $?"
"$BIN" check "$TMP/crooks.h5" > "$TMP/check.txt"
status=$?
cat "$TMP/check.txt"
[ $status = 0 ] && grep -q "VIOLATED(a!=0)" "$TMP/check.txt" && grep -q "violation measured, not a failure" "$TMP/check.txt" \
    && pass "Crooks at a != 0: violation reported, exit 0" || fail "a != 0 check exit $status"
"$BIN" check "$TMP/crooks.h5" --json > "$TMP/check.json"
"$PY" - "$TMP/check.json" "$TMP/crooks.h5" <<'PY' && pass "a = 0 passes; a = 0.6 violation > 3 errors; W_diss = <W> - dF" || fail "asymmetric rows"
import json, sys, h5py, numpy as np
rows = json.load(open(sys.argv[1]))
assert rows[0]["verdict"] == "PASS" and rows[0]["violation_sigmas"] < 3, rows[0]
assert rows[1]["verdict"] == "VIOLATED(a!=0)" and rows[1]["violation_sigmas"] > 3, rows[1]
f = h5py.File(sys.argv[2], "r")
w = f["/work/forward/samples"][...].mean(axis=1)
assert np.allclose(f["/hopfield/dissipated_work"][...], w - f["/hopfield/delta_f_exact"][...], rtol=1e-9, atol=1e-9)
# medium entropy at a = 0 is -beta Q per trajectory
e, q = f["/entropy/forward/samples"][0], f["/heat/forward/samples"][0]
assert np.allclose(e, -q / 3, rtol=1e-12, atol=1e-12)
PY
cp "$TMP/crooks.h5" "$TMP/moved.h5"
"$PY" -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r+'); d = f['/hopfield/delta_f_exact']; e = f['/estimates/delta_f_bar_err'][0]
v = d[...]; v[0] += 6 * e; d[...] = v" "$TMP/moved.h5"
"$BIN" check "$TMP/moved.h5" > /dev/null
status=$?
[ $status = 1 ] && pass "a = 0 point with dF moved by 6 errors fails (exit 1)" || fail "moved dF: exit $status"

cat > "$TMP/steady.ini" <<'INI'
[run]
model = hopfield
trajectories = 4000
seed = 6
[grid]
asymmetry = 0, 0.6
[hopfield]
n = 8
temperature = 1.5
gamma = 0.3
field = 0.5
threshold = 0.1
protocol = steady
steps = 5
pattern_seed = 6
INI
$MPIRUN -n 2 "$BIN" run "$TMP/steady.ini" -o "$TMP/steady.h5" --quiet || fail "steady run exited $?"
"$BIN" check "$TMP/steady.h5" > "$TMP/steady.txt"
status=$?
cat "$TMP/steady.txt"
[ $status = 0 ] && grep -q "entropy production" "$TMP/steady.txt" && pass "steady check passes at a = 0 and 0.6" \
    || fail "steady check exit $status"
"$PY" - "$TMP/steady.h5" <<'PY' && pass "steady: exact EP 0 at a = 0 and > 10 errors at a = 0.6; rate = <entropy>/steps" || fail "steady datasets"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
ex, r, e = (f["/hopfield/" + k][...] for k in ("entropy_production_exact", "entropy_production_rate", "entropy_production_rate_err"))
assert abs(ex[0]) < 1e-12 and ex[1] > 10 * e[1], (ex, e)
s = f["/entropy/steady/samples"][...]
assert np.allclose(r, s.mean(axis=1) / 5, rtol=1e-12)
assert (f["/hopfield/steady_sweeps"][...] > 0).all()
PY
cp "$TMP/steady.h5" "$TMP/steady_moved.h5"
"$PY" -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r+'); d = f['/hopfield/entropy_production_exact']; v = d[...]; v[1] *= 0.9; d[...] = v" "$TMP/steady_moved.h5"
"$BIN" check "$TMP/steady_moved.h5" > /dev/null
status=$?
[ $status = 1 ] && pass "steady check fails (exit 1) with the exact rate moved by 10%" || fail "moved EP: exit $status"

"$PY" "$ROOT/analysis/hopfield_asymmetry.py" "$TMP/crooks.h5" "$TMP/steady.h5" -o "$TMP/asym.png" > /dev/null \
    && [ -s "$TMP/asym.png" ] && pass "hopfield_asymmetry.py writes a PNG" || fail "hopfield_asymmetry.py"
"$PY" "$ROOT/analysis/hopfield_free_energy.py" "$TMP/crooks.h5" -o "$TMP/fe.png" > /dev/null \
    && [ -s "$TMP/fe.png" ] && pass "hopfield_free_energy.py writes a PNG" || fail "hopfield_free_energy.py"
"$PY" "$ROOT/analysis/hopfield_free_energy.py" "$TMP/steady.h5" -o "$TMP/fe2.png" 2> "$TMP/err.txt" > /dev/null
[ $? = 2 ] && pass "hopfield_free_energy.py on a steady file: exit 2" || fail "free_energy on wrong file"
finish
