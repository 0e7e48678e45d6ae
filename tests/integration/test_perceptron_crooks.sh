#!/usr/bin/env bash
# Crooks (check: BAR against the exact dF = 0 of the moving trap) and
# Jarzynski in both directions, batch and online learning; check fails when
# dF is moved by 5 standard errors.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

# ---- Crooks and Jarzynski, dF = 0 -------------------------------------------------------
crooks_input() { # name learning nu-axis n time extra
    cat > "$TMP/$1.ini" <<INI
[run]
model = perceptron
trajectories = 6000
seed = 4242

[grid]
nu = $3
tau = 0.3, 3

[perceptron]
n = $4
alpha = 1
time = $5
temperature = 1
learning = $2
$6
INI
}
crooks_input batch batch "0.5, 1" 4 4 ""
# online: the trap jumps by nu P/sqrt(N) at every switch; few switches keep W small
crooks_input online online "0.3, 0.5" 2 1.5 "switch_rate = 2"
for name in batch online; do
    $MPIRUN -n 2 "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.h5" --quiet || fail "$name: run exited $?"
    "$BIN" check "$TMP/$name.h5" > "$TMP/$name.check"
    status=$?
    cat "$TMP/$name.check"
    [ $status = 0 ] && pass "$name: check passes, BAR within 3 SE of dF = 0 at every point" || fail "$name: check exit $status"
    "$PY" - "$TMP/$name.h5" <<'PY' && pass "$name: Jarzynski <exp(-W)> = 1 within 3 SE both ways" || fail "$name: Jarzynski"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
for d in ("forward", "reverse"):
    w = f[f"/work/{d}/samples"][...]
    x = np.exp(-w)
    z = (x.mean(axis=1) - 1) / (x.std(axis=1, ddof=1) / np.sqrt(w.shape[1]))
    print(d, "mean W", np.round(w.mean(axis=1), 3), "z", np.round(z, 2))
    assert np.all(np.abs(z) < 3), z
    # dissipative protocols: something to detect
    assert np.all(w.mean(axis=1) > 5 * w.std(axis=1) / np.sqrt(w.shape[1]))
PY
done
cp "$TMP/batch.h5" "$TMP/moved.h5"
"$PY" - "$TMP/moved.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["/perceptron/delta_f_exact"][1] += 5 * f["/estimates/delta_f_bar_err"][1]
PY
"$BIN" check "$TMP/moved.h5" > /dev/null
status=$?
[ $status = 1 ] && pass "check fails (exit 1) when dF is 5 SE away" || fail "check exit $status on a moved dF"

finish
