#!/usr/bin/env bash
# Output data are identical for any number of ranks: mpirun -n 1 against -n 3
# (and -n 2), datasets compared bit for bit with h5diff, for automatic and
# fixed histogram ranges, with and without stored samples.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

write_input() { # name range store cap
    cat > "$TMP/$1.ini" <<INI
[run]
model = hopfield
trajectories = 1000
seed = 99

[grid]
gamma = 0.2, 0.7
temperature = 2:6:2

[hopfield]
n = 8
field = 2
steps = 40

[histogram]
bins = 30
range = $2
store_samples = $3
sample_cap = $4
INI
}

for variant in "auto true 1000000" "-60:60 true 300" "auto false 1000000"; do
    set -- $variant
    name="range_${1//[:-]/_}_samples_$2_cap_$3"
    write_input "$name" "$1" "$2" "$3"
    for n in 1 2 3; do
        $MPIRUN -n $n "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n$n.h5" --quiet \
            || fail "$name: run on $n ranks exited $?"
    done
    for n in 2 3; do
        if same_datasets "$TMP/$name.n1.h5" "$TMP/$name.n$n.h5"; then
            pass "$name: 1 and $n ranks give identical datasets"
        else
            fail "$name: 1 and $n ranks differ"
        fi
    done
    ls "$TMP"/*.partial >/dev/null 2>&1 && fail "$name: a .partial file was left behind"
done

# A different seed must change the samples: the comparison above can fail.
sed 's/seed = 99/seed = 100/' "$TMP/range_auto_samples_true_cap_1000000.ini" > "$TMP/seed100.ini"
"$BIN" run "$TMP/seed100.ini" -o "$TMP/seed100.h5" --quiet
if h5diff -q "$TMP/range_auto_samples_true_cap_1000000.n1.h5" "$TMP/seed100.h5" /work/forward/samples /work/forward/samples >/dev/null 2>&1; then
    fail "another seed gave the same samples"
else
    pass "another seed gives other samples"
fi

# Provenance: the input text, version and seed are in the file.
"$PY" - "$TMP/range_auto_samples_true_cap_1000000.n3.h5" "$TMP/range_auto_samples_true_cap_1000000.ini" <<'PY' && pass "provenance attributes stored" || fail "provenance attributes"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
a = f.attrs
def s(x): return x.decode() if isinstance(x, bytes) else x
assert s(a["program"]) == "thermolearn"
assert s(a["input"]) == open(sys.argv[2]).read()
assert int(a["seed"]) == 99 and int(a["n_ranks"]) == 3 and s(a["version"])
for name, obj in f.items():
    pass
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        assert "description" in obj.attrs and "units" in obj.attrs, name
f.visititems(visit)
PY
# The sample cap: the first 300 trajectories are stored, equal to the uncapped run's.
"$PY" - "$TMP/range__60_60_samples_true_cap_300.n3.h5" "$TMP/range_auto_samples_true_cap_1000000.n1.h5" <<'PY' && pass "sample_cap keeps the first trajectories" || fail "sample_cap"
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1], "r")["/work/forward/samples"][...]
b = h5py.File(sys.argv[2], "r")["/work/forward/samples"][...]
assert a.shape == (4, 300) and b.shape == (4, 1000), (a.shape, b.shape)
assert np.array_equal(a, b[:, :300])
PY
finish
