#!/usr/bin/env bash
# Staged preparation (src/engine/prepare.c): a point's expensive set-up as a
# chain of stages the engine runs as units of work, checkpointed between them.
# With the test model `staged` (tests/models/staged/staged.c: every stage call
# writes a line to stderr, each stage checks it follows the one before):
# - each stage of each chain runs exactly once over all ranks (1, 2, 3 ranks),
#   points that differ only in a key outside the preparation share one chain,
#   and the prepared values equal those recomputed in one go (to the bit);
# - a stop after 5 stages (THERMOLEARN_TEST_STOP_AFTER, 1 rank: exactly 5)
#   exits 75 saying how far the preparation went, and --resume on 2 ranks runs
#   exactly the 7 other stages: the datasets equal the run in one go (h5diff);
# - a checkpoint without the preparation section (as written before staging
#   existed) is resumed: the chains start again, same datasets.
# With spins (the SPSA optimisation of a random task in stages of
# spsa_steps_per_unit steps): a split into stages of 7 steps and of all 40, and
# a stop after 3 stages resumed on 3 ranks: identical datasets.
# Uses the test build, build/tests/thermolearn (it has the model `staged`).
set -u
source "$(dirname "$0")/common.sh"
BIN="$ROOT/build/tests/thermolearn"
[ -x "$BIN" ] || { fail "no $BIN: make unit-tests builds it"; finish; exit 1; }
cp "$BIN" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"

# run RANKS ARGS...: stderr to run.err, the model's stage lines to stages.log (appended
# by the ranks themselves: not through mpirun's forwarding of stderr)
run() {
    local n=$1; shift
    rm -f stages.log
    if [ "$n" = 1 ]; then STAGED_LOG="$TMP/stages.log" "$BIN" run "$@" --no-progress 2>run.err
    else STAGED_LOG="$TMP/stages.log" $MPIRUN -n "$n" "$BIN" run "$@" --no-progress 2>run.err; fi
}
stage_lines() { grep '^staged: stage' stages.log 2>/dev/null | sort; }

cat > s.ini <<'INI'
[run]
model = staged
trajectories = 10
seed = 2
[grid]
x0 = 0.5, 1.5, -0.25
time = 1, 2
[staged]
stages = 4
INI
# the 12 stages of the 3 chains (the 6 points share them in pairs), each once
for x in 0.5 1.5 -0.25; do for s in 0 1 2 3; do echo "staged: stage $s of x0 = $x"; done; done | sort > want.txt

# ---- once per chain, on any number of ranks -----------------------------------------------
ok=1
for n in 1 2 3; do
    run $n s.ini -o one.n$n.h5 --quiet || ok=0
    stage_lines > got.txt
    cmp -s got.txt want.txt || { echo "  $n rank(s): stage calls differ"; diff got.txt want.txt | head; ok=0; }
done
if [ $ok = 1 ] && "$PY" - one.n1.h5 <<'PY'
import sys, h5py, numpy as np
g = h5py.File(sys.argv[1], "r")["staged"]
assert np.all(g["stage_calls"][()] == 4), g["stage_calls"][()]
assert np.array_equal(g["prepared_value"][()], g["exact_value"][()]), "prepared value"
PY
then pass "staged: every stage of every chain runs once, over 1, 2 and 3 ranks; shared chains; the prepared values exact"
else fail "staged: stage calls or prepared values"; fi
if [ $ok = 1 ] && same_datasets one.n1.h5 one.n2.h5 && same_datasets one.n1.h5 one.n3.h5; then
    pass "staged: 1, 2 and 3 ranks give identical datasets"
else fail "staged: ranks differ"; fi

# ---- a stop in the middle of the preparation, resumed on another rank count --------------
THERMOLEARN_TEST_STOP_AFTER=5 run 1 s.ini -o stop.h5; rc=$?
stage_lines > first.txt
if [ $rc = 75 ] && [ ! -f stop.h5 ] && [ -f stop.h5.ckpt ] && [ "$(wc -l < first.txt)" = 5 ] &&
    grep -q "stopped (stop file) in the preparation, 5/12 stages done" run.err; then
    pass "staged: a stop after 5 stages exits 75, its checkpoint saved, 5/12 stages done"
