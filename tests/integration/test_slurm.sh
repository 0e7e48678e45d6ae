#!/usr/bin/env bash
# The sbatch scripts on a real scheduler: a single-node SLURM (slurmctld,
# slurmd and munged, on this machine, on their own ports and sockets) is
# started here, and jobs/template.sbatch is submitted.  The test stops each of
# the first three jobs of the chain with a stop file (exit 75: the same path as
# a time limit), the script resubmits itself and the next job resumes, until
# the run is complete; the file is then identical to a run made in one go.  The
# chain has four jobs however fast or loaded the machine (a [run] time_limit
# made its length depend on the speed).  A second job gets the warning signal
# from SLURM (scancel --signal=USR1, as --signal sends it before the
# wall-clock limit) and resubmits likewise.  The same job script submitted
# twice: the second job finds the output locked and exits 3, the first one's
# chain completes the same file.  Only this test's own jobs are cancelled;
# everything is stopped and removed at the end.  Skipped, with a message, only
# if the SLURM packages are missing and cannot be installed.
set -u
source "$(dirname "$0")/common.sh"

need() { command -v slurmctld && command -v slurmd && command -v munged && command -v sbatch; } >/dev/null 2>&1
if ! need; then
    echo "slurm-wlm or munge missing: installing (apt-get install -y slurm-wlm munge)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1; }
fi
if ! need; then
    echo "SKIP: slurm-wlm and munge are not installed and cannot be installed here (CI installs them: make deps)"
    echo "0 passed, 0 failed"
    exit 0
fi

