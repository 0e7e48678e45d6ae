#!/usr/bin/env bash
# The perceptron model against theory at N = 2000: p_C from simulation
# against eq. 20 within 3 standard errors for alpha in {0.1, 1, 4},
# nu in {1, 5}.  Every trajectory has its own disorder (keyed by trajectory
# and grid point), so the error bar is the scatter over disorder and noise
# together, and the points are independent: a chi-square over the six points
# checks that the error bars are not too small.  Also: I (eq. 21), heat against
# eq. 13, the ensemble entropy against the exact mixture, the ensemble variance
# against the Gaussian 1/2 ln(1 + alpha nu^2) and not the paper's
# ln(1 + alpha nu^2), and the bound of eq. 16 at every point.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

# ---- p_C against eq. 20 at N = 2000 ---------------------------------------------------
cat > "$TMP/pc.ini" <<INI
[run]
model = perceptron
trajectories = 64
seed = 2024

[grid]
alpha = 0.1, 1, 4
nu = 1, 5

[perceptron]
n = 2000
tau = 1
time = 40
temperature = 1
reverse = no
disorder_seed = 7
INI
$MPIRUN -n 2 "$BIN" run "$TMP/pc.ini" -o "$TMP/pc.h5" --quiet || fail "p_C run exited $?"
check() { # label, then the Python body on stdin (f, g, a, nu are defined)
    local label=$1
    { printf '%s\n' "import sys, h5py, numpy as np" 'f = h5py.File(sys.argv[1], "r")' 'g = f["/perceptron"]' \
          'a, nu = f["/parameters/alpha"][...], f["/parameters/nu"][...]'; cat; } > "$TMP/check.py"
    "$PY" "$TMP/check.py" "$TMP/pc.h5" && pass "$label" || fail "$label"
}
check "N = 2000: p_C against eq. 20 within 3 SE at every point; chi-square of the six; error bar = scatter over trajectories" <<'PY'
z = (g["p_correct"][...] - g["p_correct_theory"][...]) / g["p_correct_err"][...]
for k in range(len(a)):
    print(f"alpha {a[k]:4.1f} nu {nu[k]:.0f}: p_C {g['p_correct'][k]:.5f} +- {g['p_correct_err'][k]:.5f}, "
          f"eq. 20 {g['p_correct_theory'][k]:.5f} ({z[k]:+.2f} SE), S70 {g['p_correct_approx'][k]:.5f}")
assert np.all(np.abs(z) < 3), z
assert np.sum(z**2) < 22.46, np.sum(z**2)          # chi-square, 6 dof, p = 0.001
# the error bar is the scatter of per-trajectory values, each with its own disorder
s = f["/p_correct/forward/samples"][...]
assert np.allclose(s.mean(axis=1), g["p_correct"][...], rtol=0, atol=1e-12)
assert np.allclose(s.std(axis=1, ddof=1) / np.sqrt(s.shape[1]), g["p_correct_err"][...], rtol=1e-9)
assert np.all(g["p_correct_err"][...] < 2e-3)       # the test has power
PY
check "N = 2000: I (eq. 21) and the mean heat per weight (eq. 13 averaged over F) within 3 SE" <<'PY'
zi = (g["mutual_information"][...] - g["mutual_information_theory"][...]) / g["mutual_information_err"][...]
assert np.all(np.abs(zi) < 3), zi
zq = (g["heat_mean"][...] - g["heat_mean_theory"][...]) / g["heat_mean_err"][...]
print("heat z:", np.round(zq, 2))
assert np.all(np.abs(zq) < 3), zq
PY
check "N = 2000: entropy: ensemble against the exact mixture; variance gives 1/2 ln(1+a nu^2), not ln(1+a nu^2)" <<'PY'
ze = (g["entropy_change"][...] - g["entropy_change_exact"][...]) / g["entropy_change_err"][...]
assert np.all(np.abs(ze) < 3), ze
v, ve = g["entropy_change_variance"][...], g["entropy_change_variance_err"][...]
zg = (v - g["entropy_change_gaussian"][...]) / ve
zp = (v - g["entropy_change_paper"][...]) / ve
print("entropy: variance-based z against 1/2 ln(1+a nu^2):", np.round(zg, 2), " against ln(1+a nu^2):", np.round(zp, 1))
assert np.all(np.abs(zg) < 3), zg
assert np.all(np.abs(zp) > 10), zp
PY
check "N = 2000: the bound of eq. 16 holds, efficiency below 1; every dataset has description and units" <<'PY'
assert np.all(g["bound_holds"][...] == 1)
assert np.all(g["efficiency"][...] < 1)
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        assert "description" in obj.attrs and "units" in obj.attrs, name
f.visititems(visit)
PY

finish
