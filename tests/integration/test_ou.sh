#!/usr/bin/env bash
# Model `ou` (the linear system of appendix D) end to end: inputs/ou.ini on 1
# and 3 ranks gives identical datasets; `check` passes on it and fails (exit 1)
# when an exact value (the rate, one covariance or one mean component) moves
# by 6 standard errors; the exact datasets agree with an independent Python
# computation (D8 and D11 as printed, scipy's Lyapunov solver and the trace
# formula for a 3 x 3 coupling_matrix file, m = -W^-1 x); every dataset has
# description and units; an 8 x 8 coupling_matrix (more components than the
# engine's scalar observables could hold) gives mean [P, 8] and covariance
# [P, 36] profiles, identical on 1 and 3 ranks, that `check` validates against
# scipy-verified exact values (and fails when a component beyond the fifth
# moves); unstable W, bad files and windows of more steps than the stream's
# 32-bit block counter allows are refused naming the key.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

# 1 and 3 ranks: identical datasets
ok=1
"$BIN" run "$ROOT/inputs/ou.ini" -o "$TMP/ou.n1.h5" --quiet || ok=0
$MPIRUN -n 3 "$BIN" run "$ROOT/inputs/ou.ini" -o "$TMP/ou.n3.h5" --quiet || ok=0
if [ $ok = 1 ] && same_datasets "$TMP/ou.n1.h5" "$TMP/ou.n3.h5"; then
    pass "inputs/ou.ini: 1 and 3 ranks give identical datasets"
else
    fail "inputs/ou.ini: 1 and 3 ranks differ (or a run failed)"
fi

# check passes, and lists every quantity at every point
"$BIN" check "$TMP/ou.n1.h5"
status=$?
[ $status = 0 ] && pass "check passes on inputs/ou.ini (exit 0)" || fail "check exit $status"
"$BIN" check "$TMP/ou.n1.h5" --json > "$TMP/check.json"
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); q={x["quantity"] for x in r}
assert q == {"entropy_production_rate", "covariance", "mean"} and len(r) == 9 and all(x["verdict"]=="PASS" for x in r), r' \
    "$TMP/check.json" && pass "JSON: rate, covariance and mean at 3 points, all PASS" || fail "JSON output"

# check fails when an exact value moves by 6 standard errors
"$PY" - "$TMP/ou.n1.h5" "$TMP" <<'PY'
import sys, shutil, h5py
for name, p, k in (("entropy_production_rate", 2, None), ("covariance", 1, 1), ("mean", 0, 1)):
    out = f"{sys.argv[2]}/moved_{name}.h5"
    shutil.copy(sys.argv[1], out)
    with h5py.File(out, "r+") as f:
        ex, err = f[f"/ou/{name}_exact"], f[f"/ou/{name}_err"]
        if k is None: ex[p] += 6 * err[p]
        else: ex[p, k] += 6 * err[p, k]
PY
for name in entropy_production_rate covariance mean; do
    "$BIN" check "$TMP/moved_$name.h5" > /dev/null
    status=$?
    [ $status = 1 ] && pass "check fails (exit 1) when one $name exact value moves 6 sigma" || fail "check exit $status for moved $name"
done

# the exact datasets of the 2-d form: D8 and D11 as printed, m = -W^-1 x, sigma_s
"$PY" - "$TMP/ou.n1.h5" <<'PY' && pass "2-d exact datasets: D8, D11 (2 J_a^2), m = -W^-1 x, sigma_s = sqrt(2T)" || fail "2-d exact datasets"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); g, p = f["ou"], f["parameters"]
for i in range(len(p["ja"])):
    js, ja, s = p["js"][i], p["ja"][i], np.sqrt(2 * p["temperature"][i])
    d = 1 + ja**2 - js**2
    d8 = s**2 / (2 * d) * np.array([1 + js * ja + ja**2, js, 1 - js * ja + ja**2])
    assert np.allclose(g["covariance_exact"][i], d8, rtol=1e-12, atol=0), (g["covariance_exact"][i], d8)
    assert abs(g["entropy_production_rate_exact"][i] - 2 * ja**2) < 1e-14
    W, x = g["couplings"][i], g["input"][i]
    assert np.allclose(W, [[-1, js + ja], [js - ja, -1]]) and np.allclose(x, [p["x1"][i], p["x2"][i]])
    assert np.allclose(g["mean_exact"][i], -np.linalg.solve(W, x), rtol=1e-13)
    assert abs(g["sigma"][i] - 0.1) < 1e-14
bad = []
f.visititems(lambda n, o: bad.append(n) if isinstance(o, h5py.Dataset) and not ("description" in o.attrs and "units" in o.attrs) else None)
assert not bad, bad
PY

