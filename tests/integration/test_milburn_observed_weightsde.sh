#!/usr/bin/env bash
# Models `observed` and `weightsde` (Milburn sections 2.3 and 4.2) end to end:
# small inputs on 1 and 3 ranks give identical datasets (h5diff, every
# dataset), also after a stop after one unit on 1 rank (THERMOLEARN_TEST_STOP_AFTER) resumed on 3 (weightsde); `check`
# passes on the exact triples (Wonham law, current moments, Fokker-Planck
# grid) and fails (exit 1) when an exact value moves by 6 standard errors,
# when the paper's eq. 87 replaces the stationary law, or when eq. 37's halved
# drift filters the record; every dataset has description and units; bad
# inputs are refused with exit 2, file:line and the key named, and no output
# file written.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

cat > "$TMP/ob.ini" <<'INI'
[run]
model = observed
trajectories = 200
seed = 3

[grid]
measurement_rate = 1, 10

[observed]
dt = 5e-4
time = 12
transient = 2
nc_bins = 10
path_time = 2
path_points = 50
INI
sed -e 's/^seed = 3/seed = 4/' -e 's/^nc_bins = 10/nc_bins = 10\nfilter = half_drift/' "$TMP/ob.ini" > "$TMP/obh.ini"
cat > "$TMP/ws.ini" <<'INI'
[run]
model = weightsde
trajectories = 3000
seed = 5

[grid]
switch_beta = 1, 2

[weightsde]
time = 6
dt = 2e-3
bins = 16
INI
cat > "$TMP/wsl.ini" <<'INI'
[run]
model = weightsde
trajectories = 3000
seed = 6

[weightsde]
eta = 0
time = 3
dt = 0.5
INI

for name in ob ws wsl; do
    ok=1
    "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n1.h5" --quiet || ok=0
    $MPIRUN -n 3 "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n3.h5" --quiet || ok=0
    if [ $ok = 1 ] && same_datasets "$TMP/$name.n1.h5" "$TMP/$name.n3.h5"; then
        pass "$name: 1 and 3 ranks give identical datasets"
    else
        fail "$name: 1 and 3 ranks differ (or a run failed)"
    fi
    "$BIN" check "$TMP/$name.n1.h5" > "$TMP/$name.check"
    status=$?
    [ $status = 0 ] && pass "$name: check passes" || { cat "$TMP/$name.check"; fail "$name: check exit $status"; }
done
grep -q 'mmse' "$TMP/ob.check" && grep -q 'calibration' "$TMP/ob.check" && grep -q 'nc_occupation' "$TMP/ob.check" &&
    grep -q 'current_square' "$TMP/ob.check" && grep -q 'w_mean' "$TMP/ws.check" && grep -q 'final_histogram' "$TMP/ws.check" &&
    grep -q 'heat_mean' "$TMP/ws.check" &&
    pass "check compares mmse, calibration, nc_occupation, current_square (observed) and w_mean, heat_mean, final_histogram (weightsde)" ||
    fail "check did not list the expected quantities"

# checkpoint and resume: stopped after one unit of work on 1 rank (a time limit on 2 ranks could find the run done), resumed on 3, equal to the uninterrupted run
# (weightsde: 12 batches per point, so the limit falls between batches)
THERMOLEARN_TEST_STOP_AFTER=1 "$BIN" run "$TMP/ws.ini" -o "$TMP/ws.tl.h5" --checkpoint-interval 0 --quiet 2>/dev/null >/dev/null
rc=$?
$MPIRUN -n 3 "$BIN" run "$TMP/ws.ini" -o "$TMP/ws.tl.h5" --resume --quiet || rc=99
if [ $rc = 75 ] && same_datasets "$TMP/ws.n1.h5" "$TMP/ws.tl.h5"; then
    pass "weightsde: stopped after its first unit (exit 75) on 1 rank, resumed on 3: identical datasets"
else
    fail "weightsde: stop exit $rc (expected 75) or the resumed run differs"
fi

# feedback = filtered, the full loop of eq. 84: rank independence, a stop after rank 0's first unit
# (1 rank, --time-limit 0.001: 6 units, so it always stops) resumed on 3 ranks, and check; with the
# weight held (eta = 0, T_w = 1e-14) check compares <1 - n_c^2> with the filter's exact MMSE
cat > "$TMP/wsf.ini" <<'INI'
[run]
model = weightsde
trajectories = 600
seed = 7

[grid]
switch_rate = 1, 20

