#!/usr/bin/env bash
# Model `spins`: bad inputs stop the run before anything is written, with
# exit status 2 and a message naming the key.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"
printf '0 1.1\n-0.3 0\n' > "$TMP/w2.txt"

# Bad inputs: exit status 2, a message naming the key, nothing written.
bad_case() { # label expected-text ini-body
    printf '%s\n' "$3" > "$TMP/bad.ini"
    local msg rc
    msg=$("$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" 2>&1); rc=$?
    if [ $rc = 2 ] && [[ "$msg" == *"$2"* ]] && [ ! -e "$TMP/bad.h5" ] && [ ! -e "$TMP/bad.h5.partial" ]; then
        pass "bad input: $1"
    else
        fail "bad input: $1 (exit $rc: $msg)"
    fi
}
HEAD=$'[run]\nmodel = spins\ntrajectories = 10\n[spins]\nbeta = 1'
printf '0 1\n1\n' > "$TMP/ragged.txt"
printf '0 1\n1 zero\n' > "$TMP/nan.txt"
printf '1 2 3\n' > "$TMP/x3.txt"
printf '# nothing\n\n' > "$TMP/empty.txt"
bad_case "wrong number of couplings" "couplings: 13 values" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13'
bad_case "couplings and coupling_matrix" "exactly one" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\ncoupling_matrix = '"$TMP/ragged.txt"
bad_case "no couplings" "exactly one" "$HEAD"
bad_case "ragged coupling matrix" "row 2 has 1 values" "$HEAD"$'\ncoupling_matrix = '"$TMP/ragged.txt"
bad_case "not a number in the matrix" "'zero' is not a finite number" "$HEAD"$'\ncoupling_matrix = '"$TMP/nan.txt"
bad_case "missing matrix file" "cannot open" "$HEAD"$'\ncoupling_matrix = '"$TMP/none.txt"
bad_case "input of the wrong length" "input 1 has 3 values" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\ninputs = '"$TMP/x3.txt"
bad_case "input_index is gone (every trajectory runs every input)" "input_index" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\nchain_length = 3\ninputs = '"$TMP/x3.txt"$'\ninput_index = 0'
bad_case "an inputs file without numbers" "has no rows of numbers" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\ninputs = '"$TMP/empty.txt"
bad_case "negative ift_time" "ift_time" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\nift_time = -1'
bad_case "transient longer than time" "transient" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\ntime = 5\ntransient = 5'
bad_case "steady start without the exact state" "initial = steady" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\nchain_length = 8\ninitial = steady'
bad_case "chain keys with a matrix" "chain_length and neighbours" "$HEAD"$'\nchain_length = 3\ncoupling_matrix = '"$TMP/w2.txt"

bad_case "task with a coupling matrix" "task = random optimises chain couplings" "$HEAD"$'\ntask = random\ncoupling_matrix = '"$TMP/w2.txt"
bad_case "task keys without a task" "alpha belongs to task = random" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\nalpha = 1'
bad_case "readout without a task" "readout belongs to task = random" "$HEAD"$'\ncouplings = 1 2 3 4 5 6 7 8 9 10 11 12 13 14\nreadout = cross_entropy'
bad_case "unknown readout" "readout" "$HEAD"$'\ntask = random\nreadout = hinge'
bad_case "three classes for the mse readout" "classes = 3: readout = mse" "$HEAD"$'\ntask = random\nclasses = 3'
bad_case "one class" "classes" "$HEAD"$'\ntask = random\nreadout = cross_entropy\nclasses = 1'
bad_case "ridge with the mse readout" "ridge belongs to readout = cross_entropy" "$HEAD"$'\ntask = random\nridge = 0.1'
bad_case "negative ridge" "ridge" "$HEAD"$'\ntask = random\nreadout = cross_entropy\nridge = -1'
bad_case "fewer patterns than spins for the mse readout" "needs at least" "$HEAD"$'\ntask = random\npatterns = 3'
bad_case "an inputs file with a task" "task = random makes its own inputs" "$HEAD"$'\ntask = random\ninputs = '"$TMP/x3.txt"

finish
