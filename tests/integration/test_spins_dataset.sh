#!/usr/bin/env bash
# Model `spins` on a dataset (dataset = file | mnist1d) through `run` and
# `check`, in seconds: tiny chains, few SPSA steps.  Decides:
#  - a text table and an HDF5 table (with a test split) run, check passes,
#    the task's extras are finite where they should be and NaN where not;
#  - the point's inputs are input_scale times the data's first `samples` rows
#    (MNIST-1D: the rows `thermolearn data mnist1d` writes);
#  - symmetric = 1 gives W = W^T exactly;
#  - 1 and 2 ranks write the same datasets;
#  - bad data (too many samples, wrong feature count, labels out of range,
#    missing or truncated file, no labels): status 2, the key and file named,
#    nothing written.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"
PY=${PY:-/usr/bin/python3}
MPIRUN=${MPIRUN:-mpirun}

# 12 rows of 3 features, labels 0..2 in the last column
$PY - "$TMP" <<'EOF'
import sys, numpy as np, h5py
d = sys.argv[1]
r = np.random.default_rng(3)
x = r.normal(size=(12, 3)); y = np.arange(12) % 3
np.savetxt(f"{d}/table.txt", np.hstack([x, y[:, None]]), fmt="%.17g")
with h5py.File(f"{d}/table.h5", "w") as f:
    f["x_train"] = x; f["y_train"] = y; f["x_test"] = x[:6] + 0.1; f["y_test"] = y[:6]
np.savetxt(f"{d}/four.txt", np.hstack([x, x[:, :1], y[:, None]]), fmt="%.17g")
yb = y.copy(); yb[5] = 7
EOF
head -c 2000 "$TMP/table.h5" > "$TMP/truncated.h5"

HEAD=$'[run]\nmodel = spins\ntrajectories = 100\nseed = 2\n[grid]\nsymmetric = 0, 1\n[spins]\nchain_length = 3\nneighbours = 1\nbeta = 1\ntime = 6\ntransient = 1\nreadout = cross_entropy\nbias = 1\nspsa_steps = 4\ntask_time = 8\ntask_transient = 1'

run_case() { # name ini-body
    printf '%s\n' "$2" > "$TMP/$1.ini"
    "$BIN" run "$TMP/$1.ini" -o "$TMP/$1.h5" --force --quiet >"$TMP/$1.log" 2>&1 \
        && "$BIN" check "$TMP/$1.h5" >"$TMP/$1.check" 2>&1
}

if run_case text "$HEAD"$'\ndataset = file\ndata_file = '"$TMP/table.txt"$'\nsamples = 10'; then
    pass "text table: run and check"
else
    fail "text table: run and check ($(cat "$TMP/text.log" "$TMP/text.check" | tail -n 5))"
fi
if run_case h5 "$HEAD"$'\ndataset = file\ndata_file = '"$TMP/table.h5"$'\ninput_scale = 0.5'; then
    pass "HDF5 table with a test split: run and check"
else
    fail "HDF5 table: run and check ($(cat "$TMP/h5.log" "$TMP/h5.check" | tail -n 5))"
fi

# the outputs' contents
$PY - "$TMP" <<'EOF' && pass "inputs, symmetric couplings, finite scores, test extras" || fail "outputs of the dataset runs"
import sys, numpy as np, h5py
d = sys.argv[1]
x = np.loadtxt(f"{d}/table.txt")
ok = True
def need(cond, what):
    global ok
    if not cond:
        print("  wrong:", what); ok = False
