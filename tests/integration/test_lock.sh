#!/usr/bin/env bash
# One writer per output (docs/locking.md).  While a run writes OUT.h5, a second
# run on the same output or checkpoint (plain, --resume, --force, --break-lock,
# other rank counts, another output with the same checkpoint) exits with status
# 3, names the holder's PID and changes no file: names, sizes, checksums of
# OUT.h5* and the directory's modification time are compared before and after,
# with the first run frozen (SIGSTOP) so that only the second one could change
# them.  The first run then finishes with datasets identical (h5diff) to an
# undisturbed run: also when it was orphaned (its parent shell killed, mpirun
# and ranks running on).  Stale locks: a dead PID on this host, or a lock its
# holder no longer holds, are taken over; another host's only with
# --break-lock.  kill -9 of a locked run, then --resume, works without manual
# clean-up; the same where fcntl locks do not work (the O_EXCL fallback, by a
# test hook).
set -u
source "$(dirname "$0")/common.sh"
cp "$1" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"
mkdir -p log elsewhere

# 6 points x 2 directions x 3000 trajectories: about 2 s on one core.
CHECKPOINT_STEPS=1000
source "$ROOT/tests/integration/checkpoint_input.sh"
write_input base 3000 7 "0.2, 0.7"
"$BIN" run base.ini -o ref.h5 --quiet --no-progress 2>log/ref.err || fail "reference run exited $?"

# started ERR: the run simulates and has written a checkpoint (at most 60 s).
started() {
    local k
    for k in $(seq 600); do
        grep -q "model hopfield" "$1" 2>/dev/null && [ -f "$2.ckpt" ] && return 0
        sleep 0.1
    done
    return 1
}
# alive PID: the process exists and is not a zombie.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q ') Z' "/proc/$1/stat" 2>/dev/null; }
# gone PID...: wait until all these processes have ended (at most 60 s).
gone() {
    local k p left
    for k in $(seq 600); do
        left=0
        for p; do alive "$p" && left=1; done
        [ $left = 0 ] && return 0
        sleep 0.1
    done
    return 1
}
# state: what a refused run must not change: the names, sizes and checksums of
# out.h5* and the directory's modification time (a file made and removed again
# shows there).
state() { stat -c '%n %s' out.h5* 2>/dev/null; md5sum out.h5* 2>/dev/null; stat -c '%y' .; }
expect_same() { # NAME FILE
    if same_datasets ref.h5 "$2"; then pass "$1: datasets identical to the undisturbed run"
    else fail "$1: datasets differ from the undisturbed run (or $2 is missing)"; fi
}
# refused NAME HOLDER-PID K ARGS...: a second run on K ranks is refused, status 3, naming
# the holder, changing nothing.
refused() {
    local name=$1 holder=$2 n=$3; shift 3
    local before after rc
    before=$(state)
    sleep 0.02 # a change within the clock's resolution would not show in the directory's time
    if [ "$n" = 1 ]; then "$BIN" run base.ini "$@" --no-progress 2>"log/$name.err"
    else $MPIRUN -n "$n" "$BIN" run base.ini "$@" --no-progress 2>"log/$name.err"; fi
    rc=$?
    after=$(state)
    local msg
    msg=$(grep "thermolearn:" "log/$name.err" | head -1)
    echo "  $name: $msg"
    [ $rc = 3 ] && pass "$name: exit status 3" || fail "$name: exit status $rc, expected 3"
    [[ $msg == *"out.h5"*" is being written by PID $holder on $(hostname) "*"nothing was changed"* ]] &&
        pass "$name: the message names the holder, PID $holder" || fail "$name: message: $msg"
    [ "$before" = "$after" ] && pass "$name: out.h5* and the directory unchanged, byte for byte" ||
        { fail "$name: files changed"; diff <(echo "$before") <(echo "$after") | sed 's/^/    /'; }
}
holder_pid() { sed -n 's/^pid=//p' out.h5.lock; }

# ---- a second run started while the first runs (not frozen) ---------------------------------
# Every run that another must find alive sleeps 0.1 s after each of its 48
# units of work (a test hook): it lasts about 5 s however fast the machine
# (a stall in each checkpoint was not enough: a fast CPU finished the first run
# within the second's 1 s).
SLOW="env THERMOLEARN_TEST_UNIT_STALL=0.1"
$SLOW "$BIN" run base.ini -o out.h5 --checkpoint-interval 0.05 --no-progress 2>log/first.err &
first=$!
started log/first.err out.h5 || fail "first run: did not start"
sleep 1
"$BIN" run base.ini -o out.h5 --no-progress 2>log/second.err
rc=$?
echo "  second: $(cat log/second.err)"
[ $rc = 3 ] && grep -q "out.h5 is being written by PID $first on" log/second.err &&
    pass "a second run 1 s after the first: status 3, the first's PID named" ||
    fail "a second run 1 s after: status $rc: $(cat log/second.err)"
