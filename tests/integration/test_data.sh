#!/usr/bin/env bash
# `thermolearn data mnist1d`: the file's names, shapes, attributes and values
# (the frozen upstream file to 1e-15 where ../shared/data/mnist1d exists),
# generator keys, no overwrite without --force, bad arguments: status 2 and
# nothing written.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"
REF="$ROOT/../shared/data/mnist1d/mnist1d_data.h5"

if "$BIN" data mnist1d -o "$TMP/m.h5" >/dev/null && [ ! -e "$TMP/m.h5.partial" ]; then pass "writes a file"
else fail "writes a file"; fi

"$PY" - "$TMP/m.h5" "$REF" <<'PYEOF' && pass "names, shapes, units, parameters; the frozen file to 1e-15 (or skipped)" || fail "file contents"
import sys, os, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
shapes = {"x_train": (4000, 40), "y_train": (4000,), "x_test": (1000, 40), "y_test": (1000,), "t": (40,),
          "templates_x": (10, 12), "templates_t": (12,), "templates_y": (10,)}
for k, s in shapes.items():
    assert f[k].shape == s, (k, f[k].shape)
    assert f[k].attrs["description"] and f[k].attrs["units"], k
assert f["y_train"].dtype == np.int64 and f["x_train"].dtype == np.float64
assert f.attrs["seed"] == 42 and f.attrs["num_samples"] == 5000 and f.attrs["corr_noise_scale"] == 0.25
assert "seed = 42" in f.attrs["generator_parameters"]
assert len(f.attrs["generator_sha256"]) == 64
if os.path.exists(sys.argv[2]):
    r = h5py.File(sys.argv[2], "r")
    for k in ["y_train", "y_test", "t", "templates_x", "templates_t", "templates_y"]:
        assert np.array_equal(f[k][:], r[k][:]), k
    for k in ["x_train", "x_test"]:
        d = np.abs(f[k][:] - r[k][:]).max()
        assert d <= 1e-15, (k, d)
    print("compared with", sys.argv[2])
else:
    print("SKIPPED the comparison:", sys.argv[2], "not found")
PYEOF

# the same command again: kept, status 2; with --force: replaced, same data
before=$(sha256sum < "$TMP/m.h5")
cp "$TMP/m.h5" "$TMP/m0.h5"
msg=$("$BIN" data mnist1d -o "$TMP/m.h5" 2>&1); rc=$?
if [ $rc = 2 ] && [[ "$msg" == *"exists"* ]] && [ "$(sha256sum < "$TMP/m.h5")" = "$before" ]; then pass "keeps an existing file"
else fail "keeps an existing file (exit $rc: $msg)"; fi
touch -d '2000-01-01' "$TMP/m.h5"
if "$BIN" data mnist1d --seed 42 -o "$TMP/m.h5" --force >/dev/null && [ "$TMP/m.h5" -nt "$TMP/m0.h5" ] &&
   same_datasets "$TMP/m0.h5" "$TMP/m.h5"; then
    pass "--force replaces it (same seed: the same data to the bit)"
else fail "--force"; fi

# generator keys
"$BIN" data mnist1d --seed 7 --samples 1000 --shear_scale 1.0 --final_seq_length 60 -o "$TMP/k.h5" >/dev/null &&
"$PY" -c "
import h5py; f = h5py.File('$TMP/k.h5', 'r')
assert f['x_train'].shape == (800, 60) and f['x_test'].shape == (200, 60), f['x_train'].shape
assert f.attrs['seed'] == 7 and f.attrs['shear_scale'] == 1.0
" && pass "generator keys" || fail "generator keys"

bad_case() { # label expected-text args...
    local label=$1 text=$2; shift 2
    local msg rc
    msg=$("$BIN" data "$@" -o "$TMP/bad.h5" 2>&1); rc=$?
    if [ $rc = 2 ] && [[ "$msg" == *"$text"* ]] && [ ! -e "$TMP/bad.h5" ] && [ ! -e "$TMP/bad.h5.partial" ]; then
        pass "bad argument: $label"
    else fail "bad argument: $label (exit $rc: $msg)"; fi
}
bad_case "unknown dataset" "unknown dataset" mnist2d
bad_case "unknown key" "noise: not a parameter" mnist1d --noise 1
bad_case "negative seed" "seed: '-3'" mnist1d --seed -3
bad_case "seed beyond 2^32" "seed" mnist1d --seed 4294967296
bad_case "too few samples" "num_samples" mnist1d --samples 5
bad_case "not a number" "iid_noise_scale: 'x'" mnist1d --iid_noise_scale x
bad_case "train_split" "train_split" mnist1d --train_split 2
msg=$("$BIN" data mnist1d 2>&1); rc=$?
[ $rc = 2 ] && [[ "$msg" == *"no output file"* ]] && pass "no -o" || fail "no -o (exit $rc)"
msg=$("$BIN" data mnist1d -o "$TMP/no/such/dir/x.h5" 2>&1); rc=$?
[ $rc = 3 ] && [[ "$msg" == *"cannot write"* ]] && pass "unwritable output: status 3" || fail "unwritable output (exit $rc: $msg)"
finish
