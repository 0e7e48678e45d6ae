#!/usr/bin/env bash
# Memory per rank does not grow with the number of trajectories: block
# moments are folded in block order on rank 0 as they arrive (fold.h), not
# kept per block.  A cheap run with 2^18 and 2^23 trajectories per point on
# 2 ranks: the peak resident memory of the largest rank (reported by the run)
# may grow by at most 4 MiB (the per-block design grew by 21 MiB here).
# The clock model's memory does not grow with its `periods` (below).
# Also: checkpoint records gathered to rank 0 in many small pieces (the path
# that carries more than 2 GiB of samples on a cluster) resume to identical data.
set -u
BIN=$(readlink -f "$1")
source "$(dirname "$0")/common.sh"
cd "$TMP"

write() { # trajectories samples [steps]
    cat > m.ini <<INI
[run]
model = hopfield
trajectories = $1
seed = 3

[hopfield]
n = 4
temperature = 1
steps = ${3:-1}

[histogram]
bins = 20
range = -10:10
store_samples = $2
INI
}

# Under AddressSanitizer freed memory sits in a quarantine of up to 256 MB
# before reuse, which would read as growth: the test turns it off.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"

peak() { # trajectories -> MiB
    write "$1" false
    $MPIRUN -n 2 "$BIN" run m.ini -o "m$1.h5" 2>&1 | awk '/peak memory of one rank/ {print $(NF-1)}'
}
small=$(peak 262144)
large=$(peak 8388608)
echo "  peak memory: $small MiB at 2^18 trajectories, $large MiB at 2^23"
if [ -n "$small" ] && [ -n "$large" ] && awk -v a="$small" -v b="$large" 'BEGIN {exit !(b - a < 4)}'; then
    pass "memory per rank bounded: $small -> $large MiB for 32x the trajectories"
else
    fail "memory per rank grows with the trajectories: $small -> $large MiB"
fi

# ---- the clock model: memory flat in `periods` ------------------------------------------------
# Its period statistics are running sums (ck_intervals), not a list of every passage time: 16
# trajectories of 10^3 and of 3x10^5 periods (gamma = 0.05 at dt = 1: 4 steps a period, 0.5 s) on one
# rank.  The list grew by 8 bytes x 16 x 3x10^5 = 37 MiB (65.5 MiB against 32.6).
clock_peak() { # periods -> MiB
    printf '[run]\nmodel = clock\ntrajectories = 16\nseed = 3\n\n[clock]\ngamma = 0.05\nchi = 20\nbias = 0\n' > c.ini
    printf 'temperature = 0.1\ndt = 1\ntransient = 5\nperiods = %s\n' "$1" >> c.ini
    "$BIN" run c.ini -o "c$1.h5" 2>&1 | awk '/peak memory of one rank/ {print $(NF-1)}'
}
small=$(clock_peak 1000)
large=$(clock_peak 300000)
echo "  clock: peak memory $small MiB at 10^3 periods, $large MiB at 3x10^5"
if [ -n "$small" ] && [ -n "$large" ] && awk -v a="$small" -v b="$large" 'BEGIN {exit !(b - a < 4)}'; then
    pass "clock: memory flat in periods: $small -> $large MiB for 300x the periods"
else
    fail "clock: memory grows with the periods: $small -> $large MiB"
fi

# ---- records gathered in pieces of 4 KiB ---------------------------------------------------
write 20000 true 400
$MPIRUN -n 3 "$BIN" run m.ini -o ref.h5 --quiet || fail "reference run"
# (the stopped run sleeps 50 ms after each unit, a test hook, so that its time
# limit finds it running however fast the machine)
THERMOLEARN_TEST_GATHER_PIECE=4096 THERMOLEARN_TEST_UNIT_STALL=0.05 $MPIRUN -n 3 "$BIN" run m.ini -o p.h5 \
    --time-limit 0.05 --checkpoint-interval 0 --quiet 2>/dev/null
rc=$?
THERMOLEARN_TEST_GATHER_PIECE=4096 $MPIRUN -n 2 "$BIN" run m.ini -o p.h5 --resume --quiet || fail "resume exited $?"
if [ "$rc" = 75 ]; then
    same_datasets ref.h5 p.h5 && pass "records in 4 KiB pieces: stopped, resumed, datasets identical" ||
        fail "records in 4 KiB pieces: datasets differ"
else
    fail "records in 4 KiB pieces: first run exit $rc, not stopped by its time limit (75)"
fi
finish
