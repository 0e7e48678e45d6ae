#!/usr/bin/env bash
# The graded-response network and Hebbian plasticity through the engine:
# output identical for 1 and 2 ranks, `check` passes the graded network
# against its exact dF, reports plasticity points as measured violations (not
# failures), W + Q = Delta E holds in the files' moments at eta = 0 for the
# entropy identity, and bad combinations of keys exit 2 naming the key.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

cat > "$TMP/graded.ini" <<'INI'
[run]
model = hopfield
trajectories = 1500
seed = 8
[hopfield]
neurons = graded
n = 2
temperature = 0.5
gamma = 0.3
field = 2
dt = 1
steps = 10
substeps = 3
burn_in = 30
pattern_seed = 3
INI
$MPIRUN -n 2 "$BIN" run "$TMP/graded.ini" -o "$TMP/g2.h5" --quiet || fail "graded run -n 2 exited $?"
$MPIRUN -n 1 "$BIN" run "$TMP/graded.ini" -o "$TMP/g1.h5" --quiet || fail "graded run -n 1 exited $?"
same_datasets "$TMP/g1.h5" "$TMP/g2.h5" && pass "graded: identical for 1 and 2 ranks" || fail "graded: ranks differ"
"$BIN" check "$TMP/g2.h5" > "$TMP/g.txt"
status=$?
cat "$TMP/g.txt"
[ $status = 0 ] && grep -q PASS "$TMP/g.txt" && pass "graded: BAR within 3 errors of the exact dF" || fail "graded check exit $status"
"$PY" - "$TMP/g2.h5" <<'PY' && pass "graded: exact dF finite; entropy = -beta Q per trajectory" || fail "graded datasets"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert np.isfinite(f["/hopfield/delta_f_exact"][0])
for d in ("forward", "reverse"):
    assert np.allclose(f[f"/entropy/{d}/samples"][0], -2.0 * f[f"/heat/{d}/samples"][0], rtol=1e-12, atol=1e-12)
PY

cat > "$TMP/plastic.ini" <<'INI'
[run]
model = hopfield
trajectories = 2000
seed = 9
[grid]
learning_rate = 0, 0.2
[hopfield]
n = 6
temperature = 2
gamma = 0.3
field = 1.5
steps = 10
pattern_seed = 2
plasticity = hebbian
synaptic_time = 1e9
INI
$MPIRUN -n 2 "$BIN" run "$TMP/plastic.ini" -o "$TMP/p2.h5" --quiet || fail "plastic run exited $?"
$MPIRUN -n 1 "$BIN" run "$TMP/plastic.ini" -o "$TMP/p1.h5" --quiet || fail "plastic run -n 1 exited $?"
same_datasets "$TMP/p1.h5" "$TMP/p2.h5" && pass "plasticity: identical for 1 and 2 ranks" || fail "plasticity: ranks differ"
"$BIN" check "$TMP/p2.h5" > "$TMP/p.txt"
status=$?
cat "$TMP/p.txt"
[ $status = 0 ] && grep -q "^0 .*PASS" "$TMP/p.txt" && grep -q "(plastic)" "$TMP/p.txt" \
    && pass "plasticity: eta = 0 passes, eta > 0 reported, exit 0" || fail "plasticity check exit $status"

bad_case() {
    local what=$1 key=$2 file=$3; shift 3
    sed "$@" "$TMP/$file.ini" > "$TMP/bad.ini"
    "$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" 2> "$TMP/bad.err" > /dev/null
    local s=$?
    if [ $s = 2 ] && [ ! -e "$TMP/bad.h5" ] && grep -q "$key" "$TMP/bad.err"; then pass "bad input: $what"
    else fail "bad input: $what (exit $s: $(cat "$TMP/bad.err"))"; fi
}
bad_case "dt without graded neurons" "dt" plastic -e 's/^n = 6/n = 6\ndt = 0.1/'
bad_case "graded with asymmetry" "asymmetry" graded -e 's/^gamma = 0.3/gamma = 0.3\nasymmetry = 0.2/'
bad_case "graded exchange" "protocol" graded -e 's/^n = 2/n = 2\nprotocol = steady/'
bad_case "graded with plasticity" "plasticity" graded -e 's/^n = 2/n = 2\nplasticity = hebbian/'
bad_case "learning_rate without plasticity" "learning_rate" plastic -e '/^plasticity/d' -e '/^synaptic_time/d'
bad_case "negative dt" "dt" graded -e 's/^dt = 1/dt = -1/'
finish
