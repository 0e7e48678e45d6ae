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
#
# Then the perceptron: `thermolearn bench perceptron --alpha 0.0001 --traj 32`
# (online learning, N = 10000, P = 1, 200 intervals: the weight loop; the
# batch part of that bench is a single sample at this alpha, so it costs
# nothing) beside tests/bench/perceptron_limit.c at the same point, both in
# weight-steps per second of CPU time, best of BENCH_RUNS, and their ratio.
# Last, `thermolearn bench hopfield --graded` (the graded network, MALA) alone.
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

# ---- perceptron (online weight loop) ----
PSRC=tests/bench/perceptron_limit.c
PLIMIT=build/bench/perceptron_limit
prate() { sed -n 's/^weight_steps_per_s \([0-9.e+-]*\).*/\1/p' | head -1; }
have_plimit=0
if [ -f "$PSRC" ] && grep -qw avx2 /proc/cpuinfo; then
    mkdir -p build/bench
    if [ ! -x "$PLIMIT" ] || [ "$PSRC" -nt "$PLIMIT" ]; then
        gcc -O3 -march=native -Wno-psabi -o "$PLIMIT" "$PSRC" -lm || { echo "bench: cannot build $PSRC" >&2; exit 1; }
    fi
    have_plimit=1
fi
pengine=0 plimit=0
for r in $(seq "$RUNS"); do
    e=$(bin/thermolearn bench perceptron --alpha 0.0001 --traj 32 | prate)
    pengine=$(max "$pengine" "$e")
    l=
    if [ $have_plimit = 1 ]; then
        l=$("$PLIMIT" --n 10000 --traj 32 --intervals 200 | prate)
        plimit=$(max "$plimit" "$l")
    fi
    echo "run $r: engine $e${l:+  limit $l}"
done
echo
printf '%-44s %12s\n' "perceptron (online, N=10000), best of $RUNS" "steps/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench perceptron" "$pengine"
if [ $have_plimit = 1 ]; then
    printf '%-44s %12.4e\n' "limit: perceptron_limit" "$plimit"
    awk -v e="$pengine" -v l="$plimit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (target >= 0.5)", e / l}'
fi

# ---- graded Hopfield network (MALA) ----
# No limit kernel yet (the kernel is scalar, one trajectory at a time): the
# engine's rate only, in neuron-steps (one Langevin step of one neuron) per second.
gengine=0
for r in $(seq "$RUNS"); do
    e=$(bin/thermolearn bench hopfield --graded | sed -n 's/.*neuron_steps_per_s \([0-9.e+-]*\).*/\1/p')
    gengine=$(max "$gengine" "$e")
    echo "run $r: engine $e"
done
echo
printf '%-44s %12s\n' "graded hopfield (N=15, MALA), best of $RUNS" "steps/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench hopfield --graded" "$gengine"
echo "(no limit kernel for the graded network yet)"
