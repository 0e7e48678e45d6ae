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

# same_datasets A B: every dataset of A equals B's to the bit (h5diff without tolerance).
same_datasets() {
    local a=$1 b=$2 d bad=0 n=0
    for d in $(datasets "$a"); do
        n=$((n + 1))
        h5diff -q "$a" "$b" "$d" "$d" >/dev/null 2>&1 || { echo "  differs: $d"; bad=1; }
    done
    [ "$(datasets "$a" | sort)" = "$(datasets "$b" | sort)" ] || { echo "  dataset lists differ"; bad=1; }
    [ $n -gt 0 ] && [ $bad = 0 ]
}
