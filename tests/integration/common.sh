# Shared helpers for the integration tests (sourced).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${PY:-/usr/bin/python3}"
MPIRUN="${MPIRUN:-mpirun --oversubscribe}"
# CI and containers run as root, which Open MPI refuses unless told.
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
TMP="$(mktemp -d "${TMPDIR:-/tmp}/thermolearn_test.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
n_pass=0 n_fail=0
pass() { echo "PASS: $*"; n_pass=$((n_pass + 1)); }
fail() { echo "FAIL: $*"; n_fail=$((n_fail + 1)); }
finish() { echo "$n_pass passed, $n_fail failed"; [ "$n_fail" = 0 ]; }

# Every dataset of file A, one path a line.
datasets() { h5ls -r "$1" | awk '$2 == "Dataset" {print $1}'; }

# same_datasets A B: every dataset of A equals B's to the bit (raw bytes: -0 is
# not +0 and NaN payloads count, which h5diff does not see), attributes included.
same_datasets() { "$PY" "$ROOT/tests/tools/same_datasets.py" "$1" "$2"; }

# bad_input MODEL EXPECTED-TEXT LINE...: a [run] of MODEL with the given lines in its
# section must exit 2, print EXPECTED-TEXT (grep pattern) and write no output.
bad_input() { # model expected-text ini-body...
    local model=$1 want=$2; shift 2
    printf '[run]\nmodel = %s\ntrajectories = 10\n\n[%s]\n' "$model" "$model" > "$TMP/bad.ini"
    printf '%s\n' "$@" >> "$TMP/bad.ini"
    rm -f "$TMP/bad.h5"
    "$BIN" run "$TMP/bad.ini" -o "$TMP/bad.h5" --quiet 2> "$TMP/bad.err"
    local status=$?
    if [ $status = 2 ] && grep -q -- "$want" "$TMP/bad.err" && [ ! -e "$TMP/bad.h5" ]; then
        pass "refused ($want): $(head -c 160 "$TMP/bad.err")"
    else
        fail "expected exit 2, '$want' and no output, got $status: $(cat "$TMP/bad.err")"
    fi
}