wait $first && pass "the first run finished (status 0)" || fail "the first run exited $?"
expect_same "the first run, disturbed by a second" out.h5
[ ! -e out.h5.lock ] && [ ! -e out.h5.partial ] && pass "the lock file and .partial are gone after the run" ||
    fail "left behind: $(ls out.h5.* | tr '\n' ' ')"

# ---- the first run frozen: every kind of second run, with checksums ---------------------------
cp ref.h5 out.h5 # an older output that the first run replaces (--force)
$SLOW "$BIN" run base.ini -o out.h5 --force --checkpoint-interval 0.05 --no-progress 2>log/first.err &
first=$!
started log/first.err out.h5 || fail "frozen: the first run did not start"
kill -STOP $first
refused plain "$first" 1 -o out.h5
refused resume "$first" 2 -o out.h5 --resume
refused force "$first" 1 -o out.h5 --force
refused resume_force_3_ranks "$first" 3 -o out.h5 --resume --force
refused break_lock "$first" 1 -o out.h5 --resume --break-lock
# another output, the same checkpoint: out.h5.ckpt is locked by out.h5.lock
refused same_checkpoint "$first" 1 -o elsewhere/other.h5 --checkpoint out.h5.ckpt --resume
[ -z "$(ls elsewhere)" ] && pass "same checkpoint: the other output's directory is empty" ||
    fail "same checkpoint: left $(ls elsewhere)"
kill -CONT $first
wait $first && pass "frozen first run: finished (status 0)" || fail "frozen first run: exited $?"
expect_same "the frozen first run, after six refused runs" out.h5

# ---- the first run orphaned: its parent shell killed, mpirun and ranks run on -------------------
rm -f out.h5 out.h5.ckpt
bash -c "$SLOW $MPIRUN -n 2 '$BIN' run base.ini -o out.h5 --checkpoint-interval 0.05 --no-progress 2>log/orphan.err &
         echo \$! > log/mpirun.pid; wait" &
shell=$!
started log/orphan.err out.h5 || fail "orphan: the run did not start"
kill -KILL $shell
wait $shell 2>/dev/null
mpirun_pid=$(cat log/mpirun.pid)
ranks=$(pgrep -P "$mpirun_pid" | tr '\n' ' ')
kill -0 "$mpirun_pid" && pass "orphan: mpirun $mpirun_pid runs on without its shell (ranks $ranks)" ||
    fail "orphan: mpirun is gone"
kill -STOP $ranks "$mpirun_pid"
holder=$(holder_pid)
[[ " $ranks " == *" $holder "* ]] && pass "orphan: the lock names rank 0 of the orphaned run ($holder)" ||
    fail "orphan: the lock names PID $holder, not one of the ranks $ranks"
refused orphan_resume "$holder" 1 -o out.h5 --resume
refused orphan_resume_2_ranks "$holder" 2 -o out.h5 --resume
refused orphan_force "$holder" 2 -o out.h5 --force
kill -CONT $ranks "$mpirun_pid"
gone "$mpirun_pid" $ranks || fail "orphan: still running after 60 s"
expect_same "the orphaned run, after three refused runs" out.h5
[ ! -e out.h5.lock ] && pass "orphan: its lock removed at its end" || fail "orphan: out.h5.lock left"

# ---- stale locks ------------------------------------------------------------------------------
sleep 0 & dead=$!
wait $dead
rm -f out.h5 out.h5.ckpt
printf 'pid=%s\nhost=%s\nstarted=%s\nmode=exclusive\n' $dead "$(hostname)" "$(date +%s)" > out.h5.lock
"$BIN" run base.ini -o out.h5 --quiet --no-progress 2>log/stale.err
rc=$?
echo "  stale: $(cat log/stale.err)"
[ $rc = 0 ] && grep -q "taking over the lock out.h5.lock of PID $dead on $(hostname).*no longer exists" log/stale.err &&
    pass "a lock naming a dead PID on this host: taken over with a message" ||
    fail "dead PID: status $rc: $(cat log/stale.err)"
expect_same "after taking over a dead PID's lock" out.h5
[ ! -e out.h5.lock ] && pass "stale lock: removed at the end" || fail "stale lock: still there"

# a record of an fcntl holder, PID alive (this shell) but the lock not held: released
rm -f out.h5 out.h5.ckpt
printf 'pid=%s\nhost=%s\nstarted=%s\nmode=fcntl\n' $$ "$(hostname)" "$(date +%s)" > out.h5.lock
"$BIN" run base.ini -o out.h5 --quiet --no-progress 2>log/released.err
rc=$?
echo "  released: $(cat log/released.err)"
[ $rc = 0 ] && grep -q "of PID $$ on .*no longer holds it" log/released.err &&
    pass "an fcntl lock no longer held (its PID alive, reused): taken over" ||
    fail "released fcntl lock: status $rc: $(cat log/released.err)"

