#!/usr/bin/env bash
# Model `spins` end to end: Gillespie magnetisations and entropy production
# rates against the exact master equation within 3 standard errors (2N = 8,
# symmetric and asymmetric W), zero entropy production for symmetric W, the
# 2-spin system from a coupling-matrix file against the closed form of
# appendix C (computed here in Python, independently of the C code), identical
# output for 1 and 3 ranks, and bad inputs (exit status 2, nothing written).
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

# 1 and 3 ranks: identical datasets
write_chain ranks "$C_ASYM" 600
ok=1
for n in 1 3; do
    $MPIRUN -n $n "$BIN" run "$TMP/ranks.ini" -o "$TMP/ranks.n$n.h5" --quiet || ok=0
done
if [ $ok = 1 ] && same_datasets "$TMP/ranks.n1.h5" "$TMP/ranks.n3.h5"; then
    pass "1 and 3 ranks give identical datasets"
else
    fail "1 and 3 ranks differ"
fi

# Bad inputs: exit status 2, a message naming the key, nothing written.
bad_case() { # label expected-text ini-body
    printf '%s\n' "$3" > "$TMP/bad.ini"
    local msg rc
    msg=$("$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" 2>&1); rc=$?
    if [ $rc = 2 ] && [[ "$msg" == *"$2"* ]] && [ ! -e "$TMP/bad.h5" ] && [ ! -e "$TMP/bad.h5.partial" ]; then
        pass "bad input: $1"
    else
        fail "bad input: $1 (exit $rc: $msg)"
    fi
}
HEAD=$'[run]\nmodel = spins\ntrajectories = 10\n[spins]\nbeta = 1'
printf '0 1\n1\n' > "$TMP/ragged.txt"
printf '0 1\n1 zero\n' > "$TMP/nan.txt"
printf '1 2 3\n' > "$TMP/x3.txt"
bad_case "wrong number of couplings" "couplings: 13 values" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13'
bad_case "couplings and coupling_matrix" "exactly one" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\ncoupling_matrix = '"$TMP/ragged.txt"
bad_case "no couplings" "exactly one" "$HEAD"
bad_case "ragged coupling matrix" "row 2 has 1 values" "$HEAD"$'\ncoupling_matrix = '"$TMP/ragged.txt"
bad_case "not a number in the matrix" "'zero' is not a finite number" "$HEAD"$'\ncoupling_matrix = '"$TMP/nan.txt"
bad_case "missing matrix file" "cannot open" "$HEAD"$'\ncoupling_matrix = '"$TMP/none.txt"
bad_case "input of the wrong length" "input 1 has 3 values" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\ninputs = '"$TMP/x3.txt"
bad_case "input_index beyond the file" "input_index = 4" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\nchain_length = 3\ninputs = '"$TMP/x3.txt"$'\ninput_index = 4'
bad_case "transient longer than time" "transient" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\ntime = 5\ntransient = 5'
bad_case "steady start without the exact state" "initial = steady" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\nchain_length = 8\ninitial = steady'
bad_case "chain keys with a matrix" "chain_length and neighbours" "$HEAD"$'\nchain_length = 3\ncoupling_matrix = '"$TMP/w2.txt"

finish
