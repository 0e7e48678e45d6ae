#!/usr/bin/env bash
# Models `twostate` and `doublewell` (Milburn sections 2.1-2.2) end to end:
# small inputs on 1 and 3 ranks give identical datasets (h5diff, every
# dataset), also after a stop after one unit on 1 rank (THERMOLEARN_TEST_STOP_AFTER) resumed on 3; `check`
# passes on the exact triples (master equation, grid, quadrature) and on the Crooks pairs (BAR against the exact Delta F), and
# fails (exit 1) when one exact value is moved by 6 standard errors or
# Delta F by 0.1; every dataset has description and units; bad inputs are
# refused with exit 2, the key named, the line where the engine knows it,
# and no output file written.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

cat > "$TMP/ts.ini" <<'INI'
[run]
model = twostate
trajectories = 20000
seed = 3

[grid]
tau = 0.2, 1

[twostate]
rate_up = 1
rate_down = 10
survival_times = 8
INI
cat > "$TMP/tsc.ini" <<'INI'
[run]
model = twostate
trajectories = 20000
seed = 4

[grid]
width = 0.5, 2

[twostate]
protocol = sigmoid
rate_up = 1
rate_down = 10
t0 = 5
energy = thermal
temperature = 0.7
time = 6
reverse = yes
INI
cat > "$TMP/dw.ini" <<'INI'
[run]
model = doublewell
trajectories = 600
seed = 5

[grid]
temperature = 0.1, 0.2

[doublewell]
lambda_start = 0
lambda_end = 0.3
ramp_time = 4
time = 6
dt = 0.002
initial = left
survival_times = 6
INI
cat > "$TMP/dwc.ini" <<'INI'
[run]
model = doublewell
trajectories = 4000
seed = 6

[grid]
lambda_start = 0, -0.3

[doublewell]
temperature = 0.1
lambda_end = 0.3
ramp_time = 2
time = 2
dt = 0.01
reverse = yes
INI

for name in ts tsc dw dwc; do
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
# checkpoint and resume: stopped after one unit of work on 1 rank (a time limit on 2 ranks could find the run done), resumed on 3, equal to the uninterrupted run
THERMOLEARN_TEST_STOP_AFTER=1 "$BIN" run "$TMP/dw.ini" -o "$TMP/dw.tl.h5" --checkpoint-interval 0 --quiet 2>/dev/null >/dev/null
rc=$?
$MPIRUN -n 3 "$BIN" run "$TMP/dw.ini" -o "$TMP/dw.tl.h5" --resume --quiet || rc=99
if [ $rc = 75 ] && same_datasets "$TMP/dw.n1.h5" "$TMP/dw.tl.h5"; then
    pass "doublewell: stopped after its first unit (exit 75) on 1 rank, resumed on 3: identical datasets"
else
    fail "doublewell: stop exit $rc (expected 75) or the resumed run differs"
fi

grep -q 'p_no_jump' "$TMP/ts.check" && grep -q 'mean_first_jump_time' "$TMP/ts.check" && grep -q 'survival' "$TMP/ts.check" &&
    grep -q "p_error" "$TMP/dw.check" && grep -q "mean_work" "$TMP/dw.check" && grep -q "mean_first_passage_time" "$TMP/dw.check" && grep -q "survival" "$TMP/dw.check" &&
    pass "check compares p_no_jump, mean_first_jump_time, survival (twostate) and p_error, mean_work, mean_first_passage_time, survival (doublewell)" ||
    fail "check did not list the expected quantities"

# deliberately wrong exact values must fail check
"$PY" - "$TMP" <<'PY'
import sys, shutil, h5py
d = sys.argv[1]
for src, model, name in (("ts", "twostate", "p_up_final"), ("ts", "twostate", "p_no_jump"), ("dw", "doublewell", "p_error")):
    out = f"{d}/moved_{name}.h5"
    shutil.copy(f"{d}/{src}.n1.h5", out)
    with h5py.File(out, "r+") as f:
        f[f"/{model}/{name}_exact"][1] += 6 * f[f"/{model}/{name}_err"][1]
# the paper's eq. 17 as "n does not change": e^{-lambda_s tau} in place of p_no_jump_exact
out = f"{d}/paper_eq17.h5"
shutil.copy(f"{d}/ts.n1.h5", out)
with h5py.File(out, "r+") as f:
    f["/twostate/p_no_jump_exact"][...] = f["/twostate/p_no_jump_paper"][...]
for src, model in (("tsc", "twostate"), ("dwc", "doublewell")):
    out = f"{d}/moved_df_{src}.h5"
    shutil.copy(f"{d}/{src}.n1.h5", out)
    with h5py.File(out, "r+") as f:
        f[f"/{model}/delta_f_exact"][0] += 0.1
