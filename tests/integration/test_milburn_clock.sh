#!/usr/bin/env bash
# Model `clock` (Milburn section 6) end to end: the escapement clock, the
# phase clock and the LIF-switched clock on 1 and 3 ranks give identical
# datasets (h5diff, every dataset), also after a stop on 1 rank
# resumed on 3; `check` passes on the declared triples (phase clock: the Wald
# mean, variance and block variance; escapement: the heat martingale; LIF:
# E[J] and Var J against quadrature and closed form) and fails (exit 1) when
# the paper's eq. 108 (2 pi sigma/r*) or eq. 107 (E[T] = 2 pi) replaces the
# exact value; every dataset has description and units; the escapement's
# period and interval variance at Fig. 22's parameters are those of the
# planning note (independent Python integration); the Hopf switch: passages
# when J passes J0, none when it does not; bad inputs are refused with exit
# 2, the key named, and no output file written.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

cat > "$TMP/esc.ini" <<'INI'
[run]
model = clock
trajectories = 6
seed = 3

[grid]
temperature = 0.125, 2.5

[clock]
gamma = 10
chi = 40
bias = 0
dt = 1e-3
transient = 5
periods = 60
INI
cat > "$TMP/phase.ini" <<'INI'
[run]
model = clock
trajectories = 300
seed = 4

[grid]
radius = 1.5, 3

[clock]
oscillator = phase
temperature = 0.5
omega = 2
dt = 0.004
transient = 0
periods = 60
INI

cat > "$TMP/lif.ini" <<'INI'
[run]
model = clock
trajectories = 60
seed = 5

[grid]
lif_threshold = 1, 4

[clock]
gamma = 1
kappa = 1
chi = 20
bias = 0
temperature = 0.01
dt = 2e-3
drive = lif
lif_k = 0.5
lif_noise = 0.2
INI

# the rate code of eq. 114: the phase clock (exact phase rate, its variance, the Wald count at
# theta = 0) and the escapement (heat martingale; rates per level)
cat > "$TMP/sqphase.ini" <<'INI'
[run]
model = clock
trajectories = 400
seed = 6

[grid]
square_theta = 0, 0.5

[clock]
oscillator = phase
temperature = 0.5
omega = 2
radius = 1.5
dt = 0.004
drive = square
square_period = 7
square_duty = 0.3
square_cycles = 3
INI
cat > "$TMP/sqesc.ini" <<'INI'
[run]
model = clock
trajectories = 6
seed = 7

[grid]
square_theta = 0.5, 0.9

[clock]
gamma = 1
kappa = 1
chi = 20
bias = 0
temperature = 0.01
dt = 2e-3
drive = square
square_period = 20
square_cycles = 2
INI

# eq. 115: the two-input perceptron of clocks, both synapses
for syn in level spike; do
    cat > "$TMP/net$syn.ini" <<INI
[run]
model = clock
trajectories = 12
seed = 8

[grid]
net_x1 = -1, 1

[clock]
gamma = 1
kappa = 1
chi = 20
bias = 0
temperature = 0.01
dt = 2e-3
drive = network
net_synapse = $syn
net_theta = 0.9
net_x2 = 1
lif_k = 0.5
lif_noise = 0.01
lif_tau = 10
INI
done

# the escapement rate code's and the network's rank independence is shown by their stops on 1 rank
# after one unit of work (THERMOLEARN_TEST_STOP_AFTER: a point is one unit here, so a time limit on
# 2 ranks could find the run finished), resumed on 3, against the 1-rank run (below): one run fewer each
for name in esc phase lif sqphase sqesc netlevel netspike; do
    ok=1
    "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n1.h5" --quiet || ok=0
    case $name in sqesc|net*) [ $ok = 1 ] && pass "$name: runs" || fail "$name: run failed";;
    *)
    $MPIRUN -n 3 "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n3.h5" --quiet || ok=0
    if [ $ok = 1 ] && same_datasets "$TMP/$name.n1.h5" "$TMP/$name.n3.h5"; then
        pass "$name: 1 and 3 ranks give identical datasets"
    else
        fail "$name: 1 and 3 ranks differ (or a run failed)"
    fi;;
    esac
    "$BIN" check "$TMP/$name.n1.h5" > "$TMP/$name.check"
    status=$?
    [ $status = 0 ] && pass "$name: check passes" || { cat "$TMP/$name.check"; fail "$name: check exit $status"; }