# a 3 x 3 coupling_matrix file with an input, from s = 0 after a transient
printf -- '-1.2 0.5 -0.3\n0.1 -0.8 0.7\n# a comment\n-0.6, 0.2, -1.5\n' > "$TMP/w3.txt"
cat > "$TMP/w3.ini" <<INI
[run]
model = ou
trajectories = 300
seed = 21

[ou]
coupling_matrix = $TMP/w3.txt
input = 0.3 -0.7 0.2
temperature = 0.35
time = 40
transient = 20
dt = 0.1
initial = zero
INI
"$BIN" run "$TMP/w3.ini" -o "$TMP/w3.h5" --quiet || fail "coupling_matrix run exited $?"
"$BIN" check "$TMP/w3.h5" > "$TMP/w3.check"
status=$?
[ $status = 0 ] && pass "check passes on a 3 x 3 coupling_matrix run" || { cat "$TMP/w3.check"; fail "check exit $status (3 x 3)"; }
"$PY" - "$TMP/w3.h5" <<'PY' && pass "3 x 3 exact datasets: scipy Lyapunov, trace formula, -W^-1 x" || fail "3 x 3 exact datasets"
import sys, h5py, numpy as np
from scipy.linalg import solve_continuous_lyapunov
g = h5py.File(sys.argv[1], "r")["ou"]
W, x, s = g["couplings"][0], g["input"][0], g["sigma"][0]
C = solve_continuous_lyapunov(W, -s**2 * np.eye(3))
D = s**2 / 2 * np.eye(3)
B = W + D @ np.linalg.inv(C)
rate = np.trace(B.T @ np.linalg.inv(D) @ B @ C)
iu = np.triu_indices(3)
assert np.allclose(g["covariance_exact"][0], C[iu], rtol=1e-10), (g["covariance_exact"][0], C[iu])
assert abs(g["entropy_production_rate_exact"][0] - rate) < 1e-10 * rate and rate > 0.1
assert np.allclose(g["mean_exact"][0], -np.linalg.solve(W, x), rtol=1e-12)
assert g["covariance"].shape == (1, 6) and np.all(np.isfinite(g["covariance"][0]))
PY

# an 8 x 8 coupling_matrix: the profiles hold every component
"$PY" - "$TMP/w8.txt" <<'PY'
import sys, numpy as np
# the unit test's eight_matrix: diagonal -2, off-diagonal 0.25 sin(1 + 3i + 7j)
W = np.array([[-2.0 if i == j else 0.25 * np.sin(1 + 3 * i + 7 * j) for j in range(8)] for i in range(8)])
assert np.linalg.eigvals(W).real.max() < -0.2
np.savetxt(sys.argv[1], W, fmt="%.17g")
PY
cat > "$TMP/w8.ini" <<INI
[run]
model = ou
trajectories = 600
seed = 33

[grid]
temperature = 0.2, 0.8

[ou]
coupling_matrix = $TMP/w8.txt
input = -0.35 -0.25 -0.15 -0.05 0.05 0.15 0.25 0.35
time = 30
dt = 0.2
INI
ok=1
"$BIN" run "$TMP/w8.ini" -o "$TMP/w8.h5" --quiet || ok=0
$MPIRUN -n 3 "$BIN" run "$TMP/w8.ini" -o "$TMP/w8.n3.h5" --quiet || ok=0
if [ $ok = 1 ] && same_datasets "$TMP/w8.h5" "$TMP/w8.n3.h5"; then
    pass "8 x 8 coupling_matrix: 1 and 3 ranks give identical datasets"
else
    fail "8 x 8 coupling_matrix: 1 and 3 ranks differ (or a run failed)"
fi
"$BIN" check "$TMP/w8.h5" > "$TMP/w8.check"
status=$?
[ $status = 0 ] && pass "check passes on the 8 x 8 coupling_matrix run" || { cat "$TMP/w8.check"; fail "check exit $status (8 x 8)"; }
"$BIN" check "$TMP/w8.h5" --json > "$TMP/w8.json"
"$PY" - "$TMP/w8.h5" "$TMP/w8.json" <<'PY' && pass "8 x 8: mean [2, 8] and covariance [2, 36] profiles, all finite and checked; exact values = scipy Lyapunov, trace formula, -W^-1 x" || fail "8 x 8 datasets"
import sys, json, h5py, numpy as np
from scipy.linalg import solve_continuous_lyapunov
f = h5py.File(sys.argv[1], "r"); g = f["ou"]
assert "mean_0" not in f and "covariance_0_0" not in f, "scalar mean/covariance observables are gone"
iu = np.triu_indices(8)
for name, k in (("mean", 8), ("covariance", 36)):
    for suffix in ("", "_err", "_exact"):
        d = g[name + suffix]
        assert d.shape == (2, k) and np.all(np.isfinite(d[...])), (name + suffix, d.shape)
        assert d.attrs["description"] and "units" in d.attrs
    assert np.all(g[name + "_err"][...] > 0)