PY
for f in moved_p_up_final moved_p_no_jump moved_p_error paper_eq17 moved_df_tsc moved_df_dwc; do
    "$BIN" check "$TMP/$f.h5" > /dev/null
    status=$?
    [ $status = 1 ] && pass "check fails (exit 1) on $f" || fail "check exit $status on $f (expected 1)"
done

# self-description, and identities every file must satisfy
"$PY" - "$TMP" <<'PY' && pass "every dataset has description and units; exact Delta F, Jarzynski and eq. 12 consistent" || fail "datasets"
import sys, h5py, numpy as np
d = sys.argv[1]
for name in ("ts", "tsc", "dw", "dwc"):
    f = h5py.File(f"{d}/{name}.n1.h5", "r")
    bad = []
    f.visititems(lambda n, o: bad.append(n) if isinstance(o, h5py.Dataset) and not ("description" in o.attrs and "units" in o.attrs) else None)
    assert not bad, (name, bad)
g = h5py.File(f"{d}/ts.n1.h5", "r")["twostate"]
tau = np.array([0.2, 1.0]); lam = 11.0
assert np.allclose(g["p_up_final_paper"][...], 10 / lam - 9 * (1 - np.exp(-lam * tau)) / (tau * lam**2), rtol=1e-12)
assert np.allclose(g["p_up_final_exact"][...], g["p_up_final_paper"][...], rtol=1e-9)
assert np.allclose(g["p_no_jump_exact"][...], np.exp(-lam * tau / 2), rtol=1e-9)
assert np.allclose(g["p_no_jump_paper"][...], np.exp(-lam * tau), rtol=1e-9)
t = h5py.File(f"{d}/tsc.n1.h5", "r")["twostate"]
T = 0.7; s = np.array([0.5, 2.0])
def eps(t):
    f = 1 / (1 + np.exp(-(t - 5) / s))
    return T * np.log((10 - 9 * f) / (1 + 9 * f))
eps0, eps1 = eps(0.0), eps(6.0)
F = lambda e: -T * np.log(2 * np.cosh(e / (2 * T)))
assert np.allclose(t["delta_f_exact"][...], F(eps1) - F(eps0), rtol=1e-12)
assert np.allclose(t["jarzynski_exact"][...], np.exp(-t["delta_f_exact"][...] / T), rtol=1e-8)
w = h5py.File(f"{d}/dwc.n1.h5", "r")["doublewell"]
assert abs(w["delta_f_exact"][0] + 0.13750) < 5e-6 and abs(w["delta_f_exact"][1]) < 1e-12
PY

# bad inputs: exit 2, the key named, nothing written
bad_input twostate "bad.ini:6: \[twostate\] rate_up: value -1 out of range" "rate_up = -1"
bad_input twostate "bad.ini:6: \[twostate\] rate_down: value -0.5 out of range" "rate_down = -0.5"
bad_input twostate "bad.ini:6: \[twostate\] protocol: 'wiggle' is not one of" "protocol = wiggle"
bad_input twostate "bad.ini:6: \[twostate\] survival_times: value 0 out of range" "survival_times = 0"
bad_input twostate "temperature: value -1 out of range" "temperature = -1"
bad_input twostate "rate_up = 0 with energy = thermal" "energy = thermal" "rate_up = 0"
bad_input twostate "reverse = yes needs energy = thermal" "reverse = yes"
bad_input twostate "time = 0 (its default) stands for tau with protocol = linear only" "protocol = sigmoid"
bad_input doublewell "bad.ini:7: \[doublewell\] dt: value -0.001 out of range" "temperature = 0.1" "dt = -0.001"
bad_input doublewell "bad.ini:6: \[doublewell\] temperature: value -0.1" "temperature = -0.1"
bad_input doublewell "dt = 0.1 is too large for integrator = mala" "temperature = 0.1" "dt = 0.1"
bad_input doublewell "dt = 0.01 is too large for integrator = euler" "temperature = 0.1" "dt = 0.01" "integrator = euler"
bad_input doublewell "protocol: 'jump' is not one of" "temperature = 0.1" "protocol = jump"
bad_input doublewell "time = 5 is shorter than ramp_time = 10" "temperature = 0.1" "time = 5"
bad_input doublewell "reverse = yes needs initial = equilibrium" "temperature = 0.1" "reverse = yes" "initial = left"
bad_input doublewell "lambda_end belongs to protocol = ramp" "temperature = 0.1" "protocol = fixed" "lambda_end = 0.2"
printf '[run]\nmodel = twostate\ntrajectories = 0\n' > "$TMP/bad.ini"
rm -f "$TMP/bad.h5"
"$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" --quiet 2> "$TMP/bad.err"
status=$?
[ $status = 2 ] && grep -q 'bad.ini:3: \[run\] trajectories' "$TMP/bad.err" && [ ! -e "$TMP/bad.h5" ] &&
    pass "refused zero trajectories: $(cat "$TMP/bad.err")" || fail "zero trajectories: exit $status: $(cat "$TMP/bad.err")"
finish