[weightsde]
feedback = filtered
measurement_rate = 10
time = 4
dt = 2e-3
bins = 16
INI
cat > "$TMP/wsh.ini" <<'INI'
[run]
model = weightsde
trajectories = 120
seed = 8

[grid]
bias = 0, 0.5

[weightsde]
feedback = filtered
eta = 0
temperature = 1e-14
measurement_rate = 10
time = 20
transient = 3
dt = 1e-3
INI
for name in wsf wsh; do
    ok=1
    "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n1.h5" --quiet || ok=0
    $MPIRUN -n 3 "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n3.h5" --quiet || ok=0
    if [ $ok = 1 ] && same_datasets "$TMP/$name.n1.h5" "$TMP/$name.n3.h5"; then
        pass "$name (filtered): 1 and 3 ranks give identical datasets"
    else
        fail "$name (filtered): 1 and 3 ranks differ (or a run failed)"
    fi
    "$BIN" check "$TMP/$name.n1.h5" > "$TMP/$name.check"
    status=$?
    [ $status = 0 ] && pass "$name (filtered): check passes" || { cat "$TMP/$name.check"; fail "$name: check exit $status"; }
done
grep -q 'one_minus_nc2' "$TMP/wsh.check" && grep -q 'initial_histogram' "$TMP/wsf.check" &&
    ! grep -q 'w_mean' "$TMP/wsf.check" &&
    pass "filtered: check compares one_minus_nc2 (weight held) and the initial law, not eq. 85's grid" ||
    fail "filtered: check did not list the expected quantities"
"$BIN" run "$TMP/wsf.ini" -o "$TMP/wsf.tl.h5" --time-limit 0.001 --checkpoint-interval 0 --quiet 2>/dev/null >/dev/null
rc=$?
$MPIRUN -n 3 "$BIN" run "$TMP/wsf.ini" -o "$TMP/wsf.tl.h5" --resume --quiet || rc=99
if [ $rc = 75 ] && same_datasets "$TMP/wsf.n1.h5" "$TMP/wsf.tl.h5"; then
    pass "wsf (filtered): stopped by the time limit (exit 75) on 1 rank, resumed on 3: identical datasets"
else
    fail "wsf (filtered): time-limit stop exit $rc (expected 75) or the resumed run differs"
fi
"$PY" - "$TMP" <<'PY' && pass "filtered: MMSE reference 0.39526 at b = 0; grid references NaN; per-trajectory Q = dV - W; the switch jumps" || fail "filtered datasets"
import sys, shutil, h5py, numpy as np
d = sys.argv[1]
h = h5py.File(f"{d}/wsh.n1.h5", "r")
assert abs(h["weightsde/one_minus_nc2_exact"][0] - 0.39526) < 5e-6 and h["weightsde/one_minus_nc2_exact"][1] < 0.39
f = h5py.File(f"{d}/wsf.n1.h5", "r")
assert np.all(np.isnan(f["weightsde/w_mean_exact"][...])) and np.all(np.isnan(f["weightsde/one_minus_nc2_exact"][...]))
assert f["jumps/forward/samples"][...].mean() > 1
V = lambda w: 0.5 * w * w + 2 * 2 / 2 * np.tanh(2 * w / 2)  # gamma_w = 1, L = eta beta/4 = 2, beta = 2, x = 1, b = 0
w0, w1 = f["w_initial/forward/samples"][...], f["w_final/forward/samples"][...]
assert w0.size > 100 and np.allclose(f["heat/forward/samples"][...], V(w1) - V(w0) - f["work/forward/samples"][...], atol=1e-10)
shutil.copy(f"{d}/wsh.n1.h5", f"{d}/moved_nc2.h5")
with h5py.File(f"{d}/moved_nc2.h5", "r+") as g:
    g["/weightsde/one_minus_nc2_exact"][1] += 6 * g["/weightsde/one_minus_nc2_err"][1]
PY
"$BIN" check "$TMP/moved_nc2.h5" > /dev/null
status=$?
[ $status = 1 ] && pass "check fails (exit 1) on moved_nc2" || fail "check exit $status on moved_nc2 (expected 1)"

