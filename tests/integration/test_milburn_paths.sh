#!/usr/bin/env bash
# The sample-path profiles of `twostate`, `doublewell` and `clock`
# (path_samples, stored per trajectory by [histogram] store_samples): 1 and 3
# ranks give identical datasets with paths on; a path's last sample is the
# trajectory's own final state / position / work / heat / synapse J to the bit
# (against the per-trajectory observables' samples), and the two-state path
# (scalar walk) equals the vectorised survival-checkpoint states at the same
# times; the rate-coded clock (drive = square, Fig. 26) sampled at every step
# gives back its y2_mean, r2_mean, count and rate_high/low to the bit, its M
# is the square wave at the sample's time, a subsampled path is the full one's
# every 10th point, and Fig. 26's input draws, spiking faster at M = +1; the
# phase clock's rate-code path (psi, M) ends at psi = 2 pi phase_rate run;
# path_samples = 0 (the default) writes no path dataset; bad values (negative,
# above the declared maximum or the steps, or a drive or oscillator without
# paths) exit 2 with the key named and write nothing.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

cat > "$TMP/ts.ini" <<'INI'
[run]
model = twostate
trajectories = 300
seed = 7

[twostate]
protocol = sigmoid
rate_up = 1
rate_down = 10
t0 = 3
energy = thermal
temperature = 0.7
time = 6
reverse = yes
survival_times = 40
path_samples = 40
INI
cat > "$TMP/dw.ini" <<'INI'
[run]
model = doublewell
trajectories = 70

[grid]
temperature = 0.1, 0.2

[doublewell]
lambda_end = 0.3
ramp_time = 2
time = 3
dt = 0.002
initial = left
survival_times = 6
path_samples = 30
INI
cat > "$TMP/ck.ini" <<'INI'
[run]
model = clock
trajectories = 4

[grid]
lif_threshold = 1, 2.5

[clock]
gamma = 1
kappa = 1
chi = 20
temperature = 0.01
dt = 2e-3
drive = lif
lif_tau = 8
path_samples = 100
INI
cat > "$TMP/cc.ini" <<'INI'
[run]
model = clock
trajectories = 3

[clock]
gamma = 10
chi = 40
temperature = 2.5
dt = 1e-3
transient = 0
periods = 50
path_samples = 64
INI
# the rate code at every step (20/0.01 x 2 = 4000 steps); theta = 0.9: the low level is below the Hopf point
cat > "$TMP/sq.ini" <<'INI'
[run]
model = clock
trajectories = 4

[grid]
square_theta = 0.5, 0.9

[clock]
gamma = 1
kappa = 1
chi = 20
temperature = 0.01
dt = 0.01
drive = square
square_period = 20
square_cycles = 2
path_samples = 4000
INI
sed 's/^path_samples = 4000/path_samples = 400/' "$TMP/sq.ini" > "$TMP/sq10.ini"
# the phase clock under the rate code: (psi, M)
cat > "$TMP/sp.ini" <<'INI'
[run]
model = clock
trajectories = 4

[grid]
square_theta = 0, 0.5

[clock]
oscillator = phase
temperature = 0.5
radius = 2
dt = 0.01
drive = square
square_cycles = 2
path_samples = 300
INI

for name in ts dw ck cc sq sp; do
    ok=1
    "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n1.h5" --quiet || ok=0
    $MPIRUN -n 3 "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n3.h5" --quiet || ok=0
    if [ $ok = 1 ] && same_datasets "$TMP/$name.n1.h5" "$TMP/$name.n3.h5"; then
        pass "$name: 1 and 3 ranks give identical datasets, paths included"
    else
        fail "$name: 1 and 3 ranks differ (or a run failed)"
    fi
done

