#!/usr/bin/env bash
# The sbatch scripts on a real scheduler: a single-node SLURM (slurmctld,
# slurmd and munged, on this machine, on their own ports and sockets) is
# started here, jobs/template.sbatch is submitted with an input whose
# [run] time_limit stops every job early (exit 75), the script resubmits
# itself and the next job resumes, until the run is complete; the file is
# then identical to a run made in one go.  A second job gets the warning
# signal from SLURM (scancel --signal=USR1, as --signal sends it before the
# wall-clock limit) and resubmits likewise.  Everything is stopped and
# removed at the end.  Skipped, with a message, only if the SLURM packages
# are missing and cannot be installed.
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
cleanup() {
    scancel --user=root >/dev/null 2>&1
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
time_limit = 1
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
sed '/^time_limit/d' "$W/inputs/slurm.ini" > "$TMP/ref.ini"
$MPIRUN -n 2 "$W/bin/thermolearn" run "$TMP/ref.ini" -o "$TMP/ref.h5" --quiet || fail "reference run exited $?"

# wait_jobs: until the queue is empty (at most 240 s).
wait_jobs() {
    local k
    for k in $(seq 240); do
        [ -z "$(squeue -h -o %i 2>/dev/null)" ] && return 0
        sleep 1
    done
    return 1
}

# ---- resubmit on timeout: each job stops at its time_limit and resubmits itself ---------------
# Every checkpoint (each 50 ms) stalls 0.2 s halfway through its write (a test
# hook, passed to the jobs by --export=ALL): the run takes several seconds
# however fast the machine, so that the time limit and the signal find it running.
export THERMOLEARN_TEST_CHECKPOINT_STALL=0.2
cd "$W"
jid=$(INPUT=inputs/slurm.ini OUTPUT=results/slurm.h5 sbatch --parsable --ntasks=2 --job-name=tl_chain \
    --export=ALL jobs/template.sbatch 2>&1)
[[ $jid =~ ^[0-9]+$ ]] && pass "sbatch accepted jobs/template.sbatch (job $jid)" || fail "sbatch: $jid"
wait_jobs && pass "every job of the chain ended" || fail "jobs still queued after 240 s: $(squeue 2>&1 | tail -3)"
log="$W/tl_chain.log"
n_jobs=$(grep -c "resubmitting to continue" "$log" 2>/dev/null)
[ "${n_jobs:-0}" -ge 1 ] && pass "the run stopped at its time limit and was resubmitted $n_jobs time(s)" ||
    fail "no resubmission seen: $(tail -5 "$log" 2>/dev/null)"
grep -q "resuming from" "$log" && pass "a resubmitted job resumed from the checkpoint" || fail "no job resumed"
if [ -f results/slurm.h5 ] && same_datasets "$TMP/ref.h5" results/slurm.h5; then
    pass "the file of the resubmitted chain equals the run in one go"
else
    fail "the chain's file is missing or differs"
    grep -v "^ *$" "$log" 2>/dev/null | tail -25 | sed 's/^/    log: /'
fi
grep -q "PASS\|verdict\|BAR" "$log" && pass "the job script ran check on the result" || fail "no check output in the log"

# ---- the warning signal: SIGUSR1 to the job's tasks, as --signal=USR1@120 sends it ---------------
sed '/^time_limit/d' inputs/slurm.ini > inputs/slurm_sig.ini
jid=$(INPUT=inputs/slurm_sig.ini OUTPUT=results/sig.h5 sbatch --parsable --ntasks=2 --job-name=tl_sig \
    --export=ALL jobs/template.sbatch 2>&1)
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

# srun --mpi=pmix launched 2 ranks (n_ranks is stored in the file)
"$PY" -c "import h5py,sys; sys.exit(0 if int(h5py.File('results/slurm.h5','r').attrs['n_ranks']) == 2 else 1)" 2>/dev/null &&
    pass "srun --mpi=pmix started 2 ranks" || fail "the file does not say 2 ranks"
cd "$ROOT"
finish