# the filtered loop's figure (make figures): one table row per point, with the file's own <w>; an
# adiabatic file is refused (exit 2)
"$PY" analysis/milburn_filter_weights.py filtered "$TMP/wsf.n1.h5" -o "$TMP/wsf.png" > "$TMP/wsf.fig" 2>&1
status=$?
rows=$(grep -cE '^ +(1|20) +10 ' "$TMP/wsf.fig")
w20=$("$PY" -c 'import h5py, sys; print("%.4f" % h5py.File(sys.argv[1], "r")["weightsde/w_mean"][1])' "$TMP/wsf.n1.h5")
[ $status = 0 ] && [ "$rows" = 2 ] && [ -s "$TMP/wsf.png" ] && [ -n "$w20" ] && grep -E '^ +20 +10 ' "$TMP/wsf.fig" | grep -q -- "$w20" &&
    pass "milburn_filter_weights.py filtered: figure and table of the filtered grid (<w> = $w20 at switch_rate 20)" ||
    { cat "$TMP/wsf.fig"; fail "milburn_filter_weights.py filtered: exit $status, $rows table rows"; }
"$PY" analysis/milburn_filter_weights.py filtered "$TMP/ws.n1.h5" -o "$TMP/ws.png" > "$TMP/ws.fig" 2>&1
status=$?
[ $status = 2 ] && grep -q 'expected filtered' "$TMP/ws.fig" && [ ! -e "$TMP/ws.png" ] &&
    pass "milburn_filter_weights.py filtered refuses an adiabatic file (exit 2)" ||
    { cat "$TMP/ws.fig"; fail "milburn_filter_weights.py filtered on an adiabatic file: exit $status (expected 2)"; }

# eq. 37's halved drift: the record is the same, the filter is miscalibrated, check fails
"$BIN" run "$TMP/obh.ini" -o "$TMP/obh.h5" --quiet && "$BIN" check "$TMP/obh.h5" > "$TMP/obh.check"
status=$?
[ $status = 1 ] && grep 'calibration' "$TMP/obh.check" | grep -q FAIL &&
    pass "filter = half_drift (eq. 37 as printed, drift halved): check fails on the calibration" ||
    { cat "$TMP/obh.check"; fail "half_drift: check exit $status (expected 1 with calibration FAIL)"; }

# deliberately wrong exact values must fail check; so must the paper's eq. 87 as the law of w
"$PY" - "$TMP" <<'PY'
import sys, shutil, h5py
d = sys.argv[1]
for src, model, name in (("ob", "observed", "mmse"), ("ob", "observed", "current_square"), ("ws", "weightsde", "w_mean"),
                         ("ws", "weightsde", "p_negative")):
    out = f"{d}/moved_{name}.h5"
    shutil.copy(f"{d}/{src}.n1.h5", out)
    with h5py.File(out, "r+") as f:
        f[f"/{model}/{name}_exact"][1] += 6 * f[f"/{model}/{name}_err"][1]
out = f"{d}/paper_eq87.h5"
shutil.copy(f"{d}/ws.n1.h5", out)
with h5py.File(out, "r+") as f:
    f["/weightsde/w_mean_exact"][...] = f["/weightsde/eq87_mean"][...]
out = f"{d}/paper_eq78.h5"
shutil.copy(f"{d}/wsl.n1.h5", out)
with h5py.File(out, "r+") as f:
    f["/weightsde/w_square_exact"][...] = f["/weightsde/initial_variance_eq78"][...]
PY
for f in moved_mmse moved_current_square moved_w_mean moved_p_negative paper_eq87 paper_eq78; do
    "$BIN" check "$TMP/$f.h5" > /dev/null
    status=$?
    [ $status = 1 ] && pass "check fails (exit 1) on $f" || fail "check exit $status on $f (expected 1)"
done

# self-description, and the references every file must hold
"$PY" - "$TMP" <<'PY' && pass "every dataset has description and units; Wonham MMSE, stationary law, eqs. 86-88 and the sample path as expected" || fail "datasets"
import sys, h5py, numpy as np
d = sys.argv[1]
for name in ("ob", "ws", "wsl", "wsf", "wsh"):
    f = h5py.File(f"{d}/{name}.n1.h5", "r")
    bad = []
    f.visititems(lambda n, o: bad.append(n) if isinstance(o, h5py.Dataset) and not ("description" in o.attrs and "units" in o.attrs) else None)
    assert not bad, (name, bad)
