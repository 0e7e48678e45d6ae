#!/usr/bin/env bash
# The model interface, through a model written for the tests
# (tests/models/toy/toy.c: its own folder and the registry line, nothing else):
# - T = 0 is its default (beta = inf): every trajectory is the exact decay, to the bit;
# - a list of numbers with an index into it as a grid axis, a list of names, both
#   stored as attributes of /parameters;
# - declared mean/SE summaries and profile means, standard errors and counts, NaN
#   components skipped; per-trajectory profile samples;
# - at T > 0 the means within 4.5 standard errors of the exact ones and the sample
#   variances within 4.5 of their own standard errors (4000 trajectories a point);
# - unit sizes 1 and 7: stopped by a time limit (2 ranks), then by a stop file
#   (1 rank), finished on 3 ranks, then extended to more trajectories (2 ranks): the datasets equal (h5diff, to the bit)
#   those of uninterrupted runs.
# Uses the test build, build/tests/thermolearn (the argument, bin/thermolearn, has no toy).
set -u
source "$(dirname "$0")/common.sh"
BIN="$ROOT/build/tests/thermolearn"
[ -x "$BIN" ] || { fail "no $BIN: make unit-tests builds it"; finish; exit 1; }
cp "$BIN" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"

run() {
    local n=$1; shift
    if [ "$n" = 1 ]; then "$BIN" run "$@" --no-progress 2>>"$TMP/log"
    else $MPIRUN -n "$n" "$BIN" run "$@" --no-progress 2>>"$TMP/log"; fi
}

# ---- T = 0, the default: exact to the bit -----------------------------------------------
cat > zero.ini <<'INI'
[run]
model = toy
trajectories = 20
seed = 3
[grid]
trap = 0, 2
[toy]
stiffnesses = 0.5, 1, 2.5
labels = soft, medium, hard
steps = 5
nan_every = 3
INI
if run 3 zero.ini -o zero.h5 --quiet; then
    if "$PY" - zero.h5 <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
p = f["parameters"]
assert np.all(np.isinf(p["beta"][()])) and np.all(p["beta"][()] > 0), "beta = inf"
assert np.all(p["temperature"][()] == 0), "T = 0"
assert list(p.attrs["stiffnesses"]) == [0.5, 1, 2.5], p.attrs["stiffnesses"]
assert [s.decode() if isinstance(s, bytes) else s for s in p.attrs["labels"]] == ["soft", "medium", "hard"]
assert list(p["trap"][()]) == [0, 2]
exact = f["toy/path_exact"][()]
s = f["toy/path_samples"][()]                      # [point, trajectory, step]
assert s.shape == (2, 20, 5), s.shape
t = np.arange(20)
diverged = t % 3 == 2
for p_ in range(2):
    assert np.array_equal(s[p_][~diverged], np.broadcast_to(exact[p_], (int((~diverged).sum()), 5))), "T = 0 path"
    assert np.all(s[p_][diverged][:, 0] == exact[p_][0]) and np.all(np.isnan(s[p_][diverged][:, 1:]))
assert np.array_equal(f["toy/path"][()], exact), "profile mean over the numbers only"
assert np.all(f["toy/path_err"][()] == 0)
assert f["toy/path_count"][()].tolist() == [[20, 14, 14, 14, 14]] * 2, f["toy/path_count"][()]
assert np.array_equal(f["toy/x_final_mean"][()], exact[:, -1])
assert np.all(f["toy/x_final_err"][()] == 0)
k = np.array([0.5, 2.5])
assert np.array_equal(f["toy/energy_rate"][()], 0.5 * k * exact[:, -1] ** 2 / 1.0)
assert np.all(f["toy/variance_exact"][()] == 0)
for name in ["toy/path_samples", "toy/path_count", "toy/x_final_mean", "toy/energy_rate"]:
    assert f[name].attrs["description"] and f[name].attrs["units"], name
PY
    then pass "T = 0 by default: beta = inf, paths exact to the bit, NaN skipped and counted, lists stored"
    else fail "T = 0 run: see above"; fi
else
    fail "T = 0 run exited $?"
fi

# ---- a filled dataset holding -0 keeps its sign on any rank count ---------------------------
# x0 = -0 makes path_exact -0 at every time; its values are filled by one rank
# and summed over the ranks, so the other ranks must add -0, not +0.
sed 's/^steps = 5$/steps = 5\nx0 = -0/' zero.ini > negzero.ini
if run 1 negzero.ini -o nz1.h5 --quiet && run 3 negzero.ini -o nz3.h5 --quiet; then
    "$PY" -c "import h5py,numpy as np,sys; x=h5py.File('nz3.h5','r')['toy/path_exact'][()]; sys.exit(0 if x.size and np.all(np.signbit(x)) and np.all(x == 0) else 1)" &&
        pass "x0 = -0: path_exact is -0 on 3 ranks" || fail "x0 = -0: path_exact lost its sign on 3 ranks"
    same_datasets nz1.h5 nz3.h5 && pass "x0 = -0: 1 and 3 ranks give the same bits" || fail "x0 = -0: 1 and 3 ranks differ"