done
grep -q 'interval_var' "$TMP/phase.check" && grep -q 'block_variance' "$TMP/phase.check" &&
    grep -q 'heat_noise' "$TMP/esc.check" && grep -q 'lif_j_var' "$TMP/lif.check" &&
    grep -q 'count_var ' "$TMP/sqphase.check" && grep -q 'phase_rate_var ' "$TMP/sqphase.check" &&
    grep -q 'heat_noise' "$TMP/sqesc.check" && grep -q 'lif_j_var ' "$TMP/netspike.check" &&
    pass "check compares the Wald moments, the heat martingale, the LIF synapse's E[J], Var J and the rate code's phase rate and count" ||
    fail "check did not list the expected quantities"

# stop_resume LABEL NAME: NAME.ini stopped after its first unit on 1 rank (exit 75), resumed on
# 3 ranks, equals NAME.n1.h5, the 1-rank run in one go.
stop_resume() {
    local label=$1 name=$2 rc
    THERMOLEARN_TEST_STOP_AFTER=1 "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.tl.h5" --checkpoint-interval 0 --quiet \
        2>/dev/null >/dev/null
    rc=$?
    $MPIRUN -n 3 "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.tl.h5" --resume --quiet || rc=99
    if [ $rc = 75 ] && same_datasets "$TMP/$name.n1.h5" "$TMP/$name.tl.h5"; then
        pass "$label: stopped after its first unit (exit 75) on 1 rank, resumed on 3: identical datasets"
    else
        fail "$label: stop exit $rc (expected 75) or the resumed run differs"
    fi
}
stop_resume phase phase
stop_resume network netspike
stop_resume square sqesc
stop_resume lif lif

# the paper's formulas in place of the exact ones must fail check
"$PY" - "$TMP" <<'PY'
import sys, shutil, h5py
d = sys.argv[1]
def edit(name, fn):
    out = f"{d}/{name}.h5"
    shutil.copy(f"{d}/phase.n1.h5", out)
    with h5py.File(out, "r+") as f:
        fn(f["clock"])
def eq108(g):  # V[T] = 2 pi sigma / r* as printed
    g["interval_var_exact"][...] = g["interval_var_paper"][...]
def eq107(g):  # E[T] = 2 pi at omega = 2
    g["period_mean_exact"][...] = g["period_paper"][...]
def moved(g):
    g["interval_var_exact"][1] += 6 * g["interval_var_err"][1]
edit("eq108", eq108); edit("eq107", eq107); edit("moved", moved)
def poisson(g):  # the count variance of a Poisson process (Var N = E[N]) in place of the Wald renewal's
    g["count_var_exact"][0] = g["count_mean_exact"][0]
def half(g):  # the square wave's mean taken as 0 (duty 1/2) in the phase rate
    g["phase_rate_exact"][...] = 2 / (2 * 3.141592653589793)
for name, fn in (("poisson", poisson), ("half", half)):
    out = f"{d}/{name}.h5"
    shutil.copy(f"{d}/sqphase.n1.h5", out)
    with h5py.File(out, "r+") as f:
        fn(f["clock"])
PY
for f in eq108 eq107 moved poisson half; do
    "$BIN" check "$TMP/$f.h5" > /dev/null
    status=$?
    [ $status = 1 ] && pass "check fails (exit 1) with $f" || fail "check exit $status with $f (expected 1)"
done

"$PY" - "$TMP" <<'PY' && pass "datasets described; Fig. 22 periods as the planning note; eq. 108 off by > 100x; power balance" || fail "datasets"
import sys, h5py, numpy as np
d = sys.argv[1]
for name in ("esc", "phase"):
    f = h5py.File(f"{d}/{name}.n1.h5", "r")
    bad = []
    f.visititems(lambda n, o: bad.append(n) if isinstance(o, h5py.Dataset) and not ("description" in o.attrs and "units" in o.attrs) else None)
    assert not bad, (name, bad)
