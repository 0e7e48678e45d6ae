#!/usr/bin/env bash
# `make bench`: the engine's kernel beside its limit kernel, on this machine.
#
# Runs `thermolearn bench hopfield` (N = 15, M = 2, 1000 steps, 5000
# trajectories per direction, exact equilibrium starts) and the limit kernel
# tests/bench/hopfield_limit_v2.c at the same point (--mode full: a full
# 24-bit uniform per update, as the engine draws), interleaved, BENCH_RUNS
# times each, and prints the best rate of each and their ratio.  The limit
# kernel needs AVX2 and FMA; elsewhere only the engine's rate is printed.  Rates are spin updates per
# second of wall time; on a shared machine take the best of more runs.
set -u
cd "$(dirname "$0")/../.."
RUNS=${BENCH_RUNS:-3}
SRC=tests/bench/hopfield_limit_v2.c
LIMIT=build/bench/hopfield_limit_v2
PATTERNS=---+-++-++++------+--++-++-+++ # e1 e2 of the engine's bench point (pattern_seed default)
rate() { sed -n 's/.*updates_per_s \([0-9.e+-]*\).*/\1/p' | head -1; }
max() { awk -v a="$1" -v b="$2" 'BEGIN {print (b + 0 > a + 0) ? b : a}'; }

have_limit=0
if [ -f "$SRC" ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    mkdir -p build/bench
    if [ ! -x "$LIMIT" ] || [ "$SRC" -nt "$LIMIT" ]; then
        gcc -O3 -march=native -o "$LIMIT" "$SRC" -lm || { echo "bench: cannot build $SRC" >&2; exit 1; }
    fi
    have_limit=1
else
    echo "bench: no AVX2/FMA here, so no limit kernel: the engine's rate only"
fi

engine=0 limit=0
for r in $(seq "$RUNS"); do
    e=$(bin/thermolearn bench hopfield | rate)
    engine=$(max "$engine" "$e")
    if [ $have_limit = 1 ]; then
        l=$("$LIMIT" --mode full --patterns "$PATTERNS" | rate)
        limit=$(max "$limit" "$l")
    fi
    echo "run $r: engine $e${l:+  limit $l}"
done
echo
printf '%-44s %12s\n' "hopfield (N=15, M=2, heat bath), best of $RUNS" "updates/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench hopfield" "$engine"
if [ $have_limit = 1 ]; then
    printf '%-44s %12.4e\n' "limit: hopfield_limit_v2 --mode full" "$limit"
    awk -v e="$engine" -v l="$limit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (target >= 0.5)", e / l}'
fi
