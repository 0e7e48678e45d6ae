#!/usr/bin/env bash
# Model `spins` end to end: Gillespie magnetisations and entropy production
# rates against the exact master equation within 3 standard errors (2N = 8,
# symmetric and asymmetric W), zero entropy production for symmetric W, the
# 2-spin system from a coupling-matrix file against the closed form of
# appendix C (computed here in Python, independently of the C code), identical
# output for 1 and 3 ranks, and task = random (SPSA) through the engine,
# with the mse and the cross-entropy readouts.
# Bad inputs: test_spins_inputs.sh.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

C_SYM="0.3, -0.4, -0.4, 0.3, 0.2, 0.5, -0.6, 0.1, 0.25, 0.25, 0.1, -0.6, 0.5, 0.2"
C_ASYM="0.9, -0.7, 0.2, 0.4, -0.8, 0.5, 0.6, 0.1, 0.7, -0.5, 0.3, -0.9, 0.4, 0.2"
printf '0.4 -0.3 0.1 0.6\n-0.5 0.2 0.8 -0.1 0.3 0.0 -0.2 0.4\n' > "$TMP/inputs.txt"

write_chain() { # name couplings trajectories
    cat > "$TMP/$1.ini" <<INI
[run]
model = spins
trajectories = $3
seed = 11

[grid]
input_index = 0, 1

[spins]
chain_length = 4
couplings = $2
inputs = $TMP/inputs.txt
beta = 1
time = 60
transient = 5
INI
}

# exact_check FILE SYMMETRIC: every estimate within 3 standard errors of its exact value
exact_check() {
    "$PY" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); sym = sys.argv[2] == "1"; g = f["spins"]; bad = 0
for name in ("magnetization", "entropy_production_rate"):
    est, err, ex = g[name][()], g[name + "_err"][()], g[name + "_exact"][()]
    z = (est - ex) / err
    print(f"  {name}: max |z| = {np.max(np.abs(z)):.2f} over {z.size} values")
    bad |= not np.all(np.abs(z) <= 3)
ep = g["entropy_production_rate_exact"][()]
if sym:
    bad |= not np.all(np.abs(ep) < 1e-12)
    print(f"  symmetric: exact rate {ep}, Gillespie {g['entropy_production_rate'][()]}")
else:
    bad |= not np.all(ep > 1)
# every dataset carries description and units
def visit(name, obj):
    global bad
    if isinstance(obj, h5py.Dataset) and not ("description" in obj.attrs and "units" in obj.attrs):
        print("  no description/units:", name); bad = 1
f.visititems(visit)
# the input of each point, repeated on both chains or given per spin
x = g["input"][()]
bad |= not (np.allclose(x[0], [0.4, -0.3, 0.1, 0.6] * 2) and np.allclose(x[1], [-0.5, 0.2, 0.8, -0.1, 0.3, 0.0, -0.2, 0.4]))
sys.exit(int(bad))
PY
}

for kind in sym asym; do
    [ $kind = sym ] && c=$C_SYM || c=$C_ASYM
    write_chain $kind "$c" 1500
    if "$BIN" run "$TMP/$kind.ini" -o "$TMP/$kind.h5" --quiet && exact_check "$TMP/$kind.h5" $([ $kind = sym ] && echo 1 || echo 0); then
        pass "$kind W, 2N = 8: Gillespie within 3 standard errors of the master equation"
    else
        fail "$kind W, 2N = 8: Gillespie against the master equation"
    fi
done