else
    fail "x0 = -0: a run exited non-zero: $(tail -3 "$TMP/log")"
fi

# ---- T > 0: the exact mean and variance --------------------------------------------------
cat > warm.ini <<'INI'
[run]
model = toy
trajectories = 4000
seed = 11
[grid]
trap = 0:2:3
[toy]
stiffnesses = 0.5, 1, 2.5
temperature = 0.5
steps = 6
x0 = 2
nan_every = 5
INI
if run 2 warm.ini -o warm.h5 --quiet; then
    if "$PY" - warm.h5 <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
mean, err, count = f["toy/path"][()], f["toy/path_err"][()], f["toy/path_count"][()]
exact, var = f["toy/path_exact"][()], f["toy/variance_exact"][()]
s = f["toy/path_samples"][()]
n = 4000 - 4000 // 5
assert np.all(count[:, 0] == 4000) and np.all(count[:, 1:] == n), count
z = np.abs(mean - exact) / err
assert z.max() < 4.5, ("mean off the exact one", z.max())
v = np.nanvar(s, axis=1, ddof=1)
zv = np.abs(v / var - 1) / np.sqrt(2 / (count - 1))
assert zv.max() < 4.5, ("variance off the exact one", zv.max())
assert np.allclose(np.nanmean(s, axis=1), mean, rtol=0, atol=1e-12)
zx = np.abs(f["toy/x_final_mean"][()] - exact[:, -1]) / f["toy/x_final_err"][()]
assert zx.max() < 4.5, ("x_final_mean off the exact one", zx.max())
assert np.allclose(f["toy/x_final_err"][()], np.sqrt(var[:, -1] / 4000), rtol=0.15)
print("largest |z|: mean %.2f, variance %.2f" % (z.max(), zv.max()))
PY
    then pass "T > 0: path means and variances agree with the exact ones (4.5 standard errors)"
    else fail "T > 0: see above"; fi
else
    fail "T > 0 run exited $?"
fi

# ---- unit sizes 1 and 7: stop, resume on other rank counts, extend --------------------------
# write_input NAME MODEL TRAJECTORIES: 2 points, slow trajectories (a stop lands mid-run)
write_input() {
    cat > "$1.ini" <<INI
[run]
model = $2
trajectories = $3
seed = 5
[grid]
trap = 0, 1
[toy]
stiffnesses = 1, 3
temperature = 0.3
steps = 3
nan_every = 4
sleep = 0.02
[histogram]
bins = 10
sample_cap = 30
INI
    sed -i "s/^\[toy\]/[$2]/" "$1.ini" # the model's section is its name
}
for model in toy toy7; do
    write_input short $model 40
    write_input long $model 61
    run 3 short.ini -o $model.ref_short.h5 --quiet || fail "$model: reference run exited $?"
    run 3 long.ini -o $model.ref_long.h5 --quiet || fail "$model: reference run (61) exited $?"
    run 2 short.ini -o $model.h5 --time-limit 0.25 --checkpoint-interval 0
    rc=$?
    [ $rc = 75 ] && pass "$model: stopped by the time limit on 2 ranks (75)" || fail "$model: time limit: exit status $rc"
    # a stop file, once the resumed run (1 rank) reports progress
    "$BIN" run short.ini -o $model.h5 --resume --progress 0.05 2>$model.err &
    pid=$!
    for k in $(seq 300); do grep -q progress $model.err && break; sleep 0.1; done
    touch $model.h5.stop
    wait $pid
    rc=$?
    [ $rc = 75 ] && pass "$model: stopped again by a stop file on 1 rank (75)" || fail "$model: stop file: exit status $rc"
    run 3 short.ini -o $model.h5 --resume --quiet || fail "$model: resume on 3 ranks exited $?"
    if same_datasets $model.ref_short.h5 $model.h5; then pass "$model: stopped twice, resumed on 1 then 3 ranks: identical to the uninterrupted run"
    else fail "$model: the resumed run differs from the uninterrupted one"; fi
    run 2 long.ini -o $model.h5 --checkpoint $model.h5.ckpt --resume --quiet || fail "$model: extension exited $?"
    if same_datasets $model.ref_long.h5 $model.h5; then pass "$model: extended from 40 to 61 trajectories on 2 ranks: identical to a run of 61"
    else fail "$model: the extended run differs from a run of 61"; fi
done
finish
