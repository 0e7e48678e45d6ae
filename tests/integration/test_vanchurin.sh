#!/usr/bin/env bash
# The vanchurin model through the engine: output identical for 1 and 3 ranks;
# the spectrum recomputed from the stored weights by numpy (f' = 1), sum log
# lambda ~ 0, bulk <= boundary and the non-unit count at every checkpoint;
# bad input: exit 2, the key named, nothing written.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

# ---- ranks ------------------------------------------------------------------------------
for n in 1 3; do
    $MPIRUN -n $n "$BIN" run "$ROOT/inputs/vanchurin_synthetic.ini" -o "$TMP/ranks.n$n.h5" --quiet || fail "$n ranks exited $?"
done
if same_datasets "$TMP/ranks.n1.h5" "$TMP/ranks.n3.h5"; then
    pass "synthetic input: 1 and 3 ranks give identical datasets"
else
    fail "synthetic input: 1 and 3 ranks differ"
fi

# ---- check: the identities of every checkpoint (series against series_exact) -------------
out=$("$BIN" check "$TMP/ranks.n1.h5" 2>&1)
status=$?
if [ $status = 0 ] && [[ "$out" == *"equal to round-off"* ]] && [[ "$out" != *FAIL* ]]; then
    pass "check: sum log lambda, non-unit count and bulk <= boundary hold at every checkpoint"
else
    fail "check exited $status: $out"
fi

# ---- recomputation from the weights -------------------------------------------------------
cat > "$TMP/unit.ini" <<INI
[run]
model = vanchurin
trajectories = 1
seed = 3

[grid]
architecture = 0, 1, 2

[vanchurin]
architectures = 6-5, 9, none
synthetic_inputs = 12
synthetic_classes = 4
train_samples = 60
test_samples = 20
epochs = 6
checkpoints = 2, 4
fprime_at = unit
complexity_n = 3
temperature = 1e-12
INI
"$BIN" run "$TMP/unit.ini" -o "$TMP/unit.h5" --quiet || fail "unit run exited $?"
out=$("$PY" "$ROOT/tests/integration/vanchurin_recompute.py" "$TMP/unit.h5")
status=$?
echo "$out"
n_pass=$((n_pass + $(grep -c '^PASS' <<<"$out")))
n_fail=$((n_fail + $(grep -c '^FAIL' <<<"$out")))
[ $status = 0 ] || [ "$(grep -c '^FAIL' <<<"$out")" -gt 0 ] || fail "recompute script exited $status"

# ---- bad input --------------------------------------------------------------------------
bad() { # label expected-text section-lines...
    local label=$1 expect=$2; shift 2
    printf '[run]\nmodel = vanchurin\ntrajectories = 2\n\n[vanchurin]\ntemperature = 1e-12\ntrain_samples = 40\n' > "$TMP/bad.ini"
    printf '%s\n' "$@" >> "$TMP/bad.ini"
    rm -f "$TMP/bad.h5"
    msg=$("$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" 2>&1)
    status=$?
    if [ $status = 2 ] && [[ "$msg" == *"$expect"* ]] && [ ! -e "$TMP/bad.h5" ] && [ ! -e "$TMP/bad.h5.partial" ]; then
        pass "bad input ($label): exit 2, names '$expect', nothing written"
    else
        fail "bad input ($label): exit $status, message: $msg"
    fi
}
bad "width list does not parse" "architectures" "architectures = 40-x, 60"
bad "width 0" "architectures" "architectures = 40-0"
bad "index beyond the list" "architecture" "architectures = 10" "architecture = 1"
bad "batch larger than the training set" "batch_size" "batch_size = 41"
bad "bulk samples beyond the training set" "bulk_samples" "bulk_samples = 41"
bad "negative learning rate" "learning_rate" "learning_rate = -0.1"
bad "negative temperature" "temperature" "temperature = -1"
bad "checkpoint after the last epoch" "checkpoints" "epochs = 5" "checkpoints = 3, 7"
bad "checkpoints that do not parse" "checkpoints" "checkpoints = log:1:x:3"
bad "betas not positive" "betas" "betas = 0.5, -1"
bad "complexity_n beyond N" "complexity_n" "complexity_n = 100000"
finish
