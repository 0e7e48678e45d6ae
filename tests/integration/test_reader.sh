#!/usr/bin/env bash
# analysis/thermolearn_h5.py, the reader of output files, on a real run of a
# 3 x 2 grid (ou: ja x decay) against h5py directly: provenance, the parameter
# table, the grid shape and reshaping (row-major, last axis fastest), datasets
# with their units and descriptions, profiles, samples, relative paths; and a
# clear BadFile (exit status 2 from the command line) for a missing file, a
# file that is not HDF5, an HDF5 file of another program and a missing dataset.
# Fails when the reader reorders points, drops units, or accepts a foreign file.
source "$(dirname "$0")/common.sh"
BIN=${1:-bin/thermolearn}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN;; esac
cat > "$TMP/grid.ini" <<'INI'
[run]
model = ou
trajectories = 40
[grid]
ja = 0.1, 0.3, 0.5
decay = 1, 2
[ou]
js = 0.2
time = 5
dt = 0.1
INI
(cd "$TMP" && "$BIN" run grid.ini -o grid.h5 --quiet) || { fail "ou run"; finish; exit; }

"$PY" - "$TMP/grid.h5" "$ROOT/analysis" <<'PY' && pass "reader: provenance, table, grid, datasets, units, profiles, samples agree with h5py" || fail "reader"
import sys
import h5py
import numpy as np
sys.path.insert(0, sys.argv[2])
from thermolearn_h5 import BadFile, Run
path = sys.argv[1]
f = h5py.File(path, "r")
with Run(path) as run:
    assert run.model == "ou" and run.n_points == 6 and run.trajectories == 40
    p = run.provenance
    assert p["git_commit"] == f.attrs["git_commit"] and p["git_dirty"] in (0, 1) and p["seed"] == 1, p
    assert "[grid]" in p["input"]
    assert run.axes == ["ja", "decay"], run.axes
    t = run.table()
    assert list(t.dtype.names[:3]) == ["point", "ja", "decay"], t.dtype.names
    assert np.array_equal(t["ja"], [0.1, 0.1, 0.3, 0.3, 0.5, 0.5]) and np.array_equal(t["decay"], [1, 2] * 3)
    assert np.array_equal(t["js"], np.full(6, 0.2))
    assert run.grid_shape() == (3, 2)
    assert np.array_equal(run.axis_values("ja"), [0.1, 0.3, 0.5]) and np.array_equal(run.axis_values("decay"), [1, 2])
    rate = run.dataset("entropy_production_rate_exact")
    assert rate.path == "/ou/entropy_production_rate_exact" and rate.units == "1/time"
    assert rate.description == f["/ou/entropy_production_rate_exact"].attrs["description"]
    g = run.on_grid(rate)
    # D11 generalised: 2 ja^2 / decay, on the grid [ja, decay]
    assert np.allclose(g, 2 * np.array([0.1, 0.3, 0.5])[:, None] ** 2 / np.array([1, 2])[None, :], rtol=1e-9), g
    mean, err = run.profile("mean")
    assert mean.shape == (6, 2) and err.units == f["/ou/mean_err"].attrs["units"]
    assert run.on_grid(mean).shape == (3, 2, 2)
    s = run.samples("entropy_production", "steady")
    assert s.shape == (6, 40) and np.array_equal(s, f["/entropy_production/steady/samples"][()])
    assert run.parameter("initial") == "steady"
    assert run.point_label(3) == "ja = 0.3, decay = 2", run.point_label(3)
    for bad in ("nope", "/estimates/delta_f_bar"):
        try:
            run.dataset(bad)
            raise AssertionError(f"no BadFile for {bad}")
        except BadFile as e:
            assert path in str(e) and "no dataset" in str(e), e
    try:
        run.profile_samples("mean")
    except BadFile as e:
        assert "per-trajectory samples" in str(e)
PY

echo "not hdf5" > "$TMP/text.h5"
"$PY" -c 'import h5py, sys; f = h5py.File(sys.argv[1], "w"); f.attrs["program"] = "other"' "$TMP/other.h5"
ok=1
for f in "$TMP/missing.h5:no such file" "$TMP/text.h5:not an HDF5 file" "$TMP/other.h5:not a thermolearn file (program='other')"; do
    file=${f%%:*} want=${f#*:}
    "$PY" "$ROOT/analysis/thermolearn_h5.py" "$file" > /dev/null 2> "$TMP/err.txt"
    status=$?
    [ $status = 2 ] && grep -qF "$file: $want" "$TMP/err.txt" || { echo "  $file: status $status: $(cat "$TMP/err.txt")"; ok=0; }
done
[ $ok = 1 ] && pass "reader: missing, non-HDF5 and foreign files exit 2 naming the file and the problem" || fail "reader errors"
finish
