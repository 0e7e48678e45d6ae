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

# ---- every fprime_at choice through run and check on the synthetic input ------------------
# (the default mean_state is the run above; its mu2 is the reference the others must differ from)
for choice in mean_derivative unit per_sample bulk; do
    sed "s/^\[vanchurin\]\$/[vanchurin]\nfprime_at = $choice/" "$ROOT/inputs/vanchurin_synthetic.ini" > "$TMP/fp_$choice.ini"
    grep -q "^fprime_at = $choice\$" "$TMP/fp_$choice.ini" || fail "fprime_at = $choice: could not write the input"
    $MPIRUN -n 2 "$BIN" run "$TMP/fp_$choice.ini" -o "$TMP/fp_$choice.h5" --quiet || { fail "fprime_at = $choice: run exited $?"; continue; }
    out=$("$BIN" check "$TMP/fp_$choice.h5" 2>&1)
    status=$?
    if [ $status = 0 ] && [[ "$out" == *"equal to round-off"* ]] && [[ "$out" != *FAIL* ]] &&
        "$PY" - "$TMP/fp_$choice.h5" "$TMP/ranks.n1.h5" "$choice" <<'PY'
import sys, h5py, numpy as np
MU2, MU3, SUM = 11, 12, 13
a, ref = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
s, r = a["vanchurin/series"][:], ref["vanchurin/series"][:]
got = a["parameters"].attrs["fprime_at"]
ok = (got.decode() if isinstance(got, bytes) else str(got)) == sys.argv[3]   # the choice is recorded
ok &= np.all(np.abs(s[:, :, SUM]) < 1e-12)                  # det G = 1 (per sample for per_sample)
ok &= np.all(np.abs(s[:, 1:, MU2] - r[:, 1:, MU2]) > 1e-6 * r[:, 1:, MU2])   # a different f' than mean_state
sys.exit(0 if ok else 1)
PY
    then
        pass "fprime_at = $choice: run and check on the synthetic input; sum log lambda ~ 0, mu2 differs from mean_state"
    else
        fail "fprime_at = $choice: check exited $status or the spectrum is wrong: $out"
    fi
done

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
dataset = synthetic
synthetic_inputs = 12
synthetic_classes = 4
train_samples = 60
test_samples = 20
epochs = 6
checkpoints = 2, 4
fprime_at = unit
complexity_n = 3
INI
"$BIN" run "$TMP/unit.ini" -o "$TMP/unit.h5" --quiet || fail "unit run exited $?"
out=$("$PY" "$ROOT/tests/integration/vanchurin_recompute.py" "$TMP/unit.h5")
status=$?
echo "$out"
n_pass=$((n_pass + $(grep -c '^PASS' <<<"$out")))
n_fail=$((n_fail + $(grep -c '^FAIL' <<<"$out")))
[ $status = 0 ] || [ "$(grep -c '^FAIL' <<<"$out")" -gt 0 ] || fail "recompute script exited $status"

# ---- a given network (weights_file, epochs = 0): the no-hidden-layer closed form ----------
cat > "$TMP/w.txt" <<W
# W_1 (2 x 3): weights from the 3 inputs into each output
0.7 -1.2 0.4
2.5 0.3 -0.9
# b_1
0.1 -0.2
W
cat > "$TMP/given.ini" <<INI
[run]
model = vanchurin
trajectories = 2
[vanchurin]
architectures = none
dataset = synthetic
synthetic_inputs = 3
synthetic_classes = 2
train_samples = 10
batch_size = 5
test_samples = 5
epochs = 0
checkpoints = 0
fprime_at = unit
complexity_n = 1
weights_file = $TMP/w.txt
INI
if "$BIN" run "$TMP/given.ini" -o "$TMP/given.h5" --quiet; then
    if "$PY" - "$TMP/given.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