g = h5py.File(f"{d}/esc.n1.h5", "r")["clock"]
assert np.allclose(g["period_deterministic"][...], 1.25555, atol=5e-5)
# planning note (lc_stoch.py, sigma = 0.25): <T> = 1.2552, Var 0.00044
assert abs(g["period_mean"][0] - 1.2552) < 4 * g["period_mean_err"][0] + 5e-4, g["period_mean"][0]
assert abs(g["interval_var"][0] - 0.00044) < 4 * g["interval_var_err"][0] + 4e-5, g["interval_var"][0]
assert np.all(g["interval_var_paper"][...] / g["interval_var"][...] > 100)
assert np.isnan(g["radius_paper"][0])
assert np.allclose(g["chi_hopf"][...], 21.05)
ratio = g["dissipation_rate"][...] / g["dissipation_identity"][...]
assert np.all(abs(ratio - 1) < 0.03), ratio
f = h5py.File(f"{d}/lif.n1.h5", "r")
assert np.allclose(f["clock/lif_j_mean_exact"][...], 1.3979, atol=1e-4)   # lif.py, t = 20
assert np.allclose(f["clock/lif_j_var_exact"][...], 0.1000, atol=1e-4)
n = f["/lif_count/forward/moments"][:, 0]
assert n[0] > 1 and n[1] == 0, n       # the Hopf switch: J passes J0 = 1, never 4
g = h5py.File(f"{d}/sqesc.n1.h5", "r")["clock"]
# Fig. 26's levels 30 and 10: 1/T0 = 0.4251, 0.3409 (the planning note's T0 = 2.3522, 2.9334); theta = 0.9: 38 and 2 < chi_h
assert np.allclose(g["rate_high_adiabatic"][0], 1 / 2.3522, atol=2e-5) and np.allclose(g["rate_low_adiabatic"][0], 1 / 2.9334, atol=2e-5)
assert g["rate_low_adiabatic"][1] == 0
# 20 time units per level and trajectory: counts within about one passage per segment of 10 of L/T0
assert abs(g["rate_high"][0] - g["rate_high_adiabatic"][0]) < 0.05, g["rate_high"][...]
assert abs(g["rate_low"][0] - g["rate_low_adiabatic"][0]) < 0.05, g["rate_low"][...]
# below the Hopf point the clock dies out within a few periods: the low level's rate drops
assert g["rate_low"][1] < 0.7 * g["rate_low"][0] and g["rate_high"][1] > g["rate_low"][1] + 0.1, g["rate_low"][...]
# eq. 115: the inputs spike at 1/T0(38) or not at all (chi = 2); the spike synapse's J follows x_1, the
# printed synapse's does not (slip 11); J - J_det's exact variance is the declared check
for syn in ("level", "spike"):
    g = h5py.File(f"{d}/net{syn}.n1.h5", "r")["clock"]
    assert g["rate_high"][0] == 0 and g["rate_high"][1] > 0.3 and np.all(g["rate_low"][...] > 0.3), g["rate_high"][...]
    J = g["lif_j_mean"][...]
    if syn == "spike":
        assert J[1] > 1.5 * J[0], J
    else:
        assert abs(J[1] / J[0] - 1) < 0.05, J
    assert np.all(np.isfinite(g["lif_j_var_exact"][...])) and np.all(np.isnan(g["lif_j_mean_exact"][...]))
f = h5py.File(f"{d}/sqesc.n1.h5", "r")
bad = []
f.visititems(lambda n, o: bad.append(n) if isinstance(o, h5py.Dataset) and not ("description" in o.attrs and "units" in o.attrs) else None)
assert not bad, bad
PY

