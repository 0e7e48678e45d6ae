#!/usr/bin/env bash
# Model `spins` end to end.  Every trajectory runs every input of the inputs
# file once, so magnetisations are [P, inputs, 2N] and rates [P, inputs].
# Gillespie against the exact master equation within 3 standard errors
# (`check`, and here) at 2N = 8 for symmetric and asymmetric W with two
# inputs; zero entropy production for symmetric W; 2N = 12 (GMRES steady
# state); the 2-spin system from a coupling-matrix file against the closed
# form of appendix C (computed here in Python, independently of the C code);
# the integral fluctuation theorem per input and summed over the inputs;
# identical files for 1 and 3 ranks; task = random (its patterns are the
# inputs) through the engine, with the mse and the cross-entropy readouts.  Bad inputs: test_spins_inputs.sh.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

C_SYM="0.3, -0.4, -0.4, 0.3, 0.2, 0.5, -0.6, 0.1, 0.25, 0.25, 0.1, -0.6, 0.5, 0.2"
C_ASYM="0.9, -0.7, 0.2, 0.4, -0.8, 0.5, 0.6, 0.1, 0.7, -0.5, 0.3, -0.9, 0.4, 0.2"
C_WEAK="0.3, -0.4, -0.15, 0.3, 0.2, 0.5, -0.6, 0.1, 0.25, 0.25, 0.1, -0.35, 0.5, 0.2"
printf '0.4 -0.3 0.1 0.6\n-0.5 0.2 0.8 -0.1 0.3 0.0 -0.2 0.4\n' > "$TMP/inputs.txt"
printf '0.4 -0.3 0.1 0.6 -0.2 0.3\n-0.5 0.2 0.8 -0.1 0.3 0.0 -0.2 0.4 0.1 -0.6 0.5 0.2\n0 0 0 0 0 0\n' > "$TMP/inputs12.txt"

write_chain() { # name couplings trajectories [chain_length inputs]
    cat > "$TMP/$1.ini" <<INI
[run]
model = spins
trajectories = $3
seed = 11

[spins]
chain_length = ${4:-4}
couplings = $2
inputs = ${5:-$TMP/inputs.txt}
beta = 1
time = 20
transient = 2
INI
}

# exact_check FILE SYMMETRIC: `check` passes; shapes, rates and inputs as they should be
exact_check() {
    "$BIN" check "$1" > "$TMP/check.txt" || { cat "$TMP/check.txt"; return 1; }
    grep -E "^(magnetization|entropy_production_rate|ift) " "$TMP/check.txt" | sed 's/^/  /'
    "$PY" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); sym = sys.argv[2] == "1"; g = f["spins"]; bad = 0
m, mx = g["magnetization"][()], g["magnetization_exact"][()]
bad |= m.shape != (1, 2, 8) or mx.shape != (1, 2, 8) or g["entropy_production_rate"].shape != (1, 2)
ep, epe, epx = g["entropy_production_rate"][()], g["entropy_production_rate_err"][()], g["entropy_production_rate_exact"][()]
if sym:
    # zero entropy production: exactly in the master equation, within 3 standard errors along trajectories
    bad |= not (np.all(np.abs(epx) < 1e-12) and np.all(np.abs(ep) <= 3 * epe))
    # and Sigma_tot = 0 on every trajectory: exp(-Sigma_tot) = 1 to round-off
    bad |= not np.allclose(g["ift"][()], 1, rtol=0, atol=1e-9)
    print(f"  symmetric: exact rates {epx.ravel()}, Gillespie {ep.ravel()} +- {epe.ravel()}")
else:
    bad |= not np.all(epx > 1)
# the scalar rate is the mean over the inputs
mom = f["entropy_production_rate/steady/moments"][0]
bad |= abs(mom[0] - ep.mean()) > 1e-9 * max(1, abs(mom[0]))
# every dataset carries description and units
def visit(name, obj):
    global bad
    if isinstance(obj, h5py.Dataset) and not ("description" in obj.attrs and "units" in obj.attrs):
        print("  no description/units:", name); bad = 1
f.visititems(visit)
# the inputs, repeated on both chains or given per spin
x = g["input"][0]
bad |= not (np.allclose(x[0], [0.4, -0.3, 0.1, 0.6] * 2) and np.allclose(x[1], [-0.5, 0.2, 0.8, -0.1, 0.3, 0.0, -0.2, 0.4]))
sys.exit(int(bad))
PY
}

for kind in sym asym; do
    [ $kind = sym ] && c=$C_SYM || c=$C_ASYM
    write_chain $kind "$c" 1000
    if "$BIN" run "$TMP/$kind.ini" -o "$TMP/$kind.h5" --quiet && exact_check "$TMP/$kind.h5" $([ $kind = sym ] && echo 1 || echo 0); then
        pass "$kind W, 2N = 8, 2 inputs: Gillespie within 3 standard errors of the master equation ([1, 2, 8])"
    else
        fail "$kind W, 2N = 8: Gillespie against the master equation"
    fi
done