s = np.linalg.svd(np.array([[0.7, -1.2, 0.4], [2.5, 0.3, -0.9]]), compute_uv=False)
want = np.sort(np.concatenate([2 * np.arcsinh(s / 2), -2 * np.arcsinh(s / 2)]))[::-1]
got = f["vanchurin/log_lambda_sorted"][0, 0]
w = f["vanchurin/weights"][0]
sys.exit(0 if np.allclose(got, want, rtol=0, atol=1e-13) and np.array_equal(w, [0.7, -1.2, 0.4, 2.5, 0.3, -0.9, 0.1, -0.2]) else 1)
PY
    then pass "weights_file with epochs = 0: log lambda = +-2 asinh(s/2) of the given W, weights stored as given"
    else fail "weights_file: spectrum or stored weights differ from the given network"; fi
else
    fail "weights_file run exited $?"
fi

# ---- bad input --------------------------------------------------------------------------
bad() { # label expected-text section-lines...
    local label=$1 expect=$2; shift 2
    printf '[run]\nmodel = vanchurin\ntrajectories = 2\n\n[vanchurin]\ndataset = synthetic\ntrain_samples = 40\n' > "$TMP/bad.ini"
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
bad "weights file of the wrong shape" "weights_file" "architectures = 4" "weights_file = $TMP/w.txt"
bad "weights file missing" "weights_file" "weights_file = $TMP/nothing.txt"
bad "unknown fprime_at choice" "bad.ini:8: [vanchurin] fprime_at" "fprime_at = per_samples"

# ---- Fashion-MNIST (Debian's dataset-fashion-mnist): its defects exit 2 too -------------
FM=/usr/share/datasets/fashion-mnist
if [ -r $FM/train-images-idx3-ubyte.gz ]; then
    fbad() { # label expected-text section-lines...
        local label=$1 expect=$2; shift 2
        printf '[run]\nmodel = vanchurin\ntrajectories = 2\n\n[vanchurin]\ntrain_samples = 100\ntest_samples = 100\n' > "$TMP/fbad.ini"
        printf '%s\n' "$@" >> "$TMP/fbad.ini"
        rm -f "$TMP/fbad.h5"
        msg=$("$BIN" run "$TMP/fbad.ini" -o "$TMP/fbad.h5" 2>&1)
        status=$?
        if [ $status = 2 ] && [[ "$msg" == *"$expect"* ]] && [ ! -e "$TMP/fbad.h5" ] && [ ! -e "$TMP/fbad.h5.partial" ]; then
            pass "fashion_mnist bad input ($label): exit 2, names '$expect', nothing written"
        else
            fail "fashion_mnist bad input ($label): exit $status, message: $msg"
        fi
    }
    fbad "resolution does not divide 28" "resolution" "resolution = 5"
    fbad "more test samples than the file holds" "test_samples" "test_samples = 10001"
    head -c 20000 $FM/t10k-images-idx3-ubyte.gz > "$TMP/short.gz"
    fbad "truncated image file" "test_images" "test_images = $TMP/short.gz"
    fbad "labels file as images" "train_images" "train_images = $FM/train-labels-idx1-ubyte.gz"
    fbad "image and label counts differ" "test_labels" "test_labels = $FM/train-labels-idx1-ubyte.gz"
    # a 7 x 7 Fashion-MNIST run end to end (the downsampling itself: test_vanchurin.c)
    cat > "$TMP/fm.ini" <<INI
[run]
model = vanchurin
trajectories = 1
[vanchurin]
resolution = 7
architectures = 5
train_samples = 20
test_samples = 20
batch_size = 10
epochs = 1
INI
    if "$BIN" run "$TMP/fm.ini" -o "$TMP/fm.h5" --quiet && "$BIN" check "$TMP/fm.h5" >/dev/null; then
        pass "fashion_mnist at 7 x 7: a run and its check"
    else
        fail "fashion_mnist at 7 x 7: run or check failed"
    fi
else
    echo "SKIP: $FM not installed (Debian dataset-fashion-mnist)"
fi
finish
