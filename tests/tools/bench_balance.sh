#!/usr/bin/env bash
# Load balance benchmark (not a test: timings depend on the machine's load).
# A grid whose two points differ tenfold in cost (steps = 100 and 1000) is run
# on 1 and on 2 ranks, REPEAT times each; the parallel efficiency
# T1 / (2 T2) is computed from the best time of each (the run's own
# "wrote ... in S s", without mpirun's start-up).
#     bash tests/tools/bench_balance.sh [BIN] [REPEAT] [TRAJECTORIES]
set -u
BIN=${1:-bin/thermolearn}
REPEAT=${2:-3}
TRAJ=${3:-20000}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/balance.ini" <<INI
[run]
model = hopfield
trajectories = $TRAJ
seed = 1
checkpoint_interval = 0

[grid]
steps = 100, 1000

[hopfield]
n = 15
temperature = 15
gamma = 0.2

[histogram]
store_samples = false
INI
best() { # ranks
    local b="" t k
    for k in $(seq "$REPEAT"); do
        t=$($MPIRUN -n "$1" "$BIN" run "$TMP/balance.ini" -o "$TMP/b.h5" --force --no-progress 2>&1 |
            sed -n 's/.* in \([0-9.]*\) s$/\1/p')
        echo "  $1 rank(s), try $k: $t s" >&2
        b=$(awk -v a="${b:-1e30}" -v t="$t" 'BEGIN {print (t < a ? t : a)}')
    done
    echo "$b"
}
t1=$(best 1)
t2=$(best 2)
awk -v t1="$t1" -v t2="$t2" 'BEGIN {printf "tenfold-cost grid: best of '"$REPEAT"': 1 rank %.3f s, 2 ranks %.3f s, parallel efficiency %.1f%%\n", t1, t2, 100 * t1 / (2 * t2)}'
