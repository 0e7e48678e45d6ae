#!/usr/bin/env bash
# Runs every test program and sums their counts into one closing line,
# "N passed, M failed".  Arguments: names to run only some (substring match).
set -u
cd "$(dirname "$0")/.."
BIN=bin/thermolearn
export PY="${PY:-/usr/bin/python3}"
export MPIRUN="${MPIRUN:-mpirun --oversubscribe}"
if [ "$(id -u)" = 0 ] && [[ "$MPIRUN" != *allow-run-as-root* ]]; then MPIRUN="$MPIRUN --allow-run-as-root"; fi
export OMPI_MCA_rmaps_base_oversubscribe=1
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT


# Run one program; add its own counts (cmocka summary or a closing
# "N passed, M failed" line), or count it as one test by its exit status.
run() {
    local name=$1; shift
    if [ ${#FILTER[@]} -gt 0 ]; then
        local f keep=0
        for f in "${FILTER[@]}"; do [[ $name == *$f* ]] && keep=1; done
        [ $keep = 1 ] || return 0
    fi
    echo "=== $name"
    local start=$SECONDS
    "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]} p f
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    if [ -z "$p" ]; then
        p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
        f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$log" | tail -1)
    fi
    if [ -z "$p" ]; then
        if [ "$status" = 0 ]; then p=1 f=0; else p=0 f=1; fi
    fi
    f=${f:-0}
    if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; fi
    passed=$((passed + p)) failed=$((failed + f))
    echo "=== $name: $p passed, $f failed ($((SECONDS - start)) s)"
}

FILTER=("$@")
for t in build/tests/test_*; do run "$(basename "$t")" "$t"; done
run scheduler $MPIRUN -n 3 build/tools/scheduler_check
run handout_sim build/tools/handout_sim
run vec_check bash tests/tools/vec_check.sh
run bar_pymbar "$PY" tests/integration/test_bar_pymbar.py build/tools/bar_cli
export PLOT_WORK_INPUT=inputs/hopfield_crooks.ini
# Every integration script takes the binary as its argument.
for t in tests/integration/test_*.sh; do
    name=$(basename "$t" .sh)
    run "${name#test_}" bash "$t" "$BIN"
done

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