with h5py.File(f"{d}/text.h5") as f, h5py.File(f"{d}/h5.h5") as g:
    inp = f["spins/input"][()]
    need(inp.shape == (2, 10, 6), f"text input shape {inp.shape}")
    need(np.array_equal(inp[0], np.hstack([x[:10, :3], x[:10, :3]])), "text inputs = first 10 rows on both chains")
    need(np.array_equal(g["spins/input"][0], 0.5 * np.hstack([x[:, :3], x[:, :3]])), "h5 inputs = 0.5 x")
    for h, test in ((f, False), (g, True)):
        ce, acc = h["spins/task_cross_entropy"][()], h["spins/task_accuracy"][()]
        need(np.all(np.isfinite(ce)) and np.all(ce > 0), "training CE finite")
        need(np.all((acc >= 0) & (acc <= 1)), "training accuracy in [0, 1]")
        tce, tacc = h["spins/task_test_cross_entropy"][()], h["spins/task_test_accuracy"][()]
        if test:
            need(np.all(np.isfinite(tce)) and np.all((tacc >= 0) & (tacc <= 1)), "test scores with a test split")
            need(np.all(np.abs(tacc * 6 - np.round(tacc * 6)) < 1e-12), "test accuracy a multiple of 1/6")
        else:
            need(np.all(np.isnan(tce)) and np.all(np.isnan(tacc)), "test scores NaN without a test split")
        for name in ("task_test_cross_entropy", "task_test_accuracy"):
            need(h[f"spins/{name}"].attrs.get("units") is not None and h[f"spins/{name}"].attrs.get("description") is not None,
                 f"{name} units and description")
        w = h["spins/couplings"][()]
        sym = h["parameters/symmetric"][()]
        need(np.array_equal(w[sym == 1][0], w[sym == 1][0].T), "symmetric = 1: W = W^T exactly")
        need(not np.array_equal(w[sym == 0][0], w[sym == 0][0].T), "symmetric = 0: W asymmetric")
sys.exit(0 if ok else 1)
EOF

# MNIST-1D: the first rows of the generated set
"$BIN" data mnist1d -o "$TMP/mnist1d.h5" >/dev/null 2>&1
MN=$'[run]\nmodel = spins\ntrajectories = 2\nseed = 2\n[grid]\nsymmetric = 0, 1\ninit_seed = 1, 2\n[spins]\nchain_length = 40\nneighbours = 2\nbeta = 1\ntime = 1\ntransient = 0.2\nreadout = cross_entropy\nbias = 1\ndataset = mnist1d\nsamples = 30\ntest_samples = 20\ninput_scale = 0.5\nspsa_steps = 1\ntask_time = 2\ntask_transient = 0.5'
if run_case mnist "$MN" && $PY - "$TMP" <<'EOF'
import sys, numpy as np, h5py
d = sys.argv[1]
with h5py.File(f"{d}/mnist.h5") as f, h5py.File(f"{d}/mnist1d.h5") as m:
    x = m["x_train"][:30]
    assert np.array_equal(f["spins/input"][0], 0.5 * np.hstack([x, x])), "inputs"
    assert np.all(np.isfinite(f["spins/task_test_accuracy"][()])) and np.all(np.isfinite(f["spins/task_test_cross_entropy"][()]))
    assert np.all(f["spins/task_test_accuracy"][()] * 20 % 1 < 1e-9)
EOF
then pass "mnist1d: inputs are 0.5 x of the generated rows, test scores on 20 test points"
else fail "mnist1d run ($(tail -n 3 "$TMP/mnist.log"))"
fi

# the front script: its equilibrium and non-equilibrium means against numpy
if out=$($PY analysis/spins_mnist1d_front.py "$TMP/mnist.h5" --data "$TMP/mnist1d.h5" -o "$TMP/front.png" 2>&1) \
    && [ -s "$TMP/front.png" ] && $PY - "$TMP" "$out" <<'EOF'
import sys, re, numpy as np, h5py
with h5py.File(f"{sys.argv[1]}/mnist.h5") as f:
    ce, sym = f["spins/task_cross_entropy"][()], f["parameters/symmetric"][()]