for p in range(2):
    W, x, s = g["couplings"][p], g["input"][p], g["sigma"][p]
    C = solve_continuous_lyapunov(W, -s**2 * np.eye(8))
    D = s**2 / 2 * np.eye(8)
    B = W + D @ np.linalg.inv(C)
    rate = np.trace(B.T @ np.linalg.inv(D) @ B @ C)
    assert np.allclose(g["covariance_exact"][p], C[iu], rtol=1e-10, atol=1e-14), p
    assert abs(g["entropy_production_rate_exact"][p] - rate) < 1e-10 * rate and rate > 0.1
    assert np.allclose(g["mean_exact"][p], -np.linalg.solve(W, x), rtol=1e-12)
    # the pairs unpack to the full symmetric matrix with numpy's triu_indices
    def unpack(v):
        m = np.zeros((8, 8)); m[iu] = v
        return m + m.T - np.diag(np.diag(m))
    assert np.all(np.abs(unpack(g["covariance"][p]) - C) < 5 * unpack(g["covariance_err"][p])), p
r = json.load(open(sys.argv[2]))
k = {(x["quantity"], x["point"]): x for x in r}
assert len(r) == 6 and all(x["verdict"] == "PASS" for x in r), r
assert k[("mean", 0)]["values"] == 8 and k[("covariance", 1)]["values"] == 36, r
PY
"$PY" - "$TMP/w8.h5" "$TMP" <<'PY'
import sys, shutil, h5py, numpy as np
pair67 = int(np.flatnonzero((np.triu_indices(8)[0] == 6) & (np.triu_indices(8)[1] == 7))[0])
for name, p, k in (("covariance", 1, pair67), ("mean", 0, 7)):
    out = f"{sys.argv[2]}/w8_moved_{name}.h5"
    shutil.copy(sys.argv[1], out)
    with h5py.File(out, "r+") as f:
        f[f"/ou/{name}_exact"][p, k] += 10 * f[f"/ou/{name}_err"][p, k]
PY
# 10 standard errors: one moved value among K = 36 (or 8) must beat the chi-square's 3-sigma threshold (64.1, or 23.6) on its own
for what in "covariance:pair (6, 7)" "mean:component 7"; do
    name=${what%%:*}
    "$BIN" check "$TMP/w8_moved_$name.h5" > /dev/null
    status=$?
    [ $status = 1 ] && pass "8 x 8: check fails (exit 1) when the exact $name ${what#*:} moves 10 sigma" || fail "check exit $status for moved 8 x 8 $name"
done

# bad inputs: refused with the key named, exit 2
bad_input() { # expected-text ini-body...
    local want=$1; shift
    printf '[run]\nmodel = ou\ntrajectories = 10\n\n[ou]\n' > "$TMP/bad.ini"
    printf '%s\n' "$@" >> "$TMP/bad.ini"
    "$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" --quiet 2> "$TMP/bad.err"
    local status=$?
    if [ $status = 2 ] && grep -q -- "$want" "$TMP/bad.err"; then
        pass "refused ($want): $(head -c 150 "$TMP/bad.err")"
    else
        fail "expected exit 2 and '$want', got $status: $(cat "$TMP/bad.err")"
    fi
}
bad_input "js = 1.5, ja = 0.2, decay = 1: W of eq. D7 has no steady state" "js = 1.5" "ja = 0.2"
printf '0.1 1\n-1 0.1\n' > "$TMP/unstable.txt"
bad_input "coupling_matrix: W in '$TMP/unstable.txt' has no steady state" "coupling_matrix = $TMP/unstable.txt"
bad_input "ja belongs to the 2-d form" "coupling_matrix = $TMP/w3.txt" "ja = 0.3"
bad_input "input: 2 values given, the coupling_matrix has n = 3" "coupling_matrix = $TMP/w3.txt" "input = 1 2"
bad_input "dt = 200 is longer than the window" "dt = 200"
# the 32-bit block counter: ceil(n/2) blocks a step, so the bound falls with n
bad_input "dt = 1e-08: the window has 1e+10 steps, at most 4.295e+09 at n = 2" "time = 100" "dt = 1e-8"
bad_input "dt = 4e-08: the window has 2.5e+09 steps, at most 2.147e+09 at n = 3" "coupling_matrix = $TMP/w3.txt" \
    "time = 100" "dt = 4e-8"
finish