# 2N = 12: the exact steady state by GMRES on the sparse generator, three inputs
write_chain big "$C_WEAK" 400 6 "$TMP/inputs12.txt"
if "$BIN" run "$TMP/big.ini" -o "$TMP/big.h5" --quiet && "$BIN" check "$TMP/big.h5" > "$TMP/check.txt" &&
    grep -q "magnetization .* PASS (largest |z| .* of 36 values" "$TMP/check.txt" &&
    grep -q "ift .* PASS .* of 3 values" "$TMP/check.txt"; then
    grep -E "^(magnetization|entropy_production_rate|ift) " "$TMP/check.txt" | sed 's/^/  /'
    pass "2N = 12 (GMRES), 3 inputs: magnetisations, rates and the IFT within 3 standard errors (check)"
else
    cat "$TMP/check.txt"; fail "2N = 12 against the GMRES steady state"
fi

# Two spins from a coupling-matrix file: W = [[0, Js + Ja], [Js - Ja, 0]], two inputs in one run
printf '0 1.1\n-0.3 0\n' > "$TMP/w2.txt"    # Js = 0.4, Ja = 0.7
printf '0.3 -0.5\n1.0 0.2\n' > "$TMP/x2.txt"
cat > "$TMP/two.ini" <<INI
[run]
model = spins
trajectories = 2000
seed = 3
[spins]
coupling_matrix = $TMP/w2.txt
inputs = $TMP/x2.txt
beta = 1.3
time = 20
transient = 2
INI
if "$BIN" run "$TMP/two.ini" -o "$TMP/two.h5" --quiet && "$PY" - "$TMP/two.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); g = f["spins"]
beta, js, ja = 1.3, 0.4, 0.7
bad = 0
for mu, (x1, x2) in enumerate([(0.3, -0.5), (1.0, 0.2)]):
    # Appendix C, corrected: p ~ exp(beta (x.s + Js s1 s2)) [e^{b Ja s1 s2} cosh b(x1 - 2 Ja s2) + e^{-b Ja s1 s2} cosh b(x2 + 2 Ja s1)]
    st = [(s1, s2) for s2 in (-1, 1) for s1 in (-1, 1)]
    w = np.array([np.exp(beta * (x1*s1 + x2*s2 + js*s1*s2)) * (np.exp(beta*ja*s1*s2) * np.cosh(beta*(x1 - 2*ja*s2))
                  + np.exp(-beta*ja*s1*s2) * np.cosh(beta*(x2 + 2*ja*s1))) for s1, s2 in st])
    w /= w.sum()
    m = np.array([sum(w[k] * st[k][i] for k in range(4)) for i in range(2)])
    d = np.max(np.abs(m - g["magnetization_exact"][0, mu]))
    z = (g["magnetization"][0, mu] - m) / g["magnetization_err"][0, mu]
    print(f"  input {mu}: exact m {m}, |closed form - master equation| = {d:.1e}, z = {z}")
    bad |= d > 1e-12 or np.any(np.abs(z) > 3)
sys.exit(int(bad))
PY
then pass "2 spins from coupling_matrix, 2 inputs: master equation = closed form (C1-C3, corrected), Gillespie within 3 SE"
else fail "2 spins from coupling_matrix against the closed form"; fi

# The integral fluctuation theorem through the engine: per input over the
# automatic window (ift, checked by `check`), and exp(-(sum over the inputs of
# Sigma_tot)) over a short window where Sigma_tot fluctuates (ift_weight).
write_chain ift "$C_WEAK" 10000
sed -i 's/^time = 20/time = 1/; s/^transient = 2/transient = 0/' "$TMP/ift.ini"
if "$BIN" run "$TMP/ift.ini" -o "$TMP/ift.h5" --quiet && "$BIN" check "$TMP/ift.h5" > /dev/null && "$PY" - "$TMP/ift.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); g = f["spins"]
ift, err, ex = g["ift"][0], g["ift_err"][0], g["ift_exact"][0]
s = f["entropy_production_total/steady/samples"][0]
w = f["ift_weight/steady/samples"][0]
mean, se = w.mean(), w.std(ddof=1) / np.sqrt(len(w))
print(f"  per input <exp(-S_tot)> = {ift} +- {err} over {g['ift_window'][0]}; sum over inputs {mean:.4f} +- {se:.4f}, std of S_tot {s.std():.2f}")
ok = np.all(ex == 1) and np.all(np.abs(ift - 1) <= 3 * err) and abs(mean - 1) <= 3 * se and s.std() > 0.5
ok = ok and len(w) == 10000 and np.allclose(w, np.exp(-s), rtol=1e-12)
sys.exit(0 if ok else 1)
PY
then pass "integral fluctuation theorem: per input and summed over the inputs, 1 within 3 standard errors"
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

# task = random: SPSA inside the point set-up, the same on every rank; alpha
# trades error for dissipation; the optimum is then simulated on every pattern
cat > "$TMP/task.ini" <<INI
[run]
model = spins
trajectories = 64
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
time = 10
transient = 2
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
# the task's 20 patterns are the inputs, repeated on both chains
x = g["input"][()]
ok = ok and x.shape == (2, 20, 8) and g["magnetization"].shape == (2, 20, 8) and np.allclose(x[..., :4], x[..., 4:])
ok = ok and np.allclose(x[0], x[1]) and np.all(np.isfinite(g["magnetization_exact"][()]))
sys.exit(0 if ok else 1)
PY
then pass "task = random: alpha = 2 dissipates less than alpha = 0; the optimum simulated on its 20 patterns"
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