else fail "staged: stop in the preparation: exit $rc, $(wc -l < first.txt) stages"; cat run.err | grep -v '^staged'; fi
run 2 s.ini -o stop.h5 --resume; rc=$?
stage_lines > second.txt
sort first.txt second.txt > both.txt
if [ $rc = 0 ] && [ "$(wc -l < second.txt)" = 7 ] && cmp -s both.txt want.txt && same_datasets one.n1.h5 stop.h5; then
    pass "staged: --resume on 2 ranks runs the 7 other stages only; datasets identical to the run in one go"
else
    fail "staged: resume: exit $rc, $(wc -l < second.txt) stages"
    diff both.txt want.txt | head -5; same_datasets one.n1.h5 stop.h5 || echo "  and the datasets differ"
fi

# ---- a checkpoint without the preparation section (before staging existed) ----------------
THERMOLEARN_TEST_STOP_AFTER=5 run 1 s.ini -o old.h5 >/dev/null
"$PY" - old.h5.ckpt <<'PY'
import sys, struct
path = sys.argv[1]
data = open(path, "rb").read()[:-8]                    # without its checksum
at = data.rindex(b"TLPREP01")
points, total = struct.unpack("<QQ", data[at + 8:at + 24])
assert len(data) == at + 24 + 8 * points + 8 * total, "the section ends the file"
data = data[:at]
h = 1469598103934665603                                # FNV-1a, as checkpoint.c
for b in data:
    h = ((h ^ b) * 1099511628211) % 2**64
open(path, "wb").write(data + struct.pack("<Q", h))
PY
run 1 s.ini -o old.h5 --resume; rc=$?
stage_lines > again.txt
if [ $rc = 0 ] && cmp -s again.txt want.txt && same_datasets one.n1.h5 old.h5; then
    pass "staged: a checkpoint without the preparation (an older one) resumes: the chains run again, same datasets"
else fail "staged: old checkpoint: exit $rc, $(wc -l < again.txt) stages"; fi

# ---- spins: SPSA in stages ---------------------------------------------------------------
cat > task.ini <<'INI'
[run]
model = spins
trajectories = 16
seed = 2
[grid]
alpha = 0, 2
time = 6, 10
[spins]
chain_length = 4
task = random
patterns = 20
spsa_steps = 40
spsa_steps_per_unit = 7
task_time = 30
beta = 1
transient = 2
INI
sed 's/^spsa_steps_per_unit = 7/spsa_steps_per_unit = 40/' task.ini > whole.ini
# every dataset but the parameter that says how the stages were cut
same_but_split() {
    local d bad=0
    for d in $(datasets "$1"); do
        [ "$d" = /parameters/spsa_steps_per_unit ] && continue
        h5diff -q "$1" "$2" "$d" "$d" >/dev/null 2>&1 || { echo "  differs: $d"; bad=1; }
    done
    [ $bad = 0 ]
}
ok=1
run 1 whole.ini -o whole.h5 --quiet || ok=0
run 1 task.ini -o task.n1.h5 --quiet || ok=0
if [ $ok = 1 ] && same_but_split whole.h5 task.n1.h5; then
    pass "spins: SPSA in stages of 7 steps and in one stage of 40: identical datasets"
else fail "spins: stages or ranks differ"; fi
THERMOLEARN_TEST_STOP_AFTER=3 run 1 task.ini -o stop.task.h5; rc=$?
grep -q "in the preparation, 3/14 stages done" run.err || rc="$rc (message: $(grep stopped run.err))"
run 3 task.ini -o stop.task.h5 --resume --quiet; rc2=$?
if [ "$rc" = 75 ] && [ $rc2 = 0 ] && same_datasets task.n1.h5 stop.task.h5; then
    pass "spins: a stop after 3 of 14 stages (exit 75) resumed on 3 ranks: identical datasets"
else fail "spins: stop $rc, resume $rc2"; fi
finish