line = [l for l in sys.argv[2].splitlines() if l.strip().startswith("CE ")][0]
eq, neq = map(float, re.findall(r"equilibrium ([0-9.]+) \+-", line))
assert abs(eq - ce[sym == 1].mean()) < 1e-4 and abs(neq - ce[sym == 0].mean()) < 1e-4, (line, ce, sym)
assert "linear softmax on raw x" in sys.argv[2] and "uncoupled spins" in sys.argv[2]
EOF
then pass "spins_mnist1d_front.py: equilibrium and non-equilibrium CE means, baselines, figure"
else fail "spins_mnist1d_front.py ($out)"
fi

# ranks: the same datasets from 1 and 2 ranks
printf '%s\n' "$HEAD"$'\ndataset = file\ndata_file = '"$TMP/table.h5" > "$TMP/ranks.ini"
if $MPIRUN -n 2 "$BIN" run "$TMP/ranks.ini" -o "$TMP/ranks2.h5" --force --quiet >/dev/null 2>&1 \
    && "$BIN" run "$TMP/ranks.ini" -o "$TMP/ranks1.h5" --force --quiet >/dev/null 2>&1 \
    && same_datasets "$TMP/ranks1.h5" "$TMP/ranks2.h5"; then
    pass "1 and 2 ranks: identical datasets"
else
    fail "1 and 2 ranks differ"
fi

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
B=$'[run]\nmodel = spins\ntrajectories = 2\n[spins]\nbeta = 1\nchain_length = 3\nneighbours = 1\nreadout = cross_entropy'
bad_case "samples larger than the data" "samples = 13: $TMP/table.txt has 12 training rows" "$B"$'\ndataset = file\ndata_file = '"$TMP/table.txt"$'\nsamples = 13'
bad_case "more MNIST-1D samples than rows" "samples = 4001: mnist1d train has 4000" "${B/chain_length = 3/chain_length = 40}"$'\ndataset = mnist1d\nsamples = 4001'
bad_case "features against chain_length" "data_file: $TMP/four.txt has 4 features a row; chain_length = 3" "$B"$'\ndataset = file\ndata_file = '"$TMP/four.txt"
bad_case "MNIST-1D features against chain_length" "dataset: mnist1d train has 40 features a row; chain_length = 3" "$B"$'\ndataset = mnist1d'
bad_case "labels out of range" "classes: $TMP/table.txt row 3 has label 2, outside 0..1" "$B"$'\ndataset = file\ndata_file = '"$TMP/table.txt"$'\nclasses = 2'
bad_case "test_samples larger than the test rows" "test_samples = 7: $TMP/table.h5" "$B"$'\ndataset = file\ndata_file = '"$TMP/table.h5"$'\ntest_samples = 7'
bad_case "missing data file" "data_file" "$B"$'\ndataset = file\ndata_file = '"$TMP/none.txt"
bad_case "truncated HDF5 file" "data_file: $TMP/truncated.h5" "$B"$'\ndataset = file\ndata_file = '"$TMP/truncated.h5"
bad_case "dataset = file without data_file" "data_file: dataset = file needs a data_file" "$B"$'\ndataset = file'
bad_case "data_file with mnist1d" "data_file belongs to dataset = file" "${B/chain_length = 3/chain_length = 40}"$'\ndataset = mnist1d\ndata_file = '"$TMP/table.txt"
bad_case "dataset and task = random" "leave task out with a dataset" "$B"$'\ntask = random\ndataset = mnist1d'
bad_case "samples without a dataset" "samples belongs to dataset" "$B"$'\ntask = random\nsamples = 10'
bad_case "patterns with a dataset" "patterns belongs to task = random" "$B"$'\ndataset = file\ndata_file = '"$TMP/table.txt"$'\npatterns = 10'
bad_case "test_samples without a test split" "test_samples: $TMP/table.txt has no test rows" "$B"$'\ndataset = file\ndata_file = '"$TMP/table.txt"$'\ntest_samples = 3'
bad_case "bias with the mse readout" "bias belongs to readout = cross_entropy" "${B/cross_entropy/mse}"$'\ntask = random\nbias = 1'
finish