# Two spins from a coupling-matrix file: W = [[0, Js + Ja], [Js - Ja, 0]]
printf '0 1.1\n-0.3 0\n' > "$TMP/w2.txt"    # Js = 0.4, Ja = 0.7
printf '0.3 -0.5\n1.0 0.2\n' > "$TMP/x2.txt"
cat > "$TMP/two.ini" <<INI
[run]
model = spins
trajectories = 2000
seed = 3
[grid]
input_index = 0, 1
[spins]
coupling_matrix = $TMP/w2.txt
inputs = $TMP/x2.txt
beta = 1.3
time = 40
transient = 2
INI
if "$BIN" run "$TMP/two.ini" -o "$TMP/two.h5" --quiet && "$PY" - "$TMP/two.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); g = f["spins"]
beta, js, ja = 1.3, 0.4, 0.7
bad = 0
for p, (x1, x2) in enumerate([(0.3, -0.5), (1.0, 0.2)]):
    # Appendix C, corrected: p ~ exp(beta (x.s + Js s1 s2)) [e^{b Ja s1 s2} cosh b(x1 - 2 Ja s2) + e^{-b Ja s1 s2} cosh b(x2 + 2 Ja s1)]
    st = [(s1, s2) for s2 in (-1, 1) for s1 in (-1, 1)]
    w = np.array([np.exp(beta * (x1*s1 + x2*s2 + js*s1*s2)) * (np.exp(beta*ja*s1*s2) * np.cosh(beta*(x1 - 2*ja*s2))
                  + np.exp(-beta*ja*s1*s2) * np.cosh(beta*(x2 + 2*ja*s1))) for s1, s2 in st])
    w /= w.sum()
    m = np.array([sum(w[k] * st[k][i] for k in range(4)) for i in range(2)])
    d = np.max(np.abs(m - g["magnetization_exact"][p]))
    z = (g["magnetization"][p] - m) / g["magnetization_err"][p]
    print(f"  point {p}: exact m {m}, |closed form - master equation| = {d:.1e}, z = {z}")
    bad |= d > 1e-12 or np.any(np.abs(z) > 3)
sys.exit(int(bad))
PY
then pass "2 spins from coupling_matrix: master equation = closed form (C1-C3, corrected), Gillespie within 3 SE"
else fail "2 spins from coupling_matrix against the closed form"; fi

# The integral fluctuation theorem through the engine: <exp(-Sigma_tot)> = 1 over short windows
C_WEAK="0.3, -0.4, -0.15, 0.3, 0.2, 0.5, -0.6, 0.1, 0.25, 0.25, 0.1, -0.35, 0.5, 0.2"
write_chain ift "$C_WEAK" 20000
sed -i 's/^time = 60/time = 2/; s/^transient = 5/transient = 0/' "$TMP/ift.ini"
if "$BIN" run "$TMP/ift.ini" -o "$TMP/ift.h5" --quiet && "$PY" - "$TMP/ift.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); g = f["spins"]
ift, err = g["ift"][()], g["ift_err"][()]
s = f["entropy_production_total/steady/samples"][()]
w = f["ift_weight/steady/samples"][()]
print(f"  <exp(-S_tot)> = {ift} +- {err}; std of S_tot {s.std(axis=1)}")
ok = np.all(np.abs(ift - 1) <= 3 * err) and np.all(s.std(axis=1) > 0.5) and np.allclose(w, np.exp(-s), rtol=1e-12)
sys.exit(0 if ok else 1)
PY
then pass "integral fluctuation theorem: /spins/ift = 1 within 3 standard errors"
else fail "integral fluctuation theorem"; fi

# 1 and 3 ranks: identical datasets
write_chain ranks "$C_ASYM" 600
ok=1
for n in 1 3; do
    if [ $n = 1 ]; then "$BIN" run "$TMP/ranks.ini" -o "$TMP/ranks.n1.h5" --quiet || ok=0; continue; fi
    $MPIRUN -n $n "$BIN" run "$TMP/ranks.ini" -o "$TMP/ranks.n$n.h5" --quiet || ok=0
done
if [ $ok = 1 ] && same_datasets "$TMP/ranks.n1.h5" "$TMP/ranks.n3.h5"; then
    pass "1 and 3 ranks give identical datasets"
else
    fail "1 and 3 ranks differ"
fi

