#!/usr/bin/env bash
# Vector observables ("profiles") through the engine: points of different
# sizes on one grid.  A spins grid over chain_length = 2, 3 writes
# /spins/magnetization [2, 1, 6]: point 0 (4 spins) holds exactly the values
# of a run of that point alone, NaN in its last two components; point 1 is
# finite throughout; 1 and 2 ranks agree to the bit; `check` skips the
# padding and counts it.
set -u
BIN=$(readlink -f "$1")
source "$(dirname "$0")/common.sh"
cd "$TMP"

write() { # chain_length values
    cat > p.ini <<INI
[run]
model = spins
trajectories = 300
seed = 4

[grid]
chain_length = $1

[spins]
neighbours = 1
couplings = 0.4 -0.3 0.2 0.5 -0.1 0.3 0.6 -0.2
beta = 1
time = 20
transient = 2
INI
}
write "2, 3"
"$BIN" run p.ini -o both.h5 --quiet || fail "run of two sizes"
$MPIRUN -n 2 "$BIN" run p.ini -o both2.h5 --quiet || fail "run of two sizes on 2 ranks"
write "2"
"$BIN" run p.ini -o one.h5 --quiet || fail "run of one size"
if "$PY" - <<'PY'
import h5py, numpy as np
b, o = h5py.File("both.h5", "r")["spins"], h5py.File("one.h5", "r")["spins"]
ok = True
for name in ("magnetization", "magnetization_err"):
    x, y = b[name][()], o[name][()]
    print(f"  {name}: {x.shape} and alone {y.shape}")
    ok &= x.shape == (2, 1, 6) and y.shape == (1, 1, 4)
    ok &= np.array_equal(x[0, :, :4], y[0]) and np.all(np.isnan(x[0, :, 4:])) and np.all(np.isfinite(x[1]))
    ok &= "description" in b[name].attrs and "units" in b[name].attrs
raise SystemExit(0 if ok else 1)
PY
then pass "profiles: padded with NaN to the largest point, equal to the point run alone"
else fail "profiles: shapes or values"; fi
same_datasets both.h5 both2.h5 && pass "profiles: 1 and 2 ranks identical" || fail "profiles: 1 and 2 ranks differ"
# check skips the padding (NaN in estimate and exact value alike) and says so
"$BIN" check both.h5 > check.txt
rc=$?
[ $rc = 0 ] && grep -q "magnetization  *0 .*2 of 6 NaN, skipped" check.txt && pass "check: padding skipped and counted" ||
    { cat check.txt; fail "check on padded profiles: status $rc"; }
finish
