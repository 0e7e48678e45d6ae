#!/usr/bin/env bash
# protocol = exchange end to end: the run writes /heat/exchange and the
# resolved beta_initial, `check` detects the kind of file and passes, its ML
# slope equals the independent one of analysis/hopfield_xft.py (scipy), the
# verdict fails when the predicted slope is moved, a != 0 is reported as a
# violation (not a failure), output is identical for 1
# and 2 ranks, every dataset has description and units, the figure script
# writes a PNG, and bad exchange inputs exit 2 naming the key.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

cat > "$TMP/xft.ini" <<'INI'
[run]
model = hopfield
trajectories = 6000
seed = 99
[grid]
temperature = 5,10
[hopfield]
n = 8
gamma = 0.2
field = 2
threshold = 0.3
protocol = exchange
temperature_initial = 15
steps = 3
update = palindromic
rule = metropolis
pattern_seed = 4
INI
$MPIRUN -n 2 "$BIN" run "$TMP/xft.ini" -o "$TMP/xft2.h5" --quiet || fail "run -n 2 exited $?"
$MPIRUN -n 1 "$BIN" run "$TMP/xft.ini" -o "$TMP/xft1.h5" --quiet || fail "run -n 1 exited $?"
same_datasets "$TMP/xft1.h5" "$TMP/xft2.h5" && pass "exchange output identical for 1 and 2 ranks" \
    || fail "exchange output differs between 1 and 2 ranks"

"$BIN" check "$TMP/xft2.h5" > "$TMP/check.txt"
status=$?
cat "$TMP/check.txt"
[ $status = 0 ] && grep -q "heat-exchange FT" "$TMP/check.txt" && pass "check runs the XFT check and passes" \
    || fail "check exit $status"

"$BIN" check "$TMP/xft2.h5" --json > "$TMP/check.json"
"$PY" "$ROOT/analysis/hopfield_xft.py" "$TMP/xft2.h5" -o "$TMP/xft.png" > "$TMP/py.txt" || fail "hopfield_xft.py exited $?"
"$PY" - "$TMP/check.json" "$TMP/py.txt" "$TMP/xft2.h5" <<'PY' && pass "check's ML slope = scipy's; layout, beta values, units" || fail "slope or layout"
import json, re, sys, h5py, numpy as np
rows = json.load(open(sys.argv[1]))
py = [tuple(map(float, re.findall(r"ML (\S+) \+- (\S+)", l)[0])) for l in open(sys.argv[2]) if "ML" in l]
assert len(rows) == 2 == len(py), (rows, py)
for r, (s, e) in zip(rows, py):
    assert abs(r["slope"] - s) < 1e-6 * abs(s) and abs(r["slope_err"] - e) < 1e-6 * e, (r, s, e)
    assert abs(r["slope_predicted"] - (1 / 15 - r["beta"])) < 1e-9
    assert abs(r["z"]) < 3 and r["verdict"] == "PASS"
f = h5py.File(sys.argv[3], "r")
assert np.allclose(f["/hopfield/beta_initial"][...], 1 / 15, rtol=1e-15)
assert np.allclose(f["/parameters/beta"][...], [0.2, 0.1], rtol=1e-15)
assert (f["/work/exchange/samples"][...] == 0).all()
assert f["/heat/exchange/samples"].shape == (2, 6000)
assert np.isnan(f["/hopfield/delta_f_exact"][...]).all()
bad = []
f.visititems(lambda n, o: bad.append(n) if isinstance(o, h5py.Dataset) and not
             ("description" in o.attrs and "units" in o.attrs) else None)
assert not bad, bad
PY
[ -s "$TMP/xft.png" ] && [ "$(head -c 4 "$TMP/xft.png" | od -An -c | tr -d ' ')" = "211PNG" ] \
    && pass "hopfield_xft.py writes a PNG" || fail "no PNG"

# The verdict can fail: a predicted slope off by 20% (beta_initial moved).
cp "$TMP/xft2.h5" "$TMP/moved.h5"
"$PY" -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r+'); d = f['/hopfield/beta_initial']; d[...] = d[...] * 1.0 + 0.2 * (d[...] - f['/parameters/beta'][...])" "$TMP/moved.h5"
"$BIN" check "$TMP/moved.h5" > /dev/null
status=$?
[ $status = 1 ] && pass "check fails (exit 1) when the predicted slope is moved by 20%" || fail "moved slope: exit $status"

# Without stored samples the slope comes from the histogram's bin centres.
printf '[histogram]\nstore_samples = false\n' | cat "$TMP/xft.ini" - > "$TMP/nosamples.ini"
$MPIRUN -n 2 "$BIN" run "$TMP/nosamples.ini" -o "$TMP/nosamples.h5" --quiet || fail "no-samples run exited $?"
"$BIN" check "$TMP/nosamples.h5" > "$TMP/ns.txt"
status=$?
[ $status = 0 ] && grep -q "bin centres" "$TMP/ns.txt" && pass "no samples: XFT check from bin centres passes" \
    || { cat "$TMP/ns.txt"; fail "no-samples check exit $status"; }

# a != 0: the XFT fails (no detailed balance); check reports it, exit 0.
sed -e 's/^gamma = 0.2/gamma = 0.2\nasymmetry = 0.8/' "$TMP/xft.ini" > "$TMP/asym.ini"
$MPIRUN -n 2 "$BIN" run "$TMP/asym.ini" -o "$TMP/asym.h5" --quiet || fail "a != 0 run exited $?"
"$BIN" check "$TMP/asym.h5" > "$TMP/asym.txt"
status=$?
cat "$TMP/asym.txt"
[ $status = 0 ] && grep -q "VIOLATED(a!=0)" "$TMP/asym.txt" && pass "a != 0: XFT violation reported, exit 0" \
    || fail "a != 0 exchange check exit $status"

# Bad inputs: exit 2, nothing written, the key named.
bad_case() {
    local what=$1 key=$2; shift 2
    sed "$@" "$TMP/xft.ini" > "$TMP/bad.ini"
    "$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" 2> "$TMP/bad.err" > /dev/null
    local s=$?
    if [ $s = 2 ] && [ ! -e "$TMP/bad.h5" ] && grep -q "$key" "$TMP/bad.err"; then pass "bad input: $what"
    else fail "bad input: $what (exit $s: $(cat "$TMP/bad.err"))"; fi
}
bad_case "exchange with the sequential sweep" "palindromic" -e 's/^update = .*/update = sequential/'
bad_case "both initial temperatures" "beta_initial" -e 's/^temperature_initial = 15/temperature_initial = 15\nbeta_initial = 0.1/'
bad_case "no initial temperature" "temperature_initial" -e '/^temperature_initial/d'
bad_case "initial temperature without exchange" "temperature_initial" -e 's/^protocol = .*/protocol = interpolate/'
bad_case "exchange above n = 24" "n <= 24" -e 's/^n = 8/n = 30/'
finish