S="$TMP/slurm"
W="$TMP/work"
mkdir -p "$S/state" "$S/spool" "$S/munge" "$W/bin" "$W/jobs" "$W/inputs"
NODE=$(hostname -s)
# Ports of our own, from the process id, so that nothing else is disturbed.
PORT=$((20000 + ($$ % 4000) * 2))
# The ids of this test's jobs: those it submitted, and those the job scripts
# resubmitted (sbatch's "Submitted batch job N" in their logs).  Never all of
# a user's jobs: on a real cluster that would cancel other work.
JOBS=""
own_jobs() {
    { echo $JOBS | tr ' ' '\n'; cat "$W"/*.log 2>/dev/null | sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p'; } |
        grep -E '^[0-9]+$' | sort -u
}
cleanup() {
    local ids
    ids=$(own_jobs 2>/dev/null)
    [ -n "$ids" ] && scancel $ids >/dev/null 2>&1
    [ -f "$S/ctld.pid" ] && scontrol shutdown >/dev/null 2>&1
    local f
    for f in "$S/slurmd.pid" "$S/ctld.pid" "$S/munge/munged.pid"; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    sleep 1
    for f in "$S/slurmd.pid" "$S/ctld.pid" "$S/munge/munged.pid"; do
        [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

# munge with its own key and socket
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$S/munge/munge.key"
munged --force --key-file="$S/munge/munge.key" --socket="$S/munge/socket" --pid-file="$S/munge/munged.pid" \
    --log-file="$S/munge/log" --seed-file="$S/munge/seed" || { fail "munged did not start"; finish; exit 1; }

CPUS=$(nproc)
cat > "$S/slurm.conf" <<CONF
ClusterName=thermolearn_test
SlurmctldHost=$NODE
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/socket
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/ctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/ctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$NODE CPUs=$CPUS State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$S/slurm.conf"
slurmctld -f "$SLURM_CONF" -i >/dev/null 2>&1 || { fail "slurmctld did not start: $(tail -3 "$S/ctld.log")"; finish; exit 1; }
slurmd -f "$SLURM_CONF" >/dev/null 2>&1 || { fail "slurmd did not start: $(tail -3 "$S/slurmd.log")"; finish; exit 1; }
up=0
for k in $(seq 60); do
    sinfo -h -o "%t" 2>/dev/null | grep -qE "^idle" && { up=1; break; }
    sleep 1
done
[ $up = 1 ] && pass "single-node SLURM up on $NODE ($CPUS CPUs)" ||
    { fail "the SLURM node did not become idle: $(sinfo 2>&1 | tail -2); $(tail -3 "$S/slurmd.log")"; finish; exit 1; }

# The job's tree: a copy of the binary (other builds may replace bin/), the template, an input.
cp "$1" "$W/bin/thermolearn"
cp "$ROOT/jobs/template.sbatch" "$W/jobs/template.sbatch"
cat > "$W/inputs/slurm.ini" <<'INI'
[run]
model = hopfield
trajectories = 2000
seed = 5
checkpoint_interval = 0.05

[grid]
gamma = 0.3, 0.6

[hopfield]
n = 10
temperature = 3
field = 2
steps = 6000

[histogram]
bins = 40
INI
# The reference: the same input in one go, under mpirun.
$MPIRUN -n 2 "$W/bin/thermolearn" run "$W/inputs/slurm.ini" -o "$TMP/ref.h5" --quiet || fail "reference run exited $?"

# wait_jobs: until the queue is empty (at most 240 s).
wait_jobs() {
    local k
    for k in $(seq 240); do
        [ -z "$(squeue -h -o %i 2>/dev/null)" ] && return 0
        sleep 1
    done
    return 1
}

# count PATTERN LOG: lines of LOG that match.
count() { local n; n=$(grep -c "$1" "$2" 2>/dev/null); echo "${n:-0}"; }
# until_count N PATTERN LOG: wait until LOG has N lines matching PATTERN (at most 120 s).
until_count() {
    local k
    for k in $(seq 600); do [ "$(count "$2" "$3")" -ge "$1" ] && return 0; sleep 0.2; done
    return 1
}
# stop_chain LOG OUTPUT N: stop each of the first N jobs of a chain with OUTPUT.stop, once it
# simulates, and wait for its resubmission.
stop_chain() {
    local log=$1 out=$2 n=$3 k
    for k in $(seq "$n"); do
        until_count "$k" "model hopfield" "$log" || { fail "job $k of the chain did not start"; return 1; }
        sleep 0.5
        touch "$out.stop"
        until_count "$k" "resubmitting to continue" "$log" || { fail "job $k did not stop and resubmit"; return 1; }
    done
}

# ---- resubmit: each job of the chain is stopped (exit 75) and resubmits itself ----------------
# Every unit of work is followed by a 0.3 s sleep (a test hook, passed to the
# jobs by --export=ALL): the run lasts about 9 s on 2 ranks and 18 s on one
# however fast the machine, so that the stop file and the signal find it
# running.  (A stall in each checkpoint's write was not enough: on a fast
# machine the compute between checkpoints ended the run before the third stop.)
export THERMOLEARN_TEST_UNIT_STALL=0.3
cd "$W"
jid=$(INPUT=inputs/slurm.ini OUTPUT=results/slurm.h5 sbatch --parsable --ntasks=2 --job-name=tl_chain \
    --export=ALL jobs/template.sbatch 2>&1)
[[ $jid =~ ^[0-9]+$ ]] && pass "sbatch accepted jobs/template.sbatch (job $jid)" || fail "sbatch: $jid"
JOBS="$JOBS $jid"
log="$W/tl_chain.log"
stop_chain "$log" results/slurm.h5 3
wait_jobs && pass "every job of the chain ended" || fail "jobs still queued after 240 s: $(squeue 2>&1 | tail -3)"
n_jobs=$(count "resubmitting to continue" "$log")
[ "$n_jobs" = 3 ] && [ "$(count "stopped (stop file)" "$log")" = 3 ] &&
    pass "the run was stopped 3 times and resubmitted 3 times" ||
    fail "resubmissions: $n_jobs, not 3: $(tail -5 "$log" 2>/dev/null)"
grep -q "resuming from" "$log" && pass "a resubmitted job resumed from the checkpoint" || fail "no job resumed"
if [ -f results/slurm.h5 ] && same_datasets "$TMP/ref.h5" results/slurm.h5; then
    pass "the file of the resubmitted chain equals the run in one go"
else
    fail "the chain's file is missing or differs"
    grep -v "^ *$" "$log" 2>/dev/null | tail -25 | sed 's/^/    log: /'
fi
grep -q "PASS\|verdict\|BAR" "$log" && pass "the job script ran check on the result" || fail "no check output in the log"

# ---- the warning signal: SIGUSR1 to the job's tasks, as --signal=USR1@120 sends it ---------------
cp inputs/slurm.ini inputs/slurm_sig.ini
jid=$(INPUT=inputs/slurm_sig.ini OUTPUT=results/sig.h5 sbatch --parsable --ntasks=2 --job-name=tl_sig \
    --export=ALL jobs/template.sbatch 2>&1)
JOBS="$JOBS $jid"
for k in $(seq 120); do grep -q "model hopfield" tl_sig.log 2>/dev/null && break; sleep 0.5; done
sleep 1
scancel --signal=USR1 "$jid" 2>/dev/null
wait_jobs || fail "signal: jobs still queued after 240 s"
grep -q "stopped (signal)" tl_sig.log && pass "SIGUSR1 from SLURM: the run checkpointed and stopped" ||
    fail "SIGUSR1: no stop seen: $(tail -5 tl_sig.log 2>/dev/null)"
if [ -f results/sig.h5 ] && same_datasets "$TMP/ref.h5" results/sig.h5; then
    pass "after the signal, the resubmitted job completed the same file"
else
    fail "signal: the file is missing or differs"
fi

# ---- the same job script submitted twice: the second job finds the output locked --------------
# One task each, so that both jobs run at once on this node.
submit_dup() {
    INPUT=inputs/slurm.ini OUTPUT=results/dup.h5 sbatch --parsable --ntasks=1 --job-name=tl_dup \
        --export=ALL jobs/template.sbatch 2>&1
}
first=$(submit_dup)
JOBS="$JOBS $first"
until_count 1 "model hopfield" tl_dup.log || fail "twice: the first job did not start"
second=$(submit_dup)
JOBS="$JOBS $second"
state=""
for k in $(seq 600); do
    state=$(scontrol -o show job "$second" 2>/dev/null | grep -o "JobState=[A-Z]* .*ExitCode=[0-9:]*" | head -1)
    [[ $state == JobState=PENDING* || $state == JobState=RUNNING* || $state == "" ]] || break
    sleep 0.2
done
msg=$(grep "is being written by" tl_dup.log | head -1)
echo "  second job ($second): ${state%% *} ${state##* }; $msg"
[[ $state == *FAILED*ExitCode=3:0* ]] && pass "submitted twice: the second job exited with status 3" ||
    fail "submitted twice: the second job: $state"
[[ $msg == *"results/dup.h5 is being written by PID "*" on "*"SLURM job $first); nothing was changed" ]] &&
    pass "submitted twice: the message names the first job ($first)" || fail "submitted twice: message: $msg"
stop_chain tl_dup.log results/dup.h5 1
wait_jobs || fail "twice: jobs still queued after 240 s"
[ "$(count "resubmitting to continue" tl_dup.log)" = 1 ] && pass "submitted twice: the first job's chain was resubmitted once" ||
    fail "submitted twice: $(count "resubmitting to continue" tl_dup.log) resubmissions, not 1"
if [ -f results/dup.h5 ] && same_datasets "$TMP/ref.h5" results/dup.h5; then
    pass "submitted twice: the first job's chain completed the file, equal to the run in one go"
else
    fail "submitted twice: the file is missing or differs"
    grep -v "^ *$" tl_dup.log 2>/dev/null | tail -25 | sed 's/^/    log: /'
fi

# srun --mpi=pmix launched 2 ranks (n_ranks is stored in the file)
"$PY" -c "import h5py,sys; sys.exit(0 if int(h5py.File('results/slurm.h5','r').attrs['n_ranks']) == 2 else 1)" 2>/dev/null &&
    pass "srun --mpi=pmix started 2 ranks" || fail "the file does not say 2 ranks"
cd "$ROOT"
finish
