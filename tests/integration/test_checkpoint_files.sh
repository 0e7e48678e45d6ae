#!/usr/bin/env bash
# Files named by parameters (hopfield pattern_file, spins coupling_matrix and
# inputs) identify a run by their content, not their name.  A checkpoint is
# refused (status 2, a message naming the file) when the file's content
# changed between the stop and --resume; it is accepted when the same content
# is given under another name, and the resumed datasets equal (h5diff) those
# of a run that never stopped.  The output records each file's SHA-256.
set -u
source "$(dirname "$0")/common.sh"
cp "$1" "$TMP/thermolearn" && BIN="$TMP/thermolearn"
cd "$TMP"
: > log
run() { # K ARGS...
    local n=$1; shift
    if [ "$n" = 1 ]; then "$BIN" run "$@" --no-progress 2>>log
    else $MPIRUN -n "$n" "$BIN" run "$@" --no-progress 2>>log; fi
}
# attr FILE OBJECT NAME: a string attribute (lists joined by newlines).
attr() {
    "$PY" -c "import sys, h5py; v = h5py.File(sys.argv[1], 'r')[sys.argv[2]].attrs[sys.argv[3]]
print(v if isinstance(v, str) else '\n'.join(x if isinstance(x, str) else x.decode() for x in v))" "$@" 2>/dev/null
}

# ---- hopfield pattern_file: 6 points x 2 directions, about 2 s on one core ------------------
CHECKPOINT_STEPS=2500
source "$ROOT/tests/integration/checkpoint_input.sh"
write_input plain 1000 7 "0.2, 0.7"
printf '1 -1 1 -1 1 -1 1 -1 1 -1\n1 1 -1 -1 1 1 -1 -1 1 1\n' > pats.txt
sed 's|^n = 10$|n = 10\npattern_file = pats.txt|' plain.ini > base.ini
grep -q "pattern_file = pats.txt" base.ini || fail "test input: no pattern_file line"
run 1 base.ini -o ref.h5 --quiet || fail "reference run exited $?"

# The output records the file and its content's digest (sha256sum's).
want=$(sha256sum pats.txt | cut -d' ' -f1)
got=$(attr ref.h5 /parameters pattern_file_sha256)
if [ "$got" = "$want" ] && [ "$(attr ref.h5 /parameters pattern_file)" = "pats.txt" ] &&
    attr ref.h5 / input_files | grep -qx "\[hopfield\] pattern_file = pats.txt sha256 $want"; then
    pass "output: /parameters pattern_file and pattern_file_sha256 (= sha256sum), root input_files"
else
    fail "output: pattern_file_sha256 '$got', expected '$want'; input_files '$(attr ref.h5 / input_files)'" \
         "(needs tl_output_param_files(out, en->cfg) after write_parameters() in src/engine/run.c)"
fi

# A run of base.ini stopped by its time limit on 2 ranks.
export THERMOLEARN_TEST_UNIT_STALL=0.05 # 50 ms after each unit: the limit finds it running on any machine
run 2 base.ini -o stopped.h5 --time-limit 0.2 --checkpoint-interval 0
rc=$?
unset THERMOLEARN_TEST_UNIT_STALL
[ $rc = 75 ] && [ -f stopped.h5.ckpt ] || fail "the stop exited $rc (expected 75 and a checkpoint)"

# Content changed, name kept: refused, the message names the file; nothing written.
cp pats.txt pats.orig
sed -i '2s/^1 1/-1 1/' pats.txt
: > log
run 1 base.ini -o stopped.h5 --resume --quiet
rc=$?
if [ $rc = 2 ] && grep -q "stopped.h5.ckpt was made from a different input" log &&
    grep -q "the content of \[hopfield\] pattern_file = pats.txt" log && [ ! -f stopped.h5 ]; then
    pass "pattern_file edited between stop and --resume: refused, status 2 ($(head -1 log))"
else
    fail "pattern_file edited: status $rc, $(head -2 log)"
fi

# The same content under another name, in another directory: accepted, and the
# run ends as if it had never stopped.
mkdir -p elsewhere && mv pats.orig elsewhere/renamed.txt && rm pats.txt
sed 's|^pattern_file = pats.txt$|pattern_file = elsewhere/renamed.txt|' base.ini > moved.ini
: > log
run 2 moved.ini -o stopped.h5 --resume --quiet
rc=$?
if [ $rc = 0 ] && same_datasets ref.h5 stopped.h5; then
    pass "pattern_file renamed and moved, same content: accepted, datasets identical to the uninterrupted run"
else
    fail "pattern_file renamed: status $rc, $(head -2 log)"
fi
[ "$(attr stopped.h5 /parameters pattern_file_sha256)" = "$want" ] && pass "renamed file: the same digest in the output" ||
    fail "renamed file: digest $(attr stopped.h5 /parameters pattern_file_sha256)"

# The file gone at --resume: a bad input naming file, line and key (status 2), before the checkpoint is read.
: > log
run 1 base.ini -o stopped.h5 --resume --quiet --force
rc=$?
[ $rc = 2 ] && grep -q "base.ini:[0-9]*: \[hopfield\] pattern_file: cannot open or read the file 'pats.txt'" log &&
    pass "pattern_file missing: status 2, $(head -1 log)" || fail "pattern_file missing: status $rc, $(head -1 log)"

# ---- spins coupling_matrix and inputs: a finished run keeps its checkpoint ----------------------
printf '0 1.1\n-0.3 0\n' > w2.txt
printf '0.3 -0.5\n1.0 0.2\n' > x2.txt
cat > spins.ini <<INI
[run]
model = spins
trajectories = 200
seed = 3
[grid]
beta = 0.7, 1.3
[spins]
coupling_matrix = w2.txt
inputs = x2.txt
time = 20
transient = 2
INI
run 1 spins.ini -o spins.h5 --quiet || fail "spins run exited $?"
spins_refused() { # what file edit
    cp "$2" "$2.orig"
    sed -i "$3" "$2"
    : > log
    run 1 spins.ini -o spins2.h5 --checkpoint spins.h5.ckpt --resume --quiet
    local rc=$?
    cp "$2.orig" "$2"
    if [ $rc = 2 ] && grep -q "the content of .*\[spins\] $1 = $2" log && [ ! -f spins2.h5 ]; then
        pass "spins $1 edited: checkpoint refused, status 2"
    else fail "spins $1 edited: status $rc, $(head -2 log)"; fi
}
spins_refused coupling_matrix w2.txt '1s/1.1/1.2/'
spins_refused inputs x2.txt '2s/0.2/0.25/'
# Unchanged content: the finished checkpoint is accepted and gives the same file.
run 1 spins.ini -o spins2.h5 --checkpoint spins.h5.ckpt --resume --quiet && same_datasets spins.h5 spins2.h5 &&
    pass "spins files unchanged: checkpoint accepted, identical datasets" || fail "spins files unchanged: $(head -2 log)"

finish