# another host: refused, unchanged; --break-lock takes it
rm -f out.h5 out.h5.ckpt
printf 'pid=1234\nhost=node17.elsewhere\njob=5678\nstarted=%s\nmode=fcntl\n' "$(date +%s)" > out.h5.lock
before=$(state)
sleep 0.02
"$BIN" run base.ini -o out.h5 --resume --no-progress 2>log/foreign.err
rc=$?
echo "  foreign: $(cat log/foreign.err)"
[ $rc = 3 ] && grep -q "out.h5 is being written by PID 1234 on node17.elsewhere (started [0-9:]*, SLURM job 5678).*another host.*--break-lock; nothing was changed" log/foreign.err &&
    [ "$before" = "$(state)" ] && pass "a lock of another host: refused (status 3), nothing changed" ||
    fail "another host: status $rc, changed: $([ "$before" = "$(state)" ] && echo no || echo yes)"
"$BIN" run base.ini -o out.h5 --resume --break-lock --no-progress 2>log/broken.err
rc=$?
echo "  broken: $(grep -v 'peak memory\|wrote\|model hopfield\|no checkpoint' log/broken.err)"
[ $rc = 0 ] && grep -q "taking over the lock out.h5.lock of PID 1234 on node17.elsewhere.*: --break-lock" log/broken.err &&
    pass "--break-lock: another host's lock taken over" || fail "--break-lock: status $rc"
expect_same "after --break-lock" out.h5

# ---- kill -9 of a locked run, then --resume ------------------------------------------------------
# kill9 NAME [ENV...]: mpirun -n 2, killed with SIGKILL (ranks and mpirun) after its first checkpoint.
kill9() {
    local name=$1; shift
    rm -f out.h5 out.h5.ckpt
    env THERMOLEARN_TEST_UNIT_STALL=0.1 "$@" $MPIRUN -n 2 "$BIN" run base.ini -o out.h5 --checkpoint-interval 0.05 --no-progress 2>"log/$name.err" &
    local pid=$! ranks
    started "log/$name.err" out.h5 || fail "$name: did not start"
    ranks=$(pgrep -P $pid)
    kill -KILL $ranks $pid
    wait $pid 2>/dev/null
    gone $ranks || fail "$name: ranks alive after SIGKILL"
    [ -f out.h5.lock ] && [ -f out.h5.ckpt ] && pass "$name: SIGKILL left the lock file and a checkpoint" ||
        fail "$name: no stale lock or checkpoint to test with"
    env "$@" "$BIN" run base.ini -o out.h5 --resume --no-progress 2>"log/$name.resume.err"
    rc=$?
    echo "  $name: $(grep "taking over" "log/$name.resume.err")"
    [ $rc = 0 ] && grep -q "taking over the lock out.h5.lock" "log/$name.resume.err" &&
        pass "$name: --resume took over the dead run's lock (status 0)" || fail "$name: --resume exited $rc"
    expect_same "$name, then --resume" out.h5
    [ -z "$(ls out.h5.* | grep -v ckpt$)" ] && pass "$name: nothing left but the checkpoint" ||
        fail "$name: left $(ls out.h5.* | tr '\n' ' ')"
}
kill9 kill9
# Where fcntl locks fail (NFS without lockd, Lustre without flock): O_EXCL and the record.
kill9 kill9_no_fcntl THERMOLEARN_TEST_NO_FCNTL=1
grep -q "no longer exists" log/kill9_no_fcntl.resume.err && pass "no fcntl: the dead PID decided it" ||
    fail "no fcntl: $(cat log/kill9_no_fcntl.resume.err)"

# the fallback still refuses a live holder
rm -f out.h5 out.h5.ckpt
export THERMOLEARN_TEST_NO_FCNTL=1
$SLOW "$BIN" run base.ini -o out.h5 --checkpoint-interval 0.05 --no-progress 2>log/first.err &
first=$!
started log/first.err out.h5 || fail "no fcntl: the first run did not start"
kill -STOP $first
grep -q "^mode=exclusive" out.h5.lock && pass "no fcntl: the lock file says mode=exclusive" ||
    fail "no fcntl: $(cat out.h5.lock)"
refused no_fcntl_resume "$first" 2 -o out.h5 --resume
refused no_fcntl_break_lock "$first" 1 -o out.h5 --force --break-lock
kill -CONT $first
wait $first || fail "no fcntl: the first run exited $?"
unset THERMOLEARN_TEST_NO_FCNTL
expect_same "no fcntl: the first run" out.h5

# ---- the lock goes with every end: a stop (status 75), bad disk paths ----------------------
rm -f out.h5 out.h5.ckpt
THERMOLEARN_TEST_STOP_AFTER=3 "$BIN" run base.ini -o out.h5 --checkpoint-interval 0 --no-progress 2>log/stop.err
rc=$?
[ $rc = 75 ] && [ ! -e out.h5.lock ] && pass "a stopped run (status 75) removes its lock" ||
    fail "stop: status $rc, lock: $(ls out.h5.lock 2>&1)"
"$BIN" run base.ini -o out.h5 --no-progress 2>log/exists.err # a checkpoint exists, no --resume: status 2
rc=$?
[ $rc = 2 ] && [ ! -e out.h5.lock ] && pass "a run refused for bad paths (status 2) removes its lock" ||
    fail "bad paths: status $rc, lock: $(ls out.h5.lock 2>&1)"

finish
