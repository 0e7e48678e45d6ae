#!/usr/bin/env bash
# Checkpoint and restart, the hard cases: runs killed with SIGKILL at random
# moments while writing checkpoints every 50 ms, and resumed on 1 to 3 ranks,
# end with datasets identical (h5diff, to the bit) to a run that never stopped.
# Extending a finished run with more trajectories equals a run made with the
# larger count from the start.
set -u
source "$(dirname "$0")/common.sh"
# A copy: other builds may replace bin/thermolearn while this runs.
cp "$1" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"

# 6 points x 2 directions x 1000 trajectories (a short last block of 232):
# about 2 s on one core, so that stops land in the middle.
CHECKPOINT_STEPS=1000
source "$ROOT/tests/integration/checkpoint_input.sh"
write_input base 1000 7 "0.2, 0.7"
# run K ARGS...: on K ranks (one rank without mpirun: a singleton starts faster).
run() {
    local n=$1; shift
    if [ "$n" = 1 ]; then "$BIN" run "$@" --no-progress 2>>"$TMP/log"
    else $MPIRUN -n "$n" "$BIN" run "$@" --no-progress 2>>"$TMP/log"; fi
}

run 1 base.ini -o ref.h5 --quiet || fail "reference run exited $?"
[ -f ref.h5.ckpt ] && pass "a finished run keeps its checkpoint" || fail "no checkpoint after a finished run"

# expect_same NAME FILE: FILE's datasets equal the reference's, bit for bit.
expect_same() {
    if same_datasets ref.h5 "$2"; then pass "$1: datasets identical to the uninterrupted run"
    else fail "$1: datasets differ from the uninterrupted run"; fi
}

# ---- kill -9 at random moments, with checkpoints every 20 ms -------------------------------
# Each restart must find a checkpoint it accepts (the previous or the new one),
# never a damaged one; and the end result is still the uninterrupted one.
# Each checkpoint (every 20 ms) stalls 0.1 s halfway through its write (a test
# hook), so that many kills land in the middle of writing one, and the run
# outlasts the kills however fast the machine.  More trajectories here, so that the run
# outlasts the kills.
write_input k9 3000 7 "0.2, 0.7"
run 1 k9.ini -o k9ref.h5 --quiet || fail "kill -9: reference run exited $?"
export THERMOLEARN_TEST_CHECKPOINT_STALL=0.1
RANDOM=12345
kills=0 refused=0 midwrite=0
for k in $(seq 1 12); do
    n=$((1 + k % 3))
    $MPIRUN -n $n "$BIN" run k9.ini -o k9.h5 --resume --checkpoint-interval 0.02 --no-progress 2>k9.err &
    pid=$!
    # once it simulates, a random moment within 0.5 s
    for w in $(seq 100); do grep -q "model hopfield\|damaged\|truncated" k9.err && break; sleep 0.05; done
    sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
    ls k9.h5.ckpt.tmp >/dev/null 2>&1 && midwrite=$((midwrite + 1))
    # SIGKILL every rank (the children of this mpirun, by id) and mpirun: nothing cleans up
    ranks=$(pgrep -P "$pid")
    kill -KILL $ranks "$pid" 2>/dev/null
    wait $pid 2>/dev/null
    # A rank inside fsync dies when the call returns: until then it holds the
    # output's lock, and a restart would rightly be refused (status 3).
    for w in $(seq 200); do
        left=0
        for r in $ranks; do [ -r /proc/$r/stat ] && ! grep -q ') Z' /proc/$r/stat 2>/dev/null && left=1; done
        [ $left = 0 ] && break
        sleep 0.05
    done
    kills=$((kills + 1))
    grep -q "damaged\|truncated\|not a checkpoint\|is being written" k9.err && refused=$((refused + 1))
    [ -f k9.h5 ] && break # the run got to its end between kills
done
unset THERMOLEARN_TEST_CHECKPOINT_STALL
[ $refused = 0 ] && pass "kill -9 x $kills ($midwrite while a checkpoint was being written): every restart accepted the checkpoint" ||
    fail "kill -9: $refused of $kills restarts found a damaged checkpoint or a lock still held"
[ $kills -ge 5 ] && [ $midwrite -ge 1 ] && pass "kill -9: $kills kills before the run ended, $midwrite mid-write" ||
    fail "kill -9: only $kills kills before the run ended, $midwrite mid-write: the test is too weak"
run 2 k9.ini -o k9.h5 --resume --quiet || fail "kill -9: final resume exited $?"
if same_datasets k9ref.h5 k9.h5; then pass "kill -9 x $kills at random moments: datasets identical to the uninterrupted run"
else fail "kill -9 x $kills: datasets differ from the uninterrupted run"; fi

# ---- extending a finished run with more trajectories ----------------------------------------
# 600 (a short last block) and 100 (a short pilot block) raised to 1000.
for old in 600 100 512; do
    write_input "ext$old" "$old" 7 "0.2, 0.7"
    run 2 "ext$old.ini" -o "ext$old.h5" --quiet || fail "extend: first run exited $?"
    run 3 base.ini -o "ext$old.h5" --checkpoint "ext$old.h5.ckpt" --resume --quiet || fail "extend: resume exited $?"
    expect_same "extended from $old to 1000 trajectories" "ext$old.h5"
done

finish
