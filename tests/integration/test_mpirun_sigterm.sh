#!/usr/bin/env bash
# SIGTERM to mpirun itself (a workstation user's kill, a batch system that is
# not SLURM).  Open MPI 4.1's mpirun answers SIGTERM (and SIGINT) by sending
# the ranks SIGCONT, then SIGTERM after odls_base_sigkill_timeout seconds
# (default 1), then SIGKILL as many seconds later; it cannot forward SIGTERM.
# With OMPI_MCA_odls_base_sigkill_timeout=T the ranks have T seconds to save
# their checkpoint: it is written, the engine says so, and --resume gives
# datasets identical (h5diff) to a run that never stopped.  mpirun's own exit
# status is 1 whatever the ranks return (Open MPI sets it).  With the default
# of 1 s a checkpoint that takes longer is cut by SIGKILL.  (The price of a
# large T: mpirun sleeps 2T whenever it kills ranks, also after a rank exits
# non-zero, e.g. 75 after any stop: it exits 2T late.)  A job script that
# traps TERM and passes SIGUSR1 to mpirun (forwarded at once) gets status 75.
set -u
source "$(dirname "$0")/common.sh"
cp "$1" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"
CHECKPOINT_STEPS=2500
source "$ROOT/tests/integration/checkpoint_input.sh"
write_input base 1000 7 "0.2, 0.7"
"$BIN" run base.ini -o ref.h5 --quiet --no-progress || fail "reference run exited $?"

# started NAME.err: the run reports progress (its signal handlers are in place), at most 20 s.
started() {
    local k
    for k in $(seq 200); do grep -q "progress" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}
# Every checkpoint write stalls 1.2 s halfway (a test hook): longer than Open
# MPI's default 1 s between SIGTERM and SIGKILL, and it keeps the run going
# (a checkpoint every 20 ms) until the signal comes, however fast the machine.
export THERMOLEARN_TEST_CHECKPOINT_STALL=1.2
# launch NAME [ENV...]: mpirun -n 2 in the background, SIGTERM to mpirun once the run is under way.
launch() {
    local name=$1; shift
    env "$@" $MPIRUN -n 2 "$BIN" run base.ini -o "$name.h5" --checkpoint-interval 0.02 --progress 0.05 2> "$name.err" &
    local pid=$! t0=$SECONDS
    started "$name.err" && kill -TERM $pid || fail "$name: the run did not start"
    wait $pid
    rc=$? took=$((SECONDS - t0))
}
resume_same() { # name
    THERMOLEARN_TEST_CHECKPOINT_STALL= "$BIN" run base.ini -o "$1.h5" --resume --quiet --no-progress 2>> "$1.err" ||
        fail "$1: --resume exited $?"
    same_datasets ref.h5 "$1.h5" && pass "$1: --resume gives datasets identical to the uninterrupted run" ||
        fail "$1: resumed datasets differ"
}

# ---- with the setting: the ranks get SIGTERM 4 s after mpirun, and 4 s to save -----------
launch grace OMPI_MCA_odls_base_sigkill_timeout=4
if [ $rc = 1 ] && grep -q "stopped (signal); progress saved in grace.h5.ckpt" grace.err && [ -f grace.h5.ckpt ] &&
    [ ! -f grace.h5.ckpt.tmp ] && [ ! -f grace.h5 ]; then
    pass "odls_base_sigkill_timeout=4: SIGTERM to mpirun, the ranks saved their checkpoint (mpirun status 1, ${took} s)"
else
    fail "odls_base_sigkill_timeout=4: status $rc, checkpoint $(ls grace.h5.ckpt* 2>&1 | tr '\n' ' '), log: $(tail -3 grace.err)"
fi
resume_same grace

# ---- Open MPI's default (1 s): the stalled checkpoint write is cut by SIGKILL --------------
launch default
if [ $rc != 0 ] && [ $rc != 75 ] && ! grep -q "stopped (signal)" default.err && [ ! -f default.h5 ]; then
    pass "default sigkill timeout: no checkpoint after the signal (status $rc): the setting is what saves it"
else
    fail "default sigkill timeout: status $rc, $(tail -2 default.err)"
fi

# ---- a job script that turns SIGTERM into SIGUSR1 for mpirun: status 75 ---------------------
cat > job.sh <<SH
$MPIRUN -n 2 "$BIN" run base.ini -o job.h5 --checkpoint-interval 0.02 --progress 0.05 &
pid=\$!
trap 'kill -USR1 \$pid 2>/dev/null' TERM
while kill -0 \$pid 2>/dev/null; do wait \$pid; done
wait \$pid
SH
bash job.sh 2> job.err &
pid=$!
started job.err && kill -TERM $pid
wait $pid
rc=$?
[ $rc = 75 ] && grep -q "stopped (signal); progress saved in job.h5.ckpt" job.err &&
    pass "job script trapping TERM, SIGUSR1 to mpirun: status 75, checkpoint saved" || fail "trap recipe: status $rc, $(tail -2 job.err)"
finish
