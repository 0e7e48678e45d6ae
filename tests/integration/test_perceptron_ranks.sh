#!/usr/bin/env bash
# Perceptron output identical for 1 and 3 ranks (batch with a finite label
# rate, online learning), and bad input: exit 2, the key named, nothing written.
set -u
BIN=$1
source "$(dirname "$0")/common.sh"

# ---- ranks ------------------------------------------------------------------------------
ranks_input() { # name axis learning
    cat > "$TMP/$1.ini" <<INI
[run]
model = perceptron
trajectories = 300

[grid]
nu = 1, 3
$2

[perceptron]
n = 40
alpha = 0.5
tau = 2
time = 5
temperature = 1.3
learning = $3
INI
}
ranks_input ranks "label_rate = 50, 1e6" batch
ranks_input ranks_online "switch_rate = 30, 60" online
for name in ranks ranks_online; do
    for n in 1 3; do
        $MPIRUN -n $n "$BIN" run "$TMP/$name.ini" -o "$TMP/$name.n$n.h5" --quiet || fail "$name: $n ranks exited $?"
    done
    if same_datasets "$TMP/$name.n1.h5" "$TMP/$name.n3.h5"; then
        pass "$name: 1 and 3 ranks give identical datasets"
    else
        fail "$name: 1 and 3 ranks differ"
    fi
done

# ---- bad input --------------------------------------------------------------------------
bad() { # label expected-text section-lines...
    local label=$1 expect=$2; shift 2
    printf '[run]\nmodel = perceptron\ntrajectories = 10\n\n[perceptron]\ntemperature = 1\n' > "$TMP/bad.ini"
    printf '%s\n' "$@" >> "$TMP/bad.ini"
    rm -f "$TMP/bad.h5"
    msg=$("$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" 2>&1)
    status=$?
    if [ $status = 2 ] && [[ "$msg" == *"$expect"* ]] && [ ! -e "$TMP/bad.h5" ] && [ ! -e "$TMP/bad.h5.partial" ]; then
        pass "bad input ($label): exit 2, names '$expect', nothing written"
    else
        fail "bad input ($label): exit $status, message: $msg"
    fi
}
bad "alpha n not whole" "alpha" "n = 10" "alpha = 0.55"
bad "switch_rate with batch" "switch_rate" "switch_rate = 10"
bad "tau zero" "tau" "tau = 0"
bad "unknown learning" "learning" "learning = hebb"
bad "negative nu" "nu" "nu = -1"
finish