bad_input() { # expected-text ini-body...
    local want=$1; shift
    printf '[run]\nmodel = clock\ntrajectories = 4\n\n[clock]\n' > "$TMP/bad.ini"
    printf '%s\n' "$@" >> "$TMP/bad.ini"
    rm -f "$TMP/bad.h5"
    "$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" --quiet 2> "$TMP/bad.err"
    local status=$?
    if [ $status = 2 ] && grep -q -- "$want" "$TMP/bad.err" && [ ! -e "$TMP/bad.h5" ]; then
        pass "refused ($want): $(head -c 160 "$TMP/bad.err")"
    else
        fail "expected exit 2, '$want' and no output, got $status: $(cat "$TMP/bad.err")"
    fi
}
bad_input "bad.ini:6: \[clock\] temperature: value -1 out of range" "temperature = -1"
bad_input "bad.ini:7: \[clock\] dt: value -0.001 out of range" "temperature = 1" "dt = -0.001"
bad_input "bad.ini:7: \[clock\] gamma: value -2 out of range" "temperature = 1" "gamma = -2"
bad_input "bad.ini:7: \[clock\] kappa: value 0 out of range" "temperature = 1" "kappa = 0"
bad_input "bad.ini:7: \[clock\] oscillator: 'pendulum' is not one of" "temperature = 1" "oscillator = pendulum"
bad_input "bad.ini:7: \[clock\] periods: value 0 out of range" "temperature = 1" "periods = 0"
bad_input "dt = 0.01 is too large: dt gamma = 0.1 exceeds 0.05" "temperature = 1" "dt = 0.01"
bad_input "dt = 0.05 is too large: dt omega = 0.05 exceeds 0.01" "temperature = 1" "oscillator = phase" "dt = 0.05"
bad_input "radius belongs to oscillator = phase" "temperature = 1" "radius = 2"
bad_input "chi belongs to oscillator = escapement" "temperature = 1" "oscillator = phase" "chi = 2"
bad_input "chi = 10, bias = 0: no limit cycle" "temperature = 1" "chi = 10"
bad_input "bias = 0.1 with drive = lif" "temperature = 1" "drive = lif" "bias = 0.1"
bad_input "lif_k belongs to drive = lif" "temperature = 1" "lif_k = 0.2"
bad_input "periods belongs to drive = constant" "temperature = 1" "drive = lif" "bias = 0" "periods = 100"
bad_input "bad.ini:8: \[clock\] lif_tau: value -5 out of range" "temperature = 1" "drive = lif" "lif_tau = -5"
bad_input "bad.ini:8: \[clock\] square_theta: value 1.5 out of range" "temperature = 1" "drive = square" "square_theta = 1.5"
bad_input "bad.ini:8: \[clock\] square_cycles: value 0 out of range" "temperature = 1" "drive = square" "square_cycles = 0"
bad_input "bad.ini:8: \[clock\] square_period: value -20 out of range" "temperature = 1" "drive = square" "square_period = -20"
bad_input "square_duty = 1: M = +1 throughout" "temperature = 1" "drive = square" "bias = 0" "square_duty = 1"
bad_input "bias = 0.1 with drive = square" "temperature = 1" "drive = square" "bias = 0.1"
bad_input "square_theta belongs to drive = square" "temperature = 1" "square_theta = 0.5"
bad_input "periods belongs to drive = constant" "temperature = 1" "oscillator = phase" "drive = square" "periods = 100"
bad_input "drive = lif belongs to oscillator = escapement" "temperature = 1" "oscillator = phase" "drive = lif"
bad_input "drive = network belongs to oscillator = escapement" "temperature = 1" "oscillator = phase" "drive = network"
bad_input "net_x1 = 0: an input bit is +1 or -1" "temperature = 1" "drive = network" "net_x1 = 0"
bad_input "bad.ini:8: \[clock\] net_x2: value 2 out of range" "temperature = 1" "drive = network" "net_x2 = 2"
bad_input "bad.ini:8: \[clock\] net_synapse: 'dendrite' is not one of" "temperature = 1" "drive = network" "net_synapse = dendrite"
bad_input "pre_period belongs to drive = lif" "temperature = 1" "drive = network" "pre_period = 5"
bad_input "net_w1 belongs to drive = network" "temperature = 1" "drive = lif" "net_w1 = 5"
bad_input "bad.ini:8: \[clock\] lif_noise: value -1 out of range" "temperature = 1" "drive = network" "lif_noise = -1"
finish