# task = random: SPSA inside the point set-up, the same on every rank; alpha trades error for dissipation
cat > "$TMP/task.ini" <<INI
[run]
model = spins
trajectories = 300
seed = 2
[grid]
alpha = 0, 2
[spins]
chain_length = 4
task = random
patterns = 20
spsa_steps = 40
task_time = 30
beta = 1
time = 40
transient = 4
INI
ok=1
for n in 1 3; do
    if [ $n = 1 ]; then "$BIN" run "$TMP/task.ini" -o "$TMP/task.n1.h5" --quiet || ok=0; continue; fi
    $MPIRUN -n $n "$BIN" run "$TMP/task.ini" -o "$TMP/task.n$n.h5" --quiet || ok=0
done
if [ $ok = 1 ] && same_datasets "$TMP/task.n1.h5" "$TMP/task.n3.h5"; then
    pass "task = random: 1 and 3 ranks give identical datasets"
else
    fail "task = random: 1 and 3 ranks differ"
fi
if "$PY" - "$TMP/task.n1.h5" <<'PY'
import sys, h5py, numpy as np
g = h5py.File(sys.argv[1], "r")["spins"]
mse, ep, th = g["task_mse"][()], g["task_entropy_production_rate"][()], g["task_couplings"][()]
print(f"  alpha 0: mse {mse[0]:.3f}, Sigma {ep[0]:.3f}; alpha 2: mse {mse[1]:.3f}, Sigma {ep[1]:.3f}")
# the simulated network is the optimum: its couplings are in /spins/couplings
ok = np.all(np.isfinite(mse)) and ep[1] < ep[0] and th.shape == (2, 14)
ok = ok and np.allclose(g["couplings"][0][0, 1:3], th[0][[1, 0]])  # W_{0,1}, W_{0,2}: same chain, d = -1, -2
sys.exit(0 if ok else 1)
PY
then pass "task = random: alpha = 2 dissipates less than alpha = 0; optimal couplings simulated"
else fail "task = random results"; fi

# readout = cross_entropy: three classes, G = -cross-entropy of the logistic readout
sed 's/^spsa_steps = 40/spsa_steps = 40\nreadout = cross_entropy\nclasses = 3/' "$TMP/task.ini" > "$TMP/task_ce.ini"
if "$BIN" run "$TMP/task_ce.ini" -o "$TMP/task_ce.h5" --quiet && "$PY" - "$TMP/task_ce.h5" "$TMP/task.n1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); g = f["spins"]; mse_run = h5py.File(sys.argv[2], "r")["spins"]
ce, acc, ep = g["task_cross_entropy"][()], g["task_accuracy"][()], g["task_entropy_production_rate"][()]
print(f"  alpha 0: CE {ce[0]:.3f} (ln 3 = {np.log(3):.3f}), accuracy {acc[0]:.2f}, Sigma {ep[0]:.3f}; "
      f"alpha 2: CE {ce[1]:.3f}, accuracy {acc[1]:.2f}, Sigma {ep[1]:.3f}")
ok = np.all(np.isfinite(ce)) and np.all(ce > 0) and np.all(ce < np.log(3))   # better than chance on 20 patterns
ok = ok and np.all(np.isnan(g["task_mse"][()])) and np.all((acc > 1 / 3) & (acc <= 1)) and ep[1] < ep[0]
# the mse run: no cross-entropy, an accuracy
ok = ok and np.all(np.isnan(mse_run["task_cross_entropy"][()])) and np.all(np.isfinite(mse_run["task_accuracy"][()]))
for name in ("task_cross_entropy", "task_accuracy"):
    ok = ok and "description" in g[name].attrs and "units" in g[name].attrs
sys.exit(0 if ok else 1)
PY
then pass "task = random, readout = cross_entropy: CE below ln 3, accuracy above 1/3, alpha = 2 dissipates less"
else fail "task = random, readout = cross_entropy"; fi

finish