o = h5py.File(f"{d}/ob.n1.h5", "r")["observed"]
assert np.allclose(o["mmse_exact"][...], [0.82317, 0.39526], atol=6e-6)
assert np.allclose(o["information_rate_exact"][...], np.array([1, 10]) / 4 * o["mmse_exact"][...], rtol=1e-12)
assert np.allclose(o["current_variance_continuum"][...], [33523.81, 4723.81], atol=0.006)
assert np.allclose(o["current_variance_other"][...], [1603.99, 163.99], atol=0.006)
assert np.allclose(o["nc_occupation_exact"][...].sum(axis=1), 1, atol=1e-9)
path = o["path"][...]
assert path.shape == (2, 50, 3) and set(np.unique(path[:, :, 0])) <= {-1.0, 1.0} and np.all(np.abs(path[:, :, 1]) <= 1)
assert np.allclose(o["path_times"][0, -1], 2.0)
w = h5py.File(f"{d}/ws.n1.h5", "r")["weightsde"]
assert np.allclose(w["stationary_mean"][...], [-0.80603, -0.96257], atol=5e-6)
assert np.allclose(w["fixed_point"][...], [-0.84183, -0.93104], atol=5e-6)
assert np.allclose(w["fixed_point_eq88"][...], w["fixed_point"][...], atol=1e-10)
assert abs(w["fixed_point_eq88_paper"][1] + 1.20664) < 5e-6
assert np.all(w["entropy_production_exact"][...] > 0)
c = w["curves"][...]; x = w["curve_w"][0]
assert c.shape[2] == 4 and np.all(np.abs(c[1, :, 1].max() - c[1, :, 2].max()) > 0.3)
PY

# bad inputs: exit 2, the key named (file:line where the engine knows it), nothing written
bad_input observed "bad.ini:6: \[observed\] rate_up: value -1 out of range" "rate_up = -1"
bad_input observed "bad.ini:6: \[observed\] rate_down: value 0 out of range" "rate_down = 0"
bad_input observed "bad.ini:6: \[observed\] measurement_rate: value -10 out of range" "measurement_rate = -10"
bad_input observed "bad.ini:6: \[observed\] kappa: value -40 out of range" "kappa = -40"
bad_input observed "bad.ini:6: \[observed\] dt: value -0.0001 out of range" "dt = -0.0001"
bad_input observed "dt = 0.001 is too large: (rate_up + rate_down + measurement_rate) dt = 0.011" "dt = 0.001"
bad_input observed "bad.ini:6: \[observed\] filter: 'kalman' is not one of" "filter = kalman"
bad_input observed "bad.ini:6: \[observed\] current_filter: 'rc' is not one of" "current_filter = rc"
bad_input observed "bad.ini:6: \[observed\] nc_bins: value 0 out of range" "nc_bins = 0"
bad_input observed "bad.ini:6: \[observed\] path_points: value 0 out of range" "path_points = 0"
bad_input observed "transient = 100 leaves no averaging window" "transient = 100"
bad_input observed "path_time = 200 is longer than time = 100" "path_time = 200"
bad_input weightsde "bad.ini:6: \[weightsde\] temperature: value -0.5 out of range" "temperature = -0.5"
bad_input weightsde "bad.ini:6: \[weightsde\] gamma_w: value -1 out of range" "gamma_w = -1"
bad_input weightsde "bad.ini:6: \[weightsde\] eta: value -4 out of range" "eta = -4"
bad_input weightsde "bad.ini:6: \[weightsde\] dt: value -0.001 out of range" "dt = -0.001"
bad_input weightsde "dt = 0.1 is too large for integrator = exact" "dt = 0.1"
bad_input weightsde "dt = 0.01 is too large for integrator = euler" "dt = 0.01" "integrator = euler"
bad_input weightsde "bad.ini:6: \[weightsde\] integrator: 'rk4' is not one of" "integrator = rk4"
bad_input weightsde "input = 0.5: the training signal is x = +1 or -1" "input = 0.5"
bad_input weightsde "bad.ini:6: \[weightsde\] bins: value 0 out of range" "bins = 0"
bad_input weightsde "w_max = -5 is not above w_min = -4" "w_max = -5"
bad_input weightsde "bad.ini:6: \[weightsde\] feedback: 'kalman' is not one of" "feedback = kalman"
bad_input weightsde "bad.ini:6: \[weightsde\] switch_rate: value -1 out of range" "switch_rate = -1"
bad_input weightsde "bad.ini:6: \[weightsde\] measurement_rate: value 0 out of range" "measurement_rate = 0"
bad_input weightsde "transient = 30 is not below time = 20" "feedback = filtered" "transient = 30"
printf '[run]\nmodel = weightsde\ntrajectories = 0\n' > "$TMP/bad.ini"
rm -f "$TMP/bad.h5"
"$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" --quiet 2> "$TMP/bad.err"
status=$?
[ $status = 2 ] && grep -q 'bad.ini:3: \[run\] trajectories' "$TMP/bad.err" && [ ! -e "$TMP/bad.h5" ] &&
    pass "refused zero trajectories: $(cat "$TMP/bad.err")" || fail "zero trajectories: exit $status: $(cat "$TMP/bad.err")"
finish