"$PY" - "$TMP" <<'PY' && pass "last path samples equal the final observables to the bit" || fail "path identities"
import sys, h5py, numpy as np
d = sys.argv[1]
def same(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.tobytes() == b.tobytes(), f"{what}: {a.ravel()[:6]} != {b.ravel()[:6]}"
f = h5py.File(f"{d}/ts.n1.h5", "r")
for direction in ("forward", "reverse"):
    p = f[f"twostate/{direction}/path_samples"][...]            # [P, S, K, 3]
    assert p.shape == (1, 300, 40, 3), p.shape
    same(p[..., -1, 0], f[f"final_state/{direction}/samples"][...], "n(time) = final_state")
    same(p[..., -1, 2], f[f"work/{direction}/samples"][...], "W(0, time) = work")
    assert np.count_nonzero(p[..., 2]) > 100, "thermal levels: the work path is not all zero"
    # the scalar walk's n(t_k) against the vectorised lanes' states at the same checkpoints
    same(p[..., :-1, 0], f[f"twostate/{direction}/state_samples"][..., :-1], "path n = state checkpoints")
f = h5py.File(f"{d}/dw.n1.h5", "r")
p = f["doublewell/path_samples"][...]                            # [P, S, K, 3]
assert p.shape == (2, 70, 30, 3), p.shape
same(np.where(p[..., -1, 0] >= 0, 1.0, -1.0), f["final_sign/forward/samples"][...], "sign x(time) = final_sign")
same(p[..., -1, 1], f["work/forward/samples"][...], "W(0, time) = work")
same(p[..., -1, 2], f["heat/forward/samples"][...], "Q(0, time) = heat")
f = h5py.File(f"{d}/ck.n1.h5", "r")
p = f["clock/path_samples"][...]                                 # [P, S, K, 4]
assert p.shape == (2, 4, 100, 4), p.shape
same(p[..., -1, 3], f["lif_j/forward/samples"][...], "J(tau) = lif_j")
same((p[..., -1, 0] * p[..., -1, 0] + p[..., -1, 1] * p[..., -1, 1]) / 2, f["energy_change/forward/samples"][...],
     "(x^2 + y^2)/2 at tau = energy_change")
f = h5py.File(f"{d}/cc.n1.h5", "r")
p = f["clock/path_samples"][...]                                 # [P, S, K, 3]
assert p.shape == (1, 3, 64, 3) and np.isfinite(p[..., :-1, :]).all() and (np.abs(p[..., 2]) <= 1).all(), p.shape
PY

"$BIN" run "$TMP/sq10.ini" -o "$TMP/sq10.h5" --quiet || fail "the subsampled rate-code run failed"
"$PY" - "$TMP" <<'PY' && pass "square: the path at every step gives back y2_mean, r2_mean, the passages per level, M(t) to the bit; subsampling takes every 10th; phase clock: psi(end) = 2 pi phase_rate run, M" || fail "square path identities"
import sys, h5py, numpy as np
d = sys.argv[1]
def same(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.tobytes() == b.tobytes(), f"{what}: {a.ravel()[:6]} != {b.ravel()[:6]}"
f = h5py.File(f"{d}/sq.n1.h5", "r")
p = f["clock/path_samples"][...]                                 # [P, S, K, 4]: every step
assert p.shape == (2, 4, 4000, 4), p.shape
dt, P, duty, h = 0.01, 20.0, 0.5, 0.5                            # dt, square_period, square_duty, hysteresis
x, y, m = p[..., 0], p[..., 1], p[..., 3]
K = x.shape[-1]
same(np.cumsum(y * y, axis=-1)[..., -1] / K, f["y2_mean/forward/samples"][...], "y2_mean = sum y^2/steps, in order")
same(np.cumsum(x * x + y * y, axis=-1)[..., -1] / K, f["r2_mean/forward/samples"][...], "r2_mean")
def level(t):                                                    # ck_square_level
    return np.where(t - np.floor(t / P) * P < duty * P, 1.0, -1.0)
def integral(t):                                                 # ck_square_integral
    high, whole = duty * P, np.floor(t / P)
    r = t - whole * P
    return whole * (2 * high - P) + np.where(r < high, r, 2 * high - r)
n = np.arange(1, K + 1, dtype=float)
same(m, np.broadcast_to(level(n * dt), m.shape), "M = the square wave at t = (n + 1) dt")
window = K * dt
t_high = (window + integral(np.float64(window))) / 2
t_low = (window - integral(np.float64(window))) / 2
for q in range(p.shape[0]):
    for s in range(p.shape[1]):
        armed, high, low = 0, 0.0, 0.0
        for k in range(K):                                       # the passages of square_escapement, step k
            if x[q, s, k] < -h:
                armed = 1
            if armed and x[q, s, k] >= 0:                        # k > 0: x_before is on the path
                t = float(k) * dt
                hit = t + dt * (0 - x[q, s, k - 1]) / (x[q, s, k] - x[q, s, k - 1])
                high, low = (high + 1, low) if level(hit) > 0 else (high, low + 1)
                armed = 0
        assert high + low == f["count/forward/samples"][q, s], (q, s, high, low)
        same(high / t_high, f["rate_high/forward/samples"][q, s], "rate_high")
        same(low / t_low, f["rate_low/forward/samples"][q, s], "rate_low")
assert f["count/forward/samples"][0].min() >= 10, "theta = 0.5: both levels spike"
sub = h5py.File(f"{d}/sq10.h5", "r")["clock/path_samples"][...]
same(sub, p[:, :, 9::10, :], "path_samples = 400: after steps 10, 20, ..., 4000")
f = h5py.File(f"{d}/sp.n1.h5", "r")
p = f["clock/path_samples"][...]                                 # [P, S, K, 2]: psi, M; 4000 steps
assert p.shape == (2, 4, 300, 2), p.shape
w = 4000 * dt
same(p[..., -1, 0] / (2 * np.pi * w), f["phase_rate/forward/samples"][...], "psi(end)/(2 pi run) = phase_rate")
steps = np.round(4000 * np.arange(1, 301) / 300)
same(p[..., 1], np.broadcast_to(level(steps * dt), p[..., 1].shape), "phase clock: M at the sample times")
assert (np.diff(p[1, :, :, 0], axis=-1).mean() > 0), "psi advances"
PY

# Fig. 26's own input and its figure; the rate code: faster at M = +1 (T0 = 2.35 against 2.93)
"$BIN" run "$ROOT/inputs/milburn_clock_square_paths.ini" -o "$TMP/fig26.h5" --quiet &&
    "$PY" "$ROOT/analysis/milburn_paths.py" fig26 "$TMP/fig26.h5" -o "$TMP/fig26.png" > /dev/null && [ -s "$TMP/fig26.png" ] &&
    "$PY" -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
hi, lo = f['clock/rate_high'][...], f['clock/rate_low'][...]
assert f['clock/path_samples'].shape == (2, 3, 4000, 4) and (hi > 1.2 * lo).all(), (hi, lo)" "$TMP/fig26.h5" &&
    pass "Fig. 26: the input runs, milburn_paths.py fig26 draws it, rate_high > 1.2 rate_low" ||
    fail "Fig. 26 input or figure"

# off by default: no path datasets, the rest as before
printf '[run]\nmodel = twostate\ntrajectories = 10\n\n[twostate]\n' > "$TMP/off.ini"
"$BIN" run "$TMP/off.ini" -o "$TMP/off.h5" --quiet &&
    ! datasets "$TMP/off.h5" | grep -q '^/twostate/path' &&
    pass "path_samples = 0 writes no path dataset" || fail "path_samples = 0 wrote a path dataset (or the run failed)"

bad_input twostate "bad.ini:6: \[twostate\] path_samples: value -1 out of range" "path_samples = -1"
bad_input twostate "bad.ini:6: \[twostate\] path_samples: value 20000 out of range" "path_samples = 20000"
bad_input doublewell "path_samples = 200 is more than the 100 steps" "temperature = 0.1" "time = 1" "ramp_time = 1" "dt = 0.01" \
    "path_samples = 200"
bad_input clock "path_samples = 5: sample paths belong to drive = constant, lif or square (escapement) and drive = square (phase)" \
    "oscillator = phase" "temperature = 1" "path_samples = 5"
bad_input clock "path_samples = 5: sample paths belong to drive = constant" \
    "temperature = 1" "drive = network" "path_samples = 5"
bad_input clock "path_samples = 5000 is more than the 4000 steps" \
    "temperature = 1" "gamma = 1" "dt = 0.01" "drive = square" "square_cycles = 2" "path_samples = 5000"
bad_input clock "path_samples = 100000 is more than the" "temperature = 0.01" "drive = lif" "dt = 1e-3" \
    "lif_tau = 20" "path_samples = 100000"
finish
